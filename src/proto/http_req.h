/* The metrics listener's HTTP/1.x request parser: a pure function over the
 * bytes read so far (no I/O, no globals, nothing allocated). It reads the
 * request line, checks the header lines' shape and ignores their content:
 * a scrape needs nothing from them. */
#ifndef ISLANDD_PROTO_HTTP_REQ_H
#define ISLANDD_PROTO_HTTP_REQ_H

#include <stddef.h>

#define HTTP_PATH_MAX 256

enum http_parse {
	HTTP_INCOMPLETE, /* no blank line yet: read more (if the buffer has room) */
	HTTP_OK,
	HTTP_BAD,        /* malformed: close the connection */
};

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

struct http_req {
	enum http_method method;
	char path[HTTP_PATH_MAX];  /* the target without its query string */
	size_t len;                /* bytes of the request, blank line included */
};

enum http_parse http_req_parse(const char *buf, size_t len, struct http_req *r);

#endif
