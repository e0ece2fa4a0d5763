/* AF_PACKET sockets carrying IPv6 for ND. SOCK_DGRAM: the kernel adds and
 * strips the link-layer header, so Ethernet, Wi-Fi and L3 tunnels look the
 * same here. Receive sockets carry a classic BPF filter so the daemon wakes
 * only for the ICMPv6 types it asked for (plus extension-header packets it
 * counts as drops). */
#include "net/packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IP6_NEXT_HEADER_OFF 6
#define IP6_HDR_LEN 40
#define ICMP6_TYPE_FIRST 128   /* bit 0 of icmp_types */

/* What the filter returns to accept: larger than any IPv6 packet without a
 * jumbo option, so the kernel never trims the packet and recv with
 * MSG_TRUNC still reports its full length. */
#define FILTER_ACCEPT 0xffff

/* sockaddr_ll keeps 8 bytes of address; the kernel accepts and fills
 * longer ones when the caller provides room after it. */
union sockaddr_ll_long {
	struct sockaddr_ll ll;
	uint8_t raw[offsetof(struct sockaddr_ll, sll_addr) + PKT_LLADDR_MAX];
};

static int attach_filter(int fd, struct sock_filter *code, unsigned short len)
{
	struct sock_fprog prog = { .len = len, .filter = code };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return -errno;
	return 0;
}

static int attach_drop_all(int fd)
{
	struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };

	return attach_filter(fd, drop, 1);
}

int pkt_attach_filter(int fd, uint32_t icmp_types)
{
	/* Instruction indexes of the jump targets below. */
	enum { EXT = 8, FRAG = 18, ICMP = 20, TYPE = 21, ACCEPT = 29, DROP = 30 };
	/* Jump offsets are relative to the next instruction: "X - n" from
	 * instruction n-1 lands on X. */
	struct sock_filter code[] = {
		/* 0: what the host transmits comes back as PACKET_OUTGOING. A
		 * socket bound to ETH_P_IPV6 is not handed outgoing frames
		 * today (only ETH_P_ALL taps are); this keeps it that way. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)(SKF_AD_OFF + SKF_AD_PKTTYPE)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, DROP - 2, 0),
		/* 2: next header */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_NEXT_HEADER_OFF),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, ICMP - 4, 0),   /* ICMPv6 */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 44, FRAG - 5, 0),   /* fragment */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, EXT - 6, 0),     /* hop-by-hop */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 43, EXT - 7, 0),    /* routing */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 60, EXT - 8, DROP - 8), /* dst options */
		/* 8 EXT: one extension header, then an ND message: passed up so
		 * the daemon counts it as a drop. Other ICMPv6 behind it (MLD,
		 * which always comes with a hop-by-hop Router Alert) goes through
		 * the type mask below like a bare ICMPv6 message. */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_HDR_LEN + 1),   /* header length */
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
		BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 3),
		BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, IP6_HDR_LEN),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_HDR_LEN),       /* its next header */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, 0, DROP - 15),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),                 /* ICMPv6 type */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 133, 0, TYPE - 17),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 137, TYPE - 18, ACCEPT - 18),
		/* 18 FRAG: any ICMPv6 fragment, first or not: RFC 6980 drops
		 * them all, and only the first says what it carries. */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_HDR_LEN),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 58, ACCEPT - 20, DROP - 20),
		/* 20 ICMP: ICMPv6 type; a packet too short ends the program with 0 */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_HDR_LEN),
		/* 21 TYPE: A holds the type */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ICMP6_TYPE_FIRST, 0, DROP - 22),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, ICMP6_TYPE_FIRST + 32, DROP - 23, 0),
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, ICMP6_TYPE_FIRST),
		BPF_STMT(BPF_MISC | BPF_TAX, 0),
		/* 25: (icmp_types >> (type - 128)) & 1 */
		BPF_STMT(BPF_LD | BPF_IMM, icmp_types),
		BPF_STMT(BPF_ALU | BPF_RSH | BPF_X, 0),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 1),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, DROP - 29, ACCEPT - 29),
		/* 29 */ BPF_STMT(BPF_RET | BPF_K, FILTER_ACCEPT),
		/* 30 */ BPF_STMT(BPF_RET | BPF_K, 0),
	};
	_Static_assert(sizeof(code) / sizeof(code[0]) == DROP + 1, "filter layout");

	return attach_filter(fd, code, (unsigned short)(sizeof(code) / sizeof(code[0])));
}

int pkt_open_bound(int ifindex, uint16_t ethertype)
{
	struct sockaddr_ll sll;
	uint8_t scratch[64];
	int fd, err;

	if (ifindex <= 0)
		return -EINVAL;
	/* Protocol 0 receives nothing until bind: with the drop-all filter
	 * attached first, no frame from another interface or from before the
	 * real filter can sit in the queue. */
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	err = attach_drop_all(fd);
	if (err)
		goto fail;
	/* Room for a burst (a scan, or the daemon descheduled for a while):
	 * kernel memory, used only while packets wait. Without CAP_NET_ADMIN
	 * the kernel caps SO_RCVBUF at rmem_max instead. */
	int rcvbuf = PKT_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ethertype);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		err = -errno;
		goto fail;
	}
	/* Drain: also clears the ENETDOWN that binding to a down link leaves
	 * pending (the socket starts receiving when the link comes up). */
	while (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) >= 0 || errno == ENETDOWN || errno == EINTR)
		;
	return fd;
fail:
	close(fd);
	return err;
}

int pkt_open(int ifindex, uint32_t icmp_types)
{
	int fd = pkt_open_bound(ifindex, ETH_P_IPV6);
	if (fd < 0)
		return fd;
	int err = pkt_attach_filter(fd, icmp_types);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int pkt_open_tx(void)
{
	int size = 1 << 20;
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* Room for bursts of answers; rmem/wmem_max may cap it, that is fine. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	return fd;
}

static int set_membership(int fd, int ifindex, unsigned short type, bool on)
{
	struct packet_mreq mr;

	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = ifindex;
	mr.mr_type = type;
	if (setsockopt(fd, SOL_PACKET, on ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP,
	               &mr, sizeof(mr)) < 0)
		return -errno;
	return 0;
}

int pkt_set_allmulti(int fd, int ifindex, bool on)
{
	return set_membership(fd, ifindex, PACKET_MR_ALLMULTI, on);
}

int pkt_set_promisc(int fd, int ifindex, bool on)
{
	return set_membership(fd, ifindex, PACKET_MR_PROMISC, on);
}

int pkt_recv_batch(int fd, struct pkt_rx *rx)
{
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov[PKT_BATCH];
	union sockaddr_ll_long from[PKT_BATCH];
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < PKT_BATCH; i++) {
		iov[i].iov_base = rx->buf[i];
		iov[i].iov_len = PKT_SNAPLEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &from[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	/* MSG_TRUNC: msg_len is the packet's full length, not what was copied. */
	do
		n = recvmmsg(fd, msgs, PKT_BATCH, MSG_DONTWAIT | MSG_TRUNC, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;

	for (int i = 0; i < n; i++) {
		struct pkt_in *in = &rx->in[i];
		const struct sockaddr_ll *sll = &from[i].ll;
		size_t room = msgs[i].msg_hdr.msg_namelen > offsetof(struct sockaddr_ll, sll_addr)
		              ? msgs[i].msg_hdr.msg_namelen - offsetof(struct sockaddr_ll, sll_addr) : 0;
		size_t halen = sll->sll_halen;

		if (halen > room)
			halen = room;
		if (halen > PKT_LLADDR_MAX)
			halen = PKT_LLADDR_MAX;
		in->data = rx->buf[i];
		in->orig_len = msgs[i].msg_len;
		in->len = in->orig_len < PKT_SNAPLEN ? in->orig_len : PKT_SNAPLEN;
		in->pkttype = sll->sll_pkttype;
		in->src_ll_len = (uint8_t)halen;
		memcpy(in->src_ll, from[i].raw + offsetof(struct sockaddr_ll, sll_addr), halen);
	}
	return n;
}

static int fill_dst(union sockaddr_ll_long *to, int ifindex, const uint8_t *l2dst, uint8_t halen,
                    uint16_t ethertype)
{
	if (halen > PKT_LLADDR_MAX || (halen && !l2dst) || ifindex <= 0)
		return -EINVAL;
	memset(to, 0, sizeof(*to));
	to->ll.sll_family = AF_PACKET;
	to->ll.sll_protocol = htons(ethertype ? ethertype : ETH_P_IPV6);
	to->ll.sll_ifindex = ifindex;
	to->ll.sll_halen = halen;
	if (halen)
		memcpy(to->raw + offsetof(struct sockaddr_ll, sll_addr), l2dst, halen);
	return 0;
}

int pkt_send(int fd, int ifindex, const uint8_t *l2dst, uint8_t halen,
             const uint8_t *pkt, size_t len)
{
	union sockaddr_ll_long to;
	ssize_t n;
	int err = fill_dst(&to, ifindex, l2dst, halen, ETH_P_IPV6);

	if (err)
		return err;
	do
		n = sendto(fd, pkt, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EMSGSIZE;
}

uint8_t *pkt_txq_slot(struct pkt_txq *q, int fd)
{
	if (q->n >= PKT_BATCH)
		(void)pkt_txq_flush(q, fd);
	return q->buf[q->n];
}

void pkt_txq_commit(struct pkt_txq *q, size_t len, int ifindex, const uint8_t *l2dst, uint8_t halen)
{
	unsigned i = q->n;

	if (i >= PKT_BATCH || len > sizeof(q->buf[i]) || halen > PKT_LLADDR_MAX)
		return; /* slot not taken through pkt_txq_slot, or oversized: dropped */
	q->len[i] = len;
	q->ifindex[i] = ifindex;
	q->halen[i] = halen;
	if (halen)
		memcpy(q->l2dst[i], l2dst, halen);
	q->n = i + 1;
}

int pkt_txq_flush(struct pkt_txq *q, int fd)
{
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov[PKT_BATCH];
	union sockaddr_ll_long to[PKT_BATCH];
	unsigned n = q->n, done = 0;
	int sent = 0, last_err = 0;

	if (n == 0)
		return 0;
	memset(msgs, 0, n * sizeof(msgs[0]));
	for (unsigned i = 0; i < n; i++) {
		if (fill_dst(&to[i], q->ifindex[i], q->l2dst[i], q->halen[i], q->ethertype) < 0)
			to[i].ll.sll_ifindex = 0; /* the kernel refuses it below */
		iov[i].iov_base = q->buf[i];
		iov[i].iov_len = q->len[i];
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to[i];
		msgs[i].msg_hdr.msg_namelen = sizeof(to[i]);
	}
	/* sendmmsg stops at the first failing message: skip it (a link that
	 * went away, a full queue) and send the rest; ND retransmits. */
	while (done < n) {
		int r = sendmmsg(fd, msgs + done, n - done, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			last_err = -errno;
			done++;
			continue;
		}
		sent += r;
		done += (unsigned)r;
	}
	q->n = 0;
	return sent > 0 || last_err == 0 ? sent : last_err;
}
