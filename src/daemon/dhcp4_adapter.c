/* The DHCPv4 relay's adapter: see dhcp4_adapter.h. */
#include "daemon/dhcp4_adapter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_packet.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "daemon/arp_adapter.h"
#include "net/dhcp4_sock.h"
#include "net/packet.h"
#include "util/log.h"

#define MAX_LINKS 64

struct rx_link {
	int ifindex, fd;
	enum dhcp4_role role;
	struct dhcp4_adapter *a;
};

struct dhcp4_adapter {
	struct adapter_env *env;
	struct dhcp4_engine *engine;
	int udp_fd, tx_fd;
	struct rx_link links[MAX_LINKS];
	struct pkt_rx *rx;
};

/* Where a lease's host goes: the ARP proxy answers for it on the upstream
 * and routes it (/32, protocol 73) until the lease ends. */
static void learned_host(struct adapter_env *env, int upstream_ifindex, int island_ifindex,
                         const struct in6_addr *addr, const uint8_t mac[6], bool gone)
{
	struct arp_adapter *arp = adapter_running(env, &arp_adapter_class);
	if (arp)
		arp_adapter_learned_host(arp, upstream_ifindex, island_ifindex, addr, mac, gone);
}

static void op_host(void *ctx, int upstream_ifindex, int island_ifindex, struct in_addr addr,
                    const uint8_t mac[6], bool gone)
{
	struct dhcp4_adapter *a = ctx;
	struct in6_addr mapped = { .s6_addr = { [10] = 0xff, [11] = 0xff } };
	memcpy(&mapped.s6_addr[12], &addr.s_addr, 4);
	learned_host(a->env, upstream_ifindex, island_ifindex, &mapped, mac, gone);
}

static int op_send_server(void *ctx, int upstream_ifindex, struct in_addr dst, const uint8_t *msg, size_t len)
{
	struct dhcp4_adapter *a = ctx;
	const struct iface *u = iftable_by_index(a->env->ifs, upstream_ifindex);
	struct in_addr src = { 0 };
	if (u && u->has_v4)
		src = u->v4;
	int rc = dhcp4_sock_send_udp(a->udp_fd, upstream_ifindex, src, dst, msg, len);
	if (rc < 0) {
		static struct log_ratelimit rl;
		if (log_ratelimit_ok(&rl, 5, 10000))
			log_warn("dhcp4-relay: sending to the server on ifindex %d: %s", upstream_ifindex, strerror(-rc));
	}
	return rc;
}

static int op_send_frame(void *ctx, int ifindex, const uint8_t mac[6], const uint8_t *frame, size_t len)
{
	struct dhcp4_adapter *a = ctx;
	return dhcp4_sock_send_frame(a->tx_fd, ifindex, mac, frame, len);
}

static uint64_t op_now_ms(void *ctx)
{
	struct dhcp4_adapter *a = ctx;
	return loop_now_ms(a->env->loop);
}

static void on_readable(void *ctx, int fd, uint32_t events)
{
	struct rx_link *l = ctx;
	struct dhcp4_adapter *a = l->a;
	(void)events;
	int n = pkt_recv_batch(fd, a->rx);
	for (int i = 0; i < n; i++) {
		const struct pkt_in *in = &a->rx->in[i];
		if (in->pkttype == PACKET_OUTGOING || in->len < in->orig_len)
			continue;
		size_t off, plen;
		struct in_addr src, dst;
		uint16_t sport, dport;
		if (dhcp4_parse_ipv4_udp(in->data, in->len, &off, &plen, &src, &dst, &sport, &dport) < 0)
			continue;
		const uint8_t *msg = in->data + off;
		if (l->role == DHCP4_ROLE_ISLAND && dport == DHCP4_SERVER_PORT)
			dhcp4_engine_on_island(a->engine, l->ifindex, dst, msg, plen);
		else if (l->role == DHCP4_ROLE_UPSTREAM && dport == DHCP4_SERVER_PORT)
			dhcp4_engine_on_server(a->engine, l->ifindex, msg, plen);
		else if (l->role == DHCP4_ROLE_UPSTREAM && dport == DHCP4_CLIENT_PORT)
			dhcp4_engine_on_upstream_client(a->engine, l->ifindex, msg, plen);
	}
}

/* The UDP socket only sends; what reaches it is read from the packet sockets. */
static void on_udp_readable(void *ctx, int fd, uint32_t events)
{
	uint8_t scratch[64];
	(void)ctx; (void)events;
	while (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) >= 0)
		;
}

static struct rx_link *link_find(struct dhcp4_adapter *a, int ifindex)
{
	for (int i = 0; i < MAX_LINKS; i++)
		if (a->links[i].fd >= 0 && a->links[i].ifindex == ifindex)
			return &a->links[i];
	return NULL;
}

static void link_close(struct dhcp4_adapter *a, struct rx_link *l)
{
	loop_del_fd(a->env->loop, l->fd);
	close(l->fd);
	l->fd = -1;
	l->ifindex = 0;
}

/* Open, keep or close the receive socket of interface ifc as the engine's
 * role for it says. */
static void link_sync(struct dhcp4_adapter *a, const struct iface *ifc, bool gone)
{
	struct rx_link *l = link_find(a, ifc->ifindex);
	enum dhcp4_role role = gone ? DHCP4_ROLE_NONE : dhcp4_engine_role(a->engine, ifc->name);
	if (l && l->role != role)
		link_close(a, l), l = NULL;
	if (l || role == DHCP4_ROLE_NONE)
		return;
	for (int i = 0; i < MAX_LINKS; i++) {
		if (a->links[i].fd >= 0)
			continue;
		int fd = dhcp4_sock_open_rx(ifc->ifindex, role == DHCP4_ROLE_UPSTREAM);
		if (fd < 0) {
			log_warn("dhcp4-relay: cannot listen on %s: %s", ifc->name, strerror(-fd));
			return;
		}
		l = &a->links[i];
		*l = (struct rx_link){ .ifindex = ifc->ifindex, .fd = fd, .role = role, .a = a };
		if (loop_add_fd(a->env->loop, fd, EPOLLIN, on_readable, l) < 0) {
			close(fd);
			l->fd = -1;
			return;
		}
		log_info("dhcp4-relay: listening on %s (%s)", ifc->name,
		         role == DHCP4_ROLE_UPSTREAM ? "upstream" : "island");
		return;
	}
	log_warn("dhcp4-relay: more than %d links, %s not served", MAX_LINKS, ifc->name);
}

static int sync_one(void *ctx, const struct iface *ifc)
{
	link_sync(ctx, ifc, false);
	return 0;
}

static bool wanted(const struct conf *conf)
{
	return conf->n_dhcp4_relays > 0;
}

static void destroy(void *self);

static void *create(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen)
{
	struct dhcp4_adapter *a = calloc(1, sizeof(*a));
	if (!a || !(a->rx = malloc(sizeof(*a->rx)))) {
		free(a);
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	a->env = env;
	a->udp_fd = a->tx_fd = -1;
	for (int i = 0; i < MAX_LINKS; i++)
		a->links[i].fd = -1;
	bool bound67;
	a->udp_fd = dhcp4_sock_open_udp(&bound67);
	a->tx_fd = dhcp4_sock_open_tx();
	if (a->udp_fd < 0 || a->tx_fd < 0) {
		snprintf(err, errlen, "dhcp4-relay sockets: %s", strerror(-(a->udp_fd < 0 ? a->udp_fd : a->tx_fd)));
		destroy(a);
		return NULL;
	}
	if (!bound67)
		log_warn("dhcp4-relay: UDP port 67 is taken (or privileges are gone): relayed requests leave "
		         "from another port; replies are still read from the packet sockets");
	loop_add_fd(env->loop, a->udp_fd, EPOLLIN, on_udp_readable, a);
	const struct dhcp4_ops ops = { .ctx = a, .now_ms = op_now_ms, .send_server = op_send_server,
	                               .send_frame = op_send_frame, .host = op_host };
	a->engine = dhcp4_engine_new(env->loop, conf, env->ifs, &ops);
	if (!a->engine) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		destroy(a);
		return NULL;
	}
	iftable_foreach(env->ifs, sync_one, a);
	return a;
}

static int reload(void *self, const struct conf *conf, char *err, size_t errlen)
{
	struct dhcp4_adapter *a = self;
	int rc = dhcp4_engine_reload(a->engine, conf);
	if (rc < 0) {
		snprintf(err, errlen, "%s", strerror(-rc));
		return -1;
	}
	iftable_foreach(a->env->ifs, sync_one, a);
	return 0;
}

static void destroy(void *self)
{
	struct dhcp4_adapter *a = self;
	if (!a)
		return;
	if (a->engine) {
		dhcp4_engine_shutdown(a->engine);   /* leases' hosts reported gone */
		dhcp4_engine_free(a->engine);
	}
	for (int i = 0; i < MAX_LINKS; i++)
		if (a->links[i].fd >= 0)
			link_close(a, &a->links[i]);
	if (a->udp_fd >= 0) {
		loop_del_fd(a->env->loop, a->udp_fd);
		close(a->udp_fd);
	}
	if (a->tx_fd >= 0)
		close(a->tx_fd);
	free(a->rx);
	free(a);
}

static void on_iface(void *self, const struct iface *ifc, unsigned changes)
{
	struct dhcp4_adapter *a = self;
	dhcp4_engine_on_iface(a->engine, ifc, changes);
	if (changes & (IFACE_NEW | IFACE_GONE | IFACE_NAME))
		link_sync(a, ifc, changes & IFACE_GONE);
}

struct dhcp4_engine *dhcp4_adapter_engine(const struct dhcp4_adapter *a)
{
	return a ? a->engine : NULL;
}

const struct adapter_class dhcp4_adapter_class = {
	.name = "dhcp4-relay",
	.wanted = wanted,
	.create = create,
	.reload = reload,
	.destroy = destroy,
	.on_iface = on_iface,
};
