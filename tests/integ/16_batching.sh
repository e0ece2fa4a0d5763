#!/usr/bin/env bash
# batch-interval: in a busy spell islandd handles what arrived in one round
# per interval instead of waking up for every packet. Counted, not timed:
# the daemon's voluntary context switches (one per sleep or blocking wait)
# under the same NS load with the default (2000 us) and with
# `batch-interval 0`, switched by SIGHUP. Every NS is answered either way,
# and a lone NS after the spell is answered as before.
set -u
. "$(dirname "$0")/../lib/faults.sh"
need_root batching
need_cmd jq "$ISL_PY"
need_islandd
need_ndload
netns_init
# the load is NS for a static /80 nobody is behind: too many addresses to
# join their groups, so a snooping access point would never forward them
ISL_BRIDGE=dumb island000_build

RATE=5000 SECS=3
start_islandd gw "$(proxy_island_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
PID=$(islandd_pid gw)
check "traffic reaches both pis" "no echo reply" island_traffic

switches() { awk '/^voluntary_ctxt_switches:/ { print $2 }' "/proc/$PID/status"; }
reloads() { grep -c 'configuration reloaded from' "$(islandd_log gw)"; }

# load TAG: $RATE NS/s for $SECS s at static targets; sets L (ndload's
# summary) and SW (the daemon's voluntary context switches meanwhile).
load() {
	local s0
	s0=$(switches)
	L=$(ndload laptop -i wlan0 --prefix "$STATIC_PREFIX" --seq 500 --rate "$RATE" --duration "$SECS" --linger 300)
	SW=$(( $(switches) - s0 ))
	note "$1: $L"
	note "$1: $SW voluntary context switches for $(kv sent "$L") NS"
}

load "batch-interval 2000 (default)"
L_ON=$L SW_ON=$SW
check "default: every NS answered ($(kv answered "$L_ON")/$(kv sent "$L_ON"))" "$L_ON" \
	pct_at_least "$(kv answered_pct "$L_ON")" 99.9
# at most 500 rounds a second, each a sleep: 1500 in 3 s, and some slack
check "default: at most ~500 wake-ups a second ($SW_ON in ${SECS} s for $(kv sent "$L_ON") NS)" \
	"$SW_ON switches" test "$SW_ON" -le $(( SECS * 500 * 3 / 2 + 200 ))

n=$(reloads)
write_islandd_conf gw "batch-interval 0
$(proxy_island_conf)"
kill -HUP "$PID"
wait_for 5 eval '[ "$(reloads)" -gt "$n" ]' || not_ok "reload to batch-interval 0" "$(tail -n 5 "$(islandd_log gw)")"
load "batch-interval 0"
L_OFF=$L SW_OFF=$SW
check "batch-interval 0: every NS answered ($(kv answered "$L_OFF")/$(kv sent "$L_OFF"))" "$L_OFF" \
	pct_at_least "$(kv answered_pct "$L_OFF")" 99.9
check "batch-interval 0 wakes up at least twice as often ($SW_OFF vs $SW_ON switches)" \
	"$SW_OFF vs $SW_ON" test "$SW_OFF" -ge $(( 2 * SW_ON ))

# back to the default, then quiet: a single NS gets its answer as before
n=$(reloads)
write_islandd_conf gw "$(proxy_island_conf)"
kill -HUP "$PID"
wait_for 5 eval '[ "$(reloads)" -gt "$n" ]' || not_ok "reload to the default" "$(tail -n 5 "$(islandd_log gw)")"
rx0=$(counter gw rx_ns)
load "default again"
# the spell is over once the daemon has read every NS of it
wait_for 5 counter_at_least gw rx_ns $(( ${rx0:-0} + $(kv sent "$L") )) ||
	note "rx_ns $(counter gw rx_ns), expected $(( ${rx0:-0} + $(kv sent "$L") ))"
check "after the spell a lone NS is answered" "no NA" \
	nd laptop ns --iface wlan0 --target "$STATIC_ONE" --expect na --timeout 1
check "islandd check shows batch-interval in the canonical config" "$("$ISLANDD" -t -v -c "$(islandd_conf gw)" 2>&1 | head -5)" \
	eval '"$ISLANDD" -t -v -c "$(islandd_conf gw)" 2>/dev/null | grep -qx "batch-interval 2000"'

finish_islandd gw
test_status
