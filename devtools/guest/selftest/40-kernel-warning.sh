#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: FAIL kernel: .*WARNING: CPU: 0 PID: 1 at harness self-test
# A test that exits 0 still fails when the kernel warned while it ran.
echo "WARNING: CPU: 0 PID: 1 at harness self-test" >/dev/kmsg
