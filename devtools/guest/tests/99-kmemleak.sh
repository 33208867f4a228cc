#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# Last test, on a kernel with kmemleak (the debug guest kernel): scan
# twice (an object is reported once it stayed unreferenced over two
# scans) and fail with the first leaked object's allocation trace when
# anything the tests allocated is left unreferenced. SKIP elsewhere.
. /opt/wc/lib.sh

f=/sys/kernel/debug/kmemleak
[ -e "$f" ] || skip "kernel without kmemleak"
echo scan >"$f" || fail "kmemleak scan failed"
sleep 6
echo scan >"$f" || fail "kmemleak scan failed"
cat "$f" >/tmp/kmemleak.out
n=$(grep -c '^unreferenced object' /tmp/kmemleak.out)
[ "$n" -eq 0 ] && { info "no unreferenced object"; exit 0; }
cat /tmp/kmemleak.out
fail "kmemleak: $n unreferenced objects, first: $(grep -m1 '^unreferenced object' /tmp/kmemleak.out) allocated by $(sed -n '/backtrace/,/^unreferenced/p' /tmp/kmemleak.out | grep -v -e backtrace -e kmemleak -e '^unreferenced' -e slab_post_alloc -e kmalloc -e __k | head -n 4 | awk '{print $2}' | tr '\n' ' ')"
