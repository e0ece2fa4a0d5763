/* Helpers only the DNS tests and fuzzer use: a whole message built at
 * once, message and record comparison, names as text. Built on the codec's
 * public API (src/proto/dns.h). */
#ifndef ISLANDD_TEST_DNS_CHECK_H
#define ISLANDD_TEST_DNS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "proto/dns.h"

/* dns_build_part from record 0; 0 unless every kept record fitted. */
static inline size_t dns_build(const struct dns_msg *m, const bool *keep, bool compress,
                               uint8_t *buf, size_t cap)
{
	unsigned next;
	size_t n = dns_build_part(m, keep, compress, 0, buf, cap, &next);
	return next == m->n_rr ? n : 0;
}

static inline bool dns_name_same_bytes(const struct dns_name *a, const struct dns_name *b)
{
	return a->len == b->len && memcmp(a->wire, b->wire, a->len) == 0;
}

static inline bool dns_bytes_equal(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static inline bool dns_rr_equal(const struct dns_rr *a, const struct dns_rr *b)
{
	if (a->section != b->section || a->type != b->type || a->class != b->class ||
	    !dns_name_same_bytes(&a->name, &b->name))
		return false;
	if (a->section == DNS_SEC_QUESTION)
		return true;
	if (a->ttl != b->ttl || a->n_names != b->n_names)
		return false;
	if (a->n_names == 0)
		return dns_bytes_equal(a->rdata, a->rdlen, b->rdata, b->rdlen);
	for (unsigned i = 0; i < a->n_names && i < 2; i++)
		if (!dns_name_same_bytes(&a->rname[i], &b->rname[i]))
			return false;
	return dns_bytes_equal(a->pre, a->pre_len, b->pre, b->pre_len) &&
	       dns_bytes_equal(a->post, a->post_len, b->post, b->post_len);
}

static inline bool dns_msg_equal(const struct dns_msg *a, const struct dns_msg *b)
{
	if (a->id != b->id || a->flags != b->flags || a->n_rr != b->n_rr)
		return false;
	for (int s = 0; s < DNS_SEC__MAX; s++)
		if (a->count[s] != b->count[s])
			return false;
	for (unsigned i = 0; i < a->n_rr; i++)
		if (!dns_rr_equal(&a->rr[i], &b->rr[i]))
			return false;
	return true;
}

static inline unsigned dns_name_labels(const struct dns_name *n)
{
	unsigned count = 0;
	for (size_t p = 0; p < n->len && n->wire[p] != 0; p += 1u + n->wire[p])
		count++;
	return count;
}

static inline void dns_name_to_text(const struct dns_name *n, char *buf, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return;
#define PUT(ch) do { if (o + 1 < cap) buf[o++] = (char)(ch); } while (0)
	if (n->len <= 1)
		PUT('.');
	for (size_t p = 0; p < n->len && n->wire[p] != 0; p += 1u + n->wire[p]) {
		for (size_t i = 1; i <= n->wire[p] && p + i < n->len; i++) {
			uint8_t c = n->wire[p + i];
			if (c == '.' || c == '\\') {
				PUT('\\');
				PUT(c);
			} else if (c < 0x21 || c > 0x7e) {
				static const char hex[] = "0123456789abcdef";
				PUT('\\');
				PUT('x');
				PUT(hex[c >> 4]);
				PUT(hex[c & 15]);
			} else {
				PUT(c);
			}
		}
		PUT('.');
	}
#undef PUT
	buf[o] = '\0';
}

#endif
