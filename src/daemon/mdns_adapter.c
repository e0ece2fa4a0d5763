/* The mDNS reflector's place in the daemon's adapter table: it has its own
 * sockets and clock (mdns/reflector.c); this passes it the configuration
 * and the interface table's changes. */
#include "daemon/mdns_adapter.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool wanted(const struct conf *conf)
{
	return conf->mdns != NULL;
}

static void *create(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen)
{
	struct mdns_reflector *r = mdns_reflector_new(env->loop, conf->mdns);
	if (!r)
		snprintf(err, errlen, "%s", strerror(errno));
	return r;
}

static int reload(void *self, const struct conf *conf, char *err, size_t errlen)
{
	int rc = mdns_reflector_reload(self, conf->mdns);
	if (rc < 0) {
		snprintf(err, errlen, "%s", strerror(-rc));
		return -1;
	}
	return 0;
}

static void destroy(void *self)
{
	mdns_reflector_free(self);
}

static void on_iface(void *self, const struct iface *ifc, unsigned changes)
{
	mdns_reflector_on_iface(self, ifc, changes);
}

static void on_addr(void *self, const struct iface_addr *a, bool deleted)
{
	mdns_reflector_on_addr(self, a, deleted);
}

const struct adapter_class mdns_adapter_class = {
	.name = "mdns",
	.wanted = wanted,
	.create = create,
	.reload = reload,
	.destroy = destroy,
	.on_iface = on_iface,
	.on_addr = on_addr,
};
