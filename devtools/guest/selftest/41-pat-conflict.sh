#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: FAIL kernel: .*x86/PAT: selftest:1 conflicting memory types
echo "x86/PAT: selftest:1 conflicting memory types fe000000-fe100000 write-combining<->uncached-minus" >/dev/kmsg
