/* mDNS UDP sockets: see mdns_sock.h. */
#include "net/mdns_sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/prefault.h"

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

#define BATCH 16
#define BATCHES_PER_WAKEUP 8    /* then yield to the loop; epoll is level-triggered */
#define TX_QUEUE 32
#define TX_SLOT 1500            /* larger packets are sent at once, after the queue */
#define RCVBUF_BYTES (1 << 20)  /* absorbs bursts at several thousand packets/s */

enum { SOCK_V4, SOCK_V6, SOCK_V4_LEGACY, SOCK_V6_LEGACY, SOCK__MAX };

struct mdns_sock;

struct sock_slot {
	struct mdns_sock *owner;
	int fd;
	int family;
	enum mdns_via via;
};

union sockaddr_any {
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

/* A prepared message: what sendmsg / sendmmsg take. */
struct tx_msg {
	struct msghdr mh;
	struct iovec iov;
	union sockaddr_any to;
	_Alignas(struct cmsghdr) uint8_t ctl[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

struct tx_queue {
	unsigned n;
	int fd[TX_QUEUE];
	int ifindex[TX_QUEUE];
	struct tx_msg m[TX_QUEUE];
	struct mmsghdr mm[TX_QUEUE];
	uint8_t buf[TX_QUEUE][TX_SLOT];
};

struct mdns_sock {
	struct loop *loop;
	mdns_sock_rx_fn fn;
	mdns_sock_tx_err_fn tx_err;
	void *ctx;
	struct sock_slot slot[SOCK__MAX];
	struct mdns_sock_stats stats;
	bool in_rx;              /* handling a batch: sends are queued */
	struct tx_queue txq;
};

/* One set of receive buffers for every socket: the loop is single-threaded
 * and each batch is handed on before the next read. */
static uint8_t rx_buf[BATCH][MDNS_PACKET_MAX];
static _Alignas(struct cmsghdr) uint8_t rx_ctl[BATCH][CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + 64];
static struct sockaddr_in6 rx_from[BATCH];
static struct iovec rx_iov[BATCH];
static struct mmsghdr rx_msg[BATCH];

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v)) < 0 ? -errno : 0;
}

static int open_one(int family, uint16_t port, bool shared)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	int r = 0;
	if (fd < 0)
		return -errno;
	if (shared) {
		/* avahi-daemon may hold 5353 too: both must say so */
		if ((r = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1)) < 0 ||
		    (r = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1)) < 0)
			goto fail;
	}
	if (set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF_BYTES) < 0)
		set_int(fd, SOL_SOCKET, SO_RCVBUF, RCVBUF_BYTES);
	if (family == AF_INET) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
		if ((r = set_int(fd, IPPROTO_IP, IP_PKTINFO, 1)) < 0 ||
		    (r = set_int(fd, IPPROTO_IP, IP_RECVTTL, 1)) < 0 ||
		    (r = set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255)) < 0 ||
		    (r = set_int(fd, IPPROTO_IP, IP_TTL, 255)) < 0 ||
		    (r = set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0)) < 0)
			goto fail;
		set_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0); /* best effort: old kernels */
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			r = -errno;
			goto fail;
		}
	} else {
		struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
		if ((r = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1)) < 0 ||
		    (r = set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)) < 0 ||
		    (r = set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)) < 0 ||
		    (r = set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255)) < 0 ||
		    (r = set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255)) < 0 ||
		    (r = set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0)) < 0)
			goto fail;
		set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			r = -errno;
			goto fail;
		}
	}
	return fd;
fail:
	close(fd);
	return r;
}

static void to_mapped(struct in6_addr *out, const struct in_addr *v4)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], v4, 4);
}

/* Fill rx from one received message; false when the kernel gave no
 * arrival interface (cannot happen with PKTINFO on, but never guess). */
static bool meta_of(const struct sock_slot *sl, struct msghdr *mh, struct mdns_rx *rx)
{
	bool have_if = false;
	memset(rx, 0, sizeof(*rx));
	rx->via = sl->via;
	rx->family = sl->family;
	rx->hop_limit = -1;
	rx->truncated = (mh->msg_flags & MSG_TRUNC) != 0;
	if (sl->family == AF_INET) {
		const struct sockaddr_in *sa = mh->msg_name;
		to_mapped(&rx->src, &sa->sin_addr);
		rx->sport = ntohs(sa->sin_port);
	} else {
		const struct sockaddr_in6 *sa = mh->msg_name;
		rx->src = sa->sin6_addr;
		rx->sport = ntohs(sa->sin6_port);
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = pi.ipi_ifindex;
			rx->dst_mcast = IN_MULTICAST(ntohl(pi.ipi_addr.s_addr));
			have_if = true;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			rx->hop_limit = v;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = (int)pi.ipi6_ifindex;
			rx->dst_mcast = IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr);
			have_if = true;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
			int v;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			rx->hop_limit = v;
		}
	}
	return have_if;
}

static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct sock_slot *sl = ctx;
	struct mdns_sock *s = sl->owner;

	s->in_rx = true;
	for (int b = 0; b < BATCHES_PER_WAKEUP; b++) {
		for (int i = 0; i < BATCH; i++) {
			rx_iov[i].iov_base = rx_buf[i];
			rx_iov[i].iov_len = sizeof(rx_buf[i]);
			rx_msg[i].msg_hdr = (struct msghdr){
				.msg_name = &rx_from[i], .msg_namelen = sizeof(rx_from[i]),
				.msg_iov = &rx_iov[i], .msg_iovlen = 1,
				.msg_control = rx_ctl[i], .msg_controllen = sizeof(rx_ctl[i]),
			};
			rx_msg[i].msg_len = 0;
		}
		int n = recvmmsg(fd, rx_msg, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				s->stats.recv_errors++;
			break;
		}
		s->stats.batches++;
		for (int i = 0; i < n; i++) {
			struct mdns_rx rx;
			s->stats.packets++;
			if (!meta_of(sl, &rx_msg[i].msg_hdr, &rx)) {
				s->stats.no_pktinfo++;
				continue;
			}
			s->fn(s->ctx, &rx, rx_buf[i], rx_msg[i].msg_len);
		}
		if (n < BATCH)
			break;
	}
	s->in_rx = false;
	mdns_sock_flush(s);
}

int mdns_sock_open(struct mdns_sock **out, struct loop *loop, mdns_sock_rx_fn fn,
                   mdns_sock_tx_err_fn tx_err, void *ctx)
{
	static const struct { int family; uint16_t port; enum mdns_via via; } spec[SOCK__MAX] = {
		[SOCK_V4] = { AF_INET, MDNS_PORT, MDNS_VIA_MAIN },
		[SOCK_V6] = { AF_INET6, MDNS_PORT, MDNS_VIA_MAIN },
		[SOCK_V4_LEGACY] = { AF_INET, 0, MDNS_VIA_LEGACY },
		[SOCK_V6_LEGACY] = { AF_INET6, 0, MDNS_VIA_LEGACY },
	};
	struct mdns_sock *s = calloc(1, sizeof(*s));
	int first_err = 0, opened = 0;
	if (!s)
		return -ENOMEM;
	/* queue and receive buffers resident now, not as bigger packets come */
	mem_prefault(&s->txq, sizeof(s->txq));
	mem_prefault(rx_buf, sizeof(rx_buf));
	mem_prefault(rx_ctl, sizeof(rx_ctl));
	s->loop = loop;
	s->fn = fn;
	s->tx_err = tx_err;
	s->ctx = ctx;
	for (int k = 0; k < SOCK__MAX; k++) {
		struct sock_slot *sl = &s->slot[k];
		sl->owner = s;
		sl->family = spec[k].family;
		sl->via = spec[k].via;
		sl->fd = -1;
		/* a family whose main socket failed gets no legacy socket */
		if (spec[k].via == MDNS_VIA_LEGACY && s->slot[k - 2].fd < 0)
			continue;
		int fd = open_one(spec[k].family, spec[k].port, spec[k].via == MDNS_VIA_MAIN);
		if (fd < 0) {
			if (!first_err)
				first_err = fd;
			continue;
		}
		int r = loop_add_fd(loop, fd, EPOLLIN, on_readable, sl);
		if (r < 0) {
			close(fd);
			if (!first_err)
				first_err = r;
			continue;
		}
		sl->fd = fd;
		opened++;
	}
	if (!opened) {
		free(s);
		return first_err ? first_err : -EAFNOSUPPORT;
	}
	*out = s;
	return 0;
}

void mdns_sock_close(struct mdns_sock *s)
{
	if (!s)
		return;
	for (int k = 0; k < SOCK__MAX; k++) {
		if (s->slot[k].fd < 0)
			continue;
		loop_del_fd(s->loop, s->slot[k].fd);
		close(s->slot[k].fd);
	}
	free(s);
}

static int fd_for(const struct mdns_sock *s, int family, enum mdns_via via)
{
	int k = family == AF_INET ? SOCK_V4 : SOCK_V6;
	if (via == MDNS_VIA_LEGACY)
		k += 2;
	return s->slot[k].fd;
}

bool mdns_sock_has_family(const struct mdns_sock *s, int family)
{
	return fd_for(s, family, MDNS_VIA_MAIN) >= 0;
}

/* Fill m to send pkt (left where it is) as tx says. */
static void tx_prepare(struct tx_msg *m, const struct mdns_tx *tx, const uint8_t *pkt, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->iov = (struct iovec){ .iov_base = (void *)pkt, .iov_len = len };
	m->mh = (struct msghdr){ .msg_name = &m->to, .msg_iov = &m->iov, .msg_iovlen = 1,
	                         .msg_control = m->ctl };
	struct cmsghdr *c = (struct cmsghdr *)m->ctl;
	if (tx->family == AF_INET) {
		struct in_pktinfo pi = { .ipi_ifindex = tx->ifindex };
		m->to.v4.sin_family = AF_INET;
		m->to.v4.sin_port = htons(tx->dport);
		memcpy(&m->to.v4.sin_addr, &tx->dst.s6_addr[12], 4);
		memcpy(&pi.ipi_spec_dst, &tx->src.s6_addr[12], 4);
		m->mh.msg_namelen = sizeof(m->to.v4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		m->mh.msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in6_pktinfo pi = { .ipi6_addr = tx->src, .ipi6_ifindex = (unsigned)tx->ifindex };
		m->to.v6.sin6_family = AF_INET6;
		m->to.v6.sin6_port = htons(tx->dport);
		m->to.v6.sin6_addr = tx->dst;
		if (IN6_IS_ADDR_LINKLOCAL(&tx->dst) || IN6_IS_ADDR_MC_LINKLOCAL(&tx->dst))
			m->to.v6.sin6_scope_id = (uint32_t)tx->ifindex;
		m->mh.msg_namelen = sizeof(m->to.v6);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		m->mh.msg_controllen = CMSG_SPACE(sizeof(pi));
	}
}

void mdns_sock_flush(struct mdns_sock *s)
{
	struct tx_queue *q = &s->txq;
	unsigned i = 0;
	while (i < q->n) {
		/* one sendmmsg for each run of messages to the same socket */
		unsigned run = 1;
		while (i + run < q->n && q->fd[i + run] == q->fd[i])
			run++;
		for (unsigned k = 0; k < run; k++)
			q->mm[i + k] = (struct mmsghdr){ .msg_hdr = q->m[i + k].mh };
		int r = sendmmsg(q->fd[i], q->mm + i, run, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			i += (unsigned)r;
			continue;
		}
		/* sendmmsg stops at the first refusal: that one is lost, go on after it */
		int err = r < 0 ? errno : EIO;
		if (s->tx_err)
			s->tx_err(s->ctx, q->ifindex[i], q->m[i].iov.iov_len, -err);
		i++;
	}
	q->n = 0;
}

int mdns_sock_send(struct mdns_sock *s, const struct mdns_tx *tx, const uint8_t *pkt, size_t len)
{
	int fd = fd_for(s, tx->family, tx->via);
	if (fd < 0)
		return -EAFNOSUPPORT;
	struct tx_queue *q = &s->txq;
	if (s->in_rx && len <= TX_SLOT) {
		if (q->n == TX_QUEUE)
			mdns_sock_flush(s);
		unsigned i = q->n++;
		memcpy(q->buf[i], pkt, len);
		tx_prepare(&q->m[i], tx, q->buf[i], len);
		q->fd[i] = fd;
		q->ifindex[i] = tx->ifindex;
		return 0;
	}
	mdns_sock_flush(s); /* keep the order */
	struct tx_msg m;
	tx_prepare(&m, tx, pkt, len);
	ssize_t n = sendmsg(fd, &m.mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

int mdns_sock_membership(struct mdns_sock *s, int family, int ifindex, bool join)
{
	int fd = fd_for(s, family, MDNS_VIA_MAIN);
	if (fd < 0)
		return -EAFNOSUPPORT;
	if (family == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = ifindex };
		mr.imr_multiaddr.s_addr = htonl(0xe00000fb); /* 224.0.0.251 */
		if (setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP,
		               &mr, sizeof(mr)) < 0)
			return -errno;
		return 0;
	}
	struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned)ifindex };
	inet_pton(AF_INET6, "ff02::fb", &mr.ipv6mr_multiaddr);
	if (setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &mr,
	               sizeof(mr)) < 0)
		return -errno;
	return 0;
}

const struct mdns_sock_stats *mdns_sock_stats(const struct mdns_sock *s)
{
	return &s->stats;
}
