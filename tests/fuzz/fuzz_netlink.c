/* rtnetlink decoder fuzzer: any buffer the kernel could (or could not)
 * send is decoded without reading out of bounds, and whatever reaches the
 * observer respects the limits of the nl_* structs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "net/netlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_link(void *ctx, const struct nl_link *l, bool del)
{
	if (l->ifindex <= 0 || l->lladdr_len > NL_LLADDR_MAX || memchr(l->name, 0, sizeof(l->name)) == NULL)
		abort();
}

static void on_addr(void *ctx, const struct nl_addr *a, bool del)
{
	if (a->ifindex <= 0 || (a->family != AF_INET6 && a->family != AF_INET) ||
	    a->plen > (a->family == AF_INET6 ? 128 : 32))
		abort();
}

/* IPv4 neighbours and routes arrive v4-mapped, with IPv4 prefix lengths. */
static void on_neigh(void *ctx, const struct nl_neigh *n, bool del)
{
	if (n->ifindex <= 0 || n->lladdr_len > NL_LLADDR_MAX ||
	    (n->family != AF_INET6 && n->family != AF_INET) ||
	    (n->family == AF_INET && !IN6_IS_ADDR_V4MAPPED(&n->addr)))
		abort();
}

static void on_route(void *ctx, const struct nl_route *r, bool del)
{
	if (r->oif < 0 || (r->family != AF_INET6 && r->family != AF_INET) ||
	    r->plen > (r->family == AF_INET6 ? 128 : 32))
		abort();
	if (r->family == AF_INET &&
	    (!IN6_IS_ADDR_V4MAPPED(&r->dst) || (r->has_gateway && !IN6_IS_ADDR_V4MAPPED(&r->gateway))))
		abort();
}

static const struct nl_observer obs = {
	.link = on_link, .addr = on_addr, .neigh = on_neigh, .route = on_route,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(8) uint8_t buf[65536];
	struct nl_stats st = { 0 };

	if (size > sizeof(buf))
		size = sizeof(buf);
	/* A receive buffer is aligned; the fuzzer's data need not be. */
	memcpy(buf, data, size);
	nl_decode(&obs, &st, buf, size);
	return 0;
}
