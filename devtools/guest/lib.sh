# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=dash # busybox ash, like dash, has local
# Shell library for guest tests (busybox sh). Tests start with
#   . /opt/wc/lib.sh
# See devtools/guest/tests/README.md for the contract.

# testpmd_stat, pat_list and the test header parsers
. /opt/wc/parse.sh

# The names the page-table check (ptecheck, "attr=") gives the memory
# types the tests expect: write-combined (pgprot_writecombine), uncached as
# VFIO maps a BAR (pgprot_noncached), uncached as a sysfs resource<N> file
# maps it (arm64: pgprot_device), and ordinary memory. x86: PAT types;
# arm64: MAIR memory types.
# shellcheck disable=SC2034 # used by the tests that source this file
case $WC_GUEST_ARCH in
arm64)
	WC_ATTR_WC=NORMAL_NC
	WC_ATTR_UC=DEVICE_nGnRnE
	WC_ATTR_UC_SYSFS=DEVICE_nGnRE
	WC_ATTR_WB=NORMAL
	;;
*)
	WC_ATTR_WC=WC
	WC_ATTR_UC=UC-
	WC_ATTR_UC_SYSFS=UC-
	WC_ATTR_WB=WB
	;;
esac

# has_pat_list: the guest has an x86 PAT memory type list (arm64 has none).
has_pat_list() {
	[ "$WC_GUEST_ARCH" = x86_64 ]
}

# Report a result and end the test. The last WCFAIL/WCSKIP line of the
# output is the reason the host prints.
fail() {
	echo "WCFAIL: $*"
	exit 1
}

skip() {
	echo "WCSKIP: $*"
	exit 77
}

info() {
	echo "$WC_TEST_NAME: $*"
}

# not_shipped <what>: skip because no payload shipped <what>, with the
# reasons of the payloads that failed to build (their failure is reported
# once, by the host).
not_shipped() {
	local failed
	failed=$(tr '\n' ';' <"$WC_SHARE/payloads.failed" 2>/dev/null)
	skip "$1 not in the image${failed:+ (failed payloads: ${failed%;})}"
}

# need_cmd <command>: skip when a payload did not ship the command.
need_cmd() {
	command -v "$1" >/dev/null 2>&1 || not_shipped "$1"
}

# expect_eq <actual> <expected> <what>
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# dev_driver <bdf>: name of the bound driver, or "none".
dev_driver() {
	local link=/sys/bus/pci/devices/$1/driver
	if [ -e "$link" ]; then
		basename "$(readlink "$link")"
	else
		echo none
	fi
}

# unbind_dev <bdf>: detach the device from its driver and clear any
# driver_override, so that it stays unbound.
unbind_dev() {
	local dev=/sys/bus/pci/devices/$1
	[ -d "$dev" ] || fail "no PCI device $1"
	if [ -e "$dev/driver" ]; then
		echo "$1" >"$dev/driver/unbind" || fail "unbind $1 failed"
	fi
	echo >"$dev/driver_override" || fail "clear driver_override of $1 failed"
}

# bind_vfio <bdf> [driver]: bind the device to a vfio-pci style driver
# (default vfio-pci) with driver_override + drivers_probe, the way DPDK's
# dpdk-devbind does, and check that it took.
bind_vfio() {
	local bdf=$1 drv=${2:-vfio-pci} dev=/sys/bus/pci/devices/$1
	[ -d "$dev" ] || fail "no PCI device $bdf"
	[ "$(dev_driver "$bdf")" = "$drv" ] && return 0
	[ -d "/sys/bus/pci/drivers/$drv" ] || fail "driver $drv is not loaded"
	unbind_dev "$bdf"
	echo "$drv" >"$dev/driver_override" || fail "driver_override $bdf=$drv failed"
	echo "$bdf" >/sys/bus/pci/drivers_probe 2>/dev/null
	[ "$(dev_driver "$bdf")" = "$drv" ] ||
		fail "$bdf did not bind to $drv (driver: $(dev_driver "$bdf")); dmesg: $(dmesg | tail -n 3 | tr '\n' ' ')"
	info "$bdf bound to $drv (IOMMU group $(basename "$(readlink "$dev/iommu_group")"))"
}

# load_module <name>: insmod a module shipped by a payload into $WC_MODULES
# (no-op when loaded).
load_module() {
	local name=$1
	grep -q "^$(echo "$name" | tr - _) " /proc/modules && return 0
	[ -f "$WC_MODULES/$name.ko" ] || not_shipped "module $name.ko"
	insmod "$WC_MODULES/$name.ko" || fail "insmod $name.ko failed: $(dmesg | tail -n 2 | tr '\n' ' ')"
}

# ivshmem_slot: this test's own 8 KiB region of the ivshmem BAR2 / host
# file, from its number (NN-name: offset NN * 0x2000), so that the host
# checks of different tests never overwrite each other.
ivshmem_slot() {
	local nn=${WC_TEST_NAME%%-*}
	printf '0x%x\n' $((${nn#0} * 0x2000))
}

# run_pattern <what>: a string unique to this run and test, for bytes the
# host looks for.
run_pattern() {
	echo "WC-$WC_RUN_ID-$WC_TEST_NAME-$1"
}

# host_check_ivshmem <offset> <string>: after the guest has exited, the
# host checks that the ivshmem backing file holds <string> (no spaces) at
# <offset>; "hex:<hex bytes>" compares bytes.
host_check_ivshmem() {
	echo "HOSTCHECK ivshmem $1 $2"
}

# testpmd_expect_forwarded <testpmd output>: ports 0 and 1, which share a
# QEMU hub, both received and sent, and each port's RX matches the other's
# TX up to the packets in flight at the stop (at most one ring of 256
# descriptors per direction).
testpmd_expect_forwarded() {
	local rx0 tx0 rx1 tx1 v d inflight=512
	rx0=$(testpmd_stat "$1" 0 RX packets) tx0=$(testpmd_stat "$1" 0 TX packets)
	rx1=$(testpmd_stat "$1" 1 RX packets) tx1=$(testpmd_stat "$1" 1 TX packets)
	info "port0 RX $rx0 TX $tx0, port1 RX $rx1 TX $tx1"
	echo "TESTPMD port0_rx=$rx0 port0_tx=$tx0 port1_rx=$rx1 port1_tx=$tx1"
	for v in "$rx0" "$tx0" "$rx1" "$tx1"; do
		[ "$v" -gt 0 ] || fail "a port counter is zero (port0 RX $rx0 TX $tx0, port1 RX $rx1 TX $tx1)"
	done
	d=$((tx1 - rx0)); [ ${d#-} -le $inflight ] || fail "port0 RX $rx0 vs port1 TX $tx1"
	d=$((tx0 - rx1)); [ ${d#-} -le $inflight ] || fail "port1 RX $rx1 vs port0 TX $tx0"
}
