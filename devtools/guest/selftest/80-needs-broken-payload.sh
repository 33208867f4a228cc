#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# expect: SKIP wc-broken-tool not in the image \(failed payloads: 90-broken: build failed: deliberately broken payload
# A test that needs a program of a payload that failed SKIPs with the
# payload's reason; the helpers of the DPDK tests are in the image even
# though their payload is not.
. /opt/wc/lib.sh
. /opt/wc/share/dpdk-wc.sh
need_cmd wc-broken-tool
fail "need_cmd found a program no payload ships"
