/* How the daemon drives an engine. Each engine has one adapter (its packet
 * I/O, its clock, the kernel calls it needs) described by a struct
 * adapter_class; runtime.c lists them once, in its adapters[] table, and
 * does the same for each: create it when the configuration asks for it,
 * reload or destroy it, and pass it every kernel event. Adding an engine
 * is a new adapter and one line in that table. */
#ifndef ISLANDD_DAEMON_ADAPTER_H
#define ISLANDD_DAEMON_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/conf.h"
#include "daemon/ports.h"
#include "net/iftable.h"
#include "net/kview.h"
#include "net/packet.h"
#include "proto/mld.h"
#include "proto/nd.h"
#include "util/loop.h"

struct nl;
struct nd_io;
struct adapter_class;

/* What adapters share, owned by runtime.c. */
struct adapter_env {
	struct loop *loop;
	struct nl *nl;             /* routes and kernel queries */
	struct iftable *ifs;
	struct nd_io *nd;          /* ND packet sockets and send queue (daemon/nd_io.h) */
	/* runtime.c's table and what runs of it (NULL: off): engines that work
	 * together find each other here (adapter_running) */
	const struct adapter_class *const *classes;
	void **running;
	size_t n;
};

struct adapter_class {
	const char *name;          /* in logs and in `islandctl reload` */
	/* The engine keeps pointers into the configuration tree: it is reloaded
	 * first, and when that fails the whole reload stops (the old tree must
	 * stay). Others copy what they need and fail alone. At most one adapter
	 * may set this: a second one failing could not undo the first. */
	bool holds_conf;
	bool (*wanted)(const struct conf *conf);
	/* NULL with err filled on failure. */
	void *(*create)(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen);
	/* 0, or -1 with err filled: the engine then keeps its running configuration. */
	int (*reload)(void *self, const struct conf *conf, char *err, size_t errlen);
	/* After the first kernel dump at start (may be NULL). */
	void (*started)(void *self);
	/* Says goodbye on the wire where the engine must, and frees. */
	void (*destroy)(void *self);

	/* Kernel events, after the interface table has them; any may be NULL. */
	void (*on_iface)(void *self, const struct iface *ifc, unsigned changes);
	void (*on_addr)(void *self, const struct iface_addr *a, bool deleted);
	void (*on_neigh)(void *self, const struct kneigh *n, bool deleted);
	void (*on_route)(void *self, const struct kroute *r, bool deleted);

	/* ND packets (daemon/nd_io.h); NULL when the engine needs none. */
	void (*want_port)(void *self, const struct iface *ifc, struct port_want *w);
	void (*on_nd)(void *self, int ifindex, const struct nd_msg *m, const struct pkt_in *pin);
	void (*on_mld)(void *self, int ifindex, const struct mld_msg *m, enum mld_drop why);
};

/* The running adapter of class cls, or NULL. */
static inline void *adapter_running(const struct adapter_env *env, const struct adapter_class *cls)
{
	for (size_t i = 0; i < env->n; i++)
		if (env->classes[i] == cls)
			return env->running[i];
	return NULL;
}

#endif
