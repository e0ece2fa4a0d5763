/* ND packet I/O, shared by the ND-proxy and RA adapters: one packet socket
 * per interface with the union of what the engines want (daemon/ports.h),
 * each packet parsed once and handed to every engine, and one batched send
 * queue that leaves in one sendmmsg per loop round. */
#ifndef ISLANDD_DAEMON_ND_IO_H
#define ISLANDD_DAEMON_ND_IO_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/ports.h"
#include "net/iftable.h"
#include "net/packet.h"
#include "proto/mld.h"
#include "proto/nd.h"
#include "util/loop.h"

/* Where packets go and who says which sockets to open (runtime.c: every
 * adapter in turn). */
struct nd_io_sink {
	void *ctx;
	void (*want)(void *ctx, const struct iface *ifc, struct port_want *w);
	void (*nd)(void *ctx, int ifindex, const struct nd_msg *m, const struct pkt_in *pin);
	void (*mld)(void *ctx, int ifindex, const struct mld_msg *m, enum mld_drop why);
};

struct nd_io_stats {
	uint64_t rx_packets;
	uint64_t drops[ND_DROP__MAX];
};

struct nd_io;

/* 0 or -errno (the send socket needs CAP_NET_RAW). */
int nd_io_new(struct nd_io **out, struct loop *loop, const struct iftable *ifs, const struct nd_io_sink *sink);
void nd_io_free(struct nd_io *io);

/* Open, adjust or close each interface's socket to what the engines want now. */
void nd_io_refresh_ports(struct nd_io *io);

/* Queue a whole IPv6 packet; a large one (an RA with many prefixes) goes
 * out on its own, after what is queued, so the order on the wire holds.
 * 0 or -errno. */
int nd_io_send(struct nd_io *io, int ifindex, const uint8_t *l2dst, uint8_t halen, const uint8_t *pkt,
               size_t len);
/* Build a small packet in place: a slot of *cap bytes, then commit its length. */
uint8_t *nd_io_slot(struct nd_io *io, size_t *cap);
void nd_io_commit(struct nd_io *io, size_t len, int ifindex, const uint8_t *l2dst, uint8_t halen);
void nd_io_flush(struct nd_io *io);

const struct nd_io_stats *nd_io_stats(const struct nd_io *io);
/* The open sockets, for islandctl status. */
const struct ports *nd_io_ports(const struct nd_io *io);

#endif
