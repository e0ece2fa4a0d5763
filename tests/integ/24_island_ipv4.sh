#!/usr/bin/env bash
# Seed 000 in both families, end to end, with real programs: the home
# router's dnsmasq hands pi-41 (dhclient, on the island behind gw) an
# address of the home /24 through islandd's DHCPv4 relay; avahi-daemon on
# pi-41 publishes pi-41.local; the laptop on the Wi-Fi resolves it with
# libnss-mdns (`getent ahostsv4`) and connects to it over IPv4 TCP; pi-41
# reaches the 'internet' over IPv4, and nothing on the gateway translates
# addresses. IPv6 (NDP proxy, AAAA) is checked along as a sanity check.
# The gateway runs examples/island-ipv4.conf as shipped.
set -u
. "$(dirname "$0")/../lib/ipv4.sh"
need_root island_ipv4
need_cmd jq "$ISL_PY" dnsmasq dhclient socat nft avahi-daemon dbus-daemon getent unshare
need_islandd
netns_init
island000_v4_build
dnsmasq_start isp br0
# What reaches the home router's DHCP port, to see the relay on the wire.
capture_start isp br0 "$ISL_RUN/isp-dhcp.pcap" udp port 67
ISP_DHCP_CAPTURE=$CAPTURE_PID

if ! start_islandd gw "$(island_v4_conf)"; then
	not_ok "islandd starts in gw with examples/island-ipv4.conf" "see $(islandd_log gw)"
	exit 1
fi
ok "islandd starts in gw with examples/island-ipv4.conf"

# --- the lease, through the relay ---------------------------------------
dhclient_start pi41 eth0
PI41_MAC=$(mac_addr pi41 eth0)
if wait_for 30 eval '[ -n "$(v4_addr pi41 eth0)" ]'; then
	PI41_V4=$(v4_addr pi41 eth0)
	ok "pi41 gets an IPv4 address by DHCP through the gateway ($PI41_V4)"
else
	not_ok "pi41 gets an IPv4 address by DHCP through the gateway" "no address in 30 s"
	tail -n 15 "$ISL_KEEP/dhclient-pi41.log" | sed 's/^/#   dhclient: /'
	tail -n 15 "$ISL_KEEP/dnsmasq-isp.log" | sed 's/^/#   dnsmasq: /'
	show_state gw
	finish_islandd gw
	exit 1
fi
check "pi41's lease $PI41_V4 is in the home router's pool ($POOL_FIRST-$POOL_LAST)" "not in the pool" \
	in_pool "$PI41_V4"
check "dnsmasq's lease file holds pi41's MAC with $PI41_V4" "$(cat "$ISL_RUN/dnsmasq-isp.leases")" \
	grep -q " $PI41_MAC $PI41_V4 " "$ISL_RUN/dnsmasq-isp.leases"
# RFC 1542 on the wire: the requests reach the server from gw's wlan0
# address, port 67 to 67, with giaddr = that address (mode auto relays first).
capture_stop "$ISP_DHCP_CAPTURE"
tcpdump -r "$ISL_RUN/isp-dhcp.pcap" -n 2>/dev/null | head -n 6 | sed 's/^/# isp br0: /'
giaddrs=$(tcpdump -r "$ISL_RUN/isp-dhcp.pcap" -n -v "src host $GW_WLAN4 and udp src port 67 and udp dst port 67" 2>/dev/null |
	sed -n 's/.*Gateway-IP \([0-9.]*\).*/\1/p' | sort -u | tr '\n' ' ')
check "the server gets the requests relayed: from $GW_WLAN4:67, giaddr $GW_WLAN4" "giaddrs: $giaddrs" \
	test "$giaddrs" = "$GW_WLAN4 "
check "pi41's default route is the home router $HOME_ROUTER (option 3, unchanged by the relay)" \
	"$(nsip pi41 -4 route show default)" \
	eval 'nsip pi41 -4 route show default | grep -q "via $HOME_ROUTER "'
# learn-hosts: the lease is a known host at once, routed with islandd's protocol.
if wait_for 5 has_route73_v4 gw "$PI41_V4" eth0; then
	ok "gw routes the lease $PI41_V4/32 through eth0 (proto $ISLANDD_RTPROTO)"
else
	not_ok "gw routes the lease $PI41_V4/32 through eth0 (proto $ISLANDD_RTPROTO)" "routes: $(routes73_v4 gw)"
fi
dhcp_json=$(ctl gw dhcp --json 2>&1)
echo "# islandctl dhcp: $dhcp_json" | head -c 2000; echo
check "islandctl dhcp lists pi41's lease ($PI41_V4, $PI41_MAC, eth0) and relays on wlan0 in mode relay" "$dhcp_json" \
	jqe --arg a "$PI41_V4" --arg m "$PI41_MAC" \
	'(.dhcp.leases[] | select(.address == $a and .mac == $m and .iface == "eth0" and .upstream == "wlan0")) and
	 (.dhcp.relays[] | select(.upstream == "wlan0" and .mode == "relay" and .giaddr == "192.168.1.2"))' \
	<<<"$dhcp_json"

# --- names: avahi on pi41 and the laptop, islandd's reflector between --
mdns_host pi41 pi-41 eth0
mdns_host laptop laptop wlan0
for h in pi41 laptop; do
	avahi_start "$h" || not_ok "avahi-daemon starts in $h" "see $(avahi_log "$h")"
done
if wait_for 15 eval 'mdns_resolve laptop pi-41.local 4 | grep -qx "$PI41_V4"'; then
	ok "laptop: getent ahostsv4 pi-41.local -> $PI41_V4"
else
	not_ok "laptop: getent ahostsv4 pi-41.local -> $PI41_V4" "got: $(mdns_resolve laptop pi-41.local 4 | tr '\n' ' ')"
fi
mdns_exec laptop getent ahostsv4 pi-41.local | sed 's/^/# laptop $ getent ahostsv4 pi-41.local: /'

# --- laptop -> pi41 over IPv4 TCP, at the address pi-41.local gave --------
# pi41 answers every connection with the peer address it sees: the laptop's
# own address proves nobody translated it on the way.
nsexec pi41 socat TCP4-LISTEN:8041,reuseaddr,fork SYSTEM:'echo "pi-41 sees $SOCAT_PEERADDR"' \
	>/dev/null 2>&1 &
at_cleanup "kill $! 2>/dev/null"
wait_for 5 eval 'nsexec pi41 ss -Htln "sport = :8041" | grep -q 8041'
RESOLVED=$(mdns_resolve laptop pi-41.local 4 | head -n 1)
# The laptop's ARP exchange for pi41, as it goes over the air.
capture_start laptop wlan0 "$ISL_RUN/laptop-arp.pcap" arp
LAPTOP_ARP_CAPTURE=$CAPTURE_PID
tcp_reply() { nsexec laptop timeout 5 socat -T 3 -u TCP4:"${RESOLVED:-0.0.0.0}":8041 - 2>&1; }
reply=
for _ in 1 2 3 4 5; do
	reply=$(tcp_reply)
	[ -n "$reply" ] && break
	sleep 0.5 # a retry: the first SYN may wait for the proxy's probe on eth0
done
note "laptop $ socat -u TCP4:$RESOLVED:8041 - -> $reply"
check "laptop connects over IPv4 TCP to pi-41.local ($RESOLVED)" "reply: $reply" \
	grep -q '^pi-41 sees ' <<<"$reply"
check "pi41 sees the laptop's own address $LAPTOP4 (no NAT between)" "reply: $reply" \
	test "$reply" = "pi-41 sees $LAPTOP4"
capture_stop "$LAPTOP_ARP_CAPTURE"
# RFC 826 on the wire: the reply comes from gw's own MAC, says pi41 is at that
# MAC (sender hardware address = Ethernet source: islandd answers only with
# its own MAC), and goes back unicast to the laptop that asked.
replies=$(tcpdump -r "$ISL_RUN/laptop-arp.pcap" -n -e "arp[6:2] = 2 and arp[14:4] = $(ip_hex "$PI41_V4")" 2>/dev/null)
echo "$replies" | head -n 3 | sed 's/^/# laptop wlan0: /'
check "gw's ARP replies for $PI41_V4: from $GW_WLAN_MAC, is-at $GW_WLAN_MAC, unicast to the laptop" "replies: $replies" \
	eval '[ -n "$replies" ] && ! grep -v "^[0-9:.]* $GW_WLAN_MAC > $LAPTOP_MAC, ethertype ARP .*Reply $PI41_V4 is-at $GW_WLAN_MAC," <<<"$replies" | grep -q .'
check "the laptop resolves pi41 ($PI41_V4) to the gateway's wlan0 MAC ($GW_WLAN_MAC)" \
	"$(nsip laptop -4 neigh show "$PI41_V4")" \
	eval 'nsip laptop -4 neigh show "$PI41_V4" dev wlan0 | grep -q "lladdr $GW_WLAN_MAC"'

# --- pi41 -> the internet over IPv4, no NAT on the gateway ---------------
nsexec inet socat TCP4-LISTEN:8080,reuseaddr,fork SYSTEM:'echo "inet sees $SOCAT_PEERADDR"' \
	>/dev/null 2>&1 &
at_cleanup "kill $! 2>/dev/null"
wait_for 5 eval 'nsexec inet ss -Htln "sport = :8080" | grep -q 8080'
if wait_for 10 nsexec pi41 ping -4 -n -c 1 -W 1 "$INET4"; then
	ok "pi41 reaches the internet address $INET4 (ping -4)"
else
	not_ok "pi41 reaches the internet address $INET4 (ping -4)" "no echo reply within 10 s"
	show_state gw
fi
reply=$(nsexec pi41 timeout 5 socat -T 3 -u TCP4:"$INET4":8080 - 2>&1)
check "pi41 connects to the internet over TCP, seen there as its own lease $PI41_V4" "reply: $reply" \
	test "$reply" = "inet sees $PI41_V4"
ruleset=$(nsexec gw nft list ruleset 2>&1)
check "gw has no NAT: its nftables ruleset is empty" "ruleset: $ruleset" test -z "$ruleset"

# --- IPv6 alongside: the NDP proxy and AAAA records --------------------------
if ping6_ok laptop "$PI41_ADDR" 10; then
	ok "laptop reaches pi41's global IPv6 address $PI41_ADDR"
else
	not_ok "laptop reaches pi41's global IPv6 address $PI41_ADDR" "no echo reply in 10 s"
	nsip laptop -6 neigh show dev wlan0 | sed 's/^/#   laptop neigh: /'
	nsexec isp bridge mdb show dev br0 | sed 's/^/#   isp mdb: /'
	show_state gw
fi
check "pi41 reaches the internet over IPv6 ($INET_ADDR)" "no echo reply" ping6_ok pi41 "$INET_ADDR" 10
if wait_for 10 eval 'mdns_resolve laptop pi-41.local 6 | grep -q "^2001:db8:abc:123:"'; then
	ok "laptop: getent ahostsv6 pi-41.local -> a global address in the home /64"
else
	not_ok "laptop: getent ahostsv6 pi-41.local -> a global address in the home /64" \
		"got: $(mdns_resolve laptop pi-41.local 6 | tr '\n' ' ')"
fi
check "laptop: ping -6 pi-41.local" "no echo reply" \
	mdns_exec laptop ping -6 -n -c 1 -W 3 pi-41.local
check "laptop: ping -4 pi-41.local" "no echo reply" \
	mdns_exec laptop ping -4 -n -c 1 -W 3 pi-41.local

# --- what islandd shows ---------------------------------------------------
sessions=$(ctl gw sessions --json 2>&1)
check "islandctl sessions: pi41's IPv4 address, family ipv4" "sessions: $sessions" \
	jqe --arg t "$PI41_V4" '.sessions[] | select(.target == $t and .family == "ipv4")' <<<"$sessions"
json_routes=$(ctl gw routes --json 2>&1)
check "islandctl routes lists $PI41_V4/32 on eth0" "routes: $json_routes" \
	jqe --arg d "$PI41_V4/32" '.routes[] | select(.dst == $d and .iface == "eth0")' <<<"$json_routes"
routes73_v4 gw | sed 's/^/# gw ipv4 proto 73: /'
check "gw's IPv4 routes of islandd are /32s inside the home /24 only" "routes: $(routes73_v4 gw)" \
	eval '! routes73_v4 gw | awk "{print \$1}" | grep -v "^192\.168\.1\.[0-9]*$"'

# Leaving: SIGTERM removes what islandd installed, in both families.
finish_islandd gw
check "no proto $ISLANDD_RTPROTO route left after SIGTERM (IPv4 and IPv6)" \
	"left: $(routes73_v4 gw) $(routes73 gw)" test -z "$(routes73_v4 gw)$(routes73 gw)"
test_status
