#!/usr/bin/env bash
# RA relay mode on the seed-000 island, radvd as the ISP router, Linux hosts
# on the cluster LAN with SLAAC: the hosts get addresses in the upstream /64
# (and the cluster's ULA, advertised by an `ra` block on the same link),
# a default route via the gateway's link-local address and radvd's DNS
# options; the laptop reaches them and they reach the 'internet'; the hosts
# are learned (route + proxy answer) without a `proxy` block; a DAD
# conflict across the links is detected; SIGTERM withdraws the gateway.
set -u
. "$(dirname "$0")/../lib/ra.sh"
need_root ra_relay
need_cmd jq rdisc6 radvd "$ISL_PY"
need_islandd
netns_init
ra_island_build

# The seed-000 gateway: the upstream /64 relayed, and the cluster's ULA
# (dnsmasq's job in the seed) advertised on the same link.
CONF="ra-relay wlan0 {
	iface eth0
}
ra eth0 {
	prefix fd2f::/64
}"
start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }

for h in h1 h2; do
	if wait_slaac "$h" eth0 "$RA_PREFIX_STR" 20; then
		ok "$h: SLAAC address in the upstream /64 ($(global_addr "$h" eth0 "$RA_PREFIX_STR"))"
	else
		not_ok "$h: SLAAC address in the upstream /64" "addresses: $(nsip "$h" -6 -o addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"
		ra_show_state gw
	fi
done
H1=$(global_addr h1 eth0 "$RA_PREFIX_STR")
H2=$(global_addr h2 eth0 "$RA_PREFIX_STR")
check "h1: default route via the gateway's link-local $GW_ETH_LL" "default via '$(default_via h1 eth0)'" \
	test "$(default_via h1 eth0)" = "$GW_ETH_LL"
check "h1: no on-link route for the /64 (L flag cleared)" "$(nsip h1 -6 route show "$RA_PREFIX")" \
	test -z "$(nsip h1 -6 route show "$RA_PREFIX" dev eth0)"

check "h1: also an address in the local ULA fd2f::/64" "none" wait_for 5 eval '[ -n "$(global_addr h1 eth0 fd2f:)" ]'
check "h1: the ULA is on-link" "$(nsip h1 -6 route show fd2f::/64)" eval '[ -n "$(nsip h1 -6 route show fd2f::/64 dev eth0)" ]'

RD=$(nsexec h1 rdisc6 -w 4000 -r 2 -1 eth0 2>&1)
check "rdisc6: the RA comes from the gateway's link-local" "$RD" grep -q "from $GW_ETH_LL" <<<"$RD"
check "rdisc6: RDNSS $RA_RDNSS relayed" "$RD" grep -qE "Recursive DNS server +: $RA_RDNSS" <<<"$RD"
check "rdisc6: DNSSL $RA_DNSSL relayed" "$RD" grep -qE "DNS search list +: $RA_DNSSL" <<<"$RD"
check "rdisc6: proxy flag set (RFC 4389)" "$RD" grep -qE "Neighbor discovery proxy +: +Yes" <<<"$RD"
check "rdisc6: prefix autonomous, not on-link" "$RD" \
	grep -qzE "Prefix +: ${RA_PREFIX}.*On-link +: +No.*Autonomous address conf\. *: +Yes" <<<"$RD"

check "h1 reaches the 'internet' ($INET_ADDR)" "no echo reply" ping6_ok h1 "$INET_ADDR" 15
check "laptop reaches h1 ($H1)" "no echo reply" ping6_ok laptop "$H1" 15
check "laptop reaches h2 ($H2)" "no echo reply" ping6_ok laptop "$H2" 15
check "gw routes h1 (proto $ISLANDD_RTPROTO)" "routes: $(routes73 gw)" has_route73 gw "$H1"
check "islandctl ra lists h1 as learned" "$(ra_hosts gw)" grep -q "^$H1 eth0 learned" <<<"$(ra_hosts gw)"
check "islandctl ra lists the prefix with its lifetimes" "$(ra_prefixes gw)" \
	grep -qE "^$RA_PREFIX [0-9]+ [0-9]+ false" <<<"$(ra_prefixes gw)"

# A duplicate across the links: h2 tries the laptop's address. Its DAD probe
# is carried to wlan0, the laptop defends, the defence comes back: DAD fails.
nsip h2 addr add "$LAPTOP_ADDR/64" dev eth0 noprefixroute
if wait_for 6 eval '[[ "$(addr_flags h2 eth0 "$LAPTOP_ADDR")" == *dadfailed* ]]'; then
	ok "a duplicate of the laptop's address behind the gateway fails DAD"
else
	not_ok "a duplicate of the laptop's address behind the gateway fails DAD" \
		"flags: $(addr_flags h2 eth0 "$LAPTOP_ADDR"); dad_carried $(ra_counter gw dad_carried), dad_defended $(ra_counter gw dad_defended)"
fi
nsip h2 addr del "$LAPTOP_ADDR/64" dev eth0 2>/dev/null
check "the laptop still owns its address" "laptop lost it" ping6_ok isp "$LAPTOP_ADDR" 5
# A free address is not defended: h2 keeps it, and it is learned.
FREE=${RA_PREFIX_STR}:7777
nsip h2 addr add "$FREE/64" dev eth0 noprefixroute
# DAD is over once the address is no longer tentative (failed or not)
wait_for 10 eval '[[ "$(addr_flags h2 eth0 "$FREE")" != *tentative* ]]'
check "a free address passes DAD behind the gateway" "flags: $(addr_flags h2 eth0 "$FREE")" \
	eval '[[ "$(addr_flags h2 eth0 "$FREE")" != *dadfailed* && "$(addr_flags h2 eth0 "$FREE")" != *tentative* ]]'
check "the laptop reaches that address" "no echo reply" ping6_ok laptop "$FREE" 10

# Hosts that go are forgotten. The kernel drops neighbour entries on its own
# (garbage collection), so a dropped entry makes islandd ask the host: h1
# answers and stays; the address h2 gave up does not and goes.
check "gw routes $FREE (proto $ISLANDD_RTPROTO)" "routes: $(routes73 gw)" has_route73 gw "$FREE"
nsip h2 addr del "$FREE/64" dev eth0
nsip gw neigh del "$FREE" dev eth0 2>/dev/null
nsip gw neigh del "$H1" dev eth0 2>/dev/null
t0=$(now_ms)
if wait_for 8 _isl_not has_route73 gw "$FREE"; then
	ok "a host that left is forgotten, its route removed ($(( $(now_ms) - t0 )) ms)"
else
	not_ok "a host that left is forgotten, its route removed" "routes: $(routes73 gw)"
	ra_show_state gw
fi
check "a host still there answers islandd's probe and stays" "routes: $(routes73 gw)" has_route73 gw "$H1"
check "islandd probed (host_probes $(ra_counter gw host_probes))" "none" test "$(ra_counter gw host_probes)" -ge 2
check "the laptop still reaches h1" "no echo reply" ping6_ok laptop "$H1" 5

# SIGTERM: one RA with router lifetime 0, the hosts drop the default route;
# the host routes go.
stop_islandd gw TERM 10
rc=$?
check "islandd exits 0 on SIGTERM" "status $rc" test "$rc" -eq 0
check "h1 drops its default route via the gateway" "default via '$(default_via h1 eth0)'" \
	wait_for 3 eval '[ -z "$(default_via h1 eth0)" ]'
check "no route of islandd's left on gw" "$(routes73 gw)" test -z "$(routes73 gw)"
check "no sanitizer report in the daemon log" "see $(islandd_log gw)" sanitizer_clean gw
test_status
