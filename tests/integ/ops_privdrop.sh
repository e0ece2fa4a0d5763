#!/usr/bin/env bash
# privdrop(): a probe program calls it the way islandd does, then tries what
# the dropped process must still do (packet socket, bring a link up) and what
# it must no longer do (bind port 80, read another user's file, become root
# again); /proc/PID/status is read from outside while it waits.
# Cases: root -> existing user; root with no such user; already unprivileged;
# systemd-style ambient capabilities; root inside a restricted bounding set;
# and the daemon itself when runtime.c calls privdrop().
set -u
. "$(dirname "$0")/../lib/netns.sh"
need_root privdrop
need_cmd gcc setpriv useradd userdel
netns_init
ns_add pd

CC=${CC:-gcc}
BUILD=${BUILD:-build}
PROBE="$ISL_RUN/privdrop_probe"
TEST_USER="islpd$$"
at_cleanup "getent passwd $TEST_USER >/dev/null && userdel $TEST_USER 2>/dev/null"

cat >"$ISL_RUN/probe.c" <<'C'
/* privdrop_probe USER|- PRIVATE_FILE: privdrop(), then each capability test,
 * one "name=result" line each, then waits to be looked at and killed. */
#include "daemon/privdrop.h"
#include "util/log.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void result(const char *name, int ok)
{
	printf("%s=%s\n", name, ok ? "ok" : strerrorname_np(errno));
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	log_init("probe", false, 0);
	int rc = privdrop(strcmp(argv[1], "-") ? argv[1] : NULL);
	printf("pid=%ld\nrc=%d\n", (long)getpid(), rc);
	int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IPV6));
	result("packet", fd >= 0);
	if (fd >= 0)
		close(fd);
	/* bringing lo up needs CAP_NET_ADMIN (run in a fresh namespace) */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	int ok = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0;
	if (ok) {
		ifr.ifr_flags |= IFF_UP;
		ok = ioctl(fd, SIOCSIFFLAGS, &ifr) == 0;
	}
	result("admin", ok);
	close(fd);
	/* a port below 1024 needs CAP_NET_BIND_SERVICE: gone, unless the unit grants it */
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(80), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	result("bind80", bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(fd);
	fd = open(argv[2], O_RDONLY);
	result("private", fd >= 0);
	if (fd >= 0)
		close(fd);
	result("setuid0", setresuid(0, 0, 0) == 0);
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
C
"$CC" -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc -o "$PROBE" "$ISL_RUN/probe.c" \
	src/daemon/privdrop.c src/util/log.c src/util/loop.c || die "cannot build the probe"
chmod 755 "$ISL_RUN" "$PROBE"

# a file nobody but its owner may read: opening it needs CAP_DAC_OVERRIDE
PRIVATE="$ISL_RUN/private"
echo secret >"$PRIVATE"
chown nobody "$PRIVATE"
chmod 600 "$PRIVATE"

useradd --system --no-create-home --shell /usr/sbin/nologin --user-group "$TEST_USER" ||
	die "useradd $TEST_USER failed"
TEST_UID=$(id -u "$TEST_USER")
TEST_GID=$(id -g "$TEST_USER")
NOBODY_UID=$(id -u nobody)

# run_probe NAME USER [WRAPPER...]: runs the probe in the namespace; leaves
# its output in $OUT, its stderr in $ERR and its /proc status in $ST.
run_probe() {
	local name=$1 user=$2 job pid; shift 2
	OUT="$ISL_RUN/$name.out" ERR="$ISL_RUN/$name.err" ST="$ISL_RUN/$name.status"
	nsexec pd "$@" "$PROBE" "$user" "$PRIVATE" >"$OUT" 2>"$ERR" &
	job=$!
	if ! wait_for 5 grep -q '^ready$' "$OUT"; then
		kill "$job" 2>/dev/null; wait "$job" 2>/dev/null
		cat "$OUT" "$ERR" >&2
		return 1
	fi
	# the probe's own pid: $! may be a subshell around it
	pid=$(sed -n 's/^pid=//p' "$OUT")
	cat "/proc/$pid/status" >"$ST"
	kill "$pid" "$job" 2>/dev/null
	wait "$job" 2>/dev/null
	nsip pd link set lo down # the next probe must bring it up again itself
	return 0
}

# field KEY: the value in $ST, tabs as spaces ("Uid: 0 0 0 0" -> "0 0 0 0")
field() { awk -v k="$1:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$ST"; }
ids4() { echo "$1 $1 $1 $1"; }
said() { grep -qx "$1" "$OUT"; }

# expect NAME CONDITION-DESCRIPTION CMD...
expect() {
	local name=$1 why=$2; shift 2
	if "$@"; then ok "$name"; else not_ok "$name" "$why (probe said: $(tr '\n' ' ' <"$OUT"))"; fi
}

# 1. root, the user exists: everything the daemon needs, nothing more
if run_probe drop "$TEST_USER"; then
	expect privdrop_user_rc "rc=0" said rc=0
	expect privdrop_user_uid "Uid all $TEST_UID, got '$(field Uid)'" \
		test "$(field Uid)" = "$(ids4 "$TEST_UID")"
	expect privdrop_user_gid "Gid all $TEST_GID, got '$(field Gid)'" \
		test "$(field Gid)" = "$(ids4 "$TEST_GID")"
	expect privdrop_user_groups "only the primary group, got '$(field Groups)'" test "$(field Groups)" = "$TEST_GID"
	expect privdrop_user_capeff "CapEff 3000, got $(field CapEff)" test "$(field CapEff)" = 0000000000003000
	expect privdrop_user_capprm "CapPrm 3000, got $(field CapPrm)" test "$(field CapPrm)" = 0000000000003000
	expect privdrop_user_capinh "CapInh 0, got $(field CapInh)" test "$(field CapInh)" = 0000000000000000
	expect privdrop_user_capamb "CapAmb 0, got $(field CapAmb)" test "$(field CapAmb)" = 0000000000000000
	expect privdrop_user_capbnd "CapBnd 3000, got $(field CapBnd)" test "$(field CapBnd)" = 0000000000003000
	expect privdrop_user_nnp "NoNewPrivs 1, got $(field NoNewPrivs)" test "$(field NoNewPrivs)" = 1
	expect privdrop_user_packet "AF_PACKET still opens" said packet=ok
	expect privdrop_user_admin "lo can still be brought up" said admin=ok
	expect privdrop_user_no_bind80 "port 80 refused" said bind80=EACCES
	expect privdrop_user_no_dac "another user's file refused" said private=EACCES
	expect privdrop_user_no_root "root does not come back" said setuid0=EPERM
else
	not_ok privdrop_user "probe did not report"
fi

# 2. root, no such user: a warning, uid 0, still only the two capabilities
if run_probe nouser "islandd-no-such-user-$$"; then
	expect privdrop_nouser_rc "rc=1 (PRIVDROP_STAYED_ROOT)" said rc=1
	expect privdrop_nouser_warns "a warning naming the user" grep -q "warning: user islandd-no-such-user-$$ does not exist" "$ERR"
	expect privdrop_nouser_uid0 "Uid stays 0, got '$(field Uid)'" test "$(field Uid)" = "$(ids4 0)"
	expect privdrop_nouser_capeff "CapEff 3000, got $(field CapEff)" test "$(field CapEff)" = 0000000000003000
	expect privdrop_nouser_capbnd "CapBnd 3000, got $(field CapBnd)" test "$(field CapBnd)" = 0000000000003000
	expect privdrop_nouser_packet "AF_PACKET still opens" said packet=ok
	expect privdrop_nouser_no_bind80 "port 80 refused even to root" said bind80=EACCES
	expect privdrop_nouser_no_dac "another user's file refused even to root" said private=EACCES
else
	not_ok privdrop_nouser "probe did not report"
fi

# 3. not root and no capabilities: nothing to do, nothing gained
if run_probe unpriv - setpriv --reuid="$NOBODY_UID" --regid="$(id -g nobody)" --clear-groups; then
	expect privdrop_unpriv_rc "rc=0" said rc=0
	expect privdrop_unpriv_uid "Uid stays nobody" test "$(field Uid | cut -d' ' -f1)" = "$NOBODY_UID"
	expect privdrop_unpriv_capeff "CapEff 0, got $(field CapEff)" test "$(field CapEff)" = 0000000000000000
	expect privdrop_unpriv_no_packet "no AF_PACKET without CAP_NET_RAW" said packet=EPERM
	expect privdrop_unpriv_nnp "NoNewPrivs 1" test "$(field NoNewPrivs)" = 1
else
	not_ok privdrop_unpriv "probe did not report"
fi

# 4. as systemd starts it (User= with AmbientCapabilities=), plus one
#    capability too many that privdrop() must shed
if run_probe ambient - setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups \
	--inh-caps=+net_raw,+net_admin,+net_broadcast --ambient-caps=+net_raw,+net_admin,+net_broadcast; then
	expect privdrop_ambient_rc "rc=0" said rc=0
	expect privdrop_ambient_uid "Uid stays $TEST_UID" test "$(field Uid | cut -d' ' -f1)" = "$TEST_UID"
	expect privdrop_ambient_capeff "CapEff 3000 (net_broadcast shed), got $(field CapEff)" \
		test "$(field CapEff)" = 0000000000003000
	expect privdrop_ambient_capamb "CapAmb cleared, got $(field CapAmb)" test "$(field CapAmb)" = 0000000000000000
	# capset() ran to shed net_broadcast, so the inheritable set went too
	expect privdrop_ambient_capinh "CapInh cleared, got $(field CapInh)" test "$(field CapInh)" = 0000000000000000
	expect privdrop_ambient_packet "AF_PACKET opens" said packet=ok
	expect privdrop_ambient_admin "lo can be brought up" said admin=ok
	expect privdrop_ambient_no_bind80 "port 80 refused" said bind80=EACCES
else
	not_ok privdrop_ambient "probe did not report"
fi

# 4b. exactly as the unit starts it (systemd/islandd.service: the two, and
#     CAP_NET_BIND_SERVICE for the DHCP ports): nothing to shed, so no
#     capset() (the unit's filter forbids it); ambient still cleared
UNIT_CAPS=+net_raw,+net_admin,+net_bind_service
grep -qx 'AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN CAP_NET_BIND_SERVICE' "$ISL_REPO/systemd/islandd.service" &&
	ok privdrop_unit_caps || not_ok privdrop_unit_caps "the unit grants other capabilities than this test assumes"
if run_probe systemd - setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups \
	--inh-caps=$UNIT_CAPS --ambient-caps=$UNIT_CAPS; then
	expect privdrop_systemd_rc "rc=0" said rc=0
	expect privdrop_systemd_capeff "CapEff 3400, got $(field CapEff)" test "$(field CapEff)" = 0000000000003400
	expect privdrop_systemd_bind80 "a privileged port binds (DHCP relays and clients need 67, 546, 547)" said bind80=ok
	expect privdrop_systemd_capamb "CapAmb cleared, got $(field CapAmb)" test "$(field CapAmb)" = 0000000000000000
	expect privdrop_systemd_nnp "NoNewPrivs 1" test "$(field NoNewPrivs)" = 1
	expect privdrop_systemd_packet "AF_PACKET opens" said packet=ok
	if command -v strace >/dev/null; then
		# setpriv calls capset itself: count only the calls after the probe's exec
		nsexec pd strace -f -e trace=execve,capset -o "$ISL_RUN/strace.out" \
			setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups \
			--inh-caps=$UNIT_CAPS --ambient-caps=$UNIT_CAPS \
			timeout 2 "$PROBE" - "$PRIVATE" >/dev/null 2>&1
		n=$(awk '/execve\("[^"]*privdrop_probe"/ { seen = 1 } seen && /capset\(/ { n++ } END { print seen ? n + 0 : "no exec" }' \
			"$ISL_RUN/strace.out" 2>/dev/null)
		expect privdrop_systemd_no_capset "no capset() by the probe, counted: $n" test "$n" = 0
	else
		skip privdrop_systemd_no_capset "strace not installed"
	fi
else
	not_ok privdrop_systemd "probe did not report"
fi

# 5. root already confined to the two capabilities: a no-op, uid stays 0
if run_probe bounded "$TEST_USER" setpriv --bounding-set=-all,+net_raw,+net_admin; then
	expect privdrop_bounded_rc "rc=0" said rc=0
	expect privdrop_bounded_uid0 "Uid stays 0 (no CAP_SETUID to switch)" test "$(field Uid | cut -d' ' -f1)" = 0
	expect privdrop_bounded_capeff "CapEff 3000, got $(field CapEff)" test "$(field CapEff)" = 0000000000003000
	expect privdrop_bounded_packet "AF_PACKET opens" said packet=ok
else
	not_ok privdrop_bounded "probe did not report"
fi

# 6. the daemon: once runtime.c calls privdrop(), a running islandd holds
#    only the two capabilities (as the islandd user when it exists)
DAEMON="$BUILD/islandd"
if [ ! -x "$DAEMON" ]; then
	skip privdrop_daemon "$DAEMON not built"
elif ! nm "$DAEMON" 2>/dev/null | grep -qw privdrop; then
	skip privdrop_daemon "islandd does not call privdrop() yet"
else
	cat >"$ISL_RUN/islandd.conf" <<-'CONF'
	proxy lo {
		rule 2001:db8:1::/64 { static }
	}
	CONF
	chmod 644 "$ISL_RUN/islandd.conf"
	# ip netns exec execs the daemon, and exec in the subshell makes $! its pid
	(exec ip netns exec "$(nsn pd)" "$DAEMON" -c "$ISL_RUN/islandd.conf" -S "$ISL_RUN/ctl.sock" \
		>"$ISL_RUN/daemon.log" 2>&1) &
	dpid=$!
	at_cleanup "kill $dpid 2>/dev/null"
	if wait_for 5 grep -q "running:" "$ISL_RUN/daemon.log" && [ -r "/proc/$dpid/status" ]; then
		ST="$ISL_RUN/daemon.status" OUT="$ISL_RUN/daemon.log"
		cat "/proc/$dpid/status" >"$ST"
		if getent passwd islandd >/dev/null; then
			want_uid=$(id -u islandd)
		else
			want_uid=0
		fi
		expect privdrop_daemon_uid "Uid $want_uid, got '$(field Uid)'" test "$(field Uid | cut -d' ' -f1)" = "$want_uid"
		expect privdrop_daemon_capeff "CapEff 3000, got $(field CapEff)" test "$(field CapEff)" = 0000000000003000
		expect privdrop_daemon_capbnd "CapBnd 3000, got $(field CapBnd)" test "$(field CapBnd)" = 0000000000003000
		expect privdrop_daemon_nnp "NoNewPrivs 1" test "$(field NoNewPrivs)" = 1
	else
		not_ok privdrop_daemon "islandd did not start: $(tail -n 5 "$ISL_RUN/daemon.log" | tr '\n' ' ')"
	fi
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
fi

test_status
