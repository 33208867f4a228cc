#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: SKIP deliberately missing prerequisite
. /opt/wc/lib.sh
skip "deliberately missing prerequisite"
