/* The DHCPv6 relay agent (src/dhcp6relay/) with fake ops: what it sends
 * where (RFC 8415 §19), the hosts it reports, and every drop counted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <string.h>

#include "dhcp6relay/dhcp6relay.h"
#include "proto/bytes.h"
#include "proto/dhcp6.h"
#include "proto/dhcp6_ia_na.h"

enum { IF_WLAN0 = 2, IF_ETH0 = 3, IF_ETH1 = 4 };

static struct in6_addr addr6(const char *s)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* --- fake ops: the last datagrams sent and the hosts reported ---------- */

struct sent {
	int ifindex;
	struct in6_addr dst;
	uint16_t port;
	uint8_t pkt[2048];
	size_t len;
};
static struct sent sent[8];
static size_t n_sent;
static int send_rc;

struct host_ev {
	int up, down;
	struct in6_addr addr;
	bool gone;
};
static struct host_ev hosts[16];
static size_t n_hosts;
static uint64_t now_ms;

static int op_send(void *ctx, int ifindex, const struct in6_addr *dst, uint16_t dport, const uint8_t *pkt,
                   size_t len)
{
	(void)ctx;
	if (send_rc)
		return send_rc;
	assert_true(n_sent < 8);
	assert_true(len <= sizeof(sent[0].pkt));
	sent[n_sent] = (struct sent){ .ifindex = ifindex, .dst = *dst, .port = dport, .len = len };
	memcpy(sent[n_sent].pkt, pkt, len);
	n_sent++;
	return 0;
}

static void op_host(void *ctx, int up, int down, const struct in6_addr *addr, bool gone)
{
	(void)ctx;
	if (n_hosts == 16)
		n_hosts = 0;   /* only the last few matter */
	hosts[n_hosts++] = (struct host_ev){ .up = up, .down = down, .addr = *addr, .gone = gone };
}

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return now_ms;
}

static struct dhcp6relay *relay_new(void)
{
	n_sent = n_hosts = 0;
	send_rc = 0;
	now_ms = 1000;
	const struct dhcp6relay_ops ops = { .send = op_send, .host = op_host, .now_ms = op_now };
	struct dhcp6relay *r = dhcp6relay_new(&ops);
	assert_non_null(r);
	dhcp6relay_set_upstream(r, IF_WLAN0, "wlan0");
	assert_int_equal(dhcp6relay_add_link(r, IF_ETH0, "eth0"), 0);
	assert_int_equal(dhcp6relay_add_link(r, IF_ETH1, "eth1"), 0);
	struct in6_addr up = addr6("2001:db8:1::1");
	dhcp6relay_on_addr(r, IF_WLAN0, &up, false);
	return r;
}

/* A Solicit as dhclient -6 sends it: Client ID, Elapsed Time, IA_NA. */
static const uint8_t solicit[] = {
	1, 0x12, 0x34, 0x56,
	0, 1, 0, 10, 0, 3, 0, 1, 2, 0, 0, 0, 0, 0x10,    /* Client ID: DUID-LL 02:00:00:00:00:10 */
	0, 8, 0, 2, 0, 0,                                /* Elapsed Time */
	0, 3, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, /* IA_NA IAID 1 */
};

/* A Reply leasing addr for valid seconds in an IA_NA. */
static size_t reply_with(uint8_t type, const struct in6_addr *addr, uint32_t valid, uint8_t *buf)
{
	size_t n = 0;
	buf[n++] = type;
	buf[n++] = 0x12; buf[n++] = 0x34; buf[n++] = 0x56;
	be_put16(buf + n, DHCP6_OPT_IA_NA); be_put16(buf + n + 2, 12 + 4 + 24); n += 4;
	be_put32(buf + n, 1); be_put32(buf + n + 4, 0); be_put32(buf + n + 8, 0); n += 12;
	be_put16(buf + n, DHCP6_OPT_IAADDR); be_put16(buf + n + 2, 24); n += 4;
	memcpy(buf + n, addr, 16); n += 16;
	be_put32(buf + n, valid / 2); be_put32(buf + n + 4, valid); n += 8;
	return n;
}

static size_t relay_reply(const char *iface_id, const struct in6_addr *link, const struct in6_addr *peer,
                          const uint8_t *inner, size_t inner_len, uint8_t *buf, size_t cap)
{
	return dhcp6_build_relay(DHCP6_RELAY_REPL, 0, link, peer, (const uint8_t *)iface_id,
	                         iface_id ? (uint8_t)strlen(iface_id) : 0, inner, inner_len, buf, cap);
}

/* --- tests ---------------------------------------------------------------- */

static void test_forward_client(void **state)
{
	(void)state;
	struct dhcp6relay *r = relay_new();
	struct in6_addr client = addr6("fe80::10");
	dhcp6relay_input(r, IF_ETH0, &client, solicit, sizeof(solicit));
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent[0].ifindex, IF_WLAN0);
	assert_int_equal(sent[0].port, DHCP6_SERVER_PORT);
	struct in6_addr all = addr6("ff02::1:2");
	assert_memory_equal(&sent[0].dst, &all, 16);
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(sent[0].pkt, sent[0].len, &m), DHCP6_OK);
	assert_int_equal(m.type, DHCP6_RELAY_FORW);
	assert_int_equal(m.hop_count, 0);
	/* the island link has no global address: the upstream's names the link */
	struct in6_addr up = addr6("2001:db8:1::1");
	assert_memory_equal(&m.link_addr, &up, 16);
	assert_memory_equal(&m.peer_addr, &client, 16);
	assert_int_equal(m.interface_id_len, 4);
	assert_memory_equal(m.interface_id, "eth0", 4);
	assert_int_equal(m.relay_msg_len, sizeof(solicit));
	assert_memory_equal(m.relay_msg, solicit, sizeof(solicit));

	/* with a global address of its own, the island link names itself */
	struct in6_addr own = addr6("2001:db8:2::1");
	dhcp6relay_on_addr(r, IF_ETH1, &own, false);
	struct in6_addr ll = addr6("fe80::1");
	dhcp6relay_on_addr(r, IF_ETH1, &ll, false);   /* link-local: never a link-address */
	dhcp6relay_input(r, IF_ETH1, &client, solicit, sizeof(solicit));
	assert_int_equal(n_sent, 2);
	assert_int_equal(dhcp6_parse(sent[1].pkt, sent[1].len, &m), DHCP6_OK);
	assert_memory_equal(&m.link_addr, &own, 16);
	/* neither has one: :: with the Interface-ID (§19.1.1) */
	dhcp6relay_on_addr(r, IF_WLAN0, &up, true);
	dhcp6relay_input(r, IF_ETH0, &client, solicit, sizeof(solicit));
	assert_int_equal(dhcp6_parse(sent[2].pkt, sent[2].len, &m), DHCP6_OK);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&m.link_addr));
	assert_int_equal(m.interface_id_len, 4);
	assert_int_equal(dhcp6relay_counters(r)->rx_client, 3);
	assert_int_equal(dhcp6relay_counters(r)->tx_relay_forw, 3);
	dhcp6relay_free(r);
}

static void test_configured_servers(void **state)
{
	(void)state;
	struct dhcp6relay *r = relay_new();
	struct in6_addr srv[2] = { addr6("2001:db8:ff::1"), addr6("2001:db8:ff::2") };
	dhcp6relay_set_servers(r, srv, 2);
	struct in6_addr client = addr6("fe80::10");
	dhcp6relay_input(r, IF_ETH0, &client, solicit, sizeof(solicit));
	assert_int_equal(n_sent, 2);
	assert_memory_equal(&sent[0].dst, &srv[0], 16);
	assert_memory_equal(&sent[1].dst, &srv[1], 16);
	assert_int_equal(sent[0].port, DHCP6_SERVER_PORT);
	assert_int_equal(dhcp6relay_counters(r)->tx_relay_forw, 1);
	/* a server's unicast answer may arrive on any link routed there, not an island one */
	uint8_t inner[128], out[256];
	struct in6_addr a = addr6("2001:db8:1::100");
	size_t il = reply_with(DHCP6_REPLY, &a, 60, inner);
	struct in6_addr up = addr6("2001:db8:1::1");
	size_t n = relay_reply("eth0", &up, &client, inner, il, out, sizeof(out));
	dhcp6relay_input(r, 9, &srv[0], out, n);
	assert_int_equal(n_sent, 3);
	assert_int_equal(dhcp6relay_counters(r)->tx_to_client, 1);
	dhcp6relay_free(r);
}

static void test_reply_and_hosts(void **state)
{
	(void)state;
	struct dhcp6relay *r = relay_new();
	struct in6_addr client = addr6("fe80::10"), up = addr6("2001:db8:1::1");
	struct in6_addr a = addr6("2001:db8:1::100");
	uint8_t inner[128], out[256];
	size_t il = reply_with(DHCP6_REPLY, &a, 60, inner);
	size_t n = relay_reply("eth1", &up, &client, inner, il, out, sizeof(out));
	struct in6_addr server = addr6("fe80::5");
	dhcp6relay_input(r, IF_WLAN0, &server, out, n);
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent[0].ifindex, IF_ETH1);
	assert_int_equal(sent[0].port, DHCP6_CLIENT_PORT);
	assert_memory_equal(&sent[0].dst, &client, 16);
	assert_int_equal(sent[0].len, il);
	assert_memory_equal(sent[0].pkt, inner, il);
	/* the leased address is a known host at once */
	assert_int_equal(n_hosts, 1);
	assert_int_equal(hosts[0].up, IF_WLAN0);
	assert_int_equal(hosts[0].down, IF_ETH1);
	assert_memory_equal(&hosts[0].addr, &a, 16);
	assert_false(hosts[0].gone);
	assert_int_equal(dhcp6relay_n_hosts(r), 1);
	/* a renewal keeps one entry */
	dhcp6relay_input(r, IF_WLAN0, &server, out, n);
	assert_int_equal(dhcp6relay_n_hosts(r), 1);
	assert_int_equal(dhcp6relay_counters(r)->hosts_learned, 1);
	/* the lease runs out */
	now_ms += 59000;
	dhcp6relay_tick(r);
	assert_int_equal(dhcp6relay_n_hosts(r), 1);
	now_ms += 1000;
	dhcp6relay_tick(r);
	assert_int_equal(dhcp6relay_n_hosts(r), 0);
	assert_true(hosts[n_hosts - 1].gone);
	assert_memory_equal(&hosts[n_hosts - 1].addr, &a, 16);

	/* a Release from the client gives the address back at once */
	dhcp6relay_input(r, IF_WLAN0, &server, out, n);
	assert_int_equal(dhcp6relay_n_hosts(r), 1);
	uint8_t rel[128];
	size_t rl = reply_with(DHCP6_RELEASE, &a, 60, rel);
	dhcp6relay_input(r, IF_ETH1, &client, rel, rl);
	assert_int_equal(dhcp6relay_n_hosts(r), 0);
	assert_true(hosts[n_hosts - 1].gone);

	/* no Interface-ID: the link-address names the link */
	struct in6_addr own = addr6("2001:db8:2::1");
	dhcp6relay_on_addr(r, IF_ETH0, &own, false);
	n = relay_reply(NULL, &own, &client, inner, il, out, sizeof(out));
	size_t before = n_sent;
	dhcp6relay_input(r, IF_WLAN0, &server, out, n);
	assert_int_equal(n_sent, before + 1);
	assert_int_equal(sent[before].ifindex, IF_ETH0);

	/* routed mode: the relay stops and its hosts are gone */
	dhcp6relay_set_active(r, false);
	assert_int_equal(dhcp6relay_n_hosts(r), 0);
	before = n_sent;
	dhcp6relay_input(r, IF_ETH0, &client, solicit, sizeof(solicit));
	assert_int_equal(n_sent, before);
	dhcp6relay_free(r);
}

static void test_nested_relays(void **state)
{
	(void)state;
	struct dhcp6relay *r = relay_new();
	struct in6_addr inner_relay = addr6("fe80::20"), client = addr6("fe80::10");
	uint8_t fwd[256];
	struct in6_addr z = in6addr_any;
	size_t n = dhcp6_build_relay(DHCP6_RELAY_FORW, 3, &z, &client, NULL, 0, solicit, sizeof(solicit), fwd,
	                             sizeof(fwd));
	dhcp6relay_input(r, IF_ETH0, &inner_relay, fwd, n);
	assert_int_equal(n_sent, 1);
	struct dhcp6_msg m;
	assert_int_equal(dhcp6_parse(sent[0].pkt, sent[0].len, &m), DHCP6_OK);
	assert_int_equal(m.type, DHCP6_RELAY_FORW);
	assert_int_equal(m.hop_count, 4);
	assert_memory_equal(&m.peer_addr, &inner_relay, 16);
	assert_int_equal(m.relay_msg_len, n);
	/* at HOP_COUNT_LIMIT: dropped (§19.1.2) */
	n = dhcp6_build_relay(DHCP6_RELAY_FORW, DHCP6_HOP_COUNT_LIMIT, &z, &client, NULL, 0, solicit,
	                      sizeof(solicit), fwd, sizeof(fwd));
	dhcp6relay_input(r, IF_ETH0, &inner_relay, fwd, n);
	assert_int_equal(n_sent, 1);
	assert_int_equal(dhcp6relay_counters(r)->drop_hop_limit, 1);
	/* the answer for the inner relay goes to it on port 547 */
	uint8_t inner[128], out[512];
	struct in6_addr a = addr6("2001:db8:1::100");
	size_t il = reply_with(DHCP6_REPLY, &a, 60, inner);
	uint8_t mid[256];
	size_t ml = dhcp6_build_relay(DHCP6_RELAY_REPL, 0, &z, &client, NULL, 0, inner, il, mid, sizeof(mid));
	struct in6_addr up = addr6("2001:db8:1::1");
	size_t ol = relay_reply("eth0", &up, &inner_relay, mid, ml, out, sizeof(out));
	dhcp6relay_input(r, IF_WLAN0, &up, out, ol);
	assert_int_equal(n_sent, 2);
	assert_int_equal(sent[1].port, DHCP6_SERVER_PORT);
	assert_memory_equal(&sent[1].dst, &inner_relay, 16);
	assert_int_equal(dhcp6relay_counters(r)->tx_to_relay, 1);
	dhcp6relay_free(r);
}

static void test_hostile(void **state)
{
	(void)state;
	struct dhcp6relay *r = relay_new();
	const struct dhcp6relay_counters *c = dhcp6relay_counters(r);
	struct in6_addr client = addr6("fe80::10"), up = addr6("2001:db8:1::1"), a = addr6("2001:db8:1::100");
	uint8_t inner[128], out[256];
	size_t il = reply_with(DHCP6_REPLY, &a, 60, inner);
	size_t n = relay_reply("eth0", &up, &client, inner, il, out, sizeof(out));
	/* a Relay-Reply from the island side */
	dhcp6relay_input(r, IF_ETH0, &client, out, n);
	assert_int_equal(c->drop_repl_from_island, 1);
	/* an Interface-ID naming no island link */
	n = relay_reply("eth9", &up, &client, inner, il, out, sizeof(out));
	dhcp6relay_input(r, IF_WLAN0, &up, out, n);
	assert_int_equal(c->drop_unknown_iface_id, 1);
	/* truncated: every prefix of a valid Relay-Reply */
	n = relay_reply("eth0", &up, &client, inner, il, out, sizeof(out));
	for (size_t cut = 0; cut < n; cut++)
		dhcp6relay_input(r, IF_WLAN0, &up, out, cut);
	assert_true(c->drop_parse >= 30);
	/* a server's message from the island */
	dhcp6relay_input(r, IF_ETH0, &client, inner, il);
	assert_int_equal(c->drop_server_msg, 1);
	/* a client message on the upstream, or on a link that is not ours */
	dhcp6relay_input(r, IF_WLAN0, &client, solicit, sizeof(solicit));
	dhcp6relay_input(r, 42, &client, solicit, sizeof(solicit));
	assert_int_equal(c->drop_not_island, 2);
	/* an IA_NA running past its end in a Reply: relayed (the client judges
	 * it), no host learned */
	uint8_t bad[128];
	memcpy(bad, inner, il);
	be_put16(bad + 6, 200);
	n = relay_reply("eth0", &up, &client, bad, il, out, sizeof(out));
	dhcp6relay_input(r, IF_WLAN0, &up, out, n);
	assert_int_equal(dhcp6relay_n_hosts(r), 0);
	/* the kernel refusing: counted */
	send_rc = -1;
	dhcp6relay_input(r, IF_ETH0, &client, solicit, sizeof(solicit));
	assert_int_equal(c->drop_send, 1);
	assert_int_equal(n_hosts, 0);
	assert_int_equal(n_sent, 1);
	dhcp6relay_free(r);
}

static void test_hosts_bounded(void **state)
{
	(void)state;
	struct dhcp6relay *r = relay_new();
	struct in6_addr client = addr6("fe80::10"), up = addr6("2001:db8:1::1");
	uint8_t inner[128], out[256];
	for (unsigned i = 0; i < DHCP6RELAY_MAX_HOSTS + 10; i++) {
		struct in6_addr a = addr6("2001:db8:1::");
		be_put16(a.s6_addr + 14, (uint16_t)(i + 1));
		size_t il = reply_with(DHCP6_REPLY, &a, 60, inner);
		size_t n = relay_reply("eth0", &up, &client, inner, il, out, sizeof(out));
		n_sent = n_hosts = 0;
		dhcp6relay_input(r, IF_WLAN0, &up, out, n);
	}
	assert_int_equal(dhcp6relay_n_hosts(r), DHCP6RELAY_MAX_HOSTS);
	assert_int_equal(dhcp6relay_counters(r)->drop_hosts_full, 10);
	/* removing a link forgets its hosts */
	dhcp6relay_del_link(r, IF_ETH0);
	assert_int_equal(dhcp6relay_n_hosts(r), 0);
	dhcp6relay_free(r);
}

static void test_ia_na_walk(void **state)
{
	(void)state;
	uint8_t buf[128];
	struct in6_addr a = addr6("2001:db8::7");
	size_t n = reply_with(DHCP6_REPLY, &a, 100, buf);
	struct dhcp6_na_addr out[2];
	assert_int_equal(dhcp6_ia_na_addrs(buf, n, out, 2), 1);
	assert_memory_equal(&out[0].addr, &a, 16);
	assert_int_equal(out[0].valid, 100);
	assert_int_equal(out[0].preferred, 50);
	assert_int_equal(dhcp6_ia_na_addrs(buf, 4, out, 2), 0);
	for (size_t cut = 5; cut < n; cut++)
		assert_int_equal(dhcp6_ia_na_addrs(buf, cut, out, 2), -1);
	assert_int_equal(dhcp6_ia_na_addrs(buf, 3, out, 2), -1);
	assert_int_equal(dhcp6_ia_na_addrs(solicit, sizeof(solicit), out, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_client),
		cmocka_unit_test(test_configured_servers),
		cmocka_unit_test(test_reply_and_hosts),
		cmocka_unit_test(test_nested_relays),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_hosts_bounded),
		cmocka_unit_test(test_ia_na_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
