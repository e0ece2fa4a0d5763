#!/usr/bin/env bash
# `answer-from target` (issue 12 item 3) against a picky provider: the
# seed-004 VPS, whose provider router drops Neighbor Advertisements for a
# global target sent from a link-local source (an nftables rule in the
# provider's namespace, the behaviour of the hosting providers in ndppd
# issues #64 and #71). With islandd's default (link-local) the home LAN host
# is unreachable from the provider; with `answer-from target` it is, and every
# NA islandd sends comes from the target itself. islandd sends through
# AF_PACKET, so the kernel puts no constraint on the source address.
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root 21_answer_from
need_cmd jq openvpn nft "$ISL_PY"
need_islandd
netns_init
vps004_build

# The provider: NAs from fe80::/10 for a target outside fe80::/10 are dropped
# before its neighbour table sees them (the first 10 bits of the target,
# 64 bits into the ICMPv6 header, are not 1111111010 = 0x3fa).
nsexec prov nft -f - <<'EOF' || die "nft rule in prov failed"
table ip6 picky {
	chain input {
		type filter hook input priority 0; policy accept;
		icmpv6 type nd-neighbor-advert ip6 saddr fe80::/10 @th,64,10 != 0x3fa counter drop
	}
}
EOF
nft_drops() {
	nsexec prov nft list chain ip6 picky input 2>/dev/null | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' | head -n 1
}
check "the provider still reaches the VPS's own address (Linux answers from the target)" "no echo reply" \
	ping6_ok prov "$VPS_ADDR" 5

# --- default: answers from the link-local address are dropped ---------------
start_islandd vps "$(vps004_conf)" || { not_ok "islandd starts with the seed-004 config" "see $(islandd_log vps)"; exit 1; }
nsip prov -6 neigh flush dev eth0
D0=$(nft_drops)
check "answer-from link-local (default): the provider cannot reach $LAN_HOST" "echo reply" \
	ping6_fails prov "$LAN_HOST"
D1=$(nft_drops)
check "... because it drops islandd's NAs (nft counter $D0 -> $D1)" "no drops counted" test "${D1:-0}" -gt "${D0:-0}"
check "islandd did answer (tx_na $(counter vps tx_na))" "tx_na 0" test "$(counter vps tx_na)" -gt 0
stop_islandd vps TERM 10

# --- answer-from target --------------------------------------------------------
CONF=$(vps004_conf | sed 's/^\(   router yes\)$/\1\n   answer-from target/')
grep -q "answer-from target" <<<"$CONF" || die "could not add answer-from to the seed config"
start_islandd vps "$CONF" || { not_ok "islandd starts with answer-from target" "see $(islandd_log vps)"; exit 1; }
check "islandd -t prints answer-from target" "$("$ISLANDD" -t -v -c "$(islandd_conf vps)" 2>&1 | grep answer-from)" \
	eval '"$ISLANDD" -t -v -c "$(islandd_conf vps)" 2>&1 | grep -q "answer-from target"'
nsip prov -6 neigh flush dev eth0
D2=$(nft_drops)
if ping6_ok prov "$LAN_HOST" 5; then
	ok "answer-from target: the provider reaches the home LAN host $LAN_HOST"
else
	not_ok "answer-from target: the provider reaches the home LAN host $LAN_HOST" "no echo reply"
	show_state vps
fi
check "the LAN host reaches the 'internet' $PROV_INET" "no echo reply" ping6_ok lan "$PROV_INET" 5
check "no NA of islandd's dropped (nft counter $D2 -> $(nft_drops))" "dropped" test "$(nft_drops)" -eq "$D2"
check "the provider learned the LAN host at the VPS's MAC" "neigh: $(nsip prov -6 neigh show "$LAN_HOST")" \
	bash -c "ip -n $(nsn prov) -6 neigh show $LAN_HOST | grep -qi 'lladdr $VPS_ETH_MAC'"

# On the wire (RFC 4861 §7.2.4, §4.4): hop limit 255, code 0, good checksum,
# from the target, the VPS's MAC as TLLA; S=1 to the solicitor, S=0 to
# ff02::1 for DAD; O=0 (a proxy).
COMMON=(--check hlim=255 --check code=0 --check cksum=ok --check O=0 --check R=1
	--check ether_src="$VPS_ETH_MAC" --check tlla="$VPS_ETH_MAC")
check "NS for the LAN host: NA from the target, S=1, to the solicitor" "see above" \
	nd prov ns --iface eth0 --target "$LAN_HOST" --src "$PROV_ADDR" --expect na --timeout 1 \
	"${COMMON[@]}" --check src="$LAN_HOST" --check S=1 --check dst="$PROV_ADDR"
check "unicast NS (reachability): NA from the target, S=1" "see above" \
	nd prov ns --iface eth0 --target "$LAN_HOST" --src "$PROV_ADDR" --dst unicast --dst-mac "$VPS_ETH_MAC" \
	--expect na --timeout 1 "${COMMON[@]}" --check src="$LAN_HOST" --check S=1
check "DAD for an address of the /64: NA from that address to ff02::1, S=0" "see above" \
	nd prov ns --iface eth0 --target 2001:db8::1234 --src :: --expect na --timeout 1 \
	"${COMMON[@]}" --check src=2001:db8::1234 --check dst=ff02::1 --check S=0
finish_islandd vps
test_status
