#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
# A DPDK process probes ivshmem on vfio-pci-wc with wc=[2], through the
# PCI bus like a PMD: BAR2 is one write-combining segment and BAR0 one
# uncached segment, as the query API, telemetry and the page-table
# entries agree (arm64: Normal-NC and Device-nGnRnE); on x86 the PAT
# list shows BAR2 write-combining only; the bytes stored
# through BAR2 reach the host's file, a BAR0 register keeps the value
# stored through the UC mapping; one INFO line per WC segment at probe.
. /opt/wc/lib.sh
# shellcheck source=devtools/guest/dpdk-wc.sh
. /opt/wc/share/dpdk-wc.sh
wc_ivshmem_setup
pat=$(run_pattern bar2)
out=/tmp/probe.out
wc_probe_run $out 120 -l 0 -n 1 --file-prefix=wc60 -a "$bdf,wc=[2]" -- \
	--dev "$bdf" --write "2:$slot:$pat" --poke 0:0:a5a5f00d --show \
	--attr 2:0 --attr 2:0xff000 --attr 0:0 --telemetry "/pci/wc,$bdf" \
	--telemetry /pci/wc_list ||
	fail "dpdk-wc-probe failed: $(grep -m1 '^ERROR' $out)"

expect_eq "$(grep -c "PCI_WC: $bdf: BAR2 range 0x0-0xfffff: write-combining, effective wc" $out)" 1 \
	"probe-time INFO lines for the BAR2 WC segment"
expect_eq "$(grep -c 'PCI_WC: .*write-combining, effective' $out)" 1 \
	"probe-time INFO lines for WC segments"
wc_expect_segs $out 2 wc 1
wc_expect_segs $out 2 uc 0
wc_expect_segs $out 0 uc 1
wc_expect_segs $out 0 wc 0
wc_segs $out 2 wc | grep -q "range=0x0-0xfffff requested=wc effective=wc .* pte=$WC_ATTR_WC\$" ||
	fail "BAR2 segment is not the whole BAR with a WC page-table entry"
wc_segs $out 0 uc | grep -q "requested=uc effective=uc .* pte=$WC_ATTR_UC\$" ||
	fail "BAR0 segment does not have an uncached page-table entry"
if has_pat_list; then
	grep -q '^PAT bar=2 .*write-combining' $out || fail "no write-combining PAT entry over BAR2"
	! grep '^PAT bar=2 ' $out | grep -qv 'write-combining' ||
		fail "BAR2 has a non-WC PAT entry: $(grep '^PAT bar=2 ' $out | grep -v write-combining | head -n1)"
	! grep -q '^PAT bar=0 .*write-combining' $out || fail "BAR0 has a write-combining PAT entry"
fi
grep -q '^ATTR bar=2 off=0x0 wc$' $out || fail "rte_pci_mem_attr_get(BAR2, 0) is not wc"
grep -q '^ATTR bar=2 off=0xff000 wc$' $out || fail "rte_pci_mem_attr_get(BAR2, 0xff000) is not wc"
grep -q '^ATTR bar=0 off=0x0 uc$' $out || fail "rte_pci_mem_attr_get(BAR0, 0) is not uc"
grep -q "^POKE bar=0 off=0x0 wrote=0xa5a5f00d read=0xa5a5f00d pte=$WC_ATTR_UC\$" $out ||
	fail "BAR0 register store through the UC mapping"
grep -q "^WROTE bar=2 off=$slot .* pte=$WC_ATTR_WC\$" $out || fail "BAR2 store not through a WC entry"
tel='{"/pci/wc":{"device":"'$bdf'","segments":2,"bar0_0x0":{"bar":0,"range":"0x0-0xfff","len":4096,"requested":"uc","effective":"uc"},"bar2_0x0":{"bar":2,"range":"0x0-0xfffff","len":1048576,"requested":"wc","effective":"wc"}}}'
grep -qxF "TELEMETRY $tel" $out || fail "telemetry /pci/wc does not show BAR0 uc and BAR2 wc"
grep -q "^TELEMETRY {\"/pci/wc_list\":\[\"$bdf\"\]}$" $out || fail "telemetry /pci/wc_list"
info "pat_memtype_list over BAR0 and BAR2 while mapped:"
grep '^PAT ' $out
host_check_ivshmem "$slot" "$pat"
