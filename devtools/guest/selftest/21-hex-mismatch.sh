#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# expect: FAIL host check: ivshmem\+0x2a000 holds '41424344', expected '41424345'
. /opt/wc/lib.sh
bind_vfio "$WC_BDF_IVSHMEM"
slot=$(ivshmem_slot)
vfio-map-bar "$WC_BDF_IVSHMEM" 2 "$slot" ABCD || fail "vfio-map-bar failed"
host_check_ivshmem "$slot" hex:41424345
