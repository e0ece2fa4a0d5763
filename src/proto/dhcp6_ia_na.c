/* IA_NA addresses of a DHCPv6 message: see dhcp6_ia_na.h. */
#include "proto/dhcp6_ia_na.h"

#include <string.h>

#include "proto/bytes.h"
#include "proto/dhcp6.h"

#define IA_NA_FIXED 12   /* IAID, T1, T2 */
#define IAADDR_FIXED 24  /* address, preferred, valid */

int dhcp6_ia_na_addrs(const uint8_t *msg, size_t len, struct dhcp6_na_addr *out, size_t max)
{
	if (len < DHCP6_HDR_LEN)
		return -1;
	int found = 0;
	size_t off = DHCP6_HDR_LEN;
	while (off + DHCP6_OPT_HDR_LEN <= len) {
		uint16_t code = be_get16(msg + off), olen = be_get16(msg + off + 2);
		size_t body = off + DHCP6_OPT_HDR_LEN;
		if (body + olen > len)
			return -1;
		if (code == DHCP6_OPT_IA_NA) {
			if (olen < IA_NA_FIXED)
				return -1;
			size_t end = body + olen, in = body + IA_NA_FIXED;
			while (in + DHCP6_OPT_HDR_LEN <= end) {
				uint16_t icode = be_get16(msg + in), ilen = be_get16(msg + in + 2);
				size_t ibody = in + DHCP6_OPT_HDR_LEN;
				if (ibody + ilen > end)
					return -1;
				if (icode == DHCP6_OPT_IAADDR) {
					if (ilen < IAADDR_FIXED)
						return -1;
					if ((size_t)found < max) {
						memcpy(&out[found].addr, msg + ibody, 16);
						out[found].preferred = be_get32(msg + ibody + 16);
						out[found].valid = be_get32(msg + ibody + 20);
					}
					found++;
				}
				in = ibody + ilen;
			}
			if (in != end)
				return -1;   /* bytes left that cannot hold an option */
		}
		off = body + olen;
	}
	return off == len ? found : -1;
}
