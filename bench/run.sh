#!/bin/bash
# make bench: islandd, ndppd and npd6 one after another on the same load, in
# the seed-000 island built from network namespaces (bench/lib.sh).
#
# islandd also takes a /64 scan against an RA relay (`ra-relay wlan0 { iface
# eth0 }`, radvd upstream): no rule, every target found on demand (issue 12).
#
# Prints one table (programs in columns, measures in rows), writes it to
# bench/results/latest.txt and a plot to bench/results/latest.png.
# Raw per-measure lines (load generator, process monitor, downstream NS
# counter, islandctl) go to $BENCH_WORK/raw.txt and the end of latest.txt.
#
# Run it on an otherwise idle machine: ndppd sends each probe through the
# kernel's IPv6 stack, which creates a neighbour entry per solicited-node
# group, so its /64 scans fill the host-wide neighbour table (gc_thresh3,
# shared by every namespace) for about a minute, and namespace tests running
# at the same time lose answers. The header reports table-full events.
#
# Environment:
#   BENCH_QUICK=1       a smoke run: about a minute, same measures, short loads
#   BENCH_PROGRAMS="islandd ndppd npd6 ndecho"   which programs, in this order;
#                       ndecho (bench/ndecho.c) is the floor: the smallest static
#                       responder, batching busy spells as islandd does (same
#                       batch-interval), so the kernel's share of each figure shows
#   BUILD=DIR           where make put the binaries (default build)
#   BENCH_WORK=DIR      scratch directory (default $BUILD/bench-work)
#   BENCH_RESULTS=DIR   where latest.txt / latest.png go (default bench/results)
#   ISLANDD=PATH ISLANDCTL=PATH NDPPD=PATH NPD6=PATH   the binaries
#   BENCH_NICE=N        run daemons and load generator at nice N (e.g. -10)
#   BENCH_BATCH_INTERVAL=US   islandd's batch-interval (default: its own default)
#                       when other work shares the machine
set -u
cd "$(dirname "$0")/.." || exit 1
. bench/lib.sh

QUICK=${BENCH_QUICK:-0}
PROGRAMS=${BENCH_PROGRAMS:-islandd ndppd npd6 ndecho}
BUILD=${BUILD:-build}   # make passes its BUILD= down
WORK=$(realpath -m "${BENCH_WORK:-$BUILD/bench-work}")
RESULTS=${BENCH_RESULTS:-bench/results}
BIN=$(realpath -m "${BENCH_BIN:-$BUILD/bench}")
ISLANDD=$(realpath -m "${ISLANDD:-$BUILD/islandd}")
ISLANDCTL=$(realpath -m "${ISLANDCTL:-$BUILD/islandctl}")
NDPPD=${NDPPD:-/usr/sbin/ndppd}
NPD6=${NPD6:-/usr/bin/npd6}
PYTHON=/usr/bin/python3
NICE=()
[ -n "${BENCH_NICE:-}" ] && NICE=(nice -n "$BENCH_NICE")

STATIC_LOAD_PREFIX=$UP_PREFIX:40::/76   # targets of the static-rule measures
MANY_PREFIX=$UP_PREFIX:50::/76          # the "1M distinct targets" run
SCAN_PREFIX=$UP_PREFIX::/64             # the iface rule's prefix, scanned

if [ "$QUICK" = 1 ]; then
	T_LAT=2 T_CPU=1 T_RAMP=1 T_WARM=1 T_QUIET=1 T_SCAN=3 T_AFTER=2 T_LATE=4
	N_MANY=50000 N_COLD=50
else
	T_LAT=10 T_CPU=5 T_RAMP=3 T_WARM=5 T_QUIET=3 T_SCAN=30 T_AFTER=10 T_LATE=40
	N_MANY=1000000 N_COLD=200
fi
RAMP_RATES="5000 10000 20000 40000 80000"
RATE_MANY=25000
RATE_COLD=50          # below every probe budget: cold means "never seen", not "throttled"
RATE_REAL=100         # real-host stream: two hosts, 50 NS/s each
SCAN_RATES="5000 50000"
RELAY_RATES="5000"    # the /64 scan against an RA relay (issue 12): islandd only
SCAN_TAGS="$(for s in $SCAN_RATES; do printf 'scan%s ' "$s"; done)$(for s in $RELAY_RATES; do printf 'relay%s ' "$s"; done)"
PROBE_BUDGET=100      # islandd's default probe-rate (NS/s per downstream interface)

for b in ndload nscount procmon; do
	[ -x "$BIN/$b" ] || { echo "bench: $BIN/$b missing (make bench-bin)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }

mkdir -p "$WORK" "$RESULTS" || exit 1
RAW=$WORK/raw.txt
: >"$RAW"
declare -A R   # R[prog.key] = value
FAILS=0        # measures that could not run: the exit status says so

log() { printf '%s\n' "$*" >&2; }
raw() { printf '%s\n' "$*" >>"$RAW"; }

cleanup() {
	topo_down
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# kv LINE KEY: the value of KEY=value in a summary line.
kv() {
	awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"
}

# ---- daemons -------------------------------------------------------------

DPID= DPROG= DSOCK=

conf_write() {  # PROG MODE FILE
	local prog=$1 mode=$2 file=$3
	{
		[ "$prog" = islandd ] && islandd_batch_conf
		case $prog:$mode in
		npd6:static)
			printf 'prefix=%s\ninterface=wlan0\n' "$SCAN_PREFIX" ;;
		*:static)
			printf 'proxy wlan0 {\n\trule %s {\n\t\tstatic\n\t}\n}\n' "$SCAN_PREFIX" ;;
		*:iface)
			printf 'proxy wlan0 {\n\trule %s {\n\t\tiface eth0\n\t}\n}\n' "$SCAN_PREFIX" ;;
		*:relay)
			printf 'ra-relay wlan0 {\n\tiface eth0\n}\n' ;;
		esac
	} >"$file"
}

# Which measures a program can take part in.
prog_supports() {  # PROG MODE
	case $1:$2 in
	npd6:iface | ndecho:iface) return 1 ;;
	# nothing else here relays RAs and finds hosts on demand (odhcpd's relay
	# is not packaged for Debian 12); ndppd's iface-rule scan is the nearest
	*:relay) [ "$1" = islandd ] ;;
	*) return 0 ;;
	esac
}

daemon_start() {  # PROG MODE TAG
	local prog=$1 mode=$2 tag=$3 conf=$WORK/$1.$2.conf logf=$WORK/$1.$3.log
	conf_write "$prog" "$mode" "$conf"
	DPROG=$prog DSOCK=
	case $prog in
	islandd)
		DSOCK=$WORK/islandd.sock
		rm -f "$DSOCK"
		bg_start "$NS_GW" "${NICE[@]}" "$ISLANDD" -c "$conf" -S "$DSOCK" -p "$WORK/islandd.pid" >"$logf" 2>&1 ;;
	ndppd)
		bg_start "$NS_GW" "${NICE[@]}" "$NDPPD" -c "$conf" -p "$WORK/ndppd.pid" >"$logf" 2>&1 ;;
	npd6)
		bg_start "$NS_GW" "${NICE[@]}" "$NPD6" -f -c "$conf" -l "$logf" >>"$logf" 2>&1 ;;
	ndecho)
		bg_start "$NS_GW" "${NICE[@]}" "$BIN/ndecho" -i wlan0 --prefix "$SCAN_PREFIX" \
			--batch-us "$(islandd_batch_us)" >"$logf" 2>&1 ;;
	esac
	DPID=$BG_PID
	sleep 1
	if ! alive "$DPID"; then
		log "bench: $prog did not start; its log:"
		sed 's/^/    /' "$logf" >&2
		DPID=
		return 1
	fi
	return 0
}

# Our children linger as zombies until reaped: kill -0 would still succeed.
alive() {
	local st
	st=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

# A daemon that died during the measures fails the run: its figures are void.
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

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# Packets the kernel dropped because the daemon's packet / raw sockets were
# full (the d counter of `ss -m`), summed over its sockets.
sock_drops() {
	nsx "$NS_GW" ss -a -m -p -0 -w 2>/dev/null |
		awk -v pid="pid=$1," 'index($0, pid) { if (match($0, /,d[0-9]+\)/)) s += substr($0, RSTART + 2, RLENGTH - 3) } END { print s + 0 }'
}

# islandctl COMMAND: JSON reply of the running islandd, or nothing.
ctl_json() {
	[ "$DPROG" = islandd ] && [ -S "$DSOCK" ] || return 0
	timeout 5 "$ISLANDCTL" -S "$DSOCK" "$@" --json 2>/dev/null
}

# The session count from `stats --json` (counters.sessions): a small reply.
# Listing them (`sessions --json`, ~140 bytes each) would grow the daemon's
# reply buffer, and with it the RSS we are about to measure.
session_count() {
	local j
	j=$(ctl_json stats) || return 0
	[ -n "$j" ] || return 0
	"$PYTHON" -c 'import json,sys; c = json.load(sys.stdin).get("counters", {}); print(c["sessions"] if "sessions" in c else "")' <<<"$j" 2>/dev/null
}

# ---- the upstream router of the relay measures ------------------------------

# radvd on the laptop's link advertises the /64 the relay relays (the bench
# topology has no router otherwise); the relay's RS at start gets its answer.
RADVD_PID=
radvd_up() {
	local conf=$WORK/radvd.conf
	printf 'interface wlan0 {\n\tAdvSendAdvert on;\n\tMinRtrAdvInterval 3;\n\tMaxRtrAdvInterval 10;\n\tprefix %s {\n\t\tAdvOnLink on;\n\t\tAdvAutonomous on;\n\t};\n};\n' \
		"$SCAN_PREFIX" >"$conf"
	chmod 644 "$conf"
	nsx "$NS_LAP" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null # radvd wants a router
	bg_start "$NS_LAP" radvd -C "$conf" -p "$WORK/radvd.pid" -n -m stderr >"$WORK/radvd.log" 2>&1
	RADVD_PID=$BG_PID
}
radvd_down() {
	bg_stop "$RADVD_PID"
	RADVD_PID=
	nsx "$NS_LAP" sysctl -qw net.ipv6.conf.all.forwarding=0 >/dev/null
}
# Until the relay has the upstream's prefix (its RS at start is answered at once).
relay_wait_prefix() {
	local i
	for i in $(seq 50); do
		ctl_json ra | "$PYTHON" -c 'import json,sys; sys.exit(0 if any(r.get("prefixes") for r in json.load(sys.stdin).get("relays", [])) else 1)' \
			2>/dev/null && return 0
		sleep 0.2
	done
	log "bench: the relay learned no prefix in 10 s"
	raw "$DPROG relay: no prefix learned"
}

# ---- measurement helpers ---------------------------------------------------

# The kernel's IPv6 neighbour table is one table for every namespace on the
# machine (gc_thresh3 entries, 1024 by default). When other namespaces fill
# it, hosts here cannot create the entry they need to answer an NS, and
# answers go missing for reasons that are not the daemon's. The table_fulls
# counter (/proc/net/stat/ndisc_cache, last column, per CPU, hex) tells.
nd_table_fulls() {
	local line sum=0 f
	while read -r line; do
		f=${line##* }
		[[ $f =~ ^[0-9a-fA-F]+$ ]] && sum=$((sum + 16#$f))
	done < <(tail -n +2 /proc/net/stat/ndisc_cache 2>/dev/null)
	echo "$sum"
}
nd_entries() {
	local e
	e=$(awk 'NR == 2 { print $1 }' /proc/net/stat/ndisc_cache 2>/dev/null)
	[ -n "$e" ] && echo $((16#$e)) || echo "?"
}

# load NAME ARGS...: one ndload run from the laptop; the summary line goes
# to LOAD (and the raw log), with the neighbour-table-full events it saw.
load() {
	local name=$1 f0 d
	shift
	f0=$(nd_table_fulls)
	LOAD=$(nsx "$NS_LAP" "${NICE[@]}" "$BIN/ndload" -i wlan0 --label "$DPROG.$name" "$@")
	[ -n "$LOAD" ] || { FAILS=$((FAILS + 1)); log "bench: ndload failed ($DPROG.$name)"; }
	d=$(($(nd_table_fulls) - f0))
	if [ "$d" -gt 0 ]; then
		LOAD+=" nd_table_fulls=$d"
		R[$DPROG.ndfull]=$((${R[$DPROG.ndfull]:-0} + d))
	fi
	raw "$LOAD"
	log "  $LOAD"
}

# monitor_start TAG / monitor_stop: procmon on the daemon; MON holds the line.
monitor_start() {
	bg_start "$NS_GW" "$BIN/procmon" -p "$DPID" --interval 100 --label "$DPROG.$1" \
		--series "$WORK/$DPROG.$1.proc" >"$WORK/$DPROG.$1.mon"
	MON_PID=$BG_PID
}
monitor_stop() {
	bg_stop "$MON_PID"
	MON=$(cat "$WORK/$DPROG.$1.mon")
	raw "$MON"
	log "  $MON"
}

counter_start() {
	bg_start "$NS_GW" "$BIN/nscount" -i eth0 --label "$DPROG.$1" \
		--series "$WORK/$DPROG.$1.ns" >"$WORK/$DPROG.$1.cnt"
	CNT_PID=$BG_PID
}
counter_stop() {
	bg_stop "$CNT_PID"
	CNT=$(cat "$WORK/$DPROG.$1.cnt")
	raw "$CNT"
	log "  $CNT"
}

# ---- the measures ----------------------------------------------------------

measure_static() {
	local p=$1 r line best=0
	daemon_start "$p" static static || return 1
	R[$p.rss_idle]=$(rss_kb "$DPID")
	raw "$p.idle rss_kb=${R[$p.rss_idle]}"

	load lat1k --rate 1000 --duration "$T_LAT" --prefix "$STATIC_LOAD_PREFIX" --seq 1000
	R[$p.lat1k_p50]=$(kv "$LOAD" p50_us) R[$p.lat1k_p99]=$(kv "$LOAD" p99_us)
	R[$p.lat1k_ans]=$(kv "$LOAD" answered_pct)

	monitor_start lat10k
	load lat10k --rate 10000 --duration "$T_LAT" --prefix "$STATIC_LOAD_PREFIX" --seq 1000
	monitor_stop lat10k
	R[$p.lat10k_p50]=$(kv "$LOAD" p50_us) R[$p.lat10k_p99]=$(kv "$LOAD" p99_us)
	R[$p.lat10k_ans]=$(kv "$LOAD" answered_pct)
	# CPU per NS from three runs (this one and two of T_CPU s): other work on
	# the machine moves single runs by tens of percent; the median holds.
	local i samples=""
	for i in 1 2 3; do
		if [ "$i" != 1 ]; then
			monitor_start "cpu$i"
			load "cpu$i" --rate 10000 --duration "$T_CPU" --prefix "$STATIC_LOAD_PREFIX" --seq 1000
			monitor_stop "cpu$i"
		fi
		samples+="$(awk -v a="$(kv "$LOAD" answered)" -v c="$(kv "$MON" cpu_us)" -v u="$(kv "$MON" user_us)" \
			-v s="$(kv "$MON" sys_us)" 'BEGIN { if (a > 0) printf "%.2f %.2f %.2f", c / a, u / a, s / a; else print "- - -" }')"$'\n'
	done
	raw "$p.cpu_per_ns samples (total user sys, us): $(tr '\n' ';' <<<"$samples")"
	read -r "R[$p.cpu_per_ns]" "R[$p.user_per_ns]" "R[$p.sys_per_ns]" < <(grep -v '^-' <<<"$samples" | grep . | sort -n | awk '{ l[NR] = $0 } END { if (NR) print l[int((NR + 1) / 2)]; else print "- - -" }')
	R[$p.cpu_spread]=$(grep -v '^-' <<<"$samples" | grep . | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.1f-%.1f", lo, hi }')

	for r in $RAMP_RATES; do
		sleep 0.5
		load "ramp$r" --rate "$r" --duration "$T_RAMP" --prefix "$STATIC_LOAD_PREFIX" --seq 1000
		R[$p.ramp${r}_ans]=$(kv "$LOAD" answered_pct)
		R[$p.ramp${r}_p50]=$(kv "$LOAD" p50_us) R[$p.ramp${r}_p99]=$(kv "$LOAD" p99_us)
		R[$p.ramp${r}_rate]=$(kv "$LOAD" rate)
		# A step counts only if the generator really offered that rate.
		if awk -v a="${R[$p.ramp${r}_ans]}" -v g="${R[$p.ramp${r}_rate]}" -v r="$r" \
			'BEGIN { exit !(a >= 99 && g >= 0.9 * r) }'; then
			best=$r
		fi
	done
	R[$p.best_rate]=$best

	sleep 0.5
	monitor_start many
	load many --rate "$RATE_MANY" --count "$N_MANY" --prefix "$MANY_PREFIX" --seq "$N_MANY"
	monitor_stop many
	R[$p.many_ans]=$(kv "$LOAD" answered_pct)
	R[$p.rss_many]=$(rss_kb "$DPID")
	R[$p.rss_many_peak]=$(kv "$MON" rss_peak_kb)
	raw "$p.after_many rss_kb=${R[$p.rss_many]}"
	daemon_stop
}

measure_iface() {
	local p=$1
	daemon_start "$p" iface coldwarm || return 1
	load cold --rate "$RATE_COLD" --count "$N_COLD" --targets "$WORK/cold.txt"
	R[$p.cold_p50]=$(kv "$LOAD" p50_us) R[$p.cold_p99]=$(kv "$LOAD" p99_us)
	R[$p.cold_ans]=$(kv "$LOAD" answered_pct)
	load warm --rate 1000 --duration "$T_WARM" --targets "$WORK/cold.txt"
	R[$p.warm_p50]=$(kv "$LOAD" p50_us) R[$p.warm_p99]=$(kv "$LOAD" p99_us)
	R[$p.warm_ans]=$(kv "$LOAD" answered_pct)
	# Nobody downstream owns these: any answer is a lie to the router.
	load ghost --rate 50 --count "$((N_COLD / 2))" --prefix "$UP_PREFIX:99::/80" --random
	R[$p.ghost_ans]=$(kv "$LOAD" answered)
	daemon_stop
}

# A fresh daemon per scan, so "before" and "after" belong to that scan.
measure_scan() {
	local p=$1 rate=$2 mode=${3:-iface} j try tag
	tag=$([ "$mode" = relay ] && echo relay || echo scan)$2
	# The scan measures what a scan does to a working proxy: a daemon that
	# answers none of the quiet phase is restarted (at most twice) and the
	# restarts reported. Seen when the machine's neighbour table was full
	# (nd_table_fulls in the raw lines): the hosts could not answer.
	R[$p.${tag}_restarts]=0
	for try in 1 2 3; do
		daemon_start "$p" "$mode" "$tag" || return 1
		[ "$mode" = relay ] && relay_wait_prefix
		load "$tag.quiet" --rate 0 --real "$H1_ADDR,$H2_ADDR" --real-rate "$RATE_REAL" --duration "$T_QUIET"
		[ "$(kv "$LOAD" real_answered)" != 0 ] || [ "$try" = 3 ] && break
		log "bench: $p answered none of the quiet phase; restarting it"
		raw "$p.$tag restart: quiet phase unanswered"
		R[$p.${tag}_restarts]=$try
		daemon_stop
	done
	R[$p.${tag}_quiet_p99]=$(kv "$LOAD" real_p99_us)
	R[$p.${tag}_quiet_pct]=$(kv "$LOAD" real_answered_pct)
	R[$p.${tag}_rss_before]=$(rss_kb "$DPID")

	local drops0
	drops0=$(sock_drops "$DPID")
	monitor_start "$tag"
	counter_start "$tag"
	load "$tag" --rate "$rate" --duration "$T_SCAN" --prefix "$SCAN_PREFIX" --random --seed "$rate" \
		--real "$H1_ADDR,$H2_ADDR" --real-rate "$RATE_REAL"
	counter_stop "$tag"
	monitor_stop "$tag"
	R[$p.${tag}_rate]=$(kv "$LOAD" rate)
	R[$p.${tag}_real_pct]=$(kv "$LOAD" real_answered_pct)
	R[$p.${tag}_real_p99]=$(kv "$LOAD" real_p99_us)
	R[$p.${tag}_bogus]=$(kv "$LOAD" answered)
	R[$p.${tag}_ds_avg]=$(kv "$CNT" avg_per_s)
	R[$p.${tag}_ds_max]=$(kv "$CNT" max_per_s)
	R[$p.${tag}_ds_repeat]=$(kv "$CNT" repeat_lt1s)
	R[$p.${tag}_cpu]=$(kv "$MON" cpu_pct)
	R[$p.${tag}_rss_peak]=$(kv "$MON" rss_peak_kb)
	R[$p.${tag}_sockdrops]=$(($(sock_drops "$DPID") - drops0))
	raw "$p.$tag socket_drops=${R[$p.${tag}_sockdrops]}"

	sleep "$T_AFTER"
	R[$p.${tag}_rss_after]=$(rss_kb "$DPID")
	R[$p.${tag}_sessions]=$(session_count)
	j=$(ctl_json stats)
	[ -n "$j" ] && raw "$p.$tag.stats $(tr -d '\n' <<<"$j")"
	raw "$p.$tag.after rss_kb=${R[$p.${tag}_rss_after]} sessions=${R[$p.${tag}_sessions]:-}"
	# Dead-target holds default to ttl (30 s): look again once they are over.
	sleep $((T_LATE - T_AFTER))
	R[$p.${tag}_rss_late]=$(rss_kb "$DPID")
	R[$p.${tag}_sessions_late]=$(session_count)
	raw "$p.$tag.late rss_kb=${R[$p.${tag}_rss_late]} sessions=${R[$p.${tag}_sessions_late]:-}"
	j=$(ctl_json sessions)
	[ -n "$j" ] && raw "$p.$tag.sessions $(tr -d '\n' <<<"$j" | cut -c1-2000)"
	# The real hosts must still be answered once the scan has stopped.
	load "$tag.afterq" --rate 0 --real "$H1_ADDR,$H2_ADDR" --real-rate "$RATE_REAL" --duration 1
	R[$p.${tag}_after_real_pct]=$(kv "$LOAD" real_answered_pct)
	daemon_stop
}

# ---- table -------------------------------------------------------------------

V() {  # V PROG KEY: the value, or "-"
	local v=${R[$1.$2]:-}
	[ -n "$v" ] && [ "$v" != nan ] && printf '%s' "$v" || printf -- '-'
}
us() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else if (v >= 10000) printf "%.1fms", v / 1000; else printf "%.0fus", v }'; }
mb() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.1fMB", v / 1024 }'; }
pct() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.2f%%", v }'; }
pair() { printf '%s / %s' "$1" "$2"; }

row() {  # row LABEL FUNCTION: FUNCTION PROG prints the cell
	local label=$1 fn=$2 p
	printf '%-46s' "$label"
	for p in $PROGRAMS; do
		printf ' %-27s' "$($fn "$p")"
	done
	printf '\n'
}

c_lat()   { pair "$(us "$(V "$1" "${2}_p50")")" "$(us "$(V "$1" "${2}_p99")")"; }
c_lat1k() { c_lat "$1" lat1k; }
c_lat10k() { c_lat "$1" lat10k; }
c_cold()  { c_lat "$1" cold; }
c_warm()  { c_lat "$1" warm; }
c_ghost() { V "$1" ghost_ans; }
c_cpu()   { local v; v=$(V "$1" cpu_per_ns); [ "$v" = - ] && echo - || echo "${v}us (${R[$1.cpu_spread]})"; }
c_cpus()  { local v; v=$(V "$1" cpu_per_ns); [ "$v" = - ] && echo - || echo "${R[$1.user_per_ns]} + ${R[$1.sys_per_ns]}us"; }
c_best()  { local v; v=$(V "$1" best_rate); [ "$v" = - ] && echo - || { [ "$v" = 0 ] && echo "< 5000" || echo "$v NS/s"; }; }
c_ndfull() { echo "${R[$1.ndfull]:-0}"; }
c_idle()  { mb "$(V "$1" rss_idle)"; }
c_many()  { echo "$(mb "$(V "$1" rss_many)") ($(pct "$(V "$1" many_ans)") ans)"; }
for t in $SCAN_TAGS; do
	eval "
	c_${t}_drops() { V \"\$1\" ${t}_sockdrops; }
	c_${t}_real()  { local r=\$(V \"\$1\" ${t}_restarts); echo \"\$(pct \"\$(V \"\$1\" ${t}_real_pct)\") (quiet \$(pct \"\$(V \"\$1\" ${t}_quiet_pct)\"))\$([ \"\$r\" != - ] && [ \"\$r\" != 0 ] && echo \", \$r restart\")\"; }
	c_${t}_p99()   { echo \"\$(us \"\$(V \"\$1\" ${t}_real_p99)\") (quiet \$(us \"\$(V \"\$1\" ${t}_quiet_p99)\"))\"; }
	c_${t}_ds()    { echo \"\$(V \"\$1\" ${t}_ds_avg) / \$(V \"\$1\" ${t}_ds_max)\"; }
	c_${t}_rep()   { V \"\$1\" ${t}_ds_repeat; }
	c_${t}_cpu()   { local v; v=\$(V \"\$1\" ${t}_cpu); [ \"\$v\" = - ] && echo - || echo \"\$v%\"; }
	c_${t}_rss()   { echo \"\$(mb \"\$(V \"\$1\" ${t}_rss_before)\") > \$(mb \"\$(V \"\$1\" ${t}_rss_peak)\") > \$(mb \"\$(V \"\$1\" ${t}_rss_after)\") > \$(mb \"\$(V \"\$1\" ${t}_rss_late)\")\"; }
	c_${t}_sess()  { echo \"\$(V \"\$1\" ${t}_sessions) / \$(V \"\$1\" ${t}_sessions_late)\"; }
	c_${t}_bogus() { V \"\$1\" ${t}_bogus; }
	c_${t}_rate()  { V \"\$1\" ${t}_rate; }
	c_${t}_after() { pct \"\$(V \"\$1\" ${t}_after_real_pct)\"; }
	"
done

table() {
	local s
	row "measure" echo
	row "NS->NA p50 / p99, static, 1k NS/s" c_lat1k
	row "NS->NA p50 / p99, static, 10k NS/s" c_lat10k
	row "NS->NA p50 / p99, iface, cold target" c_cold
	row "NS->NA p50 / p99, iface, warm target" c_warm
	row "answers for absent targets (iface, must be 0)" c_ghost
	row "CPU per answered NS, 10k NS/s (median, range)" c_cpu
	row "  of which user + system (median run)" c_cpus
	row "highest rate with >= 99% answered" c_best
	row "kernel ND table full events during its loads" c_ndfull
	row "idle RSS" c_idle
	row "RSS after $N_MANY distinct static targets" c_many
	local t n
	for t in $SCAN_TAGS; do
		case $t in scan*) n="scan ${t#scan}/s" ;; relay*) n="relay ${t#relay}/s" ;; esac
		row "$n: generator's achieved rate" "c_${t}_rate"
		row "$n: real-host NS answered" "c_${t}_real"
		row "$n: real-host p99" "c_${t}_p99"
		row "$n: NS dropped at daemon's sockets" "c_${t}_drops"
		row "$n: NS downstream, avg / max per s" "c_${t}_ds"
		row "$n: repeat NS to a target < 1 s" "c_${t}_rep"
		row "$n: daemon CPU (of one core)" "c_${t}_cpu"
		row "$n: RSS before>peak>${T_AFTER}s>${T_LATE}s after" "c_${t}_rss"
		row "$n: sessions ${T_AFTER} s / ${T_LATE} s after" "c_${t}_sess"
		row "$n: answers for scan targets" "c_${t}_bogus"
		row "$n: real-host NS answered after" "c_${t}_after"
	done
}

plot() {
	local p col=2 lat=$WORK/latency.dat plt=$WORK/plot.gp
	{
		printf '# rate'
		for p in $PROGRAMS; do printf ' %s_p50 %s_p99 %s_ans' "$p" "$p" "$p"; done
		printf '\n'
		for r in 1000 $RAMP_RATES; do
			printf '%s' "$r"
			for p in $PROGRAMS; do
				if [ "$r" = 1000 ]; then
					printf ' %s %s %s' "$(V "$p" lat1k_p50)" "$(V "$p" lat1k_p99)" "$(V "$p" lat1k_ans)"
				else
					printf ' %s %s %s' "$(V "$p" "ramp${r}_p50")" "$(V "$p" "ramp${r}_p99")" "$(V "$p" "ramp${r}_ans")"
				fi
			done
			printf '\n'
		done
	} >"$lat"
	local lat_plots="" ans_plots="" rss_plots="" ds_plots="" i=1
	for p in $PROGRAMS; do
		lat_plots+="'$lat' using 1:$((col)) with linespoints lt $i dt 2 title '$p p50', "
		lat_plots+="'$lat' using 1:$((col + 1)) with linespoints lt $i title '$p p99', "
		ans_plots+="'$lat' using 1:$((col + 2)) with linespoints lt $i title '$p', "
		[ -s "$WORK/$p.scan50000.proc" ] &&
			rss_plots+="'$WORK/$p.scan50000.proc' using 1:(\$2/1024) with lines lt $i title '$p (50k/s)', "
		[ -s "$WORK/$p.scan5000.proc" ] &&
			rss_plots+="'$WORK/$p.scan5000.proc' using 1:(\$2/1024) with lines lt $i dt 2 title '$p (5k/s)', "
		[ -s "$WORK/$p.scan50000.ns" ] &&
			ds_plots+="'$WORK/$p.scan50000.ns' using 1:2 with steps lt $i title '$p (50k/s)', "
		[ -s "$WORK/$p.scan5000.ns" ] &&
			ds_plots+="'$WORK/$p.scan5000.ns' using 1:2 with steps lt $i dt 2 title '$p (5k/s)', "
		col=$((col + 3)) i=$((i + 1))
	done
	[ -n "$rss_plots" ] || rss_plots="NaN notitle, "
	[ -n "$ds_plots" ] || ds_plots="NaN notitle, "
	cat >"$plt" <<-EOF
		set terminal pngcairo size 1400,1000 font ',10' noenhanced
		set output '$RESULTS/latest.png'
		set datafile missing '-'
		set multiplot layout 2,2 title 'islandd vs ndppd vs npd6 — $(date -u +%Y-%m-%d) $( [ "$QUICK" = 1 ] && echo '(BENCH_QUICK)')'
		set grid
		set key top left
		set logscale xy
		set xrange [700:120000]
		set xlabel 'NS/s offered (static rule)'
		set ylabel 'NS->NA latency (us)'
		set title 'latency p50 (dashed) and p99'
		plot ${lat_plots%, }
		unset logscale y
		set yrange [0:105]
		set key bottom left
		set ylabel 'answered %'
		set title 'answered (static rule)'
		plot ${ans_plots%, }
		unset logscale
		set key top left
		set autoscale xy
		set yrange [0:*]
		set xlabel 'seconds since scan start'
		set ylabel 'RSS (MB)'
		set title 'daemon RSS during the scans (iface rule)'
		plot ${rss_plots%, }
		set ylabel 'NS sent downstream per second'
		set logscale y
		set yrange [1:*]
		set title 'probes downstream during the scans'
		set key top right
		plot ${ds_plots%, }
		unset multiplot
	EOF
	gnuplot "$plt" 2>>"$WORK/gnuplot.err" || log "bench: gnuplot failed (see $WORK/gnuplot.err)"
}

# The issue's goals for islandd, checked against this run's figures.
goals() {
	local p=islandd n=ndppd s
	case " $PROGRAMS " in *" islandd "*) ;; *) return 0 ;; esac
	goal() {  # goal TEXT AWK-CONDITION(a, b) A [B]
		local text=$1 cond=$2 verdict
		shift 2
		if [[ " $* " == *" - "* ]]; then
			verdict="n/a "
		elif awk -v a="$1" -v b="${2:-0}" "BEGIN { a += 0; b += 0; exit !($cond) }" 2>/dev/null; then
			verdict="PASS"
		else
			verdict="FAIL"
		fi
		printf '  %s  %s\n' "$verdict" "$text"
	}
	echo "goals (issue 3), islandd in this run:"
	[ "${R[$p.ndfull]:-0}" -gt 0 ] &&
		echo "  note  the kernel's neighbour table was full ${R[$p.ndfull]} times during islandd's loads: some NS went unanswered because the hosts could not answer"
	local ci cn
	ci=$(V $p cpu_per_ns) cn=$(V $n cpu_per_ns)
	goal "CPU per answered NS <= 1/5 of ndppd's ($ci us vs $cn us)" 'a <= b / 5' "$ci" "$cn"
	if [ "$(V ndecho cpu_per_ns)" != - ] && [ "$cn" != - ] && [ "$ci" != - ]; then
		local cf
		cf=$(V ndecho cpu_per_ns)
		goal "the same above the floor, i.e. minus ndecho's $cf us ($(awk -v a="$ci" -v f="$cf" 'BEGIN { printf "%.2f", a - f }') vs $(awk -v a="$cn" -v f="$cf" 'BEGIN { printf "%.2f", a - f }') us)" \
			'a <= b / 5' "$(awk -v a="$ci" -v f="$cf" 'BEGIN { print a - f }')" "$(awk -v a="$cn" -v f="$cf" 'BEGIN { print a - f }')"
	fi
	goal "scan 5k/s: >= 99 % of real-host NS answered ($(V $p scan5000_real_pct) %)" 'a >= 99' "$(V $p scan5000_real_pct)"
	goal "scan 5k/s: real-host p99 < 10 ms ($(V $p scan5000_real_p99) us)" 'a < 10000' "$(V $p scan5000_real_p99)"
	goal "scan 50k/s: >= 95 % of real-host NS answered ($(V $p scan50000_real_pct) %)" 'a >= 95' "$(V $p scan50000_real_pct)"
	for s in $SCAN_RATES; do
		goal "scan ${s}/s: NS downstream <= ${PROBE_BUDGET}/s in any 1 s window (max $(V $p scan${s}_ds_max))" \
			"a <= $PROBE_BUDGET" "$(V $p scan${s}_ds_max)"
		goal "scan ${s}/s: no target probed twice within 1 s ($(V $p scan${s}_ds_repeat) repeats)" 'a == 0' "$(V $p scan${s}_ds_repeat)"
		goal "scan ${s}/s: peak RSS < 4 MB ($(V $p scan${s}_rss_peak) kB)" 'a < 4096' "$(V $p scan${s}_rss_peak)"
		goal "scan ${s}/s: RSS back to its pre-scan value +-64 kB ($(V $p scan${s}_rss_before) -> $(V $p scan${s}_rss_after) kB)" \
			'b - a <= 64 && a - b <= 64' "$(V $p scan${s}_rss_before)" "$(V $p scan${s}_rss_after)"
		goal "scan ${s}/s: sessions back to the 2 real hosts ${T_AFTER} s after ($(V $p scan${s}_sessions))" 'a <= 2' "$(V $p scan${s}_sessions)"
		goal "scan ${s}/s: sessions back to the 2 real hosts ${T_LATE} s after ($(V $p scan${s}_sessions_late))" 'a <= 2' "$(V $p scan${s}_sessions_late)"
		goal "scan ${s}/s: RSS back to its pre-scan value +-64 kB ${T_LATE} s after ($(V $p scan${s}_rss_late) kB)" \
			'b - a <= 64 && a - b <= 64' "$(V $p scan${s}_rss_before)" "$(V $p scan${s}_rss_late)"
		goal "scan ${s}/s: no answer for a scanned target ($(V $p scan${s}_bogus))" 'a == 0' "$(V $p scan${s}_bogus)"
	done
	echo "goals (issue 12, /64 scan against the RA relay), islandd in this run:"
	for s in $RELAY_RATES; do
		goal "relay scan ${s}/s: every real-host NS answered ($(V $p relay${s}_real_pct) %)" 'a >= 100' "$(V $p relay${s}_real_pct)"
		goal "relay scan ${s}/s: real-host p99 < 10 ms ($(V $p relay${s}_real_p99) us)" 'a < 10000' "$(V $p relay${s}_real_p99)"
		goal "relay scan ${s}/s: NS downstream <= ${PROBE_BUDGET}/s in any 1 s window (max $(V $p relay${s}_ds_max))" \
			"a <= $PROBE_BUDGET" "$(V $p relay${s}_ds_max)"
		goal "relay scan ${s}/s: RSS flat, peak within 64 kB of before ($(V $p relay${s}_rss_before) -> $(V $p relay${s}_rss_peak) kB)" \
			'b - a <= 64' "$(V $p relay${s}_rss_before)" "$(V $p relay${s}_rss_peak)"
		goal "relay scan ${s}/s: RSS back to its pre-scan value +-64 kB ${T_LATE} s after ($(V $p relay${s}_rss_late) kB)" \
			'b - a <= 64 && a - b <= 64' "$(V $p relay${s}_rss_before)" "$(V $p relay${s}_rss_late)"
		goal "relay scan ${s}/s: sessions back to the 2 real hosts ${T_LATE} s after ($(V $p relay${s}_sessions_late))" 'a <= 2' "$(V $p relay${s}_sessions_late)"
		goal "relay scan ${s}/s: no answer for a scanned target ($(V $p relay${s}_bogus))" 'a == 0' "$(V $p relay${s}_bogus)"
	done
	goal "no answer for absent targets, iface rule ($(V $p ghost_ans))" 'a == 0' "$(V $p ghost_ans)"
	goal "RSS < 4 MB after $N_MANY static targets (peak $(V $p rss_many_peak) kB)" 'a < 4096' "$(V $p rss_many_peak)"
}

# ---- main --------------------------------------------------------------------

# Everything runs from main, parsed in full before it starts: editing this
# file during a run cannot change the run.
main() {
	progs_ok=""
	for p in $PROGRAMS; do
		case $p in
		ndecho) [ -x "$BIN/ndecho" ] || { log "bench: $BIN/ndecho missing, skipping it"; continue; } ;;
		islandd) [ -x "$ISLANDD" ] || { log "bench: $ISLANDD not built, skipping islandd"; continue; } ;;
		ndppd) [ -x "$NDPPD" ] || { log "bench: $NDPPD missing, skipping ndppd"; continue; } ;;
		npd6) [ -x "$NPD6" ] || { log "bench: $NPD6 missing, skipping npd6"; continue; } ;;
		*) log "bench: unknown program $p"; continue ;;
		esac
		progs_ok+="$p "
	done
	PROGRAMS=$progs_ok
	[ -n "$PROGRAMS" ] || { log "bench: nothing to run"; exit 1; }

	start=$(date +%s)
	# The tree the binaries were built from, taken now: others may commit during the run.
	rev="$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')"
	[ -x "$ISLANDD" ] && rev+=", binary built $(date -u -r "$ISLANDD" '+%H:%M UTC')"
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	nd_start=$(nd_entries)
	fulls_start=$(nd_table_fulls)
	[ "$nd_start" != "?" ] && [ "$nd_start" -ge "$(sysctl -n net.ipv6.neigh.default.gc_thresh3 2>/dev/null || echo 1024)" ] &&
		log "bench: WARNING: the kernel's neighbour table is full ($nd_start entries, other namespaces); hosts may not answer"
	log "bench: topology $BENCH_NS-*; programs: $PROGRAMS; quick=$QUICK"
	topo_up || { log "bench: topology failed"; exit 1; }
	topo_add_host_addrs "$N_COLD" "$WORK/cold.txt" || { log "bench: host addresses failed"; exit 1; }

	for p in $PROGRAMS; do
		log "== $p: static rule"
		measure_static "$p" || { log "bench: $p static measures failed"; FAILS=$((FAILS + 1)); }
		if prog_supports "$p" iface; then
			log "== $p: iface rule, cold / warm"
			measure_iface "$p" || { log "bench: $p iface measures failed"; FAILS=$((FAILS + 1)); }
			for s in $SCAN_RATES; do
				log "== $p: scan at $s NS/s"
				measure_scan "$p" "$s" || { log "bench: $p scan $s failed"; FAILS=$((FAILS + 1)); }
			done
		fi
		if prog_supports "$p" relay; then
			radvd_up
			for s in $RELAY_RATES; do
				log "== $p: scan at $s NS/s against the RA relay"
				measure_scan "$p" "$s" relay || { log "bench: $p relay scan $s failed"; FAILS=$((FAILS + 1)); }
			done
			radvd_down
		fi
	done
	elapsed=$(($(date +%s) - start))

	{
		echo "make bench$( [ "$QUICK" = 1 ] && echo ' (BENCH_QUICK=1)'), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), kernel $(uname -r), ${elapsed}s"
		echo "kernel neighbour table (shared by all namespaces): $nd_start entries at start, $(nd_entries) at the end, gc_thresh3 $(sysctl -n net.ipv6.neigh.default.gc_thresh3 2>/dev/null); table-full events during the run: $(($(nd_table_fulls) - fulls_start))"
		echo "nice: ${BENCH_NICE:-0}; load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews absolute figures; compare columns)"
		echo "islandd $rev; ndppd $(dpkg-query -W -f '${Version}' ndppd 2>/dev/null); npd6 $(dpkg-query -W -f '${Version}' npd6 2>/dev/null)"
		echo
		table
		echo
		goals
		echo
		echo "latency: kernel receive time of the NA minus send time of the most recent NS for its target."
		echo "static: rule $SCAN_PREFIX static; 1000 targets in $STATIC_LOAD_PREFIX cycled; ramp steps ${T_RAMP}s each: $RAMP_RATES."
		echo "iface: rule $SCAN_PREFIX iface eth0; cold = first NS for each of $N_COLD addresses of h1 at $RATE_COLD/s; warm = the same again at 1000/s."
		echo "scan: random targets in $SCAN_PREFIX for ${T_SCAN}s while h1 and h2 are solicited at $RATE_REAL NS/s in all; fresh daemon per scan."
		echo "relay: the same scan against 'ra-relay wlan0 { iface eth0 }' (radvd on the laptop's link advertises $SCAN_PREFIX): no rule, every target found on demand;"
		echo "  ndppd, npd6 and ndecho cannot relay (their nearest is the iface-rule scan above)."
		echo
		echo "raw:"
		cat "$RAW"
	} >"$WORK/latest.txt"
	cp "$WORK/latest.txt" "$RESULTS/latest.txt"
	plot
	echo
	sed '/^raw:$/,$d' "$RESULTS/latest.txt"
	echo "written: $RESULTS/latest.txt $RESULTS/latest.png"
	[ "$FAILS" = 0 ] || { log "bench: $FAILS measure(s) failed"; return 1; }
}

main "$@"; exit
