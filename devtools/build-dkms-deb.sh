#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the Debian package vfio-pci-wc-dkms (the module's source for DKMS,
# kernel/linux/vfio_pci_wc with its debian/ folder and the uAPI header)
# with Debian's packaging tools and dh-dkms. Prints the .deb's path.
#
#   devtools/build-dkms-deb.sh [-o DIR]   -> DIR (default $WC_BUILD/dkms-deb)
#
# Install it with `apt install ./vfio-pci-wc-dkms_<version>_all.deb` on a
# machine with the headers of its kernel: DKMS builds the module there.
set -euo pipefail
. "$(dirname "$0")/wc-common.sh"

mod=$WC_REPO/kernel/linux/vfio_pci_wc
out=$WC_BUILD/dkms-deb
if [ "${1:-}" = -o ] && [ -n "${2:-}" ]; then
	out=$2
fi
wc_need_pkgs dpkg-dev debhelper dh-dkms

version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$mod/dkms.conf")
rm -rf "$out"
mkdir -p "$out/stage"
# The tree DKMS gets (make dkms-src), plus the packaging.
make -s -C "$mod" dkms-src DESTDIR="$out/stage" >/dev/null
src=$out/vfio-pci-wc-$version
mv "$out/stage/usr/src/vfio-pci-wc-$version" "$src"
rm -rf "$out/stage"
cp -a "$mod/debian" "$src/"
(cd "$src" && dpkg-buildpackage -b -us -uc >"$out/build.log" 2>&1) ||
	{ tail -n 20 "$out/build.log" >&2; wc_die "dpkg-buildpackage failed (log: $out/build.log)"; }
deb=$(ls "$out"/vfio-pci-wc-dkms_"$version"_all.deb)
echo "$deb"
