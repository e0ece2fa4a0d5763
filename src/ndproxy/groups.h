/* Solicited-node groups the proxy must be a member of on its proxy
 * interfaces (RFC 4861 §7.2.8), so that MLD-snooping switches and access
 * points forward solicitations for its targets to it. Many targets share a
 * group (ff02::1:ffXX:XXXX carries the low 24 bits), so entries are keyed
 * (proxy, low 24 bits) and counted: hard references from static rules and
 * live sessions, and a soft one while a listener downstream (MLD report) or
 * a kernel neighbour vouches for it. A fixed pool and keyed hash: bounded. */
#ifndef ISLANDD_NDPROXY_GROUPS_H
#define ISLANDD_NDPROXY_GROUPS_H

#include "util/fixtable.h"

#include <stdbool.h>
#include <stdint.h>

#define NDP_GROUPS_CAP 4096 /* groups per engine, all proxies together */

struct ndp_group {
	uint32_t low24;
	uint16_t proxy_idx;
	bool in_use;
	int8_t slot;            /* membership socket slot; -1 = not joined */
	int joined_ifindex;     /* where it is joined, 0 = nowhere */
	uint32_t refs;          /* static rules and sessions */
	uint64_t heard_until_ms; /* a listener or neighbour downstream, until then */
	uint32_t next;          /* chain or free list, index + 1 */
};

struct ndp_groups {
	struct ndp_group *pool;
	FIXTABLE_MEMBERS; /* cap, used, touched, buckets, key, ... */
};

int ndp_groups_init(struct ndp_groups *t, uint32_t cap);
void ndp_groups_free(struct ndp_groups *t);
struct ndp_group *ndp_groups_find(const struct ndp_groups *t, uint16_t proxy_idx, uint32_t low24);
/* Found or a fresh entry (refs 0, not joined); NULL when the pool is full. */
struct ndp_group *ndp_groups_get(struct ndp_groups *t, uint16_t proxy_idx, uint32_t low24);
void ndp_groups_remove(struct ndp_groups *t, struct ndp_group *g);

#endif
