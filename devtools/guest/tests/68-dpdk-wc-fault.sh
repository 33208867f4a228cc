#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# Fault injection on the mapping path (mmap and ioctl wrapped at link
# time in dpdk-wc-probe): the Nth segment mmap, or the Nth VFIO device
# feature ioctl (dma-buf export, memory attribute), fails, for every N
# until a probe gets through.
# - primary, rte_dev_probe(): each failed probe leaves /proc/self/maps
#   and /proc/self/fd exactly as before;
# - secondary, mapping at EAL init next to a primary: each failure leaves
#   no VFIO device file or dma-buf mapped or open;
# - a mapping whose device set-up fails after the BARs were mapped (the
#   reset ioctl) keeps the rte_pci_wc_request() ranges: the next
#   rte_pci_map_device() maps the requested (required) page as its own
#   segment inside the driver's WC_ACTIVATE BAR 2.
. /opt/wc/lib.sh
# shellcheck source=devtools/guest/dpdk-wc.sh
. /opt/wc/share/dpdk-wc.sh
wc_ivshmem_setup
wc='wc=[2:0x0-0x1fff,2:0x4000-0x4fff]'

out=/tmp/fault.out
# --legacy-mem: all DPDK memory mapped at init, so that a probe changes
# nothing else in the address space.
wc_probe_run $out 200 -l 0 -n 1 --legacy-mem -m 64 --file-prefix=wc68 \
	-a "$bdf,wc=off" -- --dev "$bdf" --remove --fault-loop "$bdf,$wc" ||
	fail "primary: $(grep -m1 '^ERROR' $out)"
for k in mmap export; do
	n=$(grep -c "^FAULT kind=$k n=[0-9]* failed: .*, maps and fds unchanged$" $out)
	[ "$n" -ge 4 ] || fail "primary: only $n failed probes for $k faults"
	grep -q "^FAULT kind=$k n=[0-9]* probed (no such call)$" $out ||
		fail "primary: no probe without $k fault"
	info "primary: $n $k faults, each failed probe left maps and fds unchanged"
done
! grep -q 'maps or fds changed' $out || fail "primary: a failed probe left changes"

out=/tmp/request.out
wc_probe_run $out 100 -l 0 -n 1 --file-prefix=wc68r -a "$bdf,wc=auto" -- \
	--dev "$bdf" --request-fault 2:0x1000:0x1000 --show ||
	fail "request: $(grep -m1 '^ERROR' $out)"
grep -q '^REQUEST-FAULT first=-1 second=0$' $out ||
	fail "request: $(grep '^REQUEST-FAULT' $out)"
wc_segs $out 2 wc | grep -q 'range=0x1000-0x1fff requested=wc effective=wc ' ||
	fail "the request did not survive the failed mapping: $(wc_segs $out 2 | tr '\n' '|')"

release=/tmp/wc68.release
prim=/tmp/fault-primary.out
rm -f $release
timeout -s KILL 250 dpdk-wc-probe -l 0 -n 1 --file-prefix=wc68s \
	-a "$bdf,$wc" -- --dev "$bdf" --show --hold $release >$prim 2>&1 &
ppid=$!
wc_wait_ready $prim $ppid $release "the primary"
for k in mmap export; do
	n=1
	while [ $n -lt 16 ]; do
		sec=/tmp/fault-sec.$k.$n.out
		WC_FAULT=$k:$n timeout -s KILL 60 dpdk-wc-probe -l 1 -n 1 \
			--proc-type=secondary --file-prefix=wc68s -a "$bdf" \
			>$sec 2>&1 </dev/null
		line=$(grep -m1 '^FAULT-END ' $sec)
		[ -n "$line" ] || { cat $sec; touch $release; fail "secondary $k:$n: no FAULT-END line"; }
		info "secondary $k:$n: $line"
		case $line in
		*" hit=0 "*) break ;;
		*" left=0") ;;
		*) cat $sec; touch $release; fail "secondary $k:$n left files: $line" ;;
		esac
		! grep -q '^PROBED ' $sec || { touch $release; fail "secondary $k:$n probed despite the fault"; }
		n=$((n + 1))
	done
	[ $n -ge 3 ] || { touch $release; fail "secondary: only $((n - 1)) $k faults"; }
done
touch $release
wait $ppid || fail "primary failed: $(grep -m1 '^ERROR' $prim)"
