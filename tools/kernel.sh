#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh PHASE [PROFILE]: the kernel side of the rustfs tools.
#
#   source          unpack Debian's linux-source-7.3 (or take KSRC=) once
#   tree            pristine + patches/series + the rust/ overlay, synced into
#                   $CACHE/linux so that unchanged files keep their mtime
#   config PROFILE  tinyconfig + .config.fragment + tools/configs/PROFILE.config,
#                   then check that every requested option landed
#   build PROFILE   bzImage (LLVM=1, in the chroot)
#   all PROFILE     all of the above
#
# Each phase is skipped when the content that went into it is unchanged.

. "$(dirname "$0")/lib.sh"
lock_cache

# series-check.sh builds a second tree with the first SERIES_UPTO patches
# and no overlay.
TREE=${RUSTFS_TREE:-$KTREE}
STAGE=$TREE.stage
SERIES_UPTO=${SERIES_UPTO:-}
NO_OVERLAY=${NO_OVERLAY:-}
JOBS=${JOBS:-$(nproc)}

# The pristine source directory, set by do_source.
PRISTINE=

do_source() {
	if [ -n "${KSRC:-}" ]; then
		if ! grep -q '^VERSION = 7$' "$KSRC/Makefile" 2>/dev/null ||
			! grep -q '^PATCHLEVEL = 3$' "$KSRC/Makefile"; then
			die "KSRC=$KSRC is not a Linux 7.3.y source tree"
		fi
		KSRC=$(cd "$KSRC" && pwd)
		# The chroot sees only the repository and the cache: mirror KSRC there.
		PRISTINE=$CACHE/src/ksrc
		phase "source: KSRC=$KSRC"
		mkdir -p "$PRISTINE"
		# A different or changed KSRC invalidates the whole build tree.
		if [ -n "$(in_chroot rsync -ai --delete --exclude=.git \
			"$(cpath "$KSRC")/" "$(cpath "$PRISTINE")/")" ]; then
			rm -f "$TREE/.rustfs-pristine" "$TREE/.rustfs-tree"
		fi
		return
	fi

	local ver
	if ! ver=$(in_chroot dpkg-query -W -f "\${Version}" linux-source-7.3 2>/dev/null) ||
		[ -z "$ver" ]; then
		phase "source: installing Debian's linux-source-7.3 (trixie-backports)"
		if ! in_chroot sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t trixie-backports linux-source-7.3' \
			>"$LOGDIR/linux-source.log" 2>&1; then
			in_chroot apt-get update >>"$LOGDIR/linux-source.log" 2>&1 || true
			in_chroot sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t trixie-backports linux-source-7.3' \
				>>"$LOGDIR/linux-source.log" 2>&1 ||
				die "Debian's archive no longer offers linux-source-7.3 (see $LOGDIR/linux-source.log).
  rustfs's patches target Linux 7.3.y; moving the base to a newer release is
  its own piece of work.  Meanwhile pass an upstream 7.3.y tree: make KSRC=/path/to/linux"
		fi
		ver=$(in_chroot dpkg-query -W -f "\${Version}" linux-source-7.3)
	fi
	PRISTINE=$CACHE/src/linux-source-$ver
	if [ ! -e "$PRISTINE/.rustfs-unpacked" ]; then
		phase "source: unpacking linux-source-7.3 $ver (about 1 min)"
		rm -rf "$PRISTINE" "$PRISTINE.tmp"
		mkdir -p "$PRISTINE.tmp"
		run_logged unpack in_chroot tar -C "$(cpath "$PRISTINE.tmp")" -xf /usr/src/linux-source-7.3.tar.xz
		mv "$PRISTINE.tmp/linux-source-7.3" "$PRISTINE"
		rmdir "$PRISTINE.tmp"
		touch "$PRISTINE/.rustfs-unpacked"
	fi
	phase "source: Debian linux-source-7.3 $ver"
}

# The patches to apply, relative to patches/: the prepared series, and with
# SERIES=lift the lifted one on top.
series() {
	{
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$TOP/patches/series" 2>/dev/null
		[ "$SERIES" != lift ] ||
			sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's|^|lift/|' \
				"$TOP/patches/lift/series" 2>/dev/null
	} | head -n "${SERIES_UPTO:-1000000}" || true
}

# Kernel-crate files of the overlay, relative to the tree.
overlay_files() {
	[ -z "$NO_OVERLAY" ] || return 0
	(cd "$TOP" && find rust/kernel rust/helpers rust/bindings -type f \
		\( -name '*.rs' -o -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort)
}

# Wire the overlay into the kernel crate: an #include for each helper, our
# bindgen header, and the task module's rust/kernel/task/ids.rs (Kgid). The
# overlay's rust/kernel/fs.rs, which declares the modules, replaces the
# tree's.
glue_overlay() {
	local d=$1 f m
	[ -z "$NO_OVERLAY" ] || return 0
	if [ -f "$TOP/rust/kernel/task/ids.rs" ] && ! grep -q '^mod ids;' "$d/rust/kernel/task.rs"; then
		printf '\nmod ids;\npub use self::ids::Kgid;\n' >>"$d/rust/kernel/task.rs"
	fi
	for f in $(cd "$TOP" && ls rust/helpers/*.c 2>/dev/null); do
		m=$(basename "$f")
		grep -q "#include \"$m\"" "$d/rust/helpers/helpers.c" ||
			echo "#include \"$m\"" >>"$d/rust/helpers/helpers.c"
	done
	if [ -f "$TOP/rust/bindings/bindings_helper_fs.h" ]; then
		grep -q bindings_helper_fs.h "$d/rust/bindings/bindings_helper.h" ||
			echo '#include "bindings_helper_fs.h"' >>"$d/rust/bindings/bindings_helper.h"
	fi
}

tree_key() {
	local files
	files=$(overlay_files | sed "s|^|$TOP/|")
	# shellcheck disable=SC2046,SC2086 # one word per file
	echo "$PRISTINE $(hash_paths $(series | sed "s|^|$TOP/patches/|") $files "$0") $SERIES_UPTO $NO_OVERLAY"
}

# Files that patches/ and the overlay change, relative to the tree.
touched_files() {
	local p
	for p in $(series); do
		sed -n -e 's|^+++ b/||p' -e 's|^--- a/||p' "$TOP/patches/$p"
	done
	overlay_files
	[ -n "$NO_OVERLAY" ] ||
		printf '%s\n' rust/kernel/fs.rs rust/kernel/task.rs rust/helpers/helpers.c \
			rust/bindings/bindings_helper.h
}

do_tree() {
	do_source
	local key p f changed=0
	key=$(tree_key)
	if [ "$key" = "$(cat "$TREE/.rustfs-tree" 2>/dev/null)" ]; then
		phase "tree: up to date ($TREE)"
		return
	fi
	phase "tree: applying $(series | wc -l) patch(es) and the rust/ overlay"
	# The build tree is the pristine tree except for the files patches and
	# the overlay touch, now or last time: rebuild only those in a stage.
	if [ ! -e "$TREE/.rustfs-pristine" ] &&
		[ "$(cut -d' ' -f1 "$TREE/.rustfs-tree" 2>/dev/null)" = "$PRISTINE" ]; then
		# A tree synced in full from this source by an older version.
		echo "$PRISTINE" >"$TREE/.rustfs-pristine"
	fi
	if [ "$(cat "$TREE/.rustfs-pristine" 2>/dev/null)" != "$PRISTINE" ]; then
		phase "tree: new source; copying it and dropping the old objects"
		rm -rf "$TREE" "$(objdirs_of_tree)"
		mkdir -p "$(dirname "$TREE")"
		# New timestamps, so that nothing built from older files survives.
		cp -R "$PRISTINE" "$TREE"
		rm -f "$TREE/.rustfs-unpacked"
		echo "$PRISTINE" >"$TREE/.rustfs-pristine"
	fi
	{ touched_files; cat "$TREE/.rustfs-files" 2>/dev/null || true; } |
		LC_ALL=C sort -u >"$TREE.touched"
	rm -rf "$STAGE"
	mkdir -p "$STAGE"
	(cd "$PRISTINE" && while read -r f; do
		[ ! -e "$f" ] || cp -a --parents "$f" "$STAGE/"
	done) <"$TREE.touched"
	# One chroot entry for the whole series; it prints the patch that fails.
	# shellcheck disable=SC2016,SC2046 # inner shell; one word per patch
	if ! in_chroot sh -c 'cd "$1" && shift && n=0 && for p; do
			n=$((n + 1))
			patch -p1 --batch --forward --fuzz=0 --quiet \
				--no-backup-if-mismatch -i "$p" || {
				echo "FAILED: $n ${p##*/}"; exit 1; }
		done' sh "$(cpath "$STAGE")" $(series | sed "s|^|$(cpath "$TOP/patches")/|") \
		>"$LOGDIR/patch.log" 2>&1; then
		grep -v '^FAILED' "$LOGDIR/patch.log" >&2
		p=$(sed -n 's/^FAILED: //p' "$LOGDIR/patch.log")
		die "patch ${p% *}, patches/${p#* }, does not apply to $PRISTINE"
	fi
	for p in $(overlay_files); do
		install -D -m 644 "$TOP/$p" "$STAGE/$p"
	done
	glue_overlay "$STAGE"
	# Write only files whose content differs, so make rebuilds only those.
	: >"$LOGDIR/tree-sync.log"
	while read -r f; do
		if [ -e "$STAGE/$f" ]; then
			cmp -s "$STAGE/$f" "$TREE/$f" && continue
			mkdir -p "$(dirname "$TREE/$f")"
			cp "$STAGE/$f" "$TREE/$f"
		elif [ -e "$TREE/$f" ]; then
			rm -f "$TREE/$f"
		else
			continue
		fi
		echo "$f" >>"$LOGDIR/tree-sync.log"
		changed=$((changed + 1))
	done <"$TREE.touched"
	cp "$TREE.touched" "$TREE/.rustfs-files"
	phase "tree: $changed file(s) changed"
	echo "$key" >"$TREE/.rustfs-tree"
}

objdir() {
	# kselftest-baseline.sh builds an unpatched kernel in a directory of its own.
	if [ -n "${RUSTFS_OBJ:-}" ]; then
		echo "$RUSTFS_OBJ"
	elif [ "$1" = series ]; then
		echo "$CACHE/series/obj"
	else
		echo "$KBUILD/$1"
	fi
}

# The object directories built from $TREE.
objdirs_of_tree() {
	if [ -n "$NO_OVERLAY" ]; then
		objdir series
	else
		echo "$KBUILD"
	fi
}

fragments() {
	local f=$TOP/tools/configs/$1.config
	[ -f "$f" ] || die "unknown profile '$1' (have: $(cd "$TOP/tools/configs" && echo *.config))"
	# The series profile stands alone: it is not a kernel for the VM.
	if [ "$1" = series ]; then
		echo "$f"
	else
		echo "$TOP/.config.fragment $f"
	fi
}

kmake() {
	local o=$1
	shift
	in_chroot make -C "$(cpath "$TREE")" O="$(cpath "$o")" LLVM=1 ARCH=x86_64 CLIPPY=1 "$@"
}

config_steps() {
	local o=$1 co
	co=$(cpath "$1")
	kmake "$o" tinyconfig
	in_chroot sh -c "cd $(cpath "$TREE") && scripts/kconfig/merge_config.sh \
		-m -O $co $co/.config $co/rustfs.fragment"
	kmake "$o" olddefconfig
}

do_config() {
	local prof=$1 o key f missing sym
	o=$(objdir "$prof")
	# shellcheck disable=SC2046
	# Only the Kconfig files and the fragments decide the config.
	# The toolchain too: its versions are part of the config (RUSTC_VERSION...).
	key="$(cd "$TREE" && find . -name 'Kconfig*' -type f | LC_ALL=C sort |
		xargs cat | sha256sum | cut -c1-16) $(hash_paths $(fragments "$prof"))"
	key+=" $(cat "$CHROOT/.rustfs-stamp" 2>/dev/null)"
	if [ "$key" = "$(cat "$o/.rustfs-config" 2>/dev/null)" ]; then
		phase "config: $prof up to date"
		return
	fi
	phase "config: $prof (tinyconfig + fragments)"
	mkdir -p "$o"
	# shellcheck disable=SC2046
	cat $(fragments "$prof") >"$o/rustfs.fragment"
	run_logged "config-$prof" config_steps "$o"
	# Options that Kconfig silently dropped (e.g. KASAN under SLUB_TINY).
	missing=$(grep -E '^(CONFIG_[A-Za-z0-9_]+=.*|# CONFIG_[A-Za-z0-9_]+ is not set)$' "$o/rustfs.fragment" |
		while read -r f; do
			case $f in
			"# "*)
				f=${f#\# }
				f=${f% is not set}
				if grep -q "^$f=" "$o/.config"; then echo "  $f should be unset"; fi ;;
			*)
				grep -qxF "$f" "$o/.config" && continue
				# series-check: a symbol a later patch adds.
				sym=${f%%=*}
				[ -n "${CONFIG_ALLOW_UNKNOWN:-}" ] &&
					! grep -rqs --include='Kconfig*' "^config ${sym#CONFIG_}\$" "$TREE" &&
					continue
				echo "  $f (got: $(grep "^${f%%=*}=" "$o/.config" || echo unset))" ;;
			esac
		done)
	[ -z "$missing" ] || die "config $prof: these fragment options did not land in .config:
$missing"
	echo "$key" >"$o/.rustfs-config"
}

do_build() {
	local prof=$1 o key
	o=$(objdir "$prof")
	# Even a make with nothing to do takes 10-20 s on this tree.
	# .config too, so that a menuconfig edit counts.
	key="$(cat "$TREE/.rustfs-tree") $(cat "$o/.rustfs-config") $(sha256sum <"$o/.config")"
	if [ "$key" = "$(cat "$o/.rustfs-build" 2>/dev/null)" ] &&
		[ -f "$o/arch/x86/boot/bzImage" ]; then
		phase "build: $prof kernel up to date"
		return
	fi
	rm -f "$o/.rustfs-build"
	phase "build: $prof kernel (LLVM=1, -j$JOBS; log: $LOGDIR/build-$prof.log)"
	run_logged "build-$prof" kmake "$o" -j"$JOBS" all
	local w
	w=$(our_warnings "$LOGDIR/build-$prof.log")
	if [ -n "$w" ]; then
		# The overlay is part of the kernel crate: drop it, so that the
		# next run compiles it, and warns, again.
		rm -f "$o/rust/kernel.o" "$o/rust/libkernel.rmeta"
		die "rustc/clippy warnings in rust/kernel (see $LOGDIR/build-$prof.log):
$w"
	fi
	# The documentation too: a broken intra-doc link is a warning there.
	run_logged "rustdoc-$prof" kmake "$o" -j"$JOBS" rustdoc
	w=$(our_warnings "$LOGDIR/rustdoc-$prof.log")
	[ -z "$w" ] || die "rustdoc warnings in rust/kernel (see $LOGDIR/rustdoc-$prof.log):
$w"
	echo "$key" >"$o/.rustfs-build"
	phase "build: $(basename "$o")/arch/x86/boot/bzImage ready"
}

# One phase after another, not joined by &&, which would switch off set -e
# inside them.
case ${1:-} in
source) do_source ;;
tree) do_tree ;;
config)
	do_tree
	do_config "${2:?profile}"
	;;
build) do_build "${2:?profile}" ;;
all)
	do_tree
	do_config "${2:?profile}"
	do_build "$2"
	;;
*) die "usage: kernel.sh source|tree|config PROFILE|build PROFILE|all PROFILE" ;;
esac
