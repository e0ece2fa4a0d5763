/* daemon/sdnotify.c: each message received on a datagram socket bound where
 * $NOTIFY_SOCKET points, as systemd would receive it (with the sender's
 * credentials, which systemd uses to tell the main process's messages). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/sdnotify.h"

struct listener {
	int fd;
	char dir[64];
	char name[108]; /* as put in $NOTIFY_SOCKET */
};

static void listener_open(struct listener *l, bool abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t alen;
	int on = 1;

	memset(l, 0, sizeof(*l));
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	assert_true(l->fd >= 0);
	assert_int_equal(setsockopt(l->fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)), 0);
	if (abstract) {
		snprintf(l->name, sizeof(l->name), "@islandd-test-sdnotify-%ld", (long)getpid());
		memcpy(sun.sun_path, l->name, strlen(l->name));
		sun.sun_path[0] = '\0';
		alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(l->name));
	} else {
		snprintf(l->dir, sizeof(l->dir), "/tmp/isl-sdnotify.XXXXXX");
		assert_non_null(mkdtemp(l->dir));
		snprintf(l->name, sizeof(l->name), "%s/notify", l->dir);
		strcpy(sun.sun_path, l->name);
		alen = sizeof(sun);
	}
	assert_int_equal(bind(l->fd, (struct sockaddr *)&sun, alen), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", l->name, 1), 0);
}

static void listener_close(struct listener *l)
{
	close(l->fd);
	if (l->dir[0]) {
		unlink(l->name);
		rmdir(l->dir);
	}
	unsetenv("NOTIFY_SOCKET");
}

/* The next datagram, NUL-terminated; fails the test when there is none or
 * when it was not sent by this process. */
static size_t listener_recv(struct listener *l, char *buf, size_t size)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct ucred))];
	} ctrl;
	struct iovec iov = { .iov_base = buf, .iov_len = size - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctrl.buf,
	                     .msg_controllen = sizeof(ctrl.buf) };
	ssize_t n = recvmsg(l->fd, &mh, 0);
	assert_true(n >= 0);
	assert_false(mh.msg_flags & MSG_TRUNC);
	buf[n] = '\0';
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	assert_non_null(c);
	assert_int_equal(c->cmsg_type, SCM_CREDENTIALS);
	struct ucred cred;
	memcpy(&cred, CMSG_DATA(c), sizeof(cred));
	assert_int_equal(cred.pid, getpid());
	return (size_t)n;
}

static void assert_nothing_queued(struct listener *l)
{
	char buf[16];
	assert_int_equal(recv(l->fd, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, EAGAIN);
}

static void test_unset_is_noop(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify("READY=1"), 0);
	assert_int_equal(sdnotify_ready(), 0);
	assert_int_equal(sdnotify_status("x %d", 1), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sdnotify_ready(), 0);
	unsetenv("NOTIFY_SOCKET");
}

static void each_message(bool abstract)
{
	struct listener l;
	char buf[1024];

	listener_open(&l, abstract);
	assert_int_equal(sdnotify_ready(), 0);
	assert_int_equal(listener_recv(&l, buf, sizeof(buf)), strlen("READY=1"));
	assert_string_equal(buf, "READY=1");

	assert_int_equal(sdnotify_stopping(), 0);
	listener_recv(&l, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1");

	assert_int_equal(sdnotify("STATUS=a\nERRNO=5"), 0);
	listener_recv(&l, buf, sizeof(buf));
	assert_string_equal(buf, "STATUS=a\nERRNO=5");
	assert_nothing_queued(&l);
	listener_close(&l);
}

static void test_path_socket(void **state)
{
	each_message(false);
}

static void test_abstract_socket(void **state)
{
	each_message(true);
}

static unsigned long long mono_usec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000ULL;
}

static void test_reloading_carries_monotonic_time(void **state)
{
	struct listener l;
	char buf[256];
	unsigned long long before, after, stamp;
	int used = 0;

	listener_open(&l, false);
	before = mono_usec();
	assert_int_equal(sdnotify_reloading(), 0);
	after = mono_usec();
	listener_recv(&l, buf, sizeof(buf));
	assert_int_equal(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu%n", &stamp, &used), 1);
	assert_int_equal((size_t)used, strlen(buf)); /* nothing after the number */
	assert_true(stamp >= before && stamp <= after);
	listener_close(&l);
}

static void test_status_is_one_line(void **state)
{
	struct listener l;
	char buf[1024], big[600];

	listener_open(&l, true);
	assert_int_equal(sdnotify_status("%u sessions, %llu NS answered\nREADY=1", 3u, 12345ULL), 0);
	listener_recv(&l, buf, sizeof(buf));
	/* the embedded newline must not smuggle a READY=1 line in */
	assert_string_equal(buf, "STATUS=3 sessions, 12345 NS answered READY=1");

	/* long text is cut, never sent beyond the buffer */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sdnotify_status("%s", big), 0);
	size_t n = listener_recv(&l, buf, sizeof(buf));
	assert_true(n < sizeof(big));
	assert_memory_equal(buf, "STATUS=xxx", 10);
	listener_close(&l);
}

static void test_errors(void **state)
{
	char longname[200];

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify_ready(), -EINVAL);
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	assert_int_equal(sdnotify_ready(), -EINVAL);
	setenv("NOTIFY_SOCKET", "@", 1);
	assert_int_equal(sdnotify_ready(), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longname, 1);
	assert_int_equal(sdnotify_ready(), -EINVAL);
	/* 108 bytes fill sun_path: fine for an abstract name, too long for a path */
	memset(longname, 'b', 108);
	longname[108] = '\0';
	longname[0] = '/';
	setenv("NOTIFY_SOCKET", longname, 1);
	assert_int_equal(sdnotify_ready(), -EINVAL);
	longname[0] = '@';
	setenv("NOTIFY_SOCKET", longname, 1);
	assert_int_equal(sdnotify_ready(), -ECONNREFUSED); /* nobody bound it */
	setenv("NOTIFY_SOCKET", "/tmp/isl-sdnotify-does-not-exist/notify", 1);
	assert_int_equal(sdnotify_ready(), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset_is_noop),
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_reloading_carries_monotonic_time),
		cmocka_unit_test(test_status_is_one_line),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
