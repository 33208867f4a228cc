# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# The overlay and the patch series as the devtools scripts see them.
# Source it after wc-common.sh; it defines functions only.
#
# Overlay: the repo's files that are not project tooling, at their DPDK
# paths. Patch series: patches/series lists patch files of patches/, one
# per line, '#' starts a comment. A patch file is
#   Subject: [PATCH] prefix: headline
#   (optional From: Name <email>)
#
#   Body of the commit message.
#
#   Overlay: path/of/a/new/file        (zero or more)
#   Signed-off-by: Name <email>
#   ---
#   diff --git a/... b/...            (a -p1 diff, may be empty)

# Repo paths that are project tooling, not part of the DPDK tree: our
# devtools, the patches, build trees, README.md and top-level dot files.
wc_is_tooling() { # <repo-relative path>
	case $1 in
	devtools/* | patches/* | build/* | .* | README.md) return 0 ;;
	esac
	case $WC_REPO/$1 in "$WC_BUILD"/*) return 0 ;; esac
	return 1
}

# The overlay files (tracked or new, not ignored), one repo-relative path
# per line, sorted.
wc_overlay_files() {
	local f
	if git -C "$WC_REPO" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$WC_REPO" ls-files -z --cached --others --exclude-standard
	else
		(cd "$WC_REPO" && find . -type f -printf '%P\0')
	fi | sort -zu | while IFS= read -r -d '' f; do
		wc_is_tooling "$f" && continue
		[ -f "$WC_REPO/$f" ] || continue # deleted, not yet committed
		printf '%s\n' "$f"
	done
}

# Patch file names from patches/series, in order.
wc_series_patches() {
	local series=$WC_REPO/patches/series
	[ -f "$series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$series" |
		grep -v '^$' || true
}

# Path of a series entry; dies when the file is missing.
wc_patch_path() { # <name>
	[ -f "$WC_REPO/patches/$1" ] ||
		wc_die "patches/series lists $1, but patches/$1 does not exist"
	echo "$WC_REPO/patches/$1"
}

# The header of a patch file: everything before the first "---" line.
wc_patch_header() { # <patch>
	sed -n '/^---$/q; p' "$1"
}

# Overlay files a patch claims, one per line.
wc_patch_overlays() { # <patch>
	wc_patch_header "$1" | sed -n 's/^Overlay:[[:space:]]*//p' |
		sed 's/[[:space:]]*$//'
}

wc_patch_has_diff() { # <patch>
	grep -q '^diff --git ' "$1"
}

# Apply a patch's diff in <dir> (git apply: all or nothing, no fuzz).
# Extra options (e.g. --index) are passed to git apply.
wc_git_apply() { # <dir> <patch> [git apply options]
	local dir=$1 patch=$2
	shift 2
	wc_patch_has_diff "$patch" || return 0
	# The ceiling keeps git from taking <dir> for a subfolder of an
	# enclosing repository (it would then skip or misplace paths).
	(cd "$dir" && GIT_CEILING_DIRECTORIES=$(dirname "$dir") \
		git apply --whitespace=nowarn -p1 "$@" "$patch")
}

# The patches of an exported series (git format-patch), without the cover
# letter, in order.
wc_exported_patches() { # <series dir>
	local p
	for p in "$1"/[0-9][0-9][0-9][0-9]-*.patch; do
		case $p in */0000-cover-letter.patch) continue ;; esac
		[ -f "$p" ] && printf '%s\n' "$p"
	done
	return 0
}

# check-git-log.sh wants every author and every *-by: person in .mailmap:
# add them to the work tree of an export repo (never to a commit).
wc_mailmap_add() { # <export repo>
	{
		git -C "$1" log --format='%aN <%aE>' pristine..HEAD
		git -C "$1" log --format='%b' pristine..HEAD |
			sed -n 's/^[A-Za-z-]*-by:[[:space:]]*//p'
	} | sort -u >>"$1/.mailmap"
}

wc_mailmap_restore() { # <export repo>
	if git -C "$1" ls-files --error-unmatch .mailmap >/dev/null 2>&1; then
		git -C "$1" checkout -q -- .mailmap
	else
		rm -f "$1/.mailmap"
	fi
}
