/* ARP for IPv4 over Ethernet (RFC 826), with RFC 5227's probe and
 * announcement forms. Parse and build the 28-byte ARP body only: the
 * packet socket is SOCK_DGRAM, so the kernel adds and strips the Ethernet
 * header and hands over its source address, which the parser may compare
 * with the sender hardware address. No I/O, no globals. */
#ifndef ISLANDD_PROTO_ARP_H
#define ISLANDD_PROTO_ARP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARP_LEN 28          /* Ethernet/IPv4 ARP body; frames may carry padding after it */
#define ARP_HTYPE_ETHER 1
#define ARP_PTYPE_IPV4 0x0800
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

/* Why a frame was refused; names are islandctl's counter keys. */
#define ARP_DROPS(X) \
	X(ok)                  \
	X(truncated)           /* shorter than 28 bytes */ \
	X(bad_htype)           /* hardware type != 1 (Ethernet) */ \
	X(bad_ptype)           /* protocol type != 0x0800 (IPv4) */ \
	X(bad_hlen)            /* hardware address length != 6 */ \
	X(bad_plen)            /* protocol address length != 4 */ \
	X(bad_op)              /* neither request (1) nor reply (2) */ \
	X(sender_mac_mcast)    /* sender MAC broadcast, multicast or zero */ \
	X(sender_mac_mismatch) /* sender MAC differs from the Ethernet source */ \
	X(sender_ip_bad)       /* sender IP multicast, broadcast, loopback, or 0 in a reply */ \
	X(target_ip_bad)       /* target IP multicast, broadcast, loopback, or 0 in a request */

enum arp_drop {
#define ARP_DROP_ENUM(name) ARP_DROP_##name,
	ARP_DROPS(ARP_DROP_ENUM)
#undef ARP_DROP_ENUM
	ARP_DROP_COUNT
};

struct arp_msg {
	uint16_t op;         /* ARP_OP_REQUEST or ARP_OP_REPLY */
	uint8_t sha[6], tha[6];
	struct in_addr spa, tpa;
	bool probe;          /* RFC 5227 probe: a request from 0.0.0.0 */
	bool gratuitous;     /* sender IP == target IP: an announcement (request) or gratuitous reply */
};

/* Parse the ARP body p[0..len). eth_src, when not NULL, is the frame's
 * Ethernet source: a sender MAC that differs from it is refused. */
enum arp_drop arp_parse(const uint8_t *p, size_t len, const uint8_t *eth_src, struct arp_msg *m);
const char *arp_drop_name(enum arp_drop d);

/* Build the body of m into out (ARP_LEN bytes; probe/gratuitous are not
 * read: they follow from the addresses). Returns ARP_LEN. */
size_t arp_build(uint8_t out[ARP_LEN], const struct arp_msg *m);
/* A request for tpa from (sha, spa); target MAC zero (RFC 5227 §2.1.1 asks
 * it of probes, and it is what a request carries). Sent broadcast or, for
 * a liveness check, unicast to the host's known MAC (RFC 1122 §2.3.2.1). */
size_t arp_build_request(uint8_t out[ARP_LEN], const uint8_t sha[6], struct in_addr spa,
                         struct in_addr tpa);
/* A reply saying `ip is at mac`, to the asker (to_mac, to_ip). */
size_t arp_build_reply(uint8_t out[ARP_LEN], const uint8_t mac[6], struct in_addr ip,
                       const uint8_t to_mac[6], struct in_addr to_ip);
/* An RFC 5227 §2.3 announcement: a request with sender IP == target IP =
 * ip, target MAC zero; broadcast. */
size_t arp_build_announce(uint8_t out[ARP_LEN], const uint8_t mac[6], struct in_addr ip);

static inline bool arp_mac_is_group(const uint8_t mac[6])
{
	return mac[0] & 1; /* broadcast is a group address too */
}

#endif
