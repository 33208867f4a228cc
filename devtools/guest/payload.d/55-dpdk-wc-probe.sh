#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: dpdk-wc-probe (devtools/guest/progs/dpdk-wc-probe.c), a DPDK
# process with a minimal ivshmem PCI driver, linked statically with the
# project's DPDK build ($WC_BUILD/dpdk/build, made by the dpdk payload),
# and valgrind for the instruction counts of the probe.
set -euo pipefail
. "$(dirname "$0")/../../wc-common.sh"
g=$WC_REPO/devtools/guest
build=$WC_BUILD/dpdk/build
pc=$build/meson-uninstalled
pte=$WC_REPO/kernel/linux/vfio_pci_wc/selftests

[ -f "$pc/libdpdk-uninstalled.pc" ] || {
	echo "no DPDK build in $build (see the dpdk payload)"
	exit 1
}
wc_need_pkgs gcc pkg-config valgrind
out=$(mktemp -d)
wc_rm_on_exit "$out"
# Same machine flags as the DPDK build (-Dplatform=generic).
# shellcheck disable=SC2046 # pkg-config output is a list of words
gcc -O2 -g -march=corei7 -Wall -Wextra -Werror \
	-DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API \
	$(PKG_CONFIG_PATH=$pc pkg-config --static --cflags libdpdk) \
	-I"$pte" -o "$out/dpdk-wc-probe" \
	"$g/progs/dpdk-wc-probe.c" "$pte/ptecheck_lib.c" \
	$(PKG_CONFIG_PATH=$pc pkg-config --static --libs libdpdk)
"$g/install-bin.sh" "$WC_GUEST_ROOT_DIR" /opt/wc/bin "$out/dpdk-wc-probe"

# valgrind: the launcher (Debian's /usr/bin/valgrind is a shell wrapper
# of valgrind.bin), the callgrind tool and the core preload library.
"$g/install-bin.sh" "$WC_GUEST_ROOT_DIR" /usr/bin /usr/bin/valgrind.bin
vglib=/usr/libexec/valgrind
mkdir -p "$WC_GUEST_ROOT_DIR$vglib"
cp "$vglib"/callgrind-amd64-linux "$vglib"/vgpreload_core-amd64-linux.so \
	"$vglib"/default.supp "$WC_GUEST_ROOT_DIR$vglib/"
install -m 0644 "$g/dpdk-wc.sh" "$WC_PAYLOAD_SHARE/dpdk-wc.sh"
