/* `islandd check` (also `islandctl doctor`): reads the configuration and the
 * live system and says, for each problem, what is wrong and the command
 * that fixes it. Exit status 0 = nothing wrong, 1 = problems, 2 = usage. */
#include "daemon/runtime.h"
#include "daemon/instance.h"
#include "conf/conf.h"
#include "net/sysctl.h"
#include "net/netlink.h"
#include "proto/nd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DOCTOR_MAX_ADDRS 256

/* the global IPv6 prefixes configured on each interface */
struct doctor_addrs {
	size_t n;
	struct {
		int ifindex;
		struct in6_addr addr;
		uint8_t plen;
	} a[DOCTOR_MAX_ADDRS];
};

#define DOCTOR_MAX_LINKS 64

struct doctor {
	const struct conf *conf;
	struct nl *nl;
	struct doctor_addrs addrs;
	/* links already checked for existence and state: a link named by
	 * several blocks (NDP and ARP rules on wlan0) is reported once */
	size_t n_links;
	struct {
		char name[IF_NAMESIZE];
		bool ipv6;
	} links[DOCTOR_MAX_LINKS];
	unsigned problems;
	bool json;
	FILE *out;
};

static void json_puts(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void problem(struct doctor *d, const char *what, const char *fix)
{
	if (!d->out) { /* islandd -t: one warning line each */
		fprintf(stderr, "warning: %s\n", what);
		d->problems++;
		return;
	}
	if (d->json) {
		fprintf(d->out, "%s{\"problem\":", d->problems ? "," : "");
		json_puts(d->out, what);
		fprintf(d->out, ",\"fix\":");
		json_puts(d->out, fix);
		fprintf(d->out, "}");
	} else {
		fprintf(d->out, "problem: %s\n", what);
		if (fix[0])
			fprintf(d->out, "    fix: %s\n", fix);
	}
	d->problems++;
}

/* net.ipv6.conf.IFNAME.KEY through net/sysctl.h, or -1 when it cannot be read. */
static int sysctl_int(const char *ifname, const char *key)
{
	int v;
	return sysctl_get_ipv6_conf(ifname, key, &v) < 0 ? -1 : v;
}

/* net.ipv4.conf.IFNAME.KEY, or -1 when it cannot be read. */
static int sysctl4_int(const char *ifname, const char *key)
{
	int v;
	return sysctl_get_ipv4_conf(ifname, key, &v) < 0 ? -1 : v;
}

static void check_iface_family(struct doctor *d, const char *name, const char *role, bool ipv6)
{
	size_t li;
	for (li = 0; li < d->n_links && strcmp(d->links[li].name, name) != 0; li++)
		;
	if (li < d->n_links && (d->links[li].ipv6 || !ipv6))
		return;
	if (li == d->n_links && li < DOCTOR_MAX_LINKS) {
		snprintf(d->links[li].name, sizeof(d->links[li].name), "%s", name);
		d->n_links++;
	}
	if (li < DOCTOR_MAX_LINKS)
		d->links[li].ipv6 |= ipv6;
	char what[256], fix[256];
	unsigned idx = if_nametoindex(name);
	if (!idx) {
		snprintf(what, sizeof(what), "interface %s (%s) does not exist", name, role);
		snprintf(fix, sizeof(fix), "create it, or correct the name in %s (islandd follows it when it appears)",
		         d->conf->path ? d->conf->path : "the configuration");
		problem(d, what, fix);
		return;
	}
	char path[128];
	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", name);
	FILE *f = fopen(path, "r");
	unsigned flags = 0;
	if (f) {
		if (fscanf(f, "%x", &flags) != 1)
			flags = 0;
		fclose(f);
	}
	if (!(flags & IFF_UP)) {
		snprintf(what, sizeof(what), "interface %s (%s) is down", name, role);
		snprintf(fix, sizeof(fix), "ip link set %s up", name);
		problem(d, what, fix);
	}
	if (ipv6 && sysctl_int(name, "disable_ipv6") == 1) {
		snprintf(what, sizeof(what), "IPv6 is disabled on %s (%s)", name, role);
		snprintf(fix, sizeof(fix), "sysctl -w net.ipv6.conf.%s.disable_ipv6=0", name);
		problem(d, what, fix);
	}
}

static void check_iface(struct doctor *d, const char *name, const char *role)
{
	check_iface_family(d, name, role, true);
}

static bool rule_routes_via(struct doctor *d, const struct conf_rule *r, const char *ifname)
{
	if (!d->nl)
		return true; /* cannot tell: say nothing */
	struct in6_addr probe = r->prefix;
	if (r->plen < 128)
		probe.s6_addr[15] |= 1;
	struct nl_route rt;
	if (nl_route_get(d->nl, &probe, &rt) < 0)
		return false;
	return rt.oif > 0 && rt.oif == (int)if_nametoindex(ifname);
}

static void collect_addr(void *ctx, const struct nl_addr *a, bool deleted)
{
	struct doctor_addrs *da = ctx;
	if (deleted || a->family != AF_INET6 || IN6_IS_ADDR_LINKLOCAL(&a->addr) || da->n == DOCTOR_MAX_ADDRS)
		return;
	da->a[da->n].ifindex = a->ifindex;
	da->a[da->n].addr = a->addr;
	da->a[da->n].plen = a->plen;
	da->n++;
}

static void prefix_mask(struct in6_addr *a, uint8_t plen)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		if (bits < 8)
			a->s6_addr[i] &= (uint8_t)(0xff00u >> bits);
	}
}

/* The link's own prefix inside a static rule: the proxy answers for the
 * link's own hosts, their DAD probes included, so a new address there is
 * reported a duplicate. */
static void check_static_covers_link(struct doctor *d, const struct conf_proxy *p, const struct conf_rule *r)
{
	int idx = (int)if_nametoindex(p->iface);
	if (!idx)
		return;
	for (size_t i = 0; i < d->addrs.n; i++) {
		if (d->addrs.a[i].ifindex != idx || d->addrs.a[i].plen < r->plen ||
		    !nd_prefix_match(&d->addrs.a[i].addr, &r->prefix, r->plen))
			continue;
		char rp[INET6_ADDRSTRLEN], lp[INET6_ADDRSTRLEN], what[512], fix[256];
		struct in6_addr link = d->addrs.a[i].addr;
		prefix_mask(&link, d->addrs.a[i].plen);
		inet_ntop(AF_INET6, &r->prefix, rp, sizeof(rp));
		inet_ntop(AF_INET6, &link, lp, sizeof(lp));
		snprintf(what, sizeof(what),
		         "static rule %s/%u (line %u) covers %s/%u, the prefix of proxy interface %s itself: "
		         "islandd would answer for the hosts on %s, their duplicate address detection included, "
		         "so their new addresses fail",
		         rp, r->plen, r->pos.line, lp, d->addrs.a[i].plen, p->iface, p->iface);
		snprintf(fix, sizeof(fix),
		         "narrow the rule to the addresses behind the gateway (e.g. a /%u inside %s/%u), "
		         "or use 'iface IF' instead of 'static'",
		         d->addrs.a[i].plen < 124 ? d->addrs.a[i].plen + 4 : 128, lp, d->addrs.a[i].plen);
		problem(d, what, fix);
		return;
	}
}

static void check_proxies(struct doctor *d)
{
	char what[512], fix[512], pfx[INET6_ADDRSTRLEN], pfx2[INET6_ADDRSTRLEN];
	const struct conf *c = d->conf;
	bool need_forwarding = c->n_proxies > 0 || c->n_relays > 0;
	if (need_forwarding && sysctl_int("all", "forwarding") != 1)
		problem(d, "IPv6 forwarding is off: proxied hosts are answered but their traffic is not routed",
		        "sysctl -w net.ipv6.conf.all.forwarding=1");
	for (size_t pi = 0; pi < c->n_proxies; pi++) {
		const struct conf_proxy *p = &c->proxies[pi];
		check_iface(d, p->iface, "proxy");
		int fwd = sysctl_int(p->iface, "forwarding");
		int accept_ra = sysctl_int(p->iface, "accept_ra");
		int autoconf = sysctl_int(p->iface, "autoconf");
		if (fwd == 1 && accept_ra >= 0 && accept_ra != 2 && autoconf == 1) {
			snprintf(what, sizeof(what),
			         "%s forwards but accept_ra is %d: the kernel ignores router advertisements there, "
			         "so SLAAC address and default route expire",
			         p->iface, accept_ra);
			snprintf(fix, sizeof(fix), "sysctl -w net.ipv6.conf.%s.accept_ra=2", p->iface);
			problem(d, what, fix);
		}
		/* the kernel answers from its proxy entries when either is on */
		if (sysctl_int(p->iface, "proxy_ndp") == 1 || sysctl_int("all", "proxy_ndp") == 1) {
			const char *which = sysctl_int(p->iface, "proxy_ndp") == 1 ? p->iface : "all";
			snprintf(what, sizeof(what), "kernel proxy_ndp is on for %s: kernel proxy entries answer beside islandd",
			         p->iface);
			snprintf(fix, sizeof(fix), "ip -6 neigh flush proxy dev %s; sysctl -w net.ipv6.conf.%s.proxy_ndp=0",
			         p->iface, which);
			problem(d, what, fix);
		}
		for (size_t ri = 0; ri < p->n_rules; ri++) {
			const struct conf_rule *r = &p->rules[ri];
			inet_ntop(AF_INET6, &r->prefix, pfx, sizeof(pfx));
			if (r->method == RULE_IFACE) {
				check_iface(d, r->iface, "rule downstream");
				if (!p->autowire && if_nametoindex(r->iface) && !rule_routes_via(d, r, r->iface)) {
					snprintf(what, sizeof(what),
					         "rule %s/%u (line %u) answers for hosts behind %s, but the kernel does not "
					         "route that prefix there and autowire is off",
					         pfx, r->plen, r->pos.line, r->iface);
					snprintf(fix, sizeof(fix), "add 'autowire yes' to proxy %s, or: ip -6 route add %s/%u dev %s",
					         p->iface, pfx, r->plen, r->iface);
					problem(d, what, fix);
				}
			}
			if (r->method == RULE_STATIC)
				check_static_covers_link(d, p, r);
			/* a later rule inside an earlier one never matches */
			for (size_t rj = 0; rj < ri; rj++) {
				const struct conf_rule *e = &p->rules[rj];
				if (e->plen <= r->plen && nd_prefix_match(&r->prefix, &e->prefix, e->plen)) {
					inet_ntop(AF_INET6, &e->prefix, pfx2, sizeof(pfx2));
					snprintf(what, sizeof(what),
					         "rule %s/%u (line %u) is shadowed by rule %s/%u (line %u): it never matches",
					         pfx, r->plen, r->pos.line, pfx2, e->plen, e->pos.line);
					snprintf(fix, sizeof(fix), "move the narrower rule first, or remove it");
					problem(d, what, fix);
				}
			}
		}
	}
}

/* Does process pid share our network namespace? Another namespace's ndppd
 * answers on other links and is none of our business. When the namespace
 * cannot be read (another user's process), assume it is ours; a process
 * whose namespace is gone (it exited, or is a zombie not reaped yet: its
 * comm still reads) runs nowhere. */
static bool same_netns(const char *pid)
{
	char path[300];
	struct stat self, other;
	snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
	if (stat("/proc/self/ns/net", &self) < 0)
		return true;
	if (stat(path, &other) < 0)
		return errno != ENOENT;
	return self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

/* The pid of a program with this name (/proc/PID/comm) running in our
 * network namespace, 0 when there is none. */
static long process_running(const char *comm)
{
	DIR *dir = opendir("/proc");
	if (!dir)
		return 0;
	long found = 0;
	struct dirent *de;
	while (!found && (de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		char path[300], name[64] = "";
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = '\0';
		fclose(f);
		if (strcmp(name, comm) == 0 && same_netns(de->d_name))
			found = strtol(de->d_name, NULL, 10);
	}
	closedir(dir);
	return found;
}

/* ---- DHCPv6 (AUTO: dhcp6-pd and island upstreams) ---- */

/* Another DHCPv6 prefix-delegation client on upstream, in our network
 * namespace: its name into who (empty when none). Two clients on one link
 * ask for two delegations (or fight over one) and each withdraws the
 * other's routes. dhclient counts with -6 and -P; dhcpcd, odhcp6c and
 * wide-dhcpv6's dhcp6c when they name the link or (dhcpcd) name none. */
static long other_pd_client(const char *upstream, char *who, size_t cap)
{
	who[0] = 0;
	DIR *dir = opendir("/proc");
	if (!dir)
		return 0;
	long found = 0;
	struct dirent *de;
	while (!found && (de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]) || !same_netns(de->d_name))
			continue;
		char path[300], args[4096];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(args, 1, sizeof(args) - 1, f);
		fclose(f);
		args[n] = 0;
		const char *prog = strrchr(args, '/') ? strrchr(args, '/') + 1 : args;
		bool six = false, pd = false, names_link = false, names_any = false;
		for (size_t off = strlen(args) + 1; off < n; off += strlen(args + off) + 1) {
			const char *a = args + off;
			six |= !strcmp(a, "-6");
			pd |= !strcmp(a, "-P");
			names_link |= !strcmp(a, upstream);
			names_any |= a[0] != '-';
		}
		bool other = (!strcmp(prog, "dhclient") && six && pd && names_link) ||
		             (!strcmp(prog, "dhcpcd") && (names_link || !names_any)) ||
		             ((!strcmp(prog, "odhcp6c") || !strcmp(prog, "dhcp6c")) && names_link);
		if (other) {
			snprintf(who, cap, "%.32s (pid %.16s)", prog, de->d_name);
			found = strtol(de->d_name, NULL, 10);
		}
	}
	closedir(dir);
	return found;
}

/* systemd-networkd manages upstream (its state file for the link says so):
 * its DHCPv6 client would ask beside islandd's. */
static bool networkd_manages(const char *upstream)
{
	if (!process_running("systemd-network"))
		return false;
	char path[128], line[128];
	snprintf(path, sizeof(path), "/run/systemd/netif/links/%u", if_nametoindex(upstream));
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool managed = false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "ADMIN_STATE=", 12) && strncmp(line + 12, "unmanaged", 9))
			managed = true;
	fclose(f);
	return managed;
}

static void check_dhcp6(struct doctor *d)
{
	char what[512], fix[512], who[128];
	const struct conf *c = d->conf;
	for (size_t i = 0; i < c->n_pds; i++) {
		const char *up = c->pds[i].upstream;
		const char *block = conf_island_of(c, up) ? "island" : "dhcp6-pd";
		check_iface(d, up, block);
		long pid = other_pd_client(up, who, sizeof(who));
		if (pid) {
			snprintf(what, sizeof(what),
			         "another DHCPv6 client runs on %s: %s; with islandd's %s block both ask for a prefix "
			         "and each withdraws what the other set up", up, who, block);
			snprintf(fix, sizeof(fix), "stop it (kill %ld; disable its service), or remove the %s block", pid,
			         block);
			problem(d, what, fix);
		}
		if (networkd_manages(up)) {
			snprintf(what, sizeof(what), "systemd-networkd manages %s: its DHCPv6 client asks for a prefix "
			         "beside islandd's %s block", up, block);
			snprintf(fix, sizeof(fix), "in %s's .network file: [Network] DHCP=no and IPv6AcceptRA=no "
			         "(or Unmanaged=yes in a .link/.network), then networkctl reload", up);
			problem(d, what, fix);
		}
		/* a delegation brings no default route: the upstream's RAs must
		 * still be taken while forwarding is on */
		int fwd = sysctl_int(up, "forwarding"), accept_ra = sysctl_int(up, "accept_ra");
		if (fwd == 1 && accept_ra >= 0 && accept_ra != 2) {
			snprintf(what, sizeof(what),
			         "%s forwards but accept_ra is %d: the kernel ignores the upstream's RAs, so the "
			         "default route the delegated prefix needs (and, relaying, the hosts' one) is missing",
			         up, accept_ra);
			snprintf(fix, sizeof(fix), "sysctl -w net.ipv6.conf.%s.accept_ra=2", up);
			problem(d, what, fix);
		}
	}
}

/* The configuration file avahi-daemon pid runs with: its -f/--file
 * argument, else the default. */
static void avahi_config_path(long pid, char *out, size_t size)
{
	snprintf(out, size, "/etc/avahi/avahi-daemon.conf");
	char path[64], args[4096];
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	size_t n = fread(args, 1, sizeof(args) - 1, f);
	fclose(f);
	args[n] = '\0';
	/* cmdline is NUL-separated arguments */
	for (size_t i = 0; i < n; i += strlen(args + i) + 1) {
		const char *a = args + i;
		if ((strcmp(a, "-f") == 0 || strcmp(a, "--file") == 0) && i + strlen(a) + 1 < n)
			snprintf(out, size, "%s", a + strlen(a) + 1);
		else if (strncmp(a, "--file=", 7) == 0)
			snprintf(out, size, "%s", a + 7);
	}
}

static bool avahi_reflects(const char *conf_path)
{
	FILE *f = fopen(conf_path, "r");
	if (!f)
		return false;
	char line[512];
	bool on = false;
	while (fgets(line, sizeof(line), f)) {
		char *s = line;
		while (isspace((unsigned char)*s))
			s++;
		if (strncmp(s, "enable-reflector", 16) == 0 && strstr(s, "yes"))
			on = true;
	}
	fclose(f);
	return on;
}

static void check_neighbours(struct doctor *d)
{
	const struct conf *c = d->conf;
	if (c->n_proxies && process_running("ndppd"))
		problem(d, "ndppd is running: two NDP proxies answer for the same targets",
		        "systemctl disable --now ndppd");
	if (c->n_proxies && process_running("npd6"))
		problem(d, "npd6 is running: two NDP proxies answer for the same targets",
		        "systemctl disable --now npd6");
	long avahi = c->mdns ? process_running("avahi-daemon") : 0;
	char avahi_conf[256];
	if (avahi) {
		avahi_config_path(avahi, avahi_conf, sizeof(avahi_conf));
		if (avahi_reflects(avahi_conf)) {
			char fix[512];
			snprintf(fix, sizeof(fix), "set enable-reflector=no in %s and systemctl restart avahi-daemon",
			         avahi_conf);
			problem(d, "avahi-daemon runs with enable-reflector=yes: two reflectors on the same links", fix);
		}
	}
	if (c->mdns)
		for (size_t i = 0; i < c->mdns->n_ifaces; i++)
			check_iface(d, c->mdns->ifaces[i].name, "mdns");
	for (size_t i = 0; i < c->n_relays; i++) {
		check_iface(d, c->relays[i].upstream, "ra-relay upstream");
		for (size_t j = 0; j < c->relays[i].n_downstream; j++)
			check_iface(d, c->relays[i].downstream[j], "ra-relay downstream");
	}
	for (size_t i = 0; i < c->n_ras; i++)
		check_iface(d, c->ras[i].iface, "ra");
}

/* ---- the IPv4 island: proxy ARP and the DHCPv4 relay (issue 15) ---- */


/* The links the IPv4 island uses, each once, with the role it was first
 * named in; answers = islandd answers ARP there (a proxy block's link, a
 * relay's upstream with learn-hosts). */
struct v4_links {
	size_t n;
	struct {
		char name[IF_NAMESIZE];
		const char *role;
		bool answers;
	} l[DOCTOR_MAX_LINKS];
};

static void v4_link_add(struct v4_links *v, const char *name, const char *role, bool answers)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->l[i].name, name) == 0) {
			v->l[i].answers |= answers;
			return;
		}
	if (v->n == DOCTOR_MAX_LINKS)
		return;
	snprintf(v->l[v->n].name, sizeof(v->l[v->n].name), "%s", name);
	v->l[v->n].role = role;
	v->l[v->n].answers = answers;
	v->n++;
}

/* A name, or every present interface a pattern covers (Docker's br-*). */
static void v4_link_add_pattern(struct v4_links *v, const char *conf_name, const char *role)
{
	if (!conf_iface_is_pattern(conf_name)) {
		v4_link_add(v, conf_name, role, false);
		return;
	}
	struct if_nameindex *all = if_nameindex();
	for (struct if_nameindex *i = all; i && i->if_index; i++)
		if (conf_iface_matches(conf_name, i->if_name))
			v4_link_add(v, i->if_name, role, false);
	if (all)
		if_freenameindex(all);
}

static void v4_links_collect(const struct conf *c, struct v4_links *v)
{
	for (size_t pi = 0; pi < c->n_arp_proxies; pi++) {
		const struct conf_proxy *p = &c->arp_proxies[pi];
		v4_link_add(v, p->iface, "proxy ARP", true);
		for (size_t ri = 0; ri < p->n_rules; ri++)
			if (p->rules[ri].method == RULE_IFACE)
				v4_link_add(v, p->rules[ri].iface, "proxy ARP rule downstream", false);
	}
	for (size_t i = 0; i < c->n_dhcp4_relays; i++) {
		const struct conf_dhcp4_relay *r = &c->dhcp4_relays[i];
		/* with learn-hosts islandd answers ARP there for the leases' hosts */
		v4_link_add(v, r->upstream, "dhcp4-relay upstream", r->learn_hosts);
		for (size_t j = 0; j < r->n_ifaces; j++)
			v4_link_add_pattern(v, r->ifaces[j], "dhcp4-relay iface");
	}
}

/* "sysctl -w net.ipv4.conf.all.KEY=V net.ipv4.conf.NAME.KEY=V", naming only
 * the entries that must change. */
static void sysctl4_fix(char *fix, size_t size, const char *name, const char *key, bool all, bool own, int value)
{
	int n = snprintf(fix, size, "sysctl -w");
	if (all && n >= 0 && (size_t)n < size)
		n += snprintf(fix + n, size - (size_t)n, " net.ipv4.conf.all.%s=%d", key, value);
	if (own && n >= 0 && (size_t)n < size)
		snprintf(fix + n, size - (size_t)n, " net.ipv4.conf.%s.%s=%d", name, key, value);
}

/* rp_filter: the kernel acts on the larger of all and the link's own.
 * Strict (1) drops what arrives on a link the route back does not use:
 * relayed DHCP and island traffic before its host route exists. */
static void check_rp_filter(struct doctor *d, const char *name, const char *role)
{
	int all = sysctl4_int("all", "rp_filter"), own = sysctl4_int(name, "rp_filter");
	if ((all > own ? all : own) != 1)
		return;
	char what[512], fix[256];
	snprintf(what, sizeof(what),
	         "rp_filter is strict (1) on %s (%s): packets that arrive on a link the route back does not use are "
	         "dropped, relayed DHCP and island hosts before their host route among them",
	         name, role);
	sysctl4_fix(fix, sizeof(fix), name, "rp_filter", all == 1, own == 1, 2);
	problem(d, what, fix);
}

/* The kernel's proxy_arp (either all or the link's own) answers for every
 * address routed out of another link, broadcast requests after a random
 * delay of up to proxy_delay, beside islandd. */
static void check_kernel_proxy_arp(struct doctor *d, const char *name)
{
	int all = sysctl4_int("all", "proxy_arp"), own = sysctl4_int(name, "proxy_arp");
	if (all != 1 && own != 1)
		return;
	char what[512], fix[256];
	snprintf(what, sizeof(what),
	         "kernel proxy_arp is on for %s: the kernel answers there for every address routed out of another "
	         "link, hosts nobody holds included, broadcast requests after a random delay of up to proxy_delay "
	         "(0.8 s), beside islandd",
	         name);
	sysctl4_fix(fix, sizeof(fix), name, "proxy_arp", all == 1, own == 1, 0);
	problem(d, what, fix);
}

static void check_ipv4(struct doctor *d)
{
	const struct conf *c = d->conf;
	if (!c->n_arp_proxies && !c->n_dhcp4_relays)
		return;
	char what[512], fix[256];
	int ip_forward;
	if (sysctl_get("net.ipv4.ip_forward", &ip_forward) == 0 && ip_forward == 0)
		problem(d,
		        c->n_arp_proxies ? "IPv4 forwarding is off: proxied hosts are answered but their traffic is not routed"
		                         : "IPv4 forwarding is off: island hosts get leases through the relay but their "
		                           "traffic is not routed",
		        "sysctl -w net.ipv4.ip_forward=1");
	static struct v4_links links; /* 2 kB: off the stack */
	links.n = 0;
	v4_links_collect(c, &links);
	for (size_t i = 0; i < links.n; i++) {
		/* IPv6 links are checked (disable_ipv6 included) by the proxy and relay checks */
		check_iface_family(d, links.l[i].name, links.l[i].role, false);
		if (!if_nametoindex(links.l[i].name))
			continue;
		check_rp_filter(d, links.l[i].name, links.l[i].role);
		if (links.l[i].answers)
			check_kernel_proxy_arp(d, links.l[i].name);
	}
	bool answers_arp = c->n_arp_proxies > 0;
	for (size_t i = 0; i < c->n_dhcp4_relays; i++)
		answers_arp |= c->dhcp4_relays[i].learn_hosts;
	long pid;
	if (answers_arp && (pid = process_running("parprouted"))) {
		snprintf(what, sizeof(what),
		         "parprouted is running (pid %ld): two proxy ARP daemons answer for the same hosts and fight "
		         "over their /32 routes",
		         pid);
		snprintf(fix, sizeof(fix),
		         "kill %ld, and remove it from where it is started (it has no systemd unit: "
		         "/etc/network/interfaces, rc.local)",
		         pid);
		problem(d, what, fix);
	}
	static const char *const relays[] = { "dhcp-helper", "dhcrelay", "dhcrelay3" };
	for (size_t i = 0; c->n_dhcp4_relays && i < sizeof(relays) / sizeof(relays[0]); i++) {
		if (!(pid = process_running(relays[i])))
			continue;
		snprintf(what, sizeof(what),
		         "%s is running (pid %ld): two DHCPv4 relays forward every request and the server sees each "
		         "twice",
		         relays[i], pid);
		snprintf(fix, sizeof(fix), "systemctl disable --now %s", strcmp(relays[i], "dhcp-helper") == 0 ? "dhcp-helper"
		                                                           : "isc-dhcp-relay");
		problem(d, what, fix);
	}
}

/* Instances prove they live by their claims (daemon/instance.h). */
static void check_instances(struct doctor *d)
{
	pid_t pids[8];
	size_t n = instance_others(pids, 8);
	if (n < 2)
		return;
	char what[512], fix[256], list[160] = "";
	size_t len = 0;
	for (size_t i = 0; i < n && i < 8 && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%ld", i ? ", " : "", (long)pids[i]);
	snprintf(what, sizeof(what),
	         "%zu islandd instances run in this network namespace (pids %s): while more than one runs, "
	         "routes a crashed one leaves are not cleaned up, and their configurations must not overlap",
	         n, list);
	snprintf(fix, sizeof(fix), "keep one: kill %ld (islandctl -S SOCKET status shows which is which)",
	         (long)pids[n > 8 ? 7 : n - 1]);
	problem(d, what, fix);
}

static void lint_iface(void *ctx, const char *ifname, const char *role, struct conf_pos pos)
{
	struct doctor *d = ctx;
	if (conf_iface_is_pattern(ifname) || if_nametoindex(ifname))
		return; /* a pattern may match nothing yet: Docker adds bridges later */
	char what[256];
	snprintf(what, sizeof(what), "%s:%u:%u: interface %s (%s) does not exist now", d->conf->path, pos.line,
	         pos.col, ifname, role);
	problem(d, what, "");
}

static void addrs_load(struct doctor *d)
{
	struct nl_observer obs = { .ctx = &d->addrs, .addr = collect_addr };
	if (nl_open(&d->nl, &obs) < 0) {
		d->nl = NULL;
		return;
	}
	if (nl_dump_all(d->nl) < 0)
		d->addrs.n = 0;
}

int runtime_lint(const struct conf *conf, FILE *out)
{
	(void)out; /* warnings go to stderr, beside the parser's */
	struct doctor d = { .conf = conf, .out = NULL };
	addrs_load(&d);
	conf_foreach_iface(conf, lint_iface, &d);
	for (size_t pi = 0; pi < conf->n_proxies; pi++)
		for (size_t ri = 0; ri < conf->proxies[pi].n_rules; ri++)
			if (conf->proxies[pi].rules[ri].method == RULE_STATIC)
				check_static_covers_link(&d, &conf->proxies[pi], &conf->proxies[pi].rules[ri]);
	if (d.nl)
		nl_close(d.nl);
	return (int)d.problems;
}

int runtime_check_main(int argc, char **argv)
{
	const char *path = "/etc/islandd.conf";
	bool json = false;
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:jh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'j': json = true; break;
		case 'h':
			printf("usage: islandd check [-c FILE] [--json]\n"
			       "Checks the configuration and the live system; prints each problem and its fix.\n"
			       "Exit status: 0 nothing wrong, 1 problems found, 2 usage error.\n");
			return 0;
		default: return 2;
		}
	}
	struct conf *conf;
	struct conf_error err;
	if (conf_load(path, &conf, &err) < 0) {
		char msg[600];
		conf_error_format(&err, msg, sizeof(msg));
		if (json) { /* one JSON document, errors included */
			printf("{\"config\":");
			json_puts(stdout, path);
			printf(",\"error\":");
			json_puts(stdout, msg);
			printf(",\"problems\":[],\"ok\":false}\n");
		} else {
			fprintf(stderr, "%s\n", msg);
		}
		return 1;
	}
	struct doctor d = { .conf = conf, .json = json, .out = stdout };
	addrs_load(&d);
	if (json)
	{
		printf("{\"config\":");
		json_puts(stdout, path);
		printf(",\"problems\":[");
	}
	if (conf_is_empty(conf))
		problem(&d, "the configuration is empty: islandd would do nothing",
		        "add a proxy, mdns, ra-relay or ra block (see islandd.conf(5))");
	check_instances(&d);
	check_proxies(&d);
	check_dhcp6(&d);
	check_neighbours(&d);
	check_ipv4(&d);
	if (json)
		printf("],\"ok\":%s}\n", d.problems ? "false" : "true");
	else if (!d.problems)
		printf("%s: no problems found\n", path);
	else
		printf("%u problem%s found\n", d.problems, d.problems == 1 ? "" : "s");
	if (d.nl)
		nl_close(d.nl);
	conf_free(conf);
	return d.problems ? 1 : 0;
}
