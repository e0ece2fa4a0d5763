/* Config grammar: statements, blocks, top-level keywords, and the public
 * entry points conf_parse(), conf_load(), conf_error_format().
 *
 * A statement is KEYWORD [ARG...] [{ STATEMENTS }] [;]. Arguments sit on the
 * keyword's line (as in ndppd, whose values end at the line's end); lists
 * (rdnss, dnssl, allow ...) run to the end of the line, a ';' or a brace; a
 * block's '{' may also start the next line. Each block has a keyword table; a keyword that
 * is not in it is an error, never ignored (ndppd 0.2.5 skips unknown keys,
 * which is how Debian's build silently drops `autowire`). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_parser.h"

int conf_fail(struct conf_parser *p, struct conf_pos pos, const char *fmt, ...)
{
	struct conf_error *err = p->err;
	if (err->msg[0]) /* keep the first error */
		return -1;
	snprintf(err->file, sizeof(err->file), "%s", p->file);
	err->line = pos.line;
	err->col = pos.col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void conf_warn(struct conf_parser *p, struct conf_pos pos, const char *fmt, ...)
{
	struct conf *c = p->conf;
	if (c->n_warnings >= CONF_MAX_WARNINGS) {
		c->n_warnings_dropped++;
		return;
	}
	char *w = c->warnings[c->n_warnings++];
	int n = snprintf(w, CONF_WARNING_LEN, "%.100s:%u:%u: ", p->file, pos.line, pos.col);
	if (n < 0 || n >= CONF_WARNING_LEN)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w + n, CONF_WARNING_LEN - (size_t)n, fmt, ap);
	va_end(ap);
}

const char *conf_tokstr(const struct conf_token *t, char *buf, size_t cap)
{
	static const size_t keep = 40;
	size_t n = 0;
	for (size_t i = 0; i < t->len && n + 5 < cap; i++) {
		if (i == keep) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		unsigned char ch = (unsigned char)t->text[i];
		buf[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	buf[n] = 0;
	return buf;
}

/* Where else a misplaced keyword belongs, for a better message. */
static const struct {
	const struct conf_keyword *table;
	const char *where;
} conf_places[] = {
	{ conf_kw_top, "at top level" },
	{ conf_kw_proxy, "in a proxy block" },
	{ conf_kw_rule, "in a rule block" },
	{ conf_kw_mdns, "in the mdns block" },
	{ conf_kw_mdns_iface, "in an mdns iface block" },
	{ conf_kw_relay, "in an ra-relay block" },
	{ conf_kw_ra, "in an ra block" },
	{ conf_kw_ra_prefix, "in an ra prefix block" },
	{ conf_kw_pd, "in a dhcp6-pd block" },
	{ conf_kw_pd_iface, "in a dhcp6-pd iface block" },
	{ conf_kw_dhcp4_relay, "in a dhcp4-relay block" },
};

static const struct conf_keyword *keyword_find(const struct conf_keyword *table,
                                               const struct conf_token *t)
{
	for (; table->name; table++)
		if (strlen(table->name) == t->len && !memcmp(table->name, t->text, t->len))
			return table;
	return NULL;
}

static int unknown_keyword(struct conf_parser *p, const struct conf_token *t, const char *where)
{
	char tb[64];
	conf_tokstr(t, tb, sizeof(tb));
	for (size_t i = 0; i < sizeof(conf_places) / sizeof(conf_places[0]); i++)
		if (keyword_find(conf_places[i].table, t))
			return conf_fail(p, t->pos, "'%s' is not allowed %s (it belongs %s)", tb, where,
			                 conf_places[i].where);
	return conf_fail(p, t->pos, "unknown keyword '%s' %s", tb, where);
}

/* After a statement, an optional ';'. ndppd reads exactly one value per key
 * and then the next key, even on the same line (`router yes ttl 500`), so a
 * line break is not required; a stray extra value shows up as an unknown
 * keyword at its own position. */
static int statement_end(struct conf_parser *p)
{
	struct conf_token t;
	if (conf_lex_peek(p, &t) < 0)
		return -1;
	if (t.type == TOK_SEMI)
		return conf_lex_next(p, &t);
	return 0;
}

int conf_parse_block(struct conf_parser *p, const struct conf_keyword *table,
                     const char *where, void *ctx, const struct conf_token *open)
{
	for (;;) {
		struct conf_token t;
		char tb[64];
		if (conf_lex_next(p, &t) < 0)
			return -1;
		switch (t.type) {
		case TOK_EOF:
			if (open)
				return conf_fail(p, open->pos, "'{' is never closed (missing '}')");
			return 0;
		case TOK_RBRACE:
			if (open)
				return 0;
			return conf_fail(p, t.pos, "unexpected '}' (no block is open)");
		case TOK_SEMI:
			continue; /* empty statement */
		case TOK_LBRACE:
		case TOK_EQUALS:
			return conf_fail(p, t.pos, "unexpected '%s' %s", conf_tokstr(&t, tb, sizeof(tb)), where);
		case TOK_WORD:
			break;
		}
		if (t.quoted)
			return conf_fail(p, t.pos, "a keyword cannot be quoted: '%s'",
			                 conf_tokstr(&t, tb, sizeof(tb)));
		const struct conf_keyword *k = keyword_find(table, &t);
		if (!k)
			return unknown_keyword(p, &t, where);
		if (k->parse(p, ctx, &t) < 0 || statement_end(p) < 0)
			return -1;
	}
}

int conf_open_block(struct conf_parser *p, struct conf_token *open)
{
	if (conf_lex_peek(p, open) < 0)
		return -1;
	if (open->type != TOK_LBRACE)
		return 0;
	if (conf_lex_next(p, open) < 0)
		return -1;
	return 1;
}

int conf_arg(struct conf_parser *p, const struct conf_token *kw, struct conf_token *out)
{
	char kb[64];
	if (conf_lex_peek(p, out) < 0)
		return -1;
	if (out->type == TOK_EQUALS && !out->newline_before) {
		if (conf_lex_next(p, out) < 0 || conf_lex_peek(p, out) < 0)
			return -1;
	}
	if (out->type != TOK_WORD || out->newline_before)
		return conf_fail(p, kw->pos, "'%s' needs a value", conf_tokstr(kw, kb, sizeof(kb)));
	return conf_lex_next(p, out);
}

int conf_arg_more(struct conf_parser *p, struct conf_token *out)
{
	if (conf_lex_peek(p, out) < 0)
		return -1;
	if (out->type != TOK_WORD || out->newline_before)
		return 0;
	if (conf_lex_next(p, out) < 0)
		return -1;
	return 1;
}

int conf_once(struct conf_parser *p, struct conf_pos *seen, const struct conf_token *kw,
              bool compat)
{
	char kb[64];
	if (!seen->line) {
		*seen = kw->pos;
		return 1;
	}
	conf_tokstr(kw, kb, sizeof(kb));
	if (!compat)
		return conf_fail(p, kw->pos, "duplicate '%s' (first at %u:%u)", kb, seen->line, seen->col);
	conf_warn(p, kw->pos, "duplicate '%s' ignored: the first, at %u:%u, applies (as in ndppd)",
	          kb, seen->line, seen->col);
	return 0;
}

void *conf_push(struct conf_parser *p, void **arr, size_t *n, size_t elem_size, size_t max,
                struct conf_pos at, const char *what)
{
	if (*n >= max) {
		conf_fail(p, at, "too many %s (at most %zu)", what, max);
		return NULL;
	}
	/* capacity is the next power of two: grow when n is one, O(n) copies in all */
	if (*n == 0 || (*n & (*n - 1)) == 0) {
		size_t cap = *n ? *n * 2 : 1;
		void *grown = realloc(*arr, cap * elem_size);
		if (!grown) {
			conf_fail(p, at, "out of memory");
			return NULL;
		}
		*arr = grown;
	}
	char *elem = (char *)*arr + *n * elem_size;
	memset(elem, 0, elem_size);
	(*n)++;
	return elem;
}

/* ---- top level: route-ttl, address-ttl (ndppd), batch-interval, proxy, mdns, ra-relay, ra ---- */

struct top_ctx {
	struct conf_pos route_ttl, address_ttl, batch_interval, metrics_listen;
};

static int kw_route_ttl(struct conf_parser *p, void *vctx, const struct conf_token *kw)
{
	struct top_ctx *ctx = vctx;
	uint32_t v;
	if (conf_kw_u32(p, kw, 0, 86400000, &v) < 0)
		return -1;
	int first = conf_once(p, &ctx->route_ttl, kw, true);
	if (first > 0)
		p->conf->route_ttl_ms = v;
	return first < 0 ? -1 : 0;
}

static int kw_address_ttl(struct conf_parser *p, void *vctx, const struct conf_token *kw)
{
	struct top_ctx *ctx = vctx;
	uint32_t v;
	if (conf_kw_u32(p, kw, 0, 86400000, &v) < 0)
		return -1;
	int first = conf_once(p, &ctx->address_ttl, kw, true);
	if (first > 0)
		p->conf->address_ttl_ms = v;
	return first < 0 ? -1 : 0;
}

static int kw_batch_interval(struct conf_parser *p, void *vctx, const struct conf_token *kw)
{
	struct top_ctx *ctx = vctx;
	uint32_t v;
	if (conf_kw_u32(p, kw, 0, CONF_MAX_BATCH_INTERVAL, &v) < 0)
		return -1;
	int first = conf_once(p, &ctx->batch_interval, kw, false);
	if (first > 0)
		p->conf->batch_interval_us = v;
	return first < 0 ? -1 : 0;
}

static int kw_metrics_listen(struct conf_parser *p, void *vctx, const struct conf_token *kw)
{
	struct top_ctx *ctx = vctx;
	struct conf_token v;
	struct conf_listen l;
	if (conf_arg(p, kw, &v) < 0 || conf_val_listen(p, &v, &l) < 0)
		return -1;
	int first = conf_once(p, &ctx->metrics_listen, kw, false);
	if (first > 0)
		p->conf->metrics_listen = l;
	return first < 0 ? -1 : 0;
}

const struct conf_keyword conf_kw_top[] = {
	{ "route-ttl", kw_route_ttl },
	{ "address-ttl", kw_address_ttl },
	{ "batch-interval", kw_batch_interval },
	{ "metrics-listen", kw_metrics_listen },
	{ "proxy", conf_parse_proxy },
	{ "mdns", conf_parse_mdns },
	{ "ra-relay", conf_parse_relay },
	{ "ra", conf_parse_ra },
	{ "dhcp6-pd", conf_parse_pd },
	{ "island", conf_parse_island },
	{ "dhcp4-relay", conf_parse_dhcp4_relay },
	{ NULL, NULL },
};

int conf_parse(const char *text, size_t len, const char *filename,
               struct conf **out, struct conf_error *err)
{
	struct conf_parser p;
	struct top_ctx top;
	memset(&p, 0, sizeof(p));
	memset(&top, 0, sizeof(top));
	memset(err, 0, sizeof(*err));
	*out = NULL;
	p.file = filename ? filename : "<config>";
	p.err = err;
	struct conf_pos start = { 1, 1 };

	struct conf *c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(p.file))) {
		free(c);
		return conf_fail(&p, start, "out of memory");
	}
	c->route_ttl_ms = CONF_DEF_ROUTE_TTL_MS;
	c->address_ttl_ms = CONF_DEF_ADDRESS_TTL_MS;
	c->batch_interval_us = CONF_DEF_BATCH_INTERVAL;
	p.conf = c;

	if (len > CONF_MAX_SIZE) {
		conf_fail(&p, start, "file too large (%zu bytes, at most %u)", len, CONF_MAX_SIZE);
		goto fail;
	}
	conf_lex_init(&p.lex, text ? text : "", text ? len : 0);
	if (conf_parse_block(&p, conf_kw_top, "at top level", &top, NULL) < 0 || conf_islands_expand(&p) < 0)
		goto fail;
	if (conf_is_empty(c))
		conf_warn(&p, start, "the configuration is empty (no proxy, mdns, ra-relay or ra block): "
		                     "islandd would do nothing");
	*out = c;
	return 0;
fail:
	conf_free(c);
	return -1;
}

int conf_load(const char *path, struct conf **out, struct conf_error *err)
{
	struct conf_pos none = { 0, 0 };
	struct conf_parser p;
	memset(&p, 0, sizeof(p));
	memset(err, 0, sizeof(*err));
	*out = NULL;
	p.file = path;
	p.err = err;

	/* O_NONBLOCK: a FIFO or a device must not hang the open; only a
	 * regular file is read, where the flag changes nothing */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return conf_fail(&p, none, "cannot open: %s", strerror(errno));
	char *buf = NULL;
	int rc = -1;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		conf_fail(&p, none, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_fail(&p, none, "not a regular file (a configuration is read from a file)");
		goto out;
	}
	/* read to the end rather than trust st_size: the file may change */
	size_t len = 0, cap = CONF_MAX_SIZE + 1;
	buf = malloc(cap);
	if (!buf) {
		conf_fail(&p, none, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			conf_fail(&p, none, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			conf_fail(&p, none, "file too large (more than %u bytes)", CONF_MAX_SIZE);
			goto out;
		}
	}
	rc = conf_parse(buf, len, path, out, err);
out:
	free(buf);
	close(fd);
	return rc;
}

void conf_error_format(const struct conf_error *err, char *buf, size_t cap)
{
	if (!cap)
		return;
	if (err->line)
		snprintf(buf, cap, "%s:%u:%u: %s", err->file, err->line, err->col, err->msg);
	else
		snprintf(buf, cap, "%s: %s", err->file, err->msg);
}
