/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#ifndef _PCI_VFIO_WC_H_
#define _PCI_VFIO_WC_H_

/**
 * @file
 * Mapping of the BARs of a VFIO device from its plan: uncached segments
 * are mmaps of the device fd, write-combining segments mmaps of a dma-buf
 * exported for exactly that range with the WC memory attribute
 * (VFIO_DEVICE_FEATURE_DMA_BUF and VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR).
 */

#include <stdbool.h>

#include "private.h"

struct rte_pci_device;

/**
 * Primary process: describe the BARs, build the plan (with the WC
 * requests of the device), map every BAR and record it all in res.
 * On failure nothing is left mapped.
 *
 * @return
 *   0 or -1 (logged).
 */
int
pci_vfio_wc_map_primary(struct rte_pci_device *dev, int vfio_dev_fd,
		struct mapped_pci_resource *res);

/**
 * Secondary process: map every BAR as the primary did, at the same
 * addresses with the same attributes. On failure nothing is left mapped.
 *
 * @return
 *   0 or -1 (logged).
 */
int
pci_vfio_wc_map_secondary(struct rte_pci_device *dev, int vfio_dev_fd,
		struct mapped_pci_resource *res);

/** Unmap every BAR mapped from res (the inverse of the above). */
void
pci_vfio_wc_unmap(struct rte_pci_device *dev,
		struct mapped_pci_resource *res);

struct pci_wc_segment;

/**
 * Why the kernel cannot map write-combining through this VFIO device
 * (VFIO features 11 and 14 probed), or NULL when it can.
 */
const char *
pci_vfio_wc_kernel_reason(int vfio_dev_fd);

/**
 * Map one plan segment of a BAR write-combining at addr (MAP_FIXED):
 * dma-buf export of the range, WC attribute, mmap.
 *
 * @param step
 *   On failure, what failed ("dma-buf export", ...).
 * @return
 *   0 or a negative errno value (errno of the failed step).
 */
int
pci_vfio_wc_map_wc(int vfio_dev_fd, int bar, const struct pci_wc_segment *seg,
		void *addr, const char **step);

/**
 * Effective attribute of a mapped range of a BAR, from the PAT list
 * (x86) or the driver, as for the mapping at probe time.
 *
 * @param mapped_wc
 *   Whether the range was mapped write-combining (else uncached).
 * @param other
 *   When the result is uncached, the PAT memory type found instead.
 */
enum rte_pci_mem_attr
pci_vfio_wc_effective(const struct rte_pci_device *dev, unsigned int bar,
		uint64_t offset, uint64_t len, bool mapped_wc, char other[32]);

/**
 * Secondary process: answer the primary's remap requests
 * (rte_pci_mem_remap()) on the EAL multi-process channel. Called when
 * the bus scans; registers once, does nothing in the primary.
 */
void
pci_vfio_wc_remap_mp_register(void);

/**
 * Whether the kernel driver of a device is a vfio-pci variant driver
 * (vfio-pci-wc, mlx5_vfio_pci, ...): a module that uses vfio_pci_core,
 * and so offers the uAPI of vfio-pci.
 *
 * @param dev_dir
 *   sysfs directory of the device.
 */
bool
pci_vfio_is_variant_driver(const char *dev_dir);

#endif /* _PCI_VFIO_WC_H_ */
