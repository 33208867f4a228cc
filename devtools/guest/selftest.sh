#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Self-test of the guest harness: runs run-tests.sh on the deliberately
# broken tests of devtools/guest/selftest/ and checks that each gets the
# verdict its "# expect: <STATUS> [reason regex]" header names: a pattern
# that never reaches the ivshmem file, a wrong hex check, a timeout, a
# kernel warning, a PAT conflict, a failing host script and a guest that
# dies mid-test must all fail. Prints PASS/FAIL: guest/harness/<test>.
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

dir=$WC_GUEST_DIR/selftest
out=$WC_GUEST_OUT/selftest
mkdir -p "$out"
WC_GUEST_TESTS_DIR=$dir WC_GUEST_OUT=$out "$WC_GUEST_DIR/run-tests.sh" \
	>"$out/verdicts.txt" 2>"$out/run-tests.log"
nfail=0
if grep -q '^FAIL: guest/image' "$out/verdicts.txt"; then
	echo "FAIL: guest/harness: the guest image could not be built (see $out/run-tests.log)"
	exit 1
fi

check() { # <name> <expect line> <verdict name>
	local name=$1 status=${2%% *} regex='' line got
	[ "$2" = "$status" ] || regex=${2#* }
	line=$(grep -E "^(PASS|FAIL|SKIP): guest/$3(: |\$)" "$out/verdicts.txt" | tail -n1)
	got=${line%%:*}
	if [ "$got" = "$status" ] &&
	   { [ -z "$regex" ] || echo "${line#*: guest/"$3": }" | grep -qE -- "$regex"; }; then
		echo "PASS: guest/harness/$name"
	else
		echo "FAIL: guest/harness/$name: expected $status${regex:+ /$regex/}, got '${line:-no verdict}'"
		nfail=$((nfail + 1))
	fi
}

for t in "$dir"/[0-9][0-9]-*.sh; do
	name=$(basename "$t" .sh)
	check "$name" "$(sed -n 's/^# expect: //p' "$t" | head -n1)" "$name"
	boot=$(sed -n 's/^# expect-boot: //p' "$t" | head -n1)
	[ -z "$boot" ] || check "$name-boot" "$boot" boot
done
[ $nfail -eq 0 ]
