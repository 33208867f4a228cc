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
# $WC_STAGES_DIR, for the runner's own self-test). Each prints one line
# per test:
#   PASS: <name>
#   FAIL: <name>: <reason>
#   SKIP: <name>: <reason>
# A stage that exits non-zero without printing a FAIL line counts as one
# failed test. The last line is
#   N passed, N failed, N skipped
# and the exit status is non-zero when anything failed.
#
# Order: stages run in file name order, one at a time, unless a header
# line of the stage (in its leading comment block) says it may overlap:
#   # parallel: yes                   from the start
#   # parallel: after 10-build ...    once these stages have ended
#   # parallel: long, after 10-build  the same, started before the other
#                                     ready stages (a long stage)
# A stage without that line waits for every stage before it, and the
# stages after it wait for it. Up to WC_JOBS stages (default: the number
# of CPUs) run at once; WC_JOBS=1 runs them one by one. Each stage's
# output goes to a file and is printed as one block, in file name order:
# the first unfinished stage's block is shown as it comes, the others
# when their turn comes. A block ends with the stage's run time and its
# start time in the run.
#
# SIGINT and SIGTERM stop every running stage: each runs in a session of
# its own, whose processes get SIGTERM (a stage stops its own children,
# QEMU included, see wc_cleanup); what is left in the session after the
# stage ended gets SIGTERM too.
set -uo pipefail
. "$(dirname "$0")/wc-common.sh"

passed=0
failed=0
skipped=0

# The stages of this run, by index in file name order.
S_PATH=()	# script
S_NAME=()	# NN-name
S_PAR=()	# 1: may overlap other parallel stages
S_LONG=()	# 1: started before the other ready stages
S_DEPS=()	# indexes of the stages it waits for
S_STATE=()	# wait, run, ended
S_PID=()
S_RC=()
S_START=()	# seconds into the run
S_END=()
S_OUT=()	# output file
S_SHOWN=()	# bytes of the output printed so far
S_HEAD=()	# 1: the block's first line is printed
running=0
shown=0		# stages printed in full
jobs=1

stage_selected() { # <stage name> <selection...>
	local name=$1 s
	shift
	[ $# -eq 0 ] && return 0
	for s in "$@"; do
		case $name in *"$s"*) return 0 ;; esac
	done
	return 1
}

# The value of the "# parallel:" line in the leading comment block.
parallel_header() { # <stage script>
	awk 'NR > 1 && !/^#/ { exit }
		/^# parallel:/ { sub(/^# parallel: */, ""); print; exit }' "$1"
}

# Parse a stage's header into S_PAR/S_LONG/S_DEPS; prints a FAIL line
# for a header naming no stage (the stage then runs alone).
parse_header() { # <index> <all stage names>
	local i=$1 all=" $2 " value w after=0 j deps=''
	S_PAR[i]=0 S_LONG[i]=0 S_DEPS[i]=''
	value=$(parallel_header "${S_PATH[i]}")
	[ -n "$value" ] || return 0
	for w in ${value//,/ }; do
		case $w in
		yes) ;;
		long) S_LONG[i]=1 ;;
		after) after=1 ;;
		*)
			if [ "$after" = 0 ] || [ "${all/ $w /}" = "$all" ]; then
				wc_fail "runner/${S_NAME[i]}" "header '# parallel: $value': '$w' is no stage (yes, long, after <stage>...)"
				failed=$((failed + 1))
				return 0
			fi
			# A stage not selected for this run is not waited for.
			for j in "${!S_NAME[@]}"; do
				[ "${S_NAME[j]}" != "$w" ] || deps+=" $j"
			done
			;;
		esac
	done
	S_PAR[i]=1
	S_DEPS[i]=$deps
}

load_stages() { # <selection...>
	local dir=${WC_STAGES_DIR:-$WC_REPO/devtools/tests.d} stage name all='' i
	for stage in "$dir"/[0-9]*.sh; do
		[ -x "$stage" ] || continue
		name=$(basename "$stage" .sh)
		all+=" $name"
		stage_selected "$name" "$@" || continue
		i=${#S_PATH[@]}
		S_PATH[i]=$stage S_NAME[i]=$name S_STATE[i]=wait S_SHOWN[i]=0
	done
	for i in "${!S_PATH[@]}"; do
		parse_header "$i" "$all"
	done
}

# A stage may start: a serial one when every stage before it has ended
# and none runs; a parallel one when no serial stage before it is left
# and the stages it names have ended.
stage_ready() { # <index>
	local i=$1 j
	[ "${S_STATE[i]}" = wait ] || return 1
	if [ "${S_PAR[i]}" = 0 ]; then
		[ "$running" = 0 ] || return 1
		for ((j = 0; j < i; j++)); do
			[ "${S_STATE[j]}" = ended ] || return 1
		done
		return 0
	fi
	for ((j = 0; j < i; j++)); do
		[ "${S_PAR[j]}" = 1 ] || [ "${S_STATE[j]}" = ended ] || return 1
	done
	for j in ${S_DEPS[i]}; do
		[ "${S_STATE[j]}" = ended ] || return 1
	done
}

# In a session of its own (setsid: the stage is not a group leader, so it
# keeps its pid), so that a stop reaches every process of the stage.
start_stage() { # <index>
	local i=$1
	S_OUT[i]=$outdir/${S_NAME[i]}.log
	: >"${S_OUT[i]}"
	setsid "${S_PATH[i]}" </dev/null >"${S_OUT[i]}" 2>&1 &
	S_PID[i]=$!
	WC_CLEANUP_PIDS+=("${S_PID[i]}")
	S_STATE[i]=run
	S_START[i]=$SECONDS
	running=$((running + 1))
}

start_ready() {
	local i pass
	# Long stages first, then in name order; a serial stage only alone.
	for pass in 1 0; do
		for i in "${!S_PATH[@]}"; do
			[ "$running" -lt "$jobs" ] || return 0
			[ "$pass" = 0 ] || [ "${S_LONG[i]}" = 1 ] || continue
			if stage_ready "$i"; then
				start_stage "$i"
				[ "${S_PAR[i]}" = 1 ] || return 0
			fi
		done
	done
}

# bash reaps its children as they end: a stage's pid is gone from /proc
# then (a zombie counts as ended as well).
stage_alive() { # <pid>
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

reap_ended() {
	local i
	for i in "${!S_PATH[@]}"; do
		[ "${S_STATE[i]}" = run ] || continue
		stage_alive "${S_PID[i]}" && continue
		wc_wait "${S_PID[i]}"
		S_RC[i]=$?
		S_END[i]=$SECONDS
		S_STATE[i]=ended
		running=$((running - 1))
	done
}

# Print what the stage wrote since the last call.
show_new() { # <index>
	local i=$1 size
	size=$(stat -c %s "${S_OUT[i]}")
	[ "$size" -gt "${S_SHOWN[i]}" ] || return 0
	tail -c +$((S_SHOWN[i] + 1)) "${S_OUT[i]}" | head -c $((size - S_SHOWN[i]))
	S_SHOWN[i]=$size
}

# The end of a block: the rest of the output, the counts, the time.
finish_block() { # <index>
	local i=$1 out n nfail
	out=${S_OUT[i]}
	show_new "$i"
	# A last line without newline is a line too.
	[ -z "$(tail -c1 "$out")" ] || echo
	n=$(grep -c '^PASS:' "$out")
	passed=$((passed + n))
	n=$(grep -c '^SKIP:' "$out")
	skipped=$((skipped + n))
	nfail=$(grep -c '^FAIL:' "$out")
	failed=$((failed + nfail))
	if [ "${S_RC[i]}" != 0 ] && [ "$nfail" = 0 ]; then
		echo "FAIL: ${S_NAME[i]}: stage exited with status ${S_RC[i]}"
		failed=$((failed + 1))
	fi
	echo "=== stage ${S_NAME[i]}: $((S_END[i] - S_START[i])) s, started at +$((S_START[i] - t0)) s"
}

# Print the blocks in order, as far as the stages have got.
show_blocks() {
	local i
	while [ "$shown" -lt ${#S_PATH[@]} ]; do
		i=$shown
		[ "${S_STATE[i]}" != wait ] || return 0
		[ -n "${S_HEAD[i]:-}" ] || { echo "=== stage ${S_NAME[i]}"; S_HEAD[i]=1; }
		if [ "${S_STATE[i]}" = run ]; then
			show_new "$i"
			return 0
		fi
		finish_block "$i"
		shown=$((shown + 1))
	done
}

# The runner's own stop: SIGTERM to the process group of every running
# stage (a stage waiting for a foreground command runs its trap only
# when that command ends), then wc_cleanup waits for them; anything left
# in a stage's session after that gets SIGTERM as well.
stop_stages() {
	local i
	for i in "${!S_PATH[@]}"; do
		[ "${S_STATE[i]}" = run ] || continue
		kill -TERM -- "-${S_PID[i]}" 2>/dev/null || true
	done
	wc_cleanup
	for i in "${!S_PATH[@]}"; do
		[ "${S_STATE[i]}" = run ] || continue
		pkill -TERM -s "${S_PID[i]}" 2>/dev/null || true
	done
}

main() {
	local i total=0
	cd "$WC_REPO" || exit 1
	jobs=${WC_JOBS:-$(nproc)}
	[[ $jobs =~ ^[1-9][0-9]*$ ]] || wc_die "WC_JOBS must be a positive number, not '$jobs'"
	mkdir -p "$WC_BUILD/logs"
	outdir=$(mktemp -d "$WC_BUILD/logs/stages.XXXXXX") || exit 1
	wc_rm_on_exit "$outdir"
	trap stop_stages EXIT
	t0=$SECONDS
	load_stages "$@"
	while [ "$shown" -lt ${#S_PATH[@]} ]; do
		start_ready
		show_blocks
		[ "$shown" -lt ${#S_PATH[@]} ] || break
		# In the background: a signal's trap runs at once.
		sleep 0.5 &
		wait $!
		reap_ended
	done
	for i in "${!S_PATH[@]}"; do
		total=$((total + S_END[i] - S_START[i]))
	done
	echo "runner: ${#S_PATH[@]} stages in $((SECONDS - t0)) s, $total s of stage time, up to $jobs at once"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}

main "$@"
