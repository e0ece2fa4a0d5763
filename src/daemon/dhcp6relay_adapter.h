/* The `island` blocks' run-time half (the automatic choice) and their
 * DHCPv6 relay (dhcp6relay/dhcp6relay.h) wired to the daemon.
 *
 * An island block is a dhcp6-pd block plus an ra-relay block over the same
 * links (conf/parse_island.c): those engines run as they would for such a
 * file. This adapter only chooses, per island, between them:
 *   relay mode  (no prefix delegated): the RA relay relays the upstream's
 *               RAs and learns hosts (the NDP proxy answers for them), and
 *               the DHCPv6 relay forwards the island hosts' DHCPv6 to the
 *               upstream's servers, whose leases become known hosts;
 *   routed mode (a prefix bound): the RA relay of that upstream is paused
 *               (ra_engine_relay_pause), so the island links carry only
 *               the delegated /64s sub-delegation advertises, and the
 *               DHCPv6 relay stops.
 * It learns of leases as a subscriber of the PD adapter, so a switch is a
 * call into the running engines, never a restart. Running when the
 * configuration has an island block. */
#ifndef ISLANDD_DAEMON_DHCP6RELAY_ADAPTER_H
#define ISLANDD_DAEMON_DHCP6RELAY_ADAPTER_H

#include "daemon/adapter.h"

extern const struct adapter_class dhcp6relay_adapter_class;

struct dhcp6relay_adapter;
struct json;

/* `islandctl island`: "islands": [ per upstream: mode, why, since, links,
 * the DHCPv6 relay's hosts and counters ] */
void dhcp6relay_adapter_dump(const struct dhcp6relay_adapter *a, struct json *j);

#endif
