/* mdnsload: mDNS query load through a reflector, for the benchmarks.
 *
 * One process, two sockets in two network namespaces (setns while each is
 * opened; a socket stays in the namespace it was created in):
 *   - the querier's socket on link A sends one-question mDNS queries to
 *     ff02::fb (or 224.0.0.251 with -4), port 5353 to port 5353, hop limit
 *     255, at a paced rate (CLOCK_MONOTONIC schedule, sendmmsg batches);
 *   - the listener's socket on link B, joined to the group, reads what the
 *     reflector sends there (recvmmsg) and matches every question by name.
 * Each question names itself: q<seq>-<run>.bench.local, type AAAA (or A),
 * class IN, QM. <run> is random per invocation, so late copies from an
 * earlier run are not counted. Reflectors may batch several questions into
 * one packet and compress names (avahi does): every question of every
 * packet is decoded, pointers followed.
 *
 * Latency: kernel receive time of the packet on B (SO_TIMESTAMPNS) minus
 * the time read just before the sendmmsg that carried the query; both
 * CLOCK_REALTIME on the same machine, so the generator's own scheduling
 * does not count against the reflector. Pacing uses CLOCK_MONOTONIC.
 *
 * Prints one line of key=value pairs:
 *   sent, rate (achieved), reflected (distinct queries seen on B),
 *   reflected_pct, p50_us p99_us max_us (latency of reflected queries),
 *   dup (copies beyond the first), foreign (questions not ours: the
 *   reflector's or others' own traffic), stale (ours from another run),
 *   rx_pkts, q_per_pkt (our questions per packet on B), tx_err, rx_drops
 *   (datagrams the kernel dropped at the listener's socket).
 * Self-contained on purpose: it must not share the daemon's DNS code, or
 * a bug there would hide itself. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MDNS_PORT 5353
#define TX_BATCH 64
#define TX_PKT_MAX 64        /* header 12 + name <= 40 + type/class 4 */
#define RX_BATCH 64
#define RX_PKT_MAX 9000      /* RFC 6762 §17: up to 9000 bytes */
#define NAME_MAX_JUMPS 32
#define MAX_QUERIES 20000000u

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	stop_flag = sig;
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- options ---- */

struct opts {
	const char *tx_netns, *tx_if, *rx_netns, *rx_if, *label;
	int family;
	double rate;
	double duration_s;
	uint64_t count;
	unsigned linger_ms;
	uint16_t qtype;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mdnsload --tx-if IF [--tx-netns NS] --rx-if IF [--rx-netns NS]\n"
		"                --rate N (--duration S | --count N) [-4] [--qtype a|aaaa]\n"
		"                [--linger MS] [--label TEXT]\n"
		"  NS is a name under /run/netns (ip netns) or a path; default: ours.\n");
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "tx-netns", required_argument, NULL, 'T' },
		{ "tx-if", required_argument, NULL, 't' },
		{ "rx-netns", required_argument, NULL, 'R' },
		{ "rx-if", required_argument, NULL, 'r' },
		{ "rate", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "linger", required_argument, NULL, 'l' },
		{ "label", required_argument, NULL, 'L' },
		{ "qtype", required_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct opts){ .family = AF_INET6, .linger_ms = 500, .qtype = 28, .label = "mdnsload" };
	int c;
	while ((c = getopt_long(argc, argv, "46h", longopts, NULL)) != -1) {
		switch (c) {
		case '4': o->family = AF_INET; break;
		case '6': o->family = AF_INET6; break;
		case 'T': o->tx_netns = optarg; break;
		case 't': o->tx_if = optarg; break;
		case 'R': o->rx_netns = optarg; break;
		case 'r': o->rx_if = optarg; break;
		case 'n': o->rate = strtod(optarg, NULL); break;
		case 'd': o->duration_s = strtod(optarg, NULL); break;
		case 'c': o->count = strtoull(optarg, NULL, 10); break;
		case 'l': o->linger_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'L': o->label = optarg; break;
		case 'q':
			if (strcasecmp(optarg, "a") == 0)
				o->qtype = 1;
			else if (strcasecmp(optarg, "aaaa") == 0)
				o->qtype = 28;
			else
				return -EINVAL;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (!o->tx_if || !o->rx_if || !(o->rate > 0) || o->rate > 10e6)
		return -EINVAL;
	if (!o->count) {
		if (!(o->duration_s > 0))
			return -EINVAL;
		o->count = (uint64_t)llround(o->rate * o->duration_s);
	}
	if (o->count == 0 || o->count > MAX_QUERIES)
		return -EINVAL;
	return 0;
}

/* ---- namespaces ---- */

static int netns_open(const char *ns)
{
	char path[512];
	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* ---- sockets ---- */

struct sock_req {
	int family;
	const char *ifname;
	bool rx;          /* listener: join the group, timestamps, big buffer */
};

/* Opens the socket inside the current namespace; ifindex is looked up
 * here too (interface names belong to namespaces). */
static int sock_open_here(const struct sock_req *q, int *ifindex_out)
{
	int one = 1, zero = 0, hops = 255;
	int ifindex = (int)if_nametoindex(q->ifname);
	if (ifindex == 0)
		return -errno;
	int fd = socket(q->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int err = 0;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	if (q->family == AF_INET6) {
		struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(MDNS_PORT) };
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
		    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
		if (q->rx) {
			struct ipv6_mreq m = { .ipv6mr_interface = (unsigned)ifindex };
			inet_pton(AF_INET6, "ff02::fb", &m.ipv6mr_multiaddr);
			if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof(m)) < 0)
				goto fail;
		} else if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
			   setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
			   setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0) {
			goto fail;
		}
	} else {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(MDNS_PORT) };
		unsigned char ttl = 255, loop = 0;
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
		    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
		struct ip_mreqn m = { .imr_ifindex = ifindex };
		inet_pton(AF_INET, "224.0.0.251", &m.imr_multiaddr);
		if (q->rx) {
			if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) < 0)
				goto fail;
		} else {
			m.imr_multiaddr.s_addr = 0;
			if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) < 0 ||
			    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
			    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0)
				goto fail;
		}
	}
	if (q->rx) {
		/* Bursts from a batching reflector must not overflow us: the
		 * figure is the reflector's loss, not ours (rx_drops says). */
		int buf = 16 << 20;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0 ||
		    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0)
			goto fail;
	} else {
		int buf = 4 << 20;
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	}
	*ifindex_out = ifindex;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* Enter ns (if any), open, come back to where we were. */
static int sock_open_in(const char *ns, const struct sock_req *q, int *ifindex_out)
{
	if (!ns)
		return sock_open_here(q, ifindex_out);
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -errno;
	int target = netns_open(ns);
	if (target < 0) {
		int err = -errno;
		close(home);
		return err;
	}
	int fd;
	if (setns(target, CLONE_NEWNET) < 0) {
		fd = -errno;
	} else {
		fd = sock_open_here(q, ifindex_out);
		if (setns(home, CLONE_NEWNET) < 0) {
			/* Stuck in the other namespace: nothing sane to do. */
			perror("mdnsload: setns back");
			exit(2);
		}
	}
	close(target);
	close(home);
	return fd;
}

/* ---- queries: build and match ---- */

#define BENCH_SUFFIX "\x05" "bench" "\x05" "local"

/* Writes the query for seq into buf; returns its length. */
static size_t query_build(uint8_t *buf, uint64_t seq, uint32_t run, uint16_t qtype)
{
	memset(buf, 0, 12);
	buf[5] = 1; /* QDCOUNT */
	char label[48];
	int n = snprintf(label, sizeof(label), "q%" PRIu64 "-%08" PRIx32, seq, run);
	size_t off = 12;
	buf[off++] = (uint8_t)n;
	memcpy(buf + off, label, (size_t)n);
	off += (size_t)n;
	memcpy(buf + off, BENCH_SUFFIX, sizeof(BENCH_SUFFIX)); /* with the root's 0 */
	off += sizeof(BENCH_SUFFIX);
	buf[off++] = (uint8_t)(qtype >> 8);
	buf[off++] = (uint8_t)qtype;
	buf[off++] = 0;
	buf[off++] = 1; /* class IN, QM */
	return off;
}

/* Decodes the name at *off into out (wire labels, uncompressed, with the
 * root's 0), following pointers; *off moves past the name as it appears
 * in place. Returns the decoded length or -1 on malformed input. */
static int name_read(const uint8_t *p, size_t len, size_t *off, uint8_t *out, size_t out_max)
{
	size_t pos = *off, o = 0, end = 0;
	bool jumped = false;
	for (int jumps = 0;;) {
		if (pos >= len)
			return -1;
		uint8_t l = p[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++jumps > NAME_MAX_JUMPS)
				return -1;
			if (!jumped)
				end = pos + 2;
			jumped = true;
			pos = ((size_t)(l & 0x3f) << 8) | p[pos + 1];
			continue;
		}
		if (l & 0xc0)
			return -1;
		if (o + l + 1 > out_max || pos + 1 + l > len)
			return -1;
		memcpy(out + o, p + pos, (size_t)l + 1);
		o += (size_t)l + 1;
		pos += (size_t)l + 1;
		if (l == 0)
			break;
	}
	*off = jumped ? end : pos;
	return (int)o;
}

enum match { MATCH_OURS, MATCH_STALE, MATCH_FOREIGN };

/* Is the decoded name q<seq>-<run>.bench.local (case-insensitive)? */
static enum match name_match(const uint8_t *n, int nlen, uint32_t run, uint64_t *seq)
{
	if (nlen < 2 || n[0] < 11 || n[0] > 40 || (n[1] != 'q' && n[1] != 'Q'))
		return MATCH_FOREIGN;
	size_t l = n[0];
	if ((size_t)nlen != 1 + l + sizeof(BENCH_SUFFIX) ||
	    strncasecmp((const char *)n + 1 + l, BENCH_SUFFIX, sizeof(BENCH_SUFFIX)) != 0)
		return MATCH_FOREIGN;
	char label[48];
	memcpy(label, n + 1, l);
	label[l] = 0;
	char *dash = strchr(label, '-');
	if (!dash || strlen(dash + 1) != 8)
		return MATCH_FOREIGN;
	char *end;
	errno = 0;
	uint64_t s = strtoull(label + 1, &end, 10);
	if (end != dash || errno)
		return MATCH_FOREIGN;
	uint32_t r = (uint32_t)strtoul(dash + 1, &end, 16);
	if (*end)
		return MATCH_FOREIGN;
	*seq = s;
	return r == run ? MATCH_OURS : MATCH_STALE;
}

/* ---- the run ---- */

struct run {
	struct opts o;
	uint32_t run_id;
	int tx, rx;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	int64_t *sent_rt;      /* per seq: CLOCK_REALTIME at send, 0 = not sent */
	int64_t *lat_ns;       /* latencies of first copies, in arrival order */
	uint8_t *seen;         /* per seq: first copy arrived */
	uint64_t sent, reflected, dup, foreign, stale, rx_pkts, rx_ours_q, rx_ours_pkts;
	uint64_t tx_err, rx_trunc, rx_bad;
	uint32_t rx_drops;
};

static uint8_t tx_buf[TX_BATCH][TX_PKT_MAX];
static struct iovec tx_iov[TX_BATCH];
static struct mmsghdr tx_msg[TX_BATCH];
static uint8_t rx_buf[RX_BATCH][RX_PKT_MAX];
static struct iovec rx_iov[RX_BATCH];
static struct mmsghdr rx_msg[RX_BATCH];
static uint8_t rx_ctl[RX_BATCH][CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(uint32_t)) + 64];

/* Sends queries sent .. sent+n-1 in one sendmmsg (retried on a full
 * queue); r->sent counts those the kernel took. */
static void tx_send(struct run *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		tx_iov[i].iov_base = tx_buf[i];
		tx_iov[i].iov_len = query_build(tx_buf[i], r->sent + i, r->run_id, r->o.qtype);
		tx_msg[i].msg_hdr = (struct msghdr){
			.msg_name = &r->dst, .msg_namelen = r->dst_len,
			.msg_iov = &tx_iov[i], .msg_iovlen = 1,
		};
	}
	unsigned done = 0;
	int retries = 0;
	while (done < n) {
		int64_t now = clock_ns(CLOCK_REALTIME);
		int k = sendmmsg(r->tx, tx_msg + done, n - done, 0);
		if (k < 0) {
			if ((errno == ENOBUFS || errno == EAGAIN || errno == EINTR) && ++retries < 1000) {
				r->tx_err++;
				struct timespec ts = { 0, 20000 };
				nanosleep(&ts, NULL);
				continue;
			}
			r->tx_err++;
			fprintf(stderr, "mdnsload: %s: sendmmsg: %s\n", r->o.label, strerror(errno));
			break;
		}
		for (int i = 0; i < k; i++)
			r->sent_rt[r->sent + done + (unsigned)i] = now;
		done += (unsigned)k;
	}
	r->sent += done;
}

static void rx_packet(struct run *r, const uint8_t *p, size_t len, int64_t rx_rt)
{
	r->rx_pkts++;
	if (len < 12) {
		r->rx_bad++;
		return;
	}
	unsigned qd = ((unsigned)p[4] << 8) | p[5];
	size_t off = 12;
	unsigned ours = 0;
	for (unsigned i = 0; i < qd; i++) {
		uint8_t name[256];
		int nlen = name_read(p, len, &off, name, sizeof(name));
		if (nlen < 0 || off + 4 > len) {
			r->rx_bad++;
			break;
		}
		off += 4;
		uint64_t seq;
		switch (name_match(name, nlen, r->run_id, &seq)) {
		case MATCH_FOREIGN:
			r->foreign++;
			break;
		case MATCH_STALE:
			r->stale++;
			break;
		case MATCH_OURS:
			if (seq >= r->sent || r->sent_rt[seq] == 0) {
				r->stale++;
				break;
			}
			ours++;
			if (r->seen[seq]) {
				r->dup++;
				break;
			}
			r->seen[seq] = 1;
			r->lat_ns[r->reflected++] = rx_rt - r->sent_rt[seq];
			break;
		}
	}
	if (ours) {
		r->rx_ours_pkts++;
		r->rx_ours_q += ours;
	}
}

static void rx_drain(struct run *r)
{
	for (;;) {
		for (unsigned i = 0; i < RX_BATCH; i++) {
			rx_iov[i] = (struct iovec){ rx_buf[i], RX_PKT_MAX };
			rx_msg[i].msg_hdr = (struct msghdr){
				.msg_iov = &rx_iov[i], .msg_iovlen = 1,
				.msg_control = rx_ctl[i], .msg_controllen = sizeof(rx_ctl[i]),
			};
		}
		int n = recvmmsg(r->rx, rx_msg, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		int64_t fallback = clock_ns(CLOCK_REALTIME);
		for (int i = 0; i < n; i++) {
			struct msghdr *h = &rx_msg[i].msg_hdr;
			int64_t t = fallback;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
				if (c->cmsg_level != SOL_SOCKET)
					continue;
				if (c->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec ts;
					memcpy(&ts, CMSG_DATA(c), sizeof(ts));
					t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
				} else if (c->cmsg_type == SO_RXQ_OVFL) {
					memcpy(&r->rx_drops, CMSG_DATA(c), sizeof(r->rx_drops));
				}
			}
			if (h->msg_flags & MSG_TRUNC) {
				r->rx_trunc++;
				continue;
			}
			rx_packet(r, rx_buf[i], rx_msg[i].msg_len, t);
		}
		if (n < RX_BATCH)
			return;
	}
}

/* Waits for the listener's socket until deadline (CLOCK_MONOTONIC ns). */
static void rx_wait(struct run *r, int64_t deadline)
{
	int64_t left = deadline - clock_ns(CLOCK_MONOTONIC);
	if (left < 0)
		left = 0;
	struct timespec ts = { (time_t)(left / 1000000000), (long)(left % 1000000000) };
	struct pollfd pfd = { .fd = r->rx, .events = POLLIN };
	if (ppoll(&pfd, 1, &ts, NULL) > 0)
		rx_drain(r);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static double percentile_us(const int64_t *sorted, uint64_t n, double p)
{
	if (n == 0)
		return NAN;
	uint64_t k = (uint64_t)ceil(p * (double)n);
	if (k == 0)
		k = 1;
	return (double)sorted[k - 1] / 1000.0;
}

static int run_setup(struct run *r)
{
	uint32_t seed = (uint32_t)clock_ns(CLOCK_REALTIME) ^ ((uint32_t)getpid() << 16);
	r->run_id = seed * 2654435761u;
	struct sock_req tq = { .family = r->o.family, .ifname = r->o.tx_if, .rx = false };
	struct sock_req rq = { .family = r->o.family, .ifname = r->o.rx_if, .rx = true };
	int txif, rxif;
	r->tx = sock_open_in(r->o.tx_netns, &tq, &txif);
	if (r->tx < 0) {
		fprintf(stderr, "mdnsload: querier socket on %s: %s\n", r->o.tx_if, strerror(-r->tx));
		return r->tx;
	}
	r->rx = sock_open_in(r->o.rx_netns, &rq, &rxif);
	if (r->rx < 0) {
		fprintf(stderr, "mdnsload: listener socket on %s: %s\n", r->o.rx_if, strerror(-r->rx));
		return r->rx;
	}
	memset(&r->dst, 0, sizeof(r->dst));
	if (r->o.family == AF_INET6) {
		struct sockaddr_in6 *d = (struct sockaddr_in6 *)&r->dst;
		d->sin6_family = AF_INET6;
		d->sin6_port = htons(MDNS_PORT);
		d->sin6_scope_id = (uint32_t)txif;
		inet_pton(AF_INET6, "ff02::fb", &d->sin6_addr);
		r->dst_len = sizeof(*d);
	} else {
		struct sockaddr_in *d = (struct sockaddr_in *)&r->dst;
		d->sin_family = AF_INET;
		d->sin_port = htons(MDNS_PORT);
		inet_pton(AF_INET, "224.0.0.251", &d->sin_addr);
		r->dst_len = sizeof(*d);
	}
	r->sent_rt = calloc(r->o.count, sizeof(*r->sent_rt));
	r->lat_ns = calloc(r->o.count, sizeof(*r->lat_ns));
	r->seen = calloc(r->o.count, 1);
	if (!r->sent_rt || !r->lat_ns || !r->seen)
		return -ENOMEM;
	return 0;
}

/* Sends on the CLOCK_MONOTONIC schedule t0 + i / rate, reading the
 * listener in between; then lingers for late copies. */
static void run_load(struct run *r, int64_t *t_first, int64_t *t_last)
{
	const double period_ns = 1e9 / r->o.rate;
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	*t_first = t0;
	*t_last = t0;
	while (r->sent < r->o.count && !stop_flag) {
		int64_t now = clock_ns(CLOCK_MONOTONIC);
		uint64_t due = (uint64_t)((double)(now - t0) / period_ns) + 1;
		if (due > r->o.count)
			due = r->o.count;
		if (due > r->sent) {
			uint64_t n = due - r->sent;
			uint64_t before = r->sent;
			tx_send(r, n > TX_BATCH ? TX_BATCH : (unsigned)n);
			*t_last = clock_ns(CLOCK_MONOTONIC);
			if (r->sent == before)
				break; /* the socket refuses: give up, tx_err says so */
			continue;
		}
		rx_wait(r, t0 + (int64_t)((double)r->sent * period_ns));
	}
	int64_t end = clock_ns(CLOCK_MONOTONIC) + (int64_t)r->o.linger_ms * 1000000;
	while (!stop_flag && r->reflected < r->sent) {
		if (clock_ns(CLOCK_MONOTONIC) >= end)
			break;
		rx_wait(r, end);
	}
	rx_drain(r);
}

static void run_report(struct run *r, int64_t t_first, int64_t t_last)
{
	double dur = (double)(t_last - t_first) / 1e9;
	/* n sends span n - 1 periods: the achieved rate counts intervals. */
	double rate = r->sent > 1 && dur > 0 ? (double)(r->sent - 1) / dur : 0;
	qsort(r->lat_ns, r->reflected, sizeof(*r->lat_ns), cmp_i64);
	double pct = r->sent ? 100.0 * (double)r->reflected / (double)r->sent : 0;
	double max_us = r->reflected ? (double)r->lat_ns[r->reflected - 1] / 1000.0 : NAN;
	double qpp = r->rx_ours_pkts ? (double)r->rx_ours_q / (double)r->rx_ours_pkts : 0;
	printf("%s family=ipv%d duration_s=%.3f rate=%.1f sent=%" PRIu64 " reflected=%" PRIu64
	       " reflected_pct=%.3f p50_us=%.1f p99_us=%.1f max_us=%.1f dup=%" PRIu64
	       " foreign=%" PRIu64 " stale=%" PRIu64 " rx_pkts=%" PRIu64 " q_per_pkt=%.2f"
	       " tx_err=%" PRIu64 " rx_bad=%" PRIu64 " rx_trunc=%" PRIu64 " rx_drops=%" PRIu32 "\n",
	       r->o.label, r->o.family == AF_INET6 ? 6 : 4, dur, rate, r->sent, r->reflected, pct,
	       percentile_us(r->lat_ns, r->reflected, 0.50), percentile_us(r->lat_ns, r->reflected, 0.99),
	       max_us, r->dup, r->foreign, r->stale, r->rx_pkts, qpp, r->tx_err, r->rx_bad,
	       r->rx_trunc, r->rx_drops);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static struct run r;
	if (opts_parse(argc, argv, &r.o) < 0) {
		usage(stderr);
		return 2;
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (run_setup(&r) < 0)
		return 1;
	int64_t t_first, t_last;
	run_load(&r, &t_first, &t_last);
	run_report(&r, t_first, t_last);
	free(r.sent_rt);
	free(r.lat_ns);
	free(r.seen);
	close(r.tx);
	close(r.rx);
	if (stop_flag) {
		/* Die of the signal once the line is out: a shell waiting for
		 * us only runs its own trap when its child did not survive the
		 * interrupt (the cooperative-exit convention). */
		signal((int)stop_flag, SIG_DFL);
		raise((int)stop_flag);
	}
	return r.sent ? 0 : 1;
}
