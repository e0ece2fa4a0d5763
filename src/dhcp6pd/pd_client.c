/* The prefix-delegation client's state machine (RFC 8415 §15, §18.2). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6pd/pd.h"
#include "util/json.h"
#include "util/log.h"

#define PD_NEVER UINT64_MAX
#define PD_INFINITY 0xffffffffu
/* A lease whose shortest preferred lifetime is 0 would make T1 = 0: renew
 * at once, for ever. T1 is at least this (or half the valid lifetime). */
#define PD_MIN_T1_S 60u
#define PD_LEASE_FILE_MAX 2048

struct pd_client {
	struct loop *loop;
	struct pd_ops ops;
	struct pd_client_conf conf;
	enum pd_state state;
	bool started, link_up;
	struct dhcp6_duid duid;
	uint32_t iaid;

	/* the exchange in progress (Solicit, Request, Renew, Rebind) */
	uint32_t xid;
	uint64_t exch_start_ms;   /* first transmission, for Elapsed Time */
	uint32_t rt_ms;           /* the current retransmission timeout */
	uint32_t rc;              /* transmissions so far */
	bool collecting;          /* Solicit: still inside the first RT */
	struct loop_timer rt_timer;
	uint32_t sol_max_rt_ms;   /* SOL_MAX_RT, or what a server said (§21.24) */
	unsigned fail_streak;     /* failed Solicit/Request rounds in a row */

	/* the best Advertise so far, or the server a Request goes to */
	bool have_adv;
	uint8_t adv_pref;
	struct dhcp6_duid adv_server;
	struct in6_addr adv_src;
	size_t n_adv_prefixes;
	struct dhcp6_iaprefix adv_prefixes[PD_LEASE_MAX_PREFIXES];

	/* the lease */
	struct pd_lease lease;
	struct dhcp6_duid server_id;
	uint64_t t1_at, t2_at;    /* monotonic ms, PD_NEVER */
	struct loop_timer life_timer;
	/* the last prefix held, hinted in the next Solicit (same prefix back) */
	bool have_last;
	struct in6_addr last_prefix;
	uint8_t last_plen;

	struct pd_counters cnt;
	char lease_file[IF_NAMESIZE + 8];
};

static void on_rt(void *ctx);
static void on_life(void *ctx);
static void begin_solicit(struct pd_client *c, bool first);

const char *pd_state_name(enum pd_state s)
{
	static const char *const names[] = { "idle", "soliciting", "requesting", "bound",
	                                     "renewing", "rebinding" };
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

const char *pd_drop_name(enum pd_drop d)
{
	static const char *const names[PD_DROP__MAX] = {
		[PD_DROP_PARSE] = "malformed",
		[PD_DROP_NOT_FOR_CLIENT] = "not_for_client",
		[PD_DROP_UNEXPECTED] = "unexpected",
		[PD_DROP_WRONG_XID] = "wrong_xid",
		[PD_DROP_NO_CLIENT_ID] = "wrong_client_id",
		[PD_DROP_NO_SERVER_ID] = "no_server_id",
		[PD_DROP_WRONG_SERVER] = "unknown_server_id",
		[PD_DROP_RECONFIGURE] = "reconfigure",
		[PD_DROP_NO_PREFIX] = "no_prefix",
		[PD_DROP_BAD_IA] = "bad_ia",
	};
	return (unsigned)d < PD_DROP__MAX ? names[d] : "?";
}

static uint64_t now_ms(const struct pd_client *c)
{
	return c->ops.now_ms(c->ops.ctx);
}

/* RAND of §15: uniform in [-0.1, 0.1], as thousandths. */
static int rand_permille(struct pd_client *c)
{
	return (int)(c->ops.random(c->ops.ctx) % 201u) - 100;
}

static uint32_t jitter(uint32_t base, int permille)
{
	int64_t v = (int64_t)base + (int64_t)base * permille / 1000;
	return v < 1 ? 1 : (uint32_t)v;
}

/* §15: RT = IRT + RAND*IRT; the first Solicit's RAND is strictly positive. */
static uint32_t rt_first(struct pd_client *c, uint32_t irt, bool solicit)
{
	int r = rand_permille(c);
	if (solicit && r <= 0)
		r = 1 + (int)(c->ops.random(c->ops.ctx) % 100u);
	return jitter(irt, r);
}

/* RT = 2*RTprev + RAND*RTprev; past MRT, RT = MRT + RAND*MRT. */
static uint32_t rt_next(struct pd_client *c, uint32_t prev, uint32_t mrt)
{
	int r = rand_permille(c);
	uint64_t rt = 2ull * prev + (uint64_t)((int64_t)prev * r / 1000);
	if (mrt && rt > mrt)
		return jitter(mrt, r);
	return rt > UINT32_MAX ? UINT32_MAX : (uint32_t)rt;
}

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* ---- the lease ---- */

static bool prefix_equal(const struct pd_prefix *a, const struct pd_prefix *b)
{
	return a->plen == b->plen && !memcmp(&a->prefix, &b->prefix, sizeof(a->prefix));
}

static bool same_prefixes(const struct pd_lease *a, const struct pd_lease *b)
{
	if (a->n_prefixes != b->n_prefixes)
		return false;
	for (size_t i = 0; i < a->n_prefixes; i++) {
		bool found = false;
		for (size_t j = 0; j < b->n_prefixes && !found; j++)
			found = prefix_equal(&a->prefixes[i], &b->prefixes[j]);
		if (!found)
			return false;
	}
	return true;
}

/* Seconds of a lifetime left at now (PD_INFINITY stays). */
static uint32_t left_s(uint32_t life_s, uint64_t since_ms, uint64_t now)
{
	if (life_s == PD_INFINITY)
		return PD_INFINITY;
	uint64_t gone = now > since_ms ? (now - since_ms) / 1000u : 0;
	return gone >= life_s ? 0 : (uint32_t)(life_s - gone);
}

static uint64_t at_ms(uint64_t from, uint32_t s)
{
	return s == PD_INFINITY ? PD_NEVER : from + (uint64_t)s * 1000u;
}

static void emit(struct pd_client *c, const struct pd_lease *before, const char *event)
{
	if (c->ops.lease_changed)
		c->ops.lease_changed(c->ops.lease_ctx, &c->lease, before, event);
}

static void save_lease(struct pd_client *c)
{
	if (!c->ops.save)
		return;
	char buf[PD_LEASE_FILE_MAX];
	size_t n = 0;
	if (c->lease.n_prefixes) {
		uint64_t now = now_ms(c);
		struct pd_saved s = { .iaid = c->iaid, .server_id = c->server_id,
		                      .server = c->lease.server, .lease = c->lease,
		                      .wall = c->ops.wall_s(c->ops.ctx) };
		s.t1 = c->t1_at == PD_NEVER ? PD_INFINITY
		       : c->t1_at > now ? (uint32_t)((c->t1_at - now) / 1000u) : 0;
		s.t2 = c->t2_at == PD_NEVER ? PD_INFINITY
		       : c->t2_at > now ? (uint32_t)((c->t2_at - now) / 1000u) : 0;
		for (size_t i = 0; i < s.lease.n_prefixes; i++) {
			struct pd_prefix *p = &s.lease.prefixes[i];
			p->preferred_s = left_s(p->preferred_s, p->acquired_ms, now);
			p->valid_s = left_s(p->valid_s, p->acquired_ms, now);
		}
		n = pd_saved_format(&s, buf, sizeof(buf));
		if (!n) {
			c->cnt.save_errors++;
			return;
		}
	}
	if (c->ops.save(c->ops.ctx, c->lease_file, buf, n) < 0)
		c->cnt.save_errors++;
}

/* The earliest time the lease needs attention: T1 (bound), T2 (bound or
 * renewing), a prefix's end. */
static void arm_life(struct pd_client *c)
{
	uint64_t next = PD_NEVER;
	if (c->state == PD_ST_BOUND && c->t1_at < next)
		next = c->t1_at;
	if ((c->state == PD_ST_BOUND || c->state == PD_ST_RENEW) && c->t2_at < next)
		next = c->t2_at;
	for (size_t i = 0; i < c->lease.n_prefixes; i++) {
		const struct pd_prefix *p = &c->lease.prefixes[i];
		uint64_t end = at_ms(p->acquired_ms, p->valid_s);
		if (end < next)
			next = end;
	}
	if (next == PD_NEVER)
		loop_timer_cancel(c->loop, &c->life_timer);
	else
		loop_timer_at(c->loop, &c->life_timer, next, on_life, c);
}

/* ---- sending ---- */

static void transmit(struct pd_client *c, uint8_t type)
{
	uint64_t now = now_ms(c);
	if (c->rc == 0)
		c->exch_start_ms = now;
	uint64_t el = (now - c->exch_start_ms) / 10u; /* hundredths, §21.9 */
	struct dhcp6_iaprefix px[PD_LEASE_MAX_PREFIXES];
	memset(px, 0, sizeof(px));
	size_t n_px = 0;
	const struct dhcp6_duid *server = NULL;
	if (type == DHCP6_SOLICIT) {
		if (c->conf.has_hint) {
			px[0].prefix = c->conf.hint;
			px[0].plen = c->conf.hint_plen;
			n_px = 1;
		}
		if (c->have_last && (!c->conf.has_hint || IN6_IS_ADDR_UNSPECIFIED(&c->conf.hint))) {
			px[0].prefix = c->last_prefix;
			px[0].plen = c->last_plen;
			n_px = 1;
		}
	} else if (type == DHCP6_REQUEST) {
		server = &c->adv_server;
		for (; n_px < c->n_adv_prefixes; n_px++) {
			px[n_px].prefix = c->adv_prefixes[n_px].prefix;
			px[n_px].plen = c->adv_prefixes[n_px].plen;
		}
	} else {
		server = &c->server_id;
		for (; n_px < c->lease.n_prefixes; n_px++) {
			px[n_px].prefix = c->lease.prefixes[n_px].prefix;
			px[n_px].plen = c->lease.prefixes[n_px].plen;
		}
	}
	/* §21.21, §21.22: T1, T2 and lifetimes a client sends are 0 */
	struct dhcp6_client_req r = {
		.xid = c->xid, .client_id = &c->duid, .server_id = server,
		.elapsed_cs = el > 0xffff ? 0xffff : (uint16_t)el, .iaid = c->iaid,
		.n_prefixes = n_px, .prefixes = px,
	};
	uint8_t buf[DHCP6_MSG_MAX];
	size_t len = 0;
	switch (type) {
	case DHCP6_SOLICIT: len = dhcp6_build_solicit(&r, buf, sizeof(buf)); break;
	case DHCP6_REQUEST: len = dhcp6_build_request(&r, buf, sizeof(buf)); break;
	case DHCP6_RENEW:   len = dhcp6_build_renew(&r, buf, sizeof(buf)); break;
	case DHCP6_REBIND:  len = dhcp6_build_rebind(&r, buf, sizeof(buf)); break;
	case DHCP6_RELEASE: len = dhcp6_build_release(&r, buf, sizeof(buf)); break;
	default: break;
	}
	c->rc++;
	if (!len) {
		log_err("dhcp6-pd %s: cannot build a %s", c->conf.ifname, dhcp6_type_name(type));
		c->cnt.tx_errors++;
		return;
	}
	if (c->ops.send(c->ops.ctx, c->conf.ifindex, buf, len) < 0) {
		c->cnt.tx_errors++;
		return;
	}
	c->cnt.tx++;
	c->cnt.sent[type]++;
}

static uint8_t state_msg(enum pd_state s)
{
	switch (s) {
	case PD_ST_SOLICIT: return DHCP6_SOLICIT;
	case PD_ST_REQUEST: return DHCP6_REQUEST;
	case PD_ST_RENEW:   return DHCP6_RENEW;
	case PD_ST_REBIND:  return DHCP6_REBIND;
	default:            return 0;
	}
}

/* A new exchange: new xid, first transmission now, RT from its IRT. */
static void begin_exchange(struct pd_client *c, enum pd_state st, uint32_t irt)
{
	c->state = st;
	c->xid = c->ops.random(c->ops.ctx) & 0xffffffu;
	c->rc = 0;
	c->rt_ms = rt_first(c, irt, false);
	transmit(c, state_msg(st));
	loop_timer_in(c->loop, &c->rt_timer, c->rt_ms, on_rt, c);
	if (st == PD_ST_RENEW || st == PD_ST_REBIND)
		c->lease.state = st == PD_ST_RENEW ? PD_RENEWING : PD_REBINDING;
	arm_life(c);
}

static void begin_request(struct pd_client *c)
{
	begin_exchange(c, PD_ST_REQUEST, PD_REQ_TIMEOUT_MS);
}

/* §18.2.1: the first Solicit waits a random time up to SOL_MAX_DELAY; after
 * failed rounds the wait grows (1 s, 2 s, 4 s ... up to SOL_MAX_RT), so a
 * server without prefixes is not asked at the rate of a fresh start. */
static void begin_solicit(struct pd_client *c, bool first)
{
	c->state = PD_ST_SOLICIT;
	c->have_adv = false;
	c->collecting = true;
	c->xid = c->ops.random(c->ops.ctx) & 0xffffffu;
	c->rc = 0;
	c->rt_ms = 0;
	uint64_t delay = c->ops.random(c->ops.ctx) % (PD_SOL_MAX_DELAY_MS + 1u);
	if (!first && c->fail_streak) {
		unsigned shift = c->fail_streak > 12 ? 12 : c->fail_streak;
		uint64_t back = (uint64_t)PD_SOL_TIMEOUT_MS << shift;
		delay = jitter((uint32_t)(back < c->sol_max_rt_ms ? back : c->sol_max_rt_ms),
		               rand_permille(c));
	}
	loop_timer_in(c->loop, &c->rt_timer, delay, on_rt, c);
	arm_life(c);
}

static void on_rt(void *ctx)
{
	struct pd_client *c = ctx;
	switch (c->state) {
	case PD_ST_SOLICIT:
		if (c->rc == 0) {
			c->rt_ms = rt_first(c, PD_SOL_TIMEOUT_MS, true);
			transmit(c, DHCP6_SOLICIT);
			break;
		}
		c->collecting = false;
		if (c->have_adv) {
			begin_request(c);
			return;
		}
		c->rt_ms = rt_next(c, c->rt_ms, c->sol_max_rt_ms);
		transmit(c, DHCP6_SOLICIT);
		break;
	case PD_ST_REQUEST:
		if (c->rc >= PD_REQ_MAX_RC) {
			/* the server went quiet: look for one again */
			c->fail_streak++;
			if (c->lease.n_prefixes)
				begin_exchange(c, PD_ST_REBIND, PD_REB_TIMEOUT_MS);
			else
				begin_solicit(c, false);
			return;
		}
		c->rt_ms = rt_next(c, c->rt_ms, PD_REQ_MAX_RT_MS);
		transmit(c, DHCP6_REQUEST);
		break;
	case PD_ST_RENEW:
		/* MRD is T2: on_life turns this into a Rebind then */
		c->rt_ms = rt_next(c, c->rt_ms, PD_REN_MAX_RT_MS);
		transmit(c, DHCP6_RENEW);
		break;
	case PD_ST_REBIND:
		/* MRD is the end of the last valid lifetime: on_life */
		c->rt_ms = rt_next(c, c->rt_ms, PD_REB_MAX_RT_MS);
		transmit(c, DHCP6_REBIND);
		break;
	default:
		return;
	}
	loop_timer_in(c->loop, &c->rt_timer, c->rt_ms, on_rt, c);
}

/* Prefixes whose valid lifetime ended go; none left is the lease's end. */
static void on_life(void *ctx)
{
	struct pd_client *c = ctx;
	uint64_t now = now_ms(c);
	struct pd_lease before = c->lease;
	size_t k = 0;
	for (size_t i = 0; i < c->lease.n_prefixes; i++) {
		const struct pd_prefix *p = &c->lease.prefixes[i];
		if (at_ms(p->acquired_ms, p->valid_s) > now)
			c->lease.prefixes[k++] = *p;
	}
	c->lease.n_prefixes = k;
	if (k == 0 && before.n_prefixes) {
		c->have_last = true;
		c->last_prefix = before.prefixes[0].prefix;
		c->last_plen = before.prefixes[0].plen;
		c->lease.state = PD_EXPIRED;
		c->cnt.expired++;
		log_info("dhcp6-pd %s: lease expired", c->conf.ifname);
		emit(c, &before, "expired");
		memset(&c->lease, 0, sizeof(c->lease));
		c->lease.upstream_ifindex = c->conf.ifindex;
		memset(&c->server_id, 0, sizeof(c->server_id));
		save_lease(c);
		loop_timer_cancel(c->loop, &c->rt_timer);
		begin_solicit(c, true);
		return;
	}
	if (k != before.n_prefixes) {
		c->cnt.changed++;
		emit(c, &before, "changed");
		save_lease(c);
	}
	if ((c->state == PD_ST_BOUND || c->state == PD_ST_RENEW) && now >= c->t2_at) {
		begin_exchange(c, PD_ST_REBIND, PD_REB_TIMEOUT_MS);
		return;
	}
	if (c->state == PD_ST_BOUND && now >= c->t1_at) {
		memcpy(&c->adv_server, &c->server_id, sizeof(c->server_id));
		begin_exchange(c, PD_ST_RENEW, PD_REN_TIMEOUT_MS);
		return;
	}
	arm_life(c);
}

/* ---- receiving ---- */

static void drop(struct pd_client *c, enum pd_drop why)
{
	c->cnt.drops[why]++;
}

static struct dhcp6_ia_pd *our_ia(struct pd_client *c, struct dhcp6_msg *m)
{
	for (size_t i = 0; i < m->n_ia_pd; i++)
		if (m->ia_pd[i].iaid == c->iaid)
			return &m->ia_pd[i];
	return NULL;
}

/* A prefix this client can use: /48../64, valid > 0, preferred <= valid
 * (§21.22: discard otherwise). */
static bool prefix_ok(const struct dhcp6_iaprefix *p)
{
	return p->plen >= PD_MIN_PLEN && p->plen <= PD_MAX_PLEN && p->valid > 0 &&
	       p->preferred <= p->valid && !(p->status.present && p->status.code);
}

static bool usable(struct pd_client *c, const struct dhcp6_iaprefix *p)
{
	bool ok = prefix_ok(p);
	if (!ok)
		c->cnt.prefixes_refused++;
	return ok;
}

static uint16_t ia_status(const struct dhcp6_msg *m, const struct dhcp6_ia_pd *ia)
{
	if (ia && ia->status.present)
		return ia->status.code;
	return m->status.present ? m->status.code : DHCP6_STATUS_SUCCESS;
}

static void on_advertise(struct pd_client *c, struct dhcp6_msg *m, const struct in6_addr *src)
{
	if (m->has_sol_max_rt && m->sol_max_rt >= 60 && m->sol_max_rt <= 86400)
		c->sol_max_rt_ms = m->sol_max_rt * 1000u; /* §21.24 */
	struct dhcp6_ia_pd *ia = our_ia(c, m);
	if (ia_status(m, ia) == DHCP6_STATUS_NO_PREFIX_AVAIL)
		c->cnt.no_prefix_avail++;
	size_t n = 0;
	struct dhcp6_iaprefix px[PD_LEASE_MAX_PREFIXES];
	for (size_t i = 0; ia && i < ia->n_prefixes && n < PD_LEASE_MAX_PREFIXES; i++)
		if (usable(c, &ia->prefixes[i]))
			px[n++] = ia->prefixes[i];
	if (!n || ia_status(m, ia) != DHCP6_STATUS_SUCCESS) {
		/* §18.2.9: an Advertise without prefixes is ignored; keep looking */
		drop(c, PD_DROP_NO_PREFIX);
		return;
	}
	uint8_t pref = m->has_preference ? m->preference : 0;
	if (!c->have_adv || pref > c->adv_pref) {
		c->have_adv = true;
		c->adv_pref = pref;
		c->adv_server = m->server_id;
		c->adv_src = *src;
		c->n_adv_prefixes = n;
		memcpy(c->adv_prefixes, px, n * sizeof(px[0]));
	}
	/* 255: at once; past the first RT: the first valid one will do */
	if (pref == 255 || !c->collecting)
		begin_request(c);
}

/* Take the Reply's prefixes as the lease. Prefixes held before and not in
 * the Reply stay until their valid lifetime ends, deprecated (preferred 0):
 * the downstream moves to the new ones at once (RFC 9096). */
static void take_lease(struct pd_client *c, struct dhcp6_msg *m, struct dhcp6_ia_pd *ia,
                 const struct in6_addr *src)
{
	uint64_t now = now_ms(c);
	struct pd_lease before = c->lease, next;
	memset(&next, 0, sizeof(next));
	next.upstream_ifindex = c->conf.ifindex;
	next.state = PD_BOUND;
	next.server = *src;
	uint32_t min_pref = PD_INFINITY, min_valid = PD_INFINITY;
	for (size_t i = 0; i < ia->n_prefixes && next.n_prefixes < PD_LEASE_MAX_PREFIXES; i++) {
		const struct dhcp6_iaprefix *p = &ia->prefixes[i];
		if (!usable(c, p))
			continue;
		struct pd_prefix *q = &next.prefixes[next.n_prefixes++];
		q->prefix = p->prefix;
		q->plen = p->plen;
		q->preferred_s = p->preferred;
		q->valid_s = p->valid;
		q->acquired_ms = now;
		if (p->preferred < min_pref)
			min_pref = p->preferred;
		if (p->valid < min_valid)
			min_valid = p->valid;
	}
	for (size_t i = 0; i < before.n_prefixes && next.n_prefixes < PD_LEASE_MAX_PREFIXES; i++) {
		const struct pd_prefix *old = &before.prefixes[i];
		bool kept = false;
		for (size_t j = 0; j < next.n_prefixes && !kept; j++)
			kept = prefix_equal(old, &next.prefixes[j]);
		uint32_t v = left_s(old->valid_s, old->acquired_ms, now);
		if (kept || v == 0)
			continue;
		struct pd_prefix *q = &next.prefixes[next.n_prefixes++];
		*q = *old;
		q->preferred_s = 0;
		q->valid_s = v;
		q->acquired_ms = now;
	}
	for (size_t i = 0; i < m->n_dns && next.n_dns < PD_LEASE_MAX_DNS; i++)
		next.dns[next.n_dns++] = m->dns[i];
	for (size_t i = 0; i < m->n_domains && next.n_domains < PD_LEASE_MAX_DOMAINS; i++)
		snprintf(next.domains[next.n_domains++], PD_LEASE_DOMAIN_LEN, "%s", m->domains[i]);

	/* §21.21 and the brief's server discretion: 0 = 0.5 / 0.8 of the
	 * shortest preferred lifetime */
	uint32_t t1 = ia->t1, t2 = ia->t2;
	if (t1 == 0)
		t1 = min_pref == PD_INFINITY ? PD_INFINITY : min_pref / 2;
	if (t2 == 0)
		t2 = min_pref == PD_INFINITY ? PD_INFINITY : (uint32_t)((uint64_t)min_pref * 8 / 10);
	if (ia->t1 == 0) {
		uint32_t floor = min_valid / 2 < PD_MIN_T1_S ? min_valid / 2 : PD_MIN_T1_S;
		if (t1 < floor)
			t1 = floor;
	}
	if (t2 < t1)
		t2 = t1;

	c->lease = next;
	c->server_id = m->server_id;
	c->t1_at = at_ms(now, t1);
	c->t2_at = at_ms(now, t2);
	c->state = PD_ST_BOUND;
	c->fail_streak = 0;
	loop_timer_cancel(c->loop, &c->rt_timer);
	const char *event;
	if (!before.n_prefixes) {
		event = "bound";
		c->cnt.bound++;
	} else if (same_prefixes(&before, &c->lease)) {
		event = "renewed";
		c->cnt.renewed++;
	} else {
		event = "changed";
		c->cnt.changed++;
	}
	char a[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, &c->lease.prefixes[0].prefix, a, sizeof(a));
	log_info("dhcp6-pd %s: %s %s/%u (preferred %u s, valid %u s, T1 %u s, T2 %u s)",
	         c->conf.ifname, event, a, c->lease.prefixes[0].plen, c->lease.prefixes[0].preferred_s,
	         c->lease.prefixes[0].valid_s, t1, t2);
	save_lease(c);
	emit(c, &before, event);
	arm_life(c);
}

static void on_reply(struct pd_client *c, struct dhcp6_msg *m, const struct in6_addr *src)
{
	/* a Reply to Request or Renew comes from the server asked; to a Rebind,
	 * from any server */
	const struct dhcp6_duid *asked = c->state == PD_ST_REQUEST ? &c->adv_server
	                                 : c->state == PD_ST_RENEW ? &c->server_id : NULL;
	if (asked && !dhcp6_duid_equal(asked, &m->server_id)) {
		drop(c, PD_DROP_WRONG_SERVER);
		return;
	}
	struct dhcp6_ia_pd *ia = our_ia(c, m);
	if (ia && ia->t1 && ia->t2 && ia->t1 > ia->t2) {
		drop(c, PD_DROP_BAD_IA); /* §21.21: as if the IA_PD were not there */
		ia = NULL;
	}
	uint16_t st = ia_status(m, ia);
	if (st == DHCP6_STATUS_NO_BINDING && c->state != PD_ST_REQUEST) {
		/* §18.2.10.1: the server lost the binding: Request it again, from
		 * the server that answered */
		c->cnt.no_binding++;
		c->adv_server = m->server_id;
		c->adv_src = *src;
		c->n_adv_prefixes = 0;
		for (size_t i = 0; i < c->lease.n_prefixes; i++) {
			c->adv_prefixes[c->n_adv_prefixes].prefix = c->lease.prefixes[i].prefix;
			c->adv_prefixes[c->n_adv_prefixes++].plen = c->lease.prefixes[i].plen;
		}
		begin_request(c);
		return;
	}
	if (st == DHCP6_STATUS_NO_PREFIX_AVAIL)
		c->cnt.no_prefix_avail++;
	bool any = false;
	for (size_t i = 0; ia && st == DHCP6_STATUS_SUCCESS && i < ia->n_prefixes; i++)
		any |= prefix_ok(&ia->prefixes[i]);
	if (!any) {
		drop(c, PD_DROP_NO_PREFIX);
		if (c->state == PD_ST_REQUEST) {
			/* NoPrefixAvail (or nothing usable): keep looking, backing off */
			c->fail_streak++;
			if (c->lease.n_prefixes)
				begin_exchange(c, PD_ST_REBIND, PD_REB_TIMEOUT_MS);
			else
				begin_solicit(c, false);
		}
		/* Renew/Rebind: the lease stands until it ends; retransmission goes on */
		return;
	}
	take_lease(c, m, ia, src);
}

void pd_client_input(struct pd_client *c, const uint8_t *buf, size_t len,
                     const struct in6_addr *src)
{
	struct dhcp6_msg m;
	c->cnt.rx++;
	enum dhcp6_err e = dhcp6_parse(buf, len, &m);
	if (e) {
		c->cnt.parse[e]++;
		drop(c, PD_DROP_PARSE);
		return;
	}
	c->cnt.received[m.type]++;
	if (m.type == DHCP6_RECONFIGURE) {
		/* §18.2.11: no Reconfigure Accept was offered, so none is valid;
		 * the cost of a flood is this parse */
		drop(c, PD_DROP_RECONFIGURE);
		return;
	}
	if (m.type != DHCP6_ADVERTISE && m.type != DHCP6_REPLY) {
		drop(c, PD_DROP_NOT_FOR_CLIENT);
		return;
	}
	if (!c->started || m.xid != c->xid) {
		drop(c, PD_DROP_WRONG_XID);
		return;
	}
	if (!dhcp6_duid_equal(&m.client_id, &c->duid)) {
		drop(c, PD_DROP_NO_CLIENT_ID);
		return;
	}
	if (!m.server_id.len) {
		drop(c, PD_DROP_NO_SERVER_ID);
		return;
	}
	if (m.type == DHCP6_ADVERTISE && c->state == PD_ST_SOLICIT && c->rc > 0)
		on_advertise(c, &m, src);
	else if (m.type == DHCP6_REPLY && (c->state == PD_ST_REQUEST || c->state == PD_ST_RENEW ||
	                                   c->state == PD_ST_REBIND))
		on_reply(c, &m, src);
	else
		drop(c, PD_DROP_UNEXPECTED);
}

/* ---- life cycle ---- */

struct pd_client *pd_client_new(struct loop *loop, const struct pd_ops *ops,
                                const struct pd_client_conf *conf)
{
	struct pd_client *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->loop = loop;
	c->ops = *ops;
	c->conf = *conf;
	c->iaid = fnv1a(conf->ifname);
	c->sol_max_rt_ms = PD_SOL_MAX_RT_MS;
	c->lease.upstream_ifindex = conf->ifindex;
	c->t1_at = c->t2_at = PD_NEVER;
	snprintf(c->lease_file, sizeof(c->lease_file), "lease-%s", conf->ifname);
	return c;
}

/* The DUID from the state directory, or a new one kept there: DUID-LL of
 * the upstream's MAC; a link without one (WireGuard, tun) gets a DUID-UUID
 * (RFC 6355) of random bits. */
static void load_duid(struct pd_client *c)
{
	char buf[3 * DHCP6_DUID_MAX + 2];
	int n = c->ops.load ? c->ops.load(c->ops.ctx, "duid", buf, sizeof(buf) - 1) : -1;
	if (n > 0) {
		buf[n] = 0;
		if (dhcp6_duid_parse_text(buf, &c->duid) == 0)
			return;
		log_warn("dhcp6-pd %s: the duid file is not a DUID; making a new one", c->conf.ifname);
	}
	if (c->conf.has_mac) {
		dhcp6_duid_ll(&c->duid, c->conf.mac);
	} else {
		memset(&c->duid, 0, sizeof(c->duid));
		c->duid.bytes[1] = 4;
		for (int i = 0; i < 16; i++)
			c->duid.bytes[2 + i] = (uint8_t)c->ops.random(c->ops.ctx);
		c->duid.len = 18;
	}
	dhcp6_duid_format(&c->duid, buf, sizeof(buf) - 1);
	size_t len = strlen(buf);
	buf[len++] = '\n';
	if (!c->ops.save || c->ops.save(c->ops.ctx, "duid", buf, len) < 0)
		c->cnt.save_errors++;
}

/* The saved lease, aged by the wall clock: 1 when some prefix is left. */
static bool load_lease(struct pd_client *c)
{
	char buf[PD_LEASE_FILE_MAX];
	struct pd_saved s;
	int n = c->ops.load ? c->ops.load(c->ops.ctx, c->lease_file, buf, sizeof(buf)) : -1;
	if (n <= 0 || pd_saved_parse(buf, (size_t)n, &s) < 0)
		return false;
	uint64_t wall = c->ops.wall_s(c->ops.ctx), now = now_ms(c);
	uint64_t gone = wall > s.wall ? wall - s.wall : 0;
	c->iaid = s.iaid;
	struct pd_lease *l = &c->lease;
	*l = s.lease;
	l->upstream_ifindex = c->conf.ifindex;
	l->server = s.server;
	size_t k = 0;
	for (size_t i = 0; i < s.lease.n_prefixes; i++) {
		struct pd_prefix p = s.lease.prefixes[i];
		if (p.valid_s != PD_INFINITY && p.valid_s <= gone)
			continue;
		if (p.valid_s != PD_INFINITY)
			p.valid_s -= (uint32_t)gone;
		if (p.preferred_s != PD_INFINITY)
			p.preferred_s = p.preferred_s > gone ? p.preferred_s - (uint32_t)gone : 0;
		p.acquired_ms = now;
		l->prefixes[k++] = p;
	}
	l->n_prefixes = k;
	if (!k) {
		c->have_last = true;
		c->last_prefix = s.lease.prefixes[0].prefix;
		c->last_plen = s.lease.prefixes[0].plen;
		memset(l, 0, sizeof(*l));
		l->upstream_ifindex = c->conf.ifindex;
		return false;
	}
	c->server_id = s.server_id;
	c->t1_at = s.t1 == PD_INFINITY ? PD_NEVER : s.t1 > gone ? now + (s.t1 - gone) * 1000u : now;
	c->t2_at = s.t2 == PD_INFINITY ? PD_NEVER : s.t2 > gone ? now + (s.t2 - gone) * 1000u : now;
	l->state = PD_BOUND;
	return true;
}

void pd_client_start(struct pd_client *c)
{
	if (c->started)
		return;
	c->started = true;
	c->link_up = true;
	load_duid(c);
	if (load_lease(c)) {
		/* a restart continues the lease: Renew before T2, Rebind after */
		uint64_t now = now_ms(c);
		log_info("dhcp6-pd %s: continuing the saved lease (%zu prefixes)", c->conf.ifname,
		         c->lease.n_prefixes);
		c->cnt.bound++;
		struct pd_lease none;
		memset(&none, 0, sizeof(none));
		none.upstream_ifindex = c->conf.ifindex;
		emit(c, &none, "bound");
		if (now >= c->t2_at)
			begin_exchange(c, PD_ST_REBIND, PD_REB_TIMEOUT_MS);
		else
			begin_exchange(c, PD_ST_RENEW, PD_REN_TIMEOUT_MS);
		return;
	}
	begin_solicit(c, true);
}

void pd_client_link(struct pd_client *c, bool up)
{
	if (!c->started || up == c->link_up)
		return;
	c->link_up = up;
	if (!up)
		return;
	/* §18.2.12: back on a link that may have changed, confirm with a Rebind */
	if (c->lease.n_prefixes)
		begin_exchange(c, PD_ST_REBIND, PD_REB_TIMEOUT_MS);
	else if (c->state == PD_ST_SOLICIT)
		begin_solicit(c, true);
}

void pd_client_set_options(struct pd_client *c, bool has_hint, const struct in6_addr *hint,
                           uint8_t hint_plen, bool release)
{
	c->conf.has_hint = has_hint;
	c->conf.hint = *hint;
	c->conf.hint_plen = hint_plen;
	c->conf.release = release;
}

void pd_client_free(struct pd_client *c)
{
	if (!c)
		return;
	loop_timer_cancel(c->loop, &c->rt_timer);
	loop_timer_cancel(c->loop, &c->life_timer);
	if (c->started && c->lease.n_prefixes) {
		struct pd_lease before = c->lease;
		if (c->conf.release && c->server_id.len) {
			/* one Release, not retransmitted: the daemon is leaving */
			c->xid = c->ops.random(c->ops.ctx) & 0xffffffu;
			c->rc = 0;
			transmit(c, DHCP6_RELEASE);
			memset(&c->lease.prefixes, 0, sizeof(c->lease.prefixes));
			c->lease.n_prefixes = 0;
			save_lease(c);
		}
		c->lease.state = PD_NONE;
		emit(c, &before, "stopped");
	}
	free(c);
}

const struct pd_lease *pd_client_lease(const struct pd_client *c)
{
	return &c->lease;
}

const struct pd_counters *pd_client_counters(const struct pd_client *c)
{
	return &c->cnt;
}

enum pd_state pd_client_state(const struct pd_client *c)
{
	return c->state;
}

int pd_client_ifindex(const struct pd_client *c)
{
	return c->conf.ifindex;
}

/* ---- islandctl pd ---- */

static void json_left(struct json *j, const char *key, uint64_t at, uint64_t now)
{
	if (at == PD_NEVER)
		json_knull(j, key);
	else
		json_ku64(j, key, at > now ? (at - now) / 1000u : 0);
}

void pd_client_dump(const struct pd_client *c, struct json *j)
{
	char a[INET6_ADDRSTRLEN + 8], d[3 * DHCP6_DUID_MAX];
	uint64_t now = c->ops.now_ms(c->ops.ctx);
	json_obj(j);
	json_kstr(j, "upstream", c->conf.ifname);
	json_ku64(j, "ifindex", (uint64_t)c->conf.ifindex);
	json_kstr(j, "state", pd_state_name(c->state));
	dhcp6_duid_format(&c->duid, d, sizeof(d));
	json_kstr(j, "client_duid", d);
	json_ku64(j, "iaid", c->iaid);
	if (c->lease.n_prefixes) {
		dhcp6_duid_format(&c->server_id, d, sizeof(d));
		json_kstr(j, "server_duid", d);
		inet_ntop(AF_INET6, &c->lease.server, a, sizeof(a));
		json_kstr(j, "server", a);
		json_left(j, "t1_in_s", c->state == PD_ST_BOUND ? c->t1_at : now, now);
		json_left(j, "t2_in_s", c->state == PD_ST_BOUND || c->state == PD_ST_RENEW ? c->t2_at : now, now);
	} else {
		json_knull(j, "server_duid");
		json_knull(j, "server");
		json_knull(j, "t1_in_s");
		json_knull(j, "t2_in_s");
	}
	json_karr(j, "prefixes");
	for (size_t i = 0; i < c->lease.n_prefixes; i++) {
		const struct pd_prefix *p = &c->lease.prefixes[i];
		inet_ntop(AF_INET6, &p->prefix, a, INET6_ADDRSTRLEN);
		snprintf(a + strlen(a), 8, "/%u", p->plen);
		json_obj(j);
		json_kstr(j, "prefix", a);
		/* remaining seconds; 4294967295 = infinity, as in `islandctl ra` */
		json_ku64(j, "preferred_s", left_s(p->preferred_s, p->acquired_ms, now));
		json_ku64(j, "valid_s", left_s(p->valid_s, p->acquired_ms, now));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_karr(j, "dns");
	for (size_t i = 0; i < c->lease.n_dns; i++) {
		inet_ntop(AF_INET6, &c->lease.dns[i], a, sizeof(a));
		json_str(j, a);
	}
	json_arr_end(j);
	json_karr(j, "domains");
	for (size_t i = 0; i < c->lease.n_domains; i++)
		json_str(j, c->lease.domains[i]);
	json_arr_end(j);
	const struct pd_counters *k = &c->cnt;
	json_kobj(j, "counters");
	json_ku64(j, "rx", k->rx);
	json_ku64(j, "tx", k->tx);
	json_ku64(j, "tx_errors", k->tx_errors);
	for (uint8_t t = 1; t <= DHCP6_RELAY_REPL; t++) {
		char key[40];
		snprintf(key, sizeof(key), "sent_%s", dhcp6_type_name(t));
		for (char *p = key; *p; p++)
			*p = *p == '-' ? '_' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (k->sent[t])
			json_ku64(j, key, k->sent[t]);
		snprintf(key, sizeof(key), "received_%s", dhcp6_type_name(t));
		for (char *p = key; *p; p++)
			*p = *p == '-' ? '_' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		if (k->received[t])
			json_ku64(j, key, k->received[t]);
	}
	json_ku64(j, "bound", k->bound);
	json_ku64(j, "renewed", k->renewed);
	json_ku64(j, "changed", k->changed);
	json_ku64(j, "expired", k->expired);
	json_ku64(j, "no_binding", k->no_binding);
	json_ku64(j, "no_prefix_avail", k->no_prefix_avail);
	json_ku64(j, "prefixes_refused", k->prefixes_refused);
	json_ku64(j, "save_errors", k->save_errors);
	json_obj_end(j);
	json_kobj(j, "drops");
	for (int i = 0; i < PD_DROP__MAX; i++)
		json_ku64(j, pd_drop_name((enum pd_drop)i), k->drops[i]);
	json_obj_end(j);
	json_kobj(j, "malformed");
	for (int i = 1; i < DHCP6_ERR__MAX; i++)
		json_ku64(j, dhcp6_err_name((enum dhcp6_err)i), k->parse[i]);
	json_obj_end(j);
	json_obj_end(j);
}
