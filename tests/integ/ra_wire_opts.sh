#!/usr/bin/env bash
# RA relay: options as routers really send them (issue 11, defects 2, 3, 4
# and 6), on the wire. The ISP's router (isp br0) is scapy-free byte-built
# RAs from tests/lib/ra_opts.py (radvd is killed first, without a final RA);
# h1 behind the gateway captures what the relay sends, and the fields of
# each relayed RA are checked:
#   2. options spread over several RAs (RFC 4861 §6.2.3): a prefix, server
#      or search list missing from one RA keeps its own lifetime; only
#      lifetime 0 withdraws (and h1's address in it is deprecated then only);
#   3. RDNSS (RFC 8106 §5.1): each server relayed with its own lifetime,
#      one option per lifetime; a server withdrawn with 0 is relayed with 0,
#      one whose lifetime ran out too; search domains the same way;
#   4. PREF64 (RFC 8781) and captive portal (RFC 8910) relayed; a PREF64 of
#      length 3 or PLC 7 is not (ignored, counted);
#   6. the upstream router says router lifetime 0 (a WAN outage): the relay
#      stays h1's router (low preference, a RIO for the /64) and h1 still
#      reaches the laptop.
# Each step's upstream RA carries a search domain of its own (stepN.example):
# the first relayed RA listing it is the relay's answer to that RA.
set -u
. "$(dirname "$0")/../lib/ra.sh"
need_root ra_wire_opts
need_cmd jq tcpdump "$ISL_PY"
need_islandd
netns_init
ra_island_build

RAPY=$ISL_LIB/ra_opts.py
P1=$RA_PREFIX                       # the laptop's /64
P2=2001:db8:abc:222::/64
P2_STR=2001:db8:abc:222:
DNS1=${RA_PREFIX_STR}:53
DNS2=${RA_PREFIX_STR}:54
CAP=$ISL_RUN/h1-eth0.pcap

# The ISP router becomes ours: radvd goes without a final RA.
kill -9 "$(cat "$ISL_RUN/radvd-isp.pid")" 2>/dev/null
up_ra() { nsexec isp "$ISL_PY" "$RAPY" send br0 "$@" >/dev/null; }
# relayed_since T0: the RAs h1 captured from the gateway since T0, decoded.
relayed_since() {
	"$ISL_PY" "$RAPY" decode "$CAP" 2>/dev/null |
		awk -v t="$1" -v src="src=$GW_ETH_LL" '{split($1, a, "="); if (a[2] + 0 >= t + 0 && $2 == src) print}'
}
# step N TOKENS...: send an upstream RA with domain stepN.example, then
# print the first RA the relay sends h1 that lists it (8 s at most).
STEP_T0=
step() {
	local n=$1 line; shift
	STEP_T0=$(date +%s.%N)
	up_ra "$@" "dnssl=600,step$n.example"
	for _ in $(seq 80); do
		line=$(relayed_since "$STEP_T0" | grep -m1 -E "dnssl=[1-9][0-9]*,step$n\.example")
		[ -n "$line" ] && { echo "$line"; return 0; }
		sleep 0.1 # poll interval of a wait on a captured RA
	done
	echo "no relayed RA with step$n.example: $(relayed_since "$STEP_T0" | tail -n 1)"
	return 1
}
# opt NAME LINE: the NAME=... words of a decoded RA, one per line.
opt() { tr ' ' '\n' <<<"$2" | grep "^$1="; }
# pio_of PREFIX LINE: "VALID PREFERRED" of PREFIX in LINE (empty if absent).
pio_of() { opt pio "$2" | awk -F'[=,]' -v p="$1" '$2 == p {print $3, $4}'; }
# rdnss_of ADDR LINE: the lifetimes of the RDNSS options listing ADDR.
rdnss_of() { opt rdnss "$2" | awk -F'[=,]' -v a="$1" '{for (i = 3; i <= NF; i++) if ($i == a) print $2}'; }
# between V LO HI: LO <= V <= HI (V one number). The relay answers an
# upstream RA within 3 s (RFC 4861 §6.2.6 spacing), lifetimes aged by then.
between() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

up_ra "pio=$P1,86400,14400"
start_islandd gw "ra-relay wlan0 { iface eth0 }" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
ra_capture_start h1 eth0 "$CAP"

# --- 2: a prefix and a server missing from one RA -------------------------------
L=$(step 1 "pio=$P1,86400,14400" "pio=$P2,86400,14400" "rdnss=600,$DNS1") ||
	{ not_ok "the relay relays the first RA" "$L"; ra_show_state gw; exit 1; }
note "step 1 relayed: $L"
wait_slaac h1 eth0 "$RA_PREFIX_STR" 20 || not_ok "h1: SLAAC address in $P1" "none"
wait_slaac h1 eth0 "$P2_STR" 20 || not_ok "h1: SLAAC address in $P2" "none"
H1=$(global_addr h1 eth0 "$RA_PREFIX_STR")
H1_P2=$(global_addr h1 eth0 "$P2_STR")
note "h1: $H1, $H1_P2"
if L=$(step 2 "pio=$P1,86400,14400"); then
	note "step 2 relayed: $L"
	read -r v p <<<"$(pio_of "$P2" "$L")"
	check "RA {P1} after RA {P1, P2}: P2 still relayed with its own lifetimes (valid $v, preferred $p)" "$L" \
		eval '[ -n "$v" ] && [ "$v" -gt 86000 ] && [ "$p" -gt 14000 ]'
	check "... the server missing from that RA keeps its lifetime ($(rdnss_of "$DNS1" "$L" | tr '\n' ' '))" "$L" \
		eval '[ "$(rdnss_of "$DNS1" "$L")" -gt 500 ]'
	check "... and the search list of the first RA stays live" "$L" grep -qE "dnssl=[1-9][0-9]*,step1\.example" <<<"$L"
else
	not_ok "RA {P1} after RA {P1, P2} is relayed" "$L"
fi
check "h1's address in P2 is not deprecated ($(addr_flags h1 eth0 "$H1_P2"))" "flags: $(addr_flags h1 eth0 "$H1_P2")" \
	eval '[[ "$(addr_flags h1 eth0 "$H1_P2")" != *deprecated* ]]'
check "prefixes_withdrawn stays 0" "$(ra_counter gw prefixes_withdrawn)" test "$(ra_counter gw prefixes_withdrawn)" = 0

# An explicit lifetime 0 withdraws: P2 relayed with 0/0, h1's address
# deprecated; a search domain withdrawn alone goes, the others stay.
if L=$(step 3 "pio=$P2,0,0" "dnssl=0,step1.example"); then
	check "P2 announced with lifetime 0 is relayed with 0 0 ($(pio_of "$P2" "$L"))" "$L" test "$(pio_of "$P2" "$L")" = "0 0"
	check "step1.example withdrawn with 0 is relayed with 0, step2.example keeps its lifetime" "$L" \
		eval 'grep -qE "dnssl=0,(step[0-9]\.example,)*step1\.example" <<<"$L" && grep -qE "dnssl=59[0-9],(step[0-9]\.example,)*step2\.example" <<<"$L"'
else
	not_ok "the withdrawal of P2 is relayed" "$L"
fi
check "h1's address in P2 is deprecated" "flags: $(addr_flags h1 eth0 "$H1_P2")" \
	wait_for 5 eval '[[ "$(addr_flags h1 eth0 "$H1_P2")" == *deprecated* ]]'

# --- 3: RDNSS servers with their own lifetimes ----------------------------------
if L=$(step 4 "pio=$P1,86400,14400" "rdnss=600,$DNS1" "rdnss=10,$DNS2"); then
	note "step 4 relayed: $L"
	check "a 600 s server and a 10 s server: relayed in two options, each with its own lifetime ($(opt rdnss "$L" | tr '\n' ' '))" "$L" \
		eval 'between "$(rdnss_of "$DNS1" "$L")" 596 600 && between "$(rdnss_of "$DNS2" "$L")" 6 10'
else
	not_ok "the RA with two RDNSS lifetimes is relayed" "$L"
fi
if L=$(step 5 "pio=$P1,86400,14400" "rdnss=0,$DNS1" "rdnss=10,$DNS2"); then
	note "step 5 relayed: $L"
	check "the 600 s server withdrawn with 0 is relayed with 0, the 10 s one with its own ($(opt rdnss "$L" | tr '\n' ' '))" "$L" \
		eval '[ "$(rdnss_of "$DNS1" "$L")" = 0 ] && between "$(rdnss_of "$DNS2" "$L")" 6 10'
else
	not_ok "the RA withdrawing a server is relayed" "$L"
fi
T5=$STEP_T0
ran_out() { relayed_since "$T5" | grep -qE "rdnss=0,([^ ]*,)?$DNS2( |,|$)"; }
check "the 10 s server, not refreshed, is relayed with 0 once its lifetime ran out" \
	"$(relayed_since "$T5" | tail -n 1)" wait_for 20 ran_out

# --- 4: PREF64 and captive portal ------------------------------------------------
n_ign=$(ra_counter gw ra_options_ignored)
if L=$(step 6 "pio=$P1,86400,14400" "pref64=64:ff9b::/96,1800" "pref64raw=3,0,75,2001:db8:64::" \
	"pref64raw=2,7,75,2001:db8:65::" "capport=https://portal.example/api"); then
	note "step 6 relayed: $L"
	check "PREF64 64:ff9b::/96 relayed with its lifetime ($(opt pref64 "$L" | tr '\n' ' '))" "$L" \
		grep -qE "pref64=64:ff9b::/96,(1800|1792)( |$)" <<<"$L"
	check "PREF64 of length 3 and of PLC 7 not relayed" "$L" eval '! grep -qE "2001:db8:6[45]::" <<<"$L"'
	check "captive portal URI relayed" "$L" grep -qE "capport=https://portal.example/api( |$)" <<<"$L"
else
	not_ok "the RA with PREF64 and captive portal is relayed" "$L"
fi
check "ra_options_ignored counts the two bad PREF64s" "$n_ign -> $(ra_counter gw ra_options_ignored)" \
	test "$(( $(ra_counter gw ra_options_ignored) - ${n_ign:-0} ))" -eq 2

# --- 6: upstream router lifetime 0 ---------------------------------------------
check "h1 reaches the laptop ($LAPTOP_ADDR) before" "no echo reply" ping6_ok h1 "$LAPTOP_ADDR" 10
if L=$(step 7 "lifetime=0" "pio=$P1,86400,14400"); then
	note "step 7 relayed: $L"
	check "upstream router lifetime 0: the relay stays h1's router at low preference ($(opt rl "$L"; opt prf "$L"))" "$L" \
		grep -qE " rl=1800 prf=low P=1" <<<"$L"
	check "... with a Route Information Option for the upstream /64" "$L" grep -qE "rio=${P1%/*}/64,[1-9][0-9]*,medium" <<<"$L"
	check "... the prefix still not on-link (A only)" "$L" grep -qE "pio=$P1,[0-9]+,[0-9]+,-A" <<<"$L"
else
	not_ok "the RA with router lifetime 0 is relayed" "$L"
fi
# h1 has taken that RA in once its default route carries the low preference
check "h1 keeps a default route via the gateway" "$(nsip h1 -6 route show default dev eth0)" \
	wait_for 5 eval 'nsip h1 -6 route show default dev eth0 | grep -q "via $GW_ETH_LL .*pref low"'
out=$(nsexec h1 ping -6 -n -c 1 -W 2 "$LAPTOP_ADDR" 2>&1)
check "h1 still reaches the laptop ($LAPTOP_ADDR)" "$(tail -n 2 <<<"$out" | tr '\n' ' ')" ping6_ok h1 "$LAPTOP_ADDR" 10
check "the laptop still reaches h1 ($H1)" "no echo reply" ping6_ok laptop "$H1" 10
# The router back: its own lifetime and preference again, no RIO.
if L=$(step 8 "lifetime=1800" "prf=high" "pio=$P1,86400,14400"); then
	check "the upstream router back: its lifetime and preference relayed, no RIO" "$L" \
		eval 'grep -qE " rl=(179[6-9]|1800) prf=high P=1" <<<"$L" && ! grep -q "rio=" <<<"$L"'
else
	not_ok "the RA of the router back is relayed" "$L"
fi

ra_capture_stop
stop_islandd gw TERM 10
check "no sanitizer report in the daemon log" "see $(islandd_log gw)" sanitizer_clean gw
test_status
