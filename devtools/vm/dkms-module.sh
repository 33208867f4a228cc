#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install the vfio-pci-wc-dkms package (devtools/build-dkms-deb.sh) as a
# user would, `apt install ./vfio-pci-wc-dkms_*.deb`, where the guest
# kernel's modules are built (buildroot.sh --modules: the host for 6.1, a
# build root for the others), let Debian's dkms build and install the
# module for the guest kernel, and copy the module DKMS installed to
# <out dir> (decompressed).
#
# usage: dkms-module.sh <out dir>
# A build root gets dkms in a hard-linked copy of its own
# ($WC_CACHE/guest/dkms-<kver>), so the shared build roots stay as made.
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

[ $# -eq 1 ] || wc_die "usage: ${0##*/} <out dir>"
out=$1
wc_guest_resolve_kernel
modroot=$("$WC_VM_DIR/buildroot.sh" --modules)
mkdir -p "$out"
# The package is rebuilt only when what goes into it changed.
# shellcheck disable=SC2034 # read by wc_guest_objcache_key
WC_GUEST_BUILDROOT=$modroot
key=dkms-$(wc_guest_objcache_key "$WC_REPO/kernel/linux" \
	"$(cat "$0" "$WC_REPO/devtools/build-dkms-deb.sh" | sha256sum)")
if wc_guest_objcache_get "$key" "$out"; then
	exit 0
fi
# A folder of its own: guests of several kernels are built side by side.
deb=$(bash "$WC_REPO/devtools/build-dkms-deb.sh" \
	-o "$WC_BUILD/dkms-deb-$WC_GUEST_KVER")
version=$(dpkg-deb -f "$deb" Version)

# in_root <command...>: run in the DKMS root (with /proc, /dev/null)
in_root() {
	if [ "$root" = / ]; then
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive "$@"
		return
	fi
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation private sh -c \
		'mount -t proc proc "$0/proc" && mount --bind /dev "$0/dev" &&
		 exec chroot "$0" "$@"' "$root" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
}

if [ "$modroot" = / ]; then
	root=/
else
	root=$WC_GUEST_CACHE/dkms-$WC_GUEST_KVER
	wc_lock "$WC_GUEST_LOCK"
	if [ ! -f "$root/.wc-dkms" ] ||
	   ! cmp -s "$modroot/.wc-buildroot" "$root/.wc-buildroot"; then
		wc_log "making the DKMS root for $WC_GUEST_KVER from $modroot"
		rm -rf "$root" "$root.tmp"
		cp -al "$modroot" "$root.tmp"
		touch "$root.tmp/.wc-dkms"
		mv "$root.tmp" "$root"
	fi
	wc_unlock "$WC_GUEST_LOCK"
fi

# One apt/dpkg at a time in a root; not the cache lock, which other runs
# need meanwhile (a DKMS build takes minutes on a loaded machine).
wc_lock "$WC_GUEST_CACHE/.lock-dkms-${root//\//_}"
tmp=$(mktemp -d "$root/tmp/wc-dkms.XXXXXX")
wc_rm_on_exit "$tmp"
cp "$deb" "$tmp/"
inside=/tmp/${tmp##*/}/${deb##*/}
[ "$root" != / ] || inside=$tmp/${deb##*/}
# An interrupted earlier run may have left packages unconfigured.
in_root dpkg --configure -a >"$tmp/apt.log" 2>&1 || true
in_root apt-get -o DPkg::Lock::Timeout=600 install -y -q --reinstall \
	--no-install-recommends "$inside" >>"$tmp/apt.log" 2>&1 ||
	{ tail -n 20 "$tmp/apt.log" >&2; wc_die "apt install ./${deb##*/} failed in $root"; }
in_root dkms install "vfio-pci-wc/$version" -k "$WC_GUEST_KVER" --force >"$tmp/dkms.log" 2>&1 ||
	{ tail -n 30 "$tmp/dkms.log" >&2
	  cat "$root/var/lib/dkms/vfio-pci-wc/$version/build/make.log" >&2 2>/dev/null || true
	  wc_die "dkms install vfio-pci-wc/$version -k $WC_GUEST_KVER failed"; }
wc_unlock "$WC_GUEST_CACHE/.lock-dkms-${root//\//_}"
ko=$(find "$root/lib/modules/$WC_GUEST_KVER/updates/dkms" -maxdepth 1 \
	-name 'vfio-pci-wc.ko*' 2>/dev/null | head -n1)
[ -n "$ko" ] || wc_die "dkms installed no vfio-pci-wc.ko for $WC_GUEST_KVER"
wc_log "DKMS installed $(basename "$ko") for $WC_GUEST_KVER in $root"
case $ko in
*.xz) xz -dc "$ko" >"$tmp/vfio-pci-wc.ko" ;;
*.zst) zstd -qdc "$ko" >"$tmp/vfio-pci-wc.ko" ;;
*) cp "$ko" "$tmp/vfio-pci-wc.ko" ;;
esac
cp "$tmp/vfio-pci-wc.ko" "$out/"
wc_guest_objcache_put "$key" "$tmp/vfio-pci-wc.ko"
