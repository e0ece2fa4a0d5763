#include "ndproxy/known.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/prefault.h"

int ndp_known_init(struct ndp_known *k, uint32_t cap)
{
	memset(k, 0, sizeof(*k));
	uint32_t nb = 16;
	while (nb < cap)
		nb <<= 1;
	k->pool = calloc(cap, sizeof(*k->pool));
	k->buckets = calloc(nb, sizeof(*k->buckets));
	if (!k->pool || !k->buckets) {
		ndp_known_free(k);
		return -ENOMEM;
	}
	/* touched now: resident memory stays put however full the table gets */
	mem_prefault(k->pool, cap * sizeof(*k->pool));
	mem_prefault(k->buckets, nb * sizeof(*k->buckets));
	k->cap = cap;
	k->n_buckets = nb;
	hash_key_init(&k->key);
	return 0;
}

void ndp_known_free(struct ndp_known *k)
{
	free(k->pool);
	free(k->buckets);
	memset(k, 0, sizeof(*k));
}

static uint32_t *known_link(const struct ndp_known *k, int ifindex, const struct in6_addr *addr)
{
	uint32_t *link = &k->buckets[hash_in6(&k->key, addr, (uint64_t)ifindex) & (k->n_buckets - 1)];
	while (*link) {
		struct ndp_known_entry *en = &k->pool[*link - 1];
		if (en->ifindex == ifindex && memcmp(&en->addr, addr, sizeof(*addr)) == 0)
			break;
		link = &en->next;
	}
	return link;
}

bool ndp_known_has(const struct ndp_known *k, int ifindex, const struct in6_addr *addr)
{
	return k->used > 0 && ifindex > 0 && *known_link(k, ifindex, addr) != 0;
}

void ndp_known_add(struct ndp_known *k, int ifindex, const struct in6_addr *addr)
{
	uint32_t *link = known_link(k, ifindex, addr);
	if (*link)
		return;
	uint32_t idx;
	if (k->free_head) {
		idx = k->free_head - 1;
		k->free_head = k->pool[idx].next;
	} else if (k->touched < k->cap) {
		idx = k->touched++;
	} else {
		return;
	}
	k->pool[idx] = (struct ndp_known_entry){ .addr = *addr, .ifindex = ifindex };
	*link = idx + 1;
	k->used++;
}

static void known_unlink(struct ndp_known *k, uint32_t *link)
{
	uint32_t idx = *link - 1;
	*link = k->pool[idx].next;
	k->pool[idx].next = k->free_head;
	k->pool[idx].ifindex = 0;
	k->free_head = idx + 1;
	k->used--;
}

void ndp_known_del(struct ndp_known *k, int ifindex, const struct in6_addr *addr)
{
	uint32_t *link = known_link(k, ifindex, addr);
	if (*link)
		known_unlink(k, link);
}

void ndp_known_flush_ifindex(struct ndp_known *k, int ifindex)
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

void ndp_known_foreach(const struct ndp_known *k, bool (*cb)(void *ctx, int ifindex, const struct in6_addr *addr),
                       void *ctx)
{
	for (uint32_t b = 0; b < k->n_buckets; b++)
		for (uint32_t i = k->buckets[b]; i; i = k->pool[i - 1].next)
			if (!cb(ctx, k->pool[i - 1].ifindex, &k->pool[i - 1].addr))
				return;
}

void ndp_known_move(struct ndp_known *dst, struct ndp_known *src)
{
	for (uint32_t b = 0; b < src->n_buckets; b++)
		for (uint32_t i = src->buckets[b]; i; i = src->pool[i - 1].next)
			ndp_known_add(dst, src->pool[i - 1].ifindex, &src->pool[i - 1].addr);
	ndp_known_free(src);
}
