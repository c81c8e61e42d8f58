#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build or refresh the Debian trixie toolchain chroot in $RUSTFS_CACHE/chroot.
#
# debootstrap runs once; the package set (tools/chroot-packages) is applied
# with apt and re-applied whenever that file changes.  A chroot that fails
# to update is rebuilt from scratch once.

. "$(dirname "$0")/lib.sh"
lock_cache

PKGFILE=$TOP/tools/chroot-packages
SUITE=trixie

pkgs() {
	# $1 = main or backports
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$PKGFILE" | if [ "$1" = backports ]; then
		sed -n 's/^backports: *//p'
	else
		grep -v '^backports:'
	fi
}

bootstrap() {
	local m
	m=$(debian_mirror)
	command -v debootstrap >/dev/null || {
		phase "installing debootstrap on the host"
		command -v apt-get >/dev/null ||
			die "debootstrap is missing and this host has no apt-get; install debootstrap, or use host tools (see README)"
		run_logged host-apt sh -c 'apt-get update && apt-get install -y debootstrap'
	}
	phase "debootstrap $SUITE from $m (about 1 min)"
	rm -rf "$CHROOT"
	run_logged debootstrap debootstrap --variant=minbase "$SUITE" "$CHROOT" "$m"
	cat >"$CHROOT/etc/apt/sources.list" <<-EOF
		deb $m $SUITE main
		deb $m $SUITE-backports main
	EOF
	touch "$CHROOT/.rustfs-bootstrapped"
}

install_pkgs() {
	phase "installing the toolchain packages in the chroot (a few minutes)"
	# shellcheck disable=SC2046
	run_logged chroot-apt in_chroot_raw sh -ec "
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		apt-get install -y --no-install-recommends $(pkgs main | tr '\n' ' ')
		apt-get install -y --no-install-recommends -t $SUITE-backports $(pkgs backports | tr '\n' ' ')
		apt-get clean
	"
}

# The chroot may not be usable yet, so bypass in_chroot's rustc check.
in_chroot_raw() {
	chroot_in "$CHROOT" "$@"
}

main() {
	local want have
	detect_host_tools
	if use_host_tools; then
		return
	fi
	want=$(hash_paths "$PKGFILE" "$0")
	have=$(cat "$CHROOT/.rustfs-stamp" 2>/dev/null || true)
	if [ "$want" = "$have" ] && [ -x "$CHROOT/usr/bin/rustc" ]; then
		phase "toolchain chroot is up to date ($CHROOT)"
		return
	fi
	need_root "building the toolchain chroot"
	[ -e "$CHROOT/.rustfs-bootstrapped" ] || bootstrap
	if ! (install_pkgs); then
		phase "the chroot did not update; rebuilding it from scratch"
		bootstrap
		install_pkgs
	fi
	echo "$want" >"$CHROOT/.rustfs-stamp"
	phase "toolchain: $(in_chroot rustc --version), $(in_chroot sh -c 'clang --version | head -n1')"
}

main "$@"
