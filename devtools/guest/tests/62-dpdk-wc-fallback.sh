#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
# On stock vfio-pci (no dma-buf memory attribute), the PCI bus falls back
# as documented: with wc=auto a driver's WC request (WC_ACTIVATE) is
# mapped uncached with exactly one NOTICE line naming the device and BAR;
# an explicit wc=[2] fails the probe with one error naming the device,
# BAR, range and reason, and leaves nothing mapped.
. /opt/wc/lib.sh
. /opt/wc/share/dpdk-wc.sh
need_cmd dpdk-wc-probe
load_module ptecheck
bind_vfio "$WC_BDF_IVSHMEM" vfio-pci

bdf=$WC_BDF_IVSHMEM
reason="the kernel cannot export BAR ranges as dma-buf"
out=/tmp/auto.out
# Only NOTICE and above of the write-combining log type.
wc_probe_run $out 60 -l 0 -n 1 --file-prefix=wc62 -a "$bdf,wc=auto" \
	--log-level=bus.pci.wc:notice -- --dev "$bdf" --show --attr 2:0 \
	--telemetry "/pci/wc,$bdf" ||
	fail "wc=auto: dpdk-wc-probe failed: $(grep -m1 '^ERROR' $out)"
expect_eq "$(grep -c 'PCI_WC: ' $out)" 1 "wc=auto: write-combining log lines"
grep -q "^PCI_WC: $bdf: BAR2 mapped uncached, write-combining unavailable: $reason$" $out ||
	fail "wc=auto: the NOTICE line does not name device, BAR and reason"
wc_expect_segs $out 2 uc 1
wc_expect_segs $out 2 wc 0
wc_segs $out 2 uc | grep -q 'requested=wc effective=uc .* pte=UC' ||
	fail "wc=auto: BAR2 is not uncached in the page table"
grep -q '^ATTR bar=2 off=0x0 uc$' $out || fail "wc=auto: rte_pci_mem_attr_get(BAR2) is not uc"
grep -q '^TELEMETRY {"/pci/wc":.*"bar2_0x0":{"bar":2,"range":"0x0-0xfffff","len":1048576,"requested":"wc","effective":"uc"}' $out ||
	fail "wc=auto: telemetry does not show BAR2 requested wc, effective uc"

out=/tmp/list.out
wc_probe_run $out 60 -l 0 -n 1 --file-prefix=wc62 -a "$bdf,wc=[2]" -- \
	--dev "$bdf" --no-leftover ||
	fail "wc=[2]: dpdk-wc-probe failed: $(grep -m1 '^ERROR' $out)"
expect_eq "$(grep -c 'write-combining' $out)" 1 "wc=[2]: write-combining error lines"
grep -q "^PCI_WC: $bdf: cannot map BAR2 range 0x0-0xfffff write-combining: $reason$" $out ||
	fail "wc=[2]: no error naming device, BAR, range and reason"
grep -q "^PROBES 0$" $out || fail "wc=[2]: the driver was probed"
grep -q "^NO-LEFTOVER ok$" $out || fail "wc=[2]: mappings left after the failed probe"
