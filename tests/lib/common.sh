# Shared shell helpers for islandd's integration tests and demo.
# Source this file (netns.sh and islandd.sh source it themselves).
#
# Results are reported one line per case, "ok NAME" / "not ok NAME - why" /
# "skip NAME - why"; tests/run.sh counts those lines.

[ -n "${ISL_COMMON_SH:-}" ] && return 0
ISL_COMMON_SH=1

ISL_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ISL_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# scapy is installed for Debian's python, not for a pyenv python on PATH.
ISL_PY=${ISL_PY:-/usr/bin/python3}

ISL_OK=0
ISL_FAILED=0
ISL_SKIPPED=0

note() { printf '# %s\n' "$*"; }
warn() { printf '# WARNING: %s\n' "$*" >&2; }
die() { printf 'FATAL: %s\n' "$*" >&2; exit 1; }

ok() { ISL_OK=$((ISL_OK + 1)); printf 'ok %s\n' "$1"; }
# not_ok NAME WHY...
not_ok() {
	local name=$1; shift
	ISL_FAILED=$((ISL_FAILED + 1))
	printf 'not ok %s - %s\n' "$name" "$*"
}
skip() {
	local name=$1; shift
	ISL_SKIPPED=$((ISL_SKIPPED + 1))
	printf 'skip %s - %s\n' "$name" "$*"
}

# check NAME WHY CMD...: one case that passes when CMD succeeds.
check() {
	local name=$1 why=$2; shift 2
	if "$@"; then ok "$name"; else not_ok "$name" "$why"; fi
}

# The exit status a test script should end with.
test_status() { [ "$ISL_FAILED" -eq 0 ]; }

now_ms() { date +%s%3N; }

# wait_for TIMEOUT_S CMD...: poll CMD every 50 ms until it succeeds.
# Returns 0 as soon as it does, 1 when TIMEOUT_S (may be fractional) passes.
wait_for() {
	local timeout=$1; shift
	local deadline=$(( $(now_ms) + $(secs_to_ms "$timeout") ))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05 # the poll interval
	done
}

# secs_to_ms 1.5 -> 1500
secs_to_ms() {
	local int=${1%%.*} frac=
	[ "$int" = "$1" ] || frac=${1#*.}
	frac=${frac}000
	echo $(( 10#${int:-0} * 1000 + 10#${frac:0:3} ))
}

# wait_until_gone TIMEOUT_S CMD...: the opposite, until CMD fails.
wait_until_gone() {
	local timeout=$1; shift
	wait_for "$timeout" _isl_not "$@"
}
_isl_not() { ! "$@"; }

# tcpdump_ready ERRFILE: a tcpdump started with its stderr in ERRFILE has
# its capture open (it says "listening on" then). For wait_for, in place of
# a fixed moment after starting it.
tcpdump_ready() { grep -q "listening on" "$1" 2>/dev/null; }

# pids_alive PID...: any of them still running (zombies do not count: they
# only wait for their parent to reap them).
pids_alive() {
	local p st
	for p in "$@"; do
		st=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) || continue
		[ -n "$st" ] && [ "$st" != Z ] && return 0
	done
	return 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || { skip "${1:-all}" "needs root (network namespaces)"; exit 0; }
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "$c not found: run scripts/install-deps.sh"
	done
}

# A private directory for configs, pid files, sockets and logs. Unix socket
# paths are limited to 108 bytes, so it lives in /tmp with a short name.
run_dir_init() {
	[ -n "${ISL_RUN:-}" ] && return 0
	ISL_RUN=$(mktemp -d /tmp/isl.XXXXXX) || die "mktemp failed"
	chmod 755 "$ISL_RUN"
	# Logs worth keeping after the run (tests/run.sh points this into build/).
	ISL_KEEP=${ISL_LOG_DIR:-$ISL_RUN}
	mkdir -p "$ISL_KEEP"
}
