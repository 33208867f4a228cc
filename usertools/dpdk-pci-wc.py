#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright(c) 2026 WC Team

"""
Tell how the BARs of PCI devices can be, and are, mapped write-combining
by DPDK over VFIO: the kernel driver of each device, whether the kernel
offers the VFIO dma-buf interface (features 11 and 14, probed), each BAR's
size and prefetchability, the MSI-X table, the x86 PAT memory types in use
over the BARs, what "wc=auto" would map and why not, and what a running
DPDK application reports through telemetry (/pci/wc).
"""

import argparse
import errno
import fcntl
import glob
import json
import os
import platform
import socket
import struct
import sys

SYSFS = "/sys"
PAT_LIST = "/sys/kernel/debug/x86/pat_memtype_list"
RUNTIME_DIRS = ["/var/run/dpdk"]
TELEMETRY_SOCKET = "dpdk_telemetry.v2"

# struct resource flags, as in the sysfs "resource" file
IORESOURCE_IO = 0x100
IORESOURCE_MEM = 0x200
IORESOURCE_PREFETCH = 0x2000
IORESOURCE_MEM_64 = 0x100000

PCI_STATUS = 0x06
PCI_STATUS_CAP_LIST = 0x10
PCI_CAPABILITY_LIST = 0x34
PCI_CAP_ID_MSIX = 0x11

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")

# <linux/vfio.h> and the dma-buf memory attribute proposal
VFIO_TYPE = ord(";")
VFIO_BASE = 100
VFIO_CHECK_EXTENSION = (VFIO_TYPE << 8) | (VFIO_BASE + 1)
VFIO_SET_IOMMU = (VFIO_TYPE << 8) | (VFIO_BASE + 2)
VFIO_GROUP_GET_STATUS = (VFIO_TYPE << 8) | (VFIO_BASE + 3)
VFIO_GROUP_SET_CONTAINER = (VFIO_TYPE << 8) | (VFIO_BASE + 4)
VFIO_GROUP_GET_DEVICE_FD = (VFIO_TYPE << 8) | (VFIO_BASE + 6)
VFIO_DEVICE_FEATURE = (VFIO_TYPE << 8) | (VFIO_BASE + 17)
VFIO_TYPE1V2_IOMMU = 3
VFIO_GROUP_FLAGS_VIABLE = 1
VFIO_DEVICE_FEATURE_GET = 1 << 16
VFIO_DEVICE_FEATURE_SET = 1 << 17
VFIO_DEVICE_FEATURE_PROBE = 1 << 18
VFIO_DEVICE_FEATURE_DMA_BUF = 11
VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR = 14

# The reasons the PCI bus logs when it cannot map write-combining
NO_DMA_BUF = "the kernel cannot export BAR ranges as dma-buf"
NO_MEMATTR = "the kernel cannot set a dma-buf memory attribute"


def read_text(path):
    """Content of a small file, stripped; None when it cannot be read."""
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def link_name(path):
    """Last component of a symbolic link's target, or None."""
    try:
        return os.path.basename(os.readlink(path))
    except OSError:
        return None


def human_size(size):
    """1 MiB, 16 KiB, 256 B."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return "%d %s" % (size >> shift, unit)
    return "%d B" % size


def hex_range(start, length):
    """Offsets as the wc device argument takes them: end inclusive."""
    return "0x%x-0x%x" % (start, start + length - 1)


class Sysfs:
    """The PCI part of sysfs, under a root that tests may replace."""

    def __init__(self, root):
        self.root = root
        self.devices_dir = os.path.join(root, "bus/pci/devices")

    def addresses(self):
        try:
            return sorted(os.listdir(self.devices_dir))
        except OSError as err:
            sys.exit("Error: cannot list PCI devices in %s: %s" %
                     (self.devices_dir, err.strerror))

    def dev(self, addr, *names):
        return os.path.join(self.devices_dir, addr, *names)

    def driver(self, addr):
        return link_name(self.dev(addr, "driver"))

    def driver_module(self, addr):
        return link_name(self.dev(addr, "driver", "module"))

    def vfio_pci_core_holders(self):
        try:
            return os.listdir(
                os.path.join(self.root, "module/vfio_pci_core/holders"))
        except OSError:
            return []

    def resources(self, addr):
        """(start, end, flags) of BARs 0 to 5."""
        text = read_text(self.dev(addr, "resource")) or ""
        bars = []
        for line in text.splitlines()[:6]:
            start, end, flags = (int(v, 16) for v in line.split())
            bars.append((start, end, flags))
        return bars

    def config(self, addr):
        try:
            with open(self.dev(addr, "config"), "rb") as f:
                return f.read(4096)
        except OSError:
            return b""


def driver_kind(sysfs, addr, driver):
    """How DPDK sees the kernel driver of a device."""
    if driver is None:
        return "none"
    if driver == "vfio-pci":
        return "vfio-pci"
    if sysfs.driver_module(addr) in sysfs.vfio_pci_core_holders():
        return "vfio-pci variant"
    if driver in ("igb_uio", "uio_pci_generic"):
        return "uio"
    return "kernel"


def describe_bars(resources):
    bars = []
    for i, (start, end, flags) in enumerate(resources):
        if end == 0 or flags == 0:
            continue
        bar = {"bar": i, "size": end - start + 1, "phys": start}
        if flags & IORESOURCE_IO:
            bar["type"] = "io"
        else:
            bar["type"] = "mem64" if flags & IORESOURCE_MEM_64 else "mem32"
        bar["prefetchable"] = bool(flags & IORESOURCE_PREFETCH)
        bars.append(bar)
    return bars


def find_msix(config):
    """MSI-X table and PBA from the configuration space, or None."""
    if len(config) < 64:
        return None
    status = struct.unpack_from("<H", config, PCI_STATUS)[0]
    if not status & PCI_STATUS_CAP_LIST:
        return None
    pos = config[PCI_CAPABILITY_LIST] & ~3
    seen = set()
    while pos >= 0x40 and pos + 12 <= len(config) and pos not in seen:
        seen.add(pos)
        cap_id, nxt = config[pos], config[pos + 1]
        if cap_id == PCI_CAP_ID_MSIX:
            ctrl, table, pba = struct.unpack_from("<HII", config, pos + 2)
            entries = (ctrl & 0x7ff) + 1
            return {"entries": entries,
                    "table_bar": table & 7, "table_offset": table & ~7,
                    "table_size": entries * 16,
                    "pba_bar": pba & 7, "pba_offset": pba & ~7}
        pos = nxt & ~3
    return None


def read_pat_list(path):
    """(text, reason): the PAT memory type list, or why there is none."""
    if platform.machine() not in ("x86_64", "i686", "i386"):
        if path == PAT_LIST:
            return None, "no PAT memory type list: not x86"
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read(), None
    except OSError as err:
        return None, "cannot read %s: %s" % (path, err.strerror)


def parse_pat_list(text):
    """[(start, end exclusive, type)] of "PAT: [mem 0x..-0x..] type"."""
    entries = []
    for line in text.splitlines():
        if not line.startswith("PAT: [mem 0x"):
            continue
        try:
            rng, typ = line[len("PAT: [mem "):].split("] ", 1)
            start, end = rng.split("-")
            entries.append((int(start, 16), int(end, 16), typ.split()[0]))
        except ValueError:
            continue
    return entries


def pat_over_bar(entries, bar):
    """The PAT entries over a BAR, as offsets in the BAR."""
    start, end = bar["phys"], bar["phys"] + bar["size"]
    found = []
    for s, e, typ in entries:
        if s < end and e > start:
            lo, hi = max(s, start) - start, min(e, end) - start
            found.append({"range": hex_range(lo, hi - lo), "type": typ})
    return found


def probe_feature(dev_fd, feature, get_set):
    arg = bytearray(struct.pack("<II", 8,
                                VFIO_DEVICE_FEATURE_PROBE | get_set |
                                feature))
    try:
        fcntl.ioctl(dev_fd, VFIO_DEVICE_FEATURE, arg, True)
        return True
    except OSError:
        return False


class ProbeError(Exception):
    """Why a VFIO device could not be opened."""


def open_vfio_device(addr, group, dev_dir, fds):
    """Device fd of addr through its group and a new container; every
    fd opened is appended to fds, for the caller to close."""
    try:
        group_fd = os.open(os.path.join(dev_dir, group), os.O_RDWR)
    except OSError as err:
        if err.errno == errno.EBUSY:
            raise ProbeError("VFIO group %s is in use by an application"
                             % group) from err
        raise ProbeError("cannot open VFIO group %s: %s" %
                         (group, err.strerror)) from err
    fds.append(group_fd)
    try:
        status = bytearray(struct.pack("<II", 8, 0))
        fcntl.ioctl(group_fd, VFIO_GROUP_GET_STATUS, status, True)
        if not struct.unpack("<II", status)[1] & VFIO_GROUP_FLAGS_VIABLE:
            raise ProbeError("VFIO group %s is not viable: a device of the "
                             "group is bound to a host driver" % group)
        fds.append(os.open(os.path.join(dev_dir, "vfio"), os.O_RDWR))
        fcntl.ioctl(group_fd, VFIO_GROUP_SET_CONTAINER,
                    bytearray(struct.pack("<i", fds[-1])), True)
        fcntl.ioctl(fds[-1], VFIO_SET_IOMMU, VFIO_TYPE1V2_IOMMU)
        name = bytearray(addr.encode() + b"\0")
        fds.append(fcntl.ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, name,
                               True))
    except OSError as err:
        raise ProbeError("VFIO set-up failed: %s" % err.strerror) from err
    return fds[-1]


def probe_vfio(sysfs, addr, dev_dir="/dev/vfio"):
    """Open the device through its VFIO group and probe features 11/14.

    Opening the device makes the kernel enable (and, if it can, reset)
    it, as an application would; a group in use by an application
    cannot be opened (the kernel allows one user at a time).
    """
    result = {"probed": False, "dma_buf": None, "memattr": None,
              "reason": None}
    group = link_name(sysfs.dev(addr, "iommu_group"))
    if group is None:
        result["reason"] = "no IOMMU group"
        return result
    fds = []
    try:
        dev_fd = open_vfio_device(addr, group, dev_dir, fds)
        result["probed"] = True
        result["dma_buf"] = probe_feature(
            dev_fd, VFIO_DEVICE_FEATURE_DMA_BUF, VFIO_DEVICE_FEATURE_GET)
        result["memattr"] = probe_feature(
            dev_fd, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
            VFIO_DEVICE_FEATURE_SET)
    except ProbeError as err:
        result["reason"] = str(err)
    finally:
        for fd in reversed(fds):
            os.close(fd)
    return result


def kernel_reason(kind, interface):
    """Why the kernel cannot map write-combining; None if it can."""
    if kind in ("none", "kernel"):
        return "the device is not bound to a VFIO driver"
    if kind == "uio":
        return ("the device is bound to UIO, which maps whole BARs "
                "(RTE_PCI_DRV_WC_ACTIVATE only)")
    if not interface["probed"]:
        return "interface not probed (%s)" % interface["reason"]
    if not interface["dma_buf"]:
        return NO_DMA_BUF
    if not interface["memattr"]:
        return NO_MEMATTR
    return None


def msix_pages(msix):
    """(bar, offset, length) of the pages holding the MSI-X table."""
    if msix is None:
        return None
    start = msix["table_offset"] & ~(PAGE_SIZE - 1)
    end = msix["table_offset"] + msix["table_size"]
    end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)
    return msix["table_bar"], start, end - start


def wc_auto(bars, msix, kind, interface):
    """What a driver asking for write-combining of its prefetchable BARs
    (RTE_PCI_DRV_WC_ACTIVATE; also what wc=on asks for) would get."""
    ranges, why_not = [], []
    hole = msix_pages(msix)
    for bar in bars:
        name = "BAR%d" % bar["bar"]
        if bar["type"] == "io":
            why_not.append("%s: I/O BAR" % name)
            continue
        if not bar["prefetchable"]:
            why_not.append("%s: not prefetchable" % name)
            continue
        length = (bar["size"] + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)
        pieces = [(0, length)]
        if hole is not None and hole[0] == bar["bar"]:
            why_not.append("%s %s: MSI-X table" %
                           (name, hex_range(hole[1], hole[2])))
            pieces = [(0, hole[1]),
                      (hole[1] + hole[2], length - hole[1] - hole[2])]
        for off, plen in pieces:
            if plen > 0:
                ranges.append({"bar": bar["bar"],
                               "range": hex_range(off, plen)})
    reason = kernel_reason(kind, interface)
    result = {"ranges": ranges, "why_not": why_not, "kernel": reason}
    if not ranges:
        result["verdict"] = "nothing: no prefetchable memory BAR"
    elif reason is None:
        result["verdict"] = "write-combining"
    elif not interface["probed"] and kind.startswith("vfio"):
        result["verdict"] = "unknown: %s" % reason
    else:
        result["verdict"] = "uncached: %s" % reason
    return result


def telemetry_query(path, commands):
    """Run telemetry commands on one socket: (info, [replies])."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.settimeout(5)
    try:
        sock.connect(path)
        info = json.loads(sock.recv(1024).decode())
        size = int(info.get("max_output_len", 16384))
        replies = []
        for cmd in commands:
            sock.send(cmd.encode())
            replies.append(json.loads(sock.recv(size).decode()))
        return info, replies
    finally:
        sock.close()


def find_telemetry_sockets(runtime_dirs):
    paths = []
    for base in runtime_dirs:
        paths += glob.glob(os.path.join(base, "*", TELEMETRY_SOCKET + "*"))
    return sorted(set(paths))


def segments_from_reply(reply):
    """The segment dictionaries of a /pci/wc reply, in BAR order."""
    data = reply.get("/pci/wc") or {}
    segs = [v for v in data.values() if isinstance(v, dict)]
    return sorted(segs, key=lambda s: (s.get("bar", 0),
                                       int(s.get("range", "0-").split(
                                           "-")[0], 16)))


def collect_telemetry(runtime_dirs):
    """{PCI address: [{"pid", "socket", "segments"}]} of running apps."""
    apps = {}
    for path in find_telemetry_sockets(runtime_dirs):
        try:
            info, (lst,) = telemetry_query(path, ["/pci/wc_list"])
            names = lst.get("/pci/wc_list") or []
            if not isinstance(names, list):
                continue
            _, replies = telemetry_query(path,
                                         ["/pci/wc,%s" % n for n in names])
        except (OSError, ValueError):
            continue  # stale socket, or an application without /pci/wc
        for name, reply in zip(names, replies):
            apps.setdefault(name, []).append({
                "pid": info.get("pid"), "socket": path,
                "segments": segments_from_reply(reply)})
    return apps


def describe_device(sysfs, addr, opts, pat_entries, apps):
    driver = sysfs.driver(addr)
    kind = driver_kind(sysfs, addr, driver)
    dev = {"address": addr,
           "vendor": read_text(sysfs.dev(addr, "vendor")),
           "device": read_text(sysfs.dev(addr, "device")),
           "driver": driver, "driver_kind": kind,
           "iommu_group": link_name(sysfs.dev(addr, "iommu_group"))}
    if kind in ("vfio-pci", "vfio-pci variant") and opts.probe:
        dev["interface"] = probe_vfio(sysfs, addr)
    else:
        dev["interface"] = {
            "probed": False, "dma_buf": None, "memattr": None,
            "reason": ("not a VFIO device" if kind not in
                       ("vfio-pci", "vfio-pci variant") else
                       "not probed (--no-probe)")}
    dev["bars"] = describe_bars(sysfs.resources(addr))
    if pat_entries is not None:
        for bar in dev["bars"]:
            if bar["type"] != "io":
                bar["pat"] = pat_over_bar(pat_entries, bar)
    dev["msix"] = find_msix(sysfs.config(addr))
    dev["wc_auto"] = wc_auto(dev["bars"], dev["msix"], kind,
                             dev["interface"])
    dev["telemetry"] = apps.get(addr, [])
    return dev


def print_device(dev, pat_reason):
    out = print
    out("%s %s:%s driver %s (%s)" % (
        dev["address"], (dev["vendor"] or "?")[2:],
        (dev["device"] or "?")[2:], dev["driver"] or "none",
        dev["driver_kind"]))
    itf = dev["interface"]
    if itf["probed"]:
        out("  interface: dma-buf export (VFIO feature 11) %s, "
            "memory attribute (feature 14) %s" % (
                "yes" if itf["dma_buf"] else "no",
                "yes" if itf["memattr"] else "no"))
    else:
        out("  interface: not probed: %s" % itf["reason"])
    for bar in dev["bars"]:
        line = "  BAR%d %s %s" % (bar["bar"], human_size(bar["size"]),
                                  bar["type"])
        if bar["type"] != "io":
            line += " prefetchable" if bar["prefetchable"] else \
                " non-prefetchable"
        out(line + " at 0x%x" % bar["phys"])
        for entry in bar.get("pat", []):
            out("    PAT %s %s" % (entry["range"], entry["type"]))
    if pat_reason:
        out("  PAT: %s" % pat_reason)
    msix = dev["msix"]
    if msix is None:
        out("  MSI-X: none")
    else:
        out("  MSI-X: table BAR%d 0x%x (%d entries, %d bytes), "
            "PBA BAR%d 0x%x" % (msix["table_bar"], msix["table_offset"],
                                msix["entries"], msix["table_size"],
                                msix["pba_bar"], msix["pba_offset"]))
    auto = dev["wc_auto"]
    ranges = ", ".join("BAR%d %s" % (r["bar"], r["range"])
                       for r in auto["ranges"])
    out("  wc=auto, for a driver asking for its prefetchable BARs: %s%s" %
        (auto["verdict"], " (%s)" % ranges if ranges else ""))
    for why in auto["why_not"]:
        out("    not %s" % why)
    for app in dev["telemetry"]:
        out("  telemetry of pid %s (%s):" % (app["pid"], app["socket"]))
        for seg in app["segments"]:
            out("    BAR%s %s requested %s effective %s" % (
                seg.get("bar"), seg.get("range"), seg.get("requested"),
                seg.get("effective")))


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.strip().split("\n\n")[0],
        epilog="Probing opens the device through VFIO, as an application "
        "would (the kernel enables and may reset it); a device in use by "
        "an application is not probed, its telemetry is shown instead.")
    parser.add_argument("devices", metavar="DEVICE", nargs="*",
                        help="PCI address (domain:bus:slot.func or "
                        "bus:slot.func); default: every device with a "
                        "memory BAR")
    parser.add_argument("--json", action="store_true",
                        help="print JSON instead of text")
    parser.add_argument("--no-probe", dest="probe", action="store_false",
                        help="do not open VFIO devices to probe features")
    parser.add_argument("--sysfs", default=SYSFS,
                        help="sysfs mount point (default %(default)s)")
    parser.add_argument("--pat-list", default=PAT_LIST,
                        help="PAT memory type list (default %(default)s)")
    parser.add_argument("--runtime-dir", action="append",
                        help="DPDK runtime directory holding the file "
                        "prefix folders (default /var/run/dpdk and "
                        "$XDG_RUNTIME_DIR/dpdk)")
    return parser.parse_args(argv)


def default_runtime_dirs():
    dirs = list(RUNTIME_DIRS)
    if os.environ.get("XDG_RUNTIME_DIR"):
        dirs.append(os.path.join(os.environ["XDG_RUNTIME_DIR"], "dpdk"))
    return dirs


def resolve_devices(sysfs, names):
    known = sysfs.addresses()
    found = []
    for name in names:
        for cand in (name, "0000:" + name):
            if cand in known:
                found.append(cand)
                break
        else:
            sys.exit("Error: no PCI device %s in %s" %
                     (name, sysfs.devices_dir))
    return found


def main(argv=None):
    opts = parse_args(argv)
    sysfs = Sysfs(opts.sysfs)
    if opts.devices:
        addrs = resolve_devices(sysfs, opts.devices)
    else:
        addrs = [a for a in sysfs.addresses()
                 if any(b["type"] != "io"
                        for b in describe_bars(sysfs.resources(a)))]
    pat_text, pat_reason = read_pat_list(opts.pat_list)
    pat_entries = parse_pat_list(pat_text) if pat_text is not None else None
    apps = collect_telemetry(opts.runtime_dir or default_runtime_dirs())
    devs = [describe_device(sysfs, a, opts, pat_entries, apps)
            for a in addrs]
    if opts.json:
        print(json.dumps({"pat_list": pat_reason or "read",
                          "devices": devs}, indent=2))
        return
    for i, dev in enumerate(devs):
        if i:
            print()
        print_device(dev, pat_reason)


if __name__ == "__main__":
    main()
