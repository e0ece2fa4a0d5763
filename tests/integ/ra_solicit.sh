#!/usr/bin/env bash
# Issue 12, "ask, do not wait": a relay solicits its upstream (RFC 4861
# §6.3.7) when it starts, when it is reloaded into relay mode and when its
# upstream link comes back, so the cluster hosts get the relayed RA within
# a second or two rather than at radvd's next periodic RA (here 200..600 s,
# and radvd's initial burst is over before each case). The gateway's kernel
# sends no RS of its own (router_solicitations 0), so what comes is
# islandd's. Each RS on the wire is checked against RFC 4861 §4.1/§6.3.7.
set -u
. "$(dirname "$0")/../lib/ra.sh"
. "$(dirname "$0")/../lib/faults.sh"
need_root ra_solicit
need_cmd jq radvd tcpdump "$ISL_PY"
need_islandd
netns_init
RA_RADVD_MIN=200 RA_RADVD_MAX=600
ra_island_build
radvd_t0=$(date +%s)
nssysctl gw net.ipv6.conf.wlan0.router_solicitations=0
GW_WLAN_MAC=$(mac_addr gw wlan0)
RELAY_CONF="ra-relay wlan0 {
	iface eth0
}"
PROXY_CONF="proxy wlan0 {
	rule 2001:db8:abc:123:40::/76 {
		iface eth0
	}
}"

# The laptop is the capture point for the RS: behind the snooping access
# point it sees ff02::2 (all-routers) only once something on it listens.
mcast_member laptop wlan0 ff02::2
wait_for 10 bridge_mdb_has isp br0 p-laptop ff02::2 || note "ff02::2 not registered for the laptop's port"

# radvd's initial RAs (3 or more, at most 16 s apart, started again when
# the bridge's ports came up) must be over, and the hosts' own solicitations
# answered, before a case can show who asked: wait for 20 s without an RA
# (seen from the laptop: a capture on radvd's br0 would restart its burst).
radvd_quiet() {
	local last now
	now=$(date +%s)
	last=$(pcap_times "$ISL_RUN/quiet.pcap" | tail -n 1 | cut -d. -f1)
	[ $(( now - ${last:-$radvd_t0} )) -ge 20 ]
}
capture_start laptop wlan0 "$ISL_RUN/quiet.pcap" icmp6 and 'ip6[40] == 134'
qpid=$CAPTURE_PID
wait_for 90 radvd_quiet || note "radvd still advertising after 90 s"
capture_stop "$qpid"
note "radvd quiet: $(pcap_count "$ISL_RUN/quiet.pcap") RAs in the wait, the last $(( $(date +%s) - $(pcap_times "$ISL_RUN/quiet.pcap" | tail -n 1 | cut -d. -f1) )) s ago"

# first_ra_ms FILE T0: ms from epoch T0 to the first RA with a router
# lifetime in FILE after T0 ("none" if there is none).
first_ra_ms() {
	"$ISL_PY" - "$1" "$2" <<-'PY'
	import logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.layers.inet6 import IPv6, ICMPv6ND_RA
	from scapy.utils import rdpcap
	t0 = float(sys.argv[2])
	for p in rdpcap(sys.argv[1]):
	    if ICMPv6ND_RA in p and float(p.time) >= t0 and p[ICMPv6ND_RA].routerlifetime > 0:
	        print(int((float(p.time) - t0) * 1000)); break
	else:
	    print("none")
	PY
}

# rs_check FILE T0: every RS after T0 from the gateway's wlan0 MAC, one line
# each: "ok SRC" or "bad WHY" (RFC 4861 §4.1: hop limit 255, code 0, a valid
# checksum, to ff02::2; §6.3.7: from our link-local with its SLLA, or from ::
# without one).
rs_check() {
	"$ISL_PY" - "$1" "$2" "$GW_WLAN_LL" "$GW_WLAN_MAC" <<-'PY'
	import logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.layers.l2 import Ether
	from scapy.layers.inet6 import IPv6, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr, in6_chksum
	from scapy.utils import rdpcap
	t0, ll, mac = float(sys.argv[2]), sys.argv[3], sys.argv[4]
	for p in rdpcap(sys.argv[1]):
	    if ICMPv6ND_RS not in p or float(p.time) < t0 or p[Ether].src != mac:
	        continue
	    ip, rs = p[IPv6], p[ICMPv6ND_RS]
	    body = bytearray(bytes(ip.payload))
	    got = int.from_bytes(body[2:4], "big")
	    body[2:4] = b"\0\0"
	    why = []
	    if ip.hlim != 255: why.append("hop limit %d" % ip.hlim)
	    if rs.code != 0: why.append("code %d" % rs.code)
	    if in6_chksum(58, ip, bytes(body)) != got: why.append("checksum")
	    if ip.dst != "ff02::2" or p[Ether].dst != "33:33:00:00:00:02": why.append("to %s" % ip.dst)
	    slla = p[ICMPv6NDOptSrcLLAddr].lladdr if ICMPv6NDOptSrcLLAddr in p else None
	    if ip.src == ll:
	        if slla != mac: why.append("SLLA %s" % slla)
	    elif ip.src == "::":
	        if slla is not None: why.append("SLLA from ::")
	    else:
	        why.append("source %s" % ip.src)
	    print(("bad " + ",".join(why)) if why else "ok " + ip.src)
	PY
}

# rs_then_ra FILE T0: "RS_MS RA_MS", ms from T0 to the gateway's first RS
# and to the first upstream RA after it ("none" when absent), so an answer
# to the RS is told from an RA radvd would have sent anyway.
rs_then_ra() {
	"$ISL_PY" - "$1" "$2" "$GW_WLAN_MAC" <<-'PY'
	import logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.layers.l2 import Ether
	from scapy.layers.inet6 import ICMPv6ND_RS, ICMPv6ND_RA
	from scapy.utils import rdpcap
	t0, mac = float(sys.argv[2]), sys.argv[3]
	rs = ra = first_ra = None
	for p in rdpcap(sys.argv[1]):
	    t = float(p.time)
	    if t < t0 or p[Ether].src == mac:
	        if t >= t0 and ICMPv6ND_RS in p and rs is None:
	            rs = t
	        continue
	    if ICMPv6ND_RA in p:
	        if first_ra is None:
	            first_ra = t
	        if rs is not None and ra is None:
	            ra = t
	ms = lambda t: "none" if t is None else str(int((t - t0) * 1000))
	print(ms(rs), ms(ra), ms(first_ra))
	PY
}

# measure WHAT ACTION...: captures on h1 (RAs) and the laptop's Wi-Fi (RS
# and multicast RAs; not on radvd's own br0: tcpdump's promiscuous mode is
# a link change there, and radvd answers that with a new RA at once),
# runs ACTION, waits up to 5 s for h1's first relayed RA; sets DELAY_MS
# (or "none") and RS_LINES.
measure() {
	local what=$1 ch cu t0; shift
	capture_start h1 eth0 "$ISL_RUN/h1.pcap" icmp6 and 'ip6[40] == 134'
	ch=$CAPTURE_PID
	capture_start laptop wlan0 "$ISL_RUN/up.pcap" icmp6 and '(ip6[40] == 133 or ip6[40] == 134)'
	cu=$CAPTURE_PID
	t0=$(date +%s.%N)
	"$@"
	wait_for 5 eval '[ "$(pcap_count "$ISL_RUN/h1.pcap")" -gt 0 ]'
	# the RS that brought it is in the upstream capture too
	wait_for 2 eval '[ "$(pcap_count "$ISL_RUN/up.pcap" "ip6[40] == 133")" -gt 0 ]'
	capture_stop "$ch"
	capture_stop "$cu"
	DELAY_MS=$(first_ra_ms "$ISL_RUN/h1.pcap" "$t0")
	RS_LINES=$(rs_check "$ISL_RUN/up.pcap" "$t0")
	tcpdump -r "$ISL_RUN/up.pcap" -n -e -tt 2>/dev/null | awk -v t="$t0" '$1 >= t' | cut -c1-160 | sed "s|^|# $what upstream: |"
	read -r RS_MS RA_MS FIRST_RA_MS <<<"$(rs_then_ra "$ISL_RUN/up.pcap" "$t0")"
	note "$what: first relayed RA on h1 after ${DELAY_MS} ms; upstream: RS at ${RS_MS} ms, radvd's RA at ${RA_MS} ms (first after t0 at ${FIRST_RA_MS} ms); RS: $(tr '\n' ' ' <<<"$RS_LINES")"
	# radvd 2.19 answers an RS by unicast (not seen from the laptop): what
	# shows is that no multicast RA came before the RS, and h1's RA after it.
	check "$what: the relayed RA followed islandd's RS, no unsolicited RA before (RS ${RS_MS} ms, multicast RA ${FIRST_RA_MS} ms, h1 ${DELAY_MS} ms)" \
		"an unsolicited RA: the case shows nothing" \
		eval '[ "$RS_MS" != none ] && [ "$DELAY_MS" != none ] && [ "$DELAY_MS" -ge "$RS_MS" ] &&
		      { [ "$FIRST_RA_MS" = none ] || [ "$FIRST_RA_MS" -ge "$RS_MS" ]; }'
	if [ "$DELAY_MS" != none ] && [ "$DELAY_MS" -le 2000 ]; then
		ok "$what: h1 has the relayed RA within 2 s (${DELAY_MS} ms)"
	else
		not_ok "$what: h1 has the relayed RA within 2 s (${DELAY_MS} ms)" "radvd's next RA is minutes away"
		tcpdump -r "$ISL_RUN/h1.pcap" -n -tt -v 2>/dev/null | sed "s/^/# h1: /"
		echo "# t0 $t0"
		ra_show_state gw
	fi
	check "$what: islandd sent an RS upstream" "none on the wire" test -n "$RS_LINES"
	check "$what: every RS is valid (RFC 4861 §4.1, §6.3.7)" "$RS_LINES" eval '! grep -q "^bad" <<<"$RS_LINES"'
}

start_relay() {
	start_islandd gw "$RELAY_CONF" || not_ok "islandd starts" "see $(islandd_log gw)"
}
measure "start" start_relay
check "tx_rs counted ($(ra_counter gw tx_rs))" "0" test "$(ra_counter gw tx_rs)" -ge 1
check "the solicitations stopped once answered (tx_rs $(ra_counter gw tx_rs) after 5 s)" "kept asking" \
	eval 'sleep 5; [ "$(ra_counter gw tx_rs)" -eq 1 ]' # time is tested: a second RS would be due within 4 s
stop_islandd gw TERM 10 >/dev/null

# From a proxy-only configuration into relay mode by SIGHUP/islandctl reload.
start_islandd gw "$PROXY_CONF" || not_ok "islandd starts (proxy only)" "see $(islandd_log gw)"
sleep 4 # radvd answers an RS at most every 3 s (MIN_DELAY_BETWEEN_RAS)
reload_relay() {
	write_islandd_conf gw "$RELAY_CONF"
	ctl gw reload >/dev/null
}
measure "reload into relay mode" reload_relay
sleep 4 # time is tested: radvd answers the next RS only 3 s after this RA (MIN_DELAY_BETWEEN_RAS)

# The upstream link goes down and comes back.
# h1 gets the router-lifetime-0 RA at the down: count from the up.
# down until islandd has handled it (its lifetime-0 RA took h1's default
# route), and 1 s at least: time is tested, the relay's next RA downstream
# may go 3 s after that lifetime-0 RA, and the 2 s bound counts from the up
flap_down() {
	local t=$(now_ms) rest
	nsip gw link set wlan0 down
	wait_for 3 eval '[ -z "$(default_via h1 eth0)" ]' || note "h1 kept its default route after the down"
	rest=$(( 1000 - ($(now_ms) - t) ))
	[ "$rest" -le 0 ] || sleep "$(awk -v r="$rest" 'BEGIN { print r / 1000 }')"
}
flap_up() { nsip gw link set wlan0 up; }
flap_down
measure "upstream link down/up" flap_up
check "h1 has its default route via the gateway again" "default via '$(default_via h1 eth0)'" \
	wait_for 3 eval '[ "$(default_via h1 eth0)" = "$GW_ETH_LL" ]'
finish_islandd gw
test_status
