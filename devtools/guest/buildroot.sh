#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Make sure the guest suite's build root exists: a minbase debootstrap with
# the guest kernel's compiler (gcc-14 for trixie), make, libc6-dev, pahole
# and the guest kernel's headers. Kernel modules and static test programs
# for the guest are built inside it. Prints its path.
#
# The root is amd64. For another guest architecture (WC_GUEST_ROOT_CROSS)
# it holds the cross compiler and C library, the host's kbuild tools and
# the guest kernel's arch-independent headers, and the guest
# architecture's headers package is extracted into it (installing it would
# pull that architecture's native gcc).
#
# The root is kept under $WC_CACHE/guest and stamped with the kernel
# version; a root made for another kernel version is rebuilt.
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

root=$WC_GUEST_BUILDROOT
stamp=$root/.wc-buildroot

root_matches() {
	[ -f "$stamp" ] && grep -qx "kver=$WC_GUEST_KVER" "$stamp" && return 0
	# A root made by hand with the same command has no stamp: accept it
	# when it holds the right headers and compiler.
	if [ -d "$root/usr/src/linux-headers-$WC_GUEST_KVER" ] &&
	   [ -x "$root/usr/bin/$WC_GUEST_CC" ]; then
		echo "kver=$WC_GUEST_KVER" >"$stamp"
		return 0
	fi
	return 1
}

# Extract the guest architecture's kernel headers package into the root.
add_cross_headers() { # <root>
	local debs
	debs=$(mktemp -d)
	wc_guest_apt
	(cd "$debs" && apt-get "${WC_APT[@]}" -o APT::Sandbox::User=root \
		download -q "linux-headers-$WC_GUEST_KVER=$WC_GUEST_KPKGVER" >/dev/null) ||
		wc_die "download of linux-headers-$WC_GUEST_KVER failed"
	dpkg-deb -x "$debs"/*.deb "$1"
	rm -rf "$debs"
	[ -f "$1/usr/src/linux-headers-$WC_GUEST_KVER/Makefile" ] ||
		wc_die "linux-headers-$WC_GUEST_KVER has no Makefile"
}

wc_guest_resolve_kernel
if [ "$WC_GUEST_ROOT_CROSS" = 1 ]; then
	# linux-headers-<version>-common and linux-kbuild-<version>
	base=${WC_GUEST_KVER%-"$WC_GUEST_DEBARCH"}
	headers=linux-headers-$base-common,linux-kbuild-$base
else
	headers=linux-headers-$WC_GUEST_KVER
fi
if ! root_matches; then
	wc_need_pkgs debootstrap debian-archive-keyring
	wc_guest_lock
	if ! root_matches; then
		wc_log "creating the $WC_GUEST_SUITE build root for $WC_GUEST_KVER (about 1-3 min)"
		rm -rf "$root.tmp"
		mkdir -p "$(dirname "$root")"
		# The .debs stay cached so that a new kernel version rebuilds
		# the root without downloading it all again.
		mkdir -p "$WC_GUEST_CACHE/debootstrap-debs"
		debootstrap --variant=minbase --arch="$(dpkg --print-architecture)" \
			--cache-dir="$WC_GUEST_CACHE/debootstrap-debs" \
			--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			--include="$WC_GUEST_ROOT_PKGS,$headers" \
			"$WC_GUEST_SUITE" "$root.tmp" "$(wc_archive_uri)" \
			>"$WC_GUEST_CACHE/debootstrap.log" 2>&1 ||
			wc_die "debootstrap failed, see $WC_GUEST_CACHE/debootstrap.log"
		[ "$WC_GUEST_ROOT_CROSS" != 1 ] || add_cross_headers "$root.tmp"
		echo "kver=$WC_GUEST_KVER" >"$root.tmp/.wc-buildroot"
		rm -rf "$root"
		mv "$root.tmp" "$root"
	fi
	wc_guest_unlock
fi
echo "$root"
