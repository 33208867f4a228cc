#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# timeout: 400
# Telemetry walks the PCI devices and reads their segments on its own
# thread while the main thread hot-unplugs and re-probes the device
# (mapped write-combining on vfio-pci-wc), under ASan and UBSan: no
# sanitizer report, every round probes, telemetry answers throughout.
# WC_SLOW_TELEMETRY keeps the telemetry thread 20 ms on each device it
# lists, so that an unplug lands in the middle of a walk every round.
. /opt/wc/lib.sh
. /opt/wc/share/dpdk-wc.sh
need_cmd dpdk-wc-probe-asan
load_module vfio-pci-wc
bind_vfio "$WC_BDF_IVSHMEM" vfio-pci-wc
bdf=$WC_BDF_IVSHMEM

out=/tmp/telunplug.out
# ASan's shadow memory pushes DPDK's memory above what the emulated IOMMU
# can address, so IOVAs are physical addresses; ASan's alternate signal
# stack trips on EAL's thread exits (a false stack-buffer-overflow).
WC_SLOW_TELEMETRY=1 ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:use_sigaltstack=0 UBSAN_OPTIONS=print_stacktrace=1 \
	timeout -s KILL 360 dpdk-wc-probe-asan -m 64 --iova-mode=pa -l 0-1 -n 1 \
	--file-prefix=wc69 -a "$bdf,wc=[2]" -- --dev "$bdf" \
	--telemetry-unplug 60 --show >$out 2>&1 </dev/null
rc=$?
cat $out
! grep -q -E 'ERROR: AddressSanitizer|runtime error:' $out ||
	fail "sanitizer report: $(grep -m1 -E 'ERROR: AddressSanitizer|runtime error:' $out)"
[ $rc -eq 0 ] || fail "dpdk-wc-probe-asan failed (status $rc): $(grep -m1 '^ERROR' $out)"
grep -q '^TELUNPLUG rounds=60 ' $out || fail "not every hot-plug round went through"
wc_expect_segs $out 2 wc 1
info "$(grep '^TELUNPLUG' $out)"
