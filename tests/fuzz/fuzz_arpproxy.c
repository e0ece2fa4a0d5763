/* Fuzzes the proxy ARP engine the way the daemon feeds it: each input is a
 * sequence of frames with the metadata a packet socket gives (arrival
 * interface, Ethernet source), handed to the engine with fake I/O, mixed
 * with kernel neighbour events, learned hosts and MAC changes. The engine
 * must never crash, every frame it sends must parse, its sessions never
 * pass the cap, it never answers with a MAC other than the interface's
 * own, and freeing it removes every route it added. Time moves between
 * frames on the fake loop, so session timers fire too. */
#include "arpproxy/arpproxy.h"
#include "conf/conf.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/arp.h"
#include "util/loop.h"
#include "../unit/fake_loop.h"
#include "fuzz_conf_of.h"
#include "util/log.h"

#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SESSIONS 32

static unsigned routes_live;
static struct iftable *ifs;

static void f_send_arp(void *c, int ifindex, const uint8_t l2dst[6], const uint8_t *p, size_t len)
{
	struct arp_msg m;
	const struct iface *ifc = iftable_by_index(ifs, ifindex);
	if (len != ARP_LEN || arp_parse(p, len, NULL, &m) != ARP_DROP_ok || !ifc || ifc->lladdr_len != 6)
		abort(); /* a frame we cannot parse back, or on a link without a MAC */
	if (memcmp(m.sha, ifc->lladdr, 6) != 0)
		abort(); /* never anybody's MAC but the sending interface's own */
}
static int f_route_add(void *c, const struct in6_addr *t, int i)
{
	if (!IN6_IS_ADDR_V4MAPPED(t))
		abort();
	routes_live++;
	return 0;
}
static int f_route_del(void *c, const struct in6_addr *t, int i)
{
	if (routes_live == 0)
		abort(); /* removing a route never added */
	routes_live--;
	return 0;
}
static int f_route_oif(void *c, const struct in6_addr *t) { return 1 + (t->s6_addr[15] & 3); }

static const struct arp_ops ops = { .send_arp = f_send_arp, .route_add = f_route_add, .route_del = f_route_del,
	                            .route_oif = f_route_oif, .now_ms = fake_now_ms };

static const char config[] =
	"proxy if1 { autowire yes\n max-sessions 32\n probe-rate 1000\n ttl 2000\n"
	"  rule 10.0.0.0/25 { iface if2 }\n"
	"  rule 10.0.0.128/26 { auto }\n"
	"  rule 10.0.0.200 { static }\n}\n"
	"proxy if2 { max-sessions 32\n rule 10.0.0.0/24 { auto } }\n";

static void set_iface(int idx, const char *name, uint8_t mac_last)
{
	struct nl_link l = { .ifindex = idx, .flags = IFF_UP | IFF_RUNNING, .type = ARPHRD_ETHER,
	                     .mtu = 1500, .lladdr_len = 6, .lladdr = { 2, 0, 0, 0, 0, mac_last } };
	snprintf(l.name, sizeof(l.name), "%s", name);
	int changes = iftable_on_link(ifs, &l, false, NULL, NULL);
	(void)changes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf *conf;
	if (!ifs) {
		conf = fuzz_conf_of(config, sizeof(config) - 1);
		ifs = iftable_new(8);
		set_iface(1, "if1", 1);
		set_iface(2, "if2", 2);
		set_iface(3, "if3", 3);
		struct nl_addr a = { .ifindex = 1, .family = AF_INET, .plen = 24 };
		a.addr4.s_addr = htonl(0x0a000001);
		iftable_on_addr(ifs, &a, false, NULL, NULL);
	}
	set_iface(1, "if1", 1);
	fake_loop_reset(1000);
	routes_live = 0;
	const char ups[1][IF_NAMESIZE] = { "if3" };
	struct arp_engine *e = arp_engine_new(fake_loop, conf, ifs, &ops, ups, 1);
	if (!e)
		abort();
	/* records: [flags|ifindex][advance x10 ms][len][bytes...]; flags: 0x80 a
	 * neighbour event instead (0x40 deleted), 0x20 a learned host, 0x10 a
	 * new MAC on if1 */
	size_t off = 0;
	while (off + 3 <= size) {
		uint8_t flags = data[off];
		int ifindex = 1 + flags % 3;
		run_for(data[off + 1] * 10u);
		size_t len = data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		const uint8_t *p = data + off;
		struct in6_addr a = { .s6_addr = { [10] = 0xff, [11] = 0xff, [12] = 10 } };
		if (len >= 2)
			a.s6_addr[14] = p[0], a.s6_addr[15] = p[1];
		if (flags & 0x80) {
			struct kneigh n = { .ifindex = ifindex, .family = AF_INET, .addr = a,
			                    .state = len >= 3 ? p[2] : 0 };
			arp_engine_on_neigh(e, &n, flags & 0x40);
		} else if (flags & 0x20) {
			static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 0x41 };
			arp_engine_learned_host(e, 3, ifindex, &a, mac, flags & 0x40);
		} else if (flags & 0x10) {
			set_iface(1, "if1", len ? p[0] : 7);
			arp_engine_lladdr_changed(e, 1);
		} else {
			arp_engine_on_frame(e, ifindex, p, len, len >= 14 && (flags & 0x40) ? p + 8 : NULL);
		}
		off += len;
		if (arp_engine_session_count(e) > 3 * MAX_SESSIONS + 4096)
			abort();
	}
	arp_engine_free(e);
	if (routes_live != 0)
		abort(); /* freeing the engine must remove every route it added */
	if (loop_run(fake_loop) != -EDEADLK)
		abort(); /* a timer left armed by a freed engine */
	return 0;
}
