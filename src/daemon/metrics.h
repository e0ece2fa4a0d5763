/* The daemon's Prometheus endpoint (metrics-listen): each scrape renders
 * the control views (status, stats, ra, mdns) as JSON into one reused
 * buffer and turns them into the text format (ctl/prom.h), so the metrics
 * and `islandctl` read the same data. The socket is net/http_listen.h. */
#ifndef ISLANDD_DAEMON_METRICS_H
#define ISLANDD_DAEMON_METRICS_H

#include "conf/conf.h"
#include "daemon/status.h"
#include "net/http_listen.h"
#include "util/loop.h"

#include <stddef.h>

/* Fills v with what the views read now (the runtime's status_view_of). */
typedef void (*metrics_view_fn)(void *ctx, struct status_view *v);

struct metrics;

/* NULL with err filled when the address cannot be bound. */
struct metrics *metrics_new(struct loop *loop, const struct conf_listen *at, metrics_view_fn view,
                            void *ctx, char *err, size_t errlen);
void metrics_free(struct metrics *m);
const struct http_listen_stats *metrics_stats(const struct metrics *m);
const struct conf_listen *metrics_addr(const struct metrics *m);

#endif
