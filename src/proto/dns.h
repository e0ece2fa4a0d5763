/* DNS message wire format (RFC 1035, 3597, 6762 §18) for the mDNS reflector.
 *
 * Pure code: no I/O, no globals, no allocation. dns_parse() turns a message
 * into a bounded struct: every name (owners, and the names inside the rdata
 * of the types that carry them) is decompressed into a fixed buffer, so a
 * record can be written into another message, with or without compression,
 * by dns_build(). Rdata of other types is carried as opaque bytes. */
#ifndef ISLANDD_PROTO_DNS_H
#define ISLANDD_PROTO_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HEADER_LEN    12
#define DNS_NAME_MAX      255  /* wire length of a name, root label included */
#define DNS_LABEL_MAX     63
#define DNS_MAX_RECORDS   256  /* questions + records per message; more is a drop */
#define DNS_PTR_HOPS_MAX  64   /* compression pointers followed per name */
#define DNS_MSG_MAX       65535

/* Header flags (host order). */
#define DNS_FLAG_QR       0x8000
#define DNS_FLAG_AA       0x0400
#define DNS_FLAG_TC       0x0200
#define DNS_FLAG_RD       0x0100
#define DNS_FLAG_RA       0x0080
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags)  ((flags) & 0xf)

#define DNS_CLASS_IN      1
#define DNS_CLASS_MASK    0x7fff
/* RFC 6762: the top bit of the class is "unicast response wanted" (QU) in a
 * question and "cache flush" in a record. */
#define DNS_CLASS_TOP     0x8000

enum dns_type {
	DNS_TYPE_A = 1, DNS_TYPE_NS = 2, DNS_TYPE_MD = 3, DNS_TYPE_MF = 4,
	DNS_TYPE_CNAME = 5, DNS_TYPE_SOA = 6, DNS_TYPE_MB = 7, DNS_TYPE_MG = 8,
	DNS_TYPE_MR = 9, DNS_TYPE_NULL = 10, DNS_TYPE_PTR = 12, DNS_TYPE_HINFO = 13,
	DNS_TYPE_MINFO = 14, DNS_TYPE_MX = 15, DNS_TYPE_TXT = 16, DNS_TYPE_RP = 17,
	DNS_TYPE_AFSDB = 18, DNS_TYPE_RT = 21, DNS_TYPE_AAAA = 28, DNS_TYPE_PX = 26,
	DNS_TYPE_SRV = 33, DNS_TYPE_KX = 36, DNS_TYPE_DNAME = 39, DNS_TYPE_OPT = 41,
	DNS_TYPE_NSEC = 47, DNS_TYPE_ANY = 255,
};

enum dns_section {
	DNS_SEC_QUESTION, DNS_SEC_ANSWER, DNS_SEC_AUTHORITY, DNS_SEC_ADDITIONAL,
	DNS_SEC__MAX
};

/* Why a message was not accepted. Every value has a counter in the daemon;
 * the names are part of islandctl's JSON output, keep them stable. */
enum dns_drop {
	DNS_OK = 0,
	DNS_DROP_TRUNCATED,       /* shorter than the header, or a name/record runs past the end */
	DNS_DROP_TOO_LONG,        /* longer than DNS_MSG_MAX */
	DNS_DROP_COUNTS,          /* header counts need more bytes than the message has */
	DNS_DROP_TOO_MANY,        /* more than DNS_MAX_RECORDS questions + records */
	DNS_DROP_LABEL_TYPE,      /* label type 0x40 / 0x80 (RFC 6891 obsoleted them) */
	DNS_DROP_NAME_TOO_LONG,   /* decompressed name longer than 255 bytes */
	DNS_DROP_POINTER_FORWARD, /* compression pointer not strictly backwards */
	DNS_DROP_POINTER_HOPS,    /* more than DNS_PTR_HOPS_MAX pointers in one name */
	DNS_DROP_RDATA_OVERRUN,   /* rdlength runs past the end of the message */
	DNS_DROP_RDATA_BAD,       /* rdata of a known type does not match its layout */
	DNS_DROP_TRAILING,        /* bytes after the last record */
	DNS_DROP__MAX
};

const char *dns_drop_name(enum dns_drop reason);

/* An uncompressed name in wire format: labels, then the root label. */
struct dns_name {
	uint8_t len;                 /* bytes used in wire, 1 (the root) .. 255 */
	uint8_t wire[DNS_NAME_MAX];
};

/* A question (section DNS_SEC_QUESTION: no ttl, no rdata) or a record. */
struct dns_rr {
	uint8_t section;             /* enum dns_section */
	uint8_t n_names;             /* names decoded out of rdata; 0 = opaque rdata */
	uint16_t type;
	uint16_t class;              /* including DNS_CLASS_TOP */
	uint32_t ttl;
	struct dns_name name;
	/* Rdata exactly as it arrived. For opaque types this is what dns_build
	 * writes; for typed ones it may hold compression pointers that only mean
	 * something inside the parsed message, so dns_build writes pre, names,
	 * post instead. Pointers refer into the parsed message buffer. */
	const uint8_t *rdata;
	uint16_t rdlen;
	const uint8_t *pre;          /* fixed fields before the names (SRV 6 bytes, MX 2 ...) */
	uint16_t pre_len;
	struct dns_name rname[2];    /* PTR/CNAME/NS/DNAME target, SRV target, MX exchange, NSEC next name, SOA mname/rname ... */
	const uint8_t *post;         /* bytes after the names (NSEC type bitmaps, SOA serial..minimum) */
	uint16_t post_len;
};

/* A parsed message. Records are in wire order, questions first. */
struct dns_msg {
	uint16_t id, flags;
	uint16_t count[DNS_SEC__MAX];
	uint16_t n_rr;
	struct dns_rr rr[DNS_MAX_RECORDS];
};

/* Parse a whole message (len bytes, no trailing data allowed). Returns
 * DNS_OK and fills *out, or the drop reason; *out is then unspecified.
 * Pointers in *out refer into msg, which must outlive it. */
enum dns_drop dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out);

/* Write m into buf: the records whose keep[i] is true (keep NULL = all),
 * section counts recomputed. With compress, owner names and the rdata names
 * of the types RFC 1035 lets compress (plus SRV, as RFC 6762 §18.14 and
 * every mDNS stack do) point back at earlier names; other rdata names are
 * written in full, which every receiver understands. It writes the header
 * (m's id and flags) and then, in order, the kept records from index
 * `from` on, as long as each fits in cap whole (a message may not fit);
 * section counts are those written.
 * *next is the index of the first record not written (m->n_rr when every
 * kept one was). Returns the length (DNS_HEADER_LEN when not even the
 * first record fitted), or 0 when cap cannot hold a header or the records
 * are not in section order. For splitting a message across packets at
 * record boundaries (RFC 6762 §7.2, §17). */
size_t dns_build_part(const struct dns_msg *m, const bool *keep, bool compress, unsigned from,
                      uint8_t *buf, size_t cap, unsigned *next);

/* Names. Comparisons ignore ASCII case (RFC 1035 §2.3.3). */
bool dns_name_equal(const struct dns_name *a, const struct dns_name *b);
/* "pi-41._ssh._tcp.local" (a trailing dot is optional; "\." and "\\" escape)
 * to wire form. Returns 0, or -1 when a label is empty or too long. */
int dns_name_from_text(const char *text, struct dns_name *out);

const char *dns_type_name(uint16_t type); /* "AAAA", or NULL when unknown */

#endif
