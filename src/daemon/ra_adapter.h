/* The Router Advertisement engine (ra/ra.h) wired to the daemon: ND packets
 * through daemon/nd_io.h; hosts the relay learns go to the ND proxy.
 * Running when the configuration has an `ra`, `ra-relay` or `dhcp6-pd`
 * block (the delegated prefixes are advertised with ra_engine_set_dynamic). */
#ifndef ISLANDD_DAEMON_RA_ADAPTER_H
#define ISLANDD_DAEMON_RA_ADAPTER_H

#include "daemon/adapter.h"
#include "ra/ra.h"

extern const struct adapter_class ra_adapter_class;

struct ra_adapter;

struct ra_engine *ra_adapter_engine(const struct ra_adapter *a);
/* ra_engine_relay_links of the running engine (the ND proxy asks). */
unsigned ra_adapter_relay_links(const struct ra_adapter *a, int upstream_ifindex, const struct in6_addr *target,
                                int *ifindexes, unsigned max);

#endif
