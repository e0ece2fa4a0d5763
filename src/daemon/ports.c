#include "daemon/ports.h"
#include "net/packet.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

void ports_init(struct ports *ps)
{
	for (size_t i = 0; i < PORTS_MAX; i++)
		ps->port[i] = (struct port){ .fd = -1 };
}

struct port *ports_by_fd(struct ports *ps, int fd)
{
	for (size_t i = 0; i < PORTS_MAX; i++)
		if (ps->port[i].fd == fd)
			return &ps->port[i];
	return NULL;
}

struct port *ports_by_ifindex(struct ports *ps, int ifindex)
{
	for (size_t i = 0; i < PORTS_MAX; i++)
		if (ps->port[i].fd >= 0 && ps->port[i].ifindex == ifindex)
			return &ps->port[i];
	return NULL;
}

static void port_close(struct port *p, int *closed_fd)
{
	*closed_fd = p->fd;
	close(p->fd);
	*p = (struct port){ .fd = -1 };
}

struct port *ports_apply(struct ports *ps, int ifindex, const char *name, const struct port_want *want,
                         int *opened_fd, int *closed_fd)
{
	*opened_fd = *closed_fd = -1;
	struct port *p = ports_by_ifindex(ps, ifindex);
	if (p && !want->types) {
		port_close(p, closed_fd);
		return NULL;
	}
	if (p) {
		/* adjust the open socket in place: reopening would lose what is
		 * queued in it, and leave a gap, at every reload */
		snprintf(p->name, sizeof(p->name), "%s", name);
		if (p->types != want->types && pkt_attach_filter(p->fd, want->types) == 0)
			p->types = want->types;
		if (p->allmulti != want->allmulti && pkt_set_allmulti(p->fd, ifindex, want->allmulti) == 0)
			p->allmulti = want->allmulti;
		if (p->promisc != want->promisc && pkt_set_promisc(p->fd, ifindex, want->promisc) == 0)
			p->promisc = want->promisc;
		return p;
	}
	if (!want->types)
		return NULL;
	for (size_t i = 0; i < PORTS_MAX && !p; i++)
		if (ps->port[i].fd < 0)
			p = &ps->port[i];
	if (!p) {
		log_err("too many interfaces (%d): not listening on %s", PORTS_MAX, name);
		return NULL;
	}
	int fd = pkt_open(ifindex, want->types);
	if (fd < 0) {
		log_err("cannot listen on %s: %s", name, strerror(-fd));
		return NULL;
	}
	*p = (struct port){ .ifindex = ifindex, .fd = fd, .types = want->types };
	if (want->allmulti && pkt_set_allmulti(fd, ifindex, true) < 0)
		log_warn("%s: cannot receive all multicast", name);
	else
		p->allmulti = want->allmulti;
	if (want->promisc && pkt_set_promisc(fd, ifindex, true) < 0)
		log_warn("%s: cannot enter promiscuous mode", name);
	else
		p->promisc = want->promisc;
	snprintf(p->name, sizeof(p->name), "%s", name);
	*opened_fd = fd;
	return p;
}

void ports_close_all(struct ports *ps)
{
	int closed;
	for (size_t i = 0; i < PORTS_MAX; i++)
		if (ps->port[i].fd >= 0)
			port_close(&ps->port[i], &closed);
}
