/* The DHCPv6-PD adapter: see pd_adapter.h. */
#include "daemon/pd_adapter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dhcp6pd/pd.h"
#include "net/dhcp6_sock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/random.h"

#define PD_MAX_UPSTREAMS 8   /* = the parser's CONF_MAX_PDS */

struct pd_adapter;

struct pd_up {
	struct pd_adapter *a;
	char ifname[IF_NAMESIZE];
	char state_dir[256];
	bool has_hint, release;
	struct in6_addr hint;
	uint8_t hint_plen;
	struct dhcp6_sock *sock;
	struct pd_client *client;   /* NULL until the upstream has a link-local address */
	int ifindex;
	uint64_t wrong_iface, wrong_port;
	int last_send_error;
};

struct subscriber {
	pd_lease_changed_fn fn;
	void *ctx;
};

struct pd_adapter {
	struct adapter_env *env;
	size_t n_ups;
	struct pd_up *ups[PD_MAX_UPSTREAMS]; /* heap: the socket and client point at them */
	struct subscriber subs[PD_ADAPTER_MAX_SUBSCRIBERS];
	uint64_t rng;
};

/* ---- the engine's ops ---- */

static int op_send(void *ctx, int ifindex, const uint8_t *msg, size_t len)
{
	struct pd_up *u = ctx;
	(void)ifindex;
	int rc = dhcp6_sock_send(u->sock, msg, len);
	/* the first failure of a kind is logged; repeats only counted */
	if (rc < 0 && rc != u->last_send_error)
		log_warn("dhcp6-pd %s: cannot send: %s", u->ifname, strerror(-rc));
	u->last_send_error = rc;
	return rc;
}

static uint64_t op_now_ms(void *ctx)
{
	struct pd_up *u = ctx;
	return loop_now_ms(u->a->env->loop);
}

static uint64_t op_wall_s(void *ctx)
{
	(void)ctx;
	return (uint64_t)time(NULL);
}

static uint32_t op_random(void *ctx)
{
	struct pd_up *u = ctx;
	return (uint32_t)(rng_next(&u->a->rng) >> 32);
}

static int path_of(const struct pd_up *u, const char *name, char *buf, size_t cap, const char *suffix)
{
	int n = snprintf(buf, cap, "%s/%s%s", u->state_dir, name, suffix);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int op_load(void *ctx, const char *name, char *buf, size_t cap)
{
	struct pd_up *u = ctx;
	char path[512];
	if (path_of(u, name, path, sizeof(path), "") < 0)
		return -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap);
	close(fd);
	return n < 0 || (size_t)n >= cap ? -1 : (int)n;
}

/* Written whole or not at all: a temporary file, fsync, rename over the
 * old one, fsync the directory. A crash leaves the old file or the new. */
static int op_save(void *ctx, const char *name, const char *buf, size_t len)
{
	struct pd_up *u = ctx;
	char path[512], tmp[520];
	if (path_of(u, name, path, sizeof(path), "") < 0 || path_of(u, name, tmp, sizeof(tmp), ".tmp") < 0)
		return -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (fd < 0)
		goto fail;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0)
		goto fail;
	int dfd = open(u->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	log_warn("dhcp6-pd %s: cannot write %s: %s", u->ifname, path, strerror(errno));
	unlink(tmp);
	return -1;
}

static void op_lease_changed(void *ctx, const struct pd_lease *now, const struct pd_lease *before,
                             const char *event)
{
	struct pd_up *u = ctx;
	for (size_t i = 0; i < PD_ADAPTER_MAX_SUBSCRIBERS; i++)
		if (u->a->subs[i].fn)
			u->a->subs[i].fn(u->a->subs[i].ctx, now, before, event);
}

/* ---- per upstream ---- */

static void on_datagram(void *ctx, int ifindex, const struct in6_addr *src, uint16_t sport,
                        const uint8_t *buf, size_t len)
{
	struct pd_up *u = ctx;
	/* the socket is tied to the upstream; anything else (the island side
	 * before the tie, a packet routed in) is not a server's answer */
	if (!u->client || ifindex != u->ifindex) {
		u->wrong_iface++;
		return;
	}
	if (sport != DHCP6_SERVER_PORT) {
		u->wrong_port++;
		return;
	}
	pd_client_input(u->client, buf, len, src);
}

static void up_stop(struct pd_up *u)
{
	pd_client_free(u->client);
	u->client = NULL;
	u->ifindex = 0;
}

/* The upstream is there with a usable link-local address: tie the socket
 * to it and start (or continue) the client. */
static void up_try_start(struct pd_up *u, const struct iface *ifc)
{
	if (u->client || !ifc || !ifc->up || !ifc->has_ll)
		return;
	int rc = dhcp6_sock_bind_device(u->sock, ifc->name, ifc->ifindex);
	if (rc < 0) {
		log_warn("dhcp6-pd %s: cannot tie the socket to the link: %s", u->ifname, strerror(-rc));
		return;
	}
	struct pd_client_conf cc = { .ifindex = ifc->ifindex, .has_hint = u->has_hint,
	                             .hint = u->hint, .hint_plen = u->hint_plen,
	                             .release = u->release };
	snprintf(cc.ifname, sizeof(cc.ifname), "%s", u->ifname);
	if (ifc->lladdr_len == 6) {
		cc.has_mac = true;
		memcpy(cc.mac, ifc->lladdr, 6);
	}
	const struct pd_ops ops = {
		.ctx = u, .send = op_send, .now_ms = op_now_ms, .wall_s = op_wall_s,
		.random = op_random, .load = op_load, .save = op_save,
		.lease_changed = op_lease_changed, .lease_ctx = u,
	};
	u->client = pd_client_new(u->a->env->loop, &ops, &cc);
	if (!u->client) {
		log_err("dhcp6-pd %s: %s", u->ifname, strerror(ENOMEM));
		return;
	}
	u->ifindex = ifc->ifindex;
	log_info("dhcp6-pd %s: starting on ifindex %d", u->ifname, ifc->ifindex);
	pd_client_start(u->client);
}

static void up_settings(struct pd_up *u, const struct conf_pd *pd)
{
	u->has_hint = pd->has_hint;
	u->hint = pd->hint;
	u->hint_plen = pd->hint_plen;
	u->release = pd->release;
	if (u->client)
		pd_client_set_options(u->client, pd->has_hint, &pd->hint, pd->hint_plen, pd->release);
}

static struct pd_up *up_new(struct pd_adapter *a, const struct conf_pd *pd, char *err, size_t errlen)
{
	struct pd_up *u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	u->a = a;
	snprintf(u->ifname, sizeof(u->ifname), "%s", pd->upstream);
	snprintf(u->state_dir, sizeof(u->state_dir), "%s", pd->state_dir);
	up_settings(u, pd);
	if (mkdir(u->state_dir, 0750) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "dhcp6-pd %s: state-dir %s: %s", u->ifname, u->state_dir,
		         strerror(errno));
		free(u);
		return NULL;
	}
	u->sock = dhcp6_sock_open(a->env->loop, on_datagram, u);
	if (!u->sock) {
		int e = errno;
		snprintf(err, errlen, "dhcp6-pd %s: UDP port %u: %s%s", u->ifname, DHCP6_CLIENT_PORT,
		         strerror(e), e == EACCES ? " (binding it needs CAP_NET_BIND_SERVICE at start, "
		                                    "see islandd.conf(5) DHCP6-PD OPTIONS)" : "");
		free(u);
		return NULL;
	}
	up_try_start(u, iftable_by_name(a->env->ifs, u->ifname));
	return u;
}

static void up_free(struct pd_up *u)
{
	if (!u)
		return;
	up_stop(u);
	dhcp6_sock_close(u->sock);
	free(u);
}

/* ---- the adapter ---- */

static bool wanted(const struct conf *conf)
{
	return conf->n_pds > 0;
}

static void *create(struct adapter_env *env, const struct conf *conf, char *err, size_t errlen)
{
	struct pd_adapter *a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	a->env = env;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	a->rng = rng_init((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid());
	for (size_t i = 0; i < conf->n_pds && i < PD_MAX_UPSTREAMS; i++) {
		a->ups[i] = up_new(a, &conf->pds[i], err, errlen);
		if (!a->ups[i]) {
			for (size_t k = 0; k < i; k++)
				up_free(a->ups[k]);
			free(a);
			return NULL;
		}
		a->n_ups++;
	}
	return a;
}

/* SIGHUP keeps every lease whose upstream stays (a new hint or release
 * flag applies from the next exchange that uses it); new blocks start;
 * blocks gone stop (with a Release only where they asked for one). A new
 * state-dir is a new client: it continues what that directory holds. */
static int reload(void *self, const struct conf *conf, char *err, size_t errlen)
{
	struct pd_adapter *a = self;
	struct pd_up *next[PD_MAX_UPSTREAMS] = { NULL };
	bool fresh[PD_MAX_UPSTREAMS] = { false };
	size_t n = 0;
	for (size_t i = 0; i < conf->n_pds && i < PD_MAX_UPSTREAMS; i++) {
		const struct conf_pd *pd = &conf->pds[i];
		for (size_t k = 0; k < a->n_ups; k++) {
			struct pd_up *u = a->ups[k];
			if (u && !strcmp(u->ifname, pd->upstream) && !strcmp(u->state_dir, pd->state_dir)) {
				up_settings(u, pd);
				next[n] = u;
				a->ups[k] = NULL;
				break;
			}
		}
		if (!next[n]) {
			next[n] = up_new(a, pd, err, errlen);
			fresh[n] = true;
		}
		if (!next[n]) {
			/* keep running what ran: the new ones go, the kept ones back */
			for (size_t k = 0; k < n; k++) {
				if (fresh[k]) {
					up_free(next[k]);
					continue;
				}
				size_t slot = 0;
				while (a->ups[slot])
					slot++; /* a free slot exists: next[k] came out of one */
				a->ups[slot] = next[k];
			}
			return -1;
		}
		n++;
	}
	for (size_t k = 0; k < a->n_ups; k++)
		up_free(a->ups[k]);
	memcpy(a->ups, next, sizeof(next));
	a->n_ups = n;
	return 0;
}

static void destroy(void *self)
{
	struct pd_adapter *a = self;
	if (!a)
		return;
	for (size_t i = 0; i < a->n_ups; i++)
		up_free(a->ups[i]);
	free(a);
}

static void on_iface(void *self, const struct iface *ifc, unsigned changes)
{
	struct pd_adapter *a = self;
	for (size_t i = 0; i < a->n_ups; i++) {
		struct pd_up *u = a->ups[i];
		if (!u || strcmp(u->ifname, ifc->name))
			continue;
		if (changes & IFACE_GONE) {
			/* the lease stays on disk: it continues when the link is back */
			up_stop(u);
			dhcp6_sock_bind_device(u->sock, "", 0);
			continue;
		}
		if (u->client && (changes & IFACE_STATE))
			pd_client_link(u->client, ifc->up && ifc->running);
		up_try_start(u, ifc);
	}
}

int pd_adapter_subscribe(struct pd_adapter *a, pd_lease_changed_fn fn, void *ctx)
{
	for (size_t i = 0; i < PD_ADAPTER_MAX_SUBSCRIBERS; i++) {
		if (a->subs[i].fn)
			continue;
		a->subs[i].fn = fn;
		a->subs[i].ctx = ctx;
		/* catch up: the leases already bound */
		for (size_t k = 0; k < a->n_ups; k++) {
			const struct pd_client *c = a->ups[k] ? a->ups[k]->client : NULL;
			if (c && pd_client_lease(c)->n_prefixes) {
				struct pd_lease none;
				memset(&none, 0, sizeof(none));
				none.upstream_ifindex = a->ups[k]->ifindex;
				fn(ctx, pd_client_lease(c), &none, "bound");
			}
		}
		return 0;
	}
	return -1;
}

void pd_adapter_unsubscribe(struct pd_adapter *a, pd_lease_changed_fn fn, void *ctx)
{
	for (size_t i = 0; i < PD_ADAPTER_MAX_SUBSCRIBERS; i++)
		if (a->subs[i].fn == fn && a->subs[i].ctx == ctx)
			a->subs[i].fn = NULL;
}

const struct pd_lease *pd_adapter_lease(const struct pd_adapter *a, int upstream_ifindex)
{
	for (size_t i = 0; a && i < a->n_ups; i++)
		if (a->ups[i] && a->ups[i]->client && a->ups[i]->ifindex == upstream_ifindex)
			return pd_client_lease(a->ups[i]->client);
	return NULL;
}

void pd_adapter_dump(const struct pd_adapter *a, struct json *j)
{
	json_karr(j, "pd");
	for (size_t i = 0; a && i < a->n_ups; i++) {
		const struct pd_up *u = a->ups[i];
		if (!u)
			continue;
		if (u->client) {
			pd_client_dump(u->client, j);
			continue;
		}
		json_obj(j);
		json_kstr(j, "upstream", u->ifname);
		json_kstr(j, "state", "waiting");
		json_kstr(j, "why", "no such link, link down, or no usable link-local address yet");
		json_karr(j, "prefixes");
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void pd_adapter_dump_counters(const struct pd_adapter *a, struct json *j)
{
	struct pd_counters sum;
	memset(&sum, 0, sizeof(sum));
	uint64_t wrong_iface = 0, wrong_port = 0, sock_rx = 0, sock_tx_err = 0;
	for (size_t i = 0; a && i < a->n_ups; i++) {
		const struct pd_up *u = a->ups[i];
		if (!u)
			continue;
		wrong_iface += u->wrong_iface;
		wrong_port += u->wrong_port;
		const struct dhcp6_sock_stats *ss = dhcp6_sock_stats(u->sock);
		sock_rx += ss->rx;
		sock_tx_err += ss->tx_errors;
		if (!u->client)
			continue;
		const struct pd_counters *k = pd_client_counters(u->client);
		sum.rx += k->rx;
		sum.tx += k->tx;
		sum.bound += k->bound;
		sum.renewed += k->renewed;
		sum.changed += k->changed;
		sum.expired += k->expired;
		sum.no_binding += k->no_binding;
		sum.no_prefix_avail += k->no_prefix_avail;
		sum.prefixes_refused += k->prefixes_refused;
		for (int d = 0; d < PD_DROP__MAX; d++)
			sum.drops[d] += k->drops[d];
	}
	json_kobj(j, "pd");
	json_ku64(j, "socket_rx", sock_rx);
	json_ku64(j, "socket_tx_errors", sock_tx_err);
	json_ku64(j, "rx", sum.rx);
	json_ku64(j, "tx", sum.tx);
	json_ku64(j, "bound", sum.bound);
	json_ku64(j, "renewed", sum.renewed);
	json_ku64(j, "changed", sum.changed);
	json_ku64(j, "expired", sum.expired);
	json_ku64(j, "no_binding", sum.no_binding);
	json_ku64(j, "no_prefix_avail", sum.no_prefix_avail);
	json_ku64(j, "prefixes_refused", sum.prefixes_refused);
	json_ku64(j, "drop_wrong_iface", wrong_iface);
	json_ku64(j, "drop_wrong_port", wrong_port);
	for (int d = 0; d < PD_DROP__MAX; d++) {
		char key[48];
		snprintf(key, sizeof(key), "drop_%s", pd_drop_name((enum pd_drop)d));
		json_ku64(j, key, sum.drops[d]);
	}
	json_obj_end(j);
}

const struct adapter_class pd_adapter_class = {
	.name = "dhcp6-pd",
	.wanted = wanted,
	.create = create,
	.reload = reload,
	.destroy = destroy,
	.on_iface = on_iface,
};
