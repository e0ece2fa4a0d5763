/* bench/batch.h: the batching of busy spells that islandd's event loop does
 * (src/util/loop.c, `batch-interval`), for the floor programs ndecho and
 * mdnsecho, so that the floor pays per wake-up what islandd pays.
 *
 * A spell begins when rounds keep coming less than a quarter of an interval apart
 * (moving average of the gaps); in a spell each round first sleeps until an
 * interval after the previous one began, then reads without blocking; a
 * round that finds nothing ends the spell. interval_us 0: no batching. */
#ifndef BENCH_BATCH_H
#define BENCH_BATCH_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct batch {
	uint64_t interval_us, round_start_us, gap_avg_us;
	bool in_spell;
};

static inline uint64_t batch_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline void batch_init(struct batch *b, uint64_t interval_us)
{
	*b = (struct batch){ .interval_us = interval_us, .gap_avg_us = interval_us };
}

/* Before waiting for packets: the poll timeout to use (-1 = block). */
static inline int batch_wait(struct batch *b)
{
	if (!b->in_spell)
		return -1;
	uint64_t ready = b->round_start_us + b->interval_us;
	if (batch_now_us() < ready) {
		struct timespec ts = { (time_t)(ready / 1000000u), (long)(ready % 1000000u) * 1000 };
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
	}
	return 0;
}

/* After a round: ready = whether any descriptor had something. */
static inline void batch_round(struct batch *b, bool ready)
{
	if (!b->interval_us || !ready) {
		if (b->in_spell)
			b->gap_avg_us = b->interval_us;
		b->in_spell = false;
		return;
	}
	uint64_t now = batch_now_us(), gap = now - b->round_start_us;
	b->round_start_us = now;
	if (b->in_spell)
		return;
	if (gap > 1000000u)
		gap = 1000000u;
	b->gap_avg_us = (3 * b->gap_avg_us + gap) / 4;
	if (b->gap_avg_us < b->interval_us / 4)
		b->in_spell = true;
}

#endif
