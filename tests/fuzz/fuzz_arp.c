/* libFuzzer target for the ARP codec: arp_parse on arbitrary bytes (the
 * first 6 bytes stand for the Ethernet source when the input is long
 * enough); an accepted frame is rebuilt from the parsed struct, which must
 * parse again to the same message and, ARP being fixed-size, to the same
 * first ARP_LEN bytes. */
#include <stdint.h>
#include <string.h>

#include "proto/arp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *eth_src = NULL;
	if (size >= 6 + ARP_LEN && (data[0] & 0x80)) { /* sometimes: with an Ethernet source */
		eth_src = data + 1;
		data += 7;
		size -= 7;
	}
	struct arp_msg m, again;
	enum arp_drop d = arp_parse(data, size, eth_src, &m);
	CHECK((unsigned)d < ARP_DROP_COUNT);
	CHECK(strcmp(arp_drop_name(d), "unknown") != 0);
	if (d != ARP_DROP_ok)
		return 0;
	uint8_t out[ARP_LEN];
	CHECK(arp_build(out, &m) == ARP_LEN);
	CHECK(memcmp(out, data, ARP_LEN) == 0);
	CHECK(arp_parse(out, sizeof(out), eth_src, &again) == ARP_DROP_ok);
	CHECK(m.op == again.op && m.probe == again.probe && m.gratuitous == again.gratuitous);
	CHECK(memcmp(m.sha, again.sha, 6) == 0 && memcmp(m.tha, again.tha, 6) == 0);
	CHECK(m.spa.s_addr == again.spa.s_addr && m.tpa.s_addr == again.tpa.s_addr);
	return 0;
}
