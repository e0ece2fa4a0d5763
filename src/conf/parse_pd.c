/* The DHCPv6 prefix-delegation block:
 *
 *   dhcp6-pd UPSTREAM { prefix-hint ADDR/LEN | prefix-hint length LEN;
 *                       iface DOWN [{ subnet N }]; script PATH; release yes|no;
 *                       state-dir DIR }
 *
 * The hint is what RFC 8415 §18.2.1 lets a client put in its IA Prefix
 * (usually ::/56: a length only). A delegation is at most /48 .. /64 wide
 * here (RFC 6177's range for a site), so a subnet number is below 2^16 and
 * the hint's length lies in 48..64. */
#include <string.h>

#include "conf/conf_parser.h"

#define PD_MAX_SUBNET 65535u

struct pd_ctx {
	struct conf_pd *pd;
	struct conf_pos hint, script, release, state_dir;
};

static int kw_pd_hint(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct pd_ctx *ctx = c;
	struct conf_pd *pd = ctx->pd;
	struct conf_token arg;
	if (conf_once(p, &ctx->hint, kw, false) < 0 || conf_arg(p, kw, &arg) < 0)
		return -1;
	if (arg.len == 6 && !memcmp(arg.text, "length", 6)) {
		struct conf_token len;
		uint32_t v;
		if (conf_arg_more(p, &len) <= 0)
			return conf_fail(p, arg.pos, "'prefix-hint length' needs a prefix length (48..64)");
		if (conf_val_u32(p, &len, 48, 64, &v) < 0)
			return -1;
		memset(&pd->hint, 0, sizeof(pd->hint));
		pd->hint_plen = (uint8_t)v;
	} else {
		bool had_len, host_bits;
		if (conf_val_prefix(p, &arg, &pd->hint, &pd->hint_plen, &had_len, &host_bits) < 0)
			return -1;
		if (!had_len)
			return conf_fail(p, arg.pos, "prefix-hint needs a length (e.g. ::/56)");
		if (pd->hint_plen < 48 || pd->hint_plen > 64)
			return conf_fail(p, arg.pos, "prefix-hint length %u is outside 48..64", pd->hint_plen);
		if (host_bits)
			conf_warn(p, arg.pos, "host bits of the prefix-hint cleared");
	}
	pd->has_hint = true;
	return 0;
}

static int kw_pd_subnet(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct conf_pd_iface *ifc = c;
	if (ifc->has_subnet)
		return conf_fail(p, kw->pos, "'subnet' is given twice");
	if (conf_kw_u32(p, kw, 0, PD_MAX_SUBNET, &ifc->subnet) < 0)
		return -1;
	ifc->has_subnet = true;
	return 0;
}

const struct conf_keyword conf_kw_pd_iface[] = {
	{ "subnet", kw_pd_subnet },
	{ NULL, NULL },
};

static int kw_pd_iface(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct pd_ctx *ctx = c;
	struct conf_pd *pd = ctx->pd;
	struct conf_token name, open;
	char ifname[IF_NAMESIZE];
	if (conf_kw_ifname(p, kw, &name, ifname) < 0)
		return -1;
	int own = conf_check_not_upstream(p, &name, ifname, pd->upstream, "the dhcp6-pd upstream");
	if (own < 0)
		return -1;
	if (own)
		return conf_fail(p, name.pos, "'%s' is the dhcp6-pd upstream; a downstream must differ",
		                 ifname);
	for (size_t i = 0; i < pd->n_ifaces; i++)
		if (!strcmp(pd->ifaces[i].name, ifname))
			return conf_fail(p, name.pos, "downstream '%s' is listed twice", ifname);
	struct conf_pd_iface *ifc = conf_push(p, (void **)&pd->ifaces, &pd->n_ifaces, sizeof(*ifc),
	                                      CONF_MAX_PD_IFACES, kw->pos,
	                                      "downstream interfaces in one dhcp6-pd block");
	if (!ifc)
		return -1;
	memcpy(ifc->name, ifname, IF_NAMESIZE);
	ifc->pos = name.pos;
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block &&
	    conf_parse_block(p, conf_kw_pd_iface, "in a dhcp6-pd iface block", ifc, &open) < 0)
		return -1;
	if (ifc->has_subnet)
		for (size_t i = 0; i + 1 < pd->n_ifaces; i++)
			if (pd->ifaces[i].has_subnet && pd->ifaces[i].subnet == ifc->subnet)
				return conf_fail(p, name.pos, "subnet %u is already %s's (%u:%u)",
				                 ifc->subnet, pd->ifaces[i].name, pd->ifaces[i].pos.line,
				                 pd->ifaces[i].pos.col);
	return 0;
}

/* An absolute path without control bytes, shorter than the field. */
static int pd_path(struct conf_parser *p, const struct conf_token *kw, char *out, size_t cap)
{
	struct conf_token v;
	char tb[64];
	if (conf_arg(p, kw, &v) < 0)
		return -1;
	if (v.len == 0 || v.text[0] != '/')
		return conf_fail(p, v.pos, "'%s' is not an absolute path", conf_tokstr(&v, tb, sizeof(tb)));
	if (v.len >= cap)
		return conf_fail(p, v.pos, "path longer than %zu bytes", cap - 1);
	for (size_t i = 0; i < v.len; i++)
		if ((unsigned char)v.text[i] < 0x20 || v.text[i] == 0x7f || v.text[i] == '"')
			return conf_fail(p, v.pos, "control character or quote in a path");
	memcpy(out, v.text, v.len);
	out[v.len] = 0;
	return 0;
}

static int kw_pd_script(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct pd_ctx *ctx = c;
	if (conf_once(p, &ctx->script, kw, false) < 0)
		return -1;
	return pd_path(p, kw, ctx->pd->script, sizeof(ctx->pd->script));
}

static int kw_pd_state_dir(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct pd_ctx *ctx = c;
	if (conf_once(p, &ctx->state_dir, kw, false) < 0)
		return -1;
	return pd_path(p, kw, ctx->pd->state_dir, sizeof(ctx->pd->state_dir));
}

static int kw_pd_release(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct pd_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, &ctx->release, kw, false) < 0)
		return -1;
	ctx->pd->release = v;
	return 0;
}

const struct conf_keyword conf_kw_pd[] = {
	{ "prefix-hint", kw_pd_hint },
	{ "iface", kw_pd_iface },
	{ "script", kw_pd_script },
	{ "release", kw_pd_release },
	{ "state-dir", kw_pd_state_dir },
	{ NULL, NULL },
};

int conf_parse_pd(struct conf_parser *p, void *unused, const struct conf_token *kw)
{
	(void)unused;
	struct conf *c = p->conf;
	struct conf_token name, open;
	char ifname[IF_NAMESIZE];
	if (conf_kw_one_ifname(p, kw, &name, ifname) < 0)
		return -1;
	for (size_t i = 0; i < c->n_pds; i++)
		if (!strcmp(c->pds[i].upstream, ifname))
			return conf_fail(p, name.pos, "duplicate dhcp6-pd for upstream '%s' (first at %u:%u)",
			                 ifname, c->pds[i].pos.line, c->pds[i].pos.col);
	struct conf_pd *pd = conf_push(p, (void **)&c->pds, &c->n_pds, sizeof(*pd), CONF_MAX_PDS,
	                               kw->pos, "dhcp6-pd blocks");
	if (!pd)
		return -1;
	memcpy(pd->upstream, ifname, sizeof(ifname));
	strcpy(pd->state_dir, CONF_DEF_PD_STATE_DIR);
	pd->pos = kw->pos;
	struct pd_ctx ctx = { .pd = pd };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (has_block && conf_parse_block(p, conf_kw_pd, "in a dhcp6-pd block", &ctx, &open) < 0)
		return -1;
	return 0;
}
