/* islandd: wires the kernel (netlink, packet sockets) to the engines (NDP
 * proxy, RA, mDNS reflector) and the control socket. Everything runs in one
 * event loop; signals arrive through a signalfd. */
#include "conf/conf.h"
#include "ctl/ctl.h"
#include "ctl/server.h"
#include "daemon/ports.h"
#include "daemon/privdrop.h"
#include "daemon/runtime.h"
#include "mdns/mdns.h"
#include "ndproxy/ndproxy.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "net/packet.h"
#include "proto/nd.h"
#include "ra/ra.h"
#include "util/log.h"
#include "util/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONF "/etc/islandd.conf"
#define DEFAULT_SOCKET "/run/islandd/islandd.sock"

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: islandd [-c FILE] [-S SOCKET] [-p PIDFILE] [-u USER] [-d] [-t] [-v]\n"
	        "       islandd check [-c FILE] [--json]\n"
	        "\n"
	        "NDP proxy and proxy ARP, Router Advertisement relay/advertiser, DHCPv4 and\n"
	        "DHCPv6 relays, DHCPv6 prefix delegation, mDNS reflector.\n"
	        "\n"
	        "  -c FILE     configuration (default " DEFAULT_CONF "; ndppd's syntax works)\n"
	        "  -S SOCKET   control socket for islandctl (default " DEFAULT_SOCKET ")\n"
	        "  -p PIDFILE  write the process id there (an error when it cannot be written)\n"
	        "  -u USER     after start-up run as USER with only CAP_NET_RAW and\n"
	        "              CAP_NET_ADMIN (default: islandd, when that user exists;\n"
	        "              a USER given here must exist); DHCP ports are bound before\n"
	        "  -d          daemonize and log to syslog (default: foreground, stderr);\n"
	        "              returns once the daemon runs, non-zero with the error if it cannot\n"
	        "  -t          check the configuration and exit (-t -v prints it back)\n"
	        "  -v          more detail (per-packet logs); repeat for more\n"
	        "  -h, --help  this text\n"
	        "  -V, --version\n"
	        "\n"
	        "check        check the configuration against the live system and print the\n"
	        "             fix for each problem (--json: one JSON document)\n"
	        "\n"
	        "SIGHUP reloads the configuration (a bad one is reported and the old one\n"
	        "keeps running); SIGTERM and SIGINT remove every route islandd installed.\n");
}

static int check_config(const char *path, int verbose)
{
	struct conf *conf;
	struct conf_error err;
	if (conf_load(path, &conf, &err) < 0) {
		char msg[600];
		conf_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	for (size_t i = 0; i < conf->n_warnings; i++)
		fprintf(stderr, "%s\n", conf->warnings[i]);
	/* what the file alone cannot tell: names and prefixes on this system */
	runtime_lint(conf, stderr);
	if (verbose)
		conf_print(conf, stdout);
	else
		printf("%s: configuration OK\n", path);
	conf_free(conf);
	return 0;
}

/* path made absolute against the current directory; NULL when it cannot be */
static char *absolute_path(const char *path)
{
	if (path[0] == '/')
		return strdup(path);
	char *cwd = getcwd(NULL, 0);
	if (!cwd)
		return NULL;
	size_t len = strlen(cwd) + 1 + strlen(path) + 1;
	char *abs = malloc(len);
	if (abs)
		snprintf(abs, len, "%s/%s", cwd, path);
	free(cwd);
	return abs;
}

/* The caller of `islandd -d` waits here: the daemon's errors arrive as text
 * on the pipe, then a NUL and its start-up status. EOF without one means it
 * died before it could say. */
static int wait_for_daemon(int fd)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		char *nul = memchr(buf, '\0', (size_t)n);
		fwrite(buf, 1, nul ? (size_t)(nul - buf) : (size_t)n, stderr);
		if (nul) {
			if (nul + 1 < buf + n)
				return (unsigned char)nul[1];
			/* the status byte comes in the next read */
			n = read(fd, buf, 1);
			return n == 1 ? (unsigned char)buf[0] : 1;
		}
	}
	fprintf(stderr, "islandd: the daemon exited during start-up (see the system log)\n");
	return 1;
}

/* Forks twice; the caller's process waits until the daemon reports (its
 * start-up errors go to the caller's stderr meanwhile) and exits with the
 * daemon's start-up status. Returns the report fd in the daemon, or -errno. */
static int daemonize(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		_exit(wait_for_daemon(p[0]));
	}
	close(p[0]);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -errno;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (fd > 2)
			close(fd);
	}
	dup2(p[1], 2); /* until start-up is over, errors reach the caller */
	log_stderr_too(true);
	return p[1];
}

/* Tell the waiting caller (if any) how start-up went; stderr goes quiet. */
static void report_startup(int fd, int status)
{
	if (fd < 0)
		return;
	unsigned char msg[2] = { 0, (unsigned char)status };
	if (write(fd, msg, sizeof(msg)) < 0) {
		/* the caller is gone: nothing to tell */
	}
	log_stderr_too(false);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 2);
		close(null);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	const char *conf_path = DEFAULT_CONF, *sock_path = DEFAULT_SOCKET, *pidfile = NULL, *user = NULL;
	bool daemon_mode = false, test_only = false;
	int verbose = 0;
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	if (argc > 1 && strcmp(argv[1], "check") == 0)
		return runtime_check_main(argc - 1, argv + 1);

	int opt;
	while ((opt = getopt_long(argc, argv, "c:S:p:u:dtvhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': conf_path = optarg; break;
		case 'S': sock_path = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'u': user = optarg; break;
		case 'd': daemon_mode = true; break;
		case 't': test_only = true; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("islandd %s\n", ISLANDD_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (test_only)
		return check_config(conf_path, verbose);

	log_init("islandd", daemon_mode, verbose);
	struct conf *conf;
	struct conf_error err;
	if (conf_load(conf_path, &conf, &err) < 0) {
		char msg[600];
		conf_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "%s\n", msg);
		return 1;
	}
	/* an explicit user that does not exist is a mistake, not a default */
	if (user) {
		int uerr = privdrop_user_exists(user);
		if (uerr < 0) {
			fprintf(stderr, "islandd: -u %s: %s\n", user,
			        uerr == -ENOENT ? "no such user in /etc/passwd" : strerror(-uerr));
			conf_free(conf);
			return 2;
		}
	}
	/* reloads happen after the chdir("/") of -d: keep an absolute path
	 * (not realpath: a symlink repointed later must be followed on reload) */
	char *abs_conf = absolute_path(conf_path);
	int report = -1;
	if (daemon_mode && (report = daemonize()) < 0) {
		fprintf(stderr, "islandd: cannot daemonize: %s\n", strerror(-report));
		free(abs_conf);
		conf_free(conf);
		return 1;
	}

	if (strcmp(sock_path, DEFAULT_SOCKET) == 0)
		mkdir("/run/islandd", 0755); /* systemd's RuntimeDirectory= makes it; by hand we do */
	struct runtime *rt = runtime_new(conf, abs_conf ? abs_conf : conf_path, sock_path, pidfile, user);
	free(abs_conf);
	if (!rt) {
		report_startup(report, 1);
		return 1;
	}
	report_startup(report, 0);
	int rc = runtime_run(rt);
	runtime_free(rt);
	return rc;
}
