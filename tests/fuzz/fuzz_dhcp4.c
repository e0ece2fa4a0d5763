/* libFuzzer target for the DHCPv4 codec: dhcp4_parse on arbitrary bytes;
 * when accepted, do what the relay does (hops, giaddr, flags, add option
 * 82, strip it again), parse after each edit and require the fields the
 * edit must not touch to be unchanged. Also the IPv4/UDP frame checker on
 * the raw bytes, and build -> check round trips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dhcp4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static void same_fields(const struct dhcp4_msg *a, const struct dhcp4_msg *b)
{
	CHECK(a->op == b->op && a->xid == b->xid && a->type == b->type);
	CHECK(!memcmp(a->chaddr, b->chaddr, 16));
	CHECK(a->yiaddr.s_addr == b->yiaddr.s_addr && a->ciaddr.s_addr == b->ciaddr.s_addr);
	CHECK(a->has_server_id == b->has_server_id && a->server_id.s_addr == b->server_id.s_addr);
	CHECK(a->has_lease_time == b->has_lease_time && a->lease_time_s == b->lease_time_s);
	CHECK(a->overload == b->overload && a->max_msg_size == b->max_msg_size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[DHCP4_IP_UDP_LEN + DHCP4_MAX_LEN];
	struct dhcp4_msg m, m2;
	size_t off, plen;
	struct in_addr s, d;
	uint16_t sp, dp;
	if (dhcp4_parse_ipv4_udp(data, size, &off, &plen, &s, &d, &sp, &dp) == 0)
		CHECK(off + plen <= size);
	if (size > DHCP4_MAX_LEN) {
		CHECK(dhcp4_parse(data, size, &m) != DHCP4_DROP_NONE);
		return 0;
	}
	enum dhcp4_drop why = dhcp4_parse(data, size, &m);
	CHECK((unsigned)why < DHCP4_DROP__COUNT);
	if (why != DHCP4_DROP_NONE)
		return 0;
	CHECK(m.opt_end <= size);
	uint8_t *p = buf + DHCP4_IP_UDP_LEN;
	memset(p, 0, DHCP4_MAX_LEN);
	memcpy(p, data, size);
	size_t len = size;

	/* the relay's header edits */
	if (m.hops < DHCP4_MAX_HOPS)
		dhcp4_set_hops(p, (uint8_t)(m.hops + 1));
	dhcp4_set_giaddr(p, (struct in_addr){ .s_addr = 0x0201a8c0 });
	dhcp4_set_flags(p, m.flags | DHCP4_FLAG_BROADCAST);
	CHECK(dhcp4_parse(p, len, &m2) == DHCP4_DROP_NONE);
	same_fields(&m, &m2);

	/* option 82 in and out again */
	int n = dhcp4_add_relay_agent(p, len, DHCP4_MAX_LEN, &m2, (const uint8_t *)"eth0", 4,
	                              (const uint8_t *)"gw", 2);
	if (n >= 0) {
		CHECK((size_t)n >= len && (size_t)n <= DHCP4_MAX_LEN);
		CHECK(!m2.has_relay_agent);
		size_t lim = m2.max_msg_size > DHCP4_MIN_MSG ? m2.max_msg_size : DHCP4_MIN_MSG;
		CHECK((size_t)n <= lim || (size_t)n == len);
		len = (size_t)n;
		struct dhcp4_msg m3;
		CHECK(dhcp4_parse(p, len, &m3) == DHCP4_DROP_NONE);
		same_fields(&m2, &m3);
		CHECK(m3.has_relay_agent);
		const uint8_t *circuit;
		CHECK(dhcp4_relay_agent_circuit(p, &m3, &circuit) == 4 && !memcmp(circuit, "eth0", 4));
		m2 = m3;
	}
	if (m2.has_relay_agent) {
		CHECK(dhcp4_strip_relay_agent(p, len, &m2) == len);
		struct dhcp4_msg m4;
		CHECK(dhcp4_parse(p, len, &m4) == DHCP4_DROP_NONE);
		same_fields(&m2, &m4);
	}

	/* the frame around it */
	size_t flen = dhcp4_build_ipv4_udp(buf, (struct in_addr){ .s_addr = 0x0201a8c0 },
	                                   (struct in_addr){ .s_addr = 0xffffffff }, 67, 68, len, 64, 1);
	CHECK(dhcp4_parse_ipv4_udp(buf, flen, &off, &plen, &s, &d, &sp, &dp) == 0);
	CHECK(off == DHCP4_IP_UDP_LEN && plen == len && sp == 67 && dp == 68);
	return 0;
}
