#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
# VFIO_DEVICE_FEATURE_DMA_BUF through vfio-pci-wc: every malformed export
# (argsz, flags, open flags, region, ranges, nr_ranges) fails with its
# errno; valid ranges concatenate into one dma-buf.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all

wc_selftest vfio_pci_wc_export_test
