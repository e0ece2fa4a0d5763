/* The daemon's control socket: a unix stream socket, one request line per
 * connection, the reply streamed back without blocking the loop. */
#ifndef ISLANDD_CTL_SERVER_H
#define ISLANDD_CTL_SERVER_H

#include "ctl/ctl.h"
#include "util/loop.h"

#include <stdint.h>

/* Fills o for req; returns 0, or -1 for an unknown command (the server then
 * replies with an error line). */
typedef int (*ctl_handler)(void *ctx, const struct ctl_request *req, struct ctl_out *o);

struct ctl_server;

/* islandctl stats shows these (ctl_*). */
struct ctl_server_stats {
	uint64_t accepted;
	uint64_t evicted;  /* silent connections closed to make room */
	uint64_t expired;  /* no request line, or reply not taken, in time */
	uint64_t refused;  /* every slot busy replying */
};

/* Binds path (replacing a stale socket file), mode 0660. NULL + errno on failure. */
struct ctl_server *ctl_server_new(struct loop *loop, const char *path, ctl_handler h, void *ctx);
void ctl_server_free(struct ctl_server *s);
const struct ctl_server_stats *ctl_server_stats(const struct ctl_server *s);

#endif
