#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
# A driver's probe fails with -EAGAIN at EAL init; rte_bus_probe() probes
# the device again with the same devargs, whose "wc" must still hold:
# on vfio-pci-wc, wc=[2:0x1000-0x1fff] maps that page write-combining
# (not the whole BAR the driver's WC_ACTIVATE asks for under wc=auto);
# on stock vfio-pci the required request fails the mapping of both
# probes (before the driver is called), instead of the second one
# probing uncached.
. /opt/wc/lib.sh
# shellcheck source=devtools/guest/dpdk-wc.sh
. /opt/wc/share/dpdk-wc.sh
wc_ivshmem_setup

export WC_PROBE_FAIL=1
out=/tmp/again.out
wc_probe_run $out 60 -l 0 -n 1 --file-prefix=wc67 -a "$bdf,wc=[2:0x1000-0x1fff]" -- \
	--bus-probe --dev "$bdf" --show ||
	fail "dpdk-wc-probe failed: $(grep -m1 '^ERROR' $out)"
expect_eq "$(grep -c '^PROBE-EAGAIN ' $out)" 1 "probes failed with -EAGAIN"
grep -q '^BUS-PROBE 0 probed$' $out || fail "rte_bus_probe() did not probe the device"
wc_expect_segs $out 2 wc 1
wc_segs $out 2 wc | grep -q 'range=0x1000-0x1fff requested=wc effective=wc ' ||
	fail "the second probe did not map wc=[2:0x1000-0x1fff]: $(wc_segs $out 2 wc)"

bind_vfio "$bdf" vfio-pci
out=/tmp/again-stock.out
wc_probe_run $out 60 -l 0 -n 1 --file-prefix=wc67 -a "$bdf,wc=[2]" -- \
	--bus-probe --no-leftover
unset WC_PROBE_FAIL
grep -q '^BUS-PROBE 0 not probed$' $out ||
	fail "stock vfio-pci: the second probe did not fail: $(grep '^BUS-PROBE' $out)"
expect_eq "$(grep -c "^PCI_WC: $bdf: cannot map BAR2 range 0x0-0xfffff write-combining: " $out)" 2 \
	"stock vfio-pci: errors of the two probes"
grep -q '^PROBES 0$' $out || fail "stock vfio-pci: the driver was probed"
grep -q '^NO-LEFTOVER ok$' $out || fail "stock vfio-pci: mappings left"
