#include "proxy/proxy_budgets.h"

void proxy_budget_init(struct token_bucket *tb, uint32_t rate, uint64_t now_ms)
{
	uint32_t burst = rate / 10 ? rate / 10 : 1;
	token_bucket_init(tb, rate > burst ? rate - burst : rate, burst, now_ms);
}

struct token_bucket *proxy_budget_for(struct proxy_budgets *b, int ifindex, uint64_t now_ms)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->link[i].ifindex == ifindex)
			return &b->link[i].tb;
	if (b->n == PROXY_MAX_BUDGETS)
		return NULL;
	b->link[b->n].ifindex = ifindex;
	proxy_budget_init(&b->link[b->n].tb, b->rate, now_ms);
	return &b->link[b->n++].tb;
}
