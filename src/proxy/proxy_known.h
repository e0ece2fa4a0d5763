/* Neighbours the kernel reports alive (REACHABLE, STALE, DELAY, PROBE,
 * PERMANENT), mirrored from netlink events so the hot path can ask "is this
 * target known behind that interface?" without a system call. Bounded: when
 * full, new entries are not mirrored and those targets are simply probed. */
#ifndef ISLANDD_PROXY_KNOWN_H
#define ISLANDD_PROXY_KNOWN_H

#include "util/fixtable.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct proxy_known_entry {
	struct in6_addr addr;
	int ifindex;
	uint32_t next; /* chain or free list, index + 1 */
};

struct proxy_known {
	struct proxy_known_entry *pool;
	FIXTABLE_MEMBERS; /* cap, used, touched, buckets, key, ... */
};

int proxy_known_init(struct proxy_known *k, uint32_t cap);
void proxy_known_free(struct proxy_known *k);
bool proxy_known_has(const struct proxy_known *k, int ifindex, const struct in6_addr *addr);
void proxy_known_add(struct proxy_known *k, int ifindex, const struct in6_addr *addr);
void proxy_known_del(struct proxy_known *k, int ifindex, const struct in6_addr *addr);
void proxy_known_flush_ifindex(struct proxy_known *k, int ifindex);
/* Call cb for each entry until it returns false. */
void proxy_known_foreach(const struct proxy_known *k, bool (*cb)(void *ctx, int ifindex, const struct in6_addr *addr),
                       void *ctx);
/* Move all entries of src into dst (reload); src is left empty. */
void proxy_known_move(struct proxy_known *dst, struct proxy_known *src);

#endif
