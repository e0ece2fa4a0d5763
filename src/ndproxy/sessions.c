#include "ndproxy/sessions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/prefault.h"

/* The pool comes from mmap; the first NDP_SESSIONS_PRETOUCH sessions are
 * touched now so the resident size is what it will be under a flood. */
int ndp_sessions_init(struct ndp_sessions *t, uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	if (cap == 0)
		cap = 1;
	size_t bytes = (size_t)cap * sizeof(struct ndp_session);
	void *pool = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		return -errno;
	uint32_t nb = 16;
	while (nb < cap && nb < (1u << 30))
		nb <<= 1;
	t->buckets = calloc(nb, sizeof(*t->buckets));
	if (!t->buckets) {
		munmap(pool, bytes);
		return -ENOMEM;
	}
	mem_prefault(t->buckets, nb * sizeof(*t->buckets));
	mem_prefault(pool, (size_t)(cap < NDP_SESSIONS_PRETOUCH ? cap : NDP_SESSIONS_PRETOUCH) *
	                   sizeof(struct ndp_session));
	t->pool = pool;
	t->cap = cap;
	t->n_buckets = nb;
	hash_key_init(&t->key);
	return 0;
}

void ndp_sessions_free(struct ndp_sessions *t)
{
	if (t->pool)
		munmap(t->pool, (size_t)t->cap * sizeof(struct ndp_session));
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

static uint32_t bucket_of(const struct ndp_sessions *t, uint16_t proxy_idx, const struct in6_addr *a)
{
	return (uint32_t)hash_in6(&t->key, a, proxy_idx) & (t->n_buckets - 1);
}

struct ndp_session *ndp_sessions_find(const struct ndp_sessions *t, uint16_t proxy_idx,
                                      const struct in6_addr *target)
{
	for (uint32_t i = t->buckets[bucket_of(t, proxy_idx, target)]; i; i = t->pool[i - 1].hnext) {
		struct ndp_session *s = &t->pool[i - 1];
		if (s->proxy_idx == proxy_idx && memcmp(&s->target, target, sizeof(*target)) == 0)
			return s;
	}
	return NULL;
}

struct ndp_session *ndp_sessions_insert(struct ndp_sessions *t, uint16_t proxy_idx,
                                        const struct in6_addr *target)
{
	uint32_t idx;
	if (t->free_head) {
		idx = t->free_head - 1;
		t->free_head = t->pool[idx].hnext;
	} else if (t->touched < t->cap) {
		idx = t->touched++;
	} else {
		return NULL;
	}
	struct ndp_session *s = &t->pool[idx];
	memset(s, 0, sizeof(*s));
	s->in_use = true;
	s->proxy_idx = proxy_idx;
	s->target = *target;
	uint32_t b = bucket_of(t, proxy_idx, target);
	s->hnext = t->buckets[b];
	t->buckets[b] = idx + 1;
	t->used++;
	return s;
}

void ndp_sessions_remove(struct ndp_sessions *t, struct ndp_session *s)
{
	uint32_t idx = ndp_sessions_index(t, s);
	uint32_t *link = &t->buckets[bucket_of(t, s->proxy_idx, &s->target)];
	while (*link && *link != idx + 1)
		link = &t->pool[*link - 1].hnext;
	if (*link)
		*link = s->hnext;
	s->in_use = false;
	s->hnext = t->free_head;
	t->free_head = idx + 1;
	t->used--;
}
