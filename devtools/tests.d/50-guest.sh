#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: end-to-end tests in a QEMU guest with real vfio-pci, run by
# devtools/guest/run-tests.sh, which prints its own PASS/FAIL/SKIP lines.
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

runner=$WC_REPO/devtools/guest/run-tests.sh
if [ ! -f "$runner" ]; then
	wc_skip guest "devtools/guest/run-tests.sh does not exist in this tree"
	exit 0
fi
exec bash "$runner"
