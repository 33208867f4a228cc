#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build a static C program for the guest, inside the guest build root (its
# gcc, glibc and kernel uAPI headers; the cross ones of another guest
# architecture, WC_GUEST_CC).
#
# usage: build-prog.sh <out binary> <source.c...> [-- extra gcc args]
# All sources are compiled together with -static -O2 -Wall -Wextra -Werror;
# the directory of each source is on the include path, and -I<dir> of an
# existing host directory is copied into the root.
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

[ $# -ge 2 ] || wc_die "usage: ${0##*/} <out binary> <source.c...> [-- extra gcc args]"
out=$1
shift
srcs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	srcs+=("$(realpath "$1")")
	shift
done
[ $# -gt 0 ] && shift
extra=("$@")

wc_guest_resolve_kernel
root=$("$WC_VM_DIR/buildroot.sh")
work=$(mktemp -d "$root/tmp/wc-prog.XXXXXX")
wc_rm_on_exit "$work"
inside=/tmp/${work##*/}
args=()
n=0
for s in "${srcs[@]}"; do
	# Each source directory is copied once so local headers resolve.
	d=$work/src$n
	mkdir -p "$d"
	cp -a "$(dirname "$s")/." "$d/"
	args+=("$inside/src$n/$(basename "$s")" "-I$inside/src$n")
	n=$((n + 1))
done
# Include directories of the host are copied into the root as well.
for i in "${!extra[@]}"; do
	case ${extra[$i]} in
	-I?*)
		inc=${extra[$i]#-I}
		[ -d "$inc" ] || continue
		mkdir -p "$work/inc$i"
		cp -a "$inc/." "$work/inc$i/"
		extra[i]=-I$inside/inc$i
		;;
	esac
done
key=prog-$(wc_guest_objcache_key "$work" "$(sha256sum <"$0")" "${args[@]//$inside/}" -- "${extra[@]//$inside/}")
if wc_guest_objcache_get "$key" "$work/cached"; then
	mkdir -p "$(dirname "$out")"
	cp "$work/cached/prog" "$out"
	exit 0
fi
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8 \
	"$WC_GUEST_CC" -static -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE \
	-o "$inside/prog" "${args[@]}" "${extra[@]}" ||
	wc_die "build of ${out##*/} failed"
mkdir -p "$(dirname "$out")"
cp "$work/prog" "$out"
wc_guest_objcache_put "$key" "$work/prog"
