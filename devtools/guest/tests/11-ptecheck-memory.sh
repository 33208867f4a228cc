#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 60
# The page-table check on ordinary memory: a 4K anonymous page and a 2 MiB
# hugetlb page (a PMD leaf, whose PAT bit sits elsewhere) are both WB.
. /opt/wc/lib.sh
need_cmd ptecheck
load_module ptecheck

ptecheck --anon --expect WB --expect-level pte || fail "anonymous 4K page is not a WB pte"
ptecheck --anon --huge --expect WB --expect-level pmd || fail "2 MiB hugetlb page is not a WB pmd"
