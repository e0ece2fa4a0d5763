/* Prometheus text exposition (format 0.0.4) made from the control views'
 * JSON documents (status, stats, ra, mdns), so a counter added to a view
 * appears in both without a second list. Shared by islandctl
 * (`stats --prometheus`) and the daemon's metrics listener. Bounded: fixed
 * tables, nothing allocated; what does not fit is counted (prom.lost). */
#ifndef ISLANDD_CTL_PROM_H
#define ISLANDD_CTL_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROM_FAMILIES_MAX 512
#define PROM_SAMPLES_MAX 4096
#define PROM_NAME_MAX 96
#define PROM_LABELS_ARENA (96u * 1024)

enum prom_type { PROM_COUNTER, PROM_GAUGE };

struct prom_family {
	char name[PROM_NAME_MAX];
	enum prom_type type;
	char help[96];
	int head, tail; /* its samples, in order of arrival */
};

struct prom_sample {
	int next;
	uint32_t labels_off, labels_len;
	double value;
};

struct prom {
	int64_t now_unix;  /* for expiry timestamps */
	size_t n_families, n_samples, labels_len;
	uint64_t lost;     /* samples that did not fit */
	struct prom_family families[PROM_FAMILIES_MAX];
	struct prom_sample samples[PROM_SAMPLES_MAX];
	char labels[PROM_LABELS_ARENA];
};

void prom_begin(struct prom *p, int64_t now_unix);
/* One sample; labels is "" or 'k="v",k2="v2"' already escaped (prom_label). */
void prom_add(struct prom *p, const char *name, enum prom_type type, const char *help,
              const char *labels, double value);
/* Appends k="v" (value escaped per the format) to buf of cap bytes. */
void prom_label(char *buf, size_t cap, const char *key, const char *value);
/* The reply of view (status, stats, ra or mdns) as samples: 0, or -1 when
 * json is not a JSON object (nothing added then is kept half-way: the
 * samples read before the error stay). */
int prom_add_view(struct prom *p, const char *view, const char *json, size_t len);
/* Writes the exposition into out (NUL-terminated): its length, or -1 when
 * cap was too small. */
long prom_render(const struct prom *p, char *out, size_t cap);

#endif
