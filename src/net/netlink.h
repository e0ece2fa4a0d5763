/* rtnetlink through libmnl: the only code that talks to the kernel's link,
 * address, neighbour and routing tables. Two sockets: one subscribed to
 * events (read from the loop), one for synchronous requests. */
#ifndef ISLANDD_NETLINK_H
#define ISLANDD_NETLINK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "net/kview.h"

#define NL_LLADDR_MAX 16
#define ISLANDD_RTPROT 73 /* route protocol tagging every route islandd installs */

struct nl_link {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned flags;        /* IFF_UP, IFF_RUNNING (= lower up), IFF_NOARP, ... */
	uint16_t type;         /* ARPHRD_* */
	uint32_t mtu;
	uint8_t lladdr_len;    /* 0 on L3 links (tun, WireGuard, PPP) */
	uint8_t lladdr[NL_LLADDR_MAX];
};

struct nl_addr { /* IPv6, and IPv4 for the mDNS reflector */
	int ifindex;
	uint8_t family;        /* AF_INET6 or AF_INET */
	struct in6_addr addr;  /* AF_INET6 */
	struct in_addr addr4;  /* AF_INET */
	uint8_t plen, scope;
	uint32_t flags;        /* IFA_F_TENTATIVE, IFA_F_DADFAILED, ... */
};

/* Neighbours and routes of both families: IPv4 addresses are v4-mapped
 * (::ffff:a.b.c.d) in the in6_addr fields, and an IPv4 route's plen counts
 * IPv4 bits (32 for a host route). */
struct nl_neigh {
	int ifindex;
	uint8_t family;        /* AF_INET6 or AF_INET */
	struct in6_addr addr;
	uint16_t state;        /* NUD_* */
	uint8_t flags;         /* NTF_ROUTER, NTF_PROXY ... */
	uint8_t lladdr_len;
	uint8_t lladdr[NL_LLADDR_MAX];
};

struct nl_route {
	uint8_t family;         /* AF_INET6 or AF_INET */
	struct in6_addr dst;
	uint8_t plen;           /* <= 128, or <= 32 for AF_INET */
	uint8_t protocol, type; /* RTPROT_*, RTN_* */
	uint32_t table, metric;
	int oif;                /* 0 if none */
	bool has_gateway;
	struct in6_addr gateway; /* v4-mapped when IPv4 */
};

/* Called for every object learned from events or dumps; `deleted` for RTM_DEL*.
 * Any callback may be NULL. */
struct nl_observer {
	void *ctx;
	void (*link)(void *ctx, const struct nl_link *l, bool deleted);
	void (*addr)(void *ctx, const struct nl_addr *a, bool deleted);
	void (*neigh)(void *ctx, const struct nl_neigh *n, bool deleted);
	void (*route)(void *ctx, const struct nl_route *r, bool deleted);
	/* The event socket overflowed (ENOBUFS): events were lost. nl has
	 * already re-dumped everything through the callbacks above before
	 * calling this, so observers can drop what the dump did not confirm. */
	void (*resynced)(void *ctx);
	/* Called just before that re-dump starts, so observers can mark what
	 * they hold as unconfirmed and sweep it in resynced. May be NULL. */
	void (*resync_begin)(void *ctx);
};

struct nl;

/* Open the sockets, subscribe to link, IPv4 + IPv6 address, neighbour (both
 * families) and IPv4 + IPv6 route groups. Returns 0 or -errno. */
int nl_open(struct nl **out, const struct nl_observer *obs);
void nl_close(struct nl *nl);
int nl_event_fd(const struct nl *nl);
/* Drain the event socket; call from the loop when nl_event_fd is readable. */
int nl_process_events(struct nl *nl);
/* Dump links, then addresses, neighbours and routes (all tables) of both
 * families through the observer. */
int nl_dump_all(struct nl *nl);

/* Counters for islandctl stats. */
struct nl_stats {
	uint64_t objects;    /* links, addresses, neighbours, routes decoded */
	uint64_t ignored;    /* families or message types we do not handle */
	uint64_t malformed;  /* short headers, bad attribute lengths, foreign senders */
	uint64_t overruns;   /* event socket overflows (ENOBUFS) */
	uint64_t resyncs;    /* completed re-dumps after an overflow */
};
void nl_get_stats(const struct nl *nl, struct nl_stats *out);

/* What engines are given of a neighbour or a route (net/kview.h). */
void nl_neigh_view(const struct nl_neigh *n, struct kneigh *out);
void nl_route_view(const struct nl_route *r, struct kroute *out);

/* Decode a buffer of rtnetlink messages as the event socket does, calling
 * obs and counting into stats: no socket involved (tests, fuzzing). buf
 * must be 4-byte aligned, as a receive buffer is. */
void nl_decode(const struct nl_observer *obs, struct nl_stats *stats, const void *buf, size_t len);

/* Routes islandd installs: always protocol ISLANDD_RTPROT, main table.
 * A v4-mapped dst makes an IPv4 route (plen <= 32, via v4-mapped too).
 * via may be NULL (a connected route "dev IF"). Returns 0 or -errno
 * (-EINVAL for a plen too long or a via of the other family); adding an
 * existing route is 0 (NLM_F_REPLACE), deleting a missing one -ESRCH. */
int nl_route_add(struct nl *nl, const struct in6_addr *dst, uint8_t plen, int oif,
                 const struct in6_addr *via, uint32_t metric);
int nl_route_del(struct nl *nl, const struct in6_addr *dst, uint8_t plen, int oif,
                 const struct in6_addr *via, uint32_t metric);
/* The kernel's FIB answer for dst (RTM_GETROUTE, not a dump; IPv4 when dst
 * is v4-mapped). 0 or -errno (-ENETUNREACH when there is no route). */
int nl_route_get(struct nl *nl, const struct in6_addr *dst, struct nl_route *out);
/* One neighbour entry (ARP when addr is v4-mapped): 0 and *out, -ENOENT
 * when the kernel has none. */
int nl_neigh_get(struct nl *nl, int ifindex, const struct in6_addr *addr, struct nl_neigh *out);

/* Delete every route, IPv6 and IPv4, with protocol ISLANDD_RTPROT for which
 * match(ctx, route) returns true. Used at start-up to remove routes a crashed instance left. Returns the
 * number removed, or -errno. */
int nl_route_flush(struct nl *nl, bool (*match)(void *ctx, const struct nl_route *r), void *ctx);

#endif
