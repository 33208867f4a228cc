#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 WC Team
"""
Host-side test of usertools/dpdk-pci-wc.py on fixture trees: a sysfs
with a vfio-pci-wc, a stock vfio-pci, a UIO and an unbound device, a PAT
memory type list and a fake DPDK telemetry socket. What needs a real
kernel (VFIO feature probing) is tested in the guest (tests/71-usertools.sh).

usage: usertools-test.py <path of dpdk-pci-wc.py>
"""

import contextlib
import importlib.util
import io
import json
import os
import socket
import struct
import sys
import tempfile
import threading
import unittest

TOOL = None

WC = "0000:01:00.0"      # vfio-pci-wc, MSI-X table in its prefetchable BAR
STOCK = "0000:00:03.0"   # vfio-pci
UIO = "0000:00:04.0"     # uio_pci_generic, non-prefetchable BARs only
NONE = "0000:00:05.0"    # no driver, no memory BAR (left out by default)

PAT = """\
PAT memtype list:
PAT: [mem 0x00000000fe000000-0x00000000fe002000] write-combining
PAT: [mem 0x00000000fe003000-0x00000000fe100000] uncached-minus
PAT: [mem 0x00000000fe100000-0x00000000fe104000] uncached-minus
PAT: [mem 0x00000000fe200000-0x00000000fe201000] write-back
"""


def resource_lines(bars):
    """sysfs resource text: 6 BAR lines, then ROM and bridge windows."""
    lines = []
    for i in range(13):
        start, size, flags = bars.get(i, (0, 0, 0))
        end = start + size - 1 if size else 0
        lines.append("0x%016x 0x%016x 0x%016x" % (start, end, flags))
    return "\n".join(lines) + "\n"


def config_space(msix=None):
    """256 bytes of configuration space, with an MSI-X capability at 0x50
    (after a power management one at 0x40) when msix=(bar, offset,
    entries)."""
    cfg = bytearray(256)
    if msix is None:
        return bytes(cfg)
    bar, offset, entries = msix
    struct.pack_into("<H", cfg, 0x06, 0x10)        # status: capability list
    cfg[0x34] = 0x40
    cfg[0x40:0x42] = bytes([0x01, 0x50])           # PM, next 0x50
    cfg[0x50:0x52] = bytes([0x11, 0x00])           # MSI-X, last
    struct.pack_into("<HII", cfg, 0x52, entries - 1, offset | bar,
                     (offset + 0x800) | bar)
    return bytes(cfg)


class Fixture:
    """A sysfs tree under a temporary directory."""

    def __init__(self, root):
        self.root = root
        self.sysfs = os.path.join(root, "sys")
        for mod in ("vfio_pci", "vfio_pci_wc"):
            os.makedirs(self.p("module/vfio_pci_core/holders", mod))
        for drv, mod in (("vfio-pci", "vfio_pci"),
                         ("vfio-pci-wc", "vfio_pci_wc"),
                         ("uio_pci_generic", "uio_pci_generic")):
            os.makedirs(self.p("bus/pci/drivers", drv))
            os.makedirs(self.p("module", mod), exist_ok=True)
            os.symlink(self.p("module", mod),
                       self.p("bus/pci/drivers", drv, "module"))

    def p(self, *names):
        return os.path.join(self.sysfs, *names)

    def device(self, addr, ids, driver, bars, msix=None, group=None):
        d = self.p("bus/pci/devices", addr)
        os.makedirs(d)
        for name, value in zip(("vendor", "device"), ids):
            with open(os.path.join(d, name), "w") as f:
                f.write(value + "\n")
        with open(os.path.join(d, "resource"), "w") as f:
            f.write(resource_lines(bars))
        with open(os.path.join(d, "config"), "wb") as f:
            f.write(config_space(msix))
        if driver:
            os.symlink(self.p("bus/pci/drivers", driver),
                       os.path.join(d, "driver"))
        if group:
            os.makedirs(self.p("kernel/iommu_groups", group), exist_ok=True)
            os.symlink(self.p("kernel/iommu_groups", group),
                       os.path.join(d, "iommu_group"))


MEM, PREF, MEM64, IO = 0x200, 0x2000, 0x100000, 0x100


class FakeTelemetry(threading.Thread):
    """A DPDK v2 telemetry socket answering /pci/wc_list and /pci/wc."""

    def __init__(self, path, pid, devices):
        super().__init__(daemon=True)
        self.devices = devices
        self.pid = pid
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.bind(path)
        self.sock.listen(4)

    def reply(self, cmd):
        if cmd == "/pci/wc_list":
            return {cmd: sorted(self.devices)}
        name = cmd.split(",", 1)[1]
        segs = self.devices[name]
        data = {"device": name, "segments": len(segs)}
        for seg in segs:
            data["bar%d_%s" % (seg["bar"], seg["range"].split("-")[0])] = seg
        return {"/pci/wc": data}

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.send(json.dumps({"version": "DPDK 22.11.11",
                                      "pid": self.pid,
                                      "max_output_len": 16384}).encode())
                while True:
                    cmd = conn.recv(1024).decode()
                    if not cmd:
                        break
                    conn.send(json.dumps(self.reply(cmd)).encode())


class DpdkPciWcTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        fx = Fixture(self.tmp.name)
        # ivshmem-like: BAR0 registers, BAR2 1 MiB prefetchable with the
        # MSI-X table at 0x3000 (as some NICs do)
        fx.device(WC, ("0x1af4", "0x1110"), "vfio-pci-wc",
                  {0: (0xfebf5000, 0x100, MEM),
                   2: (0xfe000000, 0x100000, MEM | PREF | MEM64)},
                  msix=(2, 0x3000, 4), group="7")
        fx.device(STOCK, ("0x1af4", "0x1041"), "vfio-pci",
                  {1: (0xfebf6000, 0x1000, MEM),
                   4: (0xfe100000, 0x4000, MEM | PREF | MEM64)},
                  msix=(1, 0, 3), group="3")
        fx.device(UIO, ("0x8086", "0x10d3"), "uio_pci_generic",
                  {0: (0xfeb80000, 0x20000, MEM),
                   2: (0xc000, 0x20, IO)})
        fx.device(NONE, ("0x8086", "0x2918"), None, {})
        self.sysfs = fx.sysfs
        self.pat = os.path.join(self.tmp.name, "pat_memtype_list")
        with open(self.pat, "w") as f:
            f.write(PAT)
        self.runtime = os.path.join(self.tmp.name, "run")
        os.makedirs(os.path.join(self.runtime, "rte"))

    def run_tool(self, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            TOOL.main(["--sysfs", self.sysfs, "--pat-list", self.pat,
                       "--runtime-dir", self.runtime, "--no-probe"] +
                      list(args))
        return out.getvalue()

    def json_devices(self, *args):
        result = json.loads(self.run_tool("--json", *args))
        return {d["address"]: d for d in result["devices"]}

    def test_default_lists_devices_with_memory_bars(self):
        self.assertEqual(sorted(self.json_devices()), [STOCK, UIO, WC])

    def test_drivers(self):
        devs = self.json_devices()
        self.assertEqual(devs[WC]["driver"], "vfio-pci-wc")
        self.assertEqual(devs[WC]["driver_kind"], "vfio-pci variant")
        self.assertEqual(devs[STOCK]["driver_kind"], "vfio-pci")
        self.assertEqual(devs[UIO]["driver_kind"], "uio")
        self.assertEqual(self.json_devices(NONE)[NONE]["driver_kind"],
                         "none")
        self.assertEqual(devs[WC]["iommu_group"], "7")

    def test_bars(self):
        bars = {b["bar"]: b for b in self.json_devices()[WC]["bars"]}
        self.assertEqual(sorted(bars), [0, 2])
        self.assertEqual((bars[0]["size"], bars[0]["type"],
                          bars[0]["prefetchable"]), (0x100, "mem32", False))
        self.assertEqual((bars[2]["size"], bars[2]["type"],
                          bars[2]["prefetchable"]),
                         (0x100000, "mem64", True))
        uio = {b["bar"]: b for b in self.json_devices()[UIO]["bars"]}
        self.assertEqual(uio[2]["type"], "io")

    def test_msix(self):
        msix = self.json_devices()[WC]["msix"]
        self.assertEqual((msix["table_bar"], msix["table_offset"],
                          msix["entries"], msix["table_size"]),
                         (2, 0x3000, 4, 64))
        self.assertEqual((msix["pba_bar"], msix["pba_offset"]), (2, 0x3800))
        self.assertIsNone(self.json_devices()[UIO]["msix"])

    def test_pat_types_over_bars(self):
        bars = {b["bar"]: b for b in self.json_devices()[WC]["bars"]}
        self.assertEqual(bars[2]["pat"], [
            {"range": "0x0-0x1fff", "type": "write-combining"},
            {"range": "0x3000-0xfffff", "type": "uncached-minus"}])
        self.assertEqual(bars[0]["pat"], [])
        stock = {b["bar"]: b for b in self.json_devices()[STOCK]["bars"]}
        self.assertEqual(stock[4]["pat"], [
            {"range": "0x0-0x3fff", "type": "uncached-minus"}])

    def test_unreadable_pat_list(self):
        self.pat = os.path.join(self.tmp.name, "missing")
        out = self.run_tool(WC)
        self.assertIn("PAT: cannot read %s: No such file or directory"
                      % self.pat, out)
        result = json.loads(self.run_tool("--json", WC))
        self.assertNotIn("pat", result["devices"][0]["bars"][0])

    def test_wc_auto_splits_around_msix_table(self):
        auto = self.json_devices()[WC]["wc_auto"]
        self.assertEqual(auto["ranges"], [
            {"bar": 2, "range": "0x0-0x2fff"},
            {"bar": 2, "range": "0x4000-0xfffff"}])
        self.assertEqual(auto["why_not"], ["BAR0: not prefetchable",
                                           "BAR2 0x3000-0x3fff: MSI-X table"])

    def test_wc_auto_reasons(self):
        devs = self.json_devices()
        self.assertEqual(devs[WC]["wc_auto"]["verdict"],
                         "unknown: interface not probed "
                         "(not probed (--no-probe))")
        self.assertEqual(devs[UIO]["wc_auto"]["verdict"],
                         "nothing: no prefetchable memory BAR")
        self.assertEqual(devs[UIO]["wc_auto"]["why_not"],
                         ["BAR0: not prefetchable", "BAR2: I/O BAR"])

    def test_kernel_reasons(self):
        kr = TOOL.kernel_reason
        probed = {"probed": True, "dma_buf": True, "memattr": True}
        self.assertIsNone(kr("vfio-pci variant", probed))
        self.assertEqual(kr("vfio-pci", dict(probed, dma_buf=False)),
                         "the kernel cannot export BAR ranges as dma-buf")
        self.assertEqual(kr("vfio-pci", dict(probed, memattr=False)),
                         "the kernel cannot set a dma-buf memory attribute")
        self.assertEqual(kr("kernel", probed),
                         "the device is not bound to a VFIO driver")

    def test_telemetry_of_running_application(self):
        segs = [{"bar": 2, "range": "0x0-0xfffff", "len": 0x100000,
                 "requested": "wc", "effective": "wc"},
                {"bar": 0, "range": "0x0-0xfff", "len": 0x1000,
                 "requested": "uc", "effective": "uc"}]
        srv = FakeTelemetry(os.path.join(self.runtime, "rte",
                                         "dpdk_telemetry.v2"),
                            4242, {WC: segs})
        srv.start()
        self.addCleanup(srv.sock.close)
        devs = self.json_devices()
        self.assertEqual(devs[STOCK]["telemetry"], [])
        (app,) = devs[WC]["telemetry"]
        self.assertEqual(app["pid"], 4242)
        self.assertEqual([(s["bar"], s["range"], s["effective"])
                          for s in app["segments"]],
                         [(0, "0x0-0xfff", "uc"), (2, "0x0-0xfffff", "wc")])
        out = self.run_tool(WC)
        self.assertIn("  telemetry of pid 4242", out)
        self.assertIn("    BAR2 0x0-0xfffff requested wc effective wc", out)

    def test_stale_telemetry_socket_is_skipped(self):
        path = os.path.join(self.runtime, "rte", "dpdk_telemetry.v2")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sock.bind(path)
        sock.close()  # the file stays, nobody listens
        self.assertEqual(self.json_devices()[WC]["telemetry"], [])

    def test_text_output(self):
        out = self.run_tool(WC)
        self.assertEqual(out.splitlines()[:5], [
            "0000:01:00.0 1af4:1110 driver vfio-pci-wc (vfio-pci variant)",
            "  interface: not probed: not probed (--no-probe)",
            "  BAR0 256 B mem32 non-prefetchable at 0xfebf5000",
            "  BAR2 1 MiB mem64 prefetchable at 0xfe000000",
            "    PAT 0x0-0x1fff write-combining"])
        self.assertIn("  MSI-X: table BAR2 0x3000 (4 entries, 64 bytes), "
                      "PBA BAR2 0x3800", out)
        self.assertIn("    not BAR2 0x3000-0x3fff: MSI-X table", out)

    def test_unknown_device(self):
        with self.assertRaises(SystemExit) as ctx:
            self.run_tool("0000:09:00.0")
        self.assertIn("no PCI device 0000:09:00.0", str(ctx.exception.code))

    def test_short_address(self):
        self.assertEqual(list(self.json_devices("01:00.0")), [WC])


def main():
    global TOOL
    spec = importlib.util.spec_from_file_location("dpdk_pci_wc",
                                                  sys.argv.pop(1))
    TOOL = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(TOOL)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
