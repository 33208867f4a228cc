/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bus_pci_driver.h>
#include <rte_devargs.h>
#include <rte_eal_paging.h>
#include <rte_kvargs.h>
#include <rte_spinlock.h>
#include <rte_string_fns.h>

#include "private.h"
#include "pci_wc.h"

RTE_LOG_REGISTER_SUFFIX(pci_wc_logtype, wc, INFO);

struct pci_wc_dev_state *
pci_wc_dev_state(const struct rte_pci_device *dev)
{
	/*
	 * Every PCI device is allocated by the bus as the internal struct;
	 * queries take a const device but lock its state.
	 */
	struct rte_pci_device *d = (struct rte_pci_device *)(uintptr_t)dev;

	return &RTE_PCI_DEVICE_INTERNAL(d)->wc;
}

/* Value of "wc" in the bus layer ("bus=pci,addr=...,wc=..."). */
static int
bus_layer_value(const struct rte_pci_device *dev, const char *bus_str,
		char *value, size_t len)
{
	struct rte_kvargs *kvlist;
	const char *v;
	int ret = 0;

	if (bus_str == NULL)
		return 0;
	kvlist = rte_kvargs_parse(bus_str, NULL);
	if (kvlist == NULL) {
		PCI_WC_LOG(ERR, "%s: cannot parse device arguments \"%s\"",
			dev->name, bus_str);
		return -EINVAL;
	}
	if (rte_kvargs_count(kvlist, PCI_WC_DEVARG_KEY) > 1) {
		PCI_WC_LOG(ERR, "%s: device argument %s given more than once",
			dev->name, PCI_WC_DEVARG_KEY);
		ret = -EINVAL;
		goto out;
	}
	v = rte_kvargs_get(kvlist, PCI_WC_DEVARG_KEY);
	if (v == NULL)
		goto out;
	if (strlcpy(value, v, len) >= len) {
		PCI_WC_LOG(ERR, "%s: device argument %s too long",
			dev->name, PCI_WC_DEVARG_KEY);
		ret = -EINVAL;
		goto out;
	}
	ret = 1;
out:
	rte_kvargs_free(kvlist);
	return ret;
}

/*
 * Value of "wc" in the driver part; *stripped receives a copy of the
 * driver part without the key (for the drivers), when the key is there.
 */
static int
driver_args_value(const struct rte_pci_device *dev,
		const struct rte_devargs *da, char *value, size_t len,
		char **stripped)
{
	char *copy;
	int ret;

	*stripped = NULL;
	if (da->drv_str == NULL)
		return 0;
	copy = strdup(da->drv_str);
	if (copy == NULL)
		return -ENOMEM;
	ret = pci_wc_devargs_strip(copy, value, len);
	if (ret == -EEXIST)
		PCI_WC_LOG(ERR, "%s: device argument %s given more than once",
			dev->name, PCI_WC_DEVARG_KEY);
	else if (ret == -E2BIG)
		PCI_WC_LOG(ERR, "%s: device argument %s too long",
			dev->name, PCI_WC_DEVARG_KEY);
	if (ret <= 0) {
		free(copy);
		return ret < 0 ? -EINVAL : 0;
	}
	*stripped = copy;
	return 1;
}

static int
devargs_policy(struct rte_pci_device *dev, const struct rte_devargs *da,
		struct pci_wc_policy *policy, char **stripped)
{
	char value[PCI_WC_DEVARG_MAX_LEN], drv_value[PCI_WC_DEVARG_MAX_LEN];
	char err[PCI_WC_DEVARG_MAX_LEN + 256];
	int in_bus, in_drv;

	memset(policy, 0, sizeof(*policy));
	*stripped = NULL;
	if (da == NULL)
		return 0;
	in_bus = bus_layer_value(dev, da->bus_str, value, sizeof(value));
	if (in_bus < 0)
		return in_bus;
	in_drv = driver_args_value(dev, da, drv_value, sizeof(drv_value),
			stripped);
	if (in_drv < 0)
		return in_drv;
	if (in_bus && in_drv) {
		PCI_WC_LOG(ERR, "%s: device argument %s given more than once",
			dev->name, PCI_WC_DEVARG_KEY);
		goto err;
	}
	if (!in_bus && !in_drv)
		return 0;
	if (pci_wc_devargs_parse(dev->name, in_bus ? value : drv_value,
			rte_mem_page_size(), policy, err, sizeof(err)) < 0) {
		PCI_WC_LOG(ERR, "%s", err);
		goto err;
	}
	return 0;
err:
	free(*stripped);
	*stripped = NULL;
	return -EINVAL;
}

/* Name of the kernel driver kind of a device, for messages. */
static const char *
kdrv_name(enum rte_pci_kernel_driver kdrv)
{
	switch (kdrv) {
	case RTE_PCI_KDRV_IGB_UIO:
		return "igb_uio";
	case RTE_PCI_KDRV_UIO_GENERIC:
		return "uio_pci_generic";
	case RTE_PCI_KDRV_NIC_UIO:
		return "nic_uio";
	case RTE_PCI_KDRV_NET_UIO:
		return "netuio";
	case RTE_PCI_KDRV_NONE:
		return "no kernel driver";
	case RTE_PCI_KDRV_VFIO:
		return "vfio-pci";
	default:
		return "a kernel driver DPDK cannot map";
	}
}

/*
 * Only the VFIO mapping path knows write-combined ranges; UIO keeps its
 * own rule (RTE_PCI_DRV_WC_ACTIVATE only), the other kernel drivers and
 * operating systems have none. A required request there is refused
 * rather than ignored.
 */
static int
check_policy_supported(const struct rte_pci_device *dev,
		const struct pci_wc_policy *policy)
{
	if (policy->mode != PCI_WC_MODE_ON && policy->mode != PCI_WC_MODE_LIST)
		return 0;
	if (dev->kdrv == RTE_PCI_KDRV_VFIO)
		return 0;
	PCI_WC_LOG(ERR, "%s: invalid device argument %s=%s: the device is bound to %s, write-combining needs a VFIO driver",
		dev->name, PCI_WC_DEVARG_KEY, policy->text,
		kdrv_name(dev->kdrv));
	return -ENOTSUP;
}

int
pci_wc_devargs_apply(struct rte_pci_device *dev)
{
	struct pci_wc_dev_state *st = pci_wc_dev_state(dev);
	struct rte_devargs *da = dev->device.devargs;
	struct pci_wc_policy policy;
	char *stripped;
	int ret;

	/*
	 * The policy holds for this probe pass only: the device is mapped
	 * during it, and every pass reads the devargs again.
	 */
	ret = devargs_policy(dev, da, &policy, &stripped);
	if (ret < 0)
		return ret;
	ret = check_policy_supported(dev, &policy);
	if (ret < 0) {
		free(stripped);
		return ret;
	}
	rte_spinlock_lock(&st->lock);
	st->policy = policy;
	rte_spinlock_unlock(&st->lock);
	if (stripped != NULL) {
		/* drv_str points into da->data, which the devargs own */
		st->drv_str_saved = da->drv_str;
		st->drv_str_stripped = stripped;
		da->drv_str = stripped;
	}
	return 0;
}

void
pci_wc_devargs_restore(struct rte_pci_device *dev)
{
	struct pci_wc_dev_state *st = pci_wc_dev_state(dev);
	struct rte_devargs *da = dev->device.devargs;

	if (st->drv_str_stripped == NULL)
		return;
	if (da != NULL && da->drv_str == st->drv_str_stripped)
		da->drv_str = st->drv_str_saved;
	free(st->drv_str_stripped);
	st->drv_str_stripped = NULL;
	st->drv_str_saved = NULL;
}

static int
add_ranges(struct pci_wc_plan_input *in, struct rte_pci_wc_range *ranges,
		const struct rte_pci_wc_range *add, unsigned int nb)
{
	if (nb > RTE_PCI_WC_MAX_RANGES - in->nb_ranges)
		return -E2BIG;
	memcpy(&ranges[in->nb_ranges], add, nb * sizeof(*add));
	in->nb_ranges += nb;
	return 0;
}

static int
driver_ranges(const struct rte_pci_device *dev, struct pci_wc_plan_input *in,
		struct rte_pci_wc_range *ranges)
{
	struct rte_pci_wc_range drv[RTE_PCI_WC_MAX_RANGES];
	const struct rte_pci_driver *dr = dev->driver;
	int nb;

	if (dr == NULL)
		return 0;
	if (dr->drv_flags & RTE_PCI_DRV_WC_ACTIVATE)
		in->wc_prefetchable = true;
	if (dr->wc_ranges == NULL)
		return 0;
	memset(drv, 0, sizeof(drv));
	nb = dr->wc_ranges(dev, drv, RTE_PCI_WC_MAX_RANGES);
	if (nb < 0) {
		PCI_WC_LOG(ERR, "%s: driver %s refused its write-combining ranges: %s",
			dev->name, dr->driver.name, strerror(-nb));
		return nb;
	}
	if (nb > RTE_PCI_WC_MAX_RANGES ||
			add_ranges(in, ranges, drv, nb) < 0) {
		PCI_WC_LOG(ERR, "%s: driver %s gave too many write-combining ranges",
			dev->name, dr->driver.name);
		return -E2BIG;
	}
	return 0;
}

int
pci_wc_requests_get(const struct rte_pci_device *dev,
		struct pci_wc_plan_input *in,
		struct rte_pci_wc_range *ranges, bool *explicit_on,
		char *user_value, size_t user_value_len)
{
	struct pci_wc_dev_state *st = pci_wc_dev_state(dev);
	struct rte_pci_wc_range req[RTE_PCI_WC_MAX_RANGES];
	struct pci_wc_policy policy;
	unsigned int nb_req;
	int ret;

	rte_spinlock_lock(&st->lock);
	policy = st->policy;
	nb_req = st->nb_requests;
	memcpy(req, st->requests, nb_req * sizeof(req[0]));
	rte_spinlock_unlock(&st->lock);

	in->ranges = ranges;
	in->nb_ranges = 0;
	in->wc_prefetchable = false;
	in->wc_prefetchable_required = false;
	*explicit_on = false;
	strlcpy(user_value, policy.mode == PCI_WC_MODE_AUTO ? "" : policy.text,
		user_value_len);
	switch (policy.mode) {
	case PCI_WC_MODE_OFF:
		return 0;
	case PCI_WC_MODE_ON:
		in->wc_prefetchable = true;
		in->wc_prefetchable_required = true;
		*explicit_on = true;
		return 0;
	case PCI_WC_MODE_LIST:
		return add_ranges(in, ranges, policy.ranges,
				policy.nb_ranges);
	case PCI_WC_MODE_AUTO:
		break;
	}
	ret = driver_ranges(dev, in, ranges);
	if (ret < 0)
		return ret;
	if (add_ranges(in, ranges, req, nb_req) < 0) {
		PCI_WC_LOG(ERR, "%s: more than %d write-combining ranges requested",
			dev->name, RTE_PCI_WC_MAX_RANGES);
		return -E2BIG;
	}
	return 0;
}

void
pci_wc_plan_publish(const struct rte_pci_device *dev,
		const struct pci_wc_plan *plan)
{
	struct pci_wc_dev_state *st = pci_wc_dev_state(dev);

	rte_spinlock_lock(&st->lock);
	st->plan = plan;
	rte_spinlock_unlock(&st->lock);
}

int
pci_wc_plan_bar_get(const struct rte_pci_device *dev, unsigned int bar,
		struct pci_wc_bar_plan *bp)
{
	struct pci_wc_dev_state *st = pci_wc_dev_state(dev);
	int ret = -ENODEV;

	rte_spinlock_lock(&st->lock);
	if (st->plan != NULL && bar < PCI_MAX_RESOURCE) {
		*bp = st->plan->bars[bar];
		ret = 0;
	}
	rte_spinlock_unlock(&st->lock);
	return ret;
}

int
pci_wc_plan_bar_replace(const struct rte_pci_device *dev, unsigned int bar,
		const struct pci_wc_bar_plan *bp)
{
	struct pci_wc_dev_state *st = pci_wc_dev_state(dev);
	int ret = -ENODEV;

	rte_spinlock_lock(&st->lock);
	if (st->plan != NULL && bar < PCI_MAX_RESOURCE) {
		/* the plan is the device's shared record, owned by the bus */
		((struct pci_wc_plan *)(uintptr_t)st->plan)->bars[bar] = *bp;
		ret = 0;
	}
	rte_spinlock_unlock(&st->lock);
	return ret;
}

void
pci_wc_requests_drop(const struct rte_pci_device *dev)
{
	struct pci_wc_dev_state *st = pci_wc_dev_state(dev);

	rte_spinlock_lock(&st->lock);
	st->nb_requests = 0;
	rte_spinlock_unlock(&st->lock);
}

static bool
range_is_valid(const struct rte_pci_wc_range *r, size_t page_size)
{
	if (r->bar >= PCI_MAX_RESOURCE || r->reserved[0] ||
			r->reserved[1] || r->reserved[2] ||
			(r->flags & ~(RTE_PCI_WC_RANGE_F_REQUIRED |
				RTE_PCI_WC_RANGE_F_TO_END)))
		return false;
	/* 0 is a length only with TO_END, and the only one there */
	if ((r->len == 0) != !!(r->flags & RTE_PCI_WC_RANGE_F_TO_END))
		return false;
	return r->offset % page_size == 0 && r->len % page_size == 0;
}

/* Called with the state locked, so that no mapping is published meanwhile. */
static bool
device_is_mapped(const struct rte_pci_device *dev,
		const struct pci_wc_dev_state *st)
{
	unsigned int i;

	if (st->plan != NULL)
		return true;
	for (i = 0; i < PCI_MAX_RESOURCE; i++)
		if (dev->mem_resource[i].addr != NULL)
			return true;
	return false;
}

int
rte_pci_wc_request(struct rte_pci_device *dev,
		const struct rte_pci_wc_range *ranges, unsigned int nb_ranges)
{
	struct pci_wc_dev_state *st;
	unsigned int i;
	int ret = 0;

	if (dev == NULL || (ranges == NULL && nb_ranges != 0))
		return -EINVAL;
	if (nb_ranges > RTE_PCI_WC_MAX_RANGES)
		return -E2BIG;
	for (i = 0; i < nb_ranges; i++)
		if (!range_is_valid(&ranges[i], rte_mem_page_size()))
			return -EINVAL;

	st = pci_wc_dev_state(dev);
	rte_spinlock_lock(&st->lock);
	if (device_is_mapped(dev, st)) {
		ret = -EBUSY;
	} else {
		if (nb_ranges != 0)
			memcpy(st->requests, ranges,
				nb_ranges * sizeof(ranges[0]));
		st->nb_requests = nb_ranges;
	}
	rte_spinlock_unlock(&st->lock);
	return ret;
}

/* Whether UIO would have found resource<N>_wc for this BAR. */
static bool
pci_wc_uio_bar_is_wc(const struct rte_pci_device *dev, unsigned int bar)
{
	const struct rte_pci_addr *loc = &dev->addr;
	char path[PATH_MAX];

	if (dev->kdrv != RTE_PCI_KDRV_IGB_UIO &&
			dev->kdrv != RTE_PCI_KDRV_UIO_GENERIC)
		return false;
	snprintf(path, sizeof(path), "%s/" PCI_PRI_FMT "/resource%u_wc",
		rte_pci_get_sysfs_path(), loc->domain, loc->bus, loc->devid,
		loc->function, bar);
	return access(path, R_OK | W_OK) == 0;
}

/* BARs mapped by another path than the VFIO plan (UIO): whole BAR. */
static enum rte_pci_mem_attr
unplanned_bar_attr(const struct rte_pci_device *dev, unsigned int bar)
{
	if (dev->mem_resource[bar].addr == NULL)
		return RTE_PCI_MEM_ATTR_UNMAPPED;
	/*
	 * UIO maps resource<N>_wc when the driver sets WC_ACTIVATE and the
	 * kernel offers it; the kernel does not tell which one it used.
	 */
	if (dev->driver != NULL &&
			(dev->driver->drv_flags & RTE_PCI_DRV_WC_ACTIVATE) &&
			pci_wc_uio_bar_is_wc(dev, bar))
		return RTE_PCI_MEM_ATTR_WC_UNVERIFIED;
	return RTE_PCI_MEM_ATTR_UC;
}

int
rte_pci_mem_attr_get(const struct rte_pci_device *dev, unsigned int bar,
		uint64_t offset)
{
	const struct pci_wc_segment *seg;
	struct pci_wc_dev_state *st;
	bool planned;
	int ret = RTE_PCI_MEM_ATTR_UNMAPPED;

	if (dev == NULL || bar >= PCI_MAX_RESOURCE)
		return -EINVAL;
	st = pci_wc_dev_state(dev);
	rte_spinlock_lock(&st->lock);
	planned = st->plan != NULL;
	if (planned) {
		seg = pci_wc_plan_find(&st->plan->bars[bar], offset);
		if (seg != NULL)
			ret = seg->effective;
	}
	rte_spinlock_unlock(&st->lock);
	/* no plan (UIO): sysfs is looked at outside the lock */
	if (!planned && offset < dev->mem_resource[bar].len)
		ret = unplanned_bar_attr(dev, bar);
	return ret;
}

static void
fill_segment(struct rte_pci_mem_segment *out, unsigned int bar,
		const struct pci_wc_segment *s, void *bar_addr)
{
	out->bar = bar;
	out->offset = s->offset;
	out->len = s->len;
	out->addr = s->kind == PCI_WC_SEG_HOLE || bar_addr == NULL ? NULL :
		RTE_PTR_ADD(bar_addr, s->offset);
	out->requested = s->requested;
	out->effective = s->effective;
}

static int
plan_segments(const struct rte_pci_device *dev, const struct pci_wc_plan *p,
		struct rte_pci_mem_segment *segs, unsigned int nb_segs)
{
	unsigned int bar, i, n = 0;

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++)
		for (i = 0; i < p->bars[bar].nb_segs; i++, n++)
			if (n < nb_segs)
				fill_segment(&segs[n], bar, &p->bars[bar].segs[i],
					dev->mem_resource[bar].addr);
	return n;
}

static int
unplanned_segments(const struct rte_pci_device *dev,
		struct rte_pci_mem_segment *segs, unsigned int nb_segs)
{
	unsigned int bar, n = 0;

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
		const struct rte_mem_resource *r = &dev->mem_resource[bar];
		enum rte_pci_mem_attr attr;

		if (r->addr == NULL)
			continue;
		if (n < nb_segs) {
			attr = unplanned_bar_attr(dev, bar);
			segs[n].bar = bar;
			segs[n].offset = 0;
			segs[n].len = RTE_ALIGN_CEIL(r->len,
					(uint64_t)rte_mem_page_size());
			segs[n].addr = r->addr;
			segs[n].requested = attr == RTE_PCI_MEM_ATTR_UC ?
				RTE_PCI_MEM_ATTR_UC : RTE_PCI_MEM_ATTR_WC;
			segs[n].effective = attr;
		}
		n++;
	}
	return n;
}

int
rte_pci_mem_segments_get(const struct rte_pci_device *dev,
		struct rte_pci_mem_segment *segs, unsigned int nb_segs)
{
	struct pci_wc_dev_state *st;
	int ret = -1;

	if (dev == NULL || (segs == NULL && nb_segs != 0))
		return -EINVAL;
	st = pci_wc_dev_state(dev);
	rte_spinlock_lock(&st->lock);
	if (st->plan != NULL)
		ret = plan_segments(dev, st->plan, segs, nb_segs);
	rte_spinlock_unlock(&st->lock);
	/* no plan (UIO): sysfs is looked at outside the lock */
	if (ret < 0)
		ret = unplanned_segments(dev, segs, nb_segs);
	return ret;
}

const char *
rte_pci_mem_attr_name(enum rte_pci_mem_attr attr)
{
	switch (attr) {
	case RTE_PCI_MEM_ATTR_UNMAPPED:
		return "unmapped";
	case RTE_PCI_MEM_ATTR_UC:
		return "uc";
	case RTE_PCI_MEM_ATTR_WC:
		return "wc";
	case RTE_PCI_MEM_ATTR_WC_UNVERIFIED:
		return "wc-unverified";
	}
	return "unknown";
}
