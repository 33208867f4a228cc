#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: end-to-end tests in a QEMU guest with real vfio-pci
# (devtools/vm/run-tests.sh) and the guest harness's self-test
# (devtools/vm/selftest.sh: deliberately broken tests must fail). Both
# print their own PASS/FAIL/SKIP lines; checkpatch of the guest's ptecheck
# module is in the lint stage. WC_GUEST_SELFTEST=0 skips the self-test.
# parallel: after 10-build
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"
vm=$WC_REPO/devtools/vm

# In the background so that SIGINT/SIGTERM reach them through the trap.
rc=0
wc_bg bash "$vm/run-tests.sh"
wc_wait "$WC_BG_PID" || rc=1
if [ "${WC_GUEST_SELFTEST:-1}" != 0 ]; then
	wc_bg bash "$vm/selftest.sh"
	wc_wait "$WC_BG_PID" || rc=1
fi

exit $rc
