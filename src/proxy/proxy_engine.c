/* The NDP and ARP proxies' common engine parts (proxy_engine.h). */
#include "proxy/proxy_engine.h"
#include "net/iftable.h"
#include "proto/nd.h"
#include "util/json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void proxy_core_init(struct proxy_core *pc, struct loop *loop, struct iftable *ifs, const struct proxy_family *fam,
                     void *ops_ctx, int (*route_oif)(void *ctx, const struct in6_addr *target),
                     uint64_t (*now_ms)(void *ctx), void *engine, struct proxy_core_counters cnt)
{
	*pc = (struct proxy_core){ .loop = loop, .ifs = ifs, .fam = fam, .cnt = cnt, .ops_ctx = ops_ctx,
	                           .route_oif = route_oif, .now_ms = now_ms, .engine = engine };
	pc->budgets.rate = UINT32_MAX;
}

void proxy_core_add_proxy(struct proxy_core *pc, const struct conf_proxy *conf, struct token_bucket *auto_lookups,
                          uint64_t *cap)
{
	*cap += conf->max_sessions;
	if (conf->probe_rate < pc->budgets.rate)
		pc->budgets.rate = conf->probe_rate;
	proxy_budget_init(auto_lookups, conf->probe_rate, proxy_core_now(pc));
}

int proxy_core_init_tables(struct proxy_core *pc, uint64_t cap, uint32_t timer_margin, uint32_t known_max,
                           uint32_t dead_max)
{
	if (pc->budgets.rate == UINT32_MAX)
		pc->budgets.rate = 100;
	if (cap > (1u << 22))
		cap = 1u << 22;
	if (proxy_sessions_init(&pc->sessions, (uint32_t)cap) < 0)
		return -1;
	/* one timer per session: room for them now, not while flooded */
	if (loop_timer_reserve(pc->loop, (cap < PROXY_SESSIONS_PRETOUCH ? cap : PROXY_SESSIONS_PRETOUCH) + timer_margin) < 0)
		return -1;
	uint32_t known_cap = cap * 4 < 256 ? 256 : cap * 4 > known_max ? known_max : (uint32_t)cap * 4;
	if (proxy_known_init(&pc->known, known_cap) < 0 ||
	    proxy_dead_init(&pc->dead, cap < dead_max ? (uint32_t)cap : dead_max) < 0)
		return -1;
	return 0;
}

void proxy_core_release(struct proxy_core *pc)
{
	for (uint32_t i = 0; pc->sessions.pool && i < pc->sessions.touched; i++) {
		struct proxy_session *s = &pc->sessions.pool[i];
		if (!s->in_use)
			continue;
		proxy_core_route_remove(pc, s);
		loop_timer_cancel(pc->loop, &s->timer);
	}
	proxy_sessions_free(&pc->sessions);
	proxy_known_free(&pc->known);
	proxy_dead_free(&pc->dead);
}

struct proxy_session *proxy_core_session_new(struct proxy_core *pc, uint32_t *n_sessions, uint32_t max_sessions,
                                             uint16_t proxy_idx, uint16_t rule_idx,
                                             const struct in6_addr *target, int down_ifindex, void *owner)
{
	struct proxy_session *s = NULL;
	if (*n_sessions < max_sessions)
		s = proxy_sessions_insert(&pc->sessions, proxy_idx, target);
	if (!s) {
		(*pc->cnt.sessions_full)++;
		if (log_ratelimit_ok(&pc->rl_full, 1, 10000))
			log_warn("%ssession table full (%u): not probing new targets", pc->fam->log_name,
			         pc->sessions.used);
		return NULL;
	}
	(*n_sessions)++;
	s->owner = owner;
	s->rule_idx = rule_idx;
	s->down_ifindex = down_ifindex;
	s->created_ms = proxy_core_now(pc);
	s->state = PROXY_PROBING;
	return s;
}

void proxy_core_route_install(struct proxy_core *pc, struct proxy_session *s, bool autowire,
                              const struct conf_rule *rule)
{
	if (s->routed || (!autowire && s->rule_idx != PROXY_RULE_NONE))
		return;
	if (rule && rule->method == RULE_AUTO && !s->has_via)
		return;
	char a[INET6_ADDRSTRLEN];
	int rc = pc->fam->route_add(pc->engine, s);
	if (rc < 0) {
		(*pc->cnt.route_errors)++;
		log_warn("cannot add route %s/%u: %s", pc->fam->addr_str(&s->target, a), pc->fam->host_plen,
		         strerror(-rc));
		return;
	}
	s->routed = true;
	(*pc->cnt.route_added)++;
	const struct iface *d = iftable_by_index(pc->ifs, s->down_ifindex);
	proxy_event(pc, "route %s/%u dev %s added", pc->fam->addr_str(&s->target, a), pc->fam->host_plen,
	            d ? d->name : "?");
}

void proxy_core_route_remove(struct proxy_core *pc, struct proxy_session *s)
{
	if (!s->routed)
		return;
	s->routed = false;
	int rc = pc->fam->route_del(pc->engine, s);
	if (rc < 0 && rc != -ESRCH && rc != -ENODEV) {
		(*pc->cnt.route_errors)++;
		return;
	}
	(*pc->cnt.route_removed)++;
	char a[INET6_ADDRSTRLEN];
	proxy_event(pc, "route %s/%u removed", pc->fam->addr_str(&s->target, a), pc->fam->host_plen);
}

int proxy_core_auto_downstream(struct proxy_core *pc, struct token_bucket *auto_lookups, int proxy_ifindex,
                               const struct in6_addr *target)
{
	if (!token_bucket_take(auto_lookups, proxy_core_now(pc), 0)) {
		(*pc->cnt.probe_budget)++;
		return -1;
	}
	int oif = pc->route_oif(pc->ops_ctx, target);
	if (oif <= 0 || oif == proxy_ifindex) {
		(*pc->cnt.auto_no_route)++;
		return -1;
	}
	return oif;
}

void proxy_core_route_restore(struct proxy_core *pc, size_t n_proxies, const struct kroute *r,
                              int (*re_add)(void *engine, const struct proxy_session *s), void *engine)
{
	if (r->plen != pc->fam->host_plen || !r->main_table)
		return;
	for (size_t pi = 0; pi < n_proxies; pi++) {
		struct proxy_session *s = proxy_sessions_find(&pc->sessions, (uint16_t)pi, &r->dst);
		if (!s || !s->routed || s->down_ifindex != r->oif)
			continue;
		int rc = re_add(engine, s);
		if (rc > 0)
			continue;
		char a[INET6_ADDRSTRLEN];
		if (rc < 0) {
			(*pc->cnt.route_errors)++;
			s->routed = false; /* the next confirmation tries again */
			log_warn("route %s/%u was deleted and cannot be restored: %s", pc->fam->addr_str(&s->target, a),
			         pc->fam->host_plen, strerror(-rc));
			continue;
		}
		(*pc->cnt.route_restored)++;
		proxy_event(pc, "route %s/%u was deleted by someone else: restored", pc->fam->addr_str(&s->target, a),
		            pc->fam->host_plen);
	}
}

static bool same_downstream(const struct conf_rule *a, const struct conf_rule *b)
{
	return a->method == b->method && (a->method != RULE_IFACE || strcmp(a->iface, b->iface) == 0) &&
	       a->autovia == b->autovia;
}

long proxy_takeover_rule(const struct conf_proxy *np, const struct in6_addr *target,
                         const struct conf_rule *orule)
{
	if (!orule)
		return 0;
	for (size_t ri = 0; ri < np->n_rules; ri++)
		if (nd_prefix_match(target, &np->rules[ri].prefix, np->rules[ri].plen))
			return same_downstream(&np->rules[ri], orule) ? (long)ri : -1;
	return -1;
}

void proxy_core_carry(struct proxy_core *pc, struct proxy_session *n, struct proxy_session *s, bool routed,
                      bool timed, uint32_t ttl_ms)
{
	n->state = s->state;
	n->routed = routed;
	n->has_via = s->has_via;
	n->via = s->via;
	n->confirmed_ms = s->confirmed_ms;
	n->created_ms = s->created_ms;
	n->lladdr_len = s->lladdr_len;
	memcpy(n->lladdr, s->lladdr, sizeof(n->lladdr));
	if (timed) {
		uint64_t end = s->confirmed_ms + ttl_ms, now = proxy_core_now(pc);
		proxy_core_arm(pc, n, end > now ? end - now : 0);
	}
	if (n->routed)
		s->routed = false; /* the route now belongs to the new engine */
}

const char *proxy_core_ifname(const struct proxy_core *pc, int ifindex, char buf[IF_NAMESIZE + 8])
{
	if (ifindex == 0)
		return "*"; /* relay discovery: probing every downstream */
	const struct iface *ifc = ifindex > 0 ? iftable_by_index(pc->ifs, ifindex) : NULL;
	if (ifc)
		return ifc->name;
	snprintf(buf, IF_NAMESIZE + 8, "#%d", ifindex);
	return buf;
}

static const char *state_name(const struct proxy_session *s)
{
	static const char *const names[] = { "probing", "valid", "renewing", "learned" };
	if (s->contested)
		return "contested";
	return s->state < sizeof(names) / sizeof(names[0]) ? names[s->state] : "?";
}

void proxy_core_dump_sessions(const struct proxy_core *pc, struct json *j)
{
	uint64_t now = proxy_core_now(pc);
	for (uint32_t i = 0; i < pc->sessions.touched; i++) {
		const struct proxy_session *s = &pc->sessions.pool[i];
		if (!s->in_use)
			continue;
		char a[INET6_ADDRSTRLEN], ifb[IF_NAMESIZE + 8];
		long long left = s->expires_ms ? (long long)s->expires_ms - (long long)now : -1;
		json_obj(j);
		json_kstr(j, "family", pc->fam->family);
		json_kstr(j, "proxy", pc->fam->proxy_iface(pc->engine, s->proxy_idx));
		json_kstr(j, "target", pc->fam->addr_str(&s->target, a));
		json_kstr(j, "state", state_name(s));
		json_kstr(j, "iface", proxy_core_ifname(pc, s->down_ifindex, ifb));
		json_ki64(j, "age_ms", (long long)(now - s->created_ms));
		json_ki64(j, "expires_ms", left < 0 ? -1LL : left);
		json_kbool(j, "routed", s->routed);
		if (pc->fam->dump_mac) {
			char mac[18];
			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", s->lladdr[0], s->lladdr[1],
			         s->lladdr[2], s->lladdr[3], s->lladdr[4], s->lladdr[5]);
			json_kstr(j, "mac", s->lladdr_len == 6 ? mac : NULL);
		}
		json_obj_end(j);
	}
}

void proxy_core_dump_counts(const struct proxy_core *pc, struct json *j)
{
	json_ku64(j, "sessions", pc->sessions.used);
	json_ku64(j, "dead_targets", proxy_dead_count(&pc->dead, proxy_core_now(pc)));
}

void proxy_core_dump_routes(const struct proxy_core *pc, struct json *j)
{
	for (uint32_t i = 0; i < pc->sessions.touched; i++) {
		const struct proxy_session *s = &pc->sessions.pool[i];
		if (!s->in_use || !s->routed)
			continue;
		char a[INET6_ADDRSTRLEN], v[INET6_ADDRSTRLEN], ifb[IF_NAMESIZE + 8], dst[INET6_ADDRSTRLEN + 5];
		snprintf(dst, sizeof(dst), "%s/%u", pc->fam->addr_str(&s->target, a), pc->fam->host_plen);
		json_obj(j);
		json_kstr(j, "family", pc->fam->family);
		json_kstr(j, "dst", dst);
		json_kstr(j, "iface", proxy_core_ifname(pc, s->down_ifindex, ifb));
		json_kstr(j, "via", s->has_via ? pc->fam->addr_str(&s->via, v) : NULL);
		json_obj_end(j);
	}
}
