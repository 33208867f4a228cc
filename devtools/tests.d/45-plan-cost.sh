#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: the mapping plan costs the same for every BAR size. The plan of
# one device (devtools/bench/pci_wc_plan_cost.c: an MSI-X table and three
# write-combining ranges, one of them half of BAR 2) is computed for BAR 2
# sizes from 1 MiB to 64 GiB; callgrind counts the instructions of
# pci_wc_plan_build() alone. The largest count must be within 10 % of the
# smallest. Takes a few seconds.
#
#   devtools/tests.d/45-plan-cost.sh [pci_wc_plan.c]   (default: the
#   assembled tree's; another one, next to its own pci_wc_plan.h and
#   rte_bus_pci_wc.h, shows the cost of an older plan)
# parallel: after 10-build
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

name=perf/plan-cost
tree=$WC_BUILD/dpdk
src=${1:-$tree/drivers/bus/pci/pci_wc_plan.c}
sizes='0x100000 0x1000000 0x10000000 0x100000000 0x400000000 0x1000000000'

[ -f "$tree/build/rte_build_config.h" ] ||
	{ wc_fail "$name" "no DPDK build in $tree/build (see stage 10-build)"; exit 0; }
wc_need_pkgs gcc valgrind >/dev/null
out=$WC_BUILD/plan-cost
mkdir -p "$out"
# The plan is pure C: build it with the bench, with DPDK's headers.
if ! gcc -O2 -g -march=corei7 -Wall -Wextra -Werror -DALLOW_INTERNAL_API \
	-include rte_config.h -I"$(dirname "$src")" -I"$tree/build" -I"$tree/config" \
	-I"$tree/lib/eal/include" -I"$tree/lib/eal/x86/include" \
	-I"$tree/lib/eal/linux/include" -I"$tree/lib/pci" \
	-I"$tree/drivers/bus/pci" \
	-o "$out/pci_wc_plan_cost" "$WC_REPO/devtools/bench/pci_wc_plan_cost.c" \
	"$src" >"$out/build.log" 2>&1; then
	wc_indent <"$out/build.log"
	wc_fail "$name" "cannot build the benchmark"
	exit 0
fi

min=0
max=0
printf '  %-14s %s\n' "BAR 2 size" "instructions of pci_wc_plan_build()"
for s in $sizes; do
	log=$out/callgrind.$s.log
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		--toggle-collect=pci_wc_plan_build "$out/pci_wc_plan_cost" "$s" \
		>"$log" 2>&1
	ir=$(sed -n 's/^==[0-9]*== Collected : *\([0-9]*\).*/\1/p' "$log")
	if [ -z "$ir" ] || ! grep -q '^SEG ' "$log"; then
		wc_indent <"$log"
		wc_fail "$name" "no instruction count for BAR size $s"
		exit 0
	fi
	printf '  %-14s %s\n' "$(numfmt --to=iec-i --suffix=B "$((s))")" "$ir"
	[ "$min" = 0 ] || [ "$ir" -lt "$min" ] && min=$ir
	[ "$ir" -gt "$max" ] && max=$ir
done
ratio=$(awk -v a="$max" -v b="$min" 'BEGIN { printf "%.3f", a / b }')
if awk -v r="$ratio" 'BEGIN { exit !(r <= 1.10) }'; then
	wc_pass "$name"
	echo "  largest/smallest = $ratio (limit 1.10)"
else
	wc_fail "$name" "the plan of a large BAR costs $ratio times that of a 1 MiB BAR (limit 1.10)"
fi
