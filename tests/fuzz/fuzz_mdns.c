/* The reflector engine fed packets with fuzzed metadata (interface, socket,
 * source address and port, hop limit, time). The input is a sequence of
 *   [8 bytes metadata][2 bytes length][packet]
 * so that state (echo memory, legacy mappings, rate buckets) is exercised.
 * Every packet the engine sends must parse, fit the link's MTU, carry no
 * link-local address, no QU question and no cache-flush bit, have an
 * RFC 6762 §18 header, and never go back out of the link it arrived on. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mdns/engine.h"
#include "net/netlink.h"
#include "proto/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t now_ms;
static int arrival_ifindex;
static uint16_t last_legacy_id;
static struct dns_msg check;

static uint64_t fz_now(void *ctx)
{
	return now_ms;
}

static bool to_group(const struct mdns_tx *tx)
{
	return IN6_IS_ADDR_MULTICAST(&tx->dst) ||
	       (IN6_IS_ADDR_V4MAPPED(&tx->dst) && tx->dst.s6_addr[12] == 224);
}

static void check_sent(const struct mdns_tx *tx, const uint8_t *pkt, size_t len)
{
	/* the fuzzer's links have no MTU from netlink: 1500 */
	if (len + MDNS_IP_UDP_HEADERS(tx->family) > MDNS_MTU_DEFAULT ||
	    dns_parse(pkt, len, &check) != DNS_OK)
		abort();
	if (tx->ifindex == arrival_ifindex)
		abort();
	/* RFC 6762 §18: multicast responses ID 0, QR + AA only; multicast
	 * queries ID 0 (but for forwarded legacy queries), at most TC;
	 * legacy answers QR + AA */
	bool response = check.flags & DNS_FLAG_QR;
	if (to_group(tx)) {
		if (response && (check.id != 0 || check.flags != (DNS_FLAG_QR | DNS_FLAG_AA)))
			abort();
		if (!response && ((check.flags & ~DNS_FLAG_TC) != 0 ||
		                  (tx->via == MDNS_VIA_MAIN && check.id != 0)))
			abort();
	} else if (!response || !(check.flags & DNS_FLAG_AA)) {
		abort();
	}
	for (unsigned i = 0; i < check.n_rr; i++) {
		const struct dns_rr *rr = &check.rr[i];
		if (rr->type == DNS_TYPE_AAAA && rr->rdlen == 16 && rr->rdata[0] == 0xfe &&
		    (rr->rdata[1] & 0xc0) == 0x80)
			abort();
		if (rr->type == DNS_TYPE_A && rr->rdlen == 4 && rr->rdata[0] == 169 && rr->rdata[1] == 254)
			abort();
		/* no QU question, no cache-flush record (§10.2) */
		if (rr->class & DNS_CLASS_TOP)
			abort();
	}
	if (tx->via == MDNS_VIA_LEGACY)
		last_legacy_id = check.id;
}

static int fz_send(void *ctx, const struct mdns_tx *tx, const uint8_t *pkt, size_t len)
{
	check_sent(tx, pkt, len);
	return (len & 0x3ff) == 0x3ff ? -105 : 0;   /* now and then, ENOBUFS */
}

static int fz_membership(void *ctx, int family, int ifindex, bool join)
{
	return 0;
}

static const char *const sources[] = {
	"fe80::99", "2001:db8:abc:123::99", "192.168.1.50", "10.0.40.41", "fe80::41",
	"203.0.113.5", "2001:db8:ffff::1", "192.168.1.31", "fe80::31", "169.254.3.3",
	"fd2f::41", "10.0.40.1", "::ffff:1.2.3.4", "::1", "ff02::fb", "0.0.0.0",
};

static struct in6_addr addr_of(const char *text, int *family)
{
	struct in6_addr a;
	struct in_addr v4;
	if (inet_pton(AF_INET, text, &v4) == 1) {
		memset(&a, 0, sizeof(a));
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &v4, 4);
		*family = AF_INET;
	} else {
		inet_pton(AF_INET6, text, &a);
		*family = AF_INET6;
	}
	return a;
}

static void add_addr(struct mdns_engine *e, int ifindex, const char *text, unsigned plen)
{
	struct nl_addr a = { .ifindex = ifindex, .plen = (uint8_t)plen };
	if (inet_pton(AF_INET, text, &a.addr4) == 1) {
		a.family = AF_INET;
	} else {
		inet_pton(AF_INET6, text, &a.addr);
		a.family = AF_INET6;
	}
	struct iface_addr ia;
	if (iftable_addr_of(&a, &ia))
		mdns_engine_on_addr(e, &ia, false);
}

static void add_link(struct mdns_engine *e, int ifindex, const char *name)
{
	struct iface l = { .ifindex = ifindex, .up = true, .running = true };
	memcpy(l.name, name, strlen(name) + 1);
	mdns_engine_on_iface(e, &l, IFACE_NEW);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_mdns_filter deny_ssh = { .service = "_ssh._tcp", .allow = false };
	static struct conf_mdns_filter allow_http = { .service = "_http._tcp", .allow = true };
	static struct conf_mdns_iface ifs[3] = {
		{ .name = "wlan0", .ipv4 = true, .ipv6 = true },
		{ .name = "eth0", .ipv4 = true, .ipv6 = true, .n_out = 1, .out = &deny_ssh },
		{ .name = "eth1", .ipv4 = false, .ipv6 = true, .n_in = 1, .in = &allow_http },
	};
	static const int ifindexes[4] = { 3, 4, 6, 77 };
	static struct conf_mdns conf = { .n_ifaces = 3, .ifaces = ifs, .reflect_ula = true,
	                          .reflect_private4 = false, .rate_limit = 50 };
	struct mdns_engine_ops ops = { .now_ms = fz_now, .send = fz_send,
	                               .membership = fz_membership };

	if (size < 1)
		return 0;
	conf.reflect_ula = data[0] & 1;
	conf.rate_limit = (data[0] & 2) ? 0 : 50;
	data++;
	size--;
	/* One engine for the whole run: a fresh 300 KB allocation per input
	 * costs more in page faults than the input itself. Each input starts
	 * an hour later, with every link removed and added again, so the echo
	 * memory, legacy mappings, rate buckets and local-stack state of the
	 * previous input are gone. */
	static struct mdns_engine *e;
	if (!e && !(e = mdns_engine_new(&conf, &ops, 7)))
		abort();
	static const char *const names[3] = { "wlan0", "eth0", "eth1" };
	for (int i = 0; i < 3; i++) {
		struct iface l = { .ifindex = ifindexes[i] };
		mdns_engine_on_iface(e, &l, IFACE_GONE);
	}
	now_ms += 3600 * 1000;
	last_legacy_id = 0;
	if (mdns_engine_reload(e, &conf) < 0)
		abort();
	for (int i = 0; i < 3; i++)
		add_link(e, ifindexes[i], names[i]);
	add_addr(e, 3, "fe80::31", 64);
	add_addr(e, 3, "2001:db8:abc:123::31", 64);
	add_addr(e, 3, "192.168.1.31", 24);
	add_addr(e, 4, "fe80::1", 64);
	add_addr(e, 4, "fd2f::1", 64);
	add_addr(e, 4, "10.0.40.1", 24);
	add_addr(e, 6, "fe80::6", 64);

	while (size >= 10) {
		const uint8_t *m = data;
		size_t len = (size_t)m[8] << 8 | m[9];
		data += 10;
		size -= 10;
		if (len > size)
			len = size;
		struct mdns_rx rx = { 0 };
		int family;
		rx.via = (m[0] & 1) ? MDNS_VIA_LEGACY : MDNS_VIA_MAIN;
		rx.dst_mcast = !(m[0] & 2);
		rx.truncated = (m[0] & 4) != 0;
		rx.ifindex = ifindexes[m[1] & 3];
		rx.sport = (m[2] & 1) ? MDNS_PORT : (uint16_t)(m[2] << 8 | m[3]);
		rx.hop_limit = m[4] == 0 ? -1 : m[4];
		rx.src = addr_of(sources[m[5] & 15], &family);
		rx.family = (m[0] & 8) ? (family == AF_INET ? AF_INET6 : AF_INET) : family;
		now_ms += (uint64_t)m[6] * 16;
		/* answer the legacy query we just forwarded, under its mapped ID */
		if ((m[7] & 1) && len >= 2) {
			static uint8_t patched[MDNS_PACKET_MAX + 64];
			size_t n = len < sizeof(patched) ? len : sizeof(patched);
			memcpy(patched, data, n);
			patched[0] = (uint8_t)(last_legacy_id >> 8);
			patched[1] = (uint8_t)last_legacy_id;
			arrival_ifindex = rx.ifindex;
			mdns_engine_input(e, &rx, patched, n);
		} else {
			arrival_ifindex = rx.ifindex;
			mdns_engine_input(e, &rx, data, len);
		}
		if (m[7] & 2) {   /* a link event in between */
			struct iface l = { .ifindex = 4, .up = (m[7] & 4) != 0, .running = (m[7] & 4) != 0 };
			memcpy(l.name, "eth0", 5);
			mdns_engine_on_iface(e, &l, (m[7] & 8) ? IFACE_GONE : IFACE_STATE);
		}
		data += len;
		size -= len;
	}
	return 0;
}
