/* libFuzzer target for the ND codec: nd_parse on arbitrary bytes; when a
 * packet is accepted, rebuild it from the parsed struct with the matching
 * builder, parse that again and require the same message.
 *
 * "The same" is field by field, not byte by byte: the rebuilt packet may
 * differ from the input (duplicate options dropped, options the type does
 * not use dropped, RDNSS options merged, RIO shortened to its minimal length,
 * trailing bytes gone), but every field the parser kept must survive. The
 * parser keeps list order, so lists compare element by element. A second
 * rebuild must then be byte-identical to the first. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/mld.h"
#include "proto/nd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* Big enough for any RA the parser can hand back: 8 DNSSL bodies of up to
 * 2040 bytes plus capped lists. */
#define REBUILD_MAX 20000

static bool addr_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static bool lladdr_eq(const struct nd_lladdr *a, const struct nd_lladdr *b)
{
	return a->len == b->len && memcmp(a->addr, b->addr, a->len) == 0;
}

static bool ra_eq(const struct nd_ra *a, const struct nd_ra *b)
{
	if (a->cur_hop_limit != b->cur_hop_limit || a->flags != b->flags ||
	    a->router_lifetime != b->router_lifetime || a->reachable_time != b->reachable_time ||
	    a->retrans_timer != b->retrans_timer || a->mtu != b->mtu)
		return false;
	if (a->n_prefixes != b->n_prefixes || a->n_routes != b->n_routes ||
	    a->n_rdnss != b->n_rdnss || a->n_dnssl != b->n_dnssl)
		return false;
	for (unsigned i = 0; i < a->n_prefixes; i++) {
		const struct nd_prefix_info *x = &a->prefixes[i], *y = &b->prefixes[i];
		if (x->plen != y->plen || x->flags != y->flags ||
		    x->valid_lifetime != y->valid_lifetime ||
		    x->preferred_lifetime != y->preferred_lifetime || !addr_eq(&x->prefix, &y->prefix))
			return false;
	}
	for (unsigned i = 0; i < a->n_routes; i++) {
		const struct nd_route_info *x = &a->routes[i], *y = &b->routes[i];
		if (x->plen != y->plen || x->pref != y->pref || x->lifetime != y->lifetime ||
		    !addr_eq(&x->prefix, &y->prefix))
			return false;
	}
	if (memcmp(a->rdnss_lifetime, b->rdnss_lifetime, a->n_rdnss * sizeof(a->rdnss_lifetime[0])) != 0)
		return false;
	if (memcmp(a->rdnss, b->rdnss, a->n_rdnss * sizeof(a->rdnss[0])) != 0)
		return false;
	if (a->n_pref64 != b->n_pref64 || a->capport_len != b->capport_len ||
	    (a->capport_len && memcmp(a->capport, b->capport, a->capport_len) != 0))
		return false;
	for (unsigned i = 0; i < a->n_pref64; i++) {
		const struct nd_pref64 *x = &a->pref64[i], *y = &b->pref64[i];
		if (x->plen != y->plen || x->lifetime != y->lifetime || memcmp(x->prefix, y->prefix, 12) != 0)
			return false;
	}
	for (unsigned i = 0; i < a->n_dnssl; i++) {
		if (a->dnssl[i].len != b->dnssl[i].len ||
		    memcmp(a->dnssl[i].body, b->dnssl[i].body, a->dnssl[i].len) != 0)
			return false;
	}
	return true;
}

static bool msg_eq(const struct nd_msg *a, const struct nd_msg *b)
{
	if (a->type != b->type || a->hop_limit != b->hop_limit || !addr_eq(&a->src, &b->src))
		return false;
	switch (a->type) {
	case ND_TYPE_NS:
		return addr_eq(&a->dst, &b->dst) && addr_eq(&a->target, &b->target) &&
		       lladdr_eq(&a->slla, &b->slla) && a->has_nonce == b->has_nonce &&
		       a->nonce_len == b->nonce_len &&
		       memcmp(a->nonce, b->nonce, a->nonce_len) == 0;
	case ND_TYPE_NA:
		return addr_eq(&a->dst, &b->dst) && addr_eq(&a->target, &b->target) &&
		       a->na_flags == b->na_flags && lladdr_eq(&a->tlla, &b->tlla);
	case ND_TYPE_RS: /* the builder always sends to ff02::2 */
		return lladdr_eq(&a->slla, &b->slla);
	case ND_TYPE_RA:
		return addr_eq(&a->dst, &b->dst) && lladdr_eq(&a->slla, &b->slla) &&
		       ra_eq(&a->ra, &b->ra);
	default:
		return false;
	}
}

static size_t rebuild(uint8_t *buf, size_t cap, const struct nd_msg *m)
{
	switch (m->type) {
	case ND_TYPE_NS:
		return nd_build_ns(buf, cap, &m->src, &m->dst, &m->target, &m->slla,
		                   m->has_nonce ? m->nonce : NULL, m->has_nonce ? m->nonce_len : 0);
	case ND_TYPE_NA:
		return nd_build_na(buf, cap, &m->src, &m->dst, &m->target, m->na_flags, &m->tlla);
	case ND_TYPE_RS:
		return nd_build_rs(buf, cap, &m->src, &m->slla);
	case ND_TYPE_RA:
		return nd_build_ra(buf, cap, &m->src, &m->dst, &m->ra, &m->slla);
	default:
		return 0; /* no redirect builder */
	}
}

/* Invariants of any accepted message, whatever its origin. */
static void check_parsed(const struct nd_msg *m, const uint8_t *pkt, size_t len)
{
	CHECK(m->type >= ND_TYPE_RS && m->type <= ND_TYPE_REDIRECT);
	CHECK(m->hop_limit == 255);
	CHECK(m->src.s6_addr[0] != 0xff);
	CHECK(m->slla.len <= ND_LLADDR_MAX && m->tlla.len <= ND_LLADDR_MAX);
	CHECK(m->nonce_len <= sizeof(m->nonce));
	if (m->type != ND_TYPE_RA)
		return;
	const struct nd_ra *ra = &m->ra;
	CHECK(ra->n_prefixes <= ND_RA_MAX_PREFIXES && ra->n_routes <= ND_RA_MAX_ROUTES);
	CHECK(ra->n_rdnss <= ND_RA_MAX_RDNSS && ra->n_dnssl <= ND_RA_MAX_DNSSL);
	for (unsigned i = 0; i < ra->n_prefixes; i++)
		CHECK(ra->prefixes[i].plen <= 128 &&
		      ra->prefixes[i].preferred_lifetime <= ra->prefixes[i].valid_lifetime);
	for (unsigned i = 0; i < ra->n_routes; i++)
		CHECK(ra->routes[i].plen <= 128 && ra->routes[i].pref != 0x10);
	for (unsigned i = 0; i < ra->n_dnssl; i++)
		CHECK(ra->dnssl[i].body >= pkt && ra->dnssl[i].body + ra->dnssl[i].len <= pkt + len);
}

static void parse_rebuild_parse(const uint8_t *data, size_t size)
{
	static uint8_t first[REBUILD_MAX], second[REBUILD_MAX];
	struct nd_msg m, m2, m3;

	enum nd_drop r = nd_parse(data, size, &m);
	CHECK(r < ND_DROP__MAX);
	CHECK(strcmp(nd_drop_name(r), "unknown") != 0);
	if (r != ND_OK)
		return;
	check_parsed(&m, data, size);
	if (m.type == ND_TYPE_REDIRECT)
		return;

	size_t n1 = rebuild(first, sizeof(first), &m);
	CHECK(n1 > 0);
	CHECK(nd_parse(first, n1, &m2) == ND_OK);
	check_parsed(&m2, first, n1);
	CHECK(msg_eq(&m, &m2));
	if (m.type == ND_TYPE_RA)
		CHECK(m2.ra.n_over_cap == 0 && m2.ra.n_ignored == 0);

	/* Rebuilding what the rebuilt packet parsed to gives the same bytes. */
	size_t n2 = rebuild(second, sizeof(second), &m2);
	CHECK(n2 == n1 && memcmp(first, second, n1) == 0);
	CHECK(nd_parse(second, n2, &m3) == ND_OK);

	/* Every shorter cut of an accepted packet is rejected or parses (never
	 * crashes); only do a few to keep executions fast. */
	for (size_t cut = size > 8 ? size - 8 : 0; cut < size; cut++)
		(void)nd_parse(data, cut, &m3);
}

/* Random mutations almost never carry a right checksum, which would leave
 * everything past the checksum check unexplored: when that is the only
 * complaint, also try the packet with its checksum repaired. */
/* The MLD parser sees the same bytes first in the daemon: an accepted
 * report's records must walk to the end without reading past the packet,
 * and never yield more records than it announced. */
static void mld_walk(const uint8_t *data, size_t size)
{
	struct mld_msg mm;
	if (mld_parse(data, size, &mm) != MLD_OK)
		return;
	struct mld_iter it = { 0 };
	struct mld_record rec;
	unsigned n = 0;
	while (mld_next_record(&mm, &it, &rec)) {
		CHECK(!(rec.listening && rec.leaving));
		n++;
	}
	CHECK(mm.type != MLD_TYPE_REPORT_V2 || n == mm.n_records);
	CHECK(mm.type == MLD_TYPE_REPORT_V2 || n <= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_msg m;
	mld_walk(data, size);
	parse_rebuild_parse(data, size);
	if (nd_parse(data, size, &m) != ND_DROP_CHECKSUM)
		return 0;
	uint8_t *copy = malloc(size); /* exact size, so ASan still sees overreads */
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	size_t plen = (size_t)copy[4] << 8 | copy[5];
	struct in6_addr src, dst;
	memcpy(&src, copy + 8, 16);
	memcpy(&dst, copy + 24, 16);
	copy[42] = copy[43] = 0;
	uint16_t sum = nd_icmp6_checksum(&src, &dst, copy + 40, plen);
	copy[42] = (uint8_t)(sum >> 8);
	copy[43] = (uint8_t)sum;
	CHECK(nd_parse(copy, size, &m) != ND_DROP_CHECKSUM);
	parse_rebuild_parse(copy, size);
	free(copy);
	return 0;
}
