/* islandctl's JSON reader: parses the daemon's reply into a tree to render
 * tables from. Bounded: at most JREAD_DEPTH_MAX levels; any syntax error,
 * trailing garbage or bad escape refuses the whole document. */
#ifndef ISLANDD_JREAD_H
#define ISLANDD_JREAD_H

#include <stdbool.h>
#include <stddef.h>

#define JREAD_DEPTH_MAX 32

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype type;
	bool b;
	long long i;        /* J_NUM: the integer part, clamped to long long */
	double d;           /* J_NUM */
	char *s;            /* J_STR: decoded, NUL-terminated (may hold no NUL) */
	char *key;          /* member of an object: its key */
	struct jv *child;   /* J_ARR, J_OBJ: first element */
	struct jv *next;    /* next element of the parent */
};

/* NULL on any error (why says where); the tree is freed with jv_free. */
struct jv *jread(const char *buf, size_t len, char *why, size_t why_cap);
void jv_free(struct jv *v);

/* Member key of object o, or NULL (o NULL or not an object included). */
const struct jv *jv_get(const struct jv *o, const char *key);
/* Typed lookups with a default for a missing or mistyped member. */
long long jv_int(const struct jv *o, const char *key, long long dflt);
bool jv_bool(const struct jv *o, const char *key);
const char *jv_str(const struct jv *o, const char *key, const char *dflt);
/* First element of an array or object (NULL when none). */
const struct jv *jv_first(const struct jv *v);

#endif
