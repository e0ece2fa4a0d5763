#include "net/arp_sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ARP_OP_OFF 6            /* opcode in the ARP body (SOCK_DGRAM: offset 0 is ARP) */
#define FILTER_ACCEPT 0xffff

int arp_sock_attach_filter(int fd)
{
	struct sock_filter code[] = {
		/* 0: frames the host sends come back to ETH_P_ALL taps only; keep it so */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 4, 0),
		/* 2: a load past the end (a runt) ends the filter with "drop" */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ARP_OP_OFF),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0),   /* request */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 0, 1),   /* reply */
		BPF_STMT(BPF_RET | BPF_K, FILTER_ACCEPT),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return -errno;
	return 0;
}

int arp_sock_open(int ifindex)
{
	int fd = pkt_open_bound(ifindex, ETH_P_ARP);
	if (fd < 0)
		return fd;
	int err = arp_sock_attach_filter(fd);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int arp_sock_open_tx(void)
{
	return pkt_open_tx();
}

void arp_txq_init(struct pkt_txq *q)
{
	memset(q, 0, sizeof(*q));
	q->ethertype = ETH_P_ARP;
}
