/* ND packet I/O: see nd_io.h. */
#include "daemon/nd_io.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util/log.h"
#include "util/prefault.h"

struct nd_io {
	struct loop *loop;
	const struct iftable *ifs;
	struct nd_io_sink sink;
	struct ports ports;
	int tx_fd;
	struct pkt_txq txq;
	struct pkt_rx *rx;
	struct nd_io_stats stats;
	struct log_ratelimit rl_drop;
};

int nd_io_send(struct nd_io *io, int ifindex, const uint8_t *l2dst, uint8_t halen, const uint8_t *pkt,
               size_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > sizeof(io->txq.buf[0])) {
		pkt_txq_flush(&io->txq, io->tx_fd);
		return pkt_send(io->tx_fd, ifindex, l2dst, halen, pkt, len);
	}
	uint8_t *slot = pkt_txq_slot(&io->txq, io->tx_fd);
	memcpy(slot, pkt, len);
	pkt_txq_commit(&io->txq, len, ifindex, l2dst, halen);
	return 0;
}

uint8_t *nd_io_slot(struct nd_io *io, size_t *cap)
{
	*cap = sizeof(io->txq.buf[0]);
	return pkt_txq_slot(&io->txq, io->tx_fd);
}

void nd_io_commit(struct nd_io *io, size_t len, int ifindex, const uint8_t *l2dst, uint8_t halen)
{
	pkt_txq_commit(&io->txq, len, ifindex, l2dst, halen);
}

void nd_io_flush(struct nd_io *io)
{
	pkt_txq_flush(&io->txq, io->tx_fd);
}

const struct nd_io_stats *nd_io_stats(const struct nd_io *io)
{
	return &io->stats;
}

const struct ports *nd_io_ports(const struct nd_io *io)
{
	return &io->ports;
}

static void on_packets(void *ctx, int fd, uint32_t events)
{
	struct nd_io *io = ctx;
	struct port *port = ports_by_fd(&io->ports, fd);
	if (!port)
		return;
	int ifindex = port->ifindex;
	/* bounded work per wake-up so one busy link cannot starve the others */
	for (int round = 0; round < 8; round++) {
		int n = pkt_recv_batch(fd, io->rx);
		if (n <= 0) {
			if (n < 0 && n != -EAGAIN)
				port->rx_errors++;
			break;
		}
		for (int i = 0; i < n; i++) {
			const struct pkt_in *pin = &io->rx->in[i];
			struct nd_msg m;
			io->stats.rx_packets++;
			port->rx_packets++;
			if (pin->len == pin->orig_len) {
				/* MLD (listeners downstream) is the proxy's; the rest is ND */
				struct mld_msg mm;
				enum mld_drop mwhy = mld_parse(pin->data, pin->len, &mm);
				if (mwhy != MLD_NOT_MLD) {
					io->sink.mld(io->sink.ctx, ifindex, &mm, mwhy);
					continue;
				}
			}
			enum nd_drop why = pin->len < pin->orig_len ? ND_DROP_TRUNCATED
			                                            : nd_parse(pin->data, pin->len, &m);
			if (why != ND_OK) {
				io->stats.drops[why]++;
				if (log_debug_enabled() && log_ratelimit_ok(&io->rl_drop, 20, 1000))
					log_debug("%s: dropped packet: %s", port->name, nd_drop_name(why));
				continue;
			}
			io->sink.nd(io->sink.ctx, ifindex, &m, pin);
		}
		pkt_txq_flush(&io->txq, io->tx_fd);
		if (n < PKT_BATCH)
			break;
	}
}

static int port_refresh_one(void *ctx, const struct iface *ifc)
{
	struct nd_io *io = ctx;
	struct port_want w = { 0 };
	io->sink.want(io->sink.ctx, ifc, &w);
	int opened, closed;
	ports_apply(&io->ports, ifc->ifindex, ifc->name, &w, &opened, &closed);
	if (closed >= 0)
		loop_del_fd(io->loop, closed);
	if (opened >= 0) {
		log_info("listening on %s", ifc->name);
		if (loop_add_fd(io->loop, opened, EPOLLIN, on_packets, io) < 0)
			log_err("cannot watch %s", ifc->name);
	}
	return 0;
}

void nd_io_refresh_ports(struct nd_io *io)
{
	for (size_t i = 0; i < PORTS_MAX; i++) {
		struct port *p = &io->ports.port[i];
		if (p->fd >= 0 && !iftable_by_index(io->ifs, p->ifindex)) {
			struct port_want none = { 0 };
			int opened, closed;
			ports_apply(&io->ports, p->ifindex, p->name, &none, &opened, &closed);
			if (closed >= 0)
				loop_del_fd(io->loop, closed);
		}
	}
	iftable_foreach(io->ifs, port_refresh_one, io);
}

int nd_io_new(struct nd_io **out, struct loop *loop, const struct iftable *ifs, const struct nd_io_sink *sink)
{
	struct nd_io *io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->loop = loop;
	io->ifs = ifs;
	io->sink = *sink;
	ports_init(&io->ports);
	io->rx = malloc(sizeof(*io->rx));
	if (!io->rx) {
		free(io);
		return -ENOMEM;
	}
	mem_prefault(io->rx, sizeof(*io->rx)); /* resident now, not when the first full batch arrives */
	io->tx_fd = pkt_open_tx();
	if (io->tx_fd < 0) {
		int err = io->tx_fd;
		free(io->rx);
		free(io);
		return err;
	}
	*out = io;
	return 0;
}

void nd_io_free(struct nd_io *io)
{
	if (!io)
		return;
	pkt_txq_flush(&io->txq, io->tx_fd);
	ports_close_all(&io->ports);
	close(io->tx_fd);
	free(io->rx);
	free(io);
}
