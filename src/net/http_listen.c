/* The metrics listener (net/http_listen.h). While a connection is being
 * served the listening socket is left out of the loop, so the next one waits
 * in the kernel's backlog: one request at a time, whatever comes. */
#include "net/http_listen.h"
#include "proto/http_req.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEAD_MAX 160

struct http_listen {
	struct loop *loop;
	int fd, cfd;            /* listener; the connection served (-1: none) */
	struct conf_listen at;
	http_page_fn page;
	void *ctx;
	struct loop_timer deadline;
	bool replying;
	char req[HTTP_LISTEN_REQUEST_MAX];
	size_t req_len;
	size_t out_len, sent;
	struct http_listen_stats stats;
	char out[];             /* HEAD_MAX + HTTP_LISTEN_RESPONSE_MAX */
};

static void conn_close(struct http_listen *h)
{
	if (h->cfd < 0)
		return;
	loop_del_fd(h->loop, h->cfd);
	loop_timer_cancel(h->loop, &h->deadline);
	close(h->cfd);
	h->cfd = -1;
	/* the next connection in the backlog may come */
	loop_mod_fd(h->loop, h->fd, EPOLLIN);
}

static void conn_expired(void *ctx)
{
	struct http_listen *h = ctx;
	h->stats.timeouts++;
	conn_close(h);
}

static void conn_write(struct http_listen *h)
{
	while (h->sent < h->out_len) {
		ssize_t n = send(h->cfd, h->out + h->sent, h->out_len - h->sent, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		h->sent += (size_t)n;
	}
	conn_close(h);
}

/* The head for status and a body of len bytes, written before the body. */
static void reply(struct http_listen *h, int status, const char *reason, const char *body,
                  size_t len, bool head_only)
{
	char head[HEAD_MAX];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	                 status, reason,
	                 status == 200 ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8",
	                 len);
	if (n < 0 || n >= (int)sizeof(head))
		n = 0;
	/* the body already sits at out + HEAD_MAX: put the head just before it */
	size_t off = HEAD_MAX - (size_t)n;
	memcpy(h->out + off, head, (size_t)n);
	if (body)
		memcpy(h->out + HEAD_MAX, body, len);
	if (off)
		memmove(h->out, h->out + off, (size_t)n + (head_only ? 0 : len));
	h->out_len = (size_t)n + (head_only ? 0 : len);
	h->sent = 0;
	h->replying = true;
	loop_timer_cancel(h->loop, &h->deadline);
	loop_timer_in(h->loop, &h->deadline, HTTP_LISTEN_WRITE_MS, conn_expired, h);
	loop_mod_fd(h->loop, h->cfd, EPOLLOUT);
	conn_write(h);
}

static void serve(struct http_listen *h, const struct http_req *r)
{
	static const char not_found[] = "islandd serves /metrics only\n";
	static const char not_allowed[] = "GET or HEAD\n";
	if (r->method == HTTP_OTHER) {
		h->stats.not_allowed++;
		reply(h, 405, "Method Not Allowed", not_allowed, sizeof(not_allowed) - 1, false);
		return;
	}
	bool head_only = r->method == HTTP_HEAD;
	if (strcmp(r->path, "/metrics") != 0) {
		h->stats.not_found++;
		reply(h, 404, "Not Found", not_found, sizeof(not_found) - 1, head_only);
		return;
	}
	long len = h->page(h->ctx, h->out + HEAD_MAX, HTTP_LISTEN_RESPONSE_MAX);
	if (len < 0) {
		static const char too_big[] = "metrics do not fit the response buffer\n";
		h->stats.too_big++;
		reply(h, 500, "Internal Server Error", too_big, sizeof(too_big) - 1, head_only);
		return;
	}
	h->stats.requests++;
	reply(h, 200, "OK", NULL, (size_t)len, head_only);
}

static void conn_event(void *ctx, int fd, uint32_t events)
{
	struct http_listen *h = ctx;
	if (h->replying) {
		conn_write(h);
		return;
	}
	ssize_t n = recv(fd, h->req + h->req_len, sizeof(h->req) - h->req_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(h);
		return;
	}
	h->req_len += (size_t)n;
	struct http_req r;
	enum http_parse res = http_req_parse(h->req, h->req_len, &r);
	if (res == HTTP_INCOMPLETE && h->req_len == sizeof(h->req))
		res = HTTP_BAD; /* oversized */
	if (res == HTTP_BAD) {
		h->stats.bad_requests++;
		conn_close(h);
	} else if (res == HTTP_OK) {
		serve(h, &r);
	}
}

static void on_accept(void *ctx, int fd, uint32_t events)
{
	struct http_listen *h = ctx;
	if (h->cfd >= 0)
		return;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	if (loop_add_fd(h->loop, cfd, EPOLLIN, conn_event, h) < 0) {
		close(cfd);
		return;
	}
	h->stats.accepted++;
	h->cfd = cfd;
	h->req_len = 0;
	h->replying = false;
	/* one at a time: the rest wait in the backlog until this one is done */
	loop_mod_fd(h->loop, h->fd, 0);
	loop_timer_in(h->loop, &h->deadline, HTTP_LISTEN_READ_MS, conn_expired, h);
}

struct http_listen *http_listen_new(struct loop *loop, const struct conf_listen *at,
                                    http_page_fn page, void *ctx, char *err, size_t errlen)
{
	char where[INET6_ADDRSTRLEN + 16];
	conf_listen_format(at, where, sizeof(where));
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (at->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(at->port);
		memcpy(&s6->sin6_addr, at->addr, 16);
		sl = sizeof(*s6);
	} else if (at->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(at->port);
		memcpy(&s4->sin_addr, at->addr, 4);
		sl = sizeof(*s4);
	} else {
		snprintf(err, errlen, "metrics-listen: no address");
		return NULL;
	}
	struct http_listen *h = calloc(1, sizeof(*h) + HEAD_MAX + HTTP_LISTEN_RESPONSE_MAX);
	if (!h) {
		snprintf(err, errlen, "metrics-listen %s: out of memory", where);
		return NULL;
	}
	h->loop = loop;
	h->at = *at;
	h->page = page;
	h->ctx = ctx;
	h->cfd = -1;
	h->fd = socket(at->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (h->fd < 0 ||
	    setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (at->family == AF_INET6 && setsockopt(h->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(h->fd, (struct sockaddr *)&ss, sl) < 0 ||
	    listen(h->fd, HTTP_LISTEN_BACKLOG) < 0 ||
	    loop_add_fd(loop, h->fd, EPOLLIN, on_accept, h) < 0) {
		snprintf(err, errlen, "metrics-listen %s: %s", where, strerror(errno));
		if (h->fd >= 0)
			close(h->fd);
		free(h);
		return NULL;
	}
	return h;
}

void http_listen_free(struct http_listen *h)
{
	if (!h)
		return;
	conn_close(h);
	loop_del_fd(h->loop, h->fd);
	close(h->fd);
	free(h);
}

const struct http_listen_stats *http_listen_stats(const struct http_listen *h)
{
	return &h->stats;
}

const struct conf_listen *http_listen_addr(const struct http_listen *h)
{
	return &h->at;
}
