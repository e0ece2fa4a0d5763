#!/usr/bin/env bash
# A host that leaves stops being answered after `ttl` (and its route goes);
# a host that stays is kept alive (keepalive, the default); a host that comes
# back is answered again without waiting out a long black-hole.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root host_leaves
need_cmd jq "$ISL_PY"
need_islandd
netns_init
island000_build
CONF="proxy wlan0 {
	autowire yes
	ttl 2000
	rule 2001:db8:abc:123:40::/76 {
		iface eth0
	}
}"
start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }

check "laptop reaches pi41" "no echo reply" ping6_ok laptop "$PI41_ADDR" 10
check "laptop reaches pi42" "no echo reply" ping6_ok laptop "$PI42_ADDR" 10
check "gw routes pi42 (proto $ISLANDD_RTPROTO)" "routes: $(routes73 gw)" has_route73 gw "$PI42_ADDR"

# pi42 leaves: its address disappears (and with it its answers on eth0).
nsip pi42 addr del "$PI42_ADDR/80" dev eth0
t0=$(now_ms)
if wait_for 12 _isl_not has_route73 gw "$PI42_ADDR"; then
	ok "pi42's route is removed after it leaves ($(( $(now_ms) - t0 )) ms, ttl 2000)"
else
	not_ok "pi42's route is removed after it leaves" "still there after 12 s"
	show_state gw
fi
check "pi42's session is no longer valid" "state: $(session_state gw "$PI42_ADDR")" \
	test "$(session_state gw "$PI42_ADDR")" != valid
check "an NS for pi42 is no longer answered" "answered" \
	nd laptop ns --iface wlan0 --target "$PI42_ADDR" --expect none --timeout 2.5
check "a DAD NS for pi42's address is not answered (the address is free)" "answered" \
	nd laptop ns --iface wlan0 --target "$PI42_ADDR" --src :: --expect none --timeout 2.5

# pi41 stayed all along and had no traffic: it must still be answered.
check "pi41, silent for several ttls, is still answered" "not answered" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 3 --check S=1
check "pi41's route stayed" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"

# pi42 comes back: answered again within a few seconds (deadtime = ttl).
# The laptop asks afresh (as its NUD would after its reachable time).
nsip pi42 addr add "$PI42_ADDR/80" dev eth0 noprefixroute
nsip laptop -6 neigh del "$PI42_ADDR" dev wlan0 2>/dev/null
t0=$(now_ms)
if ping6_ok laptop "$PI42_ADDR" 15; then
	ok "pi42 is reachable again after it returns ($(( $(now_ms) - t0 )) ms)"
else
	not_ok "pi42 is reachable again after it returns" "no echo reply within 15 s"
	show_state gw
fi
check "pi42's route is back" "routes: $(routes73 gw)" has_route73 gw "$PI42_ADDR"

finish_islandd gw
test_status
