/* The mDNS reflector as the daemon sees it: the engine (engine.h) wired to
 * its sockets (net/mdns_sock.h), the loop and the clock. Created when the
 * configuration has an mdns block; fed the interface table's changes and
 * every address of the host. Interfaces need not exist at start: groups are joined
 * when they appear, come up or gain addresses. */
#ifndef ISLANDD_MDNS_H
#define ISLANDD_MDNS_H

#include <stdbool.h>

#include "conf/conf.h"
#include "net/iftable.h"
#include "util/loop.h"

struct mdns_reflector;

/* conf is copied: it may be freed once this returns. NULL + errno on
 * failure (EADDRINUSE: port 5353 held without SO_REUSEADDR; EINVAL: a bad
 * filter or too many interfaces). */
struct mdns_reflector *mdns_reflector_new(struct loop *loop, const struct conf_mdns *conf);
/* Keeps the sockets, and the memberships of interfaces still listed.
 * 0 or -errno (the old settings then stay in force). conf is copied. */
int mdns_reflector_reload(struct mdns_reflector *r, const struct conf_mdns *conf);
void mdns_reflector_on_iface(struct mdns_reflector *r, const struct iface *ifc, unsigned changes);
void mdns_reflector_on_addr(struct mdns_reflector *r, const struct iface_addr *a, bool deleted);
struct json;
/* islandctl mdns: the member "mdns" of the object j is in: the engine's
 * view plus the sockets' own counters. */
void mdns_reflector_dump(struct mdns_reflector *r, struct json *j);
void mdns_reflector_free(struct mdns_reflector *r);

#endif
