/* The ndppd part of the grammar: `proxy IF { ... rule PREFIX { ... } }`.
 *
 * Facts from ndppd 0.2.x master (src/ndppd.cc load_config()/configure(),
 * src/conf.cc, src/address.cc), checked against Debian 12's ndppd 0.2.5:
 *  - defaults: router yes, timeout 500, ttl 30000, deadtime = ttl,
 *    autowire no, keepalive yes, retries 3, promiscuous no (all in ms);
 *  - `rule ADDR` without /LEN is /128; the block may be left out;
 *  - only one of static, auto, iface per rule ("Only one of 'iface', 'auto'
 *    and 'static' may be specified"); autovia is a flag of iface rules;
 *  - a rule without a method: ndppd 0.2.2 answered statically with a
 *    warning, 0.2.5 refuses to start. islandd keeps the 0.2.2 behaviour.
 *  - ndppd warns "Low prefix length" for static rules of /120 or shorter.
 * ndppd ignores unknown keywords and reads a bad address as ::/128; here
 * both are errors. Host bits in a rule's prefix are cleared with a warning,
 * as ndppd compares under the mask.
 *
 * islandd extension: IPv4 rules (`rule 192.168.1.0/24 { iface eth0 }`) in
 * the same blocks are proxy ARP. They go to conf->arp_proxies, an entry
 * with the block's options and only its IPv4 rules (v4-mapped prefixes,
 * plen 96 + the IPv4 length); the NDP proxy never sees them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_parser.h"

enum {
	P_ROUTER, P_TIMEOUT, P_TTL, P_DEADTIME, P_AUTOWIRE, P_KEEPALIVE, P_RETRIES,
	P_PROMISCUOUS, P_MAX_SESSIONS, P_PROBE_RATE, P_ANSWER_FROM, P_COUNT
};

struct proxy_ctx {
	struct conf_proxy *pr;
	struct conf_pos seen[P_COUNT];
	size_t arp_idx;           /* its entry in conf->arp_proxies, once it has IPv4 rules */
	bool has_arp;
};

struct rule_ctx {
	const struct conf_proxy *pr;
	struct conf_rule *ru;
	struct conf_pos method, autovia;
};

/* One numeric proxy option: parse, keep the first (ndppd), store. */
static int proxy_u32(struct conf_parser *p, struct proxy_ctx *ctx, const struct conf_token *kw,
                     int slot, uint32_t min, uint32_t max, uint32_t *field, bool compat)
{
	uint32_t v;
	if (conf_kw_u32(p, kw, min, max, &v) < 0)
		return -1;
	int first = conf_once(p, &ctx->seen[slot], kw, compat);
	if (first > 0)
		*field = v;
	return first < 0 ? -1 : 0;
}

static int proxy_bool(struct conf_parser *p, struct proxy_ctx *ctx, const struct conf_token *kw,
                      int slot, bool *field)
{
	bool v;
	if (conf_kw_bool(p, kw, true, &v) < 0)
		return -1;
	int first = conf_once(p, &ctx->seen[slot], kw, true);
	if (first > 0)
		*field = v;
	return first < 0 ? -1 : 0;
}

static int kw_router(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_bool(p, ctx, kw, P_ROUTER, &ctx->pr->router);
}

static int kw_autowire(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_bool(p, ctx, kw, P_AUTOWIRE, &ctx->pr->autowire);
}

static int kw_keepalive(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_bool(p, ctx, kw, P_KEEPALIVE, &ctx->pr->keepalive);
}

static int kw_promiscuous(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_bool(p, ctx, kw, P_PROMISCUOUS, &ctx->pr->promiscuous);
}

static int kw_timeout(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_u32(p, ctx, kw, P_TIMEOUT, 1, 3600000, &ctx->pr->timeout_ms, true);
}

static int kw_ttl(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_u32(p, ctx, kw, P_TTL, 1, 86400000, &ctx->pr->ttl_ms, true);
}

static int kw_deadtime(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_u32(p, ctx, kw, P_DEADTIME, 0, 86400000, &ctx->pr->deadtime_ms, true);
}

static int kw_retries(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_u32(p, ctx, kw, P_RETRIES, 0, 100, &ctx->pr->retries, true);
}

static int kw_max_sessions(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_u32(p, ctx, kw, P_MAX_SESSIONS, 1, 1048576, &ctx->pr->max_sessions, false);
}

static int kw_probe_rate(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	return proxy_u32(p, ctx, kw, P_PROBE_RATE, 1, 100000, &ctx->pr->probe_rate, false);
}

static int kw_answer_from(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *ctx = c;
	enum conf_answer_from v;
	if (conf_kw_answer_from(p, kw, &v) < 0 || conf_once(p, &ctx->seen[P_ANSWER_FROM], kw, false) < 0)
		return -1;
	ctx->pr->answer_from = v;
	return 0;
}

/* ---- rule prefixes: IPv6, or IPv4 for proxy ARP ---- */

void conf_format_rule_prefix(const struct in6_addr *a, uint8_t plen, bool ipv4, char *buf, size_t cap)
{
	char s[INET_ADDRSTRLEN];
	if (!ipv4 || !inet_ntop(AF_INET, &a->s6_addr[12], s, sizeof(s))) {
		conf_format_prefix(a, plen, buf, cap);
		return;
	}
	snprintf(buf, cap, "%s/%u", s, plen >= 96 ? (unsigned)plen - 96 : 0u);
}

/* An address part with a dot and no colon is meant as IPv4. */
static bool token_is_ipv4(const struct conf_token *t)
{
	const char *slash = memchr(t->text, '/', t->len);
	size_t alen = slash ? (size_t)(slash - t->text) : t->len;
	return memchr(t->text, '.', alen) && !memchr(t->text, ':', alen);
}

/* "a.b.c.d[/len]" as a v4-mapped prefix (plen 96 + len; /32 without a length). */
static int rule_prefix4(struct conf_parser *p, const struct conf_token *t, struct in6_addr *addr,
                        uint8_t *plen, bool *host_bits)
{
	char tb[64], ab[INET_ADDRSTRLEN];
	const char *slash = memchr(t->text, '/', t->len);
	size_t alen = slash ? (size_t)(slash - t->text) : t->len;
	struct in_addr a4;
	if (alen >= sizeof(ab))
		return conf_fail(p, t->pos, "'%s' is not an IPv4 address or prefix", conf_tokstr(t, tb, sizeof(tb)));
	memcpy(ab, t->text, alen);
	ab[alen] = 0;
	if (inet_pton(AF_INET, ab, &a4) != 1)
		return conf_fail(p, t->pos, "'%s' is not an IPv4 address or prefix", conf_tokstr(t, tb, sizeof(tb)));
	unsigned len = 32;
	if (slash) {
		size_t n = t->len - alen - 1;
		if (!n)
			return conf_fail(p, t->pos, "'%s' has no prefix length after '/'", conf_tokstr(t, tb, sizeof(tb)));
		len = 0;
		for (size_t i = 0; i < n; i++) {
			char d = slash[1 + i];
			if (d < '0' || d > '9')
				return conf_fail(p, t->pos, "prefix length in '%s' is not a number",
				                 conf_tokstr(t, tb, sizeof(tb)));
			if (len <= 32)
				len = len * 10 + (unsigned)(d - '0');
		}
		if (len > 32)
			return conf_fail(p, t->pos, "prefix length in '%s' is out of range 0..32 (IPv4)",
			                 conf_tokstr(t, tb, sizeof(tb)));
	}
	uint32_t host = ntohl(a4.s_addr);
	uint32_t mask = len ? ~0u << (32 - len) : 0;
	*host_bits = (host & ~mask) != 0;
	a4.s_addr = htonl(host & mask);
	memset(addr, 0, sizeof(*addr));
	addr->s6_addr[10] = addr->s6_addr[11] = 0xff;
	memcpy(&addr->s6_addr[12], &a4, 4);
	*plen = (uint8_t)(96 + len);
	return 0;
}

/* The proxy ARP twin of this block, made on its first IPv4 rule. */
static struct conf_proxy *arp_twin(struct conf_parser *p, struct proxy_ctx *ctx, struct conf_pos pos)
{
	struct conf *c = p->conf;
	if (!ctx->has_arp) {
		struct conf_proxy *ap = conf_push(p, (void **)&c->arp_proxies, &c->n_arp_proxies, sizeof(*ap),
		                                  CONF_MAX_PROXIES, pos, "proxy blocks with IPv4 rules");
		if (!ap)
			return NULL;
		ctx->arp_idx = c->n_arp_proxies - 1;
		ctx->has_arp = true;
	}
	return &c->arp_proxies[ctx->arp_idx];
}

/* ---- rule block: static | auto | iface IF, autovia ---- */

static int rule_method(struct conf_parser *p, struct rule_ctx *ctx, const struct conf_token *kw,
                       enum conf_rule_method m)
{
	if (ctx->method.line)
		return conf_fail(p, kw->pos, "only one of 'static', 'auto' and 'iface' may be given "
		                 "in a rule (first at %u:%u)", ctx->method.line, ctx->method.col);
	ctx->method = kw->pos;
	ctx->ru->method = m;
	return 0;
}

static int kw_static(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	return rule_method(p, c, kw, RULE_STATIC);
}

static int kw_auto(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	return rule_method(p, c, kw, RULE_AUTO);
}

static int kw_iface(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct rule_ctx *ctx = c;
	struct conf_token name;
	char ifname[IF_NAMESIZE];
	if (conf_kw_ifname(p, kw, &name, ifname) < 0)
		return -1;
	int own = conf_check_not_upstream(p, &name, ifname, ctx->pr->iface, "the proxy's interface");
	if (own < 0)
		return -1;
	if (own)
		return conf_fail(p, name.pos, "'iface %s' is the proxy's own interface: NS would be "
		                 "sent back where they came from", ifname);
	if (rule_method(p, ctx, kw, RULE_IFACE) < 0)
		return -1;
	memcpy(ctx->ru->iface, ifname, sizeof(ifname));
	return 0;
}

static int kw_autovia(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct rule_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, true, &v) < 0)
		return -1;
	int first = conf_once(p, &ctx->autovia, kw, true);
	if (first > 0)
		ctx->ru->autovia = v;
	return first < 0 ? -1 : 0;
}

const struct conf_keyword conf_kw_rule[] = {
	{ "static", kw_static },
	{ "auto", kw_auto },
	{ "iface", kw_iface },
	{ "autovia", kw_autovia },
	{ NULL, NULL },
};

static int kw_rule(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct proxy_ctx *pctx = c;
	struct conf_proxy *pr = pctx->pr;
	struct conf_token arg, open;
	struct in6_addr addr;
	uint8_t plen;
	bool had_len, host_bits;
	char pb[64];

	if (conf_arg(p, kw, &arg) < 0)
		return -1;
	bool ipv4 = token_is_ipv4(&arg);
	if (ipv4 ? rule_prefix4(p, &arg, &addr, &plen, &host_bits) < 0
	         : conf_val_prefix(p, &arg, &addr, &plen, &had_len, &host_bits) < 0)
		return -1;
	struct conf_proxy *owner = ipv4 ? arp_twin(p, pctx, kw->pos) : pr;
	if (!owner)
		return -1;
	struct conf_rule *ru = conf_push(p, (void **)&owner->rules, &owner->n_rules, sizeof(*ru),
	                                 CONF_MAX_RULES, kw->pos, "rules in one proxy");
	if (!ru)
		return -1;
	ru->prefix = addr;
	ru->plen = plen;
	ru->method = RULE_STATIC;
	ru->pos = kw->pos;
	conf_format_rule_prefix(&addr, plen, ipv4, pb, sizeof(pb));
	if (host_bits)
		conf_warn(p, arg.pos, "host bits cleared: the rule matches %s", pb);

	struct rule_ctx ctx = { .pr = pr, .ru = ru };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block && conf_parse_block(p, conf_kw_rule, "in a rule block", &ctx, &open) < 0)
		return -1;
	if (!ctx.method.line)
		conf_warn(p, kw->pos, "rule %s has no method: answering statically as ndppd 0.2.2 "
		          "did (ndppd 0.2.5 refuses this); write 'static', 'auto' or 'iface IF'", pb);
	if (ru->method == RULE_STATIC && ru->plen <= 120)
		conf_warn(p, kw->pos, "static rule for %s answers for every address in it, live or "
		          "not (ndppd: \"low prefix length\")", pb);
	if (ipv4 && ru->method == RULE_IFACE && conf_iface_is_pattern(ru->iface))
		return conf_fail(p, ctx.method, "'iface %s': an IPv4 rule needs one interface name, "
		                 "not a pattern", ru->iface);
	if (ipv4 && ru->autovia)
		return conf_fail(p, ctx.autovia, "'autovia' is for IPv6 rules (a link-local router); "
		                 "an IPv4 rule routes to the interface");
	if (ru->autovia && ru->method != RULE_IFACE)
		conf_warn(p, ctx.autovia, "'autovia' only applies to 'iface' rules");
	return 0;
}

const struct conf_keyword conf_kw_proxy[] = {
	{ "router", kw_router },
	{ "timeout", kw_timeout },
	{ "ttl", kw_ttl },
	{ "deadtime", kw_deadtime },
	{ "autowire", kw_autowire },
	{ "keepalive", kw_keepalive },
	{ "retries", kw_retries },
	{ "promiscuous", kw_promiscuous },
	{ "max-sessions", kw_max_sessions },
	{ "probe-rate", kw_probe_rate },
	{ "answer-from", kw_answer_from },
	{ "rule", kw_rule },
	{ NULL, NULL },
};

int conf_parse_proxy(struct conf_parser *p, void *unused, const struct conf_token *kw)
{
	struct conf *c = p->conf;
	struct conf_token name, open;
	char ifname[IF_NAMESIZE];

	if (conf_kw_one_ifname(p, kw, &name, ifname) < 0)
		return -1;
	for (size_t i = 0; i < c->n_proxies; i++)
		if (!strcmp(c->proxies[i].iface, ifname))
			return conf_fail(p, name.pos, "duplicate proxy for interface '%s' (first at %u:%u)",
			                 ifname, c->proxies[i].pos.line, c->proxies[i].pos.col);
	for (size_t i = 0; i < c->n_arp_proxies; i++)
		if (!strcmp(c->arp_proxies[i].iface, ifname))
			return conf_fail(p, name.pos, "duplicate proxy for interface '%s' (first at %u:%u)",
			                 ifname, c->arp_proxies[i].pos.line, c->arp_proxies[i].pos.col);
	struct conf_proxy *pr = conf_push(p, (void **)&c->proxies, &c->n_proxies, sizeof(*pr),
	                                  CONF_MAX_PROXIES, kw->pos, "proxy blocks");
	if (!pr)
		return -1;
	memcpy(pr->iface, ifname, sizeof(ifname));
	pr->router = true;
	pr->timeout_ms = CONF_DEF_TIMEOUT_MS;
	pr->ttl_ms = CONF_DEF_TTL_MS;
	pr->autowire = false;
	pr->keepalive = true;
	pr->retries = CONF_DEF_RETRIES;
	pr->promiscuous = false;
	pr->max_sessions = CONF_DEF_MAX_SESSIONS;
	pr->probe_rate = CONF_DEF_PROBE_RATE;
	pr->pos = kw->pos;

	struct proxy_ctx ctx = { .pr = pr };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block && conf_parse_block(p, conf_kw_proxy, "in a proxy block", &ctx, &open) < 0)
		return -1;
	if (!ctx.seen[P_DEADTIME].line)
		pr->deadtime_ms = pr->ttl_ms; /* ndppd: deadtime defaults to the ttl in force */
	if (ctx.has_arp) {
		/* the ARP twin takes the block's options; its own rules stay */
		struct conf_proxy *ap = &c->arp_proxies[ctx.arp_idx];
		struct conf_rule *rules = ap->rules;
		size_t n = ap->n_rules;
		*ap = *pr;
		ap->rules = rules;
		ap->n_rules = n;
		if (!pr->n_rules) { /* IPv4 only: nothing for the NDP proxy */
			free(pr->rules);
			c->n_proxies--;
		}
		return 0;
	}
	if (!pr->n_rules)
		conf_warn(p, kw->pos, "proxy %s has no rules: it will answer nothing", ifname);
	return 0;
}
