/* Walks the interface names a configuration mentions: the daemon warns about
 * missing ones at load and reload, `islandd -t` and the doctor check them. */
#include <fnmatch.h>
#include <string.h>

#include "conf/conf.h"

bool conf_iface_is_pattern(const char *name)
{
	return strpbrk(name, "*?[") != NULL;
}

bool conf_iface_matches(const char *conf_name, const char *ifname)
{
	if (!conf_iface_is_pattern(conf_name))
		return strcmp(conf_name, ifname) == 0;
	return fnmatch(conf_name, ifname, 0) == 0;
}

bool conf_iface_is_upstream(const struct conf *c, const char *ifname)
{
	for (size_t i = 0; i < c->n_proxies; i++)
		if (strcmp(c->proxies[i].iface, ifname) == 0)
			return true;
	for (size_t i = 0; i < c->n_relays; i++)
		if (strcmp(c->relays[i].upstream, ifname) == 0)
			return true;
	for (size_t i = 0; i < c->n_pds; i++)
		if (strcmp(c->pds[i].upstream, ifname) == 0)
			return true;
	return false;
}

static void proxy_ifaces(const struct conf_proxy *p, bool named, conf_iface_fn fn, void *ctx)
{
	if (!named)
		fn(ctx, p->iface, "proxy", p->pos);
	for (size_t r = 0; r < p->n_rules; r++)
		if (p->rules[r].method == RULE_IFACE)
			fn(ctx, p->rules[r].iface, "rule downstream", p->rules[r].pos);
}

void conf_foreach_iface(const struct conf *c, conf_iface_fn fn, void *ctx)
{
	for (size_t i = 0; i < c->n_proxies; i++)
		proxy_ifaces(&c->proxies[i], false, fn, ctx);
	/* a block with rules of both families names its interface once */
	for (size_t i = 0; i < c->n_arp_proxies; i++) {
		bool named = false;
		for (size_t k = 0; k < c->n_proxies && !named; k++)
			named = strcmp(c->proxies[k].iface, c->arp_proxies[i].iface) == 0;
		proxy_ifaces(&c->arp_proxies[i], named, fn, ctx);
	}
	for (size_t i = 0; c->mdns && i < c->mdns->n_ifaces; i++)
		fn(ctx, c->mdns->ifaces[i].name, "mdns", c->mdns->ifaces[i].pos);
	for (size_t i = 0; i < c->n_relays; i++) {
		fn(ctx, c->relays[i].upstream, "ra-relay upstream", c->relays[i].pos);
		for (size_t d = 0; d < c->relays[i].n_downstream; d++)
			fn(ctx, c->relays[i].downstream[d], "ra-relay downstream", c->relays[i].pos);
	}
	for (size_t i = 0; i < c->n_ras; i++)
		fn(ctx, c->ras[i].iface, "ra", c->ras[i].pos);
	for (size_t i = 0; i < c->n_pds; i++) {
		fn(ctx, c->pds[i].upstream, "dhcp6-pd upstream", c->pds[i].pos);
		for (size_t d = 0; d < c->pds[i].n_ifaces; d++)
			fn(ctx, c->pds[i].ifaces[d].name, "dhcp6-pd downstream", c->pds[i].ifaces[d].pos);
	}
	for (size_t i = 0; i < c->n_dhcp4_relays; i++) {
		const struct conf_dhcp4_relay *r = &c->dhcp4_relays[i];
		fn(ctx, r->upstream, "dhcp4-relay upstream", r->pos);
		for (size_t d = 0; d < r->n_ifaces; d++)
			fn(ctx, r->ifaces[d], "dhcp4-relay iface", r->pos);
	}
}

bool conf_is_empty(const struct conf *c)
{
	return c->n_proxies == 0 && c->n_arp_proxies == 0 && !c->mdns && c->n_relays == 0 &&
	       c->n_ras == 0 && c->n_pds == 0 && c->n_dhcp4_relays == 0;
}
