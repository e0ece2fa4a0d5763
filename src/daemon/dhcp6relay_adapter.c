/* The island coordinator and DHCPv6 relay adapter: see dhcp6relay_adapter.h. */
#include "daemon/dhcp6relay_adapter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/ndproxy_adapter.h"
#include "daemon/pd_adapter.h"
#include "daemon/ra_adapter.h"
#include "dhcp6relay/dhcp6relay.h"
#include "net/dhcp6_relay_sock.h"
#include "ra/ra.h"
#include "util/json.h"
#include "util/log.h"

#define ISLAND_MAX 8                 /* = CONF_MAX_PDS: an island is a dhcp6-pd block */
#define ISLAND_SOLICIT_WINDOW_MS 5000 /* "no server answered" is said after this long */
#define ISLAND_TICK_MS 1000

struct island {
	struct dhcp6relay_adapter *a;
	char upstream[IF_NAMESIZE];
	size_t n_links;
	char (*links)[IF_NAMESIZE];  /* names or patterns, copied from the conf */
	int up_ifindex;
	struct dhcp6relay *relay;
	bool routed;
	bool ever_bound;
	char why[200];
	uint64_t since_ms;
	uint64_t switches;
};

struct dhcp6relay_adapter {
	struct adapter_env *env;
	struct dhcp6_relay_sock *sock;
	struct island *islands[ISLAND_MAX];  /* heap: the relay engines' ops point at them */
	size_t n;
	uint64_t started_ms;
	struct loop_timer tick;
	bool subscribed;
};

static uint64_t now_ms(const struct dhcp6relay_adapter *a)
{
	return loop_now_ms(a->env->loop);
}

/* ---- the relay engine's ops ---- */

static int op_send(void *ctx, int ifindex, const struct in6_addr *dst, uint16_t dport, const uint8_t *pkt,
                   size_t len)
{
	struct island *is = ctx;
	return dhcp6_relay_sock_send(is->a->sock, ifindex, dst, dport, pkt, len);
}

static void op_host(void *ctx, int up, int down, const struct in6_addr *addr, bool gone)
{
	struct island *is = ctx;
	char s[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, addr, s, sizeof(s));
	log_info("dhcp6-relay: leased host %s %s behind ifindex %d", s, gone ? "gone" : "learned", down);
	struct ndproxy_adapter *ndp = adapter_running(is->a->env, &ndproxy_adapter_class);
	if (ndp)
		ndproxy_adapter_learned_host(ndp, up, down, addr, gone);
}

static uint64_t op_now(void *ctx)
{
	struct island *is = ctx;
	return now_ms(is->a);
}

/* ---- modes ---- */

static void set_mode(struct island *is, bool routed, const char *why)
{
	struct dhcp6relay_adapter *a = is->a;
	bool changed = is->routed != routed;
	snprintf(is->why, sizeof(is->why), "%s", why);
	if (changed) {
		is->routed = routed;
		is->since_ms = now_ms(a);
		is->switches++;
		log_info("island %s: %s mode: %s", is->upstream, routed ? "routed" : "relay", why);
	}
	dhcp6relay_set_active(is->relay, !routed);
	struct ra_engine *ra = ra_adapter_engine(adapter_running(a->env, &ra_adapter_class));
	if (ra && ra_engine_relay_pause(ra, is->upstream, routed) < 0)
		log_warn("island %s: no RA relay to %s", is->upstream, routed ? "pause" : "resume");
}

static struct island *island_by_upstream(struct dhcp6relay_adapter *a, int ifindex)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->islands[i]->up_ifindex == ifindex && ifindex > 0)
			return a->islands[i];
	return NULL;
}

static void on_lease(void *ctx, const struct pd_lease *now, const struct pd_lease *before, const char *event)
{
	(void)before;
	struct dhcp6relay_adapter *a = ctx;
	struct island *is = island_by_upstream(a, now->upstream_ifindex);
	if (!is)
		return;   /* a plain dhcp6-pd block: not ours to choose for */
	bool bound = (now->state == PD_BOUND || now->state == PD_RENEWING || now->state == PD_REBINDING) &&
	             now->n_prefixes > 0;
	char why[200], p[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	if (bound) {
		inet_ntop(AF_INET6, &now->prefixes[0].prefix, p, sizeof(p));
		inet_ntop(AF_INET6, &now->server, s, sizeof(s));
		snprintf(why, sizeof(why), "prefix %s/%u bound from server %s (%s)", p, now->prefixes[0].plen, s, event);
		is->ever_bound = true;
	} else {
		snprintf(why, sizeof(why), "the delegated prefix was lost (%s): relaying again", event);
	}
	set_mode(is, bound, why);
}

/* The reason while no lease was ever bound, computed when asked: the
 * Solicit window decides what can be said. */
static const char *relay_why(const struct island *is, char *buf, size_t cap)
{
	if (is->routed || is->ever_bound)
		return is->why;
	uint64_t waited = now_ms(is->a) - is->a->started_ms;
	if (waited < ISLAND_SOLICIT_WINDOW_MS)
		snprintf(buf, cap, "soliciting a prefix for %llu s: relaying meanwhile",
		         (unsigned long long)(waited / 1000));
	else
		snprintf(buf, cap, "no DHCPv6 server offered a prefix for %llu s", (unsigned long long)(waited / 1000));
	return buf;
}

/* ---- links ---- */

static bool island_covers(const struct island *is, const char *ifname)
{
	if (!strcmp(ifname, is->upstream))
		return false;
	for (size_t i = 0; i < is->n_links; i++)
		if (conf_iface_matches(is->links[i], ifname))
			return true;
	return false;
}

static void iface_seen(struct dhcp6relay_adapter *a, const struct iface *ifc, bool gone)
{
	for (size_t i = 0; i < a->n; i++) {
		struct island *is = a->islands[i];
		if (!strcmp(ifc->name, is->upstream)) {
			is->up_ifindex = gone ? 0 : ifc->ifindex;
			dhcp6relay_set_upstream(is->relay, is->up_ifindex, ifc->name);
			if (!gone) {
				/* a lease bound before the upstream was known to us */
				struct pd_adapter *pd = adapter_running(a->env, &pd_adapter_class);
				const struct pd_lease *l = pd ? pd_adapter_lease(pd, ifc->ifindex) : NULL;
				if (l)
					on_lease(a, l, NULL, "bound");
			}
			continue;
		}
		if (gone || !island_covers(is, ifc->name)) {
			dhcp6relay_del_link(is->relay, ifc->ifindex);
			continue;
		}
		if (dhcp6relay_add_link(is->relay, ifc->ifindex, ifc->name) < 0) {
			log_warn("island %s: more than %d island links, %s not relayed", is->upstream,
			         DHCP6RELAY_MAX_LINKS, ifc->name);
			continue;
		}
		int rc = dhcp6_relay_sock_join(a->sock, ifc->ifindex, true);
		if (rc < 0)
			log_warn("dhcp6-relay: joining ff02::1:2 on %s: %s", ifc->name, strerror(-rc));
	}
}

static void on_rx(void *ctx, int ifindex, const struct in6_addr *src, const uint8_t *pkt, size_t len)
{
	struct dhcp6relay_adapter *a = ctx;
	const struct iface *ifc = iftable_by_index(a->env->ifs, ifindex);
	for (size_t i = 0; i < a->n; i++) {
		struct island *is = a->islands[i];
		if (ifindex == is->up_ifindex || (ifc && island_covers(is, ifc->name)) || i + 1 == a->n) {
			/* the last island counts what no island owns */
			dhcp6relay_input(is->relay, ifindex, src, pkt, len);
			return;
		}
	}
}

static void on_tick(void *ctx)
{
	struct dhcp6relay_adapter *a = ctx;
	for (size_t i = 0; i < a->n; i++)
		dhcp6relay_tick(a->islands[i]->relay);
	loop_timer_in(a->env->loop, &a->tick, ISLAND_TICK_MS, on_tick, a);
}

/* ---- the adapter ---- */

static bool wanted(const struct conf *conf)
{
	return conf->n_islands > 0;
}

static void island_free(struct island *is, bool say_gone)
{
	if (!is)
		return;
	if (say_gone)
		dhcp6relay_set_active(is->relay, false);   /* leased hosts reported gone */
	dhcp6relay_free(is->relay);
	free(is->links);
	free(is);
}

static void islands_free(struct dhcp6relay_adapter *a, bool say_gone)
{
	for (size_t i = 0; i < a->n; i++)
		island_free(a->islands[i], say_gone);
	memset(a->islands, 0, sizeof(a->islands));
	a->n = 0;
}

/* The islands of conf. One whose upstream ran before keeps its relay (and
 * the hosts it learned, which the NDP proxy answers for) and its mode;
 * the others are new. Islands gone from the file are dropped, their hosts
 * reported gone. */
static int islands_build(struct dhcp6relay_adapter *a, const struct conf *conf, char *err, size_t errlen)
{
	struct island *next[ISLAND_MAX] = { 0 };
	size_t n = 0;
	for (size_t i = 0; i < conf->n_islands && i < ISLAND_MAX; i++) {
		const struct conf_pd *pd = &conf->pds[conf->islands[i].pd];
		struct island *is = NULL;
		for (size_t k = 0; k < a->n && !is; k++)
			if (a->islands[k] && !strcmp(a->islands[k]->upstream, conf->islands[i].upstream)) {
				is = a->islands[k];
				a->islands[k] = NULL;
			}
		char (*links)[IF_NAMESIZE] = calloc(pd->n_ifaces, IF_NAMESIZE);
		if (!is && links && (is = calloc(1, sizeof(*is)))) {
			is->a = a;
			memcpy(is->upstream, conf->islands[i].upstream, IF_NAMESIZE);
			const struct dhcp6relay_ops ops = { .ctx = is, .send = op_send, .host = op_host, .now_ms = op_now };
			is->relay = dhcp6relay_new(&ops);
			snprintf(is->why, sizeof(is->why), "no prefix delegated yet");
			is->since_ms = now_ms(a);
		}
		if (!links || !is || !is->relay) {
			free(links);
			island_free(is, true);
			for (size_t k = 0; k < n; k++)
				island_free(next[k], true);
			islands_free(a, true);
			snprintf(err, errlen, "%s", strerror(ENOMEM));
			return -1;
		}
		for (size_t k = 0; k < pd->n_ifaces; k++)
			memcpy(links[k], pd->ifaces[k].name, IF_NAMESIZE);
		free(is->links);
		is->links = links;
		is->n_links = pd->n_ifaces;
		next[n++] = is;
	}
	islands_free(a, true);   /* what the file no longer names */
	memcpy(a->islands, next, sizeof(next));
	a->n = n;
	return 0;
}

static int walk_iface(void *ctx, const struct iface *ifc)
{
	iface_seen(ctx, ifc, false);
	return 0;
}

/* The modes after a (re)build: a lease the PD adapter holds says routed. */
static void islands_sync(struct dhcp6relay_adapter *a)
{
	iftable_foreach(a->env->ifs, walk_iface, a);
	struct pd_adapter *pd = adapter_running(a->env, &pd_adapter_class);
	for (size_t i = 0; i < a->n; i++) {
		struct island *is = a->islands[i];
		const struct pd_lease *l = pd && is->up_ifindex ? pd_adapter_lease(pd, is->up_ifindex) : NULL;
		if (l)
			on_lease(a, l, NULL, "bound");
		else
			set_mode(is, false, is->why);
	}
}

static void *create(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen)
{
	struct dhcp6relay_adapter *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	a->env = env;
	a->started_ms = loop_now_ms(env->loop);
	int rc = dhcp6_relay_sock_open(&a->sock, env->loop, on_rx, a);
	if (rc < 0) {
		snprintf(err, errlen, "island: DHCPv6 relay socket (UDP 547): %s%s", strerror(-rc),
		         rc == -EACCES ? " (binding it needs CAP_NET_BIND_SERVICE at start, as dhcp6-pd's 546: "
		                         "see islandd.conf(5) DHCP6-PD OPTIONS)" : "");
		free(a);
		return NULL;
	}
	if (islands_build(a, conf, err, errlen) < 0) {
		dhcp6_relay_sock_close(a->sock);
		free(a);
		return NULL;
	}
	struct pd_adapter *pd = adapter_running(env, &pd_adapter_class);
	if (pd && pd_adapter_subscribe(pd, on_lease, a) == 0)
		a->subscribed = true;
	else
		log_warn("island: the PD adapter is not running: relay mode only");
	loop_timer_in(env->loop, &a->tick, ISLAND_TICK_MS, on_tick, a);
	return a;
}

static void started(void *self)
{
	islands_sync(self);
}

static int reload(void *self, const struct conf *conf, char *err, size_t errlen)
{
	struct dhcp6relay_adapter *a = self;
	if (islands_build(a, conf, err, errlen) < 0)
		return -1;
	islands_sync(a);
	return 0;
}

static void destroy(void *self)
{
	struct dhcp6relay_adapter *a = self;
	if (!a)
		return;
	struct pd_adapter *pd = adapter_running(a->env, &pd_adapter_class);
	if (pd && a->subscribed)
		pd_adapter_unsubscribe(pd, on_lease, a);
	loop_timer_cancel(a->env->loop, &a->tick);
	islands_free(a, true);
	dhcp6_relay_sock_close(a->sock);
	free(a);
}

static void on_iface(void *self, const struct iface *ifc, unsigned changes)
{
	if (changes & (IFACE_NEW | IFACE_GONE | IFACE_NAME))
		iface_seen(self, ifc, changes & IFACE_GONE);
}

static void on_addr(void *self, const struct iface_addr *ad, bool deleted)
{
	struct dhcp6relay_adapter *a = self;
	if (ad->family != AF_INET6 || (!ad->usable && !deleted))
		return;
	for (size_t i = 0; i < a->n; i++)
		dhcp6relay_on_addr(a->islands[i]->relay, ad->ifindex, &ad->addr, deleted);
}

void dhcp6relay_adapter_dump(const struct dhcp6relay_adapter *a, struct json *j)
{
	json_karr(j, "islands");
	for (size_t i = 0; a && i < a->n; i++) {
		const struct island *is = a->islands[i];
		char buf[200];
		json_obj(j);
		json_kstr(j, "upstream", is->upstream);
		json_kstr(j, "mode", is->routed ? "routed" : "relay");
		json_kstr(j, "why", relay_why(is, buf, sizeof(buf)));
		json_ku64(j, "since_s", (now_ms(a) - is->since_ms) / 1000);
		json_ku64(j, "switches", is->switches);
		json_karr(j, "links");
		for (size_t k = 0; k < is->n_links; k++)
			json_str(j, is->links[k]);
		json_arr_end(j);
		json_key(j, "dhcp6_relay");
		dhcp6relay_dump(is->relay, j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

const struct adapter_class dhcp6relay_adapter_class = {
	.name = "island",
	.wanted = wanted,
	.create = create,
	.reload = reload,
	.started = started,
	.destroy = destroy,
	.on_iface = on_iface,
	.on_addr = on_addr,
};
