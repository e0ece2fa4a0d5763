/* The addresses a DHCPv6 message's IA_NA options carry (RFC 8415 §21.4,
 * §21.6): what a relay needs to know which hosts a Reply leased, or which
 * a Release gives back. A separate, small addition to proto/dhcp6.h (whose
 * dhcp6_msg holds IA_PD only): a bounded walk, no I/O, no allocation. */
#ifndef ISLANDD_PROTO_DHCP6_IA_NA_H
#define ISLANDD_PROTO_DHCP6_IA_NA_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct dhcp6_na_addr {
	struct in6_addr addr;
	uint32_t preferred, valid; /* seconds, 0xffffffff = infinity */
};

/* msg is a whole client/server message (4-byte header, then options).
 * Fills at most max addresses; returns how many IA Address options were
 * found (may exceed max), or -1 when an IA_NA or IA Address option runs
 * past its container or is shorter than its fixed part, or bytes too few
 * for an option header are left over. */
int dhcp6_ia_na_addrs(const uint8_t *msg, size_t len, struct dhcp6_na_addr *out, size_t max);

#endif
