#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# Stock vfio-pci, the DPDK sequence: type1 container, group, DMA map, the
# device fd's mmap of ivshmem BAR2. A store there reaches the host's
# ivshmem file, the page-table entry is UC- (arm64: Device-nGnRnE; stock
# vfio-pci maps BARs uncached), and the device resets (ivshmem is alone behind a root port).
. /opt/wc/lib.sh
need_cmd vfio-map-bar
load_module ptecheck
bind_vfio "$WC_BDF_IVSHMEM"

slot=$(ivshmem_slot)
pat=$(run_pattern bar2)
vfio-map-bar "$WC_BDF_IVSHMEM" 2 "$slot" "$pat" --expect "$WC_ATTR_UC" --reset ||
	fail "VFIO mapping of ivshmem BAR2 failed"
host_check_ivshmem "$slot" "$pat"
