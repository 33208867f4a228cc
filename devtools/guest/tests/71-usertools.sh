#!/bin/sh
# shellcheck shell=dash source=devtools/guest/lib.sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 300
# The operator tools on a real kernel. dpdk-devbind.py binds virtio-net
# to vfio-pci-wc and e1000e to vfio-pci with -b and lists both as using
# a DPDK-compatible driver. dpdk-pci-wc.py probes VFIO features 11/14:
# absent on stock vfio-pci (wc=auto falls back to uncached, with the
# bus's reason), present on vfio-pci-wc (wc=auto maps the prefetchable
# BAR, the MSI-X table found where it is); with dpdk-testpmd running on
# virtio-net (wc=[4:0x3000-0x3fff]) the group is busy, the telemetry of
# testpmd shows the WC segment and the PAT list the WC entry over it.
. /opt/wc/lib.sh
[ "$WC_GUEST_ARCH" = x86_64 ] ||
	skip "the image carries the host's Python (x86_64) only"
need_cmd python3
need_cmd lspci
need_cmd dpdk-pci-wc.py
need_cmd dpdk-devbind.py
load_module vfio-pci-wc

# jq-like: print a Python expression of the JSON document "d" in a file
# (the interpreter's json module, not the tool's code, reads the output)
jget() { # <json file> <expression>
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2" || fail "cannot read '$2' from $1"
}

# pci_wc <name> <args...>: run the diagnostic, text and JSON
pci_wc() {
	local name=$1
	shift
	dpdk-pci-wc.py "$@" >"/tmp/$name.txt" 2>&1 ||
		{ cat "/tmp/$name.txt"; fail "dpdk-pci-wc.py $* failed"; }
	cat "/tmp/$name.txt"
	dpdk-pci-wc.py --json "$@" >"/tmp/$name.json" ||
		fail "dpdk-pci-wc.py --json $* failed"
}

# --- dpdk-devbind.py with a vfio-pci variant driver
unbind_dev "$WC_BDF_VIRTIO"
unbind_dev "$WC_BDF_E1000E"
dpdk-devbind.py -b vfio-pci-wc "$WC_BDF_VIRTIO" || fail "devbind -b vfio-pci-wc failed"
dpdk-devbind.py -b vfio-pci "$WC_BDF_E1000E" || fail "devbind -b vfio-pci failed"
expect_eq "$(dev_driver "$WC_BDF_VIRTIO")" vfio-pci-wc "driver of virtio-net after devbind"
expect_eq "$(dev_driver "$WC_BDF_E1000E")" vfio-pci "driver of e1000e after devbind"
# cleared once bound, so that a later unbind lets the kernel choose again
case $(cat "/sys/bus/pci/devices/$WC_BDF_VIRTIO/driver_override") in
"" | "(null)") ;;
*) fail "driver_override of virtio-net still set after devbind" ;;
esac
dpdk-devbind.py --status-dev net >/tmp/devbind.txt 2>&1 || fail "devbind --status-dev net failed"
cat /tmp/devbind.txt
# The section of DPDK drivers: from its title to the next empty line
awk '/using DPDK-compatible driver/ { on = 1 } on && /^$/ { on = 0 } on' \
	/tmp/devbind.txt >/tmp/devbind.dpdk
grep -q "^$WC_BDF_VIRTIO .* drv=vfio-pci-wc " /tmp/devbind.dpdk ||
	fail "virtio-net on vfio-pci-wc is not listed as using a DPDK-compatible driver"
grep -q "^$WC_BDF_E1000E .* drv=vfio-pci " /tmp/devbind.dpdk ||
	fail "e1000e on vfio-pci is not listed as using a DPDK-compatible driver"

# --- dpdk-pci-wc.py on stock vfio-pci: the interface is probed, absent
bind_vfio "$WC_BDF_IVSHMEM" vfio-pci
pci_wc stock "$WC_BDF_IVSHMEM"
f=/tmp/stock.json
expect_eq "$(jget $f 'd["devices"][0]["driver_kind"]')" vfio-pci "stock: driver kind"
expect_eq "$(jget $f 'd["devices"][0]["interface"]')" \
	"{'probed': True, 'dma_buf': False, 'memattr': False, 'reason': None}" \
	"stock: interface"
expect_eq "$(jget $f '[(b["bar"], b["size"], b["type"], b["prefetchable"]) for b in d["devices"][0]["bars"]]')" \
	"[(0, 256, 'mem32', False), (2, 1048576, 'mem64', True)]" "stock: BARs"
expect_eq "$(jget $f 'd["devices"][0]["wc_auto"]["verdict"]')" \
	"uncached: the kernel cannot export BAR ranges as dma-buf" "stock: wc=auto"
grep -q "^  interface: dma-buf export (VFIO feature 11) no, memory attribute (feature 14) no$" \
	/tmp/stock.txt || fail "stock: no interface line in the text output"

# --- on vfio-pci-wc: present, wc=auto maps BAR2
bind_vfio "$WC_BDF_IVSHMEM" vfio-pci-wc
pci_wc variant "$WC_BDF_IVSHMEM" "$WC_BDF_VIRTIO"
f=/tmp/variant.json
expect_eq "$(jget $f 'd["devices"][0]["driver_kind"]')" "vfio-pci variant" "vfio-pci-wc: driver kind"
expect_eq "$(jget $f '(d["devices"][0]["interface"]["dma_buf"], d["devices"][0]["interface"]["memattr"])')" \
	"(True, True)" "vfio-pci-wc: features 11 and 14"
expect_eq "$(jget $f 'd["devices"][0]["wc_auto"]')" \
	"{'ranges': [{'bar': 2, 'range': '0x0-0xfffff'}], 'why_not': ['BAR0: not prefetchable'], 'kernel': None, 'verdict': 'write-combining'}" \
	"vfio-pci-wc: wc=auto"
# virtio-net's MSI-X table: BAR1 (lspci says where it is too)
expect_eq "$(jget $f '(d["devices"][1]["msix"]["table_bar"], d["devices"][1]["msix"]["table_offset"])')" \
	"(1, 0)" "virtio-net MSI-X table"
lspci -vv -s "${WC_BDF_VIRTIO#0000:}" | grep -q 'Vector table: BAR=1 offset=00000000' ||
	fail "lspci does not agree on the MSI-X table of virtio-net"
expect_eq "$(jget $f 'd["devices"][1]["wc_auto"]["ranges"]')" \
	"[{'bar': 4, 'range': '0x0-0x3fff'}]" "virtio-net: wc=auto"

# --- with testpmd running on virtio-net
mkfifo /tmp/testpmd.in
timeout -s KILL 200 dpdk-testpmd -l 0-1 -n 1 --file-prefix=wc69 \
	-a "$WC_BDF_VIRTIO,wc=[4:0x3000-0x3fff]" -- -i --total-num-mbufs=2048 \
	</tmp/testpmd.in >/tmp/testpmd.out 2>&1 &
tpid=$!
exec 4>/tmp/testpmd.in
i=0
until dpdk-pci-wc.py --json --no-probe "$WC_BDF_VIRTIO" >/tmp/running.json 2>/dev/null &&
		[ "$(jget /tmp/running.json 'len(d["devices"][0]["telemetry"])')" = 1 ]; do
	kill -0 $tpid 2>/dev/null || { cat /tmp/testpmd.out; fail "testpmd exited early"; }
	i=$((i + 1))
	[ $i -lt 60 ] || { cat /tmp/testpmd.out; fail "testpmd's telemetry not seen in 120 s"; }
	sleep 2
done
pci_wc running "$WC_BDF_VIRTIO"
echo quit >&4
exec 4>&-
wait $tpid
cat /tmp/testpmd.out
f=/tmp/running.json
expect_eq "$(jget $f 'd["devices"][0]["telemetry"][0]["pid"]')" "$tpid" "pid of the application"
expect_eq "$(jget $f '[(s["range"], s["requested"], s["effective"]) for s in d["devices"][0]["telemetry"][0]["segments"] if s["bar"] == 4]')" \
	"[('0x0-0x2fff', 'uc', 'uc'), ('0x3000-0x3fff', 'wc', 'wc')]" "testpmd's BAR4 segments"
grep -q "^  interface: not probed: VFIO group [0-9]* is in use by an application$" /tmp/running.txt ||
	fail "the busy group is not reported"
grep -q "^    BAR4 0x3000-0x3fff requested wc effective wc$" /tmp/running.txt ||
	fail "no telemetry line for the WC segment"
expect_eq "$(jget $f '[p for b in d["devices"][0]["bars"] if b["bar"] == 4 for p in b["pat"]]')" \
	"[{'range': '0x3000-0x3fff', 'type': 'write-combining'}]" "PAT entries over BAR4"
grep -q 'Bye' /tmp/testpmd.out || fail "testpmd did not exit cleanly"
unbind_dev "$WC_BDF_IVSHMEM"
