/* epoll + a binary min-heap of timers. Timers live inside their owners, so
 * arming one never allocates once the heap has grown to its high-water mark. */
#include "util/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_EVENTS 64

struct fd_slot {
	int fd;
	loop_fd_cb cb;
	void *ctx;
	bool used;
};

struct loop {
	struct loop_clock clock;
	int epfd;
	bool stop;
	struct fd_slot *fds;    /* indexed by fd: descriptors are small integers */
	size_t n_fds;
	struct loop_timer **heap; /* 1-based */
	loop_timer_cb after_round;
	void *after_round_ctx;
	size_t heap_len, heap_cap;
	uint32_t batch_us;       /* 0: every event handled at once */
	uint64_t round_start_us; /* when the last round with fd events began */
	uint64_t gap_avg_us;     /* moving average of the gaps between such rounds */
	bool in_spell;           /* busy: rounds are batch_us apart */
	uint64_t wakeups;        /* epoll_wait returns (islandd_loop_wakeups_total) */
};

uint64_t clock_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t clock_ms(void)
{
	return clock_us() / 1000u;
}

static uint64_t monotonic_now_us(void *ctx)
{
	(void)ctx;
	return clock_us();
}

struct loop *loop_new(void)
{
	return loop_new_clock(NULL);
}

struct loop *loop_new_clock(const struct loop_clock *clock)
{
	struct loop *loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	loop->clock = clock ? *clock : (struct loop_clock){ .now_us = monotonic_now_us };
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

uint64_t loop_now_us(const struct loop *loop)
{
	return loop->clock.now_us(loop->clock.ctx);
}

uint64_t loop_now_ms(const struct loop *loop)
{
	return loop_now_us(loop) / 1000u;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	close(loop->epfd);
	free(loop->fds);
	free(loop->heap);
	free(loop);
}

int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *ctx)
{
	if (fd < 0)
		return -EBADF;
	if ((size_t)fd >= loop->n_fds) {
		size_t n = (size_t)fd + 16;
		struct fd_slot *grown = realloc(loop->fds, n * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		for (size_t i = loop->n_fds; i < n; i++)
			grown[i] = (struct fd_slot){ .fd = -1 };
		loop->fds = grown;
		loop->n_fds = n;
	}
	struct epoll_event ev = { .events = events, .data.fd = fd };
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	loop->fds[fd] = (struct fd_slot){ .fd = fd, .cb = cb, .ctx = ctx, .used = true };
	return 0;
}

int loop_mod_fd(struct loop *loop, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void loop_del_fd(struct loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->n_fds || !loop->fds[fd].used)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd].used = false;
}

static void heap_set(struct loop *loop, size_t i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->heap_idx = (uint32_t)i;
}

static void heap_up(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];
	while (i > 1 && loop->heap[i / 2]->when_ms > t->when_ms) {
		heap_set(loop, i, loop->heap[i / 2]);
		i /= 2;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];
	for (;;) {
		size_t c = i * 2;
		if (c > loop->heap_len)
			break;
		if (c + 1 <= loop->heap_len && loop->heap[c + 1]->when_ms < loop->heap[c]->when_ms)
			c++;
		if (loop->heap[c]->when_ms >= t->when_ms)
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

void loop_timer_cancel(struct loop *loop, struct loop_timer *t)
{
	size_t i = t->heap_idx;
	if (i == 0)
		return;
	struct loop_timer *last = loop->heap[loop->heap_len--];
	t->heap_idx = 0;
	if (last == t)
		return;
	heap_set(loop, i, last);
	heap_up(loop, i);
	heap_down(loop, last->heap_idx);
}

int loop_timer_reserve(struct loop *loop, size_t n)
{
	if (n + 1 <= loop->heap_cap)
		return 0;
	struct loop_timer **grown = realloc(loop->heap, (n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	memset(grown + loop->heap_cap, 0, (n + 1 - loop->heap_cap) * sizeof(*grown));
	loop->heap = grown;
	loop->heap_cap = n + 1;
	return 0;
}

void loop_timer_at(struct loop *loop, struct loop_timer *t, uint64_t when_ms,
                   loop_timer_cb cb, void *ctx)
{
	loop_timer_cancel(loop, t);
	t->when_ms = when_ms;
	t->cb = cb;
	t->ctx = ctx;
	if (loop->heap_len + 1 >= loop->heap_cap) {
		size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
		struct loop_timer **grown = realloc(loop->heap, cap * sizeof(*grown));
		if (!grown)
			abort(); /* an impossible internal state: out of memory for a timer */
		loop->heap = grown;
		loop->heap_cap = cap;
	}
	loop->heap_len++;
	heap_set(loop, loop->heap_len, t);
	heap_up(loop, loop->heap_len);
}

void loop_timer_in(struct loop *loop, struct loop_timer *t, uint64_t delay_ms,
                   loop_timer_cb cb, void *ctx)
{
	loop_timer_at(loop, t, loop_now_ms(loop) + delay_ms, cb, ctx);
}

void loop_set_after_round(struct loop *loop, loop_timer_cb cb, void *ctx)
{
	loop->after_round = cb;
	loop->after_round_ctx = ctx;
}

void loop_set_batch_interval(struct loop *loop, uint32_t interval_us)
{
	loop->batch_us = interval_us;
	loop->gap_avg_us = interval_us;
	loop->in_spell = false;
}

void loop_stop(struct loop *loop)
{
	loop->stop = true;
}

/* Busy spells are handled in batches: each wake-up of a process costs more
 * than the few packets it handles (a context switch, and on a virtual
 * machine exits to the hypervisor). A spell begins when rounds keep coming
 * less than a quarter of an interval apart (a moving average, so a lone
 * pair of packets does not start one), i.e. when a round would gather four
 * packets or more. From then on each round first sleeps until an interval
 * after the previous one began (never past the next timer), so what arrived
 * meanwhile is read, answered and sent together. A sleep that collected
 * nothing ends the spell, and the next event is handled as soon as it
 * comes. */
static void batch_sleep(struct loop *loop)
{
	uint64_t ready = loop->round_start_us + loop->batch_us;
	if (loop->heap_len > 0 && loop->heap[1]->when_ms * 1000u < ready)
		ready = loop->heap[1]->when_ms * 1000u;
	if (loop_now_us(loop) >= ready)
		return;
	if (loop->clock.wait_until_us) {
		loop->clock.wait_until_us(loop->clock.ctx, ready, false);
		return;
	}
	struct timespec ts = { .tv_sec = (time_t)(ready / 1000000u),
	                       .tv_nsec = (long)(ready % 1000000u) * 1000 };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !loop->stop)
		;
}

static void batch_note_round(struct loop *loop, int n)
{
	if (!loop->batch_us || n <= 0) {
		/* an empty round in a spell: nothing came while we slept */
		if (loop->in_spell)
			loop->gap_avg_us = loop->batch_us;
		loop->in_spell = false;
		return;
	}
	uint64_t now = loop_now_us(loop), gap = now - loop->round_start_us;
	loop->round_start_us = now;
	if (loop->in_spell)
		return;
	if (gap > 1000000u)
		gap = 1000000u;
	/* a few quick gaps in a row, not one: a lone pair is handled at once */
	loop->gap_avg_us = (3 * loop->gap_avg_us + gap) / 4;
	if (loop->gap_avg_us < loop->batch_us / 4)
		loop->in_spell = true;
}

static void run_due_timers(struct loop *loop)
{
	uint64_t now = loop_now_ms(loop);
	while (loop->heap_len > 0 && loop->heap[1]->when_ms <= now) {
		struct loop_timer *t = loop->heap[1];
		loop_timer_cancel(loop, t);
		t->cb(t->ctx);
	}
}

uint64_t loop_wakeups(const struct loop *loop)
{
	return loop->wakeups;
}

int loop_run(struct loop *loop)
{
	struct epoll_event events[LOOP_MAX_EVENTS];
	loop->stop = false;
	while (!loop->stop) {
		int timeout = -1;
		if (loop->in_spell) {
			batch_sleep(loop);
			timeout = 0; /* nothing came during the sleep: the spell is over */
		} else if (loop->heap_len > 0) {
			uint64_t now = loop_now_ms(loop), when = loop->heap[1]->when_ms;
			timeout = when <= now ? 0 : (int)(when - now > 60000 ? 60000 : when - now);
		}
		/* a fake clock is never waited for in epoll: it moves on instead */
		bool fake = loop->clock.wait_until_us != NULL;
		int n = epoll_wait(loop->epfd, events, LOOP_MAX_EVENTS, fake ? 0 : timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		loop->wakeups++;
		if (fake && n == 0 && timeout != 0) {
			if (timeout < 0)
				return -EDEADLK;
			loop->clock.wait_until_us(loop->clock.ctx, loop->heap[1]->when_ms * 1000u, true);
			continue;
		}
		batch_note_round(loop, n);
		for (int i = 0; i < n && !loop->stop; i++) {
			int fd = events[i].data.fd;
			/* a callback earlier in this batch may have removed this fd */
			if ((size_t)fd < loop->n_fds && loop->fds[fd].used)
				loop->fds[fd].cb(loop->fds[fd].ctx, fd, events[i].events);
		}
		run_due_timers(loop);
		if (loop->after_round)
			loop->after_round(loop->after_round_ctx);
	}
	return 0;
}
