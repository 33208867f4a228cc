#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: dpdk-test autotests that need no hardware and no hugepages, run
# with the normal build and with the ASan/UBSan build (stage 10 builds both).
# parallel: after 10-build
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/../wc-overlay.sh"

# DPDK's own autotests that cover the code our patches touch (devargs,
# bus scan, vdev, ethdev), one per line. The project's autotests are those
# the series adds to app/test's fast_tests (series_fast_tests).
WC_DPDK_AUTOTESTS='
devargs_autotest
kvargs_autotest
vdev_autotest
ring_pmd_autotest
ethdev_link_status
'

# Every run: no hugepages, no shared runtime files, two lcores.
WC_EAL_ARGS=(--no-huge -m 512 --no-shconf -l 0-1)
WC_TEST_TIMEOUT=${WC_TEST_TIMEOUT:-300}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

logdir=$WC_BUILD/logs/unit
mkdir -p "$logdir"

run_autotest() { # <variant> <dpdk-test> <name> [EAL args]
	local variant=$1 bin=$2 name=$3 log rc
	shift 3
	log=$logdir/$variant-$name.log
	DPDK_TEST=$name timeout "$WC_TEST_TIMEOUT" "$bin" "${WC_EAL_ARGS[@]}" "$@" \
		>"$log" 2>&1 </dev/null
	rc=$?
	if grep -q -E 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$log"; then
		grep -m1 -E 'runtime error:|ERROR: [A-Za-z]+Sanitizer' "$log" | wc_indent
		wc_fail "$variant/$name" "sanitizer report (log: $log)"
	elif [ "$rc" = 0 ] && grep -q '^Test OK' "$log"; then
		wc_pass "$variant/$name"
	elif grep -q '^Test Skipped' "$log"; then
		wc_skip "$variant/$name" "dpdk-test skipped it: $(grep -v '^Test Skipped' "$log" | tail -n1)"
	elif [ "$rc" = 124 ]; then
		wc_fail "$variant/$name" "timed out after $WC_TEST_TIMEOUT s (log: $log)"
	else
		tail -n 5 "$log" | wc_indent
		wc_fail "$variant/$name" "exit status $rc (log: $log)"
	fi
}

# The fast tests the patches of the series add to app/test/meson.build,
# "<name> <runs without hugepages> <runs under ASan>" per line (the
# fields of a fast_tests entry).
series_fast_tests() {
	local name
	while IFS= read -r name; do
		sed -n "s/^+ *\['\([A-Za-z0-9_]*\)', *\(true\|false\), *\(true\|false\)\],\{0,1\}\$/\1 \2 \3/p" \
			"$(wc_patch_path "$name")"
	done < <(wc_series_patches)
}

run_variant() { # <variant> <build dir>
	local variant=$1 bin=$2/app/test/dpdk-test name nohuge asan
	while read -r name nohuge asan; do
		[ -n "$name" ] || continue
		if [ ! -x "$bin" ]; then
			wc_fail "$variant/$name" "$bin not built (see stage 10-build)"
		elif [ "$nohuge" = false ]; then
			wc_skip "$variant/$name" "fast_tests entry says it needs hugepages"
		elif [ "$variant" = unit-asan ] && [ "$asan" = false ]; then
			wc_skip "$variant/$name" "fast_tests entry says it does not run under ASan"
		else
			run_autotest "$variant" "$bin" "$name"
		fi
	done < <(sed '/^$/d; s/$/ true true/' <<<"$WC_DPDK_AUTOTESTS"; series_fast_tests)
}

[ -n "$(series_fast_tests)" ] ||
	wc_fail unit/series-fast-tests "no fast_tests entry found in the patches of patches/series"
run_variant unit "$WC_BUILD/dpdk/build"
run_variant unit-asan "$WC_BUILD/dpdk/build-asan"
