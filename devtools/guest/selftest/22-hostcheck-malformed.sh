#!/bin/sh
# shellcheck shell=dash
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 30
# expect: FAIL malformed host check 'ivshmem 0x1zz \*'
# A host check the host cannot parse fails the test (and a glob in it is
# not expanded on the host).
echo "HOSTCHECK ivshmem 0x1zz *"
