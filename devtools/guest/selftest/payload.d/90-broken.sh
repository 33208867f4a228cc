#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# expect: FAIL build failed: deliberately broken payload
# A payload that fails: reported once, and the test that needs what it
# would ship (80-needs-broken-payload) SKIPs with its reason.
echo "deliberately broken payload"
exit 1
