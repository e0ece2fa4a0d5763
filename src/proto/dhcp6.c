/* DHCPv6 messages (RFC 8415 §8, §9, §21; RFC 3646 for DNS options). */
#include "proto/dhcp6.h"

#include <stdio.h>
#include <string.h>

#include "proto/bytes.h"
#include "proto/dns.h"

static const char *const err_names[DHCP6_ERR__MAX] = {
	[DHCP6_OK] = "ok",
	[DHCP6_ERR_SHORT] = "short",
	[DHCP6_ERR_TOO_LONG] = "too_long",
	[DHCP6_ERR_TYPE] = "bad_type",
	[DHCP6_ERR_OPT_OVERRUN] = "option_overrun",
	[DHCP6_ERR_OPT_LEN] = "option_length",
	[DHCP6_ERR_DUPLICATE] = "duplicate_option",
	[DHCP6_ERR_DEPTH] = "nesting",
	[DHCP6_ERR_TOO_MANY] = "too_many",
	[DHCP6_ERR_DUID] = "bad_duid",
	[DHCP6_ERR_PREFIX_LEN] = "prefix_length",
	[DHCP6_ERR_DOMAIN] = "bad_domain",
	[DHCP6_ERR_RELAY] = "relay_no_message",
};

const char *dhcp6_err_name(enum dhcp6_err e)
{
	return (unsigned)e < DHCP6_ERR__MAX ? err_names[e] : "?";
}

const char *dhcp6_type_name(uint8_t type)
{
	static const char *const names[] = {
		NULL, "SOLICIT", "ADVERTISE", "REQUEST", "CONFIRM", "RENEW", "REBIND", "REPLY",
		"RELEASE", "DECLINE", "RECONFIGURE", "INFORMATION-REQUEST", "RELAY-FORW", "RELAY-REPL",
	};
	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

const char *dhcp6_status_name(uint16_t code)
{
	static const char *const names[] = {
		"Success", "UnspecFail", "NoAddrsAvail", "NoBinding", "NotOnLink", "UseMulticast",
		"NoPrefixAvail",
	};
	return code < sizeof(names) / sizeof(names[0]) ? names[code] : NULL;
}

/* ---- parsing ---- */

/* Where an option list lies, and what may be in it. */
enum scope { SCOPE_MSG, SCOPE_IA_PD, SCOPE_IAPREFIX };

struct opt {
	uint16_t code, len;
	const uint8_t *body;
};

/* The next option of [*off, end): 1 and *o, 0 at the end, or -1 when the
 * header or body runs past the end. */
static int opt_next(const uint8_t *buf, size_t end, size_t *off, struct opt *o)
{
	if (*off == end)
		return 0;
	if (end - *off < DHCP6_OPT_HDR_LEN)
		return -1;
	o->code = be_get16(buf + *off);
	o->len = be_get16(buf + *off + 2);
	if (end - *off - DHCP6_OPT_HDR_LEN < o->len)
		return -1;
	o->body = buf + *off + DHCP6_OPT_HDR_LEN;
	*off += DHCP6_OPT_HDR_LEN + (size_t)o->len;
	return 1;
}

static enum dhcp6_err read_status(const struct opt *o, struct dhcp6_status_opt *s)
{
	if (s->present)
		return DHCP6_ERR_DUPLICATE;
	if (o->len < 2)
		return DHCP6_ERR_OPT_LEN;
	s->present = true;
	s->code = be_get16(o->body);
	size_t n = o->len - 2u;
	if (n > DHCP6_STATUS_MSG_MAX)
		n = DHCP6_STATUS_MSG_MAX;
	s->msg_len = (uint8_t)n;
	memcpy(s->msg, o->body + 2, n);
	return DHCP6_OK;
}

static enum dhcp6_err read_duid(const struct opt *o, struct dhcp6_duid *d)
{
	if (d->len)
		return DHCP6_ERR_DUPLICATE;
	if (o->len < 3 || o->len > DHCP6_DUID_MAX)
		return DHCP6_ERR_DUID;
	d->len = o->len;
	memcpy(d->bytes, o->body, o->len);
	return DHCP6_OK;
}

static bool ldh(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* RFC 8415 §10: uncompressed names, each ending with the root label. */
static enum dhcp6_err read_domains(const struct opt *o, struct dhcp6_msg *m)
{
	size_t off = 0;
	while (off < o->len) {
		if (m->n_domains == DHCP6_MAX_DOMAINS)
			return DHCP6_ERR_TOO_MANY;
		char *out = m->domains[m->n_domains];
		size_t n = 0;
		for (;;) {
			if (off >= o->len)
				return DHCP6_ERR_DOMAIN; /* no root label */
			uint8_t l = o->body[off++];
			if (l == 0)
				break;
			if (l > DNS_LABEL_MAX || l > o->len - off || n + l + 1 > DNS_NAME_MAX - 2)
				return DHCP6_ERR_DOMAIN;
			if (n)
				out[n++] = '.';
			for (uint8_t i = 0; i < l; i++) {
				if (!ldh(o->body[off + i]))
					return DHCP6_ERR_DOMAIN;
				out[n++] = (char)o->body[off + i];
			}
			off += l;
		}
		if (n == 0)
			return DHCP6_ERR_DOMAIN; /* the root alone names nothing to search */
		out[n] = 0;
		m->n_domains++;
	}
	return DHCP6_OK;
}

static enum dhcp6_err parse_iaprefix(const struct opt *o, struct dhcp6_ia_pd *ia)
{
	if (o->len < 25)
		return DHCP6_ERR_OPT_LEN;
	if (ia->n_prefixes == DHCP6_MAX_IAPREFIX)
		return DHCP6_ERR_TOO_MANY;
	struct dhcp6_iaprefix *px = &ia->prefixes[ia->n_prefixes++];
	px->preferred = be_get32(o->body);
	px->valid = be_get32(o->body + 4);
	px->plen = o->body[8];
	if (px->plen > 128)
		return DHCP6_ERR_PREFIX_LEN;
	memcpy(&px->prefix, o->body + 9, 16);
	size_t off = 25;
	struct opt in;
	int r;
	while ((r = opt_next(o->body, o->len, &off, &in)) > 0) {
		if (in.code == DHCP6_OPT_STATUS_CODE) {
			enum dhcp6_err e = read_status(&in, &px->status);
			if (e)
				return e;
		} else if (in.code == DHCP6_OPT_IA_PD || in.code == DHCP6_OPT_IAPREFIX) {
			return DHCP6_ERR_DEPTH;
		}
	}
	return r < 0 ? DHCP6_ERR_OPT_OVERRUN : DHCP6_OK;
}

static enum dhcp6_err parse_ia_pd(const struct opt *o, struct dhcp6_msg *m)
{
	if (o->len < 12)
		return DHCP6_ERR_OPT_LEN;
	if (m->n_ia_pd == DHCP6_MAX_IA_PD)
		return DHCP6_ERR_TOO_MANY;
	struct dhcp6_ia_pd *ia = &m->ia_pd[m->n_ia_pd++];
	ia->iaid = be_get32(o->body);
	ia->t1 = be_get32(o->body + 4);
	ia->t2 = be_get32(o->body + 8);
	size_t off = 12;
	struct opt in;
	int r;
	while ((r = opt_next(o->body, o->len, &off, &in)) > 0) {
		enum dhcp6_err e = DHCP6_OK;
		if (in.code == DHCP6_OPT_IAPREFIX)
			e = parse_iaprefix(&in, ia);
		else if (in.code == DHCP6_OPT_STATUS_CODE)
			e = read_status(&in, &ia->status);
		else if (in.code == DHCP6_OPT_IA_PD)
			e = DHCP6_ERR_DEPTH;
		else
			m->n_unknown++;
		if (e)
			return e;
	}
	return r < 0 ? DHCP6_ERR_OPT_OVERRUN : DHCP6_OK;
}

static bool is_relay(uint8_t type)
{
	return type == DHCP6_RELAY_FORW || type == DHCP6_RELAY_REPL;
}

static enum dhcp6_err once(bool *seen)
{
	if (*seen)
		return DHCP6_ERR_DUPLICATE;
	*seen = true;
	return DHCP6_OK;
}

static enum dhcp6_err parse_option(const struct opt *o, struct dhcp6_msg *m, bool *seen_oro,
                                   bool *seen_dns, bool *seen_domains)
{
	switch (o->code) {
	case DHCP6_OPT_CLIENTID:
		return read_duid(o, &m->client_id);
	case DHCP6_OPT_SERVERID:
		return read_duid(o, &m->server_id);
	case DHCP6_OPT_IA_PD:
		return parse_ia_pd(o, m);
	case DHCP6_OPT_IAPREFIX:
		return DHCP6_ERR_DEPTH; /* belongs inside an IA_PD only */
	case DHCP6_OPT_STATUS_CODE:
		return read_status(o, &m->status);
	case DHCP6_OPT_ORO: {
		enum dhcp6_err e = once(seen_oro);
		if (e)
			return e;
		if (o->len % 2)
			return DHCP6_ERR_OPT_LEN;
		if (o->len / 2 > DHCP6_MAX_ORO)
			return DHCP6_ERR_TOO_MANY;
		m->n_oro = o->len / 2u;
		for (size_t i = 0; i < m->n_oro; i++)
			m->oro[i] = be_get16(o->body + 2 * i);
		return DHCP6_OK;
	}
	case DHCP6_OPT_ELAPSED_TIME:
		if (m->has_elapsed)
			return DHCP6_ERR_DUPLICATE;
		if (o->len != 2)
			return DHCP6_ERR_OPT_LEN;
		m->has_elapsed = true;
		m->elapsed_cs = be_get16(o->body);
		return DHCP6_OK;
	case DHCP6_OPT_PREFERENCE:
		if (m->has_preference)
			return DHCP6_ERR_DUPLICATE;
		if (o->len != 1)
			return DHCP6_ERR_OPT_LEN;
		m->has_preference = true;
		m->preference = o->body[0];
		return DHCP6_OK;
	case DHCP6_OPT_RAPID_COMMIT:
		if (o->len)
			return DHCP6_ERR_OPT_LEN;
		return once(&m->rapid_commit);
	case DHCP6_OPT_RECONF_ACCEPT:
		if (o->len)
			return DHCP6_ERR_OPT_LEN;
		return once(&m->reconf_accept);
	case DHCP6_OPT_RECONF_MSG:
		if (m->reconf_msg)
			return DHCP6_ERR_DUPLICATE;
		if (o->len != 1 || o->body[0] == 0)
			return DHCP6_ERR_OPT_LEN;
		m->reconf_msg = o->body[0];
		return DHCP6_OK;
	case DHCP6_OPT_SOL_MAX_RT:
		if (m->has_sol_max_rt)
			return DHCP6_ERR_DUPLICATE;
		if (o->len != 4)
			return DHCP6_ERR_OPT_LEN;
		m->has_sol_max_rt = true;
		m->sol_max_rt = be_get32(o->body);
		return DHCP6_OK;
	case DHCP6_OPT_DNS_SERVERS: {
		enum dhcp6_err e = once(seen_dns);
		if (e)
			return e;
		if (o->len % 16)
			return DHCP6_ERR_OPT_LEN;
		if (o->len / 16 > DHCP6_MAX_DNS)
			return DHCP6_ERR_TOO_MANY;
		m->n_dns = o->len / 16u;
		memcpy(m->dns, o->body, o->len);
		return DHCP6_OK;
	}
	case DHCP6_OPT_DOMAIN_LIST: {
		enum dhcp6_err e = once(seen_domains);
		return e ? e : read_domains(o, m);
	}
	case DHCP6_OPT_RELAY_MSG:
		if (!is_relay(m->type))
			break;
		if (m->relay_msg)
			return DHCP6_ERR_DUPLICATE;
		m->relay_msg = o->body;
		m->relay_msg_len = o->len;
		return DHCP6_OK;
	case DHCP6_OPT_INTERFACE_ID:
		if (!is_relay(m->type))
			break;
		if (m->interface_id_len)
			return DHCP6_ERR_DUPLICATE;
		if (o->len == 0 || o->len > DHCP6_IFACE_ID_MAX)
			return DHCP6_ERR_OPT_LEN;
		m->interface_id_len = (uint8_t)o->len;
		memcpy(m->interface_id, o->body, o->len);
		return DHCP6_OK;
	default:
		break;
	}
	m->n_unknown++;
	return DHCP6_OK;
}

enum dhcp6_err dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < DHCP6_HDR_LEN)
		return DHCP6_ERR_SHORT;
	if (len > DHCP6_MSG_MAX)
		return DHCP6_ERR_TOO_LONG;
	m->type = buf[0];
	if (!dhcp6_type_name(m->type))
		return DHCP6_ERR_TYPE;
	size_t off;
	if (is_relay(m->type)) {
		if (len < DHCP6_RELAY_HDR_LEN)
			return DHCP6_ERR_SHORT;
		m->hop_count = buf[1];
		memcpy(&m->link_addr, buf + 2, 16);
		memcpy(&m->peer_addr, buf + 18, 16);
		off = DHCP6_RELAY_HDR_LEN;
	} else {
		m->xid = ((uint32_t)buf[1] << 16) | ((uint32_t)buf[2] << 8) | buf[3];
		off = DHCP6_HDR_LEN;
	}
	bool seen_oro = false, seen_dns = false, seen_domains = false;
	struct opt o;
	int r;
	while ((r = opt_next(buf, len, &off, &o)) > 0) {
		enum dhcp6_err e = parse_option(&o, m, &seen_oro, &seen_dns, &seen_domains);
		if (e)
			return e;
	}
	if (r < 0)
		return DHCP6_ERR_OPT_OVERRUN;
	if (is_relay(m->type) && !m->relay_msg)
		return DHCP6_ERR_RELAY;
	return DHCP6_OK;
}

/* ---- building ---- */

struct out {
	uint8_t *buf;
	size_t cap, len;
	bool full;
};

static uint8_t *reserve(struct out *w, size_t n)
{
	if (w->full || w->cap - w->len < n) {
		w->full = true;
		return NULL;
	}
	uint8_t *p = w->buf + w->len;
	w->len += n;
	return p;
}

static void put(struct out *w, const void *p, size_t n)
{
	uint8_t *d = reserve(w, n);
	if (d && n)
		memcpy(d, p, n);
}

static void put16(struct out *w, uint16_t v)
{
	uint8_t *d = reserve(w, 2);
	if (d)
		be_put16(d, v);
}

static void put32(struct out *w, uint32_t v)
{
	uint8_t *d = reserve(w, 4);
	if (d)
		be_put32(d, v);
}

/* Opens an option: returns where its length goes, closed by opt_end. */
static size_t opt_begin(struct out *w, uint16_t code)
{
	put16(w, code);
	size_t at = w->len;
	put16(w, 0);
	return at;
}

static void opt_end(struct out *w, size_t at)
{
	size_t n = w->len - at - 2;
	if (w->full || n > 0xffff) {
		w->full = true;
		return;
	}
	be_put16(w->buf + at, (uint16_t)n);
}

static void put_opt(struct out *w, uint16_t code, const void *body, size_t n)
{
	size_t at = opt_begin(w, code);
	put(w, body, n);
	opt_end(w, at);
}

static void put_status(struct out *w, const struct dhcp6_status_opt *s)
{
	if (!s->present)
		return;
	size_t at = opt_begin(w, DHCP6_OPT_STATUS_CODE);
	put16(w, s->code);
	put(w, s->msg, s->msg_len);
	opt_end(w, at);
}

static void put_ia_pd(struct out *w, const struct dhcp6_ia_pd *ia)
{
	size_t at = opt_begin(w, DHCP6_OPT_IA_PD);
	put32(w, ia->iaid);
	put32(w, ia->t1);
	put32(w, ia->t2);
	for (size_t i = 0; i < ia->n_prefixes && i < DHCP6_MAX_IAPREFIX; i++) {
		const struct dhcp6_iaprefix *px = &ia->prefixes[i];
		size_t pat = opt_begin(w, DHCP6_OPT_IAPREFIX);
		put32(w, px->preferred);
		put32(w, px->valid);
		put(w, &px->plen, 1);
		put(w, &px->prefix, 16);
		put_status(w, &px->status);
		opt_end(w, pat);
	}
	put_status(w, &ia->status);
	opt_end(w, at);
}

static void put_domains(struct out *w, const struct dhcp6_msg *m)
{
	size_t at = opt_begin(w, DHCP6_OPT_DOMAIN_LIST);
	for (size_t i = 0; i < m->n_domains; i++) {
		struct dns_name n;
		if (dns_name_from_text(m->domains[i], &n) < 0 || n.len < 2) {
			w->full = true;
			return;
		}
		put(w, n.wire, n.len);
	}
	opt_end(w, at);
}

size_t dhcp6_build(const struct dhcp6_msg *m, uint8_t *buf, size_t cap)
{
	struct out w = { .buf = buf, .cap = cap };
	if (!dhcp6_type_name(m->type) || m->n_ia_pd > DHCP6_MAX_IA_PD || m->n_oro > DHCP6_MAX_ORO ||
	    m->n_dns > DHCP6_MAX_DNS || m->n_domains > DHCP6_MAX_DOMAINS)
		return 0;
	if (is_relay(m->type)) {
		put(&w, &m->type, 1);
		put(&w, &m->hop_count, 1);
		put(&w, &m->link_addr, 16);
		put(&w, &m->peer_addr, 16);
	} else {
		put32(&w, ((uint32_t)m->type << 24) | (m->xid & 0xffffff));
	}
	if (m->client_id.len)
		put_opt(&w, DHCP6_OPT_CLIENTID, m->client_id.bytes, m->client_id.len);
	if (m->server_id.len)
		put_opt(&w, DHCP6_OPT_SERVERID, m->server_id.bytes, m->server_id.len);
	for (size_t i = 0; i < m->n_ia_pd; i++)
		put_ia_pd(&w, &m->ia_pd[i]);
	put_status(&w, &m->status);
	if (m->n_oro) {
		size_t at = opt_begin(&w, DHCP6_OPT_ORO);
		for (size_t i = 0; i < m->n_oro; i++)
			put16(&w, m->oro[i]);
		opt_end(&w, at);
	}
	if (m->has_elapsed) {
		uint8_t b[2];
		be_put16(b, m->elapsed_cs);
		put_opt(&w, DHCP6_OPT_ELAPSED_TIME, b, 2);
	}
	if (m->has_preference)
		put_opt(&w, DHCP6_OPT_PREFERENCE, &m->preference, 1);
	if (m->rapid_commit)
		put_opt(&w, DHCP6_OPT_RAPID_COMMIT, NULL, 0);
	if (m->reconf_accept)
		put_opt(&w, DHCP6_OPT_RECONF_ACCEPT, NULL, 0);
	if (m->reconf_msg)
		put_opt(&w, DHCP6_OPT_RECONF_MSG, &m->reconf_msg, 1);
	if (m->has_sol_max_rt) {
		uint8_t b[4];
		be_put32(b, m->sol_max_rt);
		put_opt(&w, DHCP6_OPT_SOL_MAX_RT, b, 4);
	}
	if (m->n_dns)
		put_opt(&w, DHCP6_OPT_DNS_SERVERS, m->dns, 16 * m->n_dns);
	if (m->n_domains)
		put_domains(&w, m);
	if (is_relay(m->type)) {
		if (m->interface_id_len)
			put_opt(&w, DHCP6_OPT_INTERFACE_ID, m->interface_id, m->interface_id_len);
		if (!m->relay_msg)
			return 0;
		put_opt(&w, DHCP6_OPT_RELAY_MSG, m->relay_msg, m->relay_msg_len);
	}
	return w.full ? 0 : w.len;
}

/* ---- client messages ---- */

static size_t build_client(uint8_t type, const struct dhcp6_client_req *r, bool with_server,
                           bool with_ia, bool with_oro, uint8_t *buf, size_t cap)
{
	struct dhcp6_msg m;
	if (!r->client_id || !r->client_id->len || (with_server && (!r->server_id || !r->server_id->len)))
		return 0;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.xid = r->xid & 0xffffff;
	m.client_id = *r->client_id;
	if (with_server)
		m.server_id = *r->server_id;
	m.has_elapsed = true;
	m.elapsed_cs = r->elapsed_cs;
	if (with_ia) {
		m.n_ia_pd = 1;
		m.ia_pd[0].iaid = r->iaid;
		size_t n = r->n_prefixes < DHCP6_MAX_IAPREFIX ? r->n_prefixes : DHCP6_MAX_IAPREFIX;
		for (size_t i = 0; i < n; i++) {
			m.ia_pd[0].prefixes[i] = r->prefixes[i];
			memset(&m.ia_pd[0].prefixes[i].status, 0, sizeof(m.ia_pd[0].prefixes[i].status));
		}
		m.ia_pd[0].n_prefixes = n;
	}
	if (with_oro) {
		m.oro[m.n_oro++] = DHCP6_OPT_DNS_SERVERS;
		m.oro[m.n_oro++] = DHCP6_OPT_DOMAIN_LIST;
		/* §18.2.1, §18.2.6: the client asks for SOL_MAX_RT (INF_MAX_RT) */
		m.oro[m.n_oro++] = type == DHCP6_INFORMATION_REQUEST ? DHCP6_OPT_INF_MAX_RT
		                                                      : DHCP6_OPT_SOL_MAX_RT;
	}
	return dhcp6_build(&m, buf, cap);
}

size_t dhcp6_build_solicit(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap)
{
	return build_client(DHCP6_SOLICIT, r, false, true, true, buf, cap);
}

size_t dhcp6_build_request(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap)
{
	return build_client(DHCP6_REQUEST, r, true, true, true, buf, cap);
}

size_t dhcp6_build_renew(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap)
{
	return build_client(DHCP6_RENEW, r, true, true, true, buf, cap);
}

size_t dhcp6_build_rebind(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap)
{
	return build_client(DHCP6_REBIND, r, false, true, true, buf, cap);
}

size_t dhcp6_build_release(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap)
{
	/* Appendix B: no ORO in a Release */
	return build_client(DHCP6_RELEASE, r, true, true, false, buf, cap);
}

size_t dhcp6_build_info_request(const struct dhcp6_client_req *r, uint8_t *buf, size_t cap)
{
	return build_client(DHCP6_INFORMATION_REQUEST, r, false, false, true, buf, cap);
}

size_t dhcp6_build_relay(uint8_t type, uint8_t hop_count, const struct in6_addr *link_addr,
                         const struct in6_addr *peer_addr, const uint8_t *iface_id,
                         uint8_t iface_id_len, const uint8_t *inner, size_t inner_len,
                         uint8_t *buf, size_t cap)
{
	if (!is_relay(type) || inner_len > 0xffff || iface_id_len > DHCP6_IFACE_ID_MAX)
		return 0;
	struct out w = { .buf = buf, .cap = cap };
	put(&w, &type, 1);
	put(&w, &hop_count, 1);
	put(&w, link_addr, 16);
	put(&w, peer_addr, 16);
	if (iface_id_len)
		put_opt(&w, DHCP6_OPT_INTERFACE_ID, iface_id, iface_id_len);
	put_opt(&w, DHCP6_OPT_RELAY_MSG, inner, inner_len);
	return w.full ? 0 : w.len;
}

/* ---- DUIDs ---- */

void dhcp6_duid_ll(struct dhcp6_duid *d, const uint8_t mac[6])
{
	memset(d, 0, sizeof(*d));
	be_put16(d->bytes, 3);
	be_put16(d->bytes + 2, 1);
	memcpy(d->bytes + 4, mac, 6);
	d->len = 10;
}

void dhcp6_duid_llt(struct dhcp6_duid *d, const uint8_t mac[6], uint32_t time_2000)
{
	memset(d, 0, sizeof(*d));
	be_put16(d->bytes, 1);
	be_put16(d->bytes + 2, 1);
	be_put32(d->bytes + 4, time_2000);
	memcpy(d->bytes + 8, mac, 6);
	d->len = 14;
}

bool dhcp6_duid_equal(const struct dhcp6_duid *a, const struct dhcp6_duid *b)
{
	return a->len == b->len && !memcmp(a->bytes, b->bytes, a->len);
}

void dhcp6_duid_format(const struct dhcp6_duid *d, char *buf, size_t cap)
{
	size_t n = 0;
	if (cap)
		buf[0] = 0;
	for (size_t i = 0; i < d->len && n + 4 <= cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, i ? ":%02x" : "%02x", d->bytes[i]);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dhcp6_duid_parse_text(const char *text, struct dhcp6_duid *d)
{
	memset(d, 0, sizeof(*d));
	const char *p = text;
	while (*p && *p != '\n') {
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);
		if (lo < 0 || d->len == DHCP6_DUID_MAX)
			return -1;
		d->bytes[d->len++] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (*p == ':')
			p++;
	}
	return d->len >= 3 ? 0 : -1;
}

/* ---- equality ---- */

static bool status_equal(const struct dhcp6_status_opt *a, const struct dhcp6_status_opt *b)
{
	return a->present == b->present && a->code == b->code && a->msg_len == b->msg_len &&
	       !memcmp(a->msg, b->msg, a->msg_len);
}

static bool ia_equal(const struct dhcp6_ia_pd *a, const struct dhcp6_ia_pd *b)
{
	if (a->iaid != b->iaid || a->t1 != b->t1 || a->t2 != b->t2 ||
	    a->n_prefixes != b->n_prefixes || !status_equal(&a->status, &b->status))
		return false;
	for (size_t i = 0; i < a->n_prefixes; i++) {
		const struct dhcp6_iaprefix *x = &a->prefixes[i], *y = &b->prefixes[i];
		if (x->preferred != y->preferred || x->valid != y->valid || x->plen != y->plen ||
		    memcmp(&x->prefix, &y->prefix, 16) || !status_equal(&x->status, &y->status))
			return false;
	}
	return true;
}

bool dhcp6_msg_equal(const struct dhcp6_msg *a, const struct dhcp6_msg *b)
{
	if (a->type != b->type || a->xid != b->xid || a->hop_count != b->hop_count ||
	    memcmp(&a->link_addr, &b->link_addr, 16) || memcmp(&a->peer_addr, &b->peer_addr, 16) ||
	    a->relay_msg_len != b->relay_msg_len || !a->relay_msg != !b->relay_msg ||
	    (a->relay_msg_len && memcmp(a->relay_msg, b->relay_msg, a->relay_msg_len)) ||
	    a->interface_id_len != b->interface_id_len ||
	    memcmp(a->interface_id, b->interface_id, a->interface_id_len) ||
	    !dhcp6_duid_equal(&a->client_id, &b->client_id) ||
	    !dhcp6_duid_equal(&a->server_id, &b->server_id) || a->n_ia_pd != b->n_ia_pd ||
	    !status_equal(&a->status, &b->status) || a->n_oro != b->n_oro ||
	    memcmp(a->oro, b->oro, a->n_oro * sizeof(a->oro[0])) ||
	    a->has_elapsed != b->has_elapsed || a->elapsed_cs != b->elapsed_cs ||
	    a->has_preference != b->has_preference || a->preference != b->preference ||
	    a->rapid_commit != b->rapid_commit || a->reconf_accept != b->reconf_accept ||
	    a->reconf_msg != b->reconf_msg || a->has_sol_max_rt != b->has_sol_max_rt ||
	    a->sol_max_rt != b->sol_max_rt || a->n_dns != b->n_dns ||
	    memcmp(a->dns, b->dns, a->n_dns * sizeof(a->dns[0])) || a->n_domains != b->n_domains)
		return false;
	for (size_t i = 0; i < a->n_ia_pd; i++)
		if (!ia_equal(&a->ia_pd[i], &b->ia_pd[i]))
			return false;
	for (size_t i = 0; i < a->n_domains; i++)
		if (strcmp(a->domains[i], b->domains[i]))
			return false;
	return true;
}
