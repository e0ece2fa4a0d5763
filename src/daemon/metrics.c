/* The metrics endpoint (daemon/metrics.h). Everything a scrape needs is
 * allocated with the endpoint: the sample tables (struct prom) and the
 * JSON buffer, which keeps its size from one scrape to the next. */
#include "daemon/metrics.h"
#include "ctl/prom.h"

#include <stdlib.h>
#include <time.h>

struct metrics {
	struct http_listen *http;
	metrics_view_fn view;
	void *ctx;
	struct ctl_out json;  /* reused: emptied, never freed, between views */
	struct prom prom;
};

static long metrics_page(void *ctx, char *body, size_t cap)
{
	static const char *const views[] = { "status", "stats", "ra", "mdns" };
	struct metrics *m = ctx;
	struct status_view v;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now); /* expiry timestamps are wall-clock time */
	m->view(m->ctx, &v);
	prom_begin(&m->prom, (int64_t)now.tv_sec);
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		m->json.len = 0;
		m->json.overflow = false;
		if (status_ctl(&v, views[i], &m->json) == 0 && !m->json.overflow)
			prom_add_view(&m->prom, views[i], m->json.buf, m->json.len);
	}
	return prom_render(&m->prom, body, cap);
}

struct metrics *metrics_new(struct loop *loop, const struct conf_listen *at, metrics_view_fn view,
                            void *ctx, char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "metrics: out of memory");
		return NULL;
	}
	m->view = view;
	m->ctx = ctx;
	ctl_out_init(&m->json);
	m->http = http_listen_new(loop, at, metrics_page, m, err, errlen);
	if (!m->http) {
		free(m);
		return NULL;
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	http_listen_free(m->http);
	ctl_out_free(&m->json);
	free(m);
}

const struct http_listen_stats *metrics_stats(const struct metrics *m)
{
	return http_listen_stats(m->http);
}

const struct conf_listen *metrics_addr(const struct metrics *m)
{
	return http_listen_addr(m->http);
}
