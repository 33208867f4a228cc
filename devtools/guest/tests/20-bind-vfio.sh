#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# The machine is what the tests assume (IOMMU on, hugepages reserved,
# debugfs mounted, devices at their fixed addresses with the expected
# BARs), and stock vfio-pci takes all three devices: each gets a VFIO
# group node.
. /opt/wc/lib.sh

hp=$(sed -n 's/^HugePages_Total: *//p' /proc/meminfo)
[ "${hp:-0}" -ge 256 ] || fail "only ${hp:-0} hugepages reserved, expected 256"
grep -q " /sys/kernel/debug debugfs " /proc/mounts || fail "debugfs is not mounted"

case $WC_GUEST_ARCH in
arm64)
	# Translating, not bypassing (iommu.passthrough=0)
	[ -n "$(find /sys/class/iommu/ -name '*smmu*')" ] || fail "no SMMUv3 in /sys/class/iommu"
	dmesg | grep -q 'Default domain type: Translated' ||
		fail "the SMMU does not translate by default"
	;;
*)
	dmesg | grep -q 'DMAR: IOMMU enabled' || fail "the guest IOMMU is not enabled"
	;;
esac
expect_eq "$(cat "/sys/bus/pci/devices/$WC_BDF_IVSHMEM/device")" 0x1110 "ivshmem device id at $WC_BDF_IVSHMEM"
expect_eq "$(cat "/sys/bus/pci/devices/$WC_BDF_VIRTIO/device")" 0x1041 "virtio-net (modern) device id at $WC_BDF_VIRTIO"
expect_eq "$(cat "/sys/bus/pci/devices/$WC_BDF_E1000E/device")" 0x10d3 "e1000e device id at $WC_BDF_E1000E"

# resource lines: start end flags; BAR2 of ivshmem is 1 MiB, 64-bit
# prefetchable memory (IORESOURCE_MEM | PREFETCH | MEM_64).
# shellcheck disable=SC2046 # split into start, end, flags
set -- $(sed -n 3p "/sys/bus/pci/devices/$WC_BDF_IVSHMEM/resource")
expect_eq $(($2 - $1 + 1)) $((1 << 20)) "ivshmem BAR2 size"
[ $(($3 & 0x102200)) -eq $((0x102200)) ] || fail "ivshmem BAR2 flags $3: not 64-bit prefetchable memory"

# x86_64: the large ivshmem's second function, virtio-rng (modern), has
# FLR, and both functions are one IOMMU group (hence one reset set)
if [ -d "/sys/bus/pci/devices/$WC_BDF_VIRTIO_FLR" ]; then
	fn1=/sys/bus/pci/devices/$WC_BDF_VIRTIO_FLR
	expect_eq "$(cat "$fn1/device")" 0x1044 "virtio-rng (modern) device id at $WC_BDF_VIRTIO_FLR"
	grep -qw flr "$fn1/reset_method" ||
		fail "$WC_BDF_VIRTIO_FLR reset methods: $(cat "$fn1/reset_method"), no flr"
	expect_eq "$(readlink "$fn1/iommu_group")" \
		"$(readlink "/sys/bus/pci/devices/$WC_BDF_IVSHMEM_LARGE/iommu_group")" \
		"IOMMU group of $WC_BDF_VIRTIO_FLR and $WC_BDF_IVSHMEM_LARGE"
	info "$WC_BDF_VIRTIO_FLR reset methods: $(cat "$fn1/reset_method"); $WC_BDF_IVSHMEM_LARGE: $(cat "/sys/bus/pci/devices/$WC_BDF_IVSHMEM_LARGE/reset_method" 2>/dev/null)"
fi

for bdf in "$WC_BDF_IVSHMEM" "$WC_BDF_VIRTIO" "$WC_BDF_E1000E"; do
	bind_vfio "$bdf"
	group=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")
	[ -c "/dev/vfio/$group" ] || fail "no /dev/vfio/$group for $bdf"
done
[ -c /dev/vfio/vfio ] || fail "no /dev/vfio/vfio"
