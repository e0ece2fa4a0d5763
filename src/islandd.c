/* islandd: wires the kernel (netlink, packet sockets) to the engines (NDP
 * proxy, RA, mDNS reflector) and the control socket. Everything runs in one
 * event loop; signals arrive through a signalfd. */
#include "conf/conf.h"
#include "ctl/ctl.h"
#include "ctl/server.h"
#include "daemon/ports.h"
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
	        "       islandd check [-c FILE]\n"
	        "\n"
	        "NDP proxy, Router Advertisement relay/advertiser and mDNS reflector.\n"
	        "\n"
	        "  -c FILE     configuration (default " DEFAULT_CONF "; ndppd's syntax works)\n"
	        "  -S SOCKET   control socket for islandctl (default " DEFAULT_SOCKET ")\n"
	        "  -p PIDFILE  write the process id there\n"
	        "  -u USER     after start-up run as USER with only CAP_NET_RAW and\n"
	        "              CAP_NET_ADMIN (default: islandd, when that user exists)\n"
	        "  -u USER     after start-up run as USER with only CAP_NET_RAW and\n"
	        "              CAP_NET_ADMIN (default: islandd, when that user exists)\n"
	        "  -d          daemonize and log to syslog (default: foreground, stderr)\n"
	        "  -t          check the configuration and exit (-t -v prints it back)\n"
	        "  -v          more detail (per-packet logs); repeat for more\n"
	        "  -h, --help  this text\n"
	        "  -V, --version\n"
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
	if (verbose)
		conf_print(conf, stdout);
	else
		printf("%s: configuration OK\n", path);
	conf_free(conf);
	return 0;
}

static int write_pidfile(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	ssize_t w = write(fd, buf, (size_t)n);
	close(fd);
	return w == n ? 0 : -EIO;
}

static int daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
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
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
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
	if (daemon_mode && daemonize() < 0) {
		fprintf(stderr, "islandd: cannot daemonize: %s\n", strerror(errno));
		return 1;
	}
	if (pidfile && write_pidfile(pidfile) < 0)
		log_warn("cannot write pidfile %s", pidfile);

	if (strcmp(sock_path, DEFAULT_SOCKET) == 0)
		mkdir("/run/islandd", 0755); /* systemd's RuntimeDirectory= makes it; by hand we do */
	struct runtime *rt = runtime_new(conf, conf_path, sock_path, user);
	if (!rt) {
		if (pidfile)
			unlink(pidfile);
		return 1;
	}
	int rc = runtime_run(rt);
	runtime_free(rt);
	if (pidfile)
		unlink(pidfile);
	return rc;
}
