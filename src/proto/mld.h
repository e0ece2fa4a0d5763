/* Multicast Listener Discovery wire format (RFC 2710 MLDv1, RFC 3810
 * MLDv2) and Multicast Router Discovery advertisements (RFC 4286), as far
 * as the NDP proxy needs them: it reads listeners' reports on downstream
 * links, and sends general queries and router advertisements there.
 *
 * Pure code: no I/O, no globals, no allocation. Like nd.h, parsers take a
 * whole IPv6 packet (IPv6 header first) and builders write one. */
#ifndef ISLANDD_PROTO_MLD_H
#define ISLANDD_PROTO_MLD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MLD_TYPE_QUERY     130
#define MLD_TYPE_REPORT_V1 131
#define MLD_TYPE_DONE      132
#define MLD_TYPE_REPORT_V2 143
#define MLD_TYPE_MRD_ADV   151 /* RFC 4286 */

/* Why an MLD packet was not accepted. MLD_NOT_MLD: not an MLD message at
 * all (the caller hands it to the ND parser instead). */
enum mld_drop {
	MLD_OK = 0,
	MLD_NOT_MLD,
	MLD_DROP_TRUNCATED,    /* shorter than its headers or records claim */
	MLD_DROP_HOP_LIMIT,    /* != 1 (RFC 3810 §5: always sent with hop limit 1) */
	MLD_DROP_NO_ROUTER_ALERT, /* no hop-by-hop Router Alert (RFC 3810 §5, §7.4) */
	MLD_DROP_SRC,          /* source neither link-local nor :: (RFC 3810 §7.4) */
	MLD_DROP_CHECKSUM,
	MLD_DROP_GROUP,        /* a report or done for a non-multicast address */
};

const char *mld_drop_name(enum mld_drop reason);

/* A parsed MLD message. For reports, the records stay in the packet: walk
 * them with mld_next_record. */
struct mld_msg {
	uint8_t type;            /* MLD_TYPE_* */
	uint8_t version;         /* 1 or 2 (queries: by length; reports: by type) */
	struct in6_addr src, dst;
	struct in6_addr group;   /* v1 report/done, query: the address field */
	const uint8_t *records;  /* v2 report: first record */
	size_t records_len;
	uint16_t n_records;
};

/* One listener record: for an MLDv1 report or done, the single group. */
struct mld_record {
	struct in6_addr group;
	bool listening;          /* some source wanted: a listener is (still) there */
	bool leaving;            /* no source wanted any more (done, TO_IN {}) */
};

/* Parse one IPv6 packet: MLD_NOT_MLD unless its ICMPv6 message (behind a
 * hop-by-hop header or not) is a query, a report or a done. Reports are
 * checked whole: every record must fit, so walking them cannot fail. */
enum mld_drop mld_parse(const uint8_t *pkt, size_t len, struct mld_msg *out);

/* Walks a parsed report's records: start with a zeroed iterator; false
 * past the last. An MLDv1 report or done yields its one group. */
struct mld_iter {
	unsigned index;
	size_t offset;
};
bool mld_next_record(const struct mld_msg *m, struct mld_iter *it, struct mld_record *rec);

/* MLDv2 query from src (link-local): a general query to ff02::1 when group
 * is NULL or ::, else a multicast-address-specific query to group. Max
 * response delay in ms (encoded per RFC 3810 §5.1.3), QRV 2, QQIC from
 * query_interval_s. Hop limit 1, Router Alert. Returns the length or 0. */
size_t mld_build_query(uint8_t *buf, size_t cap, const struct in6_addr *src,
                       const struct in6_addr *group, uint32_t max_resp_ms,
                       uint32_t query_interval_s);

/* RFC 4286 Multicast Router Advertisement to ff02::6a (all-snoopers): tells
 * snooping switches this port leads to a multicast router, so they forward
 * listeners' reports to it. */
size_t mld_build_mrd_adv(uint8_t *buf, size_t cap, const struct in6_addr *src,
                         uint8_t adv_interval_s, uint16_t query_interval_s, uint16_t robustness);

#endif
