#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh CONSOLE TAP [XFAIL_SPLAT...]: the one-screen summary of a VM run.
#
# Reads the guest's TAP stream and scans the kernel console for reports
# (WARNING, BUG, KASAN, lockdep, kmemleak, UBSAN, RCU stalls, hung tasks,
# Rust panics).  Each report is attributed to the test that was running
# (the guest logs "rustfs-vm: running NAME" through /dev/kmsg) and kept in
# CONSOLE.splats.  A test with a report fails.  The tests named in
# XFAIL_SPLAT are self-checks: each must show the report it provokes (the
# lines xfail_re matches), and fails if it has none or any other report.
# With STRICT=1 (the default test set) a skipped test or case fails too.
# Exits 0 only if every test passed and no report was found.

. "$(dirname "$0")/lib.sh"

CONSOLE=${1:?console log}
TAP=${2:?tap file}
shift 2
XFAIL=" $* "

# What each self-check provokes, and the only report it forgives.
xfail_re() {
	case $1 in
	lkdtm-warning) echo 'WARNING: .*lkdtm_WARNING' ;;
	lift-lockdep) echo 'WARNING: possible circular locking dependency detected|\*\*\* DEADLOCK \*\*\*' ;;
	*) echo '^$' ;;
	esac
}

scan_reports "$CONSOLE"

pass=0 fail=0 skip=0 xfail=0 nsplat=0 forgiven=0
declare -A splatted nreports caught
while IFS=$'\t' read -r t line; do
	nsplat=$((nsplat + 1))
	if [[ $XFAIL == *" $t "* ]] && [[ $line =~ $(xfail_re "$t") ]]; then
		[ -n "${caught[$t]:-}" ] || caught[$t]=$line
		forgiven=$((forgiven + 1))
		continue
	fi
	nreports[$t]=$((${nreports[$t]:-0} + 1))
	[ -n "${splatted[$t]:-}" ] || splatted[$t]=$line
done <"$CONSOLE.splatlist"

echo
echo "================ rustfs test summary ================"
while read -r line; do
	case $line in
	"ok "* | "not ok "*) ;;
	*) continue ;;
	esac
	name=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ ([^ #]+).*/\2/')
	res=PASS
	case $line in
	"not ok"*) res=FAIL ;;
	*"# SKIP"*) res=SKIP ;;
	esac
	note=${line#*# }
	[ "$note" = "$line" ] && note=
	if [[ $XFAIL == *" $name "* ]] && [ -z "${caught[$name]:-}" ]; then
		res=FAIL note="self-check: the splat detector missed the provoked report"
	elif [[ $XFAIL == *" $name "* ]] && [ -z "${splatted[$name]:-}" ]; then
		note="expected report caught: ${caught[$name]}"
		xfail=$((xfail + 1))
	fi
	if [ -n "${splatted[$name]:-}" ]; then
		res=FAIL note="${nreports[$name]} kernel report(s), first: ${splatted[$name]}"
	fi
	if [ "$res" = SKIP ] && [ -n "${STRICT:-}" ]; then
		res=FAIL note="skipped, which the default set does not allow: $note"
	fi
	case $res in
	PASS) pass=$((pass + 1)) ;;
	FAIL) fail=$((fail + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	esac
	printf '  %-4s %-28s %s\n' "$res" "$name" "$note"
done <"$TAP"

# Reports outside any test (boot, teardown) fail the run too.
for t in "${!splatted[@]}"; do
	grep -qE "^(not )?ok [0-9]+ $t( |\$)" "$TAP" && continue
	printf '  %-4s %-28s %s\n' FAIL "$t" "${nreports[$t]} kernel report(s), first: ${splatted[$t]}"
	fail=$((fail + 1))
done

planned=$(sed -n 's/^1\.\.//p' "$TAP" | head -n1)
ran=$(grep -cE '^(not )?ok ' "$TAP" || true)
if [ -z "$planned" ] || [ "$ran" -lt "$planned" ]; then
	echo "  FAIL the guest ran ${ran:-0} of ${planned:-?} planned tests"
	fail=$((fail + 1))
fi

ksft=$(grep -hoE '^# # Totals: .*' "$TAP" | awk '
	{ for (i = 1; i <= NF; i++) if (split($i, kv, ":") == 2) s[kv[1]] += kv[2] }
	END { if (NR) printf "kselftest cases: %d pass, %d fail, %d skip", s["pass"], s["fail"], s["skip"] }' ||
	true)
if [ -n "${STRICT:-}" ] && [[ $ksft == *" skip"* ]] && [[ $ksft != *" 0 skip" ]]; then
	echo "  FAIL kselftest cases were skipped, which the default set does not allow"
	fail=$((fail + 1))
fi
echo "-----------------------------------------------------"
[ -n "$ksft" ] && echo "  $ksft"
# What rustfs-counters printed: the counts of every instance the suite
# mounted.
counters=$(sed -n 's/^# counters: //p' "$TAP" | head -n1)
[ -n "$counters" ] && echo "$counters" | fold -s -w 70 | sed '1s/^/  rustfs counters: /; 1!s/^/    /'

echo "  kernel reports: $((nsplat - forgiven)) unexpected, $xfail expected (self-check)"
[ -s "$CONSOLE.splats" ] && echo "  reports kept in $CONSOLE.splats"
echo "  console: $CONSOLE"
echo "  elapsed: $(elapsed)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
