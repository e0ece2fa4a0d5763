# The hostile-input suite (tests/integ/4x_hostile_*.sh): the seed-000 island
# with every part of islandd on, captures of what the gateway sends, and a
# case runner that checks the four things issue 7 asks of each hostile
# packet:
#   1. no reply: nothing matching the case's reply patterns in the captures
#      of what the gateway sent during the case's window;
#   2. the named counters moved by exactly (or at least) the expected amount;
#   3. no state grew: sessions, islandd's routes, the relay's routers,
#      prefixes, routes, RDNSS, DNSSL and hosts, the mDNS links' learned
#      flags all equal before and after; the daemon's anonymous resident
#      memory (RssAnon: heap, stacks; code paged in for the first time is
#      file-backed and does not count) within a margin, read with no
#      islandctl call in between (under ASan every control request leaves
#      freed memory in quarantine: RSS moves with them, not with packets);
#   4. a legitimate request is answered right after.
#
#   hostile_island_build     island000 (tests/lib/netns.sh) + dumb bridges,
#                            GW_ETH_MAC, captures "up" (laptop wlan0) and
#                            "down" (pi41 eth0) of frames from the gateway
#   hostile_conf             the seed-000 proxy + ra-relay wlan0 + mdns block
#   hsend NS IF SHAPE K=V... tests/lib/hostile.py send in NS
#   hpy NS ARGS...           tests/lib/hostile.py ARGS in NS
#   hcap_start NS IF NAME MAC / hcap_lines NAME T0 T1 / hcap_count NAME T0 T1 ERE
#   hsnap FILE               counters + state of the daemon in gw, "key value" lines
#   hcase NAME [expect=K=N|K>=N|K<=N]... [reply=CAP:ERE]... [window=S]
#         [legit=FN] [pre=FN] [rss=KB] [state=FN] -- CMD...
#
# Each hcase prints "ok NAME (...)" or "not ok NAME - every check that failed".

# shellcheck source=islandd.sh
. "$(dirname "${BASH_SOURCE[0]}")/islandd.sh"

HOSTILE_PY=$ISL_LIB/hostile.py
# Snapshots take four control requests per case; the ASan client needs
# 0.2 s just to start, the plain one (make all builds it) 5 ms. The client
# is not what this suite tests: the daemon is.
if [ -z "${HOSTILE_CTL:-}" ]; then
	HOSTILE_CTL=$ISLANDCTL
	[ -x "$ISL_REPO/build/islandctl" ] && HOSTILE_CTL=$ISL_REPO/build/islandctl
fi
hctl() { "$HOSTILE_CTL" -S "$(islandd_sock gw)" "$@"; }
# Kept by every case, for the summary line and the report.
HOSTILE_CASES=0
HOSTILE_T0=$(date +%s)
HOSTILE_RSS_START=
# What each case's sender and legitimate request printed (kept with the logs).
HOSTILE_LOG=

hpy() {
	local ns=$1; shift
	nsexec "$ns" "$ISL_PY" "$HOSTILE_PY" "$@"
}

hsend() {
	local ns=$1 iface=$2; shift 2
	hpy "$ns" send "$iface" "$@"
}

# --- topology -----------------------------------------------------------------

hostile_conf() {
	island000_conf
	cat <<'EOF'
ra-relay wlan0 {
	iface eth0
}
mdns {
	iface wlan0
	iface eth0
}
EOF
}

# hostile_island_build: the seed-000 island. The switches are made dumb:
# Linux bridges with br_netfilter loaded, or with MLD snooping on, check
# IPv6 headers (payload length, version) and drop what a hardware switch
# forwards, so our malformed frames would never reach the gateway; and the
# floods are solicitations for groups nobody joined (random targets), which
# a snooping switch forwards to no one.
hostile_island_build() {
	ISL_BRIDGE=dumb island000_build
	local ns
	for ns in isp sw; do
		nssysctl "$ns" net.bridge.bridge-nf-call-ip6tables=0 2>/dev/null || true
		nssysctl "$ns" net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
	done
	# ... and silent: no IPv6 on the cluster switch (its bridge and ports
	# would solicit routers and autoconfigure from the relayed RAs, each
	# port on its own, straight at the gateway) nor on the ISP switch's
	# ports (its br0 is the ISP router and keeps its addresses).
	local i
	for i in br0 p-gw p-pi41 p-pi42; do nssysctl sw "net.ipv6.conf.$i.disable_ipv6=1"; done
	for i in p-gw p-laptop; do nssysctl isp "net.ipv6.conf.$i.disable_ipv6=1"; done
	GW_ETH_MAC=$(mac_addr gw eth0)
	[ -n "$GW_ETH_MAC" ] || die "no MAC on gw eth0"
}

# hostile_captures: what the gateway sends, seen where it arrives: on the
# laptop (upstream link) and on pi41 (cluster link).
hostile_captures() {
	hcap_start laptop wlan0 up "$GW_WLAN_MAC" || die "capture on laptop wlan0 did not start"
	hcap_start pi41 eth0 down "$GW_ETH_MAC" || die "capture on pi41 eth0 did not start"
}

# --- captures -------------------------------------------------------------------

declare -A HCAP_PID=()
hcap_file() { printf '%s/cap-%s.pcap' "$ISL_RUN" "$1"; }
# hcap_stop NAME: end a capture (what it holds stays readable).
hcap_stop() { kill "${HCAP_PID[$1]:-}" 2>/dev/null; wait "${HCAP_PID[$1]:-}" 2>/dev/null; }

# hcap_start NS IF NAME MAC: frames arriving on IF in NS with Ethernet
# source MAC (inbound only, so what a test host itself sends with a
# borrowed MAC is not counted), written per packet.
hcap_start() {
	hcap_start_filter "$1" "$2" "$3" in "ether src $4"
}

# hcap_start_filter NS IF NAME DIRECTION FILTER: any capture (DIRECTION: in,
# out, inout).
hcap_start_filter() {
	local ns=$1 iface=$2 name=$3 dir=$4 filter=$5 err pid
	err=$ISL_RUN/cap-$name.err
	nsexec "$ns" tcpdump -Z root -i "$iface" -Q "$dir" -U --immediate-mode -n -s 0 \
		-w "$(hcap_file "$name")" "$filter" 2>"$err" &
	pid=$!
	HCAP_PID[$name]=$pid
	at_cleanup "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
	wait_for 5 grep -q 'listening on' "$err"
}

# hcap_lines NAME T0 T1: the captured packets with T0 <= time <= T1 (epoch
# seconds), one line each: tcpdump -v's text with continuation lines joined.
hcap_lines() {
	local f
	f=$(hcap_file "$1")
	[ -s "$f" ] || return 0
	tcpdump -r "$f" -n -tt -v 2>/dev/null | awk -v t0="$2" -v t1="$3" '
		function flush() { if (rec != "" && ts >= t0 + 0 && ts <= t1 + 0) print rec }
		/^[0-9]+\.[0-9]+ / { flush(); rec = $0; ts = $1; next }
		{ sub(/^[ \t]+/, " "); rec = rec $0 }
		END { flush() }'
}

# hcap_count NAME T0 T1 ERE: how many of those match ERE.
hcap_count() {
	hcap_lines "$1" "$2" "$3" | grep -cE -- "$4"
}

# hcap_size NAME: bytes written so far (cheap: no parsing).
hcap_size() { stat -c %s "$(hcap_file "$1")" 2>/dev/null || echo 0; }

now_s() { date +%s.%N; }

# --- daemon state -----------------------------------------------------------------

# hsnap FILE: counters and state of the daemon in gw, one "key value" line
# each: nd.* (islandctl stats: parse drops and proxy counters), ra.* (RA
# counters), mdns.* (mdns counters, mdns.drops.*, mdns.dns_drops.*) and
# state.*. One jq run; plain text so that reading a value is cheap.
hsnap() {
	local out=$1 r73
	r73=$(routes73 gw | wc -l)
	{
		hctl stats --json && hctl ra --json && hctl mdns --json
	} 2>/dev/null | jq -s -r --argjson r73 "$r73" '
		def flat(p): [paths(scalars) as $k | {key: (p + ($k | map(tostring) | join("."))), value: getpath($k)}] | from_entries;
		if length != 3 then error("islandctl did not answer") else . end |
		(.[0].counters | flat("nd.")) + (.[1].counters | flat("ra.")) + (.[2].mdns.counters | flat("mdns.")) + {
			"state.sessions": .[0].counters.sessions,
			"state.routes73": $r73,
			"state.ra_routers": ([.[1].relays[].routers[]] | length),
			"state.ra_prefixes": ([.[1].relays[].prefixes[]] | length),
			"state.ra_routes": ([.[1].relays[].routes[]] | length),
			"state.ra_rdnss": ([.[1].relays[].rdnss[]] | length),
			"state.ra_dnssl": ([.[1].relays[].dnssl[]] | length),
			"state.ra_hosts": ([.[1].relays[].downstreams[].hosts[]] | length),
			"state.mdns_local_stack": ([.[2].mdns.interfaces[] | select(.local_stack)] | length)
		} | to_entries[] | "\(.key) \(.value)"' >"$out" && [ -s "$out" ]
}

# hval FILE KEY: one value of a snapshot (empty when absent).
hval() { awk -v k="$2" '$1 == k {print $2; exit}' "$1"; }

# hstate_diff BEFORE AFTER: the state.* keys that differ, "key a->b" each.
hstate_diff() {
	awk 'NR == FNR {if ($1 ~ /^state\./) a[$1] = $2; next}
	     $1 ~ /^state\./ && a[$1] != $2 {printf "%s%s %s->%s", sep, $1, a[$1], $2; sep = ", "}' "$1" "$2"
}

# hdelta BEFORE AFTER KEY...: "KEY DELTA" for each KEY present in both.
hdelta() {
	local b=$1 a=$2; shift 2
	awk -v keys="$*" 'BEGIN {n = split(keys, k, " "); for (i = 1; i <= n; i++) want[k[i]] = 1}
	     NR == FNR {if ($1 in want) v[$1] = $2; next}
	     ($1 in want) && ($1 in v) {print $1, $2 - v[$1]}' "$b" "$a"
}

# hostile_settle: until the relay has learned the upstream router and
# prefix (30 s at most); then the gateway pings pi41 and pi42 (their NAs
# teach the relay where they are, as the proxy's keepalive probes would,
# later, in the middle of a case); then until two snapshots a second apart
# show the same state (15 s at most), so background learning does not land
# inside a case.
hostile_settle() {
	local i a=$ISL_RUN/settle-a b=$ISL_RUN/settle-b
	wait_for 30 _hostile_relay_learned || warn "the relay learned nothing upstream in 30 s"
	# only now: hosts are learned in the prefixes the relay knows
	nsexec gw ping -6 -n -c 1 -W 1 "$PI41_ADDR" >/dev/null 2>&1
	nsexec gw ping -6 -n -c 1 -W 1 "$PI42_ADDR" >/dev/null 2>&1
	hsnap "$a"
	for i in $(seq 15); do
		sleep 1 # time is tested: the state holds still for a second
		hsnap "$b"
		HOSTILE_RSS_START=$(hrss)
		[ -z "$(hstate_diff "$a" "$b")" ] && return 0
		cp "$b" "$a"
	done
	warn "state still moving: $(hstate_diff "$a" "$b")"
}
_hostile_relay_learned() {
	hsnap "$ISL_RUN/settle-r" &&
		[ "$(hval "$ISL_RUN/settle-r" state.ra_prefixes)" -ge 1 ] &&
		[ "$(hval "$ISL_RUN/settle-r" state.ra_routers)" -ge 1 ]
}

# hneigh_note: a note when the host-wide IPv6 neighbour table is (nearly)
# full. It is shared by every namespace (gc_thresh3, 1024 by default); when
# full, sends through sockets to multicast groups fail with EINVAL, in any
# namespace, the daemon's mDNS copies included.
hneigh_note() {
	local n max
	n=$(awk 'NR == 2 {print $1}' /proc/net/stat/ndisc_cache 2>/dev/null)
	[ -n "$n" ] && n=$((16#$n))
	max=$(cat /proc/sys/net/ipv6/neigh/default/gc_thresh3 2>/dev/null)
	[ -n "$n" ] && [ -n "$max" ] && [ "$n" -ge $((max - 8)) ] &&
		echo "(the host-wide IPv6 neighbour table holds $n entries, gc_thresh3 $max: multicast sends fail with EINVAL in every namespace)"
	return 0
}

hrss() { awk '/^RssAnon:/ {print $2}' "/proc/$(islandd_pid gw)/status" 2>/dev/null; }

# --- the case runner ----------------------------------------------------------------

# hcase NAME [options] -- CMD...
#   expect=KEY=N    the snapshot value KEY grew by exactly N (KEY>=N, KEY<=N too)
#   reply=CAP:ERE   no packet from the gateway in capture CAP (up, down)
#                   matching ERE during the window
#   window=S        how long after CMD replies are waited for (default 0.4)
#   legit=FN        a legitimate request, run after; must succeed
#   pre=FN          run first (e.g. wait for a quiet moment)
#   rss=KB          most RssAnon growth allowed (default 64)
#   state=FN        FN BEFORE AFTER decides about state instead of equality
#                   (prints why and fails when it grew too much)
#   check=FN        FN T0 T1 BEFORE AFTER: one more check of the case
#                   (prints what it saw; fails with the reason)
hcase() {
	local name=$1; shift
	local expects=() replies=() window=0.4 legit="" pre="" rss_max=64 statefn="" checkfn=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		case $1 in
		expect=*) expects+=("${1#expect=}") ;;
		reply=*) replies+=("${1#reply=}") ;;
		window=*) window=${1#window=} ;;
		legit=*) legit=${1#legit=} ;;
		pre=*) pre=${1#pre=} ;;
		rss=*) rss_max=${1#rss=} ;;
		state=*) statefn=${1#state=} ;;
		check=*) checkfn=${1#check=} ;;
		*) die "hcase $name: unknown option $1" ;;
		esac
		shift
	done
	[ "${1:-}" = "--" ] || die "hcase $name: no -- before the command"
	shift
	HOSTILE_CASES=$((HOSTILE_CASES + 1))
	[ -n "$HOSTILE_LOG" ] || HOSTILE_LOG=$ISL_KEEP/hostile-cases.log
	local before=$ISL_RUN/snap-before after=$ISL_RUN/snap-after
	local why=() info=() t0 t1 out rss0 rss1 e key op want d r cap ere n start
	start=$(now_s)

	[ -n "$pre" ] && $pre
	local -A size0=()
	for r in "${replies[@]}"; do size0[${r%%:*}]=$(hcap_size "${r%%:*}"); done
	if ! hsnap "$before"; then
		not_ok "$name" "islandctl does not answer before the case (daemon dead?)"
		return
	fi
	rss0=$(hrss)
	t0=$(now_s)
	if ! out=$("$@" 2>&1); then
		why+=("sender failed: $(tail -n 2 <<<"$out" | tr '\n' ' ')")
	fi
	printf '=== %s\n--- sender: %s\n%s\n' "$name" "$*" "$out" >>"$HOSTILE_LOG"
	# time is tested: the window is how long a reply may take to be sent
	sleep "$window"
	# The counters the case expects to grow are the proof the daemon took
	# the input. If they have not grown yet (a loaded machine), wait for
	# them, then give the input its whole window again before "no reply".
	if ! _hcase_received "$before" "${expects[@]}"; then
		wait_for 5 _hcase_received "$before" "${expects[@]}"
		sleep "$window"
	fi
	t1=$(now_s)
	rss1=$(hrss)
	if ! islandd_running gw || ! hsnap "$after"; then
		not_ok "$name" "the daemon died or stopped answering; log: $(tail -n 3 "$(islandd_log gw)" | tr '\n' ' ')"
		return
	fi

	# 1. no reply (a capture that did not grow holds nothing new)
	for r in "${replies[@]}"; do
		cap=${r%%:*}
		ere=${r#*:}
		[ "$(hcap_size "$cap")" = "${size0[$cap]}" ] && continue
		n=$(hcap_count "$cap" "$t0" "$t1" "$ere")
		if [ "${n:-0}" -gt 0 ]; then
			why+=("$n replies on $cap: $(hcap_lines "$cap" "$t0" "$t1" | grep -E -m1 -- "$ere" | cut -c1-220)")
		fi
	done
	# 2. counters
	local keys=() specs=()
	for e in "${expects[@]}"; do
		[[ $e =~ ^([^<>=]+)(>=|<=|=)(-?[0-9]+)$ ]] || die "hcase $name: bad expect=$e"
		keys+=("${BASH_REMATCH[1]}")
		specs+=("${BASH_REMATCH[2]} ${BASH_REMATCH[3]}")
	done
	local -A delta=()
	while read -r key d; do delta[$key]=$d; done < <(hdelta "$before" "$after" "${keys[@]}")
	local k
	for k in "${!keys[@]}"; do
		key=${keys[$k]}
		read -r op want <<<"${specs[$k]}"
		d=${delta[$key]:-}
		if [ -z "$d" ]; then
			why+=("no counter $key")
			continue
		fi
		info+=("$key +$d")
		case $op in
		=) [ "$d" -eq "$want" ] || why+=("$key moved by $d, expected $want") ;;
		">=") [ "$d" -ge "$want" ] || why+=("$key moved by $d, expected at least $want") ;;
		"<=") [ "$d" -le "$want" ] || why+=("$key moved by $d, expected at most $want") ;;
		esac
	done
	if [ -n "$checkfn" ]; then
		if ! out=$($checkfn "$t0" "$t1" "$before" "$after"); then why+=("$out"); else info+=("$out"); fi
	fi
	# 3. state and memory
	if [ -n "$statefn" ]; then
		if ! out=$($statefn "$before" "$after"); then why+=("state: $out"); else info+=("$out"); fi
	else
		d=$(hstate_diff "$before" "$after")
		[ -z "$d" ] || why+=("state changed: $d")
	fi
	if [ -n "$rss0" ] && [ -n "$rss1" ]; then
		info+=("rss +$((rss1 - rss0)) kB")
		[ $((rss1 - rss0)) -le "$rss_max" ] || why+=("RssAnon grew by $((rss1 - rss0)) kB ($rss0 -> $rss1), allowed $rss_max")
	else
		why+=("cannot read RssAnon of the daemon")
	fi
	# 4. a legitimate request is still answered
	if [ -n "$legit" ]; then
		if ! out=$($legit 2>&1); then why+=("legitimate request not answered after it: $(tr '\n' ' ' <<<"$out" | cut -c1-300)")
		else info+=("legit ok"); fi
		printf -- '--- legit: %s\n%s\n' "$legit" "$out" >>"$HOSTILE_LOG"
	fi
	islandd_running gw || why+=("the daemon is gone")

	info+=("$(awk -v a="$start" -v b="$(now_s)" 'BEGIN {printf "%.1f s", b - a}')")
	if [ ${#why[@]} -eq 0 ]; then
		ok "$name ($(hjoin ", " "${info[@]}"))"
	else
		not_ok "$name" "$(hjoin "; " "${why[@]}") [seen: $(hjoin ", " "${info[@]}")]"
	fi
}

# _hcase_received BEFORE SPEC...: every counter of an expect= spec that must
# grow (KEY=N or KEY>=N with N > 0) has grown by N since the snapshot BEFORE.
_hcase_received() {
	local before=$1 e now=$ISL_RUN/snap-received k n d
	shift
	local -a keys=() wants=()
	for e in "$@"; do
		[[ $e =~ ^([^<>=]+)(>=|=)([0-9]+)$ ]] && [ "${BASH_REMATCH[3]}" -gt 0 ] || continue
		keys+=("${BASH_REMATCH[1]}")
		wants+=("${BASH_REMATCH[3]}")
	done
	[ ${#keys[@]} -eq 0 ] && return 0
	hsnap "$now" || return 1
	local -A delta=()
	while read -r k d; do delta[$k]=$d; done < <(hdelta "$before" "$now" "${keys[@]}")
	for n in "${!keys[@]}"; do
		[ "${delta[${keys[$n]}]:-0}" -ge "${wants[$n]}" ] || return 1
	done
}

# hjoin SEP ITEM...: the items with SEP between them.
hjoin() {
	local sep=$1 out="" x
	shift
	for x in "$@"; do out+="${out:+$sep}$x"; done
	printf '%s' "$out"
}

# hostile_summary: one line for the logs and the README table.
hostile_summary() {
	note "$HOSTILE_CASES hostile cases in $(( $(date +%s) - HOSTILE_T0 )) s; daemon RssAnon $HOSTILE_RSS_START kB after settling, $(hrss) kB now"
}
