/* arpload: ARP request load generator for the IPv4 island benchmark
 * (bench/arp.sh), the IPv4 counterpart of ndload.
 *
 * Sends broadcast ARP requests (who-has TARGET tell --src) through an
 * AF_PACKET socket at a paced rate (token bucket against CLOCK_MONOTONIC),
 * receives the ARP replies addressed to --src on the same interface
 * (classic BPF filter: ARP, opcode 2), matches each reply to the oldest
 * unanswered request for its target and prints one summary line of
 * key=value pairs. Replies carry no request id: a responder that delays
 * answers (the kernel's proxy_delay) can reorder them, and oldest-first
 * matching keeps the sum of the latencies exact, so the distribution stays
 * honest. Self-contained on purpose: it must not share the daemon's packet
 * code, or a bug there would hide itself.
 *
 * Two streams share the link: the main stream (a target list, N consecutive
 * addresses of a prefix, or random addresses inside a prefix that skip
 * --skip and --real addresses) and an optional "real" stream at a low rate
 * for a few addresses that exist behind the proxy, reported separately.
 *
 * Latency is the kernel receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME)
 * minus the CLOCK_REALTIME read just before the request was sent.
 *
 * Output keys: duration_s, rate, sent, answered, answered_pct, p50_us,
 * p99_us, max_us, the same prefixed real_ with --real, extra (replies with no
 * request outstanding: duplicates, late or unsolicited), overflow (requests
 * forgotten unanswered because too many were outstanding for one target),
 * tx_err, rx_drops, macs (distinct replying MACs).
 *
 * --count-requests: a second mode, the downstream probe counter. Watches
 * IFACE, counts the ARP requests the interface itself sends (sender MAC =
 * the interface's MAC) until SIGINT/SIGTERM and prints total, avg_per_s,
 * max_per_s (largest count in any whole second) and repeat (requests for a
 * target asked for less than 1 s before). --series FILE: "t_s count". */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <math.h>
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_LEN 60 /* Ethernet 14 + ARP 28, padded to the Ethernet minimum */
#define BATCH_MAX 64
#define RX_BATCH 64
#define RX_SNAP 64
#define MAX_REAL 16
#define MAX_SKIP 64
#define SLOTS 65536  /* targets are keyed by their low 16 bits: a /16 at most */
#define RING 16      /* unanswered requests remembered per target */

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

/* ---- latencies: every sample kept (the runs are short), sorted at the end ---- */

struct lat {
	uint64_t sent, answered;
	size_t n, cap;
	uint32_t *us;
	uint32_t max_us;
};

static void lat_add(struct lat *l, int64_t ns)
{
	uint32_t us = ns < 0 ? 0 : (uint32_t)(ns / 1000 > UINT32_MAX ? UINT32_MAX : ns / 1000);
	l->answered++;
	if (us > l->max_us)
		l->max_us = us;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 65536;
		uint32_t *p = realloc(l->us, cap * sizeof(*p));
		if (!p)
			return;
		l->us = p;
		l->cap = cap;
	}
	l->us[l->n++] = us;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static double lat_pct(const struct lat *l, double p)
{
	if (!l->n)
		return NAN;
	size_t i = (size_t)ceil(p * (double)l->n);
	return l->us[i ? i - 1 : 0];
}

static void lat_print(const char *pfx, struct lat *l)
{
	if (l->n)
		qsort(l->us, l->n, sizeof(*l->us), cmp_u32);
	printf(" %ssent=%" PRIu64 " %sanswered=%" PRIu64 " %sanswered_pct=%.2f", pfx, l->sent, pfx, l->answered,
	       pfx, l->sent ? 100.0 * (double)l->answered / (double)l->sent : 0.0);
	if (l->n)
		printf(" %sp50_us=%.0f %sp99_us=%.0f %smax_us=%" PRIu32, pfx, lat_pct(l, 0.50), pfx,
		       lat_pct(l, 0.99), pfx, l->max_us);
	else
		printf(" %sp50_us=- %sp99_us=- %smax_us=-", pfx, pfx, pfx);
}

/* ---- outstanding requests per target ---- */

struct slot {
	uint32_t ip; /* network order; 0 = unused */
	uint8_t stream, head, count;
	int64_t sent_ns[RING];
};

enum { STREAM_MAIN, STREAM_REAL };

static struct slot *slots;
static uint64_t overflow;

static void pend_add(uint32_t ip, uint8_t stream, int64_t t)
{
	struct slot *s = &slots[ntohl(ip) & (SLOTS - 1)];
	if (s->ip != ip) {
		s->ip = ip;
		s->head = s->count = 0;
	}
	s->stream = stream;
	if (s->count == RING) { /* forget the oldest */
		s->head = (uint8_t)((s->head + 1) % RING);
		s->count--;
		overflow++;
	}
	s->sent_ns[(s->head + s->count) % RING] = t;
	s->count++;
}

/* The send time of the oldest unanswered request for ip, or -1. */
static int64_t pend_take(uint32_t ip, uint8_t *stream)
{
	struct slot *s = &slots[ntohl(ip) & (SLOTS - 1)];
	if (s->ip != ip || !s->count)
		return -1;
	int64_t t = s->sent_ns[s->head];
	s->head = (uint8_t)((s->head + 1) % RING);
	s->count--;
	*stream = s->stream;
	return t;
}

/* ---- frames ---- */

static void request_build(uint8_t *f, const uint8_t *mac, uint32_t src, uint32_t target)
{
	memset(f, 0, FRAME_LEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	uint8_t *a = f + 14;
	a[0] = 0, a[1] = 1;        /* Ethernet */
	a[2] = 0x08, a[3] = 0x00;  /* IPv4 */
	a[4] = 6, a[5] = 4;
	a[6] = 0, a[7] = 1;        /* request */
	memcpy(a + 8, mac, 6);
	memcpy(a + 14, &src, 4);
	memcpy(a + 24, &target, 4); /* target MAC stays zero */
}

/* ARP frames, incoming only (outgoing too with outgoing), opcode op. Only
 * ETH_P_ALL sockets see what the host itself sends. */
static int open_sock(int ifindex, unsigned op, bool outgoing)
{
	uint16_t proto = outgoing ? ETH_P_ALL : ETH_P_ARP;
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(proto));
	if (fd < 0)
		return -errno;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, outgoing ? 0 : 5, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 0, 3),
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, op, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, RX_SNAP),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	int sz = 8 << 20, one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto), .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		goto fail;
	return fd;
fail:;
	int e = -errno;
	close(fd);
	return e;
}

static int iface_info(const char *ifname, uint8_t *mac, uint32_t *ip)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		int e = -errno;
		if (fd >= 0)
			close(fd);
		return e;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0)
		*ip = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr;
	close(fd);
	return 0;
}

/* ---- receiving ---- */

struct rx {
	int fd;
	uint32_t src;
	struct lat st[2];
	uint64_t extra;
	uint64_t real_ans_by[MAX_REAL], real_sent_by[MAX_REAL];
	uint32_t real[MAX_REAL];
	unsigned n_real;
	uint8_t macs[8][6];
	unsigned n_macs;
	uint8_t buf[RX_BATCH][RX_SNAP];
	char cbuf[RX_BATCH][64];
	struct iovec iov[RX_BATCH];
	struct mmsghdr msg[RX_BATCH];
};

static void rx_init(struct rx *r)
{
	for (int i = 0; i < RX_BATCH; i++) {
		r->iov[i] = (struct iovec){ r->buf[i], RX_SNAP };
		r->msg[i].msg_hdr = (struct msghdr){ .msg_iov = &r->iov[i], .msg_iovlen = 1 };
	}
}

static int64_t msg_time(struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		}
	return clock_ns(CLOCK_REALTIME);
}

static void rx_run(struct rx *r)
{
	for (;;) {
		for (int i = 0; i < RX_BATCH; i++) {
			r->msg[i].msg_hdr.msg_control = r->cbuf[i];
			r->msg[i].msg_hdr.msg_controllen = sizeof(r->cbuf[i]);
		}
		int n = recvmmsg(r->fd, r->msg, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++) {
			const uint8_t *a = r->buf[i] + 14;
			uint32_t spa, tpa;
			if (r->msg[i].msg_len < 42 || a[4] != 6 || a[5] != 4)
				continue;
			memcpy(&spa, a + 14, 4);
			memcpy(&tpa, a + 24, 4);
			if (tpa != r->src)
				continue;
			unsigned m;
			for (m = 0; m < r->n_macs && memcmp(r->macs[m], a + 8, 6); m++)
				;
			if (m == r->n_macs && m < 8)
				memcpy(r->macs[r->n_macs++], a + 8, 6);
			uint8_t stream;
			int64_t sent = pend_take(spa, &stream);
			if (sent < 0) {
				r->extra++;
				continue;
			}
			lat_add(&r->st[stream], msg_time(&r->msg[i].msg_hdr) - sent);
			for (unsigned k = 0; stream == STREAM_REAL && k < r->n_real; k++)
				if (r->real[k] == spa)
					r->real_ans_by[k]++;
		}
		if (n < RX_BATCH)
			return;
	}
}

/* ---- the counter mode ---- */

static int count_requests(int ifindex, const uint8_t *mac, const char *label, const char *series)
{
	int fd = open_sock(ifindex, 1, true);
	if (fd < 0) {
		fprintf(stderr, "arpload: socket: %s\n", strerror(-fd));
		return 1;
	}
	FILE *sf = series ? fopen(series, "w") : NULL;
	/* last request time per target, for repeats within 1 s */
	int64_t *last = calloc(SLOTS, sizeof(*last));
	uint32_t *last_ip = calloc(SLOTS, sizeof(*last_ip));
	if (!last || !last_ip)
		return 1;
	int64_t t0 = clock_ns(CLOCK_MONOTONIC), sec_start = t0;
	uint64_t total = 0, in_sec = 0, max_sec = 0, repeat = 0, secs = 0;
	static uint8_t buf[RX_SNAP];
	while (!stop_flag) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		poll(&pfd, 1, 100);
		int64_t now = clock_ns(CLOCK_MONOTONIC);
		while (now - sec_start >= 1000000000) {
			if (in_sec > max_sec)
				max_sec = in_sec;
			if (sf)
				fprintf(sf, "%" PRIu64 " %" PRIu64 "\n", secs, in_sec);
			secs++;
			in_sec = 0;
			sec_start += 1000000000;
		}
		ssize_t n;
		while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 42) {
			if (memcmp(buf + 6, mac, 6))
				continue;
			uint32_t tpa;
			memcpy(&tpa, buf + 38, 4);
			unsigned k = ntohl(tpa) & (SLOTS - 1);
			if (last_ip[k] == tpa && now - last[k] < 1000000000)
				repeat++;
			last_ip[k] = tpa;
			last[k] = now;
			total++;
			in_sec++;
		}
	}
	double dur = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (in_sec > max_sec && clock_ns(CLOCK_MONOTONIC) - sec_start > 500000000)
		max_sec = in_sec; /* a last partial second counts only when it is most of one */
	printf("%s duration_s=%.1f total=%" PRIu64 " avg_per_s=%.1f max_per_s=%" PRIu64 " repeat=%" PRIu64 "\n", label,
	       dur, total, dur > 0 ? (double)total / dur : 0, max_sec, repeat);
	if (sf)
		fclose(sf);
	close(fd);
	return 0;
}

/* ---- targets ---- */

static bool parse_prefix(const char *s, uint32_t *base, unsigned *plen)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%s", s);
	char *slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = 0;
	struct in_addr a;
	*plen = (unsigned)atoi(slash + 1);
	if (inet_pton(AF_INET, buf, &a) != 1 || *plen < 16 || *plen > 32)
		return false;
	uint32_t mask = *plen ? ~0u << (32 - *plen) : 0;
	*base = ntohl(a.s_addr) & mask;
	return true;
}

static unsigned parse_list(const char *s, uint32_t *out, unsigned max)
{
	char buf[1024];
	unsigned n = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save, *t = strtok_r(buf, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save)) {
		struct in_addr a;
		if (inet_pton(AF_INET, t, &a) == 1)
			out[n++] = a.s_addr;
	}
	return n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *label = "arpload", *prefix_s = NULL, *real_s = NULL, *skip_s = NULL;
	const char *src_s = NULL, *series = NULL, *targets_s = NULL;
	double rate = 1000, real_rate = 0, duration = 0;
	uint64_t count = 0;
	unsigned seq = 0;
	long linger_ms = 1500;
	bool random_targets = false, counter = false;
	enum { O_LABEL = 256, O_PREFIX, O_SEQ, O_RANDOM, O_REAL, O_REAL_RATE, O_SKIP, O_LINGER, O_COUNTER, O_SERIES,
	       O_SRC, O_TARGETS };
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "label", required_argument, NULL, O_LABEL },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "seq", required_argument, NULL, O_SEQ },
		{ "random", no_argument, NULL, O_RANDOM },
		{ "targets", required_argument, NULL, O_TARGETS },
		{ "real", required_argument, NULL, O_REAL },
		{ "real-rate", required_argument, NULL, O_REAL_RATE },
		{ "skip", required_argument, NULL, O_SKIP },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "src", required_argument, NULL, O_SRC },
		{ "count-requests", no_argument, NULL, O_COUNTER },
		{ "series", required_argument, NULL, O_SERIES },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	bool bad = false;
	while ((c = getopt_long(argc, argv, "i:r:d:n:", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'r': rate = atof(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'n': count = strtoull(optarg, NULL, 10); break;
		case O_LABEL: label = optarg; break;
		case O_PREFIX: prefix_s = optarg; break;
		case O_SEQ: seq = (unsigned)atoi(optarg); break;
		case O_RANDOM: random_targets = true; break;
		case O_TARGETS: targets_s = optarg; break;
		case O_REAL: real_s = optarg; break;
		case O_REAL_RATE: real_rate = atof(optarg); break;
		case O_SKIP: skip_s = optarg; break;
		case O_LINGER: linger_ms = atol(optarg); break;
		case O_SRC: src_s = optarg; break;
		case O_COUNTER: counter = true; break;
		case O_SERIES: series = optarg; break;
		default: bad = true; break;
		}
	}
	unsigned ifindex = ifname ? if_nametoindex(ifname) : 0;
	uint8_t mac[6];
	uint32_t src = 0;
	if (bad || !ifindex || optind != argc || iface_info(ifname, mac, &src) < 0) {
		fprintf(stderr,
		        "usage: arpload -i IFACE [--rate R] [--duration S | --count N] [--label TEXT] [--src ADDR]\n"
		        "               [--prefix A.B.C.D/LEN (--seq N | --random) | --targets A,B,...]\n"
		        "               [--real A,B --real-rate R] [--skip A,B] [--linger MS]\n"
		        "       arpload -i IFACE --count-requests [--label TEXT] [--series FILE]\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (counter)
		return count_requests((int)ifindex, mac, label, series);

	struct in_addr sa;
	if (src_s) {
		if (inet_pton(AF_INET, src_s, &sa) != 1)
			return 2;
		src = sa.s_addr;
	}
	uint32_t base = 0, targets[256], real[MAX_REAL], skip[MAX_SKIP];
	unsigned plen = 32, n_targets = targets_s ? parse_list(targets_s, targets, 256) : 0;
	unsigned n_real = real_s ? parse_list(real_s, real, MAX_REAL) : 0;
	unsigned n_skip = skip_s ? parse_list(skip_s, skip, MAX_SKIP) : 0;
	if (prefix_s && !parse_prefix(prefix_s, &base, &plen)) {
		fprintf(stderr, "arpload: bad --prefix %s (a /16 to /32)\n", prefix_s);
		return 2;
	}
	uint32_t span = plen == 32 ? 1 : 1u << (32 - plen);
	if (rate > 0 && !n_targets && !(prefix_s && (seq || random_targets))) {
		fprintf(stderr, "arpload: no targets (--prefix with --seq or --random, or --targets)\n");
		return 2;
	}
	if (seq > span)
		seq = span;
	if (real_rate > 0 && !n_real)
		real_rate = 0;

	slots = calloc(SLOTS, sizeof(*slots));
	int tx = open_sock((int)ifindex, 2, false);
	if (!slots || tx < 0) {
		fprintf(stderr, "arpload: socket on %s: %s\n", ifname, strerror(tx < 0 ? -tx : ENOMEM));
		return 1;
	}
	static struct rx r;
	rx_init(&r);
	r.fd = tx;
	r.src = src;
	r.n_real = n_real;
	memcpy(r.real, real, sizeof(real));

	static uint8_t frames[BATCH_MAX][FRAME_LEN];
	uint32_t batch_ip[BATCH_MAX];
	uint8_t batch_stream[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	struct mmsghdr msg[BATCH_MAX];
	struct sockaddr_ll dst = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
	                           .sll_ifindex = (int)ifindex, .sll_halen = 6 };
	memset(dst.sll_addr, 0xff, 6);
	for (int i = 0; i < BATCH_MAX; i++) {
		iov[i] = (struct iovec){ frames[i], FRAME_LEN };
		msg[i].msg_hdr = (struct msghdr){ .msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = &iov[i],
		                                  .msg_iovlen = 1 };
	}
	unsigned batch = (unsigned)fmin(fmax(rate / 4000.0, 1), 32);
	double cap_main = fmax(2.0 * batch, rate * 0.010), cap_real = fmax(2, real_rate * 0.010);
	uint64_t tx_err = 0, next = 0, real_next = 0;

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	int64_t t0 = clock_ns(CLOCK_MONOTONIC), last = t0, now = t0;
	int64_t t_end = duration > 0 ? t0 + (int64_t)(duration * 1e9) : INT64_MAX;
	double tok_main = rate > 0, tok_real = real_rate > 0;
	for (;;) {
		now = clock_ns(CLOCK_MONOTONIC);
		bool main_done = rate <= 0 || (count && r.st[STREAM_MAIN].sent + tx_err >= count);
		if (now >= t_end || stop_flag || (main_done && (real_rate <= 0 || duration <= 0)))
			break;
		double dt = (double)(now - last) / 1e9;
		last = now;
		tok_main = fmin(tok_main + dt * rate, cap_main);
		tok_real = fmin(tok_real + dt * real_rate, cap_real);
		unsigned n = 0;
		while (tok_real >= 1 && n < batch) {
			batch_ip[n] = real[real_next % n_real];
			r.real_sent_by[real_next % n_real]++;
			real_next++;
			batch_stream[n++] = STREAM_REAL;
			tok_real -= 1;
		}
		while (!main_done && tok_main >= 1 && n < batch) {
			if (count && r.st[STREAM_MAIN].sent + tx_err + n >= count)
				break;
			uint32_t ip;
			if (n_targets) {
				ip = targets[next++ % n_targets];
			} else if (seq) {
				ip = htonl(base + 1 + (uint32_t)(next++ % seq));
			} else {
				bool taken;
				unsigned tries = 0;
				do { /* random host address of the prefix, none of --skip or --real */
					ip = htonl(base + (span > 2 ? 1 + rng() % (span - 2) : 0));
					taken = false;
					for (unsigned k = 0; k < n_skip; k++)
						taken |= skip[k] == ip;
					for (unsigned k = 0; k < n_real; k++)
						taken |= real[k] == ip;
				} while (taken && ++tries < 100);
			}
			batch_ip[n] = ip;
			batch_stream[n++] = STREAM_MAIN;
			tok_main -= 1;
		}
		if (n) {
			int64_t t = clock_ns(CLOCK_REALTIME);
			for (unsigned i = 0; i < n; i++)
				request_build(frames[i], mac, src, batch_ip[i]);
			unsigned done = 0;
			while (done < n) {
				int s = sendmmsg(tx, msg + done, n - done, 0);
				if (s <= 0) {
					tx_err += n - done;
					break;
				}
				done += (unsigned)s;
			}
			for (unsigned i = 0; i < done; i++) {
				pend_add(batch_ip[i], batch_stream[i], t);
				r.st[batch_stream[i]].sent++;
			}
		}
		rx_run(&r);
		double wait_s = 1.0;
		if (!main_done && rate > 0) {
			double need = fmin((double)batch, cap_main) - tok_main;
			wait_s = fmin(wait_s, need > 0 ? need / rate : 0);
		}
		if (real_rate > 0)
			wait_s = fmin(wait_s, tok_real >= 1 ? 0 : (1 - tok_real) / real_rate);
		if (wait_s > 0) {
			struct timespec ts = { (time_t)wait_s, (long)((wait_s - floor(wait_s)) * 1e9) };
			struct pollfd pfd = { .fd = tx, .events = POLLIN };
			ppoll(&pfd, 1, &ts, NULL);
		}
	}
	double send_s = (double)(now - t0) / 1e9;
	/* late answers still count (the kernel's proxy_delay is up to 0.8 s) */
	int64_t linger_end = clock_ns(CLOCK_MONOTONIC) + linger_ms * 1000000;
	for (;;) {
		rx_run(&r);
		int64_t left = linger_end - clock_ns(CLOCK_MONOTONIC);
		if (left <= 0)
			break;
		struct timespec ts = { (time_t)(left / 1000000000), (long)(left % 1000000000) };
		struct pollfd pfd = { .fd = tx, .events = POLLIN };
		ppoll(&pfd, 1, &ts, NULL);
	}
	struct tpacket_stats pst;
	socklen_t pl = sizeof(pst);
	uint64_t rx_drops = getsockopt(tx, SOL_PACKET, PACKET_STATISTICS, &pst, &pl) == 0 ? pst.tp_drops : 0;

	printf("%s duration_s=%.3f rate=%.1f", label, send_s,
	       send_s > 0 ? (double)r.st[STREAM_MAIN].sent / send_s : 0);
	lat_print("", &r.st[STREAM_MAIN]);
	if (n_real) {
		lat_print("real_", &r.st[STREAM_REAL]);
		printf(" real_by_addr=");
		for (unsigned i = 0; i < n_real; i++)
			printf("%s%" PRIu64 "/%" PRIu64, i ? "," : "", r.real_ans_by[i], r.real_sent_by[i]);
	}
	printf(" extra=%" PRIu64 " overflow=%" PRIu64 " tx_err=%" PRIu64 " rx_drops=%" PRIu64 " macs=%u\n", r.extra,
	       overflow, tx_err, rx_drops, r.n_macs);
	fflush(stdout);
	close(tx);
	return 0;
}
