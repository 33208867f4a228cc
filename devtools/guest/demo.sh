#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Demo: boot the QEMU test guest (Debian kernel, emulated IOMMU, real
# vfio-pci) and run the main job, dpdk-testpmd forwarding packets between
# a virtio-net and an e1000e port bound to vfio-pci, then print a short
# summary: devices, drivers, the memory type of each BAR mapping while
# testpmd ran, and the packet counters.
#
# usage: devtools/guest/demo.sh
# WC_DEMO_EAL_ARGS adds devargs to the virtio-net port (e.g. wc=...).
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

out=$WC_GUEST_OUT/demo
mkdir -p "$out"
WC_GUEST_TESTS_DIR=$WC_GUEST_DIR/demo WC_GUEST_OUT=$out \
	"$WC_GUEST_DIR/run-tests.sh" >"$out/verdicts.txt" 2>"$out/run-tests.log"
rc=$?
log=$out/run/tests/10-testpmd.log

summary() {
	awk '
	$1 == "DEMO" && $2 == "device" { ndev++; dev[ndev] = $3; id[$3] = $4; drv[$3] = $5 }
	$1 == "DEMO" && $2 == "bar" {
		line = sprintf("  %s BAR%s (%s):", $3, $4, $5)
		for (i = 6; i <= NF; i++) line = line " " $i
		bars = bars line "\n" }
	$1 == "DEMO" && $2 == "probe" { probe[$3] = $4 }
	$1 == "DEMO" && $2 == "rx" { rx[$3] = $4 }
	$1 == "DEMO" && $2 == "tx" { tx[$3] = $4 }
	$1 == "DEMO" && $2 == "seconds" { secs = $3 }
	END {
		for (i = 1; i <= ndev; i++)
			printf "  %s  %s  kernel driver %s, DPDK driver %s\n", dev[i],
				id[dev[i]], drv[dev[i]],
				dev[i] in probe ? probe[dev[i]] : "none"
		printf "BAR memory types while testpmd ran (x86 PAT list):\n%s", bars
		printf "testpmd io forwarding, %s s:\n", secs
		for (p = 0; p < 2; p++) {
			printf "  port %d  RX %10d  TX %10d\n", p, rx[p], tx[p]
			total += rx[p]
		}
		if (secs > 0)
			printf "  %d packets received, %.0f pkt/s (software-emulated)\n", total, total / secs
	}' "$log"
}

echo "Guest: Debian kernel $(sed -n 's/^WC_GUEST_KVER=//p' \
	"$out/image/root/etc/wc-guest.env" 2>/dev/null), QEMU TCG q35 + intel-iommu"
if [ -f "$log" ]; then
	echo "Devices:"
	summary
	grep -E 'Using IOMMU type|IOVA mode' "$log" | sed 's/^/  EAL: /; s/EAL: EAL: /EAL: /'
fi
echo "Result: $(grep -E '/10-testpmd' "$out/verdicts.txt" || echo 'no result')"
echo "Logs: $out/run (console.log, dmesg.log, tests/10-testpmd.log)"
exit $rc
