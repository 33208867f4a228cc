#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Export the overlay + patches/series as an upstream-style patch series.
#
#   devtools/export-series.sh [-o DIR] [--check] [--check-build]
#
# A git repo is made from the pristine DPDK tree (commit "pristine"), then
# each patch of patches/series becomes one commit: the overlay files it
# claims with "Overlay:" lines plus its diff, with its subject and body as
# commit message (Overlay lines dropped, Signed-off-by kept). Every overlay
# file must be claimed by exactly one patch. "git format-patch" writes the
# series with a cover letter (text from patches/cover-letter.txt: first line
# subject, then the body) into DIR (default $WC_BUILD/series).
#
#   --check        run DPDK's devtools/checkpatches.sh (with the kernel's
#                  checkpatch.pl, devtools/get-linux-tools.sh; findings in
#                  devtools/checkpatch-exceptions.txt accepted) and
#                  devtools/check-git-log.sh on the series
#   --check-build  build every commit of the series (devtools/build.sh
#                  options, in $WC_BUILD/export/dpdk/build)
#
# The export repo is left in $WC_BUILD/export/dpdk (tag "pristine").
set -euo pipefail
. "$(dirname "$0")/wc-common.sh"
. "$(dirname "$0")/wc-overlay.sh"

usage() {
	sed -n '4,24s/^# \{0,1\}//p' "$0"
	exit "${1:-0}"
}

# Author for commits whose patch has no From: line: the repo's git identity.
default_author() {
	local name email
	name=$(git -C "$WC_REPO" config user.name || true)
	email=$(git -C "$WC_REPO" config user.email || true)
	{ [ -n "$name" ] && [ -n "$email" ]; } ||
		wc_die "no From: line in the patch and no git user.name/user.email"
	echo "$name <$email>"
}

# Commit message of a patch: subject without "[PATCH ...]", then the body
# without "Overlay:" and "From:" lines.
patch_message() { # <patch>
	local header subject
	header=$(wc_patch_header "$1")
	subject=$(printf '%s\n' "$header" | sed -n 's/^Subject:[[:space:]]*//p' | head -n1 |
		sed 's/^\[[^]]*\][[:space:]]*//')
	[ -n "$subject" ] || wc_die "${1##*/}: no Subject: line"
	printf '%s\n' "$subject"
	printf '%s\n' "$header" | sed -e '/^Subject:/d' -e '/^From:/d' -e '/^Overlay:/d' |
		cat -s
}

# Author: the From: line, else the first Signed-off-by, else git's identity.
patch_author() { # <patch>
	local from
	from=$(wc_patch_header "$1" | sed -n 's/^From:[[:space:]]*//p' | head -n1)
	[ -n "$from" ] ||
		from=$(wc_patch_header "$1" | sed -n 's/^Signed-off-by:[[:space:]]*//p' | head -n1)
	if [ -n "$from" ]; then echo "$from"; else default_author; fi
}

# Every overlay file claimed by exactly one patch, every claim an overlay file.
check_claims() {
	local claims name p f errors=0 overlays
	# A variable, not a pipe: "grep -q" exits at the first match and
	# pipefail would take the producer's SIGPIPE for "not found".
	overlays=$(wc_overlay_files)
	claims=$(while IFS= read -r name; do
		p=$(wc_patch_path "$name") || exit 1
		wc_patch_overlays "$p" | sed "s|\$| $name|"
	done < <(wc_series_patches)) || exit 1
	while IFS= read -r f; do
		case $(printf '%s\n' "$claims" | awk -v f="$f" '$1 == f' | wc -l) in
		1) ;;
		0) wc_log "overlay file $f is not claimed by any patch (add an Overlay: line)"
		   errors=$((errors + 1)) ;;
		*) wc_log "overlay file $f is claimed by several patches: $(printf '%s\n' "$claims" |
			awk -v f="$f" '$1 == f { printf "%s ", $2 }')"
		   errors=$((errors + 1)) ;;
		esac
	done <<<"$overlays"
	while read -r f name; do
		[ -n "$f" ] || continue
		grep -qxF "$f" <<<"$overlays" ||
			{ wc_log "$name claims $f, which is not an overlay file"; errors=$((errors + 1)); }
	done <<<"$claims"
	[ "$errors" = 0 ] || wc_die "$errors overlay claim error(s)"
}

git_export() { # git in the export repo, with a fixed committer
	GIT_CEILING_DIRECTORIES=$(dirname "$repo") git -C "$repo" \
		-c user.name="$committer_name" -c user.email="$committer_email" \
		-c commit.gpgsign=false -c core.autocrlf=false "$@"
}

commit_patch() { # <name>
	local name=$1 p f
	p=$(wc_patch_path "$name")
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		mkdir -p "$repo/$(dirname "$f")"
		cp "$WC_REPO/$f" "$repo/$f"
		git_export add -- "$f"
	done < <(wc_patch_overlays "$p")
	wc_git_apply "$repo" "$p" --index ||
		wc_die "patch $name does not apply on pristine + the patches before it"
	git_export diff --cached --quiet &&
		wc_die "patch $name changes nothing (no diff and no Overlay: files)"
	patch_message "$p" | git_export commit -q --author="$(patch_author "$p")" \
		--cleanup=strip -F -
}

cover_letter() { # <out dir>
	local cover=$WC_REPO/patches/cover-letter.txt f subject body
	f=$(ls "$1"/0000-*.patch)
	[ -f "$cover" ] || return 0
	subject=$(head -n1 "$cover")
	body=$(tail -n +2 "$cover" | sed '1{/^$/d}')
	SUBJECT=$subject BODY=$body /usr/bin/python3 - "$f" <<'EOF'
import os, sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("*** SUBJECT HERE ***", os.environ["SUBJECT"], 1)
s = s.replace("*** BLURB HERE ***", os.environ["BODY"], 1)
open(p, "w").write(s)
EOF
}

check_series() { # <out dir>
	local rc=0 p
	while IFS= read -r p; do
		wc_checkpatch "$repo" "$p" >&2 || rc=1
	done < <(wc_exported_patches "$1")
	wc_check_git_log "$repo" >&2 || rc=1
	return $rc
}

main() {
	local out=$WC_BUILD/series check=0 check_build=0 pristine name n=0
	while [ $# -gt 0 ]; do
		case $1 in
		-o) out=$2; shift ;;
		--check) check=1 ;;
		--check-build) check_build=1 ;;
		-h | --help) usage ;;
		*) usage 1 >&2 ;;
		esac
		shift
	done
	repo=$WC_BUILD/export/dpdk
	wc_build_lock export
	committer_name=$(git -C "$WC_REPO" config user.name || echo "DPDK VFIO WC")
	committer_email=$(git -C "$WC_REPO" config user.email || echo "wc@localhost")
	check_claims
	pristine=$(bash "$WC_REPO/devtools/get-dpdk.sh")
	wc_pristine_repo "$pristine" "$repo"
	while IFS= read -r name; do
		commit_patch "$name"
		n=$((n + 1))
	done < <(wc_series_patches)
	rm -rf "$out"
	mkdir -p "$out"
	if [ "$n" = 0 ]; then
		wc_log "patches/series is empty: no series to export"
		echo "$out"
		return
	fi
	git_export format-patch -q --cover-letter -o "$out" pristine..HEAD
	cover_letter "$out"
	wc_log "$n patches + cover letter in $out"
	[ "$check_build" = 0 ] || wc_build_each_commit "$repo"
	[ "$check" = 0 ] || check_series "$out" || wc_die "the series does not pass DPDK's checks"
	echo "$out"
}

main "$@"
