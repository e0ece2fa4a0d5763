/* The downstream side of one `dhcp6-pd` block, wired to the daemon: the
 * sub-delegation (dhcp6pd/subdelegate.h) acting on the kernel through
 * netlink and on the RA engine's dynamic prefixes, and the block's
 * `script` hook (dhcp6pd/hooks.h).
 *
 * subd_adapter.c owns one per block and feeds it the PD adapter's lease
 * events (pd_adapter_subscribe). */
#ifndef ISLANDD_DAEMON_SUBD_GLUE_H
#define ISLANDD_DAEMON_SUBD_GLUE_H

#include "conf/conf.h"
#include "daemon/adapter.h"
#include "dhcp6pd/pd_lease.h"

struct json;
struct subd_glue;

/* NULL only when out of memory. */
struct subd_glue *subd_glue_new(struct adapter_env *env, const struct conf_pd *c);
void subd_glue_reload(struct subd_glue *g, const struct conf_pd *c);
/* A pd_lease_changed_fn: ctx is the struct subd_glue. */
void subd_glue_lease_changed(void *ctx, const struct pd_lease *now, const struct pd_lease *before,
                             const char *event);
void subd_glue_on_iface(struct subd_glue *g, const struct iface *ifc, unsigned changes);
/* "subdelegation": delegated and deprecated prefixes, links and their
 * /64s, counters; "hook": the script's counters. */
void subd_glue_dump(const struct subd_glue *g, struct json *j);
/* The "stopped" hook when a lease is held; unreachable routes removed,
 * advertiser told to stop; addresses keep their kernel lifetimes (RFC 9096). */
void subd_glue_free(struct subd_glue *g);

#endif
