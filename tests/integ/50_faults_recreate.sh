#!/usr/bin/env bash
# Fault: the gateway's downstream (eth0) is deleted and re-created, then its
# upstream (wlan0), each a new veth with a new ifindex (same MAC, as a
# driver reload or a USB adapter replugged gives). ndppd is known to spin
# when an interface vanishes: islandd must idle while it is gone and after
# it is back, leave no route to a dead link, and answer again.
set -u
. "$(dirname "$0")/../lib/faults.sh"
need_root faults_recreate
need_cmd jq "$ISL_PY"
need_islandd
need_ndload
netns_init
# the load is NS for a static /80 nobody is behind: too many addresses to
# join their groups, so a snooping access point would never forward them
ISL_BRIDGE=dumb island000_build
IDLE_MAX=${IDLE_MAX:-3}

start_islandd gw "$(proxy_island_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
PID=$(islandd_pid gw)
check "traffic reaches both pis" "no echo reply" island_traffic
check "both routes installed" "routes: $(routes73 gw)" both_routed
FD0=$(proc_fds "$PID")
RSS0=$(proc_rss_kb "$PID")
ETH_MAC=$(mac_addr gw eth0)
WLAN_MAC=$(mac_addr gw wlan0)
ETH_IDX0=$(nsexec gw cat /sys/class/net/eth0/ifindex)
WLAN_IDX0=$(nsexec gw cat /sys/class/net/wlan0/ifindex)
note "before: fds $FD0, VmRSS $RSS0 kB"

# idle_check WHAT: islandd's CPU over 5 s stays under IDLE_MAX %.
idle_check() {
	local c
	c=$(cpu_pct "$PID" 5)
	CPU_FIG+=("$1 $c %")
	check "no busy loop $1: $c % CPU over 5 s (< $IDLE_MAX %)" "busy" below "$c" "$IDLE_MAX"
}
CPU_FIG=()

static_answered() {
	nd laptop ns --iface wlan0 --target "$STATIC_ONE" --expect na --timeout 1 --check "ether_src=$(mac_addr gw wlan0)"
}
pi41_answered() {
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 1
}

# --- the downstream goes ---------------------------------------------------
nsip gw link del eth0
no_routes() { [ -z "$(routes73 gw)" ]; }
no_ctl_routes() { ctl gw routes --json | jqe '.routes == []'; }
check "eth0 deleted: no proto $ISLANDD_RTPROTO route left" "routes: $(routes73 gw)" wait_for 3 no_routes
check "eth0 deleted: islandctl routes is empty too" "$(ctl gw routes --json | jq -c .routes)" \
	wait_for 3 no_ctl_routes
check "eth0 deleted: islandctl status shows the rule's interface absent" \
	"$(ctl gw status --json | jq -c '.proxies[0].rules')" \
	jqe '.proxies[0].rules[0].iface_state != "up"' <<<"$(ctl gw status --json)"
idle_check "while eth0 is gone"
nsip laptop -6 neigh flush dev wlan0
check "eth0 deleted: pi41 is not answered (nothing behind a missing link)" "answered" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect none --timeout 2
check "eth0 deleted: the static rule still answers" "no NA" static_answered
idle_check "after an NS for a target behind the missing eth0"

# --- and comes back (new ifindex, same MAC, so the pis' default route holds)
nsip gw link add eth0 address "$ETH_MAC" type veth peer name p-gw netns "$(nsn sw)"
bridge_port sw br0 p-gw
nsip gw addr add "$GW_ULA/64" dev eth0
if_up gw eth0
ETH_IDX1=$(nsexec gw cat /sys/class/net/eth0/ifindex)
note "eth0 re-created: ifindex $ETH_IDX0 -> $ETH_IDX1"
check "eth0 re-created: islandctl sees it up" "$(ctl gw status --json | jq -c '.proxies[0].rules')" \
	wait_for 5 eval 'ctl gw status --json | jq -e ".proxies[0].rules[0].iface_state == \"up\"" >/dev/null'
check "eth0 re-created: pi41 answered again" "no NA" wait_for 15 pi41_answered
check "eth0 re-created: traffic reaches both pis" "no echo reply" island_traffic
check "eth0 re-created: both routes back, on the new eth0" "routes: $(routes73 gw)" wait_for 5 both_routed
check "eth0 re-created: only live targets routed" "routes: $(routes73 gw)" \
	live_routes_only gw "$PI41_ADDR" "$PI42_ADDR"
idle_check "after eth0 came back"

# --- the upstream goes -------------------------------------------------------
nsip gw link del wlan0
check "wlan0 deleted: islandctl status shows the proxy interface absent" \
	"$(ctl gw status --json | jq -c '[.proxies[0].state, .ports]')" \
	wait_for 3 eval 'ctl gw status --json | jq -e ".proxies[0].state != \"up\"" >/dev/null'
idle_check "while wlan0 is gone"
nsip gw link add wlan0 address "$WLAN_MAC" type veth peer name p-gw netns "$(nsn isp)"
nssysctl gw net.ipv6.conf.wlan0.accept_ra=2
bridge_port isp br0 p-gw
if_up gw wlan0
WLAN_IDX1=$(nsexec gw cat /sys/class/net/wlan0/ifindex)
note "wlan0 re-created: ifindex $WLAN_IDX0 -> $WLAN_IDX1"
has_ll() { [ -n "$(ll_addr gw wlan0)" ]; }
wait_for 5 has_ll
check "wlan0 re-created: islandd listens on it with allmulti" "$(ctl gw status --json | jq -c '.ports')" \
	wait_for 5 eval 'ctl gw status --json | jq -e "[.ports[] | select(.iface == \"wlan0\") | .allmulti] == [true]" >/dev/null'
check "wlan0 re-created: the kernel counts one allmulti holder" "allmulti $(allmulti_count gw wlan0)" \
	test "$(allmulti_count gw wlan0)" = 1
check "wlan0 re-created: the static rule answers again" "no NA" wait_for 10 static_answered
check "wlan0 re-created: pi41 answered again" "no NA" wait_for 10 pi41_answered
check "wlan0 re-created: traffic reaches both pis" "no echo reply" island_traffic
check "wlan0 re-created: both routes there" "routes: $(routes73 gw)" wait_for 5 both_routed
check "wlan0 re-created: only live targets routed" "routes: $(routes73 gw)" \
	live_routes_only gw "$PI41_ADDR" "$PI42_ADDR"
L=$(ndload laptop -i wlan0 --prefix "$STATIC_PREFIX" --seq 500 --rate 500 --count 1000 --real "$PI41_ADDR,$PI42_ADDR" --real-rate 20)
note "load after both re-creations: $L"
check "static targets answered under load ($(kv answered "$L")/$(kv sent "$L"))" "$L" \
	pct_at_least "$(kv answered_pct "$L")" 99
check "pis answered under load ($(kv real_answered "$L")/$(kv real_sent "$L"))" "$L" \
	pct_at_least "$(kv real_answered_pct "$L")" 95
idle_check "after wlan0 came back"

FD1=$(proc_fds "$PID")
RSS1=$(proc_rss_kb "$PID")
check "fd count flat ($FD0 -> $FD1)" "$(ls -l "/proc/$PID/fd" | tail -n +2)" test "$FD1" -eq "$FD0"
check "RSS flat ($RSS0 -> $RSS1 kB, margin 512 kB or 5 %)" "grew by $((RSS1 - RSS0)) kB" within_kb "$RSS0" "$RSS1" 512 5
note "figures: fds $FD0 -> $FD1, VmRSS $RSS0 -> $RSS1 kB; CPU: ${CPU_FIG[*]}"

finish_islandd gw
check "no proto $ISLANDD_RTPROTO route left at the end" "left: $(routes73 gw)" test -z "$(routes73 gw)"
test_status
