/* Unit tests for the MLD/MRD codec (src/proto/mld.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "wire_fixtures.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "proto/mld.h"
#include "proto/nd.h"

/* Reference packets from scapy 2.5.0 (Debian 12 python3-scapy); each has
 * IPv6ExtHdrHopByHop(options=[RouterAlert(value=0), PadN(optdata=b'')]). */

/* IPv6(src="fe80::41", dst="ff02::16", hlim=1)/hbh/ICMPv6MLReport2(records=[
 *   TO_EX ff02::1:ff00:5, TO_IN {} ff02::1:ff00:6,
 *   IS_IN {fe80::9} ff02::1:ff00:7, BLOCK {fe80::9} ff02::1:ff00:8]) */
static const char scapy_v2[] =
	"6000000000800001fe800000000000000000000000000041ff0200000000000000000000000000163a00050200000100"
	"8f006f2a0000000404000000ff0200000000000000000001ff00000503000000ff0200000000000000000001ff000006"
	"01000001ff0200000000000000000001ff000007fe80000000000000000000000000000906000001ff02000000000000"
	"00000001ff000008fe800000000000000000000000000009";
/* the same from :: with one TO_EX ff02::1:ff00:9 (a host whose link-local
 * address is still tentative, RFC 3810 §5.2.13) */
static const char scapy_v2_unspec[] =
	"600000000024000100000000000000000000000000000000ff0200000000000000000000000000163a00050200000100"
	"8f006f810000000104000000ff0200000000000000000001ff000009";
/* ICMPv6MLReport(mladdr="ff02::1:ff00:5") to the group */
static const char scapy_v1[] =
	"6000000000200001fe800000000000000000000000000041ff0200000000000000000001ff0000053a00050200000100"
	"830081d700000000ff0200000000000000000001ff000005";
/* ICMPv6MLDone(mladdr="ff02::1:ff00:5") to ff02::2 */
static const char scapy_done[] =
	"6000000000200001fe800000000000000000000000000041ff0200000000000000000000000000023a00050200000100"
	"84007fdc00000000ff0200000000000000000001ff000005";
/* IPv6(src="fe80::1", dst="ff02::1", hlim=1)/hbh/ICMPv6MLQuery2(mrd=10000, QRV=2, QQIC=125) */
static const char scapy_query[] =
	"6000000000240001fe800000000000000000000000000001ff0200000000000000000000000000013a00050200000100"
	"820056962710000000000000000000000000000000000000027d0000";

static void test_v2_report_records(void **state)
{
	uint8_t pkt[512];
	size_t len = unhex(scapy_v2, pkt, sizeof(pkt));
	struct mld_msg m;
	assert_int_equal(mld_parse(pkt, len, &m), MLD_OK);
	assert_int_equal(m.type, MLD_TYPE_REPORT_V2);
	assert_int_equal(m.n_records, 4);
	struct mld_iter it = { 0 };
	struct mld_record r;
	struct { const char *g; bool listening, leaving; } want[] = {
		{ "ff02::1:ff00:5", true, false },  /* TO_EX {}: joined */
		{ "ff02::1:ff00:6", false, true },  /* TO_IN {}: left */
		{ "ff02::1:ff00:7", true, false },  /* IS_IN {S}: listening */
		{ "ff02::1:ff00:8", false, false }, /* BLOCK: says nothing about the listener */
	};
	for (unsigned i = 0; i < 4; i++) {
		assert_true(mld_next_record(&m, &it, &r));
		struct in6_addr g = A(want[i].g);
		assert_memory_equal(&r.group, &g, 16);
		assert_int_equal(r.listening, want[i].listening);
		assert_int_equal(r.leaving, want[i].leaving);
	}
	assert_false(mld_next_record(&m, &it, &r));

	len = unhex(scapy_v2_unspec, pkt, sizeof(pkt));
	assert_int_equal(mld_parse(pkt, len, &m), MLD_OK); /* from :: : accepted */
}

static void test_v1_report_done(void **state)
{
	uint8_t pkt[512];
	struct mld_msg m;
	struct mld_iter it = { 0 };
	struct mld_record r;
	struct in6_addr g = A("ff02::1:ff00:5");
	size_t len = unhex(scapy_v1, pkt, sizeof(pkt));
	assert_int_equal(mld_parse(pkt, len, &m), MLD_OK);
	assert_true(mld_next_record(&m, &it, &r));
	assert_memory_equal(&r.group, &g, 16);
	assert_true(r.listening);
	assert_false(mld_next_record(&m, &it, &r));
	len = unhex(scapy_done, pkt, sizeof(pkt));
	assert_int_equal(mld_parse(pkt, len, &m), MLD_OK);
	it = (struct mld_iter){ 0 };
	assert_true(mld_next_record(&m, &it, &r));
	assert_true(r.leaving);
	assert_false(r.listening);
}

static void test_drops(void **state)
{
	uint8_t good[512], pkt[512];
	struct mld_msg m;
	size_t len = unhex(scapy_v1, good, sizeof(good));

	memcpy(pkt, good, len);
	pkt[7] = 255; /* hop limit */
	assert_int_equal(mld_parse(pkt, len, &m), MLD_DROP_HOP_LIMIT);
	memcpy(pkt, good, len);
	pkt[42] = 1; /* PadN instead of Router Alert: no alert */
	assert_int_equal(mld_parse(pkt, len, &m), MLD_DROP_NO_ROUTER_ALERT);
	memcpy(pkt, good, len);
	pkt[8] = 0x20; /* a global source */
	pkt[9] = 0x01;
	assert_int_equal(mld_parse(pkt, len, &m), MLD_DROP_SRC);
	memcpy(pkt, good, len);
	pkt[len - 1] ^= 1; /* the group changes, the checksum does not */
	assert_int_equal(mld_parse(pkt, len, &m), MLD_DROP_CHECKSUM);
	/* a v1 report from :: is refused (only v2 reports may come from ::) */
	memcpy(pkt, good, len);
	memset(pkt + 8, 0, 16);
	assert_int_equal(mld_parse(pkt, len, &m), MLD_DROP_SRC);

	/* a v2 report whose record count runs past the packet */
	len = unhex(scapy_v2, good, sizeof(good));
	memcpy(pkt, good, len);
	pkt[48 + 7] = 5; /* 5 records, 4 present; the checksum is fixed below */
	pkt[48 + 2] = pkt[48 + 3] = 0;
	uint16_t ck = nd_icmp6_checksum((const struct in6_addr *)(pkt + 8), (const struct in6_addr *)(pkt + 24),
	                                pkt + 48, len - 48);
	pkt[48 + 2] = (uint8_t)(ck >> 8);
	pkt[48 + 3] = (uint8_t)ck;
	assert_int_equal(mld_parse(pkt, len, &m), MLD_DROP_TRUNCATED);
	/* cut short: the payload length says more than arrived -> not ours */
	assert_int_equal(mld_parse(good, len - 10, &m), MLD_NOT_MLD);

	/* ND and other ICMPv6 are not MLD (the ND parser takes them) */
	static const char ns[] =
		"6000000000203afffe80000000000000020000fffe000001ff0200000000000000000001ff000002"
		"8700495f0000000020010db800000000020000fffe0000020101020000000001";
	len = unhex(ns, pkt, sizeof(pkt));
	assert_int_equal(mld_parse(pkt, len, &m), MLD_NOT_MLD);
	assert_int_equal(mld_parse(pkt, 10, &m), MLD_NOT_MLD);
	assert_string_equal(mld_drop_name(MLD_DROP_NO_ROUTER_ALERT), "no_router_alert");
}

static void test_build_query(void **state)
{
	uint8_t ref[512], pkt[512];
	struct in6_addr src = A("fe80::1");
	size_t rlen = unhex(scapy_query, ref, sizeof(ref));
	size_t len = mld_build_query(pkt, sizeof(pkt), &src, NULL, 10000, 125);
	assert_int_equal(len, rlen);
	assert_memory_equal(pkt, ref, len); /* byte for byte what scapy builds */
	struct mld_msg m;
	assert_int_equal(mld_parse(pkt, len, &m), MLD_OK);
	assert_int_equal(m.type, MLD_TYPE_QUERY);
	assert_int_equal(m.version, 2);

	/* an address-specific query goes to the group, names it */
	struct in6_addr g = A("ff02::1:ff00:5");
	len = mld_build_query(pkt, sizeof(pkt), &src, &g, 1000, 125);
	assert_int_equal(mld_parse(pkt, len, &m), MLD_OK);
	assert_memory_equal(&m.dst, &g, 16);
	assert_memory_equal(&m.group, &g, 16);
	/* RFC 3810 §5.1.3: 40000 ms needs the exponent form:
	 * 1 exp(3) mant(12), (mant | 0x1000) << (exp + 3) */
	len = mld_build_query(pkt, sizeof(pkt), &src, NULL, 40000, 125);
	unsigned code = (unsigned)pkt[52] << 8 | pkt[53];
	assert_true(code & 0x8000);
	unsigned exp = (code >> 12) & 7, mant = code & 0xfff;
	unsigned back = (mant | 0x1000) << (exp + 3);
	assert_true(back <= 40000 && back > 40000 - (8u << exp));
	assert_int_equal(mld_build_query(pkt, 50, &src, NULL, 10000, 125), 0);
}

static void test_build_mrd(void **state)
{
	uint8_t pkt[128];
	struct in6_addr src = A("fe80::1"), snoopers = A("ff02::6a");
	size_t len = mld_build_mrd_adv(pkt, sizeof(pkt), &src, 20, 125, 2);
	assert_int_equal(len, 40 + 8 + 8);
	assert_int_equal(pkt[7], 1);        /* hop limit */
	assert_int_equal(pkt[6], 0);        /* hop-by-hop */
	assert_int_equal(pkt[42], 5);       /* Router Alert */
	assert_memory_equal(pkt + 24, &snoopers, 16);
	assert_int_equal(pkt[48], MLD_TYPE_MRD_ADV);
	assert_int_equal(pkt[49], 20);
	assert_int_equal(nd_icmp6_checksum(&src, &snoopers, pkt + 48, 8), 0);
	struct mld_msg m;
	assert_int_equal(mld_parse(pkt, len, &m), MLD_NOT_MLD); /* not a listener message */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_report_records),
		cmocka_unit_test(test_v1_report_done),
		cmocka_unit_test(test_drops),
		cmocka_unit_test(test_build_query),
		cmocka_unit_test(test_build_mrd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
