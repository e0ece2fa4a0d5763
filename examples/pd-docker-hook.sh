#!/bin/sh
# islandd dhcp6-pd hook: give Docker's default bridge a delegated /64.
#
#   dhcp6-pd wlan0 {
#       iface eth0 { subnet 1 }
#       iface docker0 { subnet 2 }       # the /64 Docker's containers get
#       script /etc/islandd/pd-docker-hook.sh
#   }
#
# On bound and changed, points "fixed-cidr-v6" in /etc/docker/daemon.json
# at docker0's /64 from SUBNETS (and sets "ipv6": true), then restarts
# dockerd when the file changed (fixed-cidr-v6 is not a live-reloadable
# option). renewed, expired and stopped change nothing: containers keep
# their addresses while the prefix is valid, and a new one comes with
# "changed". Plain POSIX shell, no python3 or jq: the two keys are edited
# in place and the rest of the file is left as it is.
#
# islandd runs this with only its own variables (see islandd.conf(5)):
# REASON INTERFACE PREFIX PREFIXES PREFIX_PREFERRED PREFIX_VALID OLD_PREFIX
# SUBNETS DNS DOMAINS PATH, and with its own privileges. Run by root (islandd
# started by hand), it does the work at once. Under the shipped systemd unit
# islandd is the unprivileged user islandd in a read-only /etc: the hook then
# only writes what it was told to /run/islandd/pd-docker.env, and a root
# path unit does the work with "pd-docker-hook.sh apply FILE":
#
#   /etc/systemd/system/islandd-pd-docker.path
#       [Path]
#       PathChanged=/run/islandd/pd-docker.env
#       [Install]
#       WantedBy=multi-user.target
#   /etc/systemd/system/islandd-pd-docker.service
#       [Service]
#       Type=oneshot
#       ExecStart=/etc/islandd/pd-docker-hook.sh apply /run/islandd/pd-docker.env
#
#   systemctl enable --now islandd-pd-docker.path
#
# The settings below can be changed here.
set -eu

BRIDGE=docker0                              # which SUBNETS entry Docker gets
DAEMON_JSON=/etc/docker/daemon.json
RESTART="systemctl restart docker"         # "systemctl reload docker" does not apply fixed-cidr-v6
LOG_TAG=islandd-pd-docker

log() { logger -t "$LOG_TAG" -- "$*" 2>/dev/null || true; }

HANDOFF=/run/islandd/pd-docker.env        # where an unprivileged run leaves its event

# "apply FILE": the root side of the hand-off, the event read back (only
# our three variables, each a checked word list: the file is not sourced).
if [ "${1:-}" = apply ]; then
	[ -r "${2:-}" ] || exit 0
	REASON=$(sed -n 's/^REASON=\([a-z]*\)$/\1/p' "$2")
	SUBNETS=$(sed -n 's/^SUBNETS=\([0-9a-zA-Z_.:=\/ -]*\)$/\1/p' "$2")
	OLD_PREFIX=$(sed -n 's/^OLD_PREFIX=\([0-9a-fA-F:\/]*\)$/\1/p' "$2")
fi

case "${REASON:-}" in
bound|changed) ;;
*) exit 0 ;;
esac

if [ "$(id -u)" != 0 ]; then
	umask 022
	tmp=$(mktemp "$HANDOFF.XXXXXX") || { log "cannot write $HANDOFF"; exit 1; }
	printf 'REASON=%s\nSUBNETS=%s\nOLD_PREFIX=%s\n' "$REASON" "${SUBNETS:-}" "${OLD_PREFIX:-}" >"$tmp"
	mv "$tmp" "$HANDOFF"
	exit 0
fi

cidr=
for s in ${SUBNETS:-}; do
	case "$s" in
	"$BRIDGE="*) cidr=${s#"$BRIDGE="} ;;
	esac
done
if [ -z "$cidr" ]; then
	log "$REASON: no subnet for $BRIDGE in SUBNETS='${SUBNETS:-}': add 'iface $BRIDGE' to the dhcp6-pd block"
	exit 0
fi
case "$cidr" in
*[!0-9a-fA-F:/]*) log "refusing odd subnet '$cidr'"; exit 1 ;;
esac

dir=$(dirname "$DAEMON_JSON")
mkdir -p "$dir"
tmp=$(mktemp "$DAEMON_JSON.XXXXXX")
trap 'rm -f "$tmp"' EXIT

# An absent or empty file (or just {}) becomes a new object.
if [ ! -s "$DAEMON_JSON" ] || ! grep -q '[^[:space:]{}]' "$DAEMON_JSON"; then
	printf '{\n  "ipv6": true,\n  "fixed-cidr-v6": "%s"\n}\n' "$cidr" > "$tmp"
else
	cp "$DAEMON_JSON" "$tmp"
	if grep -q '"fixed-cidr-v6"' "$tmp"; then
		sed -i -E 's|("fixed-cidr-v6"[[:space:]]*:[[:space:]]*")[^"]*"|\1'"$cidr"'"|' "$tmp"
	else
		# after the object's opening brace: a new first member
		sed -i -E '0,/\{/s|\{|{\n  "fixed-cidr-v6": "'"$cidr"'",|' "$tmp"
	fi
	if grep -q '"ipv6"' "$tmp"; then
		sed -i -E 's|("ipv6"[[:space:]]*:[[:space:]]*)false|\1true|' "$tmp"
	else
		sed -i -E '0,/\{/s|\{|{\n  "ipv6": true,|' "$tmp"
	fi
fi

if cmp -s "$tmp" "$DAEMON_JSON"; then
	exit 0 # already pointing there: no restart
fi
chmod 0644 "$tmp"
mv "$tmp" "$DAEMON_JSON"
trap - EXIT
log "$REASON: fixed-cidr-v6 $cidr (was ${OLD_PREFIX:-none}); $RESTART"
$RESTART
