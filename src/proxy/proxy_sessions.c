#include "proxy/proxy_sessions.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/prefault.h"

/* The pool comes from mmap; the first PROXY_SESSIONS_PRETOUCH sessions are
 * touched now so the resident size is what it will be under a flood. */
int proxy_sessions_init(struct proxy_sessions *t, uint32_t cap)
{
	memset(t, 0, sizeof(*t));
	if (cap == 0)
		cap = 1;
	size_t bytes = (size_t)cap * sizeof(struct proxy_session);
	void *pool = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool == MAP_FAILED)
		return -errno;
	int r = fixtable_init(&t->index, pool, sizeof(struct proxy_session), offsetof(struct proxy_session, hnext), cap);
	if (r < 0) {
		munmap(pool, bytes);
		return r;
	}
	mem_prefault(pool, (size_t)(cap < PROXY_SESSIONS_PRETOUCH ? cap : PROXY_SESSIONS_PRETOUCH) *
	                   sizeof(struct proxy_session));
	t->pool = pool;
	return 0;
}

void proxy_sessions_free(struct proxy_sessions *t)
{
	if (t->pool)
		munmap(t->pool, (size_t)t->cap * sizeof(struct proxy_session));
	fixtable_free(&t->index);
	t->pool = NULL;
}

static uint32_t bucket_of(const struct proxy_sessions *t, uint16_t proxy_idx, const struct in6_addr *a)
{
	return fixtable_bucket(&t->index, hash_in6(&t->key, a, proxy_idx));
}

struct proxy_session *proxy_sessions_find(const struct proxy_sessions *t, uint16_t proxy_idx,
                                      const struct in6_addr *target)
{
	for (uint32_t r = t->buckets[bucket_of(t, proxy_idx, target)]; r; r = *fixtable_link(&t->index, r)) {
		struct proxy_session *s = fixtable_entry(&t->index, r);
		if (s->proxy_idx == proxy_idx && memcmp(&s->target, target, sizeof(*target)) == 0)
			return s;
	}
	return NULL;
}

struct proxy_session *proxy_sessions_insert(struct proxy_sessions *t, uint16_t proxy_idx,
                                        const struct in6_addr *target)
{
	uint32_t r = fixtable_add(&t->index, bucket_of(t, proxy_idx, target));
	if (!r)
		return NULL;
	struct proxy_session *s = fixtable_entry(&t->index, r);
	s->in_use = true;
	s->proxy_idx = proxy_idx;
	s->target = *target;
	return s;
}

void proxy_sessions_remove(struct proxy_sessions *t, struct proxy_session *s)
{
	fixtable_del(&t->index, bucket_of(t, s->proxy_idx, &s->target), proxy_sessions_index(t, s) + 1);
	s->in_use = false;
}

void proxy_session_remember(struct proxy_session *s, const struct proxy_solicitor *who)
{
	for (unsigned i = 0; i < s->n_pending; i++) {
		const struct proxy_solicitor *p = &s->pending[i];
		if (memcmp(&p->addr, &who->addr, sizeof(who->addr)) == 0 && p->ll_len == who->ll_len &&
		    memcmp(p->ll, who->ll, who->ll_len) == 0)
			return;
	}
	if (s->n_pending == PROXY_MAX_PENDING) /* keep the newest: drop the oldest */
		memmove(&s->pending[0], &s->pending[1], sizeof(s->pending[0]) * (PROXY_MAX_PENDING - 1));
	else
		s->n_pending++;
	s->pending[s->n_pending - 1] = *who;
}

enum proxy_tick proxy_session_tick(struct proxy_session *s, const struct conf_proxy *p)
{
	switch ((enum proxy_state)s->state) {
	case PROXY_PROBING:
	case PROXY_RENEWING:
		if (s->retries_left == 0)
			return PROXY_TICK_DIE;
		s->retries_left--;
		return PROXY_TICK_PROBE;
	case PROXY_VALID:
		if (!p->keepalive && !s->used)
			return PROXY_TICK_DROP;
		s->state = PROXY_RENEWING;
		s->retries_left = proxy_retries(p);
		return PROXY_TICK_PROBE;
	case PROXY_LEARNED:
		break;
	}
	return PROXY_TICK_NONE;
}
