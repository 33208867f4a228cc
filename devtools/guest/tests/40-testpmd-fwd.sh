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

# The final "Forward statistics for port N" blocks.
stat() { # <port> <RX|TX> <packets|dropped>
	awk -v p="$1" -v k="$2-$3:" '
		/Forward statistics for port/ { cur = ($6 == p) }
		/Accumulated forward statistics/ { cur = 0 }
		cur { for (i = 1; i < NF; i++) if ($i == k) v = $(i + 1) }
		END { print v + 0 }' "$out"
}
rx0=$(stat 0 RX packets) tx0=$(stat 0 TX packets)
rx1=$(stat 1 RX packets) tx1=$(stat 1 TX packets)
info "port0 RX $rx0 TX $tx0, port1 RX $rx1 TX $tx1"
echo "TESTPMD port0_rx=$rx0 port0_tx=$tx0 port1_rx=$rx1 port1_tx=$tx1"
for v in "$rx0" "$tx0" "$rx1" "$tx1"; do
	[ "$v" -gt 0 ] || fail "a port counter is zero (port0 RX $rx0 TX $tx0, port1 RX $rx1 TX $tx1)"
done
# In flight at the stop: at most one ring of descriptors per direction.
inflight=512
d=$((tx1 - rx0)); [ ${d#-} -le $inflight ] || fail "port0 RX $rx0 vs port1 TX $tx1"
d=$((tx0 - rx1)); [ ${d#-} -le $inflight ] || fail "port1 RX $rx1 vs port0 TX $tx0"
for p in 0 1; do
	for dir in RX TX; do
		expect_eq "$(stat $p $dir dropped)" 0 "port$p $dir-dropped"
	done
done
