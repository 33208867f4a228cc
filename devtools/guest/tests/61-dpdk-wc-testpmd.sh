#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 200
# dpdk-testpmd on vfio-pci-wc forwards between virtio-net, whose notify
# area is asked write-combining (wc=[4:0x3000-0x3fff]), and e1000e
# (wc=auto; non-prefetchable BARs, so nothing WC): the virtio driver
# accepts its arguments once the bus took "wc" out, both ports forward
# (non-zero, matching counters), and "show device info" shows the
# virtio notify page as the one WC segment next to UC ones. The page
# tables of the forwarding testpmd agree: its notify page mapping is WC
# (arm64: Normal-NC), the rest of virtio BAR4 and e1000e uncached.
. /opt/wc/lib.sh
need_cmd dpdk-testpmd
need_cmd ptecheck
load_module ptecheck
load_module vfio-pci-wc
bind_vfio "$WC_BDF_VIRTIO" vfio-pci-wc
bind_vfio "$WC_BDF_E1000E" vfio-pci-wc

out=/tmp/testpmd.out
ranges=/tmp/testpmd.ranges
# The commands arrive on stdin while testpmd runs: forward for 15 s, and
# read the memory types of its BAR mappings meanwhile.
(
	echo "show device info $WC_BDF_VIRTIO"
	echo "show device info $WC_BDF_E1000E"
	echo "start tx_first"
	sleep 5
	for bdf in "$WC_BDF_VIRTIO" "$WC_BDF_E1000E"; do
		echo "DEVICE $bdf"
		ptecheck --pid "$(pidof dpdk-testpmd)" "$bdf"
	done >$ranges 2>&1
	sleep 10
	echo "stop"
	echo "quit"
) | timeout -s KILL 150 dpdk-testpmd -l 0-1 -n 1 --file-prefix=wc61 \
	-a "$WC_BDF_VIRTIO,wc=[4:0x3000-0x3fff]" -a "$WC_BDF_E1000E,wc=auto" -- \
	-i --total-num-mbufs=2048 --rxq=1 --txq=1 --rxd=256 --txd=256 \
	--nb-cores=1 --forward-mode=io >"$out" 2>&1
rc=$?
cat "$out"
grep -q 'Bye' "$out" || fail "testpmd did not exit cleanly (status $rc)"
grep -q "Probe PCI driver: net_virtio .* device: $WC_BDF_VIRTIO" "$out" ||
	fail "net_virtio did not probe $WC_BDF_VIRTIO"
grep -q "Probe PCI driver: net_e1000_em .* device: $WC_BDF_E1000E" "$out" ||
	fail "net_e1000_em did not probe $WC_BDF_E1000E"
grep -q "PCI_WC: $WC_BDF_VIRTIO: BAR4 range 0x3000-0x3fff: write-combining, effective wc" "$out" ||
	fail "no probe-time line for the virtio notify WC segment"

# The "show device info" block of one device: its BAR segment lines.
segs() { # <bdf>
	awk -v d="$1" '/Infos for device/ { cur = ($5 == d) }
		cur && /^\tBAR[0-9]/ { print }' "$out"
}
info "virtio-net segments:"
segs "$WC_BDF_VIRTIO"
info "e1000e segments:"
segs "$WC_BDF_E1000E"
expect_eq "$(segs "$WC_BDF_VIRTIO" | grep -c -- '-> wc$')" 1 "virtio WC segments"
segs "$WC_BDF_VIRTIO" | grep -q '^.BAR4 0x00003000-0x00003fff wc -> wc$' ||
	fail "virtio BAR4 notify page is not the WC segment"
segs "$WC_BDF_VIRTIO" | grep -q '^.BAR4 0x00000000-0x00002fff uc -> uc$' ||
	fail "virtio BAR4 0x0-0x2fff is not UC"
[ "$(segs "$WC_BDF_E1000E" | grep -c -- '-> uc$')" -ge 2 ] ||
	fail "e1000e: expected UC segments for BAR0 and BAR1"
! segs "$WC_BDF_E1000E" | grep -q -- 'wc' || fail "e1000e has a WC segment"

info "memory types of testpmd's BAR mappings while forwarding:"
cat $ranges
# Per device: "RANGE bar=N first-last type" lines.
dev_ranges() { # <bdf>
	awk -v d="$1" '$1 == "DEVICE" { cur = ($2 == d); next } cur' $ranges
}
dev_ranges "$WC_BDF_VIRTIO" | grep -qx "RANGE bar=4 0x3000-0x3fff $WC_ATTR_WC" ||
	fail "testpmd's virtio notify page is not mapped $WC_ATTR_WC"
expect_eq "$(dev_ranges "$WC_BDF_VIRTIO" | grep -c " $WC_ATTR_WC\$")" 1 \
	"virtio ranges mapped $WC_ATTR_WC"
! dev_ranges "$WC_BDF_VIRTIO" | grep -v -e " $WC_ATTR_WC\$" -e " $WC_ATTR_UC\$" | grep -q . ||
	fail "virtio has a range mapped neither $WC_ATTR_WC nor $WC_ATTR_UC"
dev_ranges "$WC_BDF_E1000E" | grep -q "^RANGE bar=0 .* $WC_ATTR_UC\$" ||
	fail "testpmd's e1000e BAR0 is not mapped $WC_ATTR_UC"
! dev_ranges "$WC_BDF_E1000E" | grep -v " $WC_ATTR_UC\$" | grep -q . ||
	fail "e1000e has a range not mapped $WC_ATTR_UC"

testpmd_expect_forwarded "$out"
