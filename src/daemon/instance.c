/* Claims in the abstract unix namespace (see instance.h). */
#include "daemon/instance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CLAIM_PREFIX "islandd/"

static socklen_t abstract_addr(struct sockaddr_un *sun, const char *kind, const char *name)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	/* sun_path[0] = '\0': the abstract namespace, no file */
	int n = snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1, CLAIM_PREFIX "%s/%s", kind, name);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* The pid of the process listening on sun, 0 when none answers. */
static pid_t listener_pid(const struct sockaddr_un *sun, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	pid_t pid = 0;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	if (connect(fd, (const struct sockaddr *)sun, len) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
		pid = cred.pid;
	close(fd);
	return pid;
}

/* 0 and the fd kept, or -1 and why filled. */
static int claim(struct instance *in, const char *kind, const char *name, const char *what,
                 char *why, size_t cap)
{
	if (in->n == INSTANCE_MAX_CLAIMS)
		return 0; /* more interfaces than claims: the rest go unchecked */
	struct sockaddr_un sun;
	socklen_t len = abstract_addr(&sun, kind, name);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, cap, "cannot create a socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, len) < 0 || listen(fd, 8) < 0) {
		int err = errno;
		close(fd);
		if (err != EADDRINUSE) {
			snprintf(why, cap, "cannot claim %s: %s", what, strerror(err));
			return -1;
		}
		pid_t other = listener_pid(&sun, len);
		if (other > 0)
			snprintf(why, cap, "another islandd (pid %ld) already serves %s in this network namespace",
			         (long)other, what);
		else
			snprintf(why, cap, "another islandd already serves %s in this network namespace", what);
		return -1;
	}
	in->fds[in->n] = fd;
	snprintf(in->ifnames[in->n], sizeof(in->ifnames[0]), "%s", strcmp(kind, "if") == 0 ? name : "");
	in->n++;
	return 0;
}

static bool claimed(const struct instance *in, const char *ifname)
{
	for (size_t i = 0; i < in->n; i++)
		if (strcmp(in->ifnames[i], ifname) == 0)
			return true;
	return false;
}

static int claim_iface(struct instance *in, const char *ifname, const char *role, char *why, size_t cap)
{
	if (!ifname[0] || claimed(in, ifname))
		return 0;
	char what[IF_NAMESIZE + 48];
	snprintf(what, sizeof(what), "interface %s (%s)", ifname, role);
	return claim(in, "if", ifname, what, why, cap);
}

/* The interfaces whose routes and answers one instance must own alone: a
 * proxy's, an RA relay's, an advertiser's. (A rule's downstream may serve
 * several proxies; mDNS reflectors on the same links only duplicate
 * packets, which they already detect.) */
static bool owned_role(const char *role)
{
	return strcmp(role, "rule downstream") != 0 && strcmp(role, "mdns") != 0;
}

/* A pattern is not a name to claim: what it matches is claimed by no one. */
static bool owned(const char *ifname, const char *role)
{
	return owned_role(role) && !conf_iface_is_pattern(ifname);
}

struct claim_walk {
	struct instance *in;
	char *why;
	size_t cap;
	bool failed;
};

static void claim_one(void *ctx, const char *ifname, const char *role, struct conf_pos pos)
{
	struct claim_walk *w = ctx;
	if (!w->failed && owned(ifname, role) && claim_iface(w->in, ifname, role, w->why, w->cap) < 0)
		w->failed = true;
}

static bool conf_ifaces_each(struct instance *in, const struct conf *conf, char *why, size_t cap)
{
	struct claim_walk w = { in, why, cap, false };
	conf_foreach_iface(conf, claim_one, &w);
	return !w.failed;
}

int instance_claim(struct instance *in, const struct conf *conf, const char *sock_path,
                   char *why, size_t cap)
{
	in->n = 0;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(sock_path) < sizeof(sun.sun_path)) {
		strcpy(sun.sun_path, sock_path);
		pid_t other = listener_pid(&sun, sizeof(sun));
		if (other > 0) {
			snprintf(why, cap, "another islandd (pid %ld) answers on control socket %s", (long)other,
			         sock_path);
			return -1;
		}
	}
	char pid[24];
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (claim(in, "pid", pid, "this process id", why, cap) < 0 || !conf_ifaces_each(in, conf, why, cap)) {
		instance_release(in, NULL, NULL);
		return -1;
	}
	return 0;
}

int instance_claim_more(struct instance *in, const struct conf *conf, char *why, size_t cap)
{
	size_t before = in->n;
	if (conf_ifaces_each(in, conf, why, cap))
		return 0;
	while (in->n > before)
		close(in->fds[--in->n]);
	return -1;
}

struct names_walk {
	const char *ifname;
	bool found;
};

static void name_one(void *ctx, const char *ifname, const char *role, struct conf_pos pos)
{
	struct names_walk *w = ctx;
	w->found |= owned(ifname, role) && strcmp(ifname, w->ifname) == 0;
}

static bool conf_names(const struct conf *conf, const char *ifname)
{
	struct names_walk w = { ifname, false };
	conf_foreach_iface(conf, name_one, &w);
	return w.found;
}

void instance_release_unused(struct instance *in, const struct conf *conf,
                             void (*closing)(void *ctx, int fd), void *ctx)
{
	for (size_t i = 0; i < in->n;) {
		if (!in->ifnames[i][0] || conf_names(conf, in->ifnames[i])) {
			i++;
			continue;
		}
		if (closing)
			closing(ctx, in->fds[i]);
		close(in->fds[i]);
		in->n--;
		in->fds[i] = in->fds[in->n];
		memcpy(in->ifnames[i], in->ifnames[in->n], sizeof(in->ifnames[0]));
	}
}

void instance_release(struct instance *in, void (*closing)(void *ctx, int fd), void *ctx)
{
	for (size_t i = 0; i < in->n; i++) {
		if (closing)
			closing(ctx, in->fds[i]);
		close(in->fds[i]);
	}
	in->n = 0;
}

void instance_drain(int fd)
{
	int c;
	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(c);
}

size_t instance_others(pid_t *pids, size_t cap)
{
	/* the sockets of the reader's network namespace, abstract names with a
	 * leading '@' (/proc/self/net: ProcSubset=pid hides /proc/net) */
	FILE *f = fopen("/proc/self/net/unix", "re");
	if (!f)
		return 0;
	char line[512];
	size_t n = 0;
	long self = (long)getpid();
	static const char tag[] = "@" CLAIM_PREFIX "pid/";
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, tag);
		if (!p)
			continue;
		long pid = strtol(p + sizeof(tag) - 1, NULL, 10);
		if (pid <= 0 || pid == self)
			continue;
		bool seen = false; /* a listener shows once, but be sure */
		for (size_t i = 0; i < n && i < cap; i++)
			seen |= pids[i] == (pid_t)pid;
		if (seen)
			continue;
		if (n < cap)
			pids[n] = (pid_t)pid;
		n++;
	}
	fclose(f);
	return n;
}
