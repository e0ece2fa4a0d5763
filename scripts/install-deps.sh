#!/usr/bin/env bash
# Install the Debian packages islandd's build, tests, demo and benchmarks need,
# but only the missing ones. With everything present it only asks dpkg and
# exits (well under a second), so `make test` and `make demo` call it always.
#
# Daemons such as avahi-daemon and radvd must not start system-wide when
# installed: the tests run their own instances inside network namespaces. A
# policy-rc.d that answers 101 ("action forbidden") holds them back during
# the install, and any instance that appears anyway is stopped afterwards.
set -euo pipefail

PACKAGES=(
	build-essential clang llvm libmnl-dev libcmocka-dev pkg-config
	iproute2 iputils-ping procps psmisc kmod
	radvd ndisc6 ndppd npd6 avahi-daemon avahi-utils libnss-mdns
	python3 python3-scapy thc-ipv6 ipv6toolkit openvpn tcpdump
	gnuplot-nox man-db groff-base jq nftables
	dbus debhelper dpkg-dev lintian fakeroot strace systemd adduser prometheus
	dnsmasq isc-dhcp-server isc-dhcp-client dhcpcd kea-dhcp6-server parprouted
	arping socat
)
# The Raspberry Pi architectures: `make deb ARCH=arm64|armhf` cross-builds
# with Debian's toolchains, and `make test` runs the unit tests and fuzz
# corpora of those builds under qemu-user (called explicitly with -L, so
# the host's binfmt_misc setup is left alone).
CROSS_ARCHES=(arm64 armhf)
PACKAGES+=(qemu-user)
for a in "${CROSS_ARCHES[@]}"; do
	PACKAGES+=("crossbuild-essential-$a" "libmnl-dev:$a" "libcmocka-dev:$a")
done
# dhcp-helper (the DHCPv4 relay the benchmark compares with) conflicts with
# isc-dhcp-server as a package, though the two programs never meet: its .deb
# is unpacked, not installed, into $DHCP_HELPER_DIR; tests and benchmarks
# run $DHCP_HELPER_DIR/usr/sbin/dhcp-helper.
DHCP_HELPER_DIR=/usr/local/lib/islandd-deps/dhcp-helper
DAEMONS=(avahi-daemon radvd ndppd npd6 prometheus dnsmasq dhcpd kea-dhcp6 dhcpcd parprouted)

# Installed packages by name:arch, and by bare name when native or "all".
native=$(dpkg --print-architecture)
missing=()
mapfile -t installed < <(dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Architecture}\n' \
	"${PACKAGES[@]%%:*}" 2>/dev/null |
	awk -v n="$native" '$1 == "ii" {print $2 ":" $3; if ($3 == n || $3 == "all") print $2}')
for p in "${PACKAGES[@]}"; do
	found=0
	for i in "${installed[@]}"; do [ "$i" = "$p" ] && { found=1; break; }; done
	[ "$found" = 1 ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && [ -x "$DHCP_HELPER_DIR/usr/sbin/dhcp-helper" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing Debian packages: ${missing[*]}" >&2
	echo "install-deps: run as root to install them (sudo make test, sudo make demo, or sudo $0)" >&2
	exit 1
fi
command -v apt-get >/dev/null || { echo "install-deps: apt-get not found (Debian 12 expected)" >&2; exit 1; }

# Foreign architectures must be known to dpkg before apt can fetch their lists.
foreign=$(dpkg --print-foreign-architectures)
for a in "${CROSS_ARCHES[@]}"; do
	grep -qx "$a" <<<"$foreign" || { echo "install-deps: dpkg --add-architecture $a"; dpkg --add-architecture "$a"; }
done

# pids of the daemons in a given state, to stop only what the install started.
daemon_pids() {
	local d
	for d in "${DAEMONS[@]}"; do pgrep -x "$d" || true; done | sort -n
}
before=$(daemon_pids)

policy=/usr/sbin/policy-rc.d
saved=
if [ -e "$policy" ]; then
	saved=$(mktemp)
	cp -p "$policy" "$saved"
fi
restore_policy() {
	if [ -n "$saved" ]; then
		cp -p "$saved" "$policy" && rm -f "$saved"
	else
		rm -f "$policy"
	fi
}
trap restore_policy EXIT
printf '#!/bin/sh\n# installed by islandd scripts/install-deps.sh for the duration of an install\nexit 101\n' >"$policy"
chmod 755 "$policy"

apt-get -o DPkg::Lock::Timeout=300 update -q
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	# Other builds may hold the dpkg lock for a while: wait for it, do not fail.
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
		--no-install-recommends "${missing[@]}"
fi
if [ ! -x "$DHCP_HELPER_DIR/usr/sbin/dhcp-helper" ]; then
	echo "install-deps: unpacking dhcp-helper into $DHCP_HELPER_DIR"
	tmp=$(mktemp -d)
	chmod 755 "$tmp" # apt downloads as _apt
	(cd "$tmp" && apt-get download -q dhcp-helper)
	mkdir -p "$DHCP_HELPER_DIR"
	dpkg-deb -x "$tmp"/dhcp-helper_*.deb "$DHCP_HELPER_DIR"
	rm -rf "$tmp"
fi

restore_policy
trap - EXIT

# Anything that started despite the policy: stop it the way it was started.
# Instances in the host's network namespace only; ones inside other
# namespaces belong to someone's test.
after=$(daemon_pids)
# Our own namespace, not PID 1's: /proc/1 may be unreadable (containers, sandboxes).
host_net=$(readlink /proc/self/ns/net)
for pid in $(comm -13 <(echo "$before") <(echo "$after")); do
	[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$host_net" ] || continue
	name=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
	echo "install-deps: stopping system-wide $name (pid $pid) started by the install"
	if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl stop "$name.service" "$name.socket" 2>/dev/null || true
	fi
	kill "$pid" 2>/dev/null || true
done
echo "install-deps: done"
