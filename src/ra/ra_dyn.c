/* Dynamic items: prefixes and DNS options another engine feeds in (the
 * DHCPv6-PD sub-delegation), advertised with lifetimes that count down to
 * the lease's ends.
 *
 * RFC 9096 §3.3 bounds what a CE router advertises from a delegated
 * prefix: never more than the lease has left (LAN-R / RFC 7084 L-13 as
 * updated), and at most ND_PREFERRED_LIMIT (2700 s) / ND_VALID_LIMIT
 * (5400 s). A prefix the caller deprecated (pref_end passed) goes out with
 * preferred lifetime 0 and its valid lifetime still counting down, until
 * it ends; it is sent with 0 for RA_EXPIRED_HOLD_MS after that and then
 * forgotten. RDNSS/DNSSL (RFC 8106 §5.1): 3 * MaxRtrAdvInterval, never past
 * the lease. */
#include <errno.h>
#include <string.h>

#include "ra/ra_internal.h"

/* Whole seconds left until end, rounded down: an RA never promises more
 * than the lease has. */
static uint32_t left_s(uint64_t end, uint64_t now)
{
	if (end == RA_DYN_NEVER)
		return RA_LIFETIME_INFINITE;
	if (end <= now)
		return 0;
	uint64_t s = (end - now) / 1000u;
	return s >= RA_LIFETIME_INFINITE ? RA_LIFETIME_INFINITE - 1 : (uint32_t)s;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static bool ended_long_ago(uint64_t end, uint64_t now)
{
	return end != RA_DYN_NEVER && end + RA_EXPIRED_HOLD_MS <= now;
}

bool ra_dyn_valid_prefix(const struct ra_dyn *dy, uint64_t now)
{
	for (size_t i = 0; dy && dy->used && i < dy->d.n_prefixes; i++)
		if (dy->d.prefixes[i].valid_end > now)
			return true;
	return false;
}

bool ra_dyn_live(const struct ra_dyn *dy, uint64_t now)
{
	if (!dy || !dy->used)
		return false;
	for (size_t i = 0; i < dy->d.n_prefixes; i++)
		if (!ended_long_ago(dy->d.prefixes[i].valid_end, now))
			return true;
	return (dy->d.n_dns || dy->dnssl_len) && !ended_long_ago(dy->d.dns_end, now);
}

void ra_dyn_merge(const struct ra_dyn *dy, uint64_t now, uint32_t max_interval_s, bool final,
                  struct ra_build *b)
{
	if (!dy || !dy->used)
		return;
	struct nd_ra *ra = &b->ra;
	for (size_t i = 0; i < dy->d.n_prefixes && ra->n_prefixes < ND_RA_MAX_PREFIXES; i++) {
		const struct ra_dyn_prefix *p = &dy->d.prefixes[i];
		if (ended_long_ago(p->valid_end, now))
			continue;
		bool dup = false;
		for (unsigned k = 0; k < ra->n_prefixes && !dup; k++)
			dup = ra->prefixes[k].plen == p->plen && memcmp(&ra->prefixes[k].prefix, &p->prefix, 16) == 0;
		if (dup) /* an `ra` block names it too: the block's line stands */
			continue;
		uint32_t valid = min_u32(left_s(p->valid_end, now), RA_ND_VALID_LIMIT_S);
		uint32_t pref = min_u32(min_u32(left_s(p->pref_end, now), RA_ND_PREFERRED_LIMIT_S), valid);
		struct nd_prefix_info *pi = &ra->prefixes[ra->n_prefixes++];
		pi->prefix = p->prefix;
		pi->plen = p->plen;
		pi->flags = ND_PIO_FLAG_ONLINK | ND_PIO_FLAG_AUTO;
		pi->valid_lifetime = valid;
		pi->preferred_lifetime = pref;
	}
	if (ended_long_ago(dy->d.dns_end, now))
		return;
	uint32_t dns_life = final ? 0 : min_u32(3u * max_interval_s, left_s(dy->d.dns_end, now));
	for (size_t i = 0; i < dy->d.n_dns && ra->n_rdnss < ND_RA_MAX_RDNSS; i++) {
		bool dup = false;
		for (unsigned k = 0; k < ra->n_rdnss && !dup; k++)
			dup = memcmp(&ra->rdnss[k], &dy->d.dns[i], 16) == 0;
		if (dup)
			continue;
		ra->rdnss_lifetime[ra->n_rdnss] = dns_life;
		ra->rdnss[ra->n_rdnss++] = dy->d.dns[i];
	}
	if (dy->dnssl_len)
		ra_build_add_dnssl(b, dns_life, dy->dnssl_names, dy->dnssl_len);
}

struct ra_dyn *ra_dyn_find(struct ra_engine *e, const char *ifname)
{
	for (size_t i = 0; e->dyn && i < RA_DYN_MAX_LINKS; i++)
		if (e->dyn[i].used && strcmp(e->dyn[i].name, ifname) == 0)
			return &e->dyn[i];
	return NULL;
}
