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
	chmod -R u+w "$stage/dpdk" # DPDK_SRC may be read only
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
