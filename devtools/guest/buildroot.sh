#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Make sure the guest suite's build root exists: a minbase debootstrap with
# the guest kernel's compiler (gcc-14 for trixie), make, libc6-dev, pahole
# and the guest kernel's headers. Kernel modules and static test programs
# for the guest are built inside it. Prints its path.
#
# The root is kept under $WC_CACHE/guest and stamped with the kernel
# version; a root made for another kernel version is rebuilt.
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

root=$WC_GUEST_BUILDROOT
stamp=$root/.wc-buildroot

root_matches() {
	[ -f "$stamp" ] && grep -qx "kver=$kver" "$stamp" && return 0
	# A root made by hand with the same command has no stamp: accept it
	# when it holds the right headers and compiler.
	if [ -d "$root/usr/src/linux-headers-$kver" ] &&
	   [ -x "$root/usr/bin/gcc-14" ]; then
		echo "kver=$kver" >"$stamp"
		return 0
	fi
	return 1
}

wc_guest_resolve_kernel
# The suite's own kernel (a locally built guest kernel has no headers here)
kver=${WC_GUEST_ROOT_KVER:-$WC_GUEST_KVER}
if ! root_matches; then
	wc_need_pkgs debootstrap debian-archive-keyring
	wc_guest_lock
	if ! root_matches; then
		wc_log "creating the $WC_GUEST_SUITE build root for $kver (about 1-3 min)"
		rm -rf "$root.tmp"
		mkdir -p "$(dirname "$root")"
		# The .debs stay cached so that a new kernel version rebuilds
		# the root without downloading it all again.
		mkdir -p "$WC_GUEST_CACHE/debootstrap-debs"
		debootstrap --variant=minbase --arch="$WC_GUEST_DEBARCH" \
			--cache-dir="$WC_GUEST_CACHE/debootstrap-debs" \
			--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
			--include="gcc-14,make,libc6-dev,dwarves,linux-headers-$kver" \
			"$WC_GUEST_SUITE" "$root.tmp" "$(wc_archive_uri)" \
			>"$WC_GUEST_CACHE/debootstrap.log" 2>&1 ||
			wc_die "debootstrap failed, see $WC_GUEST_CACHE/debootstrap.log"
		echo "kver=$kver" >"$root.tmp/.wc-buildroot"
		rm -rf "$root"
		mv "$root.tmp" "$root"
	fi
	wc_guest_unlock
fi
echo "$root"
