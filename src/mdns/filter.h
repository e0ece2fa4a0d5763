/* What may cross: per-record facts (address class, DNS-SD service type) and
 * the decisions built on them (service allow/deny lists, records left
 * pointing at nothing). Pure functions over a parsed message. */
#ifndef ISLANDD_MDNS_FILTER_H
#define ISLANDD_MDNS_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "proto/dns.h"

/* The kind of address a record carries (A/AAAA rdata) or names (reverse
 * lookups under in-addr.arpa / ip6.arpa). */
enum mdns_addr_class {
	MDNS_ADDR_NONE,       /* no address involved */
	MDNS_ADDR_GLOBAL,
	MDNS_ADDR_LINKLOCAL,  /* 169.254/16, fe80::/10: meaningless on another link */
	MDNS_ADDR_ULA,        /* fc00::/7 */
	MDNS_ADDR_PRIVATE4,   /* RFC 1918 */
	MDNS_ADDR_HOSTONLY,   /* loopback, unspecified, multicast: never valid in a record */
};

/* Facts about one question or record, computed once per packet. */
struct mdns_rr_info {
	uint64_t owner_hash;  /* case-insensitive hash of the owner name */
	uint64_t target_hash; /* of rname[0], 0 when the record has no rdata name */
	/* The DNS-SD service type the record belongs to, as the labels ending
	 * at "_tcp"/"_udp" (e.g. "\4_ssh\4_tcp", subtypes included before
	 * it), pointing into the record's name or PTR target; NULL = none. */
	const uint8_t *svc;
	uint8_t svc_len;
	uint8_t addr_class;   /* enum mdns_addr_class */
};

void mdns_rr_classify(const struct dns_rr *rr, struct mdns_rr_info *info);

/* One service-type filter, compiled: labels without the root. */
struct mdns_svc_filter {
	uint8_t len;
	uint8_t labels[DNS_NAME_MAX];
	bool allow;
};

struct mdns_filter_set {
	size_t n;
	struct mdns_svc_filter *f;
	bool any_allow;  /* a non-empty allow list: only what it names passes */
};

/* Compile conf filters ("_ssh._tcp", a trailing ".local" is ignored).
 * Allocates; returns 0, -EINVAL for a name that is not a name, -ENOMEM. */
int mdns_filter_compile(const struct conf_mdns_filter *cf, size_t n, struct mdns_filter_set *out);
void mdns_filter_free(struct mdns_filter_set *s);

/* Deny wins; a non-empty allow list must name the service. Records that
 * belong to no service type (host addresses, reverse lookups) always pass. */
bool mdns_filter_allows(const struct mdns_filter_set *s, const struct mdns_rr_info *info);

/* Clear keep[i] for SRV records whose target had address records in the
 * message and lost them all, and for PTR records whose target had SRV
 * records and lost them all. Returns how many were cleared. */
unsigned mdns_drop_dangling(const struct dns_msg *m, const struct mdns_rr_info *info, bool *keep);

/* Case-insensitive name hash (FNV-1a 64 over lowered bytes). */
uint64_t mdns_name_hash(const struct dns_name *n);

#endif
