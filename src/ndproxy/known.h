/* Neighbours the kernel reports alive (REACHABLE, STALE, DELAY, PROBE,
 * PERMANENT), mirrored from netlink events so the hot path can ask "is this
 * target known behind that interface?" without a system call. Bounded: when
 * full, new entries are not mirrored and those targets are simply probed. */
#ifndef ISLANDD_NDPROXY_KNOWN_H
#define ISLANDD_NDPROXY_KNOWN_H

#include "util/fixtable.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct ndp_known_entry {
	struct in6_addr addr;
	int ifindex;
	uint32_t next; /* chain or free list, index + 1 */
};

struct ndp_known {
	struct ndp_known_entry *pool;
	FIXTABLE_MEMBERS; /* cap, used, touched, buckets, key, ... */
};

int ndp_known_init(struct ndp_known *k, uint32_t cap);
void ndp_known_free(struct ndp_known *k);
bool ndp_known_has(const struct ndp_known *k, int ifindex, const struct in6_addr *addr);
void ndp_known_add(struct ndp_known *k, int ifindex, const struct in6_addr *addr);
void ndp_known_del(struct ndp_known *k, int ifindex, const struct in6_addr *addr);
void ndp_known_flush_ifindex(struct ndp_known *k, int ifindex);
/* Call cb for each entry until it returns false. */
void ndp_known_foreach(const struct ndp_known *k, bool (*cb)(void *ctx, int ifindex, const struct in6_addr *addr),
                       void *ctx);
/* Move all entries of src into dst (reload); src is left empty. */
void ndp_known_move(struct ndp_known *dst, struct ndp_known *src);

#endif
