/* The DHCPv6 prefix-delegation client (RFC 8415), one per upstream link.
 *
 * No sockets here: the daemon hands in every datagram that arrived on the
 * upstream's port 546; the engine sends whole DHCPv6 messages (to
 * All_DHCP_Relay_Agents_and_Servers, ff02::1:2) through struct pd_ops,
 * reads its time from the loop, stores its DUID and lease through the ops,
 * and reports the lease through ops->lease_changed. Tests drive it with
 * fake ops and tests/unit/fake_loop.h's clock.
 *
 * States: Solicit (first one delayed up to SOL_MAX_DELAY) -> Advertise
 * collection -> Request -> bound -> Renew at T1 -> Rebind at T2 -> expiry,
 * with the retransmission of RFC 8415 §15 for each message type. A restart
 * with a saved lease continues it (Renew before T2, Rebind after), never
 * with a Solicit while a prefix is valid. Every table is fixed-size: a
 * flood of anything costs a parse and a counter. */
#ifndef ISLANDD_DHCP6PD_PD_H
#define ISLANDD_DHCP6PD_PD_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp6pd/pd_lease.h"
#include "proto/dhcp6.h"
#include "util/loop.h"

struct json;

struct pd_ops {
	void *ctx;
	/* Send a DHCPv6 message to ff02::1:2 port 547 on ifindex. 0 or -errno. */
	int (*send)(void *ctx, int ifindex, const uint8_t *msg, size_t len);
	/* Monotonic milliseconds, the loop's clock. */
	uint64_t (*now_ms)(void *ctx);
	/* Wall clock seconds (CLOCK_REALTIME): what the lease file records, so
	 * a restart after a reboot knows how much of the lease is left. */
	uint64_t (*wall_s)(void *ctx);
	/* 32 random bits: transaction ids, jitter, DUID-UUID. */
	uint32_t (*random)(void *ctx);
	/* The state file `name` ("duid", "lease-IFNAME") into buf: its length,
	 * or -1 when there is none. save writes it whole and atomically. */
	int (*load)(void *ctx, const char *name, char *buf, size_t cap);
	int (*save)(void *ctx, const char *name, const char *buf, size_t len);
	/* The lease changed: event is "bound", "renewed", "changed", "expired"
	 * or "stopped". May be NULL. */
	pd_lease_changed_fn lease_changed;
	void *lease_ctx;
};

struct pd_client_conf {
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool has_mac;              /* Ethernet-like link: DUID-LL from it */
	uint8_t mac[6];
	bool has_hint;
	struct in6_addr hint;
	uint8_t hint_plen;
	bool release;              /* send a Release at stop (RFC 9096: default no) */
};

/* RFC 8415 §7.6 transmission parameters, milliseconds. */
#define PD_SOL_MAX_DELAY_MS 1000
#define PD_SOL_TIMEOUT_MS   1000
#define PD_SOL_MAX_RT_MS    3600000
#define PD_REQ_TIMEOUT_MS   1000
#define PD_REQ_MAX_RT_MS    30000
#define PD_REQ_MAX_RC       10
#define PD_REN_TIMEOUT_MS   10000
#define PD_REN_MAX_RT_MS    600000
#define PD_REB_TIMEOUT_MS   10000
#define PD_REB_MAX_RT_MS    600000
#define PD_REL_TIMEOUT_MS   1000
#define PD_REL_MAX_RC       4

/* Prefix lengths this client accepts: a site's delegation (RFC 6177). */
#define PD_MIN_PLEN 48
#define PD_MAX_PLEN 64

enum pd_state {
	PD_ST_IDLE,        /* link down or not started */
	PD_ST_SOLICIT,     /* soliciting, collecting Advertises */
	PD_ST_REQUEST,
	PD_ST_BOUND,
	PD_ST_RENEW,
	PD_ST_REBIND,
};
const char *pd_state_name(enum pd_state s);

/* Why a received message was not used; each has a counter. */
enum pd_drop {
	PD_DROP_PARSE,           /* the codec refused it (see parse[] for why) */
	PD_DROP_NOT_FOR_CLIENT,  /* a client->server or relay message type */
	PD_DROP_UNEXPECTED,      /* Advertise/Reply while no exchange wants it */
	PD_DROP_WRONG_XID,
	PD_DROP_NO_CLIENT_ID,    /* absent, or not our DUID */
	PD_DROP_NO_SERVER_ID,
	PD_DROP_WRONG_SERVER,    /* Reply from a server other than the one asked */
	PD_DROP_RECONFIGURE,     /* no Reconfigure Accept was sent: every one is dropped */
	PD_DROP_NO_PREFIX,       /* Advertise/Reply without a usable prefix (NoPrefixAvail ...) */
	PD_DROP_BAD_IA,          /* T1 > T2, or another IAID */
	PD_DROP__MAX
};
const char *pd_drop_name(enum pd_drop d);

struct pd_counters {
	uint64_t rx, tx, tx_errors;
	uint64_t sent[DHCP6_RELAY_REPL + 1];      /* per message type */
	uint64_t received[DHCP6_RELAY_REPL + 1];
	uint64_t drops[PD_DROP__MAX];
	uint64_t parse[DHCP6_ERR__MAX];
	uint64_t prefixes_refused;  /* a prefix outside /48../64, preferred > valid, valid 0 */
	uint64_t no_binding, no_prefix_avail;
	uint64_t bound, renewed, changed, expired;
	uint64_t save_errors;
};

struct pd_client;

/* NULL on allocation failure. Nothing is sent before pd_client_start. */
struct pd_client *pd_client_new(struct loop *loop, const struct pd_ops *ops,
                                const struct pd_client_conf *conf);
/* Load (or create) the DUID, load the lease; continue it or solicit. */
void pd_client_start(struct pd_client *c);
/* A datagram from src on the upstream. */
void pd_client_input(struct pd_client *c, const uint8_t *msg, size_t len,
                     const struct in6_addr *src);
/* The upstream's carrier / its link-local address came or went: on the way
 * up a bound client confirms its lease with a Rebind (§18.2.12). */
void pd_client_link(struct pd_client *c, bool up);
/* A reload's new hint and release flag (used from the next exchange on). */
void pd_client_set_options(struct pd_client *c, bool has_hint, const struct in6_addr *hint,
                           uint8_t hint_plen, bool release);
/* Stop: a Release only when conf.release; with a lease, "stopped" is
 * reported (now: state PD_NONE, the prefixes as they were, valid at the
 * server unless released); frees. */
void pd_client_free(struct pd_client *c);

const struct pd_lease *pd_client_lease(const struct pd_client *c);
const struct pd_counters *pd_client_counters(const struct pd_client *c);
enum pd_state pd_client_state(const struct pd_client *c);
int pd_client_ifindex(const struct pd_client *c);
/* The upstream's entry of `islandctl pd`: state, DUIDs, prefixes with
 * their remaining lifetimes, T1/T2, counters. */
void pd_client_dump(const struct pd_client *c, struct json *j);

/* The lease file's text (pd_store.c), exposed for tests. */
struct pd_saved {
	uint32_t iaid;
	struct dhcp6_duid server_id;
	struct in6_addr server;
	uint32_t t1, t2;           /* seconds from `wall` */
	uint64_t wall;             /* wall clock seconds when the lifetimes started */
	struct pd_lease lease;     /* prefixes' lifetimes from `wall` */
};
size_t pd_saved_format(const struct pd_saved *s, char *buf, size_t cap);
int pd_saved_parse(const char *text, size_t len, struct pd_saved *s);

#endif
