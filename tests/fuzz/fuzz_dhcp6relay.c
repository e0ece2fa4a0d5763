/* The DHCPv6 relay engine on hostile datagrams: the first byte picks the
 * link a datagram arrives on (upstream, an island link, an unknown one),
 * the rest is the datagram. Nothing may crash, every send must fit a
 * datagram, and the leased-host table stays within its bound. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6relay/dhcp6relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t clock_ms = 1000;

static int op_send(void *ctx, int ifindex, const struct in6_addr *dst, uint16_t dport, const uint8_t *pkt,
                   size_t len)
{
	(void)ctx; (void)ifindex; (void)dst;
	if (!pkt || len == 0 || len > 65535 || (dport != 546 && dport != 547))
		abort();
	return 0;
}

static uint64_t op_now(void *ctx)
{
	(void)ctx;
	return clock_ms;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct dhcp6relay_ops ops = { .send = op_send, .now_ms = op_now };
	struct dhcp6relay *r = dhcp6relay_new(&ops);
	if (!r)
		return 0;
	dhcp6relay_set_upstream(r, 2, "wlan0");
	dhcp6relay_add_link(r, 3, "eth0");
	dhcp6relay_add_link(r, 4, "eth1");
	struct in6_addr up = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct in6_addr src = { .s6_addr = { 0xfe, 0x80, [15] = 9 } };
	dhcp6relay_on_addr(r, 2, &up, false);
	/* several datagrams per input, separated by a length byte */
	size_t off = 0;
	while (off + 2 <= size) {
		uint8_t how = data[off], len = data[off + 1];
		off += 2;
		size_t n = len <= size - off ? len : size - off;
		static const int links[] = { 2, 3, 4, 9 };
		dhcp6relay_input(r, links[how & 3], &src, data + off, n);
		if (how & 0x80) {
			clock_ms += 30000;
			dhcp6relay_tick(r);
		}
		off += n;
	}
	if (dhcp6relay_n_hosts(r) > DHCP6RELAY_MAX_HOSTS)
		abort();
	dhcp6relay_free(r);
	return 0;
}
