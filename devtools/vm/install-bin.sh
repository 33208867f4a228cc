#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copy host-built dynamic executables into a guest image root, with the
# shared libraries they load (and the dynamic loader). Debug information is
# stripped from the copies to keep the image small. Executables of another
# architecture (aarch64, cross-built) get their libraries from the cross C
# library of the host (/usr/aarch64-linux-gnu/lib), at the guest's
# multiarch paths.
#
# usage: install-bin.sh <image root> <bin dir inside root> <executable...>
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"

[ $# -ge 3 ] || wc_die "usage: ${0##*/} <image root> <bin dir inside root> <executable...>"
root=$1
bindir=$2
shift 2

strip='strip'

copy_file() { # <host path> <dest path inside root>
	mkdir -p "$root$(dirname "$2")"
	cp -L "$1" "$root$2"
	"$strip" --strip-debug "$root$2" 2>/dev/null || true
}

# A cross-built executable: its interpreter and, recursively, the
# libraries it needs (plus libgcc_s, which glibc loads at run time).
install_cross() { # <exe> <triplet>
	local exe=$1 tri=$2 sysroot=/usr/$2/lib todo=() lib interp seen=' '
	interp=$(readelf -l "$exe" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	if [ -z "$interp" ] || [ ! -e "$sysroot/${interp##*/}" ]; then
		wc_die "$exe: no interpreter '$interp' in $sysroot"
	fi
	[ -e "$root$interp" ] || copy_file "$sysroot/${interp##*/}" "$interp"
	todo=("$exe" "$sysroot/libgcc_s.so.1")
	while [ ${#todo[@]} -gt 0 ]; do
		lib=${todo[0]}
		todo=("${todo[@]:1}")
		case $seen in *" $lib "*) continue ;; esac
		seen="$seen$lib "
		if [ "$lib" != "$exe" ]; then
			[ -e "$root/lib/$tri/${lib##*/}" ] ||
				copy_file "$lib" "/lib/$tri/${lib##*/}"
		fi
		for n in $(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -e "$sysroot/$n" ] || wc_die "$exe: $n not in $sysroot"
			todo+=("$sysroot/$n")
		done
	done
}

for exe in "$@"; do
	[ -x "$exe" ] || wc_die "$exe is not an executable"
	if readelf -h "$exe" 2>/dev/null | grep -q 'Machine: *AArch64' &&
	   [ "$(uname -m)" != aarch64 ]; then
		strip=aarch64-linux-gnu-strip
		copy_file "$exe" "$bindir/${exe##*/}"
		install_cross "$exe" aarch64-linux-gnu
		continue
	fi
	strip='strip'
	copy_file "$exe" "$bindir/${exe##*/}"
	# "lib.so => /path (addr)" and "/lib64/ld-linux... (addr)" lines.
	ldd "$exe" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }' | while read -r lib; do
		[ -e "$root$lib" ] || copy_file "$lib" "$lib"
	done
	# glibc dlopen()s libgcc_s for pthread_cancel/unwinding; DPDK apps
	# abort at exit without it.
	libdir=$(ldd "$exe" 2>/dev/null | awk '$1 ~ /^libc\.so/ { print $3 }')
	if [ -n "$libdir" ]; then
		libdir=${libdir%/*}
		[ -e "$libdir/libgcc_s.so.1" ] ||
			wc_die "$libdir/libgcc_s.so.1 missing on the host (package libgcc-s1)"
		[ -e "$root$libdir/libgcc_s.so.1" ] ||
			copy_file "$libdir/libgcc_s.so.1" "$libdir/libgcc_s.so.1"
	fi
done
