/* The downstream side of DHCPv6 prefix delegation as an adapter: one
 * subd_glue (sub-delegation + hook) per `dhcp6-pd` block, fed by the PD
 * adapter's lease events (pd_adapter_subscribe). Running when the
 * configuration has a dhcp6-pd block; listed after the PD adapter, so it
 * is created after it (and subscribes at once: a lease already bound is
 * told "bound") and destroyed before it (and runs the "stopped" hook
 * itself, the PD engine's own "stopped" coming after). */
#ifndef ISLANDD_DAEMON_SUBD_ADAPTER_H
#define ISLANDD_DAEMON_SUBD_ADAPTER_H

#include "daemon/adapter.h"

extern const struct adapter_class subd_adapter_class;

struct subd_adapter;
struct json;

/* "subdelegation": [ per dhcp6-pd block: "upstream", then subd_glue_dump ] */
void subd_adapter_dump(const struct subd_adapter *a, struct json *j);

#endif
