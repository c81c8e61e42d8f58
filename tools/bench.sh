#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh bench|profile|series: `make bench` and its relatives, on the lean
# kernel. Rates under TCG mean little; ratios measured side by side do.
#
#   bench    rustfs_bench in one boot: rustfs, tmpfs and ext4 on a RAM disk,
#            BENCH_REPS runs of each row (default 3), and the concurrency
#            rows; BENCH_ARGS adds arguments (-o noprime_dcache, say). The
#            table in $LOGDIR/bench-lean.txt, every run in
#            $LOGDIR/bench-lean.csv
#   profile  rustfs_bench BENCH_ARGS (default: rustfs, one run) under
#            `perf record`, and the top of `perf report`
#   series   the tmpfs rows on 7.3.y with the series and without it, the
#            same config and neither with the rust/ overlay, BENCH_BOOTS
#            boots of each (default 2), alternating; prints
#            patched/unpatched with the spread. With SERIES=lift: the
#            tmpfs and ext4 rows on the lifted series against the prepared
#            one, on the lean kernels `make bench` boots (the rust/ overlay
#            in both)
#
# The guest gets mkfs.ext4 and perf from Debian's packages, in a second
# initramfs archive appended to make check's (the kernel unpacks both).

. "$(dirname "$0")/lib.sh"

tools=$TOP/tools
export PROFILE=lean
O=$KBUILD/$PROFILE
REPS=${BENCH_REPS:-3}
[[ $REPS =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPS=$REPS is not a number"
# The ext4 image and three copies of the data at once.
export VM_MEM=${VM_MEM:-3G}
export VM_TIMEOUT=${VM_TIMEOUT:-5400}
lock_cache

# The guest's tools, with the libraries they link, appended to make
# check's initramfs as $O/initramfs-bench.cpio.
bench_initramfs() {
	local r=$O/initramfs-bench key
	key="$(sha256sum <"$O/initramfs.cpio" | cut -c1-16) $(hash_paths "$0")"
	if [ "$key" = "$(cat "$r.key" 2>/dev/null)" ] && [ -f "$r.cpio" ]; then
		return
	fi
	if ! in_chroot sh -c 'command -v perf && command -v mke2fs' >/dev/null; then
		phase "bench: installing perf and e2fsprogs in the chroot"
		run_logged bench-apt in_chroot sh -c 'DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends linux-perf e2fsprogs ||
			{ apt-get update && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends linux-perf e2fsprogs; }'
	fi
	phase "bench: initramfs with mkfs.ext4 and perf"
	rm -rf "$r" "$r.cpio"
	mkdir -p "$r"
	# Each program and the closure of its libraries, at their paths.
	in_chroot sh -ec "cd $(cpath "$r")
		for p in /usr/bin/perf /usr/sbin/mke2fs /etc/mke2fs.conf; do
			f=\$(readlink -f \$p)
			mkdir -p .\$(dirname \$p)
			cp \$f .\$p
			[ \${p#/etc} = \$p ] || continue
			ldd \$f | awk '/=>/ { print \$3 } /^[[:space:]]*\\// { print \$1 }' |
			while read -r l; do
				mkdir -p .\$(dirname \$l)
				[ -e .\$l ] || cp \$(readlink -f \$l) .\$l
			done
		done
		ln -s mke2fs usr/sbin/mkfs.ext4
		find . | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 >../extra.cpio"
	cat "$O/initramfs.cpio" "$O/extra.cpio" >"$r.cpio"
	rm -f "$O/extra.cpio"
	echo "$key" >"$r.key"
}

# boot LABEL KERNEL ARGS...: rustfs_bench ARGS in the guest, through the VM
# test `bench`; leaves its output in $LOGDIR/vm-LABEL-check.tap.
boot() {
	local label=$1 kernel=$2 tests="bench"
	shift 2
	# Only make check's kernel has the bindings rustfs needs.
	[ "$label" != "$PROFILE" ] || tests="insmod bench rmmod"
	local args="$*"
	VM_LABEL=$label VM_KERNEL=$kernel VM_INITRD=$O/initramfs-bench.cpio \
		VM_APPEND="${VM_APPEND:-} rustfs.bench=${args// /,} rustfs.timeout=$((VM_TIMEOUT - 60))" \
		"$tools/vm.sh" "$PROFILE" check "$tests"
	grep -qE '^ok [0-9]+ bench$' "$LOGDIR/vm-$label-check.tap" ||
		die "the benchmark did not finish; see $LOGDIR/vm-$label-check.tap"
}

bench() {
	local out=$LOGDIR/bench-$PROFILE
	# shellcheck disable=SC2086 # a space-separated list
	boot "$PROFILE" "$O/arch/x86/boot/bzImage" -r "$REPS" -4 ${BENCH_ARGS:-}
	sed -n 's/^# bench: \?//p' "$LOGDIR/vm-$PROFILE-check.tap" | tee "$out.txt"
	{
		echo "row,fs,run,seconds,count"
		sed -n 's/^# bench-csv: //p' "$LOGDIR/vm-$PROFILE-check.tap"
	} >"$out.csv"
	phase "bench: the table in $out.txt, every run in $out.csv"
}

profile() {
	local args=${BENCH_ARGS:--f rustfs -r 1}
	VM_APPEND="rustfs.perf=1" boot "$PROFILE" "$O/arch/x86/boot/bzImage" "$args"
	# llvm-cxxfilt reads Rust's v0 symbols, which this perf does not.
	sed -n 's/^# perf: \?//p' "$LOGDIR/vm-$PROFILE-check.tap" | in_chroot llvm-cxxfilt |
		tee "$LOGDIR/bench-profile.txt"
	phase "bench: profile of 'rustfs_bench $args' in $LOGDIR/bench-profile.txt"
}

# A tree of 7.3.y with the first UPTO patches of the series and without the
# rust/ overlay, and its lean build, in $CACHE/NAME: the series is then the
# only difference between the two kernels make bench-series compares (the
# overlay's code alone moves the kernel's layout, which TCG feels).
plain() {
	mkdir -p "$CACHE/$1"
	RUSTFS_TREE=$CACHE/$1/linux RUSTFS_OBJ=$CACHE/$1/obj-lean SERIES_UPTO=$2 \
		NO_OVERLAY=1 CONFIG_ALLOW_UNKNOWN=1 "$tools/kernel.sh" all "$PROFILE"
}

series() {
	local boots=${BENCH_BOOTS:-2} i k f fs=tmpfs out=$LOGDIR/bench-series
	local -a kernels
	local -A image
	[[ $boots =~ ^[1-9][0-9]*$ ]] || die "BENCH_BOOTS=$boots is not a number"
	if [ "$SERIES" = lift ]; then
		# The cost of the lifted series where it adds work (an update
		# looks its name up before it locks the directory) on the file
		# systems users run, against the series it stacks on.
		SERIES='' "$tools/kernel.sh" all "$PROFILE"
		kernels=(lifted prepared)
		image[lifted]=$O/arch/x86/boot/bzImage
		image[prepared]=$CACHE/build/$PROFILE/arch/x86/boot/bzImage
		# The guest turns rustfs.bench='s commas into spaces: no
		# comma in the list, which rustfs_bench matches by name.
		fs=tmpfs+ext4
	else
		plain patched ""
		plain vanilla 0
		kernels=(patched vanilla)
		image[patched]=$CACHE/patched/obj-lean/arch/x86/boot/bzImage
		image[vanilla]=$CACHE/vanilla/obj-lean/arch/x86/boot/bzImage
	fi
	: >"$out.csv"
	for i in $(seq 1 "$boots"); do
		for k in "${kernels[@]}"; do
			boot "$k-lean" "${image[$k]}" -f "$fs" -r "$REPS"
			for f in ${fs//+/ }; do
				grep -q "^# bench-csv: [^,]*,$f" "$LOGDIR/vm-$k-lean-check.tap" ||
					die "no $f rows from the $k kernel; see $LOGDIR/vm-$k-lean-check.tap"
			done
			sed -n "s/^# bench-csv: \\([^,]*\\),\\([^,]*\\),\\([0-9]*\\),\\([^,]*\\),\\(.*\\)/\\1 (\\2),$k,$i.\\3,\\4,\\5/p" \
				"$LOGDIR/vm-$k-lean-check.tap" >>"$out.csv"
		done
	done
	# Per row: the median rate of each kernel over all its runs, their
	# ratio, and each kernel's own spread, the noise the ratio must beat.
	awk -F, -v k0="${kernels[0]}" -v k1="${kernels[1]}" '
		function med(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		{
			if (!($1 in seen)) { seen[$1] = 1; order[++rows] = $1 }
			k = $1 SUBSEP $2
			v[k, ++n[k]] = $5 / $4
		}
		END {
			printf "%-36s %12s %12s %8s %14s %14s\n", "row", k0, k1, "ratio",
				k0 " ±", k1 " ±"
			for (r = 1; r <= rows; r++) {
				for (x = 0; x < 2; x++) {
					kk = order[r] SUBSEP (x ? k1 : k0)
					delete a
					for (i = 1; i <= n[kk]; i++) a[i] = v[kk, i]
					m[x] = med(a, n[kk])
					s[x] = m[x] > 0 ? (a[n[kk]] - a[1]) / 2 / m[x] * 100 : 0
				}
				# Parenthesised: a bare ">" in printf is a redirection.
				printf "%-36s %12.0f %12.0f %8.3f %13.1f%% %13.1f%%\n", order[r], m[0],
					m[1], (m[1] > 0 ? m[0] / m[1] : 0), s[0], s[1]
			}
		}' "$out.csv" | tee "$out.txt"
	phase "bench-series: $boots boots of each kernel, $REPS runs each; ratio is ${kernels[0]}/${kernels[1]}, ± half the range over all runs ($out.txt, $out.csv)"
}

PROFILE=lean "$tools/check.sh" prepare
bench_initramfs
case ${1:-} in
bench) bench ;;
profile) profile ;;
series) series ;;
*) die "usage: bench.sh bench|profile|series" ;;
esac
