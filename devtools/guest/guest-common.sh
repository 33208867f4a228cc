# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034 # variables for the scripts that source it
# Shared definitions of the QEMU test guest: architecture, guest kernel,
# build root and the fixed machine layout. Source it after wc-common.sh.
#
# The architecture is a parameter from the start (WC_GUEST_ARCH); only
# x86_64 is implemented, an arm64 guest (virt + SMMUv3) plugs in here.

WC_GUEST_DIR=$WC_REPO/devtools/guest
WC_GUEST_ARCH=${WC_GUEST_ARCH:-x86_64}
WC_GUEST_SUITE=${WC_GUEST_SUITE:-trixie}
WC_GUEST_CACHE=${WC_GUEST_CACHE:-$WC_CACHE/guest}
WC_GUEST_OUT=${WC_GUEST_OUT:-$WC_BUILD/guest}
# The tests run in the guest (the harness's own self-test uses another).
WC_GUEST_TESTS_DIR=${WC_GUEST_TESTS_DIR:-$WC_GUEST_DIR/tests}

case $WC_GUEST_ARCH in
x86_64)
	WC_GUEST_DEBARCH=amd64
	WC_GUEST_QEMU=qemu-system-x86_64
	WC_GUEST_QEMU_PKG=qemu-system-x86
	WC_GUEST_CONSOLE=ttyS0
	WC_GUEST_RESULT_TTY=ttyS1
	;;
*)
	wc_die "guest architecture '$WC_GUEST_ARCH' is not implemented (x86_64 only)"
	;;
esac

# Fixed PCI addresses of the test devices (see machine.sh); exported to the
# guest tests as WC_BDF_*.
WC_BDF_IVSHMEM=0000:01:00.0
WC_BDF_VIRTIO=0000:00:03.0
WC_BDF_E1000E=0000:00:04.0

WC_GUEST_BUILDROOT=${WC_GUEST_BUILDROOT:-$WC_GUEST_CACHE/buildroot-$WC_GUEST_SUITE}

# The guest kernel. 6.12: the suite's linux-image metapackage. 6.12-debug:
# built locally by kernel-debug.sh from the suite's linux-source-6.12 with
# KASAN, lockdep and the other checkers; its modules are built on the host
# with the compiler that built it, test programs in the suite's build root.
WC_GUEST_KERNEL=${WC_GUEST_KERNEL:-6.12}
case $WC_GUEST_KERNEL in
6.12) ;;
6.12-debug) WC_GUEST_KERNEL_BUILDER=kernel-debug.sh ;;
*)
	wc_die "guest kernel '$WC_GUEST_KERNEL' is not implemented (6.12, 6.12-debug)"
	;;
esac

# Serialise the cache updates of concurrent runs (kernel extraction, build
# root creation); the lock is released when the shell exits.
wc_guest_lock() {
	mkdir -p "$WC_GUEST_CACHE"
	exec 8>"$WC_GUEST_CACHE/.lock"
	flock 8
}

wc_guest_unlock() {
	exec 8>&-
}

# Private apt configuration for the guest suite (Debian archive of the host).
wc_guest_apt() {
	local uri
	uri=$(wc_archive_uri)
	wc_private_apt "$WC_GUEST_SUITE" \
"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $WC_GUEST_SUITE main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $WC_GUEST_SUITE-updates main"
}

# Resolve the guest kernel through the suite's metapackages: sets
# WC_GUEST_KVER (e.g. 6.12.117+deb13-amd64) and WC_GUEST_KPKGVER
# (e.g. 6.12.117-1). WC_GUEST_KVER may be forced by the caller.
# WC_GUEST_ROOT_KVER is the kernel whose headers the build root holds;
# for a locally built kernel, WC_GUEST_KDIR is its directory (see
# kernel-debug.sh) and WC_GUEST_KVER its release.
wc_guest_resolve_kernel() {
	local img hdr dep
	if [ -n "${WC_GUEST_KVER:-}" ] && [ -n "${WC_GUEST_KPKGVER:-}" ]; then
		return 0
	fi
	wc_guest_apt
	img=$(apt-cache "${WC_APT[@]}" show "linux-image-$WC_GUEST_DEBARCH" 2>/dev/null) || true
	hdr=$(apt-cache "${WC_APT[@]}" show "linux-headers-$WC_GUEST_DEBARCH" 2>/dev/null) || true
	# The first stanza is the newest version of the metapackage.
	dep=$(printf '%s\n' "$img" | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | grep -o "linux-image-[^ ]* (= [^)]*)" | head -n1) || true
	[ -n "$dep" ] || wc_die "cannot resolve linux-image-$WC_GUEST_DEBARCH in $WC_GUEST_SUITE"
	WC_GUEST_KVER=$(echo "$dep" | sed -E 's/^linux-image-([^ ]*) .*/\1/')
	WC_GUEST_KPKGVER=$(echo "$dep" | sed -E 's/.*\(= ([^)]*)\)/\1/')
	# The headers metapackage must point at the same kernel.
	printf '%s\n' "$hdr" | sed -n 's/^Depends: //p' | head -n1 |
		grep -qF "linux-headers-$WC_GUEST_KVER (= $WC_GUEST_KPKGVER)" ||
		wc_die "linux-headers-$WC_GUEST_DEBARCH does not match $WC_GUEST_KVER"
	WC_GUEST_ROOT_KVER=$WC_GUEST_KVER
	if [ -n "${WC_GUEST_KERNEL_BUILDER:-}" ]; then
		WC_GUEST_KDIR=$("$WC_GUEST_DIR/$WC_GUEST_KERNEL_BUILDER") ||
			wc_die "building the $WC_GUEST_KERNEL guest kernel failed"
		WC_GUEST_KVER=$(cat "$WC_GUEST_KDIR/kernelrelease")
		export WC_GUEST_KDIR
	fi
	export WC_GUEST_KVER WC_GUEST_KPKGVER WC_GUEST_ROOT_KVER
}

# Build results of build-module.sh / build-prog.sh are cached by the hash of
# everything that goes into them, so that a warm image build only compiles
# what changed. WC_GUEST_NO_OBJCACHE=1 disables the cache.
WC_GUEST_OBJCACHE=$WC_GUEST_CACHE/objcache

# wc_guest_objcache_key <dir> [strings...]: hash of the files below <dir>,
# the strings, the guest kernel and the build root.
wc_guest_objcache_key() {
	local dir=$1
	shift
	{
		printf '%s\n' "$WC_GUEST_KVER" "$@"
		cat "$WC_GUEST_BUILDROOT/.wc-buildroot"
		(cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z |
			xargs -0 -r sha256sum)
	} | sha256sum | cut -c1-32
}

# wc_guest_objcache_get <key> <out dir>: copy a cached result; fails when
# there is none.
wc_guest_objcache_get() {
	[ "${WC_GUEST_NO_OBJCACHE:-0}" != 1 ] || return 1
	[ -d "$WC_GUEST_OBJCACHE/$1" ] || return 1
	mkdir -p "$2"
	cp -a "$WC_GUEST_OBJCACHE/$1/." "$2/"
	touch "$WC_GUEST_OBJCACHE/$1"
}

# wc_guest_objcache_put <key> <files...>: store a result; entries unused
# for two weeks are dropped.
wc_guest_objcache_put() {
	local key=$1 tmp
	shift
	mkdir -p "$WC_GUEST_OBJCACHE"
	tmp=$(mktemp -d "$WC_GUEST_OBJCACHE/.new.XXXXXX")
	cp -a "$@" "$tmp/"
	# A concurrent build of the same key may have stored it first.
	mv -T "$tmp" "$WC_GUEST_OBJCACHE/$key" 2>/dev/null || rm -rf "$tmp"
	find "$WC_GUEST_OBJCACHE" -mindepth 1 -maxdepth 1 -mtime +14 \
		-exec rm -rf {} + 2>/dev/null || true
}
