#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
# The memory attribute feature and dma-buf mmap(): errors, the
# prefetchable-only policy, WC mappings are WC in the page table and the
# PAT list, and bytes stored through WC reach the host's ivshmem file.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all

slot=$(ivshmem_slot)
pat=$(run_pattern wc-store)
export VFIO_WC_SLOT="$slot" VFIO_WC_PATTERN="$pat"
wc_selftest vfio_pci_wc_memattr_test
host_check_ivshmem "$slot" "$pat"
