/* Config lexer: bytes -> tokens with their line:col.
 *
 * Tokens are words, quoted strings, '{', '}', ';' and '='. Comments are
 * ndppd's three kinds: '#' and '//' to the end of the line, '/' '*' to '*' '/'.
 * ndppd ends an unterminated block comment silently at end of file; here it
 * is an error at the position where the comment began, because everything
 * after it would be lost without a word. Quoted strings ('...' or "...")
 * are ndppd's too; they end on the same line and know no escapes. */
#include <string.h>

#include "conf/conf_parser.h"

void conf_lex_init(struct conf_lexer *lx, const char *text, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->text = text;
	lx->len = len;
	lx->line = 1;
	lx->col = 1;
	/* A UTF-8 byte order mark, as some editors write, is not content; the
	 * column stays 1 as editors count it. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		lx->off = 3;
}

static int lex_at(const struct conf_lexer *lx, size_t ahead)
{
	size_t i = lx->off + ahead;
	return i < lx->len ? (unsigned char)lx->text[i] : -1;
}

static void lex_advance(struct conf_lexer *lx)
{
	if (lx->text[lx->off] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->off++;
}

static struct conf_pos lex_pos(const struct conf_lexer *lx)
{
	struct conf_pos pos = { lx->line, lx->col };
	return pos;
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool comment_starts(const struct conf_lexer *lx)
{
	int c = lex_at(lx, 0), d = lex_at(lx, 1);
	return c == '#' || (c == '/' && (d == '/' || d == '*'));
}

/* Bytes a bare word can hold: everything printable that is not syntax. */
static bool is_word_byte(int c)
{
	if (c <= 0x20 || c == 0x7f)
		return false;
	return !strchr("{};=\"'#", c);
}

/* Skip blanks, newlines and comments; note whether a line ended. */
static int lex_skip(struct conf_parser *p, bool *newline)
{
	struct conf_lexer *lx = &p->lex;
	for (;;) {
		int c = lex_at(lx, 0);
		if (c < 0)
			return 0;
		if (c == '\n') {
			*newline = true;
			lex_advance(lx);
		} else if (is_blank(c)) {
			lex_advance(lx);
		} else if (c == '#' || (c == '/' && lex_at(lx, 1) == '/')) {
			while (lex_at(lx, 0) >= 0 && lex_at(lx, 0) != '\n')
				lex_advance(lx);
		} else if (c == '/' && lex_at(lx, 1) == '*') {
			struct conf_pos start = lex_pos(lx);
			lex_advance(lx);
			lex_advance(lx);
			for (;;) {
				if (lex_at(lx, 0) < 0)
					return conf_fail(p, start, "unterminated comment: '/*' is never closed by '*/'");
				if (lex_at(lx, 0) == '*' && lex_at(lx, 1) == '/') {
					lex_advance(lx);
					lex_advance(lx);
					break;
				}
				if (lex_at(lx, 0) == '\n')
					*newline = true;
				lex_advance(lx);
			}
		} else {
			return 0;
		}
	}
}

static int lex_quoted(struct conf_parser *p, struct conf_token *t)
{
	struct conf_lexer *lx = &p->lex;
	int quote = lex_at(lx, 0);
	lex_advance(lx);
	size_t start = lx->off;
	for (;;) {
		int c = lex_at(lx, 0);
		if (c < 0 || c == '\n')
			return conf_fail(p, t->pos, "unterminated string: no closing %c on this line", quote);
		if (c == quote)
			break;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return conf_fail(p, lex_pos(lx), "control character 0x%02x in a string", (unsigned)c);
		lex_advance(lx);
	}
	t->type = TOK_WORD;
	t->text = lx->text + start;
	t->len = lx->off - start;
	t->quoted = true;
	lex_advance(lx); /* closing quote */
	return 0;
}

static int lex_scan(struct conf_parser *p, struct conf_token *t)
{
	struct conf_lexer *lx = &p->lex;
	bool newline = false;
	memset(t, 0, sizeof(*t));
	if (lex_skip(p, &newline) < 0)
		return -1;
	t->newline_before = newline;
	t->pos = lex_pos(lx);
	int c = lex_at(lx, 0);
	if (c < 0) {
		t->type = TOK_EOF;
		return 0;
	}
	const char *one = strchr("{};=", c);
	if (c && one) {
		static const enum conf_tok_type types[] = { TOK_LBRACE, TOK_RBRACE, TOK_SEMI, TOK_EQUALS };
		t->type = types[one - "{};="];
		t->text = lx->text + lx->off;
		t->len = 1;
		lex_advance(lx);
		return 0;
	}
	if (c == '"' || c == '\'')
		return lex_quoted(p, t);
	if (!is_word_byte(c))
		return conf_fail(p, t->pos, "unexpected control character 0x%02x", (unsigned)c);
	size_t start = lx->off;
	while (is_word_byte(lex_at(lx, 0)) && !comment_starts(lx))
		lex_advance(lx);
	t->type = TOK_WORD;
	t->text = lx->text + start;
	t->len = lx->off - start;
	return 0;
}

int conf_lex_peek(struct conf_parser *p, struct conf_token *t)
{
	struct conf_lexer *lx = &p->lex;
	if (!lx->have_peek) {
		if (lex_scan(p, &lx->peek) < 0)
			return -1;
		lx->have_peek = true;
	}
	*t = lx->peek;
	return 0;
}

int conf_lex_next(struct conf_parser *p, struct conf_token *t)
{
	if (conf_lex_peek(p, t) < 0)
		return -1;
	p->lex.have_peek = false;
	return 0;
}
