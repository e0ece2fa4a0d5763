/* What the routers on a relay's upstream link said, aged, and the RA the
 * relay re-originates from it on each downstream.
 *
 * Each item (prefix, route, DNS server, search list, NAT64 prefix) lives by
 * its own lifetime, as hosts treat each option on its own (RFC 4861 §6.3.4,
 * RFC 8106 §5.1): an item missing from one RA stays, because a router may
 * spread its options over several RAs (RFC 4861 §6.2.3). An item is
 * withdrawn, i.e. sent downstream with lifetime 0 for a while and then
 * forgotten, only when a router announces it with lifetime 0 (a prefix: for
 * the two hours hosts keep it, RFC 4862 §5.5.3 e) or when its lifetime runs
 * out. Nothing here allocates; every table has a fixed size. */
#include <stddef.h>
#include <string.h>

#include "proto/bytes.h"
#include "ra/ra_internal.h"

#define ITEM_WITHDRAW_HOLD_MS 60000u /* routes, DNS, NAT64: hosts drop them at lifetime 0 */

uint64_t ra_end_of(uint32_t lifetime_s, uint64_t now)
{
	if (lifetime_s == RA_LIFETIME_INFINITE)
		return RA_END_NEVER;
	return now + (uint64_t)lifetime_s * 1000u;
}

uint32_t ra_remaining_s(uint64_t end, uint64_t now)
{
	if (end == RA_END_NEVER)
		return RA_LIFETIME_INFINITE;
	if (end <= now)
		return 0;
	uint64_t s = (end - now + 999) / 1000;
	return s >= RA_LIFETIME_INFINITE ? RA_LIFETIME_INFINITE - 1 : (uint32_t)s;
}

static bool life_live(const struct ra_life *l, uint64_t now)
{
	return !l->withdrawn && l->valid_end > now;
}

static void life_set(struct ra_life *l, uint32_t valid, uint32_t preferred, uint64_t bit, uint64_t now)
{
	l->valid_end = ra_end_of(valid, now);
	l->pref_end = ra_end_of(preferred < valid ? preferred : valid, now);
	l->routers |= bit;
	l->withdrawn = false;
	l->ran_out = false;
	l->withdrawn_end = 0;
}

static void life_withdraw(struct ra_life *l, uint64_t hold_ms, uint64_t now)
{
	uint64_t end = now + hold_ms;
	l->withdrawn = true;
	l->routers = 0;
	l->withdrawn_end = l->valid_end < end ? l->valid_end : end;
	l->since_ms = now;
}

/* Explicit lifetime 0 from a router. */
static bool life_zeroed(struct ra_life *l, uint64_t bit, uint64_t hold_ms, uint64_t now)
{
	if (l->withdrawn)
		return false;
	l->routers &= ~bit;
	if (l->routers)
		return false; /* another router still announces it */
	life_withdraw(l, hold_ms, now);
	return true;
}

/* Ageing one item: a live one whose lifetime ran out is sent with 0 for
 * RA_EXPIRED_HOLD_MS (*changed: tell the hosts); returns true when a
 * withdrawn one is done and the entry can go. */
static bool life_age(struct ra_life *l, uint64_t now, bool *changed)
{
	if (l->withdrawn)
		return l->withdrawn_end <= now;
	if (l->valid_end > now)
		return false;
	l->withdrawn = true;
	l->ran_out = true;
	l->routers = 0;
	l->withdrawn_end = now + RA_EXPIRED_HOLD_MS;
	l->since_ms = now;
	*changed = true;
	return false;
}

static uint64_t life_next(const struct ra_life *l)
{
	return l->withdrawn ? l->withdrawn_end : l->valid_end;
}

/* --- the item tables ----------------------------------------------------- */

static int router_find(const struct ra_upstream *u, const struct in6_addr *src)
{
	for (int i = 0; i < RA_MAX_ROUTERS; i++)
		if (u->routers[i].used && memcmp(&u->routers[i].addr, src, 16) == 0)
			return i;
	return -1;
}

static int router_alloc(struct ra_upstream *u)
{
	for (int i = 0; i < RA_MAX_ROUTERS; i++)
		if (!u->routers[i].used)
			return i;
	return -1;
}

/* What differs between the kinds of item: every item struct starts with
 * `bool used` and holds a struct ra_life at life_off; `same` compares an
 * item with the key an RA option gives, `init` fills a new item from it. */
struct item_kind {
	size_t size, life_off;
	uint64_t withdraw_hold_ms;
	bool (*same)(const void *item, const void *key);
	void (*init)(void *item, const void *key);
};

/* One of the upstream's fixed tables. */
struct item_table {
	const struct item_kind *kind;
	char *base;
	size_t n;
};

static bool *item_used(struct item_table t, size_t i)
{
	return (bool *)(t.base + i * t.kind->size);
}

static struct ra_life *item_life(struct item_table t, size_t i)
{
	return (struct ra_life *)(t.base + i * t.kind->size + t.kind->life_off);
}

static int item_find(struct item_table t, const void *key)
{
	for (size_t i = 0; i < t.n; i++)
		if (*item_used(t, i) && t.kind->same(t.base + i * t.kind->size, key))
			return (int)i;
	return -1;
}

/* A free slot, or the withdrawn entry withdrawn longest ago: withdrawn
 * entries must never keep a live one out (an RA flood cycling prefixes). */
static int item_slot(struct item_table t)
{
	int best = -1;
	for (size_t i = 0; i < t.n; i++) {
		if (!*item_used(t, i))
			return (int)i;
		if (item_life(t, i)->withdrawn &&
		    (best < 0 || item_life(t, i)->since_ms < item_life(t, (size_t)best)->since_ms))
			best = (int)i;
	}
	return best;
}

/* One item heard with `lifetime` from router `bit`. Lifetime 0 withdraws
 * it (*withdrawn counts that, when given) and returns NULL; otherwise the
 * item, new if need be, whose lifetime the caller then sets; NULL with
 * *over_cap counted when the table is full. */
static void *item_merge(struct item_table t, const void *key, uint32_t lifetime, uint64_t bit,
                        uint64_t now, struct ra_merge_result *res, unsigned *over_cap, unsigned *withdrawn)
{
	int idx = item_find(t, key);
	if (lifetime == 0) {
		if (idx >= 0 && life_zeroed(item_life(t, (size_t)idx), bit, t.kind->withdraw_hold_ms, now)) {
			res->changed = true;
			if (withdrawn)
				(*withdrawn)++;
		}
		return NULL;
	}
	void *item;
	if (idx < 0) {
		idx = item_slot(t);
		if (idx < 0) {
			(*over_cap)++;
			return NULL;
		}
		item = t.base + (size_t)idx * t.kind->size;
		memset(item, 0, t.kind->size);
		*item_used(t, (size_t)idx) = true;
		t.kind->init(item, key);
		item_life(t, (size_t)idx)->since_ms = now;
		res->changed = true;
	}
	item = t.base + (size_t)idx * t.kind->size;
	if (item_life(t, (size_t)idx)->withdrawn)
		res->changed = true;
	return item;
}

static bool prefix_same(const void *item, const void *key)
{
	const struct ra_prefix *p = item;
	const struct nd_prefix_info *k = key;
	return p->plen == k->plen && memcmp(&p->prefix, &k->prefix, 16) == 0;
}

static void prefix_init(void *item, const void *key)
{
	struct ra_prefix *p = item;
	const struct nd_prefix_info *k = key;
	p->prefix = k->prefix;
	p->plen = k->plen;
	p->flags = k->flags;
}

static bool route_same(const void *item, const void *key)
{
	const struct ra_route *r = item;
	const struct nd_route_info *k = key;
	return r->plen == k->plen && memcmp(&r->prefix, &k->prefix, 16) == 0;
}

static void route_init(void *item, const void *key)
{
	struct ra_route *r = item;
	const struct nd_route_info *k = key;
	r->prefix = k->prefix;
	r->plen = k->plen;
	r->pref = k->pref;
}

static bool rdnss_same(const void *item, const void *key)
{
	return memcmp(&((const struct ra_rdnss *)item)->addr, key, 16) == 0;
}

static void rdnss_init(void *item, const void *key)
{
	memcpy(&((struct ra_rdnss *)item)->addr, key, 16);
}

struct dnssl_key {
	const uint8_t *name;
	size_t len;
};

static bool dnssl_same(const void *item, const void *key)
{
	const struct ra_dnssl *d = item;
	const struct dnssl_key *k = key;
	return d->len == k->len && memcmp(d->names, k->name, k->len) == 0;
}

static void dnssl_init(void *item, const void *key)
{
	struct ra_dnssl *d = item;
	const struct dnssl_key *k = key;
	d->len = (uint16_t)k->len;
	memcpy(d->names, k->name, k->len);
}

static bool pref64_same(const void *item, const void *key)
{
	const struct ra_pref64 *p = item;
	const struct nd_pref64 *k = key;
	return p->plen == k->plen && memcmp(p->prefix, k->prefix, sizeof(k->prefix)) == 0;
}

static void pref64_init(void *item, const void *key)
{
	struct ra_pref64 *p = item;
	const struct nd_pref64 *k = key;
	p->plen = k->plen;
	memcpy(p->prefix, k->prefix, sizeof(p->prefix));
}

#define ITEM_KIND(type, hold, same_fn, init_fn) \
	{ sizeof(type), offsetof(type, life), (hold), (same_fn), (init_fn) }
_Static_assert(offsetof(struct ra_prefix, used) == 0 && offsetof(struct ra_route, used) == 0 &&
               offsetof(struct ra_rdnss, used) == 0 && offsetof(struct ra_dnssl, used) == 0 &&
               offsetof(struct ra_pref64, used) == 0, "item_used() reads `used` at offset 0");

static const struct item_kind prefix_kind =
	ITEM_KIND(struct ra_prefix, RA_WITHDRAW_HOLD_MS, prefix_same, prefix_init);
static const struct item_kind route_kind =
	ITEM_KIND(struct ra_route, ITEM_WITHDRAW_HOLD_MS, route_same, route_init);
static const struct item_kind rdnss_kind =
	ITEM_KIND(struct ra_rdnss, ITEM_WITHDRAW_HOLD_MS, rdnss_same, rdnss_init);
static const struct item_kind dnssl_kind =
	ITEM_KIND(struct ra_dnssl, ITEM_WITHDRAW_HOLD_MS, dnssl_same, dnssl_init);
static const struct item_kind pref64_kind =
	ITEM_KIND(struct ra_pref64, ITEM_WITHDRAW_HOLD_MS, pref64_same, pref64_init);

#define TABLE(kind, arr) ((struct item_table){ &(kind), (char *)(arr), sizeof(arr) / sizeof((arr)[0]) })

/* Every table but the captive portal's single entry, prefixes first. */
enum { N_TABLES = 5 };
static void item_tables(const struct ra_upstream *cu, struct item_table t[N_TABLES])
{
	struct ra_upstream *u = (struct ra_upstream *)cu; /* readers get const views back */
	t[0] = TABLE(prefix_kind, u->prefixes);
	t[1] = TABLE(route_kind, u->routes);
	t[2] = TABLE(rdnss_kind, u->rdnss);
	t[3] = TABLE(dnssl_kind, u->dnssl);
	t[4] = TABLE(pref64_kind, u->pref64);
}

/* --- merging one RA ------------------------------------------------------ */

static uint8_t ra_pref(uint8_t flags)
{
	uint8_t pref = flags & ND_RA_PREF_MASK;
	return pref == 0x10 ? 0 : pref; /* RFC 4191 §2.2: reserved means medium */
}

static void merge_header(struct ra_router *rt, const struct nd_msg *m, const struct nd_lladdr *ll,
                         uint64_t now, struct ra_merge_result *res)
{
	const struct nd_ra *ra = &m->ra;
	uint8_t flags = (ra->flags & (ND_RA_FLAG_MANAGED | ND_RA_FLAG_OTHER)) | ra_pref(ra->flags);
	bool was_default = rt->lifetime_end > now;
	if (flags != rt->flags || ra->mtu != rt->mtu || was_default != (ra->router_lifetime > 0))
		res->changed = true;
	rt->flags = flags;
	rt->cur_hop_limit = ra->cur_hop_limit;
	rt->reachable_time = ra->reachable_time;
	rt->retrans_timer = ra->retrans_timer;
	rt->mtu = ra->mtu;
	rt->lifetime = ra->router_lifetime;
	rt->lifetime_end = now + (uint64_t)ra->router_lifetime * 1000u;
	rt->is_default = ra->router_lifetime > 0;
	rt->heard_ms = now;
	rt->n_ra++;
	if (ll && ll->len)
		rt->ll = *ll;
}

static void merge_prefixes(struct ra_upstream *u, const struct nd_ra *ra, uint64_t bit,
                           uint64_t now, struct ra_merge_result *res)
{
	for (unsigned i = 0; i < ra->n_prefixes; i++) {
		const struct nd_prefix_info *pi = &ra->prefixes[i];
		struct ra_prefix *p = item_merge(TABLE(prefix_kind, u->prefixes), pi, pi->valid_lifetime, bit,
		                                 now, res, &res->prefixes_over_cap, &res->withdrawn);
		if (!p)
			continue;
		if (p->life.withdrawn || p->flags != pi->flags) {
			res->changed = true;
			p->life.since_ms = now;
		}
		p->flags = pi->flags;
		life_set(&p->life, pi->valid_lifetime, pi->preferred_lifetime, bit, now);
	}
}

static void merge_routes(struct ra_upstream *u, const struct nd_ra *ra, uint64_t bit,
                         uint64_t now, struct ra_merge_result *res)
{
	for (unsigned i = 0; i < ra->n_routes; i++) {
		const struct nd_route_info *ri = &ra->routes[i];
		struct ra_route *r = item_merge(TABLE(route_kind, u->routes), ri, ri->lifetime, bit, now, res,
		                                &res->routes_over_cap, NULL);
		if (!r)
			continue;
		if (r->pref != ri->pref)
			res->changed = true;
		r->pref = ri->pref;
		life_set(&r->life, ri->lifetime, ri->lifetime, bit, now);
	}
}

static void merge_rdnss(struct ra_upstream *u, const struct nd_ra *ra, uint64_t bit,
                        uint64_t now, struct ra_merge_result *res)
{
	for (unsigned i = 0; i < ra->n_rdnss; i++) {
		uint32_t lifetime = ra->rdnss_lifetime[i]; /* its own option's (RFC 8106 §5.1) */
		struct ra_rdnss *d = item_merge(TABLE(rdnss_kind, u->rdnss), &ra->rdnss[i], lifetime, bit, now,
		                                res, &res->rdnss_over_cap, NULL);
		if (d)
			life_set(&d->life, lifetime, lifetime, bit, now);
	}
}

/* The next encoded domain name in a DNSSL body at *off (nd_opt.c checked
 * the names): its length with the terminating zero, 0 at the padding. */
static size_t dnssl_next_name(const uint8_t *body, size_t len, size_t *off)
{
	size_t start = *off, i = start;
	if (i >= len || body[i] == 0)
		return 0;
	while (i < len && body[i] != 0)
		i += 1u + body[i];
	if (i >= len)
		return 0;
	*off = i + 1;
	return *off - start;
}

/* Each search domain lives by the lifetime of the option it came in
 * (RFC 8106 §5.2), like a DNS server: a domain can be withdrawn, or
 * refreshed, by an option that lists other domains with it or not. */
static void merge_dnssl(struct ra_upstream *u, const struct nd_ra *ra, uint64_t bit,
                        uint64_t now, struct ra_merge_result *res)
{
	for (unsigned i = 0; i < ra->n_dnssl; i++) {
		const uint8_t *body = ra->dnssl[i].body;
		size_t len = ra->dnssl[i].len, off = 4;
		if (len < 4)
			continue;
		uint32_t lifetime = be_get32(body);
		struct dnssl_key k = { body + off, 0 };
		for (; (k.len = dnssl_next_name(body, len, &off)) > 0; k.name = body + off) {
			if (k.len > RA_DNSSL_NAMES_MAX) {
				res->dnssl_over_cap++;
				continue;
			}
			struct ra_dnssl *d = item_merge(TABLE(dnssl_kind, u->dnssl), &k, lifetime, bit, now, res,
			                                &res->dnssl_over_cap, NULL);
			if (d)
				life_set(&d->life, lifetime, lifetime, bit, now);
		}
	}
}

static void merge_pref64(struct ra_upstream *u, const struct nd_ra *ra, uint64_t bit, uint64_t now,
                         struct ra_merge_result *res)
{
	for (unsigned i = 0; i < ra->n_pref64; i++) {
		const struct nd_pref64 *x = &ra->pref64[i];
		/* lifetime 0, RFC 8781 §4: stop using it */
		struct ra_pref64 *p = item_merge(TABLE(pref64_kind, u->pref64), x, x->lifetime, bit, now, res,
		                                 &res->pref64_over_cap, NULL);
		if (p)
			life_set(&p->life, x->lifetime, x->lifetime, bit, now);
	}
}

/* The captive-portal URI: the last one heard replaces any other. */
static void merge_capport(struct ra_upstream *u, const struct nd_ra *ra, uint64_t bit, uint64_t now,
                          struct ra_merge_result *res)
{
	if (ra->capport_len == 0 || ra->capport_len > sizeof(u->capport.uri))
		return;
	struct ra_capport *c = &u->capport;
	if (!c->used || c->len != ra->capport_len || memcmp(c->uri, ra->capport, c->len) != 0 ||
	    c->life.withdrawn) {
		memset(c, 0, sizeof(*c));
		c->used = true;
		c->len = ra->capport_len;
		memcpy(c->uri, ra->capport, c->len);
		c->life.since_ms = now;
		res->changed = true;
	}
	uint32_t life = ra->router_lifetime > RA_CAPPORT_MIN_LIFE_S ? ra->router_lifetime : RA_CAPPORT_MIN_LIFE_S;
	c->life.routers = 0; /* one URI per link, whoever said it */
	life_set(&c->life, life, life, bit, now);
}

void ra_upstream_merge(struct ra_upstream *u, const struct nd_msg *m, const struct nd_lladdr *ll,
                       uint64_t now, struct ra_merge_result *res)
{
	memset(res, 0, sizeof(*res));
	int ri = router_find(u, &m->src);
	if (ri < 0) {
		ri = router_alloc(u);
		if (ri < 0) {
			res->ignored = true;
			return;
		}
		struct ra_router *rt = &u->routers[ri];
		memset(rt, 0, sizeof(*rt));
		rt->used = true;
		rt->addr = m->src;
		res->changed = true;
	}
	merge_header(&u->routers[ri], m, ll, now, res);
	u->last_ra_ms = now;
	u->link_lost = false; /* a router heard: the link is back */

	uint64_t bit = 1ull << ri;
	merge_prefixes(u, &m->ra, bit, now, res);
	merge_routes(u, &m->ra, bit, now, res);
	merge_rdnss(u, &m->ra, bit, now, res);
	merge_dnssl(u, &m->ra, bit, now, res);
	merge_pref64(u, &m->ra, bit, now, res);
	merge_capport(u, &m->ra, bit, now, res);
}

/* --- ageing -------------------------------------------------------------- */

static uint64_t router_refs(const struct ra_upstream *u)
{
	uint64_t refs = 0;
	struct item_table t[N_TABLES];
	item_tables(u, t);
	for (size_t k = 0; k < N_TABLES; k++)
		for (size_t i = 0; i < t[k].n; i++)
			if (*item_used(t[k], i))
				refs |= item_life(t[k], i)->routers;
	if (u->capport.used)
		refs |= u->capport.life.routers;
	return refs;
}

bool ra_upstream_expire(struct ra_upstream *u, uint64_t now, bool *changed)
{
	bool prefix_gone = false;
	struct item_table t[N_TABLES];
	item_tables(u, t);
	for (size_t k = 0; k < N_TABLES; k++) {
		for (size_t i = 0; i < t[k].n; i++) {
			bool *used = item_used(t[k], i);
			struct ra_life *l = item_life(t[k], i);
			bool ran_out = l->ran_out;
			if (*used && life_age(l, now, changed)) {
				*used = false;
				prefix_gone |= t[k].kind == &prefix_kind;
			}
			/* a prefix that ran out: the hosts' addresses in it are gone */
			if (*used && l->ran_out && !ran_out)
				prefix_gone |= t[k].kind == &prefix_kind;
		}
	}
	if (u->capport.used && life_age(&u->capport.life, now, changed))
		u->capport.used = false;
	/* A router is forgotten once it is no default router and nothing it
	 * announced is left; its default lifetime running out is news too
	 * (the relayed router lifetime changes). */
	uint64_t refs = router_refs(u);
	for (int i = 0; i < RA_MAX_ROUTERS; i++) {
		struct ra_router *rt = &u->routers[i];
		if (rt->used && rt->is_default && rt->lifetime_end <= now) {
			rt->is_default = false;
			*changed = true;
		}
		if (rt->used && rt->lifetime_end <= now && !(refs & (1ull << i))) {
			rt->used = false;
			*changed = true;
		}
	}
	return prefix_gone;
}

uint64_t ra_upstream_next_expiry(const struct ra_upstream *u, uint64_t now)
{
	uint64_t next = RA_END_NEVER;
#define CONSIDER(t) do { uint64_t t_ = (t); if (t_ < next) next = t_; } while (0)
	struct item_table t[N_TABLES];
	item_tables(u, t);
	for (size_t k = 0; k < N_TABLES; k++)
		for (size_t i = 0; i < t[k].n; i++)
			if (*item_used(t[k], i))
				CONSIDER(life_next(item_life(t[k], i)));
	if (u->capport.used)
		CONSIDER(life_next(&u->capport.life));
	/* Routers whose lifetime already ended wait for their last item. */
	uint64_t refs = router_refs(u);
	for (int i = 0; i < RA_MAX_ROUTERS; i++) {
		const struct ra_router *rt = &u->routers[i];
		if (rt->used && (rt->lifetime_end > now || rt->is_default || !(refs & (1ull << i))))
			CONSIDER(rt->lifetime_end);
	}
#undef CONSIDER
	return next;
}

bool ra_upstream_routers_lost(struct ra_upstream *u, uint64_t now)
{
	bool changed = !u->link_lost;
	u->link_lost = true; /* no fallback router lifetime until a router is heard again */
	for (int i = 0; i < RA_MAX_ROUTERS; i++) {
		struct ra_router *rt = &u->routers[i];
		if (rt->used && rt->lifetime_end > now) {
			rt->lifetime_end = now;
			changed = true;
		}
	}
	return changed;
}

bool ra_upstream_has_content(const struct ra_upstream *u)
{
	for (int i = 0; i < RA_MAX_ROUTERS; i++)
		if (u->routers[i].used)
			return true;
	return false;
}

const struct ra_prefix *ra_upstream_prefix_of(const struct ra_upstream *u, const struct in6_addr *addr,
                                              bool live_only)
{
	for (int i = 0; i < RA_MAX_PREFIXES; i++) {
		const struct ra_prefix *p = &u->prefixes[i];
		if (p->used && !p->life.ran_out && (!live_only || !p->life.withdrawn) &&
		    nd_prefix_match(addr, &p->prefix, p->plen))
			return p;
	}
	return NULL;
}

/* --- the relayed RA ------------------------------------------------------ */

/* The router whose header we relay: the default router that stays longest,
 * else the one heard last. */
static const struct ra_router *primary_router(const struct ra_upstream *u, uint64_t now)
{
	const struct ra_router *best = NULL;
	for (int i = 0; i < RA_MAX_ROUTERS; i++) {
		const struct ra_router *rt = &u->routers[i];
		if (!rt->used)
			continue;
		if (!best) {
			best = rt;
			continue;
		}
		bool d = rt->lifetime_end > now, bd = best->lifetime_end > now;
		if (d != bd) {
			if (d)
				best = rt;
			continue;
		}
		if (d ? (rt->lifetime_end > best->lifetime_end ||
		         (rt->lifetime_end == best->lifetime_end && rt->heard_ms > best->heard_ms))
		      : rt->heard_ms > best->heard_ms)
			best = rt;
	}
	return best;
}

static uint32_t relayed_mtu(const struct ra_upstream *u, const struct ra_router *p, uint32_t link_mtu)
{
	uint32_t mtu = p ? p->mtu : 0;
	if (mtu == 0) { /* the most recent MTU any router gave */
		uint64_t heard = 0;
		for (int i = 0; i < RA_MAX_ROUTERS; i++)
			if (u->routers[i].used && u->routers[i].mtu && u->routers[i].heard_ms >= heard) {
				mtu = u->routers[i].mtu;
				heard = u->routers[i].heard_ms;
			}
	}
	if (mtu == 0)
		return 0;
	if (link_mtu >= ND_MIN_IPV6_MTU && mtu > link_mtu)
		mtu = link_mtu;
	return mtu < ND_MIN_IPV6_MTU ? 0 : mtu;
}

/* No upstream router is a default router (a WAN outage: RFC 7084 routers
 * say lifetime 0), but the upstream link is up and its prefixes alive.
 * The hosts behind us have no on-link route to that link (L is cleared),
 * so relaying lifetime 0 would leave them no route to its hosts at all.
 * We stay their router instead, at low preference (RFC 4191 §2.2) and for
 * no longer than the longest prefix lives, and add a Route Information
 * Option per prefix for hosts that take them (RFC 4191 §3; Linux only with
 * accept_ra_rt_info_max_plen raised, hence the router lifetime). */
static void advertise_fallback(const struct ra_upstream *u, uint64_t now, struct nd_ra *ra)
{
	uint32_t longest = 0;
	for (int i = 0; i < RA_MAX_PREFIXES; i++) {
		const struct ra_prefix *src = &u->prefixes[i];
		if (!src->used || !life_live(&src->life, now))
			continue;
		uint32_t left = ra_remaining_s(src->life.valid_end, now);
		if (left > longest)
			longest = left;
		bool listed = false;
		for (unsigned k = 0; k < ra->n_routes && !listed; k++)
			listed = ra->routes[k].plen == src->plen && memcmp(&ra->routes[k].prefix, &src->prefix, 16) == 0;
		if (listed || ra->n_routes >= ND_RA_MAX_ROUTES)
			continue;
		struct nd_route_info *ri = &ra->routes[ra->n_routes++];
		ri->prefix = src->prefix;
		ri->plen = src->plen;
		ri->pref = 0; /* medium */
		ri->lifetime = left;
	}
	if (longest == 0)
		return;
	ra->router_lifetime = (uint16_t)(longest < RA_FALLBACK_LIFETIME_S ? longest : RA_FALLBACK_LIFETIME_S);
	ra->flags = (uint8_t)((ra->flags & ~ND_RA_PREF_MASK) | ND_RA_PREF_LOW);
}

/* Does an item go into the relayed RA, and with which lifetime: a withdrawn
 * one with 0 (hosts drop it), one whose lifetime ran out, not yet aged, not
 * at all. */
static bool life_sent(const struct ra_life *l, uint64_t now, uint32_t *left)
{
	if (!l->withdrawn && l->valid_end <= now)
		return false;
	*left = l->withdrawn ? 0 : ra_remaining_s(l->valid_end, now);
	return true;
}

/* Items sharing one option must share its lifetime (RFC 8106 §5.1): the
 * next item from k on not listed yet with the lifetime of item `first`,
 * or -1. An unlisted `first` finds itself first. */
static int same_life_next(const bool *listed, const uint32_t *left, int n, int k, int first)
{
	if (listed[first] && k == first)
		return -1;
	for (; k < n; k++)
		if (!listed[k] && left[k] == left[first])
			return k;
	return -1;
}

void ra_upstream_build(const struct ra_upstream *u, uint64_t now, uint32_t link_mtu, bool final,
                       struct ra_build *b)
{
	struct nd_ra *ra = &b->ra;
	memset(ra, 0, sizeof(*ra));
	const struct ra_router *p = primary_router(u, now);
	if (p) {
		ra->cur_hop_limit = p->cur_hop_limit;
		ra->flags = p->flags;
		ra->reachable_time = p->reachable_time;
		ra->retrans_timer = p->retrans_timer;
		uint32_t left = ra_remaining_s(p->lifetime_end, now);
		ra->router_lifetime = final ? 0 : (uint16_t)(left > UINT16_MAX ? UINT16_MAX : left);
		if (ra->router_lifetime == 0) /* RFC 4191 §2.2: no default router, preference 00 */
			ra->flags &= (uint8_t)~ND_RA_PREF_MASK;
	}
	ra->flags |= ND_RA_FLAG_PROXY; /* RFC 4389 §4.1.3.3 */
	ra->mtu = relayed_mtu(u, p, link_mtu);

	uint32_t left;
	for (int i = 0; i < RA_MAX_PREFIXES; i++) {
		const struct ra_prefix *src = &u->prefixes[i];
		if (!src->used || !life_sent(&src->life, now, &left))
			continue;
		struct nd_prefix_info *pi = &ra->prefixes[ra->n_prefixes++];
		pi->prefix = src->prefix;
		pi->plen = src->plen;
		/* Hosts form addresses (A) but send everything through us (no L). */
		pi->flags = src->flags & ND_PIO_FLAG_AUTO;
		pi->valid_lifetime = left;
		pi->preferred_lifetime = src->life.withdrawn ? 0 : ra_remaining_s(src->life.pref_end, now);
	}
	for (int i = 0; i < RA_MAX_ROUTES && ra->n_routes < ND_RA_MAX_ROUTES; i++) {
		const struct ra_route *src = &u->routes[i];
		if (!src->used || !life_sent(&src->life, now, &left))
			continue;
		struct nd_route_info *ri = &ra->routes[ra->n_routes++];
		ri->prefix = src->prefix;
		ri->plen = src->plen;
		ri->pref = src->pref;
		ri->lifetime = left;
	}
	/* Each server with its own remaining lifetime, a withdrawn one with 0
	 * (RFC 8106 §5.1), those of equal lifetime next to each other so that
	 * nd_build_ra puts them in one option. */
	uint32_t dns_left[RA_MAX_RDNSS] = { 0 };
	bool listed[RA_MAX_RDNSS];
	for (int i = 0; i < RA_MAX_RDNSS; i++)
		listed[i] = !u->rdnss[i].used || !life_sent(&u->rdnss[i].life, now, &dns_left[i]);
	for (int i = 0; i < RA_MAX_RDNSS; i++)
		for (int k = i; (k = same_life_next(listed, dns_left, RA_MAX_RDNSS, k, i)) >= 0; k++) {
			listed[k] = true;
			ra->rdnss_lifetime[ra->n_rdnss] = dns_left[k];
			ra->rdnss[ra->n_rdnss++] = u->rdnss[k].addr;
		}
	/* Search domains the same way: one option per lifetime, as long as
	 * the names fit one scratch slot. */
	uint32_t dom_left[RA_MAX_DNSSL] = { 0 };
	bool dom_listed[RA_MAX_DNSSL];
	for (int i = 0; i < RA_MAX_DNSSL; i++)
		dom_listed[i] = !u->dnssl[i].used || !life_sent(&u->dnssl[i].life, now, &dom_left[i]);
	for (int i = 0; i < RA_MAX_DNSSL; i++) {
		if (dom_listed[i])
			continue;
		uint8_t *body = b->dnssl + (size_t)ra->n_dnssl * (4 + RA_DNSSL_NAMES_MAX);
		size_t used = 4;
		be_put32(body, dom_left[i]);
		for (int k = i; (k = same_life_next(dom_listed, dom_left, RA_MAX_DNSSL, k, i)) >= 0; k++) {
			const struct ra_dnssl *src = &u->dnssl[k];
			if (used + src->len > 4 + RA_DNSSL_NAMES_MAX)
				continue;
			dom_listed[k] = true;
			memcpy(body + used, src->names, src->len);
			used += src->len;
		}
		ra->dnssl[ra->n_dnssl].body = body;
		ra->dnssl[ra->n_dnssl].len = (uint16_t)used;
		ra->n_dnssl++;
	}
	for (int i = 0; i < RA_MAX_PREF64; i++) {
		const struct ra_pref64 *src = &u->pref64[i];
		if (!src->used || !life_sent(&src->life, now, &left))
			continue;
		struct nd_pref64 *x = &ra->pref64[ra->n_pref64++];
		x->lifetime = (uint16_t)(left > UINT16_MAX ? UINT16_MAX : left);
		x->plen = src->plen;
		memcpy(x->prefix, src->prefix, sizeof(x->prefix));
	}
	if (u->capport.used && life_live(&u->capport.life, now)) {
		ra->capport = u->capport.uri;
		ra->capport_len = u->capport.len;
	}
	if (!final && !u->link_lost && !(p && p->lifetime_end > now))
		advertise_fallback(u, now, ra);
}
