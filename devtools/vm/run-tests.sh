#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run the guest tests: build the image (mkimage.sh), boot the test machine
# (machine.sh) under QEMU TCG, collect the results from the guest's result
# port, run the host checks, and print one line per test:
#   PASS: guest/<name>
#   FAIL: guest/<name>: <reason>
#   SKIP: guest/<name>: <reason>
# "guest/boot" covers the boot, the power-off and kernel messages outside
# any test; "guest/payload/<name>" the payload builds.
# Exits non-zero when anything failed.
#
# usage: run-tests.sh [test name or glob...]     (default: every test)
# Environment: WC_GUEST_VERBOSE=1 streams the guest console to stderr;
# WC_GUEST_ARCH (x86_64 or arm64); WC_GUEST_OUT (artefacts, default build/guest);
# WC_GUEST_TESTS_DIR (default devtools/guest/tests); WC_GUEST_HANG_GRACE.
#
# A test fails on: a non-zero exit, its timeout, a missing result (guest
# died or hung: the host kills a guest that stops making progress), a
# failed host check, or a kernel warning in dmesg while it ran (WARN, BUG,
# Oops, x86 PAT conflicts, IOMMU faults of the Intel IOMMU or the SMMUv3).
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"
. "$(dirname "$0")/machine.sh"
. "$(dirname "$0")/../guest/parse.sh"

# Kernel messages that fail the test they appear in. The debug kernel's
# checkers report with WARNING:/BUG: headers (KASAN, lockdep, RCU,
# atomic sleep, list and object debugging), plus the lines below.
DMESG_BAD='WARNING:|BUG:|Oops|general protection fault|Kernel panic|Call Trace:|UBSAN:|conflicting memory types|x86/PAT: |DMAR: DRHD: handling fault|DMAR: [[]DMA|arm-smmu-v3 .*: event 0x|blocked for more than|KASAN:|ODEBUG:|INFO: trying to register non-static key|INFO: rcu_.* stall|suspected memory leak'
# ...except these benign ones.
DMESG_OK='x86/PAT: Configuration [[]'

# Boot and power-off under TCG, on top of the tests' own timeouts.
BOOT_MARGIN=150
# A test still running this long after its timeout means the guest hangs
# (the guest enforces the timeouts itself).
HANG_GRACE=${WC_GUEST_HANG_GRACE:-60}

nfail=0
result() { # <status> <name> [reason]
	wc_result "$1" "guest/$2" "${3:-}"
	[ "$1" = FAIL ] && nfail=$((nfail + 1))
	return 0
}

# Lines of one record type from the result log, without the tag.
records() { # <tag>
	sed -n "s/^$1 //p" "$run/results.log"
}

# Split the result log into the per-test logs and the guest dmesg.
split_results() {
	tr -d '\r' <"$run/results.raw" >"$run/results.log"
	mkdir -p "$run/tests"
	awk -v dir="$run/tests" '$1 == "WCLOG" {
		f = dir "/" $2 ".log"; sub(/^WCLOG [^ ]+ ?/, ""); print > f }' \
		"$run/results.log"
	records WCDMESG >"$run/dmesg.log"
}

# dmesg lines matching DMESG_BAD, tagged with the test that was running
# ("boot" before, between and after tests): "<test> <line>".
dmesg_issues() {
	awk -v bad="$DMESG_BAD" -v ok="$DMESG_OK" '
		BEGIN { cur = "boot" }
		/wc-guest: test-begin / { cur = $NF; next }
		/wc-guest: test-end / { cur = "boot"; next }
		$0 ~ bad && $0 !~ ok { print cur " " $0 }' "$run/dmesg.log"
}

# The first kernel error on the guest console (a panic never reaches the
# result port).
console_issue() {
	tr -d '\r' <"$run/console.log" |
		awk -v bad="$DMESG_BAD" -v ok="$DMESG_OK" '$0 ~ bad && $0 !~ ok { print; exit }'
}

# host_check <test> <kind> <offset> <expected>: prints a failure reason.
host_check() {
	local kind=$2 off=$3 want=$4 got len
	case $kind in
	ivshmem) ;;
	*) echo "unknown host check '$kind'"; return ;;
	esac
	if ! [[ $off =~ ^(0x[0-9a-fA-F]+|[0-9]+)$ ]] || [ -z "$want" ]; then
		echo "malformed host check '$kind $off $want'"
		return
	fi
	if [ $((off)) -ge $((1 << 20)) ]; then
		echo "host check offset $off outside the 1 MiB ivshmem file"
		return
	fi
	if [ "${want#hex:}" != "$want" ]; then
		want=${want#hex:}
		len=$((${#want} / 2))
		got=$(dd if="$run/ivshmem.bin" bs=1 skip=$((off)) count="$len" 2>/dev/null |
			od -An -v -tx1 | tr -d ' \n')
	else
		len=${#want}
		got=$(dd if="$run/ivshmem.bin" bs=1 skip=$((off)) count="$len" 2>/dev/null |
			tr -d '\0')
	fi
	[ "$got" = "$want" ] ||
		echo "host check: ivshmem+$off holds '$got', expected '$want'"
}

# The verdict of one test from the guest's result and the host's checks.
judge_test() { # <name>
	local name=$1 line status reason why hostscript tname kind off want
	line=$(records WCRESULT | awk -v n="$name" '$1 == n' | tail -n1)
	if [ -z "$line" ]; then
		if records WCBEGIN | awk -v n="$name" '$1 == n { f = 1 } END { exit !f }'; then
			reason="no result: the guest stopped during the test ($guest_end)"
		else
			reason="no result: the test never started ($guest_end)"
		fi
		why=$(console_issue)
		result FAIL "$name" "$reason${why:+; console: $why}"
		return
	fi
	status=$(echo "$line" | cut -d' ' -f2)
	reason=$(echo "$line" | cut -d' ' -f3-)
	why=$(dmesg_issues | awk -v n="$name" '$1 == n { sub(/^[^ ]+ /, ""); print; exit }')
	if [ -n "$why" ]; then
		result FAIL "$name" "kernel: $why${reason:+ ($status: $reason)}"
		return
	fi
	[ "$status" = PASS ] || { result "$status" "$name" "$reason"; return; }
	while read -r tname kind off want; do
		[ "$tname" = "$name" ] || continue
		why=$(host_check "$tname" "$kind" "$off" "$want")
		[ -z "$why" ] || { result FAIL "$name" "$why"; return; }
	done < <(records WCHOSTCHECK)
	hostscript=$WC_GUEST_TESTS_DIR/$name.host
	if [ -f "$hostscript" ]; then
		why=$(WC_IVSHMEM_FILE=$run/ivshmem.bin WC_TEST_LOG=$run/tests/$name.log \
			bash "$hostscript" "$run" 2>&1) ||
			{ result FAIL "$name" "host script: $(echo "$why" | tail -n1)"; return; }
	fi
	result PASS "$name"
}

# Kill a guest that stopped making progress: no boot report within
# BOOT_MARGIN, or a test running longer than its timeout plus a minute
# (HANG_GRACE: the guest enforces the timeout itself, so the guest is
# hung). Prints
# why it killed, nothing when QEMU ended by itself.
watch_guest() { # <qemu pid>
	local qpid=$1 began=$SECONDS cur='' since=$SECONDS last name tmo limit why=''
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 1
		last=$(grep -a -E '^WC(BOOT|BEGIN|RESULT|DONE)' "$run/results.raw" | tail -n1 | tr -d '\r')
		if [ "$last" != "$cur" ]; then
			cur=$last
			since=$SECONDS
		fi
		case $cur in
		'') limit=$BOOT_MARGIN; name="the boot"; since=$began ;;
		WCBEGIN*)
			read -r _ name tmo <<<"$cur"
			limit=$((tmo + HANG_GRACE)) ;;
		*) limit=120; name="init between tests" ;;
		esac
		if [ $((SECONDS - since)) -gt "$limit" ]; then
			why="no progress for ${limit}s in $name"
			break
		fi
	done
	if [ -n "$why" ]; then
		# timeout(1) passes the signal on to QEMU.
		kill "$qpid" 2>/dev/null
		echo "$why"
	fi
}

judge_boot() { # <qemu status>
	local why
	if ! grep -q '^WCBOOT ' "$run/results.log"; then
		result FAIL boot "init never reported ($guest_end); see $run/console.log"
		return
	fi
	if ! grep -q '^WCDONE' "$run/results.log"; then
		result FAIL boot "the guest did not finish ($guest_end)"
		return
	fi
	why=$(dmesg_issues | awk '$1 == "boot" { sub(/^[^ ]+ /, ""); print; exit }')
	[ -z "$why" ] || { result FAIL boot "kernel: $why"; return; }
	[ "$1" = 0 ] || { result FAIL boot "QEMU exited with status $1"; return; }
	result PASS boot
}

main() {
	local img t name tests=() total=$BOOT_MARGIN qstatus start tailpid='' qpid hung
	wc_need_pkgs "$WC_GUEST_QEMU_PKG" busybox-static kmod xz-utils zstd cpio \
		debootstrap debian-archive-keyring binutils
	# One run at a time per output directory (image and artefacts).
	wc_lock "$WC_GUEST_OUT/.lock"
	# In the background, so that a signal stops the run at once.
	wc_bg "$WC_VM_DIR/mkimage.sh" "$@" >"$WC_GUEST_OUT/image.path"
	wc_wait "$WC_BG_PID" || {
		result FAIL image "building the guest image failed"
		exit 1
	}
	img=$(cat "$WC_GUEST_OUT/image.path")
	while IFS= read -r t; do
		printf '%s\n' "$t"
		case $t in FAIL:*) nfail=$((nfail + 1)) ;; esac
	done <"$img/payload.results"

	for t in "$img"/root/opt/wc/tests/*.sh; do
		name=$(basename "$t" .sh)
		tests+=("$name")
		total=$((total + $(test_timeout "$t")))
	done

	run=$WC_GUEST_OUT/run
	rm -rf "$run"
	mkdir -p "$run"
	truncate -s 1M "$run/ivshmem.bin"
	[ "$WC_GUEST_ARCH" != x86_64 ] || truncate -s "$WC_GUEST_LARGE_BAR" "$run/ivshmem-large.bin"
	: >"$run/console.log"
	: >"$run/results.raw"
	wc_guest_qemu_cmd "$img/vmlinuz" "$img/initramfs.cpio" "$run/ivshmem.bin" \
		"$run/console.log" "$run/results.raw" \
		"wc.run=$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
	printf '%q ' "${WC_QEMU_CMD[@]}" >"$run/qemu.cmd"
	if [ "${WC_GUEST_VERBOSE:-0}" = 1 ]; then
		wc_bg tail -n +1 -f "$run/console.log" >&2
		tailpid=$WC_BG_PID
	fi
	wc_log "booting the $WC_GUEST_ARCH guest (${#tests[@]} tests, limit ${total}s)"
	start=$SECONDS
	# In the background, stopped on exit and on SIGINT/SIGTERM (wc_bg):
	# timeout(1) runs QEMU in a process group of its own, which a Ctrl-C
	# does not reach. The watch runs in the background too, so that
	# the signal traps are not held up until it ends.
	wc_bg timeout -k 10 "$total" "${WC_QEMU_CMD[@]}" </dev/null >"$run/qemu.log" 2>&1
	qpid=$WC_BG_PID
	wc_bg watch_guest "$qpid" >"$run/watch.txt"
	wc_wait "$WC_BG_PID"
	hung=$(cat "$run/watch.txt")
	wc_wait "$qpid"
	qstatus=$?
	[ -z "$tailpid" ] || { kill "$tailpid" 2>/dev/null; wc_wait "$tailpid"; }
	if [ -n "$hung" ]; then
		guest_end="guest killed: $hung"
	elif [ $qstatus = 124 ] || [ $qstatus = 137 ]; then
		guest_end="guest killed after the ${total}s limit"
	else
		guest_end="QEMU exited with status $qstatus"
	fi
	split_results

	judge_boot "$qstatus"
	for name in "${tests[@]}"; do
		judge_test "$name"
	done
	wc_log "guest ran $((SECONDS - start)) s; artefacts in $run (console.log, dmesg.log, tests/, ivshmem.bin)"
	wc_log "guest seconds per test: $(records WCTIME | sort -k2,2nr | awk '{ printf "%s%s %ss", (NR > 1 ? ", " : ""), $1, $2 }')"
	[ $nfail -eq 0 ]
}

main "$@"
