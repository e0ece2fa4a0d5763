#!/usr/bin/env bash
# The mDNS reflector on the seed-000 island, NDP proxy running too, with
# real avahi-daemon responders and queriers (nss-mdns, avahi-browse) in
# the namespaces (see tests/lib/mdns.sh for how):
#   - names resolve across, both ways, over IPv6 and over IPv4 transport,
#     to the hosts' global addresses; services browse across;
#   - no link-local record crosses (a link-local-only host stays local);
#   - legacy unicast queries are answered by unicast with the asker's ID;
#   - what the gateway sends has no cache-flush bit and RFC 6762 §18 headers;
#   - the gateway's own avahi keeps its per-link records;
#   - many probe/announce cycles: no host renames itself; a real name
#     clash across the island is still detected (probes cross);
#   - a second islandd reflector on the same two links: no loop.
set -u
. "$(dirname "$0")/../lib/mdns.sh"
need_root mdns
need_cmd avahi-daemon avahi-browse dbus-daemon getent tcpdump jq unshare "$ISL_PY"
need_islandd
netns_init

island000_build
island000_ipv4
# pi43: a cluster host with link-local addresses only, so its avahi
# publishes fe80::/10 and 169.254/16 records.
ns_add pi43
veth pi43 eth0 sw p-pi43
bridge_port sw br0 p-pi43
nsip pi43 addr add 169.254.43.43/16 dev eth0
if_up pi43 eth0

MDNS_BLOCK='mdns {
	iface wlan0
	iface eth0
	reflect-ula no
}'
GW_CONF="$(island000_conf)
$MDNS_BLOCK"
if ! start_islandd gw "$GW_CONF"; then
	not_ok "islandd starts with the seed config plus an mdns block" "see $(islandd_log gw)"
	exit 1
fi
ok "islandd starts with the seed config plus an mdns block"

mdns_json() { ctl "$1" mdns --json 2>/dev/null; }
joined_both() {
	[ "$(mdns_json "$1" | jq '[.mdns.interfaces[] | select(.joined4 and .joined6 and .up)] | length')" = 2 ]
}
text_lists_links() {
	local t
	t=$(ctl "$1" mdns) && grep -q wlan0 <<<"$t" && grep -q eth0 <<<"$t"
}
check "islandctl mdns: wlan0 and eth0 up and joined (IPv4 + IPv6)" "$(mdns_json gw | jq -c .mdns.interfaces)" \
	wait_for 5 joined_both gw
check "islandctl mdns (text) lists both links" "$(ctl gw mdns 2>&1 | head -5)" text_lists_links gw

mdns_host pi41 pi-41 eth0
mdns_service pi41 _ssh._tcp 22
mdns_host pi43 pi-43 eth0
mdns_host laptop laptop wlan0
mdns_service laptop _sftp-ssh._tcp 22

mdns_capture laptop wlan0 "$ISL_RUN/laptop.pcap"
CAP_LAPTOP=$ISL_CAPTURE_PID
mdns_capture pi42 eth0 "$ISL_RUN/cluster.pcap"
CAP_CLUSTER=$ISL_CAPTURE_PID
for h in pi41 pi43 laptop; do
	avahi_start "$h" || { not_ok "avahi-daemon starts in $h" "see $(avahi_log "$h")"; exit 1; }
done
ok "avahi-daemon runs in pi41, pi43 and laptop, each with its own bus and socket"

# resolves_to NS NAME FAMILY WANT: getent returns exactly WANT (retried:
# the first query may race the announcement).
resolves_to() { [ "$(mdns_resolve "$1" "$2" "$3" | tr '\n' ' ')" = "$4 " ]; }

check_resolve() {
	local ns=$1 name=$2 fam=$3 want=$4 what=${5:-}
	if wait_for 6 resolves_to "$ns" "$name" "$fam" "$want"; then
		ok "$ns resolves $name (IPv$fam) to $want$what"
	else
		not_ok "$ns resolves $name (IPv$fam) to $want$what" "got '$(mdns_resolve "$ns" "$name" "$fam" | tr '\n' ' ')'"
	fi
}

check_resolve laptop pi-41.local 6 "$PI41_ADDR" " (global, not fe80 nor the ULA)"
check_resolve laptop pi-41.local 4 10.0.40.41
check_resolve pi41 laptop.local 6 "$LAPTOP_ADDR"
check_resolve pi41 laptop.local 4 192.168.1.50

browse_has() { mdns_browse "$1" "$2" | grep -qF "$3"; }
check "avahi-browse on the laptop resolves pi-41's _ssh._tcp to $PI41_ADDR port 22" \
	"$(mdns_browse laptop _ssh._tcp | head -3)" \
	wait_for 10 browse_has laptop _ssh._tcp ";pi-41;SSH Remote Terminal;local;pi-41.local;$PI41_ADDR;22;"
check "avahi-browse on the laptop also sees it over IPv4 (10.0.40.41)" \
	"$(mdns_browse laptop _ssh._tcp | head -3)" \
	wait_for 10 browse_has laptop _ssh._tcp ";pi-41.local;10.0.40.41;22;"
check "avahi-browse on pi41 resolves the laptop's _sftp-ssh._tcp to $LAPTOP_ADDR" \
	"$(mdns_browse pi41 _sftp-ssh._tcp | head -3)" \
	wait_for 10 browse_has pi41 _sftp-ssh._tcp ";laptop.local;$LAPTOP_ADDR;22;"

# pi43 publishes only link-local addresses: reachable on its own link,
# nothing of it may reach the laptop.
resolves_any() { [ -n "$(mdns_resolve "$1" "$2")" ]; }
check "control: pi41 (same link) resolves pi-43.local to a link-local address" \
	"got '$(mdns_resolve pi41 pi-43.local | tr '\n' ' ')'" \
	wait_for 6 resolves_any pi41 pi-43.local
check "the laptop cannot resolve pi-43.local (its records are link-local only)" \
	"got '$(mdns_resolve laptop pi-43.local | tr '\n' ' ')'" \
	test -z "$(mdns_resolve laptop pi-43.local)"

# Legacy unicast (RFC 6762 §6.7): a one-shot query from a random port.
legacy_ok() {
	local out
	out=$(nsexec laptop "$ISL_PY" "$ISL_LIB/mdns_query.py" "$@") || return 1
	LEGACY_OUT=$out
}
LEGACY_OUT=
if legacy_ok pi-41.local A --iface wlan0 && grep -q "^from 192.168.1.31 id 18967 ttl 10 class 1 addr 10.0.40.41$" <<<"$LEGACY_OUT"; then
	ok "legacy IPv4 query: unicast answer from the gateway, asker's ID, TTL 10, no cache-flush"
else
	not_ok "legacy IPv4 query: unicast answer from the gateway, asker's ID, TTL 10, no cache-flush" "got: $LEGACY_OUT"
fi
LEGACY_OUT=
if legacy_ok pi-41.local AAAA --v6 --iface wlan0 && grep -q "id 18967 ttl 10 class 1 addr $PI41_ADDR$" <<<"$LEGACY_OUT"; then
	ok "legacy IPv6 query answered with $PI41_ADDR"
else
	not_ok "legacy IPv6 query answered with $PI41_ADDR" "got: $LEGACY_OUT"
fi
# the sockets' own counters are visible too, as JSON and in the text table
sockets_counted() {
	mdns_json gw | jq -e '.mdns.sockets | .packets > 0 and .batches > 0 and has("recv_errors") and has("no_pktinfo")' >/dev/null &&
		ctl gw mdns | grep -Eq "^sockets: [1-9][0-9]* packets in [1-9][0-9]* batches, receive errors 0"
}
check "islandctl mdns shows the sockets' counters (packets, batches, receive errors)" "$(mdns_json gw | jq -c .mdns.sockets); $(ctl gw mdns 2>&1 | grep sockets)" \
	sockets_counted
check "islandctl mdns counts the legacy queries and answers" "$(mdns_json gw | jq -c '.mdns.counters | {legacy_queries, legacy_answers}')" \
	test "$(mdns_json gw | jq '.mdns.counters.legacy_answers >= 2 and .mdns.counters.legacy_queries >= 2')" = true

# What crossed: nothing link-local, no QU question, in either direction.
gw_sources() {
	printf -- '--from %s ' 192.168.1.31 10.0.40.1 "$GW_WLAN_LL" "$GW_ETH_LL" "$GW_WLAN_ADDR" "$GW_ULA"
}
ISL_CAPTURE_PID=$CAP_LAPTOP mdns_capture_stop
ISL_CAPTURE_PID=$CAP_CLUSTER mdns_capture_stop
# shellcheck disable=SC2046
LAPTOP_SEEN=$(mdns_pcap "$ISL_RUN/laptop.pcap" $(gw_sources) --name pi-41.local --name pi-43.local)
# shellcheck disable=SC2046
CLUSTER_SEEN=$(mdns_pcap "$ISL_RUN/cluster.pcap" $(gw_sources) --name laptop.local)
CLUSTER_ALL=$(mdns_pcap "$ISL_RUN/cluster.pcap" --name pi-43.local)
fig() { awk -v k="$2" '$1 == k {print $2}' <<<"$1"; }
note "laptop's link, from the gateway: $(tr '\n' ' ' <<<"$LAPTOP_SEEN")"
note "cluster link, from the gateway: $(tr '\n' ' ' <<<"$CLUSTER_SEEN")"
check "control: pi43 does put link-local records on the cluster link" "$(tr '\n' ' ' <<<"$CLUSTER_ALL")" \
	test "$(fig "$CLUSTER_ALL" linklocal)" -gt 0
check "the gateway reflected pi-41.local onto the laptop's link" "$(tr '\n' ' ' <<<"$LAPTOP_SEEN")" \
	test "$(fig "$LAPTOP_SEEN" name:pi-41.local)" -gt 0
check "no link-local A/AAAA record from the gateway on the laptop's link" "$(tr '\n' ' ' <<<"$LAPTOP_SEEN")" \
	test "$(fig "$LAPTOP_SEEN" linklocal)" = 0
check "no link-local A/AAAA record from the gateway on the cluster link" "$(tr '\n' ' ' <<<"$CLUSTER_SEEN")" \
	test "$(fig "$CLUSTER_SEEN" linklocal)" = 0
check "no QU question from the gateway on either link" "laptop: $(fig "$LAPTOP_SEEN" qu), cluster: $(fig "$CLUSTER_SEEN" qu)" \
	test "$(fig "$LAPTOP_SEEN" qu)$(fig "$CLUSTER_SEEN" qu)" = 00
check "nothing the gateway sent was malformed" "" \
	test "$(fig "$LAPTOP_SEEN" malformed)$(fig "$CLUSTER_SEEN" malformed)" = 00
check "no record from the gateway carries the cache-flush bit (RFC 6762 §10.2)" \
	"laptop's link $(fig "$LAPTOP_SEEN" flush) of $(fig "$LAPTOP_SEEN" records), cluster $(fig "$CLUSTER_SEEN" flush) of $(fig "$CLUSTER_SEEN" records)" \
	test "$(fig "$LAPTOP_SEEN" flush)$(fig "$CLUSTER_SEEN" flush)" = 00 -a "$(fig "$LAPTOP_SEEN" records)" -gt 0
check "every multicast message from the gateway has an RFC 6762 §18 header" \
	"bad: laptop's link $(fig "$LAPTOP_SEEN" bad_header), cluster $(fig "$CLUSTER_SEEN" bad_header)" \
	test "$(fig "$LAPTOP_SEEN" bad_header)$(fig "$CLUSTER_SEEN" bad_header)" = 00
check "islandctl mdns counts filtered (link-local) records" "$(mdns_json gw | jq -c .mdns.counters.records_filtered)" \
	test "$(mdns_json gw | jq .mdns.counters.records_filtered)" -gt 0

# Transport by transport: avahi on IPv6 only, then on IPv4 only.
restart_hosts() {
	local h
	for h in "$@"; do
		avahi_stop "$h"
		avahi_start "$h" || return 1
	done
}
for h in pi41 laptop; do mdns_conf_set "$h" use-ipv4 no; done
restart_hosts pi41 laptop
check_resolve laptop pi-41.local 6 "$PI41_ADDR" " with avahi on IPv6 transport only"
check_resolve pi41 laptop.local 6 "$LAPTOP_ADDR" " with avahi on IPv6 transport only"
for h in pi41 laptop; do mdns_conf_set "$h" use-ipv4 yes; mdns_conf_set "$h" use-ipv6 no; done
restart_hosts pi41 laptop
check_resolve laptop pi-41.local 4 10.0.40.41 " with avahi on IPv4 transport only"
check_resolve laptop pi-41.local 6 "$PI41_ADDR" " (AAAA carried over IPv4)"
check_resolve pi41 laptop.local 4 192.168.1.50 " with avahi on IPv4 transport only"
for h in pi41 laptop; do mdns_conf_set "$h" use-ipv6 yes; done

# The gateway's own avahi answers for it on each link with that link's
# addresses; the reflector must not carry one link's onto the other.
mdns_host gw gw-31 wlan0,eth0
avahi_start gw || not_ok "avahi-daemon starts in gw" "see $(avahi_log gw)"
# it is learned once its packets reached islandd on both links (within
# MDNS_LOCAL_STACK_LEARN_MS nothing of its own is carried anywhere)
check "islandd learned the local mDNS stack on both links" "$(mdns_json gw | jq -c '[.mdns.interfaces[].local_stack]')" \
	wait_for 10 eval 'test "$(mdns_json gw | jq -c "[.mdns.interfaces[].local_stack]")" = "[true,true]"'
avahi_stop gw
avahi_start gw
check_resolve laptop gw-31.local 4 192.168.1.31 " (the gateway's own avahi, wlan0 side only)"
check_resolve pi41 gw-31.local 4 10.0.40.1 " (the gateway's own avahi, eth0 side only)"
check "islandctl mdns shows the local mDNS stack on both links" "$(mdns_json gw | jq -c '[.mdns.interfaces[].local_stack]')" \
	test "$(mdns_json gw | jq -c '[.mdns.interfaces[].local_stack]')" = '[true,true]'
avahi_stop gw

# Many probe/announce cycles (each start probes three times, announces,
# and says goodbye when stopped): nobody may rename itself.
CYCLES=${MDNS_CYCLES:-8}
t0=$(now_ms)
for i in $(seq "$CYCLES"); do
	restart_hosts pi41 laptop pi43 || break
	if [ $((i % 4)) = 0 ]; then
		mdns_resolve laptop pi-41.local >/dev/null
		mdns_browse laptop _ssh._tcp >/dev/null
	fi
done
note "$CYCLES restart cycles of three hosts in $(( $(now_ms) - t0 )) ms"
for h in pi41 laptop pi43 gw; do
	check "$h: avahi never saw a conflict (no rename) over the cycles" "$(grep -m3 -iE 'conflict|-2\.local' "$(avahi_log "$h")")" \
		_isl_not avahi_renamed "$h"
done
check_resolve laptop pi-41.local 6 "$PI41_ADDR" " after the cycles"

# Service filters, changed by a reload (SIGHUP): nothing about _ssh._tcp
# may reach the laptop's link any more; host names still cross, counters
# and memberships survive the reload.
reloaded() { ctl gw status 2>/dev/null | grep -q "($1 reload"; } # "(1 reload, ..." or "(2 reloads, ..."
rx_before=$(mdns_json gw | jq .mdns.counters.rx)
write_islandd_conf gw "$(island000_conf)
mdns {
	iface wlan0 { deny-out _ssh._tcp }
	iface eth0
	reflect-ula no
}"
kill -HUP "$(islandd_pid gw)"
check "islandd reloads the mdns block on SIGHUP" "$(ctl gw status 2>&1 | head -1)" wait_for 5 reloaded 1
check "after the reload both links are still joined and the counters kept (rx was $rx_before)" \
	"$(mdns_json gw | jq -c '.mdns.counters.rx')" \
	bash -c "[ \"\$1\" -ge \"\$2\" ]" _ "$(mdns_json gw | jq .mdns.counters.rx)" "$rx_before"
check "islandctl mdns after the reload: both links joined" "" joined_both gw
restart_hosts laptop pi41   # empty caches
browse_lacks() { ! mdns_browse "$1" "$2" | grep -qF "$3"; }
check "deny-out _ssh._tcp on wlan0: the laptop no longer sees pi-41's ssh service" \
	"$(mdns_browse laptop _ssh._tcp | head -2)" browse_lacks laptop _ssh._tcp ";pi-41;"
check_resolve laptop pi-41.local 6 "$PI41_ADDR" " (host names are no service: they still cross)"
check "pi41 still sees the laptop's _sftp-ssh._tcp (the filter is one way)" "" \
	wait_for 10 browse_has pi41 _sftp-ssh._tcp ";laptop.local;$LAPTOP_ADDR;22;"
write_islandd_conf gw "$GW_CONF"
kill -HUP "$(islandd_pid gw)"
check "and reloads back" "" wait_for 5 reloaded 2
restart_hosts laptop
check "without the filter the laptop sees pi-41's ssh service again" "" \
	wait_for 10 browse_has laptop _ssh._tcp ";pi-41;SSH Remote Terminal;local;pi-41.local;$PI41_ADDR;22;"

# --- a second reflector on the same two links ---
island000_gw2
if start_islandd gw2 "$MDNS_BLOCK"; then
	ok "a second islandd reflector (gw2) starts on the same two links"
else
	not_ok "a second islandd reflector (gw2) starts on the same two links" "see $(islandd_log gw2)"
fi
check "gw2: wlan0 and eth0 joined" "$(mdns_json gw2 | jq -c .mdns.interfaces)" wait_for 5 joined_both gw2
for i in 1 2; do restart_hosts pi41 laptop; done
check_resolve laptop pi-41.local 6 "$PI41_ADDR" " with two reflectors"
check_resolve pi41 laptop.local 4 192.168.1.50 " with two reflectors"
check "avahi-browse still resolves across with two reflectors" "" \
	wait_for 10 browse_has laptop _ssh._tcp ";pi-41.local;$PI41_ADDR;22;"
sleep 5   # time is tested: the last announcements go out 1-2 s after a start, then the quiet window
# mdns_num NS JQ: one number from islandctl mdns --json (a few tries: a
# reply can be missed while the daemon is busy), empty if none came.
mdns_num() {
	local v i
	for i in 1 2 3 4 5; do
		v=$(mdns_json "$1" | jq -r "$2" 2>/dev/null)
		case $v in '' | null) sleep 0.2 ;; *) echo "$v"; return 0 ;; esac # a moment before asking again
	done
	return 1
}
tx_sum() {
	local a b
	a=$(mdns_num gw .mdns.counters.tx) && b=$(mdns_num gw2 .mdns.counters.tx) && echo $((a + b))
}
tx1=$(tx_sum)
sleep 3 # time is tested: an idle window with no ping-pong
tx2=$(tx_sum)
check "two reflectors idle: no ping-pong (tx $tx1 -> $tx2 over 3 s)" "still sending, or no counters" \
	test -n "$tx1" -a -n "$tx2" -a $(( ${tx2:-0} - ${tx1:-0} )) -le 4
for g in gw gw2; do
	c=$(mdns_json "$g" | jq -c '.mdns.counters | {rx, tx, echo: .drops.echo, echo_records}')
	check "$g heard the other reflector's copies and dropped them as echoes: $c" "no echo counted" \
		test "$(mdns_json "$g" | jq '.mdns.counters.drops.echo')" -gt 0
	check "$g sent fewer packets than it received (bounded): $c" "" \
		test "$(mdns_json "$g" | jq '.mdns.counters.tx <= .mdns.counters.rx')" = true
done
for h in pi41 laptop; do
	check "$h: no rename with two reflectors" "$(grep -m3 -iE 'conflict|-2\.local' "$(avahi_log "$h")")" \
		_isl_not avahi_renamed "$h"
done

# A genuine clash across the island must still be found: probes cross.
# A second host calling itself pi-41 on the laptop's link has to rename
# (avahi picks pi-42 for it).
ns_add imp
veth imp wlan0 isp p-imp
bridge_port isp br0 p-imp
nsip imp addr add 192.168.1.66/24 dev wlan0
if_up imp wlan0
mdns_host imp pi-41 wlan0
avahi_start imp
check "a second 'pi-41' on the laptop's link detects the clash with pi41 behind the gateway" \
	"$(tail -n 5 "$(avahi_log imp)")" wait_for 10 grep -q 'Host name conflict, retrying with ' "$(avahi_log imp)"
check "and the original pi41 keeps its name" "$(grep -m3 -iE 'conflict' "$(avahi_log pi41)")" \
	_isl_not avahi_renamed pi41
avahi_stop imp

for h in pi41 pi43 laptop; do avahi_stop "$h"; done
finish_islandd gw2
finish_islandd gw
test_status
