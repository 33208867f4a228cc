#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: the vfio-pci-wc module (kernel/linux/vfio_pci_wc, installed
# through its Debian DKMS package, devtools/vm/dkms-module.sh), its
# selftests (their Makefile, kselftest harness from
# devtools/get-linux-tools.sh).
set -euo pipefail
. "$(dirname "$0")/../../wc-common.sh"
vm=$WC_REPO/devtools/vm
tools=$("$WC_REPO/devtools/get-linux-tools.sh")

stage=$(mktemp -d)
wc_rm_on_exit "$stage"

if [ -n "${WC_GUEST_KDIR:-}" ]; then
	# A locally built kernel (the debug kernel) is no Debian package for
	# dkms to build against: the same source tree DKMS gets, with kbuild.
	make -s -C "$WC_REPO/kernel/linux/vfio_pci_wc" dkms-src \
		DESTDIR="$stage/dkms" >/dev/null
	"$vm/build-module.sh" "$stage"/dkms/usr/src/vfio-pci-wc-* "$WC_PAYLOAD_MODULES"
else
	# The module as a user gets it: the vfio-pci-wc-dkms package
	# installed with apt, built and installed by Debian's dkms for the
	# guest kernel.
	"$vm/dkms-module.sh" "$WC_PAYLOAD_MODULES"
fi

# The selftests, with their own Makefile, from the module's folder and
# the uAPI header next to it (kernel/linux/ as in the exported series).
mkdir -p "$stage/src/kselftest"
cp -a "$WC_REPO/kernel/linux/." "$stage/src/linux/"
cp "$tools"/kselftest_harness.h "$tools"/kselftest.h "$stage/src/kselftest/"
"$vm/build-make.sh" "$stage/src" linux/vfio_pci_wc/selftests "$WC_PAYLOAD_BIN" \
	KSELFTEST_DIR=../../../kselftest EXTRA_CFLAGS=-Werror
