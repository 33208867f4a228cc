#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: the page-table check module and the static test programs of
# devtools/guest/progs (ptecheck, vfio-map-bar), with the ptecheck helper of
# the module selftests.
set -euo pipefail
g=$(cd "$(dirname "$0")/.." && pwd) vm=$g/../vm

"$vm/build-module.sh" "$g/ptecheck" "$WC_PAYLOAD_MODULES"
for prog in ptecheck vfio-map-bar; do
	"$vm/build-prog.sh" "$WC_PAYLOAD_BIN/$prog" "$g/progs/$prog.c" \
		"$g/../../kernel/linux/vfio_pci_wc/selftests/ptecheck_lib.c"
done
