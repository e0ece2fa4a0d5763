#!/usr/bin/env bash
# Issue 11, defect 7 (RFC 4861 §7.2.8): behind an MLD-snooping access point
# (the default bridge_add: snooping with a querier, as real gear ships), a
# solicitation reaches only the ports that joined its solicited-node group.
# The proxy must be a member of its targets' groups on the upstream link,
# for hosts it knows and for hosts it has not solicited yet (mirrored from
# the MLD reports heard downstream), and leave them when the targets go.
#
# Wire before (d66ff9a, no memberships): the laptop's pings to pi41 and to
# pi43 go unanswered, the ISP bridge lists no port for their group.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root mld_snooping
need_cmd jq tcpdump bridge "$ISL_PY"
need_islandd
netns_init
island000_build

PI43_ADDR=2001:db8:abc:123:43::5
G1=ff02::1:ff00:1   # pi41 and pi42 (...::1): one group, two targets
G5=ff02::1:ff00:5   # pi43
gw_member() { nsip gw -6 maddr show dev wlan0 | grep -qw "$1"; }

# 0. The access point snoops: the laptop's own group is registered on its
#    port, and a solicitation for a group nobody joined reaches no other port.
LAPTOP_G="ff02::1:ff${LAPTOP_ADDR: -7:2}:${LAPTOP_ADDR: -4}"
LAPTOP_G=$(printf '%s' "$LAPTOP_G" | sed 's/:0*\([0-9a-f]\)/:\1/g')
check "the ISP bridge snoops: the laptop's port is listed for its own groups" \
	"$(nsexec isp bridge mdb show dev br0)" \
	wait_for 15 sh -c "ip netns exec $(nsn isp) bridge mdb show dev br0 | grep -q 'port p-laptop'"

CONF="proxy wlan0 {
	autowire yes
	ttl 3000
	rule 2001:db8:abc:123:40::/76 {
		iface eth0
	}
}"
start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }

# Downstream on the wire: RFC 4286 advertisements (so the cluster switch
# forwards reports to the gateway) and an RFC 3810 general query.
pcap=$ISL_KEEP/gw-eth0-mld.pcap
nsexec gw tcpdump -Z root -U -n -i eth0 -w "$pcap" 'icmp6 or ip6 proto 0' 2>"$ISL_RUN/td-eth0.err" &
td=$!
wait_for 5 grep -q 'listening on' "$ISL_RUN/td-eth0.err"

# 1. A host the gateway knows (a kernel neighbour, reachable): its group is
#    joined on wlan0 and the access point forwards it to the gateway's port.
nsip gw -6 route add "$PI41_ADDR/128" dev eth0 metric 4000
nsexec gw ping -6 -n -c 1 -W 2 "$PI41_ADDR" >/dev/null
nsip gw -6 route del "$PI41_ADDR/128" dev eth0 metric 4000
check "gw joins $G1 (pi41, pi42) on wlan0" "$(nsip gw -6 maddr show dev wlan0)" wait_for 10 gw_member "$G1"
check "the ISP bridge forwards $G1 to the gateway's port (bridge mdb)" "$(nsexec isp bridge mdb show dev br0)" \
	wait_for 10 bridge_mdb_has isp br0 p-gw "$G1"
check "laptop reaches pi41 through the snooping access point" "no echo reply" ping6_ok laptop "$PI41_ADDR" 10
check "laptop reaches pi42 (same group)" "no echo reply" ping6_ok laptop "$PI42_ADDR" 10

# 2. A host nobody has solicited yet: it only reported its group downstream.
ns_add pi43
veth pi43 eth0 sw p-pi43
bridge_port sw br0 p-pi43
nsip pi43 addr add "$PI43_ADDR/80" dev eth0 noprefixroute
if_up pi43 eth0
nsip pi43 -6 route add default via "$GW_ETH_LL" dev eth0
check "gw mirrors pi43's reported group $G5 on wlan0 (never solicited)" \
	"$(nsip gw -6 maddr show dev wlan0); sessions: $(ctl gw sessions)" wait_for 15 gw_member "$G5"
check "pi43 had no session before the laptop asked" "state $(session_state gw "$PI43_ADDR")" \
	test "$(session_state gw "$PI43_ADDR")" = none
check "the ISP bridge forwards $G5 to the gateway's port" "$(nsexec isp bridge mdb show dev br0)" \
	wait_for 10 bridge_mdb_has isp br0 p-gw "$G5"
check "laptop reaches pi43, never solicited before" "no echo reply" ping6_ok laptop "$PI43_ADDR" 10

# 3. Unregistered multicast is not flooded: a solicitation for a group
#    nobody joined does not reach the gateway's port; one for pi41 does.
#    Linux's bridge floods unregistered multicast while it counts no
#    querier present (seen at this point in some runs, cause not found), so
#    the state is waited for: up to 10 NS, 1 s apart, until one is not
#    forwarded. A bridge without snooping forwards all of them.
wpcap=$ISL_KEEP/gw-wlan0-ns.pcap
nsexec gw tcpdump -Z root -U -n -i wlan0 -w "$wpcap" 'icmp6 and ip6[40] == 135' 2>"$ISL_RUN/td-wlan0.err" &
tdw=$!
wait_for 5 grep -q 'listening on' "$ISL_RUN/td-wlan0.err"
unjoined_seen() { tcpdump -r "$wpcap" -n 2>/dev/null | grep -c "who has 2001:db8:abc:123:50::$1\b"; }
sent=0 flooded=0 filtered=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	sent=$i
	nd laptop ns --iface wlan0 --target "2001:db8:abc:123:50::7$i" --expect none --timeout 0.8 >/dev/null 2>&1
	if [ "$(unjoined_seen "7$i")" = 0 ]; then filtered=1; break; fi
	flooded=$((flooded + 1))
done
nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 2 >/dev/null 2>&1
wait_for 3 sh -c "tcpdump -r '$wpcap' -n 2>/dev/null | grep -q 'who has $PI41_ADDR'"
kill "$tdw"; wait "$tdw" 2>/dev/null
seen=$(tcpdump -r "$wpcap" -n 2>/dev/null)
note "NS to unjoined groups: $flooded of $sent reached the gateway's port before one did not"
check "NS to an unjoined group (…:50::7x) does not reach the gateway's port ($flooded of $sent flooded first)" \
	"$seen; mdb: $(nsexec isp bridge -d mdb show dev br0 | tr '\n' ';')" test "$filtered" = 1
check "NS to pi41's group does" "$seen" grep -q "who has $PI41_ADDR" <<<"$seen"

# 4. Groups go when their targets go: pi43 leaves (its MLD leave, the
#    querier's question unanswered) -> $G5 left; pi41 leaves but pi42 stays
#    -> $G1 stays; pi42 leaves too -> $G1 left.
groups_before=$(counter gw groups)
nsip pi43 addr del "$PI43_ADDR/80" dev eth0
t0=$(now_ms)
if wait_for 30 _isl_not gw_member "$G5"; then
	ok "gw leaves $G5 after pi43 left ($(( $(now_ms) - t0 )) ms)"
else
	not_ok "gw leaves $G5 after pi43 left" "$(nsip gw -6 maddr show dev wlan0)"; show_state gw
fi
check "the ISP bridge no longer forwards $G5 to the gateway" "$(nsexec isp bridge mdb show dev br0)" \
	wait_for 15 _isl_not bridge_mdb_has isp br0 p-gw "$G5"
reports=$(counter gw mld_reports)
nsip pi41 addr del "$PI41_ADDR/80" dev eth0
wait_for 5 counter_at_least gw mld_reports $((reports + 1)) # pi41's Done reached islandd
sleep 3 # time is tested: $G1 outlives the last-listener query time (2 s, RFC 3810 §9.5)
check "$G1 stays while pi42 still uses it" "$(nsip gw -6 maddr show dev wlan0)" gw_member "$G1"
check "laptop still reaches pi42" "no echo reply" ping6_ok laptop "$PI42_ADDR" 10
nsip pi42 addr del "$PI42_ADDR/80" dev eth0
t0=$(now_ms)
if wait_for 45 _isl_not gw_member "$G1"; then
	ok "gw leaves $G1 once pi41 and pi42 are gone ($(( $(now_ms) - t0 )) ms)"
else
	not_ok "gw leaves $G1 once pi41 and pi42 are gone" "$(nsip gw -6 maddr show dev wlan0)"; show_state gw
fi
# The other groups heard downstream (the pis' link-local and ULA addresses:
# a report names 24 bits, not the address) stay until their listeners go.
check "islandd's group table shrank by those two ($groups_before before)" "groups $(counter gw groups)" \
	wait_for 5 test "$(counter gw groups)" = $((groups_before - 2))

kill "$td"; wait "$td" 2>/dev/null
# Queries only while the gateway is querier: the cluster switch's own
# querier wins when its address is lower (RFC 3810 §7.6.2), then none.
check "downstream MLD queries (if any) and MRD advertisements are well-formed (RFC 3810, RFC 4286)" "see above" \
	"$ISL_PY" "$ISL_LIB/mld_pcap.py" "$pcap" --src "$GW_ETH_LL" --min-queries 0 --min-adverts 3
note "counters: joined $(counter gw groups_joined) left $(counter gw groups_left) reports $(counter gw mld_reports) queries $(counter gw mld_queries_sent) adverts $(counter gw mrd_adverts_sent) errors $(counter gw group_errors)"

finish_islandd gw
test_status
