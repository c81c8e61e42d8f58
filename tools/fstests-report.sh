#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fstests-report.sh RESULTS LABEL...: the one-screen summary of fstests runs.
#
# RESULTS holds, per LABEL, "status" ("TEST<TAB>STATUS" per test run, the
# last line of a test winning), "selected" (how many tests the arguments
# select, less those expunged), "expunged" (how many), "expunge-list"
# (which) and each test's fstests results; and "reports", the kernel
# reports of all runs as "LABEL:TEST<TAB>line".
#
# Prints per label the tests passed, failed, not run, expunged and left,
# and the kernel reports; then, for each rustfs label, the tests that pass
# on its tmpfs counterpart but not on it, and the other way round.
# Exits 0 only if no kernel report was found, no test is left, and every
# test that failed on a rustfs label failed on tmpfs too (or tmpfs was not
# run, in which case any failure counts); with FSTESTS_STRICT=1 also only
# if every test ran.

. "$(dirname "$0")/lib.sh"

RES=${1:?results}
shift
bad=0

st() { # LABEL: the final status of each test
	[ -f "$RES/$1/status" ] || return 0
	awk -F'\t' '{ s[$1] = $2 } END { for (t in s) print t "\t" s[t] }' "$RES/$1/status" | sort
}
with() { # LABEL STATUS...: the tests with one of these statuses
	local l=$1
	shift
	st "$l" | awk -F'\t' -v want=" $* " 'index(want, " " $2 " ") { print $1 }'
}
count() { with "$@" | grep -c . || true; }

echo
echo "================ fstests summary ================"
printf '  %-24s %5s %5s %7s %8s %5s %8s\n' label pass fail "not run" expunged left reports
for l in "$@"; do
	sel=$(cat "$RES/$l/selected" 2>/dev/null || echo "?")
	p=$(count "$l" pass)
	f=$(count "$l" fail timeout)
	n=$(count "$l" notrun)
	e=$(cat "$RES/$l/expunged" 2>/dev/null || echo "?")
	left="?"
	[ "$sel" = "?" ] || left=$((sel - p - f - n))
	[ "$left" != "?" ] && [ "$left" -lt 0 ] && left=0
	r=$(grep -c "^$l:" "$RES/reports" 2>/dev/null || true)
	r=${r:-0}
	printf '  %-24s %5s %5s %7s %8s %5s %8s\n' "$l" "$p" "$f" "$n" "$e" "$left" "$r"
	[ "$left" = 0 ] || bad=1
	# The smoke subset allows no "not run": it would pass without testing.
	if [ -n "${FSTESTS_STRICT:-}" ] && { [ "$n" != 0 ] || [ "$p" = 0 ]; }; then
		echo "  $l: $n test(s) not run, $p passed: the smoke subset must run and pass"
		bad=1
	fi
done
echo "-------------------------------------------------"

for l in "$@"; do
	f=$(with "$l" fail timeout | tr '\n' ' ')
	[ -n "$f" ] && echo "  failed on $l: $f"
done

# rustfs against its tmpfs counterpart: tmpfs for rustfs*, tmpfs-overlay
# for rustfs*-overlay.
for l in "$@"; do
	case $l in rustfs*) ;; *) continue ;; esac
	ref=tmpfs
	[ "$l" = "${l%-overlay}" ] || ref=tmpfs-overlay
	if [[ " $* " != *" $ref "* ]]; then
		[ -z "$(with "$l" fail timeout)" ] || bad=1
		continue
	fi
	# Tests on the expunge list are not run on purpose, each with its
	# reason written next to it: they are listed apart.
	exp=$RES/$l/expunge-list
	[ -f "$exp" ] || exp=/dev/null
	only_ref=$(comm -23 <(with "$ref" pass) <(with "$l" pass) | comm -23 - "$exp" | tr '\n' ' ')
	expd=$(comm -23 <(with "$ref" pass) <(with "$l" pass) | comm -12 - "$exp" | tr '\n' ' ')
	only_l=$(comm -13 <(with "$ref" pass) <(with "$l" pass) | tr '\n' ' ')
	# A rustfs failure that tmpfs does not share fails the run.
	regress=$(comm -23 <(with "$l" fail timeout) <(with "$ref" fail timeout) | tr '\n' ' ')
	echo "  pass on $ref, not on $l: ${only_ref:-none}"
	echo "  pass on $l, not on $ref: ${only_l:-none}"
	[ -z "$expd" ] || echo "  pass on $ref, expunged on $l (reasons in tools/testing/fstests/expunge/): $expd"
	[ -z "$regress" ] || bad=1
done

# Reports outside any test (boot, the final kmemleak scan) count too.
[ ! -s "$RES/reports" ] || bad=1
if [ -s "$RES/reports" ]; then
	echo "  kernel reports (whole reports in $RES/reports.full):"
	cut -c1-150 "$RES/reports" | sed 's/^/    /' | head -n 20
fi
echo "  results of each test (.out.bad, .full, .dmesg, .check): $RES/LABEL/"
echo "  elapsed: $(elapsed)"
# The closing line: every test of every label, "not run" as skipped, and a
# run failed for another reason (a report, a test left) as one failure.
tp=0 tf=0 tn=0
for l in "$@"; do
	tp=$((tp + $(count "$l" pass)))
	tf=$((tf + $(count "$l" fail timeout)))
	tn=$((tn + $(count "$l" notrun)))
done
[ "$bad" = 0 ] || [ "$tf" != 0 ] || tf=1
echo "fstests: $tp passed, $tf failed, $tn skipped"
[ "$bad" = 0 ]
