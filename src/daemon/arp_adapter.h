/* The proxy ARP engine (arpproxy/arpproxy.h) wired to the daemon: one
 * ETH_P_ARP packet socket per interface the engine listens on
 * (net/arp_sock.h), frames out through one batched send queue, /32 routes
 * (protocol 73) through netlink. Runs when a proxy block has IPv4 rules. */
#ifndef ISLANDD_DAEMON_ARP_ADAPTER_H
#define ISLANDD_DAEMON_ARP_ADAPTER_H

#include "arpproxy/arpproxy.h"
#include "daemon/adapter.h"

extern const struct adapter_class arp_adapter_class;

struct arp_adapter;
struct json;

const struct arp_engine *arp_adapter_engine(const struct arp_adapter *a);
/* A host a relay learned (a DHCPv4 lease: addr v4-mapped, its MAC) behind
 * downstream_ifindex, answered on upstream_ifindex and routed until gone. */
void arp_adapter_learned_host(struct arp_adapter *a, int upstream_ifindex, int downstream_ifindex,
                              const struct in6_addr *addr, const uint8_t mac[6], bool gone);
/* islandctl stats' "arp" object members: the engine's counters and the
 * sockets' (rx_frames, rx_errors, sockets). */
void arp_adapter_dump_counters(const struct arp_adapter *a, struct json *j);

#endif
