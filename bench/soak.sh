#!/usr/bin/env bash
# bench/soak.sh [SECONDS]: islandd (ASan+UBSan build, leak checking on) under
# mixed load for SECONDS (default 600) on the seed-000 island in network
# namespaces, with every engine on (NDP proxy, RA relay, mDNS reflector):
#
#   - NS from the laptop: static targets at SOAK_RATE/s (default 200) and the
#     two pis (iface rule) at 20/s, in 10 s runs of bench/ndload;
#   - a scan of absent targets of the iface rule (random, 20/s): sessions
#     come, are probed and go, all the time;
#   - RSs from pi42 every 2 s, radvd's RAs upstream;
#   - mDNS: queries (IPv4, IPv6) on wlan0 and answers on eth0, 4 per second;
#   - SIGHUP every SOAK_HUP s (default 20), alternating two configurations.
#
# Every 10 s: VmRSS, fds, CPU, sessions, what ndload got answered. At the end
# SIGTERM, and the daemon's log must hold no sanitizer report (LeakSanitizer
# runs at exit). Pass: RSS flat (last sample within 10 % of the sample after
# warm-up: min(60 s, SECONDS/3)), every 10 s run answered (static >= 98 %,
# pis >= 95 %), every reload taken, exit status 0, no ASan/LSan/UBSan report.
#
# ASan keeps freed memory in a quarantine (256 MB by default) to catch use
# after free; RSS would then measure the quarantine, not islandd. The soak
# runs with quarantine_size_mb=1 (SOAK_ASAN_OPTIONS to change it).
#
# Output: "ok ..." / "not ok ..." lines (tests/run.sh counts them), the
# samples table, and the same in $SOAK_OUT (default build/soak/soak.txt,
# next to the daemon's log).
# Needs root; builds the ASan daemon and ndload if they are missing.
set -u
SOAK_SECONDS=${1:-${SOAK_SECONDS:-600}}
SOAK_RATE=${SOAK_RATE:-200}
SOAK_HUP=${SOAK_HUP:-20}
REPO=$(cd "$(dirname "$0")/.." && pwd)
export ASAN_OPTIONS=${SOAK_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:print_summary=1:quarantine_size_mb=1}
export ISLANDD=${ISLANDD:-$REPO/build/asan/islandd}
export ISLANDCTL=${ISLANDCTL:-$REPO/build/asan/islandctl}
export NDLOAD=${NDLOAD:-}
if [ ! -x "$ISLANDD" ] || [ ! -x "$ISLANDCTL" ]; then
	make -C "$REPO" -s SAN=1 BUILD=build/asan all bench-bin >&2 || { echo "FATAL: cannot build the ASan daemon" >&2; exit 2; }
fi
ISL_NS_PREFIX=${ISL_NS_PREFIX:-soak$$-}
# The daemon's log outlives the run (tests/run.sh sets its own directory).
export ISL_LOG_DIR=${ISL_LOG_DIR:-$REPO/build/soak}
mkdir -p "$ISL_LOG_DIR"
rm -f "$ISL_LOG_DIR/islandd-gw.log"
. "$REPO/tests/lib/faults.sh"
. "$REPO/tests/lib/mdns.sh"
need_root soak
need_cmd jq rdisc6 radvd tcpdump "$ISL_PY"
need_islandd
need_ndload
SOAK_OUT=${SOAK_OUT:-$ISL_LOG_DIR/soak.txt}
: >"$SOAK_OUT"
say() { printf '%s\n' "$*" | tee -a "$SOAK_OUT"; }

netns_init
# the load is NS for a static /80 nobody is behind: too many addresses to
# join their groups, so a snooping access point would never forward them
ISL_BRIDGE=dumb island000_build
island000_ipv4

CONF_A="$(proxy_island_conf)
ra-relay wlan0 {
	iface eth0
}
mdns {
	iface wlan0
	iface eth0
}"
# B: one more static rule, other mdns settings; the same engines and the
# same ND messages listened for (a reload that changes those loses the NSs
# queued meanwhile: 50_faults_sighup measures that on its own).
CONF_B="proxy wlan0 {
	autowire yes
	rule 2001:db8:abc:123:40::/76 {
		iface eth0
	}
	rule $STATIC_PREFIX {
		static
	}
	rule 2001:db8:abc:123:60::/80 {
		static
	}
}
ra-relay wlan0 {
	iface eth0
}
mdns {
	iface wlan0
	iface eth0 {
		deny-out _printer._tcp
	}
	rate-limit 2000
}"
start_islandd gw "$CONF_A" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
PID=$(islandd_pid gw)
say "# soak: ${SOAK_SECONDS}s, islandd pid $PID ($ISLANDD), ASAN_OPTIONS=$ASAN_OPTIONS"
say "# load: NS static ${SOAK_RATE}/s + pis 20/s + scan 20/s, RS every 2 s, mDNS 4/s, SIGHUP every ${SOAK_HUP}s"

# --- background load -----------------------------------------------------------
END_EPOCH=$(( $(date +%s) + SOAK_SECONDS ))
ip netns exec "${ISL_NS_PREFIX}laptop" "$NDLOAD" -i wlan0 --prefix 2001:db8:abc:123:40::/76 --random \
	--rate 20 --duration "$SOAK_SECONDS" --seed 7 --label scan >"$ISL_RUN/scan.txt" 2>&1 &
SCAN_PID=$!
at_cleanup "kill $SCAN_PID 2>/dev/null"
( while [ "$(date +%s)" -lt "$END_EPOCH" ]; do
	ip netns exec "${ISL_NS_PREFIX}pi42" rdisc6 -1 -r 1 -w 200 eth0 >/dev/null 2>&1
	sleep 2
done ) &
RS_PID=$!
at_cleanup "kill $RS_PID 2>/dev/null"
ip netns exec "${ISL_NS_PREFIX}laptop" "$ISL_PY" - "$SOAK_SECONDS" "${ISL_NS_PREFIX}" >"$ISL_RUN/mdns.txt" 2>&1 <<'PY' &
# mDNS from both sides, 4 packets a second: the laptop asks (v4, v6), pi41's
# answers are sent from pi41's namespace through a second process below.
import ipaddress, logging, sys, time
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.config import conf
from scapy.layers.l2 import Ether
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.dns import DNS, DNSQR
from scapy.sendrecv import sendp
conf.verb = 0
end = time.time() + float(sys.argv[1])
mac = open("/sys/class/net/wlan0/address").read().strip()
ll = None
for line in open("/proc/net/if_inet6"):
    h, _, _, scope, _, n = line.split()
    if n == "wlan0" and scope == "20":
        ll = str(ipaddress.IPv6Address(bytes.fromhex(h)))
q4 = Ether(src=mac, dst="01:00:5e:00:00:fb") / IP(src="192.168.1.50", dst="224.0.0.251", ttl=255) / \
    UDP(sport=5353, dport=5353) / DNS(id=0, qd=DNSQR(qname="pi-41.local", qtype="A"))
q6 = Ether(src=mac, dst="33:33:00:00:00:fb") / IPv6(src=ll, dst="ff02::fb", hlim=255) / \
    UDP(sport=5353, dport=5353) / DNS(id=0, qd=DNSQR(qname="pi-41.local", qtype="AAAA"))
n = 0
while time.time() < end:
    sendp([q4, q6], iface="wlan0")
    n += 2
    time.sleep(0.5)
print("mdns queries sent", n)
PY
MQ_PID=$!
at_cleanup "kill $MQ_PID 2>/dev/null"
ip netns exec "${ISL_NS_PREFIX}pi41" "$ISL_PY" - "$SOAK_SECONDS" "$PI41_ADDR" >"$ISL_RUN/mdns-ans.txt" 2>&1 <<'PY' &
import ipaddress, logging, sys, time
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.config import conf
from scapy.layers.l2 import Ether
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.dns import DNS, DNSRR
from scapy.sendrecv import sendp
conf.verb = 0
end = time.time() + float(sys.argv[1])
mac = open("/sys/class/net/eth0/address").read().strip()
ll = None
for line in open("/proc/net/if_inet6"):
    h, _, _, scope, _, n = line.split()
    if n == "eth0" and scope == "20":
        ll = str(ipaddress.IPv6Address(bytes.fromhex(h)))
a4 = Ether(src=mac, dst="01:00:5e:00:00:fb") / IP(src="10.0.40.41", dst="224.0.0.251", ttl=255) / \
    UDP(sport=5353, dport=5353) / DNS(id=0, qr=1, aa=1, an=DNSRR(rrname="pi-41.local", type="A", rclass=0x8001, ttl=120, rdata="10.0.40.41"))
a6 = Ether(src=mac, dst="33:33:00:00:00:fb") / IPv6(src=ll, dst="ff02::fb", hlim=255) / \
    UDP(sport=5353, dport=5353) / DNS(id=0, qr=1, aa=1, an=DNSRR(rrname="pi-41.local", type="AAAA", rclass=0x8001, ttl=120, rdata=sys.argv[2]))
n = 0
while time.time() < end:
    sendp([a4, a6], iface="eth0")
    n += 2
    time.sleep(0.5)
print("mdns answers sent", n)
PY
MA_PID=$!
at_cleanup "kill $MA_PID 2>/dev/null"

# --- the samples -----------------------------------------------------------------
WARM=$(( SOAK_SECONDS / 3 < 60 ? SOAK_SECONDS / 3 : 60 ))
hz=$(getconf CLK_TCK)
t_start=$(now_ms)
next_hup=$(( t_start + SOAK_HUP * 1000 ))
hups=0 hup_missed=0 bad_chunks=0 chunks=0
RSS_WARM='' RSS_LAST='' RSS_MAX=0 RSS_FIRST=''
reloads_done() { grep -cE 'configuration reloaded from|reload failed, keeping' "$(islandd_log gw)"; }
say "$(printf '%6s %8s %8s %4s %6s %8s %10s %10s %8s %8s' t_s rss_kb hwm_kb fds cpu% sessions static% pis% mdns_tx tx_ra)"
tk_prev=$(proc_cpu_ticks "$PID")
ms_prev=$(now_ms)
while :; do
	elapsed=$(( ($(now_ms) - t_start) / 1000 ))
	[ "$elapsed" -ge "$SOAK_SECONDS" ] && break
	left=$(( SOAK_SECONDS - elapsed ))
	chunk=$(( left < 10 ? left : 10 ))
	L=$(ndload laptop -i wlan0 --prefix "$STATIC_PREFIX" --seq 5000 --rate "$SOAK_RATE" --duration "$chunk" \
		--real "$PI41_ADDR,$PI42_ADDR" --real-rate 20 --linger 300 --seed "$elapsed")
	if ! islandd_running gw; then
		not_ok "islandd runs through the soak" "gone after ${elapsed}s: $(tail -n 20 "$(islandd_log gw)")"
		break
	fi
	if [ "$(now_ms)" -ge "$next_hup" ]; then
		hups=$((hups + 1))
		if [ $((hups % 2)) = 1 ]; then write_islandd_conf gw "$CONF_B"; else write_islandd_conf gw "$CONF_A"; fi
		n=$(reloads_done)
		kill -HUP "$PID"
		wait_for 5 eval '[ "$(reloads_done)" -gt "$n" ]' || hup_missed=$((hup_missed + 1))
		next_hup=$(( next_hup + SOAK_HUP * 1000 ))
	fi
	rss=$(proc_rss_kb "$PID")
	hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status")
	fds=$(proc_fds "$PID")
	tk=$(proc_cpu_ticks "$PID"); ms=$(now_ms)
	cpu=$(awk -v t=$((tk - tk_prev)) -v hz="$hz" -v ms=$((ms - ms_prev)) 'BEGIN { printf "%.1f", t * 100000 / (hz * ms) }')
	tk_prev=$tk; ms_prev=$ms
	st=$(ctl gw status --json)
	sessions=$(jq -r .sessions <<<"$st")
	mtx=$(ctl gw mdns --json | jq -r '.mdns.counters.tx // 0')
	txra=$(ctl gw ra --json | jq -r '.counters.tx_ra // 0')
	sp=$(kv answered_pct "$L"); rp=$(kv real_answered_pct "$L")
	t=$(( ($(now_ms) - t_start) / 1000 ))
	say "$(printf '%6d %8d %8d %4d %6s %8s %10s %10s %8s %8s' "$t" "$rss" "$hwm" "$fds" "$cpu" "$sessions" "$sp" "$rp" "$mtx" "$txra")"
	chunks=$((chunks + 1))
	if ! pct_at_least "$sp" 98 || ! pct_at_least "$rp" 95; then
		bad_chunks=$((bad_chunks + 1))
		say "# t=${t}s: $L"
	fi
	[ -z "$RSS_FIRST" ] && RSS_FIRST=$rss
	[ -z "$RSS_WARM" ] && [ "$t" -ge "$WARM" ] && RSS_WARM=$rss
	RSS_LAST=$rss
	[ "$rss" -gt "$RSS_MAX" ] && RSS_MAX=$rss
	[ -z "${FD_FIRST:-}" ] && FD_FIRST=$fds
	FD_LAST=$fds
	MTX_LAST=$mtx TXRA_LAST=$txra
done

kill "$SCAN_PID" "$MQ_PID" "$MA_PID" "$RS_PID" 2>/dev/null
wait "$SCAN_PID" 2>/dev/null
say "# scan of absent targets: $(tail -n 1 "$ISL_RUN/scan.txt")"
say "# ndproxy: $(ctl gw stats --json | jq -c '.counters | {rx_ns, tx_na, tx_ns, sessions_full, target_confirmed, target_lost, route_added, route_removed, probe_budget}')"
say "# ra: $(ctl gw ra --json | jq -c '.counters | {rx_ra, rx_rs, tx_ra, hosts_learned, hosts_forgotten}')"
say "# mdns: $(ctl gw mdns --json | jq -c '.mdns.counters | {rx, tx, drops}')"
say "# status: $(ctl gw status --json | jq -c '{reloads, reload_failures, sessions}')"
say "# RSS first $RSS_FIRST kB, after warm-up (${WARM}s) ${RSS_WARM:-none} kB, last $RSS_LAST kB, max $RSS_MAX kB; fds $FD_FIRST -> ${FD_LAST:-?}"

r() { local name=$1; shift; if "$@"; then ok "$name"; echo "ok $name" >>"$SOAK_OUT"; else not_ok "$name" "see $SOAK_OUT"; echo "not ok $name" >>"$SOAK_OUT"; fi; }
r "soak ${SOAK_SECONDS}s: islandd ran throughout" islandd_running gw
r "soak: RSS flat (${RSS_WARM:-?} kB after ${WARM}s -> $RSS_LAST kB at the end, within 10 %)" \
	within_kb "${RSS_WARM:-0}" "${RSS_LAST:-0}" 0 10
r "soak: fds flat ($FD_FIRST -> ${FD_LAST:-?})" test "$FD_FIRST" = "${FD_LAST:-x}"
r "soak: every 10 s run answered (static >= 98 %, pis >= 95 %): $((chunks - bad_chunks)) of $chunks" \
	test "$bad_chunks" -eq 0 -a "$chunks" -gt 0
r "soak: $hups SIGHUPs, each taken ($hup_missed missed)" test "$hup_missed" -eq 0
r "soak: the mDNS reflector and the RA relay kept sending (mdns tx ${MTX_LAST:-0}, RAs ${TXRA_LAST:-0})" \
	test "${MTX_LAST:-0}" -gt 0 -a "${TXRA_LAST:-0}" -gt 0
stop_islandd gw TERM 20; rc=$?
r "soak: islandd exits 0 on SIGTERM (status $rc)" test "$rc" -eq 0
r "soak: no ASan/LSan/UBSan report in the daemon log" sanitizer_clean gw
if ! sanitizer_clean gw; then
	grep -m 3 -E -A 15 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$(islandd_log gw)" | tee -a "$SOAK_OUT" | sed 's/^/#   /'
fi
say "# daemon log: $(islandd_log gw)"
test_status
