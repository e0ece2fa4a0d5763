/* The automatic choice:
 *
 *   island UPSTREAM { iface DOWN [{ subnet N }]; prefix-hint ...; script PATH;
 *                     release yes|no; state-dir DIR }
 *
 * The keywords are the dhcp6-pd block's (parse_pd.c reads them): the block
 * is a dhcp6-pd block plus an ra-relay block with learn-hosts over the same
 * links, expanded here, so every engine reads the configuration it already
 * knows. What the island adds is the choice between them, made by the
 * daemon at run time (daemon/dhcp6relay_adapter.c): relay while no server
 * delegates, route while a prefix is bound.
 *
 * The ra-relay halves are appended once the whole file is read, after the
 * file's own ra-relay blocks: the printer writes an island where its
 * dhcp6-pd half is, so print -> parse gives the same tree. */
#include <string.h>

#include "conf/conf_parser.h"

const struct conf_island *conf_island_of(const struct conf *conf, const char *ifname)
{
	for (size_t i = 0; i < conf->n_islands; i++)
		if (!strcmp(conf->islands[i].upstream, ifname))
			return &conf->islands[i];
	return NULL;
}

int conf_parse_island(struct conf_parser *p, void *unused, const struct conf_token *kw)
{
	(void)unused;
	struct conf *c = p->conf;
	struct conf_token name;
	if (conf_lex_peek(p, &name) < 0)
		return -1;
	if (name.type == TOK_WORD && !name.newline_before) {
		char ifname[IF_NAMESIZE];
		size_t n = name.len < IF_NAMESIZE ? name.len : IF_NAMESIZE - 1;
		memcpy(ifname, name.text, n);
		ifname[n] = 0;
		for (size_t i = 0; i < c->n_relays; i++)
			if (!strcmp(c->relays[i].upstream, ifname))
				return conf_fail(p, name.pos, "'%s' is already an ra-relay upstream (%u:%u); an island "
				                 "block brings its own relay", ifname, c->relays[i].pos.line,
				                 c->relays[i].pos.col);
	}
	/* the dhcp6-pd half: its keywords, its checks, its errors */
	size_t pd_index = c->n_pds;
	if (conf_parse_pd(p, NULL, kw) < 0)
		return -1;
	struct conf_pd *pd = &c->pds[pd_index];
	if (!pd->n_ifaces)
		return conf_fail(p, kw->pos, "island %s needs at least one island link ('iface')", pd->upstream);
	struct conf_island *isl = conf_push(p, (void **)&c->islands, &c->n_islands, sizeof(*isl), CONF_MAX_PDS,
	                                    kw->pos, "island blocks");
	if (!isl)
		return -1;
	memcpy(isl->upstream, pd->upstream, IF_NAMESIZE);
	isl->pd = pd_index;
	isl->pos = kw->pos;
	return 0;
}

int conf_islands_expand(struct conf_parser *p)
{
	struct conf *c = p->conf;
	for (size_t i = 0; i < c->n_islands; i++) {
		const struct conf_island *isl = &c->islands[i];
		for (size_t k = 0; k < c->n_relays; k++)
			if (!strcmp(c->relays[k].upstream, isl->upstream))
				return conf_fail(p, c->relays[k].pos, "'%s' is the upstream of the island block at %u:%u, "
				                 "which brings its own relay", isl->upstream, isl->pos.line, isl->pos.col);
	}
	for (size_t i = 0; i < c->n_islands; i++) {
		struct conf_island *isl = &c->islands[i];
		const struct conf_pd *pd = &c->pds[isl->pd];
		isl->relay = c->n_relays;
		struct conf_ra_relay *r = conf_push(p, (void **)&c->relays, &c->n_relays, sizeof(*r), CONF_MAX_RELAYS,
		                                    isl->pos, "ra-relay blocks (island blocks included)");
		if (!r)
			return -1;
		memcpy(r->upstream, isl->upstream, IF_NAMESIZE);
		r->learn_hosts = true;
		r->pos = isl->pos;
		for (size_t k = 0; k < pd->n_ifaces; k++) {
			char *slot = conf_push(p, (void **)&r->downstream, &r->n_downstream, IF_NAMESIZE,
			                       CONF_MAX_DOWNSTREAM, pd->ifaces[k].pos, "island links in one island block");
			if (!slot)
				return -1;
			memcpy(slot, pd->ifaces[k].name, IF_NAMESIZE);
		}
	}
	return 0;
}
