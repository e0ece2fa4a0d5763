#!/usr/bin/env bash
# The advertisements islandd sends on the seed-000 island, field by field
# (RFC 4861 §7.2.4, §7.2.5 and issue 2): multicast NS, DAD, unicast NUD
# probes, targets that must not be answered, invalid solicitations dropped
# and counted, and the R flag following `router`.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root nd_answers
need_cmd jq tcpdump "$ISL_PY"
need_islandd
netns_init
island000_build
start_islandd gw "$(island000_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }

# Fields every advertisement from the proxy must carry.
COMMON=(--check hlim=255 --check code=0 --check cksum=ok --check O=0
	--check src="$GW_WLAN_LL" --check ether_src="$GW_WLAN_MAC")

# 1. Real traffic, captured: the laptop's own kernel resolves pi42.
pcap=$ISL_KEEP/laptop-wlan0.pcap
ip netns exec "$(nsn laptop)" tcpdump -Z root -U --immediate-mode -n -i wlan0 -w "$pcap" icmp6 2>"$ISL_RUN/tcpdump.err" &
tdpid=$!
if wait_for 5 grep -q 'listening on' "$ISL_RUN/tcpdump.err"; then
	ping6_ok laptop "$PI42_ADDR" 10 || note "laptop could not reach pi42"
	# the NA is in the capture before tcpdump stops
	wait_for 3 eval 'tcpdump -r "$pcap" -n 2>/dev/null | grep -q "advertisement, tgt is $PI42_ADDR"'
	kill "$tdpid"; wait "$tdpid" 2>/dev/null
	check "captured NA for pi42 (from the laptop's kernel NS): hlim 255, code 0, checksum, src gw wlan0 LL, O=0, R=1, S=1" \
		"see above" "$ISL_PY" "$ISL_LIB/nd.py" pcap "$pcap" --target "$PI42_ADDR" --ether-src "$GW_WLAN_MAC" \
		--expect na "${COMMON[@]}" --check R=1 --check S=1 --check tlla="$GW_WLAN_MAC"
else
	kill "$tdpid" 2>/dev/null; wait "$tdpid" 2>/dev/null
	not_ok "capture on the laptop's wlan0" "tcpdump did not start: $(cat "$ISL_RUN/tcpdump.err")"
fi

# 2. Multicast NS from the laptop's link-local address (cold target: the
#    gateway probes eth0 first, so allow for the probe timeout).
check "multicast NS for pi41 -> NA to the laptop, S=1, R=1, O=0, TLLA = gw MAC" "see above" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 3 \
	"${COMMON[@]}" --check dst="$LAPTOP_LL" --check S=1 --check R=1 --check tlla="$GW_WLAN_MAC"
check "multicast NS from the laptop's global address -> NA to that address" "see above" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --src "$LAPTOP_ADDR" --expect na --timeout 2 \
	"${COMMON[@]}" --check dst="$LAPTOP_ADDR" --check S=1

# 3. DAD: an NS from :: for a live target is answered to ff02::1 with S=0.
check "DAD NS (from ::) for live pi41 -> NA to ff02::1 with S=0" "see above" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --src :: --expect na --timeout 2 \
	"${COMMON[@]}" --check dst=ff02::1 --check S=0 --check R=1
check "DAD NS for a target not behind the gateway (2001:db8:abc:123:43::1) -> nothing" "answered" \
	nd laptop ns --iface wlan0 --target 2001:db8:abc:123:43::1 --src :: --expect none --timeout 2.5
check "NS for a target outside every rule (2001:db8:abc:123:50::1) -> nothing" "answered" \
	nd laptop ns --iface wlan0 --target 2001:db8:abc:123:50::1 --expect none --timeout 1.5
check "multicast NS for a target not behind the gateway -> nothing" "answered" \
	nd laptop ns --iface wlan0 --target 2001:db8:abc:123:44::1 --expect none --timeout 2.5

# 3b. The same with Linux doing real DAD on the laptop: claiming pi41's
#     address must fail, claiming a free one must succeed.
nssysctl laptop net.ipv6.conf.wlan0.accept_dad=1 net.ipv6.conf.wlan0.dad_transmits=1
dad_state() {  # NS IF ADDR: dadfailed | tentative | ok | none
	local line
	line=$(nsip "$1" -6 addr show dev "$2" | grep -F " $3/") || { echo none; return; }
	case $line in *dadfailed*) echo dadfailed ;; *tentative*) echo tentative ;; *) echo ok ;; esac
}
dad_settled() { [ "$(dad_state laptop wlan0 "$1")" != tentative ]; }
nsip laptop addr add "$PI41_ADDR/128" dev wlan0
wait_for 5 dad_settled "$PI41_ADDR"
st=$(dad_state laptop wlan0 "$PI41_ADDR")
check "Linux DAD on the laptop for pi41's address fails (islandd defends it): $st" "state $st" test "$st" = dadfailed
nsip laptop addr del "$PI41_ADDR/128" dev wlan0 2>/dev/null
nsip laptop addr add 2001:db8:abc:123:45::1/128 dev wlan0
wait_for 5 dad_settled 2001:db8:abc:123:45::1
st=$(dad_state laptop wlan0 2001:db8:abc:123:45::1)
check "Linux DAD on the laptop for a free address in the /76 succeeds: $st" "state $st" test "$st" = ok
nsip laptop addr del 2001:db8:abc:123:45::1/128 dev wlan0 2>/dev/null
nssysctl laptop net.ipv6.conf.wlan0.accept_dad=0

# 4. Unicast NS (neighbour unreachability detection): IPv6 destination is the
#    target itself, Ethernet destination the MAC the laptop has cached (gw's).
check "unicast NS for pi41 to gw's MAC -> NA with S=1 to the sender" "see above" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --dst unicast --dst-mac "$GW_WLAN_MAC" \
	--src "$LAPTOP_ADDR" --expect na --timeout 2 \
	"${COMMON[@]}" --check dst="$LAPTOP_ADDR" --check S=1 --check R=1
check "unicast NS from the link-local address -> NA with S=1" "see above" \
	nd laptop ns --iface wlan0 --target "$PI42_ADDR" --dst unicast --dst-mac "$GW_WLAN_MAC" \
	--expect na --timeout 2 "${COMMON[@]}" --check dst="$LAPTOP_LL" --check S=1

# 5. Invalid solicitations are dropped and counted (RFC 4861 §7.1.1, RFC 6980).
# hostile NAME COUNTER ND-ARGS...
hostile() {
	local name=$1 cname=$2 before after; shift 2
	before=$(counter gw "$cname")
	if [ -z "$before" ]; then
		not_ok "$name" "no counter $cname in islandctl stats --json"
		return
	fi
	if ! nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect none --timeout 1 "$@"; then
		not_ok "$name" "it was answered"
		return
	fi
	after=$(counter gw "$cname")
	if [ "$after" -gt "$before" ]; then ok "$name ($cname $before -> $after)"
	else not_ok "$name" "$cname did not move ($before -> $after)"; fi
}
hostile "NS with hop limit 254 is dropped and counted" drop_hop_limit --hlim 254
hostile "NS with ICMP code 1 is dropped and counted" drop_code --code 1
hostile "NS with a zero-length option is dropped and counted" drop_opt_zero_len --zero-len-opt
hostile "NS in an atomic fragment is dropped and counted" drop_fragment --frag
hostile "DAD NS carrying a source link-layer option is dropped and counted" drop_dad_slla --src :: --with-sllao
check "every drop reason has a drop_* counter (at least the RFC 4861 ones)" "stats: $(ctl gw stats --json)" \
	jqe '.counters | [has("drop_hop_limit", "drop_code", "drop_checksum", "drop_opt_zero_len",
		"drop_fragment", "drop_target_mcast", "drop_dad_dst", "drop_dad_slla")] | all' \
	<<<"$(ctl gw stats --json)"

# 6. R follows `router`: reload with `router no`.
write_islandd_conf gw "proxy wlan0 {
	router no
	autowire yes
	rule 2001:db8:abc:123:40::/76 {
		iface eth0
	}
}"
kill -HUP "$(islandd_pid gw)"
if wait_for 10 nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 2 --check R=0; then
	ok "after SIGHUP with 'router no' the NA has R=0"
else
	not_ok "after SIGHUP with 'router no' the NA has R=0" "still R=1 or no answer"
	show_state gw
fi
check "and still O=0, S=1, hop limit 255" "see above" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 2 "${COMMON[@]}" --check R=0 --check S=1

finish_islandd gw
test_status
