/* Internals shared by the config lexer, the block parsers, the value
 * checkers and the printer. Not part of the public API (see conf.h). */
#ifndef ISLANDD_CONF_PARSER_H
#define ISLANDD_CONF_PARSER_H

#include "conf/conf.h"

/* ndppd 0.2.x master defaults (src/ndppd.cc configure(): route-ttl, address-ttl,
 * router, autowire, keepalive, retries, ttl, deadtime = ttl, timeout;
 * promiscuous is read before proxy::open()). */
#define CONF_DEF_ROUTE_TTL_MS    30000
#define CONF_DEF_ADDRESS_TTL_MS  30000
#define CONF_DEF_TIMEOUT_MS      500
#define CONF_DEF_TTL_MS          30000
#define CONF_DEF_RETRIES         3
/* islandd extensions */
#define CONF_DEF_MAX_SESSIONS    4096
#define CONF_DEF_PROBE_RATE      100
#define CONF_DEF_MDNS_RATE       5000
#define CONF_DEF_BATCH_INTERVAL  2000  /* us */
#define CONF_MAX_BATCH_INTERVAL  100000
/* radvd 2.19 defaults (radvd.conf(5)) */
#define CONF_DEF_RA_MAX_INTERVAL 600
#define CONF_DEF_VALID_LIFETIME  86400
#define CONF_DEF_PREF_LIFETIME   14400
#define CONF_INFINITY            0xffffffffu

/* Bounds on what one file can make islandd hold. */
#define CONF_MAX_SIZE            (1u << 20)
#define CONF_MAX_PROXIES         64
#define CONF_MAX_RULES           1024  /* per proxy */
#define CONF_MAX_MDNS_IFACES     32
#define CONF_MAX_MDNS_FILTERS    32    /* per interface and direction */
#define CONF_MAX_RELAYS          16
#define CONF_MAX_DOWNSTREAM      32    /* per relay */
#define CONF_MAX_RAS             16
#define CONF_MAX_RA_PREFIXES     16    /* RFC 4861 leaves it open; seed 002 asks for a bound */
#define CONF_MAX_RDNSS           8
#define CONF_MAX_DNSSL           8
#define CONF_MAX_PDS             8
#define CONF_MAX_PD_IFACES       32    /* per dhcp6-pd block */
#define CONF_DEF_PD_STATE_DIR    "/var/lib/islandd"

enum conf_tok_type {
	TOK_EOF,
	TOK_WORD,    /* bare word or quoted string (quotes stripped) */
	TOK_LBRACE,
	TOK_RBRACE,
	TOK_SEMI,
	TOK_EQUALS,  /* ndppd accepts `key = value` */
};

struct conf_token {
	enum conf_tok_type type;
	const char *text;      /* TOK_WORD: points into the input, not NUL-terminated */
	size_t len;
	bool quoted;
	bool newline_before;   /* a line break lies between it and the previous token */
	struct conf_pos pos;
};

struct conf_lexer {
	const char *text;
	size_t len, off;
	unsigned line, col;
	bool have_peek;
	struct conf_token peek;
};

struct conf_parser {
	struct conf_lexer lex;
	struct conf *conf;
	struct conf_error *err;
	const char *file;
};

/* One keyword of a block: the handler reads the keyword's arguments (and its
 * own block, if any) and stores them in ctx. */
struct conf_keyword {
	const char *name;
	int (*parse)(struct conf_parser *p, void *ctx, const struct conf_token *kw);
};

extern const struct conf_keyword conf_kw_top[], conf_kw_proxy[], conf_kw_rule[],
	conf_kw_mdns[], conf_kw_mdns_iface[], conf_kw_relay[], conf_kw_ra[],
	conf_kw_ra_prefix[], conf_kw_pd[], conf_kw_pd_iface[], conf_kw_dhcp4_relay[];

/* Top-level block keywords, one file each (parse_proxy.c, parse_mdns.c, parse_ra.c). */
int conf_parse_proxy(struct conf_parser *p, void *ctx, const struct conf_token *kw);
int conf_parse_mdns(struct conf_parser *p, void *ctx, const struct conf_token *kw);
int conf_parse_relay(struct conf_parser *p, void *ctx, const struct conf_token *kw);
int conf_parse_ra(struct conf_parser *p, void *ctx, const struct conf_token *kw);
int conf_parse_pd(struct conf_parser *p, void *ctx, const struct conf_token *kw); /* parse_pd.c */
int conf_parse_island(struct conf_parser *p, void *ctx, const struct conf_token *kw); /* parse_island.c */
/* After the file: each island's ra-relay, appended after the file's own. */
int conf_islands_expand(struct conf_parser *p);
int conf_parse_dhcp4_relay(struct conf_parser *p, void *ctx, const struct conf_token *kw); /* parse_dhcp4.c */

/* lexer.c */
void conf_lex_init(struct conf_lexer *lx, const char *text, size_t len);
int conf_lex_next(struct conf_parser *p, struct conf_token *t);
int conf_lex_peek(struct conf_parser *p, struct conf_token *t);

/* parse.c: errors, warnings, statements and blocks */
int conf_fail(struct conf_parser *p, struct conf_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conf_warn(struct conf_parser *p, struct conf_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Quote a token for a message (cap at least 8), shortened, unprintable bytes as ?. */
const char *conf_tokstr(const struct conf_token *t, char *buf, size_t cap);
/* Statements until the '}' matching `open` (or end of input when open is NULL). */
int conf_parse_block(struct conf_parser *p, const struct conf_keyword *table,
                     const char *where, void *ctx, const struct conf_token *open);
/* If a '{' follows (on this line or the next), consume it into *open: 1; else 0. */
int conf_open_block(struct conf_parser *p, struct conf_token *open);
/* The keyword's first argument, on the keyword's line, after an optional '='. */
int conf_arg(struct conf_parser *p, const struct conf_token *kw, struct conf_token *out);
/* Another argument on the same line: 1 and *out, 0 when the statement ends. */
int conf_arg_more(struct conf_parser *p, struct conf_token *out);
/* First use of a keyword in its block: 1. A repeat: -1 with an error, or with
 * compat (ndppd keywords) 0 and a warning: ndppd's multimap find() keeps the
 * first value, so islandd keeps it too. */
int conf_once(struct conf_parser *p, struct conf_pos *seen, const struct conf_token *kw,
              bool compat);
/* Append a zeroed element to a growing array of at most max elements. */
void *conf_push(struct conf_parser *p, void **arr, size_t *n, size_t elem_size, size_t max,
                struct conf_pos at, const char *what);

/* values.c: one token -> one checked value; errors at the token */
int conf_val_u32(struct conf_parser *p, const struct conf_token *t, uint32_t min,
                 uint32_t max, uint32_t *out);
/* Like conf_val_u32, also "infinity" (0xffffffff). */
int conf_val_lifetime(struct conf_parser *p, const struct conf_token *t, uint32_t *out);
int conf_val_bool(struct conf_parser *p, const struct conf_token *t, bool ndppd_kw, bool *out);
int conf_val_ifname(struct conf_parser *p, const struct conf_token *t, char out[IF_NAMESIZE]);
/* ADDR or ADDR/LEN; without /LEN, *plen = 128 and *had_len = false. Host bits
 * are cleared; *host_bits tells whether there were any. */
int conf_val_prefix(struct conf_parser *p, const struct conf_token *t, struct in6_addr *addr,
                    uint8_t *plen, bool *had_len, bool *host_bits);
int conf_val_addr(struct conf_parser *p, const struct conf_token *t, struct in6_addr *addr);
int conf_val_service(struct conf_parser *p, const struct conf_token *t, char out[64]);
int conf_val_domain(struct conf_parser *p, const struct conf_token *t, char out[256]);
/* ADDRESS:PORT, "127.0.0.1:9642" or "[::1]:9642"; port 1-65535. */
int conf_val_listen(struct conf_parser *p, const struct conf_token *t, struct conf_listen *out);
/* keyword + one argument + check, the common case */
int conf_kw_u32(struct conf_parser *p, const struct conf_token *kw, uint32_t min, uint32_t max,
                uint32_t *out);
int conf_kw_bool(struct conf_parser *p, const struct conf_token *kw, bool ndppd_kw, bool *out);
int conf_kw_ifname(struct conf_parser *p, const struct conf_token *kw, struct conf_token *name,
                   char out[IF_NAMESIZE]);
/* The same where one interface must be named (proxy, ra-relay upstream, ra):
 * a pattern is an error. */
int conf_kw_one_ifname(struct conf_parser *p, const struct conf_token *kw, struct conf_token *name,
                       char out[IF_NAMESIZE]);
/* A downstream name or pattern must not cover the upstream: error at name. */
int conf_check_not_upstream(struct conf_parser *p, const struct conf_token *name,
                            const char *down, const char *upstream, const char *what);
/* `answer-from link-local | target` (proxy and ra-relay blocks). */
int conf_kw_answer_from(struct conf_parser *p, const struct conf_token *kw,
                        enum conf_answer_from *out);
const char *conf_answer_from_name(enum conf_answer_from a);

/* Printable prefix "addr/len". */
void conf_format_prefix(const struct in6_addr *a, uint8_t plen, char *buf, size_t cap);
/* A rule's prefix: IPv4 form ("192.168.1.0/24") for a proxy ARP rule. */
void conf_format_rule_prefix(const struct in6_addr *a, uint8_t plen, bool ipv4, char *buf, size_t cap);

#endif
