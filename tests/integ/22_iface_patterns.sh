#!/usr/bin/env bash
# Interface name patterns (issue 12 item 4): Docker-style bridges named in
# the configuration by a pattern, on the seed-000 island.
#  - a proxy rule `iface br-*` alone: a bridge br-1234 created while islandd
#    runs, a "container" behind it with a nodad address in the rule's
#    prefix: the laptop reaches it, the session is valid on br-1234 and
#    autowired; an address nobody has there stays unanswered;
#  - `ra-relay wlan0 { iface eth0; iface br-* }` with that rule, br-1234
#    there at start: the container gets its SLAAC address from the relayed
#    RA and the laptop reaches it;
#  - `mdns { iface wlan0; iface br-* }`: the reflector joins the bridge and
#    a container's announcement crosses to wlan0;
#  - `islandctl status` (text and --json) lists what each pattern matches now;
#  - the bridge deleted: nothing of it is listed or routed, islandd runs on;
#    another bridge br-5678 appears and is followed the same way;
#  - a pattern that matches the upstream itself, or a pattern for the proxy
#    interface, is a configuration error (file:line:col, `islandd -t` and
#    at start).
set -u
. "$(dirname "$0")/../lib/ra.sh"
need_root 22_iface_patterns
need_cmd jq radvd
need_islandd
netns_init
ra_island_build
NETNS_DAD=1 ns_add c1 c2

RULE_PREFIX=${RA_PREFIX_STR}ca::
CONF="proxy wlan0 {
	autowire yes
	rule ${RULE_PREFIX}/80 {
		iface br-*
	}
}
ra-relay wlan0 {
	iface eth0
	iface br-*
}
mdns {
	iface wlan0
	iface br-*
}"

# --- configuration errors ----------------------------------------------------
BAD=$ISL_RUN/bad.conf
printf 'ra-relay wlan0 {\n\tiface eth0\n\tiface w*\n}\n' >"$BAD"
OUT=$("$ISLANDD" -t -c "$BAD" 2>&1)
RC=$?
check "islandd -t: a downstream pattern matching the upstream is an error (exit $RC)" "$OUT" \
	eval '[ "$RC" -ne 0 ] && grep -q "$BAD:3:8: pattern '"'w\\*'"' matches the relay'"'"'s upstream '"'wlan0'"' itself" <<<"$OUT"'
printf 'proxy wlan* {\n\trule ::1 { static }\n}\n' >"$BAD"
OUT=$("$ISLANDD" -t -c "$BAD" 2>&1)
RC=$?
check "islandd -t: a pattern for the proxy interface is an error (exit $RC)" "$OUT" \
	eval '[ "$RC" -ne 0 ] && grep -q "$BAD:1:7: .wlan\*. is a pattern" <<<"$OUT"'
# (a daemon that accepted it would run in the foreground: 5 s at most)
OUT=$(timeout -s KILL 5 ip netns exec "$ISL_NS_PREFIX"gw "$ISLANDD" -c "$BAD" -S "$ISL_RUN/bad.sock" -p "$ISL_RUN/bad.pid" 2>&1)
RC=$?
check "islandd refuses to start with it (exit $RC)" "$OUT" \
	eval '[ "$RC" -ne 0 ] && grep -q "$BAD:1:7:" <<<"$OUT"'
printf '%s\n' "$CONF" >"$BAD"
OUT=$("$ISLANDD" -t -c "$BAD" 2>&1)
check "islandd -t: the good configuration passes, no 'does not exist' for a pattern" "$OUT" \
	eval '! grep -q "br-\*.*does not exist" <<<"$OUT"'

# docker network create: a bridge br-<id>, a veth per container on it
bridge_up() {  # bridge_up BR NS PORT
	nsip gw link add "$1" type bridge stp_state 0 forward_delay 0 &&
		veth gw "$3" "$2" eth0 && nsip gw link set "$3" master "$1" &&
		if_up gw "$1" && if_up gw "$3" && if_up "$2" eth0
}
pattern_matches() {  # pattern_matches ROLE: what the status lists for br-* in ROLE
	ctl gw status --json | jq -r --arg r "$1" '.patterns[] | select(.pattern == "br-*" and .role == $r) | .matches | join(",")'
}

# --- the proxy rule alone: a bridge appears while islandd runs ---------------
start_islandd gw "proxy wlan0 {
	autowire yes
	rule ${RULE_PREFIX}/80 {
		iface br-*
	}
}" || { not_ok "islandd starts (proxy rule iface br-*)" "see $(islandd_log gw)"; exit 1; }
check "islandctl status (json): br-* matches nothing yet" "$(ctl gw status --json | jq -c .patterns)" \
	eval '[ -z "$(pattern_matches "rule downstream")" ] && ctl gw status --json | jq -e ".patterns | length == 1" >/dev/null'
bridge_up br-1234 c1 vc1 || die "cannot build br-1234"
wait_for 5 test -n "$(ll_addr gw br-1234)" || die "gw br-1234 has no link-local address"
# a container address as Docker gives them: nodad, routed by its gateway
C1S=${RULE_PREFIX}5
nsip c1 addr add "$C1S/64" dev eth0 nodad noprefixroute
nsip c1 -6 route add default via "$(ll_addr gw br-1234)" dev eth0 metric 2048
check "islandctl status (json): br-* as rule downstream matches br-1234" "$(ctl gw status --json)" \
	wait_for 5 test "$(pattern_matches 'rule downstream')" = br-1234
check "islandctl status (text) lists the match" "$(ctl gw status)" \
	eval 'ctl gw status | grep -Eq "^br-\* +rule downstream +br-1234$"'
check "the laptop reaches $C1S behind br-1234 (proxy rule iface br-*)" "no echo reply" ping6_ok laptop "$C1S" 10
S=$(ctl gw sessions --json | jq -c --arg t "$C1S" '[.sessions[] | select(.target == $t)] | first')
check "the rule's session for $C1S is valid on br-1234 ($S)" "$(ctl gw sessions 2>&1)" \
	eval 'jq -e ".state == \"valid\" and .iface == \"br-1234\"" <<<"$S" >/dev/null'
check "autowire routes $C1S via br-1234" "routes: $(routes73 gw)" \
	eval 'routes73 gw | grep -q "^$C1S dev br-1234"'
GHOST=${RULE_PREFIX}dead
check "an address nobody has behind br-* is not answered" "echo reply?" ping6_fails laptop "$GHOST"
stop_islandd gw TERM 10
check "the route is removed at exit" "routes: $(routes73 gw)" eval '! routes73 gw | grep -q br-1234'
# c1 keeps only what the relay gives it from here on
nsip c1 addr del "$C1S/64" dev eth0
nsip c1 -6 route del default via "$(ll_addr gw br-1234)" dev eth0 metric 2048

# --- relay and proxy rule: br-1234 there at start ------------------------------
start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
wait_slaac h1 eth0 "$RA_PREFIX_STR" 20 || { not_ok "h1: SLAAC address through the relay" "none"; ra_show_state gw; exit 1; }
PID=$(islandd_pid gw)
check "c1 behind br-1234 gets a SLAAC address from the relayed RA" "$(ctl gw ra 2>&1 | head -20)" \
	wait_slaac c1 eth0 "$RA_PREFIX_STR" 20
C1=$(global_addr c1 eth0 "$RA_PREFIX_STR")
check "islandctl status (json): br-* as ra-relay downstream matches br-1234" "$(ctl gw status --json)" \
	test "$(pattern_matches 'ra-relay downstream')" = br-1234
check "islandctl ra lists br-1234 as a downstream" "$(ctl gw ra --json)" \
	eval 'ctl gw ra --json | jq -e ".relays[].downstreams[] | select(.iface == \"br-1234\")" >/dev/null'
check "the laptop reaches c1 ($C1) through the relay" "no echo reply" ping6_ok laptop "$C1" 10
check "gw routes c1 via br-1234" "routes: $(routes73 gw)" \
	eval 'routes73 gw | grep -q "^$C1 dev br-1234"'
# mDNS: the reflector joined br-1234, and an announcement there crosses to wlan0
mdns_if() {  # mdns_if NAME FIELD
	ctl gw mdns --json | jq -r --arg n "$1" --arg f "$2" '.mdns.interfaces[] | select(.name == $n) | .[$f]'
}
check "the mdns reflector has joined ff02::fb on br-1234" "$(ctl gw mdns --json | jq -c .mdns.interfaces)" \
	wait_for 5 test "$(mdns_if br-1234 joined6)" = true
TX0=$(mdns_if wlan0 tx)
nsexec c1 "$ISL_PY" "$ISL_LIB/mdns_send.py" announce eth0 c1.local "$C1" >/dev/null 2>&1
check "c1's announcement on br-1234 is reflected to wlan0 (tx $TX0 -> $(mdns_if wlan0 tx))" \
	"$(ctl gw mdns --json | jq -c .mdns.interfaces)" wait_for 5 test "$(mdns_if wlan0 tx)" -gt "$TX0"
nsip c1 addr add "$C1S/64" dev eth0 nodad noprefixroute
check "the laptop reaches $C1S again" "no echo reply" ping6_ok laptop "$C1S" 10

# --- the bridge goes ------------------------------------------------------------
nsip gw link del vc1
nsip gw link del br-1234
check "after the delete nothing matches br-*" "$(ctl gw status --json | jq -c .patterns)" \
	wait_for 5 eval '[ -z "$(pattern_matches "ra-relay downstream")" ] && [ -z "$(pattern_matches "rule downstream")" ]'
check "the mdns reflector no longer lists br-1234" "$(ctl gw mdns --json | jq -c '[.mdns.interfaces[].name]')" \
	test -z "$(mdns_if br-1234 name)"
check "islandctl ra no longer lists br-1234" "$(ctl gw ra --json | jq -c '[.relays[].downstreams[].iface]')" \
	eval '! ctl gw ra --json | jq -e ".relays[].downstreams[] | select(.iface == \"br-1234\")" >/dev/null'
check "no route via br-1234 is left" "routes: $(routes73 gw)" eval '! routes73 gw | grep -q br-1234'
check "islandd still runs" "pid $PID gone" kill -0 "$PID"

# --- another one appears ----------------------------------------------------------
bridge_up br-5678 c2 vc2 || die "cannot build br-5678"
check "c2 behind br-5678 gets a SLAAC address from the relayed RA" "$(ctl gw ra 2>&1 | head -20)" \
	wait_slaac c2 eth0 "$RA_PREFIX_STR" 20
C2=$(global_addr c2 eth0 "$RA_PREFIX_STR")
check "islandctl status: br-* matches br-5678 now" "$(ctl gw status --json | jq -c .patterns)" \
	test "$(pattern_matches 'ra-relay downstream')" = br-5678
check "islandctl status (text) lists br-5678 under br-*" "$(ctl gw status 2>&1 | sed -n '/^PATTERN/,/^$/p')" \
	eval 'ctl gw status | grep -Eq "^br-\* +ra-relay downstream +br-5678$"'
check "the laptop reaches c2 ($C2)" "no echo reply" ping6_ok laptop "$C2" 10
check "the mdns reflector has joined ff02::fb on br-5678" "$(ctl gw mdns --json | jq -c .mdns.interfaces)" \
	wait_for 5 test "$(mdns_if br-5678 joined6)" = true
C2S=${RULE_PREFIX}6
nsip c2 addr add "$C2S/64" dev eth0 nodad noprefixroute
check "the laptop reaches $C2S (proxy rule iface br-*)" "no echo reply" ping6_ok laptop "$C2S" 10
check "autowire routes $C2S via br-5678" "routes: $(routes73 gw)" \
	eval 'routes73 gw | grep -q "^$C2S dev br-5678"'
check "h1 on the named downstream is still reached" "no echo reply" \
	ping6_ok laptop "$(global_addr h1 eth0 "$RA_PREFIX_STR")" 5

finish_islandd gw
test_status
