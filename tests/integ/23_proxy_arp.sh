#!/usr/bin/env bash
# Proxy ARP (issue 15): the home router (hr) and the island host (pi41) on
# one IPv4 /24, the gateway (gw, islandd) between them on two links:
#
#   hr br0 192.168.1.1/24 [lan0, sta0] --- wlan0 gw eth0 --- eth0 pi41 192.168.1.41/24
#                    |                (gw: wlan0 192.168.1.2/24, eth0 no address)
#                  sta0 --- wifi0 mv  (a Wi-Fi station, where pi41 moves to)
#
# Real Linux stacks on both ends: hr resolves pi41 through the gateway (its
# MAC), pi41 resolves hr through it, ping works both ways, the /32 route
# (protocol 73) appears; an address nobody holds gets no answer; liveness
# probes are unicast to pi41's MAC; an RFC 5227 probe for pi41 is defended;
# kill -9 and a restart: the route is back after the first request; a
# reload keeps it; a new MAC is announced; pi41 moves to the Wi-Fi: the
# gateway drops it and never answers for it there; SIGTERM removes the
# routes. Every frame islandd sends is checked against RFC 826 (Ethernet/
# IPv4 sizes, the gateway's own MAC as sender) with tcpdump -e.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
. "$(dirname "$0")/../lib/arp.sh"
need_root proxy_arp
need_cmd jq tcpdump arping "$ISL_PY"
need_islandd
netns_init

arp_island_build

CONF="proxy wlan0 {
	autowire yes
	ttl 3000
	timeout 500
	rule 192.168.1.0/24 {
		iface eth0
	}
}
proxy eth0 {
	rule 192.168.1.0/24 {
		auto
	}
}"

# Every ARP frame on both links, with Ethernet headers.
PCAP_UP="$ISL_RUN/up.txt"
PCAP_DOWN="$ISL_RUN/down.txt"
nsexec hr tcpdump -i lan0 -e -n -vv -l arp >"$PCAP_UP" 2>&1 &
TD1=$!
nsexec pi41 tcpdump -i eth0 -e -n -vv -l arp >"$PCAP_DOWN" 2>&1 &
TD2=$!
at_cleanup "kill $TD1 $TD2 2>/dev/null"
wait_for 5 tcpdump_ready "$PCAP_UP" && wait_for 5 tcpdump_ready "$PCAP_DOWN" || die "tcpdump did not start"

start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }


# --- hr resolves pi41 through the gateway and reaches it ---
got=$(arping_mac 192.168.1.41 4)
check "hr's ARP for pi41 is answered with the gateway's wlan0 MAC" "answered by '${got:-nobody}', gw is $GW_WLAN0" \
	test "$got" = "$GW_WLAN0"
check "the /32 route to pi41 appears (proto 73, dev eth0)" "routes: $(routes4)" has_route4 192.168.1.41 eth0
check "hr pings pi41 (IPv4, through the gateway)" "no echo reply" \
	nsexec hr ping -c 1 -W 3 192.168.1.41
check "hr's neighbour entry for pi41 is the gateway's MAC" "lladdr $(neigh_mac hr 192.168.1.41 br0)" \
	test "$(neigh_mac hr 192.168.1.41 br0)" = "$GW_WLAN0"
check "pi41 reaches hr: its entry for hr is the gateway's eth0 MAC (reverse proxy block)" \
	"lladdr $(neigh_mac pi41 192.168.1.1 eth0)" test "$(neigh_mac pi41 192.168.1.1 eth0)" = "$GW_ETH0"
check "pi41 pings hr" "no echo reply" nsexec pi41 ping -c 1 -W 3 192.168.1.1
check "islandctl sessions lists pi41 as ipv4, valid" "$(ctl gw sessions --json)" \
	jqe '.sessions[] | select(.family == "ipv4" and .target == "192.168.1.41" and .state == "valid" and .routed)' \
	<<<"$(ctl gw sessions --json)"
check "islandctl routes lists 192.168.1.41/32" "$(ctl gw routes --json)" \
	jqe '.routes[] | select(.family == "ipv4" and .dst == "192.168.1.41/32" and .iface == "eth0")' \
	<<<"$(ctl gw routes --json)"
check "islandctl status lists the IPv4 rules of both blocks" "$(ctl gw status --json | jq -c .proxies)" \
	jqe '[.proxies[] | select(.family == "ipv4") | .iface + " " + .rules[0].prefix + " " + .rules[0].method]
	     == ["wlan0 192.168.1.0/24 iface", "eth0 192.168.1.0/24 auto"]' <<<"$(ctl gw status --json)"
check "islandctl status (text) shows them" "$(ctl gw status)" grep -q "192.168.1.0/24" <<<"$(ctl gw status)"
check "islandctl sessions (text) shows the IPv4 address" "$(ctl gw sessions)" \
	grep -q "192.168.1.41" <<<"$(ctl gw sessions)"

# --- nobody holds 192.168.1.77: never answered ---
got=$(arping_mac 192.168.1.77 3)
check "an address nobody holds gets no answer" "answered by $got" test -z "$got"
check "... the gateway probed for it downstream and gave up" "tx_probe $(arp_counter tx_probe)" \
	arp_counter_at_least tx_probe 2
check "... and routes nothing to it" "routes: $(routes4)" _isl_not has_route4 192.168.1.77 eth0

# --- liveness: unicast to pi41's MAC ---
# From here on there is no traffic to pi41, so the gateway kernel's own
# resolution of it is quiet: requests for pi41 on eth0 are islandd's.
mark=$(wc -l <"$PCAP_DOWN")
u0=$(arp_counter tx_probe_unicast)
if wait_for 10 arp_counter_at_least tx_probe_unicast $(( u0 + 1 )); then
	ok "keepalive probes pi41 after its ttl ($(arp_counter tx_probe_unicast) unicast probes)"
else
	not_ok "keepalive probes pi41 after its ttl" "tx_probe_unicast $(arp_counter tx_probe_unicast)"
fi
# The renewals go to pi41's MAC, never broadcast (tcpdump -e: "SRC > DST").
reqs=$(tail -n +"$(( mark + 1 ))" "$PCAP_DOWN" | grep -F "$GW_ETH0 > " | grep "Request who-has 192.168.1.41 " || true)
n_req=$(grep -c . <<<"$reqs")
n_uni=$(grep -c "> $PI41_MAC" <<<"$reqs")
check "renewal requests for pi41 on the island are unicast to its MAC" \
	"$n_req requests, $n_uni to $PI41_MAC: $reqs" test "$n_uni" -ge 1 -a "$n_uni" -eq "$n_req"
# The first probe for a target nobody has resolved is broadcast.
n=$(grep -F "$GW_ETH0 > ff:ff:ff:ff:ff:ff" "$PCAP_DOWN" | grep -c "Request who-has 192.168.1.77 ")
check "the first probe for an unknown target is broadcast" "$n broadcast requests for .77" test "$n" -ge 1
check "pi41 is still valid after several ttls" "state $(session_state gw 192.168.1.41)" \
	test "$(session_state gw 192.168.1.41)" = valid

# --- RFC 5227: a probe for pi41's (live) address is defended ---
probe_py='
import sys, logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, ARP, srp1, conf
conf.verb = 0
hw = sys.argv[1]
r = srp1(Ether(src=hw, dst="ff:ff:ff:ff:ff:ff")/ARP(op=1, hwsrc=hw, psrc="0.0.0.0", hwdst="00:00:00:00:00:00",
        pdst=sys.argv[2]), iface="br0", timeout=3, filter="arp and arp[6:2] = 2")
if r is None: print("none"); sys.exit(0)
print(r[Ether].src, r[ARP].hwsrc, r[ARP].psrc, r[ARP].hwdst, r[ARP].pdst)
'
got=$(nsexec hr "$ISL_PY" -c "$probe_py" "$HR_MAC" 192.168.1.41)
check "an RFC 5227 probe for pi41 is defended: reply from the gateway's MAC, to the prober" "got: $got" \
	test "$got" = "$GW_WLAN0 $GW_WLAN0 192.168.1.41 $HR_MAC 0.0.0.0"
got=$(nsexec hr "$ISL_PY" -c "$probe_py" "$HR_MAC" 192.168.1.78)
check "an RFC 5227 probe for a free address is not answered" "got: $got" test "$got" = none

# --- RFC 826 on the wire: every ARP the gateway sent ---
# tcpdump -vv prints "Ethernet (len 6), IPv4 (len 4)" for htype 1 / ptype 0x800 with those sizes.
bad=$( { grep -F -e "$GW_WLAN0 > " "$PCAP_UP"; grep -F -e "$GW_ETH0 > " "$PCAP_DOWN"; } |
	grep -v "ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4)" || true)
check "every ARP frame from the gateway is Ethernet/IPv4 with hlen 6, plen 4" "$bad" test -z "$bad"
bad=$(grep -F "$GW_WLAN0 > " "$PCAP_UP" | grep "Reply" | grep -v "is-at $GW_WLAN0" || true)
check "every reply on wlan0 names the gateway's own wlan0 MAC" "$bad" test -z "$bad"
bad=$(grep -F "$GW_ETH0 > " "$PCAP_DOWN" | grep "Reply" | grep -v "is-at $GW_ETH0" || true)
check "every reply on eth0 names the gateway's own eth0 MAC" "$bad" test -z "$bad"
n=$(grep -F "$GW_WLAN0 > " "$PCAP_UP" | grep -c "Reply 192.168.1.41 is-at")
check "the gateway answered on wlan0 for pi41" "$n replies" test "$n" -ge 1
n=$(grep -F "$GW_WLAN0 > " "$PCAP_UP" | grep -c "Reply 192.168.1.7[78] is-at")
check "the gateway never answered for an address nobody holds" "$n replies" test "$n" -eq 0

# --- kill -9, restart: the stale route is flushed, back after the first request ---
stop_islandd gw KILL 5 >/dev/null
check "after kill -9 the /32 is still there" "routes: $(routes4)" has_route4 192.168.1.41 eth0
start_islandd gw "" || { not_ok "islandd restarts" "see $(islandd_log gw)"; exit 1; }
nsip hr neigh flush dev br0
got=$(arping_mac 192.168.1.41 4)
check "after a restart pi41 is answered at the first request" "answered by '${got:-nobody}'" \
	test "$got" = "$GW_WLAN0"
check "... and its route is back" "routes: $(routes4)" wait_for 3 has_route4 192.168.1.41 eth0
check "hr pings pi41 after the restart" "no echo reply" nsexec hr ping -c 1 -W 3 192.168.1.41

# --- SIGHUP: the session and its route stay (nothing removed and re-added) ---
a0=$(arp_counter route_added)
kill -HUP "$(islandd_pid gw)"
reloaded() { [ "$(ctl gw status --json | jq .reloads)" -ge 1 ] 2>/dev/null; }
check "a reload is taken" "reloads $(ctl gw status --json | jq .reloads)" wait_for 5 reloaded
check "after a reload pi41 is still valid and routed, its route never removed" \
	"state $(session_state gw 192.168.1.41), route_added $(arp_counter route_added) (was $a0), removed $(arp_counter route_removed)" \
	test "$(session_state gw 192.168.1.41)" = valid -a "$(arp_counter route_added)" = "$a0" -a "$(arp_counter route_removed)" = 0

# --- a new MAC on wlan0: one gratuitous ARP per address answered there ---
NEW_MAC=02:00:00:00:aa:01
nsip gw link set wlan0 address "$NEW_MAC"
check "the MAC change is announced" "tx_announce $(arp_counter tx_announce)" wait_for 5 arp_counter_at_least tx_announce 1
# the counter moves when the frame is queued: tcpdump may print it a little later
announced() { grep -F "$NEW_MAC > ff:ff:ff:ff:ff:ff" "$PCAP_UP" | grep -q "Request who-has 192.168.1.41 tell 192.168.1.41"; }
check "... as an RFC 5227 announcement from the new MAC (broadcast request, sender IP = target IP)" \
	"$(grep -F "$NEW_MAC" "$PCAP_UP" | head -n 3)" wait_for 3 announced
check "hr's neighbour entry for pi41 follows the new MAC" "lladdr $(neigh_mac hr 192.168.1.41 br0)" \
	wait_for 3 test "$(neigh_mac hr 192.168.1.41 br0)" = "$NEW_MAC"
check "hr still pings pi41" "no echo reply" nsexec hr ping -c 1 -W 3 192.168.1.41
bad=$(grep -F "$NEW_MAC > " "$PCAP_UP" | grep -v "ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4)" || true)
check "the announcements are Ethernet/IPv4 ARP with hlen 6, plen 4" "$bad" test -z "$bad"

# --- pi41 moves from the island to the Wi-Fi ---
mark=$(wc -l <"$PCAP_UP")
m0=$(arp_counter target_moved)
nsip pi41 addr del 192.168.1.41/24 dev eth0
nsip mv addr add 192.168.1.41/24 dev wifi0
nsexec mv ping -c 1 -W 3 192.168.1.1 >/dev/null # its first packet: an ARP from .41 on the Wi-Fi
check "the gateway sees pi41 on the Wi-Fi and drops it (target_moved)" "target_moved $(arp_counter target_moved)" \
	wait_for 8 arp_counter_at_least target_moved $(( m0 + 1 ))
check "... with its route" "routes: $(routes4)" _isl_not has_route4 192.168.1.41 eth0
nsip hr neigh flush dev br0
check "hr reaches pi41 at its new place" "no echo reply" nsexec hr ping -c 1 -W 3 192.168.1.41
check "hr's entry for pi41 is pi41's own MAC now" "lladdr $(neigh_mac hr 192.168.1.41 br0), pi41 $MV_MAC" \
	test "$(neigh_mac hr 192.168.1.41 br0)" = "$MV_MAC"
got=$(arping_mac 192.168.1.41 3)
check "an ARP for pi41 is answered by pi41 itself" "answered by '$got'" test "$got" = "$MV_MAC"
n=$(tail -n +"$(( mark + 1 ))" "$PCAP_UP" | grep -F "$NEW_MAC > " | grep -c "Reply 192.168.1.41 is-at")
check "the gateway never answered for pi41 after it moved (no fight)" "$n replies from the gateway" test "$n" -eq 0

drops=$(ctl gw stats --json | jq -c '[.arp | to_entries[] | select(.key | startswith("drop_")) | select(.value > 0)]')
check "no frame of real stacks was dropped as malformed" "$drops" test "$drops" = "[]"

finish_islandd gw
check "SIGTERM removed every IPv4 route of protocol 73" "routes: $(routes4)" test -z "$(routes4)"
test_status
