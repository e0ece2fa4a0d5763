/* Sub-delegation: what a gateway does with a delegated prefix (RFC 7084
 * WPD/LAN requirements, RFC 9096 for renumbering).
 *
 * Each downstream link of a `dhcp6-pd` block gets a /64 of every delegated
 * prefix: its configured `subnet N`, else a number derived from the
 * configuration (links named in the block take the next free numbers in
 * the order they are written; links a pattern matches take a number hashed
 * from their name, probing upward past taken ones), so the same link gets
 * the same /64 across renewals and restarts, whatever the order events
 * come in. On the link: the address prefix::1 (kernel lifetimes = the
 * lease's, so the kernel deprecates and removes it on time; its prefix
 * route is the link's route), RAs from islandd's advertiser (the RA
 * engine's dynamic prefixes, with RDNSS/DNSSL from the server), and an
 * unreachable route for each whole delegated prefix (WPD-5: packets to
 * subnets no link has are dropped here instead of bouncing upstream).
 *
 * A prefix that goes (another one delegated, NoBinding, expiry) is
 * deprecated at once: advertised with preferred lifetime 0 and a valid
 * lifetime min(left, 2 h) counting down (RFC 9096 §3.3 L-13), its addresses
 * deprecated the same way; an expired lease's are removed at once.
 *
 * No sockets: the kernel and the advertiser are reached through struct
 * subd_ops, time through ops->now_ms and the loop's timers. */
#ifndef ISLANDD_DHCP6PD_SUBDELEGATE_H
#define ISLANDD_DHCP6PD_SUBDELEGATE_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp6pd/pd_lease.h"
#include "ra/ra.h"
#include "util/loop.h"

struct iface;
struct iftable;
struct json;

#define SUBD_MAX_LINKS    32  /* downstream links per upstream (pattern matches included) */
#define SUBD_MAX_OLD      4   /* prefixes being phased out at once */
#define SUBD_OLD_VALID_MAX_MS (2u * 3600u * 1000u) /* RFC 9096 L-13: at most 2 h */
#define SUBD_SUBNET_AUTO  (-1)

/* One `iface NAME { subnet N }` line; name may be a pattern (br-*). */
struct subd_link_conf {
	char name[IF_NAMESIZE];
	int32_t subnet;           /* SUBD_SUBNET_AUTO: next free */
};

struct subd_conf {
	char upstream[IF_NAMESIZE];
	size_t n_links;
	struct subd_link_conf links[SUBD_MAX_LINKS];
};

/* A link's /64, for the hook's SUBNETS and islandctl. */
struct subd_subnet {
	char ifname[IF_NAMESIZE];
	struct in6_addr prefix;   /* the /64 */
};

/* What a hook is told (hooks.h turns it into the environment). */
struct subd_hook_event {
	const char *reason;       /* bound renewed changed expired stopped */
	const char *upstream;
	const struct pd_lease *lease;
	uint64_t now_ms;          /* to turn the lease's times into lifetimes left */
	bool has_old;
	struct in6_addr old_prefix;
	uint8_t old_plen;
	size_t n_subnets;
	const struct subd_subnet *subnets;
};

struct subd_ops {
	void *ctx;
	/* Add or replace addr/plen on ifindex with these lifetimes (seconds,
	 * 0xffffffff infinite); the kernel adds the prefix route. 0 or -errno. */
	int (*addr_add)(void *ctx, int ifindex, const struct in6_addr *addr, uint8_t plen,
	                uint32_t preferred_s, uint32_t valid_s);
	int (*addr_del)(void *ctx, int ifindex, const struct in6_addr *addr, uint8_t plen);
	/* A route to dst/plen: through oif, or of type unreachable (oif 0). */
	int (*route_add)(void *ctx, const struct in6_addr *dst, uint8_t plen, int oif, bool unreachable);
	int (*route_del)(void *ctx, const struct in6_addr *dst, uint8_t plen, int oif, bool unreachable);
	/* What the advertiser sends on ifname (ra_engine_set_dynamic); d NULL = stop. */
	int (*ra_set_prefixes)(void *ctx, const char *ifname, const struct ra_dynamic *d);
	/* The `script` hook, when one is configured. May be NULL. */
	void (*run_hook)(void *ctx, const struct subd_hook_event *ev);
	uint64_t (*now_ms)(void *ctx);
};

#define SUBD_COUNTERS(X) \
	X(leases)            /* lease changes handled */ \
	X(renumbered)        /* a prefix replaced by another */ \
	X(addr_errors)       /* ops->addr_add/del failed */ \
	X(route_errors)      /* ops->route_add/del failed */ \
	X(ra_errors)         /* ops->ra_set_prefixes failed */ \
	X(subnet_out_of_range) /* a link's subnet number past the prefix's size */ \
	X(links_over_cap)    /* a pattern matched more than SUBD_MAX_LINKS links */

struct subd_counters {
#define SUBD_COUNTER_FIELD(name) uint64_t name;
	SUBD_COUNTERS(SUBD_COUNTER_FIELD)
#undef SUBD_COUNTER_FIELD
};

struct subdelegate;

/* conf is copied. ifs is the interface mirror (patterns, ifindexes). */
struct subdelegate *subdelegate_new(struct loop *loop, const struct subd_conf *conf, struct iftable *ifs,
                                    const struct subd_ops *ops);
/* New downstream list (reload): links that stay keep their subnet; links
 * that go stop being advertised. */
void subdelegate_reload(struct subdelegate *sd, const struct subd_conf *conf);
/* The PD engine's lease_changed callback (pd_lease.h); ctx is the
 * struct subdelegate. */
void subdelegate_lease_changed(void *ctx, const struct pd_lease *now, const struct pd_lease *before,
                               const char *event);
/* The daemon stops while a lease is held: the hook is told "stopped" (the
 * PD engine's own "stopped" comes after the sub-delegation is gone). */
void subdelegate_stopping(struct subdelegate *sd);
/* Interface-table changes: a downstream link appeared, came back or went. */
void subdelegate_on_iface(struct subdelegate *sd, const struct iface *ifc, unsigned changes);
/* The links' /64s of the lease's first prefix, at most max; returns how many. */
size_t subdelegate_subnets(const struct subdelegate *sd, struct subd_subnet *out, size_t max);
const struct subd_counters *subdelegate_counters(const struct subdelegate *sd);
void subdelegate_dump(const struct subdelegate *sd, struct json *j);
/* Stop: unreachable routes removed, the advertiser stopped on every link;
 * addresses stay with their kernel lifetimes (RFC 9096: a restart goes on
 * with the same lease). */
void subdelegate_free(struct subdelegate *sd);

/* Where a pattern-matched link starts looking for a free /64 number: a
 * hash of its name, the same after a restart. */
uint32_t subdelegate_hash_subnet(const char *name, uint32_t n_subnets);
/* prefix/plen's subnet number n as a /64 (false: n out of range). */
bool subdelegate_subnet_prefix(const struct in6_addr *prefix, uint8_t plen, uint32_t n, struct in6_addr *out);

#endif
