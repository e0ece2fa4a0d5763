#include "util/fixtable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/prefault.h"

int fixtable_init(struct fixtable *t, void *pool, size_t entry_size, size_t link_off, uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	uint32_t nb = 16;
	while (nb < cap && nb < (1u << 30))
		nb <<= 1;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->buckets)
		return -ENOMEM;
	/* touched now: resident memory stays put however full the table gets */
	mem_prefault(t->buckets, nb * sizeof(*t->buckets));
	t->base = pool;
	t->entry_size = entry_size;
	t->link_off = link_off;
	t->n_buckets = nb;
	t->cap = cap;
	hash_key_init(&t->key);
	return 0;
}

void fixtable_free(struct fixtable *t)
{
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

uint32_t fixtable_add(struct fixtable *t, uint32_t bucket)
{
	uint32_t ref;
	if (t->free_head) {
		ref = t->free_head;
		t->free_head = *fixtable_link(t, ref);
	} else if (t->touched < t->cap) {
		ref = ++t->touched;
	} else {
		return 0;
	}
	memset(fixtable_entry(t, ref), 0, t->entry_size);
	*fixtable_link(t, ref) = t->buckets[bucket];
	t->buckets[bucket] = ref;
	t->used++;
	return ref;
}

void fixtable_del_at(struct fixtable *t, uint32_t *link)
{
	uint32_t ref = *link;
	*link = *fixtable_link(t, ref);
	*fixtable_link(t, ref) = t->free_head;
	t->free_head = ref;
	t->used--;
}

void fixtable_del(struct fixtable *t, uint32_t bucket, uint32_t ref)
{
	uint32_t *link = &t->buckets[bucket];
	while (*link && *link != ref)
		link = fixtable_link(t, *link);
	if (*link)
		fixtable_del_at(t, link);
}
