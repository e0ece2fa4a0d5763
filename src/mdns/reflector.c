/* The daemon's mDNS reflector: engine + sockets + clock (see mdns.h). */
#include "mdns/mdns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "mdns/engine.h"
#include "net/mdns_sock.h"
#include "util/json.h"
#include "util/log.h"

struct mdns_reflector {
	struct mdns_sock *sock;
	struct mdns_engine *engine;
	struct log_ratelimit join_log;  /* joins are retried on every link/address event */
	struct log_ratelimit tx_log;
};

static uint64_t reflector_now(void *ctx)
{
	return clock_ms();
}

static int reflector_send(void *ctx, const struct mdns_tx *tx, const uint8_t *pkt, size_t len)
{
	struct mdns_reflector *r = ctx;
	return mdns_sock_send(r->sock, tx, pkt, len);
}

static int reflector_membership(void *ctx, int family, int ifindex, bool join)
{
	struct mdns_reflector *r = ctx;
	int rc = mdns_sock_membership(r->sock, family, ifindex, join);
	if (rc < 0 && rc != -EADDRINUSE && rc != -EAFNOSUPPORT && join &&
	    log_ratelimit_ok(&r->join_log, 5, 60000))
		log_warn("mdns: cannot join the %s group on ifindex %d: %s",
		         family == AF_INET ? "224.0.0.251" : "ff02::fb", ifindex, strerror(-rc));
	return rc;
}

static void reflector_tx_err(void *ctx, int ifindex, size_t len, int err)
{
	struct mdns_reflector *r = ctx;
	mdns_engine_tx_failed(r->engine, ifindex, len);
	if (log_ratelimit_ok(&r->tx_log, 5, 60000))
		log_warn("mdns: send on ifindex %d failed: %s", ifindex, strerror(-err));
}

static void reflector_rx(void *ctx, const struct mdns_rx *rx, const uint8_t *pkt, size_t len)
{
	struct mdns_reflector *r = ctx;
	mdns_engine_input(r->engine, rx, pkt, len);
}

static uint64_t reflector_seed(void)
{
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed)) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec * 6364136223846793005ull ^ (uint64_t)ts.tv_sec;
	}
	return seed;
}

struct mdns_reflector *mdns_reflector_new(struct loop *loop, const struct conf_mdns *conf)
{
	struct mdns_reflector *r = calloc(1, sizeof(*r));
	int rc;
	if (!r)
		return NULL;
	rc = mdns_sock_open(&r->sock, loop, reflector_rx, reflector_tx_err, r);
	if (rc < 0) {
		free(r);
		errno = -rc;
		return NULL;
	}
	if (!mdns_sock_has_family(r->sock, AF_INET6))
		log_warn("mdns: no IPv6 socket, reflecting IPv4 only");
	if (!mdns_sock_has_family(r->sock, AF_INET))
		log_warn("mdns: no IPv4 socket, reflecting IPv6 only");
	const struct mdns_engine_ops ops = {
		.ctx = r,
		.now_ms = reflector_now,
		.send = reflector_send,
		.membership = reflector_membership,
	};
	r->engine = mdns_engine_new(conf, &ops, reflector_seed());
	if (!r->engine) {
		int err = errno;
		mdns_sock_close(r->sock);
		free(r);
		errno = err;
		return NULL;
	}
	return r;
}

int mdns_reflector_reload(struct mdns_reflector *r, const struct conf_mdns *conf)
{
	return mdns_engine_reload(r->engine, conf);
}

void mdns_reflector_on_iface(struct mdns_reflector *r, const struct iface *ifc, unsigned changes)
{
	mdns_engine_on_iface(r->engine, ifc, changes);
}

void mdns_reflector_on_addr(struct mdns_reflector *r, const struct iface_addr *a, bool deleted)
{
	mdns_engine_on_addr(r->engine, a, deleted);
}

void mdns_reflector_dump(struct mdns_reflector *r, struct json *j)
{
	const struct mdns_sock_stats *ss = mdns_sock_stats(r->sock);
	json_kobj(j, "mdns");
	mdns_engine_dump(r->engine, j);
	json_kobj(j, "sockets");
	json_ku64(j, "batches", ss->batches);
	json_ku64(j, "packets", ss->packets);
	json_ku64(j, "recv_errors", ss->recv_errors);
	json_ku64(j, "no_pktinfo", ss->no_pktinfo);
	json_obj_end(j);
	json_obj_end(j);
}

void mdns_reflector_free(struct mdns_reflector *r)
{
	if (!r)
		return;
	mdns_engine_free(r->engine);   /* leaves the groups through the sockets */
	mdns_sock_close(r->sock);
	free(r);
}
