/* Relay mode: which hosts live behind each downstream, and Duplicate
 * Address Detection across the links.
 *
 * A host is learned from its DAD probe (confirmed when no defence came in
 * RA_TENTATIVE_MS), its NS or NA, or the kernel's neighbour table, and only
 * for addresses inside a prefix we relay. The daemon then routes it and has
 * the NDP proxy answer for it upstream (ops->host). When the kernel's entry
 * for it FAILS or is deleted, islandd asks the host itself (RA_PROBES NS)
 * and forgets it if they go unanswered: the kernel also garbage-collects
 * idle entries and reports `ip neigh del` as FAILED, neither of which may
 * cut off a quiet host. It is also forgotten when its prefix ends.
 *
 * The links of a relay share one /64 but not their multicast, so a DAD
 * probe seen downstream is carried, nonce and all, to the upstream and the
 * other downstreams, and a defending NA heard there is carried back to
 * ff02::1 on the prober's link, where it makes the prober's DAD fail. A
 * probe is never sent back to its own link, and one we carried that comes
 * back (same target and nonce, another link) is dropped, so a host never
 * sees its own probe echoed. */
#include <linux/neighbour.h>
#include <string.h>

#include "ra/ra_internal.h"
#include "util/log.h"


static bool addr_unspecified(const struct in6_addr *a)
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) == 0;
}

static bool addr_linklocal(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

/* --- reporting to the daemon --------------------------------------------- */

static void report(struct ra_relay *r, const struct ra_host *h, int up_ifindex, bool gone)
{
	struct ra_engine *e = r->e;
	int down_ifindex = r->down[h->down]->ifindex;
	if (up_ifindex <= 0 || down_ifindex <= 0 || !e->ops.host)
		return;
	e->ops.host(e->ops.ctx, up_ifindex, down_ifindex, &h->addr, &h->ll, gone);
}

static bool reported(const struct ra_host *h)
{
	return h->state == RA_HOST_LEARNED || h->state == RA_HOST_PROBING;
}

static void host_forget(struct ra_relay *r, struct ra_host *h)
{
	if (reported(h)) {
		report(r, h, r->up->ifindex, true);
		r->e->cnt.hosts_forgotten++;
	}
	struct ra_if *d = r->down[h->down];
	if (d->n_hosts)
		d->n_hosts--;
	ra_hosts_remove(&r->hosts, h);
}

static void host_confirm(struct ra_relay *r, struct ra_host *h)
{
	h->state = RA_HOST_LEARNED;
	h->probes = 0;
	h->deadline_ms = 0;
	report(r, h, r->up->ifindex, false);
	r->e->cnt.hosts_learned++;
}

/* addr was seen in use (or, tentative, probed) behind downstream d. */
static void host_seen(struct ra_relay *r, struct ra_if *d, const struct in6_addr *addr,
                      const struct nd_lladdr *ll, enum ra_host_via via, bool tentative)
{
	if (!r->learn_hosts || !ra_upstream_prefix_of(&r->st, addr, true))
		return;
	struct ra_engine *e = r->e;
	uint64_t now = ra_now(e);
	struct ra_host *h = ra_hosts_find(&r->hosts, addr);
	if (h && h->down != d->down_idx) {
		/* A probe for an address in use elsewhere is a duplicate in the
		 * making, not a move: the owner defends it (carried DAD). */
		if (tentative)
			return;
		e->cnt.hosts_moved++;
		host_forget(r, h);
		h = NULL;
	}
	if (!h) {
		if (d->n_hosts >= RA_HOSTS_PER_DOWNSTREAM || !(h = ra_hosts_add(&r->hosts, addr))) {
			e->cnt.hosts_over_cap++;
			return;
		}
		d->n_hosts++;
		h->down = d->down_idx;
		h->first_ms = now;
		h->via = (uint8_t)via;
		if (ll && ll->len)
			h->ll = *ll;
		h->seen_ms = now;
		if (tentative) {
			h->state = RA_HOST_TENTATIVE;
			h->deadline_ms = now + RA_TENTATIVE_MS;
			ra_relay_rearm(r);
		} else {
			host_confirm(r, h);
		}
		return;
	}
	h->seen_ms = now;
	bool ll_changed = ll && ll->len && (ll->len != h->ll.len || memcmp(ll->addr, h->ll.addr, ll->len) != 0);
	if (ll_changed)
		h->ll = *ll;
	if (tentative)
		return; /* a re-probe of a known address changes nothing */
	if (h->state == RA_HOST_TENTATIVE) {
		host_confirm(r, h);
	} else if (h->state == RA_HOST_PROBING) {
		h->state = RA_HOST_LEARNED; /* it answered: still reported, nothing to redo */
		h->probes = 0;
		h->deadline_ms = 0;
		if (ll_changed)
			report(r, h, r->up->ifindex, false);
	} else if (ll_changed) {
		report(r, h, r->up->ifindex, false);
	}
}

/* --- DAD across the links ------------------------------------------------ */

static struct ra_dad *dad_find(struct ra_relay *r, const struct in6_addr *target, uint64_t now)
{
	for (int i = 0; i < RA_DAD_PENDING_MAX; i++)
		if (r->dad[i].used && r->dad[i].until_ms > now && memcmp(&r->dad[i].target, target, 16) == 0)
			return &r->dad[i];
	return NULL;
}

static struct ra_dad *dad_alloc(struct ra_relay *r, uint64_t now)
{
	struct ra_dad *oldest = &r->dad[0];
	for (int i = 0; i < RA_DAD_PENDING_MAX; i++) {
		struct ra_dad *d = &r->dad[i];
		if (!d->used || d->until_ms <= now)
			return d;
		if (d->until_ms < oldest->until_ms)
			oldest = d;
	}
	return oldest;
}

static bool same_nonce(const struct ra_dad *d, const struct nd_msg *m)
{
	return m->has_nonce && d->nonce_len == m->nonce_len && memcmp(d->nonce, m->nonce, m->nonce_len) == 0;
}

/* Send probe m (from ::) on every link of the relay but `from`. */
static void dad_send_probe(struct ra_relay *r, struct ra_if *to, const struct nd_msg *m)
{
	uint8_t pkt[ND_PACKET_MAX];
	struct in6_addr snm;
	nd_solicited_node(&m->target, &snm);
	size_t len = nd_build_ns(pkt, sizeof(pkt), &m->src, &snm, &m->target, NULL,
	                         m->has_nonce ? m->nonce : NULL, m->has_nonce ? m->nonce_len : 0);
	if (!len) {
		r->e->cnt.build_errors++;
		return;
	}
	ra_if_send(to, &snm, NULL, pkt, len);
}

static void dad_carry(struct ra_relay *r, struct ra_if *from, const struct nd_msg *m)
{
	struct ra_engine *e = r->e;
	uint64_t now = ra_now(e);
	struct ra_dad *d = dad_find(r, &m->target, now);
	if (d && d->origin_ifindex != from->ifindex) {
		/* Ours coming back (a loop), or, without nonces, indistinguishable
		 * from it. A different nonce is a second prober on this link:
		 * carry it to the first one's link, both must fail. */
		if (same_nonce(d, m) || !m->has_nonce) {
			e->cnt.dad_echo++;
			return;
		}
		struct ra_if *origin = ra_if_by_index(e, d->origin_ifindex);
		if (origin && token_bucket_take(&r->dad_budget, now, 0)) {
			dad_send_probe(r, origin, m);
			e->cnt.dad_carried++;
		}
		return;
	}
	if (from->role == RA_ROLE_UPSTREAM)
		return; /* upstream probes are the NDP proxy's business */
	if (!token_bucket_take(&r->dad_budget, now, 0)) {
		e->cnt.dad_rate_limited++;
		return;
	}
	if (!d)
		d = dad_alloc(r, now);
	memset(d, 0, sizeof(*d));
	d->used = true;
	d->target = m->target;
	if (m->has_nonce) {
		d->nonce_len = m->nonce_len;
		memcpy(d->nonce, m->nonce, m->nonce_len);
	}
	d->origin_ifindex = from->ifindex;
	d->until_ms = now + RA_DAD_HOLD_MS;
	if (r->up != from && r->up->ifindex > 0)
		dad_send_probe(r, r->up, m);
	for (unsigned i = 0; i < r->n_down; i++)
		if (r->down[i] != from && r->down[i]->ifindex > 0)
			dad_send_probe(r, r->down[i], m);
	e->cnt.dad_carried++;
	ra_relay_rearm(r);
}

/* An NA for a target someone on another link is probing: carry it back. */
static void dad_defend(struct ra_relay *r, struct ra_if *from, const struct nd_msg *m)
{
	struct ra_engine *e = r->e;
	uint64_t now = ra_now(e);
	struct ra_dad *d = dad_find(r, &m->target, now);
	if (!d || d->origin_ifindex == from->ifindex)
		return;
	struct ra_if *origin = ra_if_by_index(e, d->origin_ifindex);
	d->used = false;
	if (!origin)
		return;
	struct ra_host *h = ra_hosts_find(&r->hosts, &m->target);
	if (h && h->state == RA_HOST_TENTATIVE && r->down[h->down] == origin)
		host_forget(r, h); /* its DAD fails: it will not use the address */
	struct in6_addr src;
	struct nd_lladdr ll;
	if (!ra_if_source(origin, &src, &ll))
		return;
	uint8_t pkt[ND_PACKET_MAX];
	/* To ff02::1, so S must be clear (RFC 4861 §7.2.4). */
	uint8_t flags = m->na_flags & (ND_NA_FLAG_ROUTER | ND_NA_FLAG_OVERRIDE);
	size_t len = nd_build_na(pkt, sizeof(pkt), &src, &nd_all_nodes, &m->target, flags, &ll);
	if (!len) {
		e->cnt.build_errors++;
		return;
	}
	ra_if_send(origin, &nd_all_nodes, NULL, pkt, len);
	e->cnt.dad_defended++;
}

/* --- packets and events -------------------------------------------------- */

static const struct nd_lladdr *frame_source(const struct nd_lladdr *opt, const struct pkt_in *pin,
                                            struct nd_lladdr *buf)
{
	if (opt && opt->len)
		return opt;
	buf->len = 0;
	if (pin && pin->src_ll_len && pin->src_ll_len <= ND_LLADDR_MAX) {
		buf->len = pin->src_ll_len;
		memcpy(buf->addr, pin->src_ll, pin->src_ll_len);
	}
	return buf;
}

void ra_learn_on_nd(struct ra_relay *r, struct ra_if *ifc, const struct nd_msg *m,
                    const struct pkt_in *pin)
{
	struct nd_lladdr tmp;
	bool in_prefix;
	switch (m->type) {
	case ND_TYPE_NS:
		if (addr_unspecified(&m->src)) {
			if (!ra_upstream_prefix_of(&r->st, &m->target, true))
				return;
			dad_carry(r, ifc, m);
			if (ifc->role == RA_ROLE_DOWNSTREAM)
				host_seen(r, ifc, &m->target, frame_source(NULL, pin, &tmp), RA_VIA_DAD, true);
		} else if (ifc->role == RA_ROLE_DOWNSTREAM && !addr_linklocal(&m->src)) {
			host_seen(r, ifc, &m->src, frame_source(&m->slla, pin, &tmp), RA_VIA_NS, false);
		}
		return;
	case ND_TYPE_NA:
		in_prefix = ra_upstream_prefix_of(&r->st, &m->target, false) != NULL;
		if (!in_prefix)
			return;
		dad_defend(r, ifc, m);
		if (ifc->role == RA_ROLE_DOWNSTREAM) {
			host_seen(r, ifc, &m->target, frame_source(&m->tlla, pin, &tmp), RA_VIA_NA, false);
		} else {
			/* Someone else answers for it upstream: it lives there now. */
			struct ra_host *h = ra_hosts_find(&r->hosts, &m->target);
			if (h) {
				r->e->cnt.hosts_moved++;
				host_forget(r, h);
			}
		}
		return;
	default:
		return;
	}
}

void ra_learn_on_neigh(struct ra_relay *r, struct ra_if *ifc, const struct kneigh *n, bool deleted)
{
	if (!r->learn_hosts || addr_linklocal(&n->addr))
		return;
	struct ra_host *h = ra_hosts_find(&r->hosts, &n->addr);
	bool here = h && r->down[h->down] == ifc;
	if (deleted || (n->state & NUD_FAILED)) {
		/* Garbage-collected while idle, deleted by hand (which the kernel
		 * reports as FAILED first), or NUD gave up: ask the host ourselves
		 * before cutting it off. */
		if (here && h->state == RA_HOST_LEARNED) {
			h->state = RA_HOST_PROBING;
			h->probes = 0;
			h->deadline_ms = ra_now(r->e);
			ra_relay_rearm(r);
		}
		return;
	}
	if (!(n->state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP)))
		return; /* INCOMPLETE: the kernel is still asking */
	host_seen(r, ifc, &n->addr, &n->ll, RA_VIA_NEIGH, false);
}

/* One NS to a host the kernel dropped. False when the budget is spent: the
 * probe is retried later and not counted, so a flood cannot make us forget
 * hosts we never asked. */
static bool probe_host(struct ra_relay *r, struct ra_host *h)
{
	struct ra_engine *e = r->e;
	struct ra_if *d = r->down[h->down];
	struct in6_addr src, snm;
	struct nd_lladdr ll;
	if (!token_bucket_take(&r->dad_budget, ra_now(e), 0)) {
		e->cnt.dad_rate_limited++;
		return false;
	}
	if (!ra_if_source(d, &src, &ll))
		return true; /* no address to ask from: counts, the link is down */
	nd_solicited_node(&h->addr, &snm);
	uint8_t pkt[ND_PACKET_MAX];
	size_t len = nd_build_ns(pkt, sizeof(pkt), &src, &snm, &h->addr, &ll, NULL, 0);
	if (!len) {
		e->cnt.build_errors++;
		return true;
	}
	ra_if_send(d, &snm, NULL, pkt, len);
	e->cnt.host_probes++;
	return true;
}

uint64_t ra_learn_tick(struct ra_relay *r, uint64_t now)
{
	uint64_t next = RA_END_NEVER;
	for (uint32_t i = 0; i < r->hosts.cap; i++) {
		struct ra_host *h = &r->hosts.slot[i];
		if (h->state == RA_HOST_TENTATIVE && h->deadline_ms <= now) {
			host_confirm(r, h);
		} else if (h->state == RA_HOST_PROBING && h->deadline_ms <= now) {
			if (h->probes >= RA_PROBES) {
				host_forget(r, h);
				continue;
			}
			if (probe_host(r, h))
				h->probes++;
			h->deadline_ms = now + RA_PROBE_INTERVAL_MS;
		}
		if ((h->state == RA_HOST_TENTATIVE || h->state == RA_HOST_PROBING) && h->deadline_ms < next)
			next = h->deadline_ms;
	}
	for (int i = 0; i < RA_DAD_PENDING_MAX; i++) {
		struct ra_dad *d = &r->dad[i];
		if (!d->used)
			continue;
		if (d->until_ms <= now)
			d->used = false;
		else if (d->until_ms < next)
			next = d->until_ms;
	}
	return next;
}

void ra_learn_prune(struct ra_relay *r)
{
	for (uint32_t i = 0; i < r->hosts.cap; i++) {
		struct ra_host *h = &r->hosts.slot[i];
		if (h->state != RA_HOST_FREE && !ra_upstream_prefix_of(&r->st, &h->addr, false))
			host_forget(r, h);
	}
}

void ra_learn_forget_link(struct ra_relay *r, int idx)
{
	for (uint32_t i = 0; i < r->hosts.cap; i++) {
		struct ra_host *h = &r->hosts.slot[i];
		if (h->state != RA_HOST_FREE && (idx < 0 || h->down == idx))
			host_forget(r, h);
	}
}

void ra_learn_upstream_moved(struct ra_relay *r, int old_ifindex)
{
	for (uint32_t i = 0; i < r->hosts.cap; i++) {
		struct ra_host *h = &r->hosts.slot[i];
		if (!reported(h))
			continue;
		report(r, h, old_ifindex, true);
		report(r, h, r->up->ifindex, false);
	}
}

void ra_learn_take_over(struct ra_relay *r, struct ra_relay *old)
{
	for (uint32_t i = 0; i < old->hosts.cap; i++) {
		struct ra_host *h = &old->hosts.slot[i];
		if (h->state == RA_HOST_FREE)
			continue;
		struct ra_if *od = old->down[h->down];
		struct ra_if *nd = NULL;
		for (unsigned k = 0; k < r->n_down; k++)
			if (strcmp(r->down[k]->name, od->name) == 0)
				nd = r->down[k];
		struct ra_host *n = NULL;
		if (r->learn_hosts && nd && nd->ifindex == od->ifindex &&
		    nd->n_hosts < RA_HOSTS_PER_DOWNSTREAM)
			n = ra_hosts_add(&r->hosts, &h->addr);
		if (!n) {
			host_forget(old, h);
			continue;
		}
		uint32_t next = n->next;
		*n = *h;
		n->next = next;
		n->down = nd->down_idx;
		nd->n_hosts++;
		/* Moved, not forgotten: take it out of old without a report. */
		h->state = RA_HOST_FREE;
		od->n_hosts--;
		ra_hosts_remove(&old->hosts, h);
	}
}

unsigned ra_engine_relay_links(const struct ra_engine *e, int upstream_ifindex,
                               const struct in6_addr *addr, int *ifindexes, unsigned max)
{
	if (upstream_ifindex <= 0 || addr_linklocal(addr))
		return 0;
	for (size_t i = 0; i < e->n_relays; i++) {
		const struct ra_relay *r = e->relays[i];
		if (r->up->ifindex != upstream_ifindex || !r->learn_hosts ||
		    !ra_upstream_prefix_of(&r->st, addr, true))
			continue;
		unsigned n = 0;
		for (unsigned k = 0; k < r->n_down && n < max; k++)
			if (r->down[k]->ifindex > 0)
				ifindexes[n++] = r->down[k]->ifindex;
		return n;
	}
	return 0;
}
