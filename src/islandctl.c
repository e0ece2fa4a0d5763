/* islandctl: asks a running islandd what it is doing. A thin client: the
 * daemon renders both the human tables and the JSON. */
#include "ctl/ctl.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/islandd/islandd.sock"

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
	{ "reload", "re-read the configuration (like SIGHUP); fails safe", false },
	{ "doctor", "check the configuration against the live system (islandd check)", false },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: islandctl [-S SOCKET] [--json] COMMAND\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\noptions:\n"
	             "  -S SOCKET   the daemon's control socket (default " DEFAULT_SOCKET ")\n"
	             "  -j, --json  machine-readable output (one JSON object)\n"
	             "  -c FILE     with doctor: the configuration to check\n"
	             "  -h, --help\n  -V, --version\n"
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

static int ctl_call(const char *sock, const char *request)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "islandctl: socket path too long: %s\n", sock);
		return 1;
	}
	strcpy(sun.sun_path, sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "islandctl: cannot reach islandd at %s: %s\n", sock, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	size_t len = strlen(request);
	if (write(fd, request, len) != (ssize_t)len) {
		fprintf(stderr, "islandctl: %s: %s\n", sock, strerror(errno));
		close(fd);
		return 1;
	}
	char buf[65536];
	ssize_t n;
	bool error = false, first = true;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (first && (strncmp(buf, "error:", 6) == 0 || strncmp(buf, "{\"error\"", 8) == 0))
			error = true;
		first = false;
		fwrite(buf, 1, (size_t)n, stdout);
	}
	close(fd);
	if (n < 0 || first) {
		fprintf(stderr, "islandctl: %s: no reply\n", sock);
		return 1;
	}
	return error ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *sock = DEFAULT_SOCKET, *conf = NULL;
	bool json = false;
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	/* options may follow the command too: "islandctl sessions --json" */
	while ((opt = getopt_long(argc, argv, "S:c:jhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'S': sock = optarg; break;
		case 'c': conf = optarg; break;
		case 'j': json = true; break;
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
	if (!cmd) {
		fprintf(stderr, "islandctl: unknown or ambiguous command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (optind + 1 != argc && !cmd->takes_arg) {
		fprintf(stderr, "islandctl: %s takes no argument\n", cmd->name);
		return 2;
	}
	if (strcmp(cmd->name, "doctor") == 0) {
		/* the doctor reads the config and the live system itself */
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
		fprintf(stderr, "islandctl: cannot run islandd check: %s\n", strerror(errno));
		return 1;
	}
	char request[CTL_REQUEST_MAX];
	snprintf(request, sizeof(request), "%s%s\n", cmd->name, json ? " json" : "");
	return ctl_call(sock, request);
}
