#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: the vfio-pci-wc module's selftests and the DPDK guest tests on
# Debian 12's own Linux 6.1 (module built with the host's gcc-12 and
# headers).
# Measurements (probe cost, perf) run on the default kernel only
# (50-guest).
# parallel: after 10-build
set -uo pipefail
devtools=$(cd "$(dirname "$0")/.." && pwd)
exec bash "$devtools/vm/run-kernel.sh" 6.1 '[1-5]*' '6[0-5]-*'
