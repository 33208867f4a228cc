#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: export the overlay + patches/series as a git format-patch series,
# check it applies with git am onto pristine DPDK and gives the assembled
# tree, run DPDK's checkpatches.sh (one result per patch; findings listed
# in devtools/checkpatch-exceptions.txt are accepted and printed) and
# check-git-log.sh on it, and build every commit of the series on its own.
# parallel: yes
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/../wc-overlay.sh"

wc_build_lock export
out=$WC_BUILD/series
repo=$WC_BUILD/export/dpdk
log=$WC_BUILD/logs/export.log
mkdir -p "$WC_BUILD/logs"

show_log() { tail -n "${2:-10}" "$1" | wc_indent; }

export_series() {
	if bash "$WC_REPO/devtools/export-series.sh" -o "$out" >"$log" 2>&1; then
		wc_pass export/series
		return 0
	fi
	show_log "$log"
	wc_fail export/series "$(grep 'error:' "$log" | tail -n1 | sed 's/.*error: //')"
	return 1
}

# pristine + series (git am) must be exactly the assembled build tree.
check_git_am() { # <pristine> <patch...>
	local pristine=$1 tree why
	shift
	tree=$(bash "$WC_REPO/devtools/assemble.sh" 2>>"$log") ||
		{ show_log "$log"; wc_fail export/git-am "assemble.sh failed"; return; }
	if why=$(wc_check_git_am "$pristine" "$tree" "$WC_BUILD/export/am" "$@" 2>&1); then
		wc_pass export/git-am
	else
		printf '%s\n' "$why" | head -n -1 | wc_indent
		wc_fail export/git-am "$(printf '%s\n' "$why" | tail -n1)"
	fi
	rm -rf "$WC_BUILD/export/am"
}

checkpatches() { # <patch...>
	local p out
	for p in "$@"; do
		if out=$(wc_checkpatch "$repo" "$p" 2>&1); then
			# Every finding is a reviewed exception: say which.
			[ -z "$out" ] || printf '%s\n' "$out" | wc_indent
			wc_pass "export/checkpatch/${p##*/}"
		else
			printf '%s\n' "$out" | wc_indent
			wc_fail "export/checkpatch/${p##*/}" \
				"checkpatches.sh reports problems not in devtools/checkpatch-exceptions.txt"
		fi
	done
}

check_git_log() {
	if wc_check_git_log "$repo" >"$log" 2>&1; then
		wc_pass export/check-git-log
	else
		show_log "$log" 20
		wc_fail export/check-git-log "check-git-log.sh reports problems"
	fi
}

# Every commit builds on its own (developer mode, warnings as errors), so
# the series bisects. Run last: a failing build leaves the export repo at
# that commit.
each_commit_builds() {
	local blog=$WC_BUILD/logs/export-build.log
	if (wc_build_each_commit "$repo") >"$blog" 2>&1; then
		echo "  $(grep 'commits built one by one' "$blog" | sed 's/^[^:]*: //')"
		wc_pass export/each-commit-builds
	else
		show_log "$blog" 20
		wc_fail export/each-commit-builds "$(grep 'error:' "$blog" | tail -n1 | sed 's/.*error: //')"
	fi
}

main() {
	local pristine patches
	pristine=$(bash "$WC_REPO/devtools/get-dpdk.sh" 2>"$log") ||
		{ show_log "$log"; wc_fail export/series "no pristine DPDK tree"; exit 0; }
	export_series || exit 0
	mapfile -t patches < <(wc_exported_patches "$out")
	check_git_am "$pristine" "${patches[@]}"
	if [ ${#patches[@]} = 0 ]; then
		wc_skip export/checkpatch "patches/series is empty, no patch to check"
		return
	fi
	checkpatches "${patches[@]}"
	check_git_log
	each_commit_builds
}

main
