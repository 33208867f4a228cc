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
#
# usage: buildroot.sh [--modules]
# With --modules, prints where the guest kernel's modules are built
# instead (WC_GUEST_MODROOT in guest-common.sh): that root, the host, or a
# hard-linked copy of it with the kernel's header packages extracted.
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

# The build root of the default kernel, whatever WC_GUEST_KERNEL is.
base_root() {
	env -u WC_GUEST_KVER -u WC_GUEST_KPKGVER WC_GUEST_KERNEL=6.12 \
		bash "$0"
}

# A copy of the base root with the guest kernel's header packages (the
# headers, their -common part and the kbuild tools they depend on).
headers_root() {
	local base root pkgs deb
	root=$WC_GUEST_CACHE/buildroot-$WC_GUEST_SUITE-$WC_GUEST_KVER
	if [ ! -f "$root/.wc-buildroot" ]; then
		base=$(base_root)
		wc_lock "$WC_GUEST_LOCK"
		if [ ! -f "$root/.wc-buildroot" ]; then
			wc_log "adding the headers of $WC_GUEST_KVER to a copy of $base"
			wc_guest_apt
			pkgs=$(apt-cache "${WC_APT[@]}" depends --recurse --no-recommends \
				--no-suggests "linux-headers-$WC_GUEST_KVER=$WC_GUEST_KPKGVER" |
				grep -E '^(linux-headers|linux-kbuild)-' | sort -u)
			rm -rf "$root.tmp"
			cp -al "$base" "$root.tmp"
			mkdir -p "$root.tmp/debs"
			# shellcheck disable=SC2086 # a list of package names
			(cd "$root.tmp/debs" &&
			 apt-get "${WC_APT[@]}" -o APT::Sandbox::User=root download -q \
				$pkgs >/dev/null) ||
				wc_die "download of the headers of $WC_GUEST_KVER failed"
			for deb in "$root.tmp"/debs/*.deb; do
				dpkg-deb -x "$deb" "$root.tmp"
			done
			rm -rf "$root.tmp/debs"
			[ -d "$root.tmp/usr/src/linux-headers-$WC_GUEST_KVER" ] ||
				wc_die "no headers for $WC_GUEST_KVER in $pkgs"
			# A new file: the copy shares the others with the base root.
			rm -f "$root.tmp/.wc-buildroot"
			echo "kver=$WC_GUEST_KVER" >"$root.tmp/.wc-buildroot"
			rm -rf "$root"
			mv "$root.tmp" "$root"
		fi
		wc_unlock "$WC_GUEST_LOCK"
	fi
	echo "$root"
}

if [ "${1:-}" = --modules ]; then
	wc_guest_resolve_kernel
	case $WC_GUEST_MODROOT in
	buildroot) ;;
	host)
		wc_need_pkgs gcc-12 make "linux-headers-$WC_GUEST_KVER"
		echo /
		exit 0 ;;
	buildroot-headers)
		headers_root
		exit 0 ;;
	esac
elif [ "$WC_GUEST_KERNEL" != 6.12 ]; then
	base_root
	exit 0
fi

root=$WC_GUEST_BUILDROOT
stamp=$root/.wc-buildroot

root_matches() {
	[ -f "$stamp" ] && grep -qx "kver=$kver" "$stamp" && return 0
	# A root made by hand with the same command has no stamp: accept it
	# when it holds the right headers and compiler.
	if [ -d "$root/usr/src/linux-headers-$kver" ] &&
	   [ -x "$root/usr/bin/$WC_GUEST_CC" ]; then
		echo "kver=$kver" >"$stamp"
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
# The suite's own kernel (a locally built guest kernel has no headers here)
kver=${WC_GUEST_ROOT_KVER:-$WC_GUEST_KVER}
if [ "$WC_GUEST_ROOT_CROSS" = 1 ]; then
	# linux-headers-<version>-common and linux-kbuild-<version>
	base=${kver%-"$WC_GUEST_DEBARCH"}
	headers=linux-headers-$base-common,linux-kbuild-$base
else
	headers=linux-headers-$kver
fi
if ! root_matches; then
	wc_need_pkgs debootstrap debian-archive-keyring
	wc_lock "$WC_GUEST_LOCK"
	if ! root_matches; then
		wc_log "creating the $WC_GUEST_SUITE build root for $kver (about 1-3 min)"
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
		echo "kver=$kver" >"$root.tmp/.wc-buildroot"
		rm -rf "$root"
		mv "$root.tmp" "$root"
	fi
	wc_unlock "$WC_GUEST_LOCK"
fi
echo "$root"
