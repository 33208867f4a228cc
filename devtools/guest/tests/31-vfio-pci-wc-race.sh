#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 400
# Seeded, time-bounded races of the dma-buf life cycle against the paths
# that zap its mappings (vfio_pci_wc_race_test). Meant for the debug guest
# kernel, where a use-after-free or lock problem is a KASAN or lockdep
# report that fails the test; 20 s per race there, 3 s elsewhere. The seed
# is printed; VFIO_WC_SEED replays it.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
# Under arm64 TCG the other device's fault ends before the revoke in every
# round, so the cross-device stall case has no round that proves anything.
[ "$WC_GUEST_ARCH" = x86_64 ] ||
	skip "the cross-device stall race has no proving round under arm64 TCG"
wc_bind_all
# The debug kernel is slow: more time, and more held dma-bufs so that a
# zap's walk is long enough for a release to land in it
case "$WC_GUEST_KVER" in
*-wc-debug)
	export VFIO_WC_SECONDS="${VFIO_WC_SECONDS:-20}" VFIO_WC_HELD="${VFIO_WC_HELD:-1500}" ;;
*) export VFIO_WC_SECONDS="${VFIO_WC_SECONDS:-3}" ;;
esac
wc_selftest vfio_pci_wc_race_test
