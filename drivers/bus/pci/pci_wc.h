/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#ifndef _PCI_WC_H_
#define _PCI_WC_H_

/**
 * @file
 * Write-combining requests of PCI devices (process-local state).
 *
 * The requests of a device (user device argument, driver flag and
 * callback, rte_pci_wc_request()) are kept here until the device is
 * mapped; the mapper turns them into a plan stored in the shared record,
 * and points this state at it so that the query API can read it.
 */

#include <stdbool.h>

#include <rte_log.h>

#include "pci_wc_devargs.h"
#include "pci_wc_plan.h"

struct rte_pci_device;

extern int pci_wc_logtype;

#define PCI_WC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, pci_wc_logtype, "PCI_WC: " fmt "\n", \
		## __VA_ARGS__)

/**
 * Take the "wc" key out of the device's arguments (both the driver part
 * of "-a BDF,..." and the bus layer of "bus=pci,...") and remember its
 * policy (auto when absent) for the mapping that follows. Called when
 * the bus probes the device, before any driver sees its arguments.
 *
 * @return
 *   0, or -EINVAL for a malformed value (logged, naming the device).
 */
int
pci_wc_devargs_apply(struct rte_pci_device *dev);

/**
 * Fill the request part of a plan input from the user policy, the
 * driver (RTE_PCI_DRV_WC_ACTIVATE, wc_ranges callback) and
 * rte_pci_wc_request().
 *
 * @param ranges
 *   Storage for the ranges, RTE_PCI_WC_MAX_RANGES entries; in->ranges
 *   points to it.
 * @param explicit_on
 *   Set when the user asked for wc=on.
 * @return
 *   0, or a negative errno value (logged).
 */
int
pci_wc_requests_get(const struct rte_pci_device *dev,
		struct pci_wc_plan_input *in,
		struct rte_pci_wc_range *ranges, bool *explicit_on);

/** The mapper publishes (or, with NULL, withdraws) the device's plan. */
void
pci_wc_plan_publish(const struct rte_pci_device *dev,
		const struct pci_wc_plan *plan);

/**
 * Copy the plan of one BAR of a mapped device (for a remap).
 *
 * @return
 *   0, or -ENODEV when the device has no published plan.
 */
int
pci_wc_plan_bar_get(const struct rte_pci_device *dev, unsigned int bar,
		struct pci_wc_bar_plan *bp);

/**
 * Replace the plan of one BAR of a mapped device (after a remap), under
 * the lock the query API takes, so that readers see the old or the new
 * plan.
 *
 * @return
 *   0, or -ENODEV when the device has no published plan.
 */
int
pci_wc_plan_bar_replace(const struct rte_pci_device *dev, unsigned int bar,
		const struct pci_wc_bar_plan *bp);

/** Drop the rte_pci_wc_request() ranges; called when unmapping. */
void
pci_wc_requests_drop(const struct rte_pci_device *dev);

#endif /* _PCI_WC_H_ */
