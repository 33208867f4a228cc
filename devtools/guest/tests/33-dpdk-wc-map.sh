#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# DPDK's PCI bus maps ivshmem BAR2 write-combined (-a BDF,wc=[2]) through
# vfio-pci-wc's dma-buf uAPI: the segment is a dma-buf mapping, its PTE
# and the PAT list say WC, the bytes stored reach the host's file, and
# removing the device unmaps it (pci_wc_map_autotest). On stock vfio-pci
# the explicit request is refused with the reason, and a driver's
# RTE_PCI_DRV_WC_ACTIVATE falls back to uncached with one notice.
. /opt/wc/lib.sh
need_cmd dpdk-test
load_module ptecheck
load_module vfio-pci-wc

slot=$(ivshmem_slot)
pat=$(run_pattern dpdk-wc)

# run_map <name> [VAR=value...]: pci_wc_map_autotest on ivshmem
run_map() {
	local name=$1 out=/tmp/$1.out rc
	shift
	env PCI_WC_TEST_BDF="$WC_BDF_IVSHMEM" "$@" DPDK_TEST=pci_wc_map_autotest \
		timeout -s KILL 120 dpdk-test -l 0-1 -n 1 --no-huge -m 256 \
		--file-prefix="$name" \
		-a 0000:ff:1f.7 >"$out" 2>&1 </dev/null
	rc=$?
	cat "$out"
	grep -q '^Test OK' "$out" || fail "$name: pci_wc_map_autotest failed (status $rc)"
}

bind_vfio "$WC_BDF_IVSHMEM" vfio-pci-wc
run_map wc-variant PCI_WC_TEST_ARGS='wc=[2]' PCI_WC_TEST_OFFSET="$slot" \
	PCI_WC_TEST_PATTERN="$pat" PCI_WC_TEST_EXPECT=wc
grep -q "PCI_WC: $WC_BDF_IVSHMEM: BAR2 range 0x0-0xfffff: write-combining, effective wc" \
	/tmp/wc-variant.out || fail "no INFO line for the WC segment"
host_check_ivshmem "$slot" "$pat"

bind_vfio "$WC_BDF_IVSHMEM" vfio-pci
run_map stock-explicit PCI_WC_TEST_ARGS='wc=[2]' PCI_WC_TEST_EXPECT=refused
grep -q "$WC_BDF_IVSHMEM: cannot map BAR2 range 0x0-0xfffff write-combining: the kernel cannot export BAR ranges as dma-buf" \
	/tmp/stock-explicit.out || fail "no error naming device, BAR, range and reason"

run_map stock-fallback PCI_WC_TEST_ARGS='wc=auto' PCI_WC_TEST_WC_ACTIVATE=1 \
	PCI_WC_TEST_EXPECT=uc
expect_eq "$(grep -c "PCI_WC: $WC_BDF_IVSHMEM: BAR2 mapped uncached, write-combining unavailable" /tmp/stock-fallback.out)" \
	1 "fallback notices"
unbind_dev "$WC_BDF_IVSHMEM"
