# Helpers for the RA integration tests (tests/integ/ra_*.sh).
#
#   ra_island_build          the seed-000 island, the cluster hosts on SLAAC:
#                            isp (radvd: /64, RDNSS, DNSSL) - laptop, gw wlan0;
#                            gw eth0 - sw - h1, h2 (accept_ra, DAD on)
#   ra_radvd_start NS IF PREFIX [EXTRA]   (re)start radvd with RDNSS/DNSSL
#   ra_radvd_stop NS
#   ra_capture_start NS IF FILE / ra_capture_stop   tcpdump of RAs
#   ra_icmp_hex FILE [N]     the ICMPv6 bytes of each RA in a capture, hex
#   ra_send NS IF KIND ...   crafted RAs (scapy): good, hlim254, global-src,
#                            zero-len-opt, bad-rdnss, truncated-pio
#   addr_flags NS IF ADDR    "deprecated", "dadfailed", "tentative", ... of ADDR
#
# Addresses (set by ra_island_build): GW_ETH_LL GW_WLAN_LL LAPTOP_ADDR.

# shellcheck source=islandd.sh
. "$(dirname "${BASH_SOURCE[0]}")/islandd.sh"

RA_PREFIX=2001:db8:abc:123::/64
RA_PREFIX_STR=2001:db8:abc:123:
RA_NEW_PREFIX=2001:db8:abc:456::/64
RA_NEW_PREFIX_STR=2001:db8:abc:456:
RA_RDNSS=2001:db8:abc:123::53
RA_DNSSL=lab.example

# ra_radvd_start NS IF PREFIX [EXTRA_LINES]: radvd with a short interval
# (RA_RADVD_MIN..RA_RADVD_MAX, default 3..10 s), the prefix on-link and
# autonomous, an RDNSS and a DNSSL.
ra_radvd_start() {
	local ns=$1 iface=$2 prefix=$3 extra=${4:-} conf pid
	conf="$ISL_RUN/radvd-$ns.conf"
	pid="$ISL_RUN/radvd-$ns.pid"
	cat >"$conf" <<-EOF
	interface $iface {
		AdvSendAdvert on;
		MinRtrAdvInterval ${RA_RADVD_MIN:-3};
		MaxRtrAdvInterval ${RA_RADVD_MAX:-10};
		prefix $prefix {
			AdvOnLink on;
			AdvAutonomous on;
		};
		RDNSS $RA_RDNSS { };
		DNSSL $RA_DNSSL { };
		$extra
	};
	EOF
	chmod 644 "$conf"
	nssysctl "$ns" net.ipv6.conf.all.forwarding=1
	rm -f "$pid"
	nsexec "$ns" radvd -C "$conf" -p "$pid" -n -m stderr >>"$ISL_KEEP/radvd-$ns.log" 2>&1 &
	wait_for 5 test -s "$pid" || { cat "$ISL_KEEP/radvd-$ns.log" >&2; die "radvd did not start in $ns"; }
}

# ra_radvd_stop NS: SIGTERM (radvd sends its final RA), wait until gone.
ra_radvd_stop() {
	local pid
	pid=$(cat "$ISL_RUN/radvd-$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait_for 5 _isl_not kill -0 "$pid"
}

ra_island_build() {
	NETNS_DAD=0 ns_add isp inet laptop gw sw
	NETNS_DAD=1 ns_add h1 h2

	topo_bridge_add isp br0
	nsip isp addr add 2001:db8:abc:123::1/64 dev br0
	veth isp eth1 inet eth0
	if_up isp eth1
	if_up inet eth0
	nsip isp addr add 2001:db8:ffff::fe/64 dev eth1
	nsip inet addr add "$INET_ADDR/64" dev eth0
	nsip inet -6 route add default via 2001:db8:ffff::fe dev eth0
	ra_radvd_start isp br0 "$RA_PREFIX"

	veth laptop wlan0 isp p-laptop
	veth gw wlan0 isp p-gw
	bridge_port isp br0 p-laptop
	bridge_port isp br0 p-gw
	nssysctl gw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.wlan0.accept_ra=2
	if_up laptop wlan0
	if_up gw wlan0

	topo_bridge_add sw br0
	veth gw eth0 sw p-gw
	veth h1 eth0 sw p-h1
	veth h2 eth0 sw p-h2
	local p
	for p in p-gw p-h1 p-h2; do bridge_port sw br0 "$p"; done
	# The gateway takes no RA on its LAN side, the hosts do (default accept_ra=1).
	nssysctl gw net.ipv6.conf.eth0.accept_ra=0
	if_up gw eth0
	if_up h1 eth0
	if_up h2 eth0

	wait_for 5 test -n "$(ll_addr gw eth0)" || die "gw eth0 has no link-local address"
	GW_ETH_LL=$(ll_addr gw eth0)
	wait_slaac laptop wlan0 "$RA_PREFIX_STR" || die "laptop got no SLAAC address from radvd"
	wait_slaac gw wlan0 "$RA_PREFIX_STR" || die "gw got no SLAAC address from radvd"
	dad_wait laptop gw isp
	GW_WLAN_LL=$(ll_addr gw wlan0)
	LAPTOP_ADDR=$(global_addr laptop wlan0 "$RA_PREFIX_STR")
	note "ra island: gw eth0 $GW_ETH_LL, gw wlan0 $GW_WLAN_LL, laptop $LAPTOP_ADDR"
}

# addr_flags NS IF ADDR: the flags `ip` shows for ADDR (one line), empty if absent.
addr_flags() {
	nsip "$1" -6 -o addr show dev "$2" 2>/dev/null |
		awk -v a="$3" '{x = $4; sub("/.*", "", x); if (x == a) { $1 = $2 = $3 = $4 = ""; print; exit }}'
}

has_addr() { [ -n "$(addr_flags "$@")" ]; }

# default_via NS IF: the gateway of the default route on IF (empty if none).
default_via() {
	nsip "$1" -6 route show default dev "$2" 2>/dev/null | awk '/via/ {for (i = 1; i < NF; i++) if ($i == "via") {print $(i+1); exit}}'
}

# ra_capture_start NS IF FILE: tcpdump of ICMPv6 RAs on IF into FILE.
ra_capture_start() {
	nsexec "$1" tcpdump -i "$2" -U --immediate-mode -n -w "$3" 'icmp6 and ip6[40] == 134' >/dev/null 2>"$3.err" &
	RA_CAPTURE_PID=$!
	at_cleanup "kill $RA_CAPTURE_PID 2>/dev/null"
	wait_for 5 tcpdump_ready "$3.err" || warn "tcpdump on $1 $2 did not start"
}

ra_capture_stop() {
	sleep 0.5 # time is tested: an RA still in flight when the caller stops is captured
	kill "${RA_CAPTURE_PID:-}" 2>/dev/null
	wait "${RA_CAPTURE_PID:-}" 2>/dev/null
	RA_CAPTURE_PID=
}

# ra_icmp_hex FILE: "SRC DST HEX" of the ICMPv6 part of every RA in FILE.
ra_icmp_hex() {
	"$ISL_PY" - "$1" <<-'EOF'
	import logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.layers.inet6 import IPv6
	from scapy.utils import rdpcap
	for p in rdpcap(sys.argv[1]):
	    if IPv6 in p:
	        ip = p[IPv6]
	        print(ip.src, ip.dst, bytes(ip)[40:].hex())
	EOF
}

# ra_send NS IF KIND PREFIX: one crafted RA on IF announcing PREFIX/64, from
# IF's link-local address, with RDNSS. KIND: good, hlim254, global-src,
# zero-len-opt, bad-rdnss (RDNSS of even length), short-pio (PIO of length 3),
# code1, bad-cksum.
ra_send() {
	nsexec "$1" "$ISL_PY" - "$2" "$3" "$4" <<-'EOF'
	import ipaddress, logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.config import conf
	from scapy.layers.l2 import Ether
	from scapy.layers.inet6 import (IPv6, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptRDNSS,
	                                ICMPv6NDOptSrcLLAddr, in6_chksum)
	from scapy.sendrecv import sendp
	conf.verb = 0
	iface, kind, prefix = sys.argv[1:4]
	mac = open("/sys/class/net/%s/address" % iface).read().strip()
	ll = None
	for line in open("/proc/net/if_inet6"):
	    h, _, _, scope, _, name = line.split()
	    if name == iface and scope == "20":
	        ll = str(ipaddress.IPv6Address(bytes.fromhex(h)))
	src = ll if kind != "global-src" else prefix + "99"
	hlim = 254 if kind == "hlim254" else 255
	ra = ICMPv6ND_RA(routerlifetime=1800, code=1 if kind == "code1" else 0)
	opts = (ICMPv6NDOptPrefixInfo(prefix=prefix, prefixlen=64, L=1, A=1, validlifetime=86400,
	                              preferredlifetime=14400) /
	        ICMPv6NDOptRDNSS(dns=[prefix + "53"], lifetime=600) / ICMPv6NDOptSrcLLAddr(lladdr=mac))
	body = bytearray(bytes(ra / opts))
	if kind == "zero-len-opt":
	    body += b"\x18\x00" + b"\x00" * 6
	elif kind == "bad-rdnss":
	    body[16 + 32 + 1] = 2          # RDNSS length 2: not 1 + 2n
	elif kind == "short-pio":
	    body[16 + 1] = 3               # PIO length 3 instead of 4
	ip = IPv6(src=src, dst="ff02::1", hlim=hlim, nh=58, plen=len(body))
	body[2:4] = b"\0\0"
	cks = in6_chksum(58, ip, bytes(body))
	if kind == "bad-cksum":
	    cks ^= 0x5555
	body[2:4] = cks.to_bytes(2, "big")
	sendp(Ether(src=mac, dst="33:33:00:00:00:01") / ip / bytes(body), iface=iface)
	EOF
}

# ra_prefixes_json NS: the relayed prefixes, "PREFIX/LEN valid preferred withdrawn" per line.
ra_prefixes() {
	ctl "$1" ra --json 2>/dev/null |
		jq -r '.relays[].prefixes[] | "\(.prefix) \(.valid_s) \(.preferred_s) \(.withdrawn)"' 2>/dev/null
}

# ra_hosts NS: the hosts learned behind the downstreams, "ADDR IFACE STATE" per line.
ra_hosts() {
	ctl "$1" ra --json 2>/dev/null |
		jq -r '.relays[].downstreams[] as $d | $d.hosts[] | "\(.addr) \($d.iface) \(.state)"' 2>/dev/null
}

ra_counter() {
	ctl "$1" ra --json 2>/dev/null | jq -r --arg n "$2" '.counters[$n] // empty' 2>/dev/null
}

# ra_show_state NS: for a failing case.
ra_show_state() {
	echo "# --- RA state of $1 ---"
	{
		ctl "$1" ra 2>&1
		echo "routes proto $ISLANDD_RTPROTO:"; routes73 "$1"
		echo "daemon log (last 20 lines):"; tail -n 20 "$(islandd_log "$1")" 2>/dev/null
	} | sed 's/^/#   /'
}
