#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 900
# What write-combining costs at probe time, on vfio-pci-wc, wc=auto (the
# driver's WC_ACTIVATE: BAR2 through a dma-buf, PAT check) against
# wc=off (every BAR uncached):
# - wall time of rte_dev_probe (probe + map), both interleaved in one
#   process, median of each and their ratio;
# - user-space instructions of one rte_dev_probe under callgrind, and
#   their ratio, which must be at most 1.02.
# Every probe is checked to map what it was asked for. The numbers are
# printed ("COST" lines); absolute times under TCG mean little, the
# ratios are the result.
. /opt/wc/lib.sh
. /opt/wc/share/dpdk-wc.sh
need_cmd dpdk-wc-probe
[ "$WC_GUEST_ARCH" = x86_64 ] ||
	skip "instruction counts: valgrind is shipped in the x86_64 guest only"
need_cmd valgrind.bin
load_module ptecheck
load_module vfio-pci-wc
bind_vfio "$WC_BDF_IVSHMEM" vfio-pci-wc
bdf=$WC_BDF_IVSHMEM

out=/tmp/bench.out
wc_probe_run $out 300 -l 0 -n 1 --file-prefix=wc66 -a "$bdf,wc=off" -- \
	--dev "$bdf" --bench 100 ||
	fail "bench failed: $(grep -m1 '^ERROR' $out)"
ratio=$(sed -n 's/^BENCH ratio auto\/off=//p' $out)
[ -n "$ratio" ] || fail "no time ratio"
echo "COST time $(grep '^BENCH wc=' $out | tr '\n' ' ')ratio=$ratio"

# One process per mode; callgrind counts only inside rte_dev_probe (the
# probe at EAL init is of the other mode and not counted).
irs() { # <mode>
	# shellcheck disable=SC3043 # busybox sh has local
	local m="$1" o="/tmp/cg.$1.out"
	timeout -s KILL 400 valgrind.bin --tool=callgrind \
		--callgrind-out-file="/tmp/cg.$m" --toggle-collect=rte_dev_probe \
		--compress-strings=no --compress-pos=no \
		dpdk-wc-probe --no-huge -m 128 -l 0 -n 1 --file-prefix=wc66cg \
		-a "$bdf,wc=off" -- --dev "$bdf" --remove \
		--probe "$bdf,wc=$m" --show >"$o" 2>&1 </dev/null
	echo "valgrind status $?" >>"$o"
	sed -n 's/^==[0-9]*== Collected : *\([0-9]*\).*/\1/p' "$o"
}
ir_auto=$(irs auto)
ir_off=$(irs off)
cat /tmp/cg.auto.out
{ [ -n "$ir_auto" ] && [ -n "$ir_off" ]; } ||
	{ cat /tmp/cg.off.out; fail "callgrind gave no instruction count (auto '$ir_auto', off '$ir_off')"; }
awk '/^SEGMENTS /{ n++ } n == 1 && /^SEG /' /tmp/cg.auto.out >/tmp/cg.auto.segs
awk '/^SEGMENTS /{ n++ } n == 1 && /^SEG /' /tmp/cg.off.out >/tmp/cg.off.segs
wc_expect_segs /tmp/cg.auto.segs 2 wc 1
wc_expect_segs /tmp/cg.off.segs 2 wc 0
# Where the difference goes: self instructions per function, auto - off.
self_ir() { # <callgrind out>: "<function> <self Ir>"
	awk '/^fn=/ { fn = substr($0, 4); next }
		/^calls=/ { call = 1; next }
		/^[0-9+-]/ { if (call) call = 0; else self[fn] += $2 }
		END { for (f in self) print f, self[f] }' "$1"
}
self_ir /tmp/cg.auto >/tmp/cg.auto.self
self_ir /tmp/cg.off >/tmp/cg.off.self
echo "COST largest self-instruction differences (auto - off, function):"
awk 'NR == FNR { off[$1] = $2; next } { d = $2 - off[$1]; if (d > 500 || d < -500) print d, $1 }' \
	/tmp/cg.off.self /tmp/cg.auto.self | sort -rn | head -n 15
ratio=$(awk -v a="$ir_auto" -v o="$ir_off" 'BEGIN { printf "%.4f", a / o }')
echo "COST instructions wc=auto=$ir_auto wc=off=$ir_off ratio=$ratio"
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.02) }' ||
	fail "a wc=auto probe costs $ratio times the instructions of a wc=off one (limit 1.02)"
