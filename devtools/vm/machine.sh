# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash disable=SC2034,SC2054 # array filled for the caller; commas are QEMU syntax
# The test machine: QEMU command line per guest architecture. Source it
# after guest-common.sh; wc_guest_qemu_cmd fills the array WC_QEMU_CMD.
#
# x86_64: q35 under TCG with an emulated Intel IOMMU (Debian kernels have
# no VFIO no-IOMMU mode). Devices at fixed addresses (guest-common.sh):
#   00:02.0 pcie-root-port, behind it 01:00.0 ivshmem-plain (alone on its
#           bus so that VFIO_DEVICE_RESET works as a bus reset); BAR0
#           256 B registers, BAR2 1 MiB 64-bit prefetchable = the host file
#   00:03.0 virtio-net-pci, modern only (BAR4 16K prefetchable, notify
#           area at +0x3000), behind the IOMMU (iommu_platform=on)
#   00:04.0 e1000e (non-prefetchable BARs only)
#   00:05.0 pcie-root-port, behind it 02:00.0 ivshmem-plain whose BAR2 is
#           4 GiB, 64-bit prefetchable = the sparse host file
#           ivshmem-large.bin next to the ivshmem file (x86_64 only; q35's
#           default 64-bit PCI hole, 32 GiB, holds it); multifunction,
#           with 02:00.1 virtio-rng-pci, modern only: a PCIe function with
#           FLR and PM (BAR4 16K 64-bit prefetchable, common config at
#           +0). Both functions share one IOMMU group and one reset set
#           (the root port's secondary bus): a hot reset through one
#           resets the other. ivshmem has no reset of its own there.
#           This port's link is 5 GT/s (x-speed=5): above that the kernel
#           waits after a bus reset for the port's Data Link Layer Link
#           Active bit, which QEMU leaves clear, and fails the reset
#           (ENOTTY); at 5 GT/s it waits 100 ms and polls the function.
# virtio-net and e1000e sit on one QEMU hub: what one sends the other
# receives. romfile= skips the iPXE option ROMs. no_timer_check: on a
# loaded host the TCG guest can miss the kernel's boot-time IO-APIC timer
# check and panic ("timer doesn't work through Interrupt-remapped IO-APIC").
#
# arm64: virt under TCG with an emulated SMMUv3 and GICv3 (its ITS gives
# the MSI isolation VFIO type1 requires: with the default GICv2 setting
# the IOMMU fails with EPERM). The Debian kernel is a raw Image, booted
# directly with the board's device tree, no firmware. Same devices at the
# same addresses as x86_64 (the root port of ivshmem gets bus 1 from the
# kernel's own enumeration). -cpu max with the implementation-defined
# pointer authentication: QARMA emulation triples the boot time. virt has
# one UART, so the result port is a virtio console (hvc0). The root port
# of ivshmem has no hotplug slot: it shares ivshmem's IOMMU group, and
# once VFIO owns the group the port's own MSIs (pciehp command
# completions on a reset) go through the VFIO domain, where the SMMU
# faults them; the bus reset then goes through the bridge instead.

# wc_guest_qemu_cmd <kernel> <initrd> <ivshmem file> <console log> \
#                   <result log> <kernel cmdline extra>
wc_guest_qemu_cmd() {
	local kernel=$1 initrd=$2 shm=$3 con=$4 res=$5 extra=$6
	case $WC_GUEST_ARCH in
	x86_64)
		WC_QEMU_CMD=(
			"$WC_GUEST_QEMU" -accel tcg,thread=single
			-machine q35 -cpu max -smp 2 -m 2G
			-nodefaults -no-user-config -display none -no-reboot
			-device intel-iommu
			-kernel "$kernel" -initrd "$initrd"
			-append "console=$WC_GUEST_CONSOLE panic=-1 loglevel=4 no_timer_check intel_iommu=on iommu=nopt default_hugepagesz=2M hugepagesz=2M hugepages=256 $extra"
			-serial "file:$con" -serial "file:$res"
			-object "memory-backend-file,id=ivshmem_mem,share=on,mem-path=$shm,size=1M"
			-device pcie-root-port,id=rp_ivshmem,bus=pcie.0,addr=0x2,chassis=1,port=1
			-device ivshmem-plain,memdev=ivshmem_mem,bus=rp_ivshmem,addr=0x0
			-netdev hubport,id=hub_virtio,hubid=0
			-device virtio-net-pci,netdev=hub_virtio,bus=pcie.0,addr=0x3,disable-legacy=on,iommu_platform=on,romfile=
			-netdev hubport,id=hub_e1000e,hubid=0
			-device e1000e,netdev=hub_e1000e,bus=pcie.0,addr=0x4,romfile=
			-object "memory-backend-file,id=ivshmem_large_mem,share=on,mem-path=${shm%/*}/ivshmem-large.bin,size=$WC_GUEST_LARGE_BAR"
			-device pcie-root-port,id=rp_ivshmem_large,bus=pcie.0,addr=0x5,chassis=2,port=2,x-speed=5
			-device ivshmem-plain,memdev=ivshmem_large_mem,bus=rp_ivshmem_large,addr=0x0,multifunction=on
			-device virtio-rng-pci,bus=rp_ivshmem_large,addr=0x0.1,disable-legacy=on,iommu_platform=on,romfile=
		)
		;;
	arm64)
		WC_QEMU_CMD=(
			"$WC_GUEST_QEMU" -accel tcg,thread=single
			-machine virt,iommu=smmuv3,gic-version=3
			-cpu max,pauth-impdef=on -smp 2 -m 2G
			-nodefaults -no-user-config -display none -no-reboot
			-kernel "$kernel" -initrd "$initrd"
			-append "console=$WC_GUEST_CONSOLE panic=-1 loglevel=4 iommu.passthrough=0 default_hugepagesz=2M hugepagesz=2M hugepages=256 $extra"
			-serial "file:$con"
			-device virtio-serial-device
			-chardev "file,id=wc_result,path=$res"
			-device virtconsole,chardev=wc_result
			-object "memory-backend-file,id=ivshmem_mem,share=on,mem-path=$shm,size=1M"
			-device pcie-root-port,id=rp_ivshmem,bus=pcie.0,addr=0x2,chassis=1,port=1,hotplug=off
			-device ivshmem-plain,memdev=ivshmem_mem,bus=rp_ivshmem,addr=0x0
			-netdev hubport,id=hub_virtio,hubid=0
			-device virtio-net-pci,netdev=hub_virtio,bus=pcie.0,addr=0x3,disable-legacy=on,iommu_platform=on,romfile=
			-netdev hubport,id=hub_e1000e,hubid=0
			-device e1000e,netdev=hub_e1000e,bus=pcie.0,addr=0x4,romfile=
		)
		;;
	esac
}
