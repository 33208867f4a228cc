#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: FAIL host script: ivshmem file has no HOSTSCRIPT-MARK
# The companion 70-host-script.host runs on the host and fails.
echo "guest side passes"
