#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 200
# A secondary process maps ivshmem as the primary did (wc=[2] on
# vfio-pci-wc): the same segments, attributes and addresses, and the same
# page-table verdicts; its stores through the WC BAR2 reach the host.
. /opt/wc/lib.sh
# shellcheck source=devtools/guest/dpdk-wc.sh
. /opt/wc/share/dpdk-wc.sh
wc_ivshmem_setup
pat=$(run_pattern secondary)
release=/tmp/wc63.release
prim=/tmp/primary.out
sec=/tmp/secondary.out
rm -f $release
timeout -s KILL 180 dpdk-wc-probe -l 0 -n 1 --file-prefix=wc63 \
	-a "$bdf,wc=[2]" -- --dev "$bdf" --show --hold $release >$prim 2>&1 &
ppid=$!
wc_wait_ready $prim $ppid $release "the primary"
wc_probe_run $sec 120 -l 1 -n 1 --proc-type=secondary --file-prefix=wc63 \
	-a "$bdf" -- --dev "$bdf" --write "2:$slot:$pat" --show
rc=$?
touch $release
wait $ppid
prc=$?
echo "--- primary:"
cat $prim
[ $rc -eq 0 ] || fail "secondary failed (status $rc): $(grep -m1 '^ERROR' $sec)"
[ $prc -eq 0 ] || fail "primary failed (status $prc): $(grep -m1 '^ERROR' $prim)"
wc_expect_segs $prim 2 wc 1
grep '^SEG ' $prim >/tmp/prim.segs
grep '^SEG ' $sec >/tmp/sec.segs
[ -s /tmp/prim.segs ] || fail "the primary shows no segments"
cmp -s /tmp/prim.segs /tmp/sec.segs ||
	fail "segments differ: primary '$(tr '\n' '|' </tmp/prim.segs)' secondary '$(tr '\n' '|' </tmp/sec.segs)'"
info "primary and secondary: $(grep -c . /tmp/prim.segs) identical segments (address, attributes, PTE)"
grep -q "^WROTE bar=2 off=$slot .* pte=$WC_ATTR_WC\$" $sec || fail "secondary's BAR2 store not through a WC entry"
host_check_ivshmem "$slot" "$pat"
