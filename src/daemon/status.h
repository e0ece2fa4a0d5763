/* The control socket's replies: one JSON document each (util/json.h). */
#ifndef ISLANDD_STATUS_H
#define ISLANDD_STATUS_H

#include "conf/conf.h"
#include "ctl/ctl.h"
#include "daemon/ports.h"

#include <stdbool.h>
#include <stdint.h>

struct iftable;
struct ndp_engine;
struct ra_engine;
struct mdns_reflector;
struct arp_adapter;
struct ctl_server;
struct nl;
struct http_listen_stats;
struct pd_adapter;
struct subd_adapter;
struct dhcp6relay_adapter;
struct dhcp4_engine;

/* What the views read; filled by the runtime per request. */
struct status_view {
	const struct conf *conf;
	const char *conf_path;
	const struct iftable *ifs;
	const struct ports *ports;
	const struct ndp_engine *ndp;
	const struct arp_adapter *arp;   /* proxy ARP; NULL when off */
	struct ra_engine *ra;
	struct mdns_reflector *mdns;
	const struct ctl_server *ctl;
	const struct nl *nl;
	uint64_t started_ms, reloads, reload_failures, rx_packets;
	const uint64_t *drops; /* ND_DROP__MAX entries */
	uint64_t loop_wakeups;
	const struct http_listen_stats *metrics; /* NULL: metrics-listen off */
	const struct pd_adapter *pd;             /* NULL: no dhcp6-pd block */
	const struct subd_adapter *subd;         /* its downstream side, NULL with it */
	const struct dhcp6relay_adapter *island; /* NULL: no island block */
	const struct dhcp4_engine *dhcp4;        /* NULL: no dhcp4-relay */
};

/* The reply to command as one JSON document: 0, or -1 for a command this
 * does not know (reload is the runtime's: status_reload_reply). */
int status_ctl(const struct status_view *v, const char *command, struct ctl_out *o);
/* error NULL: every engine took the file; reloaded: the file was taken
 * (engines named in error keep their previous configuration). */
void status_reload_reply(const struct status_view *v, const char *error, bool reloaded, struct ctl_out *o);

#endif
