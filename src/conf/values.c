/* Config values: one token -> one checked value, errors at the token.
 *
 * Stricter than ndppd where ndppd is silently wrong: ndppd reads numbers with
 * atoi() ("5oo" is 5, "abc" is 0) and an address it cannot parse as ::/128;
 * both are errors here. Booleans follow ndppd (conf.cc as_bool: "yes" and
 * "true", any case, are true); "no"/"false" are false, and on/off/1/0 are
 * accepted too, with a warning on ndppd keywords where ndppd reads "on" and
 * "1" as false. Anything else is an error rather than ndppd's silent false. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/conf_parser.h"

static bool tok_is(const struct conf_token *t, const char *word)
{
	return strlen(word) == t->len && !strncasecmp(t->text, word, t->len);
}

int conf_val_u32(struct conf_parser *p, const struct conf_token *t, uint32_t min,
                 uint32_t max, uint32_t *out)
{
	char tb[64];
	uint64_t v = 0;
	if (!t->len)
		return conf_fail(p, t->pos, "expected a number, got an empty string");
	for (size_t i = 0; i < t->len; i++) {
		char c = t->text[i];
		if (c < '0' || c > '9')
			return conf_fail(p, t->pos, "'%s' is not a number (digits only)",
			                 conf_tokstr(t, tb, sizeof(tb)));
		v = v * 10 + (uint64_t)(c - '0');
		if (v > UINT32_MAX)
			return conf_fail(p, t->pos, "number '%s' is out of range %u..%u",
			                 conf_tokstr(t, tb, sizeof(tb)), min, max);
	}
	if (v < min || v > max)
		return conf_fail(p, t->pos, "%llu is out of range %u..%u", (unsigned long long)v, min, max);
	*out = (uint32_t)v;
	return 0;
}

int conf_val_lifetime(struct conf_parser *p, const struct conf_token *t, uint32_t *out)
{
	if (tok_is(t, "infinity")) {
		*out = CONF_INFINITY;
		return 0;
	}
	return conf_val_u32(p, t, 0, UINT32_MAX, out);
}

int conf_val_bool(struct conf_parser *p, const struct conf_token *t, bool ndppd_kw, bool *out)
{
	char tb[64];
	if (tok_is(t, "yes") || tok_is(t, "true")) {
		*out = true;
	} else if (tok_is(t, "no") || tok_is(t, "false") || tok_is(t, "off") || tok_is(t, "0")) {
		*out = false;
	} else if (tok_is(t, "on") || tok_is(t, "1")) {
		*out = true;
		if (ndppd_kw)
			conf_warn(p, t->pos, "'%s' read as yes; ndppd 0.2.x reads it as no "
			          "(only yes/true count there): write yes or no",
			          conf_tokstr(t, tb, sizeof(tb)));
	} else {
		return conf_fail(p, t->pos, "'%s' is not a boolean (yes, no, true, false)",
		                 conf_tokstr(t, tb, sizeof(tb)));
	}
	return 0;
}

int conf_val_ifname(struct conf_parser *p, const struct conf_token *t, char out[IF_NAMESIZE])
{
	char tb[64];
	conf_tokstr(t, tb, sizeof(tb));
	if (!t->len)
		return conf_fail(p, t->pos, "empty interface name");
	if (t->len >= IF_NAMESIZE)
		return conf_fail(p, t->pos, "interface name '%s' is longer than %d characters", tb,
		                 IF_NAMESIZE - 1);
	/* Linux (dev_valid_name) refuses "/", ":", blanks, "." and ".."; the
	 * config's own syntax characters are refused too so that conf_print()
	 * can write any stored name back as a bare word. */
	for (size_t i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->text[i];
		if (c <= 0x20 || c >= 0x7f || strchr("/:{};=\"'#", c))
			return conf_fail(p, t->pos, "'%s' is not a valid interface name", tb);
	}
	if (tok_is(t, ".") || tok_is(t, ".."))
		return conf_fail(p, t->pos, "'%s' is not a valid interface name", tb);
	memcpy(out, t->text, t->len);
	out[t->len] = 0;
	return 0;
}

static bool parse_addr(const char *text, size_t len, struct in6_addr *addr)
{
	char buf[INET6_ADDRSTRLEN];
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, text, len);
	buf[len] = 0;
	return inet_pton(AF_INET6, buf, addr) == 1;
}

int conf_val_addr(struct conf_parser *p, const struct conf_token *t, struct in6_addr *addr)
{
	char tb[64];
	if (!parse_addr(t->text, t->len, addr))
		return conf_fail(p, t->pos, "'%s' is not an IPv6 address", conf_tokstr(t, tb, sizeof(tb)));
	return 0;
}

int conf_val_prefix(struct conf_parser *p, const struct conf_token *t, struct in6_addr *addr,
                    uint8_t *plen, bool *had_len, bool *host_bits)
{
	char tb[64];
	const char *slash = memchr(t->text, '/', t->len);
	size_t alen = slash ? (size_t)(slash - t->text) : t->len;
	if (!parse_addr(t->text, alen, addr))
		return conf_fail(p, t->pos, "'%s' is not an IPv6 address or prefix",
		                 conf_tokstr(t, tb, sizeof(tb)));
	unsigned len = 128;
	*had_len = slash != NULL;
	if (slash) {
		size_t n = t->len - alen - 1;
		const char *d = slash + 1;
		if (!n)
			return conf_fail(p, t->pos, "'%s' has no prefix length after '/'",
			                 conf_tokstr(t, tb, sizeof(tb)));
		len = 0;
		for (size_t i = 0; i < n; i++) {
			if (d[i] < '0' || d[i] > '9')
				return conf_fail(p, t->pos, "prefix length in '%s' is not a number",
				                 conf_tokstr(t, tb, sizeof(tb)));
			if (len <= 128)
				len = len * 10 + (unsigned)(d[i] - '0');
		}
		if (len > 128)
			return conf_fail(p, t->pos, "prefix length in '%s' is out of range 0..128",
			                 conf_tokstr(t, tb, sizeof(tb)));
	}
	*plen = (uint8_t)len;
	*host_bits = false;
	for (unsigned bit = len; bit < 128; bit++) {
		uint8_t mask = (uint8_t)(0x80u >> (bit % 8));
		if (addr->s6_addr[bit / 8] & mask) {
			*host_bits = true;
			addr->s6_addr[bit / 8] &= (uint8_t)~mask;
		}
	}
	return 0;
}

static bool is_label_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int conf_val_service(struct conf_parser *p, const struct conf_token *t, char out[64])
{
	char tb[64];
	/* "_name._tcp" or "_name._udp" (RFC 6763 section 7); names longer than
	 * RFC 6335's 15 characters exist in the wild, so up to a DNS label. */
	size_t n = t->len;
	const char *s = t->text;
	bool ok = n >= 7 && n < 64 && s[0] == '_' && s[n - 5] == '.' && s[n - 4] == '_' &&
	          (!strncasecmp(s + n - 3, "tcp", 3) || !strncasecmp(s + n - 3, "udp", 3));
	for (size_t i = 1; ok && i < n - 5; i++)
		ok = is_label_byte(s[i]);
	if (!ok)
		return conf_fail(p, t->pos, "'%s' is not a service type like _ssh._tcp",
		                 conf_tokstr(t, tb, sizeof(tb)));
	memcpy(out, s, n);
	out[n] = 0;
	return 0;
}

int conf_val_domain(struct conf_parser *p, const struct conf_token *t, char out[256])
{
	char tb[64];
	size_t n = t->len;
	if (n > 1 && t->text[n - 1] == '.')
		n--; /* "example.org." is "example.org" */
	bool ok = n > 0 && n <= 253;
	size_t label = 0;
	for (size_t i = 0; ok && i < n; i++) {
		char c = t->text[i];
		if (c == '.') {
			ok = label > 0;
			label = 0;
		} else {
			ok = is_label_byte(c) && ++label <= 63;
		}
	}
	if (!ok || !label)
		return conf_fail(p, t->pos, "'%s' is not a domain name", conf_tokstr(t, tb, sizeof(tb)));
	memcpy(out, t->text, n);
	out[n] = 0;
	return 0;
}

int conf_kw_u32(struct conf_parser *p, const struct conf_token *kw, uint32_t min, uint32_t max,
                uint32_t *out)
{
	struct conf_token v;
	if (conf_arg(p, kw, &v) < 0)
		return -1;
	return conf_val_u32(p, &v, min, max, out);
}

int conf_kw_bool(struct conf_parser *p, const struct conf_token *kw, bool ndppd_kw, bool *out)
{
	struct conf_token v;
	if (conf_arg(p, kw, &v) < 0)
		return -1;
	return conf_val_bool(p, &v, ndppd_kw, out);
}

int conf_kw_ifname(struct conf_parser *p, const struct conf_token *kw, struct conf_token *name,
                   char out[IF_NAMESIZE])
{
	if (conf_arg(p, kw, name) < 0)
		return -1;
	return conf_val_ifname(p, name, out);
}

int conf_kw_one_ifname(struct conf_parser *p, const struct conf_token *kw, struct conf_token *name,
                       char out[IF_NAMESIZE])
{
	char kb[64];
	if (conf_kw_ifname(p, kw, name, out) < 0)
		return -1;
	if (conf_iface_is_pattern(out))
		return conf_fail(p, name->pos, "'%s' is a pattern: '%s' names one interface "
		                 "(patterns are for downstream links: rule iface, ra-relay iface, mdns iface)",
		                 out, conf_tokstr(kw, kb, sizeof(kb)));
	return 0;
}

int conf_check_not_upstream(struct conf_parser *p, const struct conf_token *name,
                            const char *down, const char *upstream, const char *what)
{
	if (!conf_iface_matches(down, upstream))
		return 0;
	if (conf_iface_is_pattern(down))
		return conf_fail(p, name->pos, "pattern '%s' matches %s '%s' itself: a downstream "
		                 "must never be the upstream", down, what, upstream);
	return 1; /* the same name: the caller words its own error */
}

void conf_format_prefix(const struct in6_addr *a, uint8_t plen, char *buf, size_t cap)
{
	char s[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, a, s, sizeof(s)))
		snprintf(s, sizeof(s), "::");
	snprintf(buf, cap, "%s/%u", s, (unsigned)plen);
}

static const char *const answer_from_names[] = { "link-local", "target" };

const char *conf_answer_from_name(enum conf_answer_from a)
{
	return (unsigned)a < sizeof(answer_from_names) / sizeof(answer_from_names[0]) ? answer_from_names[a] : "?";
}

int conf_kw_answer_from(struct conf_parser *p, const struct conf_token *kw, enum conf_answer_from *out)
{
	struct conf_token v;
	char tb[64];
	if (conf_arg(p, kw, &v) < 0)
		return -1;
	for (unsigned i = 0; i < sizeof(answer_from_names) / sizeof(answer_from_names[0]); i++) {
		if (tok_is(&v, answer_from_names[i])) {
			*out = (enum conf_answer_from)i;
			return 0;
		}
	}
	return conf_fail(p, v.pos, "'%s' is not link-local or target", conf_tokstr(&v, tb, sizeof(tb)));
}

int conf_val_listen(struct conf_parser *p, const struct conf_token *t, struct conf_listen *out)
{
	char buf[INET6_ADDRSTRLEN + 16], host[INET6_ADDRSTRLEN + 1];
	char tok[40];
	const char *why = "expected ADDRESS:PORT (127.0.0.1:9642 or [::1]:9642)";
	if (t->len >= sizeof(buf))
		return conf_fail(p, t->pos, "%s: %s", conf_tokstr(t, tok, sizeof(tok)), why);
	memcpy(buf, t->text, t->len);
	buf[t->len] = 0;
	char *colon = strrchr(buf, ':');
	if (!colon)
		return conf_fail(p, t->pos, "%s: %s", conf_tokstr(t, tok, sizeof(tok)), why);
	*colon = 0;
	const char *ports = colon + 1;
	*out = (struct conf_listen){ 0 };
	if (buf[0] == '[') {
		size_t hl = strlen(buf);
		if (hl < 3 || buf[hl - 1] != ']' || hl - 2 >= sizeof(host))
			return conf_fail(p, t->pos, "%s: %s", conf_tokstr(t, tok, sizeof(tok)), why);
		memcpy(host, buf + 1, hl - 2);
		host[hl - 2] = 0;
		if (inet_pton(AF_INET6, host, out->addr) != 1)
			return conf_fail(p, t->pos, "%s: not an IPv6 address", conf_tokstr(t, tok, sizeof(tok)));
		out->family = AF_INET6;
	} else if (inet_pton(AF_INET, buf, out->addr) == 1) {
		out->family = AF_INET;
	} else {
		return conf_fail(p, t->pos, "%s: %s%s", conf_tokstr(t, tok, sizeof(tok)), why,
		                 strchr(buf, ':') ? " (an IPv6 address goes in brackets)" : "");
	}
	unsigned long port = 0;
	size_t i = 0;
	for (; ports[i] >= '0' && ports[i] <= '9' && i < 6; i++)
		port = port * 10 + (unsigned long)(ports[i] - '0');
	if (i == 0 || ports[i] || port < 1 || port > 65535)
		return conf_fail(p, t->pos, "%s: the port must be 1-65535", conf_tokstr(t, tok, sizeof(tok)));
	out->port = (uint16_t)port;
	return 0;
}

void conf_listen_format(const struct conf_listen *l, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	if (!l->family || !inet_ntop(l->family, l->addr, a, sizeof(a))) {
		snprintf(buf, cap, "off");
		return;
	}
	snprintf(buf, cap, l->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, l->port);
}
