/* Unit tests for the DHCPv6-PD client engine (src/dhcp6pd/) on fake ops and
 * tests/unit/fake_loop.h's clock: the RFC 8415 §15 schedule, the exchanges,
 * NoBinding, NoPrefixAvail, restart from a saved lease, expiry, hostile
 * input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_loop.h"
#include "wire_fixtures.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dhcp6pd/pd.h"
#include "util/random.h"

#define MAX_SENT 256
#define WALL_BASE 1800000000ull

static struct {
	size_t n_sent;
	struct { uint64_t at_ms; struct dhcp6_msg m; } sent[MAX_SENT];
	uint64_t rng;
	char files[2][2][2048];   /* [i][0] name, [i][1] content */
	int file_len[2];
	size_t n_events;
	char events[32][16];
	struct pd_lease last_now, last_before;
	uint64_t wall_offset;
	size_t stop_at;
} w;

static int fake_send(void *ctx, int ifindex, const uint8_t *msg, size_t len)
{
	(void)ctx;
	assert_int_equal(ifindex, 7);
	assert_true(w.n_sent < MAX_SENT);
	w.sent[w.n_sent].at_ms = fake_ms();
	assert_int_equal(dhcp6_parse(msg, len, &w.sent[w.n_sent].m), DHCP6_OK);
	w.n_sent++;
	if (w.stop_at && w.n_sent >= w.stop_at)
		loop_stop(fake_loop);
	return 0;
}

static uint64_t fake_wall(void *ctx)
{
	(void)ctx;
	return WALL_BASE + w.wall_offset + fake_ms() / 1000u;
}

static uint32_t fake_random(void *ctx)
{
	(void)ctx;
	return (uint32_t)(rng_next(&w.rng) >> 32);
}

static int file_slot(const char *name, bool create)
{
	for (int i = 0; i < 2; i++)
		if (!strcmp(w.files[i][0], name))
			return i;
	if (!create)
		return -1;
	for (int i = 0; i < 2; i++)
		if (!w.files[i][0][0]) {
			snprintf(w.files[i][0], sizeof(w.files[i][0]), "%s", name);
			return i;
		}
	fail();
	return -1;
}

static int fake_load(void *ctx, const char *name, char *buf, size_t cap)
{
	(void)ctx;
	int i = file_slot(name, false);
	if (i < 0 || (size_t)w.file_len[i] > cap)
		return -1;
	memcpy(buf, w.files[i][1], (size_t)w.file_len[i]);
	return w.file_len[i];
}

static int fake_save(void *ctx, const char *name, const char *buf, size_t len)
{
	(void)ctx;
	int i = file_slot(name, true);
	assert_true(len < sizeof(w.files[i][1]));
	memcpy(w.files[i][1], buf, len);
	w.file_len[i] = (int)len;
	return 0;
}

static void fake_changed(void *ctx, const struct pd_lease *now, const struct pd_lease *before,
                         const char *event)
{
	(void)ctx;
	assert_true(w.n_events < 32);
	snprintf(w.events[w.n_events++], 16, "%s", event);
	w.last_now = *now;
	w.last_before = *before;
}

static const struct pd_ops ops = {
	.send = fake_send, .now_ms = fake_now_ms, .wall_s = fake_wall, .random = fake_random,
	.load = fake_load, .save = fake_save, .lease_changed = fake_changed,
};

static struct pd_client_conf conf(void)
{
	struct pd_client_conf c = { .ifindex = 7, .ifname = "wan0", .has_mac = true,
	                            .mac = { 2, 0, 0, 0, 0, 9 }, .has_hint = true, .hint_plen = 56 };
	return c;
}

static int setup(void **state)
{
	(void)state;
	memset(&w, 0, sizeof(w));
	w.rng = rng_init(42);
	fake_loop_reset(1000000);
	return 0;
}

static void wipe_sent(void)
{
	w.n_sent = 0;
}

static const struct dhcp6_msg *last_sent(void)
{
	assert_true(w.n_sent > 0);
	return &w.sent[w.n_sent - 1].m;
}

/* ---- server side ---- */

static struct dhcp6_duid server_duid(uint8_t last)
{
	struct dhcp6_duid d;
	uint8_t mac[6] = { 2, 0, 0, 0, 0, last };
	dhcp6_duid_llt(&d, mac, 1000);
	return d;
}

struct srv {
	uint8_t type;
	uint8_t server;            /* which server DUID */
	int pref;                  /* -1 = no Preference option */
	uint32_t t1, t2, preferred, valid;
	const char *prefix;
	uint8_t plen;
	int ia_status, msg_status; /* -1 = none */
	int xid_delta;
	bool foreign_client;
};

static void deliver(struct pd_client *c, const struct srv *s)
{
	const struct dhcp6_msg *q = last_sent();
	struct dhcp6_msg m;
	memset(&m, 0, sizeof(m));
	m.type = s->type;
	m.xid = (q->xid + (uint32_t)s->xid_delta) & 0xffffff;
	m.client_id = q->client_id;
	if (s->foreign_client)
		m.client_id.bytes[m.client_id.len - 1] ^= 1;
	m.server_id = server_duid(s->server ? s->server : 1);
	if (s->pref >= 0) {
		m.has_preference = true;
		m.preference = (uint8_t)s->pref;
	}
	if (s->msg_status >= 0) {
		m.status.present = true;
		m.status.code = (uint16_t)s->msg_status;
	}
	m.n_ia_pd = 1;
	m.ia_pd[0].iaid = q->n_ia_pd ? q->ia_pd[0].iaid : 1;
	m.ia_pd[0].t1 = s->t1;
	m.ia_pd[0].t2 = s->t2;
	if (s->ia_status >= 0) {
		m.ia_pd[0].status.present = true;
		m.ia_pd[0].status.code = (uint16_t)s->ia_status;
	}
	if (s->prefix) {
		m.ia_pd[0].n_prefixes = 1;
		m.ia_pd[0].prefixes[0].prefix = A(s->prefix);
		m.ia_pd[0].prefixes[0].plen = s->plen;
		m.ia_pd[0].prefixes[0].preferred = s->preferred;
		m.ia_pd[0].prefixes[0].valid = s->valid;
	}
	m.n_dns = 1;
	m.dns[0] = A("2001:db8::53");
	m.n_domains = 1;
	strcpy(m.domains[0], "example.org");
	uint8_t buf[DHCP6_MSG_MAX];
	size_t n = dhcp6_build(&m, buf, sizeof(buf));
	assert_true(n > 0);
	struct in6_addr src = A("fe80::1");
	pd_client_input(c, buf, n, &src);
}

#define GOOD(type_) (struct srv){ .type = (type_), .pref = -1, .t1 = 100, .t2 = 160, \
	.preferred = 200, .valid = 300, .prefix = "2001:db8:100:1200::", .plen = 56, \
	.ia_status = -1, .msg_status = -1 }

/* Runs until the client has sent n messages in all (fake_send stops the
 * loop there); fails when that takes longer than max_ms. */
static void wait_sent(size_t n, uint64_t max_ms)
{
	w.stop_at = n;
	if (w.n_sent < n)
		run_for(max_ms);
	w.stop_at = 0;
	if (w.n_sent < n)
		fail_msg("%zu messages sent, %zu expected by now", w.n_sent, n);
}

static struct pd_client *bound_client(void)
{
	struct pd_client_conf cf = conf();
	struct pd_client *c = pd_client_new(fake_loop, &ops, &cf);
	assert_non_null(c);
	pd_client_start(c);
	wait_sent(1, 1100);
	struct srv adv = GOOD(DHCP6_ADVERTISE);
	adv.pref = 255;
	deliver(c, &adv);
	assert_int_equal(last_sent()->type, DHCP6_REQUEST);
	deliver(c, &GOOD(DHCP6_REPLY));
	assert_int_equal(pd_client_state(c), PD_ST_BOUND);
	return c;
}

/* ---- tests ---- */

/* §18.2.1 and §15: the first Solicit within SOL_MAX_DELAY; the first RT
 * in (IRT, 1.1 IRT]; each next in [1.9, 2.1] of the one before; every one
 * with Client ID, Elapsed Time, IA_PD with the hint, ORO, no Server ID. */
static void test_solicit_schedule(void **state)
{
	(void)state;
	struct pd_client_conf cf = conf();
	struct pd_client *c = pd_client_new(fake_loop, &ops, &cf);
	uint64_t t0 = fake_ms();
	pd_client_start(c);
	assert_int_equal(w.n_sent, 0);
	wait_sent(1, 1001);
	assert_true(w.sent[0].at_ms - t0 <= PD_SOL_MAX_DELAY_MS);
	wait_sent(8, 400000);
	for (size_t i = 0; i < 8; i++) {
		const struct dhcp6_msg *m = &w.sent[i].m;
		assert_int_equal(m->type, DHCP6_SOLICIT);
		assert_int_equal(m->client_id.len, 10); /* DUID-LL of the MAC */
		assert_int_equal(m->server_id.len, 0);
		assert_true(m->has_elapsed);
		assert_int_equal(m->elapsed_cs, (w.sent[i].at_ms - w.sent[0].at_ms) / 10);
		assert_int_equal(m->n_ia_pd, 1);
		assert_int_equal(m->ia_pd[0].n_prefixes, 1);
		assert_int_equal(m->ia_pd[0].prefixes[0].plen, 56);
		assert_int_equal(m->ia_pd[0].t1, 0);
		assert_int_equal(m->n_oro, 3);
		assert_int_equal(m->xid, w.sent[0].m.xid); /* one exchange, one xid */
	}
	uint64_t rt = w.sent[1].at_ms - w.sent[0].at_ms;
	assert_true(rt > 1000 && rt <= 1100);
	for (size_t i = 2; i < 8; i++) {
		uint64_t next = w.sent[i].at_ms - w.sent[i - 1].at_ms;
		assert_true(next * 10 >= rt * 19 - 10 && next * 10 <= rt * 21 + 10);
		rt = next;
	}
	/* the DUID went to disk once */
	assert_int_equal(file_slot("duid", false) >= 0, 1);
	pd_client_free(c);
	assert_int_equal(w.n_events, 0); /* no lease: nothing to report at stop */
}

/* Advertise -> Request -> Reply -> bound; Renew at T1 (RT 10 s, doubling),
 * Rebind at T2 without Server ID, expiry at the valid lifetime. */
static void test_lease_life(void **state)
{
	(void)state;
	struct pd_client_conf cf = conf();
	struct pd_client *c = pd_client_new(fake_loop, &ops, &cf);
	pd_client_start(c);
	wait_sent(1, 1001);
	deliver(c, &GOOD(DHCP6_ADVERTISE));
	/* Preference absent (0): collect until the first RT ends */
	assert_int_equal(w.n_sent, 1);
	wait_sent(2, 1200);
	const struct dhcp6_msg *req = last_sent();
	assert_int_equal(req->type, DHCP6_REQUEST);
	struct dhcp6_duid s1 = server_duid(1);
	assert_true(dhcp6_duid_equal(&req->server_id, &s1));
	assert_addr(&req->ia_pd[0].prefixes[0].prefix, "2001:db8:100:1200::");
	assert_int_equal(req->ia_pd[0].prefixes[0].valid, 0);
	uint64_t bound_at = fake_ms();
	deliver(c, &GOOD(DHCP6_REPLY));
	assert_int_equal(w.n_events, 1);
	assert_string_equal(w.events[0], "bound");
	assert_int_equal(w.last_now.n_prefixes, 1);
	assert_int_equal(w.last_now.prefixes[0].plen, 56);
	assert_int_equal(w.last_now.state, PD_BOUND);
	assert_int_equal(w.last_now.n_dns, 1);
	assert_string_equal(w.last_now.domains[0], "example.org");
	assert_int_equal(w.last_before.n_prefixes, 0);
	assert_int_equal(pd_client_lease(c)->upstream_ifindex, 7);

	wipe_sent();
	wait_sent(1, 101000);
	assert_int_equal(last_sent()->type, DHCP6_RENEW);
	assert_int_equal(w.sent[0].at_ms - bound_at, 100000);
	assert_true(dhcp6_duid_equal(&last_sent()->server_id, &s1));
	assert_int_equal(pd_client_lease(c)->state, PD_RENEWING);
	wait_sent(3, 40000);
	uint64_t rt1 = w.sent[1].at_ms - w.sent[0].at_ms, rt2 = w.sent[2].at_ms - w.sent[1].at_ms;
	assert_true(rt1 >= 9000 && rt1 <= 11000);
	assert_true(rt2 * 10 >= rt1 * 19 && rt2 * 10 <= rt1 * 21);
	/* T2: Rebind, to any server */
	run_until(bound_at + 160000);
	assert_int_equal(last_sent()->type, DHCP6_REBIND);
	assert_int_equal(last_sent()->server_id.len, 0);
	assert_int_equal(last_sent()->elapsed_cs, 0);
	assert_int_equal(pd_client_state(c), PD_ST_REBIND);
	/* valid lifetime ends: expired, and looking again */
	run_until(bound_at + 300000);
	assert_string_equal(w.events[w.n_events - 1], "expired");
	assert_int_equal(w.last_before.n_prefixes, 1);
	assert_int_equal(pd_client_state(c), PD_ST_SOLICIT);
	wipe_sent();
	wait_sent(1, 1001);
	assert_int_equal(last_sent()->type, DHCP6_SOLICIT);
	/* the Solicit hints the prefix it had */
	assert_addr(&last_sent()->ia_pd[0].prefixes[0].prefix, "2001:db8:100:1200::");
	assert_int_equal(pd_client_counters(c)->expired, 1);
	pd_client_free(c);
}

/* Of two Advertises in the first RT, the higher Preference wins; 255 goes
 * at once. */
static void test_server_selection(void **state)
{
	(void)state;
	struct pd_client_conf cf = conf();
	struct pd_client *c = pd_client_new(fake_loop, &ops, &cf);
	pd_client_start(c);
	wait_sent(1, 1001);
	struct srv a = GOOD(DHCP6_ADVERTISE), b = GOOD(DHCP6_ADVERTISE);
	a.pref = 10;
	b.pref = 20;
	b.server = 2;
	deliver(c, &a);
	deliver(c, &b);
	assert_int_equal(w.n_sent, 1);
	wait_sent(2, 1200);
	struct dhcp6_duid s2 = server_duid(2);
	assert_true(dhcp6_duid_equal(&last_sent()->server_id, &s2));
	/* a Reply from server 1 to a Request to server 2 is not taken */
	deliver(c, &GOOD(DHCP6_REPLY));
	assert_int_equal(pd_client_counters(c)->drops[PD_DROP_WRONG_SERVER], 1);
	assert_int_equal(pd_client_state(c), PD_ST_REQUEST);
	pd_client_free(c);
	setup(NULL);
	c = bound_client(); /* Preference 255: Request without waiting */
	assert_int_equal(w.n_sent, 2);
	assert_true(w.sent[1].at_ms == w.sent[0].at_ms);
	pd_client_free(c);
}

/* §18.2.10.1: NoBinding in a Renew's Reply -> Request; the same prefix
 * back is "renewed". */
static void test_nobinding(void **state)
{
	(void)state;
	struct pd_client *c = bound_client();
	wipe_sent();
	wait_sent(1, 101000);
	assert_int_equal(last_sent()->type, DHCP6_RENEW);
	struct srv nb = GOOD(DHCP6_REPLY);
	nb.ia_status = DHCP6_STATUS_NO_BINDING;
	nb.prefix = NULL;
	deliver(c, &nb);
	assert_int_equal(pd_client_counters(c)->no_binding, 1);
	assert_int_equal(last_sent()->type, DHCP6_REQUEST);
	assert_addr(&last_sent()->ia_pd[0].prefixes[0].prefix, "2001:db8:100:1200::");
	deliver(c, &GOOD(DHCP6_REPLY));
	assert_string_equal(w.events[w.n_events - 1], "renewed");
	/* the server hands another prefix instead: "changed", the old one kept
	 * deprecated until its valid lifetime ends */
	wipe_sent();
	wait_sent(1, 101000);
	deliver(c, &nb);
	struct srv other = GOOD(DHCP6_REPLY);
	other.prefix = "2001:db8:100:3400::";
	deliver(c, &other);
	assert_string_equal(w.events[w.n_events - 1], "changed");
	assert_int_equal(w.last_now.n_prefixes, 2);
	assert_addr(&w.last_now.prefixes[0].prefix, "2001:db8:100:3400::");
	assert_int_equal(w.last_now.prefixes[1].preferred_s, 0);
	assert_true(w.last_now.prefixes[1].valid_s > 0);
	pd_client_free(c);
}

/* NoPrefixAvail: Advertises ignored, Solicit goes on backing off; a
 * Request answered so starts a later Solicit round, never a crash. */
static void test_noprefixavail(void **state)
{
	(void)state;
	struct pd_client_conf cf = conf();
	struct pd_client *c = pd_client_new(fake_loop, &ops, &cf);
	pd_client_start(c);
	wait_sent(1, 1001);
	struct srv np = GOOD(DHCP6_ADVERTISE);
	np.prefix = NULL;
	np.msg_status = DHCP6_STATUS_NO_PREFIX_AVAIL;
	np.pref = 255;
	deliver(c, &np);
	assert_int_equal(pd_client_counters(c)->no_prefix_avail, 1);
	assert_int_equal(pd_client_counters(c)->drops[PD_DROP_NO_PREFIX], 1);
	wait_sent(3, 4000);
	assert_int_equal(w.sent[2].m.type, DHCP6_SOLICIT);
	/* an Advertise, then NoPrefixAvail in the Reply */
	struct srv adv = GOOD(DHCP6_ADVERTISE);
	adv.pref = 255;
	deliver(c, &adv);
	assert_int_equal(last_sent()->type, DHCP6_REQUEST);
	struct srv rp = GOOD(DHCP6_REPLY);
	rp.prefix = NULL;
	rp.ia_status = DHCP6_STATUS_NO_PREFIX_AVAIL;
	deliver(c, &rp);
	assert_int_equal(pd_client_state(c), PD_ST_SOLICIT);
	uint64_t at = fake_ms();
	size_t before = w.n_sent;
	wait_sent(before + 1, 3000);
	/* backed off: not the fresh start's 0..1 s */
	assert_true(fake_ms() - at >= 1800);
	assert_int_equal(last_sent()->type, DHCP6_SOLICIT);
	assert_int_equal(w.n_events, 0);
	pd_client_free(c);
}

/* A restart continues the lease from the file: Renew before T2, Rebind
 * after, Solicit (with the old prefix as hint) once it expired. */
static void test_restart(void **state)
{
	(void)state;
	struct pd_client *c = bound_client();
	run_for(50000);
	pd_client_free(c); /* release no: nothing sent */
	assert_int_equal(last_sent()->type, DHCP6_REQUEST);
	assert_string_equal(w.events[w.n_events - 1], "stopped");
	assert_int_equal(w.last_now.state, PD_NONE);
	assert_int_equal(w.last_now.n_prefixes, 1);

	static const struct { uint64_t later_s; uint8_t first; } cases[] = {
		{ 10, DHCP6_RENEW },       /* 60 s into the lease, before T1 */
		{ 70, DHCP6_RENEW },       /* 120 s: between T1 and T2 */
		{ 150, DHCP6_REBIND },     /* 200 s: past T2 */
		{ 300, DHCP6_SOLICIT },    /* 350 s: expired */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		w.wall_offset = cases[i].later_s;
		wipe_sent();
		w.n_events = 0;
		struct pd_client_conf cf = conf();
		c = pd_client_new(fake_loop, &ops, &cf);
		pd_client_start(c);
		if (cases[i].first == DHCP6_SOLICIT) {
			assert_int_equal(w.n_events, 0);
			wait_sent(1, 1001);
			assert_addr(&last_sent()->ia_pd[0].prefixes[0].prefix, "2001:db8:100:1200::");
		} else {
			assert_int_equal(w.n_events, 1);
			assert_string_equal(w.events[0], "bound");
			assert_addr(&w.last_now.prefixes[0].prefix, "2001:db8:100:1200::");
			/* 50 s went by before the stop, later_s after: the rest is left */
			assert_int_equal(w.last_now.prefixes[0].valid_s, 300 - 50 - cases[i].later_s);
			assert_int_equal(w.n_sent, 1); /* at once */
		}
		assert_int_equal(last_sent()->type, cases[i].first);
		assert_int_equal(last_sent()->ia_pd[0].iaid, w.sent[0].m.ia_pd[0].iaid);
		/* no Release: the file stays as the first run left it */
		pd_client_free(c);
	}
}

/* release yes: one Release to the server at stop, lease file emptied. */
static void test_release(void **state)
{
	(void)state;
	struct pd_client_conf cf = conf();
	cf.release = true;
	struct pd_client *c = pd_client_new(fake_loop, &ops, &cf);
	pd_client_start(c);
	wait_sent(1, 1001);
	struct srv adv = GOOD(DHCP6_ADVERTISE);
	adv.pref = 255;
	deliver(c, &adv);
	deliver(c, &GOOD(DHCP6_REPLY));
	pd_client_free(c);
	assert_int_equal(last_sent()->type, DHCP6_RELEASE);
	struct dhcp6_duid s1 = server_duid(1);
	assert_true(dhcp6_duid_equal(&last_sent()->server_id, &s1));
	assert_int_equal(last_sent()->n_oro, 0);
	int i = file_slot("lease-wan0", false);
	assert_true(i >= 0);
	assert_int_equal(w.file_len[i], 0);
}

/* Bad input is dropped and counted; nothing else changes. */
static void test_hostile(void **state)
{
	(void)state;
	struct pd_client *c = bound_client();
	wipe_sent();
	wait_sent(1, 101000); /* renewing: an exchange is open */
	struct pd_lease before = *pd_client_lease(c);
	struct srv s = GOOD(DHCP6_REPLY);
	s.xid_delta = 1;
	deliver(c, &s);
	s = GOOD(DHCP6_REPLY);
	s.foreign_client = true;
	deliver(c, &s);
	s = GOOD(DHCP6_REPLY);
	s.server = 3;
	deliver(c, &s);
	s = GOOD(DHCP6_REPLY);
	s.t1 = 200;
	s.t2 = 100; /* T1 > T2: the IA_PD is ignored */
	deliver(c, &s);
	s = GOOD(DHCP6_REPLY);
	s.plen = 40;
	deliver(c, &s);
	s.plen = 80;
	deliver(c, &s);
	s = GOOD(DHCP6_REPLY);
	s.valid = 0;
	s.preferred = 0;
	deliver(c, &s);
	s = GOOD(DHCP6_REPLY);
	s.preferred = 400; /* preferred > valid */
	deliver(c, &s);
	const struct pd_counters *k = pd_client_counters(c);
	assert_int_equal(k->drops[PD_DROP_WRONG_XID], 1);
	assert_int_equal(k->drops[PD_DROP_NO_CLIENT_ID], 1);
	assert_int_equal(k->drops[PD_DROP_WRONG_SERVER], 1);
	assert_int_equal(k->drops[PD_DROP_BAD_IA], 1);
	assert_int_equal(k->prefixes_refused, 0); /* counted as drops above, not taken */
	assert_int_equal(k->drops[PD_DROP_NO_PREFIX], 5);
	/* a Reconfigure flood: each a parse and a counter, no reply, no state */
	uint8_t rc[64];
	struct dhcp6_msg m;
	memset(&m, 0, sizeof(m));
	m.type = DHCP6_RECONFIGURE;
	m.client_id = last_sent()->client_id;
	m.server_id = server_duid(1);
	m.reconf_msg = DHCP6_RENEW;
	size_t n = dhcp6_build(&m, rc, sizeof(rc));
	struct in6_addr src = A("fe80::1");
	size_t sent = w.n_sent;
	for (int i = 0; i < 100000; i++)
		pd_client_input(c, rc, n, &src);
	assert_int_equal(k->drops[PD_DROP_RECONFIGURE], 100000);
	assert_int_equal(w.n_sent, sent);
	/* garbage */
	uint8_t junk[] = { DHCP6_REPLY, 0, 0, 1, 0, 25, 0xff, 0xff };
	pd_client_input(c, junk, sizeof(junk), &src);
	assert_int_equal(k->parse[DHCP6_ERR_OPT_OVERRUN], 1);
	assert_int_equal(k->drops[PD_DROP_PARSE], 1);
	/* a client's own message looped back */
	pd_client_input(c, junk, 4, &src);
	junk[0] = DHCP6_SOLICIT;
	pd_client_input(c, junk, 4, &src);
	assert_int_equal(k->drops[PD_DROP_NOT_FOR_CLIENT], 1);
	assert_int_equal(pd_client_state(c), PD_ST_RENEW);
	assert_memory_equal(&before.prefixes[0], &pd_client_lease(c)->prefixes[0],
	                    sizeof(before.prefixes[0]));
	/* the good Reply still works */
	deliver(c, &GOOD(DHCP6_REPLY));
	assert_int_equal(pd_client_state(c), PD_ST_BOUND);
	pd_client_free(c);
}

/* T1 = T2 = 0: the client picks 0.5 and 0.8 of the shortest preferred
 * lifetime; infinite lifetimes never renew. */
static void test_t1_t2_discretion(void **state)
{
	(void)state;
	struct pd_client_conf cf = conf();
	struct pd_client *c = pd_client_new(fake_loop, &ops, &cf);
	pd_client_start(c);
	wait_sent(1, 1001);
	struct srv adv = GOOD(DHCP6_ADVERTISE);
	adv.pref = 255;
	deliver(c, &adv);
	struct srv r = GOOD(DHCP6_REPLY);
	r.t1 = r.t2 = 0;
	r.preferred = 1000;
	r.valid = 2000;
	uint64_t at = fake_ms();
	deliver(c, &r);
	wipe_sent();
	wait_sent(1, 501000);
	assert_int_equal(last_sent()->type, DHCP6_RENEW);
	assert_int_equal(w.sent[0].at_ms - at, 500000);
	run_until(at + 800000);
	assert_int_equal(last_sent()->type, DHCP6_REBIND);
	/* infinite: bound for good, no timer */
	r.preferred = r.valid = 0xffffffff;
	deliver(c, &r);
	assert_int_equal(pd_client_state(c), PD_ST_BOUND);
	wipe_sent();
	run_for(10u * 86400u * 1000u);
	assert_int_equal(w.n_sent, 0);
	assert_int_equal(pd_client_state(c), PD_ST_BOUND);
	pd_client_free(c);
}

/* §18.2.12: back on the link after carrier loss, a bound client confirms
 * its lease with a Rebind at once; link down alone sends nothing. */
static void test_link_flap(void **state)
{
	(void)state;
	struct pd_client *c = bound_client();
	wipe_sent();
	pd_client_link(c, false);
	run_for(5000);
	assert_int_equal(w.n_sent, 0);
	pd_client_link(c, true);
	assert_int_equal(w.n_sent, 1);
	assert_int_equal(last_sent()->type, DHCP6_REBIND);
	assert_int_equal(last_sent()->server_id.len, 0);
	deliver(c, &GOOD(DHCP6_REPLY));
	assert_string_equal(w.events[w.n_events - 1], "renewed");
	assert_int_equal(pd_client_state(c), PD_ST_BOUND);
	pd_client_free(c);
}

static void test_lease_file(void **state)
{
	(void)state;
	struct pd_saved s, back;
	memset(&s, 0, sizeof(s));
	s.iaid = 77;
	s.server_id = server_duid(1);
	s.server = A("fe80::1");
	s.t1 = 100;
	s.t2 = 0xffffffff;
	s.wall = 1234;
	s.lease.n_prefixes = 1;
	s.lease.prefixes[0].prefix = A("2001:db8:1200::");
	s.lease.prefixes[0].plen = 56;
	s.lease.prefixes[0].preferred_s = 10;
	s.lease.prefixes[0].valid_s = 20;
	s.lease.n_dns = 1;
	s.lease.dns[0] = A("2001:db8::53");
	s.lease.n_domains = 1;
	strcpy(s.lease.domains[0], "lan");
	char buf[2048];
	size_t n = pd_saved_format(&s, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(pd_saved_parse(buf, n, &back), 0);
	assert_int_equal(back.iaid, 77);
	assert_int_equal(back.t2, 0xffffffff);
	assert_int_equal(back.wall, 1234);
	assert_true(dhcp6_duid_equal(&back.server_id, &s.server_id));
	assert_memory_equal(&back.lease.prefixes[0].prefix, &s.lease.prefixes[0].prefix, 16);
	assert_string_equal(back.lease.domains[0], "lan");
	/* damaged files are no lease */
	assert_int_equal(pd_saved_parse("", 0, &back), -1);
	assert_int_equal(pd_saved_parse("islandd-pd-lease 1\n", 19, &back), -1);
	assert_int_equal(pd_saved_parse(buf, n / 2, &back), -1);
	const char bad_plen[] = "islandd-pd-lease 1\nserver-duid 00:03:00:01:02:00:00:00:00:01\n"
	                        "prefix 2001:db8::/40 1 2\n";
	assert_int_equal(pd_saved_parse(bad_plen, sizeof(bad_plen) - 1, &back), -1);
	assert_int_equal(pd_saved_format(&s, buf, 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_solicit_schedule, setup),
		cmocka_unit_test_setup(test_lease_life, setup),
		cmocka_unit_test_setup(test_server_selection, setup),
		cmocka_unit_test_setup(test_nobinding, setup),
		cmocka_unit_test_setup(test_noprefixavail, setup),
		cmocka_unit_test_setup(test_restart, setup),
		cmocka_unit_test_setup(test_release, setup),
		cmocka_unit_test_setup(test_hostile, setup),
		cmocka_unit_test_setup(test_t1_t2_discretion, setup),
		cmocka_unit_test_setup(test_link_flap, setup),
		cmocka_unit_test_setup(test_lease_file, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
