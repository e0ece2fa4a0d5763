#!/usr/bin/env bash
# Fault: two gateways on the same two links (issue 11, defect 1 and Deliver
# 3). gw relays RAs from the ISP router's Wi-Fi (wlan0) to the cluster
# (eth0), proxies and reflects mDNS; gw2 runs the same three on the same two
# links, first pointing the same way, then pointing back up (its upstream is
# the cluster link, its downstream the Wi-Fi). RFC 4389 §4.1.3.3: a relay's
# RAs carry the Proxy flag and another relay must not take them for its
# upstream router's. Over a window of packets counted on both links (a DAD
# probe, an mDNS query and pings in it): no RA from a relay on the Wi-Fi,
# the relayed RAs at the upstream's pace, the DAD probe carried once per
# relay and never back, the mDNS query reflected once per reflector and
# nothing still going after 5 s; the laptop keeps radvd as its only default
# router and the cluster hosts the relays; sessions, hosts and RSS do not
# grow. Last, the ISP router dies: the two must not keep each other alive
# (gw alone stays the cluster's router at low preference, defect 6).
set -u
. "$(dirname "$0")/../lib/ra.sh"
. "$(dirname "$0")/../lib/faults.sh"
. "$(dirname "$0")/../lib/mdns.sh"
need_root faults_gateways
need_cmd jq tcpdump radvd "$ISL_PY"
need_islandd
netns_init
ra_island_build
island000_gw2
nssysctl gw2 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.wlan0.accept_ra=2 net.ipv6.conf.eth0.accept_ra=0
ISP_LL=$(ll_addr isp br0)
ISP_MAC=$(mac_addr isp br0)
GW_WLAN_MAC=$(mac_addr gw wlan0)
GW_ETH_MAC=$(mac_addr gw eth0)
GW2_WLAN_MAC=$(mac_addr gw2 wlan0)
GW2_ETH_MAC=$(mac_addr gw2 eth0)
GW2_ETH_LL=$(ll_addr gw2 eth0)
WINDOW=20

gw_conf() { # gw_conf UP DOWN: relay, proxy and reflector
	cat <<-EOF
	ra-relay $1 {
		iface $2
	}
	proxy $1 {
		rule 2001:db8:abc:123:40::/76 {
			iface $2
		}
	}
	mdns {
		iface wlan0
		iface eth0
	}
	EOF
}

# routers NS: the relay's upstream routers, one link-local address a line.
routers() { ctl "$1" ra --json 2>/dev/null | jq -r '.relays[].routers[]?.addr' 2>/dev/null | sort; }
# default_routers NS IF: every default router of NS on IF, sorted, blank-separated.
default_routers() {
	nsip "$1" -6 route show default dev "$2" 2>/dev/null |
		grep -oE 'via [0-9a-f:]+' | awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'
}
ra_hosts_count() { ctl "$1" ra --json 2>/dev/null | jq '[.relays[].downstreams[].hosts[]?] | length' 2>/dev/null; }
sessions_count() { ctl "$1" sessions --json 2>/dev/null | jq '.sessions | length' 2>/dev/null; }
figures() { # figures NS: "rss_kb N hosts N sessions N"
	echo "rss_kb $(proc_rss_kb "$(islandd_pid "$1")") hosts $(ra_hosts_count "$1") sessions $(sessions_count "$1")"
}

# tally FILE T0: what a capture holds after T0, one "KEY COUNT" a line:
# ra.<who> (RAs by sender: isp gw gw2, lifetime>0 or 0 as ra0.<who>),
# dad (probes from ::), na, mdns, and late.mdns, late.dad, late.ra_relay:
# the same in the last 5 s (a loop keeps going, an answer does not).
tally() {
	"$ISL_PY" - "$1" "$2" "$WINDOW" "isp=$ISP_MAC" "gw=$GW_WLAN_MAC" "gw=$GW_ETH_MAC" \
		"gw2=$GW2_WLAN_MAC" "gw2=$GW2_ETH_MAC" <<-'PY'
	import collections, logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.layers.l2 import Ether
	from scapy.layers.inet6 import IPv6, ICMPv6ND_RA, ICMPv6ND_NS, ICMPv6ND_NA
	from scapy.layers.inet import UDP
	from scapy.utils import rdpcap
	t0, window = float(sys.argv[2]), float(sys.argv[3])
	who = {}
	for a in sys.argv[4:]:
	    k, v = a.split("=", 1)
	    who[v] = k
	c = collections.Counter()
	for p in rdpcap(sys.argv[1]):
	    t = float(p.time)
	    if t < t0 or Ether not in p:
	        continue
	    late = t >= t0 + window - 5
	    src = who.get(p[Ether].src, "other")
	    keys = []
	    if ICMPv6ND_RA in p:
	        keys.append(("ra." if p[ICMPv6ND_RA].routerlifetime else "ra0.") + src)
	        if src in ("gw", "gw2") and late:
	            keys.append("late.ra_relay")
	    elif ICMPv6ND_NS in p and p[IPv6].src == "::":
	        keys += ["dad", "dad." + src] + (["late.dad"] if late else [])
	    elif ICMPv6ND_NA in p:
	        keys.append("na")
	    elif UDP in p and p[UDP].dport == 5353:
	        keys += ["mdns", "mdns." + src] + (["late.mdns"] if late else [])
	    for k in keys:
	        c[k] += 1
	for k in sorted(c):
	    print(k, c[k])
	PY
}
val() { awk -v k="$2" '$1 == k {print $2; f = 1} END {if (!f) print 0}' <<<"$1"; }

# window WHAT: WINDOW seconds of captures on the laptop's Wi-Fi and h1's
# cluster link; 2 s in, h2 takes a new address (a DAD probe), the laptop
# sends an mDNS query and pings h1. Sets WIFI and LAN (tally output).
window() {
	local what=$1 cw ce t0
	capture_start laptop wlan0 "$ISL_RUN/wifi.pcap" icmp6 or udp port 5353
	cw=$CAPTURE_PID
	capture_start h1 eth0 "$ISL_RUN/lan.pcap" icmp6 or udp port 5353
	ce=$CAPTURE_PID
	t0=$(date +%s.%N)
	sleep 2 # time is tested: the window opens with 2 s of what runs by itself
	nsip h2 addr add "$DAD_ADDR/64" dev eth0 noprefixroute
	mdns_inject laptop wlan0 6 query h1.local
	ping6_ok laptop "$H1" 5 >/dev/null
	sleep $(( WINDOW - 2 )) # time is tested: the last 5 s must show nothing circulating
	capture_stop "$cw"
	capture_stop "$ce"
	WIFI=$(tally "$ISL_RUN/wifi.pcap" "$t0")
	LAN=$(tally "$ISL_RUN/lan.pcap" "$t0")
	note "$what, Wi-Fi: $(tr '\n' ' ' <<<"$WIFI")"
	note "$what, cluster: $(tr '\n' ' ' <<<"$LAN")"
}

# no_loop WHAT RELAYS_DOWN: the checks on one window. RELAYS_DOWN: how many
# relays point from the Wi-Fi to the cluster (each carries the DAD probe once).
no_loop() {
	local what=$1 down=$2 max_ra=$(( WINDOW / 3 + 2 ))
	check "$what: no relay sends an RA on the Wi-Fi (gw $(val "$WIFI" ra.gw)+$(val "$WIFI" ra0.gw), gw2 $(val "$WIFI" ra.gw2)+$(val "$WIFI" ra0.gw2))" \
		"a relay advertises upstream" \
		test "$(( $(val "$WIFI" ra.gw) + $(val "$WIFI" ra0.gw) + $(val "$WIFI" ra.gw2) + $(val "$WIFI" ra0.gw2) ))" -eq 0
	check "$what: RAs on the Wi-Fi from the ISP router only, at its pace ($(val "$WIFI" ra.isp) <= $max_ra, other $(val "$WIFI" ra.other))" \
		"too many" eval '[ "$(val "$WIFI" ra.isp)" -le $max_ra ] && [ "$(val "$WIFI" ra.other)" -eq 0 ]'
	check "$what: relayed RAs on the cluster at the upstream's pace (gw $(val "$LAN" ra.gw), gw2 $(val "$LAN" ra.gw2) <= $max_ra each)" \
		"a storm" eval '[ "$(val "$LAN" ra.gw)" -le $max_ra ] && [ "$(val "$LAN" ra.gw2)" -le $max_ra ]'
	check "$what: no relay RA in the last 5 s beyond the upstream's pace ($(val "$LAN" late.ra_relay) <= 4)" \
		"still going" test "$(val "$LAN" late.ra_relay)" -le 4
	check "$what: h2's DAD probe carried to the Wi-Fi once per relay ($(val "$WIFI" dad) of 1..$down)" \
		"lost or repeated" eval '[ "$(val "$WIFI" dad)" -ge 1 ] && [ "$(val "$WIFI" dad)" -le '"$down"' ]'
	check "$what: and never carried back to the cluster ($(val "$LAN" dad) probe, h2's own)" \
		"carried back" test "$(val "$LAN" dad)" -eq 1
	check "$what: no DAD probe late ($(val "$WIFI" late.dad) + $(val "$LAN" late.dad))" "circulating" \
		test "$(( $(val "$WIFI" late.dad) + $(val "$LAN" late.dad) ))" -eq 0
	check "$what: mDNS query reflected, bounded (Wi-Fi $(val "$WIFI" mdns) <= 3, cluster $(val "$LAN" mdns) <= 2)" \
		"a storm" eval '[ "$(val "$WIFI" mdns)" -le 3 ] && [ "$(val "$LAN" mdns)" -ge 1 ] && [ "$(val "$LAN" mdns)" -le 2 ]'
	check "$what: no mDNS packet in the last 5 s ($(val "$WIFI" late.mdns) + $(val "$LAN" late.mdns))" "circulating" \
		test "$(( $(val "$WIFI" late.mdns) + $(val "$LAN" late.mdns) ))" -eq 0
	check "$what: NAs bounded (Wi-Fi $(val "$WIFI" na), cluster $(val "$LAN" na) <= 30)" "an NA storm" \
		eval '[ "$(val "$WIFI" na)" -le 30 ] && [ "$(val "$LAN" na)" -le 30 ]'
	check "$what: the laptop's only default router is the ISP's ($(default_routers laptop wlan0))" \
		"another relay became its router" test "$(default_routers laptop wlan0)" = "$ISP_LL"
	check "$what: gw's only upstream router is the ISP's ($(routers gw | tr '\n' ' '))" "a relay is its router" \
		test "$(routers gw)" = "$ISP_LL"
}

# grows_not WHAT NS BEFORE [NEW]: RSS within 256 kB, hosts and sessions
# as they were plus NEW (the address h2 took in the window, learned by a
# relay pointing down; default 0). BEFORE is a `figures` line.
grows_not() {
	local now rss0 rss1 h0 h1 s0 s1 new=${4:-0}
	now=$(figures "$2")
	read -r _ rss0 _ h0 _ s0 <<<"$3"
	read -r _ rss1 _ h1 _ s1 <<<"$now"
	check "$1: $2 does not grow ($3 -> $now; $new new host)" "grew" \
		eval 'within_kb "$rss0" "$rss1" 256 5 && [ "$h1" -le $((h0 + new)) ] && [ "$s1" -le $((s0 + new)) ]'
}

# The capture points (the laptop, h1) listen as hosts would to what the
# window sends: mDNS and the solicited-node groups of the three DAD probes,
# so the snooping switches forward those to them.
for g in ff02::fb ff02::1:ff00:d1 ff02::1:ff00:d2 ff02::1:ff00:d3; do
	mcast_member laptop wlan0 "$g"
	mcast_member h1 eth0 "$g"
done
wait_for 10 eval 'bridge_mdb_has isp br0 p-laptop ff02::1:ff00:d3 && bridge_mdb_has sw br0 p-h1 ff02::1:ff00:d3' ||
	note "capture groups not registered on the switches"

start_islandd gw "$(gw_conf wlan0 eth0)" || { not_ok "islandd starts in gw" "see $(islandd_log gw)"; exit 1; }
wait_for 15 eval '[ -n "$(routers gw)" ]'
H1=$(global_addr h1 eth0 "$RA_PREFIX_STR")

# --- 1: gw2 points the same way ---------------------------------------------
start_islandd gw2 "$(gw_conf wlan0 eth0)" || { not_ok "islandd starts in gw2" "see $(islandd_log gw2)"; exit 1; }
check "same way: gw2 relays the ISP router" "routers: $(routers gw2)" wait_for 15 eval '[ "$(routers gw2)" = "$ISP_LL" ]'
check "same way: h1 takes both relays as routers" "$(default_routers h1 eth0)" \
	wait_for 15 eval '[ "$(default_routers h1 eth0)" = "$(printf "%s\n" "$GW_ETH_LL" "$GW2_ETH_LL" | sort | tr "\n" " " | sed "s/ $//")" ]'
sleep 3 # time is tested: a quiet spell, so what the start set off stays out of the baseline and the window
B_GW=$(figures gw) B_GW2=$(figures gw2)
DAD_ADDR=${RA_PREFIX_STR}:d1
window "same way"
no_loop "same way" 2
check "same way: gw2's only upstream router is the ISP's ($(routers gw2 | tr '\n' ' '))" "a relay is its router" \
	test "$(routers gw2)" = "$ISP_LL"
grows_not "same way" gw "$B_GW" 1
# gw2 started after h1 had its address: the laptop's ping makes it find h1
# on demand (relay discovery), besides h2's new address.
grows_not "same way" gw2 "$B_GW2" 2
finish_islandd gw2
nsip h2 addr del "$DAD_ADDR/64" dev eth0 2>/dev/null

# --- 2: gw2 points back up --------------------------------------------------
nssysctl gw2 net.ipv6.conf.wlan0.accept_ra=0 net.ipv6.conf.eth0.accept_ra=2
start_islandd gw2 "$(gw_conf eth0 wlan0)" || { not_ok "islandd starts in gw2 (back up)" "see $(islandd_log gw2)"; exit 1; }
wait_for 15 eval '[ "$(ra_counter gw2 ra_proxy_flag)" -ge 1 ]'
check "back up: gw2 ignores gw's relayed RAs (Proxy flag): ra_proxy_flag $(ra_counter gw2 ra_proxy_flag)" \
	"counter 0" test "$(ra_counter gw2 ra_proxy_flag)" -ge 1
check "back up: gw2 has no upstream router ($(routers gw2 | tr '\n' ' '))" "it took gw" test -z "$(routers gw2)"
check "back up: h1's only router is gw ($(default_routers h1 eth0))" "gw2 still listed" \
	wait_for 15 eval '[ "$(default_routers h1 eth0)" = "$GW_ETH_LL" ]'
sleep 3 # time is tested: a quiet spell, so what the start set off stays out of the baseline and the window
B_GW=$(figures gw) B_GW2=$(figures gw2)
DAD_ADDR=${RA_PREFIX_STR}:d2
window "back up"
no_loop "back up" 1
check "back up: gw2 never became a router (routers: $(routers gw2 | tr '\n' ' '))" "it did" test -z "$(routers gw2)"
grows_not "back up" gw "$B_GW" 1
grows_not "back up" gw2 "$B_GW2"

# The ISP router dies (radvd's final RA, router lifetime 0): the two relays
# must not keep each other alive. gw still knows the upstream /64 (its
# prefix lives on), so it stays the cluster's router at low preference
# (issue 11 defect 6: the island keeps reaching the Wi-Fi hosts); gw2,
# whose only "upstream" is gw's relayed RAs, never advertises.
B_GW=$(figures gw) B_GW2=$(figures gw2)
ra_radvd_stop isp
# radvd's final RA (router lifetime 0) is handled once gw has no live upstream router
wait_for 5 eval 'ctl gw ra --json | jq -e "[.relays[].routers[] | select(.lifetime_s > 0)] | length == 0"' ||
	note "gw still lists a live upstream router after radvd stopped: $(ctl gw ra --json | jq -c '[.relays[].routers[]]')"
WINDOW=30
DAD_ADDR=${RA_PREFIX_STR}:d3
window "after the ISP router died"
check "ISP gone: no RA with a router lifetime on the Wi-Fi ($(val "$WIFI" ra.gw) + $(val "$WIFI" ra.gw2) + $(val "$WIFI" ra.isp))" \
	"someone still advertises" test "$(( $(val "$WIFI" ra.gw) + $(val "$WIFI" ra.gw2) + $(val "$WIFI" ra.isp) ))" -eq 0
check "ISP gone: gw2 advertises no router lifetime on the cluster ($(val "$LAN" ra.gw2))" \
	"gw2 keeps gw alive" test "$(val "$LAN" ra.gw2)" -eq 0
check "ISP gone: gw's fallback RAs on the cluster at the periodic pace, not a storm ($(val "$LAN" ra.gw) <= $(( WINDOW / 3 + 2 )))" \
	"a storm" test "$(val "$LAN" ra.gw)" -le $(( WINDOW / 3 + 2 ))
check "ISP gone: the laptop has no default router ($(default_routers laptop wlan0))" "a relay took over" \
	test -z "$(default_routers laptop wlan0)"
check "ISP gone: h1's only default router is gw, at low preference ($(nsip h1 -6 route show default dev eth0 | tr '\n' ' '))" \
	"gw2 routes, or gw at another preference" \
	eval '[ "$(default_routers h1 eth0)" = "$GW_ETH_LL" ] && nsip h1 -6 route show default dev eth0 | grep -q "pref low"'
check "ISP gone: h1 still reaches the laptop on the upstream /64" "no echo reply" ping6_ok h1 "$LAPTOP_ADDR" 5
check "ISP gone: gw2 still has no router ($(routers gw2 | tr '\n' ' '))" "it took gw" test -z "$(routers gw2)"
grows_not "ISP gone" gw "$B_GW" 1
grows_not "ISP gone" gw2 "$B_GW2"
finish_islandd gw2
finish_islandd gw
test_status
