#!/usr/bin/env bash
# `auto` rule: the gateway's routing table, not the config, says where each
# target lives. Two downstream links; routes added and removed at run time.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root auto
need_cmd jq "$ISL_PY"
need_islandd
netns_init
auto_build

start_islandd agw "proxy wan0 {
	ttl 2000
	rule 2001:db8:aa:0:10::/76 {
		auto
	}
}" || { not_ok "islandd starts with an auto rule" "see $(islandd_log agw)"; exit 1; }

check "the upstream router reaches ah1 ($AUTO_H1, routed via lan1)" "no echo reply" ping6_ok aup "$AUTO_H1" 10
check "the upstream router reaches ah2 ($AUTO_H2, routed via lan2)" "no echo reply" ping6_ok aup "$AUTO_H2" 10
sessions=$(ctl agw sessions --json)
check "ah1's session is valid on lan1" "sessions: $sessions" \
	jqe --arg t "$AUTO_H1" '.sessions[] | select(.target == $t and .state == "valid" and .iface == "lan1")' <<<"$sessions"
check "ah2's session is valid on lan2" "sessions: $sessions" \
	jqe --arg t "$AUTO_H2" '.sessions[] | select(.target == $t and .state == "valid" and .iface == "lan2")' <<<"$sessions"
check "NA for ah1: hop limit 255, O=0, from agw's wan0 link-local" "see above" \
	nd aup ns --iface eth0 --target "$AUTO_H1" --expect na --timeout 2 --check hlim=255 --check code=0 \
	--check cksum=ok --check O=0 --check S=1 --check src="$AGW_WAN_LL" --check ether_src="$AGW_WAN_MAC"
# A target whose route points back out of the proxy interface (the /64 on
# wan0) must not be answered: that would loop.
check "a target routed back out of wan0 (2001:db8:aa:0:13::1) is not answered" "answered" \
	nd aup ns --iface eth0 --target 2001:db8:aa:0:13::1 --expect none --timeout 2.5

# Routes decide, and islandd follows their changes (netlink events).
# A third host appears on lan1 with a route added at run time.
nsip ah1 addr add 2001:db8:aa:0:14::1/128 dev eth0 noprefixroute
nsip agw -6 route add 2001:db8:aa:0:14::/80 dev lan1
check "a route added at run time is followed: 2001:db8:aa:0:14::1 via lan1 is answered" "no NA" \
	nd aup ns --iface eth0 --target 2001:db8:aa:0:14::1 --expect na --timeout 3 --check S=1
check "and reached" "no echo reply" ping6_ok aup 2001:db8:aa:0:14::1 10

# ah2's route is removed: the target now routes back out of wan0.
nsip agw -6 route del 2001:db8:aa:0:12::/80 dev lan2
if wait_for 10 nd aup ns --iface eth0 --target "$AUTO_H2" --expect none --timeout 1; then
	ok "after its route is deleted, ah2 is no longer answered"
else
	not_ok "after its route is deleted, ah2 is no longer answered" "still answered after 10 s"
	show_state agw
fi
check "ah1 is still answered" "no NA" \
	nd aup ns --iface eth0 --target "$AUTO_H1" --expect na --timeout 2

finish_islandd agw
test_status
