/* The engine's view of the host: every link and address netlink reports
 * (bounded), mapped onto the listed interfaces by name; group memberships
 * follow links as they appear, come up and gain addresses. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "mdns/engine_int.h"
#include "proto/nd.h"

/* Prefix match within the family: IPv4 prefixes count from the mapped
 * part. */
static bool addr_covers(const struct mdns_addr *ad, const struct in6_addr *a)
{
	unsigned plen = ad->family == AF_INET ? 96u + ad->plen : ad->plen;
	return nd_prefix_match(a, &ad->addr, (uint8_t)(plen > 128 ? 128 : plen));
}

static bool is_linklocal(int family, const struct in6_addr *a)
{
	if (family == AF_INET)
		return a->s6_addr[12] == 169 && a->s6_addr[13] == 254;
	return IN6_IS_ADDR_LINKLOCAL(a);
}

static struct mdns_link *link_by_index(struct mdns_engine *e, int ifindex)
{
	for (size_t i = 0; i < e->n_links; i++)
		if (e->links[i].ifindex == ifindex)
			return &e->links[i];
	return NULL;
}

static struct mdns_link *link_by_name(struct mdns_engine *e, const char *name)
{
	for (size_t i = 0; i < e->n_links; i++)
		if (!strncmp(e->links[i].name, name, IF_NAMESIZE))
			return &e->links[i];
	return NULL;
}

struct mdns_iface *mdns_iface_by_index(struct mdns_engine *e, int ifindex)
{
	if (ifindex <= 0)
		return NULL;
	for (size_t i = 0; i < e->n_ifaces; i++)
		if (e->ifaces[i].ifindex == ifindex)
			return &e->ifaces[i];
	return NULL;
}

static int join(struct mdns_engine *e, int family, int ifindex, bool on)
{
	if (!e->ops.membership)
		return 0;
	int r = e->ops.membership(e->ops.ctx, family, ifindex, on);
	return (on && r == -EADDRINUSE) ? 0 : r;
}

void mdns_iface_leave(struct mdns_engine *e, struct mdns_iface *i)
{
	if (i->ifindex > 0 && i->joined4)
		join(e, AF_INET, i->ifindex, false);
	if (i->ifindex > 0 && i->joined6)
		join(e, AF_INET6, i->ifindex, false);
	i->joined4 = i->joined6 = false;
}

static void iface_detach(struct mdns_engine *e, struct mdns_iface *i)
{
	mdns_iface_leave(e, i);
	mdns_legacy_forget_iface(e, (uint8_t)(i - e->ifaces));
	i->ifindex = 0;
	i->up = false;
	i->local_stack = false;
	/* with no link left where a local stack was seen, learn afresh */
	bool any = false;
	for (size_t k = 0; k < e->n_ifaces; k++)
		any |= e->ifaces[k].local_stack;
	if (!any)
		e->local_stack_since_ms = 0;
}

static struct mdns_iface *iface_by_name(struct mdns_engine *e, const char *name)
{
	for (size_t k = 0; k < e->n_ifaces; k++)
		if (!e->ifaces[k].pattern && !strncmp(e->ifaces[k].name, name, IF_NAMESIZE))
			return &e->ifaces[k];
	return NULL;
}

/* Entries of links a pattern covers: one per link that matches now, gone
 * with the link or a rename; a name listed on its own line wins. */
static void patterns_resolve(struct mdns_engine *e)
{
	bool changed = false;
	for (size_t k = 0; k < e->n_ifaces;) {
		struct mdns_iface *i = &e->ifaces[k];
		if (i->derived && !link_by_name(e, i->name)) {
			iface_detach(e, i);
			memmove(i, i + 1, (e->n_ifaces - k - 1) * sizeof(*i));
			e->n_ifaces--;
			changed = true;
			continue;
		}
		k++;
	}
	for (size_t t = 0; t < e->n_ifaces; t++) {
		if (!e->ifaces[t].pattern)
			continue;
		for (size_t l = 0; l < e->n_links; l++) {
			if (!conf_iface_matches(e->ifaces[t].name, e->links[l].name) ||
			    iface_by_name(e, e->links[l].name))
				continue;
			if (e->n_ifaces == MDNS_MAX_IFACES) {
				e->c.mirror_full++;
				break;
			}
			struct mdns_iface *d = &e->ifaces[e->n_ifaces++];
			*d = e->ifaces[t];
			d->pattern = false;
			d->derived = true;
			memcpy(d->name, e->links[l].name, IF_NAMESIZE);
			changed = true;
		}
	}
	if (changed) /* indices into ifaces[] moved */
		memset(e->legacy, 0, sizeof(e->legacy));
}

void mdns_iface_resolve_all(struct mdns_engine *e)
{
	patterns_resolve(e);
	for (size_t k = 0; k < e->n_ifaces; k++) {
		struct mdns_iface *i = &e->ifaces[k];
		if (i->pattern)
			continue; /* never a link itself */
		struct mdns_link *l = link_by_name(e, i->name);
		int ifindex = l ? l->ifindex : 0;
		if (i->ifindex != ifindex)
			iface_detach(e, i);  /* gone, renamed, or replaced by a new link */
		if (!l)
			continue;
		i->ifindex = ifindex;
		i->mtu = l->mtu;
		i->up = l->up;
		/* The kernel keeps memberships across down/up; join when the link
		 * is usable and retry on every later event until it works. */
		if (!i->up)
			continue;
		if (i->want4 && !i->joined4)
			i->joined4 = join(e, AF_INET, ifindex, true) == 0;
		if (i->want6 && !i->joined6)
			i->joined6 = join(e, AF_INET6, ifindex, true) == 0;
	}
}

void mdns_engine_on_iface(struct mdns_engine *e, const struct iface *ifc, unsigned changes)
{
	struct mdns_link *m = link_by_index(e, ifc->ifindex);

	if (changes & IFACE_GONE) {
		if (m) {
			/* a deleted link takes its addresses with it */
			for (size_t i = 0; i < e->n_addrs;) {
				if (e->addrs[i].ifindex == ifc->ifindex)
					e->addrs[i] = e->addrs[--e->n_addrs];
				else
					i++;
			}
			struct mdns_iface *mi = mdns_iface_by_index(e, ifc->ifindex);
			if (mi)
				iface_detach(e, mi);
			*m = e->links[--e->n_links];
		}
	} else {
		if (!m) {
			if (e->n_links == MDNS_MAX_LINKS) {
				e->c.mirror_full++;
				return;
			}
			m = &e->links[e->n_links++];
			m->ifindex = ifc->ifindex;
		}
		m->up = ifc->up && ifc->running;
		m->mtu = ifc->mtu;
		memcpy(m->name, ifc->name, IF_NAMESIZE);
		m->name[IF_NAMESIZE - 1] = '\0';
	}
	mdns_iface_resolve_all(e);
}

void mdns_engine_on_addr(struct mdns_engine *e, const struct iface_addr *a, bool deleted)
{
	size_t i;
	for (i = 0; i < e->n_addrs; i++)
		if (e->addrs[i].ifindex == a->ifindex && !memcmp(&e->addrs[i].addr, &a->addr, sizeof(a->addr)))
			break;
	if (deleted) {
		if (i < e->n_addrs)
			e->addrs[i] = e->addrs[--e->n_addrs];
		return;
	}
	if (i == e->n_addrs) {
		if (e->n_addrs == MDNS_MAX_ADDRS) {
			e->c.mirror_full++;
			return;
		}
		e->n_addrs++;
	}
	struct mdns_addr *ad = &e->addrs[i];
	ad->ifindex = a->ifindex;
	ad->family = a->family;
	ad->plen = a->plen;
	ad->addr = a->addr;
	ad->usable = a->usable;
	mdns_iface_resolve_all(e);
}

bool mdns_host_is_own(const struct mdns_engine *e, int ifindex, const struct in6_addr *a)
{
	/* A link-local address is only unique on its link: fe80::1 on our
	 * eth0 says nothing about a neighbour using fe80::1 on wlan0. */
	bool ll = is_linklocal(mdns_is_v4mapped(a) ? AF_INET : AF_INET6, a);
	for (size_t i = 0; i < e->n_addrs; i++)
		if (!memcmp(&e->addrs[i].addr, a, sizeof(*a)) && (!ll || e->addrs[i].ifindex == ifindex))
			return true;
	return false;
}

bool mdns_iface_onlink(const struct mdns_engine *e, const struct mdns_iface *i, int family,
                       const struct in6_addr *a)
{
	if (i->ifindex <= 0 || (family == AF_INET) != mdns_is_v4mapped(a))
		return false;
	if (is_linklocal(family, a))
		return true;   /* it arrived on this link: link-local is on-link there */
	for (size_t k = 0; k < e->n_addrs; k++) {
		const struct mdns_addr *ad = &e->addrs[k];
		if (ad->ifindex == i->ifindex && ad->family == family && addr_covers(ad, a))
			return true;
	}
	return false;
}

bool mdns_iface_source(const struct mdns_engine *e, const struct mdns_iface *i, int family,
                       const struct in6_addr *peer, struct in6_addr *out)
{
	const struct mdns_addr *best = NULL;
	int best_score = -1;

	for (size_t k = 0; k < e->n_addrs; k++) {
		const struct mdns_addr *ad = &e->addrs[k];
		if (ad->ifindex != i->ifindex || ad->family != family || !ad->usable)
			continue;
		int score = 0;
		bool ll = is_linklocal(family, &ad->addr);
		if (peer && !is_linklocal(family, peer) && addr_covers(ad, peer))
			score = 3;            /* same prefix as the unicast peer */
		else if (family == AF_INET6 && ll && (!peer || is_linklocal(family, peer)))
			score = 2;            /* IPv6 mDNS is link scoped: fe80 source */
		else if (family == AF_INET && !ll)
			score = 2;
		else
			score = 1;
		if (score > best_score) {
			best = ad;
			best_score = score;
		}
	}
	if (!best)
		return false;
	*out = best->addr;
	return true;
}

bool mdns_iface_ready(const struct mdns_iface *i, int family)
{
	if (i->ifindex <= 0 || !i->up)
		return false;
	return family == AF_INET ? (i->want4 && i->joined4) : (i->want6 && i->joined6);
}

bool mdns_iface_take_token(struct mdns_iface *i, uint32_t rate, uint64_t now_ms)
{
	if (rate == 0)
		return true;
	/* a second's worth saved up; a reload may change the rate */
	i->bucket.rate = rate;
	i->bucket.burst = rate;
	return token_bucket_take(&i->bucket, now_ms, 0);
}
