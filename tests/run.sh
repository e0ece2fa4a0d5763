#!/usr/bin/env bash
# islandd's test runner (`make test` runs it after building everything).
#
#   TESTS=unit|fuzz|cross|integ|all (default all), comma-separated lists work too
#   CROSS_ARCHES="arm64 armhf"  architectures of the cross stage
#   FUZZ_TEST_SECONDS=20      fuzzing time per fuzzer after the corpus replay
#   ISLANDD, ISLANDCTL        binaries for the integration tests (ASan build)
#   INTEG=PATTERN             run only tests/integ/*PATTERN*.sh
#   INTEG_JOBS=1              integration scripts run at a time (2 saves ~30 %)
#   INTEG_TIMEOUT=300, UNIT_TIMEOUT=120   seconds per script / binary
#   TEST_LOG_DIR=build/test-logs
#   UNIT_DIR, FUZZ_DIR, INTEG_DIR  where the cases are (the runner's self-test)
#
# Stages, in order:
#   unit   every build/asan/tests/test_* (cmocka: each test case counts)
#   fuzz   every build/fuzz/fuzz_*: replay tests/fuzz/corpus/NAME/, then fuzz
#   cross  for arm64 and armhf (make cross-bin): every unit test and every
#          fuzzer's corpus replay, run under qemu-user
#   integ  every tests/integ/*.sh (as root; each "ok"/"not ok" line counts)
# Output of each case goes to build/test-logs/NAME.log, and its last 60 lines
# are printed when it fails. The last line is "N passed, N failed[, N skipped]";
# the exit status is non-zero if anything failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
REPO=$(pwd)
TESTS=${TESTS:-all}
FUZZ_TEST_SECONDS=${FUZZ_TEST_SECONDS:-20}
# TEST_LOG_DIR lets two runs in one tree keep their logs apart.
LOGS=${TEST_LOG_DIR:-$REPO/build/test-logs}
export ISLANDD=${ISLANDD:-$REPO/build/asan/islandd}
export ISLANDCTL=${ISLANDCTL:-$REPO/build/asan/islandctl}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:print_summary=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Per-case wall-clock limits, so one hung case cannot eat the run.
UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
INTEG_TIMEOUT=${INTEG_TIMEOUT:-300}

PASSED=0
FAILED=0
SKIPPED=0
FAILED_NAMES=()
mkdir -p "$LOGS"

want() {
	[ "$TESTS" = all ] && return 0
	case ",$TESTS," in *",$1,"*) return 0 ;; esac
	return 1
}

pass() { PASSED=$((PASSED + ${2:-1})); printf '  %-50s ok\n' "$1"; }
failcase() {
	local name=$1 log=$2 why=${3:-}
	FAILED=$((FAILED + ${4:-1}))
	FAILED_NAMES+=("$name")
	printf '  %-50s FAILED %s\n' "$name" "$why"
	if [ -f "$log" ]; then
		echo "  ---- last 60 lines of $log ----"
		tail -n 60 "$log" | sed 's/^/  | /'
		echo "  ----"
	fi
}
skipcase() { SKIPPED=$((SKIPPED + ${3:-1})); printf '  %-50s skipped (%s)\n' "$1" "$2"; }

# --- unit tests --------------------------------------------------------------
# cmocka prints "[ RUN      ] name" then "[       OK ] name", "[  FAILED  ] name"
# or "[  SKIPPED ] name". A test that crashes (ASan abort) has a RUN line
# without an outcome: it counts as failed. A non-zero exit with no failed case
# (a leak reported at exit, a crash outside a test) counts as one failure.
# cmocka_tally LOG: "runs ok failed skipped". Each "[ RUN      ] x" is decided
# by the next "[       OK ] x" / "[  FAILED  ] x" / "[  SKIPPED ] x"; the
# summary lists repeat those names and are ignored.
cmocka_tally() {
	awk '
	function outcome(kind) {
		if (cur == "" || substr($0, 14) != cur) return
		n[kind]++; cur = ""
	}
	/^\[ RUN      \] / { if (cur != "") n["fail"]++; cur = substr($0, 14); runs++; next }
	/^\[       OK \] / { outcome("ok"); next }
	/^\[  FAILED  \] / { outcome("fail"); next }
	/^\[  SKIPPED \] / { outcome("skip"); next }
	END { if (cur != "") n["fail"]++; print runs + 0, n["ok"] + 0, n["fail"] + 0, n["skip"] + 0 }
	' "$1"
}

run_unit() {
	local bins=() b name log rc runs okc skc fails
	shopt -s nullglob
	bins=("${UNIT_DIR:-build/asan/tests}"/test_*)
	shopt -u nullglob
	echo "== unit tests (${#bins[@]} binaries)"
	[ ${#bins[@]} -eq 0 ] && { skipcase "unit" "no build/asan/tests/test_* binaries"; return; }
	for b in "${bins[@]}"; do
		[ -x "$b" ] || continue
		name=$(basename "$b")
		log=$LOGS/unit-$name.log
		timeout "$UNIT_TIMEOUT" "$b" >"$log" 2>&1
		rc=$?
		read -r runs okc fails skc < <(cmocka_tally "$log")
		if [ "$runs" -eq 0 ]; then
			if [ "$rc" -eq 0 ]; then pass "$name"; else failcase "$name" "$log" "(exit $rc, no cmocka output)"; fi
			continue
		fi
		[ "$rc" -ne 0 ] && [ "$fails" -eq 0 ] && fails=1
		[ "$skc" -gt 0 ] && SKIPPED=$((SKIPPED + skc))
		if [ "$fails" -eq 0 ]; then
			pass "$name ($okc cases)" "$okc"
		else
			PASSED=$((PASSED + okc))
			failcase "$name ($fails of $runs cases failed, exit $rc)" "$log" "" "$fails"
		fi
	done
}

# --- fuzzers -----------------------------------------------------------------
run_fuzz() {
	local bins=() b name log rc corpus files=()
	shopt -s nullglob
	bins=("${FUZZ_DIR:-build/fuzz}"/fuzz_*)
	shopt -u nullglob
	echo "== fuzzers (${#bins[@]}, ${FUZZ_TEST_SECONDS}s each after replay)"
	[ ${#bins[@]} -eq 0 ] && { skipcase "fuzz" "no build/fuzz/fuzz_* binaries"; return; }
	for b in "${bins[@]}"; do
		[ -x "$b" ] || continue
		name=$(basename "$b")
		corpus=tests/fuzz/corpus/$name
		# Replay: each committed input runs once, no mutation.
		log=$LOGS/fuzz-replay-$name.log
		files=()
		[ -d "$corpus" ] && mapfile -t files < <(find "$corpus" -type f | sort)
		if [ ${#files[@]} -eq 0 ]; then
			failcase "$name corpus replay" "" "(no committed corpus in $corpus)"
		else
			timeout "$UNIT_TIMEOUT" "$b" -artifact_prefix="$LOGS/$name-" "${files[@]}" >"$log" 2>&1
			rc=$?
			if [ "$rc" -eq 0 ]; then pass "$name corpus replay (${#files[@]} inputs)"
			else failcase "$name corpus replay" "$log" "(exit $rc)"; fi
		fi
		# Fuzz: new inputs go to build/fuzz-corpus/NAME, never to the repo.
		[ "$FUZZ_TEST_SECONDS" -gt 0 ] || continue
		log=$LOGS/fuzz-$name.log
		mkdir -p "build/fuzz-corpus/$name"
		local dirs=("build/fuzz-corpus/$name")
		[ -d "$corpus" ] && dirs+=("$corpus")
		timeout $((FUZZ_TEST_SECONDS + 60)) "$b" -max_total_time="$FUZZ_TEST_SECONDS" \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$LOGS/$name-" "${dirs[@]}" >"$log" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			pass "$name fuzz ${FUZZ_TEST_SECONDS}s ($(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1) runs)"
		else
			failcase "$name fuzz ${FUZZ_TEST_SECONDS}s" "$log" "(exit $rc)"
		fi
	done
}

# --- the Raspberry Pi architectures under qemu-user -----------------------------
# build/cross-ARCH (make ARCH=... cross-bin, ASan+UBSan) holds the unit tests and the
# fuzz targets linked with tests/fuzz/standalone.c. qemu-user runs them with
# the cross libraries (-L); netlink and packet sockets go through qemu's
# translation. What qemu-user 7.2 (Debian 12) cannot translate is listed here,
# CASE or BINARY:CASE or BINARY:* with the reason; such a case that fails is
# counted as skipped with its reason, never as passed.
QEMU_GAPS=(
	"test_netlink:test_dump_all|qemu: RTM_GETNEIGH request -> sendto EOPNOTSUPP"
	"test_netlink:test_neigh_get_and_events|qemu: RTM_GETNEIGH request -> sendto EOPNOTSUPP"
	"test_netlink:test_link_addr_events|qemu: an RTM_NEWNEIGH event -> recvmsg EINVAL"
	"test_netlink:test_neigh_ipv4|qemu: an RTM_NEWNEIGH event -> recvmsg EINVAL"
	"test_netlink:test_resync_after_overflow|qemu: RTM_GETNEIGH request -> sendto EOPNOTSUPP"
	"test_netlink:test_resync_discards_stale_events|qemu: RTM_GETNEIGH request -> sendto EOPNOTSUPP"
	"test_packet:test_allmulti_promisc|qemu: setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP) -> ENOPROTOOPT"
	"test_loop:*|qemu: glibc fork() child spins (aarch64) or SIGSEGV at 0x4 (arm) before its first syscall; raw clone(SIGCHLD) works"
	"test_subdelegate:test_hook_runs_script|qemu: posix_spawn() of a missing file returns 0 and the child exits 127 (natively: ENOENT), so the missing-script case sees a running hook"
)
qemu_gap() { # BINARY CASE: prints the reason when listed
	local g
	for g in "${QEMU_GAPS[@]}"; do
		case "$1:$2" in "${g%%|*}") echo "${g#*|}"; return 0 ;; esac
	done
	return 1
}

# cross_exec QEMU LIBDIR BINARY ARGS...: LeakSanitizer stops the process's
# threads with ptrace, which qemu-user does not emulate ("LeakSanitizer has
# encountered a fatal error", abort), so leaks are left to the native stage;
# ASan and UBSan work under qemu-user.
cross_exec() {
	local qemu=$1 libdir=$2; shift 2
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:print_summary=1 \
		timeout "$UNIT_TIMEOUT" "$qemu" -L "$libdir" "$@"
}

run_cross() {
	local arch qemu libdir dir b name log rc files=() why line runs okc fails skc gapped
	for arch in ${CROSS_ARCHES:-arm64 armhf}; do
		case $arch in
		arm64) qemu=qemu-aarch64 libdir=/usr/aarch64-linux-gnu ;;
		armhf) qemu=qemu-arm libdir=/usr/arm-linux-gnueabihf ;;
		*) failcase "cross $arch" "" "(unknown architecture)"; continue ;;
		esac
		dir=${CROSS_DIR:-build}/cross-$arch
		echo "== $arch under $qemu ($dir, ASan+UBSan without LeakSanitizer)"
		if ! command -v "$qemu" >/dev/null || [ ! -d "$libdir" ]; then
			skipcase "cross $arch" "$qemu or $libdir missing (scripts/install-deps.sh)"; continue
		fi
		if [ ! -d "$dir/tests" ]; then
			skipcase "cross $arch" "no $dir/tests: make ARCH=$arch cross-bin"; continue
		fi
		for b in "$dir"/tests/test_*; do
			[ -x "$b" ] || continue
			name=$(basename "$b")
			if why=$(qemu_gap "$name" "*"); then skipcase "$arch $name" "$why"; continue; fi
			log=$LOGS/cross-$arch-unit-$name.log
			cross_exec "$qemu" "$libdir" "$b" >"$log" 2>&1
			rc=$?
			read -r runs okc fails skc < <(cmocka_tally "$log")
			# Failed cases that qemu cannot run are skips; any other failure
			# (a FAILED line, a case that crashed the binary) fails.
			gapped=0
			while read -r line; do
				why=$(qemu_gap "$name" "$line") || continue
				skipcase "$arch $name $line" "$why"
				gapped=$((gapped + 1))
			done < <(sed -n 's/^\[  FAILED  \] \([^ ]*\)$/\1/p' "$log" | sort -u)
			fails=$((fails - gapped))
			[ "$skc" -gt 0 ] && SKIPPED=$((SKIPPED + skc))
			if [ "$runs" -eq 0 ]; then
				failcase "$arch $name" "$log" "(exit $rc, no cmocka output)"
			elif [ "$fails" -le 0 ] && { [ "$rc" -eq 0 ] || [ "$gapped" -gt 0 ]; }; then
				pass "$arch $name ($okc cases)" "$okc"
			else
				PASSED=$((PASSED + okc))
				failcase "$arch $name ($fails of $runs cases failed, exit $rc)" "$log" "" "$((fails > 0 ? fails : 1))"
			fi
		done
		for b in "$dir"/fuzz-standalone/fuzz_*; do
			[ -x "$b" ] || continue
			name=$(basename "$b")
			log=$LOGS/cross-$arch-replay-$name.log
			files=()
			[ -d "tests/fuzz/corpus/$name" ] && mapfile -t files < <(find "tests/fuzz/corpus/$name" -type f | sort)
			if [ ${#files[@]} -eq 0 ]; then
				failcase "$arch $name corpus replay" "" "(no committed corpus)"; continue
			fi
			cross_exec "$qemu" "$libdir" "$b" "${files[@]}" >"$log" 2>&1
			rc=$?
			if [ "$rc" -eq 0 ] && grep -qx "standalone replay: ${#files[@]} inputs ran" "$log"; then
				pass "$arch $name corpus replay (${#files[@]} inputs)"
			else
				failcase "$arch $name corpus replay" "$log" "(exit $rc)"
			fi
		done
	done
}

# --- integration tests ---------------------------------------------------------
# Each script prints "ok NAME" / "not ok NAME - why" / "skip NAME - why" lines;
# a script that prints none is one case decided by its exit status. A non-zero
# exit without any "not ok" line (a crash, a timeout) is one more failure, and
# so are namespaces left behind and a sanitizer report in a daemon log.
# INTEG_JOBS=N runs N scripts at a time (each has its own namespace prefix);
# results are still reported in file order.

# integ_run_one SCRIPT INDEX: run it, then append the runner's own findings
# to its log as "not ok" lines. Writes the duration to LOG.secs.
integ_run_one() {
	local s=$1 name log rc own left san n pids t0 prefix
	name=$(basename "$s" .sh)
	log=$LOGS/integ-$name.log
	prefix="isl$$t$2-"
	rm -rf "$LOGS/integ-$name.d"; mkdir -p "$LOGS/integ-$name.d"
	t0=$(date +%s)
	ISL_NS_PREFIX=$prefix ISL_LOG_DIR=$LOGS/integ-$name.d \
		timeout -s TERM -k 10 "$INTEG_TIMEOUT" bash "$s" >"$log" 2>&1
	rc=$?
	echo $(( $(date +%s) - t0 )) >"$log.secs"
	own=$(grep -cE '^(ok|not ok|skip) ' "$log")
	case $rc in 124|137) echo "not ok $name: timed out after ${INTEG_TIMEOUT}s" >>"$log" ;; esac
	# Nothing may outlive a test: its namespaces must be gone.
	left=$(ip netns list 2>/dev/null | awk -v p="$prefix" 'index($1, p) == 1 {print $1}')
	if [ -n "$left" ]; then
		for n in $left; do
			pids=$(ip netns pids "$n" 2>/dev/null); [ -n "$pids" ] && kill -9 $pids 2>/dev/null
			ip netns delete "$n" 2>/dev/null
		done
		echo "not ok $name: namespaces left behind: "$left >>"$log"
	fi
	# A sanitizer report in any daemon log fails the script, even one that
	# ended before it could look (finish_islandd reports it otherwise).
	san=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LOGS/integ-$name.d"/*.log 2>/dev/null)
	if [ -n "$san" ] && ! grep -q '^not ok .*sanitizer' "$log"; then
		echo "not ok $name: sanitizer report in "$san >>"$log"
	fi
	# A script that reports no cases is one case, decided by its exit
	# status; one that fails without saying which case failed, one more.
	if [ "$own" -eq 0 ]; then
		if [ "$rc" -eq 0 ]; then echo "ok $name" >>"$log"; else echo "not ok $name: exit status $rc" >>"$log"; fi
	elif [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$log"; then
		echo "not ok $name: exit status $rc" >>"$log"
	fi
}

# integ_report SCRIPT: count and print one finished script.
integ_report() {
	local name log okc nokc skc secs
	name=$(basename "$1" .sh)
	log=$LOGS/integ-$name.log
	secs=$(cat "$log.secs" 2>/dev/null); rm -f "$log.secs"
	okc=$(grep -c '^ok ' "$log")
	nokc=$(grep -c '^not ok ' "$log")
	skc=$(grep -c '^skip ' "$log")
	PASSED=$((PASSED + okc))
	[ "$skc" -gt 0 ] && SKIPPED=$((SKIPPED + skc))
	if [ "$nokc" -eq 0 ]; then
		printf '  %-50s ok (%d cases%s, %ss)\n' "$name" "$okc" "$([ "$skc" -gt 0 ] && echo ", $skc skipped")" "$secs"
	else
		failcase "$name ($nokc of $((okc + nokc)) cases failed, ${secs}s)" "$log" "" "$nokc"
		grep -E '^not ok ' "$log" | sed 's/^/    /'
	fi
}

run_integ() {
	local scripts=() s i=0 jobs=${INTEG_JOBS:-1}
	shopt -s nullglob
	scripts=("${INTEG_DIR:-tests/integ}"/*"${INTEG:-}"*.sh)
	shopt -u nullglob
	echo "== integration tests (${#scripts[@]} scripts${jobs:+, $jobs at a time})"
	if [ "$(id -u)" -ne 0 ]; then
		skipcase "integration tests" "need root for network namespaces" "${#scripts[@]}"
		return
	fi
	if [ "$jobs" -le 1 ]; then
		for s in "${scripts[@]}"; do
			i=$((i + 1))
			integ_run_one "$s" "$i"
			integ_report "$s"
		done
		return
	fi
	for s in "${scripts[@]}"; do
		i=$((i + 1))
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		integ_run_one "$s" "$i" &
	done
	wait
	for s in "${scripts[@]}"; do integ_report "$s"; done
}

start=$(date +%s)
want unit && run_unit
want fuzz && run_fuzz
want cross && run_cross
want integ && run_integ
echo "== $(( $(date +%s) - start ))s; logs in ${LOGS#"$REPO"/}/"
[ ${#FAILED_NAMES[@]} -gt 0 ] && printf 'failed: %s\n' "${FAILED_NAMES[@]}"
if [ "$SKIPPED" -gt 0 ]; then
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
	echo "$PASSED passed, $FAILED failed"
fi
[ "$FAILED" -eq 0 ]
