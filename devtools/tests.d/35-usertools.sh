#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Stage: the operator tools of usertools/ on the host. dpdk-pci-wc.py
# against fixture sysfs trees, a PAT list and a fake telemetry socket
# (devtools/usertools-test.py), and flake8 on the new Python files
# (79 columns, as DPDK's .editorconfig asks for Python). The tools on a
# real kernel are tested in the guest (tests/71-usertools.sh). About 2 s.
# parallel: yes
set -uo pipefail
. "$(dirname "$0")/../wc-common.sh"

# Debian's interpreter: it has the packaged flake8 (PATH may hold another)
py=/usr/bin/python3
wc_need_pkgs python3 python3-flake8 >/dev/null
tool=$WC_REPO/usertools/dpdk-pci-wc.py
log=$WC_BUILD/logs/usertools
mkdir -p "$log"

if "$py" "$WC_REPO/devtools/usertools-test.py" "$tool" >"$log/test.log" 2>&1; then
	wc_pass "usertools/dpdk-pci-wc-fixtures ($(grep -m1 '^Ran ' "$log/test.log"))"
else
	grep -E '^(FAIL|ERROR):' "$log/test.log" | wc_indent
	wc_fail usertools/dpdk-pci-wc-fixtures "$(tail -n1 "$log/test.log") (log: $log/test.log)"
fi

if "$py" -m flake8 "$tool" "$WC_REPO/devtools/usertools-test.py" >"$log/flake8.log" 2>&1; then
	wc_pass usertools/flake8
else
	wc_indent <"$log/flake8.log"
	wc_fail usertools/flake8 "$(wc -l <"$log/flake8.log") findings (log: $log/flake8.log)"
fi
