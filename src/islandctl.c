/* islandctl: asks a running islandd what it is doing. The daemon answers
 * in JSON; --json prints that as it came, otherwise ctl/render.c makes the
 * tables people read from it. */
#include "ctl/ctl.h"
#include "ctl/jread.h"
#include "ctl/prom.h"
#include "ctl/render.h"
#include "util/json.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/islandd/islandd.sock"
#define DEFAULT_CONF "/etc/islandd.conf"

struct command {
	const char *name;
	const char *help;
	bool takes_arg;
};

/* Commands may be abbreviated to any unique prefix ("sess" for sessions). */
static const struct command commands[] = {
	{ "status", "proxies, rules, interfaces and what islandd listens on", false },
	{ "sessions", "each solicited target: state, interface, age, expiry", false },
	{ "routes", "the /128 routes islandd installed", false },
	{ "stats", "counters, every drop reason included", false },
	{ "mdns", "the mDNS reflector: interfaces, packets in/out/dropped", false },
	{ "ra", "router advertisements: prefixes with remaining lifetimes, learned hosts", false },
	{ "pd", "DHCPv6 prefix delegation: lease per upstream, lifetimes, T1/T2, counters", false },
	{ "island", "island blocks: relay or routed mode per upstream and why, DHCPv6 relay hosts and counters", false },
	{ "dhcp", "the DHCPv4 relay: mode per upstream and why, relayed leases, counters", false },
	{ "reload", "re-read the configuration (like SIGHUP); fails safe", false },
	{ "doctor", "check the configuration against the live system (islandd check)", false },
	{ "config", "the configuration file the daemon runs", false },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: islandctl [-S SOCKET] [--json] COMMAND | stats --prometheus\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\noptions:\n"
	             "  -S SOCKET   the daemon's control socket (default " DEFAULT_SOCKET ")\n"
	             "  -j, --json  machine-readable output (one JSON object)\n"
	             "  --prometheus  with stats: every metric metrics-listen serves, in\n"
	             "              Prometheus text format (node_exporter's textfile collector)\n"
	             "  -c FILE     with doctor: the configuration to check (default: the one\n"
	             "              the daemon runs, else " DEFAULT_CONF ")\n"
	             "  -h, --help\n  -V, --version\n"
	             "\nA busy daemon is asked again (5 attempts in 1.5 s); a reply must come\n"
	             "within 10 s. With --json every output, errors included, is one JSON\n"
	             "document on stdout.\n"
	             "\nExit status: 0 on success, 1 when the daemon cannot be reached or\n"
	             "refuses the command, 2 on a usage error.\n");
}

static const struct command *command_lookup(const char *word)
{
	const struct command *found = NULL;
	size_t len = strlen(word);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, word) == 0)
			return &commands[i];
		if (strncmp(commands[i].name, word, len) == 0) {
			if (found)
				return NULL; /* ambiguous */
			found = &commands[i];
		}
	}
	return found;
}

#define CTL_ATTEMPTS 5
#define CTL_REPLY_TIMEOUT_S 10

struct reply {
	char *buf;
	size_t len;
};

/* One connection: 0 and the whole reply in r, or -1 and why; *retry says
 * whether another attempt may do better (a busy or restarting daemon). */
static int ctl_try(const char *sock, const char *request, struct reply *r, char *why, size_t cap,
                   bool *retry)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	*retry = false;
	r->len = 0;
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		snprintf(why, cap, "socket path too long: %.200s", sock); /* bounded: armhf -Wformat-truncation */
		return -1;
	}
	strcpy(sun.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, cap, "socket: %s", strerror(errno));
		return -1;
	}
	struct timeval tv = { .tv_sec = CTL_REPLY_TIMEOUT_S };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int err = errno;
		/* a full backlog refuses (EAGAIN); a restart leaves a moment with
		 * no listener (ECONNREFUSED) */
		*retry = err == EAGAIN || err == ECONNREFUSED || err == EINTR;
		snprintf(why, cap, "cannot reach islandd at %s: %s%s", sock, strerror(err),
		         err == ENOENT || err == ECONNREFUSED ? " (is islandd running? -S names its socket)" : "");
		close(fd);
		return -1;
	}
	size_t len = strlen(request);
	/* MSG_NOSIGNAL: a daemon that closed on us is an error to report, not
	 * a SIGPIPE to die of */
	if (send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len) {
		int err = errno;
		*retry = err == EPIPE || err == ECONNRESET;
		snprintf(why, cap, "%s: sending the request: %s", sock, strerror(err));
		close(fd);
		return -1;
	}
	size_t cap_buf = 0;
	for (;;) {
		if (cap_buf - r->len < 65536) {
			size_t grown = cap_buf ? cap_buf * 2 : 65536;
			char *b = grown <= CTL_OUT_MAX + 65536 ? realloc(r->buf, grown) : NULL;
			if (!b) {
				snprintf(why, cap, "%s: reply too large", sock);
				close(fd);
				return -1;
			}
			r->buf = b;
			cap_buf = grown;
		}
		ssize_t n = recv(fd, r->buf + r->len, cap_buf - r->len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			if (err == EAGAIN)
				snprintf(why, cap, "%s: no reply within %d s", sock, CTL_REPLY_TIMEOUT_S);
			else
				snprintf(why, cap, "%s: reading the reply: %s", sock, strerror(err));
			*retry = r->len == 0 && err == ECONNRESET;
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		r->len += (size_t)n;
	}
	close(fd);
	if (r->len == 0) {
		/* closed without a word: the daemon dropped us (busy, restarting) */
		snprintf(why, cap, "%s: islandd closed the connection without a reply", sock);
		*retry = true;
		return -1;
	}
	return 0;
}

/* Asks, retrying a busy daemon with a growing pause; 0 and the reply, or
 * -1 with why saying what the last attempt met and how many were made. */
static int ctl_ask(const char *sock, const char *request, struct reply *r, char *why, size_t cap)
{
	char last[300] = "";
	bool retry = false;
	int attempt;
	for (attempt = 1; attempt <= CTL_ATTEMPTS; attempt++) {
		if (ctl_try(sock, request, r, last, sizeof(last), &retry) == 0)
			return 0;
		if (!retry)
			break;
		if (attempt < CTL_ATTEMPTS)
			usleep(100000u << (attempt - 1)); /* 0.1, 0.2, 0.4, 0.8 s */
	}
	if (retry)
		snprintf(why, cap, "%s; gave up after %d attempts", last, CTL_ATTEMPTS);
	else
		snprintf(why, cap, "%s", last);
	return -1;
}

/* Errors as one JSON document on stdout when JSON was asked for; always a
 * line on stderr. */
static void report_error(bool json, const char *why)
{
	fprintf(stderr, "islandctl: %s\n", why);
	if (json) {
		struct ctl_out o;
		struct json j;
		ctl_out_init(&o);
		json_init(&j, &o);
		json_obj(&j);
		json_kstr(&j, "error", why);
		json_obj_end(&j);
		json_end(&j);
		if (o.buf)
			fwrite(o.buf, 1, o.len, stdout);
		ctl_out_free(&o);
	}
}

static int ctl_call(const char *sock, const struct command *cmd, bool json)
{
	struct reply r = { 0 };
	char request[CTL_REQUEST_MAX], why[400];
	snprintf(request, sizeof(request), "%s json\n", cmd->name);
	if (ctl_ask(sock, request, &r, why, sizeof(why)) < 0) {
		free(r.buf);
		report_error(json, why);
		return 1;
	}
	char jwhy[128];
	struct jv *doc = jread(r.buf, r.len, jwhy, sizeof(jwhy));
	int rc;
	if (!doc || doc->type != J_OBJ) {
		snprintf(why, sizeof(why), "%s: the reply is not a JSON object (%s)", sock,
		         doc ? "another JSON value" : jwhy);
		report_error(json, why);
		rc = 1;
	} else if (json) {
		fwrite(r.buf, 1, r.len, stdout);
		rc = jv_get(doc, "error") ? 1 : 0;
	} else {
		rc = ctl_render(cmd->name, doc, stdout);
	}
	jv_free(doc);
	free(r.buf);
	return rc;
}

/* islandctl stats --prometheus: the views the metrics listener reads,
 * turned into the same text (ctl/prom.h). */
static int prometheus_call(const char *sock)
{
	static const char *const views[] = { "status", "stats", "ra", "mdns" };
	struct prom *p = malloc(sizeof(*p));
	size_t cap = 1u << 20;
	char *out = malloc(cap);
	char why[400];
	int rc = 1;
	if (!p || !out) {
		report_error(false, "out of memory");
		goto done;
	}
	prom_begin(p, (int64_t)time(NULL));
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		char request[64];
		struct reply r = { 0 };
		snprintf(request, sizeof(request), "%s json\n", views[i]);
		if (ctl_ask(sock, request, &r, why, sizeof(why)) < 0) {
			free(r.buf);
			report_error(false, why);
			goto done;
		}
		if (prom_add_view(p, views[i], r.buf, r.len) < 0) {
			snprintf(why, sizeof(why), "%s: the %s reply is not a JSON object", sock, views[i]);
			free(r.buf);
			report_error(false, why);
			goto done;
		}
		free(r.buf);
	}
	long n = prom_render(p, out, cap);
	if (n < 0) {
		report_error(false, "the metrics do not fit 1 MiB");
		goto done;
	}
	fwrite(out, 1, (size_t)n, stdout);
	rc = fflush(stdout) == 0 ? 0 : 1;
done:
	free(out);
	free(p);
	return rc;
}

/* The configuration file the daemon at sock runs, or NULL and why. */
static char *daemon_config_path(const char *sock, char *why, size_t cap)
{
	struct reply r = { 0 };
	if (ctl_ask(sock, "config json\n", &r, why, cap) < 0) {
		free(r.buf);
		return NULL;
	}
	struct jv *doc = jread(r.buf, r.len, NULL, 0);
	const char *conf = jv_str(doc, "config", NULL);
	char *path = conf ? strdup(conf) : NULL;
	if (!conf)
		snprintf(why, cap, "this islandd does not say which configuration it runs");
	else if (!path)
		snprintf(why, cap, "out of memory");
	jv_free(doc);
	free(r.buf);
	return path;
}

int main(int argc, char **argv)
{
	const char *sock = DEFAULT_SOCKET, *conf = NULL;
	bool json = false, prometheus = false;
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "prometheus", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	/* a daemon that closes on us must not kill us silently (rc 141) */
	signal(SIGPIPE, SIG_IGN);
	int opt;
	/* options may follow the command too: "islandctl sessions --json" */
	while ((opt = getopt_long(argc, argv, "S:c:jhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'S': sock = optarg; break;
		case 'c': conf = optarg; break;
		case 'j': json = true; break;
		case 'P': prometheus = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("islandctl %s\n", ISLANDD_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	const struct command *cmd = command_lookup(argv[optind]);
	char why[400];
	if (!cmd) {
		snprintf(why, sizeof(why), "unknown or ambiguous command '%.64s'", argv[optind]);
		report_error(json, why);
		if (!json)
			usage(stderr);
		return 2;
	}
	if (optind + 1 != argc && !cmd->takes_arg) {
		snprintf(why, sizeof(why), "%s takes no argument", cmd->name);
		report_error(json, why);
		return 2;
	}
	if (strcmp(cmd->name, "doctor") == 0) {
		/* the doctor reads the config and the live system itself; the
		 * config is the one the daemon runs, unless -c names another */
		char *running = NULL;
		if (!conf) {
			running = daemon_config_path(sock, why, sizeof(why));
			if (running)
				conf = running;
			else
				fprintf(stderr, "islandctl: %s; checking %s\n", why, DEFAULT_CONF);
		}
		char *args[6] = { "islandd", "check", NULL, NULL, NULL, NULL };
		int n = 2;
		if (conf) {
			args[n++] = "-c";
			args[n++] = (char *)conf;
		}
		if (json)
			args[n++] = "--json";
		execvp("islandd", args);
		/* not on PATH: try beside this program */
		char self[4096];
		ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 16);
		if (len > 0) {
			self[len] = '\0';
			char *slash = strrchr(self, '/');
			if (slash) {
				strcpy(slash + 1, "islandd");
				execv(self, args);
			}
		}
		snprintf(why, sizeof(why), "cannot run islandd check: %s", strerror(errno));
		report_error(json, why);
		free(running);
		return 1;
	}
	if (prometheus) {
		if (strcmp(cmd->name, "stats") != 0 || json) {
			report_error(json, "--prometheus goes with stats alone");
			return 2;
		}
		return prometheus_call(sock);
	}
	return ctl_call(sock, cmd, json);
}
