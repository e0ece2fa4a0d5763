/* HTTP/1.x request head parsing (RFC 9112 §2-3), just enough for a scrape. */
#include "proto/http_req.h"

#include <stdbool.h>
#include <string.h>

/* RFC 9110 §5.6.2 tchar */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the head: the byte after the blank line, or 0. Lines end in
 * CRLF or a bare LF (RFC 9112 §2.2 lets a recipient accept LF). */
static size_t head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* One line from p (not past end): its length without CR LF, and *next. */
static size_t line(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl) {
		*next = end;
		return (size_t)(end - p);
	}
	*next = nl + 1;
	size_t n = (size_t)(nl - p);
	return n && p[n - 1] == '\r' ? n - 1 : n;
}

enum http_parse http_req_parse(const char *buf, size_t len, struct http_req *r)
{
	size_t end = head_end(buf, len);
	/* a bad request line is refused at once, before its blank line comes */
	const char *p = buf, *stop = end ? buf + end : buf + len, *next;
	size_t n = line(p, stop, &next);
	bool whole_line = next != stop || end;
	size_t i = 0;
	while (i < n && is_tchar((unsigned char)p[i]))
		i++;
	if (i == 0 && (n > 0 || whole_line))
		return HTTP_BAD;
	if (i < n && p[i] != ' ')
		return HTTP_BAD;
	if (!whole_line && i == n)
		return i > 16 ? HTTP_BAD : HTTP_INCOMPLETE;
	if (!end)
		return HTTP_INCOMPLETE;
	if (i == n)
		return HTTP_BAD;
	r->method = i == 3 && memcmp(p, "GET", 3) == 0 ? HTTP_GET :
	            i == 4 && memcmp(p, "HEAD", 4) == 0 ? HTTP_HEAD : HTTP_OTHER;
	size_t t = ++i;
	while (i < n && p[i] > ' ' && p[i] < 0x7f)
		i++;
	if (i == t || i == n || p[i] != ' ' || p[t] != '/')
		return HTTP_BAD;
	size_t tlen = i - t;
	const char *q = memchr(p + t, '?', tlen);
	size_t plen = q ? (size_t)(q - (p + t)) : tlen;
	if (plen >= sizeof(r->path))
		return HTTP_BAD;
	memcpy(r->path, p + t, plen);
	r->path[plen] = 0;
	i++;
	if (n - i != 8 || memcmp(p + i, "HTTP/1.", 7) != 0 || (p[i + 7] != '0' && p[i + 7] != '1'))
		return HTTP_BAD;
	/* header fields: name ":" value, no control characters */
	for (p = next; p < stop;) {
		n = line(p, stop, &next);
		if (n == 0)
			break; /* the blank line */
		size_t k = 0;
		while (k < n && is_tchar((unsigned char)p[k]))
			k++;
		if (k == 0 || k == n || p[k] != ':')
			return HTTP_BAD;
		for (; k < n; k++)
			if (((unsigned char)p[k] < 0x20 && p[k] != '\t') || p[k] == 0x7f)
				return HTTP_BAD;
		p = next;
	}
	r->len = end;
	return HTTP_OK;
}
