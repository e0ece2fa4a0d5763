/* RA advertise mode: the bytes radvd sends for the same settings, RFC 4861
 * timing, RS answers, the three final RAs at shutdown.
 *
 * The expected ICMPv6 messages below were captured from radvd 2.19 (Debian
 * 12) in a network namespace (veth0, MAC 02:00:00:00:00:0a, link-local
 * fe80::ff:fe00:a, forwarding on) with tcpdump, and printed with scapy:
 * bytes(pkt[IPv6])[40:]. The radvd.conf of each is in the comment above it.
 * Same source address, so the checksums must match too. */
#include <errno.h>

#include "test_ra_harness.h"

enum { IF_VETH0 = 10 };

static struct conf_ra ra_conf;
static struct conf_ra_prefix ra_prefixes[4];
static struct in6_addr ra_rdnss[4];
static char ra_dnssl[4][256];

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; hex[0] && hex[1] && n < cap; hex += 2) {
		unsigned v;
		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static void assert_icmp_equal(unsigned i, const char *expected_hex)
{
	uint8_t want[ND_PACKET_MAX];
	size_t n = unhex(expected_hex, want, sizeof(want));
	assert_true(txs[i].len >= 40);
	const uint8_t *icmp = txs[i].pkt + 40;
	size_t len = txs[i].len - 40;
	if (len != n || memcmp(icmp, want, n) != 0) {
		fprintf(stderr, "want %s\ngot  ", expected_hex);
		for (size_t k = 0; k < len; k++)
			fprintf(stderr, "%02x", icmp[k]);
		fprintf(stderr, "\n");
	}
	assert_int_equal(len, n);
	assert_memory_equal(icmp, want, n);
	/* IPv6 header: hop limit 255, from our link-local to ff02::1 */
	struct in6_addr src = addr6("fe80::ff:fe00:a"), dst = addr6("ff02::1");
	assert_int_equal(txs[i].pkt[0] >> 4, 6);
	assert_int_equal(txs[i].pkt[7], 255);
	assert_memory_equal(txs[i].pkt + 8, &src, 16);
	assert_memory_equal(txs[i].pkt + 24, &dst, 16);
}

/* radvd's defaults for an `ra` block, as the config parser fills them
 * (MaxRtrAdvInterval max, 0.33 * max, 3 * max; RDNSS/DNSSL lifetime = max
 * here, as in the radvd 2.19 captures, by setting it explicitly). */
static struct conf_ra *ra_defaults(uint32_t max)
{
	memset(&ra_conf, 0, sizeof(ra_conf));
	memset(ra_prefixes, 0, sizeof(ra_prefixes));
	snprintf(ra_conf.iface, sizeof(ra_conf.iface), "veth0");
	ra_conf.prefixes = ra_prefixes;
	ra_conf.rdnss = ra_rdnss;
	ra_conf.dnssl = ra_dnssl;
	ra_conf.max_interval_s = max;
	ra_conf.min_interval_s = max * 33 / 100 < 3 ? 3 : max * 33 / 100;
	ra_conf.router_lifetime_s = 3 * max;
	ra_conf.rdnss_lifetime = max;
	ra_conf.dnssl_lifetime = max;
	return &ra_conf;
}

static void add_prefix(const char *p, bool onlink, bool autonomous, uint32_t valid, uint32_t preferred)
{
	ra_prefixes[ra_conf.n_prefixes++] = (struct conf_ra_prefix){
		.prefix = addr6(p), .plen = 64, .onlink = onlink, .autonomous = autonomous,
		.valid_lifetime = valid, .preferred_lifetime = preferred };
}

static struct ra_engine *advert_engine(void)
{
	harness_reset();
	if_add_ll(IF_VETH0, "veth0", 1500, true, "fe80::ff:fe00:a");
	memset(&the_conf, 0, sizeof(the_conf));
	the_conf.ras = &ra_conf;
	the_conf.n_ras = 1;
	struct ra_engine *e = ra_engine_new(fake_loop, &the_conf, ifs, &fake_ops);
	assert_non_null(e);
	return e;
}

/* interface veth0 {
 *	AdvSendAdvert on;
 *	AdvDefaultPreference high;
 *	AdvManagedFlag on;
 *	prefix fd2f::/64 { };
 *	prefix 2001:db8:1::/64 { AdvOnLink off; AdvValidLifetime 3600; AdvPreferredLifetime 1800; };
 *	RDNSS fd2f::53 { };
 *	DNSSL lab.example { };
 * }; */
static const char radvd_defaults[] =
	"8600e8a2408807080000000000000000030440c0000151800000384000000000fd2f0000000000000000000000000000"
	"0304404000000e10000007080000000020010db800010000000000000000000019030000000002"
	"58fd2f00000000000000000000000000531f03000000000258036c6162076578616d706c6500000000010102000000000a";
/* radvd keeps the preference bits in its final RAs; RFC 4191 §2.2 says
 * 00 with router lifetime 0, so islandd differs there (flags 0x88 -> 0x80,
 * checksum +8). */
static const char radvd_defaults_final[] =
	"8600f462408000000000000000000000030440c0000151800000384000000000fd2f0000000000000000000000000000"
	"0304404000000e10000007080000000020010db800010000000000000000000019030000000000"
	"00fd2f00000000000000000000000000531f03000000000000036c6162076578616d706c6500000000010102000000000a";

static void config_defaults(void)
{
	ra_defaults(600);
	ra_conf.preference = 1;
	ra_conf.managed = true;
	add_prefix("fd2f::", true, true, 86400, 14400);
	add_prefix("2001:db8:1::", false, true, 3600, 1800);
	ra_rdnss[0] = addr6("fd2f::53");
	ra_conf.n_rdnss = 1;
	snprintf(ra_dnssl[0], sizeof(ra_dnssl[0]), "lab.example");
	ra_conf.n_dnssl = 1;
}

/* interface veth0 {
 *	AdvSendAdvert on;
 *	MinRtrAdvInterval 3;
 *	MaxRtrAdvInterval 4;
 *	AdvDefaultPreference low;
 *	AdvOtherConfigFlag on;
 *	AdvLinkMTU 1400;
 *	prefix fd2f::/64 { };
 *	prefix 2001:db8:abc:123::/64 { AdvAutonomous off; AdvValidLifetime infinity; AdvPreferredLifetime infinity; };
 *	RDNSS fd2f::1 fd2f::2 { };
 *	DNSSL lab.example home.arpa { };
 * }; */
static const char radvd_mtu[] =
	"8600484a4058000c0000000000000000030440c0000151800000384000000000fd2f0000000000000000000000000000"
	"03044080ffffffffffffffff0000000020010db80abc01230000000000000000"
	"1905000000000004fd2f0000000000000000000000000001fd2f0000000000000000000000000002"
	"1f04000000000004036c6162076578616d706c650004686f6d650461727061000501000000000578010102000000000a";
/* As above: flags 0x58 -> 0x40 (preference low cleared), checksum +0x18. */
static const char radvd_mtu_final[] =
	"86004876404000000000000000000000030440c0000151800000384000000000fd2f0000000000000000000000000000"
	"03044080ffffffffffffffff0000000020010db80abc01230000000000000000"
	"1905000000000000fd2f0000000000000000000000000001fd2f0000000000000000000000000002"
	"1f04000000000000036c6162076578616d706c650004686f6d650461727061000501000000000578010102000000000a";

static void config_mtu(void)
{
	ra_defaults(4);
	ra_conf.min_interval_s = 3;
	ra_conf.preference = -1;
	ra_conf.other = true;
	ra_conf.mtu = 1400;
	add_prefix("fd2f::", true, true, 86400, 14400);
	add_prefix("2001:db8:abc:123::", true, false, 0xffffffffu, 0xffffffffu);
	ra_rdnss[0] = addr6("fd2f::1");
	ra_rdnss[1] = addr6("fd2f::2");
	ra_conf.n_rdnss = 2;
	snprintf(ra_dnssl[0], sizeof(ra_dnssl[0]), "lab.example");
	snprintf(ra_dnssl[1], sizeof(ra_dnssl[1]), "home.arpa");
	ra_conf.n_dnssl = 2;
}

static void check_bytes(void (*config)(void), const char *periodic, const char *final)
{
	config();
	struct ra_engine *e = advert_engine();
	run_for(1);
	int i = tx_find(0, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_icmp_equal((unsigned)i, periodic);
	static const uint8_t mcast_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	assert_int_equal(txs[i].halen, 6);
	assert_memory_equal(txs[i].l2, mcast_mac, 6);
	unsigned before = n_tx;
	ra_engine_shutdown(e);
	assert_int_equal(n_tx - before, 3); /* MAX_FINAL_RTR_ADVERTISEMENTS */
	for (unsigned k = before; k < n_tx; k++)
		assert_icmp_equal(k, final);
	ra_engine_free(e);
}

static void test_bytes_radvd_defaults(void **state)
{
	check_bytes(config_defaults, radvd_defaults, radvd_defaults_final);
}

static void test_bytes_radvd_mtu_two_names(void **state)
{
	check_bytes(config_mtu, radvd_mtu, radvd_mtu_final);
}

static void test_timing(void **state)
{
	config_mtu(); /* interval 3..4 s */
	struct ra_engine *e = advert_engine();
	run_for(120000);
	uint64_t last = 0;
	unsigned n = 0;
	for (unsigned i = 0; i < n_tx; i++) {
		if (tx_type(i) != ND_TYPE_RA)
			continue;
		if (last) {
			assert_true(txs[i].at - last >= 3000);
			assert_true(txs[i].at - last <= 4000);
		}
		last = txs[i].at;
		n++;
	}
	assert_true(n >= 120 / 4);
	ra_engine_free(e);

	config_defaults(); /* 198..600 s, first three <= 16 s apart */
	e = advert_engine();
	run_for(4ull * 3600 * 1000);
	uint64_t at[64] = { 0 };
	n = 0;
	for (unsigned i = 0; i < n_tx && n < 64; i++)
		if (tx_type(i) == ND_TYPE_RA)
			at[n++] = txs[i].at;
	assert_true(n >= 3 + 20);
	assert_true(at[1] - at[0] <= 16000 && at[2] - at[1] <= 16000);
	for (unsigned i = 3; i < n; i++)
		assert_true(at[i] - at[i - 1] >= 198000 && at[i] - at[i - 1] <= 600000);
	ra_engine_free(e);
}

static void test_rs_answered(void **state)
{
	config_defaults();
	struct ra_engine *e = advert_engine();
	run_for(60000);
	unsigned before = n_tx;
	uint64_t t0 = fake_ms();
	send_rs(e, IF_VETH0, "fe80::1234");
	run_for(1000);
	int i = tx_find(before, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_true(txs[i].at - t0 <= 500);
	assert_icmp_equal((unsigned)i, radvd_defaults);
	/* an RA heard on an advertised link is never relayed or merged */
	struct nd_ra other = upstream_ra("2001:db8:66::", 1800);
	send_ra_from(e, IF_VETH0, "fe80::66", &other, router_mac);
	assert_int_equal(ra_engine_counters(e)->ra_not_upstream, 1);
	ra_engine_free(e);
}

static void test_l3_link(void **state)
{
	config_defaults();
	harness_reset();
	snprintf(ra_conf.iface, sizeof(ra_conf.iface), "tun0");
	memset(&the_conf, 0, sizeof(the_conf));
	the_conf.ras = &ra_conf;
	the_conf.n_ras = 1;
	struct ra_engine *e = ra_engine_new(fake_loop, &the_conf, ifs, &fake_ops);
	run_for(1);
	int i = tx_find(0, IF_TUN0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_int_equal(txs[i].halen, 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.slla.len, 0);
	assert_int_equal(m.ra.n_prefixes, 2);
	ra_engine_free(e);
}

static void test_interface_appears_later(void **state)
{
	config_defaults();
	harness_reset();
	memset(&the_conf, 0, sizeof(the_conf));
	the_conf.ras = &ra_conf;
	the_conf.n_ras = 1;
	struct ra_engine *e = ra_engine_new(fake_loop, &the_conf, ifs, &fake_ops);
	bool am = true;
	assert_true(ra_engine_wants_iface(e, "veth0", &am));
	assert_false(am);
	assert_false(ra_engine_wants_iface(e, "eth0", &am));
	run_for(10000);
	assert_int_equal(n_tx, 0); /* veth0 does not exist yet */
	struct nl_link l = { .ifindex = IF_VETH0, .flags = IFF_UP, .mtu = 1500, .lladdr_len = 6,
	                     .lladdr = { 0x02, 0, 0, 0, 0, 0x0a } };
	snprintf(l.name, sizeof(l.name), "veth0");
	iftable_on_link(ifs, &l, false, ra_iface_changed, e);
	run_for(1000);
	assert_int_equal(n_tx, 0); /* no link-local address yet */
	struct nl_addr a = { .ifindex = IF_VETH0, .family = AF_INET6, .addr = addr6("fe80::ff:fe00:a"), .plen = 64,
	                     .scope = RT_SCOPE_LINK };
	iftable_on_addr(ifs, &a, false, ra_iface_changed, e);
	run_for(1);
	int i = tx_find(0, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_icmp_equal((unsigned)i, radvd_defaults);
	/* gone again: silent, and no busy timer */
	iftable_on_link(ifs, &l, true, ra_iface_changed, e);
	unsigned before = n_tx;
	run_for(3600000);
	assert_int_equal(n_tx, before);
	ra_engine_free(e);
}

/* `ra eth0 { }`: no arrays at all (the parser leaves them NULL). */
static void test_empty_block(void **state)
{
	ra_defaults(600);
	ra_conf.prefixes = NULL;
	ra_conf.rdnss = NULL;
	ra_conf.dnssl = NULL;
	struct ra_engine *e = advert_engine();
	run_for(1);
	int i = tx_find(0, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.n_prefixes, 0);
	assert_int_equal(m.ra.n_rdnss, 0);
	assert_int_equal(m.ra.n_dnssl, 0);
	assert_int_equal(m.ra.router_lifetime, 1800);
	ra_engine_free(e);
}


/* --- dynamic prefixes (ra_engine_set_dynamic: the PD sub-delegation) --- */

static struct ra_dynamic dyn_one(const char *prefix, uint64_t pref_ms, uint64_t valid_ms)
{
	struct ra_dynamic d;
	memset(&d, 0, sizeof(d));
	uint64_t now = fake_ms();
	d.prefixes[0] = (struct ra_dyn_prefix){ .prefix = addr6(prefix), .plen = 64,
	                                         .pref_end = now + pref_ms, .valid_end = now + valid_ms };
	d.n_prefixes = 1;
	d.dns[0] = addr6("2001:db8::53");
	d.n_dns = 1;
	snprintf(d.domains[0], sizeof(d.domains[0]), "isp.example");
	d.n_domains = 1;
	d.dns_end = now + valid_ms;
	return d;
}

static struct ra_engine *dyn_engine(bool with_block)
{
	harness_reset();
	if_add_ll(IF_VETH0, "veth0", 1500, true, "fe80::ff:fe00:a");
	memset(&the_conf, 0, sizeof(the_conf));
	if (with_block) {
		the_conf.ras = &ra_conf;
		the_conf.n_ras = 1;
	}
	struct ra_engine *e = ra_engine_new(fake_loop, &the_conf, ifs, &fake_ops);
	assert_non_null(e);
	return e;
}

static uint32_t dnssl_lifetime_of(const struct nd_msg *m, unsigned i)
{
	const uint8_t *b = m->ra.dnssl[i].body;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* No `ra` block: the link gets an advertiser of its own, its RA at once,
 * PIO (L, A) and DNS lifetimes never over what the lease has left. */
static void test_dynamic_own_advertiser(void **state)
{
	struct ra_engine *e = dyn_engine(false);
	bool am;
	assert_false(ra_engine_wants_iface(e, "veth0", &am));
	run_for(1000);
	struct ra_dynamic d = dyn_one("2001:db8:1200:1::", 60000, 120000);
	assert_int_equal(ra_engine_set_dynamic(e, "veth0", &d), 0);
	assert_true(ra_engine_wants_iface(e, "veth0", &am));
	uint64_t t0 = fake_ms();
	run_for(1);
	int i = tx_find(0, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_true(txs[i].at - t0 <= 1);
	struct nd_msg m = tx_msg((unsigned)i);
	uint32_t valid, pref;
	uint8_t flags;
	assert_true(ra_has_prefix(&m, "2001:db8:1200:1::", &valid, &pref, &flags));
	assert_int_equal(flags, ND_PIO_FLAG_ONLINK | ND_PIO_FLAG_AUTO);
	assert_true(valid <= 120 && valid >= 119);
	assert_true(pref <= 60 && pref >= 59);
	assert_int_equal(m.ra.router_lifetime, 1800);
	assert_int_equal(m.ra.n_rdnss, 1);
	assert_true(m.ra.rdnss_lifetime[0] <= 120 && m.ra.rdnss_lifetime[0] >= 119);
	assert_int_equal(m.ra.n_dnssl, 1);
	assert_true(dnssl_lifetime_of(&m, 0) <= 120);
	/* 50 s on, the next RA (the initial burst) counts down with the lease */
	unsigned before = n_tx;
	run_for(50000);
	int k = -1;
	for (unsigned x = before; x < n_tx; x++)
		if (tx_type(x) == ND_TYPE_RA)
			k = (int)x;
	assert_true(k >= 0);
	m = tx_msg((unsigned)k);
	uint64_t age_s = (txs[k].at - t0) / 1000u;
	assert_true(ra_has_prefix(&m, "2001:db8:1200:1::", &valid, &pref, NULL));
	assert_true(valid <= 120 - age_s && pref <= (age_s >= 60 ? 0 : 60 - age_s));
	ra_engine_free(e);
}

/* A long lease: RFC 9096's ND_PREFERRED_LIMIT / ND_VALID_LIMIT cap it. */
static void test_dynamic_limits(void **state)
{
	struct ra_engine *e = dyn_engine(false);
	struct ra_dynamic d = dyn_one("2001:db8:1200:1::", 86400000ull, 172800000ull);
	d.prefixes[0].valid_end = RA_DYN_NEVER;
	ra_engine_set_dynamic(e, "veth0", &d);
	run_for(1);
	int i = tx_find(0, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	uint32_t valid, pref;
	assert_true(ra_has_prefix(&m, "2001:db8:1200:1::", &valid, &pref, NULL));
	assert_int_equal(valid, RA_ND_VALID_LIMIT_S);
	assert_int_equal(pref, RA_ND_PREFERRED_LIMIT_S);
	assert_int_equal(m.ra.rdnss_lifetime[0], 1800); /* 3 * MaxRtrAdvInterval (RFC 8106 §5.1) */
	ra_engine_free(e);
}

/* Renumbering: one RA with the old prefix deprecated (preferred 0, valid
 * counting down) and the new one, as soon as MIN_DELAY_BETWEEN_RAS allows. */
static void test_dynamic_renumber(void **state)
{
	struct ra_engine *e = dyn_engine(false);
	struct ra_dynamic d = dyn_one("2001:db8:1200:1::", 60000, 120000);
	ra_engine_set_dynamic(e, "veth0", &d);
	run_for(1);
	uint64_t first = txs[tx_find(0, IF_VETH0, ND_TYPE_RA)].at;
	run_for(1000); /* 1 s after the first RA: the next one must wait until 3 s */
	uint64_t now = fake_ms();
	struct ra_dynamic n = dyn_one("2001:db8:3400:1::", 60000, 120000);
	n.prefixes[1] = d.prefixes[0];
	n.prefixes[1].pref_end = now;
	n.n_prefixes = 2;
	unsigned before = n_tx;
	assert_int_equal(ra_engine_set_dynamic(e, "veth0", &n), 0);
	run_for(5000);
	int i = tx_find(before, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_int_equal(txs[i].at, first + 3000); /* MIN_DELAY_BETWEEN_RAS */
	struct nd_msg m = tx_msg((unsigned)i);
	uint32_t valid, pref;
	assert_true(ra_has_prefix(&m, "2001:db8:1200:1::", &valid, &pref, NULL));
	assert_int_equal(pref, 0);
	assert_true(valid > 0 && valid <= 117);
	assert_true(ra_has_prefix(&m, "2001:db8:3400:1::", &valid, &pref, NULL));
	assert_true(pref >= 57 && pref <= 60 && valid <= 120);
	/* a renumbering restarts the initial burst: two more within 16 s each */
	assert_true(tx_count(before, IF_VETH0, ND_TYPE_RA) >= 1);
	run_for(40000);
	assert_true(tx_count(before, IF_VETH0, ND_TYPE_RA) >= 3);
	/* the old prefix ran out (valid end + the hold): no longer sent */
	run_for(120000);
	before = n_tx;
	struct ra_dynamic r = n;
	r.prefixes[0].valid_end = fake_ms() + 120000; /* a renewal: one RA at once */
	r.prefixes[0].pref_end = fake_ms() + 60000;
	ra_engine_set_dynamic(e, "veth0", &r);
	run_for(10);
	i = tx_find(before, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	m = tx_msg((unsigned)i);
	assert_false(ra_has_prefix(&m, "2001:db8:1200:1::", NULL, NULL, NULL));
	assert_true(ra_has_prefix(&m, "2001:db8:3400:1::", &valid, &pref, NULL));
	assert_true(valid >= 119);
	ra_engine_free(e);
}

/* Beside an `ra` block: both sets of prefixes in one RA, DNS merged; the
 * block's header stays. Removing the items leaves the block's RA. */
static void test_dynamic_with_block(void **state)
{
	config_defaults();
	struct ra_engine *e = dyn_engine(true);
	run_for(1000);
	struct ra_dynamic d = dyn_one("2001:db8:1200:1::", 60000, 120000);
	d.n_dns = 2;
	d.dns[1] = addr6("fd2f::53"); /* the block has it too: once */
	unsigned before = n_tx;
	assert_int_equal(ra_engine_set_dynamic(e, "veth0", &d), 0);
	run_for(3000);
	int i = tx_find(before, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_true(ra_has_prefix(&m, "fd2f::", NULL, NULL, NULL));
	assert_true(ra_has_prefix(&m, "2001:db8:1200:1::", NULL, NULL, NULL));
	assert_int_equal(m.ra.n_rdnss, 2);
	assert_int_equal(m.ra.n_dnssl, 2);
	assert_int_equal(m.ra.flags & ND_RA_FLAG_MANAGED, ND_RA_FLAG_MANAGED);
	before = n_tx;
	assert_int_equal(ra_engine_set_dynamic(e, "veth0", NULL), 0);
	run_for(4000);
	i = tx_find(before, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	assert_icmp_equal((unsigned)i, radvd_defaults);
	ra_engine_free(e);
}

/* Stopping a link that only had dynamic items: a final RA (router lifetime
 * 0), then silence; a reload keeps the dynamic links. */
static void test_dynamic_stop_and_reload(void **state)
{
	struct ra_engine *e = dyn_engine(false);
	struct ra_dynamic d = dyn_one("2001:db8:1200:1::", 60000, 120000);
	ra_engine_set_dynamic(e, "veth0", &d);
	run_for(1000);
	assert_int_equal(ra_engine_reload(e, &the_conf), 0);
	bool am;
	assert_true(ra_engine_wants_iface(e, "veth0", &am));
	ra_engine_free(e);

	/* the daemon stops: three final RAs, as an advertiser's */
	e = dyn_engine(false);
	d = dyn_one("2001:db8:1200:1::", 60000, 120000);
	ra_engine_set_dynamic(e, "veth0", &d);
	run_for(1000);
	unsigned at_stop = n_tx;
	ra_engine_shutdown(e);
	assert_int_equal(tx_count(at_stop, IF_VETH0, ND_TYPE_RA), 3);
	assert_int_equal(tx_msg(at_stop).ra.router_lifetime, 0);
	ra_engine_free(e);

	e = dyn_engine(false);
	ra_engine_set_dynamic(e, "veth0", &d);
	run_for(5000);
	unsigned before = n_tx;
	assert_int_equal(ra_engine_set_dynamic(e, "veth0", NULL), 0);
	int i = tx_find(before, IF_VETH0, ND_TYPE_RA);
	assert_true(i >= 0);
	struct nd_msg m = tx_msg((unsigned)i);
	assert_int_equal(m.ra.router_lifetime, 0);
	assert_false(ra_engine_wants_iface(e, "veth0", &am));
	before = n_tx;
	run_for(3600000);
	assert_int_equal(n_tx, before);
	/* bad input */
	assert_int_equal(ra_engine_set_dynamic(e, "", &d), -EINVAL);
	snprintf(d.domains[0], sizeof(d.domains[0]), "%s", "a-label-far-too-long-to-be-encoded-because-it-has-more-than-63-bytes.example");
	assert_int_equal(ra_engine_set_dynamic(e, "veth0", &d), -EINVAL);
	ra_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_radvd_defaults),
		cmocka_unit_test(test_bytes_radvd_mtu_two_names),
		cmocka_unit_test(test_timing),
		cmocka_unit_test(test_rs_answered),
		cmocka_unit_test(test_l3_link),
		cmocka_unit_test(test_interface_appears_later),
		cmocka_unit_test(test_empty_block),
		cmocka_unit_test(test_dynamic_own_advertiser),
		cmocka_unit_test(test_dynamic_limits),
		cmocka_unit_test(test_dynamic_renumber),
		cmocka_unit_test(test_dynamic_with_block),
		cmocka_unit_test(test_dynamic_stop_and_reload),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	iftable_free(ifs);
	return rc;
}
