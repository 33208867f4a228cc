#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Demo: build DPDK 22.11 with this project's overlay and run dpdk-testpmd.
# Run as root on Debian 12; installs the Debian packages it needs.
#
# Today testpmd runs on two virtual ports (net_null, net_ring) without
# hugepages and forwards packets between them; the summary shows the DPDK
# version, the overlay and patches built in, and what testpmd did.
set -euo pipefail
. "$(dirname "$0")/wc-common.sh"
. "$(dirname "$0")/wc-overlay.sh"

main() {
	local dir log rc=0 ports pkts
	dir=$(bash "$WC_REPO/devtools/build.sh")
	log=$WC_BUILD/logs/demo-testpmd.log
	printf 'show port summary all\nstart\nshow port stats all\nstop\nquit\n' |
		timeout 120 "$dir/app/dpdk-testpmd" --no-huge -m 512 --no-shconf --no-pci \
		--vdev net_null0 --vdev net_ring0 -l 0-1 -- -i --total-num-mbufs=2048 \
		>"$log" 2>&1 || rc=$?
	ports=$(awk '/^Number of available ports:/ { print $NF }' "$log")
	pkts=$(awk '/Accumulated forward statistics/ { on = 1 }
		on && /RX-packets:/ { print $2; exit }' "$log")
	echo "DPDK $(head -n1 "$WC_BUILD/dpdk/VERSION") + overlay: $(wc_overlay_files | wc -l) new files, $(wc_series_patches | wc -l) patches"
	echo "build: $dir"
	grep -E '^Port MAC Address|^[0-9]+ +([0-9A-F]{2}:){5}[0-9A-F]{2} ' "$log" || true
	echo "testpmd: ${ports:-?} ports, forwarded ${pkts:-0} packets, exit status $rc (log: $log)"
	[ "$rc" = 0 ] && [ "${pkts:-0}" -gt 0 ] ||
		wc_die "testpmd did not forward packets (log: $log)"
}

main "$@"
