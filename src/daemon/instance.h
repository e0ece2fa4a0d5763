/* One owner per interface: how a running islandd proves it is alive.
 *
 * Each instance binds listening unix sockets in the abstract namespace,
 * which belongs to the network namespace and vanishes with the process
 * (kill -9 included), so no stale lock can outlive its owner:
 *   "@islandd/pid/PID"   this instance lives in this network namespace;
 *   "@islandd/if/NAME"   it proxies or relays on interface NAME.
 * A second instance finds a name taken (EADDRINUSE), connects to it and
 * reads the owner's pid with SO_PEERCRED, so its message names the first.
 * The control socket is probed the same way (a connect that succeeds means
 * an instance answers there). All of this happens before any route is
 * touched. Leftover routes are removed at start only when no other islandd
 * lives in the network namespace (they may be its routes). */
#ifndef ISLANDD_INSTANCE_H
#define ISLANDD_INSTANCE_H

#include "conf/conf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define INSTANCE_MAX_CLAIMS 64

struct instance {
	size_t n;
	int fds[INSTANCE_MAX_CLAIMS];             /* listening sockets */
	char ifnames[INSTANCE_MAX_CLAIMS][IF_NAMESIZE]; /* "" for the pid name */
};

/* Claims the instance's names for conf's proxy, ra-relay and ra interfaces
 * and checks the control socket. Returns 0, or -1 with a message in why
 * naming the other instance (its pid). */
int instance_claim(struct instance *in, const struct conf *conf, const char *sock_path,
                   char *why, size_t cap);
/* A reload: claims what the new configuration adds (old claims stay until
 * instance_release). -1 and why when another instance holds one. */
int instance_claim_more(struct instance *in, const struct conf *conf, char *why, size_t cap);
/* Drop the claims the configuration no longer names; closing(ctx, fd) is
 * called before each fd is closed (to take it out of the event loop). */
void instance_release_unused(struct instance *in, const struct conf *conf,
                             void (*closing)(void *ctx, int fd), void *ctx);
void instance_release(struct instance *in, void (*closing)(void *ctx, int fd), void *ctx);
/* Accept-and-close whatever connected to claim fd (a probe from another
 * instance or islandd check): keeps the backlog empty. */
void instance_drain(int fd);

/* Other islandd instances alive in this network namespace (from
 * /proc/net/unix): fills up to cap pids, returns how many there are. */
size_t instance_others(pid_t *pids, size_t cap);

#endif
