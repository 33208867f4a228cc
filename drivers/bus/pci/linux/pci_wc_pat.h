/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#ifndef _PCI_WC_PAT_H_
#define _PCI_WC_PAT_H_

/**
 * @file
 * Cross-check of a write-combined mapping against the x86 PAT memory
 * type list (/sys/kernel/debug/x86/pat_memtype_list).
 *
 * On x86 the kernel takes the cache type of a page of I/O memory from
 * this list when it inserts the page table entry, whatever the mapping
 * asked for: a WC request on a range already reserved uncached is
 * silently uncached. The list is therefore the truth to report.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_compat.h>

#include "rte_bus_pci_wc.h"

/** Result of pci_wc_pat_check(). */
enum pci_wc_pat_result {
	/** Every byte is covered by write-combining entries only. */
	PCI_WC_PAT_WC = 0,
	/** A non-WC entry overlaps the range, or part of it has none. */
	PCI_WC_PAT_NOT_WC = 1,
};

/**
 * Check a physical range against the text of pat_memtype_list.
 * Lines look like "PAT: [mem 0x00000000fe000000-0x00000000fe002000]
 * write-combining"; other lines are ignored. Pure function.
 *
 * @param list
 *   NUL-terminated content of the list.
 * @param start
 *   First physical address.
 * @param end
 *   End physical address (exclusive).
 * @param other
 *   On PCI_WC_PAT_NOT_WC, receives the name of the offending type
 *   ("uncached-minus", ...) or "none" (static or list storage, up to
 *   31 characters, copied).
 * @return
 *   An enum pci_wc_pat_result value.
 */
__rte_internal
int
pci_wc_pat_check(const char *list, uint64_t start, uint64_t end,
		char other[32]);

/**
 * Effective attribute of a mapped range. Where the PAT list is readable
 * it decides, for uncached mappings too: a kernel driver may map the
 * device file write-combining (as the vfio-pci patched for ENA does for
 * prefetchable BARs). Without the list, a write-combining mapping is
 * certain only through the trusted variant driver (which sets the
 * attribute itself), and an uncached one is taken as asked.
 * Pure function.
 *
 * @param list
 *   NUL-terminated content of the PAT memory type list, or NULL where
 *   there is none to read (not x86, no debugfs, no permission).
 * @param mapped_wc
 *   Whether the range was mapped write-combining (a dma-buf with the WC
 *   attribute) rather than uncached (the device file).
 * @param trusted_driver
 *   Whether the device is bound to the vfio-pci-wc variant driver.
 * @param start
 *   First physical address.
 * @param end
 *   End physical address (exclusive).
 * @param other
 *   On RTE_PCI_MEM_ATTR_UC, receives the offending PAT type, as
 *   pci_wc_pat_check() does.
 * @return
 *   RTE_PCI_MEM_ATTR_WC if the list shows the range entirely
 *   write-combining, RTE_PCI_MEM_ATTR_UC if it does not; without a list,
 *   RTE_PCI_MEM_ATTR_UC for an uncached mapping, RTE_PCI_MEM_ATTR_WC for
 *   a write-combining one through the trusted driver,
 *   RTE_PCI_MEM_ATTR_WC_UNVERIFIED otherwise.
 */
__rte_internal
enum rte_pci_mem_attr
pci_wc_pat_effective(const char *list, bool mapped_wc, bool trusted_driver,
		uint64_t start, uint64_t end, char other[32]);

#endif /* _PCI_WC_PAT_H_ */
