#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Self-test of the guest harness: runs run-tests.sh on the deliberately
# broken tests of devtools/guest/selftest/ and checks that each gets the
# verdict its "# expect: <STATUS> [reason regex]" header names: a pattern
# that never reaches the ivshmem file, a wrong hex check, a timeout, a
# kernel warning, a PAT conflict, a failing host script, a guest that
# dies mid-test and a guest that hangs must all fail; a run stopped by
# SIGTERM must leave no QEMU. Prints PASS/FAIL: guest/harness/<test>.
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"
. "$(dirname "$0")/../guest/parse.sh"

nfail=0

check() { # <verdicts> <name> <expect line> <verdict name>
	local verdicts=$1 name=$2 status=${3%% *} regex='' line got
	[ "$3" = "$status" ] || regex=${3#* }
	line=$(grep -E "^(PASS|FAIL|SKIP): guest/$4(: |\$)" "$verdicts" | tail -n1)
	got=${line%%:*}
	if [ "$got" = "$status" ] &&
	   { [ -z "$regex" ] || echo "${line#*: guest/"$4": }" | grep -qE -- "$regex"; }; then
		wc_pass "guest/harness/$name"
	else
		wc_fail "guest/harness/$name" "expected $status${regex:+ /$regex/}, got '${line:-no verdict}'"
		nfail=$((nfail + 1))
	fi
}

# start_group <tests dir> <verdict prefix> [VAR=value...]: one guest for
# the tests of a dir, started in the background (wc_bg: stopped with
# this script).
start_group() {
	local dir=$1 prefix=$2 out
	shift 2
	out=$(group_out "$prefix")
	mkdir -p "$out"
	# Only the harness's own programs are needed, and its broken payload.
	wc_bg env "$@" WC_GUEST_PAYLOADS="10-ptecheck 90-broken" WC_GUEST_TESTS_DIR="$dir" \
		WC_GUEST_OUT="$out" "$WC_VM_DIR/run-tests.sh" \
		>"$out/verdicts.txt" 2>"$out/run-tests.log"
}

group_out() { # <verdict prefix>
	echo "$WC_GUEST_OUT/selftest${1:+-${1%/}}"
}

check_group() { # <tests dir> <verdict prefix>
	local dir=$1 prefix=$2 out t name boot
	out=$(group_out "$prefix")
	if grep -q '^FAIL: guest/image' "$out/verdicts.txt"; then
		wc_fail "guest/harness/$prefix" "the guest image could not be built (see $out/run-tests.log)"
		nfail=$((nfail + 1))
		return
	fi
	for t in "$dir"/[0-9][0-9]-*.sh; do
		name=$(basename "$t" .sh)
		check "$out/verdicts.txt" "$prefix$name" "$(test_header "$t" expect)" "$name"
		boot=$(test_header "$t" expect-boot)
		[ -z "$boot" ] || check "$out/verdicts.txt" "$prefix$name-boot" "$boot" boot
	done
	for t in "$dir"/payload.d/*.sh; do
		[ -e "$t" ] || continue
		name=payload/$(basename "$t" .sh)
		check "$out/verdicts.txt" "$prefix$name" "$(test_header "$t" expect)" "$name"
	done
}

# check_stop: run-tests.sh stopped by SIGTERM while its guest runs leaves
# no QEMU behind (QEMU runs in a process group of its own, which a signal
# to the harness does not reach by itself).
check_stop() {
	local name=guest/harness/stop-leaves-no-qemu out pid qemu='' left
	out=$(group_out stop/)
	start_group "$WC_GUEST_DIR/selftest/hang" stop/
	pid=$WC_BG_PID
	# This run's QEMU is the one whose command line names its ivshmem file.
	for _ in $(seq 900); do
		qemu=$(pgrep -f -- "mem-path=$out/run/ivshmem.bin") && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	kill -TERM "$pid" 2>/dev/null
	wc_wait "$pid"
	sleep 1
	left=$(pgrep -f -- "mem-path=$out/run/ivshmem.bin")
	if [ -z "$qemu" ]; then
		wc_fail "$name" "QEMU never started (see $out/run-tests.log)"
		nfail=$((nfail + 1))
	elif [ -n "$left" ]; then
		wc_fail "$name" "QEMU $left still runs after SIGTERM to run-tests.sh"
		nfail=$((nfail + 1))
		# shellcheck disable=SC2086 # a list of pids
		kill $left
	else
		wc_pass "$name"
	fi
}

# A hung guest ends the run, so it gets a guest of its own, with a short
# grace period (WC_GUEST_HANG_GRACE). The two guests run side by side:
# nothing here measures time.
start_group "$WC_GUEST_DIR/selftest/hang" hang/ WC_GUEST_HANG_GRACE=5
hang_pid=$WC_BG_PID
start_group "$WC_GUEST_DIR/selftest" ""
wc_wait "$WC_BG_PID"
wc_wait "$hang_pid"
check_group "$WC_GUEST_DIR/selftest" ""
check_group "$WC_GUEST_DIR/selftest/hang" hang/
check_stop
[ $nfail -eq 0 ]
