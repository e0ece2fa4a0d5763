/* DNS codec fuzzer: whatever parses must rebuild (compressed and not) into
 * a message that parses to the same records, and rebuilding is stable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dns.h"

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
	return 0;
}
