#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC2153 # WC_GUEST_* are set by guest-common.sh
# Fetch the guest kernel (image + modules) of the guest suite by package
# name and extract it to $WC_CACHE/guest/kernel-<kver>, once.
# Prints the extracted directory; the kernel is <dir>/boot/vmlinuz-<kver>
# and the modules are in <dir>/lib/modules/<kver> (depmod done).
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

wc_need_pkgs kmod
wc_guest_resolve_kernel
# A locally built kernel (kernel-debug.sh) has the same layout
if [ -n "${WC_GUEST_KDIR:-}" ]; then
	echo "$WC_GUEST_KDIR"
	exit 0
fi
dir=$WC_GUEST_CACHE/kernel-$WC_GUEST_KVER
if [ ! -f "$dir/.complete" ]; then
	wc_lock "$WC_GUEST_LOCK"
	if [ ! -f "$dir/.complete" ]; then
		wc_log "fetching linux-image-$WC_GUEST_KVER=$WC_GUEST_KPKGVER"
		wc_guest_apt
		rm -rf "$dir" "$dir.tmp"
		mkdir -p "$dir.tmp/debs"
		# From 7.x the image package only depends on the kernel binary
		# and the modules, which are packages of their own.
		pkgs=("linux-image-$WC_GUEST_KVER=$WC_GUEST_KPKGVER")
		for p in $(apt-cache "${WC_APT[@]}" depends \
			"linux-image-$WC_GUEST_KVER=$WC_GUEST_KPKGVER" |
			awk '{ print $2 }' | grep -Fx -e "linux-binary-$WC_GUEST_KVER" \
				-e "linux-modules-$WC_GUEST_KVER" | sort -u); do
			pkgs+=("$p=$WC_GUEST_KPKGVER")
		done
		(cd "$dir.tmp/debs" &&
		 apt-get "${WC_APT[@]}" -o APT::Sandbox::User=root download -q \
			"${pkgs[@]}" >/dev/null) ||
			wc_die "download of ${pkgs[*]} failed"
		for deb in "$dir.tmp"/debs/*.deb; do
			dpkg-deb -x "$deb" "$dir.tmp"
		done
		rm -rf "$dir.tmp/debs"
		# Merged-/usr packages ship the modules under usr/lib.
		if [ -d "$dir.tmp/usr/lib/modules" ] && [ ! -e "$dir.tmp/lib" ]; then
			ln -s usr/lib "$dir.tmp/lib"
		fi
		# 7.x ships the kernel next to its modules, not in /boot.
		if [ ! -e "$dir.tmp/boot/vmlinuz-$WC_GUEST_KVER" ] &&
		   [ -f "$dir.tmp/lib/modules/$WC_GUEST_KVER/vmlinuz" ]; then
			mkdir -p "$dir.tmp/boot"
			ln -s "../lib/modules/$WC_GUEST_KVER/vmlinuz" \
				"$dir.tmp/boot/vmlinuz-$WC_GUEST_KVER"
		fi
		depmod -b "$dir.tmp" "$WC_GUEST_KVER"
		touch "$dir.tmp/.complete"
		mv "$dir.tmp" "$dir"
	fi
	wc_unlock "$WC_GUEST_LOCK"
fi
echo "$dir"
