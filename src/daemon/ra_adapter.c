/* The RA engine's adapter: see ra_adapter.h. */
#include "daemon/ra_adapter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/nd_io.h"
#include "daemon/ndproxy_adapter.h"
#include "util/log.h"

struct ra_adapter {
	struct adapter_env *env;
	struct ra_engine *engine;
};

static int op_send(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen, const uint8_t *pkt, size_t len)
{
	struct ra_adapter *a = ctx;
	return nd_io_send(a->env->nd, ifindex, l2dst, halen, pkt, len);
}

static void op_host(void *ctx, int upstream_ifindex, int downstream_ifindex, const struct in6_addr *addr,
                    const struct nd_lladdr *ll, bool gone)
{
	struct ra_adapter *a = ctx;
	char s[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, addr, s, sizeof(s));
	log_info("relay: host %s %s behind ifindex %d", s, gone ? "left" : "learned", downstream_ifindex);
	struct ndproxy_adapter *ndp = adapter_running(a->env, &ndproxy_adapter_class);
	if (ndp)
		ndproxy_adapter_learned_host(ndp, upstream_ifindex, downstream_ifindex, addr, gone);
}

/* The loop's clock, which tests may replace (util/loop.h). */
static uint64_t op_now_ms(void *ctx)
{
	struct ra_adapter *a = ctx;
	return loop_now_ms(a->env->loop);
}

static bool wanted(const struct conf *conf)
{
	return conf->n_ras > 0 || conf->n_relays > 0;
}

static void *create(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen)
{
	struct ra_adapter *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	a->env = env;
	const struct ra_ops ops = { .ctx = a, .send = op_send, .host = op_host, .now_ms = op_now_ms };
	a->engine = ra_engine_new(env->loop, conf, env->ifs, &ops);
	if (!a->engine) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(a);
		return NULL;
	}
	return a;
}

static int reload(void *self, const struct conf *conf, char *err, size_t errlen)
{
	struct ra_adapter *a = self;
	int rc = ra_engine_reload(a->engine, conf);
	if (rc < 0) {
		snprintf(err, errlen, "%s", strerror(-rc));
		return -1;
	}
	return 0;
}

static void destroy(void *self)
{
	struct ra_adapter *a = self;
	if (!a)
		return;
	ra_engine_shutdown(a->engine);   /* final RAs, learned hosts reported gone */
	nd_io_flush(a->env->nd);
	ra_engine_free(a->engine);
	free(a);
}

static void on_iface(void *self, const struct iface *ifc, unsigned changes)
{
	struct ra_adapter *a = self;
	ra_engine_on_iface(a->engine, ifc, changes);
}

static void on_neigh(void *self, const struct kneigh *n, bool deleted)
{
	struct ra_adapter *a = self;
	if (n->family != AF_INET6)
		return; /* the relay learns IPv6 hosts only */
	ra_engine_on_neigh(a->engine, n, deleted);
}

static void want_port(void *self, const struct iface *ifc, struct port_want *w)
{
	struct ra_adapter *a = self;
	bool allmulti = false;
	if (!ra_engine_wants_iface(a->engine, ifc->name, &allmulti))
		return;
	w->types |= (1u << (ND_TYPE_RS - 128)) | (1u << (ND_TYPE_RA - 128)) | (1u << (ND_TYPE_NS - 128)) |
	            (1u << (ND_TYPE_NA - 128));
	w->allmulti |= allmulti;
}

static void on_nd(void *self, int ifindex, const struct nd_msg *m, const struct pkt_in *pin)
{
	struct ra_adapter *a = self;
	ra_engine_on_nd(a->engine, ifindex, m, pin);
}

struct ra_engine *ra_adapter_engine(const struct ra_adapter *a)
{
	return a ? a->engine : NULL;
}

unsigned ra_adapter_relay_links(const struct ra_adapter *a, int upstream_ifindex, const struct in6_addr *target,
                                int *ifindexes, unsigned max)
{
	return ra_engine_relay_links(a->engine, upstream_ifindex, target, ifindexes, max);
}

const struct adapter_class ra_adapter_class = {
	.name = "ra",
	.wanted = wanted,
	.create = create,
	.reload = reload,
	.destroy = destroy,
	.on_iface = on_iface,
	.on_neigh = on_neigh,
	.want_port = want_port,
	.on_nd = on_nd,
};
