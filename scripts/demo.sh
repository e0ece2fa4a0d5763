#!/usr/bin/env bash
# `sudo make demo`: the seed-000 island (wireless-to-ethernet homelab) in
# network namespaces, in four acts, as the seed's user would type them:
#   1. the NDP proxy: islandd runs the seed's ndppd.conf unchanged, no
#      hand-made route, and the laptop reaches pi-41;
#   2. names: `ping pi-41.local` on the laptop and `laptop.local` on pi-41
#      (avahi-daemon + libnss-mdns on the hosts, islandd's mDNS reflector);
#   3. the relay: a new cluster host with no static address gets a SLAAC
#      address in the upstream /64 and reaches the internet;
#   4. IPv4: pi-41 takes an address of the home /24 from the home router's
#      DHCP server through islandd's relay, and `ping -4 pi-41.local` works
#      on the laptop (proxy ARP and /32 routes, no NAT).
#   5. the ISP delegates (Kea): one `island` block, and the cluster is routed
#      in the delegated prefix, without a restart.
# Everything is torn down at the end, also on Ctrl-C.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
export ISLANDD=${ISLANDD:-$REPO/build/islandd}
export ISLANDCTL=${ISLANDCTL:-$REPO/build/islandctl}
export ISL_NS_PREFIX=${ISL_NS_PREFIX:-isldemo$$-}
. "$REPO/tests/lib/ipv4.sh"

[ "$(id -u)" -eq 0 ] || { echo "demo: needs root for network namespaces: sudo make demo" >&2; exit 1; }
for b in "$ISLANDD" "$ISLANDCTL"; do
	[ -x "$b" ] || { echo "demo: $b is not built (make)" >&2; exit 1; }
done
need_cmd ip radvd ping avahi-daemon dbus-daemon getent unshare dnsmasq dhclient

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
say "The Wi-Fi access point snoops MLD: solicitations reach the gateway only once"
say "it has joined the cluster hosts' solicited-node group, which it does when they"
say "answer its first MLD query (within about a second of the start)."
if wait_for 10 bridge_mdb_has isp br0 p-gw ff02::1:ff00:1; then
	say "the access point now forwards ff02::1:ff00:1 (pi41's and pi42's group) to the gateway"
else
	say "the access point never registered the hosts' group for the gateway"
	failed=1
fi

bold "laptop -> pi41 and pi42, by their global addresses"
run laptop ping -6 -n -c 3 -i 0.5 -W 2 "$PI41_ADDR" || failed=1
run laptop ping -6 -n -c 3 -i 0.5 -W 2 "$PI42_ADDR" || failed=1

bold "pi41 -> the internet (the ISP router resolves pi41 through the proxy too)"
run pi41 ping -6 -n -c 3 -i 0.5 -W 2 "$INET_ADDR" || failed=1

bold "What islandd learned (islandctl sessions on gw)"
ctl gw sessions || failed=1

bold "The routes it installed (ip -6 route show proto 73 on gw)"
run gw ip -6 route show proto "$ISLANDD_RTPROTO"

bold "Act 2: names. pi-41.local from the laptop, laptop.local from pi-41"
say "avahi-daemon with libnss-mdns runs on the laptop and on pi41, as on any Linux host;"
say "islandd's mDNS reflector carries their queries and answers between wlan0 and eth0."
CONF2="$(island000_conf)
mdns {
	iface wlan0
	iface eth0
}"
write_islandd_conf gw "$CONF2"
sed 's/^/   | /' "$(islandd_conf gw)" | tail -n 4
kill -HUP "$(islandd_pid gw)"
wait_for 5 eval 'ctl gw status --json 2>/dev/null | jq -e .mdns >/dev/null' || { say "the reload did not take the mdns block"; failed=1; }
mdns_host pi41 pi-41 eth0 use-ipv4=no
mdns_host laptop laptop wlan0 use-ipv4=no
for h in laptop pi41; do avahi_start "$h" || { say "avahi-daemon did not start in $h"; failed=1; }; done
name_run() { printf '\033[2m%s $ %s\033[0m\n' "$1" "${*:2}"; mdns_exec "$@"; }
wait_for 10 eval '[ -n "$(mdns_resolve laptop pi-41.local 6)" ]'
name_run laptop ping -6 -n -c 3 -i 0.5 -W 2 pi-41.local || failed=1
wait_for 10 eval '[ -n "$(mdns_resolve pi41 laptop.local 6)" ]'
printf '\033[2m%s $ %s\033[0m\n' pi41 "getent ahostsv6 laptop.local"
mdns_exec pi41 getent ahostsv6 laptop.local || failed=1

bold "Act 3: the relay. A new cluster host configures itself from the upstream /64"
say "pi43 is plugged into the switch with nothing configured. islandd relays the ISP"
say "router's advertisements onto eth0 (on-link flag cleared, proxy flag set), learns"
say "the host when it arrives, routes it and answers for it on the Wi-Fi."
CONF3="$CONF2
ra-relay wlan0 {
	iface eth0
}"
write_islandd_conf gw "$CONF3"
sed 's/^/   | /' "$(islandd_conf gw)" | tail -n 3
kill -HUP "$(islandd_pid gw)"
wait_for 5 eval 'ctl gw ra 2>/dev/null | grep -q wlan0' || { say "the reload did not take the ra-relay block"; failed=1; }
NETNS_DAD=1 ns_add pi43
veth pi43 eth0 sw p-pi43
bridge_port sw br0 p-pi43
if_up pi43 eth0
if wait_slaac pi43 eth0 2001:db8:abc:123: 20; then
	PI43_ADDR=$(global_addr pi43 eth0 2001:db8:abc:123:)
	run pi43 ip -6 -br addr show dev eth0
	run pi43 ip -6 route show default
	wait_for 10 has_route73 gw "$PI43_ADDR"
	run pi43 ping -6 -n -c 3 -i 0.5 -W 2 "$INET_ADDR" || failed=1
	run laptop ping -6 -n -c 3 -i 0.5 -W 2 "$PI43_ADDR" || failed=1
	bold "What the relay learned (islandctl ra on gw)"
	ctl gw ra || failed=1
else
	say "pi43 got no address in the upstream /64"
	failed=1
fi

bold "Act 4: IPv4. pi-41 takes an address of the home /24 and answers ping -4 pi-41.local"
say "The home router (isp) gets 192.168.1.1/24 and dnsmasq as its DHCPv4 server; the laptop"
say "is $LAPTOP4, the gateway's wlan0 $GW_WLAN4. The gateway's eth0 has no IPv4 address."
island000_v4_add
dnsmasq_start isp br0
say "gw now runs examples/island-ipv4.conf as shipped: proxy ARP both ways with /32 routes,"
say "the DHCPv4 relay to the home router, the RA relay and the mDNS reflector (SIGHUP):"
grep -vE '^[[:space:]]*(#|$)' "$REPO/examples/island-ipv4.conf" | grep -E '^(proxy|dhcp4-relay|ra-relay|mdns)|rule 192|server|mode|learn-hosts' | sed 's/^/   | /'
write_islandd_conf gw "$(island_v4_conf)"
kill -HUP "$(islandd_pid gw)"
wait_for 5 eval 'ctl gw dhcp >/dev/null 2>&1' || { say "the reload did not take the dhcp4-relay block"; failed=1; }
say "pi41 runs dhclient on eth0; its DISCOVER is relayed to 192.168.1.1 with giaddr $GW_WLAN4"
dhclient_start pi41 eth0
if wait_for 20 eval '[ -n "$(v4_addr pi41 eth0)" ]'; then
	PI41_V4=$(v4_addr pi41 eth0)
	run pi41 ip -4 -br addr show dev eth0
	run pi41 ip -4 route show default
	say "avahi on pi41 and the laptop now publish and ask for A records too"
	for h in pi41 laptop; do
		mdns_conf_set "$h" use-ipv4 yes
		avahi_stop "$h"
		avahi_start "$h" || { say "avahi-daemon did not restart in $h"; failed=1; }
	done
	wait_for 10 eval 'mdns_resolve laptop pi-41.local 4 | grep -qx "$PI41_V4"' ||
		{ say "the laptop does not resolve pi-41.local to $PI41_V4"; failed=1; }
	name_run laptop ping -4 -n -c 1 -W 3 pi-41.local || failed=1
	run pi41 ping -4 -n -c 1 -W 3 "$INET4" || failed=1
	bold "What islandd did for IPv4 (islandctl dhcp; ip -4 route show proto 73 on gw)"
	ctl gw dhcp || failed=1
	run gw ip -4 route show proto "$ISLANDD_RTPROTO"
	run gw nft list ruleset
	say "(empty: the gateway translates nothing; pi41 is $PI41_V4 everywhere)"
else
	say "pi41 got no IPv4 address through the relay"
	tail -n 5 "$ISL_KEEP/dhclient-pi41.log" | sed 's/^/   dhclient: /'
	failed=1
fi

# --- Act 5: the ISP delegates, the island is routed ------------------------------
if command -v kea-dhcp6 >/dev/null && KEA_HOOK=$(ls /usr/lib/*/kea/hooks/libdhcp_run_script.so 2>/dev/null | head -n 1) &&
	[ -n "$KEA_HOOK" ]; then
	bold "Act 5: the ISP delegates a prefix, and the island becomes routed"
	say "The ISP router starts a DHCPv6 server with a pool of /56s to delegate (Kea). On the"
	say "gateway one 'island' block replaces the ra-relay block (islandd restarted: it binds the"
	say "DHCPv6 ports at start): it asks for a prefix, relays while none is offered, and"
	say "switches to routing as soon as one is bound, without a restart."
	cat >"$ISL_RUN/kea-route.sh" <<'EOS'
#!/bin/sh
[ "$1" = leases6_committed ] || exit 0
i=0
while [ "$i" -lt "${LEASES6_SIZE:-0}" ]; do
	eval "t=\$LEASES6_AT${i}_TYPE a=\$LEASES6_AT${i}_ADDRESS l=\$LEASES6_AT${i}_PREFIX_LEN"
	[ "$t" = IA_PD ] && ip -6 route replace "$a/$l" via "$QUERY6_REMOTE_ADDR" dev "$QUERY6_IFACE_NAME"
	i=$((i + 1))
done
EOS
	chmod 755 "$ISL_RUN/kea-route.sh"
	cat >"$ISL_RUN/kea-demo.json" <<EOS
{"Dhcp6": {"interfaces-config": {"interfaces": ["br0"]}, "lease-database": {"type": "memfile", "persist": false},
  "server-id": {"type": "LL", "persist": false},
  "hooks-libraries": [{"library": "$KEA_HOOK", "parameters": {"name": "$ISL_RUN/kea-route.sh"}}],
  "subnet6": [{"id": 1, "subnet": "2001:db8:abc:123::/64", "interface": "br0",
    "pd-pools": [{"prefix": "2001:db8:1200::", "prefix-len": 48, "delegated-len": 56}]}]}}
EOS
	KEA_PIDFILE_DIR=$ISL_RUN KEA_LOCKFILE_DIR=$ISL_RUN ip netns exec "$(nsn isp)" kea-dhcp6 -c "$ISL_RUN/kea-demo.json" \
		>"$ISL_RUN/kea-demo.log" 2>&1 &
	at_cleanup "kill $! 2>/dev/null"
	mkdir -p "$ISL_RUN/gw-state"
	write_islandd_conf gw "$CONF2
island wlan0 {
	iface eth0
	state-dir $ISL_RUN/gw-state
}"
	sed 's/^/   | /' "$(islandd_conf gw)" | tail -n 4
	stop_islandd gw TERM 10 || failed=1
	start_islandd gw "" || failed=1
	if wait_for 10 eval 'ctl gw island --json 2>/dev/null | grep -q "\"mode\":\"routed\""' &&
		wait_for 5 eval '[ -n "$(global_addr pi43 eth0 2001:db8:1200:)" ]'; then
		run gw "$ISLANDCTL" -S "$(islandd_sock gw)" island
		PI43_PD=$(global_addr pi43 eth0 2001:db8:1200:)
		dad_wait pi43
		run pi43 ip -6 -br addr show dev eth0
		run pi43 ping -6 -n -c 2 -i 0.5 -W 2 -I "$PI43_PD" "$INET_ADDR" || failed=1
	else
		say "the island did not switch to routed mode"; ctl gw island; tail -n 5 "$ISL_RUN/kea-demo.log"; failed=1
	fi
else
	bold "Act 5 skipped: kea-dhcp6 with its run_script hook is not installed"
fi

bold "Stopping islandd (SIGTERM): it removes its routes"
stop_islandd gw TERM 10 || failed=1
routes=$(routes73 gw; routes73_v4 gw)
if [ -z "$routes" ]; then say "no proto $ISLANDD_RTPROTO route left on gw"; else say "left behind: $routes"; failed=1; fi

bold "Tearing the island down"
netns_cleanup
trap - EXIT
left=$(ns_list_prefix "$ISL_NS_PREFIX")
[ -z "$left" ] && say "all namespaces removed" || { say "left: $left"; failed=1; }
if [ "$failed" -eq 0 ]; then echo; echo "demo: OK"; else echo; echo "demo: something failed (see above)"; fi
exit "$failed"
