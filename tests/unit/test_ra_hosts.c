/* RA relay mode: hosts learned behind the downstreams, DAD carried across
 * the links, forgetting, bounds, and state kept across a reload. */
#include "test_ra_harness.h"

static const uint8_t host_mac[6] = { 0x02, 0xbb, 0, 0, 0, 0x07 };
static const uint8_t upstream_host_mac[6] = { 0x02, 0xdd, 0, 0, 0, 0x01 };
static const uint8_t nonce[6] = { 1, 2, 3, 4, 5, 6 };

#define PFX "2001:db8:abc:123::"
#define HOST "2001:db8:abc:123::41"

static struct ra_engine *relay_with_prefix(uint32_t valid)
{
	harness_reset();
	struct ra_engine *e = ra_engine_new(fake_loop, relay_config("wlan0", "eth0", "eth1", true), ifs, &fake_ops);
	assert_non_null(e);
	struct nd_ra ra = upstream_ra(PFX, 1800);
	ra.prefixes[0].valid_lifetime = valid;
	ra.prefixes[0].preferred_lifetime = valid < 14400 ? valid : 14400;
	send_ra_from(e, IF_WLAN0, "fe80::1", &ra, router_mac);
	run_for(60000);
	n_tx = 0;
	return e;
}

static unsigned host_events(const char *addr, bool gone, int down)
{
	struct in6_addr a = addr6(addr);
	unsigned n = 0;
	for (unsigned i = 0; i < n_hostev; i++)
		if (!memcmp(&hostevs[i].addr, &a, 16) && hostevs[i].gone == gone && (!down || hostevs[i].down == down))
			n++;
	return n;
}

static void test_dad_carried_and_learned(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	send_dad(e, IF_ETH0, HOST, nonce, host_mac);
	/* carried to the upstream and the other downstream, never back */
	int up = tx_find(0, IF_WLAN0, ND_TYPE_NS);
	assert_true(up >= 0);
	assert_true(tx_find(0, IF_ETH1, ND_TYPE_NS) >= 0);
	assert_int_equal(tx_count(0, IF_ETH0, ND_TYPE_NS), 0);
	struct nd_msg m = tx_msg((unsigned)up);
	struct in6_addr t = addr6(HOST), snm, unspec = addr6("::");
	nd_solicited_node(&t, &snm);
	assert_memory_equal(&m.src, &unspec, 16);
	assert_memory_equal(&m.dst, &snm, 16);
	assert_memory_equal(&m.target, &t, 16);
	assert_true(m.has_nonce);
	assert_int_equal(m.nonce_len, 6);
	assert_memory_equal(m.nonce, nonce, 6);
	assert_int_equal(m.slla.len, 0);
	uint8_t mac[6];
	nd_mcast_mac(&snm, mac);
	assert_memory_equal(txs[up].l2, mac, 6);
	/* tentative: not reported until no defence came */
	assert_int_equal(n_hostev, 0);
	run_for(1000);
	assert_int_equal(n_hostev, 0);
	run_for(1000);
	assert_int_equal(host_events(HOST, false, IF_ETH0), 1);
	assert_int_equal(hostevs[0].up, IF_WLAN0);
	assert_int_equal(hostevs[0].ll.len, 6);
	assert_memory_equal(hostevs[0].ll.addr, host_mac, 6);
	/* a probe outside the relayed prefixes is neither carried nor learned */
	unsigned before = n_tx;
	send_dad(e, IF_ETH0, "2001:db8:ffff::1", nonce, host_mac);
	run_for(3000);
	assert_int_equal(n_tx, before);
	assert_int_equal(n_hostev, 1);
	ra_engine_free(e);
}

static void test_dad_defended_upstream(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	send_dad(e, IF_ETH0, HOST, nonce, host_mac);
	/* the laptop upstream owns the address and defends it */
	send_na(e, IF_WLAN0, HOST, "ff02::1", HOST, ND_NA_FLAG_OVERRIDE, upstream_host_mac);
	int i = tx_find(0, IF_ETH0, ND_TYPE_NA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	struct in6_addr t = addr6(HOST), all = addr6("ff02::1"), ll = addr6("fe80::3");
	assert_memory_equal(&m.target, &t, 16);
	assert_memory_equal(&m.dst, &all, 16);
	assert_memory_equal(&m.src, &ll, 16);
	assert_int_equal(m.na_flags & ND_NA_FLAG_SOLICITED, 0);
	assert_int_equal(ra_engine_counters(e)->dad_defended, 1);
	/* the prober's DAD failed: never learned */
	run_for(5000);
	assert_int_equal(n_hostev, 0);
	ra_engine_free(e);
}

static void test_dad_no_echo(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	send_dad(e, IF_ETH0, HOST, nonce, host_mac);
	unsigned before = n_tx;
	/* our carried probe comes back on the upstream (a bridged loop) */
	send_dad(e, IF_WLAN0, HOST, nonce, upstream_host_mac);
	assert_int_equal(ra_engine_counters(e)->dad_echo, 1);
	assert_int_equal(tx_count(before, IF_ETH0, ND_TYPE_NS), 0);
	/* a second prober upstream (another nonce) reaches the first one's link */
	static const uint8_t other[6] = { 9, 9, 9, 9, 9, 9 };
	send_dad(e, IF_WLAN0, HOST, other, upstream_host_mac);
	int i = tx_find(before, IF_ETH0, ND_TYPE_NS);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_memory_equal(m.nonce, other, 6);
	ra_engine_free(e);
}

static void test_dad_flood_bounded(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	char a[64];
	for (int k = 0; k < 5000; k++) {
		snprintf(a, sizeof(a), PFX "%x", 0x1000 + k);
		send_dad(e, IF_ETH0, a, nonce, host_mac);
		if (k % 50 == 0)
			run_for(100);
	}
	/* 20 per second (burst 40) over ~10 s, per relay */
	unsigned carried = tx_count(0, IF_WLAN0, ND_TYPE_NS);
	assert_true(carried <= 40 + 20 * 11);
	assert_true(ra_engine_counters(e)->dad_rate_limited > 0);
	run_for(10000);
	/* tentative entries are confirmed but the table never passes its cap */
	assert_true(ra_engine_counters(e)->hosts_learned <= 1024);
	ra_engine_free(e);
}

static void test_host_cap(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	char a[64];
	for (int k = 0; k < 1030; k++) {
		snprintf(a, sizeof(a), PFX "%x", 0x1000 + k);
		neigh_event(e, IF_ETH0, a, NUD_REACHABLE, false);
	}
	assert_int_equal(ra_engine_counters(e)->hosts_learned, 1024);
	assert_int_equal(ra_engine_counters(e)->hosts_over_cap, 6);
	/* the other downstream has its own quota */
	neigh_event(e, IF_ETH1, PFX "9999", NUD_REACHABLE, false);
	assert_int_equal(ra_engine_counters(e)->hosts_learned, 1025);
	ra_engine_free(e);
}

static void test_neigh_learn_and_forget(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	neigh_event(e, IF_ETH0, HOST, NUD_INCOMPLETE, false);
	assert_int_equal(n_hostev, 0);
	neigh_event(e, IF_ETH0, "fe80::41", NUD_REACHABLE, false);
	assert_int_equal(n_hostev, 0); /* link-local: nothing to route */
	neigh_event(e, IF_ETH0, HOST, NUD_REACHABLE, false);
	assert_int_equal(host_events(HOST, false, IF_ETH0), 1);
	neigh_event(e, IF_ETH0, HOST, NUD_STALE, false);
	assert_int_equal(n_hostev, 1); /* no repeat */
	/* FAILED: probed first; silent, so gone after three probes */
	n_tx = 0;
	neigh_event(e, IF_ETH0, HOST, NUD_FAILED, false);
	assert_int_equal(host_events(HOST, true, IF_ETH0), 0);
	run_for(10000);
	assert_int_equal(tx_count(0, IF_ETH0, ND_TYPE_NS), 3);
	assert_int_equal(host_events(HOST, true, IF_ETH0), 1);

	/* deleted by the kernel: we ask the host ourselves before forgetting */
	neigh_event(e, IF_ETH0, HOST, NUD_STALE, false);
	n_tx = 0;
	neigh_event(e, IF_ETH0, HOST, NUD_STALE, true);
	run_for(10);
	int i = tx_find(0, IF_ETH0, ND_TYPE_NS);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	struct in6_addr t = addr6(HOST), ll = addr6("fe80::3");
	assert_memory_equal(&m.target, &t, 16);
	assert_memory_equal(&m.src, &ll, 16);
	assert_int_equal(m.slla.len, 6);
	/* it answers: kept */
	send_na(e, IF_ETH0, HOST, "fe80::3", HOST, ND_NA_FLAG_SOLICITED, host_mac);
	run_for(10000);
	assert_int_equal(host_events(HOST, true, 0), 1);
	/* deleted again, silent this time: three probes, then gone */
	n_tx = 0;
	neigh_event(e, IF_ETH0, HOST, NUD_STALE, true);
	run_for(10000);
	assert_int_equal(tx_count(0, IF_ETH0, ND_TYPE_NS), 3);
	assert_int_equal(host_events(HOST, true, 0), 2);
	ra_engine_free(e);
}

static void test_na_and_ns_learn(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	send_na(e, IF_ETH0, HOST, "ff02::1", HOST, ND_NA_FLAG_OVERRIDE, host_mac);
	assert_int_equal(host_events(HOST, false, IF_ETH0), 1);
	/* a host resolving the gateway from its global address */
	uint8_t pkt[ND_PACKET_MAX];
	struct in6_addr s = addr6(PFX "42"), t = addr6("fe80::3"), d;
	nd_solicited_node(&t, &d);
	struct nd_lladdr ll = { .len = 6, .addr = { 2, 0x42, 0, 0, 0, 1 } };
	size_t len = nd_build_ns(pkt, sizeof(pkt), &s, &d, &t, &ll, NULL, 0);
	deliver(e, IF_ETH0, pkt, len, ll.addr);
	assert_int_equal(host_events(PFX "42", false, IF_ETH0), 1);
	/* the same host shows up behind eth1: moved */
	send_na(e, IF_ETH1, PFX "42", "ff02::1", PFX "42", ND_NA_FLAG_OVERRIDE, host_mac);
	assert_int_equal(host_events(PFX "42", true, IF_ETH0), 1);
	assert_int_equal(host_events(PFX "42", false, IF_ETH1), 1);
	/* someone else answers for HOST upstream: it lives there now */
	send_na(e, IF_WLAN0, HOST, "ff02::1", HOST, ND_NA_FLAG_OVERRIDE, upstream_host_mac);
	assert_int_equal(host_events(HOST, true, IF_ETH0), 1);
	ra_engine_free(e);
}

static void test_prefix_end_forgets_hosts(void **state)
{
	struct ra_engine *e = relay_with_prefix(120); /* valid 120 s, 60 s gone */
	neigh_event(e, IF_ETH0, HOST, NUD_REACHABLE, false);
	assert_int_equal(host_events(HOST, false, 0), 1);
	run_for(59000);
	assert_int_equal(host_events(HOST, true, 0), 0);
	run_for(2000);
	assert_int_equal(host_events(HOST, true, IF_ETH0), 1);
	ra_engine_free(e);
}

static void test_withdrawn_prefix_keeps_hosts_two_hours(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	neigh_event(e, IF_ETH0, HOST, NUD_REACHABLE, false);
	struct nd_ra ra = upstream_ra(PFX, 1800); /* withdrawn: valid lifetime 0 */
	ra.prefixes[0].valid_lifetime = ra.prefixes[0].preferred_lifetime = 0;
	send_ra_from(e, IF_WLAN0, "fe80::1", &ra, router_mac);
	run_for(3600000);
	assert_int_equal(host_events(HOST, true, 0), 0); /* deprecated address still works */
	/* but no new host is learned in a withdrawn prefix */
	neigh_event(e, IF_ETH0, PFX "77", NUD_REACHABLE, false);
	assert_int_equal(host_events(PFX "77", false, 0), 0);
	run_for(3700000);
	assert_int_equal(host_events(HOST, true, IF_ETH0), 1);
	ra_engine_free(e);
}

static void test_learning_off(void **state)
{
	harness_reset();
	struct ra_engine *e = ra_engine_new(fake_loop, relay_config("wlan0", "eth0", NULL, false), ifs, &fake_ops);
	bool am = true;
	assert_true(ra_engine_wants_iface(e, "eth0", &am));
	assert_false(am);
	struct nd_ra ra = upstream_ra(PFX, 1800);
	send_ra_from(e, IF_WLAN0, "fe80::1", &ra, router_mac);
	neigh_event(e, IF_ETH0, HOST, NUD_REACHABLE, false);
	send_na(e, IF_ETH0, HOST, "ff02::1", HOST, ND_NA_FLAG_OVERRIDE, host_mac);
	run_for(5000);
	assert_int_equal(n_hostev, 0);
	ra_engine_free(e);
}

static void test_reload_keeps_state(void **state)
{
	struct ra_engine *e = relay_with_prefix(86400);
	bool am = false;
	assert_true(ra_engine_wants_iface(e, "eth0", &am));
	assert_true(am);
	neigh_event(e, IF_ETH0, HOST, NUD_REACHABLE, false);
	neigh_event(e, IF_ETH1, PFX "51", NUD_REACHABLE, false);
	assert_int_equal(n_hostev, 2);
	/* reload: eth1 dropped from the relay */
	static char names[1][IF_NAMESIZE] = { "eth0" };
	static struct conf_ra_relay rc;
	static struct conf c2;
	rc = relay_conf;
	rc.downstream = names;
	rc.n_downstream = 1;
	c2.relays = &rc;
	c2.n_relays = 1;
	assert_int_equal(ra_engine_reload(e, &c2), 0);
	assert_int_equal(host_events(PFX "51", true, IF_ETH1), 1);
	assert_int_equal(host_events(HOST, true, 0), 0); /* kept, not re-reported */
	assert_int_equal(host_events(HOST, false, 0), 1);
	/* relayed state kept: an RS is answered with the prefix at once */
	unsigned before = n_tx;
	send_rs(e, IF_ETH0, "fe80::99");
	run_for(4000);
	int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_true(ra_has_prefix(&m, PFX, NULL, NULL, NULL));
	/* the dropped link was told we stopped routing (router lifetime 0) */
	int j = tx_find(0, IF_ETH1, ND_TYPE_RA);
	assert_true(j >= 0);
	assert_int_equal(tx_msg((unsigned)j).ra.router_lifetime, 0);
	/* shutdown reports every host gone */
	ra_engine_shutdown(e);
	assert_int_equal(host_events(HOST, true, IF_ETH0), 1);
	ra_engine_free(e);
}

static void test_reload_conflicting_roles(void **state)
{
	harness_reset();
	/* eth0 as upstream and downstream of the same relay: the downstream is dropped */
	struct ra_engine *e = ra_engine_new(fake_loop, relay_config("eth0", "eth0", "eth1", true), ifs, &fake_ops);
	assert_non_null(e);
	bool am;
	assert_true(ra_engine_wants_iface(e, "eth1", &am));
	struct nd_ra ra = upstream_ra(PFX, 1800);
	send_ra_from(e, IF_ETH0, "fe80::1", &ra, router_mac);
	run_for(100);
	assert_true(tx_find(0, IF_ETH1, ND_TYPE_RA) >= 0);
	assert_int_equal(tx_count(0, IF_ETH0, ND_TYPE_RA), 0);
	ra_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dad_carried_and_learned),
		cmocka_unit_test(test_dad_defended_upstream),
		cmocka_unit_test(test_dad_no_echo),
		cmocka_unit_test(test_dad_flood_bounded),
		cmocka_unit_test(test_host_cap),
		cmocka_unit_test(test_neigh_learn_and_forget),
		cmocka_unit_test(test_na_and_ns_learn),
		cmocka_unit_test(test_prefix_end_forgets_hosts),
		cmocka_unit_test(test_withdrawn_prefix_keeps_hosts_two_hours),
		cmocka_unit_test(test_learning_off),
		cmocka_unit_test(test_reload_keeps_state),
		cmocka_unit_test(test_reload_conflicting_roles),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	iftable_free(ifs);
	return rc;
}
