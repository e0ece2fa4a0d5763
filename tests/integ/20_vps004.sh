#!/usr/bin/env bash
# Seed 004: a VPS answers for its provider's on-link /64 (the seed's
# ndppd.conf verbatim: static rule, router yes) and routes part of it into a
# real L3 tunnel (openvpn p2p over tun) to a home router and a LAN host.
# Then the same tunnel as an `iface` downstream: probes over a link with no
# link-layer addresses.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root vps004
need_cmd jq openvpn "$ISL_PY"
need_islandd
netns_init
vps004_build

start_islandd vps "$(vps004_conf)" || { not_ok "islandd starts in vps with the seed-004 config" "see $(islandd_log vps)"; exit 1; }
ok "islandd starts in vps with the seed-004 config"

if ping6_ok prov "$LAN_HOST" 10; then
	ok "the provider router reaches the home LAN host $LAN_HOST through the tunnel"
else
	not_ok "the provider router reaches the home LAN host $LAN_HOST through the tunnel" "no echo reply"
	show_state vps
fi
check "the home LAN host reaches the 'internet' $PROV_INET" "no echo reply" ping6_ok lan "$PROV_INET" 10
check "the provider reaches the home router's tunnel address $HOME_TUN" "no echo reply" ping6_ok prov "$HOME_TUN" 10
check "the provider learned the LAN host at the VPS's MAC" "neigh: $(nsip prov -6 neigh show "$LAN_HOST")" \
	bash -c "ip -n $(nsn prov) -6 neigh show $LAN_HOST | grep -qi 'lladdr $VPS_ETH_MAC'"

COMMON=(--check hlim=255 --check code=0 --check cksum=ok --check O=0
	--check src="$VPS_ETH_LL" --check ether_src="$VPS_ETH_MAC")
check "NS for the LAN host: NA with R=1 (router yes), S=1, O=0, from the VPS's link-local" "see above" \
	nd prov ns --iface eth0 --target "$LAN_HOST" --src "$PROV_ADDR" --expect na --timeout 1 \
	"${COMMON[@]}" --check R=1 --check S=1 --check dst="$PROV_ADDR"
check "static: any address of the /64 is answered at once (2001:db8::1234)" "no NA" \
	nd prov ns --iface eth0 --target 2001:db8::1234 --expect na --timeout 1 "${COMMON[@]}" --check R=1
check "DAD for an address of the /64 -> NA to ff02::1, S=0" "see above" \
	nd prov ns --iface eth0 --target 2001:db8::1234 --src :: --expect na --timeout 1 \
	"${COMMON[@]}" --check dst=ff02::1 --check S=0
check "unicast NS for the LAN host -> NA with S=1" "see above" \
	nd prov ns --iface eth0 --target "$LAN_HOST" --src "$PROV_ADDR" --dst unicast --dst-mac "$VPS_ETH_MAC" \
	--expect na --timeout 1 "${COMMON[@]}" --check S=1 --check R=1
check "an address outside the /64 (2001:db8:1::5) is not answered" "answered" \
	nd prov ns --iface eth0 --target 2001:db8:1::5 --expect none --timeout 1
check "no autowire, no routes installed" "routes: $(routes73 vps)" test -z "$(routes73 vps)"
finish_islandd vps

# The tunnel as an iface downstream: the home router's tunnel address is
# confirmed by an NS sent over tun0 (no Ethernet header, no link-layer option).
start_islandd vps "route-ttl 30000
proxy eth0 {
   router yes
   rule 2001:db8::4000:0:0:0/66 {
      iface tun0
   }
}" || { not_ok "islandd starts with an iface tun0 rule" "see $(islandd_log vps)"; exit 1; }
nsip prov -6 neigh flush dev eth0
if nd prov ns --iface eth0 --target "$HOME_TUN" --expect na --timeout 3 "${COMMON[@]}" --check R=1; then
	ok "iface tun0: the home router's tunnel address is confirmed over the tunnel and answered"
else
	not_ok "iface tun0: the home router's tunnel address is confirmed over the tunnel and answered" "no NA"
	show_state vps
fi
check "iface tun0: session valid on tun0" "sessions: $(ctl vps sessions --json)" \
	jqe --arg t "$HOME_TUN" '.sessions[] | select(.target == $t and .state == "valid" and .iface == "tun0")' \
	<<<"$(ctl vps sessions --json)"
check "iface tun0: an address with nobody behind the tunnel is not answered" "answered" \
	nd prov ns --iface eth0 --target 2001:db8::4000:0:0:99 --expect none --timeout 2.5
check "iface tun0: the provider reaches $HOME_TUN" "no echo reply" ping6_ok prov "$HOME_TUN" 10
finish_islandd vps
test_status
