/* A short memory of the records and questions the reflector has seen and
 * sent, so that copies coming back (from another reflector, or our own on a
 * looped link) are recognised and not reflected again.
 *
 * Responses are keyed per record: another reflector may rebuild, reorder
 * or merge what we sent (avahi's does), and a record is the unit a host
 * judges conflicts by. Queries are keyed as a whole (questions, known
 * answers and a probe's proposed records together, in any order): what a
 * query asks is only the same query when all of it is the same, so
 * another host's probe for the same name (RFC 6762 §8.2) or its query
 * with other known answers (§7.1) is news, not an echo. Each copy we send
 * is also remembered under the key of what it carried, so our own copy
 * coming back, or another reflector's identical one, is recognised.
 * An entry remembers on which links the key arrived and to which we sent
 * it within the last MDNS_RECENT_MS:
 *   - a key arriving on link L that we sent to L is an echo: dropped;
 *   - a key arriving again on a link it arrived on before is a genuine
 *     repeat (the second announcement, probes two and three) and goes out
 *     again, except to other links it arrived from;
 *   - a key new on L but remembered from elsewhere is a copy another
 *     reflector made: it goes to no link that has it already (arrived
 *     from or sent to). This is what ends loops through several
 *     reflectors and keeps a host's own probe from coming back to it.
 *
 * Fixed size, no allocation: when a probe window is full of live entries the
 * one closest to expiry is replaced. */
#ifndef ISLANDD_MDNS_RECENT_H
#define ISLANDD_MDNS_RECENT_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/dns.h"

#define MDNS_RECENT_MS     2000
#define MDNS_RECENT_SLOTS  16384  /* power of two; 5k packets/s of distinct records fit the window */
#define MDNS_RECENT_PROBE  8

struct mdns_recent_entry {
	uint64_t key;
	uint64_t expires_ms;     /* 0 = empty */
	uint32_t arrived, sent;  /* link bitmasks */
};

struct mdns_recent {
	uint64_t seed;
	uint64_t evictions;      /* live entries replaced: the table was too small */
	struct mdns_recent_entry slot[MDNS_RECENT_SLOTS];
};

void mdns_recent_init(struct mdns_recent *r, uint64_t seed);
/* The key of a question or record: name (case folded), type, class without
 * the QU / cache-flush bit, goodbye (ttl 0) or not, rdata with names case
 * folded. TTL values are left out so copies with aged TTLs still match. */
uint64_t mdns_recent_key(const struct mdns_recent *r, const struct dns_rr *rr);
/* The key of a whole query: the records of m whose keep[i] is true (keep
 * NULL = all), keys[i] from mdns_recent_key, each with its section; the
 * order they come in does not matter. */
uint64_t mdns_recent_msg_key(const struct mdns_recent *r, const struct dns_msg *m,
                             const uint64_t *keys, const bool *keep);
/* The links key arrived on / was sent to within the window; false and
 * both 0 when it is not remembered. */
bool mdns_recent_lookup(const struct mdns_recent *r, uint64_t key, uint64_t now_ms,
                        uint32_t *arrived, uint32_t *sent);
/* Record that key arrived on the links in `arrived` and was sent to `sent`. */
void mdns_recent_note(struct mdns_recent *r, uint64_t key, uint32_t arrived, uint32_t sent,
                      uint64_t now_ms);

#endif
