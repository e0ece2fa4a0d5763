#!/usr/bin/env bash
# Configuration checks (`islandd -t`) and reloads: a broken config on SIGHUP
# is reported with file:line:col and the old one keeps running; a good one
# takes effect and keeps the learned state that still applies.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root config
need_cmd jq "$ISL_PY"
need_islandd
netns_init

# --- islandd -t -----------------------------------------------------------
conf_ok() {  # NAME TEXT
	local f="$ISL_RUN/t-$1.conf" out rc
	printf '%s\n' "$2" >"$f"
	out=$("$ISLANDD" -t -c "$f" 2>&1); rc=$?
	if [ "$rc" -eq 0 ]; then ok "islandd -t accepts $1 (exit 0)"
	else not_ok "islandd -t accepts $1 (exit 0)" "exit $rc: $out"; fi
}
conf_bad() {  # NAME LINE COL TEXT: exit 1 and "FILE:LINE:COL: message"
	local f="$ISL_RUN/t-$1.conf" out rc
	printf '%s\n' "$4" >"$f"
	out=$("$ISLANDD" -t -c "$f" 2>&1); rc=$?
	if [ "$rc" -eq 1 ] && grep -qE "^$f:$2:$3: .+" <<<"$out"; then
		ok "islandd -t rejects $1: exit 1, $(head -n 1 <<<"$out" | sed "s|$ISL_RUN/||")"
	else
		not_ok "islandd -t rejects $1 with exit 1 and $f:$2:$3: message" "exit $rc: $out"
	fi
}
conf_ok "the seed-000 ndppd.conf" "$(island000_conf)"
conf_ok "the seed-004 ndppd.conf" "$(vps004_conf)"
conf_ok "an auto rule" "$(auto_conf)"
conf_ok "comments of three kinds" "# hash
// slashes
/* a block
   comment */ proxy eth0 { rule 2001:db8::/64 { static } }"
conf_bad "an unknown keyword" 3 5 "proxy wlan0 {
    autowire yes
    bogus yes
}"
conf_bad "a bad number" 2 9 "proxy wlan0 {
    ttl abc
}"
conf_bad "a bad prefix" 2 10 "proxy wlan0 {
    rule 2001:db8::zz/64 {
        static
    }
}"
conf_bad "a prefix length over 128" 2 10 "proxy wlan0 {
    rule 2001:db8::/129 { static }
}"
rc=0; out=$("$ISLANDD" -t -c "$ISL_RUN/does-not-exist.conf" 2>&1) || rc=$?
check "islandd -t on a missing file exits 1 and names it" "exit $rc: $out" \
	bash -c "[ $rc -eq 1 ] && grep -q 'does-not-exist.conf' <<<'$out'"
# The canonical form printed by -t -v parses again to the same thing.
printf '%s\n' "$(island000_conf)" >"$ISL_RUN/rt.conf"
"$ISLANDD" -t -v -c "$ISL_RUN/rt.conf" >"$ISL_RUN/rt2.conf" 2>/dev/null
"$ISLANDD" -t -v -c "$ISL_RUN/rt2.conf" >"$ISL_RUN/rt3.conf" 2>/dev/null
check "islandd -t -v prints a config that parses back to itself" "differs" \
	bash -c "grep -q 'iface eth0' '$ISL_RUN/rt2.conf' && cmp -s '$ISL_RUN/rt2.conf' '$ISL_RUN/rt3.conf'"

# --- SIGHUP -----------------------------------------------------------------
island000_build
start_islandd gw "$(island000_conf)" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }
check "before the reload: laptop reaches pi41" "no echo reply" ping6_ok laptop "$PI41_ADDR" 10
pid=$(islandd_pid gw)
conf=$(islandd_conf gw)

# A broken config: unknown keyword on line 3, column 5.
write_islandd_conf gw "proxy wlan0 {
    autowire yes
    bogus yes
    rule 2001:db8:abc:123:40::/76 {
        iface eth0
    }
}"
kill -HUP "$pid"
if wait_for 5 grep -q "$conf:3:5: " "$(islandd_log gw)"; then
	ok "SIGHUP with a broken config logs $(grep -o "$conf:3:5: .*" "$(islandd_log gw)" | head -n 1 | sed "s|$ISL_RUN/||")"
else
	not_ok "SIGHUP with a broken config logs file:3:5: message" "log: $(tail -n 5 "$(islandd_log gw)")"
fi
check "the daemon keeps running (same pid)" "gone" kill -0 "$pid"
check "islandctl status still answers" "no answer" ctl gw status
check "the old config still answers for pi41" "no NA" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 2 --check S=1
check "the old config still serves a new target (pi42)" "no echo reply" ping6_ok laptop "$PI42_ADDR" 10
check "pi41's route was kept" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"
if out=$(ctl gw reload 2>&1); then
	not_ok "islandctl reload with the broken config fails" "exit 0: $out"
else
	check "islandctl reload with the broken config fails and says where" "output: $out" \
		grep -q "3:5" <<<"$out"
fi

# A good new config that narrows the rule to pi41's /80.
age_before=$(ctl gw sessions --json | jq -r --arg t "$PI41_ADDR" '.sessions[] | select(.target == $t) | .age_ms')
write_islandd_conf gw "proxy wlan0 {
	autowire yes
	rule 2001:db8:abc:123:41::/80 {
		iface eth0
	}
}"
kill -HUP "$pid"
if wait_for 5 _isl_not has_route73 gw "$PI42_ADDR"; then
	ok "SIGHUP with a narrower rule removes pi42's route (no longer covered)"
else
	not_ok "SIGHUP with a narrower rule removes pi42's route" "routes: $(routes73 gw)"
fi
check "pi42 is no longer answered" "answered" \
	nd laptop ns --iface wlan0 --target "$PI42_ADDR" --expect none --timeout 1.5
check "pi41's route is kept across the reload" "routes: $(routes73 gw)" has_route73 gw "$PI41_ADDR"
age_after=$(ctl gw sessions --json | jq -r --arg t "$PI41_ADDR" '.sessions[] | select(.target == $t) | .age_ms')
check "pi41's session is kept, not re-learned (age ${age_before:-?} -> ${age_after:-?} ms)" "new session" \
	test "${age_after:-0}" -gt "${age_before:-0}"
check "pi41 is still answered at once (no re-probe)" "no NA" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 1 --check S=1

# An engine that cannot take the new file fails alone, and says so: port
# 5353 held (dual-stack, without SO_REUSEADDR) so the mDNS reflector an
# added mdns block asks for cannot open its sockets.
hog_ready="$ISL_RUN/mdns-hog.ready"
ip netns exec "$(nsn gw)" "$ISL_PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 5353))
open(sys.argv[1], "w").close()
time.sleep(120)' "$hog_ready" &
hog=$!
at_cleanup "kill $hog 2>/dev/null"
wait_for 5 test -e "$hog_ready" || note "the port-5353 holder did not start"
write_islandd_conf gw "proxy wlan0 {
	autowire yes
	rule 2001:db8:abc:123:41::/80 {
		iface eth0
	}
}
mdns {
	iface wlan0
	iface eth0
}"
rc=0; out=$(ctl gw reload 2>&1) || rc=$?
check "islandctl reload names the engine that failed and why (exit $rc: $out)" "exit $rc: $out" \
	bash -c "[ $rc -eq 1 ] && grep -q 'mdns: Address already in use' <<<'$out'"
json=$(ctl gw reload --json 2>&1)
check "... and in JSON: the file is reloaded, the error names mdns" "$json" \
	jqe '.reloaded == true and (.error | test("^mdns: "))' <<<"$json"
check "the daemon keeps running, the reflector stays off" "$(ctl gw status --json 2>&1)" \
	bash -c "ctl() { \"$ISLANDCTL\" -S \"$(islandd_sock gw)\" \"\$@\"; }; ctl status --json | jq -e '.mdns == false' >/dev/null"
check "the proxy took the new file and still answers for pi41" "no NA" \
	nd laptop ns --iface wlan0 --target "$PI41_ADDR" --expect na --timeout 2 --check S=1
if grep -q 'reload: mdns failed and keeps its previous configuration: Address already in use' "$(islandd_log gw)"; then
	ok "the log names the failed engine"
else
	not_ok "the log names the failed engine" "log: $(tail -n 5 "$(islandd_log gw)")"
fi
kill "$hog" 2>/dev/null; wait "$hog" 2>/dev/null
rc=0; out=$(ctl gw reload 2>&1) || rc=$?
check "with the port free, the same file reloads (exit $rc: $out)" "exit $rc: $out" test "$rc" -eq 0
reflector_joined() {
	[ "$(ctl gw mdns --json 2>/dev/null | jq '[.mdns.interfaces[] | select(.joined6 and .up)] | length')" = 2 ]
}
if wait_for 5 reflector_joined; then
	ok "and the reflector runs, joined on wlan0 and eth0"
else
	not_ok "and the reflector runs, joined on wlan0 and eth0" "$(ctl gw mdns --json 2>&1 | jq -c .mdns.interfaces)"
fi

finish_islandd gw
test_status
