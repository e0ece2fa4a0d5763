/* DHCPv6 client sockets: see dhcp6_sock.h. */
#include "net/dhcp6_sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/dhcp6.h"

#define READS_PER_WAKEUP 64   /* then back to the loop; epoll is level-triggered */

struct dhcp6_sock {
	struct loop *loop;
	int fd;
	int ifindex;
	dhcp6_sock_rx_fn fn;
	void *ctx;
	struct dhcp6_sock_stats stats;
};

/* One receive buffer for every socket: the loop is single-threaded. The
 * extra byte tells a datagram longer than any DHCPv6 message. */
static uint8_t rx_buf[DHCP6_MSG_MAX + 1];

static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct dhcp6_sock *s = ctx;
	(void)events;
	for (int i = 0; i < READS_PER_WAKEUP; i++) {
		struct sockaddr_in6 from;
		_Alignas(struct cmsghdr) uint8_t ctl[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct iovec iov = { .iov_base = rx_buf, .iov_len = sizeof(rx_buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		                     .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				s->stats.rx_errors++;
			return;
		}
		s->stats.rx++;
		if ((size_t)n > DHCP6_MSG_MAX || (mh.msg_flags & MSG_TRUNC)) {
			s->stats.rx_truncated++;
			continue;
		}
		int ifindex = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ifindex = (int)pi.ipi6_ifindex;
			}
		s->fn(s->ctx, ifindex, &from.sin6_addr, ntohs(from.sin6_port), rx_buf, (size_t)n);
	}
}

struct dhcp6_sock *dhcp6_sock_open(struct loop *loop, dhcp6_sock_rx_fn fn, void *ctx)
{
	struct dhcp6_sock *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->loop = loop;
	s->fn = fn;
	s->ctx = ctx;
	s->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s->fd < 0)
		goto fail;
	int one = 1, hops = 1, zero = 0;
	/* several upstreams, each its own socket on 546, each tied to its link */
	if (setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0)
		goto fail;
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_port = htons(DHCP6_CLIENT_PORT) };
	if (bind(s->fd, (struct sockaddr *)&any, sizeof(any)) < 0)
		goto fail;
	if (loop_add_fd(loop, s->fd, EPOLLIN, on_readable, s) < 0)
		goto fail;
	return s;
fail:;
	int e = errno;
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	errno = e;
	return NULL;
}

int dhcp6_sock_bind_device(struct dhcp6_sock *s, const char *ifname, int ifindex)
{
	if (setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0)
		return -errno;
	if (ifindex &&
	    setsockopt(s->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0)
		return -errno;
	s->ifindex = ifindex;
	return 0;
}

int dhcp6_sock_send(struct dhcp6_sock *s, const uint8_t *buf, size_t len)
{
	if (!s->ifindex)
		return -ENXIO;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(DHCP6_SERVER_PORT),
	                           .sin6_scope_id = (uint32_t)s->ifindex };
	inet_pton(AF_INET6, "ff02::1:2", &to.sin6_addr);
	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		s->stats.tx_errors++;
		return -errno;
	}
	s->stats.tx++;
	return 0;
}

const struct dhcp6_sock_stats *dhcp6_sock_stats(const struct dhcp6_sock *s)
{
	return &s->stats;
}

void dhcp6_sock_close(struct dhcp6_sock *s)
{
	if (!s)
		return;
	loop_del_fd(s->loop, s->fd);
	close(s->fd);
	free(s);
}
