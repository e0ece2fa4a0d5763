/* islandctl mdns: the reflector's links and counters, for people or as
 * {"mdns":{"interfaces":[...],"counters":{...}}} for programs (and the
 * benchmarks). */
#include <inttypes.h>

#include "mdns/engine_int.h"

static const char *yn(bool b)
{
	return b ? "true" : "false";
}

static const char *family_state(bool want, bool joined)
{
	return !want ? "off" : joined ? "joined" : "waiting";
}

static void dump_json(const struct mdns_engine *e, struct ctl_out *o)
{
	const struct mdns_counters *c = &e->c;

	ctl_printf(o, "{\"mdns\":{\"interfaces\":[");
	for (size_t k = 0; k < e->n_ifaces; k++) {
		const struct mdns_iface *i = &e->ifaces[k];
		ctl_printf(o, "%s{\"name\":", k ? "," : "");
		ctl_json_str(o, i->name);
		ctl_printf(o, ",\"ifindex\":%d,\"up\":%s,\"ipv4\":%s,\"ipv6\":%s,"
		           "\"joined4\":%s,\"joined6\":%s,\"local_stack\":%s,"
		           "\"rx\":%" PRIu64 ",\"tx\":%" PRIu64 ",\"dropped\":%" PRIu64 ","
		           "\"rate_limited\":%" PRIu64 ",\"tx_errors\":%" PRIu64 "}",
		           i->ifindex > 0 ? i->ifindex : 0, yn(i->up), yn(i->want4), yn(i->want6),
		           yn(i->joined4), yn(i->joined6), yn(i->local_stack),
		           i->c.rx, i->c.tx, i->c.dropped, i->c.rate_limited, i->c.tx_errors);
	}
	ctl_printf(o, "],\"rate_limit\":%" PRIu32 ",\"reflect_ula\":%s,\"reflect_private4\":%s,",
	           e->rate_limit, yn(e->reflect_ula), yn(e->reflect_private4));
	ctl_printf(o, "\"counters\":{\"rx\":%" PRIu64 ",\"rx_bytes\":%" PRIu64 ",\"tx\":%" PRIu64
	           ",\"tx_bytes\":%" PRIu64 ",\"tx_errors\":%" PRIu64 ",\"reflected\":%" PRIu64
	           ",\"rate_limited\":%" PRIu64 ",\"records_filtered\":%" PRIu64
	           ",\"qu_cleared\":%" PRIu64 ",\"flush_cleared\":%" PRIu64
	           ",\"split\":%" PRIu64 ",\"records_too_big\":%" PRIu64
	           ",\"legacy_queries\":%" PRIu64
	           ",\"legacy_answers\":%" PRIu64 ",\"echo_records\":%" PRIu64
	           ",\"recent_evictions\":%" PRIu64 ",\"mirror_full\":%" PRIu64 ",\"drops\":{",
	           c->rx, c->rx_bytes, c->tx, c->tx_bytes, c->tx_errors, c->reflected,
	           c->rate_limited, c->records_filtered, c->qu_cleared, c->flush_cleared,
	           c->split, c->records_too_big, c->legacy_queries,
	           c->legacy_answers, c->echo_records, c->recent_evictions, c->mirror_full);
	for (int d = 0; d < MDNS_DROP__MAX; d++)
		ctl_printf(o, "%s\"%s\":%" PRIu64, d ? "," : "", mdns_drop_name((enum mdns_drop)d),
		           c->drops[d]);
	ctl_printf(o, "},\"dns_drops\":{");
	for (int d = 1; d < DNS_DROP__MAX; d++)
		ctl_printf(o, "%s\"%s\":%" PRIu64, d > 1 ? "," : "", dns_drop_name((enum dns_drop)d),
		           c->dns_drops[d]);
	ctl_printf(o, "}}}}\n");
}

static void dump_text(const struct mdns_engine *e, struct ctl_out *o)
{
	const struct mdns_counters *c = &e->c;
	bool any = false;

	ctl_printf(o, "mdns reflector: %zu interface%s, rate limit ", e->n_ifaces,
	           e->n_ifaces == 1 ? "" : "s");
	if (e->rate_limit)
		ctl_printf(o, "%" PRIu32 "/s per link", e->rate_limit);
	else
		ctl_printf(o, "off");
	ctl_printf(o, ", ULA %s, private IPv4 %s\n", e->reflect_ula ? "crosses" : "stays",
	           e->reflect_private4 ? "crosses" : "stays");
	ctl_printf(o, "  %-15s %7s %-5s %-7s %-7s %10s %10s %9s %8s %s\n", "interface", "ifindex",
	           "state", "ipv4", "ipv6", "rx", "tx", "dropped", "limited", "notes");
	for (size_t k = 0; k < e->n_ifaces; k++) {
		const struct mdns_iface *i = &e->ifaces[k];
		ctl_printf(o, "  %-15s %7d %-5s %-7s %-7s %10" PRIu64 " %10" PRIu64 " %9" PRIu64
		           " %8" PRIu64 " %s\n",
		           i->name, i->ifindex > 0 ? i->ifindex : 0,
		           i->ifindex <= 0 ? "absent" : i->up ? "up" : "down",
		           family_state(i->want4, i->joined4), family_state(i->want6, i->joined6),
		           i->c.rx, i->c.tx, i->c.dropped, i->c.rate_limited,
		           i->local_stack ? "local mDNS stack" : "");
	}
	ctl_printf(o, "packets: rx %" PRIu64 " (%" PRIu64 " bytes), tx %" PRIu64 " (%" PRIu64
	           " bytes), reflected %" PRIu64 ", send errors %" PRIu64 ", rate-limited copies %"
	           PRIu64 "\n", c->rx, c->rx_bytes, c->tx, c->tx_bytes, c->reflected, c->tx_errors,
	           c->rate_limited);
	ctl_printf(o, "records: filtered %" PRIu64 ", echoes %" PRIu64 ", QU->QM %" PRIu64
	           ", cache-flush cleared %" PRIu64 ", too big for the MTU %" PRIu64
	           ", legacy queries %" PRIu64 " answers %" PRIu64 "\n", c->records_filtered,
	           c->echo_records, c->qu_cleared, c->flush_cleared, c->records_too_big,
	           c->legacy_queries, c->legacy_answers);
	ctl_printf(o, "copies split to fit the MTU: %" PRIu64 "\n", c->split);
	ctl_printf(o, "dropped:");
	for (int d = 0; d < MDNS_DROP__MAX; d++) {
		if (!c->drops[d])
			continue;
		ctl_printf(o, " %s %" PRIu64, mdns_drop_name((enum mdns_drop)d), c->drops[d]);
		any = true;
	}
	for (int d = 1; d < DNS_DROP__MAX; d++)
		if (c->dns_drops[d])
			ctl_printf(o, " (dns %s %" PRIu64 ")", dns_drop_name((enum dns_drop)d),
			           c->dns_drops[d]);
	ctl_printf(o, "%s\n", any ? "" : " none");
}

void mdns_engine_dump(const struct mdns_engine *e, struct ctl_out *o)
{
	if (o->json)
		dump_json(e, o);
	else
		dump_text(e, o);
}
