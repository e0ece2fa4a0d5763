/* net/iftable.c: the interface mirror, fed with hand-made netlink objects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>
#include <string.h>

#include "net/iftable.h"
#include "net/netlink.h"

static struct nl_link mklink(int ifindex, const char *name, unsigned flags)
{
	struct nl_link l;

	memset(&l, 0, sizeof(l));
	l.ifindex = ifindex;
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.flags = flags;
	l.type = ARPHRD_ETHER;
	l.mtu = 1500;
	l.lladdr_len = 6;
	l.lladdr[0] = 0x02;
	l.lladdr[5] = (uint8_t)ifindex;
	return l;
}

static struct nl_addr mkaddr6(int ifindex, const char *s, uint32_t flags)
{
	struct nl_addr a;

	memset(&a, 0, sizeof(a));
	a.ifindex = ifindex;
	a.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, s, &a.addr), 1);
	a.plen = 64;
	a.flags = flags;
	return a;
}

static struct nl_addr mkaddr4(int ifindex, const char *s)
{
	struct nl_addr a;

	memset(&a, 0, sizeof(a));
	a.ifindex = ifindex;
	a.family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, &a.addr4), 1);
	a.plen = 24;
	return a;
}

static bool ll_is(const struct iface *ifc, const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return ifc->has_ll && memcmp(&ifc->ll, &a, sizeof(a)) == 0;
}

static bool v4_is(const struct iface *ifc, const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ifc->has_v4 && ifc->v4.s_addr == a.s_addr;
}

static void test_links(void **state)
{
	struct iftable *t = iftable_new(4);
	struct nl_link l = mklink(2, "eth0", IFF_UP);
	const struct iface *ifc;

	assert_non_null(t);
	assert_null(iftable_new(0));
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_NEW);
	assert_int_equal(iftable_count(t), 1);
	ifc = iftable_by_index(t, 2);
	assert_non_null(ifc);
	assert_ptr_equal(iftable_by_name(t, "eth0"), ifc);
	assert_string_equal(ifc->name, "eth0");
	assert_true(ifc->up);
	assert_false(ifc->running);
	assert_int_equal(ifc->type, ARPHRD_ETHER);
	assert_int_equal(ifc->mtu, 1500);
	assert_int_equal(ifc->lladdr_len, 6);
	assert_int_equal(ifc->lladdr[5], 2);
	assert_false(ifc->has_ll);
	assert_false(ifc->has_v4);

	/* The same again changes nothing; each field reports its own bit. */
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), 0);
	l.flags = IFF_UP | IFF_RUNNING;
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_STATE);
	assert_true(ifc->running);
	l.mtu = 1280;
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_MTU);
	l.lladdr[5] = 0x55;
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_LLADDR);
	assert_int_equal(ifc->lladdr[5], 0x55);
	snprintf(l.name, sizeof(l.name), "lan0");
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_NAME);
	assert_null(iftable_by_name(t, "eth0"));
	assert_ptr_equal(iftable_by_name(t, "lan0"), ifc);
	l.flags = 0;
	l.mtu = 9000;
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_STATE | IFACE_MTU);
	assert_false(ifc->up);
	assert_false(ifc->running);

	/* An L3 link: no hardware address. */
	struct nl_link tun = mklink(5, "tun0", IFF_UP | IFF_RUNNING);
	tun.type = ARPHRD_NONE;
	tun.lladdr_len = 0;
	assert_int_equal(iftable_on_link(t, &tun, false, NULL, NULL), IFACE_NEW);
	assert_int_equal(iftable_by_index(t, 5)->lladdr_len, 0);

	/* Unknown lookups. */
	assert_null(iftable_by_index(t, 99));
	assert_null(iftable_by_index(t, 0));
	assert_null(iftable_by_index(t, -1));
	assert_null(iftable_by_name(t, "nope"));
	assert_null(iftable_by_name(t, ""));

	/* Delete: gone from both lookups; deleting again is nothing. */
	assert_int_equal(iftable_on_link(t, &l, true, NULL, NULL), IFACE_GONE);
	assert_null(iftable_by_index(t, 2));
	assert_null(iftable_by_name(t, "lan0"));
	assert_int_equal(iftable_count(t), 1);
	assert_int_equal(iftable_on_link(t, &l, true, NULL, NULL), 0);
	iftable_free(t);
}

static void test_capacity(void **state)
{
	struct iftable *t = iftable_new(3);
	const struct iface *first;

	for (int i = 1; i <= 3; i++) {
		char name[16];
		snprintf(name, sizeof(name), "if%d", i);
		struct nl_link l = mklink(i * 10, name, 0);
		assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_NEW);
	}
	first = iftable_by_index(t, 10);
	struct nl_link extra = mklink(40, "if4", 0);
	assert_int_equal(iftable_on_link(t, &extra, false, NULL, NULL), -ENOSPC);
	assert_int_equal(iftable_count(t), 3);
	assert_null(iftable_by_index(t, 40));
	/* Existing entries still update when full. */
	struct nl_link l10 = mklink(10, "if1", IFF_UP);
	assert_int_equal(iftable_on_link(t, &l10, false, NULL, NULL), IFACE_STATE);
	/* A freed slot is reused; the others do not move. */
	struct nl_link l20 = mklink(20, "if2", 0);
	assert_int_equal(iftable_on_link(t, &l20, true, NULL, NULL), IFACE_GONE);
	assert_int_equal(iftable_on_link(t, &extra, false, NULL, NULL), IFACE_NEW);
	assert_ptr_equal(iftable_by_index(t, 10), first);
	assert_string_equal(iftable_by_index(t, 40)->name, "if4");
	assert_int_equal(iftable_count(t), 3);
	/* Links with nonsense indexes are ignored. */
	struct nl_link bad = mklink(0, "zero", 0);
	assert_int_equal(iftable_on_link(t, &bad, false, NULL, NULL), 0);
	iftable_free(t);
}

static void test_link_local(void **state)
{
	struct iftable *t = iftable_new(4);
	struct nl_link l = mklink(3, "wlan0", IFF_UP | IFF_RUNNING);
	const struct iface *ifc;
	struct nl_addr a;

	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_NEW);
	ifc = iftable_by_index(t, 3);

	/* Global addresses are not link-local candidates. */
	a = mkaddr6(3, "2001:db8::1", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_false(ifc->has_ll);

	/* Tentative: remembered, not chosen. Then DAD completes. */
	a = mkaddr6(3, "fe80::1", IFA_F_TENTATIVE | IFA_F_PERMANENT);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_false(ifc->has_ll);
	a.flags = IFA_F_PERMANENT;
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), IFACE_LL);
	assert_true(ll_is(ifc, "fe80::1"));

	/* A second one does not replace the first. */
	a = mkaddr6(3, "fe80::2", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_true(ll_is(ifc, "fe80::1"));
	/* A third, tentative. */
	a = mkaddr6(3, "fe80::3", IFA_F_TENTATIVE);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);

	/* The chosen one goes: the next usable takes over. */
	a = mkaddr6(3, "fe80::1", 0);
	assert_int_equal(iftable_on_addr(t, &a, true, NULL, NULL), IFACE_LL);
	assert_true(ll_is(ifc, "fe80::2"));
	/* fe80::2 fails DAD (late): fe80::3 is still tentative, none usable. */
	a = mkaddr6(3, "fe80::2", IFA_F_DADFAILED | IFA_F_TENTATIVE);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), IFACE_LL);
	assert_false(ifc->has_ll);
	a = mkaddr6(3, "fe80::3", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), IFACE_LL);
	assert_true(ll_is(ifc, "fe80::3"));
	/* fe80::1 returns: fe80::3 stays (no flapping between addresses). */
	a = mkaddr6(3, "fe80::1", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_true(ll_is(ifc, "fe80::3"));
	/* Deleting an address never seen changes nothing. */
	a = mkaddr6(3, "fe80::99", 0);
	assert_int_equal(iftable_on_addr(t, &a, true, NULL, NULL), 0);
	iftable_free(t);

	/* Stickiness: an older candidate finishing DAD later does not take
	 * over from the one already chosen. */
	t = iftable_new(1);
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_NEW);
	ifc = iftable_by_index(t, 3);
	a = mkaddr6(3, "fe80::a", IFA_F_TENTATIVE);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	a = mkaddr6(3, "fe80::b", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), IFACE_LL);
	a = mkaddr6(3, "fe80::a", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_true(ll_is(ifc, "fe80::b"));
	/* Now fe80::b goes: the oldest usable, fe80::a, is next. */
	a = mkaddr6(3, "fe80::b", 0);
	assert_int_equal(iftable_on_addr(t, &a, true, NULL, NULL), IFACE_LL);
	assert_true(ll_is(ifc, "fe80::a"));
	a = mkaddr6(3, "fe80::a", 0);
	assert_int_equal(iftable_on_addr(t, &a, true, NULL, NULL), IFACE_LL);
	assert_false(ifc->has_ll);
	for (const char *p = "123"; *p; p++) {
		char s6[16];
		snprintf(s6, sizeof(s6), "fe80::%c", *p);
		a = mkaddr6(3, s6, 0);
		(void)iftable_on_addr(t, &a, false, NULL, NULL);
	}
	assert_true(ll_is(ifc, "fe80::1"));
	a = mkaddr6(3, "fe80::99", 0);
	assert_int_equal(iftable_on_addr(t, &a, true, NULL, NULL), 0);

	/* Candidates are bounded: the table has 3 (fe80::2, ::3, ::1); one
	 * more fits, a fifth is not remembered. */
	a = mkaddr6(3, "fe80::4", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	a = mkaddr6(3, "fe80::5", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_int_equal(ifc->n_ll, IFACE_ADDR_CANDIDATES);
	/* Remove all but the unremembered fe80::5: has_ll ends false. */
	const char *gone[] = { "fe80::3", "fe80::1", "fe80::4", "fe80::2" };
	for (int i = 0; i < 4; i++) {
		a = mkaddr6(3, gone[i], 0);
		(void)iftable_on_addr(t, &a, true, NULL, NULL);
	}
	assert_false(ifc->has_ll);
	assert_int_equal(ifc->n_ll, 0);

	/* Addresses of unknown interfaces are ignored. */
	a = mkaddr6(77, "fe80::1", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	/* Other families too. */
	a = mkaddr6(3, "fe80::1", 0);
	a.family = 99;
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_false(ifc->has_ll);
	iftable_free(t);
}

static void test_ipv4(void **state)
{
	struct iftable *t = iftable_new(2);
	struct nl_link l = mklink(4, "eth1", IFF_UP);
	const struct iface *ifc;
	struct nl_addr a;

	iftable_on_link(t, &l, false, NULL, NULL);
	ifc = iftable_by_index(t, 4);
	a = mkaddr4(4, "192.0.2.1");
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), IFACE_V4);
	assert_true(v4_is(ifc, "192.0.2.1"));
	assert_int_equal(ifc->v4_plen, 24);
	a = mkaddr4(4, "198.51.100.1");
	a.plen = 30;
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_true(v4_is(ifc, "192.0.2.1"));
	assert_int_equal(ifc->v4_plen, 24);
	/* The chosen address with another prefix length is a change. */
	a = mkaddr4(4, "192.0.2.1");
	a.plen = 16;
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), IFACE_V4);
	assert_int_equal(ifc->v4_plen, 16);
	assert_int_equal(iftable_on_addr(t, &a, false, NULL, NULL), 0);
	assert_int_equal(iftable_on_addr(t, &a, true, NULL, NULL), IFACE_V4);
	assert_true(v4_is(ifc, "198.51.100.1"));
	assert_int_equal(ifc->v4_plen, 30);
	a = mkaddr4(4, "198.51.100.1");
	assert_int_equal(iftable_on_addr(t, &a, true, NULL, NULL), IFACE_V4);
	assert_false(ifc->has_v4);
	/* Bounded: the fifth and sixth are not remembered. */
	for (int i = 1; i <= 6; i++) {
		char s4[32];
		snprintf(s4, sizeof(s4), "10.0.0.%d", i);
		a = mkaddr4(4, s4);
		(void)iftable_on_addr(t, &a, false, NULL, NULL);
	}
	assert_int_equal(ifc->n_v4, IFACE_ADDR_CANDIDATES);
	assert_true(v4_is(ifc, "10.0.0.1"));
	for (int i = 1; i <= 4; i++) {
		char s4[32];
		snprintf(s4, sizeof(s4), "10.0.0.%d", i);
		a = mkaddr4(4, s4);
		(void)iftable_on_addr(t, &a, true, NULL, NULL);
	}
	assert_false(ifc->has_v4);
	/* Addresses are dropped with their link. */
	a = mkaddr4(4, "203.0.113.9");
	iftable_on_addr(t, &a, false, NULL, NULL);
	assert_int_equal(iftable_on_link(t, &l, true, NULL, NULL), IFACE_GONE);
	assert_int_equal(iftable_on_link(t, &l, false, NULL, NULL), IFACE_NEW);
	assert_false(iftable_by_index(t, 4)->has_v4);
	iftable_free(t);
}

struct seen {
	int n;
	int ifindex[8];
	unsigned changes[8];
	char name[8][IF_NAMESIZE];
};

static int count_cb(void *ctx, const struct iface *ifc)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->ifindex[s->n] = ifc->ifindex;
	s->n++;
	return ifc->ifindex == 30 ? 42 : 0;
}

static void test_foreach(void **state)
{
	struct iftable *t = iftable_new(8);
	struct seen s = { 0 };

	assert_int_equal(iftable_foreach(t, count_cb, &s), 0);
	assert_int_equal(s.n, 0);
	for (int i = 1; i <= 4; i++) {
		struct nl_link l = mklink(i * 10, "x", 0);
		iftable_on_link(t, &l, false, NULL, NULL);
	}
	assert_int_equal(iftable_foreach(t, count_cb, &s), 42); /* stopped at 30 */
	assert_int_equal(s.n, 3);
	iftable_free(t);
}

static void changed_cb(void *ctx, const struct iface *ifc, unsigned changes)
{
	struct seen *s = ctx;

	if (s->n < 8) {
		s->ifindex[s->n] = ifc->ifindex;
		s->changes[s->n] = changes;
		snprintf(s->name[s->n], IF_NAMESIZE, "%s", ifc->name);
	}
	s->n++;
}

static void test_resync(void **state)
{
	struct iftable *t = iftable_new(8);
	struct nl_link keep = mklink(2, "keep", IFF_UP), lost = mklink(3, "lost", IFF_UP);
	struct nl_addr ll1 = mkaddr6(2, "fe80::1", 0), ll2 = mkaddr6(2, "fe80::2", 0);
	struct nl_addr v4 = mkaddr4(2, "192.0.2.1");
	struct seen s = { 0 };

	iftable_on_link(t, &keep, false, NULL, NULL);
	iftable_on_link(t, &lost, false, NULL, NULL);
	iftable_on_addr(t, &ll1, false, NULL, NULL);
	iftable_on_addr(t, &ll2, false, NULL, NULL);
	iftable_on_addr(t, &v4, false, NULL, NULL);
	assert_true(ll_is(iftable_by_index(t, 2), "fe80::1"));

	/* Events lost: "lost" and fe80::1 and the IPv4 address went away.
	 * The re-dump reports what is left. */
	iftable_resync_begin(t);
	iftable_on_link(t, &keep, false, NULL, NULL);
	iftable_on_addr(t, &ll2, false, NULL, NULL);
	assert_int_equal(iftable_resync_end(t, changed_cb, &s), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ifindex[0], 2);
	assert_int_equal(s.changes[0], IFACE_LL | IFACE_V4);
	assert_int_equal(s.ifindex[1], 3);
	assert_int_equal(s.changes[1], IFACE_GONE);
	assert_string_equal(s.name[1], "lost"); /* still readable in the callback */
	assert_null(iftable_by_index(t, 3));
	assert_true(ll_is(iftable_by_index(t, 2), "fe80::2"));
	assert_false(iftable_by_index(t, 2)->has_v4);
	assert_int_equal(iftable_count(t), 1);

	/* Nothing lost this time: nothing reported. */
	memset(&s, 0, sizeof(s));
	iftable_resync_begin(t);
	iftable_on_link(t, &keep, false, NULL, NULL);
	iftable_on_addr(t, &ll2, false, NULL, NULL);
	assert_int_equal(iftable_resync_end(t, changed_cb, &s), 0);
	assert_int_equal(s.n, 0);
	assert_true(ll_is(iftable_by_index(t, 2), "fe80::2"));
	/* NULL callback is fine. */
	iftable_resync_begin(t);
	assert_int_equal(iftable_resync_end(t, NULL, NULL), 1);
	assert_int_equal(iftable_count(t), 0);
	iftable_free(t);
}

/* What engines are told: the entry and the change, a deleted one while
 * its name and index can still be read; nothing when nothing changed. */
struct told {
	int calls;
	unsigned changes;
	char name[IF_NAMESIZE];
	int ifindex;
};

static void record_change(void *ctx, const struct iface *ifc, unsigned changes)
{
	struct told *s = ctx;
	s->calls++;
	s->changes = changes;
	s->ifindex = ifc->ifindex;
	snprintf(s->name, sizeof(s->name), "%s", ifc->name);
}

static void test_changes_reach_the_callback(void **state)
{
	struct iftable *t = iftable_new(4);
	struct nl_link l = mklink(3, "eth0", IFF_UP | IFF_RUNNING);
	struct told s = { 0 };

	assert_int_equal(iftable_on_link(t, &l, false, record_change, &s), IFACE_NEW);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.changes, IFACE_NEW);
	assert_int_equal(iftable_on_link(t, &l, false, record_change, &s), 0);
	assert_int_equal(s.calls, 1);               /* the same link again: no news */
	l.mtu = 1400;
	l.lladdr[5] = 0x99;
	assert_int_equal(iftable_on_link(t, &l, false, record_change, &s), IFACE_MTU | IFACE_LLADDR);
	assert_int_equal(s.changes, IFACE_MTU | IFACE_LLADDR);
	struct nl_addr a = mkaddr6(3, "fe80::1", 0);
	assert_int_equal(iftable_on_addr(t, &a, false, record_change, &s), IFACE_LL);
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.changes, IFACE_LL);
	assert_int_equal(iftable_on_link(t, &l, true, record_change, &s), IFACE_GONE);
	assert_int_equal(s.calls, 4);
	assert_int_equal(s.changes, IFACE_GONE);
	assert_string_equal(s.name, "eth0");
	assert_int_equal(s.ifindex, 3);
	assert_null(iftable_by_index(t, 3));
	iftable_free(t);
}

static void test_addr_view(void **state)
{
	struct iface_addr ia;
	struct nl_addr a4 = mkaddr4(2, "192.0.2.7");
	a4.plen = 40;                                /* nonsense from the wire: clamped */
	assert_true(iftable_addr_of(&a4, &ia));
	assert_int_equal(ia.family, AF_INET);
	assert_int_equal(ia.plen, 32);
	assert_true(ia.usable);
	assert_true(IN6_IS_ADDR_V4MAPPED(&ia.addr));
	assert_memory_equal(&ia.addr.s6_addr[12], &a4.addr4, 4);
	struct nl_addr a6 = mkaddr6(2, "2001:db8::1", IFA_F_TENTATIVE);
	assert_true(iftable_addr_of(&a6, &ia));
	assert_false(ia.usable);
	assert_int_equal(ia.plen, 64);
	a6.family = AF_PACKET;
	assert_false(iftable_addr_of(&a6, &ia));
}

/* Neighbours and routes as engines see them (net/kview.h). */
static void test_kernel_views(void **state)
{
	struct nl_neigh nn = { .ifindex = 4, .state = 0x02, .flags = NTF_PROXY, .lladdr_len = 6,
	                       .lladdr = { 2, 0, 0, 0, 0, 9 } };
	struct kneigh n;
	nl_neigh_view(&nn, &n);
	assert_true(n.proxy);
	assert_int_equal(n.state, 0x02);
	assert_int_equal(n.ll.len, 6);
	assert_int_equal(n.ll.addr[5], 9);
	nn.flags = 0;
	nn.lladdr_len = 200;                         /* longer than any we carry: none */
	nl_neigh_view(&nn, &n);
	assert_false(n.proxy);
	assert_int_equal(n.ll.len, 0);
	struct nl_route nr = { .plen = 128, .protocol = ISLANDD_RTPROT, .table = RT_TABLE_MAIN, .oif = 5 };
	struct kroute r;
	nl_route_view(&nr, &r);
	assert_true(r.ours);
	assert_true(r.main_table);
	assert_int_equal(r.oif, 5);
	nr.protocol = 4;
	nr.table = 100;
	nl_route_view(&nr, &r);
	assert_false(r.ours);
	assert_false(r.main_table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_link_local),
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_changes_reach_the_callback),
		cmocka_unit_test(test_addr_view),
		cmocka_unit_test(test_kernel_views),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
