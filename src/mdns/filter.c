/* Record classification and filters for the reflector: see filter.h. */
#include "mdns/filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static bool bytes_equal_ci(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

uint64_t mdns_name_hash(const struct dns_name *n)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < n->len; i++)
		h = (h ^ lower(n->wire[i])) * 1099511628211ull;
	return h;
}

/* Label i of a name as (start offset) list; returns the count. */
static unsigned label_starts(const struct dns_name *n, uint8_t *starts)
{
	unsigned k = 0;
	for (size_t p = 0; p < n->len && n->wire[p] != 0; p += 1u + n->wire[p])
		starts[k++] = (uint8_t)p;
	return k;
}

static bool label_is(const struct dns_name *n, uint8_t start, const char *text)
{
	size_t len = strlen(text);
	return n->wire[start] == len && bytes_equal_ci(n->wire + start + 1, (const uint8_t *)text, len);
}

/* DNS-SD service type (RFC 6763 §7): the rightmost "_tcp"/"_udp" label
 * with an underscore label before it. Sets *end past the proto label and
 * *app_start at the application label; false when there is none. */
static bool find_service(const struct dns_name *n, size_t *end, uint8_t *app_start)
{
	uint8_t starts[DNS_NAME_MAX / 2 + 1];
	unsigned k = label_starts(n, starts);
	for (unsigned i = k; i-- > 1;) {
		uint8_t s = starts[i], prev = starts[i - 1];
		if ((label_is(n, s, "_tcp") || label_is(n, s, "_udp")) &&
		    n->wire[prev] > 0 && n->wire[prev + 1] == '_') {
			*end = (size_t)s + 1 + n->wire[s];
			*app_start = prev;
			return true;
		}
	}
	return false;
}

static void classify_service(const struct dns_rr *rr, struct mdns_rr_info *info)
{
	size_t end;
	uint8_t app;

	info->svc = NULL;
	info->svc_len = 0;
	if (!find_service(&rr->name, &end, &app))
		return;
	if (label_is(&rr->name, app, "_dns-sd")) {
		/* Service enumeration (RFC 6763 §9): the PTR's target is the
		 * type it advertises. Questions for it and the browse-domain
		 * records (b._dns-sd._udp ...) belong to no service. */
		if (rr->type != DNS_TYPE_PTR || rr->n_names == 0 || app == 0 ||
		    !label_is(&rr->name, 0, "_services"))
			return;
		if (!find_service(&rr->rname[0], &end, &app))
			return;
		info->svc = rr->rname[0].wire;
	} else {
		info->svc = rr->name.wire;
	}
	info->svc_len = (uint8_t)end;
}

static enum mdns_addr_class class_of_v4(const uint8_t *a)
{
	if (a[0] == 0 || a[0] == 127 || a[0] >= 224)
		return MDNS_ADDR_HOSTONLY;
	if (a[0] == 169 && a[1] == 254)
		return MDNS_ADDR_LINKLOCAL;
	if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168))
		return MDNS_ADDR_PRIVATE4;
	return MDNS_ADDR_GLOBAL;
}

static enum mdns_addr_class class_of_v6(const uint8_t *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t zero[15];
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return MDNS_ADDR_LINKLOCAL;
	if ((a[0] & 0xfe) == 0xfc)
		return MDNS_ADDR_ULA;
	if (a[0] == 0xff)
		return MDNS_ADDR_HOSTONLY;
	if (memcmp(a, mapped, 12) == 0)
		return class_of_v4(a + 12);
	if (memcmp(a, zero, 15) == 0 && a[15] <= 1)
		return MDNS_ADDR_HOSTONLY;   /* :: and ::1 */
	return MDNS_ADDR_GLOBAL;
}

static int hex_nibble(uint8_t c)
{
	c = lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The address a full reverse-lookup name stands for:
 * d.c.b.a.in-addr.arpa or 32 nibbles + ip6.arpa. */
static enum mdns_addr_class class_of_reverse(const struct dns_name *n)
{
	uint8_t starts[DNS_NAME_MAX / 2 + 1];
	unsigned k = label_starts(n, starts);
	if (k == 6 && label_is(n, starts[4], "in-addr") && label_is(n, starts[5], "arpa")) {
		uint8_t a[4];
		for (unsigned i = 0; i < 4; i++) {
			uint8_t len = n->wire[starts[i]];
			unsigned v = 0;
			if (len == 0 || len > 3)
				return MDNS_ADDR_NONE;
			for (unsigned j = 1; j <= len; j++) {
				uint8_t c = n->wire[starts[i] + j];
				if (c < '0' || c > '9')
					return MDNS_ADDR_NONE;
				v = v * 10 + (c - '0');
			}
			if (v > 255)
				return MDNS_ADDR_NONE;
			a[3 - i] = (uint8_t)v;
		}
		return class_of_v4(a);
	}
	if (k == 34 && label_is(n, starts[32], "ip6") && label_is(n, starts[33], "arpa")) {
		uint8_t a[16] = { 0 };
		for (unsigned i = 0; i < 32; i++) {
			int v = n->wire[starts[i]] == 1 ? hex_nibble(n->wire[starts[i] + 1]) : -1;
			if (v < 0)
				return MDNS_ADDR_NONE;
			unsigned nib = 31 - i; /* first label is the lowest nibble */
			a[nib / 2] |= (uint8_t)(nib % 2 ? v : v << 4);
		}
		return class_of_v6(a);
	}
	return MDNS_ADDR_NONE;
}

void mdns_rr_classify(const struct dns_rr *rr, struct mdns_rr_info *info)
{
	info->owner_hash = mdns_name_hash(&rr->name);
	info->target_hash = rr->n_names ? mdns_name_hash(&rr->rname[0]) : 0;
	classify_service(rr, info);

	enum mdns_addr_class c = MDNS_ADDR_NONE;
	if (rr->section != DNS_SEC_QUESTION) {
		if (rr->type == DNS_TYPE_A && rr->rdlen == 4)
			c = class_of_v4(rr->rdata);
		else if (rr->type == DNS_TYPE_AAAA && rr->rdlen == 16)
			c = class_of_v6(rr->rdata);
	}
	if (c == MDNS_ADDR_NONE)
		c = class_of_reverse(&rr->name);
	info->addr_class = (uint8_t)c;
}

int mdns_filter_compile(const struct conf_mdns_filter *cf, size_t n, struct mdns_filter_set *out)
{
	out->n = 0;
	out->f = NULL;
	out->any_allow = false;
	if (n == 0)
		return 0;
	out->f = calloc(n, sizeof(*out->f));
	if (!out->f)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct dns_name name;
		char text[sizeof(cf[i].service) + 1];
		memcpy(text, cf[i].service, sizeof(cf[i].service));
		text[sizeof(cf[i].service)] = '\0';
		if (dns_name_from_text(text, &name) < 0 || name.len <= 1) {
			mdns_filter_free(out);
			return -EINVAL;
		}
		uint8_t starts[DNS_NAME_MAX / 2 + 1];
		unsigned k = label_starts(&name, starts);
		size_t len = (size_t)name.len - 1;     /* without the root */
		if (k > 1 && label_is(&name, starts[k - 1], "local"))
			len = starts[k - 1];
		struct mdns_svc_filter *f = &out->f[out->n++];
		f->len = (uint8_t)len;
		memcpy(f->labels, name.wire, len);
		f->allow = cf[i].allow;
		out->any_allow |= f->allow;
	}
	return 0;
}

void mdns_filter_free(struct mdns_filter_set *s)
{
	free(s->f);
	s->f = NULL;
	s->n = 0;
	s->any_allow = false;
}

/* The filter's labels are the last labels of the service prefix. */
static bool svc_matches(const uint8_t *svc, uint8_t svc_len, const struct mdns_svc_filter *f)
{
	if (f->len > svc_len)
		return false;
	size_t start = (size_t)svc_len - f->len, p = 0;
	while (p < start)
		p += 1u + svc[p];
	return p == start && bytes_equal_ci(svc + start, f->labels, f->len);
}

bool mdns_filter_allows(const struct mdns_filter_set *s, const struct mdns_rr_info *info)
{
	if (!info->svc || s->n == 0)
		return true;
	bool allowed = !s->any_allow;
	for (size_t i = 0; i < s->n; i++) {
		if (!svc_matches(info->svc, info->svc_len, &s->f[i]))
			continue;
		if (!s->f[i].allow)
			return false;
		allowed = true;
	}
	return allowed;
}

/* Did the message carry records of `types` owned by rr's target, and did
 * every one of them lose its keep flag? */
static bool target_lost(const struct dns_msg *m, const struct mdns_rr_info *info,
                        const bool *keep, unsigned i, uint16_t t1, uint16_t t2)
{
	unsigned had = 0;
	for (unsigned j = 0; j < m->n_rr; j++) {
		const struct dns_rr *o = &m->rr[j];
		if (o->section == DNS_SEC_QUESTION || (o->type != t1 && o->type != t2) ||
		    info[j].owner_hash != info[i].target_hash ||
		    !dns_name_equal(&o->name, &m->rr[i].rname[0]))
			continue;
		if (keep[j])
			return false;
		had++;
	}
	return had > 0;
}

unsigned mdns_drop_dangling(const struct dns_msg *m, const struct mdns_rr_info *info, bool *keep)
{
	unsigned cleared = 0;
	/* SRV first: a PTR decision depends on which SRVs survive. */
	for (unsigned i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (keep[i] && rr->type == DNS_TYPE_SRV && rr->n_names &&
		    rr->section != DNS_SEC_QUESTION &&
		    target_lost(m, info, keep, i, DNS_TYPE_A, DNS_TYPE_AAAA)) {
			keep[i] = false;
			cleared++;
		}
	}
	for (unsigned i = 0; i < m->n_rr; i++) {
		const struct dns_rr *rr = &m->rr[i];
		if (keep[i] && rr->type == DNS_TYPE_PTR && rr->n_names &&
		    rr->section != DNS_SEC_QUESTION &&
		    target_lost(m, info, keep, i, DNS_TYPE_SRV, DNS_TYPE_SRV)) {
			keep[i] = false;
			cleared++;
		}
	}
	return cleared;
}
