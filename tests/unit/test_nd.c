/* Unit tests for the Neighbor Discovery codec (src/proto/nd*.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "wire_fixtures.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/nd.h"

/* ------------------------------------------------------------------------
 * Reference packets from scapy 2.5.0 (Debian 12 python3-scapy), printed with
 * /usr/bin/python3 -c 'from scapy.all import *; print(bytes(P).hex())'.
 * They prove the checksum and layout against an independent implementation. */

/* IPv6(src="fe80::200:ff:fe00:1", dst="ff02::1:ff00:2")
 * /ICMPv6ND_NS(tgt="2001:db8::200:ff:fe00:2")
 * /ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01") */
static const char scapy_ns[] =
	"6000000000203afffe80000000000000020000fffe000001ff0200000000000000000001ff000002"
	"8700495f0000000020010db800000000020000fffe0000020101020000000001";

/* IPv6(src="2001:db8::2", dst="fe80::1")
 * /ICMPv6ND_NA(tgt="2001:db8::2", R=1, S=1, O=0)
 * /ICMPv6NDOptDstLLAddr(lladdr="02:00:00:00:00:02") */
static const char scapy_na[] =
	"6000000000203aff20010db8000000000000000000000002fe800000000000000000000000000001"
	"880059a9c000000020010db80000000000000000000000020201020000000002";

/* IPv6(src="fe80::1", dst="ff02::2")/ICMPv6ND_RS()
 * /ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01") */
static const char scapy_rs[] =
	"6000000000103afffe800000000000000000000000000001ff020000000000000000000000000002"
	"85007a2c000000000101020000000001";

/* IPv6(src="fe80::1", dst="ff02::1")
 * /ICMPv6ND_RA(chlim=64, M=1, O=1, prf=1, routerlifetime=1800,
 *              reachabletime=30000, retranstimer=1000)
 * /ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::", prefixlen=64,
 *                        validlifetime=86400, preferredlifetime=14400)
 * /ICMPv6NDOptRouteInfo(prefix="2001:db8:2::", plen=48, len=2, prf=1, rtlifetime=3600)
 * /ICMPv6NDOptRDNSS(dns=["2001:db8::53", "2001:db8::54"], lifetime=600)
 * /ICMPv6NDOptDNSSL(searchlist=["example.com", "lan"], lifetime=600)
 * /ICMPv6NDOptMTU(mtu=1480)/ICMPv6NDOptSrcLLAddr(lladdr="02:00:00:00:00:01")
 * (radvd's option order) */
static const char scapy_ra[] =
	"6000000000983afffe800000000000000000000000000001ff020000000000000000000000000001"
	"8600ee3940c8070800007530000003e8030440c000015180000038400000000020010db800010000"
	"00000000000000001802300800000e1020010db800020000190500000000025820010db800000000"
	"000000000000005320010db80000000000000000000000541f04000000000258076578616d706c65"
	"03636f6d00036c616e0000000000000005010000000005c80101020000000001";

/* IPv6(src="::", dst="ff02::1:ff00:2")/ICMPv6ND_NS(tgt="2001:db8::200:ff:fe00:2")
 * /ICMPv6NDOptUnknown(type=14, len=1, data=b'\x01\x02\x03\x04\x05\x06')  (nonce) */
static const char scapy_dad_ns[] =
	"6000000000203aff00000000000000000000000000000000ff0200000000000000000001ff000002"
	"870034d60000000020010db800000000020000fffe0000020e01010203040506";

/* ------------------------------------------------------------------------ */

static const struct nd_lladdr mac1 = { 6, { 0x02, 0, 0, 0, 0, 0x01 } };
static const struct nd_lladdr mac2 = { 6, { 0x02, 0, 0, 0, 0, 0x02 } };

/* Recompute the ICMPv6 checksum after a test edited the packet. */
static void fix_checksum(uint8_t *pkt)
{
	struct in6_addr src, dst;
	memcpy(&src, pkt + 8, 16);
	memcpy(&dst, pkt + 24, 16);
	size_t plen = (size_t)pkt[4] << 8 | pkt[5];
	pkt[42] = pkt[43] = 0;
	uint16_t c = nd_icmp6_checksum(&src, &dst, pkt + 40, plen);
	pkt[42] = (uint8_t)(c >> 8);
	pkt[43] = (uint8_t)c;
}

/* A packet from parts: IPv6 header with hop limit `hlim`, then `icmp`. */
static size_t mk_packet(uint8_t *buf, const char *src, const char *dst, uint8_t hlim,
                        const uint8_t *icmp, size_t icmp_len)
{
	struct in6_addr s = A(src), d = A(dst);
	memset(buf, 0, 40);
	buf[0] = 0x60;
	buf[4] = (uint8_t)(icmp_len >> 8);
	buf[5] = (uint8_t)icmp_len;
	buf[6] = 58;
	buf[7] = hlim;
	memcpy(buf + 8, &s, 16);
	memcpy(buf + 24, &d, 16);
	memcpy(buf + 40, icmp, icmp_len);
	fix_checksum(buf);
	return 40 + icmp_len;
}

/* NS for target with raw options appended. */
static size_t mk_ns(uint8_t *buf, const char *src, const char *dst, const char *target,
                    const uint8_t *opts, size_t olen)
{
	uint8_t icmp[1600] = { 135 };
	struct in6_addr t = A(target);
	memcpy(icmp + 8, &t, 16);
	if (olen)
		memcpy(icmp + 24, opts, olen);
	return mk_packet(buf, src, dst, 255, icmp, 24 + olen);
}

static size_t mk_na(uint8_t *buf, const char *src, const char *dst, const char *target,
                    uint8_t flags, const uint8_t *opts, size_t olen)
{
	uint8_t icmp[1600] = { 136 };
	icmp[4] = flags;
	struct in6_addr t = A(target);
	memcpy(icmp + 8, &t, 16);
	if (olen)
		memcpy(icmp + 24, opts, olen);
	return mk_packet(buf, src, dst, 255, icmp, 24 + olen);
}

static size_t mk_rs(uint8_t *buf, const char *src, const uint8_t *opts, size_t olen)
{
	uint8_t icmp[2100] = { 133 };
	if (olen)
		memcpy(icmp + 8, opts, olen);
	return mk_packet(buf, src, "ff02::2", 255, icmp, 8 + olen);
}

/* RA from fe80::1 to ff02::1: hop limit 64, lifetime 1800, then opts. */
static size_t mk_ra_from(uint8_t *buf, const char *src, const uint8_t *opts, size_t olen)
{
	uint8_t icmp[1600] = { 134, 0, 0, 0, 64, 0, 0x07, 0x08 };
	if (olen)
		memcpy(icmp + 16, opts, olen);
	return mk_packet(buf, src, "ff02::1", 255, icmp, 16 + olen);
}

static size_t mk_ra(uint8_t *buf, const uint8_t *opts, size_t olen)
{
	return mk_ra_from(buf, "fe80::1", opts, olen);
}

static enum nd_drop parse(const uint8_t *pkt, size_t len, struct nd_msg *m)
{
	/* An exact-size heap copy so ASan sees any read past the end. */
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, pkt, len);
	enum nd_drop r = nd_parse(copy, len, m);
	free(copy);
	return r;
}

#define assert_drop(got, want) do { \
	enum nd_drop g_ = (got), w_ = (want); \
	if (g_ != w_) \
		fail_msg("drop %s, expected %s", nd_drop_name(g_), nd_drop_name(w_)); \
} while (0)

/* ------------------------------------------------------------------------
 * scapy reference packets: parse them, and build the same bytes. */

static void test_scapy_ns(void **state)
{
	uint8_t ref[200], out[200];
	size_t n = unhex(scapy_ns, ref, sizeof(ref));
	struct nd_msg m;
	assert_drop(parse(ref, n, &m), ND_OK);
	assert_int_equal(m.type, ND_TYPE_NS);
	assert_int_equal(m.hop_limit, 255);
	assert_addr(&m.src, "fe80::200:ff:fe00:1");
	assert_addr(&m.dst, "ff02::1:ff00:2");
	assert_addr(&m.target, "2001:db8::200:ff:fe00:2");
	assert_int_equal(m.slla.len, 6);
	assert_memory_equal(m.slla.addr, mac1.addr, 6);
	assert_int_equal(m.tlla.len, 0);
	assert_false(m.has_nonce);

	struct in6_addr s = A("fe80::200:ff:fe00:1"), d = A("ff02::1:ff00:2"),
	                t = A("2001:db8::200:ff:fe00:2");
	size_t b = nd_build_ns(out, sizeof(out), &s, &d, &t, &mac1, NULL, 0);
	assert_int_equal(b, n);
	assert_memory_equal(out, ref, n);
}

static void test_scapy_dad_ns_nonce(void **state)
{
	uint8_t ref[200], out[200];
	size_t n = unhex(scapy_dad_ns, ref, sizeof(ref));
	struct nd_msg m;
	assert_drop(parse(ref, n, &m), ND_OK);
	assert_addr(&m.src, "::");
	assert_true(m.has_nonce);
	assert_int_equal(m.nonce_len, 6);
	static const uint8_t nonce[6] = { 1, 2, 3, 4, 5, 6 };
	assert_memory_equal(m.nonce, nonce, 6);
	assert_int_equal(m.slla.len, 0);

	struct in6_addr s = A("::"), d = A("ff02::1:ff00:2"), t = A("2001:db8::200:ff:fe00:2");
	size_t b = nd_build_ns(out, sizeof(out), &s, &d, &t, NULL, nonce, 6);
	assert_int_equal(b, n);
	assert_memory_equal(out, ref, n);
}

static void test_scapy_na(void **state)
{
	uint8_t ref[200], out[200];
	size_t n = unhex(scapy_na, ref, sizeof(ref));
	struct nd_msg m;
	assert_drop(parse(ref, n, &m), ND_OK);
	assert_int_equal(m.type, ND_TYPE_NA);
	assert_int_equal(m.na_flags, ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED);
	assert_addr(&m.target, "2001:db8::2");
	assert_int_equal(m.tlla.len, 6);
	assert_memory_equal(m.tlla.addr, mac2.addr, 6);
	assert_int_equal(m.slla.len, 0);

	struct in6_addr s = A("2001:db8::2"), d = A("fe80::1"), t = A("2001:db8::2");
	size_t b = nd_build_na(out, sizeof(out), &s, &d, &t,
	                       ND_NA_FLAG_ROUTER | ND_NA_FLAG_SOLICITED, &mac2);
	assert_int_equal(b, n);
	assert_memory_equal(out, ref, n);
}

static void test_scapy_rs(void **state)
{
	uint8_t ref[200], out[200];
	size_t n = unhex(scapy_rs, ref, sizeof(ref));
	struct nd_msg m;
	assert_drop(parse(ref, n, &m), ND_OK);
	assert_int_equal(m.type, ND_TYPE_RS);
	assert_addr(&m.dst, "ff02::2");
	assert_int_equal(m.slla.len, 6);
	assert_memory_equal(m.slla.addr, mac1.addr, 6);

	struct in6_addr s = A("fe80::1");
	size_t b = nd_build_rs(out, sizeof(out), &s, &mac1);
	assert_int_equal(b, n);
	assert_memory_equal(out, ref, n);
}

static void test_scapy_ra(void **state)
{
	uint8_t ref[400], out[400];
	size_t n = unhex(scapy_ra, ref, sizeof(ref));
	struct nd_msg m;
	assert_drop(parse(ref, n, &m), ND_OK);
	assert_int_equal(m.type, ND_TYPE_RA);
	const struct nd_ra *ra = &m.ra;
	assert_int_equal(ra->cur_hop_limit, 64);
	assert_int_equal(ra->flags, ND_RA_FLAG_MANAGED | ND_RA_FLAG_OTHER | 0x08);
	assert_int_equal(ra->router_lifetime, 1800);
	assert_int_equal(ra->reachable_time, 30000);
	assert_int_equal(ra->retrans_timer, 1000);
	assert_int_equal(ra->mtu, 1480);
	assert_int_equal(m.slla.len, 6);
	assert_int_equal(ra->n_prefixes, 1);
	assert_int_equal(ra->prefixes[0].plen, 64);
	assert_int_equal(ra->prefixes[0].flags, ND_PIO_FLAG_ONLINK | ND_PIO_FLAG_AUTO);
	assert_int_equal(ra->prefixes[0].valid_lifetime, 86400);
	assert_int_equal(ra->prefixes[0].preferred_lifetime, 14400);
	assert_addr(&ra->prefixes[0].prefix, "2001:db8:1::");
	assert_int_equal(ra->n_routes, 1);
	assert_int_equal(ra->routes[0].plen, 48);
	assert_int_equal(ra->routes[0].pref, 0x08);
	assert_int_equal(ra->routes[0].lifetime, 3600);
	assert_addr(&ra->routes[0].prefix, "2001:db8:2::");
	assert_int_equal(ra->n_rdnss, 2);
	assert_int_equal(ra->rdnss_lifetime[0], 600);
	assert_int_equal(ra->rdnss_lifetime[1], 600);
	assert_addr(&ra->rdnss[0], "2001:db8::53");
	assert_addr(&ra->rdnss[1], "2001:db8::54");
	assert_int_equal(ra->n_dnssl, 1);
	static const uint8_t dnssl[] = "\x00\x00\x02\x58\x07" "example" "\x03" "com" "\x00\x03" "lan";
	assert_int_equal(ra->dnssl[0].len, 28);
	assert_memory_equal(ra->dnssl[0].body, dnssl, sizeof(dnssl)); /* with the NUL after lan */
	assert_int_equal(ra->n_over_cap, 0);
	assert_int_equal(ra->n_ignored, 0);

	/* Build it from a struct filled by hand, not the parsed one. */
	static const uint8_t body[28] = "\x00\x00\x02\x58\x07" "example" "\x03" "com" "\x00\x03" "lan";
	struct nd_ra r = {
		.cur_hop_limit = 64, .flags = 0xc8, .router_lifetime = 1800,
		.reachable_time = 30000, .retrans_timer = 1000, .mtu = 1480,
		.n_prefixes = 1,
		.prefixes[0] = { 64, 0xc0, 86400, 14400, A("2001:db8:1::") },
		.n_routes = 1,
		.routes[0] = { 48, 0x08, 3600, A("2001:db8:2::") },
		.rdnss_lifetime = { 600, 600 }, .n_rdnss = 2,
		.rdnss = { A("2001:db8::53"), A("2001:db8::54") },
		.n_dnssl = 1, .dnssl[0] = { body, sizeof(body) },
	};
	struct in6_addr s = A("fe80::1"), d = A("ff02::1");
	size_t b = nd_build_ra(out, sizeof(out), &s, &d, &r, &mac1);
	assert_int_equal(b, n);
	assert_memory_equal(out, ref, n);
}

/* ------------------------------------------------------------------------
 * Build -> parse round trips. */

static void test_roundtrip_ns_na_rs(void **state)
{
	uint8_t buf[300];
	struct nd_msg m;
	struct in6_addr s = A("2001:db8::1"), d = A("2001:db8::2"), t = A("2001:db8::2");
	struct nd_lladdr long_ll = { 14, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 } };
	struct nd_lladdr odd_ll = { 3, { 0xaa, 0xbb, 0xcc } };
	static const uint8_t nonce[3] = { 9, 8, 7 };

	size_t n = nd_build_ns(buf, sizeof(buf), &s, &d, &t, &long_ll, nonce, 3);
	assert_int_equal(n, 40 + 24 + 16 + 8);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.slla.len, 14);
	assert_memory_equal(m.slla.addr, long_ll.addr, 14);
	assert_true(m.has_nonce);
	assert_int_equal(m.nonce_len, 6); /* padded to a whole option */
	static const uint8_t padded[6] = { 9, 8, 7, 0, 0, 0 };
	assert_memory_equal(m.nonce, padded, 6);

	n = nd_build_na(buf, sizeof(buf), &s, &d, &t, ND_NA_FLAG_OVERRIDE | ND_NA_FLAG_SOLICITED, &odd_ll);
	assert_int_equal(n, 40 + 24 + 8);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.na_flags, ND_NA_FLAG_OVERRIDE | ND_NA_FLAG_SOLICITED);
	assert_int_equal(m.tlla.len, 6);
	static const uint8_t odd_padded[6] = { 0xaa, 0xbb, 0xcc, 0, 0, 0 };
	assert_memory_equal(m.tlla.addr, odd_padded, 6);

	/* No link-layer address (L3 links): no option at all. */
	struct nd_lladdr none = { 0, { 0 } };
	n = nd_build_na(buf, sizeof(buf), &s, &d, &t, 0, &none);
	assert_int_equal(n, 64);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.tlla.len, 0);
	assert_int_equal(nd_build_na(buf, sizeof(buf), &s, &d, &t, 0, NULL), 64);

	struct in6_addr ll = A("fe80::1234");
	n = nd_build_rs(buf, sizeof(buf), &ll, NULL);
	assert_int_equal(n, 48);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.type, ND_TYPE_RS);
	assert_addr(&m.src, "fe80::1234");
	assert_addr(&m.dst, "ff02::2");
	assert_int_equal(m.slla.len, 0);

	/* Arguments that cannot be encoded. */
	struct nd_lladdr too_long = { ND_LLADDR_MAX + 1, { 0 } };
	assert_int_equal(nd_build_na(buf, sizeof(buf), &s, &d, &t, 0, &too_long), 0);
	uint8_t big_nonce[47] = { 0 };
	assert_int_equal(nd_build_ns(buf, sizeof(buf), &s, &d, &t, NULL, big_nonce, 47), 0);
	assert_int_equal(nd_build_ns(buf, sizeof(buf), &s, &d, &t, NULL, big_nonce, 46), 40 + 24 + 48);
}

static void fill_full_ra(struct nd_ra *r, uint8_t bodies[ND_RA_MAX_DNSSL][32])
{
	memset(r, 0, sizeof(*r));
	r->cur_hop_limit = 64;
	r->flags = ND_RA_FLAG_MANAGED | ND_RA_FLAG_PROXY | 0x18;
	r->router_lifetime = 9000;
	r->reachable_time = 1;
	r->retrans_timer = 0xffffffff;
	r->mtu = 1280;
	r->n_prefixes = ND_RA_MAX_PREFIXES;
	for (int i = 0; i < ND_RA_MAX_PREFIXES; i++) {
		struct nd_prefix_info *p = &r->prefixes[i];
		p->plen = (uint8_t)(i * 8);
		p->flags = i & 1 ? ND_PIO_FLAG_ONLINK : ND_PIO_FLAG_AUTO;
		p->valid_lifetime = 1000u + (unsigned)i;
		p->preferred_lifetime = 500u + (unsigned)i;
		p->prefix = A("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
		/* Store it masked, as the parser will. */
		for (int b = p->plen; b < 128; b++)
			p->prefix.s6_addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	}
	r->n_routes = ND_RA_MAX_ROUTES;
	for (int i = 0; i < ND_RA_MAX_ROUTES; i++) {
		struct nd_route_info *ri = &r->routes[i];
		ri->plen = (uint8_t)(i * 128 / (ND_RA_MAX_ROUTES - 1)); /* 0 .. 128 */
		ri->pref = (uint8_t)((i % 3 == 0) ? 0x00 : (i % 3 == 1) ? 0x08 : 0x18);
		ri->lifetime = 77u * (unsigned)i;
		ri->prefix = A("fd00:1111:2222:3333:4444:5555:6666:7777");
		for (int b = ri->plen; b < 128; b++)
			ri->prefix.s6_addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
	}
	r->n_rdnss = ND_RA_MAX_RDNSS;
	for (int i = 0; i < ND_RA_MAX_RDNSS; i++) {
		r->rdnss_lifetime[i] = 300;
		r->rdnss[i] = A("2001:db8::53");
		r->rdnss[i].s6_addr[15] = (uint8_t)i;
	}
	r->n_dnssl = ND_RA_MAX_DNSSL;
	for (int i = 0; i < ND_RA_MAX_DNSSL; i++) {
		/* lifetime, "\x01<letter>\x04home\x00", zero padding to 8 */
		uint8_t *b = bodies[i];
		memset(b, 0, 32);
		b[3] = (uint8_t)i;
		memcpy(b + 4, "\x01" "a\x04home", 7);
		b[5] = (uint8_t)('a' + i);
		r->dnssl[i].body = b;
		r->dnssl[i].len = 12; /* 4 + 8, so 2 + 2 + 12 = 16 bytes */
	}
}

static void test_roundtrip_ra_every_option(void **state)
{
	static uint8_t bodies[ND_RA_MAX_DNSSL][32];
	struct nd_ra r;
	fill_full_ra(&r, bodies);
	uint8_t buf[ND_PACKET_MAX];
	struct in6_addr s = A("fe80::1"), d = A("ff02::1");
	size_t n = nd_build_ra(buf, sizeof(buf), &s, &d, &r, &mac1);
	assert_true(n > 0);
	struct nd_msg m;
	assert_drop(parse(buf, n, &m), ND_OK);
	const struct nd_ra *p = &m.ra;
	assert_int_equal(p->cur_hop_limit, r.cur_hop_limit);
	assert_int_equal(p->flags, r.flags);
	assert_int_equal(p->router_lifetime, r.router_lifetime);
	assert_int_equal(p->reachable_time, r.reachable_time);
	assert_int_equal(p->retrans_timer, r.retrans_timer);
	assert_int_equal(p->mtu, 1280);
	assert_int_equal(m.slla.len, 6);
	assert_int_equal(p->n_prefixes, r.n_prefixes);
	for (int i = 0; i < r.n_prefixes; i++) {
		assert_int_equal(p->prefixes[i].plen, r.prefixes[i].plen);
		assert_int_equal(p->prefixes[i].flags, r.prefixes[i].flags);
		assert_int_equal(p->prefixes[i].valid_lifetime, r.prefixes[i].valid_lifetime);
		assert_int_equal(p->prefixes[i].preferred_lifetime, r.prefixes[i].preferred_lifetime);
		assert_memory_equal(&p->prefixes[i].prefix, &r.prefixes[i].prefix, 16);
	}
	assert_int_equal(p->n_routes, r.n_routes);
	for (int i = 0; i < r.n_routes; i++) {
		assert_int_equal(p->routes[i].plen, r.routes[i].plen);
		assert_int_equal(p->routes[i].pref, r.routes[i].pref);
		assert_int_equal(p->routes[i].lifetime, r.routes[i].lifetime);
		assert_memory_equal(&p->routes[i].prefix, &r.routes[i].prefix, 16);
	}
	for (int i = 0; i < r.n_rdnss; i++)
		assert_int_equal(p->rdnss_lifetime[i], 300);
	assert_int_equal(p->n_rdnss, r.n_rdnss);
	assert_memory_equal(p->rdnss, r.rdnss, sizeof(r.rdnss));
	assert_int_equal(p->n_dnssl, r.n_dnssl);
	for (int i = 0; i < r.n_dnssl; i++) {
		assert_int_equal(p->dnssl[i].len, 12);
		assert_memory_equal(p->dnssl[i].body, bodies[i], 12);
	}
	assert_int_equal(p->n_over_cap, 0);
	assert_int_equal(p->n_ignored, 0);

	/* radvd's option order, checked on the wire: PIO, RIO, RDNSS, DNSSL, MTU, SLLA. */
	static const uint8_t order[] = { 3, 24, 25, 31, 5, 1 };
	size_t off = 40 + 16, k = 0;
	int last = -1;
	while (off < n) {
		uint8_t type = buf[off];
		if (type != last) {
			assert_true(k < sizeof(order));
			assert_int_equal(type, order[k++]);
			last = type;
		}
		off += buf[off + 1] * 8u;
	}
	assert_int_equal(k, sizeof(order));
	assert_int_equal(off, n);

	/* Exactly the size needed fits; one byte less does not. */
	uint8_t small[ND_PACKET_MAX];
	assert_int_equal(nd_build_ra(small, n, &s, &d, &r, &mac1), n);
	assert_int_equal(nd_build_ra(small, n - 1, &s, &d, &r, &mac1), 0);
	r.n_prefixes = ND_RA_MAX_PREFIXES + 1;
	assert_int_equal(nd_build_ra(buf, sizeof(buf), &s, &d, &r, &mac1), 0);
}

static void test_builders_short_buffer(void **state)
{
	uint8_t buf[200];
	struct in6_addr s = A("fe80::1"), d = A("ff02::1:ff00:2"), t = A("2001:db8::2");
	static const uint8_t nonce[6] = { 1 };
	size_t full = nd_build_ns(buf, sizeof(buf), &s, &d, &t, &mac1, nonce, 6);
	assert_int_equal(full, 40 + 24 + 8 + 8);
	for (size_t cap = 0; cap < full; cap++) {
		memset(buf, 0xee, sizeof(buf));
		assert_int_equal(nd_build_ns(buf, cap, &s, &d, &t, &mac1, nonce, 6), 0);
		assert_int_equal(nd_build_na(buf, cap < 72 ? cap : 71, &s, &d, &t, 0, &mac1), 0);
		assert_int_equal(nd_build_rs(buf, cap < 56 ? cap : 55, &s, &mac1), 0);
		for (size_t i = 0; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xee); /* nothing half-written */
	}
	assert_int_equal(nd_build_ns(buf, full, &s, &d, &t, &mac1, nonce, 6), full);
}

/* ------------------------------------------------------------------------
 * One test per drop reason. Each starts from a packet that parses, changes
 * one thing (checksum recomputed unless the checksum is the point). */

static size_t good_ns(uint8_t *buf)
{
	static const uint8_t slla[8] = { 1, 1, 2, 0, 0, 0, 0, 1 };
	return mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", slla, sizeof(slla));
}

static void test_good_ns_is_ok(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	assert_drop(parse(buf, good_ns(buf), &m), ND_OK);
}

static void test_drop_truncated(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = good_ns(buf);
	assert_drop(parse(buf, 0, &m), ND_DROP_TRUNCATED);
	assert_drop(parse(buf, 39, &m), ND_DROP_TRUNCATED);
	assert_drop(parse(buf, n - 1, &m), ND_DROP_TRUNCATED); /* payload length says more */
}

static void test_drop_not_ipv6(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = good_ns(buf);
	buf[0] = 0x45;
	assert_drop(parse(buf, n, &m), ND_DROP_NOT_IPV6);
}

static void test_drop_payload_len(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = good_ns(buf);
	buf[4] = buf[5] = 0; /* jumbogram marker */
	assert_drop(parse(buf, n, &m), ND_DROP_PAYLOAD_LEN);
}

static void test_trailing_bytes_ignored(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = good_ns(buf);
	memset(buf + n, 0xab, 20); /* e.g. Ethernet padding */
	assert_drop(parse(buf, n + 20, &m), ND_OK);
	assert_int_equal(m.slla.len, 6);
}

/* Put an extension header of type `nh` with `ext` bytes in front of the
 * ICMPv6 message of pkt. */
static size_t insert_ext(uint8_t *pkt, size_t n, uint8_t nh, const uint8_t *ext, size_t ext_len)
{
	memmove(pkt + 40 + ext_len, pkt + 40, n - 40);
	memcpy(pkt + 40, ext, ext_len);
	pkt[6] = nh;
	size_t plen = n - 40 + ext_len;
	pkt[4] = (uint8_t)(plen >> 8);
	pkt[5] = (uint8_t)plen;
	return n + ext_len;
}

static void test_drop_fragment(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	/* RFC 6983 atomic fragment: offset 0, M clear, still a fragment. */
	static const uint8_t frag[8] = { 58, 0, 0, 0, 0x12, 0x34, 0x56, 0x78 };
	size_t n = insert_ext(buf, good_ns(buf), 44, frag, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_FRAGMENT);

	/* The same behind a hop-by-hop header. */
	static const uint8_t hbh[8] = { 44, 0, 1, 4, 0, 0, 0, 0 };
	n = insert_ext(buf, n, 0, hbh, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_FRAGMENT);
}

static void test_drop_ext_header(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	static const uint8_t hbh[8] = { 58, 0, 1, 4, 0, 0, 0, 0 };     /* PadN */
	static const uint8_t rh[8] = { 58, 0, 0, 0, 0, 0, 0, 0 };      /* type 0, segs 0 */
	static const uint8_t dst[8] = { 58, 0, 1, 4, 0, 0, 0, 0 };
	size_t n = insert_ext(buf, good_ns(buf), 0, hbh, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_EXT_HEADER);
	n = insert_ext(buf, good_ns(buf), 43, rh, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_EXT_HEADER);
	n = insert_ext(buf, good_ns(buf), 60, dst, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_EXT_HEADER);
	/* A header claiming more than is there. */
	static const uint8_t huge[8] = { 58, 255, 1, 4, 0, 0, 0, 0 };
	n = insert_ext(buf, good_ns(buf), 60, huge, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_EXT_HEADER);
}

static void test_drop_not_icmpv6(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = good_ns(buf);
	buf[6] = 17;
	assert_drop(parse(buf, n, &m), ND_DROP_NOT_ICMPV6);
}

static void test_drop_not_nd(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	static const uint8_t echo[8] = { 128, 0, 0, 0, 0, 1, 0, 1 };
	size_t n = mk_packet(buf, "fe80::1", "fe80::2", 255, echo, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_NOT_ND);
	n = good_ns(buf);
	buf[40] = 138; /* router renumbering: not ours */
	fix_checksum(buf);
	assert_drop(parse(buf, n, &m), ND_DROP_NOT_ND);
}

static void test_drop_hop_limit(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = good_ns(buf);
	buf[7] = 254; /* forwarded once: off-link sender */
	assert_drop(parse(buf, n, &m), ND_DROP_HOP_LIMIT);
}

static void test_drop_code(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = good_ns(buf);
	buf[41] = 1;
	fix_checksum(buf);
	assert_drop(parse(buf, n, &m), ND_DROP_CODE);
}

static void test_drop_checksum(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = good_ns(buf);
	buf[43] ^= 1;
	assert_drop(parse(buf, n, &m), ND_DROP_CHECKSUM);
	n = good_ns(buf);
	buf[n - 1] ^= 0x80; /* body changed, checksum not */
	assert_drop(parse(buf, n, &m), ND_DROP_CHECKSUM);
	n = good_ns(buf);
	buf[23] ^= 1; /* source address is in the pseudo-header */
	assert_drop(parse(buf, n, &m), ND_DROP_CHECKSUM);
}

static void test_drop_icmp_len(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	uint8_t icmp[40] = { 0 };
	struct { uint8_t type; size_t need; const char *src; } cases[] = {
		{ 133, 8, "fe80::1" }, { 134, 16, "fe80::1" }, { 135, 24, "fe80::1" },
		{ 136, 24, "fe80::1" }, { 137, 40, "fe80::1" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		icmp[0] = cases[i].type;
		size_t n = mk_packet(buf, cases[i].src, "fe80::2", 255, icmp, cases[i].need - 1);
		assert_drop(parse(buf, n, &m), ND_DROP_ICMP_LEN);
	}
	/* Fewer than the 4 bytes of ICMPv6 header. */
	size_t n = mk_packet(buf, "fe80::1", "fe80::2", 255, icmp, 3);
	assert_drop(parse(buf, n, &m), ND_DROP_ICMP_LEN);
}

static void test_drop_opt_zero_len(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	static const uint8_t opts[16] = { 1, 1, 2, 0, 0, 0, 0, 1, 99, 0, 0, 0, 0, 0, 0, 0 };
	size_t n = mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", opts, 16);
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_ZERO_LEN);
}

static void test_drop_opt_overrun(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	static const uint8_t opts[8] = { 1, 2, 2, 0, 0, 0, 0, 1 }; /* says 16 bytes */
	size_t n = mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", opts, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_OVERRUN);
	static const uint8_t one[9] = { 1, 1, 2, 0, 0, 0, 0, 1, 7 }; /* 1 byte left over */
	n = mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", one, 9);
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_OVERRUN);
}

static void test_drop_opt_count(void **state)
{
	uint8_t buf[1600];
	uint8_t opts[(ND_MAX_OPTIONS + 1) * 8];
	struct nd_msg m;
	memset(opts, 0, sizeof(opts));
	for (int i = 0; i <= ND_MAX_OPTIONS; i++) {
		opts[i * 8] = 200; /* unknown: allowed, but counted */
		opts[i * 8 + 1] = 1;
	}
	size_t n = mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", opts, ND_MAX_OPTIONS * 8);
	assert_drop(parse(buf, n, &m), ND_OK);
	n = mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", opts, sizeof(opts));
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_COUNT);
}

static void test_drop_target_mcast(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = mk_ns(buf, "fe80::1", "ff02::1:ff00:1", "ff02::1", NULL, 0);
	assert_drop(parse(buf, n, &m), ND_DROP_TARGET_MCAST);
	n = mk_na(buf, "fe80::1", "ff02::1", "ff02::1", 0, NULL, 0);
	assert_drop(parse(buf, n, &m), ND_DROP_TARGET_MCAST);
}

static void test_drop_src_mcast(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = mk_ns(buf, "ff02::1", "ff02::1:ff00:2", "2001:db8::2", NULL, 0);
	assert_drop(parse(buf, n, &m), ND_DROP_SRC_MCAST);
}

static void test_drop_dad_dst(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = mk_ns(buf, "::", "ff02::1", "2001:db8::2", NULL, 0);
	assert_drop(parse(buf, n, &m), ND_DROP_DAD_DST);
	n = mk_ns(buf, "::", "2001:db8::2", "2001:db8::2", NULL, 0);
	assert_drop(parse(buf, n, &m), ND_DROP_DAD_DST);
	n = mk_ns(buf, "::", "ff02::1:ff00:2", "2001:db8::2", NULL, 0);
	assert_drop(parse(buf, n, &m), ND_OK);
}

static void test_drop_dad_slla(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	static const uint8_t slla[8] = { 1, 1, 2, 0, 0, 0, 0, 1 };
	size_t n = mk_ns(buf, "::", "ff02::1:ff00:2", "2001:db8::2", slla, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_DAD_SLLA);
}

static void test_drop_na_solicited_mcast(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = mk_na(buf, "fe80::1", "ff02::1", "2001:db8::2", ND_NA_FLAG_SOLICITED, NULL, 0);
	assert_drop(parse(buf, n, &m), ND_DROP_NA_SOLICITED_MCAST);
	/* Unsolicited to all-nodes is the normal announcement. */
	n = mk_na(buf, "fe80::1", "ff02::1", "2001:db8::2", ND_NA_FLAG_OVERRIDE, NULL, 0);
	assert_drop(parse(buf, n, &m), ND_OK);
}

static void test_drop_ra_src(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	size_t n = mk_ra_from(buf, "2001:db8::1", NULL, 0);
	assert_drop(parse(buf, n, &m), ND_DROP_RA_SRC);
	n = mk_ra_from(buf, "::", NULL, 0);
	assert_drop(parse(buf, n, &m), ND_DROP_RA_SRC);
	n = mk_ra_from(buf, "febf:ffff::1", NULL, 0); /* still fe80::/10 */
	assert_drop(parse(buf, n, &m), ND_OK);
	/* Redirects too. */
	uint8_t icmp[40] = { 137 };
	struct in6_addr t = A("fe80::9");
	memcpy(icmp + 8, &t, 16);
	struct in6_addr d = A("2001:db8::99");
	memcpy(icmp + 24, &d, 16);
	n = mk_packet(buf, "2001:db8::1", "2001:db8::5", 255, icmp, 40);
	assert_drop(parse(buf, n, &m), ND_DROP_RA_SRC);
}

static void test_drop_rs_src_slla(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	static const uint8_t slla[8] = { 1, 1, 2, 0, 0, 0, 0, 1 };
	size_t n = mk_rs(buf, "::", slla, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_RS_SRC_SLLA);
	n = mk_rs(buf, "::", NULL, 0);
	assert_drop(parse(buf, n, &m), ND_OK);
}

static void test_drop_redirect_addr(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	uint8_t icmp[48] = { 137 };
	struct in6_addr t = A("fe80::9"), d = A("2001:db8::99");
	static const uint8_t tlla[8] = { 2, 1, 2, 0, 0, 0, 0, 9 };
	memcpy(icmp + 8, &t, 16);
	memcpy(icmp + 24, &d, 16);
	memcpy(icmp + 40, tlla, 8);
	size_t n = mk_packet(buf, "fe80::1", "2001:db8::5", 255, icmp, 48);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.type, ND_TYPE_REDIRECT);
	assert_addr(&m.target, "fe80::9");
	assert_addr(&m.redirect_dst, "2001:db8::99");
	assert_int_equal(m.tlla.len, 6);
	/* On-link redirect: target == destination, global is fine. */
	memcpy(icmp + 8, &d, 16);
	n = mk_packet(buf, "fe80::1", "2001:db8::5", 255, icmp, 48);
	assert_drop(parse(buf, n, &m), ND_OK);
	/* Global target that is not the destination. */
	struct in6_addr g = A("2001:db8::7");
	memcpy(icmp + 8, &g, 16);
	n = mk_packet(buf, "fe80::1", "2001:db8::5", 255, icmp, 48);
	assert_drop(parse(buf, n, &m), ND_DROP_REDIRECT_ADDR);
	/* Multicast destination. */
	struct in6_addr mc = A("ff02::1");
	memcpy(icmp + 8, &t, 16);
	memcpy(icmp + 24, &mc, 16);
	n = mk_packet(buf, "fe80::1", "2001:db8::5", 255, icmp, 48);
	assert_drop(parse(buf, n, &m), ND_DROP_REDIRECT_ADDR);
}

/* ------------------------------------------------------------------------
 * ND_DROP_OPT_BAD: known options with malformed bodies. */

static void expect_ra_opt(const uint8_t *opt, size_t len, enum nd_drop want)
{
	uint8_t buf[1600];
	struct nd_msg m;
	size_t n = mk_ra(buf, opt, len);
	assert_drop(parse(buf, n, &m), want);
}

static void test_drop_opt_bad_lladdr(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	/* 3 words = 22 bytes of address: more than ND_LLADDR_MAX. */
	uint8_t opt[24] = { 1, 3 };
	size_t n = mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", opt, 24);
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_BAD);
	opt[0] = 2;
	n = mk_na(buf, "fe80::1", "fe80::2", "2001:db8::2", 0, opt, 24);
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_BAD);
	/* In a message that does not use it, the same option is just skipped. */
	opt[0] = 1;
	n = mk_na(buf, "fe80::1", "fe80::2", "2001:db8::2", 0, opt, 24);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.slla.len, 0);
	/* 2 words = 14 bytes: fits. */
	opt[1] = 2;
	n = mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", opt, 16);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.slla.len, 14);
}

static void test_drop_opt_bad_nonce(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	uint8_t opt[56] = { 14, 7 }; /* 54 bytes of nonce: more than we keep */
	size_t n = mk_ns(buf, "::", "ff02::1:ff00:2", "2001:db8::2", opt, 56);
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_BAD);
	opt[1] = 6;
	n = mk_ns(buf, "::", "ff02::1:ff00:2", "2001:db8::2", opt, 48);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.nonce_len, 46);
}

static void test_drop_opt_bad_pio(void **state)
{
	uint8_t pio[40] = { 3, 4, 64, 0xc0, 0, 0, 1, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8 };
	expect_ra_opt(pio, 32, ND_OK);
	pio[1] = 3;
	expect_ra_opt(pio, 24, ND_DROP_OPT_BAD);
	pio[1] = 5;
	expect_ra_opt(pio, 40, ND_DROP_OPT_BAD);
	pio[1] = 4;
	pio[2] = 129;
	expect_ra_opt(pio, 32, ND_DROP_OPT_BAD);
	pio[2] = 128;
	expect_ra_opt(pio, 32, ND_OK);
}

static void test_pio_ignored_not_dropped(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	/* preferred (20) > valid (10): RFC 4862 §5.5.3 c) says ignore the option. */
	uint8_t opts[64] = { 3, 4, 64, 0xc0, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8 };
	/* followed by a good one for 2001:db8:0:1::/64, with host bits set */
	static const uint8_t good[32] = { 3, 4, 64, 0xc0, 0, 0, 0, 10, 0, 0, 0, 5, 0, 0, 0, 0,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
	memcpy(opts + 32, good, 32);
	size_t n = mk_ra(buf, opts, 64);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.n_prefixes, 1);
	assert_int_equal(m.ra.n_ignored, 1);
	assert_addr(&m.ra.prefixes[0].prefix, "2001:db8:0:1::"); /* host bits cleared */
	assert_int_equal(m.ra.prefixes[0].valid_lifetime, 10);
	assert_int_equal(m.ra.prefixes[0].preferred_lifetime, 5);
	/* link-local prefix: ignored too */
	static const uint8_t ll[32] = { 3, 4, 64, 0xc0, 0, 0, 0, 10, 0, 0, 0, 5, 0, 0, 0, 0, 0xfe, 0x80 };
	n = mk_ra(buf, ll, 32);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.n_prefixes, 0);
	assert_int_equal(m.ra.n_ignored, 1);
}

static void test_drop_opt_bad_rdnss(void **state)
{
	uint8_t r[56] = { 25, 3, 0, 0, 0, 0, 1, 0, 0x20, 0x01 };
	expect_ra_opt(r, 24, ND_OK);
	r[1] = 1; /* no address at all (radvd CVE-2011-3601 era shape) */
	expect_ra_opt(r, 8, ND_DROP_OPT_BAD);
	r[1] = 2;
	expect_ra_opt(r, 16, ND_DROP_OPT_BAD);
	r[1] = 4; /* even: half an address */
	expect_ra_opt(r, 32, ND_DROP_OPT_BAD);
	r[1] = 5;
	expect_ra_opt(r, 40, ND_OK);
}

static void test_drop_opt_bad_mtu(void **state)
{
	uint8_t mtu[16] = { 5, 1, 0, 0, 0, 0, 0x05, 0xdc };
	expect_ra_opt(mtu, 8, ND_OK);
	mtu[1] = 2;
	expect_ra_opt(mtu, 16, ND_DROP_OPT_BAD);
}

static void test_drop_opt_bad_rio(void **state)
{
	uint8_t rio[32] = { 24, 1, 0, 0, 0, 0, 0, 60 };
	expect_ra_opt(rio, 8, ND_OK);   /* ::/0 in 1 word */
	rio[2] = 1;
	expect_ra_opt(rio, 8, ND_DROP_OPT_BAD); /* plen > 0 needs 2 words */
	rio[1] = 2;
	rio[2] = 64;
	expect_ra_opt(rio, 16, ND_OK);
	rio[2] = 65;
	expect_ra_opt(rio, 16, ND_DROP_OPT_BAD); /* plen > 64 needs 3 */
	rio[1] = 3;
	expect_ra_opt(rio, 24, ND_OK);
	rio[2] = 129;
	expect_ra_opt(rio, 24, ND_DROP_OPT_BAD);
	rio[1] = 4;
	rio[2] = 64;
	expect_ra_opt(rio, 32, ND_DROP_OPT_BAD);

	/* Reserved preference (binary 10): ignored, not dropped. */
	uint8_t buf[200];
	struct nd_msg m;
	rio[1] = 2;
	rio[3] = 0x10;
	size_t n = mk_ra(buf, rio, 16);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.n_routes, 0);
	assert_int_equal(m.ra.n_ignored, 1);
}

/* DNSSL option: header, lifetime, then `names` padded with zeroes. */
static size_t mk_dnssl(uint8_t *opt, const uint8_t *names, size_t len)
{
	size_t olen = (8 + len + 7) / 8 * 8;
	memset(opt, 0, olen);
	opt[0] = 31;
	opt[1] = (uint8_t)(olen / 8);
	opt[7] = 60;
	memcpy(opt + 8, names, len);
	return olen;
}

static void test_drop_opt_bad_dnssl(void **state)
{
	uint8_t opt[600];
	size_t n;

	n = mk_dnssl(opt, (const uint8_t *)"\x03lan\x00\x04home\x04" "arpa\x00", 16);
	expect_ra_opt(opt, n, ND_OK);

	/* Compression pointer to offset 0. */
	n = mk_dnssl(opt, (const uint8_t *)"\x03lan\xc0\x00", 6);
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	/* Label type 01 (0x40..0x7f) and a 64-byte label. */
	uint8_t long_label[70] = { 64 };
	memset(long_label + 1, 'a', 64);
	n = mk_dnssl(opt, long_label, 66);
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	long_label[0] = 63;
	long_label[64] = 0;
	n = mk_dnssl(opt, long_label, 65);
	expect_ra_opt(opt, n, ND_OK);
	/* A 256-byte name: 4 labels of 63 + length bytes + root. */
	uint8_t long_name[300];
	size_t k = 0;
	for (int i = 0; i < 4; i++) {
		long_name[k++] = 63;
		memset(long_name + k, 'b', 63);
		k += 63;
	}
	long_name[k++] = 0; /* 4 * 64 + 1 = 257 > 255 */
	n = mk_dnssl(opt, long_name, k);
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	/* 255 exactly: 3 * 64 + 1 + 61 + 1 = 255 */
	k = 0;
	for (int i = 0; i < 3; i++) {
		long_name[k++] = 63;
		memset(long_name + k, 'c', 63);
		k += 63;
	}
	long_name[k++] = 61;
	memset(long_name + k, 'd', 61);
	k += 61;
	long_name[k++] = 0;
	assert_int_equal(k, 255);
	n = mk_dnssl(opt, long_name, k);
	expect_ra_opt(opt, n, ND_OK);
	/* Non-zero padding after the last name. */
	n = mk_dnssl(opt, (const uint8_t *)"\x03lan\x00\x00\x07", 7);
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	/* A label running past the option. */
	n = mk_dnssl(opt, (const uint8_t *)"\x3flan", 4);
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	/* A name without its root label at the end of the option. */
	n = mk_dnssl(opt, (const uint8_t *)"\x03lan\x02xy", 7);
	assert_int_equal(n, 16);
	opt[15] = 'z'; /* label "xy" then "z" ... fills to the end, no terminator */
	opt[14] = 'y';
	opt[12] = 3;
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	/* No name at all (radvd CVE-2011-3601 underflowed on short DNSSLs). */
	n = mk_dnssl(opt, (const uint8_t *)"", 0);
	assert_int_equal(n, 8);
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	uint8_t empty[16] = { 31, 2, 0, 0, 0, 0, 0, 60 };
	expect_ra_opt(empty, 16, ND_DROP_OPT_BAD);
}

static void test_dnssl_compression_pointer(void **state)
{
	/* A name ending in a pointer back into the packet: ".lan" -> RA header.
	 * Legal in DNS messages, forbidden here (RFC 8106 §5.2), and the usual
	 * way into a DNS parser loop. */
	uint8_t opt[300];
	size_t n = mk_dnssl(opt, (const uint8_t *)"\x04home\xc0\x0c", 7);
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	/* A pointer to itself. */
	n = mk_dnssl(opt, (const uint8_t *)"\xc0\x08", 2);
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
	/* The same with 200 bytes behind it, so that reading 0xc0 as a
	 * 192-byte label would stay inside the option: only the pointer check
	 * can reject this one. */
	uint8_t names[200] = "\x04home\xc0\x0c";
	n = mk_dnssl(opt, names, sizeof(names));
	expect_ra_opt(opt, n, ND_DROP_OPT_BAD);
}

/* dnsmasq CVE-2017-14492: an RS whose SLLA option claims 255 * 8 = 2040
 * bytes. In a normal-sized packet that is an overrun; even when the bytes
 * are really there, 2038 bytes of address is no link-layer address. */
static void test_cve_2017_14492(void **state)
{
	static uint8_t buf[2200], opts[2040];
	struct nd_msg m;
	opts[0] = 1;
	opts[1] = 255;
	size_t n = mk_rs(buf, "fe80::1", opts, 8);
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_OVERRUN);
	n = mk_rs(buf, "fe80::1", opts, sizeof(opts));
	assert_int_equal(n, 40 + 8 + 2040);
	assert_drop(parse(buf, n, &m), ND_DROP_OPT_BAD);
}

/* ------------------------------------------------------------------------
 * Caps, duplicates, unknown options. */

static void test_ra_caps(void **state)
{
	uint8_t buf[1600], opts[1400];
	struct nd_msg m;
	size_t k = 0;
	for (int i = 0; i < ND_RA_MAX_PREFIXES + 3; i++) {
		uint8_t *p = opts + k;
		memset(p, 0, 32);
		p[0] = 3; p[1] = 4; p[2] = 64; p[7] = 100; p[11] = 50;
		p[16] = 0x20; p[17] = 0x01; p[18] = 0x0d; p[19] = 0xb8; p[21] = (uint8_t)i;
		k += 32;
	}
	/* RDNSS: 5 + 5 addresses against a cap of 8. */
	for (int o = 0; o < 2; o++) {
		uint8_t *p = opts + k;
		memset(p, 0, 88);
		p[0] = 25; p[1] = 11; p[7] = (uint8_t)(o ? 99 : 42);
		for (int i = 0; i < 5; i++)
			p[8 + 16 * i] = (uint8_t)(o * 5 + i + 1);
		k += 88;
	}
	size_t n = mk_ra(buf, opts, k);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.n_prefixes, ND_RA_MAX_PREFIXES);
	assert_int_equal(m.ra.prefixes[ND_RA_MAX_PREFIXES - 1].prefix.s6_addr[5], ND_RA_MAX_PREFIXES - 1);
	assert_int_equal(m.ra.n_rdnss, ND_RA_MAX_RDNSS);
	assert_int_equal(m.ra.rdnss[7].s6_addr[0], 8);
	for (int i = 0; i < ND_RA_MAX_RDNSS; i++) /* each its own option's */
		assert_int_equal(m.ra.rdnss_lifetime[i], i < 5 ? 42 : 99);
	assert_int_equal(m.ra.n_over_cap, 3 + 2);

	/* DNSSL and RIO caps. */
	k = 0;
	for (int i = 0; i < ND_RA_MAX_DNSSL + 2; i++)
		k += mk_dnssl(opts + k, (const uint8_t *)"\x03lan\x00", 5);
	for (int i = 0; i < ND_RA_MAX_ROUTES + 1; i++) {
		uint8_t *p = opts + k;
		memset(p, 0, 8);
		p[0] = 24; p[1] = 1;
		k += 8;
	}
	n = mk_ra(buf, opts, k);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.n_dnssl, ND_RA_MAX_DNSSL);
	assert_int_equal(m.ra.n_routes, ND_RA_MAX_ROUTES);
	assert_int_equal(m.ra.n_over_cap, 3);
}

/* ------------------------------------------------------------------------
 * Issue 11: RDNSS lifetimes per option (RFC 8106 §5.1), PREF64 (RFC 8781),
 * captive portal (RFC 8910). */

static size_t mk_rdnss(uint8_t *p, uint32_t lifetime, const char *const *addrs, unsigned n)
{
	memset(p, 0, 8 + 16 * n);
	p[0] = 25;
	p[1] = (uint8_t)(1 + 2 * n);
	p[4] = (uint8_t)(lifetime >> 24);
	p[5] = (uint8_t)(lifetime >> 16);
	p[6] = (uint8_t)(lifetime >> 8);
	p[7] = (uint8_t)lifetime;
	for (unsigned i = 0; i < n; i++) {
		struct in6_addr a = A(addrs[i]);
		memcpy(p + 8 + 16 * i, &a, 16);
	}
	return 8 + 16 * n;
}

/* Two options, three servers: each address keeps its own option's lifetime,
 * a withdrawn one (0) too; the builder writes them back as they came. */
static void test_rdnss_lifetime_per_option(void **state)
{
	uint8_t buf[400], opts[200], out[400];
	struct nd_msg m;
	static const char *const first[] = { "2001:db8::53" };
	static const char *const second[] = { "2001:db8::54", "2001:db8::55" };
	size_t k = mk_rdnss(opts, 0, first, 1);
	k += mk_rdnss(opts + k, 595, second, 2);
	size_t n = mk_ra(buf, opts, k);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.n_rdnss, 3);
	assert_int_equal(m.ra.rdnss_lifetime[0], 0);
	assert_int_equal(m.ra.rdnss_lifetime[1], 595);
	assert_int_equal(m.ra.rdnss_lifetime[2], 595);

	/* Build: one option per run of equal lifetimes, byte for byte what came. */
	struct in6_addr s = A("fe80::1"), d = A("ff02::1");
	size_t b = nd_build_ra(out, sizeof(out), &s, &d, &m.ra, NULL);
	assert_int_equal(b, n);
	assert_memory_equal(out + 40 + 16, opts, k);

	/* Three lifetimes, the middle one different: three options. */
	struct nd_ra r = { .n_rdnss = 3, .rdnss = { A("2001:db8::1"), A("2001:db8::2"), A("2001:db8::3") },
	                   .rdnss_lifetime = { 600, 10, 600 } };
	b = nd_build_ra(out, sizeof(out), &s, &d, &r, NULL);
	assert_int_equal(b, 40 + 16 + 3 * 24);
	assert_int_equal(out[56], 25);
	assert_int_equal(out[56 + 1], 3);
	assert_int_equal(out[56 + 24 + 7], 10);
	assert_drop(parse(out, b, &m), ND_OK);
	assert_int_equal(m.ra.n_rdnss, 3);
	for (int i = 0; i < 3; i++) {
		assert_memory_equal(&m.ra.rdnss[i], &r.rdnss[i], 16);
		assert_int_equal(m.ra.rdnss_lifetime[i], r.rdnss_lifetime[i]);
	}
}

static size_t mk_pref64(uint8_t *p, uint8_t len, uint16_t scaled, uint8_t plc, const char *prefix)
{
	memset(p, 0, (size_t)len * 8);
	p[0] = 38;
	p[1] = len;
	uint16_t f = (uint16_t)(scaled << 3 | plc);
	p[2] = (uint8_t)(f >> 8);
	p[3] = (uint8_t)f;
	struct in6_addr a = A(prefix);
	memcpy(p + 4, &a, 12);
	return (size_t)len * 8;
}

static void test_pref64(void **state)
{
	uint8_t buf[400], opts[200], out[400];
	struct nd_msg m;
	size_t k = mk_pref64(opts, 2, 225, 0, "64:ff9b::");         /* /96, 1800 s */
	k += mk_pref64(opts + k, 2, 75, 5, "2001:db8:ffff:ffff::"); /* /32, 600 s: bits past 32 cleared */
	k += mk_pref64(opts + k, 3, 75, 0, "64:ff9b::");            /* length 3: ignored */
	k += mk_pref64(opts + k, 2, 75, 6, "64:ff9b::");            /* PLC 6: ignored */
	size_t n = mk_ra(buf, opts, k);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.n_pref64, 2);
	assert_int_equal(m.ra.n_ignored, 2);
	assert_int_equal(m.ra.pref64[0].plen, 96);
	assert_int_equal(m.ra.pref64[0].lifetime, 1800);
	struct in6_addr wkp = A("64:ff9b::"), p32 = A("2001:db8::");
	assert_memory_equal(m.ra.pref64[0].prefix, &wkp, 12);
	assert_int_equal(m.ra.pref64[1].plen, 32);
	assert_int_equal(m.ra.pref64[1].lifetime, 600);
	assert_memory_equal(m.ra.pref64[1].prefix, &p32, 12);

	/* Build: lifetimes rounded up to 8 s, capped at 8191 units, PLC from plen. */
	struct in6_addr s = A("fe80::1"), d = A("ff02::1");
	struct nd_ra r = { .n_pref64 = 3 };
	r.pref64[0] = (struct nd_pref64){ .plen = 64, .lifetime = 601 };
	memcpy(r.pref64[0].prefix, &wkp, 12);
	r.pref64[1] = (struct nd_pref64){ .plen = 56, .lifetime = 65535 };
	r.pref64[2] = (struct nd_pref64){ .plen = 40, .lifetime = 0 };
	size_t b = nd_build_ra(out, sizeof(out), &s, &d, &r, NULL);
	assert_int_equal(b, 40 + 16 + 3 * 16);
	assert_int_equal(out[56], 38);
	assert_int_equal(out[57], 2);
	assert_int_equal((out[58] << 8 | out[59]), 76 << 3 | 1);
	assert_int_equal((out[74] << 8 | out[75]), 8191 << 3 | 2);
	assert_int_equal((out[90] << 8 | out[91]), 0 << 3 | 4);
	assert_drop(parse(out, b, &m), ND_OK);
	assert_int_equal(m.ra.n_pref64, 3);
	assert_int_equal(m.ra.pref64[0].lifetime, 608);
	assert_int_equal(m.ra.pref64[2].lifetime, 0);
	/* No PLC for a length RFC 8781 does not list: not encodable. */
	r.pref64[0].plen = 60;
	assert_int_equal(nd_build_ra(out, sizeof(out), &s, &d, &r, NULL), 0);
	/* More than the cap: counted, not stored. */
	k = 0;
	for (int i = 0; i < ND_RA_MAX_PREF64 + 1; i++)
		k += mk_pref64(opts + k, 2, 75, 0, "64:ff9b::");
	n = mk_ra(buf, opts, k);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.n_pref64, ND_RA_MAX_PREF64);
	assert_int_equal(m.ra.n_over_cap, 1);
}

static size_t mk_capport(uint8_t *p, const char *uri, size_t pad_to)
{
	size_t n = strlen(uri);
	size_t olen = pad_to ? pad_to : (2 + n + 7) / 8 * 8;
	memset(p, 0, olen);
	p[0] = 37;
	p[1] = (uint8_t)(olen / 8);
	memcpy(p + 2, uri, n);
	return olen;
}

static void test_capport(void **state)
{
	static uint8_t buf[2400], opts[2200], out[2400];
	struct nd_msg m;
	static const char uri[] = "https://portal.example/api/v1";
	size_t k = mk_capport(opts, uri, 0);
	k += mk_capport(opts + k, "https://second.example/", 0); /* the first wins */
	size_t n = mk_ra(buf, opts, k);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.capport_len, strlen(uri));
	assert_memory_equal(m.ra.capport, uri, strlen(uri));
	assert_int_equal(m.ra.n_ignored, 0);
	/* Build: NUL-padded to 8, parsed back the same. (The parser's
	 * pointers die with its copy of the packet: build from our own.) */
	struct in6_addr s = A("fe80::1"), d = A("ff02::1");
	struct nd_ra r = { .capport = (const uint8_t *)uri, .capport_len = (uint16_t)strlen(uri) };
	size_t b = nd_build_ra(out, sizeof(out), &s, &d, &r, NULL);
	assert_int_equal(b, 40 + 16 + 32);
	assert_int_equal(out[56], 37);
	assert_int_equal(out[57], 4);
	assert_memory_equal(out + 58, uri, strlen(uri));
	assert_int_equal(out[58 + strlen(uri)], 0);
	assert_drop(parse(out, b, &m), ND_OK);
	assert_int_equal(m.ra.capport_len, strlen(uri));

	/* Not a URI: ignored and counted, the RA kept. */
	static const char *const bad[] = { "", "https://a b/", "https://x/\x01", "https://\xc3\xa9.example/" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = mk_ra(buf, opts, mk_capport(opts, bad[i], 0));
		assert_drop(parse(buf, n, &m), ND_OK);
		assert_int_equal(m.ra.capport_len, 0);
		assert_int_equal(m.ra.n_ignored, 1);
	}
	/* A NUL inside, then text: ignored. */
	k = mk_capport(opts, "https://a/", 16);
	opts[2 + 11] = 'x';
	n = mk_ra(buf, opts, k);
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.capport_len, 0);
	/* Longer than ND_CAPPORT_MAX: ignored; exactly that long: kept. */
	static char longuri[ND_CAPPORT_MAX + 2];
	memset(longuri, 'a', sizeof(longuri) - 1);
	memcpy(longuri, "https://", 8);
	n = mk_ra(buf, opts, mk_capport(opts, longuri, 0));
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.capport_len, 0);
	longuri[ND_CAPPORT_MAX] = 0;
	n = mk_ra(buf, opts, mk_capport(opts, longuri, 0));
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.capport_len, ND_CAPPORT_MAX);
	r.capport = (const uint8_t *)longuri;
	r.capport_len = ND_CAPPORT_MAX;
	b = nd_build_ra(out, sizeof(out), &s, &d, &r, NULL);
	assert_int_equal(b, 40 + 16 + 520);
	r.capport_len = ND_CAPPORT_MAX + 1;
	assert_int_equal(nd_build_ra(out, sizeof(out), &s, &d, &r, NULL), 0);
}

static void test_duplicates_and_unknown(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	static const uint8_t opts[] = {
		200, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* unknown, 16 bytes */
		1, 1, 0xaa, 0, 0, 0, 0, 1,                         /* SLLA #1 wins */
		1, 1, 0xbb, 0, 0, 0, 0, 2,
		2, 1, 0xcc, 0, 0, 0, 0, 3,                         /* TLLA in NS: ignored */
	};
	size_t n = mk_ns(buf, "fe80::1", "ff02::1:ff00:2", "2001:db8::2", opts, sizeof(opts));
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.slla.len, 6);
	assert_int_equal(m.slla.addr[0], 0xaa);
	assert_int_equal(m.tlla.len, 0);

	static const uint8_t mtus[] = { 5, 1, 0, 0, 0, 0, 0x05, 0x00, 5, 1, 0, 0, 0, 0, 0x06, 0x00 };
	n = mk_ra(buf, mtus, sizeof(mtus));
	assert_drop(parse(buf, n, &m), ND_OK);
	assert_int_equal(m.ra.mtu, 0x500);
}

/* ------------------------------------------------------------------------
 * A valid NS cut at every byte: never a read out of bounds (the copy in
 * parse() is exactly n bytes, so ASan sees any overread). */

static void test_truncated_every_offset(void **state)
{
	uint8_t buf[200];
	struct nd_msg m;
	static const uint8_t nonce[6] = { 1, 2, 3, 4, 5, 6 };
	struct in6_addr s = A("fe80::1"), d = A("ff02::1:ff00:2"), t = A("2001:db8::2");
	size_t full = nd_build_ns(buf, sizeof(buf), &s, &d, &t, &mac1, nonce, 6);
	assert_int_equal(full, 40 + 24 + 16);
	assert_drop(parse(buf, full, &m), ND_OK);
	for (size_t n = 0; n < full; n++)
		assert_drop(parse(buf, n, &m), ND_DROP_TRUNCATED);

	/* And with the payload length (and checksum) fixed to match each cut,
	 * so the deeper checks run on a short message. */
	for (size_t n = 40; n < full; n++) {
		uint8_t cut[200];
		memcpy(cut, buf, n);
		size_t plen = n - 40;
		cut[4] = 0;
		cut[5] = (uint8_t)plen;
		enum nd_drop want;
		if (plen == 0)
			want = ND_DROP_PAYLOAD_LEN;
		else if (plen < 24)
			want = ND_DROP_ICMP_LEN;
		else if (plen == 24 || plen == 32)
			want = ND_OK; /* cut between options */
		else
			want = ND_DROP_OPT_OVERRUN;
		if (plen >= 4)
			fix_checksum(cut);
		assert_drop(parse(cut, n, &m), want);
	}
}

/* ------------------------------------------------------------------------
 * Checksum, address helpers, names. */

static void test_checksum_odd_length(void **state)
{
	/* Known value worked by hand: pseudo-header of ::/:: with length 3 and
	 * next header 58, data 01 02 03 -> words 0x0003 + 0x003a + 0x0102 + 0x0300. */
	struct in6_addr z = A("::");
	static const uint8_t data[3] = { 1, 2, 3 };
	uint16_t want = (uint16_t)~(0x0003 + 0x003a + 0x0102 + 0x0300);
	assert_int_equal(nd_icmp6_checksum(&z, &z, data, 3), want);
}

static void test_address_helpers(void **state)
{
	struct in6_addr a = A("2001:db8::aabb:ccdd:eeff:1122"), out;
	nd_solicited_node(&a, &out);
	assert_addr(&out, "ff02::1:ffff:1122");
	assert_true(nd_is_solicited_node(&out));
	nd_solicited_node(&a, &a); /* in place */
	assert_addr(&a, "ff02::1:ffff:1122");
	struct in6_addr no = A("ff02::1:fe00:1");
	assert_false(nd_is_solicited_node(&no));
	no = A("ff05::1:ff00:1");
	assert_false(nd_is_solicited_node(&no));
	no = A("ff02::1");
	assert_false(nd_is_solicited_node(&no));

	uint8_t mac[6];
	nd_mcast_mac(&out, mac);
	static const uint8_t want[6] = { 0x33, 0x33, 0xff, 0xff, 0x11, 0x22 };
	assert_memory_equal(mac, want, 6);
	struct in6_addr all = A("ff02::1");
	nd_mcast_mac(&all, mac);
	static const uint8_t want_all[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	assert_memory_equal(mac, want_all, 6);
}

static void test_prefix_match(void **state)
{
	struct in6_addr p = A("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
	for (int plen = 0; plen <= 128; plen++) {
		assert_true(nd_prefix_match(&p, &p, (uint8_t)plen));
		for (int bit = 0; bit < 128; bit++) {
			struct in6_addr q = p;
			q.s6_addr[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
			/* Flipping a bit inside the prefix breaks the match, outside not. */
			if (nd_prefix_match(&q, &p, (uint8_t)plen) != (bit >= plen))
				fail_msg("plen %d bit %d", plen, bit);
		}
	}
	assert_false(nd_prefix_match(&p, &p, 129));
	struct in6_addr in = A("2001:db8:1:2::5"), pfx = A("2001:db8:1::");
	assert_true(nd_prefix_match(&in, &pfx, 48));
	assert_false(nd_prefix_match(&in, &pfx, 64));
}

static void test_drop_names(void **state)
{
	assert_string_equal(nd_drop_name(ND_OK), "ok");
	assert_string_equal(nd_drop_name(ND_DROP_HOP_LIMIT), "hop_limit");
	assert_string_equal(nd_drop_name(ND_DROP_OPT_ZERO_LEN), "opt_zero_len");
	assert_string_equal(nd_drop_name(ND_DROP_NA_SOLICITED_MCAST), "na_solicited_mcast");
	assert_string_equal(nd_drop_name(ND_DROP_RS_SRC_SLLA), "rs_src_slla");
	assert_string_equal(nd_drop_name(ND_DROP__MAX), "unknown");
	assert_string_equal(nd_drop_name((enum nd_drop)1000), "unknown");
	/* Every value named, lower-case snake_case, no two alike. */
	for (int i = 0; i < ND_DROP__MAX; i++) {
		const char *a = nd_drop_name((enum nd_drop)i);
		assert_string_not_equal(a, "unknown");
		for (const char *c = a; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_');
		for (int j = 0; j < i; j++)
			assert_string_not_equal(a, nd_drop_name((enum nd_drop)j));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scapy_ns),
		cmocka_unit_test(test_scapy_dad_ns_nonce),
		cmocka_unit_test(test_scapy_na),
		cmocka_unit_test(test_scapy_rs),
		cmocka_unit_test(test_scapy_ra),
		cmocka_unit_test(test_roundtrip_ns_na_rs),
		cmocka_unit_test(test_roundtrip_ra_every_option),
		cmocka_unit_test(test_builders_short_buffer),
		cmocka_unit_test(test_good_ns_is_ok),
		cmocka_unit_test(test_drop_truncated),
		cmocka_unit_test(test_drop_not_ipv6),
		cmocka_unit_test(test_drop_payload_len),
		cmocka_unit_test(test_trailing_bytes_ignored),
		cmocka_unit_test(test_drop_fragment),
		cmocka_unit_test(test_drop_ext_header),
		cmocka_unit_test(test_drop_not_icmpv6),
		cmocka_unit_test(test_drop_not_nd),
		cmocka_unit_test(test_drop_hop_limit),
		cmocka_unit_test(test_drop_code),
		cmocka_unit_test(test_drop_checksum),
		cmocka_unit_test(test_drop_icmp_len),
		cmocka_unit_test(test_drop_opt_zero_len),
		cmocka_unit_test(test_drop_opt_overrun),
		cmocka_unit_test(test_drop_opt_count),
		cmocka_unit_test(test_drop_target_mcast),
		cmocka_unit_test(test_drop_src_mcast),
		cmocka_unit_test(test_drop_dad_dst),
		cmocka_unit_test(test_drop_dad_slla),
		cmocka_unit_test(test_drop_na_solicited_mcast),
		cmocka_unit_test(test_drop_ra_src),
		cmocka_unit_test(test_drop_rs_src_slla),
		cmocka_unit_test(test_drop_redirect_addr),
		cmocka_unit_test(test_drop_opt_bad_lladdr),
		cmocka_unit_test(test_drop_opt_bad_nonce),
		cmocka_unit_test(test_drop_opt_bad_pio),
		cmocka_unit_test(test_pio_ignored_not_dropped),
		cmocka_unit_test(test_drop_opt_bad_rdnss),
		cmocka_unit_test(test_drop_opt_bad_mtu),
		cmocka_unit_test(test_drop_opt_bad_rio),
		cmocka_unit_test(test_drop_opt_bad_dnssl),
		cmocka_unit_test(test_dnssl_compression_pointer),
		cmocka_unit_test(test_cve_2017_14492),
		cmocka_unit_test(test_ra_caps),
		cmocka_unit_test(test_duplicates_and_unknown),
		cmocka_unit_test(test_rdnss_lifetime_per_option),
		cmocka_unit_test(test_pref64),
		cmocka_unit_test(test_capport),
		cmocka_unit_test(test_truncated_every_offset),
		cmocka_unit_test(test_checksum_odd_length),
		cmocka_unit_test(test_address_helpers),
		cmocka_unit_test(test_prefix_match),
		cmocka_unit_test(test_drop_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
