#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copy host-built dynamic executables into a guest image root, with the
# shared libraries they load (and the dynamic loader). Debug information is
# stripped from the copies to keep the image small.
#
# usage: install-bin.sh <image root> <bin dir inside root> <executable...>
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"

[ $# -ge 3 ] || wc_die "usage: ${0##*/} <image root> <bin dir inside root> <executable...>"
root=$1
bindir=$2
shift 2

copy_file() { # <host path> <dest path inside root>
	mkdir -p "$root$(dirname "$2")"
	cp -L "$1" "$root$2"
	strip --strip-debug "$root$2" 2>/dev/null || true
}

for exe in "$@"; do
	[ -x "$exe" ] || wc_die "$exe is not an executable"
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
