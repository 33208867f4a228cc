#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Assemble the build tree $WC_BUILD/dpdk = pristine DPDK (devtools/get-dpdk.sh)
# + this repo's new files at their DPDK paths + patches/series.
#
# The tree is first put together in a staging folder, then only the files
# whose content changed are copied over the build tree (and files gone from
# the overlay are removed), so ninja rebuilds only what really changed.
# Meson build folders (build*/) inside the tree are kept.
set -euo pipefail
. "$(dirname "$0")/wc-common.sh"

# Repo paths that are project tooling, not part of the DPDK tree: our
# devtools, the patches, build trees, README.md and top-level dot files.
wc_is_tooling() { # <repo-relative path>
	case $1 in
	devtools/* | patches/* | build/* | .* | README.md) return 0 ;;
	esac
	case $WC_REPO/$1 in "$WC_BUILD"/*) return 0 ;; esac
	return 1
}

# The overlay: files of the repo (tracked or new, not ignored) that are not
# tooling, one repo-relative path per line.
overlay_files() {
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
series_patches() {
	local series=$WC_REPO/patches/series
	[ -f "$series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' "$series" |
		grep -v '^$' || true
}

patch_has_diff() { # <patch>
	grep -q '^diff --git ' "$1"
}

copy_overlay() { # <stage> <pristine>
	local stage=$1 pristine=$2 f n=0
	while IFS= read -r f; do
		[ -e "$pristine/$f" ] &&
			wc_die "overlay file $f exists in DPDK: change existing files with a patch in patches/"
		mkdir -p "$stage/$(dirname "$f")"
		cp -p "$WC_REPO/$f" "$stage/$f"
		n=$((n + 1))
	done < <(overlay_files)
	wc_log "overlay: $n new files"
}

apply_series() { # <stage>
	local stage=$1 name p n=0 out
	while IFS= read -r name; do
		p=$WC_REPO/patches/$name
		[ -f "$p" ] || wc_die "patches/series lists $name, but patches/$name does not exist"
		n=$((n + 1))
		patch_has_diff "$p" || continue
		# The ceiling keeps git from treating the staging folder as part
		# of an enclosing repository (paths would then be misread).
		if ! out=$(cd "$stage" &&
			GIT_CEILING_DIRECTORIES=$(dirname "$stage") \
			git apply --whitespace=nowarn -p1 "$p" 2>&1); then
			printf '%s\n' "$out" >&2
			wc_die "patch $name (patches/series entry $n) does not apply"
		fi
	done < <(series_patches)
	wc_log "patches: $n applied from patches/series"
}

main() {
	local pristine stage tree
	pristine=$(bash "$WC_REPO/devtools/get-dpdk.sh")
	wc_need_pkgs rsync
	mkdir -p "$WC_BUILD"
	exec 9>"$WC_BUILD/.assemble.lock"
	flock 9
	stage=$WC_BUILD/.stage
	tree=$WC_BUILD/dpdk
	rm -rf "$stage"
	mkdir -p "$stage"
	cp -a "$pristine" "$stage/dpdk"
	copy_overlay "$stage/dpdk" "$pristine"
	apply_series "$stage/dpdk"
	mkdir -p "$tree"
	# By content (-c), without times: a changed file gets a new mtime,
	# an unchanged one keeps its old one.
	rsync -rlpc --delete --itemize-changes \
		--exclude='/build/' --exclude='/build-*/' \
		"$stage/dpdk/" "$tree/" >"$WC_BUILD/assemble.changes"
	rm -rf "$stage"
	wc_log "$tree: $(grep -c '^[<>ch*]' "$WC_BUILD/assemble.changes" || true) paths changed (list: $WC_BUILD/assemble.changes)"
	echo "$tree"
}

main "$@"
