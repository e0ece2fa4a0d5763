/* NDP proxy logic (RFC 4861 §7.2, RFC 4389 §4.1, RFC 6583 mitigations).
 *
 * A solicitation on a proxy interface is matched against that proxy's rules
 * in order. static rules are answered at once with no state. iface and auto
 * rules answer only for targets that proved alive downstream: the kernel
 * already knows them as neighbours there, or they answered our probe. Probes
 * are paid for from a per-interface token bucket (probe-rate), so a scan of
 * random targets cannot make us flood the downstream link or fill memory;
 * hosts already known never need a token and so are never starved. */
#include "ndproxy/ndproxy.h"
#include "proxy/proxy_engine.h"
#include "ndproxy/groups.h"
#include "util/json.h"
#include "net/iftable.h"
#include "util/log.h"
#include "util/tokenbucket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(ND_LLADDR_MAX <= PROXY_LLADDR_MAX, "a solicitor's ND link-layer address fits a proxy_solicitor");

/* After a target failed to answer, the next solicitation may re-probe it
 * after this hold: one lost NA must not black-hole a live host for `deadtime`. */
#define NDP_DEAD_HOLD_MS 1050 /* at least RetransTimer since the last probe, with a margin */
#define NDP_KNOWN_CAP 4096   /* the kernel's own neighbour table is smaller by default */
#define NDP_DEAD_CAP 4096   /* dead targets remembered: as many as sessions, at most this */
/* RFC 4861 RetransTimer: a target is never probed twice within a second. */
#define NDP_MIN_PROBE_GAP_MS 1050 /* with a margin for timer and capture jitter */
/* Sessions of on-demand relay discovery have no rule: the relay's
 * downstream links stand in for an iface rule's one interface. */
#define NDP_RULE_RELAY PROXY_RULE_NONE
#define NDP_RELAY_LINKS_MAX 32 /* CONF_MAX_DOWNSTREAM */

struct ndp_rule_rt {
	const struct conf_rule *conf;
	int down_ifindex;          /* RULE_IFACE: resolved, 0 while missing */
	/* RULE_IFACE with a pattern (`iface br-*`): the interfaces it covers
	 * now, refreshed on link events; its sessions probe them all and bind
	 * to the one the target answers on, as relay discovery does */
	bool pattern;
	unsigned n_links;
	int links[NDP_RELAY_LINKS_MAX];
};

struct ndp_proxy_rt {
	const struct conf_proxy *conf;
	int ifindex;               /* 0 while the interface is missing */
	uint32_t n_sessions;
	struct ndp_rule_rt *rules;
	struct token_bucket auto_lookups; /* auto rules: route look-ups for new targets */
};

/* A downstream link whose listeners' solicited-node groups are mirrored
 * upstream: we announce ourselves there as a multicast router (RFC 4286)
 * so snooping switches forward MLD reports to us, and query it (RFC 3810)
 * unless a router with a lower address does. */
struct ndp_mld_link {
	int ifindex;
	bool up;
	unsigned ticks;
	unsigned queries_sent; /* the first two are startup queries (RFC 3810 §9.7) */
	uint64_t next_query_ms, other_querier_until_ms;
	struct loop_timer timer;
	struct ndp_engine *e;
};
#define NDP_MAX_MLD_LINKS 64
/* ICMPv6 types a mirrored link's packet socket lets through (bit n = 128+n) */
#define NDP_MLD_TYPES (1u << (MLD_TYPE_QUERY - 128) | 1u << (MLD_TYPE_REPORT_V1 - 128) | \
                       1u << (MLD_TYPE_DONE - 128) | 1u << (MLD_TYPE_REPORT_V2 - 128))

struct ndp_engine {
	struct loop *loop;
	const struct conf *conf;
	struct iftable *ifs;
	struct ndp_ops ops;
	size_t n_proxies;
	struct ndp_proxy_rt *proxies;
	size_t n_implicit;
	struct conf_proxy *implicit; /* proxies for RA relay upstreams without a proxy block */
	struct proxy_core pc; /* sessions, known, dead, budgets */
	struct ndp_groups groups;
	struct loop_timer groups_timer;   /* expires groups heard downstream */
	uint64_t groups_sweep_ms;         /* when it fires (ops clock) */
	struct token_bucket new_groups;   /* groups heard downstream, new ones a second */
	struct ndp_mld_link mld_links[NDP_MAX_MLD_LINKS];
	size_t n_mld_links;
	struct ndp_counters c;
	struct log_ratelimit rl_group;
};

#define ndp_event(e, ...) proxy_event(&(e)->pc, __VA_ARGS__)

static void session_timer(void *ctx);
static bool relay_probe(struct ndp_engine *e, struct proxy_session *s, bool is_retry);
static bool session_unbound(const struct ndp_engine *e, const struct proxy_session *s);

static uint64_t now_ms(struct ndp_engine *e)
{
	return e->ops.now_ms(e->ops.ctx);
}

static const char *addr_str(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static const char *proxy_iface(const void *engine, uint16_t proxy_idx)
{
	return ((const struct ndp_engine *)engine)->proxies[proxy_idx].conf->iface;
}

/* A session's /128 out of its downstream (via its router with autovia), protocol 73. */
static int route_add(void *engine, const struct proxy_session *s)
{
	struct ndp_engine *e = engine;
	return e->ops.route_add(e->ops.ctx, &s->target, s->down_ifindex, s->has_via ? &s->via : NULL);
}

static int route_del(void *engine, const struct proxy_session *s)
{
	struct ndp_engine *e = engine;
	return e->ops.route_del(e->ops.ctx, &s->target, s->down_ifindex, s->has_via ? &s->via : NULL);
}

static const struct proxy_family ndp_family = {
	.family = "ipv6", .log_name = "", .host_plen = 128, .addr_str = addr_str, .dump_mac = false,
	.session_timer = session_timer, .proxy_iface = proxy_iface, .route_add = route_add, .route_del = route_del,
};

static const struct iface *iface_usable(struct ndp_engine *e, int ifindex)
{
	const struct iface *ifc = ifindex > 0 ? iftable_by_index(e->ifs, ifindex) : NULL;
	return ifc && ifc->up ? ifc : NULL;
}

/* Is ifindex a downstream of this iface rule (its interface, or one its
 * pattern covers)? */
static bool rule_covers(const struct ndp_rule_rt *r, int ifindex)
{
	if (r->conf->method != RULE_IFACE || ifindex <= 0)
		return false;
	if (!r->pattern)
		return r->down_ifindex == ifindex;
	for (unsigned i = 0; i < r->n_links; i++)
		if (r->links[i] == ifindex)
			return true;
	return false;
}

/* The rule a session was made for; NULL for learned hosts and relay discovery. */
static const struct conf_rule *session_rule(const struct ndp_engine *e, const struct proxy_session *s)
{
	if (s->state == PROXY_LEARNED || s->rule_idx == NDP_RULE_RELAY)
		return NULL;
	return e->proxies[s->proxy_idx].rules[s->rule_idx].conf;
}

static struct token_bucket *budget_for(struct ndp_engine *e, int ifindex)
{
	return proxy_budget_for(&e->pc.budgets, ifindex, now_ms(e));
}

/* ---- answering ---------------------------------------------------------- */

/* An NA for target out of p's interface ifc, from its link-local address
 * with its link-layer address as TLLA; to dst at l2, or to all-nodes when
 * dst is NULL. */
static void send_na(struct ndp_engine *e, const struct ndp_proxy_rt *p, const struct iface *ifc,
                    const struct in6_addr *dst, const uint8_t *l2, uint8_t halen,
                    const struct in6_addr *target, uint8_t flags)
{
	uint8_t mac[6];
	if (!dst) {
		dst = &nd_all_nodes;
		nd_mcast_mac(&nd_all_nodes, mac);
		l2 = mac;
		halen = 6;
	}
	struct nd_lladdr tlla = { .len = ifc->lladdr_len };
	memcpy(tlla.addr, ifc->lladdr, ifc->lladdr_len <= ND_LLADDR_MAX ? ifc->lladdr_len : 0);
	/* answer-from target: some providers' routers drop NAs for a global
	 * target from a link-local source (ndppd issues #64, #71) */
	const struct in6_addr *src = p->conf->answer_from == CONF_ANSWER_FROM_TARGET ? target : &ifc->ll;
	e->ops.send_na(e->ops.ctx, p->ifindex, l2, ifc->lladdr_len ? halen : 0, src, dst,
	               target, flags, &tlla);
}

static void answer(struct ndp_engine *e, struct ndp_proxy_rt *p, const struct in6_addr *target,
                   const struct proxy_solicitor *who)
{
	const struct iface *ifc = iface_usable(e, p->ifindex);
	if (!ifc) {
		e->c.iface_down++;
		return;
	}
	if (!ifc->has_ll) {
		e->c.no_source_address++;
		return;
	}
	uint8_t router = p->conf->router ? ND_NA_FLAG_ROUTER : 0;
	if (IN6_IS_ADDR_UNSPECIFIED(&who->addr)) /* RFC 4861 §7.2.4: DAD is answered to all-nodes */
		send_na(e, p, ifc, NULL, NULL, 0, target, router);
	else
		send_na(e, p, ifc, &who->addr, who->ll, who->ll_len, target, router | ND_NA_FLAG_SOLICITED);
	e->c.tx_na++;
}

static void answer_pending(struct ndp_engine *e, struct proxy_session *s)
{
	for (unsigned i = 0; i < s->n_pending; i++)
		answer(e, &e->proxies[s->proxy_idx], &s->target, &s->pending[i]);
	s->n_pending = 0;
}

/* ---- solicited-node memberships (RFC 4861 §7.2.8, RFC 3810) ----------- */

#define STATIC_ENUM_MIN_PLEN 120      /* a static rule this small lists its targets */
#define MLD_LISTENER_MS 260000        /* RFC 3810 §9.4 Multicast Address Listening Interval */
#define MLD_LAST_LISTENER_MS 2000     /* §9.5 Last Listener Query Time: 2 x 1 s */
#define MLD_QUERY_INTERVAL_S 125      /* §9.2 */
#define MLD_STARTUP_QUERY_GAP_MS 31250 /* §9.7: a quarter of the query interval */
#define MLD_OTHER_QUERIER_MS 255000   /* §9.5 Other Querier Present Timeout */
#define MLD_RESPONSE_MS 10000         /* §9.3 */
/* Startup queries ask for answers within 1 s (§9.3 lets the querier tune
 * it): until the hosts report, solicitations for them cannot reach us
 * through a snooping switch, so a gateway that just started would stay
 * deaf for up to 10 s. One report per group on a small island link. */
#define MLD_STARTUP_RESPONSE_MS 1000
#define MRD_INTERVAL_S 20             /* RFC 4286 §3.1: MRD advertisement interval */
#define MRD_INITIAL_GAP_MS 2000       /* RFC 4286 §3.2: three at start, at most 2 s apart */
#define NDP_GROUP_SWEEP_MIN_MS 100
#define NDP_NEW_GROUPS_PER_S 100
#define NDP_NEIGH_VOUCH_MS 30000      /* the kernel's base reachable time */

static uint32_t low24_of(const struct in6_addr *a)
{
	return (uint32_t)a->s6_addr[13] << 16 | (uint32_t)a->s6_addr[14] << 8 | a->s6_addr[15];
}

static void group_addr(uint32_t low24, struct in6_addr *out)
{
	struct in6_addr a = IN6ADDR_ANY_INIT;
	a.s6_addr[13] = (uint8_t)(low24 >> 16);
	a.s6_addr[14] = (uint8_t)(low24 >> 8);
	a.s6_addr[15] = (uint8_t)low24;
	nd_solicited_node(&a, out);
}

/* Join or leave so the kernel's membership matches what g needs: joined on
 * its proxy's interface while referenced or heard, nowhere otherwise (then
 * the entry goes). */
static void group_sync(struct ndp_engine *e, struct ndp_group *g)
{
	const struct ndp_proxy_rt *p = &e->proxies[g->proxy_idx];
	bool needed = g->refs > 0 || g->heard_until_ms > now_ms(e);
	int want_ifindex = needed ? p->ifindex : 0;
	struct in6_addr ga;
	group_addr(g->low24, &ga);
	if (g->joined_ifindex && g->joined_ifindex != want_ifindex) {
		if (e->ops.mcast_leave)
			e->ops.mcast_leave(e->ops.ctx, g->slot, g->joined_ifindex, &ga);
		g->joined_ifindex = 0;
		g->slot = -1;
		e->c.groups_left++;
	}
	if (want_ifindex > 0 && !g->joined_ifindex && e->ops.mcast_join) {
		int slot = e->ops.mcast_join(e->ops.ctx, want_ifindex, &ga);
		if (slot >= 0) {
			g->slot = (int8_t)slot;
			g->joined_ifindex = want_ifindex;
			e->c.groups_joined++;
		} else {
			e->c.group_errors++;
			char a[INET6_ADDRSTRLEN];
			if (log_ratelimit_ok(&e->rl_group, 1, 10000))
				log_warn("cannot join %s on %s: %s", addr_str(&ga, a), p->conf->iface, strerror(-slot));
		}
	}
	if (!needed)
		ndp_groups_remove(&e->groups, g);
}

static bool group_ref(struct ndp_engine *e, uint16_t pi, const struct in6_addr *target)
{
	struct ndp_group *g = ndp_groups_get(&e->groups, pi, low24_of(target));
	if (!g) {
		e->c.groups_full++;
		return false;
	}
	g->refs++;
	group_sync(e, g);
	return true;
}

static void group_unref(struct ndp_engine *e, uint16_t pi, const struct in6_addr *target)
{
	struct ndp_group *g = ndp_groups_find(&e->groups, pi, low24_of(target));
	if (!g || !g->refs)
		return;
	g->refs--;
	group_sync(e, g);
}

static void groups_sweep(void *ctx);

/* The sweep runs when the earliest heard group may expire, not on a tick. */
static void groups_sweep_at(struct ndp_engine *e, uint64_t when)
{
	if (loop_timer_armed(&e->groups_timer) && e->groups_sweep_ms <= when)
		return;
	uint64_t now = now_ms(e);
	uint64_t delay = when > now + NDP_GROUP_SWEEP_MIN_MS ? when - now : NDP_GROUP_SWEEP_MIN_MS;
	e->groups_sweep_ms = now + delay;
	loop_timer_in(e->loop, &e->groups_timer, delay, groups_sweep, e);
}

static void groups_sweep(void *ctx)
{
	struct ndp_engine *e = ctx;
	uint64_t now = now_ms(e), next = UINT64_MAX;
	for (uint32_t i = 0; i < e->groups.touched; i++) {
		struct ndp_group *g = &e->groups.pool[i];
		if (!g->in_use || !g->heard_until_ms)
			continue;
		if (g->heard_until_ms > now) {
			if (g->heard_until_ms < next)
				next = g->heard_until_ms;
			continue;
		}
		g->heard_until_ms = 0;
		group_sync(e, g);
	}
	if (next != UINT64_MAX)
		groups_sweep_at(e, next);
}

/* A listener or neighbour downstream vouches for the group until `until`. */
static void group_heard(struct ndp_engine *e, uint16_t pi, uint32_t low24, uint64_t until)
{
	struct ndp_group *g = ndp_groups_find(&e->groups, pi, low24);
	if (!g) {
		/* a host sending made-up reports costs upstream MLD traffic:
		 * new groups are paid from a bucket, and the table is bounded */
		if (!token_bucket_take(&e->new_groups, now_ms(e), 0)) {
			e->c.groups_budget++;
			return;
		}
		g = ndp_groups_get(&e->groups, pi, low24);
		if (!g) {
			e->c.groups_full++;
			return;
		}
	}
	if (until > g->heard_until_ms)
		g->heard_until_ms = until;
	group_sync(e, g);
	groups_sweep_at(e, g->heard_until_ms);
}

/* Static rules small enough to list their targets hold their groups for
 * the engine's life. A larger static prefix (a /64) cannot be listed: its
 * targets' groups are joined only when heard downstream. */
static void groups_ref_static(struct ndp_engine *e)
{
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		const struct ndp_proxy_rt *p = &e->proxies[pi];
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			const struct conf_rule *r = p->rules[ri].conf;
			if (r->method != RULE_STATIC)
				continue;
			if (r->plen < STATIC_ENUM_MIN_PLEN) {
				char a[INET6_ADDRSTRLEN];
				log_info("proxy %s: static rule %s/%u is too large to join its targets' solicited-node "
				         "groups; behind MLD snooping only solicitations for listeners heard downstream reach us",
				         p->conf->iface, addr_str(&r->prefix, a), r->plen);
				continue;
			}
			uint32_t n = 1u << (128 - r->plen);
			for (uint32_t i = 0; i < n; i++) {
				struct in6_addr t = r->prefix;
				uint32_t low = low24_of(&t) | i;
				t.s6_addr[13] = (uint8_t)(low >> 16);
				t.s6_addr[14] = (uint8_t)(low >> 8);
				t.s6_addr[15] = (uint8_t)low;
				group_ref(e, (uint16_t)pi, &t);
			}
		}
	}
}

/* Does an address under the rule's prefix end in these 24 bits? */
static bool rule_may_have_low24(const struct conf_rule *r, uint32_t low24)
{
	if (r->plen <= 104)
		return true;
	unsigned fixed = r->plen - 104u;
	uint32_t mask = fixed >= 24 ? 0xffffffu : (0xffffffu << (24 - fixed)) & 0xffffffu;
	return (low24 & mask) == (low24_of(&r->prefix) & mask);
}

/* Does p answer for hosts an RA relay learns behind ifindex? */
static bool relay_downstream(const struct ndp_engine *e, const struct ndp_proxy_rt *p, int ifindex)
{
	const struct iface *ifc = iftable_by_index(e->ifs, ifindex);
	if (!ifc)
		return false;
	for (size_t i = 0; i < e->conf->n_relays; i++) {
		const struct conf_ra_relay *r = &e->conf->relays[i];
		if (!r->learn_hosts || strcmp(r->upstream, p->conf->iface) != 0)
			continue;
		for (size_t d = 0; d < r->n_downstream; d++)
			if (conf_iface_matches(r->downstream[d], ifc->name) &&
			    !conf_iface_is_upstream(e->conf, ifc->name))
				return true;
	}
	return false;
}

/* A listener reported group low24 on downstream ifindex (or left it):
 * mirror it on every proxy interface that answers for hosts there under a
 * rule the group may belong to. */
static void downstream_group(struct ndp_engine *e, int ifindex, uint32_t low24, bool leaving)
{
	uint64_t now = now_ms(e);
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct ndp_proxy_rt *p = &e->proxies[pi];
		if (p->ifindex <= 0 || p->ifindex == ifindex)
			continue;
		bool matters = relay_downstream(e, p, ifindex);
		for (size_t ri = 0; ri < p->conf->n_rules && !matters; ri++) {
			const struct ndp_rule_rt *r = &p->rules[ri];
			matters = (rule_covers(r, ifindex) ||
			           r->conf->method == RULE_AUTO) &&
			          rule_may_have_low24(r->conf, low24);
		}
		if (!matters)
			continue;
		if (!leaving) {
			group_heard(e, (uint16_t)pi, low24, now + MLD_LISTENER_MS);
			continue;
		}
		/* another listener may remain: the querier asks, they answer
		 * within the last-listener query time, or the group goes */
		struct ndp_group *g = ndp_groups_find(&e->groups, (uint16_t)pi, low24);
		if (g && g->heard_until_ms > now + MLD_LAST_LISTENER_MS) {
			g->heard_until_ms = now + MLD_LAST_LISTENER_MS;
			groups_sweep_at(e, g->heard_until_ms);
		}
	}
}

/* A kernel neighbour just confirmed reachable downstream: a host that
 * spoke. Vouches for a while only: a STALE entry may outlive its host. */
static void neighbour_group(struct ndp_engine *e, const struct kneigh *n)
{
	if (!(n->state & (NUD_REACHABLE | NUD_PERMANENT)) || IN6_IS_ADDR_LINKLOCAL(&n->addr) ||
	    IN6_IS_ADDR_MULTICAST(&n->addr))
		return;
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct ndp_proxy_rt *p = &e->proxies[pi];
		if (p->ifindex <= 0 || p->ifindex == n->ifindex)
			continue;
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			const struct ndp_rule_rt *r = &p->rules[ri];
			if (!nd_prefix_match(&n->addr, &r->conf->prefix, r->conf->plen))
				continue;
			/* the first matching rule decides, as for a solicitation */
			if (rule_covers(r, n->ifindex) || r->conf->method == RULE_AUTO)
				group_heard(e, (uint16_t)pi, low24_of(&n->addr), now_ms(e) + NDP_NEIGH_VOUCH_MS);
			break;
		}
	}
}

static struct ndp_mld_link *mld_link_find(struct ndp_engine *e, int ifindex)
{
	for (size_t i = 0; i < e->n_mld_links; i++)
		if (e->mld_links[i].ifindex == ifindex)
			return &e->mld_links[i];
	return NULL;
}

static void mld_send(struct ndp_engine *e, const struct iface *ifc, const uint8_t *pkt, size_t len)
{
	struct in6_addr dst;
	uint8_t mac[6];
	memcpy(&dst, pkt + 24, sizeof(dst));
	nd_mcast_mac(&dst, mac);
	e->ops.send_pkt(e->ops.ctx, ifc->ifindex, mac, ifc->lladdr_len ? 6 : 0, pkt, len);
}

/* No other router with a lower address queried lately (RFC 3810 §7.6.2). */
static bool mld_is_querier(const struct ndp_mld_link *l, uint64_t now)
{
	return now >= l->other_querier_until_ms;
}

/* RFC 4286 advertisements (three at start, then every 20 s) and RFC 3810
 * general queries (two at start, then every 125 s, while we are querier). */
static void mld_link_tick(void *ctx)
{
	struct ndp_mld_link *l = ctx;
	struct ndp_engine *e = l->e;
	const struct iface *ifc = iface_usable(e, l->ifindex);
	uint64_t now = now_ms(e);
	if (ifc && ifc->has_ll && e->ops.send_pkt) {
		uint8_t pkt[128];
		size_t len = mld_build_mrd_adv(pkt, sizeof(pkt), &ifc->ll, MRD_INTERVAL_S, MLD_QUERY_INTERVAL_S, 2);
		if (len) {
			mld_send(e, ifc, pkt, len);
			e->c.mrd_adverts_sent++;
		}
		if (now >= l->next_query_ms && mld_is_querier(l, now)) {
			bool startup = l->queries_sent < 2;
			len = mld_build_query(pkt, sizeof(pkt), &ifc->ll, NULL,
			                      startup ? MLD_STARTUP_RESPONSE_MS : MLD_RESPONSE_MS, MLD_QUERY_INTERVAL_S);
			if (len) {
				mld_send(e, ifc, pkt, len);
				e->c.mld_queries_sent++;
				l->queries_sent++;
				l->next_query_ms = now + (l->next_query_ms ? MLD_QUERY_INTERVAL_S * 1000u
				                                            : MLD_STARTUP_QUERY_GAP_MS);
			}
		}
	}
	l->ticks++;
	loop_timer_in(e->loop, &l->timer, l->ticks < 3 ? MRD_INITIAL_GAP_MS : MRD_INTERVAL_S * 1000u,
	              mld_link_tick, l);
}

static void mld_link_start(struct ndp_engine *e, struct ndp_mld_link *l)
{
	l->ticks = 0;
	l->queries_sent = 0;
	l->next_query_ms = 0;
	/* shortly: the packet socket for it opens after the engine's events */
	loop_timer_in(e->loop, &l->timer, 200, mld_link_tick, l);
}

struct relay_down_walk {
	struct ndp_engine *e;
	int *want;
	size_t *n;
};

/* An interface an RA relay that learns hosts names (or its pattern covers). */
static int relay_down_add(void *ctx, const struct iface *ifc)
{
	struct relay_down_walk *w = ctx;
	const struct conf *c = w->e->conf;
	if (*w->n >= NDP_MAX_MLD_LINKS)
		return 1;
	if (conf_iface_is_upstream(c, ifc->name))
		return 0;
	for (size_t i = 0; i < c->n_relays; i++)
		for (size_t d = 0; c->relays[i].learn_hosts && d < c->relays[i].n_downstream; d++)
			if (conf_iface_matches(c->relays[i].downstream[d], ifc->name)) {
				w->want[(*w->n)++] = ifc->ifindex;
				return 0;
			}
	return 0;
}

/* The downstream links to mirror: iface rules' and RA relays' (for the
 * hosts they learn). auto rules' links are not known in advance: their
 * targets are joined per session and per kernel neighbour only. */
static void mld_links_refresh(struct ndp_engine *e)
{
	int want[NDP_MAX_MLD_LINKS];
	size_t n = 0;
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		const struct ndp_proxy_rt *p = &e->proxies[pi];
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			const struct ndp_rule_rt *r = &p->rules[ri];
			if (r->conf->method == RULE_IFACE && !r->pattern && r->down_ifindex > 0 && n < NDP_MAX_MLD_LINKS)
				want[n++] = r->down_ifindex;
			for (unsigned k = 0; r->pattern && k < r->n_links && n < NDP_MAX_MLD_LINKS; k++)
				want[n++] = r->links[k];
		}
	}
	struct relay_down_walk w = { e, want, &n };
	iftable_foreach(e->ifs, relay_down_add, &w);
	/* drop links no longer wanted */
	for (size_t i = 0; i < e->n_mld_links;) {
		bool keep = false;
		for (size_t j = 0; j < n && !keep; j++)
			keep = want[j] == e->mld_links[i].ifindex;
		if (keep) {
			i++;
			continue;
		}
		loop_timer_cancel(e->loop, &e->mld_links[i].timer);
		e->n_mld_links--;
		if (i != e->n_mld_links) {
			/* the timer holds a pointer to the slot: re-arm the moved one */
			struct ndp_mld_link *moved = &e->mld_links[e->n_mld_links];
			bool armed = loop_timer_armed(&moved->timer);
			loop_timer_cancel(e->loop, &moved->timer);
			e->mld_links[i] = *moved;
			e->mld_links[i].timer = (struct loop_timer){ 0 };
			if (armed)
				loop_timer_in(e->loop, &e->mld_links[i].timer, MRD_INITIAL_GAP_MS, mld_link_tick,
				              &e->mld_links[i]);
		}
	}
	for (size_t j = 0; j < n; j++) {
		struct ndp_mld_link *l = mld_link_find(e, want[j]);
		const struct iface *ifc = iftable_by_index(e->ifs, want[j]);
		bool up = ifc && ifc->up;
		if (!l) {
			if (e->n_mld_links == NDP_MAX_MLD_LINKS)
				continue;
			l = &e->mld_links[e->n_mld_links++];
			*l = (struct ndp_mld_link){ .ifindex = want[j], .e = e };
		}
		if (up && !l->up)
			mld_link_start(e, l); /* new, or back up: start over */
		l->up = up;
	}
}

void ndp_engine_on_mld(struct ndp_engine *e, int ifindex, const struct mld_msg *m, enum mld_drop why)
{
	if (why != MLD_OK) {
		e->c.mld_dropped++;
		return;
	}
	struct ndp_mld_link *l = mld_link_find(e, ifindex);
	if (!l)
		return;
	if (m->type == MLD_TYPE_QUERY) {
		/* RFC 3810 §7.6.2: the lowest address queries, the others listen */
		const struct iface *ifc = iftable_by_index(e->ifs, ifindex);
		if (ifc && ifc->has_ll && memcmp(&m->src, &ifc->ll, sizeof(m->src)) < 0)
			l->other_querier_until_ms = now_ms(e) + MLD_OTHER_QUERIER_MS;
		return;
	}
	e->c.mld_reports++;
	struct mld_iter it = { 0 };
	struct mld_record rec;
	while (mld_next_record(m, &it, &rec)) {
		if (!nd_is_solicited_node(&rec.group) || (!rec.listening && !rec.leaving))
			continue;
		downstream_group(e, ifindex, low24_of(&rec.group), rec.leaving);
		if (rec.leaving && mld_is_querier(l, now_ms(e)) && e->ops.send_pkt &&
		    token_bucket_take(&e->new_groups, now_ms(e), 0)) {
			/* RFC 3810 §7.4.2: ask whether anyone still listens */
			const struct iface *ifc = iface_usable(e, ifindex);
			uint8_t pkt[128];
			size_t len = ifc && ifc->has_ll ? mld_build_query(pkt, sizeof(pkt), &ifc->ll, &rec.group,
			                                                  1000, MLD_QUERY_INTERVAL_S) : 0;
			if (len) {
				mld_send(e, ifc, pkt, len);
				e->c.mld_queries_sent++;
			}
		}
	}
}

/* ---- routes ------------------------------------------------------------- */

/* Hosts found behind a relay are routed like the hosts it learns. */
static void route_install(struct ndp_engine *e, struct proxy_session *s)
{
	proxy_core_route_install(&e->pc, s, e->proxies[s->proxy_idx].conf->autowire, session_rule(e, s));
}

static void route_remove(struct ndp_engine *e, struct proxy_session *s)
{
	proxy_core_route_remove(&e->pc, s);
}

/* ---- session life ------------------------------------------------------- */

static void session_set_state(struct proxy_session *s, enum proxy_state st)
{
	s->state = (uint8_t)st;
}

static uint32_t probe_wait_ms(const struct ndp_proxy_rt *p, const struct proxy_session *s)
{
	return proxy_probe_wait_ms(p->conf, s, NDP_MIN_PROBE_GAP_MS);
}

static void session_arm(struct ndp_engine *e, struct proxy_session *s, uint64_t delay_ms)
{
	proxy_core_arm(&e->pc, s, delay_ms);
}

static void session_delete(struct ndp_engine *e, struct proxy_session *s)
{
	route_remove(e, s);
	if (s->group_ref)
		group_unref(e, s->proxy_idx, &s->target);
	s->group_ref = false;
	loop_timer_cancel(e->loop, &s->timer);
	e->proxies[s->proxy_idx].n_sessions--;
	proxy_sessions_remove(&e->pc.sessions, s);
}

/* One multicast NS for target on down, from its link-local address. */
static void probe_send(struct ndp_engine *e, const struct iface *down, const struct in6_addr *target)
{
	struct nd_lladdr slla = { .len = down->lladdr_len };
	memcpy(slla.addr, down->lladdr, down->lladdr_len <= ND_LLADDR_MAX ? down->lladdr_len : 0);
	e->ops.send_ns(e->ops.ctx, down->ifindex, &down->ll, target, &slla);
	e->c.tx_ns++;
}

static bool probe(struct ndp_engine *e, struct proxy_session *s, bool is_retry)
{
	if (session_unbound(e, s))
		return relay_probe(e, s, is_retry); /* not found yet: every downstream */
	const struct iface *down = iface_usable(e, s->down_ifindex);
	if (!down) {
		e->c.iface_down++;
		return false;
	}
	if (!down->has_ll) {
		e->c.no_source_address++;
		return false;
	}
	if (!proxy_core_take_probe(&e->pc, s->down_ifindex, s->state == PROXY_RENEWING, is_retry))
		return false;
	probe_send(e, down, &s->target);
	s->probed_ms = now_ms(e);
	return true;
}

/* The target did not answer: forget the session, remember the target in the
 * dead cache for `deadtime`. */
static void session_die_because(struct ndp_engine *e, struct proxy_session *s, const char *why)
{
	const struct ndp_proxy_rt *p = &e->proxies[s->proxy_idx];
	if (s->state == PROXY_VALID || s->state == PROXY_RENEWING) {
		char a[INET6_ADDRSTRLEN];
		ndp_event(e, "target %s lost on %s (%s)", addr_str(&s->target, a), p->conf->iface, why);
		e->c.target_lost++;
	}
	/* the kernel may keep a STALE entry for a host that left; our probe
	 * just proved it gone, so stop trusting that entry */
	proxy_known_del(&e->pc.known, s->down_ifindex, &s->target);
	proxy_dead_add(&e->pc.dead, s->proxy_idx, &s->target, s->probed_ms, now_ms(e) + p->conf->deadtime_ms);
	session_delete(e, s);
}

static void session_die(struct ndp_engine *e, struct proxy_session *s)
{
	session_die_because(e, s, "no answer downstream");
}

static void session_confirm(struct ndp_engine *e, struct proxy_session *s, const struct in6_addr *via)
{
	const struct ndp_proxy_rt *p = &e->proxies[s->proxy_idx];
	bool was_alive = s->state == PROXY_VALID || s->state == PROXY_RENEWING;
	if (!was_alive) {
		char a[INET6_ADDRSTRLEN];
		const struct iface *d = iftable_by_index(e->ifs, s->down_ifindex);
		ndp_event(e, "target %s confirmed behind %s, answered on %s", addr_str(&s->target, a),
		          d ? d->name : "?", p->conf->iface);
		e->c.target_confirmed++;
		if (s->rule_idx == NDP_RULE_RELAY)
			e->c.relay_discovered++;
	}
	const struct conf_rule *rule = session_rule(e, s);
	if (rule && rule->autovia && via && IN6_IS_ADDR_LINKLOCAL(via) && !s->routed) {
		s->via = *via;
		s->has_via = true;
	}
	session_set_state(s, PROXY_VALID);
	s->confirmed_ms = now_ms(e);
	s->used = false;
	s->retries_left = proxy_retries(p->conf);
	route_install(e, s);
	if (!s->group_ref)
		s->group_ref = group_ref(e, s->proxy_idx, &s->target);
	answer_pending(e, s);
	session_arm(e, s, p->conf->ttl_ms);
}

static void session_timer(void *ctx)
{
	struct proxy_session *s = ctx;
	struct ndp_engine *e = s->owner;
	const struct ndp_proxy_rt *p = &e->proxies[s->proxy_idx];
	switch (proxy_session_tick(s, p->conf)) {
	case PROXY_TICK_PROBE: /* a retry, or keepalive: re-probed before expiry */
		probe(e, s, true);
		session_arm(e, s, probe_wait_ms(p, s));
		break;
	case PROXY_TICK_DIE:
		session_die(e, s);
		break;
	case PROXY_TICK_DROP:
		session_delete(e, s);
		break;
	case PROXY_TICK_NONE:
		break; /* learned: they go when the RA relay says so */
	}
}

static struct proxy_session *session_new(struct ndp_engine *e, uint16_t proxy_idx, uint16_t rule_idx,
                                       const struct in6_addr *target, int down_ifindex)
{
	struct ndp_proxy_rt *p = &e->proxies[proxy_idx];
	return proxy_core_session_new(&e->pc, &p->n_sessions, p->conf->max_sessions, proxy_idx, rule_idx, target,
	                              down_ifindex, e);
}

/* ---- solicitations ------------------------------------------------------ */

static int rule_downstream(struct ndp_engine *e, struct ndp_proxy_rt *p, struct ndp_rule_rt *r,
                           const struct in6_addr *target)
{
	if (r->conf->method == RULE_IFACE)
		return r->down_ifindex;
	return proxy_core_auto_downstream(&e->pc, &p->auto_lookups, p->ifindex, target);
}

/* ---- relay discovery ---------------------------------------------------- */

static unsigned relay_links(struct ndp_engine *e, const struct ndp_proxy_rt *p,
                            const struct in6_addr *target, int links[NDP_RELAY_LINKS_MAX])
{
	if (!e->ops.relay_links || p->ifindex <= 0)
		return 0;
	unsigned n = e->ops.relay_links(e->ops.ctx, p->ifindex, target, links, NDP_RELAY_LINKS_MAX);
	return n < NDP_RELAY_LINKS_MAX ? n : NDP_RELAY_LINKS_MAX;
}

/* A session still looking for its link: relay discovery, or an iface rule
 * whose pattern covers several interfaces. */
static bool session_unbound(const struct ndp_engine *e, const struct proxy_session *s)
{
	if (s->down_ifindex != 0 || s->state == PROXY_LEARNED)
		return false;
	return s->rule_idx == NDP_RULE_RELAY || e->proxies[s->proxy_idx].rules[s->rule_idx].pattern;
}

/* The links an unbound session's target may be behind. */
static unsigned session_links(struct ndp_engine *e, const struct proxy_session *s,
                              int links[NDP_RELAY_LINKS_MAX])
{
	if (s->rule_idx == NDP_RULE_RELAY)
		return relay_links(e, &e->proxies[s->proxy_idx], &s->target, links);
	const struct ndp_rule_rt *r = &e->proxies[s->proxy_idx].rules[s->rule_idx];
	memcpy(links, r->links, r->n_links * sizeof(links[0]));
	return r->n_links;
}

/* A probe for a target not found yet: one NS on each link it may be behind,
 * each paid from that link's own budget (new-probe reserve kept). */
static bool relay_probe(struct ndp_engine *e, struct proxy_session *s, bool is_retry)
{
	int links[NDP_RELAY_LINKS_MAX];
	unsigned n = session_links(e, s, links);
	bool sent = false, refused = false;
	for (unsigned i = 0; i < n; i++) {
		const struct iface *down = iface_usable(e, links[i]);
		if (!down || !down->has_ll)
			continue;
		struct token_bucket *tb = budget_for(e, links[i]);
		if (!tb || !token_bucket_take(tb, now_ms(e), proxy_budget_reserve(tb))) {
			refused = true;
			continue;
		}
		probe_send(e, down, &s->target);
		sent = true;
	}
	if (sent)
		s->probed_ms = now_ms(e);
	else if (refused && is_retry)
		e->c.probe_retry_budget++;
	else if (refused)
		e->c.probe_budget++;
	else
		e->c.iface_down++;
	return sent;
}

/* An NA on ifindex for a target not found yet: bind the session to that
 * link if it is one of those probed. */
static bool relay_adopt(struct ndp_engine *e, struct proxy_session *s, int ifindex)
{
	if (!session_unbound(e, s))
		return false;
	int links[NDP_RELAY_LINKS_MAX];
	unsigned n = session_links(e, s, links);
	for (unsigned i = 0; i < n; i++) {
		if (links[i] == ifindex) {
			s->down_ifindex = ifindex;
			return true;
		}
	}
	return false;
}

/* No rule matched. If a relay learning hosts relays target's prefix from
 * this proxy's interface, look for target behind the relay's downstreams as
 * an iface rule would: the kernel's word, else a budgeted probe, under the
 * session cap; the dead cache was consulted by the caller. A host that was
 * there before islandd started, or does no DAD, is found on the first
 * solicitation for it. False when no relay covers target. */
static bool links_solicit(struct ndp_engine *e, uint16_t pi, uint16_t ri, const int *links, unsigned n,
                          const struct in6_addr *target, const struct proxy_solicitor *who);

static bool relay_solicit(struct ndp_engine *e, uint16_t pi, const struct in6_addr *target,
                          const struct proxy_solicitor *who)
{
	int links[NDP_RELAY_LINKS_MAX];
	unsigned n = relay_links(e, &e->proxies[pi], target, links);
	if (!n)
		return false;
	if (links_solicit(e, pi, NDP_RULE_RELAY, links, n, target, who))
		e->c.relay_probed++;
	return true;
}

/* target may be behind any of links (a relay's downstreams, an iface
 * pattern's interfaces): the kernel's word on one of them, else one
 * budgeted probe on each under the session cap. True when a probe went out. */
static bool links_solicit(struct ndp_engine *e, uint16_t pi, uint16_t ri, const int *links, unsigned n,
                          const struct in6_addr *target, const struct proxy_solicitor *who)
{
	struct ndp_proxy_rt *p = &e->proxies[pi];
	struct proxy_session *s;
	bool budget = false;
	for (unsigned i = 0; i < n; i++) {
		if (proxy_known_has(&e->pc.known, links[i], target)) {
			s = session_new(e, pi, ri, target, links[i]);
			if (s)
				session_confirm(e, s, NULL);
			answer(e, p, target, who);
			return false;
		}
		budget |= proxy_core_new_probe_ok(&e->pc, links[i]);
	}
	/* check the budget before allocating, so a refused probe leaves no state */
	if (!budget) {
		e->c.probe_budget++;
		return false;
	}
	s = session_new(e, pi, ri, target, 0);
	if (!s)
		return false;
	s->retries_left = proxy_retries(p->conf);
	proxy_session_remember(s, who);
	if (!probe(e, s, false)) {
		proxy_dead_add(&e->pc.dead, pi, target, now_ms(e), now_ms(e) + NDP_DEAD_HOLD_MS);
		session_delete(e, s);
		return false;
	}
	session_arm(e, s, probe_wait_ms(p, s));
	return true;
}

static void on_solicit(struct ndp_engine *e, uint16_t pi, const struct nd_msg *m,
                       const struct pkt_in *pin)
{
	struct ndp_proxy_rt *p = &e->proxies[pi];
	const struct iface *ifc = iftable_by_index(e->ifs, p->ifindex);
	if (ifc && ifc->has_ll && memcmp(&ifc->ll, &m->target, sizeof(m->target)) == 0) {
		e->c.ns_own_address++;
		return;
	}
	struct proxy_solicitor who = { .addr = m->src };
	/* reply to the frame's sender: the SLLA option may be absent (unicast NS) */
	if (m->slla.len && m->slla.len <= ND_LLADDR_MAX) {
		who.ll_len = m->slla.len;
		memcpy(who.ll, m->slla.addr, m->slla.len);
	} else if (pin && pin->src_ll_len <= ND_LLADDR_MAX) {
		who.ll_len = pin->src_ll_len;
		memcpy(who.ll, pin->src_ll, pin->src_ll_len);
	}

	/* a learned host (RA relay) or a session wins over rule order */
	struct proxy_session *s = proxy_sessions_find(&e->pc.sessions, pi, &m->target);
	if (s) {
		switch ((enum proxy_state)s->state) {
		case PROXY_VALID:
		case PROXY_RENEWING:
		case PROXY_LEARNED:
			s->used = true;
			answer(e, p, &m->target, &who);
			return;
		case PROXY_PROBING:
			if (proxy_known_has(&e->pc.known, s->down_ifindex, &m->target)) {
				/* a probe out to check the kernel's word: meanwhile
				 * the kernel's word is enough, as for a new target */
				session_confirm(e, s, NULL);
				answer(e, p, &m->target, &who);
				return;
			}
			proxy_session_remember(s, &who);
			e->c.ns_pending++;
			return;
		}
	}
	/* a target that did not answer: silent for a short hold after the last
	 * probe, then the next solicitation may probe it again (budget allowing) */
	struct proxy_dead *dead = proxy_dead_find(&e->pc.dead, pi, &m->target, now_ms(e));
	if (dead) {
		if (now_ms(e) - dead->probed_ms < NDP_DEAD_HOLD_MS) {
			e->c.ns_dead_target++;
			return;
		}
		proxy_dead_forget(dead);
	}

	for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
		struct ndp_rule_rt *r = &p->rules[ri];
		if (!nd_prefix_match(&m->target, &r->conf->prefix, r->conf->plen))
			continue;
		if (r->conf->method == RULE_STATIC) {
			answer(e, p, &m->target, &who);
			return;
		}
		if (r->pattern) {
			if (!r->n_links)
				e->c.iface_down++;
			else
				links_solicit(e, pi, (uint16_t)ri, r->links, r->n_links, &m->target, &who);
			return;
		}
		if (r->conf->method == RULE_IFACE && proxy_known_has(&e->pc.known, r->down_ifindex, &m->target)) {
			/* the kernel already resolved it downstream: no probe needed */
			s = session_new(e, pi, (uint16_t)ri, &m->target, r->down_ifindex);
			if (s)
				session_confirm(e, s, NULL);
			answer(e, p, &m->target, &who);
			return;
		}
		int down = rule_downstream(e, p, r, &m->target);
		if (down <= 0) {
			if (r->conf->method == RULE_IFACE)
				e->c.iface_down++;
			return;
		}
		if (r->conf->method == RULE_AUTO && proxy_known_has(&e->pc.known, down, &m->target)) {
			s = session_new(e, pi, (uint16_t)ri, &m->target, down);
			if (s)
				session_confirm(e, s, NULL);
			answer(e, p, &m->target, &who);
			return;
		}
		if (!proxy_core_new_probe_ok(&e->pc, down)) {
			e->c.probe_budget++;
			return;
		}
		s = session_new(e, pi, (uint16_t)ri, &m->target, down);
		if (!s)
			return;
		s->retries_left = proxy_retries(p->conf);
		proxy_session_remember(s, &who);
		if (!probe(e, s, false)) {
			/* no usable interface: remember briefly as dead */
			proxy_dead_add(&e->pc.dead, pi, &m->target, now_ms(e), now_ms(e) + NDP_DEAD_HOLD_MS);
			session_delete(e, s);
			return;
		}
		session_arm(e, s, probe_wait_ms(p, s));
		return;
	}
	if (relay_solicit(e, pi, &m->target, &who))
		return;
	e->c.ns_no_rule++;
}

static void on_advert(struct ndp_engine *e, int ifindex, const struct nd_msg *m)
{
	bool matched = false;
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct proxy_session *s = proxy_sessions_find(&e->pc.sessions, (uint16_t)pi, &m->target);
		if (!s || s->state == PROXY_LEARNED || (s->down_ifindex != ifindex && !relay_adopt(e, s, ifindex)))
			continue;
		matched = true;
		session_confirm(e, s, &m->src);
	}
	if (!matched)
		e->c.na_unmatched++;
}

void ndp_engine_on_nd(struct ndp_engine *e, int ifindex, const struct nd_msg *m,
                      const struct pkt_in *pin)
{
	if (m->type == ND_TYPE_NS) {
		bool counted = false;
		for (size_t pi = 0; pi < e->n_proxies; pi++) {
			if (e->proxies[pi].ifindex != ifindex)
				continue;
			if (!counted) {
				e->c.rx_ns++;
				counted = true;
			}
			on_solicit(e, (uint16_t)pi, m, pin);
		}
	} else if (m->type == ND_TYPE_NA) {
		e->c.rx_na++;
		on_advert(e, ifindex, m);
	}
}

/* ---- kernel events ------------------------------------------------------ */

/* A host the kernel knows behind an autowired iface rule gets a probe now,
 * not when the upstream first asks: after a restart its route comes back
 * within a round trip, and the kernel's possibly stale word is checked
 * rather than trusted. Budgeted like any new probe. */
static void prime_autowired(struct ndp_engine *e, const struct kneigh *n)
{
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct ndp_proxy_rt *p = &e->proxies[pi];
		if (!p->conf->autowire || proxy_sessions_find(&e->pc.sessions, (uint16_t)pi, &n->addr) ||
		    proxy_dead_find(&e->pc.dead, (uint16_t)pi, &n->addr, now_ms(e)))
			continue;
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			struct ndp_rule_rt *r = &p->rules[ri];
			if (!nd_prefix_match(&n->addr, &r->conf->prefix, r->conf->plen))
				continue;
			/* the first matching rule decides, as for a solicitation */
			if (rule_covers(r, n->ifindex)) {
				if (!proxy_core_new_probe_ok(&e->pc, n->ifindex))
					break;
				struct proxy_session *s = session_new(e, (uint16_t)pi, (uint16_t)ri, &n->addr, n->ifindex);
				if (!s)
					break;
				s->retries_left = proxy_retries(p->conf);
				if (probe(e, s, false))
					session_arm(e, s, probe_wait_ms(p, s));
				else
					session_delete(e, s);
			}
			break;
		}
	}
}

static bool prime_one(void *ctx, int ifindex, const struct in6_addr *addr)
{
	struct kneigh n = { .ifindex = ifindex, .addr = *addr };
	prime_autowired(ctx, &n);
	return true;
}

void ndp_engine_prime(struct ndp_engine *e)
{
	proxy_known_foreach(&e->pc.known, prime_one, e);
}

static bool neigh_alive(uint16_t state)
{
	return state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT);
}

void ndp_engine_on_neigh(struct ndp_engine *e, const struct kneigh *n, bool deleted)
{
	bool alive = !deleted && neigh_alive(n->state) && !n->proxy;
	if (!alive) {
		proxy_known_del(&e->pc.known, n->ifindex, &n->addr);
		return;
	}
	proxy_known_add(&e->pc.known, n->ifindex, &n->addr);
	neighbour_group(e, n);
}

/* proxy_core_route_restore's: one of our /128s back, if its link is up */
static int route_re_add(void *ctx, const struct proxy_session *s)
{
	struct ndp_engine *e = ctx;
	return iface_usable(e, s->down_ifindex) ? route_add(e, s) : 1;
}

void ndp_engine_on_route(struct ndp_engine *e, const struct kroute *r, bool deleted)
{
	if (r->ours) {
		if (deleted)
			proxy_core_route_restore(&e->pc, e->n_proxies, r, route_re_add, e);
		return; /* our own /128s */
	}
	for (uint32_t i = 0; i < e->pc.sessions.touched; i++) {
		struct proxy_session *s = &e->pc.sessions.pool[i];
		if (!s->in_use || s->state == PROXY_LEARNED)
			continue;
		const struct conf_rule *rule = session_rule(e, s);
		if (!rule || rule->method != RULE_AUTO || !nd_prefix_match(&s->target, &r->dst, r->plen))
			continue;
		int oif = e->ops.route_oif(e->ops.ctx, &s->target);
		if (oif == s->down_ifindex)
			continue;
		char a[INET6_ADDRSTRLEN];
		ndp_event(e, "target %s: its route changed, no longer behind ifindex %d", addr_str(&s->target, a),
		          s->down_ifindex);
		session_die(e, s);
	}
}

struct pattern_walk {
	const struct ndp_engine *e;
	struct ndp_rule_rt *r;
};

/* An interface an iface rule's pattern covers. Never an upstream: the
 * parser refuses a pattern covering its own proxy's interface, and one that
 * covers another block's upstream skips it. */
static int pattern_link_add(void *ctx, const struct iface *ifc)
{
	struct pattern_walk *w = ctx;
	struct ndp_rule_rt *r = w->r;
	if (!conf_iface_matches(r->conf->iface, ifc->name) || conf_iface_is_upstream(w->e->conf, ifc->name))
		return 0;
	if (r->n_links >= NDP_RELAY_LINKS_MAX)
		return 1;
	r->links[r->n_links++] = ifc->ifindex;
	return 0;
}

static void resolve_names(struct ndp_engine *e)
{
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct ndp_proxy_rt *p = &e->proxies[pi];
		const struct iface *ifc = iftable_by_name(e->ifs, p->conf->iface);
		p->ifindex = ifc ? ifc->ifindex : 0;
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			struct ndp_rule_rt *r = &p->rules[ri];
			if (r->conf->method != RULE_IFACE)
				continue;
			r->pattern = conf_iface_is_pattern(r->conf->iface);
			if (r->pattern) {
				struct pattern_walk w = { e, r };
				r->n_links = 0;
				iftable_foreach(e->ifs, pattern_link_add, &w);
				continue;
			}
			const struct iface *d = iftable_by_name(e->ifs, r->conf->iface);
			r->down_ifindex = d ? d->ifindex : 0;
		}
	}
}

/* Every group on its proxy's current interface (which may have a new index). */
static void groups_resync(struct ndp_engine *e)
{
	for (uint32_t i = 0; i < e->groups.touched; i++)
		if (e->groups.pool[i].in_use)
			group_sync(e, &e->groups.pool[i]);
}

static void link_changed(struct ndp_engine *e, const struct iface *ifc, bool deleted)
{
	resolve_names(e);
	groups_resync(e);
	mld_links_refresh(e);
	if (!deleted && ifc->up) {
		/* renamed while up: an iface rule naming the old name no longer
		 * reaches its targets there */
		for (uint32_t i = 0; i < e->pc.sessions.touched; i++) {
			struct proxy_session *s = &e->pc.sessions.pool[i];
			if (!s->in_use || s->state == PROXY_LEARNED || s->down_ifindex != ifc->ifindex)
				continue;
			if (s->rule_idx == NDP_RULE_RELAY)
				continue;
			const struct ndp_rule_rt *r = &e->proxies[s->proxy_idx].rules[s->rule_idx];
			if (r->conf->method != RULE_IFACE || rule_covers(r, ifc->ifindex))
				continue;
			char why[2 * IF_NAMESIZE + 32];
			snprintf(why, sizeof(why), "downstream %s was renamed %s", r->conf->iface, ifc->name);
			session_die_because(e, s, why);
		}
		return;
	}
	/* an interface went down or away: targets behind it are no longer known */
	proxy_known_flush_ifindex(&e->pc.known, ifc->ifindex);
	for (uint32_t i = 0; i < e->pc.sessions.touched; i++) {
		struct proxy_session *s = &e->pc.sessions.pool[i];
		if (s->in_use && s->down_ifindex == ifc->ifindex) {
			if (s->state == PROXY_LEARNED) {
				session_delete(e, s);
				continue;
			}
			if (deleted)
				s->routed = false; /* the kernel removed the route with the link */
			char why[IF_NAMESIZE + 32];
			snprintf(why, sizeof(why), "downstream %s %s", ifc->name, deleted ? "was removed" : "went down");
			session_die_because(e, s, why);
		}
	}
}

void ndp_engine_on_iface(struct ndp_engine *e, const struct iface *ifc, unsigned changes)
{
	/* the chosen link-local or IPv4 address is read when used */
	if (!(changes & ~(unsigned)(IFACE_LL | IFACE_V4)))
		return;
	link_changed(e, ifc, changes & IFACE_GONE);
	if ((changes & IFACE_LLADDR) && !(changes & (IFACE_NEW | IFACE_GONE)) && ifc->up && ifc->lladdr_len) {
		log_info("interface %s has a new link-layer address: announcing the targets answered there",
		         ifc->name);
		ndp_engine_lladdr_changed(e, ifc->ifindex);
	}
}

/* One unsolicited NA for target on p's interface: override set, solicited
 * clear, to all-nodes, with the interface's current link-layer address. */
static void announce(struct ndp_engine *e, struct ndp_proxy_rt *p, const struct in6_addr *target)
{
	const struct iface *ifc = iface_usable(e, p->ifindex);
	if (!ifc || !ifc->has_ll)
		return;
	send_na(e, p, ifc, NULL, NULL, 0, target,
	        (p->conf->router ? ND_NA_FLAG_ROUTER : 0) | ND_NA_FLAG_OVERRIDE);
	e->c.tx_unsolicited_na++;
}

/* The targets a proxy answers for: its confirmed sessions, and static rules
 * for a single address (a static prefix has no list of targets to announce). */
void ndp_engine_lladdr_changed(struct ndp_engine *e, int ifindex)
{
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct ndp_proxy_rt *p = &e->proxies[pi];
		if (p->ifindex != ifindex)
			continue;
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			const struct conf_rule *r = p->rules[ri].conf;
			if (r->method == RULE_STATIC && r->plen == 128)
				announce(e, p, &r->prefix);
		}
		for (uint32_t i = 0; i < e->pc.sessions.touched; i++) {
			struct proxy_session *s = &e->pc.sessions.pool[i];
			if (s->in_use && s->proxy_idx == pi && s->state != PROXY_PROBING)
				announce(e, p, &s->target);
		}
	}
}

bool ndp_engine_wants_iface(const struct ndp_engine *e, const char *name, uint32_t *types,
                            bool *allmulti, bool *promisc)
{
	bool want = false;
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		const struct ndp_proxy_rt *p = &e->proxies[pi];
		bool has_auto = false;
		if (strcmp(p->conf->iface, name) == 0) {
			*types |= 1u << (ND_TYPE_NS - 128);
			*allmulti = true; /* solicited-node groups of every target */
			*promisc |= p->conf->promiscuous;
			want = true;
		}
		for (size_t ri = 0; ri < p->conf->n_rules; ri++) {
			const struct conf_rule *r = p->rules[ri].conf;
			has_auto |= r->method == RULE_AUTO;
			if (r->method == RULE_IFACE && conf_iface_matches(r->iface, name) &&
			    !conf_iface_is_upstream(e->conf, name)) {
				*types |= 1u << (ND_TYPE_NA - 128) | NDP_MLD_TYPES;
				*allmulti = true; /* MLDv1 reports go to the group itself */
				want = true;
			}
		}
		/* auto rules may probe any interface but the proxy's own */
		if (has_auto && strcmp(p->conf->iface, name) != 0) {
			*types |= 1u << (ND_TYPE_NA - 128);
			want = true;
		}
	}
	/* the links behind an RA relay that learns hosts: their listeners too */
	for (size_t i = 0; i < e->conf->n_relays; i++) {
		const struct conf_ra_relay *r = &e->conf->relays[i];
		for (size_t d = 0; r->learn_hosts && d < r->n_downstream; d++) {
			if (conf_iface_matches(r->downstream[d], name) && !conf_iface_is_upstream(e->conf, name)) {
				*types |= NDP_MLD_TYPES;
				*allmulti = true;
				want = true;
			}
		}
	}
	return want;
}

void ndp_engine_learned_host(struct ndp_engine *e, int upstream_ifindex, int downstream_ifindex,
                             const struct in6_addr *addr, bool gone)
{
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		if (e->proxies[pi].ifindex != upstream_ifindex)
			continue;
		struct proxy_session *s = proxy_sessions_find(&e->pc.sessions, (uint16_t)pi, addr);
		if (gone) {
			if (s && s->state == PROXY_LEARNED)
				session_delete(e, s);
			continue;
		}
		if (!s)
			s = session_new(e, (uint16_t)pi, 0, addr, downstream_ifindex);
		if (!s)
			continue;
		loop_timer_cancel(e->loop, &s->timer);
		session_set_state(s, PROXY_LEARNED);
		s->down_ifindex = downstream_ifindex;
		s->confirmed_ms = now_ms(e);
		s->expires_ms = 0;
		if (!s->group_ref)
			s->group_ref = group_ref(e, (uint16_t)pi, addr);
		/* learned while our probe was out (the relay saw the answer too) */
		answer_pending(e, s);
		if (!s->routed) {
			int rc = e->ops.route_add(e->ops.ctx, addr, downstream_ifindex, NULL);
			if (rc == 0) {
				s->routed = true;
				e->c.route_added++;
			} else {
				e->c.route_errors++;
			}
		}
	}
}

/* ---- life cycle --------------------------------------------------------- */

struct ndp_engine *ndp_engine_new(struct loop *loop, const struct conf *conf,
                                  struct iftable *ifs, const struct ndp_ops *ops)
{
	struct ndp_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->loop = loop;
	e->conf = conf;
	e->ifs = ifs;
	e->ops = *ops;
	proxy_core_init(&e->pc, loop, ifs, &ndp_family, ops->ctx, ops->route_oif, ops->now_ms, e,
	                PROXY_CORE_COUNTERS(e->c));
	uint64_t cap = 0;
	/* An RA relay that learns hosts answers for them on its upstream like
	 * a proxy without rules; add one unless a proxy block names it. */
	e->implicit = calloc(conf->n_relays ? conf->n_relays : 1, sizeof(*e->implicit));
	e->proxies = calloc(conf->n_proxies + conf->n_relays + 1, sizeof(*e->proxies));
	if (!e->implicit || !e->proxies)
		goto fail;
	e->n_proxies = conf->n_proxies;
	for (size_t i = 0; i < conf->n_relays; i++) {
		const struct conf_ra_relay *r = &conf->relays[i];
		bool named = !r->learn_hosts;
		for (size_t pi = 0; pi < conf->n_proxies && !named; pi++)
			named = strcmp(conf->proxies[pi].iface, r->upstream) == 0;
		for (size_t j = 0; j < e->n_implicit && !named; j++)
			named = strcmp(e->implicit[j].iface, r->upstream) == 0;
		if (named)
			continue;
		struct conf_proxy *ip = &e->implicit[e->n_implicit++];
		*ip = (struct conf_proxy){ .router = true, .timeout_ms = 500, .ttl_ms = 30000,
		                           .deadtime_ms = 30000, .keepalive = true, .retries = 3,
		                           .max_sessions = 4096, .probe_rate = 100,
		                           .answer_from = r->answer_from, .pos = r->pos };
		snprintf(ip->iface, sizeof(ip->iface), "%s", r->upstream);
		e->proxies[e->n_proxies++].conf = ip;
	}
	for (size_t pi = 0; pi < e->n_proxies; pi++) {
		struct ndp_proxy_rt *p = &e->proxies[pi];
		if (pi < conf->n_proxies)
			p->conf = &conf->proxies[pi];
		p->rules = calloc(p->conf->n_rules ? p->conf->n_rules : 1, sizeof(*p->rules));
		if (!p->rules)
			goto fail;
		for (size_t ri = 0; ri < p->conf->n_rules; ri++)
			p->rules[ri].conf = &p->conf->rules[ri];
		proxy_core_add_proxy(&e->pc, p->conf, &p->auto_lookups, &cap);
	}
	if (proxy_core_init_tables(&e->pc, cap, 256, NDP_KNOWN_CAP, NDP_DEAD_CAP) < 0)
		goto fail;
	if (ndp_groups_init(&e->groups, NDP_GROUPS_CAP) < 0)
		goto fail;
	token_bucket_init(&e->new_groups, NDP_NEW_GROUPS_PER_S, NDP_NEW_GROUPS_PER_S, now_ms(e));
	resolve_names(e);
	groups_ref_static(e);
	mld_links_refresh(e);
	return e;
fail:
	ndp_engine_free(e);
	return NULL;
}

unsigned ndp_engine_take_over(struct ndp_engine *e, struct ndp_engine *old)
{
	unsigned kept = 0;
	proxy_known_move(&e->pc.known, &old->pc.known);
	for (uint32_t i = 0; i < old->pc.sessions.touched; i++) {
		struct proxy_session *s = &old->pc.sessions.pool[i];
		if (!s->in_use || s->state == PROXY_PROBING)
			continue;
		const struct ndp_proxy_rt *op = &old->proxies[s->proxy_idx];
		const struct conf_rule *orule = session_rule(old, s);
		for (size_t pi = 0; pi < e->n_proxies; pi++) {
			struct ndp_proxy_rt *p = &e->proxies[pi];
			if (strcmp(p->conf->iface, op->conf->iface) != 0)
				continue;
			long ri = proxy_takeover_rule(p->conf, &s->target, orule);
			if (ri < 0)
				break;
			if (s->rule_idx == NDP_RULE_RELAY)
				ri = NDP_RULE_RELAY;
			struct proxy_session *n = session_new(e, (uint16_t)pi, (uint16_t)ri, &s->target, s->down_ifindex);
			if (!n)
				break;
			bool learned = s->state == PROXY_LEARNED;
			proxy_core_carry(&e->pc, n, s,
			                 s->routed && (p->conf->autowire == op->conf->autowire || ri == NDP_RULE_RELAY || learned),
			                 !learned, p->conf->ttl_ms);
			/* joined again before the old engine leaves: the kernel's
			 * membership never drops, no MLD done goes out */
			n->group_ref = group_ref(e, (uint16_t)pi, &n->target);
			kept++;
			break;
		}
	}
	/* groups heard downstream stay heard: their listeners report again
	 * only when next queried */
	uint64_t now = now_ms(e);
	for (uint32_t i = 0; i < old->groups.touched; i++) {
		const struct ndp_group *og = &old->groups.pool[i];
		if (!og->in_use || og->heard_until_ms <= now)
			continue;
		const char *iface = old->proxies[og->proxy_idx].conf->iface;
		for (size_t pi = 0; pi < e->n_proxies; pi++) {
			if (strcmp(e->proxies[pi].conf->iface, iface) != 0)
				continue;
			struct ndp_group *g = ndp_groups_get(&e->groups, (uint16_t)pi, og->low24);
			if (!g) {
				e->c.groups_full++;
				break;
			}
			if (og->heard_until_ms > g->heard_until_ms)
				g->heard_until_ms = og->heard_until_ms;
			group_sync(e, g);
			groups_sweep_at(e, g->heard_until_ms);
			break;
		}
	}
	/* what the new configuration no longer covers loses its route now, so
	 * the counters carried over below include that */
	for (uint32_t i = 0; i < old->pc.sessions.touched; i++)
		if (old->pc.sessions.pool[i].in_use)
			route_remove(old, &old->pc.sessions.pool[i]);
	e->c = old->c; /* counters survive a reload */
	ndp_engine_free(old);
	return kept;
}

void ndp_engine_free(struct ndp_engine *e)
{
	if (!e)
		return;
	proxy_core_release(&e->pc);
	for (uint32_t i = 0; e->groups.pool && i < e->groups.touched; i++) {
		struct ndp_group *g = &e->groups.pool[i];
		if (g->in_use && g->joined_ifindex && e->ops.mcast_leave) {
			struct in6_addr ga;
			group_addr(g->low24, &ga);
			e->ops.mcast_leave(e->ops.ctx, g->slot, g->joined_ifindex, &ga);
		}
	}
	ndp_groups_free(&e->groups);
	loop_timer_cancel(e->loop, &e->groups_timer);
	for (size_t i = 0; i < e->n_mld_links; i++)
		loop_timer_cancel(e->loop, &e->mld_links[i].timer);
	if (e->proxies)
		for (size_t pi = 0; pi < e->n_proxies; pi++)
			free(e->proxies[pi].rules);
	free(e->proxies);
	free(e->implicit);
	free(e);
}

/* ---- introspection ------------------------------------------------------ */

const struct ndp_counters *ndp_engine_counters(const struct ndp_engine *e)
{
	return &e->c;
}

unsigned ndp_engine_session_count(const struct ndp_engine *e)
{
	return e->pc.sessions.used;
}

const struct proxy_core *ndp_engine_core(const struct ndp_engine *e)
{
	return &e->pc;
}

void ndp_engine_dump_counters(const struct ndp_engine *e, struct json *j)
{
#define NDP_COUNTER_DUMP(name) json_ku64(j, #name, e->c.name);
	NDP_COUNTERS(NDP_COUNTER_DUMP)
#undef NDP_COUNTER_DUMP
	proxy_core_dump_counts(&e->pc, j);
	json_ku64(j, "groups", e->groups.used);
}
