#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: the vfio-pci-wc module's selftests and the DPDK guest tests on
# trixie-backports' Linux 7.3 (module built with gcc-14 against its
# headers), including DPDK on stock vfio-pci there, whose dma-buf export
# (feature 11) has no memory attribute. Measurements (probe cost, perf)
# run on the default kernel only (50-guest).
# parallel: after 10-build
set -uo pipefail
devtools=$(cd "$(dirname "$0")/.." && pwd)
exec bash "$devtools/vm/run-kernel.sh" 7.3 '[1-5]*' '6[0-5]-*'
