/* When an interface sends its next multicast RA (RFC 4861 §6.2.4-6.2.6).
 *
 * Unsolicited RAs come at random intervals in [min, max]; the first
 * MAX_INITIAL_RTR_ADVERTISEMENTS after the interface starts advertising (or
 * after what it advertises changed) at most MAX_INITIAL_RTR_ADVERT_INTERVAL
 * apart. An RS is answered after a random 0..MAX_RA_DELAY_TIME, and no two
 * multicast RAs leave less than MIN_DELAY_BETWEEN_RAS apart, whatever the
 * RS or RA rate: that is what bounds us under a flood. */
#include "ra/ra_internal.h"

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* The earliest a multicast RA may leave. */
static uint64_t rate_floor(const struct ra_sched *s)
{
	return s->last_mcast_ms ? s->last_mcast_ms + RA_MIN_DELAY_BETWEEN_RAS_MS : 0;
}

void ra_sched_init(struct ra_sched *s, uint32_t min_ms, uint32_t max_ms)
{
	uint64_t last = s->last_mcast_ms; /* survives a re-init: the rate limit still holds */
	*s = (struct ra_sched){ .min_ms = min_ms, .max_ms = max_ms < min_ms ? min_ms : max_ms };
	s->last_mcast_ms = last;
}

void ra_sched_start(struct ra_sched *s, uint64_t now)
{
	s->running = true;
	s->initial_left = RA_MAX_INITIAL_RTR_ADVERTISEMENTS;
	s->next_unsol_ms = now;
	s->soon_ms = 0;
}

void ra_sched_stop(struct ra_sched *s)
{
	s->running = false;
	s->next_unsol_ms = 0;
	s->soon_ms = 0;
}

void ra_sched_changed(struct ra_sched *s, uint64_t now, bool burst)
{
	if (!s->running)
		return;
	if (burst)
		s->initial_left = RA_MAX_INITIAL_RTR_ADVERTISEMENTS;
	s->soon_ms = earliest(s->soon_ms, now);
}

void ra_sched_solicited(struct ra_sched *s, uint64_t now, uint32_t rnd)
{
	if (!s->running)
		return;
	uint64_t delay = rnd % (RA_MAX_RA_DELAY_TIME_MS + 1);
	uint64_t when = now + delay;
	/* §6.2.6: after a recent multicast RA, MIN_DELAY_BETWEEN_RAS plus the
	 * random delay after that one. */
	if (s->last_mcast_ms && now < rate_floor(s))
		when = rate_floor(s) + delay;
	/* Something already due earlier answers this RS too. */
	if ((s->soon_ms && s->soon_ms <= when) || s->next_unsol_ms <= when)
		return;
	s->soon_ms = when;
}

uint64_t ra_sched_due(const struct ra_sched *s)
{
	if (!s->running)
		return 0;
	uint64_t when = earliest(s->next_unsol_ms, s->soon_ms);
	uint64_t floor = rate_floor(s);
	return when < floor ? floor : when;
}

void ra_sched_sent(struct ra_sched *s, uint64_t now, uint32_t rnd)
{
	s->last_mcast_ms = now;
	s->soon_ms = 0;
	uint64_t span = (uint64_t)s->max_ms - s->min_ms;
	uint64_t interval = s->min_ms + (span ? rnd % (span + 1) : 0);
	if (s->initial_left > 0) {
		s->initial_left--;
		if (s->initial_left > 0 && interval > RA_MAX_INITIAL_RTR_ADVERT_INTERVAL_MS)
			interval = RA_MAX_INITIAL_RTR_ADVERT_INTERVAL_MS;
	}
	s->next_unsol_ms = now + interval;
}
