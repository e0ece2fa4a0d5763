/* RA relay mode: what is re-originated downstream, renumbering, RFC 4861
 * timing and rate limits, bounds, and RAs that must never be relayed. */
#include <errno.h>

#include "test_ra_harness.h"
#include "ra/ra_internal.h" /* RA_EXPIRED_HOLD_MS, RA_FALLBACK_LIFETIME_S */
#include "util/json.h"
#include "render_check.h"

static struct ra_engine *relay_engine(bool learn)
{
	harness_reset();
	struct ra_engine *e = ra_engine_new(fake_loop, relay_config("wlan0", "eth0", "tun0", learn), ifs, &fake_ops);
	assert_non_null(e);
	return e;
}

/* Feed one upstream RA and return the index of the first RA it caused on ifindex. */
static int relay_once(struct ra_engine *e, const struct nd_ra *ra, int ifindex)
{
	unsigned before = n_tx;
	send_ra_from(e, IF_WLAN0, "fe80::1", ra, router_mac);
	run_for(1);
	return tx_find(before, ifindex, ND_TYPE_RA);
}

static void test_relay_transforms(void **state)
{
	struct ra_engine *e = relay_engine(true);
	assert_int_equal(n_tx, 0); /* nothing to say before the upstream speaks */

	struct nd_ra ra = upstream_ra("2001:db8:abc:123::", 1800);
	ra.n_routes = 1;
	ra.routes[0] = (struct nd_route_info){ .plen = 48, .pref = 0x08, .lifetime = 1800, .prefix = addr6("fd30::") };
	ra.n_rdnss = 2;
	ra.rdnss[0] = addr6("2001:db8:abc:123::53");
	ra.rdnss[1] = addr6("2001:db8:abc:123::54");
	ra.rdnss_lifetime[0] = ra.rdnss_lifetime[1] = 600;
	static const uint8_t dnssl[] = { 0, 0, 0x02, 0x58, 3, 'l', 'a', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	ra.n_dnssl = 1;
	ra.dnssl[0].body = dnssl;
	ra.dnssl[0].len = sizeof(dnssl);

	int i = relay_once(e, &ra, IF_ETH0);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	struct in6_addr our_ll = addr6("fe80::3"), all_nodes = addr6("ff02::1");
	assert_memory_equal(&m.src, &our_ll, 16);
	assert_memory_equal(&m.dst, &all_nodes, 16);
	static const uint8_t mcast_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	assert_int_equal(txs[i].halen, 6);
	assert_memory_equal(txs[i].l2, mcast_mac, 6);

	/* header: lifetime carried, proxy flag set, O and preference kept */
	assert_int_equal(m.ra.router_lifetime, 1800);
	assert_int_equal(m.ra.flags & ND_RA_FLAG_PROXY, ND_RA_FLAG_PROXY);
	assert_int_equal(m.ra.flags & ND_RA_FLAG_OTHER, ND_RA_FLAG_OTHER);
	assert_int_equal(m.ra.flags & ND_RA_FLAG_MANAGED, 0);
	assert_int_equal(m.ra.flags & ND_RA_PREF_MASK, 0x08);
	assert_int_equal(m.ra.cur_hop_limit, 64);
	assert_int_equal(m.ra.reachable_time, 30000);
	assert_int_equal(m.ra.retrans_timer, 1000);
	/* PIO: autonomous kept, on-link cleared, lifetimes as heard */
	uint32_t valid = 0, pref = 0;
	uint8_t flags;
	assert_true(ra_has_prefix(&m, "2001:db8:abc:123::", &valid, &pref, &flags));
	assert_int_equal(flags, ND_PIO_FLAG_AUTO);
	assert_int_equal(valid, 86400);
	assert_int_equal(pref, 14400);
	/* RIO, RDNSS, DNSSL carried; MTU capped to eth0's 1400; our MAC */
	assert_int_equal(m.ra.n_routes, 1);
	assert_int_equal(m.ra.routes[0].plen, 48);
	assert_int_equal(m.ra.routes[0].pref, 0x08);
	assert_int_equal(m.ra.routes[0].lifetime, 1800);
	assert_int_equal(m.ra.n_rdnss, 2);
	assert_memory_equal(&m.ra.rdnss[1], &ra.rdnss[1], 16);
	assert_int_equal(m.ra.rdnss_lifetime[0], 600);
	assert_int_equal(m.ra.rdnss_lifetime[1], 600);
	assert_int_equal(m.ra.n_dnssl, 1);
	assert_true(m.ra.dnssl[0].len >= sizeof(dnssl));
	assert_memory_equal(m.ra.dnssl[0].body, dnssl, sizeof(dnssl));
	assert_int_equal(m.ra.mtu, 1400);
	assert_int_equal(m.slla.len, 6);
	static const uint8_t eth0_mac[6] = { 0x02, 0, 0, 0, 0, IF_ETH0 };
	assert_memory_equal(m.slla.addr, eth0_mac, 6);

	/* the L3 downstream: no SLLA, no link-layer destination, MTU 1420 */
	int j = tx_find(0, IF_TUN0, ND_TYPE_RA);
	assert_true(j >= 0);
	struct nd_msg t = tx_msg((unsigned)j);
	assert_int_equal(t.slla.len, 0);
	assert_int_equal(txs[j].halen, 0);
	assert_int_equal(t.ra.mtu, 1420);
	/* never sent back upstream */
	assert_int_equal(tx_count(0, IF_WLAN0, ND_TYPE_RA), 0);
	ra_engine_free(e);
}

static void test_lifetimes_age(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(100000); /* 100 s, upstream silent */
	unsigned before = n_tx;
	send_rs(e, IF_ETH0, "fe80::99");
	run_for(4000);
	int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	uint32_t valid = 0, pref = 0;
	assert_true(ra_has_prefix(&m, "2001:db8:1::", &valid, &pref, NULL));
	uint32_t aged = (uint32_t)((txs[i].at - (1000000 + 1)) / 1000);
	assert_true(valid <= 86400 - aged + 1 && valid >= 86400 - aged - 1);
	assert_true(pref <= 14400 - aged + 1 && pref >= 14400 - aged - 1);
	assert_true(m.ra.router_lifetime <= 1800 - aged + 1 && m.ra.router_lifetime >= 1800 - aged - 1);
	ra_engine_free(e);
}

/* RFC 4861 §6.2.3: a router may spread its prefixes over several RAs. A
 * prefix missing from one RA keeps its own lifetime (issue 11 defect 2). */
static void test_prefix_missing_from_one_ra_kept(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	ra.n_prefixes = 2;
	ra.prefixes[1] = ra.prefixes[0];
	ra.prefixes[1].prefix = addr6("2001:db8:2::");
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(20000);

	/* the same router, P1 only */
	unsigned before = n_tx;
	struct nd_ra ra2 = upstream_ra("2001:db8:1::", 1800);
	send_ra_from(e, IF_WLAN0, "fe80::1", &ra2, router_mac);
	run_for(3500);
	int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	uint32_t valid = 0, pref = 0;
	assert_true(ra_has_prefix(&m, "2001:db8:1::", &valid, &pref, NULL));
	assert_int_equal(valid, 86400);
	assert_true(ra_has_prefix(&m, "2001:db8:2::", &valid, &pref, NULL));
	assert_true(valid >= 86400 - 24 && valid <= 86400 - 20); /* aged, not withdrawn */
	assert_true(pref >= 14400 - 24 && pref <= 14400 - 20);
	assert_int_equal(ra_engine_counters(e)->prefixes_withdrawn, 0);
	ra_engine_free(e);
}

/* Renumbering reaches the hosts when the router says so: valid lifetime 0. */
static void test_renumbering(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(20000);

	unsigned before = n_tx;
	struct nd_ra ra2 = upstream_ra("2001:db8:2::", 1800);
	ra2.n_prefixes = 2;
	ra2.prefixes[1] = ra.prefixes[0];
	ra2.prefixes[1].valid_lifetime = 0;
	ra2.prefixes[1].preferred_lifetime = 0;
	send_ra_from(e, IF_WLAN0, "fe80::1", &ra2, router_mac);
	uint64_t t0 = fake_ms();
	run_for(3500);
	int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_true(txs[i].at - t0 <= 3000); /* within the RA rate limit, i.e. the next RA */
	struct nd_msg m = tx_msg((unsigned)i);
	uint32_t valid = 0, pref = 0;
	assert_true(ra_has_prefix(&m, "2001:db8:2::", &valid, &pref, NULL));
	assert_int_equal(valid, 86400);
	assert_true(ra_has_prefix(&m, "2001:db8:1::", &valid, &pref, NULL));
	assert_int_equal(valid, 0);
	assert_int_equal(pref, 0);
	assert_int_equal(ra_engine_counters(e)->prefixes_withdrawn, 1);
	/* the change is repeated: at least 2 more RAs within 2 * 16 s */
	unsigned after = n_tx;
	run_for(33000);
	assert_true(tx_count(after, IF_ETH0, ND_TYPE_RA) >= 2);
	int k = tx_find(after, IF_ETH0, ND_TYPE_RA);
	struct nd_msg m2 = tx_msg((unsigned)k);
	assert_true(ra_has_prefix(&m2, "2001:db8:1::", &valid, &pref, NULL));
	assert_int_equal(valid, 0);
	ra_engine_free(e);
}

/* A prefix whose lifetime runs out is sent once more with lifetime 0, then
 * forgotten. */
static void test_expired_prefix_sent_with_zero(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	ra.n_prefixes = 2;
	ra.prefixes[1] = ra.prefixes[0];
	ra.prefixes[1].prefix = addr6("2001:db8:2::");
	ra.prefixes[1].valid_lifetime = 20;
	ra.prefixes[1].preferred_lifetime = 10;
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(19000);
	unsigned before = n_tx;
	run_for(4000); /* the lifetime ends at 20 s: an RA follows at once */
	int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	uint32_t valid = 0, pref = 0;
	assert_true(ra_has_prefix(&m, "2001:db8:2::", &valid, &pref, NULL));
	assert_int_equal(valid, 0);
	assert_int_equal(pref, 0);
	assert_true(ra_has_prefix(&m, "2001:db8:1::", &valid, NULL, NULL));
	assert_true(valid > 86000);
	run_for(RA_EXPIRED_HOLD_MS);
	before = n_tx;
	send_rs(e, IF_ETH0, "fe80::99");
	run_for(4000);
	i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	m = tx_msg((unsigned)i);
	assert_false(ra_has_prefix(&m, "2001:db8:2::", NULL, NULL, NULL));
	ra_engine_free(e);
}

/* A router that splits its prefixes over RAs without them does not withdraw. */
static void test_no_prefix_ra_keeps_prefix(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(5000);
	struct nd_ra bare = upstream_ra("2001:db8:1::", 1800);
	bare.n_prefixes = 0;
	relay_once(e, &bare, IF_ETH0);
	run_for(4000);
	int i = (int)n_tx - 1;
	while (i >= 0 && (txs[i].ifindex != IF_ETH0 || tx_type((unsigned)i) != ND_TYPE_RA))
		i--;
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	uint32_t valid;
	assert_true(ra_has_prefix(&m, "2001:db8:1::", &valid, NULL, NULL));
	assert_true(valid > 86000);
	assert_int_equal(ra_engine_counters(e)->prefixes_withdrawn, 0);
	ra_engine_free(e);
}

static void test_rs_answer_timing(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(60000); /* initial burst over */
	for (int trial = 0; trial < 30; trial++) {
		run_for(5000 + (uint64_t)trial * 17);
		unsigned before = n_tx;
		uint64_t t0 = fake_ms();
		send_rs(e, IF_ETH0, "fe80::99");
		run_for(600);
		int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
		assert_true(i >= 0);
		uint64_t d = txs[i].at - t0;
		assert_true(d <= 500); /* MAX_RA_DELAY_TIME */
		assert_int_equal(tx_count(before, IF_ETH0, ND_TYPE_RA), 1);
	}
	ra_engine_free(e);
}

static void test_rs_flood_rate_limited(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(60000);
	unsigned before = n_tx;
	uint64_t t0 = fake_ms();
	/* 1000 RS in 10 s, plus an upstream RA flood from the same router */
	for (int k = 0; k < 1000; k++) {
		send_rs(e, IF_ETH0, k & 1 ? "::" : "fe80::99");
		if (k % 10 == 0)
			send_ra_from(e, IF_WLAN0, "fe80::1", &ra, router_mac);
		run_for(10);
	}
	run_for(4000);
	uint64_t span = fake_ms() - t0;
	unsigned n = tx_count(before, IF_ETH0, ND_TYPE_RA);
	assert_true(n >= 2);
	assert_true(n <= span / 3000 + 1);
	uint64_t last = 0;
	for (unsigned i = before; i < n_tx; i++) {
		if (txs[i].ifindex != IF_ETH0 || tx_type(i) != ND_TYPE_RA)
			continue;
		if (last)
			assert_true(txs[i].at - last >= 3000); /* MIN_DELAY_BETWEEN_RAS */
		last = txs[i].at;
	}
	ra_engine_free(e);
}

static void test_unsolicited_timing(void **state)
{
	struct ra_engine *e = relay_engine(false);
	/* router lifetime past the 3 h: its end would be news sent at once */
	struct nd_ra ra = upstream_ra("2001:db8:1::", 65535);
	ra.prefixes[0].valid_lifetime = 0xffffffffu;
	ra.prefixes[0].preferred_lifetime = 0xffffffffu;
	unsigned before = n_tx;
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(3ull * 3600 * 1000); /* 3 h, upstream silent */
	uint64_t at[64] = { 0 };
	unsigned n = 0;
	for (unsigned i = before; i < n_tx && n < 64; i++)
		if (txs[i].ifindex == IF_ETH0 && tx_type(i) == ND_TYPE_RA)
			at[n++] = txs[i].at;
	assert_true(n >= 3 + 10);
	/* the first three at most 16 s apart, then 198..600 s (radvd's defaults) */
	assert_true(at[1] - at[0] <= 16000);
	assert_true(at[2] - at[1] <= 16000);
	for (unsigned i = 3; i < n; i++) {
		assert_true(at[i] - at[i - 1] >= 198000);
		assert_true(at[i] - at[i - 1] <= 600000);
	}
	ra_engine_free(e);
}

static void test_router_cap(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	char src[32];
	for (int r = 1; r <= 64; r++) {
		snprintf(src, sizeof(src), "fe80::100:%x", r);
		send_ra_from(e, IF_WLAN0, src, &ra, router_mac);
	}
	assert_int_equal(ra_engine_counters(e)->routers_over_cap, 0);
	struct nd_ra other = upstream_ra("2001:db8:65::", 1800);
	send_ra_from(e, IF_WLAN0, "fe80::100:65", &other, router_mac);
	assert_int_equal(ra_engine_counters(e)->routers_over_cap, 1);
	run_for(5000);
	int i = (int)n_tx - 1;
	while (i >= 0 && (txs[i].ifindex != IF_ETH0 || tx_type((unsigned)i) != ND_TYPE_RA))
		i--;
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_false(ra_has_prefix(&m, "2001:db8:65::", NULL, NULL, NULL));
	/* a known router is still heard */
	struct nd_ra again = upstream_ra("2001:db8:1::", 1800);
	again.n_prefixes = 2;
	again.prefixes[1] = again.prefixes[0];
	again.prefixes[1].prefix = addr6("2001:db8:7::");
	send_ra_from(e, IF_WLAN0, "fe80::100:3", &again, router_mac);
	run_for(4000);
	i = (int)n_tx - 1;
	while (i >= 0 && (txs[i].ifindex != IF_ETH0 || tx_type((unsigned)i) != ND_TYPE_RA))
		i--;
	m = tx_msg((unsigned)i);
	assert_true(ra_has_prefix(&m, "2001:db8:7::", NULL, NULL, NULL));
	ra_engine_free(e);
}

/* A flood of routers fills the table only until what they said expires. */
static void test_router_table_frees(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 10);
	ra.prefixes[0].valid_lifetime = 20;
	ra.prefixes[0].preferred_lifetime = 20;
	char src[32];
	for (int r = 1; r <= 64; r++) {
		snprintf(src, sizeof(src), "fe80::200:%x", r);
		send_ra_from(e, IF_WLAN0, src, &ra, router_mac);
	}
	struct nd_ra late = upstream_ra("2001:db8:77::", 1800);
	send_ra_from(e, IF_WLAN0, "fe80::300:1", &late, router_mac);
	assert_int_equal(ra_engine_counters(e)->routers_over_cap, 1);
	run_for(25000);
	send_ra_from(e, IF_WLAN0, "fe80::300:1", &late, router_mac);
	assert_int_equal(ra_engine_counters(e)->routers_over_cap, 1);
	run_for(4000);
	int i = (int)n_tx - 1;
	while (i >= 0 && (txs[i].ifindex != IF_ETH0 || tx_type((unsigned)i) != ND_TYPE_RA))
		i--;
	struct nd_msg m = tx_msg((unsigned)i);
	assert_true(ra_has_prefix(&m, "2001:db8:77::", NULL, NULL, NULL));
	uint32_t valid = 1; /* ran out at 20 s: absent, or still sent with 0 */
	assert_true(!ra_has_prefix(&m, "2001:db8:1::", &valid, NULL, NULL) || valid == 0);
	assert_int_equal(m.ra.router_lifetime, 1800);
	ra_engine_free(e);
}

static void test_prefix_cap(void **state)
{
	struct ra_engine *e = relay_engine(false);
	/* 17 prefixes from two routers (an RA holds at most 16 parsed PIOs) */
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	ra.n_prefixes = 16;
	char p[64];
	for (int k = 0; k < 16; k++) {
		ra.prefixes[k] = ra.prefixes[0];
		snprintf(p, sizeof(p), "2001:db8:%x::", 0x100 + k);
		ra.prefixes[k].prefix = addr6(p);
	}
	send_ra_from(e, IF_WLAN0, "fe80::1", &ra, router_mac);
	assert_int_equal(ra_engine_counters(e)->prefixes_over_cap, 0);
	struct nd_ra ra17 = upstream_ra("2001:db8:999::", 1800);
	send_ra_from(e, IF_WLAN0, "fe80::a2", &ra17, router_mac);
	assert_int_equal(ra_engine_counters(e)->prefixes_over_cap, 1);
	run_for(5000);
	int i = (int)n_tx - 1;
	while (i >= 0 && (txs[i].ifindex != IF_ETH0 || tx_type((unsigned)i) != ND_TYPE_RA))
		i--;
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.n_prefixes, 16);
	assert_false(ra_has_prefix(&m, "2001:db8:999::", NULL, NULL, NULL));
	ra_engine_free(e);
}

static void test_ra_downstream_never_relayed(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(60000);
	unsigned before = n_tx;
	struct nd_ra rogue = upstream_ra("2001:db8:bad::", 1800);
	static const uint8_t rogue_mac[6] = { 0x02, 0xee, 0, 0, 0, 1 };
	send_ra_from(e, IF_ETH0, "fe80::bad", &rogue, rogue_mac);
	send_ra_from(e, IF_TUN0, "fe80::bad", &rogue, rogue_mac);
	assert_int_equal(ra_engine_counters(e)->ra_not_upstream, 2);
	run_for(10000);
	assert_int_equal(n_tx, before); /* it triggered nothing */
	unsigned b2 = n_tx;
	send_rs(e, IF_ETH0, "fe80::99");
	run_for(4000);
	int i = tx_find(b2, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_false(ra_has_prefix(&m, "2001:db8:bad::", NULL, NULL, NULL));
	assert_true(ra_has_prefix(&m, "2001:db8:1::", NULL, NULL, NULL));
	ra_engine_free(e);
}

static void test_own_ra_ignored(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	static const uint8_t eth0_mac[6] = { 0x02, 0, 0, 0, 0, IF_ETH0 };
	/* our own downstream RA looped onto the upstream link */
	send_ra_from(e, IF_WLAN0, "fe80::3", &ra, eth0_mac);
	assert_int_equal(ra_engine_counters(e)->ra_from_self, 1);
	run_for(5000);
	assert_int_equal(tx_count(0, IF_ETH0, ND_TYPE_RA) + tx_count(0, IF_TUN0, ND_TYPE_RA), 0);
	ra_engine_free(e);
}

/* RFC 4389 §4.1.3.3: an RA with the Proxy flag is another relay's. Taking it
 * as our upstream makes two relays on the same links advertise each other. */
static void test_proxy_flag_ra_ignored(void **state)
{
	struct ra_engine *e = relay_engine(true);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	ra.flags |= ND_RA_FLAG_PROXY;
	static const uint8_t relay2_mac[6] = { 0x02, 0xdd, 0, 0, 0, 2 };
	send_ra_from(e, IF_WLAN0, "fe80::d2", &ra, relay2_mac);
	assert_int_equal(ra_engine_counters(e)->ra_proxy_flag, 1);
	assert_int_equal(ra_engine_counters(e)->rx_ra_upstream, 0);
	run_for(30000);
	assert_int_equal(tx_count(0, IF_ETH0, ND_TYPE_RA) + tx_count(0, IF_TUN0, ND_TYPE_RA), 0);
	/* the real router is still relayed, and alone */
	ra.flags &= (uint8_t)~ND_RA_FLAG_PROXY;
	int i = relay_once(e, &ra, IF_ETH0);
	assert_true(i >= 0);
	send_ra_from(e, IF_WLAN0, "fe80::d2", &(struct nd_ra){ .flags = ND_RA_FLAG_PROXY, .router_lifetime = 1800 },
	             relay2_mac);
	assert_int_equal(ra_engine_counters(e)->ra_proxy_flag, 2);
	assert_int_equal(ra_engine_counters(e)->rx_ra_upstream, 1);
	ra_engine_free(e);
}

/* The RS a relay sends upstream at index i: RFC 4861 §4.1 and §6.3.7. */
static void assert_rs(unsigned i, int ifindex, bool from_ll)
{
	assert_int_equal(txs[i].ifindex, ifindex);
	struct nd_msg m = tx_msg(i); /* nd_parse: hop limit 255, code 0, checksum */
	assert_int_equal(m.type, ND_TYPE_RS);
	assert_int_equal(m.hop_limit, 255);
	struct in6_addr all_routers = addr6("ff02::2"), ll = addr6("fe80::2"), any = addr6("::");
	assert_memory_equal(&m.dst, &all_routers, 16);
	static const uint8_t mac[6] = { 0x33, 0x33, 0, 0, 0, 2 }, wlan0_mac[6] = { 0x02, 0, 0, 0, 0, IF_WLAN0 };
	assert_int_equal(txs[i].halen, 6);
	assert_memory_equal(txs[i].l2, mac, 6);
	if (from_ll) {
		assert_memory_equal(&m.src, &ll, 16);
		assert_int_equal(m.slla.len, 6); /* SHOULD when the source is not :: */
		assert_memory_equal(m.slla.addr, wlan0_mac, 6);
	} else {
		assert_memory_equal(&m.src, &any, 16);
		assert_int_equal(m.slla.len, 0); /* MUST NOT from :: */
	}
}

/* Issue 12: a relay that starts asks its upstream at once: the first RS
 * within MAX_RTR_SOLICITATION_DELAY, then up to 3 in all, 4 s apart. */
static void test_rs_at_start(void **state)
{
	struct ra_engine *e = relay_engine(false);
	uint64_t t0 = fake_ms();
	run_for(1000);
	assert_int_equal(tx_count(0, IF_WLAN0, ND_TYPE_RS), 1);
	int i = tx_find(0, IF_WLAN0, ND_TYPE_RS);
	assert_true(txs[i].at - t0 <= 1000);
	assert_rs((unsigned)i, IF_WLAN0, true);
	run_for(20000);
	assert_int_equal(tx_count(0, IF_WLAN0, ND_TYPE_RS), 3); /* MAX_RTR_SOLICITATIONS */
	uint64_t prev = 0;
	for (unsigned k = 0; k < n_tx; k++)
		if (txs[k].ifindex == IF_WLAN0 && tx_type(k) == ND_TYPE_RS) {
			if (prev)
				assert_int_equal(txs[k].at - prev, 4000); /* RTR_SOLICITATION_INTERVAL */
			prev = txs[k].at;
		}
	assert_int_equal(tx_count(0, IF_ETH0, ND_TYPE_RS) + tx_count(0, IF_TUN0, ND_TYPE_RS), 0);
	assert_int_equal(ra_engine_counters(e)->tx_rs, 3);
	ra_engine_free(e);
}

/* An answer with a router lifetime stops the solicitations; a link that
 * comes back (down/up, or deleted and re-created) is asked again. */
static void test_rs_answered_and_link_back(void **state)
{
	struct ra_engine *e = relay_engine(false);
	run_for(1000);
	assert_int_equal(tx_count(0, IF_WLAN0, ND_TYPE_RS), 1);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(60000);
	assert_int_equal(tx_count(0, IF_WLAN0, ND_TYPE_RS), 1);

	struct nl_link l = { .ifindex = IF_WLAN0, .flags = 0, .mtu = 1500, .lladdr_len = 6,
	                     .lladdr = { 0x02, 0, 0, 0, 0, IF_WLAN0 } };
	snprintf(l.name, sizeof(l.name), "wlan0");
	iftable_on_link(ifs, &l, false, ra_iface_changed, e);
	run_for(10000);
	assert_int_equal(tx_count(0, IF_WLAN0, ND_TYPE_RS), 1); /* nothing while down */
	unsigned before = n_tx;
	l.flags = IFF_UP | IFF_RUNNING;
	iftable_on_link(ifs, &l, false, ra_iface_changed, e);
	run_for(1000);
	assert_int_equal(tx_count(before, IF_WLAN0, ND_TYPE_RS), 1);
	assert_rs((unsigned)tx_find(before, IF_WLAN0, ND_TYPE_RS), IF_WLAN0, true);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(60000);
	assert_int_equal(tx_count(before, IF_WLAN0, ND_TYPE_RS), 1);

	/* re-created under another index, its link-local still tentative: from :: */
	before = n_tx;
	iftable_on_link(ifs, &l, true, ra_iface_changed, e);
	l.ifindex = 9;
	iftable_on_link(ifs, &l, false, ra_iface_changed, e);
	run_for(1000);
	assert_int_equal(tx_count(before, 9, ND_TYPE_RS), 1);
	assert_rs((unsigned)tx_find(before, 9, ND_TYPE_RS), 9, false);
	ra_engine_free(e);
}

/* Reloading into relay mode asks at once; a reload that keeps the relay
 * does not ask again. */
static void test_rs_on_reload(void **state)
{
	harness_reset();
	static struct conf empty;
	memset(&empty, 0, sizeof(empty));
	struct ra_engine *e = ra_engine_new(fake_loop, &empty, ifs, &fake_ops);
	assert_non_null(e);
	run_for(5000);
	assert_int_equal(tx_count(0, IF_WLAN0, ND_TYPE_RS), 0);
	assert_int_equal(ra_engine_reload(e, relay_config("wlan0", "eth0", NULL, false)), 0);
	run_for(1000);
	assert_int_equal(tx_count(0, IF_WLAN0, ND_TYPE_RS), 1);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	unsigned before = n_tx;
	assert_int_equal(ra_engine_reload(e, relay_config("wlan0", "eth0", "tun0", false)), 0);
	run_for(20000);
	assert_int_equal(tx_count(before, IF_WLAN0, ND_TYPE_RS), 0);
	ra_engine_free(e);
}

static void test_upstream_down_router_lifetime_zero(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(60000);
	unsigned before = n_tx;
	struct nl_link l = { .ifindex = IF_WLAN0, .flags = 0, .mtu = 1500, .lladdr_len = 6 };
	snprintf(l.name, sizeof(l.name), "wlan0");
	iftable_on_link(ifs, &l, false, ra_iface_changed, e);
	run_for(4000);
	int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.router_lifetime, 0);
	assert_int_equal(m.ra.flags & ND_RA_PREF_MASK, 0); /* RFC 4191 §2.2 */
	ra_engine_free(e);
}

static void test_relay_shutdown(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(60000);
	unsigned before = n_tx;
	ra_engine_shutdown(e);
	assert_int_equal(tx_count(before, IF_ETH0, ND_TYPE_RA), 1);
	assert_int_equal(tx_count(before, IF_TUN0, ND_TYPE_RA), 1);
	int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.router_lifetime, 0);
	assert_int_equal(m.ra.flags & ND_RA_PREF_MASK, 0); /* RFC 4191 §2.2: was high */
	assert_true(ra_has_prefix(&m, "2001:db8:1::", NULL, NULL, NULL));
	unsigned after = n_tx;
	run_for(3600000);
	assert_int_equal(n_tx, after); /* silent afterwards */
	ra_engine_free(e);
}

/* Seed 000: the upstream /64 relayed and a local ULA advertised on eth0. */
static void test_relay_plus_ula(void **state)
{
	harness_reset();
	static struct conf_ra ula;
	static struct conf_ra_prefix ula_prefix;
	static struct in6_addr ula_dns;
	memset(&ula, 0, sizeof(ula));
	snprintf(ula.iface, sizeof(ula.iface), "eth0");
	ula_prefix = (struct conf_ra_prefix){ .prefix = addr6("fd2f::"), .plen = 64, .onlink = true, .autonomous = true,
	                                      .valid_lifetime = 86400, .preferred_lifetime = 14400 };
	ula.prefixes = &ula_prefix;
	ula.n_prefixes = 1;
	ula_dns = addr6("fd2f::53");
	ula.rdnss = &ula_dns;
	ula.n_rdnss = 1;
	ula.rdnss_lifetime = 1200;
	ula.min_interval_s = 198;
	ula.max_interval_s = 600;
	ula.router_lifetime_s = 1800;
	const struct conf *c = relay_config("wlan0", "eth0", NULL, false);
	the_conf.ras = &ula;
	the_conf.n_ras = 1;
	struct ra_engine *e = ra_engine_new(fake_loop, c, ifs, &fake_ops);
	assert_non_null(e);
	/* before the upstream speaks: the ULA alone, as advertise mode sends it */
	run_for(1);
	int i = tx_find(0, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.n_prefixes, 1);
	uint8_t flags;
	assert_true(ra_has_prefix(&m, "fd2f::", NULL, NULL, &flags));
	assert_int_equal(flags, ND_PIO_FLAG_ONLINK | ND_PIO_FLAG_AUTO);
	assert_int_equal(m.ra.router_lifetime, 1800);
	/* then both, in one RA */
	struct nd_ra ra = upstream_ra("2001:db8:abc:123::", 1500);
	ra.n_rdnss = 1;
	ra.rdnss[0] = addr6("2001:db8:abc:123::53");
	ra.rdnss_lifetime[0] = 600;
	run_for(5000);
	int j = relay_once(e, &ra, IF_ETH0);
	assert_true(j >= 0);
	m = tx_msg((unsigned)j);
	assert_true(ra_has_prefix(&m, "2001:db8:abc:123::", NULL, NULL, &flags));
	assert_int_equal(flags, ND_PIO_FLAG_AUTO);
	assert_true(ra_has_prefix(&m, "fd2f::", NULL, NULL, &flags));
	assert_int_equal(flags, ND_PIO_FLAG_ONLINK | ND_PIO_FLAG_AUTO);
	assert_int_equal(m.ra.router_lifetime, 1500); /* the relayed header */
	assert_int_equal(m.ra.flags & ND_RA_FLAG_PROXY, ND_RA_FLAG_PROXY);
	/* each server with its own lifetime: two RDNSS options */
	assert_int_equal(m.ra.n_rdnss, 2);
	struct in6_addr up_dns = addr6("2001:db8:abc:123::53");
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(m.ra.rdnss_lifetime[k], memcmp(&m.ra.rdnss[k], &up_dns, 16) == 0 ? 600 : 1200);
	/* shutdown: three final RAs, as for any `ra` block */
	unsigned before = n_tx;
	ra_engine_shutdown(e);
	assert_int_equal(tx_count(before, IF_ETH0, ND_TYPE_RA), 3);
	assert_int_equal(tx_msg(before).ra.router_lifetime, 0);
	ra_engine_free(e);
}

/* The lifetime the last relayed RA on eth0 gives RDNSS server addr, or -1. */
static long rdnss_lifetime_of(const struct nd_msg *m, const char *addr)
{
	struct in6_addr a = addr6(addr);
	for (unsigned i = 0; i < m->ra.n_rdnss; i++)
		if (memcmp(&m->ra.rdnss[i], &a, 16) == 0)
			return m->ra.rdnss_lifetime[i];
	return -1;
}

/* RFC 8106 §5.1: each server keeps its own option's lifetime; a server
 * announced with 0 is relayed with 0; one missing from an RA stays. */
static void test_rdnss_own_lifetimes(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	ra.n_rdnss = 3;
	ra.rdnss[0] = addr6("2001:db8:1::53");
	ra.rdnss[1] = addr6("2001:db8:1::54");
	ra.rdnss[2] = addr6("2001:db8:1::55");
	ra.rdnss_lifetime[0] = 600;
	ra.rdnss_lifetime[1] = 10;
	ra.rdnss_lifetime[2] = 600;
	int i = relay_once(e, &ra, IF_ETH0);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(rdnss_lifetime_of(&m, "2001:db8:1::53"), 600);
	assert_int_equal(rdnss_lifetime_of(&m, "2001:db8:1::54"), 10);
	assert_int_equal(rdnss_lifetime_of(&m, "2001:db8:1::55"), 600);

	/* ::53 withdrawn; ::55 not in this RA; ::54 refreshed */
	run_for(5000);
	struct nd_ra ra2 = upstream_ra("2001:db8:1::", 1800);
	ra2.n_rdnss = 2;
	ra2.rdnss[0] = addr6("2001:db8:1::53");
	ra2.rdnss_lifetime[0] = 0;
	ra2.rdnss[1] = addr6("2001:db8:1::54");
	ra2.rdnss_lifetime[1] = 10;
	i = relay_once(e, &ra2, IF_ETH0);
	assert_true(i >= 0);
	m = tx_msg((unsigned)i);
	assert_int_equal(rdnss_lifetime_of(&m, "2001:db8:1::53"), 0);
	assert_int_equal(rdnss_lifetime_of(&m, "2001:db8:1::54"), 10);
	assert_int_equal(rdnss_lifetime_of(&m, "2001:db8:1::55"), 595);

	/* ::54 runs out 10 s later: sent with 0, the others as they were */
	unsigned before = n_tx;
	run_for(12000);
	i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	m = tx_msg((unsigned)i);
	assert_int_equal(rdnss_lifetime_of(&m, "2001:db8:1::54"), 0);
	long left = rdnss_lifetime_of(&m, "2001:db8:1::55");
	assert_true(left >= 580 && left <= 590);
	ra_engine_free(e);
}

/* The lifetime the relayed RA m gives search domain name (encoded), or -1. */
static long dnssl_lifetime_of(const struct nd_msg *m, const char *name, size_t n)
{
	for (unsigned i = 0; i < m->ra.n_dnssl; i++) {
		const uint8_t *b = m->ra.dnssl[i].body;
		size_t len = m->ra.dnssl[i].len;
		for (size_t off = 4; off + n <= len && b[off]; ) {
			if (memcmp(b + off, name, n) == 0)
				return (long)((uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
			while (off < len && b[off])
				off += 1u + b[off];
			off++;
		}
	}
	return -1;
}

/* RFC 8106 §5.2: each search domain keeps its own option's lifetime; one
 * withdrawn with 0 in an option of its own goes, the other stays. */
static void test_dnssl_domains_own_lifetimes(void **state)
{
	static const char a[] = "\x01" "a" "\x07" "example", b[] = "\x01" "b" "\x07" "example";
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	static const uint8_t both[] = { 0, 0, 0x02, 0x58, 1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	                                1, 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 0 };
	ra.n_dnssl = 1;
	ra.dnssl[0].body = both;
	ra.dnssl[0].len = sizeof(both);
	int i = relay_once(e, &ra, IF_ETH0);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.n_dnssl, 1); /* one lifetime: one option */
	assert_int_equal(dnssl_lifetime_of(&m, a, sizeof(a)), 600);
	assert_int_equal(dnssl_lifetime_of(&m, b, sizeof(b)), 600);

	run_for(5000);
	static const uint8_t a_gone[] = { 0, 0, 0, 0, 1, 'a', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0 };
	struct nd_ra ra2 = upstream_ra("2001:db8:1::", 1800);
	ra2.n_dnssl = 1;
	ra2.dnssl[0].body = a_gone;
	ra2.dnssl[0].len = sizeof(a_gone);
	i = relay_once(e, &ra2, IF_ETH0);
	assert_true(i >= 0);
	m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.n_dnssl, 2);
	assert_int_equal(dnssl_lifetime_of(&m, a, sizeof(a)), 0);
	assert_int_equal(dnssl_lifetime_of(&m, b, sizeof(b)), 595);
	ra_engine_free(e);
}

/* RFC 8781 PREF64 and RFC 8910 captive portal are relayed. */
static void test_pref64_capport_relayed(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	ra.n_pref64 = 2;
	struct in6_addr wkp = addr6("64:ff9b::"), other = addr6("2001:db8:64::");
	ra.pref64[0] = (struct nd_pref64){ .plen = 96, .lifetime = 1800 };
	memcpy(ra.pref64[0].prefix, &wkp, 12);
	ra.pref64[1] = (struct nd_pref64){ .plen = 48, .lifetime = 600 };
	memcpy(ra.pref64[1].prefix, &other, 12);
	static const char uri[] = "https://portal.example/api";
	ra.capport = (const uint8_t *)uri;
	ra.capport_len = sizeof(uri) - 1;
	int i = relay_once(e, &ra, IF_ETH0);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.n_pref64, 2);
	assert_int_equal(m.ra.pref64[0].plen, 96);
	assert_int_equal(m.ra.pref64[0].lifetime, 1800);
	assert_memory_equal(m.ra.pref64[0].prefix, &wkp, 12);
	assert_int_equal(m.ra.pref64[1].plen, 48);
	assert_int_equal(m.ra.pref64[1].lifetime, 600);
	assert_int_equal(m.ra.capport_len, sizeof(uri) - 1);
	assert_memory_equal(m.ra.capport, uri, sizeof(uri) - 1);

	/* the NAT64 prefix withdrawn with lifetime 0 is relayed with 0; an RA
	 * without the options leaves the others alone */
	run_for(20000);
	struct nd_ra ra2 = upstream_ra("2001:db8:1::", 1800);
	ra2.n_pref64 = 1;
	ra2.pref64[0] = (struct nd_pref64){ .plen = 96, .lifetime = 0 };
	memcpy(ra2.pref64[0].prefix, &wkp, 12);
	i = relay_once(e, &ra2, IF_ETH0);
	assert_true(i >= 0);
	m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.n_pref64, 2);
	for (unsigned k = 0; k < 2; k++)
		if (m.ra.pref64[k].plen == 96)
			assert_int_equal(m.ra.pref64[k].lifetime, 0);
		else
			assert_int_equal(m.ra.pref64[k].lifetime, 584); /* 580 s left, in 8 s units */
	assert_int_equal(m.ra.capport_len, sizeof(uri) - 1);
	ra_engine_free(e);
}

/* Issue 11 defect 6: the upstream router says router lifetime 0 (a WAN
 * outage). The hosts must keep a route to the upstream /64: the relay
 * advertises itself at low preference, with a RIO for the prefix. */
static void test_upstream_lifetime_zero_keeps_island_routed(void **state)
{
	struct ra_engine *e = relay_engine(false);
	struct nd_ra ra = upstream_ra("2001:db8:1::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(20000);
	struct nd_ra ra0 = upstream_ra("2001:db8:1::", 0);
	int i = relay_once(e, &ra0, IF_ETH0);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.router_lifetime, RA_FALLBACK_LIFETIME_S);
	assert_int_equal(m.ra.flags & ND_RA_PREF_MASK, ND_RA_PREF_LOW);
	assert_int_equal(m.ra.flags & ND_RA_FLAG_PROXY, ND_RA_FLAG_PROXY);
	assert_int_equal(m.ra.n_routes, 1);
	struct in6_addr p = addr6("2001:db8:1::");
	assert_memory_equal(&m.ra.routes[0].prefix, &p, 16);
	assert_int_equal(m.ra.routes[0].plen, 64);
	assert_int_equal(m.ra.routes[0].lifetime, 86400);
	uint8_t flags;
	assert_true(ra_has_prefix(&m, "2001:db8:1::", NULL, NULL, &flags));
	assert_int_equal(flags, ND_PIO_FLAG_AUTO);
	/* the router back: its own lifetime and preference, no RIO */
	run_for(5000);
	i = relay_once(e, &ra, IF_ETH0);
	assert_true(i >= 0);
	m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.router_lifetime, 1800);
	assert_int_equal(m.ra.flags & ND_RA_PREF_MASK, 0x08);
	assert_int_equal(m.ra.n_routes, 0);
	/* shutdown still says 0 */
	unsigned before = n_tx;
	ra_engine_shutdown(e);
	i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_int_equal(tx_msg((unsigned)i).ra.router_lifetime, 0);
	ra_engine_free(e);
}

/* Island routed mode (ra_engine_relay_pause): one last relayed RA with the
 * upstream's prefixes deprecated, then nothing relayed while paused;
 * relaying resumes with the upstream's own lifetimes. */
static void test_relay_pause(void **state)
{
	struct ra_engine *e = relay_engine(true);
	struct nd_ra ra = upstream_ra("2001:db8:abc:123::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	run_for(5000);
	assert_int_equal(ra_engine_relay_pause(e, "nope0", true), -ENOENT);
	unsigned before = n_tx;
	assert_int_equal(ra_engine_relay_pause(e, "wlan0", true), 0);
	int i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	uint32_t valid = 0, pref = 1;
	struct nd_msg m = tx_msg((unsigned)i);
	assert_true(ra_has_prefix(&m, "2001:db8:abc:123::", &valid, &pref, NULL));
	assert_int_equal(pref, 0);
	assert_true(valid > 0);
	assert_int_equal(ra_engine_relay_pause(e, "wlan0", true), 0); /* again: nothing more */
	/* paused: upstream RAs are heard but nothing goes down */
	before = n_tx;
	run_for(5000);
	assert_true(relay_once(e, &ra, IF_ETH0) < 0);
	run_for(60000);
	assert_int_equal(tx_count(before, IF_ETH0, ND_TYPE_RA), 0);
	/* resumed: the upstream's prefix with its own lifetimes, at once */
	before = n_tx;
	assert_int_equal(ra_engine_relay_pause(e, "wlan0", false), 0);
	run_for(1);
	i = tx_find(before, IF_ETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	m = tx_msg((unsigned)i);
	assert_true(ra_has_prefix(&m, "2001:db8:abc:123::", &valid, &pref, NULL));
	assert_true(pref > 0);
	ra_engine_free(e);
}

static void test_dump(void **state)
{
	struct ra_engine *e = relay_engine(true);
	struct nd_ra ra = upstream_ra("2001:db8:abc:123::", 1800);
	assert_true(relay_once(e, &ra, IF_ETH0) >= 0);
	neigh_event(e, IF_ETH0, "2001:db8:abc:123::42", NUD_REACHABLE, false);
	struct ctl_out o;
	struct json j;
	ctl_out_init(&o);
	json_init(&j, &o);
	json_obj(&j);
	ra_engine_dump(e, &j);
	json_obj_end(&j);
	json_end(&j);
	/* islandctl's text from that JSON */
	int rc;
	char *text = render_text("ra", o.buf, o.len, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "prefix 2001:db8:abc:123::/64: valid 1d00h"));
	assert_non_null(strstr(text, "host 2001:db8:abc:123::42 02:cc:00:00:00:09: learned via neighbour"));
	free(text);
	assert_non_null(strstr(o.buf, "\"prefix\":\"2001:db8:abc:123::/64\",\"valid_s\":86400"));
	assert_non_null(strstr(o.buf, "\"addr\":\"2001:db8:abc:123::42\""));
	assert_non_null(strstr(o.buf, "\"hosts_learned\":1"));
	ctl_out_free(&o);
	ra_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relay_transforms),
		cmocka_unit_test(test_relay_pause),
		cmocka_unit_test(test_lifetimes_age),
		cmocka_unit_test(test_prefix_missing_from_one_ra_kept),
		cmocka_unit_test(test_renumbering),
		cmocka_unit_test(test_expired_prefix_sent_with_zero),
		cmocka_unit_test(test_no_prefix_ra_keeps_prefix),
		cmocka_unit_test(test_rs_answer_timing),
		cmocka_unit_test(test_rs_flood_rate_limited),
		cmocka_unit_test(test_unsolicited_timing),
		cmocka_unit_test(test_router_cap),
		cmocka_unit_test(test_router_table_frees),
		cmocka_unit_test(test_prefix_cap),
		cmocka_unit_test(test_ra_downstream_never_relayed),
		cmocka_unit_test(test_own_ra_ignored),
		cmocka_unit_test(test_proxy_flag_ra_ignored),
		cmocka_unit_test(test_rs_at_start),
		cmocka_unit_test(test_rs_answered_and_link_back),
		cmocka_unit_test(test_rs_on_reload),
		cmocka_unit_test(test_upstream_down_router_lifetime_zero),
		cmocka_unit_test(test_relay_shutdown),
		cmocka_unit_test(test_relay_plus_ula),
		cmocka_unit_test(test_rdnss_own_lifetimes),
		cmocka_unit_test(test_dnssl_domains_own_lifetimes),
		cmocka_unit_test(test_pref64_capport_relayed),
		cmocka_unit_test(test_upstream_lifetime_zero_keeps_island_routed),
		cmocka_unit_test(test_dump),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	iftable_free(ifs);
	return rc;
}
