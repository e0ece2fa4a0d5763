/* Probe budgets, one per downstream interface, shared by every proxy block
 * that probes it (NDP and ARP proxies alike): a scan of random targets
 * cannot make a proxy flood a downstream link. */
#ifndef ISLANDD_PROXY_BUDGETS_H
#define ISLANDD_PROXY_BUDGETS_H

#include "util/tokenbucket.h"

#include <stddef.h>
#include <stdint.h>

#define PROXY_MAX_BUDGETS 64

struct proxy_budgets {
	uint32_t rate; /* probes a second per downstream interface */
	size_t n;
	struct {
		int ifindex;
		struct token_bucket tb;
	} link[PROXY_MAX_BUDGETS];
};

/* A burst of a tenth of the rate, refilled at the rest: whatever the load,
 * no window of one second holds more than `rate` probes. */
void proxy_budget_init(struct token_bucket *tb, uint32_t rate, uint64_t now_ms);
/* Tokens held back for keepalive probes of live hosts: half the burst. */
static inline uint32_t proxy_budget_reserve(const struct token_bucket *tb)
{
	return tb ? tb->burst / 2 : 0;
}
/* The budget of ifindex, made on first use; NULL when PROXY_MAX_BUDGETS
 * interfaces already have one. */
struct token_bucket *proxy_budget_for(struct proxy_budgets *b, int ifindex, uint64_t now_ms);

#endif
