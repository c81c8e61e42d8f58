# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Common helpers for the rustfs tools: paths, phase logging, errors and
# running commands inside the toolchain chroot.  Sourced, never executed.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${RUSTFS_CACHE:-/var/tmp/rustfs-cache}
# SERIES=lift stacks patches/lift/series on patches/series: the lifted
# design, with a kernel tree, objects and logs of its own.
SERIES=${SERIES:-}
# shellcheck disable=SC2034 # KTREE and KBUILD: for the scripts that source this
case $SERIES in
'')
	KTREE=$CACHE/linux
	KBUILD=$CACHE/build
	LOGDIR=${RUSTFS_LOGDIR:-$CACHE/logs}
	;;
lift)
	KTREE=$CACHE/lift/linux
	KBUILD=$CACHE/lift/build
	LOGDIR=${RUSTFS_LOGDIR:-$CACHE/logs/lift}
	;;
*)
	printf 'rustfs: error: unknown SERIES=%s (have: lift, or none)\n' "$SERIES" >&2
	exit 1
	;;
esac
export SERIES
CHROOT=$CACHE/chroot
# Where the repository and the cache appear inside the chroot.  Kernel
# objects record absolute paths, so these never change.
C_TOP=/rustfs/src
C_CACHE=/rustfs/cache

mkdir -p "$CACHE" "$LOGDIR"

T0=${RUSTFS_T0:-$(date +%s)}
export RUSTFS_T0=$T0

elapsed() {
	local s=$(($(date +%s) - T0))
	printf '%2d:%02d' $((s / 60)) $((s % 60))
}

# One line per phase, with the time since the top-level command started.
phase() {
	printf '[%s] %s\n' "$(elapsed)" "$*"
}

die() {
	printf 'rustfs: error: %s\n' "$*" >&2
	exit 1
}

# run_logged NAME CMD...: run CMD with its output in $LOGDIR/NAME.log.
# On failure, show the end of the log and where the whole log is.
run_logged() {
	local name=$1 log=$LOGDIR/$1.log
	shift
	if ! "$@" >"$log" 2>&1; then
		printf -- '--- last lines of %s ---\n' "$log" >&2
		tail -n 25 "$log" >&2
		die "$name failed; full log: $log"
	fi
}

# Content hash of files and directories (names and bytes), for cache keys.
hash_paths() {
	local p
	for p in "$@"; do
		if [ -d "$p" ]; then
			(cd "$p" && find . -type f -print0 | LC_ALL=C sort -z |
				xargs -0r sha256sum)
		elif [ -e "$p" ]; then
			# By content and repository-relative name, so that every
			# clone of the same commit shares the cache.
			echo "$(sha256sum <"$p" | cut -c1-64) ${p#"$TOP"/}"
		else
			echo "missing ${p#"$TOP"/}"
		fi
	done | sha256sum | cut -c1-16
}

# One run at a time per cache: runs share the trees, objects and logs.  The
# lock is on fd 9, which child scripts inherit; RUSTFS_LOCKED tells them that
# their parent holds it, so that every script can take it when run alone.
lock_cache() {
	[ "${RUSTFS_LOCKED:-}" = "$CACHE" ] && return
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	if ! flock -n 9; then
		phase "waiting for another run using $CACHE"
		flock 9
	fi
	export RUSTFS_LOCKED=$CACHE
}

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 needs root (it uses debootstrap, chroot and mounts); run as root or pass KDIR= with host tools"
}

# True when the host itself builds and boots everything, so no chroot is
# used: RUSTFS_HOST_TOOLS=1, or detect_host_tools found it can.
use_host_tools() {
	[ "${RUSTFS_HOST_TOOLS:-}" = 1 ]
}

# With KSRC= given and RUSTFS_HOST_TOOLS unset, use the host's tools if the
# tree passes `make LLVM=1 rustavailable` with them and the host has what the
# VM needs; the answer is exported to every later phase.
detect_host_tools() {
	[ -z "${RUSTFS_HOST_TOOLS:-}" ] && [ -n "${KSRC:-}" ] || return 0
	RUSTFS_HOST_TOOLS=0
	if command -v qemu-system-x86_64 rsync patch cpio busybox shellcheck >/dev/null &&
		make -s -C "$KSRC" LLVM=1 rustavailable >/dev/null 2>&1; then
		RUSTFS_HOST_TOOLS=1
		phase "toolchain: the host's tools pass rustavailable in $KSRC; no chroot"
	fi
	export RUSTFS_HOST_TOOLS
}

# in_chroot CMD...: run CMD in the toolchain chroot, with the repository at
# $C_TOP and the cache at $C_CACHE.  The mounts live in a private mount
# namespace, so they vanish with the command, even if it is killed.
# With IN_CHROOT_EXEC=1 the shell is replaced by CMD (through unshare, sh,
# chroot and env, which all exec), so that whoever waits for it, such as
# timeout(1), signals CMD itself and not a shell that would leave it behind.
in_chroot() {
	local ex=
	[ "${IN_CHROOT_EXEC:-}" = 1 ] && ex="exec"
	if use_host_tools; then
		$ex "$@"
		return
	fi
	[ -x "$CHROOT/usr/bin/rustc" ] || die "no toolchain chroot at $CHROOT; run 'make toolchain'"
	# shellcheck disable=SC2016 # expanded by the inner shell
	$ex unshare --mount --propagation private -- \
		/bin/sh -ec '
		c=$1; top=$2; cache=$3; ksrc=$4; shift 4
		mkdir -p "$c/rustfs/src" "$c/rustfs/cache"
		mount --bind "$top" "$c/rustfs/src"
		mount --bind "$cache" "$c/rustfs/cache"
		if [ -n "$ksrc" ]; then
			mkdir -p "$c/rustfs/ksrc"
			mount -o bind,ro "$ksrc" "$c/rustfs/ksrc"
		fi
		mount -t proc proc "$c/proc"
		mount --rbind /dev "$c/dev"
		mount -t tmpfs tmpfs "$c/tmp"
		exec chroot "$c" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
			TERM="${TERM:-dumb}" "$@"
	' sh "$CHROOT" "$TOP" "$CACHE" "${KSRC:-}" "$@"
}

# chroot_in DIR CMD...: CMD in the Debian root DIR, with /proc, /dev and
# the host's resolv.conf (for apt), in a private mount namespace.  For
# roots other than a ready toolchain chroot (see in_chroot).
chroot_in() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- /bin/sh -ec '
		c=$1; shift
		mount -t proc proc "$c/proc"
		mount --rbind /dev "$c/dev"
		cp /etc/resolv.conf "$c/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$c" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin "$@"
	' sh "$@"
}

# our_warnings LOG: rustc/clippy diagnostics in LOG that point into our own
# Rust (the rust/ overlay, rustfs, the misuse module); mainline code is not
# ours to lint.
our_warnings() {
	local re
	re=$(cd "$TOP" && find rust tools/testing/rust/misuse -name '*.rs' | sed 's/\./\\./g' | paste -sd'|')
	[ -n "$re" ] || return 0
	grep -B6 -A12 -E -- "--> [^ ]*($re):" "$1" || true
}

# The Debian mirror the host already uses, unless RUSTFS_MIRROR says otherwise.
debian_mirror() {
	local m=${RUSTFS_MIRROR:-}
	if [ -z "$m" ]; then
		m=$(grep -rhoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' \
			/etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
			awk '{print $2}' | head -n1 || true)
	fi
	[ -n "$m" ] || die "cannot tell which Debian mirror to use; set RUSTFS_MIRROR"
	echo "${m%/}"
}

# The kernel reports that fail a run: WARNING, BUG, KASAN, lockdep,
# kmemleak, UBSAN, RCU stalls, hung tasks, Rust panics.
SPLAT_RE='WARNING:|BUG:|KASAN:|UBSAN:|kernel BUG at|Oops|general protection fault|'
SPLAT_RE+='possible circular locking|DEADLOCK|INFO: trying to register non-static key|'
SPLAT_RE+='suspected memory leak|ODEBUG:|list_(add|del) corruption|'
SPLAT_RE+='rcu: INFO: .*detected stall|blocked for more than|printk messages dropped|'
SPLAT_RE+='panicked at|Kernel panic|rustfs: .*: check failed: '

# scan_reports CONSOLE: every report in the guest's console, one
# "TEST<TAB>line" per matching line in CONSOLE.splatlist, and the 40 lines
# from each in CONSOLE.splats.  TEST is what the guest last announced with
# "rustfs-vm: running TEST" through /dev/kmsg, or, after "rustfs-vm:
# running LABEL:...", LABEL:TEST from fstests' own "run fstests TEST at".
# Test output echoed on the console (TAP lines, "# " diagnostics, the
# "fstests: " lines) is not kernel output.
scan_reports() {
	: >"$1.splats"
	awk -v re="$SPLAT_RE" -v out="$1.splats" '
		/rustfs-vm: running / { sub(/.*rustfs-vm: running /, ""); test = $0; left = 0
			label = index(test, ":") ? substr(test, 1, index(test, ":")) : ""; next }
		/ run fstests [^ ]+ at / { sub(/.* run fstests /, ""); sub(/ at .*/, "")
			test = label $0; left = 0; next }
		/rustfs-vm: finishing/ { test = "(end of run: kmemleak scan)"; left = 0; next }
		/^(# |ok |not ok |fstests: )/ { next }
		$0 ~ re {
			print (test == "" ? "(boot)" : test) "\t" $0
			print "==== during " (test == "" ? "boot" : test) " ====" > out
			left = 40
		}
		left > 0 { print > out; left-- }
	' "$1" >"$1.splatlist"
}

# Translate a host path inside the repository or the cache to the chroot view.
cpath() {
	if use_host_tools; then
		echo "$1"
		return
	fi
	case $1 in
	"$TOP" | "$TOP"/*) echo "$C_TOP${1#"$TOP"}" ;;
	"$CACHE" | "$CACHE"/*) echo "$C_CACHE${1#"$CACHE"}" ;;
	"${KSRC:-/nonexistent}" | "${KSRC:-/nonexistent}"/*) echo "/rustfs/ksrc${1#"$KSRC"}" ;;
	*) die "path $1 is outside the repository and the cache" ;;
	esac
}
