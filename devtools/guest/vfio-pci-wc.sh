# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash # busybox ash, like dash, has local
# Shell helpers of the vfio-pci-wc guest tests (busybox sh), sourced after
# /opt/wc/lib.sh.

# wc_bind_all: load vfio-pci-wc and bind ivshmem (the device under test),
# e1000e (non-prefetchable BARs, I/O BAR) and virtio-net (a second device)
# to it.
wc_bind_all() {
	load_module ptecheck
	load_module vfio-pci-wc
	bind_vfio "$WC_BDF_IVSHMEM" vfio-pci-wc
	bind_vfio "$WC_BDF_E1000E" vfio-pci-wc
	bind_vfio "$WC_BDF_VIRTIO" vfio-pci-wc
}

# wc_bind_reset_set: on a machine with the large ivshmem and its second
# function (x86_64), bind both to vfio-pci-wc (they share an IOMMU group,
# which is only usable with both bound) and export the selftests' names
# for them; elsewhere nothing.
wc_bind_reset_set() {
	[ -d "/sys/bus/pci/devices/$WC_BDF_VIRTIO_FLR" ] || return 0
	bind_vfio "$WC_BDF_IVSHMEM_LARGE" vfio-pci-wc
	bind_vfio "$WC_BDF_VIRTIO_FLR" vfio-pci-wc
	export VFIO_WC_FLR_BDF="$WC_BDF_VIRTIO_FLR" VFIO_WC_SIBLING_BDF="$WC_BDF_IVSHMEM_LARGE"
}

# wc_selftest <binary> [bdf]: run one selftest binary on ivshmem (or the
# device <bdf>) with the environment of the other devices and the test's
# ivshmem slot (unless VFIO_WC_SLOT names another offset), show the harness
# output, fail unless its KTAP output has every planned case and none
# failed, and it exited 0.
wc_selftest() {
	local bin=$1 out=/tmp/$1.out rc res
	need_cmd "$bin"
	VFIO_WC_OTHER_BDF=$WC_BDF_VIRTIO VFIO_WC_NONPREF_BDF=$WC_BDF_E1000E \
		VFIO_WC_SLOT=${VFIO_WC_SLOT:-$(ivshmem_slot)} \
		"$bin" "${2:-$WC_BDF_IVSHMEM}" >"$out" 2>&1
	rc=$?
	cat "$out"
	res=$(ktap_results "$out") || fail "$bin: $res"
	[ $rc -eq 0 ] || fail "$bin: exit status $rc ($res)"
	info "$bin: $res"
}

# wc_pat_lines <bdf> <bar>: pat_memtype_list lines inside that BAR (none
# where there is no PAT list)
wc_pat_lines() {
	has_pat_list || return 0
	# shellcheck disable=SC2046 # the resource line splits into its fields
	set -- $(sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource")
	pat_list "$1" "$2" | cut -d' ' -f3-
}
