/* Neighbor Discovery wire format (RFC 4861, 4389, 6106/8106, 4191, 6980).
 *
 * Pure code: no I/O, no globals, no allocation. Parsers take a whole IPv6
 * packet as AF_PACKET/SOCK_DGRAM delivers it (IPv6 header first, no
 * link-layer header) and either fill a struct or return why it was dropped.
 * Builders write a whole IPv6 packet, ICMPv6 checksum included, into a
 * caller buffer and return its length (0 when it does not fit). */
#ifndef ISLANDD_PROTO_ND_H
#define ISLANDD_PROTO_ND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_TYPE_RS 133
#define ND_TYPE_RA 134
#define ND_TYPE_NS 135
#define ND_TYPE_NA 136
#define ND_TYPE_REDIRECT 137

#define ND_NA_FLAG_ROUTER    0x80
#define ND_NA_FLAG_SOLICITED 0x40
#define ND_NA_FLAG_OVERRIDE  0x20

#define ND_RA_FLAG_MANAGED 0x80
#define ND_RA_FLAG_OTHER   0x40
#define ND_RA_FLAG_PROXY   0x04 /* RFC 4389 */
#define ND_RA_PREF_MASK    0x18 /* RFC 4191 default router preference */
#define ND_RA_PREF_LOW     0x18

#define ND_PIO_FLAG_ONLINK 0x80
#define ND_PIO_FLAG_AUTO   0x40

#define ND_LLADDR_MAX   16 /* longest link-layer address we carry (IB is 20: not supported) */
#define ND_MAX_OPTIONS  64 /* options per packet; more is a drop */
#define ND_RA_MAX_PREFIXES 16
#define ND_RA_MAX_ROUTES   16
#define ND_RA_MAX_RDNSS    8  /* addresses, across all RDNSS options */
#define ND_RA_MAX_DNSSL    8  /* DNSSL options carried (as raw option bodies) */
#define ND_RA_MAX_PREF64   4  /* RFC 8781 NAT64 prefixes */
#define ND_CAPPORT_MAX     512 /* RFC 8910 captive-portal URI, bytes */
#define ND_PACKET_MAX   1500
#define ND_MIN_IPV6_MTU 1280u /* RFC 8200 §5: every link carries this much */

/* Why a packet was not accepted. Every value has a counter in the daemon, so
 * keep the names stable: they are part of islandctl's JSON output. */
enum nd_drop {
	ND_OK = 0,
	ND_DROP_TRUNCATED,      /* shorter than the headers it claims */
	ND_DROP_NOT_IPV6,       /* IP version != 6 */
	ND_DROP_PAYLOAD_LEN,    /* IPv6 payload length disagrees with what arrived */
	ND_DROP_FRAGMENT,       /* RFC 6980: ND in a fragment (atomic ones too) */
	ND_DROP_EXT_HEADER,     /* ND behind any extension header */
	ND_DROP_NOT_ICMPV6,
	ND_DROP_NOT_ND,         /* ICMPv6 type outside 133..137 */
	ND_DROP_HOP_LIMIT,      /* != 255 */
	ND_DROP_CODE,           /* != 0 */
	ND_DROP_CHECKSUM,
	ND_DROP_ICMP_LEN,       /* ICMPv6 body shorter than the message type needs */
	ND_DROP_OPT_ZERO_LEN,   /* an option with length 0 */
	ND_DROP_OPT_OVERRUN,    /* an option longer than what is left */
	ND_DROP_OPT_COUNT,      /* more than ND_MAX_OPTIONS */
	ND_DROP_OPT_BAD,        /* a known option with a malformed body */
	ND_DROP_TARGET_MCAST,   /* NS/NA target is multicast */
	ND_DROP_SRC_MCAST,      /* source address is multicast */
	ND_DROP_DAD_DST,        /* NS from :: not sent to a solicited-node address */
	ND_DROP_DAD_SLLA,       /* NS from :: carrying a source link-layer option */
	ND_DROP_NA_SOLICITED_MCAST, /* NA to a multicast dst with S set */
	ND_DROP_RA_SRC,         /* RA/redirect source not link-local */
	ND_DROP_RS_SRC_SLLA,    /* RS from :: with a source link-layer option */
	ND_DROP_REDIRECT_ADDR,  /* redirect: multicast destination, or target neither
	                         * link-local nor the destination (RFC 4861 §8.1) */
	ND_DROP__MAX
};

const char *nd_drop_name(enum nd_drop reason);

struct nd_lladdr {
	uint8_t len; /* 0 = absent */
	uint8_t addr[ND_LLADDR_MAX];
};

struct nd_prefix_info {
	uint8_t plen;
	uint8_t flags; /* ND_PIO_FLAG_* */
	uint32_t valid_lifetime, preferred_lifetime; /* seconds, host order */
	struct in6_addr prefix;
};

struct nd_route_info { /* RFC 4191 */
	uint8_t plen;
	uint8_t pref; /* bits 4..3 as on the wire */
	uint32_t lifetime;
	struct in6_addr prefix;
};

struct nd_pref64 { /* RFC 8781 */
	uint8_t plen;      /* 96, 64, 56, 48, 40 or 32 */
	uint16_t lifetime; /* seconds, a multiple of 8 (at most 65528) */
	uint8_t prefix[12]; /* the highest 96 bits, bits past plen zero */
};

struct nd_ra {
	uint8_t cur_hop_limit;
	uint8_t flags;           /* M, O, proxy, preference bits as on the wire */
	uint16_t router_lifetime;
	uint32_t reachable_time, retrans_timer;
	uint32_t mtu;            /* 0 = no MTU option */
	uint8_t n_prefixes;
	struct nd_prefix_info prefixes[ND_RA_MAX_PREFIXES];
	uint8_t n_routes;
	struct nd_route_info routes[ND_RA_MAX_ROUTES];
	/* Each address with the lifetime of the option it came in (RFC 8106
	 * §5.1); the builder writes one option per run of equal lifetimes. */
	uint8_t n_rdnss;
	struct in6_addr rdnss[ND_RA_MAX_RDNSS];
	uint32_t rdnss_lifetime[ND_RA_MAX_RDNSS];
	/* DNSSL: raw option bodies (lifetime + encoded names), validated as
	 * well-formed DNS names; pointers into the parsed packet. */
	uint8_t n_dnssl;
	struct { const uint8_t *body; uint16_t len; } dnssl[ND_RA_MAX_DNSSL];
	uint8_t n_pref64;
	struct nd_pref64 pref64[ND_RA_MAX_PREF64];
	/* RFC 8910 captive-portal URI without its NUL padding (the first
	 * option wins); capport_len 0 = none. Points into the parsed packet. */
	const uint8_t *capport;
	uint16_t capport_len;
	/* Parser only (builders ignore them), saturating: */
	uint8_t n_over_cap;  /* PIOs, RIOs, RDNSS addresses, DNSSLs past the caps above */
	uint8_t n_ignored;   /* options the RFCs say to ignore: PIO with preferred > valid
	                      * or a link-local prefix (RFC 4862 §5.5.3, 4861 §6.3.4), RIO
	                      * with the reserved preference (RFC 4191 §2.3), PREF64 of
	                      * length != 2 or a reserved PLC (RFC 8781 §4); also a
	                      * captive-portal option that is no printable URI */
};

/* A parsed ND message. Pointers refer into the packet buffer. */
struct nd_msg {
	uint8_t type; /* ND_TYPE_* */
	uint8_t hop_limit;
	struct in6_addr src, dst;
	struct in6_addr target;    /* NS, NA (and redirect) */
	struct in6_addr redirect_dst; /* redirect: the ICMP Destination Address */
	uint8_t na_flags;          /* NA: ND_NA_FLAG_* */
	struct nd_lladdr slla;     /* source link-layer option */
	struct nd_lladdr tlla;     /* target link-layer option */
	bool has_nonce;            /* RFC 3971/7527 nonce option, for DAD */
	uint8_t nonce_len;
	uint8_t nonce[6 * 8 - 2];  /* NS only; longer nonces are ND_DROP_OPT_BAD */
	struct nd_ra ra;           /* RA only: left untouched for other types */
};

/* Parse and validate one IPv6 packet carrying an ND message, per RFC 4861
 * §6.1, §7.1 and RFC 6980. Returns ND_OK and fills *out, or the drop reason
 * (then *out holds partial garbage). Each message type keeps only the options
 * RFC 4861 lists for it (NS: SLLA, nonce; NA: TLLA; RS: SLLA; RA: SLLA, MTU,
 * PIO, RIO, RDNSS, DNSSL, PREF64, captive portal; redirect: TLLA); the first
 * SLLA/TLLA/MTU/nonce/captive portal wins; other options are length-checked
 * and skipped. PIO and RIO prefixes are
 * stored with the bits past plen cleared. */
enum nd_drop nd_parse(const uint8_t *pkt, size_t len, struct nd_msg *out);

/* ICMPv6 checksum over the pseudo-header and `len` bytes of ICMPv6 message,
 * in host order (store it big-endian). The checksum field is summed as it
 * is: 0 over a received message means the checksum is right. */
uint16_t nd_icmp6_checksum(const struct in6_addr *src, const struct in6_addr *dst,
                           const uint8_t *icmp, size_t len);

/* Builders: a whole IPv6 packet (hop limit 255) into buf; returns its length,
 * or 0 if cap is too small or an argument cannot be encoded (lladdr longer
 * than ND_LLADDR_MAX, nonce longer than 46 bytes, counts past the ND_RA_MAX_*
 * caps, plen > 128). lladdr may be NULL or of length 0 (no option, as on L3
 * links). Link-layer and nonce options are zero-padded to 8 bytes. */
size_t nd_build_na(uint8_t *buf, size_t cap, const struct in6_addr *src,
                   const struct in6_addr *dst, const struct in6_addr *target,
                   uint8_t flags, const struct nd_lladdr *tlla);
size_t nd_build_ns(uint8_t *buf, size_t cap, const struct in6_addr *src,
                   const struct in6_addr *dst, const struct in6_addr *target,
                   const struct nd_lladdr *slla, const uint8_t *nonce, size_t nonce_len);
/* RS goes to ff02::2 (all routers). */
size_t nd_build_rs(uint8_t *buf, size_t cap, const struct in6_addr *src,
                   const struct nd_lladdr *slla);
/* RA with options from ra (prefixes, routes, RDNSS, DNSSL bodies, PREF64,
 * captive portal, MTU) plus SLLA when given. Option order matches radvd's
 * (captured from radvd 2.19): PIO, RIO, RDNSS, DNSSL, MTU, SLLA; PREF64 and
 * the captive portal go before MTU.
 * No MTU option when ra->mtu is 0; one RDNSS option per run of addresses
 * with the same lifetime, in the order given; RIOs use the shortest length
 * their plen allows; a PREF64 lifetime is rounded up to 8 s units (at most
 * 65528 s) and its plen must be one RFC 8781 lists; the captive-portal URI
 * (at most ND_CAPPORT_MAX bytes) is NUL-padded. */
size_t nd_build_ra(uint8_t *buf, size_t cap, const struct in6_addr *src,
                   const struct in6_addr *dst, const struct nd_ra *ra,
                   const struct nd_lladdr *slla);

/* Address helpers. */
void nd_solicited_node(const struct in6_addr *addr, struct in6_addr *out);
bool nd_is_solicited_node(const struct in6_addr *addr);
/* Ethernet multicast MAC 33:33:xx:xx:xx:xx for an IPv6 multicast address. */
void nd_mcast_mac(const struct in6_addr *group, uint8_t mac[6]);
/* ff02::1 and ff02::2 (RFC 4291 §2.7.1). */
extern const struct in6_addr nd_all_nodes;
extern const struct in6_addr nd_all_routers;
/* True when addr lies in prefix/plen (false for plen > 128). */
bool nd_prefix_match(const struct in6_addr *addr, const struct in6_addr *prefix, uint8_t plen);

#endif
