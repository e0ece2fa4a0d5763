#!/usr/bin/env bash
# Fault: 100 SIGHUPs while NS load flows, the configuration file cycling
# through two valid configurations (A: proxy + mdns reflector; B: proxy with
# one more static rule + an RA relay) and a broken one (C). islandd never
# crashes, each reload is taken (C refused, the running one kept), answers
# keep flowing, the pis' sessions and routes (in both A and B) are kept.
# Then the loss is split: reloads that keep the set of ND messages islandd
# listens for (A <-> A2) and reloads that change it (A <-> B: the relay adds
# RAs and RSs), each 20 times under load.
set -u
. "$(dirname "$0")/../lib/faults.sh"
need_root faults_sighup
need_cmd jq "$ISL_PY"
need_islandd
need_ndload
netns_init
# the load is NS for a static /80 nobody is behind: too many addresses to
# join their groups, so a snooping access point would never forward them
ISL_BRIDGE=dumb island000_build
RELOADS=${RELOADS:-100}
EXTRA=2001:db8:abc:123:60::1

CONF_A="$(proxy_island_conf)
mdns {
	iface wlan0
	iface eth0
}"
CONF_B="proxy wlan0 {
	autowire yes
	rule 2001:db8:abc:123:40::/76 {
		iface eth0
	}
	rule $STATIC_PREFIX {
		static
	}
	rule 2001:db8:abc:123:60::/80 {
		static
	}
}
ra-relay wlan0 {
	iface eth0
	learn-hosts no
}"
CONF_A2="$CONF_A
proxy eth0 {
	rule 2001:db8:abc:123:60::/80 {
		static
	}
}"
CONF_C="$(proxy_island_conf)
proxy eth0 {
	rule 2001:db8::/64 { static
}"

start_islandd gw "$CONF_A" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
PID=$(islandd_pid gw)
write_islandd_conf gw "$CONF_C"
check "config C is refused by islandd -t (the broken one)" "accepted" \
	_isl_not "$ISLANDD" -t -c "$(islandd_conf gw)"
write_islandd_conf gw "$CONF_A"
check "traffic reaches both pis" "no echo reply" island_traffic
check "both routes installed" "routes: $(routes73 gw)" both_routed

status_field() { ctl gw status --json | jq -r ".$1"; }
# Reloads finished (taken or refused), from the log: cheaper than islandctl
# between signals. The status counters are compared with it at the end.
reload_count() { grep -cE 'configuration reloaded from|reload failed, keeping' "$(islandd_log gw)"; }
# reload_wait N: until more than N reloads finished (5 s).
reload_wait() { wait_for 5 eval "[ \"\$(reload_count)\" -gt $1 ]"; }
REMOVED0=$(counter gw route_removed)
AGE0=$(ctl gw sessions --json | jq --arg t "$PI41_ADDR" '.sessions[] | select(.target == $t) | .age_ms')

ndload_bg laptop "$ISL_RUN/load.txt" -i wlan0 --prefix "$STATIC_PREFIX" --seq 2000 --rate 1000 \
	--real "$PI41_ADDR,$PI42_ADDR" --real-rate 50 --duration 600 --linger 500
wait_for 10 counter_at_least gw tx_na $(( $(counter gw tx_na) + 300 )) # the load is answered
t0=$(now_ms)
lost=0 crashed=
for (( i = 0; i < RELOADS; i++ )); do
	case $((i % 3)) in
	0) write_islandd_conf gw "$CONF_B" ;;
	1) write_islandd_conf gw "$CONF_C" ;;
	2) write_islandd_conf gw "$CONF_A" ;;
	esac
	n=$(reload_count)
	kill -HUP "$PID" 2>/dev/null || { crashed="at reload $i"; break; }
	reload_wait "$n" || lost=$((lost + 1))
	islandd_running gw || { crashed="after reload $i"; break; }
done
dt=$(( $(now_ms) - t0 ))
# the load goes on against the last configuration and is answered
wait_for 10 counter_at_least gw tx_na $(( $(counter gw tx_na) + 300 ))
ndload_stop
L=$(cat "$ISL_RUN/load.txt")
note "load during $RELOADS reloads ($dt ms): $L"
check "islandd survives $RELOADS SIGHUPs under load" "crashed ${crashed}: $(tail -n 20 "$(islandd_log gw)")" \
	test -z "$crashed"
OKS=$(status_field reloads)
FAILS=$(status_field reload_failures)
WANT_FAILS=$(( (RELOADS + 1) / 3 ))
check "every SIGHUP was taken: $OKS reloads, $FAILS refused ($lost not seen)" "lost $lost" \
	test "$lost" -eq 0 -a $((OKS + FAILS)) -eq "$RELOADS"
check "the broken config was refused each time ($FAILS of $WANT_FAILS)" "" test "$FAILS" -eq "$WANT_FAILS"
# "Keep flowing": the exact loss per kind of reload is measured below.
check "static targets answered through the reloads ($(kv answered "$L")/$(kv sent "$L"), >= 90 %)" "$L" \
	pct_at_least "$(kv answered_pct "$L")" 90
check "the pis answered through the reloads ($(kv real_by_addr "$L"), >= 90 %)" "$L" \
	pct_at_least "$(kv real_answered_pct "$L")" 90
AGE1=$(ctl gw sessions --json | jq --arg t "$PI41_ADDR" '.sessions[] | select(.target == $t) | .age_ms')
check "pi41's session was kept across the reloads (age $AGE0 -> $AGE1 ms)" "$(ctl gw sessions 2>&1)" \
	test "${AGE1:-0}" -ge $(( ${AGE0:-0} + dt ))
check "both routes still there, none removed ($REMOVED0 -> $(counter gw route_removed))" "routes: $(routes73 gw)" \
	eval 'both_routed && [ "$(counter gw route_removed)" = "$REMOVED0" ]'
note "log: $(grep -c 'reload failed, keeping' "$(islandd_log gw)") refused, last kept: $(grep -o '[0-9]* of [0-9]* sessions kept' "$(islandd_log gw)" | tail -n 1)"

# The last good one is in force; C leaves it so; the next good one replaces it.
reload_to() { local n; write_islandd_conf gw "$2"; n=$(reload_count); kill -HUP "$PID"; reload_wait "$n"; }
NA0=$(counter gw tx_na)
reload_to gw "$CONF_B"
NA1=$(counter gw tx_na)
check "islandctl stats counters survive a reload (tx_na $NA0 -> $NA1)" "reset" test "${NA1:-0}" -ge "${NA0:-1}"
check "config B in force: its extra static rule answers" "no NA" \
	nd laptop ns --iface wlan0 --target "$EXTRA" --expect na --timeout 1
check "config B in force: the RA relay runs" "$(ctl gw ra 2>&1 | head -3)" jqe '.relays | length == 1' <<<"$(ctl gw ra --json)"
reload_to gw "$CONF_C"
check "after the broken C, B still answers its extra rule" "no NA" \
	nd laptop ns --iface wlan0 --target "$EXTRA" --expect na --timeout 1
reload_to gw "$CONF_A"
check "config A in force: the extra rule no longer answers" "answered" \
	nd laptop ns --iface wlan0 --target "$EXTRA" --expect none --timeout 1
check "config A in force: the mdns reflector runs, the relay is gone" "$(ctl gw status --json | jq -c '{mdns, ra}')" \
	jqe '.mdns == true and .ra == false' <<<"$(ctl gw status --json)"
L=$(ndload laptop -i wlan0 --prefix "$STATIC_PREFIX" --seq 2000 --rate 1000 --count 2000 --real "$PI41_ADDR,$PI42_ADDR" --real-rate 50)
check "after the reloads: static and pis answered ($(kv answered "$L")/$(kv sent "$L"), $(kv real_by_addr "$L"))" "$L" \
	eval 'pct_at_least "$(kv answered_pct "$L")" 99 && pct_at_least "$(kv real_answered_pct "$L")" 95'

# reload_pair NAME CONF1 CONF2: 20 reloads alternating the two under load.
reload_pair() {
	local i L
	ndload_bg laptop "$ISL_RUN/pair.txt" -i wlan0 --prefix "$STATIC_PREFIX" --seq 2000 --rate 1000 \
		--duration 600 --linger 500
	wait_for 10 counter_at_least gw tx_na $(( $(counter gw tx_na) + 200 )) # the load is answered
	# the reloads are paced (time is the load they fall into), 0.1 s apart
	for (( i = 0; i < 10; i++ )); do reload_to gw "$2"; sleep 0.1; reload_to gw "$3"; sleep 0.1; done # time is tested: a reload every 0.1 s
	ndload_stop
	L=$(cat "$ISL_RUN/pair.txt")
	note "20 reloads $1 under load: $L"
	check "20 reloads $1 under load: $(( $(kv sent "$L") - $(kv answered "$L") )) of $(kv sent "$L") NS lost (>= 99.5 % answered)" "$L" \
		pct_at_least "$(kv answered_pct "$L")" 99.5
}
reload_pair "A <-> A2 (same ND messages listened for)" "$CONF_A2" "$CONF_A"
reload_pair "A <-> B (the RA relay comes and goes)" "$CONF_B" "$CONF_A"
note "figures: VmRSS $(proc_rss_kb "$PID") kB, fds $(proc_fds "$PID"), packet sockets opened: $(grep -c 'listening on' "$(islandd_log gw)")"

finish_islandd gw
test_status
