#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Build the guest image: an initramfs with busybox, the guest kernel's
# modules the tests need, the payloads (devtools/guest/payload.d/*.sh:
# test programs, modules, DPDK binaries), the tests and the init script.
#
# usage: mkimage.sh [test name or glob...]   (default: every test)
# Output in $WC_GUEST_OUT/image: initramfs.cpio, vmlinuz, payload.results
# (one PASS/FAIL/SKIP line per payload). Prints the image directory.
set -euo pipefail
. "$(dirname "$0")/../wc-common.sh"
. "$(dirname "$0")/guest-common.sh"

# Stock modules loaded at boot, with their dependencies: VFIO, UIO (binds
# only through driver_override) and the kernel drivers the devices start
# on (tests unbind them from these).
WC_GUEST_MODULES=(vfio vfio_iommu_type1 vfio-pci uio_pci_generic virtio_net e1000e)
# ...of which these may be missing from a kernel (the debug kernel has no
# UIO): the tests that need them fail or skip on their own.
WC_GUEST_MODULES_OPTIONAL=" uio_pci_generic "

img=$WC_GUEST_OUT/image
root=$img/root

select_tests() { # <patterns...>: prints the selected test files
	local t name p
	for t in "$WC_GUEST_TESTS_DIR"/[0-9][0-9]-*.sh; do
		name=$(basename "$t" .sh)
		if [ $# -eq 0 ]; then
			echo "$t"
			continue
		fi
		for p in "$@"; do
			# shellcheck disable=SC2254 # patterns are globs on purpose
			case $name in $p | $p.sh | "$p"*) echo "$t"; break ;; esac
		done
	done
}

# busybox of the guest suite and architecture, fetched once into the
# cache, for a guest architecture the host cannot run: prints its path.
guest_busybox() {
	local dir=$WC_GUEST_CACHE/busybox-$WC_GUEST_SUITE-$WC_GUEST_DEBARCH debs
	if [ ! -x "$dir/usr/bin/busybox" ]; then
		wc_guest_apt
		debs=$(mktemp -d)
		(cd "$debs" && apt-get "${WC_APT[@]}" -o APT::Sandbox::User=root \
			download -q busybox-static >/dev/null) ||
			wc_die "download of busybox-static ($WC_GUEST_DEBARCH) failed"
		rm -rf "$dir.tmp"
		dpkg-deb -x "$debs"/*.deb "$dir.tmp"
		rm -rf "$debs" "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir/usr/bin/busybox"
}

install_busybox() {
	local bb=/bin/busybox applet
	wc_need_pkgs busybox-static
	mkdir -p "$root/bin"
	if [ "$WC_GUEST_DEBARCH" = "$(dpkg --print-architecture)" ]; then
		cp "$bb" "$root/bin/busybox"
	else
		cp "$(guest_busybox)" "$root/bin/busybox"
	fi
	# The applet list of the host's busybox (a guest one cannot run
	# here); an applet the guest's lacks only fails when used.
	for applet in $("$bb" --list); do
		[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
	done
}

# Resolve the stock modules with modprobe and install them decompressed
# (busybox insmod does not decompress); the load order goes to
# /etc/wc-modules.
install_modules() { # <kernel dir>
	local kdir=$1 m line path rel dest
	local moddir=$kdir/lib/modules/$WC_GUEST_KVER
	: >"$root/etc/wc-modules"
	for m in "${WC_GUEST_MODULES[@]}" "${WC_GUEST_ARCH_MODULES[@]}"; do
		modprobe -d "$kdir" -S "$WC_GUEST_KVER" --show-depends "$m" 2>/dev/null ||
			case $WC_GUEST_MODULES_OPTIONAL in
			*" $m "*) wc_log "no module $m for $WC_GUEST_KVER, left out" ;;
			*) wc_die "cannot resolve module $m for $WC_GUEST_KVER" ;;
			esac
	done | while read -r line; do
		case $line in builtin*) continue ;; esac
		path=$(echo "$line" | awk '{ print $2 }')
		# modprobe prints the path below the -d dir it was given.
		[ -e "$path" ] || path=$kdir/$path
		rel=${path#"$kdir"/}
		rel=${rel#usr/}
		rel=${rel%.xz}
		rel=${rel%.zst}
		grep -qx "/$rel" "$root/etc/wc-modules" && continue
		dest=$root/$rel
		mkdir -p "$(dirname "$dest")"
		case $path in
		*.xz) xz -dc "$path" >"$dest" ;;
		*.zst) zstd -qdc "$path" >"$dest" ;;
		*) cp "$path" "$dest" ;;
		esac
		echo "/$rel" >>"$root/etc/wc-modules"
	done
	[ -s "$root/etc/wc-modules" ] || wc_die "no modules resolved in $moddir"
}

# WC_GUEST_PAYLOADS: names or globs of the payloads to build (default all).
payload_selected() { # <name>
	local p
	[ -n "${WC_GUEST_PAYLOADS:-}" ] || return 0
	for p in $WC_GUEST_PAYLOADS; do
		# shellcheck disable=SC2254 # patterns are globs on purpose
		case $1 in $p) return 0 ;; esac
	done
	return 1
}

# Each payload script builds what it ships into WC_PAYLOAD_{BIN,MODULES,
# SHARE}; a failing payload is reported and the image is built without it,
# its reason in /opt/wc/share/payloads.failed for the tests that then SKIP.
# A tests folder may have payloads of its own (the harness's self-test).
run_payloads() {
	local p name log
	: >"$img/payload.results"
	mkdir -p "$img/payload-logs"
	for p in "$WC_GUEST_DIR"/payload.d/*.sh "$WC_GUEST_TESTS_DIR"/payload.d/*.sh; do
		[ -e "$p" ] || continue
		name=$(basename "$p" .sh)
		payload_selected "$name" || continue
		log=$img/payload-logs/$name.log
		if WC_PAYLOAD_NAME=$name WC_GUEST_ROOT_DIR=$root \
		   WC_PAYLOAD_BIN=$root/opt/wc/bin \
		   WC_PAYLOAD_MODULES=$root/opt/wc/modules \
		   WC_PAYLOAD_SHARE=$root/opt/wc/share \
		   bash "$p" >"$log" 2>&1; then
			wc_pass "guest/payload/$name" >>"$img/payload.results"
		else
			wc_fail "guest/payload/$name" "build failed: $(tail -n1 "$log") (log: $log)" \
				>>"$img/payload.results"
		fi
	done
	sed -n 's|^FAIL: guest/payload/||p' "$img/payload.results" \
		>"$root/opt/wc/share/payloads.failed"
}

write_env() {
	cat >"$root/etc/wc-guest.env" <<ENV
WC_GUEST_ARCH=$WC_GUEST_ARCH
WC_GUEST_KVER=$WC_GUEST_KVER
WC_GUEST_RESULT_TTY=$WC_GUEST_RESULT_TTY
WC_BDF_IVSHMEM=$WC_BDF_IVSHMEM
WC_BDF_VIRTIO=$WC_BDF_VIRTIO
WC_BDF_E1000E=$WC_BDF_E1000E
WC_BDF_IVSHMEM_LARGE=$WC_BDF_IVSHMEM_LARGE
WC_BDF_VIRTIO_FLR=$WC_BDF_VIRTIO_FLR
WC_MODULES=/opt/wc/modules
WC_SHARE=/opt/wc/share
ENV
}

main() {
	local kdir tests t start=$SECONDS
	wc_need_pkgs kmod xz-utils zstd cpio
	wc_guest_resolve_kernel
	kdir=$("$WC_VM_DIR/kernel.sh")
	mapfile -t tests < <(select_tests "$@")
	[ ${#tests[@]} -gt 0 ] || wc_die "no guest test matches: $*"

	rm -rf "$root"
	mkdir -p "$root"/{etc,proc,sys,dev,tmp,run,var,opt/wc/bin,opt/wc/modules,opt/wc/share,opt/wc/tests}
	ln -s ../run "$root/var/run"
	install_busybox
	install_modules "$kdir"
	export WC_GUEST_KVER WC_GUEST_KPKGVER
	run_payloads
	for t in "${tests[@]}"; do
		cp "$t" "$root/opt/wc/tests/"
	done
	cp "$WC_GUEST_DIR/lib.sh" "$WC_GUEST_DIR/parse.sh" "$root/opt/wc/"
	# The tests' shell helpers, also when the payload of what they run
	# failed: the tests then SKIP at need_cmd or load_module.
	cp "$WC_GUEST_DIR/dpdk-wc.sh" "$WC_GUEST_DIR/vfio-pci-wc.sh" "$root/opt/wc/share/"
	cp "$WC_GUEST_DIR/init" "$root/init"
	chmod +x "$root/init"
	write_env
	cp "$kdir/boot/vmlinuz-$WC_GUEST_KVER" "$img/vmlinuz"
	# Uncompressed: unpacking a compressed image under TCG costs more time
	# than loading the bigger file.
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc --quiet) >"$img/initramfs.cpio"
	wc_log "image: $(du -h "$img/initramfs.cpio" | cut -f1), ${#tests[@]} tests, $((SECONDS - start)) s"
	echo "$img"
}

main "$@"
