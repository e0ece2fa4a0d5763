/* Keyed hashing of addresses for tables whose keys come from the network:
 * the key is random per process, so a scanner cannot aim at one bucket. */
#ifndef ISLANDD_HASH_H
#define ISLANDD_HASH_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>

struct hash_key {
	uint64_t k0, k1;
};

/* Fill key from getrandom(); falls back to time and pid. */
void hash_key_init(struct hash_key *key);

static inline uint64_t hash_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static inline uint64_t hash_in6(const struct hash_key *key, const struct in6_addr *a, uint64_t extra)
{
	uint64_t hi, lo;
	memcpy(&hi, a->s6_addr, 8);
	memcpy(&lo, a->s6_addr + 8, 8);
	return hash_mix64(hash_mix64(hi ^ key->k0) ^ lo ^ key->k1 ^ (extra * 0x9e3779b97f4a7c15ULL));
}

#endif
