#!/usr/bin/env bash
# Hostile multicast DNS against the reflector (issue 7 §2), on the seed-000
# island with the proxy, the RA relay and `mdns { iface wlan0 iface eth0 }`.
# Compression loops and forward pointers, counts and lengths that lie,
# 9001-byte datagrams, opcode/rcode/port violations, off-link legacy queries
# (avahi's CVE-2017-6519 shape), headers that break RFC 6762 §18, messages
# too big for the link (§17) and the reflector's own packet looped back.
# Each case checks: nothing from the gateway on either link (nor towards the
# ISP router, where answers to a spoofed off-link source would go), the
# reflector's drop counter and the codec's reason, no state or memory
# gained, and a real query from the laptop reflected onto the cluster link
# right after.
set -u
. "$(dirname "$0")/../lib/hostile.sh"
need_root hostile_mdns
need_cmd jq tcpdump "$ISL_PY"
need_islandd
netns_init
hostile_island_build
start_islandd gw "$(hostile_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
hostile_captures
hcap_start isp br0 isp "$GW_WLAN_MAC" || die "capture on isp br0 did not start"
joined() { hctl mdns --json | jq -e '[.mdns.interfaces[] | select(.joined6 and .up)] | length == 2' >/dev/null; }
wait_for 10 joined || { not_ok "the reflector joins ff02::fb on wlan0 and eth0" "$(hctl mdns)"; exit 1; }
hostile_settle

_mdns_tx() { hctl mdns --json | jq -c '.mdns.counters | [.rx, .tx, .tx_errors, .reflected, ([.drops[]] | add)]'; }
# legit_mdns: a QM query for a fresh name from the laptop shows up on the
# cluster link, sent by the gateway, within 1.5 s.
legit_mdns() {
	local name t s0 c0
	name="legit-$RANDOM$RANDOM.local"
	t=$(now_s)
	s0=$(hcap_size down)
	c0=$(_mdns_tx)
	hpy laptop legit-mdns wlan0 "$name" >/dev/null || return 1
	for _ in $(seq 30); do
		[ "$(hcap_size down)" != "$s0" ] && [ "$(hcap_count down "$t" "$(now_s)" "$name")" -gt 0 ] && return 0
		sleep 0.05 # poll interval of a wait on a captured packet
	done
	echo "query for $name not reflected onto eth0 within 1.5 s (reflector rx/tx/tx_errors/reflected/drops before: $c0, after: $(_mdns_tx)) $(hneigh_note)"
	return 1
}
# control: the reflector works before anything hostile is sent (15 s
# allowed for a slow start; the time it took is shown).
c0=$(now_s)
if wait_for 15 legit_mdns; then
	ok "control: a query from the laptop is reflected onto the cluster link (after $(awk -v a="$c0" -v b="$(now_s)" 'BEGIN {printf "%.1f", b - a}') s)"
else
	not_ok "control: a query from the laptop is reflected onto the cluster link" "$(legit_mdns)"
	hctl mdns | sed 's/^/#   /'
fi

# Whatever the gateway sends over UDP, IPv4 or IPv6, on any of the links.
UDP_DOWN="reply=down:UDP \(17\)"
UDP_UP="reply=up:UDP \(17\)"
UDP_ISP="reply=isp:UDP \(17\)"
up() { hsend laptop wlan0 "$1" gw_addr="$GW_WLAN_ADDR" gw_mac="$GW_WLAN_MAC"; }
# md_case NAME SHAPE EXPECT...: one datagram from the laptop, dropped
md_case() {
	local name=$1 shape=$2; shift 2
	local e=() x
	for x in "$@"; do e+=("expect=mdns.$x"); done
	hcase "$name" expect=mdns.rx=1 expect=mdns.tx=0 expect=mdns.reflected=0 \
		expect=mdns.legacy_queries=0 "${e[@]}" "$UDP_DOWN" "$UDP_UP" "$UDP_ISP" \
		legit=legit_mdns -- up "$shape"
}
mal() { # mal NAME SHAPE DNS_REASON: refused by the DNS codec
	md_case "$1" "$2" drops.malformed=1 "dns_drops.$3=1"
}
mal "question name that is a pointer to itself (compression loop)" mdns_self_loop pointer_forward
mal "label then a pointer back to its own start (a.a.a... loop)" mdns_label_loop pointer_forward
mal "compression pointer to a later name (forward pointer)" mdns_forward_ptr pointer_forward
mal "a name behind a chain of 65 backward pointers" mdns_ptr_hops pointer_hops
mal "header counts larger than the packet (65535 questions)" mdns_counts counts
mal "257 questions (cap 256), counts that fit the bytes" mdns_too_many too_many
mal "label type 0x40" mdns_label_type label_type
mal "a 320-byte name (5 labels of 63)" mdns_name_too_long name_too_long
mal "a record whose rdlength runs past the datagram" mdns_rdata_overrun rdata_overrun
mal "an AAAA record with 5 bytes of rdata" mdns_rdata_bad rdata_bad
mal "3 bytes after the last record" mdns_trailing trailing
mal "a 7-byte datagram (shorter than a header)" mdns_short truncated
md_case "a 9001-byte datagram (RFC 6762 limit 9000)" mdns_9001 drops.too_big=1 drops.malformed=0
md_case "a query with opcode 2" mdns_opcode drops.opcode=1
md_case "a response with rcode 3" mdns_rcode drops.rcode=1
md_case "a response from port 4000, not 5353" mdns_response_port drops.response_port=1
md_case "a query from port 5353 to the gateway's unicast address" mdns_unicast drops.unicast=1
# CVE-2017-6519: a legacy query (source port 40000) claiming an off-link
# source, to the gateway's address and to the group. Answering or
# forwarding it would make the reflector an amplifier aimed at that source.
md_case "legacy unicast query from an off-link source (CVE-2017-6519)" mdns_offlink_unicast drops.offlink=1
md_case "legacy multicast query from an off-link source" mdns_offlink_mcast drops.offlink=1

# RFC 6762 §18 and §17 on what the gateway sends: the copies it puts on
# the cluster link (captured on pi41, every frame from the gateway's MAC,
# fragments included) judged by tests/lib/mdns_pcap.py.
# down_mdns T0 T1 SPEC...: SPEC is KEY=N, KEY>=N or KEY<=N on its figures.
down_mdns() {
	local t0=$1 t1=$2 figs spec key op want v bad=""; shift 2
	figs=$("$ISL_PY" "$ISL_LIB/mdns_pcap.py" "$(hcap_file down)" --since "$t0" --until "$t1" \
		--name hdr.local --name hdrq.local) || { echo "mdns_pcap.py failed"; return 1; }
	for spec in "$@"; do
		[[ $spec =~ ^([^<>=]+)(>=|<=|=)([0-9]+)$ ]] || { echo "bad spec $spec"; return 1; }
		key=${BASH_REMATCH[1]} op=${BASH_REMATCH[2]} want=${BASH_REMATCH[3]}
		v=$(awk -v k="$key" '$1 == k {print $2}' <<<"$figs")
		case $op in
		=) [ "${v:-x}" = "$want" ] ;;
		">=") [ "${v:-0}" -ge "$want" ] ;;
		"<=") [ "${v:-999999}" -le "$want" ] ;;
		esac || bad+=" $key=${v:-none} (want $op$want)"
	done
	local seen
	seen=$(awk '$2 != 0 {printf "%s%s %s", s, $1, $2; s = ", "}' <<<"$figs")
	[ -z "$bad" ] && { echo "on eth0: ${seen:-nothing}"; return 0; }
	echo "on eth0:$bad [all: $seen]"
	return 1
}
hdr_response_copy() { down_mdns "$1" "$2" packets=1 name:hdr.local=1 bad_header=0 flush=0 fragments=0; }
hdr_query_copy() { down_mdns "$1" "$2" packets=1 name:hdrq.local=1 bad_header=0 fragments=0; }
no_fragments() { down_mdns "$1" "$2" packets=0 fragments=0; }
split_copies() { down_mdns "$1" "$2" 'packets>=5' records=6 fragments=0 'max_ip<=1500' bad_header=0 flush=0; }
hcase "a response with ID 0x1234, TC, RD, RA, Z and no AA: reflected with ID 0, QR and AA only, no cache-flush" \
	expect=mdns.rx=1 expect=mdns.tx=1 expect=mdns.reflected=1 expect=mdns.flush_cleared=1 \
	"$UDP_UP" "$UDP_ISP" check=hdr_response_copy legit=legit_mdns -- up mdns_hdr_response
hcase "a query with ID 0x4321, AA and RD: reflected with ID 0 and no flag set" \
	expect=mdns.rx=1 expect=mdns.tx=1 expect=mdns.reflected=1 \
	"$UDP_UP" "$UDP_ISP" check=hdr_query_copy legit=legit_mdns -- up mdns_hdr_query
hcase "a 9000-byte IPv6 datagram of one record: nothing sent, nothing fragmented (RFC 6762 §17)" \
	expect=mdns.rx=1 expect=mdns.tx=0 expect=mdns.reflected=0 expect=mdns.drops.too_big=1 \
	expect=mdns.records_too_big=1 "$UDP_DOWN" "$UDP_UP" "$UDP_ISP" \
	check=no_fragments legit=legit_mdns -- up mdns_big_record
hcase "a 9001-byte IPv6 datagram (over the 9000-byte ceiling with its headers)" \
	expect=mdns.rx=1 expect=mdns.tx=0 expect=mdns.drops.too_big=1 expect=mdns.drops.malformed=0 \
	expect=mdns.records_too_big=0 "$UDP_DOWN" "$UDP_UP" "$UDP_ISP" \
	check=no_fragments legit=legit_mdns -- up mdns_over_9000
hcase "a 6 kB response of six records: reflected as whole responses within the MTU, no fragment" \
	expect=mdns.rx=1 expect=mdns.reflected=1 expect=mdns.split=1 \
	"$UDP_UP" "$UDP_ISP" check=split_copies legit=legit_mdns -- up mdns_big_split

# The reflector's own copy, caught on pi41 and sent back from there with the
# gateway's MAC and link-local source (switch learning off on pi41's port
# meanwhile). The copy is provoked by a query from the laptop: exactly one
# packet from the gateway on the cluster link, nothing back upstream, the
# looped copy recognised as an echo.
own_mdns() {
	local ready=$ISL_RUN/replay-mdns.ready rc
	rm -f "$ready"
	nsip sw link set p-pi41 type bridge_slave learning off
	( wait_for 5 test -e "$ready" && hpy laptop legit-mdns wlan0 "loop-$RANDOM.local" >/dev/null ) &
	hpy pi41 replay eth0 mdns gw_mac="$GW_ETH_MAC" timeout=4 ready="$ready"
	rc=$?
	wait
	nsip sw link set p-pi41 type bridge_slave learning on
	return $rc
}
one_copy_only() {
	local n
	n=$(hcap_count down "$1" "$2" "UDP \(17\)")
	[ "$n" -eq 1 ] && echo "1 copy (the provoked one)" && return 0
	echo "$n packets from the gateway on eth0, expected 1 (the provoked copy)"; return 1
}
hcase "the reflector's own packet looped back (its MAC and link-local source)" \
	expect=mdns.rx=2 expect=mdns.reflected=1 expect=mdns.drops.echo=1 \
	"$UDP_UP" "$UDP_ISP" check=one_copy_only legit=legit_mdns -- own_mdns

hostile_summary
finish_islandd gw
test_status
