/* The lease file: a few lines of text, one fact a line, so an operator can
 * read it and a restart can continue the lease:
 *
 *   islandd-pd-lease 1
 *   wall 1764780000
 *   iaid 305419896
 *   server-duid 00:01:00:01:...
 *   server fe80::1
 *   t1 1800
 *   t2 2880
 *   prefix 2001:db8:100:1200::/56 3600 7200
 *   dns 2001:db8::53
 *   domain example.org
 *
 * Lifetimes count from `wall` (seconds since the epoch). Unknown lines
 * are skipped, so a newer file stays readable. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6pd/pd.h"

#define PD_FILE_MAGIC "islandd-pd-lease 1"

size_t pd_saved_format(const struct pd_saved *s, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN], duid[3 * DHCP6_DUID_MAX];
	size_t n = 0;
#define OUT(...) do { \
		int k_ = snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__); \
		if (k_ < 0) return 0; \
		n += (size_t)k_; \
	} while (0)
	dhcp6_duid_format(&s->server_id, duid, sizeof(duid));
	inet_ntop(AF_INET6, &s->server, a, sizeof(a));
	OUT("%s\nwall %" PRIu64 "\niaid %" PRIu32 "\nserver-duid %s\nserver %s\nt1 %" PRIu32
	    "\nt2 %" PRIu32 "\n", PD_FILE_MAGIC, s->wall, s->iaid, duid, a, s->t1, s->t2);
	for (size_t i = 0; i < s->lease.n_prefixes && i < PD_LEASE_MAX_PREFIXES; i++) {
		const struct pd_prefix *p = &s->lease.prefixes[i];
		inet_ntop(AF_INET6, &p->prefix, a, sizeof(a));
		OUT("prefix %s/%u %" PRIu32 " %" PRIu32 "\n", a, p->plen, p->preferred_s, p->valid_s);
	}
	for (size_t i = 0; i < s->lease.n_dns && i < PD_LEASE_MAX_DNS; i++) {
		inet_ntop(AF_INET6, &s->lease.dns[i], a, sizeof(a));
		OUT("dns %s\n", a);
	}
	for (size_t i = 0; i < s->lease.n_domains && i < PD_LEASE_MAX_DOMAINS; i++)
		OUT("domain %s\n", s->lease.domains[i]);
#undef OUT
	return n < cap ? n : 0;
}

static bool u32_of(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int parse_line(char *line, struct pd_saved *s)
{
	char *val = strchr(line, ' ');
	if (!val)
		return 0;
	*val++ = 0;
	if (!strcmp(line, "wall")) {
		char *end;
		s->wall = strtoull(val, &end, 10);
		return *end ? -1 : 0;
	}
	if (!strcmp(line, "iaid"))
		return u32_of(val, &s->iaid) ? 0 : -1;
	if (!strcmp(line, "t1"))
		return u32_of(val, &s->t1) ? 0 : -1;
	if (!strcmp(line, "t2"))
		return u32_of(val, &s->t2) ? 0 : -1;
	if (!strcmp(line, "server-duid"))
		return dhcp6_duid_parse_text(val, &s->server_id);
	if (!strcmp(line, "server"))
		return inet_pton(AF_INET6, val, &s->server) == 1 ? 0 : -1;
	if (!strcmp(line, "dns")) {
		if (s->lease.n_dns == PD_LEASE_MAX_DNS)
			return 0;
		return inet_pton(AF_INET6, val, &s->lease.dns[s->lease.n_dns++]) == 1 ? 0 : -1;
	}
	if (!strcmp(line, "domain")) {
		if (s->lease.n_domains == PD_LEASE_MAX_DOMAINS || strlen(val) >= PD_LEASE_DOMAIN_LEN)
			return 0;
		strcpy(s->lease.domains[s->lease.n_domains++], val);
		return 0;
	}
	if (!strcmp(line, "prefix")) {
		if (s->lease.n_prefixes == PD_LEASE_MAX_PREFIXES)
			return 0;
		struct pd_prefix *p = &s->lease.prefixes[s->lease.n_prefixes];
		char *slash = strchr(val, '/'), *sp1 = slash ? strchr(slash, ' ') : NULL;
		char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		uint32_t plen;
		if (!sp2)
			return -1;
		*slash = *sp1 = *sp2 = 0;
		if (inet_pton(AF_INET6, val, &p->prefix) != 1 || !u32_of(slash + 1, &plen) ||
		    plen < PD_MIN_PLEN || plen > PD_MAX_PLEN || !u32_of(sp1 + 1, &p->preferred_s) ||
		    !u32_of(sp2 + 1, &p->valid_s))
			return -1;
		p->plen = (uint8_t)plen;
		s->lease.n_prefixes++;
		return 0;
	}
	return 0;
}

int pd_saved_parse(const char *text, size_t len, struct pd_saved *s)
{
	memset(s, 0, sizeof(*s));
	char line[512];
	size_t off = 0, lineno = 0;
	while (off < len) {
		size_t end = off;
		while (end < len && text[end] != '\n')
			end++;
		size_t n = end - off;
		if (n >= sizeof(line))
			return -1;
		memcpy(line, text + off, n);
		line[n] = 0;
		off = end + 1;
		if (lineno++ == 0) {
			if (strcmp(line, PD_FILE_MAGIC))
				return -1;
			continue;
		}
		if (n && parse_line(line, s) < 0)
			return -1;
	}
	return lineno && s->server_id.len && s->lease.n_prefixes ? 0 : -1;
}
