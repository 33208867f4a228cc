# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash # busybox ash, like dash, has local
# Shell helpers of the DPDK write-combining guest tests (busybox sh),
# sourced after /opt/wc/lib.sh. dpdk-wc-probe is described in
# devtools/guest/progs/dpdk-wc-probe.c.

# wc_probe_run <output file> <timeout s> <dpdk-wc-probe args...>: run it,
# show its output, return its exit status.
wc_probe_run() {
	local out=$1 tmo=$2 rc
	shift 2
	timeout -s KILL "$tmo" dpdk-wc-probe "$@" >"$out" 2>&1 </dev/null
	rc=$?
	cat "$out"
	return $rc
}

# wc_segs <output file> <bar> [attr]: the SEG lines of a BAR (with that
# effective attribute).
wc_segs() {
	grep "^SEG .* bar=$2 " "$1" | grep -- "${3:+effective=$3 }" || true
}

# wc_count <output file> <bar> <attr>: number of such SEG lines.
wc_count() {
	wc_segs "$@" | grep -c . || true
}

# wc_expect_segs <output file> <bar> <attr> <count>
wc_expect_segs() {
	expect_eq "$(wc_count "$1" "$2" "$3")" "$4" \
		"number of $3 segments of BAR$2 in $1"
}

# wc_ivshmem_setup: what a dpdk-wc-probe test of ivshmem needs: the
# program, the page-table check, and the device bound to vfio-pci-wc.
# Sets bdf (the device) and slot (the test's ivshmem slot).
# shellcheck disable=SC2034 # for the test that sources this file
wc_ivshmem_setup() {
	need_cmd dpdk-wc-probe
	load_module ptecheck
	load_module vfio-pci-wc
	bind_vfio "$WC_BDF_IVSHMEM" vfio-pci-wc
	bdf=$WC_BDF_IVSHMEM
	slot=$(ivshmem_slot)
}

# wc_wait_ready <output file> <pid> <hold file> <who>: wait until the
# dpdk-wc-probe <pid>, writing to <output file>, holds on <hold file>;
# fail, showing its output, when it exits before or is not there in 120 s.
wc_wait_ready() {
	local i=0
	until grep -q "^READY $3\$" "$1"; do
		kill -0 "$2" 2>/dev/null ||
			{ cat "$1"; fail "$4 exited early: $(grep -m1 '^ERROR' "$1")"; }
		i=$((i + 1))
		[ $i -lt 600 ] || { cat "$1"; fail "$4 does not reach $3 in 120 s"; }
		sleep 0.2
	done
}
