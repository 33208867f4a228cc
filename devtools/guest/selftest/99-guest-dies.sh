#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: FAIL no result: the guest stopped during the test
# expect-boot: FAIL the guest did not finish
# The guest powers off in the middle of a test: no result is a failure.
poweroff -f
