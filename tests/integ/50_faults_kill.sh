#!/usr/bin/env bash
# Fault: islandd stopped under NS load, by SIGTERM and by kill -9, then
# started again with the load still running. SIGTERM: a prompt clean exit,
# every route removed, the allmulti hold released. kill -9: the routes stay
# (nothing can run), the next start removes them and re-creates those of the
# hosts still there as traffic flows; a host that left meanwhile gets none.
set -u
. "$(dirname "$0")/../lib/faults.sh"
need_root faults_kill
need_cmd jq "$ISL_PY"
need_islandd
need_ndload
netns_init
# the load is NS for a static /80 nobody is behind: too many addresses to
# join their groups, so a snooping access point would never forward them
ISL_BRIDGE=dumb island000_build
RATE=${RATE:-1000}

start_islandd gw "$(proxy_island_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
check "traffic reaches both pis" "no echo reply" island_traffic
check "both routes installed" "routes: $(routes73 gw)" both_routed

# load_start NAME: static targets at RATE/s plus both pis at 50/s.
load_start() {
	ndload_bg laptop "$ISL_RUN/$1.txt" -i wlan0 --prefix "$STATIC_PREFIX" --seq 2000 --rate "$RATE" \
		--real "$PI41_ADDR,$PI42_ADDR" --real-rate 50 --duration 600 --linger 300
}
# fresh_load: 2 s of load against the running daemon, summary on stdout.
fresh_load() {
	ndload laptop -i wlan0 --prefix "$STATIC_PREFIX" --seq 2000 --rate "$RATE" --duration 2 \
		--real "$PI41_ADDR,$PI42_ADDR" --real-rate 50 --linger 500
}

# --- SIGTERM under load ------------------------------------------------------
load_start term
# under load: the daemon has answered a few hundred of the load's solicitations
check "the load reaches islandd" "tx_na $(counter gw tx_na)" \
	wait_for 10 counter_at_least gw tx_na $(( $(counter gw tx_na) + 300 ))
t0=$(now_ms)
stop_islandd gw TERM 10; rc=$?
dt=$(( $(now_ms) - t0 ))
check "SIGTERM under load: exit status 0 after $dt ms (< 3000)" "status $rc" test "$rc" -eq 0 -a "$dt" -lt 3000
check "SIGTERM under load: every proto $ISLANDD_RTPROTO route is gone" "left: $(routes73 gw)" test -z "$(routes73 gw)"
check "SIGTERM under load: the control socket is gone" "still there" test ! -S "$(islandd_sock gw)"
check "SIGTERM under load: the allmulti hold on wlan0 is released" "allmulti $(allmulti_count gw wlan0)" \
	test "$(allmulti_count gw wlan0)" = 0
check "SIGTERM under load: no sanitizer report" "see $(islandd_log gw)" sanitizer_clean gw
start_islandd gw "" || { not_ok "islandd restarts under load" "see $(islandd_log gw)"; exit 1; }
ok "islandd restarts under load"
# the load reaches the new daemon and is answered before it stops
check "the load reaches the restarted islandd" "tx_na $(counter gw tx_na)" \
	wait_for 10 counter_at_least gw tx_na 300
ndload_stop
L=$(cat "$ISL_RUN/term.txt")
note "load across SIGTERM and restart: $L"
check "answers before and after the restart ($(kv answered "$L")/$(kv sent "$L"))" "$L" \
	test "$(kv answered "$L")" -gt 0
L=$(fresh_load)
note "load after the restart: $L"
check "after the restart: static targets answered ($(kv answered "$L")/$(kv sent "$L"), >= 99 %)" "$L" \
	pct_at_least "$(kv answered_pct "$L")" 99
check "after the restart: the pis answered ($(kv real_by_addr "$L"))" "$L" \
	pct_at_least "$(kv real_answered_pct "$L")" 95
check "after the restart: both routes re-created" "routes: $(routes73 gw)" wait_for 5 both_routed
check "after the restart: one allmulti holder on wlan0" "allmulti $(allmulti_count gw wlan0)" \
	test "$(allmulti_count gw wlan0)" = 1

# --- kill -9 under load ------------------------------------------------------
load_start kill
check "the load reaches islandd again" "tx_na $(counter gw tx_na)" \
	wait_for 10 counter_at_least gw tx_na $(( $(counter gw tx_na) + 300 ))
stop_islandd gw KILL 5
check "kill -9 under load leaves the routes behind (what the next start must clean)" \
	"routes: $(routes73 gw)" both_routed
check "kill -9: the kernel released the allmulti hold with the socket" "allmulti $(allmulti_count gw wlan0)" \
	test "$(allmulti_count gw wlan0)" = 0
# pi42 leaves while islandd is down; nobody vouches for it any more.
nsip pi42 addr del "$PI42_ADDR/80" dev eth0
nsip laptop -6 neigh flush dev wlan0
nsip gw -6 neigh flush dev eth0
t0=$(now_ms)
start_islandd gw "" || { not_ok "islandd starts after kill -9 under load" "see $(islandd_log gw)"; exit 1; }
ok "islandd starts after kill -9 under load ($(( $(now_ms) - t0 )) ms to answer islandctl)"
check "the start removes pi42's leftover route (pi42 is gone)" "routes: $(routes73 gw)" \
	wait_for 5 _isl_not has_route73 gw "$PI42_ADDR"
check "pi41's route is re-created by the load's traffic" "routes: $(routes73 gw)" \
	wait_for 10 has_route73 gw "$PI41_ADDR"
check "the load reaches the started islandd" "tx_na $(counter gw tx_na)" \
	wait_for 10 counter_at_least gw tx_na 300
ndload_stop
L=$(cat "$ISL_RUN/kill.txt")
note "load across kill -9 and restart: $L"
check "kernel routes and islandctl routes agree (pi41 only)" \
	"ctl: $(ctl gw routes --json | jq -c '[.routes[].dst]') kernel: $(routes73 gw | awk '{print $1}' | tr '\n' ' ')" \
	eval 'jqe --arg d "$PI41_ADDR/128" "[.routes[].dst] == [\$d]" <<<"$(ctl gw routes --json)" &&
		[ "$(routes73 gw | awk "{print \$1}")" = "$PI41_ADDR" ]'
L=$(fresh_load)
note "load after the restart: $L"
by=$(kv real_by_addr "$L")
check "after kill -9 + restart: static targets answered ($(kv answered "$L")/$(kv sent "$L"), >= 99 %)" "$L" \
	pct_at_least "$(kv answered_pct "$L")" 99
check "after kill -9 + restart: pi41 answered (${by%%,*})" "$L" \
	test "${by%%/*}" -gt 0 -a "${by%%/*}" -ge $(( $(cut -d/ -f2 <<<"${by%%,*}") * 95 / 100 ))
check "after kill -9 + restart: pi42 (gone) not answered (${by##*,})" "$L" test "${by##*,}" = "0/${by##*/}"
check "one allmulti holder on wlan0 again" "allmulti $(allmulti_count gw wlan0)" \
	test "$(allmulti_count gw wlan0)" = 1

finish_islandd gw
check "no proto $ISLANDD_RTPROTO route left at the end" "left: $(routes73 gw)" test -z "$(routes73 gw)"
test_status
