#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 150
# The demo's main job: dpdk-testpmd forwarding between virtio-net and
# e1000e on vfio-pci. Prints "DEMO key value" lines that
# devtools/guest/demo.sh turns into a summary. Extra testpmd EAL
# arguments (e.g. devargs) come from WC_DEMO_EAL_ARGS.
. /opt/wc/lib.sh
need_cmd dpdk-testpmd
secs=15

for bdf in "$WC_BDF_VIRTIO" "$WC_BDF_E1000E"; do
	bind_vfio "$bdf"
	echo "DEMO device $bdf $(cat /sys/bus/pci/devices/$bdf/vendor):$(cat /sys/bus/pci/devices/$bdf/device) $(dev_driver "$bdf")"
done

# pat_entries <start> <end>: the PAT memtype entries inside a BAR, as
# "<type>@<start offset>-<end offset>".
pat_entries() {
	local s=$(($1)) e=$(($2)) ms me t
	sed -n 's/^PAT: \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\] \(.*\)/\1 \2 \3/p' \
		/sys/kernel/debug/x86/pat_memtype_list 2>/dev/null |
	while read -r ms me t; do
		[ $((ms)) -ge $s ] && [ $((me)) -le $((e + 1)) ] &&
			printf '%s@0x%x-0x%x ' "$t" $((ms - s)) $((me - s))
	done
}

out=/tmp/testpmd.out
timeout -s KILL 120 timeout -s INT $secs \
	dpdk-testpmd -l 0-1 -n 1 --file-prefix=wcdemo \
	-a "$WC_BDF_VIRTIO${WC_DEMO_EAL_ARGS:+,$WC_DEMO_EAL_ARGS}" -a "$WC_BDF_E1000E" -- \
	--total-num-mbufs=2048 --rxq=1 --txq=1 --rxd=256 --txd=256 \
	--nb-cores=1 --forward-mode=io --tx-first --stats-period $secs >"$out" 2>&1 &
pid=$!
# While testpmd runs: the memory types the kernel tracks for the BARs.
sleep $((secs / 2))
for bdf in "$WC_BDF_VIRTIO" "$WC_BDF_E1000E"; do
	i=0
	while read -r s e f; do
		if [ $((f & 0x200)) -ne 0 ]; then
			m=$(pat_entries "$s" "$e")
			echo "DEMO bar $bdf $i $(((e - s + 1) / 1024))K ${m:-none}"
		fi
		i=$((i + 1))
	done <"/sys/bus/pci/devices/$bdf/resource"
done
wait $pid
cat "$out"
grep -q 'Bye' "$out" || fail "testpmd did not exit cleanly"
awk '/Probe PCI driver:/ { for (i = 1; i < NF; i++) if ($i == "device:") d = $(i + 1)
		print "DEMO probe " d " " $5 }
	/Forward statistics for port/ { port = $6 }
	/Accumulated forward statistics/ { port = "" }
	port != "" && /RX-packets:/ { print "DEMO rx " port " " $2 " " $4 }
	port != "" && /TX-packets:/ { print "DEMO tx " port " " $2 " " $4 }' "$out"
echo "DEMO seconds $secs"
