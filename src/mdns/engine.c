/* The reflector's receive path: validate (RFC 6762), recognise echoes,
 * filter records per link and direction, rebuild and send one copy per
 * other link; legacy unicast queries go out under a mapped ID and their
 * answers come back to the asker only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "mdns/engine_int.h"
#include "util/prefault.h"
#include "util/random.h"

static const char *const drop_names[MDNS_DROP__MAX] = {
	[MDNS_DROP_IFACE] = "iface",
	[MDNS_DROP_FAMILY] = "family",
	[MDNS_DROP_TOO_BIG] = "too_big",
	[MDNS_DROP_MALFORMED] = "malformed",
	[MDNS_DROP_OPCODE] = "opcode",
	[MDNS_DROP_RCODE] = "rcode",
	[MDNS_DROP_RESPONSE_PORT] = "response_port",
	[MDNS_DROP_UNICAST] = "unicast",
	[MDNS_DROP_OFFLINK] = "offlink",
	[MDNS_DROP_HOP_LIMIT] = "hop_limit",
	[MDNS_DROP_OWN] = "own",
	[MDNS_DROP_ECHO] = "echo",
	[MDNS_DROP_FILTERED] = "filtered",
	[MDNS_DROP_NO_DEST] = "no_destination",
	[MDNS_DROP_RATE_LIMITED] = "rate_limited",
	[MDNS_DROP_SEND_FAILED] = "send_failed",
	[MDNS_DROP_LEGACY_UNMATCHED] = "legacy_unmatched",
	[MDNS_DROP_LEGACY_FULL] = "legacy_full",
};

const char *mdns_drop_name(enum mdns_drop reason)
{
	if ((unsigned)reason >= MDNS_DROP__MAX)
		return "unknown";
	return drop_names[reason];
}

uint64_t mdns_engine_random(struct mdns_engine *e)
{
	return rng_next(&e->rng); /* IDs need to be unguessable off-link only */
}

/* ---- configuration ---- */

static void ifaces_free_filters(struct mdns_iface *ifs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ifs[i].derived)
			continue; /* its template's filters */
		mdns_filter_free(&ifs[i].in);
		mdns_filter_free(&ifs[i].out);
	}
}

static int apply_conf(struct mdns_engine *e, const struct conf_mdns *conf)
{
	struct mdns_iface fresh[MDNS_MAX_IFACES];
	size_t n = conf->n_ifaces;
	int r = 0;

	if (n > MDNS_MAX_IFACES)
		return -EINVAL;
	memset(fresh, 0, sizeof(fresh));
	for (size_t k = 0; k < n; k++) {
		const struct conf_mdns_iface *ci = &conf->ifaces[k];
		struct mdns_iface *i = &fresh[k];
		r = mdns_filter_compile(ci->in, ci->n_in, &i->in);
		if (r == 0)
			r = mdns_filter_compile(ci->out, ci->n_out, &i->out);
		if (r < 0) {
			ifaces_free_filters(fresh, k + 1);
			return r;
		}
		memcpy(i->name, ci->name, IF_NAMESIZE);
		i->name[IF_NAMESIZE - 1] = '\0';
		i->want4 = ci->ipv4;
		i->want6 = ci->ipv6;
		i->pattern = conf_iface_is_pattern(i->name);
		/* an interface listed before and after keeps its link state,
		 * memberships, rate bucket and counters */
		for (size_t o = 0; o < e->n_ifaces; o++) {
			struct mdns_iface *old = &e->ifaces[o];
			if (strcmp(old->name, i->name) != 0 || old->derived || i->pattern)
				continue;
			i->ifindex = old->ifindex;
			i->up = old->up;
			i->joined4 = old->joined4;
			i->joined6 = old->joined6;
			i->local_stack = old->local_stack;
			i->bucket = old->bucket;
			i->c = old->c;
			old->ifindex = -1;  /* taken over: do not leave its groups */
		}
	}
	for (size_t o = 0; o < e->n_ifaces; o++)
		if (e->ifaces[o].ifindex != -1)
			mdns_iface_leave(e, &e->ifaces[o]);
	ifaces_free_filters(e->ifaces, e->n_ifaces);
	memcpy(e->ifaces, fresh, sizeof(fresh));
	e->n_ifaces = n;
	/* The conf is not kept: the daemon may free it whatever we return. */
	e->rate_limit = conf->rate_limit;
	e->reflect_ula = conf->reflect_ula;
	e->reflect_private4 = conf->reflect_private4;
	/* indices into ifaces[] changed: drop legacy queries in flight */
	memset(e->legacy, 0, sizeof(e->legacy));
	/* a family switched off leaves its group */
	for (size_t k = 0; k < n; k++) {
		struct mdns_iface *i = &e->ifaces[k];
		if (i->joined4 && !i->want4 && e->ops.membership)
			e->ops.membership(e->ops.ctx, AF_INET, i->ifindex, false);
		if (i->joined6 && !i->want6 && e->ops.membership)
			e->ops.membership(e->ops.ctx, AF_INET6, i->ifindex, false);
		i->joined4 &= i->want4;
		i->joined6 &= i->want6;
	}
	mdns_iface_resolve_all(e);
	return 0;
}

struct mdns_engine *mdns_engine_new(const struct conf_mdns *conf,
                                    const struct mdns_engine_ops *ops, uint64_t seed)
{
	if (!conf || !ops || !ops->send || !ops->now_ms) {
		errno = EINVAL;
		return NULL;
	}
	struct mdns_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	mem_prefault(e, sizeof(*e)); /* its tables: resident from the start, not as they fill */
	e->ops = *ops;
	e->rng = rng_init(seed);
	mdns_recent_init(&e->recent, mdns_engine_random(e));
	int r = apply_conf(e, conf);
	if (r < 0) {
		free(e);
		errno = -r;
		return NULL;
	}
	return e;
}

int mdns_engine_reload(struct mdns_engine *e, const struct conf_mdns *conf)
{
	return apply_conf(e, conf);
}

void mdns_engine_free(struct mdns_engine *e)
{
	if (!e)
		return;
	for (size_t k = 0; k < e->n_ifaces; k++)
		mdns_iface_leave(e, &e->ifaces[k]);
	ifaces_free_filters(e->ifaces, e->n_ifaces);
	free(e);
}

const struct mdns_counters *mdns_engine_counters(const struct mdns_engine *e)
{
	return &e->c;
}

size_t mdns_engine_n_ifaces(const struct mdns_engine *e)
{
	return e->n_ifaces;
}

void mdns_engine_iface(const struct mdns_engine *e, size_t i, struct mdns_iface_view *out)
{
	const struct mdns_iface *f = &e->ifaces[i];
	out->name = f->name;
	out->ifindex = f->ifindex;
	out->up = f->up;
	out->joined4 = f->joined4;
	out->joined6 = f->joined6;
	out->local_stack = f->local_stack;
	out->c = &f->c;
}

/* ---- receive path ---- */

static void drop(struct mdns_engine *e, struct mdns_iface *in, enum mdns_drop reason)
{
	e->c.drops[reason]++;
	if (in)
		in->c.dropped++;
}

static uint32_t bit_of(const struct mdns_engine *e, const struct mdns_iface *i)
{
	return 1u << (i - e->ifaces);
}

static bool class_crosses(const struct mdns_engine *e, uint8_t cls)
{
	switch (cls) {
	case MDNS_ADDR_LINKLOCAL:
	case MDNS_ADDR_HOSTONLY:
		return false;
	case MDNS_ADDR_ULA:
		return e->reflect_ula;
	case MDNS_ADDR_PRIVATE4:
		return e->reflect_private4;
	default:
		return true;
	}
}

/* Classify every record, look the packet up in the echo memory (a query
 * as a whole, a response record by record: see recent.h), clear the bits
 * a reflected copy must not carry and apply the arrival link's filters.
 * Returns the number of fresh records. */
static unsigned prepare(struct mdns_engine *e, struct mdns_iface *in, uint64_t now)
{
	struct dns_msg *m = &e->msg;
	uint32_t in_bit = bit_of(e, in);
	unsigned fresh = 0;

	e->query = !(m->flags & DNS_FLAG_QR);
	for (unsigned i = 0; i < m->n_rr; i++) {
		struct dns_rr *rr = &m->rr[i];
		mdns_rr_classify(rr, &e->info[i]);
		e->sent[i] = 0;
		e->fresh[i] = true;
		e->seen[i] = 0;
		e->key[i] = mdns_recent_key(&e->recent, rr);
		if (!e->query && rr->section != DNS_SEC_QUESTION) {
			uint32_t arrived, sent;
			mdns_recent_lookup(&e->recent, e->key[i], now, &arrived, &sent);
			/* Arrived here before: a repeat from its own side (the
			 * second announcement) goes out again. New here but
			 * known elsewhere: a copy someone else reflected; the
			 * links that have it get nothing. */
			e->seen[i] = (arrived & in_bit) ? (arrived & ~in_bit) : (arrived | sent);
			if (sent & in_bit) {
				e->fresh[i] = false;
				e->c.echo_records++;
			} else {
				fresh++;
			}
		}
		e->base[i] = class_crosses(e, e->info[i].addr_class) &&
		             mdns_filter_allows(&in->in, &e->info[i]);
		if (rr->section == DNS_SEC_QUESTION) {
			/* QU questions go on as QM so the answers come back by
			 * multicast, where the reflector sees them (RFC 6762 §5.4). */
			if (rr->class & DNS_CLASS_TOP) {
				rr->class &= DNS_CLASS_MASK;
				e->c.qu_cleared++;
			}
		} else if (rr->class & DNS_CLASS_TOP) {
			/* A reflected record is not authoritative on the other
			 * link: with the cache-flush bit it would flush what that
			 * link's own hosts announce under the name (§10.2). */
			rr->class &= DNS_CLASS_MASK;
			e->c.flush_cleared++;
		}
	}
	if (e->query && m->n_rr > 0) {
		/* Probes two and three, a querier's repeat: the same key from
		 * the same link, news again. Another host's probe or query is
		 * another key, even for the same question. */
		uint32_t arrived, sent;
		e->msg_key = mdns_recent_msg_key(&e->recent, m, e->key, NULL);
		mdns_recent_lookup(&e->recent, e->msg_key, now, &arrived, &sent);
		uint32_t seen = (arrived & in_bit) ? (arrived & ~in_bit) : (arrived | sent);
		bool echo = (sent & in_bit) != 0;
		for (unsigned i = 0; i < m->n_rr; i++) {
			e->seen[i] = seen;
			e->fresh[i] = !echo;
		}
		if (echo)
			e->c.echo_records += m->n_rr;
		else
			fresh = m->n_rr;
	}
	return fresh;
}

static void remember(struct mdns_engine *e, struct mdns_iface *in, uint64_t now)
{
	uint32_t in_bit = bit_of(e, in);
	if (e->query) {
		uint32_t sent = 0;
		for (unsigned i = 0; i < e->msg.n_rr; i++)
			sent |= e->sent[i];
		if (e->msg.n_rr > 0 && e->fresh[0])
			mdns_recent_note(&e->recent, e->msg_key, in_bit, sent, now);
	} else {
		for (unsigned i = 0; i < e->msg.n_rr; i++)
			if (e->fresh[i] && e->msg.rr[i].section != DNS_SEC_QUESTION)
				mdns_recent_note(&e->recent, e->key[i], in_bit, e->sent[i], now);
	}
	e->c.recent_evictions = e->recent.evictions;
}

/* Is there anything worth sending in keep[]? */
static bool copy_has_content(const struct dns_msg *m, const bool *keep)
{
	unsigned q = 0, an = 0;
	for (unsigned i = 0; i < m->n_rr; i++) {
		if (!keep[i])
			continue;
		q += m->rr[i].section == DNS_SEC_QUESTION;
		an += m->rr[i].section == DNS_SEC_ANSWER;
	}
	if (!(m->flags & DNS_FLAG_QR) && m->count[DNS_SEC_QUESTION] > 0)
		return q > 0;
	return an > 0;
}

/* keep[] for the copy to link out_bit: arrival filters, out's filters,
 * nothing left dangling, nothing the link has already. Returns whether
 * the memory took anything out. */
static bool select_for(struct mdns_engine *e, const struct mdns_filter_set *out_filter,
                       uint32_t out_bit)
{
	struct dns_msg *m = &e->msg;
	bool had = false;
	for (unsigned i = 0; i < m->n_rr; i++)
		e->keep[i] = e->base[i] && mdns_filter_allows(out_filter, &e->info[i]);
	/* Echoes are still counted as present here: an address we do not
	 * repeat because the link already has it does not leave its SRV
	 * pointing at nothing. */
	mdns_drop_dangling(m, e->info, e->keep);
	for (unsigned i = 0; i < m->n_rr; i++) {
		if (!e->keep[i]) {
			if (e->fresh[i])
				e->c.records_filtered++;
			continue;
		}
		if (!e->fresh[i] || (e->seen[i] & out_bit)) {
			e->keep[i] = false;
			had = true;
		}
	}
	return had;
}

enum why_not { WHY_NO_DEST, WHY_OWN, WHY_FILTERED, WHY_ECHO, WHY_TOO_BIG, WHY_RATE, WHY_SEND };

static enum mdns_drop why_drop(unsigned why)
{
	if (why & (1u << WHY_SEND))
		return MDNS_DROP_SEND_FAILED;
	if (why & (1u << WHY_RATE))
		return MDNS_DROP_RATE_LIMITED;
	if (why & (1u << WHY_TOO_BIG))
		return MDNS_DROP_TOO_BIG;
	if (why & (1u << WHY_ECHO))
		return MDNS_DROP_ECHO;
	if (why & (1u << WHY_FILTERED))
		return MDNS_DROP_FILTERED;
	if (why & (1u << WHY_OWN))
		return MDNS_DROP_OWN;
	return MDNS_DROP_NO_DEST;
}

/* The largest DNS payload that leaves on i unfragmented (RFC 6762 §17). */
static size_t payload_cap(const struct mdns_iface *i, int family)
{
	size_t mtu = i->mtu ? i->mtu : MDNS_MTU_DEFAULT;
	if (mtu > MDNS_PACKET_MAX)
		mtu = MDNS_PACKET_MAX;
	if (mtu <= MDNS_IP_UDP_HEADERS(family) + DNS_HEADER_LEN)
		return DNS_HEADER_LEN;   /* nothing but a header would fit */
	return mdns_payload_max(family, mtu);
}

static bool take_token(struct mdns_engine *e, struct mdns_iface *out, uint64_t now, unsigned *why)
{
	if (mdns_iface_take_token(out, e->rate_limit, now))
		return true;
	out->c.rate_limited++;
	e->c.rate_limited++;
	*why |= 1u << WHY_RATE;
	return false;
}

/* Send the n bytes built in e->tx. */
static bool send_packet(struct mdns_engine *e, struct mdns_iface *out, const struct mdns_tx *tx,
                        size_t n, unsigned *why)
{
	if (e->ops.send(e->ops.ctx, tx, e->tx, n) < 0) {
		out->c.tx_errors++;
		e->c.tx_errors++;
		*why |= 1u << WHY_SEND;
		return false;
	}
	out->c.tx++;
	e->c.tx++;
	e->c.tx_bytes += n;
	return true;
}

/* Send the records keep[] selects to out, never as IP fragments (RFC 6762
 * §17): in one packet when they fit the link's MTU, else cut at record
 * boundaries. A response becomes several complete responses; a query's
 * known answers go on in further packets, TC set on all but the last
 * (§7.2); a probe must fit whole, its proposed records being compared as
 * a set (§8.2). A record that alone does not fit is left out (keep[]
 * cleared) and counted. One rate token per copy. False with *why set when
 * nothing went. */
static bool send_copy(struct mdns_engine *e, struct mdns_iface *out, const struct mdns_tx *tx,
                      uint64_t now, unsigned *why)
{
	struct dns_msg *m = &e->msg;
	size_t cap = payload_cap(out, tx->family);
	unsigned from = 0, packets = 0, next;
	bool probe = false;

	for (unsigned i = 0; i < m->n_rr; i++)
		probe |= e->query && e->keep[i] && m->rr[i].section == DNS_SEC_AUTHORITY;
	while (from < m->n_rr) {
		size_t n = dns_build_part(m, e->keep, true, from, e->tx, cap, &next);
		if (n <= DNS_HEADER_LEN) {
			if (n == 0 || next >= m->n_rr)
				break;
			/* m->rr[next] alone is larger than the link allows */
			uint8_t sec = m->rr[next].section;
			if (e->query && (sec == DNS_SEC_QUESTION || (probe && sec == DNS_SEC_AUTHORITY)))
				break;   /* no query without its questions, no probe without its records */
			e->keep[next] = false;
			e->c.records_too_big++;
			from = next + 1;
			continue;
		}
		if (next < m->n_rr) {
			if (probe)
				break;
			if (e->query)
				e->tx[2] |= DNS_FLAG_TC >> 8;   /* more known answers follow */
		}
		if (packets == 0 && !take_token(e, out, now, why))
			return false;
		if (!send_packet(e, out, tx, n, why))
			return packets > 0;
		packets++;
		from = next;
	}
	if (packets == 0) {
		*why |= 1u << WHY_TOO_BIG;
		return false;
	}
	if (packets > 1)
		e->c.split++;
	return true;
}

void mdns_engine_tx_failed(struct mdns_engine *e, int ifindex, size_t len)
{
	struct mdns_iface *out = mdns_iface_by_index(e, ifindex);
	if (out) {
		if (out->c.tx)
			out->c.tx--;
		out->c.tx_errors++;
	}
	if (e->c.tx)
		e->c.tx--;
	e->c.tx_bytes = e->c.tx_bytes >= len ? e->c.tx_bytes - len : 0;
	e->c.tx_errors++;
}

static void group_of(int family, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		out->s6_addr[12] = 224;
		out->s6_addr[15] = 251;
	} else {
		out->s6_addr[0] = 0xff;
		out->s6_addr[1] = 0x02;
		out->s6_addr[15] = 0xfb;
	}
}

/* One copy per other ready link. Returns the links it went to. */
static uint32_t forward(struct mdns_engine *e, struct mdns_iface *in, const struct mdns_rx *rx,
                        bool own, enum mdns_via via, uint64_t now, unsigned *why)
{
	uint32_t links = 0;
	struct mdns_tx tx = { .via = via, .family = rx->family, .dport = MDNS_PORT };
	group_of(rx->family, &tx.dst);

	for (size_t k = 0; k < e->n_ifaces; k++) {
		struct mdns_iface *out = &e->ifaces[k];
		if (out == in || !mdns_iface_ready(out, rx->family))
			continue;
		/* This host's own records (a local avahi) never go where the host
		 * answers for itself, nor anywhere before we know where it does. */
		if (own && (out->local_stack ||
		            now < e->local_stack_since_ms + MDNS_LOCAL_STACK_LEARN_MS)) {
			*why |= 1u << WHY_OWN;
			continue;
		}
		if (!mdns_iface_source(e, out, rx->family, NULL, &tx.src))
			continue;
		bool known = select_for(e, &out->out, bit_of(e, out));
		if (!copy_has_content(&e->msg, e->keep)) {
			*why |= 1u << (known ? WHY_ECHO : WHY_FILTERED);
			continue;
		}
		tx.ifindex = out->ifindex;
		if (!send_copy(e, out, &tx, now, why))
			continue;
		links |= bit_of(e, out);
		for (unsigned i = 0; i < e->msg.n_rr; i++)
			if (e->keep[i])
				e->sent[i] |= bit_of(e, out);
		/* What this link got, as it will hear it again if it comes
		 * back: our own copy looped, or another reflector's same copy. */
		if (e->query)
			mdns_recent_note(&e->recent,
			                 mdns_recent_msg_key(&e->recent, &e->msg, e->key, e->keep),
			                 bit_of(e, in), bit_of(e, out), now);
	}
	return links;
}

/* A local mDNS stack (avahi on the gateway) speaks on this link: it answers
 * for the host here, so the host's records reflected from elsewhere must
 * not land here. */
static void mark_local_stack(struct mdns_engine *e, struct mdns_iface *in, uint64_t now)
{
	in->local_stack = true;
	if (!e->local_stack_since_ms)
		e->local_stack_since_ms = now;
}

static void reflect(struct mdns_engine *e, struct mdns_iface *in, const struct mdns_rx *rx,
                    bool own, uint64_t now)
{
	unsigned why = 0;
	if (prepare(e, in, now) == 0) {
		/* our own packet come back is an echo, not a local stack */
		drop(e, in, MDNS_DROP_ECHO);
		return;
	}
	if (own)
		mark_local_stack(e, in, now);
	/* RFC 6762 §18: a multicast response goes out with ID 0, AA set, TC
	 * clear; a query with ID 0 and TC only as its sender set it (more
	 * known answers follow); RD, RA, Z, AD, CD zero. */
	e->msg.id = 0;
	e->msg.flags = e->query ? (e->msg.flags & DNS_FLAG_TC) : (DNS_FLAG_QR | DNS_FLAG_AA);
	uint32_t links = forward(e, in, rx, own, MDNS_VIA_MAIN, now, &why);
	remember(e, in, now);
	if (!links) {
		drop(e, in, why_drop(why));
		return;
	}
	e->c.reflected++;
}

static void legacy_query(struct mdns_engine *e, struct mdns_iface *in, const struct mdns_rx *rx,
                         uint64_t now)
{
	struct dns_msg *m = &e->msg;
	unsigned why = 0;

	/* Answers go back by unicast: only to askers on this link, or anyone
	 * could aim the reflector at a third party (CVE-2017-6519). */
	if (!mdns_iface_onlink(e, in, rx->family, &rx->src)) {
		drop(e, in, MDNS_DROP_OFFLINK);
		return;
	}
	if (m->count[DNS_SEC_QUESTION] == 0) {
		drop(e, in, MDNS_DROP_FILTERED);
		return;
	}
	if (prepare(e, in, now) == 0) {
		drop(e, in, MDNS_DROP_ECHO);
		return;
	}
	struct mdns_legacy_query *q = mdns_legacy_add(e, rx, m->id, (uint8_t)(in - e->ifaces), now);
	if (!q) {
		drop(e, in, MDNS_DROP_LEGACY_FULL);
		return;
	}
	q->asker_rd = (m->flags & DNS_FLAG_RD) != 0;
	m->id = q->id;
	m->flags = 0;
	uint32_t links = forward(e, in, rx, false, MDNS_VIA_LEGACY, now, &why);
	remember(e, in, now);
	q->sent |= links;
	if (!links) {
		if (!q->sent)
			q->expires_ms = 0;
		drop(e, in, why_drop(why));
		return;
	}
	e->c.legacy_queries++;
	e->c.reflected++;
}

static void legacy_answer(struct mdns_engine *e, struct mdns_iface *in, const struct mdns_rx *rx,
                          uint64_t now)
{
	struct dns_msg *m = &e->msg;
	unsigned why = 0;

	if (rx->dst_mcast || !(m->flags & DNS_FLAG_QR)) {
		drop(e, in, MDNS_DROP_LEGACY_UNMATCHED);
		return;
	}
	if (rx->sport != MDNS_PORT) {
		drop(e, in, MDNS_DROP_RESPONSE_PORT);
		return;
	}
	/* A unicast answer must come from the link (RFC 6762 §11). Responders
	 * send with hop limit 255, which no router forwards: that proves it
	 * even for a source outside our prefixes (a pi's /80 behind the
	 * gateway). A lower one was routed here, whatever the source says. */
	if (rx->hop_limit >= 0 && rx->hop_limit != 255) {
		drop(e, in, MDNS_DROP_HOP_LIMIT);
		return;
	}
	if (rx->hop_limit < 0 && !mdns_iface_onlink(e, in, rx->family, &rx->src)) {
		drop(e, in, MDNS_DROP_OFFLINK);
		return;
	}
	struct mdns_legacy_query *q = mdns_legacy_find(e, m->id, now);
	if (!q || q->family != rx->family || !(q->sent & bit_of(e, in))) {
		drop(e, in, MDNS_DROP_LEGACY_UNMATCHED);
		return;
	}
	struct mdns_iface *asker = &e->ifaces[q->asker_iface];
	struct mdns_tx tx = { .via = MDNS_VIA_MAIN, .family = rx->family, .ifindex = asker->ifindex,
	                      .dst = q->asker, .dport = q->asker_port };
	if (asker->ifindex <= 0 || !asker->up ||
	    !mdns_iface_source(e, asker, rx->family, &q->asker, &tx.src)) {
		drop(e, in, MDNS_DROP_NO_DEST);
		return;
	}
	e->query = false;
	for (unsigned i = 0; i < m->n_rr; i++) {
		struct dns_rr *rr = &m->rr[i];
		mdns_rr_classify(rr, &e->info[i]);
		e->fresh[i] = true;
		e->seen[i] = 0;
		e->base[i] = class_crosses(e, e->info[i].addr_class) &&
		             mdns_filter_allows(&in->in, &e->info[i]);
		/* RFC 6762 §6.7: a plain DNS answer for a plain resolver: no
		 * cache-flush (nor QU) bit, TTL at most 10 s */
		rr->class &= DNS_CLASS_MASK;
		if (rr->section != DNS_SEC_QUESTION && rr->ttl > MDNS_LEGACY_TTL_MAX)
			rr->ttl = MDNS_LEGACY_TTL_MAX;
	}
	select_for(e, &asker->out, 0);
	if (!copy_has_content(m, e->keep)) {
		drop(e, in, MDNS_DROP_FILTERED);
		return;
	}
	/* §18: the asker's ID, QR and AA; a plain DNS answer too big for
	 * the link is cut at a record boundary with TC set (§18.5). */
	m->id = q->asker_id;
	m->flags = DNS_FLAG_QR | DNS_FLAG_AA | (q->asker_rd ? DNS_FLAG_RD : 0);
	unsigned next;
	size_t n = dns_build_part(m, e->keep, true, 0, e->tx, payload_cap(asker, rx->family), &next);
	if (n <= DNS_HEADER_LEN) {
		drop(e, in, MDNS_DROP_TOO_BIG);
		return;
	}
	if (next < m->n_rr)
		e->tx[2] |= DNS_FLAG_TC >> 8;
	if (!take_token(e, asker, now, &why) || !send_packet(e, asker, &tx, n, &why)) {
		drop(e, in, why_drop(why));
		return;
	}
	e->c.legacy_answers++;
	e->c.reflected++;
}

void mdns_engine_input(struct mdns_engine *e, const struct mdns_rx *rx,
                       const uint8_t *pkt, size_t len)
{
	uint64_t now = e->ops.now_ms(e->ops.ctx);
	struct dns_msg *m = &e->msg;

	e->c.rx++;
	e->c.rx_bytes += len;
	struct mdns_iface *in = mdns_iface_by_index(e, rx->ifindex);
	if (!in) {
		drop(e, NULL, MDNS_DROP_IFACE);
		return;
	}
	in->c.rx++;
	if ((rx->family != AF_INET && rx->family != AF_INET6) ||
	    (rx->family == AF_INET) != mdns_is_v4mapped(&rx->src) ||
	    (rx->family == AF_INET ? !in->want4 : !in->want6)) {
		drop(e, in, MDNS_DROP_FAMILY);
		return;
	}
	if (rx->truncated || len > mdns_payload_max(rx->family, MDNS_PACKET_MAX)) {
		drop(e, in, MDNS_DROP_TOO_BIG);
		return;
	}
	enum dns_drop d = dns_parse(pkt, len, m);
	if (d != DNS_OK) {
		e->c.dns_drops[d]++;
		drop(e, in, MDNS_DROP_MALFORMED);
		return;
	}
	if (DNS_OPCODE(m->flags) != 0) {
		drop(e, in, MDNS_DROP_OPCODE);
		return;
	}
	if (DNS_RCODE(m->flags) != 0) {
		drop(e, in, MDNS_DROP_RCODE);
		return;
	}
	if (rx->via == MDNS_VIA_LEGACY) {
		legacy_answer(e, in, rx, now);
		return;
	}
	bool response = m->flags & DNS_FLAG_QR;
	if (response && rx->sport != MDNS_PORT) {
		drop(e, in, MDNS_DROP_RESPONSE_PORT);
		return;
	}
	bool legacy = !response && rx->sport != MDNS_PORT;
	if (!rx->dst_mcast && !legacy) {
		drop(e, in, MDNS_DROP_UNICAST);
		return;
	}
	bool own = mdns_host_is_own(e, rx->ifindex, &rx->src);
	if (own && legacy) {
		mark_local_stack(e, in, now);
		drop(e, in, MDNS_DROP_OWN);
		return;
	}
	if (legacy)
		legacy_query(e, in, rx, now);
	else
		reflect(e, in, rx, own, now);
}
