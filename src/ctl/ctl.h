/* Control protocol. islandctl connects to the daemon's unix stream socket,
 * writes one request line "COMMAND [json]\n", reads the reply until EOF.
 * Every reply is one JSON object (written with util/json.h), errors
 * included ({"error":"..."}); islandctl renders the tables people read
 * (ctl/render.h). The "json" word is accepted and ignored. */
#ifndef ISLANDD_CTL_H
#define ISLANDD_CTL_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_REQUEST_MAX 256

/* A growing output buffer; capped so a reply cannot exhaust memory. */
struct ctl_out {
	char *buf;
	size_t len, cap;
	bool overflow;  /* output was cut at CTL_OUT_MAX */
};
#define CTL_OUT_MAX (8u << 20)

void ctl_out_init(struct ctl_out *o);
void ctl_out_free(struct ctl_out *o);
void ctl_printf(struct ctl_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Durations for people: "850ms", "42s", "3m12s", "2h05m", "-" for none. */
void ctl_fmt_duration(char *buf, size_t cap, long long ms);

/* Request parsing: splits "sessions json" into the command word and flags.
 * Returns 0, or -1 when the line is empty, too long, has too many words, or
 * holds a control character (a second, pipelined line included). */
struct ctl_request {
	char command[32];
	char arg[64];  /* optional argument, e.g. an interface name */
	bool json;
};
int ctl_parse_request(const char *line, size_t len, struct ctl_request *req);

#endif
