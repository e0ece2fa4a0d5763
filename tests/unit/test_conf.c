/* Config parser tests. Run from the repository root: data files are read
 * from tests/unit/configs/ (ndppd/ must all parse, good/ too, bad/ must fail
 * with the position and text named on their first line). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "conf/conf.h"

#define CONFIGS "tests/unit/configs"

/* ---- helpers ---- */

static struct conf *parse_ok(const char *text)
{
	struct conf *c = NULL;
	struct conf_error err;
	char msg[600];
	if (conf_parse(text, strlen(text), "t.conf", &c, &err) < 0) {
		conf_error_format(&err, msg, sizeof(msg));
		print_error("unexpected error: %s\nin:\n%s\n", msg, text);
		fail();
	}
	assert_non_null(c);
	return c;
}

static void parse_err(const char *text, unsigned line, unsigned col, const char *substr)
{
	struct conf *c = (struct conf *)0x1;
	struct conf_error err;
	int rc = conf_parse(text, strlen(text), "t.conf", &c, &err);
	if (rc == 0) {
		print_error("parsed but should fail (%u:%u %s):\n%s\n", line, col, substr, text);
		conf_free(c);
		fail();
	}
	assert_null(c);
	if (err.line != line || err.col != col || !strstr(err.msg, substr)) {
		print_error("want %u:%u '%s'\ngot  %u:%u '%s'\nin:\n%s\n", line, col, substr, err.line,
		            err.col, err.msg, text);
		fail();
	}
	assert_string_equal(err.file, "t.conf");
}

static bool has_warning(const struct conf *c, const char *substr)
{
	for (size_t i = 0; i < c->n_warnings; i++)
		if (strstr(c->warnings[i], substr))
			return true;
	return false;
}

static struct in6_addr addr6(const char *s)
{
	struct in6_addr a;
	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void assert_addr(const struct in6_addr *a, const char *s)
{
	struct in6_addr b = addr6(s);
	assert_memory_equal(a, &b, sizeof(b));
}

static char *print_to_string(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	conf_print(c, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n + 4096 > cap) {
			cap = cap * 2 + 4096;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Two trees hold the same settings (positions, path and warnings aside). */
static void assert_pd_equal(const struct conf *a, const struct conf *b)
{
	assert_int_equal(a->n_pds, b->n_pds);
	for (size_t i = 0; i < a->n_pds; i++) {
		const struct conf_pd *x = &a->pds[i], *y = &b->pds[i];
		assert_string_equal(x->upstream, y->upstream);
		assert_int_equal(x->has_hint, y->has_hint);
		assert_memory_equal(&x->hint, &y->hint, sizeof(x->hint));
		assert_int_equal(x->hint_plen, y->hint_plen);
		assert_string_equal(x->script, y->script);
		assert_int_equal(x->release, y->release);
		assert_string_equal(x->state_dir, y->state_dir);
		assert_int_equal(x->n_ifaces, y->n_ifaces);
		for (size_t j = 0; j < x->n_ifaces; j++) {
			assert_string_equal(x->ifaces[j].name, y->ifaces[j].name);
			assert_int_equal(x->ifaces[j].has_subnet, y->ifaces[j].has_subnet);
			assert_int_equal(x->ifaces[j].subnet, y->ifaces[j].subnet);
		}
	}
}

static void assert_proxies_equal(const struct conf_proxy *xs, const struct conf_proxy *ys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_proxy *x = &xs[i], *y = &ys[i];
		assert_string_equal(x->iface, y->iface);
		assert_int_equal(x->router, y->router);
		assert_int_equal(x->timeout_ms, y->timeout_ms);
		assert_int_equal(x->ttl_ms, y->ttl_ms);
		assert_int_equal(x->deadtime_ms, y->deadtime_ms);
		assert_int_equal(x->autowire, y->autowire);
		assert_int_equal(x->keepalive, y->keepalive);
		assert_int_equal(x->retries, y->retries);
		assert_int_equal(x->promiscuous, y->promiscuous);
		assert_int_equal(x->max_sessions, y->max_sessions);
		assert_int_equal(x->probe_rate, y->probe_rate);
		assert_int_equal(x->answer_from, y->answer_from);
		assert_int_equal(x->n_rules, y->n_rules);
		for (size_t j = 0; j < x->n_rules; j++) {
			const struct conf_rule *r = &x->rules[j], *s = &y->rules[j];
			assert_memory_equal(&r->prefix, &s->prefix, sizeof(r->prefix));
			assert_int_equal(r->plen, s->plen);
			assert_int_equal(r->method, s->method);
			assert_string_equal(r->iface, s->iface);
			assert_int_equal(r->autovia, s->autovia);
		}
	}
}

/* Two trees hold the same settings (positions, path and warnings aside). */
static void assert_conf_equal(const struct conf *a, const struct conf *b)
{
	assert_pd_equal(a, b);
	assert_int_equal(a->route_ttl_ms, b->route_ttl_ms);
	assert_int_equal(a->address_ttl_ms, b->address_ttl_ms);
	assert_int_equal(a->batch_interval_us, b->batch_interval_us);
	assert_int_equal(a->metrics_listen.family, b->metrics_listen.family);
	assert_int_equal(a->metrics_listen.port, b->metrics_listen.port);
	assert_memory_equal(a->metrics_listen.addr, b->metrics_listen.addr, 16);
	assert_int_equal(a->n_proxies, b->n_proxies);
	assert_proxies_equal(a->proxies, b->proxies, a->n_proxies);
	assert_int_equal(a->n_arp_proxies, b->n_arp_proxies);
	assert_proxies_equal(a->arp_proxies, b->arp_proxies, a->n_arp_proxies);
	assert_int_equal(!a->mdns, !b->mdns);
	if (a->mdns) {
		const struct conf_mdns *m = a->mdns, *n = b->mdns;
		assert_int_equal(m->reflect_ula, n->reflect_ula);
		assert_int_equal(m->reflect_private4, n->reflect_private4);
		assert_int_equal(m->rate_limit, n->rate_limit);
		assert_int_equal(m->n_ifaces, n->n_ifaces);
		for (size_t i = 0; i < m->n_ifaces; i++) {
			const struct conf_mdns_iface *x = &m->ifaces[i], *y = &n->ifaces[i];
			assert_string_equal(x->name, y->name);
			assert_int_equal(x->ipv4, y->ipv4);
			assert_int_equal(x->ipv6, y->ipv6);
			assert_int_equal(x->n_in, y->n_in);
			assert_int_equal(x->n_out, y->n_out);
			for (size_t j = 0; j < x->n_in; j++) {
				assert_string_equal(x->in[j].service, y->in[j].service);
				assert_int_equal(x->in[j].allow, y->in[j].allow);
			}
			for (size_t j = 0; j < x->n_out; j++) {
				assert_string_equal(x->out[j].service, y->out[j].service);
				assert_int_equal(x->out[j].allow, y->out[j].allow);
			}
		}
	}
	assert_int_equal(a->n_relays, b->n_relays);
	for (size_t i = 0; i < a->n_relays; i++) {
		const struct conf_ra_relay *x = &a->relays[i], *y = &b->relays[i];
		assert_string_equal(x->upstream, y->upstream);
		assert_int_equal(x->learn_hosts, y->learn_hosts);
		assert_int_equal(x->answer_from, y->answer_from);
		assert_int_equal(x->n_downstream, y->n_downstream);
		for (size_t j = 0; j < x->n_downstream; j++)
			assert_string_equal(x->downstream[j], y->downstream[j]);
	}
	assert_int_equal(a->n_ras, b->n_ras);
	for (size_t i = 0; i < a->n_ras; i++) {
		const struct conf_ra *x = &a->ras[i], *y = &b->ras[i];
		assert_string_equal(x->iface, y->iface);
		assert_int_equal(x->n_prefixes, y->n_prefixes);
		for (size_t j = 0; j < x->n_prefixes; j++) {
			const struct conf_ra_prefix *p = &x->prefixes[j], *q = &y->prefixes[j];
			assert_memory_equal(&p->prefix, &q->prefix, sizeof(p->prefix));
			assert_int_equal(p->plen, q->plen);
			assert_int_equal(p->onlink, q->onlink);
			assert_int_equal(p->autonomous, q->autonomous);
			assert_int_equal(p->valid_lifetime, q->valid_lifetime);
			assert_int_equal(p->preferred_lifetime, q->preferred_lifetime);
		}
		assert_int_equal(x->n_rdnss, y->n_rdnss);
		for (size_t j = 0; j < x->n_rdnss; j++)
			assert_memory_equal(&x->rdnss[j], &y->rdnss[j], sizeof(x->rdnss[j]));
		assert_int_equal(x->n_dnssl, y->n_dnssl);
		for (size_t j = 0; j < x->n_dnssl; j++)
			assert_string_equal(x->dnssl[j], y->dnssl[j]);
		assert_int_equal(x->rdnss_lifetime, y->rdnss_lifetime);
		assert_int_equal(x->dnssl_lifetime, y->dnssl_lifetime);
		assert_int_equal(x->mtu, y->mtu);
		assert_int_equal(x->min_interval_s, y->min_interval_s);
		assert_int_equal(x->max_interval_s, y->max_interval_s);
		assert_int_equal(x->router_lifetime_s, y->router_lifetime_s);
		assert_int_equal(x->preference, y->preference);
		assert_int_equal(x->managed, y->managed);
		assert_int_equal(x->other, y->other);
	}
	assert_int_equal(a->n_dhcp4_relays, b->n_dhcp4_relays);
	for (size_t i = 0; i < a->n_dhcp4_relays; i++) {
		const struct conf_dhcp4_relay *x = &a->dhcp4_relays[i], *y = &b->dhcp4_relays[i];
		assert_string_equal(x->upstream, y->upstream);
		assert_int_equal(x->n_ifaces, y->n_ifaces);
		for (size_t j = 0; j < x->n_ifaces; j++)
			assert_string_equal(x->ifaces[j], y->ifaces[j]);
		assert_int_equal(x->n_servers, y->n_servers);
		for (size_t j = 0; j < x->n_servers; j++)
			assert_int_equal(x->servers[j].s_addr, y->servers[j].s_addr);
		assert_int_equal(x->mode, y->mode);
		assert_int_equal(x->option82, y->option82);
		assert_int_equal(x->learn_hosts, y->learn_hosts);
	}
}

/* parse -> print -> parse: same tree; print again: same bytes. */
static void assert_round_trip(const struct conf *c, const char *what)
{
	char *text1 = print_to_string(c);
	struct conf *c2 = NULL;
	struct conf_error err;
	char msg[600];
	if (conf_parse(text1, strlen(text1), "printed.conf", &c2, &err) < 0) {
		conf_error_format(&err, msg, sizeof(msg));
		print_error("%s: printed config does not parse: %s\n%s\n", what, msg, text1);
		fail();
	}
	assert_conf_equal(c, c2);
	char *text2 = print_to_string(c2);
	assert_string_equal(text1, text2);
	free(text1);
	free(text2);
	conf_free(c2);
}

static void test_metrics_listen(void **state)
{
	struct conf *c = parse_ok("batch-interval 0\n");
	assert_int_equal(c->metrics_listen.family, 0); /* off by default */
	assert_round_trip(c, "metrics off");
	conf_free(c);
	c = parse_ok("metrics-listen [::1]:9642\n");
	assert_int_equal(c->metrics_listen.family, AF_INET6);
	assert_int_equal(c->metrics_listen.port, 9642);
	assert_int_equal(c->metrics_listen.addr[15], 1);
	char buf[64];
	conf_listen_format(&c->metrics_listen, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:9642");
	assert_round_trip(c, "metrics v6");
	conf_free(c);
	c = parse_ok("metrics-listen = 127.0.0.1:65535\n");
	assert_int_equal(c->metrics_listen.family, AF_INET);
	assert_int_equal(c->metrics_listen.port, 65535);
	conf_listen_format(&c->metrics_listen, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:65535");
	assert_round_trip(c, "metrics v4");
	conf_free(c);
	parse_err("metrics-listen ::1:9642\n", 1, 16, "in brackets");
	parse_err("metrics-listen [::1]:0\n", 1, 16, "port must be 1-65535");
	parse_err("metrics-listen [::1]:65536\n", 1, 16, "port must be 1-65535");
	parse_err("metrics-listen 127.0.0.1\n", 1, 16, "expected ADDRESS:PORT");
	parse_err("metrics-listen [fe80::1%eth0]:1\n", 1, 16, "not an IPv6 address");
	parse_err("metrics-listen localhost:9642\n", 1, 16, "expected ADDRESS:PORT");
	parse_err("metrics-listen 127.0.0.1:1\nmetrics-listen 127.0.0.1:2\n", 2, 1, "duplicate");
	parse_err("proxy a { metrics-listen 127.0.0.1:1 }\n", 1, 11, "metrics-listen");
}

typedef void (*file_fn)(const char *path, const char *text, size_t len);

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run fn on every *.conf in dir (sorted); returns how many. */
static size_t for_each_conf(const char *dir, file_fn fn)
{
	DIR *d = opendir(dir);
	if (!d) {
		print_error("cannot open %s (tests run from the repository root)\n", dir);
		fail();
	}
	char *names[512];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 512) {
		size_t l = strlen(e->d_name);
		if (l > 5 && !strcmp(e->d_name + l - 5, ".conf"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[1024];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		char *text = read_file(path, &len);
		assert_non_null(text);
		fn(path, text, len);
		free(text);
		free(names[i]);
	}
	return n;
}

/* ---- defaults ---- */

static void test_defaults_top_and_proxy(void **state)
{
	/* ndppd 0.2.x master src/ndppd.cc: route-ttl 30000, address-ttl 30000,
	 * router yes, autowire no, keepalive yes, retries 3, ttl 30000,
	 * deadtime = ttl, timeout 500, promiscuous no. */
	struct conf *c = parse_ok("proxy eth0 {\n rule 2001:db8::1 { static }\n}\n");
	assert_string_equal(c->path, "t.conf");
	assert_int_equal(c->route_ttl_ms, 30000);
	assert_int_equal(c->address_ttl_ms, 30000);
	assert_int_equal(c->batch_interval_us, 2000); /* islandd's own */
	assert_int_equal(c->n_proxies, 1);
	const struct conf_proxy *p = &c->proxies[0];
	assert_string_equal(p->iface, "eth0");
	assert_true(p->router);
	assert_int_equal(p->timeout_ms, 500);
	assert_int_equal(p->ttl_ms, 30000);
	assert_int_equal(p->deadtime_ms, 30000);
	assert_false(p->autowire);
	assert_true(p->keepalive);
	assert_int_equal(p->retries, 3);
	assert_false(p->promiscuous);
	assert_int_equal(p->max_sessions, 4096);
	assert_int_equal(p->probe_rate, 100);
	assert_int_equal(p->pos.line, 1);
	assert_int_equal(p->pos.col, 1);
	assert_int_equal(p->n_rules, 1);
	/* an address without /LEN is one address: /128 (ndppd address.cc) */
	assert_int_equal(p->rules[0].plen, 128);
	assert_addr(&p->rules[0].prefix, "2001:db8::1");
	assert_int_equal(p->rules[0].method, RULE_STATIC);
	assert_false(p->rules[0].autovia);
	assert_int_equal(p->rules[0].pos.line, 2);
	assert_int_equal(p->rules[0].pos.col, 2);
	assert_null(c->mdns);
	assert_int_equal(c->n_relays, 0);
	assert_int_equal(c->n_ras, 0);
	assert_int_equal(c->n_warnings, 0);
	conf_free(c);
}

static void test_deadtime_follows_ttl(void **state)
{
	struct conf *c = parse_ok("proxy eth0 { ttl 12000 }\nproxy eth1 { deadtime 3500; ttl 9000 }\n"
	                          "proxy eth2 { deadtime 0 }\n");
	assert_int_equal(c->proxies[0].ttl_ms, 12000);
	assert_int_equal(c->proxies[0].deadtime_ms, 12000);
	assert_int_equal(c->proxies[1].ttl_ms, 9000);
	assert_int_equal(c->proxies[1].deadtime_ms, 3500);
	assert_int_equal(c->proxies[2].deadtime_ms, 0);
	assert_true(has_warning(c, "has no rules"));
	conf_free(c);
}

static void test_defaults_mdns_relay_ra(void **state)
{
	struct conf *c = parse_ok("mdns {\n iface wlan0\n iface eth0\n}\n"
	                          "ra-relay wlan0 { iface eth0 }\n"
	                          "ra eth0 { prefix fd2f::/64 }\n");
	const struct conf_mdns *m = c->mdns;
	assert_non_null(m);
	assert_true(m->reflect_ula);
	assert_true(m->reflect_private4);
	assert_int_equal(m->rate_limit, 5000);
	assert_int_equal(m->n_ifaces, 2);
	assert_string_equal(m->ifaces[0].name, "wlan0");
	assert_string_equal(m->ifaces[1].name, "eth0");
	for (int i = 0; i < 2; i++) {
		assert_true(m->ifaces[i].ipv4);
		assert_true(m->ifaces[i].ipv6);
		assert_int_equal(m->ifaces[i].n_in, 0);
		assert_int_equal(m->ifaces[i].n_out, 0);
	}
	assert_int_equal(m->ifaces[1].pos.line, 3);

	assert_int_equal(c->n_relays, 1);
	assert_string_equal(c->relays[0].upstream, "wlan0");
	assert_true(c->relays[0].learn_hosts);
	assert_int_equal(c->relays[0].n_downstream, 1);
	assert_string_equal(c->relays[0].downstream[0], "eth0");

	/* radvd 2.19 radvd.conf(5): MaxRtrAdvInterval 600, Min 0.33 * Max,
	 * AdvDefaultLifetime 3 * Max, AdvValidLifetime 86400, AdvPreferredLifetime 14400,
	 * AdvOnLink and AdvAutonomous on, AdvLinkMTU 0, preference medium. */
	assert_int_equal(c->n_ras, 1);
	const struct conf_ra *ra = &c->ras[0];
	assert_string_equal(ra->iface, "eth0");
	assert_int_equal(ra->max_interval_s, 600);
	assert_int_equal(ra->min_interval_s, 198);
	assert_int_equal(ra->router_lifetime_s, 1800);
	/* RFC 8106 §5.1: RDNSS/DNSSL lifetimes at least 3 * Max (radvd 2.19 sends 1x) */
	assert_int_equal(ra->rdnss_lifetime, 1800);
	assert_int_equal(ra->dnssl_lifetime, 1800);
	assert_int_equal(ra->mtu, 0);
	assert_int_equal(ra->preference, 0);
	assert_false(ra->managed);
	assert_false(ra->other);
	assert_int_equal(ra->n_rdnss, 0);
	assert_int_equal(ra->n_dnssl, 0);
	assert_int_equal(ra->n_prefixes, 1);
	assert_addr(&ra->prefixes[0].prefix, "fd2f::");
	assert_int_equal(ra->prefixes[0].plen, 64);
	assert_true(ra->prefixes[0].onlink);
	assert_true(ra->prefixes[0].autonomous);
	assert_int_equal(ra->prefixes[0].valid_lifetime, 86400);
	assert_int_equal(ra->prefixes[0].preferred_lifetime, 14400);
	assert_int_equal(c->n_warnings, 0);
	conf_free(c);
}

static void test_ra_defaults_follow_interval(void **state)
{
	struct conf *c = parse_ok("ra eth0 { interval 100 }\nra eth1 { interval 4 }\n"
	                          "ra eth2 { interval 1800 }\nra eth3 { interval 3 4 }\n");
	assert_int_equal(c->ras[0].max_interval_s, 100);
	assert_int_equal(c->ras[0].min_interval_s, 33);
	assert_int_equal(c->ras[0].router_lifetime_s, 300);
	assert_int_equal(c->ras[0].rdnss_lifetime, 300);
	assert_int_equal(c->ras[0].dnssl_lifetime, 300);
	/* 0.33 * 4 is below RFC 4861's floor of 3 */
	assert_int_equal(c->ras[1].min_interval_s, 3);
	assert_int_equal(c->ras[1].router_lifetime_s, 12);
	assert_int_equal(c->ras[2].min_interval_s, 594);
	assert_int_equal(c->ras[2].router_lifetime_s, 5400);
	assert_int_equal(c->ras[2].rdnss_lifetime, 5400);
	assert_int_equal(c->ras[2].dnssl_lifetime, 5400);
	assert_int_equal(c->ras[1].rdnss_lifetime, 12);
	assert_int_equal(c->ras[3].min_interval_s, 3);
	assert_int_equal(c->ras[3].max_interval_s, 4);
	conf_free(c);
}

/* ---- every keyword ---- */

static void test_every_keyword(void **state)
{
	size_t len;
	char *text = read_file(CONFIGS "/good/every-keyword.conf", &len);
	assert_non_null(text);
	struct conf *c = parse_ok(text);
	free(text);

	assert_int_equal(c->route_ttl_ms, 20000);
	assert_int_equal(c->address_ttl_ms, 25000);
	assert_int_equal(c->batch_interval_us, 1500);
	const struct conf_proxy *p = &c->proxies[0];
	assert_string_equal(p->iface, "wlan0");
	assert_false(p->router);
	assert_int_equal(p->timeout_ms, 750);
	assert_int_equal(p->ttl_ms, 60000);
	assert_int_equal(p->deadtime_ms, 5000);
	assert_true(p->autowire);
	assert_false(p->keepalive);
	assert_int_equal(p->retries, 5);
	assert_true(p->promiscuous);
	assert_int_equal(p->max_sessions, 10000);
	assert_int_equal(p->probe_rate, 250);
	assert_int_equal(p->n_rules, 3);
	assert_int_equal(p->rules[0].method, RULE_IFACE);
	assert_string_equal(p->rules[0].iface, "eth0");
	assert_true(p->rules[0].autovia);
	assert_addr(&p->rules[0].prefix, "2001:db8:abc:123:40::");
	assert_int_equal(p->rules[0].plen, 76);
	assert_int_equal(p->rules[1].method, RULE_AUTO);
	assert_int_equal(p->rules[1].plen, 80);
	assert_int_equal(p->rules[2].method, RULE_STATIC);
	assert_int_equal(p->rules[2].plen, 128);

	const struct conf_mdns *m = c->mdns;
	assert_false(m->reflect_ula);
	assert_false(m->reflect_private4);
	assert_int_equal(m->rate_limit, 0);
	assert_int_equal(m->n_ifaces, 3);
	const struct conf_mdns_iface *e0 = &m->ifaces[1];
	assert_false(e0->ipv4);
	assert_true(e0->ipv6);
	/* allow = both directions, then the directional ones, in order */
	assert_int_equal(e0->n_in, 3);
	assert_string_equal(e0->in[0].service, "_ssh._tcp");
	assert_true(e0->in[0].allow);
	assert_string_equal(e0->in[1].service, "_http._tcp");
	assert_string_equal(e0->in[2].service, "_printer._tcp");
	assert_false(e0->in[2].allow);
	assert_int_equal(e0->n_out, 4);
	assert_string_equal(e0->out[2].service, "_ipp._tcp");
	assert_true(e0->out[2].allow);
	assert_string_equal(e0->out[3].service, "_airplay._tcp");
	assert_false(e0->out[3].allow);
	const struct conf_mdns_iface *e1 = &m->ifaces[2];
	assert_int_equal(e1->n_in, 1);
	assert_int_equal(e1->n_out, 1);
	assert_false(e1->in[0].allow);
	assert_false(e1->out[0].allow);

	const struct conf_ra_relay *r = &c->relays[0];
	assert_string_equal(r->upstream, "wlan0");
	assert_int_equal(r->n_downstream, 2);
	assert_string_equal(r->downstream[1], "eth2");
	assert_false(r->learn_hosts);

	const struct conf_ra *ra = &c->ras[0];
	assert_int_equal(ra->n_prefixes, 2);
	assert_false(ra->prefixes[0].onlink);
	assert_true(ra->prefixes[0].autonomous);
	assert_int_equal(ra->prefixes[0].valid_lifetime, 7200);
	assert_int_equal(ra->prefixes[0].preferred_lifetime, 3600);
	assert_int_equal(ra->prefixes[1].valid_lifetime, 86400);
	assert_int_equal(ra->n_rdnss, 2);
	assert_addr(&ra->rdnss[1], "fd2f::2");
	assert_int_equal(ra->n_dnssl, 2);
	assert_string_equal(ra->dnssl[0], "lab.example");
	assert_string_equal(ra->dnssl[1], "example.org");
	assert_int_equal(ra->rdnss_lifetime, 900);
	assert_int_equal(ra->dnssl_lifetime, 0xffffffffu);
	assert_int_equal(ra->mtu, 1480);
	assert_int_equal(ra->min_interval_s, 30);
	assert_int_equal(ra->max_interval_s, 300);
	assert_int_equal(ra->router_lifetime_s, 0);
	assert_int_equal(ra->preference, 1);
	assert_true(ra->managed);
	assert_true(ra->other);
	assert_round_trip(c, "every-keyword");
	conf_free(c);
}

static void test_booleans(void **state)
{
	struct conf *c = parse_ok("proxy a { router no; autowire TRUE; keepalive False; promiscuous Yes }\n"
	                          "proxy b { router off; autowire on; keepalive 0; promiscuous 1 }\n"
	                          "ra c { managed yes; other-config on }\n");
	assert_false(c->proxies[0].router);
	assert_true(c->proxies[0].autowire);
	assert_false(c->proxies[0].keepalive);
	assert_true(c->proxies[0].promiscuous);
	assert_false(c->proxies[1].router);
	assert_true(c->proxies[1].autowire);
	assert_false(c->proxies[1].keepalive);
	assert_true(c->proxies[1].promiscuous);
	assert_true(c->ras[0].managed);
	assert_true(c->ras[0].other);
	/* ndppd's as_bool() is true only for yes/true: on/1 differ, and say so */
	assert_true(has_warning(c, "t.conf:2:32: 'on' read as yes; ndppd 0.2.x reads it as no"));
	assert_true(has_warning(c, "t.conf:2:61: '1' read as yes"));
	size_t ndppd_notes = 0;
	for (size_t i = 0; i < c->n_warnings; i++)
		ndppd_notes += strstr(c->warnings[i], "read as yes") != NULL;
	assert_int_equal(ndppd_notes, 2); /* not for islandd's own keywords */
	conf_free(c);
	parse_err("proxy a { router maybe }", 1, 18, "'maybe' is not a boolean");
	parse_err("proxy a { router \"\" }", 1, 18, "is not a boolean");
}

/* ---- lexical forms ---- */

static void test_comments(void **state)
{
	struct conf *c = parse_ok("# hash\n"
	                          "// slashes\n"
	                          "/* block */ route-ttl 1000 /* after a value */\n"
	                          "/* two\n   lines */ address-ttl 2000 // trailing\n"
	                          "proxy eth0 { # after a brace\n"
	                          "  ttl 5000#no space needed\n"
	                          "  timeout/* between */600\n"
	                          "  rule 2001:db8::/64 { iface eth1 } // end\n"
	                          "}\n");
	assert_int_equal(c->route_ttl_ms, 1000);
	assert_int_equal(c->address_ttl_ms, 2000);
	assert_int_equal(c->proxies[0].ttl_ms, 5000);
	assert_int_equal(c->proxies[0].timeout_ms, 600);
	assert_string_equal(c->proxies[0].rules[0].iface, "eth1");
	assert_int_equal(c->proxies[0].pos.line, 6);
	assert_int_equal(c->proxies[0].rules[0].pos.line, 9);
	conf_free(c);
	/* an unterminated block comment is reported where it began */
	parse_err("proxy eth0 {\n  rule ::1 { static }\n  /* never closed\n}\n", 3, 3,
	          "unterminated comment");
	parse_err("route-ttl 5 /*", 1, 13, "unterminated comment");
	/* a comment marker inside a quoted string is text (and then not a
	 * valid interface name, because conf_print could not write it back) */
	parse_err("proxy \"e#0\" { rule ::1 { static } }", 1, 7, "'e#0' is not a valid interface name");
	c = parse_ok("ra e { dnssl \"a.example\" # b.example\n}");
	assert_int_equal(c->ras[0].n_dnssl, 1);
	conf_free(c);
}

static void test_separators_and_quotes(void **state)
{
	/* ndppd forms: key = value, quoted values, several keys on one line;
	 * islandd adds ';' and a '{' on the next line */
	struct conf *c = parse_ok("proxy 'eth0'\n{\n"
	                          "  router = no  ttl = 7000 timeout \"900\"\n"
	                          "  rule 2001:db8::/64\n  {\n    iface = 'wg0';\n  };;\n"
	                          "};\n"
	                          "proxy eth1 { rule ::1 { static } rule ::2 { auto } }\r\n");
	assert_int_equal(c->n_proxies, 2);
	assert_string_equal(c->proxies[0].iface, "eth0");
	assert_false(c->proxies[0].router);
	assert_int_equal(c->proxies[0].ttl_ms, 7000);
	assert_int_equal(c->proxies[0].timeout_ms, 900);
	assert_string_equal(c->proxies[0].rules[0].iface, "wg0");
	assert_int_equal(c->proxies[1].n_rules, 2);
	assert_int_equal(c->proxies[1].rules[1].method, RULE_AUTO);
	conf_free(c);
	/* lists end at the line's end, a ';' or a brace */
	c = parse_ok("ra eth0 { rdnss fd2f::1 fd2f::2; dnssl a.example\n"
	             "  rdnss fd2f::3 }\nmdns { iface a { allow _a._tcp }; iface b }\n");
	assert_int_equal(c->ras[0].n_rdnss, 3);
	assert_int_equal(c->ras[0].n_dnssl, 1);
	assert_int_equal(c->mdns->ifaces[0].n_in, 1);
	conf_free(c);
	/* ndppd's key chars stop at '=', so `ttl=5` is key, '=', value */
	c = parse_ok("proxy e {ttl=5;timeout=6}");
	assert_int_equal(c->proxies[0].ttl_ms, 5);
	assert_int_equal(c->proxies[0].timeout_ms, 6);
	conf_free(c);
	parse_err("proxy eth0 { rule ::1 { iface \"eth1 } }\n", 1, 31, "unterminated string");
	parse_err("proxy eth0 {\n  router =\n}", 2, 3, "'router' needs a value");
	parse_err("proxy = { }", 1, 1, "'proxy' needs a value");
	parse_err("proxy eth0 = { }", 1, 12, "unexpected '=' at top level");
	parse_err("= 5", 1, 1, "unexpected '='");
}

static void test_input_not_nul_terminated(void **state)
{
	/* the length is what counts: bytes after it are never read */
	const char text[] = "proxy eth0 { rule ::1 { static } }GARBAGE{{{";
	struct conf *c = NULL;
	struct conf_error err;
	assert_int_equal(conf_parse(text, strlen("proxy eth0 { rule ::1 { static } }"), "t", &c, &err), 0);
	assert_int_equal(c->n_proxies, 1);
	conf_free(c);
	/* an embedded NUL is an error at its position, not the end of input */
	const char nul[] = "route-ttl 5\n\0route-ttl 6\n";
	assert_int_equal(conf_parse(nul, sizeof(nul) - 1, "t", &c, &err), -1);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 1);
	assert_non_null(strstr(err.msg, "control character 0x00"));
	/* a UTF-8 byte order mark is skipped; columns still count from it as 1 */
	const char bom[] = "\xef\xbb\xbfroute-ttl 7\nproxy e { ttl x }";
	assert_int_equal(conf_parse(bom, sizeof(bom) - 1, "t", &c, &err), -1);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 15);
	assert_int_equal(conf_parse(bom, 14, "t", &c, &err), 0);
	assert_int_equal(c->route_ttl_ms, 7);
	conf_free(c);
	/* empty input is an empty config */
	assert_int_equal(conf_parse(NULL, 0, NULL, &c, &err), 0);
	assert_int_equal(c->n_proxies, 0);
	assert_string_equal(c->path, "<config>");
	assert_int_equal(c->route_ttl_ms, 30000);
	conf_free(c);
}

/* ---- errors: every class, exact position ---- */

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		unsigned line, col;
		const char *msg;
	} cases[] = {
		/* unknown and misplaced keywords */
		{ "proxy eth0 {\n  rooter yes\n}", 2, 3, "unknown keyword 'rooter' in a proxy block" },
		{ "interface eth0", 1, 1, "unknown keyword 'interface' at top level" },
		{ "batch-interval 100001", 1, 16, "100001 is out of range 0..100000" },
		{ "batch-interval 500\nbatch-interval 500", 2, 1, "duplicate 'batch-interval' (first at 1:1)" },
		{ "proxy e { batch-interval 5 }", 1, 11, "'batch-interval'" },
		{ "proxy eth0 { rule ::1 { ttl 5 } }", 1, 25, "'ttl' is not allowed in a rule block (it belongs in a proxy block)" },
		{ "mdns { prefix fd00::/64 }", 1, 8, "'prefix' is not allowed in the mdns block" },
		/* missing values */
		{ "route-ttl", 1, 1, "'route-ttl' needs a value" },
		{ "proxy eth0 { rule }", 1, 14, "'rule' needs a value" },
		{ "proxy eth0 { rule ::1 { iface } }", 1, 25, "'iface' needs a value" },
		{ "ra eth0 { rdnss\n}", 1, 11, "'rdnss' needs a value" },
		{ "ra eth0 { interval }", 1, 11, "'interval' needs a value" },
		{ "mdns { iface a { allow; } iface b }", 1, 18, "'allow' needs a value" },
		/* bad numbers */
		{ "route-ttl 3O000", 1, 11, "'3O000' is not a number" },
		{ "route-ttl +5", 1, 11, "not a number" },
		{ "address-ttl 4294967296", 1, 13, "number '4294967296' is out of range 0..86400000" },
		{ "address-ttl 86400001", 1, 13, "86400001 is out of range 0..86400000" },
		{ "proxy e { timeout 0 }", 1, 19, "0 is out of range 1..3600000" },
		{ "proxy e { ttl 0 }", 1, 15, "0 is out of range 1..86400000" },
		{ "proxy e { retries 101 }", 1, 19, "101 is out of range 0..100" },
		{ "proxy e { max-sessions 1048577 }", 1, 24, "1048577 is out of range 1..1048576" },
		{ "proxy e { probe-rate 0 }", 1, 22, "0 is out of range 1..100000" },
		{ "mdns { rate-limit 1000001 }", 1, 19, "out of range 0..1000000" },
		{ "ra e { mtu 70000 }", 1, 12, "70000 is out of range 0..65535" },
		{ "ra e { mtu 1279 }", 1, 12, "below IPv6's minimum of 1280" },
		{ "ra e { router-lifetime 9001 }", 1, 24, "9001 is out of range 0..9000" },
		{ "ra e { prefix fd::/64 { valid-lifetime forever } }", 1, 40, "'forever' is not a number" },
		/* bad prefixes and addresses */
		{ "proxy e { rule 2001:db8::g/64 }", 1, 16, "not an IPv6 address or prefix" },
		{ "proxy e { rule 2001:db8::/-1 }", 1, 16, "prefix length in '2001:db8::/-1' is not a number" },
		{ "proxy e { rule 2001:db8::/1280 }", 1, 16, "out of range 0..128" },
		{ "proxy e { rule 2001:db8::/64/64 }", 1, 16, "is not a number" },
		{ "proxy e { rule fe80::1%eth0 }", 1, 16, "not an IPv6 address" },
		{ "ra e { prefix ff02::/16 }", 1, 15, "multicast or link-local" },
		{ "ra e { prefix fe80::/64 }", 1, 15, "multicast or link-local" },
		{ "ra e { prefix ::/0 }", 1, 15, "prefix length 0 cannot be advertised" },
		{ "ra e { rdnss :: }", 1, 14, "must be unicast" },
		{ "ra e { rdnss fd::1 fd::1 }", 1, 20, "DNS server listed twice" },
		{ "ra e { prefix fd::/64; prefix fd::1/64 }", 1, 31, "prefix fd::/64 is listed twice (first at 1:8)" },
		/* interface names */
		{ "proxy abcdefghijklmnop { }", 1, 7, "longer than 15 characters" },
		{ "proxy eth0 { rule ::1 { iface eth:1 } }", 1, 31, "'eth:1' is not a valid interface name" },
		{ "proxy .. { }", 1, 7, "'..' is not a valid interface name" },
		{ "proxy \"a b\" { }", 1, 7, "'a b' is not a valid interface name" },
		{ "ra-relay eth0 { iface \"\" }", 1, 23, "empty interface name" },
		/* duplicates and conflicts */
		{ "proxy eth0 { }\nproxy eth1 { }\n  proxy eth0 { }", 3, 9, "duplicate proxy for interface 'eth0' (first at 1:1)" },
		{ "proxy eth0 {\n rule ::/0 {\n  iface eth0\n }\n}", 3, 9, "'iface eth0' is the proxy's own interface" },
		{ "proxy e { rule ::1 { auto; static } }", 1, 28, "only one of 'static', 'auto' and 'iface' may be given in a rule (first at 1:22)" },
		{ "proxy e { rule ::1 { static; static } }", 1, 30, "only one of" },
		{ "mdns { iface a; iface b }\nmdns { iface c; iface d }", 2, 1, "only one mdns block is allowed (first at 1:1)" },
		{ "mdns { }", 1, 1, "needs at least two 'iface' lines (it has 0)" },
		{ "mdns", 1, 1, "needs at least two 'iface' lines" },
		{ "mdns { iface a; iface b; reflect-ula no; reflect-ula yes }", 1, 42, "duplicate 'reflect-ula' (first at 1:26)" },
		{ "mdns { iface a { ipv4 no; ipv4 no } iface b }", 1, 27, "duplicate 'ipv4'" },
		{ "mdns { iface a { allow _ssh._tcp } iface b { deny ssh } }", 1, 51, "'ssh' is not a service type" },
		{ "mdns { iface a { allow _ssh._sctp } iface b }", 1, 24, "not a service type" },
		{ "ra-relay a { iface b }\nra-relay a { iface c }", 2, 10, "duplicate ra-relay for upstream 'a'" },
		{ "ra-relay a { iface b; iface b }", 1, 29, "downstream 'b' is listed twice" },
		{ "ra-relay a", 1, 1, "needs at least one downstream" },
		{ "ra e { mtu 1500; mtu 1400 }", 1, 18, "duplicate 'mtu' (first at 1:8)" },
		{ "ra e { prefix fd::/64 { on-link no; on-link no } }", 1, 37, "duplicate 'on-link'" },
		{ "ra e { dnssl a.example A.EXAMPLE }", 1, 24, "search domain 'A.EXAMPLE' listed twice" },
		{ "ra e { dnssl -bad_ }", 1, 14, NULL }, /* accepted: hyphen/underscore labels exist */
		{ "ra e { dnssl a.b.c.d.e.f.g.h.i }", 1, 0, NULL },
		/* RFC 4861 ranges across keywords */
		{ "ra e { interval 3 }", 1, 17, "maximum interval 3 is out of range 4..1800" },
		{ "ra e {\n interval 2 10\n}", 2, 11, "minimum interval 2 is out of range 3..7" },
		{ "ra e { interval 8 10 }", 1, 17, "minimum interval 8 is out of range 3..7" },
		{ "ra e { router-lifetime 599 }", 1, 24, "router-lifetime 599 is shorter than the maximum interval 600" },
		{ "ra e { interval 100; rdnss-lifetime 99 }", 1, 37, "rdnss-lifetime 99 is shorter" },
		{ "ra e { dnssl-lifetime 10 }", 1, 23, "dnssl-lifetime 10 is shorter" },
		{ "ra e { prefix fd::/64 { preferred-lifetime infinity } }", 1, 44, "longer than valid-lifetime 86400" },
		{ "ra e { preference urgent }", 1, 19, "'urgent' is not low, medium or high" },
		/* braces */
		{ "proxy eth0 {", 1, 12, "'{' is never closed" },
		{ "proxy eth0 { rule ::1 {\n", 1, 23, "'{' is never closed" },
		{ "}", 1, 1, "unexpected '}' (no block is open)" },
		{ "proxy eth0 { } }", 1, 16, "unexpected '}'" },
		{ "{ }", 1, 1, "unexpected '{' at top level" },
		{ "proxy eth0 { router yes { } }", 1, 25, "unexpected '{' in a proxy block" },
		{ "proxy eth0 { rule ::1 { static { } } }", 1, 32, "unexpected '{' in a rule block" },
		/* lexical */
		{ "proxy eth0 {\n\trule ::1 { static }\n\t'unterminated\n}", 3, 2, "unterminated string" },
		{ "route-ttl\t5\x01", 1, 12, "unexpected control character 0x01" },
		{ "proxy \"e\x7f\" {}", 1, 9, "control character 0x7f in a string" },
		/* limits */
		{ "ra e { rdnss fd::1 fd::2 fd::3 fd::4 fd::5 fd::6 fd::7 fd::8 fd::9 }", 1, 62, "too many rdnss addresses (at most 8)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!cases[i].msg) {
			struct conf *c = parse_ok(cases[i].text);
			conf_free(c);
			continue;
		}
		parse_err(cases[i].text, cases[i].line, cases[i].col, cases[i].msg);
	}
}

/* dhcp6-pd: defaults, both hint forms, subnets, errors at file:line:col,
 * print round trip. */
static void test_dhcp6_pd(void **state)
{
	(void)state;
	struct conf *c = parse_ok("dhcp6-pd wlan0 {\n\tprefix-hint ::/56\n\tiface eth0 { subnet 1 }\n"
	                          "\tiface br-*\n\tscript /etc/islandd/pd-hook.sh\n}\n");
	assert_int_equal(c->n_pds, 1);
	const struct conf_pd *pd = &c->pds[0];
	assert_string_equal(pd->upstream, "wlan0");
	assert_true(pd->has_hint);
	assert_int_equal(pd->hint_plen, 56);
	assert_false(pd->release);
	assert_string_equal(pd->state_dir, "/var/lib/islandd");
	assert_string_equal(pd->script, "/etc/islandd/pd-hook.sh");
	assert_int_equal(pd->n_ifaces, 2);
	assert_true(pd->ifaces[0].has_subnet);
	assert_int_equal(pd->ifaces[0].subnet, 1);
	assert_int_equal(pd->ifaces[0].pos.line, 3);
	assert_int_equal(pd->ifaces[0].pos.col, 8);
	assert_false(pd->ifaces[1].has_subnet);
	assert_true(conf_iface_is_upstream(c, "wlan0"));
	assert_false(conf_is_empty(c));
	assert_round_trip(c, "dhcp6-pd");
	conf_free(c);

	c = parse_ok("dhcp6-pd up { prefix-hint length 60; release yes; state-dir \"/run/x y\" }");
	assert_int_equal(c->pds[0].hint_plen, 60);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&c->pds[0].hint));
	assert_true(c->pds[0].release);
	assert_string_equal(c->pds[0].state_dir, "/run/x y");
	assert_round_trip(c, "dhcp6-pd length");
	conf_free(c);

	c = parse_ok("dhcp6-pd up");
	assert_false(c->pds[0].has_hint);
	assert_int_equal(c->pds[0].n_ifaces, 0);
	assert_round_trip(c, "dhcp6-pd bare");
	conf_free(c);

	c = parse_ok("dhcp6-pd up { prefix-hint 2001:db8:1:ff::/56 }");
	assert_true(has_warning(c, "t.conf:1:27: host bits of the prefix-hint cleared"));
	assert_round_trip(c, "dhcp6-pd hint with host bits");
	conf_free(c);

	static const struct {
		const char *text;
		unsigned line, col;
		const char *msg;
	} cases[] = {
		{ "dhcp6-pd", 1, 1, "'dhcp6-pd' needs a value" },
		{ "dhcp6-pd br-* { }", 1, 10, "pattern" },
		{ "dhcp6-pd a\ndhcp6-pd a", 2, 10, "duplicate dhcp6-pd for upstream 'a' (first at 1:1)" },
		{ "dhcp6-pd a {\n  iface a\n}", 2, 9, "'a' is the dhcp6-pd upstream" },
		{ "dhcp6-pd a {\n  iface b\n  iface b\n}", 3, 9, "downstream 'b' is listed twice" },
		{ "dhcp6-pd a { iface b { subnet 1 } iface c { subnet 1 } }", 1, 41, "subnet 1 is already b's (1:20)" },
		{ "dhcp6-pd a { iface b { subnet 65536 } }", 1, 31, "out of range 0..65535" },
		{ "dhcp6-pd a { iface b { subnet 1; subnet 2 } }", 1, 34, "'subnet' is given twice" },
		{ "dhcp6-pd a { iface b { release yes } }", 1, 24, "'release' is not allowed in a dhcp6-pd iface block (it belongs in a dhcp6-pd block)" },
		{ "dhcp6-pd a { prefix-hint 2001:db8::/40 }", 1, 26, "prefix-hint length 40 is outside 48..64" },
		{ "dhcp6-pd a { prefix-hint ::1 }", 1, 26, "prefix-hint needs a length" },
		{ "dhcp6-pd a { prefix-hint length 65 }", 1, 33, "65 is out of range 48..64" },
		{ "dhcp6-pd a { prefix-hint length }", 1, 26, "'prefix-hint length' needs a prefix length" },
		{ "dhcp6-pd a { prefix-hint ::/56\n prefix-hint ::/60 }", 2, 2, "duplicate 'prefix-hint' (first at 1:14)" },
		{ "dhcp6-pd a { script hook.sh }", 1, 21, "'hook.sh' is not an absolute path" },
		{ "dhcp6-pd a { state-dir \"/a\tb\" }", 1, 24, "control character" },
		{ "dhcp6-pd a { release maybe }", 1, 22, "maybe" },
		{ "dhcp6-pd a { rule ::/0 }", 1, 14, "'rule' is not allowed in a dhcp6-pd block" },
		{ "proxy e { prefix-hint ::/56 }", 1, 11, "(it belongs in a dhcp6-pd block)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_err(cases[i].text, cases[i].line, cases[i].col, cases[i].msg);
}

/* island: a dhcp6-pd block plus an ra-relay block (learn-hosts) over the
 * same links, printed back as written; errors at file:line:col. */
static void test_island(void **state)
{
	(void)state;
	struct conf *c = parse_ok("island wlan0 {\n\tiface eth0 { subnet 2 }\n\tiface br-*\n\tprefix-hint length 56\n}\n");
	assert_int_equal(c->n_islands, 1);
	assert_int_equal(c->n_pds, 1);
	assert_int_equal(c->n_relays, 1);
	const struct conf_island *is = conf_island_of(c, "wlan0");
	assert_non_null(is);
	assert_null(conf_island_of(c, "eth0"));
	assert_int_equal(is->pos.line, 1);
	const struct conf_pd *pd = &c->pds[is->pd];
	assert_string_equal(pd->upstream, "wlan0");
	assert_int_equal(pd->n_ifaces, 2);
	assert_int_equal(pd->ifaces[0].subnet, 2);
	assert_int_equal(pd->hint_plen, 56);
	const struct conf_ra_relay *r = &c->relays[is->relay];
	assert_string_equal(r->upstream, "wlan0");
	assert_true(r->learn_hosts);
	assert_int_equal(r->n_downstream, 2);
	assert_string_equal(r->downstream[0], "eth0");
	assert_string_equal(r->downstream[1], "br-*");
	assert_true(conf_iface_is_upstream(c, "wlan0"));
	assert_round_trip(c, "island");
	conf_free(c);

	/* beside other blocks: only its own are implied */
	c = parse_ok("ra-relay up2 { iface e2 }\nisland up { iface e1 }\ndhcp6-pd up3 { iface e3 }\n");
	assert_int_equal(c->n_relays, 2);
	assert_int_equal(c->n_pds, 2);
	assert_int_equal(c->n_islands, 1);
	assert_string_equal(c->relays[c->islands[0].relay].upstream, "up");
	assert_string_equal(c->pds[c->islands[0].pd].upstream, "up");
	assert_round_trip(c, "island beside ra-relay and dhcp6-pd");
	conf_free(c);

	static const struct {
		const char *text;
		unsigned line, col;
		const char *msg;
	} cases[] = {
		{ "island", 1, 1, "'island' needs a value" },
		{ "island a", 1, 1, "island a needs at least one island link ('iface')" },
		{ "island a { }", 1, 1, "island a needs at least one island link ('iface')" },
		{ "island br-* { iface e }", 1, 8, "pattern" },
		{ "ra-relay a { iface b }\nisland a { iface c }", 2, 8, "'a' is already an ra-relay upstream (1:1)" },
		{ "island a { iface c }\nra-relay a { iface b }", 2, 1, "'a' is the upstream of the island block at 1:1" },
		{ "island a { iface c }\ndhcp6-pd a", 2, 10, "duplicate dhcp6-pd for upstream 'a' (first at 1:1)" },
		{ "island a {\n  iface a\n}", 2, 9, "'a' is the dhcp6-pd upstream" },
		{ "island a { iface b; rule ::/0 }", 1, 21, "'rule' is not allowed" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		parse_err(cases[i].text, cases[i].line, cases[i].col, cases[i].msg);
}

static void test_limits(void **state)
{
	/* 1025 rules in one proxy: the 1025th is refused where it starts */
	size_t cap = 64 * 1100;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t n = (size_t)snprintf(text, cap, "proxy eth0 {\n");
	for (int i = 0; i < 1025; i++)
		n += (size_t)snprintf(text + n, cap - n, "rule 2001:db8::%x { static }\n", i);
	snprintf(text + n, cap - n, "}\n");
	parse_err(text, 1026, 1, "too many rules in one proxy (at most 1024)");
	free(text);

	/* 65 proxies */
	text = malloc(cap);
	n = 0;
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(text + n, cap - n, "proxy e%d { rule ::1 { static } }\n", i);
	parse_err(text, 65, 1, "too many proxy blocks (at most 64)");
	free(text);

	/* more than 1 MiB */
	size_t big = (1u << 20) + 1;
	text = malloc(big + 1);
	memset(text, '#', big);
	text[big] = 0;
	struct conf *c = NULL;
	struct conf_error err;
	assert_int_equal(conf_parse(text, big, "big", &c, &err), -1);
	assert_non_null(strstr(err.msg, "file too large"));
	free(text);

	/* a long word is reported shortened */
	char longword[3000];
	memset(longword, 'x', sizeof(longword) - 1);
	longword[sizeof(longword) - 1] = 0;
	char buf[3100];
	snprintf(buf, sizeof(buf), "proxy eth0 { rule %s }", longword);
	parse_err(buf, 1, 19, "...' is not an IPv6 address");
}

/* ---- warnings ---- */

static void test_warnings(void **state)
{
	struct conf *c = parse_ok("proxy eth0 {\n"
	                          "  rule 2001:db8::1/64 {\n  }\n"             /* no method, host bits */
	                          "  rule 2001:db8:1::/120 { auto; autovia yes }\n"
	                          "  ttl 1000\n  ttl 2000\n"                     /* ndppd keeps the first */
	                          "}\n"
	                          "route-ttl 10; route-ttl 20\n");
	const struct conf_rule *r = &c->proxies[0].rules[0];
	assert_int_equal(r->method, RULE_STATIC);
	assert_addr(&r->prefix, "2001:db8::");
	assert_int_equal(r->plen, 64);
	assert_int_equal(c->proxies[0].ttl_ms, 1000);
	assert_int_equal(c->proxies[0].deadtime_ms, 1000);
	assert_int_equal(c->route_ttl_ms, 10);
	assert_true(has_warning(c, "t.conf:2:8: host bits cleared: the rule matches 2001:db8::/64"));
	assert_true(has_warning(c, "t.conf:2:3: rule 2001:db8::/64 has no method: answering statically as ndppd 0.2.2"));
	assert_true(has_warning(c, "t.conf:2:3: static rule for 2001:db8::/64 answers for every address"));
	assert_true(has_warning(c, "t.conf:4:33: 'autovia' only applies to 'iface' rules"));
	assert_true(has_warning(c, "t.conf:6:3: duplicate 'ttl' ignored: the first, at 5:3, applies"));
	assert_true(has_warning(c, "t.conf:8:15: duplicate 'route-ttl' ignored"));
	assert_int_equal(c->n_warnings, 6);
	assert_int_equal(c->n_warnings_dropped, 0);
	conf_free(c);

	/* a /121 static rule is not "low" for ndppd; a repeated filter is noted */
	c = parse_ok("proxy eth0 { rule 2001:db8::/121 { static } }\n"
	             "mdns { iface a { allow _ssh._tcp; allow-in _SSH._tcp } iface b }\n"
	             "ra e { prefix fd00::1/64; prefix fd01::/48 }\n");
	assert_false(has_warning(c, "answers for every address"));
	assert_true(has_warning(c, "allow _SSH._tcp in is given twice"));
	assert_int_equal(c->mdns->ifaces[0].n_in, 1);
	assert_true(has_warning(c, "host bits cleared: advertising fd00::/64"));
	assert_true(has_warning(c, "fd01::/48: SLAAC needs a /64"));
	conf_free(c);

	/* beyond CONF_MAX_WARNINGS only counted */
	char text[2048];
	size_t n = (size_t)snprintf(text, sizeof(text), "proxy eth0 {\n");
	for (int i = 0; i < 11; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " rule 2001:db8::%d/127\n", i * 2 + 1);
	snprintf(text + n, sizeof(text) - n, "}\n");
	c = parse_ok(text);
	assert_int_equal(c->proxies[0].n_rules, 11);
	assert_int_equal(c->n_warnings, CONF_MAX_WARNINGS);
	assert_int_equal(c->n_warnings_dropped, 22 - CONF_MAX_WARNINGS);
	conf_free(c);
}

/* ---- the seeds, verbatim ---- */

static void test_seed000(void **state)
{
	/* /work/shared/seeds/000: pi-31's /etc/ndppd.conf (closing braces restored) */
	struct conf *c = parse_ok("proxy wlan0 {\n"
	                          "\tautowire yes\n"
	                          "\trule 2001:db8:abc:123:40::/76 {\n"
	                          "\t\tiface eth0\n"
	                          "\t}\n"
	                          "}\n");
	assert_int_equal(c->n_proxies, 1);
	const struct conf_proxy *p = &c->proxies[0];
	assert_string_equal(p->iface, "wlan0");
	assert_true(p->autowire);
	assert_true(p->router);
	assert_int_equal(p->n_rules, 1);
	assert_addr(&p->rules[0].prefix, "2001:db8:abc:123:40::");
	assert_int_equal(p->rules[0].plen, 76);
	assert_int_equal(p->rules[0].method, RULE_IFACE);
	assert_string_equal(p->rules[0].iface, "eth0");
	assert_int_equal(p->rules[0].pos.line, 3);
	assert_int_equal(p->rules[0].pos.col, 2);
	assert_int_equal(c->n_warnings, 0);
	assert_round_trip(c, "seed 000");
	conf_free(c);
}

static void test_seed004(void **state)
{
	/* /work/shared/seeds/004: syd01's /etc/ndppd.conf, verbatim */
	struct conf *c = parse_ok("route-ttl 30000\n"
	                          "proxy eth0 {\n"
	                          "   router yes\n"
	                          "   timeout 500\n"
	                          "   ttl 30000\n"
	                          "   rule 2001:DB8::/64 {\n"
	                          "      static\n"
	                          "   }\n"
	                          "}\n");
	const struct conf_proxy *p = &c->proxies[0];
	assert_string_equal(p->iface, "eth0");
	assert_true(p->router);
	assert_int_equal(p->timeout_ms, 500);
	assert_int_equal(p->ttl_ms, 30000);
	assert_int_equal(p->rules[0].method, RULE_STATIC);
	assert_addr(&p->rules[0].prefix, "2001:db8::");
	assert_int_equal(p->rules[0].plen, 64);
	/* the one note: ndppd's own "low prefix length" for a static /64 */
	assert_int_equal(c->n_warnings, 1);
	assert_true(has_warning(c, "t.conf:6:4: static rule for 2001:db8::/64"));
	assert_round_trip(c, "seed 004");
	conf_free(c);
}

/* ---- data files ---- */

static size_t files_seen;

static void check_good_file(const char *path, const char *text, size_t len)
{
	struct conf *c = NULL;
	struct conf_error err;
	char msg[600];
	if (conf_parse(text, len, path, &c, &err) < 0) {
		conf_error_format(&err, msg, sizeof(msg));
		print_error("%s must parse: %s\n", path, msg);
		fail();
	}
	assert_string_equal(c->path, path);
	assert_true(c->n_proxies + c->n_ras + c->n_relays + c->n_pds + (c->mdns != NULL) > 0);
	assert_round_trip(c, path);
	/* conf_load gives the same tree as conf_parse */
	struct conf *l = NULL;
	assert_int_equal(conf_load(path, &l, &err), 0);
	assert_conf_equal(c, l);
	conf_free(l);
	conf_free(c);
	files_seen++;
}

static void test_ndppd_configs(void **state)
{
	files_seen = 0;
	size_t n = for_each_conf(CONFIGS "/ndppd", check_good_file);
	assert_int_equal(n, files_seen);
	assert_true(n >= 20); /* the collection must not silently shrink */
}

static void test_good_configs(void **state)
{
	files_seen = 0;
	size_t n = for_each_conf(CONFIGS "/good", check_good_file);
	assert_int_equal(n, files_seen);
	assert_true(n >= 4);
}

static void test_ndppd_dist_on_this_machine(void **state)
{
	/* Debian's ndppd package ships the dist config; parse it where it lies */
	const char *path = "/usr/share/doc/ndppd/ndppd.conf-dist";
	struct conf *c = NULL;
	struct conf_error err;
	if (access(path, R_OK) != 0) {
		skip();
	}
	assert_int_equal(conf_load(path, &c, &err), 0);
	assert_int_equal(c->route_ttl_ms, 30000);
	assert_int_equal(c->n_proxies, 1);
	assert_string_equal(c->proxies[0].iface, "eth0");
	assert_int_equal(c->proxies[0].n_rules, 1);
	assert_addr(&c->proxies[0].rules[0].prefix, "1111::");
	assert_int_equal(c->proxies[0].rules[0].plen, 128);
	assert_int_equal(c->proxies[0].rules[0].method, RULE_AUTO);
	assert_int_equal(c->n_warnings, 0);
	conf_free(c);
}

static void check_bad_file(const char *path, const char *text, size_t len)
{
	unsigned line = 0, col = 0;
	int used = 0;
	if (sscanf(text, "# expect: %u:%u: %n", &line, &col, &used) != 2 || !used) {
		print_error("%s: first line must be '# expect: LINE:COL: text'\n", path);
		fail();
	}
	const char *want = text + used;
	size_t want_len = strcspn(want, "\n");
	struct conf *c = NULL;
	struct conf_error err;
	if (conf_parse(text, len, path, &c, &err) == 0) {
		print_error("%s parsed but must fail\n", path);
		conf_free(c);
		fail();
	}
	char wanted[256];
	snprintf(wanted, sizeof(wanted), "%.*s", (int)want_len, want);
	if (err.line != line || err.col != col || !strstr(err.msg, wanted)) {
		print_error("%s: want %u:%u '%s'\n   got %u:%u '%s'\n", path, line, col, wanted, err.line,
		            err.col, err.msg);
		fail();
	}
	/* conf_load names the file and reports the same */
	struct conf_error lerr;
	assert_int_equal(conf_load(path, &c, &lerr), -1);
	assert_null(c);
	assert_string_equal(lerr.file, path);
	assert_int_equal(lerr.line, line);
	assert_int_equal(lerr.col, col);
	files_seen++;
}

static void test_bad_configs(void **state)
{
	files_seen = 0;
	size_t n = for_each_conf(CONFIGS "/bad", check_bad_file);
	assert_int_equal(n, files_seen);
	assert_true(n >= 40);
}

/* ---- round trips of inline configs ---- */

static void test_round_trip_inline(void **state)
{
	static const char *const texts[] = {
		"",
		"route-ttl 0\naddress-ttl 86400000\n",
		"batch-interval 0\n",
		"batch-interval 100000\n",
		"proxy a { rule ::/0 { auto } rule ::1 { iface b; autovia no } rule ::2 { static; autovia yes } }",
		"proxy a { rule 2001:db8::1 }", /* no block: static */
		"mdns { iface a { ipv4 no } iface b { ipv6 no; deny-in _x._udp; allow-in _y._tcp; deny-in _z._tcp } }",
		"mdns { iface a { allow _A._tcp _b._udp; deny _c._tcp } iface b }",
		"ra e { prefix 2001:db8::/64 { valid-lifetime infinity; preferred-lifetime 4294967295 } }",
		"ra e { interval 1800; rdnss-lifetime 0; dnssl-lifetime infinity; dnssl example.org. }",
		"ra-relay up { iface d1; iface d2; iface d3; learn-hosts no }",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct conf *c = parse_ok(texts[i]);
		assert_round_trip(c, texts[i]);
		conf_free(c);
	}
	struct conf *c = parse_ok("ra e { dnssl example.org. }");
	assert_string_equal(c->ras[0].dnssl[0], "example.org");
	conf_free(c);
}

/* ---- files and messages ---- */

static void collect_iface(void *ctx, const char *ifname, const char *role, struct conf_pos pos)
{
	char *seen = ctx;
	size_t n = strlen(seen);
	snprintf(seen + n, 512 - n, "%s=%s@%u ", ifname, role, pos.line);
}

static void test_load_and_format(void **state)
{
	struct conf *c = (struct conf *)0x1;
	struct conf_error err;
	char msg[600];
	assert_int_equal(conf_load("tests/unit/configs/does-not-exist.conf", &c, &err), -1);
	assert_null(c);
	assert_int_equal(err.line, 0);
	conf_error_format(&err, msg, sizeof(msg));
	assert_string_equal(msg, "tests/unit/configs/does-not-exist.conf: cannot open: No such file or directory");
	assert_int_equal(conf_load("tests/unit/configs", &c, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));

	assert_int_equal(conf_parse("proxy e {\n  ttl x\n}", 20, "/etc/islandd.conf", &c, &err), -1);
	conf_error_format(&err, msg, sizeof(msg));
	assert_string_equal(msg, "/etc/islandd.conf:2:7: 'x' is not a number (digits only)");
	/* a small buffer is cut, still terminated */
	conf_error_format(&err, msg, 10);
	assert_string_equal(msg, "/etc/isla");
	conf_free(NULL);
}

/* Issue 13: a FIFO is refused at once (open() used to wait for a writer),
 * an empty configuration warns, and interfaces are listed with their roles. */
static void test_fifo_empty_and_ifaces(void **state)
{
	struct conf *c;
	struct conf_error err;
	char fifo[] = "/tmp/islandd-test-fifo-XXXXXX";
	int fd = mkstemp(fifo);
	assert_true(fd >= 0);
	close(fd);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(conf_load(fifo, &c, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
	unlink(fifo);

	assert_int_equal(conf_parse("# nothing\n", 10, "e.conf", &c, &err), 0);
	assert_true(conf_is_empty(c));
	assert_int_equal(c->n_warnings, 1);
	assert_non_null(strstr(c->warnings[0], "e.conf:1:1: the configuration is empty"));
	conf_free(c);

	const char *text = "proxy wlan0 { rule 2001:db8::/64 { iface eth0 } }\n"
	                   "mdns { iface wlan0\n iface eth0 }\nra-relay up0 { iface down0 }\n";
	assert_int_equal(conf_parse(text, strlen(text), "i.conf", &c, &err), 0);
	assert_false(conf_is_empty(c));
	assert_int_equal(c->n_warnings, 0);
	char seen[512] = "";
	conf_foreach_iface(c, collect_iface, seen);
	assert_string_equal(seen, "wlan0=proxy@1 eth0=rule downstream@1 wlan0=mdns@2 eth0=mdns@3 "
	                          "up0=ra-relay upstream@4 down0=ra-relay downstream@4 ");
	conf_free(c);
}

/* `answer-from link-local | target` in proxy and ra-relay blocks: default,
 * both values, errors at the value, repeats refused, printed and read back. */
static void test_answer_from(void **state)
{
	struct conf *c = parse_ok("proxy eth0 { rule ::1 { static } }\n"
	                          "proxy eth1 {\n answer-from target\n rule ::2 { static }\n}\n"
	                          "proxy eth2 { answer-from LINK-LOCAL; rule ::3 { static } }\n"
	                          "ra-relay wlan0 { iface eth3 }\n"
	                          "ra-relay wlan1 { iface eth4; answer-from target }\n");
	assert_int_equal(c->proxies[0].answer_from, CONF_ANSWER_FROM_LINK_LOCAL);
	assert_int_equal(c->proxies[1].answer_from, CONF_ANSWER_FROM_TARGET);
	assert_int_equal(c->proxies[2].answer_from, CONF_ANSWER_FROM_LINK_LOCAL);
	assert_int_equal(c->relays[0].answer_from, CONF_ANSWER_FROM_LINK_LOCAL);
	assert_int_equal(c->relays[1].answer_from, CONF_ANSWER_FROM_TARGET);
	assert_int_equal(c->n_warnings, 0);
	char *text = print_to_string(c);
	assert_non_null(strstr(text, "proxy eth1 {\n\trouter yes"));
	assert_non_null(strstr(text, "\tanswer-from target\n"));
	assert_non_null(strstr(text, "\tanswer-from link-local\n"));
	struct conf *back = parse_ok(text);
	assert_conf_equal(c, back);
	char *again = print_to_string(back);
	assert_string_equal(text, again);
	free(again);
	free(text);
	conf_free(back);
	conf_free(c);

	parse_err("proxy e {\n answer-from global\n}", 2, 14, "'global' is not link-local or target");
	parse_err("proxy e { answer-from }", 1, 11, "'answer-from' needs a value");
	parse_err("proxy e { answer-from target; answer-from target }", 1, 31, "answer-from");
	parse_err("proxy e { rule ::1 { answer-from target } }", 1, 22, "'answer-from'");
	parse_err("ra-relay w { iface e; answer-from ll }", 1, 35, "'ll' is not link-local or target");
	parse_err("ra-relay w { iface e; answer-from target\n answer-from link-local }", 2, 2, "answer-from");
	parse_err("answer-from target", 1, 1, "'answer-from'");
}

/* Interface name patterns: shell-style (fnmatch) where a downstream is
 * named, never for the interface a proxy or relay serves; a pattern that
 * covers that upstream is an error at the pattern. */
static void test_iface_patterns(void **state)
{
	(void)state;
	struct conf *c = parse_ok("proxy wlan0 {\n rule 2001:db8::/64 {\n  iface br-*\n }\n}\n"
	                          "ra-relay eth9 { iface docker?; iface veth[0-9]* }\n"
	                          "mdns { iface wlan0; iface br-* }\n");
	assert_string_equal(c->proxies[0].rules[0].iface, "br-*");
	assert_string_equal(c->relays[0].downstream[0], "docker?");
	assert_string_equal(c->relays[0].downstream[1], "veth[0-9]*");
	assert_string_equal(c->mdns->ifaces[1].name, "br-*");
	assert_int_equal(c->n_warnings, 0);
	char *text = print_to_string(c);
	struct conf *back = parse_ok(text);
	assert_conf_equal(c, back);
	free(text);
	conf_free(back);

	/* the one helper every engine matches with */
	assert_true(conf_iface_is_pattern("br-*"));
	assert_true(conf_iface_is_pattern("eth?"));
	assert_true(conf_iface_is_pattern("eth[01]"));
	assert_false(conf_iface_is_pattern("br-1234"));
	assert_true(conf_iface_matches("br-*", "br-1234"));
	assert_true(conf_iface_matches("br-*", "br-"));
	assert_false(conf_iface_matches("br-*", "xbr-1"));
	assert_false(conf_iface_matches("br-*", "docker0"));
	assert_true(conf_iface_matches("docker?", "docker0"));
	assert_false(conf_iface_matches("docker?", "docker10"));
	assert_true(conf_iface_matches("veth[0-9]*", "veth1abc"));
	assert_false(conf_iface_matches("veth[0-9]*", "vethx"));
	assert_true(conf_iface_matches("eth0", "eth0"));
	assert_false(conf_iface_matches("eth0", "eth01"));
	assert_true(conf_iface_is_upstream(c, "wlan0"));
	assert_true(conf_iface_is_upstream(c, "eth9"));
	assert_false(conf_iface_is_upstream(c, "br-1"));
	conf_free(c);

	/* a pattern where one interface must be named */
	parse_err("proxy br-* { rule ::1 { static } }", 1, 7, "'br-*' is a pattern: 'proxy' names one interface");
	parse_err("ra-relay wl* { iface eth0 }", 1, 10, "'wl*' is a pattern: 'ra-relay' names one interface");
	parse_err("ra eth? { prefix 2001:db8::/64 }", 1, 4, "'eth?' is a pattern: 'ra' names one interface");
	/* a pattern that covers the upstream itself */
	parse_err("proxy wlan0 {\n rule ::/0 {\n  iface w*\n }\n}", 3, 9,
	          "pattern 'w*' matches the proxy's interface 'wlan0' itself");
	parse_err("ra-relay br-up {\n iface eth0\n iface br-*\n}", 3, 8,
	          "pattern 'br-*' matches the relay's upstream 'br-up' itself");
	parse_err("ra-relay eth0 { iface eth[0-3] }", 1, 23, "matches the relay's upstream 'eth0'");
	/* the same name keeps its own words */
	parse_err("ra-relay a { iface a }", 1, 20, "'a' is the relay's upstream");
	parse_err("proxy a { rule ::1 { iface a } }", 1, 28, "is the proxy's own interface");
}

/* dhcp4-relay: defaults, every keyword, errors at file:line:col, round trip. */
static void test_dhcp4_relay(void **state)
{
	(void)state;
	struct conf *c = parse_ok("dhcp4-relay {\n upstream wlan0\n iface eth0\n}\n");
	assert_int_equal(c->n_dhcp4_relays, 1);
	const struct conf_dhcp4_relay *r = &c->dhcp4_relays[0];
	assert_string_equal(r->upstream, "wlan0");
	assert_int_equal(r->n_ifaces, 1);
	assert_string_equal(r->ifaces[0], "eth0");
	assert_int_equal(r->n_servers, 0);
	assert_int_equal(r->mode, CONF_DHCP4_AUTO);
	assert_false(r->option82);
	assert_true(r->learn_hosts);
	assert_false(conf_is_empty(c));
	assert_round_trip(c, "dhcp4-relay defaults");
	conf_free(c);

	c = parse_ok("dhcp4-relay { upstream wlan0; iface eth0; iface br-*; server 192.168.1.1; server 10.0.0.1\n"
	             " mode forward; option82 yes; learn-hosts no }\n"
	             "dhcp4-relay { upstream wlan1; iface eth9; mode relay }\n");
	assert_int_equal(c->n_dhcp4_relays, 2);
	r = &c->dhcp4_relays[0];
	assert_int_equal(r->n_ifaces, 2);
	assert_string_equal(r->ifaces[1], "br-*");
	assert_int_equal(r->n_servers, 2);
	assert_int_equal(r->servers[1].s_addr, htonl(0x0a000001));
	assert_int_equal(r->mode, CONF_DHCP4_FORWARD);
	assert_true(r->option82);
	assert_false(r->learn_hosts);
	assert_int_equal(c->dhcp4_relays[1].mode, CONF_DHCP4_RELAY);
	assert_round_trip(c, "dhcp4-relay every keyword");
	char *text = print_to_string(c);
	assert_non_null(strstr(text, "\tserver 10.0.0.1\n\tmode forward\n\toption82 yes\n\tlearn-hosts no\n"));
	free(text);
	conf_free(c);

	parse_err("dhcp4-relay { iface eth0 }", 1, 1, "needs an 'upstream' line");
	parse_err("dhcp4-relay { upstream wlan0 }", 1, 1, "at least one island 'iface'");
	parse_err("dhcp4-relay", 1, 1, "needs a block");
	parse_err("dhcp4-relay { upstream wl* ; iface eth0 }", 1, 24, "pattern");
	parse_err("dhcp4-relay { upstream wlan0; upstream wlan1; iface e }", 1, 31, "duplicate 'upstream' (first at 1:15)");
	parse_err("dhcp4-relay { upstream a; iface b }\ndhcp4-relay { upstream a; iface c }", 2, 24,
	          "duplicate dhcp4-relay for upstream 'a' (first at 1:1)");
	parse_err("dhcp4-relay { upstream a; iface b; iface b }", 1, 42, "island interface 'b' is listed twice");
	parse_err("dhcp4-relay { upstream a; iface a }", 1, 33, "'a' is the dhcp4-relay's upstream");
	parse_err("dhcp4-relay { upstream a1; iface a* }", 1, 34, "pattern 'a*' matches the dhcp4-relay's upstream 'a1'");
	parse_err("dhcp4-relay { upstream a; iface b; server 2001:db8::1 }", 1, 43, "is not an IPv4 address");
	parse_err("dhcp4-relay { upstream a; iface b; server 255.255.255.255 }", 1, 43, "must be a unicast address");
	parse_err("dhcp4-relay { upstream a; iface b; server 224.0.0.1 }", 1, 43, "must be a unicast address");
	parse_err("dhcp4-relay { upstream a; iface b; server 1.2.3.4; server 1.2.3.4 }", 1, 59, "listed twice");
	parse_err("dhcp4-relay { upstream a; iface b; mode proxy }", 1, 41, "'proxy' is not relay, forward or auto");
	parse_err("dhcp4-relay { upstream a; iface b; mode relay; mode auto }", 1, 48, "duplicate 'mode'");
	parse_err("dhcp4-relay { upstream a; iface b; option82 maybe }", 1, 45, "maybe");
	parse_err("dhcp4-relay { upstream a; iface b; learn-hosts no; learn-hosts no }", 1, 52, "duplicate 'learn-hosts'");
	parse_err("dhcp4-relay { upstream a; iface b; prefix-hint 1 }", 1, 36, "'prefix-hint'");
	parse_err("proxy e { server 1.2.3.4 }", 1, 11, "it belongs in a dhcp4-relay block");
}

/* Proxy ARP: IPv4 rules in proxy blocks go to arp_proxies with the block's
 * options; a block with only IPv4 rules adds nothing for the NDP proxy. */
static void test_proxy_arp_rules(void **state)
{
	(void)state;
	struct conf *c = parse_ok("proxy wlan0 {\n"
	                          "    autowire yes\n"
	                          "    ttl 20000\n"
	                          "    rule 2001:db8:abc:123:40::/76 { iface eth0 }\n"
	                          "    rule 192.168.1.0/24 { iface eth0 }\n"
	                          "    rule 192.168.1.7 { static }\n"
	                          "}\n"
	                          "proxy eth0 {\n"
	                          "    rule 192.168.1.0/24 { auto }\n"
	                          "}\n");
	assert_int_equal(c->n_proxies, 1);
	assert_string_equal(c->proxies[0].iface, "wlan0");
	assert_int_equal(c->proxies[0].n_rules, 1);
	assert_int_equal(c->n_arp_proxies, 2);
	const struct conf_proxy *w = &c->arp_proxies[0], *e = &c->arp_proxies[1];
	assert_string_equal(w->iface, "wlan0");
	assert_true(w->autowire);
	assert_int_equal(w->ttl_ms, 20000);
	assert_int_equal(w->deadtime_ms, 20000);
	assert_int_equal(w->n_rules, 2);
	struct in6_addr want;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:192.168.1.0", &want), 1);
	assert_memory_equal(&w->rules[0].prefix, &want, 16);
	assert_int_equal(w->rules[0].plen, 96 + 24);
	assert_int_equal(w->rules[0].method, RULE_IFACE);
	assert_string_equal(w->rules[0].iface, "eth0");
	assert_int_equal(w->rules[1].plen, 128);
	assert_int_equal(w->rules[1].method, RULE_STATIC);
	assert_string_equal(e->iface, "eth0");
	assert_int_equal(e->rules[0].method, RULE_AUTO);
	assert_false(e->autowire);
	assert_false(conf_is_empty(c));
	/* an ARP proxy's interface is no IPv6 upstream: the NDP proxy and the
	 * RA relay keep serving it as a downstream */
	assert_false(conf_iface_is_upstream(c, "eth0"));
	assert_round_trip(c, "proxy arp");
	conf_free(c);

	/* v4-only block first: file order survives the round trip */
	c = parse_ok("proxy eth0 { rule 10.0.0.0/8 { auto } }\nproxy wlan0 { rule 2001:db8::/64 { auto } }\n");
	assert_int_equal(c->n_proxies, 1);
	assert_int_equal(c->n_arp_proxies, 1);
	assert_round_trip(c, "proxy arp order");
	conf_free(c);

	/* host bits: cleared, with a warning naming the IPv4 prefix */
	c = parse_ok("proxy wlan0 { rule 192.168.1.77/24 { iface eth0 } }\n");
	assert_true(has_warning(c, "t.conf:1:20: host bits cleared: the rule matches 192.168.1.0/24"));
	assert_int_equal(c->arp_proxies[0].rules[0].prefix.s6_addr[15], 0);
	conf_free(c);

	parse_err("proxy wlan0 {\n rule 192.168.1.0/33 { iface eth0 }\n}\n", 2, 7, "out of range 0..32");
	parse_err("proxy wlan0 { rule 192.168.1.300/24 { iface eth0 } }\n", 1, 20, "not an IPv4 address");
	parse_err("proxy wlan0 { rule 192.168.1.0/ { iface eth0 } }\n", 1, 20, "no prefix length");
	parse_err("proxy wlan0 { rule 10.0.0.0/8 { iface eth0; autovia yes } }\n", 1, 45, "'autovia' is for IPv6");
	parse_err("proxy wlan0 { rule 10.0.0.0/8 { iface wlan0 } }\n", 1, 39, "proxy's own interface");
	parse_err("proxy wlan0 { rule 10.0.0.0/8 { iface br-* } }\n", 1, 33, "not a pattern");
	parse_err("proxy eth0 { rule 10.0.0.0/8 { auto } }\nproxy eth0 { rule 10.0.0.0/8 { auto } }\n", 2, 7,
	          "duplicate proxy");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_top_and_proxy),
		cmocka_unit_test(test_fifo_empty_and_ifaces),
		cmocka_unit_test(test_deadtime_follows_ttl),
		cmocka_unit_test(test_defaults_mdns_relay_ra),
		cmocka_unit_test(test_ra_defaults_follow_interval),
		cmocka_unit_test(test_every_keyword),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_answer_from),
		cmocka_unit_test(test_iface_patterns),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_separators_and_quotes),
		cmocka_unit_test(test_input_not_nul_terminated),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_seed000),
		cmocka_unit_test(test_seed004),
		cmocka_unit_test(test_ndppd_configs),
		cmocka_unit_test(test_good_configs),
		cmocka_unit_test(test_ndppd_dist_on_this_machine),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_round_trip_inline),
		cmocka_unit_test(test_dhcp6_pd),
		cmocka_unit_test(test_island),
		cmocka_unit_test(test_load_and_format),
		cmocka_unit_test(test_metrics_listen),
		cmocka_unit_test(test_dhcp4_relay),
		cmocka_unit_test(test_proxy_arp_rules),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
