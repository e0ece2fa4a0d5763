/* net/packet.c on a veth pair and a tun device inside a private network
 * namespace (needs root). Packets are built by hand here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/packet.h"
#include "nstest.h"

#define BIT(type) (1u << ((type) - 128))
#define ND_BITS (BIT(135) | BIT(136))   /* NS, NA */
#define MARK_SRC "fe80::beef"          /* source of every packet we send */

static struct pkt_rx rx; /* 64 KiB: not on the stack */

/* ---- packet building ---------------------------------------------------- */

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static uint16_t csum_icmp6(const uint8_t *ip6, const uint8_t *icmp, size_t len)
{
	uint32_t sum = 0;

	for (int i = 8; i < 40; i += 2) /* source and destination */
		sum += (uint32_t)(ip6[i] << 8 | ip6[i + 1]);
	sum += (uint32_t)len + 58;
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(icmp[i] << 8 | (i + 1 < len ? icmp[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* IPv6 header + payload; returns the total length. */
static size_t ip6(uint8_t *p, const char *src, const char *dst, uint8_t nh,
                  const uint8_t *payload, size_t plen)
{
	struct in6_addr s = a6(src), d = a6(dst);

	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 255;
	memcpy(p + 8, &s, 16);
	memcpy(p + 24, &d, 16);
	if (plen)
		memcpy(p + 40, payload, plen);
	return 40 + plen;
}

static size_t icmp6(uint8_t *p, const char *src, const char *dst, uint8_t type,
                    const uint8_t *body, size_t blen)
{
	uint8_t m[1500] = { type, 0, 0, 0 };
	size_t n;
	uint16_t c;

	memcpy(m + 4, body, blen);
	n = ip6(p, src, dst, 58, m, 4 + blen);
	c = csum_icmp6(p, p + 40, 4 + blen);
	p[42] = (uint8_t)(c >> 8);
	p[43] = (uint8_t)c;
	return n;
}

/* Neighbor Solicitation for target with a source link-layer option. */
static size_t ns(uint8_t *p, const char *src, const char *target, const uint8_t mac[6])
{
	uint8_t body[28] = { 0 };
	struct in6_addr t = a6(target);
	char dst[64];

	memcpy(body + 4, &t, 16);
	body[20] = 1; /* source link-layer address, 8 bytes */
	body[21] = 1;
	memcpy(body + 22, mac, 6);
	snprintf(dst, sizeof(dst), "ff02::1:ff%02x:%02x%02x", t.s6_addr[13], t.s6_addr[14], t.s6_addr[15]);
	return icmp6(p, src, dst, 135, body, sizeof(body));
}

static bool from_mark(const struct pkt_in *in)
{
	struct in6_addr m = a6(MARK_SRC);
	return in->len >= 40 && memcmp(in->data + 8, &m, 16) == 0;
}

/* ---- namespace plumbing ------------------------------------------------- */

static int ifidx(const char *name)
{
	int i = (int)if_nametoindex(name);
	assert_true(i > 0);
	return i;
}

static void get_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	assert_int_equal(ioctl(fd, SIOCGIFHWADDR, &ifr), 0);
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

static int ipv6_on(const char *ifname)
{
	return sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=0 net.ipv6.conf.%s.accept_dad=0",
	          ifname, ifname);
}

/* veth va <-> vb, both up with IPv6, in a fresh namespace. */
static int setup_veth(void **state)
{
	if (ns_enter() < 0)
		return -1;
	if (sh("ip link add va type veth peer name vb") || ipv6_on("va") || ipv6_on("vb") ||
	    sh("ip link set va up && ip link set vb up"))
		return -1;
	/* va came up before its peer, so its queue starts only when linkwatch
	 * sees the carrier (asynchronous, up to a second): until then frames
	 * sent on va are dropped. Operational state UP on both says it ran. */
	return sh("for i in $(seq 100); do ip -o link show va | grep -q 'state UP' && "
	          "ip -o link show vb | grep -q 'state UP' && exit 0; sleep 0.05; done; exit 1");
}

/* Receive until `want` packets from MARK_SRC arrived or `ms` passed;
 * copies them (data and metadata) into got[]. Returns the count. */
struct got {
	uint8_t data[PKT_SNAPLEN];
	struct pkt_in in;
};
static struct got got[64];
static int max_batch;

static int collect(int fd, int want, int ms)
{
	uint64_t t0 = test_now_ms();
	int n = 0;

	max_batch = 0;
	while (n < want && test_now_ms() - t0 < (uint64_t)ms) {
		struct pollfd p = { fd, POLLIN, 0 };
		int r;

		if (poll(&p, 1, 20) <= 0)
			continue;
		r = pkt_recv_batch(fd, &rx);
		assert_true(r >= 0);
		if (r > max_batch)
			max_batch = r;
		for (int i = 0; i < r && n < (int)(sizeof(got) / sizeof(got[0])); i++) {
			if (!from_mark(&rx.in[i]))
				continue; /* the kernel's own MLD/RS chatter */
			got[n].in = rx.in[i];
			memcpy(got[n].data, rx.in[i].data, rx.in[i].len);
			got[n].in.data = got[n].data;
			n++;
		}
	}
	return n;
}

/* ---- tests -------------------------------------------------------------- */

static void test_open_errors(void **state)
{
	/* No namespace needed: refused before the kernel is asked. */
	assert_int_equal(pkt_open(0, ND_BITS), -EINVAL);
	assert_int_equal(pkt_open(-3, ND_BITS), -EINVAL);
}

static void test_ns_batch(void **state)
{
	static struct pkt_txq q;
	uint8_t mac_a[6], mac_b[6], first[256];
	size_t first_len = 0;
	int va = ifidx("va"), vb = ifidx("vb");
	int rxfd = pkt_open(va, ND_BITS), tx = pkt_open_tx();
	int sent = 0, n;

	assert_true(rxfd >= 0);
	assert_true(tx >= 0);
	assert_int_equal(fcntl(rxfd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
	assert_int_equal(fcntl(rxfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(pkt_recv_batch(rxfd, &rx), 0); /* nothing yet, no blocking */
	get_mac("va", mac_a);
	get_mac("vb", mac_b);

	/* 40 solicitations through the queue: the 33rd slot flushes the first 32. */
	memset(&q, 0, sizeof(q));
	for (int i = 0; i < 40; i++) {
		char target[64];
		uint8_t dmac[6] = { 0x33, 0x33, 0xff, 0, 0, (uint8_t)i };
		uint8_t *slot = pkt_txq_slot(&q, tx);
		size_t len;

		if (i == 32)
			assert_int_equal(q.n, 0);
		snprintf(target, sizeof(target), "2001:db8::%x", i);
		len = ns(slot, MARK_SRC, target, mac_b);
		if (i == 0) {
			memcpy(first, slot, len);
			first_len = len;
		}
		pkt_txq_commit(&q, len, vb, dmac, 6);
	}
	assert_int_equal(q.n, 8);
	sent = pkt_txq_flush(&q, tx);
	assert_int_equal(sent, 8);
	assert_int_equal(q.n, 0);

	n = collect(rxfd, 40, 2000);
	assert_int_equal(n, 40);
	assert_true(max_batch > 1);          /* they came batch-wise */
	assert_true(max_batch <= PKT_BATCH);
	assert_int_equal(got[0].in.len, first_len);
	assert_int_equal(got[0].in.orig_len, first_len);
	assert_memory_equal(got[0].data, first, first_len);
	assert_int_equal(got[0].in.pkttype, PACKET_MULTICAST);
	assert_int_equal(got[0].in.src_ll_len, 6);
	assert_memory_equal(got[0].in.src_ll, mac_b, 6);
	/* In order, each its own target. */
	for (int i = 0; i < 40; i++)
		assert_int_equal(got[i].data[40 + 8 + 15], i);

	/* Unicast to va's own address: PACKET_HOST. */
	assert_int_equal(pkt_send(tx, vb, mac_a, 6, first, first_len), 0);
	assert_int_equal(collect(rxfd, 1, 2000), 1);
	assert_int_equal(got[0].in.pkttype, PACKET_HOST);

	/* Bad arguments are refused before the kernel sees them. (The kernel
	 * does not check halen against the link: that is the caller's job.) */
	assert_int_equal(pkt_send(tx, vb, NULL, 6, first, first_len), -EINVAL);
	assert_int_equal(pkt_send(tx, vb, mac_a, PKT_LLADDR_MAX + 1, first, first_len), -EINVAL);
	assert_int_equal(pkt_send(tx, 0, mac_a, 6, first, first_len), -EINVAL);
	close(rxfd);
	close(tx);
}

static void test_filter(void **state)
{
	static const uint8_t bcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t pkt[2048], body[64] = { 0 }, mac_b[6];
	int va = ifidx("va"), vb = ifidx("vb");
	int rxfd = pkt_open(va, ND_BITS), all = pkt_open(va, 0xffffffffu), tx = pkt_open_tx();
	size_t len;

	assert_true(rxfd >= 0 && all >= 0 && tx >= 0);
	get_mac("vb", mac_b);
	/* Rejected: UDP, echo request, RA (not asked for), an error message
	 * (type 1), an ICMPv6 header cut short, TCP. */
	len = ip6(pkt, MARK_SRC, "ff02::1", 17, body, 16);
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	len = icmp6(pkt, MARK_SRC, "ff02::1", 128, body, 8);
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	len = icmp6(pkt, MARK_SRC, "ff02::1", 134, body, 12);
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	len = icmp6(pkt, MARK_SRC, "ff02::1", 1, body, 48);
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	len = icmp6(pkt, MARK_SRC, "ff02::1", 200, body, 8); /* beyond the bitmask */
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	len = ip6(pkt, MARK_SRC, "ff02::1", 58, body, 0);
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	len = ip6(pkt, MARK_SRC, "ff02::1", 6, body, 20);
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	/* Rejected: an MLD report behind hop-by-hop (type 143 not asked for) */
	{
		uint8_t mld[32] = { 58, 0, 5, 2, 0, 0, 1, 0 }; /* router alert, then type 143 */
		mld[8] = 143;
		len = ip6(pkt, MARK_SRC, "ff02::16", 0, mld, 32);
		assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	}
	/* Accepted: an NA, then hop-by-hop, routing, fragment and
	 * destination-options packets (counted as drops by the daemon), then
	 * an NS as the last one. */
	len = icmp6(pkt, MARK_SRC, "ff02::1", 136, body, 20);
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	static const uint8_t ext[] = { 0, 43, 44, 60 };
	for (unsigned i = 0; i < sizeof(ext); i++) {
		uint8_t hdr[32] = { 58, 0, 1, 4, 0, 0, 0, 0 }; /* next: ICMPv6, PadN */
		hdr[8] = 135; /* an NS hiding behind the extension header */
		len = ip6(pkt, MARK_SRC, "ff02::1", ext[i], hdr, 32);
		assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);
	}
	len = ns(pkt, MARK_SRC, "2001:db8::1", mac_b);
	assert_int_equal(pkt_send(tx, vb, bcast, 6, pkt, len), 0);

	assert_int_equal(collect(rxfd, 6, 2000), 6);
	assert_int_equal(got[0].data[6], 58);
	assert_int_equal(got[0].data[40], 136);
	for (unsigned i = 0; i < sizeof(ext); i++)
		assert_int_equal(got[1 + i].data[6], ext[i]);
	assert_int_equal(got[5].data[6], 58);
	assert_int_equal(got[5].data[40], 135);
	/* Nothing else trails behind. */
	assert_int_equal(collect(rxfd, 1, 200), 0);

	/* With every bit set, echo request, RA and the MLD report behind its
	 * Router Alert pass, but not type 1 (below 128), not type 200, not the
	 * cut-short ICMPv6, not UDP/TCP. */
	int n = collect(all, 64, 500);
	int echo = 0, ra = 0, mld = 0;
	for (int i = 0; i < n; i++) {
		assert_true(got[i].data[6] == 58 || got[i].data[6] == 0 || got[i].data[6] == 43 ||
		            got[i].data[6] == 44 || got[i].data[6] == 60);
		if (got[i].data[6] == 58) {
			assert_true(got[i].in.len > 40);
			assert_true(got[i].data[40] >= 128);
			echo += got[i].data[40] == 128;
			ra += got[i].data[40] == 134;
		}
		mld += got[i].data[6] == 0 && got[i].in.len > 48 && got[i].data[48] == 143;
	}
	assert_int_equal(n, 9);
	assert_int_equal(echo, 1);
	assert_int_equal(ra, 1);
	assert_int_equal(mld, 1);
	close(rxfd);
	close(all);
	close(tx);
}

static void test_outgoing_not_seen(void **state)
{
	static const uint8_t dmac[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	uint8_t pkt[256], mac_a[6];
	int va = ifidx("va"), vb = ifidx("vb");
	int rx_a = pkt_open(va, ND_BITS), rx_b = pkt_open(vb, ND_BITS), tx = pkt_open_tx();
	size_t len;

	assert_true(rx_a >= 0 && rx_b >= 0 && tx >= 0);
	get_mac("va", mac_a);
	len = ns(pkt, MARK_SRC, "2001:db8::1", mac_a);
	assert_int_equal(pkt_send(tx, va, dmac, 6, pkt, len), 0);
	/* Sent on va: arrives on vb, and va's own socket does not see it. */
	assert_int_equal(collect(rx_b, 1, 2000), 1);
	assert_int_equal(collect(rx_a, 1, 300), 0);
	close(rx_a);
	close(rx_b);
	close(tx);
}

/* A tap for every protocol is handed outgoing frames too: the filter's
 * PACKET_OUTGOING rule is what keeps them out. */
static void test_filter_outgoing_rule(void **state)
{
	static const uint8_t dmac[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	uint8_t pkt[256], mac_a[6];
	int va = ifidx("va"), vb = ifidx("vb"), tx = pkt_open_tx();
	int tap = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_ALL));
	size_t len;

	assert_true(tap >= 0 && tx >= 0);
	assert_int_equal(pkt_attach_filter(tap, ND_BITS), 0);
	sll.sll_ifindex = va;
	assert_int_equal(bind(tap, (struct sockaddr *)&sll, sizeof(sll)), 0);
	(void)collect(tap, 64, 100); /* whatever came before the filter */
	get_mac("va", mac_a);
	len = ns(pkt, MARK_SRC, "2001:db8::1", mac_a);
	assert_int_equal(pkt_send(tx, va, dmac, 6, pkt, len), 0);
	assert_int_equal(collect(tap, 1, 300), 0);
	/* The same packet coming in is seen, so the tap does work. */
	assert_int_equal(pkt_send(tx, vb, dmac, 6, pkt, len), 0);
	assert_int_equal(collect(tap, 1, 2000), 1);
	assert_int_equal(got[0].in.pkttype, PACKET_MULTICAST);
	close(tap);
	close(tx);
}

static void test_truncation(void **state)
{
	static const uint8_t dmac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	static uint8_t pkt[4000], body[4000];
	int va = ifidx("va"), vb = ifidx("vb");
	int rxfd = pkt_open(va, ND_BITS), tx = pkt_open_tx();
	size_t len;

	assert_true(rxfd >= 0 && tx >= 0);
	assert_int_equal(sh("ip link set va mtu 9000 && ip link set vb mtu 9000"), 0);
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)i;
	body[0] = 58; /* hop-by-hop, next ICMPv6, then padding bytes */
	body[1] = 0;
	body[8] = 135; /* an NS behind it: MLD and the like stay in the kernel */
	len = ip6(pkt, MARK_SRC, "ff02::1", 0, body, sizeof(body) - 40);
	assert_int_equal(len, 4000);
	assert_int_equal(pkt_send(tx, vb, dmac, 6, pkt, len), 0);
	assert_int_equal(collect(rxfd, 1, 2000), 1);
	assert_int_equal(got[0].in.orig_len, 4000);
	assert_int_equal(got[0].in.len, PKT_SNAPLEN);
	assert_memory_equal(got[0].data, pkt, PKT_SNAPLEN);
	close(rxfd);
	close(tx);
}

/* "promiscuity N" / "allmulti N" as ip -d link shows them. */
static int link_counter(const char *ifname, const char *what)
{
	char out[4096], *p;

	assert_int_equal(sh_out(out, sizeof(out), "ip -d link show %s", ifname), 0);
	p = strstr(out, what);
	assert_non_null(p);
	return atoi(p + strlen(what) + 1);
}

static void test_allmulti_promisc(void **state)
{
	int va = ifidx("va");
	int s1 = pkt_open(va, ND_BITS), s2 = pkt_open(va, ND_BITS);

	assert_true(s1 >= 0 && s2 >= 0);
	assert_int_equal(link_counter("va", "allmulti"), 0);
	assert_int_equal(pkt_set_allmulti(s1, va, true), 0);
	assert_int_equal(pkt_set_allmulti(s2, va, true), 0);
	assert_int_equal(link_counter("va", "allmulti"), 2);
	assert_int_equal(pkt_set_allmulti(s1, va, false), 0);
	assert_int_equal(link_counter("va", "allmulti"), 1);
	/* Closing the socket gives its membership back. */
	close(s2);
	assert_int_equal(link_counter("va", "allmulti"), 0);

	assert_int_equal(link_counter("va", "promiscuity"), 0);
	assert_int_equal(pkt_set_promisc(s1, va, true), 0);
	assert_int_equal(link_counter("va", "promiscuity"), 1);
	assert_int_equal(pkt_set_promisc(s1, va, false), 0);
	assert_int_equal(link_counter("va", "promiscuity"), 0);
	assert_int_equal(pkt_set_promisc(s1, va, true), 0);
	close(s1);
	assert_int_equal(link_counter("va", "promiscuity"), 0);
	/* Dropping what this socket never added leaves others' counts alone. */
	s1 = pkt_open(va, ND_BITS);
	s2 = pkt_open(va, ND_BITS);
	assert_true(s1 >= 0 && s2 >= 0);
	assert_int_equal(pkt_set_allmulti(s2, va, true), 0);
	assert_int_equal(pkt_set_allmulti(s1, va, false), 0);
	assert_int_equal(link_counter("va", "allmulti"), 1);
	close(s1);
	close(s2);
	assert_int_equal(link_counter("va", "allmulti"), 0);
}

/* Attach to the persistent tun device so its carrier comes up; returns fd. */
static int tun_attach(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	assert_true(fd >= 0);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	return fd;
}

static void test_l3_tun(void **state)
{
	static const uint8_t dmac[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	uint8_t pkt[256], back[2048], mac_b[6];
	int tun, tunfd, rxfd, rx_va, tx, vb = ifidx("vb");
	size_t len;
	ssize_t n;

	assert_int_equal(sh("ip tuntap add mode tun name tun0"), 0);
	tunfd = tun_attach("tun0");
	assert_int_equal(ipv6_on("tun0"), 0);
	assert_int_equal(sh("ip link set tun0 up"), 0);
	tun = ifidx("tun0");

	rxfd = pkt_open(tun, ND_BITS);
	assert_true(rxfd >= 0);
	tx = pkt_open_tx();
	assert_true(tx >= 0);
	get_mac("vb", mac_b);

	/* In through the tunnel: no link-layer source. */
	len = ns(pkt, MARK_SRC, "2001:db8::1", mac_b);
	assert_int_equal(write(tunfd, pkt, len), (ssize_t)len);
	assert_int_equal(collect(rxfd, 1, 2000), 1);
	assert_int_equal(got[0].in.src_ll_len, 0);
	assert_int_equal(got[0].in.len, len);
	assert_memory_equal(got[0].data, pkt, len);
	assert_int_equal(got[0].in.pkttype, PACKET_HOST);

	/* Out through the tunnel with halen 0, from the same socket that
	 * also sends on an Ethernet link: one unbound socket serves all. */
	assert_int_equal(pkt_send(tx, tun, NULL, 0, pkt, len), 0);
	int fl = fcntl(tunfd, F_GETFL);
	assert_int_equal(fcntl(tunfd, F_SETFL, fl | O_NONBLOCK), 0);
	uint64_t t0 = test_now_ms();
	for (;;) {
		n = read(tunfd, back, sizeof(back));
		if (n == (ssize_t)len && memcmp(back, pkt, len) == 0)
			break; /* ours (the kernel may send its own RS/MLD too) */
		if (n < 0)
			usleep(10000);
		assert_true(test_now_ms() - t0 < 2000);
	}
	rx_va = pkt_open(ifidx("va"), ND_BITS);
	assert_true(rx_va >= 0);
	assert_int_equal(pkt_send(tx, vb, dmac, 6, pkt, len), 0);
	assert_int_equal(collect(rx_va, 1, 2000), 1);
	assert_int_equal(got[0].in.src_ll_len, 6);
	/* Our own packet sent on the tunnel is outgoing: not seen by rxfd. */
	assert_int_equal(collect(rxfd, 1, 200), 0);

	close(rx_va);
	close(rxfd);
	close(tx);
	close(tunfd);
}

static void test_down_link(void **state)
{
	int va = ifidx("va"), fd;

	/* A socket on a link that is down opens, then receives once it is up. */
	assert_int_equal(sh("ip link set va down"), 0);
	fd = pkt_open(va, ND_BITS);
	assert_true(fd >= 0);
	assert_int_equal(pkt_recv_batch(fd, &rx), 0);
	assert_int_equal(sh("ip link set va up"), 0);

	static const uint8_t dmac[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	uint8_t pkt[256], mac_b[6];
	int tx = pkt_open_tx();
	get_mac("vb", mac_b);
	size_t len = ns(pkt, MARK_SRC, "2001:db8::1", mac_b);
	uint64_t t0 = test_now_ms();
	int n = 0;
	/* The carrier takes a moment to come back on the veth pair. */
	while (n == 0 && test_now_ms() - t0 < 3000) {
		(void)pkt_send(tx, ifidx("vb"), dmac, 6, pkt, len);
		n = collect(fd, 1, 100);
	}
	assert_int_equal(n, 1);
	close(fd);
	close(tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test_setup(test_ns_batch, setup_veth),
		cmocka_unit_test_setup(test_filter, setup_veth),
		cmocka_unit_test_setup(test_outgoing_not_seen, setup_veth),
		cmocka_unit_test_setup(test_filter_outgoing_rule, setup_veth),
		cmocka_unit_test_setup(test_truncation, setup_veth),
		cmocka_unit_test_setup(test_allmulti_promisc, setup_veth),
		cmocka_unit_test_setup(test_l3_tun, setup_veth),
		cmocka_unit_test_setup(test_down_link, setup_veth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
