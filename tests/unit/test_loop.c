/* The event loop: timers in order, and the batching of busy spells
 * (loop_set_batch_interval). A child process writes bytes into a pipe on a
 * fixed schedule; the loop's callback counts the rounds that read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/loop.h"

struct reader {
	struct loop *loop;
	int fd;
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
	r->last_us = clock_us();
	if (r->bytes >= r->want)
		loop_stop(r->loop);
}

static void on_deadline(void *ctx)
{
	struct reader *r = ctx;
	loop_stop(r->loop);
}

/* Child: `count` bytes, one every `gap_us`, after `delay_us`. */
static pid_t writer(int fd, unsigned count, unsigned gap_us, unsigned delay_us)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	uint64_t next = (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec + delay_us * 1000ull;
	for (unsigned i = 0; i < count; i++) {
		struct timespec at = { (time_t)(next / 1000000000u), (long)(next % 1000000000u) };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
			;
		if (write(fd, "x", 1) != 1)
			_exit(1);
		next += gap_us * 1000ull;
	}
	_exit(0);
}

static unsigned run_stream(uint32_t batch_us, unsigned count, unsigned gap_us, unsigned *bytes)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct reader r = { .loop = loop_new(), .fd = p[0], .want = count };
	assert_non_null(r.loop);
	loop_set_batch_interval(r.loop, batch_us);
	assert_int_equal(loop_add_fd(r.loop, p[0], EPOLLIN, on_readable, &r), 0);
	loop_timer_in(r.loop, &r.deadline, 10000, on_deadline, &r);
	pid_t pid = writer(p[1], count, gap_us, 0);
	assert_true(pid > 0);
	assert_int_equal(loop_run(r.loop), 0);
	int st;
	waitpid(pid, &st, 0);
	loop_free(r.loop);
	close(p[0]);
	close(p[1]);
	*bytes = r.bytes;
	return r.rounds;
}

/* 1000 bytes at 10k/s with a 5 ms interval: about 20 rounds (0.1 s / 5 ms)
 * where an unbatched loop takes up to 1000. */
static void test_batch_groups_a_busy_stream(void **state)
{
	(void)state;
	unsigned bytes;
	unsigned rounds = run_stream(5000, 1000, 100, &bytes);
	assert_int_equal(bytes, 1000);
	assert_true(rounds <= 60);
}

/* Slow events are never held: each of 20 bytes 20 ms apart gets its own
 * round, with a 5 ms interval as without one. */
static void test_batch_leaves_a_slow_stream_alone(void **state)
{
	(void)state;
	unsigned bytes;
	unsigned rounds = run_stream(5000, 20, 20000, &bytes);
	assert_int_equal(bytes, 20);
	assert_int_equal(rounds, 20);
}

/* After a spell, the first byte of the next one is read at once: a
 * 200 ms interval would hold it for most of that if the spell went on. */
static void test_batch_spell_ends_when_quiet(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct reader r = { .loop = loop_new(), .fd = p[0], .want = 201 };
	assert_non_null(r.loop);
	loop_set_batch_interval(r.loop, 200000);
	assert_int_equal(loop_add_fd(r.loop, p[0], EPOLLIN, on_readable, &r), 0);
	loop_timer_in(r.loop, &r.deadline, 10000, on_deadline, &r);
	/* a burst of 200 bytes 100 us apart, then one more 1 s later */
	pid_t burst = writer(p[1], 200, 100, 0);
	pid_t late = writer(p[1], 1, 1, 1000000);
	uint64_t start = clock_us();
	assert_int_equal(loop_run(r.loop), 0);
	int st;
	waitpid(burst, &st, 0);
	waitpid(late, &st, 0);
	assert_int_equal(r.bytes, 201);
	/* the late byte was written at start + 1 s; read well before the
	 * 200 ms a spell would hold it */
	assert_true(r.last_us - start < 1000000 + 150000);
	loop_free(r.loop);
	close(p[0]);
	close(p[1]);
}

struct order {
	struct loop *loop;
	int seen[3];
	int n;
};

static void fire(struct order *o, int id)
{
	o->seen[o->n++] = id;
	if (o->n == 3)
		loop_stop(o->loop);
}
static void fire0(void *ctx) { fire(ctx, 0); }
static void fire1(void *ctx) { fire(ctx, 1); }
static void fire2(void *ctx) { fire(ctx, 2); }

/* Timers fire in deadline order, whatever order they were armed in, and a
 * busy spell does not hold them back. */
static void test_timers_in_order(void **state)
{
	(void)state;
	struct order o = { .loop = loop_new() };
	struct loop_timer t[3];
	memset(t, 0, sizeof(t));
	assert_non_null(o.loop);
	loop_set_batch_interval(o.loop, 1000);
	loop_timer_in(o.loop, &t[2], 30, fire2, &o);
	loop_timer_in(o.loop, &t[0], 10, fire0, &o);
	loop_timer_in(o.loop, &t[1], 20, fire1, &o);
	assert_int_equal(loop_run(o.loop), 0);
	assert_int_equal(o.seen[0], 0);
	assert_int_equal(o.seen[1], 1);
	assert_int_equal(o.seen[2], 2);
	loop_free(o.loop);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_in_order),
		cmocka_unit_test(test_batch_groups_a_busy_stream),
		cmocka_unit_test(test_batch_leaves_a_slow_stream_alone),
		cmocka_unit_test(test_batch_spell_ends_when_quiet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
