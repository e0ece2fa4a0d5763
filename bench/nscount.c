/* nscount: counts the Neighbor Solicitations an interface sends, to measure
 * how many probes a proxy pushes downstream (the amplification of a scan).
 *
 * An AF_PACKET socket with a classic BPF filter keeps only outgoing frames
 * (PACKET_OUTGOING) that carry ICMPv6 type 135. Runs until SIGINT / SIGTERM
 * or --duration, then prints one line of key=value pairs:
 *   total, avg_per_s, max_per_s (largest count in any sliding 1 s window),
 *   repeat_lt1s (NS for a target solicited less than 1 s before),
 *   new_targets (first NS for a target; approximate once the table is full).
 * --series FILE writes "second count" lines for plots. Self-contained. */
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RX_BATCH 64
#define RX_SNAP 96           /* Ethernet + IPv6 + NS header with the target */
#define WINDOW_NS 1000000000LL
#define RING_LOG2 20         /* timestamps kept for the sliding window */
#define SERIES_MAX 3600
#define SEEN_SETS_LOG2 16
#define SEEN_WAYS 4

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Last NS time per target: 4-way set-associative, oldest entry evicted. */
struct seen {
	uint8_t target[16];
	int64_t t;
	bool valid;
};

static struct seen *seen_tab;

static uint32_t target_hash(const uint8_t *a)
{
	uint64_t x, y;
	memcpy(&x, a, 8);
	memcpy(&y, a + 8, 8);
	uint64_t h = (x * 0x9E3779B97F4A7C15ull) ^ y;
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

/* Returns the previous time this target was seen, or -1 if not known. */
static int64_t seen_update(const uint8_t *target, int64_t t)
{
	struct seen *s = &seen_tab[(size_t)(target_hash(target) & ((1u << SEEN_SETS_LOG2) - 1)) * SEEN_WAYS];
	struct seen *victim = &s[0];
	for (int i = 0; i < SEEN_WAYS; i++) {
		if (s[i].valid && memcmp(s[i].target, target, 16) == 0) {
			int64_t prev = s[i].t;
			s[i].t = t;
			return prev;
		}
		if (!s[i].valid || (victim->valid && s[i].t < victim->t))
			victim = &s[i];
	}
	memcpy(victim->target, target, 16);
	victim->t = t;
	victim->valid = true;
	return -1;
}

static int open_rx(int ifindex)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 7),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 135, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, RX_SNAP),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	int one = 1, sz = 16 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	/* Only ETH_P_ALL sockets see frames on their way out. */
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	return fd;
fail:;
	int e = -errno;
	close(fd);
	return e;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *series_path = NULL, *label = "nscount";
	double duration = 0;
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "series", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "i:d:s:l:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'd': duration = strtod(optarg, NULL); break;
		case 's': series_path = optarg; break;
		case 'l': label = optarg; break;
		default:
			fprintf(stderr, "usage: nscount -i IFACE [--duration S] [--series FILE] [--label TEXT]\n");
			return 2;
		}
	}
	if (!ifname) {
		fprintf(stderr, "usage: nscount -i IFACE [--duration S] [--series FILE] [--label TEXT]\n");
		return 2;
	}
	unsigned ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "nscount: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	int fd = open_rx((int)ifindex);
	if (fd < 0) {
		fprintf(stderr, "nscount: packet socket: %s\n", strerror(-fd));
		return 1;
	}
	seen_tab = calloc((size_t)SEEN_WAYS << SEEN_SETS_LOG2, sizeof(*seen_tab));
	int64_t *ring = calloc((size_t)1 << RING_LOG2, sizeof(*ring));
	static uint32_t series[SERIES_MAX];
	if (!seen_tab || !ring)
		return 1;
	const uint64_t ring_mask = (1u << RING_LOG2) - 1;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	static uint8_t buf[RX_BATCH][RX_SNAP];
	static uint8_t ctl[RX_BATCH][CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov[RX_BATCH];
	struct mmsghdr msg[RX_BATCH];
	for (int i = 0; i < RX_BATCH; i++) {
		iov[i] = (struct iovec){ buf[i], RX_SNAP };
		msg[i].msg_hdr = (struct msghdr){ .msg_iov = &iov[i], .msg_iovlen = 1 };
	}

	uint64_t total = 0, repeats = 0, fresh = 0, max_window = 0;
	uint64_t head = 0, tail = 0;  /* ring[tail..head) = timestamps in the window */
	int64_t t0 = clock_ns(CLOCK_REALTIME);
	int64_t m0 = clock_ns(CLOCK_MONOTONIC);
	int64_t m_end = duration > 0 ? m0 + (int64_t)(duration * 1e9) : INT64_MAX;
	while (!stop_flag) {
		int64_t now = clock_ns(CLOCK_MONOTONIC);
		if (now >= m_end)
			break;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		poll(&pfd, 1, 100);
		for (;;) {
			for (int i = 0; i < RX_BATCH; i++) {
				msg[i].msg_hdr.msg_control = ctl[i];
				msg[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
			}
			int n = recvmmsg(fd, msg, RX_BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0)
				break;
			int64_t fallback = clock_ns(CLOCK_REALTIME);
			for (int i = 0; i < n; i++) {
				if (msg[i].msg_len < 78)
					continue;
				int64_t t = fallback;
				for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg[i].msg_hdr); cm;
				     cm = CMSG_NXTHDR(&msg[i].msg_hdr, cm))
					if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
						struct timespec ts;
						memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
						t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
					}
				total++;
				int64_t sec = (t - t0) / WINDOW_NS;
				if (sec >= 0 && sec < SERIES_MAX)
					series[sec]++;
				ring[head++ & ring_mask] = t;
				while (tail < head && (ring[tail & ring_mask] <= t - WINDOW_NS || head - tail > ring_mask))
					tail++;
				if (head - tail > max_window)
					max_window = head - tail;
				int64_t prev = seen_update(buf[i] + 62, t);
				if (prev < 0)
					fresh++;
				else if (t - prev < WINDOW_NS)
					repeats++;
			}
		}
	}
	double secs = (double)(clock_ns(CLOCK_MONOTONIC) - m0) / 1e9;
	struct tpacket_stats st;
	socklen_t sl = sizeof(st);
	unsigned drops = getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl) == 0 ? st.tp_drops : 0;
	printf("%s total=%" PRIu64 " duration_s=%.3f avg_per_s=%.1f max_per_s=%" PRIu64
	       " repeat_lt1s=%" PRIu64 " new_targets=%" PRIu64 " drops=%u\n",
	       label, total, secs, secs > 0 ? (double)total / secs : 0, max_window, repeats, fresh, drops);
	if (series_path) {
		FILE *f = fopen(series_path, "w");
		if (f) {
			int64_t last = (int64_t)secs;
			for (int64_t s = 0; s <= last && s < SERIES_MAX; s++)
				fprintf(f, "%" PRId64 " %u\n", s, series[s]);
			fclose(f);
		}
	}
	close(fd);
	free(seen_tab);
	free(ring);
	return 0;
}
