#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# On a kernel with kmemleak (the debug guest kernel), forget what the boot
# left unreferenced, so that 99-kmemleak charges only what the tests
# leaked. SKIP on kernels without kmemleak.
. /opt/wc/lib.sh

f=/sys/kernel/debug/kmemleak
[ -e "$f" ] || skip "kernel without kmemleak"
echo scan >"$f" || fail "kmemleak scan failed"
info "boot leftovers: $(grep -c '^unreferenced object' "$f") objects (cleared)"
echo clear >"$f" || fail "kmemleak clear failed"
