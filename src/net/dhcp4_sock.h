/* Sockets of the DHCPv4 relay.
 *
 * Receiving: one AF_PACKET/SOCK_DGRAM socket per interface (ETH_P_IP), with
 * a classic BPF filter passing unfragmented IPv4 UDP to port 67 (and, on the
 * upstream, 68). A packet socket sees the client broadcasts and the server's
 * replies whoever holds UDP port 67 on the gateway (the kernel's UDP path
 * hands a datagram to one socket only, and a local dnsmasq or dhcpd may own
 * the port), and it tells which link a frame came from without
 * SO_BINDTODEVICE sockets that cannot exist before their interface does.
 *
 * Sending to servers: one UDP socket, bound to 0.0.0.0:67 when it can be
 * (SO_REUSEADDR, before privileges go; RFC 1542 relays speak from port 67,
 * and a bound port keeps the kernel from answering the server's replies
 * with ICMP port unreachable), with IP_PKTINFO choosing the upstream link
 * and the source address (giaddr). The kernel resolves the server's MAC.
 *
 * Sending to clients: a packet socket, frames built with
 * dhcp4_build_ipv4_udp: a client without an address cannot be reached
 * through the kernel's UDP path (it would ARP for yiaddr, which nobody holds
 * yet), so the frame goes straight to chaddr or to ff:ff:ff:ff:ff:ff. */
#ifndef ISLANDD_NET_DHCP4_SOCK_H
#define ISLANDD_NET_DHCP4_SOCK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A receive socket on ifindex: UDP to port 67, and to 68 with client_port.
 * The fd or -errno. */
int dhcp4_sock_open_rx(int ifindex, bool client_port);
/* The UDP socket for servers. *bound67 says whether it holds port 67. */
int dhcp4_sock_open_udp(bool *bound67);
/* One UDP datagram to dst:67 out of ifindex from src (src 0: the kernel's
 * choice). 0 or -errno. */
int dhcp4_sock_send_udp(int fd, int ifindex, struct in_addr src, struct in_addr dst,
                        const uint8_t *msg, size_t len);
/* A send-only packet socket. */
int dhcp4_sock_open_tx(void);
/* One IPv4 frame on ifindex to mac. 0 or -errno. */
int dhcp4_sock_send_frame(int fd, int ifindex, const uint8_t mac[6], const uint8_t *frame, size_t len);

#endif
