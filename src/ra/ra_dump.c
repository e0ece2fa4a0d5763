/* `islandctl ra`: per relay the upstream routers, the prefixes, routes and
 * DNS options being relayed with their remaining lifetimes, and the hosts
 * learned behind each downstream; per advertised link what it sends; then
 * the counters. JSON (util/json.h); islandctl renders the text. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"
#include "ra/ra_internal.h"

const char *ra_host_via_name(uint8_t via)
{
	static const char *const names[] = { "dad", "na", "ns", "neighbour" };
	return via < sizeof(names) / sizeof(names[0]) ? names[via] : "?";
}

const char *ra_host_state_name(uint8_t state)
{
	static const char *const names[] = { "free", "tentative", "learned", "probing" };
	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

static const char *pref_name(uint8_t bits)
{
	switch (bits & ND_RA_PREF_MASK) {
	case 0x08: return "high";
	case 0x18: return "low";
	default:   return "medium";
	}
}

static void fmt_addr(const struct in6_addr *a, char *buf)
{
	inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static void fmt_pref64(const struct ra_pref64 *x, char *buf)
{
	struct in6_addr a = { 0 };
	memcpy(&a, x->prefix, sizeof(x->prefix));
	fmt_addr(&a, buf);
}

/* The URI as text (the parser kept printable ASCII only). */
static void fmt_capport(const struct ra_capport *c, char *buf)
{
	memcpy(buf, c->uri, c->len);
	buf[c->len] = 0;
}

static void fmt_ll(const struct nd_lladdr *ll, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < ll->len && n + 4 <= cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s%02x", i ? ":" : "", ll->addr[i]);
}

/* Call out(name) for each name in an encoded DNSSL list. */
static void each_name(const uint8_t *p, size_t n, struct json *j)
{
	char name[256];
	size_t i = 0;
	while (i < n && p[i]) {
		size_t len = 0;
		while (i < n && p[i]) {
			uint8_t l = p[i++];
			if (l > n - i || len + l + 2 > sizeof(name))
				return;
			if (len)
				name[len++] = '.';
			memcpy(name + len, p + i, l);
			len += l;
			i += l;
		}
		i++;
		name[len] = 0;
		json_str(j, name);
	}
}

static long long ms_until(uint64_t t, uint64_t now)
{
	return t ? (t > now ? (long long)(t - now) : 0) : -1;
}

static void json_sched(struct json *j, const struct ra_if *ifc, uint64_t now)
{
	json_kstr(j, "iface", ifc->name);
	json_ki64(j, "ifindex", ifc->ifindex);
	json_kbool(j, "advertising", ifc->sched.running);
	json_ki64(j, "next_ra_ms", ms_until(ra_sched_due(&ifc->sched), now));
	json_ki64(j, "last_ra_ms_ago", ifc->last_tx_ms ? (long long)(now - ifc->last_tx_ms) : -1LL);
	json_ku64(j, "ras_sent", ifc->tx_ra);
	json_ku64(j, "rs_received", ifc->rx_rs);
}

static void json_prefix(struct json *j, const char *key, const struct in6_addr *a, unsigned plen)
{
	char s[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 5];
	fmt_addr(a, s);
	snprintf(p, sizeof(p), "%s/%u", s, plen);
	json_kstr(j, key, p);
}

static void json_addr(struct json *j, const char *key, const struct in6_addr *a)
{
	char s[INET6_ADDRSTRLEN];
	fmt_addr(a, s);
	json_kstr(j, key, s);
}

/* A relayed option's lifetime left: 0 once withdrawn. */
static uint32_t life_left(const struct ra_life *l, uint64_t now)
{
	return l->withdrawn ? 0 : ra_remaining_s(l->valid_end, now);
}

static void json_relay(struct json *j, const struct ra_relay *r, uint64_t now)
{
	const struct ra_upstream *u = &r->st;
	json_obj(j);
	json_kstr(j, "upstream", r->up->name);
	json_ki64(j, "ifindex", r->up->ifindex);
	json_kbool(j, "learn_hosts", r->learn_hosts);
	json_karr(j, "routers");
	for (int i = 0; i < RA_MAX_ROUTERS; i++) {
		const struct ra_router *rt = &u->routers[i];
		if (!rt->used)
			continue;
		json_obj(j);
		json_addr(j, "addr", &rt->addr);
		json_ku64(j, "lifetime_s", ra_remaining_s(rt->lifetime_end, now));
		json_ku64(j, "heard_ms_ago", now - rt->heard_ms);
		json_kbool(j, "managed", rt->flags & ND_RA_FLAG_MANAGED);
		json_kbool(j, "other", rt->flags & ND_RA_FLAG_OTHER);
		json_kstr(j, "preference", pref_name(rt->flags));
		json_ku64(j, "mtu", rt->mtu);
		json_ku64(j, "ras", rt->n_ra);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "prefixes");
	for (int i = 0; i < RA_MAX_PREFIXES; i++) {
		const struct ra_prefix *x = &u->prefixes[i];
		if (!x->used)
			continue;
		bool w = x->life.withdrawn;
		json_obj(j);
		json_prefix(j, "prefix", &x->prefix, x->plen);
		json_ku64(j, "valid_s", w ? 0 : ra_remaining_s(x->life.valid_end, now));
		json_ku64(j, "preferred_s", w ? 0 : ra_remaining_s(x->life.pref_end, now));
		json_kbool(j, "autonomous", x->flags & ND_PIO_FLAG_AUTO);
		json_kbool(j, "withdrawn", w);
		json_ki64(j, "withdrawn_left_ms", w ? ms_until(x->life.withdrawn_end, now) : 0LL);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "routes");
	for (int i = 0; i < RA_MAX_ROUTES; i++) {
		const struct ra_route *x = &u->routes[i];
		if (!x->used)
			continue;
		json_obj(j);
		json_prefix(j, "prefix", &x->prefix, x->plen);
		json_ku64(j, "lifetime_s", life_left(&x->life, now));
		json_kstr(j, "preference", pref_name(x->pref));
		json_kbool(j, "withdrawn", x->life.withdrawn);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "rdnss");
	for (int i = 0; i < RA_MAX_RDNSS; i++) {
		const struct ra_rdnss *x = &u->rdnss[i];
		if (!x->used)
			continue;
		json_obj(j);
		json_addr(j, "addr", &x->addr);
		json_ku64(j, "lifetime_s", life_left(&x->life, now));
		json_kbool(j, "withdrawn", x->life.withdrawn);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "dnssl");
	for (int i = 0; i < RA_MAX_DNSSL; i++) {
		const struct ra_dnssl *x = &u->dnssl[i];
		if (!x->used)
			continue;
		json_obj(j);
		json_karr(j, "names");
		each_name(x->names, x->len, j);
		json_arr_end(j);
		json_ku64(j, "lifetime_s", life_left(&x->life, now));
		json_kbool(j, "withdrawn", x->life.withdrawn);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "pref64");
	for (int i = 0; i < RA_MAX_PREF64; i++) {
		const struct ra_pref64 *x = &u->pref64[i];
		if (!x->used)
			continue;
		char a[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 5];
		fmt_pref64(x, a);
		snprintf(p, sizeof(p), "%s/%u", a, x->plen);
		json_obj(j);
		json_kstr(j, "prefix", p);
		json_ku64(j, "lifetime_s", life_left(&x->life, now));
		json_kbool(j, "withdrawn", x->life.withdrawn);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (u->capport.used && !u->capport.life.withdrawn) {
		char uri[ND_CAPPORT_MAX + 1];
		fmt_capport(&u->capport, uri);
		json_kstr(j, "captive_portal", uri);
		json_ku64(j, "captive_portal_lifetime_s", ra_remaining_s(u->capport.life.valid_end, now));
	} else {
		json_knull(j, "captive_portal");
	}
	json_karr(j, "downstreams");
	for (unsigned k = 0; k < r->n_down; k++) {
		const struct ra_if *d = r->down[k];
		json_obj(j);
		json_sched(j, d, now);
		json_ku64(j, "host_count", d->n_hosts);
		json_karr(j, "hosts");
		for (uint32_t i = 0; i < r->hosts.cap; i++) {
			const struct ra_host *h = &r->hosts.slot[i];
			if (h->state == RA_HOST_FREE || h->down != k)
				continue;
			char ll[3 * ND_LLADDR_MAX + 1];
			fmt_ll(&h->ll, ll, sizeof(ll));
			json_obj(j);
			json_addr(j, "addr", &h->addr);
			json_kstr(j, "lladdr", ll);
			json_kstr(j, "state", ra_host_state_name(h->state));
			json_kstr(j, "via", ra_host_via_name(h->via));
			json_ku64(j, "seen_ms_ago", now - h->seen_ms);
			json_ku64(j, "age_ms", now - h->first_ms);
			json_obj_end(j);
		}
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void json_advert(struct json *j, const struct ra_advert *adv, uint64_t now)
{
	const struct conf_ra *c = &adv->conf;
	json_obj(j);
	json_sched(j, adv->ifc, now);
	json_ku64(j, "router_lifetime_s", c->router_lifetime_s);
	json_ku64(j, "min_interval_s", c->min_interval_s);
	json_ku64(j, "max_interval_s", c->max_interval_s);
	json_kstr(j, "preference", c->preference > 0 ? "high" : c->preference < 0 ? "low" : "medium");
	json_kbool(j, "managed", c->managed);
	json_kbool(j, "other", c->other);
	json_ku64(j, "mtu", c->mtu);
	json_karr(j, "prefixes");
	for (size_t i = 0; i < c->n_prefixes; i++) {
		const struct conf_ra_prefix *x = &c->prefixes[i];
		json_obj(j);
		json_prefix(j, "prefix", &x->prefix, x->plen);
		json_ku64(j, "valid_s", x->valid_lifetime);
		json_ku64(j, "preferred_s", x->preferred_lifetime);
		json_kbool(j, "onlink", x->onlink);
		json_kbool(j, "autonomous", x->autonomous);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "rdnss");
	for (size_t i = 0; i < c->n_rdnss; i++) {
		char a[INET6_ADDRSTRLEN];
		fmt_addr(&c->rdnss[i], a);
		json_str(j, a);
	}
	json_arr_end(j);
	json_ku64(j, "rdnss_lifetime_s", c->rdnss_lifetime);
	json_karr(j, "dnssl");
	each_name(adv->dnssl_names, adv->dnssl_len, j);
	json_arr_end(j);
	json_ku64(j, "dnssl_lifetime_s", c->dnssl_lifetime);
	json_obj_end(j);
}

/* Items fed by ra_engine_set_dynamic (dhcp6-pd), as the next RA carries them. */
static void json_dynamic(struct json *j, struct ra_engine *e, const struct ra_dyn *dy, uint64_t now)
{
	json_obj(j);
	json_kstr(j, "iface", dy->name);
	const struct ra_if *ifc = NULL;
	for (size_t i = 0; i < e->n_ifaces && !ifc; i++)
		if (e->ifaces[i]->dyn == dy)
			ifc = e->ifaces[i];
	json_kbool(j, "own_advertiser", ifc && !ifc->adv && ifc->role == RA_ROLE_ADVERT);
	if (ifc)
		json_sched(j, ifc, now);
	struct ra_build *b = &e->build; /* scratch, as when sending */
	memset(&b->ra, 0, sizeof(b->ra));
	ra_dyn_merge(dy, now, ifc ? ifc->sched.max_ms / 1000u : 600u, false, b);
	json_karr(j, "prefixes");
	for (unsigned i = 0; i < b->ra.n_prefixes; i++) {
		json_obj(j);
		json_prefix(j, "prefix", &b->ra.prefixes[i].prefix, b->ra.prefixes[i].plen);
		json_ku64(j, "valid_s", b->ra.prefixes[i].valid_lifetime);
		json_ku64(j, "preferred_s", b->ra.prefixes[i].preferred_lifetime);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "rdnss");
	for (unsigned i = 0; i < b->ra.n_rdnss; i++) {
		char a[INET6_ADDRSTRLEN];
		fmt_addr(&b->ra.rdnss[i], a);
		json_str(j, a);
	}
	json_arr_end(j);
	json_karr(j, "dnssl");
	each_name(dy->dnssl_names, dy->dnssl_len, j);
	json_arr_end(j);
	json_obj_end(j);
}

void ra_engine_dump(struct ra_engine *e, struct json *j)
{
	uint64_t now = ra_now(e);
	json_karr(j, "relays");
	for (size_t i = 0; i < e->n_relays; i++)
		json_relay(j, e->relays[i], now);
	json_arr_end(j);
	json_karr(j, "adverts");
	for (size_t i = 0; i < e->n_adverts; i++)
		json_advert(j, e->adverts[i], now);
	json_arr_end(j);
	json_karr(j, "dynamic");
	for (size_t i = 0; e->dyn && i < RA_DYN_MAX_LINKS; i++)
		if (e->dyn[i].used)
			json_dynamic(j, e, &e->dyn[i], now);
	json_arr_end(j);
	json_kobj(j, "counters");
#define RA_JSON_COUNTER(name) json_ku64(j, #name, e->cnt.name);
	RA_COUNTERS(RA_JSON_COUNTER)
#undef RA_JSON_COUNTER
	json_obj_end(j);
}
