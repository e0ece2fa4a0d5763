/* The hosts a relay learned behind its downstreams: a fixed pool of slots,
 * found by keyed hash of the address (chained through slot indexes), so a
 * lookup per packet costs one bucket walk and the table never grows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ra/ra_internal.h"
#include "util/prefault.h"

int ra_hosts_init(struct ra_hosts *h, uint32_t cap, const struct hash_key *key)
{
	memset(h, 0, sizeof(*h));
	if (cap == 0)
		return 0;
	uint32_t buckets = 1;
	while (buckets < cap * 2)
		buckets <<= 1;
	h->slot = calloc(cap, sizeof(*h->slot));
	h->bucket = calloc(buckets, sizeof(*h->bucket));
	if (!h->slot || !h->bucket) {
		ra_hosts_free(h);
		return -ENOMEM;
	}
	mem_prefault(h->slot, cap * sizeof(*h->slot));
	mem_prefault(h->bucket, buckets * sizeof(*h->bucket));
	h->cap = cap;
	h->mask = buckets - 1;
	h->key = key;
	for (uint32_t i = 0; i < cap; i++)
		h->slot[i].next = i + 2 <= cap ? i + 2 : 0;
	h->free_head = 1;
	return 0;
}

void ra_hosts_free(struct ra_hosts *h)
{
	free(h->slot);
	free(h->bucket);
	memset(h, 0, sizeof(*h));
}

static uint32_t *bucket_of(const struct ra_hosts *h, const struct in6_addr *addr)
{
	return &h->bucket[hash_in6(h->key, addr, 0) & h->mask];
}

struct ra_host *ra_hosts_find(struct ra_hosts *h, const struct in6_addr *addr)
{
	if (!h->cap)
		return NULL;
	for (uint32_t i = *bucket_of(h, addr); i; i = h->slot[i - 1].next)
		if (memcmp(&h->slot[i - 1].addr, addr, 16) == 0)
			return &h->slot[i - 1];
	return NULL;
}

struct ra_host *ra_hosts_add(struct ra_hosts *h, const struct in6_addr *addr)
{
	if (!h->free_head)
		return NULL;
	uint32_t idx = h->free_head;
	struct ra_host *host = &h->slot[idx - 1];
	h->free_head = host->next;
	memset(host, 0, sizeof(*host));
	host->addr = *addr;
	uint32_t *b = bucket_of(h, addr);
	host->next = *b;
	*b = idx;
	h->used++;
	return host;
}

void ra_hosts_remove(struct ra_hosts *h, struct ra_host *host)
{
	uint32_t idx = ra_hosts_index(h, host) + 1;
	for (uint32_t *p = bucket_of(h, &host->addr); *p; p = &h->slot[*p - 1].next) {
		if (*p == idx) {
			*p = host->next;
			break;
		}
	}
	memset(host, 0, sizeof(*host));
	host->next = h->free_head;
	h->free_head = idx;
	h->used--;
}
