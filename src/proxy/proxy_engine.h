/* What the NDP and the ARP proxy engines do alike over the shared tables:
 * the tables themselves with their rate-limited logs, session creation
 * under the per-proxy cap, the probe budgets' checks, auto rules'
 * downstream look-up, host routes (install, remove, restore when someone
 * else deleted one), the reload's rule matching and session carry-over,
 * and islandctl's sessions/routes views. Each engine embeds a struct
 * proxy_core and says what differs by family (struct proxy_family) and
 * where its counters live. The per-packet paths are direct calls; the
 * family's callbacks serve route changes, timers and views only. */
#ifndef ISLANDD_PROXY_ENGINE_H
#define ISLANDD_PROXY_ENGINE_H

#include "conf/conf.h"
#include "net/kview.h"
#include "proxy/proxy_budgets.h"
#include "proxy/proxy_deadcache.h"
#include "proxy/proxy_known.h"
#include "proxy/proxy_sessions.h"
#include "util/log.h"
#include "util/loop.h"
#include "util/tokenbucket.h"

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct iftable;
struct json;

/* What differs by address family in logs and views, and the engine's
 * callbacks for its sessions' timers and views. */
struct proxy_family {
	const char *family;   /* islandctl's "family": "ipv4" | "ipv6" */
	const char *log_name; /* prefix of the "session table full" warning */
	unsigned host_plen;   /* a host route's length: 32 | 128 */
	/* target as text into buf (INET6_ADDRSTRLEN bytes) */
	const char *(*addr_str)(const struct in6_addr *a, char *buf);
	bool dump_mac;        /* sessions carry the target's MAC (ARP) */
	void (*session_timer)(void *session); /* the engine's; sessions' timers call it */
	/* islandctl's "proxy" of a session: the engine's proxy interface name */
	const char *(*proxy_iface)(const void *engine, uint16_t proxy_idx);
	/* the session's host route through the engine's ops: 0 or -errno */
	int (*route_add)(void *engine, const struct proxy_session *s);
	int (*route_del)(void *engine, const struct proxy_session *s);
};

/* rule_idx of sessions without a rule (NDP relay discovery, ARP learned
 * hosts): routed like the hosts a relay learns, autowire or not. */
#define PROXY_RULE_NONE UINT16_MAX

/* The engine's counters the shared code bumps (its own struct's fields). */
struct proxy_core_counters {
	uint64_t *sessions_full, *probe_budget, *probe_retry_budget, *auto_no_route;
	uint64_t *route_added, *route_removed, *route_errors, *route_restored;
};
/* The pointers into an engine's counters struct c (same field names). */
#define PROXY_CORE_COUNTERS(c)                                                                              \
	((struct proxy_core_counters){ &(c).sessions_full, &(c).probe_budget, &(c).probe_retry_budget,   \
	                               &(c).auto_no_route, &(c).route_added, &(c).route_removed,         \
	                               &(c).route_errors, &(c).route_restored })

struct proxy_core {
	struct loop *loop;
	struct iftable *ifs;
	const struct proxy_family *fam;
	struct proxy_core_counters cnt;
	void *ops_ctx;
	int (*route_oif)(void *ctx, const struct in6_addr *target);
	uint64_t (*now_ms)(void *ctx);
	void *engine;
	struct proxy_sessions sessions;
	struct proxy_known known;
	struct proxy_deadcache dead;
	struct proxy_budgets budgets; /* rate: the lowest configured */
	struct log_ratelimit rl_full;
	struct log_ratelimit rl_events; /* target/route lines: a spoofing host cannot fill the disk */
};

/* One line per event that matters, at most 20 in a burst then one a second;
 * the first line after a quiet spell says how many were held back. */
#define proxy_event(pc, ...)                                                            \
	do {                                                                            \
		if (log_ratelimit_ok(&(pc)->rl_events, 20, 1000)) {                     \
			if ((pc)->rl_events.suppressed) {                               \
				log_info("(%u similar messages suppressed)", (pc)->rl_events.suppressed); \
				(pc)->rl_events.suppressed = 0;                         \
			}                                                               \
			log_info(__VA_ARGS__);                                          \
		}                                                                       \
	} while (0)

static inline uint64_t proxy_core_now(const struct proxy_core *pc)
{
	return pc->now_ms(pc->ops_ctx);
}

/* Before the tables: what the engine works with (ops' context and calls). */
void proxy_core_init(struct proxy_core *pc, struct loop *loop, struct iftable *ifs, const struct proxy_family *fam,
                     void *ops_ctx, int (*route_oif)(void *ctx, const struct in6_addr *target),
                     uint64_t (*now_ms)(void *ctx), void *engine, struct proxy_core_counters cnt);
/* A proxy block's share: its max_sessions added to *cap, the probe-rate
 * floor of the downstream budgets, its auto rules' look-up bucket. */
void proxy_core_add_proxy(struct proxy_core *pc, const struct conf_proxy *conf, struct token_bucket *auto_lookups,
                          uint64_t *cap);
/* The tables for `cap` sessions in all (capped at 1<<22): the session pool,
 * timers reserved for them (+ timer_margin), the known-neighbour mirror (4
 * a session, 256..known_max) and the dead cache (up to dead_max). */
int proxy_core_init_tables(struct proxy_core *pc, uint64_t cap, uint32_t timer_margin, uint32_t known_max,
                           uint32_t dead_max);
/* Every live session's route removed and timer cancelled, then the tables
 * freed (safe on tables never made). */
void proxy_core_release(struct proxy_core *pc);

/* A fresh PROBING session of proxy_idx, or NULL (counted, logged rarely)
 * when the proxy has max_sessions or the pool is full. */
struct proxy_session *proxy_core_session_new(struct proxy_core *pc, uint32_t *n_sessions, uint32_t max_sessions,
                                             uint16_t proxy_idx, uint16_t rule_idx,
                                             const struct in6_addr *target, int down_ifindex, void *owner);

/* Timers are relative: the loop keeps its own monotonic clock, ops.now_ms
 * (which tests may fake) only stamps what islandctl shows. */
static inline void proxy_core_arm(struct proxy_core *pc, struct proxy_session *s, uint64_t delay_ms)
{
	s->expires_ms = proxy_core_now(pc) + delay_ms;
	loop_timer_in(pc->loop, &s->timer, delay_ms, pc->fam->session_timer, s);
}

/* Before a session is made for a new target behind down_ifindex: may its
 * first probe go out (the budget holds more than the live hosts' reserve)?
 * Checked first, so a refused probe leaves no state. Not counted. */
static inline bool proxy_core_new_probe_ok(struct proxy_core *pc, int down_ifindex)
{
	uint64_t now = proxy_core_now(pc);
	struct token_bucket *tb = proxy_budget_for(&pc->budgets, down_ifindex, now);
	return tb && token_bucket_available(tb, now, proxy_budget_reserve(tb));
}
/* A probe's token from down_ifindex's budget: a live host's check may use
 * it all, new probes and their retries leave the reserve, so a scan cannot
 * starve known hosts. Refusals count as probe_retry_budget or probe_budget. */
static inline bool proxy_core_take_probe(struct proxy_core *pc, int down_ifindex, bool live, bool is_retry)
{
	uint64_t now = proxy_core_now(pc);
	struct token_bucket *tb = proxy_budget_for(&pc->budgets, down_ifindex, now);
	if (tb && token_bucket_take(tb, now, live ? 0 : proxy_budget_reserve(tb)))
		return true;
	if (is_retry)
		(*pc->cnt.probe_retry_budget)++;
	else
		(*pc->cnt.probe_budget)++;
	return false;
}

/* A confirmed session's host route (protocol 73) when autowire is on or
 * the session has no rule; not for an auto rule's target, whose link came
 * from the routing table (a route there adds nothing and would hide later
 * changes of the real one), unless it goes via the target's router. */
void proxy_core_route_install(struct proxy_core *pc, struct proxy_session *s, bool autowire,
                              const struct conf_rule *rule);
/* The session's route, if it has one, removed (a route already gone counts
 * as removed). */
void proxy_core_route_remove(struct proxy_core *pc, struct proxy_session *s);

/* auto rules: the kernel's routing decision for target, paid from the
 * proxy's look-up bucket so a scan does not turn every request into a
 * netlink round trip; -1 (counted) when refused, unrouted or routed back
 * out of the proxy's own interface. */
int proxy_core_auto_downstream(struct proxy_core *pc, struct token_bucket *auto_lookups, int proxy_ifindex,
                               const struct in6_addr *target);

/* One of our host routes (r->plen == fam->host_plen) was deleted by an
 * operator, a script or another daemon: while its session lives the route
 * is ours to keep, so it goes back (engines clear `routed` before deleting
 * one themselves). re_add puts it back: 0 done, < 0 -errno, > 0 the
 * downstream is not usable now (left alone). */
void proxy_core_route_restore(struct proxy_core *pc, size_t n_proxies, const struct kroute *r,
                              int (*re_add)(void *engine, const struct proxy_session *s), void *engine);

/* Reload: the index of the rule of np that a session for target made under
 * orule moves to (the first matching rule decides, as for a request), when
 * it reaches the same downstream; -1 otherwise. orule NULL (no rule: learned
 * hosts, relay discovery): 0. */
long proxy_takeover_rule(const struct conf_proxy *np, const struct in6_addr *target,
                         const struct conf_rule *orule);
/* Reload: n (fresh from session_new) takes over s's life: state, stamps,
 * link-layer address, the route when `routed` (then s no longer owns it),
 * and, unless `timed` is false, a timer for the rest of ttl_ms. */
void proxy_core_carry(struct proxy_core *pc, struct proxy_session *n, struct proxy_session *s, bool routed,
                      bool timed, uint32_t ttl_ms);

/* ifindex's name, "*" for 0 (probing every downstream), "#N" when gone. */
const char *proxy_core_ifname(const struct proxy_core *pc, int ifindex, char buf[IF_NAMESIZE + 8]);
/* islandctl's views: elements of the open "sessions" / "routes" array.
 * sessions: {family,proxy,target,state,iface,age_ms,expires_ms,routed[,mac]};
 * routes: {family,dst,iface,via}. */
void proxy_core_dump_sessions(const struct proxy_core *pc, struct json *j);
void proxy_core_dump_routes(const struct proxy_core *pc, struct json *j);
/* The tables' sizes among an engine's counters: "sessions", "dead_targets". */
void proxy_core_dump_counts(const struct proxy_core *pc, struct json *j);

#endif
