/* Fuzzes the control protocol as the daemon reads it: one request line into
 * ctl_parse_request, then the reply rendering of every command against a
 * live NDP engine with sessions, and JSON escaping of arbitrary strings;
 * every reply must read back with islandctl's reader. */
#include "conf/conf.h"
#include "ctl/ctl.h"
#include "ctl/jread.h"
#include "ndproxy/ndproxy.h"
#include "net/iftable.h"
#include "proxy/proxy_engine.h"
#include "util/json.h"
#include "util/log.h"
#include "util/loop.h"
#include "fuzz_conf_of.h"

#include <stdlib.h>
#include <string.h>

static void f_na(void *c, int i, const uint8_t *l2, uint8_t h, const struct in6_addr *s,
                 const struct in6_addr *d, const struct in6_addr *t, uint8_t f, const struct nd_lladdr *ll) {}
static void f_ns(void *c, int i, const struct in6_addr *s, const struct in6_addr *t, const struct nd_lladdr *ll) {}
static int f_route(void *c, const struct in6_addr *t, int i, const struct in6_addr *v) { return 0; }
static int f_oif(void *c, const struct in6_addr *t) { return 0; }
static uint64_t f_now(void *c) { return 5000; }
static const struct ndp_ops ops = { .send_na = f_na, .send_ns = f_ns, .route_add = f_route,
	                            .route_del = f_route, .route_oif = f_oif, .now_ms = f_now };

/* Every reply must be one JSON document islandctl's reader accepts. */
static void check_json(const struct ctl_out *o)
{
	struct jv *v = jread(o->buf, o->len, NULL, 0);
	if (!v || v->type != J_OBJ)
		abort();
	jv_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ndp_engine *e;
	if (!e) {
		static const char text[] = "proxy if1 { rule 2001:db8::/64 { iface if2 } }\n";
		struct conf *conf = fuzz_conf_of(text, sizeof(text) - 1);
		struct iftable *ifs = iftable_new(4);
		e = ndp_engine_new(loop_new(), conf, ifs, &ops);
		if (!e)
			abort();
	}
	struct ctl_request req;
	if (ctl_parse_request((const char *)data, size, &req) == 0) {
		if (!req.command[0] || strlen(req.command) >= sizeof(req.command))
			abort();
		struct ctl_out o;
		struct json j;
		ctl_out_init(&o);
		json_init(&j, &o);
		json_obj(&j);
		json_kstr(&j, "arg", req.arg);
		json_kstr(&j, "command", req.command);
		proxy_core_dump_sessions(ndp_engine_core(e), &j);
		proxy_core_dump_routes(ndp_engine_core(e), &j);
		json_obj_end(&j);
		json_end(&j);
		check_json(&o);
		ctl_out_free(&o);
	}
	/* arbitrary bytes as a JSON string must come out escaped */
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct ctl_out o;
	struct json j;
	ctl_out_init(&o);
	json_init(&j, &o);
	json_obj(&j);
	json_kstr(&j, s, s);
	json_obj_end(&j);
	check_json(&o);
	/* and reads back as the same bytes (up to the first NUL) */
	struct jv *v = jread(o.buf, o.len, NULL, 0);
	if (!v || !v->child || strcmp(v->child->s, s) != 0 || strcmp(v->child->key, s) != 0)
		abort();
	jv_free(v);
	ctl_out_free(&o);
	free(s);
	return 0;
}
