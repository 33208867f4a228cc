#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# expect: FAIL host check: ivshmem\+0x28100 holds '', expected 'WC-[0-9a-f]+-20-pattern-not-written-lost'
# The guest believes it wrote a pattern, but it never reaches the host
# file (written elsewhere): the host check must fail the test.
. /opt/wc/lib.sh
bind_vfio "$WC_BDF_IVSHMEM"
slot=$(ivshmem_slot)
pat=$(run_pattern lost)
vfio-map-bar "$WC_BDF_IVSHMEM" 2 "$slot" "$pat" || fail "vfio-map-bar failed"
host_check_ivshmem "$(printf '0x%x' $((slot + 0x100)))" "$pat"
