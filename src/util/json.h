/* A small JSON writer into a ctl_out: objects, arrays, strings (escaped),
 * integers, booleans, null. Commas are placed for it: every value or key
 * after the first in its container gets one. Nesting deeper than
 * JSON_DEPTH_MAX is a programming error: commas may then be wrong, but
 * nothing overflows. */
#ifndef ISLANDD_JSON_H
#define ISLANDD_JSON_H

#include "ctl/ctl.h"

#include <stdbool.h>
#include <stdint.h>

#define JSON_DEPTH_MAX 64

struct json {
	struct ctl_out *o;
	unsigned depth;
	uint64_t has_item;  /* bit d: container at depth d holds an item */
	bool after_key;     /* the next value belongs to the key just written */
};

void json_init(struct json *j, struct ctl_out *o);

void json_obj(struct json *j);      /* { */
void json_obj_end(struct json *j);  /* } */
void json_arr(struct json *j);      /* [ */
void json_arr_end(struct json *j);  /* ] */
void json_key(struct json *j, const char *key);

void json_str(struct json *j, const char *s); /* NULL writes null */
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* Ends the document with a newline (one document per reply). */
void json_end(struct json *j);

/* key + value in one call */
void json_kobj(struct json *j, const char *key);
void json_karr(struct json *j, const char *key);
void json_kstr(struct json *j, const char *key, const char *s);
void json_ku64(struct json *j, const char *key, uint64_t v);
void json_ki64(struct json *j, const char *key, int64_t v);
void json_kbool(struct json *j, const char *key, bool v);
void json_knull(struct json *j, const char *key);

#endif
