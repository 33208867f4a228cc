/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#ifndef _RTE_BUS_PCI_WC_H_
#define _RTE_BUS_PCI_WC_H_

/**
 * @file
 * Write-combined mapping of PCI BAR ranges.
 *
 * A poll mode driver pushes descriptors and rings doorbells by storing to
 * a BAR. Mapped uncached, every store leaves the CPU on its own; mapped
 * write-combining (WC), neighbouring stores leave as one burst. Only the
 * driver knows which ranges tolerate WC (stores may be combined and
 * reordered, and on x86 reads may be speculative), so every range is
 * mapped uncached unless it is asked for:
 *
 * - by the driver, before the bus maps the BARs: the flag
 *   RTE_PCI_DRV_WC_ACTIVATE (every prefetchable memory BAR) and/or the
 *   wc_ranges callback of struct rte_pci_driver; a driver that maps the
 *   device itself calls rte_pci_wc_request() before rte_pci_map_device();
 * - by the user, with the device argument "wc=off|auto|on|[...]", which
 *   overrides the driver's choice (see the PCI bus guide).
 *
 * What the driver or the user asks for is a request; what the BAR really
 * uses is reported by rte_pci_mem_attr_get() and
 * rte_pci_mem_segments_get() once the device is mapped. A driver that
 * learns its ranges from the mapped device remaps them with
 * rte_pci_mem_remap(). A request the
 * kernel cannot meet falls back to uncached with a log line, unless it is
 * flagged RTE_PCI_WC_RANGE_F_REQUIRED, in which case mapping fails.
 */

#ifdef __cplusplus
extern "C" {
#endif

#include <stdint.h>

#include <rte_compat.h>

struct rte_device;
struct rte_pci_device;

/** Maximum number of ranges in one write-combining request. */
#define RTE_PCI_WC_MAX_RANGES 16

/**
 * Mapping fails rather than falling back to uncached when this range
 * cannot be mapped write-combining.
 */
#define RTE_PCI_WC_RANGE_F_REQUIRED (1u << 0)

/**
 * The range goes from its offset to the end of the BAR; its len must be
 * 0. Without this flag a range of length 0 is refused.
 */
#define RTE_PCI_WC_RANGE_F_TO_END (1u << 1)

/**
 * @warning
 * @b EXPERIMENTAL: this structure may change without prior notice.
 *
 * A BAR range to map write-combining.
 *
 * offset and len are multiples of the system page size, len is not 0. A
 * range that spans a whole BAR (offset 0, flag RTE_PCI_WC_RANGE_F_TO_END)
 * skips the parts of the BAR that cannot be mapped write-combining (the
 * MSI-X table); any other range must lie entirely in mappable space.
 */
struct rte_pci_wc_range {
	uint8_t bar;      /**< BAR index, 0 to 5. */
	uint8_t reserved[3]; /**< Must be 0. */
	uint32_t flags;   /**< RTE_PCI_WC_RANGE_F_* */
	uint64_t offset;  /**< Offset from the start of the BAR. */
	uint64_t len;     /**< Length; 0 with RTE_PCI_WC_RANGE_F_TO_END. */
};

/**
 * Memory attribute of a BAR offset, as mapped in this process.
 */
enum rte_pci_mem_attr {
	/** Not mapped: absent, I/O or non-mappable BAR, or a hole. */
	RTE_PCI_MEM_ATTR_UNMAPPED = 0,
	/** Uncached (x86 UC/UC-, arm64 Device). */
	RTE_PCI_MEM_ATTR_UC = 1,
	/** Write-combining, confirmed by the kernel or the page tables. */
	RTE_PCI_MEM_ATTR_WC = 2,
	/** Mapped write-combining, but the attribute could not be checked. */
	RTE_PCI_MEM_ATTR_WC_UNVERIFIED = 3,
};

/**
 * @warning
 * @b EXPERIMENTAL: this structure may change without prior notice.
 *
 * One segment of a mapped BAR: a page-aligned range with one attribute.
 * The segments of a BAR are sorted, do not overlap and together cover
 * the BAR (rounded up to a page).
 */
struct rte_pci_mem_segment {
	uint8_t bar;         /**< BAR index. */
	uint64_t offset;     /**< Offset from the start of the BAR. */
	uint64_t len;        /**< Length in bytes. */
	void *addr;          /**< Virtual address, NULL when not mapped. */
	enum rte_pci_mem_attr requested; /**< What was asked for. */
	enum rte_pci_mem_attr effective; /**< What the mapping uses. */
};

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Driver callback giving the BAR ranges to map write-combining.
 * Called by the bus before it maps a device for a driver with
 * RTE_PCI_DRV_NEED_MAPPING (and by rte_pci_map_device() for others).
 * Only the device's identity is known at that point, not its
 * configuration space.
 *
 * @param dev
 *   The PCI device about to be mapped.
 * @param ranges
 *   Array to fill.
 * @param max_ranges
 *   Size of the array (RTE_PCI_WC_MAX_RANGES).
 * @return
 *   Number of ranges filled (0 for none), or a negative errno value to
 *   refuse the device.
 */
typedef int (rte_pci_wc_ranges_t)(const struct rte_pci_device *dev,
		struct rte_pci_wc_range *ranges, unsigned int max_ranges);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Ask for BAR ranges to be mapped write-combining by the next
 * rte_pci_map_device() of this device. Replaces any earlier request made
 * through this function; the request is dropped by rte_pci_unmap_device().
 * A user "wc=" device argument other than "auto" overrides it.
 *
 * @param dev
 *   The PCI device, not mapped yet.
 * @param ranges
 *   The ranges (checked against the BARs when mapping).
 * @param nb_ranges
 *   Number of ranges, at most RTE_PCI_WC_MAX_RANGES; 0 clears the request.
 * @return
 *   0 on success, or a negative errno value:
 *   -EINVAL for a NULL device, a BAR index above 5, a range that is not
 *   page aligned, of length 0 without RTE_PCI_WC_RANGE_F_TO_END (or not
 *   0 with it), non-zero reserved fields or unknown flags;
 *   -E2BIG for too many ranges; -EBUSY if the device is already mapped.
 */
__rte_experimental
int
rte_pci_wc_request(struct rte_pci_device *dev,
		const struct rte_pci_wc_range *ranges, unsigned int nb_ranges);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Get the effective memory attribute of a BAR offset in this process.
 *
 * @param dev
 *   The PCI device.
 * @param bar
 *   BAR index, 0 to 5.
 * @param offset
 *   Offset from the start of the BAR.
 * @return
 *   An enum rte_pci_mem_attr value (RTE_PCI_MEM_ATTR_UNMAPPED for an
 *   unmapped device, BAR, hole or an offset past the BAR), or -EINVAL
 *   for a NULL device or a BAR index above 5.
 */
__rte_experimental
int
rte_pci_mem_attr_get(const struct rte_pci_device *dev, unsigned int bar,
		uint64_t offset);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * List the mapped segments of every BAR of a device, in BAR then offset
 * order, holes included.
 *
 * @param dev
 *   The PCI device.
 * @param segs
 *   Array to fill; may be NULL when nb_segs is 0.
 * @param nb_segs
 *   Size of the array.
 * @return
 *   The total number of segments of the device (possibly more than
 *   nb_segs, of which only nb_segs were written; 0 when not mapped),
 *   or -EINVAL for a NULL device or a NULL array with a non-zero size.
 */
__rte_experimental
int
rte_pci_mem_segments_get(const struct rte_pci_device *dev,
		struct rte_pci_mem_segment *segs, unsigned int nb_segs);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * rte_pci_mem_segments_get() for a device as applications know it
 * (rte_dev_iterate(), the device of an ethdev port), without the PCI
 * driver header.
 *
 * @param dev
 *   A device of the PCI bus.
 * @param segs
 *   Array to fill; may be NULL when nb_segs is 0.
 * @param nb_segs
 *   Size of the array.
 * @return
 *   As rte_pci_mem_segments_get(); -EINVAL also for a device that is not
 *   on the PCI bus.
 */
__rte_experimental
int
rte_pci_dev_mem_segments_get(const struct rte_device *dev,
		struct rte_pci_mem_segment *segs, unsigned int nb_segs);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Remap a range of a mapped BAR write-combining, or back to uncached,
 * for a driver that learns where its write-combining ranges are from
 * the device once the BARs are mapped (a doorbell page read from
 * firmware, a controller memory buffer). Only for devices mapped by the
 * PCI bus through VFIO, in the primary process; the secondary processes
 * that map the device remap it too, through the EAL multi-process
 * channel, before the call returns.
 *
 * The range is never unmapped: the new mapping replaces the old one in
 * place (MAP_FIXED), so no other mapping can take its addresses and the
 * device keeps its virtual address. While the call runs, the range must
 * not be accessed, by any thread or process: the kernel takes the old
 * mapping away from under it (an access faults) before the new one is
 * in place. Going back to uncached releases the write-combining
 * segments the range touches as a whole and maps their other parts
 * write-combining again.
 *
 * On success the effective attribute (rte_pci_mem_attr_get(),
 * rte_pci_mem_segments_get(), telemetry) describes the new mapping. On
 * failure, logged with the device, BAR, range and reason, every process
 * keeps (or is given back) the mapping it had.
 *
 * @param dev
 *   The PCI device, mapped.
 * @param bar
 *   BAR index, 0 to 5.
 * @param offset
 *   Start of the range in the BAR, a multiple of the page size.
 * @param len
 *   Length of the range, a non-zero multiple of the page size.
 * @param attr
 *   RTE_PCI_MEM_ATTR_WC or RTE_PCI_MEM_ATTR_UC.
 * @return
 *   0 on success (also when the range already has that attribute), or
 *   a negative errno value:
 *   -EINVAL for a NULL device, a BAR index above 5, an empty, unaligned
 *   or out-of-BAR range, a range over a hole of the mapping (MSI-X
 *   table) or another attribute;
 *   -ENODEV if the device or the BAR is not mapped through VFIO;
 *   -EPERM in a secondary process;
 *   -ENOTSUP if the kernel cannot map write-combining;
 *   -E2BIG if the BAR would need too many segments;
 *   the kernel's error when it refuses the range (for example -EPERM
 *   for a BAR its policy keeps uncached), or the first error of a
 *   secondary process.
 */
__rte_experimental
int
rte_pci_mem_remap(struct rte_pci_device *dev, unsigned int bar,
		uint64_t offset, uint64_t len, enum rte_pci_mem_attr attr);

/**
 * @warning
 * @b EXPERIMENTAL: this API may change without prior notice.
 *
 * Name of a memory attribute, as used in logs and by tools:
 * "unmapped", "uc", "wc" or "wc-unverified".
 *
 * @param attr
 *   An enum rte_pci_mem_attr value.
 * @return
 *   A static string; "unknown" for an unknown value.
 */
__rte_experimental
const char *
rte_pci_mem_attr_name(enum rte_pci_mem_attr attr);

#ifdef __cplusplus
}
#endif

#endif /* _RTE_BUS_PCI_WC_H_ */
