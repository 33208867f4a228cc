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
	if [ ! -f "$WC_CACHE/.apt-updated" ] ||
	   [ -n "$(find "$WC_CACHE/.apt-updated" -mmin +720 2>/dev/null)" ]; then
		apt-get update -q >/dev/null || wc_die "apt-get update failed"
		mkdir -p "$WC_CACHE" && touch "$WC_CACHE/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >/dev/null ||
		wc_die "apt-get install ${missing[*]} failed"
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
wc_private_apt() {
	local name=$1 lines=$2 dir=$WC_CACHE/apt-$1
	shift 2
	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/parts" "$dir/prefs"
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
		-o "Dir::Cache::Archives=$dir/archives"
		-o "Debug::NoLocking=1" "$@")
	if [ ! -f "$dir/updated" ]; then
		apt-get "${WC_APT[@]}" update -q >"$dir/update.log" 2>&1 ||
			{ cat "$dir/update.log" >&2; wc_die "private apt update ($name) failed"; }
		touch "$dir/updated"
	fi
}

# Indent log excerpts shown under a result. awk ends every line it prints,
# so an excerpt whose last line has no newline (a "RTE>>" prompt) cannot
# swallow the result line printed after it.
wc_indent() { awk '{ print "  " $0 }'; }

# Result lines of test stages (devtools/tests.d/), counted by test.sh.
wc_pass() { printf 'PASS: %s\n' "$1"; }
wc_fail() { printf 'FAIL: %s: %s\n' "$1" "$2"; }
wc_skip() { printf 'SKIP: %s: %s\n' "$1" "$2"; }
