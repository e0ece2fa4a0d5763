# shellcheck shell=bash
# The seed-000 island in both families, for the IPv4 end-to-end and fault
# suites (tests/integ/24_island_ipv4.sh, 51_faults_ipv4.sh) and the demo.
#
#   island000_v4_build        island000_build (IPv6, see netns.sh) plus
#                             island000_v4_add, IPv4 on the same namespaces:
#       isp:    br0 192.168.1.1/24 (the home router: DHCPv4 server, routes,
#               no NAT so a peer sees who really connected), eth1 203.0.113.254/24
#       inet:   eth0 203.0.113.1/24 (the 'internet'), route to the home /24
#       laptop: wlan0 192.168.1.50/24, default via 192.168.1.1
#       gw:     wlan0 192.168.1.2/24 (stands for its own lease), ip_forward,
#               default via 192.168.1.1; eth0 has no IPv4 address
#       pi41, pi42: no IPv4 address (DHCP through islandd's relay)
#   island_v4_conf            the gateway's config (examples/island-ipv4.conf)
#   dnsmasq_start NS IF       dnsmasq as the home router's DHCPv4 server
#   dhcpd_start NS IF         isc-dhcp-server (dhcpd) as the same
#   dhclient_start NS IF      isc-dhcp-client on a host (own lease/pid/script)
#   dhcpcd_start NS IF        dhcpcd on a host (private /run and /var/lib)
#   v4_addr NS IF             the first IPv4 address of IF (empty if none)
#   routes73_v4 NS / has_route73_v4 NS ADDR   islandd's IPv4 routes
#   arp_stat NS NAME          a counter of the proxy ARP engine
#   arp_replies_from FILE MAC IP   ARP replies in a capture sent by MAC for IP
#
# None of these daemons writes outside $ISL_RUN: dhclient runs a script of
# ours (Debian's would rewrite the host's /etc/resolv.conf), dhcpcd runs with
# no hooks and a private /run and /var/lib.

# shellcheck source=faults.sh
. "$(dirname "${BASH_SOURCE[0]}")/faults.sh"
# shellcheck source=mdns.sh
. "$(dirname "${BASH_SOURCE[0]}")/mdns.sh"

HOME_NET=192.168.1.0/24
HOME_ROUTER=192.168.1.1
GW_WLAN4=192.168.1.2
LAPTOP4=192.168.1.50
INET4=203.0.113.1
# The server's pool, away from the static addresses above.
POOL_FIRST=192.168.1.100
POOL_LAST=192.168.1.199

island000_v4_build() {
	island000_build
	island000_v4_add
}

island000_v4_add() {
	nsip isp addr add "$HOME_ROUTER/24" dev br0
	nsip isp addr add 203.0.113.254/24 dev eth1
	nssysctl isp net.ipv4.ip_forward=1
	nsip inet addr add "$INET4/24" dev eth0
	nsip inet route add "$HOME_NET" via 203.0.113.254 dev eth0
	nsip laptop addr add "$LAPTOP4/24" dev wlan0
	nsip laptop -4 route add default via "$HOME_ROUTER" dev wlan0
	nsip gw addr add "$GW_WLAN4/24" dev wlan0
	nsip gw -4 route add default via "$HOME_ROUTER" dev wlan0
	nssysctl gw net.ipv4.ip_forward=1
}

# The gateway's config: examples/island-ipv4.conf, as shipped.
island_v4_conf() { cat "$ISL_REPO/examples/island-ipv4.conf"; }

# dnsmasq_start NS IF: DHCPv4 only (port=0: no DNS), the pool above, 2-minute
# leases, router = the home router. Lease file and log in $ISL_RUN/$ISL_KEEP.
dnsmasq_start() {
	local ns=$1 iface=$2
	nsexec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
		--interface="$iface" --bind-interfaces --dhcp-authoritative \
		--dhcp-range="$POOL_FIRST,$POOL_LAST,255.255.255.0,2m" \
		--dhcp-option=option:router,"$HOME_ROUTER" \
		--dhcp-leasefile="$ISL_RUN/dnsmasq-$ns.leases" --pid-file="$ISL_RUN/dnsmasq-$ns.pid" \
		--log-dhcp --log-facility=- >"$ISL_KEEP/dnsmasq-$ns.log" 2>&1 &
	at_cleanup "kill $! 2>/dev/null"
	wait_for 5 test -s "$ISL_RUN/dnsmasq-$ns.pid" ||
		{ cat "$ISL_KEEP/dnsmasq-$ns.log" >&2; die "dnsmasq did not start in $ns"; }
}

# dhcpd_start NS IF: isc-dhcp-server for the home /24 (same pool and router).
dhcpd_start() {
	local ns=$1 iface=$2 conf="$ISL_RUN/dhcpd-$1.conf" leases="$ISL_RUN/dhcpd-$1.leases"
	cat >"$conf" <<-EOF
	authoritative;
	default-lease-time 120;
	max-lease-time 120;
	ddns-update-style none;
	subnet 192.168.1.0 netmask 255.255.255.0 {
		range $POOL_FIRST $POOL_LAST;
		option routers $HOME_ROUTER;
	}
	EOF
	: >"$leases"
	nsexec "$ns" dhcpd -4 -f -d -cf "$conf" -lf "$leases" -pf "$ISL_RUN/dhcpd-$ns.pid" \
		"$iface" >"$ISL_KEEP/dhcpd-$ns.log" 2>&1 &
	at_cleanup "kill $! 2>/dev/null"
	wait_for 5 grep -q 'Sending on' "$ISL_KEEP/dhcpd-$ns.log" ||
		{ cat "$ISL_KEEP/dhcpd-$ns.log" >&2; die "dhcpd did not start in $ns"; }
}

# The script dhclient runs instead of Debian's dhclient-script: the address
# and default route only.
_dhclient_script() {
	local s="$ISL_RUN/dhclient-script"
	[ -x "$s" ] && { echo "$s"; return; }
	cat >"$s" <<-'EOF'
	#!/bin/sh
	# reason, interface, new_* are set by dhclient
	case "$reason" in
	PREINIT) ip link set dev "$interface" up ;;
	BOUND|RENEW|REBIND|REBOOT)
		if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
			ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface"
		fi
		ip -4 addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" \
			valid_lft "${new_dhcp_lease_time:-forever}" preferred_lft "${new_dhcp_lease_time:-forever}"
		for r in $new_routers; do ip -4 route replace default via "$r" dev "$interface"; break; done ;;
	EXPIRE|FAIL|RELEASE|STOP)
		[ -n "$old_ip_address" ] && ip -4 addr del "$old_ip_address/$old_subnet_mask" dev "$interface" ;;
	esac
	exit 0
	EOF
	chmod 755 "$s"
	echo "$s"
}

# dhclient_start NS IF: isc-dhcp-client in the foreground, in the background.
dhclient_start() {
	local ns=$1 iface=$2 script
	script=$(_dhclient_script)
	nsexec "$ns" dhclient -4 -d -v -sf "$script" -lf "$ISL_RUN/dhclient-$ns.leases" \
		-pf "$ISL_RUN/dhclient-$ns.pid" "$iface" >"$ISL_KEEP/dhclient-$ns.log" 2>&1 &
	DHCLIENT_PID=$!
	at_cleanup "kill $DHCLIENT_PID 2>/dev/null"
}

# dhcpcd_start NS IF: dhcpcd (IPv4 only, no hooks: it sets the address and
# routes itself) with its own /run and /var/lib (a private mount namespace).
dhcpcd_start() {
	local ns=$1 iface=$2 d="$ISL_RUN/dhcpcd-$1"
	mkdir -p "$d/run" "$d/db"
	printf 'ipv4only\nnoipv4ll\nnohook resolv.conf\nnohook hostname\nnohook ntp.conf\n' >"$d/dhcpcd.conf"
	ip netns exec "$ISL_NS_PREFIX$ns" unshare -m --propagation private sh -c '
		mount --bind "$1/run" /run && mount --bind "$1/db" /var/lib/dhcpcd || exit 99
		exec dhcpcd -B -d -4 -f "$1/dhcpcd.conf" -c /bin/true "$2"' sh "$d" "$iface" \
		>"$ISL_KEEP/dhcpcd-$ns.log" 2>&1 &
	DHCPCD_PID=$!
	at_cleanup "kill $DHCPCD_PID 2>/dev/null"
}

# v4_addr NS IF: the first IPv4 address of IF.
v4_addr() {
	nsip "$1" -4 -o addr show dev "$2" 2>/dev/null | awk '{sub("/.*", "", $4); print $4; exit}'
}

# in_pool ADDR: ADDR is one the home router's server hands out.
in_pool() {
	local last=${1##*.}
	[ "${1%.*}" = 192.168.1 ] && [ "$last" -ge "${POOL_FIRST##*.}" ] && [ "$last" -le "${POOL_LAST##*.}" ]
}

# arp_stat NS NAME: one counter of the proxy ARP (`islandctl stats`'s "arp").
arp_stat() {
	ctl "$1" stats --json 2>/dev/null | jq -r --arg n "$2" '.arp[$n] // empty' 2>/dev/null
}

routes73_v4() { nsip "$1" -4 route show proto "$ISLANDD_RTPROTO" 2>/dev/null; }

# has_route73_v4 NS ADDR [DEV]: islandd's /32 route to ADDR (through DEV).
has_route73_v4() {
	routes73_v4 "$1" | awk -v d="$2" -v dev="${3:-}" '
		{ a = $1; sub("/32$", "", a); if (a != d) next
		  if (dev == "") { f = 1; next }
		  for (i = 2; i < NF; i++) if ($i == "dev" && $(i + 1) == dev) f = 1 }
		END { exit !f }'
}

# arp_replies_from FILE MAC IP: ARP replies in capture FILE sent by MAC
# saying "IP is at ...".
arp_replies_from() {
	tcpdump -r "$1" -n -e "arp[6:2] = 2 and ether src $2 and arp[14:4] = $(ip_hex "$3")" 2>/dev/null | wc -l
}

# ip_hex A.B.C.D: 0xAABBCCDD, for tcpdump's arp[14:4] comparisons.
ip_hex() {
	local IFS=.
	# shellcheck disable=SC2086
	printf '0x%02x%02x%02x%02x' $1
}
