#!/bin/sh
# shellcheck shell=dash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 3
# expect: FAIL no result: the guest stopped during the test \(guest killed: no progress for 8s in 10-guest-hangs\)
# expect-boot: FAIL the guest did not finish
# The guest stops making progress (here: the test kills the watchdog that
# enforces its timeout): the host must kill the guest and fail the test.
# selftest.sh runs this alone with WC_GUEST_HANG_GRACE=5.
for pid in $(pidof timeout); do
	kill -KILL "$pid"
done
sleep 1000
