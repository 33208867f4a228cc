#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: the page-table check module and the static test programs of
# devtools/guest/progs (ptecheck, vfio-map-bar).
set -euo pipefail
g=$(cd "$(dirname "$0")/.." && pwd)

"$g/build-module.sh" "$g/ptecheck" "$WC_PAYLOAD_MODULES"
for prog in ptecheck vfio-map-bar; do
	"$g/build-prog.sh" "$WC_PAYLOAD_BIN/$prog" "$g/progs/$prog.c" \
		"$g/progs/ptecheck_lib.c"
done
