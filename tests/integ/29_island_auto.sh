#!/usr/bin/env bash
# The automatic choice: `island wlan0 { iface eth0 }` on the seed-000
# gateway. (a) No DHCPv6 server: relay mode, the island host gets SLAAC in
# the upstream /64 through the RA relay and the laptop reaches it; islandctl
# says why. (b) Kea with a pd-pool starts later: the next Solicit gets a
# prefix, the gateway switches to routed mode without a restart and the
# host gets an address in the delegated /64 that reaches the ISP. (c) Kea
# stopped: the lease runs out (short lifetimes) and the gateway relays again.
set -u
. "$(dirname "$0")/../lib/ra.sh"
need_root 29_island_auto
need_cmd jq radvd kea-dhcp6 "$ISL_PY"
need_islandd
netns_init
KEA_HOOK_LIB=$(ls /usr/lib/*/kea/hooks/libdhcp_run_script.so 2>/dev/null | head -n 1)
[ -n "$KEA_HOOK_LIB" ] || die "kea's run_script hook library not found"
ra_island_build
dad_wait h1

start_islandd gw "island wlan0 {
	iface eth0
	state-dir $ISL_RUN/gw-state
}" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
T0=$(now_ms)
island() { ctl gw island --json 2>/dev/null | jq -r ".islands[0].$1"; }

# --- (a) relay mode ----------------------------------------------------------
if wait_slaac h1 eth0 "$RA_PREFIX_STR" 20; then
	H1=$(global_addr h1 eth0 "$RA_PREFIX_STR")
	ok "(a) no DHCPv6 server: h1 gets SLAAC in the upstream /64 through the RA relay ($H1)"
else
	not_ok "(a) h1 gets SLAAC in the upstream /64" "$(ctl gw island)"; H1=
fi
check "(a) islandctl island: relay mode" "$(ctl gw island)" test "$(island mode)" = relay
check "(a) the laptop reaches h1 ($H1)" "no echo reply" ping6_ok laptop "$H1" 10
check "(a) after the Solicit window: 'no DHCPv6 server offered a prefix for N s'" "$(ctl gw island)" \
	wait_for 8 eval '[[ "$(island why)" == "no DHCPv6 server offered a prefix for "* ]]'
note "$(ctl gw island | head -n 1)"

# --- (b) Kea delegates: routed mode ---------------------------------------------
cat >"$ISL_RUN/kea-route.sh" <<'EOS'
#!/bin/sh
[ "$1" = leases6_committed ] || exit 0
i=0
while [ "$i" -lt "${LEASES6_SIZE:-0}" ]; do
	eval "t=\$LEASES6_AT${i}_TYPE a=\$LEASES6_AT${i}_ADDRESS l=\$LEASES6_AT${i}_PREFIX_LEN v=\$LEASES6_AT${i}_VALID_LIFETIME"
	[ "$t" = IA_PD ] && [ "$v" != 0 ] && ip -6 route replace "$a/$l" via "$QUERY6_REMOTE_ADDR" dev "$QUERY6_IFACE_NAME"
	i=$((i + 1))
done
exit 0
EOS
chmod 755 "$ISL_RUN/kea-route.sh"
cat >"$ISL_RUN/kea.json" <<EOF
{"Dhcp6": {
  "interfaces-config": {"interfaces": ["br0"]},
  "lease-database": {"type": "memfile", "persist": false},
  "server-id": {"type": "LL", "persist": false},
  "preferred-lifetime": 8, "valid-lifetime": 16, "renew-timer": 3, "rebind-timer": 5,
  "hooks-libraries": [{"library": "$KEA_HOOK_LIB", "parameters": {"name": "$ISL_RUN/kea-route.sh", "sync": false}}],
  "subnet6": [{"id": 1, "subnet": "2001:db8:abc:123::/64", "interface": "br0",
    "pd-pools": [{"prefix": "2001:db8:1200::", "prefix-len": 56, "delegated-len": 56}]}],
  "loggers": [{"name": "kea-dhcp6", "output_options": [{"output": "$ISL_KEEP/kea-29.log"}], "severity": "INFO"}]
}}
EOF
# ip netns exec execs kea: $! is kea's own pid
KEA_PIDFILE_DIR=$ISL_RUN KEA_LOCKFILE_DIR=$ISL_RUN ip netns exec "$(nsn isp)" kea-dhcp6 -c "$ISL_RUN/kea.json" \
	>>"$ISL_KEEP/kea-29.out" 2>&1 &
KEA_PID=$!
at_cleanup "kill $KEA_PID 2>/dev/null"
note "kea started $(( ($(now_ms) - T0) / 1000 )) s after islandd"
if wait_for 45 eval '[ "$(island mode)" = routed ]'; then
	ok "(b) Kea delegates: routed mode ($(island why))"
else
	not_ok "(b) Kea delegates: routed mode" "$(ctl gw island; ctl gw pd)"
fi
check "(b) the daemon was not restarted (same pid)" "pid changed" islandd_running gw
check "(b) islandctl island says which prefix and server" "$(island why)" \
	grep -qE "^prefix 2001:db8:1200::/56 bound from server fe80::" <<<"$(island why)"
h1_delegated() { global_addr h1 eth0 2001:db8:1200:; }
if wait_for 15 eval '[ -n "$(h1_delegated)" ]'; then
	H1D=$(h1_delegated)
	ok "(b) h1 gets an address in the delegated /64 ($H1D)"
	check "(b) h1 reaches the ISP from it" "no echo reply" \
		wait_for 10 nsexec h1 ping -6 -n -c 1 -W 1 -I "$H1D" 2001:db8:abc:123::1
else
	not_ok "(b) h1 gets an address in the delegated /64" "$(nsip h1 -6 -o addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"
fi
check "(b) h1's address in the upstream /64 is deprecated (no longer answered for upstream)" \
	"$(nsip h1 -6 -o addr show dev eth0)" wait_for 5 eval '[[ "$(addr_flags h1 eth0 "$H1")" == *deprecated* ]]'
kill -HUP "$(islandd_pid gw)"
wait_for 5 grep -q "configuration reloaded" "$(islandd_log gw)"
check "(b) SIGHUP keeps routed mode (no switch)" "$(ctl gw island)" \
	eval '[ "$(island mode)" = routed ] && [ "$(island switches)" = 1 ]'
check "(b) the DHCPv6 relay is off in routed mode" "$(ctl gw island)" \
	test "$(ctl gw island --json | jq '.islands[0].dhcp6_relay.active')" = false

# --- (c) Kea gone, the lease runs out: relay mode again ------------------------------
kill "$KEA_PID" 2>/dev/null
wait "$KEA_PID" 2>/dev/null
TK=$(now_ms)
if wait_for 40 eval '[ "$(island mode)" = relay ]'; then
	ok "(c) the lease expired: relay mode again after $(( ($(now_ms) - TK) / 1000 )) s ($(island why))"
else
	not_ok "(c) the lease expired: relay mode again" "$(ctl gw island; ctl gw pd)"
fi
TX_RA=$(ctl gw ra --json | jq '.counters.tx_ra // 0')
check "(c) the RA relay relays again (RAs sent on eth0)" "tx_ra $TX_RA" \
	wait_for 15 eval '[ "$(ctl gw ra --json | jq ".counters.tx_ra // 0")" -gt "$TX_RA" ]'
check "(c) h1 has a preferred address in the upstream /64" "$(nsip h1 -6 -o addr show dev eth0)" \
	eval 'nsip h1 -6 -o addr show dev eth0 | grep "$RA_PREFIX_STR" | grep -qv deprecated'
H1=$(global_addr h1 eth0 "$RA_PREFIX_STR")
# hosts forgotten while routed are learned again when they speak (h1 here
# pings the ISP router from its upstream address)
check "(c) h1 reaches the ISP from $H1 again" "no echo reply" \
	wait_for 10 nsexec h1 ping -6 -n -c 1 -W 1 -I "$H1" 2001:db8:abc:123::1
check "(c) the laptop reaches h1 ($H1) again" "no echo reply" ping6_ok laptop "$H1" 15
check "(c) two switches counted" "$(island switches)" test "$(island switches)" -ge 2
note "suite ran $(( ($(now_ms) - T0) / 1000 )) s after islandd started"
finish_islandd gw
test_status
