#!/bin/bash
# make bench, mDNS half: islandd's reflector beside avahi-daemon's
# (enable-reflector=yes), one after another on the same load, in the
# seed-000 island built by bench/lib.sh:
#
#   laptop (wlan0) --- [up: br0] --- (wlan0) gw (eth0) --- [sw: br0] --- h1, h2
#
# bench/mdnsload (bench/mdnsload.c) sends mDNS queries from the laptop's
# wlan0 (one unique question each, ff02::fb or 224.0.0.251, hop limit 255)
# and reads on h1's eth0 what the reflector in gw sends there.
#
# Prints one table (programs in columns, measures in rows), writes it to
# bench/results/mdns_latest.txt and a plot to bench/results/mdns_latest.png.
# Raw lines (load generator, CPU, islandctl counters) go to the end of the
# text file.
#
# Runs alone after `make all bench-bin`: bench/mdns.sh
#
# Environment:
#   BENCH_QUICK=1        a smoke run: a few seconds per measure
#   BENCH_MDNS_PROGRAMS="islandd avahi mdnsecho"   which reflectors, in this
#                        order; mdnsecho (bench/mdnsecho.c) is the floor: a
#                        repeater that only receives and resends, so the
#                        kernel's share of each figure shows (it batches busy
#                        spells as islandd does, with the same batch-interval)
#   BENCH_MDNS_ROUNDS=N  rounds of the 1k/s CPU and latency measure (default 3,
#                        a fresh daemon each; the table shows medians)
#   BUILD=DIR            where make put the binaries (default build)
#   BENCH_MDNS_WORK=DIR  scratch directory (default $BUILD/bench-work-mdns)
#   BENCH_RESULTS=DIR    where mdns_latest.txt / .png go (default bench/results)
#   ISLANDD=PATH ISLANDCTL=PATH AVAHI=PATH   the binaries
#   BENCH_NICE=N         run the daemons and the load generator at nice N
#   BENCH_BATCH_INTERVAL=US  islandd's batch-interval (default: its own default)
set -u
cd "$(dirname "$0")/.." || exit 1
# Our own namespace prefix, whatever bench/run.sh was given.
BENCH_NS=${BENCH_MDNS_NS:-imd$$}
. bench/lib.sh

QUICK=${BENCH_QUICK:-0}
PROGRAMS=${BENCH_MDNS_PROGRAMS:-islandd avahi mdnsecho}
BUILD=${BUILD:-build}
WORK=$(realpath -m "${BENCH_MDNS_WORK:-$BUILD/bench-work-mdns}")
RESULTS=${BENCH_RESULTS:-bench/results}
BIN=$(realpath -m "${BENCH_BIN:-$BUILD/bench}")
ISLANDD=$(realpath -m "${ISLANDD:-$BUILD/islandd}")
ISLANDCTL=$(realpath -m "${ISLANDCTL:-$BUILD/islandctl}")
AVAHI=${AVAHI:-/usr/sbin/avahi-daemon}
NICE=()
[ -n "${BENCH_NICE:-}" ] && NICE=(nice -n "$BENCH_NICE")

if [ "$QUICK" = 1 ]; then
	T_SETTLE=2 T_LAT=3 T_V4=2 T_RAMP=1 T_PAUSE=0.5 ROUNDS=2
else
	T_SETTLE=5 T_LAT=10 T_V4=5 T_RAMP=4 T_PAUSE=1.5 ROUNDS=${BENCH_MDNS_ROUNDS:-3}
fi
RAMP_RATES="1000 2000 5000 10000 20000"
N_BURST=10000          # "reflected at 5k/s": 10000 queries at 5000/s, as in ANCHORS.md
RATE_BURST=5000

# IPv4 for the family row: lib.sh's island is IPv6 only.
LAP_V4=192.168.77.100/24 GW_WLAN_V4=192.168.77.1/24 GW_ETH_V4=10.77.0.1/24 H1_V4=10.77.0.41/24

[ -x "$BIN/mdnsload" ] || { echo "bench: $BIN/mdnsload missing (make bench-bin)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
mkdir -p "$WORK" "$RESULTS" || exit 1
RAW=$WORK/raw.txt
: >"$RAW"
declare -A R   # R[prog.key] = value
FAILS=0
HZ=$(getconf CLK_TCK)

log() { printf '%s\n' "$*" >&2; }
raw() { printf '%s\n' "$*" >>"$RAW"; }

trap topo_down EXIT
trap 'exit 130' INT TERM

kv() {
	awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"
}

# ---- daemons -------------------------------------------------------------

DPID= DPROG= DSOCK=

# Debian's avahi-daemon.conf, reduced to what a reflector-only gateway
# needs: no D-Bus (nothing to serve), no wide-area. "defaults" keeps
# Debian's shipped rate limit (1000 packets per 1 s per interface);
# "off" sets ratelimit-interval-usec=0, which avahi reads as no limit
# (avahi-core/iface.c only counts when the interval is > 0).
avahi_conf() {  # MODE FILE
	local ri=1000000
	[ "$1" = off ] && ri=0
	cat >"$2" <<-EOF
		[server]
		host-name=benchgw
		domain-name=local
		use-ipv4=yes
		use-ipv6=yes
		allow-interfaces=wlan0,eth0
		enable-dbus=no
		ratelimit-interval-usec=$ri
		ratelimit-burst=1000
		[wide-area]
		enable-wide-area=no
		[publish]
		publish-hinfo=no
		publish-workstation=no
		[reflector]
		enable-reflector=yes
	EOF
}

islandd_conf() {  # MODE FILE
	{
		islandd_batch_conf
		printf 'mdns {\n\tiface wlan0\n\tiface eth0\n'
		[ "$1" = off ] && printf '\trate-limit 0\n'
		printf '}\n'
	} >"$2"
}

alive() {
	local st
	st=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

wait_for() {  # SECONDS CMD...: retry CMD every 0.1 s
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

islandd_ready() {
	local j
	j=$(timeout 2 "$ISLANDCTL" -S "$DSOCK" mdns --json 2>/dev/null) || return 1
	[ "$(grep -o '"joined6":true' <<<"$j" | wc -l)" -ge 2 ] &&
		[ "$(grep -o '"joined4":true' <<<"$j" | wc -l)" -ge 2 ]
}
avahi_ready() { grep -q 'Server startup complete' "$1"; }

daemon_start() {  # PROG MODE
	local prog=$1 mode=$2 logf=$WORK/$1.$2.log
	DPROG=$prog DSOCK=
	case $prog in
	islandd)
		islandd_conf "$mode" "$WORK/islandd.$mode.conf"
		DSOCK=$WORK/islandd.sock
		rm -f "$DSOCK"
		bg_start "$NS_GW" "${NICE[@]}" "$ISLANDD" -c "$WORK/islandd.$mode.conf" -S "$DSOCK" \
			-p "$WORK/islandd.pid" >"$logf" 2>&1
		DPID=$BG_PID
		wait_for 10 islandd_ready || { log "bench: islandd not ready; its log:"; sed 's/^/    /' "$logf" >&2; return 1; }
		;;
	avahi)
		# Its own /run (pid file, socket) and an empty services directory
		# in a private mount namespace: nothing shared with the host.
		local d=$WORK/avahi-root
		rm -rf "$d"
		mkdir -p "$d/run/avahi-daemon" "$d/services"
		avahi_conf "$mode" "$WORK/avahi.$mode.conf"
		bg_start "$NS_GW" "${NICE[@]}" unshare -m --propagation private sh -c '
			mount --bind "$1/run" /run && mount --bind "$1/services" /etc/avahi/services || exit 99
			shift; exec "$@"' sh "$d" \
			"$AVAHI" -f "$WORK/avahi.$mode.conf" --no-chroot --no-drop-root --no-rlimits --no-proc-title \
			>"$logf" 2>&1
		DPID=$BG_PID
		wait_for 10 avahi_ready "$logf" || { log "bench: avahi not ready; its log:"; sed 's/^/    /' "$logf" >&2; return 1; }
		;;
	mdnsecho)
		bg_start "$NS_GW" "${NICE[@]}" "$BIN/mdnsecho" --in wlan0 --out eth0 \
			--batch-us "$(islandd_batch_us)" >"$logf" 2>&1
		DPID=$BG_PID
		sleep 0.5
		;;
	esac
	alive "$DPID" || { log "bench: $prog exited at start"; return 1; }
	# Let avahi's start-up traffic (probes, announcements of its host
	# name) pass; the others send nothing of their own.
	if [ "$prog" = avahi ]; then sleep "$T_SETTLE"; else sleep 0.5; fi
	return 0
}

daemon_stop() {
	[ -n "$DPID" ] || return 0
	if ! alive "$DPID"; then
		log "bench: $DPROG exited during the measures"
		raw "$DPROG exited during the measures"
		FAILS=$((FAILS + 1))
	fi
	bg_stop "$DPID"
	DPID=
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# "utime stime sched_ns" of a process: ticks from /proc/PID/stat (fields
# 14, 15, counted after the command name, which may hold spaces) and the
# nanosecond run time of /proc/PID/schedstat (one thread: both daemons
# are single-threaded).
cpu_sample() {
	local st sc
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12, $13 }')
	sc=$(awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null)
	echo "${st:-0 0} ${sc:-0}"
}

# cpu_delta SAMPLE0 SAMPLE1: "user_us sys_us sched_us" between two samples.
cpu_delta() {
	awk -v a="$1" -v b="$2" -v hz="$HZ" 'BEGIN {
		split(a, x, " "); split(b, y, " ");
		printf "%d %d %d", (y[1] - x[1]) * 1e6 / hz, (y[2] - x[2]) * 1e6 / hz, (y[3] - x[3]) / 1000 }'
}

# Datagrams the kernel dropped at the daemon's sockets (the d counter of
# `ss -m`), summed over its UDP, raw and packet sockets; -O keeps each
# socket's memory figures on the line that names its process.
sock_drops() {
	nsx "$NS_GW" ss -H -O -a -m -p -u -w -0 2>/dev/null |
		awk -v pid="pid=$1," 'index($0, pid) { if (match($0, /,d[0-9]+\)/)) s += substr($0, RSTART + 2, RLENGTH - 3) } END { print s + 0 }'
}

ctl_raw() {  # TAG: islandctl mdns --json into the raw lines
	[ "$DPROG" = islandd ] && [ -S "$DSOCK" ] || return 0
	local j
	j=$(timeout 5 "$ISLANDCTL" -S "$DSOCK" mdns --json 2>/dev/null) && raw "$DPROG.$1.mdns $(tr -d '\n' <<<"$j")"
}

# The kernel's neighbour tables are shared by every namespace on the host
# (gc_thresh3 = 1024 entries by default): another test that fills them
# (an NDP proxy scan does) makes every multicast send that needs a new
# entry fail with EINVAL ("neighbor table overflow"), on the generator's
# link and on the reflector's. Permanent entries for the two groups are
# exempt from that limit and from garbage collection, so neither side's
# sends depend on the rest of the machine.
neigh_pin() {
	local ns_if ns ifc
	for ns_if in "$NS_LAP:wlan0" "$NS_GW:wlan0" "$NS_GW:eth0" "$NS_H1:eth0"; do
		ns=${ns_if%%:*} ifc=${ns_if#*:}
		ip -n "$ns" -6 neigh replace ff02::fb lladdr 33:33:00:00:00:fb dev "$ifc" nud permanent &&
			ip -n "$ns" neigh replace 224.0.0.251 lladdr 01:00:5e:00:00:fb dev "$ifc" nud permanent || return 1
	done
}

# ---- measures ------------------------------------------------------------

# load NAME [-4] ARGS...: one mdnsload run; the line goes to LOAD.
load() {
	local name=$1
	shift
	LOAD=$("${NICE[@]}" "$BIN/mdnsload" --tx-netns "$NS_LAP" --tx-if wlan0 --rx-netns "$NS_H1" --rx-if eth0 \
		--label "$DPROG.$name" "$@")
	[ -n "$LOAD" ] || { FAILS=$((FAILS + 1)); log "bench: mdnsload failed ($DPROG.$name)"; }
	raw "$LOAD"
	log "  $LOAD"
}

us_per() {  # VALUE_US COUNT
	awk -v c="$1" -v a="$2" 'BEGIN { if (a > 0) printf "%.1f", c / a; else print "-" }'
}

# measure_1k PROG ROUND: latency and CPU per reflected query at 1k/s on
# the running daemon (rate limiting off), after a 1 s warm-up.
measure_1k() {
	local p=$1 k=$2 c0 c1 refl ut st sn wall
	load "warmup.r$k" --rate 1000 --duration 1 >/dev/null
	c0=$(cpu_sample "$DPID")
	load "lat1k.r$k" --rate 1000 --duration "$T_LAT"
	c1=$(cpu_sample "$DPID")
	R[$p.lat1k_p50.$k]=$(kv "$LOAD" p50_us) R[$p.lat1k_p99.$k]=$(kv "$LOAD" p99_us)
	R[$p.lat1k_pct.$k]=$(kv "$LOAD" reflected_pct)
	refl=$(kv "$LOAD" reflected) wall=$(kv "$LOAD" duration_s)
	read -r ut st sn <<<"$(cpu_delta "$c0" "$c1")"
	raw "$p.lat1k.r$k cpu user_us=$ut sys_us=$st sched_us=$sn reflected=$refl wall_s=$wall"
	R[$p.cpu.$k]=$(us_per $((ut + st)) "$refl")
	R[$p.cpu_user.$k]=$(us_per "$ut" "$refl") R[$p.cpu_sys.$k]=$(us_per "$st" "$refl")
	R[$p.cpu_sched.$k]=$(us_per "$sn" "$refl")
	R[$p.cpu_pct.$k]=$(awk -v c=$((ut + st)) -v w="$wall" 'BEGIN { if (w > 0) printf "%.1f", c / w / 1e4; else print "-" }')
}

# Rounds 2.. of measure_1k, a fresh daemon each, the programs in a
# rotated order each round: the machine is shared, and a figure taken
# once at one moment says as much about the moment as about the daemon.
measure_1k_rounds() {
	local k p order
	for ((k = 2; k <= ROUNDS; k++)); do
		order=$(awk -v k="$k" '{ n = NF; for (i = 0; i < n; i++) printf "%s ", $(((i + k - 1) % n) + 1) }' <<<"$PROGRAMS")
		for p in $order; do
			log "== $p: 1k/s round $k"
			if daemon_start "$p" off; then
				measure_1k "$p" "$k"
				daemon_stop
			else
				FAILS=$((FAILS + 1))
				daemon_stop
			fi
		done
	done
	# The figures reported: medians over the rounds.
	local key
	for p in $PROGRAMS; do
		for key in lat1k_p50 lat1k_p99 lat1k_pct cpu cpu_user cpu_sys cpu_sched cpu_pct; do
			R[$p.$key]=$(for ((k = 1; k <= ROUNDS; k++)); do echo "${R[$p.$key.$k]:--}"; done | median)
		done
	done
}

# median: of the numbers on stdin ("-" ignored), or "-".
median() {
	grep -v '^-$' | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# rounds PROG KEY: the per-round values, "a / b / c".
rounds() {
	local k out=""
	for ((k = 1; k <= ROUNDS; k++)); do out+="${R[$1.$2.$k]:--} / "; done
	printf '%s' "${out% / }"
}

# Rate limiting off: RSS, latency and CPU at 1k/s, IPv4, the 5k/s burst,
# the ramp.
measure_off() {
	local p=$1 c0 c1 d0 r best=0 clean=1
	daemon_start "$p" off || return 1
	R[$p.rss_idle]=$(rss_kb "$DPID")
	raw "$p.idle rss_kb=${R[$p.rss_idle]}"
	d0=$(sock_drops "$DPID")

	measure_1k "$p" 1
	local refl ut st sn

	sleep "$T_PAUSE"
	load v4lat1k -4 --rate 1000 --duration "$T_V4"
	R[$p.v4_p50]=$(kv "$LOAD" p50_us) R[$p.v4_p99]=$(kv "$LOAD" p99_us) R[$p.v4_pct]=$(kv "$LOAD" reflected_pct)

	sleep "$T_PAUSE"
	load burst5k_off --rate "$RATE_BURST" --count "$N_BURST"
	R[$p.burst_off]=$(kv "$LOAD" reflected) R[$p.burst_off_sent]=$(kv "$LOAD" sent)
	R[$p.burst_off_p99]=$(kv "$LOAD" p99_us)

	for r in $RAMP_RATES; do
		sleep "$T_PAUSE"
		c0=$(cpu_sample "$DPID")
		load "ramp$r" --rate "$r" --duration "$T_RAMP"
		c1=$(cpu_sample "$DPID")
		read -r ut st sn <<<"$(cpu_delta "$c0" "$c1")"
		refl=$(kv "$LOAD" reflected)
		raw "$p.ramp$r cpu user_us=$ut sys_us=$st sched_us=$sn reflected=$refl"
		R[$p.ramp${r}_cpu]=$(us_per $((ut + st)) "$refl")
		R[$p.ramp${r}_pct]=$(kv "$LOAD" reflected_pct) R[$p.ramp${r}_rate]=$(kv "$LOAD" rate)
		R[$p.ramp${r}_p50]=$(kv "$LOAD" p50_us) R[$p.ramp${r}_p99]=$(kv "$LOAD" p99_us)
		# No loss, at (nearly) the rate asked for, and no loss below.
		if [ "$clean" = 1 ] && [ -n "$LOAD" ] && [ "$(kv "$LOAD" reflected)" = "$(kv "$LOAD" sent)" ] &&
			awk -v g="${R[$p.ramp${r}_rate]}" -v r="$r" 'BEGIN { exit !(g >= 0.95 * r) }'; then
			best=$r
		else
			clean=0
		fi
	done
	R[$p.best]=$best
	R[$p.sockdrops]=$(($(sock_drops "$DPID") - d0))
	R[$p.rss_after]=$(rss_kb "$DPID")
	raw "$p.after rss_kb=${R[$p.rss_after]} socket_drops=${R[$p.sockdrops]}"
	ctl_raw off
	daemon_stop
}

# Each program's own default rate limit: the 5k/s burst again.
measure_defaults() {
	local p=$1
	[ "$p" = mdnsecho ] && return 0   # nothing to limit
	daemon_start "$p" defaults || return 1
	load burst5k_def --rate "$RATE_BURST" --count "$N_BURST"
	R[$p.burst_def]=$(kv "$LOAD" reflected) R[$p.burst_def_sent]=$(kv "$LOAD" sent)
	ctl_raw defaults
	daemon_stop
}

# ---- table -----------------------------------------------------------------

V() {
	local v=${R[$1.$2]:-}
	[ -n "$v" ] && [ "$v" != nan ] && printf '%s' "$v" || printf -- '-'
}
us() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else if (v >= 10000) printf "%.1fms", v / 1000; else printf "%.0fus", v }'; }
mb() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.1fMB", v / 1024 }'; }
pct() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.2f%%", v }'; }

row() {
	local label=$1 fn=$2 p
	printf '%-50s' "$label"
	for p in $PROGRAMS; do
		printf ' %-26s' "$($fn "$p")"
	done
	printf '\n'
}

c_name()  {
	case $1 in
	avahi) echo "avahi $(dpkg-query -W -f '${Version}' avahi-daemon 2>/dev/null)" ;;
	mdnsecho) echo "mdnsecho (floor)" ;;
	*) echo "$1" ;;
	esac
}
c_lat()   { echo "$(us "$(V "$1" lat1k_p50)") / $(us "$(V "$1" lat1k_p99)") ($(pct "$(V "$1" lat1k_pct)"))"; }
c_v4()    { echo "$(us "$(V "$1" v4_p50)") / $(us "$(V "$1" v4_p99)") ($(pct "$(V "$1" v4_pct)"))"; }
c_cpur()  { rounds "$1" cpu; }
f1() { awk -v v="$1" -v u="${2:-}" 'BEGIN { if (v == "-") print "-"; else printf "%.1f%s", v, u }'; }
c_cpu()   { f1 "$(V "$1" cpu)" us; }
c_cpus()  { local v; v=$(V "$1" cpu); [ "$v" = - ] && echo - || echo "$(f1 "$(V "$1" cpu_user)") + $(f1 "$(V "$1" cpu_sys)")us"; }
c_sched() { f1 "$(V "$1" cpu_sched)" us; }
c_cpup()  { f1 "$(V "$1" cpu_pct)" %; }
c_boff()  { echo "$(V "$1" burst_off) of $(V "$1" burst_off_sent)"; }
c_bdef()  { [ "$1" = mdnsecho ] && echo "(no limit)" || echo "$(V "$1" burst_def) of $(V "$1" burst_def_sent)"; }
c_cpu5k() { local v; v=$(V "$1" ramp5000_cpu); [ "$v" = - ] && echo - || echo "${v}us"; }
c_best()  { local v; v=$(V "$1" best); [ "$v" = - ] && echo - || { [ "$v" = 0 ] && echo "< ${RAMP_RATES%% *}/s" || echo "$v/s"; }; }
c_idle()  { mb "$(V "$1" rss_idle)"; }
c_after() { mb "$(V "$1" rss_after)"; }
c_drops() { V "$1" sockdrops; }
for r in $RAMP_RATES; do
	eval "c_ramp$r() { echo \"\$(pct \"\$(V \"\$1\" ramp${r}_pct)\") p99 \$(us \"\$(V \"\$1\" ramp${r}_p99)\")\"; }"
done

table() {
	local r
	row "measure (IPv6 unless said)" c_name
	row "latency p50 / p99 at 1k queries/s (reflected)" c_lat
	row "latency p50 / p99 at 1k queries/s, IPv4" c_v4
	row "CPU per reflected query, 1k/s (utime+stime)" c_cpu
	row "  each round" c_cpur
	row "  of which user + system" c_cpus
	row "  cross-check: schedstat run time" c_sched
	row "  daemon CPU at 1k/s (of one core)" c_cpup
	row "CPU per reflected query, 5k/s ramp step" c_cpu5k
	row "reflected at 5k/s, rate limiting off" c_boff
	row "reflected at 5k/s, each program's defaults" c_bdef
	for r in $RAMP_RATES; do
		row "ramp $r/s for ${T_RAMP}s: reflected, p99" "c_ramp$r"
	done
	row "highest ramp rate reflected without loss" c_best
	row "datagrams dropped at the daemon's sockets" c_drops
	row "idle RSS" c_idle
	row "RSS after the ramp" c_after
}

plot() {
	local p col=2 dat=$WORK/ramp.dat plt=$WORK/plot.gp i=1 pct_plots="" lat_plots=""
	{
		printf '# rate'
		for p in $PROGRAMS; do printf ' %s_pct %s_p50 %s_p99' "$p" "$p" "$p"; done
		printf '\n'
		for r in $RAMP_RATES; do
			printf '%s' "$r"
			for p in $PROGRAMS; do
				printf ' %s %s %s' "$(V "$p" "ramp${r}_pct")" "$(V "$p" "ramp${r}_p50")" "$(V "$p" "ramp${r}_p99")"
			done
			printf '\n'
		done
	} >"$dat"
	for p in $PROGRAMS; do
		pct_plots+="'$dat' using 1:$col with linespoints lt $i title '$p', "
		lat_plots+="'$dat' using 1:$((col + 1)) with linespoints lt $i dt 2 title '$p p50', "
		lat_plots+="'$dat' using 1:$((col + 2)) with linespoints lt $i title '$p p99', "
		col=$((col + 3)) i=$((i + 1))
	done
	cat >"$plt" <<-EOF
		set terminal pngcairo size 1200,500 font ',10' noenhanced
		set output '$RESULTS/mdns_latest.png'
		set datafile missing '-'
		set multiplot layout 1,2 title 'mDNS reflector: islandd vs avahi, rate limiting off — $(date -u +%Y-%m-%d) $( [ "$QUICK" = 1 ] && echo '(BENCH_QUICK)')'
		set grid
		set logscale x
		set xrange [800:25000]
		set xlabel 'queries/s offered (IPv6)'
		set yrange [0:105]
		set ylabel 'reflected %'
		set key bottom left
		set title 'queries reflected'
		plot ${pct_plots%, }
		set logscale y
		set autoscale y
		set ylabel 'latency (us)'
		set key top left
		set title 'send -> arrival on the far link, p50 (dashed) and p99'
		plot ${lat_plots%, }
		unset multiplot
	EOF
	gnuplot "$plt" 2>>"$WORK/gnuplot.err" || log "bench: gnuplot failed (see $WORK/gnuplot.err)"
}

goals() {
	local i=islandd a=avahi ci ca
	case " $PROGRAMS " in *" islandd "*) ;; *) return 0 ;; esac
	goal() {  # TEXT AWK-CONDITION(a, b) A [B]
		local text=$1 cond=$2 verdict
		shift 2
		if [[ " $* " == *" - "* ]] || [ $# = 0 ]; then
			verdict="n/a "
		elif awk -v a="$1" -v b="${2:-0}" "BEGIN { a += 0; b += 0; exit !($cond) }" 2>/dev/null; then
			verdict="PASS"
		else
			verdict="FAIL"
		fi
		printf '  %s  %s\n' "$verdict" "$text"
	}
	echo "goals (issue 4), islandd in this run:"
	ci=$(f1 "$(V $i cpu)") ca=$(f1 "$(V $a cpu)")
	local k per=""
	for ((k = 1; k <= ROUNDS; k++)); do
		per+="$(ratio "${R[$i.cpu.$k]:--}" "${R[$a.cpu.$k]:--}") "
	done
	goal "CPU per reflected query at 1k/s <= 1/10 of avahi's (medians $ci us vs $ca us: $(ratio "$ci" "$ca"); per round: ${per% })" \
		'a <= b / 10' "$ci" "$ca"
	local cf
	cf=$(f1 "$(V mdnsecho cpu)")
	if [ "$cf" != - ] && [ "$ci" != - ] && [ "$ca" != - ]; then
		printf '  info  the floor (mdnsecho: receive + resend, no parsing) costs %s us per query here (%s of avahi'"'"'s);\n' \
			"$cf" "$(ratio "$cf" "$ca")"
		printf '        above it: islandd %s us, avahi %s us\n' \
			"$(awk -v a="$ci" -v f="$cf" 'BEGIN { printf "%.1f", a - f }')" \
			"$(awk -v a="$ca" -v f="$cf" 'BEGIN { printf "%.1f", a - f }')"
	fi
	local c5i c5a
	c5i=$(V $i ramp5000_cpu) c5a=$(V $a ramp5000_cpu)
	goal "CPU per reflected query at 5k/s (ramp step) <= 1/10 of avahi's ($c5i us vs $c5a us: $(ratio "$c5i" "$c5a"))" \
		'a <= b / 10' "$c5i" "$c5a"
	goal "no loss at 5k queries/s, rate limiting off ($(V $i burst_off) of $(V $i burst_off_sent) reflected)" \
		'a == b && b > 0' "$(V $i burst_off)" "$(V $i burst_off_sent)"
	goal "no loss in the ${T_RAMP} s ramp step at 5k/s either ($(V $i ramp5000_pct) %)" 'a == 100' "$(V $i ramp5000_pct)"
}

# ratio A B: A as a fraction of B, "1/x".
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-" && a > 0) printf "1/%.1f", b / a; else print "-" }'
}

# ---- main --------------------------------------------------------------------

main() {
	local p progs_ok="" start elapsed rev load_before
	for p in $PROGRAMS; do
		case $p in
		islandd) [ -x "$ISLANDD" ] && [ -x "$ISLANDCTL" ] || { log "bench: $ISLANDD not built, skipping islandd"; continue; } ;;
		avahi) [ -x "$AVAHI" ] || { log "bench: $AVAHI missing, skipping avahi"; continue; } ;;
		mdnsecho) [ -x "$BIN/mdnsecho" ] || { log "bench: $BIN/mdnsecho missing, skipping it"; continue; } ;;
		*) log "bench: unknown program $p"; continue ;;
		esac
		progs_ok+="$p "
	done
	PROGRAMS=$progs_ok
	[ -n "$PROGRAMS" ] || { log "bench: nothing to run"; exit 1; }

	start=$(date +%s)
	rev="$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')"
	[ -x "$ISLANDD" ] && rev+=", binary built $(date -u -r "$ISLANDD" '+%H:%M UTC')"
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	log "bench: mDNS, topology $BENCH_NS-*; programs: $PROGRAMS; quick=$QUICK"
	topo_up || { log "bench: topology failed"; exit 1; }
	ip -n "$NS_LAP" addr add "$LAP_V4" dev wlan0 &&
		ip -n "$NS_GW" addr add "$GW_WLAN_V4" dev wlan0 &&
		ip -n "$NS_GW" addr add "$GW_ETH_V4" dev eth0 &&
		ip -n "$NS_H1" addr add "$H1_V4" dev eth0 || { log "bench: IPv4 addresses failed"; exit 1; }
	neigh_pin || { log "bench: pinning the multicast neighbours failed"; exit 1; }

	for p in $PROGRAMS; do
		log "== $p: rate limiting off"
		measure_off "$p" || { log "bench: $p measures failed"; FAILS=$((FAILS + 1)); daemon_stop; }
		log "== $p: defaults"
		measure_defaults "$p" || { log "bench: $p defaults measure failed"; FAILS=$((FAILS + 1)); daemon_stop; }
	done
	measure_1k_rounds
	elapsed=$(($(date +%s) - start))

	{
		echo "make bench, mDNS$( [ "$QUICK" = 1 ] && echo ' (BENCH_QUICK=1)'), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r), ${elapsed}s"
		echo "nice: ${BENCH_NICE:-0}; load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews absolute figures; compare columns)"
		echo "islandd $rev; avahi-daemon $(dpkg-query -W -f '${Version}' avahi-daemon 2>/dev/null)"
		echo
		table
		echo
		goals
		echo
		echo "load: one query per packet, one unique question each (q<seq>-<run>.bench.local AAAA, QM), from the laptop's"
		echo "  wlan0 to ff02::fb (224.0.0.251 for the IPv4 row) port 5353, hop limit 255; counted when it arrives on h1's eth0."
		echo "latency: kernel receive time on h1 minus the time read just before the send; percentiles of the reflected ones."
		echo "CPU: the daemon's utime+stime (/proc/PID/stat, $HZ ticks/s) over a ${T_LAT}s run at 1k/s, divided by the queries reflected;"
		echo "  $ROUNDS rounds, a fresh daemon each, programs in a rotated order; the 1k/s rows are medians over the rounds."
		echo "rate limiting off: islandd 'rate-limit 0'; avahi ratelimit-interval-usec=0. Measures above the 'defaults' row use it."
		echo "defaults: islandd without rate-limit (5000 packets/s per link); avahi with Debian's ratelimit-interval-usec=1000000, ratelimit-burst=1000."
		echo "neighbours: ff02::fb and 224.0.0.251 pinned (nud permanent) on every link: the host-wide neighbour table is shared"
		echo "  with other tests and, when full, makes multicast sends fail (EINVAL) on whichever side needs a new entry."
		echo "mdnsecho: the floor, bench/mdnsecho.c: poll, recvmmsg, sendmmsg of the same bytes to the group on eth0; no parsing."
		echo "avahi: enable-reflector=yes, enable-dbus=no, allow-interfaces=wlan0,eth0, publish-hinfo/workstation=no, --no-chroot --no-drop-root."
		echo "ramp: $RAMP_RATES queries/s, ${T_RAMP}s each, ${T_PAUSE}s apart, same daemon; 'without loss' = every query reflected at >= 95 % of the"
		echo "  rate asked, and every lower step clean too."
		echo
		echo "raw:"
		cat "$RAW"
	} >"$WORK/mdns_latest.txt"
	cp "$WORK/mdns_latest.txt" "$RESULTS/mdns_latest.txt"
	command -v gnuplot >/dev/null && plot
	echo
	sed '/^raw:$/,$d' "$RESULTS/mdns_latest.txt"
	echo "written: $RESULTS/mdns_latest.txt $RESULTS/mdns_latest.png"
	[ "$FAILS" = 0 ] || { log "bench: $FAILS measure(s) failed"; return 1; }
}

main "$@"; exit
