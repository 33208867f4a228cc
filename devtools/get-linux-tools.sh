#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Extract the few Linux source files the project's checks and tests use from
# Debian 12's linux-source-6.1 package, and print the folder holding them:
#   checkpatch.pl, spelling.txt, const_structs.checkpatch
#       (DPDK's devtools/checkpatches.sh: DPDK_CHECKPATCH_PATH=<dir>/checkpatch.pl)
#   kselftest_harness.h, kselftest.h
#       (kernel selftests of the vfio-pci-wc module)
# The package is fetched by name under a private apt configuration; the
# files are cached in $WC_CACHE/linux-tools and the package is not kept.
set -euo pipefail
. "$(dirname "$0")/wc-common.sh"

WC_LINUX_SOURCE_PKG=linux-source-6.1
dir=$WC_CACHE/linux-tools
members=(
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
)

have_all() {
	local m
	[ -f "$dir/.source" ] || return 1
	for m in "${members[@]}"; do
		[ -f "$dir/${m##*/}" ] || return 1
	done
}

fetch() {
	local uri deb tarball m top
	wc_need_pkgs xz-utils
	uri=$(wc_archive_uri)
	wc_private_apt bookworm \
"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-updates main"
	mkdir -p "$WC_CACHE"
	tmp=$(mktemp -d "$WC_CACHE/linux-tools.XXXXXX")
	wc_rm_on_exit "$tmp"
	(cd "$tmp" && apt-get "${WC_APT[@]}" -q download "$WC_LINUX_SOURCE_PKG") \
		>"$tmp/apt.log" 2>&1 || {
		cat "$tmp/apt.log" >&2
		wc_die "cannot download $WC_LINUX_SOURCE_PKG"
	}
	deb=$(ls "$tmp"/*.deb)
	tarball=$(dpkg-deb -c "$deb" | awk '{ print $NF }' |
		grep -E '^\./usr/src/linux-source-[0-9.]+\.tar\.xz$' | head -n1)
	[ -n "$tarball" ] || wc_die "${deb##*/} holds no linux source tarball"
	top=$(basename "$tarball" .tar.xz)
	# Stream: the kernel tarball is never written to disk whole.
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$tarball" |
		tar -xJ -C "$tmp" "${members[@]/#/$top/}" ||
		wc_die "cannot extract ${members[*]} from ${deb##*/}"
	mkdir -p "$dir"
	for m in "${members[@]}"; do
		cp "$tmp/$top/$m" "$dir/"
	done
	echo "${deb##*/}" >"$dir/.source"
}

if ! have_all; then
	wc_lock "$WC_CACHE/.lock-linux-tools"
	have_all || fetch
fi
wc_log "Linux tools from $(cat "$dir/.source") in $dir"
echo "$dir"
