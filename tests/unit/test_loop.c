/* The event loop: timers in order, and the batching of busy spells
 * (loop_set_batch_interval), on the fake clock (fake_loop.h): a writer in
 * the fake world puts bytes into a pipe at exact microseconds, the loop's
 * callback counts the rounds that read them. Nothing here waits for wall
 * time, so every count is exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util/loop.h"
#include "fake_loop.h"

struct reader {
	struct loop *loop;
	unsigned rounds;     /* callbacks that read at least one byte */
	unsigned bytes;
	unsigned want;       /* stop after this many bytes */
	uint64_t last_us;    /* when the last byte was read */
	struct loop_timer deadline;
};

static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct reader *r = ctx;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	(void)events;
	if (n <= 0)
		return;
	r->rounds++;
	r->bytes += (unsigned)n;
	r->last_us = loop_now_us(r->loop);
	if (r->bytes >= r->want)
		loop_stop(r->loop);
}

static void on_deadline(void *ctx)
{
	struct reader *r = ctx;
	loop_stop(r->loop);
}

/* Writers in the fake world: `count` bytes, one every `gap_us` from `at_us`. */
struct stream {
	unsigned count;
	uint64_t gap_us, at_us;
};
struct writers {
	int fd;
	struct stream s[2];
	unsigned n;
};

static uint64_t writers_next(void *ctx)
{
	struct writers *w = ctx;
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < w->n; i++)
		if (w->s[i].count && w->s[i].at_us < next)
			next = w->s[i].at_us;
	return next;
}

static void writers_act(void *ctx)
{
	struct writers *w = ctx;
	for (unsigned i = 0; i < w->n; i++) {
		struct stream *s = &w->s[i];
		if (s->count && s->at_us <= fake_us) {
			assert_int_equal(write(w->fd, "x", 1), 1);
			s->count--;
			s->at_us += s->gap_us;
		}
	}
}

/* Run a reader for `want` bytes against the streams; the pipe's read end
 * is read by the loop, the world writes into the other. */
static struct reader run_streams(uint32_t batch_us, const struct stream *s, unsigned n, unsigned want)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct reader r = { .loop = fake_loop_reset(1000), .want = want };
	struct writers w = { .fd = p[1], .n = n };
	for (unsigned i = 0; i < n; i++) {
		w.s[i] = s[i];
		w.s[i].at_us += fake_us;
	}
	fake_world = (struct fake_world){ .next_us = writers_next, .act = writers_act, .ctx = &w };
	loop_set_batch_interval(r.loop, batch_us);
	assert_int_equal(loop_add_fd(r.loop, p[0], EPOLLIN, on_readable, &r), 0);
	loop_timer_in(r.loop, &r.deadline, 10000, on_deadline, &r);
	assert_int_equal(loop_run(r.loop), 0);
	fake_world = (struct fake_world){ 0 };
	fake_loop_free();
	close(p[0]);
	close(p[1]);
	return r;
}

/* 1000 bytes at 10k/s with a 5 ms interval. The gap average starts at the
 * interval, the first gap counts as 1 s (capped), and each later 100 us gap
 * takes it a quarter of the way down: 20 rounds of one byte (0 to 1.9 ms)
 * before it is under a quarter interval (1171 < 1250 us), then one round
 * every 5 ms from 6.9 ms to 101.9 ms, 50 bytes each and 30 in the last:
 * 20 more. An unbatched loop takes 1000 rounds. */
static void test_batch_groups_a_busy_stream(void **state)
{
	(void)state;
	struct stream s = { .count = 1000, .gap_us = 100 };
	struct reader r = run_streams(5000, &s, 1, 1000);
	assert_int_equal(r.bytes, 1000);
	assert_int_equal(r.rounds, 40);
	r = run_streams(0, &s, 1, 1000);
	assert_int_equal(r.rounds, 1000);
}

/* Slow events are never held: each of 20 bytes 20 ms apart gets its own
 * round, read the moment it is written, as without an interval. */
static void test_batch_leaves_a_slow_stream_alone(void **state)
{
	(void)state;
	struct stream s = { .count = 20, .gap_us = 20000 };
	uint64_t start = 1000 * 1000;
	struct reader r = run_streams(5000, &s, 1, 20);
	assert_int_equal(r.bytes, 20);
	assert_int_equal(r.rounds, 20);
	assert_int_equal(r.last_us - start, 19 * 20000);
}

/* After a spell, the first byte of the next one is read at once: a
 * 200 ms interval would hold it for most of that if the spell went on. */
static void test_batch_spell_ends_when_quiet(void **state)
{
	(void)state;
	/* a burst of 200 bytes 100 us apart, then one more 1 s later */
	struct stream s[2] = { { .count = 200, .gap_us = 100 }, { .count = 1, .gap_us = 1, .at_us = 1000000 } };
	uint64_t start = 1000 * 1000;
	struct reader r = run_streams(200000, s, 2, 201);
	assert_int_equal(r.bytes, 201);
	assert_int_equal(r.last_us - start, 1000000);
}

struct order {
	struct loop *loop;
	int seen[3];
	uint64_t at[3];
	int n;
};

static void fire(struct order *o, int id)
{
	o->at[o->n] = loop_now_ms(o->loop);
	o->seen[o->n++] = id;
	if (o->n == 3)
		loop_stop(o->loop);
}
static void fire0(void *ctx) { fire(ctx, 0); }
static void fire1(void *ctx) { fire(ctx, 1); }
static void fire2(void *ctx) { fire(ctx, 2); }

/* Timers fire in deadline order, whatever order they were armed in, each
 * at its time, and a busy spell does not hold them back. */
static void test_timers_in_order(void **state)
{
	(void)state;
	struct order o = { .loop = fake_loop_reset(5000) };
	struct loop_timer t[3];
	memset(t, 0, sizeof(t));
	loop_set_batch_interval(o.loop, 1000);
	loop_timer_in(o.loop, &t[2], 30, fire2, &o);
	loop_timer_in(o.loop, &t[0], 10, fire0, &o);
	loop_timer_in(o.loop, &t[1], 20, fire1, &o);
	assert_int_equal(loop_run(o.loop), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(o.seen[i], i);
		assert_int_equal(o.at[i], 5000 + 10 * (i + 1));
	}
	fake_loop_free();
}

/* On a fake clock with nothing armed and nothing ready the loop would wait
 * for ever: it says so instead. */
static void test_fake_loop_with_nothing_to_wait_for(void **state)
{
	(void)state;
	struct loop *loop = fake_loop_reset(0);
	assert_int_equal(loop_run(loop), -EDEADLK);
	fake_loop_free();
}

/* loop_new() runs on CLOCK_MONOTONIC (bounds only: no wall-time wait). */
static void test_default_clock_is_monotonic(void **state)
{
	(void)state;
	uint64_t before = clock_us();
	struct loop *loop = loop_new();
	assert_non_null(loop);
	uint64_t now = loop_now_us(loop);
	assert_true(now >= before && now <= clock_us());
	loop_free(loop);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_in_order),
		cmocka_unit_test(test_batch_groups_a_busy_stream),
		cmocka_unit_test(test_batch_leaves_a_slow_stream_alone),
		cmocka_unit_test(test_batch_spell_ends_when_quiet),
		cmocka_unit_test(test_fake_loop_with_nothing_to_wait_for),
		cmocka_unit_test(test_default_clock_is_monotonic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
