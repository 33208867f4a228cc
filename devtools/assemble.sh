#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Assemble the build tree $WC_BUILD/dpdk = pristine DPDK (devtools/get-dpdk.sh)
# + this repo's new files at their DPDK paths + patches/series.
#
#   devtools/assemble.sh [--full]
#
# Only files whose content changed are rewritten (and files gone from the
# overlay or from the patches are removed or restored), so ninja rebuilds
# only what really changed. Meson build folders (build*/) inside the tree
# are kept.
#
# The first assembly (or one after the pristine tree changed, or --full)
# copies the whole pristine tree and synchronises it by content. Later ones
# work on the managed paths only: the overlay files and the files the
# patches touch, recorded in $WC_BUILD/dpdk.manifest; they are put together
# in a small staging folder and compared with the tree file by file.
set -euo pipefail
export LC_ALL=C # one sort order for the manifest and comm
. "$(dirname "$0")/wc-common.sh"
. "$(dirname "$0")/wc-overlay.sh"

copy_overlay() { # <stage> <pristine>
	local stage=$1 pristine=$2 f n=0
	while IFS= read -r f; do
		[ -e "$pristine/$f" ] &&
			wc_die "overlay file $f exists in DPDK: change existing files with a patch in patches/"
		mkdir -p "$stage/$(dirname "$f")"
		cp -p "$WC_REPO/$f" "$stage/$f"
		n=$((n + 1))
	done < <(wc_overlay_files)
	wc_log "overlay: $n new files"
}

apply_series() { # <stage>
	local stage=$1 name p n=0 out
	while IFS= read -r name; do
		p=$(wc_patch_path "$name")
		n=$((n + 1))
		if ! out=$(wc_git_apply "$stage" "$p" 2>&1); then
			printf '%s\n' "$out" >&2
			wc_die "patch $name (patches/series entry $n) does not apply"
		fi
	done < <(wc_series_patches)
	wc_log "patches: $n applied from patches/series"
}

# Paths the patches of the series touch (both sides of each diff).
series_paths() {
	local name
	while IFS= read -r name; do
		sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' \
			"$(wc_patch_path "$name")"
	done < <(wc_series_patches)
}

# Stage only the managed paths: overlay files, then for each patch the
# pristine copies of the files it touches (unless staged already), then
# the patch itself. Writes the list of managed paths to <stage>.paths.
stage_managed() { # <stage> <pristine>
	local stage=$1 pristine=$2 name p f n=0 out
	copy_overlay "$stage" "$pristine"
	while IFS= read -r name; do
		p=$(wc_patch_path "$name")
		n=$((n + 1))
		while IFS= read -r f; do
			[ -e "$stage/$f" ] || [ ! -e "$pristine/$f" ] && continue
			mkdir -p "$stage/$(dirname "$f")"
			cp -p "$pristine/$f" "$stage/$f"
			chmod u+w "$stage/$f"
		done < <(sed -n 's|^diff --git a/\([^ ]*\) b/\([^ ]*\)$|\1\n\2|p' "$p")
		if ! out=$(wc_git_apply "$stage" "$p" 2>&1); then
			printf '%s\n' "$out" >&2
			wc_die "patch $name (patches/series entry $n) does not apply"
		fi
	done < <(wc_series_patches)
	wc_log "patches: $n applied from patches/series"
	{ wc_overlay_files; series_paths; } | sort -u >"$stage.paths"
}

# Make <tree>/<path> hold <src>'s content (or not exist when <src> does
# not); rewrite it only when the content differs. Prints the path when
# it changed.
sync_path() { # <src file or ""> <tree> <path>
	local src=$1 dst=$2/$3
	if [ -n "$src" ] && [ -e "$src" ]; then
		cmp -s "$src" "$dst" && return 0
		mkdir -p "$(dirname "$dst")"
		rm -f "$dst"
		cp --preserve=mode "$src" "$dst"
	else
		[ -e "$dst" ] || return 0
		rm -f "$dst"
		rmdir -p --ignore-fail-on-non-empty "$(dirname "$dst")" 2>/dev/null || true
	fi
	printf '%s\n' "$3"
}

full_sync() { # <pristine> <stage> <tree>
	local pristine=$1 stage=$2 tree=$3
	cp -a "$pristine" "$stage"
	chmod -R u+w "$stage" # DPDK_SRC may be read only
	copy_overlay "$stage" "$pristine"
	apply_series "$stage"
	{ wc_overlay_files; series_paths; } | sort -u >"$stage.paths"
	mkdir -p "$tree"
	# By content (-c), without times: a changed file gets a new mtime,
	# an unchanged one keeps its old one.
	rsync -rlpc --delete --out-format='%n' \
		--exclude='/build/' --exclude='/build-*/' \
		"$stage/" "$tree/" | grep -v '/$' || true
}

managed_sync() { # <pristine> <stage> <tree> <old manifest>
	local pristine=$1 stage=$2 tree=$3 f
	mkdir -p "$stage"
	stage_managed "$stage" "$pristine"
	while IFS= read -r f; do
		sync_path "$stage/$f" "$tree" "$f"
	done <"$stage.paths"
	# No longer managed: back to pristine (or gone).
	while IFS= read -r f; do
		if [ -e "$pristine/$f" ]; then
			sync_path "$pristine/$f" "$tree" "$f"
		else
			sync_path "" "$tree" "$f"
		fi
	done < <(comm -23 "$4" "$stage.paths")
}

main() {
	local pristine stage tree id full=0 changes
	[ "${1:-}" = --full ] && full=1
	pristine=$(bash "$WC_REPO/devtools/get-dpdk.sh")
	wc_need_pkgs rsync
	wc_build_lock assemble
	stage=$WC_BUILD/.stage/dpdk
	tree=$WC_BUILD/dpdk
	changes=$WC_BUILD/assemble.changes
	# What the tree was assembled from: the pristine tree and its version.
	id="$pristine $(head -n1 "$pristine/VERSION")"
	rm -rf "$WC_BUILD/.stage"
	mkdir -p "$WC_BUILD/.stage"
	if [ "$full" = 1 ] || [ ! -f "$tree.manifest" ] || [ ! -f "$tree/VERSION" ] ||
	   [ "$(cat "$tree.source" 2>/dev/null)" != "$id" ]; then
		rm -f "$tree.manifest"
		full_sync "$pristine" "$stage" "$tree" >"$changes"
	else
		managed_sync "$pristine" "$stage" "$tree" "$tree.manifest" >"$changes"
	fi
	mv "$stage.paths" "$tree.manifest"
	echo "$id" >"$tree.source"
	rm -rf "$WC_BUILD/.stage"
	wc_log "$tree: $(wc -l <"$changes") files changed (list: $changes)"
	echo "$tree"
}

main "$@"
