/* The index of a bounded table: a pool of `cap` entries the owner allocates
 * once, hash chains under a per-process random key, and a free list, both
 * threaded through a uint32_t link in each entry (entry index + 1, 0 = end).
 * Nothing is allocated after init, a full table refuses new entries, and
 * entries never move, so owners may keep pointers to them.
 *
 * Owners embed it with FIXTABLE_MEMBERS, so that their own code reads
 * t->used, t->touched, t->key by name while these functions work on
 * &t->index (the anonymous struct and the named one share one layout). */
#ifndef ISLANDD_FIXTABLE_H
#define ISLANDD_FIXTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "util/hash.h"

#define FIXTABLE_FIELDS                                                           \
	char *base;              /* the owner's pool */                           \
	size_t entry_size, link_off;                                              \
	uint32_t *buckets;       /* chain heads, entry index + 1 */               \
	uint32_t n_buckets;      /* a power of two */                             \
	uint32_t cap, used;                                                       \
	uint32_t touched;        /* entries ever handed out: the rest are fresh */ \
	uint32_t free_head;      /* entry index + 1 */                            \
	struct hash_key key

struct fixtable {
	FIXTABLE_FIELDS;
};

#define FIXTABLE_MEMBERS                   \
	union {                            \
		struct fixtable index;     \
		struct { FIXTABLE_FIELDS; }; \
	}

/* Index `cap` entries of entry_size bytes at pool, each with its link at
 * link_off; the buckets are made resident now. 0 or -ENOMEM. */
int fixtable_init(struct fixtable *t, void *pool, size_t entry_size, size_t link_off, uint32_t cap);
/* Frees the buckets (the pool is the owner's) and zeroes t. */
void fixtable_free(struct fixtable *t);

static inline uint32_t fixtable_bucket(const struct fixtable *t, uint64_t hash)
{
	return (uint32_t)hash & (t->n_buckets - 1);
}

static inline void *fixtable_entry(const struct fixtable *t, uint32_t ref)
{
	return t->base + (size_t)(ref - 1) * t->entry_size;
}

/* The link of entry ref: walk a chain with
 *     for (uint32_t r = t->buckets[b]; r; r = *fixtable_link(t, r)) */
static inline uint32_t *fixtable_link(const struct fixtable *t, uint32_t ref)
{
	return (uint32_t *)((char *)fixtable_entry(t, ref) + t->link_off);
}

/* A zeroed entry first in chain `bucket`: its ref (index + 1), or 0 when
 * all cap entries are in use. The owner fills it, its link aside. */
uint32_t fixtable_add(struct fixtable *t, uint32_t bucket);
/* Unlink the entry *link refers to (a chain walk found it) and free it;
 * *link then refers to the next one. The owner resets the entry's fields,
 * its link aside. */
void fixtable_del_at(struct fixtable *t, uint32_t *link);
/* Unlink entry ref from chain `bucket` and free it. */
void fixtable_del(struct fixtable *t, uint32_t bucket, uint32_t ref);

#endif
