/* The DHCPv4 relay engine: see dhcp4relay.h. */
#include "dhcp4relay/dhcp4relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/iftable.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/log.h"
#include "util/loop.h"

#define MAX_ISLAND_LINKS 64   /* island interfaces present at once */

static const uint8_t broadcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* One dhcp4-relay block, copied from the configuration. */
struct relay {
	char upstream[IF_NAMESIZE];
	size_t n_ifaces;
	char ifaces[CONF_MAX_DHCP4_IFACES][IF_NAMESIZE];
	size_t n_servers;
	struct in_addr servers[CONF_MAX_DHCP4_SERVERS];
	enum conf_dhcp4_mode conf_mode;
	bool option82, learn_hosts;
	/* state */
	int upstream_ifindex;             /* 0: absent */
	enum conf_dhcp4_mode mode;        /* RELAY or FORWARD: what is done now */
	char why[160];
	uint64_t first_unanswered_ms;     /* 0: every relayed request answered */
	uint32_t n_unanswered;
	uint64_t last_reply_ms;
};

/* An exchange in flight: where the answer to (xid, chaddr) goes. */
struct pending {
	bool used, forwarded;
	uint8_t relay;
	uint8_t chaddr[6];
	uint16_t client_flags;
	uint32_t xid;
	int island_ifindex;
	uint64_t at_ms;
};

struct lease {
	bool used, learn;                 /* learn: reported to ops->host */
	uint8_t relay;
	int upstream_ifindex;             /* as reported when learned */
	uint8_t mac[6];
	struct in_addr addr;
	int island_ifindex;
	uint64_t expires_ms;
};

struct island_link {
	int ifindex;
	uint8_t relay;
	char name[IF_NAMESIZE];
};

struct dhcp4_engine {
	struct loop *loop;
	const struct iftable *ifs;
	struct dhcp4_ops ops;
	struct hash_key key;
	size_t n_relays;
	struct relay relays[CONF_MAX_DHCP4_RELAYS];
	size_t n_islands;
	struct island_link islands[MAX_ISLAND_LINKS];
	struct pending pending[DHCP4_PENDING_SETS][DHCP4_WAYS];
	struct lease leases[DHCP4_LEASE_SETS][DHCP4_WAYS];
	size_t n_pending, n_leases;
	struct loop_timer tick;
	struct dhcp4_counters c;
	uint16_t ip_id;
	uint8_t tx[DHCP4_IP_UDP_LEN + DHCP4_MAX_LEN];
};

static uint64_t now_ms(const struct dhcp4_engine *e)
{
	return e->ops.now_ms(e->ops.ctx);
}

static uint64_t hash_mac(const struct dhcp4_engine *e, const uint8_t mac[6], uint64_t extra)
{
	uint64_t m = 0;
	memcpy(&m, mac, 6);
	return hash_mix64(hash_mix64(m ^ e->key.k0) ^ e->key.k1 ^ (extra * 0x9e3779b97f4a7c15ULL));
}

static void fmt4(struct in_addr a, char *buf)
{
	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ---- configuration and interfaces ---- */

static void copy_conf(struct relay *r, const struct conf_dhcp4_relay *c)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->upstream, c->upstream, IF_NAMESIZE);
	r->n_ifaces = c->n_ifaces < CONF_MAX_DHCP4_IFACES ? c->n_ifaces : CONF_MAX_DHCP4_IFACES;
	for (size_t i = 0; i < r->n_ifaces; i++)
		memcpy(r->ifaces[i], c->ifaces[i], IF_NAMESIZE);
	r->n_servers = c->n_servers < CONF_MAX_DHCP4_SERVERS ? c->n_servers : CONF_MAX_DHCP4_SERVERS;
	if (r->n_servers)
		memcpy(r->servers, c->servers, r->n_servers * sizeof(r->servers[0]));
	r->conf_mode = c->mode;
	r->option82 = c->option82;
	r->learn_hosts = c->learn_hosts;
	r->mode = c->mode == CONF_DHCP4_FORWARD ? CONF_DHCP4_FORWARD : CONF_DHCP4_RELAY;
	snprintf(r->why, sizeof(r->why), "configured (mode %s)", conf_dhcp4_mode_name(c->mode));
}

static bool is_upstream(const struct dhcp4_engine *e, const char *name)
{
	for (size_t i = 0; i < e->n_relays; i++)
		if (!strcmp(e->relays[i].upstream, name))
			return true;
	return false;
}

/* The block serving island link name, or -1. */
static int relay_of_island(const struct dhcp4_engine *e, const char *name)
{
	if (is_upstream(e, name))
		return -1;
	for (size_t i = 0; i < e->n_relays; i++)
		for (size_t k = 0; k < e->relays[i].n_ifaces; k++)
			if (conf_iface_matches(e->relays[i].ifaces[k], name))
				return (int)i;
	return -1;
}

enum dhcp4_role dhcp4_engine_role(const struct dhcp4_engine *e, const char *ifname)
{
	if (is_upstream(e, ifname))
		return DHCP4_ROLE_UPSTREAM;
	return relay_of_island(e, ifname) >= 0 ? DHCP4_ROLE_ISLAND : DHCP4_ROLE_NONE;
}

static const struct island_link *island_by_index(const struct dhcp4_engine *e, int ifindex)
{
	for (size_t i = 0; i < e->n_islands; i++)
		if (e->islands[i].ifindex == ifindex)
			return &e->islands[i];
	return NULL;
}

static struct relay *relay_by_upstream(struct dhcp4_engine *e, int ifindex)
{
	for (size_t i = 0; i < e->n_relays; i++)
		if (e->relays[i].upstream_ifindex == ifindex && ifindex > 0)
			return &e->relays[i];
	return NULL;
}

/* ---- leases ---- */

static void report_host(struct dhcp4_engine *e, const struct lease *l, bool gone)
{
	char a[INET_ADDRSTRLEN];
	fmt4(l->addr, a);
	log_info("dhcp4: lease %s %02x:%02x:%02x:%02x:%02x:%02x %s", a, l->mac[0], l->mac[1], l->mac[2],
	         l->mac[3], l->mac[4], l->mac[5], gone ? "ended" : "learned");
	if (l->learn && e->ops.host)
		e->ops.host(e->ops.ctx, l->upstream_ifindex, l->island_ifindex, l->addr, l->mac, gone);
}

static void lease_drop(struct dhcp4_engine *e, struct lease *l, uint64_t *counter)
{
	report_host(e, l, true);
	l->used = false;
	e->n_leases--;
	(*counter)++;
}

/* A renewal reported again: the ARP proxy may have forgotten a host that
 * was silent at its liveness check (asleep, unplugged); its new ACK makes it
 * known again. Quiet: renewals come every T1. */
static void lease_renewed(struct dhcp4_engine *e, const struct lease *l)
{
	if (l->learn && e->ops.host)
		e->ops.host(e->ops.ctx, l->upstream_ifindex, l->island_ifindex, l->addr, l->mac, false);
}

static struct lease *lease_find(struct dhcp4_engine *e, const uint8_t mac[6])
{
	struct lease *set = e->leases[hash_mac(e, mac, 1) & (DHCP4_LEASE_SETS - 1)];
	for (int w = 0; w < DHCP4_WAYS; w++)
		if (set[w].used && !memcmp(set[w].mac, mac, 6))
			return &set[w];
	return NULL;
}

static void tick_arm(struct dhcp4_engine *e);

static void lease_learn(struct dhcp4_engine *e, uint8_t relay, int island, const uint8_t mac[6],
                        struct in_addr addr, uint32_t lease_s)
{
	uint64_t now = now_ms(e);
	/* 0xffffffff: infinite (RFC 2131 §3.3); no option 51 (BOOTP): a day */
	uint64_t expires = lease_s == 0xffffffffu ? UINT64_MAX : now + (uint64_t)(lease_s ? lease_s : 86400) * 1000u;
	struct lease *l = lease_find(e, mac);
	if (l && (l->addr.s_addr != addr.s_addr || l->island_ifindex != island)) {
		lease_drop(e, l, &e->c.leases_forgotten);
		l = NULL;
	}
	if (l) {
		l->expires_ms = expires;   /* a renewal */
		lease_renewed(e, l);
		return;
	}
	struct lease *set = e->leases[hash_mac(e, mac, 1) & (DHCP4_LEASE_SETS - 1)];
	for (int w = 0; w < DHCP4_WAYS && !l; w++)
		if (!set[w].used)
			l = &set[w];
	if (!l) {   /* full set: the lease ending first gives way */
		l = &set[0];
		for (int w = 1; w < DHCP4_WAYS; w++)
			if (set[w].expires_ms < l->expires_ms)
				l = &set[w];
		lease_drop(e, l, &e->c.leases_evicted);
	}
	*l = (struct lease){ .used = true, .relay = relay, .addr = addr, .island_ifindex = island,
	                     .expires_ms = expires, .learn = e->relays[relay].learn_hosts,
	                     .upstream_ifindex = e->relays[relay].upstream_ifindex };
	memcpy(l->mac, mac, 6);
	e->n_leases++;
	e->c.leases_learned++;
	report_host(e, l, false);
	tick_arm(e);
}

/* Only from the link the host is on: a client elsewhere cannot end it. */
static void lease_forget(struct dhcp4_engine *e, int island_ifindex, const uint8_t mac[6], struct in_addr addr)
{
	struct lease *l = lease_find(e, mac);
	if (l && l->island_ifindex == island_ifindex && (addr.s_addr == 0 || l->addr.s_addr == addr.s_addr))
		lease_drop(e, l, &e->c.leases_forgotten);
}

static void leases_forget_where(struct dhcp4_engine *e, int island_ifindex, int relay)
{
	for (size_t s = 0; s < DHCP4_LEASE_SETS; s++)
		for (int w = 0; w < DHCP4_WAYS; w++) {
			struct lease *l = &e->leases[s][w];
			if (l->used && (l->island_ifindex == island_ifindex || l->relay == relay))
				lease_drop(e, l, &e->c.leases_forgotten);
		}
}

/* ---- exchanges in flight ---- */

static struct pending *pending_find(struct dhcp4_engine *e, uint32_t xid, const uint8_t chaddr[6])
{
	struct pending *set = e->pending[hash_mac(e, chaddr, xid) & (DHCP4_PENDING_SETS - 1)];
	for (int w = 0; w < DHCP4_WAYS; w++)
		if (set[w].used && set[w].xid == xid && !memcmp(set[w].chaddr, chaddr, 6))
			return &set[w];
	return NULL;
}

/* Never refuses: a full set gives its oldest entry, so a flood of random
 * chaddrs can delay, never lock out, a real client. */
static struct pending *pending_put(struct dhcp4_engine *e, uint32_t xid, const uint8_t chaddr[6])
{
	struct pending *p = pending_find(e, xid, chaddr);
	if (p)
		return p;
	struct pending *set = e->pending[hash_mac(e, chaddr, xid) & (DHCP4_PENDING_SETS - 1)];
	for (int w = 0; w < DHCP4_WAYS && !p; w++)
		if (!set[w].used)
			p = &set[w];
	if (!p) {
		p = &set[0];
		for (int w = 1; w < DHCP4_WAYS; w++)
			if (set[w].at_ms < p->at_ms)
				p = &set[w];
		e->c.pending_evicted++;
	} else {
		e->n_pending++;
	}
	*p = (struct pending){ .used = true, .xid = xid };
	memcpy(p->chaddr, chaddr, 6);
	return p;
}

static void pending_del(struct dhcp4_engine *e, struct pending *p)
{
	p->used = false;
	e->n_pending--;
}

/* ---- the periodic sweep: armed only while there is something to expire ---- */

static void auto_check(struct dhcp4_engine *e, struct relay *r, uint64_t now)
{
	if (r->conf_mode != CONF_DHCP4_AUTO || r->mode != CONF_DHCP4_RELAY || !r->first_unanswered_ms)
		return;
	if (r->n_unanswered < DHCP4_AUTO_MIN_UNANSWERED || now - r->first_unanswered_ms < DHCP4_AUTO_TIMEOUT_MS)
		return;
	r->mode = CONF_DHCP4_FORWARD;
	snprintf(r->why, sizeof(r->why),
	         "auto: %u relayed requests unanswered for %llu ms (the server ignores giaddr): forwarding",
	         r->n_unanswered, (unsigned long long)(now - r->first_unanswered_ms));
	r->first_unanswered_ms = 0;
	r->n_unanswered = 0;
	e->c.mode_switches++;
	log_info("dhcp4-relay %s: %s", r->upstream, r->why);
}

static void tick(void *ctx)
{
	struct dhcp4_engine *e = ctx;
	uint64_t now = now_ms(e);
	for (size_t s = 0; s < DHCP4_PENDING_SETS && e->n_pending; s++)
		for (int w = 0; w < DHCP4_WAYS; w++)
			if (e->pending[s][w].used && now - e->pending[s][w].at_ms >= DHCP4_PENDING_TTL_MS)
				pending_del(e, &e->pending[s][w]);
	for (size_t s = 0; s < DHCP4_LEASE_SETS && e->n_leases; s++)
		for (int w = 0; w < DHCP4_WAYS; w++)
			if (e->leases[s][w].used && e->leases[s][w].expires_ms <= now)
				lease_drop(e, &e->leases[s][w], &e->c.leases_expired);
	for (size_t i = 0; i < e->n_relays; i++)
		auto_check(e, &e->relays[i], now);
	tick_arm(e);
}

static bool auto_waiting(const struct dhcp4_engine *e)
{
	for (size_t i = 0; i < e->n_relays; i++)
		if (e->relays[i].first_unanswered_ms && e->relays[i].mode == CONF_DHCP4_RELAY)
			return true;
	return false;
}

static void tick_arm(struct dhcp4_engine *e)
{
	if (loop_timer_armed(&e->tick))
		return;
	if (e->n_pending || e->n_leases || auto_waiting(e))
		loop_timer_in(e->loop, &e->tick, DHCP4_TICK_MS, tick, e);
}

/* ---- requests from the island ---- */

static bool upstream_address(const struct dhcp4_engine *e, const struct relay *r, struct in_addr *out)
{
	const struct iface *u = r->upstream_ifindex ? iftable_by_index(e->ifs, r->upstream_ifindex) : NULL;
	if (!u || !u->has_v4)
		return false;
	*out = u->v4;
	return true;
}

static void send_relayed(struct dhcp4_engine *e, struct relay *r, const uint8_t *msg, size_t len)
{
	if (!r->n_servers) {
		struct in_addr bc = { .s_addr = INADDR_BROADCAST };
		if (e->ops.send_server(e->ops.ctx, r->upstream_ifindex, bc, msg, len) < 0)
			e->c.send_errors++;
		return;
	}
	for (size_t i = 0; i < r->n_servers; i++)
		if (e->ops.send_server(e->ops.ctx, r->upstream_ifindex, r->servers[i], msg, len) < 0)
			e->c.send_errors++;
}

static bool is_gateway_address(const struct dhcp4_engine *e, int island_ifindex, const struct relay *r,
                               struct in_addr a)
{
	const struct iface *isl = iftable_by_index(e->ifs, island_ifindex);
	struct in_addr gw;
	return (isl && isl->has_v4 && isl->v4.s_addr == a.s_addr) ||
	       (upstream_address(e, r, &gw) && gw.s_addr == a.s_addr);
}

void dhcp4_engine_on_island(struct dhcp4_engine *e, int ifindex, struct in_addr dst,
                            const uint8_t *in, size_t len)
{
	struct dhcp4_msg m;
	e->c.rx_island++;
	enum dhcp4_drop d = dhcp4_parse(in, len, &m);
	if (d) {
		e->c.drop[d]++;
		return;
	}
	if (m.op != DHCP4_OP_REQUEST) {   /* a server on the island is not ours to pass on */
		e->c.drop_reply_from_island++;
		return;
	}
	const struct island_link *il = island_by_index(e, ifindex);
	if (!il) {
		e->c.drop_no_relay++;
		return;
	}
	struct relay *r = &e->relays[il->relay];
	if (m.type == DHCP4_RELEASE || m.type == DHCP4_DECLINE)
		lease_forget(e, ifindex, m.chaddr, m.type == DHCP4_RELEASE ? m.ciaddr : m.requested_ip);
	if (dst.s_addr != INADDR_BROADCAST && !is_gateway_address(e, ifindex, r, dst)) {
		e->c.unicast_seen++;
		return;
	}
	struct in_addr gw;
	if (!upstream_address(e, r, &gw)) {
		e->c.drop_no_upstream_address++;
		return;
	}

	uint8_t *out = e->tx + DHCP4_IP_UDP_LEN;
	memcpy(out, in, len);
	uint64_t now = now_ms(e);
	struct pending *p;
	if (r->mode == CONF_DHCP4_RELAY) {
		if (m.hops >= DHCP4_MAX_HOPS) {   /* would leave with 17 */
			e->c.drop[DHCP4_DROP_HOPS]++;
			return;
		}
		dhcp4_set_hops(out, (uint8_t)(m.hops + 1));
		bool ours = m.giaddr.s_addr == 0;  /* RFC 1542 §4.1.1: another relay's giaddr stays */
		if (ours)
			dhcp4_set_giaddr(out, gw);
		if (ours && r->option82) {
			int n = dhcp4_add_relay_agent(out, len, DHCP4_MAX_LEN, &m, (const uint8_t *)il->name,
			                              (uint8_t)strlen(il->name), NULL, 0);
			if (n < 0) {
				e->c.option82_no_room++;
			} else {
				len = (size_t)n;
				e->c.option82_added++;
			}
		}
		send_relayed(e, r, out, len);
		e->c.relayed++;
		if (!ours)
			return;
		p = pending_put(e, m.xid, m.chaddr);
		p->forwarded = false;
		if (r->conf_mode == CONF_DHCP4_AUTO) {
			if (!r->first_unanswered_ms)
				r->first_unanswered_ms = now;
			r->n_unanswered++;
		}
	} else {
		/* relayd's way: the client's own broadcast, from the gateway's MAC,
		 * broadcast flag set so the server's answer comes back broadcast */
		dhcp4_set_flags(out, m.flags | DHCP4_FLAG_BROADCAST);
		size_t flen = dhcp4_build_ipv4_udp(e->tx, m.ciaddr, (struct in_addr){ .s_addr = INADDR_BROADCAST },
		                                   DHCP4_CLIENT_PORT, DHCP4_SERVER_PORT, len, 64, e->ip_id++);
		if (e->ops.send_frame(e->ops.ctx, r->upstream_ifindex, broadcast_mac, e->tx, flen) < 0)
			e->c.send_errors++;
		e->c.forwarded++;
		p = pending_put(e, m.xid, m.chaddr);
		p->forwarded = true;
	}
	p->relay = il->relay;
	p->island_ifindex = ifindex;
	p->client_flags = m.flags;
	p->at_ms = now;
	tick_arm(e);
}

/* ---- replies to the island ---- */

static void deliver(struct dhcp4_engine *e, struct relay *r, struct pending *p, const struct dhcp4_msg *m,
                    const uint8_t *in, size_t len)
{
	const struct iface *isl = iftable_by_index(e->ifs, p->island_ifindex);
	struct in_addr src;
	if (isl && isl->has_v4)
		src = isl->v4;
	else if (!upstream_address(e, r, &src)) {
		e->c.drop_no_upstream_address++;
		return;
	}
	uint8_t *out = e->tx + DHCP4_IP_UDP_LEN;
	memcpy(out, in, len);
	if (m->has_relay_agent) {
		len = dhcp4_strip_relay_agent(out, len, m);
		e->c.option82_stripped++;
	}
	if (p->forwarded)
		dhcp4_set_flags(out, (uint16_t)((m->flags & ~DHCP4_FLAG_BROADCAST) |
		                                (p->client_flags & DHCP4_FLAG_BROADCAST)));
	/* RFC 2131 §4.1: broadcast when the client asked for it or cannot take
	 * unicast yet (and a NAK always); else to yiaddr (or ciaddr) at chaddr. */
	struct in_addr dst = { .s_addr = INADDR_BROADCAST };
	const uint8_t *mac = broadcast_mac;
	bool bcast = (p->client_flags & DHCP4_FLAG_BROADCAST) || m->type == DHCP4_NAK;
	if (!bcast) {
		dst = m->ciaddr.s_addr ? m->ciaddr : m->yiaddr;
		if (dst.s_addr == 0)
			dst.s_addr = INADDR_BROADCAST;
		else
			mac = m->chaddr;
	}
	size_t flen = dhcp4_build_ipv4_udp(e->tx, src, dst, DHCP4_SERVER_PORT, DHCP4_CLIENT_PORT, len, 64,
	                                   e->ip_id++);
	if (e->ops.send_frame(e->ops.ctx, p->island_ifindex, mac, e->tx, flen) < 0) {
		e->c.send_errors++;
		return;
	}
	e->c.delivered++;
	if (mac == broadcast_mac)
		e->c.delivered_broadcast++;
	if (m->type == DHCP4_ACK && m->yiaddr.s_addr)
		lease_learn(e, p->relay, p->island_ifindex, m->chaddr, m->yiaddr,
		            m->has_lease_time ? m->lease_time_s : 0);
	else if (m->type == DHCP4_NAK)
		lease_forget(e, p->island_ifindex, m->chaddr, (struct in_addr){ 0 });
	if (m->type == DHCP4_ACK || m->type == DHCP4_NAK)
		pending_del(e, p);
}

void dhcp4_engine_on_server(struct dhcp4_engine *e, int upstream_ifindex, const uint8_t *in, size_t len)
{
	struct dhcp4_msg m;
	e->c.rx_server++;
	enum dhcp4_drop d = dhcp4_parse(in, len, &m);
	if (d) {
		e->c.drop[d]++;
		return;
	}
	if (m.op != DHCP4_OP_REPLY) {
		e->c.upstream_requests_ignored++;
		return;
	}
	struct relay *r = relay_by_upstream(e, upstream_ifindex);
	struct in_addr gw;
	if (!r || !upstream_address(e, r, &gw)) {
		e->c.drop_no_upstream_address++;
		return;
	}
	if (m.giaddr.s_addr != gw.s_addr) {
		e->c.drop_giaddr_not_ours++;
		return;
	}
	struct pending *p = pending_find(e, m.xid, m.chaddr);
	if (!p || p->forwarded) {
		e->c.drop_unknown_client++;
		return;
	}
	r->last_reply_ms = now_ms(e);
	r->first_unanswered_ms = 0;   /* the server answers relayed requests */
	r->n_unanswered = 0;
	deliver(e, r, p, &m, in, len);
}

void dhcp4_engine_on_upstream_client(struct dhcp4_engine *e, int upstream_ifindex, const uint8_t *in,
                                     size_t len)
{
	struct dhcp4_msg m;
	e->c.rx_upstream_broadcast++;
	enum dhcp4_drop d = dhcp4_parse(in, len, &m);
	if (d) {
		e->c.drop[d]++;
		return;
	}
	struct relay *r = relay_by_upstream(e, upstream_ifindex);
	struct pending *p = m.op == DHCP4_OP_REPLY ? pending_find(e, m.xid, m.chaddr) : NULL;
	if (r && !p && m.op == DHCP4_OP_REPLY && m.type == DHCP4_ACK) {
		/* a renewal the kernel routes (client and server talk unicast) */
		struct lease *l = lease_find(e, m.chaddr);
		if (l && l->addr.s_addr == m.yiaddr.s_addr && m.has_lease_time) {
			l->expires_ms = m.lease_time_s == 0xffffffffu ? UINT64_MAX
			                : now_ms(e) + (uint64_t)m.lease_time_s * 1000u;
			e->c.leases_renewed++;
			lease_renewed(e, l);
			return;
		}
	}
	if (!r || !p || !p->forwarded || m.giaddr.s_addr != 0) {
		e->c.upstream_not_ours++;   /* the upstream's own clients, or our own broadcast */
		return;
	}
	r->last_reply_ms = now_ms(e);
	deliver(e, r, p, &m, in, len);
}

/* ---- life cycle ---- */

static int refresh_island(void *ctx, const struct iface *ifc)
{
	struct dhcp4_engine *e = ctx;
	int ri = relay_of_island(e, ifc->name);
	if (ri < 0 || e->n_islands >= MAX_ISLAND_LINKS)
		return 0;
	struct island_link *il = &e->islands[e->n_islands++];
	il->ifindex = ifc->ifindex;
	il->relay = (uint8_t)ri;
	memcpy(il->name, ifc->name, IF_NAMESIZE);
	return 0;
}

static int refresh_upstream(void *ctx, const struct iface *ifc)
{
	struct dhcp4_engine *e = ctx;
	for (size_t i = 0; i < e->n_relays; i++)
		if (!strcmp(e->relays[i].upstream, ifc->name))
			e->relays[i].upstream_ifindex = ifc->ifindex;
	return 0;
}

/* Interfaces come and go and are renamed: the island and upstream lists are
 * recomputed from the interface table (a handful of entries). */
static void refresh_links(struct dhcp4_engine *e)
{
	e->n_islands = 0;
	for (size_t i = 0; i < e->n_relays; i++)
		e->relays[i].upstream_ifindex = 0;
	iftable_foreach(e->ifs, refresh_island, e);
	iftable_foreach(e->ifs, refresh_upstream, e);
}

static void take_conf(struct dhcp4_engine *e, const struct conf *conf)
{
	e->n_relays = conf->n_dhcp4_relays < CONF_MAX_DHCP4_RELAYS ? conf->n_dhcp4_relays : CONF_MAX_DHCP4_RELAYS;
	for (size_t i = 0; i < e->n_relays; i++)
		copy_conf(&e->relays[i], &conf->dhcp4_relays[i]);
	refresh_links(e);
}

struct dhcp4_engine *dhcp4_engine_new(struct loop *loop, const struct conf *conf,
                                      const struct iftable *ifs, const struct dhcp4_ops *ops)
{
	struct dhcp4_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->loop = loop;
	e->ifs = ifs;
	e->ops = *ops;
	hash_key_init(&e->key);
	take_conf(e, conf);
	return e;
}

int dhcp4_engine_reload(struct dhcp4_engine *e, const struct conf *conf)
{
	char old_upstream[CONF_MAX_DHCP4_RELAYS][IF_NAMESIZE];
	for (size_t i = 0; i < e->n_relays; i++)
		memcpy(old_upstream[i], e->relays[i].upstream, IF_NAMESIZE);
	/* Exchanges in flight are few and short: the clients retry. */
	memset(e->pending, 0, sizeof(e->pending));
	e->n_pending = 0;
	/* Leases stay while their island link is still served through the same
	 * upstream (hosts keep their routes across a reload); the rest end. */
	take_conf(e, conf);
	for (size_t s = 0; s < DHCP4_LEASE_SETS; s++)
		for (int w = 0; w < DHCP4_WAYS; w++) {
			struct lease *l = &e->leases[s][w];
			if (!l->used)
				continue;
			const struct island_link *il = island_by_index(e, l->island_ifindex);
			if (il && !strcmp(e->relays[il->relay].upstream, old_upstream[l->relay]))
				l->relay = il->relay;
			else
				lease_drop(e, l, &e->c.leases_forgotten);
		}
	return 0;
}

void dhcp4_engine_on_iface(struct dhcp4_engine *e, const struct iface *ifc, unsigned changes)
{
	const struct island_link *il = island_by_index(e, ifc->ifindex);
	if (il && (changes & IFACE_GONE))   /* the hosts behind it are gone with it */
		leases_forget_where(e, ifc->ifindex, -1);
	if (changes & (IFACE_NEW | IFACE_GONE | IFACE_NAME)) {
		refresh_links(e);
		if (changes & IFACE_GONE) {   /* the entry is still in the table during the call */
			for (size_t i = 0; i < e->n_islands; i++)
				if (e->islands[i].ifindex == ifc->ifindex)
					e->islands[i] = e->islands[--e->n_islands];
			for (size_t i = 0; i < e->n_relays; i++)
				if (e->relays[i].upstream_ifindex == ifc->ifindex)
					e->relays[i].upstream_ifindex = 0;
		}
	}
}

void dhcp4_engine_shutdown(struct dhcp4_engine *e)
{
	if (!e)
		return;
	for (size_t s = 0; s < DHCP4_LEASE_SETS; s++)
		for (int w = 0; w < DHCP4_WAYS; w++)
			if (e->leases[s][w].used)
				lease_drop(e, &e->leases[s][w], &e->c.leases_forgotten);
	loop_timer_cancel(e->loop, &e->tick);
}

void dhcp4_engine_free(struct dhcp4_engine *e)
{
	if (!e)
		return;
	loop_timer_cancel(e->loop, &e->tick);
	free(e);
}

/* ---- views ---- */

const struct dhcp4_counters *dhcp4_engine_counters(const struct dhcp4_engine *e)
{
	return &e->c;
}

int dhcp4_engine_mode(const struct dhcp4_engine *e, const char *upstream)
{
	for (size_t i = 0; i < e->n_relays; i++)
		if (!strcmp(e->relays[i].upstream, upstream))
			return (int)e->relays[i].mode;
	return -1;
}

size_t dhcp4_engine_lease_count(const struct dhcp4_engine *e)
{
	return e->n_leases;
}

#define COUNTER(f) { #f, offsetof(struct dhcp4_counters, f) }
static const struct { const char *name; size_t off; } counter_fields[] = {
	COUNTER(rx_island), COUNTER(rx_server), COUNTER(rx_upstream_broadcast),
	COUNTER(unicast_seen), COUNTER(leases_renewed),
	COUNTER(relayed), COUNTER(forwarded), COUNTER(delivered), COUNTER(delivered_broadcast),
	COUNTER(option82_added), COUNTER(option82_no_room), COUNTER(option82_stripped),
	COUNTER(drop_reply_from_island), COUNTER(upstream_requests_ignored), COUNTER(drop_no_relay),
	COUNTER(drop_no_upstream_address), COUNTER(drop_giaddr_not_ours), COUNTER(drop_unknown_client),
	COUNTER(upstream_not_ours), COUNTER(pending_evicted), COUNTER(send_errors),
	COUNTER(leases_learned), COUNTER(leases_forgotten), COUNTER(leases_expired),
	COUNTER(leases_evicted), COUNTER(mode_switches),
};

void dhcp4_engine_dump_counters(const struct dhcp4_engine *e, struct json *j)
{
	for (size_t i = 0; i < sizeof(counter_fields) / sizeof(counter_fields[0]); i++)
		json_ku64(j, counter_fields[i].name,
		          *(const uint64_t *)((const char *)&e->c + counter_fields[i].off));
	for (int d = 1; d < DHCP4_DROP__COUNT; d++) {
		char key[48];
		snprintf(key, sizeof(key), "drop_%s", dhcp4_drop_name((enum dhcp4_drop)d));
		json_ku64(j, key, e->c.drop[d]);
	}
	json_ku64(j, "pending", e->n_pending);
	json_ku64(j, "leases", e->n_leases);
}

void dhcp4_engine_dump(const struct dhcp4_engine *e, struct json *j)
{
	char a[INET_ADDRSTRLEN];
	uint64_t now = now_ms(e);
	json_kobj(j, "dhcp");
	json_karr(j, "relays");
	for (size_t i = 0; i < e->n_relays; i++) {
		const struct relay *r = &e->relays[i];
		json_obj(j);
		json_kstr(j, "upstream", r->upstream);
		json_ki64(j, "upstream_ifindex", r->upstream_ifindex);
		const struct iface *u = r->upstream_ifindex ? iftable_by_index(e->ifs, r->upstream_ifindex) : NULL;
		if (u && u->has_v4) {
			fmt4(u->v4, a);
			json_kstr(j, "giaddr", a);
		} else {
			json_knull(j, "giaddr");
		}
		json_kstr(j, "mode_configured", conf_dhcp4_mode_name(r->conf_mode));
		json_kstr(j, "mode", conf_dhcp4_mode_name(r->mode));
		json_kstr(j, "why", r->why);
		json_kbool(j, "option82", r->option82);
		json_kbool(j, "learn_hosts", r->learn_hosts);
		json_karr(j, "servers");
		for (size_t s = 0; s < r->n_servers; s++) {
			fmt4(r->servers[s], a);
			json_str(j, a);
		}
		json_arr_end(j);
		json_karr(j, "islands");
		for (size_t k = 0; k < e->n_islands; k++)
			if (e->islands[k].relay == i)
				json_str(j, e->islands[k].name);
		json_arr_end(j);
		json_ku64(j, "unanswered", r->n_unanswered);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "leases");
	for (size_t s = 0; s < DHCP4_LEASE_SETS; s++)
		for (int w = 0; w < DHCP4_WAYS; w++) {
			const struct lease *l = &e->leases[s][w];
			if (!l->used)
				continue;
			char mac[18];
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", l->mac[0], l->mac[1], l->mac[2],
			         l->mac[3], l->mac[4], l->mac[5]);
			fmt4(l->addr, a);
			const struct island_link *il = island_by_index(e, l->island_ifindex);
			json_obj(j);
			json_kstr(j, "address", a);
			json_kstr(j, "mac", mac);
			json_kstr(j, "iface", il ? il->name : "?");
			json_kstr(j, "upstream", e->relays[l->relay].upstream);
			if (l->expires_ms == UINT64_MAX)
				json_knull(j, "expires_in_s");
			else
				json_ku64(j, "expires_in_s", l->expires_ms > now ? (l->expires_ms - now) / 1000u : 0);
			json_obj_end(j);
		}
	json_arr_end(j);
	json_kobj(j, "counters");
	dhcp4_engine_dump_counters(e, j);
	json_obj_end(j);
	json_obj_end(j);
}
