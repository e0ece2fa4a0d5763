/* The text views of islandctl, one per command, each reading the JSON the
 * daemon sent (ctl/jread.h). Missing members read as 0, "" or false, so a
 * newer or older daemon still renders. */
#include "ctl/render.h"
#include "ctl/ctl.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#define LIFETIME_INFINITE 0xffffffffLL

static const char *plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static const char *dur(long long ms, char *buf, size_t cap)
{
	ctl_fmt_duration(buf, cap, ms);
	return buf;
}

/* A lifetime in seconds: "infinity", or a duration. */
static const char *life(long long s, char *buf, size_t cap)
{
	if (s == LIFETIME_INFINITE)
		snprintf(buf, cap, "infinity");
	else /* clamped: a reply is read, not trusted */
		ctl_fmt_duration(buf, cap, s > LLONG_MAX / 1000 ? LLONG_MAX : s < -1 ? -1 : s * 1000);
	return buf;
}

#define EACH(v, arr) for (const struct jv *v = jv_first(arr); v; v = v->next)
/* Members of an object only: an array in its place has no keys to print. */
#define EACH_MEMBER(v, obj) for (const struct jv *v = jv_members(obj); v; v = v->next)

static const struct jv *jv_members(const struct jv *o)
{
	return o && o->type == J_OBJ ? o->child : NULL;
}

static void render_status(const struct jv *d, FILE *out)
{
	char up[16];
	long long reloads = jv_int(d, "reloads", 0);
	fprintf(out, "islandd %s, pid %lld, up %s, config %s (%lld %s, %lld failed)\n",
	        jv_str(d, "version", "?"), jv_int(d, "pid", 0), dur(jv_int(d, "uptime_ms", -1), up, sizeof(up)),
	        jv_str(d, "config", "?"), reloads, plural(reloads, "reload", "reloads"),
	        jv_int(d, "reload_failures", 0));
	fprintf(out, "sessions: %lld\n\n%-10s %-6s %-7s %-44s %-8s %s\n", jv_int(d, "sessions", 0), "PROXY",
	        "STATE", "ROUTER", "RULE", "METHOD", "IFACE");
	EACH(p, jv_get(d, "proxies")) {
		bool first = true;
		EACH(r, jv_get(p, "rules")) {
			char dn[64] = "-";
			if (strcmp(jv_str(r, "method", ""), "iface") == 0)
				snprintf(dn, sizeof(dn), "%s (%s)", jv_str(r, "iface", "?"), jv_str(r, "iface_state", "?"));
			fprintf(out, "%-10s %-6s %-7s %-44s %-8s %s\n", first ? jv_str(p, "iface", "?") : "",
			        first ? jv_str(p, "state", "?") : "", first ? (jv_bool(p, "router") ? "yes" : "no") : "",
			        jv_str(r, "prefix", "?"), jv_str(r, "method", "?"), dn);
			first = false;
		}
	}
	if (jv_first(jv_get(d, "patterns"))) {
		fprintf(out, "\n%-10s %-20s %s\n", "PATTERN", "ROLE", "MATCHES NOW");
		EACH(p, jv_get(d, "patterns")) {
			fprintf(out, "%-10s %-20s", jv_str(p, "pattern", "?"), jv_str(p, "role", "?"));
			bool any = false;
			EACH(m, jv_get(p, "matches")) {
				fprintf(out, " %s", m->type == J_STR ? m->s : "?");
				any = true;
			}
			fprintf(out, "%s\n", any ? "" : " -");
		}
	}
	fprintf(out, "\n%-10s %12s %10s %s\n", "LISTENING", "RX", "RX-ERRORS", "ALLMULTI");
	EACH(p, jv_get(d, "ports"))
		fprintf(out, "%-10s %12lld %10lld %s\n", jv_str(p, "iface", "?"), jv_int(p, "rx_packets", 0),
		        jv_int(p, "rx_errors", 0), jv_bool(p, "allmulti") ? "yes" : "no");
	fprintf(out, "\nmdns reflector: %s, router advertisements: %s\n", jv_bool(d, "mdns") ? "on" : "off",
	        jv_bool(d, "ra") ? "on" : "off");
}

static void render_sessions(const struct jv *d, FILE *out)
{
	fprintf(out, "%-10s %-39s %-9s %-10s %8s %8s %s\n", "PROXY", "TARGET", "STATE", "IFACE", "AGE", "EXPIRES",
	        "ROUTE");
	EACH(s, jv_get(d, "sessions")) {
		char age[16], left[16];
		fprintf(out, "%-10s %-39s %-9s %-10s %8s %8s %s\n", jv_str(s, "proxy", "?"), jv_str(s, "target", "?"),
		        jv_str(s, "state", "?"), jv_str(s, "iface", "?"), dur(jv_int(s, "age_ms", -1), age, sizeof(age)),
		        dur(jv_int(s, "expires_ms", -1), left, sizeof(left)), jv_bool(s, "routed") ? "yes" : "-");
	}
}

static void render_routes(const struct jv *d, FILE *out)
{
	fprintf(out, "%-44s %-10s %s\n", "DESTINATION", "IFACE", "VIA");
	EACH(r, jv_get(d, "routes"))
		fprintf(out, "%-44s %-10s %s\n", jv_str(r, "dst", "?"), jv_str(r, "iface", "?"), jv_str(r, "via", "-"));
}

/* Counters of one object, "  name value" each. */
static void counter_lines(const struct jv *obj, FILE *out)
{
	EACH_MEMBER(c, obj)
		if (c->type == J_NUM)
			fprintf(out, "  %-22s %lld\n", c->key, c->i);
}

static void render_stats(const struct jv *d, FILE *out)
{
	/* the flat counters, grouped by where they come from */
	const char *section = NULL;
	EACH_MEMBER(c, jv_get(d, "counters")) {
		const char *s = strncmp(c->key, "ctl_", 4) == 0 ? "control socket"
		              : strncmp(c->key, "rx_", 3) == 0 || strncmp(c->key, "drop_", 5) == 0 ? "packets"
		              : "ndp proxy";
		if (section != s)
			fprintf(out, "%s:\n", s);
		section = s;
		fprintf(out, "  %-22s %lld\n", c->key, c->i);
	}
	if (jv_get(d, "arp")) {
		fprintf(out, "proxy arp:\n");
		counter_lines(jv_get(d, "arp"), out);
	}
	if (jv_get(d, "dhcp4")) {
		fprintf(out, "dhcp4 relay:\n");
		counter_lines(jv_get(d, "dhcp4"), out);
	}
	if (jv_get(d, "netlink")) {
		fprintf(out, "netlink:\n");
		counter_lines(jv_get(d, "netlink"), out);
	}
	if (jv_get(d, "pd")) {
		fprintf(out, "dhcp6-pd:\n");
		counter_lines(jv_get(d, "pd"), out);
	}
	if (jv_first(jv_get(d, "ports"))) {
		fprintf(out, "packet sockets:\n");
		EACH(p, jv_get(d, "ports"))
			fprintf(out, "  %-15s rx_packets %lld, rx_errors %lld\n", jv_str(p, "iface", "?"),
			        jv_int(p, "rx_packets", 0), jv_int(p, "rx_errors", 0));
	}
}

/* islandctl dhcp: each upstream's mode and why, the relayed leases, the
 * counters that are not zero. */
static void render_dhcp(const struct jv *d, FILE *out)
{
	const struct jv *m = jv_get(d, "dhcp");
	if (!m || m->type != J_OBJ) {
		fprintf(out, "no dhcp4-relay block in the configuration\n");
		return;
	}
	EACH(r, jv_get(m, "relays")) {
		fprintf(out, "upstream %s: mode %s (configured %s), giaddr %s\n  why: %s\n  servers:",
		        jv_str(r, "upstream", "?"), jv_str(r, "mode", "?"), jv_str(r, "mode_configured", "?"),
		        jv_str(r, "giaddr", "none (no IPv4 address)"), jv_str(r, "why", ""));
		bool any = false;
		EACH(s, jv_get(r, "servers")) {
			fprintf(out, " %s", s->type == J_STR ? s->s : "?");
			any = true;
		}
		fprintf(out, "%s\n  islands:", any ? "" : " broadcast on the upstream");
		any = false;
		EACH(s, jv_get(r, "islands")) {
			fprintf(out, " %s", s->type == J_STR ? s->s : "?");
			any = true;
		}
		fprintf(out, "%s\n", any ? "" : " none present");
	}
	fprintf(out, "leases:\n  %-15s %-17s %-15s %s\n", "address", "mac", "iface", "expires in");
	EACH(l, jv_get(m, "leases")) {
		const struct jv *x = jv_get(l, "expires_in_s");
		char exp[32];
		if (x && x->type == J_NUM)
			snprintf(exp, sizeof(exp), "%llds", x->i);
		else
			snprintf(exp, sizeof(exp), "never");
		fprintf(out, "  %-15s %-17s %-15s %s\n", jv_str(l, "address", "?"), jv_str(l, "mac", "?"),
		        jv_str(l, "iface", "?"), exp);
	}
	fprintf(out, "counters:");
	bool any = false;
	EACH_MEMBER(x, jv_get(m, "counters"))
		if (x->type == J_NUM && x->i) {
			fprintf(out, " %s %lld", x->key, x->i);
			any = true;
		}
	fprintf(out, "%s\n", any ? "" : " all zero");
}

static const char *family_state(const struct jv *i, const char *want, const char *joined)
{
	return !jv_bool(i, want) ? "off" : jv_bool(i, joined) ? "joined" : "waiting";
}

static void render_mdns(const struct jv *d, FILE *out)
{
	const struct jv *m = jv_get(d, "mdns");
	if (!m || m->type != J_OBJ) {
		fprintf(out, "no mdns block in the configuration\n");
		return;
	}
	const struct jv *c = jv_get(m, "counters");
	long long n = 0, rate = jv_int(m, "rate_limit", 0);
	EACH(i, jv_get(m, "interfaces"))
		n++;
	fprintf(out, "mdns reflector: %lld interface%s, rate limit ", n, n == 1 ? "" : "s");
	if (rate)
		fprintf(out, "%lld/s per link", rate);
	else
		fprintf(out, "off");
	fprintf(out, ", ULA %s, private IPv4 %s\n", jv_bool(m, "reflect_ula") ? "crosses" : "stays",
	        jv_bool(m, "reflect_private4") ? "crosses" : "stays");
	fprintf(out, "  %-15s %7s %-5s %-7s %-7s %10s %10s %9s %8s %s\n", "interface", "ifindex", "state", "ipv4",
	        "ipv6", "rx", "tx", "dropped", "limited", "notes");
	EACH(i, jv_get(m, "interfaces")) {
		long long ifindex = jv_int(i, "ifindex", 0);
		fprintf(out, "  %-15s %7lld %-5s %-7s %-7s %10lld %10lld %9lld %8lld %s\n", jv_str(i, "name", "?"),
		        ifindex, ifindex <= 0 ? "absent" : jv_bool(i, "up") ? "up" : "down",
		        family_state(i, "ipv4", "joined4"), family_state(i, "ipv6", "joined6"), jv_int(i, "rx", 0),
		        jv_int(i, "tx", 0), jv_int(i, "dropped", 0), jv_int(i, "rate_limited", 0),
		        jv_bool(i, "local_stack") ? "local mDNS stack" : "");
	}
	fprintf(out, "packets: rx %lld (%lld bytes), tx %lld (%lld bytes), reflected %lld, send errors %lld, "
	        "rate-limited copies %lld\n", jv_int(c, "rx", 0), jv_int(c, "rx_bytes", 0), jv_int(c, "tx", 0),
	        jv_int(c, "tx_bytes", 0), jv_int(c, "reflected", 0), jv_int(c, "tx_errors", 0),
	        jv_int(c, "rate_limited", 0));
	fprintf(out, "records: filtered %lld, echoes %lld, QU->QM %lld, cache-flush cleared %lld, too big for the "
	        "MTU %lld, legacy queries %lld answers %lld\n", jv_int(c, "records_filtered", 0),
	        jv_int(c, "echo_records", 0), jv_int(c, "qu_cleared", 0), jv_int(c, "flush_cleared", 0),
	        jv_int(c, "records_too_big", 0), jv_int(c, "legacy_queries", 0), jv_int(c, "legacy_answers", 0));
	fprintf(out, "copies split to fit the MTU: %lld, recent-copy evictions %lld, mirror full %lld\n",
	        jv_int(c, "split", 0), jv_int(c, "recent_evictions", 0), jv_int(c, "mirror_full", 0));
	const struct jv *s = jv_get(m, "sockets");
	if (s)
		fprintf(out, "sockets: %lld packets in %lld batches, receive errors %lld, without pktinfo %lld\n",
		        jv_int(s, "packets", 0), jv_int(s, "batches", 0), jv_int(s, "recv_errors", 0),
		        jv_int(s, "no_pktinfo", 0));
	bool any = false;
	fprintf(out, "dropped:");
	EACH_MEMBER(x, jv_get(c, "drops"))
		if (x->type == J_NUM && x->i) {
			fprintf(out, " %s %lld", x->key, x->i);
			any = true;
		}
	EACH_MEMBER(x, jv_get(c, "dns_drops"))
		if (x->type == J_NUM && x->i) {
			fprintf(out, " (dns %s %lld)", x->key, x->i);
			any = true;
		}
	fprintf(out, "%s\n", any ? "" : " none");
}

static void ra_sched(const struct jv *i, FILE *out)
{
	char next[32], last[32];
	fprintf(out, "%s (index %lld): %s, next RA in %s, last %s ago, RAs sent %lld, RS received %lld",
	        jv_str(i, "iface", "?"), jv_int(i, "ifindex", 0), jv_bool(i, "advertising") ? "advertising" : "silent",
	        dur(jv_int(i, "next_ra_ms", -1), next, sizeof(next)),
	        dur(jv_int(i, "last_ra_ms_ago", -1), last, sizeof(last)), jv_int(i, "ras_sent", 0),
	        jv_int(i, "rs_received", 0));
}

static const char *withdrawn(const struct jv *x)
{
	return jv_bool(x, "withdrawn") ? ", withdrawn" : "";
}

static void ra_names(const struct jv *arr, FILE *out)
{
	bool first = true;
	EACH(n, arr) {
		fprintf(out, "%s%s", first ? "" : " ", n->type == J_STR ? n->s : "?");
		first = false;
	}
}

static void render_relay(const struct jv *r, FILE *out)
{
	char v[32], p[32];
	fprintf(out, "ra-relay %s (index %lld), learn hosts %s\n", jv_str(r, "upstream", "?"), jv_int(r, "ifindex", 0),
	        jv_bool(r, "learn_hosts") ? "yes" : "no");
	EACH(x, jv_get(r, "routers"))
		fprintf(out, "  router %s: lifetime %s, heard %s ago, %s%spreference %s, mtu %lld, %lld RAs\n",
		        jv_str(x, "addr", "?"), life(jv_int(x, "lifetime_s", 0), v, sizeof(v)),
		        dur(jv_int(x, "heard_ms_ago", -1), p, sizeof(p)), jv_bool(x, "managed") ? "M " : "",
		        jv_bool(x, "other") ? "O " : "", jv_str(x, "preference", "?"), jv_int(x, "mtu", 0),
		        jv_int(x, "ras", 0));
	EACH(x, jv_get(r, "prefixes")) {
		if (jv_bool(x, "withdrawn")) {
			fprintf(out, "  prefix %s: withdrawn, sent with lifetime 0 for %s more\n", jv_str(x, "prefix", "?"),
			        dur(jv_int(x, "withdrawn_left_ms", -1), v, sizeof(v)));
			continue;
		}
		fprintf(out, "  prefix %s: valid %s, preferred %s%s\n", jv_str(x, "prefix", "?"),
		        life(jv_int(x, "valid_s", 0), v, sizeof(v)), life(jv_int(x, "preferred_s", 0), p, sizeof(p)),
		        jv_bool(x, "autonomous") ? ", autonomous" : "");
	}
	EACH(x, jv_get(r, "routes"))
		fprintf(out, "  route %s: lifetime %s, preference %s%s\n", jv_str(x, "prefix", "?"),
		        life(jv_int(x, "lifetime_s", 0), v, sizeof(v)), jv_str(x, "preference", "?"), withdrawn(x));
	EACH(x, jv_get(r, "rdnss"))
		fprintf(out, "  rdnss %s: lifetime %s%s\n", jv_str(x, "addr", "?"),
		        life(jv_int(x, "lifetime_s", 0), v, sizeof(v)), withdrawn(x));
	EACH(x, jv_get(r, "dnssl")) {
		fprintf(out, "  dnssl ");
		ra_names(jv_get(x, "names"), out);
		fprintf(out, ": lifetime %s%s\n", life(jv_int(x, "lifetime_s", 0), v, sizeof(v)), withdrawn(x));
	}
	EACH(x, jv_get(r, "pref64"))
		fprintf(out, "  pref64 %s: lifetime %s%s\n", jv_str(x, "prefix", "?"),
		        life(jv_int(x, "lifetime_s", 0), v, sizeof(v)), withdrawn(x));
	if (jv_str(r, "captive_portal", NULL))
		fprintf(out, "  captive-portal %s: for %s\n", jv_str(r, "captive_portal", "?"),
		        life(jv_int(r, "captive_portal_lifetime_s", 0), v, sizeof(v)));
	EACH(dn, jv_get(r, "downstreams")) {
		fprintf(out, "  downstream ");
		ra_sched(dn, out);
		fprintf(out, ", hosts %lld\n", jv_int(dn, "host_count", 0));
		EACH(h, jv_get(dn, "hosts")) {
			const char *ll = jv_str(h, "lladdr", "");
			fprintf(out, "    host %s %s: %s via %s, seen %s ago, known for %s\n", jv_str(h, "addr", "?"),
			        ll[0] ? ll : "-", jv_str(h, "state", "?"), jv_str(h, "via", "?"),
			        dur(jv_int(h, "seen_ms_ago", -1), v, sizeof(v)), dur(jv_int(h, "age_ms", -1), p, sizeof(p)));
		}
	}
}

static void render_advert(const struct jv *a, FILE *out)
{
	char v[32], p[32];
	fprintf(out, "ra ");
	ra_sched(a, out);
	fprintf(out, "\n  router lifetime %llds, interval %lld-%llds, preference %s%s%s", jv_int(a, "router_lifetime_s", 0),
	        jv_int(a, "min_interval_s", 0), jv_int(a, "max_interval_s", 0), jv_str(a, "preference", "?"),
	        jv_bool(a, "managed") ? ", managed" : "", jv_bool(a, "other") ? ", other" : "");
	if (jv_int(a, "mtu", 0))
		fprintf(out, ", mtu %lld", jv_int(a, "mtu", 0));
	fprintf(out, "\n");
	EACH(x, jv_get(a, "prefixes"))
		fprintf(out, "  prefix %s: valid %s, preferred %s%s%s\n", jv_str(x, "prefix", "?"),
		        life(jv_int(x, "valid_s", 0), v, sizeof(v)), life(jv_int(x, "preferred_s", 0), p, sizeof(p)),
		        jv_bool(x, "onlink") ? ", on-link" : "", jv_bool(x, "autonomous") ? ", autonomous" : "");
	EACH(x, jv_get(a, "rdnss"))
		fprintf(out, "  rdnss %s: lifetime %s\n", x->type == J_STR ? x->s : "?",
		        life(jv_int(a, "rdnss_lifetime_s", 0), v, sizeof(v)));
	if (jv_first(jv_get(a, "dnssl"))) {
		fprintf(out, "  dnssl ");
		ra_names(jv_get(a, "dnssl"), out);
		fprintf(out, ": lifetime %s\n", life(jv_int(a, "dnssl_lifetime_s", 0), v, sizeof(v)));
	}
}

static void render_ra(const struct jv *d, FILE *out)
{
	const struct jv *relays = jv_get(d, "relays"), *adverts = jv_get(d, "adverts");
	if (!relays && !adverts) {
		fprintf(out, "no ra or ra-relay block in the configuration\n");
		return;
	}
	EACH(r, relays)
		render_relay(r, out);
	EACH(a, adverts)
		render_advert(a, out);
	if (!jv_first(relays) && !jv_first(adverts))
		fprintf(out, "no usable ra or ra-relay block\n");
	fprintf(out, "counters:");
	EACH_MEMBER(c, jv_get(d, "counters"))
		if (c->type == J_NUM && c->i)
			fprintf(out, " %s %lld", c->key, c->i);
	fprintf(out, "\n");
}

/* islandctl pd, the downstream side (daemon/subd_adapter.c): each link's
 * /64, prefixes being phased out, the hook. */
static void render_subdelegation(const struct jv *d, FILE *out)
{
	EACH(u, jv_get(d, "subdelegation")) {
		const struct jv *s = jv_get(u, "subdelegation");
		char a[32];
		fprintf(out, "%s downstream:\n", jv_str(u, "upstream", "?"));
		EACH(l, jv_get(s, "links")) {
			const struct jv *n = jv_get(l, "subnet");
			fprintf(out, "  %s: %s", jv_str(l, "iface", "?"), jv_str(l, "prefix", "no prefix"));
			if (n && n->type == J_NUM)
				fprintf(out, " (subnet %lld)", n->i);
			fprintf(out, "%s\n", jv_int(l, "ifindex", 0) > 0 ? "" : ", link absent");
		}
		EACH(x, jv_get(s, "deprecated"))
			fprintf(out, "  deprecated %s: valid %s\n", jv_str(x, "prefix", "?"),
			        life(jv_int(x, "valid_s", 0), a, sizeof(a)));
		const struct jv *h = jv_get(u, "hook");
		if (h)
			fprintf(out, "  hook %s: %lld runs, %lld failed, %lld timed out%s\n", jv_str(h, "script", "?"),
			        jv_int(h, "runs", 0), jv_int(h, "failed", 0), jv_int(h, "timeouts", 0),
			        jv_bool(h, "running") ? ", running" : "");
	}
}

/* islandctl pd: per upstream the state, server, prefixes with their
 * remaining lifetimes, T1/T2, DNS options, counters and drops. */
static void render_pd(const struct jv *d, FILE *out)
{
	const struct jv *ups = jv_get(d, "pd");
	if (!ups || ups->type != J_ARR) {
		fprintf(out, "no dhcp6-pd block in the configuration\n");
		return;
	}
	EACH(u, ups) {
		char a[32], b[32];
		fprintf(out, "%s: %s", jv_str(u, "upstream", "?"), jv_str(u, "state", "?"));
		if (jv_str(u, "why", NULL))
			fprintf(out, " (%s)", jv_str(u, "why", ""));
		if (jv_str(u, "server", NULL))
			fprintf(out, ", server %s", jv_str(u, "server", ""));
		fprintf(out, "\n");
		if (jv_str(u, "server_duid", NULL))
			fprintf(out, "  server DUID %s\n", jv_str(u, "server_duid", ""));
		if (jv_str(u, "client_duid", NULL))
			fprintf(out, "  client DUID %s, IAID %lld\n", jv_str(u, "client_duid", ""),
			        jv_int(u, "iaid", 0));
		EACH(x, jv_get(u, "prefixes"))
			fprintf(out, "  prefix %s: preferred %s, valid %s\n", jv_str(x, "prefix", "?"),
			        life(jv_int(x, "preferred_s", 0), a, sizeof(a)),
			        life(jv_int(x, "valid_s", 0), b, sizeof(b)));
		const struct jv *t1 = jv_get(u, "t1_in_s"), *t2 = jv_get(u, "t2_in_s");
		if (jv_first(jv_get(u, "prefixes")))
			fprintf(out, "  renew (T1) %s%s, rebind (T2) %s%s\n",
			        t1 && t1->type == J_NUM ? "in " : "", t1 && t1->type == J_NUM ? life(t1->i, a, sizeof(a)) : "never",
			        t2 && t2->type == J_NUM ? "in " : "", t2 && t2->type == J_NUM ? life(t2->i, b, sizeof(b)) : "never");
		EACH(x, jv_get(u, "dns"))
			fprintf(out, "  dns %s\n", x->type == J_STR ? x->s : "?");
		EACH(x, jv_get(u, "domains"))
			fprintf(out, "  domain %s\n", x->type == J_STR ? x->s : "?");
		static const char *const groups[] = { "counters", "drops", "malformed" };
		for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			bool any = false;
			EACH_MEMBER(c, jv_get(u, groups[g]))
				if (c->type == J_NUM && c->i) {
					fprintf(out, "%s %s %lld", any ? "," : g ? "  dropped:" : "  counters:", c->key, c->i);
					any = true;
				}
			if (any)
				fprintf(out, "\n");
		}
	}
	render_subdelegation(d, out);
}

/* islandctl island: per upstream the mode and why, the island links, the
 * DHCPv6 relay's leased hosts and its non-zero counters. */
static void render_island(const struct jv *d, FILE *out)
{
	const struct jv *isl = jv_get(d, "islands");
	if (!jv_first(isl)) {
		fprintf(out, "no island block in the configuration\n");
		return;
	}
	EACH(u, isl) {
		char a[32];
		fprintf(out, "%s: %s mode for %s: %s\n", jv_str(u, "upstream", "?"), jv_str(u, "mode", "?"),
		        life(jv_int(u, "since_s", 0), a, sizeof(a)), jv_str(u, "why", ""));
		fprintf(out, "  island links:");
		EACH(x, jv_get(u, "links"))
			fprintf(out, " %s", x->type == J_STR ? x->s : "?");
		fprintf(out, "\n");
		const struct jv *r = jv_get(u, "dhcp6_relay");
		fprintf(out, "  dhcpv6 relay: %s\n", jv_bool(r, "active") ? "active" : "off");
		EACH(h, jv_get(r, "hosts"))
			fprintf(out, "  leased %s (ifindex %lld, %s left)\n", jv_str(h, "address", "?"),
			        jv_int(h, "ifindex", 0), life(jv_int(h, "expires_s", -1), a, sizeof(a)));
		bool any = false;
		EACH_MEMBER(c, jv_get(r, "counters"))
			if (c->type == J_NUM && c->i) {
				fprintf(out, "%s %s %lld", any ? "," : "  counters:", c->key, c->i);
				any = true;
			}
		if (any)
			fprintf(out, "\n");
	}
}

int ctl_render(const char *command, const struct jv *doc, FILE *out)
{
	const char *error = jv_str(doc, "error", NULL);
	if (strcmp(command, "reload") == 0) {
		if (error && jv_bool(doc, "reloaded")) {
			fprintf(out, "error: reloaded %s, but engines failed and keep their previous configuration: %s\n",
			        jv_str(doc, "config", ""), error);
			return 1;
		}
		if (error) {
			fprintf(out, "error: reload failed, the running configuration stays: %s\n", error);
			return 1;
		}
		fprintf(out, "reloaded %s\n", jv_str(doc, "config", ""));
		return 0;
	}
	if (error) {
		fprintf(out, "error: %s\n", error);
		return 1;
	}
	if (strcmp(command, "status") == 0)
		render_status(doc, out);
	else if (strcmp(command, "sessions") == 0)
		render_sessions(doc, out);
	else if (strcmp(command, "routes") == 0)
		render_routes(doc, out);
	else if (strcmp(command, "stats") == 0)
		render_stats(doc, out);
	else if (strcmp(command, "mdns") == 0)
		render_mdns(doc, out);
	else if (strcmp(command, "ra") == 0)
		render_ra(doc, out);
	else if (strcmp(command, "pd") == 0)
		render_pd(doc, out);
	else if (strcmp(command, "island") == 0)
		render_island(doc, out);
	else if (strcmp(command, "dhcp") == 0)
		render_dhcp(doc, out);
	else if (strcmp(command, "config") == 0)
		fprintf(out, "%s\n", jv_str(doc, "config", ""));
	return 0;
}
