#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: end-to-end tests in a QEMU guest with real vfio-pci
# (devtools/guest/run-tests.sh), the guest harness's self-test
# (devtools/guest/selftest.sh: deliberately broken tests must fail) and
# checkpatch --strict on the guest's ptecheck module. All print their own
# PASS/FAIL/SKIP lines. WC_GUEST_SELFTEST=0 skips the self-test.
set -uo pipefail
devtools=$(cd "$(dirname "$0")/.." && pwd)
guest=$devtools/guest

rc=0
bash "$guest/run-tests.sh" || rc=1
if [ "${WC_GUEST_SELFTEST:-1}" != 0 ]; then
	bash "$guest/selftest.sh" || rc=1
fi

if tools=$(bash "$devtools/get-linux-tools.sh" 2>/dev/null); then
	if out=$(perl "$tools/checkpatch.pl" --strict --no-tree --terse -f \
		"$guest"/ptecheck/*.[ch] "$guest/ptecheck/Kbuild" 2>&1); then
		echo "PASS: guest/ptecheck/checkpatch"
	else
		echo "$out"
		echo "FAIL: guest/ptecheck/checkpatch: checkpatch --strict reports problems"
		rc=1
	fi
else
	echo "FAIL: guest/ptecheck/checkpatch: cannot get checkpatch.pl (devtools/get-linux-tools.sh)"
	rc=1
fi
exit $rc
