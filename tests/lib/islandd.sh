# Running islandd inside a test namespace.
#
#   start_islandd NS CONF_TEXT [ARGS...]   config to $ISL_RUN, daemon in the
#                                          background, returns once it answers
#   ctl NS ARGS...                         islandctl against that instance
#   stop_islandd NS [SIGNAL] [TIMEOUT_S]   signal it, wait, return its status
#   islandd_log NS                         path of its stderr log
#   sanitizer_clean NS                     no ASan/UBSan/LSan report in the log
#
# Each namespace runs at most one islandd, with its own socket, pid file and
# log. The default binaries are the ASan+UBSan build.

# shellcheck source=netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

ISLANDD=${ISLANDD:-$ISL_REPO/build/asan/islandd}
ISLANDCTL=${ISLANDCTL:-$ISL_REPO/build/asan/islandctl}
# Sanitizers: abort on the first error so a bad run cannot look clean; leaks
# are reported at exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# islandd's own route protocol number (ip -6 route show proto 73).
ISLANDD_RTPROTO=73

declare -A ISL_DAEMON_PID=()
declare -A ISL_DAEMON_STARTS=()

# need_islandd: the binaries exist, or the test cannot run (a failure).
need_islandd() {
	local b
	for b in "$ISLANDD" "$ISLANDCTL"; do
		if [ ! -x "$b" ]; then
			not_ok "binaries" "$b not built (make SAN=1 BUILD=build/asan all)"
			exit 1
		fi
	done
}

islandd_conf() { printf '%s/islandd-%s.conf' "$ISL_RUN" "$1"; }
islandd_sock() { printf '%s/%s.sock' "$ISL_RUN" "$1"; }
islandd_pidfile() { printf '%s/%s.pid' "$ISL_RUN" "$1"; }
islandd_log() { printf '%s/islandd-%s.log' "$ISL_KEEP" "$1"; }
islandd_pid() { printf '%s' "${ISL_DAEMON_PID[$1]:-}"; }

ctl() {
	local ns=$1; shift
	"$ISLANDCTL" -S "$(islandd_sock "$ns")" "$@"
}

# write_islandd_conf NS TEXT: (re)write the config file without starting.
write_islandd_conf() {
	printf '%s\n' "$2" >"$(islandd_conf "$1")"
}

# start_islandd NS CONF_TEXT [ARGS...]: start and wait until `islandctl
# status` answers (10 s). Returns 1 (log tail on stderr) if it does not.
start_islandd() {
	local ns=$1 conf=$2 log n; shift 2
	log=$(islandd_log "$ns")
	[ -n "$conf" ] && write_islandd_conf "$ns" "$conf"
	n=$(( ${ISL_DAEMON_STARTS[$ns]:-0} + 1 ))
	ISL_DAEMON_STARTS[$ns]=$n
	[ "$n" = 1 ] && at_cleanup "stop_islandd $ns TERM 5 >/dev/null 2>&1"
	echo "=== start $n: islandd -c $(islandd_conf "$ns") -S $(islandd_sock "$ns") -p $(islandd_pidfile "$ns") -v $*" >>"$log"
	# ip netns exec execs the program, so $! is islandd's own pid.
	ip netns exec "$ISL_NS_PREFIX$ns" "$ISLANDD" -c "$(islandd_conf "$ns")" \
		-S "$(islandd_sock "$ns")" -p "$(islandd_pidfile "$ns")" -v "$@" \
		</dev/null >>"$log" 2>&1 &
	ISL_DAEMON_PID[$ns]=$!
	if ! wait_for 10 ctl "$ns" status; then
		echo "islandd in $ns did not answer 'islandctl status' within 10 s; log:" >&2
		tail -n 30 "$log" >&2
		return 1
	fi
}

islandd_running() {
	local pid=${ISL_DAEMON_PID[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# stop_islandd NS [SIGNAL] [TIMEOUT_S]: returns the daemon's exit status,
# 128+N if a signal killed it, 124 if it had to be killed after TIMEOUT_S.
stop_islandd() {
	local ns=$1 sig=${2:-TERM} t=${3:-10} pid rc=0
	pid=${ISL_DAEMON_PID[$ns]:-}
	[ -n "$pid" ] || return 0
	kill -s "$sig" "$pid" 2>/dev/null
	if ! wait_for "$t" _isl_not kill -0 "$pid"; then
		echo "islandd in $ns still running ${t}s after SIG$sig; killing it" >&2
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=124
	else
		wait "$pid" 2>/dev/null
		rc=$?
	fi
	unset "ISL_DAEMON_PID[$ns]"
	echo "=== stopped with SIG$sig: status $rc" >>"$(islandd_log "$ns")"
	return $rc
}

# sanitizer_clean NS: the daemon's log holds no sanitizer report.
sanitizer_clean() {
	! grep -qE 'ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: (Address|Undefined|Leak)' \
		"$(islandd_log "$1")" 2>/dev/null
}

# finish_islandd NS: stop with SIGTERM and report two cases: a clean exit and
# a clean sanitizer log (the ASan build aborts on the first error).
finish_islandd() {
	local ns=$1 rc=0
	if islandd_running "$ns"; then
		stop_islandd "$ns" TERM 10 || rc=$?
		if [ "$rc" -eq 0 ]; then ok "$ns: islandd exits 0 on SIGTERM"
		else not_ok "$ns: islandd exits 0 on SIGTERM" "exit status $rc"; fi
	fi
	if sanitizer_clean "$ns"; then
		ok "$ns: no sanitizer report in the daemon log"
	else
		not_ok "$ns: no sanitizer report in the daemon log" "see $(islandd_log "$ns")"
		grep -m 5 -E -A 12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$(islandd_log "$ns")" | sed 's/^/#   /'
	fi
}

# routes73 NS: islandd's routes in NS, "DST dev IF [via GW]" one per line.
routes73() {
	nsip "$1" -6 route show proto "$ISLANDD_RTPROTO" 2>/dev/null
}

# has_route73 NS DST: a /128 route to DST with islandd's protocol exists.
has_route73() {
	routes73 "$1" | awk -v d="$2" '{sub("/128$", "", $1); print $1}' | grep -qx -- "$2"
}

# session_state NS TARGET: "valid", "probing", "invalid" or "none".
session_state() {
	local s
	s=$(ctl "$1" sessions --json 2>/dev/null |
		jq -r --arg t "$2" '[.sessions[] | select(.target == $t) | .state] | first // "none"' 2>/dev/null)
	printf '%s' "${s:-none}"
}

# counter NS NAME: one value from `islandctl stats --json` (empty if absent).
# Asks up to three times: a control connection can fail under heavy load.
counter() {
	local v i
	for i in 1 2 3; do
		v=$(ctl "$1" stats --json 2>/dev/null | jq -r --arg n "$2" '.counters[$n] // empty' 2>/dev/null)
		[ -n "$v" ] && break
		sleep 0.2 # a moment before asking a loaded daemon again
	done
	printf '%s' "$v"
}

# counter_at_least NS NAME MIN: the counter has reached MIN. With wait_for,
# the proof that an input reached the daemon, in place of a fixed sleep.
counter_at_least() {
	local v
	v=$(counter "$1" "$2")
	[ -n "$v" ] && [ "$v" -ge "$3" ]
}

# nd NS ARGS...: tests/lib/nd.py inside NS.
nd() {
	local ns=$1; shift
	ip netns exec "$ISL_NS_PREFIX$ns" "$ISL_PY" "$ISL_LIB/nd.py" "$@"
}

# jqe FILTER [ARGS...] <<<JSON: jq -e, quiet; true when FILTER yields a truthy value.
jqe() { jq -e "$@" >/dev/null 2>&1; }

# show_state NS: what a failing test should print to explain itself.
show_state() {
	echo "# --- state of $1 ---"
	{
		echo "routes proto $ISLANDD_RTPROTO:"; routes73 "$1"
		echo "islandctl sessions:"; ctl "$1" sessions 2>&1
		echo "daemon log (last 20 lines):"; tail -n 20 "$(islandd_log "$1")" 2>/dev/null
	} | sed 's/^/#   /'
}
