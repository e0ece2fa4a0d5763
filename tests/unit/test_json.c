/* The JSON writer (util/json.c) the daemon answers with, and islandctl's
 * reader (ctl/jread.c) and text rendering (ctl/render.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl/jread.h"
#include "ctl/render.h"
#include "util/json.h"
#include "render_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void commas_and_nesting(void **state)
{
	struct ctl_out o;
	struct json j;
	ctl_out_init(&o);
	json_init(&j, &o);
	json_obj(&j);
	json_ku64(&j, "a", 1);
	json_karr(&j, "list");
	json_obj(&j);
	json_kbool(&j, "x", true);
	json_knull(&j, "y");
	json_obj_end(&j);
	json_obj(&j);
	json_obj_end(&j);
	json_arr(&j);
	json_arr_end(&j);
	json_i64(&j, -5);
	json_str(&j, NULL);
	json_arr_end(&j);
	json_kobj(&j, "empty");
	json_obj_end(&j);
	json_ki64(&j, "last", -1);
	json_obj_end(&j);
	json_end(&j);
	assert_string_equal(o.buf, "{\"a\":1,\"list\":[{\"x\":true,\"y\":null},{},[],-5,null],\"empty\":{},\"last\":-1}\n");
	ctl_out_free(&o);
}

static void escaping(void **state)
{
	struct ctl_out o;
	struct json j;
	ctl_out_init(&o);
	json_init(&j, &o);
	json_obj(&j);
	json_kstr(&j, "k\"ey", "a\"b\\c\nd\te\x01\x1f\x7f/é");
	json_obj_end(&j);
	assert_string_equal(o.buf, "{\"k\\\"ey\":\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u007f/é\"}");
	/* and reads back as it was written */
	struct jv *v = jread(o.buf, o.len, NULL, 0);
	assert_non_null(v);
	assert_string_equal(v->child->key, "k\"ey");
	assert_string_equal(v->child->s, "a\"b\\c\nd\te\x01\x1f\x7f/é");
	jv_free(v);
	ctl_out_free(&o);
}

static void reader_values(void **state)
{
	static const char doc[] = " {\"n\": -12.5e1, \"i\": 18446744073709551615, \"z\": 0, \"t\": true, "
	                          "\"f\": false, \"nul\": null, \"s\": \"\\u00e9\\ud83d\\ude00\\/\", "
	                          "\"a\": [1, [2, {}], \"x\"]}\n";
	char why[64];
	struct jv *v = jread(doc, strlen(doc), why, sizeof(why));
	assert_non_null(v);
	assert_int_equal(v->type, J_OBJ);
	assert_true(jv_get(v, "n")->d == -125.0);
	assert_int_equal(jv_int(v, "z", 7), 0);
	assert_int_equal(jv_int(v, "i", 0), (long long)INT64_MAX); /* clamped */
	assert_int_equal(jv_int(v, "missing", 7), 7);
	assert_int_equal(jv_int(v, "s", 7), 7); /* mistyped: the default */
	assert_true(jv_bool(v, "t"));
	assert_false(jv_bool(v, "f"));
	assert_int_equal(jv_get(v, "nul")->type, J_NULL);
	assert_string_equal(jv_str(v, "s", NULL), "\xc3\xa9\xf0\x9f\x98\x80/");
	const struct jv *a = jv_first(jv_get(v, "a"));
	assert_int_equal(a->i, 1);
	assert_int_equal(a->next->type, J_ARR);
	assert_int_equal(jv_first(a->next)->next->type, J_OBJ);
	assert_string_equal(a->next->next->s, "x");
	assert_null(a->next->next->next);
	jv_free(v);
}

static void reader_refuses(void **state)
{
	static const char *const bad[] = {
		"", "{", "}", "{\"a\":}", "{\"a\" 1}", "{a:1}", "[1,]", "[1 2]", "{\"a\":1,}", "01", "-", "1.",
		"1e", "tru", "nul", "\"abc", "\"a\\x\"", "\"\\u12g4\"", "\"a\tb\"", "{} {}", "[]x", "+1",
		"\"\\", "{\"a\":1", "[[[[",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char why[64] = "";
		struct jv *v = jread(bad[i], strlen(bad[i]), why, sizeof(why));
		if (v)
			fail_msg("accepted %s", bad[i]);
		assert_true(why[0] != 0);
	}
	/* the length bounds the text, not a NUL: "[1]" cut to "[1" */
	assert_null(jread("[1]", 2, NULL, 0));
}

static void reader_depth_capped(void **state)
{
	char deep[2 * (JREAD_DEPTH_MAX + 2)];
	size_t n = JREAD_DEPTH_MAX + 2;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	assert_null(jread(deep, 2 * n, NULL, 0));
	n = JREAD_DEPTH_MAX;
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	struct jv *v = jread(deep, 2 * n, NULL, 0);
	assert_non_null(v);
	jv_free(v);
}

static char *render(const char *command, const char *json, int *rc)
{
	return render_text(command, json, strlen(json), rc);
}

static void rendering(void **state)
{
	int rc;
	char *t = render("status", "{\"version\":\"0.1.0\",\"pid\":42,\"uptime_ms\":61000,\"config\":\"/e/i.conf\","
	                 "\"reloads\":1,\"reload_failures\":0,\"sessions\":2,\"proxies\":[{\"iface\":\"wlan0\","
	                 "\"state\":\"up\",\"router\":true,\"rules\":[{\"prefix\":\"2001:db8::/64\",\"method\":\"iface\","
	                 "\"iface\":\"eth0\",\"iface_state\":\"down\"}]}],\"ports\":[{\"iface\":\"wlan0\","
	                 "\"rx_packets\":7,\"rx_errors\":3,\"allmulti\":false}],\"mdns\":false,\"ra\":true}", &rc);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(t, "islandd 0.1.0, pid 42, up 1m01s, config /e/i.conf (1 reload, 0 failed)\n"));
	assert_non_null(strstr(t, "eth0 (down)"));
	assert_non_null(strstr(t, "wlan0                 7          3 no"));
	assert_non_null(strstr(t, "mdns reflector: off, router advertisements: on"));
	free(t);
	t = render("stats", "{\"counters\":{\"ctl_accepted\":1,\"rx_packets\":2,\"drop_hop_limit\":0,\"tx_na\":5},"
	           "\"netlink\":{\"overruns\":4,\"resyncs\":3},\"ports\":[]}", &rc);
	assert_string_equal(t, "control socket:\n  ctl_accepted           1\npackets:\n  rx_packets             2\n"
	                       "  drop_hop_limit         0\nndp proxy:\n  tx_na                  5\nnetlink:\n"
	                       "  overruns               4\n  resyncs                3\n");
	free(t);
	t = render("reload", "{\"error\":\"f:3:5: bad\",\"reloaded\":false}", &rc);
	assert_int_equal(rc, 1);
	assert_string_equal(t, "error: reload failed, the running configuration stays: f:3:5: bad\n");
	free(t);
	t = render("mdns", "{\"mdns\":null}", &rc);
	assert_string_equal(t, "no mdns block in the configuration\n");
	free(t);
	t = render("sessions", "{\"error\":\"unknown command 'x'\"}", &rc);
	assert_int_equal(rc, 1);
	free(t);
	/* a reply of another shape renders without crashing: arrays where
	 * objects of counters belong have no keys to print (fuzz_json found
	 * the NULL key) */
	t = render("ra", "{\"relays\":7,\"adverts\":[1,{\"prefixes\":\"x\"}],\"counters\":[1,2]}", &rc);
	assert_int_equal(rc, 0);
	free(t);
	t = render("stats", "{\"counters\":[1],\"netlink\":[2],\"ports\":{\"a\":1}}", &rc);
	assert_int_equal(rc, 0);
	free(t);
	t = render("mdns", "{\"mdns\":{\"counters\":{\"drops\":[1],\"dns_drops\":[2]}}}", &rc);
	assert_int_equal(rc, 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commas_and_nesting),
		cmocka_unit_test(escaping),
		cmocka_unit_test(reader_values),
		cmocka_unit_test(reader_refuses),
		cmocka_unit_test(reader_depth_capped),
		cmocka_unit_test(rendering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
