#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: export the overlay + patches/series as a git format-patch series,
# check it applies with git am onto pristine DPDK and gives the assembled
# tree, run DPDK's checkpatches.sh (one result per patch; findings listed
# in devtools/checkpatch-exceptions.txt are accepted and printed) and
# check-git-log.sh on it, and build every commit of the series on its own.
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/../wc-overlay.sh"

wc_build_lock export
out=$WC_BUILD/series
am=$WC_BUILD/export/am
log=$WC_BUILD/logs/export.log
GIT=(git -c user.name="WC Export Check" -c user.email=export-check@example.org -c commit.gpgsign=false)
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
	local pristine=$1 tree
	shift
	tree=$(bash "$WC_REPO/devtools/assemble.sh" 2>>"$log") ||
		{ show_log "$log"; wc_fail export/git-am "assemble.sh failed"; return; }
	rm -rf "$am"
	cp -a "$pristine" "$am"
	chmod -R u+w "$am"
	(cd "$am" && "${GIT[@]}" init -q && "${GIT[@]}" add -A -f &&
		"${GIT[@]}" commit -q -m pristine) >>"$log" 2>&1
	if [ $# -gt 0 ] && ! (cd "$am" && "${GIT[@]}" am -q "$@") >>"$log" 2>&1; then
		show_log "$log"
		wc_fail export/git-am "the series does not apply with git am onto pristine DPDK"
	elif ! diff -r -q -x .git -x build -x 'build-*' "$am" "$tree" >>"$log" 2>&1; then
		show_log "$log"
		wc_fail export/git-am "pristine + series differs from the assembled tree"
	else
		wc_pass export/git-am
	fi
	rm -rf "$am"
}

checkpatches() { # <patch...>
	local tools p rc
	wc_need_pkgs gawk >>"$log" 2>&1
	tools=$(bash "$WC_REPO/devtools/get-linux-tools.sh" 2>>"$log") ||
		{ show_log "$log"; wc_fail export/checkpatch "cannot get checkpatch.pl"; return; }
	for p in "$@"; do
		(cd "$WC_BUILD/export/dpdk" && DPDK_CHECKPATCH_PATH=$tools/checkpatch.pl \
			devtools/checkpatches.sh "$p") >"$log" 2>&1
		rc=$?
		if [ "$rc" = 0 ] && grep -q '1/1 valid patch' "$log"; then
			wc_pass "export/checkpatch/${p##*/}"
		elif bash "$WC_REPO/devtools/checkpatch-filter.sh" <"$log" >"$log.filter"; then
			# Every finding is a reviewed exception: say which.
			wc_indent <"$log.filter"
			wc_pass "export/checkpatch/${p##*/}"
		else
			show_log "$log" 20
			grep '^finding: ' "$log.filter" | wc_indent
			wc_fail "export/checkpatch/${p##*/}" \
				"checkpatches.sh reports problems not in devtools/checkpatch-exceptions.txt"
		fi
	done
}

check_git_log() {
	local repo=$WC_BUILD/export/dpdk
	wc_mailmap_add "$repo"
	if (cd "$repo" && devtools/check-git-log.sh -r pristine..HEAD) >"$log" 2>&1; then
		wc_pass export/check-git-log
	else
		show_log "$log" 20
		wc_fail export/check-git-log "check-git-log.sh reports problems"
	fi
	wc_mailmap_restore "$repo"
}

# Every commit builds on its own (developer mode, warnings as errors), so
# the series bisects. Run last: a failing build leaves the export repo at
# that commit.
each_commit_builds() {
	local blog=$WC_BUILD/logs/export-build.log
	if bash "$WC_REPO/devtools/export-series.sh" -o "$out" --check-build >"$blog" 2>&1; then
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
