/* The engine's private state, shared by its files:
 *   engine.c  lifecycle and the receive path (what crosses, to where)
 *   iface.c   the host mirror: links, addresses, memberships, rate buckets
 *   legacy.c  legacy unicast queries in flight (ID mapping)
 *   dump.c    islandctl output */
#ifndef ISLANDD_MDNS_ENGINE_INT_H
#define ISLANDD_MDNS_ENGINE_INT_H

#include "mdns/engine.h"
#include "mdns/filter.h"
#include "mdns/recent.h"
#include "util/tokenbucket.h"

/* One link of the host, listed or not: reload may start listing it. */
struct mdns_link {
	int ifindex;
	bool up;                /* up and running */
	uint32_t mtu;
	char name[IF_NAMESIZE];
};

/* One address of the host (IPv4 v4-mapped). */
struct mdns_addr {
	int ifindex;
	uint8_t family;
	uint8_t plen;        /* of the family: 0..32 for IPv4 */
	bool usable;         /* not tentative / DAD-failed: may be a source */
	struct in6_addr addr;
};

/* A listed interface. */
struct mdns_iface {
	char name[IF_NAMESIZE];
	bool want4, want6;
	/* `iface br-*`: the configured pattern is kept as a template that is
	 * never a link itself; each link it matches gets an entry of its own
	 * (derived), sharing the template's filters */
	bool pattern, derived;
	struct mdns_filter_set in, out;
	int ifindex;         /* 0 = no such link now */
	bool up;             /* IFF_UP and IFF_RUNNING */
	uint32_t mtu;        /* of the link; 0 = unknown */
	bool joined4, joined6;
	bool local_stack;    /* packets from this host's own address seen here */
	struct token_bucket bucket; /* rate and burst follow rate-limit */
	struct mdns_iface_counters c;
};

struct mdns_legacy_query {
	uint64_t expires_ms;   /* 0 = free */
	uint16_t id;           /* the ID we put on the forwarded query */
	uint16_t asker_id;
	uint16_t asker_port;
	bool asker_rd;         /* RD is copied into the answer (RFC 1035 §4.1.1) */
	uint8_t family;
	uint8_t asker_iface;   /* index into ifaces[] */
	uint32_t sent;         /* links it went to: answers must come from there */
	struct in6_addr asker;
};

struct mdns_engine {
	uint32_t rate_limit;          /* from the conf: packets/s per link, 0 = off */
	bool reflect_ula, reflect_private4;
	struct mdns_engine_ops ops;
	uint64_t rng;

	size_t n_ifaces;
	struct mdns_iface ifaces[MDNS_MAX_IFACES];
	size_t n_links, n_addrs;
	struct mdns_link links[MDNS_MAX_LINKS];
	struct mdns_addr addrs[MDNS_MAX_ADDRS];
	uint64_t local_stack_since_ms;   /* 0 = no local mDNS stack seen */

	struct mdns_legacy_query legacy[MDNS_LEGACY_SLOTS];
	struct mdns_recent recent;
	struct mdns_counters c;

	/* Scratch for one packet: big, so kept here rather than on the stack. */
	struct dns_msg msg;
	struct mdns_rr_info info[DNS_MAX_RECORDS];
	uint64_t key[DNS_MAX_RECORDS];
	bool query;                      /* QR clear */
	uint64_t msg_key;                /* a query's key as a whole */
	uint32_t sent[DNS_MAX_RECORDS];
	bool fresh[DNS_MAX_RECORDS];     /* not an echo */
	uint32_t seen[DNS_MAX_RECORDS];  /* links that have it already (recent memory) */
	bool base[DNS_MAX_RECORDS];      /* passes the arrival-side filters */
	bool keep[DNS_MAX_RECORDS];      /* for the copy being built */
	uint8_t tx[MDNS_PACKET_MAX];
};

/* iface.c */
struct mdns_iface *mdns_iface_by_index(struct mdns_engine *e, int ifindex);
void mdns_iface_resolve_all(struct mdns_engine *e);   /* names -> ifindex, memberships */
void mdns_iface_leave(struct mdns_engine *e, struct mdns_iface *i);
/* Is a, arriving on ifindex, one of this host's addresses? */
bool mdns_host_is_own(const struct mdns_engine *e, int ifindex, const struct in6_addr *a);
bool mdns_iface_onlink(const struct mdns_engine *e, const struct mdns_iface *i, int family,
                       const struct in6_addr *a);
/* Our source address on i for family; when peer is given prefer one on
 * peer's prefix (IPv4) or of peer's scope (IPv6). */
bool mdns_iface_source(const struct mdns_engine *e, const struct mdns_iface *i, int family,
                       const struct in6_addr *peer, struct in6_addr *out);
bool mdns_iface_ready(const struct mdns_iface *i, int family);
bool mdns_iface_take_token(struct mdns_iface *i, uint32_t rate, uint64_t now_ms);

/* legacy.c */
struct mdns_legacy_query *mdns_legacy_add(struct mdns_engine *e, const struct mdns_rx *rx,
                                          uint16_t asker_id, uint8_t asker_iface,
                                          uint64_t now_ms);
struct mdns_legacy_query *mdns_legacy_find(struct mdns_engine *e, uint16_t id, uint64_t now_ms);
void mdns_legacy_forget_iface(struct mdns_engine *e, uint8_t iface_idx);

uint64_t mdns_engine_random(struct mdns_engine *e);

static inline bool mdns_is_v4mapped(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

#endif
