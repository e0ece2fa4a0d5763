/* Fuzzes islandctl's JSON reader and text rendering with whatever a
 * daemon (or something pretending to be one) could send: any bytes must be
 * refused or read, and what is read renders as every command without a
 * crash. What reads back is written again with the daemon's writer and
 * must read back to the same shape. */
#include "ctl/jread.h"
#include "ctl/render.h"
#include "util/json.h"

#include <stdio.h>
#include <stdlib.h>

static void rewrite(struct json *j, const struct jv *v)
{
	if (v->key)
		json_key(j, v->key);
	switch (v->type) {
	case J_NULL: json_null(j); break;
	case J_BOOL: json_bool(j, v->b); break;
	case J_NUM: json_i64(j, v->i); break;
	case J_STR: json_str(j, v->s); break;
	case J_ARR:
	case J_OBJ:
		if (v->type == J_ARR)
			json_arr(j);
		else
			json_obj(j);
		for (const struct jv *c = v->child; c; c = c->next)
			rewrite(j, c);
		if (v->type == J_ARR)
			json_arr_end(j);
		else
			json_obj_end(j);
		break;
	}
}

static size_t count(const struct jv *v)
{
	size_t n = 1;
	for (const struct jv *c = jv_first(v); c; c = c->next)
		n += count(c);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static const char *const commands[] = { "status", "sessions", "routes", "stats", "mdns", "ra",
	                                        "reload", "config" };
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	char why[128];
	struct jv *v = jread((const char *)data, size, why, sizeof(why));
	if (!v)
		return 0;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		ctl_render(commands[i], v, devnull);
	/* written again, it reads back to as many values */
	{
		struct ctl_out o;
		struct json j;
		ctl_out_init(&o);
		json_init(&j, &o);
		rewrite(&j, v);
		struct jv *w = o.buf ? jread(o.buf, o.len, NULL, 0) : NULL;
		if (!w || count(w) != count(v))
			abort();
		jv_free(w);
		ctl_out_free(&o);
	}
	jv_free(v);
	return 0;
}
