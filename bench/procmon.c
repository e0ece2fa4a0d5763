/* procmon: samples one process's CPU time and resident memory every
 * --interval ms (default 100) until SIGINT / SIGTERM, --duration, or the
 * process exits, then prints one line of key=value pairs:
 *   cpu_us        user+system time used while watched (/proc/PID/stat,
 *                 clock ticks converted to microseconds)
 *   sched_cpu_us  the same from /proc/PID/schedstat (nanosecond clock; the
 *                 main thread only), a cross-check of the tick-based figure
 *   user_us, sys_us  the two parts of cpu_us; sys_us includes the kernel's
 *                 work done in the process's context (e.g. delivering what
 *                 it sends through veth and bridges)
 *   cpu_pct       cpu_us / wall time
 *   rss_first_kb, rss_peak_kb, rss_last_kb   VmRSS samples
 * --series FILE writes "t_s rss_kb cpu_pct" per sample. Self-contained. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int64_t clock_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct sample {
	uint64_t ticks;     /* utime + stime */
	uint64_t uticks;    /* utime alone */
	uint64_t sched_ns;  /* schedstat run time, 0 if unavailable */
	long rss_kb;
};

/* Fields 14 and 15 of /proc/PID/stat; the name in field 2 may hold spaces,
 * so parsing starts after its closing parenthesis. */
static int sample_read(int pid, struct sample *s)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	unsigned long long ut = 0, st = 0;
	/* after ")": state(3) ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime(14) stime(15) */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -EINVAL;
	s->ticks = ut + st;
	s->uticks = ut;

	s->sched_ns = 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "r");
	if (f) {
		unsigned long long ns;
		if (fscanf(f, "%llu", &ns) == 1)
			s->sched_ns = ns;
		fclose(f);
	}

	s->rss_kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f))
		if (strncmp(buf, "VmRSS:", 6) == 0) {
			s->rss_kb = strtol(buf + 6, NULL, 10);
			break;
		}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	int pid = 0;
	long interval_ms = 100;
	double duration = 0;
	const char *series_path = NULL, *label = "procmon";
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "series", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "p:i:d:s:l:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': pid = atoi(optarg); break;
		case 'i': interval_ms = strtol(optarg, NULL, 10); break;
		case 'd': duration = strtod(optarg, NULL); break;
		case 's': series_path = optarg; break;
		case 'l': label = optarg; break;
		default: pid = 0; optind = argc + 1; break;
		}
	}
	if (pid <= 0 || interval_ms <= 0 || optind != argc) {
		fprintf(stderr, "usage: procmon -p PID [--interval MS] [--duration S] [--series FILE] [--label TEXT]\n");
		return 2;
	}
	long hz = sysconf(_SC_CLK_TCK);
	struct sample first, last, cur;
	if (sample_read(pid, &first) < 0) {
		fprintf(stderr, "procmon: cannot read /proc/%d\n", pid);
		return 1;
	}
	last = first;
	long peak = first.rss_kb;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	FILE *series = series_path ? fopen(series_path, "w") : NULL;
	int64_t t0 = clock_ns(), t_prev = t0;
	int64_t t_end = duration > 0 ? t0 + (int64_t)(duration * 1e9) : INT64_MAX;
	uint64_t samples = 1;
	bool gone = false;
	while (!stop_flag) {
		int64_t next = t_prev + interval_ms * 1000000;
		if (next > t_end)
			next = t_end;
		struct timespec ts = { (time_t)(next / 1000000000), (long)(next % 1000000000) };
		/* Interrupted by a signal: sample once more below, then stop. */
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		int64_t now = clock_ns();
		if (sample_read(pid, &cur) < 0) {
			gone = true;
			break;
		}
		samples++;
		if (cur.rss_kb > peak)
			peak = cur.rss_kb;
		if (series) {
			double dt = (double)(now - t_prev) / 1e9;
			double pct = dt > 0 ? 100.0 * (double)(cur.ticks - last.ticks) / (double)hz / dt : 0;
			fprintf(series, "%.3f %ld %.1f\n", (double)(now - t0) / 1e9, cur.rss_kb, pct);
		}
		last = cur;
		t_prev = now;
		if (now >= t_end)
			break;
	}
	if (series)
		fclose(series);
	double wall = (double)(t_prev - t0) / 1e9;
	uint64_t cpu_us = (last.ticks - first.ticks) * 1000000u / (uint64_t)hz;
	uint64_t sched_us = (last.sched_ns - first.sched_ns) / 1000u;
	uint64_t user_us = (last.uticks - first.uticks) * 1000000u / (uint64_t)hz;
	printf("%s cpu_us=%" PRIu64 " user_us=%" PRIu64 " sys_us=%" PRIu64 " sched_cpu_us=%" PRIu64
	       " wall_s=%.3f cpu_pct=%.1f"
	       " rss_first_kb=%ld rss_peak_kb=%ld rss_last_kb=%ld samples=%" PRIu64 "%s\n",
	       label, cpu_us, user_us, cpu_us - user_us, sched_us, wall, wall > 0 ? (double)cpu_us / 1e4 / wall : 0,
	       first.rss_kb, peak, last.rss_kb, samples, gone ? " exited=1" : "");
	return 0;
}
