/* The proxy ARP engine: answers ARP requests on a proxy interface for IPv4
 * targets that live elsewhere, per the IPv4 rules of proxy blocks
 * (conf->arp_proxies), with the NDP proxy's state machine and tables
 * (src/proxy/): static rules answer at once; iface and auto rules answer
 * only for targets that proved alive downstream (an ARP reply to our
 * probe, or the kernel's neighbour entry), with /32 routes (protocol 73)
 * when autowire is on.
 *
 * No sockets here: the daemon hands in ARP frames and kernel events, the
 * engine acts through struct arp_ops. IPv4 addresses are v4-mapped
 * in6_addrs in the tables and ops, struct in_addr on the wire. */
#ifndef ISLANDD_ARPPROXY_H
#define ISLANDD_ARPPROXY_H

#include "conf/conf.h"
#include "net/kview.h"
#include "proto/arp.h"
#include "util/loop.h"

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iface;
struct iftable;
struct json;
struct proxy_core;

struct arp_ops {
	void *ctx;
	/* Send an ARP body (ARP_LEN bytes) on ifindex to Ethernet address l2dst. */
	void (*send_arp)(void *ctx, int ifindex, const uint8_t l2dst[6], const uint8_t *arp, size_t len);
	/* A /32 route to target (v4-mapped) out of ifindex, protocol 73. */
	int (*route_add)(void *ctx, const struct in6_addr *target, int ifindex);
	int (*route_del)(void *ctx, const struct in6_addr *target, int ifindex);
	/* auto rules: the interface the kernel routes target through, or <= 0. */
	int (*route_oif)(void *ctx, const struct in6_addr *target);
	uint64_t (*now_ms)(void *ctx);
};

/* Counters; names are islandctl's JSON keys (stats "arp" object). */
#define ARP_COUNTERS(X) \
	X(rx_request)         /* requests received on a proxy interface (probes included) */ \
	X(rx_probe)           /* ... of them RFC 5227 probes (sender 0.0.0.0) */ \
	X(rx_reply)           /* replies received on a downstream interface */ \
	X(tx_reply)           /* answers sent */ \
	X(tx_probe)           /* broadcast requests sent downstream (first probe of a target) */ \
	X(tx_probe_unicast)   /* unicast requests to a known host's MAC (liveness, renewal) */ \
	X(tx_announce)        /* gratuitous ARP after a proxy interface's MAC changed */ \
	X(no_rule)            /* target matched no rule */ \
	X(own_address)        /* target is the proxy interface's own address: the kernel answers */ \
	X(gratuitous)         /* announcements and gratuitous replies: no question to answer */ \
	X(dead_target)        /* target known not to answer, within its hold */ \
	X(pending)            /* request waiting for the probe's answer */ \
	X(probe_budget)       /* new probe refused: probe-rate exhausted */ \
	X(probe_retry_budget) /* retry skipped: probe-rate exhausted */ \
	X(sessions_full)      /* new session refused: max-sessions reached */ \
	X(iface_down)         /* downstream/proxy interface missing, down or without a MAC */ \
	X(auto_no_route)      /* auto rule: no route, or routed back out the proxy */ \
	X(reply_unmatched)    /* downstream reply for no session */ \
	X(target_on_link)     /* target heard on the proxy link itself: not answered there */ \
	X(heard_upstream)     /* a live target's address claimed on the proxy link: re-checked downstream */ \
	X(claim_refuted)      /* ... it answered downstream: route and answers stay (spoofing, a stale cache) */ \
	X(target_moved)       /* ... it did not: session and route dropped */ \
	X(target_confirmed)   \
	X(target_lost)        /* a live target silent at its check (learned hosts included) */ \
	X(route_added)        \
	X(route_removed)      \
	X(route_restored)     /* our route deleted by someone else, put back */ \
	X(route_errors)       \
	X(learned_hosts)      /* hosts a relay reported (DHCPv4 leases) */ \
	X(learned_lost)       /* ... of target_lost: learned hosts silent at their check, dropped before their lease ended */

struct arp_counters {
#define ARP_COUNTER_FIELD(name) uint64_t name;
	ARP_COUNTERS(ARP_COUNTER_FIELD)
#undef ARP_COUNTER_FIELD
	uint64_t drops[ARP_DROP_COUNT]; /* frames the codec refused, by reason (drop_<reason>) */
};

struct arp_engine;

/* learn_upstreams: links a relay learns hosts for (DHCPv4 relay upstreams
 * with learn-hosts): each gets a proxy without rules unless a proxy block
 * names it, answering for the hosts arp_engine_learned_host reports. */
struct arp_engine *arp_engine_new(struct loop *loop, const struct conf *conf, struct iftable *ifs,
                                  const struct arp_ops *ops, const char (*learn_upstreams)[IF_NAMESIZE],
                                  size_t n_learn_upstreams);
/* Reload: move every live session of old that the new configuration still
 * covers (same proxy interface, a rule of the same method and downstream)
 * into e, with its route; the rest are dropped, their routes removed.
 * Frees old; returns how many were kept. */
unsigned arp_engine_take_over(struct arp_engine *e, struct arp_engine *old);
/* Removes every route the engine installed. */
void arp_engine_free(struct arp_engine *e);

/* An ARP frame's body received on ifindex; eth_src is the Ethernet source
 * (NULL when unknown). Malformed frames are counted and dropped. */
void arp_engine_on_frame(struct arp_engine *e, int ifindex, const uint8_t *p, size_t len,
                         const uint8_t *eth_src);
void arp_engine_on_neigh(struct arp_engine *e, const struct kneigh *n, bool deleted);
void arp_engine_on_route(struct arp_engine *e, const struct kroute *r, bool deleted);
/* An interface appeared, vanished or changed: re-resolve names, drop what
 * lived behind a link that went, announce a proxy link's new MAC. */
void arp_engine_on_iface(struct arp_engine *e, const struct iface *ifc, unsigned changes);
/* Gratuitous ARP (RFC 5227 §3 announcement form) for every address
 * answered on ifindex, with its current MAC. */
void arp_engine_lladdr_changed(struct arp_engine *e, int ifindex);
/* Does the engine need ARP frames from interface `name`? */
bool arp_engine_wants_iface(const struct arp_engine *e, const char *name);

/* A host learned by a relay (a DHCPv4 lease) behind downstream_ifindex:
 * answer for it on upstream_ifindex and route it until gone, or until it
 * is silent at a liveness check (unicast ARP to mac every ttl, as for a
 * confirmed target; counted as learned_lost). Reported again: learned
 * again. */
void arp_engine_learned_host(struct arp_engine *e, int upstream_ifindex, int downstream_ifindex,
                             const struct in6_addr *addr, const uint8_t mac[6], bool gone);

const struct arp_counters *arp_engine_counters(const struct arp_engine *e);
unsigned arp_engine_session_count(const struct arp_engine *e);
/* The tables shared with the NDP proxy: islandctl's sessions and routes
 * views are proxy_core_dump_sessions / proxy_core_dump_routes of it. */
const struct proxy_core *arp_engine_core(const struct arp_engine *e);
/* Members of the open "arp" object. */
void arp_engine_dump_counters(const struct arp_engine *e, struct json *j);

#endif
