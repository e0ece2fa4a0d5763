/* The DHCPv6 client's UDP socket on one upstream link (RFC 8415 §7.1):
 * port 546, bound to the device (SO_BINDTODEVICE), multicast out of it
 * (IPV6_MULTICAST_IF, hop limit 1) to All_DHCP_Relay_Agents_and_Servers
 * ff02::1:2 port 547; the kernel picks the link-local source for that
 * link-scoped destination. The port is bound when the socket opens (a
 * port below 1024 needs the privileges the daemon has at start); the
 * device can be named later, when the link appears. */
#ifndef ISLANDD_NET_DHCP6_SOCK_H
#define ISLANDD_NET_DHCP6_SOCK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "util/loop.h"

struct dhcp6_sock;

/* A datagram that arrived on ifindex (IPV6_PKTINFO) from src. */
typedef void (*dhcp6_sock_rx_fn)(void *ctx, int ifindex, const struct in6_addr *src,
                                 uint16_t sport, const uint8_t *buf, size_t len);

struct dhcp6_sock_stats {
	uint64_t rx, rx_truncated, rx_errors, tx, tx_errors;
};

/* NULL with errno set. */
struct dhcp6_sock *dhcp6_sock_open(struct loop *loop, dhcp6_sock_rx_fn fn, void *ctx);
/* Tie the socket to the link (0 or -errno); ifname "" unties it. */
int dhcp6_sock_bind_device(struct dhcp6_sock *s, const char *ifname, int ifindex);
/* To ff02::1:2 port 547 on the bound link. 0 or -errno. */
int dhcp6_sock_send(struct dhcp6_sock *s, const uint8_t *buf, size_t len);
const struct dhcp6_sock_stats *dhcp6_sock_stats(const struct dhcp6_sock *s);
void dhcp6_sock_close(struct dhcp6_sock *s);

#endif
