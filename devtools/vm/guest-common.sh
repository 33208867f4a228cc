# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034 # variables for the scripts that source it
# Shared definitions of the QEMU test guest: architecture, guest kernel,
# build root and the fixed machine layout. Source it after wc-common.sh.
#
# The architecture is a parameter (WC_GUEST_ARCH): x86_64 (q35 + Intel
# IOMMU, the default) or arm64 (virt + SMMUv3 + GICv3). The arm64 guest's
# modules and programs are cross-built in an amd64 build root of its own.

# Host side (these scripts) and guest side (what the image holds: init,
# lib.sh, tests, payloads).
WC_VM_DIR=$WC_REPO/devtools/vm
WC_GUEST_DIR=$WC_REPO/devtools/guest
WC_GUEST_ARCH=${WC_GUEST_ARCH:-x86_64}
export WC_GUEST_ARCH	# for the payload scripts
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
	WC_GUEST_APT_OPTS=()
	WC_GUEST_ARCH_MODULES=()
	;;
arm64)
	WC_GUEST_DEBARCH=arm64
	WC_GUEST_QEMU=qemu-system-aarch64
	WC_GUEST_QEMU_PKG=qemu-system-arm
	WC_GUEST_CONSOLE=ttyAMA0
	# virt has one UART: the results go to a virtio console (hvc0) on
	# virtio-mmio, whose driver is loaded before init opens it.
	WC_GUEST_RESULT_TTY=hvc0
	WC_GUEST_ARCH_MODULES=(virtio_mmio)
	# The guest's packages come from a private apt configuration of
	# that architecture; the host's architectures stay unchanged.
	WC_GUEST_APT_SUFFIX=-arm64
	WC_GUEST_APT_ARCH=" arch=arm64"
	WC_GUEST_APT_OPTS=(-o APT::Architecture=arm64 -o APT::Architectures=arm64)
	;;
*)
	wc_die "guest architecture '$WC_GUEST_ARCH' is not implemented (x86_64, arm64)"
	;;
esac

# The guest kernel (WC_GUEST_KERNEL), resolved through a suite's
# linux-image/linux-headers metapackages: the suites its packages come
# from (WC_GUEST_KSUITES, the private apt configuration WC_GUEST_KAPT, or
# "host" for the host's own) and
# the release the metapackages are taken from (WC_GUEST_KREL, empty: the
# newest version).
WC_GUEST_KERNEL=${WC_GUEST_KERNEL:-6.12}
case $WC_GUEST_KERNEL in
6.12)
	WC_GUEST_KAPT=$WC_GUEST_SUITE
	WC_GUEST_KSUITES="$WC_GUEST_SUITE $WC_GUEST_SUITE-updates"
	WC_GUEST_KREL=
	;;
6.12-debug)
	# Built locally by kernel-debug.sh from the suite's linux-source-6.12
	# with KASAN, lockdep and the other checkers; its modules are built
	# on the host with the compiler that built it (WC_GUEST_KDIR), test
	# programs in the suite's build root.
	WC_GUEST_KAPT=$WC_GUEST_SUITE
	WC_GUEST_KSUITES="$WC_GUEST_SUITE $WC_GUEST_SUITE-updates"
	WC_GUEST_KREL=
	WC_GUEST_KERNEL_BUILDER=kernel-debug.sh
	;;
6.1)
	# The host's own suite and apt configuration (with its security
	# updates, where bookworm's kernel is updated)
	WC_GUEST_KAPT=host
	WC_GUEST_KSUITES=bookworm
	WC_GUEST_KREL=
	;;
7.3)
	WC_GUEST_KAPT=trixie-backports
	WC_GUEST_KSUITES="trixie trixie-backports"
	WC_GUEST_KREL=/trixie-backports
	;;
*)
	wc_die "guest kernel '$WC_GUEST_KERNEL' is not implemented (6.12, 6.1, 7.3, 6.12-debug)"
	;;
esac

# Where the guest kernel's modules are built, with the kernel's compiler
# (CONFIG_CC_VERSION_TEXT) and headers (buildroot.sh --modules):
#   buildroot: the trixie build root (gcc-14), made with the headers;
#   host: the host itself (bookworm: gcc-12, linux-headers-<kver>);
#   buildroot-headers: a hard-linked copy of the trixie build root with the
#   kernel's header packages extracted into it (gcc-14).
# Static test programs are always built in the trixie build root.
case $WC_GUEST_KERNEL in
6.12 | 6.12-debug) WC_GUEST_MODROOT=buildroot ;;
6.1) WC_GUEST_MODROOT=host ;;
7.3) WC_GUEST_MODROOT=buildroot-headers ;;
esac

# Fixed PCI addresses of the test devices (see machine.sh); exported to the
# guest tests as WC_BDF_*.
WC_BDF_IVSHMEM=0000:01:00.0
WC_BDF_VIRTIO=0000:00:03.0
WC_BDF_E1000E=0000:00:04.0
# x86_64 only: ivshmem with a large BAR2, backed by a sparse host file of
# this size next to the ivshmem file.
WC_BDF_IVSHMEM_LARGE=0000:02:00.0
# x86_64 only: the second function of the large ivshmem, a virtio-rng
# with FLR in the same reset set.
WC_BDF_VIRTIO_FLR=0000:02:00.1
WC_GUEST_LARGE_BAR=4G

# Build root and compiler of the guest's modules and programs: an amd64
# root of the guest suite (no emulation), holding the guest kernel's
# compiler and headers. WC_GUEST_KMAKE: make variables of a module build;
# WC_GUEST_ROOT_CROSS=1: the kernel headers are the guest architecture's,
# extracted into the root next to the host's kbuild tools.
case $WC_GUEST_ARCH in
x86_64)
	WC_GUEST_BUILDROOT=${WC_GUEST_BUILDROOT:-$WC_GUEST_CACHE/buildroot-$WC_GUEST_SUITE}
	WC_GUEST_CC=gcc-14
	WC_GUEST_ROOT_PKGS=gcc-14,make,libc6-dev,dwarves
	WC_GUEST_ROOT_CROSS=0
	WC_GUEST_KMAKE=()
	;;
arm64)
	WC_GUEST_BUILDROOT=${WC_GUEST_BUILDROOT:-$WC_GUEST_CACHE/buildroot-$WC_GUEST_SUITE-cross-arm64}
	WC_GUEST_CC=aarch64-linux-gnu-gcc-14
	WC_GUEST_ROOT_PKGS=gcc-14-aarch64-linux-gnu,libc6-dev-arm64-cross,make,bc,dwarves
	WC_GUEST_ROOT_CROSS=1
	WC_GUEST_KMAKE=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	;;
esac

# The lock (wc_lock) of the cache updates of concurrent runs (kernel
# extraction, build root creation).
WC_GUEST_LOCK=$WC_GUEST_CACHE/.lock

# Private apt configuration for the guest kernel's suites (Debian archive
# of the host).
wc_guest_apt() {
	local uri suite lines=
	if [ "$WC_GUEST_KAPT" = host ]; then
		WC_APT=()
		return
	fi
	uri=$(wc_archive_uri)
	for suite in $WC_GUEST_KSUITES; do
		lines+="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg${WC_GUEST_APT_ARCH:-}] $uri $suite main"$'\n'
	done
	wc_private_apt "$WC_GUEST_KAPT${WC_GUEST_APT_SUFFIX:-}" "${lines%$'\n'}" \
		"${WC_GUEST_APT_OPTS[@]}"
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
	img=$(apt-cache "${WC_APT[@]}" show "linux-image-$WC_GUEST_DEBARCH$WC_GUEST_KREL" 2>/dev/null) || true
	hdr=$(apt-cache "${WC_APT[@]}" show "linux-headers-$WC_GUEST_DEBARCH$WC_GUEST_KREL" 2>/dev/null) || true
	# The first stanza is the newest version of the metapackage.
	dep=$(printf '%s\n' "$img" | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | grep -o "linux-image-[^ ]* (= [^)]*)" | head -n1) || true
	[ -n "$dep" ] || wc_die "cannot resolve linux-image-$WC_GUEST_DEBARCH$WC_GUEST_KREL in $WC_GUEST_KSUITES"
	WC_GUEST_KVER=$(echo "$dep" | sed -E 's/^linux-image-([^ ]*) .*/\1/')
	WC_GUEST_KPKGVER=$(echo "$dep" | sed -E 's/.*\(= ([^)]*)\)/\1/')
	# The headers metapackage must point at the same kernel.
	printf '%s\n' "$hdr" | sed -n 's/^Depends: //p' | head -n1 |
		grep -qF "linux-headers-$WC_GUEST_KVER (= $WC_GUEST_KPKGVER)" ||
		wc_die "linux-headers-$WC_GUEST_DEBARCH does not match $WC_GUEST_KVER"
	WC_GUEST_ROOT_KVER=$WC_GUEST_KVER
	if [ -n "${WC_GUEST_KERNEL_BUILDER:-}" ]; then
		WC_GUEST_KDIR=$("$WC_VM_DIR/$WC_GUEST_KERNEL_BUILDER") ||
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
		wc_guest_root_stamp "$WC_GUEST_BUILDROOT"
		(cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z |
			xargs -0 -r sha256sum)
	} | sha256sum | cut -c1-32
}

# wc_guest_root_stamp <root>: what identifies a build root: its stamp, or
# for the host its compiler and the guest kernel's headers.
wc_guest_root_stamp() {
	if [ "$1" = / ]; then
		dpkg-query -W gcc-12 "linux-headers-$WC_GUEST_KVER"
	else
		cat "$1/.wc-buildroot"
	fi
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
