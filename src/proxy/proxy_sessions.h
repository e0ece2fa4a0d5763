/* A proxy's session table, shared by the NDP and the ARP proxy (IPv4
 * targets as v4-mapped addresses): a fixed pool and a keyed hash by (proxy,
 * target). Sessions exist only for targets being probed or alive; targets
 * that did not answer live in the compact dead cache (deadcache.h). The pool
 * is allocated and touched once at start-up (up to PROXY_SESSIONS_PRETOUCH), so
 * resident memory does not move with load. */
#ifndef ISLANDD_PROXY_SESSIONS_H
#define ISLANDD_PROXY_SESSIONS_H

#include "conf/conf.h"
#include "util/fixtable.h"
#include "util/loop.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum proxy_state {
	PROXY_PROBING,   /* probe (NS, ARP request) sent downstream, waiting for the answer */
	PROXY_VALID,     /* target answered: we answer for it */
	PROXY_RENEWING,  /* valid, re-probed before expiry; still answered */
	PROXY_LEARNED,   /* host learned by a relay (RA, DHCPv4): answered until it goes */
};

#define PROXY_MAX_PENDING 2 /* solicitors remembered while a probe is out */
#define PROXY_SESSIONS_PRETOUCH 8192

#define PROXY_LLADDR_MAX 16 /* longest link-layer address carried */

/* Who asked while the probe was out: answered when the target answers. */
struct proxy_solicitor {
	struct in6_addr addr;      /* :: for DAD, ::ffff:0.0.0.0 for an RFC 5227 probe */
	uint8_t ll_len;
	uint8_t ll[PROXY_LLADDR_MAX];
};

struct proxy_session {
	struct in6_addr target;
	uint32_t hnext;            /* next in hash chain (index + 1), or free-list link */
	uint16_t proxy_idx, rule_idx;
	uint8_t state;             /* enum proxy_state */
	uint8_t retries_left;
	uint8_t n_pending;
	bool in_use, routed, has_via, used;
	bool group_ref;            /* NDP: holds a reference on its solicited-node group */
	bool contested;            /* ARP: its address was heard on the proxy link: re-checked, not answered */
	uint8_t lladdr_len;        /* ARP: the target's link-layer address (unicast liveness probes) */
	uint8_t lladdr[PROXY_LLADDR_MAX];
	int down_ifindex;
	struct in6_addr via;
	uint64_t created_ms, confirmed_ms, probed_ms, expires_ms;
	struct proxy_solicitor pending[PROXY_MAX_PENDING];
	struct loop_timer timer;
	void *owner;               /* the engine, for timer callbacks */
};

struct proxy_sessions {
	struct proxy_session *pool;
	FIXTABLE_MEMBERS; /* cap, used, touched, buckets, key, ... */
};

int proxy_sessions_init(struct proxy_sessions *t, uint32_t cap);
void proxy_sessions_free(struct proxy_sessions *t);
struct proxy_session *proxy_sessions_find(const struct proxy_sessions *t, uint16_t proxy_idx,
                                      const struct in6_addr *target);
/* A fresh zeroed session keyed (proxy_idx, target), or NULL when the pool is full. */
struct proxy_session *proxy_sessions_insert(struct proxy_sessions *t, uint16_t proxy_idx,
                                        const struct in6_addr *target);
void proxy_sessions_remove(struct proxy_sessions *t, struct proxy_session *s);
/* ---- the session life both proxies share ---- */

/* retries as a session counts them */
static inline uint8_t proxy_retries(const struct conf_proxy *p)
{
	return (uint8_t)(p->retries > 255 ? 255 : p->retries);
}
/* How long to wait after a probe: the configured timeout for the last one,
 * and never less than min_gap_ms (RetransTimer) while more will follow. */
static inline uint32_t proxy_probe_wait_ms(const struct conf_proxy *p, const struct proxy_session *s,
                                           uint32_t min_gap_ms)
{
	uint32_t t = p->timeout_ms;
	return s->retries_left > 0 && t < min_gap_ms ? min_gap_ms : t;
}
/* Remember who asked while the probe is out (the newest PROXY_MAX_PENDING):
 * the same address and link-layer address once. */
void proxy_session_remember(struct proxy_session *s, const struct proxy_solicitor *who);

/* What a session's timer means now (proxy_session_tick). */
enum proxy_tick {
	PROXY_TICK_NONE,   /* learned: no timer */
	PROXY_TICK_PROBE,  /* probe again (a retry, or the start of a renewal), then re-arm */
	PROXY_TICK_DIE,    /* no answer to the last probe: dead */
	PROXY_TICK_DROP,   /* valid, not renewed (no keepalive, not asked for): forget quietly */
};
/* The state machine's step at a timer: PROBING and RENEWING spend a retry
 * or die; VALID starts a renewal (keepalive, or asked for since) or is
 * dropped. Updates state and retries_left. */
enum proxy_tick proxy_session_tick(struct proxy_session *s, const struct conf_proxy *p);

static inline uint32_t proxy_sessions_index(const struct proxy_sessions *t, const struct proxy_session *s)
{
	return (uint32_t)(s - t->pool);
}

#endif
