/* Control socket server. A bounded number of clients; each connection reads
 * one line (with a deadline), gets its reply rendered in one go, and is fed
 * with non-blocking writes until done.
 *
 * Idle connections cannot lock an operator out: the request line must come
 * within CTL_REQUEST_DEADLINE_MS (islandctl sends it at once), and when
 * every slot is taken a new connection evicts the oldest one still silent. */
#include "ctl/server.h"
#include "util/json.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_MAX_CLIENTS 32
#define CTL_REQUEST_DEADLINE_MS 1000 /* accept to the end of the request line */
#define CTL_REPLY_DEADLINE_MS 5000   /* for a slow reader to take its reply */

struct ctl_client {
	struct ctl_server *srv;
	int fd;                  /* -1 = free slot */
	char req[CTL_REQUEST_MAX];
	size_t req_len;
	struct ctl_out out;
	size_t sent;
	bool replying;
	uint64_t seq;             /* accept order: the lowest silent one is evicted */
	struct loop_timer deadline;
};

struct ctl_server {
	struct loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ctl_handler handler;
	void *ctx;
	uint64_t next_seq;
	struct ctl_server_stats stats;
	struct ctl_client clients[CTL_MAX_CLIENTS];
};

static void client_close(struct ctl_client *c)
{
	if (c->fd < 0)
		return;
	loop_del_fd(c->srv->loop, c->fd);
	loop_timer_cancel(c->srv->loop, &c->deadline);
	close(c->fd);
	c->fd = -1;
	ctl_out_free(&c->out);
}

static void client_expired(void *ctx)
{
	struct ctl_client *c = ctx;
	c->srv->stats.expired++;
	client_close(c);
}

static void client_write(struct ctl_client *c)
{
	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->sent, c->out.len - c->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN)
				return;
			break;
		}
		c->sent += (size_t)n;
	}
	client_close(c);
}

static void client_reply(struct ctl_client *c)
{
	struct ctl_request req;
	ctl_out_init(&c->out);
	struct json j;
	json_init(&j, &c->out);
	if (ctl_parse_request(c->req, c->req_len, &req) < 0) {
		json_obj(&j);
		json_kstr(&j, "error", "malformed request (one line: COMMAND [json])");
		json_obj_end(&j);
		json_end(&j);
	} else if (c->srv->handler(c->srv->ctx, &req, &c->out) < 0) {
		char why[64];
		snprintf(why, sizeof(why), "unknown command '%s'", req.command);
		c->out.len = 0;
		json_obj(&j);
		json_kstr(&j, "error", why);
		json_obj_end(&j);
		json_end(&j);
	}
	c->replying = true;
	loop_timer_in(c->srv->loop, &c->deadline, CTL_REPLY_DEADLINE_MS, client_expired, c);
	loop_mod_fd(c->srv->loop, c->fd, EPOLLOUT);
	client_write(c);
}

static void client_event(void *ctx, int fd, uint32_t events)
{
	struct ctl_client *c = ctx;
	if (c->replying) {
		client_write(c);
		return;
	}
	ssize_t n = recv(fd, c->req + c->req_len, sizeof(c->req) - c->req_len, 0);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->req_len += (size_t)n;
	if (memchr(c->req, '\n', c->req_len) || c->req_len == sizeof(c->req))
		client_reply(c);
}

static void server_accept(void *ctx, int fd, uint32_t events)
{
	struct ctl_server *s = ctx;
	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			return;
		struct ctl_client *c = NULL, *silent = NULL;
		for (size_t i = 0; i < CTL_MAX_CLIENTS && !c; i++) {
			struct ctl_client *k = &s->clients[i];
			if (k->fd < 0)
				c = k;
			else if (!k->replying && (!silent || k->seq < silent->seq))
				silent = k;
		}
		if (!c && silent) {
			/* the oldest connection that has not asked anything yet
			 * makes room: an operator always gets in */
			s->stats.evicted++;
			client_close(silent);
			c = silent;
		}
		if (!c) {
			/* every slot is sending a reply: soon free again;
			 * islandctl retries */
			s->stats.refused++;
			close(cfd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->srv = s;
		c->fd = cfd;
		c->seq = ++s->next_seq;
		s->stats.accepted++;
		if (loop_add_fd(s->loop, cfd, EPOLLIN, client_event, c) < 0) {
			close(cfd);
			c->fd = -1;
			continue;
		}
		loop_timer_in(s->loop, &c->deadline, CTL_REQUEST_DEADLINE_MS, client_expired, c);
	}
}

struct ctl_server *ctl_server_new(struct loop *loop, const char *path, ctl_handler h, void *ctx)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	struct ctl_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	for (size_t i = 0; i < CTL_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->loop = loop;
	s->handler = h;
	s->ctx = ctx;
	strcpy(s->path, path);
	strcpy(sun.sun_path, path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto fail;
	/* a socket file left by a crashed instance: replace it, unless an
	 * instance is still answering there */
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe >= 0) {
		if (connect(probe, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
			close(probe);
			errno = EADDRINUSE;
			goto fail;
		}
		close(probe);
	}
	unlink(path);
	mode_t old = umask(0117);
	int rc = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc < 0 || listen(s->fd, 16) < 0)
		goto fail;
	if (loop_add_fd(loop, s->fd, EPOLLIN, server_accept, s) < 0)
		goto fail;
	return s;
fail:;
	int saved = errno;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	errno = saved;
	return NULL;
}

const struct ctl_server_stats *ctl_server_stats(const struct ctl_server *s)
{
	return &s->stats;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < CTL_MAX_CLIENTS; i++)
		client_close(&s->clients[i]);
	loop_del_fd(s->loop, s->fd);
	close(s->fd);
	unlink(s->path);
	free(s);
}
