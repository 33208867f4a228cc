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
