/* Fuzzes the metrics listener's input side: bytes as an HTTP request head
 * (proto/http_req.c), and the same bytes as a view's JSON turned into
 * Prometheus text (ctl/prom.c), which must stay within its tables and
 * render into a fixed buffer or refuse. */
#include "ctl/prom.h"
#include "proto/http_req.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prom p;
	static char out[64 * 1024];
	struct http_req r;
	enum http_parse res = http_req_parse((const char *)data, size, &r);
	if (res == HTTP_OK && (r.len > size || r.path[0] != '/' || strlen(r.path) >= sizeof(r.path)))
		abort();
	static const char *const views[] = { "status", "stats", "ra", "mdns" };
	prom_begin(&p, 1700000000);
	for (size_t i = 0; i < 4; i++)
		prom_add_view(&p, views[i], (const char *)data, size);
	if (p.n_samples > PROM_SAMPLES_MAX || p.n_families > PROM_FAMILIES_MAX)
		abort();
	long n = prom_render(&p, out, sizeof(out));
	if (n >= 0 && (size_t)n != strlen(out))
		abort();
	return 0;
}
