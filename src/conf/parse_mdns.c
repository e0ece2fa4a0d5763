/* The `mdns { ... }` block: which links the reflector joins and what may
 * cross them.
 *
 *   mdns {
 *       iface wlan0
 *       iface eth0 { ipv4 no; allow _ssh._tcp; deny-in _printer._tcp }
 *       reflect-ula yes; reflect-private-ipv4 yes; rate-limit 5000
 *   }
 *
 * allow/deny name both directions; -in is what arrives from the link, -out
 * what is sent to it. An exact repeat of a filter is dropped with a warning
 * so the stored lists stay canonical. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_parser.h"

struct mdns_ctx {
	struct conf_mdns *m;
	struct conf_pos ula, private4, rate;
};

struct mdns_iface_ctx {
	struct conf_mdns_iface *ifc;
	struct conf_pos ipv4, ipv6;
};

enum { DIR_IN = 1, DIR_OUT = 2 };

static int filter_add(struct conf_parser *p, struct conf_mdns_iface *ifc, int dir,
                      const struct conf_token *t, const char *service, bool allow)
{
	struct conf_mdns_filter **list = dir == DIR_IN ? &ifc->in : &ifc->out;
	size_t *n = dir == DIR_IN ? &ifc->n_in : &ifc->n_out;
	for (size_t i = 0; i < *n; i++) {
		if ((*list)[i].allow == allow && !strcasecmp((*list)[i].service, service)) {
			conf_warn(p, t->pos, "%s %s %s is given twice", allow ? "allow" : "deny", service,
			          dir == DIR_IN ? "in" : "out");
			return 0;
		}
	}
	struct conf_mdns_filter *f = conf_push(p, (void **)list, n, sizeof(*f),
	                                       CONF_MAX_MDNS_FILTERS, t->pos,
	                                       "service filters in one direction");
	if (!f)
		return -1;
	memcpy(f->service, service, sizeof(f->service));
	f->allow = allow;
	return 0;
}

static int filter_kw(struct conf_parser *p, void *c, const struct conf_token *kw, int dirs,
                     bool allow)
{
	struct mdns_iface_ctx *ctx = c;
	struct conf_token t;
	char service[64];
	if (conf_arg(p, kw, &t) < 0)
		return -1;
	for (;;) {
		if (conf_val_service(p, &t, service) < 0)
			return -1;
		if ((dirs & DIR_IN) && filter_add(p, ctx->ifc, DIR_IN, &t, service, allow) < 0)
			return -1;
		if ((dirs & DIR_OUT) && filter_add(p, ctx->ifc, DIR_OUT, &t, service, allow) < 0)
			return -1;
		int more = conf_arg_more(p, &t);
		if (more <= 0)
			return more;
	}
}

static int kw_allow(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	return filter_kw(p, c, kw, DIR_IN | DIR_OUT, true);
}

static int kw_deny(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	return filter_kw(p, c, kw, DIR_IN | DIR_OUT, false);
}

static int kw_allow_in(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	return filter_kw(p, c, kw, DIR_IN, true);
}

static int kw_deny_in(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	return filter_kw(p, c, kw, DIR_IN, false);
}

static int kw_allow_out(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	return filter_kw(p, c, kw, DIR_OUT, true);
}

static int kw_deny_out(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	return filter_kw(p, c, kw, DIR_OUT, false);
}

static int once_bool(struct conf_parser *p, const struct conf_token *kw, struct conf_pos *seen,
                     bool *field)
{
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, seen, kw, false) < 0)
		return -1;
	*field = v;
	return 0;
}

static int kw_ipv4(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct mdns_iface_ctx *ctx = c;
	return once_bool(p, kw, &ctx->ipv4, &ctx->ifc->ipv4);
}

static int kw_ipv6(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct mdns_iface_ctx *ctx = c;
	return once_bool(p, kw, &ctx->ipv6, &ctx->ifc->ipv6);
}

const struct conf_keyword conf_kw_mdns_iface[] = {
	{ "ipv4", kw_ipv4 },
	{ "ipv6", kw_ipv6 },
	{ "allow", kw_allow },
	{ "deny", kw_deny },
	{ "allow-in", kw_allow_in },
	{ "deny-in", kw_deny_in },
	{ "allow-out", kw_allow_out },
	{ "deny-out", kw_deny_out },
	{ NULL, NULL },
};

static int kw_mdns_iface(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct mdns_ctx *ctx = c;
	struct conf_mdns *m = ctx->m;
	struct conf_token name, open;
	char ifname[IF_NAMESIZE];
	if (conf_kw_ifname(p, kw, &name, ifname) < 0)
		return -1;
	for (size_t i = 0; i < m->n_ifaces; i++)
		if (!strcmp(m->ifaces[i].name, ifname))
			return conf_fail(p, name.pos, "interface '%s' is already in the mdns block "
			                 "(at %u:%u)", ifname, m->ifaces[i].pos.line, m->ifaces[i].pos.col);
	struct conf_mdns_iface *ifc = conf_push(p, (void **)&m->ifaces, &m->n_ifaces, sizeof(*ifc),
	                                        CONF_MAX_MDNS_IFACES, kw->pos, "mdns interfaces");
	if (!ifc)
		return -1;
	memcpy(ifc->name, ifname, sizeof(ifname));
	ifc->ipv4 = ifc->ipv6 = true;
	ifc->pos = kw->pos;

	struct mdns_iface_ctx ictx = { .ifc = ifc };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block &&
	    conf_parse_block(p, conf_kw_mdns_iface, "in an mdns iface block", &ictx, &open) < 0)
		return -1;
	if (!ifc->ipv4 && !ifc->ipv6)
		return conf_fail(p, kw->pos, "mdns interface '%s' has both ipv4 and ipv6 off", ifname);
	return 0;
}

static int kw_reflect_ula(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct mdns_ctx *ctx = c;
	return once_bool(p, kw, &ctx->ula, &ctx->m->reflect_ula);
}

static int kw_reflect_private4(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct mdns_ctx *ctx = c;
	return once_bool(p, kw, &ctx->private4, &ctx->m->reflect_private4);
}

static int kw_rate_limit(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct mdns_ctx *ctx = c;
	uint32_t v;
	if (conf_kw_u32(p, kw, 0, 1000000, &v) < 0 || conf_once(p, &ctx->rate, kw, false) < 0)
		return -1;
	ctx->m->rate_limit = v;
	return 0;
}

const struct conf_keyword conf_kw_mdns[] = {
	{ "iface", kw_mdns_iface },
	{ "reflect-ula", kw_reflect_ula },
	{ "reflect-private-ipv4", kw_reflect_private4 },
	{ "rate-limit", kw_rate_limit },
	{ NULL, NULL },
};

int conf_parse_mdns(struct conf_parser *p, void *unused, const struct conf_token *kw)
{
	struct conf *c = p->conf;
	struct conf_token open;
	if (c->mdns)
		return conf_fail(p, kw->pos, "only one mdns block is allowed (first at %u:%u)",
		                 c->mdns->pos.line, c->mdns->pos.col);
	struct conf_mdns *m = calloc(1, sizeof(*m));
	if (!m)
		return conf_fail(p, kw->pos, "out of memory");
	c->mdns = m; /* owned by the tree from here on, freed with it on error */
	m->reflect_ula = true;
	m->reflect_private4 = true;
	m->rate_limit = CONF_DEF_MDNS_RATE;
	m->pos = kw->pos;

	struct mdns_ctx ctx = { .m = m };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block && conf_parse_block(p, conf_kw_mdns, "in the mdns block", &ctx, &open) < 0)
		return -1;
	if (m->n_ifaces < 2)
		return conf_fail(p, kw->pos, "the mdns block needs at least two 'iface' lines "
		                 "(it has %zu): reflecting needs two links", m->n_ifaces);
	return 0;
}
