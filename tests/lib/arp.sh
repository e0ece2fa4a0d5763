# The IPv4 island of the proxy ARP suites (23_proxy_arp, 43_hostile_arp):
#
#   hr br0 192.168.1.1/24 [lan0, sta0] --- wlan0 gw eth0 --- eth0 pi41 192.168.1.41/24
#                    |                (gw: wlan0 192.168.1.2/24, eth0 no address)
#                  sta0 --- wifi0 mv  (a Wi-Fi station: nothing on it until a test puts it there)
#
# hr is the home router (a bridge, as its Wi-Fi is), gw runs islandd, pi41
# is an island host. Source after islandd.sh and netns_init.

# arp_island_build: the namespaces above, links up, addresses, the gateway
# forwarding IPv4 with the kernel's own proxy_arp off; sets GW_WLAN0,
# GW_ETH0, PI41_MAC, HR_MAC, MV_MAC.
arp_island_build() {
	local l
	ns_add hr gw pi41 mv
	bridge_add_dumb hr br0
	veth hr lan0 gw wlan0
	veth gw eth0 pi41 eth0
	veth hr sta0 mv wifi0
	nsip hr link set lan0 master br0
	nsip hr link set sta0 master br0
	for l in "hr lan0" "hr sta0" "gw wlan0" "gw eth0" "pi41 eth0" "mv wifi0"; do
		set -- $l
		nsip "$1" link set "$2" up
	done
	nsip hr addr add 192.168.1.1/24 dev br0
	nsip gw addr add 192.168.1.2/24 dev wlan0
	nsip pi41 addr add 192.168.1.41/24 dev eth0
	nsip pi41 route add default via 192.168.1.1
	nssysctl gw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		net.ipv4.conf.wlan0.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
		net.ipv4.conf.all.proxy_arp=0 net.ipv4.conf.wlan0.proxy_arp=0 net.ipv4.conf.eth0.proxy_arp=0
	GW_WLAN0=$(mac_of gw wlan0)
	GW_ETH0=$(mac_of gw eth0)
	PI41_MAC=$(mac_of pi41 eth0)
	HR_MAC=$(mac_of hr br0)
	MV_MAC=$(mac_of mv wifi0)
}

mac_of() { nsip "$1" -j link show "$2" | jq -r '.[0].address'; }
# islandd's IPv4 routes in gw, "DST dev IF ..." one per line.
routes4() { nsip gw -4 route show proto "$ISLANDD_RTPROTO" 2>/dev/null; }
has_route4() { routes4 | grep -q "^$1 dev $2"; }
# One counter of `islandctl stats`' "arp" object (empty if absent).
arp_counter() { ctl gw stats --json 2>/dev/null | jq -r --arg n "$1" '.arp[$n] // empty'; }
arp_counter_at_least() { local v; v=$(arp_counter "$1"); [ -n "$v" ] && [ "$v" -ge "$2" ]; }
# NS's neighbour entry for ADDR on IF: its MAC, empty when none.
neigh_mac() { nsip "$1" -j neigh show "$2" dev "$3" | jq -r '.[0].lladdr // empty'; }
# arping from hr: the MAC that answered for ADDR within SECONDS, empty when nobody did.
arping_mac() { nsexec hr arping -r -c 1 -w "${2:-3}" -i br0 "$1" 2>/dev/null | head -n 1; }
