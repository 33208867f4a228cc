#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# A WC dma-buf passed with SCM_RIGHTS and kept by a fork child after the
# exporting process closed the device and exited: the child's stores
# reach the device (read back through the device file, checked here on
# the host) until the device's last owner revokes it, then SIGBUS; D3hot
# and function level reset through config space while a dma-buf mapping
# is written in a loop; command register writes from a buffer rewritten
# under them; on x86_64, FLR of the virtio function and hot resets
# through it while WC dma-bufs of it and of the large ivshmem (the other
# function of its reset set) are mapped and written in a loop
# (vfio_pci_wc_lifecycle_test). Seeded and bounded:
# 20 s per scenario on the debug kernel, 3 s elsewhere; 29 then unloads
# the module.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all
wc_bind_reset_set

slot=$(ivshmem_slot)
pat=$(run_pattern kept-mapping)
export VFIO_WC_SLOT="$slot" VFIO_WC_PATTERN="$pat"
case "$WC_GUEST_KVER" in
*-wc-debug) export VFIO_WC_SECONDS="${VFIO_WC_SECONDS:-20}" ;;
*) export VFIO_WC_SECONDS="${VFIO_WC_SECONDS:-3}" ;;
esac
wc_selftest vfio_pci_wc_lifecycle_test
host_check_ivshmem "$(printf '0x%x' $((slot + 0x800)))" "$pat"
