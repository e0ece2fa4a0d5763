/* The proxy ARP engine driven through fake I/O: configurations parsed from
 * text, interfaces from a fed iftable, ARP frames built with the codec, the
 * clock fake_loop.h's; every frame and route the engine emits is recorded
 * and checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wire_fixtures.h"

#include "arpproxy/arpproxy.h"
#include "conf/conf.h"
#include "ctl/ctl.h"
#include "ctl/prom.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/arp.h"
#include "proxy/proxy_engine.h"
#include "util/json.h"
#include "util/loop.h"

#include "fake_loop.h"

#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <string.h>

#define UP_IF 2   /* wlan0: the proxy interface (home router's link) */
#define DOWN_IF 3 /* eth0: the island */

static const uint8_t mac_router[6] = { 2, 0, 0, 0, 0, 0x99 };   /* upstream asker */
static const uint8_t mac_host[6] = { 2, 0, 0, 0, 0, 0x41 };     /* island host */
static const uint8_t mac_spoofer[6] = { 2, 0, 0, 0, 0, 0x66 };
static const uint8_t mac_wlan0[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t mac_eth0[6] = { 2, 0, 0, 0, 0, 2 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct sent {
	int ifindex;
	uint8_t l2[6];
	struct arp_msg m;
};

struct route_op {
	bool add;
	struct in6_addr target;
	int ifindex;
};

static struct {
	struct sent tx[4096];
	unsigned n_tx;
	struct route_op routes[64];
	unsigned n_routes;
	int route_oif;
} fk;

static void fake_send_arp(void *ctx, int ifindex, const uint8_t l2dst[6], const uint8_t *p, size_t len)
{
	assert_int_equal(len, ARP_LEN);
	if (fk.n_tx < 4096) {
		struct sent *s = &fk.tx[fk.n_tx];
		s->ifindex = ifindex;
		memcpy(s->l2, l2dst, 6);
		/* everything we send must parse (a reply to a probe included) */
		assert_int_equal(arp_parse(p, len, NULL, &s->m), ARP_DROP_ok);
	}
	fk.n_tx++;
}

static int fake_route(bool add, const struct in6_addr *t, int ifindex)
{
	assert_true(fk.n_routes < 64);
	fk.routes[fk.n_routes++] = (struct route_op){ .add = add, .target = *t, .ifindex = ifindex };
	return 0;
}
static int fake_route_add(void *ctx, const struct in6_addr *t, int i) { return fake_route(true, t, i); }
static int fake_route_del(void *ctx, const struct in6_addr *t, int i) { return fake_route(false, t, i); }
static int fake_route_oif(void *ctx, const struct in6_addr *t) { return fk.route_oif; }

static const struct arp_ops ops = { .send_arp = fake_send_arp, .route_add = fake_route_add,
	                            .route_del = fake_route_del, .route_oif = fake_route_oif,
	                            .now_ms = fake_now_ms };

struct world {
	struct iftable *ifs;
	struct conf *conf;
	struct arp_engine *e;
};

static struct in_addr ip4(const char *s)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static struct in6_addr m4(const char *s)
{
	struct in_addr a = ip4(s);
	struct in6_addr m = { 0 };
	m.s6_addr[10] = m.s6_addr[11] = 0xff;
	memcpy(&m.s6_addr[12], &a, 4);
	return m;
}

static void add_iface(struct iftable *ifs, int idx, const char *name, const uint8_t mac[6], const char *v4)
{
	struct nl_link l = { .ifindex = idx, .flags = IFF_UP | IFF_RUNNING, .type = ARPHRD_ETHER,
	                     .mtu = 1500, .lladdr_len = 6 };
	memcpy(l.lladdr, mac, 6);
	snprintf(l.name, sizeof(l.name), "%s", name);
	iftable_on_link(ifs, &l, false, NULL, NULL);
	if (v4) {
		struct nl_addr a = { .ifindex = idx, .family = AF_INET, .addr4 = ip4(v4), .plen = 24 };
		iftable_on_addr(ifs, &a, false, NULL, NULL);
	}
}

static void world_up(struct world *w, const char *text)
{
	memset(&fk, 0, sizeof(fk));
	struct conf_error err;
	if (conf_parse(text, strlen(text), "test.conf", &w->conf, &err) < 0)
		fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
	fake_loop_reset(1000000);
	w->ifs = iftable_new(16);
	add_iface(w->ifs, UP_IF, "wlan0", mac_wlan0, "192.168.1.2");
	add_iface(w->ifs, DOWN_IF, "eth0", mac_eth0, NULL);
	w->e = arp_engine_new(fake_loop, w->conf, w->ifs, &ops, NULL, 0);
	assert_non_null(w->e);
}

static void world_down(struct world *w)
{
	arp_engine_free(w->e);
	iftable_free(w->ifs);
	fake_loop_free();
	conf_free(w->conf);
}

static void frame(struct world *w, int ifindex, uint16_t op, const uint8_t sha[6], const char *spa,
                  const uint8_t tha[6], const char *tpa)
{
	struct arp_msg m = { .op = op, .spa = ip4(spa), .tpa = ip4(tpa) };
	memcpy(m.sha, sha, 6);
	if (tha)
		memcpy(m.tha, tha, 6);
	uint8_t p[ARP_LEN];
	arp_build(p, &m);
	arp_engine_on_frame(w->e, ifindex, p, sizeof(p), sha);
}

/* The home router asks on wlan0. */
static void ask(struct world *w, const char *target)
{
	frame(w, UP_IF, ARP_OP_REQUEST, mac_router, "192.168.1.1", NULL, target);
}

/* The island host answers our probe on eth0. */
static void host_replies(struct world *w, const char *addr)
{
	frame(w, DOWN_IF, ARP_OP_REPLY, mac_host, addr, mac_eth0, "192.168.1.2");
}

static const struct arp_counters *C(struct world *w)
{
	return arp_engine_counters(w->e);
}

static const struct sent *last_tx(void)
{
	assert_true(fk.n_tx > 0);
	return &fk.tx[fk.n_tx - 1];
}

#define ISLAND "proxy wlan0 {\n autowire yes\n rule 192.168.1.0/24 { iface eth0 }\n}\n"

/* A request for an island host: a broadcast probe on eth0, no answer until
 * the host answers; then one reply from wlan0's MAC and a /32 route. */
static void answers_after_downstream_reply(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.41");
	assert_int_equal(fk.n_tx, 1);
	const struct sent *probe = last_tx();
	assert_int_equal(probe->ifindex, DOWN_IF);
	assert_memory_equal(probe->l2, bcast, 6);
	assert_int_equal(probe->m.op, ARP_OP_REQUEST);
	assert_memory_equal(probe->m.sha, mac_eth0, 6);               /* the downstream's own MAC */
	assert_int_equal(probe->m.spa.s_addr, ip4("192.168.1.2").s_addr); /* eth0 has none: wlan0's */
	assert_int_equal(probe->m.tpa.s_addr, ip4("192.168.1.41").s_addr);
	static const uint8_t zero[6];
	assert_memory_equal(probe->m.tha, zero, 6);
	assert_int_equal(C(&w)->tx_probe, 1);
	assert_int_equal(C(&w)->tx_reply, 0);
	assert_int_equal(fk.n_routes, 0);

	host_replies(&w, "192.168.1.41");
	assert_int_equal(fk.n_tx, 2);
	const struct sent *r = last_tx();
	assert_int_equal(r->ifindex, UP_IF);
	assert_memory_equal(r->l2, mac_router, 6);
	assert_int_equal(r->m.op, ARP_OP_REPLY);
	assert_memory_equal(r->m.sha, mac_wlan0, 6);  /* the gateway's own MAC, never the host's */
	assert_int_equal(r->m.spa.s_addr, ip4("192.168.1.41").s_addr);
	assert_memory_equal(r->m.tha, mac_router, 6);
	assert_int_equal(r->m.tpa.s_addr, ip4("192.168.1.1").s_addr);
	assert_int_equal(fk.n_routes, 1);
	assert_true(fk.routes[0].add);
	assert_int_equal(fk.routes[0].ifindex, DOWN_IF);
	struct in6_addr want = m4("192.168.1.41");
	assert_memory_equal(&fk.routes[0].target, &want, 16);
	assert_int_equal(C(&w)->target_confirmed, 1);

	/* the next request is answered at once, no probe */
	ask(&w, "192.168.1.41");
	assert_int_equal(fk.n_tx, 3);
	assert_int_equal(last_tx()->m.op, ARP_OP_REPLY);
	assert_int_equal(arp_engine_session_count(w.e), 1);
	world_down(&w);
	/* the engine's end removed its route */
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
}

/* Nobody holds the address: probes (retries), never an answer, no route,
 * then the dead cache keeps the next request quiet for a hold. */
static void absent_host_never_answered(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.77");
	run_for(5000);
	assert_int_equal(C(&w)->tx_probe, 4); /* first + 3 retries */
	assert_int_equal(C(&w)->tx_reply, 0);
	assert_int_equal(fk.n_routes, 0);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	assert_int_equal(C(&w)->target_lost, 0); /* never alive: not "lost" */
	ask(&w, "192.168.1.77");
	assert_int_equal(C(&w)->tx_probe, 5); /* the hold after the last probe is over: asked again */
	ask(&w, "192.168.1.77");
	assert_int_equal(C(&w)->pending, 3); /* each request waiting on a probe */
	run_for(3600); /* probes at +0, +1, +2, +3 s, given up at +3.5 s */
	ask(&w, "192.168.1.77"); /* within the hold after its last probe: silent */
	assert_int_equal(C(&w)->dead_target, 1);
	assert_int_equal(C(&w)->tx_reply, 0);
	/* outside every rule: nothing */
	ask(&w, "10.1.2.3");
	assert_int_equal(C(&w)->no_rule, 1);
	/* the gateway's own address: the kernel answers */
	ask(&w, "192.168.1.2");
	assert_int_equal(C(&w)->own_address, 1);
	assert_int_equal(C(&w)->tx_reply, 0);
	world_down(&w);
}

/* Keepalive probes of a live host are unicast to its MAC (a dozing Wi-Fi
 * host ignores broadcasts); a host that stops answering is dropped. */
static void keepalive_is_unicast(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 {\n autowire yes\n ttl 2000\n timeout 500\n retries 2\n"
	             " rule 192.168.1.0/24 { iface eth0 }\n}\n");
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	unsigned before = fk.n_tx;
	run_for(2001);
	assert_int_equal(fk.n_tx, before + 1);
	const struct sent *p = last_tx();
	assert_int_equal(p->ifindex, DOWN_IF);
	assert_memory_equal(p->l2, mac_host, 6);
	assert_int_equal(p->m.op, ARP_OP_REQUEST);
	assert_int_equal(p->m.tpa.s_addr, ip4("192.168.1.41").s_addr);
	assert_int_equal(C(&w)->tx_probe_unicast, 1);
	host_replies(&w, "192.168.1.41");
	run_for(1000);
	assert_int_equal(arp_engine_session_count(w.e), 1);
	assert_int_equal(fk.n_routes, 1);
	/* now it sleeps for good: renewal probes (all unicast), then it goes */
	run_for(2000 + 3 * 1000 + 100);
	assert_int_equal(C(&w)->tx_probe_unicast, 4);
	assert_int_equal(C(&w)->tx_probe, 1); /* only the very first was broadcast */
	assert_int_equal(C(&w)->target_lost, 1);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	world_down(&w);
}

/* RFC 5227: a probe (sender 0.0.0.0) for a live target is answered so the
 * newcomer sees the conflict; for an unknown one it starts a probe and is
 * answered only when the target answered. */
static void rfc5227_probes(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	frame(&w, UP_IF, ARP_OP_REQUEST, mac_spoofer, "0.0.0.0", NULL, "192.168.1.41");
	assert_int_equal(C(&w)->rx_probe, 1);
	assert_int_equal(C(&w)->tx_probe, 1);
	assert_int_equal(C(&w)->tx_reply, 0);
	host_replies(&w, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, 1);
	const struct sent *r = last_tx();
	assert_memory_equal(r->l2, mac_spoofer, 6);
	assert_int_equal(r->m.spa.s_addr, ip4("192.168.1.41").s_addr);
	assert_int_equal(r->m.tpa.s_addr, 0); /* to the prober, which has no address */
	assert_memory_equal(r->m.tha, mac_spoofer, 6);
	/* valid now: a second probe is defended at once */
	frame(&w, UP_IF, ARP_OP_REQUEST, mac_spoofer, "0.0.0.0", NULL, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, 2);
	/* a probe for an address nobody holds: never answered */
	frame(&w, UP_IF, ARP_OP_REQUEST, mac_spoofer, "0.0.0.0", NULL, "192.168.1.50");
	run_for(5000);
	assert_int_equal(C(&w)->tx_reply, 2);
	world_down(&w);
}

/* Someone upstream claims a live island host's address: the route does
 * not move, the host is asked downstream (unicast), and while it is in
 * question the gateway does not answer; the host answers: all stays. */
static void spoofed_claim_moves_nothing(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	unsigned routes = fk.n_routes, replies = C(&w)->tx_reply;
	/* a gratuitous ARP on wlan0 from another MAC for .41 */
	frame(&w, UP_IF, ARP_OP_REQUEST, mac_spoofer, "192.168.1.41", NULL, "192.168.1.41");
	assert_int_equal(C(&w)->heard_upstream, 1);
	assert_int_equal(C(&w)->gratuitous, 1);
	const struct sent *p = last_tx();
	assert_int_equal(p->ifindex, DOWN_IF);
	assert_memory_equal(p->l2, mac_host, 6); /* checked at its known MAC */
	ask(&w, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, replies); /* not answered while in question */
	assert_int_equal(C(&w)->target_on_link, 1);
	host_replies(&w, "192.168.1.41");
	assert_int_equal(C(&w)->claim_refuted, 1);
	assert_int_equal(fk.n_routes, routes); /* no route change at all */
	ask(&w, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, replies + 1);
	assert_memory_equal(last_tx()->m.sha, mac_wlan0, 6);
	world_down(&w);
}

/* The host moved from the island to the Wi-Fi: heard there, silent on
 * eth0: its session and route go, and it is not fought. */
static void moved_host_is_dropped(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	/* it answers someone on wlan0 itself now */
	frame(&w, UP_IF, ARP_OP_REPLY, mac_host, "192.168.1.41", mac_router, "192.168.1.1");
	assert_int_equal(C(&w)->heard_upstream, 1);
	run_for(5000);
	assert_int_equal(C(&w)->target_moved, 1);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	/* and while the kernel knows it on wlan0, requests for it are its own */
	struct kneigh n = { .ifindex = UP_IF, .addr = m4("192.168.1.41"), .state = NUD_REACHABLE };
	arp_engine_on_neigh(w.e, &n, false);
	run_for(60000); /* past deadtime */
	unsigned replies = C(&w)->tx_reply, probes = C(&w)->tx_probe;
	ask(&w, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, replies);
	assert_int_equal(C(&w)->tx_probe, probes);
	assert_int_equal(C(&w)->target_on_link, 1);
	world_down(&w);
}

/* The host moved to the Wi-Fi and, as dhcpcd does, probes its old address
 * there (RFC 5227) before using it: the probe comes from the MAC the
 * gateway knows the host by, so it is the host itself: not defended (that
 * made dhcpcd decline its own address), and the session goes once the
 * host is silent on eth0. A learned host (a DHCP lease) alike. */
static void moved_host_probing_is_not_defended(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	unsigned replies = C(&w)->tx_reply;
	frame(&w, UP_IF, ARP_OP_REQUEST, mac_host, "0.0.0.0", NULL, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, replies);
	assert_int_equal(C(&w)->heard_upstream, 1);
	assert_memory_equal(last_tx()->l2, mac_host, 6); /* checked downstream at its MAC */
	frame(&w, UP_IF, ARP_OP_REQUEST, mac_host, "0.0.0.0", NULL, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, replies);
	run_for(5000);
	assert_int_equal(C(&w)->target_moved, 1);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	/* another MAC probing the address of a live host is still defended */
	struct in6_addr a50 = m4("192.168.1.50");
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &a50, mac_host, false);
	replies = C(&w)->tx_reply;
	frame(&w, UP_IF, ARP_OP_REQUEST, mac_spoofer, "0.0.0.0", NULL, "192.168.1.50");
	assert_int_equal(C(&w)->tx_reply, replies + 1);
	/* the learned host itself probing it on the Wi-Fi is not */
	frame(&w, UP_IF, ARP_OP_REQUEST, mac_host, "0.0.0.0", NULL, "192.168.1.50");
	assert_int_equal(C(&w)->tx_reply, replies + 1);
	run_for(5000);
	assert_int_equal(C(&w)->target_moved, 2);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	world_down(&w);
}

/* A kernel neighbour entry on the proxy link for a live target also puts
 * it in question. */
static void kernel_neighbour_on_proxy_link(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	struct kneigh n = { .ifindex = UP_IF, .addr = m4("192.168.1.41"), .state = NUD_STALE };
	arp_engine_on_neigh(w.e, &n, false);
	assert_int_equal(C(&w)->heard_upstream, 1);
	/* IPv6 neighbours are not the ARP engine's */
	struct kneigh n6 = { .ifindex = UP_IF, .addr = A("2001:db8::41"), .state = NUD_STALE };
	arp_engine_on_neigh(w.e, &n6, false);
	assert_int_equal(C(&w)->heard_upstream, 1);
	world_down(&w);
}

/* The kernel's word downstream answers at once (no probe). */
static void kernel_neighbour_downstream(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	struct kneigh n = { .ifindex = DOWN_IF, .addr = m4("192.168.1.42"), .state = NUD_REACHABLE };
	arp_engine_on_neigh(w.e, &n, false);
	ask(&w, "192.168.1.42");
	assert_int_equal(C(&w)->tx_probe, 0);
	assert_int_equal(C(&w)->tx_reply, 1);
	assert_int_equal(fk.n_routes, 1);
	world_down(&w);
}

/* The proxy link's MAC changes: one RFC 5227 announcement per address
 * answered there, from the new MAC. */
static void mac_change_announces(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 {\n autowire yes\n rule 192.168.1.0/24 { iface eth0 }\n"
	             " rule 192.168.1.200 { static }\n}\n");
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	ask(&w, "192.168.1.77"); /* still probing: not announced */
	static const uint8_t newmac[6] = { 2, 0, 0, 0, 0, 0x11 };
	struct nl_link l = { .ifindex = UP_IF, .flags = IFF_UP | IFF_RUNNING, .type = ARPHRD_ETHER,
	                     .mtu = 1500, .lladdr_len = 6 };
	memcpy(l.lladdr, newmac, 6);
	snprintf(l.name, sizeof(l.name), "wlan0");
	int changes = iftable_on_link(w.ifs, &l, false, NULL, NULL);
	assert_true(changes & IFACE_LLADDR);
	unsigned before = fk.n_tx;
	arp_engine_on_iface(w.e, iftable_by_index(w.ifs, UP_IF), (unsigned)changes);
	assert_int_equal(fk.n_tx, before + 2);
	assert_int_equal(C(&w)->tx_announce, 2);
	static const uint8_t zero[6];
	for (unsigned i = before; i < fk.n_tx; i++) {
		const struct sent *a = &fk.tx[i];
		assert_int_equal(a->ifindex, UP_IF);
		assert_memory_equal(a->l2, bcast, 6);
		assert_int_equal(a->m.op, ARP_OP_REQUEST);
		assert_true(a->m.gratuitous);
		assert_memory_equal(a->m.sha, newmac, 6);
		assert_memory_equal(a->m.tha, zero, 6);
	}
	world_down(&w);
}

/* A /24 scan from upstream: probes within probe-rate, sessions within the
 * cap, every refusal counted. */
static void scan_is_bounded(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 {\n probe-rate 50\n max-sessions 20\n rule 192.168.0.0/16 { iface eth0 }\n}\n");
	char a[32];
	for (int round = 0; round < 4; round++) {
		for (int i = 1; i < 255; i++) {
			snprintf(a, sizeof(a), "192.168.%d.%d", 10 + round, i);
			ask(&w, a);
		}
		run_for(1000);
	}
	uint64_t probes = C(&w)->tx_probe;
	/* 4 s at 50/s (burst 5): at most ~205 in any case, here far fewer */
	assert_true(probes <= 4 * 50 + 5);
	assert_true(arp_engine_session_count(w.e) <= 20);
	assert_true(C(&w)->probe_budget + C(&w)->sessions_full > 0);
	assert_int_equal(C(&w)->tx_reply, 0);
	world_down(&w);
}

static void malformed_frames_counted(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	uint8_t p[ARP_LEN];
	arp_build_request(p, mac_router, ip4("192.168.1.1"), ip4("192.168.1.41"));
	p[4] = 16;
	arp_engine_on_frame(w.e, UP_IF, p, sizeof(p), mac_router);
	p[4] = 6;
	arp_engine_on_frame(w.e, UP_IF, p, 20, mac_router);
	arp_engine_on_frame(w.e, UP_IF, p, sizeof(p), mac_spoofer); /* sender MAC != Ethernet source */
	p[8] = 0xff;
	arp_engine_on_frame(w.e, UP_IF, p, sizeof(p), NULL);
	assert_int_equal(C(&w)->drops[ARP_DROP_bad_hlen], 1);
	assert_int_equal(C(&w)->drops[ARP_DROP_truncated], 1);
	assert_int_equal(C(&w)->drops[ARP_DROP_sender_mac_mismatch], 1);
	assert_int_equal(C(&w)->drops[ARP_DROP_sender_mac_mcast], 1);
	assert_int_equal(C(&w)->rx_request, 0);
	assert_int_equal(fk.n_tx, 0);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	world_down(&w);
}

static void static_and_auto_rules(void **state)
{
	struct world w;
	world_up(&w, "proxy wlan0 {\n rule 192.168.1.200 { static }\n}\n"
	             "proxy eth0 {\n rule 192.168.1.0/24 { auto }\n}\n");
	ask(&w, "192.168.1.200");
	assert_int_equal(C(&w)->tx_reply, 1);
	assert_int_equal(C(&w)->tx_probe, 0);
	/* the island asks for the home router: auto finds wlan0, probes there */
	fk.route_oif = UP_IF;
	frame(&w, DOWN_IF, ARP_OP_REQUEST, mac_host, "192.168.1.41", NULL, "192.168.1.1");
	assert_int_equal(C(&w)->tx_probe, 1);
	assert_int_equal(last_tx()->ifindex, UP_IF);
	assert_memory_equal(last_tx()->m.sha, mac_wlan0, 6);
	frame(&w, UP_IF, ARP_OP_REPLY, mac_router, "192.168.1.1", mac_wlan0, "192.168.1.2");
	assert_int_equal(C(&w)->tx_reply, 2);
	const struct sent *r = last_tx();
	assert_int_equal(r->ifindex, DOWN_IF);
	assert_memory_equal(r->m.sha, mac_eth0, 6); /* eth0's own MAC on eth0 */
	assert_memory_equal(r->l2, mac_host, 6);
	assert_int_equal(fk.n_routes, 0);           /* auto rules add no route */
	/* a target routed back out the link it is asked on: never answered there */
	fk.route_oif = DOWN_IF;
	frame(&w, DOWN_IF, ARP_OP_REQUEST, mac_host, "192.168.1.41", NULL, "192.168.1.43");
	assert_int_equal(C(&w)->auto_no_route, 1);
	assert_int_equal(C(&w)->tx_reply, 2);
	world_down(&w);
}

static void learned_hosts_answered_and_routed(void **state)
{
	struct world w;
	world_up(&w, "proxy eth0 {\n rule 10.9.0.0/16 { auto }\n}\n");
	arp_engine_free(w.e);
	const char ups[1][IF_NAMESIZE] = { "wlan0" };
	w.e = arp_engine_new(fake_loop, w.conf, w.ifs, &ops, ups, 1);
	assert_non_null(w.e);
	struct in6_addr h = m4("192.168.1.41");
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, mac_host, false);
	assert_int_equal(C(&w)->learned_hosts, 1);
	assert_int_equal(fk.n_routes, 1);
	ask(&w, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, 1);
	assert_memory_equal(last_tx()->m.sha, mac_wlan0, 6);
	run_for(29000); /* within ttl (30 s for a relay's upstream): not asked yet */
	assert_int_equal(arp_engine_session_count(w.e), 1);
	assert_int_equal(C(&w)->tx_probe_unicast + C(&w)->tx_probe, 0);
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, mac_host, true);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	world_down(&w);
}

/* A relay's upstream without a proxy block, as learned_hosts_answered_and_routed. */
static void learned_world_up(struct world *w)
{
	world_up(w, "proxy eth0 {\n rule 10.9.0.0/16 { auto }\n}\n");
	arp_engine_free(w->e);
	const char ups[1][IF_NAMESIZE] = { "wlan0" };
	w->e = arp_engine_new(fake_loop, w->conf, w->ifs, &ops, ups, 1);
	assert_non_null(w->e);
}

/* A learned host that left without a RELEASE: at ttl (30 s, the relay
 * upstream's default) a unicast ARP to its lease's MAC on eth0, then the
 * retries; silent: session, answers and /32 go (learned_lost), long before
 * the lease would end. The relay reporting it again learns it again. */
static void learned_host_silent_is_dropped(void **state)
{
	struct world w;
	learned_world_up(&w);
	struct in6_addr h = m4("192.168.1.41");
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, mac_host, false);
	assert_int_equal(fk.n_routes, 1);
	unsigned tx0 = fk.n_tx;
	run_for(29999);
	assert_int_equal(fk.n_tx, tx0);
	run_for(1);
	assert_int_equal(fk.n_tx, tx0 + 1);
	const struct sent *probe = last_tx();
	assert_int_equal(probe->ifindex, DOWN_IF);
	assert_memory_equal(probe->l2, mac_host, 6); /* unicast: a dozing host ignores broadcasts */
	assert_int_equal(probe->m.op, ARP_OP_REQUEST);
	assert_memory_equal(probe->m.sha, mac_eth0, 6);
	assert_int_equal(probe->m.tpa.s_addr, ip4("192.168.1.41").s_addr);
	ask(&w, "192.168.1.41"); /* still answered while it is checked */
	assert_int_equal(C(&w)->tx_reply, 1);
	run_for(5000);
	assert_int_equal(C(&w)->tx_probe_unicast, 4); /* first + 3 retries */
	assert_int_equal(C(&w)->tx_probe, 0);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	assert_int_equal(C(&w)->learned_lost, 1);
	assert_int_equal(C(&w)->target_lost, 1);
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	assert_memory_equal(&fk.routes[1].target, &h, 16);
	ask(&w, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, 1); /* no longer answered */
	/* the lease ending later finds nothing to remove */
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, mac_host, true);
	assert_int_equal(fk.n_routes, 2);
	/* a new lease for it (the host came back): learned, routed, answered */
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, mac_host, false);
	assert_int_equal(C(&w)->learned_hosts, 2);
	assert_int_equal(arp_engine_session_count(w.e), 1);
	assert_int_equal(fk.n_routes, 3);
	assert_true(fk.routes[2].add);
	ask(&w, "192.168.1.41");
	assert_int_equal(C(&w)->tx_reply, 2);
	assert_int_equal(C(&w)->dead_target, 0);
	world_down(&w);
}

/* A learned host that answers its checks, or speaks on eth0 itself, stays:
 * one route, never lost. */
static void learned_host_answering_is_kept(void **state)
{
	struct world w;
	learned_world_up(&w);
	struct in6_addr h = m4("192.168.1.41");
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, mac_host, false);
	for (int i = 0; i < 3; i++) {
		run_for(30000);
		assert_int_equal(C(&w)->tx_probe_unicast, (uint64_t)i + 1);
		assert_memory_equal(last_tx()->l2, mac_host, 6);
		host_replies(&w, "192.168.1.41");
	}
	/* its own request on eth0 confirms it too: the check moves out */
	run_for(20000);
	frame(&w, DOWN_IF, ARP_OP_REQUEST, mac_host, "192.168.1.41", NULL, "192.168.1.1");
	run_for(20000);
	assert_int_equal(C(&w)->tx_probe_unicast, 3);
	run_for(10000);
	assert_int_equal(C(&w)->tx_probe_unicast, 4);
	frame(&w, DOWN_IF, ARP_OP_REPLY, mac_host, "192.168.1.41", mac_eth0, "192.168.1.2");
	run_for(20000);
	/* the relay reporting its renewal confirms it too, and is not a new host */
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, mac_host, false);
	assert_int_equal(C(&w)->learned_hosts, 1);
	run_for(29000);
	assert_int_equal(arp_engine_session_count(w.e), 1);
	assert_int_equal(C(&w)->learned_lost, 0);
	assert_int_equal(C(&w)->target_lost, 0);
	assert_int_equal(fk.n_routes, 1);
	ask(&w, "192.168.1.41");
	assert_int_equal(last_tx()->m.op, ARP_OP_REPLY);
	assert_int_equal(last_tx()->ifindex, UP_IF);
	world_down(&w);
}

/* Reload: a learned host keeps its route and its check: probed at the rest
 * of its ttl by the new engine, dropped there if silent. */
static void learned_host_checked_after_reload(void **state)
{
	struct world w;
	learned_world_up(&w);
	struct in6_addr h = m4("192.168.1.41");
	arp_engine_learned_host(w.e, UP_IF, DOWN_IF, &h, mac_host, false);
	run_for(10000);
	const char ups[1][IF_NAMESIZE] = { "wlan0" };
	struct arp_engine *e2 = arp_engine_new(fake_loop, w.conf, w.ifs, &ops, ups, 1);
	assert_non_null(e2);
	assert_int_equal(arp_engine_take_over(e2, w.e), 1);
	w.e = e2;
	assert_int_equal(fk.n_routes, 1); /* the route moved, not re-added */
	run_for(19999);
	assert_int_equal(C(&w)->tx_probe_unicast, 0);
	run_for(1);
	assert_int_equal(C(&w)->tx_probe_unicast, 1);
	assert_memory_equal(last_tx()->l2, mac_host, 6);
	run_for(5000);
	assert_int_equal(C(&w)->learned_lost, 1);
	assert_int_equal(arp_engine_session_count(w.e), 0);
	assert_int_equal(fk.n_routes, 2);
	assert_false(fk.routes[1].add);
	world_down(&w);
}

/* Reload: live sessions still covered keep their route (no del/add). */
static void reload_keeps_sessions(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	struct conf *c2;
	struct conf_error err;
	const char *t2 = "proxy wlan0 {\n autowire yes\n ttl 60000\n rule 192.168.1.0/24 { iface eth0 }\n}\n";
	assert_int_equal(conf_parse(t2, strlen(t2), "t2.conf", &c2, &err), 0);
	struct arp_engine *e2 = arp_engine_new(fake_loop, c2, w.ifs, &ops, NULL, 0);
	assert_int_equal(arp_engine_take_over(e2, w.e), 1);
	w.e = e2;
	conf_free(w.conf);
	w.conf = c2;
	assert_int_equal(fk.n_routes, 1);
	assert_int_equal(C(&w)->target_confirmed, 1); /* counters carried over */
	ask(&w, "192.168.1.41");
	assert_int_equal(last_tx()->m.op, ARP_OP_REPLY);
	world_down(&w);
	assert_int_equal(fk.n_routes, 2);
}

/* Our /32 deleted by someone else comes back; islandctl's views. */
static void route_restored_and_dumped(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	struct kroute r = { .dst = m4("192.168.1.41"), .plen = 32, .ours = true, .main_table = true, .oif = DOWN_IF };
	arp_engine_on_route(w.e, &r, true);
	assert_int_equal(C(&w)->route_restored, 1);
	assert_int_equal(fk.n_routes, 2);
	assert_true(fk.routes[1].add);

	struct ctl_out o;
	ctl_out_init(&o);
	struct json j;
	json_init(&j, &o);
	json_obj(&j);
	json_karr(&j, "sessions");
	proxy_core_dump_sessions(arp_engine_core(w.e), &j);
	json_arr_end(&j);
	json_karr(&j, "routes");
	proxy_core_dump_routes(arp_engine_core(w.e), &j);
	json_arr_end(&j);
	json_kobj(&j, "arp");
	arp_engine_dump_counters(w.e, &j);
	json_obj_end(&j);
	json_obj_end(&j);
	json_end(&j);
	const char *buf = o.buf;
	assert_non_null(strstr(buf, "\"family\":\"ipv4\""));
	assert_non_null(strstr(buf, "\"target\":\"192.168.1.41\""));
	assert_non_null(strstr(buf, "\"mac\":\"02:00:00:00:00:41\""));
	assert_non_null(strstr(buf, "\"dst\":\"192.168.1.41/32\""));
	assert_non_null(strstr(buf, "\"drop_bad_hlen\":0"));
	assert_non_null(strstr(buf, "\"tx_reply\":1"));
	ctl_out_free(&o);
	world_down(&w);
}

/* stats' "arp" object becomes islandd_arp_* metrics (src/ctl/prom.c). */
static void arp_stats_become_metrics(void **state)
{
	struct world w;
	world_up(&w, ISLAND);
	ask(&w, "192.168.1.41");
	host_replies(&w, "192.168.1.41");
	uint8_t p[ARP_LEN];
	arp_build_request(p, mac_router, ip4("192.168.1.1"), ip4("192.168.1.41"));
	p[5] = 16;
	arp_engine_on_frame(w.e, UP_IF, p, sizeof(p), mac_router);
	struct ctl_out o;
	ctl_out_init(&o);
	struct json j;
	json_init(&j, &o);
	json_obj(&j);
	json_kobj(&j, "counters");
	json_obj_end(&j);
	json_kobj(&j, "arp");
	arp_engine_dump_counters(w.e, &j);
	json_obj_end(&j);
	json_obj_end(&j);
	json_end(&j);
	struct prom *pr = malloc(sizeof(*pr));
	char *out = malloc(1 << 16);
	assert_non_null(pr);
	assert_non_null(out);
	prom_begin(pr, 0);
	assert_int_equal(prom_add_view(pr, "stats", o.buf, o.len), 0);
	assert_true(prom_render(pr, out, 1 << 16) > 0);
	assert_non_null(strstr(out, "islandd_arp_tx_reply_total 1\n"));
	assert_non_null(strstr(out, "islandd_arp_target_confirmed_total 1\n"));
	assert_non_null(strstr(out, "islandd_arp_dropped_total{reason=\"bad_plen\"} 1\n"));
	assert_non_null(strstr(out, "# TYPE islandd_arp_sessions gauge\nislandd_arp_sessions 1\n"));
	free(out);
	free(pr);
	ctl_out_free(&o);
	world_down(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers_after_downstream_reply),
		cmocka_unit_test(absent_host_never_answered),
		cmocka_unit_test(keepalive_is_unicast),
		cmocka_unit_test(rfc5227_probes),
		cmocka_unit_test(spoofed_claim_moves_nothing),
		cmocka_unit_test(moved_host_is_dropped),
		cmocka_unit_test(moved_host_probing_is_not_defended),
		cmocka_unit_test(kernel_neighbour_on_proxy_link),
		cmocka_unit_test(kernel_neighbour_downstream),
		cmocka_unit_test(mac_change_announces),
		cmocka_unit_test(scan_is_bounded),
		cmocka_unit_test(malformed_frames_counted),
		cmocka_unit_test(static_and_auto_rules),
		cmocka_unit_test(learned_hosts_answered_and_routed),
		cmocka_unit_test(learned_host_silent_is_dropped),
		cmocka_unit_test(learned_host_answering_is_kept),
		cmocka_unit_test(learned_host_checked_after_reload),
		cmocka_unit_test(reload_keeps_sessions),
		cmocka_unit_test(route_restored_and_dumped),
		cmocka_unit_test(arp_stats_become_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
