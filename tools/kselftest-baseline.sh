#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kselftest-baseline.sh: record, in tools/testing/vm/kselftests.baseline,
# how the kernel selftests of tools/testing/vm/kselftests.list do on
# unpatched 7.3.y, so that make check can hold the patched kernel to it.
#
# It builds the same source with no patches and no rust/ overlay, with the
# debug profile's config, in a tree and object directory of its own
# ($CACHE/vanilla), and boots it with make check's initramfs, which holds
# the selftests built from the patched tree.  Run it once per base version;
# it takes as long as a debug kernel build (about 8 min here).

. "$(dirname "$0")/lib.sh"

tools=$TOP/tools
lock_cache
"$tools/toolchain.sh"
# make check's kernel, module and initramfs, with the selftests in it.
"$tools/kernel.sh" all debug
"$tools/build.sh" all debug
mkdir -p "$CACHE/vanilla"
RUSTFS_TREE=$CACHE/vanilla/linux RUSTFS_OBJ=$CACHE/vanilla/obj SERIES_UPTO=0 NO_OVERLAY=1 \
	CONFIG_ALLOW_UNKNOWN=1 "$tools/kernel.sh" all debug
VM_KERNEL=$CACHE/vanilla/obj/arch/x86/boot/bzImage VM_LABEL=vanilla VM_APPEND=rustfs.ksft_record \
	"$tools/vm.sh" debug check kernel-selftests
out=$TOP/tools/testing/vm/kselftests.baseline
{
	sed -n '/^#/p' "$out"
	sed -n 's/^# kselftest: [^ ]*\/\([^ ]*\) pass=\([0-9]*\) fail=\([0-9]*\) skip=\([0-9]*\).*/\1 \2 \3 \4/p' \
		"$LOGDIR/vm-vanilla-check.tap"
} >"$out.new"
[ "$(grep -vc '^#' "$out.new")" -gt 0 ] || die "no counts in $LOGDIR/vm-vanilla-check.tap"
mv "$out.new" "$out"
phase "baseline written to ${out#"$TOP"/}:"
grep -v '^#' "$out"
