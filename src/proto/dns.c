/* DNS message parser and builder: see dns.h. */
#include "proto/dns.h"
#include "proto/bytes.h"

#include <string.h>

static const char *const drop_names[DNS_DROP__MAX] = {
	[DNS_OK] = "ok",
	[DNS_DROP_TRUNCATED] = "truncated",
	[DNS_DROP_TOO_LONG] = "too_long",
	[DNS_DROP_COUNTS] = "counts",
	[DNS_DROP_TOO_MANY] = "too_many",
	[DNS_DROP_LABEL_TYPE] = "label_type",
	[DNS_DROP_NAME_TOO_LONG] = "name_too_long",
	[DNS_DROP_POINTER_FORWARD] = "pointer_forward",
	[DNS_DROP_POINTER_HOPS] = "pointer_hops",
	[DNS_DROP_RDATA_OVERRUN] = "rdata_overrun",
	[DNS_DROP_RDATA_BAD] = "rdata_bad",
	[DNS_DROP_TRAILING] = "trailing",
};

const char *dns_drop_name(enum dns_drop reason)
{
	if ((unsigned)reason >= DNS_DROP__MAX)
		return "unknown";
	return drop_names[reason];
}

/* How the rdata of a type is laid out around the names it carries:
 * `pre` fixed bytes, `names` names, then exactly `post` bytes, or any
 * number when post is POST_ANY. */
#define POST_ANY 0xffff
struct rdata_layout {
	uint16_t type;
	uint8_t pre, names;
	uint16_t post;
	bool compress;  /* may be compressed on output (RFC 1035 types + SRV) */
	const char *name;
};

static const struct rdata_layout layouts[] = {
	{ DNS_TYPE_A, 4, 0, 0, false, "A" },
	{ DNS_TYPE_NS, 0, 1, 0, true, "NS" },
	{ DNS_TYPE_MD, 0, 1, 0, true, "MD" },
	{ DNS_TYPE_MF, 0, 1, 0, true, "MF" },
	{ DNS_TYPE_CNAME, 0, 1, 0, true, "CNAME" },
	{ DNS_TYPE_SOA, 0, 2, 20, true, "SOA" },
	{ DNS_TYPE_MB, 0, 1, 0, true, "MB" },
	{ DNS_TYPE_MG, 0, 1, 0, true, "MG" },
	{ DNS_TYPE_MR, 0, 1, 0, true, "MR" },
	{ DNS_TYPE_PTR, 0, 1, 0, true, "PTR" },
	{ DNS_TYPE_MINFO, 0, 2, 0, true, "MINFO" },
	{ DNS_TYPE_MX, 2, 1, 0, true, "MX" },
	{ DNS_TYPE_RP, 0, 2, 0, false, "RP" },
	{ DNS_TYPE_AFSDB, 2, 1, 0, false, "AFSDB" },
	{ DNS_TYPE_RT, 2, 1, 0, false, "RT" },
	{ DNS_TYPE_PX, 2, 2, 0, false, "PX" },
	{ DNS_TYPE_AAAA, 16, 0, 0, false, "AAAA" },
	{ DNS_TYPE_SRV, 6, 1, 0, true, "SRV" },
	{ DNS_TYPE_KX, 2, 1, 0, false, "KX" },
	{ DNS_TYPE_DNAME, 0, 1, 0, false, "DNAME" },
	{ DNS_TYPE_NSEC, 0, 1, POST_ANY, false, "NSEC" },
};

static const struct rdata_layout *layout_of(uint16_t type)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].type == type)
			return &layouts[i];
	return NULL;
}

const char *dns_type_name(uint16_t type)
{
	static const struct { uint16_t type; const char *name; } extra[] = {
		{ DNS_TYPE_NULL, "NULL" }, { DNS_TYPE_HINFO, "HINFO" },
		{ DNS_TYPE_TXT, "TXT" }, { DNS_TYPE_OPT, "OPT" }, { DNS_TYPE_ANY, "ANY" },
	};
	const struct rdata_layout *l = layout_of(type);
	if (l)
		return l->name;
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (extra[i].type == type)
			return extra[i].name;
	return NULL;
}

/* Read the name at *pos (which must be < end) into out, following
 * compression pointers anywhere before it in msg. Each pointer must point
 * strictly below the start of the label run it ends, so every hop moves
 * backwards and no loop can form; the hop cap bounds the work. On success
 * *pos is just past the name as it sits at *pos (labels + pointer). */
static enum dns_drop name_read(const uint8_t *msg, size_t end, size_t *pos,
                               struct dns_name *out)
{
	size_t p = *pos, run_start = *pos, n = 0;
	size_t resume = 0;
	unsigned hops = 0;

	for (;;) {
		if (p >= end)
			return DNS_DROP_TRUNCATED;
		uint8_t c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= end)
				return DNS_DROP_TRUNCATED;
			size_t target = (size_t)(c & 0x3f) << 8 | msg[p + 1];
			if (hops == 0)
				resume = p + 2;
			if (target >= run_start)
				return DNS_DROP_POINTER_FORWARD;
			if (++hops > DNS_PTR_HOPS_MAX)
				return DNS_DROP_POINTER_HOPS;
			p = run_start = target;
			continue;
		}
		if (c & 0xc0)
			return DNS_DROP_LABEL_TYPE;
		if (n + 1 + c > DNS_NAME_MAX)
			return DNS_DROP_NAME_TOO_LONG;
		if (p + 1 + c > end)
			return DNS_DROP_TRUNCATED;
		memcpy(out->wire + n, msg + p, 1u + c);
		n += 1u + c;
		p += 1u + c;
		if (c == 0)
			break;
	}
	out->len = (uint8_t)n;
	*pos = hops ? resume : p;
	return DNS_OK;
}

/* Decode typed rdata [start, start + rdlen) into pre / names / post. Names
 * may point anywhere before them in the message but must end inside the
 * rdata. */
static enum dns_drop rdata_read(const uint8_t *msg, size_t start, uint16_t rdlen,
                                const struct rdata_layout *l, struct dns_rr *rr)
{
	size_t end = start + rdlen, p = start;

	if (rdlen < l->pre)
		return DNS_DROP_RDATA_BAD;
	rr->pre = msg + p;
	rr->pre_len = l->pre;
	p += l->pre;
	for (unsigned i = 0; i < l->names; i++) {
		if (p >= end)
			return DNS_DROP_RDATA_BAD;
		enum dns_drop d = name_read(msg, end, &p, &rr->rname[i]);
		if (d == DNS_DROP_TRUNCATED)
			return DNS_DROP_RDATA_BAD; /* the name runs out of its rdata */
		if (d != DNS_OK)
			return d;
	}
	rr->n_names = l->names;
	rr->post = msg + p;
	rr->post_len = (uint16_t)(end - p);
	if (l->post != POST_ANY && rr->post_len != l->post)
		return DNS_DROP_RDATA_BAD;
	if (l->names == 0) {
		/* Fixed-size types (A, AAAA) stay opaque: the length was the check. */
		rr->pre = rr->post = NULL;
		rr->pre_len = rr->post_len = 0;
	}
	return DNS_OK;
}

enum dns_drop dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out)
{
	if (len > DNS_MSG_MAX)
		return DNS_DROP_TOO_LONG;
	if (len < DNS_HEADER_LEN)
		return DNS_DROP_TRUNCATED;

	out->id = be_get16(msg);
	out->flags = be_get16(msg + 2);
	size_t total = 0, need = DNS_HEADER_LEN;
	for (int s = 0; s < DNS_SEC__MAX; s++) {
		out->count[s] = be_get16(msg + 4 + 2 * s);
		total += out->count[s];
		/* smallest question: root name + type + class; smallest record adds ttl + rdlength */
		need += (size_t)out->count[s] * (s == DNS_SEC_QUESTION ? 5 : 11);
	}
	if (need > len)
		return DNS_DROP_COUNTS;
	if (total > DNS_MAX_RECORDS)
		return DNS_DROP_TOO_MANY;
	out->n_rr = (uint16_t)total;

	size_t pos = DNS_HEADER_LEN;
	unsigned idx = 0;
	for (int s = 0; s < DNS_SEC__MAX; s++) {
		for (unsigned k = 0; k < out->count[s]; k++, idx++) {
			struct dns_rr *rr = &out->rr[idx];
			enum dns_drop d = name_read(msg, len, &pos, &rr->name);
			if (d != DNS_OK)
				return d;
			rr->section = (uint8_t)s;
			rr->n_names = 0;
			rr->ttl = 0;
			rr->rdata = rr->pre = rr->post = NULL;
			rr->rdlen = rr->pre_len = rr->post_len = 0;
			if (s == DNS_SEC_QUESTION) {
				if (pos + 4 > len)
					return DNS_DROP_TRUNCATED;
				rr->type = be_get16(msg + pos);
				rr->class = be_get16(msg + pos + 2);
				pos += 4;
				continue;
			}
			if (pos + 10 > len)
				return DNS_DROP_TRUNCATED;
			rr->type = be_get16(msg + pos);
			rr->class = be_get16(msg + pos + 2);
			rr->ttl = be_get32(msg + pos + 4);
			rr->rdlen = be_get16(msg + pos + 8);
			pos += 10;
			if (rr->rdlen > len - pos)
				return DNS_DROP_RDATA_OVERRUN;
			rr->rdata = msg + pos;
			const struct rdata_layout *l = layout_of(rr->type);
			if (l) {
				d = rdata_read(msg, pos, rr->rdlen, l, rr);
				if (d != DNS_OK)
					return d;
			}
			pos += rr->rdlen;
		}
	}
	if (pos != len)
		return DNS_DROP_TRAILING;
	return DNS_OK;
}

/* ---- building ---- */

/* Names already written, for compression: the offsets of every suffix
 * (at a label boundary, below 0x4000) keyed by a hash of its bytes.
 * Open addressing; offset 0 (the header) marks an empty slot. */
#define COMP_SLOTS 1024
struct comp_table {
	uint32_t hash[COMP_SLOTS];
	uint16_t off[COMP_SLOTS];
	unsigned used;
};

struct builder {
	uint8_t *buf;
	size_t cap, len;
	bool failed;
	struct comp_table *comp; /* NULL = no compression */
};

static void emit(struct builder *b, const void *p, size_t n)
{
	if (b->failed || n > b->cap - b->len) {
		b->failed = true;
		return;
	}
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void emit16(struct builder *b, uint16_t v)
{
	uint8_t t[2];
	be_put16(t, v);
	emit(b, t, 2);
}

static void emit32(struct builder *b, uint32_t v)
{
	uint8_t t[4];
	be_put32(t, v);
	emit(b, t, 4);
}

static uint32_t hash_step(uint32_t h, const uint8_t *p, size_t n)
{
	/* FNV-1a: the table only needs a spread, every hit is verified. */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Does the name written at off in buf (following our own pointers) equal
 * the uncompressed labels s[0..n)? Exact bytes: compression must not
 * change how a name is spelled. */
static bool written_name_equals(const uint8_t *buf, size_t blen, size_t off,
                                const uint8_t *s, size_t n)
{
	size_t i = 0;
	unsigned hops = 0;

	while (off < blen) {
		uint8_t c = buf[off];
		if ((c & 0xc0) == 0xc0) {
			if (off + 1 >= blen || ++hops > DNS_PTR_HOPS_MAX)
				return false;
			off = (size_t)(c & 0x3f) << 8 | buf[off + 1];
			continue;
		}
		if (i + 1u + c > n || off + 1u + c > blen || memcmp(buf + off, s + i, 1u + c) != 0)
			return false;
		i += 1u + c;
		off += 1u + c;
		if (c == 0)
			return i == n;
	}
	return false;
}

static void emit_name(struct builder *b, const struct dns_name *name, bool compress)
{
	const uint8_t *w = name->wire;
	size_t starts[DNS_NAME_MAX / 2 + 1], nl = 0;
	uint32_t hashes[DNS_NAME_MAX / 2 + 1];

	if (!b->comp || !compress || name->len <= 1) {
		emit(b, w, name->len);
		return;
	}
	for (size_t p = 0; p < name->len && w[p] != 0; p += 1u + w[p])
		starts[nl++] = p;
	/* Hash each suffix from the right so the work stays linear. */
	uint32_t h = 2166136261u;
	for (size_t i = nl; i-- > 0;) {
		size_t lab_end = (i + 1 < nl) ? starts[i + 1] : (size_t)name->len - 1;
		h = hash_step(h * 31u + 7u, w + starts[i], lab_end - starts[i]);
		hashes[i] = h;
	}

	struct comp_table *t = b->comp;
	size_t match = nl;      /* label index where a written suffix takes over */
	uint16_t match_off = 0;
	for (size_t i = 0; i < nl && match == nl; i++) {
		for (uint32_t s = hashes[i] & (COMP_SLOTS - 1), k = 0; k < COMP_SLOTS; k++, s = (s + 1) & (COMP_SLOTS - 1)) {
			if (t->off[s] == 0)
				break;
			if (t->hash[s] == hashes[i] &&
			    written_name_equals(b->buf, b->len, t->off[s], w + starts[i], name->len - starts[i])) {
				match = i;
				match_off = t->off[s];
				break;
			}
		}
	}
	size_t base = b->len;
	size_t lit = (match == nl) ? name->len : starts[match];
	emit(b, w, lit);
	if (match != nl)
		emit16(b, (uint16_t)(0xc000 | match_off));
	if (b->failed)
		return;
	/* Remember the new suffixes; a full table only costs compression. */
	for (size_t i = 0; i < match; i++) {
		size_t off = base + starts[i];
		if (off >= 0x4000 || t->used >= COMP_SLOTS * 3 / 4)
			break;
		uint32_t s = hashes[i] & (COMP_SLOTS - 1);
		while (t->off[s] != 0)
			s = (s + 1) & (COMP_SLOTS - 1);
		t->off[s] = (uint16_t)off;
		t->hash[s] = hashes[i];
		t->used++;
	}
}

static void emit_rr(struct builder *b, const struct dns_rr *rr)
{
	emit_name(b, &rr->name, true);
	emit16(b, rr->type);
	emit16(b, rr->class);
	if (rr->section == DNS_SEC_QUESTION)
		return;
	emit32(b, rr->ttl);
	size_t rdlen_at = b->len;
	emit16(b, 0);
	if (rr->n_names == 0) {
		emit(b, rr->rdata, rr->rdlen);
	} else {
		const struct rdata_layout *l = layout_of(rr->type);
		bool compress = l && l->compress;
		emit(b, rr->pre, rr->pre_len);
		for (unsigned i = 0; i < rr->n_names && i < 2; i++)
			emit_name(b, &rr->rname[i], compress);
		emit(b, rr->post, rr->post_len);
	}
	if (b->failed)
		return;
	size_t rdlen = b->len - rdlen_at - 2;
	if (rdlen > 0xffff) {
		b->failed = true;
		return;
	}
	be_put16(b->buf + rdlen_at, (uint16_t)rdlen);
}

size_t dns_build_part(const struct dns_msg *m, const bool *keep, bool compress, unsigned from,
                      uint8_t *buf, size_t cap, unsigned *next)
{
	struct comp_table comp;
	struct builder b = { .buf = buf, .cap = cap, .comp = NULL };
	uint16_t count[DNS_SEC__MAX] = { 0 };
	int last = 0;
	unsigned i;

	*next = m->n_rr;
	if (cap > DNS_MSG_MAX)
		b.cap = cap = DNS_MSG_MAX;
	if (m->n_rr > DNS_MAX_RECORDS || cap < DNS_HEADER_LEN)
		return 0;
	for (i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (rr->section >= DNS_SEC__MAX || rr->section < last)
			return 0;
		last = rr->section;
	}
	if (compress) {
		memset(comp.off, 0, sizeof(comp.off));
		comp.used = 0;
		b.comp = &comp;
	}
	emit16(&b, m->id);
	emit16(&b, m->flags);
	emit(&b, "\0\0\0\0\0\0\0\0", 8);  /* counts: written at the end */
	for (i = from < m->n_rr ? from : m->n_rr; i < m->n_rr; i++) {
		if (keep && !keep[i])
			continue;
		size_t at = b.len;
		emit_rr(&b, &m->rr[i]);
		if (b.failed) {
			/* Cut at the record boundary. The compression table may
			 * point past the cut, but nothing is written after it. */
			b.len = at;
			b.failed = false;
			break;
		}
		count[m->rr[i].section]++;
	}
	*next = i;
	for (int s = 0; s < DNS_SEC__MAX; s++)
		be_put16(buf + 4 + 2 * s, count[s]);
	return b.len;
}

/* ---- names ---- */

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

bool dns_name_equal(const struct dns_name *a, const struct dns_name *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (lower(a->wire[i]) != lower(b->wire[i]))
			return false;
	return true;
}

int dns_name_from_text(const char *text, struct dns_name *out)
{
	size_t n = 0, lab = 0, lablen = 0;
	const char *s = text;

	if (s[0] == '.' && s[1] == '\0') {
		out->wire[0] = 0;
		out->len = 1;
		return 0;
	}
	for (;;) {
		char c = *s;
		if (c == '\0' || c == '.') {
			if (lablen == 0) {
				if (c == '\0' && n == 0)
					return -1;        /* empty name */
				if (c == '\0')
					break;            /* trailing dot already closed the label */
				return -1;                /* empty label */
			}
			out->wire[lab] = (uint8_t)lablen;
			lablen = 0;
			if (c == '\0' || (c == '.' && s[1] == '\0'))
				break;
			s++;
			continue;
		}
		if (lablen == 0) {
			if (n + 1 >= DNS_NAME_MAX)
				return -1;
			lab = n++;
		}
		if (c == '\\' && s[1] != '\0')
			c = *++s;
		if (lablen == DNS_LABEL_MAX || n + 1 >= DNS_NAME_MAX)
			return -1;
		out->wire[n++] = (uint8_t)c;
		lablen++;
		s++;
	}
	out->wire[n++] = 0;
	out->len = (uint8_t)n;
	return 0;
}

