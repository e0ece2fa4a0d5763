/* net/netlink.c against the real kernel, each test in its own network
 * namespace (needs root), plus the decoder fed hostile messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <net/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include "net/netlink.h"
#include "nstest.h"

#define REC_MAX 4096

/* Everything the observer heard, in order. */
static struct rec {
	struct { struct nl_link l; bool del; } link[REC_MAX];
	struct { struct nl_addr a; bool del; } addr[REC_MAX];
	struct { struct nl_neigh n; bool del; } neigh[REC_MAX];
	struct { struct nl_route r; bool del; } route[REC_MAX];
	int nlink, naddr, nneigh, nroute;
	int resync_begin, resynced;
	int addr_at_begin; /* naddr when the re-dump started */
} rec;

static void on_link(void *ctx, const struct nl_link *l, bool del)
{
	if (rec.nlink < REC_MAX) {
		rec.link[rec.nlink].l = *l;
		rec.link[rec.nlink++].del = del;
	}
}

static void on_addr(void *ctx, const struct nl_addr *a, bool del)
{
	if (rec.naddr < REC_MAX) {
		rec.addr[rec.naddr].a = *a;
		rec.addr[rec.naddr++].del = del;
	}
}

static void on_neigh(void *ctx, const struct nl_neigh *n, bool del)
{
	if (rec.nneigh < REC_MAX) {
		rec.neigh[rec.nneigh].n = *n;
		rec.neigh[rec.nneigh++].del = del;
	}
}

static void on_route(void *ctx, const struct nl_route *r, bool del)
{
	if (rec.nroute < REC_MAX) {
		rec.route[rec.nroute].r = *r;
		rec.route[rec.nroute++].del = del;
	}
}

static void on_resync_begin(void *ctx)
{
	rec.resync_begin++;
	rec.addr_at_begin = rec.naddr;
}

static void on_resynced(void *ctx)
{
	rec.resynced++;
}

static const struct nl_observer observer = {
	.link = on_link, .addr = on_addr, .neigh = on_neigh, .route = on_route,
	.resync_begin = on_resync_begin, .resynced = on_resynced,
};

static const struct nl_link *find_link(const char *name, bool del)
{
	for (int i = rec.nlink - 1; i >= 0; i--)
		if (strcmp(rec.link[i].l.name, name) == 0 && rec.link[i].del == del)
			return &rec.link[i].l;
	return NULL;
}

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* a6() as an lvalue for assert_memory_equal. */
#define a6_const(s) ((struct in6_addr[]){ a6(s) })[0]

/* Index of the last record of addr s (v4 or v6) on ifindex, from `from`. */
static int find_addr_from(int from, int ifindex, const char *s, bool del)
{
	struct in6_addr v6;
	struct in_addr v4;
	bool is6 = inet_pton(AF_INET6, s, &v6) == 1;

	if (!is6)
		assert_int_equal(inet_pton(AF_INET, s, &v4), 1);
	for (int i = rec.naddr - 1; i >= from; i--) {
		const struct nl_addr *a = &rec.addr[i].a;
		if (a->ifindex != ifindex || rec.addr[i].del != del)
			continue;
		if (is6 ? (a->family == AF_INET6 && memcmp(&a->addr, &v6, 16) == 0)
		        : (a->family == AF_INET && a->addr4.s_addr == v4.s_addr))
			return i;
	}
	return -1;
}

static int find_addr(int ifindex, const char *s, bool del)
{
	return find_addr_from(0, ifindex, s, del);
}

static const struct nl_route *find_route(const char *dst, uint8_t plen, bool del)
{
	struct in6_addr d = a6(dst);

	for (int i = rec.nroute - 1; i >= 0; i--)
		if (rec.route[i].r.plen == plen && rec.route[i].del == del &&
		    memcmp(&rec.route[i].r.dst, &d, 16) == 0)
			return &rec.route[i].r;
	return NULL;
}

static const struct nl_neigh *find_neigh(const char *addr, bool del)
{
	struct in6_addr d = a6(addr);

	for (int i = rec.nneigh - 1; i >= 0; i--)
		if (rec.neigh[i].del == del && memcmp(&rec.neigh[i].n.addr, &d, 16) == 0)
			return &rec.neigh[i].n;
	return NULL;
}

static void pump_once(struct nl *nl, int ms)
{
	struct pollfd p = { nl_event_fd(nl), POLLIN, 0 };

	if (poll(&p, 1, ms) > 0)
		assert_int_equal(nl_process_events(nl), 0);
}

/* Read events until expr holds (2 s at most), then insist on it. */
#define PUMP_UNTIL(nl, expr)                                              \
	do {                                                              \
		uint64_t t0_ = test_now_ms();                             \
		while (!(expr) && test_now_ms() - t0_ < 2000)             \
			pump_once((nl), 50);                              \
		assert_true(expr);                                        \
	} while (0)

static int setup_ns(void **state)
{
	memset(&rec, 0, sizeof(rec));
	if (ns_enter() < 0)
		return -1;
	return sh("ip link set lo up");
}

static struct nl *open_nl(void)
{
	struct nl *nl = NULL;

	assert_int_equal(nl_open(&nl, &observer), 0);
	assert_non_null(nl);
	return nl;
}

static int ifidx(const char *name)
{
	int i = (int)if_nametoindex(name);
	assert_true(i > 0);
	return i;
}

/* ---- dumps and events --------------------------------------------------- */

static void test_dump_all(void **state)
{
	struct nl *nl;
	const struct nl_link *lo, *d0;
	int i;

	assert_int_equal(sh("ip link add d0 type veth peer name d0p && ip link set d0 mtu 1400 up && ip link set d0p up"), 0);
	assert_int_equal(sh("ip addr add 2001:db8:1::1/64 dev d0 nodad"), 0);
	assert_int_equal(sh("ip addr add 192.0.2.1/24 dev d0"), 0);
	/* d0 came up before its peer: until linkwatch sees the carrier
	 * (asynchronous) its IPv6 address stays tentative and has no local
	 * route yet. The dump is to show what the kernel has, so wait for it. */
	assert_int_equal(sh("for i in $(seq 100); do ip -6 route show table local 2001:db8:1::1 | grep -q local && "
	                    "exit 0; sleep 0.05; done; exit 1"), 0);
	nl = open_nl();
	assert_int_equal(nl_dump_all(nl), 0);

	lo = find_link("lo", false);
	assert_non_null(lo);
	assert_int_equal(lo->ifindex, 1);
	assert_int_equal(lo->type, ARPHRD_LOOPBACK);
	assert_true(lo->flags & IFF_UP);

	d0 = find_link("d0", false);
	assert_non_null(d0);
	assert_int_equal(d0->ifindex, ifidx("d0"));
	assert_int_equal(d0->type, ARPHRD_ETHER);
	assert_int_equal(d0->mtu, 1400);
	assert_int_equal(d0->lladdr_len, 6);
	assert_true(d0->flags & IFF_UP);

	i = find_addr(d0->ifindex, "2001:db8:1::1", false);
	assert_true(i >= 0);
	assert_int_equal(rec.addr[i].a.plen, 64);
	assert_int_equal(rec.addr[i].a.scope, RT_SCOPE_UNIVERSE);
	assert_false(rec.addr[i].a.flags & IFA_F_TENTATIVE);
	i = find_addr(d0->ifindex, "192.0.2.1", false);
	assert_true(i >= 0);
	assert_int_equal(rec.addr[i].a.plen, 24);
	assert_true(find_addr(1, "::1", false) >= 0);
	/* A link-local appeared on d0 when it came up. */
	for (i = 0; i < rec.naddr; i++)
		if (rec.addr[i].a.ifindex == d0->ifindex && rec.addr[i].a.family == AF_INET6 &&
		    rec.addr[i].a.addr.s6_addr[0] == 0xfe && rec.addr[i].a.scope == RT_SCOPE_LINK)
			break;
	assert_true(i < rec.naddr);

	/* The connected route, and local routes from another table. */
	const struct nl_route *r = find_route("2001:db8:1::", 64, false);
	assert_non_null(r);
	assert_int_equal(r->oif, d0->ifindex);
	assert_int_equal(r->table, RT_TABLE_MAIN);
	assert_int_equal(r->protocol, RTPROT_KERNEL);
	r = find_route("2001:db8:1::1", 128, false);
	assert_non_null(r);
	assert_int_equal(r->table, RT_TABLE_LOCAL);
	assert_int_equal(r->type, RTN_LOCAL);

	struct nl_stats st;
	nl_get_stats(nl, &st);
	assert_int_equal(st.malformed, 0);
	assert_true(st.objects >= (uint64_t)(rec.nlink + rec.naddr + rec.nroute));
	nl_close(nl);
}

static void test_link_addr_events(void **state)
{
	struct nl *nl = open_nl();
	const struct nl_link *l;
	int idx, i;

	assert_int_equal(sh("ip link add d1 type veth peer name d1p"), 0);
	PUMP_UNTIL(nl, find_link("d1", false) != NULL);
	idx = ifidx("d1");
	l = find_link("d1", false);
	assert_int_equal(l->ifindex, idx);
	assert_false(l->flags & IFF_UP);

	assert_int_equal(sh("ip link set d1 up"), 0);
	PUMP_UNTIL(nl, (l = find_link("d1", false)) && (l->flags & IFF_UP));

	assert_int_equal(sh("ip addr add 2001:db8:2::1/64 dev d1"), 0); /* with DAD */
	PUMP_UNTIL(nl, find_addr(idx, "2001:db8:2::1", false) >= 0);
	i = find_addr(idx, "2001:db8:2::1", false);
	/* The peer is down, so DAD has not run: flags vary; what
	 * matters is the plen and the family. */
	assert_int_equal(rec.addr[i].a.plen, 64);
	assert_int_equal(rec.addr[i].a.family, AF_INET6);

	assert_int_equal(sh("ip addr add 198.51.100.7/32 dev d1"), 0);
	PUMP_UNTIL(nl, find_addr(idx, "198.51.100.7", false) >= 0);

	assert_int_equal(sh("ip addr del 2001:db8:2::1/64 dev d1"), 0);
	PUMP_UNTIL(nl, find_addr(idx, "2001:db8:2::1", true) >= 0);

	assert_int_equal(sh("ip link set d1 name d1renamed"), 0);
	PUMP_UNTIL(nl, find_link("d1renamed", false) != NULL);
	assert_int_equal(find_link("d1renamed", false)->ifindex, idx);

	assert_int_equal(sh("ip link del d1renamed"), 0);
	PUMP_UNTIL(nl, find_link("d1renamed", true) != NULL);
	assert_int_equal(find_link("d1renamed", true)->ifindex, idx);
	PUMP_UNTIL(nl, find_addr(idx, "198.51.100.7", true) >= 0);
	nl_close(nl);
}

/* ---- neighbours --------------------------------------------------------- */

static void test_neigh_get_and_events(void **state)
{
	struct nl *nl = open_nl();
	struct in6_addr a = a6("2001:db8:1::99"), missing = a6("2001:db8:1::98");
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct nl_neigh n;
	int v0;

	assert_int_equal(sh("ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up"), 0);
	v0 = ifidx("v0");
	assert_int_equal(sh("ip -6 neigh add 2001:db8:1::99 lladdr 02:00:00:00:00:99 dev v0 nud permanent"), 0);
	PUMP_UNTIL(nl, find_neigh("2001:db8:1::99", false) != NULL);
	assert_int_equal(find_neigh("2001:db8:1::99", false)->ifindex, v0);

	memset(&n, 0xaa, sizeof(n));
	assert_int_equal(nl_neigh_get(nl, v0, &a, &n), 0);
	assert_int_equal(n.ifindex, v0);
	assert_memory_equal(&n.addr, &a, 16);
	assert_int_equal(n.state, NUD_PERMANENT);
	assert_int_equal(n.lladdr_len, 6);
	assert_memory_equal(n.lladdr, mac, 6);

	assert_int_equal(nl_neigh_get(nl, v0, &missing, &n), -ENOENT);
	/* Known address, other interface. */
	assert_int_equal(nl_neigh_get(nl, ifidx("v1"), &a, &n), -ENOENT);
	assert_int_equal(nl_neigh_get(nl, 0, &a, &n), -EINVAL);

	assert_int_equal(find_neigh("2001:db8:1::99", false)->family, AF_INET6);
	assert_int_equal(n.family, AF_INET6);
	assert_int_equal(sh("ip -6 neigh del 2001:db8:1::99 dev v0"), 0);
	PUMP_UNTIL(nl, find_neigh("2001:db8:1::99", true) != NULL);
	assert_int_equal(nl_neigh_get(nl, v0, &a, &n), -ENOENT);

	struct nl_stats st;
	nl_get_stats(nl, &st);
	assert_int_equal(st.malformed, 0);
	nl_close(nl);
}

/* ARP entries come as AF_INET neighbours, v4-mapped, from events, dumps
 * and nl_neigh_get alike. */
static void test_neigh_ipv4(void **state)
{
	struct nl *nl = open_nl();
	struct in6_addr a = a6("::ffff:192.0.2.9"), missing = a6("::ffff:192.0.2.8");
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x09 };
	const struct nl_neigh *ev;
	struct nl_neigh n;
	struct kneigh kn;
	int v0;

	assert_int_equal(sh("ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up"), 0);
	v0 = ifidx("v0");
	assert_int_equal(sh("ip -4 neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev v0 nud permanent"), 0);
	PUMP_UNTIL(nl, find_neigh("::ffff:192.0.2.9", false) != NULL);
	ev = find_neigh("::ffff:192.0.2.9", false);
	assert_int_equal(ev->family, AF_INET);
	assert_int_equal(ev->ifindex, v0);
	assert_int_equal(ev->state, NUD_PERMANENT);
	assert_int_equal(ev->lladdr_len, 6);
	assert_memory_equal(ev->lladdr, mac, 6);
	nl_neigh_view(ev, &kn);
	assert_int_equal(kn.family, AF_INET);
	assert_memory_equal(&kn.addr, &a, 16);
	assert_int_equal(kn.ll.len, 6);

	memset(&n, 0xaa, sizeof(n));
	assert_int_equal(nl_neigh_get(nl, v0, &a, &n), 0);
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.ifindex, v0);
	assert_memory_equal(&n.addr, &a, 16);
	assert_int_equal(n.state, NUD_PERMANENT);
	assert_memory_equal(n.lladdr, mac, 6);
	assert_int_equal(nl_neigh_get(nl, v0, &missing, &n), -ENOENT);
	assert_int_equal(nl_neigh_get(nl, ifidx("v1"), &a, &n), -ENOENT);
	/* The same 4 bytes as an IPv6 address are another neighbour. */
	struct in6_addr compat = a6("::c000:209");
	assert_int_equal(nl_neigh_get(nl, v0, &compat, &n), -ENOENT);

	/* A dump reports it too, as IPv4. */
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(nl_dump_all(nl), 0);
	ev = find_neigh("::ffff:192.0.2.9", false);
	assert_non_null(ev);
	assert_int_equal(ev->family, AF_INET);

	assert_int_equal(sh("ip -4 neigh del 192.0.2.9 dev v0"), 0);
	PUMP_UNTIL(nl, find_neigh("::ffff:192.0.2.9", true) != NULL);
	assert_int_equal(find_neigh("::ffff:192.0.2.9", true)->family, AF_INET);
	assert_int_equal(nl_neigh_get(nl, v0, &a, &n), -ENOENT);

	struct nl_stats st;
	nl_get_stats(nl, &st);
	assert_int_equal(st.malformed, 0);
	nl_close(nl);
}

/* ---- routes ------------------------------------------------------------- */

static void test_route_add_replace_del(void **state)
{
	struct nl *nl = open_nl();
	struct in6_addr dst = a6("2001:db8:99::"), gw = a6("2001:db8:1::2");
	struct in6_addr probe = a6("2001:db8:99::5");
	struct nl_route r;
	char out[4096];
	int d0;

	assert_int_equal(sh("ip link add d0 type veth peer name d0p && ip link set d0 up && ip link set d0p up"), 0);
	assert_int_equal(sh("ip addr add 2001:db8:1::1/64 dev d0 nodad"), 0);
	d0 = ifidx("d0");

	assert_int_equal(nl_route_add(nl, &dst, 64, d0, NULL, 1024), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show proto 73"), 0);
	assert_non_null(strstr(out, "2001:db8:99::/64 dev d0"));
	assert_int_equal(str_count(out, "2001:db8:99::/64"), 1);

	assert_int_equal(nl_route_get(nl, &probe, &r), 0);
	assert_int_equal(r.oif, d0);
	assert_int_equal(r.protocol, ISLANDD_RTPROT);
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(r.plen, 64);
	assert_memory_equal(&r.dst, &dst, 16);
	assert_int_equal(r.metric, 1024);
	assert_false(r.has_gateway);

	/* The event for our own route. */
	PUMP_UNTIL(nl, find_route("2001:db8:99::", 64, false) != NULL);
	assert_int_equal(find_route("2001:db8:99::", 64, false)->protocol, ISLANDD_RTPROT);

	/* Adding it again is fine; with a gateway it replaces, not adds. */
	assert_int_equal(nl_route_add(nl, &dst, 64, d0, NULL, 1024), 0);
	assert_int_equal(nl_route_add(nl, &dst, 64, d0, &gw, 1024), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show proto 73"), 0);
	assert_int_equal(str_count(out, "2001:db8:99::/64"), 1);
	assert_non_null(strstr(out, "via 2001:db8:1::2 dev d0"));
	assert_int_equal(nl_route_get(nl, &probe, &r), 0);
	assert_true(r.has_gateway);
	assert_memory_equal(&r.gateway, &gw, 16);

	/* Host bits in dst are masked, as the kernel does. */
	assert_int_equal(nl_route_add(nl, &probe, 64, d0, &gw, 1024), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show proto 73"), 0);
	assert_int_equal(str_count(out, "2001:db8:99::/64"), 1);

	/* Another metric is another route. */
	assert_int_equal(nl_route_add(nl, &dst, 64, d0, NULL, 2000), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show proto 73"), 0);
	assert_int_equal(str_count(out, "2001:db8:99::/64"), 2);

	assert_int_equal(nl_route_del(nl, &dst, 64, d0, &gw, 1024), 0);
	assert_int_equal(nl_route_del(nl, &dst, 64, d0, &gw, 1024), -ESRCH);
	assert_int_equal(nl_route_del(nl, &dst, 64, d0, NULL, 2000), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show proto 73"), 0);
	assert_null(strstr(out, "2001:db8:99::"));
	PUMP_UNTIL(nl, find_route("2001:db8:99::", 64, true) != NULL);

	/* A route of another protocol is not ours to delete. */
	assert_int_equal(sh("ip -6 route add 2001:db8:77::/64 dev d0 proto static"), 0);
	struct in6_addr other = a6("2001:db8:77::");
	assert_int_equal(nl_route_del(nl, &other, 64, d0, NULL, 1024), -ESRCH);
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show 2001:db8:77::/64"), 0);
	assert_non_null(strstr(out, "2001:db8:77::/64 dev d0"));

	/* A /128 with a gateway only (the kernel finds the interface). */
	struct in6_addr host = a6("2001:db8:55::1");
	assert_int_equal(nl_route_add(nl, &host, 128, 0, &gw, 1024), 0);
	assert_int_equal(nl_route_get(nl, &host, &r), 0);
	assert_int_equal(r.oif, d0);
	assert_int_equal(r.plen, 128);
	/* Neither interface nor gateway: refused before the kernel sees it. */
	assert_int_equal(nl_route_add(nl, &host, 128, 0, NULL, 1024), -EINVAL);
	assert_int_equal(nl_route_add(nl, &host, 129, d0, NULL, 1024), -EINVAL);
	nl_close(nl);
}

static void test_route_get(void **state)
{
	struct nl *nl = open_nl();
	struct in6_addr nowhere = a6("2001:db8:dead::1"), onlink = a6("2001:db8:1::77");
	struct nl_route r;
	int d0;

	assert_int_equal(sh("ip link add d0 type veth peer name d0p && ip link set d0 up && ip link set d0p up"), 0);
	assert_int_equal(sh("ip addr add 2001:db8:1::1/64 dev d0 nodad"), 0);
	d0 = ifidx("d0");

	assert_int_equal(nl_route_get(nl, &nowhere, &r), -ENETUNREACH);
	assert_int_equal(nl_route_get(nl, &onlink, &r), 0);
	assert_int_equal(r.oif, d0);
	assert_int_equal(r.protocol, RTPROT_KERNEL);
	assert_int_equal(r.plen, 64);

	/* Routes that end nowhere are "no route" too, whatever the kernel's
	 * own error for them. */
	static const char *const kinds[] = { "unreachable", "blackhole", "prohibit", "throw" };
	for (int i = 0; i < 4; i++) {
		char dst[64];
		struct in6_addr probe;
		snprintf(dst, sizeof(dst), "2001:db8:dead:%x::1", i);
		probe = a6(dst);
		assert_int_equal(sh("ip -6 route add %s 2001:db8:dead:%x::/64", kinds[i], i), 0);
		assert_int_equal(nl_route_get(nl, &probe, &r), -ENETUNREACH);
	}

	/* A default route makes it reachable, through the default. */
	assert_int_equal(sh("ip -6 route add default via 2001:db8:1::fe dev d0"), 0);
	struct in6_addr far = a6("2001:db8:beef::1");
	assert_int_equal(nl_route_get(nl, &far, &r), 0);
	assert_int_equal(r.oif, d0);
	assert_int_equal(r.plen, 0);
	assert_true(r.has_gateway);
	nl_close(nl);
}

/* IPv4 routes through the same calls, named by v4-mapped addresses. */
static void test_route_ipv4(void **state)
{
	struct nl *nl = open_nl();
	struct in6_addr host = a6("::ffff:198.51.100.7"), net = a6("::ffff:203.0.113.0");
	struct in6_addr gw = a6("::ffff:192.0.2.2"), probe = a6("::ffff:203.0.113.9");
	struct in6_addr gw6 = a6("2001:db8:1::2"), dst6 = a6("2001:db8:99::");
	const struct nl_route *ev;
	struct nl_route r;
	struct kroute kr;
	char out[4096];
	int d0;

	assert_int_equal(sh("ip link add d0 type veth peer name d0p && ip link set d0 up && ip link set d0p up"), 0);
	assert_int_equal(sh("ip addr add 192.0.2.1/24 dev d0"), 0);
	d0 = ifidx("d0");

	/* A /32 to an interface, as the ARP proxy installs one. */
	assert_int_equal(nl_route_add(nl, &host, 32, d0, NULL, 1024), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -4 route show proto 73"), 0);
	assert_non_null(strstr(out, "198.51.100.7 dev d0 scope link metric 1024"));
	assert_int_equal(str_count(out, "198.51.100.7"), 1);
	PUMP_UNTIL(nl, find_route("::ffff:198.51.100.7", 32, false) != NULL);
	ev = find_route("::ffff:198.51.100.7", 32, false);
	assert_int_equal(ev->family, AF_INET);
	assert_int_equal(ev->oif, d0);
	assert_int_equal(ev->protocol, ISLANDD_RTPROT);
	assert_int_equal(ev->table, RT_TABLE_MAIN);
	nl_route_view(ev, &kr);
	assert_int_equal(kr.family, AF_INET);
	assert_int_equal(kr.plen, 32);
	assert_true(kr.ours);
	assert_true(kr.main_table);
	assert_memory_equal(&kr.dst, &host, 16);

	assert_int_equal(nl_route_get(nl, &host, &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.plen, 32);
	assert_int_equal(r.oif, d0);
	assert_int_equal(r.protocol, ISLANDD_RTPROT);
	assert_int_equal(r.metric, 1024);
	assert_memory_equal(&r.dst, &host, 16);
	assert_false(r.has_gateway);
	/* Again: replaced, not doubled. */
	assert_int_equal(nl_route_add(nl, &host, 32, d0, NULL, 1024), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -4 route show proto 73"), 0);
	assert_int_equal(str_count(out, "198.51.100.7"), 1);

	/* A prefix through a gateway; host bits masked. */
	assert_int_equal(nl_route_add(nl, &probe, 24, d0, &gw, 1024), 0);
	assert_int_equal(nl_route_add(nl, &net, 24, d0, &gw, 1024), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -4 route show proto 73"), 0);
	assert_non_null(strstr(out, "203.0.113.0/24 via 192.0.2.2 dev d0"));
	assert_int_equal(str_count(out, "203.0.113."), 1);
	assert_int_equal(nl_route_get(nl, &probe, &r), 0);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.plen, 24);
	assert_memory_equal(&r.dst, &net, 16);
	assert_true(r.has_gateway);
	assert_memory_equal(&r.gateway, &gw, 16);

	/* Families do not mix; IPv4 prefixes stop at 32. */
	assert_int_equal(nl_route_add(nl, &host, 32, d0, &gw6, 1024), -EINVAL);
	assert_int_equal(nl_route_add(nl, &dst6, 64, d0, &gw, 1024), -EINVAL);
	assert_int_equal(nl_route_add(nl, &host, 33, d0, NULL, 1024), -EINVAL);

	/* On-link and nowhere. */
	struct in6_addr onlink = a6("::ffff:192.0.2.77"), nowhere = a6("::ffff:10.255.0.1");
	assert_int_equal(nl_route_get(nl, &onlink, &r), 0);
	assert_int_equal(r.oif, d0);
	assert_int_equal(r.plen, 24);
	assert_int_equal(r.protocol, RTPROT_KERNEL);
	assert_int_equal(nl_route_get(nl, &nowhere, &r), -ENETUNREACH);
	assert_int_equal(sh("ip -4 route add unreachable 10.255.0.0/16"), 0);
	assert_int_equal(nl_route_get(nl, &nowhere, &r), -ENETUNREACH);

	/* Delete: ours go, twice is -ESRCH, the event says so. */
	assert_int_equal(nl_route_del(nl, &host, 32, d0, NULL, 1024), 0);
	assert_int_equal(nl_route_del(nl, &host, 32, d0, NULL, 1024), -ESRCH);
	assert_int_equal(nl_route_del(nl, &net, 24, d0, &gw, 1024), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -4 route show proto 73"), 0);
	assert_string_equal(out, "");
	PUMP_UNTIL(nl, find_route("::ffff:198.51.100.7", 32, true) != NULL);
	assert_int_equal(find_route("::ffff:198.51.100.7", 32, true)->family, AF_INET);

	/* Someone else's IPv4 route is not ours to delete. */
	assert_int_equal(sh("ip -4 route add 198.51.100.8/32 dev d0 metric 1024 proto static"), 0);
	struct in6_addr other = a6("::ffff:198.51.100.8");
	assert_int_equal(nl_route_del(nl, &other, 32, d0, NULL, 1024), -ESRCH);
	assert_int_equal(sh_out(out, sizeof(out), "ip -4 route show 198.51.100.8"), 0);
	assert_non_null(strstr(out, "198.51.100.8 dev d0"));

	struct nl_stats st;
	nl_get_stats(nl, &st);
	assert_int_equal(st.malformed, 0);
	nl_close(nl);
}

static bool match_not_b(void *ctx, const struct nl_route *r)
{
	struct in6_addr b = a6("2001:db8:b::");

	(*(int *)ctx)++;
	assert_int_equal(r->protocol, ISLANDD_RTPROT); /* only ours are offered */
	return !(r->plen == 64 && memcmp(&r->dst, &b, 16) == 0);
}

static void test_route_flush(void **state)
{
	struct nl *nl = open_nl();
	struct in6_addr a = a6("2001:db8:a::"), b = a6("2001:db8:b::"), c = a6("2001:db8:c::1");
	char out[4096];
	int d0, asked = 0;

	assert_int_equal(sh("ip link add d0 type veth peer name d0p && ip link set d0 up && ip link set d0p up"), 0);
	assert_int_equal(sh("ip addr add 2001:db8:1::1/64 dev d0 nodad"), 0);
	d0 = ifidx("d0");
	assert_int_equal(nl_route_add(nl, &a, 64, d0, NULL, 1024), 0);
	assert_int_equal(nl_route_add(nl, &b, 64, d0, NULL, 1024), 0);
	assert_int_equal(nl_route_add(nl, &c, 128, d0, NULL, 1024), 0);
	/* Someone else's routes, one on the same prefix as ours. */
	assert_int_equal(sh("ip -6 route add 2001:db8:d::/64 dev d0 proto static"), 0);
	assert_int_equal(sh("ip -6 route add 2001:db8:a::/64 dev d0 metric 5 proto static"), 0);
	/* Ours in another table (a crashed instance may have used one). */
	assert_int_equal(sh("ip -6 route add 2001:db8:e::/64 dev d0 table 100 proto 73"), 0);
	assert_int_equal(sh("ip -6 route add 2001:db8:f::/64 dev d0 table 1000 proto 73"), 0);

	assert_int_equal(nl_route_flush(nl, match_not_b, &asked), 4);
	assert_int_equal(asked, 5);
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show table all proto 73"), 0);
	assert_non_null(strstr(out, "2001:db8:b::/64"));
	assert_null(strstr(out, "2001:db8:a::"));
	assert_null(strstr(out, "2001:db8:c::1"));
	assert_null(strstr(out, "2001:db8:e::"));
	assert_null(strstr(out, "2001:db8:f::"));
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show proto static"), 0);
	assert_non_null(strstr(out, "2001:db8:d::/64"));
	assert_non_null(strstr(out, "2001:db8:a::/64"));

	/* NULL match: everything of ours. Then nothing is left. */
	assert_int_equal(nl_route_flush(nl, NULL, NULL), 1);
	assert_int_equal(nl_route_flush(nl, NULL, NULL), 0);
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show table all proto 73"), 0);
	assert_string_equal(out, "");
	nl_close(nl);
}

/* The crash cleanup's flush: protocol 73 of both families, nothing else. */
static bool count_families(void *ctx, const struct nl_route *r)
{
	int *n = ctx; /* [0] IPv6, [1] IPv4 */

	assert_int_equal(r->protocol, ISLANDD_RTPROT);
	if (r->family == AF_INET) {
		assert_true(IN6_IS_ADDR_V4MAPPED(&r->dst));
		assert_true(r->plen <= 32);
	}
	n[r->family == AF_INET]++;
	return true;
}

static void test_route_flush_both_families(void **state)
{
	struct nl *nl = open_nl();
	struct in6_addr a = a6("2001:db8:a::1"), h1 = a6("::ffff:198.51.100.1"), h2 = a6("::ffff:198.51.100.2");
	struct in6_addr net = a6("::ffff:203.0.113.0"), gw = a6("::ffff:192.0.2.2");
	char out[4096];
	int d0, seen[2] = { 0, 0 };

	assert_int_equal(sh("ip link add d0 type veth peer name d0p && ip link set d0 up && ip link set d0p up"), 0);
	assert_int_equal(sh("ip addr add 2001:db8:1::1/64 dev d0 nodad && ip addr add 192.0.2.1/24 dev d0"), 0);
	d0 = ifidx("d0");
	assert_int_equal(nl_route_add(nl, &a, 128, d0, NULL, 1024), 0);
	assert_int_equal(nl_route_add(nl, &h1, 32, d0, NULL, 1024), 0);
	assert_int_equal(nl_route_add(nl, &h2, 32, d0, NULL, 1024), 0);
	assert_int_equal(nl_route_add(nl, &net, 24, 0, &gw, 1024), 0);
	assert_int_equal(sh("ip -4 route add 198.51.100.3/32 dev d0 table 100 proto 73"), 0);
	/* Someone else's, one with the same destination as ours. */
	assert_int_equal(sh("ip -4 route add 198.51.100.1/32 dev d0 metric 5 proto static"), 0);
	assert_int_equal(sh("ip -4 route add 198.51.100.9/32 dev d0 proto static"), 0);
	assert_int_equal(sh("ip -6 route add 2001:db8:d::/64 dev d0 proto static"), 0);

	/* a; h1, h2, net and the one in table 100. */
	assert_int_equal(nl_route_flush(nl, count_families, seen), 5);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 4);
	assert_int_equal(sh_out(out, sizeof(out), "ip -4 route show table all proto 73"), 0);
	assert_string_equal(out, "");
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show table all proto 73"), 0);
	assert_string_equal(out, "");
	assert_int_equal(sh_out(out, sizeof(out), "ip -4 route show proto static"), 0);
	assert_non_null(strstr(out, "198.51.100.1 dev d0"));
	assert_non_null(strstr(out, "198.51.100.9 dev d0"));
	assert_int_equal(sh_out(out, sizeof(out), "ip -6 route show proto static"), 0);
	assert_non_null(strstr(out, "2001:db8:d::/64"));
	/* The kernel's own IPv4 routes stay. */
	assert_int_equal(sh_out(out, sizeof(out), "ip -4 route show dev d0 proto kernel"), 0);
	assert_non_null(strstr(out, "192.0.2.0/24"));
	assert_int_equal(nl_route_flush(nl, NULL, NULL), 0);
	nl_close(nl);
}

/* ---- overflow ----------------------------------------------------------- */

static void test_resync_after_overflow(void **state)
{
	struct nl *nl = open_nl();
	struct nl_stats st;
	int small = 1, idx, from;
	char addr[64];

	assert_int_equal(sh("ip link add d2 type veth peer name d2p && ip link set d2 up && ip link set d2p up"), 0);
	idx = ifidx("d2");
	/* Shrink the event queue (the kernel rounds up to its minimum) and
	 * make far more events than it holds without reading them. */
	assert_int_equal(setsockopt(nl_event_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &small, sizeof(small)), 0);
	assert_int_equal(sh("printf 'addr add 2001:db8:3::%%x/64 dev d2 nodad\\n' $(seq 1 200) | ip -batch -"), 0);
	pump_once(nl, 100);
	PUMP_UNTIL(nl, rec.resynced >= 1);
	nl_get_stats(nl, &st);
	assert_true(st.overruns >= 1);
	assert_true(st.resyncs >= 1);
	assert_true(rec.resync_begin >= 1);
	/* The re-dump reported every address. */
	from = rec.addr_at_begin;
	for (int i = 1; i <= 200; i++) {
		snprintf(addr, sizeof(addr), "2001:db8:3::%x", i);
		assert_true(find_addr_from(from, idx, addr, false) >= 0);
	}
	nl_close(nl);
}

/* Events queued before the overflow are older than the re-dump: applied
 * after it, they would resurrect what the lost events removed. */
static void test_resync_discards_stale_events(void **state)
{
	struct nl *nl = open_nl();
	int small = 1, idx;
	char addr[64];

	assert_int_equal(sh("ip link add d3 type veth peer name d3p && ip link set d3 up && ip link set d3p up"), 0);
	idx = ifidx("d3");
	/* Empty the queue first, so the addresses' own events fill it. */
	PUMP_UNTIL(nl, find_link("d3", false) != NULL);
	for (int i = 0; i < 5; i++)
		pump_once(nl, 20);
	assert_int_equal(setsockopt(nl_event_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &small, sizeof(small)), 0);
	assert_int_equal(sh("printf 'addr add 2001:db8:4::%%x/64 dev d3 nodad\\n' $(seq 1 100) | ip -batch -"), 0);
	assert_int_equal(sh("printf 'addr del 2001:db8:4::%%x/64 dev d3\\n' $(seq 1 100) | ip -batch -"), 0);
	PUMP_UNTIL(nl, rec.resynced >= 1);
	for (int i = 0; i < 10; i++)
		pump_once(nl, 30);
	/* Replayed in order, what the observer heard must end with every
	 * address gone. */
	for (int i = 1; i <= 100; i++) {
		int last_new, last_del;
		snprintf(addr, sizeof(addr), "2001:db8:4::%x", i);
		last_new = find_addr(idx, addr, false);
		last_del = find_addr(idx, addr, true);
		assert_true(last_new < 0 || last_del > last_new);
	}
	nl_close(nl);
}

/* ---- hostile input ------------------------------------------------------ */

static _Alignas(struct nlmsghdr) uint8_t mbuf[8192];

static struct nlmsghdr *msg(uint16_t type, void **hdr, size_t hdrlen)
{
	struct nlmsghdr *nlh;

	memset(mbuf, 0, sizeof(mbuf));
	nlh = mnl_nlmsg_put_header(mbuf);
	nlh->nlmsg_type = type;
	*hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

static struct nl_stats decode(struct nlmsghdr *nlh)
{
	struct nl_stats st = { 0 };

	nl_decode(&observer, &st, nlh, nlh->nlmsg_len);
	return st;
}

static struct nlmsghdr *link_msg(uint8_t family, int ifindex)
{
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = msg(RTM_NEWLINK, (void **)&ifm, sizeof(*ifm));

	ifm->ifi_family = family;
	ifm->ifi_index = ifindex;
	return nlh;
}

static void test_decode_hostile(void **state)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct nlmsghdr *nlh;
	struct nl_stats st;
	void *hdr;

	memset(&rec, 0, sizeof(rec));
	/* A good link first, so we know the decoder can say yes. */
	nlh = link_msg(AF_UNSPEC, 7);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth7");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	st = decode(nlh);
	assert_int_equal(st.objects, 1);
	assert_int_equal(rec.nlink, 1);
	assert_string_equal(rec.link[0].l.name, "eth7");
	assert_int_equal(rec.link[0].l.mtu, 1500);
	assert_int_equal(rec.link[0].l.lladdr_len, 6);

	/* Bridge-port message: ignored, not a link. */
	nlh = link_msg(AF_BRIDGE, 7);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth7");
	nlh->nlmsg_type = RTM_DELLINK;
	st = decode(nlh);
	assert_int_equal(st.ignored, 1);

	/* Name without NUL, name too long, MTU of 2 bytes, ifindex 0,
	 * 20-byte hardware address (kept, but without an address). */
	nlh = link_msg(AF_UNSPEC, 7);
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth7");
	assert_int_equal(decode(nlh).malformed, 1);
	nlh = link_msg(AF_UNSPEC, 7);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "a-name-longer-than-ifnamsiz");
	assert_int_equal(decode(nlh).malformed, 1);
	nlh = link_msg(AF_UNSPEC, 7);
	mnl_attr_put_u16(nlh, IFLA_MTU, 1500);
	assert_int_equal(decode(nlh).malformed, 1);
	nlh = link_msg(AF_UNSPEC, 0);
	assert_int_equal(decode(nlh).malformed, 1);
	nlh = link_msg(AF_UNSPEC, 8);
	uint8_t ib[20] = { 0 };
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(ib), ib);
	assert_int_equal(decode(nlh).objects, 1);
	assert_int_equal(rec.link[rec.nlink - 1].l.lladdr_len, 0);
	assert_int_equal(rec.nlink, 2);

	/* Header shorter than ifinfomsg. */
	nlh = link_msg(AF_UNSPEC, 7);
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(decode(nlh).malformed, 1);

	/* An attribute whose length runs past the message. */
	nlh = link_msg(AF_UNSPEC, 7);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	((struct nlattr *)((uint8_t *)nlh + NLMSG_HDRLEN + sizeof(struct ifinfomsg)))->nla_len = 200;
	st = decode(nlh);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.malformed, 1);

	/* Message length past the buffer: nothing decoded, counted. */
	nlh = link_msg(AF_UNSPEC, 7);
	st = (struct nl_stats){ 0 };
	nl_decode(&observer, &st, nlh, nlh->nlmsg_len - 1);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.malformed, 1);

	/* Addresses: v6 address of 4 bytes, plen 200, unknown family. */
	struct ifaddrmsg *ifa;
	nlh = msg(RTM_NEWADDR, &hdr, sizeof(*ifa));
	ifa = hdr;
	ifa->ifa_family = AF_INET6;
	ifa->ifa_index = 3;
	ifa->ifa_prefixlen = 64;
	mnl_attr_put_u32(nlh, IFA_ADDRESS, 0x01020304);
	assert_int_equal(decode(nlh).malformed, 1);
	nlh = msg(RTM_NEWADDR, &hdr, sizeof(*ifa));
	ifa = hdr;
	ifa->ifa_family = AF_INET6;
	ifa->ifa_index = 3;
	ifa->ifa_prefixlen = 200;
	mnl_attr_put(nlh, IFA_ADDRESS, 16, &in6addr_loopback);
	assert_int_equal(decode(nlh).malformed, 1);
	ifa->ifa_prefixlen = 128;
	ifa->ifa_flags = IFA_F_TENTATIVE;
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD | IFA_F_DADFAILED);
	assert_int_equal(decode(nlh).objects, 1);
	/* IFA_FLAGS wins over the 8-bit header field. */
	assert_int_equal(rec.addr[rec.naddr - 1].a.flags, IFA_F_NODAD | IFA_F_DADFAILED);
	ifa->ifa_index = 0x80000001u; /* would be a negative ifindex */
	assert_int_equal(decode(nlh).malformed, 1);
	ifa->ifa_index = 3;
	ifa->ifa_family = 99;
	assert_int_equal(decode(nlh).ignored, 1);
	/* No address at all. */
	nlh = msg(RTM_NEWADDR, &hdr, sizeof(*ifa));
	((struct ifaddrmsg *)hdr)->ifa_family = AF_INET;
	((struct ifaddrmsg *)hdr)->ifa_index = 3;
	assert_int_equal(decode(nlh).malformed, 1);
	/* Peer address on a p2p link: IFA_LOCAL is ours. */
	struct in_addr local = { htonl(0x0a000001) }, peer = { htonl(0x0a000002) };
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &peer);
	mnl_attr_put(nlh, IFA_LOCAL, 4, &local);
	assert_int_equal(decode(nlh).objects, 1);
	assert_int_equal(rec.addr[rec.naddr - 1].a.addr4.s_addr, local.s_addr);

	/* Neighbours: IPv4 kept v4-mapped, 4 bytes for IPv6 and 16 for
	 * IPv4 refused, bridge (fdb) ignored, oversized lladdr. */
	struct ndmsg *ndm;
	static const uint8_t n4[4] = { 192, 0, 2, 77 };
	nlh = msg(RTM_NEWNEIGH, &hdr, sizeof(*ndm));
	ndm = hdr;
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = 2;
	mnl_attr_put(nlh, NDA_DST, 4, n4);
	assert_int_equal(decode(nlh).objects, 1);
	assert_int_equal(rec.neigh[rec.nneigh - 1].n.family, AF_INET);
	assert_memory_equal(&rec.neigh[rec.nneigh - 1].n.addr, &a6_const("::ffff:192.0.2.77"), 16);
	ndm->ndm_family = AF_INET6;
	assert_int_equal(decode(nlh).malformed, 1);
	ndm->ndm_family = AF_BRIDGE;
	assert_int_equal(decode(nlh).ignored, 1);
	nlh = msg(RTM_NEWNEIGH, &hdr, sizeof(*ndm));
	ndm = hdr;
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = 2;
	mnl_attr_put(nlh, NDA_DST, 16, &in6addr_loopback);
	assert_int_equal(decode(nlh).malformed, 1);
	nlh = msg(RTM_NEWNEIGH, &hdr, sizeof(*ndm));
	ndm = hdr;
	ndm->ndm_family = AF_INET6;
	ndm->ndm_ifindex = 2;
	mnl_attr_put(nlh, NDA_DST, 16, &in6addr_loopback);
	mnl_attr_put(nlh, NDA_LLADDR, 20, ib);
	assert_int_equal(decode(nlh).malformed, 1);

	/* Routes: dst_len 200 (33 for IPv4), another family, a multipath
	 * whose first hop lies. */
	struct rtmsg *rtm;
	nlh = msg(RTM_NEWROUTE, &hdr, sizeof(*rtm));
	rtm = hdr;
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 200;
	assert_int_equal(decode(nlh).malformed, 1);
	rtm->rtm_family = AF_INET;
	assert_int_equal(decode(nlh).malformed, 1);
	rtm->rtm_dst_len = 33;
	assert_int_equal(decode(nlh).malformed, 1);
	rtm->rtm_family = 28; /* AF_MPLS */
	assert_int_equal(decode(nlh).ignored, 1);
	/* The IPv4 default route: no RTA_DST, dst 0.0.0.0 v4-mapped. */
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	assert_int_equal(decode(nlh).objects, 1);
	assert_int_equal(rec.route[rec.nroute - 1].r.family, AF_INET);
	assert_memory_equal(&rec.route[rec.nroute - 1].r.dst, &a6_const("::ffff:0.0.0.0"), 16);
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 0;
	struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);
	nh->rtnh_len = 100; /* longer than the attribute */
	nh->rtnh_ifindex = 5;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*nh));
	mnl_attr_nest_end(nlh, mp);
	assert_int_equal(decode(nlh).malformed, 1);
	nh->rtnh_len = sizeof(*nh);
	st = decode(nlh);
	assert_int_equal(st.objects, 1);
	assert_int_equal(rec.route[rec.nroute - 1].r.oif, 5);

	/* An unknown message type and a garbage buffer. */
	nlh = msg(RTM_NEWRULE, &hdr, 12);
	assert_int_equal(decode(nlh).ignored, 1);
	for (unsigned i = 0; i < sizeof(mbuf); i++)
		mbuf[i] = (uint8_t)(i * 7919u >> 3);
	st = (struct nl_stats){ 0 };
	nl_decode(&observer, &st, mbuf, sizeof(mbuf));
	assert_true(st.malformed + st.ignored >= 1);
	/* Misaligned buffer: refused, not read. */
	st = (struct nl_stats){ 0 };
	nl_decode(&observer, &st, mbuf + 1, 64);
	assert_int_equal(st.malformed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_hostile),
		cmocka_unit_test_setup(test_dump_all, setup_ns),
		cmocka_unit_test_setup(test_link_addr_events, setup_ns),
		cmocka_unit_test_setup(test_neigh_get_and_events, setup_ns),
		cmocka_unit_test_setup(test_route_add_replace_del, setup_ns),
		cmocka_unit_test_setup(test_route_get, setup_ns),
		cmocka_unit_test_setup(test_neigh_ipv4, setup_ns),
		cmocka_unit_test_setup(test_route_ipv4, setup_ns),
		cmocka_unit_test_setup(test_route_flush, setup_ns),
		cmocka_unit_test_setup(test_route_flush_both_families, setup_ns),
		cmocka_unit_test_setup(test_resync_after_overflow, setup_ns),
		cmocka_unit_test_setup(test_resync_discards_stale_events, setup_ns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
