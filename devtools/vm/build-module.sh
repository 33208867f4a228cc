#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# shellcheck disable=SC2153 # WC_GUEST_* are set by guest-common.sh
# Build an out-of-tree kernel module for the guest kernel, inside the guest
# build root (the kernel's own compiler, headers and Module.symvers; cross
# for another guest architecture, see WC_GUEST_KMAKE).
#
# usage: build-module.sh <module source dir> <out dir> [make variables...]
# The source dir is copied into the root, built with kbuild
# (make -C <headers> M=<dir> modules) and every resulting .ko is copied to
# <out dir>. Extra arguments are passed to make (e.g. W=1).
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

[ $# -ge 2 ] || wc_die "usage: ${0##*/} <module source dir> <out dir> [make variables...]"
src=$(realpath "$1")
out=$2
shift 2
[ -d "$src" ] || wc_die "no module source dir $src"

wc_guest_resolve_kernel
root=$("$WC_VM_DIR/buildroot.sh" --modules)
# The objcache key below stamps the root the module is built in.
export WC_GUEST_BUILDROOT=$root
work=$(mktemp -d "$root/tmp/wc-module.XXXXXX")
wc_rm_on_exit "$work"
cp -a "$src/." "$work/"
inside=/tmp/${work##*/}
mkdir -p "$out"
key=module-$(wc_guest_objcache_key "$work" "$(sha256sum <"$0")" "${WC_GUEST_KDIR:-}" "$@")
wc_guest_objcache_get "$key" "$out" && exit 0
if [ -n "${WC_GUEST_KDIR:-}" ]; then
	# A locally built kernel: its kbuild tree and the host compiler
	# that built it
	make -s -C "$WC_GUEST_KDIR/build" M="$work" "$@" modules ||
		wc_die "module build of $src failed"
else
	# In a mount namespace of its own with /proc (objtool of 7.x reads
	# it).
	# shellcheck disable=SC2016 # expanded by the inner sh
	unshare -m --propagation private sh -c \
		'[ "$0" = / ] || mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
		"$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LANG=C.UTF-8 \
		make -s -C "/usr/src/linux-headers-$WC_GUEST_KVER" M="$inside" \
		"${WC_GUEST_KMAKE[@]}" "$@" modules ||
		wc_die "module build of $src failed"
fi
mapfile -t kos < <(find "$work" -name '*.ko' -type f)
[ ${#kos[@]} -gt 0 ] || wc_die "module build of $src produced no .ko"
cp "${kos[@]}" "$out/"
wc_guest_objcache_put "$key" "${kos[@]}"
