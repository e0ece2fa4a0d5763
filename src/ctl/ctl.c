/* Control protocol pieces shared by the daemon and islandctl: the reply
 * buffer, duration formatting, request parsing. */
#include "ctl/ctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctl_out_init(struct ctl_out *o)
{
	*o = (struct ctl_out){ 0 };
}

void ctl_out_free(struct ctl_out *o)
{
	free(o->buf);
	*o = (struct ctl_out){ 0 };
}

static bool ctl_out_reserve(struct ctl_out *o, size_t extra)
{
	if (o->len + extra + 1 <= o->cap)
		return true;
	if (o->len + extra + 1 > CTL_OUT_MAX) {
		o->overflow = true;
		return false;
	}
	size_t cap = o->cap ? o->cap : 4096;
	while (cap < o->len + extra + 1)
		cap *= 2;
	if (cap > CTL_OUT_MAX)
		cap = CTL_OUT_MAX;
	char *grown = realloc(o->buf, cap);
	if (!grown) {
		o->overflow = true;
		return false;
	}
	o->buf = grown;
	o->cap = cap;
	return true;
}

void ctl_printf(struct ctl_out *o, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || !ctl_out_reserve(o, (size_t)n))
		return;
	if ((size_t)n < sizeof(small)) {
		memcpy(o->buf + o->len, small, (size_t)n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	o->len += (size_t)n;
}

void ctl_fmt_duration(char *buf, size_t cap, long long ms)
{
	if (ms < 0) {
		snprintf(buf, cap, "-");
	} else if (ms < 1000) {
		snprintf(buf, cap, "%lldms", ms);
	} else if (ms < 60000) {
		snprintf(buf, cap, "%llds", ms / 1000);
	} else if (ms < 3600000) {
		snprintf(buf, cap, "%lldm%02llds", ms / 60000, ms / 1000 % 60);
	} else if (ms < 86400000) {
		snprintf(buf, cap, "%lldh%02lldm", ms / 3600000, ms / 60000 % 60);
	} else {
		snprintf(buf, cap, "%lldd%02lldh", ms / 86400000, ms / 3600000 % 24);
	}
}

int ctl_parse_request(const char *line, size_t len, struct ctl_request *req)
{
	char copy[CTL_REQUEST_MAX];
	*req = (struct ctl_request){ 0 };
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len == 0 || len >= sizeof(copy))
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	/* one request per connection: a second line (pipelining) or any other
	 * control byte is refused, so no error can echo it back raw */
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)copy[i] < 0x20 && copy[i] != ' ' && copy[i] != '\t') || copy[i] == 0x7f)
			return -1;
	char *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (strcmp(w, "json") == 0) {
			req->json = true;
		} else if (!req->command[0]) {
			if (strlen(w) >= sizeof(req->command))
				return -1;
			strcpy(req->command, w);
		} else if (!req->arg[0]) {
			if (strlen(w) >= sizeof(req->arg))
				return -1;
			strcpy(req->arg, w);
		} else {
			return -1;
		}
	}
	return req->command[0] ? 0 : -1;
}
