/* ICMPv6 checksum (RFC 4443 §2.3): one's complement sum over the IPv6
 * pseudo-header (RFC 8200 §8.1) and the message. */
#include "proto/nd.h"
#include "proto/nd_wire.h"
#include "proto/inet_csum.h"

uint16_t nd_icmp6_checksum(const struct in6_addr *src, const struct in6_addr *dst,
                           const uint8_t *icmp, size_t len)
{
	/* A 32-bit accumulator cannot overflow: at most 32 + 32768 words of
	 * 0xffff for the largest (64 KiB) IPv6 payload. */
	uint32_t sum = 0;
	sum = inet_csum_add(sum, src->s6_addr, 16);
	sum = inet_csum_add(sum, dst->s6_addr, 16);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	sum += ND_IPPROTO_ICMP6;
	sum = inet_csum_add(sum, icmp, len);
	return inet_csum_fold(sum);
}
