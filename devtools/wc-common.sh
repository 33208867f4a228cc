# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Shared helpers for the devtools scripts of the VFIO write-combining overlay.
# Source it; it defines variables and functions only.

WC_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything fetched from the package registry (sources, kernels, build
# roots) and the compiler cache live outside the repo so that a fresh clone
# (CI) reuses them; build trees live in the repo's build/ folder.
WC_CACHE=${WC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dpdk-vfio-wc}
WC_BUILD=${WC_BUILD:-$WC_REPO/build}
export CCACHE_DIR=${CCACHE_DIR:-$WC_CACHE/ccache}
# The first python3 on PATH may lack pyelftools; DPDK's build needs Debian's.
export PATH=/usr/bin:/usr/sbin:/bin:/sbin:$PATH

# Cleanup on exit, also on SIGINT and SIGTERM: the background processes
# started with wc_bg get SIGTERM (QEMU under timeout(1), which passes it
# on) and are waited for, the paths given to wc_rm_on_exit are removed.
# Installed when this file is sourced; a script that needs its own EXIT
# trap calls wc_cleanup from it.
WC_CLEANUP_PIDS=()
WC_CLEANUP_PATHS=()
wc_cleanup() {
	local pid
	for pid in "${WC_CLEANUP_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${WC_CLEANUP_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	WC_CLEANUP_PIDS=()
	[ ${#WC_CLEANUP_PATHS[@]} -eq 0 ] || rm -rf -- "${WC_CLEANUP_PATHS[@]}"
	WC_CLEANUP_PATHS=()
}
trap wc_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wc_bg <command...>: start a command in the background, stopped on exit;
# its pid is in WC_BG_PID. Wait for it with wc_wait: unlike a foreground
# command, a wait lets the signal traps run at once.
wc_bg() {
	"$@" &
	WC_BG_PID=$!
	WC_CLEANUP_PIDS+=("$WC_BG_PID")
}

# wc_wait <pid>: wait for a process of wc_bg and return its status; it is
# then no longer signalled on exit (its pid may be reused).
wc_wait() {
	local rc=0 i
	wait "$1" || rc=$?
	for i in "${!WC_CLEANUP_PIDS[@]}"; do
		[ "${WC_CLEANUP_PIDS[$i]}" != "$1" ] || unset "WC_CLEANUP_PIDS[$i]"
	done
	return $rc
}

# wc_rm_on_exit <path...>: remove the paths (temporary files) on exit.
wc_rm_on_exit() {
	WC_CLEANUP_PATHS+=("$@")
}

# wc_lock <lock file>: wait for an exclusive lock on the file and hold it
# until the script ends or wc_unlock. Children inherit it: a script that
# locks a file its caller holds (listed in WC_LOCKS_HELD) does not wait.
declare -gA WC_LOCK_FDS=()
wc_lock() {
	local fd
	case " ${WC_LOCKS_HELD:-} " in *" $1 "*) return 0 ;; esac
	mkdir -p "$(dirname "$1")"
	exec {fd}>"$1"
	if ! flock -n "$fd"; then
		wc_log "waiting for the lock $1 (another run uses it)"
		flock "$fd"
	fi
	WC_LOCK_FDS[$1]=$fd
	export WC_LOCKS_HELD="${WC_LOCKS_HELD:-} $1"
}

# wc_unlock <lock file>: release a lock this script took with wc_lock.
wc_unlock() {
	local fd=${WC_LOCK_FDS[$1]:-}
	[ -n "$fd" ] || return 0
	exec {fd}>&-
	unset "WC_LOCK_FDS[$1]"
	WC_LOCKS_HELD=${WC_LOCKS_HELD/ $1/}
}

# wc_build_lock <part>: the lock of one part of the build folder (a test
# stage's or a tool's output), so that two runs in the same WC_BUILD do
# not write it at the same time.
wc_build_lock() {
	wc_lock "$WC_BUILD/.lock-$1"
}

wc_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
wc_die() { printf '%s: error: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Install Debian packages by name, only those not installed yet.
wc_need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	wc_log "installing ${missing[*]}"
	# apt's own locks fail at once when held; runs of these scripts wait
	# for each other instead (in a subshell: the lock ends with it).
	(
		wc_lock "$WC_CACHE/.lock-host-apt"
		if wc_stale "$WC_CACHE/.apt-updated"; then
			apt-get update -q >/dev/null || wc_die "apt-get update failed"
			touch "$WC_CACHE/.apt-updated"
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 --no-install-recommends \
			"${missing[@]}" >/dev/null ||
			wc_die "apt-get install ${missing[*]} failed"
	) || exit 1
}

# wc_stale <stamp file>: true when the file is missing or older than
# 12 hours (package lists are refreshed then).
wc_stale() {
	[ ! -f "$1" ] || [ -n "$(find "$1" -mmin +720 2>/dev/null)" ]
}

# The Debian archive URI the host already uses (first deb822 or one-line
# source that is not the security archive). No host name is hard-coded.
wc_archive_uri() {
	local uri
	uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v -- '-security' | head -n1)
	[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ {
		for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n1)
	[ -n "$uri" ] || wc_die "no Debian archive URI found in the host's apt sources"
	echo "$uri"
}

# wc_private_apt NAME "SOURCES-LINES" [extra apt options...]
# Prepares a private apt configuration in $WC_CACHE/apt-NAME (the host's
# /etc/apt is never touched) and sets WC_APT to the apt-get option list.
# The package lists are refreshed when older than 12 hours, under a lock
# (apt's own locks are on; a concurrent run waits here).
wc_private_apt() {
	local name=$1 lines=$2 dir=$WC_CACHE/apt-$1
	shift 2
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/parts" "$dir/prefs"
	wc_lock "$dir/.wc-lock"
	printf '%s\n' "$lines" >"$dir/sources.list.new"
	if ! cmp -s "$dir/sources.list.new" "$dir/sources.list"; then
		mv "$dir/sources.list.new" "$dir/sources.list"
		rm -f "$dir/updated"
	else
		rm -f "$dir/sources.list.new"
	fi
	: >>"$dir/status"
	WC_APT=(-o "Dir::Etc::SourceList=$dir/sources.list"
		-o "Dir::Etc::SourceParts=$dir/parts"
		-o "Dir::Etc::PreferencesParts=$dir/prefs"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::State::Status=$dir/status"
		-o "Dir::Cache=$dir"
		-o "Dir::Cache::Archives=$dir/archives" "$@")
	if wc_stale "$dir/updated"; then
		wc_log "refreshing the package lists of the private apt configuration $name"
		apt-get "${WC_APT[@]}" update -q >"$dir/update.log" 2>&1 ||
			{ cat "$dir/update.log" >&2; wc_die "private apt update ($name) failed"; }
		touch "$dir/updated"
	fi
	wc_unlock "$dir/.wc-lock"
}

# Indent log excerpts shown under a result. awk ends every line it prints,
# so an excerpt whose last line has no newline (a "RTE>>" prompt) cannot
# swallow the result line printed after it.
wc_indent() { awk '{ print "  " $0 }'; }

# Result lines of test stages (devtools/tests.d/), counted by test.sh:
# wc_result <PASS|FAIL|SKIP> <name> [reason].
wc_result() { printf '%s: %s%s\n' "$1" "$2" "${3:+: $3}"; }
wc_pass() { wc_result PASS "$1"; }
wc_fail() { wc_result FAIL "$1" "$2"; }
wc_skip() { wc_result SKIP "$1" "$2"; }
