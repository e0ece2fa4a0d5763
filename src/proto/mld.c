/* MLD (RFC 2710, RFC 3810) and MRD (RFC 4286) messages: parse what a
 * listener sends, build what a router sends. */
#include "proto/mld.h"
#include "proto/nd.h"
#include "proto/nd_wire.h"

#include <string.h>

#define HBH_LEN          8   /* the only hop-by-hop header we build: Router Alert + PadN */
#define IPPROTO_HBH      0
#define OPT_PAD1         0
#define OPT_ROUTER_ALERT 5
#define MLD_V1_LEN       24  /* type .. multicast address */
#define MLD_V2_QUERY_LEN 28  /* ... + flags, QQIC, number of sources */
#define MLD_V2_REPORT_HDR 8
#define MLD_V2_RECORD_HDR 20
#define MRD_ADV_LEN      8

/* RFC 3810 §5.2.12 record types */
enum {
	REC_IS_IN = 1, REC_IS_EX, REC_TO_IN, REC_TO_EX, REC_ALLOW, REC_BLOCK,
};

static const struct in6_addr all_snoopers = { .s6_addr = { 0xff, 0x02, [15] = 0x6a } };

const char *mld_drop_name(enum mld_drop reason)
{
	switch (reason) {
	case MLD_OK:                  return "ok";
	case MLD_NOT_MLD:             return "not_mld";
	case MLD_DROP_TRUNCATED:      return "truncated";
	case MLD_DROP_HOP_LIMIT:      return "hop_limit";
	case MLD_DROP_NO_ROUTER_ALERT: return "no_router_alert";
	case MLD_DROP_SRC:            return "source";
	case MLD_DROP_CHECKSUM:       return "checksum";
	case MLD_DROP_GROUP:          return "group";
	}
	return "?";
}

static bool is_mld_type(uint8_t t)
{
	return t == MLD_TYPE_QUERY || t == MLD_TYPE_REPORT_V1 || t == MLD_TYPE_DONE || t == MLD_TYPE_REPORT_V2;
}

/* Options of a hop-by-hop header (len bytes, header included): is there a
 * Router Alert for MLD (value 0)? A malformed option list counts as none. */
static bool hbh_has_router_alert(const uint8_t *h, size_t len)
{
	size_t i = 2;
	while (i < len) {
		if (h[i] == OPT_PAD1) {
			i++;
			continue;
		}
		if (i + 2 > len || i + 2 + h[i + 1] > len)
			return false;
		if (h[i] == OPT_ROUTER_ALERT && h[i + 1] == 2 && be_get16(h + i + 2) == 0)
			return true;
		i += 2 + (size_t)h[i + 1];
	}
	return false;
}

static bool is_multicast(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xff;
}

/* Offset of record data walked so far: each record is checked to fit. */
static bool records_fit(const uint8_t *p, size_t len, unsigned n)
{
	size_t off = 0;
	for (unsigned i = 0; i < n; i++) {
		if (len - off < MLD_V2_RECORD_HDR)
			return false;
		size_t rlen = MLD_V2_RECORD_HDR + 16 * (size_t)be_get16(p + off + 2) + 4 * (size_t)p[off + 1];
		if (rlen > len - off)
			return false;
		off += rlen;
	}
	return true;
}

enum mld_drop mld_parse(const uint8_t *pkt, size_t len, struct mld_msg *out)
{
	memset(out, 0, sizeof(*out));
	if (len < ND_IP6_HDR_LEN || (pkt[0] >> 4) != 6)
		return MLD_NOT_MLD;
	size_t plen = be_get16(pkt + 4);
	if (plen > len - ND_IP6_HDR_LEN)
		return MLD_NOT_MLD; /* the ND parser counts it */
	const uint8_t *p = pkt + ND_IP6_HDR_LEN;
	uint8_t nh = pkt[6];
	bool router_alert = false;
	if (nh == IPPROTO_HBH) {
		if (plen < 8)
			return MLD_NOT_MLD;
		size_t hlen = 8 * ((size_t)p[1] + 1);
		if (hlen + 4 > plen)
			return MLD_NOT_MLD;
		nh = p[0];
		router_alert = hbh_has_router_alert(p, hlen);
		p += hlen;
		plen -= hlen;
	}
	if (nh != ND_IPPROTO_ICMP6 || plen < 4 || !is_mld_type(p[0]))
		return MLD_NOT_MLD;
	out->type = p[0];
	out->version = out->type == MLD_TYPE_REPORT_V2 ? 2 : 1;
	memcpy(&out->src, pkt + 8, 16);
	memcpy(&out->dst, pkt + 24, 16);
	if (pkt[7] != 1)
		return MLD_DROP_HOP_LIMIT;
	if (!router_alert)
		return MLD_DROP_NO_ROUTER_ALERT;
	/* RFC 3810 §7.4: link-local source; reports may come from :: while
	 * the sender's link-local address is still tentative (§5.2.13) */
	bool from_unspec = IN6_IS_ADDR_UNSPECIFIED(&out->src);
	if (!IN6_IS_ADDR_LINKLOCAL(&out->src) && !(from_unspec && out->type == MLD_TYPE_REPORT_V2))
		return MLD_DROP_SRC;
	if (nd_icmp6_checksum(&out->src, &out->dst, p, plen) != 0)
		return MLD_DROP_CHECKSUM;
	if (out->type == MLD_TYPE_REPORT_V2) {
		if (plen < MLD_V2_REPORT_HDR)
			return MLD_DROP_TRUNCATED;
		out->n_records = be_get16(p + 6);
		out->records = p + MLD_V2_REPORT_HDR;
		out->records_len = plen - MLD_V2_REPORT_HDR;
		if (!records_fit(out->records, out->records_len, out->n_records))
			return MLD_DROP_TRUNCATED;
		return MLD_OK;
	}
	if (plen < MLD_V1_LEN)
		return MLD_DROP_TRUNCATED;
	memcpy(&out->group, p + 8, 16);
	if (out->type == MLD_TYPE_QUERY) {
		if (plen >= MLD_V2_QUERY_LEN)
			out->version = 2;
		return MLD_OK;
	}
	return is_multicast(&out->group) ? MLD_OK : MLD_DROP_GROUP;
}

bool mld_next_record(const struct mld_msg *m, struct mld_iter *it, struct mld_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	if (m->type == MLD_TYPE_REPORT_V1 || m->type == MLD_TYPE_DONE) {
		if (it->index++ > 0)
			return false;
		rec->group = m->group;
		rec->listening = m->type == MLD_TYPE_REPORT_V1;
		rec->leaving = !rec->listening;
		return true;
	}
	if (m->type != MLD_TYPE_REPORT_V2 || it->index >= m->n_records)
		return false;
	/* mld_parse checked that every record fits */
	const uint8_t *r = m->records + it->offset;
	uint16_t n_src = be_get16(r + 2);
	memcpy(&rec->group, r + 4, 16);
	switch (r[0]) {
	case REC_IS_EX:
	case REC_TO_EX:
		rec->listening = true; /* EXCLUDE {...}: all but some sources */
		break;
	case REC_IS_IN:
	case REC_ALLOW:
		rec->listening = n_src > 0;
		break;
	case REC_TO_IN:
		rec->listening = n_src > 0;
		rec->leaving = n_src == 0;
		break;
	default: /* BLOCK: some sources dropped, the listener stays; unknown: ignored */
		break;
	}
	if (!is_multicast(&rec->group))
		rec->listening = rec->leaving = false;
	it->offset += MLD_V2_RECORD_HDR + 16 * (size_t)n_src + 4 * (size_t)r[1];
	it->index++;
	return true;
}

/* RFC 3810 §5.1.3 / §5.1.9: values past the linear range use a floating
 * point form: 1 | exp (3 bits) | mant (n bits), value = (mant | 1<<n) << (exp + 3). */
static uint32_t encode_float(uint32_t v, unsigned mant_bits, uint32_t linear_max)
{
	if (v < linear_max)
		return v;
	for (uint32_t exp = 0; exp < 8; exp++) {
		uint32_t m = v >> (exp + 3);
		if (m < (2u << mant_bits))
			return (1u << (mant_bits + 3)) | (exp << mant_bits) | (m - (1u << mant_bits));
	}
	return (1u << (mant_bits + 4)) - 1; /* the largest code */
}

/* IPv6 header with a Router Alert hop-by-hop header, hop limit 1; the
 * ICMPv6 message (icmp_len bytes, checksum zero) must be at buf + 48. */
static size_t finish_with_router_alert(uint8_t *buf, const struct in6_addr *src,
                                       const struct in6_addr *dst, size_t icmp_len)
{
	memset(buf, 0, ND_IP6_HDR_LEN + HBH_LEN);
	buf[0] = 0x60;
	be_put16(buf + 4, (uint16_t)(HBH_LEN + icmp_len));
	buf[6] = IPPROTO_HBH;
	buf[7] = 1;
	memcpy(buf + 8, src, 16);
	memcpy(buf + 24, dst, 16);
	uint8_t *h = buf + ND_IP6_HDR_LEN;
	h[0] = ND_IPPROTO_ICMP6;
	h[1] = 0;                 /* 8 bytes */
	h[2] = OPT_ROUTER_ALERT;
	h[3] = 2;
	h[4] = h[5] = 0;          /* MLD */
	h[6] = 1;                 /* PadN, 0 bytes of padding data */
	h[7] = 0;
	uint8_t *icmp = h + HBH_LEN;
	be_put16(icmp + 2, nd_icmp6_checksum(src, dst, icmp, icmp_len));
	return ND_IP6_HDR_LEN + HBH_LEN + icmp_len;
}

size_t mld_build_query(uint8_t *buf, size_t cap, const struct in6_addr *src,
                       const struct in6_addr *group, uint32_t max_resp_ms,
                       uint32_t query_interval_s)
{
	if (cap < ND_IP6_HDR_LEN + HBH_LEN + MLD_V2_QUERY_LEN)
		return 0;
	bool general = !group || IN6_IS_ADDR_UNSPECIFIED(group);
	uint8_t *icmp = buf + ND_IP6_HDR_LEN + HBH_LEN;
	memset(icmp, 0, MLD_V2_QUERY_LEN);
	icmp[0] = MLD_TYPE_QUERY;
	be_put16(icmp + 4, (uint16_t)encode_float(max_resp_ms, 12, 32768));
	if (!general)
		memcpy(icmp + 8, group, 16);
	icmp[24] = 2;             /* S = 0, QRV = 2 (RFC 3810 §9.1 default robustness) */
	icmp[25] = (uint8_t)encode_float(query_interval_s, 4, 128);
	return finish_with_router_alert(buf, src, general ? &nd_all_nodes : group, MLD_V2_QUERY_LEN);
}

size_t mld_build_mrd_adv(uint8_t *buf, size_t cap, const struct in6_addr *src,
                         uint8_t adv_interval_s, uint16_t query_interval_s, uint16_t robustness)
{
	if (cap < ND_IP6_HDR_LEN + HBH_LEN + MRD_ADV_LEN)
		return 0;
	uint8_t *icmp = buf + ND_IP6_HDR_LEN + HBH_LEN;
	memset(icmp, 0, MRD_ADV_LEN);
	icmp[0] = MLD_TYPE_MRD_ADV;
	icmp[1] = adv_interval_s;
	be_put16(icmp + 4, query_interval_s);
	be_put16(icmp + 6, robustness);
	return finish_with_router_alert(buf, src, &all_snoopers, MRD_ADV_LEN);
}
