/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#ifndef _PCI_WC_H_
#define _PCI_WC_H_

/**
 * @file
 * Write-combining state of a PCI device (process-local).
 *
 * The requests of a device (user device argument, driver flag and
 * callback, rte_pci_wc_request()) are kept in its state until the device
 * is mapped; the mapper turns them into a plan stored in the shared
 * record, and points the state at it so that the query API can read it.
 * The state lives with the device (struct rte_pci_device_internal) and
 * goes away with it.
 */

#include <stdbool.h>

#include <rte_log.h>
#include <rte_spinlock.h>

#include "pci_wc_devargs.h"
#include "pci_wc_plan.h"

struct rte_pci_device;

/**
 * Write-combining state of one device. The lock guards every field
 * against the threads that query the device (telemetry, applications)
 * while the EAL thread maps, unmaps or probes it; nothing under it
 * allocates memory or makes a system call.
 */
struct pci_wc_dev_state {
	rte_spinlock_t lock;
	/** Policy of the "wc" device argument, for the current probe pass. */
	struct pci_wc_policy policy;
	/** rte_pci_wc_request() ranges, kept until the device is unmapped. */
	unsigned int nb_requests;
	struct rte_pci_wc_range requests[RTE_PCI_WC_MAX_RANGES];
	/** Plan in the shared record while the device is mapped, or NULL. */
	const struct pci_wc_plan *plan;
	/** Driver arguments without "wc", given to drivers while probing. */
	char *drv_str_stripped;
	/** The full driver arguments, restored after probing. */
	const char *drv_str_saved;
};

extern int pci_wc_logtype;

#define PCI_WC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_ ## level, pci_wc_logtype, "PCI_WC: " fmt "\n", \
		## __VA_ARGS__)

/**
 * Read the "wc" key of the device's arguments (the driver part of
 * "-a BDF,..." or the bus layer of "bus=pci,...") and remember its policy
 * (auto when absent) for the mapping that follows. While the drivers
 * probe the device, its driver arguments are a copy without the key, so
 * that drivers which reject unknown keys still probe; the devargs
 * themselves are left intact for later probes and for display.
 * Called when the bus probes the device, before any driver sees its
 * arguments; pci_wc_devargs_restore() follows every successful call.
 *
 * @return
 *   0, or a negative errno value (logged, naming the device): -EINVAL
 *   for a malformed value, -ENOTSUP for a required request the kernel
 *   driver of the device cannot honour, -ENOMEM.
 */
int
pci_wc_devargs_apply(struct rte_pci_device *dev);

/** Give the device back its full driver arguments after probing. */
void
pci_wc_devargs_restore(struct rte_pci_device *dev);

/** Write-combining state of a device (in struct rte_pci_device_internal). */
struct pci_wc_dev_state *
pci_wc_dev_state(const struct rte_pci_device *dev);

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
 * @param user_value
 *   Receives the value of the "wc" device argument when the ranges come
 *   from it (so that errors quote it), "" otherwise.
 * @param user_value_len
 *   Size of user_value.
 * @return
 *   0, or a negative errno value (logged).
 */
int
pci_wc_requests_get(const struct rte_pci_device *dev,
		struct pci_wc_plan_input *in,
		struct rte_pci_wc_range *ranges, bool *explicit_on,
		char *user_value, size_t user_value_len);

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

/**
 * Drop the rte_pci_wc_request() ranges; called by rte_pci_unmap_device(),
 * not when a mapping attempt fails, so that the next attempt has them.
 */
void
pci_wc_requests_drop(const struct rte_pci_device *dev);

#endif /* _PCI_WC_H_ */
