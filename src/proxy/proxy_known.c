#include "proxy/proxy_known.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/prefault.h"

int proxy_known_init(struct proxy_known *k, uint32_t cap)
{
	memset(k, 0, sizeof(*k));
	k->pool = calloc(cap ? cap : 1, sizeof(*k->pool));
	if (!k->pool || fixtable_init(&k->index, k->pool, sizeof(*k->pool),
	                              offsetof(struct proxy_known_entry, next), cap) < 0) {
		proxy_known_free(k);
		return -ENOMEM;
	}
	mem_prefault(k->pool, cap * sizeof(*k->pool));
	return 0;
}

void proxy_known_free(struct proxy_known *k)
{
	free(k->pool);
	fixtable_free(&k->index);
	k->pool = NULL;
}

static uint32_t *known_link(const struct proxy_known *k, int ifindex, const struct in6_addr *addr)
{
	uint32_t *link = &k->buckets[fixtable_bucket(&k->index, hash_in6(&k->key, addr, (uint64_t)ifindex))];
	while (*link) {
		struct proxy_known_entry *en = fixtable_entry(&k->index, *link);
		if (en->ifindex == ifindex && memcmp(&en->addr, addr, sizeof(*addr)) == 0)
			break;
		link = &en->next;
	}
	return link;
}

bool proxy_known_has(const struct proxy_known *k, int ifindex, const struct in6_addr *addr)
{
	return k->used > 0 && ifindex > 0 && *known_link(k, ifindex, addr) != 0;
}

void proxy_known_add(struct proxy_known *k, int ifindex, const struct in6_addr *addr)
{
	if (*known_link(k, ifindex, addr))
		return;
	uint32_t r = fixtable_add(&k->index, fixtable_bucket(&k->index, hash_in6(&k->key, addr, (uint64_t)ifindex)));
	if (!r)
		return; /* full: this target is probed instead */
	struct proxy_known_entry *en = fixtable_entry(&k->index, r);
	en->addr = *addr;
	en->ifindex = ifindex;
}

static void known_unlink(struct proxy_known *k, uint32_t *link)
{
	struct proxy_known_entry *en = fixtable_entry(&k->index, *link);
	fixtable_del_at(&k->index, link);
	en->ifindex = 0;
}

void proxy_known_del(struct proxy_known *k, int ifindex, const struct in6_addr *addr)
{
	uint32_t *link = known_link(k, ifindex, addr);
	if (*link)
		known_unlink(k, link);
}

void proxy_known_flush_ifindex(struct proxy_known *k, int ifindex)
{
	for (uint32_t b = 0; b < k->n_buckets && k->used; b++) {
		uint32_t *link = &k->buckets[b];
		while (*link) {
			if (k->pool[*link - 1].ifindex == ifindex)
				known_unlink(k, link);
			else
				link = &k->pool[*link - 1].next;
		}
	}
}

void proxy_known_foreach(const struct proxy_known *k, bool (*cb)(void *ctx, int ifindex, const struct in6_addr *addr),
                       void *ctx)
{
	for (uint32_t b = 0; b < k->n_buckets; b++)
		for (uint32_t i = k->buckets[b]; i; i = k->pool[i - 1].next)
			if (!cb(ctx, k->pool[i - 1].ifindex, &k->pool[i - 1].addr))
				return;
}

void proxy_known_move(struct proxy_known *dst, struct proxy_known *src)
{
	for (uint32_t b = 0; b < src->n_buckets; b++)
		for (uint32_t i = src->buckets[b]; i; i = src->pool[i - 1].next)
			proxy_known_add(dst, src->pool[i - 1].ifindex, &src->pool[i - 1].addr);
	proxy_known_free(src);
}
