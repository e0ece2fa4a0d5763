# The DHCPv4 relay suites' island (tests/integ/25_dhcp4_relay.sh,
# 44_hostile_dhcp4.sh): a home router "home" (lan0, NET.1/24, dnsmasq as
# its DHCP server), the gateway "gw" (wlan0 = NET.2/24 upstream, eth0,
# eth1... island links) and island hosts h1, h2... one per island link,
# with dhclient driven by a script that touches nothing of the host's.
#
#   dhcp4_island_build NET NHOSTS   namespaces and links; HOME_ADDR, GW_ADDR, D4T
#   dhcp4_dnsmasq FIRST LAST        dnsmasq on home: NET.FIRST-NET.LAST, 120 s leases
#   run_dhclient NS                 one attempt of at most 30 s (retransmits every 1-2 s)
#   addr4 NS                        the first IPv4 address of NS's eth0

# shellcheck source=netns.sh
. "$(dirname "${BASH_SOURCE[0]}")/netns.sh"

dhcp4_island_build() {
	local net=$1 n=$2 i
	HOME_ADDR=$net.1
	GW_ADDR=$net.2
	D4_NET=$net
	D4T=$ISL_RUN/dhcp4
	mkdir -p "$D4T"
	ns_add home gw
	veth home lan0 gw wlan0
	nsip home link set lan0 up
	nsip home addr add "$HOME_ADDR/24" dev lan0
	nsip gw link set wlan0 up
	nsip gw addr add "$GW_ADDR/24" dev wlan0
	for (( i = 1; i <= n; i++ )); do
		ns_add "h$i"
		veth gw "eth$((i - 1))" "h$i" eth0
		nsip gw link set "eth$((i - 1))" up
		nsip "h$i" link set eth0 up
	done
	dhcp4_client_files
}

# dnsmasq: DHCP only (port 0: no DNS), its own lease, pid and log files.
dhcp4_dnsmasq() {
	nsexec home dnsmasq --conf-file=/dev/null --port=0 --interface=lan0 --bind-interfaces \
		--dhcp-range="$D4_NET.$1,$D4_NET.$2,255.255.255.0,120" \
		--dhcp-option=3,"$HOME_ADDR" --dhcp-leasefile="$D4T/dnsmasq.leases" \
		--pid-file="$D4T/dnsmasq.pid" --log-dhcp --log-facility="$D4T/dnsmasq.log" --dhcp-authoritative
}

# A client script that only applies what it is given (no resolv.conf, which
# is the host's): address, default route. dhclient clears its environment.
dhcp4_client_files() {
	cat >"$D4T/dhclient-script" <<'EOF'
#!/bin/sh
case "$reason" in
BOUND|RENEW|REBIND|REBOOT)
	ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" 2>/dev/null
	[ -n "$new_routers" ] && ip route replace default via "${new_routers%% *}" dev "$interface";;
RELEASE|EXPIRE|FAIL|STOP)
	# dhclient runs this right after handing the DHCPRELEASE to the kernel,
	# which may still be resolving the server's MAC: keep the source a moment
	sleep 1
	[ -n "$old_ip_address" ] && ip addr del "$old_ip_address/$old_subnet_mask" dev "$interface" 2>/dev/null;;
esac
exit 0
EOF
	chmod +x "$D4T/dhclient-script"
	# one attempt (-1) of at most 30 s, retransmitting every 1-2 s (the
	# defaults back off to minutes)
	printf 'timeout 30;\ninitial-interval 1;\nbackoff-cutoff 2;\n' >"$D4T/dhclient.conf"
}

run_dhclient() {
	nsexec "$1" dhclient -4 -1 -v -cf "$D4T/dhclient.conf" -sf "$D4T/dhclient-script" \
		-pf "$D4T/$1.dhclient.pid" -lf "$D4T/$1.dhclient.leases" eth0 >>"$D4T/$1.dhclient.log" 2>&1
}

# dhclient_cmd NS ARGS...: the same client, for -r (release) or -x (stop).
dhclient_cmd() {
	local ns=$1; shift
	nsexec "$ns" dhclient -4 "$@" -cf "$D4T/dhclient.conf" -sf "$D4T/dhclient-script" \
		-pf "$D4T/$ns.dhclient.pid" -lf "$D4T/$ns.dhclient.leases" eth0 >>"$D4T/$ns.dhclient.log" 2>&1
}

addr4() { nsip "$1" -4 -o addr show dev eth0 | awk '{print $4}' | sed 's|/.*||' | head -n 1; }
