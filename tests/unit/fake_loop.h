/* One fake clock for the unit tests and the fuzzers: a real struct loop (its
 * timer heap, its batching, epoll for descriptors) on a clock that moves only
 * when the test moves it or when the loop would otherwise wait, so every
 * timer fires at its exact time and nothing depends on wall time. Include
 * it once per binary; it has no cmocka, so fuzzers use it too. */
#ifndef FAKE_LOOP_H
#define FAKE_LOOP_H

#include <stdbool.h>
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

/* What happens outside the loop at given times (a peer writing into a
 * pipe): next_us says when it next acts (UINT64_MAX: never), act does it. */
struct fake_world {
	uint64_t (*next_us)(void *ctx);
	void (*act)(void *ctx);
	void *ctx;
};
static struct fake_world fake_world;

/* The loop would wait: the time is simply there. The world acts at its
 * times on the way; an event ends a wait that `wakes` (epoll's) there, as
 * it would on the real clock, while a batching sleep runs to its end. */
static void fake_clock_wait_until_us(void *ctx, uint64_t until_us, bool wakes)
{
	(void)ctx;
	while (fake_world.next_us) {
		uint64_t at = fake_world.next_us(fake_world.ctx);
		if (at > until_us)
			break;
		if (at > fake_us)
			fake_us = at;
		fake_world.act(fake_world.ctx);
		if (wakes)
			return;
	}
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
	fake_world = (struct fake_world){ 0 };
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
