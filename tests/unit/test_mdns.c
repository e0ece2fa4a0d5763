/* The mDNS reflector engine with fake I/O: what crosses, in what form, and
 * every reason a packet stays where it is. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/ctl.h"
#include "mdns/engine.h"
#include "net/netlink.h"
#include "mdns/recent.h"
#include "proto/dns.h"
#include "util/json.h"

#include "dns_check.h"
#include "render_check.h"

#define WLAN 3
#define ETH 4
#define OTHER 5

/* ---- fake I/O ---- */

struct sent_pkt {
	struct mdns_tx tx;
	uint8_t pkt[MDNS_PACKET_MAX];
	size_t len;
};

struct fake {
	uint64_t now;
	int send_rc;
	size_t n_sent;
	struct sent_pkt sent[32];
	size_t n_member;
	struct { int family, ifindex; bool join; } member[64];
};

static uint64_t f_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static int f_send(void *ctx, const struct mdns_tx *tx, const uint8_t *pkt, size_t len)
{
	struct fake *f = ctx;
	if (f->send_rc)
		return f->send_rc;
	assert_true(f->n_sent < 32);
	assert_true(len <= MDNS_PACKET_MAX);
	struct sent_pkt *s = &f->sent[f->n_sent++];
	s->tx = *tx;
	memcpy(s->pkt, pkt, len);
	s->len = len;
	return 0;
}

static int f_membership(void *ctx, int family, int ifindex, bool join)
{
	struct fake *f = ctx;
	assert_true(f->n_member < 64);
	f->member[f->n_member].family = family;
	f->member[f->n_member].ifindex = ifindex;
	f->member[f->n_member].join = join;
	f->n_member++;
	return 0;
}

static struct fake F;
static struct mdns_engine_ops OPS = { .ctx = &F, .now_ms = f_now, .send = f_send,
                                      .membership = f_membership };
static struct conf_mdns_iface IFS[3];
static struct conf_mdns CONF;
static struct mdns_engine *E;

/* ---- addresses and links ---- */

static struct in6_addr ip(const char *text)
{
	struct in6_addr a;
	struct in_addr v4;
	if (inet_pton(AF_INET, text, &v4) == 1) {
		memset(&a, 0, sizeof(a));
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &v4, 4);
		return a;
	}
	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	return a;
}

static void link_event(struct mdns_engine *e, int ifindex, const char *name, bool up, bool deleted)
{
	struct iface l = { .ifindex = ifindex, .up = up, .running = up };
	snprintf(l.name, sizeof(l.name), "%s", name);
	mdns_engine_on_iface(e, &l, deleted ? IFACE_GONE : IFACE_STATE);
}

static void addr_event(struct mdns_engine *e, int ifindex, const char *text, unsigned plen)
{
	struct nl_addr a = { .ifindex = ifindex, .plen = (uint8_t)plen };
	if (inet_pton(AF_INET, text, &a.addr4) == 1)
		a.family = AF_INET;
	else {
		assert_int_equal(inet_pton(AF_INET6, text, &a.addr), 1);
		a.family = AF_INET6;
	}
	struct iface_addr ia;
	assert_true(iftable_addr_of(&a, &ia));
	mdns_engine_on_addr(e, &ia, false);
}

static void host_setup(struct mdns_engine *e)
{
	link_event(e, WLAN, "wlan0", true, false);
	link_event(e, ETH, "eth0", true, false);
	link_event(e, OTHER, "docker0", true, false);
	addr_event(e, WLAN, "fe80::31", 64);
	addr_event(e, WLAN, "2001:db8:abc:123::31", 64);
	addr_event(e, WLAN, "192.168.1.31", 24);
	addr_event(e, ETH, "fe80::1", 64);
	addr_event(e, ETH, "fd2f::1", 64);
	addr_event(e, ETH, "10.0.40.1", 24);
}

static void conf_default(void)
{
	memset(IFS, 0, sizeof(IFS));
	snprintf(IFS[0].name, IF_NAMESIZE, "wlan0");
	snprintf(IFS[1].name, IF_NAMESIZE, "eth0");
	for (int i = 0; i < 2; i++)
		IFS[i].ipv4 = IFS[i].ipv6 = true;
	memset(&CONF, 0, sizeof(CONF));
	CONF.n_ifaces = 2;
	CONF.ifaces = IFS;
	CONF.reflect_ula = CONF.reflect_private4 = true;
	CONF.rate_limit = 0;
}

static void start(void)
{
	E = mdns_engine_new(&CONF, &OPS, 42);
	assert_non_null(E);
	host_setup(E);
	F.n_sent = 0;
}

static int setup(void **state)
{
	memset(&F, 0, sizeof(F));
	F.now = 10000;
	conf_default();
	E = NULL;
	return 0;
}

static int teardown(void **state)
{
	mdns_engine_free(E);
	E = NULL;
	return 0;
}

/* ---- packets ---- */

static struct dns_msg PM, OUT;
static uint8_t POOL[8192];
static size_t POOL_N;
static uint8_t WIRE[MDNS_PACKET_MAX + 16];

static void pm_reset(uint16_t id, uint16_t flags)
{
	memset(&PM, 0, sizeof(PM));
	PM.id = id;
	PM.flags = flags;
	POOL_N = 0;
}

static struct dns_rr *pm_add(int sec, const char *name, uint16_t type, uint16_t class, uint32_t ttl)
{
	struct dns_rr *rr = &PM.rr[PM.n_rr++];
	memset(rr, 0, sizeof(*rr));
	rr->section = (uint8_t)sec;
	assert_int_equal(dns_name_from_text(name, &rr->name), 0);
	rr->type = type;
	rr->class = class;
	rr->ttl = ttl;
	rr->rdata = POOL + POOL_N;
	PM.count[sec]++;
	return rr;
}

static const uint8_t *pool_put(const void *p, size_t n)
{
	uint8_t *at = POOL + POOL_N;
	memcpy(at, p, n);
	POOL_N += n;
	return at;
}

static struct dns_rr *pm_addr(int sec, const char *name, const char *addr, uint32_t ttl)
{
	struct in6_addr a = ip(addr);
	bool v4 = IN6_IS_ADDR_V4MAPPED(&a);
	struct dns_rr *rr = pm_add(sec, name, v4 ? DNS_TYPE_A : DNS_TYPE_AAAA, 0x8001, ttl);
	rr->rdata = pool_put(v4 ? &a.s6_addr[12] : a.s6_addr, v4 ? 4 : 16);
	rr->rdlen = v4 ? 4 : 16;
	return rr;
}

static struct dns_rr *pm_ptr(int sec, const char *name, const char *target)
{
	struct dns_rr *rr = pm_add(sec, name, DNS_TYPE_PTR, 1, 4500);
	rr->n_names = 1;
	assert_int_equal(dns_name_from_text(target, &rr->rname[0]), 0);
	return rr;
}

static struct dns_rr *pm_srv(int sec, const char *name, uint16_t port, const char *target)
{
	struct dns_rr *rr = pm_add(sec, name, DNS_TYPE_SRV, 0x8001, 120);
	uint8_t pre[6] = { 0, 0, 0, 0, (uint8_t)(port >> 8), (uint8_t)port };
	rr->pre = pool_put(pre, 6);
	rr->pre_len = 6;
	rr->n_names = 1;
	assert_int_equal(dns_name_from_text(target, &rr->rname[0]), 0);
	return rr;
}

static struct dns_rr *pm_txt(int sec, const char *name)
{
	struct dns_rr *rr = pm_add(sec, name, DNS_TYPE_TXT, 0x8001, 4500);
	static const uint8_t empty = 0;
	rr->rdata = pool_put(&empty, 1);
	rr->rdlen = 1;
	return rr;
}

static size_t pm_wire(bool compress)
{
	size_t n = dns_build(&PM, NULL, compress, WIRE, sizeof(WIRE));
	assert_true(n > 0);
	return n;
}

static struct mdns_rx rx_from(int ifindex, const char *src, uint16_t sport)
{
	struct mdns_rx rx = { .via = MDNS_VIA_MAIN, .ifindex = ifindex, .src = ip(src),
	                      .sport = sport, .dst_mcast = true, .hop_limit = 255 };
	rx.family = IN6_IS_ADDR_V4MAPPED(&rx.src) ? AF_INET : AF_INET6;
	return rx;
}

static void feed(struct mdns_engine *e, const struct mdns_rx *rx)
{
	size_t n = pm_wire(true);
	mdns_engine_input(e, rx, WIRE, n);
}

static void feed_from(int ifindex, const char *src)
{
	struct mdns_rx rx = rx_from(ifindex, src, MDNS_PORT);
	feed(E, &rx);
}

static const struct dns_msg *sent_msg(size_t i)
{
	assert_true(i < F.n_sent);
	assert_int_equal(dns_parse(F.sent[i].pkt, F.sent[i].len, &OUT), DNS_OK);
	return &OUT;
}

static uint64_t drops(enum mdns_drop d)
{
	return mdns_engine_counters(E)->drops[d];
}

static bool has_rr(const struct dns_msg *m, const char *name, uint16_t type)
{
	struct dns_name n;
	assert_int_equal(dns_name_from_text(name, &n), 0);
	for (unsigned i = 0; i < m->n_rr; i++)
		if (m->rr[i].type == type && dns_name_equal(&m->rr[i].name, &n))
			return true;
	return false;
}

static bool has_addr(const struct dns_msg *m, const char *addr)
{
	struct in6_addr a = ip(addr);
	bool v4 = IN6_IS_ADDR_V4MAPPED(&a);
	for (unsigned i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (v4 && rr->type == DNS_TYPE_A && rr->rdlen == 4 && !memcmp(rr->rdata, &a.s6_addr[12], 4))
			return true;
		if (!v4 && rr->type == DNS_TYPE_AAAA && rr->rdlen == 16 && !memcmp(rr->rdata, a.s6_addr, 16))
			return true;
	}
	return false;
}

/* ---- tests ---- */

static void test_qu_becomes_qm(void **state)
{
	start();
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_AAAA, 0x8001, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_A, 0x8001, 0);
	feed_from(WLAN, "fe80::99");

	assert_int_equal(F.n_sent, 1);
	const struct mdns_tx *tx = &F.sent[0].tx;
	assert_int_equal(tx->ifindex, ETH);
	assert_int_equal(tx->via, MDNS_VIA_MAIN);
	assert_int_equal(tx->family, AF_INET6);
	assert_int_equal(tx->dport, 5353);
	struct in6_addr want = ip("ff02::fb");
	assert_memory_equal(&tx->dst, &want, 16);
	want = ip("fe80::1");
	assert_memory_equal(&tx->src, &want, 16);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->count[DNS_SEC_QUESTION], 2);
	assert_int_equal(m->rr[0].class, 1);
	assert_int_equal(m->rr[1].class, 1);
	assert_int_equal(mdns_engine_counters(E)->qu_cleared, 2);
	assert_int_equal(mdns_engine_counters(E)->reflected, 1);

	/* IPv4: from eth0, goes to wlan0 from our IPv4 address there */
	F.now += 10;
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "laptop.local", DNS_TYPE_A, 0x8001, 0);
	feed_from(ETH, "10.0.40.41");
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(F.sent[1].tx.ifindex, WLAN);
	assert_int_equal(F.sent[1].tx.family, AF_INET);
	want = ip("192.168.1.31");
	assert_memory_equal(&F.sent[1].tx.src, &want, 16);
	want = ip("224.0.0.251");
	assert_memory_equal(&F.sent[1].tx.dst, &want, 16);
	assert_int_equal(sent_msg(1)->rr[0].class, 1);
}

static void test_linklocal_never_crosses(void **state)
{
	start();
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "fe80::41", 120);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "169.254.7.7", 120);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "192.0.2.41", 120);
	pm_ptr(DNS_SEC_ANSWER, "1.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa",
	       "pi-41.local");
	pm_ptr(DNS_SEC_ANSWER, "7.7.254.169.in-addr.arpa", "pi-41.local");
	pm_ptr(DNS_SEC_ANSWER, "41.2.0.192.in-addr.arpa", "pi-41.local");
	feed_from(ETH, "fe80::41");

	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->n_rr, 3);
	assert_true(has_addr(m, "2001:db8:abc:123:41::1"));
	assert_true(has_addr(m, "192.0.2.41"));
	assert_false(has_addr(m, "fe80::41"));
	assert_false(has_addr(m, "169.254.7.7"));
	assert_true(has_rr(m, "41.2.0.192.in-addr.arpa", DNS_TYPE_PTR));
	assert_int_equal(mdns_engine_counters(E)->records_filtered, 4);

	/* only link-local addresses: nothing left, nothing sent */
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "pi-42.local", "fe80::42", 120);
	feed_from(ETH, "fe80::42");
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(drops(MDNS_DROP_FILTERED), 1);
}

static void test_ula_and_private4_per_conf(void **state)
{
	CONF.reflect_ula = false;
	CONF.reflect_private4 = false;
	start();
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "fd2f::41", 120);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "10.0.40.41", 120);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "172.20.0.5", 120);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->n_rr, 1);
	assert_true(has_addr(m, "2001:db8:abc:123:41::1"));
	mdns_engine_free(E);

	CONF.reflect_ula = true;
	CONF.reflect_private4 = true;
	F.n_sent = 0;
	start();
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(sent_msg(0)->n_rr, 4);
}

static void test_dangling_srv_ptr(void **state)
{
	start();
	/* the host has only a link-local address: the address goes, the SRV
	 * pointing at it goes, the PTR to that instance goes */
	pm_reset(0, 0x8400);
	pm_ptr(DNS_SEC_ANSWER, "_ssh._tcp.local", "pi-41._ssh._tcp.local");
	pm_srv(DNS_SEC_ADDITIONAL, "pi-41._ssh._tcp.local", 22, "pi-41.local");
	pm_txt(DNS_SEC_ADDITIONAL, "pi-41._ssh._tcp.local");
	pm_addr(DNS_SEC_ADDITIONAL, "PI-41.local", "fe80::41", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 0);
	assert_int_equal(drops(MDNS_DROP_FILTERED), 1);

	/* with a global address too, everything but fe80 crosses */
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_ptr(DNS_SEC_ANSWER, "_ssh._tcp.local", "pi-41._ssh._tcp.local");
	pm_srv(DNS_SEC_ADDITIONAL, "pi-41._ssh._tcp.local", 22, "pi-41.local");
	pm_txt(DNS_SEC_ADDITIONAL, "pi-41._ssh._tcp.local");
	pm_addr(DNS_SEC_ADDITIONAL, "pi-41.local", "fe80::41", 120);
	pm_addr(DNS_SEC_ADDITIONAL, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->n_rr, 4);
	assert_true(has_rr(m, "_ssh._tcp.local", DNS_TYPE_PTR));
	assert_true(has_rr(m, "pi-41._ssh._tcp.local", DNS_TYPE_SRV));
	assert_false(has_addr(m, "fe80::41"));

	/* an SRV whose target's addresses are not in the packet at all stays */
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_srv(DNS_SEC_ANSWER, "pi-42._ssh._tcp.local", 22, "pi-42.local");
	feed_from(ETH, "fe80::42");
	assert_int_equal(F.n_sent, 2);
}

static void test_service_filters(void **state)
{
	/* eth0: nothing about _ssh._tcp goes out to it */
	struct conf_mdns_filter deny_ssh = { .service = "_ssh._tcp", .allow = false };
	IFS[1].out = &deny_ssh;
	IFS[1].n_out = 1;
	start();

	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "_ssh._tcp.local", DNS_TYPE_PTR, 1, 0);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 0);
	assert_int_equal(drops(MDNS_DROP_FILTERED), 1);

	pm_reset(0, 0x8400);
	pm_ptr(DNS_SEC_ANSWER, "_ssh._tcp.local", "laptop._ssh._tcp.local");
	pm_ptr(DNS_SEC_ANSWER, "_http._tcp.local", "laptop._http._tcp.local");
	pm_ptr(DNS_SEC_ANSWER, "_services._dns-sd._udp.local", "_ssh._tcp.local");
	pm_ptr(DNS_SEC_ANSWER, "_services._dns-sd._udp.local", "_http._tcp.local");
	pm_srv(DNS_SEC_ADDITIONAL, "laptop._ssh._tcp.local", 22, "laptop.local");
	pm_txt(DNS_SEC_ADDITIONAL, "Laptop._SSH._TCP.local");
	pm_srv(DNS_SEC_ADDITIONAL, "laptop._http._tcp.local", 80, "laptop.local");
	pm_addr(DNS_SEC_ADDITIONAL, "laptop.local", "2001:db8:abc:123::99", 120);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->n_rr, 4);
	assert_true(has_rr(m, "_http._tcp.local", DNS_TYPE_PTR));
	assert_true(has_rr(m, "_services._dns-sd._udp.local", DNS_TYPE_PTR));
	assert_int_equal(m->rr[1].rname[0].wire[1], '_');
	assert_true(has_rr(m, "laptop._http._tcp.local", DNS_TYPE_SRV));
	assert_false(has_rr(m, "laptop._ssh._tcp.local", DNS_TYPE_SRV));
	assert_true(has_addr(m, "2001:db8:abc:123::99"));
	/* the enumeration PTR that crossed is the _http one */
	for (unsigned i = 0; i < m->n_rr; i++)
		if (m->rr[i].n_names && m->rr[i].rname[0].wire[1] == '_')
			assert_int_equal(m->rr[i].rname[0].wire[2], 'h');

	/* the other way (eth0 -> wlan0) has no filter */
	F.now += MDNS_RECENT_MS + 1;
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "_ssh._tcp.local", DNS_TYPE_PTR, 1, 0);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(F.sent[1].tx.ifindex, WLAN);
}

static void test_allow_list_in(void **state)
{
	/* from wlan0 only _http._tcp (and its subtypes) comes in */
	struct conf_mdns_filter allow_http = { .service = "_http._tcp.local", .allow = true };
	IFS[0].in = &allow_http;
	IFS[0].n_in = 1;
	start();
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "_ssh._tcp.local", DNS_TYPE_PTR, 1, 0);
	pm_add(DNS_SEC_QUESTION, "_printer._sub._http._tcp.local", DNS_TYPE_PTR, 1, 0);
	pm_add(DNS_SEC_QUESTION, "_services._dns-sd._udp.local", DNS_TYPE_PTR, 1, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_AAAA, 1, 0);
	pm_add(DNS_SEC_QUESTION, "x._xhttp._tcp.local", DNS_TYPE_SRV, 1, 0);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->count[DNS_SEC_QUESTION], 3);
	assert_false(has_rr(m, "_ssh._tcp.local", DNS_TYPE_PTR));
	assert_false(has_rr(m, "x._xhttp._tcp.local", DNS_TYPE_SRV));
	assert_true(has_rr(m, "_printer._sub._http._tcp.local", DNS_TYPE_PTR));
	assert_true(has_rr(m, "pi-41.local", DNS_TYPE_AAAA));
}

/* Two reflectors on the same two links: each one's copy reaches the other,
 * which must recognise it. */
static void test_loop_memory(void **state)
{
	start();
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "192.0.2.41", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);

	/* the other reflector's copy arrives on wlan0, records reordered,
	 * uncompressed, TTL aged, cache-flush bit clear */
	F.now += 5;
	struct dns_rr a = PM.rr[0];
	PM.rr[0] = PM.rr[1];
	PM.rr[1] = a;
	PM.rr[0].ttl = 119;
	PM.rr[1].class = 1;
	struct mdns_rx rx = rx_from(WLAN, "fe80::77", MDNS_PORT);
	size_t n = pm_wire(false);
	mdns_engine_input(E, &rx, WIRE, n);
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(drops(MDNS_DROP_ECHO), 1);

	/* the host repeating its announcement on its own link is reflected */
	F.now += 5;
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 2);

	/* a copy that arrives on eth0 of something that arrived on wlan0
	 * first (someone else reflected it): already handled */
	F.now += 5;
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "laptop.local", "2001:db8:abc:123::99", 120);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 3);
	F.now += 5;
	feed_from(ETH, "fe80::77");
	assert_int_equal(F.n_sent, 3);
	assert_int_equal(drops(MDNS_DROP_ECHO), 2);

	/* the memory is short: after MDNS_RECENT_MS the same record is news */
	F.now += MDNS_RECENT_MS + 1;
	feed_from(ETH, "fe80::77");
	assert_int_equal(F.n_sent, 4);
	assert_int_equal(F.sent[3].tx.ifindex, WLAN);

	/* a packet mixing an echo and a new record carries the new one only */
	F.now += MDNS_RECENT_MS + 1;
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "a.local", "2001:db8::a", 120);
	feed_from(WLAN, "fe80::99");
	F.now += 5;
	pm_addr(DNS_SEC_ANSWER, "b.local", "2001:db8::b", 120);
	feed_from(ETH, "fe80::77");
	assert_int_equal(F.n_sent, 6);
	const struct dns_msg *m = sent_msg(5);
	assert_int_equal(m->n_rr, 1);
	assert_true(has_addr(m, "2001:db8::b"));
}

/* Two engines wired to each other: everything either sends on a link is
 * heard by the other on that link. The traffic must stay bounded. */
static struct fake F2;
static void test_two_reflectors_do_not_loop(void **state)
{
	struct mdns_engine_ops ops2 = OPS;
	ops2.ctx = &F2;
	memset(&F2, 0, sizeof(F2));
	F2.now = F.now;
	start();
	struct mdns_engine *e2 = mdns_engine_new(&CONF, &ops2, 4242);
	assert_non_null(e2);
	link_event(e2, 13, "wlan0", true, false);
	link_event(e2, 14, "eth0", true, false);
	addr_event(e2, 13, "fe80::2:31", 64);
	addr_event(e2, 13, "192.168.1.32", 24);
	addr_event(e2, 14, "fe80::2:1", 64);
	addr_event(e2, 14, "10.0.40.2", 24);
	F2.n_sent = 0;

	/* a probe and a query from a host on eth0, heard by both */
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_ANY, 0x8001, 0);
	pm_addr(DNS_SEC_AUTHORITY, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	size_t n = pm_wire(true);
	struct mdns_rx rx1 = rx_from(ETH, "fe80::41", MDNS_PORT), rx2 = rx1;
	rx2.ifindex = 14;
	mdns_engine_input(E, &rx1, WIRE, n);
	mdns_engine_input(e2, &rx2, WIRE, n);

	size_t done1 = 0, done2 = 0;
	for (int round = 0; round < 50; round++) {
		size_t s1 = F.n_sent, s2 = F2.n_sent;
		for (; done1 < s1; done1++) {          /* E's copies reach e2 */
			struct sent_pkt *p = &F.sent[done1];
			struct mdns_rx rx = { .via = MDNS_VIA_MAIN, .family = p->tx.family,
			                      .ifindex = p->tx.ifindex == WLAN ? 13 : 14,
			                      .src = p->tx.src, .sport = 5353, .dst_mcast = true,
			                      .hop_limit = 255 };
			F2.now = ++F.now;
			mdns_engine_input(e2, &rx, p->pkt, p->len);
		}
		for (; done2 < s2; done2++) {
			struct sent_pkt *p = &F2.sent[done2];
			struct mdns_rx rx = { .via = MDNS_VIA_MAIN, .family = p->tx.family,
			                      .ifindex = p->tx.ifindex == 13 ? WLAN : ETH,
			                      .src = p->tx.src, .sport = 5353, .dst_mcast = true,
			                      .hop_limit = 255 };
			F2.now = ++F.now;
			mdns_engine_input(E, &rx, p->pkt, p->len);
		}
		if (F.n_sent == s1 && F2.n_sent == s2)
			break;
	}
	/* each sent the probe to wlan0 once; each heard the other's copy and
	 * dropped it as an echo; nothing ever went back to eth0 */
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(F2.n_sent, 1);
	assert_int_equal(F.sent[0].tx.ifindex, WLAN);
	assert_int_equal(F2.sent[0].tx.ifindex, 13);
	assert_int_equal(drops(MDNS_DROP_ECHO), 1);
	assert_int_equal(mdns_engine_counters(e2)->drops[MDNS_DROP_ECHO], 1);
	mdns_engine_free(e2);
}

/* Three listed links; a record we did not send to eth1 (its out-filter)
 * comes in there anyway, copied by another reflector from eth0. It must
 * not go back to wlan0, where it came from, nor to eth0, which has it. */
static void test_copy_via_other_path(void **state)
{
	struct conf_mdns_filter deny_ssh = { .service = "_ssh._tcp", .allow = false };
	snprintf(IFS[2].name, IF_NAMESIZE, "eth1");
	IFS[2].ipv4 = IFS[2].ipv6 = true;
	IFS[2].out = &deny_ssh;
	IFS[2].n_out = 1;
	CONF.n_ifaces = 3;
	start();
	link_event(E, 6, "eth1", true, false);
	addr_event(E, 6, "fe80::6", 64);

	pm_reset(0, 0x8400);
	pm_srv(DNS_SEC_ANSWER, "laptop._ssh._tcp.local", 22, "laptop.local");
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(F.sent[0].tx.ifindex, ETH);

	F.now += 5;
	feed_from(6, "fe80::77");
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(drops(MDNS_DROP_ECHO), 1);

	/* a genuine repeat from wlan0 still goes to eth0 */
	F.now += 5;
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(F.sent[1].tx.ifindex, ETH);
}

static void test_probe_reflected_not_returned(void **state)
{
	start();
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_ANY, 0x8001, 0);
	pm_addr(DNS_SEC_AUTHORITY, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	pm_addr(DNS_SEC_AUTHORITY, "pi-41.local", "fe80::41", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(F.sent[0].tx.ifindex, WLAN);
	assert_int_equal(m->count[DNS_SEC_QUESTION], 1);
	assert_int_equal(m->count[DNS_SEC_AUTHORITY], 1);
	assert_int_equal(m->rr[0].class, 1);
	assert_false(has_addr(m, "fe80::41"));

	/* the probe reflected back at us from wlan0 (a second reflector) */
	F.now += 3;
	feed_from(WLAN, "fe80::77");
	assert_int_equal(F.n_sent, 1);
	/* the same copy from us, as the other reflector would rebuild it */
	F.now += 3;
	struct mdns_rx rx = rx_from(WLAN, "fe80::77", MDNS_PORT);
	mdns_engine_input(E, &rx, F.sent[0].pkt, F.sent[0].len);
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(drops(MDNS_DROP_ECHO), 2);

	/* probes 2 and 3, 250 ms apart on eth0, are reflected */
	for (int i = 0; i < 2; i++) {
		F.now += 250;
		feed_from(ETH, "fe80::41");
	}
	assert_int_equal(F.n_sent, 3);
	for (size_t i = 0; i < F.n_sent; i++)
		assert_int_equal(F.sent[i].tx.ifindex, WLAN);
}

/* RFC 6762 §8.2: the laptop probes a name pi-41 probed 0.6 s earlier on
 * the other link. Its probe proposes other records: it is not our copy of
 * pi-41's probe coming back and must reach pi-41, or neither host can
 * break the tie. Our own copy coming back is still an echo. */
static void test_competing_probe_reflected(void **state)
{
	start();
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_ANY, 0x8001, 0);
	pm_addr(DNS_SEC_AUTHORITY, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(F.sent[0].tx.ifindex, WLAN);
	struct sent_pkt ours = F.sent[0];

	F.now += 600;
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_ANY, 0x8001, 0);
	pm_addr(DNS_SEC_AUTHORITY, "pi-41.local", "2001:db8:abc:123::50", 120);
	feed_from(WLAN, "fe80::50");
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(F.sent[1].tx.ifindex, ETH);
	const struct dns_msg *m = sent_msg(1);
	assert_int_equal(m->count[DNS_SEC_QUESTION], 1);
	assert_int_equal(m->count[DNS_SEC_AUTHORITY], 1);
	assert_true(has_addr(m, "2001:db8:abc:123::50"));
	assert_int_equal(drops(MDNS_DROP_ECHO), 0);

	/* our copy of pi-41's probe looped back onto wlan0: an echo */
	F.now += 5;
	struct mdns_rx rx = rx_from(WLAN, "fe80::31", MDNS_PORT);
	mdns_engine_input(E, &rx, ours.pkt, ours.len);
	/* the same probe rebuilt by another reflector, records reordered */
	F.now += 5;
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_ANY, 1, 0);
	pm_addr(DNS_SEC_AUTHORITY, "pi-41.local", "2001:db8:abc:123:41::1", 119);
	feed_from(WLAN, "fe80::77");
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(drops(MDNS_DROP_ECHO), 2);

	/* pi-41's second probe, 250 ms after its first, still crosses */
	F.now = 10000 + 250;
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_ANY, 0x8001, 0);
	pm_addr(DNS_SEC_AUTHORITY, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 3);
	assert_int_equal(F.sent[2].tx.ifindex, WLAN);
}

/* RFC 6762 §7.1: the laptop asks for _ipp._tcp with the answer it knows;
 * pi-41 asks the same question right after without it. pi-41's query
 * is another query: it must reach the printer's link. */
static void test_known_answer_query_other_host(void **state)
{
	start();
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "_ipp._tcp.local", DNS_TYPE_PTR, 1, 0);
	pm_ptr(DNS_SEC_ANSWER, "_ipp._tcp.local", "printer._ipp._tcp.local");
	feed_from(WLAN, "fe80::50");
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(F.sent[0].tx.ifindex, ETH);
	struct sent_pkt ours = F.sent[0];

	F.now += 100;
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "_ipp._tcp.local", DNS_TYPE_PTR, 1, 0);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(F.sent[1].tx.ifindex, WLAN);
	const struct dns_msg *m = sent_msg(1);
	assert_int_equal(m->n_rr, 1);
	assert_int_equal(drops(MDNS_DROP_ECHO), 0);

	/* the laptop's query as we put it on eth0, heard again there */
	F.now += 5;
	struct mdns_rx rx = rx_from(ETH, "fe80::1", MDNS_PORT);
	mdns_engine_input(E, &rx, ours.pkt, ours.len);
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(drops(MDNS_DROP_ECHO), 1);
	/* and pi-41's, as we put it on wlan0 */
	rx = rx_from(WLAN, "fe80::31", MDNS_PORT);
	mdns_engine_input(E, &rx, F.sent[1].pkt, F.sent[1].len);
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(drops(MDNS_DROP_ECHO), 2);
}

/* RFC 6762 §10.2: a reflected record is not authoritative on the other
 * link; the cache-flush bit would flush that link's own records. */
static void test_cache_flush_cleared(void **state)
{
	start();
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	pm_srv(DNS_SEC_ANSWER, "pi-41._ssh._tcp.local", 22, "pi-41.local");
	pm_ptr(DNS_SEC_ANSWER, "_ssh._tcp.local", "pi-41._ssh._tcp.local");
	pm_addr(DNS_SEC_ADDITIONAL, "pi-41.local", "10.0.40.41", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->n_rr, 4);
	for (unsigned i = 0; i < m->n_rr; i++)
		assert_int_equal(m->rr[i].class, DNS_CLASS_IN);
	assert_int_equal(mdns_engine_counters(E)->flush_cleared, 3);
}

/* RFC 6762 §18: whatever the header said, a reflected multicast response
 * has ID 0, QR and AA, no TC, RD, RA, Z, AD or CD; a query ID 0 and TC
 * only when its sender set it. */
static void test_header_fields(void **state)
{
	start();
	pm_reset(0x1234, 0x8000 | 0x0200 | 0x0100 | 0x0080 | 0x0040 | 0x0020 | 0x0010);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->id, 0);
	assert_int_equal(m->flags, DNS_FLAG_QR | DNS_FLAG_AA);

	pm_reset(0x4321, 0x0400 | 0x0200 | 0x0100);   /* AA, TC, RD on a query */
	pm_add(DNS_SEC_QUESTION, "_ipp._tcp.local", DNS_TYPE_PTR, 1, 0);
	pm_ptr(DNS_SEC_ANSWER, "_ipp._tcp.local", "a._ipp._tcp.local");
	feed_from(WLAN, "fe80::50");
	assert_int_equal(F.n_sent, 2);
	m = sent_msg(1);
	assert_int_equal(m->id, 0);
	assert_int_equal(m->flags, DNS_FLAG_TC);

	pm_reset(0x4322, 0x0100);
	pm_add(DNS_SEC_QUESTION, "b.local", DNS_TYPE_A, 1, 0);
	feed_from(WLAN, "fe80::50");
	assert_int_equal(F.n_sent, 3);
	m = sent_msg(2);
	assert_int_equal(m->id, 0);
	assert_int_equal(m->flags, 0);
}

static void link_mtu(int ifindex, const char *name, uint32_t mtu)
{
	struct iface l = { .ifindex = ifindex, .up = true, .running = true, .mtu = mtu };
	snprintf(l.name, sizeof(l.name), "%s", name);
	mdns_engine_on_iface(E, &l, IFACE_MTU);
}

static uint8_t BIG_TXT[4000];

static struct dns_rr *pm_big_txt(int sec, const char *name, uint16_t len)
{
	struct dns_rr *rr = pm_add(sec, name, DNS_TYPE_TXT, 0x8001, 4500);
	memset(BIG_TXT, 'x', sizeof(BIG_TXT));
	rr->rdata = BIG_TXT;
	rr->rdlen = len;
	return rr;
}

/* RFC 6762 §17: nothing leaves as IP fragments. eth0 is a jumbo link
 * (MTU 9000), wlan0 1500. */
static void test_copies_fit_the_mtu(void **state)
{
	start();
	link_mtu(ETH, "eth0", 9000);
	link_mtu(WLAN, "wlan0", 1500);

	/* a 6-record 6 kB response: several complete responses, each
	 * within 1500 - 40 - 8 bytes, every record once */
	pm_reset(0, 0x8400);
	char name[32];
	for (int i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "t%d._http._tcp.local", i);
		pm_big_txt(DNS_SEC_ANSWER, name, 1000);
	}
	feed_from(ETH, "fe80::41");
	assert_true(F.n_sent >= 5);
	unsigned records = 0;
	for (size_t i = 0; i < F.n_sent; i++) {
		assert_int_equal(F.sent[i].tx.ifindex, WLAN);
		assert_true(F.sent[i].len <= 1500 - 48);
		const struct dns_msg *m = sent_msg(i);
		assert_int_equal(m->flags, DNS_FLAG_QR | DNS_FLAG_AA);
		records += m->n_rr;
	}
	assert_int_equal(records, 6);
	assert_int_equal(mdns_engine_counters(E)->split, 1);
	assert_int_equal(mdns_engine_counters(E)->tx, F.n_sent);

	/* over IPv4 the bound is 1500 - 20 - 8 */
	F.n_sent = 0;
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_big_txt(DNS_SEC_ANSWER, "v4._http._tcp.local", 1472 - 12 - 35);
	feed_from(ETH, "10.0.40.41");
	assert_int_equal(F.n_sent, 1);
	assert_true(F.sent[0].len > 1500 - 48);
	assert_true(F.sent[0].len <= 1500 - 28);

	/* a record that alone exceeds the MTU is left out and counted; the
	 * rest goes */
	F.n_sent = 0;
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_big_txt(DNS_SEC_ANSWER, "huge._http._tcp.local", 3000);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(sent_msg(0)->n_rr, 1);
	assert_true(has_addr(sent_msg(0), "2001:db8:abc:123:41::1"));
	assert_int_equal(mdns_engine_counters(E)->records_too_big, 1);
	/* alone, it is a drop */
	F.n_sent = 0;
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_big_txt(DNS_SEC_ANSWER, "huge2._http._tcp.local", 3000);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 0);
	assert_int_equal(drops(MDNS_DROP_TOO_BIG), 1);

	/* a query's known answers continue in further packets, TC set on
	 * all but the last (§7.2); the question goes in the first */
	F.n_sent = 0;
	F.now += 10;
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "_http._tcp.local", DNS_TYPE_PTR, 1, 0);
	for (int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "k%d._http._tcp.local", i);
		pm_big_txt(DNS_SEC_ANSWER, name, 700);
	}
	feed_from(ETH, "fe80::41");
	assert_true(F.n_sent >= 3);
	for (size_t i = 0; i < F.n_sent; i++) {
		const struct dns_msg *m = sent_msg(i);
		assert_true(F.sent[i].len <= 1500 - 48);
		assert_int_equal(m->count[DNS_SEC_QUESTION], i == 0 ? 1 : 0);
		assert_int_equal(m->flags, i + 1 < F.n_sent ? DNS_FLAG_TC : 0);
	}

	/* a probe that does not fit is not cut: its records are one set */
	F.n_sent = 0;
	F.now += 10;
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_ANY, 1, 0);
	pm_big_txt(DNS_SEC_AUTHORITY, "pi-41.local", 800);
	pm_big_txt(DNS_SEC_AUTHORITY, "pi-41.local", 801);
	feed_from(ETH, "fe80::41");
	assert_int_equal(F.n_sent, 0);
	assert_int_equal(drops(MDNS_DROP_TOO_BIG), 2);

	/* received: an IPv6 datagram may carry 9000 - 48 bytes of DNS, no more */
	pm_reset(0, 0x8400);
	pm_big_txt(DNS_SEC_ANSWER, "in._http._tcp.local", 3000);
	struct mdns_rx rx = rx_from(ETH, "fe80::41", MDNS_PORT);
	size_t n = pm_wire(true);
	memset(WIRE + n, 0, 9000 - 48 + 1 - n);
	mdns_engine_input(E, &rx, WIRE, 9000 - 48 + 1);
	assert_int_equal(drops(MDNS_DROP_TOO_BIG), 3);
	assert_int_equal(drops(MDNS_DROP_MALFORMED), 0);
	mdns_engine_input(E, &rx, WIRE, 9000 - 48);
	assert_int_equal(drops(MDNS_DROP_TOO_BIG), 3);
	assert_int_equal(drops(MDNS_DROP_MALFORMED), 1);   /* got past the size check */
}

/* A legacy answer too big for the asker's link: cut at a record boundary,
 * TC set (§18.5), the asker's ID and RD, AA. */
static void test_legacy_answer_truncated(void **state)
{
	start();
	link_mtu(ETH, "eth0", 9000);
	link_mtu(WLAN, "wlan0", 1500);
	pm_reset(0x2222, 0x0100);
	pm_add(DNS_SEC_QUESTION, "_http._tcp.local", DNS_TYPE_PTR, 1, 0);
	struct mdns_rx rx = rx_from(WLAN, "192.168.1.50", 40000);
	feed(E, &rx);
	assert_int_equal(F.n_sent, 1);
	const struct dns_msg *m = sent_msg(0);
	assert_int_equal(m->flags, 0);
	uint16_t mapped = m->id;

	pm_reset(mapped, 0x8400);
	pm_add(DNS_SEC_QUESTION, "_http._tcp.local", DNS_TYPE_PTR, 1, 0);
	char name[32];
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "t%d._http._tcp.local", i);
		pm_big_txt(DNS_SEC_ANSWER, name, 1000);
	}
	rx = rx_from(ETH, "10.0.40.41", MDNS_PORT);
	rx.via = MDNS_VIA_LEGACY;
	rx.dst_mcast = false;
	feed(E, &rx);
	assert_int_equal(F.n_sent, 2);
	assert_true(F.sent[1].len <= 1500 - 28);
	m = sent_msg(1);
	assert_int_equal(m->id, 0x2222);
	assert_int_equal(m->flags, DNS_FLAG_QR | DNS_FLAG_AA | DNS_FLAG_TC | DNS_FLAG_RD);
	assert_int_equal(m->count[DNS_SEC_QUESTION], 1);
	assert_int_equal(m->count[DNS_SEC_ANSWER], 1);
}

static void test_rate_limit(void **state)
{
	CONF.rate_limit = 10;
	start();
	char name[32];
	for (int i = 0; i < 15; i++) {
		pm_reset(0, 0);
		snprintf(name, sizeof(name), "host-%d.local", i);
		pm_add(DNS_SEC_QUESTION, name, DNS_TYPE_A, 1, 0);
		feed_from(WLAN, "192.168.1.50");
	}
	assert_int_equal(F.n_sent, 10);
	assert_int_equal(mdns_engine_counters(E)->rate_limited, 5);
	assert_int_equal(drops(MDNS_DROP_RATE_LIMITED), 5);
	struct mdns_iface_view v;
	mdns_engine_iface(E, 1, &v);
	assert_string_equal(v.name, "eth0");
	assert_int_equal(v.c->rate_limited, 5);
	assert_int_equal(v.c->tx, 10);

	/* half a second refills five */
	F.now += 500;
	for (int i = 15; i < 23; i++) {
		pm_reset(0, 0);
		snprintf(name, sizeof(name), "host-%d.local", i);
		pm_add(DNS_SEC_QUESTION, name, DNS_TYPE_A, 1, 0);
		feed_from(WLAN, "192.168.1.50");
	}
	assert_int_equal(F.n_sent, 15);
	/* the other direction has its own bucket */
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "x.local", DNS_TYPE_A, 1, 0);
	feed_from(ETH, "10.0.40.41");
	assert_int_equal(F.n_sent, 16);
}

static void test_rate_limit_off(void **state)
{
	CONF.rate_limit = 0;
	start();
	char name[32];
	for (int i = 0; i < 30; i++) {
		pm_reset(0, 0);
		snprintf(name, sizeof(name), "h%d.local", i);
		pm_add(DNS_SEC_QUESTION, name, DNS_TYPE_A, 1, 0);
		feed_from(WLAN, "192.168.1.50");
	}
	assert_int_equal(F.n_sent, 30);
	assert_int_equal(mdns_engine_counters(E)->rate_limited, 0);
}

static void legacy_query_from(const char *src, uint16_t port, uint16_t id)
{
	pm_reset(id, 0x0100);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_A, 1, 0);
	struct mdns_rx rx = rx_from(WLAN, src, port);
	rx.hop_limit = 1;   /* legacy resolvers use the default multicast TTL */
	feed(E, &rx);
}

static void legacy_answer(uint16_t id, int ifindex, const char *src, int hop_limit)
{
	pm_reset(id, 0x8400);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_A, 0x8001, 0); /* sloppy responder */
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "10.0.40.41", 120);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "169.254.1.41", 120);
	struct mdns_rx rx = rx_from(ifindex, src, MDNS_PORT);
	rx.via = MDNS_VIA_LEGACY;
	rx.dst_mcast = false;
	rx.hop_limit = hop_limit;
	feed(E, &rx);
}

static void test_legacy_unicast_mapping(void **state)
{
	start();
	legacy_query_from("192.168.1.50", 40000, 0x1234);
	assert_int_equal(F.n_sent, 1);
	struct mdns_tx tx = F.sent[0].tx;
	assert_int_equal(tx.via, MDNS_VIA_LEGACY);
	assert_int_equal(tx.ifindex, ETH);
	struct in6_addr want = ip("10.0.40.1");
	assert_memory_equal(&tx.src, &want, 16);
	want = ip("224.0.0.251");
	assert_memory_equal(&tx.dst, &want, 16);
	uint16_t mapped = sent_msg(0)->id;
	assert_int_not_equal(mapped, 0x1234);
	assert_int_equal(mdns_engine_counters(E)->legacy_queries, 1);

	/* the answer comes back by unicast to the legacy socket */
	F.now += 20;
	legacy_answer(mapped, ETH, "10.0.40.41", 255);
	assert_int_equal(F.n_sent, 2);
	tx = F.sent[1].tx;
	assert_int_equal(tx.via, MDNS_VIA_MAIN);
	assert_int_equal(tx.ifindex, WLAN);
	assert_int_equal(tx.dport, 40000);
	want = ip("192.168.1.50");
	assert_memory_equal(&tx.dst, &want, 16);
	want = ip("192.168.1.31");
	assert_memory_equal(&tx.src, &want, 16);
	const struct dns_msg *m = sent_msg(1);
	assert_int_equal(m->id, 0x1234);
	assert_int_equal(m->count[DNS_SEC_QUESTION], 1);
	assert_int_equal(m->count[DNS_SEC_ANSWER], 1);
	assert_true(has_addr(m, "10.0.40.41"));
	assert_false(has_addr(m, "169.254.1.41"));
	assert_int_equal(m->rr[1].ttl, 10);
	assert_int_equal(m->rr[1].class, 1);
	assert_int_equal(m->rr[0].class, 1);
	assert_int_equal(mdns_engine_counters(E)->legacy_answers, 1);

	/* a second responder's answer is mapped too, and so is one from an
	 * address outside eth0's prefixes that arrives with hop limit 255:
	 * it was not routed, so it is on the link */
	F.now += 20;
	legacy_answer(mapped, ETH, "10.0.40.42", 255);
	assert_int_equal(F.n_sent, 3);
	legacy_answer(mapped, ETH, "10.9.9.9", 255);
	assert_int_equal(F.n_sent, 4);

	/* wrong ID, wrong link, off-link source, routed (hop limit), too late */
	legacy_answer((uint16_t)(mapped + 1), ETH, "10.0.40.41", 255);
	assert_int_equal(drops(MDNS_DROP_LEGACY_UNMATCHED), 1);
	legacy_answer(mapped, WLAN, "192.168.1.77", 255);
	assert_int_equal(drops(MDNS_DROP_LEGACY_UNMATCHED), 2);
	legacy_answer(mapped, ETH, "198.51.100.1", -1);
	assert_int_equal(drops(MDNS_DROP_OFFLINK), 1);
	legacy_answer(mapped, ETH, "10.0.40.41", 63);
	assert_int_equal(drops(MDNS_DROP_HOP_LIMIT), 1);
	F.now += MDNS_LEGACY_MS + 1;
	legacy_answer(mapped, ETH, "10.0.40.41", 255);
	assert_int_equal(drops(MDNS_DROP_LEGACY_UNMATCHED), 3);
	assert_int_equal(F.n_sent, 4);
}

static void test_legacy_offlink_refused(void **state)
{
	start();
	/* an asker outside every prefix of wlan0: not forwarded at all */
	legacy_query_from("203.0.113.5", 40000, 0x1234);
	assert_int_equal(F.n_sent, 0);
	assert_int_equal(drops(MDNS_DROP_OFFLINK), 1);
	/* also when sent to our unicast address */
	pm_reset(7, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_A, 1, 0);
	struct mdns_rx rx = rx_from(WLAN, "2001:db8:ffff::5", 33333);
	rx.dst_mcast = false;
	feed(E, &rx);
	assert_int_equal(drops(MDNS_DROP_OFFLINK), 2);
	assert_int_equal(F.n_sent, 0);
	/* an IPv6 link-local asker is on-link, and gets a link-local source */
	pm_reset(9, 0);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_AAAA, 1, 0);
	rx = rx_from(WLAN, "fe80::50", 33333);
	feed(E, &rx);
	assert_int_equal(F.n_sent, 1);
	uint16_t mapped = sent_msg(0)->id;
	pm_reset(mapped, 0x8400);
	pm_add(DNS_SEC_QUESTION, "pi-41.local", DNS_TYPE_AAAA, 1, 0);
	pm_addr(DNS_SEC_ANSWER, "pi-41.local", "2001:db8:abc:123:41::1", 120);
	rx = rx_from(ETH, "fe80::41", MDNS_PORT);
	rx.via = MDNS_VIA_LEGACY;
	rx.dst_mcast = false;
	feed(E, &rx);
	assert_int_equal(F.n_sent, 2);
	struct in6_addr want = ip("fe80::31");
	assert_memory_equal(&F.sent[1].tx.src, &want, 16);
	want = ip("fe80::50");
	assert_memory_equal(&F.sent[1].tx.dst, &want, 16);
	assert_int_equal(F.sent[1].tx.dport, 33333);
	assert_int_equal(sent_msg(1)->id, 9);
}

static void test_validation_drops(void **state)
{
	start();
	struct mdns_rx rx;
	pm_reset(0, 0x0800);   /* opcode 1 */
	pm_add(DNS_SEC_QUESTION, "a.local", DNS_TYPE_A, 1, 0);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(drops(MDNS_DROP_OPCODE), 1);

	pm_reset(0, 0x8403);   /* NXDOMAIN */
	pm_addr(DNS_SEC_ANSWER, "a.local", "192.0.2.1", 120);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(drops(MDNS_DROP_RCODE), 1);

	pm_reset(0, 0x8400);   /* a response from another port */
	pm_addr(DNS_SEC_ANSWER, "a.local", "192.0.2.1", 120);
	rx = rx_from(WLAN, "fe80::99", 1234);
	feed(E, &rx);
	assert_int_equal(drops(MDNS_DROP_RESPONSE_PORT), 1);

	pm_reset(0, 0);        /* a unicast query to our port 5353 */
	pm_add(DNS_SEC_QUESTION, "a.local", DNS_TYPE_A, 1, 0);
	rx = rx_from(WLAN, "fe80::99", MDNS_PORT);
	rx.dst_mcast = false;
	feed(E, &rx);
	assert_int_equal(drops(MDNS_DROP_UNICAST), 1);

	rx = rx_from(WLAN, "fe80::99", MDNS_PORT);
	size_t n = pm_wire(true);
	rx.truncated = true;
	mdns_engine_input(E, &rx, WIRE, n);
	rx.truncated = false;
	mdns_engine_input(E, &rx, WIRE, MDNS_PACKET_MAX + 1);
	assert_int_equal(drops(MDNS_DROP_TOO_BIG), 2);

	mdns_engine_input(E, &rx, WIRE, 11);
	assert_int_equal(drops(MDNS_DROP_MALFORMED), 1);
	assert_int_equal(mdns_engine_counters(E)->dns_drops[DNS_DROP_TRUNCATED], 1);

	rx = rx_from(OTHER, "fe80::99", MDNS_PORT);
	mdns_engine_input(E, &rx, WIRE, n);
	rx = rx_from(77, "fe80::99", MDNS_PORT);
	mdns_engine_input(E, &rx, WIRE, n);
	assert_int_equal(drops(MDNS_DROP_IFACE), 2);

	/* family/address mismatch is refused, not trusted */
	rx = rx_from(WLAN, "fe80::99", MDNS_PORT);
	rx.family = AF_INET;
	mdns_engine_input(E, &rx, WIRE, n);
	assert_int_equal(drops(MDNS_DROP_FAMILY), 1);

	assert_int_equal(F.n_sent, 0);
	assert_int_equal(mdns_engine_counters(E)->rx, 10);
}

static void test_family_per_iface(void **state)
{
	IFS[1].ipv4 = false;
	start();
	/* no IPv4 membership on eth0 */
	for (size_t i = 0; i < F.n_member; i++)
		assert_false(F.member[i].ifindex == ETH && F.member[i].family == AF_INET);
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "a.local", DNS_TYPE_A, 1, 0);
	feed_from(WLAN, "192.168.1.50");
	assert_int_equal(F.n_sent, 0);
	assert_int_equal(drops(MDNS_DROP_NO_DEST), 1);
	feed_from(ETH, "10.0.40.41");
	assert_int_equal(drops(MDNS_DROP_FAMILY), 1);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 1);
}

static void test_own_packets(void **state)
{
	start();
	/* avahi on the gateway, on wlan0: learn first */
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "gw.local", "192.168.1.31", 120);
	feed_from(WLAN, "192.168.1.31");
	assert_int_equal(F.n_sent, 0);
	assert_int_equal(drops(MDNS_DROP_OWN), 1);
	struct mdns_iface_view v;
	mdns_engine_iface(E, 0, &v);
	assert_true(v.local_stack);

	/* after the learning time, eth0 has shown no local stack: reflect */
	F.now += MDNS_LOCAL_STACK_LEARN_MS;
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "gw.local", "192.0.2.31", 120);
	feed_from(WLAN, "192.168.1.31");
	assert_int_equal(F.n_sent, 1);

	/* the local stack also speaks on eth0: its records stay on their link */
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "gw.local", "10.0.40.1", 120);
	feed_from(ETH, "10.0.40.1");
	assert_int_equal(F.n_sent, 1);
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "gw.local", "192.0.2.32", 120);
	feed_from(WLAN, "fe80::31");
	assert_int_equal(F.n_sent, 1);
	assert_int_equal(drops(MDNS_DROP_OWN), 3);

	/* fe80::1 is ours on eth0 only: a neighbour using it on wlan0 is
	 * somebody else */
	F.now += 10;
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "router.local", "192.0.2.1", 120);
	feed_from(WLAN, "fe80::1");
	assert_int_equal(drops(MDNS_DROP_OWN), 3);
	assert_int_equal(F.n_sent, 2);
	assert_int_equal(F.sent[1].tx.ifindex, ETH);

	/* a legacy query from the host itself is not ours to forward */
	legacy_query_from("192.168.1.31", 40000, 1);
	assert_int_equal(drops(MDNS_DROP_OWN), 4);
	/* other hosts still cross */
	pm_reset(0, 0x8400);
	pm_addr(DNS_SEC_ANSWER, "laptop.local", "192.0.2.99", 120);
	feed_from(WLAN, "192.168.1.50");
	assert_int_equal(F.n_sent, 3);
}

static bool member_seen(int family, int ifindex, bool join)
{
	for (size_t i = 0; i < F.n_member; i++)
		if (F.member[i].family == family && F.member[i].ifindex == ifindex && F.member[i].join == join)
			return true;
	return false;
}

static void test_links_come_and_go(void **state)
{
	E = mdns_engine_new(&CONF, &OPS, 1);
	assert_non_null(E);
	assert_int_equal(F.n_member, 0);
	struct mdns_iface_view v;
	mdns_engine_iface(E, 0, &v);
	assert_int_equal(v.ifindex, 0);

	link_event(E, WLAN, "wlan0", false, false);   /* exists, down */
	assert_int_equal(F.n_member, 0);
	link_event(E, WLAN, "wlan0", true, false);
	assert_true(member_seen(AF_INET, WLAN, true));
	assert_true(member_seen(AF_INET6, WLAN, true));
	size_t joins = F.n_member;
	link_event(E, WLAN, "wlan0", true, false);   /* no change: no new joins */
	assert_int_equal(F.n_member, joins);
	mdns_engine_iface(E, 0, &v);
	assert_true(v.up && v.joined4 && v.joined6);

	/* eth0 appears, is deleted, comes back with a new index */
	link_event(E, ETH, "eth0", true, false);
	assert_true(member_seen(AF_INET6, ETH, true));
	link_event(E, ETH, "eth0", true, true);
	mdns_engine_iface(E, 1, &v);
	assert_int_equal(v.ifindex, 0);
	assert_false(v.joined6);
	link_event(E, 9, "eth0", true, false);
	assert_true(member_seen(AF_INET6, 9, true));
	mdns_engine_iface(E, 1, &v);
	assert_int_equal(v.ifindex, 9);

	/* reload without eth0: it leaves; wlan0 keeps its memberships */
	joins = F.n_member;
	static struct conf_mdns_iface one[1];
	one[0] = IFS[0];
	struct conf_mdns c2 = CONF;
	c2.n_ifaces = 1;
	c2.ifaces = one;
	assert_int_equal(mdns_engine_reload(E, &c2), 0);
	assert_true(member_seen(AF_INET6, 9, false));
	assert_true(member_seen(AF_INET, 9, false));
	for (size_t i = joins; i < F.n_member; i++)
		assert_int_not_equal(F.member[i].ifindex, WLAN);
	assert_int_equal(mdns_engine_n_ifaces(E), 1);
	mdns_engine_iface(E, 0, &v);
	assert_true(v.joined4 && v.joined6);

	/* reload listing eth0 again: it is joined without a new link event,
	 * because the engine mirrors every link */
	assert_int_equal(mdns_engine_reload(E, &CONF), 0);
	mdns_engine_iface(E, 1, &v);
	assert_int_equal(v.ifindex, 9);
	assert_true(v.joined6);

	/* a bad filter fails the reload and keeps the old conf */
	struct conf_mdns_filter bad = { .service = "a..b", .allow = true };
	static struct conf_mdns_iface two[2];
	two[0] = IFS[0];
	two[1] = IFS[1];
	two[1].in = &bad;
	two[1].n_in = 1;
	struct conf_mdns c3 = CONF;
	c3.ifaces = two;
	assert_int_equal(mdns_engine_reload(E, &c3), -EINVAL);
	assert_int_equal(mdns_engine_n_ifaces(E), 2);
}

static void test_not_sent_to_down_link(void **state)
{
	start();
	link_event(E, ETH, "eth0", false, false);
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "a.local", DNS_TYPE_A, 1, 0);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 0);
	assert_int_equal(drops(MDNS_DROP_NO_DEST), 1);
	link_event(E, ETH, "eth0", true, false);
	F.now += 10;
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 1);
	F.send_rc = -ENOBUFS;
	F.now += 10;
	pm_add(DNS_SEC_QUESTION, "b.local", DNS_TYPE_A, 1, 0);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(drops(MDNS_DROP_SEND_FAILED), 1);
	assert_int_equal(mdns_engine_counters(E)->tx_errors, 1);
}

/* A copy the socket layer queued and the kernel refused later moves from
 * tx to tx_errors, on its interface and in total. */
static void test_late_send_failure(void **state)
{
	start();
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "late.local", DNS_TYPE_A, 1, 0);
	feed_from(WLAN, "fe80::99");
	assert_int_equal(F.n_sent, 1);
	const struct mdns_counters *c = mdns_engine_counters(E);
	struct mdns_iface_view v;
	mdns_engine_iface(E, 1, &v);
	assert_int_equal(v.ifindex, ETH);
	uint64_t tx = c->tx, bytes = c->tx_bytes, itx = v.c->tx;
	size_t len = F.sent[0].len;
	assert_int_equal(bytes, len);
	mdns_engine_tx_failed(E, ETH, len);
	assert_int_equal(c->tx, tx - 1);
	assert_int_equal(c->tx_errors, 1);
	assert_int_equal(c->tx_bytes, 0);
	assert_int_equal(v.c->tx, itx - 1);
	assert_int_equal(v.c->tx_errors, 1);
	/* an interface the engine does not know: only the totals move */
	mdns_engine_tx_failed(E, 99, len);
	assert_int_equal(c->tx_errors, 2);
	assert_int_equal(c->tx, 0);
}

/* The daemon frees a conf right after a reload, whatever the outcome: the
 * engine must keep nothing that points into it (ASan would see). */

/* The engine's view as islandctl gets it: {"mdns":{...}}. */
static void dump_doc(struct ctl_out *o)
{
	struct json j;
	ctl_out_init(o);
	json_init(&j, o);
	json_obj(&j);
	json_kobj(&j, "mdns");
	mdns_engine_dump(E, &j);
	json_obj_end(&j);
	json_obj_end(&j);
	json_end(&j);
}

static void test_conf_not_kept(void **state)
{
	struct conf_mdns *c = calloc(1, sizeof(*c));
	struct conf_mdns_iface *ifs = calloc(2, sizeof(*ifs));
	struct conf_mdns_filter *f = calloc(1, sizeof(*f));
	assert_non_null(c);
	assert_non_null(ifs);
	assert_non_null(f);
	snprintf(f->service, sizeof(f->service), "_ssh._tcp");
	snprintf(ifs[0].name, IF_NAMESIZE, "wlan0");
	snprintf(ifs[1].name, IF_NAMESIZE, "eth0");
	ifs[0].ipv4 = ifs[0].ipv6 = ifs[1].ipv4 = ifs[1].ipv6 = true;
	ifs[1].out = f;
	ifs[1].n_out = 1;
	c->n_ifaces = 2;
	c->ifaces = ifs;
	c->rate_limit = 3;
	E = mdns_engine_new(c, &OPS, 5);
	assert_non_null(E);
	free(f);
	free(ifs);
	free(c);
	host_setup(E);
	F.n_sent = 0;
	for (int i = 0; i < 5; i++) {
		pm_reset(0, 0);
		pm_add(DNS_SEC_QUESTION, i ? "pi-41.local" : "_ssh._tcp.local", DNS_TYPE_A, 1, 0);
		F.now += 1;
		feed_from(WLAN, "fe80::99");
	}
	assert_int_equal(drops(MDNS_DROP_FILTERED), 1);      /* the copied filter */
	assert_int_equal(drops(MDNS_DROP_RATE_LIMITED), 1);  /* the copied rate */
	assert_int_equal(F.n_sent, 3);
	struct ctl_out o;
	dump_doc(&o);
	assert_non_null(strstr(o.buf, "\"rate_limit\":3,"));
	ctl_out_free(&o);
}

static void test_dump(void **state)
{
	start();
	pm_reset(0, 0);
	pm_add(DNS_SEC_QUESTION, "a.local", DNS_TYPE_A, 0x8001, 0);
	feed_from(WLAN, "fe80::99");
	pm_reset(0, 0x0800);
	pm_add(DNS_SEC_QUESTION, "a.local", DNS_TYPE_A, 1, 0);
	feed_from(WLAN, "fe80::99");

	struct ctl_out o;
	dump_doc(&o);
	assert_non_null(o.buf);
	assert_non_null(strstr(o.buf, "{\"mdns\":{\"interfaces\":[{\"name\":\"wlan0\",\"ifindex\":3,"));
	assert_non_null(strstr(o.buf, "\"counters\":{\"rx\":2,"));
	assert_non_null(strstr(o.buf, "\"tx\":1,"));
	assert_non_null(strstr(o.buf, "\"opcode\":1"));
	assert_non_null(strstr(o.buf, "\"qu_cleared\":1"));
	assert_non_null(strstr(o.buf, "\"dns_drops\":{\"truncated\":0"));
	assert_string_equal(o.buf + o.len - 5, "}}}}\n");
	ctl_out_free(&o);

	/* islandctl's table from the same JSON */
	dump_doc(&o);
	int rc;
	char *text = render_text("mdns", o.buf, o.len, &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "  wlan0 "));
	assert_non_null(strstr(text, "dropped: opcode 1"));
	assert_non_null(strstr(text, "packets: rx 2 "));
	free(text);
	ctl_out_free(&o);

	for (int d = 0; d < MDNS_DROP__MAX; d++) {
		assert_string_not_equal(mdns_drop_name((enum mdns_drop)d), "unknown");
		for (int k = 0; k < d; k++)
			assert_string_not_equal(mdns_drop_name((enum mdns_drop)d),
			                        mdns_drop_name((enum mdns_drop)k));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_qu_becomes_qm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linklocal_never_crosses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ula_and_private4_per_conf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dangling_srv_ptr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_list_in, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loop_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_reflectors_do_not_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_via_other_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_reflected_not_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_competing_probe_reflected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_known_answer_query_other_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_flush_cleared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copies_fit_the_mtu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_answer_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_unicast_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_legacy_offlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_family_per_iface, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_come_and_go, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_sent_to_down_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_late_send_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conf_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dump, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
