#!/bin/bash
# make bench, IPv4 part (issue 15): the island's proxy ARP. islandd, parprouted
# with the kernel's proxy_arp, the kernel's proxy_arp alone at its defaults,
# and a do-nothing responder (bench/arpecho.c, the floor) one after another on
# the same load from bench/arpload.c, in the seed-000 island built from
# network namespaces, IPv4 only:
#
#   laptop (wlan0 .10) --- [up: br0] --- (wlan0 .2) gw (eth0 .2/32) --- [sw: br0] --- h1 .41, h2 .42, h3 .43
#
# One /24 (192.168.1.0/24) on both sides of the gateway, as a Wi-Fi client
# that cannot bridge needs it. h1 also holds 100 addresses (.128-.227), the
# latency targets; h3 appears during the run (reachability measure).
#
# Prints one table (programs in columns, measures in rows) with the issue's
# goals marked PASS/FAIL; a full run writes it to bench/results/arp_latest.txt.
# Raw lines (load generator, process monitor, downstream counter) go to
# $BENCH_WORK/arp-raw.txt and the end of that file.
#
# Environment:
#   BENCH_QUICK=1       a smoke run: short loads, nothing written to bench/results
#   BENCH_ARP_PROGRAMS="islandd parprouted kproxy arpecho"   which, in this order
#   BUILD=DIR BENCH_WORK=DIR BENCH_RESULTS=DIR ISLANDD=PATH ISLANDCTL=PATH PARPROUTED=PATH
#   BENCH_NICE=N BENCH_BATCH_INTERVAL=US   as bench/run.sh
#   BENCH_ISLANDD_NOTE=TEXT   said after islandd's revision in the header (e.g. what was merged)
#
# The kernel's IPv4 neighbour table is shared by every namespace of the
# machine (gc_thresh3, 1024 by default): the loads here keep it under ~120
# entries (the 100 latency targets and a few hosts); the /24 scan targets
# never enter it on a proxy that probes from a packet socket.
set -u
cd "$(dirname "$0")/.." || exit 1
BENCH_NS=${BENCH_NS:-ia$$}
. bench/lib.sh
NS_H3=$BENCH_NS-h3
BENCH_ALL_NS="$NS_UP $NS_LAP $NS_GW $NS_SW $NS_H1 $NS_H2 $NS_H3"

QUICK=${BENCH_QUICK:-0}
PROGRAMS=${BENCH_ARP_PROGRAMS:-islandd parprouted kproxy arpecho}
BUILD=${BUILD:-build}
WORK=$(realpath -m "${BENCH_WORK:-$BUILD/bench-work}")
RESULTS=${BENCH_RESULTS:-bench/results}
BIN=$(realpath -m "${BENCH_BIN:-$BUILD/bench}")
ISLANDD=$(realpath -m "${ISLANDD:-$BUILD/islandd}")
ISLANDCTL=$(realpath -m "${ISLANDCTL:-$BUILD/islandctl}")
PARPROUTED=${PARPROUTED:-/usr/sbin/parprouted}
DHCP_HELPER=${DHCP_HELPER:-/usr/local/lib/islandd-deps/dhcp-helper/usr/sbin/dhcp-helper}
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
DHCLIENT=${DHCLIENT:-/usr/sbin/dhclient}
N_DHCP=5        # leases taken through each relay
NICE=()
[ -n "${BENCH_NICE:-}" ] && NICE=(nice -n "$BENCH_NICE")

NET=192.168.1
LAN=$NET.0/24
LAP_IP=$NET.10
GW_IP=$NET.2
H1_IP=$NET.41 H2_IP=$NET.42 H3_IP=$NET.43
N_TARGETS=100                         # h1's extra addresses .128 ...
TARGETS="$(for i in $(seq 128 $((128 + N_TARGETS - 1))); do printf '%s.%s,' $NET "$i"; done)"
TARGETS=${TARGETS%,}
GHOSTS="$(for i in $(seq 100 109); do printf '%s.%s,' $NET "$i"; done)"
GHOSTS=${GHOSTS%,}                    # nobody holds these
SCAN_SKIP="$GW_IP,$LAP_IP"            # held by the gateway and the laptop themselves

if [ "$QUICK" = 1 ]; then
	T_LAT=2 T_CPU=1 T_SCAN=3 T_AFTER=1 T_QUIET=1
else
	T_LAT=6 T_CPU=4 T_SCAN=12 T_AFTER=5 T_QUIET=2
fi
SCAN_RATE=5000
RATE_REAL=100   # two real hosts, 50 requests/s each
PROBE_BUDGET=100

for b in arpload procmon; do
	[ -x "$BIN/$b" ] || { echo "bench: $BIN/$b missing (make bench-bin)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }

mkdir -p "$WORK" || exit 1
RAW=$WORK/arp-raw.txt
: >"$RAW"
declare -A R
FAILS=0

log() { printf '%s\n' "$*" >&2; }
raw() { printf '%s\n' "$*" >>"$RAW"; }
kv() {
	awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"
}

trap topo_down EXIT
trap 'exit 130' INT TERM

# ---- topology ------------------------------------------------------------------

# IPv4 only: IPv6 off everywhere (nothing of this run touches the machine-wide
# IPv6 neighbour table); the laptop retries a failed ARP every 100 ms instead
# of 1 s, so the reachability figure is the gateway's and not the laptop's.
topo4_up() {
	local ns
	for ns in $BENCH_ALL_NS; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	done
	for ns in "$NS_UP" "$NS_SW"; do
		ip -n "$ns" link add br0 type bridge mcast_snooping 0 stp_state 0 forward_delay 0
		ip -n "$ns" link set br0 up
	done
	veth_to_bridge "$NS_LAP" wlan0 "$NS_UP" lap "$LAP_MAC" || return 1
	veth_to_bridge "$NS_GW" wlan0 "$NS_UP" gw 02:00:00:00:02:01 || return 1
	veth_to_bridge "$NS_GW" eth0 "$NS_SW" gw 02:00:00:00:02:02 || return 1
	veth_to_bridge "$NS_H1" eth0 "$NS_SW" h1 02:00:00:00:41:01 || return 1
	veth_to_bridge "$NS_H2" eth0 "$NS_SW" h2 02:00:00:00:42:01 || return 1
	ip -n "$NS_H3" link add eth0 address 02:00:00:00:43:01 type veth peer name h3 netns "$NS_SW"
	ip -n "$NS_SW" link set h3 master br0 up
	ip -n "$NS_LAP" addr add $LAP_IP/24 dev wlan0
	nsx "$NS_LAP" sysctl -qw net.ipv4.neigh.wlan0.retrans_time_ms=100 >/dev/null
	ip -n "$NS_GW" addr add $GW_IP/24 dev wlan0
	ip -n "$NS_GW" addr add $GW_IP/32 dev eth0   # parprouted wants an address on each link
	nsx "$NS_GW" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
	ip -n "$NS_H1" addr add $H1_IP/24 dev eth0
	ip -n "$NS_H2" addr add $H2_IP/24 dev eth0
	h1_targets add
	dhcp_server_up
}

# The home router's DHCP server (dnsmasq, what most consumer routers run) on
# the laptop's link, answering relayed requests by their giaddr; no DNS.
DHCP_OK=0
dhcp_server_up() {
	[ -x "$DNSMASQ" ] && [ -x "$DHCLIENT" ] || { log "bench: dnsmasq or dhclient missing: no DHCP row"; return 0; }
	bg_start "$NS_LAP" "$DNSMASQ" -k --conf-file=/dev/null --port=0 --interface=wlan0 --bind-interfaces \
		--dhcp-range=$NET.230,$NET.239,255.255.255.0,1h --dhcp-leasefile="$WORK/arp-dnsmasq.leases" \
		--pid-file="$WORK/arp-dnsmasq.pid" --dhcp-authoritative --log-dhcp --log-facility=- >"$WORK/arp-dnsmasq.log" 2>&1
	sleep 0.5
	alive "$BG_PID" || { log "bench: dnsmasq did not start ($(tail -n 1 "$WORK/arp-dnsmasq.log")): no DHCP row"; return 0; }
	DHCP_OK=1
}

# h1's latency targets: add or del.
h1_targets() {
	tr ',' '\n' <<<"$TARGETS" | sed "s|.*|address $1 &/24 dev eth0|" | ip -n "$NS_H1" -batch - 2>/dev/null
}

# Between programs: no route, neighbour entry or sysctl of the previous one.
gw_reset() {
	local ns
	ip -n "$NS_GW" -4 route flush dev eth0 2>/dev/null
	ip -n "$NS_GW" -4 route flush proto 73 2>/dev/null
	for ns in "$NS_GW" "$NS_LAP" "$NS_H1" "$NS_H2"; do
		ip -n "$ns" -4 neigh flush all 2>/dev/null
	done
	nsx "$NS_GW" sysctl -qw net.ipv4.conf.all.proxy_arp=0 net.ipv4.conf.wlan0.proxy_arp=0 \
		net.ipv4.conf.eth0.proxy_arp=0 >/dev/null
}

# ---- the programs ----------------------------------------------------------------

DPID= DPROG= DSOCK=

# The gateway's setup for PROG, then the daemon (kproxy: no process).
prog_start() {
	local p=$1 conf=$WORK/arp.$1.conf logf=$WORK/arp.$1.$2.log
	DPROG=$p DPID= DSOCK=
	gw_reset
	case $p in
	islandd)
		{
			islandd_batch_conf
			printf 'proxy wlan0 {\n\tautowire yes\n\trule %s {\n\t\tiface eth0\n\t}\n}\n' "$LAN"
			printf 'proxy eth0 {\n\trule %s {\n\t\tauto\n\t}\n}\n' "$LAN"
			printf 'dhcp4-relay {\n\tupstream wlan0\n\tiface eth0\n\tserver %s\n}\n' "$LAP_IP"
		} >"$conf"
		DSOCK=$WORK/arp-islandd.sock
		rm -f "$DSOCK"
		bg_start "$NS_GW" "${NICE[@]}" "$ISLANDD" -c "$conf" -S "$DSOCK" -p "$WORK/arp-islandd.pid" >"$logf" 2>&1 ;;
	parprouted)
		# parprouted answers itself and adds the /32 routes; the kernel's
		# proxy_arp is the usual companion in the Debian wiki's recipe.
		nsx "$NS_GW" sysctl -qw net.ipv4.conf.wlan0.proxy_arp=1 net.ipv4.conf.eth0.proxy_arp=1 >/dev/null
		if [ -x "$DHCP_HELPER" ]; then # the DHCPv4 relay beside it (Debian wiki's recipe)
			bg_start "$NS_GW" "$DHCP_HELPER" -n -u root -s $LAP_IP -i eth0 -r "$WORK/arp-dhcp-helper.pid" \
				>"$WORK/arp.dhcp-helper.$2.log" 2>&1
			HELPER_PID=$BG_PID
		fi
		bg_start "$NS_GW" "${NICE[@]}" stdbuf -oL "$PARPROUTED" -d wlan0 eth0 >"$logf" 2>&1 ;;
	kproxy)
		# The kernel alone, defaults (proxy_delay 80 jiffies = 0.8 s, proxy_qlen
		# 64): it answers for whatever is routed out of another link, so the
		# operator routes the hosts there by hand.
		nsx "$NS_GW" sysctl -qw net.ipv4.conf.wlan0.proxy_arp=1 net.ipv4.conf.eth0.proxy_arp=1 >/dev/null
		local h
		for h in $H1_IP $H2_IP $H3_IP; do
			ip -n "$NS_GW" route add "$h/32" dev eth0
		done
		ip -n "$NS_GW" route add $NET.128/25 dev eth0
		raw "kproxy proxy_delay=$(nsx "$NS_GW" sysctl -n net.ipv4.neigh.wlan0.proxy_delay) proxy_qlen=$(nsx "$NS_GW" sysctl -n net.ipv4.neigh.wlan0.proxy_qlen)"
		return 0 ;;
	arpecho)
		bg_start "$NS_GW" "${NICE[@]}" "$BIN/arpecho" -i wlan0 --prefix "$LAN" --batch-us "$(islandd_batch_us)" >"$logf" 2>&1 ;;
	esac
	DPID=$BG_PID
	sleep 1
	if ! alive "$DPID"; then
		log "bench: $p did not start; its log:"
		sed 's/^/    /' "$logf" >&2
		DPID=
		FAILS=$((FAILS + 1))
		return 1
	fi
}

alive() {
	local st
	st=$(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

HELPER_PID=
prog_stop() {
	bg_stop "$HELPER_PID"
	HELPER_PID=
	if [ -n "$DPID" ]; then
		if ! alive "$DPID"; then
			log "bench: $DPROG exited during the measures"
			raw "$DPROG exited during the measures"
			FAILS=$((FAILS + 1))
		fi
		bg_stop "$DPID"
	fi
	DPID=
	gw_reset
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# load NAME ARGS...: one arpload run from the laptop.
load() {
	local name=$1
	shift
	LOAD=$(nsx "$NS_LAP" "${NICE[@]}" "$BIN/arpload" -i wlan0 --label "$DPROG.$name" "$@")
	[ -n "$LOAD" ] || { FAILS=$((FAILS + 1)); log "bench: arpload failed ($DPROG.$name)"; }
	raw "$LOAD"
	log "  $LOAD"
}

monitor_start() {
	MON_PID=
	[ -n "$DPID" ] || return 0
	bg_start "$NS_GW" "$BIN/procmon" -p "$DPID" --interval 100 --label "$DPROG.$1" \
		--series "$WORK/arp.$DPROG.$1.proc" >"$WORK/arp.$DPROG.$1.mon"
	MON_PID=$BG_PID
}
monitor_stop() {
	MON=
	[ -n "$MON_PID" ] || return 0
	bg_stop "$MON_PID"
	MON=$(cat "$WORK/arp.$DPROG.$1.mon")
	raw "$MON"
	log "  $MON"
}

# CPU per answered request of the last load and monitor: "total user sys" in us.
cpu_per() {
	awk -v a="$(kv "$LOAD" answered)" -v c="$(kv "$MON" cpu_us)" -v u="$(kv "$MON" user_us)" -v s="$(kv "$MON" sys_us)" \
		'BEGIN { if (a > 0 && c != "") printf "%.2f %.2f %.2f", c / a, u / a, s / a; else print "- - -" }'
}

# ---- the measures ------------------------------------------------------------------

measure_latency() {
	local p=$1
	R[$p.rss_idle]=${DPID:+$(rss_kb "$DPID")}
	# Cold: the first request for each target (a proxy that finds hosts on
	# demand probes the island first), slow enough to stay inside every budget.
	load cold --rate 50 --count "$N_TARGETS" --targets "$TARGETS"
	R[$p.cold_p50]=$(kv "$LOAD" p50_us) R[$p.cold_p99]=$(kv "$LOAD" p99_us) R[$p.cold_ans]=$(kv "$LOAD" answered_pct)
	# before the loads: a backlog they leave (parprouted's) must not answer for it
	if [ "$p" != arpecho ]; then # the floor answers anything: absent hosts mean nothing to it
		load ghost --rate 50 --count 50 --targets "$GHOSTS"
		R[$p.ghost_ans]=$(kv "$LOAD" answered)
	fi
	local r
	for r in 1000 10000; do
		monitor_start "lat$r"
		load "lat$r" --rate "$r" --duration "$T_LAT" --targets "$TARGETS"
		monitor_stop "lat$r"
		R[$p.lat${r}_p50]=$(kv "$LOAD" p50_us) R[$p.lat${r}_p99]=$(kv "$LOAD" p99_us)
		R[$p.lat${r}_ans]=$(kv "$LOAD" answered_pct)
		# CPU per request: the median of this run and two of T_CPU s (other
		# work on the machine moves single runs by tens of percent)
		local i samples
		samples="$(cpu_per)"$'\n'
		for i in 2 3; do
			[ -n "$DPID" ] || break
			monitor_start "cpu$r.$i"
			load "cpu$r.$i" --rate "$r" --duration "$T_CPU" --targets "$TARGETS"
			monitor_stop "cpu$r.$i"
			samples+="$(cpu_per)"$'\n'
		done
		raw "$p.cpu_per_request $r/s samples (total user sys, us): $(tr '\n' ';' <<<"$samples")"
		read -r "R[$p.cpu$r]" "R[$p.user$r]" "R[$p.sys$r]" < <(grep -v '^-' <<<"$samples" | grep . | sort -n |
			awk '{ l[NR] = $0 } END { if (NR) print l[int((NR + 1) / 2)]; else print "- - -" }')
		R[$p.cpu${r}_range]=$(grep -v '^-' <<<"$samples" | grep . | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.1f-%.1f", lo, hi }')
	done
}

# A host appears on the island and talks (h3 pings the laptop: its first
# packet is the ARP request for the laptop); the laptop pings h3 every 20 ms
# from before. Figure: first answered ping minus h3's first packet.
measure_reach() {
	local p=$1 t0 first out=$WORK/arp.$1.reach.ping
	# -c, not -w: with a deadline ping stops at its first unreachable error
	ip netns exec "$NS_LAP" timeout 10 ping -D -n -i 0.02 -c 450 -W 1 $H3_IP >"$out" 2>&1 &
	local ping_pid=$!
	sleep 1
	ip -n "$NS_H3" link set eth0 up
	ip -n "$NS_H3" addr add $H3_IP/24 dev eth0
	t0=$(date +%s.%N)
	nsx "$NS_H3" ping -n -c 5 -i 0.2 -W 1 $LAP_IP >/dev/null 2>&1 &
	local h3_pid=$!
	# a second after the first answer the figure is in: stop there
	local i
	for i in $(seq 90); do
		grep -q 'bytes from' "$out" 2>/dev/null && { sleep 1; break; }
		sleep 0.1
	done
	kill -INT "$ping_pid" 2>/dev/null
	wait "$ping_pid" 2>/dev/null
	wait "$h3_pid" 2>/dev/null
	first=$(awk '/bytes from/ { gsub(/[\[\]]/, "", $1); print $1; exit }' "$out")
	R[$p.reach_ms]=$([ -n "$first" ] && awk -v a="$first" -v b="$t0" 'BEGIN { printf "%.0f", (a - b) * 1000 }')
	[ -n "$first" ] || R[$p.reach_ms]="never (8 s)"
	raw "$p.reach t0=$t0 first_reply=${first:-none} ms=${R[$p.reach_ms]} replies=$(grep -c 'bytes from' "$out")"
	ip -n "$NS_H3" addr flush dev eth0
	ip -n "$NS_H3" link set eth0 down
}

# An island host (h3, no address) takes a lease from the home router's
# dnsmasq through the gateway's relay: dhclient's DISCOVER to its ACK
# (dhclient -1 returns once bound), a fresh lease file each time so every
# round is the whole exchange. Median and worst of N_DHCP: the first round
# also waits for dnsmasq's ping of the address it is about to offer (it
# offers nothing that answers: a proxy answering for nobody's addresses
# would leave it "no address available"), later rounds reuse that result.
measure_dhcp() {
	local p=$1 i t0 t1 ms samples=""
	[ "$DHCP_OK" = 1 ] || return 0
	[ "$p" = kproxy ] && return 0 # the kernel relays no DHCP
	ip -n "$NS_H3" link set eth0 up
	for i in $(seq "$N_DHCP"); do
		rm -f "$WORK/arp-h3.leases"
		t0=$(date +%s%N)
		if nsx "$NS_H3" timeout 10 "$DHCLIENT" -1 -4 -sf /bin/true -lf "$WORK/arp-h3.leases" \
			-pf "$WORK/arp-h3.dhclient.pid" eth0 >>"$WORK/arp.$p.dhclient.log" 2>&1; then
			t1=$(date +%s%N)
			ms=$(((t1 - t0) / 1000000))
		else
			ms=never
		fi
		samples+="$ms "
		nsx "$NS_H3" "$DHCLIENT" -x -pf "$WORK/arp-h3.dhclient.pid" >/dev/null 2>&1
	done
	ip -n "$NS_H3" link set eth0 down
	raw "$p.dhcp lease_ms=$samples"
	R[$p.dhcp_n]=$(tr ' ' '\n' <<<"$samples" | grep -c '^[0-9]')
	R[$p.dhcp_med]=$(tr ' ' '\n' <<<"$samples" | grep '^[0-9]' | sort -n | awk '{ l[NR] = $1 } END { if (NR) print l[int((NR + 1) / 2)] }')
	R[$p.dhcp_max]=$(tr ' ' '\n' <<<"$samples" | grep '^[0-9]' | sort -n | tail -1)
}

measure_scan() {
	local p=$1 cnt_pid
	h1_targets del
	ip -n "$NS_GW" -4 neigh flush all 2>/dev/null
	# the real hosts are known before the scan starts (as in bench/run.sh):
	# the scan measures what it does to a working proxy
	load scan.quiet --rate 0 --real "$H1_IP,$H2_IP" --real-rate "$RATE_REAL" --duration "$T_QUIET"
	R[$p.scan_quiet_pct]=$(kv "$LOAD" real_answered_pct)
	R[$p.scan_rss_before]=${DPID:+$(rss_kb "$DPID")}
	monitor_start scan
	bg_start "$NS_GW" "$BIN/arpload" -i eth0 --count-requests --label "$p.scan.downstream" \
		--series "$WORK/arp.$p.scan.ds" >"$WORK/arp.$p.scan.cnt"
	cnt_pid=$BG_PID
	load scan --rate "$SCAN_RATE" --duration "$T_SCAN" --prefix "$LAN" --random --skip "$SCAN_SKIP" \
		--real "$H1_IP,$H2_IP" --real-rate "$RATE_REAL"
	bg_stop "$cnt_pid"
	monitor_stop scan
	local cnt
	cnt=$(cat "$WORK/arp.$p.scan.cnt")
	raw "$cnt"
	log "  $cnt"
	R[$p.scan_rate]=$(kv "$LOAD" rate)
	R[$p.scan_real_pct]=$(kv "$LOAD" real_answered_pct) R[$p.scan_real_p99]=$(kv "$LOAD" real_p99_us)
	R[$p.scan_bogus]=$(kv "$LOAD" answered)
	R[$p.scan_ds_avg]=$(kv "$cnt" avg_per_s) R[$p.scan_ds_max]=$(kv "$cnt" max_per_s)
	R[$p.scan_cpu]=$(kv "$MON" cpu_pct) R[$p.scan_rss_peak]=$(kv "$MON" rss_peak_kb)
	sleep "$T_AFTER"
	R[$p.scan_rss_after]=${DPID:+$(rss_kb "$DPID")}
	load scan.after --rate 0 --real "$H1_IP,$H2_IP" --real-rate "$RATE_REAL" --duration 1
	R[$p.scan_after_pct]=$(kv "$LOAD" real_answered_pct)
	h1_targets add
}

# ---- table -------------------------------------------------------------------------

V() {
	local v=${R[$1.$2]:-}
	[ -n "$v" ] && [ "$v" != nan ] && printf '%s' "$v" || printf -- '-'
}
us() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else if (v >= 10000) printf "%.1fms", v / 1000; else printf "%.0fus", v }'; }
mb() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "-"; else printf "%.1fMB", v / 1024 }'; }
pct() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else printf "%.1f%%", v }'; }

row() {
	local label=$1 fn=$2 p
	printf '%-52s' "$label"
	for p in $PROGRAMS; do
		printf ' | %-26s' "$($fn "$p")"
	done
	printf '\n'
}
name() { case $1 in kproxy) echo "kernel proxy_arp" ;; parprouted) echo "parprouted (+dhcp-helper)" ;; arpecho) echo "floor (arpecho)" ;; *) echo "$1" ;; esac; }
c_lat() { echo "$(us "$(V "$1" "${2}_p50")") / $(us "$(V "$1" "${2}_p99")") ($(pct "$(V "$1" "${2}_ans")"))"; }
c_cold() { c_lat "$1" cold; }
c_l1k() { c_lat "$1" lat1000; }
c_l10k() { c_lat "$1" lat10000; }
c_cpu() { local v; v=$(V "$1" "cpu$2"); [ "$v" = - ] && echo - || echo "${v}us (${R[$1.user$2]} + ${R[$1.sys$2]}; ${R[$1.cpu${2}_range]})"; }
c_cpu1k() { c_cpu "$1" 1000; }
c_cpu10k() { c_cpu "$1" 10000; }
c_reach() { local v; v=$(V "$1" reach_ms); [[ $v =~ ^[0-9]+$ ]] && echo "$v ms" || echo "$v"; }
c_ghost() { V "$1" ghost_ans; }
c_dhcp() { local v; v=$(V "$1" dhcp_med); [ "$v" = - ] && echo - || echo "$v / $(V "$1" dhcp_max) ms ($(V "$1" dhcp_n) of $N_DHCP)"; }
c_idle() { mb "$(V "$1" rss_idle)"; }
c_sreal() { echo "$(pct "$(V "$1" scan_real_pct)"), p99 $(us "$(V "$1" scan_real_p99)")"; }
c_squiet() { pct "$(V "$1" scan_quiet_pct)"; }
c_sds() { echo "$(V "$1" scan_ds_avg) / $(V "$1" scan_ds_max)"; }
c_sbogus() { V "$1" scan_bogus; }
c_scpu() { local v; v=$(V "$1" scan_cpu); [ "$v" = - ] && echo - || echo "$v%"; }
c_srss() { echo "$(mb "$(V "$1" scan_rss_before)") > $(mb "$(V "$1" scan_rss_peak)") > $(mb "$(V "$1" scan_rss_after)")"; }
c_safter() { pct "$(V "$1" scan_after_pct)"; }

table() {
	row "measure" name
	row "ARP p50 / p99 (answered), cold, 50/s" c_cold
	row "ARP p50 / p99 (answered), 1k req/s" c_l1k
	row "ARP p50 / p99 (answered), 10k req/s" c_l10k
	row "CPU per answered request, 1k/s (usr + sys; range)" c_cpu1k
	row "CPU per answered request, 10k/s (usr + sys; range)" c_cpu10k
	row "new host's first packet -> laptop reaches it" c_reach
	row "answers for addresses nobody holds (of 50)" c_ghost
	row "DHCP lease through the relay, median / max" c_dhcp
	row "idle RSS" c_idle
	row "real-host requests answered before the scan" c_squiet
	row "/24 scan ${SCAN_RATE}/s: real-host requests answered" c_sreal
	row "  ARP requests downstream, avg / max per s" c_sds
	row "  answers for scanned addresses nobody holds" c_sbogus
	row "  daemon CPU (of one core)" c_scpu
	row "  RSS before > peak > ${T_AFTER} s after" c_srss
	row "  real-host requests answered after" c_safter
}

goals() {
	local p=islandd f=arpecho
	case " $PROGRAMS " in *" islandd "*) ;; *) echo "goals: islandd did not run"; return 0 ;; esac
	goal() {
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
	echo "goals (issue 15), islandd in this run:"
	goal "ARP p99 at 1k/s within 1.5x of the floor's ($(V $p lat1000_p99) vs $(V $f lat1000_p99) us)" 'a <= 1.5 * b' \
		"$(V $p lat1000_p99)" "$(V $f lat1000_p99)"
	goal "CPU per answered request at 1k/s within 1.5x of the floor's ($(V $p cpu1000) vs $(V $f cpu1000) us)" \
		'a <= 1.5 * b' "$(V $p cpu1000)" "$(V $f cpu1000)"
	goal "CPU per answered request at 10k/s within 1.5x of the floor's ($(V $p cpu10000) vs $(V $f cpu10000) us)" \
		'a <= 1.5 * b' "$(V $p cpu10000)" "$(V $f cpu10000)"
	goal "every request at 1k/s answered ($(V $p lat1000_ans) %)" 'a >= 100' "$(V $p lat1000_ans)"
	goal "/24 scan: 100 % of real-host requests answered ($(V $p scan_real_pct) %)" 'a >= 100' "$(V $p scan_real_pct)"
	goal "/24 scan: ARP requests downstream <= ${PROBE_BUDGET}/s in any 1 s (max $(V $p scan_ds_max))" \
		"a <= $PROBE_BUDGET" "$(V $p scan_ds_max)"
	goal "/24 scan: RSS flat, peak within 64 kB of before ($(V $p scan_rss_before) -> $(V $p scan_rss_peak) kB)" \
		'b - a <= 64' "$(V $p scan_rss_before)" "$(V $p scan_rss_peak)"
	goal "no answer for an address nobody holds ($(V $p ghost_ans) of 50 requests, $(V $p scan_bogus) in the scan)" \
		'a == 0 && b == 0' "$(V $p ghost_ans)" "$(V $p scan_bogus)"
}

# ---- main ----------------------------------------------------------------------------

main() {
	local progs_ok="" p
	for p in $PROGRAMS; do
		case $p in
		islandd)
			[ -x "$ISLANDD" ] || { log "bench: $ISLANDD not built, skipping islandd"; continue; }
			printf 'proxy lo {\n\trule %s {\n\t\tstatic\n\t}\n}\n' "$LAN" >"$WORK/arp.probe.conf"
			"$ISLANDD" -t -c "$WORK/arp.probe.conf" >/dev/null 2>"$WORK/arp.probe.err" ||
				{ log "bench: this islandd has no IPv4 proxy rules ($(head -1 "$WORK/arp.probe.err")), skipping it"; continue; } ;;
		parprouted) [ -x "$PARPROUTED" ] || { log "bench: $PARPROUTED missing, skipping parprouted"; continue; } ;;
		kproxy) ;;
		arpecho) [ -x "$BIN/arpecho" ] || { log "bench: $BIN/arpecho missing, skipping the floor"; continue; } ;;
		*) log "bench: unknown program $p"; continue ;;
		esac
		progs_ok+="$p "
	done
	PROGRAMS=$progs_ok
	[ -n "$PROGRAMS" ] || { log "bench: nothing to run"; exit 1; }
	local start rev load_before elapsed
	start=$(date +%s)
	rev="$(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- src 2>/dev/null || echo '+dirty')"
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	log "bench (IPv4): topology $BENCH_NS-*; programs: $PROGRAMS; quick=$QUICK"
	topo4_up || { log "bench: topology failed"; exit 1; }

	for p in $PROGRAMS; do
		log "== $p"
		# a fresh program for each part: a backlog the loads leave behind
		# (parprouted works through its queue for seconds) is not the next
		# measure's; the floor routes nothing and answers anything, so it
		# takes part in the latency and CPU measures only
		if [ "$p" != arpecho ]; then
			prog_start "$p" reach && measure_reach "$p" && measure_dhcp "$p"
			prog_stop
		fi
		prog_start "$p" latency && measure_latency "$p"
		prog_stop
		if [ "$p" != arpecho ]; then
			prog_start "$p" scan && measure_scan "$p"
			prog_stop
		fi
	done
	elapsed=$(($(date +%s) - start))

	local out=$WORK/arp_latest.txt
	{
		echo "make bench, IPv4 island$( [ "$QUICK" = 1 ] && echo ' (BENCH_QUICK=1)'), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, kernel $(uname -r), ${elapsed}s"
		echo "load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: compare columns)"
		echo "islandd $rev${BENCH_ISLANDD_NOTE:+ ($BENCH_ISLANDD_NOTE)}; parprouted $(dpkg-query -W -f '${Version}' parprouted 2>/dev/null); dhcp-helper $("$DHCP_HELPER" -v 2>/dev/null | head -1 | awk '{ print $NF }'); dnsmasq $(dpkg-query -W -f '${Version}' dnsmasq 2>/dev/null)"
		echo
		table
		echo
		goals
		echo
		echo "latency: kernel receive time of the reply minus send time of the oldest unanswered request for its target;"
		echo "  targets: $N_TARGETS addresses of h1 cycled; cold = the first request for each at 50/s; ${T_LAT}s per rate."
		echo "CPU: the daemon's utime+stime (/proc/PID/stat) over answered requests, median of 3 runs (${T_LAT}s, ${T_CPU}s, ${T_CPU}s);"
		echo "  the kernel's proxy_arp runs in softirq"
		echo "  context and is charged to no process (-)."
		echo "reachability: h3 comes up and pings the laptop; the laptop pings h3 every 20 ms (ARP retry 100 ms)."
		echo "scan: after ${T_QUIET}s of requests for h1 and h2 alone, random addresses of $LAN (not $SCAN_SKIP) at ${SCAN_RATE}/s for ${T_SCAN}s while h1 and h2 are asked for"
		echo "  at $RATE_REAL/s in all; h1's $N_TARGETS extra addresses are removed first, so a scanned address answered is nobody's."
		echo "DHCP: dhclient on h3 takes a lease from dnsmasq on the laptop's link through the gateway's relay (islandd's"
		echo "  dhcp4-relay, dhcp-helper -s $LAP_IP -i eth0 beside parprouted); $N_DHCP rounds, a fresh lease file each; the first"
		echo "  also waits for dnsmasq's ping of the address it offers."
		echo "kernel proxy_arp: routes $H1_IP, $H2_IP, $H3_IP/32 and $NET.128/25 via eth0 by hand; it answers for all of them."
		echo
		echo "raw:"
		cat "$RAW"
	} >"$out"
	if [ "$QUICK" != 1 ]; then
		mkdir -p "$RESULTS" && cp "$out" "$RESULTS/arp_latest.txt"
	fi
	echo
	sed '/^raw:$/,$d' "$out"
	echo "written: $out$( [ "$QUICK" != 1 ] && echo " $RESULTS/arp_latest.txt")"
	[ "$FAILS" = 0 ] || { log "bench: $FAILS measure(s) failed"; return 1; }
}

main "$@"; exit
