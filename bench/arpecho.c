/* arpecho: the smallest proxy ARP responder we can write, as the floor of
 * the IPv4 benchmark's CPU and latency figures (bench/arp.sh). Not a daemon
 * to deploy: no config, no liveness, no checks a real proxy needs.
 *
 * It answers every ARP request received on IFACE whose target is inside
 * PREFIX (and is not the sender's own address: no answer to a gratuitous
 * ARP or a duplicate-address probe) with a reply carrying IFACE's MAC, at
 * once and in batches: one recvmmsg for up to 64 requests, one sendmmsg for
 * their replies, no allocation. Whatever a real proxy spends per request
 * above this figure is its own; below it is the kernel's (veth, bridge, the
 * receiver's stack). --batch-us N batches busy spells as islandd's
 * batch-interval does (bench/batch.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "batch.h"

#define BATCH 64
#define SNAP 64
#define REPLY_LEN 60 /* Ethernet 14 + ARP 28, padded */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int open_sock(int ifindex)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	/* incoming ARP requests, nothing else */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 5, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SNAP),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	int sz = 4 << 20, one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP), .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	return fd;
fail:;
	int e = -errno;
	close(fd);
	return e;
}

struct echo {
	int fd;
	uint32_t base, mask; /* host order */
	uint8_t mac[6];
	uint8_t (*rbuf)[SNAP], (*tbuf)[REPLY_LEN];
	struct mmsghdr *rmsg, *tmsg;
	uint64_t answered, ignored;
};

/* One recvmmsg of requests, one sendmmsg of their replies; returns how many were read. */
static int echo_batch(struct echo *x)
{
	int n = recvmmsg(x->fd, x->rmsg, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	unsigned k = 0;
	for (int i = 0; i < n; i++) {
		const uint8_t *f = x->rbuf[i], *a = f + 14;
		uint32_t spa, tpa;
		memcpy(&spa, a + 14, 4);
		memcpy(&tpa, a + 24, 4);
		if (x->rmsg[i].msg_len < 42 || a[4] != 6 || a[5] != 4 || spa == tpa ||
		    (ntohl(tpa) & x->mask) != x->base) {
			x->ignored++;
			continue;
		}
		uint8_t *o = x->tbuf[k++];
		memset(o, 0, REPLY_LEN);
		memcpy(o, a + 8, 6); /* to the requester's hardware address */
		memcpy(o + 6, x->mac, 6);
		o[12] = 0x08, o[13] = 0x06;
		memcpy(o + 14, a, 6); /* htype, ptype, hlen, plen */
		o[20] = 0, o[21] = 2;
		memcpy(o + 22, x->mac, 6);
		memcpy(o + 28, &tpa, 4);
		memcpy(o + 32, a + 8, 6);
		memcpy(o + 38, &spa, 4);
	}
	for (unsigned done = 0; done < k;) {
		int s = sendmmsg(x->fd, x->tmsg + done, k - done, 0);
		if (s <= 0)
			break;
		done += (unsigned)s;
		x->answered += (unsigned)s;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *prefix_s = NULL;
	long batch_us = 0;
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "batch-us", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	bool bad = false;
	while ((c = getopt_long(argc, argv, "i:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'p': prefix_s = optarg; break;
		case 'b': batch_us = atol(optarg); break;
		default: bad = true; break;
		}
	}
	char buf[32] = "";
	unsigned plen = 33;
	struct in_addr pa;
	if (prefix_s) {
		snprintf(buf, sizeof(buf), "%s", prefix_s);
		char *slash = strchr(buf, '/');
		if (slash) {
			*slash = 0;
			plen = (unsigned)atoi(slash + 1);
		}
	}
	if (bad || !ifname || optind != argc || plen > 32 || inet_pton(AF_INET, buf, &pa) != 1) {
		fprintf(stderr, "usage: arpecho -i IFACE --prefix A.B.C.D/LEN [--batch-us N]\n");
		return 2;
	}
	struct echo x = { 0 };
	x.mask = plen ? ~0u << (32 - plen) : 0;
	x.base = ntohl(pa.s_addr) & x.mask;
	unsigned ifindex = if_nametoindex(ifname);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	int ioc = socket(AF_INET, SOCK_DGRAM, 0);
	int e = !ifindex || ioc < 0 || ioctl(ioc, SIOCGIFHWADDR, &ifr) < 0 ? -errno : 0;
	if (ioc >= 0)
		close(ioc);
	memcpy(x.mac, ifr.ifr_hwaddr.sa_data, 6);
	x.fd = e < 0 ? e : open_sock((int)ifindex);
	if (x.fd < 0) {
		fprintf(stderr, "arpecho: %s: %s\n", ifname, strerror(-x.fd));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	static uint8_t rbuf[BATCH][SNAP], tbuf[BATCH][REPLY_LEN];
	static struct iovec riov[BATCH], tiov[BATCH];
	static struct mmsghdr rmsg[BATCH], tmsg[BATCH];
	for (int i = 0; i < BATCH; i++) {
		riov[i] = (struct iovec){ rbuf[i], SNAP };
		rmsg[i].msg_hdr = (struct msghdr){ .msg_iov = &riov[i], .msg_iovlen = 1 };
		tiov[i] = (struct iovec){ tbuf[i], REPLY_LEN };
		tmsg[i].msg_hdr = (struct msghdr){ .msg_iov = &tiov[i], .msg_iovlen = 1 };
	}
	x.rbuf = rbuf, x.tbuf = tbuf, x.rmsg = rmsg, x.tmsg = tmsg;
	struct batch bt;
	batch_init(&bt, batch_us > 0 ? (uint64_t)batch_us : 0);
	while (!stop_flag) {
		struct pollfd pfd = { .fd = x.fd, .events = POLLIN };
		int ready = poll(&pfd, 1, batch_wait(&bt));
		if (ready < 0 && errno != EINTR)
			break;
		batch_round(&bt, ready > 0);
		while (echo_batch(&x) == BATCH)
			;
	}
	fprintf(stderr, "arpecho: answered=%" PRIu64 " ignored=%" PRIu64 "\n", x.answered, x.ignored);
	close(x.fd);
	return 0;
}
