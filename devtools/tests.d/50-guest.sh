#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: end-to-end tests in a QEMU guest with real vfio-pci
# (devtools/guest/run-tests.sh) and the guest harness's self-test
# (devtools/guest/selftest.sh: deliberately broken tests must fail). Both
# print their own PASS/FAIL/SKIP lines; checkpatch of the guest's ptecheck
# module is in the lint stage. WC_GUEST_SELFTEST=0 skips the self-test.
# parallel: after 10-build
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
guest=$WC_REPO/devtools/guest

# In the background so that SIGINT/SIGTERM reach them through the trap.
rc=0
wc_bg bash "$guest/run-tests.sh"
wc_wait "$WC_BG_PID" || rc=1
if [ "${WC_GUEST_SELFTEST:-1}" != 0 ]; then
	wc_bg bash "$guest/selftest.sh"
	wc_wait "$WC_BG_PID" || rc=1
fi

exit $rc
