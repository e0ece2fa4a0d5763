#!/usr/bin/env bash
# One owner per set of routes, and start-up errors that reach the caller
# (issue 13, items 1, 2, 3 and 5), on the seed-000 island:
#  - a second islandd with the same -S, or the same interfaces and another
#    -S, refuses before it touches anything, naming the first's pid; the
#    first's route and the laptop's pings survive;
#  - a route of ours deleted by hand comes back (route_restored counts it);
#  - an unrelated second instance in the namespace (another interface) runs,
#    does not clean the first's routes at start or stop, and `islandd check`
#    reports the two instances;
#  - `islandd -d` returns non-zero with the error on stderr when the start
#    fails, 0 with a pidfile when it works; -u with an unknown user exits 2,
#    a pidfile that cannot be written exits 1, both before any change;
#  - idle control connections cannot lock islandctl out; islandctl against a
#    daemon that hangs up says why it gave up and never dies of SIGPIPE; a
#    pipelined request is refused without echoing its newline.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root instances
need_cmd jq
need_islandd
# json_doc FILTER [ARGS...] <<<TEXT: TEXT is exactly one JSON document and
# FILTER holds for it (jq 1.6 -e alone passes an empty input)
json_doc() {
	local in
	in=$(cat)
	[ -n "$in" ] && [ "$(jq -s length <<<"$in" 2>/dev/null)" = 1 ] && jq -e "$@" >/dev/null 2>&1 <<<"$in"
}
netns_init
island000_build
CONF=$(island000_conf)

start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
FIRST=$(islandd_pid gw)
check "traffic reaches pi41" "no echo reply" ping6_ok laptop "$PI41_ADDR" 10
check "pi41's route installed" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"

# second NAME ARGS...: runs a second islandd in gw (at most 10 s); its
# status in $RC, its stderr in $ERR
second() {
	local name=$1; shift
	ERR=$(timeout 10 ip netns exec "$(nsn gw)" "$ISLANDD" "$@" 2>&1 </dev/null)
	RC=$?
	printf '=== %s: rc %s\n%s\n' "$name" "$RC" "$ERR" >>"$ISL_KEEP/second.log"
}
refuses() { [ "$RC" -eq 1 ] && grep -q "pid $FIRST" <<<"$ERR" && ! grep -q "removed .* left by" <<<"$ERR"; }

# --- item 1: a second instance refuses before touching routes --------------
second same_socket -c "$(islandd_conf gw)" -S "$(islandd_sock gw)" -p "$ISL_RUN/second.pid"
check "same -S: refused with status 1, naming the first (pid $FIRST)" "rc $RC: $ERR" refuses
check "same -S: pi41's route is still there" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"
check "same -S: the first's socket still answers" "no answer" ctl gw status
check "same -S: no pidfile left by the refused one" "exists" test ! -e "$ISL_RUN/second.pid"

second same_ifaces -c "$(islandd_conf gw)" -S "$ISL_RUN/second.sock"
check "same interfaces, other -S: refused, naming pid $FIRST and wlan0" "rc $RC: $ERR" \
	eval 'refuses && grep -q "interface wlan0" <<<"$ERR"'
check "same interfaces: pi41's route is still there" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"
check "same interfaces: the laptop still reaches pi41" "no echo reply" ping6_ok laptop "$PI41_ADDR" 5

# --- item 1: a route deleted by anyone comes back ---------------------------
restored0=$(counter gw route_restored)
nsip gw -6 route del "$PI41_ADDR/128" proto "$ISLANDD_RTPROTO"
check "route deleted by hand: islandd puts it back" "routes: $(routes73 gw)" \
	wait_for 5 has_route73 gw "$PI41_ADDR"
restored1=$(counter gw route_restored)
check "route_restored counts it ($restored0 -> $restored1)" "not counted" \
	test "${restored1:-0}" -eq $(( ${restored0:-0} + 1 ))
check "after the restore the laptop reaches pi41" "no echo reply" ping6_ok laptop "$PI41_ADDR" 5

# --- item 1: an unrelated second instance leaves the first's routes alone --
nsip gw link add other0 type veth peer name other1
nsip gw link set other0 up
cat >"$ISL_RUN/other.conf" <<'EOF'
proxy other0 {
	rule 2001:db8:99::/64 {
		static
	}
}
EOF
# ip netns exec execs islandd: $! is its pid
ip netns exec "$(nsn gw)" "$ISLANDD" -c "$ISL_RUN/other.conf" -S "$ISL_RUN/other.sock" -v \
	</dev/null >"$ISL_KEEP/other.log" 2>&1 &
OTHER=$!
at_cleanup "kill $OTHER 2>/dev/null"
check "another instance on another interface starts" "see $ISL_KEEP/other.log" \
	wait_for 10 "$ISLANDCTL" -S "$ISL_RUN/other.sock" status
check "it names the first and cleans no route at start" "$(tail -n 5 "$ISL_KEEP/other.log")" \
	grep -q "another islandd (pid $FIRST) runs in this network namespace" "$ISL_KEEP/other.log"
check "pi41's route survived the second start" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"
OUT=$(nsexec gw "$ISLANDD" check -c "$(islandd_conf gw)" 2>&1)
check "islandd check reports two instances" "$OUT" grep -q "problem: 2 islandd instances run in this network namespace" <<<"$OUT"
OUT=$(nsexec gw "$ISLANDD" check -c "$(islandd_conf gw)" --json 2>/dev/null)
check "islandd check --json reports them too" "$OUT" \
	json_doc '.ok == false and any(.problems[]; .problem | test("2 islandd instances"))' <<<"$OUT"
# a reload that would take the first's interface fails, and the other keeps running
cp "$ISL_RUN/other.conf" "$ISL_RUN/other.conf.orig"
sed -i 's/proxy other0/proxy wlan0/' "$ISL_RUN/other.conf"
OUT=$("$ISLANDCTL" -S "$ISL_RUN/other.sock" reload 2>&1); rc=$?
check "a reload onto the first's interface fails, naming pid $FIRST" "rc $rc: $OUT" \
	eval '[ "$rc" -eq 1 ] && grep -q "pid $FIRST.*interface wlan0" <<<"$OUT"'
mv "$ISL_RUN/other.conf.orig" "$ISL_RUN/other.conf"
check "pi41's route survived the refused reload" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"
kill -TERM "$OTHER"
wait "$OTHER"; rc=$?
check "the other instance exits 0 on SIGTERM" "rc $rc" test "$rc" -eq 0
check "pi41's route survived the other's stop" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"
check "the laptop still reaches pi41" "no echo reply" ping6_ok laptop "$PI41_ADDR" 5
check "no sanitizer report from the other instance" "see $ISL_KEEP/other.log" \
	_isl_not grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$ISL_KEEP/other.log"

# --- item 2: -d reports the start's outcome ---------------------------------
t0=$(now_ms)
second daemon_conflict -d -c "$(islandd_conf gw)" -S "$(islandd_sock gw)"
check "-d, start fails: status 1, the error on stderr ($(( $(now_ms) - t0 )) ms)" "rc $RC: $ERR" \
	eval '[ "$RC" -eq 1 ] && grep -q "pid $FIRST" <<<"$ERR"'
second daemon_ok -d -c "$ISL_RUN/other.conf" -S "$ISL_RUN/d.sock" -p "$ISL_RUN/d.pid"
DPID=$(cat "$ISL_RUN/d.pid" 2>/dev/null)
[ -n "$DPID" ] && at_cleanup "kill $DPID 2>/dev/null"
check "-d, start works: status 0, no error on stderr" "rc $RC: $ERR" eval '[ "$RC" -eq 0 ] && ! grep -q error: <<<"$ERR"'
check "-d: the pidfile names the running daemon, which answers" "pid '$DPID'" \
	eval '[ -n "$DPID" ] && kill -0 "$DPID" && "$ISLANDCTL" -S "$ISL_RUN/d.sock" status >/dev/null'
[ -n "$DPID" ] && kill -TERM "$DPID" && wait_for 5 _isl_not kill -0 "$DPID"
check "-d: the pidfile is removed at exit" "still there" wait_for 3 test ! -e "$ISL_RUN/d.pid"

# --- item 5: explicit options fail hard, before any change ------------------
second no_user -u nosuchuser$$ -c "$ISL_RUN/other.conf" -S "$ISL_RUN/u.sock"
check "-u unknown user: status 2, the reason named" "rc $RC: $ERR" \
	eval '[ "$RC" -eq 2 ] && grep -q "nosuchuser$$: no such user" <<<"$ERR"'
check "-u unknown user: nothing started (no socket)" "socket exists" test ! -e "$ISL_RUN/u.sock"
second bad_pidfile -c "$ISL_RUN/other.conf" -S "$ISL_RUN/p.sock" -p /nonexistent/dir/x.pid
check "-p in a missing directory: status 1 with the reason" "rc $RC: $ERR" \
	eval '[ "$RC" -eq 1 ] && grep -q "cannot write pidfile /nonexistent/dir/x.pid: No such file or directory" <<<"$ERR"'
check "-p failure: no socket left" "socket exists" test ! -e "$ISL_RUN/p.sock"
second daemon_bad_pidfile -d -c "$ISL_RUN/other.conf" -S "$ISL_RUN/p.sock" -p /nonexistent/dir/x.pid
check "-d -p in a missing directory: status 1 with the reason on stderr" "rc $RC: $ERR" \
	eval '[ "$RC" -eq 1 ] && grep -q "No such file or directory" <<<"$ERR"'
check "after every refused start pi41's route is there" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"

# --- item 3: the control socket cannot be starved ---------------------------
# 40 connections that never say anything (more than the 32 slots)
nsexec gw "$ISL_PY" - "$(islandd_sock gw)" "$ISL_RUN/idle.ready" <<'PY' &
import socket, sys, time
held = []
for _ in range(40):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    held.append(s)
open(sys.argv[2], "w").close()
time.sleep(30)
PY
IDLE=$!
at_cleanup "kill $IDLE 2>/dev/null"
wait_for 5 test -e "$ISL_RUN/idle.ready"
t0=$(now_ms)
OUT=$(ctl gw status 2>&1); rc=$?
check "40 idle connections: islandctl status still answers (rc $rc, $(( $(now_ms) - t0 )) ms)" "$OUT" \
	eval '[ "$rc" -eq 0 ] && grep -q "^islandd " <<<"$OUT"'
ev=$(counter gw ctl_evicted)
check "silent connections were evicted to make room (ctl_evicted $ev)" "none" test "${ev:-0}" -ge 1
kill "$IDLE" 2>/dev/null; wait "$IDLE" 2>/dev/null

# a "daemon" that accepts and hangs up at once
"$ISL_PY" - "$ISL_RUN/hangup.sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(64)
while True:
    c, _ = s.accept(); c.close()
PY
HANG=$!
at_cleanup "kill $HANG 2>/dev/null"
wait_for 5 test -S "$ISL_RUN/hangup.sock"
OUT=$("$ISLANDCTL" -S "$ISL_RUN/hangup.sock" status 2>&1); rc=$?
check "a daemon that hangs up: status 1 (not 141), saying why it gave up" "rc $rc: $OUT" \
	eval '[ "$rc" -eq 1 ] && grep -q "gave up after 5 attempts" <<<"$OUT"'
OUT=$("$ISLANDCTL" -S "$ISL_RUN/hangup.sock" --json status 2>/dev/null); rc=$?
check "... with --json the error is one JSON document" "rc $rc: $OUT" json_doc '.error | test("gave up")' <<<"$OUT"
kill "$HANG" 2>/dev/null; wait "$HANG" 2>/dev/null
# a busy daemon that drops the first two connections: the third attempt gets through
"$ISL_PY" - "$ISL_RUN/busy.sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(8)
for i in range(3):
    c, _ = s.accept()
    if i == 2:
        c.recv(256); c.sendall(b'{"version":"busy-test","pid":7}\n')
    c.close()
PY
BUSY=$!
at_cleanup "kill $BUSY 2>/dev/null"
wait_for 5 test -S "$ISL_RUN/busy.sock"
OUT=$("$ISLANDCTL" -S "$ISL_RUN/busy.sock" status 2>&1); rc=$?
check "a daemon that drops two connections: islandctl retries and gets the reply" "rc $rc: $OUT" \
	eval '[ "$rc" -eq 0 ] && grep -q "^islandd busy-test, pid 7," <<<"$OUT"'
wait "$BUSY" 2>/dev/null
OUT=$("$ISLANDCTL" -S "$ISL_RUN/nothing.sock" --json status 2>/dev/null); rc=$?
check "no daemon at all, --json: one JSON document, status 1" "rc $rc: $OUT" \
	eval '[ "$rc" -eq 1 ] && json_doc ".error | test(\"cannot reach\")" <<<"$OUT"'

OUT=$(nsexec gw "$ISL_PY" - "$(islandd_sock gw)" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1]); s.sendall(b"status\nstats\n")
data = b""
while True:
    d = s.recv(65536)
    if not d: break
    data += d
sys.stdout.write(repr(data))
PY
)
check "a pipelined request: refused in one line, nothing echoed" "$OUT" \
	test "$OUT" = "b'{\"error\":\"malformed request (one line: COMMAND [json])\"}\\n'"

check "the first islandd is the one still running" "not running" islandd_running gw
finish_islandd gw
test_status
