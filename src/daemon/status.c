/* The daemon's control views: every reply is one JSON document written
 * with util/json.h; islandctl renders the tables people read from it. The
 * runtime's state is read through a status_view so the rendering lives
 * apart from the wiring. */
#include "daemon/status.h"
#include "ctl/server.h"
#include "daemon/pd_adapter.h"
#include "daemon/subd_adapter.h"
#include "daemon/dhcp6relay_adapter.h"
#include "dhcp4relay/dhcp4relay.h"
#include "mdns/mdns.h"
#include "ndproxy/ndproxy.h"
#include "daemon/arp_adapter.h"
#include "net/http_listen.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/nd.h"
#include "proxy/proxy_engine.h"
#include "ra/ra.h"
#include "util/json.h"
#include "util/loop.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *iface_state(const struct iface *ifc)
{
	return !ifc ? "absent" : ifc->up ? "up" : "down";
}

/* Each interface pattern of the configuration and what it covers now
 * (upstreams never, but for mdns, which has none: a pattern skips them). */
struct pattern_dump {
	const struct status_view *v;
	struct json *j;
	const char *pattern, *role;
};

static int dump_pattern_match(void *ctx, const struct iface *ifc)
{
	struct pattern_dump *d = ctx;
	if (conf_iface_matches(d->pattern, ifc->name) &&
	    (strcmp(d->role, "mdns") == 0 || !conf_iface_is_upstream(d->v->conf, ifc->name)))
		json_str(d->j, ifc->name);
	return 0;
}

static void dump_pattern(void *ctx, const char *ifname, const char *role, struct conf_pos pos)
{
	struct pattern_dump *d = ctx;
	if (!conf_iface_is_pattern(ifname))
		return;
	d->pattern = ifname;
	d->role = role;
	json_obj(d->j);
	json_kstr(d->j, "pattern", ifname);
	json_kstr(d->j, "role", role);
	json_ku64(d->j, "line", pos.line);
	json_karr(d->j, "matches");
	iftable_foreach(d->v->ifs, dump_pattern_match, d);
	json_arr_end(d->j);
	json_obj_end(d->j);
}

/* The ND packet sockets open now; status also says which take all multicast. */
static void dump_ports(const struct status_view *v, struct json *j, bool with_allmulti)
{
	json_karr(j, "ports");
	for (size_t i = 0; i < PORTS_MAX; i++) {
		const struct port *p = &v->ports->port[i];
		if (p->fd < 0)
			continue;
		json_obj(j);
		json_kstr(j, "iface", p->name);
		json_ku64(j, "rx_packets", p->rx_packets);
		json_ku64(j, "rx_errors", p->rx_errors);
		if (with_allmulti)
			json_kbool(j, "allmulti", p->allmulti);
		json_obj_end(j);
	}
	json_arr_end(j);
}

/* One proxy block's rules of one family, as islandctl status lists them. */
static void dump_proxy(const struct status_view *v, struct json *j, const struct conf_proxy *p, bool ipv4)
{
	static const char *const methods[] = { "static", "iface", "auto" };
	json_obj(j);
	json_kstr(j, "iface", p->iface);
	json_kstr(j, "family", ipv4 ? "ipv4" : "ipv6");
	json_kstr(j, "state", iface_state(iftable_by_name(v->ifs, p->iface)));
	json_kbool(j, "router", p->router);
	json_kbool(j, "autowire", p->autowire);
	json_karr(j, "rules");
	for (size_t ri = 0; ri < p->n_rules; ri++) {
		const struct conf_rule *r = &p->rules[ri];
		char a[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN + 5];
		if (ipv4) {
			inet_ntop(AF_INET, &r->prefix.s6_addr[12], a, sizeof(a));
			snprintf(pfx, sizeof(pfx), "%s/%u", a, r->plen >= 96 ? r->plen - 96u : 0u);
		} else {
			inet_ntop(AF_INET6, &r->prefix, a, sizeof(a));
			snprintf(pfx, sizeof(pfx), "%s/%u", a, r->plen);
		}
		bool by_iface = r->method == RULE_IFACE;
		json_obj(j);
		json_kstr(j, "prefix", pfx);
		json_kstr(j, "method", methods[r->method]);
		json_kstr(j, "iface", by_iface ? r->iface : NULL);
		json_kstr(j, "iface_state", by_iface ? iface_state(iftable_by_name(v->ifs, r->iface)) : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* islandctl status */
static void dump_status(const struct status_view *v, struct json *j)
{
	json_kstr(j, "version", ISLANDD_VERSION);
	json_ki64(j, "pid", (long)getpid());
	json_ku64(j, "uptime_ms", clock_ms() - v->started_ms);
	json_kstr(j, "config", v->conf_path);
	json_ku64(j, "reloads", v->reloads);
	json_ku64(j, "reload_failures", v->reload_failures);
	json_ku64(j, "loop_wakeups", v->loop_wakeups);
	json_ku64(j, "sessions", (v->ndp ? ndp_engine_session_count(v->ndp) : 0) +
	                         (v->arp ? arp_engine_session_count(arp_adapter_engine(v->arp)) : 0));
	json_karr(j, "proxies");
	for (size_t pi = 0; pi < v->conf->n_proxies; pi++)
		dump_proxy(v, j, &v->conf->proxies[pi], false);
	for (size_t pi = 0; pi < v->conf->n_arp_proxies; pi++)
		dump_proxy(v, j, &v->conf->arp_proxies[pi], true); /* proxy ARP: the IPv4 rules */
	json_arr_end(j);
	json_karr(j, "patterns");
	struct pattern_dump pd = { .v = v, .j = j };
	conf_foreach_iface(v->conf, dump_pattern, &pd);
	json_arr_end(j);
	dump_ports(v, j, true);
	json_kbool(j, "mdns", v->mdns != NULL);
	json_kbool(j, "ra", v->ra != NULL);
}

/* islandctl stats: the flat "counters" object scripts read, then the
 * kernel-facing counters by source. */
static void dump_stats(const struct status_view *v, struct json *j)
{
	const struct ctl_server_stats *cs = ctl_server_stats(v->ctl);
	uint64_t rx_errors = 0;
	for (size_t i = 0; i < PORTS_MAX; i++)
		if (v->ports->port[i].fd >= 0)
			rx_errors += v->ports->port[i].rx_errors;
	json_kobj(j, "counters");
	json_ku64(j, "ctl_accepted", cs->accepted);
	json_ku64(j, "ctl_evicted", cs->evicted);
	json_ku64(j, "ctl_expired", cs->expired);
	json_ku64(j, "ctl_refused", cs->refused);
	json_ku64(j, "rx_packets", v->rx_packets);
	json_ku64(j, "rx_errors", rx_errors);
	for (int i = 1; i < ND_DROP__MAX; i++) {
		char key[48];
		snprintf(key, sizeof(key), "drop_%s", nd_drop_name((enum nd_drop)i));
		json_ku64(j, key, v->drops[i]);
	}
	if (v->ndp)
		ndp_engine_dump_counters(v->ndp, j);
	json_obj_end(j);
	if (v->arp) {
		json_kobj(j, "arp");
		arp_adapter_dump_counters(v->arp, j);
		json_obj_end(j);
	}
	if (v->nl) {
		struct nl_stats ns;
		nl_get_stats(v->nl, &ns);
		json_kobj(j, "netlink");
		json_ku64(j, "objects", ns.objects);
		json_ku64(j, "ignored", ns.ignored);
		json_ku64(j, "malformed", ns.malformed);
		json_ku64(j, "overruns", ns.overruns);
		json_ku64(j, "resyncs", ns.resyncs);
		json_obj_end(j);
	}
	if (v->metrics) {
		json_kobj(j, "metrics");
		json_ku64(j, "accepted", v->metrics->accepted);
		json_ku64(j, "requests", v->metrics->requests);
		json_ku64(j, "bad_requests", v->metrics->bad_requests);
		json_ku64(j, "timeouts", v->metrics->timeouts);
		json_ku64(j, "not_found", v->metrics->not_found);
		json_ku64(j, "not_allowed", v->metrics->not_allowed);
		json_ku64(j, "too_big", v->metrics->too_big);
		json_obj_end(j);
	}
	if (v->pd)
		pd_adapter_dump_counters(v->pd, j);
	if (v->dhcp4) {
		json_kobj(j, "dhcp4");
		dhcp4_engine_dump_counters(v->dhcp4, j);
		json_obj_end(j);
	}
	dump_ports(v, j, false);
}

int status_ctl(const struct status_view *v, const char *command, struct ctl_out *o)
{
	struct json j;
	json_init(&j, o);
	json_obj(&j);
	if (strcmp(command, "status") == 0) {
		dump_status(v, &j);
	} else if (strcmp(command, "sessions") == 0) {
		json_karr(&j, "sessions");
		proxy_core_dump_sessions(ndp_engine_core(v->ndp), &j);
		if (v->arp)
			proxy_core_dump_sessions(arp_engine_core(arp_adapter_engine(v->arp)), &j);
		json_arr_end(&j);
	} else if (strcmp(command, "routes") == 0) {
		json_karr(&j, "routes");
		proxy_core_dump_routes(ndp_engine_core(v->ndp), &j);
		if (v->arp)
			proxy_core_dump_routes(arp_engine_core(arp_adapter_engine(v->arp)), &j);
		json_arr_end(&j);
	} else if (strcmp(command, "stats") == 0) {
		dump_stats(v, &j);
	} else if (strcmp(command, "mdns") == 0) {
		if (v->mdns)
			mdns_reflector_dump(v->mdns, &j);
		else
			json_knull(&j, "mdns");
	} else if (strcmp(command, "ra") == 0) {
		if (v->ra)
			ra_engine_dump(v->ra, &j);
		else
			json_knull(&j, "ra");
	} else if (strcmp(command, "pd") == 0) {
		if (v->pd) {
			pd_adapter_dump(v->pd, &j);
			subd_adapter_dump(v->subd, &j); /* the per-link /64s, deprecated prefixes, hook */
		} else {
			json_knull(&j, "pd");
		}
	} else if (strcmp(command, "island") == 0) {
		dhcp6relay_adapter_dump(v->island, &j);
	} else if (strcmp(command, "dhcp") == 0) {
		if (v->dhcp4)
			dhcp4_engine_dump(v->dhcp4, &j);
		else
			json_knull(&j, "dhcp");
	} else if (strcmp(command, "config") == 0) {
		/* what islandctl doctor checks: the file this daemon runs */
		json_kstr(&j, "config", v->conf_path);
	} else {
		return -1;
	}
	json_obj_end(&j);
	json_end(&j);
	return 0;
}

void status_reload_reply(const struct status_view *v, const char *error, bool reloaded, struct ctl_out *o)
{
	struct json j;
	json_init(&j, o);
	json_obj(&j);
	if (error) /* "error" first: islandctl exits 1 on it */
		json_kstr(&j, "error", error);
	json_kbool(&j, "reloaded", reloaded);
	json_kstr(&j, "config", v->conf_path);
	json_obj_end(&j);
	json_end(&j);
}
