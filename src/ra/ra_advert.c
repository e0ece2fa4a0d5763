/* Advertise mode: the RA of an `ra IFACE { ... }` block.
 *
 * Hosts must not be able to tell islandd from radvd 2.19 (Debian 12) with
 * the same settings, so the fields follow what radvd sends, checked against
 * a capture: cur hop limit 64, reachable time and retrans timer 0, one PIO
 * per prefix in config order, all RDNSS addresses in one option, all search
 * domains in one DNSSL option (names uncompressed, zero padded to 8 bytes),
 * SLLA on links that have an address. At shutdown radvd keeps the prefixes
 * (DeprecatePrefix off) and sends router, RDNSS and DNSSL lifetimes 0
 * (FlushRDNSS and FlushDNSSL on). */
#include <errno.h>
#include <string.h>

#include "ra/ra_internal.h"
#include "util/log.h"

#define RA_CUR_HOP_LIMIT 64 /* radvd's AdvCurHopLimit default */
#define DNS_LABEL_MAX 63

int ra_encode_name(uint8_t *out, size_t cap, size_t len, const char *name)
{
	const char *p = name;
	bool any = false;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n > DNS_LABEL_MAX)
			return -1;
		if (n > 0) {
			if (len + 1 + n > cap)
				return -1;
			out[len++] = (uint8_t)n;
			memcpy(out + len, p, n);
			len += n;
			any = true;
		}
		p += n;
		if (*p == '.')
			p++;
	}
	if (!any || len + 1 > cap)
		return -1;
	out[len++] = 0;
	return (int)len;
}

int ra_advert_init(struct ra_advert *a, const struct conf_ra *conf)
{
	a->conf = *conf;
	a->conf.n_prefixes = conf->n_prefixes < ND_RA_MAX_PREFIXES ? conf->n_prefixes : ND_RA_MAX_PREFIXES;
	if (a->conf.n_prefixes) /* the arrays are NULL when empty */
		memcpy(a->prefixes, conf->prefixes, a->conf.n_prefixes * sizeof(*a->prefixes));
	a->conf.prefixes = a->prefixes;
	a->conf.n_rdnss = conf->n_rdnss < ND_RA_MAX_RDNSS ? conf->n_rdnss : ND_RA_MAX_RDNSS;
	if (a->conf.n_rdnss)
		memcpy(a->rdnss, conf->rdnss, a->conf.n_rdnss * sizeof(*a->rdnss));
	a->conf.rdnss = a->rdnss;
	a->conf.dnssl = NULL; /* kept encoded, below */
	a->conf.n_dnssl = 0;
	a->n_dnssl_names = conf->n_dnssl;
	a->dnssl_len = 0;
	size_t len = 0;
	for (size_t i = 0; i < conf->n_dnssl; i++) {
		int r = ra_encode_name(a->dnssl_names, sizeof(a->dnssl_names), len, conf->dnssl[i]);
		if (r < 0) {
			log_err("ra %s: search domain \"%s\" cannot be encoded (label over 63 bytes, "
			        "or the list is over one option's 2040 bytes)", conf->iface, conf->dnssl[i]);
			return -EINVAL;
		}
		len = (size_t)r;
	}
	a->dnssl_len = (uint16_t)len;
	if (conf->n_prefixes > ND_RA_MAX_PREFIXES)
		log_warn("ra %s: only the first %d prefixes are advertised", conf->iface, ND_RA_MAX_PREFIXES);
	if (conf->n_rdnss > ND_RA_MAX_RDNSS)
		log_warn("ra %s: only the first %d rdnss addresses are advertised", conf->iface, ND_RA_MAX_RDNSS);
	return 0;
}

static uint8_t pref_bits(int preference)
{
	/* RFC 4191 §2.2: 01 high, 00 medium, 11 low, in bits 4..3 */
	return preference > 0 ? 0x08 : preference < 0 ? 0x18 : 0x00;
}

void ra_advert_build(const struct ra_advert *a, bool final, struct ra_build *b)
{
	const struct conf_ra *c = &a->conf;
	struct nd_ra *ra = &b->ra;
	memset(ra, 0, sizeof(*ra));
	ra->cur_hop_limit = RA_CUR_HOP_LIMIT;
	ra->flags = (c->managed ? ND_RA_FLAG_MANAGED : 0) | (c->other ? ND_RA_FLAG_OTHER : 0) |
	            pref_bits(c->preference);
	uint32_t lifetime = c->router_lifetime_s > UINT16_MAX ? UINT16_MAX : c->router_lifetime_s;
	ra->router_lifetime = final ? 0 : (uint16_t)lifetime;
	if (ra->router_lifetime == 0) /* RFC 4191 §2.2: no default router, preference 00 */
		ra->flags &= (uint8_t)~ND_RA_PREF_MASK;
	ra->mtu = c->mtu;

	for (size_t i = 0; i < c->n_prefixes && ra->n_prefixes < ND_RA_MAX_PREFIXES; i++) {
		const struct conf_ra_prefix *p = &c->prefixes[i];
		struct nd_prefix_info *pi = &ra->prefixes[ra->n_prefixes++];
		pi->prefix = p->prefix;
		pi->plen = p->plen;
		pi->flags = (p->onlink ? ND_PIO_FLAG_ONLINK : 0) | (p->autonomous ? ND_PIO_FLAG_AUTO : 0);
		pi->valid_lifetime = p->valid_lifetime;
		pi->preferred_lifetime = p->preferred_lifetime;
	}
	for (size_t i = 0; i < c->n_rdnss && ra->n_rdnss < ND_RA_MAX_RDNSS; i++) {
		ra->rdnss_lifetime[ra->n_rdnss] = final ? 0 : c->rdnss_lifetime;
		ra->rdnss[ra->n_rdnss++] = c->rdnss[i];
	}

	if (a->dnssl_len)
		ra_build_add_dnssl(b, final ? 0 : c->dnssl_lifetime, a->dnssl_names, a->dnssl_len);
}

/* A relay downstream with its own `ra` block: the relayed RA b (header and
 * upstream items) plus the block's prefixes, DNS servers and search list.
 * Each DNS server keeps its own lifetime (RFC 8106 §5.1). */
void ra_advert_merge(const struct ra_advert *a, bool final, struct ra_build *b)
{
	const struct conf_ra *c = &a->conf;
	struct nd_ra *ra = &b->ra;
	if (c->mtu)
		ra->mtu = c->mtu;
	for (size_t i = 0; i < c->n_prefixes && ra->n_prefixes < ND_RA_MAX_PREFIXES; i++) {
		const struct conf_ra_prefix *p = &c->prefixes[i];
		struct nd_prefix_info *pi = &ra->prefixes[ra->n_prefixes++];
		pi->prefix = p->prefix;
		pi->plen = p->plen;
		pi->flags = (p->onlink ? ND_PIO_FLAG_ONLINK : 0) | (p->autonomous ? ND_PIO_FLAG_AUTO : 0);
		pi->valid_lifetime = p->valid_lifetime;
		pi->preferred_lifetime = p->preferred_lifetime;
	}
	uint32_t rdnss_lifetime = final ? 0 : c->rdnss_lifetime;
	for (size_t i = 0; i < c->n_rdnss; i++) {
		bool dup = false;
		for (unsigned k = 0; k < ra->n_rdnss && !dup; k++)
			dup = memcmp(&ra->rdnss[k], &c->rdnss[i], 16) == 0;
		if (dup || ra->n_rdnss >= ND_RA_MAX_RDNSS)
			continue;
		ra->rdnss_lifetime[ra->n_rdnss] = rdnss_lifetime;
		ra->rdnss[ra->n_rdnss++] = c->rdnss[i];
	}
	/* The block's search list after the relayed ones, if the scratch has room. */
	if (a->dnssl_len)
		ra_build_add_dnssl(b, final ? 0 : c->dnssl_lifetime, a->dnssl_names, a->dnssl_len);
}

void ra_build_add_dnssl(struct ra_build *b, uint32_t lifetime, const uint8_t *names, uint16_t len)
{
	struct nd_ra *ra = &b->ra;
	size_t used = (size_t)ra->n_dnssl * (4 + RA_DNSSL_NAMES_MAX);
	if (ra->n_dnssl >= ND_RA_MAX_DNSSL || used + 4 + len > sizeof(b->dnssl))
		return;
	uint8_t *body = b->dnssl + used;
	body[0] = (uint8_t)(lifetime >> 24);
	body[1] = (uint8_t)(lifetime >> 16);
	body[2] = (uint8_t)(lifetime >> 8);
	body[3] = (uint8_t)lifetime;
	memcpy(body + 4, names, len);
	ra->dnssl[ra->n_dnssl].body = body;
	ra->dnssl[ra->n_dnssl].len = (uint16_t)(4 + len);
	ra->n_dnssl++;
}
