/* The daemon's wiring: the loop, kernel events (netlink) applied to the
 * interface table and fanned out to every engine's adapter, signals, the
 * control socket and reloads. The engines themselves, with their packet
 * I/O, sit behind the adapters listed in adapters[] below. */
#include "daemon/runtime.h"
#include "daemon/adapter.h"
#include "daemon/arp_adapter.h"
#include "daemon/dhcp4_adapter.h"
#include "daemon/instance.h"
#include "daemon/mdns_adapter.h"
#include "daemon/nd_io.h"
#include "daemon/ndproxy_adapter.h"
#include "daemon/pd_adapter.h"
#include "daemon/subd_adapter.h"
#include "daemon/dhcp6relay_adapter.h"
#include "daemon/privdrop.h"
#include "daemon/ra_adapter.h"
#include "daemon/sdnotify.h"
#include "daemon/metrics.h"
#include "daemon/status.h"
#include "ctl/ctl.h"
#include "ctl/server.h"
#include "net/iftable.h"
#include "net/netlink.h"
#include "proto/nd.h"
#include "util/log.h"
#include "util/loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

/* Every engine the daemon can run, in the order they are created, told of
 * events and reloaded (destroyed in reverse). Adding an engine: its adapter
 * (daemon/adapter.h) and one line here. */
static const struct adapter_class *const adapters[] = {
	&ndproxy_adapter_class,   /* first: the others' learned hosts are answered by it */
	&ra_adapter_class,
	&mdns_adapter_class,
	&arp_adapter_class,
	&pd_adapter_class,
	&subd_adapter_class,      /* after pd: subscribes to its leases; destroyed before it */
	&dhcp6relay_adapter_class, /* after pd: the island chooses by its leases */
	&dhcp4_adapter_class,
};
#define N_ADAPTERS (sizeof(adapters) / sizeof(adapters[0]))

struct runtime {
	struct loop *loop;
	struct conf *conf;
	char *conf_path;
	struct nl *nl;
	struct iftable *ifs;
	struct nd_io *nd;
	struct adapter_env env;
	void *running[N_ADAPTERS];   /* each adapter, NULL when its engine is off */
	/* the running engines, for the control socket's views (set_views) */
	struct ndp_engine *ndp;
	struct arp_adapter *arp;
	struct ra_engine *ra;
	struct mdns_reflector *mdns;
	struct ctl_server *ctl;
	struct metrics *metrics;  /* metrics-listen; NULL when off */
	struct instance claims;   /* proof of life for other instances */
	char *pidfile;            /* written by us: removed at exit */
	int sig_fd;
	struct loop_timer status_timer;
	uint64_t started_ms, reloads, reload_failures;
	char reload_error[640];   /* why the last reload failed */
	/* engines whose last reload failed ("name: why; ..."): they keep their
	 * previous configuration; empty when every one took the new file */
	char engine_errors[640];
};

static void set_views(struct runtime *rt)
{
	rt->ndp = ndproxy_adapter_engine(adapter_running(&rt->env, &ndproxy_adapter_class));
	rt->ra = ra_adapter_engine(adapter_running(&rt->env, &ra_adapter_class));
	rt->mdns = adapter_running(&rt->env, &mdns_adapter_class);
	rt->arp = adapter_running(&rt->env, &arp_adapter_class);
}

/* Whatever engines queued in this round (answers, probes sent by timers,
 * periodic RAs) leaves in one sendmmsg. */
static void flush_round(void *ctx)
{
	struct runtime *rt = ctx;
	nd_io_flush(rt->nd);
}

/* ---- packets: every running engine, in table order ---------------------- */

static void port_want(void *ctx, const struct iface *ifc, struct port_want *w)
{
	struct runtime *rt = ctx;
	for (size_t i = 0; i < N_ADAPTERS; i++)
		if (rt->running[i] && adapters[i]->want_port)
			adapters[i]->want_port(rt->running[i], ifc, w);
}

static void packet_nd(void *ctx, int ifindex, const struct nd_msg *m, const struct pkt_in *pin)
{
	struct runtime *rt = ctx;
	for (size_t i = 0; i < N_ADAPTERS; i++)
		if (rt->running[i] && adapters[i]->on_nd)
			adapters[i]->on_nd(rt->running[i], ifindex, m, pin);
}

static void packet_mld(void *ctx, int ifindex, const struct mld_msg *m, enum mld_drop why)
{
	struct runtime *rt = ctx;
	for (size_t i = 0; i < N_ADAPTERS; i++)
		if (rt->running[i] && adapters[i]->on_mld)
			adapters[i]->on_mld(rt->running[i], ifindex, m, why);
}

/* ---- kernel events ------------------------------------------------------ */

/* Every engine hears of an interface-table change: the entry and what changed. */
static void on_iface_changed(void *ctx, const struct iface *ifc, unsigned changes)
{
	struct runtime *rt = ctx;
	if (changes & IFACE_GONE)
		log_info("interface %s removed", ifc->name);
	else if (changes & IFACE_NEW)
		log_debug("interface %s (index %d) present", ifc->name, ifc->ifindex);
	else if (changes & IFACE_STATE)
		log_info("interface %s %s%s", ifc->name, ifc->up ? "up" : "down",
		         ifc->up && !ifc->running ? " (no carrier)" : "");
	for (size_t i = 0; i < N_ADAPTERS; i++)
		if (rt->running[i] && adapters[i]->on_iface)
			adapters[i]->on_iface(rt->running[i], ifc, changes);
}

static void on_nl_link(void *ctx, const struct nl_link *l, bool deleted)
{
	struct runtime *rt = ctx;
	if (iftable_on_link(rt->ifs, l, deleted, on_iface_changed, rt) != 0)
		nd_io_refresh_ports(rt->nd);
}

static void on_nl_addr(void *ctx, const struct nl_addr *a, bool deleted)
{
	struct runtime *rt = ctx;
	struct iface_addr ia;
	iftable_on_addr(rt->ifs, a, deleted, on_iface_changed, rt);
	if (!iftable_addr_of(a, &ia))
		return;
	for (size_t i = 0; i < N_ADAPTERS; i++)
		if (rt->running[i] && adapters[i]->on_addr)
			adapters[i]->on_addr(rt->running[i], &ia, deleted);
}

static void on_nl_neigh(void *ctx, const struct nl_neigh *nl, bool deleted)
{
	struct runtime *rt = ctx;
	struct kneigh n;
	nl_neigh_view(nl, &n);
	for (size_t i = 0; i < N_ADAPTERS; i++)
		if (rt->running[i] && adapters[i]->on_neigh)
			adapters[i]->on_neigh(rt->running[i], &n, deleted);
}

static void on_nl_route(void *ctx, const struct nl_route *nl, bool deleted)
{
	struct runtime *rt = ctx;
	struct kroute r;
	nl_route_view(nl, &r);
	for (size_t i = 0; i < N_ADAPTERS; i++)
		if (rt->running[i] && adapters[i]->on_route)
			adapters[i]->on_route(rt->running[i], &r, deleted);
}

static void on_nl_resync_begin(void *ctx)
{
	struct runtime *rt = ctx;
	iftable_resync_begin(rt->ifs);
}

static void on_nl_resynced(void *ctx)
{
	struct runtime *rt = ctx;
	log_warn("netlink events were lost; state re-read from the kernel");
	iftable_resync_end(rt->ifs, on_iface_changed, rt);
	nd_io_refresh_ports(rt->nd);
}

static void on_netlink(void *ctx, int fd, uint32_t events)
{
	struct runtime *rt = ctx;
	nl_process_events(rt->nl);
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* Routes a crashed instance with this configuration may have left: ours
 * (protocol 73), /128, inside a prefix of an autowire proxy rule or on a relay
 * downstream. Other instances' routes elsewhere are left alone.
 * IPv4: every /32 of ours in the main table. Only the IPv4 engines (proxy
 * ARP, the DHCPv4 relay's learned hosts) install IPv4 routes, and this runs
 * only while no other islandd lives in the namespace, so a /32 of protocol
 * 73 can only be a dead instance's, whatever its configuration was. */
static bool route_is_leftover(void *ctx, const struct nl_route *r)
{
	struct runtime *rt = ctx;
	if (r->family == AF_INET)
		return r->plen == 32 && r->table == RT_TABLE_MAIN;
	if (r->plen != 128)
		return false;
	for (size_t pi = 0; pi < rt->conf->n_proxies; pi++) {
		const struct conf_proxy *p = &rt->conf->proxies[pi];
		if (!p->autowire)
			continue;
		for (size_t ri = 0; ri < p->n_rules; ri++)
			if (nd_prefix_match(&r->dst, &p->rules[ri].prefix, p->rules[ri].plen))
				return true;
	}
	const struct iface *ifc = iftable_by_index(rt->ifs, r->oif);
	for (size_t i = 0; ifc && i < rt->conf->n_relays; i++)
		for (size_t d = 0; d < rt->conf->relays[i].n_downstream; d++)
			if (conf_iface_matches(rt->conf->relays[i].downstream[d], ifc->name))
				return true;
	return false;
}

/* ---- control ------------------------------------------------------------ */

/* What islandctl's views read (daemon/status.c). */
static void status_view_of(struct runtime *rt, struct status_view *v)
{
	*v = (struct status_view){
		.conf = rt->conf, .conf_path = rt->conf_path, .ifs = rt->ifs, .ports = nd_io_ports(rt->nd),
		.ndp = rt->ndp, .arp = rt->arp, .ra = rt->ra, .mdns = rt->mdns, .ctl = rt->ctl, .nl = rt->nl,
		.started_ms = rt->started_ms, .reloads = rt->reloads, .reload_failures = rt->reload_failures,
		.rx_packets = nd_io_stats(rt->nd)->rx_packets, .drops = nd_io_stats(rt->nd)->drops,
		.loop_wakeups = loop_wakeups(rt->loop),
		.metrics = rt->metrics ? metrics_stats(rt->metrics) : NULL,
		.pd = adapter_running(&rt->env, &pd_adapter_class),
		.subd = adapter_running(&rt->env, &subd_adapter_class),
		.island = adapter_running(&rt->env, &dhcp6relay_adapter_class),
		.dhcp4 = dhcp4_adapter_engine(adapter_running(&rt->env, &dhcp4_adapter_class)),
	};
}

static void metrics_view(void *ctx, struct status_view *v)
{
	status_view_of(ctx, v);
}

/* Opens, moves or closes the metrics listener as conf says: 0, or -1 with
 * err filled (the listener is then off). */
static int metrics_apply(struct runtime *rt, const struct conf *conf, char *err, size_t errlen)
{
	const struct conf_listen *want = &conf->metrics_listen;
	const struct conf_listen *have = rt->metrics ? metrics_addr(rt->metrics) : NULL;
	if (have && have->family == want->family && have->port == want->port &&
	    memcmp(have->addr, want->addr, sizeof(want->addr)) == 0)
		return 0;
	metrics_free(rt->metrics);
	rt->metrics = NULL;
	if (!want->family)
		return 0;
	rt->metrics = metrics_new(rt->loop, want, metrics_view, rt, err, errlen);
	return rt->metrics ? 0 : -1;
}

static void reload(struct runtime *rt);

/* systemctl status shows this line; refreshed every 5 s */
static void status_tick(void *ctx)
{
	struct runtime *rt = ctx;
	const struct ndp_counters *c = rt->ndp ? ndp_engine_counters(rt->ndp) : NULL;
	sdnotify_status("%u sessions, %llu NS answered, %llu routes; %zu %s, mdns %s, ra %s",
	                rt->ndp ? ndp_engine_session_count(rt->ndp) : 0u,
	                c ? (unsigned long long)c->tx_na : 0ULL,
	                c ? (unsigned long long)(c->route_added - c->route_removed) : 0ULL,
	                rt->conf->n_proxies, plural(rt->conf->n_proxies, "proxy", "proxies"),
	                rt->mdns ? "on" : "off", rt->ra ? "on" : "off");
	loop_timer_in(rt->loop, &rt->status_timer, 5000, status_tick, rt);
}

/* Every reply is one JSON document (daemon/status.c); islandctl renders
 * the tables people read. */
static int ctl_handle(void *ctx, const struct ctl_request *req, struct ctl_out *o)
{
	struct runtime *rt = ctx;
	struct status_view v;
	if (strcmp(req->command, "reload") == 0) {
		uint64_t failures = rt->reload_failures, reloads = rt->reloads;
		reload(rt);
		status_view_of(rt, &v);
		status_reload_reply(&v, rt->reload_failures == failures ? NULL : rt->reload_error,
		                    rt->reloads != reloads, o);
		return 0;
	}
	status_view_of(rt, &v);
	return status_ctl(&v, req->command, o);
}

/* ---- life cycle --------------------------------------------------------- */

struct missing_ctx {
	struct runtime *rt;
	const struct conf *conf;
};

static void warn_missing_iface(void *vctx, const char *ifname, const char *role, struct conf_pos pos)
{
	struct missing_ctx *m = vctx;
	if (!conf_iface_is_pattern(ifname) && !iftable_by_name(m->rt->ifs, ifname))
		log_warn("%s:%u:%u: interface %s (%s) does not exist now; islandd uses it when it appears",
		         m->conf->path, pos.line, pos.col, ifname, role);
}

/* A typo in an interface name loads fine (interfaces may come later): say so
 * at load and reload, not only in `islandctl status`. */
static void warn_missing_ifaces(struct runtime *rt, const struct conf *conf)
{
	struct missing_ctx m = { rt, conf };
	conf_foreach_iface(conf, warn_missing_iface, &m);
}

static void on_claim_probe(void *ctx, int fd, uint32_t events)
{
	instance_drain(fd);
}

static void claim_closing(void *ctx, int fd)
{
	struct runtime *rt = ctx;
	loop_del_fd(rt->loop, fd);
}

/* Watch the claims taken from index `from` on, so probes are drained. */
static void claims_watch(struct runtime *rt, size_t from)
{
	for (size_t i = from; i < rt->claims.n; i++)
		if (loop_add_fd(rt->loop, rt->claims.fds[i], EPOLLIN, on_claim_probe, rt) < 0)
			log_warn("cannot watch an instance claim: %s", strerror(errno));
}

struct replay {
	const struct adapter_class *cls;
	void *self;
};

static int replay_one(void *ctx, const struct iface *ifc)
{
	struct replay *r = ctx;
	r->cls->on_iface(r->self, ifc, IFACE_NEW);
	return 0;
}

/* A new engine hears of every interface that exists, as if each had just
 * appeared (engines with their own mirror, as the mDNS reflector's, need
 * it); addresses, neighbours and routes come with the dump that follows. */
static void start_adapter(struct runtime *rt, size_t i, const struct conf *conf, char *err, size_t errlen)
{
	rt->running[i] = adapters[i]->create(&rt->env, conf, err, errlen);
	if (rt->running[i] && adapters[i]->on_iface) {
		struct replay r = { adapters[i], rt->running[i] };
		iftable_foreach(rt->ifs, replay_one, &r);
	}
}

/* One engine's part of a reload: reload it, start it or stop it, as the
 * new configuration says. 0, or -1 with err filled (it keeps running as
 * before, or stays off). */
static int apply_to_adapter(struct runtime *rt, size_t i, const struct conf *conf, char *err, size_t errlen)
{
	const struct adapter_class *cls = adapters[i];
	bool want = cls->wanted(conf);
	if (rt->running[i] && want)
		return cls->reload(rt->running[i], conf, err, errlen);
	if (rt->running[i]) {
		void *gone = rt->running[i];
		rt->running[i] = NULL;   /* others stop asking it while it says goodbye */
		cls->destroy(gone);
		return 0;
	}
	if (!want)
		return 0;
	start_adapter(rt, i, conf, err, errlen);
	return rt->running[i] ? 0 : -1;
}

static int reload_adapter(struct runtime *rt, size_t i, const struct conf *conf, char *err, size_t errlen)
{
	int rc = apply_to_adapter(rt, i, conf, err, errlen);
	set_views(rt);   /* a reload may replace the engine behind the adapter */
	return rc;
}

static void engine_failed(struct runtime *rt, size_t i, const char *why)
{
	size_t used = strlen(rt->engine_errors);
	log_err("reload: %s failed and keeps its previous configuration: %s", adapters[i]->name, why);
	snprintf(rt->engine_errors + used, sizeof(rt->engine_errors) - used, "%s%s: %s", used ? "; " : "",
	         adapters[i]->name, why);
}

static void reload_config(struct runtime *rt)
{
	struct conf *conf;
	struct conf_error err;
	rt->engine_errors[0] = '\0';
	if (conf_load(rt->conf_path, &conf, &err) < 0) {
		char msg[600];
		conf_error_format(&err, msg, sizeof(msg));
		log_err("reload failed, keeping the running configuration: %s", msg);
		snprintf(rt->reload_error, sizeof(rt->reload_error), "%s", msg);
		rt->reload_failures++;
		return;
	}
	for (size_t i = 0; i < conf->n_warnings; i++)
		log_warn("%s", conf->warnings[i]);
	/* interfaces the new configuration adds must not be another instance's */
	char why[256];
	size_t claimed = rt->claims.n;
	if (instance_claim_more(&rt->claims, conf, why, sizeof(why)) < 0) {
		log_err("reload failed, keeping the running configuration: %s", why);
		snprintf(rt->reload_error, sizeof(rt->reload_error), "%s", why);
		conf_free(conf);
		rt->reload_failures++;
		return;
	}
	claims_watch(rt, claimed);
	warn_missing_ifaces(rt, conf);
	/* Engines that point into the configuration tree go first: if one
	 * fails, nothing has changed and the old tree stays for all. */
	for (size_t i = 0; i < N_ADAPTERS; i++) {
		if (!adapters[i]->holds_conf)
			continue;
		char e[200];
		if (reload_adapter(rt, i, conf, e, sizeof(e)) < 0) {
			log_err("reload failed, keeping the running configuration: %s: %s", adapters[i]->name, e);
			snprintf(rt->reload_error, sizeof(rt->reload_error), "%s: %s", adapters[i]->name, e);
			conf_free(conf);
			rt->reload_failures++;
			return;
		}
	}
	size_t old_proxies = rt->conf->n_proxies;
	for (size_t i = 0; i < N_ADAPTERS; i++) {
		char e[200];
		if (!adapters[i]->holds_conf && reload_adapter(rt, i, conf, e, sizeof(e)) < 0)
			engine_failed(rt, i, e);
	}
	loop_set_batch_interval(rt->loop, conf->batch_interval_us);
	char merr[200];
	if (metrics_apply(rt, conf, merr, sizeof(merr)) < 0) {
		log_err("%s", merr);
		size_t n = strlen(rt->engine_errors);
		snprintf(rt->engine_errors + n, sizeof(rt->engine_errors) - n, "%s%s", n ? "; " : "", merr);
	}
	instance_release_unused(&rt->claims, conf, claim_closing, rt);
	conf_free(rt->conf);
	rt->conf = conf;
	rt->reloads++;
	if (rt->engine_errors[0]) {
		snprintf(rt->reload_error, sizeof(rt->reload_error), "%s", rt->engine_errors);
		rt->reload_failures++;
	}
	/* the new engines learn what the kernel knows (neighbours, addresses) */
	nl_dump_all(rt->nl);
	nd_io_refresh_ports(rt->nd);
	nd_io_flush(rt->nd);
	log_info("configuration reloaded from %s: %zu %s (were %zu), mdns %s, ra %s", rt->conf_path,
	         conf->n_proxies, plural(conf->n_proxies, "proxy", "proxies"), old_proxies,
	         rt->mdns ? "on" : "off", rt->ra ? "on" : "off");
}

/* systemd sees the reload begin and end, whether it worked or not */
static void reload(struct runtime *rt)
{
	sdnotify_reloading();
	reload_config(rt);
	sdnotify_ready();
	status_tick(rt);
}

static void on_signal(void *ctx, int fd, uint32_t events)
{
	struct runtime *rt = ctx;
	struct signalfd_siginfo si;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP: reloading %s", rt->conf_path);
			reload(rt);
		} else {
			log_info("%s: shutting down", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
			sdnotify_stopping();
			loop_stop(rt->loop);
		}
	}
}

static int write_pidfile(const char *path)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	ssize_t w = write(fd, buf, (size_t)n);
	int err = w < 0 ? errno : EIO;
	if (close(fd) < 0 && w == n)
		return -errno;
	return w == n ? 0 : -err;
}

struct runtime *runtime_new(struct conf *conf, const char *conf_path, const char *sock_path,
                            const char *pidfile, const char *user)
{
	struct runtime *rt = calloc(1, sizeof(*rt));
	if (!rt) {
		conf_free(conf);
		return NULL;
	}
	/* Large, short-lived buffers (a long islandctl reply) come from mmap and
	 * go back to the kernel when freed: a fixed threshold stops glibc from
	 * raising it after the first one and keeping the memory afterwards. */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	rt->conf = conf;
	rt->sig_fd = -1;
	rt->started_ms = clock_ms();
	for (size_t i = 0; i < conf->n_warnings; i++)
		log_warn("%s", conf->warnings[i]);
	/* Before anything is touched: another live instance on these interfaces
	 * or this socket means we are the mistake, not it. */
	char why[256];
	if (instance_claim(&rt->claims, conf, sock_path, why, sizeof(why)) < 0) {
		log_err("%s: not starting", why);
		goto fail;
	}
	if (pidfile) {
		int err = write_pidfile(pidfile);
		if (err < 0) {
			log_err("cannot write pidfile %s: %s", pidfile, strerror(-err));
			goto fail;
		}
		rt->pidfile = strdup(pidfile);
		if (!rt->pidfile) {
			unlink(pidfile);
			log_err("out of memory");
			goto fail;
		}
	}
	rt->conf_path = strdup(conf_path);
	rt->loop = loop_new();
	rt->ifs = iftable_new(256);
	if (!rt->conf_path || !rt->loop || !rt->ifs) {
		log_err("out of memory");
		goto fail;
	}
	claims_watch(rt, 0);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	rt->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (rt->sig_fd < 0 || loop_add_fd(rt->loop, rt->sig_fd, EPOLLIN, on_signal, rt) < 0) {
		log_err("signalfd: %s", strerror(errno));
		goto fail;
	}

	loop_set_after_round(rt->loop, flush_round, rt);
	loop_set_batch_interval(rt->loop, conf->batch_interval_us);
	const struct nd_io_sink sink = { .ctx = rt, .want = port_want, .nd = packet_nd, .mld = packet_mld };
	int rc = nd_io_new(&rt->nd, rt->loop, rt->ifs, &sink);
	if (rc < 0) {
		log_err("cannot open a packet socket: %s (islandd needs CAP_NET_RAW)", strerror(-rc));
		goto fail;
	}
	struct nl_observer obs = { .ctx = rt, .link = on_nl_link, .addr = on_nl_addr,
	                           .neigh = on_nl_neigh, .route = on_nl_route, .resynced = on_nl_resynced,
	                           .resync_begin = on_nl_resync_begin };
	rc = nl_open(&rt->nl, &obs);
	if (rc < 0) {
		log_err("netlink: %s", strerror(-rc));
		goto fail;
	}
	if (loop_add_fd(rt->loop, nl_event_fd(rt->nl), EPOLLIN, on_netlink, rt) < 0)
		goto fail;

	rt->env = (struct adapter_env){ .loop = rt->loop, .nl = rt->nl, .ifs = rt->ifs, .nd = rt->nd,
	                                .classes = adapters, .running = rt->running, .n = N_ADAPTERS };
	/* learn interfaces first, so leftover routes can be matched by name,
	 * and remove those before any engine may install one */
	rc = nl_dump_all(rt->nl);
	if (rc < 0) {
		log_err("netlink dump: %s", strerror(-rc));
		goto fail;
	}
	warn_missing_ifaces(rt, conf);
	pid_t others[4];
	size_t n_others = instance_others(others, 4);
	if (n_others > 0) {
		/* its routes look like leftovers of ours: leave every one alone */
		log_info("another islandd (pid %ld) runs in this network namespace: routes of protocol %d "
		         "are not cleaned up", (long)others[0], ISLANDD_RTPROT);
	} else {
		int removed = nl_route_flush(rt->nl, route_is_leftover, rt);
		if (removed > 0)
			log_info("removed %d %s left by an earlier instance", removed,
			         plural((size_t)removed, "route", "routes"));
	}
	for (size_t i = 0; i < N_ADAPTERS; i++) {
		char e[200];
		if (!adapters[i]->wanted(conf))
			continue;
		start_adapter(rt, i, conf, e, sizeof(e));
		if (!rt->running[i]) {
			log_err("%s: cannot start: %s", adapters[i]->name, e);
			if (adapters[i]->holds_conf)
				goto fail;
		}
	}
	set_views(rt);
	/* the engines learn addresses, neighbours and routes (interfaces came
	 * with start_adapter) */
	rc = nl_dump_all(rt->nl);
	if (rc < 0) {
		log_err("netlink dump: %s", strerror(-rc));
		goto fail;
	}
	for (size_t i = 0; i < N_ADAPTERS; i++)
		if (rt->running[i] && adapters[i]->started)
			adapters[i]->started(rt->running[i]);
	nd_io_refresh_ports(rt->nd);

	rt->ctl = ctl_server_new(rt->loop, sock_path, ctl_handle, rt);
	if (!rt->ctl) {
		log_err("control socket %s: %s", sock_path, strerror(errno));
		goto fail;
	}
	/* before privileges go: a port below 1024 needs them */
	char merr[200];
	if (metrics_apply(rt, conf, merr, sizeof(merr)) < 0) {
		log_err("%s", merr);
		goto fail;
	}
	/* everything that needs root is open: keep CAP_NET_RAW and CAP_NET_ADMIN only */
	rc = privdrop(user);
	if (rc < 0) {
		log_err("cannot drop privileges: %s", strerror(-rc));
		goto fail;
	}
	log_info("islandd %s running: %zu %s, %s, %s", ISLANDD_VERSION, conf->n_proxies,
	         plural(conf->n_proxies, "proxy", "proxies"), rt->mdns ? "mdns reflector on" : "no mdns",
	         rt->ra ? "router advertisements on" : "no ra");
	return rt;
fail:
	runtime_free(rt);
	return NULL;
}

int runtime_run(struct runtime *rt)
{
	status_tick(rt);
	sdnotify_ready();
	int rc = loop_run(rt->loop);
	if (rc < 0) {
		log_err("event loop: %s", strerror(-rc));
		return 1;
	}
	return 0;
}

void runtime_free(struct runtime *rt)
{
	if (!rt)
		return;
	/* in reverse: the proxy, first in the table, hears the relay's hosts leave */
	for (size_t i = N_ADAPTERS; i-- > 0;) {
		void *gone = rt->running[i];
		rt->running[i] = NULL;
		if (gone)
			adapters[i]->destroy(gone);
	}
	set_views(rt);
	metrics_free(rt->metrics);
	ctl_server_free(rt->ctl);
	if (rt->loop)
		instance_release(&rt->claims, claim_closing, rt);
	else
		instance_release(&rt->claims, NULL, NULL);
	if (rt->pidfile) {
		unlink(rt->pidfile);
		free(rt->pidfile);
	}
	nd_io_free(rt->nd);
	if (rt->nl)
		nl_close(rt->nl);
	if (rt->sig_fd >= 0)
		close(rt->sig_fd);
	iftable_free(rt->ifs);
	loop_free(rt->loop);
	conf_free(rt->conf);
	free(rt->conf_path);
	free(rt);
}
