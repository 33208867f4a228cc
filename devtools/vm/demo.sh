#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Demo: boot the QEMU test guest (Debian kernel, emulated IOMMU, real
# vfio-pci) and run the main job, dpdk-testpmd forwarding packets between
# a virtio-net and an e1000e port: first on stock vfio-pci, then on
# vfio-pci-wc with the virtio notify page write-combined
# (wc=[4:0x3000-0x3fff]). Prints a short summary per run: devices and
# drivers, the memory type of each BAR range while testpmd ran, the
# write-combining segments DPDK reported, and the packet counters.
#
# usage: devtools/vm/demo.sh
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

out=$WC_GUEST_OUT/demo
mkdir -p "$out"
echo "Booting the test guest (QEMU TCG, about 1 min)..."
WC_GUEST_TESTS_DIR=$WC_GUEST_DIR/demo WC_GUEST_OUT=$out \
	"$WC_VM_DIR/run-tests.sh" >"$out/verdicts.txt" 2>"$out/run-tests.log"
rc=$?
log=$out/run/tests/10-testpmd.log

summary() { # <phase> <title>
	awk -v ph="$1" -v title="$2" '
	$1 != "DEMO" || $2 != ph { next }
	$3 == "missing" { $1 = $2 = $3 = ""; printf "\n%s: skipped,%s\n", title, $0; exit }
	$3 == "device" { ndev++; dev[ndev] = $4; id[$4] = $5; drv[$4] = $6 }
	$3 == "args" { args = $4 " " $5 }
	$3 == "source" { $1 = $2 = $3 = ""; sub(/^ +/, ""); src = $0 }
	$3 == "bar" {
		line = sprintf("    %s BAR%s (%s):", $4, $5, $6)
		for (i = 7; i <= NF; i++) line = line " " $i
		bars = bars line "\n" }
	$3 == "wc" { $1 = $2 = $3 = ""; sub(/^ +/, ""); wc = wc "    " $0 "\n" }
	$3 == "probe" { probe[$4] = $5 }
	$3 == "rx" { rx[$4] = $5 }
	$3 == "tx" { tx[$4] = $5 }
	$3 == "seconds" { secs = $4 }
	END {
		if (!ndev)
			exit
		printf "\n%s\n  devargs: %s\n", title, args
		for (i = 1; i <= ndev; i++)
			printf "  %s  %s  kernel driver %s, DPDK driver %s\n", dev[i],
				id[dev[i]], drv[dev[i]],
				dev[i] in probe ? probe[dev[i]] : "none"
		printf "  BAR memory types while testpmd ran (%s):\n%s", src, bars
		if (wc != "")
			printf "  DPDK write-combining segments:\n%s", wc
		printf "  io forwarding for %s s:\n", secs
		for (p = 0; p < 2; p++) {
			printf "    port %d  RX %9d  TX %9d\n", p, rx[p], tx[p]
			total += rx[p]
		}
		if (secs > 0)
			printf "    %.0f packets/s received (software-emulated)\n", total / secs
	}' "$log"
}

case $WC_GUEST_ARCH in
arm64) machine="virt + SMMUv3" ;;
*) machine="q35 + intel-iommu" ;;
esac
echo "Guest: Debian kernel $(sed -n 's/^WC_GUEST_KVER=//p' \
	"$out/image/root/etc/wc-guest.env" 2>/dev/null), QEMU TCG $machine"
if [ -f "$log" ]; then
	summary stock "1) stock vfio-pci: every BAR uncached"
	summary wc "2) vfio-pci-wc: virtio notify page write-combining"
fi
echo
echo "Result: $(grep -E '/10-testpmd' "$out/verdicts.txt" || echo 'no result')"
echo "Logs: $out/run (console.log, dmesg.log, tests/10-testpmd.log)"
exit $rc
