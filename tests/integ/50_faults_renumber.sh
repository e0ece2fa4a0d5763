#!/usr/bin/env bash
# Fault: the upstream prefix is renumbered under `ra-relay wlan0 { iface eth0 }`.
# The old prefix has short lifetimes (valid 20 s); radvd is restarted with a
# new prefix and the ISP stops serving the old one. Once the old lifetime has
# run out, islandd keeps no route, no learned host, no session and answers no
# NS for an address of the old prefix; the new prefix works end to end.
set -u
. "$(dirname "$0")/../lib/faults.sh"
. "$(dirname "$0")/../lib/ra.sh"
need_root faults_renumber
need_cmd jq radvd rdisc6 "$ISL_PY"
need_islandd
netns_init
ra_island_build
OLD_VALID=20
ra_radvd_stop isp
radvd_lifetimes_start isp br0 "$RA_PREFIX" "$OLD_VALID" 10

start_islandd gw "ra-relay wlan0 { iface eth0 }" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
wait_slaac h1 eth0 "$RA_PREFIX_STR" 20 || { not_ok "h1 gets an address in the old prefix" "none"; ra_show_state gw; exit 1; }
wait_slaac h2 eth0 "$RA_PREFIX_STR" 20
dad_wait h1 h2
OLD1=$(global_addr h1 eth0 "$RA_PREFIX_STR")
OLD2=$(global_addr h2 eth0 "$RA_PREFIX_STR")
note "old addresses: h1 $OLD1, h2 $OLD2"
check "the laptop reaches h1's old address" "no echo reply" ping6_ok laptop "$OLD1" 10
check "the laptop reaches h2's old address" "no echo reply" ping6_ok laptop "$OLD2" 10
check "islandd routes both old addresses" "routes: $(routes73 gw)" \
	eval 'has_route73 gw "$OLD1" && has_route73 gw "$OLD2"'
check "an NS for h1's old address is answered upstream" "no NA" \
	nd laptop ns --iface wlan0 --target "$OLD1" --expect na --timeout 2

# Renumbering: the ISP serves the new /64 only.
nsip isp addr add 2001:db8:abc:456::1/64 dev br0
nsip isp addr del 2001:db8:abc:123::1/64 dev br0
ra_radvd_stop isp
t0=$(now_ms)
ra_radvd_start isp br0 "$RA_NEW_PREFIX"
check "the new prefix is relayed" "$(ra_prefixes gw)" \
	wait_for 10 eval 'ra_prefixes gw | grep -qE "^$RA_NEW_PREFIX [0-9]+ [0-9]+ false"'
# No RA says lifetime 0 for it: it runs out by its own lifetime (RFC 4861
# §6.2.3), then is sent with 0 for a few seconds.
check "the old prefix is sent withdrawn (lifetimes 0) once its lifetime ran out" "$(ra_prefixes gw)" \
	wait_for $((OLD_VALID + 5)) eval 'ra_prefixes gw | grep -q "^$RA_PREFIX 0 0 true"'
wait_slaac h1 eth0 "$RA_NEW_PREFIX_STR" 20
NEW1=$(global_addr h1 eth0 "$RA_NEW_PREFIX_STR")
note "h1 new address $NEW1"

# The old addresses run out on the hosts (the kernel's own timer)...
gone_old() { [ -z "$(global_addr h1 eth0 "$RA_PREFIX_STR")" ] && [ -z "$(global_addr h2 eth0 "$RA_PREFIX_STR")" ]; }
check "the hosts drop their old addresses within the old lifetime" \
	"h1: $(addr_flags h1 eth0 "$OLD1")" wait_for $((OLD_VALID + 10)) gone_old
note "old addresses gone $(( $(now_ms) - t0 )) ms after the renumbering"
# ...and islandd forgets them (a learned host is re-checked, not kept blindly).
old_state() {
	ctl gw status >/dev/null || { echo "islandd does not answer"; return 0; }
	{ routes73 gw | awk '{print "route", $1}'; ra_hosts gw | sed 's/^/host /';
	  ctl gw sessions --json | jq -r '.sessions[] | "session \(.target) \(.state)"'; } |
		grep "$RA_PREFIX_STR" 
}
if wait_for 30 _isl_not old_state; then
	ok "no route, learned host or session left for the old prefix ($(( $(now_ms) - t0 )) ms after the renumbering)"
else
	not_ok "no route, learned host or session left for the old prefix" "$(old_state | tr '\n' ';')"
	ra_show_state gw
fi
check "an NS for h1's old address is not answered" "answered" \
	nd laptop ns --iface wlan0 --target "$OLD1" --expect none --timeout 2
check "an NS for h2's old address is not answered" "answered" \
	nd laptop ns --iface wlan0 --target "$OLD2" --expect none --timeout 2
check "islandctl ra: the old prefix is gone or still withdrawn with 0 lifetimes" "$(ra_prefixes gw)" \
	eval '! ra_prefixes gw | grep "^$RA_PREFIX " | grep -qv " 0 0 true$"'
note "prefixes after the old lifetime: $(ra_prefixes gw | tr '\n' ';')"
note "counters: $(ctl gw ra --json | jq -c '.counters | {prefixes_withdrawn, hosts_learned, hosts_forgotten, host_probes}')"
RD=$(nsexec h1 rdisc6 -w 4000 -r 2 -1 eth0 2>&1)
# valid_of PREFIX: the valid times rdisc6 shows for PREFIX (the lines of its block only).
valid_of() { awk -v p="$1" '$1 == "Prefix" {cur = ($3 == p)} cur && /Valid time/ {print $4}' <<<"$RD"; }
check "rdisc6 on h1: the new prefix is announced, the old one not with a lifetime" "$RD" \
	eval 'grep -q "Prefix *: $RA_NEW_PREFIX" <<<"$RD" && ! valid_of "$RA_PREFIX" | grep -q "[1-9]"'

# The new prefix works end to end.
check "the laptop reaches h1's new address" "no echo reply" ping6_ok laptop "$NEW1" 15
check "islandd routes h1's new address" "routes: $(routes73 gw)" wait_for 5 has_route73 gw "$NEW1"
check "only live addresses are routed" "routes: $(routes73 gw)" \
	live_routes_only gw "$(global_addr h1 eth0 "$RA_NEW_PREFIX_STR")" "$(global_addr h2 eth0 "$RA_NEW_PREFIX_STR")"

finish_islandd gw
check "no proto $ISLANDD_RTPROTO route left at the end" "left: $(routes73 gw)" test -z "$(routes73 gw)"
test_status
