/* DHCPv4 codec (proto/dhcp4) against real dnsmasq/dhclient messages and
 * hand-made hostile ones, and the relay engine (dhcp4relay/) with fake ops
 * on the fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "dhcp4_fixtures.h"
#include "fake_loop.h"

#include "conf/conf.h"
#include "dhcp4relay/dhcp4relay.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/bytes.h"
#include "proto/dhcp4.h"

static struct in_addr a4(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* A copy of a fixture with room to grow. */
static size_t fixture(uint8_t *buf, const unsigned char *src, size_t len)
{
	memset(buf, 0, DHCP4_MAX_LEN);
	memcpy(buf, src, len);
	return len;
}

/* ---- codec ---- */

static void test_parse_real(void **state)
{
	(void)state;
	struct dhcp4_msg m;
	assert_int_equal(dhcp4_parse(fx_discover, fx_discover_len, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.op, DHCP4_OP_REQUEST);
	assert_int_equal(m.type, DHCP4_DISCOVER);
	assert_int_equal(m.hops, 0);
	assert_int_equal(m.giaddr.s_addr, 0);
	assert_true(m.has_end);
	assert_false(m.has_relay_agent);
	const uint8_t mac[6] = { 0x5e, 0xca, 0xb3, 0x33, 0x39, 0x74 };
	assert_memory_equal(m.chaddr, mac, 6);

	assert_int_equal(dhcp4_parse(fx_ack, fx_ack_len, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.op, DHCP4_OP_REPLY);
	assert_int_equal(m.type, DHCP4_ACK);
	assert_int_equal(m.yiaddr.s_addr, a4("10.77.0.50").s_addr);
	assert_true(m.has_server_id);
	assert_int_equal(m.server_id.s_addr, a4("10.77.0.1").s_addr);
	assert_true(m.has_lease_time);
	assert_int_equal(m.lease_time_s, 300);

	assert_int_equal(dhcp4_parse(fx_offer, fx_offer_len, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.type, DHCP4_OFFER);
	assert_int_equal(dhcp4_parse(fx_request, fx_request_len, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.type, DHCP4_REQUEST);
	assert_true(m.has_requested_ip);
}

static void test_parse_drops(void **state)
{
	(void)state;
	uint8_t b[DHCP4_MAX_LEN + 8];
	struct dhcp4_msg m;
	size_t n = fixture(b, fx_discover, fx_discover_len);

	assert_int_equal(dhcp4_parse(b, 239, &m), DHCP4_DROP_TRUNCATED);
	assert_int_equal(dhcp4_parse(b, DHCP4_MAX_LEN + 1, &m), DHCP4_DROP_TOO_LONG);
	b[DHCP4_OFF_OP] = 3;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_OP);
	b[DHCP4_OFF_OP] = 1;
	b[DHCP4_OFF_HLEN] = 16;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_HTYPE);
	b[DHCP4_OFF_HLEN] = 6;
	b[DHCP4_OFF_HTYPE] = 6;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_HTYPE);
	b[DHCP4_OFF_HTYPE] = 1;
	b[DHCP4_OFF_HOPS] = 17;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_HOPS);
	b[DHCP4_OFF_HOPS] = 16;   /* 16 still parses: the relay then refuses to add one */
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	b[DHCP4_OFF_HOPS] = 0;
	b[DHCP4_OFF_COOKIE] = 98;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_COOKIE);
	b[DHCP4_OFF_COOKIE] = 99;

	/* an option whose length runs past the message */
	uint8_t *o = b + DHCP4_OPTIONS_OFF;
	o[0] = 53; o[1] = 1; o[2] = 1; o[3] = 12; o[4] = 200; o[5] = 'x';
	assert_int_equal(dhcp4_parse(b, DHCP4_OPTIONS_OFF + 6, &m), DHCP4_DROP_OPT_PAST_END);
	/* a code with no length byte at the very end */
	assert_int_equal(dhcp4_parse(b, DHCP4_OPTIONS_OFF + 4, &m), DHCP4_DROP_OPT_PAST_END);
	/* message type out of range, wrong length */
	o[2] = 9;
	o[3] = 255;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_MSG_TYPE);
	o[1] = 2;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_BAD_OPTION);
	/* no END: the options run to the end of the message */
	memset(o, 0, n - DHCP4_OPTIONS_OFF);
	o[0] = 53; o[1] = 1; o[2] = 3;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	assert_false(m.has_end);
}

static void test_overload(void **state)
{
	(void)state;
	uint8_t b[DHCP4_MAX_LEN];
	struct dhcp4_msg m;
	size_t n = fixture(b, fx_ack, fx_ack_len);
	uint8_t *o = b + DHCP4_OPTIONS_OFF;
	/* options field: type ACK, overload 3, END; file: lease time; sname: server id */
	memset(o, 0, n - DHCP4_OPTIONS_OFF);
	memset(b + DHCP4_OFF_SNAME, 0, 64 + 128);
	uint8_t opts[] = { 53, 1, 5, 52, 1, 3, 255 };
	memcpy(o, opts, sizeof(opts));
	uint8_t file[] = { 51, 4, 0, 0, 0x0e, 0x10, 255 };
	memcpy(b + DHCP4_OFF_FILE, file, sizeof(file));
	uint8_t sname[] = { 54, 4, 192, 0, 2, 1, 255 };
	memcpy(b + DHCP4_OFF_SNAME, sname, sizeof(sname));
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.overload, 3);
	assert_true(m.has_lease_time);
	assert_int_equal(m.lease_time_s, 3600);
	assert_true(m.has_server_id);
	assert_int_equal(m.server_id.s_addr, a4("192.0.2.1").s_addr);
	assert_int_equal(m.opt_end, DHCP4_OPTIONS_OFF + 6);

	/* overload 1 only: sname is not options, so no server id */
	o[5] = 1;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	assert_false(m.has_server_id);

	/* option 52 inside file: a loop */
	uint8_t loop[] = { 52, 1, 3, 255 };
	memcpy(b + DHCP4_OFF_FILE, loop, sizeof(loop));
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_OVERLOAD_LOOP);
	/* option 52 twice in the options field */
	uint8_t twice[] = { 53, 1, 5, 52, 1, 1, 52, 1, 2, 255 };
	memcpy(o, twice, sizeof(twice));
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_OVERLOAD_LOOP);
	/* bad value */
	uint8_t bad[] = { 53, 1, 5, 52, 1, 4, 255 };
	memcpy(o, bad, sizeof(bad));
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_OVERLOAD_VALUE);
	/* an option in sname running past sname's 64 bytes */
	uint8_t ok[] = { 53, 1, 5, 52, 1, 2, 255 };
	memcpy(o, ok, sizeof(ok));
	b[DHCP4_OFF_SNAME] = 12;
	b[DHCP4_OFF_SNAME + 1] = 63;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_OPT_PAST_END);
}

static void test_relay_agent_option(void **state)
{
	(void)state;
	uint8_t b[DHCP4_MAX_LEN];
	struct dhcp4_msg m, m2;
	size_t n = fixture(b, fx_discover, fx_discover_len);
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	int nl = dhcp4_add_relay_agent(b, n, sizeof(b), &m, (const uint8_t *)"eth0", 4,
	                               (const uint8_t *)"gw", 2);
	assert_true(nl > 0);
	/* fits in the pad after END: the length stays 300 */
	assert_int_equal(nl, 300);
	assert_int_equal(dhcp4_parse(b, (size_t)nl, &m2), DHCP4_DROP_NONE);
	assert_true(m2.has_relay_agent);
	assert_int_equal(m2.relay_agent_len, 2 + 4 + 2 + 2);
	assert_int_equal(m2.type, DHCP4_DISCOVER);
	const uint8_t *circuit;
	assert_int_equal(dhcp4_relay_agent_circuit(b, &m2, &circuit), 4);
	assert_memory_equal(circuit, "eth0", 4);
	/* a second one is not added (RFC 3046 §2.1) */
	assert_int_equal(dhcp4_add_relay_agent(b, (size_t)nl, sizeof(b), &m2, (const uint8_t *)"x", 1, NULL, 0), -1);
	/* stripped: parses as before, no option 82, same length */
	assert_int_equal(dhcp4_strip_relay_agent(b, (size_t)nl, &m2), (size_t)nl);
	assert_int_equal(dhcp4_parse(b, (size_t)nl, &m2), DHCP4_DROP_NONE);
	assert_false(m2.has_relay_agent);
	assert_int_equal(m2.opt_end, m.opt_end);

	/* no room: a message whose options end near 576 and no option 57 */
	n = fixture(b, fx_discover, fx_discover_len);
	memset(b + DHCP4_OPTIONS_OFF, 0, 576 - DHCP4_OPTIONS_OFF);
	b[DHCP4_OPTIONS_OFF] = 53; b[DHCP4_OPTIONS_OFF + 1] = 1; b[DHCP4_OPTIONS_OFF + 2] = 1;
	b[DHCP4_OPTIONS_OFF + 3] = 12; b[DHCP4_OPTIONS_OFF + 4] = 255 - 4;   /* host name filling up */
	size_t end = DHCP4_OPTIONS_OFF + 5 + 251;
	b[end] = 255;
	/* 240 + 256 + 1 = 497; a 200-byte circuit-id would need 497 + 204 */
	assert_int_equal(dhcp4_parse(b, end + 1, &m), DHCP4_DROP_NONE);
	uint8_t big[200];
	memset(big, 'c', sizeof(big));
	assert_int_equal(dhcp4_add_relay_agent(b, end + 1, sizeof(b), &m, big, 200, NULL, 0), -1);
	/* with option 57 = 1500 it fits, and the message grows */
	b[DHCP4_OPTIONS_OFF + 3] = 57; b[DHCP4_OPTIONS_OFF + 4] = 2;
	be_put16(b + DHCP4_OPTIONS_OFF + 5, 1500);
	b[DHCP4_OPTIONS_OFF + 7] = 255;
	memset(b + DHCP4_OPTIONS_OFF + 8, 0, 4);
	assert_int_equal(dhcp4_parse(b, 300, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.max_msg_size, 1500);
	/* the buffer's room caps it too */
	assert_int_equal(dhcp4_add_relay_agent(b, 300, 400, &m, big, 200, NULL, 0), -1);
	nl = dhcp4_add_relay_agent(b, 300, 600, &m, big, 200, NULL, 0);
	assert_int_equal(nl, DHCP4_OPTIONS_OFF + 7 + 2 + 202 + 1);
	assert_int_equal(dhcp4_parse(b, (size_t)nl, &m2), DHCP4_DROP_NONE);
	assert_true(m2.has_relay_agent);
	assert_int_equal(m2.max_msg_size, 1500);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += be_get16(p + i);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void test_ipv4_udp(void **state)
{
	(void)state;
	uint8_t f[DHCP4_IP_UDP_LEN + 400];
	memcpy(f + DHCP4_IP_UDP_LEN, fx_ack, fx_ack_len);
	size_t n = dhcp4_build_ipv4_udp(f, a4("192.168.1.2"), a4("255.255.255.255"), 67, 68, fx_ack_len, 64, 7);
	assert_int_equal(n, 28 + 300);
	assert_int_equal(csum(f, 20, 0), 0xffff);   /* the header sums to all ones */
	/* UDP: pseudo header + datagram sums to all ones */
	uint32_t ps = be_get16(f + 12) + be_get16(f + 14) + be_get16(f + 16) + be_get16(f + 18) + 17 + 308;
	assert_int_equal(csum(f + 20, 308, ps), 0xffff);
	size_t off, plen;
	struct in_addr s, d;
	uint16_t sp, dp;
	assert_int_equal(dhcp4_parse_ipv4_udp(f, n, &off, &plen, &s, &d, &sp, &dp), 0);
	assert_int_equal(off, 28);
	assert_int_equal(plen, 300);
	assert_int_equal(sp, 67);
	assert_int_equal(dp, 68);
	assert_int_equal(d.s_addr, INADDR_BROADCAST);
	/* a fragment, a short frame, a lying length */
	f[6] = 0x20;
	assert_int_equal(dhcp4_parse_ipv4_udp(f, n, &off, &plen, &s, &d, &sp, &dp), -1);
	f[6] = 0;
	assert_int_equal(dhcp4_parse_ipv4_udp(f, 27, &off, &plen, &s, &d, &sp, &dp), -1);
	be_put16(f + 24, 2000);
	assert_int_equal(dhcp4_parse_ipv4_udp(f, n, &off, &plen, &s, &d, &sp, &dp), -1);
}

/* ---- engine ---- */

struct sent {
	int kind;             /* 1 server, 2 frame */
	int ifindex;
	struct in_addr dst;
	uint8_t mac[6];
	uint8_t data[DHCP4_IP_UDP_LEN + DHCP4_MAX_LEN];
	size_t len;
};

static struct sent sent[16];
static int n_sent;
static int hosts_up, hosts_down;
static struct in_addr last_host;
static struct iftable *ifs;

static int fake_send_server(void *ctx, int ifindex, struct in_addr dst, const uint8_t *msg, size_t len)
{
	(void)ctx;
	struct sent *s = &sent[n_sent++ % 16];
	*s = (struct sent){ .kind = 1, .ifindex = ifindex, .dst = dst, .len = len };
	memcpy(s->data, msg, len);
	return 0;
}

static int fake_send_frame(void *ctx, int ifindex, const uint8_t mac[6], const uint8_t *frame, size_t len)
{
	(void)ctx;
	struct sent *s = &sent[n_sent++ % 16];
	*s = (struct sent){ .kind = 2, .ifindex = ifindex, .len = len };
	memcpy(s->mac, mac, 6);
	memcpy(s->data, frame, len);
	return 0;
}

static void fake_host(void *ctx, int up, int island, struct in_addr addr, const uint8_t mac[6], bool gone)
{
	(void)ctx; (void)up; (void)island; (void)mac;
	if (gone)
		hosts_down++;
	else
		hosts_up++;
	last_host = addr;
}

static void if_add4(int ifindex, const char *name, const char *v4)
{
	struct nl_link l = { .ifindex = ifindex, .flags = IFF_UP | IFF_RUNNING, .mtu = 1500, .lladdr_len = 6 };
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.lladdr[5] = (uint8_t)ifindex;
	iftable_on_link(ifs, &l, false, NULL, NULL);
	if (v4) {
		struct nl_addr a = { .ifindex = ifindex, .family = AF_INET, .addr4 = a4(v4), .plen = 24,
		                     .scope = RT_SCOPE_UNIVERSE };
		iftable_on_addr(ifs, &a, false, NULL, NULL);
	}
}

static struct conf *conf_of(const char *text)
{
	struct conf *c;
	struct conf_error err;
	if (conf_parse(text, strlen(text), "t.conf", &c, &err) != 0)
		fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	return c;
}

static struct dhcp4_engine *engine_setup(const char *text, struct conf **cp)
{
	fake_loop_reset(1000);
	n_sent = hosts_up = hosts_down = 0;
	iftable_free(ifs);
	ifs = iftable_new(16);
	if_add4(2, "wlan0", "192.168.1.2");
	if_add4(3, "eth0", NULL);
	if_add4(4, "eth1", NULL);
	*cp = conf_of(text);
	const struct dhcp4_ops ops = { .now_ms = fake_now_ms, .send_server = fake_send_server,
	                               .send_frame = fake_send_frame, .host = fake_host };
	struct dhcp4_engine *e = dhcp4_engine_new(fake_loop, *cp, ifs, &ops);
	assert_non_null(e);
	return e;
}

static void engine_teardown(struct dhcp4_engine *e, struct conf *c)
{
	dhcp4_engine_shutdown(e);
	dhcp4_engine_free(e);
	conf_free(c);
	iftable_free(ifs);
	ifs = NULL;
	fake_loop_free();
}

static const struct in_addr bcast = { .s_addr = INADDR_BROADCAST };

/* An ACK for the fixture's client as the server sends it to giaddr. */
static size_t server_reply(uint8_t *b, const unsigned char *fx, size_t len, const char *giaddr)
{
	fixture(b, fx, len);
	dhcp4_set_giaddr(b, a4(giaddr));
	return len;
}

static void test_engine_relay(void **state)
{
	(void)state;
	struct conf *c;
	struct dhcp4_engine *e = engine_setup("dhcp4-relay { upstream wlan0; iface eth*; server 192.168.1.1; "
	                                      "option82 yes }", &c);
	assert_int_equal(dhcp4_engine_role(e, "eth1"), DHCP4_ROLE_ISLAND);
	assert_int_equal(dhcp4_engine_role(e, "wlan0"), DHCP4_ROLE_UPSTREAM);
	assert_int_equal(dhcp4_engine_role(e, "lo"), DHCP4_ROLE_NONE);

	dhcp4_engine_on_island(e, 4, bcast, fx_discover, fx_discover_len);
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent[0].kind, 1);
	assert_int_equal(sent[0].ifindex, 2);
	assert_int_equal(sent[0].dst.s_addr, a4("192.168.1.1").s_addr);
	struct dhcp4_msg m;
	assert_int_equal(dhcp4_parse(sent[0].data, sent[0].len, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.giaddr.s_addr, a4("192.168.1.2").s_addr);   /* the UPSTREAM address */
	assert_int_equal(m.hops, 1);
	assert_true(m.has_relay_agent);
	const uint8_t *circ;
	assert_int_equal(dhcp4_relay_agent_circuit(sent[0].data, &m, &circ), 4);
	assert_memory_equal(circ, "eth1", 4);

	/* the OFFER, echoing option 82, goes back to eth1 (not eth0), broadcast
	 * flag clear: unicast to yiaddr at chaddr, option 82 stripped */
	uint8_t b[DHCP4_MAX_LEN];
	memcpy(b, sent[0].data, sent[0].len);
	b[DHCP4_OFF_OP] = 2;
	memcpy(b + DHCP4_OFF_YIADDR, &(struct in_addr){ a4("192.168.1.50").s_addr }, 4);
	b[DHCP4_OPTIONS_OFF + 2] = DHCP4_OFFER;   /* the fixture starts with option 53 */
	struct dhcp4_msg om;
	assert_int_equal(dhcp4_parse(b, sent[0].len, &om), DHCP4_DROP_NONE);
	dhcp4_engine_on_server(e, 2, b, sent[0].len);
	assert_int_equal(n_sent, 2);
	assert_int_equal(sent[1].kind, 2);
	assert_int_equal(sent[1].ifindex, 4);
	assert_memory_equal(sent[1].mac, om.chaddr, 6);
	size_t off, plen;
	struct in_addr s, d;
	uint16_t sp, dp;
	assert_int_equal(dhcp4_parse_ipv4_udp(sent[1].data, sent[1].len, &off, &plen, &s, &d, &sp, &dp), 0);
	assert_int_equal(d.s_addr, a4("192.168.1.50").s_addr);
	assert_int_equal(s.s_addr, a4("192.168.1.2").s_addr);
	assert_int_equal(sp, 67);
	assert_int_equal(dp, 68);
	assert_int_equal(dhcp4_parse(sent[1].data + off, plen, &m), DHCP4_DROP_NONE);
	assert_false(m.has_relay_agent);
	assert_int_equal(dhcp4_engine_counters(e)->option82_stripped, 1);

	/* the ACK makes a lease and a known host; expiry after 300 s */
	size_t n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.2");
	dhcp4_engine_on_island(e, 4, bcast, fx_request, fx_request_len);
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(hosts_up, 1);
	assert_int_equal(last_host.s_addr, a4("10.77.0.50").s_addr);
	assert_int_equal(dhcp4_engine_lease_count(e), 1);
	run_for(299 * 1000);
	assert_int_equal(hosts_down, 0);
	run_for(2 * 1000);
	assert_int_equal(hosts_down, 1);
	assert_int_equal(dhcp4_engine_lease_count(e), 0);
	assert_int_equal(dhcp4_engine_counters(e)->leases_expired, 1);

	/* a renewal the kernel routes (unicast ACK seen on the upstream) extends the lease */
	dhcp4_engine_on_island(e, 4, bcast, fx_request, fx_request_len);
	n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.2");
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(hosts_up, 2);
	run_for(200 * 1000);
	dhcp4_engine_on_upstream_client(e, 2, fx_ack, fx_ack_len);
	assert_int_equal(dhcp4_engine_counters(e)->leases_renewed, 1);
	assert_int_equal(hosts_up, 3); /* reported again: the ARP proxy may have dropped it as silent */
	assert_int_equal(hosts_down, 1);
	run_for(200 * 1000);   /* 400 s after the first ACK, 200 s after the renewal */
	assert_int_equal(hosts_down, 1);
	run_for(101 * 1000);
	assert_int_equal(hosts_down, 2);

	/* a reply for giaddr not ours, for an unknown client, from the island */
	n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.3");
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(dhcp4_engine_counters(e)->drop_giaddr_not_ours, 1);
	n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.2");
	b[DHCP4_OFF_XID] ^= 1;
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(dhcp4_engine_counters(e)->drop_unknown_client, 1);
	dhcp4_engine_on_island(e, 3, bcast, fx_ack, fx_ack_len);
	assert_int_equal(dhcp4_engine_counters(e)->drop_reply_from_island, 1);
	engine_teardown(e, c);
}

static void test_engine_release_nak_hops(void **state)
{
	(void)state;
	struct conf *c;
	struct dhcp4_engine *e = engine_setup("dhcp4-relay { upstream wlan0; iface eth0; iface eth1 }", &c);
	uint8_t b[DHCP4_MAX_LEN];
	/* no server: broadcast on the upstream */
	dhcp4_engine_on_island(e, 3, bcast, fx_request, fx_request_len);
	assert_int_equal(sent[0].dst.s_addr, INADDR_BROADCAST);
	assert_int_equal(dhcp4_engine_counters(e)->relayed, 1);
	size_t n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.2");
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(hosts_up, 1);
	/* not an island link (ifindex 9 is not in the table) */
	dhcp4_engine_on_island(e, 9, bcast, fx_request, fx_request_len);
	assert_int_equal(dhcp4_engine_counters(e)->drop_no_relay, 1);

	/* a unicast DHCPRELEASE to the server, routed by the kernel: looked at, not relayed */
	int before = n_sent;
	fixture(b, fx_request, fx_request_len);
	b[DHCP4_OPTIONS_OFF + 2] = DHCP4_RELEASE;   /* the fixture's first option is 53 */
	memcpy(b + DHCP4_OFF_CIADDR, &(struct in_addr){ a4("10.77.0.50").s_addr }, 4);
	struct dhcp4_msg m;
	assert_int_equal(dhcp4_parse(b, fx_request_len, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.type, DHCP4_RELEASE);
	dhcp4_engine_on_island(e, 4, a4("192.168.1.1"), b, fx_request_len);   /* not its link */
	assert_int_equal(hosts_down, 0);
	assert_int_equal(dhcp4_engine_counters(e)->unicast_seen, 1);
	dhcp4_engine_on_island(e, 3, a4("192.168.1.1"), b, fx_request_len);
	assert_int_equal(n_sent, before);
	assert_int_equal(hosts_down, 1);
	assert_int_equal(dhcp4_engine_counters(e)->unicast_seen, 2);

	/* hops 16 arrives: relaying would make 17 */
	fixture(b, fx_discover, fx_discover_len);
	b[DHCP4_OFF_HOPS] = 16;
	dhcp4_engine_on_island(e, 3, bcast, b, fx_discover_len);
	assert_int_equal(dhcp4_engine_counters(e)->drop[DHCP4_DROP_HOPS], 1);
	b[DHCP4_OFF_HOPS] = 17;
	dhcp4_engine_on_island(e, 3, bcast, b, fx_discover_len);
	assert_int_equal(dhcp4_engine_counters(e)->drop[DHCP4_DROP_HOPS], 2);

	/* NAK: broadcast to the client, lease forgotten */
	dhcp4_engine_on_island(e, 3, bcast, fx_request, fx_request_len);
	n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.2");
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(hosts_up, 2);
	dhcp4_engine_on_island(e, 3, bcast, fx_request, fx_request_len);
	n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.2");
	b[DHCP4_OPTIONS_OFF + 2] = DHCP4_NAK;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.type, DHCP4_NAK);
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(hosts_down, 2);
	assert_memory_equal(sent[(n_sent - 1) % 16].mac, "\xff\xff\xff\xff\xff\xff", 6);
	engine_teardown(e, c);
}

static void test_engine_auto_forward(void **state)
{
	(void)state;
	struct conf *c;
	struct dhcp4_engine *e = engine_setup("dhcp4-relay { upstream wlan0; iface eth0; server 192.168.1.1 }", &c);
	assert_int_equal(dhcp4_engine_mode(e, "wlan0"), CONF_DHCP4_RELAY);
	/* relayed DISCOVERs get no answer */
	dhcp4_engine_on_island(e, 3, bcast, fx_discover, fx_discover_len);
	run_for(2000);
	dhcp4_engine_on_island(e, 3, bcast, fx_discover, fx_discover_len);
	run_for(1000);
	assert_int_equal(dhcp4_engine_mode(e, "wlan0"), CONF_DHCP4_RELAY);   /* 3 s: not yet */
	run_for(2000);
	assert_int_equal(dhcp4_engine_mode(e, "wlan0"), CONF_DHCP4_FORWARD);
	assert_int_equal(dhcp4_engine_counters(e)->mode_switches, 1);

	/* forward: the client's broadcast from the gateway, broadcast flag set, giaddr 0 */
	int before = n_sent;
	dhcp4_engine_on_island(e, 3, bcast, fx_discover, fx_discover_len);
	assert_int_equal(n_sent, before + 1);
	struct sent *s = &sent[before % 16];
	assert_int_equal(s->kind, 2);
	assert_int_equal(s->ifindex, 2);
	assert_memory_equal(s->mac, "\xff\xff\xff\xff\xff\xff", 6);
	size_t off, plen;
	struct in_addr src, dst;
	uint16_t sp, dp;
	assert_int_equal(dhcp4_parse_ipv4_udp(s->data, s->len, &off, &plen, &src, &dst, &sp, &dp), 0);
	assert_int_equal(sp, 68);
	assert_int_equal(dp, 67);
	assert_int_equal(src.s_addr, 0);
	struct dhcp4_msg m;
	assert_int_equal(dhcp4_parse(s->data + off, plen, &m), DHCP4_DROP_NONE);
	assert_true(m.flags & DHCP4_FLAG_BROADCAST);
	assert_int_equal(m.giaddr.s_addr, 0);
	assert_int_equal(m.hops, 0);
	/* the server's broadcast answer goes back to eth0 with the client's flags */
	dhcp4_engine_on_upstream_client(e, 2, fx_offer, fx_offer_len);
	s = &sent[(n_sent - 1) % 16];
	assert_int_equal(s->ifindex, 3);
	/* the upstream's own clients' answers are not ours */
	uint8_t b[DHCP4_MAX_LEN];
	fixture(b, fx_offer, fx_offer_len);
	b[DHCP4_OFF_CHADDR] ^= 0x40;
	dhcp4_engine_on_upstream_client(e, 2, b, fx_offer_len);
	assert_int_equal(dhcp4_engine_counters(e)->upstream_not_ours, 1);
	dhcp4_engine_on_island(e, 3, bcast, fx_request, fx_request_len);
	dhcp4_engine_on_upstream_client(e, 2, fx_ack, fx_ack_len);
	assert_int_equal(hosts_up, 1);
	engine_teardown(e, c);
}

/* A flood of DISCOVERs with random chaddrs: the tables stay bounded and a
 * real client's exchange still goes through. */
static void test_engine_flood_bounded(void **state)
{
	(void)state;
	struct conf *c;
	struct dhcp4_engine *e = engine_setup("dhcp4-relay { upstream wlan0; iface eth0; mode relay }", &c);
	uint8_t b[DHCP4_MAX_LEN];
	fixture(b, fx_discover, fx_discover_len);
	for (uint32_t i = 0; i < 20000; i++) {
		be_put32(b + DHCP4_OFF_CHADDR, i * 2654435761u);
		be_put32(b + DHCP4_OFF_XID, i);
		dhcp4_engine_on_island(e, 3, bcast, b, fx_discover_len);
	}
	const struct dhcp4_counters *k = dhcp4_engine_counters(e);
	assert_int_equal(k->relayed, 20000);
	assert_true(k->pending_evicted >= 20000 - DHCP4_PENDING_SETS * DHCP4_WAYS);
	dhcp4_engine_on_island(e, 3, bcast, fx_request, fx_request_len);
	size_t n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.2");
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(hosts_up, 1);
	assert_int_equal(k->mode_switches, 0);   /* mode relay: never forwards */
	engine_teardown(e, c);
}

static void test_engine_reload_and_gone(void **state)
{
	(void)state;
	struct conf *c;
	struct dhcp4_engine *e = engine_setup("dhcp4-relay { upstream wlan0; iface eth0; iface eth1 }", &c);
	uint8_t b[DHCP4_MAX_LEN];
	dhcp4_engine_on_island(e, 3, bcast, fx_request, fx_request_len);
	size_t n = server_reply(b, fx_ack, fx_ack_len, "192.168.1.2");
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(hosts_up, 1);
	/* same links: the lease stays */
	struct conf *c2 = conf_of("dhcp4-relay { upstream wlan0; iface eth0; option82 yes }");
	assert_int_equal(dhcp4_engine_reload(e, c2), 0);
	assert_int_equal(hosts_down, 0);
	assert_int_equal(dhcp4_engine_lease_count(e), 1);
	/* eth0 no longer served: it ends */
	struct conf *c3 = conf_of("dhcp4-relay { upstream wlan0; iface eth1 }");
	assert_int_equal(dhcp4_engine_reload(e, c3), 0);
	assert_int_equal(hosts_down, 1);
	/* the island link goes away with its hosts */
	dhcp4_engine_on_island(e, 4, bcast, fx_request, fx_request_len);
	dhcp4_engine_on_server(e, 2, b, n);
	assert_int_equal(hosts_up, 2);
	const struct iface *ifc = iftable_by_index(ifs, 4);
	dhcp4_engine_on_iface(e, ifc, IFACE_GONE);
	assert_int_equal(hosts_down, 2);
	conf_free(c2);
	conf_free(c3);
	engine_teardown(e, c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real),
		cmocka_unit_test(test_parse_drops),
		cmocka_unit_test(test_overload),
		cmocka_unit_test(test_relay_agent_option),
		cmocka_unit_test(test_ipv4_udp),
		cmocka_unit_test(test_engine_relay),
		cmocka_unit_test(test_engine_release_nak_hops),
		cmocka_unit_test(test_engine_auto_forward),
		cmocka_unit_test(test_engine_flood_bounded),
		cmocka_unit_test(test_engine_reload_and_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
