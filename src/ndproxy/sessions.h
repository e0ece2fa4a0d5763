/* The proxy's session table: a fixed pool, a keyed hash by (proxy, target),
 * and a list of dead sessions in the order they died, so the oldest dead one
 * is reused first when the pool is full. Pool memory is reserved up front
 * and touched only as sessions are first used. */
#ifndef ISLANDD_NDPROXY_SESSIONS_H
#define ISLANDD_NDPROXY_SESSIONS_H

#include "proto/nd.h"
#include "util/hash.h"
#include "util/loop.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

enum ndp_state {
	NDP_PROBING,   /* NS sent downstream, waiting for the target's NA */
	NDP_VALID,     /* target answered: we answer for it */
	NDP_RENEWING,  /* valid, re-probed before expiry; still answered */
	NDP_INVALID,   /* target did not answer: silent until re-probed */
	NDP_LEARNED,   /* host learned by the RA relay: answered until it goes */
};

#define NDP_MAX_PENDING 4 /* solicitors remembered while a probe is out */

struct ndp_solicitor {
	struct in6_addr addr;      /* :: for DAD */
	uint8_t ll_len;
	uint8_t ll[ND_LLADDR_MAX];
};

struct ndp_session {
	struct in6_addr target;
	uint32_t hnext;            /* next in hash chain (index + 1), or free-list link */
	uint32_t dprev, dnext;     /* dead list links (index + 1) */
	uint16_t proxy_idx, rule_idx;
	uint8_t state;             /* enum ndp_state */
	uint8_t retries_left;
	uint8_t n_pending;
	bool in_use, routed, has_via, used;
	int down_ifindex;
	struct in6_addr via;
	uint64_t created_ms, confirmed_ms, probed_ms, expires_ms;
	struct ndp_solicitor pending[NDP_MAX_PENDING];
	struct loop_timer timer;
	void *owner;               /* the engine, for timer callbacks */
};

struct ndp_sessions {
	struct ndp_session *pool;
	uint32_t cap, used, touched;
	uint32_t free_head;        /* index + 1 */
	uint32_t *buckets;         /* index + 1 */
	uint32_t n_buckets;        /* power of two */
	uint32_t dead_head, dead_tail;
	struct hash_key key;
};

int ndp_sessions_init(struct ndp_sessions *t, uint32_t cap);
void ndp_sessions_free(struct ndp_sessions *t);
struct ndp_session *ndp_sessions_find(const struct ndp_sessions *t, uint16_t proxy_idx,
                                      const struct in6_addr *target);
/* A fresh zeroed session keyed (proxy_idx, target), or NULL when the pool is full. */
struct ndp_session *ndp_sessions_insert(struct ndp_sessions *t, uint16_t proxy_idx,
                                        const struct in6_addr *target);
void ndp_sessions_remove(struct ndp_sessions *t, struct ndp_session *s);
/* Dead list: sessions in NDP_INVALID, oldest first. */
void ndp_sessions_mark_dead(struct ndp_sessions *t, struct ndp_session *s);
void ndp_sessions_unmark_dead(struct ndp_sessions *t, struct ndp_session *s);
struct ndp_session *ndp_sessions_oldest_dead(const struct ndp_sessions *t);
static inline uint32_t ndp_sessions_index(const struct ndp_sessions *t, const struct ndp_session *s)
{
	return (uint32_t)(s - t->pool);
}

#endif
