#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: dpdk-testpmd and dpdk-test from the project's DPDK build
# ($WC_BUILD/dpdk/build; build-arm64, cross-built, for the arm64 guest),
# brought up to date with devtools/build.sh.
set -euo pipefail
. "$(dirname "$0")/../../wc-common.sh"
vm=$WC_REPO/devtools/vm
case ${WC_GUEST_ARCH:-x86_64} in
arm64) build_args=(--cross arm64) app=$WC_BUILD/dpdk/build-arm64/app ;;
*) build_args=() app=$WC_BUILD/dpdk/build/app ;;
esac
bins=("$app/dpdk-testpmd" "$app/test/dpdk-test")

# Incremental: a no-op when the build is up to date, and the guest never
# runs binaries older than the sources.
bash "$WC_REPO/devtools/build.sh" "${build_args[@]}" ||
	wc_die "devtools/build.sh${build_args[*]:+ ${build_args[*]}} failed"
for b in "${bins[@]}"; do
	[ -x "$b" ] || wc_die "devtools/build.sh did not produce $b"
done
"$vm/install-bin.sh" "$WC_GUEST_ROOT_DIR" /opt/wc/bin "${bins[@]}"
