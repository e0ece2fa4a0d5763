#!/usr/bin/env bash
# `sudo make demo`: the seed-000 island (wireless-to-ethernet homelab) in
# network namespaces, with islandd running the seed's ndppd.conf unchanged
# and no hand-made route. Everything is torn down at the end, also on Ctrl-C.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
export ISLANDD=${ISLANDD:-$REPO/build/islandd}
export ISLANDCTL=${ISLANDCTL:-$REPO/build/islandctl}
export ISL_NS_PREFIX=${ISL_NS_PREFIX:-isldemo$$-}
. "$REPO/tests/lib/islandd.sh"

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root for network namespaces: sudo make demo" >&2; exit 1; }
for b in "$ISLANDD" "$ISLANDCTL"; do
	[ -x "$b" ] || { echo "demo: $b is not built (make)" >&2; exit 1; }
done
need_cmd ip radvd ping

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
run() { printf '\033[2m%s $ %s\033[0m\n' "$1" "${*:2}"; nsexec "$@"; }
failed=0

netns_init
bold "Building the island (namespaces named ${ISL_NS_PREFIX}*)"
say "isp     the ISP's Wi-Fi router: 2001:db8:abc:123::1/64 on br0, radvd advertises the /64"
say "inet    an 'internet' host behind it: $INET_ADDR"
say "laptop  a Wi-Fi client (wlan0, address by SLAAC)"
say "gw      pi-31, the gateway: wlan0 by SLAAC, eth0 $GW_ULA/64, forwarding on,"
say "        no route for 2001:db8:abc:123:40::/76, no proxy_ndp"
say "sw      the switch; pi41, pi42: eth0 $PI41_ADDR/80 and $PI42_ADDR/80 (noprefixroute)"
island000_build >/dev/null
say "laptop got $LAPTOP_ADDR, gw got $GW_WLAN_ADDR from radvd"

bold "Without a proxy, the ISP router cannot find the cluster hosts"
if ping6_fails laptop "$PI41_ADDR"; then
	say "laptop -> $PI41_ADDR: no answer (nobody on the Wi-Fi link answers its Neighbor Solicitation)"
else
	say "unexpected: the laptop reached pi41 without a proxy"
fi

bold "Starting islandd on gw with the seed's /etc/ndppd.conf, unchanged"
island000_conf | sed 's/^/   | /'
if ! start_islandd gw "$(island000_conf)"; then
	echo "demo: islandd did not start; its log:" >&2
	tail -n 20 "$(islandd_log gw)" >&2
	exit 1
fi
say "islandd answers on wlan0 for addresses it finds behind eth0, and adds a /128 route"
say "to each (autowire), so the ISP router and the laptop reach the cluster directly."

bold "laptop -> pi41 and pi42, by their global addresses"
run laptop ping -6 -n -c 3 -i 0.5 -W 2 "$PI41_ADDR" || failed=1
run laptop ping -6 -n -c 3 -i 0.5 -W 2 "$PI42_ADDR" || failed=1

bold "pi41 -> the internet (the ISP router resolves pi41 through the proxy too)"
run pi41 ping -6 -n -c 3 -i 0.5 -W 2 "$INET_ADDR" || failed=1

bold "What islandd learned (islandctl sessions on gw)"
ctl gw sessions || failed=1

bold "The routes it installed (ip -6 route show proto 73 on gw)"
run gw ip -6 route show proto "$ISLANDD_RTPROTO"

bold "Stopping islandd (SIGTERM): it removes its routes"
stop_islandd gw TERM 10 || failed=1
routes=$(routes73 gw)
if [ -z "$routes" ]; then say "no proto $ISLANDD_RTPROTO route left on gw"; else say "left behind: $routes"; failed=1; fi

bold "Tearing the island down"
netns_cleanup
trap - EXIT
left=$(ns_list_prefix "$ISL_NS_PREFIX")
[ -z "$left" ] && say "all namespaces removed" || { say "left: $left"; failed=1; }
if [ "$failed" -eq 0 ]; then echo; echo "demo: OK"; else echo; echo "demo: something failed (see above)"; fi
exit "$failed"
