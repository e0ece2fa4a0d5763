/* DHCPv6 wire format (RFC 8415) for the prefix-delegation client and,
 * later, the relay: client/server messages (type, 24-bit transaction id,
 * options) and relay messages (§9: hop count, link and peer addresses,
 * options).
 *
 * Pure code: no I/O, no globals, no allocation. dhcp6_parse() fills a
 * bounded struct (DUIDs kept as bytes, domain names as text, a Relay
 * Message as a pointer into the input); dhcp6_build() writes such a struct
 * back, so parse -> build -> parse gives the same struct. Every rejection
 * has a named reason (dhcp6_err_name), counted by the daemon. */
#ifndef ISLANDD_PROTO_DHCP6_H
#define ISLANDD_PROTO_DHCP6_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547
#define DHCP6_HDR_LEN 4
#define DHCP6_RELAY_HDR_LEN 34
#define DHCP6_OPT_HDR_LEN 4
#define DHCP6_HOP_COUNT_LIMIT 8  /* RFC 8415 §7.6 */
#define DHCP6_MSG_MAX 1500       /* what one datagram on a link of MTU 1500 can carry, roughly */

/* Bounds on what one message can make the client hold. */
#define DHCP6_DUID_MAX 130       /* RFC 8415 §11.1: type (2) + at most 128 */
#define DHCP6_MAX_IA_PD 4
#define DHCP6_MAX_IAPREFIX 8     /* per IA_PD */
#define DHCP6_MAX_ORO 16
#define DHCP6_MAX_DNS 8
#define DHCP6_MAX_DOMAINS 8
#define DHCP6_DOMAIN_MAX 256     /* text, NUL included */
#define DHCP6_STATUS_MSG_MAX 64  /* kept for logs; longer text is cut */
#define DHCP6_IFACE_ID_MAX 64
#define DHCP6_MAX_DEPTH 3        /* message > IA_PD > IA Prefix > Status Code */

enum dhcp6_type {
	DHCP6_SOLICIT = 1, DHCP6_ADVERTISE = 2, DHCP6_REQUEST = 3, DHCP6_CONFIRM = 4,
	DHCP6_RENEW = 5, DHCP6_REBIND = 6, DHCP6_REPLY = 7, DHCP6_RELEASE = 8,
	DHCP6_DECLINE = 9, DHCP6_RECONFIGURE = 10, DHCP6_INFORMATION_REQUEST = 11,
	DHCP6_RELAY_FORW = 12, DHCP6_RELAY_REPL = 13,
};

enum dhcp6_opt {
	DHCP6_OPT_CLIENTID = 1, DHCP6_OPT_SERVERID = 2, DHCP6_OPT_IA_NA = 3,
	DHCP6_OPT_IA_TA = 4, DHCP6_OPT_IAADDR = 5, DHCP6_OPT_ORO = 6,
	DHCP6_OPT_PREFERENCE = 7, DHCP6_OPT_ELAPSED_TIME = 8, DHCP6_OPT_RELAY_MSG = 9,
	DHCP6_OPT_AUTH = 11, DHCP6_OPT_UNICAST = 12, DHCP6_OPT_STATUS_CODE = 13,
	DHCP6_OPT_RAPID_COMMIT = 14, DHCP6_OPT_INTERFACE_ID = 18,
	DHCP6_OPT_RECONF_MSG = 19, DHCP6_OPT_RECONF_ACCEPT = 20,
	DHCP6_OPT_DNS_SERVERS = 23, DHCP6_OPT_DOMAIN_LIST = 24, DHCP6_OPT_IA_PD = 25,
	DHCP6_OPT_IAPREFIX = 26, DHCP6_OPT_SOL_MAX_RT = 82, DHCP6_OPT_INF_MAX_RT = 83,
};

enum dhcp6_status {
	DHCP6_STATUS_SUCCESS = 0, DHCP6_STATUS_UNSPEC_FAIL = 1, DHCP6_STATUS_NO_ADDRS_AVAIL = 2,
	DHCP6_STATUS_NO_BINDING = 3, DHCP6_STATUS_NOT_ON_LINK = 4, DHCP6_STATUS_USE_MULTICAST = 5,
	DHCP6_STATUS_NO_PREFIX_AVAIL = 6,
};

/* Why a message was not accepted. The names are islandctl's counter keys:
 * keep them stable. */
enum dhcp6_err {
	DHCP6_OK = 0,
	DHCP6_ERR_SHORT,          /* shorter than its header */
	DHCP6_ERR_TOO_LONG,       /* longer than DHCP6_MSG_MAX */
	DHCP6_ERR_TYPE,           /* message type 0 or unknown */
	DHCP6_ERR_OPT_OVERRUN,    /* an option's length runs past its container */
	DHCP6_ERR_OPT_LEN,        /* an option's length does not fit its layout */
	DHCP6_ERR_DUPLICATE,      /* an option that may appear once appears twice */
	DHCP6_ERR_DEPTH,          /* options nested deeper than DHCP6_MAX_DEPTH */
	DHCP6_ERR_TOO_MANY,       /* more IA_PDs, prefixes, ORO codes, servers, names than held */
	DHCP6_ERR_DUID,           /* a DUID shorter than 3 or longer than 130 bytes */
	DHCP6_ERR_PREFIX_LEN,     /* an IA Prefix length above 128 */
	DHCP6_ERR_DOMAIN,         /* a domain list name that is not LDH labels */
	DHCP6_ERR_RELAY,          /* a relay message without its Relay Message option */
	DHCP6_ERR__MAX
};

const char *dhcp6_err_name(enum dhcp6_err e);
const char *dhcp6_type_name(uint8_t type);     /* "SOLICIT", or NULL when unknown */
const char *dhcp6_status_name(uint16_t code);  /* "NoBinding", or NULL when unknown */

struct dhcp6_duid {
	uint16_t len;             /* 0 = absent */
	uint8_t bytes[DHCP6_DUID_MAX];
};

struct dhcp6_status_opt {
	bool present;
	uint16_t code;
	uint8_t msg_len;          /* bytes of msg kept (UTF-8 as sent, cut at DHCP6_STATUS_MSG_MAX) */
	char msg[DHCP6_STATUS_MSG_MAX];
};

struct dhcp6_iaprefix {
	uint32_t preferred, valid; /* seconds; 0xffffffff = infinity */
	uint8_t plen;
	struct in6_addr prefix;
	struct dhcp6_status_opt status;
};

struct dhcp6_ia_pd {
	uint32_t iaid, t1, t2;
	size_t n_prefixes;
	struct dhcp6_iaprefix prefixes[DHCP6_MAX_IAPREFIX];
	struct dhcp6_status_opt status;
};

struct dhcp6_msg {
	uint8_t type;
	uint32_t xid;             /* 24 bits; client/server messages */
	/* relay messages (type 12, 13) */
	uint8_t hop_count;
	struct in6_addr link_addr, peer_addr;
	const uint8_t *relay_msg; /* points into the parsed buffer */
	uint16_t relay_msg_len;
	uint8_t interface_id_len; /* 0 = absent */
	uint8_t interface_id[DHCP6_IFACE_ID_MAX];

	struct dhcp6_duid client_id, server_id;
	size_t n_ia_pd;
	struct dhcp6_ia_pd ia_pd[DHCP6_MAX_IA_PD];
	struct dhcp6_status_opt status;
	size_t n_oro;
	uint16_t oro[DHCP6_MAX_ORO];
	bool has_elapsed;
	uint16_t elapsed_cs;      /* hundredths of a second */
	bool has_preference;
	uint8_t preference;
	bool rapid_commit, reconf_accept;
	uint8_t reconf_msg;       /* 0 = absent, else the message type asked for */
	bool has_sol_max_rt;
	uint32_t sol_max_rt;
	size_t n_dns;
	struct in6_addr dns[DHCP6_MAX_DNS];
	size_t n_domains;
	char domains[DHCP6_MAX_DOMAINS][DHCP6_DOMAIN_MAX];
	unsigned n_unknown;       /* options skipped (not rebuilt) */
};

/* Parse one message (len bytes). DHCP6_OK and *out, or the reason. */
enum dhcp6_err dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *out);

/* Write m (every field dhcp6_parse fills, unknown options excepted) into
 * buf. Returns the length, or 0 when cap is too small or a field is out
 * of range. */
size_t dhcp6_build(const struct dhcp6_msg *m, uint8_t *buf, size_t cap);

/* What a client puts in a message (RFC 8415 §18.2). prefixes are hints in
 * Solicit, the lease's in Request/Renew/Rebind/Release. */
struct dhcp6_client_req {
	uint32_t xid;
	const struct dhcp6_duid *client_id;
	const struct dhcp6_duid *server_id; /* Request, Renew, Release only */
	uint16_t elapsed_cs;
	uint32_t iaid;
	size_t n_prefixes;
	const struct dhcp6_iaprefix *prefixes;
};

/* Each writes the message with exactly the options RFC 8415 Appendix B
 * lets that type carry (Client ID, Elapsed Time, IA_PD, ORO for DNS, domain
 * list and SOL_MAX_RT/INF_MAX_RT; Server ID where it is a MUST and never
 * where it is a MUST NOT). Return the length or 0. */
size_t dhcp6_build_solicit(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap);
size_t dhcp6_build_request(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap);
size_t dhcp6_build_renew(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap);
size_t dhcp6_build_rebind(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap);
size_t dhcp6_build_release(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap);
size_t dhcp6_build_info_request(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap);

/* RFC 8415 §19.1.1: wrap a client's message (or an inner relay's) in a
 * Relay-Forward; §19.3 the server's answer comes back in a Relay-Reply,
 * which dhcp6_parse reads (relay_msg, interface_id). */
size_t dhcp6_build_relay(uint8_t type, uint8_t hop_count, const struct in6_addr *link_addr,
                         const struct in6_addr *peer_addr, const uint8_t *iface_id,
                         uint8_t iface_id_len, const uint8_t *inner, size_t inner_len,
                         uint8_t *buf, size_t cap);

/* DUID-LL (type 3, hardware type 1: Ethernet) from a MAC address; DUID-LLT
 * (type 1) with the time in seconds since 2000-01-01 UTC. */
void dhcp6_duid_ll(struct dhcp6_duid *d, const uint8_t mac[6]);
void dhcp6_duid_llt(struct dhcp6_duid *d, const uint8_t mac[6], uint32_t time_2000);
bool dhcp6_duid_equal(const struct dhcp6_duid *a, const struct dhcp6_duid *b);
/* "00:03:00:01:02:..." into buf (cap >= 3 * DHCP6_DUID_MAX) */
void dhcp6_duid_format(const struct dhcp6_duid *d, char *buf, size_t cap);
/* The reverse; returns 0 or -1. */
int dhcp6_duid_parse_text(const char *text, struct dhcp6_duid *d);

/* Semantic equality of two parsed messages: what the fuzzer checks after
 * parse -> build -> parse (n_unknown and pointer identity aside). */
bool dhcp6_msg_equal(const struct dhcp6_msg *a, const struct dhcp6_msg *b);

#endif
