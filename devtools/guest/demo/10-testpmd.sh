#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 200
# The demo's main job: dpdk-testpmd forwarding between virtio-net and
# e1000e, first on stock vfio-pci (every BAR uncached), then on
# vfio-pci-wc with the virtio notify page asked write-combining
# (wc=[4:0x3000-0x3fff]) and e1000e on wc=auto. Prints
# "DEMO <phase> key value..." lines that devtools/vm/demo.sh turns into
# a summary. Each phase must forward packets.
. /opt/wc/lib.sh
need_cmd dpdk-testpmd
has_pat_list || { need_cmd ptecheck; load_module ptecheck; }
secs=10

# pat_entries <start> <end>: the PAT memtype entries inside a BAR, as
# "<type>@<start offset>-<end offset>".
pat_entries() {
	local s=$(($1)) lo hi line
	pat_list "$1" "$2" | while read -r lo hi line; do
		printf '%s@0x%x-0x%x ' "${line##*] }" $((lo - s)) $((hi - s))
	done
}

# pte_entries <bdf> <bar>: the memory types of the pages of a BAR that
# testpmd has mapped, from its page tables, as "<type>@<first>-<last>".
pte_entries() {
	ptecheck --pid "$(pidof dpdk-testpmd)" "$1" 2>/dev/null |
		awk -v b="bar=$2" '$1 == "RANGE" && $2 == b { printf "%s@%s ", $4, $3 }'
}

# show_bars <phase> <bdf>: the memory types of each memory BAR, from the
# PAT list on x86, from testpmd's page tables elsewhere.
show_bars() {
	local i=0 s e f m
	if has_pat_list; then
		echo "DEMO $1 source x86 PAT list"
	else
		echo "DEMO $1 source page tables of testpmd, $WC_GUEST_ARCH"
	fi
	while read -r s e f; do
		if [ $((f & 0x200)) -ne 0 ]; then
			if has_pat_list; then
				m=$(pat_entries "$s" "$e")
			else
				m=$(pte_entries "$2" $i)
				m=${m:-no page mapped}
			fi
			echo "DEMO $1 bar $2 $i $(((e - s + 1) / 1024))K ${m:-none}"
		fi
		i=$((i + 1))
	done <"/sys/bus/pci/devices/$2/resource"
}

# run_phase <phase> <driver> <virtio devargs> <e1000e devargs>
run_phase() {
	local phase=$1 drv=$2 out=/tmp/testpmd.$1 pid bdf port
	for bdf in "$WC_BDF_VIRTIO" "$WC_BDF_E1000E"; do
		bind_vfio "$bdf" "$drv"
		echo "DEMO $phase device $bdf $(cat "/sys/bus/pci/devices/$bdf/vendor"):$(cat "/sys/bus/pci/devices/$bdf/device") $(dev_driver "$bdf")"
	done
	timeout -s KILL 90 timeout -s INT $secs \
		dpdk-testpmd -l 0-1 -n 1 --file-prefix="demo$phase" \
		-a "$WC_BDF_VIRTIO${3:+,$3}" -a "$WC_BDF_E1000E${4:+,$4}" -- \
		--total-num-mbufs=2048 --rxq=1 --txq=1 --rxd=256 --txd=256 \
		--nb-cores=1 --forward-mode=io --tx-first --stats-period $secs \
		>"$out" 2>&1 &
	pid=$!
	# While testpmd runs: the memory types the kernel tracks for the BARs.
	sleep $((secs / 2))
	show_bars "$phase" "$WC_BDF_VIRTIO"
	show_bars "$phase" "$WC_BDF_E1000E"
	wait $pid
	cat "$out"
	grep -q 'Bye' "$out" || fail "$phase: testpmd did not exit cleanly"
	echo "DEMO $phase args virtio:${3:-none} e1000e:${4:-none}"
	awk -v ph="$phase" '
		/Probe PCI driver:/ { for (i = 1; i < NF; i++) if ($i == "device:") d = $(i + 1)
			print "DEMO " ph " probe " d " " $5 }
		/PCI_WC: .*effective/ { sub(/.*PCI_WC: /, ""); print "DEMO " ph " wc " $0 }' "$out"
	for port in 0 1; do
		echo "DEMO $phase rx $port $(testpmd_stat "$out" $port RX packets)"
		echo "DEMO $phase tx $port $(testpmd_stat "$out" $port TX packets)"
	done
	echo "DEMO $phase seconds $secs"
	grep -q 'RX-packets: [1-9]' "$out" || fail "$phase: no packet forwarded"
}

run_phase stock vfio-pci "" ""
if [ -f "$WC_MODULES/vfio-pci-wc.ko" ]; then
	load_module vfio-pci-wc
	run_phase wc vfio-pci-wc "wc=[4:0x3000-0x3fff]" "wc=auto"
else
	echo "DEMO wc missing vfio-pci-wc.ko is not in the image"
fi
