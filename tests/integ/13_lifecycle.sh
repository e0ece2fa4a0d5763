#!/usr/bin/env bash
# Routes islandd installs follow its life: gone after SIGTERM and SIGINT;
# left behind by kill -9 (nothing can run then), removed by the next start,
# and re-created for the hosts still there once traffic comes.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root lifecycle
need_cmd jq
need_islandd
netns_init
island000_build
CONF=$(island000_conf)

# traffic: the laptop resolves both pis afresh and reaches them, so both get
# routes. (With a warm cache the laptop would keep sending to gw's MAC and
# only ask again after its own NUD timers, up to ~45 s.)
traffic() {
	nsip laptop -6 neigh flush dev wlan0
	ping6_ok laptop "$PI41_ADDR" 10 && ping6_ok laptop "$PI42_ADDR" 10
}
both_routed() { has_route73 gw "$PI41_ADDR" && has_route73 gw "$PI42_ADDR"; }

start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
check "traffic reaches both pis" "no echo reply" traffic
check "both routes installed" "routes: $(routes73 gw)" both_routed

# SIGTERM
stop_islandd gw TERM 10; rc=$?
check "SIGTERM: islandd exits with status 0" "status $rc" test "$rc" -eq 0
check "SIGTERM: every proto $ISLANDD_RTPROTO route is gone" "left: $(routes73 gw)" test -z "$(routes73 gw)"
check "SIGTERM: the control socket is gone" "still there" test ! -S "$(islandd_sock gw)"

# SIGINT
start_islandd gw "" || { not_ok "islandd restarts" "see $(islandd_log gw)"; exit 1; }
check "after restart, traffic reaches both pis" "no echo reply" traffic
check "after restart, both routes installed" "routes: $(routes73 gw)" both_routed
stop_islandd gw INT 10; rc=$?
check "SIGINT: islandd exits with status 0" "status $rc" test "$rc" -eq 0
check "SIGINT: every proto $ISLANDD_RTPROTO route is gone" "left: $(routes73 gw)" test -z "$(routes73 gw)"

# kill -9 leaves routes behind...
start_islandd gw "" || { not_ok "islandd restarts" "see $(islandd_log gw)"; exit 1; }
check "before kill -9, traffic reaches both pis" "no echo reply" traffic
stop_islandd gw KILL 5
check "kill -9 leaves the routes behind (what the next start must clean)" "routes: $(routes73 gw)" both_routed
# ...and one of them now points at a host that is gone.
nsip pi42 addr del "$PI42_ADDR/80" dev eth0
# The laptop forgets what it learned, so new traffic needs new answers.
nsip laptop -6 neigh flush dev wlan0
# So does gw: its kernel saw pi42 REACHABLE seconds ago and islandd may
# (by design) answer at once for a target the kernel holds as reachable.
nsip gw -6 neigh flush dev eth0
# An IPv4 /32 as a dead proxy ARP engine leaves one, beside someone else's.
nsip gw -4 route add 192.0.2.77/32 dev eth0 proto "$ISLANDD_RTPROTO" metric 1024
nsip gw -4 route add 192.0.2.78/32 dev eth0 proto static
routes73_v4() { nsip gw -4 route show table all proto "$ISLANDD_RTPROTO"; }

start_islandd gw "" || { not_ok "islandd starts after kill -9" "see $(islandd_log gw)"; exit 1; }
if wait_for 5 test -z "$(routes73 gw)"; then
	ok "the start after kill -9 removes the leftover routes"
else
	not_ok "the start after kill -9 removes the leftover routes" "left: $(routes73 gw)"
fi
check "the start removes the leftover IPv4 /32 too" "left: $(routes73_v4)" test -z "$(routes73_v4)"
check "someone else's IPv4 /32 stays" "routes: $(nsip gw -4 route show dev eth0)" \
	eval 'nsip gw -4 route show 192.0.2.78/32 proto static | grep -q .'
reach_and_route() { ping6_ok laptop "$1" 10 && has_route73 gw "$1"; }
check "traffic to pi41 re-creates its route" "no echo reply / no route" reach_and_route "$PI41_ADDR"
check "pi42 (gone) gets no route back" "routes: $(routes73 gw)" _isl_not has_route73 gw "$PI42_ADDR"
check "pi42 (gone) is not answered" "answered" \
	nd laptop ns --iface wlan0 --target "$PI42_ADDR" --expect none --timeout 2
check "islandctl routes matches the kernel (pi41 only)" "routes: $(ctl gw routes --json)" \
	jqe --arg d "$PI41_ADDR/128" '[.routes[].dst] == [$d]' <<<"$(ctl gw routes --json)"

finish_islandd gw
check "no proto $ISLANDD_RTPROTO route left at the end" "left: $(routes73 gw)" test -z "$(routes73 gw)"
test_status
