#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: assemble and build the DPDK tree (normal and ASan/UBSan builds).
# parallel: yes
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

# build <test name> <binaries...> -- [build.sh options]
build() {
	local name=$1 bins=() out dir b
	shift
	while [ "$1" != -- ]; do
		bins+=("$1")
		shift
	done
	shift
	if ! out=$(bash "$WC_REPO/devtools/build.sh" "$@" 2>&1); then
		printf '%s\n' "$out" | tail -n 40 | wc_indent
		wc_fail "$name" "$(printf '%s\n' "$out" | grep 'error:' | tail -n1 | sed 's/^[^ ]*: error: //')"
		return 1
	fi
	printf '%s\n' "$out" | grep -E 'build steps|installing|patches:' | wc_indent
	dir=$(printf '%s\n' "$out" | tail -n1)
	for b in "${bins[@]}"; do
		[ -x "$dir/$b" ] || { wc_fail "$name" "$dir/$b was not built"; return 1; }
	done
	wc_pass "$name"
}

build build app/dpdk-testpmd app/test/dpdk-test --
build build-asan app/test/dpdk-test -- --asan --no-assemble
