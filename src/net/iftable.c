/* Interface mirror: see iftable.h. */
#include "net/iftable.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <stdlib.h>
#include <string.h>

#include "net/netlink.h"

_Static_assert(IFACE_LLADDR_MAX == NL_LLADDR_MAX, "an interface keeps every netlink hardware address");

struct iftable {
	unsigned capacity, count;
	struct iface slot[]; /* ifindex 0 = free */
};

struct iftable *iftable_new(unsigned capacity)
{
	struct iftable *t;

	if (capacity == 0)
		return NULL;
	t = calloc(1, sizeof(*t) + (size_t)capacity * sizeof(t->slot[0]));
	if (t)
		t->capacity = capacity;
	return t;
}

void iftable_free(struct iftable *t)
{
	free(t);
}

static struct iface *find_index(const struct iftable *t, int ifindex)
{
	if (ifindex <= 0)
		return NULL;
	for (unsigned i = 0; i < t->capacity; i++)
		if (t->slot[i].ifindex == ifindex)
			return (struct iface *)&t->slot[i];
	return NULL;
}

const struct iface *iftable_by_index(const struct iftable *t, int ifindex)
{
	return find_index(t, ifindex);
}

const struct iface *iftable_by_name(const struct iftable *t, const char *name)
{
	for (unsigned i = 0; i < t->capacity; i++)
		if (t->slot[i].ifindex && strncmp(t->slot[i].name, name, IF_NAMESIZE) == 0)
			return &t->slot[i];
	return NULL;
}

unsigned iftable_count(const struct iftable *t)
{
	return t->count;
}

int iftable_foreach(const struct iftable *t, int (*cb)(void *ctx, const struct iface *ifc), void *ctx)
{
	for (unsigned i = 0; i < t->capacity; i++) {
		if (t->slot[i].ifindex) {
			int rc = cb(ctx, &t->slot[i]);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static void iface_release(struct iftable *t, struct iface *ifc)
{
	memset(ifc, 0, sizeof(*ifc));
	t->count--;
}

int iftable_on_link(struct iftable *t, const struct nl_link *l, bool deleted, iface_changed_fn changed,
                    void *ctx)
{
	struct iface *ifc = find_index(t, l->ifindex);
	unsigned changes = 0;
	bool up, running;

	if (l->ifindex <= 0)
		return 0;
	if (deleted) {
		if (!ifc)
			return 0;
		if (changed)
			changed(ctx, ifc, IFACE_GONE);
		iface_release(t, ifc);
		return IFACE_GONE;
	}
	if (!ifc) {
		for (unsigned i = 0; i < t->capacity && !ifc; i++)
			if (t->slot[i].ifindex == 0)
				ifc = &t->slot[i];
		if (!ifc)
			return -ENOSPC;
		memset(ifc, 0, sizeof(*ifc));
		ifc->ifindex = l->ifindex;
		t->count++;
		changes |= IFACE_NEW;
	}
	ifc->stale = false;

	up = l->flags & IFF_UP;
	running = l->flags & IFF_RUNNING;
	if (up != ifc->up || running != ifc->running)
		changes |= IFACE_STATE;
	ifc->up = up;
	ifc->running = running;
	/* An event without a name (never seen from Linux) keeps the old one. */
	if (l->name[0] && strncmp(ifc->name, l->name, IF_NAMESIZE) != 0) {
		memcpy(ifc->name, l->name, IF_NAMESIZE);
		ifc->name[IF_NAMESIZE - 1] = '\0';
		changes |= IFACE_NAME;
	}
	if (l->type != ifc->type || l->lladdr_len != ifc->lladdr_len ||
	    memcmp(l->lladdr, ifc->lladdr, l->lladdr_len < NL_LLADDR_MAX ? l->lladdr_len : NL_LLADDR_MAX) != 0)
		changes |= IFACE_LLADDR;
	ifc->type = l->type;
	ifc->lladdr_len = l->lladdr_len <= NL_LLADDR_MAX ? l->lladdr_len : 0;
	memset(ifc->lladdr, 0, sizeof(ifc->lladdr));
	memcpy(ifc->lladdr, l->lladdr, ifc->lladdr_len);
	if (l->mtu != ifc->mtu)
		changes |= IFACE_MTU;
	ifc->mtu = l->mtu;
	/* For a new entry every field is news: one bit says so. */
	changes = changes & IFACE_NEW ? IFACE_NEW : changes;
	if (changes && changed)
		changed(ctx, ifc, changes);
	return (int)changes;
}

static bool is_link_local(const struct in6_addr *a)
{
	return a->s6_addr[0] == 0xfe && (a->s6_addr[1] & 0xc0) == 0x80;
}

static bool ll_usable(uint32_t flags)
{
	return !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED));
}

/* Keep the chosen link-local while it stays usable (peers cache it as our
 * router/proxy address); otherwise take the oldest usable candidate. */
static unsigned choose_ll(struct iface *ifc)
{
	bool had = ifc->has_ll;
	struct in6_addr old = ifc->ll;
	int pick = -1;

	for (int i = 0; i < ifc->n_ll; i++) {
		if (!ll_usable(ifc->ll_cand[i].flags))
			continue;
		if (had && memcmp(&ifc->ll_cand[i].addr, &old, sizeof(old)) == 0) {
			pick = i;
			break;
		}
		if (pick < 0)
			pick = i;
	}
	ifc->has_ll = pick >= 0;
	if (pick >= 0)
		ifc->ll = ifc->ll_cand[pick].addr;
	else
		memset(&ifc->ll, 0, sizeof(ifc->ll));
	return had != ifc->has_ll || memcmp(&old, &ifc->ll, sizeof(old)) != 0 ? IFACE_LL : 0;
}

static unsigned choose_v4(struct iface *ifc)
{
	bool had = ifc->has_v4;
	struct in_addr old = ifc->v4;
	uint8_t old_plen = ifc->v4_plen;
	int keep = -1;

	for (int i = 0; i < ifc->n_v4 && had; i++)
		if (ifc->v4_cand[i].addr.s_addr == old.s_addr)
			keep = i;
	if (keep < 0) {
		ifc->has_v4 = ifc->n_v4 > 0;
		ifc->v4.s_addr = ifc->n_v4 ? ifc->v4_cand[0].addr.s_addr : 0;
		ifc->v4_plen = ifc->n_v4 ? ifc->v4_cand[0].plen : 0;
	} else {
		ifc->v4_plen = ifc->v4_cand[keep].plen; /* "ip addr replace" may change it */
	}
	return had != ifc->has_v4 || old.s_addr != ifc->v4.s_addr || old_plen != ifc->v4_plen ? IFACE_V4 : 0;
}

static int on_addr6(struct iface *ifc, const struct nl_addr *a, bool deleted)
{
	int i;

	if (!is_link_local(&a->addr))
		return 0;
	for (i = 0; i < ifc->n_ll; i++)
		if (memcmp(&ifc->ll_cand[i].addr, &a->addr, sizeof(a->addr)) == 0)
			break;
	if (deleted) {
		if (i == ifc->n_ll)
			return 0;
		memmove(&ifc->ll_cand[i], &ifc->ll_cand[i + 1], (size_t)(ifc->n_ll - i - 1) * sizeof(ifc->ll_cand[0]));
		ifc->n_ll--;
	} else if (i < ifc->n_ll) {
		ifc->ll_cand[i].flags = a->flags; /* DAD finished, or failed */
		ifc->ll_cand[i].stale = false;
	} else if (ifc->n_ll < IFACE_ADDR_CANDIDATES) {
		ifc->ll_cand[i].addr = a->addr;
		ifc->ll_cand[i].flags = a->flags;
		ifc->ll_cand[i].stale = false;
		ifc->n_ll++;
	}
	return (int)choose_ll(ifc);
}

static int on_addr4(struct iface *ifc, const struct nl_addr *a, bool deleted)
{
	int i;

	for (i = 0; i < ifc->n_v4; i++)
		if (ifc->v4_cand[i].addr.s_addr == a->addr4.s_addr)
			break;
	if (deleted) {
		if (i == ifc->n_v4)
			return 0;
		memmove(&ifc->v4_cand[i], &ifc->v4_cand[i + 1], (size_t)(ifc->n_v4 - i - 1) * sizeof(ifc->v4_cand[0]));
		ifc->n_v4--;
	} else if (i < ifc->n_v4) {
		ifc->v4_cand[i].plen = a->plen;
		ifc->v4_cand[i].stale = false;
	} else if (ifc->n_v4 < IFACE_ADDR_CANDIDATES) {
		ifc->v4_cand[i].addr = a->addr4;
		ifc->v4_cand[i].plen = a->plen > 32 ? 32 : a->plen;
		ifc->v4_cand[i].stale = false;
		ifc->n_v4++;
	}
	return (int)choose_v4(ifc);
}

int iftable_on_addr(struct iftable *t, const struct nl_addr *a, bool deleted, iface_changed_fn changed,
                    void *ctx)
{
	struct iface *ifc = find_index(t, a->ifindex);
	int changes = 0;

	if (!ifc)
		return 0;
	if (a->family == AF_INET6)
		changes = on_addr6(ifc, a, deleted);
	else if (a->family == AF_INET)
		changes = on_addr4(ifc, a, deleted);
	if (changes > 0 && changed)
		changed(ctx, ifc, (unsigned)changes);
	return changes;
}

bool iftable_addr_of(const struct nl_addr *a, struct iface_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->ifindex = a->ifindex;
	out->family = a->family;
	out->usable = ll_usable(a->flags);
	if (a->family == AF_INET) {
		out->addr.s6_addr[10] = 0xff;
		out->addr.s6_addr[11] = 0xff;
		memcpy(&out->addr.s6_addr[12], &a->addr4, 4);
		out->plen = a->plen > 32 ? 32 : a->plen;
		return true;
	}
	if (a->family == AF_INET6) {
		out->addr = a->addr;
		out->plen = a->plen > 128 ? 128 : a->plen;
		return true;
	}
	return false;
}

void iftable_resync_begin(struct iftable *t)
{
	for (unsigned i = 0; i < t->capacity; i++) {
		struct iface *ifc = &t->slot[i];
		if (!ifc->ifindex)
			continue;
		ifc->stale = true;
		for (int j = 0; j < ifc->n_ll; j++)
			ifc->ll_cand[j].stale = true;
		for (int j = 0; j < ifc->n_v4; j++)
			ifc->v4_cand[j].stale = true;
	}
}

int iftable_resync_end(struct iftable *t, iface_changed_fn changed, void *ctx)
{
	int altered = 0;

	for (unsigned i = 0; i < t->capacity; i++) {
		struct iface *ifc = &t->slot[i];
		unsigned changes = 0;
		int j, k;

		if (!ifc->ifindex)
			continue;
		if (ifc->stale) {
			if (changed)
				changed(ctx, ifc, IFACE_GONE);
			iface_release(t, ifc);
			altered++;
			continue;
		}
		for (j = k = 0; j < ifc->n_ll; j++)
			if (!ifc->ll_cand[j].stale)
				ifc->ll_cand[k++] = ifc->ll_cand[j];
		ifc->n_ll = (uint8_t)k;
		for (j = k = 0; j < ifc->n_v4; j++)
			if (!ifc->v4_cand[j].stale)
				ifc->v4_cand[k++] = ifc->v4_cand[j];
		ifc->n_v4 = (uint8_t)k;
		changes = choose_ll(ifc) | choose_v4(ifc);
		if (changes) {
			if (changed)
				changed(ctx, ifc, changes);
			altered++;
		}
	}
	return altered;
}
