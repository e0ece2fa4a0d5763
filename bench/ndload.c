/* ndload: Neighbor Solicitation load generator for the benchmarks.
 *
 * Sends NS frames through an AF_PACKET socket at a paced rate (token bucket
 * against CLOCK_MONOTONIC, sendmmsg batches) to the solicited-node multicast
 * address of each target, receives the Neighbor Advertisements on the same
 * interface (recvmmsg, classic BPF filter for ICMPv6 type 136), matches each
 * NA to the most recent NS for its target and prints one summary line of
 * key=value pairs.
 *
 * Two streams share the link: the main stream (a target list, N consecutive
 * addresses of a prefix, or random addresses inside a prefix) and an optional
 * "real" stream at a low rate for a few addresses that exist behind the proxy,
 * reported separately. Self-contained on purpose: it must not share the
 * daemon's packet code, or a bug there would hide itself.
 *
 * Latency is kernel receive timestamp (SO_TIMESTAMPNS, CLOCK_REALTIME) minus
 * the CLOCK_REALTIME read just before the sendmmsg that carried the NS, so the
 * generator's own scheduling does not count against the daemon.
 *
 * Output keys: duration_s, rate (achieved, main stream), sent, answered,
 * answered_pct, p50_us, p99_us, max_us; with --real the same prefixed real_
 * plus real_by_addr (answered/sent per address); dup (NA for an NS already
 * answered), unmatched (NA for a target never solicited or forgotten),
 * evicted (unanswered NS forgotten to make room: expected in scans),
 * tx_err (NS the kernel refused), rx_drops (NA lost at our socket). */
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

#define NS_FRAME_LEN 86      /* Ethernet 14 + IPv6 40 + NS 24 + SLLAO 8 */
#define NA_MIN_LEN 78        /* Ethernet 14 + IPv6 40 + NA 24 */
#define BATCH_MAX 64
#define RX_BATCH 64
#define RX_SNAP 128
#define MAX_REAL 16

/* ---- clocks ---- */

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- log-linear latency histogram, microsecond resolution ----
 * Values below 64 us get one bucket per microsecond; above, every power of
 * two is split into 32 buckets (about 3 % wide). */

#define HIST_EXACT 64
#define HIST_SUB 32
#define HIST_OCTAVES 32
#define HIST_BUCKETS (HIST_EXACT + HIST_OCTAVES * HIST_SUB)

struct hist {
	uint64_t count;
	int64_t max_ns;
	uint32_t b[HIST_BUCKETS];
};

static unsigned hist_index(uint64_t us)
{
	if (us < HIST_EXACT)
		return (unsigned)us;
	unsigned e = 63u - (unsigned)__builtin_clzll(us); /* >= 6 */
	unsigned sub = (unsigned)(us >> (e - 5)) & (HIST_SUB - 1);
	unsigned idx = HIST_EXACT + (e - 6) * HIST_SUB + sub;
	return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* Midpoint of a bucket, in microseconds. */
static double hist_value(unsigned idx)
{
	if (idx < HIST_EXACT)
		return idx + 0.5;
	unsigned e = (idx - HIST_EXACT) / HIST_SUB + 6;
	unsigned sub = (idx - HIST_EXACT) % HIST_SUB;
	double lo = (double)((uint64_t)(HIST_SUB + sub) << (e - 5));
	double width = (double)(1ull << (e - 5));
	return lo + width / 2;
}

static void hist_add(struct hist *h, int64_t ns)
{
	if (ns < 0)
		ns = 0;
	h->b[hist_index((uint64_t)ns / 1000)]++;
	h->count++;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

static double hist_percentile(const struct hist *h, double p)
{
	if (h->count == 0)
		return NAN;
	uint64_t want = (uint64_t)ceil(p * (double)h->count);
	if (want == 0)
		want = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want)
			return hist_value(i);
	}
	return hist_value(HIST_BUCKETS - 1);
}

/* ---- pending solicitations: 4-way set-associative table keyed by target ----
 * Holds the send time of the most recent NS per target. A new target evicts
 * the oldest entry of its set; an NA whose target was evicted counts as
 * unmatched. */

#define PEND_WAYS 4
#define PEND_SETS_LOG2 16

enum { STREAM_MAIN, STREAM_REAL, STREAM_COUNT };

struct pend {
	struct in6_addr target;
	int64_t sent_ns;   /* 0 = answered or empty */
	int64_t used_ns;   /* for eviction: when the entry was last written */
	uint8_t stream;
	uint8_t real_idx;
	bool valid;
};

static struct pend *pend_tab;

static uint32_t addr_hash(const struct in6_addr *a)
{
	uint64_t x, y;
	memcpy(&x, a->s6_addr, 8);
	memcpy(&y, a->s6_addr + 8, 8);
	uint64_t h = (x * 0x9E3779B97F4A7C15ull) ^ y;
	h ^= h >> 31;
	h *= 0xBF58476D1CE4E5B9ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static struct pend *pend_set(const struct in6_addr *a)
{
	uint32_t set = addr_hash(a) & ((1u << PEND_SETS_LOG2) - 1);
	return &pend_tab[(size_t)set * PEND_WAYS];
}

static struct pend *pend_find(const struct in6_addr *a)
{
	struct pend *s = pend_set(a);
	for (int i = 0; i < PEND_WAYS; i++)
		if (s[i].valid && memcmp(&s[i].target, a, sizeof(*a)) == 0)
			return &s[i];
	return NULL;
}

/* Returns true when a different live target had to be evicted. */
static bool pend_record(const struct in6_addr *a, int64_t sent_ns, int stream, int real_idx)
{
	struct pend *s = pend_set(a);
	struct pend *slot = NULL;
	bool evicted = false;
	for (int i = 0; i < PEND_WAYS && !slot; i++)
		if (s[i].valid && memcmp(&s[i].target, a, sizeof(*a)) == 0)
			slot = &s[i];
	for (int i = 0; i < PEND_WAYS && !slot; i++)
		if (!s[i].valid)
			slot = &s[i];
	if (!slot) {
		slot = &s[0];
		for (int i = 1; i < PEND_WAYS; i++)
			if (s[i].used_ns < slot->used_ns)
				slot = &s[i];
		evicted = slot->sent_ns != 0;
	}
	slot->target = *a;
	slot->sent_ns = sent_ns;
	slot->used_ns = sent_ns;
	slot->stream = (uint8_t)stream;
	slot->real_idx = (uint8_t)real_idx;
	slot->valid = true;
	return evicted;
}

/* ---- packet building ---- */

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

struct ident {
	uint8_t mac[6];
	struct in6_addr src;
};

/* Fill an Ethernet frame with an NS for target, to its solicited-node group. */
static void ns_build(uint8_t *f, const struct ident *id, const struct in6_addr *target)
{
	struct in6_addr dst = { .s6_addr = { 0xff, 0x02, [11] = 0x01, [12] = 0xff } };
	dst.s6_addr[13] = target->s6_addr[13];
	dst.s6_addr[14] = target->s6_addr[14];
	dst.s6_addr[15] = target->s6_addr[15];

	/* Ethernet */
	f[0] = 0x33; f[1] = 0x33;
	memcpy(f + 2, dst.s6_addr + 12, 4);
	memcpy(f + 6, id->mac, 6);
	f[12] = 0x86; f[13] = 0xdd;
	/* IPv6 */
	uint8_t *ip = f + 14;
	ip[0] = 0x60; ip[1] = 0; ip[2] = 0; ip[3] = 0;
	ip[4] = 0; ip[5] = 32;          /* payload length */
	ip[6] = 58;                     /* ICMPv6 */
	ip[7] = 255;                    /* hop limit: RFC 4861 requires 255 */
	memcpy(ip + 8, id->src.s6_addr, 16);
	memcpy(ip + 24, dst.s6_addr, 16);
	/* NS */
	uint8_t *ic = ip + 40;
	ic[0] = 135; ic[1] = 0; ic[2] = 0; ic[3] = 0;
	memset(ic + 4, 0, 4);
	memcpy(ic + 8, target->s6_addr, 16);
	ic[24] = 1; ic[25] = 1;         /* source link-layer address option */
	memcpy(ic + 26, id->mac, 6);

	uint32_t sum = csum_add(0, ip + 8, 32);  /* pseudo-header: src, dst */
	sum += 32;                                /* upper-layer length */
	sum += 58;                                /* next header */
	sum = csum_add(sum, ic, 32);
	uint16_t c = csum_fold(sum);
	ic[2] = (uint8_t)(c >> 8);
	ic[3] = (uint8_t)c;
}

/* ---- target generators ---- */

enum target_mode { TGT_NONE, TGT_LIST, TGT_SEQ, TGT_RANDOM };

struct targets {
	enum target_mode mode;
	struct in6_addr *list;   /* TGT_LIST */
	size_t n_list;
	struct in6_addr prefix;  /* TGT_SEQ, TGT_RANDOM */
	unsigned plen;
	uint64_t seq_n, seq_offset, next;
	uint64_t rng;
};

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: fast, good enough for scan addresses */
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* prefix + n in the low 64 bits (carrying into the high half is not needed:
 * benchmarks use at most 2^32 consecutive targets). */
static void addr_add(struct in6_addr *a, const struct in6_addr *base, uint64_t n)
{
	*a = *base;
	uint64_t lo = 0;
	for (int i = 8; i < 16; i++)
		lo = lo << 8 | a->s6_addr[i];
	lo += n;
	for (int i = 15; i >= 8; i--) {
		a->s6_addr[i] = (uint8_t)lo;
		lo >>= 8;
	}
}

static void target_next(struct targets *t, struct in6_addr *out)
{
	switch (t->mode) {
	case TGT_LIST:
		*out = t->list[t->next++ % t->n_list];
		break;
	case TGT_SEQ:
		addr_add(out, &t->prefix, t->seq_offset + t->next++ % t->seq_n);
		break;
	case TGT_RANDOM: {
		uint8_t rnd[16];
		uint64_t a = rng_next(&t->rng), b = rng_next(&t->rng);
		memcpy(rnd, &a, 8);
		memcpy(rnd + 8, &b, 8);
		for (unsigned i = 0; i < 16; i++) {
			unsigned bits = t->plen > 8 * i ? t->plen - 8 * i : 0; /* prefix bits in this byte */
			uint8_t keep = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
			out->s6_addr[i] = (uint8_t)((t->prefix.s6_addr[i] & keep) | (rnd[i] & ~keep));
		}
		break;
	}
	case TGT_NONE:
		break;
	}
}

static int parse_prefix(const char *s, struct in6_addr *a, unsigned *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	snprintf(buf, sizeof(buf), "%s", s);
	char *slash = strchr(buf, '/');
	*plen = 128;
	if (slash) {
		*slash = 0;
		char *end;
		long l = strtol(slash + 1, &end, 10);
		if (*end || l < 0 || l > 128)
			return -1;
		*plen = (unsigned)l;
	}
	if (inet_pton(AF_INET6, buf, a) != 1)
		return -1;
	for (unsigned i = 0; i < 128; i++)
		if (i >= *plen)
			a->s6_addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	return 0;
}

static int load_list(const char *path, struct targets *t)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	size_t cap = 1024;
	t->list = malloc(cap * sizeof(*t->list));
	char line[256];
	while (t->list && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");
		p[strcspn(p, " \t\r\n#")] = 0;
		if (!*p)
			continue;
		if (t->n_list == cap) {
			cap *= 2;
			struct in6_addr *n = realloc(t->list, cap * sizeof(*n));
			if (!n) {
				free(t->list);
				t->list = NULL;
				break;
			}
			t->list = n;
		}
		if (inet_pton(AF_INET6, p, &t->list[t->n_list]) != 1) {
			fprintf(stderr, "ndload: %s: bad address '%s'\n", path, p);
			fclose(f);
			return -EINVAL;
		}
		t->n_list++;
	}
	fclose(f);
	if (!t->list)
		return -ENOMEM;
	return t->n_list ? 0 : -ENOENT;
}

/* ---- interface ---- */

static int iface_ident(const char *ifname, struct ident *id, bool want_mac, bool want_src)
{
	if (want_mac) {
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
		memcpy(id->mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	if (want_src) {
		struct ifaddrs *ifa, *i;
		bool found = false;
		if (getifaddrs(&ifa) < 0)
			return -errno;
		for (i = ifa; i && !found; i = i->ifa_next) {
			if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 || strcmp(i->ifa_name, ifname))
				continue;
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)i->ifa_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr)) {
				id->src = s6->sin6_addr;
				found = true;
			}
		}
		freeifaddrs(ifa);
		if (!found)
			return -EADDRNOTAVAIL;
	}
	return 0;
}

static int open_tx(int ifindex)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	/* Skip the qdisc: the generator paces itself. */
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	int sz = 4 << 20;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

static int open_rx(int ifindex)
{
	/* Protocol 0 until the filter is attached, so nothing unfiltered queues. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, 0, 5),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 20),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 54),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 136, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, RX_SNAP),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	int one = 1, sz = 16 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IPV6),
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

/* ---- run state ---- */

struct stream_stats {
	uint64_t sent, answered;
	struct hist h;
};

struct run {
	int tx, rx;
	struct ident id;
	struct stream_stats st[STREAM_COUNT];
	uint64_t real_sent_by[MAX_REAL], real_answered_by[MAX_REAL];
	uint64_t dup, unmatched, evicted, tx_err, rx_drops;
	/* tx batch */
	uint8_t frames[BATCH_MAX][NS_FRAME_LEN];
	struct iovec iov[BATCH_MAX];
	struct mmsghdr msg[BATCH_MAX];
	struct in6_addr batch_target[BATCH_MAX];
	uint8_t batch_stream[BATCH_MAX], batch_real[BATCH_MAX];
	/* rx batch */
	uint8_t rbuf[RX_BATCH][RX_SNAP];
	struct iovec riov[RX_BATCH];
	struct mmsghdr rmsg[RX_BATCH];
	uint8_t rctl[RX_BATCH][CMSG_SPACE(sizeof(struct timespec))];
	struct sockaddr_ll rfrom[RX_BATCH];
};

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Send the n frames queued in r->frames; record their send time. */
static void run_flush(struct run *r, unsigned n)
{
	if (n == 0)
		return;
	int64_t now = clock_ns(CLOCK_REALTIME);
	unsigned done = 0;
	while (done < n) {
		int k = sendmmsg(r->tx, r->msg + done, n - done, 0);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			r->tx_err += n - done;
			break;
		}
		for (unsigned i = done; i < done + (unsigned)k; i++) {
			r->st[r->batch_stream[i]].sent++;
			if (r->batch_stream[i] == STREAM_REAL)
				r->real_sent_by[r->batch_real[i]]++;
			if (pend_record(&r->batch_target[i], now, r->batch_stream[i], r->batch_real[i]))
				r->evicted++;
		}
		done += (unsigned)k;
	}
}

static void run_receive(struct run *r)
{
	for (;;) {
		for (int i = 0; i < RX_BATCH; i++) {
			r->rmsg[i].msg_hdr.msg_controllen = sizeof(r->rctl[i]);
			r->rmsg[i].msg_hdr.msg_namelen = sizeof(r->rfrom[i]);
		}
		int n = recvmmsg(r->rx, r->rmsg, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		int64_t fallback = clock_ns(CLOCK_REALTIME);
		for (int i = 0; i < n; i++) {
			const uint8_t *p = r->rbuf[i];
			if (r->rmsg[i].msg_len < NA_MIN_LEN || p[54] != 136)
				continue;
			int64_t t = fallback;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&r->rmsg[i].msg_hdr); c;
			     c = CMSG_NXTHDR(&r->rmsg[i].msg_hdr, c)) {
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec ts;
					memcpy(&ts, CMSG_DATA(c), sizeof(ts));
					t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
				}
			}
			struct in6_addr target;
			memcpy(&target, p + 62, 16);
			struct pend *e = pend_find(&target);
			if (!e) {
				r->unmatched++;
				continue;
			}
			if (e->sent_ns == 0) {
				r->dup++;
				continue;
			}
			struct stream_stats *s = &r->st[e->stream];
			s->answered++;
			hist_add(&s->h, t - e->sent_ns);
			if (e->stream == STREAM_REAL)
				r->real_answered_by[e->real_idx]++;
			e->sent_ns = 0;
		}
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: ndload -i IFACE [--src ADDR] [--src-mac MAC]\n"
		"              [--rate N] [--duration S] [--count N]\n"
		"              [--targets FILE | --prefix P/LEN (--seq N [--offset K] | --random)]\n"
		"              [--real ADDR[,ADDR...] [--real-rate N]]\n"
		"              [--batch N] [--linger MS] [--seed N] [--label TEXT]\n"
		"Prints: LABEL sent= rate= answered= answered_pct= p50_us= p99_us= max_us= ...\n");
}

static void print_stream(const char *pfx, const struct stream_stats *s)
{
	double pct = s->sent ? 100.0 * (double)s->answered / (double)s->sent : 0;
	printf(" %ssent=%" PRIu64 " %sanswered=%" PRIu64 " %sanswered_pct=%.3f"
	       " %sp50_us=%.1f %sp99_us=%.1f %smax_us=%.1f",
	       pfx, s->sent, pfx, s->answered, pfx, pct,
	       pfx, hist_percentile(&s->h, 0.50), pfx, hist_percentile(&s->h, 0.99),
	       pfx, s->h.count ? (double)s->h.max_ns / 1000.0 : NAN);
}

int main(int argc, char **argv)
{
	const char *ifname = NULL, *label = "ndload", *src_s = NULL, *mac_s = NULL;
	const char *targets_file = NULL, *prefix_s = NULL, *real_s = NULL;
	double rate = 1000, real_rate = 50, duration = 0;
	uint64_t count = 0, seq_n = 0, offset = 1, seed = 1;
	bool random_mode = false;
	long linger_ms = 500;
	unsigned batch = 0;

	enum { O_SRC = 256, O_MAC, O_RATE, O_DUR, O_COUNT, O_TARGETS, O_PREFIX, O_SEQ,
	       O_OFFSET, O_RANDOM, O_REAL, O_REALRATE, O_BATCH, O_LINGER, O_SEED, O_LABEL };
	static const struct option opts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "src", required_argument, NULL, O_SRC },
		{ "src-mac", required_argument, NULL, O_MAC },
		{ "rate", required_argument, NULL, O_RATE },
		{ "duration", required_argument, NULL, O_DUR },
		{ "count", required_argument, NULL, O_COUNT },
		{ "targets", required_argument, NULL, O_TARGETS },
		{ "prefix", required_argument, NULL, O_PREFIX },
		{ "seq", required_argument, NULL, O_SEQ },
		{ "offset", required_argument, NULL, O_OFFSET },
		{ "random", no_argument, NULL, O_RANDOM },
		{ "real", required_argument, NULL, O_REAL },
		{ "real-rate", required_argument, NULL, O_REALRATE },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "seed", required_argument, NULL, O_SEED },
		{ "label", required_argument, NULL, O_LABEL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case O_SRC: src_s = optarg; break;
		case O_MAC: mac_s = optarg; break;
		case O_RATE: rate = strtod(optarg, NULL); break;
		case O_DUR: duration = strtod(optarg, NULL); break;
		case O_COUNT: count = strtoull(optarg, NULL, 0); break;
		case O_TARGETS: targets_file = optarg; break;
		case O_PREFIX: prefix_s = optarg; break;
		case O_SEQ: seq_n = strtoull(optarg, NULL, 0); break;
		case O_OFFSET: offset = strtoull(optarg, NULL, 0); break;
		case O_RANDOM: random_mode = true; break;
		case O_REAL: real_s = optarg; break;
		case O_REALRATE: real_rate = strtod(optarg, NULL); break;
		case O_BATCH: batch = (unsigned)strtoul(optarg, NULL, 0); break;
		case O_LINGER: linger_ms = strtol(optarg, NULL, 0); break;
		case O_SEED: seed = strtoull(optarg, NULL, 0); break;
		case O_LABEL: label = optarg; break;
		default: usage(); return 2;
		}
	}
	if (!ifname || optind != argc || rate < 0 || real_rate < 0 ||
	    (duration <= 0 && count == 0)) {
		usage();
		return 2;
	}

	struct targets tg = { .mode = TGT_NONE, .rng = seed };
	if (targets_file) {
		int e = load_list(targets_file, &tg);
		if (e < 0) {
			fprintf(stderr, "ndload: %s: %s\n", targets_file, strerror(-e));
			return 1;
		}
		tg.mode = TGT_LIST;
	} else if (prefix_s) {
		if (parse_prefix(prefix_s, &tg.prefix, &tg.plen) < 0 || (!random_mode && seq_n == 0) ||
		    (random_mode && seq_n)) {
			fprintf(stderr, "ndload: --prefix needs a valid P/LEN and one of --seq N, --random\n");
			return 2;
		}
		tg.mode = random_mode ? TGT_RANDOM : TGT_SEQ;
		tg.seq_n = seq_n;
		tg.seq_offset = offset;
	}
	if (tg.mode == TGT_NONE)
		rate = 0;

	struct in6_addr real[MAX_REAL];
	unsigned n_real = 0;
	if (real_s) {
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s", real_s);
		for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (n_real == MAX_REAL || inet_pton(AF_INET6, tok, &real[n_real]) != 1) {
				fprintf(stderr, "ndload: bad --real address '%s'\n", tok);
				return 2;
			}
			n_real++;
		}
	}
	if (n_real == 0)
		real_rate = 0;
	if (rate == 0 && real_rate == 0) {
		fprintf(stderr, "ndload: nothing to send\n");
		return 2;
	}

	static struct run r;
	pend_tab = calloc((size_t)PEND_WAYS << PEND_SETS_LOG2, sizeof(*pend_tab));
	if (!pend_tab)
		return 1;
	unsigned ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "ndload: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	if (mac_s) {
		unsigned m[6];
		if (sscanf(mac_s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6) {
			fprintf(stderr, "ndload: bad --src-mac\n");
			return 2;
		}
		for (int i = 0; i < 6; i++)
			r.id.mac[i] = (uint8_t)m[i];
	}
	if (src_s && inet_pton(AF_INET6, src_s, &r.id.src) != 1) {
		fprintf(stderr, "ndload: bad --src\n");
		return 2;
	}
	int e = iface_ident(ifname, &r.id, !mac_s, !src_s);
	if (e < 0) {
		fprintf(stderr, "ndload: %s: cannot read MAC / link-local address: %s\n", ifname, strerror(-e));
		return 1;
	}
	r.tx = open_tx((int)ifindex);
	r.rx = open_rx((int)ifindex);
	if (r.tx < 0 || r.rx < 0) {
		fprintf(stderr, "ndload: packet socket: %s\n", strerror(-(r.tx < 0 ? r.tx : r.rx)));
		return 1;
	}
	for (int i = 0; i < BATCH_MAX; i++) {
		r.iov[i] = (struct iovec){ r.frames[i], NS_FRAME_LEN };
		r.msg[i].msg_hdr = (struct msghdr){ .msg_iov = &r.iov[i], .msg_iovlen = 1 };
	}
	for (int i = 0; i < RX_BATCH; i++) {
		r.riov[i] = (struct iovec){ r.rbuf[i], RX_SNAP };
		r.rmsg[i].msg_hdr = (struct msghdr){
			.msg_iov = &r.riov[i], .msg_iovlen = 1,
			.msg_control = r.rctl[i], .msg_controllen = sizeof(r.rctl[i]),
			.msg_name = &r.rfrom[i], .msg_namelen = sizeof(r.rfrom[i]),
		};
	}

	/* Batches of about 1/4000 s of traffic: smooth enough that the daemon
	 * does not see bursts, few enough wake-ups that we stay cheap. */
	if (batch == 0)
		batch = (unsigned)fmin(fmax(rate / 4000.0, 1), 32);
	if (batch > BATCH_MAX)
		batch = BATCH_MAX;
	/* Up to 10 ms of tokens may pile up while we are not scheduled, so the
	 * achieved rate stays on target; they go out in batches, not at once. */
	double cap_main = fmax(2.0 * batch, rate * 0.010), cap_real = fmax(2, real_rate * 0.010);

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	int64_t t_end = duration > 0 ? t0 + (int64_t)(duration * 1e9) : INT64_MAX;
	double tok_main = rate > 0, tok_real = real_rate > 0;
	int64_t last = t0;
	unsigned real_next = 0;
	int64_t now = t0;
	for (;;) {
		now = clock_ns(CLOCK_MONOTONIC);
		bool main_done = rate == 0 || (count && r.st[STREAM_MAIN].sent + r.tx_err >= count);
		if (now >= t_end || stop_flag || (main_done && (real_rate == 0 || duration <= 0)))
			break;
		double dt = (double)(now - last) / 1e9;
		last = now;
		tok_main = fmin(tok_main + dt * rate, cap_main);
		tok_real = fmin(tok_real + dt * real_rate, cap_real);

		unsigned n = 0;
		while (tok_real >= 1 && n < batch) {
			r.batch_target[n] = real[real_next % n_real];
			r.batch_stream[n] = STREAM_REAL;
			r.batch_real[n] = (uint8_t)(real_next % n_real);
			real_next++;
			ns_build(r.frames[n], &r.id, &r.batch_target[n]);
			n++;
			tok_real -= 1;
		}
		while (!main_done && tok_main >= 1 && n < batch) {
			if (count && r.st[STREAM_MAIN].sent + r.tx_err + n >= count)
				break;
			target_next(&tg, &r.batch_target[n]);
			r.batch_stream[n] = STREAM_MAIN;
			r.batch_real[n] = 0;
			ns_build(r.frames[n], &r.id, &r.batch_target[n]);
			n++;
			tok_main -= 1;
		}
		run_flush(&r, n);
		run_receive(&r);

		/* Sleep until a batch is due or an answer arrives. */
		double wait_s = 1.0;
		if (!main_done && rate > 0) {
			double need = fmin((double)batch, cap_main) - tok_main;
			wait_s = fmin(wait_s, need > 0 ? need / rate : 0);
		}
		if (real_rate > 0)
			wait_s = fmin(wait_s, tok_real >= 1 ? 0 : (1 - tok_real) / real_rate);
		if (wait_s > 0) {
			struct timespec ts = { (time_t)wait_s, (long)((wait_s - floor(wait_s)) * 1e9) };
			struct pollfd pfd = { .fd = r.rx, .events = POLLIN };
			ppoll(&pfd, 1, &ts, NULL);
		}
	}
	double send_s = (double)(now - t0) / 1e9;

	/* Late answers still count. */
	int64_t linger_end = clock_ns(CLOCK_MONOTONIC) + linger_ms * 1000000;
	for (;;) {
		run_receive(&r);
		int64_t left = linger_end - clock_ns(CLOCK_MONOTONIC);
		if (left <= 0)
			break;
		struct timespec ts = { (time_t)(left / 1000000000), (long)(left % 1000000000) };
		struct pollfd pfd = { .fd = r.rx, .events = POLLIN };
		ppoll(&pfd, 1, &ts, NULL);
	}
	struct tpacket_stats pst;
	socklen_t pl = sizeof(pst);
	if (getsockopt(r.rx, SOL_PACKET, PACKET_STATISTICS, &pst, &pl) == 0)
		r.rx_drops = pst.tp_drops;

	printf("%s duration_s=%.3f rate=%.1f", label, send_s,
	       send_s > 0 ? (double)r.st[STREAM_MAIN].sent / send_s : 0);
	print_stream("", &r.st[STREAM_MAIN]);
	if (n_real) {
		printf(" real_rate=%.1f", send_s > 0 ? (double)r.st[STREAM_REAL].sent / send_s : 0);
		print_stream("real_", &r.st[STREAM_REAL]);
		printf(" real_by_addr=");
		for (unsigned i = 0; i < n_real; i++)
			printf("%s%" PRIu64 "/%" PRIu64, i ? "," : "", r.real_answered_by[i], r.real_sent_by[i]);
	}
	printf(" dup=%" PRIu64 " unmatched=%" PRIu64 " evicted=%" PRIu64 " tx_err=%" PRIu64
	       " rx_drops=%" PRIu64 "\n",
	       r.dup, r.unmatched, r.evicted, r.tx_err, r.rx_drops);
	fflush(stdout);
	close(r.tx);
	close(r.rx);
	free(tg.list);
	free(pend_tab);
	return 0;
}
