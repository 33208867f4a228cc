#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Self-test of the guest harness: runs run-tests.sh on the deliberately
# broken tests of devtools/guest/selftest/ and checks that each gets the
# verdict its "# expect: <STATUS> [reason regex]" header names: a pattern
# that never reaches the ivshmem file, a wrong hex check, a timeout, a
# kernel warning, a PAT conflict, a failing host script, a guest that
# dies mid-test and a guest that hangs must all fail. Prints PASS/FAIL:
# guest/harness/<test>.
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

nfail=0

check() { # <verdicts> <name> <expect line> <verdict name>
	local verdicts=$1 name=$2 status=${3%% *} regex='' line got
	[ "$3" = "$status" ] || regex=${3#* }
	line=$(grep -E "^(PASS|FAIL|SKIP): guest/$4(: |\$)" "$verdicts" | tail -n1)
	got=${line%%:*}
	if [ "$got" = "$status" ] &&
	   { [ -z "$regex" ] || echo "${line#*: guest/"$4": }" | grep -qE -- "$regex"; }; then
		echo "PASS: guest/harness/$name"
	else
		echo "FAIL: guest/harness/$name: expected $status${regex:+ /$regex/}, got '${line:-no verdict}'"
		nfail=$((nfail + 1))
	fi
}

# run_group <tests dir> <verdict prefix>: one guest for the tests of a dir.
run_group() {
	local dir=$1 prefix=$2 out
	out=$(group_out "$prefix")
	mkdir -p "$out"
	# Only the harness's own programs are needed.
	WC_GUEST_PAYLOADS=10-ptecheck WC_GUEST_TESTS_DIR=$dir WC_GUEST_OUT=$out \
		"$WC_GUEST_DIR/run-tests.sh" \
		>"$out/verdicts.txt" 2>"$out/run-tests.log"
}

group_out() { # <verdict prefix>
	echo "$WC_GUEST_OUT/selftest${1:+-${1%/}}"
}

check_group() { # <tests dir> <verdict prefix>
	local dir=$1 prefix=$2 out t name boot
	out=$(group_out "$prefix")
	if grep -q '^FAIL: guest/image' "$out/verdicts.txt"; then
		echo "FAIL: guest/harness/$prefix: the guest image could not be built (see $out/run-tests.log)"
		nfail=$((nfail + 1))
		return
	fi
	for t in "$dir"/[0-9][0-9]-*.sh; do
		name=$(basename "$t" .sh)
		check "$out/verdicts.txt" "$prefix$name" \
			"$(sed -n 's/^# expect: //p' "$t" | head -n1)" "$name"
		boot=$(sed -n 's/^# expect-boot: //p' "$t" | head -n1)
		[ -z "$boot" ] || check "$out/verdicts.txt" "$prefix$name-boot" "$boot" boot
	done
}

# A hung guest ends the run, so it gets a guest of its own, with a short
# grace period (WC_GUEST_HANG_GRACE). The two guests run side by side:
# nothing here measures time.
WC_GUEST_HANG_GRACE=5 run_group "$WC_GUEST_DIR/selftest/hang" hang/ &
run_group "$WC_GUEST_DIR/selftest" ""
wait
check_group "$WC_GUEST_DIR/selftest" ""
check_group "$WC_GUEST_DIR/selftest/hang" hang/
[ $nfail -eq 0 ]
