/* The DHCPv4 relay engine: island hosts get their addresses from the
 * upstream link's server (the home router).
 *
 * relay   (RFC 1542 §4): a request from an island link gets giaddr = the
 *         gateway's address on the UPSTREAM link (the island shares that
 *         link's subnet, so the server allocates from it), hops + 1, and goes
 *         to each configured server, or is broadcast on the upstream. The
 *         reply (server -> giaddr:67) goes back to the island link the
 *         request came from, broadcast or to chaddr per the broadcast flag
 *         (RFC 2131 §4.1).
 * forward the client's exchange is broadcast again on the upstream from the
 *         gateway (giaddr 0, broadcast flag set so the answer is broadcast),
 *         the way OpenWrt's relayd does, and answers are passed back.
 * auto    relay; once relayed requests go unanswered for a few seconds (a
 *         server that drops relayed requests), forward on that upstream.
 *
 * A DHCPACK makes its address a known host (ops->host) until the lease ends:
 * DHCPRELEASE, DHCPDECLINE, DHCPNAK, expiry, or the island link going away.
 * Tables are bounded and allocation-free; no sockets here (struct dhcp4_ops). */
#ifndef ISLANDD_DHCP4RELAY_H
#define ISLANDD_DHCP4RELAY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "proto/dhcp4.h"

struct loop;
struct iftable;
struct iface;
struct json;

struct dhcp4_ops {
	void *ctx;
	uint64_t (*now_ms)(void *ctx);
	/* A relayed request, UDP from port 67 on the upstream to dst:67
	 * (INADDR_BROADCAST: the upstream's broadcast). 0 or -errno. */
	int (*send_server)(void *ctx, int upstream_ifindex, struct in_addr dst, const uint8_t *msg, size_t len);
	/* An IPv4 frame (dhcp4_build_ipv4_udp) on ifindex to link address mac. */
	int (*send_frame)(void *ctx, int ifindex, const uint8_t mac[6], const uint8_t *frame, size_t len);
	/* A lease made addr a host behind island_ifindex (gone false), or ended it.
	 * Called only for blocks with learn-hosts. May be NULL. */
	void (*host)(void *ctx, int upstream_ifindex, int island_ifindex, struct in_addr addr,
	             const uint8_t mac[6], bool gone);
};

/* Counters, each by name in `islandctl stats` ("dhcp4") and `islandctl dhcp`. */
struct dhcp4_counters {
	uint64_t rx_island, rx_server, rx_upstream_broadcast;
	uint64_t unicast_seen, leases_renewed;     /* routed by the kernel, looked at */
	uint64_t relayed, forwarded, delivered, delivered_broadcast;
	uint64_t option82_added, option82_no_room, option82_stripped;
	uint64_t drop[DHCP4_DROP__COUNT];              /* codec reasons */
	uint64_t drop_reply_from_island, upstream_requests_ignored, drop_no_relay;
	uint64_t drop_no_upstream_address, drop_giaddr_not_ours, drop_unknown_client;
	uint64_t upstream_not_ours;                    /* broadcasts for the upstream's own clients */
	uint64_t pending_evicted, send_errors;
	uint64_t leases_learned, leases_forgotten, leases_expired, leases_evicted;
	uint64_t mode_switches;
};

#define DHCP4_PENDING_SETS 256   /* x DHCP4_WAYS: exchanges in flight */
#define DHCP4_LEASE_SETS   256   /* x DHCP4_WAYS: leases remembered */
#define DHCP4_WAYS         4
#define DHCP4_PENDING_TTL_MS 30000
/* auto: relayed requests unanswered this long (at least AUTO_MIN of them)
 * mean the server ignores relayed requests. */
#define DHCP4_AUTO_TIMEOUT_MS 4000
#define DHCP4_AUTO_MIN_UNANSWERED 2
#define DHCP4_TICK_MS 1000

struct dhcp4_engine;

struct dhcp4_engine *dhcp4_engine_new(struct loop *loop, const struct conf *conf,
                                      const struct iftable *ifs, const struct dhcp4_ops *ops);
/* Take a new configuration (copied: the engine keeps no pointer into it).
 * Leases of links no longer served are forgotten. 0 or -errno. */
int dhcp4_engine_reload(struct dhcp4_engine *e, const struct conf *conf);
/* Every lease reported gone (learn-hosts), timers stopped. */
void dhcp4_engine_shutdown(struct dhcp4_engine *e);
void dhcp4_engine_free(struct dhcp4_engine *e);

enum dhcp4_role { DHCP4_ROLE_NONE, DHCP4_ROLE_ISLAND, DHCP4_ROLE_UPSTREAM };
/* What the adapter listens for on interface name. */
enum dhcp4_role dhcp4_engine_role(const struct dhcp4_engine *e, const char *ifname);
void dhcp4_engine_on_iface(struct dhcp4_engine *e, const struct iface *ifc, unsigned changes);

/* A UDP payload to port 67 received on island link ifindex, sent to dst.
 * Only broadcasts (and datagrams to the gateway itself) are relayed: a
 * client's unicast to the server (renewal, release) is routed by the
 * kernel and only looked at (a DHCPRELEASE ends the lease). */
void dhcp4_engine_on_island(struct dhcp4_engine *e, int ifindex, struct in_addr dst,
                            const uint8_t *msg, size_t len);
/* A UDP payload to port 67 received on the upstream (a server's reply to giaddr). */
void dhcp4_engine_on_server(struct dhcp4_engine *e, int upstream_ifindex, const uint8_t *msg, size_t len);
/* A UDP payload to port 68 seen on the upstream (forward mode's broadcast answers). */
void dhcp4_engine_on_upstream_client(struct dhcp4_engine *e, int upstream_ifindex, const uint8_t *msg,
                                     size_t len);

const struct dhcp4_counters *dhcp4_engine_counters(const struct dhcp4_engine *e);
/* Mode in force on an upstream (CONF_DHCP4_RELAY or _FORWARD), -1 if unknown. */
int dhcp4_engine_mode(const struct dhcp4_engine *e, const char *upstream);
size_t dhcp4_engine_lease_count(const struct dhcp4_engine *e);
/* `islandctl dhcp`: relays (mode and why), leases, counters. */
void dhcp4_engine_dump(const struct dhcp4_engine *e, struct json *j);
/* The counters as members of the current JSON object (`islandctl stats`). */
void dhcp4_engine_dump_counters(const struct dhcp4_engine *e, struct json *j);

#endif
