#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# expect: PASS
# Positive control: bytes stored through VFIO pass the string and the hex
# form of the host check.
. /opt/wc/lib.sh
bind_vfio "$WC_BDF_IVSHMEM"
slot=$(ivshmem_slot)
vfio-map-bar "$WC_BDF_IVSHMEM" 2 "$slot" "ABC-$WC_RUN_ID" || fail "vfio-map-bar failed"
host_check_ivshmem "$slot" "ABC-$WC_RUN_ID"
host_check_ivshmem "$slot" hex:414243
