#!/usr/bin/env bash
# The DHCPv6 relay of an island in relay mode (RFC 8415 §19): the seed-000
# island with dnsmasq as the upstream's stateful DHCPv6 server (radvd says
# M and O), the gateway running `island wlan0 { iface eth0 }` (no server
# delegates: relay mode). An island host's `dhclient -6` gets an address of
# the upstream /64 through the relay, that address is a known host at once
# (route + NDP answer) and the laptop reaches it; the Relay-Forward on the
# wire carries what §19.1 asks; hostile relay messages from the island side
# are dropped and counted.
set -u
. "$(dirname "$0")/../lib/ra.sh"
need_root 28_dhcp6_relay
need_cmd jq radvd dnsmasq dhclient tcpdump "$ISL_PY"
need_islandd
netns_init
ra_island_build

# radvd again with M and O: hosts ask DHCPv6 for addresses and options
ra_radvd_stop isp
ra_radvd_start isp br0 "$RA_PREFIX" "AdvManagedFlag on; AdvOtherConfigFlag on;"

DNSMASQ_LEASES=$ISL_RUN/dnsmasq6.leases
nsexec isp dnsmasq -k --port=0 --interface=br0 --bind-interfaces \
	--dhcp-range=${RA_PREFIX_STR}:1000,${RA_PREFIX_STR}:1fff,64,2m \
	--dhcp-option=option6:dns-server,[${RA_PREFIX_STR}:53] \
	--dhcp-leasefile="$DNSMASQ_LEASES" --pid-file="$ISL_RUN/dnsmasq6.pid" \
	--log-dhcp --log-facility="$ISL_KEEP/dnsmasq6.log" >/dev/null 2>&1 &
at_cleanup "kill \$(cat $ISL_RUN/dnsmasq6.pid 2>/dev/null) 2>/dev/null"
wait_for 5 test -s "$ISL_RUN/dnsmasq6.pid" || die "dnsmasq did not start"

GW_WLAN_GLOBAL=$(global_addr gw wlan0 "$RA_PREFIX_STR")
CAP=$ISL_KEEP/28-relay-fwd.txt
nsexec gw tcpdump -i wlan0 -U -l -n -vv 'udp port 547' >"$CAP" 2>"$CAP.err" &
TCPDUMP=$!
at_cleanup "kill $TCPDUMP 2>/dev/null"
wait_for 5 tcpdump_ready "$CAP.err" || warn "tcpdump did not start"
PCAP=$ISL_KEEP/28-relay.pcap
nsexec gw tcpdump -i wlan0 -U -n -w "$PCAP" 'udp port 547' 2>"$PCAP.err" &
TCPDUMP2=$!
at_cleanup "kill $TCPDUMP2 2>/dev/null"
wait_for 5 tcpdump_ready "$PCAP.err" || warn "tcpdump (pcap) did not start"

start_islandd gw "island wlan0 {
	iface eth0
	state-dir $ISL_RUN/gw-state
}" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }

island_json() { ctl gw island --json 2>/dev/null; }
check "islandctl island: wlan0 in relay mode" "$(ctl gw island)" \
	wait_for 5 eval '[ "$(island_json | jq -r ".islands[0].mode")" = relay ]'

# dhclient -6 on h1 (one try, 30 s at most), its own lease file and pid file,
# once its link-local address is usable (it binds to it)
dad_wait h1 h2
nsexec h1 timeout 40 dhclient -6 -1 -v -lf "$ISL_RUN/h1.leases" -pf "$ISL_RUN/h1-dhclient.pid" eth0 \
	>"$ISL_KEEP/h1-dhclient.log" 2>&1 &
DHC=$!
at_cleanup "kill \$(cat $ISL_RUN/h1-dhclient.pid 2>/dev/null) 2>/dev/null; kill $DHC 2>/dev/null"
h1_dhcp_addr() {
	nsip h1 -6 -o addr show dev eth0 | awk '{sub("/.*", "", $4); print $4}' |
		grep -E "^${RA_PREFIX_STR}:1[0-9a-f]{3}$" | head -n 1
}
if wait_for 40 eval '[ -n "$(h1_dhcp_addr)" ]'; then
	H1=$(h1_dhcp_addr)
	ok "h1 (dhclient -6): address $H1 from dnsmasq through the relay"
else
	not_ok "h1 (dhclient -6): an address from dnsmasq through the relay" \
		"$(tail -n 5 "$ISL_KEEP/h1-dhclient.log" | tr '\n' ' '); $(ctl gw island)"
	H1=
fi

# dhcpcd on h2 (in a private mount namespace: its /run and /var/lib/dhcpcd
# are its own, so nothing on the host or in another test is touched); the
# RA's M flag starts its DHCPv6 client
mkdir -p "$ISL_RUN/h2-dhcpcd"
printf 'ipv6only\nnoipv4ll\nnohook resolv.conf\n' >"$ISL_RUN/h2-dhcpcd.conf"
ip netns exec "$(nsn h2)" unshare -m --propagation private sh -c '
	mount -t tmpfs tmpfs /run && mount --bind "$1" /var/lib/dhcpcd &&
	exec timeout 60 dhcpcd -B -6 -f "$2" eth0' _ "$ISL_RUN/h2-dhcpcd" "$ISL_RUN/h2-dhcpcd.conf" \
	>"$ISL_KEEP/h2-dhcpcd.log" 2>&1 &
DHCPCD=$!
at_cleanup "kill $DHCPCD 2>/dev/null"
h2_dhcp_addr() {
	nsip h2 -6 -o addr show dev eth0 | awk '{sub("/.*", "", $4); print $4}' |
		grep -E "^${RA_PREFIX_STR}:1[0-9a-f]{3}$" | head -n 1
}
if wait_for 30 eval '[ -n "$(h2_dhcp_addr)" ]'; then
	H2=$(h2_dhcp_addr)
	ok "h2 (dhcpcd): address $H2 from dnsmasq through the relay"
	check "the laptop reaches $H2" "no echo reply" ping6_ok laptop "$H2" 10
else
	not_ok "h2 (dhcpcd): an address from dnsmasq through the relay" "$(tail -n 5 "$ISL_KEEP/h2-dhcpcd.log" | tr '\n' ' ')"
fi

# The Relay-Forward on the wire (RFC 8415 §19.1.1): hop count 0, the
# link-address a global address naming the link (gw's on wlan0: the island
# shares the upstream /64), the peer-address the client's link-local
# source, an Interface-ID, the client's message inside; sent to ff02::1:2.
H1_LL=$(ll_addr h1 eth0)
FWD=$(grep -m 1 -A 3 'relay-fwd' "$CAP" | tr '\n' ' ')
check "wire: a Relay-Forward to ff02::1:2.547 from gw's link-local" "$FWD" \
	grep -qE "$(ll_addr gw wlan0)\.547 > ff02::1:2\.547" <<<"$FWD"
check "wire: link-address $GW_WLAN_GLOBAL, peer-address $H1_LL" "$FWD" \
	grep -qE "relay-fwd \(linkaddr=$GW_WLAN_GLOBAL peeraddr=$H1_LL" <<<"$FWD"
# tcpdump does not print the hop count: scapy reads the first Relay-Forward
WIRE=$("$ISL_PY" - "$PCAP" <<-'PYEOF'
	import logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.utils import rdpcap
	from scapy.layers.inet import UDP
	from scapy.layers.inet6 import IPv6
	from scapy.layers.dhcp6 import DHCP6_RelayForward, DHCP6OptIfaceId, DHCP6OptRelayMsg
	for p in rdpcap(sys.argv[1]):
	    if DHCP6_RelayForward in p:
	        r = p[DHCP6_RelayForward]
	        iid = r[DHCP6OptIfaceId].ifaceid.decode() if DHCP6OptIfaceId in r else "-"
	        inner = type(r[DHCP6OptRelayMsg].message).__name__ if DHCP6OptRelayMsg in r else "-"
	        print("hopcount=%d sport=%d hlim=%d iid=%s inner=%s" % (r.hopcount, p[UDP].sport, p[IPv6].hlim, iid, inner))
	        break
	PYEOF
)
check "wire (scapy): hop count 0 from port 547, Interface-ID eth0, a Solicit inside" "$WIRE" \
	grep -qE "^hopcount=0 sport=547 hlim=1 iid=eth0 inner=DHCP6_Solicit" <<<"$WIRE"
check "wire: an Interface-ID option and the client's message inside" "$FWD" \
	grep -qE "interface-ID.*relaymsg|relaymsg.*interface-ID|interface-ID.*solicit" <<<"$FWD"
REPL=$(grep -m 1 'relay-reply' "$CAP")
check "wire: dnsmasq's Relay-Reply comes back to the gateway" "$(tail -n 5 "$CAP")" test -n "$REPL"

if [ -n "$H1" ]; then
	check "gw routes the leased $H1 (proto $ISLANDD_RTPROTO) at once" "routes: $(routes73 gw)" \
		wait_for 3 has_route73 gw "$H1"
	check "islandctl island lists $H1 as a leased host" "$(ctl gw island)" \
		eval 'island_json | jq -e --arg a "$H1" ".islands[0].dhcp6_relay.hosts[] | select(.address == \$a)" >/dev/null'
	check "the laptop reaches $H1 (islandd answers NDP for it)" "no echo reply" ping6_ok laptop "$H1" 10
	# SIGHUP: the relay and the hosts it learned stay
	kill -HUP "$(islandd_pid gw)"
	wait_for 5 grep -q "configuration reloaded" "$(islandd_log gw)"
	check "SIGHUP: $H1 still a leased host, still routed" "$(ctl gw island); $(routes73 gw)" eval \
		'island_json | jq -e --arg a "$H1" ".islands[0].dhcp6_relay.hosts[] | select(.address == \$a)" >/dev/null &&
		 has_route73 gw "$H1"'
fi
check "relay counters: forwarded and answered" "$(ctl gw island)" eval \
	'[ "$(island_json | jq ".islands[0].dhcp6_relay.counters.tx_relay_forw")" -ge 2 ] &&
	 [ "$(island_json | jq ".islands[0].dhcp6_relay.counters.tx_to_client")" -ge 2 ]'

# Hostile: a Relay-Reply and an over-deep Relay-Forward from the island side,
# a truncated message; each dropped and counted, none forwarded.
relay_counter() { island_json | jq ".islands[0].dhcp6_relay.counters.$1"; }
FWD_BEFORE=$(relay_counter tx_relay_forw)
nsexec h2 "$ISL_PY" - <<-'PYEOF'
	import socket, struct
	s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	idx = socket.if_nametoindex("eth0")
	z = bytes(16)
	inner = bytes([7, 1, 2, 3])
	relaymsg = struct.pack("!HH", 9, len(inner)) + inner
	iid = struct.pack("!HH", 18, 4) + b"eth0"
	repl = bytes([13, 0]) + z + z + iid + relaymsg       # Relay-Reply from an island host
	deep = bytes([12, 8]) + z + z + relaymsg             # Relay-Forward at HOP_COUNT_LIMIT
	short = bytes([1, 0])                                # truncated
	for m in (repl, deep, short):
	    s.sendto(m, ("ff02::1:2", 547, 0, idx))
	PYEOF
check "hostile: a Relay-Reply from the island dropped and counted" "$(ctl gw island)" \
	wait_for 3 eval '[ "$(relay_counter drop_repl_from_island)" -ge 1 ]'
check "hostile: a Relay-Forward at hop count 8 dropped and counted" "$(ctl gw island)" \
	eval '[ "$(relay_counter drop_hop_limit)" -ge 1 ]'
check "hostile: a truncated message dropped and counted" "$(ctl gw island)" \
	eval '[ "$(relay_counter drop_parse)" -ge 1 ]'
check "hostile: none of them forwarded" "tx_relay_forw $FWD_BEFORE -> $(relay_counter tx_relay_forw)" \
	test "$(relay_counter tx_relay_forw)" = "$FWD_BEFORE"
check "islandctl island (text) says relay mode and why" "$(ctl gw island)" \
	grep -qE "^wlan0: relay mode for .*: (no DHCPv6 server offered a prefix|soliciting)" <<<"$(ctl gw island)"
finish_islandd gw
test_status
