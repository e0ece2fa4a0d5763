/* Unit tests for the DHCPv6 codec (src/proto/dhcp6.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "wire_fixtures.h"

#include <arpa/inet.h>
#include <string.h>

#include "proto/dhcp6.h"

/* Reference messages from scapy 2.5.0 (Debian 12 python3-scapy), server
 * DUID_LLT(lladdr=02:00:00:00:00:01, timeval=0x2a2b2c2d), client
 * DUID_LL(lladdr=02:00:00:00:00:02). */

/* DHCP6_Advertise(trid=0x123456)/ClientId/ServerId/IA_PD(iaid=0x01020304,
 * T1=1000, T2=1600, IAPrefix(3600, 7200, 2001:db8:100:1200::/56))/
 * Pref(255)/DNSServers(2001:db8::53, 2001:db8::54)/DNSDomains(example.org, lan) */
static const char scapy_advertise[] =
	"021234560001000a000300010200000000020002000e000100012a2b2c2d0200000000010019002901020304000003e8"
	"00000640001a001900000e1000001c203820010db801001200000000000000000000070001ff0017002020010db80000"
	"0000000000000000005320010db800000000000000000000005400180012076578616d706c65036f726700036c616e00";
/* DHCP6_Reply(trid=0xabcdef)/ServerId/ClientId/IA_PD(iaid=1, T1=0, T2=0,
 * StatusCode(3, "no binding")) */
static const char scapy_nobinding[] =
	"07abcdef0002000e000100012a2b2c2d0200000000010001000a000300010200000000020019001c0000000100000000"
	"00000000000d000c00036e6f2062696e64696e67";
/* DHCP6_Advertise(trid=1)/ServerId/ClientId/StatusCode(6, "NoPrefixAvail") */
static const char scapy_noprefix[] =
	"020000010002000e000100012a2b2c2d0200000000010001000a00030001020000000002000d000f00064e6f50726566"
	"6978417661696c";
/* DHCP6_Solicit(trid=0x0a0b0c)/ClientId/ElapsedTime(0)/IA_PD(iaid=7,
 * IAPrefix(0, 0, ::/56))/OptReq(23, 24, 82) */
static const char scapy_solicit[] =
	"010a0b0c0001000a0003000102000000000200080002000000190029000000070000000000000000001a001900000000"
	"00000000380000000000000000000000000000000000060006001700180052";
/* DHCP6_RelayForward(linkaddr=2001:db8:1::1, peeraddr=fe80::2)/
 * IfaceId("eth0")/RelayMsg(the Solicit above) */
static const char scapy_relay[] =
	"0c0020010db8000100000000000000000001fe80000000000000000000000000000200120004657468300009004f010a"
	"0b0c0001000a0003000102000000000200080002000000190029000000070000000000000000001a0019000000000000"
	"0000380000000000000000000000000000000000060006001700180052";

static const uint8_t mac_c[6] = { 2, 0, 0, 0, 0, 2 };

static size_t fixture(const char *hex, uint8_t *buf)
{
	size_t n = unhex(hex, buf, 2048);
	assert_true(n > 0);
	return n;
}

static void assert_round_trip(const struct dhcp6_msg *m)
{
	uint8_t out[2048];
	struct dhcp6_msg again;
	size_t n = dhcp6_build(m, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(dhcp6_parse(out, n, &again), DHCP6_OK);
	assert_true(dhcp6_msg_equal(m, &again));
}

static void test_advertise(void **state)
{
	(void)state;
	uint8_t buf[2048];
	size_t n = fixture(scapy_advertise, buf);
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(buf, n, &m), DHCP6_OK);
	assert_int_equal(m.type, DHCP6_ADVERTISE);
	assert_int_equal(m.xid, 0x123456);
	struct dhcp6_duid c;
	dhcp6_duid_ll(&c, mac_c);
	assert_true(dhcp6_duid_equal(&m.client_id, &c));
	assert_int_equal(m.server_id.len, 14);
	assert_int_equal(m.server_id.bytes[1], 1); /* DUID-LLT */
	assert_int_equal(m.n_ia_pd, 1);
	assert_int_equal(m.ia_pd[0].iaid, 0x01020304);
	assert_int_equal(m.ia_pd[0].t1, 1000);
	assert_int_equal(m.ia_pd[0].t2, 1600);
	assert_int_equal(m.ia_pd[0].n_prefixes, 1);
	assert_int_equal(m.ia_pd[0].prefixes[0].preferred, 3600);
	assert_int_equal(m.ia_pd[0].prefixes[0].valid, 7200);
	assert_int_equal(m.ia_pd[0].prefixes[0].plen, 56);
	assert_addr(&m.ia_pd[0].prefixes[0].prefix, "2001:db8:100:1200::");
	assert_true(m.has_preference);
	assert_int_equal(m.preference, 255);
	assert_int_equal(m.n_dns, 2);
	assert_addr(&m.dns[1], "2001:db8::54");
	assert_int_equal(m.n_domains, 2);
	assert_string_equal(m.domains[0], "example.org");
	assert_string_equal(m.domains[1], "lan");
	assert_int_equal(m.n_unknown, 0);
	assert_round_trip(&m);
	char t[3 * DHCP6_DUID_MAX];
	dhcp6_duid_format(&m.server_id, t, sizeof(t));
	assert_string_equal(t, "00:01:00:01:2a:2b:2c:2d:02:00:00:00:00:01");
	struct dhcp6_duid back;
	assert_int_equal(dhcp6_duid_parse_text(t, &back), 0);
	assert_true(dhcp6_duid_equal(&back, &m.server_id));
	assert_int_equal(dhcp6_duid_parse_text("00:0", &back), -1);
}

static void test_status_codes(void **state)
{
	(void)state;
	uint8_t buf[2048];
	size_t n = fixture(scapy_nobinding, buf);
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(buf, n, &m), DHCP6_OK);
	assert_int_equal(m.type, DHCP6_REPLY);
	assert_int_equal(m.xid, 0xabcdef);
	assert_true(m.ia_pd[0].status.present);
	assert_int_equal(m.ia_pd[0].status.code, DHCP6_STATUS_NO_BINDING);
	assert_int_equal(m.ia_pd[0].status.msg_len, 10);
	assert_memory_equal(m.ia_pd[0].status.msg, "no binding", 10);
	assert_string_equal(dhcp6_status_name(m.ia_pd[0].status.code), "NoBinding");
	assert_round_trip(&m);

	n = fixture(scapy_noprefix, buf);
	assert_int_equal(dhcp6_parse(buf, n, &m), DHCP6_OK);
	assert_true(m.status.present);
	assert_int_equal(m.status.code, DHCP6_STATUS_NO_PREFIX_AVAIL);
	assert_int_equal(m.n_ia_pd, 0);
	assert_round_trip(&m);
	assert_null(dhcp6_status_name(99));
}

/* The client's Solicit carries what §18.2.1 and Appendix B ask, and means
 * what scapy's does. */
static void test_build_client_messages(void **state)
{
	(void)state;
	uint8_t buf[2048], ref[2048];
	struct dhcp6_duid c, s;
	dhcp6_duid_ll(&c, mac_c);
	assert_int_equal(c.len, 10);
	uint8_t mac_s[6] = { 2, 0, 0, 0, 0, 1 };
	dhcp6_duid_llt(&s, mac_s, 0x2a2b2c2d);
	struct dhcp6_iaprefix hint = { .plen = 56 };
	struct dhcp6_client_req r = { .xid = 0x0a0b0c, .client_id = &c, .iaid = 7,
	                              .n_prefixes = 1, .prefixes = &hint };
	size_t n = dhcp6_build_solicit(&r, buf, sizeof(buf));
	assert_true(n > 0);
	struct dhcp6_msg mine, theirs;
	assert_int_equal(dhcp6_parse(buf, n, &mine), DHCP6_OK);
	assert_int_equal(dhcp6_parse(ref, fixture(scapy_solicit, ref), &theirs), DHCP6_OK);
	assert_true(dhcp6_msg_equal(&mine, &theirs));
	assert_int_equal(n, fixture(scapy_solicit, ref)); /* same options, same size */
	assert_int_equal(mine.server_id.len, 0);           /* MUST NOT in Solicit */

	/* Request and Renew carry the Server ID; Rebind must not */
	assert_int_equal(dhcp6_build_request(&r, buf, sizeof(buf)), 0); /* no server id: refused */
	r.server_id = &s;
	static size_t (*const with_server[])(const struct dhcp6_client_req *, uint8_t *, size_t) = {
		dhcp6_build_request, dhcp6_build_renew, dhcp6_build_release,
	};
	static const uint8_t types[] = { DHCP6_REQUEST, DHCP6_RENEW, DHCP6_RELEASE };
	for (size_t i = 0; i < 3; i++) {
		n = with_server[i](&r, buf, sizeof(buf));
		assert_int_equal(dhcp6_parse(buf, n, &mine), DHCP6_OK);
		assert_int_equal(mine.type, types[i]);
		assert_true(dhcp6_duid_equal(&mine.server_id, &s));
		assert_true(dhcp6_duid_equal(&mine.client_id, &c));
		assert_true(mine.has_elapsed);
		assert_int_equal(mine.n_ia_pd, 1);
		assert_int_equal(mine.n_oro, types[i] == DHCP6_RELEASE ? 0 : 3);
	}
	n = dhcp6_build_rebind(&r, buf, sizeof(buf));
	assert_int_equal(dhcp6_parse(buf, n, &mine), DHCP6_OK);
	assert_int_equal(mine.type, DHCP6_REBIND);
	assert_int_equal(mine.server_id.len, 0);
	n = dhcp6_build_info_request(&r, buf, sizeof(buf));
	assert_int_equal(dhcp6_parse(buf, n, &mine), DHCP6_OK);
	assert_int_equal(mine.n_ia_pd, 0);
	assert_int_equal(mine.oro[2], DHCP6_OPT_INF_MAX_RT);
	/* a buffer too small is a 0, never an overflow */
	for (size_t cap = 0; cap < 40; cap++)
		assert_int_equal(dhcp6_build_solicit(&r, buf, cap), 0);
}

static void test_relay(void **state)
{
	(void)state;
	uint8_t buf[2048], out[2048];
	size_t n = fixture(scapy_relay, buf);
	struct dhcp6_msg m, inner;
	assert_int_equal(dhcp6_parse(buf, n, &m), DHCP6_OK);
	assert_int_equal(m.type, DHCP6_RELAY_FORW);
	assert_addr(&m.link_addr, "2001:db8:1::1");
	assert_addr(&m.peer_addr, "fe80::2");
	assert_int_equal(m.interface_id_len, 4);
	assert_memory_equal(m.interface_id, "eth0", 4);
	assert_int_equal(dhcp6_parse(m.relay_msg, m.relay_msg_len, &inner), DHCP6_OK);
	assert_int_equal(inner.type, DHCP6_SOLICIT);
	assert_round_trip(&m);
	struct in6_addr link = A("2001:db8:1::1"), peer = A("fe80::2");
	size_t k = dhcp6_build_relay(DHCP6_RELAY_FORW, 0, &link, &peer, (const uint8_t *)"eth0", 4,
	                             m.relay_msg, m.relay_msg_len, out, sizeof(out));
	assert_int_equal(k, n);
	assert_memory_equal(out, buf, n); /* byte for byte scapy's */
	/* a relay message without its Relay Message option */
	uint8_t bare[DHCP6_RELAY_HDR_LEN] = { DHCP6_RELAY_REPL };
	assert_int_equal(dhcp6_parse(bare, sizeof(bare), &m), DHCP6_ERR_RELAY);
	assert_int_equal(dhcp6_parse(bare, 20, &m), DHCP6_ERR_SHORT);
}

/* Each malformed input is refused with its own reason. */
static void test_rejections(void **state)
{
	(void)state;
	static const struct {
		const char *hex;
		enum dhcp6_err want;
		const char *name;
	} cases[] = {
		{ "0712", DHCP6_ERR_SHORT, "short" },
		{ "00000001", DHCP6_ERR_TYPE, "bad_type" },
		{ "ff000001", DHCP6_ERR_TYPE, "bad_type" },
		/* an option header cut short, an option past the end */
		{ "0700000100", DHCP6_ERR_OPT_OVERRUN, "option_overrun" },
		{ "07000001000800050000", DHCP6_ERR_OPT_OVERRUN, "option_overrun" },
		/* elapsed time of 3 bytes, an odd ORO, preference of 0 bytes */
		{ "07000001000800030000ff", DHCP6_ERR_OPT_LEN, "option_length" },
		{ "0700000100060003001700", DHCP6_ERR_OPT_LEN, "option_length" },
		{ "07000001000700 00", DHCP6_ERR_OPT_LEN, "option_length" },
		/* two elapsed times */
		{ "070000010008000200000008000200 00", DHCP6_ERR_DUPLICATE, "duplicate_option" },
		/* a 2-byte DUID */
		{ "0700000100010002 0003", DHCP6_ERR_DUID, "bad_duid" },
		/* IA_PD shorter than its 12 fixed bytes */
		{ "0700000100190004 00000001", DHCP6_ERR_OPT_LEN, "option_length" },
		/* IA Prefix /129 */
		{ "07000001 0019 0029 00000001 00000000 00000000 001a0019 00000000 00000000 81"
		  "20010db8000000000000000000000000", DHCP6_ERR_PREFIX_LEN, "prefix_length" },
		/* IA Prefix at top level, IA_PD inside an IA_PD, IA_PD inside an IA Prefix */
		{ "07000001 001a0019 00000000 00000000 38 20010db8000000000000000000000000",
		  DHCP6_ERR_DEPTH, "nesting" },
		{ "07000001 0019 001c 00000001 00000000 00000000 0019000c 00000001 00000000 00000000",
		  DHCP6_ERR_DEPTH, "nesting" },
		{ "07000001 0019 0039 00000001 00000000 00000000 001a0029 00000000 00000000 38"
		  "20010db8000000000000000000000000 0019000c 00000001 00000000 00000000",
		  DHCP6_ERR_DEPTH, "nesting" },
		/* IA Prefix whose nested option runs past the IA Prefix */
		{ "07000001 0019 002f 00000001 00000000 00000000 001a001f 00000000 00000000 38"
		  "20010db8000000000000000000000000 000d0008 0000", DHCP6_ERR_OPT_OVERRUN, "option_overrun" },
		/* DNS servers of 17 bytes; a domain without its root label; a label with a dot */
		{ "07000001 00170011 20010db8000000000000000000000053 00", DHCP6_ERR_OPT_LEN, "option_length" },
		{ "07000001 00180004 03616263", DHCP6_ERR_DOMAIN, "bad_domain" },
		{ "07000001 00180005 03612e6300", DHCP6_ERR_DOMAIN, "bad_domain" },
		{ "07000001 00180001 00", DHCP6_ERR_DOMAIN, "bad_domain" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[512], clean[1024];
		size_t k = 0;
		for (const char *p = cases[i].hex; *p; p++)
			if (*p != ' ')
				clean[k++] = (uint8_t)*p;
		clean[k] = 0;
		size_t n = unhex((const char *)clean, buf, sizeof(buf));
		struct dhcp6_msg m;
		enum dhcp6_err e = dhcp6_parse(buf, n, &m);
		if (e != cases[i].want)
			print_error("case %zu: got %s, want %s\n", i, dhcp6_err_name(e), cases[i].name);
		assert_int_equal(e, cases[i].want);
		assert_string_equal(dhcp6_err_name(e), cases[i].name);
	}
	uint8_t big[DHCP6_MSG_MAX + 1] = { DHCP6_REPLY };
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(big, sizeof(big), &m), DHCP6_ERR_TOO_LONG);
	/* 9 IA Prefixes in one IA_PD: more than the client holds */
	uint8_t many[4 + 16 + 9 * 29] = { DHCP6_REPLY, 0, 0, 1, 0, DHCP6_OPT_IA_PD };
	many[6] = (uint8_t)((12 + 9 * 29) >> 8);
	many[7] = (uint8_t)(12 + 9 * 29);
	for (int i = 0; i < 9; i++) {
		uint8_t *px = many + 20 + 29 * i;
		px[1] = DHCP6_OPT_IAPREFIX;
		px[3] = 25;
		px[12] = 56;
	}
	assert_int_equal(dhcp6_parse(many, sizeof(many), &m), DHCP6_ERR_TOO_MANY);
	/* unknown options are skipped and counted */
	uint8_t unk[] = { DHCP6_REPLY, 0, 0, 1, 0x12, 0x34, 0, 1, 0xaa };
	assert_int_equal(dhcp6_parse(unk, sizeof(unk), &m), DHCP6_OK);
	assert_int_equal(m.n_unknown, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_advertise),
		cmocka_unit_test(test_status_codes),
		cmocka_unit_test(test_build_client_messages),
		cmocka_unit_test(test_relay),
		cmocka_unit_test(test_rejections),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
