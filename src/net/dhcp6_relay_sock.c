/* The DHCPv6 relay's socket: see dhcp6_relay_sock.h. */
#include "net/dhcp6_relay_sock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"

#define RELAY_PORT 547
#define RELAY_BUF 2048   /* above any DHCPv6 message on a 1500-byte link */

struct dhcp6_relay_sock {
	int fd;
	struct loop *loop;
	dhcp6_relay_sock_rx_fn fn;
	void *ctx;
	uint8_t buf[RELAY_BUF];
};

static const struct in6_addr all_relays_and_servers = {
	.s6_addr = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2 }
};

static void on_readable(void *ctx, int fd, uint32_t events)
{
	(void)events;
	struct dhcp6_relay_sock *s = ctx;
	for (int budget = 64; budget > 0; budget--) {   /* a flood yields to the loop */
		struct sockaddr_in6 from;
		union {
			struct cmsghdr align;
			uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} cbuf;
		struct iovec iov = { .iov_base = s->buf, .iov_len = sizeof(s->buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		                     .msg_iovlen = 1, .msg_control = cbuf.b, .msg_controllen = sizeof(cbuf.b) };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			return;
		if (mh.msg_flags & MSG_TRUNC)
			continue;   /* longer than any DHCPv6 message we pass: the engine would refuse it */
		int ifindex = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ifindex = (int)pi.ipi6_ifindex;
			}
		s->fn(s->ctx, ifindex, &from.sin6_addr, s->buf, (size_t)n);
	}
}

int dhcp6_relay_sock_open(struct dhcp6_relay_sock **out, struct loop *loop, dhcp6_relay_sock_rx_fn fn,
                          void *ctx)
{
	struct dhcp6_relay_sock *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->fn = fn;
	s->ctx = ctx;
	s->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		int e = errno;
		free(s);
		return -e;
	}
	int one = 1, zero = 0;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(RELAY_PORT),
	                           .sin6_addr = IN6ADDR_ANY_INIT };
	if (setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    loop_add_fd(loop, s->fd, EPOLLIN, on_readable, s) < 0) {
		int e = errno;
		close(s->fd);
		free(s);
		return -e;
	}
	/* only the groups joined here, not every socket's on the host */
	setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof(zero));
	*out = s;
	return 0;
}

void dhcp6_relay_sock_close(struct dhcp6_relay_sock *s)
{
	if (!s)
		return;
	loop_del_fd(s->loop, s->fd);
	close(s->fd);
	free(s);
}

int dhcp6_relay_sock_join(struct dhcp6_relay_sock *s, int ifindex, bool join)
{
	struct ipv6_mreq mr = { .ipv6mr_multiaddr = all_relays_and_servers, .ipv6mr_interface = (unsigned)ifindex };
	if (setsockopt(s->fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &mr, sizeof(mr)) < 0)
		return errno == EADDRINUSE && join ? 0 : -errno;
	return 0;
}

int dhcp6_relay_sock_send(struct dhcp6_relay_sock *s, int ifindex, const struct in6_addr *dst, uint16_t port,
                          const uint8_t *pkt, size_t len)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = *dst };
	if (IN6_IS_ADDR_LINKLOCAL(dst) || IN6_IS_ADDR_MC_LINKLOCAL(dst))
		to.sin6_scope_id = (uint32_t)ifindex;
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	memset(&cbuf, 0, sizeof(cbuf));
	struct iovec iov = { .iov_base = (void *)pkt, .iov_len = len };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1 };
	if (ifindex > 0) {
		mh.msg_control = cbuf.b;
		mh.msg_controllen = sizeof(cbuf.b);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
		struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	if (sendmsg(s->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}
