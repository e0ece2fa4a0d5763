/* The running daemon: owns the loop, the kernel sockets, the engines and
 * the control socket, and moves events between them. */
#ifndef ISLANDD_RUNTIME_H
#define ISLANDD_RUNTIME_H

#include "conf/conf.h"

#include <stdio.h>

struct runtime;

/* Takes ownership of conf. First proves no other instance serves its
 * interfaces or socket (daemon/instance.h) and writes pidfile (NULL: none),
 * before any route is touched. Once its sockets are open it drops to `user`
 * (NULL: "islandd" when that user exists), keeping CAP_NET_RAW and
 * CAP_NET_ADMIN. Logs and returns NULL on failure. */
struct runtime *runtime_new(struct conf *conf, const char *conf_path, const char *sock_path,
                            const char *pidfile, const char *user);
/* Runs until SIGTERM/SIGINT; returns the exit status. */
int runtime_run(struct runtime *rt);
/* Removes everything installed (routes, sockets), frees. */
void runtime_free(struct runtime *rt);

/* `islandd check`: the doctor (daemon/doctor.c). */
int runtime_check_main(int argc, char **argv);
/* `islandd -t`: what the file alone cannot tell (interfaces that do not
 * exist, a static rule covering the proxy link's own prefix), one
 * "warning: ..." line each on stderr. Returns how many. */
int runtime_lint(const struct conf *conf, FILE *out);

#endif
