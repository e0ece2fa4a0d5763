#!/usr/bin/env bash
# islandd restarted with every neighbour cache flushed (a gateway reboot),
# for `iface` and `auto` rules (the relay's case is 17_relay_discovery.sh):
# nothing is known anywhere, yet the first ping from upstream reaches each
# host behind the gateway and the hosts reach out, nothing done on them.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root 18_restart_flushed
need_cmd jq
need_islandd
netns_init

# first_ping NS DST: one echo request, answered within 3 s (the upstream's
# first NS waits while islandd probes downstream; nothing is retried).
first_ping() { nsexec "$1" ping -6 -n -c 1 -W 3 "$2" >/dev/null 2>&1; }

# --- iface rule: the seed-000 island and its ndppd.conf ------------------------
island000_build
auto_build
start_islandd gw "$(island000_conf)" || { not_ok "islandd starts (iface)" "see $(islandd_log gw)"; exit 1; }
check "iface: before the restart the laptop reaches pi41" "no echo reply" ping6_ok laptop "$PI41_ADDR" 10
stop_islandd gw TERM 10
for ns in gw isp laptop pi41 pi42 inet; do nsip "$ns" -6 neigh flush all; done
start_islandd gw "$(island000_conf)" || { not_ok "islandd restarts (iface)" "see $(islandd_log gw)"; exit 1; }
check "iface: after the restart islandd has no session" "$(ctl gw sessions)" \
	test "$(ctl gw sessions --json | jq '.sessions | length')" -eq 0
for a in "$PI41_ADDR" "$PI42_ADDR"; do
	if first_ping laptop "$a"; then
		ok "iface: the laptop's first ping reaches $a after the restart"
	else
		not_ok "iface: the laptop's first ping reaches $a after the restart" "no echo reply"
		show_state gw
	fi
done
check "iface: both routed again (autowire)" "routes: $(routes73 gw)" \
	eval 'has_route73 gw "$PI41_ADDR" && has_route73 gw "$PI42_ADDR"'
nsip isp -6 neigh flush all
check "iface: pi41 reaches the 'internet'" "no echo reply" ping6_ok pi41 "$INET_ADDR" 5
check "iface: pi42 reaches the 'internet'" "no echo reply" ping6_ok pi42 "$INET_ADDR" 5
# A host address without DAD behind the iface rule: found when solicited.
NODAD=2001:db8:abc:123:41::d0c
nsip pi41 addr add "$NODAD/80" dev eth0 nodad noprefixroute
check "iface: the laptop's first ping reaches a nodad address ($NODAD)" "no echo reply" first_ping laptop "$NODAD"
finish_islandd gw

# --- auto rule: the gateway's routing table decides ----------------------------
start_islandd agw "$(auto_conf)" || { not_ok "islandd starts (auto)" "see $(islandd_log agw)"; exit 1; }
check "auto: before the restart the upstream reaches ah1" "no echo reply" ping6_ok aup "$AUTO_H1" 10
stop_islandd agw TERM 10
for ns in aup agw ah1 ah2; do nsip "$ns" -6 neigh flush all; done
start_islandd agw "$(auto_conf)" || { not_ok "islandd restarts (auto)" "see $(islandd_log agw)"; exit 1; }
check "auto: after the restart islandd has no session" "$(ctl agw sessions)" \
	test "$(ctl agw sessions --json | jq '.sessions | length')" -eq 0
for a in "$AUTO_H1" "$AUTO_H2"; do
	if first_ping aup "$a"; then
		ok "auto: the upstream's first ping reaches $a after the restart"
	else
		not_ok "auto: the upstream's first ping reaches $a after the restart" "no echo reply"
		show_state agw
	fi
done
nsip aup -6 neigh flush all
check "auto: ah2 reaches the upstream router" "no echo reply" ping6_ok ah2 "$AUTO_UP" 5
finish_islandd agw
test_status
