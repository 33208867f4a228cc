#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
# ivshmem BAR2 with UC and WC pages side by side, mapped in every order
# (device file first, dma-buf first, pread first): each page's PTE
# attribute and the PAT memtype list are checked.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all
wc_selftest vfio_pci_wc_mixed_test
