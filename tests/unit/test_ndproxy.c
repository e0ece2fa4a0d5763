/* The NDP proxy engine driven through fake I/O: configurations are parsed
 * from text, interfaces come from a fed iftable, packets are nd_msg structs,
 * and every NA/NS/route the engine emits is recorded and checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wire_fixtures.h"

#include "conf/conf.h"
#include "ctl/ctl.h"
#include "ndproxy/ndproxy.h"
#include "proto/mld.h"
#include "proxy/proxy_engine.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "util/loop.h"
#include "util/json.h"
#include "fake_loop.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <string.h>
#include <linux/rtnetlink.h>

#define UP_IF 2   /* wlan0: the proxy interface */
#define DOWN_IF 3 /* eth0: the cluster */
#define DOWN2_IF 4 /* eth1: a second relay downstream */

struct sent_na {
	int ifindex;
	uint8_t halen, l2[16];
	struct in6_addr src, dst, target;
	uint8_t flags;
};
struct sent_ns {
	int ifindex;
	struct in6_addr src, target;
};
struct route_op {
	bool add;
	struct in6_addr target;
	int ifindex;
	bool via;
};

struct fake {
	struct sent_na na[64];
	unsigned n_na;
	struct sent_ns ns[4096];
	unsigned n_ns;
	struct route_op routes[64];
	unsigned n_routes;
	int route_oif;
};

static struct fake fk;

static void fake_send_na(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
                         const struct in6_addr *src, const struct in6_addr *dst,
                         const struct in6_addr *target, uint8_t flags, const struct nd_lladdr *tlla)
{
	assert_true(fk.n_na < 64);
	struct sent_na *n = &fk.na[fk.n_na++];
	n->ifindex = ifindex;
	n->halen = halen;
	memcpy(n->l2, l2dst, halen);
	n->src = *src;
	n->dst = *dst;
	n->target = *target;
	n->flags = flags;
}

static void fake_send_ns(void *ctx, int ifindex, const struct in6_addr *src,
                         const struct in6_addr *target, const struct nd_lladdr *slla)
{
	if (fk.n_ns < 4096)
		fk.ns[fk.n_ns] = (struct sent_ns){ .ifindex = ifindex, .src = *src, .target = *target };
	fk.n_ns++;
}

static int fake_route(bool add, const struct in6_addr *target, int ifindex, const struct in6_addr *via)
{
	assert_true(fk.n_routes < 64);
	fk.routes[fk.n_routes++] = (struct route_op){ .add = add, .target = *target, .ifindex = ifindex, .via = via != NULL };
	return 0;
}
static int fake_route_add(void *ctx, const struct in6_addr *t, int i, const struct in6_addr *v) { return fake_route(true, t, i, v); }
static int fake_route_del(void *ctx, const struct in6_addr *t, int i, const struct in6_addr *v) { return fake_route(false, t, i, v); }
static int fake_route_oif(void *ctx, const struct in6_addr *t) { return fk.route_oif; }

static const struct ndp_ops ops = { .send_na = fake_send_na, .send_ns = fake_send_ns,
	                            .route_add = fake_route_add, .route_del = fake_route_del,
	                            .route_oif = fake_route_oif, .now_ms = fake_now_ms };

/* Solicited-node memberships and raw packets, for the tests that look. */
struct mc_op {
	bool join;
	int ifindex;
	struct in6_addr group;
};
static struct mc_op mc[512];
static unsigned n_mc, n_pkts;
static int fake_join(void *ctx, int ifindex, const struct in6_addr *g)
{
	if (n_mc < 512)
		mc[n_mc] = (struct mc_op){ .join = true, .ifindex = ifindex, .group = *g };
	n_mc++;
	return 0;
}
static void fake_leave(void *ctx, int slot, int ifindex, const struct in6_addr *g)
{
	if (n_mc < 512)
		mc[n_mc] = (struct mc_op){ .join = false, .ifindex = ifindex, .group = *g };
	n_mc++;
}
static void fake_send_pkt(void *ctx, int ifindex, const uint8_t *l2, uint8_t halen, const uint8_t *p, size_t len)
{
	n_pkts++;
}
static const struct ndp_ops mc_ops = { .send_na = fake_send_na, .send_ns = fake_send_ns,
	                               .route_add = fake_route_add, .route_del = fake_route_del,
	                               .route_oif = fake_route_oif, .now_ms = fake_now_ms,
	                               .mcast_join = fake_join, .mcast_leave = fake_leave,
	                               .send_pkt = fake_send_pkt };
static const struct ndp_ops *world_ops = &ops;

struct world {
	struct loop *loop;
	struct iftable *ifs;
	struct conf *conf;
	struct ndp_engine *e;
};

static void add_iface(struct iftable *ifs, int idx, const char *name, const char *ll, uint8_t mac_last)
{
	struct nl_link l = { .ifindex = idx, .flags = IFF_UP | IFF_RUNNING, .type = ARPHRD_ETHER,
	                     .mtu = 1500, .lladdr_len = 6, .lladdr = { 2, 0, 0, 0, 0, mac_last } };
	snprintf(l.name, sizeof(l.name), "%s", name);
	iftable_on_link(ifs, &l, false, NULL, NULL);
	struct nl_addr a = { .ifindex = idx, .family = AF_INET6, .addr = A(ll), .plen = 64, .scope = 253 };
	iftable_on_addr(ifs, &a, false, NULL, NULL);
}

/* What the daemon hands the engine of a netlink neighbour or route. */
static void neigh_event(struct ndp_engine *e, const struct nl_neigh *nn, bool deleted)
{
	struct kneigh n;
	nl_neigh_view(nn, &n);
	ndp_engine_on_neigh(e, &n, deleted);
}

static void route_event(struct ndp_engine *e, const struct nl_route *nr, bool deleted)
{
	struct kroute r;
	nl_route_view(nr, &r);
	ndp_engine_on_route(e, &r, deleted);
}

/* The proxy's links (and eth1 for the relay tests), the engine on `o`. */
static void world_up_ops(struct world *w, const char *text, const struct ndp_ops *o, bool eth1)
{
	memset(&fk, 0, sizeof(fk));
	struct conf_error err;
	if (conf_parse(text, strlen(text), "test.conf", &w->conf, &err) < 0)
		fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	w->loop = fake_loop_reset(1000000);
	w->ifs = iftable_new(16);
	add_iface(w->ifs, UP_IF, "wlan0", "fe80::1", 1);
	add_iface(w->ifs, DOWN_IF, "eth0", "fe80::2", 2);
	if (eth1)
		add_iface(w->ifs, DOWN2_IF, "eth1", "fe80::3", 3);
	w->e = ndp_engine_new(w->loop, w->conf, w->ifs, o);
	assert_non_null(w->e);
}

static void world_up(struct world *w, const char *text)
{
	world_up_ops(w, text, world_ops, false);
}

static void world_down(struct world *w)
{
	ndp_engine_free(w->e);
	iftable_free(w->ifs);
	fake_loop_free();
	conf_free(w->conf);
}

static void solicit(struct world *w, const char *src, const char *target)
{
	struct nd_msg m = { .type = ND_TYPE_NS, .hop_limit = 255, .src = A(src), .target = A(target) };
	nd_solicited_node(&m.target, &m.dst);
	struct pkt_in pin = { .src_ll_len = 6, .src_ll = { 2, 0, 0, 0, 0, 0x99 } };
	if (!IN6_IS_ADDR_UNSPECIFIED(&m.src)) {
		m.slla.len = 6;
		memcpy(m.slla.addr, pin.src_ll, 6);
	}
	ndp_engine_on_nd(w->e, UP_IF, &m, &pin);
}

static void advertise(struct world *w, int ifindex, const char *src, const char *target)
{
	struct nd_msg m = { .type = ND_TYPE_NA, .hop_limit = 255, .src = A(src), .dst = A("fe80::2"),
	                    .target = A(target), .na_flags = ND_NA_FLAG_SOLICITED };
	ndp_engine_on_nd(w->e, ifindex, &m, NULL);
}


/* A listener's report on the downstream link, as mld_parse hands it over. */
static void mld_report(struct world *w, const char *group, bool leave)
{
	struct mld_msg m = { .type = leave ? MLD_TYPE_DONE : MLD_TYPE_REPORT_V1, .version = 1,
	                     .src = A("fe80::41"), .group = A(group) };
	m.dst = m.group;
	ndp_engine_on_mld(w->e, DOWN_IF, &m, MLD_OK);
}

/* RFC 4861 §7.2.8: one membership per solicited-node group, shared by the
 * targets that map to it, joined on the proxy interface, released when the
 * last user goes; groups heard downstream are bounded and expire. */
static void solicited_node_groups_are_shared_and_released(void **state)
{
	struct world w;
	world_ops = &mc_ops;
	n_mc = n_pkts = 0;
	world_up(&w, "proxy wlan0 {\n rule 2001:db8:0:1::5 { static }\n rule 2001:db8:0:2::5 { static }\n"
	             " rule 2001:db8::/64 { static }\n rule 2001:db8:1:0:40::/76 { iface eth0 }\n}\n");
	/* two /128 static targets, one group; the static /64 lists nothing */
	assert_int_equal(n_mc, 1);
	assert_true(mc[0].join);
	assert_int_equal(mc[0].ifindex, UP_IF);
	assert_addr(&mc[0].group, "ff02::1:ff00:5");
	/* a session for a third target of that group: no second join */
	solicit(&w, "fe80::99", "2001:db8:1:0:40::5");
	advertise(&w, DOWN_IF, "fe80::5", "2001:db8:1:0:40::5");
	assert_int_equal(ndp_engine_session_count(w.e), 1);
	assert_int_equal(n_mc, 1);
	/* a listener downstream reports a group no one solicited yet */
	mld_report(&w, "ff02::1:ff00:77", false);
	mld_report(&w, "ff02::1:ff00:77", false);
	mld_report(&w, "ff02::2", false); /* not a solicited-node group */
	assert_int_equal(n_mc, 2);
	assert_true(mc[1].join);
	assert_addr(&mc[1].group, "ff02::1:ff00:77");
	/* it leaves: kept for the last-listener query time, then left */
	mld_report(&w, "ff02::1:ff00:77", true);
	assert_int_equal(n_mc, 2);
	run_for(1999);
	assert_int_equal(n_mc, 2);
	run_for(1); /* the sweep is due 2 s after the leave */
	assert_int_equal(n_mc, 3);
	assert_false(mc[2].join);
	assert_addr(&mc[2].group, "ff02::1:ff00:77");
	assert_true(n_pkts >= 1); /* the address-specific query, the MRD advertisement */
	/* a flood of made-up reports: new groups paid from a bucket, bounded */
	char g[64];
	for (unsigned i = 0; i < 400; i++) {
		snprintf(g, sizeof(g), "ff02::1:ff01:%x", i);
		mld_report(&w, g, false);
	}
	const struct ndp_counters *c = ndp_engine_counters(w.e);
	assert_true(c->groups_budget >= 250);
	assert_true(n_mc - 3 <= 150);
	/* at the end every membership still held is left */
	unsigned joins = 0, leaves = 0;
	world_down(&w);
	for (unsigned i = 0; i < n_mc && i < 512; i++)
		mc[i].join ? joins++ : leaves++;
	assert_int_equal(joins, leaves);
	world_ops = &ops;
}

static const char *ISLAND = "proxy wlan0 {\n autowire yes\n rule 2001:db8:abc:123:40::/76 {\n  iface eth0\n }\n}\n";

static void static_rule_answers_at_once_without_state(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { router no\n rule 2001:db8::/64 { static } }\n");
	solicit(&w, "fe80::99", "2001:db8::5");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(fk.na[0].ifindex, UP_IF);
	assert_addr(&fk.na[0].src, "fe80::1");
	assert_addr(&fk.na[0].dst, "fe80::99");
	assert_addr(&fk.na[0].target, "2001:db8::5");
	assert_int_equal(fk.na[0].flags, ND_NA_FLAG_SOLICITED); /* router no, override never */
	assert_int_equal(fk.na[0].halen, 6);
	assert_int_equal(fk.na[0].l2[5], 0x99);
	assert_int_equal(ndp_engine_session_count(w.e), 0);
	/* outside the rule: nothing */
	solicit(&w, "fe80::99", "2001:db9::5");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(ndp_engine_counters(w.e)->ns_no_rule, 1);
	world_down(&w);
}

static void dad_is_answered_to_all_nodes_without_solicited_flag(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { rule 2001:db8::/64 { static } }\n");
	solicit(&w, "::", "2001:db8::5");
	assert_int_equal(fk.n_na, 1);
	assert_addr(&fk.na[0].dst, "ff02::1");
	assert_int_equal(fk.na[0].flags, ND_NA_FLAG_ROUTER);
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	assert_memory_equal(fk.na[0].l2, all_nodes_mac, 6);
	world_down(&w);
}

static void iface_rule_probes_then_answers_and_routes(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	solicit(&w, "fe80::99", "2001:db8:abc:123:41::1");
	assert_int_equal(fk.n_na, 0); /* not before the target answers */
	assert_int_equal(fk.n_ns, 1);
	assert_int_equal(fk.ns[0].ifindex, DOWN_IF);
	assert_addr(&fk.ns[0].src, "fe80::2");
	/* a second solicitation while probing: remembered, no second probe */
	solicit(&w, "fe80::98", "2001:db8:abc:123:41::1");
	assert_int_equal(fk.n_ns, 1);
	/* an NA on the wrong interface does not count */
	advertise(&w, UP_IF, "fe80::41", "2001:db8:abc:123:41::1");
	assert_int_equal(fk.n_na, 0);
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8:abc:123:41::1");
	assert_int_equal(fk.n_na, 2); /* both waiting solicitors answered */
	assert_int_equal(fk.na[0].flags, ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED);
	assert_int_equal(fk.n_routes, 1);
	assert_true(fk.routes[0].add);
	assert_int_equal(fk.routes[0].ifindex, DOWN_IF);
	assert_false(fk.routes[0].via); /* no autovia */
	/* now answered at once */
	solicit(&w, "fe80::99", "2001:db8:abc:123:41::1");
	assert_int_equal(fk.n_na, 3);
	assert_int_equal(fk.n_ns, 1);
	/* freeing the engine (SIGTERM) removes the route */
	ndp_engine_free(w.e);
	w.e = NULL;
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	iftable_free(w.ifs);
	fake_loop_free();
	conf_free(w.conf);
}

static void kernel_known_neighbour_is_answered_without_probe(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	struct nl_neigh n = { .ifindex = DOWN_IF, .addr = A("2001:db8:abc:123:42::1"), .state = 0x02 /* REACHABLE */ };
	neigh_event(w.e, &n, false);
	assert_int_equal(fk.n_ns, 0); /* events alone send nothing */
	/* at start-up (autowire): a host the kernel knows downstream is probed
	 * at once, so its route is back before the upstream asks */
	ndp_engine_prime(w.e);
	assert_int_equal(fk.n_ns, 1);
	assert_addr(&fk.ns[0].target, "2001:db8:abc:123:42::1");
	solicit(&w, "fe80::99", "2001:db8:abc:123:42::1");
	assert_int_equal(fk.n_na, 1); /* answered on the kernel's word meanwhile */
	assert_int_equal(fk.n_routes, 1);
	/* known on another interface does not count */
	n.ifindex = UP_IF;
	n.addr = A("2001:db8:abc:123:43::1");
	neigh_event(w.e, &n, false);
	solicit(&w, "fe80::99", "2001:db8:abc:123:43::1");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(fk.n_ns, 2); /* probed instead */
	/* a FAILED neighbour is not known */
	n = (struct nl_neigh){ .ifindex = DOWN_IF, .addr = A("2001:db8:abc:123:44::1"), .state = 0x20 /* FAILED */ };
	neigh_event(w.e, &n, false);
	solicit(&w, "fe80::99", "2001:db8:abc:123:44::1");
	assert_int_equal(fk.n_na, 1);
	world_down(&w);
}

static void probe_budget_bounds_a_scan_and_leaves_no_state(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { probe-rate 100\n rule 2001:db8::/64 { iface eth0 } }\n");
	struct nl_neigh n = { .ifindex = DOWN_IF, .addr = A("2001:db8::42"), .state = 0x80 /* PERMANENT */ };
	neigh_event(w.e, &n, false);
	char t[64];
	/* 10,000 distinct targets at one instant: at most the burst is probed */
	for (int i = 0; i < 10000; i++) {
		snprintf(t, sizeof(t), "2001:db8::1:%x", i);
		solicit(&w, "fe80::99", t);
	}
	assert_in_range(fk.n_ns, 1, 100);
	assert_int_equal(ndp_engine_session_count(w.e), fk.n_ns);
	assert_int_equal(ndp_engine_counters(w.e)->probe_budget, 10000 - fk.n_ns);
	/* a known host is still answered in the middle of the flood */
	solicit(&w, "fe80::99", "2001:db8::42");
	assert_int_equal(fk.n_na, 1);
	/* one second later, at most 100 more */
	run_for(1000); /* the first probes' retries go out meanwhile */
	unsigned before = fk.n_ns;
	for (int i = 10000; i < 20000; i++) {
		snprintf(t, sizeof(t), "2001:db8::1:%x", i);
		solicit(&w, "fe80::99", t);
	}
	assert_in_range(fk.n_ns - before, 1, 100);
	/* a steady flood, one NS a millisecond: no one-second window holds
	 * more than probe-rate probes, retries included */
	run_for(5000);
	unsigned window_start = fk.n_ns;
	for (int i = 0; i < 3000; i++) {
		run_for(1);
		snprintf(t, sizeof(t), "2001:db8::2:%x", i);
		solicit(&w, "fe80::99", t);
		if (i == 999 || i == 1999 || i == 2999) {
			assert_in_range(fk.n_ns - window_start, 1, 100);
			window_start = fk.n_ns;
		}
	}
	world_down(&w);
}

static void session_cap_refuses_new_targets_keeps_live_ones(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { max-sessions 4\n probe-rate 1000\n rule 2001:db8::/64 { iface eth0 } }\n");
	solicit(&w, "fe80::99", "2001:db8::1");
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8::1"); /* live */
	for (int i = 2; i <= 4; i++) {
		char t[64];
		snprintf(t, sizeof(t), "2001:db8::%d", i);
		solicit(&w, "fe80::99", t);
	}
	assert_int_equal(ndp_engine_session_count(w.e), 4);
	solicit(&w, "fe80::99", "2001:db8::5");
	/* full and nothing dead yet: refused */
	assert_int_equal(ndp_engine_counters(w.e)->sessions_full, 1);
	assert_int_equal(ndp_engine_session_count(w.e), 4);
	world_down(&w);
}


/* One view of the engine as the daemon sends it: {"sessions":[...]},
 * {"routes":[...]}, or the counters {...} when key is NULL. */
static void dump_json(struct ctl_out *o, const struct ndp_engine *e, const char *key)
{
	struct json j;
	ctl_out_init(o);
	json_init(&j, o);
	json_obj(&j);
	if (key)
		json_karr(&j, key);
	if (!key)
		ndp_engine_dump_counters(e, &j);
	else if (strcmp(key, "sessions") == 0)
		proxy_core_dump_sessions(ndp_engine_core(e), &j);
	else
		proxy_core_dump_routes(ndp_engine_core(e), &j);
	if (key)
		json_arr_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static void dump_lists_sessions_as_json(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	solicit(&w, "fe80::99", "2001:db8:abc:123:41::1");
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8:abc:123:41::1");
	struct ctl_out o;
	dump_json(&o, w.e, "sessions");
	assert_non_null(strstr(o.buf, "{\"sessions\":[{\"family\":\"ipv6\""));
	assert_non_null(strstr(o.buf, "\"target\":\"2001:db8:abc:123:41::1\""));
	assert_non_null(strstr(o.buf, "\"state\":\"valid\""));
	assert_non_null(strstr(o.buf, "\"iface\":\"eth0\""));
	ctl_out_free(&o);
	dump_json(&o, w.e, "routes");
	assert_non_null(strstr(o.buf, "\"dst\":\"2001:db8:abc:123:41::1/128\""));
	ctl_out_free(&o);
	world_down(&w);
}

static void reload_keeps_sessions_the_new_config_covers(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	solicit(&w, "fe80::99", "2001:db8:abc:123:41::1");
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8:abc:123:41::1");
	assert_int_equal(fk.n_routes, 1);
	struct conf *c2;
	struct conf_error err;
	const char *same = "proxy wlan0 { autowire yes\n ttl 60000\n rule 2001:db8:abc:123:40::/76 { iface eth0 } }\n";
	assert_int_equal(conf_parse(same, strlen(same), "t2", &c2, &err), 0);
	struct ndp_engine *e2 = ndp_engine_new(w.loop, c2, w.ifs, &ops);
	ndp_engine_take_over(e2, w.e);
	w.e = e2;
	assert_int_equal(fk.n_routes, 1); /* route kept, not removed and re-added */
	assert_int_equal(ndp_engine_session_count(e2), 1);
	assert_int_equal(ndp_engine_counters(e2)->tx_na, 1); /* counters survive a reload */
	solicit(&w, "fe80::99", "2001:db8:abc:123:41::1");
	assert_int_equal(fk.n_na, 2);
	/* a config without the rule drops the session and its route */
	struct conf *c3;
	const char *other = "proxy wlan0 { rule 2001:db8:ffff::/64 { static } }\n";
	assert_int_equal(conf_parse(other, strlen(other), "t3", &c3, &err), 0);
	struct ndp_engine *e3 = ndp_engine_new(w.loop, c3, w.ifs, &ops);
	ndp_engine_take_over(e3, w.e);
	w.e = e3;
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	assert_int_equal(ndp_engine_session_count(e3), 0);
	conf_free(w.conf);
	conf_free(c2);
	w.conf = c3;
	world_down(&w);
}

static void learned_host_is_answered_and_routed(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { rule 2001:db8:ffff::/64 { static } }\n");
	struct in6_addr h = A("2001:db8::77");
	ndp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, false);
	assert_int_equal(fk.n_routes, 1);
	solicit(&w, "fe80::99", "2001:db8::77");
	assert_int_equal(fk.n_na, 1);
	ndp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, true);
	assert_int_equal(fk.n_routes, 2);
	solicit(&w, "fe80::99", "2001:db8::77");
	assert_int_equal(fk.n_na, 1);
	world_down(&w);
}

static void relay_upstream_answers_learned_hosts_without_a_proxy_block(void **state)
{
	struct world w;
	world_up(&w, "ra-relay wlan0 { iface eth0 }\n");
	struct in6_addr h = A("2001:db8::78");
	solicit(&w, "fe80::99", "2001:db8::78");
	assert_int_equal(fk.n_na, 0); /* not learned yet: silent */
	ndp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, false);
	solicit(&w, "fe80::99", "2001:db8::78");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(fk.na[0].flags, ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED);
	world_down(&w);
}

static void own_address_left_to_the_kernel(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { rule ::/0 { static } }\n");
	solicit(&w, "fe80::99", "fe80::1");
	assert_int_equal(fk.n_na, 0);
	assert_int_equal(ndp_engine_counters(w.e)->ns_own_address, 1);
	world_down(&w);
}

/* The engine's timers and its token buckets share the fake loop's clock. */
static void unanswered_target_goes_dead_then_is_reprobed(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { timeout 10\n retries 1\n ttl 50\n deadtime 5000\n rule 2001:db8::/64 { iface eth0 } }\n");
	solicit(&w, "fe80::99", "2001:db8::9");
	assert_int_equal(fk.n_ns, 1);
	/* retries are a second apart (RFC 4861 RetransTimer) even with timeout 10 */
	run_for(1049);
	assert_int_equal(fk.n_ns, 1);
	run_for(1);
	assert_int_equal(fk.n_ns, 2); /* one retry, 1050 ms after the probe */
	assert_int_equal(ndp_engine_session_count(w.e), 1);
	run_for(9);
	assert_int_equal(ndp_engine_session_count(w.e), 1);
	run_for(1); /* `timeout 10` after the retry: dead */
	assert_int_equal(fk.n_na, 0);
	/* dead targets hold no session, only a dead-cache entry */
	assert_int_equal(ndp_engine_session_count(w.e), 0);
	struct ctl_out o;
	dump_json(&o, w.e, NULL);
	assert_non_null(strstr(o.buf, "\"dead_targets\":1"));
	ctl_out_free(&o);
	/* within the hold: silent, no probe */
	solicit(&w, "fe80::99", "2001:db8::9");
	assert_int_equal(fk.n_ns, 2);
	/* after the hold the next solicitation probes again: one lost NA does not black-hole */
	run_for(2000);
	solicit(&w, "fe80::99", "2001:db8::9");
	assert_int_equal(fk.n_ns, 3);
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8::9");
	assert_int_equal(fk.n_na, 1);
	world_down(&w);
}

static void valid_target_that_stops_answering_is_dropped(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { autowire yes\n timeout 10\n retries 1\n ttl 30\n rule 2001:db8::/64 { iface eth0 } }\n");
	solicit(&w, "fe80::99", "2001:db8::9");
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8::9");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(fk.n_routes, 1);
	run_for(1200);
	/* keepalive re-probed (twice: probe + retry), no answer: route gone, not answered */
	assert_int_equal(fk.n_ns, 3);
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	solicit(&w, "fe80::99", "2001:db8::9");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(ndp_engine_counters(w.e)->target_lost, 1);
	world_down(&w);
}

static void auto_rule_follows_the_routing_table(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { rule 2001:db8::/64 { auto } }\n");
	fk.route_oif = UP_IF; /* routed back out the proxy interface: never answered */
	solicit(&w, "fe80::99", "2001:db8::1");
	assert_int_equal(fk.n_ns, 0);
	assert_int_equal(ndp_engine_counters(w.e)->auto_no_route, 1);
	fk.route_oif = DOWN_IF;
	solicit(&w, "fe80::99", "2001:db8::2");
	assert_int_equal(fk.n_ns, 1);
	assert_int_equal(fk.ns[0].ifindex, DOWN_IF);
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8::2");
	assert_int_equal(fk.n_na, 1);
	world_down(&w);
}

static void stale_kernel_entry_does_not_revive_a_host_that_left(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { timeout 10\n retries 0\n ttl 20\n rule 2001:db8::/64 { iface eth0 } }\n");
	struct nl_neigh n = { .ifindex = DOWN_IF, .addr = A("2001:db8::42"), .state = 0x04 /* STALE */ };
	neigh_event(w.e, &n, false);
	solicit(&w, "fe80::99", "2001:db8::42");
	assert_int_equal(fk.n_na, 1); /* known to the kernel: answered at once */
	run_for(80); /* ttl ends, the keepalive probe goes unanswered */
	assert_int_equal(ndp_engine_counters(w.e)->target_lost, 1);
	run_for(2000); /* past the hold */
	solicit(&w, "fe80::99", "2001:db8::42");
	solicit(&w, "::", "2001:db8::42");
	assert_int_equal(fk.n_na, 1); /* the STALE entry no longer answers for it */
	world_down(&w);
}

static void auto_session_dropped_when_its_route_moves(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { autowire yes\n rule 2001:db8::/64 { auto } }\n");
	fk.route_oif = DOWN_IF;
	solicit(&w, "fe80::99", "2001:db8::2");
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8::2");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(fk.n_routes, 0); /* auto: the kernel's route already leads there */
	struct nl_route r = { .dst = A("2001:db8::"), .plen = 64, .protocol = 4 /* static */, .oif = DOWN_IF };
	route_event(w.e, &r, false); /* unchanged decision: kept */
	solicit(&w, "fe80::99", "2001:db8::2");
	assert_int_equal(fk.n_na, 2);
	fk.route_oif = UP_IF; /* the route was deleted: now it leads back upstream */
	route_event(w.e, &r, true);
	solicit(&w, "fe80::99", "2001:db8::2");
	assert_int_equal(fk.n_na, 2);
	world_down(&w);
}

/* Issue 13: a /128 of ours deleted by someone else while its session is
 * valid goes back at once, counted; other deletions change nothing. */
static void deleted_route_of_a_live_session_is_restored(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	solicit(&w, "fe80::99", "2001:db8:abc:123:41::1");
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8:abc:123:41::1");
	assert_int_equal(fk.n_routes, 1);
	struct nl_route r = { .dst = A("2001:db8:abc:123:41::1"), .plen = 128, .protocol = ISLANDD_RTPROT,
	                      .table = RT_TABLE_MAIN, .oif = DOWN_IF };
	route_event(w.e, &r, false); /* our own add echoed: nothing */
	assert_int_equal(fk.n_routes, 1);
	route_event(w.e, &r, true);
	assert_int_equal(fk.n_routes, 2);
	assert_true(fk.routes[1].add);
	assert_addr(&fk.routes[1].target, "2001:db8:abc:123:41::1");
	assert_int_equal(fk.routes[1].ifindex, DOWN_IF);
	assert_int_equal(ndp_engine_counters(w.e)->route_restored, 1);
	/* not ours: another target, another interface, another table */
	struct nl_route other = r;
	other.dst = A("2001:db8:abc:123:42::1");
	route_event(w.e, &other, true);
	other = r;
	other.oif = UP_IF;
	route_event(w.e, &other, true);
	other = r;
	other.table = 100;
	route_event(w.e, &other, true);
	assert_int_equal(fk.n_routes, 2);
	assert_int_equal(ndp_engine_counters(w.e)->route_restored, 1);
	world_down(&w);
}

/* ---- relay discovery (issue 12 item 1) and answer-from (item 3) ---- */


/* The RA engine's part, faked: 2001:db8::/64 is relayed from wlan0 to eth0 and eth1. */
static unsigned fake_relay_links(void *ctx, int up, const struct in6_addr *t, int *links, unsigned max)
{
	struct in6_addr p = A("2001:db8::");
	if (up != UP_IF || memcmp(t, &p, 8) != 0 || max < 2)
		return 0;
	links[0] = DOWN_IF;
	links[1] = DOWN2_IF;
	return 2;
}

static void relay_world_up(struct world *w, const char *text)
{
	static struct ndp_ops relay_ops;
	relay_ops = ops;
	relay_ops.relay_links = fake_relay_links;
	world_up_ops(w, text, &relay_ops, true);
}

static void relay_unknown_host_is_probed_everywhere_answered_and_routed(void **state)
{
	struct world w;
	relay_world_up(&w, "ra-relay wlan0 { iface eth0; iface eth1 }\n");
	solicit(&w, "fe80::99", "2001:db8::5");
	/* not known: one probe on each downstream, nothing answered yet */
	assert_int_equal(fk.n_ns, 2);
	assert_int_equal(fk.ns[0].ifindex, DOWN_IF);
	assert_addr(&fk.ns[0].src, "fe80::2");
	assert_int_equal(fk.ns[1].ifindex, DOWN2_IF);
	assert_addr(&fk.ns[1].src, "fe80::3");
	assert_addr(&fk.ns[1].target, "2001:db8::5");
	assert_int_equal(fk.n_na, 0);
	assert_int_equal(ndp_engine_counters(w.e)->relay_probed, 1);
	/* an NA heard upstream proves nothing about the downstreams */
	advertise(&w, UP_IF, "fe80::55", "2001:db8::5");
	assert_int_equal(fk.n_na, 0);
	/* the host answers behind eth1: the waiting solicitor is answered, the host routed there */
	advertise(&w, DOWN2_IF, "fe80::41", "2001:db8::5");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(fk.na[0].ifindex, UP_IF);
	assert_addr(&fk.na[0].src, "fe80::1");
	assert_addr(&fk.na[0].dst, "fe80::99");
	assert_int_equal(fk.na[0].flags, ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED);
	assert_int_equal(fk.n_routes, 1);
	assert_true(fk.routes[0].add);
	assert_int_equal(fk.routes[0].ifindex, DOWN2_IF);
	assert_addr(&fk.routes[0].target, "2001:db8::5");
	assert_int_equal(ndp_engine_counters(w.e)->relay_discovered, 1);
	/* from now on answered at once, no probe */
	solicit(&w, "fe80::98", "2001:db8::5");
	assert_int_equal(fk.n_na, 2);
	assert_int_equal(fk.n_ns, 2);
	/* DAD from upstream for it: defended, to all-nodes */
	solicit(&w, "::", "2001:db8::5");
	assert_int_equal(fk.n_na, 3);
	assert_addr(&fk.na[2].dst, "ff02::1");
	/* outside the relayed prefix: no rule, no probe */
	solicit(&w, "fe80::99", "2001:db9::5");
	assert_int_equal(fk.n_ns, 2);
	assert_int_equal(ndp_engine_counters(w.e)->ns_no_rule, 1);
	/* freeing the engine removes the route */
	ndp_engine_free(w.e);
	w.e = NULL;
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	iftable_free(w.ifs);
	fake_loop_free();
	conf_free(w.conf);
}

static void relay_host_known_to_the_kernel_is_answered_without_probe(void **state)
{
	struct world w;
	relay_world_up(&w, "ra-relay wlan0 { iface eth0; iface eth1 }\n");
	struct nl_neigh n = { .ifindex = DOWN_IF, .addr = A("2001:db8::42"), .state = 0x02 /* REACHABLE */ };
	neigh_event(w.e, &n, false);
	solicit(&w, "fe80::99", "2001:db8::42");
	assert_int_equal(fk.n_ns, 0);
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(fk.n_routes, 1);
	assert_int_equal(fk.routes[0].ifindex, DOWN_IF);
	world_down(&w);
}

static void relay_host_learned_while_probed_answers_the_waiting(void **state)
{
	struct world w;
	relay_world_up(&w, "ra-relay wlan0 { iface eth0; iface eth1 }\n");
	solicit(&w, "fe80::99", "2001:db8::6");
	assert_int_equal(fk.n_ns, 2);
	/* the relay saw the host's answer first (its engine runs after ours
	 * for NAs, but a DAD probe or a kernel event can come first) */
	struct in6_addr h = A("2001:db8::6");
	ndp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, false);
	assert_int_equal(fk.n_na, 1);
	assert_addr(&fk.na[0].dst, "fe80::99");
	assert_int_equal(fk.n_routes, 1);
	world_down(&w);
}

static void relay_scan_is_budgeted_per_link_and_leaves_no_state(void **state)
{
	struct world w;
	relay_world_up(&w, "ra-relay wlan0 { iface eth0; iface eth1 }\n");
	struct in6_addr h = A("2001:db8::77");
	ndp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, false);
	char t[64];
	for (int i = 0; i < 10000; i++) {
		snprintf(t, sizeof(t), "2001:db8::1:%x", i);
		solicit(&w, "fe80::99", t);
	}
	/* the implicit proxy's probe-rate is 100/s: each link's burst, no more */
	unsigned per_link[8] = { 0 };
	for (unsigned i = 0; i < fk.n_ns && i < 4096; i++)
		per_link[fk.ns[i].ifindex & 7]++;
	assert_in_range(per_link[DOWN_IF], 1, 100);
	assert_in_range(per_link[DOWN2_IF], 1, 100);
	/* a session per probed target, one for the learned host; the rest refused */
	unsigned probed = (unsigned)ndp_engine_counters(w.e)->relay_probed;
	assert_int_equal(ndp_engine_session_count(w.e), probed + 1);
	assert_int_equal(ndp_engine_counters(w.e)->probe_budget, 10000 - probed);
	/* the learned host is answered in the middle of it */
	solicit(&w, "fe80::99", "2001:db8::77");
	assert_int_equal(fk.n_na, 1);
	world_down(&w);
}

static void relay_unanswered_target_goes_dead(void **state)
{
	struct world w;
	relay_world_up(&w, "ra-relay wlan0 { iface eth0; iface eth1 }\n");
	solicit(&w, "fe80::99", "2001:db8::9");
	assert_int_equal(fk.n_ns, 2);
	/* the implicit proxy: 3 retries a second apart, then dead */
	run_for(3800);
	assert_int_equal(fk.n_ns, 8);
	assert_int_equal(fk.n_na, 0);
	assert_int_equal(fk.n_routes, 0);
	assert_int_equal(ndp_engine_session_count(w.e), 0);
	/* within the hold: silent, no probe */
	solicit(&w, "fe80::99", "2001:db8::9");
	assert_int_equal(fk.n_ns, 8);
	assert_int_equal(ndp_engine_counters(w.e)->ns_dead_target, 1);
	world_down(&w);
}

static void answer_from_target_sends_from_the_target(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 { answer-from target\n rule 2001:db8::/64 { static } }\n");
	solicit(&w, "fe80::99", "2001:db8::5");
	solicit(&w, "::", "2001:db8::6");
	assert_int_equal(fk.n_na, 2);
	assert_addr(&fk.na[0].src, "2001:db8::5");
	assert_addr(&fk.na[0].dst, "fe80::99");
	assert_addr(&fk.na[1].src, "2001:db8::6");
	assert_addr(&fk.na[1].dst, "ff02::1");
	world_down(&w);
	/* an ra-relay's setting reaches the answers for its hosts */
	relay_world_up(&w, "ra-relay wlan0 { iface eth0; answer-from target }\n");
	solicit(&w, "fe80::99", "2001:db8::7");
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8::7");
	assert_int_equal(fk.n_na, 1);
	assert_addr(&fk.na[0].src, "2001:db8::7");
	world_down(&w);
}

/* What the daemon does with an interface-table change: tell the engine. */
static void engine_iface_changed(void *ctx, const struct iface *ifc, unsigned changes)
{
	ndp_engine_on_iface(ctx, ifc, changes);
}

/* `iface br-*`: a new target is probed on every interface the pattern
 * covers now (each from its own link-local address), bound to the one it
 * answers on and routed there; a bridge that appears later is covered, one
 * that goes takes its sessions with it; eth0 is not covered. */
static void iface_pattern_probes_every_match_and_follows_links(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 {\n autowire yes\n rule 2001:db8::/64 {\n  iface br-*\n }\n}\n");
	add_iface(w.ifs, 5, "br-1234", "fe80::5", 5);
	ndp_engine_on_iface(w.e, iftable_by_index(w.ifs, 5), IFACE_NEW);
	add_iface(w.ifs, 6, "br-5678", "fe80::6", 6);
	ndp_engine_on_iface(w.e, iftable_by_index(w.ifs, 6), IFACE_NEW);
	uint32_t types = 0;
	bool am = false, pr = false;
	assert_true(ndp_engine_wants_iface(w.e, "br-1234", &types, &am, &pr));
	assert_false(ndp_engine_wants_iface(w.e, "eth0", &types, &am, &pr));

	solicit(&w, "fe80::99", "2001:db8::5");
	assert_int_equal(fk.n_ns, 2); /* one probe on each bridge, none on eth0 */
	int a = fk.ns[0].ifindex, b = fk.ns[1].ifindex;
	assert_true((a == 5 && b == 6) || (a == 6 && b == 5));
	assert_addr(&fk.ns[a == 5 ? 0 : 1].src, "fe80::5");
	assert_int_equal(fk.n_na, 0);
	advertise(&w, DOWN_IF, "fe80::41", "2001:db8::5"); /* eth0 is not covered */
	assert_int_equal(fk.n_na, 0);
	advertise(&w, 6, "fe80::41", "2001:db8::5");
	assert_int_equal(fk.n_na, 1);
	assert_int_equal(fk.n_routes, 1);
	assert_int_equal(fk.routes[0].ifindex, 6);
	solicit(&w, "fe80::99", "2001:db8::5"); /* answered at once now */
	assert_int_equal(fk.n_na, 2);
	assert_int_equal(fk.n_ns, 2);

	/* br-5678 deleted: its host is lost, the route went with the link */
	struct nl_link l = { .ifindex = 6, .flags = IFF_UP | IFF_RUNNING };
	snprintf(l.name, sizeof(l.name), "br-5678");
	iftable_on_link(w.ifs, &l, true, engine_iface_changed, w.e);
	assert_int_equal(ndp_engine_session_count(w.e), 0);
	solicit(&w, "fe80::99", "2001:db8::7"); /* new target after the hold: br-1234 only */
	assert_int_equal(fk.n_ns, 3);
	assert_int_equal(fk.ns[2].ifindex, 5);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(static_rule_answers_at_once_without_state),
		cmocka_unit_test(dad_is_answered_to_all_nodes_without_solicited_flag),
		cmocka_unit_test(iface_rule_probes_then_answers_and_routes),
		cmocka_unit_test(kernel_known_neighbour_is_answered_without_probe),
		cmocka_unit_test(probe_budget_bounds_a_scan_and_leaves_no_state),
		cmocka_unit_test(session_cap_refuses_new_targets_keeps_live_ones),
		cmocka_unit_test(dump_lists_sessions_as_json),
		cmocka_unit_test(reload_keeps_sessions_the_new_config_covers),
		cmocka_unit_test(learned_host_is_answered_and_routed),
		cmocka_unit_test(relay_upstream_answers_learned_hosts_without_a_proxy_block),
		cmocka_unit_test(own_address_left_to_the_kernel),
		cmocka_unit_test(unanswered_target_goes_dead_then_is_reprobed),
		cmocka_unit_test(valid_target_that_stops_answering_is_dropped),
		cmocka_unit_test(auto_rule_follows_the_routing_table),
		cmocka_unit_test(stale_kernel_entry_does_not_revive_a_host_that_left),
		cmocka_unit_test(auto_session_dropped_when_its_route_moves),
		cmocka_unit_test(deleted_route_of_a_live_session_is_restored),
		cmocka_unit_test(relay_unknown_host_is_probed_everywhere_answered_and_routed),
		cmocka_unit_test(relay_host_known_to_the_kernel_is_answered_without_probe),
		cmocka_unit_test(relay_host_learned_while_probed_answers_the_waiting),
		cmocka_unit_test(relay_scan_is_budgeted_per_link_and_leaves_no_state),
		cmocka_unit_test(relay_unanswered_target_goes_dead),
		cmocka_unit_test(answer_from_target_sends_from_the_target),
		cmocka_unit_test(iface_pattern_probes_every_match_and_follows_links),
		cmocka_unit_test(solicited_node_groups_are_shared_and_released),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
