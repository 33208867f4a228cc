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

# pair <test> <build folder> <build folder> <command...>: the command twice
# at once with the test cache, one run per build folder; output in
# $T/<test>-{1,2}.{out,log}. FAILs the test unless both runs succeed.
pair() {
	local test=$1 b=("$2" "$3") i pids=() rcs=''
	shift 3
	for i in 0 1; do
		wc_bg env -u DPDK_SRC WC_CACHE="$T/cache" WC_BUILD="${b[$i]}" "$@" \
			>"$T/$test-$((i + 1)).out" 2>"$T/$test-$((i + 1)).log"
		pids+=("$WC_BG_PID")
	done
	for i in 0 1; do
		wc_wait "${pids[$i]}" || rcs+=" run $((i + 1)): status $?"
	done
	[ -z "$rcs" ] && return 0
	tail -n 5 "$T/$test"-[12].log | wc_indent
	wc_fail "shared-cache/$test" "${rcs# }"
	return 1
}

count() { # <test> <regex>: lines matching, over the logs of the pair
	cat "$T/$1"-[12].log | grep -c -E "$2"
}

# check <test> <failure reason>: PASS without reason, else FAIL.
check() {
	if [ -z "${2:-}" ]; then wc_pass "shared-cache/$1"; else wc_fail "shared-cache/$1" "$2"; fi
}

same_trees() { # <dir> <dir>: empty when they hold the same files
	diff -r -q "$1" "$2" 2>&1 | head -n 3 | tr '\n' ' '
}

# A fresh cache holding what the warm one downloaded, not what it made.
seed() {
	rm -rf "$T"
	mkdir -p "$T/cache/dpdk"
	cp -a "$WC_CACHE/dpdk/dl" "$T/cache/dpdk/"
	cp -a "$WC_CACHE/$apt" "$T/cache/"
	rm -f "$T/cache/$apt/updated"
}

test_two_builds() {
	local t=two-builds-one-unpack n tree
	pair $t "$T/build-a" "$T/build-b" bash "$WC_REPO/devtools/assemble.sh" || return
	n=$(count $t '^get-dpdk.sh: unpacking ')
	tree=$(cd "$T/cache/dpdk/src" && ls -d dpdk-*[0-9])
	if [ "$n" != 1 ]; then
		check $t "DPDK unpacked $n times"
	else
		check $t "$(same_trees "$T/build-a/dpdk" "$T/build-b/dpdk")$(same_trees \
			"$WC_CACHE/dpdk/src/$tree" "$T/cache/dpdk/src/$tree")"
	fi
}

# Two users of the private apt configuration of get-dpdk.sh, with its
# sources, made stale again.
# shellcheck disable=SC2016 # expanded by the users' shell
test_apt_refresh() {
	local t=apt-refreshed-once n
	rm -f "$T/cache/$apt/updated"
	pair $t "$T/build-a" "$T/build-b" bash -c '. "$1/devtools/wc-common.sh"
		wc_private_apt bookworm-src "$(cat "$WC_CACHE/apt-bookworm-src/sources.list")"
		apt-cache "${WC_APT[@]}" showsrc dpdk | grep -q "^Package: dpdk$"' \
		apt-user "$WC_REPO" || return
	n=$(count $t 'refreshing the package lists')
	check $t "$([ "$n" = 1 ] || echo "refreshed $n times")"
}

test_one_build_folder() {
	local t=one-build-folder
	pair $t "$T/build-a" "$T/build-a" bash "$WC_REPO/devtools/assemble.sh" --full || return
	echo "  $(count $t '^assemble.sh: waiting for the lock') of the two runs waited for the other"
	check $t "$(same_trees "$T/build-a/dpdk" "$T/build-b/dpdk")"
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
		check interrupted-unpack "the unpack was not seen"
		wc_wait "$pid"
		return
	fi
	kill -INT -- "-$pid"
	wc_wait "$pid"
	sleep 1
	left=$(pgrep -f -- "$T/cache" | tr '\n' ' ')
	if [ -n "$left$(compgen -G "$T/cache/dpdk/[su][rn]*")" ]; then
		check interrupted-unpack "left behind: ${left:+processes $left}$(compgen -G "$T/cache/dpdk/[su][rn]*" | tr '\n' ' ')"
		# shellcheck disable=SC2086 # a list of pids
		[ -z "$left" ] || kill $left
		return
	fi
	wc_bg env -u DPDK_SRC WC_CACHE="$T/cache" bash "$WC_REPO/devtools/get-dpdk.sh" \
		>"$T/i2.out" 2>"$T/i2.log"
	if wc_wait "$WC_BG_PID" && [ -f "$(cat "$T/i2.out").verified" ]; then
		check interrupted-unpack
	else
		tail -n 5 "$T/i2.log" | wc_indent
		check interrupted-unpack "the next run failed"
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
