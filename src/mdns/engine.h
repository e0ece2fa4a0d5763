/* The mDNS reflector engine: decides what crosses between links and in what
 * form. It owns no socket and no timer: packets come in through
 * mdns_engine_input() with their metadata, go out through ops->send, group
 * membership through ops->membership, time through ops->now_ms. Unit tests
 * and the fuzzer drive it with fake ops; src/mdns/reflector.c wires it to
 * src/net/mdns_sock.c and the daemon's loop. */
#ifndef ISLANDD_MDNS_ENGINE_H
#define ISLANDD_MDNS_ENGINE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "net/iftable.h"
#include "net/mdns_dgram.h"
#include "proto/dns.h"

#define MDNS_MTU_DEFAULT   1500  /* a link whose MTU netlink did not give */
#define MDNS_MAX_IFACES    32    /* listed interfaces (link bitmasks are 32 bits) */
#define MDNS_MAX_LINKS     256   /* host links mirrored, listed or not (for reload) */
#define MDNS_MAX_ADDRS     512   /* host addresses mirrored */
#define MDNS_LEGACY_SLOTS  64
#define MDNS_LEGACY_MS     3000  /* how long answers to a legacy query are mapped back */
#define MDNS_LEGACY_TTL_MAX 10   /* RFC 6762 §6.7 */
/* After a packet from our own address (a local mDNS stack such as avahi)
 * first shows up, wait this long before reflecting such packets, so the
 * stack has shown on which links it answers for itself. */
#define MDNS_LOCAL_STACK_LEARN_MS 5000

/* The largest DNS payload of a datagram of `datagram` bytes: IPv4 (20)
 * or IPv6 (40) header and UDP header (8) taken off. */
#define MDNS_IP_UDP_HEADERS(family) ((family) == AF_INET ? 28u : 48u)
static inline size_t mdns_payload_max(int family, size_t datagram)
{
	return datagram - MDNS_IP_UDP_HEADERS(family);
}

struct mdns_engine_ops {
	void *ctx;
	uint64_t (*now_ms)(void *ctx);
	/* 0, or -errno: the engine counts failures and carries on. */
	int (*send)(void *ctx, const struct mdns_tx *tx, const uint8_t *pkt, size_t len);
	/* Join (or leave) 224.0.0.251 / ff02::fb on ifindex. 0, -EADDRINUSE
	 * when already joined, or -errno. */
	int (*membership)(void *ctx, int family, int ifindex, bool join);
};

/* Why a received packet was not reflected (exactly one per packet). The
 * names are part of islandctl's JSON output. */
enum mdns_drop {
	MDNS_DROP_IFACE,            /* arrived on a link not in the mdns block */
	MDNS_DROP_FAMILY,           /* IPv4/IPv6 switched off on that link */
	MDNS_DROP_TOO_BIG,          /* a datagram over MDNS_PACKET_MAX, or nothing fits the MTU */
	MDNS_DROP_MALFORMED,        /* the DNS codec refused it (reason in dns_drops) */
	MDNS_DROP_OPCODE,           /* RFC 6762 §18.3 */
	MDNS_DROP_RCODE,            /* RFC 6762 §18.11 */
	MDNS_DROP_RESPONSE_PORT,    /* a response not from port 5353 (§6) */
	MDNS_DROP_UNICAST,          /* unicast to port 5353 that is not a legacy query */
	MDNS_DROP_OFFLINK,          /* unicast or legacy source not on the arrival link */
	MDNS_DROP_HOP_LIMIT,        /* unicast answer with hop limit != 255 (§11) */
	MDNS_DROP_OWN,              /* from this host and nowhere it may go */
	MDNS_DROP_ECHO,             /* everything in it was reflected already: a loop */
	MDNS_DROP_FILTERED,         /* nothing left to send after the filters */
	MDNS_DROP_NO_DEST,          /* no other link ready to send to */
	MDNS_DROP_RATE_LIMITED,     /* every destination link was over its rate */
	MDNS_DROP_SEND_FAILED,      /* every send failed */
	MDNS_DROP_LEGACY_UNMATCHED, /* on the legacy socket, not an answer we wait for */
	MDNS_DROP_LEGACY_FULL,      /* too many legacy queries in flight */
	MDNS_DROP__MAX
};

const char *mdns_drop_name(enum mdns_drop reason);

struct mdns_counters {
	uint64_t rx, rx_bytes;
	uint64_t tx, tx_bytes, tx_errors;
	uint64_t reflected;          /* received packets sent on to at least one link */
	uint64_t rate_limited;       /* copies not sent because a link was over its rate */
	uint64_t records_filtered;   /* records left out of a copy */
	uint64_t qu_cleared;         /* QU questions sent on as QM */
	uint64_t flush_cleared;      /* cache-flush bits cleared on reflected records */
	uint64_t split;              /* copies sent in several packets to fit the MTU */
	uint64_t records_too_big;    /* records left out: alone larger than the MTU */
	uint64_t legacy_queries, legacy_answers;
	uint64_t echo_records;       /* records recognised as coming back */
	uint64_t recent_evictions;
	uint64_t mirror_full;        /* links/addresses not mirrored: tables full */
	uint64_t drops[MDNS_DROP__MAX];
	uint64_t dns_drops[DNS_DROP__MAX];
};

struct mdns_iface_counters {
	uint64_t rx, tx, dropped, rate_limited, tx_errors;
};

struct mdns_engine;

/* seed makes the echo-memory keys and the legacy IDs unpredictable. NULL +
 * errno on failure (EINVAL: bad filter or more than MDNS_MAX_IFACES). */
struct mdns_engine *mdns_engine_new(const struct conf_mdns *conf,
                                    const struct mdns_engine_ops *ops, uint64_t seed);
/* Swap in a new conf; interfaces listed in both keep their state and
 * memberships, removed ones leave the groups. 0 or -errno (then the old
 * settings stay in force). The engine keeps no pointer into conf: it may
 * be freed as soon as this (or mdns_engine_new) returns. */
int mdns_engine_reload(struct mdns_engine *e, const struct conf_mdns *conf);
void mdns_engine_free(struct mdns_engine *e);

/* Interface-table changes (net/iftable.h), and every address of the host. */
void mdns_engine_on_iface(struct mdns_engine *e, const struct iface *ifc, unsigned changes);
void mdns_engine_on_addr(struct mdns_engine *e, const struct iface_addr *a, bool deleted);

void mdns_engine_input(struct mdns_engine *e, const struct mdns_rx *rx,
                       const uint8_t *pkt, size_t len);
/* A copy that ops.send accepted (queued) was refused by the kernel later:
 * counted as a send error on ifindex instead of as sent. */
void mdns_engine_tx_failed(struct mdns_engine *e, int ifindex, size_t len);

struct json;
/* islandctl mdns: "interfaces", settings and "counters" as members of the
 * object j is in (util/json.h). */
void mdns_engine_dump(const struct mdns_engine *e, struct json *j);

const struct mdns_counters *mdns_engine_counters(const struct mdns_engine *e);

/* One listed interface as the engine sees it (for tests and the dump). */
struct mdns_iface_view {
	const char *name;
	int ifindex;        /* 0 = not present */
	bool up, joined4, joined6, local_stack;
	const struct mdns_iface_counters *c;
};
size_t mdns_engine_n_ifaces(const struct mdns_engine *e);
void mdns_engine_iface(const struct mdns_engine *e, size_t i, struct mdns_iface_view *out);

#endif
