/* islandd configuration: one grammar for ndppd-compatible proxy blocks and
 * islandd's own mdns / ra-relay / ra blocks.
 *
 * conf_parse() turns text into an immutable tree, or fails with the first
 * error's file:line:col. Reload = parse the new file, validate, swap: the
 * tree is never edited in place. The whole tree is owned by one struct conf
 * and released with conf_free(). */
#ifndef ISLANDD_CONF_H
#define ISLANDD_CONF_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct conf_pos {
	unsigned line, col; /* 1-based, of the keyword that set the value */
};

enum conf_rule_method {
	RULE_STATIC, /* answer at once */
	RULE_IFACE,  /* answer once the target answers an NS on `iface` */
	RULE_AUTO,   /* like IFACE, interface from the kernel routing table */
};

/* The source address of proxy answers (NA): RFC 4861 §7.2.4 leaves it to
 * the sender; some providers' routers accept only the target itself. */
enum conf_answer_from {
	CONF_ANSWER_FROM_LINK_LOCAL, /* default: the interface's link-local address */
	CONF_ANSWER_FROM_TARGET,     /* the solicited target address */
};

struct conf_rule {
	struct in6_addr prefix; /* host bits cleared; IPv4 (proxy ARP): v4-mapped */
	uint8_t plen;           /* 128 when the rule names one address (IPv4: 96 + length) */
	enum conf_rule_method method;
	char iface[IF_NAMESIZE]; /* RULE_IFACE only */
	bool autovia;
	struct conf_pos pos;
};

struct conf_proxy {
	char iface[IF_NAMESIZE];
	bool router;           /* default yes */
	uint32_t timeout_ms;   /* default 500 */
	uint32_t ttl_ms;       /* default 30000 */
	uint32_t deadtime_ms;  /* default: ttl */
	bool autowire;         /* default no */
	bool keepalive;        /* default yes */
	uint32_t retries;      /* default 3 */
	bool promiscuous;      /* default no */
	/* islandd extensions */
	uint32_t max_sessions;  /* default 4096 */
	uint32_t probe_rate;    /* NS per second sent per downstream interface, default 100 */
	enum conf_answer_from answer_from; /* default link-local */
	size_t n_rules;
	struct conf_rule *rules;
	struct conf_pos pos;
};

struct conf_mdns_filter {
	char service[64];  /* e.g. "_ssh._tcp" (matched case-insensitively) */
	bool allow;        /* allow or deny */
};

struct conf_mdns_iface {
	char name[IF_NAMESIZE];
	bool ipv4, ipv6;   /* default both */
	/* Filters applied to what enters (in) from / leaves (out) to this link.
	 * Empty allow list = everything allowed; deny wins over allow. */
	size_t n_in, n_out;
	struct conf_mdns_filter *in, *out;
	struct conf_pos pos;
};

struct conf_mdns {
	size_t n_ifaces;
	struct conf_mdns_iface *ifaces;
	bool reflect_ula;        /* default yes: fc00::/7 crosses */
	bool reflect_private4;   /* default yes: RFC 1918 crosses */
	uint32_t rate_limit;     /* packets/s sent per interface, default 5000; 0 = off */
	struct conf_pos pos;
};

struct conf_ra_relay {
	char upstream[IF_NAMESIZE];
	size_t n_downstream;
	char (*downstream)[IF_NAMESIZE];
	bool learn_hosts;        /* default yes: /128 routes + proxy answers for hosts behind */
	enum conf_answer_from answer_from; /* of those answers, default link-local */
	struct conf_pos pos;
};

struct conf_ra_prefix {
	struct in6_addr prefix;
	uint8_t plen;
	bool onlink, autonomous;          /* default yes, yes */
	uint32_t valid_lifetime;          /* default 86400 */
	uint32_t preferred_lifetime;      /* default 14400 */
	struct conf_pos pos;
};

struct conf_ra {
	char iface[IF_NAMESIZE];
	size_t n_prefixes;
	struct conf_ra_prefix *prefixes;
	size_t n_rdnss;
	struct in6_addr *rdnss;
	uint32_t rdnss_lifetime;          /* default: 3 * max interval (RFC 8106 §5.1);
	                                   * 0xffffffff = infinity */
	size_t n_dnssl;
	char (*dnssl)[256];
	uint32_t dnssl_lifetime;          /* default: 3 * max interval (RFC 8106 §5.1) */
	uint32_t mtu;                     /* 0 = not advertised (default) */
	uint32_t min_interval_s, max_interval_s; /* default 198, 600 (radvd) */
	uint32_t router_lifetime_s;       /* default 3 * max interval = 1800 */
	int preference;                   /* -1 low, 0 medium (default), 1 high */
	bool managed, other;              /* M and O flags, default no */
	struct conf_pos pos;
};

/* dhcp4-relay: how requests reach the upstream's server. */
enum conf_dhcp4_mode {
	CONF_DHCP4_RELAY,    /* RFC 1542: giaddr = the gateway's upstream address, unicast to servers */
	CONF_DHCP4_FORWARD,  /* re-broadcast the client's exchange from the gateway (OpenWrt relayd) */
	CONF_DHCP4_AUTO,     /* relay; forward once relayed requests go unanswered (default) */
};

#define CONF_MAX_DHCP4_RELAYS  8
#define CONF_MAX_DHCP4_IFACES  32   /* island links per block */
#define CONF_MAX_DHCP4_SERVERS 8    /* per block */
const char *conf_dhcp4_mode_name(enum conf_dhcp4_mode m);

struct conf_dhcp4_relay {
	char upstream[IF_NAMESIZE];       /* the link the server is on (never a pattern) */
	size_t n_ifaces;
	char (*ifaces)[IF_NAMESIZE];      /* island links: names or patterns */
	size_t n_servers;
	struct in_addr *servers;          /* none: broadcast on the upstream */
	enum conf_dhcp4_mode mode;        /* default auto */
	bool option82;                    /* RFC 3046 circuit-id = island iface, default no */
	bool learn_hosts;                 /* a lease's address becomes a known host, default yes */
	struct conf_pos pos;
};

#define CONF_MAX_WARNINGS 8
#define CONF_WARNING_LEN 256

/* An address and TCP port to listen on: IPv4 or IPv6 literal. */
struct conf_listen {
	int family;                /* AF_INET or AF_INET6; 0 = not set */
	uint8_t addr[16];          /* network order: 4 bytes for AF_INET */
	uint16_t port;             /* host order */
};
/* "[::1]:9642" / "127.0.0.1:9642" into buf (at least 64 bytes). */
void conf_listen_format(const struct conf_listen *l, char *buf, size_t cap);

struct conf {
	char *path;                /* file it came from */
	/* Non-fatal notes ("file:line:col: text"), e.g. a rule without a method
	 * taken as static, host bits cleared. Kept in the tree so `islandd -t`
	 * and a reload can show them; beyond CONF_MAX_WARNINGS only counted. */
	size_t n_warnings;
	char warnings[CONF_MAX_WARNINGS][CONF_WARNING_LEN];
	size_t n_warnings_dropped;
	uint32_t route_ttl_ms;     /* ndppd compatibility: accepted, routes follow netlink events */
	uint32_t address_ttl_ms;   /* ndppd compatibility: accepted */
	uint32_t batch_interval_us; /* busy spells: one wake-up per interval at most; 0 = none */
	struct conf_listen metrics_listen; /* Prometheus scrapes; port 0 = off */
	size_t n_proxies;
	struct conf_proxy *proxies;
	/* proxy ARP: the IPv4 rules of proxy blocks, with the block's options
	 * (rule prefixes v4-mapped, plen = 96 + IPv4 length); a block with only
	 * IPv4 rules is here and not in proxies */
	size_t n_arp_proxies;
	struct conf_proxy *arp_proxies;
	struct conf_mdns *mdns;    /* NULL when there is no mdns block */
	size_t n_relays;
	struct conf_ra_relay *relays;
	size_t n_ras;
	struct conf_ra *ras;
	size_t n_dhcp4_relays;
	struct conf_dhcp4_relay *dhcp4_relays;
};

struct conf_error {
	char file[256];
	unsigned line, col;
	char msg[256];
};

/* Parse text (need not be NUL-terminated). filename is used in errors.
 * Returns 0 and *out, or -1 and *err filled. Never leaks on error. */
int conf_parse(const char *text, size_t len, const char *filename,
               struct conf **out, struct conf_error *err);
/* Read and parse a file; I/O errors are reported with line 0. */
int conf_load(const char *path, struct conf **out, struct conf_error *err);
void conf_free(struct conf *conf);
/* "file:line:col: message" */
void conf_error_format(const struct conf_error *err, char *buf, size_t cap);
/* Print the tree back in canonical form (islandd -t -v). */
void conf_print(const struct conf *conf, FILE *out);

/* Every interface the configuration names, once per mention, with its role
 * ("proxy", "rule downstream", "mdns", "ra-relay upstream", ...) and the
 * position of the keyword that names it. */
typedef void (*conf_iface_fn)(void *ctx, const char *ifname, const char *role, struct conf_pos pos);
void conf_foreach_iface(const struct conf *conf, conf_iface_fn fn, void *ctx);
/* Interface name patterns (`br-*`, `veth*`, `eth[01]`): shell-style, as
 * fnmatch(3) without flags. Allowed where an interface downstream is named
 * (rule iface, ra-relay iface, mdns iface), never for a proxy's or a
 * relay's upstream. Every engine matches through these two. */
bool conf_iface_is_pattern(const char *name);
/* Does the configured name (a name or a pattern) cover interface ifname? */
bool conf_iface_matches(const char *conf_name, const char *ifname);
/* Is ifname the upstream of a proxy or ra-relay block? A pattern skips such
 * an interface: a downstream must never be an upstream. */
bool conf_iface_is_upstream(const struct conf *conf, const char *ifname);
/* Nothing to do: no proxy, mdns, ra-relay or ra block. */
bool conf_is_empty(const struct conf *conf);

#endif
