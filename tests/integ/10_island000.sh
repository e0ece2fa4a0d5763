#!/usr/bin/env bash
# Seed 000: the wireless-to-ethernet island, with the seed's ndppd.conf
# verbatim (iface rule + autowire) and no hand-made route on the gateway.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root island000
need_cmd jq "$ISL_PY"
need_islandd
netns_init
island000_build

if ! start_islandd gw "$(island000_conf)"; then
	not_ok "islandd starts in gw with the seed-000 config" "see $(islandd_log gw)"
	exit 1
fi
ok "islandd starts in gw with the seed-000 config"

# The laptop resolves the pis through the proxy; the first echo may be lost
# while the gateway probes eth0, so each ping gets a few tries.
for h in "pi41 $PI41_ADDR" "pi42 $PI42_ADDR"; do
	set -- $h
	if ping6_ok laptop "$2" 10; then
		ok "laptop reaches $1's global address $2"
	else
		not_ok "laptop reaches $1's global address $2" "no echo reply within 10 s"
		show_state gw
	fi
done
if ping6_ok pi41 "$INET_ADDR" 10; then
	ok "pi41 reaches the internet address $INET_ADDR"
else
	not_ok "pi41 reaches the internet address $INET_ADDR" "no echo reply within 10 s"
	show_state gw
fi
check "pi42 reaches the internet address $INET_ADDR" "no echo reply" ping6_ok pi42 "$INET_ADDR" 10
check "the laptop's pings to pi41 then all succeed (5 of 5)" "loss" \
	nsexec laptop ping -6 -n -q -c 5 -i 0.2 -W 1 "$PI41_ADDR"

# autowire: /128 routes with islandd's protocol, through eth0.
routes=$(routes73 gw)
echo "$routes" | sed 's/^/# gw: /'
for a in "$PI41_ADDR" "$PI42_ADDR"; do
	check "gw has a proto $ISLANDD_RTPROTO /128 route to $a via eth0" "routes: $routes" \
		bash -c "ip -n $(nsn gw) -6 route show proto $ISLANDD_RTPROTO | grep -q '^$a dev eth0'"
done
check "gw has no proto $ISLANDD_RTPROTO route for a host never contacted" "routes: $routes" \
	_isl_not has_route73 gw 2001:db8:abc:123:43::1
check "routes are /128s inside the rule's /76 only" "routes: $routes" \
	bash -c "! ip -n $(nsn gw) -6 route show proto $ISLANDD_RTPROTO | awk '{print \$1}' | grep -v '^2001:db8:abc:123:4[0-9a-f]::'"

# islandctl: the JSON shapes other tools rely on.
sessions=$(ctl gw sessions --json)
echo "# sessions: $sessions"
for a in "$PI41_ADDR" "$PI42_ADDR"; do
	check "islandctl sessions: $a valid on eth0 for proxy wlan0" "sessions: $sessions" \
		jqe --arg t "$a" '.sessions[] | select(.target == $t) |
			select(.state == "valid" and .iface == "eth0" and .proxy == "wlan0" and
			(.age_ms | type) == "number" and (.expires_ms | type) == "number")' <<<"$sessions"
done
json_routes=$(ctl gw routes --json)
echo "# routes: $json_routes"
for a in "$PI41_ADDR" "$PI42_ADDR"; do
	check "islandctl routes lists $a/128 on eth0" "routes: $json_routes" \
		jqe --arg d "$a/128" '.routes[] | select(.dst == $d and .iface == "eth0")' <<<"$json_routes"
done
stats=$(ctl gw stats --json)
check "islandctl stats: rx_ns, tx_na, tx_ns, rx_na counted" "stats: $stats" \
	jqe '.counters | (.rx_ns > 0 and .tx_na > 0 and .tx_ns > 0 and .rx_na > 0)' <<<"$stats"
check "islandctl stats: drop_hop_limit present" "stats: $stats" \
	jqe '.counters | has("drop_hop_limit")' <<<"$stats"
check "islandctl stats: netlink overruns/resyncs and per-socket rx_errors visible" "stats: $stats" \
	jqe '(.netlink | (.objects > 0) and has("overruns") and has("resyncs")) and
		(.counters | has("rx_errors")) and
		([.ports[] | select(.iface == "wlan0" and .rx_packets > 0 and has("rx_errors"))] | length == 1)' <<<"$stats"
# the text tables are rendered by islandctl from the same JSON
text_stats=$(ctl gw stats 2>&1)
check "islandctl stats (text): the proxy's tx_na and the netlink section" "$text_stats" \
	eval 'grep -Eq "^  tx_na +[1-9]" <<<"$text_stats" && grep -Eq "^  overruns +0$" <<<"$text_stats"'
text_sessions=$(ctl gw sessions 2>&1)
check "islandctl sessions (text): a row per pi, valid on eth0" "$text_sessions" \
	eval 'grep -Eq "^wlan0 +$PI41_ADDR +valid +eth0 " <<<"$text_sessions" &&
		grep -Eq "^wlan0 +$PI42_ADDR +valid +eth0 " <<<"$text_sessions"'
check "islandctl status (text) answers" "failed" ctl gw status
check "islandctl status exits non-zero when the daemon is unreachable" "exit 0" \
	_isl_not "$ISLANDCTL" -S "$ISL_RUN/nobody.sock" status

# Leaving: SIGTERM removes what islandd installed.
finish_islandd gw
check "no proto $ISLANDD_RTPROTO route left after SIGTERM" "left: $(routes73 gw)" test -z "$(routes73 gw)"
test_status
