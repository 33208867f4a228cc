#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run every test stage and print the totals. This is the README's test
# command and what CI (.ci/run) runs. Run as root on Debian 12: stages
# install the Debian packages they need.
#
#   devtools/test.sh [stage...]     e.g. devtools/test.sh build unit
#
# A stage is an executable devtools/tests.d/NN-name.sh (or in
# $WC_STAGES_DIR, for the runner's own self-test); stages run in file
# name order. Each prints one line per test:
#   PASS: <name>
#   FAIL: <name>: <reason>
#   SKIP: <name>: <reason>
# Other output lines are shown as they come. A stage that exits non-zero
# without printing a FAIL line counts as one failed test. The last line is
#   N passed, N failed, N skipped
# and the exit status is non-zero when anything failed.
set -uo pipefail
. "$(dirname "$0")/wc-common.sh"

passed=0
failed=0
skipped=0

stage_selected() { # <stage name> <selection...>
	local name=$1 s
	shift
	[ $# -eq 0 ] && return 0
	for s in "$@"; do
		case $name in *"$s"*) return 0 ;; esac
	done
	return 1
}

run_stage() { # <stage script>
	local stage=$1 name rc line nfail=0 pid
	name=$(basename "$stage" .sh)
	echo "=== stage $name"
	# The stage is stopped with the runner (SIGINT/SIGTERM, see
	# wc_cleanup); it stops its own children.
	exec 3< <(exec "$stage" </dev/null 2>&1)
	pid=$!
	WC_CLEANUP_PIDS+=("$pid")
	# "|| [ -n ...]": a last line without newline is a line too.
	while IFS= read -r line <&3 || [ -n "$line" ]; do
		printf '%s\n' "$line"
		case $line in
		PASS:*) passed=$((passed + 1)) ;;
		FAIL:*) failed=$((failed + 1)) nfail=$((nfail + 1)) ;;
		SKIP:*) skipped=$((skipped + 1)) ;;
		esac
	done
	exec 3<&-
	wc_wait "$pid"
	rc=$?
	if [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
		echo "FAIL: $name: stage exited with status $rc"
		failed=$((failed + 1))
	fi
}

main() {
	local stage
	cd "$WC_REPO" || exit 1
	for stage in "${WC_STAGES_DIR:-$WC_REPO/devtools/tests.d}"/[0-9]*.sh; do
		[ -x "$stage" ] || continue
		stage_selected "$(basename "$stage" .sh)" "$@" || continue
		run_stage "$stage"
	done
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}

main "$@"
