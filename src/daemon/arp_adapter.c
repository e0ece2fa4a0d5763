/* The proxy ARP adapter: see arp_adapter.h. */
#include "daemon/arp_adapter.h"

#include <errno.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "net/arp_sock.h"
#include "net/netlink.h"
#include "util/json.h"
#include "util/log.h"

#define ROUTE_METRIC 1024
#define ARP_SOCKS_MAX 64

struct arp_socket {
	int ifindex; /* 0: free */
	int fd;
	struct arp_adapter *owner;
};

struct arp_adapter {
	struct adapter_env *env;
	struct arp_engine *engine;
	struct arp_socket socks[ARP_SOCKS_MAX];
	int tx_fd;
	struct pkt_txq txq;
	struct pkt_rx *rx;
	bool in_batch;   /* frames sent while handling a batch leave together */
	uint64_t rx_frames, rx_errors, tx_errors, open_errors;
	struct log_ratelimit rl_open;
};

static void flush(struct arp_adapter *a)
{
	if (a->txq.n && pkt_txq_flush(&a->txq, a->tx_fd) < 0)
		a->tx_errors++;
}

static void op_send_arp(void *ctx, int ifindex, const uint8_t l2dst[6], const uint8_t *arp, size_t len)
{
	struct arp_adapter *a = ctx;
	uint8_t *slot = pkt_txq_slot(&a->txq, a->tx_fd);
	memcpy(slot, arp, len);
	pkt_txq_commit(&a->txq, len, ifindex, l2dst, 6);
	if (!a->in_batch)
		flush(a); /* a timer's probe: nothing else is coming */
}

static int op_route_add(void *ctx, const struct in6_addr *target, int ifindex)
{
	struct arp_adapter *a = ctx;
	return nl_route_add(a->env->nl, target, 32, ifindex, NULL, ROUTE_METRIC);
}

static int op_route_del(void *ctx, const struct in6_addr *target, int ifindex)
{
	struct arp_adapter *a = ctx;
	return nl_route_del(a->env->nl, target, 32, ifindex, NULL, ROUTE_METRIC);
}

static int op_route_oif(void *ctx, const struct in6_addr *target)
{
	struct arp_adapter *a = ctx;
	struct nl_route r;
	return nl_route_get(a->env->nl, target, &r) < 0 ? -1 : r.oif;
}

static uint64_t op_now_ms(void *ctx)
{
	struct arp_adapter *a = ctx;
	return loop_now_ms(a->env->loop);
}

static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct arp_socket *s = ctx;
	struct arp_adapter *a = s->owner;
	a->in_batch = true;
	for (int rounds = 0; rounds < 4; rounds++) { /* then let the others run */
		int n = pkt_recv_batch(fd, a->rx);
		if (n < 0)
			a->rx_errors++;
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			const struct pkt_in *in = &a->rx->in[i];
			a->rx_frames++;
			arp_engine_on_frame(a->engine, s->ifindex, in->data, in->len,
			                    in->src_ll_len == 6 ? in->src_ll : NULL);
		}
		if (n < PKT_BATCH)
			break;
	}
	a->in_batch = false;
	flush(a);
}

static void sock_close(struct arp_adapter *a, struct arp_socket *s)
{
	loop_del_fd(a->env->loop, s->fd);
	close(s->fd);
	s->ifindex = 0;
	s->fd = -1;
}

static int sync_one(void *ctx, const struct iface *ifc)
{
	struct arp_adapter *a = ctx;
	/* ARP is Ethernet's (Wi-Fi included): not loopback, tunnels, PPP */
	if (ifc->type != ARPHRD_ETHER || ifc->lladdr_len != 6 || !arp_engine_wants_iface(a->engine, ifc->name))
		return 0;
	for (size_t i = 0; i < ARP_SOCKS_MAX; i++)
		if (a->socks[i].ifindex == ifc->ifindex)
			return 0;
	struct arp_socket *s = NULL;
	for (size_t i = 0; i < ARP_SOCKS_MAX && !s; i++)
		if (!a->socks[i].ifindex)
			s = &a->socks[i];
	if (!s) {
		a->open_errors++;
		return 0;
	}
	int fd = arp_sock_open(ifc->ifindex);
	if (fd < 0 || loop_add_fd(a->env->loop, fd, EPOLLIN, on_readable, s) < 0) {
		a->open_errors++;
		if (log_ratelimit_ok(&a->rl_open, 1, 10000))
			log_warn("proxy ARP: cannot listen on %s: %s", ifc->name, strerror(fd < 0 ? -fd : errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	*s = (struct arp_socket){ .ifindex = ifc->ifindex, .fd = fd, .owner = a };
	return 0;
}

/* One socket per interface the engine wants: opened for new ones, closed
 * for those gone or no longer wanted. */
static void socks_sync(struct arp_adapter *a)
{
	for (size_t i = 0; i < ARP_SOCKS_MAX; i++) {
		struct arp_socket *s = &a->socks[i];
		if (!s->ifindex)
			continue;
		const struct iface *ifc = iftable_by_index(a->env->ifs, s->ifindex);
		if (!ifc || !arp_engine_wants_iface(a->engine, ifc->name))
			sock_close(a, s);
	}
	iftable_foreach(a->env->ifs, sync_one, a);
}

static struct arp_engine *engine_new(struct arp_adapter *a, const struct conf *conf)
{
	const struct arp_ops ops = { .ctx = a, .send_arp = op_send_arp, .route_add = op_route_add,
	                             .route_del = op_route_del, .route_oif = op_route_oif, .now_ms = op_now_ms };
	/* the upstreams of dhcp4-relay blocks with learn-hosts: their leases
	 * are answered there without a proxy block */
	char learn[CONF_MAX_DHCP4_RELAYS][IF_NAMESIZE];
	size_t n = 0;
	for (size_t i = 0; i < conf->n_dhcp4_relays && n < CONF_MAX_DHCP4_RELAYS; i++)
		if (conf->dhcp4_relays[i].learn_hosts)
			memcpy(learn[n++], conf->dhcp4_relays[i].upstream, IF_NAMESIZE);
	return arp_engine_new(a->env->loop, conf, a->env->ifs, &ops, n ? learn : NULL, n);
}

static bool wanted(const struct conf *conf)
{
	for (size_t i = 0; i < conf->n_dhcp4_relays; i++)
		if (conf->dhcp4_relays[i].learn_hosts)
			return true;
	return conf->n_arp_proxies > 0;
}

static void destroy(void *self);

static void *create(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen)
{
	struct arp_adapter *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->env = env;
	a->tx_fd = -1;
	for (size_t i = 0; i < ARP_SOCKS_MAX; i++)
		a->socks[i].fd = -1;
	arp_txq_init(&a->txq);
	a->rx = malloc(sizeof(*a->rx));
	a->tx_fd = arp_sock_open_tx();
	a->engine = a->rx && a->tx_fd >= 0 ? engine_new(a, conf) : NULL;
	if (!a->engine) {
		snprintf(err, errlen, "%s", a->tx_fd < 0 ? strerror(-a->tx_fd) : "out of memory");
		destroy(a);
		return NULL;
	}
	socks_sync(a);
	return a;
}

static int reload(void *self, const struct conf *conf, char *err, size_t errlen)
{
	struct arp_adapter *a = self;
	struct arp_engine *fresh = engine_new(a, conf);
	if (!fresh) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	unsigned before = arp_engine_session_count(a->engine);
	unsigned kept = arp_engine_take_over(fresh, a->engine);
	a->engine = fresh;
	socks_sync(a);
	log_info("proxy arp: %u of %u sessions kept", kept, before);
	return 0;
}

static void destroy(void *self)
{
	struct arp_adapter *a = self;
	if (!a)
		return;
	if (a->engine) {
		const struct arp_counters *c = arp_engine_counters(a->engine);
		unsigned n = (unsigned)(c->route_added + c->route_restored - c->route_removed);
		arp_engine_free(a->engine);
		if (n)
			log_info("removed %u IPv4 %s", n, n == 1 ? "route" : "routes");
	}
	for (size_t i = 0; i < ARP_SOCKS_MAX; i++)
		if (a->socks[i].ifindex)
			sock_close(a, &a->socks[i]);
	if (a->tx_fd >= 0) {
		flush(a);
		close(a->tx_fd);
	}
	free(a->rx);
	free(a);
}

static void on_iface(void *self, const struct iface *ifc, unsigned changes)
{
	struct arp_adapter *a = self;
	arp_engine_on_iface(a->engine, ifc, changes);
	if (changes & IFACE_GONE) {
		for (size_t i = 0; i < ARP_SOCKS_MAX; i++)
			if (a->socks[i].ifindex == ifc->ifindex)
				sock_close(a, &a->socks[i]);
		return;
	}
	if (changes & (IFACE_NEW | IFACE_NAME | IFACE_LLADDR))
		socks_sync(a);
}

static void on_neigh(void *self, const struct kneigh *n, bool deleted)
{
	struct arp_adapter *a = self;
	if (n->family == AF_INET)
		arp_engine_on_neigh(a->engine, n, deleted);
}

static void on_route(void *self, const struct kroute *r, bool deleted)
{
	struct arp_adapter *a = self;
	if (r->family == AF_INET)
		arp_engine_on_route(a->engine, r, deleted);
}

const struct arp_engine *arp_adapter_engine(const struct arp_adapter *a)
{
	return a ? a->engine : NULL;
}

void arp_adapter_learned_host(struct arp_adapter *a, int upstream_ifindex, int downstream_ifindex,
                              const struct in6_addr *addr, const uint8_t mac[6], bool gone)
{
	arp_engine_learned_host(a->engine, upstream_ifindex, downstream_ifindex, addr, mac, gone);
	flush(a);
}

void arp_adapter_dump_counters(const struct arp_adapter *a, struct json *j)
{
	arp_engine_dump_counters(a->engine, j);
	unsigned socks = 0;
	for (size_t i = 0; i < ARP_SOCKS_MAX; i++)
		socks += a->socks[i].ifindex != 0;
	json_ku64(j, "rx_frames", a->rx_frames);
	json_ku64(j, "rx_errors", a->rx_errors);
	json_ku64(j, "tx_errors", a->tx_errors);
	json_ku64(j, "socket_errors", a->open_errors);
	json_ku64(j, "sockets", socks);
}

const struct adapter_class arp_adapter_class = {
	.name = "proxy arp",
	.wanted = wanted,
	.create = create,
	.reload = reload,
	.destroy = destroy,
	.on_iface = on_iface,
	.on_neigh = on_neigh,
	.on_route = on_route,
};
