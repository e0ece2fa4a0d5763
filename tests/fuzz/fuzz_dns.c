/* DNS codec fuzzer: whatever parses must rebuild (compressed and not) into
 * a message that parses to the same records, and rebuilding is stable;
 * cut into parts (dns_build_part), every part parses and fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns.h"
#include "../unit/dns_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_msg first, again;
static uint8_t out[DNS_MSG_MAX], out2[DNS_MSG_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (dns_parse(data, size, &first) != DNS_OK)
		return 0;
	for (int compress = 1; compress >= 0; compress--) {
		size_t n = dns_build(&first, NULL, compress, out, sizeof(out));
		if (n == 0) {
			/* Only an uncompressed rebuild of a compressed message may
			 * outgrow 64 KiB; compressed output is never bigger than the
			 * input plus the names we refuse to compress. */
			if (compress && size < 9000 && first.n_rr < 32)
				abort();
			continue;
		}
		if (dns_parse(out, n, &again) != DNS_OK)
			abort();
		if (!dns_msg_equal(&first, &again))
			abort();
		size_t n2 = dns_build(&again, NULL, compress, out2, sizeof(out2));
		if (n2 != n || memcmp(out, out2, n) != 0)
			abort();
	}
	/* Cut into parts of at most cap bytes (as the reflector does for a
	 * link's MTU): each part parses and fits, every record that fits a
	 * part alone is in exactly one, in order. */
	size_t cap = DNS_HEADER_LEN + (size * 7919u) % 1500u;
	unsigned from = 0;
	while (from < first.n_rr) {
		unsigned next;
		size_t n = dns_build_part(&first, NULL, 1, from, out, cap, &next);
		if (n < DNS_HEADER_LEN || n > cap || next < from || next > first.n_rr)
			abort();
		if (n == DNS_HEADER_LEN) {
			if (next != from)
				abort();
			from++;      /* this record alone is bigger than cap */
			continue;
		}
		if (dns_parse(out, n, &again) != DNS_OK || again.n_rr != next - from)
			abort();
		for (unsigned i = 0; i < again.n_rr; i++)
			if (!dns_rr_equal(&again.rr[i], &first.rr[from + i]))
				abort();
		from = next;
	}
	return 0;
}
