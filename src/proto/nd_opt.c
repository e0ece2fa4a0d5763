/* Neighbor Discovery options: walk, bound and validate them, keep the ones
 * the message type uses (RFC 4861 §4.6, 4191 §2.3, 8106 §5, 3971 §5.3.2,
 * 8781 §4, 8910 §2.3).
 * Every read is checked against the option length, which is checked against
 * what is left of the message first: the shapes behind radvd's
 * CVE-2011-3601..3605 and dnsmasq's CVE-2017-14492 end here as drops. */
#include <string.h>

#include "proto/nd.h"
#include "proto/nd_wire.h"

#define DNS_LABEL_MAX 63
#define DNS_NAME_MAX  255

static void count_sat(uint8_t *counter)
{
	if (*counter < UINT8_MAX)
		(*counter)++;
}

static enum nd_drop opt_lladdr(const uint8_t *opt, size_t olen, struct nd_lladdr *ll)
{
	size_t n = olen - 2;
	if (n > ND_LLADDR_MAX)
		return ND_DROP_OPT_BAD;
	if (ll->len)
		return ND_OK; /* the first one wins, as in Linux */
	ll->len = (uint8_t)n;
	memcpy(ll->addr, opt + 2, n);
	return ND_OK;
}

static enum nd_drop opt_nonce(const uint8_t *opt, size_t olen, struct nd_msg *out)
{
	size_t n = olen - 2;
	if (n > ND_NONCE_MAX)
		return ND_DROP_OPT_BAD;
	if (out->has_nonce)
		return ND_OK;
	out->has_nonce = true;
	out->nonce_len = (uint8_t)n;
	memcpy(out->nonce, opt + 2, n);
	return ND_OK;
}

static enum nd_drop opt_mtu(const uint8_t *opt, size_t olen, struct nd_ra *ra)
{
	if (olen != ND_OPT_MTU_LEN)
		return ND_DROP_OPT_BAD;
	if (ra->mtu == 0)
		ra->mtu = be_get32(opt + 4);
	return ND_OK;
}

static enum nd_drop opt_pio(const uint8_t *opt, size_t olen, struct nd_ra *ra)
{
	if (olen != ND_OPT_PIO_LEN || opt[2] > 128)
		return ND_DROP_OPT_BAD;
	struct nd_prefix_info pi = {
		.plen = opt[2],
		.flags = opt[3],
		.valid_lifetime = be_get32(opt + 4),
		.preferred_lifetime = be_get32(opt + 8),
	};
	memcpy(&pi.prefix, opt + 16, 16);
	nd_prefix_mask(&pi.prefix, pi.plen);
	/* A well-formed option hosts must ignore: not a reason to drop the RA. */
	if (pi.preferred_lifetime > pi.valid_lifetime || nd_addr_is_linklocal(&pi.prefix)) {
		count_sat(&ra->n_ignored);
		return ND_OK;
	}
	if (ra->n_prefixes >= ND_RA_MAX_PREFIXES) {
		count_sat(&ra->n_over_cap);
		return ND_OK;
	}
	ra->prefixes[ra->n_prefixes++] = pi;
	return ND_OK;
}

/* RFC 4191 §2.3: length 1..3, and long enough for the prefix length. */
static enum nd_drop opt_rio(const uint8_t *opt, size_t olen, struct nd_ra *ra)
{
	uint8_t words = opt[1], plen = opt[2];
	if (words > 3 || plen > 128 || (plen > 64 && words < 3) || (plen > 0 && words < 2))
		return ND_DROP_OPT_BAD;
	uint8_t pref = opt[3] & ND_RA_PREF_MASK;
	if (pref == 0x10) { /* reserved preference: the option MUST be ignored */
		count_sat(&ra->n_ignored);
		return ND_OK;
	}
	if (ra->n_routes >= ND_RA_MAX_ROUTES) {
		count_sat(&ra->n_over_cap);
		return ND_OK;
	}
	struct nd_route_info *ri = &ra->routes[ra->n_routes++];
	memset(ri, 0, sizeof(*ri));
	ri->plen = plen;
	ri->pref = pref;
	ri->lifetime = be_get32(opt + 4);
	memcpy(&ri->prefix, opt + 8, olen - 8);
	nd_prefix_mask(&ri->prefix, plen);
	return ND_OK;
}

static enum nd_drop opt_rdnss(const uint8_t *opt, size_t olen, struct nd_ra *ra)
{
	uint8_t words = opt[1];
	if (words < 3 || (words & 1) == 0)
		return ND_DROP_OPT_BAD;
	/* RFC 8106 §5.1: the lifetime belongs to the addresses of this option. */
	uint32_t lifetime = be_get32(opt + 4);
	for (size_t off = 8; off < olen; off += 16) {
		if (ra->n_rdnss >= ND_RA_MAX_RDNSS) {
			count_sat(&ra->n_over_cap);
			continue;
		}
		ra->rdnss_lifetime[ra->n_rdnss] = lifetime;
		memcpy(&ra->rdnss[ra->n_rdnss++], opt + off, 16);
	}
	return ND_OK;
}

/* One or more uncompressed domain names, then zero padding (RFC 8106 §5.2).
 * A name that runs past the end, a compression pointer (the source of many
 * DNS parser bugs) or an over-long label or name makes the option bad. */
static bool dnssl_names_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	unsigned names = 0;
	while (i < n && p[i] != 0) {
		size_t name_len = 1; /* the terminating root label */
		for (;;) {
			if (i >= n)
				return false;
			uint8_t label = p[i++];
			if (label == 0)
				break;
			if (label > DNS_LABEL_MAX || label > n - i)
				return false;
			name_len += 1u + label;
			if (name_len > DNS_NAME_MAX)
				return false;
			i += label;
		}
		names++;
	}
	if (names == 0)
		return false;
	for (; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static enum nd_drop opt_dnssl(const uint8_t *opt, size_t olen, struct nd_ra *ra)
{
	if (opt[1] < 2 || !dnssl_names_valid(opt + 8, olen - 8))
		return ND_DROP_OPT_BAD;
	if (ra->n_dnssl >= ND_RA_MAX_DNSSL) {
		count_sat(&ra->n_over_cap);
		return ND_OK;
	}
	ra->dnssl[ra->n_dnssl].body = opt + 4;
	ra->dnssl[ra->n_dnssl].len = (uint16_t)(olen - 4);
	ra->n_dnssl++;
	return ND_OK;
}

/* RFC 8781 §4: a length other than 2 or a PLC past 5 makes the receiver
 * ignore the option (not the RA). Bits past the prefix length are cleared. */
static enum nd_drop opt_pref64(const uint8_t *opt, size_t olen, struct nd_ra *ra)
{
	static const uint8_t plen_of_plc[] = { 96, 64, 56, 48, 40, 32 };
	uint16_t field = be_get16(opt + 2);
	unsigned plc = field & 7u;
	if (olen != ND_OPT_PREF64_LEN || plc >= sizeof(plen_of_plc)) {
		count_sat(&ra->n_ignored);
		return ND_OK;
	}
	if (ra->n_pref64 >= ND_RA_MAX_PREF64) {
		count_sat(&ra->n_over_cap);
		return ND_OK;
	}
	struct nd_pref64 *p = &ra->pref64[ra->n_pref64++];
	p->plen = plen_of_plc[plc];
	p->lifetime = (uint16_t)((field >> 3) * 8u);
	struct in6_addr a = { 0 };
	memcpy(&a, opt + 4, 12);
	nd_prefix_mask(&a, p->plen);
	memcpy(p->prefix, &a, 12);
	return ND_OK;
}

/* RFC 8910 §2.3: a URI, NUL-padded to the option length. Kept only when it
 * is printable ASCII (RFC 3986 allows nothing else) without NUL inside and
 * at most ND_CAPPORT_MAX bytes; otherwise ignored, like a malformed URI. */
static enum nd_drop opt_capport(const uint8_t *opt, size_t olen, struct nd_ra *ra)
{
	const uint8_t *uri = opt + 2;
	size_t n = olen - 2;
	while (n > 0 && uri[n - 1] == 0)
		n--;
	bool printable = n > 0 && n <= ND_CAPPORT_MAX;
	for (size_t i = 0; i < n && printable; i++)
		printable = uri[i] > 0x20 && uri[i] < 0x7f;
	if (!printable) {
		count_sat(&ra->n_ignored);
		return ND_OK;
	}
	if (ra->capport_len == 0) {
		ra->capport = uri;
		ra->capport_len = (uint16_t)n;
	}
	return ND_OK;
}

/* Options a message type does not use are skipped unvalidated: RFC 4861 §4.6
 * says receivers silently ignore them. */
static enum nd_drop opt_store(const uint8_t *opt, size_t olen, struct nd_msg *out)
{
	uint8_t t = out->type;
	switch (opt[0]) {
	case ND_OPT_SLLA:
		if (t == ND_TYPE_NS || t == ND_TYPE_RS || t == ND_TYPE_RA)
			return opt_lladdr(opt, olen, &out->slla);
		return ND_OK;
	case ND_OPT_TLLA:
		if (t == ND_TYPE_NA || t == ND_TYPE_REDIRECT)
			return opt_lladdr(opt, olen, &out->tlla);
		return ND_OK;
	case ND_OPT_NONCE:
		return t == ND_TYPE_NS ? opt_nonce(opt, olen, out) : ND_OK;
	}
	if (t != ND_TYPE_RA)
		return ND_OK;
	switch (opt[0]) {
	case ND_OPT_MTU:   return opt_mtu(opt, olen, &out->ra);
	case ND_OPT_PIO:   return opt_pio(opt, olen, &out->ra);
	case ND_OPT_RIO:   return opt_rio(opt, olen, &out->ra);
	case ND_OPT_RDNSS: return opt_rdnss(opt, olen, &out->ra);
	case ND_OPT_DNSSL: return opt_dnssl(opt, olen, &out->ra);
	case ND_OPT_PREF64: return opt_pref64(opt, olen, &out->ra);
	case ND_OPT_CAPPORT: return opt_capport(opt, olen, &out->ra);
	default:           return ND_OK;
	}
}

enum nd_drop nd_parse_options(const uint8_t *opt, size_t len, struct nd_msg *out)
{
	unsigned count = 0;
	while (len > 0) {
		if (len < 2)
			return ND_DROP_OPT_OVERRUN;
		size_t olen = (size_t)opt[1] * 8;
		if (olen == 0)
			return ND_DROP_OPT_ZERO_LEN; /* would loop forever */
		if (olen > len)
			return ND_DROP_OPT_OVERRUN;
		if (++count > ND_MAX_OPTIONS)
			return ND_DROP_OPT_COUNT;
		enum nd_drop r = opt_store(opt, olen, out);
		if (r != ND_OK)
			return r;
		opt += olen;
		len -= olen;
	}
	return ND_OK;
}
