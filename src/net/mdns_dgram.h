/* A datagram's metadata between the mDNS sockets (net/mdns_sock.h) and
 * whoever reads and writes them (the reflector engine): plain data, so the
 * sockets need not know the engine. */
#ifndef ISLANDD_NET_MDNS_DGRAM_H
#define ISLANDD_NET_MDNS_DGRAM_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define MDNS_PORT          5353
/* RFC 6762 §17: a whole mDNS datagram, IP and UDP headers included, is
 * at most 9000 bytes; what we send must also fit the link's MTU unfragmented. */
#define MDNS_PACKET_MAX    9000

/* Which of the reflector's sockets: the one bound to 5353 and joined to the
 * groups, or the one on an ephemeral port used to forward legacy queries. */
enum mdns_via { MDNS_VIA_MAIN, MDNS_VIA_LEGACY };

/* Addresses are IPv6; IPv4 ones are v4-mapped (::ffff:a.b.c.d). */
struct mdns_rx {
	enum mdns_via via;
	int family;             /* AF_INET or AF_INET6 */
	int ifindex;            /* arrival interface (IP_PKTINFO / IPV6_PKTINFO) */
	struct in6_addr src;
	uint16_t sport;
	bool dst_mcast;         /* sent to 224.0.0.251 / ff02::fb, not to us */
	int hop_limit;          /* TTL / hop limit it arrived with, -1 unknown */
	bool truncated;         /* did not fit the receive buffer */
};

struct mdns_tx {
	enum mdns_via via;
	int family;
	int ifindex;
	struct in6_addr src;    /* our address on ifindex */
	struct in6_addr dst;    /* the group, or a legacy asker */
	uint16_t dport;
};

#endif
