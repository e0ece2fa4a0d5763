/* Sub-delegation of a DHCPv6-PD lease to the downstream links: see
 * subdelegate.h. */
#include "dhcp6pd/subdelegate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "net/iftable.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/log.h"

#define SUBD_NEVER           UINT64_MAX
#define SUBD_GONE_HOLD_MS    10000u  /* an ended prefix is still advertised with 0 this long */
#define SUBD_MAX_SUBNET_BITS 16      /* a /48 at most: 65536 /64s */
#define SUBD_DEFAULT_BITS    8       /* numbering before any lease: as a /56 */

struct subd_link {
	char name[IF_NAMESIZE];
	int ifindex;              /* 0: not in the kernel */
	bool from_pattern;
	bool numbered;            /* subnet valid */
	bool warned;              /* out of range: said once */
	int32_t want;             /* configured number or SUBD_SUBNET_AUTO */
	uint32_t subnet;
};

/* A delegated prefix in use, or being phased out. */
struct subd_prefix {
	struct in6_addr prefix;
	uint8_t plen;
	uint64_t pref_end, valid_end;
	bool unreachable;         /* its unreachable route is installed */
	bool gone;                /* old: addresses and route removed, still advertised with 0 */
};

struct subdelegate {
	struct loop *loop;
	struct iftable *ifs;
	struct subd_ops ops;
	struct subd_conf conf;
	struct subd_link links[SUBD_MAX_LINKS];
	size_t n_links;
	unsigned subnet_bits;     /* 64 - the first prefix's length */
	struct subd_prefix cur[PD_LEASE_MAX_PREFIXES];
	size_t n_cur;
	struct subd_prefix old[SUBD_MAX_OLD];
	size_t n_old;
	/* the server's DNS options, kept for the RAs until they run out */
	size_t n_dns;
	struct in6_addr dns[PD_LEASE_MAX_DNS];
	size_t n_domains;
	char domains[PD_LEASE_MAX_DOMAINS][PD_LEASE_DOMAIN_LEN];
	uint64_t dns_end;
	struct pd_lease lease;    /* the last one reported, for a "stopped" hook */
	struct loop_timer timer;
	struct subd_counters cnt;
	uint8_t taken[(1u << SUBD_MAX_SUBNET_BITS) / 8];
};

static uint64_t now_ms(const struct subdelegate *sd)
{
	return sd->ops.now_ms(sd->ops.ctx);
}

/* --- numbering ----------------------------------------------------------- */

bool subdelegate_subnet_prefix(const struct in6_addr *prefix, uint8_t plen, uint32_t n, struct in6_addr *out)
{
	if (plen > 64 || (64 - plen < 32 && n >= (1u << (64 - plen))))
		return false;
	uint64_t hi = 0;
	for (int i = 0; i < 8; i++)
		hi = hi << 8 | prefix->s6_addr[i];
	uint64_t mask = plen == 0 ? 0 : ~0ull << (64 - plen);
	hi = (hi & mask) | n;
	memset(out, 0, sizeof(*out));
	for (int i = 7; i >= 0; i--, hi >>= 8)
		out->s6_addr[i] = (uint8_t)hi;
	return true;
}

/* Not keyed: the number must be the same after a restart. */
uint32_t subdelegate_hash_subnet(const char *name, uint32_t n_subnets)
{
	uint64_t h = 0x6a09e667f3bcc909ull;
	for (const char *p = name; *p; p++)
		h = hash_mix64(h ^ (uint8_t)*p);
	return n_subnets ? (uint32_t)(h % n_subnets) : 0;
}

static bool taken(const struct subdelegate *sd, uint32_t n)
{
	return sd->taken[n / 8] & (1u << (n % 8));
}

static void take(struct subdelegate *sd, uint32_t n)
{
	sd->taken[n / 8] |= (uint8_t)(1u << (n % 8));
}

static bool next_free(struct subdelegate *sd, uint32_t start, uint32_t n_subnets, uint32_t *out)
{
	for (uint32_t k = 0; k < n_subnets; k++) {
		uint32_t n = (start + k) % n_subnets;
		if (!taken(sd, n)) {
			take(sd, n);
			*out = n;
			return true;
		}
	}
	return false;
}

/* Give every link without one a number: configured numbers first, then the
 * named links in config order, then pattern matches by their name's hash.
 * Links that already have a number keep it. */
static void number_links(struct subdelegate *sd)
{
	uint32_t n_subnets = 1u << sd->subnet_bits;
	memset(sd->taken, 0, (n_subnets + 7) / 8);
	for (size_t i = 0; i < sd->n_links; i++) {
		struct subd_link *l = &sd->links[i];
		if (l->numbered && l->subnet >= n_subnets)
			l->numbered = false;
		if (l->want >= 0) {
			l->numbered = (uint32_t)l->want < n_subnets;
			l->subnet = (uint32_t)l->want;
			if (!l->numbered && !l->warned) {
				l->warned = true;
				sd->cnt.subnet_out_of_range++;
				log_warn("dhcp6-pd %s: iface %s: subnet %d is past the delegated prefix's %u subnets",
				         sd->conf.upstream, l->name, (int)l->want, n_subnets);
			}
		}
		if (l->numbered)
			take(sd, l->subnet);
	}
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sd->n_links; i++) {
			struct subd_link *l = &sd->links[i];
			if (l->numbered || l->want >= 0 || l->from_pattern != (pass == 1))
				continue;
			uint32_t start = pass ? subdelegate_hash_subnet(l->name, n_subnets) : 0;
			l->numbered = next_free(sd, start, n_subnets, &l->subnet);
		}
}

/* --- the links ----------------------------------------------------------- */

struct pattern_walk {
	struct subdelegate *sd;
	struct subd_link *next;
	size_t *n;
	const struct subd_link_conf *c;
	const struct subd_link *old;
	size_t n_old;
};

static const struct subd_link *find_in(const struct subd_link *links, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(links[i].name, name) == 0)
			return &links[i];
	return NULL;
}

static int add_match(void *ctx, const struct iface *k)
{
	struct pattern_walk *w = ctx;
	if (!conf_iface_matches(w->c->name, k->name) || strcmp(k->name, w->sd->conf.upstream) == 0 ||
	    find_in(w->next, *w->n, k->name))
		return 0;
	if (*w->n >= SUBD_MAX_LINKS) {
		w->sd->cnt.links_over_cap++;
		return 0;
	}
	struct subd_link *l = &w->next[(*w->n)++];
	const struct subd_link *o = find_in(w->old, w->n_old, k->name);
	*l = o ? *o : (struct subd_link){ .want = SUBD_SUBNET_AUTO };
	snprintf(l->name, sizeof(l->name), "%s", k->name);
	l->from_pattern = true;
	l->want = w->c->subnet;
	return 0;
}

/* The links the configuration names now (patterns against the kernel's
 * interfaces), keeping the numbers of those that stay. */
static void resolve_links(struct subdelegate *sd)
{
	struct subd_link old[SUBD_MAX_LINKS];
	size_t n_old = sd->n_links;
	memcpy(old, sd->links, n_old * sizeof(old[0]));
	struct subd_link next[SUBD_MAX_LINKS];
	size_t n = 0;
	for (size_t i = 0; i < sd->conf.n_links && n < SUBD_MAX_LINKS; i++) {
		const struct subd_link_conf *c = &sd->conf.links[i];
		if (conf_iface_is_pattern(c->name) || find_in(next, n, c->name))
			continue;
		const struct subd_link *o = find_in(old, n_old, c->name);
		struct subd_link *l = &next[n++];
		*l = o && o->want == c->subnet ? *o : (struct subd_link){ 0 };
		snprintf(l->name, sizeof(l->name), "%s", c->name);
		l->from_pattern = false;
		l->want = c->subnet;
	}
	for (size_t i = 0; i < sd->conf.n_links; i++) {
		const struct subd_link_conf *c = &sd->conf.links[i];
		if (!conf_iface_is_pattern(c->name))
			continue;
		struct pattern_walk w = { sd, next, &n, c, old, n_old };
		iftable_foreach(sd->ifs, add_match, &w);
	}
	for (size_t i = 0; i < n; i++) {
		const struct iface *k = iftable_by_name(sd->ifs, next[i].name);
		next[i].ifindex = k ? k->ifindex : 0;
	}
	/* links that went: no more RAs from us there */
	for (size_t i = 0; i < n_old; i++)
		if (!find_in(next, n, old[i].name) && sd->ops.ra_set_prefixes)
			sd->ops.ra_set_prefixes(sd->ops.ctx, old[i].name, NULL);
	memcpy(sd->links, next, n * sizeof(next[0]));
	sd->n_links = n;
	number_links(sd);
}

/* --- applying ------------------------------------------------------------ */

static uint32_t left_s(uint64_t end, uint64_t now)
{
	if (end == SUBD_NEVER)
		return 0xffffffffu;
	if (end <= now)
		return 0;
	uint64_t s = (end - now) / 1000u;
	return s >= 0xffffffffu ? 0xfffffffeu : (uint32_t)s;
}

static uint64_t end_of(uint64_t start, uint32_t s)
{
	return s == 0xffffffffu ? SUBD_NEVER : start + (uint64_t)s * 1000u;
}

static bool link_addr(const struct subd_link *l, const struct subd_prefix *p, struct in6_addr *addr)
{
	if (!l->numbered || !subdelegate_subnet_prefix(&p->prefix, p->plen, l->subnet, addr))
		return false;
	addr->s6_addr[15] = 1; /* prefix::1, see subdelegate.h */
	return true;
}

static void addr_set(struct subdelegate *sd, const struct subd_link *l, const struct subd_prefix *p, uint64_t now)
{
	struct in6_addr a;
	if (l->ifindex <= 0 || !link_addr(l, p, &a))
		return;
	uint32_t valid = left_s(p->valid_end, now);
	uint32_t pref = left_s(p->pref_end, now);
	if (pref > valid)
		pref = valid;
	int rc = valid ? sd->ops.addr_add(sd->ops.ctx, l->ifindex, &a, 64, pref, valid)
	               : sd->ops.addr_del(sd->ops.ctx, l->ifindex, &a, 64);
	if (rc < 0 && !(valid == 0 && (rc == -EADDRNOTAVAIL || rc == -ENOENT || rc == -ENODEV)))
		sd->cnt.addr_errors++;
}

static void unreachable_set(struct subdelegate *sd, struct subd_prefix *p, bool want)
{
	if (p->unreachable == want)
		return;
	int rc = want ? sd->ops.route_add(sd->ops.ctx, &p->prefix, p->plen, 0, true)
	              : sd->ops.route_del(sd->ops.ctx, &p->prefix, p->plen, 0, true);
	if (rc < 0 && !(want && rc == -EEXIST) && !(!want && rc == -ESRCH))
		sd->cnt.route_errors++;
	p->unreachable = want;
}

static void add_dyn(struct ra_dynamic *d, const struct subd_link *l, const struct subd_prefix *p)
{
	struct in6_addr sub;
	if (d->n_prefixes >= RA_DYN_MAX_PREFIXES || !l->numbered ||
	    !subdelegate_subnet_prefix(&p->prefix, p->plen, l->subnet, &sub))
		return;
	d->prefixes[d->n_prefixes++] = (struct ra_dyn_prefix){
		.prefix = sub, .plen = 64,
		.pref_end = p->pref_end == SUBD_NEVER ? RA_DYN_NEVER : p->pref_end,
		.valid_end = p->valid_end == SUBD_NEVER ? RA_DYN_NEVER : p->valid_end };
}

static void ra_push(struct subdelegate *sd, const struct subd_link *l)
{
	if (!sd->ops.ra_set_prefixes)
		return;
	struct ra_dynamic d;
	memset(&d, 0, sizeof(d));
	for (size_t i = 0; i < sd->n_cur; i++)
		add_dyn(&d, l, &sd->cur[i]);
	for (size_t i = 0; i < sd->n_old; i++)
		add_dyn(&d, l, &sd->old[i]);
	for (size_t i = 0; i < sd->n_dns && i < RA_DYN_MAX_DNS; i++)
		d.dns[d.n_dns++] = sd->dns[i];
	for (size_t i = 0; i < sd->n_domains && i < RA_DYN_MAX_DOMAINS; i++)
		snprintf(d.domains[d.n_domains++], sizeof(d.domains[0]), "%s", sd->domains[i]);
	d.dns_end = sd->dns_end == SUBD_NEVER ? RA_DYN_NEVER : sd->dns_end;
	if (sd->ops.ra_set_prefixes(sd->ops.ctx, l->name, d.n_prefixes || d.n_dns || d.n_domains ? &d : NULL) < 0)
		sd->cnt.ra_errors++;
}

static void apply_link(struct subdelegate *sd, const struct subd_link *l, uint64_t now)
{
	for (size_t i = 0; i < sd->n_cur; i++)
		addr_set(sd, l, &sd->cur[i], now);
	for (size_t i = 0; i < sd->n_old; i++)
		if (!sd->old[i].gone)
			addr_set(sd, l, &sd->old[i], now);
	ra_push(sd, l);
}

static void on_timer(void *ctx);

/* Old prefixes whose valid lifetime ended: addresses and route removed,
 * advertised with 0 for SUBD_GONE_HOLD_MS, then forgotten. */
static bool retire_ended(struct subdelegate *sd, uint64_t now)
{
	bool changed = false;
	for (size_t i = 0; i < sd->n_old;) {
		struct subd_prefix *p = &sd->old[i];
		if (!p->gone && p->valid_end <= now) {
			for (size_t k = 0; k < sd->n_links; k++)
				addr_set(sd, &sd->links[k], p, now); /* valid 0: deleted */
			unreachable_set(sd, p, false);
			p->gone = true;
			changed = true;
		}
		if (p->gone && p->valid_end + SUBD_GONE_HOLD_MS <= now) {
			sd->old[i] = sd->old[--sd->n_old];
			changed = true;
			continue;
		}
		i++;
	}
	if (sd->n_cur == 0 && sd->dns_end != SUBD_NEVER && sd->dns_end + SUBD_GONE_HOLD_MS <= now &&
	    (sd->n_dns || sd->n_domains)) {
		sd->n_dns = sd->n_domains = 0;
		changed = true;
	}
	return changed;
}

static void rearm(struct subdelegate *sd, uint64_t now)
{
	uint64_t next = SUBD_NEVER;
	for (size_t i = 0; i < sd->n_old; i++) {
		const struct subd_prefix *p = &sd->old[i];
		uint64_t t = p->gone ? p->valid_end + SUBD_GONE_HOLD_MS : p->valid_end;
		if (t < next)
			next = t;
	}
	if (sd->n_cur == 0 && (sd->n_dns || sd->n_domains) && sd->dns_end != SUBD_NEVER &&
	    sd->dns_end + SUBD_GONE_HOLD_MS < next)
		next = sd->dns_end + SUBD_GONE_HOLD_MS;
	if (next == SUBD_NEVER)
		loop_timer_cancel(sd->loop, &sd->timer);
	else
		loop_timer_at(sd->loop, &sd->timer, next <= now ? now + 1 : next, on_timer, sd);
}

static void apply_all(struct subdelegate *sd, uint64_t now)
{
	retire_ended(sd, now);
	for (size_t i = 0; i < sd->n_cur; i++)
		unreachable_set(sd, &sd->cur[i], true);
	for (size_t i = 0; i < sd->n_links; i++)
		apply_link(sd, &sd->links[i], now);
	rearm(sd, now);
}

static void on_timer(void *ctx)
{
	struct subdelegate *sd = ctx;
	uint64_t now = now_ms(sd);
	if (retire_ended(sd, now))
		for (size_t i = 0; i < sd->n_links; i++)
			ra_push(sd, &sd->links[i]);
	rearm(sd, now);
}

/* --- lease changes ------------------------------------------------------- */

static bool same(const struct subd_prefix *a, const struct in6_addr *prefix, uint8_t plen)
{
	return a->plen == plen && memcmp(&a->prefix, prefix, 16) == 0;
}

/* Move p to the old list: deprecated now, valid for min(left, 2 h), or
 * ended now when the lease expired. */
static void phase_out(struct subdelegate *sd, const struct subd_prefix *p, bool expired, uint64_t now)
{
	if (sd->n_old == SUBD_MAX_OLD) { /* the oldest goes at once */
		struct subd_prefix *o = &sd->old[0];
		if (!o->gone) {
			o->valid_end = now;
			for (size_t i = 0; i < sd->n_links; i++)
				addr_set(sd, &sd->links[i], o, now);
			unreachable_set(sd, o, false);
		}
		sd->old[0] = sd->old[--sd->n_old];
	}
	struct subd_prefix o = *p;
	o.pref_end = now;
	uint64_t cap = now + SUBD_OLD_VALID_MAX_MS;
	o.valid_end = expired ? now : (p->valid_end < cap ? p->valid_end : cap);
	o.gone = false;
	if (sd->n_old < SUBD_MAX_OLD)
		sd->old[sd->n_old++] = o;
}

static void hook(struct subdelegate *sd, const char *event, const struct pd_lease *lease,
                 const struct subd_prefix *old, uint64_t now)
{
	if (!sd->ops.run_hook)
		return;
	struct subd_subnet subnets[SUBD_MAX_LINKS];
	struct subd_hook_event ev = { .reason = event, .upstream = sd->conf.upstream, .lease = lease,
	                              .now_ms = now, .subnets = subnets };
	ev.n_subnets = subdelegate_subnets(sd, subnets, SUBD_MAX_LINKS);
	if (old) {
		ev.has_old = true;
		ev.old_prefix = old->prefix;
		ev.old_plen = old->plen;
	}
	sd->ops.run_hook(sd->ops.ctx, &ev);
}

void subdelegate_lease_changed(void *ctx, const struct pd_lease *lease, const struct pd_lease *before,
                               const char *event)
{
	struct subdelegate *sd = ctx;
	uint64_t now = now_ms(sd);
	sd->cnt.leases++;
	(void)before; /* our own state says what was delegated before */
	if (strcmp(event, "stopped") == 0) {
		/* RFC 9096: the lease goes on across a restart; nothing withdrawn */
		hook(sd, event, lease, NULL, now);
		return;
	}
	if (lease)
		sd->lease = *lease;
	bool live = lease && lease->n_prefixes > 0 &&
	            (lease->state == PD_BOUND || lease->state == PD_RENEWING || lease->state == PD_REBINDING);
	bool expired = !live;
	/* What the lease delegates: prefixes still preferred are in use; one
	 * the lease keeps only until its valid lifetime ends (preferred 0: the
	 * PD engine keeps a replaced prefix so, RFC 8415 §18.2.10.1) is being
	 * phased out. */
	struct subd_prefix next[PD_LEASE_MAX_PREFIXES], dep[PD_LEASE_MAX_PREFIXES];
	size_t n_next = 0, n_dep = 0;
	for (size_t i = 0; live && i < lease->n_prefixes && i < PD_LEASE_MAX_PREFIXES; i++) {
		const struct pd_prefix *p = &lease->prefixes[i];
		if (p->plen > 64 || p->plen < 64 - SUBD_MAX_SUBNET_BITS || left_s(end_of(p->acquired_ms, p->valid_s), now) == 0)
			continue;
		bool deprecated = left_s(end_of(p->acquired_ms, p->preferred_s), now) == 0;
		struct subd_prefix *n = deprecated ? &dep[n_dep++] : &next[n_next++];
		memset(n, 0, sizeof(*n));
		subdelegate_subnet_prefix(&p->prefix, p->plen, 0, &n->prefix);
		n->plen = p->plen;
		n->valid_end = end_of(p->acquired_ms, p->valid_s);
		n->pref_end = end_of(p->acquired_ms, p->preferred_s < p->valid_s ? p->preferred_s : p->valid_s);
	}
	/* what was delegated and is not any more */
	struct subd_prefix first_old;
	bool has_old = false;
	for (size_t i = 0; i < sd->n_cur; i++) {
		bool stays = false;
		for (size_t k = 0; k < n_next && !stays; k++)
			if (same(&sd->cur[i], &next[k].prefix, next[k].plen)) {
				next[k].unreachable = sd->cur[i].unreachable;
				stays = true;
			}
		if (stays)
			continue;
		if (!has_old) {
			first_old = sd->cur[i];
			has_old = true;
		}
		phase_out(sd, &sd->cur[i], expired, now);
		if (n_next)
			sd->cnt.renumbered++;
	}
	/* deprecated in the lease and not known as such yet (a restart): phased out */
	for (size_t k = 0; k < n_dep; k++) {
		bool known = false;
		for (size_t i = 0; i < sd->n_old && !known; i++)
			known = same(&sd->old[i], &dep[k].prefix, dep[k].plen);
		if (!known)
			phase_out(sd, &dep[k], false, now);
	}
	/* a prefix that comes back is no longer being phased out */
	for (size_t k = 0; k < n_next; k++)
		for (size_t i = 0; i < sd->n_old; i++)
			if (same(&sd->old[i], &next[k].prefix, next[k].plen)) {
				next[k].unreachable = sd->old[i].unreachable && !sd->old[i].gone;
				sd->old[i] = sd->old[--sd->n_old];
				break;
			}
	memcpy(sd->cur, next, n_next * sizeof(next[0]));
	sd->n_cur = n_next;
	if (n_next) {
		sd->subnet_bits = 64u - next[0].plen;
		sd->n_dns = lease->n_dns < PD_LEASE_MAX_DNS ? lease->n_dns : PD_LEASE_MAX_DNS;
		memcpy(sd->dns, lease->dns, sd->n_dns * sizeof(sd->dns[0]));
		sd->n_domains = lease->n_domains < PD_LEASE_MAX_DOMAINS ? lease->n_domains : PD_LEASE_MAX_DOMAINS;
		memcpy(sd->domains, lease->domains, sd->n_domains * sizeof(sd->domains[0]));
		sd->dns_end = 0;
		for (size_t i = 0; i < n_next; i++)
			if (next[i].valid_end > sd->dns_end)
				sd->dns_end = next[i].valid_end;
	} else if (sd->dns_end > now) {
		sd->dns_end = now; /* advertised with lifetime 0, then dropped */
	}
	if (has_old && expired)
		log_info("dhcp6-pd %s: lease %s: delegated prefixes withdrawn downstream", sd->conf.upstream, event);
	resolve_links(sd);
	apply_all(sd, now);
	hook(sd, event, lease, has_old ? &first_old : NULL, now);
}

/* --- the rest of the API ------------------------------------------------- */

struct subdelegate *subdelegate_new(struct loop *loop, const struct subd_conf *conf, struct iftable *ifs,
                                    const struct subd_ops *ops)
{
	struct subdelegate *sd = calloc(1, sizeof(*sd));
	if (!sd)
		return NULL;
	sd->loop = loop;
	sd->ifs = ifs;
	sd->ops = *ops;
	sd->conf = *conf;
	if (sd->conf.n_links > SUBD_MAX_LINKS)
		sd->conf.n_links = SUBD_MAX_LINKS;
	sd->subnet_bits = SUBD_DEFAULT_BITS;
	resolve_links(sd);
	return sd;
}

void subdelegate_stopping(struct subdelegate *sd)
{
	if (sd->n_cur)
		hook(sd, "stopped", &sd->lease, NULL, now_ms(sd));
}

void subdelegate_reload(struct subdelegate *sd, const struct subd_conf *conf)
{
	sd->conf = *conf;
	if (sd->conf.n_links > SUBD_MAX_LINKS)
		sd->conf.n_links = SUBD_MAX_LINKS;
	resolve_links(sd);
	apply_all(sd, now_ms(sd));
}

void subdelegate_on_iface(struct subdelegate *sd, const struct iface *ifc, unsigned changes)
{
	if (!(changes & (IFACE_NEW | IFACE_GONE | IFACE_NAME | IFACE_STATE)))
		return;
	struct subd_link before[SUBD_MAX_LINKS];
	size_t n_before = sd->n_links;
	memcpy(before, sd->links, n_before * sizeof(before[0]));
	resolve_links(sd);
	uint64_t now = now_ms(sd);
	for (size_t i = 0; i < sd->n_links; i++) {
		const struct subd_link *l = &sd->links[i];
		const struct subd_link *b = find_in(before, n_before, l->name);
		/* a link new to us, re-created, or back up: its address again */
		bool again = !b || b->ifindex != l->ifindex || (l->ifindex == ifc->ifindex && (changes & IFACE_STATE));
		if (again && l->ifindex > 0)
			apply_link(sd, l, now);
	}
}

size_t subdelegate_subnets(const struct subdelegate *sd, struct subd_subnet *out, size_t max)
{
	size_t n = 0;
	const struct subd_prefix *p = sd->n_cur ? &sd->cur[0] : NULL;
	for (size_t i = 0; p && i < sd->n_links && n < max; i++) {
		const struct subd_link *l = &sd->links[i];
		if (!l->numbered || !subdelegate_subnet_prefix(&p->prefix, p->plen, l->subnet, &out[n].prefix))
			continue;
		snprintf(out[n].ifname, sizeof(out[n].ifname), "%s", l->name);
		n++;
	}
	return n;
}

const struct subd_counters *subdelegate_counters(const struct subdelegate *sd)
{
	return &sd->cnt;
}

static void json_prefix(struct json *j, const char *key, const struct in6_addr *a, uint8_t plen)
{
	char s[INET6_ADDRSTRLEN + 4];
	inet_ntop(AF_INET6, a, s, INET6_ADDRSTRLEN);
	snprintf(s + strlen(s), 5, "/%u", plen);
	json_kstr(j, key, s);
}

void subdelegate_dump(const struct subdelegate *sd, struct json *j)
{
	uint64_t now = now_ms(sd);
	json_karr(j, "delegated");
	for (size_t i = 0; i < sd->n_cur; i++) {
		json_obj(j);
		json_prefix(j, "prefix", &sd->cur[i].prefix, sd->cur[i].plen);
		json_ku64(j, "preferred_s", left_s(sd->cur[i].pref_end, now));
		json_ku64(j, "valid_s", left_s(sd->cur[i].valid_end, now));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "deprecated");
	for (size_t i = 0; i < sd->n_old; i++) {
		json_obj(j);
		json_prefix(j, "prefix", &sd->old[i].prefix, sd->old[i].plen);
		json_ku64(j, "valid_s", left_s(sd->old[i].valid_end, now));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "links");
	for (size_t i = 0; i < sd->n_links; i++) {
		const struct subd_link *l = &sd->links[i];
		json_obj(j);
		json_kstr(j, "iface", l->name);
		json_ki64(j, "ifindex", l->ifindex);
		if (l->numbered)
			json_ku64(j, "subnet", l->subnet);
		else
			json_knull(j, "subnet");
		struct in6_addr sub;
		if (sd->n_cur && l->numbered &&
		    subdelegate_subnet_prefix(&sd->cur[0].prefix, sd->cur[0].plen, l->subnet, &sub))
			json_prefix(j, "prefix", &sub, 64);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_kobj(j, "counters");
#define SUBD_JSON_COUNTER(name) json_ku64(j, #name, sd->cnt.name);
	SUBD_COUNTERS(SUBD_JSON_COUNTER)
#undef SUBD_JSON_COUNTER
	json_obj_end(j);
}

void subdelegate_free(struct subdelegate *sd)
{
	if (!sd)
		return;
	loop_timer_cancel(sd->loop, &sd->timer);
	for (size_t i = 0; i < sd->n_cur; i++)
		unreachable_set(sd, &sd->cur[i], false);
	for (size_t i = 0; i < sd->n_old; i++)
		unreachable_set(sd, &sd->old[i], false);
	for (size_t i = 0; i < sd->n_links; i++)
		if (sd->ops.ra_set_prefixes)
			sd->ops.ra_set_prefixes(sd->ops.ctx, sd->links[i].name, NULL);
	free(sd);
}
