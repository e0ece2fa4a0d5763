#!/usr/bin/env bash
# Hostile DHCPv4 against the relay: scapy on an island host sends one
# malformed or forbidden shape per case (truncated, wrong htype/hlen, no
# magic cookie, an option past the end, option-overload loops, hops 17, a
# server's reply from the island side); each must be dropped with its named
# counter moved by exactly the packets sent, nothing relayed, nothing sent
# back to the island. Then a flood of DISCOVERs with random chaddrs: the
# exchange table stays bounded, the daemon's memory flat, and a real client
# (dhclient) still gets its lease through the relay right after.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
. "$(dirname "$0")/../lib/dhcp4.sh"
need_root 44_hostile_dhcp4
need_cmd jq dnsmasq dhclient "$ISL_PY"
need_islandd
netns_init

dhcp4_island_build 192.168.44 1
T=$D4T
dhcp4_dnsmasq 100 199 || die "dnsmasq did not start"

start_islandd gw "dhcp4-relay {
	upstream wlan0
	iface eth0
	server $HOME_ADDR
	mode relay
}" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }

# send.py SHAPE [COUNT]: one DHCP shape as a broadcast from a client on eth0.
cat >"$T/send.py" <<'EOF'
import random, struct, sys
from scapy.all import Ether, IP, UDP, Raw, BOOTP, DHCP, sendp, conf
conf.verb = 0
shape, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
# from the upstream: a server's reply to the gateway (argv 3: its MAC)
up = shape.startswith("up_")
mac = bytes.fromhex("02aabbccdd01")
def msg(op=1, htype=1, hlen=6, hops=0, opts=b"\x35\x01\x01\xff", chaddr=mac, file=b"", sname=b"", cookie=b"\x63\x82\x53\x63"):
    b = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, htype, hlen, hops, random.getrandbits(32), 0, 0,
                    b"\0"*4, b"\0"*4, b"\0"*4, b"\0"*4, chaddr.ljust(16, b"\0"), sname.ljust(64, b"\0"),
                    file.ljust(128, b"\0"))
    return (b + cookie + opts).ljust(300, b"\0")
shapes = {
    "truncated": lambda: msg()[:200],
    "no_cookie": lambda: msg(cookie=b"\x63\x82\x53\x64"),
    "bad_htype": lambda: msg(htype=6, hlen=16),
    "option_past_end": lambda: msg(opts=b"\x35\x01\x01\x0c\xf0abc").ljust(300, b"\0")[:250],
    "overload_loop": lambda: msg(opts=b"\x35\x01\x01\x34\x01\x01\xff", file=b"\x34\x01\x03\xff"),
    "overload_twice": lambda: msg(opts=b"\x35\x01\x01\x34\x01\x01\x34\x01\x02\xff"),
    "hops17": lambda: msg(hops=17),
    "reply_from_island": lambda: msg(op=2, opts=b"\x35\x01\x02\xff"),
    "flood": lambda: msg(chaddr=bytes([2]) + random.randbytes(5)),
    "up_giaddr_not_ours": lambda: msg(op=2, opts=b"\x35\x01\x05\xff")[:24] + bytes([192, 168, 44, 3]) + msg(op=2, opts=b"\x35\x01\x05\xff")[28:],
    "up_unknown_client": lambda: msg(op=2, opts=b"\x35\x01\x05\xff")[:24] + bytes([192, 168, 44, 2]) + msg(op=2, opts=b"\x35\x01\x05\xff")[28:],
    "up_request": lambda: msg(),
}
if up:
    frames = [Ether(dst=sys.argv[3]) / IP(src="192.168.44.1", dst="192.168.44.2") / UDP(sport=67, dport=67) /
              Raw(shapes[shape]()) for _ in range(count)]
    sendp(frames, iface="lan0")
    sys.exit(0)
frames = [Ether(dst="ff:ff:ff:ff:ff:ff", src="02:aa:bb:cc:dd:01") /
          IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) / Raw(shapes[shape]())
          for _ in range(count)]
sendp(frames, iface="eth0")
EOF
send() { nsexec h1 "$ISL_PY" "$T/send.py" "$@"; }
GW_WLAN_MAC=$(nsip gw link show wlan0 | awk '/link\/ether/ {print $2}')
send_up() { nsexec home "$ISL_PY" "$T/send.py" "$1" 1 "$GW_WLAN_MAC"; }
d4() { ctl gw stats --json 2>/dev/null | jq -r --arg n "$1" '.dhcp4[$n] // empty'; }
d4_at_least() { local v; v=$(d4 "$1"); [ -n "$v" ] && [ "$v" -ge "$2" ]; }
rss_anon() { awk '/^RssAnon:/ {print $2}' "/proc/$(islandd_pid gw)/status"; }

# Frames from the gateway to the island (client port): none may follow a hostile case.
nsexec h1 tcpdump -i eth0 -n -l --immediate-mode 'udp dst port 68' >"$T/down.txt" 2>"$T/down.err" &
wait_for 5 tcpdump_ready "$T/down.err" || warn "tcpdump not ready"

# hcase NAME SHAPE COUNTER: one packet of SHAPE; COUNTER +1, nothing relayed.
hcase() {
	local name=$1 shape=$2 ctr=$3 before relayed rx
	before=$(d4 "$ctr"); relayed=$(d4 relayed); rx=$(d4 rx_island)
	send "$shape"
	if ! wait_for 5 d4_at_least rx_island $((rx + 1)); then
		not_ok "$name" "the packet never reached the daemon (rx_island $rx)"
		return
	fi
	local after r2
	after=$(d4 "$ctr"); r2=$(d4 relayed)
	if [ "$after" -eq $((before + 1)) ] && [ "$r2" -eq "$relayed" ]; then
		ok "$name ($ctr +1, nothing relayed)"
	else
		not_ok "$name" "$ctr $before -> $after, relayed $relayed -> $r2"
	fi
}

hcase "truncated message (200 bytes)" truncated drop_truncated
hcase "no magic cookie" no_cookie drop_no_cookie
hcase "htype 6 / hlen 16" bad_htype drop_bad_htype
hcase "an option past the end" option_past_end drop_option_past_end
hcase "option overload inside file (a loop)" overload_loop drop_overload_loop
hcase "option overload given twice" overload_twice drop_overload_loop
hcase "hops 17" hops17 drop_too_many_hops
hcase "a server's reply from the island side" reply_from_island drop_reply_from_island
# from the upstream: replies that are not the relay's to deliver
upcase() {
	local name=$1 shape=$2 ctr=$3 before rx delivered
	before=$(d4 "$ctr"); rx=$(d4 rx_server); delivered=$(d4 delivered)
	send_up "$shape"
	if ! wait_for 5 d4_at_least rx_server $((rx + 1)); then
		not_ok "$name" "the packet never reached the daemon (rx_server $rx)"
		return
	fi
	if [ "$(d4 "$ctr")" -eq $((before + 1)) ] && [ "$(d4 delivered)" -eq "$delivered" ]; then
		ok "$name ($ctr +1, nothing delivered)"
	else
		not_ok "$name" "$ctr $before -> $(d4 "$ctr"), delivered $delivered -> $(d4 delivered)"
	fi
}
upcase "upstream: a reply for another relay's giaddr" up_giaddr_not_ours drop_giaddr_not_ours
upcase "upstream: a reply to our giaddr for a client that asked nothing" up_unknown_client drop_unknown_client
upcase "upstream: a request sent to the relay's port 67" up_request upstream_requests_ignored
sleep 0.5 # a reply would need the server's round trip: give it time before judging
check "nothing was sent to the island for the hostile cases" "$(cat "$T/down.txt")" \
	test ! -s "$T/down.txt"

# ---- flood: 5000 DISCOVERs, random chaddr ----
RSS0=$(rss_anon)
RX0=$(d4 rx_island)
send flood 5000
wait_for 30 d4_at_least rx_island $((RX0 + 5000)) ||
	not_ok "flood reached the daemon" "rx_island $(d4 rx_island), wanted $((RX0 + 5000))"
RSS1=$(rss_anon)
check "flood: the exchange table stays bounded (pending <= 1024)" "pending $(d4 pending)" \
	test "$(d4 pending)" -le 1024
check "flood: older exchanges give way (pending_evicted > 0)" "pending_evicted $(d4 pending_evicted)" \
	test "$(d4 pending_evicted)" -gt 0
note "RssAnon before the flood $RSS0 kB, after $RSS1 kB"
check "flood: RssAnon grew less than 2 MB (${RSS0} -> ${RSS1} kB)" "grew $((RSS1 - RSS0)) kB" \
	test $((RSS1 - RSS0)) -lt 2048
check "islandd still runs" "gone" islandd_running gw

# ---- and a real client still gets its lease ----
run_dhclient h1
A=$(nsip h1 -4 -o addr show dev eth0 | awk '{print $4}')
check "after the flood, dhclient gets a lease through the relay ($A)" "$(tail -n 3 "$T/h1.dhclient.log")" \
	eval '[[ "$A" == 192.168.44.* ]]'
dhclient_cmd h1 -x

finish_islandd gw
test_status
