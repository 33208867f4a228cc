#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Demo: the main job end to end. Builds DPDK 22.11 with this project's
# overlay and the vfio-pci-wc module, boots the QEMU test guest (Debian
# kernel, emulated IOMMU, real vfio-pci) and runs dpdk-testpmd forwarding
# between a virtio-net and an e1000e port, first on stock vfio-pci, then on
# vfio-pci-wc with the virtio notify page write-combined. Run as root on
# Debian 12; installs the Debian packages it needs.
#
# usage: devtools/demo.sh [--vdev | --arch arm64]
#   --vdev        quick check without the guest: testpmd on two virtual ports
#   --arch arm64  the same in the arm64 guest (QEMU virt + SMMUv3), with
#                 DPDK cross-built for aarch64; the memory types come from
#                 testpmd's page tables (Normal-NC, Device)
set -euo pipefail
. "$(dirname "$0")/wc-common.sh"
. "$(dirname "$0")/wc-overlay.sh"
. "$(dirname "$0")/guest/parse.sh"

vdev_demo() {
	local dir log rc=0 ports pkts
	dir=$(bash "$WC_REPO/devtools/build.sh")
	log=$WC_BUILD/logs/demo-testpmd.log
	printf 'show port summary all\nstart\nshow port stats all\nstop\nquit\n' |
		timeout 120 "$dir/app/dpdk-testpmd" --no-huge -m 512 --no-shconf --no-pci \
		--vdev net_null0 --vdev net_ring0 -l 0-1 -- -i --total-num-mbufs=2048 \
		>"$log" 2>&1 || rc=$?
	ports=$(awk '/^Number of available ports:/ { print $NF }' "$log")
	pkts=$(($(testpmd_stat "$log" 0 RX packets) + $(testpmd_stat "$log" 1 RX packets)))
	echo "build: $dir"
	grep -E '^Port MAC Address|^[0-9]+ +([0-9A-F]{2}:){5}[0-9A-F]{2} ' "$log" || true
	echo "testpmd: ${ports:-?} ports, forwarded ${pkts:-0} packets, exit status $rc (log: $log)"
	{ [ "$rc" = 0 ] && [ "${pkts:-0}" -gt 0 ]; } ||
		wc_die "testpmd did not forward packets (log: $log)"
}

read_more() {
	cat <<-EOT

	Read more:
	  doc/guides/linux_gsg/linux_vfio_wc.rst   building and binding vfio-pci-wc, stock-kernel fallback, x86 PAT / arm64 notes
	  doc/guides/prog_guide/pci_wc.rst         the mapping plan, the wc= device argument, the PMD API, ordering rules
	  kernel/linux/vfio_pci_wc/README.md       the kernel module: uAPI, policy, resets, limits
	  devtools/test.sh docs                    builds the HTML guides into build/docs/html
	EOT
}

main() {
	local rc=0 build_args=()
	case ${1:-} in
	'' | --vdev) ;;
	--arch)
		case ${2:-} in
		x86_64) ;;
		arm64)
			export WC_GUEST_ARCH=arm64
			export WC_GUEST_OUT=${WC_GUEST_OUT:-$WC_BUILD/guest-arm64-6.12}
			build_args=(--cross arm64)
			;;
		*) wc_die "--arch: x86_64 or arm64" ;;
		esac
		;;
	*) wc_die "usage: ${0##*/} [--vdev | --arch arm64]" ;;
	esac
	echo "DPDK $(basename "$(bash "$WC_REPO/devtools/get-dpdk.sh")") + overlay:" \
		"$(wc_overlay_files | wc -l) new files, $(wc_series_patches | wc -l) patches"
	if [ "${1:-}" = --vdev ]; then
		vdev_demo
	else
		bash "$WC_REPO/devtools/build.sh" "${build_args[@]}" >/dev/null
		bash "$WC_REPO/devtools/vm/demo.sh" || rc=$?
	fi
	read_more
	return $rc
}

main "$@"
