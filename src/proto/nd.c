/* Neighbor Discovery parser: IPv6 header, ICMPv6 header and per-message
 * validity checks (RFC 4861 §6.1.1, §6.1.2, §7.1.1, §7.1.2, §8.1; RFC 6980).
 * Options are walked by nd_opt.c. */
#include <string.h>

#include "proto/nd.h"
#include "proto/nd_wire.h"

#define NH_HOPOPTS   0
#define NH_ROUTING   43
#define NH_FRAGMENT  44
#define NH_ESP       50
#define NH_AH        51
#define NH_DSTOPTS   60
#define NH_MOBILITY  135
#define NH_HIP       139
#define NH_SHIM6     140
#define NH_EXP1      253
#define NH_EXP2      254

/* How deep to look for a fragment header behind other extension headers. */
#define EXT_CHAIN_MAX 8

const char *nd_drop_name(enum nd_drop reason)
{
	/* A switch without default: the compiler flags a new enum value that
	 * has no name here. */
	switch (reason) {
	case ND_OK:                      return "ok";
	case ND_DROP_TRUNCATED:          return "truncated";
	case ND_DROP_NOT_IPV6:           return "not_ipv6";
	case ND_DROP_PAYLOAD_LEN:        return "payload_len";
	case ND_DROP_FRAGMENT:           return "fragment";
	case ND_DROP_EXT_HEADER:         return "ext_header";
	case ND_DROP_NOT_ICMPV6:         return "not_icmpv6";
	case ND_DROP_NOT_ND:             return "not_nd";
	case ND_DROP_HOP_LIMIT:          return "hop_limit";
	case ND_DROP_CODE:               return "code";
	case ND_DROP_CHECKSUM:           return "checksum";
	case ND_DROP_ICMP_LEN:           return "icmp_len";
	case ND_DROP_OPT_ZERO_LEN:       return "opt_zero_len";
	case ND_DROP_OPT_OVERRUN:        return "opt_overrun";
	case ND_DROP_OPT_COUNT:          return "opt_count";
	case ND_DROP_OPT_BAD:            return "opt_bad";
	case ND_DROP_TARGET_MCAST:       return "target_mcast";
	case ND_DROP_SRC_MCAST:          return "src_mcast";
	case ND_DROP_DAD_DST:            return "dad_dst";
	case ND_DROP_DAD_SLLA:           return "dad_slla";
	case ND_DROP_NA_SOLICITED_MCAST: return "na_solicited_mcast";
	case ND_DROP_RA_SRC:             return "ra_src";
	case ND_DROP_RS_SRC_SLLA:        return "rs_src_slla";
	case ND_DROP_REDIRECT_ADDR:      return "redirect_addr";
	case ND_DROP__MAX:               break;
	}
	return "unknown";
}

static bool ip6_is_ext_header(uint8_t nh)
{
	switch (nh) {
	case NH_HOPOPTS: case NH_ROUTING: case NH_FRAGMENT: case NH_ESP:
	case NH_AH: case NH_DSTOPTS: case NH_MOBILITY: case NH_HIP:
	case NH_SHIM6: case NH_EXP1: case NH_EXP2:
		return true;
	default:
		return false;
	}
}

/* ND behind extension headers is never accepted; the only question is which
 * counter to bump. A fragment header anywhere in the chain (RFC 6980) counts
 * as a fragment, so walk a bounded number of headers looking for one. */
static enum nd_drop ip6_classify_ext(uint8_t nh, const uint8_t *p, size_t len)
{
	for (int i = 0; i < EXT_CHAIN_MAX && ip6_is_ext_header(nh); i++) {
		if (nh == NH_FRAGMENT)
			return ND_DROP_FRAGMENT;
		if (nh == NH_ESP || len < 8)
			break; /* opaque or cut short: nothing more to learn */
		size_t hlen = nh == NH_AH ? ((size_t)p[1] + 2) * 4 : ((size_t)p[1] + 1) * 8;
		if (hlen > len)
			break;
		nh = p[0];
		p += hlen;
		len -= hlen;
	}
	return ND_DROP_EXT_HEADER;
}

static size_t nd_min_len(uint8_t type)
{
	switch (type) {
	case ND_TYPE_RS: return ND_RS_LEN;
	case ND_TYPE_RA: return ND_RA_LEN;
	case ND_TYPE_NS: return ND_NS_LEN;
	case ND_TYPE_NA: return ND_NA_LEN;
	default:         return ND_REDIRECT_LEN;
	}
}

static enum nd_drop nd_parse_ns(const uint8_t *icmp, size_t len, struct nd_msg *out)
{
	memcpy(&out->target, icmp + 8, 16);
	if (nd_addr_is_mcast(&out->target))
		return ND_DROP_TARGET_MCAST;
	bool dad = nd_addr_is_unspec(&out->src);
	if (dad && !nd_is_solicited_node(&out->dst))
		return ND_DROP_DAD_DST;
	enum nd_drop r = nd_parse_options(icmp + ND_NS_LEN, len - ND_NS_LEN, out);
	if (r != ND_OK)
		return r;
	if (dad && out->slla.len)
		return ND_DROP_DAD_SLLA;
	return ND_OK;
}

static enum nd_drop nd_parse_na(const uint8_t *icmp, size_t len, struct nd_msg *out)
{
	memcpy(&out->target, icmp + 8, 16);
	if (nd_addr_is_mcast(&out->target))
		return ND_DROP_TARGET_MCAST;
	/* Reserved bits are ignored by receivers. */
	out->na_flags = icmp[4] & (ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED | ND_NA_FLAG_OVERRIDE);
	if ((out->na_flags & ND_NA_FLAG_SOLICITED) && nd_addr_is_mcast(&out->dst))
		return ND_DROP_NA_SOLICITED_MCAST;
	return nd_parse_options(icmp + ND_NA_LEN, len - ND_NA_LEN, out);
}

static enum nd_drop nd_parse_rs(const uint8_t *icmp, size_t len, struct nd_msg *out)
{
	enum nd_drop r = nd_parse_options(icmp + ND_RS_LEN, len - ND_RS_LEN, out);
	if (r != ND_OK)
		return r;
	if (out->slla.len && nd_addr_is_unspec(&out->src))
		return ND_DROP_RS_SRC_SLLA;
	return ND_OK;
}

static enum nd_drop nd_parse_ra(const uint8_t *icmp, size_t len, struct nd_msg *out)
{
	if (!nd_addr_is_linklocal(&out->src))
		return ND_DROP_RA_SRC;
	memset(&out->ra, 0, sizeof(out->ra));
	out->ra.cur_hop_limit = icmp[4];
	out->ra.flags = icmp[5];
	out->ra.router_lifetime = be_get16(icmp + 6);
	out->ra.reachable_time = be_get32(icmp + 8);
	out->ra.retrans_timer = be_get32(icmp + 12);
	return nd_parse_options(icmp + ND_RA_LEN, len - ND_RA_LEN, out);
}

static enum nd_drop nd_parse_redirect(const uint8_t *icmp, size_t len, struct nd_msg *out)
{
	if (!nd_addr_is_linklocal(&out->src))
		return ND_DROP_RA_SRC;
	memcpy(&out->target, icmp + 8, 16);
	memcpy(&out->redirect_dst, icmp + 24, 16);
	/* §8.1: the destination is not multicast; the target is a router
	 * (link-local) or the destination itself (on-link). */
	if (nd_addr_is_mcast(&out->redirect_dst))
		return ND_DROP_REDIRECT_ADDR;
	if (!nd_addr_is_linklocal(&out->target) &&
	    memcmp(&out->target, &out->redirect_dst, sizeof(out->target)) != 0)
		return ND_DROP_REDIRECT_ADDR;
	return nd_parse_options(icmp + ND_REDIRECT_LEN, len - ND_REDIRECT_LEN, out);
}

enum nd_drop nd_parse(const uint8_t *pkt, size_t len, struct nd_msg *out)
{
	if (len < 1)
		return ND_DROP_TRUNCATED;
	if ((pkt[0] >> 4) != 6)
		return ND_DROP_NOT_IPV6;
	if (len < ND_IP6_HDR_LEN)
		return ND_DROP_TRUNCATED;

	/* Bytes past the payload length (link padding) are ignored. A zero
	 * payload length only ever means a jumbogram (RFC 2675), never ND. */
	size_t plen = be_get16(pkt + 4);
	if (plen == 0)
		return ND_DROP_PAYLOAD_LEN;
	if (plen > len - ND_IP6_HDR_LEN)
		return ND_DROP_TRUNCATED;

	const uint8_t *icmp = pkt + ND_IP6_HDR_LEN;
	uint8_t nh = pkt[6];
	if (nh != ND_IPPROTO_ICMP6)
		return ip6_is_ext_header(nh) ? ip6_classify_ext(nh, icmp, plen) : ND_DROP_NOT_ICMPV6;
	if (plen < 4)
		return ND_DROP_ICMP_LEN;

	uint8_t type = icmp[0];
	if (type < ND_TYPE_RS || type > ND_TYPE_REDIRECT)
		return ND_DROP_NOT_ND;
	if (pkt[7] != ND_HOP_LIMIT)
		return ND_DROP_HOP_LIMIT;
	if (icmp[1] != 0)
		return ND_DROP_CODE;
	if (plen < nd_min_len(type))
		return ND_DROP_ICMP_LEN;

	/* Everything but the RA part, which only RAs pay for clearing. */
	memset(out, 0, offsetof(struct nd_msg, ra));
	out->type = type;
	out->hop_limit = pkt[7];
	memcpy(&out->src, pkt + 8, 16);
	memcpy(&out->dst, pkt + 24, 16);

	if (nd_icmp6_checksum(&out->src, &out->dst, icmp, plen) != 0)
		return ND_DROP_CHECKSUM;
	if (nd_addr_is_mcast(&out->src))
		return ND_DROP_SRC_MCAST;

	switch (type) {
	case ND_TYPE_NS: return nd_parse_ns(icmp, plen, out);
	case ND_TYPE_NA: return nd_parse_na(icmp, plen, out);
	case ND_TYPE_RS: return nd_parse_rs(icmp, plen, out);
	case ND_TYPE_RA: return nd_parse_ra(icmp, plen, out);
	default:         return nd_parse_redirect(icmp, plen, out);
	}
}
