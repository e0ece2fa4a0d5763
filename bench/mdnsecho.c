/* mdnsecho: the floor for the mDNS reflector benchmark.
 *
 * The least a reflector can do: every datagram that arrives on port 5353
 * for ff02::fb / 224.0.0.251 on --in is sent unchanged to the same group
 * out of --out (hop limit 255, multicast loop off). One direction, no
 * parsing, no filtering, no state: what mdns-repeater does, minus the
 * loop protection. poll, then recvmmsg / sendmmsg batches, so it pays
 * the same wake-ups and system calls per packet a real daemon pays.
 *
 * What it costs per packet is the kernel's share (receive, and the copy
 * through veth and bridges done in the sender's context) plus a minimal
 * event loop: a reflector's CPU above this floor is its own work.
 * Runs until SIGINT / SIGTERM. Self-contained. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "batch.h"

#define MDNS_PORT 5353
#define BATCH 64
#define PKT_MAX 9000

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct fam {
	int family;
	int fd;
	struct sockaddr_storage dst;
	socklen_t dst_len;
};

/* Port 5353, group joined on in_if only (so nothing from out_if comes
 * back), sends leave by out_if. */
static int fam_open(struct fam *f, int in_if, int out_if)
{
	int one = 1, zero = 0, hops = 255;
	f->fd = socket(f->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return -errno;
	if (setsockopt(f->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -errno;
	/* The receive buffer islandd gives its mDNS sockets (1 MiB): the
	 * floor must not lose packets to a smaller queue than the daemon's. */
	int rcvbuf = 1 << 20;
	if (setsockopt(f->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(f->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (f->family == AF_INET6) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(MDNS_PORT) };
		struct ipv6_mreq m = { .ipv6mr_interface = (unsigned)in_if };
		inet_pton(AF_INET6, "ff02::fb", &m.ipv6mr_multiaddr);
		if (setsockopt(f->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
		    bind(f->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof(m)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &out_if, sizeof(out_if)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0)
			return -errno;
		struct sockaddr_in6 *d = (struct sockaddr_in6 *)&f->dst;
		d->sin6_family = AF_INET6;
		d->sin6_port = htons(MDNS_PORT);
		d->sin6_scope_id = (uint32_t)out_if;
		d->sin6_addr = m.ipv6mr_multiaddr;
		f->dst_len = sizeof(*d);
	} else {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(MDNS_PORT) };
		struct ip_mreqn m = { .imr_ifindex = in_if };
		struct ip_mreqn out = { .imr_ifindex = out_if };
		unsigned char ttl = 255, loop = 0;
		inet_pton(AF_INET, "224.0.0.251", &m.imr_multiaddr);
		if (setsockopt(f->fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
		    bind(f->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IP, IP_MULTICAST_IF, &out, sizeof(out)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
		    setsockopt(f->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0)
			return -errno;
		struct sockaddr_in *d = (struct sockaddr_in *)&f->dst;
		d->sin_family = AF_INET;
		d->sin_port = htons(MDNS_PORT);
		d->sin_addr = m.imr_multiaddr;
		f->dst_len = sizeof(*d);
	}
	return 0;
}

static uint8_t buf[BATCH][PKT_MAX];
static struct iovec iov[BATCH];
static struct mmsghdr msg[BATCH];

/* One batch in, the same batch out. Returns packets forwarded. */
static int fam_forward(struct fam *f, unsigned long *errors)
{
	for (unsigned i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ buf[i], PKT_MAX };
		msg[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	int n = recvmmsg(f->fd, msg, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	for (int i = 0; i < n; i++) {
		iov[i].iov_len = msg[i].msg_len;
		msg[i].msg_hdr = (struct msghdr){
			.msg_name = &f->dst, .msg_namelen = f->dst_len,
			.msg_iov = &iov[i], .msg_iovlen = 1,
		};
	}
	int done = 0;
	while (done < n) {
		int k = sendmmsg(f->fd, msg + done, (unsigned)(n - done), 0);
		if (k <= 0) {
			/* Drop the one that failed, as a daemon would. */
			(*errors)++;
			k = 1;
		}
		done += k;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "batch-us", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	const char *in_name = NULL, *out_name = NULL;
	long batch_us = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': in_name = optarg; break;
		case 'o': out_name = optarg; break;
		case 'b': batch_us = atol(optarg); break;
		default: goto usage;
		}
	}
	if (!in_name || !out_name)
		goto usage;
	int in_if = (int)if_nametoindex(in_name), out_if = (int)if_nametoindex(out_name);
	if (!in_if || !out_if) {
		fprintf(stderr, "mdnsecho: no interface %s\n", in_if ? out_name : in_name);
		return 1;
	}
	struct fam fams[2] = { { .family = AF_INET6 }, { .family = AF_INET } };
	struct pollfd pfd[2];
	for (int i = 0; i < 2; i++) {
		int err = fam_open(&fams[i], in_if, out_if);
		if (err < 0) {
			fprintf(stderr, "mdnsecho: IPv%d socket: %s\n", i ? 4 : 6, strerror(-err));
			return 1;
		}
		pfd[i] = (struct pollfd){ .fd = fams[i].fd, .events = POLLIN };
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	unsigned long forwarded = 0, errors = 0;
	struct batch bt;
	batch_init(&bt, batch_us > 0 ? (uint64_t)batch_us : 0);
	while (!stop_flag) {
		int ready = poll(pfd, 2, batch_wait(&bt));
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			perror("mdnsecho: poll");
			return 1;
		}
		batch_round(&bt, ready > 0);
		for (int i = 0; i < 2; i++)
			if (pfd[i].revents & POLLIN)
				forwarded += (unsigned long)fam_forward(&fams[i], &errors);
	}
	fprintf(stderr, "mdnsecho: forwarded=%lu send_errors=%lu\n", forwarded, errors);
	return 0;
usage:
	fprintf(stderr, "usage: mdnsecho --in IF --out IF [--batch-us N]\n");
	return 2;
}
