/* DHCPv4 / BOOTP messages as a relay agent sees them (RFC 2131, RFC 2132,
 * RFC 1542, RFC 3046): parse the fixed header and the options (option
 * overload included), edit in place what a relay edits (hops, giaddr, the
 * broadcast flag, the relay agent information option 82), and build the
 * IPv4 + UDP headers of a frame sent from a packet socket. No I/O, no
 * globals: the caller owns every buffer. */
#ifndef ISLANDD_PROTO_DHCP4_H
#define ISLANDD_PROTO_DHCP4_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP4_SERVER_PORT   67
#define DHCP4_CLIENT_PORT   68
#define DHCP4_FIXED_LEN     236  /* op .. file (RFC 2131 §2, figure 1) */
#define DHCP4_OPTIONS_OFF   240  /* after the magic cookie */
#define DHCP4_MIN_MSG       576  /* every host accepts this much (RFC 2131 §2) */
#define DHCP4_BOOTP_MIN_LEN 300  /* RFC 1542 §2.1: BOOTP messages are at least this long */
#define DHCP4_MAX_HOPS      16   /* RFC 1542 §4.1.1: discard above this */
#define DHCP4_FLAG_BROADCAST 0x8000
#define DHCP4_OP_REQUEST    1
#define DHCP4_OP_REPLY      2
#define DHCP4_HTYPE_ETHER   1
#define DHCP4_IP_UDP_LEN    28   /* IPv4 header without options + UDP header */

/* Field offsets in the fixed header. */
enum {
	DHCP4_OFF_OP = 0, DHCP4_OFF_HTYPE = 1, DHCP4_OFF_HLEN = 2, DHCP4_OFF_HOPS = 3,
	DHCP4_OFF_XID = 4, DHCP4_OFF_SECS = 8, DHCP4_OFF_FLAGS = 10, DHCP4_OFF_CIADDR = 12,
	DHCP4_OFF_YIADDR = 16, DHCP4_OFF_SIADDR = 20, DHCP4_OFF_GIADDR = 24,
	DHCP4_OFF_CHADDR = 28, DHCP4_OFF_SNAME = 44, DHCP4_OFF_FILE = 108, DHCP4_OFF_COOKIE = 236,
};

/* Options a relay looks at (RFC 2132 numbers). */
enum {
	DHCP4_OPT_PAD = 0, DHCP4_OPT_REQUESTED_IP = 50, DHCP4_OPT_LEASE_TIME = 51,
	DHCP4_OPT_OVERLOAD = 52, DHCP4_OPT_MSG_TYPE = 53, DHCP4_OPT_SERVER_ID = 54,
	DHCP4_OPT_MAX_MSG_SIZE = 57, DHCP4_OPT_RELAY_AGENT = 82, DHCP4_OPT_END = 255,
};

/* RFC 3046 §2.0 sub-options. */
enum { DHCP4_RAI_CIRCUIT_ID = 1, DHCP4_RAI_REMOTE_ID = 2 };

/* DHCP message types (RFC 2132 §9.6); 0 = plain BOOTP (no option 53). */
enum dhcp4_type {
	DHCP4_BOOTP = 0, DHCP4_DISCOVER = 1, DHCP4_OFFER, DHCP4_REQUEST, DHCP4_DECLINE,
	DHCP4_ACK, DHCP4_NAK, DHCP4_RELEASE, DHCP4_INFORM,
	DHCP4_TYPE_MAX = DHCP4_INFORM,
};

/* Why a message was refused: every reason is counted by name. */
enum dhcp4_drop {
	DHCP4_DROP_NONE = 0,
	DHCP4_DROP_TRUNCATED,      /* shorter than the fixed header and cookie */
	DHCP4_DROP_OP,             /* op neither BOOTREQUEST nor BOOTREPLY */
	DHCP4_DROP_HTYPE,          /* htype/hlen not Ethernet's 1/6 */
	DHCP4_DROP_COOKIE,         /* no magic cookie 99.130.83.99 */
	DHCP4_DROP_OPT_PAST_END,   /* an option's length runs past its field */
	DHCP4_DROP_OVERLOAD_LOOP,  /* option 52 inside file/sname, or twice */
	DHCP4_DROP_OVERLOAD_VALUE, /* option 52 not 1..3 or not 1 byte long */
	DHCP4_DROP_BAD_OPTION,     /* a known option with a wrong length */
	DHCP4_DROP_MSG_TYPE,       /* option 53 outside 1..8 */
	DHCP4_DROP_HOPS,           /* more than 16 relay hops */
	DHCP4_DROP_TOO_LONG,       /* larger than any buffer the relay edits in */
	DHCP4_DROP__COUNT
};
const char *dhcp4_drop_name(enum dhcp4_drop d);
const char *dhcp4_type_name(enum dhcp4_type t);

#define DHCP4_MAX_LEN 1500  /* what the relay accepts and edits (an Ethernet MTU) */

struct dhcp4_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	struct in_addr ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	enum dhcp4_type type;
	uint8_t overload;          /* option 52's value, 0 if none */
	bool has_server_id, has_lease_time, has_requested_ip;
	struct in_addr server_id, requested_ip;
	uint32_t lease_time_s;
	uint16_t max_msg_size;     /* option 57, 0 if none */
	/* Where the options field ends: the END option's offset, or the end of
	 * the last option when there is no END. */
	size_t opt_end;
	bool has_end;
	/* Option 82 in the options field: offset of its code byte, body length. */
	bool has_relay_agent;
	size_t relay_agent_off;
	uint8_t relay_agent_len;
	size_t len;                /* the message's length as parsed */
};

/* Parse len bytes of a UDP payload. DHCP4_DROP_NONE and *m filled, or why not. */
enum dhcp4_drop dhcp4_parse(const uint8_t *p, size_t len, struct dhcp4_msg *m);

/* In-place edits of a parsed message in buf. */
void dhcp4_set_hops(uint8_t *buf, uint8_t hops);
void dhcp4_set_giaddr(uint8_t *buf, struct in_addr giaddr);
void dhcp4_set_flags(uint8_t *buf, uint16_t flags);

/* Add option 82 (circuit-id, and remote-id when remote_len > 0) in front of
 * END. RFC 3046 §2.1: not when the message already carries one, and not when
 * the result would exceed the size the client accepts (max(576, option 57))
 * or cap, the buffer's room. Returns the new length, or -1 (message
 * unchanged). Pad bytes after END are reused before the message grows. */
int dhcp4_add_relay_agent(uint8_t *buf, size_t len, size_t cap, const struct dhcp4_msg *m,
                          const uint8_t *circuit, uint8_t circuit_len,
                          const uint8_t *remote, uint8_t remote_len);
/* Remove option 82 from the options field (RFC 3046 §2.2: a relay strips it
 * from replies); the freed bytes become pad so the length never shrinks
 * below what the server sent. Returns the (unchanged) length. */
size_t dhcp4_strip_relay_agent(uint8_t *buf, size_t len, const struct dhcp4_msg *m);
/* The circuit-id sub-option of option 82 of a parsed message: its length
 * (and *out pointing into buf), or -1 when there is none. */
int dhcp4_relay_agent_circuit(const uint8_t *buf, const struct dhcp4_msg *m, const uint8_t **out);

/* Write an IPv4 header (TTL ttl, DF clear, id) and a UDP header with their
 * checksums in front of payload_len bytes of payload, which must already sit
 * at frame + DHCP4_IP_UDP_LEN. Returns the frame's length. */
size_t dhcp4_build_ipv4_udp(uint8_t *frame, struct in_addr src, struct in_addr dst,
                            uint16_t sport, uint16_t dport, size_t payload_len,
                            uint8_t ttl, uint16_t id);
/* Check an IPv4 + UDP frame (as a packet socket hands it over): 0 and the
 * UDP payload's offset, length and addresses, or -1. */
int dhcp4_parse_ipv4_udp(const uint8_t *frame, size_t len, size_t *payload_off,
                         size_t *payload_len, struct in_addr *src, struct in_addr *dst,
                         uint16_t *sport, uint16_t *dport);

#endif
