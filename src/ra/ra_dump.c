/* `islandctl ra [--json]`: per relay the upstream routers, the prefixes,
 * routes and DNS options being relayed with their remaining lifetimes, and
 * the hosts learned behind each downstream; per advertised link what it
 * sends; then the counters. Text for people, one JSON object for programs. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"
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

/* A lifetime in seconds for people: "infinity", or a duration. */
static void fmt_life(uint32_t s, char *buf, size_t cap)
{
	if (s == RA_LIFETIME_INFINITE)
		snprintf(buf, cap, "infinity");
	else
		ctl_fmt_duration(buf, cap, (long long)s * 1000);
}

/* Call out(name) for each name in an encoded DNSSL list. */
static void each_name(const uint8_t *p, size_t n, void (*out)(void *ctx, const char *name, bool first), void *ctx)
{
	char name[256];
	size_t i = 0;
	bool first = true;
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
		out(ctx, name, first);
		first = false;
	}
}

static void name_text(void *ctx, const char *name, bool first)
{
	ctl_printf(ctx, "%s%s", first ? "" : " ", name);
}

static void name_json(void *ctx, const char *name, bool first)
{
	if (!first)
		ctl_printf(ctx, ",");
	ctl_json_str(ctx, name);
}

static long long ms_until(uint64_t t, uint64_t now)
{
	return t ? (t > now ? (long long)(t - now) : 0) : -1;
}

/* --- text ---------------------------------------------------------------- */

static void text_sched(struct ctl_out *o, const struct ra_if *ifc, uint64_t now)
{
	char next[32], last[32];
	ctl_fmt_duration(next, sizeof(next), ms_until(ra_sched_due(&ifc->sched), now));
	ctl_fmt_duration(last, sizeof(last), ifc->last_tx_ms ? (long long)(now - ifc->last_tx_ms) : -1);
	ctl_printf(o, "%s (index %d): %s, next RA in %s, last %s ago, RAs sent %llu, RS received %llu",
	           ifc->name, ifc->ifindex, ifc->sched.running ? "advertising" : "silent", next, last,
	           (unsigned long long)ifc->tx_ra, (unsigned long long)ifc->rx_rs);
}

static void text_relay(struct ctl_out *o, const struct ra_relay *r, uint64_t now)
{
	const struct ra_upstream *u = &r->st;
	char a[INET6_ADDRSTRLEN], v[32], p[32];
	ctl_printf(o, "ra-relay %s (index %d), learn hosts %s\n", r->up->name, r->up->ifindex,
	           r->learn_hosts ? "yes" : "no");
	for (int i = 0; i < RA_MAX_ROUTERS; i++) {
		const struct ra_router *rt = &u->routers[i];
		if (!rt->used)
			continue;
		fmt_addr(&rt->addr, a);
		fmt_life(ra_remaining_s(rt->lifetime_end, now), v, sizeof(v));
		ctl_fmt_duration(p, sizeof(p), (long long)(now - rt->heard_ms));
		ctl_printf(o, "  router %s: lifetime %s, heard %s ago, %s%spreference %s, mtu %u, %llu RAs\n", a, v,
		           p, rt->flags & ND_RA_FLAG_MANAGED ? "M " : "", rt->flags & ND_RA_FLAG_OTHER ? "O " : "",
		           pref_name(rt->flags), rt->mtu, (unsigned long long)rt->n_ra);
	}
	for (int i = 0; i < RA_MAX_PREFIXES; i++) {
		const struct ra_prefix *x = &u->prefixes[i];
		if (!x->used)
			continue;
		fmt_addr(&x->prefix, a);
		if (x->life.withdrawn) {
			ctl_fmt_duration(v, sizeof(v), ms_until(x->life.withdrawn_end, now));
			ctl_printf(o, "  prefix %s/%u: withdrawn, sent with lifetime 0 for %s more\n", a, x->plen, v);
			continue;
		}
		fmt_life(ra_remaining_s(x->life.valid_end, now), v, sizeof(v));
		fmt_life(ra_remaining_s(x->life.pref_end, now), p, sizeof(p));
		ctl_printf(o, "  prefix %s/%u: valid %s, preferred %s%s\n", a, x->plen, v, p,
		           x->flags & ND_PIO_FLAG_AUTO ? ", autonomous" : "");
	}
	for (int i = 0; i < RA_MAX_ROUTES; i++) {
		const struct ra_route *x = &u->routes[i];
		if (!x->used)
			continue;
		fmt_addr(&x->prefix, a);
		fmt_life(x->life.withdrawn ? 0 : ra_remaining_s(x->life.valid_end, now), v, sizeof(v));
		ctl_printf(o, "  route %s/%u: lifetime %s, preference %s%s\n", a, x->plen, v, pref_name(x->pref),
		           x->life.withdrawn ? ", withdrawn" : "");
	}
	for (int i = 0; i < RA_MAX_RDNSS; i++) {
		const struct ra_rdnss *x = &u->rdnss[i];
		if (!x->used)
			continue;
		fmt_addr(&x->addr, a);
		fmt_life(x->life.withdrawn ? 0 : ra_remaining_s(x->life.valid_end, now), v, sizeof(v));
		ctl_printf(o, "  rdnss %s: lifetime %s%s\n", a, v, x->life.withdrawn ? ", withdrawn" : "");
	}
	for (int i = 0; i < RA_MAX_DNSSL; i++) {
		const struct ra_dnssl *x = &u->dnssl[i];
		if (!x->used)
			continue;
		ctl_printf(o, "  dnssl ");
		each_name(x->names, x->len, name_text, o);
		fmt_life(x->life.withdrawn ? 0 : ra_remaining_s(x->life.valid_end, now), v, sizeof(v));
		ctl_printf(o, ": lifetime %s%s\n", v, x->life.withdrawn ? ", withdrawn" : "");
	}
	for (int i = 0; i < RA_MAX_PREF64; i++) {
		const struct ra_pref64 *x = &u->pref64[i];
		if (!x->used)
			continue;
		fmt_pref64(x, a);
		fmt_life(x->life.withdrawn ? 0 : ra_remaining_s(x->life.valid_end, now), v, sizeof(v));
		ctl_printf(o, "  pref64 %s/%u: lifetime %s%s\n", a, x->plen, v, x->life.withdrawn ? ", withdrawn" : "");
	}
	if (u->capport.used && !u->capport.life.withdrawn) {
		char uri[ND_CAPPORT_MAX + 1];
		fmt_capport(&u->capport, uri);
		fmt_life(ra_remaining_s(u->capport.life.valid_end, now), v, sizeof(v));
		ctl_printf(o, "  captive-portal %s: for %s\n", uri, v);
	}
	for (unsigned k = 0; k < r->n_down; k++) {
		const struct ra_if *d = r->down[k];
		ctl_printf(o, "  downstream ");
		text_sched(o, d, now);
		ctl_printf(o, ", hosts %u\n", d->n_hosts);
		for (uint32_t i = 0; i < r->hosts.cap; i++) {
			const struct ra_host *h = &r->hosts.slot[i];
			if (h->state == RA_HOST_FREE || h->down != k)
				continue;
			char ll[3 * ND_LLADDR_MAX + 1], seen[32], age[32];
			fmt_addr(&h->addr, a);
			fmt_ll(&h->ll, ll, sizeof(ll));
			ctl_fmt_duration(seen, sizeof(seen), (long long)(now - h->seen_ms));
			ctl_fmt_duration(age, sizeof(age), (long long)(now - h->first_ms));
			ctl_printf(o, "    host %s %s: %s via %s, seen %s ago, known for %s\n", a, ll[0] ? ll : "-",
			           ra_host_state_name(h->state), ra_host_via_name(h->via), seen, age);
		}
	}
}

static void text_advert(struct ctl_out *o, const struct ra_advert *adv, uint64_t now)
{
	const struct conf_ra *c = &adv->conf;
	char a[INET6_ADDRSTRLEN], v[32], p[32];
	ctl_printf(o, "ra ");
	text_sched(o, adv->ifc, now);
	ctl_printf(o, "\n  router lifetime %us, interval %u-%us, preference %s%s%s", c->router_lifetime_s,
	           c->min_interval_s, c->max_interval_s, c->preference > 0 ? "high" : c->preference < 0 ? "low" : "medium",
	           c->managed ? ", managed" : "", c->other ? ", other" : "");
	if (c->mtu)
		ctl_printf(o, ", mtu %u", c->mtu);
	ctl_printf(o, "\n");
	for (size_t i = 0; i < c->n_prefixes; i++) {
		const struct conf_ra_prefix *x = &c->prefixes[i];
		fmt_addr(&x->prefix, a);
		fmt_life(x->valid_lifetime, v, sizeof(v));
		fmt_life(x->preferred_lifetime, p, sizeof(p));
		ctl_printf(o, "  prefix %s/%u: valid %s, preferred %s%s%s\n", a, x->plen, v, p,
		           x->onlink ? ", on-link" : "", x->autonomous ? ", autonomous" : "");
	}
	for (size_t i = 0; i < c->n_rdnss; i++) {
		fmt_addr(&c->rdnss[i], a);
		fmt_life(c->rdnss_lifetime, v, sizeof(v));
		ctl_printf(o, "  rdnss %s: lifetime %s\n", a, v);
	}
	if (adv->dnssl_len) {
		ctl_printf(o, "  dnssl ");
		each_name(adv->dnssl_names, adv->dnssl_len, name_text, o);
		fmt_life(c->dnssl_lifetime, v, sizeof(v));
		ctl_printf(o, ": lifetime %s\n", v);
	}
}

/* --- JSON ---------------------------------------------------------------- */

static void json_sched(struct ctl_out *o, const struct ra_if *ifc, uint64_t now)
{
	ctl_printf(o, "\"iface\":");
	ctl_json_str(o, ifc->name);
	ctl_printf(o, ",\"ifindex\":%d,\"advertising\":%s,\"next_ra_ms\":%lld,\"last_ra_ms_ago\":%lld,"
	              "\"ras_sent\":%llu,\"rs_received\":%llu",
	           ifc->ifindex, ifc->sched.running ? "true" : "false", ms_until(ra_sched_due(&ifc->sched), now),
	           ifc->last_tx_ms ? (long long)(now - ifc->last_tx_ms) : -1LL, (unsigned long long)ifc->tx_ra,
	           (unsigned long long)ifc->rx_rs);
}

static void json_relay(struct ctl_out *o, const struct ra_relay *r, uint64_t now)
{
	const struct ra_upstream *u = &r->st;
	char a[INET6_ADDRSTRLEN];
	bool first = true;
	ctl_printf(o, "{\"upstream\":");
	ctl_json_str(o, r->up->name);
	ctl_printf(o, ",\"ifindex\":%d,\"learn_hosts\":%s,\"routers\":[", r->up->ifindex,
	           r->learn_hosts ? "true" : "false");
	for (int i = 0; i < RA_MAX_ROUTERS; i++) {
		const struct ra_router *rt = &u->routers[i];
		if (!rt->used)
			continue;
		fmt_addr(&rt->addr, a);
		ctl_printf(o, "%s{\"addr\":\"%s\",\"lifetime_s\":%u,\"heard_ms_ago\":%llu,\"managed\":%s,"
		              "\"other\":%s,\"preference\":\"%s\",\"mtu\":%u,\"ras\":%llu}",
		           first ? "" : ",", a, ra_remaining_s(rt->lifetime_end, now),
		           (unsigned long long)(now - rt->heard_ms), rt->flags & ND_RA_FLAG_MANAGED ? "true" : "false",
		           rt->flags & ND_RA_FLAG_OTHER ? "true" : "false", pref_name(rt->flags), rt->mtu,
		           (unsigned long long)rt->n_ra);
		first = false;
	}
	ctl_printf(o, "],\"prefixes\":[");
	first = true;
	for (int i = 0; i < RA_MAX_PREFIXES; i++) {
		const struct ra_prefix *x = &u->prefixes[i];
		if (!x->used)
			continue;
		fmt_addr(&x->prefix, a);
		bool w = x->life.withdrawn;
		ctl_printf(o, "%s{\"prefix\":\"%s/%u\",\"valid_s\":%u,\"preferred_s\":%u,\"autonomous\":%s,"
		              "\"withdrawn\":%s,\"withdrawn_left_ms\":%lld}",
		           first ? "" : ",", a, x->plen, w ? 0 : ra_remaining_s(x->life.valid_end, now),
		           w ? 0 : ra_remaining_s(x->life.pref_end, now), x->flags & ND_PIO_FLAG_AUTO ? "true" : "false",
		           w ? "true" : "false", w ? ms_until(x->life.withdrawn_end, now) : 0LL);
		first = false;
	}
	ctl_printf(o, "],\"routes\":[");
	first = true;
	for (int i = 0; i < RA_MAX_ROUTES; i++) {
		const struct ra_route *x = &u->routes[i];
		if (!x->used)
			continue;
		fmt_addr(&x->prefix, a);
		ctl_printf(o, "%s{\"prefix\":\"%s/%u\",\"lifetime_s\":%u,\"preference\":\"%s\",\"withdrawn\":%s}",
		           first ? "" : ",", a, x->plen, x->life.withdrawn ? 0 : ra_remaining_s(x->life.valid_end, now),
		           pref_name(x->pref), x->life.withdrawn ? "true" : "false");
		first = false;
	}
	ctl_printf(o, "],\"rdnss\":[");
	first = true;
	for (int i = 0; i < RA_MAX_RDNSS; i++) {
		const struct ra_rdnss *x = &u->rdnss[i];
		if (!x->used)
			continue;
		fmt_addr(&x->addr, a);
		ctl_printf(o, "%s{\"addr\":\"%s\",\"lifetime_s\":%u,\"withdrawn\":%s}", first ? "" : ",", a,
		           x->life.withdrawn ? 0 : ra_remaining_s(x->life.valid_end, now),
		           x->life.withdrawn ? "true" : "false");
		first = false;
	}
	ctl_printf(o, "],\"dnssl\":[");
	first = true;
	for (int i = 0; i < RA_MAX_DNSSL; i++) {
		const struct ra_dnssl *x = &u->dnssl[i];
		if (!x->used)
			continue;
		ctl_printf(o, "%s{\"names\":[", first ? "" : ",");
		each_name(x->names, x->len, name_json, o);
		ctl_printf(o, "],\"lifetime_s\":%u,\"withdrawn\":%s}",
		           x->life.withdrawn ? 0 : ra_remaining_s(x->life.valid_end, now),
		           x->life.withdrawn ? "true" : "false");
		first = false;
	}
	ctl_printf(o, "],\"pref64\":[");
	first = true;
	for (int i = 0; i < RA_MAX_PREF64; i++) {
		const struct ra_pref64 *x = &u->pref64[i];
		if (!x->used)
			continue;
		fmt_pref64(x, a);
		ctl_printf(o, "%s{\"prefix\":\"%s/%u\",\"lifetime_s\":%u,\"withdrawn\":%s}", first ? "" : ",", a,
		           x->plen, x->life.withdrawn ? 0 : ra_remaining_s(x->life.valid_end, now),
		           x->life.withdrawn ? "true" : "false");
		first = false;
	}
	ctl_printf(o, "],\"captive_portal\":");
	if (u->capport.used && !u->capport.life.withdrawn) {
		char uri[ND_CAPPORT_MAX + 1];
		fmt_capport(&u->capport, uri);
		ctl_json_str(o, uri);
	} else {
		ctl_printf(o, "null");
	}
	ctl_printf(o, ",\"downstreams\":[");
	for (unsigned k = 0; k < r->n_down; k++) {
		const struct ra_if *d = r->down[k];
		ctl_printf(o, "%s{", k ? "," : "");
		json_sched(o, d, now);
		ctl_printf(o, ",\"host_count\":%u,\"hosts\":[", d->n_hosts);
		first = true;
		for (uint32_t i = 0; i < r->hosts.cap; i++) {
			const struct ra_host *h = &r->hosts.slot[i];
			if (h->state == RA_HOST_FREE || h->down != k)
				continue;
			char ll[3 * ND_LLADDR_MAX + 1];
			fmt_addr(&h->addr, a);
			fmt_ll(&h->ll, ll, sizeof(ll));
			ctl_printf(o, "%s{\"addr\":\"%s\",\"lladdr\":\"%s\",\"state\":\"%s\",\"via\":\"%s\","
			              "\"seen_ms_ago\":%llu,\"age_ms\":%llu}",
			           first ? "" : ",", a, ll, ra_host_state_name(h->state), ra_host_via_name(h->via),
			           (unsigned long long)(now - h->seen_ms), (unsigned long long)(now - h->first_ms));
			first = false;
		}
		ctl_printf(o, "]}");
	}
	ctl_printf(o, "]}");
}

static void json_advert(struct ctl_out *o, const struct ra_advert *adv, uint64_t now)
{
	const struct conf_ra *c = &adv->conf;
	char a[INET6_ADDRSTRLEN];
	ctl_printf(o, "{");
	json_sched(o, adv->ifc, now);
	ctl_printf(o, ",\"router_lifetime_s\":%u,\"min_interval_s\":%u,\"max_interval_s\":%u,\"preference\":\"%s\","
	              "\"managed\":%s,\"other\":%s,\"mtu\":%u,\"prefixes\":[",
	           c->router_lifetime_s, c->min_interval_s, c->max_interval_s,
	           c->preference > 0 ? "high" : c->preference < 0 ? "low" : "medium", c->managed ? "true" : "false",
	           c->other ? "true" : "false", c->mtu);
	for (size_t i = 0; i < c->n_prefixes; i++) {
		const struct conf_ra_prefix *x = &c->prefixes[i];
		fmt_addr(&x->prefix, a);
		ctl_printf(o, "%s{\"prefix\":\"%s/%u\",\"valid_s\":%u,\"preferred_s\":%u,\"onlink\":%s,\"autonomous\":%s}",
		           i ? "," : "", a, x->plen, x->valid_lifetime, x->preferred_lifetime,
		           x->onlink ? "true" : "false", x->autonomous ? "true" : "false");
	}
	ctl_printf(o, "],\"rdnss\":[");
	for (size_t i = 0; i < c->n_rdnss; i++) {
		fmt_addr(&c->rdnss[i], a);
		ctl_printf(o, "%s\"%s\"", i ? "," : "", a);
	}
	ctl_printf(o, "],\"rdnss_lifetime_s\":%u,\"dnssl\":[", c->rdnss_lifetime);
	each_name(adv->dnssl_names, adv->dnssl_len, name_json, o);
	ctl_printf(o, "],\"dnssl_lifetime_s\":%u}", c->dnssl_lifetime);
}

void ra_engine_dump(struct ra_engine *e, struct ctl_out *o)
{
	uint64_t now = ra_now(e);
	if (o->json) {
		ctl_printf(o, "{\"relays\":[");
		for (size_t i = 0; i < e->n_relays; i++) {
			if (i)
				ctl_printf(o, ",");
			json_relay(o, e->relays[i], now);
		}
		ctl_printf(o, "],\"adverts\":[");
		for (size_t i = 0; i < e->n_adverts; i++) {
			if (i)
				ctl_printf(o, ",");
			json_advert(o, e->adverts[i], now);
		}
		ctl_printf(o, "],\"counters\":{");
		bool first = true;
#define RA_JSON_COUNTER(name)                                                                   \
	ctl_printf(o, "%s\"" #name "\":%llu", first ? "" : ",", (unsigned long long)e->cnt.name); \
	first = false;
		RA_COUNTERS(RA_JSON_COUNTER)
#undef RA_JSON_COUNTER
		ctl_printf(o, "}}\n");
		return;
	}
	for (size_t i = 0; i < e->n_relays; i++)
		text_relay(o, e->relays[i], now);
	for (size_t i = 0; i < e->n_adverts; i++)
		text_advert(o, e->adverts[i], now);
	if (!e->n_relays && !e->n_adverts)
		ctl_printf(o, "no usable ra or ra-relay block\n");
	ctl_printf(o, "counters:");
#define RA_TEXT_COUNTER(name)                                                 \
	if (e->cnt.name)                                                      \
		ctl_printf(o, " " #name " %llu", (unsigned long long)e->cnt.name);
	RA_COUNTERS(RA_TEXT_COUNTER)
#undef RA_TEXT_COUNTER
	ctl_printf(o, "\n");
}
