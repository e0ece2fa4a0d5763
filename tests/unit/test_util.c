/* Unit tests for the shared helpers: util/random, the mDNS rate limit on
 * util/tokenbucket, proto/bytes.h and the shared ND constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wire_fixtures.h"

#include "mdns/engine_int.h"
#include "proto/bytes.h"
#include "proto/nd.h"
#include "util/fixtable.h"
#include "util/random.h"

/* The expected values come from a Python model of xorshift64* (Vigna
 * 2016: shifts 12, 25, 27, multiplier 0x2545F4914F6CDD1D). */
static void rng_follows_xorshift64star(void **state)
{
	uint64_t s = rng_init(0);
	assert_int_equal(s, 0x9e3779b97f4a7c15ull); /* 0 is no state: a fixed odd one */
	assert_int_equal(rng_next(&s), 0x0d83b3e29a21487aull);
	assert_int_equal(rng_next(&s), 0x54c44c79f1fe9d67ull);
	assert_int_equal(rng_next(&s), 0xa845f342007a0e78ull);
	s = rng_init(1);
	assert_int_equal(rng_next(&s), 0x47e4ce4b896cdd1dull);
}

static void mdns_rate_limit_allows_a_second_of_burst_then_refills(void **state)
{
	struct mdns_iface i;
	memset(&i, 0, sizeof(i));
	uint64_t now = 1000000;
	/* rate 0: unlimited */
	for (int k = 0; k < 100; k++)
		assert_true(mdns_iface_take_token(&i, 0, now));
	/* rate 3/s: a full bucket of 3, then nothing until it refills */
	for (int k = 0; k < 3; k++)
		assert_true(mdns_iface_take_token(&i, 3, now));
	assert_false(mdns_iface_take_token(&i, 3, now));
	assert_false(mdns_iface_take_token(&i, 3, now + 333)); /* 0.999 of a token */
	assert_true(mdns_iface_take_token(&i, 3, now + 334));
	assert_false(mdns_iface_take_token(&i, 3, now + 334));
	/* a long pause saves up one second's worth, no more */
	int taken = 0;
	while (mdns_iface_take_token(&i, 3, now + 60000))
		taken++;
	assert_int_equal(taken, 3);
	/* a reload to a lower rate caps the saved tokens at the next refill */
	while (mdns_iface_take_token(&i, 3, now + 120000))
		;
	taken = 0;
	while (mdns_iface_take_token(&i, 1, now + 180000))
		taken++;
	assert_int_equal(taken, 1);
}

static void prefix_match_serves_mapped_ipv4_too(void **state)
{
	/* the mDNS engine matches IPv4 as v4-mapped, plen 96 + its own */
	struct in6_addr p = A("2001:db8:1:2::"), a = A("2001:db8:1:2:ff::1"), b = A("2001:db8:1:3::1");
	assert_true(nd_prefix_match(&a, &p, 64));
	assert_false(nd_prefix_match(&b, &p, 64));
	assert_true(nd_prefix_match(&b, &p, 47));
	assert_false(nd_prefix_match(&b, &p, 48 + 16));
	struct in6_addr m4 = A("::ffff:192.168.1.0"), h4 = A("::ffff:192.168.1.77"), o4 = A("::ffff:192.168.2.1");
	assert_true(nd_prefix_match(&h4, &m4, 96 + 24));
	assert_false(nd_prefix_match(&o4, &m4, 96 + 24));
	assert_true(nd_prefix_match(&o4, &m4, 96 + 16));
	assert_true(nd_prefix_match(&a, &a, 128));
	assert_false(nd_prefix_match(&a, &a, 129));
}

static void bytes_are_network_order(void **state)
{
	uint8_t b[4];
	be_put32(b, 0x01020304u);
	assert_int_equal(b[0], 1);
	assert_int_equal(b[3], 4);
	assert_int_equal(be_get32(b), 0x01020304u);
	be_put16(b, 0xa1b2);
	assert_int_equal(b[0], 0xa1);
	assert_int_equal(be_get16(b), 0xa1b2);
}

static void nd_groups_are_rfc4291s(void **state)
{
	assert_addr(&nd_all_nodes, "ff02::1");
	assert_addr(&nd_all_routers, "ff02::2");
	assert_int_equal(ND_MIN_IPV6_MTU, 1280);
}

struct item {
	uint32_t key;
	uint32_t link;
};

static struct item *item_find(const struct fixtable *t, uint32_t key)
{
	for (uint32_t r = t->buckets[fixtable_bucket(t, key)]; r; r = *fixtable_link(t, r)) {
		struct item *it = fixtable_entry(t, r);
		if (it->key == key)
			return it;
	}
	return NULL;
}

/* 40 entries in one chain (the worst case), every one found, a full table
 * refuses, entries unlinked from the middle leave the chain whole, freed
 * entries come back zeroed before untouched ones. */
static void fixtable_is_bounded_and_reuses_entries(void **state)
{
	struct item pool[40];
	struct fixtable t;
	assert_int_equal(fixtable_init(&t, pool, sizeof(pool[0]), offsetof(struct item, link), 40), 0);
	assert_int_equal(t.n_buckets, 64);
	for (uint32_t k = 0; k < 40; k++) {
		uint32_t r = fixtable_add(&t, fixtable_bucket(&t, k * 64 % 256));
		assert_int_not_equal(r, 0);
		((struct item *)fixtable_entry(&t, r))->key = k * 64 % 256 + k * 256;
	}
	assert_int_equal(t.used, 40);
	assert_int_equal(fixtable_add(&t, 0), 0);
	for (uint32_t k = 0; k < 40; k++)
		assert_non_null(item_find(&t, k * 64 % 256 + k * 256));
	/* remove three from the middle of their chains */
	for (uint32_t k = 10; k < 13; k++) {
		uint32_t key = k * 64 % 256 + k * 256;
		struct item *it = item_find(&t, key);
		fixtable_del(&t, fixtable_bucket(&t, key), (uint32_t)(it - pool) + 1);
		assert_null(item_find(&t, key));
	}
	assert_int_equal(t.used, 37);
	for (uint32_t k = 0; k < 40; k++)
		if (k < 10 || k >= 13)
			assert_non_null(item_find(&t, k * 64 % 256 + k * 256));
	/* the freed ones are handed out again, zeroed; then it is full again */
	for (int n = 0; n < 3; n++) {
		uint32_t r = fixtable_add(&t, 5);
		assert_int_not_equal(r, 0);
		assert_int_equal(((struct item *)fixtable_entry(&t, r))->key, 0);
		((struct item *)fixtable_entry(&t, r))->key = 5 + 64u * 1000u * (uint32_t)(n + 1);
	}
	assert_int_equal(t.touched, 40);
	assert_int_equal(fixtable_add(&t, 0), 0);
	fixtable_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rng_follows_xorshift64star),
		cmocka_unit_test(mdns_rate_limit_allows_a_second_of_burst_then_refills),
		cmocka_unit_test(prefix_match_serves_mapped_ipv4_too),
		cmocka_unit_test(bytes_are_network_order),
		cmocka_unit_test(nd_groups_are_rfc4291s),
		cmocka_unit_test(fixtable_is_bounded_and_reuses_entries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
