#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the debug guest kernel (WC_GUEST_KERNEL=6.12-debug): Debian's
# linux-source-6.12 binary package (the source of the test guest's own
# 6.12 kernel), tinyconfig plus kernel-debug.config (KASAN, lockdep, RCU
# and atomic-sleep checks, list and object debugging, kmemleak, UBSAN and
# only the drivers the test machine has), compiled with the host's gcc.
#
# The result is cached in $WC_GUEST_CACHE/kernel-debug-<key>, where the
# key hashes the source package version, the compiler, the fragment and
# this script: a warm run only prints the directory. Layout, as kernel.sh's:
#   boot/vmlinuz-<kver>, lib/modules/<kver> (depmod done),
#   build/ (kbuild tree for out-of-tree modules: make -C build M=...),
#   kernelrelease, build-seconds (the cold build time).
#
# usage: kernel-debug.sh [--config-only <dir>]
#   --config-only writes the resolved .config to <dir> and stops (quick
#   check of the fragment).
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

fragment=$WC_VM_DIR/kernel-debug.config
srcpkg=linux-source-6.12
jobs=${WC_JOBS:-$(nproc)}

wc_need_pkgs gcc make flex bison bc libelf-dev libssl-dev cpio kmod xz-utils

source_version() {
	apt-cache "${WC_APT[@]}" policy "$srcpkg" 2>/dev/null |
		sed -n 's/^ *Candidate: //p' | grep -v '(none)' | head -n1
}

# Unpack the source tarball of the package into <dir>.
unpack_source() { # <version> <dir>
	local ver=$1 dir=$2 debs=$2.debs tarball
	mkdir -p "$debs"
	(cd "$debs" &&
	 apt-get "${WC_APT[@]}" -o APT::Sandbox::User=root download -q \
		"$srcpkg=$ver" >/dev/null) || wc_die "download of $srcpkg=$ver failed"
	dpkg-deb -x "$debs"/*.deb "$debs/x"
	tarball=$(find "$debs/x/usr/src" -maxdepth 1 -name 'linux-source-*.tar.*' | head -n1)
	[ -n "$tarball" ] || wc_die "$srcpkg=$ver holds no source tarball"
	mkdir -p "$dir"
	tar -xf "$tarball" -C "$dir" --strip-components=1
	rm -rf "$debs"
}

# VMAP_PFN is promptless (only the i915 and xe drivers select it) and
# vfio-pci-wc needs vmap_pfn(): give it a prompt in the extracted tree so
# that the fragment can set it. Debian's own kernels have it.
prompt_vmap_pfn() { # <src dir>
	local kconfig=$1/mm/Kconfig
	sed -i '/^config VMAP_PFN$/{n;s/^\tbool$/\tbool "vmap_pfn() for modules"/}' "$kconfig"
	grep -q 'bool "vmap_pfn() for modules"' "$kconfig" ||
		wc_die "cannot give VMAP_PFN a prompt in $kconfig (layout changed?)"
}

kmake() { # <src dir> <make args...>
	local dir=$1
	shift
	make -s -C "$dir" ARCH=x86_64 LOCALVERSION= KBUILD_BUILD_USER=wc \
		KBUILD_BUILD_HOST=wc "$@"
}

# tinyconfig + the fragment; every option of the fragment must hold.
configure() { # <src dir>
	local dir=$1 line opt want got missing=()
	kmake "$dir" tinyconfig >/dev/null
	(cd "$dir" && ARCH=x86_64 scripts/kconfig/merge_config.sh -m .config "$fragment") \
		>"$dir/.merge.log" 2>&1 || { cat "$dir/.merge.log" >&2; wc_die "merge_config failed"; }
	kmake "$dir" olddefconfig >/dev/null
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) opt=${line%%=*} want=$line ;;
		"# CONFIG_"*" is not set") opt=${line#\# } opt=${opt%% *} want=$line ;;
		*) continue ;;
		esac
		got=$(grep -E "^($opt=|# $opt is not set)" "$dir/.config" || true)
		[ -z "$got" ] && [ "${want#\# }" != "$want" ] && continue
		[ "$got" = "$want" ] || missing+=("$want (got: ${got:-unset})")
	done <"$fragment"
	[ ${#missing[@]} -eq 0 ] ||
		wc_die "options of $fragment lost by olddefconfig: ${missing[*]}"
}

# Keep what out-of-tree module builds need (.config, headers, generated
# files, scripts, Module.symvers, objtool), drop the objects.
prune_tree() { # <src dir>
	local dir=$1
	find "$dir" -name '*.o' -delete
	rm -f "$dir/vmlinux" "$dir/vmlinux.a" "$dir/.tmp_vmlinux"* "$dir"/*.a
	rm -rf "$dir/Documentation" "$dir/drivers/gpu" "$dir/sound" \
		"$dir/tools/testing" "$dir/tools/perf"
}

main() {
	local ver key dir tmp start kver
	wc_guest_apt
	ver=$(source_version)
	[ -n "$ver" ] || wc_die "$srcpkg not found in $WC_GUEST_SUITE"
	if [ "${1:-}" = --config-only ]; then
		tmp=$2
		[ -f "$tmp/Makefile" ] || unpack_source "$ver" "$tmp"
		prompt_vmap_pfn "$tmp"
		configure "$tmp"
		echo "$tmp/.config"
		return
	fi
	key=$({
		printf '%s\n' "$srcpkg=$ver" "$(gcc --version | head -n1)"
		cat "$fragment" "$0"
	} | sha256sum | cut -c1-16)
	dir=$WC_GUEST_CACHE/kernel-debug-$key
	if [ ! -f "$dir/.complete" ]; then
		# A lock of its own: the build takes minutes and must not hold
		# up the other users of the guest cache.
		wc_lock "$WC_GUEST_CACHE/.lock-kernel-debug"
	fi
	if [ ! -f "$dir/.complete" ]; then
		start=$SECONDS
		wc_log "building the debug kernel from $srcpkg=$ver (about 12 min on 2 cores)"
		tmp=$dir.tmp
		rm -rf "$tmp"
		unpack_source "$ver" "$tmp/build"
		prompt_vmap_pfn "$tmp/build"
		configure "$tmp/build"
		kmake "$tmp/build" -j"$jobs" bzImage modules >"$tmp/build.log" 2>&1 ||
			{ tail -n 30 "$tmp/build.log" >&2; wc_die "debug kernel build failed (log: $tmp/build.log)"; }
		kver=$(cat "$tmp/build/include/config/kernel.release")
		kmake "$tmp/build" INSTALL_MOD_PATH="$tmp" INSTALL_MOD_STRIP=1 \
			DEPMOD=/sbin/depmod modules_install >/dev/null
		rm -f "$tmp/lib/modules/$kver/build"
		mkdir -p "$tmp/boot"
		cp "$tmp/build/arch/x86/boot/bzImage" "$tmp/boot/vmlinuz-$kver"
		prune_tree "$tmp/build"
		echo "$kver" >"$tmp/kernelrelease"
		echo "$((SECONDS - start))" >"$tmp/build-seconds"
		wc_log "debug kernel $kver built in $((SECONDS - start)) s"
		touch "$tmp/.complete"
		rm -rf "$dir"
		mv "$tmp" "$dir"
		# Older builds (another key) are dropped after two weeks unused.
		find "$WC_GUEST_CACHE" -mindepth 1 -maxdepth 1 -name 'kernel-debug-*' \
			! -name "kernel-debug-$key" -mtime +14 -exec rm -rf {} + 2>/dev/null || true
	fi
	touch "$dir"
	echo "$dir"
}

main "$@"
