/* Neighbor Discovery builders: a whole IPv6 packet, options and checksum
 * included. Each builder sizes the packet first and writes nothing when it
 * does not fit, so a short buffer is never half-filled. */
#include <string.h>

#include "proto/nd.h"
#include "proto/nd_wire.h"

#define IP6_PAYLOAD_MAX 0xffff


/* An option carrying `n` bytes after type and length, padded to 8. */
static size_t padded_opt_len(size_t n)
{
	return (2 + n + 7) & ~(size_t)7;
}

static size_t lladdr_opt_len(const struct nd_lladdr *ll)
{
	return ll && ll->len ? padded_opt_len(ll->len) : 0;
}

static bool lladdr_fits(const struct nd_lladdr *ll)
{
	return !ll || ll->len <= ND_LLADDR_MAX;
}

static uint8_t *put_padded_opt(uint8_t *p, uint8_t type, const uint8_t *body, size_t n)
{
	size_t olen = padded_opt_len(n);
	p[0] = type;
	p[1] = (uint8_t)(olen / 8);
	memcpy(p + 2, body, n);
	memset(p + 2 + n, 0, olen - 2 - n);
	return p + olen;
}

static uint8_t *put_lladdr_opt(uint8_t *p, uint8_t type, const struct nd_lladdr *ll)
{
	if (!ll || !ll->len)
		return p;
	return put_padded_opt(p, type, ll->addr, ll->len);
}

/* True when a packet with icmp_len bytes of ICMPv6 fits both cap and the
 * IPv6 payload length field. */
static bool packet_fits(size_t cap, size_t icmp_len)
{
	return icmp_len <= IP6_PAYLOAD_MAX && cap >= ND_IP6_HDR_LEN &&
	       icmp_len <= cap - ND_IP6_HDR_LEN;
}

/* IPv6 header in front, checksum into the ICMPv6 header; icmp_len bytes of
 * message must already be at buf + 40 (checksum field zero). */
static size_t packet_finish(uint8_t *buf, const struct in6_addr *src,
                            const struct in6_addr *dst, size_t icmp_len)
{
	buf[0] = 0x60; /* version 6, traffic class 0, flow label 0 */
	buf[1] = 0;
	buf[2] = 0;
	buf[3] = 0;
	be_put16(buf + 4, (uint16_t)icmp_len);
	buf[6] = ND_IPPROTO_ICMP6;
	buf[7] = ND_HOP_LIMIT;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	uint8_t *icmp = buf + ND_IP6_HDR_LEN;
	be_put16(icmp + 2, nd_icmp6_checksum(src, dst, icmp, icmp_len));
	return ND_IP6_HDR_LEN + icmp_len;
}

/* Type, code 0, checksum 0 and zeroes up to `len`. */
static uint8_t *put_icmp_head(uint8_t *buf, uint8_t type, size_t len)
{
	uint8_t *icmp = buf + ND_IP6_HDR_LEN;
	memset(icmp, 0, len);
	icmp[0] = type;
	return icmp;
}

size_t nd_build_na(uint8_t *buf, size_t cap, const struct in6_addr *src,
                   const struct in6_addr *dst, const struct in6_addr *target,
                   uint8_t flags, const struct nd_lladdr *tlla)
{
	if (!lladdr_fits(tlla))
		return 0;
	size_t icmp_len = ND_NA_LEN + lladdr_opt_len(tlla);
	if (!packet_fits(cap, icmp_len))
		return 0;
	uint8_t *icmp = put_icmp_head(buf, ND_TYPE_NA, ND_NA_LEN);
	icmp[4] = flags;
	memcpy(icmp + 8, target, 16);
	put_lladdr_opt(icmp + ND_NA_LEN, ND_OPT_TLLA, tlla);
	return packet_finish(buf, src, dst, icmp_len);
}

size_t nd_build_ns(uint8_t *buf, size_t cap, const struct in6_addr *src,
                   const struct in6_addr *dst, const struct in6_addr *target,
                   const struct nd_lladdr *slla, const uint8_t *nonce, size_t nonce_len)
{
	if (!lladdr_fits(slla) || nonce_len > ND_NONCE_MAX || (nonce_len && !nonce))
		return 0;
	size_t icmp_len = ND_NS_LEN + lladdr_opt_len(slla);
	if (nonce_len)
		icmp_len += padded_opt_len(nonce_len);
	if (!packet_fits(cap, icmp_len))
		return 0;
	uint8_t *icmp = put_icmp_head(buf, ND_TYPE_NS, ND_NS_LEN);
	memcpy(icmp + 8, target, 16);
	uint8_t *p = put_lladdr_opt(icmp + ND_NS_LEN, ND_OPT_SLLA, slla);
	if (nonce_len)
		put_padded_opt(p, ND_OPT_NONCE, nonce, nonce_len);
	return packet_finish(buf, src, dst, icmp_len);
}

size_t nd_build_rs(uint8_t *buf, size_t cap, const struct in6_addr *src,
                   const struct nd_lladdr *slla)
{
	if (!lladdr_fits(slla))
		return 0;
	size_t icmp_len = ND_RS_LEN + lladdr_opt_len(slla);
	if (!packet_fits(cap, icmp_len))
		return 0;
	uint8_t *icmp = put_icmp_head(buf, ND_TYPE_RS, ND_RS_LEN);
	put_lladdr_opt(icmp + ND_RS_LEN, ND_OPT_SLLA, slla);
	return packet_finish(buf, src, &nd_all_routers, icmp_len);
}

/* RFC 4191 §2.3: 8, 16 or 24 bytes, as the prefix length needs. */
static size_t rio_len(uint8_t plen)
{
	return plen == 0 ? 8 : plen <= 64 ? 16 : 24;
}

static size_t dnssl_opt_len(size_t body_len)
{
	return padded_opt_len(2 + body_len); /* 2 reserved bytes, then the body */
}

/* Does an RDNSS option start at address i? One option per run of
 * addresses with the same lifetime, so the order of the servers (their
 * preference, RFC 8106 §5.1) stays as given. */
static bool rdnss_group_first(const struct nd_ra *ra, unsigned i)
{
	return i == 0 || ra->rdnss_lifetime[i] != ra->rdnss_lifetime[i - 1];
}

/* RFC 8781 §4: the Prefix Length Code of plen, or -1. */
static int pref64_plc(uint8_t plen)
{
	static const uint8_t plens[] = { 96, 64, 56, 48, 40, 32 };
	for (int i = 0; i < (int)sizeof(plens); i++)
		if (plens[i] == plen)
			return i;
	return -1;
}

/* Size of the RA's ICMPv6 message, or 0 when ra cannot be encoded. */
static size_t ra_icmp_len(const struct nd_ra *ra, const struct nd_lladdr *slla)
{
	if (!lladdr_fits(slla) || ra->n_prefixes > ND_RA_MAX_PREFIXES ||
	    ra->n_routes > ND_RA_MAX_ROUTES || ra->n_rdnss > ND_RA_MAX_RDNSS ||
	    ra->n_dnssl > ND_RA_MAX_DNSSL)
		return 0;
	size_t len = ND_RA_LEN + lladdr_opt_len(slla);
	if (ra->mtu)
		len += ND_OPT_MTU_LEN;
	for (unsigned i = 0; i < ra->n_prefixes; i++) {
		if (ra->prefixes[i].plen > 128)
			return 0;
		len += ND_OPT_PIO_LEN;
	}
	for (unsigned i = 0; i < ra->n_routes; i++) {
		if (ra->routes[i].plen > 128)
			return 0;
		len += rio_len(ra->routes[i].plen);
	}
	for (unsigned i = 0; i < ra->n_rdnss; i++)
		len += (rdnss_group_first(ra, i) ? 8u : 0u) + 16u;
	for (unsigned i = 0; i < ra->n_dnssl; i++) {
		size_t n = ra->dnssl[i].len;
		if ((n && !ra->dnssl[i].body) || dnssl_opt_len(n) / 8 > UINT8_MAX)
			return 0;
		len += dnssl_opt_len(n);
	}
	if (ra->n_pref64 > ND_RA_MAX_PREF64 || ra->capport_len > ND_CAPPORT_MAX ||
	    (ra->capport_len && !ra->capport))
		return 0;
	for (unsigned i = 0; i < ra->n_pref64; i++) {
		if (pref64_plc(ra->pref64[i].plen) < 0)
			return 0;
		len += ND_OPT_PREF64_LEN;
	}
	if (ra->capport_len)
		len += padded_opt_len(ra->capport_len);
	return len;
}

static uint8_t *put_pio(uint8_t *p, const struct nd_prefix_info *pi)
{
	struct in6_addr prefix = pi->prefix;
	nd_prefix_mask(&prefix, pi->plen); /* trailing bits MUST be zero */
	memset(p, 0, ND_OPT_PIO_LEN);
	p[0] = ND_OPT_PIO;
	p[1] = ND_OPT_PIO_LEN / 8;
	p[2] = pi->plen;
	p[3] = pi->flags;
	be_put32(p + 4, pi->valid_lifetime);
	be_put32(p + 8, pi->preferred_lifetime);
	memcpy(p + 16, &prefix, 16);
	return p + ND_OPT_PIO_LEN;
}

static uint8_t *put_rio(uint8_t *p, const struct nd_route_info *ri)
{
	size_t olen = rio_len(ri->plen);
	struct in6_addr prefix = ri->prefix;
	nd_prefix_mask(&prefix, ri->plen);
	p[0] = ND_OPT_RIO;
	p[1] = (uint8_t)(olen / 8);
	p[2] = ri->plen;
	p[3] = ri->pref & ND_RA_PREF_MASK;
	be_put32(p + 4, ri->lifetime);
	memcpy(p + 8, &prefix, olen - 8);
	return p + olen;
}

/* One RDNSS option: the run of addresses from first on with its lifetime. */
static uint8_t *put_rdnss(uint8_t *p, const struct nd_ra *ra, unsigned first)
{
	uint32_t lifetime = ra->rdnss_lifetime[first];
	unsigned n = 0;
	for (unsigned i = first; i < ra->n_rdnss && ra->rdnss_lifetime[i] == lifetime; i++)
		memcpy(p + 8 + 16u * n++, &ra->rdnss[i], 16);
	p[0] = ND_OPT_RDNSS;
	p[1] = (uint8_t)(1 + 2 * n);
	p[2] = 0;
	p[3] = 0;
	be_put32(p + 4, lifetime);
	return p + 8 + 16u * n;
}

static uint8_t *put_pref64(uint8_t *p, const struct nd_pref64 *x)
{
	uint32_t scaled = (x->lifetime + 7u) / 8u; /* never shorter than asked */
	if (scaled > ND_PREF64_SCALED_MAX)
		scaled = ND_PREF64_SCALED_MAX;
	struct in6_addr a = { 0 };
	memcpy(&a, x->prefix, 12);
	nd_prefix_mask(&a, x->plen);
	p[0] = ND_OPT_PREF64;
	p[1] = ND_OPT_PREF64_LEN / 8;
	be_put16(p + 2, (uint16_t)(scaled << 3 | (unsigned)pref64_plc(x->plen)));
	memcpy(p + 4, &a, 12);
	return p + ND_OPT_PREF64_LEN;
}

static uint8_t *put_dnssl(uint8_t *p, const uint8_t *body, size_t n)
{
	size_t olen = dnssl_opt_len(n);
	memset(p, 0, olen);
	p[0] = ND_OPT_DNSSL;
	p[1] = (uint8_t)(olen / 8);
	if (n)
		memcpy(p + 4, body, n);
	return p + olen;
}

size_t nd_build_ra(uint8_t *buf, size_t cap, const struct in6_addr *src,
                   const struct in6_addr *dst, const struct nd_ra *ra,
                   const struct nd_lladdr *slla)
{
	size_t icmp_len = ra_icmp_len(ra, slla);
	if (icmp_len == 0 || !packet_fits(cap, icmp_len))
		return 0;
	uint8_t *icmp = put_icmp_head(buf, ND_TYPE_RA, ND_RA_LEN);
	icmp[4] = ra->cur_hop_limit;
	icmp[5] = ra->flags;
	be_put16(icmp + 6, ra->router_lifetime);
	be_put32(icmp + 8, ra->reachable_time);
	be_put32(icmp + 12, ra->retrans_timer);

	/* radvd's order, as captured from radvd 2.19: PIO, RIO, RDNSS, DNSSL, MTU,
	 * SLLA; PREF64 and captive portal before MTU */
	uint8_t *p = icmp + ND_RA_LEN;
	for (unsigned i = 0; i < ra->n_prefixes; i++)
		p = put_pio(p, &ra->prefixes[i]);
	for (unsigned i = 0; i < ra->n_routes; i++)
		p = put_rio(p, &ra->routes[i]);
	for (unsigned i = 0; i < ra->n_rdnss; i++)
		if (rdnss_group_first(ra, i))
			p = put_rdnss(p, ra, i);
	for (unsigned i = 0; i < ra->n_dnssl; i++)
		p = put_dnssl(p, ra->dnssl[i].body, ra->dnssl[i].len);
	for (unsigned i = 0; i < ra->n_pref64; i++)
		p = put_pref64(p, &ra->pref64[i]);
	if (ra->capport_len)
		p = put_padded_opt(p, ND_OPT_CAPPORT, ra->capport, ra->capport_len);
	if (ra->mtu) {
		memset(p, 0, ND_OPT_MTU_LEN);
		p[0] = ND_OPT_MTU;
		p[1] = ND_OPT_MTU_LEN / 8;
		be_put32(p + 4, ra->mtu);
		p += ND_OPT_MTU_LEN;
	}
	put_lladdr_opt(p, ND_OPT_SLLA, slla);
	return packet_finish(buf, src, dst, icmp_len);
}
