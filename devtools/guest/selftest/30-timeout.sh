#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 3
# expect: FAIL timed out after 3s
# A hanging test (and the child it left behind) is killed at its timeout.
sleep 100 &
sleep 100
