/* The NDP proxy engine: answers Neighbor Solicitations on a proxy interface
 * for targets that live elsewhere, per ndppd-compatible rules.
 *
 * No sockets here. The daemon hands in parsed ND messages and kernel events
 * and the engine acts through struct ndp_ops, so tests can drive it with
 * fake I/O. Sessions (one per solicited target of an iface/auto rule) come
 * from a pool sized at start-up: nothing is allocated per packet, lookups
 * are by keyed hash, and the table never grows past max-sessions. */
#ifndef ISLANDD_NDPROXY_H
#define ISLANDD_NDPROXY_H

#include "conf/conf.h"
#include "net/kview.h"
#include "net/packet.h"
#include "proto/mld.h"
#include "proto/nd.h"
#include "util/loop.h"

#include <stdbool.h>
#include <stdint.h>

struct iface;
struct iftable;
struct json;

struct ndp_ops {
	void *ctx;
	/* Send an NA on ifindex: IPv6 dst, link-layer dst (halen 0 on L3 links). */
	void (*send_na)(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
	                const struct in6_addr *src, const struct in6_addr *dst,
	                const struct in6_addr *target, uint8_t flags, const struct nd_lladdr *tlla);
	/* Send a multicast NS for target on ifindex (our probe). */
	void (*send_ns)(void *ctx, int ifindex, const struct in6_addr *src,
	                const struct in6_addr *target, const struct nd_lladdr *slla);
	int (*route_add)(void *ctx, const struct in6_addr *target, int ifindex, const struct in6_addr *via);
	int (*route_del)(void *ctx, const struct in6_addr *target, int ifindex, const struct in6_addr *via);
	/* auto rules: the interface the kernel routes target through, or <= 0. */
	int (*route_oif)(void *ctx, const struct in6_addr *target);
	uint64_t (*now_ms)(void *ctx);
	/* RA relay, on-demand discovery: when target lies in a prefix relayed
	 * from upstream_ifindex by a relay that learns hosts, the downstream
	 * links to look for it on (up to max ifindexes, each > 0); else 0.
	 * May be NULL (no relay). */
	unsigned (*relay_links)(void *ctx, int upstream_ifindex, const struct in6_addr *target,
	                        int *ifindexes, unsigned max);
	/* Solicited-node memberships on a proxy interface (optional: NULL in
	 * tests that do not look at them). join returns a slot for leave, or
	 * -errno. */
	int (*mcast_join)(void *ctx, int ifindex, const struct in6_addr *group);
	void (*mcast_leave)(void *ctx, int slot, int ifindex, const struct in6_addr *group);
	/* Send a whole IPv6 packet (MLD query, MRD advertisement) on ifindex. */
	void (*send_pkt)(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
	                 const uint8_t *pkt, size_t len);
};

/* Counters; names are islandctl's JSON keys. */
#define NDP_COUNTERS(X) \
	X(rx_ns)              /* NS received on a proxy interface */ \
	X(rx_na)              /* NA received on a downstream interface */ \
	X(tx_na)              /* answers sent */ \
	X(tx_ns)              /* probes sent downstream */ \
	X(tx_unsolicited_na)  /* announcements of a proxy interface's new link-layer address */ \
	X(ns_no_rule)         /* target matched no rule */ \
	X(ns_own_address)     /* target is the proxy interface's own address: the kernel answers */ \
	X(ns_dead_target)     /* target known not to answer, within its hold */ \
	X(ns_pending)         /* solicitation waiting for the probe's answer */ \
	X(probe_budget)       /* new probe refused: probe-rate exhausted */ \
	X(probe_retry_budget) /* retry skipped: probe-rate exhausted */ \
	X(sessions_full)      /* new session refused: max-sessions reached */ \
	X(no_source_address)  /* interface without a usable link-local address */ \
	X(iface_down)         /* downstream/proxy interface missing or down */ \
	X(auto_no_route)      /* auto rule: no route, or routed back out the proxy */ \
	X(na_unmatched)       /* downstream NA for no session */ \
	X(target_confirmed)   \
	X(target_lost)        \
	X(route_added)        \
	X(route_removed)      \
	X(route_restored)     /* our route deleted by someone else, put back */ \
	X(route_errors)       \
	X(relay_probed)       /* relayed-prefix target unknown: probed on the relay's downstreams */ \
	X(relay_discovered)   /* ... and found there: answered and routed */ \
	X(groups_joined)      /* solicited-node groups joined on a proxy interface */ \
	X(groups_left)        \
	X(group_errors)       /* the kernel refused a join */ \
	X(groups_full)        /* a group not joined: the table is full */ \
	X(groups_budget)      /* a group heard downstream ignored: too many new ones a second */ \
	X(mld_reports)        /* MLD reports and dones heard on a downstream interface */ \
	X(mld_dropped)        /* malformed MLD (no Router Alert, hop limit, source, checksum) */ \
	X(mld_queries_sent)   /* MLDv2 queries sent downstream */ \
	X(mrd_adverts_sent)   /* RFC 4286 router advertisements sent downstream */

struct ndp_counters {
#define NDP_COUNTER_FIELD(name) uint64_t name;
	NDP_COUNTERS(NDP_COUNTER_FIELD)
#undef NDP_COUNTER_FIELD
};

struct ndp_engine;

struct ndp_engine *ndp_engine_new(struct loop *loop, const struct conf *conf,
                                  struct iftable *ifs, const struct ndp_ops *ops);
/* Reload: move every session of `old` that the new config still covers
 * (same proxy interface, a rule of the same method and downstream) into e,
 * with its route; what is not moved is dropped, its route removed. Frees old.
 * Returns how many sessions were kept. */
unsigned ndp_engine_take_over(struct ndp_engine *e, struct ndp_engine *old); /* returns sessions kept */
/* Removes every route the engine installed. */
void ndp_engine_free(struct ndp_engine *e);

void ndp_engine_on_nd(struct ndp_engine *e, int ifindex, const struct nd_msg *m,
                      const struct pkt_in *pin);
void ndp_engine_on_neigh(struct ndp_engine *e, const struct kneigh *n, bool deleted);
/* At start-up, after the kernel's neighbours are known: probe those behind
 * autowired iface rules, so their routes return without waiting for the
 * upstream to ask (a restart while the upstream's caches are warm). */
void ndp_engine_prime(struct ndp_engine *e);
/* A route changed: auto-rule targets whose route now leads elsewhere are
 * dropped; one of our routes deleted while its session lives is re-added. */
void ndp_engine_on_route(struct ndp_engine *e, const struct kroute *r, bool deleted);
/* An interface appeared, vanished or changed (net/iftable.h): re-resolve
 * names; targets behind a link that went down or away are dropped; a proxy
 * link's new link-layer address is announced (ndp_engine_lladdr_changed). */
void ndp_engine_on_iface(struct ndp_engine *e, const struct iface *ifc, unsigned changes);

/* The link-layer address of interface ifindex changed: tell the link, with
 * one unsolicited NA (override set, to all-nodes) per target answered there,
 * so neighbours stop sending to the old address (RFC 4861 §7.2.6). */
void ndp_engine_lladdr_changed(struct ndp_engine *e, int ifindex);

/* An MLD message (or one dropped as malformed: why != MLD_OK) on ifindex:
 * reports of solicited-node groups on a downstream link are mirrored on
 * the proxy interface; other routers' queries defer ours. */
void ndp_engine_on_mld(struct ndp_engine *e, int ifindex, const struct mld_msg *m, enum mld_drop why);

/* Which packets the engine needs from interface `name`: bit n of *types =
 * ICMPv6 type 128+n. */
bool ndp_engine_wants_iface(const struct ndp_engine *e, const char *name, uint32_t *types,
                            bool *allmulti, bool *promisc);

/* A host learned by the RA relay behind downstream_ifindex: answer for it on
 * upstream_ifindex and route it (gone = forget it). */
void ndp_engine_learned_host(struct ndp_engine *e, int upstream_ifindex,
                             int downstream_ifindex, const struct in6_addr *addr, bool gone);

const struct ndp_counters *ndp_engine_counters(const struct ndp_engine *e);
unsigned ndp_engine_session_count(const struct ndp_engine *e);
/* The tables shared with the ARP proxy: islandctl's sessions and routes
 * views are proxy_core_dump_sessions / proxy_core_dump_routes of it (the
 * ARP proxy's entries go in the same arrays). */
const struct proxy_core *ndp_engine_core(const struct ndp_engine *e);
/* Members of the object j is in (util/json.h). */
void ndp_engine_dump_counters(const struct ndp_engine *e, struct json *j);

#endif
