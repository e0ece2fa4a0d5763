/* Fuzzes the RA engine the way the daemon feeds it: each input is a sequence
 * of records, each a packet with the metadata a packet socket gives (arrival
 * interface, link-layer source) or a kernel event (neighbour, link down/up),
 * with the clock moving between records and the engine's timers firing.
 * Packets go through nd_parse first, as in the daemon.
 *
 * Checked: no crash (ASan/UBSan); every packet the engine sends parses back
 * (it never emits a malformed RA, NS or NA); its tables stay within their
 * bounds; a host is reported gone only after being reported learned, never
 * more hosts per downstream than the cap, and none left after shutdown. */
#include "conf/conf.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/nd.h"
#include "ra/ra.h"
#include "ra/ra_internal.h"
#include "util/log.h"
#include "util/loop.h"
#include "../unit/fake_loop.h"
#include "fuzz_conf_of.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>

/* --- the fake loop (tests/unit/fake_loop.h): timers follow its clock ---- */

static void advance(uint64_t ms)
{
	run_for(ms);
}

/* --- fake ops ------------------------------------------------------------ */

#define N_DOWN 2
static int down_ifindex[N_DOWN] = { 3, 5 };
static unsigned live_hosts[N_DOWN];
/* What the daemon would hold: hosts reported learned and not yet gone. */
#define MAX_LIVE (N_DOWN * RA_HOSTS_PER_DOWNSTREAM)
static struct { int down; struct in6_addr addr; } live[MAX_LIVE];
static unsigned n_live;

static int f_send(void *ctx, int ifindex, const uint8_t *l2, uint8_t halen, const uint8_t *pkt, size_t len)
{
	struct nd_msg m;
	if (nd_parse(pkt, len, &m) != ND_OK)
		abort(); /* we sent something a receiver would drop */
	if (halen && halen != 6)
		abort();
	return 0;
}

static void f_host(void *ctx, int up, int down, const struct in6_addr *a, const struct nd_lladdr *ll, bool gone)
{
	int k = down == down_ifindex[0] ? 0 : down == down_ifindex[1] ? 1 : -1;
	if (k < 0 || up != 2)
		abort();
	unsigned i = 0;
	while (i < n_live && !(live[i].down == down && memcmp(&live[i].addr, a, 16) == 0))
		i++;
	if (gone) {
		if (i == n_live)
			abort(); /* gone without being learned */
		live[i] = live[--n_live];
		live_hosts[k]--;
	} else if (i == n_live) { /* else: an update (new link-layer address) */
		if (n_live >= MAX_LIVE || live_hosts[k] >= RA_HOSTS_PER_DOWNSTREAM)
			abort(); /* more hosts outstanding than the cap */
		live[n_live].down = down;
		live[n_live].addr = *a;
		n_live++;
		live_hosts[k]++;
	}
}


static const struct ra_ops ops = { .send = f_send, .host = f_host, .now_ms = fake_now_ms };

static const char config[] =
	"ra-relay wlan0 { iface eth0; iface tun0; learn-hosts yes }\n"
	"ra eth1 { prefix fd2f::/64; rdnss fd2f::53; dnssl lab.example home.arpa; mtu 1400; interval 60 }\n"
	"ra eth0 { prefix fd2e::/64; rdnss fd2e::53; dnssl cluster.lan }\n"; /* added to the relayed RA */

static void add_iface(struct iftable *ifs, int idx, const char *name, bool l3)
{
	struct nl_link l = { .ifindex = idx, .flags = IFF_UP | IFF_RUNNING, .type = l3 ? ARPHRD_NONE : ARPHRD_ETHER,
	                     .mtu = 1400, .lladdr_len = l3 ? 0 : 6, .lladdr = { 2, 0, 0, 0, 0, (uint8_t)idx } };
	snprintf(l.name, sizeof(l.name), "%s", name);
	iftable_on_link(ifs, &l, false, NULL, NULL);
	struct nl_addr a = { .ifindex = idx, .family = AF_INET6, .plen = 64, .scope = 253 };
	inet_pton(AF_INET6, "fe80::1", &a.addr);
	a.addr.s6_addr[15] = (uint8_t)idx;
	iftable_on_addr(ifs, &a, false, NULL, NULL);
}

static void check_bounds(const struct ra_engine *e)
{
	for (size_t i = 0; i < e->n_relays; i++) {
		const struct ra_relay *r = e->relays[i];
		if (r->hosts.used > r->hosts.cap)
			abort();
		uint32_t sum = 0;
		for (unsigned k = 0; k < r->n_down; k++) {
			if (r->down[k]->n_hosts > RA_HOSTS_PER_DOWNSTREAM)
				abort();
			sum += r->down[k]->n_hosts;
		}
		if (sum != r->hosts.used)
			abort(); /* per-link counts out of step with the table */
	}
}

/* The daemon's fan-out: an interface-table change reaches the engine. */
static void ra_changed(void *ctx, const struct iface *ifc, unsigned changes)
{
	ra_engine_on_iface(ctx, ifc, changes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct iftable *ifs;
	static struct conf *conf;
	static const int index_of[4] = { 2, 3, 5, 4 };
	if (!ifs) {
		conf = fuzz_conf_of(config, sizeof(config) - 1);
		ifs = iftable_new(8);
		add_iface(ifs, 2, "wlan0", false);
		add_iface(ifs, 3, "eth0", false);
		add_iface(ifs, 5, "tun0", true);
		add_iface(ifs, 4, "eth1", false);
	}
	fake_loop_reset(1000000);
	memset(live_hosts, 0, sizeof(live_hosts));
	n_live = 0;
	struct ra_engine *e = ra_engine_new(fake_loop, conf, ifs, &ops);
	if (!e)
		abort();
	/* records: [kind/iface][advance][len hi][len lo][bytes...]
	 *   kind/iface: bits 0-1 interface (wlan0, eth0, tun0, eth1),
	 *   bit 7 neighbour event (state from the advance byte, bit 6 deleted),
	 *   bit 5 link down then up again */
	size_t off = 0;
	while (off + 4 <= size) {
		uint8_t kind = data[off];
		int ifindex = index_of[kind & 3];
		uint8_t adv = data[off + 1];
		size_t len = (size_t)data[off + 2] << 8 | data[off + 3];
		off += 4;
		if (len > size - off)
			len = size - off;
		struct nd_msg m;
		struct pkt_in pin = { .data = data + off, .len = len, .orig_len = len, .src_ll_len = 6,
		                      .src_ll = { 2, 0xaa, 0, 0, 0, (uint8_t)(kind >> 2) } };
		if (nd_parse(data + off, len, &m) == ND_OK)
			ra_engine_on_nd(e, ifindex, &m, &pin);
		if (kind & 0x80) {
			struct kneigh n = { .ifindex = ifindex, .state = adv, .ll = { .len = 6 } };
			if (len >= 16)
				memcpy(&n.addr, data + off, 16);
			ra_engine_on_neigh(e, &n, kind & 0x40);
		}
		if (kind & 0x20) {
			const struct iface *k = iftable_by_index(ifs, ifindex);
			struct nl_link l = { .ifindex = ifindex, .mtu = 1400, .lladdr_len = k->lladdr_len };
			memcpy(l.lladdr, k->lladdr, k->lladdr_len);
			snprintf(l.name, sizeof(l.name), "%s", k->name);
			iftable_on_link(ifs, &l, false, ra_changed, e);
			l.flags = IFF_UP | IFF_RUNNING;
			iftable_on_link(ifs, &l, false, ra_changed, e);
		}
		off += len;
		/* up to ~18 minutes per record: lifetimes expire, timers fire */
		advance((uint64_t)adv * adv * 17);
		check_bounds(e);
	}
	advance(2ull * 3600 * 1000 + 600000); /* past the 2 h withdrawn hold */
	check_bounds(e);
	ra_engine_shutdown(e);
	if (n_live)
		abort(); /* shutdown reports every learned host gone */
	ra_engine_free(e);
	/* nothing may be left armed: a leftover timer would fire here on freed
	 * memory (ASan), where an empty fake loop says it has nothing to wait for */
	if (loop_run(fake_loop) != -EDEADLK)
		abort();
	return 0;
}
