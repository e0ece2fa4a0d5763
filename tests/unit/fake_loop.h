/* One fake clock for the unit tests and the fuzzers: a real struct loop (its
 * timer heap, its batching, epoll for descriptors) on a clock that moves only
 * when the test moves it or when the loop would otherwise wait, so every
 * timer fires at its exact time and nothing depends on wall time. Include
 * it once per binary; it has no cmocka, so fuzzers use it too. */
#ifndef FAKE_LOOP_H
#define FAKE_LOOP_H

#include <stdint.h>
#include <stdlib.h>

#include "util/loop.h"

static uint64_t fake_us;         /* the clock, microseconds */
static struct loop *fake_loop;   /* the loop on it, from fake_loop_reset() */

static uint64_t fake_clock_now_us(void *ctx)
{
	(void)ctx;
	return fake_us;
}

/* The loop would wait: the time is simply there. */
static void fake_clock_wait_until_us(void *ctx, uint64_t until_us)
{
	(void)ctx;
	if (until_us > fake_us)
		fake_us = until_us;
}

static const struct loop_clock fake_clock = {
	.now_us = fake_clock_now_us,
	.wait_until_us = fake_clock_wait_until_us,
};

static inline uint64_t fake_ms(void)
{
	return fake_us / 1000u;
}

/* For an engine's ops table: its time is the loop's. */
static __attribute__((unused)) uint64_t fake_now_ms(void *ctx)
{
	(void)ctx;
	return fake_ms();
}

/* A fresh loop on the fake clock, set to start_ms (the previous loop freed). */
static __attribute__((unused)) struct loop *fake_loop_reset(uint64_t start_ms)
{
	loop_free(fake_loop);
	fake_us = start_ms * 1000u;
	fake_loop = loop_new_clock(&fake_clock);
	if (!fake_loop)
		abort();
	return fake_loop;
}

static __attribute__((unused)) void fake_loop_free(void)
{
	loop_free(fake_loop);
	fake_loop = NULL;
}

static void fake_loop_stop(void *ctx)
{
	loop_stop(ctx);
}

/* Run the loop until the clock reads until_ms: every timer due by then fires
 * at its own time, in order, and ready descriptors are read as they would be. */
static __attribute__((unused)) void run_until(uint64_t until_ms)
{
	struct loop_timer stop = { 0 };
	if (until_ms < fake_ms())
		until_ms = fake_ms();
	loop_timer_at(fake_loop, &stop, until_ms, fake_loop_stop, fake_loop);
	if (loop_run(fake_loop) != 0)
		abort();
	loop_timer_cancel(fake_loop, &stop);
}

static __attribute__((unused)) void run_for(uint64_t ms)
{
	run_until(fake_ms() + ms);
}

#endif
