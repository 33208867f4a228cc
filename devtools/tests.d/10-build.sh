#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: assemble and build the DPDK tree (normal and ASan/UBSan builds).
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

build() { # <test name> [build.sh options]
	local name=$1 out dir
	shift
	if out=$(bash "$WC_REPO/devtools/build.sh" "$@" 2>&1); then
		dir=$(printf '%s\n' "$out" | tail -n1)
		printf '%s\n' "$out" | grep -E 'build steps|installing' | sed 's/^/  /'
		echo "$dir"
		return 0
	fi
	printf '%s\n' "$out" | tail -n 40 | sed 's/^/  /'
	wc_fail "$name" "$(printf '%s\n' "$out" | grep 'error:' | tail -n1)"
	return 1
}

check_binaries() { # <test name> <build dir> <binary...>
	local name=$1 dir=$2 b
	shift 2
	for b in "$@"; do
		[ -x "$dir/$b" ] || { wc_fail "$name" "$dir/$b was not built"; return; }
	done
	wc_pass "$name"
}

if dir=$(build build) ; then
	check_binaries build "$(printf '%s\n' "$dir" | tail -n1)" app/dpdk-testpmd app/test/dpdk-test
fi
if dir=$(build build-asan --asan --no-assemble); then
	check_binaries build-asan "$(printf '%s\n' "$dir" | tail -n1)" app/test/dpdk-test
fi
