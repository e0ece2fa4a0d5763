/* The metrics listener's socket: a TCP listener that serves one HTTP
 * request at a time, for Prometheus. Bounded by construction: one
 * connection at a time (others wait in a short backlog, the kernel drops
 * what does not fit), the whole request within HTTP_LISTEN_READ_MS, a fixed
 * request buffer and one response buffer allocated with the listener;
 * nothing is allocated per request. Malformed, oversized and timed-out
 * requests are closed and counted. */
#ifndef ISLANDD_NET_HTTP_LISTEN_H
#define ISLANDD_NET_HTTP_LISTEN_H

#include "conf/conf.h"
#include "util/loop.h"

#include <stddef.h>
#include <stdint.h>

#define HTTP_LISTEN_REQUEST_MAX 2048
#define HTTP_LISTEN_RESPONSE_MAX (256u * 1024)
#define HTTP_LISTEN_READ_MS 1000   /* accept to the end of the request head */
#define HTTP_LISTEN_WRITE_MS 2000  /* for the reply to be taken */
#define HTTP_LISTEN_BACKLOG 8

/* islandctl stats shows these under "metrics" (islandd_metrics_*_total). */
struct http_listen_stats {
	uint64_t accepted;
	uint64_t requests;      /* GET or HEAD /metrics answered */
	uint64_t bad_requests;  /* malformed or oversized request head: closed */
	uint64_t timeouts;      /* request not complete, or reply not taken, in time */
	uint64_t not_found;     /* another path: 404 */
	uint64_t not_allowed;   /* another method: 405 */
	uint64_t too_big;       /* the page did not fit the response buffer: 500 */
};

/* Writes the page into body (at most cap bytes): its length, or -1 when it
 * does not fit. */
typedef long (*http_page_fn)(void *ctx, char *body, size_t cap);

struct http_listen;

/* NULL with err filled when the address cannot be bound. */
struct http_listen *http_listen_new(struct loop *loop, const struct conf_listen *at,
                                    http_page_fn page, void *ctx, char *err, size_t errlen);
void http_listen_free(struct http_listen *h);
const struct http_listen_stats *http_listen_stats(const struct http_listen *h);
/* Where it listens (the configured address and port). */
const struct conf_listen *http_listen_addr(const struct http_listen *h);

#endif
