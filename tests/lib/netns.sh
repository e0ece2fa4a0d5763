# Network-namespace topologies for islandd's tests and demo.
#
# Every namespace is named "$ISL_NS_PREFIX<short name>"; the prefix is unique
# per run (tests/run.sh passes one per script, otherwise "isl<pid>-"), so
# parallel runs and leftovers of a crashed run never collide. Interfaces are
# created inside the namespaces, never in the host's, so their names can be
# the ones of the seeds (wlan0, eth0) and nothing touches the host network.
#
# netns_cleanup (installed on EXIT/INT/TERM by netns_init) kills every process
# in our namespaces and deletes them, whatever state the test died in.

# shellcheck source=common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ISL_NS_PREFIX=${ISL_NS_PREFIX:-isl$$-}
ISL_NS_LIST=()
ISL_CLEANUP_HOOKS=()
# NETNS_DAD=1 keeps Duplicate Address Detection on in namespaces created
# afterwards; tests that do not test DAD turn it off to save 1-2 s per address.
NETNS_DAD=${NETNS_DAD:-0}

netns_init() {
	need_cmd ip
	run_dir_init
	trap 'netns_cleanup' EXIT
	trap 'netns_cleanup; trap - EXIT; exit 130' INT
	trap 'netns_cleanup; trap - EXIT; exit 143' TERM
}

# at_cleanup CMD...: run CMD (e.g. stop a daemon cleanly) before namespaces go.
at_cleanup() { ISL_CLEANUP_HOOKS+=("$*"); }

# ns_list_prefix PREFIX: full names of existing namespaces starting with PREFIX.
ns_list_prefix() {
	ip netns list 2>/dev/null | awk -v p="$1" 'index($1, p) == 1 {print $1}'
}

nsn() { printf '%s%s' "$ISL_NS_PREFIX" "$1"; }

# nsexec NS CMD...: run CMD inside namespace NS (short name).
nsexec() {
	local ns=$1; shift
	ip netns exec "$ISL_NS_PREFIX$ns" "$@"
}

# nsip NS ARGS...: `ip` inside namespace NS, cheaper than nsexec ip.
nsip() {
	local ns=$1; shift
	ip -n "$ISL_NS_PREFIX$ns" "$@"
}

# nssysctl NS KEY=VALUE...
nssysctl() {
	local ns=$1; shift
	nsexec "$ns" sysctl -q -w "$@" >/dev/null
}

netns_cleanup() {
	local rc=$? hook ns pids i
	trap - INT TERM
	for (( i = ${#ISL_CLEANUP_HOOKS[@]} - 1; i >= 0; i-- )); do
		eval "${ISL_CLEANUP_HOOKS[$i]}" || true
	done
	ISL_CLEANUP_HOOKS=()
	# Every namespace with our prefix, including ones a half-built topology
	# created before failing.
	mapfile -t ISL_NS_LIST < <(ns_list_prefix "$ISL_NS_PREFIX")
	for ns in "${ISL_NS_LIST[@]}"; do
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
	done
	for ns in "${ISL_NS_LIST[@]}"; do
		for i in $(seq 40); do
			pids=$(ip netns pids "$ns" 2>/dev/null)
			[ -z "$pids" ] && break
			[ "$i" -eq 30 ] && kill -9 $pids 2>/dev/null
			sleep 0.05 # poll interval of a wait for the processes to exit
		done
		ip netns delete "$ns" 2>/dev/null || warn "could not delete namespace $ns"
	done
	ISL_NS_LIST=()
	if [ -n "${ISL_RUN:-}" ] && [ -z "${ISL_KEEP_RUN:-}" ]; then
		rm -rf "$ISL_RUN"
	fi
	return $rc
}

# ns_add NAME...: a namespace with lo up, DAD off unless NETNS_DAD=1, and
# router solicitations sent at once (the default waits 1 s, then 4 s).
ns_add() {
	local n
	for n in "$@"; do
		ip netns add "$ISL_NS_PREFIX$n" || die "ip netns add $ISL_NS_PREFIX$n failed"
		ISL_NS_LIST+=("$ISL_NS_PREFIX$n")
		nsip "$n" link set lo up
		if [ "$NETNS_DAD" = 1 ]; then
			nssysctl "$n" net.ipv6.conf.all.accept_dad=1 net.ipv6.conf.default.accept_dad=1
		else
			nssysctl "$n" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		fi
		nssysctl "$n" net.ipv6.conf.default.router_solicitation_delay=0 \
			net.ipv6.conf.default.router_solicitation_interval=1 \
			net.ipv6.conf.default.router_solicitations=-1
	done
}

# veth NS1 IF1 NS2 IF2: a veth pair with one end in each namespace.
veth() {
	nsip "$1" link add "$2" type veth peer name "$4" netns "$ISL_NS_PREFIX$3" ||
		die "veth $1:$2 <-> $3:$4 failed"
}

# bridge_add NS BR: a switch or Wi-Fi access point as they ship: no STP
# delay, MLD snooping with a querier (MLDv2, RFC 3810 defaults). Multicast
# then reaches only the ports whose hosts reported the group, and ports
# behind which a multicast router was seen (its queries, or RFC 4286
# advertisements); a solicitation for a host nobody answers for reaches no
# one. ff02::1 (RAs, unsolicited NAs) still reaches every port: Linux never
# snoops all-nodes. mcast_flood stays on for that reason: it only matters
# while no querier is known (then the bridge floods like a dumb one), and
# turning it off would also cut all-nodes off those ports.
# Snooping applies once the bridge has a querier and has heard the hosts'
# reports: wait for a state (bridge_mdb_has), not for time.
# The querier needs a source address: the bridge gets its link-local one
# only once it has carrier, so a stub port (a veth pair with nobody behind it) gives it one at once, and the
# querier is switched on after it: its first query then leaves with that
# address and snooping applies a query response interval (1 s here, 10 s
# in RFC 3810's defaults; hosts answer within it) later, instead of after
# the second startup query 31 s on.
bridge_add() {
	nsip "$1" link add "$2" type bridge stp_state 0 forward_delay 0 \
		mcast_snooping 1 mcast_querier 0 mcast_mld_version 2 mcast_query_response_interval 100 ||
		die "bridge $1:$2 failed"
	nsip "$1" link add "$2-q" type veth peer name "$2-qp" && nsip "$1" link set "$2-q" master "$2" &&
		nsip "$1" link set "$2-qp" up && nsip "$1" link set "$2-q" up ||
		die "bridge $1:$2: stub port failed"
	nsip "$1" link set "$2" up
	wait_for 5 test -n "$(ll_addr "$1" "$2")" || die "bridge $1:$2 has no link-local address"
	nsip "$1" link set "$2" type bridge mcast_querier 1
}

# bridge_add_dumb NS BR: a dumb hub-like switch without snooping: every
# multicast frame reaches every port (for suites whose senders must reach
# every port with frames to groups nobody joined).
bridge_add_dumb() {
	nsip "$1" link add "$2" type bridge stp_state 0 forward_delay 0 mcast_snooping 0 ||
		die "bridge $1:$2 failed"
	nsip "$1" link set "$2" up
}

# mcast_member NS IF GROUP: a process in NS listening to IPv6 multicast
# GROUP on IF (as avahi on a laptop listens to ff02::fb), so snooping
# switches forward GROUP to that port: for capture points on a snooping LAN,
# which otherwise see only the groups their host joined. Ends with the test.
mcast_member() {
	nsexec "$1" "$ISL_PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
mreq = socket.inet_pton(socket.AF_INET6, sys.argv[2]) + socket.if_nametoindex(sys.argv[1]).to_bytes(4, sys.byteorder)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
time.sleep(86400)' "$2" "$3" >/dev/null 2>&1 &
	at_cleanup "kill $! 2>/dev/null"
}

# topo_bridge_add NS BR: bridge_add, or bridge_add_dumb when ISL_BRIDGE=dumb.
topo_bridge_add() {
	if [ "${ISL_BRIDGE:-}" = dumb ]; then bridge_add_dumb "$@"; else bridge_add "$@"; fi
}

# bridge_mdb_has NS BR PORT GROUP: the bridge forwards GROUP to PORT (an
# entry its snooping learned from that port's reports).
bridge_mdb_has() {
	nsexec "$1" bridge mdb show dev "$2" 2>/dev/null |
		awk -v p="$3" -v g="$4" '$4 == p && $6 == g {f = 1} END {exit !f}'
}

# bridge_port NS BR IF: enslave IF to BR and bring it up.
bridge_port() {
	nsip "$1" link set "$3" master "$2" && nsip "$1" link set "$3" up
}

# if_up NS IF...
if_up() {
	local ns=$1 i; shift
	for i in "$@"; do nsip "$ns" link set "$i" up || return 1; done
}

# ll_addr NS IF: the interface's link-local address (empty if none yet).
ll_addr() {
	nsip "$1" -6 -o addr show dev "$2" scope link 2>/dev/null |
		awk '{sub("/.*", "", $4); print $4; exit}'
}

# mac_addr NS IF
mac_addr() {
	nsip "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# global_addr NS IF [PREFIX]: first global address (optionally the first one
# starting with PREFIX, a plain string match like "2001:db8:abc:123:").
global_addr() {
	nsip "$1" -6 -o addr show dev "$2" scope global 2>/dev/null |
		awk -v p="${3:-}" '{a = $4; sub("/.*", "", a); if (p == "" || index(a, p) == 1) { print a; exit }}'
}

# has_tentative NS: any address still doing DAD?
has_tentative() {
	nsip "$1" -6 addr show tentative 2>/dev/null | grep -q inet6
}

# dad_wait NS...: until no address is tentative (DAD_TIMEOUT s, default 5).
dad_wait() {
	local ns
	for ns in "$@"; do
		wait_for "${DAD_TIMEOUT:-5}" _isl_not has_tentative "$ns" || { warn "DAD still running in $ns"; return 1; }
	done
}

# ping6_ok NS DST [TIMEOUT_S]: retry single pings until one is answered.
# The first echo may be lost while a proxy resolves the target.
ping6_ok() {
	wait_for "${3:-10}" nsexec "$1" ping -6 -n -c 1 -W 1 "$2"
}

# ping6_fails NS DST: two pings (0.3 s apart, 1 s wait) all go unanswered.
ping6_fails() {
	! nsexec "$1" ping -6 -n -c 2 -i 0.3 -W 1 "$2" >/dev/null 2>&1
}

# ns_has_proc NS COMM: a process named COMM runs in namespace NS.
ns_has_proc() {
	local pid
	for pid in $(ip netns pids "$ISL_NS_PREFIX$1" 2>/dev/null); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

# Start radvd in NS on IFACE advertising PREFIX (on-link, autonomous).
# Logs to $ISL_RUN/radvd-NS.log.
radvd_start() {
	local ns=$1 iface=$2 prefix=$3 conf pid
	conf="$ISL_RUN/radvd-$ns.conf"
	pid="$ISL_RUN/radvd-$ns.pid"
	cat >"$conf" <<-EOF
	interface $iface {
		AdvSendAdvert on;
		MinRtrAdvInterval 3;
		MaxRtrAdvInterval 10;
		prefix $prefix {
			AdvOnLink on;
			AdvAutonomous on;
		};
	};
	EOF
	chmod 644 "$conf"
	# radvd wants the node to be a router.
	nssysctl "$ns" net.ipv6.conf.all.forwarding=1
	nsexec "$ns" radvd -C "$conf" -p "$pid" -n -m stderr >"$ISL_KEEP/radvd-$ns.log" 2>&1 &
	wait_for 5 test -s "$pid" || { cat "$ISL_KEEP/radvd-$ns.log" >&2; die "radvd did not start in $ns"; }
}

# wait_slaac NS IF PREFIX [TIMEOUT]: until IF has an address starting with
# PREFIX and a default route (both from the RA).
wait_slaac() {
	wait_for "${4:-15}" _isl_slaac_done "$1" "$2" "$3"
}
_isl_slaac_done() {
	[ -n "$(global_addr "$1" "$2" "$3")" ] &&
		nsip "$1" -6 route show default dev "$2" | grep -q via
}

# --- Topology: the seed-000 island ------------------------------------------
#
#   inet (2001:db8:ffff::1) --eth0---eth1-- isp: br0 2001:db8:abc:123::1/64, radvd
#                                             |p-laptop          |p-gw
#                                       laptop: wlan0 (SLAAC)   gw: wlan0 (SLAAC, accept_ra=2)
#                                                                   eth0 fd2f::1/64
#                                                                    |
#                                             sw: br0 (p-gw, p-pi41, p-pi42)
#                                                  |                  |
#      pi41: eth0 2001:db8:abc:123:41::1/80 fd2f::41   pi42: eth0 ...:42::1/80 fd2f::42
#
# gw forwards, but has no route for 2001:db8:abc:123:40::/76 and no proxy_ndp:
# reaching the pis is islandd's job. After island000_build these are set:
# GW_WLAN_LL GW_WLAN_MAC GW_WLAN_ADDR GW_ETH_LL LAPTOP_ADDR LAPTOP_LL LAPTOP_MAC
ISP_PREFIX=2001:db8:abc:123::/64
PI41_ADDR=2001:db8:abc:123:41::1
PI42_ADDR=2001:db8:abc:123:42::1
INET_ADDR=2001:db8:ffff::1
GW_ULA=fd2f::1

#
# ISL_BRIDGE=dumb builds every switch of the topology without MLD snooping
# (bridge_add_dumb; ra_island_build too), for suites that need flooding:
# the load suites, whose targets are a static /80 with nobody behind it (too
# many addresses to join their solicited-node groups, so a snooping access
# point would never forward their solicitations, as on a real one: see
# islandd(8), MEMBERSHIPS), and the hostile ones (malformed frames, which a
# snooping Linux bridge parses and drops, and groups nobody joined).
island000_build() {
	ns_add isp inet laptop gw sw pi41 pi42

	# ISP router: the upstream /64 on a bridge, plus an 'internet' behind it.
	topo_bridge_add isp br0
	nsip isp addr add 2001:db8:abc:123::1/64 dev br0
	veth isp eth1 inet eth0
	if_up isp eth1
	if_up inet eth0
	nsip isp addr add 2001:db8:ffff::fe/64 dev eth1
	nsip inet addr add "$INET_ADDR/64" dev eth0
	nsip inet -6 route add default via 2001:db8:ffff::fe dev eth0
	radvd_start isp br0 "$ISP_PREFIX"

	# The laptop and the gateway are Wi-Fi clients of the ISP router.
	veth laptop wlan0 isp p-laptop
	veth gw wlan0 isp p-gw
	bridge_port isp br0 p-laptop
	bridge_port isp br0 p-gw
	# A router still takes the RA on its uplink when accept_ra=2.
	nssysctl gw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.wlan0.accept_ra=2
	if_up laptop wlan0
	if_up gw wlan0

	# The cluster LAN behind the gateway's eth0.
	topo_bridge_add sw br0
	veth gw eth0 sw p-gw
	veth pi41 eth0 sw p-pi41
	veth pi42 eth0 sw p-pi42
	local p
	for p in p-gw p-pi41 p-pi42; do bridge_port sw br0 "$p"; done
	nsip gw addr add "$GW_ULA/64" dev eth0
	if_up gw eth0
	nsip pi41 addr add "$PI41_ADDR/80" dev eth0 noprefixroute
	nsip pi41 addr add fd2f::41/64 dev eth0
	nsip pi42 addr add "$PI42_ADDR/80" dev eth0 noprefixroute
	nsip pi42 addr add fd2f::42/64 dev eth0
	if_up pi41 eth0
	if_up pi42 eth0

	wait_for 5 test -n "$(ll_addr gw eth0)" || die "gw eth0 has no link-local address"
	GW_ETH_LL=$(ll_addr gw eth0)
	# What dnsmasq's RA gives the pis in the seed: a default route via gw.
	nsip pi41 -6 route add default via "$GW_ETH_LL" dev eth0
	nsip pi42 -6 route add default via "$GW_ETH_LL" dev eth0

	wait_slaac laptop wlan0 2001:db8:abc:123: || die "laptop got no SLAAC address/default route from radvd"
	wait_slaac gw wlan0 2001:db8:abc:123: || die "gw got no SLAAC address/default route from radvd"
	dad_wait laptop gw pi41 pi42 isp
	GW_WLAN_LL=$(ll_addr gw wlan0)
	GW_WLAN_MAC=$(mac_addr gw wlan0)
	GW_WLAN_ADDR=$(global_addr gw wlan0 2001:db8:abc:123:)
	LAPTOP_ADDR=$(global_addr laptop wlan0 2001:db8:abc:123:)
	LAPTOP_LL=$(ll_addr laptop wlan0)
	LAPTOP_MAC=$(mac_addr laptop wlan0)
	note "island000: laptop $LAPTOP_ADDR, gw wlan0 $GW_WLAN_ADDR ($GW_WLAN_LL), gw eth0 $GW_ETH_LL"
}

# The seed-000 ndppd.conf, verbatim (seed text, with its closing braces).
island000_conf() {
	cat <<'EOF'
proxy wlan0 {
	autowire yes
	rule 2001:db8:abc:123:40::/76 {
		iface eth0
	}
}
EOF
}

# --- Topology: the seed-004 VPS with a tunnel home --------------------------
#
#  prov: eth0 2001:db8::1/64, radvd, lo 2001:db8:ffff::1 ('internet')
#    |
#  vps:  eth0 2001:db8::2 (SLAAC, token ::2, accept_ra=2), forwarding
#        ul0 10.44.0.1/30 --(underlay veth)-- home: ul0 10.44.0.2/30
#        tun0 2001:db8::4000:0:0:1/66 ====openvpn p2p (tun)==== home: tun0 2001:db8::4000:0:0:2/66
#        route 2001:db8::8000:0:0:0/67 via tun0
#  home: eth1 2001:db8::8000:0:0:1/67, default via tun0
#    |
#  lan:  eth0 2001:db8::8000:0:0:100/67 (the host in the routed part of the /64)
#
# The VPS answers for the whole /64 with the seed's `static` rule.
VPS_ADDR=2001:db8::2
PROV_ADDR=2001:db8::1
PROV_INET=2001:db8:ffff::1
VPS_TUN=2001:db8::4000:0:0:1
HOME_TUN=2001:db8::4000:0:0:2
HOME_LAN_GW=2001:db8::8000:0:0:1
LAN_HOST=2001:db8::8000:0:0:100

vps004_build() {
	need_cmd openvpn
	ns_add prov vps home lan

	veth prov eth0 vps eth0
	nsip prov addr add "$PROV_ADDR/64" dev eth0
	nsip prov addr add "$PROV_INET/128" dev lo
	if_up prov eth0
	radvd_start prov eth0 2001:db8::/64

	nssysctl vps net.ipv6.conf.all.forwarding=1 net.ipv6.conf.eth0.accept_ra=2
	nsip vps token set ::2 dev eth0 || die "ip token failed"
	if_up vps eth0

	# Underlay for the tunnel: private IPv4 that exists only in these two.
	veth vps ul0 home ul0
	nsip vps addr add 10.44.0.1/30 dev ul0
	nsip home addr add 10.44.0.2/30 dev ul0
	if_up vps ul0
	if_up home ul0

	# Persistent tun devices that openvpn attaches to, addressed by us.
	nsip vps tuntap add dev tun0 mode tun
	nsip home tuntap add dev tun0 mode tun
	nsip vps addr add "$VPS_TUN/66" dev tun0
	nsip home addr add "$HOME_TUN/66" dev tun0
	if_up vps tun0
	if_up home tun0
	openvpn --genkey secret "$ISL_RUN/ovpn.key" >/dev/null 2>&1 ||
		openvpn --genkey --secret "$ISL_RUN/ovpn.key" >/dev/null 2>&1 ||
		die "openvpn --genkey failed"
	_isl_openvpn vps 10.44.0.1 10.44.0.2
	_isl_openvpn home 10.44.0.2 10.44.0.1

	nssysctl home net.ipv6.conf.all.forwarding=1
	veth home eth1 lan eth0
	nsip home addr add "$HOME_LAN_GW/67" dev eth1
	nsip lan addr add "$LAN_HOST/67" dev eth0
	if_up home eth1
	if_up lan eth0
	nsip lan -6 route add default via "$HOME_LAN_GW" dev eth0
	nsip home -6 route add default via "$VPS_TUN" dev tun0
	nsip vps -6 route add 2001:db8::8000:0:0:0/67 via "$HOME_TUN" dev tun0

	wait_slaac vps eth0 2001:db8:: || die "vps got no SLAAC address/default route from radvd"
	[ "$(global_addr vps eth0 2001:db8::)" = "$VPS_ADDR" ] ||
		die "vps eth0 is $(global_addr vps eth0 2001:db8::), expected $VPS_ADDR (token)"
	wait_for 15 nsexec vps ping -6 -n -c 1 -W 1 "$HOME_TUN" ||
		{ tail -n 20 "$ISL_KEEP"/openvpn-*.log >&2; die "openvpn tunnel does not carry traffic"; }
	dad_wait prov vps home lan
	VPS_ETH_LL=$(ll_addr vps eth0)
	VPS_ETH_MAC=$(mac_addr vps eth0)
	note "vps004: tunnel up, vps eth0 $VPS_ADDR ($VPS_ETH_LL)"
}

# _isl_openvpn NS LOCAL4 REMOTE4: p2p static-key openvpn over the underlay.
_isl_openvpn() {
	local ns=$1
	nsexec "$ns" openvpn --mode p2p --dev tun0 --dev-type tun --disable-dco \
		--proto udp --local "$2" --lport 1194 --remote "$3" --rport 1194 \
		--secret "$ISL_RUN/ovpn.key" --cipher AES-256-CBC --auth SHA256 \
		--ping 1 --verb 3 --writepid "$ISL_RUN/openvpn-$ns.pid" \
		>"$ISL_KEEP/openvpn-$ns.log" 2>&1 &
}

# The seed-004 ndppd.conf, verbatim.
vps004_conf() {
	cat <<'EOF'
route-ttl 30000
proxy eth0 {
   router yes
   timeout 500
   ttl 30000
   rule 2001:DB8::/64 {
      static
   }
}
EOF
}

# --- Topology: a gateway whose routing table decides (`auto` rule) ---------
#
#  aup: eth0 2001:db8:aa::1/64 (upstream router, on-link /64)
#    |
#  agw: wan0 2001:db8:aa::2/64, forwarding
#       lan1 -> ah1: eth0 2001:db8:aa:0:11::1/80   route 2001:db8:aa:0:11::/80 dev lan1
#       lan2 -> ah2: eth0 2001:db8:aa:0:12::1/80   route 2001:db8:aa:0:12::/80 dev lan2
#
# The hosts use noprefixroute addresses and a default route via agw, like the
# pis. agw's routes (not the config) say which link each host is on.
AUTO_H1=2001:db8:aa:0:11::1
AUTO_H2=2001:db8:aa:0:12::1
AUTO_UP=2001:db8:aa::1
AUTO_GW=2001:db8:aa::2

auto_build() {
	ns_add aup agw ah1 ah2
	veth aup eth0 agw wan0
	nsip aup addr add "$AUTO_UP/64" dev eth0
	nsip agw addr add "$AUTO_GW/64" dev wan0
	if_up aup eth0
	if_up agw wan0
	nssysctl agw net.ipv6.conf.all.forwarding=1
	veth agw lan1 ah1 eth0
	veth agw lan2 ah2 eth0
	if_up agw lan1 lan2
	nsip ah1 addr add "$AUTO_H1/80" dev eth0 noprefixroute
	nsip ah2 addr add "$AUTO_H2/80" dev eth0 noprefixroute
	if_up ah1 eth0
	if_up ah2 eth0
	nsip agw -6 route add 2001:db8:aa:0:11::/80 dev lan1
	nsip agw -6 route add 2001:db8:aa:0:12::/80 dev lan2
	wait_for 5 test -n "$(ll_addr agw lan2)" || die "agw lan2 has no link-local address"
	nsip ah1 -6 route add default via "$(ll_addr agw lan1)" dev eth0
	nsip ah2 -6 route add default via "$(ll_addr agw lan2)" dev eth0
	dad_wait aup agw ah1 ah2
	AGW_WAN_LL=$(ll_addr agw wan0)
	AGW_WAN_MAC=$(mac_addr agw wan0)
	note "auto: agw wan0 $AUTO_GW ($AGW_WAN_LL)"
}

auto_conf() {
	cat <<'EOF'
proxy wan0 {
	rule 2001:db8:aa:0:10::/76 {
		auto
	}
}
EOF
}
