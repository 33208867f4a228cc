/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#ifndef _PCI_WC_PLAN_H_
#define _PCI_WC_PLAN_H_

/**
 * @file
 * Mapping plan of the BARs of a VFIO PCI device.
 *
 * The plan is computed once, by a pure function, from what the kernel
 * says about the BARs (size, type, mmap-able areas, MSI-X table) and from
 * the write-combining requests. For every BAR it is a list of page-aligned,
 * sorted, non-overlapping segments that tile the BAR (rounded up to a
 * page), each either a hole (left unmapped), uncached or write-combining.
 *
 * The mapper then reserves the address space of a BAR once and maps each
 * segment exactly once at its place; unmapping releases the reservation.
 * A physical range is therefore never mapped twice with different
 * attributes (x86 PAT would silently make both use the first one).
 *
 * The plan is stored in the shared record of the device (struct
 * mapped_pci_resource): it is fixed-size and holds no pointer, so that a
 * secondary process replays exactly what the primary mapped.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_compat.h>
#include <rte_pci.h>

#include "rte_bus_pci_wc.h"

/**
 * Most segments per BAR. Every requested range and every sparse mmap
 * area adds at most two; a BAR needing more is refused with a message,
 * never left with unmapped areas.
 */
#define PCI_WC_MAX_SEGS 128

/* BAR description flags (struct pci_wc_bar_desc). */
#define PCI_WC_BAR_MEM      (1u << 0) /**< Memory BAR (else I/O). */
#define PCI_WC_BAR_PREFETCH (1u << 1) /**< Prefetchable memory BAR. */
#define PCI_WC_BAR_64BIT    (1u << 2) /**< 64-bit BAR, uses the next slot. */
#define PCI_WC_BAR_MMAP     (1u << 3) /**< The kernel allows mmap. */

/** Kind of a planned segment: how it is mapped. */
enum pci_wc_seg_kind {
	PCI_WC_SEG_HOLE = 0, /**< Not mapped (inaccessible). */
	PCI_WC_SEG_UC = 1,   /**< Device fd mmap, uncached. */
	PCI_WC_SEG_WC = 2,   /**< dma-buf mmap, write-combining. */
};

/** An area of a BAR (offset, length). */
struct pci_wc_area {
	uint64_t offset;
	uint64_t len;
};

/** What the kernel says about one BAR. */
struct pci_wc_bar_desc {
	uint64_t size;      /**< Region size; 0 when absent. */
	uint32_t flags;     /**< PCI_WC_BAR_* */
	uint32_t nb_areas;  /**< Sparse mmap areas; 0: the whole BAR. */
	/** The nb_areas sparse mmap areas, in any order. */
	const struct pci_wc_area *areas;
};

/** Input of pci_wc_plan_build(). */
struct pci_wc_plan_input {
	size_t page_size;
	struct pci_wc_bar_desc bars[PCI_MAX_RESOURCE];
	int msix_bar;          /**< BAR of a non-mappable MSI-X table, or -1. */
	uint64_t msix_offset;  /**< MSI-X table offset in that BAR. */
	uint64_t msix_size;    /**< MSI-X table size. */
	/** Write-combine every prefetchable memory BAR. */
	bool wc_prefetchable;
	/** ... and fail rather than fall back for those. */
	bool wc_prefetchable_required;
	const struct rte_pci_wc_range *ranges; /**< Explicit ranges. */
	unsigned int nb_ranges;
};

/** One planned segment (shared record: no pointers, fixed size). */
struct pci_wc_segment {
	uint64_t offset;    /**< From the start of the BAR, page aligned. */
	uint64_t len;       /**< Multiple of the page size. */
	uint8_t kind;       /**< enum pci_wc_seg_kind, as mapped. */
	uint8_t requested;  /**< enum rte_pci_mem_attr asked for. */
	uint8_t effective;  /**< enum rte_pci_mem_attr observed. */
	uint8_t required;   /**< WC was required (no fallback). */
	uint32_t reserved;
};

/** Plan of one BAR. */
struct pci_wc_bar_plan {
	uint64_t map_len;   /**< Reserved length; 0: BAR not mapped. */
	uint32_t nb_segs;
	uint32_t reserved;
	struct pci_wc_segment segs[PCI_WC_MAX_SEGS];
};

/** Plan of a device. */
struct pci_wc_plan {
	struct pci_wc_bar_plan bars[PCI_MAX_RESOURCE];
};

/**
 * Compute the mapping plan of a device. Pure: no log, no system call but
 * for memory allocation.
 *
 * @param in
 *   BAR descriptions and requests.
 * @param plan
 *   Output, fully written on success.
 * @param err
 *   On failure, a message naming the BAR, the range and the reason.
 * @param err_len
 *   Size of err.
 * The cost depends on the number of areas and ranges, never on the
 * size of a BAR.
 *
 * @return
 *   0, or -EINVAL for a bad request or input, -E2BIG when a BAR would
 *   need more than PCI_WC_MAX_SEGS segments, -ENOMEM.
 */
__rte_internal
int
pci_wc_plan_build(const struct pci_wc_plan_input *in,
		struct pci_wc_plan *plan, char *err, size_t err_len);

/**
 * Turn the write-combining segments of one BAR into uncached ones and
 * merge neighbours, when WC cannot be had and was not required.
 *
 * @return
 *   Number of segments that were write-combining.
 */
__rte_internal
unsigned int
pci_wc_plan_fallback_bar(struct pci_wc_bar_plan *bp);

/**
 * Plan of a mapped BAR after remapping a range of it to one kind: the
 * segments the range overlaps take that kind inside it (requested and
 * effective attribute alike, the mapper corrects the effective one),
 * split at the range's edges, and neighbours that are the same in
 * every field are merged. Pure: no system call, no log.
 *
 * The window is what the mapper must map again: the range, widened to
 * the whole write-combining segments it overlaps (a write-combining
 * segment is one kernel reservation, which is released only when all
 * of it is unmapped). It is empty when the range already has that kind.
 *
 * @param old
 *   Plan of the mapped BAR.
 * @param bar
 *   BAR index, for the messages.
 * @param page_size
 *   System page size.
 * @param offset
 *   Start of the range in the BAR, page aligned.
 * @param len
 *   Length of the range, page aligned, not 0.
 * @param kind
 *   PCI_WC_SEG_UC or PCI_WC_SEG_WC.
 * @param new_plan
 *   Output: the plan of the BAR after the remap.
 * @param win_offset
 *   Output: start of the window.
 * @param win_len
 *   Output: length of the window, 0 when there is nothing to do.
 * @param err
 *   On failure, the reason, naming the BAR and the range.
 * @param err_len
 *   Size of err.
 * @return
 *   0, -EINVAL for a bad range (empty, unaligned, outside the mapping,
 *   over a hole) or kind, -ENODEV for a BAR that is not mapped, -E2BIG
 *   when the BAR would need more than PCI_WC_MAX_SEGS segments.
 */
__rte_internal
int
pci_wc_plan_remap(const struct pci_wc_bar_plan *old, unsigned int bar,
		size_t page_size, uint64_t offset, uint64_t len,
		enum pci_wc_seg_kind kind, struct pci_wc_bar_plan *new_plan,
		uint64_t *win_offset, uint64_t *win_len,
		char *err, size_t err_len);

/**
 * Find the segment of a BAR plan holding an offset.
 *
 * @return
 *   The segment, or NULL past the end of the mapping.
 */
__rte_internal
const struct pci_wc_segment *
pci_wc_plan_find(const struct pci_wc_bar_plan *bp, uint64_t offset);

#endif /* _PCI_WC_PLAN_H_ */
