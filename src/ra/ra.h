/* The Router Advertisement engine: relay mode (`ra-relay UP { iface DOWN }`)
 * and advertise mode (`ra IFACE { ... }`).
 *
 * No sockets here. The daemon hands in every parsed ND message and kernel
 * event; the engine sends whole IPv6 packets and reports learned hosts
 * through struct ra_ops, and reads the time from ops->now_ms, so tests drive
 * it with fake I/O and a fake clock. Every table is sized at start-up:
 * 64 routers, 16 prefixes, 16 routes per upstream link, a fixed number of
 * hosts per downstream; nothing grows per packet. */
#ifndef ISLANDD_RA_H
#define ISLANDD_RA_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "net/kview.h"
#include "net/packet.h"
#include "proto/nd.h"
#include "util/loop.h"

struct iface;
struct iftable;
struct json;

struct ra_ops {
	void *ctx;
	/* Send a whole IPv6 packet (built with nd_build_*) on ifindex to l2dst
	 * (halen 0 on L3 links). Returns 0 or -errno. */
	int (*send)(void *ctx, int ifindex, const uint8_t *l2dst, uint8_t halen,
	            const uint8_t *pkt, size_t len);
	/* Relay mode host learning: a host with address addr was seen behind
	 * downstream ifindex (gone = false), or left (gone = true). The daemon
	 * installs/removes the /128 route and makes the NDP proxy answer for
	 * addr on the upstream. May be NULL. */
	void (*host)(void *ctx, int upstream_ifindex, int downstream_ifindex,
	             const struct in6_addr *addr, const struct nd_lladdr *ll, bool gone);
	/* Monotonic milliseconds; the same clock as the loop's timers. */
	uint64_t (*now_ms)(void *ctx);
};

/* Counters; the names are islandctl's JSON keys. */
#define RA_COUNTERS(X) \
	X(rx_ra)                /* RAs received on an interface of ours */ \
	X(rx_ra_upstream)       /* ... on a relay upstream, and used */ \
	X(ra_from_self)         /* our own RA heard back (a loop): ignored */ \
	X(ra_not_upstream)      /* RA heard on a downstream or advertised link: never relayed */ \
	X(ra_proxy_flag)        /* upstream RA with the Proxy flag: another relay's (RFC 4389), ignored */ \
	X(routers_over_cap)     /* RA from a 65th router: ignored */ \
	X(prefixes_over_cap)    /* prefix past 16 per link: ignored */ \
	X(routes_over_cap)      /* route past 16 per link: ignored */ \
	X(rdnss_over_cap)       /* RDNSS address past the cap: ignored */ \
	X(dnssl_over_cap)       /* DNSSL option past the cap or too long: ignored */ \
	X(pref64_over_cap)      /* NAT64 prefix past the cap per link: ignored */ \
	X(ra_options_ignored)   /* upstream RA options the RFCs say to ignore (nd.h: n_ignored) */ \
	X(prefixes_withdrawn)   /* upstream prefix gone or changed: sent with lifetime 0 */ \
	X(rx_rs)                /* RS received where we advertise */ \
	X(rs_ignored)           /* RS where we have nothing to advertise */ \
	X(tx_rs)                /* RS sent upstream: relay started, reloaded, upstream back */ \
	X(tx_ra)                /* RAs sent */ \
	X(tx_ra_final)          /* RAs with router lifetime 0 sent at shutdown */ \
	X(tx_errors)            /* ops->send failed */ \
	X(build_errors)         /* an RA did not fit: should not happen */ \
	X(no_source_address)    /* interface without a link-local address yet */ \
	X(hosts_learned)        \
	X(hosts_forgotten)      \
	X(hosts_over_cap)       /* host refused: the downstream's table is full */ \
	X(hosts_moved)          /* host seen behind another link */ \
	X(host_probes)          /* NS sent to check a host the kernel dropped */ \
	X(dad_carried)          /* DAD probe carried to the other links */ \
	X(dad_defended)         /* defence carried back: the prober's DAD fails */ \
	X(dad_echo)             /* DAD probe we had carried, heard again: dropped */ \
	X(dad_rate_limited)     /* DAD probe or host probe not sent: budget spent */

struct ra_counters {
#define RA_COUNTER_FIELD(name) uint64_t name;
	RA_COUNTERS(RA_COUNTER_FIELD)
#undef RA_COUNTER_FIELD
};

struct ra_engine;

/* Returns NULL (errno ENOMEM) only when out of memory. An interface has one
 * role: a block naming one already used is logged and ignored, except an
 * `ra` block on a relay downstream, whose prefixes and DNS options are added
 * to the relayed RA. The engine copies what it needs: conf may be freed
 * afterwards. */
struct ra_engine *ra_engine_new(struct loop *loop, const struct conf *conf,
                                struct iftable *ifs, const struct ra_ops *ops);
/* Switch to conf, keeping the learned state that still applies: routers and
 * prefixes of a relay whose upstream stays, hosts behind downstreams that
 * stay, RA timing of interfaces that stay. Hosts behind links that go are
 * reported gone; a link no longer advertised on gets a final RA. Returns 0,
 * or -ENOMEM with the running configuration untouched. */
int ra_engine_reload(struct ra_engine *e, const struct conf *conf);

/* Every ND message received on any interface (parsed and validated by
 * nd_parse); pin carries the source link-layer address. */
void ra_engine_on_nd(struct ra_engine *e, int ifindex, const struct nd_msg *m,
                     const struct pkt_in *pin);
/* Interface-table changes (net/iftable.h), after the table has them. */
void ra_engine_on_iface(struct ra_engine *e, const struct iface *ifc, unsigned changes);
void ra_engine_on_neigh(struct ra_engine *e, const struct kneigh *n, bool deleted);

/* Whether the engine needs RS/RA/NS/NA from interface ifname, and whether
 * it needs every multicast frame there (DAD probes go to solicited-node
 * groups we have not joined). */
bool ra_engine_wants_iface(const struct ra_engine *e, const char *ifname, bool *allmulti);

/* On-demand discovery (the NDP proxy asks): when addr lies in a live prefix
 * relayed from upstream_ifindex by a relay that learns hosts, the ifindexes
 * of its downstreams present in the kernel (at most max); else 0. */
unsigned ra_engine_relay_links(const struct ra_engine *e, int upstream_ifindex,
                               const struct in6_addr *addr, int *ifindexes, unsigned max);

/* Dynamic prefixes: what another engine (the DHCPv6-PD sub-delegation)
 * wants advertised on a link, beside or without an `ra IFACE` block. Ends
 * are absolute times on ops->now_ms's clock (RA_DYN_NEVER = infinite); the
 * engine turns them into lifetimes at each RA, so what it advertises counts
 * down with the lease and never exceeds it. */
#define RA_DYN_MAX_LINKS    32
#define RA_DYN_MAX_PREFIXES 8
#define RA_DYN_MAX_DNS      4
#define RA_DYN_MAX_DOMAINS  4
#define RA_DYN_NEVER        UINT64_MAX
/* RFC 9096 §3.3 (LAN-R): PIO lifetimes also capped at ND_PREFERRED_LIMIT
 * and ND_VALID_LIMIT, so hosts notice a renumbering within 45/90 min even
 * when an RA announcing it is lost. */
#define RA_ND_PREFERRED_LIMIT_S 2700u
#define RA_ND_VALID_LIMIT_S     5400u

struct ra_dyn_prefix {
	struct in6_addr prefix;
	uint8_t plen;
	uint64_t pref_end, valid_end; /* pref_end <= now: deprecated (preferred 0) */
};

struct ra_dynamic {
	size_t n_prefixes;
	struct ra_dyn_prefix prefixes[RA_DYN_MAX_PREFIXES];
	size_t n_dns;
	struct in6_addr dns[RA_DYN_MAX_DNS];
	size_t n_domains;
	char domains[RA_DYN_MAX_DOMAINS][256];
	uint64_t dns_end;             /* RDNSS/DNSSL usable until then (the lease's valid end) */
};

/* Advertise d on the link named ifname from now on (replacing what was set
 * before); d NULL or with nothing in it stops. A link with no `ra` block
 * gets its own advertiser with radvd's default timing and router lifetime;
 * on a relay downstream or an `ra` link the items are added to that RA.
 * When the set of prefixes or DNS items changes, an RA goes out at once
 * (MIN_DELAY_BETWEEN_RAS permitting) followed by the initial burst; when
 * only lifetimes changed (a renewal), one RA at once. Returns 0, -EINVAL
 * (bad name or domain), -ENOSPC (RA_DYN_MAX_LINKS links already fed) or
 * -ENOMEM. */
int ra_engine_set_dynamic(struct ra_engine *e, const char *ifname, const struct ra_dynamic *d);

/* Island mode (an `island` block): paused, the relay of upstream stops
 * relaying its RAs and learning hosts (those learned are reported gone);
 * its downstream links then carry only what is advertised for them
 * (ra_engine_set_dynamic: the delegated prefix). Unpaused, relaying
 * resumes at once. 0, or -ENOENT when no relay has that upstream. */
int ra_engine_relay_pause(struct ra_engine *e, const char *upstream, bool paused);

/* `islandctl ra`, as members of the object j is in (util/json.h): relayed
 * and advertised prefixes with remaining lifetimes, routers, hosts learned
 * behind each downstream, counters. */
void ra_engine_dump(struct ra_engine *e, struct json *j);
const struct ra_counters *ra_engine_counters(const struct ra_engine *e);

/* Advertise mode: MAX_FINAL_RTR_ADVERTISEMENTS (3) RAs with router lifetime
 * 0 and RDNSS/DNSSL lifetime 0, as radvd does (RFC 4861 §6.2.5). Relay: one
 * RA with router lifetime 0 per downstream. Learned hosts are reported gone.
 * The engine sends nothing afterwards. */
void ra_engine_shutdown(struct ra_engine *e);
void ra_engine_free(struct ra_engine *e);

#endif
