# Real avahi-daemon responders and queriers inside network namespaces, for
# the mDNS reflector tests.
#
# What works (Debian 12, avahi 0.8, libnss-mdns 0.15, dbus 1.14), found by
# trying:
#   - Every "host" gets a private mount namespace (unshare -m inside
#     ip netns exec) with its own directory bound over /run, over
#     /etc/avahi/services and over /etc/nsswitch.conf. Each host thus has
#     its own /run/dbus/system_bus_socket and /run/avahi-daemon/socket, at
#     the paths every client has compiled in, and nothing is shared.
#   - Each host runs its own system bus (dbus-daemon --system --nofork; the
#     stock policy in /usr/share/dbus-1/system.d lets avahi own its name), so
#     avahi-browse, avahi-resolve and avahi-publish work as on a real host.
#   - avahi-daemon runs with --no-chroot --no-drop-root: the chroot would
#     hide the private /run, and dropping to the avahi user is pointless in
#     a throw-away namespace. host-name= in its config replaces the shared
#     UTS hostname; allow-interfaces= pins it to the host's link.
#   - nss-mdns (getent ahosts NAME.local) asks avahi over
#     /run/avahi-daemon/socket; the private nsswitch.conf says
#     "hosts: files mdns_minimal [NOTFOUND=return]" so IPv6 is asked too
#     (Debian's default, mdns4_minimal, is IPv4 only).
#   - Services are static files in the host's services directory, written
#     before avahi starts (avahi-daemon -r reloads them).
# Every command "on host NS" must go through mdns_exec so it sees that
# host's /run.

# shellcheck source=islandd.sh
. "$(dirname "${BASH_SOURCE[0]}")/islandd.sh"

declare -A ISL_AVAHI_PID=()
declare -A ISL_DBUS_PID=()

mdns_dir() { printf '%s/mdns-%s' "$ISL_RUN" "$1"; }
avahi_log() { printf '%s/avahi-%s.log' "$ISL_KEEP" "$1"; }

# mdns_exec NS CMD...: CMD in namespace NS with that host's private /run,
# services directory and nsswitch.conf. mdns_spawn: the same in the
# background, $! being CMD's own pid (ip netns exec, unshare and sh all
# exec, so signals reach the program, not a wrapper shell).
mdns_exec() { ( _mdns_exec_replace "$@" ); }
mdns_spawn() { ( _mdns_exec_replace "$@" ) & }
_mdns_exec_replace() {
	local ns=$1; shift
	exec ip netns exec "$ISL_NS_PREFIX$ns" unshare -m --propagation private sh -c '
		d=$1; shift
		mount --bind "$d/run" /run &&
		mount --bind "$d/services" /etc/avahi/services &&
		mount --bind "$d/nsswitch.conf" /etc/nsswitch.conf || exit 99
		exec "$@"' sh "$(mdns_dir "$ns")" "$@"
}

# mdns_host NS HOSTNAME IFACE [AVAHI_SERVER_OPTIONS...]: prepare host NS
# (directories, avahi-daemon.conf). Options are extra "key=value" lines
# for [server], e.g. use-ipv4=no.
mdns_host() {
	local ns=$1 host=$2 iface=$3 d; shift 3
	d=$(mdns_dir "$ns")
	mkdir -p "$d/run/dbus" "$d/run/avahi-daemon" "$d/services"
	printf 'hosts: files mdns_minimal [NOTFOUND=return]\n' >"$d/nsswitch.conf"
	{
		printf '[server]\nhost-name=%s\ndomain-name=local\nallow-interfaces=%s\n' "$host" "$iface"
		printf 'use-ipv4=yes\nuse-ipv6=yes\nenable-dbus=yes\nratelimit-interval-usec=1000000\nratelimit-burst=1000\n'
		local o
		for o in "$@"; do printf '%s\n' "$o"; done
		printf '[wide-area]\nenable-wide-area=no\n'
		printf '[publish]\npublish-hinfo=no\npublish-workstation=no\n'
		printf '[reflector]\nenable-reflector=no\n'
	} >"$d/avahi-daemon.conf"
}

# mdns_conf_set NS KEY VALUE: change one line of NS's avahi-daemon.conf
# (takes effect at the next avahi_start).
mdns_conf_set() {
	local f
	f="$(mdns_dir "$1")/avahi-daemon.conf"
	if grep -q "^$2=" "$f"; then
		sed -i "s|^$2=.*|$2=$3|" "$f"
	else
		sed -i "s|^\[server\]$|[server]\n$2=$3|" "$f"
	fi
}

# mdns_service NS TYPE PORT [NAME]: a static service (default name: the
# host name).
mdns_service() {
	local ns=$1 type=$2 port=$3 name=${4:-%h}
	cat >"$(mdns_dir "$ns")/services/${type//./_}.service" <<-EOF
	<?xml version="1.0" standalone='no'?>
	<!DOCTYPE service-group SYSTEM "avahi-service.dtd">
	<service-group>
	  <name replace-wildcards="yes">$name</name>
	  <service><type>$type</type><port>$port</port></service>
	</service-group>
	EOF
}

# avahi_start NS: the host's system bus, then avahi-daemon; waits until
# avahi answers on its socket and has finished probing its host name.
avahi_start() {
	local ns=$1 d log
	d=$(mdns_dir "$ns")
	log=$(avahi_log "$ns")
	if [ -z "${ISL_DBUS_PID[$ns]:-}" ]; then
		rm -f "$d/run/dbus/system_bus_socket" "$d/run/dbus/pid"
		mdns_spawn "$ns" dbus-daemon --system --nofork --nopidfile >>"$ISL_KEEP/dbus-$ns.log" 2>&1
		ISL_DBUS_PID[$ns]=$!
		wait_for 5 test -S "$d/run/dbus/system_bus_socket" || { warn "dbus-daemon did not start in $ns"; return 1; }
		at_cleanup "avahi_stop $ns; kill ${ISL_DBUS_PID[$ns]} 2>/dev/null"
	fi
	local n
	n=$(grep -c 'Server startup complete' "$log" 2>/dev/null)
	echo "=== start avahi-daemon in $ns" >>"$log"
	rm -f "$d/run/avahi-daemon/pid" "$d/run/avahi-daemon/socket"
	mdns_spawn "$ns" avahi-daemon -f "$d/avahi-daemon.conf" --no-chroot --no-drop-root \
		--no-rlimits --no-proc-title --debug >>"$log" 2>&1
	ISL_AVAHI_PID[$ns]=$!
	# "Server startup complete" is logged once the host name has been
	# probed and is ours: the log keeps every start, so count them.
	wait_for 10 _mdns_established_at_least "$ns" $((${n:-0} + 1)) ||
		{ warn "avahi-daemon did not start in $ns"; tail -n 20 "$log" >&2; return 1; }
}
_mdns_established_at_least() {
	[ "$(grep -c 'Server startup complete' "$(avahi_log "$1")")" -ge "$2" ]
}

avahi_stop() {
	local ns=$1 pid=${ISL_AVAHI_PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait_for 5 _isl_not kill -0 "$pid" || kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "ISL_AVAHI_PID[$ns]"
}

# avahi_renamed NS: did avahi in NS ever give up its name or a service
# name? (It logs "Host name conflict, retrying with NAME"; note that it
# counts on from a trailing number: pi-41 becomes pi-42, not pi-41-2.)
avahi_renamed() {
	grep -qE 'Host name conflict|Service name conflict|Local name collision' "$(avahi_log "$1")"
}

# mdns_resolve NS NAME [4|6]: the addresses getent (nss-mdns -> avahi)
# returns, one per line, sorted.
mdns_resolve() {
	local db=ahosts
	case "${3:-}" in 4) db=ahostsv4 ;; 6) db=ahostsv6 ;; esac
	mdns_exec "$1" getent "$db" "$2" 2>/dev/null | awk '{print $1}' | sort -u
}

# mdns_browse NS TYPE: resolved services as avahi-browse -rtp prints them
# ("=;iface;proto;name;type;domain;host;address;port;txt").
mdns_browse() {
	mdns_exec "$1" timeout 10 avahi-browse -rtp "$2" 2>/dev/null | grep '^='
}

# island000_ipv4: IPv4 on the seed-000 island (private addresses, as the
# seed's DHCP gives them): laptop and gw wlan0 in 192.168.1.0/24, gw eth0
# and the pis in 10.0.40.0/24.
island000_ipv4() {
	nsip laptop addr add 192.168.1.50/24 dev wlan0
	nsip gw addr add 192.168.1.31/24 dev wlan0
	nsip gw addr add 10.0.40.1/24 dev eth0
	nsip pi41 addr add 10.0.40.41/24 dev eth0
	nsip pi42 addr add 10.0.40.42/24 dev eth0
}

# mdns_counter NS NAME: one counter from `islandctl mdns --json`.
mdns_counter() {
	ctl "$1" mdns --json 2>/dev/null | jq -r --arg n "$2" '.mdns.counters[$n] // .mdns.counters.drops[$n] // empty' 2>/dev/null
}

# island000_gw2: a second gateway on the same two links (wlan0 on the ISP
# bridge, eth0 on the cluster switch), for two-reflector tests.
island000_gw2() {
	ns_add gw2
	veth gw2 wlan0 isp p-gw2
	bridge_port isp br0 p-gw2
	veth gw2 eth0 sw p-gw2
	bridge_port sw br0 p-gw2
	nsip gw2 addr add 192.168.1.32/24 dev wlan0
	nsip gw2 addr add 10.0.40.2/24 dev eth0
	nsip gw2 addr add fd2f::2/64 dev eth0
	if_up gw2 wlan0 eth0
	wait_for 5 test -n "$(ll_addr gw2 eth0)" || die "gw2 eth0 has no link-local address"
}

# mdns_capture NS IFACE FILE: tcpdump of UDP 5353 on IFACE in NS into FILE
# (stopped by mdns_capture_stop, or at cleanup).
mdns_capture() {
	nsexec "$1" tcpdump -i "$2" -n -U --immediate-mode -s 0 -w "$3" udp port 5353 >/dev/null 2>"$3.err" &
	ISL_CAPTURE_PID=$!
	at_cleanup "kill $ISL_CAPTURE_PID 2>/dev/null"
	wait_for 5 tcpdump_ready "$3.err" || warn "tcpdump on $1 $2 did not start"
}
mdns_capture_stop() {
	sleep 0.3 # time is tested: a copy still in flight when the caller stops is captured
	kill "$ISL_CAPTURE_PID" 2>/dev/null
	wait "$ISL_CAPTURE_PID" 2>/dev/null
}
# mdns_pcap FILE ARGS...: tests/lib/mdns_pcap.py (see there).
mdns_pcap() {
	"$ISL_PY" "$ISL_LIB/mdns_pcap.py" "$@"
}
