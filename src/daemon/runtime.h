/* The running daemon: owns the loop, the kernel sockets, the engines and
 * the control socket, and moves events between them. */
#ifndef ISLANDD_RUNTIME_H
#define ISLANDD_RUNTIME_H

#include "conf/conf.h"

struct runtime;

/* Takes ownership of conf. Once its sockets are open it drops to `user`
 * (NULL: "islandd" when that user exists), keeping CAP_NET_RAW and
 * CAP_NET_ADMIN. Logs and returns NULL on failure. */
struct runtime *runtime_new(struct conf *conf, const char *conf_path, const char *sock_path,
                            const char *user);
/* Runs until SIGTERM/SIGINT; returns the exit status. */
int runtime_run(struct runtime *rt);
/* Removes everything installed (routes, sockets), frees. */
void runtime_free(struct runtime *rt);

/* `islandd check`: the doctor (daemon/doctor.c). */
int runtime_check_main(int argc, char **argv);

#endif
