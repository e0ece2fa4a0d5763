#!/usr/bin/env bash
# Upstream renumbering through the RA relay: radvd restarted with a new
# prefix and the old one announced with lifetime 0 (as a renumbering router
# must: a prefix merely missing from an RA keeps its lifetime, RFC 4861
# §6.2.3, see ra_wire_opts.sh) reaches the hosts behind the gateway within
# one RA, their old addresses deprecated at once; the hosts' new addresses
# are learned and reachable.
set -u
. "$(dirname "$0")/../lib/ra.sh"
need_root ra_renumber
need_cmd jq rdisc6 radvd "$ISL_PY"
need_islandd
netns_init
ra_island_build

start_islandd gw "ra-relay wlan0 { iface eth0 }" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
wait_slaac h1 eth0 "$RA_PREFIX_STR" 20 || { not_ok "h1 gets a SLAAC address" "none"; ra_show_state gw; exit 1; }
OLD=$(global_addr h1 eth0 "$RA_PREFIX_STR")
note "h1 old address $OLD"

# The ISP renumbers: radvd restarted with the new /64 (on-link at the ISP
# too), the old one announced with lifetime 0.
nsip isp addr add 2001:db8:abc:456::1/64 dev br0
ra_radvd_stop isp
t0=$(now_ms)
ra_radvd_start isp br0 "$RA_NEW_PREFIX" "prefix $RA_PREFIX { AdvValidLifetime 0; AdvPreferredLifetime 0; };"
if wait_slaac h1 eth0 "$RA_NEW_PREFIX_STR" 20; then
	ok "h1 gets an address in the new prefix ($(( $(now_ms) - t0 )) ms after radvd restarted)"
else
	not_ok "h1 gets an address in the new prefix" "$(nsip h1 -6 -o addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"
	ra_show_state gw
fi
NEW=$(global_addr h1 eth0 "$RA_NEW_PREFIX_STR")
# The old prefix went out with preferred lifetime 0 in the same RA.
if wait_for 5 eval '[[ "$(addr_flags h1 eth0 "$OLD")" == *deprecated* ]]'; then
	ok "h1's old address is deprecated ($(( $(now_ms) - t0 )) ms): $(addr_flags h1 eth0 "$OLD")"
else
	not_ok "h1's old address is deprecated" "flags: $(addr_flags h1 eth0 "$OLD")"
	ra_show_state gw
fi
check "islandctl ra shows the old prefix withdrawn" "$(ra_prefixes gw)" \
	grep -q "^$RA_PREFIX 0 0 true" <<<"$(ra_prefixes gw)"
check "islandctl ra shows the new prefix" "$(ra_prefixes gw)" \
	grep -qE "^$RA_NEW_PREFIX [0-9]+ [0-9]+ false" <<<"$(ra_prefixes gw)"
check "prefixes_withdrawn counted" "$(ra_counter gw prefixes_withdrawn)" test "$(ra_counter gw prefixes_withdrawn)" -ge 1
RD=$(nsexec h1 rdisc6 -w 4000 -r 2 -1 eth0 2>&1)
check "rdisc6: the old prefix is announced with lifetime 0" "$RD" \
	grep -qzE "Prefix +: ${RA_PREFIX}.*Valid time +: +0 .*Pref\. time +: +0 " <<<"$RD"
check "h1 keeps its default route via the gateway" "default via '$(default_via h1 eth0)'" \
	test "$(default_via h1 eth0)" = "$GW_ETH_LL"
check "h1's new address is learned" "$(ra_hosts gw)" wait_for 5 eval 'ra_hosts gw | grep -q "^$NEW eth0 learned"'
check "the laptop reaches h1's new address ($NEW)" "no echo reply" ping6_ok laptop "$NEW" 15
check "h1 reaches the 'internet' from its new address" "no echo reply" \
	wait_for 10 nsexec h1 ping -6 -n -c 1 -W 1 -I "$NEW" "$INET_ADDR"

finish_islandd gw
test_status
