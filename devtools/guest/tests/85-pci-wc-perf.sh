#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 240
# dpdk-test pci_wc_perf_autotest on ivshmem bound to vfio-pci-wc: this
# test's slot of BAR2 is one page mapped write-combining (the descriptor
# ring) and one page uncached, the doorbell is the IntrMask register of
# BAR0. The test must run (not skip), print the table and store its tag
# through both mappings; the host checks the tag reached the ivshmem file.
. /opt/wc/lib.sh
need_cmd dpdk-test
load_module vfio-pci-wc
bind_vfio "$WC_BDF_IVSHMEM" vfio-pci-wc

slot=$(ivshmem_slot)
wc_ring=$((slot))
uc_ring=$((slot + 0x1000))
tag=$(run_pattern bench)
out=/tmp/pci_wc_perf.out

DPDK_TEST=pci_wc_perf_autotest \
DPDK_TEST_PCI_WC_DEV=$WC_BDF_IVSHMEM \
DPDK_TEST_PCI_WC_RING=$(printf '2:0x%x:0x1000' $wc_ring) \
DPDK_TEST_PCI_WC_UC_RING=$(printf '2:0x%x:0x1000' $uc_ring) \
DPDK_TEST_PCI_WC_DOORBELL=0:0x0 \
DPDK_TEST_PCI_WC_TIME_MS=${WC_PERF_TIME_MS:-1000} \
DPDK_TEST_PCI_WC_TAG=$tag \
DPDK_TEST_PCI_WC_LABEL="QEMU TCG emulation, not hardware" \
	timeout -s KILL 200 dpdk-test -l 0 -n 1 --no-huge -m 256 \
	--file-prefix=wcperf -a "$WC_BDF_IVSHMEM" >"$out" 2>&1
rc=$?
cat "$out"
grep -q '^Test Skipped' "$out" &&
	fail "the benchmark skipped: $(grep -B1 '^Test Skipped' "$out" | head -n 1)"
{ [ $rc -eq 0 ] && grep -q '^Test OK' "$out"; } || fail "dpdk-test exited with status $rc"
grep -q '^wc range: .* effective wc$' "$out" ||
	fail "the ring was not mapped write-combining: $(grep '^wc range' "$out")"
grep -q '^uc range: .* effective uc$' "$out" ||
	fail "the uncached range is not uncached: $(grep '^uc range' "$out")"
grep -q 'QEMU TCG emulation, not hardware' "$out" || fail "the table is not labelled"
for row in 'burst 1,' 'burst 32,' 'doorbell write'; do
	grep -q "^| .*$row" "$out" || fail "no '$row' row in the table"
done
# Every rate is a positive number.
bad=$(awk -F'|' '/^\| (64B|doorbell)/ {
	for (i = 3; i <= 4; i++) { v = $i; gsub(/ /, "", v); if (v != "-" && v + 0 <= 0) print $2 } }' "$out")
[ -z "$bad" ] || fail "a rate is zero: $bad"
host_check_ivshmem "$wc_ring" "$tag"
host_check_ivshmem "$uc_ring" "$tag"
