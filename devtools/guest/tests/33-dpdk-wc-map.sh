#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 400
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

# A driver that maps the device itself asks for one WC page: BAR2 mixes
# device fd (UC) and dma-buf (WC) segments; the next page stays UC.
# (The second page of this test's ivshmem slot; the page after it is only
# read.)
api=$(printf '0x%x' $((slot + 0x1000)))
run_map api-range PCI_WC_TEST_API=1 PCI_WC_TEST_ARGS=wc=auto \
	PCI_WC_TEST_OFFSET="$api" PCI_WC_TEST_PATTERN="$pat-api" \
	PCI_WC_TEST_EXPECT=wc
expect_eq "$(grep -c '^BAR2 ' /tmp/api-range.out)" 3 "BAR2 segments (UC, WC, UC)"
host_check_ivshmem "$api" "$pat-api"

# Multi-process: a secondary maps the primary's plan at the same address
# with the same attribute (its own dma-buf), and its stores reach the
# device too. Shared memory needs hugepages here.
mp_common="PCI_WC_TEST_BDF=$WC_BDF_IVSHMEM PCI_WC_TEST_ARGS=wc=[2] PCI_WC_TEST_EXPECT=wc DPDK_TEST=pci_wc_map_autotest"
mp1=$(printf '0x%x' $((slot + 0x800)))
mp2=$(printf '0x%x' $((slot + 0x1800)))
rm -f /tmp/wcmp.go
# shellcheck disable=SC2086 # mp_common is a list of assignments
env $mp_common PCI_WC_TEST_HOLD_FILE=/tmp/wcmp.go \
	PCI_WC_TEST_OFFSET="$mp1" PCI_WC_TEST_PATTERN="$pat-p" \
	timeout -s KILL 150 dpdk-test -l 0 -n 1 -m 64 --file-prefix=wcmp \
	-a 0000:ff:1f.7 >/tmp/mp-primary.out 2>&1 </dev/null &
primary=$!
i=0
while ! grep -q '^holding the mapping' /tmp/mp-primary.out; do
	i=$((i + 1))
	{ [ $i -lt 120 ] && kill -0 $primary 2>/dev/null; } ||
		{ cat /tmp/mp-primary.out; fail "primary did not map the device"; }
	sleep 1
done
addr=$(sed -n 's/^BAR2 0x0-0xfffff at \(0x[0-9a-f]*\) .*/\1/p' /tmp/mp-primary.out)
# shellcheck disable=SC2086
env $mp_common PCI_WC_TEST_EXPECT_ADDR="$addr" \
	PCI_WC_TEST_OFFSET="$mp2" PCI_WC_TEST_PATTERN="$pat-s" \
	timeout -s KILL 100 dpdk-test -l 1 -n 1 --proc-type=secondary \
	--file-prefix=wcmp -a 0000:ff:1f.7 >/tmp/mp-secondary.out 2>&1 </dev/null
touch /tmp/wcmp.go
wait $primary
cat /tmp/mp-primary.out /tmp/mp-secondary.out
grep -q '^Test OK' /tmp/mp-secondary.out || fail "secondary process checks failed"
grep -q '^Test OK' /tmp/mp-primary.out || fail "primary process checks failed"
host_check_ivshmem "$mp1" "$pat-p"
host_check_ivshmem "$mp2" "$pat-s"

# A required WC range vfio-pci-wc refuses (e1000e BAR3 is not
# prefetchable) fails the probe after BARs 0 and 1 were mapped: they must
# be unmapped again.
bind_vfio "$WC_BDF_E1000E" vfio-pci-wc
env PCI_WC_TEST_BDF="$WC_BDF_E1000E" PCI_WC_TEST_ARGS='wc=[3]' \
	PCI_WC_TEST_EXPECT=refused DPDK_TEST=pci_wc_map_autotest \
	timeout -s KILL 120 dpdk-test -l 0-1 -n 1 --no-huge -m 256 \
	--file-prefix=wc-refused -a 0000:ff:1f.7 >/tmp/wc-refused.out 2>&1 </dev/null
cat /tmp/wc-refused.out
grep -q '^Test OK' /tmp/wc-refused.out || fail "refused WC range left a mapping or probed"
grep -q "$WC_BDF_E1000E: cannot map BAR3 range 0x[0-9a-f]*-0x3fff write-combining: .* failed: " \
	/tmp/wc-refused.out || fail "no error naming device, BAR, range and the refusal"
unbind_dev "$WC_BDF_E1000E"

bind_vfio "$WC_BDF_IVSHMEM" vfio-pci
# Stock vfio-pci exports dma-bufs from Linux 6.19 on, without a memory
# attribute; before, it cannot export them at all.
case $WC_GUEST_KVER in
6.1.* | 6.1[0-8].*) reason="the kernel cannot export BAR ranges as dma-buf" ;;
*) reason="the kernel cannot set a dma-buf memory attribute" ;;
esac
run_map stock-explicit PCI_WC_TEST_ARGS='wc=[2]' PCI_WC_TEST_EXPECT=refused
grep -q "$WC_BDF_IVSHMEM: cannot map BAR2 range 0x0-0xfffff write-combining: $reason" \
	/tmp/stock-explicit.out || fail "no error naming device, BAR, range and reason"

run_map stock-fallback PCI_WC_TEST_ARGS='wc=auto' PCI_WC_TEST_WC_ACTIVATE=1 \
	PCI_WC_TEST_EXPECT=uc
expect_eq "$(grep -c "PCI_WC: $WC_BDF_IVSHMEM: BAR2 mapped uncached, write-combining unavailable" /tmp/stock-fallback.out)" \
	1 "fallback notices"
unbind_dev "$WC_BDF_IVSHMEM"
