#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# A 4 GiB BAR managed for write-combining (vfio_pci_wc_large_test on the
# large ivshmem): whole-BAR and scattered WC ranges of many dma-bufs, one
# reservation per distinct range and no kernel mapping of any; WC stores
# near 0, 2 GiB and the end of the BAR reach the host's sparse file
# (checked by 35-vfio-pci-wc-large.host). Prints the kernel address space
# and PAT figures.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
if [ -z "$WC_BDF_IVSHMEM_LARGE" ] || [ ! -d "/sys/bus/pci/devices/$WC_BDF_IVSHMEM_LARGE" ]; then
	skip "no large ivshmem on this machine (x86_64 only)"
fi
wc_bind_all
wc_bind_reset_set
bind_vfio "$WC_BDF_IVSHMEM_LARGE" vfio-pci-wc

VFIO_WC_PATTERN=$(run_pattern large)
export VFIO_WC_PATTERN
wc_selftest vfio_pci_wc_large_test "$WC_BDF_IVSHMEM_LARGE"
grep -c '^LARGECHECK ' /tmp/vfio_pci_wc_large_test.out | grep -qx 5 ||
	fail "expected 5 stores for the host to check"
