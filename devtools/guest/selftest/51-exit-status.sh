#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: FAIL exit status 3: last line before exit
echo "last line before exit"
exit 3
