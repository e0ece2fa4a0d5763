/* DHCPv4 codec for a relay agent: see dhcp4.h. */
#include "proto/dhcp4.h"

#include <string.h>

#include "proto/bytes.h"
#include "proto/inet_csum.h"

static const uint8_t magic_cookie[4] = { 99, 130, 83, 99 };

const char *dhcp4_drop_name(enum dhcp4_drop d)
{
	static const char *const names[DHCP4_DROP__COUNT] = {
		[DHCP4_DROP_NONE] = "none",
		[DHCP4_DROP_TRUNCATED] = "truncated",
		[DHCP4_DROP_OP] = "bad_op",
		[DHCP4_DROP_HTYPE] = "bad_htype",
		[DHCP4_DROP_COOKIE] = "no_cookie",
		[DHCP4_DROP_OPT_PAST_END] = "option_past_end",
		[DHCP4_DROP_OVERLOAD_LOOP] = "overload_loop",
		[DHCP4_DROP_OVERLOAD_VALUE] = "bad_overload",
		[DHCP4_DROP_BAD_OPTION] = "bad_option_length",
		[DHCP4_DROP_MSG_TYPE] = "bad_msg_type",
		[DHCP4_DROP_HOPS] = "too_many_hops",
		[DHCP4_DROP_TOO_LONG] = "too_long",
	};
	return (unsigned)d < DHCP4_DROP__COUNT ? names[d] : "?";
}

const char *dhcp4_type_name(enum dhcp4_type t)
{
	static const char *const names[] = { "BOOTP", "DISCOVER", "OFFER", "REQUEST", "DECLINE",
	                                     "ACK", "NAK", "RELEASE", "INFORM" };
	return (unsigned)t <= DHCP4_TYPE_MAX ? names[t] : "?";
}

static struct in_addr get_addr(const uint8_t *p)
{
	struct in_addr a;
	memcpy(&a.s_addr, p, 4);
	return a;
}

/* One option of a known length: the body must be exactly n bytes. */
static enum dhcp4_drop fixed_len(uint8_t got, uint8_t want)
{
	return got == want ? DHCP4_DROP_NONE : DHCP4_DROP_BAD_OPTION;
}

/* Walk the options in p[off, end). main: the options field (where option 52
 * and option 82 count); in file/sname option 52 is a loop (RFC 2131 §4.1:
 * the overload option appears only in the options field). */
static enum dhcp4_drop walk(const uint8_t *p, size_t off, size_t end, bool main, struct dhcp4_msg *m)
{
	bool seen_overload = false;
	while (off < end) {
		uint8_t code = p[off];
		if (code == DHCP4_OPT_PAD) {
			off++;
			continue;
		}
		if (code == DHCP4_OPT_END) {
			if (main) {
				m->opt_end = off;
				m->has_end = true;
			}
			return DHCP4_DROP_NONE;
		}
		if (off + 2 > end || off + 2 + p[off + 1] > end)
			return DHCP4_DROP_OPT_PAST_END;
		uint8_t olen = p[off + 1];
		const uint8_t *body = p + off + 2;
		enum dhcp4_drop d = DHCP4_DROP_NONE;
		switch (code) {
		case DHCP4_OPT_OVERLOAD:
			if (!main || seen_overload)
				return DHCP4_DROP_OVERLOAD_LOOP;
			seen_overload = true;
			if (olen != 1 || body[0] < 1 || body[0] > 3)
				return DHCP4_DROP_OVERLOAD_VALUE;
			m->overload = body[0];
			break;
		case DHCP4_OPT_MSG_TYPE:
			if ((d = fixed_len(olen, 1)))
				return d;
			if (body[0] < DHCP4_DISCOVER || body[0] > DHCP4_TYPE_MAX)
				return DHCP4_DROP_MSG_TYPE;
			m->type = (enum dhcp4_type)body[0];
			break;
		case DHCP4_OPT_SERVER_ID:
			if ((d = fixed_len(olen, 4)))
				return d;
			m->has_server_id = true;
			m->server_id = get_addr(body);
			break;
		case DHCP4_OPT_REQUESTED_IP:
			if ((d = fixed_len(olen, 4)))
				return d;
			m->has_requested_ip = true;
			m->requested_ip = get_addr(body);
			break;
		case DHCP4_OPT_LEASE_TIME:
			if ((d = fixed_len(olen, 4)))
				return d;
			m->has_lease_time = true;
			m->lease_time_s = be_get32(body);
			break;
		case DHCP4_OPT_MAX_MSG_SIZE:
			if ((d = fixed_len(olen, 2)))
				return d;
			m->max_msg_size = be_get16(body);
			break;
		case DHCP4_OPT_RELAY_AGENT:
			if (main && !m->has_relay_agent) {
				m->has_relay_agent = true;
				m->relay_agent_off = off;
				m->relay_agent_len = olen;
			}
			break;
		default:
			break;
		}
		off += 2u + olen;
		if (main)
			m->opt_end = off;
	}
	return DHCP4_DROP_NONE;
}

enum dhcp4_drop dhcp4_parse(const uint8_t *p, size_t len, struct dhcp4_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len < DHCP4_OPTIONS_OFF)
		return DHCP4_DROP_TRUNCATED;
	if (len > DHCP4_MAX_LEN)
		return DHCP4_DROP_TOO_LONG;
	m->op = p[DHCP4_OFF_OP];
	m->htype = p[DHCP4_OFF_HTYPE];
	m->hlen = p[DHCP4_OFF_HLEN];
	m->hops = p[DHCP4_OFF_HOPS];
	if (m->op != DHCP4_OP_REQUEST && m->op != DHCP4_OP_REPLY)
		return DHCP4_DROP_OP;
	/* The relay delivers replies by chaddr on Ethernet-like links only. */
	if (m->htype != DHCP4_HTYPE_ETHER || m->hlen != 6)
		return DHCP4_DROP_HTYPE;
	if (m->hops > DHCP4_MAX_HOPS)
		return DHCP4_DROP_HOPS;
	if (memcmp(p + DHCP4_OFF_COOKIE, magic_cookie, 4) != 0)
		return DHCP4_DROP_COOKIE;
	m->xid = be_get32(p + DHCP4_OFF_XID);
	m->secs = be_get16(p + DHCP4_OFF_SECS);
	m->flags = be_get16(p + DHCP4_OFF_FLAGS);
	m->ciaddr = get_addr(p + DHCP4_OFF_CIADDR);
	m->yiaddr = get_addr(p + DHCP4_OFF_YIADDR);
	m->siaddr = get_addr(p + DHCP4_OFF_SIADDR);
	m->giaddr = get_addr(p + DHCP4_OFF_GIADDR);
	memcpy(m->chaddr, p + DHCP4_OFF_CHADDR, 16);
	m->len = len;
	m->opt_end = DHCP4_OPTIONS_OFF;

	enum dhcp4_drop d = walk(p, DHCP4_OPTIONS_OFF, len, true, m);
	if (d)
		return d;
	/* RFC 2131 §4.1: file first, then sname. Each field is walked once, so
	 * no overload value can make the walk come back to a field. */
	if (m->overload & 1) {
		if ((d = walk(p, DHCP4_OFF_FILE, DHCP4_OFF_COOKIE, false, m)))
			return d;
	}
	if (m->overload & 2) {
		if ((d = walk(p, DHCP4_OFF_SNAME, DHCP4_OFF_FILE, false, m)))
			return d;
	}
	return DHCP4_DROP_NONE;
}

void dhcp4_set_hops(uint8_t *buf, uint8_t hops)
{
	buf[DHCP4_OFF_HOPS] = hops;
}

void dhcp4_set_giaddr(uint8_t *buf, struct in_addr giaddr)
{
	memcpy(buf + DHCP4_OFF_GIADDR, &giaddr.s_addr, 4);
}

void dhcp4_set_flags(uint8_t *buf, uint16_t flags)
{
	be_put16(buf + DHCP4_OFF_FLAGS, flags);
}

int dhcp4_add_relay_agent(uint8_t *buf, size_t len, size_t cap, const struct dhcp4_msg *m,
                          const uint8_t *circuit, uint8_t circuit_len,
                          const uint8_t *remote, uint8_t remote_len)
{
	if (m->has_relay_agent || circuit_len == 0)
		return -1;
	size_t body = 2u + circuit_len + (remote_len ? 2u + remote_len : 0u);
	if (body > 255)
		return -1;
	size_t limit = m->max_msg_size > DHCP4_MIN_MSG ? m->max_msg_size : DHCP4_MIN_MSG;
	if (limit > cap)
		limit = cap;
	size_t at = m->opt_end;                 /* the END option or where it belongs */
	size_t new_end = at + 2 + body;         /* END goes here */
	if (new_end + 1 > limit)
		return -1;
	size_t new_len = new_end + 1 > len ? new_end + 1 : len;
	/* Anything after END is pad (RFC 2131 §4.1): it is overwritten, and the
	 * bytes between the new END and the old length stay pad. */
	uint8_t *o = buf + at;
	*o++ = DHCP4_OPT_RELAY_AGENT;
	*o++ = (uint8_t)body;
	*o++ = DHCP4_RAI_CIRCUIT_ID;
	*o++ = circuit_len;
	memcpy(o, circuit, circuit_len);
	o += circuit_len;
	if (remote_len) {
		*o++ = DHCP4_RAI_REMOTE_ID;
		*o++ = remote_len;
		memcpy(o, remote, remote_len);
		o += remote_len;
	}
	*o++ = DHCP4_OPT_END;
	memset(o, 0, new_len - (size_t)(o - buf));
	return (int)new_len;
}

size_t dhcp4_strip_relay_agent(uint8_t *buf, size_t len, const struct dhcp4_msg *m)
{
	if (!m->has_relay_agent)
		return len;
	size_t off = m->relay_agent_off, n = 2u + m->relay_agent_len;
	memmove(buf + off, buf + off + n, len - off - n);
	memset(buf + len - n, 0, n);
	return len;
}

int dhcp4_relay_agent_circuit(const uint8_t *buf, const struct dhcp4_msg *m, const uint8_t **out)
{
	if (!m->has_relay_agent)
		return -1;
	const uint8_t *p = buf + m->relay_agent_off + 2;
	size_t n = m->relay_agent_len;
	for (size_t i = 0; i + 2 <= n && i + 2u + p[i + 1] <= n; i += 2u + p[i + 1]) {
		if (p[i] == DHCP4_RAI_CIRCUIT_ID) {
			*out = p + i + 2;
			return p[i + 1];
		}
	}
	return -1;
}

static uint16_t udp_checksum(const uint8_t *ip, const uint8_t *udp, size_t udp_len)
{
	uint32_t sum = inet_csum_add(0, ip + 12, 8);   /* source and destination (RFC 768) */
	sum += IPPROTO_UDP;
	sum += (uint32_t)udp_len;
	sum = inet_csum_add(sum, udp, udp_len);
	uint16_t c = inet_csum_fold(sum);
	return c ? c : 0xffff;                      /* 0 means "no checksum" */
}

size_t dhcp4_build_ipv4_udp(uint8_t *frame, struct in_addr src, struct in_addr dst,
                            uint16_t sport, uint16_t dport, size_t payload_len,
                            uint8_t ttl, uint16_t id)
{
	size_t udp_len = 8 + payload_len, total = 20 + udp_len;
	uint8_t *ip = frame, *udp = frame + 20;
	ip[0] = 0x45;                 /* version 4, 5 words */
	ip[1] = 0;                    /* DSCP/ECN */
	be_put16(ip + 2, (uint16_t)total);
	be_put16(ip + 4, id);
	be_put16(ip + 6, 0);          /* no fragment flags */
	ip[8] = ttl;
	ip[9] = IPPROTO_UDP;
	be_put16(ip + 10, 0);
	memcpy(ip + 12, &src.s_addr, 4);
	memcpy(ip + 16, &dst.s_addr, 4);
	be_put16(ip + 10, inet_csum_fold(inet_csum_add(0, ip, 20)));
	be_put16(udp, sport);
	be_put16(udp + 2, dport);
	be_put16(udp + 4, (uint16_t)udp_len);
	be_put16(udp + 6, 0);
	be_put16(udp + 6, udp_checksum(ip, udp, udp_len));
	return total;
}

int dhcp4_parse_ipv4_udp(const uint8_t *frame, size_t len, size_t *payload_off,
                         size_t *payload_len, struct in_addr *src, struct in_addr *dst,
                         uint16_t *sport, uint16_t *dport)
{
	if (len < 20 || (frame[0] >> 4) != 4)
		return -1;
	size_t ihl = (size_t)(frame[0] & 0x0f) * 4;
	size_t total = be_get16(frame + 2);
	if (ihl < 20 || total < ihl + 8 || total > len || frame[9] != IPPROTO_UDP)
		return -1;
	if ((be_get16(frame + 6) & 0x3fff) != 0)   /* a fragment: not for us */
		return -1;
	const uint8_t *udp = frame + ihl;
	size_t ulen = be_get16(udp + 4);
	if (ulen < 8 || ihl + ulen > total)
		return -1;
	*src = get_addr(frame + 12);
	*dst = get_addr(frame + 16);
	*sport = be_get16(udp);
	*dport = be_get16(udp + 2);
	*payload_off = ihl + 8;
	*payload_len = ulen - 8;
	return 0;
}
