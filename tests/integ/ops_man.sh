#!/usr/bin/env bash
# The manual: islandd(8), islandctl(8) and islandd.conf(5) render without a
# single groff warning (the default set, which catches undefined macros, and
# -ww, everything else); --help and --version of both programs exit 0; every
# islandctl command in the program's table is in --help and in islandctl(8);
# every option --help lists is in the man page.
set -u
. "$(dirname "$0")/../lib/common.sh"
need_cmd man groff
run_dir_init
trap 'rm -rf "$ISL_RUN"' EXIT

BUILD=${BUILD:-build}
cd "$ISL_REPO" || die "no repository"
export MANWIDTH=80 LC_ALL=C.UTF-8

for page in man/islandd.8 man/islandctl.8 man/islandd.conf.5; do
	name=man_${page##*/}
	if [ ! -f "$page" ]; then
		not_ok "$name" "$page missing"
		continue
	fi
	err=$(man --warnings -l "$page" 2>&1 >/dev/null)
	check "${name}_no_macro_warnings" "man --warnings: $err" test -z "$err"
	err=$(man --warnings=w -l "$page" 2>&1 >/dev/null)
	check "${name}_no_warnings_at_all" "man --warnings=w: $err" test -z "$err"
	out=$(man -l "$page" 2>/dev/null)
	check "${name}_renders" "rendered to less than 20 lines" test "$(wc -l <<<"$out")" -ge 20
done

# prog_ok NAME CMD...: exits 0 with something on stdout, saved in $OUT
prog_ok() {
	local name=$1; shift
	OUT=$("$@" 2>&1)
	local rc=$?
	check "$name" "'$*' exit $rc: $(head -n 2 <<<"$OUT")" test "$rc" -eq 0 -a -n "$OUT"
}

for p in islandd islandctl; do
	if [ ! -x "$BUILD/$p" ]; then
		not_ok "help_$p" "$BUILD/$p not built (make)"
		continue
	fi
	prog_ok "${p}_version" "$BUILD/$p" --version
	want="$p $(sed -n 's/^VERSION *:= *//p' Makefile)"
	check "${p}_version_text" "--version said '$OUT', want '$want'" test "$OUT" = "$want"
	prog_ok "${p}_version_short" "$BUILD/$p" -V
	prog_ok "${p}_help" "$BUILD/$p" --help
	HELP=$OUT
	prog_ok "${p}_help_short" "$BUILD/$p" -h
	check "${p}_help_same" "-h and --help differ" test "$OUT" = "$HELP"
	# every option in --help ("-c FILE", "-h, --help") is in the man page
	MANTEXT=$(man -l "man/$p.8" 2>/dev/null)
	for opt in $(grep -oE '(^|[ ,\[])-[A-Za-z]\b|--[a-z][a-z-]+' <<<"$HELP" | tr -d ' ,[' | sort -u); do
		o=${opt#-}
		check "${p}_man_has_opt_${o#-}" "$opt is in --help but not in $p(8)" grep -qe "$opt\b" <<<"$MANTEXT"
	done
done

# islandd's subcommand
if [ -x "$BUILD/islandd" ]; then
	check islandd_help_check "islandd --help does not mention 'check'" grep -q 'islandd check' <<<"$("$BUILD/islandd" --help)"
	prog_ok islandd_check_help "$BUILD/islandd" check --help
fi

# islandctl's commands, as its own table declares them
CMDS=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", ".*/\1/p' src/islandctl.c)
check islandctl_commands_found "no command table in src/islandctl.c" test "$(wc -w <<<"$CMDS")" -ge 5
if [ -x "$BUILD/islandctl" ]; then
	HELP=$("$BUILD/islandctl" --help)
	MANTEXT=$(man -l man/islandctl.8 2>/dev/null)
	for c in $CMDS; do
		check "islandctl_help_has_$c" "'$c' not in islandctl --help" grep -qE "^  $c( |$)" <<<"$HELP"
		check "islandctl_man_has_$c" "'$c' not among the COMMANDS of islandctl(8)" \
			sh -c "sed -n '/^COMMANDS/,/^[A-Z]/p' | grep -qE '^       $c( |\$)'" <<<"$MANTEXT"
	done
	"$BUILD/islandctl" no-such-command >/dev/null 2>&1
	check islandctl_bad_command_exit2 "an unknown command should exit 2" test $? -eq 2
fi

test_status
