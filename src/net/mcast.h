/* Multicast group memberships held by the daemon (IPV6_ADD_MEMBERSHIP on
 * ordinary UDP sockets that receive nothing): the kernel then sends the MLD
 * reports and answers queries for them, so MLD-snooping switches and access
 * points forward those groups' packets to us.
 *
 * The kernel charges each membership to its socket (optmem_max), so groups
 * are spread over several sockets, MCAST_GROUPS_PER_SOCK each, opened as
 * needed; at most MCAST_MAX_GROUPS in all. Callers reference-count: this
 * layer joins and leaves exactly what it is told. */
#ifndef ISLANDD_MCAST_H
#define ISLANDD_MCAST_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define MCAST_GROUPS_PER_SOCK 256
#define MCAST_MAX_SOCKS 16
#define MCAST_MAX_GROUPS (MCAST_GROUPS_PER_SOCK * MCAST_MAX_SOCKS)

struct mcast_sock {
	int fd;        /* -1 = not open */
	uint32_t used;
	bool full;     /* the kernel refused one more (its optmem_max came first) */
};

struct mcast_set {
	struct mcast_sock socks[MCAST_MAX_SOCKS];
};

void mcast_init(struct mcast_set *m);
/* Join group on ifindex. Returns the socket slot holding it (>= 0), to pass
 * to mcast_leave, or -errno (-ENOSPC when every socket is full). */
int mcast_join(struct mcast_set *m, int ifindex, const struct in6_addr *group);
/* Leave a group joined through slot. 0 or -errno (an interface that went
 * away took the membership with it: harmless). */
int mcast_leave(struct mcast_set *m, int slot, int ifindex, const struct in6_addr *group);
/* Close every socket: the kernel drops their memberships. */
void mcast_close_all(struct mcast_set *m);

#endif
