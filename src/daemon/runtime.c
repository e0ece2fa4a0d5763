/* The daemon's wiring. Kernel events (netlink) update the interface table
 * and reach every engine; ND packets from the packet sockets are parsed once
 * and dispatched; the engines' output goes through one batched send queue. */
#include "daemon/runtime.h"
#include "daemon/instance.h"
#include "daemon/ports.h"
#include "daemon/privdrop.h"
#include "daemon/sdnotify.h"
#include "ctl/ctl.h"
#include "ctl/server.h"
#include "mdns/mdns.h"
#include "ndproxy/ndproxy.h"
#include "net/iftable.h"
#include "net/mcast.h"
#include "net/netlink.h"
#include "net/packet.h"
#include "proto/mld.h"
#include "proto/nd.h"
#include "ra/ra.h"
#include "util/log.h"
#include "util/loop.h"
#include "util/prefault.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define ROUTE_METRIC 1024

struct runtime {
	struct loop *loop;
	struct conf *conf;
	char *conf_path;
	struct nl *nl;
	struct iftable *ifs;
	struct ports ports;
	int tx_fd;
	struct pkt_txq txq;
	struct pkt_rx *rx;
	struct mcast_set mcast;   /* the proxy's solicited-node memberships */
	struct ndp_engine *ndp;
	struct ra_engine *ra;
	struct mdns_reflector *mdns;
	struct ctl_server *ctl;
	struct instance claims;   /* proof of life for other instances */
	char *pidfile;            /* written by us: removed at exit */
	int sig_fd;
	struct loop_timer status_timer;
	uint64_t started_ms, reloads, reload_failures;
	char reload_error[640];   /* why the last reload failed */
	uint64_t rx_packets, rx_truncated;
	uint64_t drops[ND_DROP__MAX];
	struct log_ratelimit rl_drop;
};

/* ---- output ------------------------------------------------------------- */

/* Small packets join the batch; a large one (an RA with many prefixes) goes
 * out on its own, after what is queued so the order on the wire holds. */
static int txq_send(struct runtime *rt, int ifindex, const uint8_t *l2dst, uint8_t halen,
                    const uint8_t *pkt, size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > sizeof(rt->txq.buf[0])) {
		pkt_txq_flush(&rt->txq, rt->tx_fd);
		return pkt_send(rt->tx_fd, ifindex, l2dst, halen, pkt, len);
	}
	uint8_t *slot = pkt_txq_slot(&rt->txq, rt->tx_fd);
	memcpy(slot, pkt, len);
	pkt_txq_commit(&rt->txq, len, ifindex, l2dst, halen);
	return 0;
}

static void op_send_na(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
                       const struct in6_addr *src, const struct in6_addr *dst,
                       const struct in6_addr *target, uint8_t flags, const struct nd_lladdr *tlla)
{
	struct runtime *rt = ctx;
	uint8_t *slot = pkt_txq_slot(&rt->txq, rt->tx_fd);
	size_t len = nd_build_na(slot, sizeof(rt->txq.buf[0]), src, dst, target, flags, tlla);
	if (len)
		pkt_txq_commit(&rt->txq, len, ifindex, l2dst, halen);
}

static void op_send_ns(void *ctx, int ifindex, const struct in6_addr *src,
                       const struct in6_addr *target, const struct nd_lladdr *slla)
{
	struct runtime *rt = ctx;
	bool l3 = !slla || slla->len == 0;
	struct in6_addr dst;
	uint8_t mac[6];
	/* On a link without link-layer addresses (tun, WireGuard, PPP) the NS
	 * goes to the target itself: there is no resolution to do, and tunnels
	 * such as openvpn do not carry the solicited-node multicast. */
	if (l3)
		dst = *target;
	else
		nd_solicited_node(target, &dst);
	nd_mcast_mac(&dst, mac);
	uint8_t *slot = pkt_txq_slot(&rt->txq, rt->tx_fd);
	size_t len = nd_build_ns(slot, sizeof(rt->txq.buf[0]), src, &dst, target, l3 ? NULL : slla, NULL, 0);
	if (len)
		pkt_txq_commit(&rt->txq, len, ifindex, mac, l3 ? 0 : 6);
}

static int op_route_add(void *ctx, const struct in6_addr *target, int ifindex, const struct in6_addr *via)
{
	struct runtime *rt = ctx;
	return nl_route_add(rt->nl, target, 128, ifindex, via, ROUTE_METRIC);
}

static int op_route_del(void *ctx, const struct in6_addr *target, int ifindex, const struct in6_addr *via)
{
	struct runtime *rt = ctx;
	return nl_route_del(rt->nl, target, 128, ifindex, via, ROUTE_METRIC);
}

static int op_route_oif(void *ctx, const struct in6_addr *target)
{
	struct runtime *rt = ctx;
	struct nl_route r;
	return nl_route_get(rt->nl, target, &r) < 0 ? -1 : r.oif;
}

static int op_mcast_join(void *ctx, int ifindex, const struct in6_addr *group)
{
	struct runtime *rt = ctx;
	return mcast_join(&rt->mcast, ifindex, group);
}

static void op_mcast_leave(void *ctx, int slot, int ifindex, const struct in6_addr *group)
{
	struct runtime *rt = ctx;
	(void)mcast_leave(&rt->mcast, slot, ifindex, group);
}

static void op_send_pkt(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
                        const uint8_t *pkt, size_t len)
{
	(void)txq_send(ctx, ifindex, l2dst, halen, pkt, len);
}

static uint64_t op_now_ms(void *ctx)
{
	return clock_ms();
}

static int op_ra_send(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
                      const uint8_t *pkt, size_t len)
{
	return txq_send(ctx, ifindex, l2dst, halen, pkt, len);
}

static void op_ra_host(void *ctx, int upstream_ifindex, int downstream_ifindex,
                       const struct in6_addr *addr, const struct nd_lladdr *ll, bool gone)
{
	struct runtime *rt = ctx;
	char a[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, addr, a, sizeof(a));
	log_info("relay: host %s %s behind ifindex %d", a, gone ? "left" : "learned", downstream_ifindex);
	ndp_engine_learned_host(rt->ndp, upstream_ifindex, downstream_ifindex, addr, gone);
}

static unsigned op_relay_links(void *ctx, int upstream_ifindex, const struct in6_addr *target,
                               int *ifindexes, unsigned max)
{
	struct runtime *rt = ctx;
	return rt->ra ? ra_engine_relay_links(rt->ra, upstream_ifindex, target, ifindexes, max) : 0;
}

static const struct ndp_ops *ndp_ops_for(struct runtime *rt, struct ndp_ops *ops)
{
	*ops = (struct ndp_ops){ .ctx = rt, .send_na = op_send_na, .send_ns = op_send_ns,
	                         .route_add = op_route_add, .route_del = op_route_del,
	                         .route_oif = op_route_oif, .now_ms = op_now_ms,
	                         .relay_links = op_relay_links,
	                         .mcast_join = op_mcast_join, .mcast_leave = op_mcast_leave,
	                         .send_pkt = op_send_pkt };
	return ops;
}

static const struct ra_ops *ra_ops_for(struct runtime *rt, struct ra_ops *ops)
{
	*ops = (struct ra_ops){ .ctx = rt, .send = op_ra_send, .host = op_ra_host, .now_ms = op_now_ms };
	return ops;
}

/* Whatever engines queued in this round (answers, probes sent by timers,
 * periodic RAs) leaves in one sendmmsg. */
static void flush_round(void *ctx)
{
	struct runtime *rt = ctx;
	pkt_txq_flush(&rt->txq, rt->tx_fd);
}

/* ---- packets ------------------------------------------------------------ */

static void on_packets(void *ctx, int fd, uint32_t events)
{
	struct runtime *rt = ctx;
	struct port *port = ports_by_fd(&rt->ports, fd);
	if (!port)
		return;
	int ifindex = port->ifindex;
	/* bounded work per wake-up so one busy link cannot starve the others */
	for (int round = 0; round < 8; round++) {
		int n = pkt_recv_batch(fd, rt->rx);
		if (n <= 0) {
			if (n < 0 && n != -EAGAIN)
				port->rx_errors++;
			break;
		}
		for (int i = 0; i < n; i++) {
			const struct pkt_in *pin = &rt->rx->in[i];
			struct nd_msg m;
			rt->rx_packets++;
			port->rx_packets++;
			if (pin->len == pin->orig_len) {
				/* MLD (listeners downstream) is the proxy's; the rest is ND */
				struct mld_msg mm;
				enum mld_drop mwhy = mld_parse(pin->data, pin->len, &mm);
				if (mwhy != MLD_NOT_MLD) {
					if (rt->ndp)
						ndp_engine_on_mld(rt->ndp, ifindex, &mm, mwhy);
					continue;
				}
			}
			enum nd_drop why = pin->len < pin->orig_len ? ND_DROP_TRUNCATED
			                                            : nd_parse(pin->data, pin->len, &m);
			if (why != ND_OK) {
				rt->drops[why]++;
				if (log_debug_enabled() && log_ratelimit_ok(&rt->rl_drop, 20, 1000))
					log_debug("%s: dropped packet: %s", port->name, nd_drop_name(why));
				continue;
			}
			if (rt->ndp)
				ndp_engine_on_nd(rt->ndp, ifindex, &m, pin);
			if (rt->ra)
				ra_engine_on_nd(rt->ra, ifindex, &m, pin);
		}
		pkt_txq_flush(&rt->txq, rt->tx_fd);
		if (n < PKT_BATCH)
			break;
	}
}

static int port_refresh_one(void *ctx, const struct iface *ifc)
{
	struct runtime *rt = ctx;
	struct port_want w = { 0 };
	if (rt->ndp)
		ndp_engine_wants_iface(rt->ndp, ifc->name, &w.types, &w.allmulti, &w.promisc);
	if (rt->ra) {
		bool am = false;
		if (ra_engine_wants_iface(rt->ra, ifc->name, &am)) {
			w.types |= (1u << (ND_TYPE_RS - 128)) | (1u << (ND_TYPE_RA - 128)) |
			           (1u << (ND_TYPE_NS - 128)) | (1u << (ND_TYPE_NA - 128));
			w.allmulti |= am;
		}
	}
	int opened, closed;
	ports_apply(&rt->ports, ifc->ifindex, ifc->name, &w, &opened, &closed);
	if (closed >= 0)
		loop_del_fd(rt->loop, closed);
	if (opened >= 0) {
		log_info("listening on %s", ifc->name);
		if (loop_add_fd(rt->loop, opened, EPOLLIN, on_packets, rt) < 0)
			log_err("cannot watch %s", ifc->name);
	}
	return 0;
}

/* Open, adjust or close each interface's packet socket to what the engines want. */
static void ports_refresh(struct runtime *rt)
{
	for (size_t i = 0; i < PORTS_MAX; i++) {
		struct port *p = &rt->ports.port[i];
		if (p->fd >= 0 && !iftable_by_index(rt->ifs, p->ifindex)) {
			struct port_want none = { 0 };
			int opened, closed;
			ports_apply(&rt->ports, p->ifindex, p->name, &none, &opened, &closed);
			if (closed >= 0)
				loop_del_fd(rt->loop, closed);
		}
	}
	iftable_foreach(rt->ifs, port_refresh_one, rt);
}

/* ---- kernel events ------------------------------------------------------ */

/* Every engine hears of an interface-table change: the entry and what changed. */
static void on_iface_changed(void *ctx, const struct iface *ifc, unsigned changes)
{
	struct runtime *rt = ctx;
	if (changes & IFACE_GONE)
		log_info("interface %s removed", ifc->name);
	else if (changes & IFACE_NEW)
		log_debug("interface %s (index %d) present", ifc->name, ifc->ifindex);
	else if (changes & IFACE_STATE)
		log_info("interface %s %s%s", ifc->name, ifc->up ? "up" : "down",
		         ifc->up && !ifc->running ? " (no carrier)" : "");
	if (rt->ndp)
		ndp_engine_on_iface(rt->ndp, ifc, changes);
	if (rt->ra)
		ra_engine_on_iface(rt->ra, ifc, changes);
	if (rt->mdns)
		mdns_reflector_on_iface(rt->mdns, ifc, changes);
}

static void on_nl_link(void *ctx, const struct nl_link *l, bool deleted)
{
	struct runtime *rt = ctx;
	if (iftable_on_link(rt->ifs, l, deleted, on_iface_changed, rt) != 0)
		ports_refresh(rt);
}

static void on_nl_addr(void *ctx, const struct nl_addr *a, bool deleted)
{
	struct runtime *rt = ctx;
	struct iface_addr ia;
	iftable_on_addr(rt->ifs, a, deleted, on_iface_changed, rt);
	if (rt->mdns && iftable_addr_of(a, &ia))
		mdns_reflector_on_addr(rt->mdns, &ia, deleted);
}

static void on_nl_neigh(void *ctx, const struct nl_neigh *nl, bool deleted)
{
	struct runtime *rt = ctx;
	struct kneigh n;
	nl_neigh_view(nl, &n);
	if (rt->ndp)
		ndp_engine_on_neigh(rt->ndp, &n, deleted);
	if (rt->ra)
		ra_engine_on_neigh(rt->ra, &n, deleted);
}

static void on_nl_route(void *ctx, const struct nl_route *nl, bool deleted)
{
	struct runtime *rt = ctx;
	struct kroute r;
	nl_route_view(nl, &r);
	if (rt->ndp)
		ndp_engine_on_route(rt->ndp, &r, deleted);
}

static void on_nl_resync_begin(void *ctx)
{
	struct runtime *rt = ctx;
	iftable_resync_begin(rt->ifs);
}

static void on_nl_resynced(void *ctx)
{
	struct runtime *rt = ctx;
	log_warn("netlink events were lost; state re-read from the kernel");
	iftable_resync_end(rt->ifs, on_iface_changed, rt);
	ports_refresh(rt);
}

static void on_netlink(void *ctx, int fd, uint32_t events)
{
	struct runtime *rt = ctx;
	nl_process_events(rt->nl);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Routes a crashed instance with this configuration may have left: ours
 * (protocol 73), /128, inside a prefix of an autowire proxy rule or on a relay
 * downstream. Other instances' routes elsewhere are left alone. */
static bool route_is_leftover(void *ctx, const struct nl_route *r)
{
	struct runtime *rt = ctx;
	if (r->plen != 128)
		return false;
	for (size_t pi = 0; pi < rt->conf->n_proxies; pi++) {
		const struct conf_proxy *p = &rt->conf->proxies[pi];
		if (!p->autowire)
			continue;
		for (size_t ri = 0; ri < p->n_rules; ri++)
			if (nd_prefix_match(&r->dst, &p->rules[ri].prefix, p->rules[ri].plen))
				return true;
	}
	const struct iface *ifc = iftable_by_index(rt->ifs, r->oif);
	for (size_t i = 0; ifc && i < rt->conf->n_relays; i++)
		for (size_t d = 0; d < rt->conf->relays[i].n_downstream; d++)
			if (strcmp(rt->conf->relays[i].downstream[d], ifc->name) == 0)
				return true;
	return false;
}

/* ---- control ------------------------------------------------------------ */

static void dump_status(struct runtime *rt, struct ctl_out *o)
{
	uint64_t up = clock_ms() - rt->started_ms;
	if (o->json) {
		ctl_printf(o, "{\"version\":\"%s\",\"pid\":%ld,\"uptime_ms\":%llu,\"config\":", ISLANDD_VERSION,
		           (long)getpid(), (unsigned long long)up);
		ctl_json_str(o, rt->conf_path);
		ctl_printf(o, ",\"reloads\":%llu,\"reload_failures\":%llu,\"sessions\":%u,\"proxies\":[",
		           (unsigned long long)rt->reloads, (unsigned long long)rt->reload_failures,
		           rt->ndp ? ndp_engine_session_count(rt->ndp) : 0);
	} else {
		char ups[16];
		ctl_fmt_duration(ups, sizeof(ups), (long long)up);
		ctl_printf(o, "islandd %s, pid %ld, up %s, config %s (%llu %s, %llu failed)\n",
		           ISLANDD_VERSION, (long)getpid(), ups, rt->conf_path, (unsigned long long)rt->reloads,
		           plural(rt->reloads, "reload", "reloads"), (unsigned long long)rt->reload_failures);
		ctl_printf(o, "sessions: %u\n\n%-10s %-6s %-7s %-44s %-8s %s\n", rt->ndp ? ndp_engine_session_count(rt->ndp) : 0,
		           "PROXY", "STATE", "ROUTER", "RULE", "METHOD", "IFACE");
	}
	static const char *const methods[] = { "static", "iface", "auto" };
	for (size_t pi = 0; pi < rt->conf->n_proxies; pi++) {
		const struct conf_proxy *p = &rt->conf->proxies[pi];
		const struct iface *ifc = iftable_by_name(rt->ifs, p->iface);
		const char *st = !ifc ? "absent" : ifc->up ? "up" : "down";
		if (o->json) {
			ctl_printf(o, "%s{\"iface\":", pi ? "," : "");
			ctl_json_str(o, p->iface);
			ctl_printf(o, ",\"state\":\"%s\",\"router\":%s,\"autowire\":%s,\"rules\":[", st,
			           p->router ? "true" : "false", p->autowire ? "true" : "false");
		}
		for (size_t ri = 0; ri < p->n_rules; ri++) {
			const struct conf_rule *r = &p->rules[ri];
			char a[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN + 5];
			inet_ntop(AF_INET6, &r->prefix, a, sizeof(a));
			snprintf(pfx, sizeof(pfx), "%s/%u", a, r->plen);
			const char *down = r->method == RULE_IFACE ? r->iface : "";
			const struct iface *d = r->method == RULE_IFACE ? iftable_by_name(rt->ifs, down) : NULL;
			if (o->json) {
				ctl_printf(o, "%s{\"prefix\":\"%s\",\"method\":\"%s\",\"iface\":", ri ? "," : "", pfx,
				           methods[r->method]);
				ctl_json_str(o, r->method == RULE_IFACE ? down : NULL);
				ctl_printf(o, ",\"iface_state\":");
				ctl_json_str(o, r->method != RULE_IFACE ? NULL : !d ? "absent" : d->up ? "up" : "down");
				ctl_printf(o, "}");
			} else {
				char dn[IF_NAMESIZE + 12] = "-";
				if (r->method == RULE_IFACE)
					snprintf(dn, sizeof(dn), "%s (%s)", down, !d ? "absent" : d->up ? "up" : "down");
				ctl_printf(o, "%-10s %-6s %-7s %-44s %-8s %s\n", ri ? "" : p->iface, ri ? "" : st,
				           ri ? "" : (p->router ? "yes" : "no"), pfx, methods[r->method], dn);
			}
		}
		if (o->json)
			ctl_printf(o, "]}");
	}
	if (o->json) {
		ctl_printf(o, "],\"ports\":[");
		bool first = true;
		for (size_t i = 0; i < PORTS_MAX; i++) {
			const struct port *p = &rt->ports.port[i];
			if (p->fd < 0)
				continue;
			ctl_printf(o, "%s{\"iface\":", first ? "" : ",");
			ctl_json_str(o, p->name);
			ctl_printf(o, ",\"rx_packets\":%llu,\"allmulti\":%s}", (unsigned long long)p->rx_packets,
			           p->allmulti ? "true" : "false");
			first = false;
		}
		ctl_printf(o, "],\"mdns\":%s,\"ra\":%s}\n", rt->mdns ? "true" : "false", rt->ra ? "true" : "false");
	} else {
		ctl_printf(o, "\nlistening on:");
		for (size_t i = 0; i < PORTS_MAX; i++)
			if (rt->ports.port[i].fd >= 0)
				ctl_printf(o, " %s", rt->ports.port[i].name);
		ctl_printf(o, "\nmdns reflector: %s, router advertisements: %s\n", rt->mdns ? "on" : "off",
		           rt->ra ? "on" : "off");
	}
}

static void dump_stats(struct runtime *rt, struct ctl_out *o)
{
	const struct ctl_server_stats *cs = ctl_server_stats(rt->ctl);
	if (o->json) {
		ctl_printf(o, "{\"counters\":{\"ctl_accepted\":%llu,\"ctl_evicted\":%llu,\"ctl_expired\":%llu,"
		           "\"ctl_refused\":%llu,\"rx_packets\":%llu",
		           (unsigned long long)cs->accepted, (unsigned long long)cs->evicted,
		           (unsigned long long)cs->expired, (unsigned long long)cs->refused,
		           (unsigned long long)rt->rx_packets);
	} else {
		ctl_printf(o, "control socket:\n  %-22s %llu\n  %-22s %llu\n  %-22s %llu\n  %-22s %llu\n",
		           "ctl_accepted", (unsigned long long)cs->accepted, "ctl_evicted",
		           (unsigned long long)cs->evicted, "ctl_expired", (unsigned long long)cs->expired,
		           "ctl_refused", (unsigned long long)cs->refused);
		ctl_printf(o, "packets:\n  %-22s %llu\n", "rx_packets", (unsigned long long)rt->rx_packets);
	}
	for (int i = 1; i < ND_DROP__MAX; i++) {
		if (o->json)
			ctl_printf(o, ",\"drop_%s\":%llu", nd_drop_name((enum nd_drop)i), (unsigned long long)rt->drops[i]);
		else
			ctl_printf(o, "  drop_%-17s %llu\n", nd_drop_name((enum nd_drop)i), (unsigned long long)rt->drops[i]);
	}
	if (rt->ndp) {
		if (o->json)
			ctl_printf(o, ",");
		else
			ctl_printf(o, "ndp proxy:\n");
		ndp_engine_dump_counters(rt->ndp, o);
	}
	if (o->json)
		ctl_printf(o, "}}\n");
}

static void reload(struct runtime *rt);

/* systemctl status shows this line; refreshed every 5 s */
static void status_tick(void *ctx)
{
	struct runtime *rt = ctx;
	const struct ndp_counters *c = rt->ndp ? ndp_engine_counters(rt->ndp) : NULL;
	sdnotify_status("%u sessions, %llu NS answered, %llu routes; %zu %s, mdns %s, ra %s",
	                rt->ndp ? ndp_engine_session_count(rt->ndp) : 0u,
	                c ? (unsigned long long)c->tx_na : 0ULL,
	                c ? (unsigned long long)(c->route_added - c->route_removed) : 0ULL,
	                rt->conf->n_proxies, plural(rt->conf->n_proxies, "proxy", "proxies"),
	                rt->mdns ? "on" : "off", rt->ra ? "on" : "off");
	loop_timer_in(rt->loop, &rt->status_timer, 5000, status_tick, rt);
}

static int ctl_handle(void *ctx, const struct ctl_request *req, struct ctl_out *o)
{
	struct runtime *rt = ctx;
	if (strcmp(req->command, "status") == 0) {
		dump_status(rt, o);
	} else if (strcmp(req->command, "sessions") == 0) {
		ndp_engine_dump_sessions(rt->ndp, o);
	} else if (strcmp(req->command, "routes") == 0) {
		ndp_engine_dump_routes(rt->ndp, o);
	} else if (strcmp(req->command, "stats") == 0) {
		dump_stats(rt, o);
	} else if (strcmp(req->command, "mdns") == 0) {
		if (rt->mdns)
			mdns_reflector_dump(rt->mdns, o);
		else
			ctl_printf(o, o->json ? "{\"mdns\":null}\n" : "no mdns block in the configuration\n");
	} else if (strcmp(req->command, "ra") == 0) {
		if (rt->ra)
			ra_engine_dump(rt->ra, o);
		else
			ctl_printf(o, o->json ? "{\"ra\":null}\n" : "no ra or ra-relay block in the configuration\n");
	} else if (strcmp(req->command, "config") == 0) {
		/* what islandctl doctor checks: the file this daemon runs */
		if (o->json) {
			ctl_printf(o, "{\"config\":");
			ctl_json_str(o, rt->conf_path);
			ctl_printf(o, "}\n");
		} else {
			ctl_printf(o, "%s\n", rt->conf_path);
		}
	} else if (strcmp(req->command, "reload") == 0) {
		uint64_t failures = rt->reload_failures;
		reload(rt);
		if (rt->reload_failures == failures) {
			ctl_printf(o, o->json ? "{\"reloaded\":true}\n" : "reloaded %s\n", rt->conf_path);
		} else if (o->json) {
			ctl_printf(o, "{\"error\":");
			ctl_json_str(o, rt->reload_error);
			ctl_printf(o, ",\"reloaded\":false}\n");
		} else {
			ctl_printf(o, "error: reload failed, the running configuration stays: %s\n", rt->reload_error);
		}
	} else {
		return -1;
	}
	return 0;
}

/* ---- life cycle --------------------------------------------------------- */

static bool conf_has_ra(const struct conf *c)
{
	return c->n_ras > 0 || c->n_relays > 0;
}

struct missing_ctx {
	struct runtime *rt;
	const struct conf *conf;
};

static void warn_missing_iface(void *vctx, const char *ifname, const char *role, struct conf_pos pos)
{
	struct missing_ctx *m = vctx;
	if (!iftable_by_name(m->rt->ifs, ifname))
		log_warn("%s:%u:%u: interface %s (%s) does not exist now; islandd uses it when it appears",
		         m->conf->path, pos.line, pos.col, ifname, role);
}

/* A typo in an interface name loads fine (interfaces may come later): say so
 * at load and reload, not only in `islandctl status`. */
static void warn_missing_ifaces(struct runtime *rt, const struct conf *conf)
{
	struct missing_ctx m = { rt, conf };
	conf_foreach_iface(conf, warn_missing_iface, &m);
}

static void on_claim_probe(void *ctx, int fd, uint32_t events)
{
	instance_drain(fd);
}

static void claim_closing(void *ctx, int fd)
{
	struct runtime *rt = ctx;
	loop_del_fd(rt->loop, fd);
}

/* Watch the claims taken from index `from` on, so probes are drained. */
static void claims_watch(struct runtime *rt, size_t from)
{
	for (size_t i = from; i < rt->claims.n; i++)
		if (loop_add_fd(rt->loop, rt->claims.fds[i], EPOLLIN, on_claim_probe, rt) < 0)
			log_warn("cannot watch an instance claim: %s", strerror(errno));
}

static void reload_config(struct runtime *rt)
{
	struct conf *conf;
	struct conf_error err;
	if (conf_load(rt->conf_path, &conf, &err) < 0) {
		char msg[600];
		conf_error_format(&err, msg, sizeof(msg));
		log_err("reload failed, keeping the running configuration: %s", msg);
		snprintf(rt->reload_error, sizeof(rt->reload_error), "%s", msg);
		rt->reload_failures++;
		return;
	}
	for (size_t i = 0; i < conf->n_warnings; i++)
		log_warn("%s", conf->warnings[i]);
	/* interfaces the new configuration adds must not be another instance's */
	char why[256];
	size_t claimed = rt->claims.n;
	if (instance_claim_more(&rt->claims, conf, why, sizeof(why)) < 0) {
		log_err("reload failed, keeping the running configuration: %s", why);
		snprintf(rt->reload_error, sizeof(rt->reload_error), "%s", why);
		conf_free(conf);
		rt->reload_failures++;
		return;
	}
	claims_watch(rt, claimed);
	warn_missing_ifaces(rt, conf);
	struct ndp_ops nops;
	struct ndp_engine *ndp = ndp_engine_new(rt->loop, conf, rt->ifs, ndp_ops_for(rt, &nops));
	if (!ndp) {
		log_err("reload failed: out of memory; keeping the running configuration");
		snprintf(rt->reload_error, sizeof(rt->reload_error), "out of memory");
		conf_free(conf);
		rt->reload_failures++;
		return;
	}
	unsigned before = ndp_engine_session_count(rt->ndp);
	size_t old_proxies = rt->conf->n_proxies;
	unsigned kept = ndp_engine_take_over(ndp, rt->ndp);
	rt->ndp = ndp;

	if (rt->ra && conf_has_ra(conf)) {
		ra_engine_reload(rt->ra, conf);
	} else if (rt->ra) {
		ra_engine_shutdown(rt->ra);
		ra_engine_free(rt->ra);
		rt->ra = NULL;
	} else if (conf_has_ra(conf)) {
		struct ra_ops rops;
		rt->ra = ra_engine_new(rt->loop, conf, rt->ifs, ra_ops_for(rt, &rops));
	}
	if (rt->mdns && conf->mdns) {
		mdns_reflector_reload(rt->mdns, conf->mdns);
	} else if (rt->mdns) {
		mdns_reflector_free(rt->mdns);
		rt->mdns = NULL;
	} else if (conf->mdns) {
		rt->mdns = mdns_reflector_new(rt->loop, conf->mdns);
		if (!rt->mdns)
			log_err("mdns reflector: %s", strerror(errno));
	}
	loop_set_batch_interval(rt->loop, conf->batch_interval_us);
	instance_release_unused(&rt->claims, conf, claim_closing, rt);
	conf_free(rt->conf);
	rt->conf = conf;
	rt->reloads++;
	/* the new engines learn what the kernel knows (neighbours, addresses) */
	nl_dump_all(rt->nl);
	ports_refresh(rt);
	pkt_txq_flush(&rt->txq, rt->tx_fd);
	log_info("configuration reloaded from %s: %zu %s (were %zu), %u of %u sessions kept, mdns %s, ra %s",
	         rt->conf_path, conf->n_proxies, plural(conf->n_proxies, "proxy", "proxies"), old_proxies, kept,
	         before, rt->mdns ? "on" : "off", rt->ra ? "on" : "off");
}

/* systemd sees the reload begin and end, whether it worked or not */
static void reload(struct runtime *rt)
{
	sdnotify_reloading();
	reload_config(rt);
	sdnotify_ready();
	status_tick(rt);
}

static void on_signal(void *ctx, int fd, uint32_t events)
{
	struct runtime *rt = ctx;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: reloading %s", rt->conf_path);
			reload(rt);
		} else {
			log_info("%s: shutting down", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			sdnotify_stopping();
			loop_stop(rt->loop);
		}
	}
}

static int write_pidfile(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	ssize_t w = write(fd, buf, (size_t)n);
	int err = w < 0 ? errno : EIO;
	if (close(fd) < 0 && w == n)
		return -errno;
	return w == n ? 0 : -err;
}

struct runtime *runtime_new(struct conf *conf, const char *conf_path, const char *sock_path,
                            const char *pidfile, const char *user)
{
	struct runtime *rt = calloc(1, sizeof(*rt));
	if (!rt) {
		conf_free(conf);
		return NULL;
	}
	/* Large, short-lived buffers (a long islandctl reply) come from mmap and
	 * go back to the kernel when freed: a fixed threshold stops glibc from
	 * raising it after the first one and keeping the memory afterwards. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	rt->conf = conf;
	rt->tx_fd = -1;
	rt->sig_fd = -1;
	rt->started_ms = clock_ms();
	ports_init(&rt->ports);
	mcast_init(&rt->mcast);
	for (size_t i = 0; i < conf->n_warnings; i++)
		log_warn("%s", conf->warnings[i]);
	/* Before anything is touched: another live instance on these interfaces
	 * or this socket means we are the mistake, not it. */
	char why[256];
	if (instance_claim(&rt->claims, conf, sock_path, why, sizeof(why)) < 0) {
		log_err("%s: not starting", why);
		goto fail;
	}
	if (pidfile) {
		int err = write_pidfile(pidfile);
		if (err < 0) {
			log_err("cannot write pidfile %s: %s", pidfile, strerror(-err));
			goto fail;
		}
		rt->pidfile = strdup(pidfile);
		if (!rt->pidfile) {
			unlink(pidfile);
			log_err("out of memory");
			goto fail;
		}
	}
	rt->conf_path = strdup(conf_path);
	rt->rx = malloc(sizeof(*rt->rx));
	rt->loop = loop_new();
	rt->ifs = iftable_new(256);
	if (!rt->conf_path || !rt->rx || !rt->loop || !rt->ifs) {
		log_err("out of memory");
		goto fail;
	}
	claims_watch(rt, 0);
	mem_prefault(rt->rx, sizeof(*rt->rx)); /* resident now, not when the first full batch arrives */

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	rt->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (rt->sig_fd < 0 || loop_add_fd(rt->loop, rt->sig_fd, EPOLLIN, on_signal, rt) < 0) {
		log_err("signalfd: %s", strerror(errno));
		goto fail;
	}

	loop_set_after_round(rt->loop, flush_round, rt);
	loop_set_batch_interval(rt->loop, conf->batch_interval_us);
	rt->tx_fd = pkt_open_tx();
	if (rt->tx_fd < 0) {
		log_err("cannot open a packet socket: %s (islandd needs CAP_NET_RAW)", strerror(-rt->tx_fd));
		goto fail;
	}
	struct nl_observer obs = { .ctx = rt, .link = on_nl_link, .addr = on_nl_addr,
	                           .neigh = on_nl_neigh, .route = on_nl_route, .resynced = on_nl_resynced,
	                           .resync_begin = on_nl_resync_begin };
	int rc = nl_open(&rt->nl, &obs);
	if (rc < 0) {
		log_err("netlink: %s", strerror(-rc));
		goto fail;
	}
	if (loop_add_fd(rt->loop, nl_event_fd(rt->nl), EPOLLIN, on_netlink, rt) < 0)
		goto fail;

	struct ndp_ops nops;
	rt->ndp = ndp_engine_new(rt->loop, conf, rt->ifs, ndp_ops_for(rt, &nops));
	if (!rt->ndp) {
		log_err("cannot create the NDP proxy: out of memory");
		goto fail;
	}
	/* learn interfaces first, so leftover routes can be matched by name */
	rc = nl_dump_all(rt->nl);
	if (rc < 0) {
		log_err("netlink dump: %s", strerror(-rc));
		goto fail;
	}
	warn_missing_ifaces(rt, conf);
	pid_t others[4];
	size_t n_others = instance_others(others, 4);
	if (n_others > 0) {
		/* its routes look like leftovers of ours: leave every one alone */
		log_info("another islandd (pid %ld) runs in this network namespace: routes of protocol %d "
		         "are not cleaned up", (long)others[0], ISLANDD_RTPROT);
	} else {
		int removed = nl_route_flush(rt->nl, route_is_leftover, rt);
		if (removed > 0)
			log_info("removed %d %s left by an earlier instance", removed,
			         plural((size_t)removed, "route", "routes"));
	}
	ndp_engine_prime(rt->ndp);
	if (conf_has_ra(conf)) {
		struct ra_ops rops;
		rt->ra = ra_engine_new(rt->loop, conf, rt->ifs, ra_ops_for(rt, &rops));
		if (!rt->ra)
			log_err("router advertisements: %s", strerror(errno));
	}
	if (conf->mdns) {
		rt->mdns = mdns_reflector_new(rt->loop, conf->mdns);
		if (!rt->mdns)
			log_err("mdns reflector: %s", strerror(errno));
	}
	if (rt->ra || rt->mdns)
		nl_dump_all(rt->nl); /* they need interfaces and addresses too */
	ports_refresh(rt);

	rt->ctl = ctl_server_new(rt->loop, sock_path, ctl_handle, rt);
	if (!rt->ctl) {
		log_err("control socket %s: %s", sock_path, strerror(errno));
		goto fail;
	}
	/* everything that needs root is open: keep CAP_NET_RAW and CAP_NET_ADMIN only */
	rc = privdrop(user);
	if (rc < 0) {
		log_err("cannot drop privileges: %s", strerror(-rc));
		goto fail;
	}
	log_info("islandd %s running: %zu %s, %s, %s", ISLANDD_VERSION, conf->n_proxies,
	         plural(conf->n_proxies, "proxy", "proxies"), rt->mdns ? "mdns reflector on" : "no mdns",
	         rt->ra ? "router advertisements on" : "no ra");
	return rt;
fail:
	runtime_free(rt);
	return NULL;
}

int runtime_run(struct runtime *rt)
{
	status_tick(rt);
	sdnotify_ready();
	int rc = loop_run(rt->loop);
	if (rc < 0) {
		log_err("event loop: %s", strerror(-rc));
		return 1;
	}
	return 0;
}

void runtime_free(struct runtime *rt)
{
	if (!rt)
		return;
	if (rt->ra) {
		ra_engine_shutdown(rt->ra);
		pkt_txq_flush(&rt->txq, rt->tx_fd);
		ra_engine_free(rt->ra);
		rt->ra = NULL; /* the NDP engine asks it for relay links */
	}
	if (rt->mdns)
		mdns_reflector_free(rt->mdns);
	if (rt->ndp) {
		unsigned n = ndp_engine_counters(rt->ndp)->route_added - ndp_engine_counters(rt->ndp)->route_removed;
		ndp_engine_free(rt->ndp);
		if (n)
			log_info("removed %u %s", n, plural(n, "route", "routes"));
	}
	ctl_server_free(rt->ctl);
	mcast_close_all(&rt->mcast);
	if (rt->loop)
		instance_release(&rt->claims, claim_closing, rt);
	else
		instance_release(&rt->claims, NULL, NULL);
	if (rt->pidfile) {
		unlink(rt->pidfile);
		free(rt->pidfile);
	}
	ports_close_all(&rt->ports);
	if (rt->nl)
		nl_close(rt->nl);
	if (rt->tx_fd >= 0)
		close(rt->tx_fd);
	if (rt->sig_fd >= 0)
		close(rt->sig_fd);
	iftable_free(rt->ifs);
	loop_free(rt->loop);
	conf_free(rt->conf);
	free(rt->rx);
	free(rt->conf_path);
	free(rt);
}
