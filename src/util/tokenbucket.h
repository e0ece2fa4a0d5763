/* A token bucket: `rate` tokens per second, at most `burst` saved up. */
#ifndef ISLANDD_TOKENBUCKET_H
#define ISLANDD_TOKENBUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct token_bucket {
	uint32_t rate, burst;
	uint64_t tokens_milli;  /* thousandths of a token, so slow rates refill smoothly */
	uint64_t last_ms;
};

void token_bucket_init(struct token_bucket *tb, uint32_t rate, uint32_t burst, uint64_t now_ms);
/* Are more than `keep` whole tokens available now? (refills, takes nothing) */
bool token_bucket_available(struct token_bucket *tb, uint64_t now_ms, uint32_t keep);
/* Take one token if more than `keep` are left: the last `keep` tokens are
 * held back for callers that pass keep = 0 (priority traffic). */
bool token_bucket_take(struct token_bucket *tb, uint64_t now_ms, uint32_t keep);

#endif
