#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: two runs at once share one cache without harming each other
# (about 30 s warm). Works on a fresh cache seeded from this one with
# Debian's DPDK source package and its private apt configuration, whose
# package lists are marked stale:
#   shared-cache/two-builds-one-unpack  two devtools/assemble.sh at once
#       in two build folders: both succeed, DPDK is checked and unpacked
#       once, the assembled trees are the same and the unpacked DPDK is
#       the warm cache's
#   shared-cache/apt-refreshed-once     two users of one private apt
#       configuration at once: both succeed, the lists are refreshed once
#   shared-cache/one-build-folder       two assemble.sh at once in one
#       build folder take turns: both succeed, the tree stays the same
#   shared-cache/interrupted-unpack     Ctrl-C (SIGINT to the process
#       group) during the DPDK unpack leaves no process and no partial
#       tree, and the next run unpacks
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

wc_build_lock shared-cache
T=$WC_BUILD/shared-cache
apt='apt-bookworm-src'

# A run of a devtools script with the test cache, in the background
# (WC_BG_PID); output in $T/<name>.out and .log.
run() { # <name> <build folder> <script> [args]
	local name=$1 build=$2 script=$3
	shift 3
	wc_bg env -u DPDK_SRC WC_CACHE="$T/cache" WC_BUILD="$build" \
		bash "$WC_REPO/devtools/$script" "$@" >"$T/$name.out" 2>"$T/$name.log"
}

# Both runs ended with status 0, else FAIL the test with their logs.
both_ok() { # <test> <pid> <pid> <name> <name>
	local rc1=0 rc2=0
	wc_wait "$2" || rc1=$?
	wc_wait "$3" || rc2=$?
	[ $rc1 = 0 ] && [ $rc2 = 0 ] && return 0
	tail -n 5 "$T/$4.log" "$T/$5.log" | wc_indent
	wc_fail "shared-cache/$1" "exit status $rc1 and $rc2"
	return 1
}

count() { # <regex> <log...>: lines matching, over the logs
	cat "${@:2}" | grep -c -E "$1"
}

# A fresh cache holding what the warm one downloaded, not what it made.
seed() {
	local warm=$WC_CACHE
	rm -rf "$T"
	mkdir -p "$T/cache/dpdk"
	cp -a "$warm/dpdk/dl" "$T/cache/dpdk/"
	cp -a "$warm/$apt" "$T/cache/"
	rm -f "$T/cache/$apt/updated"
}

test_two_builds() {
	local a b tree unpacks
	run a "$T/build-a" assemble.sh
	a=$WC_BG_PID
	run b "$T/build-b" assemble.sh
	b=$WC_BG_PID
	both_ok two-builds-one-unpack "$a" "$b" a b || return
	unpacks=$(count '^get-dpdk.sh: unpacking ' "$T"/[ab].log)
	tree=$(cd "$T/cache/dpdk/src" && ls -d dpdk-*[0-9])
	if [ "$unpacks" != 1 ]; then
		wc_fail shared-cache/two-builds-one-unpack "DPDK unpacked $unpacks times"
	elif ! diff -r -q "$T/build-a/dpdk" "$T/build-b/dpdk" >"$T/diff.log" 2>&1 ||
	     ! diff -r -q "$WC_CACHE/dpdk/src/$tree" "$T/cache/dpdk/src/$tree" >>"$T/diff.log" 2>&1; then
		head -n 5 "$T/diff.log" | wc_indent
		wc_fail shared-cache/two-builds-one-unpack "the trees differ"
	else
		wc_pass shared-cache/two-builds-one-unpack
	fi
}

# Two users of the private apt configuration of get-dpdk.sh, with its
# sources, made stale again.
# shellcheck disable=SC2016 # expanded by the users' shell
test_apt_refresh() {
	local a b n user='. "$1/devtools/wc-common.sh"
wc_private_apt bookworm-src "$(cat "$WC_CACHE/apt-bookworm-src/sources.list")"
apt-cache "${WC_APT[@]}" showsrc dpdk | grep -q "^Package: dpdk$"'
	rm -f "$T/cache/$apt/updated"
	wc_bg env WC_CACHE="$T/cache" bash -c "$user" apt-user "$WC_REPO" >"$T/apt-a.log" 2>&1
	a=$WC_BG_PID
	wc_bg env WC_CACHE="$T/cache" bash -c "$user" apt-user "$WC_REPO" >"$T/apt-b.log" 2>&1
	b=$WC_BG_PID
	both_ok apt-refreshed-once "$a" "$b" apt-a apt-b || return
	n=$(count 'refreshing the package lists' "$T"/apt-[ab].log)
	if [ "$n" = 1 ]; then
		wc_pass shared-cache/apt-refreshed-once
	else
		wc_fail shared-cache/apt-refreshed-once "refreshed $n times"
	fi
}

test_one_build_folder() {
	local a b
	run c1 "$T/build-a" assemble.sh --full
	a=$WC_BG_PID
	run c2 "$T/build-a" assemble.sh --full
	b=$WC_BG_PID
	both_ok one-build-folder "$a" "$b" c1 c2 || return
	echo "  $(count '^assemble.sh: waiting for the lock' "$T"/c[12].log) of the two runs waited for the other"
	if diff -r -q "$T/build-a/dpdk" "$T/build-b/dpdk" >"$T/diff.log" 2>&1; then
		wc_pass shared-cache/one-build-folder
	else
		head -n 5 "$T/diff.log" | wc_indent
		wc_fail shared-cache/one-build-folder "the tree changed"
	fi
}

test_interrupted_unpack() {
	local pid left
	rm -rf "$T/cache/dpdk/src" "$T/build-i"
	# Started from a script, the run would ignore SIGINT: restore it.
	wc_bg setsid env --default-signal=INT -u DPDK_SRC WC_CACHE="$T/cache" \
		WC_BUILD="$T/build-i" bash "$WC_REPO/devtools/get-dpdk.sh" \
		>"$T/i.out" 2>"$T/i.log"
	pid=$WC_BG_PID
	for _ in $(seq 600); do
		compgen -G "$T/cache/dpdk/unpack.*/*" >/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! compgen -G "$T/cache/dpdk/unpack.*/*" >/dev/null; then
		tail -n 5 "$T/i.log" | wc_indent
		wc_fail shared-cache/interrupted-unpack "the unpack was not seen"
		wc_wait "$pid"
		return
	fi
	kill -INT -- "-$pid"
	wc_wait "$pid"
	sleep 1
	left=$(pgrep -f -- "$T/cache" | tr '\n' ' ')
	if [ -n "$left" ] || compgen -G "$T/cache/dpdk/unpack.*" >/dev/null ||
	   compgen -G "$T/cache/dpdk/src/*" >/dev/null; then
		wc_fail shared-cache/interrupted-unpack \
			"left behind: ${left:+processes $left}$(cd "$T/cache/dpdk" && { compgen -G 'unpack.*'; compgen -G 'src/*'; } | tr '\n' ' ')"
		# shellcheck disable=SC2086 # a list of pids
		[ -z "$left" ] || kill $left
		return
	fi
	run i2 "$T/build-i" get-dpdk.sh
	if wc_wait "$WC_BG_PID" && [ -f "$(cat "$T/i2.out").verified" ]; then
		wc_pass shared-cache/interrupted-unpack
	else
		tail -n 5 "$T/i2.log" | wc_indent
		wc_fail shared-cache/interrupted-unpack "the next run failed"
	fi
}

if [ ! -d "$WC_CACHE/dpdk/dl" ] || [ ! -d "$WC_CACHE/$apt" ]; then
	bash "$WC_REPO/devtools/get-dpdk.sh" >/dev/null 2>"$WC_BUILD/shared-cache.log" ||
		{ wc_fail shared-cache "devtools/get-dpdk.sh failed (see $WC_BUILD/shared-cache.log)"; exit 1; }
fi
if [ ! -d "$WC_CACHE/dpdk/dl" ]; then
	wc_skip shared-cache "DPDK_SRC is set: the cache holds no DPDK download to share"
	exit 0
fi
start=$SECONDS
seed
test_two_builds
test_apt_refresh
test_one_build_folder
test_interrupted_unpack
echo "  shared-cache: $((SECONDS - start)) s"
rm -rf "$T"
