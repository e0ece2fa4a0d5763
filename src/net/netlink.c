/* rtnetlink through libmnl. Three sockets, each with its own buffer, so an
 * observer callback may issue a request while events or a dump are being
 * delivered to it:
 *   ev   - subscribed to the groups, non-blocking, read from the loop;
 *   dump - RTM_GET* dumps (observer re-sync, route flush);
 *   req  - one request, one answer (route add/del/get, neighbour get).
 * The two synchronous sockets have a receive timeout: a silent kernel can
 * delay the daemon, never hang it. Everything received is length-checked
 * before use; messages of families we do not handle are counted and
 * skipped. */
#include "net/netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define NL_EV_BUF       (64 * 1024)  /* > one kernel notification skb */
#define NL_DUMP_BUF     (64 * 1024)  /* > one dump skb (<= 32 KiB in practice) */
#define NL_REQ_BUF      (16 * 1024)  /* replies to single requests are small */
#define NL_EV_RCVBUF    (4 * 1024 * 1024)
#define NL_REQ_TIMEOUT_MS 1000

enum { DECODE_OK = 0, DECODE_IGNORE = 1, DECODE_BAD = -1 };

struct nl_chan {
	struct mnl_socket *sock;
	uint8_t *buf;
	size_t bufsize;
	bool busy; /* a transaction is in progress (re-entry from a callback) */
};

struct nl {
	struct mnl_socket *ev;
	struct nl_chan dump, req;
	struct nl_observer obs;
	uint32_t seq;
	bool in_events;
	bool resync_pending; /* a re-dump after ENOBUFS failed: retry next time */
	struct nl_stats stats;
	uint8_t *ev_buf;
};

/* ---- attribute decoding ------------------------------------------------ */

/* Index a run of attributes by type. Each must lie inside the run and the
 * run must end where the last one does (bar its alignment padding): a
 * length field that points elsewhere makes the whole message malformed.
 * The payload of each attribute is validated where it is used. */
static int attrs_walk(const void *start, size_t len, const struct nlattr **tb, uint16_t max)
{
	const struct nlattr *a = start;
	int left = (int)len;

	memset(tb, 0, sizeof(*tb) * ((size_t)max + 1));
	while (mnl_attr_ok(a, left)) {
		uint16_t type = mnl_attr_get_type(a);
		if (type <= max)
			tb[type] = a;
		left -= (int)MNL_ALIGN(a->nla_len);
		a = mnl_attr_next(a);
	}
	return left <= 0 && left > -MNL_ALIGNTO ? 0 : -1;
}

static int attrs_parse(const struct nlmsghdr *nlh, size_t hdrlen,
                       const struct nlattr **tb, uint16_t max)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh);

	if (plen < MNL_ALIGN(hdrlen))
		return plen == hdrlen ? attrs_walk(NULL, 0, tb, max) : -1;
	return attrs_walk(mnl_nlmsg_get_payload_offset(nlh, hdrlen), plen - MNL_ALIGN(hdrlen), tb, max);
}

static bool attr_bad_u32(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_U32) < 0;
}

static bool attr_bad_len(const struct nlattr *a, size_t len)
{
	return a && mnl_attr_validate2(a, MNL_TYPE_BINARY, len) < 0;
}

static bool payload_short(const struct nlmsghdr *nlh, size_t hdrlen)
{
	return mnl_nlmsg_get_payload_len(nlh) < hdrlen;
}

/* Address length of a family we handle, 0 for the others. */
static size_t family_addr_len(uint8_t family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr) : family == AF_INET ? sizeof(struct in_addr) : 0;
}

/* An address of the kernel's (4 or 16 bytes) as we keep it: IPv4 v4-mapped. */
static void addr_from_kernel(struct in6_addr *out, const void *raw, size_t alen)
{
	if (alen == sizeof(struct in6_addr)) {
		memcpy(out, raw, alen);
		return;
	}
	memset(out, 0, sizeof(*out));
	out->s6_addr[10] = 0xff;
	out->s6_addr[11] = 0xff;
	memcpy(&out->s6_addr[12], raw, sizeof(struct in_addr));
}

/* The bytes the kernel takes for an address we keep: the last 4 of a v4-mapped one. */
static const void *addr_to_kernel(const struct in6_addr *a, uint8_t family)
{
	return family == AF_INET ? (const void *)&a->s6_addr[12] : (const void *)a;
}

static int decode_link(const struct nlmsghdr *nlh, struct nl_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifm;

	if (payload_short(nlh, sizeof(*ifm)))
		return DECODE_BAD;
	ifm = mnl_nlmsg_get_payload(nlh);
	/* AF_BRIDGE messages describe bridge ports, not the links themselves:
	 * a bridge-port RTM_DELLINK must not look like a deleted interface. */
	if (ifm->ifi_family != AF_UNSPEC)
		return DECODE_IGNORE;
	if (ifm->ifi_index <= 0 || attrs_parse(nlh, sizeof(*ifm), tb, IFLA_MAX) < 0)
		return DECODE_BAD;
	if (attr_bad_u32(tb[IFLA_MTU]))
		return DECODE_BAD;

	memset(l, 0, sizeof(*l));
	l->ifindex = ifm->ifi_index;
	l->flags = ifm->ifi_flags;
	l->type = ifm->ifi_type;
	if (tb[IFLA_IFNAME]) {
		if (mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING) < 0 ||
		    strlen(mnl_attr_get_str(tb[IFLA_IFNAME])) >= sizeof(l->name))
			return DECODE_BAD;
		strcpy(l->name, mnl_attr_get_str(tb[IFLA_IFNAME]));
	}
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	/* Addresses longer than we can store (InfiniBand's 20 bytes) are left
	 * out rather than truncated: lladdr_len 0 means "none usable". */
	if (tb[IFLA_ADDRESS]) {
		uint16_t n = mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);
		if (n <= NL_LLADDR_MAX) {
			memcpy(l->lladdr, mnl_attr_get_payload(tb[IFLA_ADDRESS]), n);
			l->lladdr_len = (uint8_t)n;
		}
	}
	return DECODE_OK;
}

static int decode_addr(const struct nlmsghdr *nlh, struct nl_addr *a)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct nlattr *at;
	const struct ifaddrmsg *ifa;
	size_t alen;

	if (payload_short(nlh, sizeof(*ifa)))
		return DECODE_BAD;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family == AF_INET6)
		alen = sizeof(struct in6_addr);
	else if (ifa->ifa_family == AF_INET)
		alen = sizeof(struct in_addr);
	else
		return DECODE_IGNORE;
	if (attrs_parse(nlh, sizeof(*ifa), tb, IFA_MAX) < 0)
		return DECODE_BAD;
	/* On point-to-point links IFA_ADDRESS is the peer and IFA_LOCAL ours. */
	at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!at || attr_bad_len(at, alen) || attr_bad_u32(tb[IFA_FLAGS]) ||
	    ifa->ifa_index == 0 || ifa->ifa_index > INT32_MAX)
		return DECODE_BAD;
	if (ifa->ifa_prefixlen > alen * 8)
		return DECODE_BAD;

	memset(a, 0, sizeof(*a));
	a->ifindex = (int)ifa->ifa_index;
	a->family = ifa->ifa_family;
	if (alen == sizeof(a->addr))
		memcpy(&a->addr, mnl_attr_get_payload(at), alen);
	else
		memcpy(&a->addr4, mnl_attr_get_payload(at), alen);
	a->plen = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	/* ifa_flags has only 8 bits; IFA_FLAGS carries all of them. */
	a->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	return DECODE_OK;
}

static int decode_neigh(const struct nlmsghdr *nlh, struct nl_neigh *n)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm;
	size_t alen;

	if (payload_short(nlh, sizeof(*ndm)))
		return DECODE_BAD;
	ndm = mnl_nlmsg_get_payload(nlh);
	alen = family_addr_len(ndm->ndm_family); /* AF_BRIDGE (fdb) and others: not ours */
	if (!alen)
		return DECODE_IGNORE;
	if (attrs_parse(nlh, sizeof(*ndm), tb, NDA_MAX) < 0)
		return DECODE_BAD;
	if (!tb[NDA_DST] || attr_bad_len(tb[NDA_DST], alen) || ndm->ndm_ifindex <= 0)
		return DECODE_BAD;
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) > NL_LLADDR_MAX)
		return DECODE_BAD;

	memset(n, 0, sizeof(*n));
	n->ifindex = ndm->ndm_ifindex;
	n->family = ndm->ndm_family;
	addr_from_kernel(&n->addr, mnl_attr_get_payload(tb[NDA_DST]), alen);
	n->state = ndm->ndm_state;
	n->flags = ndm->ndm_flags;
	if (tb[NDA_LLADDR]) {
		n->lladdr_len = (uint8_t)mnl_attr_get_payload_len(tb[NDA_LLADDR]);
		memcpy(n->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), n->lladdr_len);
	}
	return DECODE_OK;
}

/* A multipath route is reported through its first next hop. */
static int decode_multipath(const struct nlattr *mp, struct nl_route *r, size_t alen)
{
	const struct rtnexthop *nh = mnl_attr_get_payload(mp);
	size_t len = mnl_attr_get_payload_len(mp);
	const struct nlattr *tb[RTA_MAX + 1];

	if (len < sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > len || nh->rtnh_ifindex < 0)
		return DECODE_BAD;
	r->oif = nh->rtnh_ifindex;
	if (attrs_walk(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), tb, RTA_MAX) < 0)
		return DECODE_BAD;
	if (attr_bad_len(tb[RTA_GATEWAY], alen))
		return DECODE_BAD;
	if (tb[RTA_GATEWAY]) {
		r->has_gateway = true;
		addr_from_kernel(&r->gateway, mnl_attr_get_payload(tb[RTA_GATEWAY]), alen);
	}
	return DECODE_OK;
}

static int decode_route(const struct nlmsghdr *nlh, struct nl_route *r, bool *multipath)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	size_t alen;

	if (payload_short(nlh, sizeof(*rtm)))
		return DECODE_BAD;
	rtm = mnl_nlmsg_get_payload(nlh);
	alen = family_addr_len(rtm->rtm_family);
	if (!alen)
		return DECODE_IGNORE;
	if (rtm->rtm_dst_len > alen * 8 || attrs_parse(nlh, sizeof(*rtm), tb, RTA_MAX) < 0)
		return DECODE_BAD;
	/* An IPv4 route through an IPv6 next hop (RTA_VIA, RFC 5549) is kept
	 * without its gateway: nothing of ours needs it, and a flush matches
	 * it by the rest. */
	if (attr_bad_len(tb[RTA_DST], alen) || attr_bad_len(tb[RTA_GATEWAY], alen) ||
	    attr_bad_u32(tb[RTA_TABLE]) || attr_bad_u32(tb[RTA_PRIORITY]) || attr_bad_u32(tb[RTA_OIF]))
		return DECODE_BAD;

	memset(r, 0, sizeof(*r));
	r->family = rtm->rtm_family;
	/* No RTA_DST: the default route, ::/0 or (v4-mapped) 0.0.0.0/0. */
	addr_from_kernel(&r->dst, tb[RTA_DST] ? mnl_attr_get_payload(tb[RTA_DST]) : (const void *)&in6addr_any, alen);
	r->plen = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	r->metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	r->oif = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : 0;
	if (tb[RTA_GATEWAY]) {
		r->has_gateway = true;
		addr_from_kernel(&r->gateway, mnl_attr_get_payload(tb[RTA_GATEWAY]), alen);
	}
	if (r->oif < 0)
		return DECODE_BAD;
	if (multipath)
		*multipath = tb[RTA_MULTIPATH] != NULL;
	if (tb[RTA_MULTIPATH] && !tb[RTA_OIF])
		return decode_multipath(tb[RTA_MULTIPATH], r, alen);
	return DECODE_OK;
}

/* mnl_nlmsg_ok compares (int)nlmsg_len, so a length >= 2^31 passes it:
 * walk messages with unsigned arithmetic instead. */
static bool msg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= left;
}

static const struct nlmsghdr *msg_next(const struct nlmsghdr *nlh, size_t *left)
{
	size_t step = MNL_ALIGN(nlh->nlmsg_len);

	if (step > *left)
		step = *left; /* last message, unpadded */
	*left -= step;
	return (const struct nlmsghdr *)((const uint8_t *)nlh + step);
}

/* Hand one link/addr/neigh/route message to the observer. */
static void nl_dispatch(const struct nl_observer *o, struct nl_stats *st, const struct nlmsghdr *nlh)
{
	uint16_t t = nlh->nlmsg_type;
	int rc;

	if (t == RTM_NEWLINK || t == RTM_DELLINK) {
		struct nl_link l;
		rc = decode_link(nlh, &l);
		if (rc == DECODE_OK && o->link)
			o->link(o->ctx, &l, t == RTM_DELLINK);
	} else if (t == RTM_NEWADDR || t == RTM_DELADDR) {
		struct nl_addr a;
		rc = decode_addr(nlh, &a);
		if (rc == DECODE_OK && o->addr)
			o->addr(o->ctx, &a, t == RTM_DELADDR);
	} else if (t == RTM_NEWNEIGH || t == RTM_DELNEIGH) {
		struct nl_neigh n;
		rc = decode_neigh(nlh, &n);
		if (rc == DECODE_OK && o->neigh)
			o->neigh(o->ctx, &n, t == RTM_DELNEIGH);
	} else if (t == RTM_NEWROUTE || t == RTM_DELROUTE) {
		struct nl_route r;
		rc = decode_route(nlh, &r, NULL);
		/* Cached clones (PMTU exceptions) are not routing decisions. */
		if (rc == DECODE_OK && (((const struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_flags & RTM_F_CLONED))
			rc = DECODE_IGNORE;
		if (rc == DECODE_OK && o->route)
			o->route(o->ctx, &r, t == RTM_DELROUTE);
	} else {
		rc = DECODE_IGNORE;
	}
	if (rc == DECODE_OK)
		st->objects++;
	else if (rc == DECODE_IGNORE)
		st->ignored++;
	else
		st->malformed++;
}

void nl_decode(const struct nl_observer *obs, struct nl_stats *stats, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	size_t left = len;

	if ((uintptr_t)buf % _Alignof(struct nlmsghdr)) {
		stats->malformed++;
		return;
	}
	for (; msg_ok(nlh, left); nlh = msg_next(nlh, &left)) {
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE)
			nl_dispatch(obs, stats, nlh);
	}
	if (left != 0)
		stats->malformed++; /* trailing bytes that are not a whole message */
}

/* ---- synchronous transactions ------------------------------------------ */

typedef int (*nl_reply_cb)(struct nl *nl, const struct nlmsghdr *nlh, void *ctx);

/* Receive one datagram from the kernel. Returns bytes, or -errno. */
static ssize_t nl_recv(struct mnl_socket *sock, uint8_t *buf, size_t size, int flags)
{
	struct sockaddr_nl sa;
	struct iovec iov = { buf, size };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	for (;;) {
		n = recvmsg(mnl_socket_get_fd(sock), &msg, flags);
		if (n >= 0)
			break;
		if (errno != EINTR)
			return -errno;
	}
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	/* Only the kernel (port 0) speaks for the tables. */
	if (msg.msg_namelen != sizeof(sa) || sa.nl_pid != 0)
		return -EPERM;
	return n;
}

/* A previous transaction that timed out or stopped early may have left
 * answers (or an unfinished dump, which reading continues) queued. */
static void chan_drain(struct nl_chan *c)
{
	for (;;) {
		ssize_t n = nl_recv(c->sock, c->buf, c->bufsize, MSG_DONTWAIT);
		/* A truncated or foreign datagram was consumed too: go on. */
		if (n < 0 && n != -EMSGSIZE && n != -EPERM)
			return;
	}
}

/* Send req on c, feed every answer carrying its sequence number to cb and
 * return when the kernel is done: NLMSG_DONE for dumps, the ack for
 * NLM_F_ACK requests, the single reply for gets. Returns 0 or -errno. */
static int nl_transact(struct nl *nl, struct nl_chan *c, struct nlmsghdr *req,
                       nl_reply_cb cb, void *ctx)
{
	bool want_ack = req->nlmsg_flags & NLM_F_ACK;
	uint32_t seq = ++nl->seq;
	int err = 0;

	if (c->busy)
		return -EBUSY;
	c->busy = true;
	chan_drain(c);
	req->nlmsg_seq = seq;
	req->nlmsg_pid = mnl_socket_get_portid(c->sock);
	if (mnl_socket_sendto(c->sock, req, req->nlmsg_len) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n = nl_recv(c->sock, c->buf, c->bufsize, 0);
		size_t len;

		if (n == -EAGAIN || n == -EWOULDBLOCK) {
			err = -ETIMEDOUT;
			goto out;
		}
		if (n == -EPERM)
			continue;
		if (n < 0) {
			err = (int)n;
			goto out;
		}
		len = (size_t)n;
		for (nlh = (const struct nlmsghdr *)c->buf; msg_ok(nlh, len); nlh = msg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue; /* stale answer to an abandoned request */
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
				if (payload_short(nlh, sizeof(*e)))
					err = -EPROTO;
				else
					err = e->error <= 0 ? e->error : -EPROTO;
				goto out;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				/* A dump that failed part-way says so in DONE. */
				if (!payload_short(nlh, sizeof(int))) {
					int e;
					memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
					if (e < 0)
						err = e;
				}
				goto out;
			}
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue; /* NOOP, OVERRUN: nothing for us */
			/* NLM_F_DUMP_INTR is not acted on: the event socket is
			 * subscribed first, so the changes that interrupted the
			 * dump also arrive as events. */
			if (cb && !err)
				err = cb(nl, nlh, ctx);
			if (!(nlh->nlmsg_flags & NLM_F_MULTI) && !want_ack)
				goto out;
		}
	}
out:
	c->busy = false;
	return err;
}

static struct nlmsghdr *msg_start(void *buf, uint16_t type, uint16_t flags,
                                  void **hdr, size_t hdrlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	*hdr = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	return nlh;
}

static int dump_dispatch_cb(struct nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	nl_dispatch(&nl->obs, &nl->stats, nlh);
	return 0;
}

/* Dump one table (type RTM_GET*) of one family through cb. */
static int nl_dump(struct nl *nl, uint16_t type, uint8_t family, nl_reply_cb cb, void *ctx)
{
	_Alignas(struct nlmsghdr) uint8_t buf[256];
	struct nlmsghdr *nlh;
	void *hdr;

	switch (type) {
	case RTM_GETLINK: {
		struct ifinfomsg *ifm;
		nlh = msg_start(buf, type, NLM_F_REQUEST | NLM_F_DUMP, &hdr, sizeof(*ifm));
		ifm = hdr;
		ifm->ifi_family = family;
		/* Statistics are most of a link message and we never read them. */
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		break;
	}
	case RTM_GETADDR:
		nlh = msg_start(buf, type, NLM_F_REQUEST | NLM_F_DUMP, &hdr, sizeof(struct ifaddrmsg));
		((struct ifaddrmsg *)hdr)->ifa_family = family;
		break;
	case RTM_GETNEIGH:
		nlh = msg_start(buf, type, NLM_F_REQUEST | NLM_F_DUMP, &hdr, sizeof(struct ndmsg));
		((struct ndmsg *)hdr)->ndm_family = family;
		break;
	case RTM_GETROUTE:
		nlh = msg_start(buf, type, NLM_F_REQUEST | NLM_F_DUMP, &hdr, sizeof(struct rtmsg));
		((struct rtmsg *)hdr)->rtm_family = family;
		break;
	default:
		return -EINVAL;
	}
	return nl_transact(nl, &nl->dump, nlh, cb, ctx);
}

int nl_dump_all(struct nl *nl)
{
	static const struct { uint16_t type; uint8_t family; } tables[] = {
		{ RTM_GETLINK, AF_UNSPEC },
		{ RTM_GETADDR, AF_INET6 },
		{ RTM_GETADDR, AF_INET },
		{ RTM_GETNEIGH, AF_INET6 },
		{ RTM_GETNEIGH, AF_INET },
		{ RTM_GETROUTE, AF_INET6 },
		{ RTM_GETROUTE, AF_INET },
	};
	int first_err = 0;

	/* Links first: address, neighbour and route observers may look the
	 * interface up. Keep going after a failure so one bad table does not
	 * hide the others. */
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		int err = nl_dump(nl, tables[i].type, tables[i].family, dump_dispatch_cb, NULL);
		if (err < 0 && !first_err)
			first_err = err;
	}
	return first_err;
}

/* ---- events ------------------------------------------------------------ */

static int nl_resync(struct nl *nl)
{
	int err;

	/* The kernel reports the overflow before the events still queued,
	 * and those predate the gap: applied after the re-dump they would
	 * bring back what the lost events removed. The dump covers them. */
	for (;;) {
		ssize_t n = nl_recv(nl->ev, nl->ev_buf, NL_EV_BUF, MSG_DONTWAIT);
		if (n < 0 && n != -ENOBUFS && n != -EMSGSIZE && n != -EPERM)
			break;
	}
	if (nl->obs.resync_begin)
		nl->obs.resync_begin(nl->obs.ctx);
	err = nl_dump_all(nl);
	if (err < 0) {
		nl->resync_pending = true;
		return err;
	}
	nl->resync_pending = false;
	nl->stats.resyncs++;
	if (nl->obs.resynced)
		nl->obs.resynced(nl->obs.ctx);
	return 0;
}

int nl_process_events(struct nl *nl)
{
	int err = 0;

	if (nl->in_events)
		return -EBUSY;
	nl->in_events = true;
	if (nl->resync_pending)
		err = nl_resync(nl);
	for (;;) {
		ssize_t n = nl_recv(nl->ev, nl->ev_buf, NL_EV_BUF, MSG_DONTWAIT);

		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			/* Events were lost (or one did not fit): the kernel's
			 * tables are the only truth left. */
			nl->stats.overruns++;
			err = nl_resync(nl);
			continue;
		}
		if (n == -EPERM) {
			nl->stats.malformed++;
			continue;
		}
		if (n < 0) {
			err = (int)n;
			break;
		}
		nl_decode(&nl->obs, &nl->stats, nl->ev_buf, (size_t)n);
	}
	nl->in_events = false;
	return err;
}

/* ---- routes and neighbours --------------------------------------------- */

struct route_req {
	const struct in6_addr *dst;
	uint8_t plen;
	uint8_t protocol;
	uint32_t table;
	int oif;                     /* 0: any */
	const struct in6_addr *via;  /* NULL: none */
	uint32_t metric;
	bool has_metric;
};

static int route_send(struct nl *nl, uint16_t cmd, uint16_t flags, const struct route_req *rr)
{
	_Alignas(struct nlmsghdr) uint8_t buf[512];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct in6_addr dst;
	void *hdr;
	uint8_t family = IN6_IS_ADDR_V4MAPPED(rr->dst) ? AF_INET : AF_INET6;
	size_t alen = family_addr_len(family);
	/* IPv4 prefixes count from the mapped part: 96 bits of ::ffff: first. */
	unsigned bits6 = family == AF_INET ? 96u + rr->plen : rr->plen;

	if (rr->plen > alen * 8 || (rr->via && IN6_IS_ADDR_V4MAPPED(rr->via) != (family == AF_INET)))
		return -EINVAL;
	/* The kernel keys routes by the masked prefix; mask here so the same
	 * route is named the same way in add, del and events. */
	memset(&dst, 0, sizeof(dst));
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = bits6 > i * 8 ? bits6 - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
		dst.s6_addr[i] = rr->dst->s6_addr[i] & mask;
	}

	nlh = msg_start(buf, cmd, NLM_F_REQUEST | NLM_F_ACK | flags, &hdr, sizeof(*rtm));
	rtm = hdr;
	rtm->rtm_family = family;
	rtm->rtm_dst_len = rr->plen;
	rtm->rtm_table = rr->table < 256 ? (uint8_t)rr->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = rr->protocol;
	/* IPv6 ignores the scope. IPv4 wants what ip(8) sends: link for a
	 * route without a next hop, and "any" (nowhere) to match a delete. */
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	if (family == AF_INET && cmd == RTM_DELROUTE)
		rtm->rtm_scope = RT_SCOPE_NOWHERE;
	else if (family == AF_INET && !rr->via)
		rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = cmd == RTM_NEWROUTE ? RTN_UNICAST : RTN_UNSPEC;
	mnl_attr_put_u32(nlh, RTA_TABLE, rr->table);
	mnl_attr_put(nlh, RTA_DST, alen, addr_to_kernel(&dst, family));
	if (rr->oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)rr->oif);
	if (rr->via)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, addr_to_kernel(rr->via, family));
	if (rr->has_metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, rr->metric);
	return nl_transact(nl, &nl->req, nlh, NULL, NULL);
}

int nl_route_add(struct nl *nl, const struct in6_addr *dst, uint8_t plen, int oif,
                 const struct in6_addr *via, uint32_t metric)
{
	struct route_req rr = { dst, plen, ISLANDD_RTPROT, RT_TABLE_MAIN, oif, via, metric, true };

	if (oif <= 0 && !via)
		return -EINVAL;
	return route_send(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, &rr);
}

int nl_route_del(struct nl *nl, const struct in6_addr *dst, uint8_t plen, int oif,
                 const struct in6_addr *via, uint32_t metric)
{
	/* The protocol is part of the match: never remove someone else's route. */
	struct route_req rr = { dst, plen, ISLANDD_RTPROT, RT_TABLE_MAIN, oif, via, metric, true };

	return route_send(nl, RTM_DELROUTE, 0, &rr);
}

static bool route_type_unreachable(uint8_t type)
{
	return type == RTN_UNREACHABLE || type == RTN_BLACKHOLE ||
	       type == RTN_PROHIBIT || type == RTN_THROW;
}

static int route_get_cb(struct nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return -EPROTO;
	return decode_route(nlh, ctx, NULL) == DECODE_OK ? 0 : -EPROTO;
}

static int route_get(struct nl *nl, const struct in6_addr *dst, struct nl_route *out, unsigned rtm_flags)
{
	_Alignas(struct nlmsghdr) uint8_t buf[256];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	void *hdr;
	uint8_t family = IN6_IS_ADDR_V4MAPPED(dst) ? AF_INET : AF_INET6;
	size_t alen = family_addr_len(family);

	nlh = msg_start(buf, RTM_GETROUTE, NLM_F_REQUEST, &hdr, sizeof(*rtm));
	rtm = hdr;
	rtm->rtm_family = family;
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	rtm->rtm_flags = rtm_flags;
	mnl_attr_put(nlh, RTA_DST, alen, addr_to_kernel(dst, family));
	return nl_transact(nl, &nl->req, nlh, route_get_cb, out);
}

int nl_route_get(struct nl *nl, const struct in6_addr *dst, struct nl_route *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	/* FIB_MATCH answers with the route that matched (its prefix, protocol,
	 * metric and table) rather than a /128 clone; kernels before 4.13
	 * reject the flag, so ask again without it. */
	err = route_get(nl, dst, out, RTM_F_FIB_MATCH);
	if (err == -EINVAL || err == -EOPNOTSUPP)
		err = route_get(nl, dst, out, 0);
	/* The kernel answers a lookup that ends nowhere with the error of the
	 * route it hit: none or throw -ENETUNREACH, unreachable -EHOSTUNREACH,
	 * prohibit -EACCES, blackhole -EINVAL (our request itself is valid). */
	switch (err) {
	case 0:
		return route_type_unreachable(out->type) ? -ENETUNREACH : 0;
	case -ENETUNREACH:
	case -EHOSTUNREACH:
	case -EACCES:
	case -EINVAL:
		return -ENETUNREACH;
	default:
		return err;
	}
}

struct neigh_find {
	int ifindex;
	const struct in6_addr *addr;
	struct nl_neigh *out;
	bool found;
};

static int neigh_find_cb(struct nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	struct neigh_find *f = ctx;
	struct nl_neigh n;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || decode_neigh(nlh, &n) != DECODE_OK)
		return 0;
	if (n.ifindex == f->ifindex && memcmp(&n.addr, f->addr, sizeof(n.addr)) == 0) {
		*f->out = n;
		f->found = true;
	}
	return 0;
}

int nl_neigh_get(struct nl *nl, int ifindex, const struct in6_addr *addr, struct nl_neigh *out)
{
	_Alignas(struct nlmsghdr) uint8_t buf[256];
	struct neigh_find f = { ifindex, addr, out, false };
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	void *hdr;
	int err;
	uint8_t family = IN6_IS_ADDR_V4MAPPED(addr) ? AF_INET : AF_INET6;

	if (ifindex <= 0)
		return -EINVAL;
	/* A get takes NLM_F_REQUEST alone: older kernels treat anything more
	 * as a dump request. Header fields other than family and ifindex must
	 * stay zero or the kernel rejects the request. */
	nlh = msg_start(buf, RTM_GETNEIGH, NLM_F_REQUEST, &hdr, sizeof(*ndm));
	ndm = hdr;
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, family_addr_len(family), addr_to_kernel(addr, family));
	err = nl_transact(nl, &nl->req, nlh, neigh_find_cb, &f);
	if (err == -EOPNOTSUPP) {
		/* No RTM_GETNEIGH get before Linux 4.20: search a dump. */
		err = nl_dump(nl, RTM_GETNEIGH, family, neigh_find_cb, &f);
	}
	if (err < 0)
		return err;
	return f.found ? 0 : -ENOENT;
}

struct flush_ctx {
	bool (*match)(void *ctx, const struct nl_route *r);
	void *mctx;
	struct nl_route *routes;
	bool *multipath;
	size_t n, cap;
};

static int flush_collect_cb(struct nl *nl, const struct nlmsghdr *nlh, void *ctx)
{
	struct flush_ctx *f = ctx;
	struct nl_route r;
	bool mp = false;

	if (nlh->nlmsg_type != RTM_NEWROUTE || decode_route(nlh, &r, &mp) != DECODE_OK)
		return 0;
	if (r.protocol != ISLANDD_RTPROT || (f->match && !f->match(f->mctx, &r)))
		return 0;
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct nl_route *nr = realloc(f->routes, cap * sizeof(*nr));
		bool *nm;
		if (!nr)
			return -ENOMEM;
		f->routes = nr;
		nm = realloc(f->multipath, cap * sizeof(*nm));
		if (!nm)
			return -ENOMEM;
		f->multipath = nm;
		f->cap = cap;
	}
	f->routes[f->n] = r;
	f->multipath[f->n] = mp;
	f->n++;
	return 0;
}

int nl_route_flush(struct nl *nl, bool (*match)(void *ctx, const struct nl_route *r), void *ctx)
{
	struct flush_ctx f = { match, ctx, NULL, NULL, 0, 0 };
	int removed = 0;
	int err;

	/* Collect first, delete after: requests cannot be interleaved with
	 * the dump on one socket, and deleting while dumping would make the
	 * kernel's dump cursor skip entries. */
	err = nl_dump(nl, RTM_GETROUTE, AF_INET6, flush_collect_cb, &f);
	if (err >= 0)
		err = nl_dump(nl, RTM_GETROUTE, AF_INET, flush_collect_cb, &f);
	if (err < 0)
		goto out;
	for (size_t i = 0; i < f.n; i++) {
		const struct nl_route *r = &f.routes[i];
		/* A multipath route goes as a whole: leave next hops out. */
		struct route_req rr = {
			&r->dst, r->plen, ISLANDD_RTPROT, r->table,
			f.multipath[i] ? 0 : r->oif,
			!f.multipath[i] && r->has_gateway ? &r->gateway : NULL,
			r->metric, true,
		};
		/* -ESRCH: it went away meanwhile; any other failure leaves the
		 * route for the next flush. */
		if (route_send(nl, RTM_DELROUTE, 0, &rr) == 0)
			removed++;
	}
	err = removed;
out:
	free(f.routes);
	free(f.multipath);
	return err;
}

/* ---- life cycle -------------------------------------------------------- */

static int chan_open(struct nl_chan *c, size_t bufsize)
{
	struct timeval tv = { NL_REQ_TIMEOUT_MS / 1000, (NL_REQ_TIMEOUT_MS % 1000) * 1000 };

	c->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!c->sock)
		return -errno;
	if (mnl_socket_bind(c->sock, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(c->sock), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	c->buf = malloc(bufsize);
	if (!c->buf)
		return -ENOMEM;
	c->bufsize = bufsize;
	return 0;
}

static int ev_open(struct nl *nl)
{
	static const unsigned groups[] = {
		RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
		RTNLGRP_NEIGH, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_ROUTE,
	};
	int size = NL_EV_RCVBUF;
	int fd;

	nl->ev = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!nl->ev)
		return -errno;
	if (mnl_socket_bind(nl->ev, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	fd = mnl_socket_get_fd(nl->ev);
	/* A burst (an interface with many addresses going down, a full route
	 * table change) must not overflow the queue: FORCE ignores rmem_max
	 * when we have CAP_NET_ADMIN; otherwise take what rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned g = groups[i];
		if (mnl_socket_setsockopt(nl->ev, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			return -errno;
	}
	nl->ev_buf = malloc(NL_EV_BUF);
	return nl->ev_buf ? 0 : -ENOMEM;
}

int nl_open(struct nl **out, const struct nl_observer *obs)
{
	struct nl *nl = calloc(1, sizeof(*nl));
	int err;

	*out = NULL;
	if (!nl)
		return -ENOMEM;
	if (obs)
		nl->obs = *obs;
	nl->seq = (uint32_t)time(NULL);
	/* Subscribe before anyone dumps, so nothing falls between the two. */
	err = ev_open(nl);
	if (!err)
		err = chan_open(&nl->dump, NL_DUMP_BUF);
	if (!err)
		err = chan_open(&nl->req, NL_REQ_BUF);
	if (err) {
		nl_close(nl);
		return err;
	}
	*out = nl;
	return 0;
}

static void chan_close(struct nl_chan *c)
{
	if (c->sock)
		mnl_socket_close(c->sock);
	free(c->buf);
}

void nl_close(struct nl *nl)
{
	if (!nl)
		return;
	if (nl->ev)
		mnl_socket_close(nl->ev);
	free(nl->ev_buf);
	chan_close(&nl->dump);
	chan_close(&nl->req);
	free(nl);
}

int nl_event_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->ev);
}

void nl_get_stats(const struct nl *nl, struct nl_stats *out)
{
	*out = nl->stats;
}

void nl_neigh_view(const struct nl_neigh *n, struct kneigh *out)
{
	memset(out, 0, sizeof(*out));
	out->ifindex = n->ifindex;
	out->family = n->family;
	out->addr = n->addr;
	out->state = n->state;
	out->proxy = n->flags & NTF_PROXY;
	out->ll.len = n->lladdr_len <= ND_LLADDR_MAX ? n->lladdr_len : 0;
	memcpy(out->ll.addr, n->lladdr, out->ll.len);
}

void nl_route_view(const struct nl_route *r, struct kroute *out)
{
	memset(out, 0, sizeof(*out));
	out->family = r->family;
	out->dst = r->dst;
	out->plen = r->plen;
	out->ours = r->protocol == ISLANDD_RTPROT;
	out->main_table = r->table == RT_TABLE_MAIN;
	out->oif = r->oif;
}
