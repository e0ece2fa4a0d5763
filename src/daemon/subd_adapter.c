/* The sub-delegation adapter: see subd_adapter.h. */
#include "daemon/subd_adapter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/pd_adapter.h"
#include "daemon/subd_glue.h"
#include "util/json.h"
#include "util/log.h"

struct subd_block {
	char upstream[IF_NAMESIZE];
	struct subd_glue *glue;
};

struct subd_adapter {
	struct adapter_env *env;
	struct pd_adapter *pd;     /* subscribed to; NULL when none runs */
	size_t n;
	struct subd_block *blocks;
};

static void on_lease(void *ctx, const struct pd_lease *now, const struct pd_lease *before, const char *event)
{
	struct subd_adapter *a = ctx;
	int idx = now && now->upstream_ifindex ? now->upstream_ifindex : before ? before->upstream_ifindex : 0;
	const struct iface *k = idx > 0 ? iftable_by_index(a->env->ifs, idx) : NULL;
	for (size_t i = 0; i < a->n; i++)
		if ((k && strcmp(a->blocks[i].upstream, k->name) == 0) || (!k && a->n == 1)) {
			subd_glue_lease_changed(a->blocks[i].glue, now, before, event);
			return;
		}
	log_warn("dhcp6-pd: a lease event (%s) for ifindex %d, which no block names", event, idx);
}

/* Follow the PD adapter that runs now (created, re-created or gone). */
static void subscribe(struct subd_adapter *a)
{
	struct pd_adapter *pd = adapter_running(a->env, &pd_adapter_class);
	if (pd == a->pd)
		return;
	if (a->pd)
		pd_adapter_unsubscribe(a->pd, on_lease, a);
	a->pd = NULL;
	if (pd && pd_adapter_subscribe(pd, on_lease, a) == 0)
		a->pd = pd;
	else if (pd)
		log_err("dhcp6-pd: cannot follow the leases (subscribers full): no sub-delegation");
}

static bool wanted(const struct conf *conf)
{
	return conf->n_pds > 0;
}

static struct subd_glue *take(struct subd_block *old, size_t n_old, const char *upstream)
{
	for (size_t i = 0; i < n_old; i++)
		if (old[i].glue && strcmp(old[i].upstream, upstream) == 0) {
			struct subd_glue *g = old[i].glue;
			old[i].glue = NULL;
			return g;
		}
	return NULL;
}

/* The blocks of conf, keeping the glue of an upstream that stays. */
static int build(struct subd_adapter *a, const struct conf *conf)
{
	struct subd_block *nb = calloc(conf->n_pds ? conf->n_pds : 1, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	for (size_t i = 0; i < conf->n_pds; i++) {
		const struct conf_pd *c = &conf->pds[i];
		snprintf(nb[i].upstream, sizeof(nb[i].upstream), "%s", c->upstream);
		nb[i].glue = take(a->blocks, a->n, c->upstream);
		if (nb[i].glue) {
			subd_glue_reload(nb[i].glue, c);
		} else if (!(nb[i].glue = subd_glue_new(a->env, c))) {
			for (size_t k = 0; k < i; k++) { /* give back what was taken */
				for (size_t o = 0; o < a->n && nb[k].glue; o++) {
					if (!a->blocks[o].glue && strcmp(a->blocks[o].upstream, nb[k].upstream) == 0) {
						a->blocks[o].glue = nb[k].glue;
						nb[k].glue = NULL;
					}
				}
			}
			for (size_t k = 0; k < i; k++)
				subd_glue_free(nb[k].glue);
			free(nb);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < a->n; i++) /* blocks that went */
		subd_glue_free(a->blocks[i].glue);
	free(a->blocks);
	a->blocks = nb;
	a->n = conf->n_pds;
	return 0;
}

static void *create(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen)
{
	struct subd_adapter *a = calloc(1, sizeof(*a));
	if (!a || (a->env = env, build(a, conf) < 0)) {
		free(a);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	subscribe(a);
	return a;
}

static int reload(void *self, const struct conf *conf, char *err, size_t errlen)
{
	struct subd_adapter *a = self;
	if (build(a, conf) < 0) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	subscribe(a);
	return 0;
}

static void started(void *self)
{
	subscribe(self);
}

static void destroy(void *self)
{
	struct subd_adapter *a = self;
	if (!a)
		return;
	if (a->pd && adapter_running(a->env, &pd_adapter_class) == a->pd)
		pd_adapter_unsubscribe(a->pd, on_lease, a);
	for (size_t i = 0; i < a->n; i++)
		subd_glue_free(a->blocks[i].glue);
	free(a->blocks);
	free(a);
}

static void on_iface(void *self, const struct iface *ifc, unsigned changes)
{
	struct subd_adapter *a = self;
	for (size_t i = 0; i < a->n; i++)
		subd_glue_on_iface(a->blocks[i].glue, ifc, changes);
}

void subd_adapter_dump(const struct subd_adapter *a, struct json *j)
{
	json_karr(j, "subdelegation");
	for (size_t i = 0; a && i < a->n; i++) {
		json_obj(j);
		json_kstr(j, "upstream", a->blocks[i].upstream);
		subd_glue_dump(a->blocks[i].glue, j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

const struct adapter_class subd_adapter_class = {
	.name = "dhcp6-pd downstream",
	.wanted = wanted,
	.create = create,
	.reload = reload,
	.started = started,
	.destroy = destroy,
	.on_iface = on_iface,
};
