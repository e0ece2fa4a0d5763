/* JSON views to Prometheus text (ctl/prom.h). The views' documents are
 * walked as text (no tree, nothing allocated); where a number lands in a
 * document names its metric:
 *   - members of a "counters" object (and of stats' "arp" object:
 *     islandd_arp_*): islandd_<engine>_<key>_total, with
 *     the ND drop reasons (drop_*) and mDNS "drops"/"dns_drops" as one
 *     metric with a reason label, and the few gauges among them;
 *   - members of objects in a known array (ports, interfaces, relays,
 *     downstreams, adverts, routers, prefixes...): per-interface or
 *     per-prefix samples, labelled by the object's first string member;
 *   - remaining lifetimes become expiry timestamps in Unix time.
 * A counter added to an engine's counter list therefore appears here too. */
#include "ctl/prom.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WALK_DEPTH_MAX 16
#define KEY_MAX 48
#define FRAME_LABELS_MAX 256

void prom_begin(struct prom *p, int64_t now_unix)
{
	p->now_unix = now_unix;
	p->n_families = p->n_samples = p->labels_len = 0;
	p->lost = 0;
}

static struct prom_family *family(struct prom *p, const char *name, enum prom_type type, const char *help)
{
	/* samples of one family usually come together: look at the last one first */
	if (p->n_families && strcmp(p->families[p->n_families - 1].name, name) == 0)
		return &p->families[p->n_families - 1];
	for (size_t i = 0; i < p->n_families; i++)
		if (strcmp(p->families[i].name, name) == 0)
			return &p->families[i];
	if (p->n_families == PROM_FAMILIES_MAX || strlen(name) >= PROM_NAME_MAX)
		return NULL;
	struct prom_family *f = &p->families[p->n_families++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(f->help, sizeof(f->help), "%s", help);
	f->type = type;
	f->head = f->tail = -1;
	return f;
}

void prom_add(struct prom *p, const char *name, enum prom_type type, const char *help,
              const char *labels, double value)
{
	size_t ll = strlen(labels);
	struct prom_family *f = family(p, name, type, help);
	if (!f || p->n_samples == PROM_SAMPLES_MAX || ll > PROM_LABELS_ARENA - p->labels_len) {
		p->lost++;
		return;
	}
	int i = (int)p->n_samples++;
	struct prom_sample *s = &p->samples[i];
	*s = (struct prom_sample){ .next = -1, .labels_off = (uint32_t)p->labels_len,
	                           .labels_len = (uint32_t)ll, .value = value };
	memcpy(p->labels + p->labels_len, labels, ll);
	p->labels_len += ll;
	if (f->tail < 0)
		f->head = i;
	else
		p->samples[f->tail].next = i;
	f->tail = i;
}

void prom_label(char *buf, size_t cap, const char *key, const char *value)
{
	size_t n = strlen(buf);
	if (n >= cap)
		return;
	int w = snprintf(buf + n, cap - n, "%s%s=\"", n ? "," : "", key);
	if (w < 0 || (size_t)w >= cap - n) {
		buf[n] = 0;
		return;
	}
	n += (size_t)w;
	for (; *value && n + 3 < cap; value++) {
		if (*value == '\\' || *value == '"') {
			buf[n++] = '\\';
			buf[n++] = *value;
		} else if (*value == '\n') {
			buf[n++] = '\\';
			buf[n++] = 'n';
		} else {
			buf[n++] = *value;
		}
	}
	if (n + 2 > cap) {
		buf[0] = 0; /* a cut label would be wrong: drop them all */
		return;
	}
	buf[n++] = '"';
	buf[n] = 0;
}

/* ---- the walk ---- */

struct frame {
	char key[KEY_MAX];       /* this container's key (an array element: the array's) */
	bool is_arr;
	bool labelled;           /* an object in an array: its first string is its label */
	char labels[FRAME_LABELS_MAX];
};

struct walk {
	struct prom *p;
	const char *view;
	const char *s, *end;
	int depth;               /* frames in use */
	struct frame f[WALK_DEPTH_MAX];
	bool bad;
};

/* The label name the elements of array `key` are known by; NULL: elements
 * of this array produce no samples. */
static const char *array_label(const char *key)
{
	static const char *const map[][2] = {
		{ "ports", "interface" }, { "interfaces", "interface" },
		{ "relays", "upstream" }, { "downstreams", "interface" },
		{ "adverts", "interface" }, { "routers", "router" },
		{ "prefixes", "prefix" }, { "routes", "route" },
		{ "rdnss", "server" }, { "pref64", "prefix" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], key) == 0)
			return map[i][1];
	return NULL;
}

static bool in_array(const struct walk *w, const char *key)
{
	for (int i = 1; i < w->depth; i++)
		if (!w->f[i].is_arr && strcmp(w->f[i].key, key) == 0 && w->f[i - 1].is_arr)
			return true;
	return false;
}

static void add(struct walk *w, const char *name, enum prom_type type, const char *help,
                const char *labels, double v)
{
	prom_add(w->p, name, type, help, labels, v);
}

static bool one_of(const char *key, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(*list, key) == 0)
			return true;
	return false;
}

/* A key as a metric name part: "ns" would read as nanoseconds (promtool
 * refuses it), so ND message names are spelled out. */
static const char *name_part(const char *key, char *buf, size_t cap)
{
	size_t n = 0;
	for (const char *p = key; *p && n + 1 < cap;) {
		size_t t = strcspn(p, "_");
		const char *word = t == 2 && memcmp(p, "ns", 2) == 0 ? "solicit" :
		                   t == 2 && memcmp(p, "na", 2) == 0 ? "advert" : NULL;
		int w = word ? snprintf(buf + n, cap - n, "%s", word) : snprintf(buf + n, cap - n, "%.*s", (int)t, p);
		if (w < 0 || (size_t)w >= cap - n)
			break;
		n += (size_t)w;
		p += t;
		if (*p == '_' && n + 1 < cap) {
			buf[n++] = '_';
			p++;
		}
	}
	buf[n] = 0;
	return buf;
}

/* A number at key in the innermost object. */
static void on_number(struct walk *w, const char *key, double v)
{
	const struct frame *o = &w->f[w->depth - 1];
	const char *labels = o->labels;
	char name[PROM_NAME_MAX + 32], l[FRAME_LABELS_MAX + 64];
	static const char *const nd_gauges[] = { "sessions", "dead_targets", "groups", NULL };
	const char *view = w->view;
	int d = w->depth;
	char part[KEY_MAX * 2];
	const char *raw = key; /* label values keep the views' spelling */
	key = name_part(key, part, sizeof(part));

	if (o->is_arr)
		return; /* numbers in arrays carry no name */
	if (strcmp(view, "status") == 0 && d == 1) {
		if (strcmp(key, "uptime_ms") == 0)
			add(w, "islandd_uptime_seconds", PROM_GAUGE, "Seconds since the daemon started", "", v / 1000.0);
		else if (strcmp(key, "reloads") == 0)
			add(w, "islandd_reloads_total", PROM_COUNTER, "Configuration reloads that took effect", "", v);
		else if (strcmp(key, "reload_failures") == 0)
			add(w, "islandd_reload_failures_total", PROM_COUNTER, "Configuration reloads refused", "", v);
		else if (strcmp(key, "loop_wakeups") == 0)
			add(w, "islandd_loop_wakeups_total", PROM_COUNTER, "Event loop wake-ups", "", v);
		return;
	}
	if (strcmp(view, "stats") == 0) {
		if (d == 2 && strcmp(o->key, "counters") == 0) {
			if (strncmp(key, "drop_", 5) == 0) {
				l[0] = 0;
				prom_label(l, sizeof(l), "reason", raw + 5);
				add(w, "islandd_nd_dropped_total", PROM_COUNTER, "ND packets dropped, by reason", l, v);
			} else if (strncmp(key, "ctl_", 4) == 0) {
				snprintf(name, sizeof(name), "islandd_ctl_%s_total", key + 4);
				add(w, name, PROM_COUNTER, "Control socket counter (islandctl stats)", "", v);
			} else if (one_of(key, nd_gauges)) {
				snprintf(name, sizeof(name), "islandd_nd_%s", key);
				add(w, name, PROM_GAUGE, "NDP proxy table size now (islandctl stats)", "", v);
			} else {
				snprintf(name, sizeof(name), "islandd_nd_%s_total", key);
				add(w, name, PROM_COUNTER, "NDP proxy counter (islandctl stats)", "", v);
			}
		} else if (d == 2 && strcmp(o->key, "arp") == 0) {
			static const char *const arp_gauges[] = { "sessions", "dead_targets", "sockets", NULL };
			if (strncmp(key, "drop_", 5) == 0) {
				l[0] = 0;
				prom_label(l, sizeof(l), "reason", raw + 5);
				add(w, "islandd_arp_dropped_total", PROM_COUNTER, "ARP frames dropped, by reason", l, v);
			} else if (one_of(key, arp_gauges)) {
				snprintf(name, sizeof(name), "islandd_arp_%s", key);
				add(w, name, PROM_GAUGE, "Proxy ARP table size now (islandctl stats)", "", v);
			} else {
				snprintf(name, sizeof(name), "islandd_arp_%s_total", key);
				add(w, name, PROM_COUNTER, "Proxy ARP counter (islandctl stats)", "", v);
			}
		} else if (d == 2 && strcmp(o->key, "metrics") == 0) {
			snprintf(name, sizeof(name), "islandd_metrics_%s_total", key);
			add(w, name, PROM_COUNTER, "Metrics listener counter (islandctl stats)", "", v);
		} else if (d == 2 && strcmp(o->key, "dhcp4") == 0) {
			static const char *const dhcp4_gauges[] = { "pending", "leases", NULL };
			if (strncmp(key, "drop_", 5) == 0) {
				l[0] = 0;
				prom_label(l, sizeof(l), "reason", raw + 5);
				add(w, "islandd_dhcp4_dropped_total", PROM_COUNTER, "DHCPv4 messages dropped, by reason", l, v);
			} else if (one_of(key, dhcp4_gauges)) {
				snprintf(name, sizeof(name), "islandd_dhcp4_%s", key);
				add(w, name, PROM_GAUGE, "DHCPv4 relay table size now (islandctl stats)", "", v);
			} else {
				snprintf(name, sizeof(name), "islandd_dhcp4_%s_total", key);
				add(w, name, PROM_COUNTER, "DHCPv4 relay counter (islandctl stats)", "", v);
			}
		} else if (d == 2 && strcmp(o->key, "netlink") == 0) {
			snprintf(name, sizeof(name), "islandd_netlink_%s_total", key);
			add(w, name, PROM_COUNTER, "Netlink socket counter (islandctl stats)", "", v);
		} else if (d == 2 && strcmp(o->key, "pd") == 0) {
			snprintf(name, sizeof(name), "islandd_pd_%s_total", key);
			add(w, name, PROM_COUNTER, "DHCPv6-PD client counter (islandctl stats)", "", v);
		} else if (d == 3 && strcmp(o->key, "ports") == 0 && o->labelled) {
			snprintf(name, sizeof(name), "islandd_nd_port_%s_total", key);
			add(w, name, PROM_COUNTER, "ND packet socket counter per interface", labels, v);
		}
		return;
	}
	if (strcmp(view, "mdns") == 0) {
		if (d == 2 && strcmp(o->key, "counters") == 0) {
			snprintf(name, sizeof(name), "islandd_mdns_%s_total", key);
			add(w, name, PROM_COUNTER, "mDNS reflector counter (islandctl mdns)", "", v);
		} else if (d == 3 && (strcmp(o->key, "drops") == 0 || strcmp(o->key, "dns_drops") == 0)) {
			l[0] = 0;
			prom_label(l, sizeof(l), "reason", raw);
			bool dns = o->key[0] == 'd' && o->key[1] == 'n';
			add(w, dns ? "islandd_mdns_dns_dropped_total" : "islandd_mdns_dropped_total", PROM_COUNTER,
			    dns ? "mDNS messages dropped by the DNS parser, by reason" : "mDNS packets dropped, by reason",
			    l, v);
		} else if (d == 3 && strcmp(o->key, "interfaces") == 0 && o->labelled) {
			static const char *const per_if[] = { "rx", "tx", "dropped", "rate_limited", "tx_errors", NULL };
			if (!one_of(key, per_if))
				return;
			snprintf(name, sizeof(name), "islandd_mdns_interface_%s_total", key);
			add(w, name, PROM_COUNTER, "mDNS reflector counter per interface", labels, v);
		}
		return;
	}
	if (strcmp(view, "ra") != 0)
		return;
	if (d == 2 && strcmp(o->key, "counters") == 0) {
		snprintf(name, sizeof(name), "islandd_ra_%s_total", key);
		add(w, name, PROM_COUNTER, "Router Advertisement engine counter (islandctl ra)", "", v);
		return;
	}
	if (!o->labelled)
		return;
	bool relayed = in_array(w, "relays");
	if (strcmp(key, "ras_sent") == 0 && (strcmp(o->key, "adverts") == 0 || strcmp(o->key, "downstreams") == 0))
		add(w, "islandd_ra_adverts_sent_total", PROM_COUNTER, "Router Advertisements sent per interface", labels, v);
	else if (strcmp(key, "rs_received") == 0 && (strcmp(o->key, "adverts") == 0 || strcmp(o->key, "downstreams") == 0))
		add(w, "islandd_ra_solicits_received_total", PROM_COUNTER, "Router Solicitations received per interface", labels, v);
	else if (strcmp(key, "host_count") == 0 && strcmp(o->key, "downstreams") == 0)
		add(w, "islandd_ra_hosts", PROM_GAUGE, "Hosts learned behind a relay's downstream interface", labels, v);
	else if (relayed && strcmp(o->key, "routers") == 0 && strcmp(key, "lifetime_s") == 0)
		add(w, "islandd_ra_router_valid_until_seconds", PROM_GAUGE, "When an upstream router's lifetime ends (Unix time)",
		    labels, (double)w->p->now_unix + v);
	else if (relayed && strcmp(o->key, "routers") == 0 && strcmp(key, "ras") == 0)
		add(w, "islandd_ra_router_adverts_received_total", PROM_COUNTER, "Router Advertisements heard per upstream router",
		    labels, v);
	else if (relayed && strcmp(o->key, "prefixes") == 0 && strcmp(key, "valid_s") == 0)
		add(w, "islandd_ra_prefix_valid_until_seconds", PROM_GAUGE, "When a relayed prefix's valid lifetime ends (Unix time)",
		    labels, (double)w->p->now_unix + v);
	else if (relayed && strcmp(o->key, "prefixes") == 0 && strcmp(key, "preferred_s") == 0)
		add(w, "islandd_ra_prefix_preferred_until_seconds", PROM_GAUGE,
		    "When a relayed prefix's preferred lifetime ends (Unix time)", labels, (double)w->p->now_unix + v);
	else if (relayed && strcmp(key, "lifetime_s") == 0 &&
	         (strcmp(o->key, "routes") == 0 || strcmp(o->key, "rdnss") == 0 || strcmp(o->key, "pref64") == 0)) {
		snprintf(name, sizeof(name), "islandd_ra_%s_valid_until_seconds", o->key);
		add(w, name, PROM_GAUGE, "When a relayed option's lifetime ends (Unix time)", labels, (double)w->p->now_unix + v);
	}
}

static void on_string(struct walk *w, const char *key, const char *s)
{
	struct frame *o = &w->f[w->depth - 1];
	if (strcmp(w->view, "status") == 0 && w->depth == 1 && key && strcmp(key, "version") == 0) {
		char l[128] = "";
		prom_label(l, sizeof(l), "version", s);
		add(w, "islandd_build_info", PROM_GAUGE, "Always 1; the version islandd was built as", l, 1);
		return;
	}
	if (!key || o->is_arr || o->labelled || w->depth < 2 || !w->f[w->depth - 2].is_arr)
		return;
	const char *ln = array_label(o->key);
	if (!ln)
		return;
	/* an object in an array: its first string member names it */
	prom_label(o->labels, sizeof(o->labels), ln, s);
	o->labelled = true;
}

static void skip_ws(struct walk *w)
{
	while (w->s < w->end && (*w->s == ' ' || *w->s == '\n' || *w->s == '\r' || *w->s == '\t'))
		w->s++;
}

/* A JSON string into buf (escapes decoded for ASCII; others kept as '?'). */
static bool read_string(struct walk *w, char *buf, size_t cap)
{
	size_t n = 0;
	if (w->s >= w->end || *w->s != '"')
		return false;
	w->s++;
	while (w->s < w->end && *w->s != '"') {
		char c = *w->s++;
		if ((unsigned char)c < 0x20)
			return false;
		if (c == '\\') {
			if (w->s >= w->end)
				return false;
			c = *w->s++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '"': case '\\': case '/': break;
			case 'u':
				if (w->end - w->s < 4)
					return false;
				c = '?';
				w->s += 4;
				break;
			default:
				return false;
			}
		}
		if (n + 1 < cap)
			buf[n++] = c;
	}
	if (w->s >= w->end)
		return false;
	w->s++;
	buf[n] = 0;
	return true;
}

static bool value(struct walk *w, const char *key);

static bool container(struct walk *w, const char *key, bool is_arr)
{
	if (w->depth == WALK_DEPTH_MAX)
		return false;
	struct frame *f = &w->f[w->depth];
	const struct frame *parent = w->depth ? &w->f[w->depth - 1] : NULL;
	/* an element of an array is known by the array's key */
	const char *name = key ? key : parent ? parent->key : "";
	size_t kl = strnlen(name, sizeof(f->key) - 1);
	memcpy(f->key, name, kl); /* frames differ: no overlap */
	f->key[kl] = 0;
	f->is_arr = is_arr;
	f->labelled = false;
	f->labels[0] = 0;
	if (parent)
		memcpy(f->labels, parent->labels, strlen(parent->labels) + 1);
	w->depth++;
	w->s++;
	skip_ws(w);
	char close = is_arr ? ']' : '}';
	if (w->s < w->end && *w->s == close) {
		w->s++;
		w->depth--;
		return true;
	}
	for (;;) {
		char k[KEY_MAX];
		skip_ws(w);
		if (!is_arr) {
			if (!read_string(w, k, sizeof(k)))
				return false;
			skip_ws(w);
			if (w->s >= w->end || *w->s != ':')
				return false;
			w->s++;
			skip_ws(w);
		}
		if (!value(w, is_arr ? NULL : k))
			return false;
		skip_ws(w);
		if (w->s >= w->end)
			return false;
		if (*w->s == ',') {
			w->s++;
			continue;
		}
		if (*w->s != close)
			return false;
		w->s++;
		w->depth--;
		return true;
	}
}

static bool literal(struct walk *w, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(w->end - w->s) < n || memcmp(w->s, lit, n) != 0)
		return false;
	w->s += n;
	return true;
}

static bool value(struct walk *w, const char *key)
{
	skip_ws(w);
	if (w->s >= w->end)
		return false;
	char c = *w->s;
	if (c == '{' || c == '[')
		return container(w, key, c == '[');
	if (c == '"') {
		char s[256];
		if (!read_string(w, s, sizeof(s)))
			return false;
		on_string(w, key, s);
		return true;
	}
	if (c == 't')
		return literal(w, "true");
	if (c == 'f')
		return literal(w, "false");
	if (c == 'n')
		return literal(w, "null");
	if (c == '-' || (c >= '0' && c <= '9')) {
		char num[40];
		size_t n = 0;
		while (w->s < w->end && n + 1 < sizeof(num) &&
		       (strchr("+-.eE", *w->s) || (*w->s >= '0' && *w->s <= '9')))
			num[n++] = *w->s++;
		num[n] = 0;
		char *e;
		double v = strtod(num, &e);
		if (e == num || *e)
			return false;
		if (key)
			on_number(w, key, v);
		return true;
	}
	return false;
}

int prom_add_view(struct prom *p, const char *view, const char *json, size_t len)
{
	struct walk w = { .p = p, .view = view, .s = json, .end = json + len };
	skip_ws(&w);
	if (w.s >= w.end || *w.s != '{')
		return -1;
	w.f[0].labels[0] = 0;
	if (!container(&w, "", false))
		return -1;
	skip_ws(&w);
	return w.s == w.end ? 0 : -1;
}

/* Values as Prometheus reads them: integers exactly, others with %.17g. */
static int fmt_value(char *buf, size_t cap, double v)
{
	if (v >= 0 && v < 18446744073709551616.0 && v == (double)(uint64_t)v)
		return snprintf(buf, cap, "%" PRIu64, (uint64_t)v);
	return snprintf(buf, cap, "%.15g", v);
}

long prom_render(const struct prom *p, char *out, size_t cap)
{
	size_t n = 0;
#define PUT(...) do { \
		if (n >= cap) return -1; \
		int w_ = snprintf(out + n, cap - n, __VA_ARGS__); \
		if (w_ < 0 || (size_t)w_ >= cap - n) return -1; \
		n += (size_t)w_; \
	} while (0)
	if (cap)
		out[0] = 0;
	for (size_t i = 0; i < p->n_families; i++) {
		const struct prom_family *f = &p->families[i];
		PUT("# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
		    f->type == PROM_COUNTER ? "counter" : "gauge");
		for (int k = f->head; k >= 0; k = p->samples[k].next) {
			const struct prom_sample *s = &p->samples[k];
			char v[48];
			fmt_value(v, sizeof(v), s->value);
			if (s->labels_len)
				PUT("%s{%.*s} %s\n", f->name, (int)s->labels_len, p->labels + s->labels_off, v);
			else
				PUT("%s %s\n", f->name, v);
		}
	}
#undef PUT
	return (long)n;
}
