/* Helpers for unit tests that need a private network namespace: each test
 * calls ns_enter() from its setup, so the interfaces and routes it makes
 * vanish with the namespace and nothing on the host is touched. Without
 * root the setup fails, and so does the test: never a silent skip. */
#ifndef ISLANDD_NSTEST_H
#define ISLANDD_NSTEST_H

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* A fresh namespace for this process; system() children inherit it. */
static inline int ns_enter(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s (these tests need root)\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Run a shell command; returns its exit status (or -1). */
static inline __attribute__((format(printf, 1, 2))) int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc)) {
		fprintf(stderr, "sh: %s: failed to run\n", cmd);
		return -1;
	}
	if (WEXITSTATUS(rc) != 0)
		fprintf(stderr, "sh: %s: exit %d\n", cmd, WEXITSTATUS(rc));
	return WEXITSTATUS(rc);
}

/* Run a command and capture its standard output (NUL-terminated). */
static inline __attribute__((format(printf, 3, 4))) int sh_out(char *out, size_t size, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	size_t n = 0;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (n + 1 < size) {
		size_t r = fread(out + n, 1, size - 1 - n, p);
		if (r == 0)
			break;
		n += r;
	}
	out[n] = '\0';
	return pclose(p) == 0 ? 0 : -1;
}

static inline uint64_t test_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Count non-overlapping occurrences of needle in haystack. */
static inline int str_count(const char *haystack, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);

	for (const char *p = strstr(haystack, needle); p; p = strstr(p + len, needle))
		n++;
	return n;
}

#endif
