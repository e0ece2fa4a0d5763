/* Private to src/ra/: the engine's tables and the functions the files share.
 *
 *   ra_engine.c    lifecycle, event dispatch, sending, timers
 *   ra_sched.c     RFC 4861 §6.2.4-6.2.6: when an interface sends an RA
 *   ra_upstream.c  what the upstream routers said, aged; the relayed RA
 *   ra_advert.c    the RA of an `ra IFACE` block, laid out as radvd does
 *   ra_hosts.c     the table of hosts learned behind the downstreams
 *   ra_learn.c     host learning and DAD carried across the links
 *   ra_dump.c      islandctl output
 *   ra_dyn.c       prefixes and DNS items fed by another engine (PD)
 */
#ifndef ISLANDD_RA_INTERNAL_H
#define ISLANDD_RA_INTERNAL_H

#include <net/if.h>

#include "ra/ra.h"
#include "util/hash.h"
#include "util/tokenbucket.h"

/* RFC 4861 §10, router constants. */
#define RA_MAX_INITIAL_RTR_ADVERT_INTERVAL_MS 16000u
#define RA_MAX_INITIAL_RTR_ADVERTISEMENTS     3u
#define RA_MAX_FINAL_RTR_ADVERTISEMENTS       3u
#define RA_MIN_DELAY_BETWEEN_RAS_MS           3000u
#define RA_MAX_RA_DELAY_TIME_MS               500u
/* RFC 4861 §10, host constants: a relay solicits its upstream as a host does. */
#define RA_MAX_RTR_SOLICITATION_DELAY_MS      1000u
#define RA_RTR_SOLICITATION_INTERVAL_MS       4000u
#define RA_MAX_RTR_SOLICITATIONS              3u

/* Relay intervals: radvd's defaults (MaxRtrAdvInterval 600, Min 0.33 * Max). */
#define RA_RELAY_MIN_INTERVAL_MS 198000u
#define RA_RELAY_MAX_INTERVAL_MS 600000u

/* Bounds (issue 5 §3): per upstream link. */
#define RA_MAX_ROUTERS   64
#define RA_MAX_PREFIXES  16
#define RA_MAX_ROUTES    16
#define RA_MAX_RDNSS     ND_RA_MAX_RDNSS
#define RA_MAX_DNSSL     ND_RA_MAX_DNSSL
#define RA_MAX_PREF64    ND_RA_MAX_PREF64
#define RA_DNSSL_NAMES_MAX 256 /* a domain name (255 at most), and what one relayed option holds */

#define RA_HOSTS_PER_DOWNSTREAM 1024u
#define RA_DAD_PENDING_MAX      64
#define RA_DAD_HOLD_MS          3000u  /* a carried probe's defence is awaited this long */
#define RA_DAD_CARRY_RATE       20u    /* probes carried per second and relay (burst 2x) */
#define RA_TENTATIVE_MS         1500u  /* DAD probe, no defence: the host keeps the address */
#define RA_PROBE_INTERVAL_MS    1000u  /* host probes after the kernel dropped the neighbour */
#define RA_PROBES               3u
#define RA_WITHDRAW_HOLD_MS     (2u * 3600u * 1000u) /* RFC 4862 §5.5.3 e: hosts keep 2 h */
#define RA_EXPIRED_HOLD_MS      10000u /* an item whose lifetime ran out: sent with 0 this long */
/* No upstream default router but relayed prefixes alive (RFC 7084 routers
 * say lifetime 0 in a WAN outage): the relay advertises itself with this
 * router lifetime at low preference (RFC 4861 §6.2.1's AdvDefaultLifetime
 * default for MaxRtrAdvInterval 600) and a Route Information Option per
 * prefix, so the hosts keep a route to the upstream link. */
#define RA_FALLBACK_LIFETIME_S  1800u
/* A captive-portal URI has no lifetime of its own (RFC 8910): relayed for
 * the announcing RA's router lifetime, at least this long after it was heard. */
#define RA_CAPPORT_MIN_LIFE_S   1800u

#define RA_LIFETIME_INFINITE    0xffffffffu
#define RA_END_NEVER            UINT64_MAX

/* --- ra_sched.c ---------------------------------------------------------- */

/* When one interface sends its next multicast RA. Times are absolute ms;
 * 0 means "none". */
struct ra_sched {
	uint32_t min_ms, max_ms;  /* unsolicited interval */
	bool running;
	uint8_t initial_left;     /* first RAs still sent at <= 16 s intervals */
	uint64_t next_unsol_ms;   /* next unsolicited RA */
	uint64_t soon_ms;         /* an RS answer or a change, earlier than that */
	uint64_t last_mcast_ms;
};

void ra_sched_init(struct ra_sched *s, uint32_t min_ms, uint32_t max_ms);
/* The interface starts advertising: first RA at once (rate limit permitting). */
void ra_sched_start(struct ra_sched *s, uint64_t now);
void ra_sched_stop(struct ra_sched *s);
/* What we advertise was refreshed: send soon; burst = it changed, so repeat
 * it in a new initial burst. */
void ra_sched_changed(struct ra_sched *s, uint64_t now, bool burst);
/* An RS arrived; rnd is a random number (RFC 4861 §6.2.6). */
void ra_sched_solicited(struct ra_sched *s, uint64_t now, uint32_t rnd);
/* When the next RA is due (never earlier than MIN_DELAY_BETWEEN_RAS after
 * the last one), or 0 when the interface is not advertising. */
uint64_t ra_sched_due(const struct ra_sched *s);
/* A multicast RA went out at now; pick the next unsolicited time. */
void ra_sched_sent(struct ra_sched *s, uint64_t now, uint32_t rnd);

/* --- interfaces ---------------------------------------------------------- */

enum ra_role { RA_ROLE_UPSTREAM, RA_ROLE_DOWNSTREAM, RA_ROLE_ADVERT };

struct ra_engine;
struct ra_relay;
struct ra_advert;

/* An interface named in the config, present in the kernel or not. */
struct ra_if {
	struct ra_engine *e;
	char name[IF_NAMESIZE];
	enum ra_role role;
	struct ra_relay *relay;   /* upstream, downstream */
	struct ra_advert *adv;    /* advert; or a downstream's own `ra` block; NULL on a link only fed dynamically */
	struct ra_dyn *dyn;       /* items fed by ra_engine_set_dynamic, or NULL */
	uint16_t down_idx;        /* downstream: index in relay->down */
	const char *pattern;      /* downstream: the configured pattern it matched, or NULL */
	int ifindex;              /* 0 = not in the kernel (as far as we know) */
	bool up;                  /* upstream: up at the last sync (RS when it comes up) */
	struct ra_sched sched;    /* downstream, advert */
	struct loop_timer timer;
	uint32_t n_hosts;         /* downstream: entries in the host table */
	uint64_t tx_ra, rx_rs;
	uint64_t last_tx_ms;
};

/* --- ra_upstream.c ------------------------------------------------------- */

struct ra_router {
	bool used;
	struct in6_addr addr;
	struct nd_lladdr ll;
	uint8_t cur_hop_limit, flags;
	uint16_t lifetime;           /* as last heard */
	uint32_t reachable_time, retrans_timer, mtu;
	uint64_t heard_ms, lifetime_end;
	uint64_t n_ra;
	bool is_default;             /* lifetime_end not yet seen passing */
};

/* A prefix, route, DNS server or search list: when it ends, which routers
 * announce it, and whether it was withdrawn (then sent with lifetime 0
 * until withdrawn_end, and forgotten after). */
struct ra_life {
	uint64_t valid_end, pref_end; /* RA_END_NEVER = infinite */
	uint64_t routers;             /* bit i = routers[i] announces it */
	bool withdrawn;
	bool ran_out;                 /* withdrawn because its lifetime ended */
	uint64_t withdrawn_end;
	uint64_t since_ms;
};

struct ra_prefix {
	bool used;
	struct in6_addr prefix;
	uint8_t plen, flags;
	struct ra_life life;
};

struct ra_route {
	bool used;
	struct in6_addr prefix;
	uint8_t plen, pref;
	struct ra_life life;
};

struct ra_rdnss {
	bool used;
	struct in6_addr addr;
	struct ra_life life;
};

struct ra_dnssl { /* one search domain */
	bool used;
	uint16_t len;
	uint8_t names[RA_DNSSL_NAMES_MAX]; /* the encoded name, its zero included */
	struct ra_life life;
};

struct ra_pref64 { /* RFC 8781 */
	bool used;
	uint8_t plen;
	uint8_t prefix[12];
	struct ra_life life;
};

struct ra_capport { /* RFC 8910: one URI per link, the last one heard */
	bool used;
	uint16_t len;
	uint8_t uri[ND_CAPPORT_MAX];
	struct ra_life life;
};

struct ra_upstream {
	struct ra_router routers[RA_MAX_ROUTERS];
	struct ra_prefix prefixes[RA_MAX_PREFIXES];
	struct ra_route routes[RA_MAX_ROUTES];
	struct ra_rdnss rdnss[RA_MAX_RDNSS];
	struct ra_dnssl dnssl[RA_MAX_DNSSL];
	struct ra_pref64 pref64[RA_MAX_PREF64];
	struct ra_capport capport;
	uint64_t last_ra_ms;
	bool link_lost;               /* upstream went down; cleared by the next RA */
};

/* Scratch for building one RA: nd_ra's DNSSL bodies point in here (a
 * relay's up to 8 options, or an advertised link's one long option); its
 * captive-portal URI points into the upstream state. */
#define RA_DNSSL_BUF (RA_MAX_DNSSL * (4 + RA_DNSSL_NAMES_MAX))
struct ra_build {
	struct nd_ra ra;
	uint8_t dnssl[RA_DNSSL_BUF];
};

struct ra_merge_result {
	bool changed;     /* something hosts must learn about at once */
	bool ignored;     /* a 65th router */
	unsigned withdrawn;
	unsigned prefixes_over_cap, routes_over_cap, rdnss_over_cap, dnssl_over_cap, pref64_over_cap;
};

/* Merge one RA from src into u. */
void ra_upstream_merge(struct ra_upstream *u, const struct nd_msg *m, const struct nd_lladdr *ll,
                       uint64_t now, struct ra_merge_result *res);
/* Drop what has expired; returns true when a prefix ran out or its entry
 * was removed (hosts inside it are gone) and sets *changed when downstream
 * RAs must tell. */
bool ra_upstream_expire(struct ra_upstream *u, uint64_t now, bool *changed);
/* The earliest time something in u expires, or RA_END_NEVER. */
uint64_t ra_upstream_next_expiry(const struct ra_upstream *u, uint64_t now);
/* The upstream interface went down: no router is a default router now. */
bool ra_upstream_routers_lost(struct ra_upstream *u, uint64_t now);
/* Anything worth relaying? (a router heard whose information is alive) */
bool ra_upstream_has_content(const struct ra_upstream *u);
/* The prefix entry (live, or also withdrawn but not run out) containing
 * addr, or NULL. */
const struct ra_prefix *ra_upstream_prefix_of(const struct ra_upstream *u, const struct in6_addr *addr,
                                              bool live_only);
/* The relayed RA for a downstream with link MTU link_mtu (0 = unknown):
 * A flag kept, L cleared, proxy flag set, lifetimes as they have aged. */
void ra_upstream_build(const struct ra_upstream *u, uint64_t now, uint32_t link_mtu, bool final,
                       struct ra_build *b);
/* Seconds left until end (rounded up), RA_LIFETIME_INFINITE for never. */
uint32_t ra_remaining_s(uint64_t end, uint64_t now);
uint64_t ra_end_of(uint32_t lifetime_s, uint64_t now);

/* --- ra_advert.c --------------------------------------------------------- */

/* A copy of the `ra` block: the engine keeps no pointer into a conf, so a
 * failed or partial reload can never leave one dangling. */
struct ra_advert {
	struct conf_ra conf;  /* its pointers point into the arrays below */
	struct conf_ra_prefix prefixes[ND_RA_MAX_PREFIXES];
	struct in6_addr rdnss[ND_RA_MAX_RDNSS];
	size_t n_dnssl_names;
	struct ra_if *ifc;
	uint16_t dnssl_len;            /* encoded names, 0 = no DNSSL option */
	uint8_t dnssl_names[RA_DNSSL_BUF - 4];
};

/* Append one DNSSL option (lifetime, then the encoded names) to the RA in
 * b, its body in b's scratch; skipped when the RA has ND_RA_MAX_DNSSL or
 * the scratch no room. */
void ra_build_add_dnssl(struct ra_build *b, uint32_t lifetime, const uint8_t *names, uint16_t len);
/* Encode conf's DNSSL names once; returns 0 or -EINVAL (names too long). */
int ra_advert_init(struct ra_advert *a, const struct conf_ra *conf);
/* The RA radvd would send for the same settings; final = shutdown RA
 * (router, RDNSS and DNSSL lifetimes 0, as radvd's defaults do). */
void ra_advert_build(const struct ra_advert *a, bool final, struct ra_build *b);
/* The block is on a relay's downstream: add its prefixes, RDNSS and DNSSL
 * to the relayed RA in b (the relayed header stays). */
void ra_advert_merge(const struct ra_advert *a, bool final, struct ra_build *b);

/* Append name as uncompressed DNS labels to out (len bytes used of cap);
 * returns the new length or -1. */
int ra_encode_name(uint8_t *out, size_t cap, size_t len, const char *name);

/* --- ra_dyn.c ------------------------------------------------------------ */

/* One link's dynamic items, kept across reloads (indexed by name). */
struct ra_dyn {
	bool used;
	char name[IF_NAMESIZE];
	struct ra_dynamic d;
	uint16_t dnssl_len;                  /* encoded d.domains */
	uint8_t dnssl_names[RA_DYN_MAX_DOMAINS * RA_DNSSL_NAMES_MAX];
	struct ra_advert hdr;                /* the RA header of a link without an `ra` block */
};

/* Anything worth advertising at now (a prefix or DNS item not yet forgotten)? */
bool ra_dyn_live(const struct ra_dyn *dy, uint64_t now);
/* Any prefix still valid at now (the router is worth a default route)? */
bool ra_dyn_valid_prefix(const struct ra_dyn *dy, uint64_t now);
/* Add dy's prefixes (L and A set, lifetimes as left at now, capped per RFC
 * 9096), RDNSS and DNSSL (lifetime min(3 * max_interval_s, left), RFC 8106
 * §5.1) to the RA in b. final: DNS lifetimes 0. */
void ra_dyn_merge(const struct ra_dyn *dy, uint64_t now, uint32_t max_interval_s, bool final,
                  struct ra_build *b);
/* The dyn table's entry for ifname, or NULL. */
struct ra_dyn *ra_dyn_find(struct ra_engine *e, const char *ifname);

/* --- ra_hosts.c ---------------------------------------------------------- */

enum ra_host_state {
	RA_HOST_FREE = 0,
	RA_HOST_TENTATIVE,  /* DAD probe seen, waiting for a defence */
	RA_HOST_LEARNED,    /* reported to the daemon */
	RA_HOST_PROBING,    /* kernel dropped the neighbour: asking ourselves */
};

enum ra_host_via { RA_VIA_DAD, RA_VIA_NA, RA_VIA_NS, RA_VIA_NEIGH };

struct ra_host {
	struct in6_addr addr;
	struct nd_lladdr ll;
	uint32_t next;        /* hash chain or free list: index + 1, 0 = end */
	uint16_t down;        /* downstream index in the relay */
	uint8_t state, via, probes;
	uint64_t first_ms, seen_ms;
	uint64_t deadline_ms; /* tentative: confirm; probing: next probe */
};

struct ra_hosts {
	struct ra_host *slot;
	uint32_t cap, used;
	uint32_t *bucket;     /* index + 1, 0 = empty */
	uint32_t mask;
	uint32_t free_head;   /* index + 1 */
	const struct hash_key *key;
};

int ra_hosts_init(struct ra_hosts *h, uint32_t cap, const struct hash_key *key);
void ra_hosts_free(struct ra_hosts *h);
struct ra_host *ra_hosts_find(struct ra_hosts *h, const struct in6_addr *addr);
/* A free slot for addr (state must then be set), or NULL when full. */
struct ra_host *ra_hosts_add(struct ra_hosts *h, const struct in6_addr *addr);
void ra_hosts_remove(struct ra_hosts *h, struct ra_host *host);
static inline uint32_t ra_hosts_index(const struct ra_hosts *h, const struct ra_host *host)
{
	return (uint32_t)(host - h->slot);
}

/* --- relays -------------------------------------------------------------- */

/* A DAD probe we carried: its defence, heard on another link, goes back. */
struct ra_dad {
	bool used;
	struct in6_addr target;
	uint8_t nonce_len;
	uint8_t nonce[6 * 8 - 2];
	int origin_ifindex;
	uint64_t until_ms;
};

struct ra_relay {
	struct ra_engine *e;
	bool learn_hosts;
	struct ra_if *up;
	struct ra_if **down;
	uint16_t n_down;
	struct ra_upstream st;
	struct ra_hosts hosts;
	struct ra_dad dad[RA_DAD_PENDING_MAX];
	struct token_bucket dad_budget;
	struct loop_timer maint;
	bool content;           /* st had something to relay at the last check (false while paused) */
	bool paused;            /* island in routed mode (ra_engine_relay_pause): nothing relayed or learned */
	bool deprecating;       /* the RA being built is the pause's last: relayed prefixes with preferred 0 */
	uint8_t rs_left;        /* Router Solicitations still to send upstream */
	struct loop_timer rs_timer;
};

/* --- the engine ---------------------------------------------------------- */

struct ra_engine {
	struct loop *loop;
	struct iftable *ifs;
	struct ra_ops ops;
	const struct conf *conf; /* the running config, for patterns; NULL after a failed reload */
	/* an interface a pattern covered goes: the table still holds it during
	 * the event, so the downstreams are rebuilt right after */
	struct loop_timer pattern_timer;
	struct hash_key hkey;
	uint64_t rng;
	bool shut;
	struct ra_counters cnt;
	struct ra_build build;  /* scratch for the RA being sent */

	struct ra_relay **relays;
	size_t n_relays;
	struct ra_advert **adverts;
	size_t n_adverts;
	struct ra_if **ifaces;  /* every interface above, for lookups by name/index */
	size_t n_ifaces;
	struct ra_dyn *dyn;     /* RA_DYN_MAX_LINKS entries, allocated at the first use */
};

uint64_t ra_now(const struct ra_engine *e);
uint32_t ra_random(struct ra_engine *e);
struct ra_if *ra_if_by_index(const struct ra_engine *e, int ifindex);
/* Send a whole packet on ifc to the link-layer address for IPv6 dst
 * (multicast) or to ll (unicast). Counts errors. */
void ra_if_send(struct ra_if *ifc, const struct in6_addr *dst, const struct nd_lladdr *ll,
                const uint8_t *pkt, size_t len);
/* Our link-local address on ifc and its link-layer address; false (and
 * counted) when the interface is absent, down or has none yet. */
bool ra_if_source(struct ra_if *ifc, struct in6_addr *src, struct nd_lladdr *ll);
/* Is addr or the frame's source one of our own (a packet looped back)? */
bool ra_is_own(const struct ra_engine *e, const struct in6_addr *src, const struct pkt_in *pin);
/* Arm the relay's maintenance timer for its next deadline. */
void ra_relay_rearm(struct ra_relay *r);
/* Tell each downstream that the relayed information changed. */
void ra_relay_changed(struct ra_relay *r, bool urgent);

/* ra_learn.c */
void ra_learn_on_nd(struct ra_relay *r, struct ra_if *ifc, const struct nd_msg *m,
                    const struct pkt_in *pin);
void ra_learn_on_neigh(struct ra_relay *r, struct ra_if *ifc, const struct kneigh *n, bool deleted);
/* Timers: confirm tentative hosts, probe, expire carried DAD; returns the
 * next deadline or RA_END_NEVER. */
uint64_t ra_learn_tick(struct ra_relay *r, uint64_t now);
/* Forget hosts no relayed prefix covers any more. */
void ra_learn_prune(struct ra_relay *r);
/* Forget every host behind downstream idx (all when idx < 0). */
void ra_learn_forget_link(struct ra_relay *r, int idx);
/* The upstream's ifindex changed from old_ifindex: report hosts again. */
void ra_learn_upstream_moved(struct ra_relay *r, int old_ifindex);
/* Move the hosts of old (reload) into r: downstreams matched by name. */
void ra_learn_take_over(struct ra_relay *r, struct ra_relay *old);

/* ra_dump.c */
const char *ra_host_via_name(uint8_t via);
const char *ra_host_state_name(uint8_t state);

#endif
