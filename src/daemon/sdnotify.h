/* Telling systemd how the daemon is doing (Type=notify), without libsystemd.
 * The protocol is one datagram of "KEY=VALUE" lines to the unix socket named
 * by $NOTIFY_SOCKET (an abstract one when the name starts with '@').
 * Without $NOTIFY_SOCKET every call is a no-op that returns 0. */
#ifndef ISLANDD_SDNOTIFY_H
#define ISLANDD_SDNOTIFY_H

/* Sends state ("READY=1", "STATUS=..." lines). 0 when sent or when there is
 * no $NOTIFY_SOCKET, -errno on error (-EINVAL for a malformed address). */
int sdnotify(const char *state);

/* READY=1: start-up (or a reload) is complete. */
int sdnotify_ready(void);
/* RELOADING=1 with MONOTONIC_USEC=<CLOCK_MONOTONIC in us>: systemd 253+
 * (Type=notify-reload) wants the timestamp, 252 ignores the extra line.
 * Follow with sdnotify_ready() once the reload is done or has failed. */
int sdnotify_reloading(void);
/* STATUS=<printf text>, shown by `systemctl status`. Newlines become spaces. */
int sdnotify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* STOPPING=1: shutdown has begun (routes are being removed). */
int sdnotify_stopping(void);

#endif
