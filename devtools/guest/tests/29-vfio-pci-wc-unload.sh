#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# After the selftests, no PAT memtype entry is left in ivshmem BAR2, and
# vfio-pci-wc unloads cleanly once its devices are unbound.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all
has_pat_list || info "no PAT list on $WC_GUEST_ARCH: the unload is checked"

left=$(wc_pat_lines "$WC_BDF_IVSHMEM" 2)
[ -z "$left" ] || fail "memtype entries left in ivshmem BAR2: $left"
for bdf in "$WC_BDF_IVSHMEM" "$WC_BDF_E1000E" "$WC_BDF_VIRTIO"; do
	unbind_dev "$bdf"
done
rmmod vfio_pci_wc || fail "rmmod vfio_pci_wc failed: $(dmesg | tail -n 2 | tr '\n' ' ')"
grep -q '^vfio_pci_wc ' /proc/modules && fail "vfio_pci_wc still loaded"
left=$(wc_pat_lines "$WC_BDF_IVSHMEM" 2)
[ -z "$left" ] || fail "memtype entries left after unload: $left"
info "no memtype entry in ivshmem BAR2, module unloaded"
