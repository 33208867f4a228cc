#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 900
# uAPI fuzzer (vfio_pci_wc_fuzz_test): random export, memory
# attribute, revoke, mmap, munmap, access, close, config write, BAR
# read/write and reset operations with valid and invalid arguments; each
# must succeed or fail with a documented errno, and no reservation is left
# after close. 100,000 operations on the debug guest kernel, where the
# checkers watch the kernel side, 20,000 elsewhere. The seed is printed;
# VFIO_WC_SEED replays a run.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all
case "$WC_GUEST_KVER" in
*-wc-debug) export VFIO_WC_FUZZ_OPS="${VFIO_WC_FUZZ_OPS:-100000}" ;;
*) export VFIO_WC_FUZZ_OPS="${VFIO_WC_FUZZ_OPS:-20000}" ;;
esac
wc_selftest vfio_pci_wc_fuzz_test
