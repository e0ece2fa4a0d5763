#!/usr/bin/env bash
# Hostile ARP from upstream against the proxy ARP (issue 15):
#
#   hr br0 192.168.1.1/24 --- wlan0 gw eth0 --- eth0 pi41 192.168.1.41/24
#   (tests/lib/arp.sh)
#
# scapy sends malformed frames (wrong hlen/plen/htype/ptype, truncated,
# broadcast sender MAC, sender MAC != Ethernet source): each is counted by
# reason and nothing else happens; an ARP claiming pi41's address from
# upstream (spoofing) does not move pi41's route and pi41 stays answered;
# an ARP scan of the /24 at a few thousand requests a second: probes sent
# downstream stay within probe-rate, sessions within max-sessions, the
# daemon's RSS stays flat, and pi41 is answered throughout.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
. "$(dirname "$0")/../lib/arp.sh"
need_root hostile_arp
need_cmd jq arping "$ISL_PY"
need_islandd
netns_init

arp_island_build

PROBE_RATE=50
MAX_SESSIONS=64
CONF="proxy wlan0 {
	autowire yes
	probe-rate $PROBE_RATE
	max-sessions $MAX_SESSIONS
	rule 192.168.1.0/24 {
		iface eth0
	}
}"
start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$(islandd_pid gw)/status"; }

got=$(arping_mac 192.168.1.41 4)
check "pi41 is answered with the gateway's MAC" "answered by '${got:-nobody}'" test "$got" = "$GW_WLAN0"
check "pi41's /32 is on eth0" "routes: $(routes4)" wait_for 3 grep -q "^192.168.1.41 dev eth0" <<<"$(routes4)"

# --- malformed frames: one of each, each counted by its reason ---
# tests/lib/hostile-style raw sends: Ethernet header + ARP body, as bytes.
send_py='
import sys, socket, struct
def mac(s): return bytes.fromhex(s.replace(":", ""))
def ip(s): return socket.inet_aton(s)
me = mac(sys.argv[1])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("br0", 0))
def arp(htype=1, ptype=0x0800, hlen=6, plen=4, op=1, sha=me, spa="192.168.1.1", tha=b"\0"*6, tpa="192.168.1.41"):
    return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + ip(spa) + tha + ip(tpa)
def send(body, src=me):
    s.send(b"\xff"*6 + src + b"\x08\x06" + body)
kind = sys.argv[2]
if kind == "bad_hlen":   send(arp(hlen=16))
if kind == "bad_plen":   send(arp(plen=16))
if kind == "bad_htype":  send(arp(htype=6))
if kind == "bad_ptype":  send(arp(ptype=0x86dd))
if kind == "truncated":  send(arp()[:20])
if kind == "sender_mac_mcast":    send(arp(sha=b"\xff"*6))
if kind == "sender_mac_mismatch": send(arp(sha=mac("02:00:00:00:00:66")))
if kind == "spoof":      send(arp(sha=mac("02:00:00:00:00:66"), spa="192.168.1.41", tpa="192.168.1.41"), src=mac("02:00:00:00:00:66"))
'
for kind in bad_hlen bad_plen bad_htype bad_ptype truncated sender_mac_mcast sender_mac_mismatch; do
	before=$(arp_counter "drop_$kind")
	nsexec hr "$ISL_PY" -c "$send_py" "$HR_MAC" "$kind"
	if wait_for 3 arp_counter_at_least "drop_$kind" $(( before + 1 )); then
		ok "a frame with $kind is dropped and counted (drop_$kind $(arp_counter "drop_$kind"))"
	else
		not_ok "a frame with $kind is dropped and counted" "drop_$kind $(arp_counter "drop_$kind")"
	fi
done
check "no malformed frame was answered or made a session" "sessions: $(ctl gw sessions)" \
	test "$(ctl gw sessions --json | jq '[.sessions[] | select(.family == "ipv4")] | length')" -eq 1

# --- spoofing pi41's address from upstream: nothing moves ---
r0=$(arp_counter claim_refuted)
nsexec hr "$ISL_PY" -c "$send_py" "$HR_MAC" spoof
check "the claim for pi41 heard upstream is checked downstream" "heard_upstream $(arp_counter heard_upstream)" \
	wait_for 3 arp_counter_at_least heard_upstream 1
check "pi41 answered downstream: the claim is refuted" "claim_refuted $(arp_counter claim_refuted)" \
	wait_for 5 arp_counter_at_least claim_refuted $(( r0 + 1 ))
check "pi41's route did not move" "routes: $(routes4)" grep -q "^192.168.1.41 dev eth0" <<<"$(routes4)"
got=$(arping_mac 192.168.1.41 4)
check "pi41 is still answered with the gateway's MAC after the spoof" "answered by '${got:-nobody}'" \
	test "$got" = "$GW_WLAN0"

# --- a /24 scan at a few thousand requests a second ---
scan_py='
import sys, socket, struct, time
def mac(s): return bytes.fromhex(s.replace(":", ""))
me = mac(sys.argv[1]); rate = int(sys.argv[2]); secs = float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("br0", 0))
frames = [b"\xff"*6 + me + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + me +
          socket.inet_aton("192.168.1.1") + b"\0"*6 + socket.inet_aton("192.168.1.%d" % i)
          for i in range(3, 255) if i != 41]
n = 0; t0 = time.monotonic()
while time.monotonic() - t0 < secs:
    for f in frames[:25]:
        s.send(f); n += 1
    frames = frames[25:] + frames[:25]
    ahead = n / rate - (time.monotonic() - t0)
    if ahead > 0: time.sleep(ahead)
print(n, round(n / (time.monotonic() - t0)))
'
rss0=$(rss_kb)
p0=$(arp_counter tx_probe)
q0=$(arp_counter rx_request)
t0=$(now_ms)
nsexec hr "$ISL_PY" -c "$scan_py" "$HR_MAC" 3000 4 >"$ISL_RUN/scan.out" &
SCAN=$!
sleep 1 # into the scan: a real host is asked in the middle of it
got=$(arping_mac 192.168.1.41 3)
wait "$SCAN"
t1=$(now_ms)
read -r sent rate <"$ISL_RUN/scan.out"
note "scan: $sent requests in $(( t1 - t0 )) ms ($rate/s)"
check "the scan ran at thousands of requests a second" "$sent requests, $rate/s" test "${rate:-0}" -ge 1500
check "pi41 was answered in the middle of the scan" "answered by '${got:-nobody}'" test "$got" = "$GW_WLAN0"
check "the daemon saw the scan" "rx_request $(arp_counter rx_request)" \
	wait_for 5 arp_counter_at_least rx_request $(( q0 + sent / 2 ))
probes=$(( $(arp_counter tx_probe) - p0 ))
secs=$(( (t1 - t0 + 999) / 1000 + 1 ))
limit=$(( PROBE_RATE * secs + PROBE_RATE / 10 ))
check "probes downstream stay within probe-rate ($probes in ~${secs}s, limit $limit)" "$probes probes" \
	test "$probes" -le "$limit"
n=$(ctl gw stats --json | jq '.arp.sessions')
check "sessions stay within max-sessions ($n, cap $MAX_SESSIONS)" "$n sessions" test "$n" -le "$MAX_SESSIONS"
refused=$(( $(arp_counter probe_budget) + $(arp_counter sessions_full) + $(arp_counter dead_target) + $(arp_counter pending) ))
check "the refused requests are counted (budget, cap, dead, pending: $refused)" "$refused" test "$refused" -gt 0
rss1=$(rss_kb)
note "RSS before the scan ${rss0} kB, after ${rss1} kB"
check "the daemon's RSS stays flat (+$(( rss1 - rss0 )) kB)" "before $rss0 kB, after $rss1 kB" \
	test $(( rss1 - rss0 )) -le 1024
check "no scanned address was answered or routed" "routes: $(routes4)" \
	test "$(routes4 | grep -vc '^192.168.1.41 ')" -eq 0
got=$(arping_mac 192.168.1.41 3)
check "pi41 is answered after the scan" "answered by '${got:-nobody}'" test "$got" = "$GW_WLAN0"

finish_islandd gw
test_status
