/* The DHCPv4 relay engine (dhcp4relay/dhcp4relay.h) wired to the daemon:
 * its sockets (net/dhcp4_sock.h), one receive socket per island link and
 * upstream, and the hosts its leases make known handed to the ARP proxy.
 * Running when the configuration has a dhcp4-relay block. */
#ifndef ISLANDD_DAEMON_DHCP4_ADAPTER_H
#define ISLANDD_DAEMON_DHCP4_ADAPTER_H

#include "daemon/adapter.h"
#include "dhcp4relay/dhcp4relay.h"

extern const struct adapter_class dhcp4_adapter_class;

struct dhcp4_adapter;

struct dhcp4_engine *dhcp4_adapter_engine(const struct dhcp4_adapter *a);

#endif
