#include "ndproxy/groups.h"

#include <stdlib.h>

static uint32_t bucket_of(const struct ndp_groups *t, uint16_t proxy_idx, uint32_t low24)
{
	uint64_t k = ((uint64_t)proxy_idx << 32) | low24;
	return (uint32_t)(hash_mix64(k ^ t->key.k0) ^ t->key.k1) & (t->n_buckets - 1);
}

int ndp_groups_init(struct ndp_groups *t, uint32_t cap)
{
	*t = (struct ndp_groups){ .cap = cap };
	t->n_buckets = 1;
	while (t->n_buckets < cap)
		t->n_buckets <<= 1;
	t->pool = calloc(cap ? cap : 1, sizeof(*t->pool));
	t->buckets = calloc(t->n_buckets, sizeof(*t->buckets));
	if (!t->pool || !t->buckets) {
		ndp_groups_free(t);
		return -1;
	}
	hash_key_init(&t->key);
	return 0;
}

void ndp_groups_free(struct ndp_groups *t)
{
	free(t->pool);
	free(t->buckets);
	t->pool = NULL;
	t->buckets = NULL;
	t->cap = t->used = t->touched = 0;
}

struct ndp_group *ndp_groups_find(const struct ndp_groups *t, uint16_t proxy_idx, uint32_t low24)
{
	if (!t->buckets)
		return NULL;
	for (uint32_t i = t->buckets[bucket_of(t, proxy_idx, low24)]; i; i = t->pool[i - 1].next) {
		struct ndp_group *g = &t->pool[i - 1];
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
	uint32_t idx;
	if (t->free_head) {
		idx = t->free_head - 1;
		t->free_head = t->pool[idx].next;
	} else if (t->touched < t->cap) {
		idx = t->touched++;
	} else {
		return NULL;
	}
	g = &t->pool[idx];
	uint32_t b = bucket_of(t, proxy_idx, low24);
	*g = (struct ndp_group){ .low24 = low24, .proxy_idx = proxy_idx, .in_use = true, .slot = -1,
	                         .next = t->buckets[b] };
	t->buckets[b] = idx + 1;
	t->used++;
	return g;
}

void ndp_groups_remove(struct ndp_groups *t, struct ndp_group *g)
{
	uint32_t idx = (uint32_t)(g - t->pool);
	uint32_t *link = &t->buckets[bucket_of(t, g->proxy_idx, g->low24)];
	while (*link && *link != idx + 1)
		link = &t->pool[*link - 1].next;
	if (*link)
		*link = g->next;
	*g = (struct ndp_group){ .next = t->free_head, .slot = -1 };
	t->free_head = idx + 1;
	t->used--;
}
