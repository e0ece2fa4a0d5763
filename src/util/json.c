/* The JSON writer: the daemon's one output model (util/json.h). */
#include "util/json.h"

#include <inttypes.h>

void json_init(struct json *j, struct ctl_out *o)
{
	*j = (struct json){ .o = o };
}

static uint64_t depth_bit(unsigned depth)
{
	return 1ull << (depth < JSON_DEPTH_MAX ? depth : JSON_DEPTH_MAX - 1);
}

/* Before a value or a key: a comma when the container already holds one. */
static void sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	uint64_t bit = depth_bit(j->depth);
	if (j->depth && (j->has_item & bit))
		ctl_printf(j->o, ",");
	j->has_item |= bit;
}

static void begin(struct json *j, char c)
{
	sep(j);
	ctl_printf(j->o, "%c", c);
	j->depth++;
	j->has_item &= ~depth_bit(j->depth);
}

static void finish(struct json *j, char c)
{
	ctl_printf(j->o, "%c", c);
	j->has_item &= ~depth_bit(j->depth);
	if (j->depth)
		j->depth--;
}

void json_obj(struct json *j) { begin(j, '{'); }
void json_obj_end(struct json *j) { finish(j, '}'); }
void json_arr(struct json *j) { begin(j, '['); }
void json_arr_end(struct json *j) { finish(j, ']'); }

static void raw_str(struct ctl_out *o, const char *s)
{
	ctl_printf(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			ctl_printf(o, "\\%c", c);
		else if (c == '\n')
			ctl_printf(o, "\\n");
		else if (c == '\t')
			ctl_printf(o, "\\t");
		else if (c < 0x20 || c == 0x7f)
			ctl_printf(o, "\\u%04x", c);
		else
			ctl_printf(o, "%c", c);
	}
	ctl_printf(o, "\"");
}

void json_key(struct json *j, const char *key)
{
	sep(j);
	raw_str(j->o, key);
	ctl_printf(j->o, ":");
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	sep(j);
	if (s)
		raw_str(j->o, s);
	else
		ctl_printf(j->o, "null");
}

void json_u64(struct json *j, uint64_t v)
{
	sep(j);
	ctl_printf(j->o, "%" PRIu64, v);
}

void json_i64(struct json *j, int64_t v)
{
	sep(j);
	ctl_printf(j->o, "%" PRId64, v);
}

void json_bool(struct json *j, bool v)
{
	sep(j);
	ctl_printf(j->o, v ? "true" : "false");
}

void json_null(struct json *j)
{
	sep(j);
	ctl_printf(j->o, "null");
}

void json_end(struct json *j)
{
	ctl_printf(j->o, "\n");
}

void json_kobj(struct json *j, const char *key) { json_key(j, key); json_obj(j); }
void json_karr(struct json *j, const char *key) { json_key(j, key); json_arr(j); }
void json_kstr(struct json *j, const char *key, const char *s) { json_key(j, key); json_str(j, s); }
void json_ku64(struct json *j, const char *key, uint64_t v) { json_key(j, key); json_u64(j, v); }
void json_ki64(struct json *j, const char *key, int64_t v) { json_key(j, key); json_i64(j, v); }
void json_kbool(struct json *j, const char *key, bool v) { json_key(j, key); json_bool(j, v); }
void json_knull(struct json *j, const char *key) { json_key(j, key); json_null(j); }
