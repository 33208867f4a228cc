#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: self-tests of the overlay pipeline (assemble, incremental build,
# export). They run on a small synthetic overlay repo made here, with this
# repo's devtools, so they do not depend on the project's own files:
#   lib/kvargs/wc_selftest.c   compiled into librte_kvargs by patch 0001
#   doc/wc_selftest.txt        an overlay file that is not compiled
# parallel: yes
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/../wc-overlay.sh"

wc_build_lock pipeline
T=$WC_BUILD/selftest
R=$T/repo
export WC_BUILD=$T/build # the synthetic repo's build tree, kept between runs
tree=$WC_BUILD/dpdk
target=lib/librte_kvargs.a
unit=lib/kvargs/wc_selftest.c
log=$T/log
GIT=(git -c user.name="WC Selftest" -c user.email=selftest@example.org -c commit.gpgsign=false)

# Run a command of the synthetic repo's devtools, output in $log.
st() { # <script> [args]
	local s=$1
	shift
	bash "$R/devtools/$s" "$@" >"$log" 2>&1
}

show_log() { tail -n "${1:-8}" "$log" | wc_indent; }

selftest_source() { # <value>
	cat <<EOF
/* SPDX-License-Identifier: BSD-3-Clause */
#include "rte_kvargs.h"

int wc_selftest_value(void);

int
wc_selftest_value(void)
{
	return $1;
}
EOF
}

# A -p1 diff of one pristine file, edited by a sed expression.
pristine_diff() { # <pristine tree> <path> <sed expression>
	local d=$T/diff
	rm -rf "$d"
	mkdir -p "$d/a/$(dirname "$2")" "$d/b/$(dirname "$2")"
	cp "$1/$2" "$d/a/$2"
	sed "$3" "$1/$2" >"$d/b/$2"
	(cd "$d" && git diff --no-index --no-prefix "a/$2" "b/$2") || true
	rm -rf "$d"
}

make_repo() { # <pristine tree>
	rm -rf "$R"
	mkdir -p "$R/devtools" "$R/patches" "$R/lib/kvargs" "$R/doc"
	cp "$WC_REPO"/devtools/*.sh "$R/devtools/"
	printf '/build/\n' >"$R/.gitignore"
	selftest_source 1 >"$R/$unit"
	echo "pipeline self-test file" >"$R/doc/wc_selftest.txt"
	printf '# self-test series\n0001-kvargs-build-selftest-file.patch\n' >"$R/patches/series"
	{
		cat <<EOF
Subject: [PATCH] kvargs: build self-test file

Build the file the pipeline self-tests change.

Overlay: $unit
Overlay: doc/wc_selftest.txt
Signed-off-by: WC Selftest <selftest@example.org>
---
EOF
		pristine_diff "$1" lib/kvargs/meson.build \
			"s/files('rte_kvargs.c')/files('rte_kvargs.c', 'wc_selftest.c')/"
	} >"$R/patches/0001-kvargs-build-selftest-file.patch"
	"${GIT[@]}" -C "$R" init -q
	"${GIT[@]}" -C "$R" add -A
	"${GIT[@]}" -C "$R" commit -q -m "self-test overlay"
}

# Commands ninja would run for the target, one per line.
ninja_plan() {
	ninja -C "$tree/build" -n -v "$target" 2>/dev/null | grep -E '^\[[0-9]+/[0-9]+\] '
}

compiled_files() { # <ninja output>: sources compiled, one per line
	printf '%s\n' "$1" | grep -E '^\[[0-9]+/[0-9]+\] .* -c [^ ]+\.c$' | sed 's/.* -c //'
}

test_build() {
	if st build.sh "$target"; then
		wc_pass pipeline/assemble-and-build
	else
		show_log 20
		wc_fail pipeline/assemble-and-build "cannot build $target of the synthetic overlay"
		return 1
	fi
	if [ -f "$tree/$unit" ] && grep -q "return 1;" "$tree/$unit" &&
	   grep -q "wc_selftest.c" "$tree/lib/kvargs/meson.build"; then
		wc_pass pipeline/tree-has-overlay-and-patch
	else
		wc_fail pipeline/tree-has-overlay-and-patch "$tree lacks $unit or the 0001 change"
	fi
}

test_noop_reassembly() {
	local plan
	st assemble.sh || { show_log; wc_fail pipeline/noop-reassembly "assemble.sh failed"; return; }
	plan=$(ninja_plan)
	if [ -z "$plan" ] && [ ! -s "$WC_BUILD/assemble.changes" ]; then
		wc_pass pipeline/noop-reassembly
	else
		wc_fail pipeline/noop-reassembly "re-assembly without changes leaves work for ninja: $(echo "$plan" | head -c 200)"
	fi
	touch "$R/$unit"
	st assemble.sh
	plan=$(ninja_plan)
	if [ -z "$plan" ]; then
		wc_pass pipeline/touched-unchanged-file-not-rebuilt
	else
		wc_fail pipeline/touched-unchanged-file-not-rebuilt "ninja would run: $(echo "$plan" | head -c 200)"
	fi
}

test_changed_file_rebuilt() {
	local out files
	selftest_source 2 >"$R/$unit"
	st assemble.sh || { show_log; wc_fail pipeline/changed-file-rebuilt "assemble.sh failed"; return; }
	out=$(ninja -C "$tree/build" -v "$target" 2>&1)
	files=$(compiled_files "$out")
	if [ "$files" = "../$unit" ] && grep -q "return 2;" "$tree/$unit"; then
		wc_pass pipeline/changed-file-rebuilt
	else
		wc_fail pipeline/changed-file-rebuilt "expected exactly ../$unit compiled, got: ${files//$'\n'/ }"
	fi
}

test_removed_file_gone() {
	"${GIT[@]}" -C "$R" rm -q doc/wc_selftest.txt
	sed -i '/^Overlay: doc\/wc_selftest.txt$/d' "$R/patches/0001-kvargs-build-selftest-file.patch"
	st assemble.sh
	if [ -f "$tree/$unit" ] && [ ! -e "$tree/doc/wc_selftest.txt" ]; then
		wc_pass pipeline/removed-file-gone
	else
		wc_fail pipeline/removed-file-gone "doc/wc_selftest.txt is still in $tree after removal from the overlay"
	fi
}

test_dropped_patch_restores_pristine() { # <pristine tree>
	local f=lib/kvargs/meson.build
	cp "$R/patches/series" "$T/series.saved"
	sed -i '/^0001-/d' "$R/patches/series"
	"${GIT[@]}" -C "$R" rm -q -f "$unit"
	if ! st assemble.sh; then
		show_log
		wc_fail pipeline/dropped-patch-restores-pristine "assemble.sh failed"
	elif ! cmp -s "$1/$f" "$tree/$f" || [ -e "$tree/$unit" ]; then
		wc_fail pipeline/dropped-patch-restores-pristine "$f not pristine or $unit left after dropping patch 0001"
	else
		wc_pass pipeline/dropped-patch-restores-pristine
	fi
	cp "$T/series.saved" "$R/patches/series"
	"${GIT[@]}" -C "$R" checkout -q HEAD -- "$unit"
	selftest_source 2 >"$R/$unit"
	st assemble.sh
}

test_broken_patch_named() {
	local before
	before=$(stat -c %Y "$tree/lib/kvargs/meson.build")
	{
		printf 'Subject: [PATCH] kvargs: no longer applies\n\n'
		printf 'Signed-off-by: WC Selftest <selftest@example.org>\n---\n'
		pristine_diff "$tree" lib/kvargs/meson.build 's/^headers = .*/headers = []/' |
			sed 's/^ sources = files/ sources = nothing/'
	} >"$R/patches/0002-kvargs-no-longer-applies.patch"
	echo 0002-kvargs-no-longer-applies.patch >>"$R/patches/series"
	if st assemble.sh; then
		wc_fail pipeline/broken-patch-named "assemble.sh accepted a patch that does not apply"
	elif ! grep -q "patch 0002-kvargs-no-longer-applies.patch .*does not apply" "$log"; then
		show_log
		wc_fail pipeline/broken-patch-named "the error does not name 0002-kvargs-no-longer-applies.patch"
	elif [ "$(stat -c %Y "$tree/lib/kvargs/meson.build")" != "$before" ]; then
		wc_fail pipeline/broken-patch-named "the failed assembly modified $tree"
	else
		wc_pass pipeline/broken-patch-named
	fi
	sed -i '/^0002-/d' "$R/patches/series"
	rm "$R/patches/0002-kvargs-no-longer-applies.patch"

	echo 0003-missing.patch >>"$R/patches/series"
	if ! st assemble.sh && grep -q "patches/series lists 0003-missing.patch" "$log"; then
		wc_pass pipeline/missing-patch-named
	else
		wc_fail pipeline/missing-patch-named "a series entry without file is not reported by name"
	fi
	sed -i '/^0003-/d' "$R/patches/series"
}

test_overlay_must_be_new() {
	echo "/* shadow */" >"$R/lib/kvargs/rte_kvargs.h"
	if ! st assemble.sh && grep -q "overlay file lib/kvargs/rte_kvargs.h exists in DPDK" "$log"; then
		wc_pass pipeline/overlay-replacing-dpdk-file-refused
	else
		wc_fail pipeline/overlay-replacing-dpdk-file-refused "an overlay file shadowing a DPDK file was accepted"
	fi
	rm "$R/lib/kvargs/rte_kvargs.h"
}

test_export_git_am() { # <pristine tree>
	local am=$T/am series=$T/series
	if ! st export-series.sh -o "$series"; then
		show_log
		wc_fail pipeline/export-git-am "export-series.sh failed"
		return
	fi
	if ! wc_check_git_am "$1" "$tree" "$am" "$series"/000[1-9]-*.patch >"$log" 2>&1; then
		head -n -1 "$log" | wc_indent
		wc_fail pipeline/export-git-am "$(tail -n1 "$log")"
	elif [ "$(git -C "$am" log -1 --format=%s)" != "kvargs: build self-test file" ] ||
	     git -C "$am" log -1 --format=%B | grep -q '^Overlay:' ||
	     ! git -C "$am" log -1 --format=%B | grep -q '^Signed-off-by: '; then
		wc_fail pipeline/export-git-am "commit message not as in the patch header (subject, no Overlay:, Signed-off-by kept)"
	else
		wc_pass pipeline/export-git-am
	fi
	rm -rf "$am"
}

test_export_claims() {
	local p=$R/patches/0001-kvargs-build-selftest-file.patch
	mkdir -p "$R/doc"
	echo extra >"$R/doc/wc_unclaimed.txt"
	if ! st export-series.sh -o "$T/series" && grep -q "doc/wc_unclaimed.txt is not claimed" "$log"; then
		wc_pass pipeline/export-unclaimed-file-refused
	else
		wc_fail pipeline/export-unclaimed-file-refused "an overlay file without Overlay: line was exported"
	fi
	rm "$R/doc/wc_unclaimed.txt"
	cp "$p" "$R/patches/0002-kvargs-claim-again.patch"
	echo 0002-kvargs-claim-again.patch >>"$R/patches/series"
	if ! st export-series.sh -o "$T/series" && grep -q "$unit is claimed by several patches" "$log"; then
		wc_pass pipeline/export-double-claim-refused
	else
		wc_fail pipeline/export-double-claim-refused "a file claimed by two patches was exported"
	fi
	sed -i '/^0002-/d' "$R/patches/series"
	rm "$R/patches/0002-kvargs-claim-again.patch"
}

# The runner must count a FAIL printed right after a log excerpt whose last
# line has no newline (dpdk-test's "RTE>>" prompt once hid a failing unit
# test this way), and a stage that exits 0 after a FAIL still fails the run.
test_runner_counts_fail() {
	local d=$T/stages out rc=0
	rm -rf "$d"
	mkdir -p "$d"
	printf 'Test Failed\nRTE>>' >"$T/unterminated.log"
	cat >"$d/10-fake.sh" <<EOF
#!/bin/bash
. "$WC_REPO/devtools/wc-common.sh"
wc_pass fake/one
tail -n 5 "$T/unterminated.log" | wc_indent
wc_fail fake/two "exit status 255"
exit 0
EOF
	chmod +x "$d/10-fake.sh"
	out=$(WC_STAGES_DIR=$d bash "$WC_REPO/devtools/test.sh" 2>&1) || rc=$?
	if [ "$rc" != 0 ] &&
	   [ "$(printf '%s\n' "$out" | tail -n1)" = "1 passed, 1 failed, 0 skipped" ]; then
		wc_pass pipeline/runner-counts-fail-after-unterminated-log
	else
		printf '%s\n' "$out" | tail -n 6 | wc_indent
		wc_fail pipeline/runner-counts-fail-after-unterminated-log \
			"test.sh exit $rc, totals: $(printf '%s\n' "$out" | tail -n1)"
	fi
	rm -rf "$d"
}

# Fake stages of the parallel runner tests: each prints "<tag> begin
# <time>", a line "<tag> line <n>" four times while it sleeps, "<tag> end
# <time>" and then its result lines.
# shellcheck disable=SC2016 # the $(...) and $n are the fake stage's
fake_stage() { # <file> <tag> <header line or ""> <seconds> <result lines...>
	local f=$1 tag=$2 header=$3 secs=$4
	shift 4
	{
		printf '#!/bin/bash\n%s\n' "$header"
		printf 'echo "%s begin $(date +%%s.%%N)"\n' "$tag"
		printf 'for n in 1 2 3 4; do echo "%s line $n"; sleep %s; done\n' \
			"$tag" "$(awk -v s="$secs" 'BEGIN { print s / 4 }')"
		printf 'echo "%s end $(date +%%s.%%N)"\n' "$tag"
		printf '%s\n' "$@"
	} >"$f"
	chmod +x "$f"
}

# The time a fake stage printed for <tag> begin|end.
fake_time() { # <log> <tag> <begin|end>
	sed -n "s/^$2 $3 //p" "$1"
}

# Every line of a fake stage is inside its own block ("=== stage
# NN-<tag>" ... "=== stage NN-<tag>: N s, ..."): prints the first line
# that is not.
stray_line() { # <log>
	awk '/^=== stage [^ ]*$/ { cur = $3; next }
		/^=== stage / { cur = ""; next }
		/^[a-z] (begin|line|end)/ {
			if (cur == "" || substr(cur, 4, 1) != $1) { print; exit } }' "$1"
}

# holds <awk condition> <name=value...>: the condition holds for the values.
holds() { # <condition> <name=value...>
	local cond=$1 args=() v
	shift
	for v in "$@"; do
		args+=(-v "$v")
	done
	awk "${args[@]}" "BEGIN { exit !($cond) }"
}

# With WC_JOBS=2, two "# parallel: after" stages overlap once the serial
# stage they wait for has ended, and the serial stage after them starts
# when both have ended; their output comes in blocks, in name order; a
# parallel stage's FAIL and another one's exit status count as they do
# in a serial run. With WC_JOBS=1 the same stages run one by one.
test_runner_parallel() {
	local d=$T/stages-parallel log=$T/parallel.log rc=0 why='' stray
	local s1 a0 a1 b0 b1 l0
	rm -rf "$d"
	mkdir -p "$d"
	fake_stage "$d/10-s.sh" s '' 0.4 'echo "PASS: fake/s"'
	fake_stage "$d/20-a.sh" a '# parallel: after 10-s' 2 'echo "PASS: fake/a"'
	fake_stage "$d/30-b.sh" b '# parallel: after 10-s' 2 'echo "FAIL: fake/b: broken"' 'exit 1'
	fake_stage "$d/40-c.sh" c '# parallel: yes' 0.4 'exit 3'
	fake_stage "$d/50-l.sh" l '' 0.4 'echo "SKIP: fake/l: last"'
	WC_JOBS=2 WC_STAGES_DIR=$d bash "$WC_REPO/devtools/test.sh" >"$log" 2>&1 || rc=$?
	s1=$(fake_time "$log" s end) a0=$(fake_time "$log" a begin) a1=$(fake_time "$log" a end)
	b0=$(fake_time "$log" b begin) b1=$(fake_time "$log" b end) l0=$(fake_time "$log" l begin)
	if [ -z "$s1" ] || [ -z "$a0" ] || [ -z "$a1" ] || [ -z "$b0" ] || [ -z "$b1" ] || [ -z "$l0" ]; then
		why="a fake stage did not run"
	elif ! holds 'a0 >= s1 && b0 >= s1' s1="$s1" a0="$a0" b0="$b0"; then
		why="a parallel stage began before the serial stage before it ended"
	elif ! holds 'b0 < a1 && a0 < b1' a0="$a0" a1="$a1" b0="$b0" b1="$b1"; then
		why="the parallel stages did not overlap"
	elif ! holds 'l0 >= a1 && l0 >= b1' a1="$a1" b1="$b1" l0="$l0"; then
		why="the last serial stage began before the parallel ones ended"
	fi
	if [ -z "$why" ]; then
		wc_pass pipeline/runner-parallel-stages-overlap
		awk -v s="$s1" -v a0="$a0" -v a1="$a1" -v b0="$b0" -v b1="$b1" -v l="$l0" 'BEGIN {
			printf "  after the serial stage 10-s: 20-a ran %.2f-%.2f s, 30-b %.2f-%.2f s, 50-l began at %.2f s\n",
				a0 - s, a1 - s, b0 - s, b1 - s, l - s }'
	else
		wc_indent <"$log"
		wc_fail pipeline/runner-parallel-stages-overlap "$why (s ended $s1; a $a0-$a1; b $b0-$b1; l began $l0)"
	fi
	stray=$(stray_line "$log")
	if [ -z "$stray" ] && [ "$(grep -c '^=== stage [^ ]*$' "$log")" = 5 ] &&
	   [ "$(grep -c '^=== stage [^ ]*: [0-9]* s, started at +[0-9]* s$' "$log")" = 5 ]; then
		wc_pass pipeline/runner-parallel-blocks-not-interleaved
	else
		wc_fail pipeline/runner-parallel-blocks-not-interleaved \
			"outside its stage's block: '${stray:-(5 blocks with their run time expected)}'"
	fi
	if [ "$rc" != 0 ] && [ "$(tail -n1 "$log")" = "2 passed, 2 failed, 1 skipped" ] &&
	   grep -q '^FAIL: 40-c: stage exited with status 3$' "$log"; then
		wc_pass pipeline/runner-parallel-counts-failures
	else
		tail -n 4 "$log" | wc_indent
		wc_fail pipeline/runner-parallel-counts-failures \
			"test.sh exit $rc, totals: $(tail -n1 "$log") (expected 2 passed, 2 failed, 1 skipped)"
	fi
	rc=0
	WC_JOBS=1 WC_STAGES_DIR=$d bash "$WC_REPO/devtools/test.sh" >"$log" 2>&1 || rc=$?
	a1=$(fake_time "$log" a end) b0=$(fake_time "$log" b begin)
	if [ -n "$a1" ] && [ -n "$b0" ] && holds 'b0 >= a1' a1="$a1" b0="$b0" &&
	   [ "$rc" != 0 ] && [ "$(tail -n1 "$log")" = "2 passed, 2 failed, 1 skipped" ]; then
		wc_pass pipeline/runner-jobs-1-one-at-a-time
	else
		wc_indent <"$log"
		wc_fail pipeline/runner-jobs-1-one-at-a-time \
			"WC_JOBS=1: b began at $b0, a ended at $a1, exit $rc, totals: $(tail -n1 "$log")"
	fi
	rm -rf "$d"
}

# A runner stopped by SIGTERM or SIGINT leaves no process behind. Two
# parallel stages run at once, each with a long process started the way
# the guest harness starts QEMU (wc_bg + timeout(1), which puts it in a
# process group of its own). One stage waits for it with wc_wait; the
# other runs the script that started it in a foreground pipeline, as the
# guest stages run run-tests.sh (a stage's trap waits for a foreground
# command to end, so the signal must reach that script itself). After
# the signal to test.sh, both processes and test.sh must be gone.
test_runner_stops_children() { # <signal>
	local sig=$1 d=$T/stages-$1 tag pid left alive='' started=() p k
	tag=$((RANDOM % 9000 + 1000)).$$
	rm -rf "$d"
	mkdir -p "$d"
	cat >"$d/long.sh" <<EOF
#!/bin/bash
. "$WC_REPO/devtools/wc-common.sh"
wc_bg timeout -k 5 600 sleep \$1
wc_wait "\$WC_BG_PID"
EOF
	cat >"$d/10-pipe.sh" <<EOF
#!/bin/bash
# parallel: yes
. "$WC_REPO/devtools/wc-common.sh"
bash "$d/long.sh" 1$tag | sed 's/^/  /'
EOF
	cat >"$d/20-bg.sh" <<EOF
#!/bin/bash
# parallel: yes
. "$WC_REPO/devtools/wc-common.sh"
wc_bg bash "$d/long.sh" 2$tag
wc_wait "\$WC_BG_PID"
EOF
	chmod +x "$d"/*.sh
	# Started from a script, the runner would ignore SIGINT: restore it.
	wc_bg env --default-signal=INT WC_JOBS=2 WC_STAGES_DIR="$d" \
		bash "$WC_REPO/devtools/test.sh" >"$T/stop-$sig.log" 2>&1
	pid=$WC_BG_PID
	for k in 1 2; do
		for _ in $(seq 100); do
			p=$(pgrep -f "^sleep $k$tag\$") && { started+=("$p"); break; }
			sleep 0.2
		done
	done
	kill -"$sig" "$pid"
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	# A runner still there after 20 s is killed, so that the test ends.
	if kill -0 "$pid" 2>/dev/null; then
		alive="test.sh (20 s after the signal) "
		kill -KILL "$pid"
	fi
	wc_wait "$pid"
	left=$(pgrep -f "^sleep [12]$tag\$" | tr '\n' ' ')
	if [ ${#started[@]} != 2 ]; then
		tail -n 5 "$T/stop-$sig.log" | wc_indent
		wc_fail "pipeline/runner-stops-children-on-$sig" \
			"${#started[@]} of the 2 stages' long processes started"
	elif [ -z "$left$alive" ]; then
		wc_pass "pipeline/runner-stops-children-on-$sig"
	else
		wc_fail "pipeline/runner-stops-children-on-$sig" \
			"after SIG$sig to test.sh, left running: $alive${left:+sleep $left}"
	fi
	# shellcheck disable=SC2086 # a list of pids
	[ -z "$left" ] || kill $left
	rm -rf "$d"
}

main() {
	local pristine
	mkdir -p "$T"
	test_runner_counts_fail
	test_runner_parallel
	test_runner_stops_children TERM
	test_runner_stops_children INT
	pristine=$(bash "$WC_REPO/devtools/get-dpdk.sh" 2>"$log") ||
		{ show_log; wc_fail pipeline/get-dpdk "no pristine DPDK tree"; exit 0; }
	make_repo "$pristine"
	test_build || exit 0
	test_noop_reassembly
	test_changed_file_rebuilt
	test_removed_file_gone
	test_dropped_patch_restores_pristine "$pristine"
	test_broken_patch_named
	test_overlay_must_be_new
	test_export_git_am "$pristine"
	test_export_claims
}

main
