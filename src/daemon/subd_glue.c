/* The downstream side of a dhcp6-pd block: see subd_glue.h. */
#include "daemon/subd_glue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/nd_io.h"
#include "daemon/ra_adapter.h"
#include "dhcp6pd/hooks.h"
#include "dhcp6pd/subdelegate.h"
#include "net/netlink.h"
#include "util/json.h"
#include "util/log.h"

struct subd_glue {
	struct adapter_env *env;
	struct subdelegate *sd;
	struct hooks *hooks;
	char script[256];
};

static int op_addr_add(void *ctx, int ifindex, const struct in6_addr *addr, uint8_t plen, uint32_t preferred_s,
                       uint32_t valid_s)
{
	struct subd_glue *g = ctx;
	return nl_addr6_add(g->env->nl, ifindex, addr, plen, preferred_s, valid_s);
}

static int op_addr_del(void *ctx, int ifindex, const struct in6_addr *addr, uint8_t plen)
{
	struct subd_glue *g = ctx;
	return nl_addr6_del(g->env->nl, ifindex, addr, plen);
}

/* Only unreachable routes: a link's /64 route is the kernel's prefix route
 * of its address. */
static int op_route_add(void *ctx, const struct in6_addr *dst, uint8_t plen, int oif, bool unreachable)
{
	struct subd_glue *g = ctx;
	if (!unreachable)
		return nl_route_add(g->env->nl, dst, plen, oif, NULL, 1024);
	return nl_route_unreachable_add(g->env->nl, dst, plen);
}

static int op_route_del(void *ctx, const struct in6_addr *dst, uint8_t plen, int oif, bool unreachable)
{
	struct subd_glue *g = ctx;
	if (!unreachable)
		return nl_route_del(g->env->nl, dst, plen, oif, NULL, 1024);
	return nl_route_unreachable_del(g->env->nl, dst, plen);
}

static int op_ra_set(void *ctx, const char *ifname, const struct ra_dynamic *d)
{
	struct subd_glue *g = ctx;
	struct ra_engine *e = ra_adapter_engine(adapter_running(g->env, &ra_adapter_class));
	if (!e)
		return d ? -ENOENT : 0; /* stopping after the RA engine: nothing to tell */
	int rc = ra_engine_set_dynamic(e, ifname, d);
	/* a link that got (or lost) its own advertiser: RS reception there */
	nd_io_refresh_ports(g->env->nd);
	return rc;
}

static void op_hook(void *ctx, const struct subd_hook_event *ev)
{
	struct subd_glue *g = ctx;
	hooks_run(g->hooks, ev);
}

static uint64_t op_now_ms(void *ctx)
{
	struct subd_glue *g = ctx;
	return loop_now_ms(g->env->loop);
}

static void conf_of(const struct conf_pd *c, struct subd_conf *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->upstream, sizeof(out->upstream), "%s", c->upstream);
	for (size_t i = 0; i < c->n_ifaces && out->n_links < SUBD_MAX_LINKS; i++) {
		struct subd_link_conf *l = &out->links[out->n_links++];
		snprintf(l->name, sizeof(l->name), "%s", c->ifaces[i].name);
		l->subnet = c->ifaces[i].has_subnet && c->ifaces[i].subnet <= INT32_MAX ? (int32_t)c->ifaces[i].subnet
		                                                                        : SUBD_SUBNET_AUTO;
	}
	if (c->n_ifaces > SUBD_MAX_LINKS)
		log_warn("dhcp6-pd %s: only the first %d iface lines are used", c->upstream, SUBD_MAX_LINKS);
}

struct subd_glue *subd_glue_new(struct adapter_env *env, const struct conf_pd *c)
{
	struct subd_glue *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->env = env;
	struct subd_conf sc;
	conf_of(c, &sc);
	const struct subd_ops ops = { .ctx = g, .addr_add = op_addr_add, .addr_del = op_addr_del,
	                              .route_add = op_route_add, .route_del = op_route_del,
	                              .ra_set_prefixes = op_ra_set, .run_hook = op_hook, .now_ms = op_now_ms };
	g->sd = subdelegate_new(env->loop, &sc, env->ifs, &ops);
	snprintf(g->script, sizeof(g->script), "%s", c->script);
	g->hooks = hooks_new(env->loop, c->script, 0);
	if (!g->sd || (c->script[0] && !g->hooks)) {
		subdelegate_free(g->sd);
		hooks_free(g->hooks);
		free(g);
		return NULL;
	}
	return g;
}

void subd_glue_reload(struct subd_glue *g, const struct conf_pd *c)
{
	struct subd_conf sc;
	conf_of(c, &sc);
	subdelegate_reload(g->sd, &sc);
	if (strcmp(g->script, c->script) != 0) {
		struct hooks *h = hooks_new(g->env->loop, c->script, 0);
		if (c->script[0] && !h) {
			log_err("dhcp6-pd %s: out of memory: keeping the script %s", c->upstream, g->script);
			return;
		}
		hooks_free(g->hooks);
		g->hooks = h;
		snprintf(g->script, sizeof(g->script), "%s", c->script);
	}
}

void subd_glue_lease_changed(void *ctx, const struct pd_lease *now, const struct pd_lease *before,
                             const char *event)
{
	struct subd_glue *g = ctx;
	subdelegate_lease_changed(g->sd, now, before, event);
}

void subd_glue_on_iface(struct subd_glue *g, const struct iface *ifc, unsigned changes)
{
	subdelegate_on_iface(g->sd, ifc, changes);
}

void subd_glue_dump(const struct subd_glue *g, struct json *j)
{
	json_kobj(j, "subdelegation");
	subdelegate_dump(g->sd, j);
	json_obj_end(j);
	if (g->hooks) {
		const struct hooks_counters *c = hooks_counters(g->hooks);
		json_kobj(j, "hook");
		json_kstr(j, "script", g->script);
		json_kbool(j, "running", hooks_busy(g->hooks));
		json_ku64(j, "runs", c->runs);
		json_ku64(j, "coalesced", c->coalesced);
		json_ku64(j, "failed", c->failed);
		json_ku64(j, "timeouts", c->timeouts);
		json_ku64(j, "spawn_errors", c->spawn_errors);
		json_obj_end(j);
	}
}

void subd_glue_free(struct subd_glue *g)
{
	if (!g)
		return;
	subdelegate_stopping(g->sd);
	subdelegate_free(g->sd);
	hooks_free(g->hooks);
	free(g);
}
