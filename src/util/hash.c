#include "util/hash.h"

#include <sys/random.h>
#include <time.h>
#include <unistd.h>

void hash_key_init(struct hash_key *key)
{
	if (getrandom(key, sizeof(*key), GRND_NONBLOCK) == (ssize_t)sizeof(*key))
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	key->k0 = hash_mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32));
	key->k1 = hash_mix64((uint64_t)ts.tv_sec ^ key->k0);
}
