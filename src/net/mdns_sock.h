/* The mDNS reflector's UDP sockets: the only code that touches them.
 *
 * Per family: one socket bound to port 5353 (SO_REUSEADDR + SO_REUSEPORT,
 * so avahi-daemon can run beside us), joined to 224.0.0.251 / ff02::fb per
 * interface, multicast loop off, IP_MULTICAST_ALL off (only the groups and
 * links we joined), TTL / hop limit 255 out, arrival interface, destination
 * and hop limit in (IP_PKTINFO, IP_RECVTTL / IPV6_RECVPKTINFO,
 * IPV6_RECVHOPLIMIT); and one on an ephemeral port from which legacy
 * queries are forwarded and to which their unicast answers come.
 * Reads are recvmmsg batches into static buffers: no allocation per packet.
 * Sends made while a batch is handled are queued and leave together, one
 * sendmmsg per socket, when the batch is done. */
#ifndef ISLANDD_NET_MDNS_SOCK_H
#define ISLANDD_NET_MDNS_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/mdns_dgram.h"
#include "util/loop.h"

struct mdns_sock;

typedef void (*mdns_sock_rx_fn)(void *ctx, const struct mdns_rx *rx, const uint8_t *pkt,
                                size_t len);
/* A queued packet the kernel refused when the queue was flushed. */
typedef void (*mdns_sock_tx_err_fn)(void *ctx, int ifindex, size_t len, int err);

struct mdns_sock_stats {
	uint64_t batches, packets, recv_errors, no_pktinfo;
};

/* Open the sockets of each family that works on this host (a kernel
 * without IPv6 leaves only IPv4) and register them with the loop; every
 * datagram is handed to fn with its metadata. Returns 0, or -errno when
 * no family could be opened (-EADDRINUSE: port 5353 taken by a program
 * that did not set SO_REUSEADDR). */
int mdns_sock_open(struct mdns_sock **out, struct loop *loop, mdns_sock_rx_fn fn,
                   mdns_sock_tx_err_fn tx_err, void *ctx);
void mdns_sock_close(struct mdns_sock *s);

/* Send pkt out of tx->ifindex from tx->src: at once, or queued when called
 * from a receive callback (then 0 means queued; a later refusal goes to
 * tx_err). 0 or -errno. */
int mdns_sock_send(struct mdns_sock *s, const struct mdns_tx *tx, const uint8_t *pkt, size_t len);
/* Send what is queued. */
void mdns_sock_flush(struct mdns_sock *s);
/* Join or leave the mDNS group of family on ifindex. 0 or -errno
 * (-EADDRINUSE: already joined; -EAFNOSUPPORT: family not open). */
int mdns_sock_membership(struct mdns_sock *s, int family, int ifindex, bool join);
bool mdns_sock_has_family(const struct mdns_sock *s, int family);
const struct mdns_sock_stats *mdns_sock_stats(const struct mdns_sock *s);

#endif
