#!/usr/bin/env bash
# islandd under Type=notify, without systemd: a datagram socket stands in for
# $NOTIFY_SOCKET and records what the daemon says: READY=1 after start-up, a
# STATUS line with live counts that moves when a solicitation is answered,
# RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a SIGHUP reload, and
# STOPPING=1 on SIGTERM.
set -u
. "$(dirname "$0")/../lib/netns.sh"
need_root sdnotify
BUILD=${BUILD:-build}
ISLANDD="$ISL_REPO/$BUILD/islandd"
[ -x "$ISLANDD" ] || die "$ISLANDD not built (make)"
if ! nm "$ISLANDD" 2>/dev/null | grep -qw sdnotify_ready; then
	skip sdnotify "islandd does not call sdnotify_*() yet"
	exit 0
fi
need_cmd ndisc6
netns_init
ns_add gw peer
veth gw eth0 peer eth0
if_up gw eth0
if_up peer eth0
nsip gw addr add 2001:db8:5::1/64 dev eth0
nsip peer addr add 2001:db8:5::2/64 dev eth0

SOCK="$ISL_RUN/notify.sock"
LOG="$ISL_RUN/notify.log"
# one line per datagram, its newlines shown as '|'
/usr/bin/python3 - "$SOCK" "$LOG" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode(errors="replace").replace("\n", "|") + "\n")
PY
listener=$!
at_cleanup "kill $listener 2>/dev/null"
wait_for 5 test -S "$SOCK" || die "notify listener did not start"

cat >"$ISL_RUN/islandd.conf" <<'EOF2'
proxy eth0 {
	rule 2001:db8:5:0:1::/80 {
		static
	}
}
EOF2
chmod 644 "$ISL_RUN/islandd.conf"
(exec env NOTIFY_SOCKET="$SOCK" ip netns exec "$(nsn gw)" "$ISLANDD" -c "$ISL_RUN/islandd.conf" \
	-S "$ISL_RUN/ctl.sock" >"$ISL_KEEP/sdnotify-islandd.log" 2>&1) &
daemon=$!
at_cleanup "kill $daemon 2>/dev/null"

said() { grep -qE "$1" "$LOG"; }
check sdnotify_ready "no READY=1 within 5 s: $(tr '\n' ' ' <"$LOG")" wait_for 5 said '^READY=1$'
check sdnotify_status "no STATUS line with counts within 7 s: $(tr '\n' ' ' <"$LOG")" \
	wait_for 7 said '^STATUS=.*[0-9]+ sessions, [0-9]+ NS answered'

# an answered solicitation shows in the next STATUS line
answered() { grep -oE '[0-9]+ NS answered' "$LOG" | tail -n 1 | cut -d' ' -f1; }
nsexec peer ndisc6 -q -1 -r 2 -w 500 2001:db8:5:0:1::7 eth0 >/dev/null 2>&1
moved() { [ "$(answered)" -ge 1 ]; }
check sdnotify_status_live "STATUS did not count the answer within 7 s (last: $(answered) NS answered)" \
	wait_for 7 moved

: >"$LOG"
kill -HUP "$daemon"
check sdnotify_reloading "no RELOADING=1 with MONOTONIC_USEC after SIGHUP: $(tr '\n' ' ' <"$LOG")" \
	wait_for 5 said '^RELOADING=1\|MONOTONIC_USEC=[0-9]+$'
check sdnotify_ready_after_reload "no READY=1 after the reload: $(tr '\n' ' ' <"$LOG")" \
	wait_for 5 said '^READY=1$'
order_ok() { [ "$(grep -nE '^RELOADING' "$LOG" | head -n 1 | cut -d: -f1)" -lt "$(grep -n '^READY=1$' "$LOG" | head -n 1 | cut -d: -f1)" ]; }
check sdnotify_reload_order "READY=1 came before RELOADING=1" order_ok
# the monotonic stamp is the daemon's clock now, not zero or garbage
stamp=$(sed -n 's/^RELOADING=1|MONOTONIC_USEC=//p' "$LOG" | head -n 1)
now=$(/usr/bin/python3 -c 'import time; print(int(time.monotonic() * 1e6))')
check sdnotify_monotonic_sane "MONOTONIC_USEC=$stamp, CLOCK_MONOTONIC now ${now}us" \
	awk -v s="${stamp:-0}" -v n="$now" 'BEGIN { d = n - s; exit !(d > -5000000 && d < 5000000) }'

# a start that fails (the socket is the running one's): no READY=1, status 1
: >"$LOG"
env NOTIFY_SOCKET="$SOCK" ip netns exec "$(nsn gw)" "$ISLANDD" -c "$ISL_RUN/islandd.conf" \
	-S "$ISL_RUN/ctl.sock" >"$ISL_KEEP/sdnotify-second.log" 2>&1 </dev/null
rc=$?
# a marker sent now is logged after anything the failed start sent (one
# datagram socket, read in order): once it is in the log, so is the rest
marker() {
	/usr/bin/python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.sendto(b"MARKER=1", sys.argv[1])' "$SOCK"
}
marker
wait_for 5 said '^MARKER=1$' || note "the marker datagram is not in $LOG"
check sdnotify_failed_start "a failed start: status $rc (want 1), notify: $(tr '\n' ' ' <"$LOG")" \
	eval '[ "$rc" -eq 1 ] && ! said "^READY=1$"'

kill -TERM "$daemon"
check sdnotify_stopping "no STOPPING=1 on SIGTERM: $(tr '\n' ' ' <"$LOG")" wait_for 5 said '^STOPPING=1$'
wait "$daemon"
check sdnotify_clean_exit "islandd exited $? after SIGTERM" test $? -eq 0

test_status
