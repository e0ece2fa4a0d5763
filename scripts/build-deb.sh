#!/usr/bin/env bash
# make deb [ARCH=amd64|arm64|armhf]: the Debian package for ARCH (default: this
# machine's), built with dpkg-buildpackage from a copy of the tree so the
# repository is never written, then checked by lintian (no error, no warning).
# Cross builds use Debian's cross toolchains (scripts/install-deps.sh).
#
#   scripts/build-deb.sh [ARCH]   DEB_OUT=DIR (default build/deb/ARCH)
# Prints the path of the .deb on success.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
ARCH=${1:-$(dpkg --print-architecture)}
VERSION=$(sed -n 's/^VERSION *:= *//p' Makefile)
OUT=${DEB_OUT:-$REPO/build/deb/$ARCH}
case $OUT in /*) ;; *) OUT=$REPO/$OUT ;; esac

native=$(dpkg --print-architecture)
if [ "$ARCH" != "$native" ]; then
	triplet=$(dpkg-architecture -a"$ARCH" -qDEB_HOST_GNU_TYPE 2>/dev/null) ||
		{ echo "build-deb: unknown architecture $ARCH" >&2; exit 2; }
	command -v "$triplet-gcc" >/dev/null ||
		{ echo "build-deb: no $triplet-gcc: run scripts/install-deps.sh (crossbuild-essential-$ARCH)" >&2; exit 1; }
fi

rm -rf "$OUT"
SRC=$OUT/islandd-$VERSION
mkdir -p "$SRC"
tar --exclude=./build --exclude=./.git --exclude='./crash-*' -cf - . | tar -xf - -C "$SRC"

LOG=$OUT/build.log
# nocheck: the tests need root and namespaces (make test runs them); cross:
# Debian's profile for cross builds.
profiles=nocheck
[ "$ARCH" != "$native" ] && profiles=cross,nocheck
if ! (cd "$SRC" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -a"$ARCH" -P"$profiles" -us -uc -b) >"$LOG" 2>&1; then
	tail -n 20 "$LOG" >&2
	echo "build-deb: dpkg-buildpackage -a$ARCH failed, log in $LOG" >&2
	exit 1
fi
DEB=$OUT/islandd_${VERSION}_${ARCH}.deb
[ -s "$DEB" ] || { echo "build-deb: no $DEB" >&2; exit 1; }
rm -rf "$SRC"

# The binaries must be for ARCH, not for this machine.
want_machine=$(case $ARCH in amd64) echo X86-64 ;; arm64) echo AArch64 ;; armhf) echo ARM ;; *) echo "" ;; esac)
if [ -n "$want_machine" ]; then
	tmp=$(mktemp -d)
	dpkg-deb -x "$DEB" "$tmp"
	for b in islandd islandctl; do
		m=$(readelf -h "$tmp/usr/sbin/$b" | sed -n 's/^ *Machine: *//p')
		case $m in *"$want_machine"*) ;; *)
			rm -rf "$tmp"; echo "build-deb: /usr/sbin/$b is '$m', want $want_machine" >&2; exit 1 ;;
		esac
	done
	rm -rf "$tmp"
fi

LINT=$OUT/lintian.txt
lintian --allow-root --pedantic "$OUT/islandd_${VERSION}_${ARCH}.changes" >"$LINT" 2>&1 || true
if grep -qE '^[EW]:' "$LINT"; then
	cat "$LINT" >&2
	echo "build-deb: lintian errors or warnings (above, and in $LINT)" >&2
	exit 1
fi
echo "$DEB"
