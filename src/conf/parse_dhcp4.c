/* The `dhcp4-relay { ... }` block: DHCPv4 relay from island links to the
 * upstream's server.
 *
 *   dhcp4-relay {
 *       upstream wlan0          # one interface, never a pattern
 *       iface eth0              # island links, repeatable, patterns allowed
 *       server 192.168.1.1      # repeatable, optional: none = broadcast on upstream
 *       mode auto               # relay | forward | auto
 *       option82 no             # RFC 3046 circuit-id = island iface name
 *       learn-hosts yes         # a lease's address becomes a known host
 *   }
 *
 * Checks that involve two keywords (an island link that is the upstream)
 * run when the block ends, so the order of lines does not matter. */
#include <arpa/inet.h>
#include <string.h>

#include "conf/conf_parser.h"

struct dhcp4_ctx {
	struct conf_dhcp4_relay *r;
	struct conf_pos upstream, mode, option82, learn;
	struct conf_token first_iface[CONF_MAX_DHCP4_IFACES];
};

const char *conf_dhcp4_mode_name(enum conf_dhcp4_mode m)
{
	switch (m) {
	case CONF_DHCP4_RELAY: return "relay";
	case CONF_DHCP4_FORWARD: return "forward";
	case CONF_DHCP4_AUTO: return "auto";
	}
	return "?";
}

static int kw_upstream(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct dhcp4_ctx *ctx = c;
	struct conf_token name;
	char ifname[IF_NAMESIZE];
	if (conf_kw_one_ifname(p, kw, &name, ifname) < 0 || conf_once(p, &ctx->upstream, kw, false) < 0)
		return -1;
	const struct conf *conf = p->conf;
	for (size_t i = 0; i + 1 < conf->n_dhcp4_relays; i++)
		if (!strcmp(conf->dhcp4_relays[i].upstream, ifname))
			return conf_fail(p, name.pos, "duplicate dhcp4-relay for upstream '%s' (first at %u:%u)",
			                 ifname, conf->dhcp4_relays[i].pos.line, conf->dhcp4_relays[i].pos.col);
	memcpy(ctx->r->upstream, ifname, sizeof(ifname));
	return 0;
}

static int kw_iface(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct dhcp4_ctx *ctx = c;
	struct conf_dhcp4_relay *r = ctx->r;
	struct conf_token name;
	char ifname[IF_NAMESIZE];
	if (conf_kw_ifname(p, kw, &name, ifname) < 0)
		return -1;
	for (size_t i = 0; i < r->n_ifaces; i++)
		if (!strcmp(r->ifaces[i], ifname))
			return conf_fail(p, name.pos, "island interface '%s' is listed twice", ifname);
	char *slot = conf_push(p, (void **)&r->ifaces, &r->n_ifaces, IF_NAMESIZE, CONF_MAX_DHCP4_IFACES,
	                       kw->pos, "island interfaces in one dhcp4-relay");
	if (!slot)
		return -1;
	memcpy(slot, ifname, IF_NAMESIZE);
	ctx->first_iface[r->n_ifaces - 1] = name;
	return 0;
}

static int kw_server(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct dhcp4_ctx *ctx = c;
	struct conf_dhcp4_relay *r = ctx->r;
	struct conf_token t;
	char tb[64], text[INET_ADDRSTRLEN];
	struct in_addr a;
	if (conf_arg(p, kw, &t) < 0)
		return -1;
	if (t.len >= sizeof(text))
		return conf_fail(p, t.pos, "'%s' is not an IPv4 address", conf_tokstr(&t, tb, sizeof(tb)));
	memcpy(text, t.text, t.len);
	text[t.len] = 0;
	if (inet_pton(AF_INET, text, &a) != 1)
		return conf_fail(p, t.pos, "'%s' is not an IPv4 address", conf_tokstr(&t, tb, sizeof(tb)));
	uint32_t h = ntohl(a.s_addr);
	if (h == 0 || h == 0xffffffffu || (h >> 28) == 0xe || (h >> 24) == 127)
		return conf_fail(p, t.pos, "server '%s' must be a unicast address (no server line: broadcast "
		                 "on the upstream)", text);
	for (size_t i = 0; i < r->n_servers; i++)
		if (r->servers[i].s_addr == a.s_addr)
			return conf_fail(p, t.pos, "server %s is listed twice", text);
	struct in_addr *slot = conf_push(p, (void **)&r->servers, &r->n_servers, sizeof(*slot),
	                                 CONF_MAX_DHCP4_SERVERS, kw->pos, "servers in one dhcp4-relay");
	if (!slot)
		return -1;
	*slot = a;
	return 0;
}

static int kw_mode(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct dhcp4_ctx *ctx = c;
	struct conf_token t;
	char tb[64];
	if (conf_arg(p, kw, &t) < 0)
		return -1;
	static const enum conf_dhcp4_mode modes[] = { CONF_DHCP4_RELAY, CONF_DHCP4_FORWARD, CONF_DHCP4_AUTO };
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		const char *n = conf_dhcp4_mode_name(modes[i]);
		if (strlen(n) == t.len && !memcmp(n, t.text, t.len)) {
			if (conf_once(p, &ctx->mode, kw, false) < 0)
				return -1;
			ctx->r->mode = modes[i];
			return 0;
		}
	}
	return conf_fail(p, t.pos, "'%s' is not relay, forward or auto", conf_tokstr(&t, tb, sizeof(tb)));
}

static int kw_option82(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct dhcp4_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, &ctx->option82, kw, false) < 0)
		return -1;
	ctx->r->option82 = v;
	return 0;
}

static int kw_learn_hosts(struct conf_parser *p, void *c, const struct conf_token *kw)
{
	struct dhcp4_ctx *ctx = c;
	bool v;
	if (conf_kw_bool(p, kw, false, &v) < 0 || conf_once(p, &ctx->learn, kw, false) < 0)
		return -1;
	ctx->r->learn_hosts = v;
	return 0;
}

const struct conf_keyword conf_kw_dhcp4_relay[] = {
	{ "upstream", kw_upstream },
	{ "iface", kw_iface },
	{ "server", kw_server },
	{ "mode", kw_mode },
	{ "option82", kw_option82 },
	{ "learn-hosts", kw_learn_hosts },
	{ NULL, NULL },
};

int conf_parse_dhcp4_relay(struct conf_parser *p, void *unused, const struct conf_token *kw)
{
	(void)unused;
	struct conf *c = p->conf;
	struct conf_token open;
	struct conf_dhcp4_relay *r = conf_push(p, (void **)&c->dhcp4_relays, &c->n_dhcp4_relays, sizeof(*r),
	                                       CONF_MAX_DHCP4_RELAYS, kw->pos, "dhcp4-relay blocks");
	if (!r)
		return -1;
	r->mode = CONF_DHCP4_AUTO;
	r->learn_hosts = true;
	r->pos = kw->pos;
	struct dhcp4_ctx ctx = { .r = r };
	int has_block = conf_open_block(p, &open);
	if (has_block < 0)
		return -1;
	if (!has_block)
		return conf_fail(p, kw->pos, "dhcp4-relay needs a block: dhcp4-relay { upstream IFACE; iface ISLAND }");
	if (conf_parse_block(p, conf_kw_dhcp4_relay, "in a dhcp4-relay block", &ctx, &open) < 0)
		return -1;
	if (!r->upstream[0])
		return conf_fail(p, kw->pos, "dhcp4-relay needs an 'upstream' line (the link the server is on)");
	if (!r->n_ifaces)
		return conf_fail(p, kw->pos, "dhcp4-relay needs at least one island 'iface'");
	for (size_t i = 0; i < r->n_ifaces; i++) {
		int own = conf_check_not_upstream(p, &ctx.first_iface[i], r->ifaces[i], r->upstream,
		                                  "the dhcp4-relay's upstream");
		if (own < 0)
			return -1;
		if (own)
			return conf_fail(p, ctx.first_iface[i].pos, "'%s' is the dhcp4-relay's upstream; an island "
			                 "link must differ", r->ifaces[i]);
	}
	return 0;
}
