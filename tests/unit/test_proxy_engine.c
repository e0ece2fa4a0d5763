/* The NDP and ARP proxies' shared engine parts (src/proxy/proxy_engine.c)
 * on their own: a core with fake ops and fake_loop.h's clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "conf/conf.h"
#include "net/iftable.h"
#include "proxy/proxy_engine.h"
#include "util/json.h"
#include "ctl/ctl.h"
#include "fake_loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

struct counters {
	uint64_t sessions_full, probe_budget, probe_retry_budget, auto_no_route;
	uint64_t route_added, route_removed, route_errors, route_restored;
};

static struct {
	int oif;       /* what route_oif answers */
	int add_rc;    /* what route_add returns */
	unsigned adds, dels, timers;
} fk;

static int fake_route_oif(void *ctx, const struct in6_addr *target)
{
	(void)ctx;
	(void)target;
	return fk.oif;
}

static int fake_route_add(void *engine, const struct proxy_session *s)
{
	(void)engine;
	(void)s;
	fk.adds++;
	return fk.add_rc;
}

static int fake_route_del(void *engine, const struct proxy_session *s)
{
	(void)engine;
	(void)s;
	fk.dels++;
	return 0;
}

static void fake_timer(void *session)
{
	(void)session;
	fk.timers++;
}

static const char *fake_proxy_iface(const void *engine, uint16_t proxy_idx)
{
	(void)engine;
	return proxy_idx == 0 ? "wlan0" : "?";
}

static const char *v6_str(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static const struct proxy_family fam = {
	.family = "ipv6", .log_name = "", .host_plen = 128, .addr_str = v6_str,
	.session_timer = fake_timer, .proxy_iface = fake_proxy_iface,
	.route_add = fake_route_add, .route_del = fake_route_del,
};

struct world {
	struct proxy_core pc;
	struct counters c;
	struct iftable *ifs;
};

static void world_up(struct world *w, uint64_t cap, uint32_t probe_rate)
{
	memset(&fk, 0, sizeof(fk));
	memset(w, 0, sizeof(*w));
	fake_loop_reset(1000);
	w->ifs = iftable_new(4);
	proxy_core_init(&w->pc, fake_loop, w->ifs, &fam, NULL, fake_route_oif, fake_now_ms, w,
	                PROXY_CORE_COUNTERS(w->c));
	struct conf_proxy p = { .max_sessions = (uint32_t)cap, .probe_rate = probe_rate };
	struct token_bucket tb;
	uint64_t total = 0;
	proxy_core_add_proxy(&w->pc, &p, &tb, &total);
	assert_int_equal(total, cap);
	assert_int_equal(w->pc.budgets.rate, probe_rate);
	assert_int_equal(proxy_core_init_tables(&w->pc, total, 8, 256, 256), 0);
}

static void world_down(struct world *w)
{
	proxy_core_release(&w->pc);
	iftable_free(w->ifs);
	fake_loop_free();
}

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* max-sessions per proxy: the next session is refused and counted, no state. */
static void session_cap_refuses_and_counts(void **state)
{
	(void)state;
	struct world w;
	world_up(&w, 2, 100);
	uint32_t n = 0;
	struct in6_addr t1 = addr("2001:db8::1"), t2 = addr("2001:db8::2"), t3 = addr("2001:db8::3");
	struct proxy_session *s1 = proxy_core_session_new(&w.pc, &n, 2, 0, 0, &t1, 3, &w);
	assert_non_null(s1);
	assert_int_equal(s1->state, PROXY_PROBING);
	assert_int_equal(s1->down_ifindex, 3);
	assert_ptr_equal(s1->owner, &w);
	assert_int_equal(s1->created_ms, 1000);
	assert_non_null(proxy_core_session_new(&w.pc, &n, 2, 0, 1, &t2, 3, &w));
	assert_null(proxy_core_session_new(&w.pc, &n, 2, 0, 1, &t3, 3, &w));
	assert_int_equal(n, 2);
	assert_int_equal(w.c.sessions_full, 1);
	assert_int_equal(w.pc.sessions.used, 2);
	world_down(&w);
}

/* auto rules: no route or a route back out of the proxy is counted and
 * refused; look-ups beyond the bucket count as probe_budget. */
static void auto_downstream_refusals(void **state)
{
	(void)state;
	struct world w;
	world_up(&w, 4, 100);
	struct token_bucket tb;
	proxy_budget_init(&tb, 100, 1000); /* a burst of 10 look-ups */
	struct in6_addr t = addr("2001:db8::9");
	fk.oif = 5;
	assert_int_equal(proxy_core_auto_downstream(&w.pc, &tb, 2, &t), 5);
	fk.oif = 2; /* the proxy's own interface */
	assert_int_equal(proxy_core_auto_downstream(&w.pc, &tb, 2, &t), -1);
	fk.oif = 0;
	assert_int_equal(proxy_core_auto_downstream(&w.pc, &tb, 2, &t), -1);
	assert_int_equal(w.c.auto_no_route, 2);
	unsigned ok = 0;
	fk.oif = 5;
	for (int i = 0; i < 50; i++)
		ok += proxy_core_auto_downstream(&w.pc, &tb, 2, &t) == 5;
	assert_int_equal(ok, 7); /* what the burst had left: no time passed */
	assert_int_equal(w.c.probe_budget, 50 - ok);
	world_down(&w);
}

/* Routes: autowire or no rule; never for an auto rule's target without a
 * router; failures counted and not marked routed; removal once. */
static void route_install_and_remove(void **state)
{
	(void)state;
	struct world w;
	world_up(&w, 4, 100);
	uint32_t n = 0;
	struct in6_addr t = addr("2001:db8::7");
	struct conf_rule iface_rule = { .method = RULE_IFACE }, auto_rule = { .method = RULE_AUTO };
	struct proxy_session *s = proxy_core_session_new(&w.pc, &n, 4, 0, 0, &t, 3, &w);
	proxy_core_route_install(&w.pc, s, false, &iface_rule); /* autowire off */
	assert_false(s->routed);
	proxy_core_route_install(&w.pc, s, true, &auto_rule); /* the routing table's link */
	assert_false(s->routed);
	fk.add_rc = -EEXIST;
	proxy_core_route_install(&w.pc, s, true, &iface_rule);
	assert_false(s->routed);
	assert_int_equal(w.c.route_errors, 1);
	fk.add_rc = 0;
	proxy_core_route_install(&w.pc, s, true, &iface_rule);
	assert_true(s->routed);
	assert_int_equal(w.c.route_added, 1);
	assert_int_equal(fk.adds, 2);
	s->rule_idx = PROXY_RULE_NONE; /* no rule: routed even without autowire */
	s->routed = false;
	proxy_core_route_install(&w.pc, s, false, NULL);
	assert_true(s->routed);
	proxy_core_route_remove(&w.pc, s);
	proxy_core_route_remove(&w.pc, s);
	assert_false(s->routed);
	assert_int_equal(fk.dels, 1);
	assert_int_equal(w.c.route_removed, 1);
	world_down(&w);
}

/* Reload: the first matching rule decides; a different downstream (method,
 * interface, autovia) is not taken over. */
static void takeover_rule_first_match(void **state)
{
	(void)state;
	struct conf_rule rules[2] = {
		{ .prefix = addr("2001:db8:1::"), .plen = 48, .method = RULE_IFACE, .iface = "eth0" },
		{ .prefix = addr("2001:db8::"), .plen = 32, .method = RULE_AUTO },
	};
	struct conf_proxy np = { .iface = "wlan0", .rules = rules, .n_rules = 2 };
	struct in6_addr in_first = addr("2001:db8:1::5"), in_second = addr("2001:db8:2::5"), none = addr("2001:db9::1");
	struct conf_rule o_eth0 = rules[0], o_eth1 = rules[0], o_auto = rules[1], o_via = rules[0];
	snprintf(o_eth1.iface, sizeof(o_eth1.iface), "eth1");
	o_via.autovia = true;
	assert_int_equal(proxy_takeover_rule(&np, &in_first, &o_eth0), 0);
	assert_int_equal(proxy_takeover_rule(&np, &in_first, &o_eth1), -1);
	assert_int_equal(proxy_takeover_rule(&np, &in_first, &o_via), -1);
	assert_int_equal(proxy_takeover_rule(&np, &in_second, &o_auto), 1);
	assert_int_equal(proxy_takeover_rule(&np, &in_first, &o_auto), -1); /* the first match is an iface rule */
	assert_int_equal(proxy_takeover_rule(&np, &none, &o_auto), -1);
	assert_int_equal(proxy_takeover_rule(&np, &none, NULL), 0);
}

/* The carried session keeps its life and takes the route over; its timer
 * fires at the end of its ttl counted from its last confirmation. */
static void carry_keeps_life_and_route(void **state)
{
	(void)state;
	struct world w;
	world_up(&w, 4, 100);
	uint32_t n = 0;
	struct in6_addr t = addr("2001:db8::8");
	struct proxy_session *old = proxy_core_session_new(&w.pc, &n, 4, 0, 0, &t, 3, &w);
	old->state = PROXY_VALID;
	old->routed = true;
	old->confirmed_ms = 500;
	old->lladdr_len = 6;
	old->lladdr[5] = 0x41;
	struct proxy_session fresh = { 0 };
	proxy_core_carry(&w.pc, &fresh, old, true, true, 1000);
	assert_int_equal(fresh.state, PROXY_VALID);
	assert_true(fresh.routed);
	assert_false(old->routed);
	assert_int_equal(fresh.lladdr[5], 0x41);
	assert_int_equal(fresh.expires_ms, 1500); /* confirmed at 500, ttl 1000 */
	run_for(499);
	assert_int_equal(fk.timers, 0);
	run_for(1);
	assert_int_equal(fk.timers, 1);
	world_down(&w);
}

/* islandctl's views: the keys tests and islandctl read. */
static void dumps_sessions_and_routes(void **state)
{
	(void)state;
	struct world w;
	world_up(&w, 4, 100);
	uint32_t n = 0;
	struct in6_addr t = addr("2001:db8::8");
	struct proxy_session *s = proxy_core_session_new(&w.pc, &n, 4, 0, 0, &t, 0, &w);
	s->routed = true;
	struct ctl_out o;
	struct json j;
	ctl_out_init(&o);
	json_init(&j, &o);
	json_obj(&j);
	json_karr(&j, "sessions");
	proxy_core_dump_sessions(&w.pc, &j);
	json_arr_end(&j);
	json_karr(&j, "routes");
	proxy_core_dump_routes(&w.pc, &j);
	json_arr_end(&j);
	proxy_core_dump_counts(&w.pc, &j);
	json_obj_end(&j);
	json_end(&j);
	assert_non_null(strstr(o.buf, "{\"family\":\"ipv6\",\"proxy\":\"wlan0\",\"target\":\"2001:db8::8\","
	                              "\"state\":\"probing\",\"iface\":\"*\""));
	assert_null(strstr(o.buf, "\"mac\""));
	assert_non_null(strstr(o.buf, "\"dst\":\"2001:db8::8/128\""));
	assert_non_null(strstr(o.buf, "\"via\":null"));
	assert_non_null(strstr(o.buf, "\"sessions\":1,\"dead_targets\":0"));
	ctl_out_free(&o);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_cap_refuses_and_counts),
		cmocka_unit_test(auto_downstream_refusals),
		cmocka_unit_test(route_install_and_remove),
		cmocka_unit_test(takeover_rule_first_match),
		cmocka_unit_test(carry_keeps_life_and_route),
		cmocka_unit_test(dumps_sessions_and_routes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
