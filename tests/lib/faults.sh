# shellcheck shell=bash
# Helpers for the fault tests (tests/integ/50_faults_*.sh) and bench/soak.sh:
# what a daemon process holds (fds, RSS, CPU), what the kernel says about an
# interface (allmulti), NS load with bench/ndload, packet counts in captures.
#
#   proc_fds PID / proc_rss_kb PID / proc_cpu_ticks PID
#   cpu_pct PID SECONDS         % of one core PID used over the next SECONDS
#   within_kb A B MARGIN_KB MARGIN_PCT   |A - B| small enough
#   allmulti_count NS IF        the kernel's allmulti reference count of IF
#   ndload_bin                  path of bench/ndload (built if missing)
#   ndload NS ARGS...           run it in NS, print its summary line
#   kv KEY LINE                 one key=value field of such a line
#   capture_start NS IF FILE FILTER / capture_stop   tcpdump into FILE
#   pcap_count FILE [FILTER]    packets in FILE (matching a tcpdump filter)
#   island_traffic              laptop resolves both pis afresh and pings them
#   proxy_island_conf           the seed config plus a static /80 (load target)
#
# Every process started here is registered with at_cleanup, so the test's
# EXIT trap ends it before the namespaces go.

# shellcheck source=islandd.sh
. "$(dirname "${BASH_SOURCE[0]}")/islandd.sh"

# A /80 the static rule of proxy_island_conf answers for (no host behind it).
STATIC_PREFIX=2001:db8:abc:123:50::/80
# shellcheck disable=SC2034 # used by the tests that source this file
STATIC_ONE=2001:db8:abc:123:50::1

proc_fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
proc_rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# utime + stime in clock ticks. Field 2 (comm) may hold blanks, so count
# from the ")" that ends it: utime and stime are fields 14 and 15.
proc_cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	awk '{print $12 + $13}' <<<"$s"
}

# cpu_pct PID SECONDS: % of one core PID used over SECONDS (blocks), one
# decimal. The process's own utime + stime: other load does not count.
cpu_pct() {
	local pid=$1 secs=$2 t0 t1 ms0 ms1
	t0=$(proc_cpu_ticks "$pid") || return 1
	ms0=$(now_ms)
	sleep "$secs" # time is tested: the measuring interval
	t1=$(proc_cpu_ticks "$pid") || return 1
	ms1=$(now_ms)
	awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v ms=$((ms1 - ms0)) \
		'BEGIN { printf "%.1f\n", t * 100000 / (hz * ms) }'
}

# below PCT MAX: decimal PCT < MAX.
below() { awk -v v="${1:-999}" -v m="$2" 'BEGIN { exit !(v + 0 < m + 0) }'; }

# within_kb A B MARGIN_KB MARGIN_PCT: B is A plus or minus the larger margin.
within_kb() {
	local a=$1 b=$2 m=$3 p=$4 d
	[ -n "$a" ] && [ -n "$b" ] || return 1
	d=$(( b > a ? b - a : a - b ))
	[ $(( a * p / 100 )) -gt "$m" ] && m=$(( a * p / 100 ))
	[ "$d" -le "$m" ]
}

# allmulti_count NS IF: `ip -d link` prints the device's allmulti counter
# ("allmulti N"): one per holder (a packet socket's PACKET_MR_ALLMULTI, a
# multicast router), not a flag. Empty if IF is absent.
allmulti_count() {
	nsip "$1" -d link show dev "$2" 2>/dev/null | sed -n 's/.* allmulti \([0-9]*\) .*/\1/p' | head -n 1
}

# ndload_bin: the load generator, the sanitized one of `make test` first.
ndload_bin() {
	local b
	for b in "${NDLOAD:-}" "$ISL_REPO/build/asan/bench/ndload" "$ISL_REPO/build/bench/ndload"; do
		[ -n "$b" ] && [ -x "$b" ] && { echo "$b"; return 0; }
	done
	make -C "$ISL_REPO" -s bench-bin >&2 || return 1
	echo "$ISL_REPO/build/bench/ndload"
}

need_ndload() {
	NDLOAD=$(ndload_bin) || { not_ok "ndload" "cannot build bench/ndload (make bench-bin)"; exit 1; }
}

# ndload NS ARGS...: run the generator in NS, its summary line on stdout.
ndload() {
	local ns=$1; shift
	ip netns exec "$ISL_NS_PREFIX$ns" "$NDLOAD" "$@" 2>&1 | tail -n 1
}

# ndload_bg NS OUTFILE ARGS...: the same in the background; NDLOAD_PID is
# its pid (SIGTERM makes it print its summary and stop).
ndload_bg() {
	local ns=$1 out=$2; shift 2
	ip netns exec "$ISL_NS_PREFIX$ns" "$NDLOAD" "$@" >"$out" 2>&1 &
	NDLOAD_PID=$!
	at_cleanup "kill $NDLOAD_PID 2>/dev/null"
}

# ndload_stop: end the background run, wait for its summary.
ndload_stop() {
	[ -n "${NDLOAD_PID:-}" ] || return 0
	kill "$NDLOAD_PID" 2>/dev/null
	wait "$NDLOAD_PID" 2>/dev/null
	NDLOAD_PID=
}

# kv KEY LINE: the value of KEY=VALUE in LINE (empty if absent).
kv() {
	tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p" | head -n 1
}

# pct_at_least VALUE MIN: decimal comparison (ndload prints 99.875).
pct_at_least() {
	awk -v v="${1:-0}" -v m="$2" 'BEGIN { exit !(v + 0 >= m + 0) }'
}

# capture_start NS IF FILE FILTER: tcpdump in the background (CAPTURE_PID).
capture_start() {
	local ns=$1 iface=$2 file=$3; shift 3
	# ip netns exec execs tcpdump: $! is tcpdump itself, not a subshell
	# that would die on SIGTERM and leave tcpdump writing.
	# --immediate-mode: each packet reaches the file as it arrives, not up to
	# 1 s later, so a capture stopped once a counter moved holds its packets.
	ip netns exec "$ISL_NS_PREFIX$ns" tcpdump -i "$iface" -n -U --immediate-mode -s 256 -w "$file" "$@" \
		>/dev/null 2>"$file.err" &
	CAPTURE_PID=$!
	at_cleanup "kill $CAPTURE_PID 2>/dev/null"
	wait_for 5 tcpdump_ready "$file.err" || warn "tcpdump on $ns $iface did not start"
}

capture_stop() {
	local pid=${1:-${CAPTURE_PID:-}}
	[ -n "$pid" ] || return 0
	sleep 0.3 # time is tested: what is still in flight when the caller stops is captured
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# pcap_count FILE [FILTER...]: how many packets in FILE match.
pcap_count() {
	local f=$1; shift
	tcpdump -r "$f" -n "$@" 2>/dev/null | wc -l
}

# island_traffic: on the seed-000 island, the laptop forgets its neighbours
# and pings both pis, so islandd must answer afresh.
island_traffic() {
	nsip laptop -6 neigh flush dev wlan0
	ping6_ok laptop "$PI41_ADDR" 10 && ping6_ok laptop "$PI42_ADDR" 10
}

# both_routed NS: islandd routes both pis.
both_routed() { has_route73 "${1:-gw}" "$PI41_ADDR" && has_route73 "${1:-gw}" "$PI42_ADDR"; }

# live_routes_only NS ADDR...: every proto 73 route is to one of ADDR and
# its device exists and is up.
live_routes_only() {
	local ns=$1 dst dev a ok; shift
	while read -r dst _ dev _; do
		[ -n "$dst" ] || continue
		dst=${dst%/128}
		ok=
		for a in "$@"; do [ "$dst" = "$a" ] && ok=1; done
		[ -n "$ok" ] || { echo "route to $dst is not a live target" >&2; return 1; }
		nsip "$ns" link show dev "$dev" 2>/dev/null | grep -q 'state UP' ||
			{ echo "route to $dst via $dev: device not up" >&2; return 1; }
	done < <(routes73 "$ns")
}

# The seed config with a static rule next to the iface rule: the static /80
# is what load generators solicit (answered at once, no probing).
proxy_island_conf() {
	cat <<EOF
proxy wlan0 {
	autowire yes
	rule 2001:db8:abc:123:40::/76 {
		iface eth0
	}
	rule $STATIC_PREFIX {
		static
	}
}
EOF
}

# daemon_figures NS: "fds N rss_kb N" of the running islandd.
daemon_figures() {
	local pid
	pid=$(islandd_pid "$1")
	echo "fds $(proc_fds "$pid") rss_kb $(proc_rss_kb "$pid")"
}

# ns_pcap_fields FILE: "ether_src=M src=A target=T slla=M|-" for every
# Neighbor Solicitation in a capture (the NAs: tests/lib/nd.py pcap).
ns_pcap_fields() {
	"$ISL_PY" - "$1" <<-'PY'
	import logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.layers.l2 import Ether
	from scapy.layers.inet6 import IPv6, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr
	from scapy.utils import rdpcap
	for p in rdpcap(sys.argv[1]):
	    if ICMPv6ND_NS not in p:
	        continue
	    ns = p[ICMPv6ND_NS]
	    slla = ns[ICMPv6NDOptSrcLLAddr].lladdr if ICMPv6NDOptSrcLLAddr in ns else "-"
	    print("ether_src=%s src=%s target=%s slla=%s" % (p[Ether].src, p[IPv6].src, ns.tgt, slla))
	PY
}

# radvd_lifetimes_start NS IF PREFIX VALID PREFERRED: radvd as ra.sh's
# ra_radvd_start (same pid file, so ra_radvd_stop stops it), with the
# prefix's lifetimes given: a prefix that is meant to run out.
radvd_lifetimes_start() {
	local ns=$1 iface=$2 prefix=$3 valid=$4 pref=$5 conf pid
	conf="$ISL_RUN/radvd-$ns.conf"
	pid="$ISL_RUN/radvd-$ns.pid"
	cat >"$conf" <<-EOF2
	interface $iface {
		AdvSendAdvert on;
		MinRtrAdvInterval 3;
		MaxRtrAdvInterval 10;
		prefix $prefix {
			AdvOnLink on;
			AdvAutonomous on;
			AdvValidLifetime $valid;
			AdvPreferredLifetime $pref;
		};
	};
	EOF2
	chmod 644 "$conf"
	nssysctl "$ns" net.ipv6.conf.all.forwarding=1
	rm -f "$pid"
	nsexec "$ns" radvd -C "$conf" -p "$pid" -n -m stderr >>"$ISL_KEEP/radvd-$ns.log" 2>&1 &
	wait_for 5 test -s "$pid" || { cat "$ISL_KEEP/radvd-$ns.log" >&2; die "radvd did not start in $ns"; }
}

# ra_times FILE SRC: "EPOCH DST" of every RA from SRC in a capture, in order.
ra_times() {
	tcpdump -r "$1" -n -tt "icmp6 and ip6[40] == 134 and src $2" 2>/dev/null |
		awk '{for (i = 1; i < NF; i++) if ($i == ">") {d = $(i + 1); sub(":$", "", d); print $1, d; break}}'
}

# min_gap_ms: the smallest gap between consecutive epoch times on stdin
# (a large number when there are fewer than two).
min_gap_ms() {
	awk 'NR > 1 { g = ($1 - last) * 1000; if (min == "" || g < min) min = g } { last = $1 }
		END { printf "%d\n", (min == "" ? 999999 : min) }'
}

# rs_ra_late FILE RS_SRC RA_SRC FROM: from a capture holding both, one line
# per RS from RS_SRC at or after epoch FROM: "RS_TIME RA_TIME LATE_MS", where
# LATE_MS is how far the first RA from RA_SRC after it came behind RFC 4861
# §6.2.6: at the latest MAX_RA_DELAY_TIME (0.5 s) after the RS or after
# MIN_DELAY_BETWEEN_RAS (3 s) from the RA before, whichever is later (<= 0:
# in time). FROM must be 3 s or more into the capture, so the RA that sets
# that floor is in it (an RS earlier than that cannot be judged).
rs_ra_late() {
	tcpdump -r "$1" -n -tt "icmp6 and (ip6[40] == 133 or ip6[40] == 134)" 2>/dev/null |
		awk -v rs_src="$2" -v ra_src="$3" -v from="$4" '
		$3 == rs_src && /router solicitation/ {
			if (!pending && $1 >= from) { rs = $1; floor = last_ra + 3.0; pending = 1 }
			next
		}
		$3 == ra_src && /router advertisement/ {
			if (pending) {
				due = (rs > floor ? rs : floor) + 0.5
				printf "%.6f %.6f %d\n", rs, $1, ($1 - due) * 1000
				pending = 0
			}
			last_ra = $1
		}
		END { if (pending) printf "%.6f none 999999\n", rs }'
}

# mdns_inject NS IF 4|6 query|answer NAME [ADDR]: one mDNS packet from port
# 5353 to the group, as a responder or a full querier sends it (not legacy):
# a question for NAME (A or AAAA by family), or an announcement of NAME with
# ADDR (an A record for a dotted address, else AAAA), cache-flush set.
mdns_inject() {
	nsexec "$1" "$ISL_PY" - "$2" "$3" "$4" "$5" "${6:-}" <<-'PY'
	import ipaddress, logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.config import conf
	from scapy.layers.l2 import Ether
	from scapy.layers.inet import IP, UDP
	from scapy.layers.inet6 import IPv6
	from scapy.layers.dns import DNS, DNSQR, DNSRR
	from scapy.sendrecv import sendp
	conf.verb = 0
	iface, fam, kind, name, addr = sys.argv[1:6]
	mac = open("/sys/class/net/%s/address" % iface).read().strip()
	if kind == "query":
	    dns = DNS(id=0, qr=0, qd=DNSQR(qname=name, qtype="A" if fam == "4" else "AAAA"))
	else:
	    v4 = ipaddress.ip_address(addr).version == 4
	    dns = DNS(id=0, qr=1, aa=1, an=DNSRR(rrname=name, type="A" if v4 else "AAAA",
	                                         rclass=0x8001, ttl=120, rdata=addr))
	if fam == "4":
	    src = None
	    import fcntl, socket, struct
	    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	    src = socket.inet_ntoa(fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", iface.encode()))[20:24])
	    l3 = IP(src=src, dst="224.0.0.251", ttl=255)
	    dmac = "01:00:5e:00:00:fb"
	else:
	    src = None
	    for line in open("/proc/net/if_inet6"):
	        h, _, _, scope, _, n = line.split()
	        if n == iface and scope == "20":
	            src = str(ipaddress.IPv6Address(bytes.fromhex(h)))
	    l3 = IPv6(src=src, dst="ff02::fb", hlim=255)
	    dmac = "33:33:00:00:00:fb"
	sendp(Ether(src=mac, dst=dmac) / l3 / UDP(sport=5353, dport=5353) / dns, iface=iface)
	PY
}

# pcap_times FILE: the epoch time of each packet, one per line.
pcap_times() { tcpdump -r "$1" -n -tt 2>/dev/null | awk '{print $1}'; }
