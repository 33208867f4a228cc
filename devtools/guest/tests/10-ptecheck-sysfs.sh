#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# The page-table check tells the attributes apart: mapping ivshmem BAR2
# through sysfs resource2_wc gives a WC entry (arm64: Normal-NC),
# resource2 a UC- entry (arm64: Device-nGnRE), and the bytes stored
# through both reach the host's ivshmem file.
. /opt/wc/lib.sh
need_cmd ptecheck
load_module ptecheck
unbind_dev "$WC_BDF_IVSHMEM"

slot=$(ivshmem_slot)
wc_pat=$(run_pattern wc)
uc_pat=$(run_pattern uc)
uc_off=$(printf '0x%x' $((slot + 0x1000)))

ptecheck "$WC_BDF_IVSHMEM" resource2_wc --offset "$slot" --write "$wc_pat" \
	--expect "$WC_ATTR_WC" --expect-level pte ||
	fail "resource2_wc mapping is not $WC_ATTR_WC"
host_check_ivshmem "$slot" "$wc_pat"
ptecheck "$WC_BDF_IVSHMEM" resource2 --offset "$uc_off" --write "$uc_pat" \
	--expect "$WC_ATTR_UC_SYSFS" || fail "resource2 mapping is not $WC_ATTR_UC_SYSFS"
host_check_ivshmem "$uc_off" "$uc_pat"
