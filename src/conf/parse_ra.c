/* Router advertisement blocks:
 *
 *   ra-relay UPSTREAM { iface DOWN1; iface DOWN2; learn-hosts yes;
 *                       answer-from link-local|target }
 *   ra IFACE { prefix P/LEN { on-link; autonomous; valid-lifetime;
 *              preferred-lifetime }; rdnss A...; dnssl N...; rdnss-lifetime;
 *              dnssl-lifetime; mtu; interval [MIN] MAX; router-lifetime;
 *              preference; managed; other-config }
 *
 * Defaults are radvd 2.19's (radvd.conf(5)): MaxRtrAdvInterval 600,
 * MinRtrAdvInterval 0.33 * Max, AdvDefaultLifetime 3 * Max, AdvValidLifetime
 * 86400, AdvPreferredLifetime 14400, AdvRDNSSLifetime and AdvDNSSLLifetime
 * 2 * Max, AdvLinkMTU 0 (not sent), AdvDefaultPreference medium.
 * Ranges are RFC 4861 section 6.2.1's: Max 4..1800, Min 3..0.75 * Max, router
 * lifetime 0 or Max..9000; radvd's: MTU 0 or at least 1280, RDNSS/DNSSL
 * lifetime 0 or at least Max. Checks that involve two keywords run when the
 * block ends, so the order of lines does not matter. */
#include <string.h>
#include <strings.h>

#include "conf/conf_parser.h"

/* ---- ra-relay ---- */

struct relay_ctx {
	struct conf_ra_relay *r;
	struct conf_pos learn, answer_from;
};

static int kw_relay_iface(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct relay_ctx *ctx = c;
	struct conf_ra_relay *r = ctx->r;
	struct conf_token name;
	char ifname[IF_NAMESIZE];
	if (conf_kw_ifname(p, kw, &name, ifname) < 0)
		return -1;
	int own = conf_check_not_upstream(p, &name, ifname, r->upstream, "the relay's upstream");
	if (own < 0)
		return -1;
	if (own)
		return conf_fail(p, name.pos, "'%s' is the relay's upstream; a downstream must differ",
		                 ifname);
	for (size_t i = 0; i < r->n_downstream; i++)
		if (!strcmp(r->downstream[i], ifname))
			return conf_fail(p, name.pos, "downstream '%s' is listed twice", ifname);
	char *slot = conf_push(p, (void **)&r->downstream, &r->n_downstream, IF_NAMESIZE,
	                       CONF_MAX_DOWNSTREAM, kw->pos, "downstream interfaces in one relay");
	if (!slot)
		return -1;
	memcpy(slot, ifname, IF_NAMESIZE);
	return 0;
}

static int kw_learn_hosts(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct relay_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, &ctx->learn, kw, false) < 0)
		return -1;
	ctx->r->learn_hosts = v;
	return 0;
}

static int kw_relay_answer_from(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct relay_ctx *ctx = c;
	enum conf_answer_from v;
	if (conf_kw_answer_from(p, kw, &v) < 0 || conf_once(p, &ctx->answer_from, kw, false) < 0)
		return -1;
	ctx->r->answer_from = v;
	return 0;
}

const struct conf_keyword conf_kw_relay[] = {
	{ "iface", kw_relay_iface },
	{ "learn-hosts", kw_learn_hosts },
	{ "answer-from", kw_relay_answer_from },
	{ NULL, NULL },
};

int conf_parse_relay(struct conf_parser *p, void *unused, const struct conf_token *kw)
{
	struct conf *c = p->conf;
	struct conf_token name, open;
	char ifname[IF_NAMESIZE];
	if (conf_kw_one_ifname(p, kw, &name, ifname) < 0)
		return -1;
	for (size_t i = 0; i < c->n_relays; i++)
		if (!strcmp(c->relays[i].upstream, ifname))
			return conf_fail(p, name.pos, "duplicate ra-relay for upstream '%s' (first at %u:%u)",
			                 ifname, c->relays[i].pos.line, c->relays[i].pos.col);
	struct conf_ra_relay *r = conf_push(p, (void **)&c->relays, &c->n_relays, sizeof(*r),
	                                    CONF_MAX_RELAYS, kw->pos, "ra-relay blocks");
	if (!r)
		return -1;
	memcpy(r->upstream, ifname, sizeof(ifname));
	r->learn_hosts = true;
	r->pos = kw->pos;
	struct relay_ctx ctx = { .r = r };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block && conf_parse_block(p, conf_kw_relay, "in an ra-relay block", &ctx, &open) < 0)
		return -1;
	if (!r->n_downstream)
		return conf_fail(p, kw->pos, "ra-relay %s needs at least one downstream 'iface'", ifname);
	return 0;
}

/* ---- ra prefix ---- */

struct prefix_ctx {
	struct conf_ra_prefix *px;
	struct conf_pos onlink, autonomous, valid, preferred;
	struct conf_pos preferred_val;
};

static int kw_onlink(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct prefix_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, &ctx->onlink, kw, false) < 0)
		return -1;
	ctx->px->onlink = v;
	return 0;
}

static int kw_autonomous(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct prefix_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, &ctx->autonomous, kw, false) < 0)
		return -1;
	ctx->px->autonomous = v;
	return 0;
}

static int kw_valid(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct prefix_ctx *ctx = c;
	struct conf_token v;
	if (conf_arg(p, kw, &v) < 0 || conf_val_lifetime(p, &v, &ctx->px->valid_lifetime) < 0)
		return -1;
	return conf_once(p, &ctx->valid, kw, false) < 0 ? -1 : 0;
}

static int kw_preferred(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct prefix_ctx *ctx = c;
	struct conf_token v;
	if (conf_arg(p, kw, &v) < 0 || conf_val_lifetime(p, &v, &ctx->px->preferred_lifetime) < 0)
		return -1;
	ctx->preferred_val = v.pos;
	return conf_once(p, &ctx->preferred, kw, false) < 0 ? -1 : 0;
}

const struct conf_keyword conf_kw_ra_prefix[] = {
	{ "on-link", kw_onlink },
	{ "autonomous", kw_autonomous },
	{ "valid-lifetime", kw_valid },
	{ "preferred-lifetime", kw_preferred },
	{ NULL, NULL },
};

/* ---- ra ---- */

enum {
	RA_RDNSS_LT, RA_DNSSL_LT, RA_MTU, RA_INTERVAL, RA_ROUTER_LT, RA_PREF, RA_MANAGED, RA_OTHER,
	RA_COUNT
};

struct ra_ctx {
	struct conf_ra *ra;
	struct conf_pos seen[RA_COUNT];
	/* positions of values checked against each other at the end */
	struct conf_pos min_val, max_val, router_lt_val, rdnss_lt_val, dnssl_lt_val;
	bool min_given;
};

static int kw_prefix(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	struct conf_ra *ra = ctx->ra;
	struct conf_token arg, open;
	struct in6_addr addr;
	uint8_t plen;
	bool had_len, host_bits;
	char pb[64];
	if (conf_arg(p, kw, &arg) < 0 ||
	    conf_val_prefix(p, &arg, &addr, &plen, &had_len, &host_bits) < 0)
		return -1;
	conf_format_prefix(&addr, had_len ? plen : 64, pb, sizeof(pb));
	if (!had_len)
		return conf_fail(p, arg.pos, "'prefix' needs a length, e.g. %s", pb);
	if (plen == 0)
		return conf_fail(p, arg.pos, "prefix length 0 cannot be advertised");
	if (addr.s6_addr[0] == 0xff || (addr.s6_addr[0] == 0xfe && (addr.s6_addr[1] & 0xc0) == 0x80))
		return conf_fail(p, arg.pos, "%s is multicast or link-local and cannot be advertised", pb);
	for (size_t i = 0; i < ra->n_prefixes; i++)
		if (ra->prefixes[i].plen == plen &&
		    !memcmp(&ra->prefixes[i].prefix, &addr, sizeof(addr)))
			return conf_fail(p, arg.pos, "prefix %s is listed twice (first at %u:%u)", pb,
			                 ra->prefixes[i].pos.line, ra->prefixes[i].pos.col);
	struct conf_ra_prefix *px = conf_push(p, (void **)&ra->prefixes, &ra->n_prefixes,
	                                      sizeof(*px), CONF_MAX_RA_PREFIXES, kw->pos,
	                                      "prefixes in one ra block");
	if (!px)
		return -1;
	if (host_bits)
		conf_warn(p, arg.pos, "host bits cleared: advertising %s", pb);
	px->prefix = addr;
	px->plen = plen;
	px->onlink = px->autonomous = true;
	px->valid_lifetime = CONF_DEF_VALID_LIFETIME;
	px->preferred_lifetime = CONF_DEF_PREF_LIFETIME;
	px->pos = kw->pos;

	struct prefix_ctx pctx = { .px = px, .preferred_val = kw->pos };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block && conf_parse_block(p, conf_kw_ra_prefix, "in an ra prefix block", &pctx, &open) < 0)
		return -1;
	if (px->preferred_lifetime > px->valid_lifetime)
		return conf_fail(p, pctx.preferred_val, "preferred-lifetime %u is longer than "
		                 "valid-lifetime %u (RFC 4861 4.6.2)", px->preferred_lifetime,
		                 px->valid_lifetime);
	if (px->autonomous && plen != 64)
		conf_warn(p, arg.pos, "%s: SLAAC needs a /64, hosts will not form addresses from it", pb);
	return 0;
}

static int kw_rdnss(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct conf_ra *ra = ((struct ra_ctx *)c)->ra;
	struct conf_token t;
	if (conf_arg(p, kw, &t) < 0)
		return -1;
	for (;;) {
		struct in6_addr a;
		if (conf_val_addr(p, &t, &a) < 0)
			return -1;
		if (a.s6_addr[0] == 0xff || IN6_IS_ADDR_UNSPECIFIED(&a))
			return conf_fail(p, t.pos, "a DNS server address must be unicast");
		for (size_t i = 0; i < ra->n_rdnss; i++)
			if (!memcmp(&ra->rdnss[i], &a, sizeof(a)))
				return conf_fail(p, t.pos, "DNS server listed twice");
		struct in6_addr *slot = conf_push(p, (void **)&ra->rdnss, &ra->n_rdnss, sizeof(*slot),
		                                  CONF_MAX_RDNSS, t.pos, "rdnss addresses");
		if (!slot)
			return -1;
		*slot = a;
		int more = conf_arg_more(p, &t);
		if (more <= 0)
			return more;
	}
}

static int kw_dnssl(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct conf_ra *ra = ((struct ra_ctx *)c)->ra;
	struct conf_token t;
	if (conf_arg(p, kw, &t) < 0)
		return -1;
	for (;;) {
		char name[256];
		if (conf_val_domain(p, &t, name) < 0)
			return -1;
		for (size_t i = 0; i < ra->n_dnssl; i++)
			if (!strcasecmp(ra->dnssl[i], name))
				return conf_fail(p, t.pos, "search domain '%s' listed twice", name);
		char *slot = conf_push(p, (void **)&ra->dnssl, &ra->n_dnssl, sizeof(ra->dnssl[0]),
		                       CONF_MAX_DNSSL, t.pos, "dnssl names");
		if (!slot)
			return -1;
		memcpy(slot, name, sizeof(name));
		int more = conf_arg_more(p, &t);
		if (more <= 0)
			return more;
	}
}

static int ra_lifetime(struct conf_parser *p, struct ra_ctx *ctx, const struct conf_token *kw,
                       int slot, uint32_t *field, struct conf_pos *val_pos)
{
	struct conf_token v;
	if (conf_arg(p, kw, &v) < 0 || conf_val_lifetime(p, &v, field) < 0 ||
	    conf_once(p, &ctx->seen[slot], kw, false) < 0)
		return -1;
	*val_pos = v.pos;
	return 0;
}

static int kw_rdnss_lifetime(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	return ra_lifetime(p, ctx, kw, RA_RDNSS_LT, &ctx->ra->rdnss_lifetime, &ctx->rdnss_lt_val);
}

static int kw_dnssl_lifetime(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	return ra_lifetime(p, ctx, kw, RA_DNSSL_LT, &ctx->ra->dnssl_lifetime, &ctx->dnssl_lt_val);
}

static int kw_router_lifetime(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	struct conf_token v;
	if (conf_arg(p, kw, &v) < 0 || conf_val_u32(p, &v, 0, 9000, &ctx->ra->router_lifetime_s) < 0 ||
	    conf_once(p, &ctx->seen[RA_ROUTER_LT], kw, false) < 0)
		return -1;
	ctx->router_lt_val = v.pos;
	return 0;
}

static int kw_mtu(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	struct conf_token v;
	if (conf_arg(p, kw, &v) < 0 || conf_val_u32(p, &v, 0, 65535, &ctx->ra->mtu) < 0)
		return -1;
	if (ctx->ra->mtu && ctx->ra->mtu < 1280)
		return conf_fail(p, v.pos, "mtu %u is below IPv6's minimum of 1280 (0 = not advertised)",
		                 ctx->ra->mtu);
	return conf_once(p, &ctx->seen[RA_MTU], kw, false) < 0 ? -1 : 0;
}

static int kw_interval(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	struct conf_token a, b;
	uint32_t x, y;
	if (conf_arg(p, kw, &a) < 0 || conf_val_u32(p, &a, 0, UINT32_MAX, &x) < 0)
		return -1;
	int two = conf_arg_more(p, &b);
	if (two < 0 || (two && conf_val_u32(p, &b, 0, UINT32_MAX, &y) < 0))
		return -1;
	if (conf_once(p, &ctx->seen[RA_INTERVAL], kw, false) < 0)
		return -1;
	ctx->min_given = two;
	if (two) {
		ctx->ra->min_interval_s = x;
		ctx->ra->max_interval_s = y;
		ctx->min_val = a.pos;
		ctx->max_val = b.pos;
	} else {
		ctx->ra->max_interval_s = x;
		ctx->max_val = a.pos;
	}
	if (ctx->ra->max_interval_s < 4 || ctx->ra->max_interval_s > 1800)
		return conf_fail(p, ctx->max_val, "maximum interval %u is out of range 4..1800 "
		                 "(RFC 4861 MaxRtrAdvInterval)", ctx->ra->max_interval_s);
	return 0;
}

static int kw_preference(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	struct conf_token v;
	char tb[64];
	static const char *const names[] = { "low", "medium", "high" };
	if (conf_arg(p, kw, &v) < 0 || conf_once(p, &ctx->seen[RA_PREF], kw, false) < 0)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (strlen(names[i]) == v.len && !strncasecmp(names[i], v.text, v.len)) {
			ctx->ra->preference = i - 1;
			return 0;
		}
	}
	return conf_fail(p, v.pos, "'%s' is not low, medium or high", conf_tokstr(&v, tb, sizeof(tb)));
}

static int kw_managed(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, &ctx->seen[RA_MANAGED], kw, false) < 0)
		return -1;
	ctx->ra->managed = v;
	return 0;
}

static int kw_other(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct ra_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, &ctx->seen[RA_OTHER], kw, false) < 0)
		return -1;
	ctx->ra->other = v;
	return 0;
}

const struct conf_keyword conf_kw_ra[] = {
	{ "prefix", kw_prefix },
	{ "rdnss", kw_rdnss },
	{ "dnssl", kw_dnssl },
	{ "rdnss-lifetime", kw_rdnss_lifetime },
	{ "dnssl-lifetime", kw_dnssl_lifetime },
	{ "mtu", kw_mtu },
	{ "interval", kw_interval },
	{ "router-lifetime", kw_router_lifetime },
	{ "preference", kw_preference },
	{ "managed", kw_managed },
	{ "other-config", kw_other },
	{ NULL, NULL },
};

/* RFC 8106 §5.1: RDNSS and DNSSL lifetimes SHOULD by default be at least
 * 3 * MaxRtrAdvInterval, so that hosts keep their servers when one or two
 * RAs are lost (radvd 2.19 sends 1x: a single lost RA expires them). */
static uint32_t rdnss_default_lifetime(uint32_t max_interval_s)
{
	return 3 * max_interval_s;
}

/* Defaults that follow MaxRtrAdvInterval, then the checks across keywords. */
static int ra_finish(struct conf_parser *p, struct ra_ctx *ctx)
{
	struct conf_ra *ra = ctx->ra;
	uint32_t max = ra->max_interval_s;
	if (!ctx->min_given) {
		ra->min_interval_s = max * 33 / 100; /* radvd: 0.33 * Max */
		if (ra->min_interval_s < 3)
			ra->min_interval_s = 3;
	} else if (ra->min_interval_s < 3 || (uint64_t)ra->min_interval_s * 4 > (uint64_t)max * 3) {
		return conf_fail(p, ctx->min_val, "minimum interval %u is out of range 3..%u "
		                 "(RFC 4861: at most 0.75 * the maximum %u)", ra->min_interval_s,
		                 max * 3 / 4, max);
	}
	if (!ctx->seen[RA_ROUTER_LT].line)
		ra->router_lifetime_s = 3 * max;
	else if (ra->router_lifetime_s && ra->router_lifetime_s < max)
		return conf_fail(p, ctx->router_lt_val, "router-lifetime %u is shorter than the maximum "
		                 "interval %u (RFC 4861: 0 or Max..9000)", ra->router_lifetime_s, max);
	if (!ctx->seen[RA_RDNSS_LT].line)
		ra->rdnss_lifetime = rdnss_default_lifetime(max);
	else if (ra->rdnss_lifetime && ra->rdnss_lifetime < max)
		return conf_fail(p, ctx->rdnss_lt_val, "rdnss-lifetime %u is shorter than the maximum "
		                 "interval %u (0 or at least the interval)", ra->rdnss_lifetime, max);
	if (!ctx->seen[RA_DNSSL_LT].line)
		ra->dnssl_lifetime = rdnss_default_lifetime(max);
	else if (ra->dnssl_lifetime && ra->dnssl_lifetime < max)
		return conf_fail(p, ctx->dnssl_lt_val, "dnssl-lifetime %u is shorter than the maximum "
		                 "interval %u (0 or at least the interval)", ra->dnssl_lifetime, max);
	return 0;
}

int conf_parse_ra(struct conf_parser *p, void *unused, const struct conf_token *kw)
{
	struct conf *c = p->conf;
	struct conf_token name, open;
	char ifname[IF_NAMESIZE];
	if (conf_kw_one_ifname(p, kw, &name, ifname) < 0)
		return -1;
	for (size_t i = 0; i < c->n_ras; i++)
		if (!strcmp(c->ras[i].iface, ifname))
			return conf_fail(p, name.pos, "duplicate ra block for '%s' (first at %u:%u)", ifname,
			                 c->ras[i].pos.line, c->ras[i].pos.col);
	struct conf_ra *ra = conf_push(p, (void **)&c->ras, &c->n_ras, sizeof(*ra), CONF_MAX_RAS,
	                               kw->pos, "ra blocks");
	if (!ra)
		return -1;
	memcpy(ra->iface, ifname, sizeof(ifname));
	ra->max_interval_s = CONF_DEF_RA_MAX_INTERVAL;
	ra->preference = 0;
	ra->pos = kw->pos;
	struct ra_ctx ctx = { .ra = ra };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block && conf_parse_block(p, conf_kw_ra, "in an ra block", &ctx, &open) < 0)
		return -1;
	return ra_finish(p, &ctx);
}
