/* The control protocol's request parsing (src/ctl/ctl.c): one line per
 * connection; anything else is refused so no error echoes it back raw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl/ctl.h"

#include <string.h>

static int parse(const char *line, struct ctl_request *req)
{
	return ctl_parse_request(line, strlen(line), req);
}

static void one_line_requests(void **state)
{
	struct ctl_request req;
	assert_int_equal(parse("status\n", &req), 0);
	assert_string_equal(req.command, "status");
	assert_false(req.json);
	assert_int_equal(parse("sessions json\r\n", &req), 0);
	assert_string_equal(req.command, "sessions");
	assert_true(req.json);
	assert_int_equal(parse("mdns\teth0 json", &req), 0);
	assert_string_equal(req.arg, "eth0");
}

static void refused_requests(void **state)
{
	struct ctl_request req;
	assert_int_equal(parse("\n", &req), -1);
	assert_int_equal(parse("a b c", &req), -1);
	/* pipelined: a second line inside the request */
	assert_int_equal(parse("status\nstats\n", &req), -1);
	assert_int_equal(parse("status\rstats\n", &req), -1);
	/* control bytes and DEL anywhere */
	assert_int_equal(parse("sta\x1btus\n", &req), -1);
	assert_int_equal(parse("status\x7f\n", &req), -1);
	assert_int_equal(ctl_parse_request("sta\0tus\n", 8, &req), -1);
	char longline[CTL_REQUEST_MAX + 8];
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(parse(longline, &req), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_line_requests),
		cmocka_unit_test(refused_requests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
