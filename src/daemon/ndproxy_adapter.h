/* The ND proxy engine (ndproxy/ndproxy.h) wired to the daemon: ND packets
 * through daemon/nd_io.h, /128 routes through netlink, solicited-node
 * memberships through net/mcast.h, the RA relay asked where to look for
 * hosts. Always running: the relay's learned hosts are answered by it. */
#ifndef ISLANDD_DAEMON_NDPROXY_ADAPTER_H
#define ISLANDD_DAEMON_NDPROXY_ADAPTER_H

#include "daemon/adapter.h"
#include "ndproxy/ndproxy.h"

extern const struct adapter_class ndproxy_adapter_class;

struct ndproxy_adapter;

struct ndp_engine *ndproxy_adapter_engine(const struct ndproxy_adapter *a);
/* A host the RA relay learned behind downstream_ifindex (gone: it left). */
void ndproxy_adapter_learned_host(struct ndproxy_adapter *a, int upstream_ifindex, int downstream_ifindex,
                                  const struct in6_addr *addr, bool gone);

#endif
