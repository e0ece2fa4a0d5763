/* The proxy's session table: a fixed pool and a keyed hash by (proxy,
 * target). Sessions exist only for targets being probed or alive; targets
 * that did not answer live in the compact dead cache (deadcache.h). The pool
 * is allocated and touched once at start-up (up to NDP_SESSIONS_PRETOUCH), so
 * resident memory does not move with load. */
#ifndef ISLANDD_NDPROXY_SESSIONS_H
#define ISLANDD_NDPROXY_SESSIONS_H

#include "proto/nd.h"
#include "util/fixtable.h"
#include "util/loop.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum ndp_state {
	NDP_PROBING,   /* NS sent downstream, waiting for the target's NA */
	NDP_VALID,     /* target answered: we answer for it */
	NDP_RENEWING,  /* valid, re-probed before expiry; still answered */
	NDP_LEARNED,   /* host learned by the RA relay: answered until it goes */
};

#define NDP_MAX_PENDING 2 /* solicitors remembered while a probe is out */
#define NDP_SESSIONS_PRETOUCH 8192

struct ndp_solicitor {
	struct in6_addr addr;      /* :: for DAD */
	uint8_t ll_len;
	uint8_t ll[ND_LLADDR_MAX];
};

struct ndp_session {
	struct in6_addr target;
	uint32_t hnext;            /* next in hash chain (index + 1), or free-list link */
	uint16_t proxy_idx, rule_idx;
	uint8_t state;             /* enum ndp_state */
	uint8_t retries_left;
	uint8_t n_pending;
	bool in_use, routed, has_via, used;
	bool group_ref;            /* holds a reference on its solicited-node group */
	int down_ifindex;
	struct in6_addr via;
	uint64_t created_ms, confirmed_ms, probed_ms, expires_ms;
	struct ndp_solicitor pending[NDP_MAX_PENDING];
	struct loop_timer timer;
	void *owner;               /* the engine, for timer callbacks */
};

struct ndp_sessions {
	struct ndp_session *pool;
	FIXTABLE_MEMBERS; /* cap, used, touched, buckets, key, ... */
};

int ndp_sessions_init(struct ndp_sessions *t, uint32_t cap);
void ndp_sessions_free(struct ndp_sessions *t);
struct ndp_session *ndp_sessions_find(const struct ndp_sessions *t, uint16_t proxy_idx,
                                      const struct in6_addr *target);
/* A fresh zeroed session keyed (proxy_idx, target), or NULL when the pool is full. */
struct ndp_session *ndp_sessions_insert(struct ndp_sessions *t, uint16_t proxy_idx,
                                        const struct in6_addr *target);
void ndp_sessions_remove(struct ndp_sessions *t, struct ndp_session *s);
static inline uint32_t ndp_sessions_index(const struct ndp_sessions *t, const struct ndp_session *s)
{
	return (uint32_t)(s - t->pool);
}

#endif
