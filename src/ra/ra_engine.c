/* The RA engine: builds the relays and advertised links from the config,
 * routes each ND message and kernel event to them, and sends RAs when their
 * schedules say so. See ra.h for the contract, ra_internal.h for the map of
 * the other files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "net/iftable.h"
#include "ra/ra_internal.h"
#include "util/log.h"
#include "util/random.h"

static void if_rearm(struct ra_if *ifc);
static void on_relay_timer(void *ctx);

/* --- small helpers ------------------------------------------------------- */

uint64_t ra_now(const struct ra_engine *e)
{
	return e->ops.now_ms(e->ops.ctx);
}

/* Timing jitter only, nothing secret depends on it. */
uint32_t ra_random(struct ra_engine *e)
{
	return (uint32_t)(rng_next(&e->rng) >> 32);
}

struct ra_if *ra_if_by_index(const struct ra_engine *e, int ifindex)
{
	if (ifindex <= 0)
		return NULL;
	for (size_t i = 0; i < e->n_ifaces; i++)
		if (e->ifaces[i]->ifindex == ifindex)
			return e->ifaces[i];
	return NULL;
}

static struct ra_if *if_by_name(struct ra_if **ifaces, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ifaces[i]->name, name) == 0)
			return ifaces[i];
	return NULL;
}

/* The kernel's view of ifc, if it is there and up. */
static const struct iface *if_kernel(const struct ra_if *ifc)
{
	const struct iface *k = ifc->ifindex > 0 ? iftable_by_index(ifc->e->ifs, ifc->ifindex) : NULL;
	return k && k->up ? k : NULL;
}

bool ra_if_source(struct ra_if *ifc, struct in6_addr *src, struct nd_lladdr *ll)
{
	const struct iface *k = if_kernel(ifc);
	if (!k || !k->has_ll) {
		ifc->e->cnt.no_source_address++;
		return false;
	}
	*src = k->ll;
	ll->len = k->lladdr_len <= ND_LLADDR_MAX ? k->lladdr_len : 0;
	memcpy(ll->addr, k->lladdr, ll->len);
	return true;
}

void ra_if_send(struct ra_if *ifc, const struct in6_addr *dst, const struct nd_lladdr *ll,
                const uint8_t *pkt, size_t len)
{
	struct ra_engine *e = ifc->e;
	const struct iface *k = if_kernel(ifc);
	uint8_t mac[ND_LLADDR_MAX];
	const uint8_t *l2 = NULL;
	uint8_t halen = 0;
	/* Ethernet-like links need a destination; L3 links (tun, WireGuard) none. */
	if (k && k->lladdr_len == 6) {
		if (dst->s6_addr[0] == 0xff) {
			nd_mcast_mac(dst, mac);
			l2 = mac;
			halen = 6;
		} else if (ll && ll->len == 6) {
			l2 = ll->addr;
			halen = 6;
		}
	}
	if (!e->ops.send || e->ops.send(e->ops.ctx, ifc->ifindex, l2, halen, pkt, len) < 0)
		e->cnt.tx_errors++;
}

bool ra_is_own(const struct ra_engine *e, const struct in6_addr *src, const struct pkt_in *pin)
{
	for (size_t i = 0; i < e->n_ifaces; i++) {
		const struct iface *k = if_kernel(e->ifaces[i]);
		if (!k)
			continue;
		if (k->has_ll && memcmp(&k->ll, src, 16) == 0)
			return true;
		if (pin && k->lladdr_len && pin->src_ll_len == k->lladdr_len &&
		    memcmp(pin->src_ll, k->lladdr, k->lladdr_len) == 0)
			return true;
	}
	return false;
}

/* --- sending RAs --------------------------------------------------------- */

static uint32_t if_mtu(const struct ra_if *ifc)
{
	const struct iface *k = if_kernel(ifc);
	return k ? k->mtu : 0;
}

static bool if_send_ra(struct ra_if *ifc, bool final)
{
	struct ra_engine *e = ifc->e;
	struct in6_addr src;
	struct nd_lladdr ll;
	if (!ra_if_source(ifc, &src, &ll))
		return false;
	uint64_t now = ra_now(e);
	uint32_t mtu = if_mtu(ifc);
	struct ra_build *b = &e->build;
	/* A link only fed dynamically (no `ra` block) has a header of radvd's
	 * defaults; it offers a default route while a prefix is valid. */
	const struct ra_advert *hdr = ifc->adv ? ifc->adv : ifc->dyn ? &ifc->dyn->hdr : NULL;
	if (ifc->role == RA_ROLE_ADVERT || (hdr && !ifc->relay->content)) {
		ra_advert_build(hdr, final, b);
		if (!ifc->adv && !ra_dyn_valid_prefix(ifc->dyn, now)) {
			b->ra.router_lifetime = 0;
			b->ra.flags &= (uint8_t)~ND_RA_PREF_MASK; /* RFC 4191 §2.2 */
		}
	} else {
		ra_upstream_build(&ifc->relay->st, now, mtu, final, b);
		if (ifc->relay->deprecating)
			for (unsigned k = 0; k < b->ra.n_prefixes; k++)
				b->ra.prefixes[k].preferred_lifetime = 0;
		if (ifc->adv) /* a relay downstream with its own `ra` block */
			ra_advert_merge(ifc->adv, final, b);
	}
	if (ifc->dyn)
		ra_dyn_merge(ifc->dyn, now, ifc->sched.max_ms / 1000u, final, b);
	size_t cap = mtu >= ND_MIN_IPV6_MTU && mtu < ND_PACKET_MAX ? mtu : ND_PACKET_MAX;
	uint8_t pkt[ND_PACKET_MAX];
	size_t len;
	/* Everything that can be relayed fits in 1280 bytes but the search
	 * lists: drop those (then routes) rather than the whole RA. */
	while (!(len = nd_build_ra(pkt, cap, &src, &nd_all_nodes, &b->ra, ll.len ? &ll : NULL))) {
		if (b->ra.n_dnssl)
			b->ra.n_dnssl--;
		else if (b->ra.n_routes)
			b->ra.n_routes--;
		else
			break;
	}
	if (!len) {
		e->cnt.build_errors++;
		return false;
	}
	ra_if_send(ifc, &nd_all_nodes, NULL, pkt, len);
	ifc->tx_ra++;
	ifc->last_tx_ms = now;
	e->cnt.tx_ra++;
	if (final)
		e->cnt.tx_ra_final++;
	return true;
}

static void on_if_timer(void *ctx)
{
	struct ra_if *ifc = ctx;
	struct ra_engine *e = ifc->e;
	if (e->shut)
		return;
	uint64_t now = ra_now(e);
	uint64_t due = ra_sched_due(&ifc->sched);
	if (due && due <= now) {
		if_send_ra(ifc, false);
		/* Also when sending failed: the next try follows the schedule
		 * instead of spinning. */
		ra_sched_sent(&ifc->sched, now, ra_random(e));
	}
	if_rearm(ifc);
}

static void if_rearm(struct ra_if *ifc)
{
	struct ra_engine *e = ifc->e;
	uint64_t due = e->shut ? 0 : ra_sched_due(&ifc->sched);
	if (due)
		loop_timer_at(e->loop, &ifc->timer, due, on_if_timer, ifc);
	else
		loop_timer_cancel(e->loop, &ifc->timer);
}

/* Start or stop advertising on ifc as its state says. */
static void if_update(struct ra_if *ifc)
{
	if (ifc->role == RA_ROLE_UPSTREAM)
		return;
	const struct iface *k = if_kernel(ifc);
	bool want = k && k->has_ll &&
	            (ifc->adv || (ifc->relay && ifc->relay->content) || ra_dyn_live(ifc->dyn, ra_now(ifc->e)));
	if (want && !ifc->sched.running)
		ra_sched_start(&ifc->sched, ra_now(ifc->e));
	else if (!want && ifc->sched.running)
		ra_sched_stop(&ifc->sched);
	if_rearm(ifc);
}

/* --- relays -------------------------------------------------------------- */

static void relay_arm_at(struct ra_relay *r, uint64_t when)
{
	if (when == RA_END_NEVER || r->e->shut)
		return;
	if (!loop_timer_armed(&r->maint) || when < r->maint.when_ms)
		loop_timer_at(r->e->loop, &r->maint, when, on_relay_timer, r);
}

void ra_relay_rearm(struct ra_relay *r)
{
	relay_arm_at(r, ra_now(r->e));
}

void ra_relay_changed(struct ra_relay *r, bool urgent)
{
	uint64_t now = ra_now(r->e);
	r->content = !r->paused && ra_upstream_has_content(&r->st);
	for (unsigned i = 0; i < r->n_down; i++) {
		struct ra_if *d = r->down[i];
		bool was = d->sched.running;
		if_update(d);
		/* if_update started it: the first RA is due anyway */
		if (was && d->sched.running) {
			ra_sched_changed(&d->sched, now, urgent);
			if_rearm(d);
		}
	}
}

static void on_relay_timer(void *ctx)
{
	struct ra_relay *r = ctx;
	struct ra_engine *e = r->e;
	if (e->shut)
		return;
	uint64_t now = ra_now(e);
	bool changed = false;
	if (ra_upstream_expire(&r->st, now, &changed))
		ra_learn_prune(r);
	if (changed || r->content != (!r->paused && ra_upstream_has_content(&r->st)))
		ra_relay_changed(r, false);
	uint64_t next = ra_learn_tick(r, now);
	uint64_t exp = ra_upstream_next_expiry(&r->st, now);
	if (exp < next)
		next = exp;
	if (next != RA_END_NEVER)
		loop_timer_at(e->loop, &r->maint, next <= now ? now + 1 : next, on_relay_timer, r);
	else
		loop_timer_cancel(e->loop, &r->maint);
}

/* --- asking the upstream: Router Solicitations ---------------------------
 *
 * A relay that starts, switches into relay mode or sees its upstream come
 * back asks the routers there at once instead of waiting up to
 * MaxRtrAdvInterval (600 s with radvd's defaults) for their next RA. It
 * solicits as a host does (RFC 4861 §6.3.7): the first RS after a random
 * 0..MAX_RTR_SOLICITATION_DELAY, at most MAX_RTR_SOLICITATIONS of them
 * RTR_SOLICITATION_INTERVAL apart, none after an RA with a non-zero router
 * lifetime. The source is our link-local address with an SLLA option, or
 * the unspecified address without one while the link-local is tentative. */

static void on_rs_timer(void *ctx)
{
	struct ra_relay *r = ctx;
	struct ra_engine *e = r->e;
	struct ra_if *up = r->up;
	const struct iface *k = if_kernel(up);
	if (e->shut || !r->rs_left || !k)
		return;
	struct in6_addr src = IN6ADDR_ANY_INIT;
	struct nd_lladdr ll = { .len = 0 };
	if (k->has_ll) {
		src = k->ll;
		ll.len = k->lladdr_len <= ND_LLADDR_MAX ? k->lladdr_len : 0;
		memcpy(ll.addr, k->lladdr, ll.len);
	}
	uint8_t pkt[ND_PACKET_MAX];
	size_t len = nd_build_rs(pkt, sizeof(pkt), &src, ll.len ? &ll : NULL);
	if (len) {
		ra_if_send(up, &nd_all_routers, NULL, pkt, len);
		e->cnt.tx_rs++;
	} else {
		e->cnt.build_errors++;
	}
	if (--r->rs_left)
		loop_timer_at(e->loop, &r->rs_timer, ra_now(e) + RA_RTR_SOLICITATION_INTERVAL_MS, on_rs_timer, r);
}

static void relay_solicit(struct ra_relay *r)
{
	struct ra_engine *e = r->e;
	if (e->shut)
		return;
	r->rs_left = RA_MAX_RTR_SOLICITATIONS;
	uint32_t delay = ra_random(e) % (RA_MAX_RTR_SOLICITATION_DELAY_MS + 1);
	loop_timer_at(e->loop, &r->rs_timer, ra_now(e) + delay, on_rs_timer, r);
}

static void relay_solicit_stop(struct ra_relay *r)
{
	r->rs_left = 0;
	loop_timer_cancel(r->e->loop, &r->rs_timer);
}

static void relay_on_ra(struct ra_relay *r, const struct nd_msg *m, const struct pkt_in *pin)
{
	struct ra_engine *e = r->e;
	uint64_t now = ra_now(e);
	struct nd_lladdr ll = m->slla;
	if (!ll.len && pin && pin->src_ll_len <= ND_LLADDR_MAX) {
		ll.len = pin->src_ll_len;
		memcpy(ll.addr, pin->src_ll, ll.len);
	}
	struct ra_merge_result res;
	ra_upstream_merge(&r->st, m, &ll, now, &res);
	if (res.ignored) {
		e->cnt.routers_over_cap++;
		return;
	}
	e->cnt.rx_ra_upstream++;
	e->cnt.prefixes_over_cap += res.prefixes_over_cap;
	e->cnt.routes_over_cap += res.routes_over_cap;
	e->cnt.rdnss_over_cap += res.rdnss_over_cap;
	e->cnt.dnssl_over_cap += res.dnssl_over_cap;
	e->cnt.pref64_over_cap += res.pref64_over_cap;
	e->cnt.ra_options_ignored += m->ra.n_ignored;
	e->cnt.prefixes_withdrawn += res.withdrawn;
	/* Every upstream RA is relayed (no more often than the schedule's
	 * MIN_DELAY_BETWEEN_RAS allows), so hosts see the upstream's lifetimes
	 * refreshed at the upstream's pace; a change also restarts the
	 * initial burst so it is repeated. */
	ra_relay_changed(r, res.changed);
	relay_arm_at(r, ra_upstream_next_expiry(&r->st, now));
	if (m->ra.router_lifetime > 0)
		relay_solicit_stop(r); /* a default router answered (RFC 4861 §6.3.7) */
}

/* --- building from the config -------------------------------------------- */

struct ra_setup {
	struct ra_relay **relays;
	size_t n_relays;
	struct ra_advert **adverts;
	size_t n_adverts;
	struct ra_if **ifaces;
	size_t n_ifaces;
};

static void setup_free(struct ra_engine *e, struct ra_setup *s)
{
	for (size_t i = 0; i < s->n_ifaces; i++) {
		loop_timer_cancel(e->loop, &s->ifaces[i]->timer);
		free(s->ifaces[i]);
	}
	for (size_t i = 0; i < s->n_relays; i++) {
		loop_timer_cancel(e->loop, &s->relays[i]->maint);
		loop_timer_cancel(e->loop, &s->relays[i]->rs_timer);
		ra_hosts_free(&s->relays[i]->hosts);
		free(s->relays[i]->down);
		free(s->relays[i]);
	}
	for (size_t i = 0; i < s->n_adverts; i++)
		free(s->adverts[i]);
	free(s->relays);
	free(s->adverts);
	free(s->ifaces);
	memset(s, 0, sizeof(*s));
}

static struct ra_if *setup_add_if(struct ra_engine *e, struct ra_setup *s, const char *name, enum ra_role role,
                                  const char *block)
{
	if (!name[0] || strlen(name) >= IF_NAMESIZE)
		return NULL;
	if (if_by_name(s->ifaces, s->n_ifaces, name)) {
		log_err("%s: interface %s already relays or advertises: ignored here", block, name);
		return NULL;
	}
	struct ra_if *ifc = calloc(1, sizeof(*ifc));
	if (!ifc)
		return NULL;
	ifc->e = e;
	ifc->role = role;
	strcpy(ifc->name, name);
	s->ifaces[s->n_ifaces++] = ifc;
	return ifc;
}

/* A downstream pattern (`iface br-*`) stands for the interfaces that match
 * it now; the engine is rebuilt when that set changes (on_link). */
#define RA_PATTERN_MAX_MATCHES 32

struct pattern_walk {
	struct ra_engine *e;
	struct ra_setup *s;
	struct ra_relay *r;
	const struct conf *conf;
	const char *pattern, *block;
	unsigned n;
};

static struct ra_if *setup_add_down(struct ra_engine *e, struct ra_setup *s, struct ra_relay *r,
                                    const char *name, const char *block)
{
	struct ra_if *d = setup_add_if(e, s, name, RA_ROLE_DOWNSTREAM, block);
	if (!d)
		return NULL;
	d->relay = r;
	d->down_idx = r->n_down;
	ra_sched_init(&d->sched, RA_RELAY_MIN_INTERVAL_MS, RA_RELAY_MAX_INTERVAL_MS);
	r->down[r->n_down++] = d;
	return d;
}

static int pattern_add(void *ctx, const struct iface *k)
{
	struct pattern_walk *w = ctx;
	if (!conf_iface_matches(w->pattern, k->name) || if_by_name(w->s->ifaces, w->s->n_ifaces, k->name))
		return 0; /* named elsewhere in the block: that line applies */
	if (conf_iface_is_upstream(w->conf, k->name)) {
		log_warn("%s: %s matches 'iface %s' but is an upstream: skipped", w->block, k->name, w->pattern);
		return 0;
	}
	if (w->n >= RA_PATTERN_MAX_MATCHES) {
		log_warn("%s: more than %d interfaces match 'iface %s': %s skipped", w->block,
		         RA_PATTERN_MAX_MATCHES, w->pattern, k->name);
		return 0;
	}
	struct ra_if *d = setup_add_down(w->e, w->s, w->r, k->name, w->block);
	if (d) {
		d->pattern = w->pattern;
		w->n++;
	}
	return 0;
}

static size_t n_patterns(const struct conf_ra_relay *c)
{
	size_t n = 0;
	for (size_t k = 0; k < c->n_downstream; k++)
		n += conf_iface_is_pattern(c->downstream[k]);
	return n;
}

static int setup_build(struct ra_engine *e, const struct conf *conf, struct ra_setup *s)
{
	memset(s, 0, sizeof(*s));
	size_t n_if = conf->n_ras + (e->dyn ? RA_DYN_MAX_LINKS : 0);
	for (size_t i = 0; i < conf->n_relays; i++)
		n_if += 1 + conf->relays[i].n_downstream + n_patterns(&conf->relays[i]) * RA_PATTERN_MAX_MATCHES;
	s->ifaces = calloc(n_if ? n_if : 1, sizeof(*s->ifaces));
	s->relays = calloc(conf->n_relays ? conf->n_relays : 1, sizeof(*s->relays));
	s->adverts = calloc(conf->n_ras ? conf->n_ras : 1, sizeof(*s->adverts));
	if (!s->ifaces || !s->relays || !s->adverts)
		goto nomem;

	for (size_t i = 0; i < conf->n_relays; i++) {
		const struct conf_ra_relay *c = &conf->relays[i];
		struct ra_relay *r = calloc(1, sizeof(*r));
		if (!r)
			goto nomem;
		s->relays[s->n_relays++] = r;
		r->e = e;
		r->learn_hosts = c->learn_hosts;
		r->down = calloc(c->n_downstream + n_patterns(c) * RA_PATTERN_MAX_MATCHES, sizeof(*r->down));
		if (!r->down)
			goto nomem;
		char block[IF_NAMESIZE + 16];
		snprintf(block, sizeof(block), "ra-relay %s", c->upstream);
		r->up = setup_add_if(e, s, c->upstream, RA_ROLE_UPSTREAM, block);
		if (!r->up) {
			s->n_relays--;
			free(r->down);
			free(r);
			continue;
		}
		r->up->relay = r;
		for (size_t k = 0; k < c->n_downstream; k++)
			if (!conf_iface_is_pattern(c->downstream[k]))
				setup_add_down(e, s, r, c->downstream[k], block);
		for (size_t k = 0; k < c->n_downstream; k++) {
			struct pattern_walk w = { e, s, r, conf, c->downstream[k], block, 0 };
			if (conf_iface_is_pattern(c->downstream[k]))
				iftable_foreach(e->ifs, pattern_add, &w);
		}
		if (ra_hosts_init(&r->hosts, r->learn_hosts ? RA_HOSTS_PER_DOWNSTREAM * r->n_down : 0, &e->hkey) < 0)
			goto nomem;
		token_bucket_init(&r->dad_budget, RA_DAD_CARRY_RATE, 2 * RA_DAD_CARRY_RATE, ra_now(e));
	}
	for (size_t i = 0; i < conf->n_ras; i++) {
		const struct conf_ra *c = &conf->ras[i];
		struct ra_advert *a = calloc(1, sizeof(*a));
		if (!a)
			goto nomem;
		if (ra_advert_init(a, c) < 0) {
			free(a);
			continue;
		}
		char block[IF_NAMESIZE + 8];
		snprintf(block, sizeof(block), "ra %s", c->iface);
		/* On a relay's downstream the block adds to the relayed RA (a ULA
		 * next to the upstream /64, as in seed 000); anywhere else it
		 * must be the interface's only role. */
		struct ra_if *ifc = if_by_name(s->ifaces, s->n_ifaces, c->iface);
		if (!ifc) {
			ifc = setup_add_if(e, s, c->iface, RA_ROLE_ADVERT, block);
		} else if (ifc->role != RA_ROLE_DOWNSTREAM || ifc->adv) {
			log_err("%s: interface %s already relays or advertises: ignored here", block, c->iface);
			ifc = NULL;
		}
		if (!ifc) {
			free(a);
			continue;
		}
		s->adverts[s->n_adverts++] = a;
		a->ifc = ifc;
		ifc->adv = a;
		ra_sched_init(&ifc->sched, a->conf.min_interval_s * 1000u, a->conf.max_interval_s * 1000u);
	}
	/* Links fed by ra_engine_set_dynamic: an advertiser of their own when
	 * no block names them. */
	for (size_t i = 0; e->dyn && i < RA_DYN_MAX_LINKS; i++) {
		struct ra_dyn *dy = &e->dyn[i];
		if (!dy->used)
			continue;
		struct ra_if *ifc = if_by_name(s->ifaces, s->n_ifaces, dy->name);
		if (!ifc) {
			ifc = setup_add_if(e, s, dy->name, RA_ROLE_ADVERT, "dhcp6-pd");
			if (ifc)
				ra_sched_init(&ifc->sched, dy->hdr.conf.min_interval_s * 1000u,
				              dy->hdr.conf.max_interval_s * 1000u);
		}
		if (ifc && ifc->role == RA_ROLE_UPSTREAM)
			log_err("dhcp6-pd: %s is an ra-relay upstream: its delegated prefix is not advertised there",
			        dy->name);
		else if (ifc)
			ifc->dyn = dy;
	}
	return 0;
nomem:
	setup_free(e, s);
	return -ENOMEM;
}

static void setup_install(struct ra_engine *e, struct ra_setup *s)
{
	e->relays = s->relays;
	e->n_relays = s->n_relays;
	e->adverts = s->adverts;
	e->n_adverts = s->n_adverts;
	e->ifaces = s->ifaces;
	e->n_ifaces = s->n_ifaces;
}

static struct ra_setup setup_of(struct ra_engine *e)
{
	return (struct ra_setup){ e->relays, e->n_relays, e->adverts, e->n_adverts, e->ifaces, e->n_ifaces };
}

/* --- interfaces following the kernel ------------------------------------- */

/* Re-read ifc from the iftable: index (appeared, vanished, re-created,
 * renamed), up/down, link-local address. */
static void if_sync(struct ra_if *ifc)
{
	struct ra_engine *e = ifc->e;
	const struct iface *k = iftable_by_name(e->ifs, ifc->name);
	int idx = k ? k->ifindex : 0;
	bool up = k && k->up;
	int old = ifc->ifindex;
	if (idx != old && ifc->role == RA_ROLE_DOWNSTREAM && ifc->relay->learn_hosts)
		ra_learn_forget_link(ifc->relay, ifc->down_idx); /* reported with the old index */
	ifc->ifindex = idx;
	if (ifc->role == RA_ROLE_UPSTREAM) {
		struct ra_relay *r = ifc->relay;
		if (idx != old)
			ra_learn_upstream_moved(r, old);
		if (!up && ra_upstream_routers_lost(&r->st, ra_now(e)))
			ra_relay_changed(r, true); /* hosts stop routing through us */
		/* Up now and not before, or another link of that name: ask. */
		if (up && (!ifc->up || idx != old))
			relay_solicit(r);
		else if (!up && ifc->up)
			relay_solicit_stop(r);
		ifc->up = up;
		return;
	}
	if_update(ifc);
}

static void sync_all(struct ra_engine *e)
{
	for (size_t i = 0; i < e->n_ifaces; i++)
		if (e->ifaces[i]->role == RA_ROLE_UPSTREAM)
			if_sync(e->ifaces[i]);
	for (size_t i = 0; i < e->n_ifaces; i++)
		if (e->ifaces[i]->role != RA_ROLE_UPSTREAM)
			if_sync(e->ifaces[i]);
}

/* --- public API ---------------------------------------------------------- */

struct ra_engine *ra_engine_new(struct loop *loop, const struct conf *conf, struct iftable *ifs,
                                const struct ra_ops *ops)
{
	struct ra_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->loop = loop;
	e->ifs = ifs;
	e->ops = *ops;
	hash_key_init(&e->hkey);
	uint64_t seed;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = ra_now(e) ^ (uintptr_t)e;
	e->rng = rng_init(seed);
	struct ra_setup s;
	if (setup_build(e, conf, &s) < 0) {
		free(e);
		errno = ENOMEM;
		return NULL;
	}
	setup_install(e, &s);
	e->conf = conf;
	sync_all(e);
	return e;
}

/* Carry what still applies from old into the new setup. */
static void take_over(struct ra_engine *e, struct ra_setup *n, struct ra_setup *old)
{
	for (size_t i = 0; i < n->n_relays; i++) {
		struct ra_relay *r = n->relays[i];
		struct ra_if *oup = if_by_name(old->ifaces, old->n_ifaces, r->up->name);
		if (!oup || oup->role != RA_ROLE_UPSTREAM)
			continue;
		struct ra_relay *o = oup->relay;
		r->up->ifindex = oup->ifindex;
		r->up->up = oup->up; /* the same relay: no new solicitation */
		r->st = o->st;
		memcpy(r->dad, o->dad, sizeof(r->dad));
		r->dad_budget = o->dad_budget;
		r->content = o->content;
		r->paused = o->paused;
		if (o->rs_left && loop_timer_armed(&o->rs_timer)) { /* solicitations under way go on */
			r->rs_left = o->rs_left;
			loop_timer_at(e->loop, &r->rs_timer, o->rs_timer.when_ms, on_rs_timer, r);
		}
		for (unsigned k = 0; k < r->n_down; k++) {
			struct ra_if *od = if_by_name(old->ifaces, old->n_ifaces, r->down[k]->name);
			if (od && od->role == RA_ROLE_DOWNSTREAM && od->relay == o)
				r->down[k]->ifindex = od->ifindex;
		}
		ra_learn_take_over(r, o);
	}
	for (size_t i = 0; i < n->n_ifaces; i++) {
		struct ra_if *ifc = n->ifaces[i];
		struct ra_if *o = if_by_name(old->ifaces, old->n_ifaces, ifc->name);
		if (!o || o->role != ifc->role || ifc->role == RA_ROLE_UPSTREAM)
			continue;
		struct ra_sched keep = o->sched;
		keep.min_ms = ifc->sched.min_ms;
		keep.max_ms = ifc->sched.max_ms;
		ifc->sched = keep;
		ifc->ifindex = o->ifindex;
		ifc->tx_ra = o->tx_ra;
		ifc->rx_rs = o->rx_rs;
		ifc->last_tx_ms = o->last_tx_ms;
	}
	/* What goes: hosts reported gone, links told we no longer route. */
	for (size_t i = 0; i < old->n_ifaces; i++) {
		struct ra_if *o = old->ifaces[i];
		struct ra_if *keep = if_by_name(n->ifaces, n->n_ifaces, o->name);
		if (keep && keep->role == o->role)
			continue;
		if (o->role != RA_ROLE_UPSTREAM && o->sched.running)
			if_send_ra(o, true);
	}
	for (size_t i = 0; i < old->n_relays; i++)
		ra_learn_forget_link(old->relays[i], -1); /* what take_over did not move */
}

/* Rebuild the interfaces from conf and the dynamic links, carrying over
 * what still applies. */
static int rebuild(struct ra_engine *e, const struct conf *conf)
{
	struct ra_setup n, old = setup_of(e);
	if (!conf) /* a reload failed: nothing to build from until one works */
		return -EAGAIN;
	if (setup_build(e, conf, &n) < 0)
		return -ENOMEM;
	take_over(e, &n, &old);
	setup_free(e, &old);
	setup_install(e, &n);
	e->conf = conf;
	sync_all(e);
	return 0;
}

int ra_engine_reload(struct ra_engine *e, const struct conf *conf)
{
	if (rebuild(e, conf) < 0) {
		log_err("ra: out of memory on reload; keeping the running configuration");
		/* the daemon frees the old tree: patterns are not followed
		 * until a reload works */
		e->conf = NULL;
		return -ENOMEM;
	}
	uint64_t now = ra_now(e);
	for (size_t i = 0; i < e->n_ifaces; i++) {
		struct ra_if *ifc = e->ifaces[i];
		if (ifc->sched.running) { /* settings may have changed: tell the hosts */
			ra_sched_changed(&ifc->sched, now, true);
			if_rearm(ifc);
		}
	}
	for (size_t i = 0; i < e->n_relays; i++) {
		struct ra_relay *r = e->relays[i];
		loop_timer_cancel(e->loop, &r->maint);
		ra_relay_rearm(r);
	}
	return 0;
}

void ra_engine_on_nd(struct ra_engine *e, int ifindex, const struct nd_msg *m, const struct pkt_in *pin)
{
	if (e->shut)
		return;
	struct ra_if *ifc = ra_if_by_index(e, ifindex);
	if (!ifc)
		return;
	switch (m->type) {
	case ND_TYPE_RA:
		e->cnt.rx_ra++;
		if (ra_is_own(e, &m->src, pin)) {
			e->cnt.ra_from_self++;
			return;
		}
		if (ifc->role != RA_ROLE_UPSTREAM) {
			/* Another router on a link we advertise on: never relayed. */
			e->cnt.ra_not_upstream++;
			return;
		}
		if (m->ra.flags & ND_RA_FLAG_PROXY) {
			/* Another relay's RA (RFC 4389 §4.1.3.3): relaying it, or
			 * taking that relay as our router, makes a loop. */
			e->cnt.ra_proxy_flag++;
			return;
		}
		relay_on_ra(ifc->relay, m, pin);
		return;
	case ND_TYPE_RS:
		if (ifc->role == RA_ROLE_UPSTREAM)
			return;
		e->cnt.rx_rs++;
		ifc->rx_rs++;
		if (!ifc->sched.running || ra_is_own(e, &m->src, pin)) {
			e->cnt.rs_ignored++;
			return;
		}
		ra_sched_solicited(&ifc->sched, ra_now(e), ra_random(e));
		if_rearm(ifc);
		return;
	case ND_TYPE_NS:
	case ND_TYPE_NA:
		if (ifc->relay && !ifc->relay->paused && !ra_is_own(e, &m->src, pin))
			ra_learn_on_nd(ifc->relay, ifc, m, pin);
		return;
	default:
		return;
	}
}

static int pattern_new_match(void *ctx, const struct iface *k)
{
	const struct ra_engine *e = ctx;
	if (if_by_name(e->ifaces, e->n_ifaces, k->name) || conf_iface_is_upstream(e->conf, k->name))
		return 0;
	for (size_t i = 0; i < e->conf->n_relays; i++)
		for (size_t d = 0; d < e->conf->relays[i].n_downstream; d++)
			if (conf_iface_is_pattern(e->conf->relays[i].downstream[d]) &&
			    conf_iface_matches(e->conf->relays[i].downstream[d], k->name))
				return 1;
	return 0;
}

/* An interface a pattern covered is gone or renamed, or a new one matches. */
static bool patterns_changed(struct ra_engine *e)
{
	bool any = false;
	if (!e->conf)
		return false;
	for (size_t i = 0; i < e->n_ifaces; i++) {
		const struct ra_if *ifc = e->ifaces[i];
		if (ifc->pattern && !iftable_by_name(e->ifs, ifc->name))
			return true;
		any |= ifc->pattern != NULL;
	}
	for (size_t i = 0; !any && i < e->conf->n_relays; i++)
		any = n_patterns(&e->conf->relays[i]) > 0;
	return any && iftable_foreach(e->ifs, pattern_new_match, e) > 0;
}

static void on_pattern_timer(void *ctx)
{
	struct ra_engine *e = ctx;
	if (!e->shut && patterns_changed(e))
		ra_engine_reload(e, e->conf); /* the interfaces a pattern covers changed */
}

void ra_engine_on_iface(struct ra_engine *e, const struct iface *k, unsigned changes)
{
	if (e->shut)
		return;
	if (changes & (IFACE_GONE | IFACE_NAME)) {
		const struct ra_if *gone = ra_if_by_index(e, k->ifindex);
		if (gone && gone->pattern)
			loop_timer_in(e->loop, &e->pattern_timer, 0, on_pattern_timer, e);
	}
	if (changes & ~(unsigned)(IFACE_LL | IFACE_V4)) {
		if (patterns_changed(e)) {
			ra_engine_reload(e, e->conf); /* the interfaces a pattern covers changed */
			return;
		}
		/* Names and indexes can both change (rename, re-create): look at all. */
		sync_all(e);
		return;
	}
	/* a new source address (link-local) for our RAs */
	struct ra_if *ifc = (changes & IFACE_LL) ? ra_if_by_index(e, k->ifindex) : NULL;
	if (ifc)
		if_sync(ifc);
}

void ra_engine_on_neigh(struct ra_engine *e, const struct kneigh *n, bool deleted)
{
	if (e->shut)
		return;
	struct ra_if *ifc = ra_if_by_index(e, n->ifindex);
	if (ifc && ifc->role == RA_ROLE_DOWNSTREAM && !ifc->relay->paused)
		ra_learn_on_neigh(ifc->relay, ifc, n, deleted);
}

bool ra_engine_wants_iface(const struct ra_engine *e, const char *ifname, bool *allmulti)
{
	struct ra_if *ifc = if_by_name(e->ifaces, e->n_ifaces, ifname);
	if (!ifc)
		return false;
	/* Downstream DAD probes go to solicited-node groups of other hosts. */
	*allmulti = ifc->role == RA_ROLE_DOWNSTREAM && ifc->relay->learn_hosts;
	return true;
}

const struct ra_counters *ra_engine_counters(const struct ra_engine *e)
{
	return &e->cnt;
}

void ra_engine_shutdown(struct ra_engine *e)
{
	if (e->shut)
		return;
	for (size_t i = 0; i < e->n_ifaces; i++) {
		struct ra_if *ifc = e->ifaces[i];
		if (!ifc->sched.running)
			continue;
		bool advertiser = ifc->adv || ifc->role == RA_ROLE_ADVERT; /* ours, not relayed */
		unsigned n = advertiser ? RA_MAX_FINAL_RTR_ADVERTISEMENTS : 1;
		for (unsigned k = 0; k < n; k++)
			if_send_ra(ifc, true);
	}
	for (size_t i = 0; i < e->n_relays; i++)
		ra_learn_forget_link(e->relays[i], -1);
	e->shut = true;
	for (size_t i = 0; i < e->n_ifaces; i++) {
		ra_sched_stop(&e->ifaces[i]->sched);
		loop_timer_cancel(e->loop, &e->ifaces[i]->timer);
	}
	for (size_t i = 0; i < e->n_relays; i++) {
		loop_timer_cancel(e->loop, &e->relays[i]->maint);
		relay_solicit_stop(e->relays[i]);
	}
	loop_timer_cancel(e->loop, &e->pattern_timer);
}

void ra_engine_free(struct ra_engine *e)
{
	if (!e)
		return;
	loop_timer_cancel(e->loop, &e->pattern_timer);
	struct ra_setup s = setup_of(e);
	setup_free(e, &s);
	free(e->dyn);
	free(e);
}

/* --- dynamic items (ra_dyn.c) -------------------------------------------- */

static bool same_prefix(const struct ra_dyn_prefix *a, const struct ra_dyn_prefix *b)
{
	return a->plen == b->plen && memcmp(&a->prefix, &b->prefix, 16) == 0;
}

/* Did the items hosts act on change (not only their lifetimes)? A prefix
 * that came, went or was deprecated, a DNS server or domain. */
static bool dyn_items_changed(const struct ra_dynamic *o, const struct ra_dynamic *n, uint64_t now)
{
	if (o->n_prefixes != n->n_prefixes || o->n_dns != n->n_dns || o->n_domains != n->n_domains)
		return true;
	for (size_t i = 0; i < n->n_prefixes; i++) {
		const struct ra_dyn_prefix *p = &n->prefixes[i];
		const struct ra_dyn_prefix *q = &o->prefixes[i];
		if (!same_prefix(p, q) || (p->pref_end > now) != (q->pref_end > now) ||
		    (p->valid_end > now) != (q->valid_end > now))
			return true;
	}
	for (size_t i = 0; i < n->n_domains; i++)
		if (strcmp(o->domains[i], n->domains[i]) != 0)
			return true;
	return memcmp(o->dns, n->dns, n->n_dns * sizeof(n->dns[0])) != 0;
}

static void dyn_init(struct ra_dyn *dy, const char *ifname)
{
	memset(dy, 0, sizeof(*dy));
	dy->used = true;
	snprintf(dy->name, sizeof(dy->name), "%s", ifname);
	/* radvd's defaults, as an empty `ra IFACE { }` block gets them */
	struct conf_ra c = { .min_interval_s = 198, .max_interval_s = 600, .router_lifetime_s = 1800 };
	snprintf(c.iface, sizeof(c.iface), "%s", ifname);
	ra_advert_init(&dy->hdr, &c);
}

int ra_engine_set_dynamic(struct ra_engine *e, const char *ifname, const struct ra_dynamic *d)
{
	if (!ifname || !ifname[0] || strlen(ifname) >= IF_NAMESIZE)
		return -EINVAL;
	if (d && (d->n_prefixes > RA_DYN_MAX_PREFIXES || d->n_dns > RA_DYN_MAX_DNS ||
	          d->n_domains > RA_DYN_MAX_DOMAINS))
		return -EINVAL;
	if (e->shut)
		return 0;
	uint8_t names[sizeof(e->dyn->dnssl_names)];
	size_t names_len = 0;
	for (size_t i = 0; d && i < d->n_domains; i++) {
		int r = ra_encode_name(names, sizeof(names), names_len, d->domains[i]);
		if (r < 0)
			return -EINVAL;
		names_len = (size_t)r;
	}
	bool empty = !d || (!d->n_prefixes && !d->n_dns && !d->n_domains);
	struct ra_dyn *dy = ra_dyn_find(e, ifname);
	if (!dy && empty)
		return 0;
	if (!e->dyn && !(e->dyn = calloc(RA_DYN_MAX_LINKS, sizeof(*e->dyn))))
		return -ENOMEM;
	uint64_t now = ra_now(e);
	bool fresh = !dy;
	for (size_t i = 0; !dy && i < RA_DYN_MAX_LINKS; i++)
		if (!e->dyn[i].used)
			dy = &e->dyn[i];
	if (!dy)
		return -ENOSPC;
	if (fresh)
		dyn_init(dy, ifname);
	static const struct ra_dynamic none;
	const struct ra_dynamic *nd = empty ? &none : d;
	bool burst = fresh || dyn_items_changed(&dy->d, nd, now);
	dy->d = *nd;
	dy->dnssl_len = (uint16_t)names_len;
	memcpy(dy->dnssl_names, names, names_len);

	struct ra_if *ifc = if_by_name(e->ifaces, e->n_ifaces, ifname);
	bool own = ifc && ifc->role == RA_ROLE_ADVERT && !ifc->adv; /* an advertiser of its own */
	if (empty) {
		dy->used = false;
		if (own && rebuild(e, e->conf) < 0) /* the link's final RA goes out there */
			return -ENOMEM;
		ifc = own ? NULL : ifc;
		if (ifc)
			ifc->dyn = NULL;
	} else if (!ifc) {
		int rc = rebuild(e, e->conf);
		if (rc < 0) {
			dy->used = false;
			return rc;
		}
		return 0; /* a new advertiser: its first RA is due now */
	} else if (ifc->role != RA_ROLE_UPSTREAM) {
		ifc->dyn = dy;
	}
	if (ifc && ifc->role != RA_ROLE_UPSTREAM) {
		bool was = ifc->sched.running;
		if_update(ifc);
		if (was && ifc->sched.running) {
			ra_sched_changed(&ifc->sched, now, burst);
			if_rearm(ifc);
		}
	}
	return 0;
}

/* --- island mode (AUTO: daemon/dhcp6relay_adapter.c) ---------------------- */

int ra_engine_relay_pause(struct ra_engine *e, const char *upstream, bool paused)
{
	for (size_t i = 0; i < e->n_relays; i++) {
		struct ra_relay *r = e->relays[i];
		if (strcmp(r->up->name, upstream))
			continue;
		if (r->paused == paused)
			return 0;
		if (paused && r->content) {
			/* the island stops answering for the upstream's prefix: its
			 * hosts stop choosing it as a source at once (RFC 4862 §5.5.3) */
			r->deprecating = true;
			for (unsigned k = 0; k < r->n_down; k++)
				if (r->down[k]->sched.running)
					if_send_ra(r->down[k], false);
			r->deprecating = false;
		}
		r->paused = paused;
		if (paused)
			ra_learn_forget_link(r, -1);   /* the island routes: no /128s, no proxy answers */
		ra_relay_changed(r, true);
		return 0;
	}
	return -ENOENT;
}
