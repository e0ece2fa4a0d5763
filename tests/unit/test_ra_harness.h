/* Shared by the test_ra*.c unit tests (included by each, one binary each):
 * a fake event loop whose timers fire from a fake clock, fake ops that
 * record what the RA engine sends and reports, a small interface table,
 * and builders for the packets peers send. Packets go through the real
 * nd_build_* and nd_parse, so the tests also cover what the daemon does
 * between the wire and the engine. */
#ifndef TEST_RA_HARNESS_H
#define TEST_RA_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "ctl/ctl.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/nd.h"
#include "ra/ra.h"
#include "util/loop.h"
#include "fake_loop.h"

/* What the daemon does with an interface-table change: tell the engine. */
static inline void ra_iface_changed(void *ctx, const struct iface *ifc, unsigned changes)
{
	ra_engine_on_iface(ctx, ifc, changes);
}

/* --- fake clock and loop: fake_loop.h (the engines run on fake_loop) ---- */

/* --- fake ops ------------------------------------------------------------ */

struct tx {
	int ifindex;
	uint8_t l2[16];
	uint8_t halen;
	uint8_t pkt[ND_PACKET_MAX];
	size_t len;
	uint64_t at;
};
#define MAX_TX 4096
static struct tx txs[MAX_TX];
static unsigned n_tx;

struct hostev {
	int up, down;
	struct in6_addr addr;
	struct nd_lladdr ll;
	bool gone;
};
#define MAX_HOSTEV 4096
static struct hostev hostevs[MAX_HOSTEV];
static unsigned n_hostev;

static __attribute__((unused)) int fake_send(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	assert_true(len <= ND_PACKET_MAX);
	assert_true(n_tx < MAX_TX);
	struct tx *t = &txs[n_tx++];
	t->ifindex = ifindex;
	t->halen = halen;
	if (halen)
		memcpy(t->l2, l2dst, halen);
	memcpy(t->pkt, pkt, len);
	t->len = len;
	t->at = fake_ms();
	return 0;
}

static __attribute__((unused)) void fake_host(void *ctx, int up, int down, const struct in6_addr *addr, const struct nd_lladdr *ll, bool gone)
{
	(void)ctx;
	assert_true(n_hostev < MAX_HOSTEV);
	struct hostev *h = &hostevs[n_hostev++];
	h->up = up;
	h->down = down;
	h->addr = *addr;
	h->ll = ll ? *ll : (struct nd_lladdr){ 0 };
	h->gone = gone;
}

static const struct ra_ops fake_ops = { .ctx = NULL, .send = fake_send, .host = fake_host, .now_ms = fake_now_ms };

/* The i-th packet sent, parsed (it must parse). */
static __attribute__((unused)) struct nd_msg tx_msg(unsigned i)
{
	struct nd_msg m;
	assert_true(i < n_tx);
	assert_int_equal(nd_parse(txs[i].pkt, txs[i].len, &m), ND_OK);
	return m;
}

static __attribute__((unused)) uint8_t tx_type(unsigned i)
{
	return txs[i].pkt[40];
}

/* Index of the first packet of type sent on ifindex at or after `from`, or -1. */
static __attribute__((unused)) int tx_find(unsigned from, int ifindex, uint8_t type)
{
	for (unsigned i = from; i < n_tx; i++)
		if (txs[i].ifindex == ifindex && tx_type(i) == type)
			return (int)i;
	return -1;
}

static __attribute__((unused)) unsigned tx_count(unsigned from, int ifindex, uint8_t type)
{
	unsigned n = 0;
	for (unsigned i = from; i < n_tx; i++)
		if ((ifindex == 0 || txs[i].ifindex == ifindex) && tx_type(i) == type)
			n++;
	return n;
}

/* --- interfaces ---------------------------------------------------------- */

enum { IF_WLAN0 = 2, IF_ETH0 = 3, IF_ETH1 = 4, IF_TUN0 = 5 };

static struct iftable *ifs;

static __attribute__((unused)) struct in6_addr addr6(const char *s)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

/* Interface ifindex, MAC 02:00:00:00:00:<ifindex> unless L3, link-local ll. */
static __attribute__((unused)) void if_add_ll(int ifindex, const char *name, uint32_t mtu, bool ethernet, const char *ll)
{
	struct nl_link l = { .ifindex = ifindex, .flags = IFF_UP | IFF_RUNNING, .mtu = mtu };
	snprintf(l.name, sizeof(l.name), "%s", name);
	if (ethernet) {
		uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)ifindex };
		l.lladdr_len = 6;
		memcpy(l.lladdr, mac, 6);
	}
	iftable_on_link(ifs, &l, false, NULL, NULL);
	struct nl_addr a = { .ifindex = ifindex, .family = AF_INET6, .addr = addr6(ll), .plen = 64, .scope = RT_SCOPE_LINK };
	iftable_on_addr(ifs, &a, false, NULL, NULL);
}

static __attribute__((unused)) void if_add(int ifindex, const char *name, uint32_t mtu, bool ethernet)
{
	char ll[32];
	snprintf(ll, sizeof(ll), "fe80::%x", ifindex);
	if_add_ll(ifindex, name, mtu, ethernet, ll);
}

static __attribute__((unused)) void harness_reset(void)
{
	n_tx = 0;
	n_hostev = 0;
	fake_loop_reset(1000000);
	if (ifs)
		iftable_free(ifs);
	ifs = iftable_new(16);
	if_add(IF_WLAN0, "wlan0", 1500, true);
	if_add(IF_ETH0, "eth0", 1400, true);
	if_add(IF_ETH1, "eth1", 1500, true);
	if_add(IF_TUN0, "tun0", 1420, false);
}

/* --- config -------------------------------------------------------------- */

static char down_names[4][IF_NAMESIZE];
static struct conf_ra_relay relay_conf;
static struct conf the_conf;

static __attribute__((unused)) const struct conf *relay_config(const char *up, const char *down1, const char *down2, bool learn)
{
	memset(&relay_conf, 0, sizeof(relay_conf));
	memset(&the_conf, 0, sizeof(the_conf));
	snprintf(relay_conf.upstream, sizeof(relay_conf.upstream), "%s", up);
	snprintf(down_names[0], IF_NAMESIZE, "%s", down1);
	relay_conf.n_downstream = 1;
	if (down2) {
		snprintf(down_names[1], IF_NAMESIZE, "%s", down2);
		relay_conf.n_downstream = 2;
	}
	relay_conf.downstream = down_names;
	relay_conf.learn_hosts = learn;
	the_conf.relays = &relay_conf;
	the_conf.n_relays = 1;
	return &the_conf;
}

/* --- packets from peers -------------------------------------------------- */

static const uint8_t router_mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x01 };

static __attribute__((unused)) void deliver(struct ra_engine *e, int ifindex, const uint8_t *pkt, size_t len, const uint8_t *src_mac)
{
	struct nd_msg m;
	assert_true(len > 0);
	assert_int_equal(nd_parse(pkt, len, &m), ND_OK);
	struct pkt_in pin = { .data = pkt, .len = len, .orig_len = len };
	if (src_mac) {
		pin.src_ll_len = 6;
		memcpy(pin.src_ll, src_mac, 6);
	}
	ra_engine_on_nd(e, ifindex, &m, &pin);
}

/* An RA from link-local src on ifindex. */
static __attribute__((unused)) void send_ra_from(struct ra_engine *e, int ifindex, const char *src, const struct nd_ra *ra, const uint8_t *mac)
{
	uint8_t pkt[ND_PACKET_MAX];
	struct in6_addr s = addr6(src), d = addr6("ff02::1");
	struct nd_lladdr ll = { .len = 6 };
	memcpy(ll.addr, mac, 6);
	size_t len = nd_build_ra(pkt, sizeof(pkt), &s, &d, ra, &ll);
	deliver(e, ifindex, pkt, len, mac);
}

static __attribute__((unused)) void send_rs(struct ra_engine *e, int ifindex, const char *src)
{
	static const uint8_t host_mac[6] = { 0x02, 0xbb, 0, 0, 0, 0x01 };
	uint8_t pkt[ND_PACKET_MAX];
	struct in6_addr s = addr6(src);
	struct nd_lladdr ll = { .len = 6 };
	memcpy(ll.addr, host_mac, 6);
	bool unspec = IN6_IS_ADDR_UNSPECIFIED(&s);
	size_t len = nd_build_rs(pkt, sizeof(pkt), &s, unspec ? NULL : &ll);
	deliver(e, ifindex, pkt, len, host_mac);
}

static __attribute__((unused)) void send_dad(struct ra_engine *e, int ifindex, const char *target, const uint8_t *nonce, const uint8_t *mac)
{
	uint8_t pkt[ND_PACKET_MAX];
	struct in6_addr s = addr6("::"), t = addr6(target), d;
	nd_solicited_node(&t, &d);
	size_t len = nd_build_ns(pkt, sizeof(pkt), &s, &d, &t, NULL, nonce, nonce ? 6 : 0);
	deliver(e, ifindex, pkt, len, mac);
}

static __attribute__((unused)) void send_na(struct ra_engine *e, int ifindex, const char *src, const char *dst, const char *target,
                    uint8_t flags, const uint8_t *mac)
{
	uint8_t pkt[ND_PACKET_MAX];
	struct in6_addr s = addr6(src), d = addr6(dst), t = addr6(target);
	struct nd_lladdr ll = { .len = 6 };
	memcpy(ll.addr, mac, 6);
	size_t len = nd_build_na(pkt, sizeof(pkt), &s, &d, &t, flags, &ll);
	deliver(e, ifindex, pkt, len, mac);
}

static __attribute__((unused)) void neigh_event(struct ra_engine *e, int ifindex, const char *addr, uint16_t state, bool deleted)
{
	struct nl_neigh nn = { .ifindex = ifindex, .addr = addr6(addr), .state = state, .lladdr_len = 6,
	                       .lladdr = { 0x02, 0xcc, 0, 0, 0, 0x09 } };
	struct kneigh n;
	nl_neigh_view(&nn, &n);
	ra_engine_on_neigh(e, &n, deleted);
}

/* A typical upstream RA: one /64, a route, DNS, MTU. */
static __attribute__((unused)) struct nd_ra upstream_ra(const char *prefix, uint16_t router_lifetime)
{
	struct nd_ra ra = { 0 };
	ra.cur_hop_limit = 64;
	ra.flags = ND_RA_FLAG_OTHER | 0x08; /* O, preference high */
	ra.router_lifetime = router_lifetime;
	ra.reachable_time = 30000;
	ra.retrans_timer = 1000;
	ra.mtu = 1500;
	ra.n_prefixes = 1;
	ra.prefixes[0] = (struct nd_prefix_info){ .plen = 64, .flags = ND_PIO_FLAG_ONLINK | ND_PIO_FLAG_AUTO,
	                                          .valid_lifetime = 86400, .preferred_lifetime = 14400,
	                                          .prefix = addr6(prefix) };
	return ra;
}

static __attribute__((unused)) bool ra_has_prefix(const struct nd_msg *m, const char *prefix, uint32_t *valid, uint32_t *pref, uint8_t *flags)
{
	struct in6_addr p = addr6(prefix);
	for (unsigned i = 0; i < m->ra.n_prefixes; i++)
		if (memcmp(&m->ra.prefixes[i].prefix, &p, 16) == 0) {
			if (valid)
				*valid = m->ra.prefixes[i].valid_lifetime;
			if (pref)
				*pref = m->ra.prefixes[i].preferred_lifetime;
			if (flags)
				*flags = m->ra.prefixes[i].flags;
			return true;
		}
	return false;
}

#endif
