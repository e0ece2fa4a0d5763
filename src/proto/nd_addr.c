/* IPv6 address helpers for Neighbor Discovery: solicited-node groups
 * (RFC 4291 §2.7.1), their Ethernet MACs (RFC 2464 §7), prefix tests,
 * the all-nodes and all-routers groups. */
#include <string.h>

#include "proto/nd.h"
#include "proto/nd_wire.h"

const struct in6_addr nd_all_nodes = { .s6_addr = { 0xff, 0x02, [15] = 0x01 } };
const struct in6_addr nd_all_routers = { .s6_addr = { 0xff, 0x02, [15] = 0x02 } };

/* ff02::1:ff00:0/104 */
static const uint8_t solicited_node_prefix[13] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
};

void nd_solicited_node(const struct in6_addr *addr, struct in6_addr *out)
{
	uint8_t low[3];
	memcpy(low, &addr->s6_addr[13], 3); /* addr and out may be the same */
	memcpy(out->s6_addr, solicited_node_prefix, 13);
	memcpy(&out->s6_addr[13], low, 3);
}

bool nd_is_solicited_node(const struct in6_addr *addr)
{
	return memcmp(addr->s6_addr, solicited_node_prefix, 13) == 0;
}

void nd_mcast_mac(const struct in6_addr *group, uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, &group->s6_addr[12], 4);
}

bool nd_prefix_match(const struct in6_addr *addr, const struct in6_addr *prefix, uint8_t plen)
{
	if (plen > 128)
		return false;
	size_t whole = plen / 8;
	if (memcmp(addr->s6_addr, prefix->s6_addr, whole) != 0)
		return false;
	unsigned rest = plen % 8;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return ((addr->s6_addr[whole] ^ prefix->s6_addr[whole]) & mask) == 0;
}

void nd_prefix_mask(struct in6_addr *addr, uint8_t plen)
{
	if (plen >= 128)
		return;
	size_t whole = plen / 8;
	unsigned rest = plen % 8;
	if (rest) {
		addr->s6_addr[whole] &= (uint8_t)(0xff << (8 - rest));
		whole++;
	}
	memset(&addr->s6_addr[whole], 0, 16 - whole);
}
