#!/usr/bin/env bash
# `islandd check`: in a namespace gateway (gw: wan0 upstream, lan0 towards a
# host), each problem the doctor knows is made on purpose; the doctor must
# name it (exit 1, the message and the fix), and be silent (exit 0) once it
# is undone. Competing daemons (ndppd, npd6, avahi's reflector) are started
# inside the namespace; one in another namespace must not count.
set -u
. "$(dirname "$0")/../lib/netns.sh"
need_root doctor
BUILD=${BUILD:-build}
ISLANDD="$ISL_REPO/$BUILD/islandd"
[ -x "$ISLANDD" ] || die "$ISLANDD not built (make)"
need_cmd jq
# json_doc FILTER [ARGS...] <<<TEXT: TEXT is exactly one JSON document and
# FILTER holds for it (jq 1.6 -e alone passes an empty input)
json_doc() {
	local in
	in=$(cat)
	[ -n "$in" ] && [ "$(jq -s length <<<"$in" 2>/dev/null)" = 1 ] && jq -e "$@" >/dev/null 2>&1 <<<"$in"
}
netns_init
ns_add gw up h
veth gw wan0 up eth0
veth gw lan0 h eth0
if_up gw wan0 lan0
if_up up eth0
if_up h eth0
# inside 2001:db8:1::/64, as the seed-000 /76 is inside its /64
RULE=2001:db8:1:0:40::/76

# the correct setup: forwarding, SLAAC kept on the upstream, the rule's
# prefix routed to its interface, no kernel proxying
correct() {
	nssysctl gw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.all.proxy_ndp=0 \
		net.ipv6.conf.wan0.accept_ra=2 net.ipv6.conf.wan0.autoconf=1 net.ipv6.conf.wan0.proxy_ndp=0
	if_up gw wan0 lan0
	nsip gw -6 route replace "$RULE" dev lan0
}
correct

conf() { cat >"$ISL_RUN/$1.conf"; chmod 644 "$ISL_RUN/$1.conf"; }
conf good <<EOF2
proxy wan0 {
	rule $RULE {
		iface lan0
	}
	rule 2001:db8:1:ff::/80 {
		static
	}
}
EOF2
conf autowire <<EOF2
proxy wan0 {
	autowire yes
	rule $RULE {
		iface lan0
	}
}
EOF2
conf missing_down <<'EOF2'
proxy wan0 {
	rule 2001:db8:1:0:40::/76 {
		iface lan9
	}
}
EOF2
conf missing_proxy <<'EOF2'
proxy wan9 {
	rule 2001:db8:1:ff::/80 {
		static
	}
}
EOF2
conf shadow <<EOF2
proxy wan0 {
	rule 2001:db8:1::/64 {
		static
	}
	rule $RULE {
		iface lan0
	}
}
EOF2
conf mdns <<EOF2
proxy wan0 {
	rule 2001:db8:1:ff::/80 {
		static
	}
}
mdns {
	iface wan0
	iface lan0
}
EOF2

# doctor CONF [ARGS...]: runs the check in gw; output in $OUT, status in $RC
doctor() {
	local c=$1; shift
	OUT=$(nsexec gw "$ISLANDD" check -c "$ISL_RUN/$c.conf" "$@" 2>&1)
	RC=$?
}

# finds NAME CONF WHAT [FIX]: exit 1, WHAT (and FIX) in the report
finds() {
	local name=$1 c=$2 what=$3 fix=${4:-}
	doctor "$c"
	if [ "$RC" -ne 1 ]; then
		not_ok "$name" "exit $RC, want 1: $(tr '\n' '|' <<<"$OUT")"
	elif ! grep -qF -- "problem: $what" <<<"$OUT"; then
		not_ok "$name" "no 'problem: $what' in: $(tr '\n' '|' <<<"$OUT")"
	elif [ -n "$fix" ] && ! grep -qF -- "fix: $fix" <<<"$OUT"; then
		not_ok "$name" "no 'fix: $fix' in: $(tr '\n' '|' <<<"$OUT")"
	else
		ok "$name"
	fi
}

# silent NAME CONF: exit 0, no problem
silent() {
	local name=$1 c=$2
	doctor "$c"
	if [ "$RC" -eq 0 ] && grep -q 'no problems found' <<<"$OUT" && ! grep -q 'problem:' <<<"$OUT"; then
		ok "$name"
	else
		not_ok "$name" "exit $RC, want 0: $(tr '\n' '|' <<<"$OUT")"
	fi
}

# running_in NS COMM: is a process named COMM in namespace NS?
running_in() {
	local pids
	pids=$(ip netns pids "$(nsn "$1")" 2>/dev/null | tr '\n' ',')
	[ -n "$pids" ] && ps -o comm= -p "${pids%,}" | grep -qx "$2"
}

# stop_in NS NAME: SIGTERM to every NAME in NS; what has not exited 5 s
# later (parprouted cleans up first, slowly on a loaded machine) gets SIGKILL.
stop_in() {
	local sig p
	for sig in TERM KILL; do
		for p in $(ip netns pids "$(nsn "$1")" 2>/dev/null); do
			[ "$(ps -o comm= -p "$p")" = "$2" ] && kill -s "$sig" "$p" 2>/dev/null
		done
		wait_until_gone 5 running_in "$1" "$2" && return 0
	done
	not_ok "stop_$2_in_$1" "$2 in $1 survives SIGKILL"
}

# --- the correct setup ---------------------------------------------------
silent doctor_correct_silent good
silent doctor_autowire_silent autowire
doctor good --json
check doctor_json_ok "json: $OUT" grep -q '"problems":\[\],"ok":true' <<<"$OUT"

# --- forwarding off --------------------------------------------------------
nssysctl gw net.ipv6.conf.all.forwarding=0
finds doctor_forwarding_off good "IPv6 forwarding is off" "sysctl -w net.ipv6.conf.all.forwarding=1"
doctor good --json
check doctor_json_problem "json: $OUT" grep -q '"problem":"IPv6 forwarding is off.*"ok":false' <<<"$OUT"
correct
silent doctor_forwarding_fixed good

# --- accept_ra not 2 on a forwarding upstream with SLAAC --------------------
nssysctl gw net.ipv6.conf.wan0.accept_ra=1
finds doctor_accept_ra good "wan0 forwards but accept_ra is 1" "sysctl -w net.ipv6.conf.wan0.accept_ra=2"
# a static upstream address (no SLAAC) does not need the RAs
nssysctl gw net.ipv6.conf.wan0.autoconf=0
silent doctor_accept_ra_static_ok good
nssysctl gw net.ipv6.conf.wan0.accept_ra=0 net.ipv6.conf.wan0.autoconf=1
finds doctor_accept_ra0 good "wan0 forwards but accept_ra is 0"
correct
silent doctor_accept_ra_fixed good

# --- interfaces missing or down ---------------------------------------------
finds doctor_rule_iface_missing missing_down "interface lan9 (rule downstream) does not exist"
finds doctor_proxy_iface_missing missing_proxy "interface wan9 (proxy) does not exist"
nsip gw link set lan0 down
finds doctor_rule_iface_down good "interface lan0 (rule downstream) is down" "ip link set lan0 up"
correct
nsip gw link set wan0 down
finds doctor_proxy_iface_down good "interface wan0 (proxy) is down" "ip link set wan0 up"
correct
silent doctor_iface_fixed good

# --- a rule prefix with neither a route nor autowire ------------------------
nsip gw -6 route del "$RULE" dev lan0
finds doctor_no_route good \
	"rule 2001:db8:1:0:40::/76 (line 2) answers for hosts behind lan0, but the kernel does not route that prefix there and autowire is off" \
	"add 'autowire yes' to proxy wan0, or: ip -6 route add 2001:db8:1:0:40::/76 dev lan0"
silent doctor_no_route_autowire_ok autowire
# routed, but to the wrong interface
nsip gw -6 route add "$RULE" dev wan0
finds doctor_route_elsewhere good \
	"rule 2001:db8:1:0:40::/76 (line 2) answers for hosts behind lan0, but the kernel does not route that prefix there"
nsip gw -6 route del "$RULE" dev wan0
correct
silent doctor_route_fixed good

# --- a shadowed rule --------------------------------------------------------
finds doctor_shadowed shadow \
	"rule 2001:db8:1:0:40::/76 (line 5) is shadowed by rule 2001:db8:1::/64 (line 2): it never matches"

# --- kernel proxy_ndp -------------------------------------------------------
nssysctl gw net.ipv6.conf.wan0.proxy_ndp=1
finds doctor_proxy_ndp good "kernel proxy_ndp is on for wan0" \
	"ip -6 neigh flush proxy dev wan0; sysctl -w net.ipv6.conf.wan0.proxy_ndp=0"
correct
nssysctl gw net.ipv6.conf.all.proxy_ndp=1
finds doctor_proxy_ndp_all good "kernel proxy_ndp is on for wan0" \
	"ip -6 neigh flush proxy dev wan0; sysctl -w net.ipv6.conf.all.proxy_ndp=0"
correct
silent doctor_proxy_ndp_fixed good

# --- another NDP proxy running ----------------------------------------------
conf ndppd <<'EOF2'
proxy wan0 {
	rule 2001:db8:1:ff::/80 {
		static
	}
}
EOF2
if command -v ndppd >/dev/null; then
	nsexec gw ndppd -c "$ISL_RUN/ndppd.conf" -p "$ISL_RUN/ndppd-gw.pid" >"$ISL_KEEP/doctor-ndppd.log" 2>&1 &
	if wait_for 5 running_in gw ndppd; then
		finds doctor_ndppd good "ndppd is running: two NDP proxies answer for the same targets" \
			"systemctl disable --now ndppd"
	else
		not_ok doctor_ndppd "ndppd did not start: $(tail -n 3 "$ISL_KEEP/doctor-ndppd.log")"
	fi
	kill "$(cat "$ISL_RUN/ndppd-gw.pid" 2>/dev/null)" 2>/dev/null
	wait_until_gone 5 running_in gw ndppd
	silent doctor_ndppd_gone good
	# an ndppd in another namespace answers on other links: not a problem
	sed 's/wan0/eth0/' "$ISL_RUN/ndppd.conf" >"$ISL_RUN/ndppd-up.conf"
	nsexec up ndppd -c "$ISL_RUN/ndppd-up.conf" -p "$ISL_RUN/ndppd-up.pid" >/dev/null 2>&1 &
	if wait_for 5 running_in up ndppd; then
		silent doctor_ndppd_elsewhere_ignored good
	else
		not_ok doctor_ndppd_elsewhere_ignored "ndppd did not start in the other namespace"
	fi
	kill "$(cat "$ISL_RUN/ndppd-up.pid" 2>/dev/null)" 2>/dev/null
else
	skip doctor_ndppd "ndppd not installed"
fi

if command -v npd6 >/dev/null; then
	cat >"$ISL_RUN/npd6.conf" <<-'EOF2'
	prefix=2001:db8:1:ff:
	interface = wan0
	EOF2
	nsexec gw npd6 -f -c "$ISL_RUN/npd6.conf" -l "$ISL_KEEP/doctor-npd6.log" >/dev/null 2>&1 &
	if wait_for 5 running_in gw npd6; then
		finds doctor_npd6 good "npd6 is running: two NDP proxies answer for the same targets" \
			"systemctl disable --now npd6"
	else
		skip doctor_npd6 "npd6 did not stay up: $(tail -n 2 "$ISL_KEEP/doctor-npd6.log" 2>/dev/null | tr '\n' ' ')"
	fi
	for p in $(ip netns pids "$(nsn gw)"); do
		[ "$(ps -o comm= -p "$p")" = npd6 ] && kill "$p"
	done
	wait_until_gone 5 running_in gw npd6
else
	skip doctor_npd6 "npd6 not installed"
fi

# --- avahi's reflector --------------------------------------------------------
# avahi-daemon keeps its pid file in /run/avahi-daemon: a private /run in a
# private mount namespace keeps it off the host's.
avahi_start() {
	cat >"$ISL_RUN/avahi-$1.conf" <<-EOF2
	[server]
	use-ipv4=no
	use-ipv6=yes
	allow-interfaces=wan0,lan0
	enable-dbus=no
	[publish]
	disable-publishing=yes
	[reflector]
	enable-reflector=$1
	EOF2
	nsexec gw unshare --mount --propagation private sh -c \
		"mount -t tmpfs tmpfs /run && exec avahi-daemon --no-drop-root --no-chroot --no-rlimits --no-proc-title -f '$ISL_RUN/avahi-$1.conf'" \
		>"$ISL_KEEP/doctor-avahi-$1.log" 2>&1 &
	wait_for 5 running_in gw avahi-daemon
}
avahi_stop() {
	local p
	for p in $(ip netns pids "$(nsn gw)"); do
		[ "$(ps -o comm= -p "$p")" = avahi-daemon ] && kill "$p"
	done
	wait_until_gone 5 running_in gw avahi-daemon
}
if command -v avahi-daemon >/dev/null && command -v unshare >/dev/null; then
	if avahi_start yes; then
		finds doctor_avahi_reflector mdns "avahi-daemon runs with enable-reflector=yes: two reflectors on the same links" \
			"set enable-reflector=no in $ISL_RUN/avahi-yes.conf and systemctl restart avahi-daemon"
		# the same avahi is no competitor to a configuration without mdns
		silent doctor_avahi_without_mdns good
	else
		not_ok doctor_avahi_reflector "avahi-daemon did not start: $(tail -n 3 "$ISL_KEEP/doctor-avahi-yes.log" | tr '\n' ' ')"
	fi
	avahi_stop
	if avahi_start no; then
		silent doctor_avahi_no_reflector mdns
	else
		not_ok doctor_avahi_no_reflector "avahi-daemon did not start: $(tail -n 3 "$ISL_KEEP/doctor-avahi-no.log" | tr '\n' ' ')"
	fi
	avahi_stop
else
	skip doctor_avahi_reflector "avahi-daemon or unshare not installed"
fi
silent doctor_mdns_correct mdns

# --- a static rule covering the proxy link's own prefix (issue 13 item 6) -----
# it would answer the link's own hosts, their DAD included
conf static_link <<'EOF2'
proxy wan0 {
	rule 2001:db8:1::/64 {
		static
	}
}
EOF2
nsip gw addr add 2001:db8:1::1/64 dev wan0 nodad
finds doctor_static_covers_link static_link \
	"static rule 2001:db8:1::/64 (line 2) covers 2001:db8:1::/64, the prefix of proxy interface wan0 itself" \
	"narrow the rule to the addresses behind the gateway (e.g. a /68 inside 2001:db8:1::/64), or use 'iface IF' instead of 'static'"
OUT=$(nsexec gw "$ISLANDD" -t -c "$ISL_RUN/static_link.conf" 2>&1); RC=$?
check doctor_t_static_covers_link "-t: rc $RC: $OUT" eval '[ "$RC" -eq 0 ] &&
	grep -q "^warning: static rule 2001:db8:1::/64 (line 2) covers 2001:db8:1::/64, the prefix of proxy interface wan0 itself" <<<"$OUT"'
# a static slice inside the link's prefix is the usual ndppd set-up
silent doctor_static_slice_ok good
nsip gw addr del 2001:db8:1::1/64 dev wan0
silent doctor_static_no_link_prefix_ok static_link

# --- -t says what the file alone cannot (item 6) -----------------------------
OUT=$(nsexec gw "$ISLANDD" -t -c "$ISL_RUN/missing_down.conf" 2>&1); RC=$?
check doctor_t_missing_iface "-t: rc $RC: $OUT" eval '[ "$RC" -eq 0 ] &&
	grep -q "^warning: .*missing_down.conf:2:2: interface lan9 (rule downstream) does not exist now" <<<"$OUT"'
: >"$ISL_RUN/empty.conf"
OUT=$(nsexec gw "$ISLANDD" -t -c "$ISL_RUN/empty.conf" 2>&1); RC=$?
check doctor_t_empty "-t on an empty file: rc $RC: $OUT" eval '[ "$RC" -eq 0 ] && grep -q "the configuration is empty" <<<"$OUT"'
finds doctor_empty empty "the configuration is empty: islandd would do nothing"
mkfifo "$ISL_RUN/fifo.conf"
OUT=$(timeout 5 "$ISLANDD" -t -c "$ISL_RUN/fifo.conf" 2>&1); RC=$?
check doctor_t_fifo "-t on a FIFO: rc $RC (124 = hung): $OUT" eval '[ "$RC" -eq 1 ] && grep -q "not a regular file" <<<"$OUT"'
OUT=$("$ISLANDD" -h)
check islandd_help "-h: $OUT" eval '[ "$(grep -c -- "^  -u USER" <<<"$OUT")" -eq 1 ] && grep -qF "islandd check [-c FILE] [--json]" <<<"$OUT"'

# --- islandctl doctor checks what runs (item 4) ------------------------------
ISLANDCTL="$ISL_REPO/$BUILD/islandctl"
cp "$ISL_RUN/good.conf" "$ISL_RUN/running.conf"
ip netns exec "$(nsn gw)" "$ISLANDD" -c "$ISL_RUN/running.conf" -S "$ISL_RUN/doctor.sock" \
	</dev/null >"$ISL_KEEP/doctor-daemon.log" 2>&1 &
DAEMON=$!
at_cleanup "kill $DAEMON 2>/dev/null"
if wait_for 10 "$ISLANDCTL" -S "$ISL_RUN/doctor.sock" status; then
	OUT=$(nsexec gw "$ISLANDCTL" -S "$ISL_RUN/doctor.sock" doctor 2>&1); RC=$?
	check islandctl_doctor_running_conf "rc $RC: $OUT" \
		eval '[ "$RC" -eq 0 ] && grep -qF "$ISL_RUN/running.conf: no problems found" <<<"$OUT"'
	OUT=$(nsexec gw "$ISLANDCTL" -S "$ISL_RUN/doctor.sock" doctor --json 2>/dev/null); RC=$?
	check islandctl_doctor_json "rc $RC: $OUT" json_doc --arg p "$ISL_RUN/running.conf" '.config == $p and .ok == true' <<<"$OUT"
	# a missing interface is logged at load and at reload, not only shown in status
	cp "$ISL_RUN/missing_down.conf" "$ISL_RUN/running.conf"
	"$ISLANDCTL" -S "$ISL_RUN/doctor.sock" reload >/dev/null 2>&1
	check daemon_reload_warns_missing_iface "$(tail -n 5 "$ISL_KEEP/doctor-daemon.log")" \
		grep -q "warning: $ISL_RUN/running.conf:2:2: interface lan9 (rule downstream) does not exist now" "$ISL_KEEP/doctor-daemon.log"
	kill "$DAEMON"; wait "$DAEMON" 2>/dev/null
else
	not_ok islandctl_doctor_running_conf "islandd did not start: $(tail -n 5 "$ISL_KEEP/doctor-daemon.log")"
fi
ip netns exec "$(nsn gw)" "$ISLANDD" -c "$ISL_RUN/missing_down.conf" -S "$ISL_RUN/doctor.sock" \
	</dev/null >"$ISL_KEEP/doctor-daemon2.log" 2>&1 &
DAEMON=$!
wait_for 10 "$ISLANDCTL" -S "$ISL_RUN/doctor.sock" status
check daemon_start_warns_missing_iface "$(tail -n 5 "$ISL_KEEP/doctor-daemon2.log")" \
	grep -q "interface lan9 (rule downstream) does not exist now" "$ISL_KEEP/doctor-daemon2.log"
kill "$DAEMON"; wait "$DAEMON" 2>/dev/null

# --- the IPv4 island (issue 15) -----------------------------------------------
# proxy ARP and the DHCPv4 relay need IPv4 forwarding, no strict rp_filter
# on their links, no kernel proxy_arp on a link islandd answers on, and no
# parprouted or dhcp-helper beside them.
conf v4_proxy <<'EOF2'
proxy wan0 {
	autowire yes
	rule 192.168.1.0/24 {
		iface lan0
	}
}
EOF2
conf v4_relay <<'EOF2'
dhcp4-relay {
	upstream wan0
	iface lan*
}
EOF2
conf v4_relay_nolearn <<'EOF2'
dhcp4-relay {
	upstream wan0
	iface lan0
	learn-hosts no
}
EOF2
conf v4v6 <<EOF2
proxy wan0 {
	autowire yes
	rule $RULE {
		iface lan0
	}
	rule 192.168.1.0/24 {
		iface lan0
	}
}
EOF2
correct4() {
	nssysctl gw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.wan0.rp_filter=2 \
		net.ipv4.conf.lan0.rp_filter=2 net.ipv4.conf.all.proxy_arp=0 net.ipv4.conf.wan0.proxy_arp=0 \
		net.ipv4.conf.lan0.proxy_arp=0
}
V4_CASES="doctor_v4_proxy_silent doctor_v4_relay_silent doctor_v4_forwarding_off doctor_v4_relay_forwarding_off
	doctor_v4_forwarding_fixed doctor_v4_rp_filter_iface doctor_v4_rp_filter_all doctor_v4_rp_filter_relay_pattern
	doctor_v4_rp_filter_loose_ok doctor_v4_proxy_arp doctor_v4_proxy_arp_all doctor_v4_proxy_arp_downstream_ok
	doctor_v4_proxy_arp_fixed doctor_v4v6_silent doctor_v4v6_down_once doctor_v4v6_down_reported_once doctor_v4_relay_proxy_arp doctor_v4_relay_nolearn_proxy_arp_ok doctor_v4_parprouted doctor_v4_parprouted_elsewhere_ignored doctor_v4_parprouted_gone
	doctor_v4_dhcp_helper doctor_v4_dhcp_helper_without_relay doctor_v4_dhcp_helper_gone"
if ! nsexec gw "$ISLANDD" -t -c "$ISL_RUN/v4_proxy.conf" >/dev/null 2>&1 ||
	! nsexec gw "$ISLANDD" -t -c "$ISL_RUN/v4_relay.conf" >/dev/null 2>&1 ||
	! nsexec gw "$ISLANDD" -t -c "$ISL_RUN/v4_relay_nolearn.conf" >/dev/null 2>&1; then
	for c in $V4_CASES; do
		skip "$c" "this build parses no IPv4 proxy rule or dhcp4-relay block (islandd -t refuses them)"
	done
else
	correct4
	silent doctor_v4_proxy_silent v4_proxy
	silent doctor_v4_relay_silent v4_relay

	nssysctl gw net.ipv4.ip_forward=0
	finds doctor_v4_forwarding_off v4_proxy "IPv4 forwarding is off: proxied hosts are answered but their traffic is not routed" \
		"sysctl -w net.ipv4.ip_forward=1"
	finds doctor_v4_relay_forwarding_off v4_relay \
		"IPv4 forwarding is off: island hosts get leases through the relay but their traffic is not routed" \
		"sysctl -w net.ipv4.ip_forward=1"
	correct4
	silent doctor_v4_forwarding_fixed v4_proxy

	# strict on one link, then on all (the kernel acts on the larger)
	nssysctl gw net.ipv4.conf.wan0.rp_filter=1
	finds doctor_v4_rp_filter_iface v4_proxy "rp_filter is strict (1) on wan0 (proxy ARP)" \
		"sysctl -w net.ipv4.conf.wan0.rp_filter=2"
	correct4
	nssysctl gw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.wan0.rp_filter=0 net.ipv4.conf.lan0.rp_filter=0
	finds doctor_v4_rp_filter_all v4_proxy "rp_filter is strict (1) on lan0 (proxy ARP rule downstream)" \
		"sysctl -w net.ipv4.conf.all.rp_filter=2"
	correct4
	# the relay's island links are a pattern: lan0 is found through it
	nssysctl gw net.ipv4.conf.lan0.rp_filter=1
	finds doctor_v4_rp_filter_relay_pattern v4_relay "rp_filter is strict (1) on lan0 (dhcp4-relay iface)" \
		"sysctl -w net.ipv4.conf.lan0.rp_filter=2"
	correct4
	silent doctor_v4_rp_filter_loose_ok v4_relay

	nssysctl gw net.ipv4.conf.wan0.proxy_arp=1
	finds doctor_v4_proxy_arp v4_proxy "kernel proxy_arp is on for wan0" "sysctl -w net.ipv4.conf.wan0.proxy_arp=0"
	correct4
	nssysctl gw net.ipv4.conf.all.proxy_arp=1
	finds doctor_v4_proxy_arp_all v4_proxy "kernel proxy_arp is on for wan0" "sysctl -w net.ipv4.conf.all.proxy_arp=0"
	correct4
	# on the island link islandd does not answer ARP (no proxy block there)
	nssysctl gw net.ipv4.conf.lan0.proxy_arp=1
	silent doctor_v4_proxy_arp_downstream_ok v4_proxy
	correct4
	# a relay that learns hosts answers ARP for them on its upstream; one
	# that does not answers nothing there
	nssysctl gw net.ipv4.conf.wan0.proxy_arp=1
	finds doctor_v4_relay_proxy_arp v4_relay "kernel proxy_arp is on for wan0" "sysctl -w net.ipv4.conf.wan0.proxy_arp=0"
	silent doctor_v4_relay_nolearn_proxy_arp_ok v4_relay_nolearn
	correct4
	silent doctor_v4_proxy_arp_fixed v4_proxy

	# a link named by both families' rules is reported once
	silent doctor_v4v6_silent v4v6
	nsip gw link set lan0 down
	finds doctor_v4v6_down_once v4v6 "interface lan0 (rule downstream) is down" "ip link set lan0 up"
	check doctor_v4v6_down_reported_once "$(tr '\n' '|' <<<"$OUT")" \
		eval '[ "$(grep -c "problem: interface lan0 .* is down" <<<"$OUT")" -eq 1 ]'
	correct
	correct4

	if [ -x /usr/sbin/parprouted ]; then
		nsexec gw /usr/sbin/parprouted -d wan0 lan0 >"$ISL_KEEP/doctor-parprouted.log" 2>&1 &
		if wait_for 5 running_in gw parprouted; then
			finds doctor_v4_parprouted v4_proxy "parprouted is running (pid " \
				"kill "
		else
			not_ok doctor_v4_parprouted "parprouted did not start: $(tail -n 3 "$ISL_KEEP/doctor-parprouted.log")"
		fi
		stop_in gw parprouted
		correct4 # parprouted may leave proxy_arp or routes behind
		# one in another namespace bridges other links
		nsexec h /usr/sbin/parprouted -d eth0 >/dev/null 2>&1 &
		if wait_for 5 running_in h parprouted; then
			silent doctor_v4_parprouted_elsewhere_ignored v4_proxy
		else
			not_ok doctor_v4_parprouted_elsewhere_ignored "parprouted did not start in the other namespace"
		fi
		stop_in h parprouted
		silent doctor_v4_parprouted_gone v4_proxy
	else
		for c in doctor_v4_parprouted doctor_v4_parprouted_elsewhere_ignored doctor_v4_parprouted_gone; do
			skip "$c" "parprouted not installed"
		done
	fi

	DHCP_HELPER=/usr/local/lib/islandd-deps/dhcp-helper/usr/sbin/dhcp-helper
	[ -x "$DHCP_HELPER" ] || DHCP_HELPER=$(command -v dhcp-helper)
	if [ -n "$DHCP_HELPER" ]; then
		nsexec gw "$DHCP_HELPER" -n -u root -s 192.0.2.1 -i lan0 -r "$ISL_RUN/dhcp-helper.pid" \
			>"$ISL_KEEP/doctor-dhcp-helper.log" 2>&1 &
		if wait_for 5 running_in gw dhcp-helper; then
			finds doctor_v4_dhcp_helper v4_relay "dhcp-helper is running (pid " "systemctl disable --now dhcp-helper"
			# no relay block: nothing to compete with
			silent doctor_v4_dhcp_helper_without_relay v4_proxy
		else
			not_ok doctor_v4_dhcp_helper "dhcp-helper did not start: $(tail -n 3 "$ISL_KEEP/doctor-dhcp-helper.log")"
		fi
		stop_in gw dhcp-helper
		silent doctor_v4_dhcp_helper_gone v4_relay
	else
		for c in doctor_v4_dhcp_helper doctor_v4_dhcp_helper_without_relay doctor_v4_dhcp_helper_gone; do
			skip "$c" "dhcp-helper not installed (scripts/install-deps.sh)"
		done
	fi
fi

# --- usage and bad configuration ----------------------------------------------
printf 'proxy wan0 {\n\trule nonsense\n}\n' >"$ISL_RUN/bad.conf"
doctor bad
bad_conf_ok() { [ "$RC" -eq 1 ] && grep -q "bad.conf:2:" <<<"$OUT"; }
check doctor_bad_conf "a broken file must exit 1 with file:line: $OUT" bad_conf_ok
OUT=$(nsexec gw "$ISLANDD" check -c "$ISL_RUN/bad.conf" --json 2>/dev/null); RC=$?
check doctor_bad_conf_json "--json: one JSON document with the error, rc 1: rc $RC: $OUT" \
	eval '[ "$RC" -eq 1 ] && json_doc ".ok == false and (.error | test(\"bad.conf:2:\"))" <<<"$OUT"'
nsexec gw "$ISLANDD" check --no-such-option >/dev/null 2>&1
check doctor_usage_exit2 "an unknown option must exit 2" test $? -eq 2

# --- DHCPv6 (AUTO): another PD client on the upstream, accept_ra=2 --------------
# (kept in one block at the end: the IPv4 checks have theirs elsewhere)
printf 'island wan0 {\n\tiface lan0\n\tstate-dir %s\n}\n' "$ISL_RUN" >"$ISL_RUN/island.conf"
correct
silent doctor_island_ok island
# Stand-ins with a PD client's name and arguments (the real ones would take
# the link): perl sleeping under argv[0] dhclient / dhcpcd, in gw's
# namespace (ip netns exec and bash exec: $! is the stand-in's pid).
pd_standin() { # NAME ARGS...
	local name=$1; shift
	ip netns exec "$(nsn gw)" bash -c 'n=$1; shift; exec -a "$n" perl -e "sleep 60" -- "$@"' \
		_ "$name" "$@" &
	FAKE_PD=$!
	at_cleanup "kill $FAKE_PD 2>/dev/null"
	wait_for 3 eval 'tr "\0" " " </proc/$FAKE_PD/cmdline 2>/dev/null | grep -q "^$name "'
}
pd_standin dhclient -6 -P wan0
finds doctor_other_pd_client island "another DHCPv6 client runs on wan0: dhclient (pid $FAKE_PD)" "stop it (kill $FAKE_PD;"
kill "$FAKE_PD"; wait "$FAKE_PD" 2>/dev/null
pd_standin dhclient -6 wan0   # addresses only: no prefix delegation
silent doctor_dhclient_no_pd_ok island
kill "$FAKE_PD"; wait "$FAKE_PD" 2>/dev/null
pd_standin dhcpcd wan0
finds doctor_other_pd_dhcpcd island "another DHCPv6 client runs on wan0: dhcpcd (pid $FAKE_PD)"
kill "$FAKE_PD"; wait "$FAKE_PD" 2>/dev/null
# forwarding on and accept_ra 1 on the upstream: no default route
nssysctl gw net.ipv6.conf.wan0.accept_ra=1
finds doctor_pd_accept_ra island "wan0 forwards but accept_ra is 1: the kernel ignores the upstream's RAs, so the default route the delegated prefix needs" "sysctl -w net.ipv6.conf.wan0.accept_ra=2"
correct

test_status
