/* libFuzzer target for the DHCPv4 relay engine with fake I/O: the input is
 * a script of messages (from an island link, from a server, seen on the
 * upstream) and clock steps. After every step: every frame and datagram the
 * engine sent parses (and a frame carries a valid IPv4/UDP header), the
 * exchange and lease tables stay within their bounds, and every lease
 * reported learned is reported gone exactly once by the end. */
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "dhcp4relay/dhcp4relay.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/dhcp4.h"
#include "util/log.h"
#include "../unit/fake_loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static long hosts_live;

static int op_send_server(void *ctx, int ifindex, struct in_addr dst, const uint8_t *msg, size_t len)
{
	(void)ctx; (void)dst;
	struct dhcp4_msg m;
	CHECK(ifindex == 2);
	CHECK(dhcp4_parse(msg, len, &m) == DHCP4_DROP_NONE);
	CHECK(m.op == DHCP4_OP_REQUEST && m.hops <= DHCP4_MAX_HOPS && m.giaddr.s_addr != 0);
	return 0;
}

static int op_send_frame(void *ctx, int ifindex, const uint8_t mac[6], const uint8_t *frame, size_t len)
{
	(void)ctx; (void)mac;
	size_t off, plen;
	struct in_addr s, d;
	uint16_t sp, dp;
	struct dhcp4_msg m;
	CHECK(ifindex >= 2 && ifindex <= 4);
	CHECK(dhcp4_parse_ipv4_udp(frame, len, &off, &plen, &s, &d, &sp, &dp) == 0);
	CHECK(dhcp4_parse(frame + off, plen, &m) == DHCP4_DROP_NONE);
	CHECK(ifindex == 2 ? (sp == 68 && dp == 67) : (sp == 67 && dp == 68 && !m.has_relay_agent));
	return 0;
}

static void op_host(void *ctx, int up, int island, struct in_addr a, const uint8_t mac[6], bool gone)
{
	(void)ctx; (void)up; (void)island; (void)a; (void)mac;
	hosts_live += gone ? -1 : 1;
	CHECK(hosts_live >= 0);
}

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return fake_ms();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *conf;
	static struct iftable *ifs;
	if (!conf) {
		log_init("fuzz", false, 0);
		const char *text = "dhcp4-relay { upstream wlan0; iface eth*; server 192.168.1.1; option82 yes }";
		struct conf_error err;
		if (conf_parse(text, strlen(text), "f", &conf, &err) != 0)
			abort();
		ifs = iftable_new(8);
		const char *names[] = { "wlan0", "eth0", "eth1" };
		for (int i = 0; i < 3; i++) {
			struct nl_link l = { .ifindex = 2 + i, .flags = IFF_UP | IFF_RUNNING, .mtu = 1500, .lladdr_len = 6 };
			snprintf(l.name, sizeof(l.name), "%s", names[i]);
			iftable_on_link(ifs, &l, false, NULL, NULL);
		}
		struct nl_addr a = { .ifindex = 2, .family = AF_INET, .addr4 = { htonl(0xc0a80102) }, .plen = 24,
		                     .scope = RT_SCOPE_UNIVERSE };
		iftable_on_addr(ifs, &a, false, NULL, NULL);
	}
	fake_loop_reset(1000);
	hosts_live = 0;
	const struct dhcp4_ops ops = { .now_ms = op_now, .send_server = op_send_server,
	                               .send_frame = op_send_frame, .host = op_host };
	struct dhcp4_engine *e = dhcp4_engine_new(fake_loop, conf, ifs, &ops);
	CHECK(e);
	/* script: [kind][len hi][len lo][len bytes], kind: 0-2 island/server/upstream, 3 clock */
	static uint8_t msg[DHCP4_MAX_LEN + 1];
	size_t i = 0;
	while (i + 3 <= size) {
		uint8_t kind = data[i] & 3;
		size_t n = ((size_t)data[i + 1] << 8 | data[i + 2]) % (DHCP4_MAX_LEN + 2);
		i += 3;
		if (kind == 3) {
			run_for((uint64_t)n * 1000u);
			continue;
		}
		if (n > size - i)
			n = size - i;
		memcpy(msg, data + i, n);
		i += n;
		/* a template header so the parser's later checks are reached */
		if (n >= DHCP4_OPTIONS_OFF && (data[i - 1] & 1)) {
			msg[DHCP4_OFF_HTYPE] = 1;
			msg[DHCP4_OFF_HLEN] = 6;
			msg[DHCP4_OFF_HOPS] &= 15;
			memcpy(msg + DHCP4_OFF_COOKIE, "\x63\x82\x53\x63", 4);
		}
		struct in_addr bc = { .s_addr = INADDR_BROADCAST };
		if (kind == 0)
			dhcp4_engine_on_island(e, 3 + (data[i - 1] & 2) / 2, bc, msg, n);
		else if (kind == 1)
			dhcp4_engine_on_server(e, 2, msg, n);
		else
			dhcp4_engine_on_upstream_client(e, 2, msg, n);
		const struct dhcp4_counters *c = dhcp4_engine_counters(e);
		(void)c;
		CHECK(dhcp4_engine_lease_count(e) <= DHCP4_LEASE_SETS * DHCP4_WAYS);
		CHECK((long)dhcp4_engine_lease_count(e) == hosts_live);
	}
	dhcp4_engine_shutdown(e);
	CHECK(hosts_live == 0);
	dhcp4_engine_free(e);
	return 0;
}
