#!/usr/bin/env bash
# The test harness itself, without islandd: each topology builds, Linux and
# radvd/openvpn behave as the other tests assume, the hosts behind the
# gateways are NOT reachable without a proxy (so the islandd tests can fail),
# and teardown leaves nothing behind, also when a test is killed.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root harness
need_cmd radvd openvpn ping jq "$ISL_PY"
netns_init

# --- island000 ---
t0=$(now_ms)
island000_build
ok "island000 builds ($(( $(now_ms) - t0 )) ms)"
check "radvd runs inside the isp namespace" "no radvd among the isp namespace's processes" \
	ns_has_proc isp radvd
check "laptop has a SLAAC address from radvd ($LAPTOP_ADDR)" "none" test -n "$LAPTOP_ADDR"
check "gw wlan0 has a SLAAC address with forwarding on ($GW_WLAN_ADDR)" "none" test -n "$GW_WLAN_ADDR"
check "gw forwards" "forwarding != 1" \
	test "$(nsexec gw sysctl -n net.ipv6.conf.all.forwarding)" = 1
check "gw has no proxy_ndp" "proxy_ndp set" \
	test "$(nsexec gw sysctl -n net.ipv6.conf.wlan0.proxy_ndp)" = 0
check "gw has no route for the /76" "a route exists" \
	_isl_not bash -c "ip -n $(nsn gw) -6 route show 2001:db8:abc:123:40::/76 | grep -q ."
check "pi41 reaches gw eth0 $GW_ULA" "ping failed" ping6_ok pi41 "$GW_ULA" 5
check "pi42 reaches gw eth0 $GW_ULA" "ping failed" ping6_ok pi42 "$GW_ULA" 5
check "laptop reaches the internet address $INET_ADDR" "ping failed" ping6_ok laptop "$INET_ADDR" 5
check "gw reaches the internet address $INET_ADDR" "ping failed" ping6_ok gw "$INET_ADDR" 5
# Negative controls: without a proxy the cluster is cut off.
check "without a proxy the laptop cannot reach pi41" "it can: the island tests would prove nothing" \
	ping6_fails laptop "$PI41_ADDR"
check "without a proxy pi41 cannot reach the internet" "it can" \
	ping6_fails pi41 "$INET_ADDR"
# nd.py against Linux as the reference responder.
check "nd.py: Linux answers an NS for gw's own address (S=1, R=1, hlim 255, checksum ok)" "see output" \
	nd laptop ns --iface wlan0 --target "$GW_WLAN_ADDR" --expect na \
	--check S=1 --check R=1 --check hlim=255 --check code=0 --check cksum=ok --check ether_src="$GW_WLAN_MAC"
check "nd.py: Linux answers DAD for gw's address to ff02::1 with S=0" "see output" \
	nd laptop ns --iface wlan0 --target "$GW_WLAN_ADDR" --src :: --expect na --check dst=ff02::1 --check S=0
check "nd.py: unicast NS to gw's MAC is answered with S=1" "see output" \
	nd laptop ns --iface wlan0 --target "$GW_WLAN_ADDR" --dst unicast --dst-mac "$GW_WLAN_MAC" \
	--src "$LAPTOP_ADDR" --expect na --check S=1 --check dst="$LAPTOP_ADDR"
check "nd.py: Linux drops an NS with hop limit 254" "answered" \
	nd laptop ns --iface wlan0 --target "$GW_WLAN_ADDR" --hlim 254 --expect none --timeout 0.5
check "nd.py: nobody answers for pi41 without a proxy" "answered" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect none --timeout 0.5
check "nd.py: a failed check makes it fail" "it passed" \
	_isl_not nd laptop ns --iface wlan0 --target "$GW_WLAN_ADDR" --expect na --check hlim=1

# --- vps004 ---
t0=$(now_ms)
vps004_build
ok "vps004 builds with an openvpn tunnel ($(( $(now_ms) - t0 )) ms)"
check "the tunnel is a tun device (no link-layer header)" "not tun" \
	bash -c "ip -n $(nsn vps) -d link show tun0 | grep -q 'tun type tun'"
check "lan host reaches the VPS through home and the tunnel" "ping failed" ping6_ok lan "$VPS_TUN" 5
check "VPS reaches the lan host" "ping failed" ping6_ok vps "$LAN_HOST" 5
check "without a proxy the provider cannot reach the lan host" "it can" \
	ping6_fails prov "$LAN_HOST"

# --- auto ---
t0=$(now_ms)
auto_build
ok "auto topology builds ($(( $(now_ms) - t0 )) ms)"
check "ah1 reaches agw" "ping failed" ping6_ok ah1 "$AUTO_GW" 5
check "ah2 reaches agw" "ping failed" ping6_ok ah2 "$AUTO_GW" 5
check "without a proxy aup cannot reach ah1" "it can" \
	ping6_fails aup "$AUTO_H1"

# --- teardown ---
netns_cleanup
check "teardown removes every namespace" "left: $(ns_list_prefix "$ISL_NS_PREFIX" | tr '\n' ' ')" \
	test -z "$(ns_list_prefix "$ISL_NS_PREFIX")"

# A test killed half-way still cleans up after itself.
child_prefix="${ISL_NS_PREFIX}k-"
ready=$(mktemp)
ISL_NS_PREFIX=$child_prefix bash -c '
	. "'"$ISL_LIB"'/netns.sh"
	netns_init
	island000_build >/dev/null
	echo up >"'"$ready"'"
	sleep 60 >/dev/null 2>&1 & # a process for the cleanup to end, not a wait
	at_cleanup "kill $! 2>/dev/null"
	wait $!' &
child=$!
if wait_for 20 test -s "$ready"; then
	inner=$(for n in $(ns_list_prefix "$child_prefix"); do ip netns pids "$n"; done)
	kill -TERM "$child"
	wait "$child" 2>/dev/null
	check "a test killed with SIGTERM removes its namespaces" "left: $(ns_list_prefix "$child_prefix" | tr '\n' ' ')" \
		test -z "$(ns_list_prefix "$child_prefix")"
	check "and the processes it ran there are gone ($(echo $inner | wc -w))" "still running: $inner" \
		wait_for 5 _isl_not pids_alive $inner
else
	not_ok "a test killed with SIGTERM removes its namespaces" "the child never finished building"
	kill -9 "$child" 2>/dev/null
fi
rm -f "$ready"
test_status
