/* The DHCPv6-PD client engine (dhcp6pd/pd.h) wired to the daemon: one
 * client and one UDP socket (net/dhcp6_sock.h) per `dhcp6-pd UPSTREAM`
 * block; the DUID and leases in the block's state-dir. A client starts
 * once its upstream exists with a usable link-local address. Running when
 * the configuration has a dhcp6-pd block.
 *
 * Lease changes go to every subscriber (sub-delegation, hooks): a
 * subscriber that comes after a lease was bound is told "bound" at once. */
#ifndef ISLANDD_DAEMON_PD_ADAPTER_H
#define ISLANDD_DAEMON_PD_ADAPTER_H

#include "daemon/adapter.h"
#include "dhcp6pd/pd_lease.h"

extern const struct adapter_class pd_adapter_class;

struct pd_adapter;
struct json;

#define PD_ADAPTER_MAX_SUBSCRIBERS 4

/* 0, or -1 when PD_ADAPTER_MAX_SUBSCRIBERS are there already. */
int pd_adapter_subscribe(struct pd_adapter *a, pd_lease_changed_fn fn, void *ctx);
void pd_adapter_unsubscribe(struct pd_adapter *a, pd_lease_changed_fn fn, void *ctx);
/* The lease on upstream ifindex, or NULL. */
const struct pd_lease *pd_adapter_lease(const struct pd_adapter *a, int upstream_ifindex);
/* `islandctl pd`: "pd": [ per upstream ... ] */
void pd_adapter_dump(const struct pd_adapter *a, struct json *j);
/* `islandctl stats`: the "pd" object of counters summed over upstreams */
void pd_adapter_dump_counters(const struct pd_adapter *a, struct json *j);

#endif
