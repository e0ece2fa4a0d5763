#!/usr/bin/env bash
# Faults of the IPv4 island (issue 15, item 4), with real peers: isc-dhcp-server
# (dhcpd) as the home router's server, dhclient and dhcpcd on the island, and
# the gateway running examples/island-ipv4.conf with a short ttl:
#   - a server that drops relayed requests (giaddr != 0): mode auto forwards
#     and the host still gets an address;
#   - a /24 ARP scan at 5k requests/s from upstream: every request for a real
#     island host answered, no answer for an address nobody holds, probes on
#     eth0 within probe-rate, RSS flat;
#   - ARP spoofing of a known island host from upstream: its /32 stays on eth0;
#   - a host that moves from the island to the Wi-Fi: islandd stops answering
#     for it (its route goes within ttl) and never answers against it;
#   - island link flap: routes withdrawn, back after;
#   - kill -9 and restart: routes back from the first request.
set -u
. "$(dirname "$0")/../lib/ipv4.sh"
need_root faults_ipv4
need_cmd jq "$ISL_PY" dhcpd dhclient dhcpcd nft tcpdump arping
need_islandd
netns_init
island000_v4_build
ns_add scan
veth scan eth0 isp p-scan
bridge_port isp br0 p-scan
SCAN_MAC=02:00:00:00:02:50
SCAN_IP=192.168.1.250
nsip scan link set eth0 address "$SCAN_MAC"
if_up scan eth0
dhcpd_start isp br0

TTL_MS=5000
PROBE_RATE=50
# examples/island-ipv4.conf, with a ttl the suite can wait for and an
# explicit probe budget to hold the scan against.
CONF=$(island_v4_conf | sed "/^proxy wlan0 {/a\\
	ttl $TTL_MS\\
	probe-rate $PROBE_RATE")
if ! start_islandd gw "$CONF"; then
	not_ok "islandd starts in gw" "see $(islandd_log gw)"
	exit 1
fi
ok "islandd starts in gw (examples/island-ipv4.conf, ttl $TTL_MS, probe-rate $PROBE_RATE)"
GW_ETH_MAC=$(mac_addr gw eth0)

# --- dhclient and dhcpcd on the island, dhcpd upstream ---------------------
dhclient_start pi41 eth0
dhcpcd_start pi42 eth0
for h in pi41 pi42; do
	if wait_for 30 eval '[ -n "$(v4_addr $h eth0)" ]'; then
		a=$(v4_addr "$h" eth0)
		check "$h ($( [ $h = pi41 ] && echo dhclient || echo dhcpcd)) gets a lease of dhcpd's pool through the relay: $a" \
			"not in the pool" in_pool "$a"
	else
		not_ok "$h gets an address from dhcpd through the relay" "none in 30 s"
		tail -n 10 "$ISL_KEEP/dhcpd-isp.log" | sed 's/^/#   dhcpd: /'
	fi
done
PI41_V4=$(v4_addr pi41 eth0)
PI42_V4=$(v4_addr pi42 eth0)
PI42_MAC=$(mac_addr pi42 eth0)
check "dhcpd's lease file holds both leases" "$(grep -E '^lease|hardware' "$ISL_RUN/dhcpd-isp.leases" | tr '\n' ' ')" \
	eval 'grep -q "^lease $PI41_V4 " "$ISL_RUN/dhcpd-isp.leases" && grep -q "^lease $PI42_V4 " "$ISL_RUN/dhcpd-isp.leases"'
wait_for 5 eval 'has_route73_v4 gw "$PI41_V4" eth0 && has_route73_v4 gw "$PI42_V4" eth0'
check "gw routes both leases through eth0 (learn-hosts)" "routes: $(routes73_v4 gw)" \
	eval 'has_route73_v4 gw "$PI41_V4" eth0 && has_route73_v4 gw "$PI42_V4" eth0'
check "the laptop reaches both over IPv4" "no echo reply" \
	eval 'wait_for 10 nsexec laptop ping -4 -n -c 1 -W 1 "$PI41_V4" && wait_for 10 nsexec laptop ping -4 -n -c 1 -W 1 "$PI42_V4"'

# --- a /24 ARP scan at 5k requests/s from upstream -------------------------
PID=$(islandd_pid gw)
RSS0=$(proc_rss_kb "$PID")
capture_start gw eth0 "$ISL_RUN/gw-eth0-scan.pcap" arp and ether src "$GW_ETH_MAC"
SCAN_CAPTURE=$CAPTURE_PID
SCAN_S=3
scan=$(nsexec scan "$ISL_PY" "$ISL_LIB/arp_load.py" scan eth0 "$SCAN_MAC" "$SCAN_IP" "$HOME_NET" 5000 "$SCAN_S")
capture_stop "$SCAN_CAPTURE"
RSS1=$(proc_rss_kb "$PID")
note "scan: $(jq -c '{sent, seconds, rate, worst_lag_ms}' <<<"$scan")"
jq -c '.replies' <<<"$scan" | sed 's/^/# scan replies: /'
check "the scan ran at 5k requests/s ($(jq .rate <<<"$scan")/s)" "$scan" \
	jqe '.rate >= 4500' <<<"$scan"
for a in "$PI41_V4" "$PI42_V4"; do
	r=$(jq -r --arg a "$a" --arg m "$GW_WLAN_MAC" '"\(.replies[$a][$m] // 0) of \(.requests[$a] // 0)"' <<<"$scan")
	check "during the scan every request for the island host $a is answered by gw ($r)" "$r" \
		jqe --arg a "$a" --arg m "$GW_WLAN_MAC" '(.requests[$a] // 0) > 0 and (.replies[$a][$m] // 0) >= .requests[$a]' <<<"$scan"
done
wrong=$(jq -r --arg m "$GW_WLAN_MAC" --arg p1 "$PI41_V4" --arg p2 "$PI42_V4" --arg g "$GW_WLAN4" \
	'[.replies | to_entries[] | select(.key != $p1 and .key != $p2 and .key != $g) | select(.value[$m]) | .key] | join(" ")' <<<"$scan")
check "gw answers for no address nobody holds on the island" "answered for: $wrong" test -z "$wrong"
probes=$(pcap_count "$ISL_RUN/gw-eth0-scan.pcap" 'arp[6:2] = 1')
max_probes=$(( PROBE_RATE * (SCAN_S + 1) ))
check "probes on eth0 during the scan within probe-rate ($probes <= $max_probes)" "$probes probes" \
	test "$probes" -le "$max_probes"
note "scan figures: $(jq .sent <<<"$scan") requests in $(jq .seconds <<<"$scan") s, $probes probes on eth0, VmRSS $RSS0 -> $RSS1 kB"

# --- ARP spoofing of a known island host from upstream ----------------------
route_before=$(routes73_v4 gw | grep "^$PI41_V4 ")
refuted0=$(arp_stat gw claim_refuted)
spoof=$(nsexec scan "$ISL_PY" "$ISL_LIB/arp_load.py" spoof eth0 "$SCAN_MAC" "$PI41_V4" 20 0.05)
note "spoof: $spoof frames claiming $PI41_V4 is at $SCAN_MAC"
sleep 0.5 # time is tested: a route that would move does so within this
check "after the spoofing, gw's /32 to $PI41_V4 is unchanged (eth0)" "before: $route_before, now: $(routes73_v4 gw | grep "^$PI41_V4 ")" \
	eval 'has_route73_v4 gw "$PI41_V4" eth0 && [ "$(routes73_v4 gw | grep "^$PI41_V4 ")" = "$route_before" ]'
refuted1=$(arp_stat gw claim_refuted)
check "the spoofed claims were checked behind eth0 and refuted (claim_refuted ${refuted0:-?} -> ${refuted1:-?})" "not counted" \
	test "${refuted1:-0}" -gt "${refuted0:-0}"
check "gw's neighbour table never takes the spoofed MAC for $PI41_V4" "$(nsip gw -4 neigh show "$PI41_V4")" \
	eval '! nsip gw -4 neigh show "$PI41_V4" | grep -qi "$SCAN_MAC"'
nsip laptop -4 neigh flush dev wlan0
check "the laptop still reaches pi41 (after forgetting the spoofed MAC)" "no echo reply" \
	wait_for 5 nsexec laptop ping -4 -n -c 1 -W 1 "$PI41_V4"
RSS2=$(proc_rss_kb "$PID")
check "gw RSS flat across the scan and the spoofing ($RSS0 -> $RSS1 -> $RSS2 kB, margin 1 MB or 10 %)" "grew" \
	within_kb "$RSS0" "$RSS2" 1024 10

# --- pi42 moves from the island to the Wi-Fi ---------------------------------
# Its cable goes from the island switch to the access point: the same MAC and
# lease; dhcpcd sees the carrier come back, confirms its lease with dhcpd
# directly (INIT-REBOOT) and announces itself by ARP on the Wi-Fi.
# The cases below mean something only if gw answered for pi42 and routed it.
PI42_ROUTED=
has_route73_v4 gw "$PI42_V4" eth0 && PI42_ROUTED=1
check "before the move gw routes pi42 ($PI42_V4) through eth0" "routes: $(routes73_v4 gw)" test -n "$PI42_ROUTED"
moved0=$(arp_stat gw target_moved)
capture_start isp br0 "$ISL_RUN/isp-move.pcap" arp
MOVE_CAPTURE=$CAPTURE_PID
nsip sw link set p-pi42 netns "$(nsn isp)"
bridge_port isp br0 p-pi42
MOVED_AT=$(date +%s.%N)
# The laptop keeps asking for it, as hosts do while they talk to it.
nsexec laptop arping -q -c 6 -i 0.5 -I wlan0 "$PI42_V4" >/dev/null 2>&1 &
ARPING_PID=$!
# Within ttl of the move (plus a probe's timeout and retries: 2 s), counted
# from the move itself.
gone_ms=
if [ -z "$PI42_ROUTED" ]; then
	not_ok "gw withdraws its /32 to pi42 within ttl after the move" "there was no route to withdraw"
elif wait_for $(( TTL_MS / 1000 + 2 )) _isl_not has_route73_v4 gw "$PI42_V4"; then
	gone_ms=$(awk -v t0="$MOVED_AT" -v t1="$(date +%s.%N)" 'BEGIN { printf "%d", (t1 - t0) * 1000 }')
	check "gw withdraws its /32 to pi42 within ttl after the move (${gone_ms} ms, ttl $TTL_MS ms)" "too late" \
		test "$gone_ms" -le $(( TTL_MS + 2000 ))
else
	not_ok "gw withdraws its /32 to pi42 within ttl after the move" "still there $(( TTL_MS + 2000 )) ms on: $(routes73_v4 gw)"
	show_state gw
fi
if wait_for 15 eval 'nsexec laptop ping -4 -n -c 1 -W 1 "$PI42_V4"'; then
	ok "the laptop reaches pi42 ($PI42_V4) on the Wi-Fi after the move"
else
	not_ok "the laptop reaches pi42 ($PI42_V4) on the Wi-Fi after the move" "no echo reply in 15 s"
	grep -E 'claims|DAD detected|DECLINE' "$ISL_KEEP/dhcpcd-pi42.log" | sed 's/^/#   dhcpcd on pi42: /'
fi
wait "$ARPING_PID" 2>/dev/null
capture_stop "$MOVE_CAPTURE"
# Until pi42 speaks on the Wi-Fi, gw cannot know it moved and may answer
# for it as for any live island host; from pi42's first ARP frame there
# (its DAD probe, announcement, request or reply), and in any case after ttl,
# gw must never answer for it again: that would fight its own replies.
spoke=$(tcpdump -r "$ISL_RUN/isp-move.pcap" -tt -n -e "arp and ether src $PI42_MAC" 2>/dev/null |
	awk -v t0="$MOVED_AT" '$1 > t0 { print $1; exit }')
deadline=$(awk -v t0="$MOVED_AT" -v ttl="$TTL_MS" -v s="${spoke:-0}" \
	'BEGIN { d = t0 + ttl / 1000; if (s > 0 && s < d) d = s; printf "%.6f", d }')
gw_replies=$(tcpdump -r "$ISL_RUN/isp-move.pcap" -tt -n -e "arp[6:2] = 2 and ether src $GW_WLAN_MAC and arp[14:4] = $(ip_hex "$PI42_V4")" 2>/dev/null |
	awk -v t0="$MOVED_AT" '$1 > t0 { print $1 }')
early=$(awk -v d="$deadline" '$1 <= d' <<<"$gw_replies" | grep -c . || true)
fights=$(awk -v d="$deadline" '$1 > d' <<<"$gw_replies" | grep -c . || true)
own=$(arp_replies_from "$ISL_RUN/isp-move.pcap" "$PI42_MAC" "$PI42_V4")
note "pi42 first spoke ARP on the Wi-Fi $(awk -v t0="$MOVED_AT" -v s="${spoke:-0}" 'BEGIN { if (s > 0) printf "%d ms", (s - t0) * 1000; else printf "never" }') after the move; gw answered for it $early times before that (it still held the host on eth0), pi42 itself replied $own times"
check "no ARP reply from gw for $PI42_V4 once pi42 spoke on the Wi-Fi or ttl passed" "$fights from gw after it" \
	test "$fights" -eq 0 -a -n "$spoke"
moved1=$(arp_stat gw target_moved)
check "islandd counted the move (target_moved ${moved0:-?} -> ${moved1:-?})" "not counted" \
	test "${moved1:-0}" -gt "${moved0:-0}"
check "the laptop's neighbour entry for $PI42_V4 is pi42's own MAC" "$(nsip laptop -4 neigh show "$PI42_V4")" \
	eval 'nsip laptop -4 neigh show "$PI42_V4" | grep -q "lladdr $PI42_MAC"'

# --- a server that drops relayed requests ------------------------------------
# dhcpd reads raw frames, before any netfilter hook on br0: the drop sits on
# the bridge port gw's frames come in by (netdev ingress), for BOOTP requests
# whose giaddr (UDP payload offset 24) is not 0.
nsexec isp nft -f - <<-'EOF'
table netdev dropr {
	chain in {
		type filter hook ingress device "p-gw" priority 0;
		udp dport 67 @th,256,32 != 0 counter drop
	}
}
EOF
ns_add pi43
veth pi43 eth0 sw p-pi43
bridge_port sw br0 p-pi43
capture_start isp p-gw "$ISL_RUN/isp-drop.pcap" udp port 67 or udp port 68
DROP_CAPTURE=$CAPTURE_PID
t0=$(now_ms)
dhclient_start pi43 eth0
if wait_for 45 eval '[ -n "$(v4_addr pi43 eth0)" ]'; then
	ok "pi43 gets a lease although the server drops relayed requests (mode auto forwards): $(v4_addr pi43 eth0) after $(( $(now_ms) - t0 )) ms"
else
	not_ok "pi43 gets a lease although the server drops relayed requests (mode auto)" "none in 45 s"
	tail -n 8 "$ISL_KEEP/dhclient-pi43.log" | sed 's/^/#   dhclient: /'
	ctl gw dhcp 2>&1 | sed 's/^/#   islandctl dhcp: /'
fi
capture_stop "$DROP_CAPTURE"
dropped=$(nsexec isp nft list chain netdev dropr in | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
# pi43's requests as they left gw (BPF on the BOOTP fields: giaddr at UDP
# offset 8+24, chaddr at 8+28), whatever the other hosts renew meanwhile.
PI43_CHADDR="udp[36:4] = 0x$(mac_addr pi43 eth0 | tr -d : | cut -c1-8) and udp[40:2] = 0x$(mac_addr pi43 eth0 | tr -d : | cut -c9-12)"
relayed=$(pcap_count "$ISL_RUN/isp-drop.pcap" "udp dst port 67 and udp[32:4] != 0 and $PI43_CHADDR")
forwarded=$(pcap_count "$ISL_RUN/isp-drop.pcap" "udp dst port 67 and udp[32:4] = 0 and $PI43_CHADDR")
note "pi43's requests leaving gw: $relayed relayed (giaddr set; the server side dropped ${dropped:-?}), $forwarded forwarded (giaddr 0)"
check "pi43's requests were relayed first, and dropped (${relayed} relayed, ${dropped:-0} dropped)" \
	"relayed $relayed, dropped ${dropped:-none}" test "$relayed" -gt 0 -a "${dropped:-0}" -gt 0
check "then gw forwarded pi43's exchange with giaddr 0 ($forwarded requests)" "none" \
	test "$forwarded" -gt 0
nsexec isp nft delete table netdev dropr

# --- island link flap -----------------------------------------------------------
check "before the flap gw routes pi41 through eth0" "routes: $(routes73_v4 gw)" \
	wait_for 5 has_route73_v4 gw "$PI41_V4" eth0
nsip gw link set eth0 down
check "eth0 down: no route of islandd through eth0" "routes: $(routes73_v4 gw)" \
	wait_for 3 eval '! routes73_v4 gw | grep -q "dev eth0"'
nsip laptop -4 neigh flush dev wlan0
check "eth0 down: the laptop gets no answer for pi41" "answered" \
	_isl_not nsexec laptop arping -q -c 2 -w 2 -I wlan0 "$PI41_V4"
nsip gw link set eth0 up
if wait_for 15 nsexec laptop ping -4 -n -c 1 -W 1 "$PI41_V4"; then
	ok "eth0 up again: the laptop reaches pi41"
else
	not_ok "eth0 up again: the laptop reaches pi41" "no echo reply in 15 s"
	show_state gw
fi
check "eth0 up again: the /32 to pi41 is back" "routes: $(routes73_v4 gw)" \
	wait_for 5 has_route73_v4 gw "$PI41_V4" eth0

# --- kill -9 and restart ---------------------------------------------------------
stale=$(routes73_v4 gw)
stop_islandd gw KILL 5
check "after kill -9 its routes are still there (what the restart must clean)" "none left" test -n "$stale"
if start_islandd gw ""; then
	ok "islandd restarts after kill -9"
else
	not_ok "islandd restarts after kill -9" "see $(islandd_log gw)"
fi
nsip laptop -4 neigh flush dev wlan0
check "after the restart the laptop's first ping to pi41 is answered" "lost" \
	nsexec laptop ping -4 -n -c 1 -W 3 "$PI41_V4"
check "after the restart the /32 to pi41 is back" "routes: $(routes73_v4 gw)" \
	wait_for 3 has_route73_v4 gw "$PI41_V4" eth0
check "after the restart no stale route to a host that left ($PI42_V4)" "routes: $(routes73_v4 gw)" \
	_isl_not has_route73_v4 gw "$PI42_V4" eth0

finish_islandd gw
check "no proto $ISLANDD_RTPROTO IPv4 route left after SIGTERM" "left: $(routes73_v4 gw)" test -z "$(routes73_v4 gw)"
test_status
