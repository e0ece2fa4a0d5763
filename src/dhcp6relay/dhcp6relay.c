/* The DHCPv6 relay agent: see dhcp6relay.h.
 *
 * link-address (RFC 8415 §19.1.1): a global address of the island link
 * when it has one. In relay mode an island link usually has none: its hosts
 * take their addresses from the upstream's /64 (the RA relay carries the
 * upstream's prefixes), so the link the server must choose a pool for is
 * the upstream's, and the gateway's global address there is the truthful
 * link-address. Only when neither link has one is it :: . The Interface-ID
 * option (the island link's name) goes in every Relay-Forward, as §19.1.1
 * allows: the answer finds its link by it whatever link-address said. */
#include "dhcp6relay/dhcp6relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/dhcp6.h"
#include "proto/dhcp6_ia_na.h"
#include "util/json.h"

static const struct in6_addr all_relays_and_servers = {
	.s6_addr = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2 }
};

struct relay_link {
	int ifindex;               /* 0: free */
	char name[IF_NAMESIZE];
	bool has_global;
	struct in6_addr global;
};

struct relay_host {
	struct in6_addr addr;      /* in use when expires_ms != 0 */
	int down_ifindex;
	uint64_t expires_ms;       /* UINT64_MAX: infinite lifetime */
};

struct dhcp6relay {
	struct dhcp6relay_ops ops;
	bool active;
	struct relay_link upstream;
	struct relay_link links[DHCP6RELAY_MAX_LINKS];
	size_t n_servers;
	struct in6_addr servers[DHCP6RELAY_MAX_SERVERS];
	struct relay_host hosts[DHCP6RELAY_MAX_HOSTS];
	size_t n_hosts;
	struct dhcp6relay_counters c;
};

struct dhcp6relay *dhcp6relay_new(const struct dhcp6relay_ops *ops)
{
	struct dhcp6relay *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->ops = *ops;
	r->active = true;
	return r;
}

void dhcp6relay_free(struct dhcp6relay *r)
{
	free(r);
}

void dhcp6relay_set_servers(struct dhcp6relay *r, const struct in6_addr *servers, size_t n)
{
	if (n > DHCP6RELAY_MAX_SERVERS)
		n = DHCP6RELAY_MAX_SERVERS;
	memcpy(r->servers, servers, n * sizeof(*servers));
	r->n_servers = n;
}

static void link_set(struct relay_link *l, int ifindex, const char *name)
{
	if (l->ifindex != ifindex)
		l->has_global = false;
	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name ? name : "");
}

void dhcp6relay_set_upstream(struct dhcp6relay *r, int ifindex, const char *name)
{
	link_set(&r->upstream, ifindex, name);
}

/* Island links are at most DHCP6RELAY_MAX_LINKS: a scan of them is as
 * cheap as a hash and keeps the engine small. */
static struct relay_link *link_by_index(struct dhcp6relay *r, int ifindex)
{
	if (ifindex <= 0)
		return NULL;
	for (size_t i = 0; i < DHCP6RELAY_MAX_LINKS; i++)
		if (r->links[i].ifindex == ifindex)
			return &r->links[i];
	return NULL;
}

static struct relay_link *link_by_iface_id(struct dhcp6relay *r, const uint8_t *id, size_t len)
{
	if (len == 0 || len >= IF_NAMESIZE)
		return NULL;
	for (size_t i = 0; i < DHCP6RELAY_MAX_LINKS; i++)
		if (r->links[i].ifindex && strlen(r->links[i].name) == len && !memcmp(r->links[i].name, id, len))
			return &r->links[i];
	return NULL;
}

static struct relay_link *link_by_global(struct dhcp6relay *r, const struct in6_addr *a)
{
	for (size_t i = 0; i < DHCP6RELAY_MAX_LINKS; i++)
		if (r->links[i].ifindex && r->links[i].has_global && IN6_ARE_ADDR_EQUAL(&r->links[i].global, a))
			return &r->links[i];
	return NULL;
}

int dhcp6relay_add_link(struct dhcp6relay *r, int ifindex, const char *name)
{
	struct relay_link *l = link_by_index(r, ifindex);
	for (size_t i = 0; i < DHCP6RELAY_MAX_LINKS && !l; i++)
		if (!r->links[i].ifindex)
			l = &r->links[i];
	if (!l)
		return -ENOSPC;
	link_set(l, ifindex, name);
	return 0;
}

static void host_forget(struct dhcp6relay *r, struct relay_host *h)
{
	if (r->ops.host)
		r->ops.host(r->ops.ctx, r->upstream.ifindex, h->down_ifindex, &h->addr, true);
	r->c.hosts_gone++;
	*h = r->hosts[--r->n_hosts];
	memset(&r->hosts[r->n_hosts], 0, sizeof(r->hosts[0]));
}

void dhcp6relay_del_link(struct dhcp6relay *r, int ifindex)
{
	struct relay_link *l = link_by_index(r, ifindex);
	if (!l)
		return;
	for (size_t i = r->n_hosts; i-- > 0;)
		if (r->hosts[i].down_ifindex == ifindex)
			host_forget(r, &r->hosts[i]);
	memset(l, 0, sizeof(*l));
}

/* Global or ULA: what a server can tell a link by (not link-local, not
 * multicast, not loopback or unspecified). */
static bool addr_is_global(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_V4MAPPED(a);
}

void dhcp6relay_on_addr(struct dhcp6relay *r, int ifindex, const struct in6_addr *addr, bool deleted)
{
	struct relay_link *l = ifindex == r->upstream.ifindex && ifindex > 0 ? &r->upstream
	                                                                      : link_by_index(r, ifindex);
	if (!l || !addr_is_global(addr))
		return;
	if (deleted) {
		if (l->has_global && IN6_ARE_ADDR_EQUAL(&l->global, addr))
			l->has_global = false;   /* the next event of another address takes over */
		return;
	}
	if (!l->has_global) {
		l->global = *addr;
		l->has_global = true;
	}
}

void dhcp6relay_set_active(struct dhcp6relay *r, bool active)
{
	if (r->active == active)
		return;
	r->active = active;
	if (!active)
		while (r->n_hosts)
			host_forget(r, &r->hosts[r->n_hosts - 1]);
}

bool dhcp6relay_active(const struct dhcp6relay *r)
{
	return r->active;
}

static int send_counted(struct dhcp6relay *r, int ifindex, const struct in6_addr *dst, uint16_t port,
                        const uint8_t *pkt, size_t len)
{
	int rc = r->ops.send(r->ops.ctx, ifindex, dst, port, pkt, len);
	if (rc < 0)
		r->c.drop_send++;
	return rc;
}

/* §19.1.1 / §19.1.2: msg (a client's, or a relay's Relay-Forward with its
 * hop count) heard on island link l from src, wrapped and sent upstream. */
static void forward_up(struct dhcp6relay *r, struct relay_link *l, const struct in6_addr *src,
                       uint8_t hop_count, const uint8_t *msg, size_t len)
{
	if (!r->upstream.ifindex && !r->n_servers) {
		r->c.drop_no_upstream++;
		return;
	}
	struct in6_addr link_addr = in6addr_any;
	if (l->has_global)
		link_addr = l->global;
	else if (r->upstream.has_global)
		link_addr = r->upstream.global;   /* relay mode: the island shares the upstream's /64 */
	uint8_t out[DHCP6_MSG_MAX + DHCP6_RELAY_HDR_LEN + 2 * DHCP6_OPT_HDR_LEN + IF_NAMESIZE];
	size_t n = dhcp6_build_relay(DHCP6_RELAY_FORW, hop_count, &link_addr, src, (const uint8_t *)l->name,
	                             (uint8_t)strlen(l->name), msg, len, out, sizeof(out));
	if (!n) {
		r->c.drop_parse++;
		return;
	}
	bool sent = false;
	if (r->n_servers) {
		/* unicast: the kernel picks the route (upstream_ifindex 0) */
		for (size_t i = 0; i < r->n_servers; i++)
			sent |= send_counted(r, 0, &r->servers[i], DHCP6_SERVER_PORT, out, n) == 0;
	} else {
		sent = send_counted(r, r->upstream.ifindex, &all_relays_and_servers, DHCP6_SERVER_PORT, out, n) == 0;
	}
	if (sent)
		r->c.tx_relay_forw++;
}

static void host_learn(struct dhcp6relay *r, int down_ifindex, const struct in6_addr *addr, uint32_t valid)
{
	struct relay_host *h = NULL;
	for (size_t i = 0; i < r->n_hosts; i++)   /* bounded: DHCP6RELAY_MAX_HOSTS */
		if (IN6_ARE_ADDR_EQUAL(&r->hosts[i].addr, addr)) {
			h = &r->hosts[i];
			break;
		}
	if (valid == 0) {
		if (h)
			host_forget(r, h);
		return;
	}
	uint64_t now = r->ops.now_ms(r->ops.ctx);
	uint64_t expires = valid == 0xffffffffu ? UINT64_MAX : now + (uint64_t)valid * 1000;
	if (!h) {
		if (r->n_hosts == DHCP6RELAY_MAX_HOSTS) {
			r->c.drop_hosts_full++;
			return;
		}
		h = &r->hosts[r->n_hosts++];
		h->addr = *addr;
		h->down_ifindex = down_ifindex;
		r->c.hosts_learned++;
	} else if (h->down_ifindex != down_ifindex) {
		/* the host moved to another island link: tell its old place first */
		if (r->ops.host)
			r->ops.host(r->ops.ctx, r->upstream.ifindex, h->down_ifindex, &h->addr, true);
		h->down_ifindex = down_ifindex;
	}
	h->expires_ms = expires;
	if (r->ops.host)
		r->ops.host(r->ops.ctx, r->upstream.ifindex, down_ifindex, addr, false);
}

/* The addresses msg (a Reply, or a client's Release/Decline) names. */
static void hosts_from(struct dhcp6relay *r, int down_ifindex, const uint8_t *msg, size_t len, bool giving_back)
{
	struct dhcp6_na_addr addrs[8];
	int n = dhcp6_ia_na_addrs(msg, len, addrs, 8);
	if (n > 8)
		n = 8;
	for (int i = 0; i < n; i++)
		if (addr_is_global(&addrs[i].addr))
			host_learn(r, down_ifindex, &addrs[i].addr, giving_back ? 0 : addrs[i].valid);
}

static bool is_client_msg(uint8_t type)
{
	switch (type) {
	case DHCP6_SOLICIT: case DHCP6_REQUEST: case DHCP6_CONFIRM: case DHCP6_RENEW:
	case DHCP6_REBIND: case DHCP6_RELEASE: case DHCP6_DECLINE: case DHCP6_INFORMATION_REQUEST:
		return true;
	default:
		return false;
	}
}

/* §19.2: a Relay-Reply from the upstream side. */
static void reply_down(struct dhcp6relay *r, const uint8_t *pkt, size_t len)
{
	struct dhcp6_msg m;
	if (dhcp6_parse(pkt, len, &m) != DHCP6_OK || m.relay_msg_len < DHCP6_HDR_LEN) {
		r->c.drop_parse++;
		return;
	}
	struct relay_link *l = m.interface_id_len ? link_by_iface_id(r, m.interface_id, m.interface_id_len)
	                                          : link_by_global(r, &m.link_addr);
	if (!l && !m.interface_id_len && r->upstream.has_global &&
	    IN6_ARE_ADDR_EQUAL(&m.link_addr, &r->upstream.global)) {
		/* link-address was the upstream's (see above): with one island link that names it */
		for (size_t i = 0; i < DHCP6RELAY_MAX_LINKS && !l; i++)
			if (r->links[i].ifindex)
				l = &r->links[i];
	}
	if (!l) {
		r->c.drop_unknown_iface_id++;
		return;
	}
	uint8_t inner_type = m.relay_msg[0];
	if (inner_type == DHCP6_RELAY_REPL) {
		if (send_counted(r, l->ifindex, &m.peer_addr, DHCP6_SERVER_PORT, m.relay_msg, m.relay_msg_len) == 0)
			r->c.tx_to_relay++;
		return;
	}
	if (inner_type == DHCP6_REPLY)
		hosts_from(r, l->ifindex, m.relay_msg, m.relay_msg_len, false);
	if (send_counted(r, l->ifindex, &m.peer_addr, DHCP6_CLIENT_PORT, m.relay_msg, m.relay_msg_len) == 0)
		r->c.tx_to_client++;
}

void dhcp6relay_input(struct dhcp6relay *r, int ifindex, const struct in6_addr *src, const uint8_t *pkt,
                      size_t len)
{
	if (!r->active)
		return;
	if (len < DHCP6_HDR_LEN || len > DHCP6_MSG_MAX) {
		r->c.drop_parse++;
		return;
	}
	uint8_t type = pkt[0];
	bool from_upstream = ifindex > 0 && ifindex == r->upstream.ifindex;
	struct relay_link *l = from_upstream ? NULL : link_by_index(r, ifindex);
	if (type == DHCP6_RELAY_REPL) {
		r->c.rx_relay_repl++;
		if (!from_upstream) {
			/* servers answer from upstream (or by unicast routed there);
			 * a Relay-Reply from an island host is forged */
			if (l || ifindex <= 0 || !r->n_servers) {
				r->c.drop_repl_from_island++;
				return;
			}
		}
		reply_down(r, pkt, len);
		return;
	}
	if (!l) {
		if (from_upstream && (is_client_msg(type) || type == DHCP6_RELAY_FORW))
			r->c.drop_not_island++;   /* the upstream's own clients: its servers hear them */
		else if (from_upstream)
			r->c.drop_server_msg++;
		else
			r->c.drop_not_island++;
		return;
	}
	if (type == DHCP6_RELAY_FORW) {
		r->c.rx_relay_forw++;
		struct dhcp6_msg m;
		if (dhcp6_parse(pkt, len, &m) != DHCP6_OK) {
			r->c.drop_parse++;
			return;
		}
		if (m.hop_count >= DHCP6_HOP_COUNT_LIMIT) {
			r->c.drop_hop_limit++;
			return;
		}
		forward_up(r, l, src, (uint8_t)(m.hop_count + 1), pkt, len);
		return;
	}
	if (!is_client_msg(type)) {
		r->c.drop_server_msg++;   /* Advertise, Reply, Reconfigure from the island: not ours to pass */
		return;
	}
	r->c.rx_client++;
	if (type == DHCP6_RELEASE || type == DHCP6_DECLINE)
		hosts_from(r, l->ifindex, pkt, len, true);
	forward_up(r, l, src, 0, pkt, len);
}

void dhcp6relay_tick(struct dhcp6relay *r)
{
	uint64_t now = r->ops.now_ms(r->ops.ctx);
	for (size_t i = r->n_hosts; i-- > 0;)
		if (r->hosts[i].expires_ms <= now)
			host_forget(r, &r->hosts[i]);
}

const struct dhcp6relay_counters *dhcp6relay_counters(const struct dhcp6relay *r)
{
	return &r->c;
}

size_t dhcp6relay_n_hosts(const struct dhcp6relay *r)
{
	return r->n_hosts;
}

void dhcp6relay_dump(const struct dhcp6relay *r, struct json *j)
{
	char s[INET6_ADDRSTRLEN];
	json_obj(j);
	json_kbool(j, "active", r->active);
	json_kstr(j, "upstream", r->upstream.name);
	json_ku64(j, "servers", r->n_servers);
	json_karr(j, "links");
	for (size_t i = 0; i < DHCP6RELAY_MAX_LINKS; i++) {
		const struct relay_link *l = &r->links[i];
		if (!l->ifindex)
			continue;
		json_obj(j);
		json_kstr(j, "name", l->name);
		if (l->has_global) {
			inet_ntop(AF_INET6, &l->global, s, sizeof(s));
			json_kstr(j, "link_address", s);
		}
		json_obj_end(j);
	}
	json_arr_end(j);
	uint64_t now = r->ops.now_ms(r->ops.ctx);
	json_karr(j, "hosts");
	for (size_t i = 0; i < r->n_hosts; i++) {
		const struct relay_host *h = &r->hosts[i];
		json_obj(j);
		inet_ntop(AF_INET6, &h->addr, s, sizeof(s));
		json_kstr(j, "address", s);
		json_ki64(j, "ifindex", h->down_ifindex);
		if (h->expires_ms != UINT64_MAX)
			json_ku64(j, "expires_s", h->expires_ms > now ? (h->expires_ms - now) / 1000 : 0);
		json_obj_end(j);
	}
	json_arr_end(j);
	const struct dhcp6relay_counters *c = &r->c;
	json_kobj(j, "counters");
#define C(f) json_ku64(j, #f, c->f)
	C(rx_client); C(rx_relay_forw); C(rx_relay_repl); C(tx_relay_forw); C(tx_to_client); C(tx_to_relay);
	C(hosts_learned); C(hosts_gone); C(drop_parse); C(drop_hop_limit); C(drop_repl_from_island);
	C(drop_unknown_iface_id); C(drop_server_msg); C(drop_no_upstream); C(drop_not_island); C(drop_send);
	C(drop_hosts_full);
#undef C
	json_obj_end(j);
	json_obj_end(j);
}
