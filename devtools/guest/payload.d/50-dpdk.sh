#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: dpdk-testpmd and dpdk-test from the project's DPDK build
# ($WC_BUILD/dpdk/build; build-arm64, cross-built, for the arm64 guest),
# brought up to date with devtools/build.sh.
# Tests find the reason in $WC_SHARE/dpdk.missing when it is not shipped.
set -euo pipefail
. "$(dirname "$0")/../../wc-common.sh"
vm=$WC_REPO/devtools/vm
case ${WC_GUEST_ARCH:-x86_64} in
arm64) build_args=(--cross arm64) app=$WC_BUILD/dpdk/build-arm64/app ;;
*) build_args=() app=$WC_BUILD/dpdk/build/app ;;
esac
bins=("$app/dpdk-testpmd" "$app/test/dpdk-test")

missing() {
	local b
	for b in "${bins[@]}"; do
		[ -x "$b" ] || return 0
	done
	return 1
}

if [ ! -f "$WC_REPO/devtools/build.sh" ]; then
	echo "devtools/build.sh is missing, DPDK cannot be built" |
		tee "$WC_PAYLOAD_SHARE/dpdk.missing"
	exit 1
fi
# Incremental: a no-op when the build is up to date, and the guest never
# runs binaries older than the sources.
bash "$WC_REPO/devtools/build.sh" "${build_args[@]}" || {
	echo "devtools/build.sh failed" | tee "$WC_PAYLOAD_SHARE/dpdk.missing"
	exit 1
}
if missing; then
	echo "devtools/build.sh did not produce ${bins[*]##*/}" |
		tee "$WC_PAYLOAD_SHARE/dpdk.missing"
	exit 1
fi
"$vm/install-bin.sh" "$WC_GUEST_ROOT_DIR" /opt/wc/bin "${bins[@]}"
