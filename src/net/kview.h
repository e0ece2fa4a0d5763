/* The kernel's neighbour and routing tables as engines see them: small
 * structs of their own, filled from netlink by the daemon (netlink.h:
 * nl_neigh_view, nl_route_view), so no engine includes net/netlink.h.
 * Interfaces and their addresses are net/iftable.h's. */
#ifndef ISLANDD_NET_KVIEW_H
#define ISLANDD_NET_KVIEW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "proto/nd.h"

/* Both families: IPv4 addresses are v4-mapped (::ffff:a.b.c.d) and an
 * IPv4 route's plen counts IPv4 bits. Engines of one family check it. */
struct kneigh {
	int ifindex;
	uint8_t family;            /* AF_INET6 or AF_INET */
	struct in6_addr addr;
	uint16_t state;            /* NUD_* (linux/neighbour.h) */
	bool proxy;                /* a proxy entry (NTF_PROXY), not a host */
	struct nd_lladdr ll;       /* len 0: none */
};

struct kroute {
	uint8_t family;            /* AF_INET6 or AF_INET */
	struct in6_addr dst;
	uint8_t plen;
	bool ours;                 /* protocol ISLANDD_RTPROT: installed by an islandd */
	bool main_table;
	int oif;                   /* 0 if none */
};

#endif
