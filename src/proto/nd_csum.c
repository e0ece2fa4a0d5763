/* ICMPv6 checksum (RFC 4443 §2.3): one's complement sum over the IPv6
 * pseudo-header (RFC 8200 §8.1) and the message. */
#include "proto/nd.h"
#include "proto/nd_wire.h"

static uint32_t sum_words(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += be_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t nd_icmp6_checksum(const struct in6_addr *src, const struct in6_addr *dst,
                           const uint8_t *icmp, size_t len)
{
	/* A 32-bit accumulator cannot overflow: at most 32 + 32768 words of
	 * 0xffff for the largest (64 KiB) IPv6 payload. */
	uint32_t sum = 0;
	sum = sum_words(sum, src->s6_addr, 16);
	sum = sum_words(sum, dst->s6_addr, 16);
	sum += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	sum += ND_IPPROTO_ICMP6;
	sum = sum_words(sum, icmp, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
