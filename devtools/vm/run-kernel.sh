#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run the guest tests on another guest kernel (WC_GUEST_KERNEL, see
# guest-common.sh) in an output directory of its own
# ($WC_BUILD/guest-<arch>-<kernel>), so that kernels can run side by side.
# Result names are prefixed with the kernel: guest-<kernel>/<test>.
#
# usage: run-kernel.sh <kernel> [test name or glob...]
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

[ $# -ge 1 ] || wc_die "usage: ${0##*/} <kernel> [test name or glob...]"
export WC_GUEST_KERNEL=$1
shift
export WC_GUEST_OUT=$WC_BUILD/guest-${WC_GUEST_ARCH:-x86_64}-$WC_GUEST_KERNEL
bash "$(dirname "$0")/run-tests.sh" "$@" 2>&1 |
	sed -u "s#^\(PASS\|FAIL\|SKIP\): guest/#\1: guest-$WC_GUEST_KERNEL/#"
