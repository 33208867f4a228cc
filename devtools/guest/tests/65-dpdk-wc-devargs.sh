#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 200
# Malformed "wc" device arguments, and ranges the BARs cannot hold,
# refuse the device with an error that quotes the text as typed and says
# why; nothing gets mapped, and a good argument on the same device still
# probes.
. /opt/wc/lib.sh
. /opt/wc/share/dpdk-wc.sh
need_cmd dpdk-wc-probe
load_module vfio-pci-wc
bind_vfio "$WC_BDF_IVSHMEM" vfio-pci-wc

bdf=$WC_BDF_IVSHMEM
n=0
for val in 'bogus' '[7]' '[2:0x100-0x1ff]' '[2:0x2000-0x0fff]' '[2' '[2,,0]' '[0x2]x' '' \
	'[2:0x3000-0x100fff]' '[0,1]'; do
	n=$((n + 1))
	out=/tmp/bad$n.out
	wc_probe_run $out 60 -l 0 -n 1 --file-prefix=wc65 -a "$bdf,wc=$val" -- \
		--dev "$bdf" --no-leftover ||
		fail "wc=$val: dpdk-wc-probe failed: $(grep -m1 '^ERROR' $out)"
	line=$(grep -F "PCI_WC: $bdf: invalid device argument wc=$val: " $out | head -n1)
	[ -n "$line" ] || fail "wc=$val: no error quoting the value"
	info "wc=$val -> ${line#PCI_WC: }"
	grep -q '^PROBES 0$' $out || fail "wc=$val: the device was probed"
	grep -q '^NO-LEFTOVER ok$' $out || fail "wc=$val: mappings left"
done
out=/tmp/good.out
wc_probe_run $out 60 -l 0 -n 1 --file-prefix=wc65 -a "$bdf,wc=[2:0x1000-0x1fff]" -- \
	--dev "$bdf" --show || fail "a good wc argument does not probe"
wc_expect_segs $out 2 wc 1
