#!/usr/bin/env bash
# DHCPv4 relay on the seed-000 island: the home router runs dnsmasq as the
# DHCP server of its /24 (what most consumer routers run), the gateway runs
# islandd with a dhcp4-relay block, island hosts on two island links run
# dhclient (isc-dhcp-client) and dhcpcd. Both get an address in the home
# subnet and the home router as default route; on the wire the relayed
# request carries giaddr = the gateway's upstream address and hops 1; the
# reply goes back to the island link the request came from. Then
# isc-dhcp-server as a second server; a server that drops relayed requests
# (nftables on the home router) makes auto mode forward; a release ends the
# lease.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
. "$(dirname "$0")/../lib/dhcp4.sh"
need_root 25_dhcp4_relay
need_cmd jq dnsmasq dhclient dhcpcd tcpdump nft
need_islandd
netns_init

dhcp4_island_build 192.168.41 2
T=$D4T
nssysctl gw net.ipv4.ip_forward=1
# The island hosts' unicasts to the server (renewal, release) go through the
# gateway: here the kernel's proxy ARP on the island links answers for the
# home router (a proxy block's IPv4 rule would do it with islandd).
nssysctl gw net.ipv4.conf.eth0.proxy_arp=1 net.ipv4.conf.eth1.proxy_arp=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0
dhcp4_dnsmasq 100 150 || die "dnsmasq did not start"

default4() { nsip "$1" -4 route show default | awk '{print $3; exit}'; }
lease_of() {
	ctl gw dhcp --json 2>/dev/null | jq -r --arg a "$1" '.dhcp.leases[] | select(.address == $a) | .iface'
}

# tcpdump on the upstream: the relayed packets with giaddr and hops.
nsexec home tcpdump -i lan0 -n -vv -s 0 --immediate-mode -l 'udp port 67 or udp port 68' \
	>"$T/wire.txt" 2>"$T/wire.err" &
TCPDUMP=$!
# and on h1: what the gateway sends to the client (-e: link-layer addresses)
nsexec h1 tcpdump -i eth0 -n -e -vv -s 0 --immediate-mode -l 'udp port 67 or udp port 68' \
	>"$T/h1wire.txt" 2>"$T/h1wire.err" &
TCPDUMP_H1=$!
wait_for 5 tcpdump_ready "$T/wire.err" || warn "tcpdump not ready"
wait_for 5 tcpdump_ready "$T/h1wire.err" || warn "tcpdump on h1 not ready"

CONF="dhcp4-relay {
	upstream wlan0
	iface eth*
	server $HOME_ADDR
	mode auto
	option82 yes
}"
start_islandd gw "$CONF" || { not_ok "islandd starts" "see $(islandd_log gw)"; exit 1; }

# ---- dhclient on h1 (eth0) ----
run_dhclient h1 &
if wait_for 30 eval '[ -n "$(addr4 h1)" ]'; then
	ok "h1 (dhclient): address $(addr4 h1) in the home /24"
else
	not_ok "h1 (dhclient): address in the home /24" "$(tail -n 5 "$T/h1.dhclient.log")"
	ctl gw dhcp
fi
H1=$(addr4 h1)
check "h1: the address is from dnsmasq's range" "'$H1'" eval '[[ "$H1" == 192.168.41.1[0-5][0-9] ]]'
check "h1: default route via the home router $HOME_ADDR" "default via '$(default4 h1)'" \
	test "$(default4 h1)" = "$HOME_ADDR"
check "gw: lease of $H1 on eth0 listed by islandctl dhcp" "$(ctl gw dhcp)" \
	test "$(lease_of "$H1")" = eth0
# learn-hosts: the lease's address is a known host of the ARP proxy at once
check "gw: a /32 route to $H1 via eth0 (protocol 73) from the lease" "$(nsip gw -4 route show proto 73)" \
	wait_for 5 eval 'nsip gw -4 route show proto 73 | grep -qE "^$H1 dev eth0"'
check "home router reaches h1 ($H1): the gateway answers ARP for it" "$(nsip home neigh show dev lan0)" \
	nsexec home ping -c 1 -W 2 "$H1"
kill "$TCPDUMP" "$TCPDUMP_H1" 2>/dev/null; wait "$TCPDUMP" "$TCPDUMP_H1" 2>/dev/null
GW_ETH0_MAC=$(nsip gw link show eth0 | awk '/link\/ether/ {print $2}')
check "island wire: the OFFER and ACK reach h1 from $GW_ADDR.67 to port 68, from the gateway's MAC" \
	"$(grep -m 4 -E '\.67 > ' "$T/h1wire.txt")" \
	eval 'grep -qE "$GW_ADDR\.67 > [0-9.]+\.68: .*\[udp sum ok\]" "$T/h1wire.txt" &&
	      grep -B 1 -E "$GW_ADDR\.67 > " "$T/h1wire.txt" | grep -q "$GW_ETH0_MAC > " &&
	      grep -A 30 "$GW_ADDR\.67 > " "$T/h1wire.txt" | grep -q "DHCP-Message (53), length 1: ACK"'
check "island wire: no bad IPv4 or UDP checksum, no option 82 towards the client" \
	"$(grep -m 3 -iE 'bad|Agent-Information' "$T/h1wire.txt")" \
	eval '! grep -qiE "bad (udp |)cksum|Agent-Information" "$T/h1wire.txt"'
check "wire: relayed request has giaddr $GW_ADDR and hops 1" "$(head -n 40 "$T/wire.txt")" \
	grep -qE "Gateway-IP $GW_ADDR" "$T/wire.txt"
check "wire: hops 1 on the relayed request" "$(grep -m 3 -E 'hops' "$T/wire.txt")" \
	grep -qE "BOOTP/DHCP, Request.*hops 1" "$T/wire.txt"
check "wire: the request reaches the server unicast from $GW_ADDR.67" "$(grep -m 3 "> $HOME_ADDR.67" "$T/wire.txt")" \
	grep -qE "$GW_ADDR\.67 > $HOME_ADDR\.67" "$T/wire.txt"
check "wire: option 82 with circuit-id eth0 on the relayed request (RFC 3046)" "$(grep -m 3 -i 'agent' "$T/wire.txt")" \
	grep -qiE "Circuit-ID SubOption 1, length 4: eth0" "$T/wire.txt"
check "stats: option 82 stripped from replies before the island" "$(ctl gw stats --json | jq -c .dhcp4)" \
	jqe '.dhcp4.option82_added >= 1 and .dhcp4.option82_stripped >= 1' <<<"$(ctl gw stats --json)"
check "wire: the relayed DHCPACK goes to giaddr:67" "$(grep -m 3 "> $GW_ADDR.67" "$T/wire.txt")" \
	grep -qE "$HOME_ADDR\.67 > $GW_ADDR\.67" "$T/wire.txt"
check "prometheus: relayed requests and drops by reason" "$(ctl gw stats --prometheus | grep -m 5 dhcp4)" \
	eval 'ctl gw stats --prometheus | grep -qE "^islandd_dhcp4_relayed_total [1-9]" &&
	      ctl gw stats --prometheus | grep -qE "^islandd_dhcp4_dropped_total\{reason=\"no_cookie\"\} 0"'
TXT=$(ctl gw dhcp)
check "islandctl dhcp (text): the mode, giaddr and h1's lease" "$TXT" \
	eval 'grep -q "^upstream wlan0: mode relay (configured auto), giaddr $GW_ADDR" <<<"$TXT" &&
	      grep -qE "^  $H1 +[0-9a-f:]{17} eth0 +[0-9]+s" <<<"$TXT"'
check "dhcp view: mode relay (auto)" "$(ctl gw dhcp)" \
	jqe '.dhcp.relays[0].mode == "relay" and .dhcp.relays[0].mode_configured == "auto"' <<<"$(ctl gw dhcp --json)"

# ---- dhcpcd on h2 (eth1), in its own mount namespace so its /run files are its own ----
cat >"$T/dhcpcd.conf" <<'EOF'
option routers, subnet_mask
nohook resolv.conf, hostname, ntp, timezone, ypbind
noipv6rs
ipv4only
EOF
nsexec h2 unshare -m sh -c "mount -t tmpfs none /run && mkdir -p /run/dhcpcd && mount -t tmpfs none /var/lib/dhcpcd 2>/dev/null; \
	exec dhcpcd -B -4 -f '$T/dhcpcd.conf' -t 30 eth0" >"$T/h2.dhcpcd.log" 2>&1 &
DHCPCD=$!
if wait_for 30 eval '[ -n "$(addr4 h2)" ]'; then
	ok "h2 (dhcpcd): address $(addr4 h2) in the home /24"
else
	not_ok "h2 (dhcpcd): address in the home /24" "$(tail -n 5 "$T/h2.dhcpcd.log")"
fi
H2=$(addr4 h2)
check "h2: default route via the home router $HOME_ADDR" "default via '$(default4 h2)'" \
	test "$(default4 h2)" = "$HOME_ADDR"
check "gw: lease of $H2 on eth1" "$(ctl gw dhcp)" test "$(lease_of "$H2")" = eth1
ctl gw reload >/dev/null
check "reload with the same links: the leases stay" "$(ctl gw dhcp)" \
	eval '[ "$(lease_of "$H2")" = eth1 ] && [ "$(lease_of "$H1")" = eth0 ]'

# ---- release: the lease is forgotten ----
dhclient_cmd h1 -r -v
check "h1 released: the lease of $H1 is forgotten" "$(ctl gw stats --json | jq -c .dhcp4; tail -n 8 "$T/h1.dhclient.log"; nsip h1 neigh; nsip h1 -4 route)" \
	wait_for 10 eval '[ -z "$(lease_of "$H1")" ]'
check "h1 released: its /32 route is gone" "$(nsip gw -4 route show proto 73)" \
	wait_for 5 eval '! nsip gw -4 route show proto 73 | grep -qE "^$H1 "'
check "stats: leases_forgotten counted" "$(counter gw leases_forgotten)" \
	jqe '.dhcp4.leases_forgotten >= 1' <<<"$(ctl gw stats --json)"

# ---- a server that drops relayed requests: auto falls back to forward ----
kill "$DHCPCD" 2>/dev/null
nsexec home nft -f - <<EOF
table inet isl_dhcp4 {
	chain in {
		type filter hook input priority 0;
		udp dport 67 ip saddr $GW_ADDR drop
	}
}
EOF
nsexec home tcpdump -i lan0 -n -e -vv -s 0 --immediate-mode -l 'udp port 67 or udp port 68' \
	>"$T/fwd.txt" 2>"$T/fwd.err" &
TCPDUMP=$!
wait_for 5 tcpdump_ready "$T/fwd.err" || warn "tcpdump not ready"
nsip h1 -4 addr flush dev eth0
run_dhclient h1 &
if wait_for 40 eval '[ -n "$(addr4 h1)" ]'; then
	ok "h1 gets a lease although the server drops relayed requests ($(addr4 h1))"
else
	not_ok "h1 gets a lease although the server drops relayed requests" "$(ctl gw dhcp)"
fi
check "dhcp view: mode forward, and why" "$(ctl gw dhcp)" \
	jqe '.dhcp.relays[0].mode == "forward" and (.dhcp.relays[0].why | test("unanswered"))' <<<"$(ctl gw dhcp --json)"
check "stats: one mode switch" "$(ctl gw stats --json | jq -c .dhcp4)" \
	jqe '.dhcp4.mode_switches == 1 and .dhcp4.forwarded >= 1' <<<"$(ctl gw stats --json)"
check "gw: the forwarded exchange's lease is known" "$(ctl gw dhcp)" \
	eval '[ "$(lease_of "$(addr4 h1)")" = eth0 ]'
kill "$TCPDUMP" 2>/dev/null; wait "$TCPDUMP" 2>/dev/null
GW_WLAN_MAC=$(nsip gw link show wlan0 | awk '/link\/ether/ {print $2}')
check "wire (forward): the client's broadcast leaves from the gateway's MAC, giaddr 0, broadcast flag" \
	"$(grep -m 2 -B 1 -A 3 '0.0.0.0.68 > 255.255.255.255.67' "$T/fwd.txt")" \
	eval 'grep -B 1 -E "0\.0\.0\.0\.68 > 255\.255\.255\.255\.67: \[udp sum ok\] .*Flags \[Broadcast\]" "$T/fwd.txt" |
	      grep -q "$GW_WLAN_MAC > ff:ff:ff:ff:ff:ff" &&
	      ! grep -A 6 -E "0\.0\.0\.0\.68 > 255" "$T/fwd.txt" | grep -q "Gateway-IP"'
nsexec home nft delete table inet isl_dhcp4
dhclient_cmd h1 -x

# ---- isc-dhcp-server as the second server (dnsmasq stopped) ----
if command -v dhcpd >/dev/null; then
	kill "$(cat "$T/dnsmasq.pid")" 2>/dev/null
	cat >"$T/dhcpd.conf" <<EOF
authoritative;
default-lease-time 120;
max-lease-time 240;
subnet 192.168.41.0 netmask 255.255.255.0 {
	range 192.168.41.200 192.168.41.220;
	option routers $HOME_ADDR;
}
EOF
	touch "$T/dhcpd.leases"
	nsexec home dhcpd -4 -q -cf "$T/dhcpd.conf" -lf "$T/dhcpd.leases" -pf "$T/dhcpd.pid" lan0 \
		>"$T/dhcpd.log" 2>&1
	# relay mode from the start: a fresh daemon
	stop_islandd gw TERM 5
	start_islandd gw "dhcp4-relay {
	upstream wlan0
	iface eth0
	server $HOME_ADDR
	mode relay
}" || not_ok "islandd restarts" "see $(islandd_log gw)"
	nsip h1 -4 addr flush dev eth0
	run_dhclient h1 &
	if wait_for 30 eval '[[ "$(addr4 h1)" == 192.168.41.2[0-2][0-9] ]]'; then
		ok "h1 gets a lease from isc-dhcp-server through the relay ($(addr4 h1))"
	else
		not_ok "h1 gets a lease from isc-dhcp-server through the relay" "$(tail -n 5 "$T/dhcpd.log"; ctl gw dhcp)"
	fi
	dhclient_cmd h1 -x
else
	skip "isc-dhcp-server" "dhcpd not installed"
fi

finish_islandd gw
test_status
