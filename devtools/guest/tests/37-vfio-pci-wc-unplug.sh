#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
# Hot unplug (sysfs remove) of ivshmem while a write-combined dma-buf of
# it is open and mapped: the removal completes once the device file is
# closed, the dma-buf is revoked and keeps nothing of the removed device
# (its reset set works once it is rescanned and bound again), and its
# release drops the module reference. Leaves ivshmem bound to vfio-pci-wc.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all

wc_selftest vfio_pci_wc_unplug_test
expect_eq "$(dev_driver "$WC_BDF_IVSHMEM")" vfio-pci-wc "ivshmem driver after rescan"
