#include "ndproxy/deadcache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/prefault.h"

int ndp_dead_init(struct ndp_deadcache *c, uint32_t entries)
{
	uint32_t sets = 1;
	while (sets * NDP_DEAD_WAYS < entries && sets < (1u << 24))
		sets <<= 1;
	memset(c, 0, sizeof(*c));
	c->slot = calloc((size_t)sets * NDP_DEAD_WAYS, sizeof(*c->slot));
	if (!c->slot)
		return -ENOMEM;
	mem_prefault(c->slot, (size_t)sets * NDP_DEAD_WAYS * sizeof(*c->slot));
	c->n_sets = sets;
	hash_key_init(&c->key);
	return 0;
}

void ndp_dead_free(struct ndp_deadcache *c)
{
	free(c->slot);
	memset(c, 0, sizeof(*c));
}

static struct ndp_dead *set_of(const struct ndp_deadcache *c, uint16_t proxy_idx, const struct in6_addr *t)
{
	return &c->slot[(hash_in6(&c->key, t, proxy_idx) & (c->n_sets - 1)) * NDP_DEAD_WAYS];
}

struct ndp_dead *ndp_dead_find(struct ndp_deadcache *c, uint16_t proxy_idx,
                               const struct in6_addr *target, uint64_t now_ms)
{
	struct ndp_dead *set = set_of(c, proxy_idx, target);
	for (unsigned i = 0; i < NDP_DEAD_WAYS; i++) {
		struct ndp_dead *d = &set[i];
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

void ndp_dead_add(struct ndp_deadcache *c, uint16_t proxy_idx, const struct in6_addr *target,
                  uint64_t probed_ms, uint64_t expires_ms)
{
	struct ndp_dead *set = set_of(c, proxy_idx, target), *victim = &set[0];
	for (unsigned i = 0; i < NDP_DEAD_WAYS; i++) {
		struct ndp_dead *d = &set[i];
		if (d->expires_ms && d->proxy_idx == proxy_idx && memcmp(&d->target, target, sizeof(*target)) == 0) {
			victim = d;
			break;
		}
		if (d->expires_ms < victim->expires_ms)
			victim = d; /* a free slot (0) wins, else the soonest to expire */
	}
	*victim = (struct ndp_dead){ .target = *target, .probed_ms = probed_ms,
	                             .expires_ms = expires_ms ? expires_ms : 1, .proxy_idx = proxy_idx };
}

unsigned ndp_dead_count(const struct ndp_deadcache *c, uint64_t now_ms)
{
	unsigned n = 0;
	for (size_t i = 0; i < (size_t)c->n_sets * NDP_DEAD_WAYS; i++)
		n += c->slot[i].expires_ms > now_ms;
	return n;
}
