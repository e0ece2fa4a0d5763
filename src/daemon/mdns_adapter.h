/* The mDNS reflector (mdns/mdns.h: engine, sockets and clock) as one of the
 * daemon's adapters. Running when the configuration has an mdns block. */
#ifndef ISLANDD_DAEMON_MDNS_ADAPTER_H
#define ISLANDD_DAEMON_MDNS_ADAPTER_H

#include "daemon/adapter.h"
#include "mdns/mdns.h"

extern const struct adapter_class mdns_adapter_class;

#endif
