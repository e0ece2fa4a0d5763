#!/usr/bin/env bash
# Fault: the gateway's MAC addresses change while islandd runs (`ip link set
# wlan0 address ...`, as a MAC randomising Wi-Fi or a replaced adapter does).
# The change is announced with unsolicited NAs for the targets answered on
# that link. Every NA islandd sends afterwards carries the new MAC, as
# Ethernet source and in the target link-layer option, under load and for
# single NSs, and
# the probes it sends downstream carry eth0's new MAC.
set -u
. "$(dirname "$0")/../lib/faults.sh"
need_root faults_mac
need_cmd jq tcpdump "$ISL_PY"
need_islandd
need_ndload
netns_init
# the load is NS for a static /80 nobody is behind: too many addresses to
# join their groups, so a snooping access point would never forward them
ISL_BRIDGE=dumb island000_build

start_islandd gw "$(proxy_island_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
check "traffic reaches both pis" "no echo reply" island_traffic
OLD=$(mac_addr gw wlan0)

# na_mac_is MAC TARGET: an NS for TARGET is answered from MAC, TLLA MAC.
na_mac_is() {
	nd laptop ns --iface wlan0 --target "$2" --expect na --timeout 1 \
		--check "ether_src=$1" --check "tlla=$1" --check S=1
}

# mac_round MAC: change wlan0's MAC to MAC while NS load runs; then every NA
# captured on the laptop carries MAC, for the static rule and for pi41.
mac_round() {
	local mac=$1 pcap=$ISL_RUN/na-$1.pcap out L rc tx ann
	tx=$(counter gw tx_na)
	ann=$(counter gw tx_unsolicited_na)
	ndload_bg laptop "$ISL_RUN/load-$mac.txt" -i wlan0 --prefix "$STATIC_PREFIX" --seq 200 --rate 300 \
		--real "$PI41_ADDR" --real-rate 20 --duration 600 --linger 200
	wait_for 5 counter_at_least gw tx_na $((tx + 50)) # the load is answered
	nsip gw link set wlan0 address "$mac"
	# islandd has taken the change in: it announced the new address
	wait_for 5 counter_at_least gw tx_unsolicited_na $((ann + 1))
	# NAs for the proxied targets only (the static /80 and pi41): the ISP's
	# and the laptop's own NAs are not islandd's.
	capture_start laptop wlan0 "$pcap" 'icmp6 and ip6[40] == 136 and ip6[48:4] == 0x20010db8 and
		ip6[52:4] == 0x0abc0123 and (ip6[56:2] == 0x50 or ip6[56:2] == 0x41)'
	# a few hundred answers under load from the new MAC (300 NS/s)
	tx=$(counter gw tx_na)
	wait_for 10 counter_at_least gw tx_na $((tx + 300))
	ndload_stop
	capture_stop
	L=$(cat "$ISL_RUN/load-$mac.txt")
	note "load across the change to $mac: $L"
	check "wlan0 is now $mac" "$(mac_addr gw wlan0)" test "$(mac_addr gw wlan0)" = "$mac"
	out=$(nd_pcap "$pcap" --expect na --check "ether_src=$mac" --check "tlla=$mac")
	rc=$?
	check "MAC $mac: all $(grep -c '^na ' <<<"$out") NAs under load carry it (Ethernet source and TLLA)" \
		"$(grep -v '^na ' <<<"$out" | sort | uniq -c | head -5)" test "$rc" -eq 0
	check "MAC $mac: NAs for pi41 under load too" "none" \
		eval 'nd_pcap "$pcap" --target "$PI41_ADDR" --expect na --check "ether_src=$mac" >/dev/null'
	check "MAC $mac: answers flowed after the change ($(kv answered "$L")/$(kv sent "$L"))" "$L" \
		pct_at_least "$(kv answered_pct "$L")" 90
	check "MAC $mac: a single NS for the static rule is answered from it" "wrong or no NA" \
		na_mac_is "$mac" "$STATIC_ONE"
	check "MAC $mac: a single NS for pi41 is answered from it" "wrong or no NA" \
		na_mac_is "$mac" "$PI41_ADDR"
}
nd_pcap() { "$ISL_PY" "$ISL_LIB/nd.py" pcap "$@"; }

# Without any load or solicitation: the change itself is announced. Each
# target islandd answers for on wlan0 (pi41, pi42: confirmed by the traffic
# above) gets one unsolicited NA from the new MAC, override set, solicited
# clear, to all-nodes (RFC 4861 §7.2.6), and the laptop's neighbour cache
# moves to the new MAC without asking.
ANN_MAC=02:00:5e:10:00:a1
check "before the change the laptop has pi41 at the old MAC" "$(nsip laptop -6 neigh show "$PI41_ADDR")" \
	eval 'nsip laptop -6 neigh show "$PI41_ADDR" | grep -q "lladdr $OLD"'
capture_start laptop wlan0 "$ISL_RUN/announce.pcap" 'icmp6 and ip6[40] == 136'
nsip gw link set wlan0 address "$ANN_MAC"
# until the capture holds pi41's and pi42's (tcpdump hands packets over up
# to 1 s late: the counter alone is too early)
announced() {
	local seen
	seen=$(tcpdump -r "$ISL_RUN/announce.pcap" -n 2>/dev/null)
	grep -q "tgt is $PI41_ADDR" <<<"$seen" && grep -q "tgt is $PI42_ADDR" <<<"$seen"
}
wait_for 5 announced
capture_stop
ANN=$(nd_pcap "$ISL_RUN/announce.pcap" --target "$PI41_ADDR" --expect na --check "ether_src=$ANN_MAC" \
	--check "tlla=$ANN_MAC" --check O=1 --check S=0 --check dst=ff02::1 --check hlim=255 --check cksum=ok)
check "new MAC: an unsolicited NA for pi41 (O=1, S=0, to ff02::1, from and TLLA $ANN_MAC)" "$ANN" \
	test $? -eq 0
check "new MAC: one for pi42 too" "none" \
	eval 'nd_pcap "$ISL_RUN/announce.pcap" --target "$PI42_ADDR" --expect na --check O=1 --check "tlla=$ANN_MAC" >/dev/null'
check "new MAC: the laptop's cache holds pi41 at $ANN_MAC without a solicitation" \
	"$(nsip laptop -6 neigh show "$PI41_ADDR")" \
	eval 'nsip laptop -6 neigh show "$PI41_ADDR" | grep -q "lladdr $ANN_MAC"'
check "the announcements are counted" "$(ctl gw stats --json | jq -c .counters.tx_unsolicited_na)" \
	eval '[ "$(ctl gw stats --json | jq .counters.tx_unsolicited_na)" -ge 2 ]'

mac_round 02:00:5e:10:00:01
mac_round 02:00:5e:10:00:02
# and back: nothing cached from the first address
mac_round "$OLD"

# eth0: islandd's probes for a new target go out from the new MAC.
NEW_ETH=02:00:5e:10:00:e0
nsip gw link set eth0 address "$NEW_ETH"
capture_start pi41 eth0 "$ISL_RUN/probe.pcap" 'icmp6 and ip6[40] == 135'
nd laptop ns --iface wlan0 --target 2001:db8:abc:123:43::1 --expect none --timeout 1 >/dev/null
# the probe and its 3 retries, at least RetransTimer (1 s) apart, all captured
wait_for 6 eval '[ "$(tcpdump -r "$ISL_RUN/probe.pcap" -n 2>/dev/null | grep -c "who has 2001:db8:abc:123:43::1")" -ge 4 ]'
capture_stop
PROBES=$(ns_pcap_fields "$ISL_RUN/probe.pcap" | grep 'target=2001:db8:abc:123:43::1')
note "probes seen on the cluster LAN: $(wc -l <<<"$PROBES")"
check "eth0 MAC changed: islandd probes the new target downstream" "no probe seen" test -n "$PROBES"
check "eth0 MAC changed: each probe comes from $NEW_ETH (Ethernet source and SLLA)" "$PROBES" \
	eval '! grep -v "ether_src=$NEW_ETH .*slla=$NEW_ETH" <<<"$PROBES"'
# Nobody answers for :43::1, so islandd sends 1 + retries (3) probes, each
# RetransTimer (1 s, RFC 4861 §7.2.2) or more after the previous one, not
# all at once.
PT=$(tcpdump -r "$ISL_RUN/probe.pcap" -n -tt 'icmp6 and ip6[40] == 135' 2>/dev/null | grep 'who has 2001:db8:abc:123:43::1' | awk '{print $1}')
GAPS=$(awk 'NR > 1 { printf "%d ", ($1 - l) * 1000 } { l = $1 }' <<<"$PT")
check "a silent target gets 4 probes >= 1 s apart (gaps: ${GAPS}ms)" "$(wc -l <<<"$PT") probes" \
	eval '[ "$(wc -l <<<"$PT")" -eq 4 ] && awk "NR > 1 && (\$1 - l) < 0.95 { bad = 1 } { l = \$1 } END { exit bad }" <<<"$PT"'
check "eth0 MAC changed: traffic still reaches both pis" "no echo reply" island_traffic

finish_islandd gw
test_status
