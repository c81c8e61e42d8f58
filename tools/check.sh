#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh lint|fmt|prepare|check|run|vm: the jobs behind the Makefile.
#
#   lint      fast checks: rustfmt, no `unsafe` in rust/rustfs/,
#             checkpatch --strict on patches/, shellcheck on the tools
#             (clippy runs with the builds: CLIPPY=1)
#   fmt       rustfmt the Rust sources with the kernel's configuration
#   prepare   toolchain, patched tree, kernel, module, tests, initramfs
#   check     lint + prepare (debug kernel) + the tests in the VM + summary
#   run       prepare + the scripted demo in the VM
#   vm        prepare + an interactive shell in the VM
#   bench     tools/bench.sh bench: rustfs beside tmpfs and ext4, lean kernel
#   soak      prepare + rustfs_soak for SOAK_SECONDS (default 600) in the VM
#   fstests   prepare + fstests from FSTESTS= on rustfs and tmpfs in the VM
#
# PROFILE=debug|lean picks the kernel (default: debug).
# TESTS="a b c" picks the tests (default: $DEFAULT_TESTS).

. "$(dirname "$0")/lib.sh"

# insmod/rmmod bracket the rustfs tests; lkdtm-warning is the expected-fail
# self-check of the splat detector, so it runs last.
DEFAULT_TESTS="nproc kunit tmpfs-smoke rust-ramfs ovl-tmpfs-whiteout ovl-impure-readdir kernel-selftests insmod rustfs_mount_test rustfs_ops_test rustfs_edge_test kselftest-runner rustfs_fault_test rustfs_race_test rustfs_par_test rustfs-soak rustfs-pressure ovl-rustfs rustfs-counters rmmod rustfs-misuse lkdtm-warning"
XFAIL_SPLAT="lkdtm-warning"
# The lifted series: lockdep must see the name locks while rustfs is
# loaded, and report a wait for a lookup under a directory lock.  That
# last, as lockdep reports only once.
if [ "$SERIES" = lift ]; then
	DEFAULT_TESTS=${DEFAULT_TESTS/ rmmod / lift-name-lock rmmod }
	DEFAULT_TESTS+=" lift-lockdep"
	XFAIL_SPLAT+=" lift-lockdep"
fi
# The fstests smoke subset runs on these (tools/testing/fstests/smoke).
FSTESTS_SMOKE_SECTIONS=${FSTESTS_SMOKE_SECTIONS:-rustfs}

tools=$TOP/tools

lint() {
	local n bad=0
	phase "lint: rustfmt, unsafe and bindings, checkpatch, shellcheck"
	if ! rustfmt_rust --check >"$LOGDIR/rustfmt.log" 2>&1; then
		head -n 40 "$LOGDIR/rustfmt.log"
		echo "  rustfmt: differences above (fix with 'make fmt')"
		bad=1
	fi
	# rustfs and the sample are clients of the bindings: no unsafe code, no
	# raw C.
	for w in unsafe bindings::; do
		n=$(grep -rn "\\<$w" "$TOP/rust/rustfs" "$TOP/samples/rust" --include='*.rs' |
			grep -v '^[^:]*:[0-9]*: *//' | tee "$LOGDIR/rustfs-${w%::}.log" | wc -l || true)
		echo "  $w in rust/rustfs/ and samples/rust/: $n"
		[ "$n" = 0 ] || { cat "$LOGDIR/rustfs-${w%::}.log"; bad=1; }
	done
	# Both series, whichever SERIES this run builds.
	{
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series"
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's|^|lift/|' "$TOP/patches/lift/series"
	} 2>/dev/null |
	while read -r f; do
		# A patch that passed once passes again with the same checkpatch.
		ok=$CACHE/checkpatch/$(cat "$TOP/patches/$f" "$KTREE/scripts/checkpatch.pl" \
			"$KTREE/scripts/spelling.txt" | sha256sum | cut -c1-16)
		[ -e "$ok" ] && continue
		in_chroot sh -c "cd $(cpath "$KTREE") && scripts/checkpatch.pl --strict -q \
			$(cpath "$TOP")/patches/$f" >"$LOGDIR/checkpatch.log" 2>&1 ||
			{ cat "$LOGDIR/checkpatch.log"; echo "  checkpatch: patches/$f"; exit 1; }
		mkdir -p "$CACHE/checkpatch" && touch "$ok"
	done || bad=1
	if ! in_chroot sh -c "cd $(cpath "$TOP") && shellcheck -x -P tools tools/*.sh tools/in-chroot \
		tools/testing/vm/init tools/testing/vm/tests/* tools/testing/vm/demo \
		tools/testing/fstests/guest-init .ci/run" >"$LOGDIR/shellcheck.log" 2>&1; then
		head -n 40 "$LOGDIR/shellcheck.log"
		bad=1
	fi
	[ "$bad" = 0 ] || die "lint failed"
	phase "lint: clean"
}

# rustfmt with the kernel's own configuration (--check, or in place).
# rust/kernel/fs.rs declares modules of the tree's that the overlay does not
# carry (file, kiocb), so it goes through standard input, where rustfmt
# leaves out-of-line modules alone.
rustfmt_rust() {
	in_chroot sh -c "cd $(cpath "$TOP") && rustfmt --edition 2021 --color never \
		--config-path $(cpath "$KTREE")/.rustfmt.toml $* \
		\$(find rust samples tools/testing/rust -name '*.rs' ! -path rust/kernel/fs.rs | sort) &&
		rustfmt --edition 2021 --color never --emit stdout \
			--config-path $(cpath "$KTREE")/.rustfmt.toml \
			<rust/kernel/fs.rs >/tmp/fs.rs.fmt &&
		if [ '$*' = --check ]; then
			diff -u rust/kernel/fs.rs /tmp/fs.rs.fmt
		else
			cmp -s rust/kernel/fs.rs /tmp/fs.rs.fmt || cat /tmp/fs.rs.fmt >rust/kernel/fs.rs
		fi"
}

prepare() {
	"$tools/toolchain.sh"
	"$tools/kernel.sh" all "$PROFILE"
	"$tools/build.sh" all "$PROFILE"
}

PROFILE=${PROFILE:-debug}
[ -f "$TOP/tools/configs/$PROFILE.config" ] ||
	die "unknown PROFILE=$PROFILE (have: $(cd "$TOP/tools/configs" && echo *.config))"
lock_cache
detect_host_tools
case ${1:-} in
lint)
	"$tools/toolchain.sh"
	"$tools/kernel.sh" tree
	lint
	;;
prepare) prepare ;;
fmt)
	"$tools/kernel.sh" tree
	rustfmt_rust
	;;
check)
	[ -z "${FSTESTS:-}" ] || [ -e "$FSTESTS" ] || die "FSTESTS=$FSTESTS does not exist"
	"$tools/toolchain.sh"
	"$tools/kernel.sh" tree
	lint
	prepare
	xfail=
	[ -n "${TESTS:-}" ] || xfail=$XFAIL_SPLAT
	"$tools/vm.sh" "$PROFILE" check "${TESTS:-$DEFAULT_TESTS}"
	rc=0
	sum=$LOGDIR/check-summary.txt
	# shellcheck disable=SC2086
	STRICT=${xfail:+1} "$tools/report.sh" "$LOGDIR/vm-$PROFILE-check.console" \
		"$LOGDIR/vm-$PROFILE-check.tap" $xfail | tee "$sum" || rc=1
	# With an fstests checkout, the smoke subset too (not with TESTS=).
	# The lifted series changes every lookup: there it runs on tmpfs and
	# ext4 too, and on overlayfs over tmpfs ("SECTIONS|ARGS" per boot).
	if [ -n "${FSTESTS:-}" ] && [ -z "${TESTS:-}" ]; then
		smoke=$(sed -e 's/#.*//' "$TOP/tools/testing/fstests/smoke" | xargs)
		runs=("$FSTESTS_SMOKE_SECTIONS|")
		[ "$SERIES" != lift ] ||
			runs=("$FSTESTS_SMOKE_SECTIONS tmpfs ext4|" "tmpfs|-overlay")
		for r in "${runs[@]}"; do
			secs=${r%|*}
			ov=${r#*|}
			# 600 s for each section before its last chunk starts.
			FSTESTS_SECTIONS=$secs FSTESTS_DEADLINE=$((600 * $(wc -w <<<"$secs"))) \
				FSTESTS_TEST_TIMEOUT=150 FSTESTS_FRESH=1 FSTESTS_STRICT=1 \
				FSTESTS_ARGS="${ov:+$ov }$smoke" \
				"$tools/fstests.sh" all "$PROFILE" | tee -a "$sum" || rc=1
		done
		# One closing line for both: the VM tests and the fstests.
		sed -nE 's/^([a-z]+: )?([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\2 \3 \4/p' "$sum" |
			awk '{ p += $1; f += $2; s += $3 }
				END { printf "check: %d passed, %d failed, %d skipped\n", p, f, s }'
	fi
	exit $rc
	;;
run)
	prepare
	"$tools/vm.sh" "$PROFILE" demo
	phase "done; the whole console is in $LOGDIR/vm-$PROFILE-demo.console"
	;;
vm)
	prepare
	"$tools/vm.sh" "$PROFILE" shell
	;;
bench)
	# Timings mean little on a debug kernel: bench.sh uses the lean one.
	exec "$tools/bench.sh" bench
	;;
soak)
	# rustfs_soak for SOAK_SECONDS (make check runs it for 30 s).
	SOAK_SECONDS=${SOAK_SECONDS:-600}
	[[ $SOAK_SECONDS =~ ^[1-9][0-9]*$ ]] || die "SOAK_SECONDS=$SOAK_SECONDS is not a number of seconds"
	prepare
	VM_APPEND="${VM_APPEND:-} rustfs.soak=$SOAK_SECONDS rustfs.timeout=$((SOAK_SECONDS * 2 + 300))" \
		VM_TIMEOUT=$((SOAK_SECONDS * 2 + 900)) \
		"$tools/vm.sh" "$PROFILE" check "insmod rustfs-soak rmmod"
	STRICT=1 "$tools/report.sh" "$LOGDIR/vm-$PROFILE-check.console" "$LOGDIR/vm-$PROFILE-check.tap"
	;;
fstests)
	[ -n "${FSTESTS:-}" ] || "$tools/fstests.sh" usage
	[ -e "$FSTESTS" ] || die "FSTESTS=$FSTESTS does not exist"
	prepare
	"$tools/fstests.sh" all "$PROFILE"
	;;
*) die "usage: check.sh lint|fmt|prepare|check|run|vm|bench|soak|fstests" ;;
esac
