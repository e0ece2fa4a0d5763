/* Legacy unicast queries in flight (RFC 6762 §6.7). A query from a port
 * other than 5353 is forwarded to the other links under a fresh random ID
 * from the reflector's legacy socket; the answers, which responders send
 * by unicast to that socket, are matched by ID and sent back to the asker
 * under its own ID. Bounded table; entries expire after MDNS_LEGACY_MS. */
#include <string.h>

#include "mdns/engine_int.h"

static bool live(const struct mdns_legacy_query *q, uint64_t now_ms)
{
	return q->expires_ms > now_ms;
}

struct mdns_legacy_query *mdns_legacy_find(struct mdns_engine *e, uint16_t id, uint64_t now_ms)
{
	for (size_t i = 0; i < MDNS_LEGACY_SLOTS; i++)
		if (live(&e->legacy[i], now_ms) && e->legacy[i].id == id)
			return &e->legacy[i];
	return NULL;
}

static bool id_in_use(struct mdns_engine *e, uint16_t id, uint64_t now_ms)
{
	return mdns_legacy_find(e, id, now_ms) != NULL;
}

struct mdns_legacy_query *mdns_legacy_add(struct mdns_engine *e, const struct mdns_rx *rx,
                                          uint16_t asker_id, uint8_t asker_iface,
                                          uint64_t now_ms)
{
	struct mdns_legacy_query *q = NULL;

	/* A resolver retrying the same query reuses its mapping. */
	for (size_t i = 0; i < MDNS_LEGACY_SLOTS; i++) {
		struct mdns_legacy_query *c = &e->legacy[i];
		if (live(c, now_ms) && c->asker_id == asker_id && c->asker_port == rx->sport &&
		    c->asker_iface == asker_iface && c->family == rx->family &&
		    !memcmp(&c->asker, &rx->src, sizeof(rx->src))) {
			c->expires_ms = now_ms + MDNS_LEGACY_MS;
			return c;
		}
		if (!q && !live(c, now_ms))
			q = c;
	}
	if (!q)
		return NULL;
	uint16_t id;
	do
		id = (uint16_t)mdns_engine_random(e);
	while (id_in_use(e, id, now_ms));
	q->expires_ms = now_ms + MDNS_LEGACY_MS;
	q->id = id;
	q->asker_id = asker_id;
	q->asker_port = rx->sport;
	q->family = (uint8_t)rx->family;
	q->asker_iface = asker_iface;
	q->asker = rx->src;
	q->sent = 0;
	return q;
}

void mdns_legacy_forget_iface(struct mdns_engine *e, uint8_t iface_idx)
{
	for (size_t i = 0; i < MDNS_LEGACY_SLOTS; i++)
		if (e->legacy[i].asker_iface == iface_idx)
			e->legacy[i].expires_ms = 0;
}
