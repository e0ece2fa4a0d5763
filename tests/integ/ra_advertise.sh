#!/usr/bin/env bash
# RA advertise mode (`ra IFACE { ... }`) against radvd: a Linux host gets the
# ULA by SLAAC, a default route and the DNS options from islandd; and what
# islandd sends is byte for byte what radvd sends for the same settings (the
# ICMPv6 message, checksum included: same interface, same source address),
# for the periodic RA and the final RAs at shutdown (islandd sends three).
# Two deliberate differences (issue 11): the final RAs carry preference 00
# (RFC 4191 §2.2; radvd keeps its preference), and the RDNSS/DNSSL lifetimes
# default to 3 x MaxRtrAdvInterval (RFC 8106 §5.1; radvd 2.19 sends 1 x).
set -u
. "$(dirname "$0")/../lib/ra.sh"
need_root ra_advertise
need_cmd jq rdisc6 radvd tcpdump "$ISL_PY"
need_islandd
netns_init

ns_add rtr h
veth rtr eth0 h eth0
nssysctl rtr net.ipv6.conf.all.forwarding=1 # radvd sends router lifetime 0 otherwise
if_up rtr eth0
if_up h eth0
wait_for 5 test -n "$(ll_addr rtr eth0)" || die "rtr eth0 has no link-local address"
RTR_LL=$(ll_addr rtr eth0)

# capture_ras NAME START_CMD STOP_CMD: capture every RA on h while START_CMD
# runs, the RA goes out, STOP_CMD runs. Leaves $ISL_RUN/NAME.hex.
capture_ras() {
	local name=$1 start=$2 stop=$3
	ra_capture_start h eth0 "$ISL_RUN/$name.pcap"
	eval "$start" || return 1
	# the first RA goes out at once: wait until it is captured
	wait_for 5 ra_seen "$ISL_RUN/$name.pcap" periodic
	eval "$stop"
	# the final RAs leave as the sender exits: wait until the capture has one
	wait_for 5 ra_seen "$ISL_RUN/$name.pcap" final
	ra_capture_stop
	ra_icmp_hex "$ISL_RUN/$name.pcap" | awk -v ll="$RTR_LL" '$1 == ll && $2 == "ff02::1" {print $3}' \
		>"$ISL_RUN/$name.hex"
}
# ra_seen FILE periodic|final: FILE holds an RA from rtr to all-nodes with a
# router lifetime (periodic) or without (final). tcpdump: quicker than scapy.
ra_seen() {
	local re='router lifetime [1-9]'
	[ "$2" = final ] && re='router lifetime 0s'
	tcpdump -r "$1" -n -v 2>/dev/null | grep -A1 "$RTR_LL > ff02::1" | grep -q "$re"
}
# periodic FILE / final FILE: the first RA with a router lifetime / the RAs without.
periodic() { awk 'substr($0, 13, 4) != "0000" {print; exit}' "$1"; }
finals() { awk 'substr($0, 13, 4) == "0000"' "$1"; }

# unpref: RA hex lines with the router preference bits cleared and the
# checksum zeroed; pref_bits: the preference field (0 medium, 1 high, 3 low).
unpref() {
	local h
	while read -r h; do
		printf '%s0000%s%02x%s\n' "${h:0:4}" "${h:8:2}" $(( 16#${h:10:2} & 0xe7 )) "${h:12}"
	done
}
pref_bits() {
	local h
	while read -r h; do echo $(( (16#${h:10:2} >> 3) & 3 )); done
}

compare() {
	local what=$1 isl radvd
	isl=$(periodic "$ISL_RUN/isl-$what.hex")
	radvd=$(periodic "$ISL_RUN/radvd-$what.hex")
	if [ -n "$isl" ] && [ "$isl" = "$radvd" ]; then
		ok "$what: islandd's RA is radvd's, byte for byte (${#isl} hex digits)"
	else
		not_ok "$what: islandd's RA is radvd's, byte for byte" "
#   islandd: ${isl:-none}
#   radvd:   ${radvd:-none}"
	fi
	# radvd keeps its preference in the final RAs; RFC 4191 §2.2 wants 00
	# with router lifetime 0, so those bits (and the checksum) differ.
	isl=$(finals "$ISL_RUN/isl-$what.hex" | unpref | sort -u)
	radvd=$(finals "$ISL_RUN/radvd-$what.hex" | unpref | sort -u)
	if [ -n "$isl" ] && [ "$isl" = "$radvd" ]; then
		ok "$what: islandd's final RA is radvd's, byte for byte but the preference"
	else
		not_ok "$what: islandd's final RA is radvd's, byte for byte but the preference" "
#   islandd: ${isl:-none}
#   radvd:   ${radvd:-none}"
	fi
	local prefs
	prefs=$(finals "$ISL_RUN/isl-$what.hex" | pref_bits | sort -u | tr '\n' ' ')
	check "$what: islandd's final RAs have preference 00 (RFC 4191 §2.2; radvd's: $(finals "$ISL_RUN/radvd-$what.hex" | pref_bits | sort -u | tr '\n' ' '))" \
		"preference bits $prefs" test "$prefs" = "0 "
	local n
	n=$(finals "$ISL_RUN/isl-$what.hex" | wc -l)
	check "$what: islandd sends 3 final RAs with router lifetime 0" "$n" test "$n" -eq 3
}

radvd_conf() {
	printf 'interface eth0 {\n\tAdvSendAdvert on;\n%s\n};\n' "$1" >"$ISL_RUN/radvd-rtr.conf"
	chmod 644 "$ISL_RUN/radvd-rtr.conf"
}
radvd_up() {
	rm -f "$ISL_RUN/radvd-rtr.pid"
	nsexec rtr radvd -C "$ISL_RUN/radvd-rtr.conf" -p "$ISL_RUN/radvd-rtr.pid" -n -m stderr \
		>>"$ISL_KEEP/radvd-rtr.log" 2>&1 &
	wait_for 5 test -s "$ISL_RUN/radvd-rtr.pid"
}

# --- 1. explicit settings: what a host gets, and the bytes ------------------
ISL_EXPLICIT="ra eth0 {
	interval 30
	preference high
	other-config yes
	mtu 1400
	prefix fd2f::/64
	prefix 2001:db8:1::/64 { on-link no; valid-lifetime 3600; preferred-lifetime 1800 }
	rdnss fd2f::53 fd2f::54
	rdnss-lifetime 30
	dnssl lab.example home.arpa
	dnssl-lifetime 30
}"
RADVD_EXPLICIT="	MaxRtrAdvInterval 30;
	AdvDefaultPreference high;
	AdvOtherConfigFlag on;
	AdvLinkMTU 1400;
	prefix fd2f::/64 { };
	prefix 2001:db8:1::/64 { AdvOnLink off; AdvValidLifetime 3600; AdvPreferredLifetime 1800; };
	RDNSS fd2f::53 fd2f::54 { AdvRDNSSLifetime 30; };
	DNSSL lab.example home.arpa { AdvDNSSLLifetime 30; };"

ra_capture_start h eth0 "$ISL_RUN/isl-explicit.pcap"
start_islandd rtr "$ISL_EXPLICIT" || { not_ok "islandd starts" "see $(islandd_log rtr)"; exit 1; }
if wait_slaac h eth0 fd2f: 15; then
	ok "h gets a SLAAC address in the advertised ULA ($(global_addr h eth0 fd2f:))"
else
	not_ok "h gets a SLAAC address in the advertised ULA" "$(nsip h -6 -o addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"
fi
check "h: default route via rtr's link-local" "default via '$(default_via h eth0)'" test "$(default_via h eth0)" = "$RTR_LL"
check "h: an address in the second prefix too (autonomous)" "none" test -n "$(global_addr h eth0 2001:db8:1:)"
check "h: no on-link route for the second prefix (on-link no)" "$(nsip h -6 route show 2001:db8:1::/64)" \
	test -z "$(nsip h -6 route show 2001:db8:1::/64 dev eth0)"
RD=$(nsexec h rdisc6 -w 4000 -r 2 -1 eth0 2>&1)
check "rdisc6: RDNSS fd2f::53 and fd2f::54" "$RD" eval 'grep -q "Recursive DNS server *: fd2f::53" <<<"$RD" && grep -q "Recursive DNS server *: fd2f::54" <<<"$RD"'
check "rdisc6: DNSSL lab.example home.arpa" "$RD" grep -qE "DNS search list +: lab.example home.arpa" <<<"$RD"
check "rdisc6: MTU 1400, preference high, other-config" "$RD" \
	eval 'grep -qE "MTU +: +1400" <<<"$RD" && grep -qE "Router preference +: +high" <<<"$RD" && grep -qE "Stateful other conf\. +: +Yes" <<<"$RD"'
check "islandctl ra shows the advertised prefixes" "$(ctl rtr ra)" eval 'ctl rtr ra | grep -q "prefix 2001:db8:1::/64: valid 1h00m"'
check "islandctl ra --json is valid JSON with the advertised link" "$(ctl rtr ra --json)" \
	jqe '.adverts[0].iface == "eth0" and .adverts[0].prefixes[1].prefix == "2001:db8:1::/64" and .adverts[0].ras_sent >= 1' \
	<<<"$(ctl rtr ra --json)"
stop_islandd rtr TERM 10
check "h drops its default route after islandd's final RAs" "default via '$(default_via h eth0)'" \
	wait_for 3 eval '[ -z "$(default_via h eth0)" ]'
ra_capture_stop
ra_icmp_hex "$ISL_RUN/isl-explicit.pcap" | awk -v ll="$RTR_LL" '$1 == ll && $2 == "ff02::1" {print $3}' \
	>"$ISL_RUN/isl-explicit.hex"
check "no sanitizer report in the daemon log" "see $(islandd_log rtr)" sanitizer_clean rtr

radvd_conf "$RADVD_EXPLICIT"
capture_ras radvd-explicit radvd_up "ra_radvd_stop rtr" || not_ok "radvd starts" "see $ISL_KEEP/radvd-rtr.log"
compare explicit

# --- 2. radvd's defaults ---------------------------------------------------
ISL_DEFAULTS="ra eth0 {
	prefix fd2f::/64
	rdnss fd2f::53
	dnssl lab.example
}"
# RFC 8106 §5.1: islandd's RDNSS/DNSSL lifetimes default to 3 x
# MaxRtrAdvInterval (1800 s); radvd 2.19 sends 1 x (600 s) unless told.
RADVD_DEFAULTS="	prefix fd2f::/64 { };
	RDNSS fd2f::53 { AdvRDNSSLifetime 1800; };
	DNSSL lab.example { AdvDNSSLLifetime 1800; };"
capture_ras isl-defaults "start_islandd rtr \"\$ISL_DEFAULTS\"" "stop_islandd rtr TERM 10"
radvd_conf "$RADVD_DEFAULTS"
capture_ras radvd-defaults radvd_up "ra_radvd_stop rtr"
compare defaults
# RDNSS (type 25) and DNSSL (type 31) lifetimes in islandd's periodic RA.
opt_lifetimes() {
	local h=$1 off=32 t l
	while [ $off -lt ${#h} ]; do
		t=$(( 16#${h:off:2} )) l=$(( 16#${h:off+2:2} ))
		[ "$l" -eq 0 ] && break
		[ "$t" -eq 25 ] || [ "$t" -eq 31 ] && printf '%s=%d ' "$t" $(( 16#${h:off+8:8} ))
		off=$(( off + l * 16 ))
	done
}
LT=$(opt_lifetimes "$(periodic "$ISL_RUN/isl-defaults.hex")")
check "defaults: RDNSS and DNSSL lifetimes 3 x MaxRtrAdvInterval on the wire (RFC 8106 §5.1): $LT" \
	"$LT" test "$LT" = "25=1800 31=1800 "
check "no sanitizer report in the daemon log (second run)" "see $(islandd_log rtr)" sanitizer_clean rtr
test_status
