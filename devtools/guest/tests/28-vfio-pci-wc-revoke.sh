#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 120
# Reset, memory decode off and low power zap WC dma-buf mappings, which
# fault back WC; revoke and device close make them fault SIGBUS and free
# every WC reservation.
. /opt/wc/lib.sh
. /opt/wc/share/vfio-pci-wc.sh
wc_bind_all
wc_selftest vfio_pci_wc_revoke_test
