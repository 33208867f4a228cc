#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: the descriptor push of the write-combining benchmark
# (wc_perf_push_desc in app/test/test_pci_wc_perf.c, an rte_memcpy() of
# 64 bytes as a PMD writes an LLQ entry) compiles to full-width stores in
# the project's build: only 16, 32 or 64-byte stores into the slot,
# 64 bytes in all. Narrow stores still combine, but are what a build with
# the wrong flags would silently produce.
# parallel: after 10-build
#
#   devtools/tests.d/40-wc-stores.sh [binary or object file]
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

FUNC=wc_perf_push_desc
bin=${1:-$WC_BUILD/dpdk/build/app/test/dpdk-test}
name=perf/wc-stores

# Width in bytes of the stores of the function to memory other than its
# stack: "<width> <instruction>" per store instruction. A loop shows its
# store once, so the total is short of 64 bytes.
store_widths() { # <objdump output>
	awk '
	/\t/ {
		split($0, f, "\t"); insn = f[length(f)]
		if (insn !~ /^(v?mov|movdir64b)/ || insn ~ /%[re]sp\)$|%[re]bp\)$/)
			next
		if (insn !~ /,[^,]*\)$/ && insn !~ /^movdir64b/)
			next
		w = 0
		if (insn ~ /^movdir64b/) w = 64
		else if (insn ~ /%zmm/) w = 64
		else if (insn ~ /%ymm/) w = 32
		else if (insn ~ /%xmm/) w = 16
		else if (insn ~ /%r[a-z0-9]+,/ && insn !~ /%r[0-9]+[dwb],/) w = 8
		else if (insn ~ /%e[a-z]+,|%r[0-9]+d,/) w = 4
		else if (insn ~ /%[a-d]x,|%[sd]i,|%r[0-9]+w,/) w = 2
		else w = 1
		print w, insn
	}' <<<"$1"
}

main() {
	local dis widths total narrow
	command -v objdump >/dev/null || wc_need_pkgs binutils
	if [ ! -f "$bin" ]; then
		wc_fail $name "$bin not built (see stage 10-build)"
		return
	fi
	dis=$(objdump -d --no-show-raw-insn --disassemble=$FUNC "$bin" 2>/dev/null |
		sed -n "/<$FUNC>:/,/^\$/p")
	if [ -z "$dis" ]; then
		wc_fail $name "no function $FUNC in $bin"
		return
	fi
	widths=$(store_widths "$dis")
	printf '%s\n' "$widths" | wc_indent
	total=$(awk '{ s += $1 } END { print s + 0 }' <<<"$widths")
	narrow=$(awk 'NF && $1 < 16' <<<"$widths" | wc -l)
	if [ "$narrow" -gt 0 ]; then
		wc_fail $name "$narrow store(s) narrower than 16 bytes in $FUNC"
	elif [ "$total" != 64 ]; then
		wc_fail $name "$FUNC stores $total bytes, expected 64"
	else
		wc_pass $name
	fi
}

main
