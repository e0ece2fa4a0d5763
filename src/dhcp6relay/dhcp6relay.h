/* The DHCPv6 relay agent (RFC 8415 §19) of an island in relay mode.
 *
 * Client messages heard on an island link (UDP 547, to ff02::1:2) leave
 * wrapped in a Relay-Forward towards the upstream's servers (ff02::1:2 on
 * the upstream link, or the configured addresses); a Relay-Forward from a
 * relay further down is wrapped again, up to HOP_COUNT_LIMIT. A Relay-Reply
 * from the upstream is unwrapped and its message sent to the peer-address
 * on the island link its Interface-ID (or link-address) names; the
 * addresses a Reply leases (IA_NA) are reported at once as known hosts,
 * so the NDP proxy answers for them and routes them before their owners
 * speak.
 *
 * No sockets here: the daemon hands in each datagram with the link it
 * arrived on and its source; the engine sends through struct
 * dhcp6relay_ops. Per packet nothing is allocated: one stack buffer, a
 * parse, a counter for every drop. Links and leased hosts live in fixed
 * arrays. */
#ifndef ISLANDD_DHCP6RELAY_H
#define ISLANDD_DHCP6RELAY_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json;

#define DHCP6RELAY_MAX_LINKS 32     /* island links (= CONF_MAX_DOWNSTREAM) */
#define DHCP6RELAY_MAX_SERVERS 4
#define DHCP6RELAY_MAX_HOSTS 256    /* leased addresses remembered until their valid lifetime ends */

struct dhcp6relay_ops {
	void *ctx;
	/* Send len bytes from port 547 to dst:dport out of ifindex. 0 or -errno. */
	int (*send)(void *ctx, int ifindex, const struct in6_addr *dst, uint16_t dport,
	            const uint8_t *pkt, size_t len);
	/* A leased address behind island link down_ifindex (gone: released,
	 * declined or its valid lifetime ended). May be NULL. */
	void (*host)(void *ctx, int upstream_ifindex, int down_ifindex, const struct in6_addr *addr, bool gone);
	uint64_t (*now_ms)(void *ctx);
};

struct dhcp6relay_counters {
	uint64_t rx_client, rx_relay_forw, rx_relay_repl;
	uint64_t tx_relay_forw, tx_to_client, tx_to_relay;
	uint64_t hosts_learned, hosts_gone;
	/* drops */
	uint64_t drop_parse;            /* truncated or malformed (the codec's reasons) */
	uint64_t drop_hop_limit;        /* a Relay-Forward already HOP_COUNT_LIMIT deep */
	uint64_t drop_repl_from_island; /* Relay-Reply heard on an island link: hostile */
	uint64_t drop_unknown_iface_id; /* Relay-Reply naming no island link of ours */
	uint64_t drop_server_msg;       /* Advertise/Reply/Reconfigure/Relay-Forw where they do not belong */
	uint64_t drop_no_upstream;      /* nowhere to forward (upstream down, no server) */
	uint64_t drop_not_island;       /* arrived on a link that is neither upstream nor island */
	uint64_t drop_send;             /* the kernel refused to send */
	uint64_t drop_hosts_full;       /* leases beyond DHCP6RELAY_MAX_HOSTS not remembered */
};

struct dhcp6relay;

/* upstream_ifindex may be 0 until the link exists (dhcp6relay_set_upstream). */
struct dhcp6relay *dhcp6relay_new(const struct dhcp6relay_ops *ops);
void dhcp6relay_free(struct dhcp6relay *r);

/* Where Relay-Forwards go: n servers (unicast), or none for ff02::1:2 on
 * the upstream link. */
void dhcp6relay_set_servers(struct dhcp6relay *r, const struct in6_addr *servers, size_t n);
void dhcp6relay_set_upstream(struct dhcp6relay *r, int ifindex, const char *name);
/* An island link appears (or is renamed) / disappears. */
int dhcp6relay_add_link(struct dhcp6relay *r, int ifindex, const char *name);
void dhcp6relay_del_link(struct dhcp6relay *r, int ifindex);
/* A global (or ULA) address of a link appeared or went: the link-address
 * of Relay-Forwards from it. The upstream's serves as fallback for island
 * links that have none (see dhcp6relay.c). */
void dhcp6relay_on_addr(struct dhcp6relay *r, int ifindex, const struct in6_addr *addr, bool deleted);
/* Off: datagrams are dropped uncounted (the island is routed). Hosts
 * learned so far are reported gone. */
void dhcp6relay_set_active(struct dhcp6relay *r, bool active);
bool dhcp6relay_active(const struct dhcp6relay *r);

/* A datagram that arrived at port 547 on ifindex from src. */
void dhcp6relay_input(struct dhcp6relay *r, int ifindex, const struct in6_addr *src,
                      const uint8_t *pkt, size_t len);
/* Ends leases whose valid lifetime ran out; the adapter calls it from a
 * timer (every few seconds is enough). */
void dhcp6relay_tick(struct dhcp6relay *r);

const struct dhcp6relay_counters *dhcp6relay_counters(const struct dhcp6relay *r);
size_t dhcp6relay_n_hosts(const struct dhcp6relay *r);
/* {"active":..,"upstream":..,"links":[..],"hosts":[..],"counters":{..}} */
void dhcp6relay_dump(const struct dhcp6relay *r, struct json *j);

#endif
