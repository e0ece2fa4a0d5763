#!/usr/bin/env bash
# On-demand discovery in relay mode (issue 12 item 1), on the seed-000 island
# with the cluster hosts on SLAAC through islandd's relay:
#  - islandd restarted with every neighbour cache flushed (gw, isp, laptop,
#    hosts): it knows no host, yet the laptop reaches each cluster host with
#    its first ping and the hosts reach the 'internet', nothing done on them;
#  - a host address without DAD (`nodad`, as Docker gives containers) is
#    reachable from upstream once something solicits it;
#  - a short random scan of the /64 against the relay: the real hosts stay
#    answered, probes downstream stay within probe-rate, sessions and RSS
#    do not grow;
#  - after another such restart, a unicast reachability NS and a DAD NS from
#    upstream for unknown hosts are answered, as RFC 4861 wants them.
set -u
. "$(dirname "$0")/../lib/ra.sh"
. "$(dirname "$0")/../lib/faults.sh"
need_root 17_relay_discovery
need_cmd jq radvd "$ISL_PY"
need_islandd
need_ndload
netns_init
ra_island_build

CONF="ra-relay wlan0 {
	iface eth0
}"
start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
for h in h1 h2; do
	wait_slaac "$h" eth0 "$RA_PREFIX_STR" 20 || { not_ok "$h: SLAAC address through the relay" "none"; ra_show_state gw; exit 1; }
done
H1=$(global_addr h1 eth0 "$RA_PREFIX_STR")
H2=$(global_addr h2 eth0 "$RA_PREFIX_STR")
check "before the restart: laptop reaches h1 ($H1)" "no echo reply" ping6_ok laptop "$H1" 10

# --- restart with empty caches everywhere ------------------------------------
stop_islandd gw TERM 10
for ns in gw isp laptop h1 h2; do nsip "$ns" -6 neigh flush all; done
start_islandd gw "$CONF" || { not_ok "islandd restarts" "see $(islandd_log gw)"; exit 1; }
# The relay needs the upstream's prefix (radvd advertises every 3-10 s) and
# the hosts their default route back (islandd's final RA removed it).
check "the relayed prefix is known again" "$(ra_prefixes gw)" wait_for 15 eval '[ -n "$(ra_prefixes gw)" ]'
for h in h1 h2; do
	check "$h: default route via the gateway again" "default via '$(default_via "$h" eth0)'" \
		wait_for 15 eval '[ -n "$(default_via '"$h"' eth0)" ]'
done
HOSTS_BEFORE=$(ra_hosts gw | grep -c . || true)
SESS_BEFORE=$(ctl gw sessions --json | jq '.sessions | length')
check "after the restart islandd knows no host (relay hosts $HOSTS_BEFORE, sessions $SESS_BEFORE)" \
	"it learned them from the hosts' own traffic: the pings below prove nothing" \
	test "$HOSTS_BEFORE" -eq 0 -a "$SESS_BEFORE" -eq 0

for h in H1 H2; do
	a=${!h}
	if nsexec laptop ping -6 -n -c 1 -W 3 "$a" >/dev/null 2>&1; then
		ok "laptop's first ping reaches ${h,,} ($a) after the restart"
	else
		not_ok "laptop's first ping reaches ${h,,} ($a) after the restart" "no echo reply"
		show_state gw
	fi
done
check "gw routes h1 and h2 (proto $ISLANDD_RTPROTO)" "routes: $(routes73 gw)" \
	eval 'has_route73 gw "$H1" && has_route73 gw "$H2"'
check "relay_discovered counts both ($(counter gw relay_discovered))" "counters" \
	test "$(counter gw relay_discovered)" -ge 2
check "islandctl ra lists both as learned hosts again" "$(ra_hosts gw)" \
	eval 'ra_hosts gw | grep -q "^$H1 eth0 learned" && ra_hosts gw | grep -q "^$H2 eth0 learned"'
# The ISP router resolves the hosts afresh for the 'internet's replies.
nsip isp -6 neigh flush all
check "h1 reaches the 'internet' ($INET_ADDR)" "no echo reply" ping6_ok h1 "$INET_ADDR" 5
check "h2 reaches the 'internet' ($INET_ADDR)" "no echo reply" ping6_ok h2 "$INET_ADDR" 5

# --- a host that does no DAD -------------------------------------------------
NODAD=${RA_PREFIX_STR}:d0c:1
nsip h2 addr add "$NODAD/64" dev eth0 nodad noprefixroute
sleep 1 # time is tested: a nodad address sends nothing that could prove it was seen
check "the nodad address is not learned by itself" "$(ra_hosts gw)" \
	eval '! ra_hosts gw | grep -q "^$NODAD "'
if nsexec laptop ping -6 -n -c 1 -W 3 "$NODAD" >/dev/null 2>&1; then
	ok "laptop's first ping reaches the nodad address $NODAD"
else
	not_ok "laptop's first ping reaches the nodad address $NODAD" "no echo reply"
	show_state gw
fi
check "gw routes the nodad address" "routes: $(routes73 gw)" has_route73 gw "$NODAD"
# An address nobody has is probed, not answered, and not routed.
GHOST=${RA_PREFIX_STR}:dead:1
check "an address nobody has is not answered" "echo reply?" ping6_fails laptop "$GHOST"
check "... and not routed" "routes: $(routes73 gw)" eval '! has_route73 gw "$GHOST"'

# --- a /64 scan against the relay --------------------------------------------
# 5 s of random targets in the relayed /64 at 2000 NS/s from the laptop's
# link, the two real hosts solicited at 50 NS/s each meanwhile.
PID=$(islandd_pid gw)
SECS=5
RSS0=$(proc_rss_kb "$PID")
TXNS0=$(counter gw tx_ns)
capture_start gw eth0 "$ISL_RUN/scan.pcap" 'icmp6 and ip6[40] == 135'
L=$(ndload laptop -i wlan0 --prefix "$RA_PREFIX" --random --rate 2000 --duration "$SECS" \
	--real "$H1,$H2" --real-rate 100 --linger 300)
TXNS1=$(counter gw tx_ns)
RSS1=$(proc_rss_kb "$PID")
capture_stop
# NS seen on the island, the most in one second (whole-second buckets)
WIRE=$(pcap_count "$ISL_RUN/scan.pcap")
WIRE_MAX=$(pcap_times "$ISL_RUN/scan.pcap" | awk '{ c[int($1)]++ } END { for (k in c) if (c[k] > m) m = c[k]; print m + 0 }')
note "scan: $L"
note "scan: tx_ns $TXNS0 -> $TXNS1, on the wire $WIRE (max $WIRE_MAX/s), probe_budget $(counter gw probe_budget), sessions_full $(counter gw sessions_full), RSS $RSS0 -> $RSS1 kB"
check "scan: the laptop sent the scan ($(kv sent "$L") NS)" "$L" test "$(kv sent "$L")" -ge $((SECS * 1500))
# The ASan daemon on a shared 2-core host: a late answer counts as lost for
# ndload (the next NS for the host went out 20 ms later), so allow 1 %; the
# release build's figures are the benchmark's business.
check "scan: the real hosts' solicitations answered ($(kv real_answered "$L")/$(kv real_sent "$L"))" "$L" \
	pct_at_least "$(kv real_answered_pct "$L")" 99
check "scan: p99 for the real hosts under 50 ms ($(kv real_p99_us "$L") us)" "$L" \
	below "$(kv real_p99_us "$L")" 50000
PROBES=$((TXNS1 - TXNS0))
# probe-rate 100/s: at most 100 a second plus the burst, over the scan and its linger
check "scan: probes downstream within the budget ($PROBES in ${SECS}.3 s)" "tx_ns $TXNS0 -> $TXNS1" \
	test "$PROBES" -le $(( (SECS + 1) * 100 + 10 ))
check "scan: on the island at most 100 NS in any second ($WIRE in all, at most $WIRE_MAX in one second)" \
	"$WIRE NS, $WIRE_MAX in one second" test "$WIRE_MAX" -le 100 -a "$WIRE" -gt 0
check "scan: no answer for a target that never answered ($(kv answered "$L") answered)" "$L" \
	test "$(kv answered "$L")" -eq 0
check "scan: sessions back to the live hosts within 5 s" "sessions: $(ctl gw sessions --json | jq '.sessions | length')" \
	wait_for 5 eval '[ "$(ctl gw sessions --json | jq "[.sessions[] | select(.state != \"probing\")] | length")" -le 3 ] &&
		[ "$(ctl gw sessions --json | jq ".sessions | length")" -le 3 ]'
check "scan: RSS flat ($RSS0 -> $RSS1 kB)" "grew" within_kb "$RSS0" "$RSS1" 512 5
check "after the scan the laptop still reaches h1" "no echo reply" ping6_ok laptop "$H1" 5

# --- the three kinds of solicitation, checked on the wire --------------------
# Another restart with empty caches; then the ISP router's unicast
# reachability probe for h1 and a DAD probe for h2's address from the Wi-Fi,
# each the first solicitation islandd sees for that host.
stop_islandd gw TERM 10
for ns in gw isp laptop h1 h2; do nsip "$ns" -6 neigh flush all; done
start_islandd gw "$CONF" || { not_ok "islandd restarts again" "see $(islandd_log gw)"; exit 1; }
wait_for 15 eval '[ -n "$(ra_prefixes gw)" ]' || { not_ok "the relayed prefix is known again (2)" "$(ra_prefixes gw)"; exit 1; }
check "after the second restart islandd has no session" "$(ctl gw sessions)" \
	test "$(ctl gw sessions --json | jq '.sessions | length')" -eq 0
GW_WLAN_MAC=$(mac_addr gw wlan0)
GW_ETH_MAC=$(mac_addr gw eth0)
capture_start h1 eth0 "$ISL_RUN/probe.pcap" 'icmp6 and ip6[40] == 135'
# RFC 4861 §7.2.4: hop limit 255, code 0, a valid checksum, TLLA (the
# gateway's MAC, where the traffic must go), O=0 for a proxy, R=1 (router).
COMMON=(--check hlim=255 --check code=0 --check cksum=ok --check O=0 --check R=1
	--check src="$GW_WLAN_LL" --check ether_src="$GW_WLAN_MAC" --check tlla="$GW_WLAN_MAC")
check "unicast NS from the ISP router for unknown h1: NA with S=1 to the router" "see above" \
	nd isp ns --iface br0 --target "$H1" --src 2001:db8:abc:123::1 --dst unicast --dst-mac "$GW_WLAN_MAC" \
	--expect na --timeout 3 "${COMMON[@]}" --check S=1 --check dst=2001:db8:abc:123::1
check "DAD NS from the Wi-Fi for unknown h2's address: defended, NA to ff02::1 with S=0" "see above" \
	nd laptop ns --iface wlan0 --target "$H2" --src :: --expect na --timeout 3 \
	"${COMMON[@]}" --check S=0 --check dst=ff02::1
capture_stop
PROBE=$(ns_pcap_fields "$ISL_RUN/probe.pcap" | grep "target=$H1 " | head -n 1)
check "the probe for h1 on the island: from the gateway's link-local, with its MAC as SLLA" "probe: '$PROBE'" \
	test "$PROBE" = "ether_src=$GW_ETH_MAC src=$GW_ETH_LL target=$H1 slla=$GW_ETH_MAC"
check "h1 and h2 routed after these solicitations" "routes: $(routes73 gw)" \
	eval 'has_route73 gw "$H1" && has_route73 gw "$H2"'

finish_islandd gw
test_status
