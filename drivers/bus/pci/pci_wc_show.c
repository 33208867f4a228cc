/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

/*
 * How the BARs of PCI devices are mapped, for applications: the query by
 * generic device (rte_pci_dev_mem_segments_get) and telemetry:
 *
 *   /pci/wc_list          names of the PCI devices with mapped BARs
 *   /pci/wc,<PCI address> the segments of that device's BARs, each with
 *                         its BAR, range, length, requested and effective
 *                         attribute
 *
 * A PCI address cannot be a telemetry dictionary key, so devices are
 * listed as values and selected by parameter.
 *
 * Telemetry runs on its own thread, while devices may be hot-unplugged
 * and freed on another: the device list is walked, and a device's
 * segments copied, under the bus' device list lock only.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <bus_pci_driver.h>
#include <rte_common.h>
#include <rte_pci.h>
#include <rte_rwlock.h>
#include <rte_string_fns.h>
#include <rte_telemetry.h>

#include "private.h"
#include "rte_bus_pci_wc.h"

int
rte_pci_dev_mem_segments_get(const struct rte_device *dev,
		struct rte_pci_mem_segment *segs, unsigned int nb_segs)
{
	if (dev == NULL || dev->bus != &rte_pci_bus.bus)
		return -EINVAL;
	return rte_pci_mem_segments_get(RTE_DEV_TO_PCI_CONST(dev), segs,
		nb_segs);
}

static bool
params_empty(const char *params)
{
	return params == NULL || params[0] == '\0';
}

static int
pci_wc_telemetry_list(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	struct rte_pci_device *dev;

	if (!params_empty(params))
		return -EINVAL;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	rte_rwlock_read_lock(&rte_pci_bus.device_list_lock);
	FOREACH_DEVICE_ON_PCIBUS(dev)
		if (rte_pci_mem_segments_get(dev, NULL, 0) > 0)
			rte_tel_data_add_array_string(d, dev->name);
	rte_rwlock_read_unlock(&rte_pci_bus.device_list_lock);
	return 0;
}

/* Called with the device list locked. */
static struct rte_pci_device *
device_from_addr(const struct rte_pci_addr *addr)
{
	struct rte_pci_device *dev;

	FOREACH_DEVICE_ON_PCIBUS(dev)
		if (rte_pci_addr_cmp(&dev->addr, addr) == 0)
			return dev;
	return NULL;
}

/* One segment as a dictionary; NULL when out of memory. */
static struct rte_tel_data *
segment_to_tel(const struct rte_pci_mem_segment *seg)
{
	struct rte_tel_data *s;
	char range[64];

	s = rte_tel_data_alloc();
	if (s == NULL)
		return NULL;
	snprintf(range, sizeof(range), "0x%" PRIx64 "-0x%" PRIx64,
		seg->offset, seg->offset + seg->len - 1);
	rte_tel_data_start_dict(s);
	rte_tel_data_add_dict_int(s, "bar", seg->bar);
	rte_tel_data_add_dict_string(s, "range", range);
	rte_tel_data_add_dict_u64(s, "len", seg->len);
	rte_tel_data_add_dict_string(s, "requested",
		rte_pci_mem_attr_name(seg->requested));
	rte_tel_data_add_dict_string(s, "effective",
		rte_pci_mem_attr_name(seg->effective));
	return s;
}

/*
 * A dictionary: the device name, its number of segments, then one
 * dictionary per segment under the key "bar<N>_0x<offset>" (22.11
 * telemetry has no arrays of dictionaries).
 */
static int
pci_wc_telemetry_segments(const char *cmd __rte_unused, const char *params,
		struct rte_tel_data *d)
{
	const int max = RTE_TEL_MAX_DICT_ENTRIES - 2;
	struct rte_pci_mem_segment *segs;
	struct rte_pci_device *dev;
	struct rte_pci_addr addr;
	struct rte_tel_data *s;
	char key[RTE_TEL_MAX_STRING_LEN];
	char name[PCI_PRI_STR_SIZE + 1];
	int i, nb, total = 0;

	if (params_empty(params) || rte_pci_addr_parse(params, &addr) != 0)
		return -EINVAL;
	segs = calloc(max, sizeof(*segs));
	if (segs == NULL)
		return -ENOMEM;
	/* copy what is needed, the device may go once the lock is dropped */
	rte_rwlock_read_lock(&rte_pci_bus.device_list_lock);
	dev = device_from_addr(&addr);
	if (dev != NULL) {
		strlcpy(name, dev->name, sizeof(name));
		total = rte_pci_mem_segments_get(dev, segs, max);
	}
	rte_rwlock_read_unlock(&rte_pci_bus.device_list_lock);
	if (dev == NULL) {
		free(segs);
		return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "device", name);
	rte_tel_data_add_dict_int(d, "segments", RTE_MAX(total, 0));
	nb = RTE_MIN(total, max);
	for (i = 0; i < nb; i++) {
		s = segment_to_tel(&segs[i]);
		if (s == NULL)
			break;
		snprintf(key, sizeof(key), "bar%u_0x%" PRIx64, segs[i].bar,
			segs[i].offset);
		if (rte_tel_data_add_dict_container(d, key, s, 0) != 0) {
			rte_tel_data_free(s);
			break;
		}
	}
	free(segs);
	return i >= nb ? 0 : -ENOMEM;
}

RTE_INIT(pci_wc_telemetry_init)
{
	rte_telemetry_register_cmd("/pci/wc_list", pci_wc_telemetry_list,
		"Returns the PCI devices with mapped BARs. Takes no parameters");
	rte_telemetry_register_cmd("/pci/wc", pci_wc_telemetry_segments,
		"Returns the BAR segments of a PCI device with requested and effective memory attributes. Parameters: PCI address");
}
