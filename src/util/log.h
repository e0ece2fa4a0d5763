/* Logging: stderr in the foreground, syslog when daemonized. Messages about
 * network input are rate-limited by the caller with log_ratelimit. */
#ifndef ISLANDD_LOG_H
#define ISLANDD_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(const char *ident, bool use_syslog, int verbosity);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...)   log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
bool log_debug_enabled(void);
/* With syslog: also copy errors and warnings to stderr (a daemon's start-up,
 * while its caller still reads stderr). */
void log_stderr_too(bool on);

/* A token bucket for one kind of message: allows `burst` messages, then one
 * per `interval_ms`. Returns true when the message may be logged; counts
 * the suppressed ones so the next logged line can say how many. */
struct log_ratelimit {
	uint64_t last_ms;
	uint32_t tokens, suppressed;
};
bool log_ratelimit_ok(struct log_ratelimit *rl, uint32_t burst, uint32_t interval_ms);

#endif
