/* Helpers the codec and engine tests share: packets from hex (scapy's
 * reference bytes), addresses from text, address assertions. */
#ifndef ISLANDD_TEST_WIRE_FIXTURES_H
#define ISLANDD_TEST_WIRE_FIXTURES_H

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static inline size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static inline struct in6_addr A(const char *s)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static inline void assert_addr(const struct in6_addr *got, const char *want)
{
	struct in6_addr w = A(want);
	char g[INET6_ADDRSTRLEN];
	if (memcmp(got, &w, sizeof(w)) != 0)
		fail_msg("address %s, expected %s", inet_ntop(AF_INET6, got, g, sizeof(g)), want);
}

#endif
