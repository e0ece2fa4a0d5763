/* xorshift64* (Vigna): a fast, small-state generator for timing jitter and
 * IDs that need only be unguessable off-link. Not cryptographic. */
#ifndef ISLANDD_RANDOM_H
#define ISLANDD_RANDOM_H

#include <stdint.h>

/* A usable state from seed: xorshift's state must never be 0. */
uint64_t rng_init(uint64_t seed);
/* The next 64-bit number; its high bits are the best ones. */
uint64_t rng_next(uint64_t *state);

#endif
