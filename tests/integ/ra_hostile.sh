#!/usr/bin/env bash
# RA relay mode against bad input: malformed RAs heard upstream are not
# relayed (each counted under its drop reason), an RA heard downstream is
# never relayed, and a well-formed RA sent the same way is relayed (so the
# negative cases prove something).
set -u
. "$(dirname "$0")/../lib/ra.sh"
need_root ra_hostile
need_cmd jq rdisc6 radvd "$ISL_PY"
need_islandd
netns_init
# Flooding switches (ISL_BRIDGE=dumb), as the other hostile suites: the
# flood fills the machine-wide neighbour table (see rs_after_flood below), so
# gw's kernel cannot send the MLD reports a snooping switch needs to keep
# forwarding ff02::2 to it; on the snooping topology h1's RS then never
# reached gw (2 runs of 3; likely that, not yet shown). Not the switch.
ISL_BRIDGE=dumb ra_island_build

start_islandd gw "ra-relay wlan0 { iface eth0 }" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
wait_slaac h1 eth0 "$RA_PREFIX_STR" 20 || { not_ok "h1 gets a SLAAC address" "none"; ra_show_state gw; exit 1; }

stat() { ctl gw stats --json 2>/dev/null | jq -r --arg n "$1" '.counters[$n] // 0'; }

# kind, prefix it announces, the drop counter it must raise ("" = engine)
CASES=(
	"hlim254 2001:db8:bad:1:: drop_hop_limit"
	"global-src 2001:db8:bad:2:: drop_ra_src"
	"zero-len-opt 2001:db8:bad:3:: drop_opt_zero_len"
	"bad-rdnss 2001:db8:bad:4:: drop_opt_bad"
	"short-pio 2001:db8:bad:5:: drop_opt_bad"
	"code1 2001:db8:bad:6:: drop_code"
	"bad-cksum 2001:db8:bad:7:: drop_checksum"
)
for c in "${CASES[@]}"; do
	read -r kind prefix counter <<<"$c"
	before=$(stat "$counter")
	ra_send laptop wlan0 "$kind" "$prefix"
	if wait_for 3 eval '[ "$(stat '"$counter"')" -gt '"$before"' ]'; then
		ok "malformed RA ($kind) upstream is dropped ($counter)"
	else
		not_ok "malformed RA ($kind) upstream is dropped ($counter)" "$counter stayed at $before"
	fi
done
# the hosts picked none of them up, and islandd relays none (each drop is
# counted above: islandd has handled them all; rdisc6 waits for h1's RAs)
check "no malformed prefix is relayed" "$(ra_prefixes gw)" eval '! ra_prefixes gw | grep -q 2001:db8:bad'
check "h1 formed no address from a malformed RA" "$(nsip h1 -6 -o addr show dev eth0)" \
	eval '! nsip h1 -6 -o addr show dev eth0 | grep -q 2001:db8:bad'
RD=$(nsexec h1 rdisc6 -w 4000 -r 2 -1 eth0 2>&1)
check "rdisc6 on h1 shows no malformed prefix" "$RD" eval '! grep -q 2001:db8:bad <<<"$RD"'

# An RA heard downstream (a rogue router behind the gateway) is never relayed.
before=$(ra_counter gw ra_not_upstream)
ra_send h2 eth0 good 2001:db8:dead::
check "an RA heard downstream is counted (ra_not_upstream)" "ra_not_upstream $before -> $(ra_counter gw ra_not_upstream)" \
	wait_for 3 eval '[ "$(ra_counter gw ra_not_upstream)" -gt "${before:-0}" ]'
check "the downstream RA's prefix is not relayed" "$(ra_prefixes gw)" eval '! ra_prefixes gw | grep -q 2001:db8:dead'
check "the laptop upstream forms no address from it" "$(nsip laptop -6 -o addr show dev wlan0)" \
	eval '! nsip laptop -6 -o addr show dev wlan0 | grep -q 2001:db8:dead'

# The control: the same crafted RA, well-formed, from upstream is relayed.
ra_send laptop wlan0 good 2001:db8:600d::
check "a well-formed crafted RA upstream is relayed (control)" "$(ra_prefixes gw)" \
	wait_for 5 eval 'ra_prefixes gw | grep -q "^2001:db8:600d::/64 "'
check "h1 forms an address from the relayed control RA" "$(nsip h1 -6 -o addr show dev eth0)" \
	wait_for 10 eval 'nsip h1 -6 -o addr show dev eth0 | grep -q 2001:db8:600d'

# An RA flood upstream (a new router each time): bounded, and the gateway
# still sends no more than one RA per 3 s downstream.
nsexec h1 tcpdump -i eth0 -U -n -w "$ISL_RUN/flood.pcap" 'icmp6 and ip6[40] == 134' >/dev/null 2>"$ISL_RUN/flood.err" &
TCPDUMP=$!
wait_for 5 tcpdump_ready "$ISL_RUN/flood.err"
t0=$(now_ms)
nsexec laptop "$ISL_PY" - <<-'EOF'
	import logging, random
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.config import conf
	from scapy.layers.l2 import Ether
	from scapy.layers.inet6 import IPv6, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo
	from scapy.sendrecv import sendp
	conf.verb = 0
	mac = open("/sys/class/net/wlan0/address").read().strip()
	pkts = []
	for i in range(2000):
	    src = "fe80::%x:%x" % (random.randrange(65536), i)
	    pfx = "2001:db8:%x:%x::" % (0xf000 + i // 256, i % 256)
	    pkts.append(Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src=src, dst="ff02::1", hlim=255) /
	                ICMPv6ND_RA(routerlifetime=1800) /
	                ICMPv6NDOptPrefixInfo(prefix=pfx, prefixlen=64, L=1, A=1, validlifetime=600, preferredlifetime=300))
	sendp(pkts, iface="wlan0", inter=0.002)
	EOF
t1=$(now_ms)
sleep 1 # time is tested: the window (span) counts the RAs of the second after the flood
kill "$TCPDUMP" 2>/dev/null; wait "$TCPDUMP" 2>/dev/null
n_ra=$(ra_icmp_hex "$ISL_RUN/flood.pcap" | awk -v ll="$GW_ETH_LL" '$1 == ll' | wc -l)
span=$(( t1 - t0 + 1000 ))
OVER=$(ra_counter gw routers_over_cap)
check "RA flood reached islandd and hit the router cap (routers_over_cap $OVER)" "flood not seen" \
	test "${OVER:-0}" -gt 1000
check "RA flood: routers remembered capped at 64" \
	"routers: $(ctl gw ra --json | jq '.relays[0].routers | length')" \
	test "$(ctl gw ra --json | jq '.relays[0].routers | length')" -le 64
check "RA flood: prefixes remembered capped at 16" "prefixes: $(ctl gw ra --json | jq '.relays[0].prefixes | length')" \
	test "$(ctl gw ra --json | jq '.relays[0].prefixes | length')" -le 16
check "RA flood: $n_ra RAs downstream in ${span} ms (at most one per 3 s)" "too many" \
	test "$n_ra" -le $(( span / 3000 + 1 ))
# A host asks again after 4 s (RFC 4861 §6.3.7); one RS against the 3.5 s
# worst case of a multicast answer (§6.2.6) left 0.5 s of margin, too little
# for the ASan daemon right after 2000 RAs of churn (it failed 1 run in 3,
# before this session's changes too). The 3.5 s bound itself is checked on a
# quiet relay in 41_hostile_ra.
# The RS leaves h1 from a packet socket, not rdisc6's raw socket: the flood
# fills the neighbour table, which all namespaces of this machine share:
# right after it /proc/net/stat/ndisc_cache counted 1024 entries (gc_thresh3),
# 509 of them in gw (accept_ra=2 upstream) and 511 in isp. Then h1's kernel cannot
# create the neighbour entry for ff02::2 and refuses every multicast it
# sends with EINVAL (rdisc6: "Sending ICMPv6 packet: Invalid argument", 1
# loaded run in 6). On real gear h1 has a table of its own; what this checks
# is that islandd answers.
rs_after_flood() {
	nsexec h1 "$ISL_PY" - eth0 "$(ll_addr h1 eth0)" "$GW_ETH_LL" <<-'EOF'
	import logging, sys
	logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
	from scapy.config import conf
	from scapy.layers.l2 import Ether
	from scapy.layers.inet6 import IPv6, ICMPv6ND_RS, ICMPv6ND_RA, ICMPv6NDOptSrcLLAddr
	from scapy.sendrecv import sendp, sniff
	conf.verb = 0
	iface, ll, gw_ll = sys.argv[1:4]
	mac = open("/sys/class/net/%s/address" % iface).read().strip()
	rs = (Ether(src=mac, dst="33:33:00:00:00:02") / IPv6(src=ll, dst="ff02::2", hlim=255) /
	      ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=mac))
	from_gw = lambda p: ICMPv6ND_RA in p and p[IPv6].src == gw_ll
	for attempt in range(2):   # a host's first two solicitations, 4 s apart (RFC 4861 §6.3.7)
	    got = sniff(iface=iface, lfilter=from_gw, count=1, timeout=4,
	                started_callback=lambda: sendp(rs, iface=iface))
	    if got:
	        print("RA from %s after RS %d" % (gw_ll, attempt + 1))
	        sys.exit(0)
	sys.exit(1)
	EOF
}
check "islandd still answers an RS after the flood (within a host's two solicitations)" "no RA" \
	rs_after_flood

finish_islandd gw
test_status
