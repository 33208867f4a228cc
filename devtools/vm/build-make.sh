#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build user-space programs with their own Makefile for the guest, inside
# the guest build root (its gcc, glibc and kernel uAPI headers).
#
# usage: build-make.sh <source dir> <make subdir> <out dir> [make args...]
# The source dir is copied into the root, "make -C <make subdir>" runs
# there with CC=$WC_GUEST_CC (the guest architecture's gcc-14) and the extra arguments, and the executables it
# leaves in <make subdir> are copied to <out dir>.
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

[ $# -ge 3 ] || wc_die "usage: ${0##*/} <source dir> <make subdir> <out dir> [make args...]"
src=$(realpath "$1")
sub=$2
out=$3
shift 3

wc_guest_resolve_kernel
root=$("$WC_VM_DIR/buildroot.sh")
work=$(mktemp -d "$root/tmp/wc-make.XXXXXX")
wc_rm_on_exit "$work"
cp -a "$src/." "$work/"
inside=/tmp/${work##*/}
mkdir -p "$out"
key=make-$(wc_guest_objcache_key "$work" "$(sha256sum <"$0")" "$sub" "$@")
wc_guest_objcache_get "$key" "$out" && exit 0
find "$work/$sub" -maxdepth 1 -type f -perm -u+x -delete
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8 \
	make -s -C "$inside/$sub" CC="$WC_GUEST_CC" "$@" ||
	wc_die "build in $src/$sub failed"
mapfile -t progs < <(find "$work/$sub" -maxdepth 1 -type f -perm -u+x)
[ ${#progs[@]} -gt 0 ] || wc_die "make in $src/$sub built no program"
cp "${progs[@]}" "$out/"
wc_guest_objcache_put "$key" "${progs[@]}"
