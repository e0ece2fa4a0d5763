#!/usr/bin/env bash
# Fault: the proxy interface (wlan0) and the downstream (eth0) of the seed-000
# gateway go down and up 100 times each. Afterwards islandd holds as many
# file descriptors and about as much memory as before, the kernel counts one
# allmulti holder on wlan0 (ours, not one per flap), a real NS for pi41 is
# answered, the pis' sessions and routes come back with traffic, and the
# daemon idles. NS load (static targets) runs through the flaps, so NAs are
# sent into links that are going down.
set -u
. "$(dirname "$0")/../lib/faults.sh"
need_root faults_ifflap
need_cmd jq "$ISL_PY"
need_islandd
need_ndload
netns_init
# the load is NS for a static /80 nobody is behind: too many addresses to
# join their groups, so a snooping access point would never forward them
ISL_BRIDGE=dumb island000_build
FLAPS=${FLAPS:-100}

start_islandd gw "$(proxy_island_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
PID=$(islandd_pid gw)

# flap IF N: N down/up cycles of gw's IF, back to back.
flap() {
	local i
	for (( i = 0; i < $2; i++ )); do
		nsip gw link set "$1" down && nsip gw link set "$1" up || return 1
	done
}
# settled: islandd sees both links up again and listens on wlan0 with allmulti.
settled() {
	ctl gw status --json | jq -e '
		([.proxies[] | select(.iface == "wlan0") | .state] == ["up"]) and
		([.proxies[].rules[] | .iface_state | select(. != null)] | all(. == "up")) and
		([.ports[] | select(.iface == "wlan0") | .allmulti] == [true])' >/dev/null
}

check "traffic reaches both pis" "no echo reply" island_traffic
check "both routes installed" "routes: $(routes73 gw)" both_routed
# Warm-up: one short round, so what is allocated on the first flap (buffers,
# the sanitizer's own tables) is in the baseline, not in the difference.
flap wlan0 5 && flap eth0 5
wait_for 5 settled
island_traffic >/dev/null
# the baseline once the warm-up's sessions and routes are back
wait_for 5 both_routed
wait_for 5 settled
FD0=$(proc_fds "$PID")
RSS0=$(proc_rss_kb "$PID")
AM0=$(allmulti_count gw wlan0)
AM0_ETH=$(allmulti_count gw eth0)
note "before: fds $FD0, VmRSS $RSS0 kB, allmulti wlan0 $AM0, eth0 $AM0_ETH"
check "before the flaps the kernel counts one allmulti holder on wlan0 (islandd's)" "allmulti $AM0" test "$AM0" = 1

ndload_bg laptop "$ISL_RUN/flapload.txt" -i wlan0 --prefix "$STATIC_PREFIX" --seq 500 --rate 200 --duration 600 --linger 200
t0=$(now_ms)
ok_flap=1
for (( n = 0; n < FLAPS; n++ )); do
	flap wlan0 1 && flap eth0 1 || { ok_flap=; break; }
done
t1=$(now_ms)
ndload_stop
note "load during the flaps: $(cat "$ISL_RUN/flapload.txt")"
check "$FLAPS down/up cycles of wlan0 and of eth0 ($((t1 - t0)) ms)" "ip link failed at cycle $n" test -n "$ok_flap"
check "islandd is still running" "gone: $(tail -n 5 "$(islandd_log gw)")" islandd_running gw
check "islandd sees wlan0 and eth0 up again" "$(ctl gw status --json | jq -c '[.proxies, .ports]')" wait_for 10 settled

FD1=$(proc_fds "$PID")
RSS1=$(proc_rss_kb "$PID")
AM1=$(allmulti_count gw wlan0)
AM1_ETH=$(allmulti_count gw eth0)
note "after: fds $FD1, VmRSS $RSS1 kB, allmulti wlan0 $AM1, eth0 $AM1_ETH"
check "fd count flat ($FD0 -> $FD1)" "$(ls -l "/proc/$PID/fd" | tail -n +2)" test "$FD1" -eq "$FD0"
check "RSS flat ($RSS0 -> $RSS1 kB, margin 512 kB or 5 %)" "grew by $((RSS1 - RSS0)) kB" within_kb "$RSS0" "$RSS1" 512 5
check "allmulti on wlan0 back to one holder ($AM0 -> $AM1)" "allmulti $AM1" test "$AM1" = 1
check "allmulti on eth0 unchanged ($AM0_ETH -> $AM1_ETH)" "allmulti $AM1_ETH" test "$AM1_ETH" = "$AM0_ETH"

# Multicast reception: a real NS to pi41's solicited-node group is answered.
check "an NS for pi41 (solicited-node multicast) is answered" "no NA" \
	wait_for 10 nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 1 \
	--check "ether_src=$(mac_addr gw wlan0)" --check S=1
L=$(ndload laptop -i wlan0 --prefix "$STATIC_PREFIX" --seq 500 --rate 500 --count 1000)
note "load after the flaps: $L"
check "static targets answered after the flaps ($(kv answered "$L")/$(kv sent "$L"))" "$L" \
	pct_at_least "$(kv answered_pct "$L")" 99
check "traffic reaches both pis after the flaps" "no echo reply" island_traffic
check "both routes are back" "routes: $(routes73 gw)" wait_for 5 both_routed
check "both sessions valid" "$(ctl gw sessions 2>&1)" \
	eval '[ "$(session_state gw "$PI41_ADDR")" = valid ] && [ "$(session_state gw "$PI42_ADDR")" = valid ]'
check "islandctl routes matches the kernel" "ctl: $(ctl gw routes --json | jq -c '[.routes[].dst]') kernel: $(routes73 gw | awk '{print $1}' | tr '\n' ' ')" \
	test "$(ctl gw routes --json | jq -r '.routes[].dst' | sort | tr '\n' ' ')" = \
	"$(routes73 gw | awk '{d = $1; if (d !~ /\//) d = d "/128"; print d}' | sort | tr '\n' ' ')"

# Idle afterwards: no timer or socket left spinning by the flaps.
CPU=$(cpu_pct "$PID" 5)
check "idle after the flaps: ${CPU} % CPU over 5 s (< 3 %)" "busy" below "$CPU" 3
note "figures: fds $FD0 -> $FD1, VmRSS $RSS0 -> $RSS1 kB, allmulti wlan0 $AM0 -> $AM1, idle CPU $CPU %"

finish_islandd gw
check "no proto $ISLANDD_RTPROTO route left at the end" "left: $(routes73 gw)" test -z "$(routes73 gw)"
test_status
