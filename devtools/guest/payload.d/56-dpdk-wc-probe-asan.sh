#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: dpdk-wc-probe-asan, dpdk-wc-probe linked with the project's
# ASan/UBSan DPDK build ($WC_BUILD/dpdk/build-asan, brought up to date
# with devtools/build.sh --asan), with the sanitizer runtimes, for the
# guest tests that race threads over real VFIO devices.
set -euo pipefail
. "$(dirname "$0")/../../wc-common.sh"
g=$WC_REPO/devtools/guest vm=$WC_REPO/devtools/vm
pte=$WC_REPO/kernel/linux/vfio_pci_wc/selftests
# The ASan build is a host (x86_64) build only.
[ "${WC_GUEST_ARCH:-x86_64}" = x86_64 ] || exit 0
build=$WC_BUILD/dpdk/build-asan
pc=$build/meson-uninstalled

bash "$WC_REPO/devtools/build.sh" --asan --no-assemble >/dev/null || {
	echo "devtools/build.sh --asan failed"
	exit 1
}
[ -f "$pc/libdpdk-uninstalled.pc" ] || {
	echo "no ASan DPDK build in $build"
	exit 1
}
wc_need_pkgs gcc pkg-config
out=$(mktemp -d)
wc_rm_on_exit "$out"
# Only the libraries the program uses (the PCI bus, EAL and theirs): the
# whole unoptimised, instrumented DPDK would be a 100 MB binary.
libs=$(PKG_CONFIG_PATH=$pc pkg-config --static --libs libdpdk | tr ' ' '\n' |
	grep -v -E 'l:librte|whole-archive' | tr '\n' ' ')
# shellcheck disable=SC2046,SC2086 # pkg-config output is a list of words
gcc -O1 -g -march=corei7 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-Wall -Wextra -Werror -D_GNU_SOURCE \
	-Wl,--wrap=mmap -Wl,--wrap=mmap64 -Wl,--wrap=ioctl \
	-DWC_PROBE_SLOW_TELEMETRY -Wl,--wrap=rte_tel_data_add_array_string \
	-DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API \
	$(PKG_CONFIG_PATH=$pc pkg-config --static --cflags libdpdk) \
	-I"$pte" -o "$out/dpdk-wc-probe-asan" \
	"$g/progs/dpdk-wc-probe.c" "$pte/ptecheck_lib.c" \
	-Wl,--whole-archive -l:librte_bus_pci.a -Wl,--no-whole-archive \
	-l:librte_pci.a -l:librte_eal.a -l:librte_telemetry.a \
	-l:librte_kvargs.a $libs
"$vm/install-bin.sh" "$WC_GUEST_ROOT_DIR" /opt/wc/bin "$out/dpdk-wc-probe-asan"
