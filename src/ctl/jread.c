/* The JSON reader (ctl/jread.h): recursive descent over a length-bounded
 * buffer, depth capped so a hostile reply cannot exhaust the stack. */
#include "ctl/jread.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *p, *end;
	const char *start;
	char *why;
	size_t why_cap;
	bool failed;
};

static void fail(struct reader *r, const char *what)
{
	if (!r->failed && r->why_cap)
		snprintf(r->why, r->why_cap, "%s at byte %zu", what, (size_t)(r->p - r->start));
	r->failed = true;
}

static void skip_ws(struct reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool take(struct reader *r, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0)
		return false;
	r->p += n;
	return true;
}

static int hex4(struct reader *r)
{
	if (r->end - r->p < 4)
		return -1;
	int v = 0;
	for (int k = 0; k < 4; k++) {
		char c = r->p[k];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	r->p += 4;
	return v;
}

static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* At the opening quote; a decoded copy, or NULL. A decoded string is never
 * longer than its escaped form (\uXXXX, 6 bytes, gives at most 3; a pair,
 * 12, gives 4), so the source length bounds the buffer. */
static char *read_string(struct reader *r)
{
	r->p++; /* " */
	const char *q = r->p;
	while (q < r->end && *q != '"') {
		if (*q == '\\' && q + 1 < r->end)
			q++;
		q++;
	}
	if (q >= r->end) {
		fail(r, "unterminated string");
		return NULL;
	}
	char *out = malloc((size_t)(q - r->p) + 1);
	if (!out) {
		fail(r, "out of memory");
		return NULL;
	}
	size_t n = 0;
	while (r->p < r->end && *r->p != '"') {
		unsigned char c = (unsigned char)*r->p++;
		if (c < 0x20) {
			fail(r, "control character in string");
			goto bad;
		}
		if (c != '\\') {
			out[n++] = (char)c;
			continue;
		}
		if (r->p >= r->end) {
			fail(r, "unterminated escape");
			goto bad;
		}
		char e = *r->p++;
		switch (e) {
		case '"': case '\\': case '/': out[n++] = e; break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			int cp = hex4(r);
			if (cp < 0) {
				fail(r, "bad \\u escape");
				goto bad;
			}
			uint32_t u = (uint32_t)cp;
			if (u >= 0xd800 && u < 0xdc00 && r->end - r->p >= 6 && r->p[0] == '\\' && r->p[1] == 'u') {
				const char *save = r->p;
				r->p += 2;
				int lo = hex4(r);
				if (lo >= 0xdc00 && lo < 0xe000)
					u = 0x10000 + ((u - 0xd800) << 10) + ((uint32_t)lo - 0xdc00);
				else
					r->p = save;
			}
			if (u >= 0xd800 && u < 0xe000)
				u = 0xfffd; /* a lone surrogate */
			n += put_utf8(out + n, u);
			break;
		}
		default:
			fail(r, "bad escape");
			goto bad;
		}
	}
	r->p++; /* " */
	out[n] = 0;
	return out;
bad:
	free(out);
	return NULL;
}

static bool read_number(struct reader *r, struct jv *v)
{
	const char *s = r->p;
	if (r->p < r->end && *r->p == '-')
		r->p++;
	if (r->p >= r->end || *r->p < '0' || *r->p > '9')
		return false;
	if (*r->p == '0')
		r->p++;
	else
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	if (r->p < r->end && *r->p == '.') {
		r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return false;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
		r->p++;
		if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
			r->p++;
		if (r->p >= r->end || *r->p < '0' || *r->p > '9')
			return false;
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
			r->p++;
	}
	char tmp[64];
	size_t len = (size_t)(r->p - s);
	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1; /* only precision is lost */
	memcpy(tmp, s, len);
	tmp[len] = 0;
	v->type = J_NUM;
	v->d = strtod(tmp, NULL);
	errno = 0;
	v->i = strtoll(tmp, NULL, 10);
	return true;
}

static struct jv *read_value(struct reader *r, unsigned depth);

/* Reads the elements of an array or object up to close; members of an
 * object carry their key. */
static bool read_items(struct reader *r, struct jv *parent, char close, unsigned depth)
{
	struct jv **tail = &parent->child;
	r->p++; /* [ or { */
	skip_ws(r);
	if (r->p < r->end && *r->p == close) {
		r->p++;
		return true;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(r);
		if (close == '}') {
			if (r->p >= r->end || *r->p != '"') {
				fail(r, "expected a key");
				return false;
			}
			key = read_string(r);
			if (!key)
				return false;
			skip_ws(r);
			if (r->p >= r->end || *r->p != ':') {
				free(key);
				fail(r, "expected ':'");
				return false;
			}
			r->p++;
		}
		struct jv *v = read_value(r, depth + 1);
		if (!v) {
			free(key);
			return false;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		skip_ws(r);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == close) {
			r->p++;
			return true;
		}
		fail(r, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
		return false;
	}
}

static struct jv *read_value(struct reader *r, unsigned depth)
{
	skip_ws(r);
	if (depth > JREAD_DEPTH_MAX) {
		fail(r, "nested too deep");
		return NULL;
	}
	if (r->p >= r->end) {
		fail(r, "unexpected end");
		return NULL;
	}
	struct jv *v = calloc(1, sizeof(*v));
	if (!v) {
		fail(r, "out of memory");
		return NULL;
	}
	bool ok = true;
	char c = *r->p;
	if (c == '{' || c == '[') {
		v->type = c == '{' ? J_OBJ : J_ARR;
		ok = read_items(r, v, c == '{' ? '}' : ']', depth);
	} else if (c == '"') {
		v->type = J_STR;
		v->s = read_string(r);
		ok = v->s != NULL;
	} else if (take(r, "true")) {
		v->type = J_BOOL;
		v->b = true;
	} else if (take(r, "false")) {
		v->type = J_BOOL;
	} else if (take(r, "null")) {
		v->type = J_NULL;
	} else if (!read_number(r, v)) {
		fail(r, "unexpected character");
		ok = false;
	}
	if (!ok) {
		jv_free(v);
		return NULL;
	}
	return v;
}

struct jv *jread(const char *buf, size_t len, char *why, size_t why_cap)
{
	struct reader r = { .p = buf, .end = buf + len, .start = buf, .why = why, .why_cap = why_cap };
	if (why_cap)
		why[0] = 0;
	struct jv *v = read_value(&r, 0);
	if (!v)
		return NULL;
	skip_ws(&r);
	if (r.p != r.end) {
		fail(&r, "trailing data");
		jv_free(v);
		return NULL;
	}
	return v;
}

void jv_free(struct jv *v)
{
	while (v) {
		struct jv *next = v->next;
		jv_free(v->child); /* depth is capped at parse time */
		free(v->s);
		free(v->key);
		free(v);
		v = next;
	}
}

const struct jv *jv_get(const struct jv *o, const char *key)
{
	if (!o || o->type != J_OBJ)
		return NULL;
	for (const struct jv *m = o->child; m; m = m->next)
		if (m->key && strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

long long jv_int(const struct jv *o, const char *key, long long dflt)
{
	const struct jv *v = jv_get(o, key);
	return v && v->type == J_NUM ? v->i : dflt;
}

bool jv_bool(const struct jv *o, const char *key)
{
	const struct jv *v = jv_get(o, key);
	return v && v->type == J_BOOL && v->b;
}

const char *jv_str(const struct jv *o, const char *key, const char *dflt)
{
	const struct jv *v = jv_get(o, key);
	return v && v->type == J_STR ? v->s : dflt;
}

const struct jv *jv_first(const struct jv *v)
{
	return v && (v->type == J_ARR || v->type == J_OBJ) ? v->child : NULL;
}
