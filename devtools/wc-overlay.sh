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
# devtools, the patches, build trees, README.md and top-level dot files;
# also the kernel module and its uAPI header, a deliverable of their own
# (DKMS package, kbuild) that DPDK does not carry.
wc_is_tooling() { # <repo-relative path>
	case $1 in
	devtools/* | patches/* | build/* | .* | README.md) return 0 ;;
	kernel/linux/vfio_pci_wc/* | kernel/linux/uapi/*) return 0 ;;
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

# Git with a fixed identity, for the repos the checks make.
wc_git() {
	git -c user.name="${WC_GIT_NAME:-DPDK VFIO WC}" \
		-c user.email="${WC_GIT_EMAIL:-wc@localhost}" \
		-c commit.gpgsign=false -c core.autocrlf=false "$@"
}

# wc_pristine_repo <pristine tree> <dir>: a git repository in <dir> whose
# commit (and tag) "pristine" is the pristine DPDK tree. It is cloned from
# $WC_BUILD/pristine.git, made once per pristine tree, so the tree is
# committed once for the export and every check that needs it.
wc_pristine_repo() {
	local pristine=$1 dir=$2 base=$WC_BUILD/pristine.git id
	id="$pristine $(head -n1 "$pristine/VERSION")"
	(
		wc_lock "$WC_BUILD/.lock-pristine-repo"
		[ "$(cat "$base.source" 2>/dev/null)" != "$id" ] || exit 0
		rm -rf "$base" "$base.tmp" "$base.source"
		cp -a "$pristine" "$base.tmp"
		chmod -R u+w "$base.tmp"
		cd "$base.tmp" || exit 1
		wc_git init -q
		wc_git add -A -f # DPDK ignores dot files it tracks
		wc_git commit -q -m pristine
		wc_git tag pristine
		wc_git clone -q --bare "$base.tmp" "$base"
		cd / && rm -rf "$base.tmp"
		echo "$id" >"$base.source"
	) || wc_die "cannot make the pristine git repository $base"
	rm -rf "$dir"
	mkdir -p "$(dirname "$dir")"
	wc_git clone -q "$base" "$dir" || wc_die "cannot clone $base into $dir"
	printf '/build/\n/build-*/\n' >>"$dir/.git/info/exclude"
}

# wc_check_git_am <pristine tree> <assembled tree> <dir> <patch...>: the
# patches must "git am" onto a pristine repository in <dir> and give the
# assembled tree exactly. Prints the reason and fails otherwise; <dir> is
# left for further checks.
wc_check_git_am() {
	local pristine=$1 tree=$2 dir=$3 out
	shift 3
	wc_pristine_repo "$pristine" "$dir"
	if [ $# -gt 0 ] && ! out=$(cd "$dir" && wc_git am -q "$@" 2>&1); then
		printf '%s\n' "$out" | tail -n 10
		echo "the series does not apply with git am onto pristine DPDK"
		return 1
	fi
	out=$(diff -r -q -x .git -x build -x 'build-*' "$dir" "$tree" 2>&1 |
		wc_drop_ignored "$dir" "$tree")
	if [ -n "$out" ]; then
		printf '%s\n' "$out" | tail -n 10
		echo "pristine + series differs from the assembled tree"
		return 1
	fi
}

# Drop the "Only in <tree>..." lines of diff -r -q for files DPDK's
# .gitignore in <repo> ignores: build output such as the feature tables
# the documentation build writes into the source tree.
wc_drop_ignored() { # <repo> <tree>
	local line rel f
	while IFS= read -r line; do
		case $line in
		"Only in $2"*)
			rel=${line#Only in "$2"}
			rel=${rel#/}
			f=${rel%%: *}/${rel#*: }
			git -C "$1" check-ignore -q -- "${f#/}" && continue ;;
		esac
		printf '%s\n' "$line"
	done
}

# wc_checkpatch <export repo> <patch>: DPDK's checkpatches.sh with the
# kernel's checkpatch.pl on one patch. Findings listed in
# devtools/checkpatch-exceptions.txt are accepted: prints the exceptions
# used, or the report and the other findings and fails.
wc_checkpatch() {
	local repo=$1 patch=$2 tools report filtered
	wc_need_pkgs gawk >&2
	tools=$(bash "$WC_REPO/devtools/get-linux-tools.sh" 2>&1 | tail -n1)
	[ -f "$tools/checkpatch.pl" ] ||
		{ echo "cannot get checkpatch.pl: $tools"; return 1; }
	if report=$(cd "$repo" && DPDK_CHECKPATCH_PATH=$tools/checkpatch.pl \
		devtools/checkpatches.sh "$patch" 2>&1) &&
	   grep -q '1/1 valid patch' <<<"$report"; then
		return 0
	fi
	if filtered=$(bash "$WC_REPO/devtools/checkpatch-filter.sh" <<<"$report"); then
		printf '%s\n' "$filtered"
		return 0
	fi
	printf '%s\n' "$report" | tail -n 20
	grep '^finding: ' <<<"$filtered"
	return 1
}

# wc_check_git_log <export repo>: DPDK's check-git-log.sh on the commits
# after "pristine", with every author and *-by: person in .mailmap.
wc_check_git_log() {
	local rc=0
	wc_mailmap_add "$1"
	(cd "$1" && devtools/check-git-log.sh -r pristine..HEAD) 2>&1 || rc=1
	wc_mailmap_restore "$1"
	return $rc
}

# wc_build_each_commit <export repo>: build every commit after "pristine"
# on its own (devtools/build.sh in <repo>/build), then go back to the
# branch. Dies at the first commit that does not build, left checked out.
wc_build_each_commit() {
	local repo=$1 branch c n=0 start=$SECONDS
	branch=$(git -C "$repo" symbolic-ref --short HEAD)
	for c in $(git -C "$repo" rev-list --reverse pristine..HEAD); do
		n=$((n + 1))
		git -C "$repo" checkout -q "$c"
		wc_log "building commit $n: $(git -C "$repo" log -1 --format=%s)"
		WC_BUILD=${repo%/*} bash "$WC_REPO/devtools/build.sh" --no-assemble >/dev/null ||
			wc_die "commit $n ($(git -C "$repo" log -1 --format=%s)) does not build"
	done
	git -C "$repo" checkout -q "$branch"
	wc_log "$n commits built one by one in $((SECONDS - start)) s"
}
