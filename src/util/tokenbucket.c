#include "util/tokenbucket.h"

void token_bucket_init(struct token_bucket *tb, uint32_t rate, uint32_t burst, uint64_t now_ms)
{
	tb->rate = rate;
	tb->burst = burst ? burst : 1;
	tb->tokens_milli = (uint64_t)tb->burst * 1000;
	tb->last_ms = now_ms;
}

bool token_bucket_available(struct token_bucket *tb, uint64_t now_ms, uint32_t keep)
{
	if (now_ms > tb->last_ms) {
		/* rate tokens/s = rate milli-tokens/ms */
		uint64_t add = (now_ms - tb->last_ms) * tb->rate;
		uint64_t cap = (uint64_t)tb->burst * 1000;
		tb->tokens_milli = tb->tokens_milli + add > cap ? cap : tb->tokens_milli + add;
		tb->last_ms = now_ms;
	}
	return tb->tokens_milli >= ((uint64_t)keep + 1) * 1000;
}

bool token_bucket_take(struct token_bucket *tb, uint64_t now_ms, uint32_t keep)
{
	if (!token_bucket_available(tb, now_ms, keep))
		return false;
	tb->tokens_milli -= 1000;
	return true;
}
