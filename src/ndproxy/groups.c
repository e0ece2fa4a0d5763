#include "ndproxy/groups.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static uint32_t bucket_of(const struct ndp_groups *t, uint16_t proxy_idx, uint32_t low24)
{
	uint64_t k = ((uint64_t)proxy_idx << 32) | low24;
	return fixtable_bucket(&t->index, hash_mix64(k ^ t->key.k0) ^ t->key.k1);
}

int ndp_groups_init(struct ndp_groups *t, uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	t->pool = calloc(cap ? cap : 1, sizeof(*t->pool));
	if (!t->pool || fixtable_init(&t->index, t->pool, sizeof(*t->pool), offsetof(struct ndp_group, next), cap) < 0) {
		ndp_groups_free(t);
		return -1;
	}
	return 0;
}

void ndp_groups_free(struct ndp_groups *t)
{
	free(t->pool);
	t->pool = NULL;
	fixtable_free(&t->index);
}

struct ndp_group *ndp_groups_find(const struct ndp_groups *t, uint16_t proxy_idx, uint32_t low24)
{
	if (!t->buckets)
		return NULL;
	for (uint32_t r = t->buckets[bucket_of(t, proxy_idx, low24)]; r; r = *fixtable_link(&t->index, r)) {
		struct ndp_group *g = fixtable_entry(&t->index, r);
		if (g->low24 == low24 && g->proxy_idx == proxy_idx)
			return g;
	}
	return NULL;
}

struct ndp_group *ndp_groups_get(struct ndp_groups *t, uint16_t proxy_idx, uint32_t low24)
{
	struct ndp_group *g = ndp_groups_find(t, proxy_idx, low24);
	if (g)
		return g;
	uint32_t r = fixtable_add(&t->index, bucket_of(t, proxy_idx, low24));
	if (!r)
		return NULL;
	g = fixtable_entry(&t->index, r);
	g->low24 = low24;
	g->proxy_idx = proxy_idx;
	g->in_use = true;
	g->slot = -1;
	return g;
}

void ndp_groups_remove(struct ndp_groups *t, struct ndp_group *g)
{
	fixtable_del(&t->index, bucket_of(t, g->proxy_idx, g->low24), (uint32_t)(g - t->pool) + 1);
	*g = (struct ndp_group){ .next = g->next, .slot = -1 };
}
