/* One packet socket per interface that some engine listens on, opened when
 * the interface appears and closed when it goes, with the union of what the
 * engines asked for (ICMPv6 types, allmulti, promiscuous). */
#ifndef ISLANDD_PORTS_H
#define ISLANDD_PORTS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define PORTS_MAX 64

struct port {
	char name[IF_NAMESIZE];
	int ifindex;
	int fd;          /* -1 = slot free */
	uint32_t types;
	bool allmulti, promisc;
	uint64_t rx_packets, rx_errors;
};

struct port_want {
	uint32_t types;
	bool allmulti, promisc;
};

struct ports {
	struct port port[PORTS_MAX];
};

void ports_init(struct ports *ps);
/* Make the port for ifindex match want (open, reopen or close when
 * want->types == 0). Returns the port, or NULL when closed or on error. */
struct port *ports_apply(struct ports *ps, int ifindex, const char *name, const struct port_want *want,
                         int *opened_fd, int *closed_fd);
struct port *ports_by_fd(struct ports *ps, int fd);
struct port *ports_by_ifindex(struct ports *ps, int ifindex);
void ports_close_all(struct ports *ps);

#endif
