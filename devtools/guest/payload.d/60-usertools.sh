#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Payload: the operator tools dpdk-devbind.py and dpdk-pci-wc.py as the
# series has them (the assembled DPDK tree: pristine + overlay + patches),
# the host's Python with only the standard modules they import (found by
# modulefinder, checked by running both in the image root), and lspci,
# which dpdk-devbind.py needs.
set -euo pipefail
. "$(dirname "$0")/../../wc-common.sh"
vm=$WC_REPO/devtools/vm
py=/usr/bin/python3
root=$WC_GUEST_ROOT_DIR
# The host's Python runs in the x86_64 guest only.
[ "${WC_GUEST_ARCH:-x86_64}" = x86_64 ] || exit 0

wc_need_pkgs python3 pciutils
dpdk=$("$WC_REPO/devtools/assemble.sh" | tail -n1)
for tool in dpdk-devbind.py dpdk-pci-wc.py; do
	install -m 0755 "$dpdk/usertools/$tool" "$WC_PAYLOAD_BIN/$tool"
done

exe=$(readlink -f "$py")
"$vm/install-bin.sh" "$root" /usr/bin "$exe" /usr/bin/lspci
ln -sf "${exe##*/}" "$root/usr/bin/python3"
# The tools start with "#!/usr/bin/env python3"; busybox has env in /bin.
[ -e "$root/usr/bin/env" ] || ln -s ../../bin/busybox "$root/usr/bin/env"
stdlib=$("$py" -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')
# The modules the tools import, then those of start-up (site, encodings).
"$py" - "$stdlib" "$WC_PAYLOAD_BIN"/dpdk-*.py <<'PY' |
import modulefinder
import sys

stdlib, scripts = sys.argv[1], sys.argv[2:]
# Imported only on paths the tools never take (help, archives, TLS...).
unused = ["pydoc", "pydoc_data", "doctest", "unittest", "email", "urllib",
          "http", "ssl", "decimal", "_pydecimal", "tarfile", "zipfile",
          "ctypes", "xml", "tkinter", "bz2", "lzma"]
finder = modulefinder.ModuleFinder(excludes=unused)
for script in scripts:
    finder.run_script(script)
for name in ("site", "encodings", "encodings.utf_8", "encodings.ascii",
             "encodings.latin_1", "encodings.aliases"):
    finder.import_hook(name)
for module in finder.modules.values():
    if module.__file__ and module.__file__.startswith(stdlib + "/"):
        print(module.__file__)
PY
	while read -r f; do
		mkdir -p "$root$(dirname "$f")"
		cp "$f" "$root$f"
	done
# Proof that the interpreter starts and every import of the tools resolves
# (loaded as modules: their main() would look at the host's devices).
for tool in dpdk-devbind.py dpdk-pci-wc.py; do
	chroot "$root" /usr/bin/python3 -c "if True:
		import importlib.util as u
		s = u.spec_from_file_location('tool', '/opt/wc/bin/$tool')
		s.loader.exec_module(u.module_from_spec(s))" ||
		wc_die "$tool does not load in the image root"
done
echo "python: $(du -sh "$root$stdlib" | cut -f1) of standard modules"
