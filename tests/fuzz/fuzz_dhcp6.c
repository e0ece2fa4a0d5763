/* libFuzzer target for the DHCPv6 codec: dhcp6_parse on arbitrary bytes;
 * when a message is accepted, build it back from the parsed struct, parse
 * that again and require the same message (dhcp6_msg_equal: unknown
 * options are dropped by the rebuild, everything the parser kept must
 * survive); a second rebuild must be byte-identical to the first. A relay
 * message's inner message goes through the same, as the relay would. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dhcp6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The rebuild only drops (unknown options, status text past 64 bytes):
 * it is never longer than the input. */
#define REBUILD_MAX DHCP6_MSG_MAX

static void round_trip(const uint8_t *data, size_t size, unsigned depth)
{
	struct dhcp6_msg first, again;
	static uint8_t out[REBUILD_MAX], out2[REBUILD_MAX];
	if (dhcp6_parse(data, size, &first) != DHCP6_OK)
		return;
	size_t n = dhcp6_build(&first, out, sizeof(out));
	if (n == 0 || n > size)
		abort();
	if (dhcp6_parse(out, n, &again) != DHCP6_OK || !dhcp6_msg_equal(&first, &again))
		abort();
	size_t n2 = dhcp6_build(&again, out2, sizeof(out2));
	if (n2 != n || memcmp(out, out2, n) != 0)
		abort();
	if (first.relay_msg && depth < DHCP6_HOP_COUNT_LIMIT)
		round_trip(first.relay_msg, first.relay_msg_len, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	round_trip(data, size, 0);
	return 0;
}
