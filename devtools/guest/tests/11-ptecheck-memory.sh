#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# The page-table check on ordinary memory: a 4K anonymous page and a 2 MiB
# hugetlb page (a PMD leaf, whose x86 PAT bit sits elsewhere) are both WB
# (arm64: Normal write-back).
. /opt/wc/lib.sh
need_cmd ptecheck
load_module ptecheck

ptecheck --anon --expect "$WC_ATTR_WB" --expect-level pte ||
	fail "anonymous 4K page is not a $WC_ATTR_WB pte"
ptecheck --anon --huge --expect "$WC_ATTR_WB" --expect-level pmd ||
	fail "2 MiB hugetlb page is not a $WC_ATTR_WB pmd"
