#include "net/mcast.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void mcast_init(struct mcast_set *m)
{
	for (int i = 0; i < MCAST_MAX_SOCKS; i++)
		m->socks[i] = (struct mcast_sock){ .fd = -1 };
}

static int membership(int fd, int ifindex, const struct in6_addr *group, int op)
{
	struct ipv6_mreq mr = { .ipv6mr_multiaddr = *group, .ipv6mr_interface = (unsigned)ifindex };
	return setsockopt(fd, IPPROTO_IPV6, op, &mr, sizeof(mr)) < 0 ? -errno : 0;
}

int mcast_join(struct mcast_set *m, int ifindex, const struct in6_addr *group)
{
	int err = -ENOSPC;
	for (int i = 0; i < MCAST_MAX_SOCKS; i++) {
		struct mcast_sock *s = &m->socks[i];
		if (s->fd >= 0 && (s->full || s->used >= MCAST_GROUPS_PER_SOCK))
			continue;
		if (s->fd < 0) {
			/* never bound: it receives nothing, it only holds memberships */
			s->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
			if (s->fd < 0)
				return -errno;
			s->used = 0;
			s->full = false;
		}
		err = membership(s->fd, ifindex, group, IPV6_ADD_MEMBERSHIP);
		if (err == 0) {
			s->used++;
			return i;
		}
		/* EADDRINUSE: this socket already holds the group (a reload's new
		 * engine joins before the old one leaves): the next one takes it */
		if (err == -ENOBUFS || err == -ENOMEM)
			s->full = true;
		else if (err != -EADDRINUSE)
			return err;
		if (s->used == 0) {
			close(s->fd);
			s->fd = -1;
		}
	}
	return err;
}

int mcast_leave(struct mcast_set *m, int slot, int ifindex, const struct in6_addr *group)
{
	if (slot < 0 || slot >= MCAST_MAX_SOCKS || m->socks[slot].fd < 0)
		return -EINVAL;
	struct mcast_sock *s = &m->socks[slot];
	int err = membership(s->fd, ifindex, group, IPV6_DROP_MEMBERSHIP);
	if (s->used)
		s->used--;
	s->full = false;
	if (s->used == 0) {
		close(s->fd);
		s->fd = -1;
	}
	return err;
}

void mcast_close_all(struct mcast_set *m)
{
	for (int i = 0; i < MCAST_MAX_SOCKS; i++) {
		if (m->socks[i].fd >= 0)
			close(m->socks[i].fd);
		m->socks[i] = (struct mcast_sock){ .fd = -1 };
	}
}
