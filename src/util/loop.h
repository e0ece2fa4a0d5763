/* The event loop: epoll for descriptors, a binary heap of timers on the
 * loop's clock (CLOCK_MONOTONIC unless a test gives its own). Single-threaded;
 * callbacks may add and remove fds and timers. */
#ifndef ISLANDD_LOOP_H
#define ISLANDD_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fd_cb)(void *ctx, int fd, uint32_t events);
typedef void (*loop_timer_cb)(void *ctx);

/* A timer is embedded in its owner; zero-initialise it before first use. */
struct loop_timer {
	uint64_t when_ms;   /* absolute, monotonic milliseconds */
	uint32_t heap_idx;  /* 0 = not armed */
	loop_timer_cb cb;
	void *ctx;
};

/* Monotonic clock in milliseconds / microseconds (the default loop clock). */
uint64_t clock_ms(void);
uint64_t clock_us(void);

/* A clock for the loop. now_us reads it. wait_until_us, when set, makes the
 * clock a fake one: instead of blocking in epoll_wait or sleeping, the loop
 * asks it to move its time on to until_us (descriptors are then only
 * polled), so tests run timers and batching exactly, without wall time.
 * `wakes` says the wait is epoll's, which a descriptor event may end early
 * (a fake that makes events stops there); a batching sleep does not wake. */
struct loop_clock {
	uint64_t (*now_us)(void *ctx);
	void (*wait_until_us)(void *ctx, uint64_t until_us, bool wakes);
	void *ctx;
};

struct loop *loop_new(void);
/* A loop on `clock` (copied); NULL is CLOCK_MONOTONIC, as loop_new(). */
struct loop *loop_new_clock(const struct loop_clock *clock);
/* The loop's time: what timers are armed against. */
uint64_t loop_now_us(const struct loop *loop);
uint64_t loop_now_ms(const struct loop *loop);
void loop_free(struct loop *loop);
/* events: EPOLLIN etc. One registration per fd. */
int loop_add_fd(struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *ctx);
int loop_mod_fd(struct loop *loop, int fd, uint32_t events);
void loop_del_fd(struct loop *loop, int fd);
/* (Re)arm t to fire at absolute time when_ms. */
void loop_timer_at(struct loop *loop, struct loop_timer *t, uint64_t when_ms,
                   loop_timer_cb cb, void *ctx);
void loop_timer_in(struct loop *loop, struct loop_timer *t, uint64_t delay_ms,
                   loop_timer_cb cb, void *ctx);
void loop_timer_cancel(struct loop *loop, struct loop_timer *t);
/* Make room for n armed timers now (and touch it), so arming them later
 * neither allocates nor moves the resident size. */
int loop_timer_reserve(struct loop *loop, size_t n);
static inline bool loop_timer_armed(const struct loop_timer *t) { return t->heap_idx != 0; }
/* cb runs after every round of events and timers: the place to flush
 * output that callbacks queued (one batch per round). */
void loop_set_after_round(struct loop *loop, loop_timer_cb cb, void *ctx);
/* Batch busy spells: when events come more often than every interval_us / 4,
 * rounds are held interval_us apart so that what arrives meanwhile is
 * handled together (at most 1e6 / interval_us wake-ups a second, each event
 * delayed by less than interval_us). Outside such spells every event is
 * handled at once; timers are never delayed. 0 (the default) disables it. */
void loop_set_batch_interval(struct loop *loop, uint32_t interval_us);
/* Run until loop_stop(); returns 0, or -errno on epoll failure. On a fake
 * clock, -EDEADLK when nothing is ready and no timer is armed (the loop
 * would otherwise wait for ever). */
int loop_run(struct loop *loop);
/* How many times the loop's wait returned (a fake clock's steps included). */
uint64_t loop_wakeups(const struct loop *loop);
void loop_stop(struct loop *loop);

#endif
