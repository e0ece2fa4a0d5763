/* sd_notify(3)'s wire protocol, written out: a datagram to $NOTIFY_SOCKET.
 * A socket per message: notifications are rare (start, reload, a status
 * line every few seconds) and this keeps no descriptor across fork/exec. */
#include "daemon/sdnotify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Fills sun from $NOTIFY_SOCKET; returns the address length or -errno. */
static int notify_address(const char *name, struct sockaddr_un *sun)
{
	size_t len = strlen(name);
	if (len < 2 || (name[0] != '/' && name[0] != '@'))
		return -EINVAL; /* vsock: and other schemes are not ours to speak */
	if (len > sizeof(sun->sun_path))
		return -EINVAL;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, name, len);
	if (name[0] == '@') {
		sun->sun_path[0] = '\0'; /* abstract: the name is exactly len bytes */
		return (int)(offsetof(struct sockaddr_un, sun_path) + len);
	}
	if (len == sizeof(sun->sun_path))
		return -EINVAL; /* no room for the terminating NUL */
	return (int)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

int sdnotify(const char *state)
{
	const char *name = getenv("NOTIFY_SOCKET");
	if (!name || !name[0])
		return 0;
	struct sockaddr_un sun;
	int alen = notify_address(name, &sun);
	if (alen < 0)
		return alen;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	size_t len = strlen(state);
	int rc = 0;
	ssize_t n = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&sun, (socklen_t)alen);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -EMSGSIZE;
	close(fd);
	return rc;
}

int sdnotify_ready(void)
{
	return sdnotify("READY=1");
}

int sdnotify_reloading(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return -errno;
	char msg[64];
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	         (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL);
	return sdnotify(msg);
}

int sdnotify_status(const char *fmt, ...)
{
	char msg[512] = "STATUS=";
	size_t head = strlen(msg);
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg + head, sizeof(msg) - head, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	/* a newline would start a new KEY=VALUE line */
	for (char *p = msg + head; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return sdnotify(msg);
}

int sdnotify_stopping(void)
{
	return sdnotify("STOPPING=1");
}
