/* ndecho: the smallest static NDP responder we can write, as the floor of
 * the benchmark's CPU and latency figures. Not a daemon to deploy: no
 * config, no rules beyond one prefix, no checks a real proxy needs.
 *
 * It answers every Neighbor Solicitation received on IFACE whose target is
 * inside PREFIX with a solicited Neighbor Advertisement (router flag unless
 * --no-router, override clear, target link-layer address option), in
 * batches: one recvmmsg for up to 64 NS, one sendmmsg for their NAs, no
 * allocation. Whatever a real proxy spends per NS above this figure is its
 * own; below it is the kernel's (veth, bridge, the receiver's stack).
 * --batch-us N batches busy spells as islandd's batch-interval does. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
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
#define SNAP 256
#define NA_LEN 86  /* Ethernet 14 + IPv6 40 + NA 24 + TLLAO 8 */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static bool in_prefix(const uint8_t *a, const struct in6_addr *p, unsigned plen)
{
	unsigned full = plen / 8, rest = plen % 8;
	if (memcmp(a, p->s6_addr, full) != 0)
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff00 >> rest);
		return (a[full] & m) == (p->s6_addr[full] & m);
	}
	return true;
}

/* Builds the NA answering the NS in frame ns (Ethernet, validated by the
 * caller) into out. */
static void na_build(uint8_t *out, const uint8_t *ns, const uint8_t *mac,
                     const struct in6_addr *src, bool router)
{
	const uint8_t *nsip = ns + 14;
	const uint8_t *target = nsip + 48;
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };
	bool dad = true;
	for (int i = 0; i < 16; i++)
		if (nsip[8 + i])
			dad = false;
	const uint8_t *dst = dad ? all_nodes : nsip + 8;

	/* Ethernet: back to the sender's MAC, or all-nodes for DAD. */
	if (dad) {
		static const uint8_t mc[6] = { 0x33, 0x33, 0, 0, 0, 1 };
		memcpy(out, mc, 6);
	} else {
		memcpy(out, ns + 6, 6);
	}
	memcpy(out + 6, mac, 6);
	out[12] = 0x86;
	out[13] = 0xdd;
	uint8_t *ip = out + 14;
	memset(ip, 0, 8);
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = 58;
	ip[7] = 255;
	memcpy(ip + 8, src->s6_addr, 16);
	memcpy(ip + 24, dst, 16);
	uint8_t *ic = ip + 40;
	ic[0] = 136;
	ic[1] = 0;
	ic[2] = ic[3] = 0;
	ic[4] = (uint8_t)((router ? 0x80 : 0) | (dad ? 0 : 0x40)); /* R, S; O clear: we proxy */
	ic[5] = ic[6] = ic[7] = 0;
	memcpy(ic + 8, target, 16);
	ic[24] = 2; /* target link-layer address */
	ic[25] = 1;
	memcpy(ic + 26, mac, 6);
	uint32_t sum = csum_add(0, ip + 8, 32) + 32 + 58;
	uint16_t c = csum_fold(csum_add(sum, ic, 32));
	ic[2] = (uint8_t)(c >> 8);
	ic[3] = (uint8_t)c;
}

static int open_sock(int ifindex)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Incoming IPv6 ICMPv6 type 135 with hop limit 255, nothing else. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 7, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),  /* next header, hop limit */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (58 << 8) | 255, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SNAP),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	int sz = 4 << 20, one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IPV6),
		.sll_ifindex = ifindex,
	};
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	/* NS arrive at solicited-node groups we have not joined. */
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_ALLMULTI };
	if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		goto fail;
	return fd;
fail:;
	int e = -errno;
	close(fd);
	return e;
}

static int iface_addrs(const char *ifname, uint8_t *mac, struct in6_addr *ll)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		int e = -errno;
		if (fd >= 0)
			close(fd);
		return e;
	}
	close(fd);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	struct ifaddrs *ifa;
	if (getifaddrs(&ifa) < 0)
		return -errno;
	int rc = -EADDRNOTAVAIL;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || strcmp(i->ifa_name, ifname))
			continue;
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)i->ifa_addr;
		if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr)) {
			*ll = s6->sin6_addr;
			rc = 0;
			break;
		}
	}
	freeifaddrs(ifa);
	return rc;
}

struct echo {
	int fd;
	const struct in6_addr *prefix;
	unsigned plen;
	const uint8_t *mac;
	const struct in6_addr *ll;
	bool router;
	uint8_t (*rbuf)[SNAP], (*tbuf)[NA_LEN];
	struct mmsghdr *rmsg, *tmsg;
	uint64_t answered, ignored;
};

/* One recvmmsg of NS, one sendmmsg of their NAs; returns how many were read. */
static int echo_batch(struct echo *x)
{
	int n = recvmmsg(x->fd, x->rmsg, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	unsigned k = 0;
	for (int i = 0; i < n; i++) {
		const uint8_t *f = x->rbuf[i];
		if (x->rmsg[i].msg_len < 78 || !in_prefix(f + 62, x->prefix, x->plen)) {
			x->ignored++;
			continue;
		}
		na_build(x->tbuf[k++], f, x->mac, x->ll, x->router);
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
	bool router = true;
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "no-router", no_argument, NULL, 'n' },
		{ "batch-us", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	long batch_us = 0;
	while ((c = getopt_long(argc, argv, "i:p:n", opts, NULL)) != -1) {
		switch (c) {
		case 'b': batch_us = atol(optarg); break;
		case 'i': ifname = optarg; break;
		case 'p': prefix_s = optarg; break;
		case 'n': router = false; break;
		default: ifname = NULL; optind = argc + 1; break;
		}
	}
	struct in6_addr prefix;
	unsigned plen = 0;
	char buf[64];
	if (ifname && prefix_s) {
		snprintf(buf, sizeof(buf), "%s", prefix_s);
		char *slash = strchr(buf, '/');
		if (slash) {
			*slash = 0;
			plen = (unsigned)atoi(slash + 1);
		}
	}
	if (!ifname || !prefix_s || optind != argc || plen == 0 || plen > 128 ||
	    inet_pton(AF_INET6, buf, &prefix) != 1) {
		fprintf(stderr, "usage: ndecho -i IFACE --prefix P/LEN [--no-router] [--batch-us N]\n");
		return 2;
	}
	unsigned ifindex = if_nametoindex(ifname);
	uint8_t mac[6] = { 0 };
	struct in6_addr ll = IN6ADDR_ANY_INIT;
	int e = ifindex ? iface_addrs(ifname, mac, &ll) : -errno;
	int fd = e < 0 ? e : open_sock((int)ifindex);
	if (fd < 0) {
		fprintf(stderr, "ndecho: %s: %s\n", ifname, strerror(-fd));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	static uint8_t rbuf[BATCH][SNAP], tbuf[BATCH][NA_LEN];
	struct iovec riov[BATCH], tiov[BATCH];
	struct mmsghdr rmsg[BATCH], tmsg[BATCH];
	for (int i = 0; i < BATCH; i++) {
		riov[i] = (struct iovec){ rbuf[i], SNAP };
		rmsg[i].msg_hdr = (struct msghdr){ .msg_iov = &riov[i], .msg_iovlen = 1 };
		tiov[i] = (struct iovec){ tbuf[i], NA_LEN };
		tmsg[i].msg_hdr = (struct msghdr){ .msg_iov = &tiov[i], .msg_iovlen = 1 };
	}
	struct echo ctx = { .fd = fd, .prefix = &prefix, .plen = plen, .mac = mac, .ll = &ll,
	                    .router = router, .rbuf = rbuf, .tbuf = tbuf, .rmsg = rmsg, .tmsg = tmsg };
	struct batch bt;
	batch_init(&bt, batch_us > 0 ? (uint64_t)batch_us : 0);
	while (!stop_flag) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ready = poll(&pfd, 1, batch_wait(&bt));
		if (ready < 0 && errno != EINTR)
			break;
		batch_round(&bt, ready > 0);
		/* a batched round can hold more than one recvmmsg's worth */
		while (echo_batch(&ctx) == BATCH)
			;
	}
	fprintf(stderr, "ndecho: answered=%" PRIu64 " ignored=%" PRIu64 "\n", ctx.answered, ctx.ignored);
	close(fd);
	return 0;
}
