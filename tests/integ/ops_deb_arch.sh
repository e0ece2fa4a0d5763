#!/usr/bin/env bash
# The Raspberry Pi packages: `make deb ARCH=arm64|armhf` (scripts/build-deb.sh,
# Debian's cross toolchains) into this run's directory, lintian clean, with
# binaries for that architecture; the packaged programs run under qemu-user
# (version, the shipped config and every example checked), and the packaged
# islandctl of each architecture reads the seed-000 island's native daemon
# exactly as the native islandctl does (the control protocol across word
# sizes). Last, the arm64 daemon itself is tried on the island under
# qemu-aarch64: where qemu-user lacks what islandd needs, the case is
# skipped with the error it saw (see the README, Raspberry Pi).
set -u
. "$(dirname "$0")/../lib/islandd.sh"
need_root deb_arch
need_cmd dpkg-buildpackage lintian readelf jq qemu-aarch64 qemu-arm "$ISL_PY"
need_islandd
netns_init

VERSION=$(sed -n 's/^VERSION *:= *//p' "$ISL_REPO/Makefile")
declare -A QEMU=([arm64]="qemu-aarch64 -L /usr/aarch64-linux-gnu" [armhf]="qemu-arm -L /usr/arm-linux-gnueabihf")
declare -A ROOT=()

for arch in arm64 armhf; do
	out=$ISL_RUN/deb-$arch
	deb=$out/islandd_${VERSION}_${arch}.deb
	# build-deb.sh fails on a build error, a binary for the wrong machine or
	# any lintian error or warning
	if DEB_OUT=$out "$ISL_REPO/scripts/build-deb.sh" "$arch" >"$ISL_KEEP/deb-$arch.log" 2>&1; then
		ok "deb_${arch}_built_lintian_clean"
	else
		not_ok "deb_${arch}_built_lintian_clean" "$(tail -n 5 "$ISL_KEEP/deb-$arch.log" | tr '\n' ' ')"
		continue
	fi
	cp "$out/lintian.txt" "$ISL_KEEP/lintian-$arch.txt" 2>/dev/null
	check "deb_${arch}_architecture" "Architecture: $(dpkg-deb -f "$deb" Architecture)" \
		test "$(dpkg-deb -f "$deb" Architecture)" = "$arch"
	check "deb_${arch}_depends_libmnl" "Depends: $(dpkg-deb -f "$deb" Depends)" \
		sh -c "dpkg-deb -f '$deb' Depends | grep -q libmnl0"
	root=$out/root
	dpkg-deb -x "$deb" "$root"
	ROOT[$arch]=$root
	q=${QEMU[$arch]}
	check "deb_${arch}_islandd_version" "$($q "$root/usr/sbin/islandd" --version 2>&1)" \
		test "$($q "$root/usr/sbin/islandd" --version 2>&1)" = "islandd $VERSION"
	check "deb_${arch}_islandctl_version" "$($q "$root/usr/sbin/islandctl" --version 2>&1)" \
		test "$($q "$root/usr/sbin/islandctl" --version 2>&1)" = "islandctl $VERSION"
	check "deb_${arch}_shipped_conf_valid" "$($q "$root/usr/sbin/islandd" -t -c "$root/etc/islandd.conf" 2>&1 | head -n 1)" \
		$q "$root/usr/sbin/islandd" -t -c "$root/etc/islandd.conf"
	for ex in "$root"/usr/share/doc/islandd/examples/*.conf; do
		check "deb_${arch}_example_${ex##*/}" "$($q "$root/usr/sbin/islandd" -t -c "$ex" 2>&1 | head -n 1)" \
			$q "$root/usr/sbin/islandd" -t -c "$ex"
	done
	# a broken file is refused with its position on the foreign build too
	printf 'proxy wlan0 {\n  rule 2001:db8::/129 {\n  }\n}\n' >"$out/bad.conf"
	msg=$($q "$root/usr/sbin/islandd" -t -c "$out/bad.conf" 2>&1)
	check "deb_${arch}_bad_conf_refused" "exit 0 or no file:line:col: $msg" \
		sh -c "! $q '$root/usr/sbin/islandd' -t -c '$out/bad.conf' 2>/dev/null && echo '$msg' | grep -q 'bad.conf:2:'"
done

# --- the island with the native daemon, read by each architecture's islandctl
island000_build
if ! start_islandd gw "$(island000_conf)"; then
	not_ok "native islandd starts on the island" "see $(islandd_log gw)"
	exit 1
fi
check "laptop reaches pi41 through the native daemon" "no echo reply" ping6_ok laptop "$PI41_ADDR" 10
# sessions and routes are the same document whichever islandctl asks (ages
# move between two calls, so they are dropped before comparing)
norm='del(.. | .age_ms?, .expires_ms?)'
for what in sessions routes config; do
	want=$(ctl gw "$what" --json | jq -S "$norm")
	for arch in "${!ROOT[@]}"; do
		got=$(${QEMU[$arch]} "${ROOT[$arch]}/usr/sbin/islandctl" -S "$(islandd_sock gw)" "$what" --json | jq -S "$norm")
		check "islandctl_${arch}_${what}_matches_native" "native: $want; $arch: $got" \
			test -n "$got" -a "$got" = "$want"
	done
done
for arch in "${!ROOT[@]}"; do
	got=$(${QEMU[$arch]} "${ROOT[$arch]}/usr/sbin/islandctl" -S "$(islandd_sock gw)" stats --json)
	check "islandctl_${arch}_stats_counters" "stats: $got" \
		jqe '.counters | (.rx_ns > 0 and .tx_na > 0)' <<<"$got"
done
finish_islandd gw

# --- the arm64 daemon itself on the island, under qemu-aarch64 -------------
if [ -n "${ROOT[arm64]:-}" ]; then
	wrapper=$ISL_RUN/islandd-arm64
	printf '#!/bin/sh\nexec %s %s "$@"\n' "${QEMU[arm64]}" "${ROOT[arm64]}/usr/sbin/islandd" >"$wrapper"
	chmod 755 "$wrapper"
	log=$(islandd_log gw)
	: >"$log"
	if ISLANDD=$wrapper start_islandd gw "$(island000_conf)" 2>/dev/null; then
		ok "arm64 islandd starts on the island under qemu-aarch64"
		check "laptop reaches pi41 through the arm64 daemon" "no echo reply" ping6_ok laptop "$PI41_ADDR" 10
		stop_islandd gw TERM 10 >/dev/null
	elif why=$(grep -m 1 -E 'error: netlink .*Operation not supported' "$log"); then
		# qemu-user 7.2 translates only link, address and route messages:
		# RTM_GETNEIGH is refused with EOPNOTSUPP, and islandd needs the
		# neighbour table at start
		skip "arm64 islandd on the island under qemu-aarch64" "qemu-user lacks RTM_GETNEIGH: $why"
	else
		not_ok "arm64 islandd on the island under qemu-aarch64" "$(tail -n 5 "$log" | tr '\n' ' ')"
	fi
	grep -E 'warning|error' "$log" | sed 's/^/# arm64 daemon: /'
fi
test_status
