/* The DHCPv6 relay agent's UDP socket (port 547): the only code that
 * touches it. One socket bound to [::]:547 (SO_REUSEADDR, so a restart
 * binds at once), joined to All_DHCP_Relay_Agents_and_Servers (ff02::1:2)
 * on each island link, multicast loop off, arrival interface and source in
 * (IPV6_RECVPKTINFO). Sends leave from port 547 (RFC 8415 §19: servers and
 * relays answer there), out of the interface asked for (IPV6_PKTINFO) or
 * the route's when ifindex is 0. Reads go into one static-size buffer of
 * the struct: no allocation per packet. */
#ifndef ISLANDD_NET_DHCP6_RELAY_SOCK_H
#define ISLANDD_NET_DHCP6_RELAY_SOCK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "util/loop.h"

struct dhcp6_relay_sock;

typedef void (*dhcp6_relay_sock_rx_fn)(void *ctx, int ifindex, const struct in6_addr *src,
                                       const uint8_t *pkt, size_t len);

/* 0 and *out, or -errno (-EADDRINUSE: another DHCPv6 relay or server holds 547). */
int dhcp6_relay_sock_open(struct dhcp6_relay_sock **out, struct loop *loop, dhcp6_relay_sock_rx_fn fn,
                          void *ctx);
void dhcp6_relay_sock_close(struct dhcp6_relay_sock *s);
/* Join / leave ff02::1:2 on a link. 0 or -errno. */
int dhcp6_relay_sock_join(struct dhcp6_relay_sock *s, int ifindex, bool join);
int dhcp6_relay_sock_send(struct dhcp6_relay_sock *s, int ifindex, const struct in6_addr *dst,
                          uint16_t port, const uint8_t *pkt, size_t len);

#endif
