/* islandctl mdns: the reflector's links, settings and counters as members
 * {"interfaces":[...],"rate_limit":N,...,"counters":{...}} of the object j
 * is in; islandctl and the benchmarks read them. */
#include "mdns/engine_int.h"
#include "util/json.h"

void mdns_engine_dump(const struct mdns_engine *e, struct json *j)
{
	const struct mdns_counters *c = &e->c;

	json_karr(j, "interfaces");
	for (size_t k = 0; k < e->n_ifaces; k++) {
		const struct mdns_iface *i = &e->ifaces[k];
		json_obj(j);
		json_kstr(j, "name", i->name);
		json_ki64(j, "ifindex", i->ifindex > 0 ? i->ifindex : 0);
		json_kbool(j, "up", i->up);
		json_kbool(j, "ipv4", i->want4);
		json_kbool(j, "ipv6", i->want6);
		json_kbool(j, "joined4", i->joined4);
		json_kbool(j, "joined6", i->joined6);
		json_kbool(j, "local_stack", i->local_stack);
		json_ku64(j, "rx", i->c.rx);
		json_ku64(j, "tx", i->c.tx);
		json_ku64(j, "dropped", i->c.dropped);
		json_ku64(j, "rate_limited", i->c.rate_limited);
		json_ku64(j, "tx_errors", i->c.tx_errors);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_ku64(j, "rate_limit", e->rate_limit);
	json_kbool(j, "reflect_ula", e->reflect_ula);
	json_kbool(j, "reflect_private4", e->reflect_private4);
	json_kobj(j, "counters");
	json_ku64(j, "rx", c->rx);
	json_ku64(j, "rx_bytes", c->rx_bytes);
	json_ku64(j, "tx", c->tx);
	json_ku64(j, "tx_bytes", c->tx_bytes);
	json_ku64(j, "tx_errors", c->tx_errors);
	json_ku64(j, "reflected", c->reflected);
	json_ku64(j, "rate_limited", c->rate_limited);
	json_ku64(j, "records_filtered", c->records_filtered);
	json_ku64(j, "qu_cleared", c->qu_cleared);
	json_ku64(j, "flush_cleared", c->flush_cleared);
	json_ku64(j, "split", c->split);
	json_ku64(j, "records_too_big", c->records_too_big);
	json_ku64(j, "legacy_queries", c->legacy_queries);
	json_ku64(j, "legacy_answers", c->legacy_answers);
	json_ku64(j, "echo_records", c->echo_records);
	json_ku64(j, "recent_evictions", c->recent_evictions);
	json_ku64(j, "mirror_full", c->mirror_full);
	json_kobj(j, "drops");
	for (int d = 0; d < MDNS_DROP__MAX; d++)
		json_ku64(j, mdns_drop_name((enum mdns_drop)d), c->drops[d]);
	json_obj_end(j);
	json_kobj(j, "dns_drops");
	for (int d = 1; d < DNS_DROP__MAX; d++)
		json_ku64(j, dns_drop_name((enum dns_drop)d), c->dns_drops[d]);
	json_obj_end(j);
	json_obj_end(j);
}
