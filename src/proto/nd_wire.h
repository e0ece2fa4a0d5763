/* Private to src/proto/nd_*.c and mld.c: the wire layout of the ND
 * messages and options, shared by the parser and the builders. */
#ifndef ISLANDD_PROTO_ND_WIRE_H
#define ISLANDD_PROTO_ND_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/bytes.h"
#include "proto/nd.h"

#define ND_IP6_HDR_LEN   40
#define ND_IPPROTO_ICMP6 58
#define ND_HOP_LIMIT     255

/* Minimum ICMPv6 lengths (type, code, checksum included), RFC 4861 §4. */
#define ND_RS_LEN        8
#define ND_RA_LEN        16
#define ND_NS_LEN        24
#define ND_NA_LEN        24
#define ND_REDIRECT_LEN  40

/* Option types. */
#define ND_OPT_SLLA      1
#define ND_OPT_TLLA      2
#define ND_OPT_PIO       3
#define ND_OPT_REDIR_HDR 4
#define ND_OPT_MTU       5
#define ND_OPT_NONCE     14 /* RFC 3971 §5.3.2 */
#define ND_OPT_RIO       24 /* RFC 4191 */
#define ND_OPT_RDNSS     25 /* RFC 8106 */
#define ND_OPT_DNSSL     31 /* RFC 8106 */
#define ND_OPT_CAPPORT   37 /* RFC 8910 */
#define ND_OPT_PREF64    38 /* RFC 8781 */

#define ND_OPT_PIO_LEN   32
#define ND_OPT_MTU_LEN   8
#define ND_OPT_PREF64_LEN 16
#define ND_PREF64_SCALED_MAX 0x1fff /* 13 bits of 8 s units */
#define ND_NONCE_MAX     (6 * 8 - 2) /* sizeof nd_msg.nonce */

static inline bool nd_addr_is_mcast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}

static inline bool nd_addr_is_unspec(const struct in6_addr *a)
{
	static const uint8_t zero[16];
	return memcmp(a->s6_addr, zero, 16) == 0;
}

static inline bool nd_addr_is_linklocal(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

/* Zero the bits of addr past plen (plen <= 128). */
void nd_prefix_mask(struct in6_addr *addr, uint8_t plen);

/* Walk and validate the options of one ND message (`len` bytes starting at
 * `opt`), storing what the message type keeps into *out. out->type and
 * out->src must already be set. */
enum nd_drop nd_parse_options(const uint8_t *opt, size_t len, struct nd_msg *out);

#endif
