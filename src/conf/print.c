/* conf_print(): the tree back as config text (islandd -t -v). Every value is
 * written out, defaults included, so the output shows what is in force and
 * parses back to the same tree; printing that tree again gives the same
 * bytes (the config fuzzer checks both). */
#include <arpa/inet.h>
#include <string.h>

#include "conf/conf_parser.h"

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

static void print_lifetime(FILE *out, const char *indent, const char *kw, uint32_t v)
{
	if (v == CONF_INFINITY)
		fprintf(out, "%s%s infinity\n", indent, kw);
	else
		fprintf(out, "%s%s %u\n", indent, kw, v);
}

static void print_rule(FILE *out, const struct conf_rule *ru, bool ipv4)
{
	char pb[64];
	conf_format_rule_prefix(&ru->prefix, ru->plen, ipv4, pb, sizeof(pb));
	fprintf(out, "\trule %s {\n", pb);
	switch (ru->method) {
	case RULE_STATIC:
		fprintf(out, "\t\tstatic\n");
		break;
	case RULE_AUTO:
		fprintf(out, "\t\tauto\n");
		break;
	case RULE_IFACE:
		fprintf(out, "\t\tiface %s\n", ru->iface);
		break;
	}
	if (ru->autovia)
		fprintf(out, "\t\tautovia yes\n");
	fprintf(out, "\t}\n");
}

static bool pos_before(struct conf_pos a, struct conf_pos b)
{
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* One block holds a proxy's IPv6 rules (pr) and its IPv4 ones (arp, the
 * same options); either may be NULL. */
static void print_proxy(FILE *out, const struct conf_proxy *pr, const struct conf_proxy *arp)
{
	const struct conf_proxy *v6 = pr;
	if (!pr)
		pr = arp;
	fprintf(out, "\nproxy %s {\n", pr->iface);
	fprintf(out, "\trouter %s\n", yesno(pr->router));
	fprintf(out, "\ttimeout %u\n", pr->timeout_ms);
	fprintf(out, "\tttl %u\n", pr->ttl_ms);
	fprintf(out, "\tdeadtime %u\n", pr->deadtime_ms);
	fprintf(out, "\tautowire %s\n", yesno(pr->autowire));
	fprintf(out, "\tkeepalive %s\n", yesno(pr->keepalive));
	fprintf(out, "\tretries %u\n", pr->retries);
	fprintf(out, "\tpromiscuous %s\n", yesno(pr->promiscuous));
	fprintf(out, "\tmax-sessions %u\n", pr->max_sessions);
	fprintf(out, "\tprobe-rate %u\n", pr->probe_rate);
	fprintf(out, "\tanswer-from %s\n", conf_answer_from_name(pr->answer_from));
	for (size_t i = 0; v6 && i < v6->n_rules; i++)
		print_rule(out, &v6->rules[i], false);
	for (size_t i = 0; arp && i < arp->n_rules; i++)
		print_rule(out, &arp->rules[i], true);
	fprintf(out, "}\n");
}

static bool filters_equal(const struct conf_mdns_filter *a, size_t na,
                          const struct conf_mdns_filter *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].allow != b[i].allow || strcmp(a[i].service, b[i].service))
			return false;
	return true;
}

/* Runs of equal polarity on one line each, in stored order. */
static void print_filters(FILE *out, const struct conf_mdns_filter *f, size_t n,
                          const char *suffix)
{
	for (size_t i = 0; i < n;) {
		fprintf(out, "\t\t%s%s", f[i].allow ? "allow" : "deny", suffix);
		size_t j = i;
		for (; j < n && f[j].allow == f[i].allow; j++)
			fprintf(out, " %s", f[j].service);
		fprintf(out, "\n");
		i = j;
	}
}

static void print_mdns(FILE *out, const struct conf_mdns *m)
{
	fprintf(out, "\nmdns {\n");
	fprintf(out, "\treflect-ula %s\n", yesno(m->reflect_ula));
	fprintf(out, "\treflect-private-ipv4 %s\n", yesno(m->reflect_private4));
	fprintf(out, "\trate-limit %u\n", m->rate_limit);
	for (size_t i = 0; i < m->n_ifaces; i++) {
		const struct conf_mdns_iface *ifc = &m->ifaces[i];
		if (ifc->ipv4 && ifc->ipv6 && !ifc->n_in && !ifc->n_out) {
			fprintf(out, "\tiface %s\n", ifc->name);
			continue;
		}
		fprintf(out, "\tiface %s {\n", ifc->name);
		fprintf(out, "\t\tipv4 %s\n", yesno(ifc->ipv4));
		fprintf(out, "\t\tipv6 %s\n", yesno(ifc->ipv6));
		if (filters_equal(ifc->in, ifc->n_in, ifc->out, ifc->n_out)) {
			print_filters(out, ifc->in, ifc->n_in, "");
		} else {
			print_filters(out, ifc->in, ifc->n_in, "-in");
			print_filters(out, ifc->out, ifc->n_out, "-out");
		}
		fprintf(out, "\t}\n");
	}
	fprintf(out, "}\n");
}

static void print_relay(FILE *out, const struct conf_ra_relay *r)
{
	fprintf(out, "\nra-relay %s {\n", r->upstream);
	fprintf(out, "\tlearn-hosts %s\n", yesno(r->learn_hosts));
	fprintf(out, "\tanswer-from %s\n", conf_answer_from_name(r->answer_from));
	for (size_t i = 0; i < r->n_downstream; i++)
		fprintf(out, "\tiface %s\n", r->downstream[i]);
	fprintf(out, "}\n");
}

static void print_ra(FILE *out, const struct conf_ra *ra)
{
	static const char *const pref[] = { "low", "medium", "high" };
	char pb[64];
	fprintf(out, "\nra %s {\n", ra->iface);
	fprintf(out, "\tinterval %u %u\n", ra->min_interval_s, ra->max_interval_s);
	fprintf(out, "\trouter-lifetime %u\n", ra->router_lifetime_s);
	fprintf(out, "\tpreference %s\n", pref[ra->preference < 0 ? 0 : ra->preference > 0 ? 2 : 1]);
	fprintf(out, "\tmanaged %s\n", yesno(ra->managed));
	fprintf(out, "\tother-config %s\n", yesno(ra->other));
	fprintf(out, "\tmtu %u\n", ra->mtu);
	for (size_t i = 0; i < ra->n_prefixes; i++) {
		const struct conf_ra_prefix *px = &ra->prefixes[i];
		conf_format_prefix(&px->prefix, px->plen, pb, sizeof(pb));
		fprintf(out, "\tprefix %s {\n", pb);
		fprintf(out, "\t\ton-link %s\n", yesno(px->onlink));
		fprintf(out, "\t\tautonomous %s\n", yesno(px->autonomous));
		print_lifetime(out, "\t\t", "valid-lifetime", px->valid_lifetime);
		print_lifetime(out, "\t\t", "preferred-lifetime", px->preferred_lifetime);
		fprintf(out, "\t}\n");
	}
	if (ra->n_rdnss) {
		fprintf(out, "\trdnss");
		for (size_t i = 0; i < ra->n_rdnss; i++) {
			char a[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, &ra->rdnss[i], a, sizeof(a));
			fprintf(out, " %s", a);
		}
		fprintf(out, "\n");
	}
	print_lifetime(out, "\t", "rdnss-lifetime", ra->rdnss_lifetime);
	if (ra->n_dnssl) {
		fprintf(out, "\tdnssl");
		for (size_t i = 0; i < ra->n_dnssl; i++)
			fprintf(out, " %s", ra->dnssl[i]);
		fprintf(out, "\n");
	}
	print_lifetime(out, "\t", "dnssl-lifetime", ra->dnssl_lifetime);
	fprintf(out, "}\n");
}

static void print_pd(FILE *out, const char *block, const struct conf_pd *pd)
{
	char pb[64];
	fprintf(out, "\n%s %s {\n", block, pd->upstream);
	if (pd->has_hint) {
		conf_format_prefix(&pd->hint, pd->hint_plen, pb, sizeof(pb));
		fprintf(out, "\tprefix-hint %s\n", pb);
	}
	for (size_t i = 0; i < pd->n_ifaces; i++) {
		const struct conf_pd_iface *ifc = &pd->ifaces[i];
		if (ifc->has_subnet)
			fprintf(out, "\tiface %s {\n\t\tsubnet %u\n\t}\n", ifc->name, ifc->subnet);
		else
			fprintf(out, "\tiface %s\n", ifc->name);
	}
	if (pd->script[0])
		fprintf(out, "\tscript \"%s\"\n", pd->script);
	fprintf(out, "\trelease %s\n", yesno(pd->release));
	fprintf(out, "\tstate-dir \"%s\"\n", pd->state_dir);
	fprintf(out, "}\n");
}

static void print_dhcp4_relay(FILE *out, const struct conf_dhcp4_relay *r)
{
	fprintf(out, "\ndhcp4-relay {\n");
	fprintf(out, "\tupstream %s\n", r->upstream);
	for (size_t i = 0; i < r->n_ifaces; i++)
		fprintf(out, "\tiface %s\n", r->ifaces[i]);
	for (size_t i = 0; i < r->n_servers; i++) {
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &r->servers[i], a, sizeof(a));
		fprintf(out, "\tserver %s\n", a);
	}
	fprintf(out, "\tmode %s\n", conf_dhcp4_mode_name(r->mode));
	fprintf(out, "\toption82 %s\n", yesno(r->option82));
	fprintf(out, "\tlearn-hosts %s\n", yesno(r->learn_hosts));
	fprintf(out, "}\n");
}

void conf_print(const struct conf *conf, FILE *out)
{
	fprintf(out, "# islandd configuration, canonical form: every value in force\n");
	fprintf(out, "route-ttl %u\n", conf->route_ttl_ms);
	fprintf(out, "address-ttl %u\n", conf->address_ttl_ms);
	fprintf(out, "batch-interval %u\n", conf->batch_interval_us);
	if (conf->metrics_listen.family) {
		char l[INET6_ADDRSTRLEN + 16];
		conf_listen_format(&conf->metrics_listen, l, sizeof(l));
		fprintf(out, "metrics-listen %s\n", l);
	} else {
		fprintf(out, "# metrics-listen: off\n");
	}
	/* both lists are in file order: merge them by position, a block with
	 * rules of both families (the same position) printed once */
	for (size_t i = 0, j = 0; i < conf->n_proxies || j < conf->n_arp_proxies;) {
		const struct conf_proxy *pr = i < conf->n_proxies ? &conf->proxies[i] : NULL;
		const struct conf_proxy *arp = j < conf->n_arp_proxies ? &conf->arp_proxies[j] : NULL;
		if (pr && arp && pos_before(pr->pos, arp->pos))
			arp = NULL;
		else if (pr && arp && pos_before(arp->pos, pr->pos))
			pr = NULL;
		print_proxy(out, pr, arp);
		i += pr != NULL;
		j += arp != NULL;
	}
	if (conf->mdns)
		print_mdns(out, conf->mdns);
	for (size_t i = 0; i < conf->n_relays; i++)
		if (!conf_island_of(conf, conf->relays[i].upstream))
			print_relay(out, &conf->relays[i]);
	for (size_t i = 0; i < conf->n_ras; i++)
		print_ra(out, &conf->ras[i]);
	/* an island prints as written, where its dhcp6-pd half is: the
	 * ra-relay half is implied */
	for (size_t i = 0; i < conf->n_pds; i++)
		print_pd(out, conf_island_of(conf, conf->pds[i].upstream) ? "island" : "dhcp6-pd", &conf->pds[i]);
	for (size_t i = 0; i < conf->n_dhcp4_relays; i++)
		print_dhcp4_relay(out, &conf->dhcp4_relays[i]);
}
