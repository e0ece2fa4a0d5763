/* /proc/sys/net through open/read/write: one integer a file. Names are
 * checked before they become a path, so nothing outside /proc/sys/net is
 * ever opened whatever a caller passes. */
#include "net/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSCTL_ROOT     "/proc/sys/"
#define SYSCTL_PATH_MAX 160
#define SYSCTL_NAME_MAX 64  /* one component: "igmpv3_unsolicited_report_interval" is 34 */
#define SYSCTL_VAL_MAX  32  /* "-2147483648\n" and room to see there is more */

/* A component of a sysctl key: lower-case letters, digits, '_' and '-'. */
static bool key_ok(const char *key)
{
	size_t n = key ? strlen(key) : 0;

	if (n == 0 || n > SYSCTL_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* An interface name as the kernel allows one (dev_valid_name), or "all" /
 * "default", which are names of the same directory. */
static bool ifname_ok(const char *ifname)
{
	size_t n = ifname ? strlen(ifname) : 0;

	if (n == 0 || n >= IF_NAMESIZE || strcmp(ifname, ".") == 0 || strcmp(ifname, "..") == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ifname[i] == '/' || ifname[i] == ':' || ifname[i] <= ' ')
			return false;
	return true;
}

static int read_int(const char *path, int *val)
{
	char buf[SYSCTL_VAL_MAX];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	close(fd);
	if ((size_t)n == sizeof(buf) - 1)
		return -ERANGE; /* longer than any one integer */
	buf[n] = '\0';

	char *end;
	errno = 0;
	long v = strtol(buf, &end, 10);
	if (end == buf || errno == ERANGE || v < INT_MIN || v > INT_MAX)
		return -ERANGE;
	if (*end == '\n')
		end++;
	if (*end != '\0')
		return -ERANGE; /* several values, or not a number */
	*val = (int)v;
	return 0;
}

static int write_int(const char *path, int val)
{
	char buf[SYSCTL_VAL_MAX];
	int len = snprintf(buf, sizeof(buf), "%d\n", val);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	do
		n = write(fd, buf, (size_t)len);
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : n != len ? -EIO : 0;
	close(fd);
	return err;
}

/* "net.ipv4.ip_forward" -> /proc/sys/net/ipv4/ip_forward */
static int global_path(const char *name, char *path, size_t size)
{
	char comp[SYSCTL_NAME_MAX + 1];
	size_t len = strlen(SYSCTL_ROOT);
	const char *p = name;

	if (!name || strncmp(name, "net.", 4) != 0)
		return -EINVAL;
	memcpy(path, SYSCTL_ROOT, len + 1);
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n > SYSCTL_NAME_MAX)
			return -EINVAL;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (!key_ok(comp) || len + n + 1 >= size)
			return -EINVAL;
		memcpy(path + len, comp, n);
		len += n;
		path[len] = dot ? '/' : '\0';
		if (!dot)
			return 0;
		path[++len] = '\0';
		p = dot + 1;
	}
}

static int conf_path(const char *family, const char *ifname, const char *key, char *path, size_t size)
{
	if (!ifname_ok(ifname) || !key_ok(key))
		return -EINVAL;
	int n = snprintf(path, size, SYSCTL_ROOT "net/%s/conf/%s/%s", family, ifname, key);
	return n < 0 || (size_t)n >= size ? -EINVAL : 0;
}

int sysctl_get(const char *name, int *val)
{
	char path[SYSCTL_PATH_MAX];
	int err = global_path(name, path, sizeof(path));
	return err < 0 ? err : read_int(path, val);
}

int sysctl_set(const char *name, int val)
{
	char path[SYSCTL_PATH_MAX];
	int err = global_path(name, path, sizeof(path));
	return err < 0 ? err : write_int(path, val);
}

int sysctl_get_ipv4_conf(const char *ifname, const char *key, int *val)
{
	char path[SYSCTL_PATH_MAX];
	int err = conf_path("ipv4", ifname, key, path, sizeof(path));
	return err < 0 ? err : read_int(path, val);
}

int sysctl_set_ipv4_conf(const char *ifname, const char *key, int val)
{
	char path[SYSCTL_PATH_MAX];
	int err = conf_path("ipv4", ifname, key, path, sizeof(path));
	return err < 0 ? err : write_int(path, val);
}

int sysctl_get_ipv6_conf(const char *ifname, const char *key, int *val)
{
	char path[SYSCTL_PATH_MAX];
	int err = conf_path("ipv6", ifname, key, path, sizeof(path));
	return err < 0 ? err : read_int(path, val);
}

int sysctl_set_ipv6_conf(const char *ifname, const char *key, int val)
{
	char path[SYSCTL_PATH_MAX];
	int err = conf_path("ipv6", ifname, key, path, sizeof(path));
	return err < 0 ? err : write_int(path, val);
}

enum combine { OWN, EITHER, BOTH, LARGER };

static const struct {
	const char *key;
	enum combine how;
} ipv4_combine[] = {
	{ "forwarding", OWN },       { "proxy_arp_pvlan", OWN },
	{ "proxy_arp", EITHER },     { "arp_filter", EITHER },     { "log_martians", EITHER },
	{ "accept_local", EITHER },  { "route_localnet", EITHER },
	{ "bootp_relay", BOTH },
	{ "rp_filter", LARGER },     { "arp_ignore", LARGER },     { "arp_announce", LARGER },
	{ "arp_notify", LARGER },
};

int sysctl_ipv4_conf_effective(const char *ifname, const char *key, int *val)
{
	size_t i;
	int own, all, err;

	for (i = 0; i < sizeof(ipv4_combine) / sizeof(ipv4_combine[0]); i++)
		if (key && strcmp(key, ipv4_combine[i].key) == 0)
			break;
	if (i == sizeof(ipv4_combine) / sizeof(ipv4_combine[0]))
		return -EOPNOTSUPP;
	err = sysctl_get_ipv4_conf(ifname, key, &own);
	if (err < 0)
		return err;
	if (ipv4_combine[i].how == OWN) {
		*val = own;
		return 0;
	}
	err = sysctl_get_ipv4_conf("all", key, &all);
	if (err < 0)
		return err;
	switch (ipv4_combine[i].how) {
	case EITHER:
		*val = own || all;
		break;
	case BOTH:
		*val = own && all;
		break;
	default:
		*val = own > all ? own : all;
		break;
	}
	return 0;
}
