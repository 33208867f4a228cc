#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# Bounded kernel state (vfio_pci_wc_limits_test): one WC reservation per
# distinct range whatever the number of dma-bufs and ranges, overlapping
# reservations refused, ENOSPC beyond the per-device caps, nothing left
# reserved after close. Prints the PAT memtype entries of BAR2 after.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all
wc_selftest vfio_pci_wc_limits_test
info "PAT entries in ivshmem BAR2 after the test: $(wc_pat_lines "$WC_BDF_IVSHMEM" 2 | wc -l)"
