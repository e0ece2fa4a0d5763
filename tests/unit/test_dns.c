/* DNS codec: parsing with compression, building with and without it, every
 * typed rdata layout, and the exact drop reason for each malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/dns.h"

#include "dns_check.h"

/* A tiny wire writer so each test shows the bytes it feeds. */
struct wire {
	uint8_t b[4096];
	size_t n;
};

static void w_u8(struct wire *w, unsigned v) { w->b[w->n++] = (uint8_t)v; }
static void w_u16(struct wire *w, unsigned v) { w_u8(w, v >> 8); w_u8(w, v & 0xff); }
static void w_u32(struct wire *w, uint32_t v) { w_u16(w, v >> 16); w_u16(w, v & 0xffff); }
static void w_bytes(struct wire *w, const void *p, size_t n) { memcpy(w->b + w->n, p, n); w->n += n; }
static void w_ptr(struct wire *w, unsigned off) { w_u16(w, 0xc000 | off); }

/* Labels of a dotted name, without the root label, so tests can end a name
 * with a pointer; w_name adds the root. */
static void w_labels(struct wire *w, const char *text)
{
	while (*text) {
		const char *dot = strchr(text, '.');
		size_t n = dot ? (size_t)(dot - text) : strlen(text);
		w_u8(w, (unsigned)n);
		w_bytes(w, text, n);
		text += n + (dot ? 1 : 0);
	}
}

static void w_name(struct wire *w, const char *text)
{
	w_labels(w, text);
	w_u8(w, 0);
}

static void w_header(struct wire *w, unsigned id, unsigned flags, unsigned qd,
                     unsigned an, unsigned ns, unsigned ar)
{
	w->n = 0;
	w_u16(w, id);
	w_u16(w, flags);
	w_u16(w, qd);
	w_u16(w, an);
	w_u16(w, ns);
	w_u16(w, ar);
}

/* Owner, type, class, ttl; returns where rdlength goes. */
static size_t w_rr_start(struct wire *w, unsigned type, unsigned class, uint32_t ttl)
{
	w_u16(w, type);
	w_u16(w, class);
	w_u32(w, ttl);
	size_t at = w->n;
	w_u16(w, 0);
	return at;
}

static void w_rr_end(struct wire *w, size_t at)
{
	size_t len = w->n - at - 2;
	w->b[at] = (uint8_t)(len >> 8);
	w->b[at + 1] = (uint8_t)len;
}

static void assert_name(const struct dns_name *n, const char *text)
{
	char buf[1100];
	dns_name_to_text(n, buf, sizeof(buf));
	assert_string_equal(buf, text);
}

static struct dns_msg m1, m2, m3;
static uint8_t out1[65535], out2[65535];

/* A typical avahi answer to "_ssh._tcp.local PTR?", compressed the way
 * avahi compresses: every name points back at an earlier one. */
static void build_ssh_response(struct wire *w)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x0a, 0xbc, 0x01, 0x23, 0, 0x41, 0, 0, 0, 0, 0, 1 };
	size_t at;

	w_header(w, 0, 0x8400, 0, 1, 0, 4);
	/* 12: _ssh._tcp.local PTR pi-41._ssh._tcp.local */
	w_name(w, "_ssh._tcp.local");          /* _ssh@12 _tcp@17 local@22 */
	at = w_rr_start(w, 12, 1, 4500);
	size_t inst = w->n;
	w_labels(w, "pi-41");
	w_ptr(w, 12);
	w_rr_end(w, at);
	/* SRV 0 0 22 pi-41.local, owner and target compressed */
	w_ptr(w, (unsigned)inst);
	at = w_rr_start(w, 33, 0x8001, 120);
	w_u16(w, 0); w_u16(w, 0); w_u16(w, 22);
	size_t host = w->n;
	w_labels(w, "pi-41");
	w_ptr(w, 22);
	w_rr_end(w, at);
	/* TXT "" */
	w_ptr(w, (unsigned)inst);
	at = w_rr_start(w, 16, 0x8001, 4500);
	w_u8(w, 0);
	w_rr_end(w, at);
	/* AAAA */
	w_ptr(w, (unsigned)host);
	at = w_rr_start(w, 28, 0x8001, 120);
	w_bytes(w, v6, 16);
	w_rr_end(w, at);
	/* NSEC pi-41.local -> pi-41.local (compressed next name), bitmap AAAA */
	w_ptr(w, (unsigned)host);
	at = w_rr_start(w, 47, 0x8001, 120);
	w_ptr(w, (unsigned)host);
	w_u8(w, 0); w_u8(w, 4); w_u8(w, 0); w_u8(w, 0); w_u8(w, 0); w_u8(w, 8);
	w_rr_end(w, at);
}

static void test_parse_compressed_response(void **state)
{
	struct wire w;
	build_ssh_response(&w);

	assert_int_equal(dns_parse(w.b, w.n, &m1), DNS_OK);
	assert_int_equal(m1.flags, 0x8400);
	assert_int_equal(m1.count[DNS_SEC_ANSWER], 1);
	assert_int_equal(m1.count[DNS_SEC_ADDITIONAL], 4);
	assert_int_equal(m1.n_rr, 5);

	struct dns_rr *ptr = &m1.rr[0];
	assert_int_equal(ptr->section, DNS_SEC_ANSWER);
	assert_int_equal(ptr->type, DNS_TYPE_PTR);
	assert_int_equal(ptr->ttl, 4500);
	assert_name(&ptr->name, "_ssh._tcp.local.");
	assert_int_equal(ptr->n_names, 1);
	assert_name(&ptr->rname[0], "pi-41._ssh._tcp.local.");

	struct dns_rr *srv = &m1.rr[1];
	assert_int_equal(srv->type, DNS_TYPE_SRV);
	assert_int_equal(srv->class, 0x8001); /* cache-flush bit kept */
	assert_name(&srv->name, "pi-41._ssh._tcp.local.");
	assert_int_equal(srv->pre_len, 6);
	assert_int_equal(srv->pre[5], 22);
	assert_name(&srv->rname[0], "pi-41.local.");

	assert_int_equal(m1.rr[2].type, DNS_TYPE_TXT);
	assert_int_equal(m1.rr[2].n_names, 0);
	assert_int_equal(m1.rr[2].rdlen, 1);

	assert_int_equal(m1.rr[3].type, DNS_TYPE_AAAA);
	assert_int_equal(m1.rr[3].rdlen, 16);
	assert_int_equal(m1.rr[3].rdata[1], 0x01);

	struct dns_rr *nsec = &m1.rr[4];
	assert_int_equal(nsec->n_names, 1);
	assert_name(&nsec->rname[0], "pi-41.local.");
	assert_int_equal(nsec->post_len, 6);
	assert_int_equal(nsec->post[5], 8);
}

/* Rebuilt with compression, the message is as small as the original and
 * parses back to the same records; without compression it is bigger and
 * still the same records. Rebuilding twice gives the same bytes. */
static void test_build_round_trip(void **state)
{
	struct wire w;
	build_ssh_response(&w);
	assert_int_equal(dns_parse(w.b, w.n, &m1), DNS_OK);

	size_t c = dns_build(&m1, NULL, true, out1, sizeof(out1));
	/* as big as the original but for the NSEC next name, which we write in
	 * full (13 bytes) where avahi-style compression used a pointer (2) */
	assert_int_equal(c, w.n + 11);
	assert_int_equal(dns_parse(out1, c, &m2), DNS_OK);
	assert_true(dns_msg_equal(&m1, &m2));
	size_t c2 = dns_build(&m2, NULL, true, out2, sizeof(out2));
	assert_int_equal(c2, c);
	assert_memory_equal(out1, out2, c);

	size_t u = dns_build(&m1, NULL, false, out2, sizeof(out2));
	assert_true(u > c);
	assert_int_equal(dns_parse(out2, u, &m3), DNS_OK);
	assert_true(dns_msg_equal(&m1, &m3));
	/* the SRV target is written in full: "pi-41" "local" right after the 6 fixed bytes */
	struct wire ref;
	ref.n = 0;
	w_name(&ref, "pi-41.local");
	assert_true(memmem(out2, u, ref.b, ref.n) != NULL);
}

/* dns_build_part: a message cut at record boundaries. Each part is a
 * complete message (header counts are the records written, names
 * compressed only against that part), and together the parts carry every
 * kept record once, in order. */
static void test_build_part(void **state)
{
	struct wire w;
	build_ssh_response(&w);
	assert_int_equal(dns_parse(w.b, w.n, &m1), DNS_OK);
	size_t whole = dns_build(&m1, NULL, true, out1, sizeof(out1));
	assert_true(whole > 0);

	/* room for everything: the same bytes as dns_build */
	unsigned next = 99;
	assert_int_equal(dns_build_part(&m1, NULL, true, 0, out2, sizeof(out2), &next), whole);
	assert_int_equal(next, m1.n_rr);
	assert_memory_equal(out1, out2, whole);

	/* one byte short: the last record moves to the next part */
	size_t n = dns_build_part(&m1, NULL, true, 0, out2, whole - 1, &next);
	assert_int_equal(next, m1.n_rr - 1);
	assert_true(n > DNS_HEADER_LEN && n < whole);
	assert_int_equal(dns_parse(out2, n, &m2), DNS_OK);
	assert_int_equal(m2.n_rr, m1.n_rr - 1);
	assert_int_equal(m2.id, m1.id);
	assert_int_equal(m2.flags, m1.flags);
	/* ... and dns_build refuses what does not fit whole */
	assert_int_equal(dns_build(&m1, NULL, true, out2, whole - 1), 0);

	/* small parts: every record exactly once, in order, each part parses */
	unsigned from = 0, seen = 0, parts = 0;
	while (from < m1.n_rr) {
		n = dns_build_part(&m1, NULL, true, from, out2, 120, &next);
		assert_true(n > DNS_HEADER_LEN);
		assert_true(n <= 120);
		assert_int_equal(dns_parse(out2, n, &m2), DNS_OK);
		assert_int_equal(m2.n_rr, next - from);
		for (unsigned i = 0; i < m2.n_rr; i++)
			assert_true(dns_rr_equal(&m2.rr[i], &m1.rr[from + i]));
		seen += m2.n_rr;
		from = next;
		parts++;
	}
	assert_int_equal(seen, m1.n_rr);
	assert_true(parts > 1);

	/* a record bigger than the room: header only, next points at it */
	n = dns_build_part(&m1, NULL, true, 0, out2, DNS_HEADER_LEN + 4, &next);
	assert_int_equal(n, DNS_HEADER_LEN);
	assert_int_equal(next, 0);
	assert_int_equal(dns_parse(out2, n, &m2), DNS_OK);
	assert_int_equal(m2.n_rr, 0);
	/* no room for a header at all */
	assert_int_equal(dns_build_part(&m1, NULL, true, 0, out2, DNS_HEADER_LEN - 1, &next), 0);

	/* records not kept are skipped, not counted, and never end a part */
	bool keep[DNS_MAX_RECORDS];
	for (unsigned i = 0; i < m1.n_rr; i++)
		keep[i] = i % 2 == 0;
	n = dns_build_part(&m1, keep, true, 1, out2, sizeof(out2), &next);
	assert_int_equal(next, m1.n_rr);
	assert_int_equal(dns_parse(out2, n, &m2), DNS_OK);
	assert_int_equal(m2.n_rr, (m1.n_rr - 1) / 2);
	assert_true(dns_rr_equal(&m2.rr[0], &m1.rr[2]));
}

/* The compressor's exact output for a small case: second owner is a pure
 * pointer, the PTR target is "pi-41" + pointer to the first owner. */
static void test_build_compression_bytes(void **state)
{
	memset(&m1, 0, sizeof(m1));
	m1.flags = 0x8400;
	m1.n_rr = 2;
	m1.count[DNS_SEC_ANSWER] = 2;
	for (int i = 0; i < 2; i++) {
		m1.rr[i].section = DNS_SEC_ANSWER;
		m1.rr[i].type = DNS_TYPE_PTR;
		m1.rr[i].class = 1;
		m1.rr[i].ttl = 10;
		m1.rr[i].n_names = 1;
		assert_int_equal(dns_name_from_text("_ssh._tcp.local", &m1.rr[i].name), 0);
	}
	assert_int_equal(dns_name_from_text("pi-41._ssh._tcp.local", &m1.rr[0].rname[0]), 0);
	assert_int_equal(dns_name_from_text("pi-42._ssh._tcp.local", &m1.rr[1].rname[0]), 0);

	size_t n = dns_build(&m1, NULL, true, out1, sizeof(out1));
	struct wire w;
	w_header(&w, 0, 0x8400, 0, 2, 0, 0);
	w_name(&w, "_ssh._tcp.local");
	size_t at = w_rr_start(&w, 12, 1, 10);
	w_labels(&w, "pi-41");
	w_ptr(&w, 12);
	w_rr_end(&w, at);
	w_ptr(&w, 12);
	at = w_rr_start(&w, 12, 1, 10);
	w_labels(&w, "pi-42");
	w_ptr(&w, 12);
	w_rr_end(&w, at);
	assert_int_equal(n, w.n);
	assert_memory_equal(out1, w.b, n);

	/* keep mask: only the second record, counts follow */
	bool keep[2] = { false, true };
	n = dns_build(&m1, keep, true, out1, sizeof(out1));
	assert_int_equal(dns_parse(out1, n, &m2), DNS_OK);
	assert_int_equal(m2.count[DNS_SEC_ANSWER], 1);
	assert_name(&m2.rr[0].rname[0], "pi-42._ssh._tcp.local.");

	/* too small a buffer is 0, not a cut message */
	assert_int_equal(dns_build(&m1, NULL, true, out1, 20), 0);
}

/* Every type with names in its rdata: parse a compressed form, check the
 * decoded parts, rebuild both ways and parse back equal. */
struct typed_case {
	uint16_t type;
	unsigned pre, names, post;
};

static void test_every_typed_layout(void **state)
{
	static const struct typed_case cases[] = {
		{ DNS_TYPE_NS, 0, 1, 0 }, { DNS_TYPE_MD, 0, 1, 0 }, { DNS_TYPE_MF, 0, 1, 0 },
		{ DNS_TYPE_CNAME, 0, 1, 0 }, { DNS_TYPE_SOA, 0, 2, 20 }, { DNS_TYPE_MB, 0, 1, 0 },
		{ DNS_TYPE_MG, 0, 1, 0 }, { DNS_TYPE_MR, 0, 1, 0 }, { DNS_TYPE_PTR, 0, 1, 0 },
		{ DNS_TYPE_MINFO, 0, 2, 0 }, { DNS_TYPE_MX, 2, 1, 0 }, { DNS_TYPE_RP, 0, 2, 0 },
		{ DNS_TYPE_AFSDB, 2, 1, 0 }, { DNS_TYPE_RT, 2, 1, 0 }, { DNS_TYPE_PX, 2, 2, 0 },
		{ DNS_TYPE_SRV, 6, 1, 0 }, { DNS_TYPE_KX, 2, 1, 0 }, { DNS_TYPE_DNAME, 0, 1, 0 },
		{ DNS_TYPE_NSEC, 0, 1, 5 },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct typed_case *tc = &cases[k];
		struct wire w;
		w_header(&w, 0x1234, 0x8400, 0, 1, 0, 0);
		w_name(&w, "host.example.local"); /* host@12 example@17 local@25 */
		size_t at = w_rr_start(&w, tc->type, 1, 77);
		for (unsigned i = 0; i < tc->pre; i++)
			w_u8(&w, 0xa0 + i);
		/* first name compressed into the owner, second one partly */
		w_ptr(&w, 17);
		if (tc->names == 2) {
			w_labels(&w, "mail");
			w_ptr(&w, 25);
		}
		for (unsigned i = 0; i < tc->post; i++)
			w_u8(&w, 0x10 + i);
		w_rr_end(&w, at);

		assert_int_equal(dns_parse(w.b, w.n, &m1), DNS_OK);
		struct dns_rr *rr = &m1.rr[0];
		assert_non_null(dns_type_name(tc->type));
		assert_int_equal(rr->n_names, tc->names);
		assert_int_equal(rr->pre_len, tc->pre);
		assert_int_equal(rr->post_len, tc->post);
		if (tc->pre)
			assert_int_equal(rr->pre[tc->pre - 1], 0xa0 + tc->pre - 1);
		assert_name(&rr->rname[0], "example.local.");
		if (tc->names == 2)
			assert_name(&rr->rname[1], "mail.local.");

		for (int compress = 0; compress < 2; compress++) {
			size_t n = dns_build(&m1, NULL, compress, out1, sizeof(out1));
			assert_true(n > 0);
			assert_int_equal(dns_parse(out1, n, &m2), DNS_OK);
			assert_true(dns_msg_equal(&m1, &m2));
		}
	}
}

/* Types whose rdata names must not be compressed on output are written in
 * full even when the message is compressed; SRV and PTR are compressed. */
static void test_rdata_compression_policy(void **state)
{
	struct wire w;
	w_header(&w, 0, 0x8400, 0, 2, 0, 0);
	w_name(&w, "pi-41.local");
	size_t at = w_rr_start(&w, DNS_TYPE_NSEC, 0x8001, 120);
	w_ptr(&w, 12);
	w_u8(&w, 0); w_u8(&w, 1); w_u8(&w, 0x40);
	w_rr_end(&w, at);
	w_ptr(&w, 12);
	at = w_rr_start(&w, DNS_TYPE_CNAME, 1, 120);
	w_ptr(&w, 12);
	w_rr_end(&w, at);
	assert_int_equal(dns_parse(w.b, w.n, &m1), DNS_OK);

	size_t n = dns_build(&m1, NULL, true, out1, sizeof(out1));
	assert_int_equal(dns_parse(out1, n, &m2), DNS_OK);
	/* NSEC rdata: full name (13 bytes) + bitmap (3) */
	assert_int_equal(m2.rr[0].rdlen, 13 + 3);
	/* CNAME rdata: one pointer */
	assert_int_equal(m2.rr[1].rdlen, 2);
	assert_true(dns_msg_equal(&m1, &m2));
}

static void test_unknown_type_opaque(void **state)
{
	static const uint8_t blob[] = { 0xc0, 0x0c, 0x01, 0x02, 0xff };
	struct wire w;
	w_header(&w, 7, 0x8400, 0, 1, 0, 1);
	w_name(&w, "x.local");
	size_t at = w_rr_start(&w, 65280, 1, 5);  /* private-use type */
	w_bytes(&w, blob, sizeof(blob));
	w_rr_end(&w, at);
	w_u8(&w, 0);                                /* OPT: root owner */
	at = w_rr_start(&w, DNS_TYPE_OPT, 1440, 0);
	w_rr_end(&w, at);
	assert_int_equal(dns_parse(w.b, w.n, &m1), DNS_OK);
	assert_int_equal(m1.rr[0].n_names, 0);
	assert_int_equal(m1.rr[0].rdlen, sizeof(blob));
	assert_null(dns_type_name(65280));
	assert_int_equal(m1.rr[1].class, 1440);
	assert_int_equal(m1.rr[1].rdlen, 0);
	assert_name(&m1.rr[1].name, ".");

	size_t n = dns_build(&m1, NULL, true, out1, sizeof(out1));
	assert_true(memmem(out1, n, blob, sizeof(blob)) != NULL); /* carried verbatim */
	assert_int_equal(dns_parse(out1, n, &m2), DNS_OK);
	assert_true(dns_msg_equal(&m1, &m2));
}

static void test_question_qu_bit(void **state)
{
	struct wire w;
	w_header(&w, 0, 0, 2, 0, 0, 0);
	w_name(&w, "pi-41.local");
	w_u16(&w, DNS_TYPE_AAAA); w_u16(&w, 0x8001);
	w_ptr(&w, 12);
	w_u16(&w, DNS_TYPE_A); w_u16(&w, 0x0001);
	assert_int_equal(dns_parse(w.b, w.n, &m1), DNS_OK);
	assert_int_equal(m1.count[DNS_SEC_QUESTION], 2);
	assert_int_equal(m1.rr[0].class, 0x8001);
	assert_int_equal(m1.rr[1].class, 0x0001);
	assert_name(&m1.rr[1].name, "pi-41.local.");
	m1.rr[0].class &= DNS_CLASS_MASK;
	size_t n = dns_build(&m1, NULL, true, out1, sizeof(out1));
	assert_int_equal(n, w.n);
	assert_int_equal(dns_parse(out1, n, &m2), DNS_OK);
	assert_int_equal(m2.rr[0].class, 1);
}

/* ---- malformed input: one case per drop reason ---- */

static enum dns_drop parse_wire(struct wire *w)
{
	return dns_parse(w->b, w->n, &m1);
}

static void test_drop_truncated(void **state)
{
	struct wire w;
	w_header(&w, 0, 0, 0, 0, 0, 0);
	assert_int_equal(dns_parse(w.b, 11, &m1), DNS_DROP_TRUNCATED);
	/* question name cut mid-label */
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_u8(&w, 5); w_bytes(&w, "ab", 2); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_TRUNCATED);
	/* question without its class */
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_name(&w, "a"); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_TRUNCATED);
	/* record header cut */
	w_header(&w, 0, 0x8400, 0, 1, 0, 0);
	w_name(&w, "abcdefgh"); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_TRUNCATED);
	/* a pointer cut in half */
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_labels(&w, "abc"); w_u8(&w, 0xc0);
	assert_int_equal(parse_wire(&w), DNS_DROP_TRUNCATED);
}

static void test_drop_counts_and_too_many(void **state)
{
	struct wire w;
	w_header(&w, 0, 0, 0xffff, 0, 0, 0);
	w_name(&w, "a"); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_COUNTS);
	w_header(&w, 0, 0x8400, 0, 2, 0, 0);
	w_u8(&w, 0); w_rr_start(&w, 1, 1, 0);
	assert_int_equal(parse_wire(&w), DNS_DROP_COUNTS);

	/* 257 root questions: fits the bytes, exceeds the cap */
	w_header(&w, 0, 0, DNS_MAX_RECORDS + 1, 0, 0, 0);
	for (int i = 0; i <= DNS_MAX_RECORDS; i++) {
		w_u8(&w, 0); w_u16(&w, 1); w_u16(&w, 1);
	}
	assert_int_equal(parse_wire(&w), DNS_DROP_TOO_MANY);
	/* exactly the cap is fine */
	w_header(&w, 0, 0, DNS_MAX_RECORDS, 0, 0, 0);
	for (int i = 0; i < DNS_MAX_RECORDS; i++) {
		w_u8(&w, 0); w_u16(&w, 1); w_u16(&w, 1);
	}
	assert_int_equal(parse_wire(&w), DNS_OK);
	assert_int_equal(m1.n_rr, DNS_MAX_RECORDS);
}

static void test_drop_label_type(void **state)
{
	struct wire w;
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_u8(&w, 0x41); w_u8(&w, 0); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_LABEL_TYPE);
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_u8(&w, 0x80); w_u8(&w, 0); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_LABEL_TYPE);
}

static void test_drop_pointers(void **state)
{
	struct wire w;
	/* pointer to itself */
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_ptr(&w, 12); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_POINTER_FORWARD);
	/* pointer past itself */
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_ptr(&w, 20); w_u16(&w, 1); w_u16(&w, 1); w_u8(&w, 0); w_u8(&w, 0);
	assert_int_equal(parse_wire(&w), DNS_DROP_POINTER_FORWARD);
	/* two names pointing at each other: the second is fine (points back at
	 * the first), the first points forward */
	w_header(&w, 0, 0, 2, 0, 0, 0);
	w_ptr(&w, 18); w_u16(&w, 1); w_u16(&w, 1);   /* @12 -> 18 */
	w_ptr(&w, 12); w_u16(&w, 1); w_u16(&w, 1);   /* @18 -> 12 */
	assert_int_equal(parse_wire(&w), DNS_DROP_POINTER_FORWARD);
	/* a loop through a label: "a" at 12, pointer at 14 back to 12, which
	 * would read "a" and the pointer again forever */
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_u8(&w, 1); w_u8(&w, 'a'); w_ptr(&w, 12); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_POINTER_FORWARD);
	/* a legal backwards chain longer than the hop cap: an opaque record
	 * holds DNS_PTR_HOPS_MAX pointers, each to the one before, the first to
	 * the root owner; a PTR target pointing at the last one needs one hop
	 * more than allowed */
	w_header(&w, 0, 0x8400, 0, 2, 0, 0);
	w_u8(&w, 0);                     /* owner: root @12 */
	size_t at = w_rr_start(&w, 65280, 1, 0);
	size_t prev = 12;
	for (int i = 0; i < DNS_PTR_HOPS_MAX; i++) {
		size_t here = w.n;
		w_ptr(&w, (unsigned)prev);
		prev = here;
	}
	w_rr_end(&w, at);
	w_u8(&w, 0);
	at = w_rr_start(&w, DNS_TYPE_PTR, 1, 0);
	w_ptr(&w, (unsigned)prev);
	w_rr_end(&w, at);
	assert_int_equal(parse_wire(&w), DNS_DROP_POINTER_HOPS);
	/* one hop fewer is accepted */
	w.b[w.n - 2] = (uint8_t)(0xc0 | (prev - 2) >> 8);
	w.b[w.n - 1] = (uint8_t)((prev - 2) & 0xff);
	assert_int_equal(parse_wire(&w), DNS_OK);
	assert_name(&m1.rr[1].rname[0], ".");
}

static void test_drop_name_too_long(void **state)
{
	struct wire w;
	/* 4 labels of 63 = 256 bytes with the root: too long even uncompressed */
	w_header(&w, 0, 0, 1, 0, 0, 0);
	for (int i = 0; i < 4; i++) {
		w_u8(&w, 63);
		for (int j = 0; j < 63; j++)
			w_u8(&w, 'a');
	}
	w_u8(&w, 0); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_NAME_TOO_LONG);

	/* compression makes it long: 3 labels of 63 (193 bytes) + a second
	 * name of one 63-byte label pointing at it = 257 */
	w_header(&w, 0, 0, 2, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		w_u8(&w, 63);
		for (int j = 0; j < 63; j++)
			w_u8(&w, 'b');
	}
	w_u8(&w, 0); w_u16(&w, 1); w_u16(&w, 1);
	w_u8(&w, 63);
	for (int j = 0; j < 63; j++)
		w_u8(&w, 'c');
	w_ptr(&w, 12); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_DROP_NAME_TOO_LONG);
	/* a 61-byte label makes 255 exactly: accepted */
	w.b[209] = 61;
	memmove(w.b + 209 + 1 + 61, w.b + 209 + 1 + 63, 6);
	w.n -= 2;
	assert_int_equal(parse_wire(&w), DNS_OK);
	assert_int_equal(m1.rr[1].name.len, 255);
}

static void test_drop_rdata(void **state)
{
	struct wire w;
	size_t at;
	/* rdlength past the end */
	w_header(&w, 0, 0x8400, 0, 1, 0, 0);
	w_u8(&w, 0);
	at = w_rr_start(&w, DNS_TYPE_TXT, 1, 0);
	w_u8(&w, 0);
	w_rr_end(&w, at);
	w.b[at + 1] = 2;
	assert_int_equal(parse_wire(&w), DNS_DROP_RDATA_OVERRUN);

	/* A with 5 bytes, AAAA with 15 */
	static const uint8_t z[16];
	static const struct { uint16_t type; size_t len; } bad_len[] = {
		{ DNS_TYPE_A, 5 }, { DNS_TYPE_A, 3 }, { DNS_TYPE_AAAA, 15 }, { DNS_TYPE_AAAA, 0 },
		{ DNS_TYPE_SRV, 5 }, { DNS_TYPE_MX, 1 }, { DNS_TYPE_PTR, 0 },
	};
	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		w_header(&w, 0, 0x8400, 0, 1, 0, 0);
		w_u8(&w, 0);
		at = w_rr_start(&w, bad_len[i].type, 1, 0);
		w_bytes(&w, z, bad_len[i].len);
		w_rr_end(&w, at);
		assert_int_equal(parse_wire(&w), DNS_DROP_RDATA_BAD);
	}
	/* a PTR target that runs out of its rdata: label of 4, 2 bytes left */
	w_header(&w, 0, 0x8400, 0, 1, 0, 0);
	w_u8(&w, 0);
	at = w_rr_start(&w, DNS_TYPE_PTR, 1, 0);
	w_u8(&w, 4); w_bytes(&w, "ab", 2);
	w_rr_end(&w, at);
	assert_int_equal(parse_wire(&w), DNS_DROP_RDATA_BAD);
	/* bytes left over after the PTR name */
	w_header(&w, 0, 0x8400, 0, 1, 0, 0);
	w_u8(&w, 0);
	at = w_rr_start(&w, DNS_TYPE_PTR, 1, 0);
	w_name(&w, "ab"); w_u8(&w, 0xee);
	w_rr_end(&w, at);
	assert_int_equal(parse_wire(&w), DNS_DROP_RDATA_BAD);
	/* SOA with 19 trailing bytes instead of 20 */
	w_header(&w, 0, 0x8400, 0, 1, 0, 0);
	w_u8(&w, 0);
	at = w_rr_start(&w, DNS_TYPE_SOA, 1, 0);
	w_u8(&w, 0); w_u8(&w, 0); w_bytes(&w, z, 16); w_bytes(&w, z, 3);
	w_rr_end(&w, at);
	assert_int_equal(parse_wire(&w), DNS_DROP_RDATA_BAD);
	w.b[at + 1]++;
	w_u8(&w, 0);
	assert_int_equal(parse_wire(&w), DNS_OK);
	/* a forward pointer inside rdata is a pointer drop, not rdata_bad */
	w_header(&w, 0, 0x8400, 0, 1, 0, 0);
	w_u8(&w, 0);
	at = w_rr_start(&w, DNS_TYPE_CNAME, 1, 0);
	w_ptr(&w, (unsigned)w.n);
	w_rr_end(&w, at);
	assert_int_equal(parse_wire(&w), DNS_DROP_POINTER_FORWARD);
}

static void test_drop_trailing_and_too_long(void **state)
{
	struct wire w;
	w_header(&w, 0, 0, 1, 0, 0, 0);
	w_name(&w, "a"); w_u16(&w, 1); w_u16(&w, 1);
	assert_int_equal(parse_wire(&w), DNS_OK);
	w_u8(&w, 0);
	assert_int_equal(parse_wire(&w), DNS_DROP_TRAILING);
	static uint8_t big[DNS_MSG_MAX + 1];
	assert_int_equal(dns_parse(big, sizeof(big), &m1), DNS_DROP_TOO_LONG);
}

static void test_drop_names(void **state)
{
	for (int d = 0; d < DNS_DROP__MAX; d++) {
		const char *n = dns_drop_name((enum dns_drop)d);
		assert_non_null(n);
		assert_string_not_equal(n, "unknown");
		for (int e = 0; e < d; e++)
			assert_string_not_equal(n, dns_drop_name((enum dns_drop)e));
	}
	assert_string_equal(dns_drop_name(DNS_DROP__MAX), "unknown");
}

static void test_name_text(void **state)
{
	struct dns_name a, b;
	assert_int_equal(dns_name_from_text("Pi-41._SSH._tcp.local.", &a), 0);
	assert_int_equal(dns_name_from_text("pi-41._ssh._tcp.local", &b), 0);
	assert_true(dns_name_equal(&a, &b));
	assert_int_equal(dns_name_labels(&a), 4);
	assert_name(&a, "Pi-41._SSH._tcp.local.");
	assert_int_equal(dns_name_from_text("My\\.Printer._ipp._tcp.local", &a), 0);
	assert_int_equal(a.wire[0], 10);
	assert_name(&a, "My\\.Printer._ipp._tcp.local.");
	assert_int_equal(dns_name_from_text(".", &a), 0);
	assert_int_equal(a.len, 1);
	assert_int_equal(dns_name_labels(&a), 0);
	assert_int_equal(dns_name_from_text("", &a), -1);
	assert_int_equal(dns_name_from_text("a..b", &a), -1);
	char lab[70];
	memset(lab, 'x', 64);
	lab[64] = '\0';
	assert_int_equal(dns_name_from_text(lab, &a), -1);
	lab[63] = '\0';
	assert_int_equal(dns_name_from_text(lab, &a), 0);
	assert_false(dns_name_equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_compressed_response),
		cmocka_unit_test(test_build_round_trip),
		cmocka_unit_test(test_build_part),
		cmocka_unit_test(test_build_compression_bytes),
		cmocka_unit_test(test_every_typed_layout),
		cmocka_unit_test(test_rdata_compression_policy),
		cmocka_unit_test(test_unknown_type_opaque),
		cmocka_unit_test(test_question_qu_bit),
		cmocka_unit_test(test_drop_truncated),
		cmocka_unit_test(test_drop_counts_and_too_many),
		cmocka_unit_test(test_drop_label_type),
		cmocka_unit_test(test_drop_pointers),
		cmocka_unit_test(test_drop_name_too_long),
		cmocka_unit_test(test_drop_rdata),
		cmocka_unit_test(test_drop_trailing_and_too_long),
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_name_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
