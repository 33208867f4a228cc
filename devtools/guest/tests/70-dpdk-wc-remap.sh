#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# rte_pci_mem_remap() on ivshmem (vfio-pci-wc, probed with wc=off, so
# all uncached): the primary remaps one page of BAR2 write-combining, a
# secondary process follows through the multi-process channel (same
# segments at the same addresses, WC page-table entries in both, the
# PAT list has the WC entry), stores through it in both processes reach
# the device; then back to uncached in both (UC- entries, one segment
# again). Refusals name the device, BAR, range and reason, and leave the
# mapping usable: BAR0, smaller than a page (the kernel exports no page
# range of it, as upstream), a secondary process, and a stock vfio-pci
# kernel without the interface.
. /opt/wc/lib.sh
# shellcheck source=devtools/guest/dpdk-wc.sh
. /opt/wc/share/dpdk-wc.sh
wc_ivshmem_setup
end=$(printf '0x%x' $((slot + 0xfff)))
soff=$(printf '0x%x' $((slot + 0x800)))
pat_p=$(run_pattern primary)
pat_s=$(run_pattern secondary)
prim=/tmp/remap-primary.out
sec=/tmp/remap-secondary.out
h=/tmp/wc70
rm -f $h.*

# show_block <output> <n>: the SEG lines of the n-th --show
show_block() {
	awk -v n="$2" '/^SEGMENTS / { i++ } i == n && /^SEG / { print }' "$1"
}

# expect_seg <output> <n> <range> <attr> <pte>: BAR2 segment of a --show
expect_seg() {
	show_block "$1" "$2" | grep -q "^SEG $bdf bar=2 range=$3 requested=$4 effective=$4 addr=0x[0-9a-f]* pte=$5\$" ||
		fail "$1, show $2: no BAR2 segment $3 $4 with a $5 entry: $(show_block "$1" "$2" | grep 'bar=2' | tr '\n' '|')"
}

timeout -s KILL 280 dpdk-wc-probe -l 0 -n 1 --file-prefix=wc70 \
	-a "$bdf,wc=off" -- --dev "$bdf" --show --hold $h.a \
	--remap "2:$slot-$end:wc" --show --telemetry "/pci/wc,$bdf" \
	--write "2:$slot:$pat_p" --hold $h.c \
	--remap "2:$slot-$end:uc" --show --remap-refused 2:0x0-0x0:wc \
	--remap-refused 0:0x0-0xfff:wc --poke 0:0:0000000f \
	--hold $h.e >$prim 2>&1 &
ppid=$!
wc_wait_ready $prim $ppid $h.a "the primary"
timeout -s KILL 250 dpdk-wc-probe -l 1 -n 1 --proc-type=secondary \
	--file-prefix=wc70 -a "$bdf" -- --dev "$bdf" --show --hold $h.b \
	--show --write "2:$soff:$pat_s" --hold $h.d --show \
	--poke 0:0:00000003 --remap-refused "2:$slot-$end:wc" >$sec 2>&1 &
spid=$!
wc_wait_ready $sec $spid $h.b "the secondary"
touch $h.a
wc_wait_ready $prim $ppid $h.c "the primary"
# A secondary started now maps the remapped plan
wc_probe_run /tmp/remap-late.out 150 -l 1 -n 1 --proc-type=secondary \
	--file-prefix=wc70 -a "$bdf" -- --dev "$bdf" --show ||
	fail "late secondary failed: $(grep -m1 '^ERROR' /tmp/remap-late.out)"
touch $h.b
wc_wait_ready $sec $spid $h.d "the secondary"
touch $h.c
wc_wait_ready $prim $ppid $h.e "the primary"
touch $h.d
wait $spid
src=$?
touch $h.e
wait $ppid
prc=$?
echo "--- primary:"
cat $prim
echo "--- secondary:"
cat $sec
[ $prc -eq 0 ] || fail "primary failed (status $prc): $(grep -m1 '^ERROR' $prim)"
[ $src -eq 0 ] || fail "secondary failed (status $src): $(grep -m1 '^ERROR' $sec)"

# Before: one uncached segment, in both processes
expect_seg $prim 1 0x0-0xfffff uc "$WC_ATTR_UC"
expect_seg $sec 1 0x0-0xfffff uc "$WC_ATTR_UC"
# The page remapped write-combining, its neighbours still uncached
grep -q "^REMAP bar=2 range=$slot-$end wc: ok\$" $prim || fail "no successful WC remap"
expect_seg $prim 2 "$slot-$end" wc "$WC_ATTR_WC"
expect_seg $prim 2 "0x0-$(printf '0x%x' $((slot - 1)))" uc "$WC_ATTR_UC"
expect_seg $prim 2 "$(printf '0x%x' $((slot + 0x1000)))-0xfffff" uc "$WC_ATTR_UC"
grep -q "PCI_WC: $bdf: BAR2 range $slot-$end remapped write-combining, effective wc" $prim ||
	fail "no log line of the WC remap"
! has_pat_list ||
	grep -q "^PAT bar=2 PAT: \[mem 0x[0-9a-f]*-0x[0-9a-f]*\] write-combining" $prim ||
	fail "no write-combining entry in the PAT list over BAR2"
grep -E "^TELEMETRY .*\"bar2_$slot\": *\{\"bar\": *2, *\"range\": *\"$slot-$end\", *\"len\": *4096, *\"requested\": *\"wc\", *\"effective\": *\"wc\"\}" $prim >/dev/null ||
	fail "telemetry does not show the remapped segment"
# The secondary followed: same segments, addresses and entries
show_block $prim 2 >/tmp/remap-p.segs
show_block $sec 2 >/tmp/remap-s.segs
cmp -s /tmp/remap-p.segs /tmp/remap-s.segs ||
	fail "segments after the WC remap differ: primary '$(tr '\n' '|' </tmp/remap-p.segs)' secondary '$(tr '\n' '|' </tmp/remap-s.segs)'"
show_block /tmp/remap-late.out 1 >/tmp/remap-l.segs
cmp -s /tmp/remap-p.segs /tmp/remap-l.segs ||
	fail "a secondary started after the remap maps '$(tr '\n' '|' </tmp/remap-l.segs)'"
grep -q "^WROTE bar=2 off=$slot .* pte=$WC_ATTR_WC\$" $prim || fail "primary's store not through a WC entry"
grep -q "^WROTE bar=2 off=$soff .* pte=$WC_ATTR_WC\$" $sec || fail "secondary's store not through a WC entry"
# Back to uncached in both: one segment again, UC- entries
grep -q "^REMAP bar=2 range=$slot-$end uc: ok\$" $prim || fail "no successful UC remap"
expect_seg $prim 3 0x0-0xfffff uc "$WC_ATTR_UC"
expect_seg $sec 3 0x0-0xfffff uc "$WC_ATTR_UC"
expect_eq "$(show_block $prim 3 | grep -c 'bar=2')" 1 "BAR2 segments after the UC remap"

# Refusals, each naming the device, BAR, range and reason
grep -q "^REFUSED bar=2 range=0x0-0x0 wc: Invalid argument\$" $prim ||
	fail "an unaligned range was not refused with EINVAL"
grep -q "PCI_WC: $bdf: cannot remap write-combining: BAR 2 range offset 0x0 length 0x1: not page aligned" $prim ||
	fail "no message for the unaligned range"
grep -q "^REFUSED bar=0 range=0x0-0xfff wc: Invalid argument\$" $prim ||
	fail "the kernel's refusal of sub-page BAR0 is not returned"
grep -q "PCI_WC: $bdf: cannot remap BAR0 range 0x0-0xfff write-combining: range 0x0-0xfff: dma-buf export failed: Invalid argument" $prim ||
	fail "no message naming BAR0, the range and the kernel's refusal"
grep -q "^POKE bar=0 off=0x0 wrote=0x0000000f read=0x0000000f pte=$WC_ATTR_UC\$" $prim ||
	fail "BAR0 not usable (uncached) after the refused remap"
grep -q "^POKE bar=0 off=0x0 wrote=0x00000003 read=0x00000003 pte=$WC_ATTR_UC\$" $sec ||
	fail "BAR0 not usable in the secondary after the refused remap"
grep -q "^REFUSED bar=2 range=$slot-$end wc: Operation not permitted\$" $sec ||
	fail "a secondary process was not refused"
grep -q "cannot remap BAR2 range $slot-$end write-combining: only the primary process can" $sec ||
	fail "no message for the secondary's remap"
host_check_ivshmem "$slot" "$pat_p"
host_check_ivshmem "$soff" "$pat_s"

# A kernel without the interface: stock vfio-pci refuses with the reason
bind_vfio "$bdf" vfio-pci
wc_probe_run /tmp/remap-stock.out 120 -l 0 -n 1 --file-prefix=wc70s \
	--no-huge -m 256 -a "$bdf,wc=off" -- --dev "$bdf" \
	--remap-refused "2:$slot-$end:wc" --show ||
	fail "dpdk-wc-probe on stock vfio-pci failed: $(grep -m1 '^ERROR' /tmp/remap-stock.out)"
grep -q "^REFUSED bar=2 range=$slot-$end wc: Operation not supported\$" /tmp/remap-stock.out ||
	fail "stock vfio-pci: not refused with ENOTSUP"
grep -q "PCI_WC: $bdf: cannot remap BAR2 range $slot-$end write-combining: the kernel cannot export BAR ranges as dma-buf" \
	/tmp/remap-stock.out || fail "stock vfio-pci: no message with the reason"
expect_seg /tmp/remap-stock.out 1 0x0-0xfffff uc "$WC_ATTR_UC"
unbind_dev "$bdf"
