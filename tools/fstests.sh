#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fstests.sh PHASE PROFILE: fstests (xfstests) on rustfs and tmpfs, in the VM.
#
#   guest   the Debian trixie guest root fstests runs in ($CACHE/guest)
#   build   the user's fstests (FSTESTS=, a checkout or a tarball), copied,
#           patched with tools/testing/fstests/series and built for the guest
#   run     boot the PROFILE kernel with the guest root, fstests and
#           rustfs.ko, run FSTESTS_ARGS on each of FSTESTS_SECTIONS, and
#           print the summary
#   all     the three
#
# Results are kept per test in $CACHE/fstests/results/KEY/, where KEY names
# the kernel, rustfs.ko, fstests and its configuration: a run that stops
# (FSTESTS_DEADLINE, a hang, Ctrl-C) resumes where it stopped when run again
# with the same key; FSTESTS_FRESH=1 starts afresh.

. "$(dirname "$0")/lib.sh"
lock_cache

PROFILE=${2:-${PROFILE:-debug}}
O=$KBUILD/$PROFILE
FT=$TOP/tools/testing/fstests
GUEST=$CACHE/guest
FSTESTS_SECTIONS=${FSTESTS_SECTIONS:-tmpfs rustfs}
FSTESTS_ARGS=${FSTESTS_ARGS:--g quick}
# No new test starts after this many seconds of a boot; the next run resumes.
FSTESTS_DEADLINE=${FSTESTS_DEADLINE:-36000}
# A chunk of N tests is killed after N times this many seconds; the test
# it was running counts as a timeout, a failure.
FSTESTS_TEST_TIMEOUT=${FSTESTS_TEST_TIMEOUT:-1800}
# Tests per ./check: its start costs half a minute under TCG.
FSTESTS_CHUNK=${FSTESTS_CHUNK:-10}
[[ $FSTESTS_CHUNK =~ ^[1-9][0-9]*$ ]] || die "FSTESTS_CHUNK=$FSTESTS_CHUNK is not a number of tests"

usage_fstests() {
	die "make fstests needs an fstests checkout: FSTESTS=/path/to/fstests (a directory or a .tar.* of one).
  Get one with:
      git clone git://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git fstests
  then: make fstests FSTESTS=\$PWD/fstests"
}

# Bump when do_guest makes a different root from the same package list.
GUEST_RECIPE=1

pkglist() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1" | tr '\n' ' '
}

# The guest root: debootstrap's minbase plus guest-packages, without the
# documentation and package lists nobody reads in a test VM, and with the
# users fstests' tests switch to.
do_guest() {
	local want m
	want=$(hash_paths "$FT/guest-packages")-$GUEST_RECIPE
	if [ "$want" = "$(cat "$GUEST/.rustfs-stamp" 2>/dev/null)" ]; then
		phase "fstests guest root is up to date ($GUEST)"
		return
	fi
	need_root "building the fstests guest root"
	m=$(debian_mirror)
	command -v debootstrap >/dev/null ||
		die "the fstests guest root needs debootstrap on the host (apt-get install debootstrap)"
	phase "fstests guest root: debootstrap trixie from $m, then guest-packages (about 1 min)"
	rm -rf "$GUEST"
	run_logged guest-debootstrap debootstrap --variant=minbase trixie "$GUEST" "$m"
	echo "deb $m trixie main" >"$GUEST/etc/apt/sources.list"
	run_logged guest-apt chroot_in "$GUEST" sh -ec "
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		apt-get install -y --no-install-recommends $(pkglist "$FT/guest-packages")
		apt-get clean
		rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/* /usr/share/info/*
		find /usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'C.*' -exec rm -rf {} +
		groupadd -f fsgqa
		useradd -m -g fsgqa fsgqa
		useradd -m fsgqa2
		useradd -m 123456-fsgqa
		echo rustfs-vm >/etc/hostname
	"
	echo "$want" >"$GUEST/.rustfs-stamp"
	phase "fstests guest root: $(du -sh "$GUEST" | cut -f1)"
}

# Bump when do_build builds differently from the same source.
BUILD_RECIPE=1

# The user's fstests, by commit (or by content, for a tarball or a tree
# that is not a git checkout), plus our patches and the toolchain.
SRC_KEY=

# A checkout owned by another user is still the user's own to read.
git_() {
	git -c safe.directory='*' "$@"
}

is_git() {
	[ -d "$1" ] && command -v git >/dev/null &&
		[ "$(git_ -C "$1" rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$1" && pwd -P)" ]
}

fstests_key() {
	local f=${FSTESTS:-}
	[ -n "$f" ] || usage_fstests
	[ -e "$f" ] || die "FSTESTS=$f does not exist"
	if is_git "$f"; then
		# The commit, the changes to tracked files, and the untracked
		# files that the copy takes.
		SRC_KEY=$(cd "$f" && { git_ rev-parse HEAD; git_ diff HEAD
			git_ ls-files -z --others --exclude-standard | xargs -0r sha256sum; } |
			sha256sum | cut -c1-16)
	elif [ -d "$f" ]; then
		[ -x "$f/check" ] || die "FSTESTS=$f is not an fstests tree (no ./check)"
		SRC_KEY=$(hash_paths "$f")
	else
		SRC_KEY=$(sha256sum <"$f" | cut -c1-16)
	fi
	# shellcheck disable=SC2046 # one path per line, no spaces
	SRC_KEY+="-$(hash_paths "$FT/series" $(patches)) $BUILD_RECIPE"
	SRC_KEY=$(echo "$SRC_KEY $(cat "$CHROOT/.rustfs-stamp" 2>/dev/null)" | sha256sum | cut -c1-16)
}

patches() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$FT/series" | sed "s|^|$FT/|"
}

# Copy the checkout (never touched itself), apply our patches, build.
do_build() {
	local b s p n=0
	fstests_key
	b=$CACHE/fstests/build-$SRC_KEY
	if [ -e "$b/.rustfs-built" ]; then
		phase "fstests: built ($b)"
		check_libs "$b/fstests"
		return
	fi
	phase "fstests: copying ${FSTESTS}"
	rm -rf "$b"
	mkdir -p "$b"
	s=$b/fstests
	if is_git "$FSTESTS"; then
		# What git tracks and what it does not ignore, as the work tree
		# has it (less what was deleted there): no build products.
		mkdir -p "$s"
		(cd "$FSTESTS" && git_ ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi
			done | xargs -0r cp --parents -a -t "$s") >"$LOGDIR/fstests-copy.log" 2>&1 || {
			cat "$LOGDIR/fstests-copy.log"
			die "cannot copy the fstests checkout $FSTESTS"
		}
	elif [ -d "$FSTESTS" ]; then
		cp -a "$FSTESTS" "$s"
		rm -rf "$s/.git"
	else
		mkdir -p "$b/x"
		tar -C "$b/x" -xf "$FSTESTS" || die "FSTESTS=$FSTESTS is neither a directory nor a tarball"
		p=$(dirname "$(find "$b/x" -maxdepth 2 -name check -type f | head -n1)")
		[ -x "$p/check" ] || die "no fstests tree (with ./check) in $FSTESTS"
		mv "$p" "$s"
		rm -rf "$b/x"
	fi
	for p in $(patches); do
		n=$((n + 1))
		in_chroot patch -d "$(cpath "$s")" -p1 --forward --batch --no-backup-if-mismatch \
			-s -i "$(cpath "$p")" >"$LOGDIR/fstests-patch.log" 2>&1 || {
			cat "$LOGDIR/fstests-patch.log"
			die "the rustfs patch $(basename "$p") (number $n in tools/testing/fstests/series) does not apply to this fstests ($FSTESTS); it needs a port to that version"
		}
	done
	phase "fstests: building (about 3 min; log: $LOGDIR/fstests-build.log)"
	run_logged fstests-build in_chroot make -C "$(cpath "$s")" -j"$(nproc)"
	touch "$b/.rustfs-built"
	check_libs "$s"
}

# check_libs TREE: every program of the fstests build TREE finds its
# libraries in the guest root; checked once per build and guest root.
check_libs() {
	local s=$1 missing ok
	ok=$(cat "$GUEST/.rustfs-stamp")
	[ "$ok" = "$(cat "$s/../.rustfs-libs" 2>/dev/null)" ] && return
	phase "fstests: checking that its programs find their libraries in the guest root"
	rm -rf "$GUEST/fstests.probe"
	cp -a "$s" "$GUEST/fstests.probe"
	# shellcheck disable=SC2016 # expanded in the guest root
	missing=$(chroot_in "$GUEST" sh -c 'find /fstests.probe/src /fstests.probe/ltp -type f -perm -u+x |
		while read -r f; do ldd "$f" 2>/dev/null | sed -n "s|^\t*\([^ ]*\) => not found|\1|p"; done |
		sort -u')
	rm -rf "$GUEST/fstests.probe"
	[ -z "$missing" ] || die "fstests programs need libraries the guest root lacks: $missing
  add their packages to tools/testing/fstests/guest-packages"
	echo "$ok" >"$s/../.rustfs-libs"
}

# The guest's initramfs: the root and fstests, packed once per pair
# (a few hundred MB, uncompressed: TCG decompresses slowly), and a small
# archive with what changes per run, which the kernel unpacks over it.
BASE_CPIO=
do_pack() {
	local b=$CACHE/fstests/build-$SRC_KEY key
	key=$(cat "$GUEST/.rustfs-stamp")
	# p2: the root keeps its owners (fstests' users own their homes).
	BASE_CPIO=$b/guest-$key-p2.cpio
	[ -f "$BASE_CPIO" ] && return
	phase "fstests: packing the guest root and fstests"
	rm -f "$b"/guest-*.cpio
	# Two archives concatenated: the root, with the owners debootstrap and
	# useradd gave (su to fsgqa needs its home), then fstests under
	# /fstests, root's.
	in_chroot sh -ec "
		cd $(cpath "$GUEST") && find . ! -name .rustfs-stamp | LC_ALL=C sort |
			cpio --quiet -o -H newc >$(cpath "$BASE_CPIO.tmp")
		cd $(cpath "$b") && find fstests -name .git -prune -o -name '*.o' -prune -o -print |
			LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 >>$(cpath "$BASE_CPIO.tmp")
	"
	mv "$BASE_CPIO.tmp" "$BASE_CPIO"
	phase "fstests: guest archive $(du -h "$BASE_CPIO" | cut -f1)"
}

# Each configuration section, with "-overlay" in FSTESTS_ARGS, is a run of
# its own: LABEL is SECTION or SECTION-overlay.
LABELS=
set_labels() {
	local s ov=
	[[ " $FSTESTS_ARGS " == *" -overlay "* ]] && ov=-overlay
	for s in $FSTESTS_SECTIONS; do
		grep -q "^\[$s\]" "$FT/local.config" ||
			die "no section [$s] in tools/testing/fstests/local.config (have: $(sed -n 's/^\[\(.*\)\]/\1/p' "$FT/local.config" | tr '\n' ' '))"
		LABELS+="$s$ov "
	done
	[ -n "$LABELS" ] || die "FSTESTS_SECTIONS is empty"
}

# The tests a label does not run: the entries ("test # reason" per line)
# of the expunge lists in tools/testing/fstests/expunge/ that it takes:
# its section's, the rustfs section's for a rustfs variant (rustfs_*), and
# with -overlay the -overlay list of each of those too.
expunged() {
	local s=${1%-overlay} ov=${1#"${1%-overlay}"} n names f
	names=$s
	[[ $s != rustfs_* ]] || names="rustfs $s"
	for n in $names; do
		for f in "$FT/expunge/$n" ${ov:+"$FT/expunge/$n$ov"}; do
			[ -f "$f" ] || continue
			sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$f" | awk '{print $1}'
		done
	done | sort -u
}

do_run() {
	local key res run plan l n
	fstests_key
	set_labels
	do_pack
	[ -f "$O/rustfs/rust/rustfs/rustfs.ko" ] || die "rustfs.ko is not built; run 'make'"
	key=$( {
		sha256sum <"$O/arch/x86/boot/bzImage"
		sha256sum <"$O/rustfs/rust/rustfs/rustfs.ko"
		echo "$SRC_KEY $PROFILE $FSTESTS_ARGS"
		hash_paths "$FT/local.config" "$FT/expunge"
	} | sha256sum | cut -c1-16)
	res=$CACHE/fstests/results/$PROFILE-$key
	[ "${FSTESTS_FRESH:-0}" = 1 ] && rm -rf "$res"
	mkdir -p "$res"
	# The logs point at the results of the last run.
	ln -sfn "$res" "$LOGDIR/fstests-$PROFILE"
	run=$CACHE/fstests/run
	rm -rf "$run"
	mkdir -p "$run/rustfs"
	install -m 755 "$FT/guest-init" "$run/init"
	install -m 644 "$FT/local.config" "$run/rustfs/local.config"
	install -m 644 "$O/rustfs/rust/rustfs/rustfs.ko" "$run/rustfs/"
	plan=$run/rustfs/plan
	{
		printf 'LABELS=%q\n' "$LABELS"
		printf 'ARGS=%q\n' "$FSTESTS_ARGS"
		printf 'DEADLINE=%q\n' "$FSTESTS_DEADLINE"
		printf 'TEST_TIMEOUT=%q\n' "$FSTESTS_TEST_TIMEOUT"
		printf 'CHUNK=%q\n' "$FSTESTS_CHUNK"
	} >"$plan"
	for l in $LABELS; do
		# Done before (resume) or expunged: not run.
		sort -u "$res/$l/done" >"$run/rustfs/done-$l" 2>/dev/null || : >"$run/rustfs/done-$l"
		expunged "$l" >"$run/rustfs/expunge-$l"
		# For the report, which tells expunged tests from unexplained ones.
		mkdir -p "$res/$l"
		cp "$run/rustfs/expunge-$l" "$res/$l/expunge-list"
	done
	in_chroot sh -c "cd $(cpath "$run") && find . | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 >$(cpath "$run.cpio")"
	cat "$BASE_CPIO" "$run.cpio" >"$run.initrd"
	rm -f "$run.cpio"

	phase "fstests: ${LABELS}with '$FSTESTS_ARGS' on the $PROFILE kernel (results: $res)"
	# Keep what finished, even when the run is interrupted: it resumes.
	# shellcheck disable=SC2064 # expanded now, on purpose
	trap "collect '$res' '$run/results.b64' '$LOGDIR/vm-$PROFILE-fstests-fstests'; exit 130" INT TERM
	set +e
	# The guest root is a 300 MB initramfs: unpacked asynchronously, it
	# keeps PID 1 waiting for it long enough, under TCG on a busy host, for
	# the hung-task detector to report it.  Unpacked by PID 1 itself, it
	# takes as long, but nothing waits.
	VM_APPEND="${VM_APPEND:-} initramfs_async=0" \
		VM_LABEL=$PROFILE-fstests VM_INITRD=$run.initrd VM_MEM=${VM_MEM:-4G} \
		VM_TIMEOUT=$((FSTESTS_DEADLINE + FSTESTS_CHUNK * FSTESTS_TEST_TIMEOUT + 600)) \
		VM_RESULTS=$run/results.b64 \
		"$TOP/tools/vm.sh" "$PROFILE" fstests
	n=$?
	set -e
	trap - INT TERM
	collect "$res" "$run/results.b64" "$LOGDIR/vm-$PROFILE-fstests-fstests"
	# shellcheck disable=SC2086 # a list of labels
	"$TOP/tools/fstests-report.sh" "$res" $LABELS || n=1
	rm -f "$run.initrd"
	return $n
}

# collect RES B64 LOG: unpack each test's results that the guest sent on
# its third serial port, note what it selected (LOG.tap), and add the
# kernel reports of LOG.console to RES/reports.
collect() {
	local res=$1 b64=$2 console=$3.console
	sed -n 's/^fstests: \([^ ]*\): \([0-9]*\) tests, \([0-9]*\) expunged$/\1 \2 \3/p' "$3.tap" |
		while read -r l n e; do
			mkdir -p "$res/$l"
			echo $((n - e)) >"$res/$l/selected"
			echo "$e" >"$res/$l/expunged"
		done
	[ -f "$b64" ] || return 0
	sed -i 's/\r$//' "$b64"
	awk -v res="$res" '
		/^@@@ status / { d = res "/" $3; system("mkdir -p " d)
			print $4 >> (d "/done"); print $4 "\t" $5 >> (d "/status"); next }
		/^@@@ begin / { d = res "/" $3; file = d "/.part"
			system("mkdir -p " d); printf "" > file; next }
		/^@@@ end/ && file != "" { close(file)
			system("base64 -d \"" file "\" </dev/null | tar -C \"" d "\" -xzf - && rm -f \"" file "\"")
			file = ""; next }
		file != "" { print >> file }
	' "$b64"
	# Kernel reports, attributed to "label:test" by the guest's markers.
	scan_reports "$console"
	cat "$console.splatlist" >>"$res/reports"
	[ -s "$console.splats" ] && cat "$console.splats" >>"$res/reports.full"
	true
}

case ${1:-} in
guest) do_guest ;;
build)
	do_guest
	do_build
	;;
run) do_run ;;
usage) usage_fstests ;;
all)
	do_guest
	do_build
	do_run
	;;
*) die "usage: fstests.sh guest|build|run|all PROFILE" ;;
esac
