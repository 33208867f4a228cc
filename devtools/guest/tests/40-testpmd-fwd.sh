#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
# dpdk-testpmd probes virtio-net and e1000e on vfio-pci and forwards
# packets between them (the two ports share a QEMU hub): both ports must
# receive and send, each port's RX must match the other's TX (up to the
# packets in flight), and nothing is dropped.
. /opt/wc/lib.sh
need_cmd dpdk-testpmd
bind_vfio "$WC_BDF_VIRTIO"
bind_vfio "$WC_BDF_E1000E"

out=/tmp/testpmd.out
# SIGINT makes testpmd stop forwarding and print its statistics; the
# outer KILL covers a port configuration that hangs and ignores SIGINT.
timeout -s KILL 120 timeout -s INT 10 \
	dpdk-testpmd -l 0-1 -n 1 --file-prefix=wcfwd \
	-a "$WC_BDF_VIRTIO" -a "$WC_BDF_E1000E" -- \
	--total-num-mbufs=2048 --rxq=1 --txq=1 --rxd=256 --txd=256 \
	--nb-cores=1 --forward-mode=io --tx-first --stats-period 5 >"$out" 2>&1
rc=$?
cat "$out"
grep -q 'Bye' "$out" || fail "testpmd did not exit cleanly (status $rc)"
grep -q 'Using IOMMU type 1' "$out" || fail "EAL did not use VFIO type1"
grep -q "Probe PCI driver: net_virtio .* device: $WC_BDF_VIRTIO" "$out" ||
	fail "net_virtio did not probe $WC_BDF_VIRTIO"
grep -q "Probe PCI driver: net_e1000_em .* device: $WC_BDF_E1000E" "$out" ||
	fail "net_e1000_em did not probe $WC_BDF_E1000E"

testpmd_expect_forwarded "$out"
for p in 0 1; do
	for dir in RX TX; do
		expect_eq "$(testpmd_stat "$out" $p $dir dropped)" 0 "port$p $dir-dropped"
	done
done
