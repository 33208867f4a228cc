#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: FAIL deliberate failure with a reason
. /opt/wc/lib.sh
fail "deliberate failure with a reason"
