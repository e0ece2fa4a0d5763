#!/usr/bin/env bash
# Hostile Neighbor Discovery against the NDP proxy (issue 7 §2), on the
# seed-000 island with the proxy, the RA relay and the mDNS reflector all on.
# Every case sends one malformed or forbidden shape and checks: no answer
# from the gateway, the drop counter named after the reason moved by exactly
# the packets sent, no session/route/relay state and no memory gained, and a
# real NS for pi41 answered right after. Then the daemon's own NA looped
# back, and a flood of NS for random targets held to probe-rate.
set -u
. "$(dirname "$0")/../lib/hostile.sh"
need_root hostile_nd
need_cmd jq tcpdump ns6 atk6-fake_advertise6 "$ISL_PY"
need_islandd
netns_init
hostile_island_build
start_islandd gw "$(hostile_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
hostile_captures

T=$PI41_ADDR
legit_ns() { hpy laptop legit-ns wlan0 "$T" 1.5; }
# warm up: pi41 and pi42 known, so a wrongly accepted NS is answered at once
wait_for 5 legit_ns || { not_ok "warm-up: NS for pi41 answered" "no NA"; show_state gw; exit 1; }
hpy laptop legit-ns wlan0 "$PI42_ADDR" 3 >/dev/null
hostile_settle

# The answer a wrongly accepted NS would get (tcpdump -v text). (Probes for
# pi41 downstream are no sign: the proxy's keepalive sends them any time.)
NA_T="reply=up:advertisement.*tgt is $T,"
nd_case() { # nd_case NAME COUNTER=N CMD...
	local name=$1 exp=$2; shift 2
	hcase "$name" "expect=nd.$exp" "$NA_T" legit=legit_ns -- "$@"
}
up() { hsend laptop wlan0 "$@" target="$T" gw_mac="$GW_WLAN_MAC"; }

# RFC 4861 §7.1.1 validity checks, one field wrong at a time.
nd_case "NS with hop limit 254" drop_hop_limit=1 up ns_hlim254
nd_case "NS with ICMPv6 code 1" drop_code=1 up ns_code1
nd_case "NS with a bad ICMPv6 checksum" drop_checksum=1 up ns_bad_cksum
nd_case "truncated NS (IPv6 payload length 16 bytes past the frame)" drop_truncated=1 up ns_truncated
nd_case "NS with IPv6 payload length 0" drop_payload_len=1 up ns_plen0
nd_case "NS in a frame whose IP version is 4" drop_not_ipv6=1 up ns_not_ipv6
nd_case "NS of 20 bytes (no room for the target)" drop_icmp_len=1 up ns_short
nd_case "NS with a zero-length option" drop_opt_zero_len=1 up ns_zero_len_opt
nd_case "NS whose option claims 32 bytes with 8 left (overlong)" drop_opt_overrun=1 up ns_overlong_opt
nd_case "NS with 65 options (cap 64)" drop_opt_count=1 up ns_65_opts
hcase "NS for a multicast target (ff02::1)" expect=nd.drop_target_mcast=1 \
	"reply=up:advertisement.*tgt is ff02::1" "$NA_T" legit=legit_ns -- up ns_mcast_target
nd_case "NS from a multicast source" drop_src_mcast=1 up ns_src_mcast
# DAD: a wrongly accepted probe for live pi41 is defended to ff02::1 at once.
nd_case "DAD NS (source ::) with a source link-layer option" drop_dad_slla=1 up ns_dad_slla
nd_case "DAD NS to ff02::1, not to the solicited-node group" drop_dad_dst=1 up ns_dad_bad_dst
# RFC 6980: no ND behind extension headers or in fragments.
nd_case "NS behind a hop-by-hop header (ns6 -H 8)" drop_ext_header=1 \
	nsexec laptop ns6 -i wlan0 -s "$LAPTOP_LL" -d ff02::1:ff00:1 -t "$T" -e -H 8
nd_case "NS behind a destination-options header (ns6 -u 8)" drop_ext_header=1 \
	nsexec laptop ns6 -i wlan0 -s "$LAPTOP_LL" -d ff02::1:ff00:1 -t "$T" -e -u 8
nd_case "NS behind a routing header" drop_ext_header=1 up ns_routing
nd_case "NS in an atomic fragment (ns6 -y 64)" drop_fragment=1 \
	nsexec laptop ns6 -i wlan0 -s "$LAPTOP_LL" -d ff02::1:ff00:1 -t "$T" -e -y 64
nd_case "NS in an atomic fragment (scapy-free, id 0x1a2b3c4d)" drop_fragment=1 up ns_atomic_frag
nd_case "NS split in two fragments (both counted)" drop_fragment=2 up ns_frag2

# NA with the Solicited flag to all-nodes, on the cluster link where the
# proxy listens for NAs (thc-ipv6 fake_advertise6 -s, one packet).
hcase "NA with S set to ff02::1 from the cluster link (atk6-fake_advertise6 -s)" \
	expect=nd.drop_na_solicited_mcast=1 expect=nd.na_unmatched=0 "$NA_T" legit=legit_ns -- \
	nsexec pi41 timeout 5 atk6-fake_advertise6 -s -n 1 -w 0 eth0 "$T"

# The daemon's own NA, caught on the laptop and sent back to the gateway
# with the gateway's MAC and link-local source. The isp switch must not
# learn the gateway's MAC on the laptop's port meanwhile (a switch would
# drop a frame sent back out of the port it came from), so learning is off
# there for this case. hostile.py provokes the NA with a real NS: exactly
# one NA for pi41 from islandd (hop limit 255) may be seen in the window.
# (The gateway's kernel, a router, forwards the looped copy back to the
# laptop with hop limit 254: that is the kernel's, not an answer.)
own_na() {
	nsip isp link set p-laptop type bridge_slave learning off
	hpy laptop replay wlan0 na target="$T" gw_mac="$GW_WLAN_MAC"
	local rc=$?
	nsip isp link set p-laptop type bridge_slave learning on
	return $rc
}
one_na_only() { # the provoked answer, and nothing sent back for the replay
	local n
	n=$(hcap_count up "$1" "$2" "hlim 255,.*advertisement.*tgt is $T,")
	[ "$n" -eq 1 ] && echo "1 NA (the provoked one)" && return 0
	echo "$n NAs for pi41 with hop limit 255 in the window, expected 1 (the provoked one):" \
		"$(hcap_lines up "$1" "$2" | grep -E "advertisement" | cut -c1-160 | tr '\n' '|')"
	return 1
}
hcase "the daemon's own NA looped back (its MAC and link-local source)" \
	expect=nd.rx_na'>=1' expect=nd.na_unmatched'>=1' expect=nd.tx_na=1 \
	check=one_na_only legit=legit_ns -- own_na

# A flood of NS for random targets under the rule (2001:db8:abc:123:40::/76,
# 52 random bits each): at most probe-rate (100/s, burst 100) NS go down
# to the cluster, no answer comes back up, sessions stay bounded by the
# probes sent, memory flat.
FLOOD_N=3000
RATE=100
flood_probes() { hcap_lines down "$1" "$2" | grep -E 'who has 2001:db8:abc:123:4[0-9a-f]:[0-9a-f]+:' ; }
flood_check() { # per-second NS counts downstream from the flood's start
	local t0=$1 t1=$2 total max per
	per=$(flood_probes "$t0" "$t1" | awk -v t0="$t0" '{b = int($1 - t0); n[b]++} END {for (k in n) printf "%d:%d ", k, n[k]}')
	total=$(flood_probes "$t0" "$t1" | wc -l)
	max=$(tr ' ' '\n' <<<"$per" | awk -F: 'NF == 2 && $1 >= 1 && $2 > m {m = $2} END {print m + 0}')
	echo "NS downstream: $total in $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s, per second: $per"
	local span limit
	span=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print int(b - a) + 1}')
	limit=$((RATE * span + RATE))
	[ "$total" -gt 0 ] || { echo "no probe at all went down (flood not seen?)"; return 1; }
	[ "$total" -le "$limit" ] || { echo "$total probes > probe-rate x ${span}s + burst = $limit"; return 1; }
	# after the first second the bucket is empty: at most the rate (5 % slack for timer edges)
	[ "$max" -le $((RATE + RATE / 20)) ] || { echo "a later second carried $max probes > $RATE"; return 1; }
}
flood_state() { # sessions: one per probe at most, never more than the budget
	local s0 s1 tx rb
	s0=$(hval "$1" state.sessions); s1=$(hval "$2" state.sessions)
	tx=$(( $(hval "$2" nd.tx_ns) - $(hval "$1" nd.tx_ns) ))
	echo "sessions $s0 -> $s1, probes $tx"
	[ $((s1 - s0)) -le "$tx" ] || { echo "sessions grew by $((s1 - s0)), more than the $tx probes sent"; return 1; }
	rb=$(hstate_diff "$1" "$2" | tr ',' '\n' | grep -v 'state.sessions' | grep -v '^ *$')
	[ -z "$rb" ] || { echo "other state changed: $rb"; return 1; }
}
hcase "flood of $FLOOD_N NS for random targets (probe budget $RATE/s)" \
	expect=nd.probe_budget'>=1' expect=nd.rx_ns'>=1000' expect=nd.sessions_full=0 \
	"reply=up:advertisement.*tgt is 2001:db8:abc:123:4[0-9a-f]:[0-9a-f]+:" \
	window=2 rss=512 state=flood_state check=flood_check legit=legit_ns -- \
	hpy laptop flood-ns wlan0 2001:db8:abc:123:40:: "$FLOOD_N" pps=1500

hostile_summary
finish_islandd gw
test_status
