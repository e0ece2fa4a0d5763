/* The Internet checksum (RFC 1071): a one's complement sum of 16-bit
 * words, shared by the ICMPv6 (nd_csum.c) and the IPv4/UDP (dhcp4.c)
 * codecs. */
#ifndef ISLANDD_PROTO_INET_CSUM_H
#define ISLANDD_PROTO_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

#include "proto/bytes.h"

/* Add len bytes (an odd last byte padded with zero) to sum. A 32-bit sum
 * cannot overflow for anything below 64 KiB. */
static inline uint32_t inet_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += be_get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* Fold the carries and complement: the checksum field's value. */
static inline uint16_t inet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif
