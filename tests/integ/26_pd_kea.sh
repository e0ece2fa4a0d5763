#!/usr/bin/env bash
# DHCPv6 prefix delegation (issue 16) against Kea and ISC dhcpd -6: an ISP
# namespace runs kea-dhcp6 with a pd-pool (2001:db8:100::/40, /56 each,
# short lifetimes so the test sees Renew, Rebind and expiry), the gateway
# runs islandd with `dhcp6-pd wan0`. Checked: the lease is bound (islandctl
# pd), renewed at T1; every client message on the wire has RFC 8415's MUSTs
# (scapy on the capture: link-local source, ff02::1:2, hop limit 1, Client
# ID, Elapsed Time, IA_PD, ORO, Server ID where required and never where
# forbidden); a restart and a kill -9 continue the lease with Renew (not
# Solicit) and the same prefix; no Release at stop (RFC 9096); the server
# stopped mid-lease: Rebind after T2, the lease gone at expiry; then the
# server absent: Solicit intervals growing per RFC 8415 §15; dhcpd -6 as a
# second server hands a prefix; hostile datagrams (scapy) are dropped and
# counted, the daemon survives without growing.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
. "$(dirname "$0")/../lib/netns.sh"
need_root 26_pd_kea
need_cmd jq tcpdump kea-dhcp6 dhcpd "$ISL_PY"
need_islandd
netns_init

WIRE="$ISL_PY $(dirname "$0")/../lib/dhcp6_wire.py"
ns_add isp gw lan
veth isp eth0 gw wan0
veth gw eth0 lan eth0
if_up isp eth0; if_up gw wan0; if_up gw eth0; if_up lan eth0
nsip isp -6 addr add 2001:db8:1::1/64 dev eth0
wait_for 5 test -n "$(ll_addr gw wan0)" || die "gw wan0 has no link-local address"
wait_for 5 test -n "$(ll_addr isp eth0)" || die "isp eth0 has no link-local address"
GW_MAC=$(mac_addr gw wan0)

# ---- Kea ----
KEA_DIR=$ISL_RUN/kea
mkdir -p "$KEA_DIR"
# Lifetimes: T1 4 s, T2 7 s, preferred 12 s, valid 16 s.
cat >"$KEA_DIR/kea.json" <<JSON
{ "Dhcp6": {
  "interfaces-config": { "interfaces": [ "eth0" ] },
  "data-directory": "$KEA_DIR",
  "lease-database": { "type": "memfile", "persist": true, "name": "$KEA_DIR/leases6.csv", "lfc-interval": 0 },
  "renew-timer": 4, "rebind-timer": 7, "preferred-lifetime": 12, "valid-lifetime": 16,
  "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
    "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56 } ],
    "option-data": [ { "name": "dns-servers", "data": "2001:db8:1::53" },
                     { "name": "domain-search", "data": "example.org" } ] } ],
  "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "$KEA_DIR/kea.log" } ],
                 "severity": "INFO" } ]
} }
JSON
start_kea() {
	KEA_PIDFILE_DIR=$KEA_DIR KEA_LOCKFILE_DIR=$KEA_DIR \
		ip netns exec "$(nsn isp)" kea-dhcp6 -c "$KEA_DIR/kea.json" >>"$KEA_DIR/kea.out" 2>&1 &
	KEA_PID=$!
}
stop_kea() { kill "$KEA_PID" 2>/dev/null; wait "$KEA_PID" 2>/dev/null; KEA_PID=; }
start_kea

# ---- capture on the ISP side ----
PCAP=$ISL_RUN/pd.pcap
nsexec isp tcpdump -i eth0 -n -U --immediate-mode -w "$PCAP" udp dst port 547 \
	2>"$ISL_RUN/tcpdump.err" &
TCPDUMP_PID=$!
at_cleanup "kill $TCPDUMP_PID 2>/dev/null"
wait_for 5 tcpdump_ready "$ISL_RUN/tcpdump.err" || die "tcpdump did not start"

STATE=$ISL_RUN/state
CONF="dhcp6-pd wan0 {
	prefix-hint ::/56
	iface eth0 { subnet 1 }
	state-dir $STATE
}"
pd_json() { ctl gw pd --json 2>/dev/null; }
pd_state() { pd_json | jq -r '.pd[0].state'; }
pd_prefix() { pd_json | jq -r '.pd[0].prefixes[0].prefix // empty'; }
pd_counter() { pd_json | jq -r --arg n "$2" '.pd[0].counters[$n] // .pd[0].drops[$n] // 0' 2>/dev/null; }
pd_count_at_least() { [ "$(pd_counter gw "$1")" -ge "$2" ] 2>/dev/null; }
is_bound() { [ "$(pd_state)" = bound ] && [ -n "$(pd_prefix)" ]; }
# msgs: the client's messages so far, "time TYPE xid prefixes" a line
msgs() { $WIRE list "$PCAP" "$GW_MAC" 2>/dev/null; }

start_islandd gw "$CONF" || exit 1
if wait_for 15 is_bound; then
	PREFIX=$(pd_prefix)
	ok "bound: $PREFIX from Kea"
else
	not_ok "bound" "state $(pd_state)"; show_state gw; ctl gw pd; exit 1
fi
case $PREFIX in 2001:db8:1??:*00::/56|2001:db8:1??::/56) ok "the prefix is a /56 of Kea's pd-pool" ;;
	*) not_ok "the prefix is a /56 of Kea's pd-pool" "$PREFIX" ;; esac
check "the lease file is in the state directory" "no $STATE/lease-wan0" test -s "$STATE/lease-wan0"
check "the DUID file is in the state directory" "no $STATE/duid" test -s "$STATE/duid"
check "islandctl pd shows the prefix and DNS server" "$(ctl gw pd 2>&1 | head -5)" \
	sh -c "'$ISLANDCTL' -S '$(islandd_sock gw)' pd | grep -q '$PREFIX' && '$ISLANDCTL' -S '$(islandd_sock gw)' pd | grep -q 2001:db8:1::53"
T_BOUND=$(now_ms)
if wait_for 10 pd_count_at_least renewed 1; then
	ok "renewed at T1 ($(( $(now_ms) - T_BOUND )) ms after bound; T1 4 s)"
else
	not_ok "renewed at T1" "$(pd_json | jq -c '.pd[0].counters')"
fi
check "Renew on the wire" "$(msgs | tail -3)" sh -c "$WIRE list '$PCAP' '$GW_MAC' | grep -q ' RENEW '"

# ---- restart: Renew, not Solicit, same prefix; no Release at stop ----
restart_check() {
	local how=$1 before after first
	before=$(msgs | wc -l)
	if [ "$how" = kill ]; then stop_islandd gw KILL 5; else stop_islandd gw TERM 10; fi
	start_islandd gw "" || return 1
	wait_for 10 sh -c "[ \$($WIRE list '$PCAP' '$GW_MAC' | wc -l) -gt $before ]"
	first=$(msgs | tail -n +$((before + 1)) | head -1)
	after=$(msgs | tail -n +$((before + 1)))
	if [ "$(echo "$first" | awk '{print $2}')" = RENEW ] && ! grep -q SOLICIT <<<"$after"; then
		ok "$how: the lease continues with Renew, not Solicit ($first)"
	else
		not_ok "$how: the lease continues with Renew" "after restart: $after"
	fi
	check "$how: no Release at stop (RFC 9096)" "a RELEASE in the capture" sh -c "! $WIRE list '$PCAP' '$GW_MAC' | grep -q RELEASE"
	if wait_for 10 is_bound && [ "$(pd_prefix)" = "$PREFIX" ]; then
		ok "$how: the same prefix $PREFIX"
	else
		not_ok "$how: the same prefix" "now $(pd_prefix) state $(pd_state)"
	fi
}
restart_check restart
restart_check kill

# ---- SIGHUP keeps the lease: no Solicit, no Request, same prefix ----
before=$(msgs | wc -l)
kill -HUP "$(islandd_pid gw)"
wait_for 5 grep -q 'configuration reloaded' "$(islandd_log gw)"
sleep 1 # a reload that dropped the lease would Solicit within SOL_MAX_DELAY (1 s)
if ! msgs | tail -n +$((before + 1)) | grep -qE 'SOLICIT|REQUEST' && [ "$(pd_prefix)" = "$PREFIX" ]; then
	ok "SIGHUP keeps the lease ($PREFIX, no Solicit or Request after it)"
else
	not_ok "SIGHUP keeps the lease" "$(msgs | tail -n +$((before + 1)) | tr '\n' ';') prefix $(pd_prefix)"
fi

# ---- the wire: RFC 8415's MUSTs on every message so far ----
if out=$($WIRE check "$PCAP" "$GW_MAC" 2>&1); then
	ok "every client message on the wire has RFC 8415's MUSTs ($(msgs | awk '{print $2}' | sort | uniq -c | tr -s ' ' | tr '\n' ','))"
else
	not_ok "client messages have RFC 8415's MUSTs" "$(head -5 <<<"$out")"
fi

# ---- hostile datagrams from the ISP side (scapy) ----
GW_LL=$(ll_addr gw wan0)
ISP_LL=$(ll_addr isp eth0)
PID=$(islandd_pid gw)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
RSS0=$(rss)
nsexec isp "$ISL_PY" - "$GW_LL" "$ISP_LL" "$GW_MAC" <<'PY' >"$ISL_RUN/hostile.out" 2>&1
import sys
from scapy.all import Ether, IPv6, UDP, Raw, sendp, conf
from scapy.layers.dhcp6 import *
conf.verb = 0
dst, src, mac = sys.argv[1], sys.argv[2], sys.argv[3]
base = Ether(dst=mac) / IPv6(src=src, dst=dst) / UDP(sport=547, dport=546)
sid = DHCP6OptServerId(duid=DUID_LL(lladdr="02:de:ad:be:ef:01"))
cid = DHCP6OptClientId(duid=DUID_LL(lladdr="02:00:00:00:00:09"))
pkts = []
# wrong xid, unknown server id (a Reply nobody asked for)
pkts.append(base / DHCP6_Reply(trid=0x123456) / sid / cid)
# prefixes longer than /64 and shorter than /48; zero and infinite lifetimes
for plen, pref, valid in ((80, 100, 200), (40, 100, 200), (56, 0, 0), (56, 0xffffffff, 0xffffffff)):
    pkts.append(base / DHCP6_Reply(trid=0x010203) / sid / cid /
                DHCP6OptIA_PD(iaid=1, T1=0, T2=0, iapdopt=[DHCP6OptIAPrefix(prefix="2001:db8:ff::", plen=plen, preflft=pref, validlft=valid)]))
# options past the end; nested options (an IA_PD inside an IA_PD inside ...)
pkts.append(base / Raw(bytes.fromhex("07010203" "0019ffff" "00000001")))
nest = b""
for i in range(60):
    nest = b"\x00\x19" + (12 + len(nest)).to_bytes(2, "big") + b"\x00\x00\x00\x01" + b"\x00" * 8 + nest
pkts.append(base / Raw(bytes.fromhex("07010203")[:4] + nest[:1400]))
sendp(pkts, iface="eth0")
# a Reconfigure flood
sendp(base / DHCP6_Reconf(trid=0) / sid / cid / DHCP6OptReconfMsg(msgtype=5), count=2000, iface="eth0")
print("sent")
PY
if wait_for 10 pd_count_at_least reconfigure 2000; then
	ok "a Reconfigure flood (2000) is dropped and counted"
else
	not_ok "Reconfigure flood counted" "$(pd_json | jq -c '.pd[0].drops'); $(cat "$ISL_RUN/hostile.out")"
fi
check "wrong xid / unknown server / bad prefixes dropped and counted (wrong_xid >= 5)" "$(pd_json | jq -c '.pd[0].drops')" pd_count_at_least wrong_xid 5
MAL=$(pd_json | jq '[.pd[0].malformed[]] | add')
if [ "${MAL:-0}" -ge 2 ]; then ok "options past the end and nested options: malformed ($MAL)"; else not_ok "malformed counted" "$MAL"; fi
check "no Reconfigure Accept, no reply to the flood: still bound to $PREFIX" "$(pd_prefix)" sh -c "[ \"\$('$ISLANDCTL' -S '$(islandd_sock gw)' pd --json | jq -r '.pd[0].prefixes[0].prefix')\" = '$PREFIX' ]"
RSS1=$(rss)
if [ $(( RSS1 - RSS0 )) -lt 1024 ]; then ok "no state growth: VmRSS ${RSS0} -> ${RSS1} kB"
else not_ok "no state growth" "VmRSS ${RSS0} -> ${RSS1} kB"; fi
# a Reply from the island side: the socket is tied to wan0, it never gets there
nsexec lan "$ISL_PY" - "$(ll_addr gw eth0)" "$(ll_addr lan eth0)" "$(mac_addr gw eth0)" <<'PY' >/dev/null 2>&1
import sys
from scapy.all import Ether, IPv6, UDP, sendp, conf
from scapy.layers.dhcp6 import *
conf.verb = 0
sendp(Ether(dst=sys.argv[3]) / IPv6(src=sys.argv[2], dst=sys.argv[1]) / UDP(sport=547, dport=546) / DHCP6_Reply(trid=1) /
     DHCP6OptServerId(duid=DUID_LL(lladdr="02:de:ad:be:ef:02")), count=50, iface="eth0")
PY
check "a Reply from the island side changes nothing" "$(pd_state) $(pd_prefix)" sh -c "[ \"\$('$ISLANDCTL' -S '$(islandd_sock gw)' pd --json | jq -r '.pd[0].prefixes[0].prefix')\" = '$PREFIX' ]"

# ---- server stopped mid-lease: Rebind after T2, expiry ----
stop_kea
before=$(msgs | wc -l)
if wait_for 15 sh -c "$WIRE list '$PCAP' '$GW_MAC' | tail -n +$((before + 1)) | grep -q REBIND"; then
	ok "server gone: Rebind after T2"
else
	not_ok "Rebind after T2" "$(msgs | tail -n +$((before + 1)))"
fi
if wait_for 20 pd_count_at_least expired 1 && [ -z "$(pd_prefix)" ]; then
	ok "at expiry the lease is gone (state $(pd_state))"
else
	not_ok "lease gone at expiry" "$(pd_json | jq -c '.pd[0] | {state, prefixes}')"
fi
# ---- no server: Solicit backoff on the wire (the Solicits after the last Rebind) ----
sols_after_rebind() {
	msgs | awk '$2 == "REBIND" {n = 0; next} $2 == "SOLICIT" {t[++n] = $1} END {for (i = 1; i <= n; i++) print t[i]}'
}
four_sols() { [ "$(sols_after_rebind | wc -l)" -ge 4 ]; }
wait_for 25 four_sols # 1 + 2 + 4 s of backoff, and a loaded host reads the capture slowly
SOL=$(sols_after_rebind | head -4)
if [ "$(wc -l <<<"$SOL")" -ge 4 ] && awk 'NR > 1 {d[NR] = $1 - p} {p = $1}
	END { ok = d[2] >= 0.95 && d[2] <= 1.2 && d[3] >= 1.8 * d[2] * 0.9 && d[4] >= 1.8 * d[3] * 0.9; exit !ok }' <<<"$SOL"; then
	ok "no server: Solicit intervals grow ($(awk 'NR > 1 {printf "%.2f s ", $1 - p} {p = $1}' <<<"$SOL"))"
else
	not_ok "Solicit backoff" "times: $(tr '\n' ' ' <<<"$SOL"); last messages: $(msgs | tail -6 | tr '\n' ';'); tcpdump $(kill -0 $TCPDUMP_PID 2>/dev/null && echo alive || echo gone)"
fi

# ---- ISC dhcpd -6 as a second server ----
DHCPD_DIR=$ISL_RUN/dhcpd
mkdir -p "$DHCPD_DIR"
touch "$DHCPD_DIR/leases"
cat >"$DHCPD_DIR/dhcpd6.conf" <<CONF
default-lease-time 60;
preferred-lifetime 40;
option dhcp6.name-servers 2001:db8:1::54;
subnet6 2001:db8:1::/64 {
	prefix6 2001:db8:200:: 2001:db8:2ff:: /56;
}
CONF
nsexec isp dhcpd -6 -f -cf "$DHCPD_DIR/dhcpd6.conf" -lf "$DHCPD_DIR/leases" -pf "$DHCPD_DIR/pid" eth0 \
	>"$DHCPD_DIR/out" 2>&1 &
DHCPD_PID=$!
at_cleanup "kill $DHCPD_PID 2>/dev/null"
if wait_for 30 sh -c "'$ISLANDCTL' -S '$(islandd_sock gw)' pd --json | jq -e '.pd[0].state == \"bound\" and (.pd[0].prefixes[0].prefix | startswith(\"2001:db8:2\"))'"; then
	ok "dhcpd -6 as the second server: bound $(pd_prefix)"
else
	not_ok "bound from dhcpd -6" "$(pd_json | jq -c '.pd[0] | {state, prefixes}'); $(tail -3 "$DHCPD_DIR/out")"
fi
kill "$DHCPD_PID" 2>/dev/null; wait "$DHCPD_PID" 2>/dev/null

if out=$($WIRE check "$PCAP" "$GW_MAC" 2>&1); then
	ok "the whole capture: every client message has RFC 8415's MUSTs ($(msgs | wc -l) messages)"
else
	not_ok "the whole capture has RFC 8415's MUSTs" "$(head -5 <<<"$out")"
fi
check "islandctl stats has a pd object" "no .pd in stats" sh -c "'$ISLANDCTL' -S '$(islandd_sock gw)' stats --json | jq -e '.pd.rx > 0' >/dev/null"
check "islandctl stats --prometheus has the pd counters" "no islandd_pd_bound_total" \
	sh -c "'$ISLANDCTL' -S '$(islandd_sock gw)' stats --prometheus | grep -q '^islandd_pd_bound_total [1-9]'"
finish_islandd gw
test_status
