/* stderr or syslog, chosen once at start-up. */
#include "util/log.h"
#include "util/loop.h"

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

static bool log_to_syslog;
static bool log_copy_stderr;
static int log_verbosity;

void log_init(const char *ident, bool use_syslog, int verbosity)
{
	log_to_syslog = use_syslog;
	log_verbosity = verbosity;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_stderr_too(bool on)
{
	log_copy_stderr = on;
}

bool log_debug_enabled(void)
{
	return log_verbosity > 0;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	if (lvl == LOG_LVL_DEBUG && log_verbosity == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (log_to_syslog) {
		if (log_copy_stderr && lvl <= LOG_LVL_WARN) {
			va_list copy;
			va_copy(copy, ap);
			char msg[1024];
			vsnprintf(msg, sizeof(msg), fmt, copy);
			va_end(copy);
			fprintf(stderr, "islandd: %s%s\n", tag[lvl], msg);
		}
		vsyslog(prio[lvl], fmt, ap);
	} else {
		char msg[1024];
		vsnprintf(msg, sizeof(msg), fmt, ap);
		fprintf(stderr, "islandd: %s%s\n", tag[lvl], msg);
	}
	va_end(ap);
}

bool log_ratelimit_ok(struct log_ratelimit *rl, uint32_t burst, uint32_t interval_ms)
{
	uint64_t now = clock_ms();
	if (rl->last_ms == 0) {
		rl->last_ms = now;
		rl->tokens = burst;
	}
	uint64_t refill = interval_ms ? (now - rl->last_ms) / interval_ms : burst;
	if (refill > 0) {
		uint64_t t = rl->tokens + refill;
		rl->tokens = t > burst ? burst : (uint32_t)t;
		rl->last_ms = now;
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	return true;
}
