/* The daemon's mirror of the kernel's interfaces, fed by the nl_observer
 * link and address callbacks. A bounded array: interfaces are few, and a
 * scan of it is cheaper than keeping a hash in step. Pure data, no I/O. */
#ifndef ISLANDD_IFTABLE_H
#define ISLANDD_IFTABLE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/netlink.h"

#define IFACE_ADDR_CANDIDATES 4 /* link-local / IPv4 addresses remembered per interface */

struct iface {
	int ifindex;               /* 0: free slot (never handed out) */
	char name[IF_NAMESIZE];
	bool up;                   /* IFF_UP */
	bool running;              /* IFF_RUNNING: carrier and not dormant */
	uint16_t type;             /* ARPHRD_* */
	uint32_t mtu;
	uint8_t lladdr_len;        /* 0 on L3 links */
	uint8_t lladdr[NL_LLADDR_MAX];
	bool has_ll;
	struct in6_addr ll;        /* a usable (not tentative, not DAD-failed) link-local */
	bool has_v4;
	struct in_addr v4;         /* the first IPv4 address seen */

	/* Private: the addresses ll and v4 are chosen from, oldest first, so
	 * another can take over when the chosen one goes away. */
	uint8_t n_ll, n_v4;
	struct { struct in6_addr addr; uint32_t flags; bool stale; } ll_cand[IFACE_ADDR_CANDIDATES];
	struct { struct in_addr addr; bool stale; } v4_cand[IFACE_ADDR_CANDIDATES];
	bool stale;
};

/* What an update changed (bit set), returned by the iftable_on_* calls. */
enum iface_change {
	IFACE_NEW    = 1 << 0,
	IFACE_GONE   = 1 << 1,  /* the entry is freed after the call returns */
	IFACE_STATE  = 1 << 2,  /* up or running */
	IFACE_NAME   = 1 << 3,
	IFACE_LLADDR = 1 << 4,  /* hardware address or link type */
	IFACE_MTU    = 1 << 5,
	IFACE_LL     = 1 << 6,  /* has_ll or ll */
	IFACE_V4     = 1 << 7,  /* has_v4 or v4 */
};

struct iftable;

struct iftable *iftable_new(unsigned capacity);
void iftable_free(struct iftable *t);

/* Apply a link or address from netlink. Return a mask of enum iface_change
 * (0: nothing changed, or an address on an unknown interface), or -ENOSPC
 * when a new interface does not fit. */
int iftable_on_link(struct iftable *t, const struct nl_link *l, bool deleted);
int iftable_on_addr(struct iftable *t, const struct nl_addr *a, bool deleted);

/* Pointers stay valid until that interface is deleted. */
const struct iface *iftable_by_index(const struct iftable *t, int ifindex);
const struct iface *iftable_by_name(const struct iftable *t, const char *name);
unsigned iftable_count(const struct iftable *t);
/* Call cb for every interface; a non-zero return stops the walk and is
 * returned. cb must not add or delete interfaces. */
int iftable_foreach(const struct iftable *t, int (*cb)(void *ctx, const struct iface *ifc), void *ctx);

/* After lost netlink events (nl_observer resync_begin / resynced): begin
 * marks everything unconfirmed, the re-dump confirms what still exists,
 * end drops the rest, calling changed() for every interface it altered
 * (with IFACE_GONE before freeing one). Returns how many it altered. */
void iftable_resync_begin(struct iftable *t);
int iftable_resync_end(struct iftable *t,
                       void (*changed)(void *ctx, const struct iface *ifc, unsigned changes),
                       void *ctx);

#endif
