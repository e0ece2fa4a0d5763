/* Targets that did not answer our probe, remembered compactly for `deadtime`
 * so they are not probed again at once, without holding a session each.
 * 4-way set-associative and fixed in size: a scan of random targets replaces
 * the oldest entries of a set and never grows memory. */
#ifndef ISLANDD_PROXY_DEADCACHE_H
#define ISLANDD_PROXY_DEADCACHE_H

#include "util/hash.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define PROXY_DEAD_WAYS 4

struct proxy_dead {
	struct in6_addr target;
	uint64_t probed_ms;   /* last probe: re-probing waits a short hold after it */
	uint64_t expires_ms;  /* 0 = free */
	uint16_t proxy_idx;
};

struct proxy_deadcache {
	struct proxy_dead *slot;
	uint32_t n_sets;      /* power of two */
	struct hash_key key;
};

/* entries is rounded up to a power of two (at least PROXY_DEAD_WAYS). The
 * table is touched here, so its memory is resident from the start. */
int proxy_dead_init(struct proxy_deadcache *c, uint32_t entries);
void proxy_dead_free(struct proxy_deadcache *c);
/* The live entry for (proxy, target), or NULL; expired entries are freed. */
struct proxy_dead *proxy_dead_find(struct proxy_deadcache *c, uint16_t proxy_idx,
                               const struct in6_addr *target, uint64_t now_ms);
/* Remember a dead target, replacing its old entry or the set's soonest to expire. */
void proxy_dead_add(struct proxy_deadcache *c, uint16_t proxy_idx, const struct in6_addr *target,
                  uint64_t probed_ms, uint64_t expires_ms);
static inline void proxy_dead_forget(struct proxy_dead *d)
{
	d->expires_ms = 0;
}
/* Live entries (a scan of the table: for islandctl, not the hot path). */
unsigned proxy_dead_count(const struct proxy_deadcache *c, uint64_t now_ms);

#endif
