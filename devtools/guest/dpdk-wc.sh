# SPDX-License-Identifier: BSD-3-Clause
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
