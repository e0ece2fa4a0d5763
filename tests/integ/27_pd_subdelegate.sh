#!/usr/bin/env bash
# DHCPv6 prefix delegation, the downstream side: Kea delegates a /56 to the
# gateway's islandd (dhcp6-pd wlan0 { iface eth0 { subnet 1 } }); the island
# host gets a SLAAC address in the /64 and reaches the ISP; the RA on the
# wire carries the /64 with lifetimes no longer than the lease's and the
# server's DNS options; the rest of the /56 is unreachable at the gateway
# (RFC 7084 WPD-5); the hook runs with the lease in its environment. Then
# the ISP renumbers (Kea restarted with another pool and an empty lease
# file): the Renew brings the new prefix, the host deprecates its old
# address and has a preferred one in the new /64. The time from the
# server's Reply (tcpdump's timestamp) to that address is measured.
#
#   isp: eth0 2001:db8:ffff::1/64, kea-dhcp6 (pd-pool 2001:db8:1200::/56,
#        its run_script hook routes each delegated prefix to the client)
#     |
#   gw: wlan0 2001:db8:ffff::2/64, islandd (dhcp6-pd), forwarding
#       eth0 (the delegated 2001:db8:1200:1::/64)
#     |
#   h1: eth0 SLAAC (DAD on)
set -u
. "$(dirname "$0")/../lib/ra.sh" # islandd.sh, and addr/route helpers
need_root 27_pd_subdelegate
need_cmd jq kea-dhcp6 tcpdump "$ISL_PY"
need_islandd
netns_init

KEA_HOOK_LIB=$(ls /usr/lib/*/kea/hooks/libdhcp_run_script.so 2>/dev/null | head -n 1)
[ -n "$KEA_HOOK_LIB" ] || die "kea's run_script hook library not found"
ISP_ADDR=2001:db8:ffff::1
DNS_ADDR=2001:db8:ffff::53
DOMAIN=isp.example
PREF_S=20   # the lease's lifetimes: a renumbering is seen at the next Renew (T1)
VALID_S=40
T1_S=4
T2_S=7

NETNS_DAD=0 ns_add isp gw
NETNS_DAD=1 ns_add h1
veth isp eth0 gw wlan0
veth gw eth0 h1 eth0
nsip isp addr add "$ISP_ADDR/64" dev eth0
nsip gw addr add 2001:db8:ffff::2/64 dev wlan0
nssysctl gw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.eth0.accept_ra=0 net.ipv6.conf.wlan0.accept_ra=0
if_up isp eth0
if_up gw wlan0 eth0
if_up h1 eth0
nsip gw -6 route add default via "$ISP_ADDR" dev wlan0
wait_for 5 test -n "$(ll_addr gw wlan0)" || die "gw wlan0 has no link-local address"
wait_for 5 test -n "$(ll_addr gw eth0)" || die "gw eth0 has no link-local address"
GW_ETH_LL=$(ll_addr gw eth0)

# --- Kea -------------------------------------------------------------------

# Kea's run_script hook: the ISP's route to each prefix it delegates.
cat >"$ISL_RUN/kea-route.sh" <<'EOF'
#!/bin/sh
[ "$1" = leases6_committed ] || exit 0
i=0
while [ "$i" -lt "${LEASES6_SIZE:-0}" ]; do
	eval "t=\$LEASES6_AT${i}_TYPE a=\$LEASES6_AT${i}_ADDRESS l=\$LEASES6_AT${i}_PREFIX_LEN v=\$LEASES6_AT${i}_VALID_LIFETIME"
	[ "$t" = IA_PD ] && [ "$v" != 0 ] && ip -6 route replace "$a/$l" via "$QUERY6_REMOTE_ADDR" dev "$QUERY6_IFACE_NAME"
	i=$((i + 1))
done
exit 0
EOF
chmod 755 "$ISL_RUN/kea-route.sh"

KEA_PID=
KEA_STARTS=0
kea_start() { # POOL_PREFIX
	rm -f "$ISL_RUN/kea-leases6.csv"*
	cat >"$ISL_RUN/kea.json" <<-EOF
	{"Dhcp6": {
	  "interfaces-config": {"interfaces": ["eth0"]},
	  "lease-database": {"type": "memfile", "persist": true, "name": "$ISL_RUN/kea-leases6.csv", "lfc-interval": 0},
	  "server-id": {"type": "LL", "persist": false},
	  "preferred-lifetime": $PREF_S, "valid-lifetime": $VALID_S, "renew-timer": $T1_S, "rebind-timer": $T2_S,
	  "option-data": [{"name": "dns-servers", "data": "$DNS_ADDR"}, {"name": "domain-search", "data": "$DOMAIN"}],
	  "hooks-libraries": [{"library": "$KEA_HOOK_LIB", "parameters": {"name": "$ISL_RUN/kea-route.sh", "sync": false}}],
	  "subnet6": [{"id": 1, "subnet": "2001:db8:ffff::/64", "interface": "eth0",
	    "pd-pools": [{"prefix": "$1", "prefix-len": 56, "delegated-len": 56}]}],
	  "loggers": [{"name": "kea-dhcp6", "output_options": [{"output": "$ISL_KEEP/kea-27.log"}], "severity": "INFO"}]
	}}
	EOF
	# ip netns exec execs kea, so $! is kea's own pid
	KEA_PIDFILE_DIR=$ISL_RUN KEA_LOCKFILE_DIR=$ISL_RUN ip netns exec "$(nsn isp)" kea-dhcp6 -c "$ISL_RUN/kea.json" \
		>>"$ISL_KEEP/kea-27.out" 2>&1 &
	KEA_PID=$!
	wait_for 5 eval "[ \"\$(grep -c DHCP6_STARTED '$ISL_KEEP/kea-27.log')\" -gt $KEA_STARTS ]" ||
		warn "kea did not say it started"
	KEA_STARTS=$((KEA_STARTS + 1))
}
kea_stop() {
	[ -n "$KEA_PID" ] || return 0
	kill "$KEA_PID" 2>/dev/null
	wait_for 5 _isl_not kill -0 "$KEA_PID"
	wait "$KEA_PID" 2>/dev/null
	KEA_PID=
}
at_cleanup kea_stop
: >"$ISL_KEEP/kea-27.log"
kea_start 2001:db8:1200::

# DHCPv6 on the ISP link, with timestamps: the Reply that carries a prefix.
nsexec isp tcpdump -i eth0 -U --immediate-mode -l -n -tt -v 'udp port 546 or udp port 547' \
	>"$ISL_RUN/dhcp6.txt" 2>"$ISL_RUN/dhcp6.err" &
DHCP_CAP=$!
at_cleanup "kill $DHCP_CAP 2>/dev/null"
wait_for 5 tcpdump_ready "$ISL_RUN/dhcp6.err" || warn "tcpdump on isp eth0 did not start"

# --- islandd ---------------------------------------------------------------

# The hook writes its environment, one file per event, and a log of events.
cat >"$ISL_RUN/pd-hook.sh" <<EOF
#!/bin/sh
env | sort >"$ISL_RUN/hook-env.\$REASON"
echo "\$1 \$REASON" >>"$ISL_RUN/hook-events"
EOF
chmod 755 "$ISL_RUN/pd-hook.sh"
mkdir -p "$ISL_RUN/pd-state"

RA_CAP="$ISL_RUN/ra.pcap"
nsexec h1 tcpdump -i eth0 -U --immediate-mode -n -w "$RA_CAP" 'icmp6 and ip6[40] == 134' \
	>/dev/null 2>"$RA_CAP.err" &
RA_CAP_PID=$!
at_cleanup "kill $RA_CAP_PID 2>/dev/null"
wait_for 5 tcpdump_ready "$RA_CAP.err" || warn "tcpdump on h1 did not start"

CONF="dhcp6-pd wlan0 {
    iface eth0 { subnet 1 }
    script $ISL_RUN/pd-hook.sh
    state-dir $ISL_RUN/pd-state
}"
start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
ok "islandd starts with a dhcp6-pd block and no ra block"

if wait_slaac h1 eth0 2001:db8:1200:1: 20; then
	ok "h1 gets a SLAAC address in the delegated /64: $(global_addr h1 eth0 2001:db8:1200:1:)"
else
	not_ok "h1 gets a SLAAC address in the delegated /64" "$(nsip h1 -6 -o addr show dev eth0 | awk '{print $4}' | tr '\n' ' ')"
	show_state gw
	tail -n 20 "$(islandd_log gw)" | sed 's/^/#   /'
	exit 1
fi
H1_OLD=$(global_addr h1 eth0 2001:db8:1200:1:)
check "h1's default route is the gateway" "default via '$(default_via h1 eth0)'" \
	test "$(default_via h1 eth0)" = "$GW_ETH_LL"
check "gw eth0 has 2001:db8:1200:1::1/64" "$(nsip gw -6 -o addr show dev eth0)" \
	eval 'nsip gw -6 -o addr show dev eth0 | grep -q "2001:db8:1200:1::1/64"'
check "gw has the unreachable route for the whole /56 (proto 73)" "$(nsip gw -6 route show type unreachable)" \
	eval 'nsip gw -6 route show type unreachable proto 73 | grep -q "^unreachable 2001:db8:1200::/56"'
check "the ISP routes the /56 to the gateway (kea's run_script hook)" "$(nsip isp -6 route)" \
	eval 'nsip isp -6 route | grep -q "^2001:db8:1200::/56 via fe80"'
check "h1 reaches the ISP ($ISP_ADDR) from $H1_OLD" "no echo reply" \
	wait_for 10 nsexec h1 ping -6 -n -c 1 -W 1 -I "$H1_OLD" "$ISP_ADDR"
# WPD-5: a /64 of the delegation no link has is answered unreachable by the
# gateway, not sent back up the default route.
UNR=$(nsexec isp ping -6 -n -c 1 -W 2 2001:db8:1200:77::1 2>&1)
check "a packet to an unassigned /64 of the delegation gets ICMPv6 unreachable from the gateway" "$UNR" \
	grep -qi "from 2001:db8:ffff::2.*unreachable" <<<"$UNR"

# --- the RA on the wire -------------------------------------------------------
sleep 0.5 # the capture of the last RA lands in the file
RAS=$("$ISL_PY" "$ISL_LIB/ra_opts.py" decode "$RA_CAP" 2>&1)
note "RAs seen by h1:"; sed 's/^/#   /' <<<"$RAS"
FIRST=$(grep -m 1 'pio=2001:db8:1200:1::/64' <<<"$RAS")
check "an RA carries 2001:db8:1200:1::/64 with L and A" "$FIRST" grep -q 'pio=2001:db8:1200:1::/64,[0-9]*,[0-9]*,LA' <<<"$FIRST"
lifetimes_ok=1
while read -r v p; do
	{ [ "$v" -le "$VALID_S" ] && [ "$p" -le "$PREF_S" ] && [ "$p" -le "$v" ]; } || lifetimes_ok=0
done < <(grep -o 'pio=2001:db8:1200:1::/64,[0-9]*,[0-9]*' <<<"$RAS" | awk -F, '{print $2, $3}')
check "every PIO's lifetimes are within the lease's (valid <= $VALID_S, preferred <= $PREF_S)" "$RAS" test "$lifetimes_ok" = 1
check "RDNSS: Kea's DNS server, lifetime <= the lease's valid lifetime" "$FIRST" \
	eval 'grep -oE "rdnss=[0-9]+,$DNS_ADDR" <<<"$FIRST" | awk -F"[=,]" "{exit !(\$2 > 0 && \$2 <= $VALID_S)}"'
check "DNSSL: Kea's search domain" "$FIRST" grep -qE "dnssl=[0-9]+,$DOMAIN" <<<"$FIRST"
check "the RA comes from the gateway's link-local address, router lifetime > 0" "$FIRST" \
	grep -qE "src=$GW_ETH_LL rl=[1-9]" <<<"$FIRST"
HL=$(nsexec h1 tcpdump -r "$RA_CAP" -n -v 2>/dev/null | grep -m 1 -o 'hlim [0-9]*')
check "RFC 4861 §6.1.2: hop limit 255" "$HL" test "$HL" = "hlim 255"

# --- the hook -------------------------------------------------------------------
wait_for 5 test -s "$ISL_RUN/hook-env.bound"
ENV_B=$(cat "$ISL_RUN/hook-env.bound" 2>/dev/null)
check "hook ran on bound: REASON, INTERFACE" "$ENV_B" \
	eval 'grep -qx "REASON=bound" <<<"$ENV_B" && grep -qx "INTERFACE=wlan0" <<<"$ENV_B"'
check "hook env: PREFIX=2001:db8:1200::/56" "$ENV_B" grep -qx "PREFIX=2001:db8:1200::/56" <<<"$ENV_B"
check "hook env: SUBNETS=eth0=2001:db8:1200:1::/64" "$ENV_B" grep -qx "SUBNETS=eth0=2001:db8:1200:1::/64" <<<"$ENV_B"
check "hook env: DNS and DOMAINS from Kea" "$ENV_B" \
	eval 'grep -qx "DNS=$DNS_ADDR" <<<"$ENV_B" && grep -qx "DOMAINS=$DOMAIN" <<<"$ENV_B"'
check "hook env: PREFIX_VALID <= $VALID_S, PREFIX_PREFERRED <= $PREF_S" "$ENV_B" \
	eval 'v=$(sed -n "s/^PREFIX_VALID=//p" <<<"$ENV_B"); p=$(sed -n "s/^PREFIX_PREFERRED=//p" <<<"$ENV_B"); [ "$v" -le $VALID_S ] && [ "$p" -le $PREF_S ] && [ "$v" -gt 0 ]'

PDV=$(ctl gw pd 2>&1)
check "islandctl pd shows eth0's /64 and the hook" "$PDV" \
	eval 'grep -q "eth0: 2001:db8:1200:1::/64 (subnet 1)" <<<"$PDV" && grep -q "hook $ISL_RUN/pd-hook.sh: [1-9][0-9]* runs, 0 failed" <<<"$PDV"'
RAJ=$(ctl gw --json ra 2>&1)
check "islandctl ra lists eth0 as a dynamic link with its own advertiser" "$RAJ" \
	jqe '.dynamic[] | select(.iface == "eth0" and .own_advertiser and (.prefixes[0].prefix == "2001:db8:1200:1::/64"))' <<<"$RAJ"

# --- renumbering ------------------------------------------------------------------
# The ISP's new pool, and no memory of the old lease: the gateway's next
# Renew (T1 = $T1_S s) brings 2001:db8:3400::/56.
kea_stop
kea_start 2001:db8:3400::
# h1's addresses every 50 ms: when the first preferred (not tentative,
# not deprecated) address in the new /64 appears.
(
	while :; do
		if nsip h1 -6 -o addr show dev eth0 scope global 2>/dev/null |
			grep '2001:db8:3400:1:' | grep -qvE 'tentative|deprecated'; then
			date +%s.%N >"$ISL_RUN/h1-new-preferred"
			exit 0
		fi
		sleep 0.05 # the poll interval the measurement is made at
	done
) &
POLL=$!
at_cleanup "kill $POLL 2>/dev/null"
if wait_for $((VALID_S + 5)) test -s "$ISL_RUN/h1-new-preferred"; then
	H1_NEW=$(global_addr h1 eth0 2001:db8:3400:1:)
	T_ADDR=$(cat "$ISL_RUN/h1-new-preferred")
	# the last Reply before that moment that carried the new prefix
	T_REPLY=$(awk -v t="$T_ADDR" '/reply/ && /2001:db8:3400::/ { if ($1 + 0 <= t + 0) last = $1 } END { print last }' "$ISL_RUN/dhcp6.txt")
	if [ -n "$T_REPLY" ]; then
		DELTA_MS=$(awk -v a="$T_ADDR" -v r="$T_REPLY" 'BEGIN { printf "%d", (a - r) * 1000 }')
		# the first RA with the new /64 that reached h1 (the rest is h1's DAD)
		T_RA=$("$ISL_PY" "$ISL_LIB/ra_opts.py" decode "$RA_CAP" 2>/dev/null |
			awk '/pio=2001:db8:3400:1::\/64/ { sub("t=", "", $1); print $1; exit }')
		RA_MS=$(awk -v a="${T_RA:-0}" -v r="$T_REPLY" 'BEGIN { printf "%d", (a - r) * 1000 }')
		note "renumbering: server Reply at $T_REPLY, RA with the new /64 on h1's link ${RA_MS} ms later, h1 preferred $H1_NEW at $T_ADDR: $DELTA_MS ms"
		if [ "$DELTA_MS" -le 2000 ]; then
			ok "h1 has a preferred address in the new /64 $DELTA_MS ms after the server's Reply (goal 2000 ms)"
		else
			not_ok "h1 has a preferred address in the new /64 within 2 s of the server's Reply" "$DELTA_MS ms"
		fi
	else
		not_ok "the Reply with the new prefix is in the capture" "$(grep -c reply "$ISL_RUN/dhcp6.txt") replies"
	fi
else
	not_ok "h1 gets a preferred address in the new /64" "$(nsip h1 -6 -o addr show dev eth0 | awk '{$1=$2=$3=""; print}' | tr '\n' ';')"
	show_state gw
fi
FL=$(nsip h1 -6 addr show dev eth0 | grep -A1 "$H1_OLD")
check "h1's old address is deprecated (preferred_lft 0)" "$FL" \
	eval 'grep -q deprecated <<<"$FL" && grep -q "preferred_lft 0sec" <<<"$FL"'
check "gw eth0 has 2001:db8:3400:1::1/64, the old ::1 deprecated" "$(nsip gw -6 -o addr show dev eth0)" \
	eval 'nsip gw -6 -o addr show dev eth0 | grep -q "2001:db8:3400:1::1/64" &&
	      nsip gw -6 -o addr show dev eth0 | grep "2001:db8:1200:1::1/64" | grep -q deprecated'
check "unreachable route for the new /56" "$(nsip gw -6 route show type unreachable)" \
	eval 'nsip gw -6 route show type unreachable proto 73 | grep -q "^unreachable 2001:db8:3400::/56"'
wait_for 5 test -s "$ISL_RUN/hook-env.changed"
ENV_C=$(cat "$ISL_RUN/hook-env.changed" 2>/dev/null)
check "hook ran on changed with OLD_PREFIX=2001:db8:1200::/56 and the new PREFIX" "$ENV_C" \
	eval 'grep -qx "OLD_PREFIX=2001:db8:1200::/56" <<<"$ENV_C" && grep -qx "PREFIX=2001:db8:3400::/56" <<<"$ENV_C"'
RAS=$("$ISL_PY" "$ISL_LIB/ra_opts.py" decode "$RA_CAP" 2>&1)
DEP=$(grep 'pio=2001:db8:3400:1::/64' <<<"$RAS" | grep -m 1 -o 'pio=2001:db8:1200:1::/64,[0-9]*,[0-9]*')
check "one RA carries the new /64 and the old one with preferred lifetime 0" "$DEP" \
	eval 'v=$(cut -d, -f2 <<<"$DEP"); p=$(cut -d, -f3 <<<"$DEP"); [ "$p" = 0 ] && [ "$v" -le $VALID_S ]'
if [ -n "${H1_NEW:-}" ]; then
	check "h1 reaches the ISP from its new address" "no echo reply" \
		wait_for 10 nsexec h1 ping -6 -n -c 1 -W 1 -I "$H1_NEW" "$ISP_ADDR"
fi

# Stop: RFC 9096, nothing withdrawn from the hosts; the hook is told.
finish_islandd gw
check "after the stop, the hook ran with REASON=stopped" "$(cat "$ISL_RUN/hook-events" 2>/dev/null | tr '\n' ';')" \
	wait_for 5 grep -qx "REASON=stopped" "$ISL_RUN/hook-env.stopped"
check "after the stop, gw eth0 keeps 2001:db8:3400:1::1 (its kernel lifetimes run on)" "$(nsip gw -6 -o addr show dev eth0)" \
	eval 'nsip gw -6 -o addr show dev eth0 | grep -q "2001:db8:3400:1::1/64"'
check "after the stop, no unreachable route of islandd's is left" "$(nsip gw -6 route show proto 73)" \
	test -z "$(nsip gw -6 route show type unreachable proto 73)"
# A restart continues the lease (PD's state-dir): the same /64 on eth0,
# the unreachable route back, h1's address untouched.
if start_islandd gw ""; then
	check "after a restart, the unreachable route for 2001:db8:3400::/56 is back" "$(nsip gw -6 route show type unreachable)" \
		wait_for 15 eval 'nsip gw -6 route show type unreachable proto 73 | grep -q "^unreachable 2001:db8:3400::/56"'
	check "after a restart, eth0 has the same /64 (2001:db8:3400:1::1, preferred)" "$(nsip gw -6 -o addr show dev eth0)" \
		eval 'nsip gw -6 -o addr show dev eth0 | grep "2001:db8:3400:1::1/64" | grep -qv deprecated'
	check "after a restart, h1 keeps a preferred address in 2001:db8:3400:1::/64" "$(nsip h1 -6 -o addr show dev eth0)" \
		eval 'nsip h1 -6 -o addr show dev eth0 | grep "2001:db8:3400:1:" | grep -qv deprecated'
	finish_islandd gw
else
	not_ok "islandd starts again" "see $(islandd_log gw)"
fi
kea_stop
test_status
