#include "util/random.h"

uint64_t rng_init(uint64_t seed)
{
	return seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}
