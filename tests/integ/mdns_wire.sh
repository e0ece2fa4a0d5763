#!/usr/bin/env bash
# The mDNS reflector on the wire (issue 11, defects 8-10), on the seed-000
# island with a printer (avahi-daemon publishing _ipp._tcp) on the laptop's
# Wi-Fi link and the reflector in gw between wlan0 and eth0:
#   - RFC 6762 §8.2: the laptop probes a name, pi41 sends a competing
#     probe for the same name 0.6 s later: each probe reaches the other
#     host's link (neither is taken for the reflector's echo);
#   - §7.1: the laptop asks for _ipp._tcp with the printer as a known
#     answer (the printer stays quiet), pi41 asks the same question right
#     after: pi41 gets the printer's answer;
#   - §10.2: records reflected onto the other link carry no cache-flush bit;
#   - §18: every multicast message the gateway sends has ID 0, a response
#     exactly QR and AA, a query at most TC; nothing leaves in fragments.
# Probes and queries are built byte by byte (tests/lib/mdns_send.py);
# what crossed is read from tcpdump captures on both links.
set -u
. "$(dirname "$0")/../lib/mdns.sh"
need_root mdns_wire
need_cmd avahi-daemon dbus-daemon tcpdump jq unshare "$ISL_PY"
need_islandd
netns_init
island000_build

ns_add printer
veth printer wlan0 isp p-printer
bridge_port isp br0 p-printer
if_up printer wlan0
wait_for 5 test -n "$(ll_addr printer wlan0)" || die "printer wlan0 has no link-local address"

start_islandd gw 'mdns {
	iface wlan0
	iface eth0
}' || { not_ok "islandd starts with an mdns block" "see $(islandd_log gw)"; exit 1; }
mdns_json() { ctl gw mdns --json 2>/dev/null; }
joined6() { [ "$(mdns_json | jq '[.mdns.interfaces[] | select(.joined6 and .up)] | length')" = 2 ]; }
check "the reflector joins ff02::fb on wlan0 and eth0" "$(mdns_json | jq -c .mdns.interfaces)" \
	wait_for 5 joined6

SEND=$ISL_LIB/mdns_send.py
msend() { local ns=$1; shift; nsexec "$ns" "$ISL_PY" "$SEND" "$@"; }
# The test hosts listen to the group as a real host does, so that switches
# doing MLD snooping forward it to them.
# (ip netns exec execs python: $! is the listener itself)
for h in laptop:wlan0 pi41:eth0; do
	ip netns exec "$ISL_NS_PREFIX${h%%:*}" "$ISL_PY" "$SEND" join "${h#*:}" 600 &
	at_cleanup "kill $! 2>/dev/null"
done

mdns_host printer printer wlan0
mdns_service printer _ipp._tcp 631
avahi_start printer || { not_ok "avahi-daemon starts on the printer" "see $(avahi_log printer)"; exit 1; }

# Everything the gateway sends on each link, fragments included.
capture_gw() {
	nsexec "$1" tcpdump -i "$2" -n -U --immediate-mode -s 0 -w "$3" "ether src $(mac_addr gw "$4")" >/dev/null 2>"$3.err" &
	ISL_CAPTURE_PID=$!
	at_cleanup "kill $ISL_CAPTURE_PID 2>/dev/null"
	wait_for 5 tcpdump_ready "$3.err"
}
capture_gw laptop wlan0 "$ISL_RUN/wlan.pcap" wlan0
CAP_WLAN=$ISL_CAPTURE_PID
capture_gw pi41 eth0 "$ISL_RUN/eth.pcap" eth0
CAP_ETH=$ISL_CAPTURE_PID
# the printer's start-up announcements are over before the cases begin
# (time is tested: avahi answers a record at most once a second)
sleep 2

echo_before=$(mdns_counter gw echo)

# --- §8.2: a competing probe 0.6 s after the first --------------------------
msend laptop probe wlan0 clash.local "$LAPTOP_ADDR" >/dev/null
sleep 0.6 # time is tested: the competing probe comes 0.6 s later
msend pi41 probe eth0 clash.local "$PI41_ADDR" >/dev/null
sleep 0.5 # time is tested: with the 1.5 s below, the question comes 2 s after the probes

# --- §7.1: the same question, another host, no known answer ------------------
sleep 1.5   # a second apart from the probes
msend laptop ask wlan0 _ipp._tcp.local --known printer._ipp._tcp.local >/dev/null
sleep 0.1 # time is tested: the second question comes 0.1 s after the first
if out=$(msend pi41 ask eth0 _ipp._tcp.local --want printer._ipp._tcp.local --timeout 3); then
	ok "pi41 asks for _ipp._tcp 0.1 s after the laptop asked with the printer as a known answer: $out"
else
	not_ok "pi41 asks for _ipp._tcp 0.1 s after the laptop asked with the printer as a known answer" \
		"$out (gw counters: $(mdns_json | jq -c '.mdns.counters | {rx, tx, reflected, echo: .drops.echo}'))"
fi

# --- §10.2: an announcement with the cache-flush bit ---------------------------
tx=$(mdns_counter gw tx)
msend pi41 announce eth0 pi-41.local "$PI41_ADDR" >/dev/null
# its copy is on the laptop's link (the capture is immediate: it has it then)
wait_for 3 eval '[ "$(mdns_counter gw tx)" -gt "$tx" ]'

ISL_CAPTURE_PID=$CAP_WLAN mdns_capture_stop
ISL_CAPTURE_PID=$CAP_ETH mdns_capture_stop
WLAN_SEEN=$(mdns_pcap "$ISL_RUN/wlan.pcap" --addr "$PI41_ADDR" --addr "$LAPTOP_ADDR" --name clash.local --name _ipp._tcp.local)
ETH_SEEN=$(mdns_pcap "$ISL_RUN/eth.pcap" --addr "$PI41_ADDR" --addr "$LAPTOP_ADDR" --name clash.local --name _ipp._tcp.local)
note "laptop's link, from the gateway: $(tr '\n' ' ' <<<"$WLAN_SEEN")"
note "cluster link, from the gateway: $(tr '\n' ' ' <<<"$ETH_SEEN")"
fig() { awk -v k="$2" '$1 == k {print $2}' <<<"$1"; }

check "pi41's competing probe (proposing $PI41_ADDR) reached the laptop's link" \
	"addr:$PI41_ADDR in probes from the gateway: $(fig "$WLAN_SEEN" probes) probes" \
	test "$(fig "$WLAN_SEEN" probes)" -ge 1
check "the laptop's probe (proposing $LAPTOP_ADDR) reached pi41's link" \
	"$(fig "$ETH_SEEN" "addr:$LAPTOP_ADDR") packets with it" \
	test "$(fig "$ETH_SEEN" "addr:$LAPTOP_ADDR")" -ge 1
check "the laptop's link got the record pi41 proposed ($PI41_ADDR)" "$(fig "$WLAN_SEEN" "addr:$PI41_ADDR")" \
	test "$(fig "$WLAN_SEEN" "addr:$PI41_ADDR")" -ge 1
check "both _ipp._tcp queries crossed: the laptop's to eth0, pi41's to wlan0" \
	"eth0 $(fig "$ETH_SEEN" name:_ipp._tcp.local), wlan0 $(fig "$WLAN_SEEN" name:_ipp._tcp.local)" \
	test "$(fig "$ETH_SEEN" name:_ipp._tcp.local)" -ge 2 -a "$(fig "$WLAN_SEEN" name:_ipp._tcp.local)" -ge 1
check "no record the gateway put on either link has the cache-flush bit (RFC 6762 §10.2)" \
	"wlan0 $(fig "$WLAN_SEEN" flush) of $(fig "$WLAN_SEEN" records), eth0 $(fig "$ETH_SEEN" flush) of $(fig "$ETH_SEEN" records)" \
	test "$(fig "$WLAN_SEEN" flush)$(fig "$ETH_SEEN" flush)" = 00 -a "$(fig "$WLAN_SEEN" records)" -gt 0 -a "$(fig "$ETH_SEEN" records)" -gt 0
check "every message the gateway sent has an RFC 6762 §18 header (ID 0; QR+AA / at most TC)" \
	"bad: wlan0 $(fig "$WLAN_SEEN" bad_header) of $(fig "$WLAN_SEEN" packets), eth0 $(fig "$ETH_SEEN" bad_header) of $(fig "$ETH_SEEN" packets)" \
	test "$(fig "$WLAN_SEEN" bad_header)$(fig "$ETH_SEEN" bad_header)" = 00
check "nothing the gateway sent was fragmented or malformed" \
	"fragments $(fig "$WLAN_SEEN" fragments)/$(fig "$ETH_SEEN" fragments), malformed $(fig "$WLAN_SEEN" malformed)/$(fig "$ETH_SEEN" malformed)" \
	test "$(fig "$WLAN_SEEN" fragments)$(fig "$ETH_SEEN" fragments)$(fig "$WLAN_SEEN" malformed)$(fig "$ETH_SEEN" malformed)" = 0000
echo_after=$(mdns_counter gw echo)
check "nothing was taken for an echo (echo drops $echo_before -> $echo_after)" "" \
	test "$echo_after" = "$echo_before"
check "the printer never renamed itself" "$(grep -m3 -iE 'conflict' "$(avahi_log printer)")" \
	_isl_not avahi_renamed printer

avahi_stop printer
finish_islandd gw
test_status
