#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: the vfio-pci-wc module (kernel/linux/vfio_pci_wc, installed
# through its Debian DKMS package, devtools/guest/dkms-module.sh), its selftests
# (kselftest harness from devtools/get-linux-tools.sh) and the shell
# helpers of the tests/2?-vfio-pci-wc-*.sh guest tests.
set -euo pipefail
. "$(dirname "$0")/../../wc-common.sh"
g=$WC_REPO/devtools/guest
mod=$WC_REPO/kernel/linux/vfio_pci_wc
tools=$("$WC_REPO/devtools/get-linux-tools.sh")

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# The module as a user gets it: the vfio-pci-wc-dkms package installed
# with apt, built and installed by Debian's dkms for the guest kernel.
"$g/dkms-module.sh" "$WC_PAYLOAD_MODULES"

# The selftests: one flat source dir (build-prog.sh puts it on -I)
src=$stage/selftests
mkdir -p "$src/linux"
cp "$mod"/selftests/*.[ch] "$g"/progs/ptecheck_lib.[ch] \
	"$tools"/kselftest_harness.h "$tools"/kselftest.h "$src/"
cp "$WC_REPO"/kernel/linux/uapi/linux/vfio_dmabuf_compat.h "$src/linux/"
for t in "$src"/vfio_pci_wc_*_test.c; do
	name=$(basename "$t" .c)
	"$g/build-prog.sh" "$WC_PAYLOAD_BIN/$name" "$t" \
		"$src/vfio_pci_wc_util.c" "$src/ptecheck_lib.c" \
		-- -Wno-unused-parameter
done
install -m 0644 "$g/vfio-pci-wc.sh" "$WC_PAYLOAD_SHARE/vfio-pci-wc.sh"
