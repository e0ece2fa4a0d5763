/* DHCPv4 relay sockets: see dhcp4_sock.h. */
#include "net/dhcp4_sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/packet.h"

static int attach(int fd, struct sock_filter *code, unsigned short n)
{
	struct sock_fprog prog = { .len = n, .filter = code };
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ? -errno : 0;
}

int dhcp4_sock_open_rx(int ifindex, bool client_port)
{
	enum { ACCEPT = 10, DROP = 11 };
	struct sock_filter code[] = {
		/* 0: not what we send ourselves */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, DROP - 2, 0),
		/* 2: UDP */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, DROP - 4),
		/* 4: no fragment but a first one with offset 0 and MF clear */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, DROP - 6, 0),
		/* 6: X = IPv4 header length; A = UDP destination port */
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 67, ACCEPT - 9, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, client_port ? 68 : 67, ACCEPT - 10, DROP - 10),
		/* 10 */ BPF_STMT(BPF_RET | BPF_K, 0xffff),
		/* 11 */ BPF_STMT(BPF_RET | BPF_K, 0),
	};
	_Static_assert(sizeof(code) / sizeof(code[0]) == DROP + 1, "filter layout");
	int fd = pkt_open_bound(ifindex, ETH_P_IP);   /* bound, drained, drop-all until now */
	if (fd < 0)
		return fd;
	int err = attach(fd, code, (unsigned short)(sizeof(code) / sizeof(code[0])));
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int dhcp4_sock_open_udp(bool *bound67)
{
	int one = 1;
	*bound67 = false;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	/* What arrives here is read again from the packet sockets: keep the
	 * queue tiny so it costs nothing. */
	int small = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(67) };
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		*bound67 = true;
	return fd;
}

int dhcp4_sock_send_udp(int fd, int ifindex, struct in_addr src, struct in_addr dst,
                        const uint8_t *msg, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(67), .sin_addr = dst };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
	                     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
	struct in_pktinfo pi = { .ipi_ifindex = ifindex, .ipi_spec_dst = src };
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	ssize_t n;
	do
		n = sendmsg(fd, &mh, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int dhcp4_sock_open_tx(void)
{
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

int dhcp4_sock_send_frame(int fd, int ifindex, const uint8_t mac[6], const uint8_t *frame, size_t len)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
	                          .sll_ifindex = ifindex, .sll_halen = 6 };
	memcpy(to.sll_addr, mac, 6);
	ssize_t n;
	do
		n = sendto(fd, frame, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}
