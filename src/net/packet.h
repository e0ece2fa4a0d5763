/* AF_PACKET / SOCK_DGRAM sockets for ND: the kernel strips the link-layer
 * header, so the same code serves Ethernet, Wi-Fi, tun, WireGuard and PPP.
 * A classic BPF filter lets through only what the daemon handles. */
#ifndef ISLANDD_PACKET_H
#define ISLANDD_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_BATCH 32      /* packets per recvmmsg / sendmmsg */
#define PKT_SNAPLEN 2048  /* larger ND packets are truncated and dropped by the parser */
#define PKT_LLADDR_MAX 16
#define PKT_RCVBUF (4 << 20) /* receive buffer asked for each listening socket */

struct pkt_in {
	const uint8_t *data;  /* IPv6 header first */
	size_t len;           /* bytes in data; may be < orig_len if truncated */
	size_t orig_len;
	uint8_t pkttype;      /* PACKET_HOST, PACKET_MULTICAST, PACKET_OUTGOING ... */
	uint8_t src_ll_len;
	uint8_t src_ll[PKT_LLADDR_MAX];
};

/* Caller-owned receive buffers: no allocation per packet. */
struct pkt_rx {
	uint8_t buf[PKT_BATCH][PKT_SNAPLEN];
	struct pkt_in in[PKT_BATCH];
};

/* Open a socket bound to ifindex for IPv6 frames. The filter accepts ICMPv6
 * messages whose type is in icmp_types (bit n = type 128+n, e.g. NS = bit 7)
 * and, so they can be counted as drops, IPv6 packets whose next header is
 * hop-by-hop (0), routing (43), fragment (44) or destination options (60)
 * when ND follows. Behind one such header, other ICMPv6 types pass when in
 * icmp_types (MLD comes behind a hop-by-hop Router Alert).
 * Outgoing packets (PACKET_OUTGOING) are filtered out too.
 * Returns the fd or -errno. */
int pkt_open(int ifindex, uint32_t icmp_types);
/* The start of every receive socket: bound to ifindex for ethertype,
 * drained, with a drop-all filter the caller replaces with its own
 * (pkt_open's ND filter, arp_sock.c's). Returns the fd or -errno. */
int pkt_open_bound(int ifindex, uint16_t ethertype);
/* Replace fd's filter with the one pkt_open attaches (for sockets made
 * elsewhere, e.g. an ETH_P_ALL tap in tests). 0 or -errno. */
int pkt_attach_filter(int fd, uint32_t icmp_types);
/* A send-only packet socket (protocol 0, receives nothing): one serves every
 * interface, the destination ifindex travels with each packet. */
int pkt_open_tx(void);
/* Receive every multicast frame (PACKET_MR_ALLMULTI membership, counted by
 * the kernel and dropped with the socket) or every frame (PACKET_MR_PROMISC). */
int pkt_set_allmulti(int fd, int ifindex, bool on);
int pkt_set_promisc(int fd, int ifindex, bool on);
/* Read up to PKT_BATCH packets without blocking; returns the count (0 when
 * none), or -errno. */
int pkt_recv_batch(int fd, struct pkt_rx *rx);
/* Send one IPv6 packet on ifindex to link-layer address l2dst (halen 0 on
 * L3 links). Returns 0 or -errno. */
int pkt_send(int fd, int ifindex, const uint8_t *l2dst, uint8_t halen,
             const uint8_t *pkt, size_t len);

/* Queue of outgoing packets flushed with one sendmmsg. */
struct pkt_txq {
	uint16_t ethertype;           /* of every packet queued; 0 = ETH_P_IPV6 */
	unsigned n;
	uint8_t buf[PKT_BATCH][256];  /* ND and ARP packets we build are < 256 bytes */
	size_t len[PKT_BATCH];
	int ifindex[PKT_BATCH];
	uint8_t halen[PKT_BATCH];
	uint8_t l2dst[PKT_BATCH][PKT_LLADDR_MAX];
};
/* Returns a buffer for the next packet, flushing first when full. */
uint8_t *pkt_txq_slot(struct pkt_txq *q, int fd);
void pkt_txq_commit(struct pkt_txq *q, size_t len, int ifindex, const uint8_t *l2dst, uint8_t halen);
/* Send everything queued; returns packets sent or -errno. */
int pkt_txq_flush(struct pkt_txq *q, int fd);

#endif
