/* Unit tests for the ARP codec (src/proto/arp.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "wire_fixtures.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "proto/arp.h"

/* Reference frames from scapy 2.5.0 (Debian 12 python3-scapy). */
/* ARP(op=1, hwsrc=02:00:00:00:00:01, psrc=192.168.1.1, pdst=192.168.1.41) */
static const char scapy_request[] = "0001080006040001020000000001c0a80101000000000000c0a80129";
/* ARP(op=2, hwsrc=02:..:02, psrc=192.168.1.41, hwdst=02:..:01, pdst=192.168.1.1) */
static const char scapy_reply[] = "0001080006040002020000000002c0a80129020000000001c0a80101";
/* ARP(op=1, hwsrc=02:..:03, psrc=0.0.0.0, pdst=192.168.1.41): an RFC 5227 probe */
static const char scapy_probe[] = "000108000604000102000000000300000000000000000000c0a80129";

static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 }, mac2[6] = { 2, 0, 0, 0, 0, 2 },
                     mac3[6] = { 2, 0, 0, 0, 0, 3 };

static struct in_addr ip4(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void test_parse_scapy(void **state)
{
	(void)state;
	uint8_t p[64];
	struct arp_msg m;
	size_t n = unhex(scapy_request, p, sizeof(p));
	assert_int_equal(arp_parse(p, n, mac1, &m), ARP_DROP_ok);
	assert_int_equal(m.op, ARP_OP_REQUEST);
	assert_memory_equal(m.sha, mac1, 6);
	assert_int_equal(m.spa.s_addr, ip4("192.168.1.1").s_addr);
	assert_int_equal(m.tpa.s_addr, ip4("192.168.1.41").s_addr);
	assert_false(m.probe);
	assert_false(m.gratuitous);

	n = unhex(scapy_reply, p, sizeof(p));
	assert_int_equal(arp_parse(p, n, mac2, &m), ARP_DROP_ok);
	assert_int_equal(m.op, ARP_OP_REPLY);
	assert_memory_equal(m.tha, mac1, 6);

	n = unhex(scapy_probe, p, sizeof(p));
	assert_int_equal(arp_parse(p, n, NULL, &m), ARP_DROP_ok);
	assert_true(m.probe);
	assert_false(m.gratuitous);

	/* Ethernet padding (frames are at least 60 bytes) is ignored */
	n = unhex(scapy_request, p, sizeof(p));
	memset(p + n, 0, 18);
	assert_int_equal(arp_parse(p, n + 18, NULL, &m), ARP_DROP_ok);
}

static void test_build_matches_scapy(void **state)
{
	(void)state;
	uint8_t want[ARP_LEN], got[ARP_LEN];
	unhex(scapy_request, want, sizeof(want));
	assert_int_equal(arp_build_request(got, mac1, ip4("192.168.1.1"), ip4("192.168.1.41")), ARP_LEN);
	assert_memory_equal(got, want, ARP_LEN);
	unhex(scapy_reply, want, sizeof(want));
	assert_int_equal(arp_build_reply(got, mac2, ip4("192.168.1.41"), mac1, ip4("192.168.1.1")), ARP_LEN);
	assert_memory_equal(got, want, ARP_LEN);
	unhex(scapy_probe, want, sizeof(want));
	assert_int_equal(arp_build_request(got, mac3, ip4("0.0.0.0"), ip4("192.168.1.41")), ARP_LEN);
	assert_memory_equal(got, want, ARP_LEN);
}

static void test_announce(void **state)
{
	(void)state;
	uint8_t p[ARP_LEN];
	struct arp_msg m;
	arp_build_announce(p, mac2, ip4("192.168.1.41"));
	assert_int_equal(arp_parse(p, sizeof(p), mac2, &m), ARP_DROP_ok);
	/* RFC 5227 §2.3: a request, sender IP = target IP, target MAC zero */
	assert_int_equal(m.op, ARP_OP_REQUEST);
	assert_true(m.gratuitous);
	assert_false(m.probe);
	static const uint8_t zero[6];
	assert_memory_equal(m.tha, zero, 6);
	assert_int_equal(m.spa.s_addr, m.tpa.s_addr);
}

static enum arp_drop parse_edited(size_t at, uint8_t value, size_t len, const uint8_t *eth_src)
{
	uint8_t p[64];
	unhex(scapy_request, p, sizeof(p));
	p[at] = value;
	struct arp_msg m;
	return arp_parse(p, len, eth_src, &m);
}

static void test_drops(void **state)
{
	(void)state;
	assert_int_equal(parse_edited(0, 0, 27, NULL), ARP_DROP_truncated);
	assert_int_equal(parse_edited(0, 0, 0, NULL), ARP_DROP_truncated);
	assert_int_equal(parse_edited(1, 6, ARP_LEN, NULL), ARP_DROP_bad_htype);    /* IEEE 802 */
	assert_int_equal(parse_edited(2, 0x86, ARP_LEN, NULL), ARP_DROP_bad_ptype);
	assert_int_equal(parse_edited(4, 16, ARP_LEN, NULL), ARP_DROP_bad_hlen);
	assert_int_equal(parse_edited(5, 16, ARP_LEN, NULL), ARP_DROP_bad_plen);
	assert_int_equal(parse_edited(7, 3, ARP_LEN, NULL), ARP_DROP_bad_op);      /* RARP */
	assert_int_equal(parse_edited(7, 0, ARP_LEN, NULL), ARP_DROP_bad_op);
	assert_int_equal(parse_edited(8, 0xff, ARP_LEN, NULL), ARP_DROP_sender_mac_mcast);
	assert_int_equal(parse_edited(8, 0x01, ARP_LEN, NULL), ARP_DROP_sender_mac_mcast);
	assert_int_equal(parse_edited(13, 9, ARP_LEN, mac1), ARP_DROP_sender_mac_mismatch);
	assert_int_equal(parse_edited(13, 1, ARP_LEN, mac2), ARP_DROP_sender_mac_mismatch);
	assert_int_equal(parse_edited(14, 224, ARP_LEN, NULL), ARP_DROP_sender_ip_bad);
	assert_int_equal(parse_edited(14, 127, ARP_LEN, NULL), ARP_DROP_sender_ip_bad);
	assert_int_equal(parse_edited(24, 239, ARP_LEN, NULL), ARP_DROP_target_ip_bad);

	uint8_t p[64];
	struct arp_msg m;
	unhex(scapy_request, p, sizeof(p));
	memset(p + 8, 0, 6); /* zero sender MAC */
	assert_int_equal(arp_parse(p, ARP_LEN, NULL, &m), ARP_DROP_sender_mac_mcast);
	/* a reply from 0.0.0.0 is no probe: refused */
	unhex(scapy_reply, p, sizeof(p));
	memset(p + 14, 0, 4);
	assert_int_equal(arp_parse(p, ARP_LEN, NULL, &m), ARP_DROP_sender_ip_bad);
	/* a reply to an RFC 5227 probe goes to 0.0.0.0 */
	unhex(scapy_reply, p, sizeof(p));
	memset(p + 24, 0, 4);
	assert_int_equal(arp_parse(p, ARP_LEN, NULL, &m), ARP_DROP_ok);
	/* a request for 0.0.0.0 or 255.255.255.255 */
	unhex(scapy_request, p, sizeof(p));
	memset(p + 24, 0, 4);
	assert_int_equal(arp_parse(p, ARP_LEN, NULL, &m), ARP_DROP_target_ip_bad);
	memset(p + 24, 0xff, 4);
	assert_int_equal(arp_parse(p, ARP_LEN, NULL, &m), ARP_DROP_target_ip_bad);

	assert_string_equal(arp_drop_name(ARP_DROP_bad_hlen), "bad_hlen");
	assert_string_equal(arp_drop_name(ARP_DROP_COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_scapy),
		cmocka_unit_test(test_build_matches_scapy),
		cmocka_unit_test(test_announce),
		cmocka_unit_test(test_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
