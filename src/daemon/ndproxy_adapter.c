/* The ND proxy's adapter: see ndproxy_adapter.h. */
#include "daemon/ndproxy_adapter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/nd_io.h"
#include "daemon/ra_adapter.h"
#include "net/mcast.h"
#include "net/netlink.h"
#include "util/log.h"

#define ROUTE_METRIC 1024

struct ndproxy_adapter {
	struct adapter_env *env;
	struct ndp_engine *engine;
	struct mcast_set mcast;   /* the proxy's solicited-node memberships */
};

static void op_send_na(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
                       const struct in6_addr *src, const struct in6_addr *dst,
                       const struct in6_addr *target, uint8_t flags, const struct nd_lladdr *tlla)
{
	struct ndproxy_adapter *a = ctx;
	size_t cap;
	uint8_t *slot = nd_io_slot(a->env->nd, &cap);
	size_t len = nd_build_na(slot, cap, src, dst, target, flags, tlla);
	if (len)
		nd_io_commit(a->env->nd, len, ifindex, l2dst, halen);
}

static void op_send_ns(void *ctx, int ifindex, const struct in6_addr *src,
                       const struct in6_addr *target, const struct nd_lladdr *slla)
{
	struct ndproxy_adapter *a = ctx;
	bool l3 = !slla || slla->len == 0;
	struct in6_addr dst;
	uint8_t mac[6];
	/* On a link without link-layer addresses (tun, WireGuard, PPP) the NS
	 * goes to the target itself: there is no resolution to do, and tunnels
	 * such as openvpn do not carry the solicited-node multicast. */
	if (l3)
		dst = *target;
	else
		nd_solicited_node(target, &dst);
	nd_mcast_mac(&dst, mac);
	size_t cap;
	uint8_t *slot = nd_io_slot(a->env->nd, &cap);
	size_t len = nd_build_ns(slot, cap, src, &dst, target, l3 ? NULL : slla, NULL, 0);
	if (len)
		nd_io_commit(a->env->nd, len, ifindex, mac, l3 ? 0 : 6);
}

static int op_route_add(void *ctx, const struct in6_addr *target, int ifindex, const struct in6_addr *via)
{
	struct ndproxy_adapter *a = ctx;
	return nl_route_add(a->env->nl, target, 128, ifindex, via, ROUTE_METRIC);
}

static int op_route_del(void *ctx, const struct in6_addr *target, int ifindex, const struct in6_addr *via)
{
	struct ndproxy_adapter *a = ctx;
	return nl_route_del(a->env->nl, target, 128, ifindex, via, ROUTE_METRIC);
}

static int op_route_oif(void *ctx, const struct in6_addr *target)
{
	struct ndproxy_adapter *a = ctx;
	struct nl_route r;
	return nl_route_get(a->env->nl, target, &r) < 0 ? -1 : r.oif;
}

static int op_mcast_join(void *ctx, int ifindex, const struct in6_addr *group)
{
	struct ndproxy_adapter *a = ctx;
	return mcast_join(&a->mcast, ifindex, group);
}

static void op_mcast_leave(void *ctx, int slot, int ifindex, const struct in6_addr *group)
{
	struct ndproxy_adapter *a = ctx;
	(void)mcast_leave(&a->mcast, slot, ifindex, group);
}

static void op_send_pkt(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
                        const uint8_t *pkt, size_t len)
{
	struct ndproxy_adapter *a = ctx;
	(void)nd_io_send(a->env->nd, ifindex, l2dst, halen, pkt, len);
}

/* The loop's clock, which tests may replace (util/loop.h). */
static uint64_t op_now_ms(void *ctx)
{
	struct ndproxy_adapter *a = ctx;
	return loop_now_ms(a->env->loop);
}

static unsigned op_relay_links(void *ctx, int upstream_ifindex, const struct in6_addr *target,
                               int *ifindexes, unsigned max)
{
	struct ndproxy_adapter *a = ctx;
	const struct ra_adapter *ra = adapter_running(a->env, &ra_adapter_class);
	return ra ? ra_adapter_relay_links(ra, upstream_ifindex, target, ifindexes, max) : 0;
}

static struct ndp_engine *engine_new(struct ndproxy_adapter *a, const struct conf *conf)
{
	const struct ndp_ops ops = { .ctx = a, .send_na = op_send_na, .send_ns = op_send_ns,
	                             .route_add = op_route_add, .route_del = op_route_del,
	                             .route_oif = op_route_oif, .now_ms = op_now_ms,
	                             .relay_links = op_relay_links,
	                             .mcast_join = op_mcast_join, .mcast_leave = op_mcast_leave,
	                             .send_pkt = op_send_pkt };
	return ndp_engine_new(a->env->loop, conf, a->env->ifs, &ops);
}

static bool wanted(const struct conf *conf)
{
	return true; /* with no proxy block it still answers for the relay's hosts */
}

static void *create(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen)
{
	struct ndproxy_adapter *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->env = env;
	mcast_init(&a->mcast);
	a->engine = engine_new(a, conf);
	if (!a->engine) {
		snprintf(err, errlen, "out of memory");
		free(a);
		return NULL;
	}
	return a;
}

static int reload(void *self, const struct conf *conf, char *err, size_t errlen)
{
	struct ndproxy_adapter *a = self;
	struct ndp_engine *fresh = engine_new(a, conf);
	if (!fresh) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	unsigned before = ndp_engine_session_count(a->engine);
	unsigned kept = ndp_engine_take_over(fresh, a->engine);
	a->engine = fresh;
	log_info("ndp proxy: %u of %u sessions kept", kept, before);
	return 0;
}

static void started(void *self)
{
	struct ndproxy_adapter *a = self;
	ndp_engine_prime(a->engine);
}

static void destroy(void *self)
{
	struct ndproxy_adapter *a = self;
	if (!a)
		return;
	const struct ndp_counters *c = ndp_engine_counters(a->engine);
	unsigned n = (unsigned)(c->route_added - c->route_removed);
	ndp_engine_free(a->engine);
	if (n)
		log_info("removed %u %s", n, n == 1 ? "route" : "routes");
	mcast_close_all(&a->mcast);
	free(a);
}

static void on_iface(void *self, const struct iface *ifc, unsigned changes)
{
	struct ndproxy_adapter *a = self;
	ndp_engine_on_iface(a->engine, ifc, changes);
}

static void on_neigh(void *self, const struct kneigh *n, bool deleted)
{
	struct ndproxy_adapter *a = self;
	if (n->family != AF_INET6)
		return; /* ARP entries are the ARP proxy's */
	ndp_engine_on_neigh(a->engine, n, deleted);
}

static void on_route(void *self, const struct kroute *r, bool deleted)
{
	struct ndproxy_adapter *a = self;
	if (r->family != AF_INET6)
		return;
	ndp_engine_on_route(a->engine, r, deleted);
}

static void want_port(void *self, const struct iface *ifc, struct port_want *w)
{
	struct ndproxy_adapter *a = self;
	uint32_t types = 0;
	bool allmulti = false, promisc = false;
	ndp_engine_wants_iface(a->engine, ifc->name, &types, &allmulti, &promisc);
	w->types |= types;
	w->allmulti |= allmulti;
	w->promisc |= promisc;
}

static void on_nd(void *self, int ifindex, const struct nd_msg *m, const struct pkt_in *pin)
{
	struct ndproxy_adapter *a = self;
	ndp_engine_on_nd(a->engine, ifindex, m, pin);
}

static void on_mld(void *self, int ifindex, const struct mld_msg *m, enum mld_drop why)
{
	struct ndproxy_adapter *a = self;
	ndp_engine_on_mld(a->engine, ifindex, m, why);
}

struct ndp_engine *ndproxy_adapter_engine(const struct ndproxy_adapter *a)
{
	return a ? a->engine : NULL;
}

void ndproxy_adapter_learned_host(struct ndproxy_adapter *a, int upstream_ifindex, int downstream_ifindex,
                                  const struct in6_addr *addr, bool gone)
{
	ndp_engine_learned_host(a->engine, upstream_ifindex, downstream_ifindex, addr, gone);
}

const struct adapter_class ndproxy_adapter_class = {
	.name = "ndp proxy",
	.holds_conf = true,
	.wanted = wanted,
	.create = create,
	.reload = reload,
	.started = started,
	.destroy = destroy,
	.on_iface = on_iface,
	.on_neigh = on_neigh,
	.on_route = on_route,
	.want_port = want_port,
	.on_nd = on_nd,
	.on_mld = on_mld,
};
