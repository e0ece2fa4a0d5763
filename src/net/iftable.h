/* The daemon's mirror of the kernel's interfaces, fed by the nl_observer
 * link and address callbacks. A bounded array: interfaces are few, and a
 * scan of it is cheaper than keeping a hash in step. Pure data, no I/O. */
#ifndef ISLANDD_IFTABLE_H
#define ISLANDD_IFTABLE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct nl_link;
struct nl_addr;

#define IFACE_LLADDR_MAX 16     /* = NL_LLADDR_MAX */
#define IFACE_ADDR_CANDIDATES 4 /* link-local / IPv4 addresses remembered per interface */

struct iface {
	int ifindex;               /* 0: free slot (never handed out) */
	char name[IF_NAMESIZE];
	bool up;                   /* IFF_UP */
	bool running;              /* IFF_RUNNING: carrier and not dormant */
	uint16_t type;             /* ARPHRD_* */
	uint32_t mtu;
	uint8_t lladdr_len;        /* 0 on L3 links */
	uint8_t lladdr[IFACE_LLADDR_MAX];
	bool has_ll;
	struct in6_addr ll;        /* a usable (not tentative, not DAD-failed) link-local */
	bool has_v4;
	struct in_addr v4;         /* the first IPv4 address seen */
	uint8_t v4_plen;           /* its prefix length: v4's subnet */

	/* Private: the addresses ll and v4 are chosen from, oldest first, so
	 * another can take over when the chosen one goes away. */
	uint8_t n_ll, n_v4;
	struct { struct in6_addr addr; uint32_t flags; bool stale; } ll_cand[IFACE_ADDR_CANDIDATES];
	struct { struct in_addr addr; uint8_t plen; bool stale; } v4_cand[IFACE_ADDR_CANDIDATES];
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
	IFACE_V4     = 1 << 7,  /* has_v4, v4 or v4_plen */
};

/* What engines are told when an interface changed: the entry (valid for
 * the call; with IFACE_GONE it is freed right after) and a mask of enum
 * iface_change. Engines see this, never netlink's messages. */
typedef void (*iface_changed_fn)(void *ctx, const struct iface *ifc, unsigned changes);

/* One address of an interface, as engines see it (the mDNS reflector keeps
 * every address of its links to choose sources and tell on-link askers). */
struct iface_addr {
	int ifindex;
	int family;                /* AF_INET6 or AF_INET */
	struct in6_addr addr;      /* IPv4 as v4-mapped (::ffff:a.b.c.d) */
	uint8_t plen;              /* at most 32 for IPv4, 128 for IPv6 */
	bool usable;               /* not tentative, DAD not failed */
};

struct iftable;

struct iftable *iftable_new(unsigned capacity);
void iftable_free(struct iftable *t);

/* Apply a link or address from netlink. Return a mask of enum iface_change
 * (0: nothing changed, or an address on an unknown interface), or -ENOSPC
 * when a new interface does not fit. When the mask is not 0 and changed is
 * not NULL, changed(ctx, entry, mask) is called first: for IFACE_GONE
 * before the entry is freed. */
int iftable_on_link(struct iftable *t, const struct nl_link *l, bool deleted,
                    iface_changed_fn changed, void *ctx);
int iftable_on_addr(struct iftable *t, const struct nl_addr *a, bool deleted,
                    iface_changed_fn changed, void *ctx);
/* The engines' view of a netlink address: false for other families. */
bool iftable_addr_of(const struct nl_addr *a, struct iface_addr *out);

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
int iftable_resync_end(struct iftable *t, iface_changed_fn changed, void *ctx);

#endif
