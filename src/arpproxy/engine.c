/* Proxy ARP (RFC 826 answering, RFC 1027 proxy ARP, RFC 5227 probes).
 *
 * The NDP proxy's state machine over the shared tables of src/proxy/: a
 * request on a proxy interface for a target of an iface or auto rule is
 * answered only once the target proved alive downstream (the kernel knows
 * it there, or it answered our probe), always with the proxy interface's
 * own MAC. Probes are budgeted per downstream link, targets that did not
 * answer sit in the dead cache, sessions are capped per proxy block.
 *
 * What ARP adds:
 *  - a live host's liveness and renewal probes are unicast to its MAC: a
 *    dozing Wi-Fi host ignores broadcasts (openwrt#24446); only the first
 *    probe of an unknown target is broadcast;
 *  - RFC 5227 probes (sender 0.0.0.0) for a live target are answered, so
 *    the newcomer sees the conflict; for an unknown target they start a
 *    probe downstream and are answered only if the target answers; a probe
 *    from the target's own MAC is the host itself, moved here: it puts the
 *    target in question (below) instead of being answered;
 *  - a target's address heard on the proxy link itself (an ARP from it
 *    there, or a kernel neighbour entry there) is not answered there any
 *    more and is re-checked downstream at once: if it answers there the
 *    claim was a spoof or a stale cache and nothing moves (routes follow
 *    downstream answers only); if not, the host moved to the proxy link
 *    and its session and route go, so we never fight its own replies. */
#include "arpproxy/arpproxy.h"
#include "net/iftable.h"
#include "proto/nd.h"
#include "proxy/proxy_engine.h"
#include "util/json.h"
#include "util/log.h"
#include "util/tokenbucket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARP_DEAD_HOLD_MS 1050     /* re-probe a silent target after this hold, not after deadtime */
#define ARP_MIN_PROBE_GAP_MS 1000 /* never probe a target twice within a second (RFC 5227 PROBE_MIN-ish) */
#define ARP_KNOWN_CAP 4096
#define ARP_DEAD_CAP 4096
#define ARP_RULE_LEARNED PROXY_RULE_NONE /* sessions of hosts a relay reported: no rule */

static const uint8_t mac_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct arp_rule_rt {
	const struct conf_rule *conf;
	int down_ifindex; /* RULE_IFACE: resolved, 0 while missing */
};

struct arp_proxy_rt {
	const struct conf_proxy *conf;
	int ifindex; /* 0 while the interface is missing */
	uint32_t n_sessions;
	struct arp_rule_rt *rules;
	struct token_bucket auto_lookups; /* auto rules: route look-ups for new targets */
};

struct arp_engine {
	struct loop *loop;
	struct iftable *ifs;
	struct arp_ops ops;
	size_t n_proxies;
	struct arp_proxy_rt *proxies;
	/* the configuration copied, so a failed reload of another engine
	 * never leaves this one pointing into a freed tree: the proxy blocks'
	 * IPv4 parts, then proxies for relay upstreams without a block */
	size_t n_owned;
	struct conf_proxy *owned;
	struct proxy_core pc; /* known: the kernel's live IPv4 neighbours, by link */
	struct arp_counters c;
};

#define arp_event(e, ...) proxy_event(&(e)->pc, __VA_ARGS__)

static void session_timer(void *ctx);

static uint64_t now_ms(struct arp_engine *e)
{
	return e->ops.now_ms(e->ops.ctx);
}

static struct in_addr v4_of(const struct in6_addr *a)
{
	struct in_addr v;
	memcpy(&v, &a->s6_addr[12], 4);
	return v;
}

static struct in6_addr mapped(struct in_addr v)
{
	struct in6_addr a = { 0 };
	a.s6_addr[10] = a.s6_addr[11] = 0xff;
	memcpy(&a.s6_addr[12], &v, 4);
	return a;
}

static const char *addr_str(const struct in6_addr *a, char *buf)
{
	struct in_addr v = v4_of(a);
	return inet_ntop(AF_INET, &v, buf, INET_ADDRSTRLEN);
}

static const char *proxy_iface(const void *engine, uint16_t proxy_idx)
{
	return ((const struct arp_engine *)engine)->proxies[proxy_idx].conf->iface;
}

/* A session's /32 out of its downstream, protocol 73. */
static int route_add(void *engine, const struct proxy_session *s)
{
	struct arp_engine *e = engine;
	return e->ops.route_add(e->ops.ctx, &s->target, s->down_ifindex);
}

static int route_del(void *engine, const struct proxy_session *s)
{
	struct arp_engine *e = engine;
	return e->ops.route_del(e->ops.ctx, &s->target, s->down_ifindex);
}

static const struct proxy_family arp_family = {
	.family = "ipv4", .log_name = "proxy ARP ", .host_plen = 32, .addr_str = addr_str, .dump_mac = true,
	.session_timer = session_timer, .proxy_iface = proxy_iface, .route_add = route_add, .route_del = route_del,
};

/* Up, with a MAC: ARP needs one on both ends. */
static const struct iface *iface_usable(struct arp_engine *e, int ifindex)
{
	const struct iface *ifc = ifindex > 0 ? iftable_by_index(e->ifs, ifindex) : NULL;
	return ifc && ifc->up && ifc->lladdr_len == 6 ? ifc : NULL;
}

static bool learned(const struct proxy_session *s)
{
	return s->rule_idx == ARP_RULE_LEARNED;
}

static const struct conf_rule *session_rule(const struct arp_engine *e, const struct proxy_session *s)
{
	return learned(s) ? NULL : e->proxies[s->proxy_idx].rules[s->rule_idx].conf;
}

static bool alive(const struct proxy_session *s)
{
	return s->state == PROXY_VALID || s->state == PROXY_RENEWING || s->state == PROXY_LEARNED;
}

struct local_walk {
	struct in_addr a;
	bool found;
};

static int local_addr_cb(void *ctx, const struct iface *ifc)
{
	struct local_walk *w = ctx;
	for (unsigned i = 0; i < ifc->n_v4 && i < IFACE_ADDR_CANDIDATES; i++)
		if (ifc->v4_cand[i].addr.s_addr == w->a.s_addr)
			return w->found = true;
	return ifc->has_v4 && ifc->v4.s_addr == w->a.s_addr ? (w->found = true) : 0;
}

/* One of the gateway's own addresses: the kernel answers for it. */
static bool is_local_address(struct arp_engine *e, struct in_addr a)
{
	struct local_walk w = { a, false };
	iftable_foreach(e->ifs, local_addr_cb, &w);
	return w.found;
}

/* ---- answering ---------------------------------------------------------- */

/* A reply saying target is at p's interface's MAC, unicast to the asker.
 * An RFC 5227 probe (sender 0.0.0.0) gets target IP 0.0.0.0, as Linux
 * answers them: the prober sees a reply from the address it wants. */
static void answer(struct arp_engine *e, struct arp_proxy_rt *p, const struct in6_addr *target,
                   const struct proxy_solicitor *who)
{
	const struct iface *ifc = iface_usable(e, p->ifindex);
	if (!ifc) {
		e->c.iface_down++;
		return;
	}
	uint8_t pkt[ARP_LEN];
	arp_build_reply(pkt, ifc->lladdr, v4_of(target), who->ll, v4_of(&who->addr));
	e->ops.send_arp(e->ops.ctx, p->ifindex, who->ll, pkt, sizeof(pkt));
	e->c.tx_reply++;
}

static void answer_session(struct arp_engine *e, struct proxy_session *s, const struct proxy_solicitor *who)
{
	if (s->contested) { /* heard on the proxy link: it answers there itself */
		e->c.target_on_link++;
		return;
	}
	answer(e, &e->proxies[s->proxy_idx], &s->target, who);
}

static void answer_pending(struct arp_engine *e, struct proxy_session *s)
{
	for (unsigned i = 0; i < s->n_pending; i++)
		answer_session(e, s, &s->pending[i]);
	s->n_pending = 0;
}

/* ---- routes ------------------------------------------------------------- */

static void route_install(struct arp_engine *e, struct proxy_session *s)
{
	proxy_core_route_install(&e->pc, s, e->proxies[s->proxy_idx].conf->autowire, session_rule(e, s));
}

static void route_remove(struct arp_engine *e, struct proxy_session *s)
{
	proxy_core_route_remove(&e->pc, s);
}

/* ---- session life ------------------------------------------------------- */

static uint32_t probe_wait_ms(const struct arp_proxy_rt *p, const struct proxy_session *s)
{
	return proxy_probe_wait_ms(p->conf, s, ARP_MIN_PROBE_GAP_MS);
}

static void session_arm(struct arp_engine *e, struct proxy_session *s, uint64_t delay_ms)
{
	proxy_core_arm(&e->pc, s, delay_ms);
}

static void session_delete(struct arp_engine *e, struct proxy_session *s)
{
	route_remove(e, s);
	loop_timer_cancel(e->loop, &s->timer);
	e->proxies[s->proxy_idx].n_sessions--;
	proxy_sessions_remove(&e->pc.sessions, s);
}

/* The sender address of our requests on down: its own IPv4 address, else
 * the proxy link's (one subnet on both sides, as parprouted does), else
 * 0.0.0.0 (the RFC 5227 probe form, which every host answers). */
static struct in_addr probe_source(struct arp_engine *e, const struct arp_proxy_rt *p, const struct iface *down)
{
	if (down->has_v4)
		return down->v4;
	const struct iface *up = p->ifindex > 0 ? iftable_by_index(e->ifs, p->ifindex) : NULL;
	return up && up->has_v4 ? up->v4 : (struct in_addr){ 0 };
}

static bool probe(struct arp_engine *e, struct proxy_session *s, bool is_retry)
{
	const struct arp_proxy_rt *p = &e->proxies[s->proxy_idx];
	const struct iface *down = iface_usable(e, s->down_ifindex);
	if (!down) {
		e->c.iface_down++;
		return false;
	}
	if (!proxy_core_take_probe(&e->pc, s->down_ifindex, s->state == PROXY_RENEWING || s->contested, is_retry))
		return false;
	uint8_t pkt[ARP_LEN];
	arp_build_request(pkt, down->lladdr, probe_source(e, p, down), v4_of(&s->target));
	bool unicast = s->lladdr_len == 6;
	e->ops.send_arp(e->ops.ctx, down->ifindex, unicast ? s->lladdr : mac_broadcast, pkt, sizeof(pkt));
	if (unicast)
		e->c.tx_probe_unicast++;
	else
		e->c.tx_probe++;
	s->probed_ms = now_ms(e);
	return true;
}

static void session_die_because(struct arp_engine *e, struct proxy_session *s, const char *why)
{
	const struct arp_proxy_rt *p = &e->proxies[s->proxy_idx];
	char a[INET_ADDRSTRLEN];
	if (s->contested) {
		e->c.target_moved++;
		arp_event(e, "target %s answers on %s itself now: no longer answered or routed",
		          addr_str(&s->target, a), p->conf->iface);
	} else if (alive(s)) {
		e->c.target_lost++;
		e->c.learned_lost += learned(s);
		arp_event(e, "%s %s lost on %s (%s)", learned(s) ? "learned host" : "target", addr_str(&s->target, a),
		          p->conf->iface, why);
	}
	proxy_known_del(&e->pc.known, s->down_ifindex, &s->target);
	proxy_dead_add(&e->pc.dead, s->proxy_idx, &s->target, s->probed_ms, now_ms(e) + p->conf->deadtime_ms);
	session_delete(e, s);
}

static void session_confirm(struct arp_engine *e, struct proxy_session *s, const uint8_t *mac)
{
	const struct arp_proxy_rt *p = &e->proxies[s->proxy_idx];
	char a[INET_ADDRSTRLEN];
	if (!alive(s)) {
		const struct iface *d = iftable_by_index(e->ifs, s->down_ifindex);
		arp_event(e, "target %s confirmed behind %s, answered on %s", addr_str(&s->target, a),
		          d ? d->name : "?", p->conf->iface);
		e->c.target_confirmed++;
	}
	if (mac) {
		s->lladdr_len = 6;
		memcpy(s->lladdr, mac, 6);
	}
	if (s->contested) {
		s->contested = false;
		e->c.claim_refuted++;
		arp_event(e, "target %s claimed on %s but answers behind its link: nothing moves",
		          addr_str(&s->target, a), p->conf->iface);
	}
	s->confirmed_ms = now_ms(e);
	s->used = false;
	route_install(e, s);
	/* a learned host is checked like a confirmed one: a lease outlives a
	 * host that left without a RELEASE by hours */
	s->state = learned(s) ? PROXY_LEARNED : PROXY_VALID;
	s->retries_left = proxy_retries(p->conf);
	answer_pending(e, s);
	session_arm(e, s, p->conf->ttl_ms);
}

/* The target's address was heard on its proxy's own link: stop answering
 * there and ask it downstream now (unicast when its MAC is known). */
static void session_contest(struct arp_engine *e, struct proxy_session *s)
{
	if (s->contested)
		return;
	const struct arp_proxy_rt *p = &e->proxies[s->proxy_idx];
	char a[INET_ADDRSTRLEN];
	arp_event(e, "target %s heard on %s itself: checking it behind its link", addr_str(&s->target, a),
	          p->conf->iface);
	e->c.heard_upstream++;
	s->contested = true;
	if (s->state != PROXY_PROBING)
		s->state = PROXY_RENEWING;
	s->retries_left = proxy_retries(p->conf);
	probe(e, s, false);
	session_arm(e, s, probe_wait_ms(p, s));
}

/* A learned host at its ttl: always renewed (its lease says it should be
 * there, keepalive or not), as proxy_session_tick renews a VALID one. The
 * NDP engine's learned hosts keep proxy_session_tick's "no timer". */
static enum proxy_tick learned_tick(struct proxy_session *s, const struct conf_proxy *p)
{
	s->state = PROXY_RENEWING;
	s->retries_left = proxy_retries(p);
	return PROXY_TICK_PROBE;
}

static void session_timer(void *ctx)
{
	struct proxy_session *s = ctx;
	struct arp_engine *e = s->owner;
	const struct arp_proxy_rt *p = &e->proxies[s->proxy_idx];
	enum proxy_tick t = s->state == PROXY_LEARNED ? learned_tick(s, p->conf) : proxy_session_tick(s, p->conf);
	switch (t) {
	case PROXY_TICK_PROBE: /* a retry, or a renewal (unicast once the MAC is known) */
		probe(e, s, true);
		session_arm(e, s, probe_wait_ms(p, s));
		break;
	case PROXY_TICK_DIE:
		session_die_because(e, s, "no answer downstream");
		break;
	case PROXY_TICK_DROP:
		session_delete(e, s);
		break;
	case PROXY_TICK_NONE:
		break;
	}
}

static struct proxy_session *session_new(struct arp_engine *e, uint16_t pi, uint16_t ri,
                                         const struct in6_addr *target, int down_ifindex)
{
	struct arp_proxy_rt *p = &e->proxies[pi];
	return proxy_core_session_new(&e->pc, &p->n_sessions, p->conf->max_sessions, pi, ri, target, down_ifindex, e);
}

/* ---- requests ----------------------------------------------------------- */

static int rule_downstream(struct arp_engine *e, struct arp_proxy_rt *p, struct arp_rule_rt *r,
                           const struct in6_addr *target)
{
	if (r->conf->method == RULE_IFACE)
		return r->down_ifindex;
	return proxy_core_auto_downstream(&e->pc, &p->auto_lookups, p->ifindex, target);
}

static void on_request(struct arp_engine *e, uint16_t pi, const struct arp_msg *m)
{
	struct arp_proxy_rt *p = &e->proxies[pi];
	struct in6_addr target = mapped(m->tpa);
	struct proxy_solicitor who = { .addr = mapped(m->spa), .ll_len = 6 };
	memcpy(who.ll, m->sha, 6);

	struct proxy_session *s = proxy_sessions_find(&e->pc.sessions, pi, &target);
	if (s) {
		switch ((enum proxy_state)s->state) {
		case PROXY_VALID:
		case PROXY_RENEWING:
		case PROXY_LEARNED:
			s->used = true;
			answer_session(e, s, &who);
			return;
		case PROXY_PROBING:
			if (!s->contested && proxy_known_has(&e->pc.known, s->down_ifindex, &target)) {
				session_confirm(e, s, NULL);
				answer_session(e, s, &who);
				return;
			}
			proxy_session_remember(s, &who);
			e->c.pending++;
			return;
		}
	}
	if (is_local_address(e, m->tpa)) {
		e->c.own_address++;
		return;
	}
	/* the target lives on the link it is asked on: it answers itself */
	if (proxy_known_has(&e->pc.known, p->ifindex, &target)) {
		e->c.target_on_link++;
		return;
	}
	struct proxy_dead *dead = proxy_dead_find(&e->pc.dead, pi, &target, now_ms(e));
	if (dead) {
		if (now_ms(e) - dead->probed_ms < ARP_DEAD_HOLD_MS) {
			e->c.dead_target++;
			return;
		}
		proxy_dead_forget(dead);
	}
	for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
		struct arp_rule_rt *r = &p->rules[ri];
		if (!nd_prefix_match(&target, &r->conf->prefix, r->conf->plen))
			continue;
		if (r->conf->method == RULE_STATIC) {
			answer(e, p, &target, &who);
			return;
		}
		int down = rule_downstream(e, p, r, &target);
		if (down <= 0) {
			if (r->conf->method == RULE_IFACE)
				e->c.iface_down++;
			return;
		}
		if (proxy_known_has(&e->pc.known, down, &target)) {
			/* the kernel already resolved it downstream: no probe needed */
			s = session_new(e, pi, (uint16_t)ri, &target, down);
			if (s)
				session_confirm(e, s, NULL);
			answer(e, p, &target, &who);
			return;
		}
		if (!proxy_core_new_probe_ok(&e->pc, down)) {
			e->c.probe_budget++;
			return;
		}
		s = session_new(e, pi, (uint16_t)ri, &target, down);
		if (!s)
			return;
		s->retries_left = proxy_retries(p->conf);
		proxy_session_remember(s, &who);
		e->c.pending++;
		if (!probe(e, s, false)) {
			proxy_dead_add(&e->pc.dead, pi, &target, now_ms(e), now_ms(e) + ARP_DEAD_HOLD_MS);
			session_delete(e, s);
			return;
		}
		session_arm(e, s, probe_wait_ms(p, s));
		return;
	}
	e->c.no_rule++;
}

/* A frame from a downstream host: its sender address is alive there. */
static bool on_downstream(struct arp_engine *e, int ifindex, const struct arp_msg *m)
{
	struct in6_addr sender = mapped(m->spa);
	bool matched = false;
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		if (e->proxies[pi].ifindex == ifindex)
			continue; /* on the proxy link itself: see on_frame */
		struct proxy_session *s = proxy_sessions_find(&e->pc.sessions, (uint16_t)pi, &sender);
		if (!s || s->down_ifindex != ifindex)
			continue;
		matched = true;
		session_confirm(e, s, m->sha);
	}
	return matched;
}

void arp_engine_on_frame(struct arp_engine *e, int ifindex, const uint8_t *p, size_t len,
                         const uint8_t *eth_src)
{
	struct arp_msg m;
	enum arp_drop d = arp_parse(p, len, eth_src, &m);
	if (d != ARP_DROP_ok) {
		e->c.drops[d]++;
		return;
	}
	struct in6_addr sender = mapped(m.spa);
	bool proxy_link = false;
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		if (e->proxies[pi].ifindex != ifindex)
			continue;
		if (!proxy_link && m.op == ARP_OP_REQUEST) {
			e->c.rx_request++;
			e->c.rx_probe += m.probe;
		}
		proxy_link = true;
		/* a target we answer for here speaks here itself */
		struct proxy_session *s = m.probe ? NULL : proxy_sessions_find(&e->pc.sessions, (uint16_t)pi, &sender);
		if (s)
			session_contest(e, s);
		/* an RFC 5227 probe from the very MAC we know the target by: the
		 * host itself is here (it moved to this link and checks its old
		 * address). Defending would make it decline its own address. */
		if (m.probe && m.op == ARP_OP_REQUEST) {
			struct in6_addr target = mapped(m.tpa);
			s = proxy_sessions_find(&e->pc.sessions, (uint16_t)pi, &target);
			if (s && s->lladdr_len == 6 && memcmp(s->lladdr, m.sha, 6) == 0) {
				session_contest(e, s);
				e->c.target_on_link++;
				continue;
			}
		}
		if (m.op != ARP_OP_REQUEST)
			continue;
		if (m.gratuitous) {
			e->c.gratuitous++;
			continue;
		}
		on_request(e, (uint16_t)pi, &m);
	}
	if (m.probe)
		return; /* a host without an address proves nothing alive */
	if (m.op == ARP_OP_REPLY && !proxy_link)
		e->c.rx_reply++;
	if (!on_downstream(e, ifindex, &m) && m.op == ARP_OP_REPLY && !proxy_link)
		e->c.reply_unmatched++;
}

/* ---- kernel events ------------------------------------------------------ */

static bool neigh_alive(uint16_t state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT);
}

void arp_engine_on_neigh(struct arp_engine *e, const struct kneigh *n, bool deleted)
{
	if (!IN6_IS_ADDR_V4MAPPED(&n->addr))
		return;
	if (deleted || !neigh_alive(n->state) || n->proxy) {
		proxy_known_del(&e->pc.known, n->ifindex, &n->addr);
		return;
	}
	proxy_known_add(&e->pc.known, n->ifindex, &n->addr);
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		if (e->proxies[pi].ifindex != n->ifindex)
			continue;
		struct proxy_session *s = proxy_sessions_find(&e->pc.sessions, (uint16_t)pi, &n->addr);
		if (s)
			session_contest(e, s);
	}
}

/* proxy_core_route_restore's: one of our /32s back, if its link is usable */
static int route_re_add(void *ctx, const struct proxy_session *s)
{
	struct arp_engine *e = ctx;
	return iface_usable(e, s->down_ifindex) ? route_add(e, s) : 1;
}

void arp_engine_on_route(struct arp_engine *e, const struct kroute *r, bool deleted)
{
	if (!IN6_IS_ADDR_V4MAPPED(&r->dst) || r->plen > 32)
		return;
	if (r->ours) {
		if (deleted)
			proxy_core_route_restore(&e->pc, e->n_proxies, r, route_re_add, e);
		return;
	}
	for (uint32_t i = 0; i < e->pc.sessions.touched; i++) {
		struct proxy_session *s = &e->pc.sessions.pool[i];
		if (!s->in_use || learned(s))
			continue;
		const struct conf_rule *rule = session_rule(e, s);
		if (rule->method != RULE_AUTO || !nd_prefix_match(&s->target, &r->dst, (uint8_t)(96 + r->plen)))
			continue;
		if (e->ops.route_oif(e->ops.ctx, &s->target) == s->down_ifindex)
			continue;
		session_die_because(e, s, "its route changed");
	}
}

static void resolve_names(struct arp_engine *e)
{
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct arp_proxy_rt *p = &e->proxies[pi];
		const struct iface *ifc = iftable_by_name(e->ifs, p->conf->iface);
		p->ifindex = ifc ? ifc->ifindex : 0;
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			struct arp_rule_rt *r = &p->rules[ri];
			if (r->conf->method != RULE_IFACE)
				continue;
			const struct iface *d = iftable_by_name(e->ifs, r->conf->iface);
			r->down_ifindex = d ? d->ifindex : 0;
		}
	}
}

void arp_engine_on_iface(struct arp_engine *e, const struct iface *ifc, unsigned changes)
{
	if (!(changes & ~(unsigned)(IFACE_LL | IFACE_V4)))
		return; /* addresses are read when used */
	bool gone = changes & IFACE_GONE;
	resolve_names(e);
	if (gone || !ifc->up) {
		proxy_known_flush_ifindex(&e->pc.known, ifc->ifindex);
		for (uint32_t i = 0; i < e->pc.sessions.touched; i++) {
			struct proxy_session *s = &e->pc.sessions.pool[i];
			if (!s->in_use || s->down_ifindex != ifc->ifindex)
				continue;
			if (gone)
				s->routed = false; /* the kernel removed the route with the link */
			if (learned(s)) {
				session_delete(e, s);
				continue;
			}
			char why[IF_NAMESIZE + 32];
			snprintf(why, sizeof(why), "downstream %s %s", ifc->name, gone ? "was removed" : "went down");
			session_die_because(e, s, why);
		}
		return;
	}
	if ((changes & IFACE_LLADDR) && !(changes & IFACE_NEW) && ifc->lladdr_len == 6)
		arp_engine_lladdr_changed(e, ifc->ifindex);
}

static void announce(struct arp_engine *e, struct arp_proxy_rt *p, const struct in6_addr *target)
{
	const struct iface *ifc = iface_usable(e, p->ifindex);
	if (!ifc)
		return;
	uint8_t pkt[ARP_LEN];
	arp_build_announce(pkt, ifc->lladdr, v4_of(target));
	e->ops.send_arp(e->ops.ctx, p->ifindex, mac_broadcast, pkt, sizeof(pkt));
	e->c.tx_announce++;
}

void arp_engine_lladdr_changed(struct arp_engine *e, int ifindex)
{
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct arp_proxy_rt *p = &e->proxies[pi];
		if (p->ifindex != ifindex)
			continue;
		log_info("interface %s has a new MAC: announcing the IPv4 addresses answered there", p->conf->iface);
		for (size_t ri = 0; ri < p->conf->n_rules; ri++)
			if (p->rules[ri].conf->method == RULE_STATIC && p->rules[ri].conf->plen == 128)
				announce(e, p, &p->rules[ri].conf->prefix);
		for (uint32_t i = 0; i < e->pc.sessions.touched; i++) {
			struct proxy_session *s = &e->pc.sessions.pool[i];
			if (s->in_use && s->proxy_idx == pi && alive(s) && !s->contested)
				announce(e, p, &s->target);
		}
	}
}

bool arp_engine_wants_iface(const struct arp_engine *e, const char *name)
{
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		const struct arp_proxy_rt *p = &e->proxies[pi];
		if (strcmp(p->conf->iface, name) == 0)
			return true;
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			const struct conf_rule *r = p->rules[ri].conf;
			/* auto rules may probe any link; iface rules their own */
			if (r->method == RULE_AUTO || (r->method == RULE_IFACE && strcmp(r->iface, name) == 0))
				return true;
		}
	}
	return false;
}

void arp_engine_learned_host(struct arp_engine *e, int upstream_ifindex, int downstream_ifindex,
                             const struct in6_addr *addr, const uint8_t mac[6], bool gone)
{
	if (!IN6_IS_ADDR_V4MAPPED(addr))
		return;
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		if (e->proxies[pi].ifindex != upstream_ifindex || upstream_ifindex <= 0)
			continue;
		struct proxy_session *s = proxy_sessions_find(&e->pc.sessions, (uint16_t)pi, addr);
		if (gone) {
			if (s && learned(s))
				session_delete(e, s);
			continue;
		}
		if (s && s->down_ifindex != downstream_ifindex)
			session_delete(e, s), s = NULL; /* the lease moved to another link */
		/* a renewal reported again is not a new host */
		e->c.learned_hosts += !s || !learned(s);
		if (!s) {
			/* a host lost before (silent at its check) is back: not dead any more */
			struct proxy_dead *dead = proxy_dead_find(&e->pc.dead, (uint16_t)pi, addr, now_ms(e));
			if (dead)
				proxy_dead_forget(dead);
			s = session_new(e, (uint16_t)pi, ARP_RULE_LEARNED, addr, downstream_ifindex);
		}
		if (!s)
			continue;
		s->rule_idx = ARP_RULE_LEARNED;
		session_confirm(e, s, mac);
	}
}

/* ---- life cycle --------------------------------------------------------- */

struct arp_engine *arp_engine_new(struct loop *loop, const struct conf *conf, struct iftable *ifs,
                                  const struct arp_ops *ops, const char (*learn_upstreams)[IF_NAMESIZE],
                                  size_t n_learn)
{
	struct arp_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->loop = loop;
	e->ifs = ifs;
	e->ops = *ops;
	proxy_core_init(&e->pc, loop, ifs, &arp_family, ops->ctx, ops->route_oif, ops->now_ms, e,
	                PROXY_CORE_COUNTERS(e->c));
	e->owned = calloc(conf->n_arp_proxies + n_learn + 1, sizeof(*e->owned));
	e->proxies = calloc(conf->n_arp_proxies + n_learn + 1, sizeof(*e->proxies));
	if (!e->owned || !e->proxies)
		goto fail;
	for (size_t i = 0; i < conf->n_arp_proxies; i++) {
		struct conf_proxy *cp = &e->owned[e->n_owned++];
		*cp = conf->arp_proxies[i];
		cp->rules = calloc(cp->n_rules ? cp->n_rules : 1, sizeof(*cp->rules));
		if (!cp->rules)
			goto fail;
		memcpy(cp->rules, conf->arp_proxies[i].rules, cp->n_rules * sizeof(*cp->rules));
	}
	/* a relay's upstream answers for its learned hosts like a proxy
	 * without rules, unless a proxy block names it */
	for (size_t i = 0; i < n_learn; i++) {
		bool named = false;
		for (size_t k = 0; k < e->n_owned && !named; k++)
			named = strcmp(e->owned[k].iface, learn_upstreams[i]) == 0;
		if (named)
			continue;
		struct conf_proxy *ip = &e->owned[e->n_owned++];
		*ip = (struct conf_proxy){ .router = true, .timeout_ms = 500, .ttl_ms = 30000, .deadtime_ms = 30000,
		                           .keepalive = true, .retries = 3, .max_sessions = 4096, .probe_rate = 100 };
		snprintf(ip->iface, sizeof(ip->iface), "%s", learn_upstreams[i]);
	}
	e->n_proxies = e->n_owned;
	for (size_t i = 0; i < e->n_proxies; i++)
		e->proxies[i].conf = &e->owned[i];
	uint64_t cap = 0;
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct arp_proxy_rt *p = &e->proxies[pi];
		p->rules = calloc(p->conf->n_rules ? p->conf->n_rules : 1, sizeof(*p->rules));
		if (!p->rules)
			goto fail;
		for (size_t ri = 0; ri < p->conf->n_rules; ri++)
			p->rules[ri].conf = &p->conf->rules[ri]; /* no patterns: the parser refuses them */
		proxy_core_add_proxy(&e->pc, p->conf, &p->auto_lookups, &cap);
	}
	if (proxy_core_init_tables(&e->pc, cap, 64, ARP_KNOWN_CAP, ARP_DEAD_CAP) < 0)
		goto fail;
	resolve_names(e);
	return e;
fail:
	arp_engine_free(e);
	return NULL;
}

unsigned arp_engine_take_over(struct arp_engine *e, struct arp_engine *old)
{
	unsigned kept = 0;
	proxy_known_move(&e->pc.known, &old->pc.known);
	for (uint32_t i = 0; i < old->pc.sessions.touched; i++) {
		struct proxy_session *s = &old->pc.sessions.pool[i];
		if (!s->in_use || s->state == PROXY_PROBING || s->contested)
			continue;
		const struct arp_proxy_rt *op = &old->proxies[s->proxy_idx];
		const struct conf_rule *orule = session_rule(old, s);
		for (size_t pi = 0; pi < e->n_proxies; pi++) {
			struct arp_proxy_rt *p = &e->proxies[pi];
			if (strcmp(p->conf->iface, op->conf->iface) != 0)
				continue;
			long ri = orule ? proxy_takeover_rule(p->conf, &s->target, orule) : ARP_RULE_LEARNED;
			if (ri < 0)
				break;
			struct proxy_session *n = session_new(e, (uint16_t)pi, (uint16_t)ri, &s->target, s->down_ifindex);
			if (!n)
				break;
			proxy_core_carry(&e->pc, n, s, s->routed && (p->conf->autowire == op->conf->autowire || learned(s)),
			                 true, p->conf->ttl_ms);
			n->retries_left = s->retries_left; /* a renewal under way goes on, not dies unprobed */
			kept++;
			break;
		}
	}
	for (uint32_t i = 0; i < old->pc.sessions.touched; i++)
		if (old->pc.sessions.pool[i].in_use)
			route_remove(old, &old->pc.sessions.pool[i]);
	e->c = old->c; /* counters survive a reload */
	arp_engine_free(old);
	return kept;
}

void arp_engine_free(struct arp_engine *e)
{
	if (!e)
		return;
	proxy_core_release(&e->pc);
	for (size_t pi = 0; e->proxies && pi < e->n_proxies; pi++)
		free(e->proxies[pi].rules);
	free(e->proxies);
	for (size_t i = 0; e->owned && i < e->n_owned; i++)
		free(e->owned[i].rules);
	free(e->owned);
	free(e);
}

/* ---- introspection ------------------------------------------------------ */

const struct arp_counters *arp_engine_counters(const struct arp_engine *e)
{
	return &e->c;
}

unsigned arp_engine_session_count(const struct arp_engine *e)
{
	return e->pc.sessions.used;
}

const struct proxy_core *arp_engine_core(const struct arp_engine *e)
{
	return &e->pc;
}

void arp_engine_dump_counters(const struct arp_engine *e, struct json *j)
{
#define ARP_COUNTER_DUMP(name) json_ku64(j, #name, e->c.name);
	ARP_COUNTERS(ARP_COUNTER_DUMP)
#undef ARP_COUNTER_DUMP
	for (int d = 1; d < ARP_DROP_COUNT; d++) {
		char key[48];
		snprintf(key, sizeof(key), "drop_%s", arp_drop_name((enum arp_drop)d));
		json_ku64(j, key, e->c.drops[d]);
	}
	proxy_core_dump_counts(&e->pc, j);
}
