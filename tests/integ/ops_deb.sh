#!/usr/bin/env bash
# The Debian package: built with dpkg-buildpackage from a copy of the tree
# (the repository is never written), checked by lintian, installed on this
# machine, looked at, removed, purged. The machine is left as it was: the
# package purged and the islandd user deleted again if the test created it.
# Skipped when islandd is already installed here (it would be clobbered).
set -u
. "$(dirname "$0")/../lib/common.sh"
need_root deb
need_cmd dpkg-buildpackage dh lintian tar
run_dir_init
# quiet CMD...: CMD with its output to the log, for check
quiet() { "$@" >>"$ISL_KEEP/deb-cmds.log" 2>&1; }

VERSION=$(sed -n 's/^VERSION *:= *//p' "$ISL_REPO/Makefile")
ARCH=$(dpkg --print-architecture)
DEB="$ISL_RUN/islandd_${VERSION}_${ARCH}.deb"
if dpkg-query -W -f '${Status}' islandd 2>/dev/null | grep -q 'installed\|config-files'; then
	skip deb "islandd is already installed on this machine; not touching it"
	exit 0
fi
if [ -e /etc/islandd.conf ]; then
	skip deb "/etc/islandd.conf exists and belongs to no package; not touching it"
	exit 0
fi
USER_BEFORE=$(getent passwd islandd >/dev/null && echo yes || echo no)
GROUP_BEFORE=$(getent group islandd >/dev/null && echo yes || echo no)

deb_cleanup() {
	local rc=$?
	if dpkg-query -W -f '${Status}' islandd 2>/dev/null | grep -q 'installed\|config-files\|half'; then
		dpkg -P islandd >/dev/null 2>&1 || warn "dpkg -P islandd failed: remove it by hand"
	fi
	# -f: while the user exists, any islandd started on this host (other
	# tests) drops to it, and a plain userdel refuses a user in use; left
	# behind, it would make every later daemon run as islandd
	[ "$USER_BEFORE" = no ] && getent passwd islandd >/dev/null && userdel -f islandd 2>/dev/null
	[ "$GROUP_BEFORE" = no ] && getent group islandd >/dev/null && groupdel islandd 2>/dev/null
	[ -z "${ISL_KEEP_RUN:-}" ] && rm -rf "$ISL_RUN"
	return $rc
}
trap deb_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build ---------------------------------------------------------------
SRC="$ISL_RUN/islandd-$VERSION"
mkdir -p "$SRC"
(cd "$ISL_REPO" && tar --exclude=./build --exclude=./.git --exclude='./crash-*' -cf - .) | tar -xf - -C "$SRC"
LOG="$ISL_KEEP/deb-build.log"
if (cd "$SRC" && timeout 600 dpkg-buildpackage -us -uc -b) >"$LOG" 2>&1; then
	ok deb_build
else
	not_ok deb_build "dpkg-buildpackage failed: $(tail -n 5 "$LOG" | tr '\n' ' ')"
	test_status
	exit
fi
check deb_file "no $DEB" test -s "$DEB"
check deb_repo_clean "the build wrote into the repository" test ! -e "$ISL_REPO/debian/islandd"

# --- lintian -------------------------------------------------------------
LINT="$ISL_KEEP/lintian.txt"
lintian --allow-root --pedantic "$ISL_RUN/islandd_${VERSION}_${ARCH}.changes" >"$LINT" 2>&1
while read -r line; do note "lintian: $line"; done <"$LINT"
check deb_lintian_no_errors "lintian errors: $(grep '^E:' "$LINT" | tr '\n' ' ')" test -z "$(grep '^E:' "$LINT")"
check deb_lintian_no_warnings "lintian warnings: $(grep '^W:' "$LINT" | tr '\n' ' ')" test -z "$(grep '^W:' "$LINT")"

# --- contents ------------------------------------------------------------
CONTENTS=$(dpkg-deb -c "$DEB" | awk '{print $6}')
for f in ./usr/sbin/islandd ./usr/sbin/islandctl ./lib/systemd/system/islandd.service ./etc/islandd.conf \
	./usr/share/man/man8/islandd.8.gz ./usr/share/man/man8/islandctl.8.gz ./usr/share/man/man5/islandd.conf.5.gz \
	./usr/share/doc/islandd/copyright ./usr/share/doc/islandd/examples/island.conf \
	./usr/share/doc/islandd/examples/vps.conf; do
	check "deb_has_${f##*/}" "$f missing from the package" grep -qxF "$f" <<<"$CONTENTS"
done
check deb_conffile "/etc/islandd.conf is not a conffile" \
	sh -c "dpkg-deb -f '$DEB' >/dev/null && dpkg-deb --ctrl-tarfile '$DEB' | tar -xOf - ./conffiles | grep -qx /etc/islandd.conf"
check deb_depends_libmnl "Depends lacks libmnl0 (shlibs)" sh -c "dpkg-deb -f '$DEB' Depends | grep -q libmnl0"

# --- install -------------------------------------------------------------
if dpkg -i "$DEB" >"$ISL_KEEP/deb-install.log" 2>&1; then
	ok deb_install
else
	not_ok deb_install "dpkg -i failed: $(tail -n 5 "$ISL_KEEP/deb-install.log" | tr '\n' ' ')"
	test_status
	exit
fi
check deb_installed_status "dpkg does not say installed" \
	test "$(dpkg-query -W -f '${Status}' islandd)" = "install ok installed"
for f in /usr/sbin/islandd /usr/sbin/islandctl /lib/systemd/system/islandd.service /etc/islandd.conf \
	/usr/share/doc/islandd/examples/ra.conf; do
	check "deb_installed_${f##*/}" "$f not installed" test -e "$f"
done
check deb_version "islandd --version: $(/usr/sbin/islandd --version 2>&1)" \
	test "$(/usr/sbin/islandd --version)" = "islandd $VERSION"
check deb_ctl_version "islandctl --version: $(/usr/sbin/islandctl --version 2>&1)" \
	test "$(/usr/sbin/islandctl --version)" = "islandctl $VERSION"
check deb_conf_valid "the shipped /etc/islandd.conf is refused" quiet /usr/sbin/islandd -t -c /etc/islandd.conf
for ex in /usr/share/doc/islandd/examples/*.conf; do
	check "deb_example_${ex##*/}" "$ex is refused: $(/usr/sbin/islandd -t -c "$ex" 2>&1 | head -n 1)" \
		quiet /usr/sbin/islandd -t -c "$ex"
done
for page in islandd.8 islandctl.8 islandd.conf.5; do
	check "deb_man_$page" "man cannot find $page" sh -c "man -w ${page##*.} ${page%.*} | grep -q '^/usr/share/man/'"
done
# the user the unit runs as: a system account that cannot log in
pw=$(getent passwd islandd)
check deb_user "no islandd user after install" test -n "$pw"
uid=$(cut -d: -f3 <<<"$pw")
check deb_user_system "islandd uid $uid is not a system uid" test "${uid:-1000}" -lt 1000
check deb_user_nologin "islandd can log in: $pw" grep -q ':/usr/sbin/nologin$' <<<"$pw"
check deb_group "no islandd group" quiet getent group islandd
check deb_unit_enabled "unit not enabled" test -L /etc/systemd/system/multi-user.target.wants/islandd.service
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify /lib/systemd/system/islandd.service 2>&1)
	check deb_unit_verify "systemd-analyze verify: $out" test -z "$out"
	score=$(systemd-analyze security --offline=true /lib/systemd/system/islandd.service 2>/dev/null |
		sed -n 's/.*Overall exposure level for islandd.service: \([0-9.]*\).*/\1/p')
	note "systemd-analyze security exposure: ${score:-unknown}"
	check deb_unit_exposure "exposure ${score:-unknown}, want below 3.0" \
		awk -v s="${score:-99}" 'BEGIN { exit !(s < 3.0) }'
else
	skip deb_unit_verify "systemd-analyze not installed"
fi
if [ -d /run/systemd/system ]; then
	check deb_started "islandd.service is not active after install" systemctl is-active --quiet islandd
	check deb_started_user "the service does not run as islandd" \
		sh -c 'ps -o user= -p "$(systemctl show -p MainPID --value islandd)" | grep -qx islandd'
else
	skip deb_started "systemd is not PID 1 here; the postinst skipped starting the unit"
fi

# --- remove, purge ---------------------------------------------------------
check deb_remove "dpkg -r failed" quiet dpkg -r islandd
check deb_removed_binary "/usr/sbin/islandd still there" test ! -e /usr/sbin/islandd
check deb_removed_man "man pages still there" test ! -e /usr/share/man/man8/islandd.8.gz
check deb_removed_unit "unit still there" test ! -e /lib/systemd/system/islandd.service
check deb_remove_keeps_conf "dpkg -r must keep the conffile" test -e /etc/islandd.conf
check deb_purge "dpkg -P failed" quiet dpkg -P islandd
check deb_purged_conf "/etc/islandd.conf still there after purge" test ! -e /etc/islandd.conf
check deb_purged_enable_link "enable symlink left" test ! -e /etc/systemd/system/multi-user.target.wants/islandd.service
check deb_purged_doc "/usr/share/doc/islandd left" test ! -e /usr/share/doc/islandd
check deb_purged_status "dpkg still knows islandd" sh -c "! dpkg-query -W -f '\${Status}' islandd 2>/dev/null | grep -q installed"
# Debian's practice: a system user stays after purge (files it owned may
# remain); the cleanup deletes it when this test created it.
check deb_purge_keeps_user "islandd user removed by purge" quiet getent passwd islandd

test_status
