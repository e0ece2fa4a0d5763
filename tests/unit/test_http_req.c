/* The metrics listener's request parser (src/proto/http_req.c) and the
 * Prometheus text made from the views' JSON (src/ctl/prom.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ctl/prom.h"
#include "proto/http_req.h"

#include <stdlib.h>
#include <string.h>

static enum http_parse parse(const char *s, struct http_req *r)
{
	return http_req_parse(s, strlen(s), r);
}

static void requests_read(void **state)
{
	struct http_req r;
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: [::1]:9642\r\nAccept: */*\r\n\r\n", &r), HTTP_OK);
	assert_int_equal(r.method, HTTP_GET);
	assert_string_equal(r.path, "/metrics");
	assert_int_equal(r.len, strlen("GET /metrics HTTP/1.1\r\nHost: [::1]:9642\r\nAccept: */*\r\n\r\n"));
	assert_int_equal(parse("GET /metrics?name[]=x HTTP/1.0\n\n", &r), HTTP_OK);
	assert_string_equal(r.path, "/metrics");
	assert_int_equal(parse("HEAD / HTTP/1.1\r\n\r\n", &r), HTTP_OK);
	assert_int_equal(r.method, HTTP_HEAD);
	assert_string_equal(r.path, "/");
	assert_int_equal(parse("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &r), HTTP_OK);
	assert_int_equal(r.method, HTTP_OTHER);
}

static void incomplete_requests_wait(void **state)
{
	struct http_req r;
	assert_int_equal(parse("", &r), HTTP_INCOMPLETE);
	assert_int_equal(parse("G", &r), HTTP_INCOMPLETE);
	assert_int_equal(parse("GET /metr", &r), HTTP_INCOMPLETE);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\n", &r), HTTP_INCOMPLETE);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &r), HTTP_INCOMPLETE);
}

static void malformed_requests_refused(void **state)
{
	struct http_req r;
	assert_int_equal(parse("\r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse(" GET", &r), HTTP_BAD);
	assert_int_equal(parse("\x16\x03\x01", &r), HTTP_BAD); /* a TLS hello */
	assert_int_equal(parse("GET\r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse("GET /metrics\r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse("GET metrics HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse("GET /metrics HTTP/1.1 \r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse("GET /a\x01 HTTP/1.1\r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse("GET /metrics HTTP/1.1\r\nX: a\x1b\r\n\r\n", &r), HTTP_BAD);
	assert_int_equal(parse("GETTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT", &r), HTTP_BAD);
	char path[HTTP_PATH_MAX + 40] = "GET /";
	memset(path + 5, 'a', HTTP_PATH_MAX);
	strcpy(path + 5 + HTTP_PATH_MAX, " HTTP/1.1\r\n\r\n");
	assert_int_equal(parse(path, &r), HTTP_BAD);
}

static const char stats_json[] =
	"{\"counters\":{\"ctl_accepted\":3,\"rx_packets\":10,\"drop_hop_limit\":2,\"drop_checksum\":0,"
	"\"drop_na_to_ns\":1,\"tx_na\":7,\"sessions\":4},\"netlink\":{\"overruns\":0},"
	"\"ports\":[{\"iface\":\"up\\\"0\",\"rx_packets\":5,\"rx_errors\":0},{\"iface\":\"eth0\",\"rx_packets\":6,\"rx_errors\":1}]}\n";

static const char ra_json[] =
	"{\"relays\":[{\"upstream\":\"wlan0\",\"ifindex\":2,\"routers\":[],"
	"\"prefixes\":[{\"prefix\":\"2001:db8::/64\",\"valid_s\":100,\"preferred_s\":50}],"
	"\"downstreams\":[{\"iface\":\"eth0\",\"host_count\":2,\"hosts\":[]}]}],"
	"\"adverts\":[],\"counters\":{\"rx_ra\":9}}";

static void views_become_metrics(void **state)
{
	struct prom *p = malloc(sizeof(*p));
	char *out = malloc(1 << 16);
	assert_non_null(p);
	assert_non_null(out);
	prom_begin(p, 1700000000);
	assert_int_equal(prom_add_view(p, "status", "{\"version\":\"0.1.0\",\"uptime_ms\":1500,\"reloads\":2}", 48), 0);
	assert_int_equal(prom_add_view(p, "stats", stats_json, strlen(stats_json)), 0);
	assert_int_equal(prom_add_view(p, "ra", ra_json, strlen(ra_json)), 0);
	assert_int_equal(prom_add_view(p, "ra", "{\"x\":", 5), -1);
	assert_int_equal(prom_add_view(p, "ra", "[1]", 3), -1);
	long n = prom_render(p, out, 1 << 16);
	assert_true(n > 0);
	assert_int_equal(strlen(out), (size_t)n);
	assert_non_null(strstr(out, "# TYPE islandd_build_info gauge\nislandd_build_info{version=\"0.1.0\"} 1\n"));
	assert_non_null(strstr(out, "islandd_uptime_seconds 1.5\n"));
	assert_non_null(strstr(out, "islandd_reloads_total 2\n"));
	assert_non_null(strstr(out, "islandd_ctl_accepted_total 3\n"));
	/* one family for every drop reason, TYPE once */
	assert_non_null(strstr(out, "# TYPE islandd_nd_dropped_total counter\n"
	                            "islandd_nd_dropped_total{reason=\"hop_limit\"} 2\n"
	                            "islandd_nd_dropped_total{reason=\"checksum\"} 0\n"));
	assert_non_null(strstr(out, "# TYPE islandd_nd_sessions gauge\nislandd_nd_sessions 4\n"));
	/* "ns"/"na" spelled out in names (promtool reads ns as nanoseconds),
	 * kept in reason labels as the views spell them */
	assert_non_null(strstr(out, "islandd_nd_tx_advert_total 7\n"));
	assert_null(strstr(out, "islandd_nd_tx_na_total"));
	assert_non_null(strstr(out, "islandd_nd_dropped_total{reason=\"na_to_ns\"} 1\n"));
	assert_non_null(strstr(out, "islandd_netlink_overruns_total 0\n"));
	/* per interface samples grouped by family, label values escaped */
	assert_non_null(strstr(out, "islandd_nd_port_rx_packets_total{interface=\"up\\\"0\"} 5\n"
	                            "islandd_nd_port_rx_packets_total{interface=\"eth0\"} 6\n"));
	assert_non_null(strstr(out, "islandd_ra_prefix_valid_until_seconds{upstream=\"wlan0\",prefix=\"2001:db8::/64\"} 1700000100\n"));
	assert_non_null(strstr(out, "islandd_ra_prefix_preferred_until_seconds{upstream=\"wlan0\",prefix=\"2001:db8::/64\"} 1700000050\n"));
	assert_non_null(strstr(out, "islandd_ra_hosts{upstream=\"wlan0\",interface=\"eth0\"} 2\n"));
	assert_non_null(strstr(out, "islandd_ra_rx_ra_total 9\n"));
	/* too small a buffer is refused, not cut */
	assert_int_equal(prom_render(p, out, 100), -1);
	/* the tables are bounded: samples past them are counted as lost */
	prom_begin(p, 0);
	for (int i = 0; i < PROM_SAMPLES_MAX + 5; i++)
		prom_add(p, "islandd_x_total", PROM_COUNTER, "x", "", i);
	assert_int_equal(p->lost, 5);
	free(out);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(requests_read),
		cmocka_unit_test(incomplete_requests_wait),
		cmocka_unit_test(malformed_requests_refused),
		cmocka_unit_test(views_become_metrics),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
