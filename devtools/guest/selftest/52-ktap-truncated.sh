#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: FAIL kselftest: 2 cases: 2 passed, 0 skipped, 0 failed; 3 planned
# KTAP output that ends before its plan is done (the program died after
# two cases) fails, though every case it printed is "ok".
. /opt/wc/lib.sh
printf 'TAP version 13\n1..3\nok 1 a.one\nok 2 a.two\n' >/tmp/ktap.out
res=$(ktap_results /tmp/ktap.out) || fail "kselftest: $res"
