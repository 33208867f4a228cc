#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: the guest tests on the arm64 test guest (qemu-system-aarch64 TCG,
# virt + SMMUv3 + GICv3, Debian trixie's arm64 kernel): the same test
# files and result protocol as 50-guest, with vfio-pci-wc, ptecheck and
# the test programs cross-built in the trixie build root and DPDK
# cross-built for aarch64 (devtools/build.sh --cross arm64). Results are
# named guest-arm64/<name>; a test that does not apply to arm64 prints
# SKIP with the reason. Artefacts in $WC_BUILD/guest-arm64-6.12.
# parallel: after 10-build
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

export WC_GUEST_ARCH=arm64
export WC_GUEST_OUT=${WC_GUEST_OUT_ARM64:-$WC_BUILD/guest-arm64-6.12}

bash "$WC_REPO/devtools/vm/run-tests.sh" |
	sed -u -E 's#^(PASS|FAIL|SKIP): guest/#\1: guest-arm64/#'
