# bench/lib.sh: the seed-000 island in network namespaces, bench-only.
# Sourced by bench/run.sh (bash).
#
#   laptop (wlan0) --- [up: bridge br0] --- (wlan0) gw (eth0) --- [sw: bridge br0] --- h1, h2
#
# The upstream /64 is 2001:db8:abc:123::/64; the gateway routes it to eth0,
# where h1 (…:41::1) and h2 (…:42::1) live. The proxy daemon under test runs
# in gw and answers the laptop's solicitations on wlan0. Every namespace name
# starts with $BENCH_NS (unique per run) and topo_down removes them all.

BENCH_NS=${BENCH_NS:-ib$$}
NS_UP=$BENCH_NS-up
NS_LAP=$BENCH_NS-lap
NS_GW=$BENCH_NS-gw
NS_SW=$BENCH_NS-sw
NS_H1=$BENCH_NS-h1
NS_H2=$BENCH_NS-h2
BENCH_ALL_NS="$NS_UP $NS_LAP $NS_GW $NS_SW $NS_H1 $NS_H2"

UP_PREFIX=2001:db8:abc:123
H1_ADDR=$UP_PREFIX:41::1
H2_ADDR=$UP_PREFIX:42::1
LAP_MAC=02:00:00:00:01:01

# PIDs of background processes this run started (killed by topo_down).
BENCH_PIDS=()

nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# Quiet, fast links: no DAD (addresses usable at once), no RAs, no RS.
ns_sysctls() {
	local ns=$1
	nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.default.router_solicitations=0 >/dev/null
}

# A namespace that only bridges: no IPv6 stack of its own on the ports.
ns_bridge() {
	local ns=$1
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
	ip -n "$ns" link add br0 type bridge mcast_snooping 0 stp_state 0 forward_delay 0
	ip -n "$ns" link set br0 up
}

# veth between a host namespace (name $2) and a bridge port in $3 (name $4).
veth_to_bridge() {
	local ns=$1 ifname=$2 brns=$3 port=$4 mac=$5
	ip -n "$ns" link add "$ifname" address "$mac" type veth peer name "$port" netns "$brns"
	ip -n "$brns" link set "$port" master br0 up
	ip -n "$ns" link set "$ifname" up
}

topo_up() {
	local ns
	for ns in $BENCH_ALL_NS; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ns_sysctls "$ns"
	done
	ns_bridge "$NS_UP"
	ns_bridge "$NS_SW"
	nsx "$NS_GW" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null

	veth_to_bridge "$NS_LAP" wlan0 "$NS_UP" lap "$LAP_MAC" || return 1
	veth_to_bridge "$NS_GW" wlan0 "$NS_UP" gw 02:00:00:00:02:01 || return 1
	veth_to_bridge "$NS_GW" eth0 "$NS_SW" gw 02:00:00:00:02:02 || return 1
	veth_to_bridge "$NS_H1" eth0 "$NS_SW" h1 02:00:00:00:41:01 || return 1
	veth_to_bridge "$NS_H2" eth0 "$NS_SW" h2 02:00:00:00:42:01 || return 1

	ip -n "$NS_LAP" addr add $UP_PREFIX::100/64 dev wlan0 nodad
	ip -n "$NS_GW" addr add fd2f::1/64 dev eth0 nodad
	ip -n "$NS_GW" route add $UP_PREFIX::/64 dev eth0
	ip -n "$NS_H1" addr add "$H1_ADDR"/64 dev eth0 nodad
	ip -n "$NS_H1" addr add fd2f::41/64 dev eth0 nodad
	ip -n "$NS_H2" addr add "$H2_ADDR"/64 dev eth0 nodad
	ip -n "$NS_H2" addr add fd2f::42/64 dev eth0 nodad
	# Link-local addresses appear with the links; wait until the two the
	# daemons and the generator need are there.
	topo_wait_ll "$NS_LAP" wlan0 && topo_wait_ll "$NS_GW" wlan0 && topo_wait_ll "$NS_GW" eth0
}

topo_wait_ll() {
	local i
	for i in $(seq 50); do
		ip -n "$1" -6 addr show dev "$2" scope link 2>/dev/null | grep -q 'inet6 fe80' && return 0
		sleep 0.1
	done
	echo "bench: no link-local address on $1/$2" >&2
	return 1
}

# Give h1 N extra addresses $UP_PREFIX:41::1000 + i (i = 0..N-1), for
# cold / warm lookups through an iface rule. Prints the list to FILE.
topo_add_host_addrs() {
	local n=$1 file=$2 i
	: >"$file"
	for ((i = 0; i < n; i++)); do
		printf '%s:41::%x\n' "$UP_PREFIX" $((0x1000 + i)) >>"$file"
	done
	sed "s|.*|address add &/64 dev eth0 nodad|" "$file" | ip -n "$NS_H1" -batch -
}

# Start a command in namespace $1 in the background; its PID is stored in
# BG_PID and remembered for cleanup. `ip netns exec` execs, so $! is the
# command itself.
bg_start() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@" &
	BG_PID=$!
	BENCH_PIDS+=("$BG_PID")
}

# Stop one process we started: TERM, then KILL after 2 s.
bg_stop() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 20); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# islandd's batch-interval in this run (BENCH_BATCH_INTERVAL, else the
# default it prints in its canonical configuration): the floor program
# batches busy spells the same way, so the floor stays a floor.
islandd_batch_us() {
	if [ -n "${BENCH_BATCH_INTERVAL:-}" ]; then
		echo "$BENCH_BATCH_INTERVAL"
		return
	fi
	local f
	f=$(mktemp) || { echo 0; return; }
	printf 'proxy lo { rule ::1/128 { static } }\n' >"$f"
	"$ISLANDD" -t -v -c "$f" 2>/dev/null | awk '$1 == "batch-interval" { print $2; found = 1 } END { if (!found) print 0 }'
	rm -f "$f"
}

# The batch-interval line of islandd's config when BENCH_BATCH_INTERVAL asks
# for one (nothing otherwise: islandd's default applies).
islandd_batch_conf() {
	[ -n "${BENCH_BATCH_INTERVAL:-}" ] && printf 'batch-interval %s\n' "$BENCH_BATCH_INTERVAL"
	return 0
}

topo_down() {
	local pid ns
	for pid in "${BENCH_PIDS[@]}"; do
		bg_stop "$pid"
	done
	BENCH_PIDS=()
	for ns in $BENCH_ALL_NS; do
		# Anything still inside was started by this run.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
