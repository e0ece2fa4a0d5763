/* Echo memory: see recent.h. */
#include "mdns/recent.h"

#include <string.h>

void mdns_recent_init(struct mdns_recent *r, uint64_t seed)
{
	memset(r, 0, sizeof(*r));
	r->seed = seed;
}

static uint64_t mix(uint64_t h, uint8_t b)
{
	return (h ^ b) * 1099511628211ull;
}

static uint64_t mix_bytes(uint64_t h, const uint8_t *p, size_t n, bool fold)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (fold && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c + 32);
		h = mix(h, c);
	}
	return h;
}

static uint64_t mix16(uint64_t h, uint16_t v)
{
	return mix(mix(h, (uint8_t)(v >> 8)), (uint8_t)v);
}

static uint64_t finish(uint64_t h)
{
	/* splitmix64 finaliser: spreads FNV's weak low bits over the table */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

uint64_t mdns_recent_key(const struct mdns_recent *r, const struct dns_rr *rr)
{
	uint64_t h = 14695981039346656037ull ^ r->seed;
	bool question = rr->section == DNS_SEC_QUESTION;

	h = mix(h, question ? 'Q' : (rr->ttl == 0 ? 'G' : 'R'));
	h = mix_bytes(h, rr->name.wire, rr->name.len, true);
	h = mix16(h, rr->type);
	h = mix16(h, rr->class & DNS_CLASS_MASK);
	if (question)
		return finish(h);
	if (rr->n_names == 0)
		return finish(mix_bytes(h, rr->rdata, rr->rdlen, false));
	h = mix_bytes(h, rr->pre, rr->pre_len, false);
	for (unsigned i = 0; i < rr->n_names && i < 2; i++)
		h = mix_bytes(h, rr->rname[i].wire, rr->rname[i].len, true);
	return finish(mix_bytes(h, rr->post, rr->post_len, false));
}

uint64_t mdns_recent_msg_key(const struct mdns_recent *r, const struct dns_msg *m,
                             const uint64_t *keys, const bool *keep)
{
	/* A sum: the same records in another order give the same key. The
	 * odd factor per section tells a known answer from a proposed one. */
	uint64_t h = r->seed ^ 0x6d73676b6579ull;
	for (unsigned i = 0; i < m->n_rr; i++)
		if (!keep || keep[i])
			h += keys[i] * (2u * m->rr[i].section + 1u);
	return finish(h);
}

static struct mdns_recent_entry *lookup(const struct mdns_recent *r, uint64_t key, uint64_t now_ms)
{
	for (unsigned i = 0; i < MDNS_RECENT_PROBE; i++) {
		const struct mdns_recent_entry *e = &r->slot[(key + i) & (MDNS_RECENT_SLOTS - 1)];
		if (e->expires_ms > now_ms && e->key == key)
			return (struct mdns_recent_entry *)e;
	}
	return NULL;
}

bool mdns_recent_lookup(const struct mdns_recent *r, uint64_t key, uint64_t now_ms,
                        uint32_t *arrived, uint32_t *sent)
{
	const struct mdns_recent_entry *e = lookup(r, key, now_ms);
	*arrived = e ? e->arrived : 0;
	*sent = e ? e->sent : 0;
	return e != NULL;
}

void mdns_recent_note(struct mdns_recent *r, uint64_t key, uint32_t arrived, uint32_t sent,
                      uint64_t now_ms)
{
	struct mdns_recent_entry *e = lookup(r, key, now_ms);
	if (!e) {
		struct mdns_recent_entry *victim = NULL;
		for (unsigned i = 0; i < MDNS_RECENT_PROBE; i++) {
			struct mdns_recent_entry *c = &r->slot[(key + i) & (MDNS_RECENT_SLOTS - 1)];
			if (c->expires_ms <= now_ms) {
				victim = c;
				break;
			}
			if (!victim || c->expires_ms < victim->expires_ms)
				victim = c;
		}
		if (victim->expires_ms > now_ms)
			r->evictions++;
		e = victim;
		e->key = key;
		e->arrived = e->sent = 0;
	}
	e->arrived |= arrived;
	e->sent |= sent;
	e->expires_ms = now_ms + MDNS_RECENT_MS;
}
