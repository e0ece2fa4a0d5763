/* Fuzzes the NDP proxy engine the way the daemon feeds it: each input is a
 * sequence of packets, each with the metadata a packet socket gives (arrival
 * interface, link-layer source), parsed by nd_parse and handed to the engine
 * with fake I/O. The engine must never crash, and its sessions never pass
 * the configured cap whatever arrives. Time moves between packets on the
 * fake loop (tests/unit/fake_loop.h), so session timers fire too. */
#include "conf/conf.h"
#include "ndproxy/ndproxy.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/nd.h"
#include "util/loop.h"
#include "../unit/fake_loop.h"
#include "fuzz_conf_of.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SESSIONS 64

static unsigned routes_live;

static void f_send_na(void *c, int i, const uint8_t *l2, uint8_t h, const struct in6_addr *s,
                      const struct in6_addr *d, const struct in6_addr *t, uint8_t f,
                      const struct nd_lladdr *ll)
{
	uint8_t buf[256];
	if (nd_build_na(buf, sizeof(buf), s, d, t, f, ll) == 0)
		abort(); /* an answer we cannot build is a bug */
}
static void f_send_ns(void *c, int i, const struct in6_addr *s, const struct in6_addr *t,
                      const struct nd_lladdr *ll)
{
}
static int f_route_add(void *c, const struct in6_addr *t, int i, const struct in6_addr *v)
{
	routes_live++;
	return 0;
}
static int f_route_del(void *c, const struct in6_addr *t, int i, const struct in6_addr *v)
{
	if (routes_live == 0)
		abort(); /* removing a route never added */
	routes_live--;
	return 0;
}
static int f_route_oif(void *c, const struct in6_addr *t) { return t->s6_addr[15] & 3; }
/* A relay on if1 relays 2001:db8:2::/64 to if2 and if3 (the RA engine's answer). */
static unsigned f_relay_links(void *c, int up, const struct in6_addr *t, int *links, unsigned max)
{
	static const uint8_t relayed[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0 };
	if (up != 1 || memcmp(t, relayed, 8) != 0 || max < 2)
		return 0;
	links[0] = 2;
	links[1] = 3;
	return 2;
}

static const struct ndp_ops ops = { .send_na = f_send_na, .send_ns = f_send_ns,
	                            .route_add = f_route_add, .route_del = f_route_del,
	                            .route_oif = f_route_oif, .now_ms = fake_now_ms,
	                            .relay_links = f_relay_links };

static const char config[] =
	"proxy if1 { autowire yes\n max-sessions 64\n probe-rate 1000\n"
	"  rule 2001:db8:0:0:40::/76 { iface if2 }\n"
	"  rule 2001:db8::/64 { auto }\n"
	"  rule 2001:db8:1::/64 { static }\n}\n"
	"proxy if2 { router no\n max-sessions 64\n answer-from target\n rule ::/0 { iface if3 } }\n";

static void add_iface(struct iftable *ifs, int idx, const char *name)
{
	struct nl_link l = { .ifindex = idx, .flags = IFF_UP | IFF_RUNNING, .type = ARPHRD_ETHER,
	                     .mtu = 1500, .lladdr_len = idx == 3 ? 0 : 6, .lladdr = { 2, 0, 0, 0, 0, (uint8_t)idx } };
	snprintf(l.name, sizeof(l.name), "%s", name);
	iftable_on_link(ifs, &l, false, NULL, NULL);
	struct nl_addr a = { .ifindex = idx, .family = AF_INET6, .plen = 64, .scope = 253 };
	inet_pton(AF_INET6, "fe80::1", &a.addr);
	a.addr.s6_addr[15] = (uint8_t)idx;
	iftable_on_addr(ifs, &a, false, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iftable *ifs;
	static struct conf *conf;
	if (!ifs) {
		conf = fuzz_conf_of(config, sizeof(config) - 1);
		ifs = iftable_new(8);
		add_iface(ifs, 1, "if1");
		add_iface(ifs, 2, "if2");
		add_iface(ifs, 3, "if3");
	}
	fake_loop_reset(1000);
	routes_live = 0;
	struct ndp_engine *e = ndp_engine_new(fake_loop, conf, ifs, &ops);
	if (!e)
		abort();
	/* records: [ifindex 1..3][advance ms][len hi][len lo][bytes...] */
	size_t off = 0;
	while (off + 4 <= size) {
		int ifindex = 1 + data[off] % 3;
		run_for(data[off + 1] * 10u); /* the engine's timers fire meanwhile */
		size_t len = (size_t)data[off + 2] << 8 | data[off + 3];
		off += 4;
		if (len > size - off)
			len = size - off;
		struct nd_msg m;
		struct pkt_in pin = { .data = data + off, .len = len, .orig_len = len, .src_ll_len = 6,
		                      .src_ll = { 2, 0, 0, 0, 0, 9 } };
		if (nd_parse(data + off, len, &m) == ND_OK)
			ndp_engine_on_nd(e, ifindex, &m, &pin);
		if (data[off - 4] & 0x80) {
			/* the kernel's neighbour events are input too */
			struct kneigh n = { .ifindex = ifindex, .state = data[off - 3] };
			if (len >= 16)
				memcpy(&n.addr, data + off, 16);
			ndp_engine_on_neigh(e, &n, data[off - 4] & 0x40);
		}
		off += len;
		if (ndp_engine_session_count(e) > 2 * MAX_SESSIONS)
			abort(); /* two proxies, 64 each */
	}
	ndp_engine_free(e);
	if (routes_live != 0)
		abort(); /* freeing the engine must remove every route it added */
	if (loop_run(fake_loop) != -EDEADLK)
		abort(); /* a timer left armed by a freed engine */
	return 0;
}
