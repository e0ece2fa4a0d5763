#!/usr/bin/env bash
# Fault: two islandd mDNS reflectors on the same two links (gw and gw2, each
# with wlan0 on the ISP bridge and eth0 on the cluster switch). Each packet
# put on one link must cross once per reflector and stop there: counted
# with tcpdump on both links over 10 s after one query or answer of each
# kind (IPv4/IPv6, query/answer, both directions), then after a burst.
set -u
. "$(dirname "$0")/../lib/faults.sh"
. "$(dirname "$0")/../lib/mdns.sh"
need_root faults_reflectors
need_cmd jq tcpdump "$ISL_PY"
need_islandd
netns_init
island000_build
island000_ipv4
island000_gw2
# the capture points listen to ff02::fb as any mDNS host does: the snooping
# switches forward it only to ports that joined
mcast_member laptop wlan0 ff02::fb
mcast_member pi42 eth0 ff02::fb
wait_for 10 bridge_mdb_has isp br0 p-laptop ff02::fb || note "isp br0 lists no p-laptop for ff02::fb"
wait_for 10 bridge_mdb_has sw br0 p-pi42 ff02::fb || note "sw br0 lists no p-pi42 for ff02::fb"
MDNS_CONF='mdns {
	iface wlan0
	iface eth0
}'
start_islandd gw "$MDNS_CONF" || { not_ok "islandd starts in gw" "see $(islandd_log gw)"; exit 1; }
start_islandd gw2 "$MDNS_CONF" || { not_ok "islandd starts in gw2" "see $(islandd_log gw2)"; exit 1; }
joined() { ctl "$1" mdns --json | jq -e '[.mdns.interfaces[] | select(.joined4 and .joined6 and .up)] | length == 2' >/dev/null; }
check "both reflectors joined the groups on wlan0 and eth0" "$(ctl gw mdns --json | jq -c .mdns.interfaces)" \
	eval 'wait_for 5 joined gw && wait_for 5 joined gw2'
# the snooping switches forward ff02::fb to the reflectors once they learned
# their reports: proof the copies can cross before a window starts
for p in p-gw p-gw2; do
	wait_for 10 bridge_mdb_has isp br0 "$p" ff02::fb || note "isp br0 lists no $p for ff02::fb"
	wait_for 10 bridge_mdb_has sw br0 "$p" ff02::fb || note "sw br0 lists no $p for ff02::fb"
done

# window WHAT INJECT...: captures on both links, one injection, 10 s; sets
# W_WLAN W_ETH (packets on each link) and W_LATE (packets in the last 5 s).
window() {
	local what=$1 t0 cw ce; shift
	capture_start laptop wlan0 "$ISL_RUN/w.pcap" udp port 5353
	cw=$CAPTURE_PID
	capture_start pi42 eth0 "$ISL_RUN/e.pcap" udp port 5353
	ce=$CAPTURE_PID
	t0=$(date +%s.%N)
	"$@"
	sleep 10 # time is tested: the last 5 s of the window must stay silent (no echoes)
	capture_stop "$cw"
	capture_stop "$ce"
	W_WLAN=$(pcap_count "$ISL_RUN/w.pcap")
	W_ETH=$(pcap_count "$ISL_RUN/e.pcap")
	W_LATE=$( { pcap_times "$ISL_RUN/w.pcap"; pcap_times "$ISL_RUN/e.pcap"; } |
		awk -v t="$t0" '$1 > t + 5' | wc -l)
	note "$what: wlan0 link $W_WLAN packets, eth0 link $W_ETH packets, $W_LATE in the last 5 s"
}

# One of each kind, at once; the original plus one copy per reflector each.
inject_four() {
	mdns_inject laptop wlan0 4 query pi-41.local
	mdns_inject laptop wlan0 6 query pi-41.local
	mdns_inject pi41 eth0 4 answer pi-41.local 10.0.40.41
	mdns_inject pi41 eth0 6 answer pi-41.local "$PI41_ADDR"
}
window "4 packets (v4/v6 query on wlan0, v4/v6 answer on eth0)" inject_four
check "4 packets: wlan0 link sees at most 2 queries + 2 x 2 reflected answers ($W_WLAN <= 6)" "storm" test "$W_WLAN" -le 6
check "4 packets: eth0 link sees at most 2 answers + 2 x 2 reflected queries ($W_ETH <= 6)" "storm" test "$W_ETH" -le 6
check "4 packets: each crossed ($W_WLAN >= 4, $W_ETH >= 4)" "not reflected" test "$W_WLAN" -ge 4 -a "$W_ETH" -ge 4
check "4 packets: nothing after 5 s (the echoes stopped): $W_LATE" "still going" test "$W_LATE" -eq 0

# A burst: 50 queries from the laptop; the copies stay per packet.
burst() {
	nsexec laptop "$ISL_PY" - <<-'PY'
	import logging
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.config import conf
	from scapy.layers.l2 import Ether
	from scapy.layers.inet6 import IPv6
	from scapy.layers.inet import UDP
	from scapy.layers.dns import DNS, DNSQR
	from scapy.sendrecv import sendp
	import ipaddress
	conf.verb = 0
	mac = open("/sys/class/net/wlan0/address").read().strip()
	ll = None
	for line in open("/proc/net/if_inet6"):
	    h, _, _, scope, _, n = line.split()
	    if n == "wlan0" and scope == "20":
	        ll = str(ipaddress.IPv6Address(bytes.fromhex(h)))
	pkts = [Ether(src=mac, dst="33:33:00:00:00:fb") / IPv6(src=ll, dst="ff02::fb", hlim=255) /
	        UDP(sport=5353, dport=5353) / DNS(id=0, qd=DNSQR(qname="h%d.local" % i, qtype="AAAA"))
	        for i in range(50)]
	sendp(pkts, iface="wlan0", inter=0.01)
	PY
}
window "50 queries on wlan0" burst
check "50 queries: wlan0 link bounded ($W_WLAN <= 50 + 10)" "storm" test "$W_WLAN" -le 60
check "50 queries: eth0 link bounded ($W_ETH <= 2 x 50)" "storm" test "$W_ETH" -le 100
check "50 queries: crossed ($W_ETH >= 50)" "not reflected" test "$W_ETH" -ge 50
check "50 queries: nothing after 5 s: $W_LATE" "still going" test "$W_LATE" -eq 0

for g in gw gw2; do
	c=$(ctl "$g" mdns --json | jq -c '.mdns.counters | {rx, tx, echo: .drops.echo}')
	note "$g: $c"
	check "$g dropped the other reflector's copies as echoes ($c)" "no echo counted" \
		test "$(ctl "$g" mdns --json | jq '.mdns.counters.drops.echo')" -gt 0
done
finish_islandd gw2
finish_islandd gw
test_status
