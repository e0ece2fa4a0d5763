/* Releasing a config tree. Every array in the tree is owned by it; a tree
 * left half-built by a parse error is consistent (counts match what was
 * allocated), so the same function frees both. */
#include <stdlib.h>

#include "conf/conf.h"

static void mdns_free(struct conf_mdns *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_ifaces; i++) {
		free(m->ifaces[i].in);
		free(m->ifaces[i].out);
	}
	free(m->ifaces);
	free(m);
}

void conf_free(struct conf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->n_proxies; i++)
		free(conf->proxies[i].rules);
	free(conf->proxies);
	for (size_t i = 0; i < conf->n_arp_proxies; i++)
		free(conf->arp_proxies[i].rules);
	free(conf->arp_proxies);
	mdns_free(conf->mdns);
	for (size_t i = 0; i < conf->n_relays; i++)
		free(conf->relays[i].downstream);
	free(conf->relays);
	for (size_t i = 0; i < conf->n_ras; i++) {
		free(conf->ras[i].prefixes);
		free(conf->ras[i].rdnss);
		free(conf->ras[i].dnssl);
	}
	free(conf->ras);
	for (size_t i = 0; i < conf->n_pds; i++)
		free(conf->pds[i].ifaces);
	free(conf->pds);
	free(conf->islands);
	for (size_t i = 0; i < conf->n_dhcp4_relays; i++) {
		free(conf->dhcp4_relays[i].ifaces);
		free(conf->dhcp4_relays[i].servers);
	}
	free(conf->dhcp4_relays);
	free(conf->path);
	free(conf);
}
