/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#ifndef _PCI_WC_DEVARGS_H_
#define _PCI_WC_DEVARGS_H_

/**
 * @file
 * The "wc" PCI device argument:
 *
 *   wc=auto      what the driver asks for (the default)
 *   wc=off       nothing write-combining
 *   wc=on        every prefetchable memory BAR, required
 *   wc=[2,4:0x3000-0x3fff,...]
 *                the listed BARs (whole) or BAR:start-end ranges (end
 *                inclusive, page aligned), required; brackets may be
 *                left out for a single item
 *
 * It is a bus key: in the "-a BDF,wc=...,k=v" form it is removed from the
 * driver's arguments before the driver parses them, so that drivers which
 * reject unknown keys still probe.
 */

#include <stddef.h>

#include <rte_compat.h>

#include "rte_bus_pci_wc.h"

/** Key of the device argument. */
#define PCI_WC_DEVARG_KEY "wc"

/** Longest value kept from a "wc" device argument. */
#define PCI_WC_DEVARG_MAX_LEN 512

enum pci_wc_mode {
	PCI_WC_MODE_AUTO = 0,
	PCI_WC_MODE_OFF,
	PCI_WC_MODE_ON,
	PCI_WC_MODE_LIST,
};

/** A parsed "wc" device argument. */
struct pci_wc_policy {
	enum pci_wc_mode mode;
	unsigned int nb_ranges; /**< PCI_WC_MODE_LIST only. */
	struct rte_pci_wc_range ranges[RTE_PCI_WC_MAX_RANGES];
	/** The value as the user wrote it, for messages. */
	char text[PCI_WC_DEVARG_MAX_LEN];
};

/**
 * Parse the value of a "wc" device argument.
 *
 * @param devname
 *   Device name, for the error message.
 * @param value
 *   The text after "wc=".
 * @param page_size
 *   System page size; ranges must be aligned to it.
 * @param policy
 *   Output.
 * @param err
 *   On failure: "<devname>: invalid device argument wc=<value>: <reason>".
 * @param err_len
 *   Size of err.
 * @return
 *   0 or -EINVAL.
 */
__rte_internal
int
pci_wc_devargs_parse(const char *devname, const char *value,
		size_t page_size, struct pci_wc_policy *policy,
		char *err, size_t err_len);

/**
 * Remove the "wc" key from a driver argument string, in place, keeping
 * every other key=value pair in order. Pairs are split on commas outside
 * brackets, as rte_kvargs does.
 *
 * @param args
 *   The argument string (modified).
 * @param value
 *   Receives the value of the removed key ("" for a key without value).
 * @param value_len
 *   Size of value.
 * @return
 *   1 if the key was found and removed, 0 if absent, -EEXIST if it is
 *   given more than once, -E2BIG if its value does not fit (args are left
 *   untouched on error).
 */
__rte_internal
int
pci_wc_devargs_strip(char *args, char *value, size_t value_len);

#endif /* _PCI_WC_DEVARGS_H_ */
