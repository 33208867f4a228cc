#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
# Where nothing confirms the memory type of a write-combined mapping, DPDK
# reports it as such: ivshmem on uio_pci_generic, probed by a driver with
# RTE_PCI_DRV_WC_ACTIVATE, gets BAR2 mapped through sysfs resource2_wc,
# and since UIO does not tell which file it mapped (and arm64 has no PAT
# list either) the bus reports BAR2 "wc-unverified" through the query
# API and the segments, BAR0 "uc". The page-table entries show what the
# report could not: BAR2 write-combining (arm64: Normal-NC), BAR0
# uncached (arm64: Device-nGnRE); the bytes stored reach the host's file.
. /opt/wc/lib.sh
. /opt/wc/share/dpdk-wc.sh
need_cmd dpdk-wc-probe
load_module ptecheck
[ -d /sys/bus/pci/drivers/uio_pci_generic ] || fail "uio_pci_generic is not loaded"
bind_vfio "$WC_BDF_IVSHMEM" uio_pci_generic

bdf=$WC_BDF_IVSHMEM
slot=$(ivshmem_slot)
pat=$(run_pattern uio-wc)
out=/tmp/uio.out
# UIO needs physical addresses (hugepages, IOVA as PA).
wc_probe_run $out 120 -l 0 -n 1 -m 64 --iova-mode=pa --file-prefix=wc72 \
	-a "$bdf" -- --dev "$bdf" --show --attr 2:0 --attr 0:0 \
	--write "2:$slot:$pat" ||
	fail "dpdk-wc-probe failed: $(grep -m1 '^ERROR' $out)"
wc_expect_segs $out 2 wc-unverified 1
wc_expect_segs $out 0 uc 1
wc_segs $out 2 wc-unverified | grep -q "pte=$WC_ATTR_WC\$" ||
	fail "BAR2 (resource2_wc) is not $WC_ATTR_WC in the page table"
wc_segs $out 0 uc | grep -q "pte=$WC_ATTR_UC_SYSFS\$" ||
	fail "BAR0 (resource0) is not $WC_ATTR_UC_SYSFS in the page table"
grep -q '^ATTR bar=2 off=0x0 wc-unverified$' $out ||
	fail "rte_pci_mem_attr_get(BAR2, 0) is not wc-unverified"
grep -q '^ATTR bar=0 off=0x0 uc$' $out || fail "rte_pci_mem_attr_get(BAR0, 0) is not uc"
grep -q "^WROTE bar=2 off=$slot .* pte=$WC_ATTR_WC\$" $out ||
	fail "BAR2 store not through a $WC_ATTR_WC entry"
host_check_ivshmem "$slot" "$pat"
unbind_dev "$bdf"
