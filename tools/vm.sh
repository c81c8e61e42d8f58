#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# vm.sh PROFILE MODE [TESTS]: boot the PROFILE kernel in QEMU with the
# rustfs initramfs and run MODE (check, demo, shell) in the guest.
#
# The serial console is kept in $LOGDIR/vm-PROFILE-MODE.console and the
# guest's TAP stream (its second serial port) in $LOGDIR/vm-PROFILE-MODE.tap.
# Every run is bounded by VM_TIMEOUT seconds.

. "$(dirname "$0")/lib.sh"
lock_cache

PROFILE=${1:?profile}
MODE=${2:?mode}
TESTS=${3:-}
O=$KBUILD/$PROFILE
# kselftest-baseline.sh boots an unpatched kernel with the same initramfs,
# and keeps its logs apart.
KERNEL=${VM_KERNEL:-$O/arch/x86/boot/bzImage}
# fstests.sh boots its own guest root, and takes its results from a third
# serial port.
INITRD=${VM_INITRD:-$O/initramfs.cpio}
RESULTS=${VM_RESULTS:-}
LABEL=${VM_LABEL:-$PROFILE}
VM_TIMEOUT=${VM_TIMEOUT:-1800}
VM_MEM=${VM_MEM:-2G}
VM_SMP=${VM_SMP:-2}
VM_CPU=${VM_CPU:-max}

[ -f "$KERNEL" ] || die "no kernel at $KERNEL; run 'make kernel'"
[ -f "$INITRD" ] || die "no initramfs at $INITRD; run 'make'"

# qemu [TIMEOUT] QEMU-ARGS...: QEMU in the chroot, killed after TIMEOUT s.
qemu() {
	local t=$1
	shift
	# --foreground: QEMU stays in our process group, so Ctrl-C or a CI
	# SIGTERM reaches it, and the interactive shell keeps the terminal.
	timeout --foreground -k 5 "$t" "$TOP/tools/in-chroot" qemu-system-x86_64 \
		-nodefaults -no-reboot -display none \
		-m "$VM_MEM" -smp "$VM_SMP" -cpu "$VM_CPU" \
		-kernel "$(cpath "$KERNEL")" -initrd "$(cpath "$INITRD")" "$@"
}

# KVM here may be PVM (kvm_pvm), which cannot run a normal guest: QEMU
# sits in SeaBIOS forever.  Use KVM only if a bounded probe boot reaches
# userspace; remember the answer per kernel.
accel() {
	local f=$CACHE/accel
	if [ -n "${VM_ACCEL:-}" ]; then
		echo "$VM_ACCEL"
	elif [ ! -w /dev/kvm ] || [ -d /sys/module/kvm_pvm ]; then
		echo tcg
	elif [ -f "$f" ] && [ "$(head -n1 "$f")" = "$(uname -r)" ]; then
		tail -n1 "$f"
	else
		local a=tcg
		qemu 20 -accel kvm -serial stdio \
			-append 'console=ttyS0 rustfs.mode=probe panic=-1 kunit.enable=0' \
			</dev/null >"$LOGDIR/kvm-probe.console" 2>&1 || true
		if grep -q 'rustfs-vm: booted' "$LOGDIR/kvm-probe.console"; then
			a=kvm
		fi
		printf '%s\n%s\n' "$(uname -r)" "$a" >"$f"
		echo "$a"
	fi
}

main() {
	local acc log tap append rc res=()
	acc=$(accel)
	[ "$acc" = tcg ] && acc=tcg,thread=multi
	log=$LOGDIR/vm-$LABEL-$MODE.console
	tap=$LOGDIR/vm-$LABEL-$MODE.tap
	: >"$tap"
	if [ -n "$RESULTS" ]; then
		: >"$RESULTS"
		res=(-serial file:"$(cpath "$RESULTS")")
	fi
	# no5lvl: on an LA57 guest (TCG's -cpu max has it), identify_cpu()
	# briefly zeroes boot_cpu_data's capabilities, so an interrupt in that
	# window sees pgtable_l5_enabled() false and KASAN reports a bogus
	# "wild-memory-access" at boot (seen in 1 boot of 6).  Four-level
	# paging avoids the window; nothing here needs five.  (The decompressor
	# reads no5lvl, so the kernel proper calls it "unknown": harmless.)
	append="console=ttyS0 panic=-1 no5lvl rustfs.mode=$MODE rustfs.tests=${TESTS// /,}"
	# The KUnit suites (the Rust doctests among them) take about 15 s of
	# boot under TCG; skip them unless the kunit test asks for their results.
	if [ "$MODE" != check ] || [[ " $TESTS " != *" kunit "* ]]; then
		append+=" kunit.enable=0"
	fi
	append+=" ${VM_APPEND:-}"

	if [ "$MODE" = shell ]; then
		phase "vm: interactive shell ($acc); 'poweroff -f' to leave"
		qemu 86400 -accel "$acc" -serial mon:stdio -append "$append"
		return
	fi

	phase "vm: booting $LABEL kernel ($acc, $VM_SMP vCPUs, timeout ${VM_TIMEOUT}s)"
	set +e
	qemu "$VM_TIMEOUT" -accel "$acc" -serial stdio -serial file:"$(cpath "$tap")" "${res[@]}" \
		-append "$append" </dev/null 2>&1 | tee "$log" | if [ "${VERBOSE:-0}" = 1 ]; then cat; else
		grep --line-buffered -E '^(ok|not ok) |rustfs-vm:|^demo|^fstests:' || true; fi
	rc=${PIPESTATUS[0]}
	set -e
	# The guest's serial lines end in CRLF.
	sed -i 's/\r$//' "$log" "$tap" ${RESULTS:+"$RESULTS"}
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "--- last console lines ($log) ---"
		tail -n 15 "$log"
		die "the guest did not finish within ${VM_TIMEOUT}s (hung?); console: $log"
	fi
	grep -q '^rustfs-vm: done' "$log" || {
		echo "--- last console lines ($log) ---"
		tail -n 25 "$log"
		die "the guest stopped before finishing (panic or crash?); console: $log"
	}
}

main
