#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 200
# Hot-unplug and re-probe with new device arguments (rte_dev_remove,
# rte_dev_probe): each probe maps what its own "wc" argument asks
# (off, then [2], then auto with the driver's WC_ACTIVATE); each removal
# leaves no mapping over the BARs and no VFIO or dma-buf mapping in the
# process; the re-probed WC segment is WC in the page table, and on x86
# the PAT memory type list over the BARs, which holds the WC entry of
# BAR2 while it is mapped, is back to its state before the first probe.
. /opt/wc/lib.sh
# shellcheck source=devtools/guest/dpdk-wc.sh
. /opt/wc/share/dpdk-wc.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_ivshmem_setup
pat=$(run_pattern reprobe)
release=/tmp/wc64.release
out=/tmp/hotplug.out
{ wc_pat_lines "$bdf" 0; wc_pat_lines "$bdf" 2; } >/tmp/pat.before
info "PAT over BAR0+BAR2 before: $(grep -c . /tmp/pat.before) entries"
mapped=/tmp/wc64.mapped
rm -f $release $mapped
timeout -s KILL 180 dpdk-wc-probe -l 0 -n 1 --file-prefix=wc64 \
	-a "$bdf,wc=off" -- --dev "$bdf" --show \
	--remove --no-leftover --probe "$bdf,wc=[2]" --show \
	--write "2:$slot:$pat" --hold $mapped \
	--remove --no-leftover --probe "$bdf,wc=auto" --show \
	--remove --no-leftover --hold $release >$out 2>&1 &
ppid=$!
wc_wait_ready $out $ppid $mapped dpdk-wc-probe
wc_pat_lines "$bdf" 2 >/tmp/pat.mapped
touch $mapped
wc_wait_ready $out $ppid $release dpdk-wc-probe
{ wc_pat_lines "$bdf" 0; wc_pat_lines "$bdf" 2; } >/tmp/pat.after
touch $release
wait $ppid
rc=$?
cat $out
[ $rc -eq 0 ] || fail "dpdk-wc-probe failed (status $rc): $(grep -m1 '^ERROR' $out)"
expect_eq "$(grep -c '^PROBED ' $out)" 3 "probes"
expect_eq "$(grep -c '^REMOVED .* 0 left mapped)$' $out)" 3 "clean removals"
expect_eq "$(grep -c '^NO-LEFTOVER ok$' $out)" 3 "removals without VFIO or dma-buf mappings"
# The SEG lines of each probe, in order: off, [2], auto.
awk '/^SEGMENTS /{ n++ } /^SEG / { print > ("/tmp/probe" n ".segs") }' $out
wc_expect_segs /tmp/probe1.segs 2 wc 0
wc_expect_segs /tmp/probe1.segs 2 uc 1
wc_expect_segs /tmp/probe2.segs 2 wc 1
wc_expect_segs /tmp/probe3.segs 2 wc 1
wc_expect_segs /tmp/probe3.segs 0 uc 1
wc_segs /tmp/probe2.segs 2 wc | grep -q "pte=$WC_ATTR_WC\$" ||
	fail "BAR2 re-probed with wc=[2] is not $WC_ATTR_WC in the page table"
if has_pat_list; then
	grep -q 'write-combining' /tmp/pat.mapped ||
		fail "no WC PAT entry over BAR2 while mapped with wc=[2]: '$(tr '\n' '|' </tmp/pat.mapped)'"
	info "PAT over BAR2 while mapped with wc=[2]: $(tr '\n' '|' </tmp/pat.mapped)"
	cmp -s /tmp/pat.before /tmp/pat.after ||
		fail "PAT entries over the BARs after removal differ: before '$(tr '\n' '|' </tmp/pat.before)' after '$(tr '\n' '|' </tmp/pat.after)'"
	info "PAT over BAR0+BAR2 after the last removal: back to the $(grep -c . /tmp/pat.after) entries of before"
fi
host_check_ivshmem "$slot" "$pat"
