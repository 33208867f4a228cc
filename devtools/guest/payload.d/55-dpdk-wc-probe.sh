#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: dpdk-wc-probe (devtools/guest/progs/dpdk-wc-probe.c), a DPDK
# process with a minimal ivshmem PCI driver, linked statically with the
# project's DPDK build ($WC_BUILD/dpdk/build, made by the dpdk payload;
# build-arm64 for the arm64 guest), and on x86_64 valgrind for the
# instruction counts of the probe.
set -euo pipefail
. "$(dirname "$0")/../../wc-common.sh"
g=$WC_REPO/devtools/guest vm=$WC_REPO/devtools/vm
# Same machine flags as the DPDK build (-Dplatform=generic; the armv8
# cross file).
case ${WC_GUEST_ARCH:-x86_64} in
arm64)
	build=$WC_BUILD/dpdk/build-arm64
	cc=(aarch64-linux-gnu-gcc -march=armv8-a+crc)
	;;
*)
	build=$WC_BUILD/dpdk/build
	cc=(gcc -march=corei7)
	;;
esac
pc=$build/meson-uninstalled
pte=$WC_REPO/kernel/linux/vfio_pci_wc/selftests

[ -f "$pc/libdpdk-uninstalled.pc" ] || {
	echo "no DPDK build in $build (see the dpdk payload)"
	exit 1
}
wc_need_pkgs gcc pkg-config valgrind
out=$(mktemp -d)
wc_rm_on_exit "$out"
# mmap() and ioctl() are wrapped for the fault injection of the program.
# shellcheck disable=SC2046 # pkg-config output is a list of words
"${cc[@]}" -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-Wl,--wrap=mmap -Wl,--wrap=mmap64 -Wl,--wrap=ioctl \
	-DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API \
	$(PKG_CONFIG_PATH=$pc pkg-config --static --cflags libdpdk) \
	-I"$pte" -o "$out/dpdk-wc-probe" \
	"$g/progs/dpdk-wc-probe.c" "$pte/ptecheck_lib.c" \
	$(PKG_CONFIG_PATH=$pc pkg-config --static --libs libdpdk)
"$vm/install-bin.sh" "$WC_GUEST_ROOT_DIR" /opt/wc/bin "$out/dpdk-wc-probe"
# valgrind is shipped for the x86_64 guest only.
[ "${WC_GUEST_ARCH:-x86_64}" = x86_64 ] || exit 0

# valgrind: the launcher (Debian's /usr/bin/valgrind is a shell wrapper
# of valgrind.bin), the callgrind tool and the core preload library.
"$vm/install-bin.sh" "$WC_GUEST_ROOT_DIR" /usr/bin /usr/bin/valgrind.bin
vglib=/usr/libexec/valgrind
mkdir -p "$WC_GUEST_ROOT_DIR$vglib"
cp "$vglib"/callgrind-amd64-linux "$vglib"/vgpreload_core-amd64-linux.so \
	"$vglib"/default.supp "$WC_GUEST_ROOT_DIR$vglib/"
