#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: testpmd still builds where the PCI bus is not built. 22.11
# cannot disable bus/pci (it is always enabled), so the check compiles
# testpmd's config.c, the file that shows the write-combining segments,
# with the build's own command and a build configuration without
# RTE_BUS_PCI, and checks that the object refers to no PCI bus symbol.
# Takes a few seconds.
# parallel: after 10-build
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

name=build/testpmd-without-bus-pci
dir=$WC_BUILD/dpdk/build
db=$dir/compile_commands.json
[ -f "$db" ] || { wc_fail "$name" "no $db (see stage 10-build)"; exit 0; }
out=$WC_BUILD/no-bus-pci
rm -rf "$out"
mkdir -p "$out/include"
grep -v '^#define RTE_BUS_PCI\b' "$dir/rte_build_config.h" >"$out/include/rte_build_config.h"
grep -q '^#define RTE_BUS_PCI\b' "$dir/rte_build_config.h" ||
	{ wc_fail "$name" "the build defines no RTE_BUS_PCI: nothing to compare"; exit 0; }

cmd=$(python3 - "$db" "$out" <<'PY'
import json, shlex, sys
db, out = sys.argv[1], sys.argv[2]
for e in json.load(open(db)):
    if e['file'].endswith('app/test-pmd/config.c'):
        args = shlex.split(e['command'])
        args = [a for a in args if a != 'ccache']
        i = args.index('-o')
        args[i + 1] = out + '/config.o'
        # the configuration without RTE_BUS_PCI comes first
        args.insert(1, '-I' + out + '/include')
        # no dependency file: drop -MD, and -MQ/-MF with their argument
        keep = []
        skip = False
        for a in args:
            if skip:
                skip = False
            elif a in ('-MQ', '-MF'):
                skip = True
            elif a != '-MD':
                keep.append(a)
        args = keep
        print(e['directory'])
        print(shlex.join(args))
        break
PY
)
[ -n "$cmd" ] || { wc_fail "$name" "config.c not in $db"; exit 0; }
cdir=$(sed -n 1p <<<"$cmd")
ccmd=$(sed -n 2p <<<"$cmd")
if ! (cd "$cdir" && eval "$ccmd") >"$out/cc.log" 2>&1; then
	wc_indent <"$out/cc.log"
	wc_fail "$name" "config.c does not compile without RTE_BUS_PCI"
	exit 0
fi
syms=$(nm -u "$out/config.o" | awk '{ print $2 }' | grep -E '^rte_pci_' || true)
if [ -n "$syms" ]; then
	wc_fail "$name" "config.c without RTE_BUS_PCI still uses $(echo "$syms" | tr '\n' ' ')"
else
	wc_pass "$name"
fi
