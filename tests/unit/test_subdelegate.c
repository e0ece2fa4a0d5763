/* Sub-delegation of a DHCPv6-PD lease (src/dhcp6pd/subdelegate.c) with
 * fake ops that keep the kernel's addresses and routes and the advertiser's
 * dynamic prefixes as tables, on the fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dhcp6pd/hooks.h"
#include "dhcp6pd/subdelegate.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "fake_loop.h"

enum { IF_WLAN0 = 2, IF_ETH0 = 3, IF_ETH1 = 4, IF_BRA = 5, IF_BRB = 6 };

static struct iftable *ifs;

static struct in6_addr addr6(const char *s)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* --- the fake kernel and advertiser -------------------------------------- */

struct kaddr {
	bool used;
	int ifindex;
	struct in6_addr addr;
	uint32_t pref, valid;
};
static struct kaddr kaddrs[64];

struct kroute6 {
	bool used;
	struct in6_addr dst;
	uint8_t plen;
	bool unreachable;
};
static struct kroute6 kroutes[16];

struct radyn {
	char name[IF_NAMESIZE];
	bool set;
	struct ra_dynamic d;
	unsigned calls;
};
static struct radyn radyns[8];

struct hookrec {
	char reason[16];
	bool has_old;
	struct in6_addr old;
	size_t n_subnets;
	struct subd_subnet subnets[SUBD_MAX_LINKS];
};
static struct hookrec hooks[16];
static unsigned n_hooks;

static struct kaddr *kaddr_find(int ifindex, const struct in6_addr *a)
{
	for (size_t i = 0; i < 64; i++)
		if (kaddrs[i].used && kaddrs[i].ifindex == ifindex && memcmp(&kaddrs[i].addr, a, 16) == 0)
			return &kaddrs[i];
	return NULL;
}

static int f_addr_add(void *ctx, int ifindex, const struct in6_addr *addr, uint8_t plen, uint32_t pref, uint32_t valid)
{
	assert_int_equal(plen, 64);
	assert_true(pref <= valid);
	struct kaddr *k = kaddr_find(ifindex, addr);
	for (size_t i = 0; !k && i < 64; i++)
		if (!kaddrs[i].used)
			k = &kaddrs[i];
	assert_non_null(k);
	*k = (struct kaddr){ true, ifindex, *addr, pref, valid };
	return 0;
}

static int f_addr_del(void *ctx, int ifindex, const struct in6_addr *addr, uint8_t plen)
{
	struct kaddr *k = kaddr_find(ifindex, addr);
	if (!k)
		return -EADDRNOTAVAIL;
	k->used = false;
	return 0;
}

static struct kroute6 *kroute_find(const struct in6_addr *dst, uint8_t plen)
{
	for (size_t i = 0; i < 16; i++)
		if (kroutes[i].used && kroutes[i].plen == plen && memcmp(&kroutes[i].dst, dst, 16) == 0)
			return &kroutes[i];
	return NULL;
}

static int f_route_add(void *ctx, const struct in6_addr *dst, uint8_t plen, int oif, bool unreachable)
{
	if (kroute_find(dst, plen))
		return -EEXIST;
	for (size_t i = 0; i < 16; i++)
		if (!kroutes[i].used) {
			kroutes[i] = (struct kroute6){ true, *dst, plen, unreachable };
			return 0;
		}
	fail();
	return -ENOSPC;
}

static int f_route_del(void *ctx, const struct in6_addr *dst, uint8_t plen, int oif, bool unreachable)
{
	struct kroute6 *r = kroute_find(dst, plen);
	if (!r)
		return -ESRCH;
	r->used = false;
	return 0;
}

static struct radyn *radyn_of(const char *name)
{
	for (size_t i = 0; i < 8; i++)
		if (radyns[i].name[0] && strcmp(radyns[i].name, name) == 0)
			return &radyns[i];
	return NULL;
}

static int f_ra_set(void *ctx, const char *ifname, const struct ra_dynamic *d)
{
	struct radyn *r = radyn_of(ifname);
	for (size_t i = 0; !r && i < 8; i++)
		if (!radyns[i].name[0]) {
			r = &radyns[i];
			snprintf(r->name, sizeof(r->name), "%s", ifname);
		}
	assert_non_null(r);
	r->set = d != NULL;
	if (d)
		r->d = *d;
	r->calls++;
	return 0;
}

static void f_hook(void *ctx, const struct subd_hook_event *ev)
{
	assert_true(n_hooks < 16);
	struct hookrec *h = &hooks[n_hooks++];
	snprintf(h->reason, sizeof(h->reason), "%s", ev->reason);
	h->has_old = ev->has_old;
	h->old = ev->old_prefix;
	h->n_subnets = ev->n_subnets;
	memcpy(h->subnets, ev->subnets, ev->n_subnets * sizeof(ev->subnets[0]));
}

static const struct subd_ops fake_ops = {
	.addr_add = f_addr_add, .addr_del = f_addr_del, .route_add = f_route_add, .route_del = f_route_del,
	.ra_set_prefixes = f_ra_set, .run_hook = f_hook, .now_ms = fake_now_ms,
};

/* --- setup --------------------------------------------------------------- */

static void if_add(int ifindex, const char *name)
{
	struct nl_link l = { .ifindex = ifindex, .flags = IFF_UP | IFF_RUNNING, .mtu = 1500, .lladdr_len = 6,
	                     .lladdr = { 0x02, 0, 0, 0, 0, (uint8_t)ifindex } };
	snprintf(l.name, sizeof(l.name), "%s", name);
	iftable_on_link(ifs, &l, false, NULL, NULL);
}

static void reset(void)
{
	fake_loop_reset(1000000);
	memset(kaddrs, 0, sizeof(kaddrs));
	memset(kroutes, 0, sizeof(kroutes));
	memset(radyns, 0, sizeof(radyns));
	n_hooks = 0;
	if (ifs)
		iftable_free(ifs);
	ifs = iftable_new(16);
	if_add(IF_WLAN0, "wlan0");
	if_add(IF_ETH0, "eth0");
	if_add(IF_ETH1, "eth1");
}

/* dhcp6-pd wlan0 { iface eth0 { subnet 1 }  iface eth1  iface br-* } */
static struct subd_conf the_conf(void)
{
	struct subd_conf c = { .upstream = "wlan0", .n_links = 3 };
	c.links[0] = (struct subd_link_conf){ "eth0", 1 };
	c.links[1] = (struct subd_link_conf){ "eth1", SUBD_SUBNET_AUTO };
	c.links[2] = (struct subd_link_conf){ "br-*", SUBD_SUBNET_AUTO };
	return c;
}

static struct pd_lease lease_of(const char *prefix, uint8_t plen, uint32_t pref, uint32_t valid)
{
	struct pd_lease l;
	memset(&l, 0, sizeof(l));
	l.upstream_ifindex = IF_WLAN0;
	l.state = PD_BOUND;
	l.n_prefixes = 1;
	l.prefixes[0] = (struct pd_prefix){ .prefix = addr6(prefix), .plen = plen, .preferred_s = pref,
	                                    .valid_s = valid, .acquired_ms = fake_ms() };
	l.n_dns = 1;
	l.dns[0] = addr6("2001:db8::53");
	l.n_domains = 1;
	snprintf(l.domains[0], sizeof(l.domains[0]), "isp.example");
	return l;
}

static const struct kaddr *has_addr(int ifindex, const char *a)
{
	struct in6_addr x = addr6(a);
	return kaddr_find(ifindex, &x);
}

static bool has_unreachable(const char *dst, uint8_t plen)
{
	struct in6_addr d = addr6(dst);
	const struct kroute6 *r = kroute_find(&d, plen);
	return r && r->unreachable;
}

static const struct ra_dyn_prefix *ra_prefix(const char *ifname, const char *p)
{
	struct radyn *r = radyn_of(ifname);
	if (!r || !r->set)
		return NULL;
	struct in6_addr x = addr6(p);
	for (size_t i = 0; i < r->d.n_prefixes; i++)
		if (memcmp(&r->d.prefixes[i].prefix, &x, 16) == 0 && r->d.prefixes[i].plen == 64)
			return &r->d.prefixes[i];
	return NULL;
}

/* --- tests --------------------------------------------------------------- */

static void test_subnet_math(void **state)
{
	struct in6_addr out, p = addr6("2001:db8:1200::");
	assert_true(subdelegate_subnet_prefix(&p, 56, 1, &out));
	struct in6_addr want = addr6("2001:db8:1200:1::");
	assert_memory_equal(&out, &want, 16);
	assert_true(subdelegate_subnet_prefix(&p, 56, 255, &out));
	assert_int_equal(out.s6_addr[7], 0xff);
	assert_false(subdelegate_subnet_prefix(&p, 56, 256, &out));
	assert_false(subdelegate_subnet_prefix(&p, 64, 1, &out));
	assert_true(subdelegate_subnet_prefix(&p, 64, 0, &out));
	struct in6_addr q = addr6("2001:db8:1234:5678::"); /* bits past the /48 are cleared */
	assert_true(subdelegate_subnet_prefix(&q, 48, 0xabcd, &out));
	want = addr6("2001:db8:1234:abcd::");
	assert_memory_equal(&out, &want, 16);
	/* the same name, the same number, every time */
	assert_int_equal(subdelegate_hash_subnet("br-docker", 256), subdelegate_hash_subnet("br-docker", 256));
	assert_true(subdelegate_hash_subnet("br-docker", 256) < 256);
}

static void test_bound(void **state)
{
	reset();
	if_add(IF_BRA, "br-a");
	struct subd_conf c = the_conf();
	struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
	assert_non_null(sd);
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
	subdelegate_lease_changed(sd, &l, NULL, "bound");
	/* eth0 its configured subnet 1, eth1 the next free (0) */
	const struct kaddr *k = has_addr(IF_ETH0, "2001:db8:1200:1::1");
	assert_non_null(k);
	assert_int_equal(k->pref, 60);
	assert_int_equal(k->valid, 120);
	assert_non_null(has_addr(IF_ETH1, "2001:db8:1200::1"));
	assert_null(has_addr(IF_WLAN0, "2001:db8:1200::1"));
	/* br-a: the hash of its name, probing past 0 and 1 */
	uint32_t h = subdelegate_hash_subnet("br-a", 256);
	while (h == 0 || h == 1)
		h = (h + 1) % 256;
	char bra[64];
	snprintf(bra, sizeof(bra), "2001:db8:1200:%x::1", h);
	assert_non_null(has_addr(IF_BRA, bra));
	/* WPD-5 */
	assert_true(has_unreachable("2001:db8:1200::", 56));
	/* the advertiser: the /64, lease ends, DNS */
	const struct ra_dyn_prefix *p = ra_prefix("eth0", "2001:db8:1200:1::");
	assert_non_null(p);
	assert_int_equal(p->pref_end, fake_ms() + 60000);
	assert_int_equal(p->valid_end, fake_ms() + 120000);
	struct radyn *r = radyn_of("eth0");
	assert_int_equal(r->d.n_dns, 1);
	assert_int_equal(r->d.n_domains, 1);
	assert_string_equal(r->d.domains[0], "isp.example");
	assert_int_equal(r->d.dns_end, fake_ms() + 120000);
	assert_null(radyn_of("wlan0"));
	/* the hook */
	assert_int_equal(n_hooks, 1);
	assert_string_equal(hooks[0].reason, "bound");
	assert_false(hooks[0].has_old);
	assert_int_equal(hooks[0].n_subnets, 3);
	assert_string_equal(hooks[0].subnets[0].ifname, "eth0");
	/* a renewal: lifetimes refreshed, nothing else moves */
	run_for(30000);
	struct pd_lease l2 = lease_of("2001:db8:1200::", 56, 60, 120);
	l2.state = PD_RENEWING;
	subdelegate_lease_changed(sd, &l2, &l, "renewed");
	assert_non_null(has_addr(IF_ETH0, "2001:db8:1200:1::1"));
	assert_non_null(has_addr(IF_ETH1, "2001:db8:1200::1"));
	assert_non_null(has_addr(IF_BRA, bra));
	p = ra_prefix("eth0", "2001:db8:1200:1::");
	assert_int_equal(p->valid_end, fake_ms() + 120000);
	assert_int_equal(radyn_of("eth0")->d.n_prefixes, 1);
	assert_int_equal(subdelegate_counters(sd)->renumbered, 0);
	subdelegate_free(sd);
	assert_false(has_unreachable("2001:db8:1200::", 56));
	assert_false(radyn_of("eth0")->set);
}

/* Numbers come from the configuration and names, not from the order the
 * interfaces appear in. */
static void test_numbers_stable(void **state)
{
	uint32_t first[2];
	for (int round = 0; round < 2; round++) {
		reset();
		if (round == 0) {
			if_add(IF_BRA, "br-a");
			if_add(IF_BRB, "br-b");
		} else {
			if_add(IF_BRB + 1, "br-b");
			if_add(IF_BRA + 1, "br-a");
		}
		struct subd_conf c = the_conf();
		struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
		struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
		subdelegate_lease_changed(sd, &l, NULL, "bound");
		struct subd_subnet s[8];
		size_t n = subdelegate_subnets(sd, s, 8);
		assert_int_equal(n, 4);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(s[i].ifname, "br-a") == 0)
				round == 0 ? (void)(first[0] = s[i].prefix.s6_addr[7]) : assert_int_equal(first[0], s[i].prefix.s6_addr[7]);
			if (strcmp(s[i].ifname, "br-b") == 0)
				round == 0 ? (void)(first[1] = s[i].prefix.s6_addr[7]) : assert_int_equal(first[1], s[i].prefix.s6_addr[7]);
		}
		subdelegate_free(sd);
	}
	assert_int_not_equal(first[0], first[1]);
}

/* A new prefix: the old one deprecated at once (preferred 0, valid counting
 * down, at most 2 h), the new one advertised, both unreachable routes until
 * the old one ends; then the old one is removed. */
static void test_renumber(void **state)
{
	reset();
	struct subd_conf c = the_conf();
	struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
	subdelegate_lease_changed(sd, &l, NULL, "bound");
	run_for(20000);
	struct pd_lease n = lease_of("2001:db8:3400::", 56, 60, 120);
	uint64_t t = fake_ms();
	subdelegate_lease_changed(sd, &n, &l, "changed");
	const struct kaddr *k = has_addr(IF_ETH0, "2001:db8:1200:1::1");
	assert_non_null(k);
	assert_int_equal(k->pref, 0);
	assert_int_equal(k->valid, 100);
	k = has_addr(IF_ETH0, "2001:db8:3400:1::1");
	assert_non_null(k);
	assert_int_equal(k->pref, 60);
	const struct ra_dyn_prefix *p = ra_prefix("eth0", "2001:db8:1200:1::");
	assert_non_null(p);
	assert_int_equal(p->pref_end, t);
	assert_int_equal(p->valid_end, t + 100000);
	assert_non_null(ra_prefix("eth0", "2001:db8:3400:1::"));
	assert_true(has_unreachable("2001:db8:1200::", 56));
	assert_true(has_unreachable("2001:db8:3400::", 56));
	assert_int_equal(n_hooks, 2);
	assert_string_equal(hooks[1].reason, "changed");
	assert_true(hooks[1].has_old);
	assert_memory_equal(&hooks[1].old, &l.prefixes[0].prefix, 16);
	assert_int_equal(subdelegate_counters(sd)->renumbered, 1);
	/* the old prefix's valid lifetime ends: address and route go */
	run_for(100000);
	assert_null(has_addr(IF_ETH0, "2001:db8:1200:1::1"));
	assert_false(has_unreachable("2001:db8:1200::", 56));
	assert_non_null(ra_prefix("eth0", "2001:db8:1200:1::")); /* still sent with 0 a while */
	run_for(10000);
	assert_null(ra_prefix("eth0", "2001:db8:1200:1::"));
	assert_non_null(ra_prefix("eth0", "2001:db8:3400:1::"));
	subdelegate_free(sd);
}

/* As the PD engine reports a renumbering (RFC 8415 §18.2.10.1): the new
 * prefix first, the replaced one kept in the lease with preferred 0 until
 * its valid lifetime ends. It is phased out, and told as OLD_PREFIX. */
static void test_renumber_old_in_lease(void **state)
{
	reset();
	struct subd_conf c = the_conf();
	struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
	subdelegate_lease_changed(sd, &l, NULL, "bound");
	run_for(20000);
	struct pd_lease n = lease_of("2001:db8:3400::", 56, 60, 120);
	n.n_prefixes = 2;
	n.prefixes[1] = (struct pd_prefix){ .prefix = addr6("2001:db8:1200::"), .plen = 56, .preferred_s = 0,
	                                    .valid_s = 100, .acquired_ms = fake_ms() };
	subdelegate_lease_changed(sd, &n, &l, "changed");
	assert_int_equal(has_addr(IF_ETH0, "2001:db8:1200:1::1")->pref, 0);
	assert_int_equal(has_addr(IF_ETH0, "2001:db8:1200:1::1")->valid, 100);
	assert_int_equal(has_addr(IF_ETH0, "2001:db8:3400:1::1")->pref, 60);
	assert_int_equal(ra_prefix("eth0", "2001:db8:1200:1::")->pref_end, fake_ms());
	assert_true(hooks[1].has_old);
	assert_memory_equal(&hooks[1].old, &l.prefixes[0].prefix, 16);
	assert_int_equal(hooks[1].n_subnets, 2); /* eth0, eth1: no br-* here */
	assert_int_equal(subdelegate_counters(sd)->renumbered, 1);
	struct in6_addr want = addr6("2001:db8:3400:1::");
	assert_memory_equal(&hooks[1].subnets[0].prefix, &want, 16);
	/* a renewal that no longer lists it: still phased out until its end */
	run_for(10000);
	struct pd_lease r = lease_of("2001:db8:3400::", 56, 60, 120);
	subdelegate_lease_changed(sd, &r, &n, "renewed");
	assert_non_null(ra_prefix("eth0", "2001:db8:1200:1::"));
	assert_true(has_unreachable("2001:db8:1200::", 56));
	run_for(90000);
	assert_null(has_addr(IF_ETH0, "2001:db8:1200:1::1"));
	assert_false(has_unreachable("2001:db8:1200::", 56));
	subdelegate_free(sd);
}

/* A long lease replaced: the old prefix stays valid 2 h at most. */
static void test_renumber_long_lease(void **state)
{
	reset();
	struct subd_conf c = the_conf();
	struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 86400, 172800);
	subdelegate_lease_changed(sd, &l, NULL, "bound");
	struct pd_lease n = lease_of("2001:db8:3400::", 56, 86400, 172800);
	subdelegate_lease_changed(sd, &n, &l, "changed");
	const struct ra_dyn_prefix *p = ra_prefix("eth0", "2001:db8:1200:1::");
	assert_int_equal(p->valid_end, fake_ms() + SUBD_OLD_VALID_MAX_MS);
	assert_int_equal(has_addr(IF_ETH0, "2001:db8:1200:1::1")->valid, 7200);
	subdelegate_free(sd);
}

/* Expiry (or NoBinding with nothing new): removed at once, advertised with 0. */
static void test_expired(void **state)
{
	reset();
	struct subd_conf c = the_conf();
	struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
	subdelegate_lease_changed(sd, &l, NULL, "bound");
	run_for(5000);
	struct pd_lease e;
	memset(&e, 0, sizeof(e));
	e.state = PD_EXPIRED;
	subdelegate_lease_changed(sd, &e, &l, "expired");
	assert_null(has_addr(IF_ETH0, "2001:db8:1200:1::1"));
	assert_null(has_addr(IF_ETH1, "2001:db8:1200::1"));
	assert_false(has_unreachable("2001:db8:1200::", 56));
	const struct ra_dyn_prefix *p = ra_prefix("eth0", "2001:db8:1200:1::");
	assert_non_null(p);
	assert_int_equal(p->valid_end, fake_ms());
	assert_int_equal(radyn_of("eth0")->d.dns_end, fake_ms());
	assert_string_equal(hooks[1].reason, "expired");
	assert_true(hooks[1].has_old);
	assert_int_equal(hooks[1].n_subnets, 0);
	run_for(11000);
	assert_false(radyn_of("eth0")->set); /* nothing left to advertise */
	subdelegate_free(sd);
}

/* Stop: nothing withdrawn (RFC 9096: the lease goes on across a restart). */
static void test_stopped(void **state)
{
	reset();
	struct subd_conf c = the_conf();
	struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
	subdelegate_lease_changed(sd, &l, NULL, "bound");
	struct pd_lease none;
	memset(&none, 0, sizeof(none));
	subdelegate_lease_changed(sd, &none, &l, "stopped");
	assert_string_equal(hooks[1].reason, "stopped");
	const struct kaddr *k = has_addr(IF_ETH0, "2001:db8:1200:1::1");
	assert_non_null(k);
	assert_int_equal(k->pref, 60);
	assert_true(ra_prefix("eth0", "2001:db8:1200:1::")->pref_end > fake_ms());
	subdelegate_free(sd);
}

/* A downstream link that appears later gets its address and RA at once. */
static void test_link_appears(void **state)
{
	reset();
	struct subd_conf c = the_conf();
	struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
	subdelegate_lease_changed(sd, &l, NULL, "bound");
	assert_null(radyn_of("br-new"));
	struct nl_link nl = { .ifindex = 9, .flags = IFF_UP | IFF_RUNNING, .mtu = 1500 };
	snprintf(nl.name, sizeof(nl.name), "br-new");
	iftable_on_link(ifs, &nl, false, NULL, NULL);
	subdelegate_on_iface(sd, iftable_by_index(ifs, 9), IFACE_NEW);
	assert_non_null(radyn_of("br-new"));
	assert_true(radyn_of("br-new")->set);
	struct subd_subnet s[8];
	size_t n = subdelegate_subnets(sd, s, 8);
	assert_int_equal(n, 3);
	char a[64];
	inet_ntop(AF_INET6, &s[2].prefix, a, sizeof(a));
	a[strlen(a) - 1] = 0; /* "...::" -> "...:" + "1" */
	char want[72];
	snprintf(want, sizeof(want), "%s:1", a);
	assert_non_null(has_addr(9, want));
	subdelegate_free(sd);
}

/* A configured subnet past the delegated prefix: counted, no address. */
static void test_subnet_out_of_range(void **state)
{
	reset();
	struct subd_conf c = the_conf();
	c.links[0].subnet = 20; /* a /60 has 16 */
	struct subdelegate *sd = subdelegate_new(fake_loop, &c, ifs, &fake_ops);
	struct pd_lease l = lease_of("2001:db8:1200::", 60, 60, 120);
	subdelegate_lease_changed(sd, &l, NULL, "bound");
	assert_true(subdelegate_counters(sd)->subnet_out_of_range >= 1);
	for (size_t i = 0; i < 64; i++)
		assert_false(kaddrs[i].used && kaddrs[i].ifindex == IF_ETH0);
	assert_non_null(has_addr(IF_ETH1, "2001:db8:1200::1"));
	/* a prefix longer than /64 is never sub-delegated */
	struct pd_lease bad = lease_of("2001:db8:5600::", 80, 60, 120);
	subdelegate_lease_changed(sd, &bad, &l, "changed");
	assert_false(has_unreachable("2001:db8:5600::", 80));
	subdelegate_free(sd);
}


/* --- hooks --------------------------------------------------------------- */

static struct subd_hook_event hook_event(struct pd_lease *l, struct subd_subnet *subs, const char *reason)
{
	subs[0] = (struct subd_subnet){ .ifname = "eth0", .prefix = addr6("2001:db8:1200:1::") };
	subs[1] = (struct subd_subnet){ .ifname = "br-x", .prefix = addr6("2001:db8:1200:2a::") };
	return (struct subd_hook_event){ .reason = reason, .upstream = "wlan0", .lease = l, .now_ms = fake_ms(),
	                                 .n_subnets = 2, .subnets = subs };
}

static void test_hook_env(void **state)
{
	reset();
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
	l.n_dns = 2;
	l.dns[1] = addr6("2001:db8::54");
	l.n_domains = 2;
	snprintf(l.domains[1], sizeof(l.domains[1]), "evil name;$(x)");
	run_for(10500); /* lifetimes left: 49 and 109 s (rounded down) */
	struct subd_subnet subs[2];
	struct subd_hook_event ev = hook_event(&l, subs, "changed");
	ev.has_old = true;
	ev.old_prefix = addr6("2001:db8:ff00::");
	ev.old_plen = 56;
	struct hook_env env;
	assert_int_equal(hook_env_build(&env, &ev), 0);
	assert_string_equal(hook_env_get(&env, "REASON"), "changed");
	assert_string_equal(hook_env_get(&env, "INTERFACE"), "wlan0");
	assert_string_equal(hook_env_get(&env, "PREFIX"), "2001:db8:1200::/56");
	assert_string_equal(hook_env_get(&env, "PREFIXES"), "2001:db8:1200::/56");
	assert_string_equal(hook_env_get(&env, "PREFIX_PREFERRED"), "49");
	assert_string_equal(hook_env_get(&env, "PREFIX_VALID"), "109");
	assert_string_equal(hook_env_get(&env, "OLD_PREFIX"), "2001:db8:ff00::/56");
	assert_string_equal(hook_env_get(&env, "SUBNETS"), "eth0=2001:db8:1200:1::/64 br-x=2001:db8:1200:2a::/64");
	assert_string_equal(hook_env_get(&env, "DNS"), "2001:db8::53 2001:db8::54");
	assert_string_equal(hook_env_get(&env, "DOMAINS"), "isp.example evil_name;$(x)");
	assert_non_null(hook_env_get(&env, "PATH"));
	assert_null(hook_env_get(&env, "PREFIX_"));
	/* a prefix the lease keeps with preferred 0 is not in PREFIXES */
	struct pd_lease two = l;
	two.n_prefixes = 2;
	two.prefixes[1] = (struct pd_prefix){ .prefix = addr6("2001:db8:ff00::"), .plen = 56, .preferred_s = 0,
	                                      .valid_s = 100, .acquired_ms = fake_ms() };
	ev.lease = &two;
	assert_int_equal(hook_env_build(&env, &ev), 0);
	assert_string_equal(hook_env_get(&env, "PREFIXES"), "2001:db8:1200::/56");
	ev.lease = &l;
	/* an expired lease: empty values, lifetimes 0 */
	l.state = PD_EXPIRED;
	ev = hook_event(&l, subs, "expired");
	ev.n_subnets = 0;
	assert_int_equal(hook_env_build(&env, &ev), 0);
	assert_string_equal(hook_env_get(&env, "PREFIX"), "");
	assert_string_equal(hook_env_get(&env, "PREFIX_VALID"), "0");
	assert_string_equal(hook_env_get(&env, "SUBNETS"), "");
	assert_string_equal(hook_env_get(&env, "DNS"), "");
	assert_string_equal(hook_env_get(&env, "OLD_PREFIX"), "");
	/* infinite lifetimes */
	l = lease_of("2001:db8:1200::", 56, 0xffffffffu, 0xffffffffu);
	ev = hook_event(&l, subs, "bound");
	assert_int_equal(hook_env_build(&env, &ev), 0);
	assert_string_equal(hook_env_get(&env, "PREFIX_VALID"), "4294967295");
}

static char hook_dir[64];

static void write_script(const char *name, const char *body)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", hook_dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

static void real_stop(void *ctx)
{
	loop_stop(ctx);
}

/* Run a real loop until the hook is idle (5 s at most). */
static void wait_idle(struct loop *loop, struct hooks *h)
{
	struct loop_timer t = { 0 };
	for (int i = 0; i < 500 && hooks_busy(h); i++) {
		loop_timer_in(loop, &t, 10, real_stop, loop);
		assert_int_equal(loop_run(loop), 0);
	}
	loop_timer_cancel(loop, &t);
	assert_false(hooks_busy(h));
}

static char *slurp(const char *name)
{
	static char buf[8192];
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", hook_dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* A real script: its environment, one at a time, coalesced, reaped. */
static void test_hook_runs_script(void **state)
{
	reset();
	snprintf(hook_dir, sizeof(hook_dir), "/tmp/islandd-hooktest.XXXXXX");
	assert_non_null(mkdtemp(hook_dir));
	write_script("hook.sh", "d=$(dirname \"$0\")\n"
	                        "echo run >> \"$d/runs\"\n"
	                        "env | sort > \"$d/env.$1\"\n"
	                        "sleep 0.3");
	char path[128];
	snprintf(path, sizeof(path), "%s/hook.sh", hook_dir);
	struct loop *loop = loop_new();
	assert_non_null(loop);
	struct hooks *h = hooks_new(loop, path, 0);
	assert_non_null(h);
	struct pd_lease l = lease_of("2001:db8:1200::", 56, 60, 120);
	struct subd_subnet subs[2];
	struct subd_hook_event ev = hook_event(&l, subs, "bound");
	hooks_run(h, &ev);
	assert_true(hooks_busy(h));
	/* while it runs: three events, one run after it with the last lease
	 * and the OLD_PREFIX of the "changed" one */
	struct subd_hook_event ch = hook_event(&l, subs, "changed");
	ch.has_old = true;
	ch.old_prefix = addr6("2001:db8:ff00::");
	ch.old_plen = 56;
	hooks_run(h, &ch);
	struct subd_hook_event rn = hook_event(&l, subs, "renewed");
	hooks_run(h, &rn);
	hooks_run(h, &rn);
	wait_idle(loop, h);
	wait_idle(loop, h); /* the coalesced run */
	assert_int_equal(hooks_counters(h)->runs, 2);
	assert_int_equal(hooks_counters(h)->coalesced, 2);
	assert_int_equal(hooks_counters(h)->failed, 0);
	char *runs = slurp("runs");
	assert_non_null(runs);
	assert_string_equal(runs, "run\nrun\n");
	char *env = slurp("env.bound");
	assert_non_null(env);
	assert_non_null(strstr(env, "PREFIX=2001:db8:1200::/56\n"));
	assert_non_null(strstr(env, "SUBNETS=eth0=2001:db8:1200:1::/64 br-x=2001:db8:1200:2a::/64\n"));
	assert_non_null(strstr(env, "INTERFACE=wlan0\n"));
	env = slurp("env.renewed");
	assert_non_null(env);
	assert_non_null(strstr(env, "REASON=renewed\n"));
	assert_non_null(strstr(env, "OLD_PREFIX=2001:db8:ff00::/56\n"));
	assert_null(slurp("env.changed"));
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* every child reaped */
	hooks_free(h);

	/* a hung script is killed after the timeout */
	write_script("hang.sh", "exec sleep 30");
	snprintf(path, sizeof(path), "%s/hang.sh", hook_dir);
	h = hooks_new(loop, path, 200);
	uint64_t t0 = clock_ms();
	hooks_run(h, &ev);
	wait_idle(loop, h);
	assert_true(clock_ms() - t0 < 1500);
	assert_int_equal(hooks_counters(h)->timeouts, 1);
	assert_int_equal(hooks_counters(h)->failed, 1);
	assert_true(WIFSIGNALED(hooks_counters(h)->last_status));
	hooks_free(h);

	/* a script that is not there: counted, nothing running */
	snprintf(path, sizeof(path), "%s/missing.sh", hook_dir);
	h = hooks_new(loop, path, 0);
	hooks_run(h, &ev);
	assert_false(hooks_busy(h));
	assert_int_equal(hooks_counters(h)->spawn_errors, 1);
	hooks_free(h);
	assert_null(hooks_new(loop, "", 0));
	loop_free(loop);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", hook_dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subnet_math),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_numbers_stable),
		cmocka_unit_test(test_renumber),
		cmocka_unit_test(test_renumber_old_in_lease),
		cmocka_unit_test(test_renumber_long_lease),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_stopped),
		cmocka_unit_test(test_link_appears),
		cmocka_unit_test(test_subnet_out_of_range),
		cmocka_unit_test(test_hook_env),
		cmocka_unit_test(test_hook_runs_script),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	iftable_free(ifs);
	fake_loop_free();
	return rc;
}
