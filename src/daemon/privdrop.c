/* Dropping root to a user while keeping two capabilities, with the raw
 * capget/capset system calls (no libcap). The order matters: the bounding
 * set needs CAP_SETPCAP and setuid needs CAP_SETUID, so both happen while
 * still root; PR_SET_KEEPCAPS makes setuid keep the permitted set, and
 * capset then trims it and raises the effective set it cleared. */
#include "daemon/privdrop.h"
#include "util/log.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEEP_CAPS ((UINT64_C(1) << CAP_NET_RAW) | (UINT64_C(1) << CAP_NET_ADMIN))
#define CAP_BIT(c) (UINT64_C(1) << (c))
/* What a service manager may grant beyond KEEP_CAPS and islandd then keeps:
 * binding the DHCP ports (67, 546, 547), also for blocks a reload adds.
 * Started as root, islandd binds them before it drops and sheds this. */
#define GRANTED_CAPS CAP_BIT(CAP_NET_BIND_SERVICE)

struct capsets {
	uint64_t effective, permitted, inheritable;
};

static int caps_get(struct capsets *cs)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	cs->effective = data[0].effective | (uint64_t)data[1].effective << 32;
	cs->permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
	cs->inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
	return 0;
}

static int caps_set(const struct capsets *cs)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
		{ .effective = (uint32_t)cs->effective, .permitted = (uint32_t)cs->permitted,
		  .inheritable = (uint32_t)cs->inheritable },
		{ .effective = (uint32_t)(cs->effective >> 32), .permitted = (uint32_t)(cs->permitted >> 32),
		  .inheritable = (uint32_t)(cs->inheritable >> 32) },
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

/* Empties the bounding set but for KEEP_CAPS, so not even an exec of a
 * set-uid or file-capability program can bring the others back. */
static int bounding_trim(void)
{
	for (int cap = 0; cap < 64; cap++) {
		if (KEEP_CAPS & CAP_BIT(cap))
			continue;
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0)
			break; /* EINVAL: past the kernel's last capability */
		if (in == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return -errno;
	}
	return 0;
}

/* The steps every path ends with: no capability beyond keep, nothing
 * handed to children through the ambient set, no gaining any by exec. */
static int caps_restrict(bool may_trim_bounding, uint64_t keep)
{
	struct capsets cs;
	int rc = caps_get(&cs);
	if (rc < 0)
		return rc;
	if (may_trim_bounding && (cs.effective & CAP_BIT(CAP_SETPCAP))) {
		rc = bounding_trim();
		if (rc < 0)
			return rc;
	}
	/* An inheritable set alone grants nothing once the ambient set is empty
	 * and no_new_privs is on; leaving it avoids a capset() that the unit's
	 * SystemCallFilter=~@privileged would refuse. */
	struct capsets want = { .effective = cs.permitted & keep, .permitted = cs.permitted & keep };
	if (cs.effective != want.effective || cs.permitted != want.permitted) {
		rc = caps_set(&want);
		if (rc < 0)
			return rc;
	}
	/* EINVAL: a kernel before 4.3 has no ambient set, so nothing to clear */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

static int switch_user(const struct passwd *pw)
{
	gid_t gid = pw->pw_gid;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -errno;
	if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) < 0)
		return -errno;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/* Trust nothing: the ids changed everywhere and root cannot come back. */
static int verify_dropped(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
		return -errno;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
		return -EPERM;
	if (setresuid(0, 0, 0) == 0)
		return -EPERM;
	struct capsets cs;
	int rc = caps_get(&cs);
	if (rc < 0)
		return rc;
	if ((cs.permitted | cs.effective) & ~KEEP_CAPS)
		return -EPERM;
	return 0;
}

/* The daemon's user is a local system user (adduser --system): read
 * /etc/passwd directly rather than through NSS, which would map half a
 * megabyte of modules (libnss_systemd and friends) into a small daemon. */
static int passwd_lookup(const char *user, struct passwd *pwbuf, char *buf, size_t len,
                         struct passwd **out)
{
	*out = NULL;
	FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return errno;
	struct passwd *pw;
	int err;
	while ((err = fgetpwent_r(f, pwbuf, buf, len, &pw)) == 0) {
		if (strcmp(pw->pw_name, user) == 0) {
			*out = pw;
			break;
		}
	}
	fclose(f);
	return *out || err == ENOENT ? 0 : err;
}

int privdrop_user_exists(const char *user)
{
	char buf[16384];
	struct passwd pwbuf, *pw = NULL;
	int err = passwd_lookup(user, &pwbuf, buf, sizeof(buf), &pw);
	if (err)
		return -err;
	return pw ? 0 : -ENOENT;
}

int privdrop(const char *user)
{
	if (!user || !user[0])
		user = PRIVDROP_DEFAULT_USER;
	struct capsets cs;
	int rc = caps_get(&cs);
	if (rc < 0)
		return rc;
	bool root = getuid() == 0 || geteuid() == 0;
	if (!root) /* systemd already made us who we should be; just tidy up */
		return caps_restrict(false, KEEP_CAPS | GRANTED_CAPS);
	if (!(cs.permitted & ~KEEP_CAPS))
		return caps_restrict(false, KEEP_CAPS);

	char buf[16384];
	struct passwd pwbuf, *pw = NULL;
	int err = passwd_lookup(user, &pwbuf, buf, sizeof(buf), &pw);
	if (err || !pw || pw->pw_uid == 0) {
		if (err)
			log_warn("cannot look up user %s: %s; staying root with only CAP_NET_RAW and CAP_NET_ADMIN",
			         user, strerror(err));
		else if (!pw)
			log_warn("user %s does not exist; staying root with only CAP_NET_RAW and CAP_NET_ADMIN "
			         "(create it: adduser --system --group --no-create-home %s)", user, user);
		else
			log_info("user %s is root: staying root with only CAP_NET_RAW and CAP_NET_ADMIN", user);
		rc = caps_restrict(true, KEEP_CAPS);
		return rc < 0 ? rc : PRIVDROP_STAYED_ROOT;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = pw->pw_gid;
	if ((cs.effective & CAP_BIT(CAP_SETPCAP)) && (rc = bounding_trim()) < 0)
		return rc;
	if ((rc = switch_user(pw)) < 0)
		return rc;
	if ((rc = caps_restrict(false, KEEP_CAPS)) < 0)
		return rc;
	if ((rc = verify_dropped(uid, gid)) < 0)
		return rc;
	log_info("running as user %s (uid %u) with CAP_NET_RAW and CAP_NET_ADMIN only", user, (unsigned)uid);
	return 0;
}
