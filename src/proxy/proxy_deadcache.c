#include "proxy/proxy_deadcache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/prefault.h"

int proxy_dead_init(struct proxy_deadcache *c, uint32_t entries)
{
	uint32_t sets = 1;
	while (sets * PROXY_DEAD_WAYS < entries && sets < (1u << 24))
		sets <<= 1;
	memset(c, 0, sizeof(*c));
	c->slot = calloc((size_t)sets * PROXY_DEAD_WAYS, sizeof(*c->slot));
	if (!c->slot)
		return -ENOMEM;
	mem_prefault(c->slot, (size_t)sets * PROXY_DEAD_WAYS * sizeof(*c->slot));
	c->n_sets = sets;
	hash_key_init(&c->key);
	return 0;
}

void proxy_dead_free(struct proxy_deadcache *c)
{
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

static struct proxy_dead *set_of(const struct proxy_deadcache *c, uint16_t proxy_idx, const struct in6_addr *t)
{
	return &c->slot[(hash_in6(&c->key, t, proxy_idx) & (c->n_sets - 1)) * PROXY_DEAD_WAYS];
}

struct proxy_dead *proxy_dead_find(struct proxy_deadcache *c, uint16_t proxy_idx,
                               const struct in6_addr *target, uint64_t now_ms)
{
	struct proxy_dead *set = set_of(c, proxy_idx, target);
	for (unsigned i = 0; i < PROXY_DEAD_WAYS; i++) {
		struct proxy_dead *d = &set[i];
		if (!d->expires_ms || d->proxy_idx != proxy_idx || memcmp(&d->target, target, sizeof(*target)) != 0)
			continue;
		if (d->expires_ms <= now_ms) {
			d->expires_ms = 0;
			return NULL;
		}
		return d;
	}
	return NULL;
}

void proxy_dead_add(struct proxy_deadcache *c, uint16_t proxy_idx, const struct in6_addr *target,
                  uint64_t probed_ms, uint64_t expires_ms)
{
	struct proxy_dead *set = set_of(c, proxy_idx, target), *victim = &set[0];
	for (unsigned i = 0; i < PROXY_DEAD_WAYS; i++) {
		struct proxy_dead *d = &set[i];
		if (d->expires_ms && d->proxy_idx == proxy_idx && memcmp(&d->target, target, sizeof(*target)) == 0) {
			victim = d;
			break;
		}
		if (d->expires_ms < victim->expires_ms)
			victim = d; /* a free slot (0) wins, else the soonest to expire */
	}
	*victim = (struct proxy_dead){ .target = *target, .probed_ms = probed_ms,
	                             .expires_ms = expires_ms ? expires_ms : 1, .proxy_idx = proxy_idx };
}

unsigned proxy_dead_count(const struct proxy_deadcache *c, uint64_t now_ms)
{
	unsigned n = 0;
	for (size_t i = 0; i < (size_t)c->n_sets * PROXY_DEAD_WAYS; i++)
		n += c->slot[i].expires_ms > now_ms;
	return n;
}
