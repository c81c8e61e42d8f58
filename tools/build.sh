#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh PHASE PROFILE: what goes into the VM, built against the PROFILE
# kernel in $CACHE/build/PROFILE ($CACHE/lift/build/PROFILE with SERIES=lift).
#
#   module      rust/rustfs/rustfs.ko, out of tree (M=, MO= keeps the
#               repository free of build products), the sample
#               samples/rust/rust_ramfs.ko and the test modules
#               tools/testing/rust/misuse/rustfs_misuse.ko and
#               tools/testing/lockdep/lift_lockdep.ko
#   compile-fail  tools/testing/rust/compile-fail: each case must fail to
#               compile with the error it names, and pass.rs must build
#   selftests   tools/testing/selftests/filesystems/rustfs, through the
#               kernel's kselftest lib.mk, statically linked; and installed
#               with the kernel's own runner (run_kselftest.sh)
#   kselftests  the kernel's own selftests of tools/testing/vm/kselftests.list
#   initramfs   busybox, /init, the module, the tests
#   all         all four

. "$(dirname "$0")/lib.sh"
lock_cache

PROFILE=${2:?profile}
O=$KBUILD/$PROFILE
TREE=$KTREE
ST=tools/testing/selftests/filesystems/rustfs

[ -f "$O/.rustfs-config" ] || die "the $PROFILE kernel is not configured; run 'make kernel'"

MISUSE=tools/testing/rust/misuse/rustfs_misuse.ko
SAMPLE=samples/rust/rust_ramfs.ko
LOCKDEP=tools/testing/lockdep/lift_lockdep.ko
do_module() {
	local key
	phase "module: rustfs.ko against the $PROFILE kernel"
	# Clones share these objects and make judges by timestamps alone, so
	# start afresh whenever the sources differ from the last build's.
	key="$(hash_paths "$TOP/Kbuild" "$TOP/rust/rustfs" "$TOP/samples" "$TOP/tools/testing/rust/misuse" \
		"$TOP/tools/testing/lockdep")"
	key+=" $(cat "$O/.rustfs-build" 2>/dev/null)"
	if [ "$key" != "$(cat "$O/rustfs/.rustfs-module" 2>/dev/null)" ]; then
		rm -rf "$O/rustfs"
	fi
	run_logged "module-$PROFILE" in_chroot make -C "$(cpath "$TREE")" \
		O="$(cpath "$O")" M="$(cpath "$TOP")" MO="$(cpath "$O/rustfs")" \
		LLVM=1 ARCH=x86_64 CLIPPY=1 -j"$(nproc)" modules
	local w
	w=$(our_warnings "$LOGDIR/module-$PROFILE.log")
	if [ -n "$w" ]; then
		rm -rf "$O/rustfs"
		die "rustc/clippy warnings in rustfs (see $LOGDIR/module-$PROFILE.log):
$w"
	fi
	echo "$key" >"$O/rustfs/.rustfs-module"
	[ -f "$O/rustfs/rust/rustfs/rustfs.ko" ] || die "rustfs.ko was not built; see $LOGDIR/module-$PROFILE.log"
	[ -f "$O/rustfs/$MISUSE" ] || die "rustfs_misuse.ko was not built; see $LOGDIR/module-$PROFILE.log"
	[ -f "$O/rustfs/$SAMPLE" ] || die "rust_ramfs.ko was not built; see $LOGDIR/module-$PROFILE.log"
	[ -f "$O/rustfs/$LOCKDEP" ] || die "lift_lockdep.ko was not built; see $LOGDIR/module-$PROFILE.log"
}

do_compile_fail() {
	local src=$TOP/tools/testing/rust/compile-fail d=$O/compile-fail
	local key c n want log got others bad=0 cases=0
	key="$(hash_paths "$src") $(cat "$O/.rustfs-build" 2>/dev/null)"
	if [ "$key" = "$(cat "$d/.rustfs-stamp" 2>/dev/null)" ]; then
		phase "compile-fail: up to date"
		return
	fi
	phase "compile-fail: $(find "$src" -name '*.rs' | wc -l) cases against the $PROFILE kernel"
	rm -rf "$d"
	for c in "$src"/*.rs; do
		n=$(basename "$c" .rs)
		mkdir -p "$d/$n"
		cp "$c" "$d/$n/"
		echo "obj-m := $n.o" >"$d/$n/Kbuild"
		log=$d/$n.log
		in_chroot make -C "$(cpath "$TREE")" O="$(cpath "$O")" M="$(cpath "$d/$n")" \
			LLVM=1 ARCH=x86_64 modules >"$log" 2>&1 && got=built || got=failed
		# A case with no module!{} that rustc accepts still fails, in modpost.
		grep -q '^error' "$log" || got=built
		if [ "$n" = pass ]; then
			if [ "$got" != built ] || [ ! -f "$d/$n/$n.ko" ]; then
				die "compile-fail: the positive control pass.rs did not build, so no case can be judged; see $log"
			fi
			continue
		fi
		cases=$((cases + 1))
		want=$(sed -n 's,^// expect: ,,p' "$c")
		[ -n "$want" ] || die "compile-fail: $n.rs names no '// expect:' error"
		# The expected error, and no error of another kind.
		others=$(grep -o '^error\[E[0-9]*\]' "$log" | grep -vF "[$want]" | sort -u | xargs) || true
		if [ "$got" = built ]; then
			echo "compile-fail: $n: compiled, but must not ($want)" >&2
			bad=1
		elif [[ $want == E[0-9]* ]] && ! grep -qF "error[$want]" "$log"; then
			echo "compile-fail: $n: failed without $want: $(grep -m1 '^error' "$log")" >&2
			bad=1
		elif [[ $want != E[0-9]* ]] && ! grep -q "^error: $want" "$log"; then
			echo "compile-fail: $n: failed without \"$want\": $(grep -m1 '^error' "$log")" >&2
			bad=1
		elif [ -n "$others" ]; then
			echo "compile-fail: $n: failed with $others besides $want" >&2
			bad=1
		fi
	done
	[ "$bad" = 0 ] || die "compile-fail: some cases did not fail as they must; logs in $d"
	echo "$key" >"$d/.rustfs-stamp"
	phase "compile-fail: $cases cases failed as expected; the positive control built"
}

do_selftests() {
	phase "selftests: $ST"
	# The harness comes from the kernel tree, so build the tests there.
	mkdir -p "$TREE/$ST"
	in_chroot rsync -rc --delete "$(cpath "$TOP")/$ST/" "$(cpath "$TREE/$ST")/"
	rm -rf "$O/selftests"
	mkdir -p "$O/selftests"
	run_logged "selftests-$PROFILE" in_chroot make -C "$(cpath "$TREE/$ST")" \
		OUTPUT="$(cpath "$O/selftests")" LLVM=1 LDFLAGS=-static
	# As the kernel's runner finds them: with its settings file, for the
	# VM test kselftest-runner.
	rm -rf "$O/ksft-build" "$O/ksft-install"
	run_logged "selftests-install-$PROFILE" in_chroot make \
		-C "$(cpath "$TREE")/tools/testing/selftests" TARGETS=filesystems/rustfs \
		O="$(cpath "$O/ksft-build")" KSFT_INSTALL_PATH="$(cpath "$O/ksft-install")" \
		LLVM=1 LDFLAGS=-static install
}

# The kernel's own selftests of tools/testing/vm/kselftests.list, built from
# the patched tree, static, and without the sanitizers some of them ask for
# (ASan cannot link statically), the same for every kernel they run on.
KSFT_LIST=$TOP/tools/testing/vm/kselftests.list
do_kselftests() {
	local key dir prog
	key="$(cat "$TREE/.rustfs-tree") $(hash_paths "$KSFT_LIST" "$TOP/tools/testing/vm/ksft-short-soak.h")"
	key+=" $(cat "$CHROOT/.rustfs-stamp" 2>/dev/null)"
	if [ "$key" = "$(cat "$O/kselftests/.rustfs-key" 2>/dev/null)" ]; then
		phase "kselftests: up to date"
		return
	fi
	phase "kselftests: the kernel's own, for the code the series touches"
	rm -rf "$O/kselftests"
	: >"$LOGDIR/kselftests-$PROFILE.log"
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$KSFT_LIST" | while read -r dir prog opt; do
		local flags=-fno-sanitize=all
		[ "$opt" != short-soak ] ||
			flags+=" -include $(cpath "$TOP")/tools/testing/vm/ksft-short-soak.h"
		mkdir -p "$O/kselftests/$dir"
		in_chroot make -C "$(cpath "$TREE")/tools/testing/selftests/$dir" \
			OUTPUT="$(cpath "$O/kselftests/$dir")" LLVM=1 LDFLAGS=-static \
			USERCFLAGS="$flags" "$(cpath "$O/kselftests/$dir")/$prog" \
			>>"$LOGDIR/kselftests-$PROFILE.log" 2>&1 ||
			die "kselftest $dir/$prog does not build; see $LOGDIR/kselftests-$PROFILE.log"
	done
	echo "$key" >"$O/kselftests/.rustfs-key"
}

do_initramfs() {
	local r=$O/initramfs t
	phase "initramfs: busybox, init, rustfs.ko, tests"
	rm -rf "$r"
	mkdir -p "$r"/{bin,dev,proc,sys,tmp,mnt,lib/modules,tests}
	if use_host_tools; then
		cp "$(command -v busybox)" "$r/bin/busybox"
	else
		cp "$CHROOT/bin/busybox" "$r/bin/busybox"
	fi
	install -m 755 "$TOP/tools/testing/vm/init" "$r/init"
	install -m 644 "$O/rustfs/rust/rustfs/rustfs.ko" "$O/rustfs/$MISUSE" "$O/rustfs/$SAMPLE" \
		"$O/rustfs/$LOCKDEP" "$r/lib/modules/"
	install -m 755 "$TOP"/tools/testing/vm/tests/* "$TOP/tools/testing/vm/demo" "$r/tests/"
	for t in $(cd "$O/selftests" && ls); do
		[ -x "$O/selftests/$t" ] && install -m 755 "$O/selftests/$t" "$r/tests/"
	done
	cp -a "$O/ksft-install" "$r/ksft-install"
	# The runner's timeouts need coreutils' timeout: busybox's has no
	# --foreground. It is the one dynamically linked program here.
	local root=$CHROOT f
	use_host_tools && root=
	for f in /usr/bin/timeout /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2; do
		install -D -m 755 "$(readlink -f "$root$f")" "$r$f"
	done
	mkdir -p "$r/kselftests"
	install -m 644 "$KSFT_LIST" "$TOP/tools/testing/vm/kselftests.baseline" "$r/kselftests/"
	find "$O/kselftests" -type f -perm -u+x -exec install -m 755 {} "$r/kselftests/" \;
	in_chroot sh -c "cd $(cpath "$r") && find . | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 >$(cpath "$O/initramfs.cpio")"
	phase "initramfs: $(du -h "$O/initramfs.cpio" | cut -f1), tests: $(cd "$r/tests" && echo *)"
}

case ${1:-} in
module) do_module ;;
compile-fail) do_compile_fail ;;
selftests) do_selftests ;;
kselftests) do_kselftests ;;
initramfs) do_initramfs ;;
all)
	do_module
	do_compile_fail
	do_selftests
	do_kselftests
	do_initramfs
	;;
*) die "usage: build.sh module|compile-fail|selftests|kselftests|initramfs|all PROFILE" ;;
esac
