/* AF_PACKET / SOCK_DGRAM sockets for ARP (ETH_P_ARP), one per interface the
 * ARP proxy listens on. The kernel strips the Ethernet header and reports
 * its source address (pkt_in.src_ll), which the codec compares with the
 * sender MAC. Receiving and sending reuse packet.c's batches: pkt_recv_batch
 * on these sockets, and a pkt_txq with ethertype ETH_P_ARP flushed on the
 * socket arp_sock_open_tx returns. */
#ifndef ISLANDD_NET_ARP_SOCK_H
#define ISLANDD_NET_ARP_SOCK_H

#include "net/packet.h"

/* A socket bound to ifindex receiving ARP requests and replies (opcode 1
 * or 2; anything else never wakes the daemon) that the host did not send
 * itself. Malformed ones with those opcodes pass, so the parser counts
 * them. Returns the fd or -errno. */
int arp_sock_open(int ifindex);
/* Replace fd's filter with arp_sock_open's (tests: an ETH_P_ALL tap). */
int arp_sock_attach_filter(int fd);
/* A send-only socket for ARP on every interface (protocol 0: receives nothing). */
int arp_sock_open_tx(void);
/* An empty send queue for ARP frames. */
void arp_txq_init(struct pkt_txq *q);

#endif
