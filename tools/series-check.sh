#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# series-check.sh: every patch of patches/series, and of the lifted series
# stacked on it (patches/lift/series), builds on its own.
#
# In a second tree ($CACHE/series), apply the first N patches for N = 1,
# 2, ... and after each step compile every object the whole series touches
# and the other d_alloc_parallel() users (so that a patch breaking a later
# user shows), with a config that enables all of that code
# (tools/configs/series.config).  Steps whose inputs did not change since
# they last passed are skipped; objects are rebuilt incrementally.  Also
# runs checkpatch --strict on each patch.

. "$(dirname "$0")/lib.sh"

export RUSTFS_TREE=$CACHE/series/linux NO_OVERLAY=1 CONFIG_ALLOW_UNKNOWN=1
# Both series, in kernel.sh's order; the logs stay with the default ones.
export SERIES=lift RUSTFS_LOGDIR=$LOGDIR
JOBS=${JOBS:-$(nproc)}
O=$CACHE/series/obj
PASSED=$CACHE/series/passed

mapfile -t patches < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series"
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's|^|lift/|' "$TOP/patches/lift/series")
[ "${#patches[@]}" -gt 0 ] || die "patches/series is empty"

# The other callers of d_alloc_parallel(), which the series changes only
# through dcache.h.
USERS="fs/afs/dir_silly.o fs/fuse/readdir.o fs/smb/client/readdir.o fs/proc/base.o"

# Objects of every .c file the series touches (new ones included), and USERS.
objects() {
	local p
	for p in "${patches[@]}"; do
		sed -n 's|^+++ b/\(.*\)\.c$|\1.o|p' "$TOP/patches/$p"
	done | grep -v '^fs/tests/' | cat - <(echo "$USERS" | tr ' ' '\n') | LC_ALL=C sort -u
}

lock_cache
"$TOP/tools/toolchain.sh"
mkdir -p "$PASSED"
objs=$(objects)
phase "series-check: ${#patches[@]} patches; objects: $(echo "$objs" | tr '\n' ' ')"
fail=0
for i in $(seq 1 "${#patches[@]}"); do
	p=${patches[$((i - 1))]}
	# A step is keyed by the patches up to it, the config and the objects.
	key=$(cd "$TOP/patches" && { cat "${patches[@]:0:$i}" ../tools/configs/series.config
		echo "$objs"; } | sha256sum | cut -c1-16)
	if [ -e "$PASSED/$i-$key" ]; then
		phase "[$i/${#patches[@]}] $p: passed before"
		continue
	fi
	SERIES_UPTO=$i "$TOP/tools/kernel.sh" config series >/dev/null
	# shellcheck disable=SC2086 # one word per object
	if ! in_chroot make -C "$(cpath "$RUSTFS_TREE")" O="$(cpath "$O")" LLVM=1 \
		ARCH=x86_64 -j"$JOBS" $objs >"$LOGDIR/series-$i.log" 2>&1; then
		tail -n 20 "$LOGDIR/series-$i.log"
		phase "[$i/${#patches[@]}] $p: BUILD FAILED (log: $LOGDIR/series-$i.log)"
		fail=1
		break
	fi
	if grep -E -- '(warning|error):' "$LOGDIR/series-$i.log"; then
		phase "[$i/${#patches[@]}] $p: compiler warnings (log: $LOGDIR/series-$i.log)"
		fail=1
		break
	fi
	if ! in_chroot sh -c "cd $(cpath "$RUSTFS_TREE") && scripts/checkpatch.pl --strict -q \
		$(cpath "$TOP/patches/$p")"; then
		phase "[$i/${#patches[@]}] $p: checkpatch"
		fail=1
		continue
	fi
	touch "$PASSED/$i-$key"
	phase "[$i/${#patches[@]}] $p: builds, checkpatch clean"
done
[ "$fail" = 0 ] || die "series-check failed"
phase "series-check: every patch builds on its own and is checkpatch-clean"
