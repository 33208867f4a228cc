#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Provide a pristine DPDK 22.11.x source tree and print its path on stdout.
#
#   DPDK_SRC=/path/to/dpdk devtools/get-dpdk.sh   use that tree (read only)
#   devtools/get-dpdk.sh                           Debian 12's "dpdk" source
#                                                  package, cached
#
# The Debian source package is fetched by name under a private apt
# configuration, its files are checked against the SHA-256 sums of the .dsc
# and the upstream tarball is unpacked once into $WC_CACHE/dpdk/src. Later
# runs use that tree and need no network; WC_DPDK_REFRESH=1 asks the package
# registry again for a newer 22.11 point release.
set -euo pipefail
. "$(dirname "$0")/wc-common.sh"

# The base the overlay is written against: any 22.11 LTS point release.
WC_DPDK_SERIES=22.11

dpdk_version_ok() { # <version>
	case $1 in
	"$WC_DPDK_SERIES".[0-9]*) return 0 ;;
	*) return 1 ;;
	esac
}

use_dpdk_src() {
	local src version
	[ -d "$DPDK_SRC" ] || wc_die "DPDK_SRC=$DPDK_SRC is not a directory"
	src=$(cd "$DPDK_SRC" && pwd)
	{ [ -f "$src/VERSION" ] && [ -f "$src/meson.build" ]; } ||
		wc_die "DPDK_SRC=$src is not a DPDK source tree (no VERSION or meson.build)"
	version=$(head -n1 "$src/VERSION")
	dpdk_version_ok "$version" ||
		wc_die "DPDK_SRC=$src is DPDK $version, the overlay needs $WC_DPDK_SERIES.x"
	wc_log "using DPDK $version from DPDK_SRC=$src"
	echo "$src"
}

# Print "<sha256> <name>" for each file listed in a .dsc.
dsc_sha256_list() { # <dsc>
	awk '/^Checksums-Sha256:/ { on = 1; next }
	     on && /^ / { print $1, $3; next }
	     { on = 0 }' "$1"
}

verify_dsc_files() { # <dir> <dsc>
	local dir=$1 dsc=$2 sum name n=0
	while read -r sum name; do
		[ -f "$dir/$name" ] || wc_die "$name listed in ${dsc##*/} is missing"
		echo "$sum  $dir/$name" | sha256sum --quiet -c - >/dev/null 2>&1 ||
			wc_die "$name does not match the SHA-256 sum in ${dsc##*/}"
		n=$((n + 1))
	done < <(dsc_sha256_list "$dsc")
	[ "$n" -gt 0 ] || wc_die "${dsc##*/} lists no SHA-256 checksums"
}

cached_tree() {
	local t
	for t in "$WC_CACHE"/dpdk/src/dpdk-"$WC_DPDK_SERIES".*; do
		case $t in *.verified) continue ;; esac
		if [ -f "$t.verified" ]; then echo "$t"; fi
	done | sort -V | tail -n1
}

# Sets tree. Runs in the main shell, not in $(...): a signal stops the
# unpack at once and the cleanup trap removes the partial tree.
fetch_debian_source() {
	local uri dl dsc version upstream orig top tmp
	uri=$(wc_archive_uri)
	wc_private_apt bookworm-src \
"deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-updates main"
	dl=$WC_CACHE/dpdk/dl
	mkdir -p "$dl"
	# apt verifies the downloads against the signed Sources index.
	(cd "$dl" && apt-get "${WC_APT[@]}" -q source --download-only dpdk) \
		>"$dl/apt-source.log" 2>&1 || {
		cat "$dl/apt-source.log" >&2
		# Refresh the package lists next time (a failed update may
		# have left them empty).
		rm -f "$WC_CACHE/apt-bookworm-src/updated"
		wc_die "cannot get Debian's dpdk source package (no network or no bookworm deb-src?); set DPDK_SRC=/path/to/dpdk-22.11.x instead"
	}
	dsc=$(printf '%s\n' "$dl"/dpdk_*.dsc | sort -V | tail -n1)
	version=$(awk '/^Version:/ { print $2; exit }' "$dsc")
	upstream=${version%-*}
	upstream=${upstream#*:}
	dpdk_version_ok "$upstream" ||
		wc_die "Debian's dpdk source package is $version, the overlay needs $WC_DPDK_SERIES.x; set DPDK_SRC"
	verify_dsc_files "$dl" "$dsc"
	wc_log "Debian dpdk $version: files match ${dsc##*/}"
	tree=$WC_CACHE/dpdk/src/dpdk-$upstream
	[ ! -f "$tree.verified" ] || return 0
	orig=$(printf '%s\n' "$dl"/dpdk_"$upstream".orig.tar.* | head -n1)
	tmp=$(mktemp -d "$WC_CACHE/dpdk/unpack.XXXXXX")
	wc_rm_on_exit "$tmp"
	# Only the upstream tarball: the pristine tree has none of Debian's
	# packaging patches.
	wc_log "unpacking ${orig##*/}"
	wc_bg tar -xf "$orig" -C "$tmp"
	wc_wait "$WC_BG_PID" || wc_die "cannot unpack ${orig##*/}"
	top=$(ls -1 "$tmp")
	{ [ "$(echo "$top" | wc -l)" -eq 1 ] && [ -f "$tmp/$top/VERSION" ]; } ||
		wc_die "unexpected layout of ${orig##*/}"
	[ "$(head -n1 "$tmp/$top/VERSION")" = "$upstream" ] ||
		wc_die "${orig##*/} holds DPDK $(head -n1 "$tmp/$top/VERSION"), expected $upstream"
	rm -rf "$tree"
	mkdir -p "${tree%/*}"
	mv "$tmp/$top" "$tree"
	rmdir "$tmp"
	echo "debian $version" >"$tree.verified"
}

main() {
	local tree
	if [ -n "${DPDK_SRC:-}" ]; then
		use_dpdk_src
		return
	fi
	tree=$(cached_tree)
	if [ -z "$tree" ] || [ -n "${WC_DPDK_REFRESH:-}" ]; then
		# One fetch at a time; a run that waited finds the tree the
		# other one unpacked.
		wc_lock "$WC_CACHE/dpdk/.lock"
		tree=$(cached_tree)
		if [ -z "$tree" ] || [ -n "${WC_DPDK_REFRESH:-}" ]; then
			fetch_debian_source
		fi
	fi
	wc_log "using DPDK $(head -n1 "$tree/VERSION") ($(cat "$tree.verified")) from $tree"
	echo "$tree"
}

main "$@"
