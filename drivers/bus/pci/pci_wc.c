/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
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

/* Process-local state of a device, found by its PCI address. */
struct pci_wc_dev_state {
	TAILQ_ENTRY(pci_wc_dev_state) next;
	struct rte_pci_addr addr;
	struct pci_wc_policy policy; /* from the devargs of the last probe */
	unsigned int nb_requests;
	struct rte_pci_wc_range requests[RTE_PCI_WC_MAX_RANGES];
	/* plan in the shared record while the device is mapped */
	const struct pci_wc_plan *plan;
};

static TAILQ_HEAD(, pci_wc_dev_state) pci_wc_states =
	TAILQ_HEAD_INITIALIZER(pci_wc_states);
static rte_spinlock_t pci_wc_lock = RTE_SPINLOCK_INITIALIZER;

static struct pci_wc_dev_state *
state_find(const struct rte_pci_device *dev)
{
	struct pci_wc_dev_state *st;

	TAILQ_FOREACH(st, &pci_wc_states, next)
		if (rte_pci_addr_cmp(&st->addr, &dev->addr) == 0)
			return st;
	return NULL;
}

static struct pci_wc_dev_state *
state_get(const struct rte_pci_device *dev)
{
	struct pci_wc_dev_state *st = state_find(dev);

	if (st != NULL)
		return st;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->addr = dev->addr;
	TAILQ_INSERT_TAIL(&pci_wc_states, st, next);
	return st;
}

RTE_FINI(pci_wc_states_free)
{
	struct pci_wc_dev_state *st;

	while ((st = TAILQ_FIRST(&pci_wc_states)) != NULL) {
		TAILQ_REMOVE(&pci_wc_states, st, next);
		free(st);
	}
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

/* Value of "wc" in the driver part, which loses the key. */
static int
driver_args_value(const struct rte_pci_device *dev, struct rte_devargs *da,
		char *value, size_t len)
{
	int ret;

	if (da->drv_str == NULL)
		return 0;
	/* drv_str points into da->data, which the devargs own. */
	ret = pci_wc_devargs_strip((char *)(uintptr_t)da->drv_str, value,
			len);
	if (ret == -EEXIST)
		PCI_WC_LOG(ERR, "%s: device argument %s given more than once",
			dev->name, PCI_WC_DEVARG_KEY);
	else if (ret == -E2BIG)
		PCI_WC_LOG(ERR, "%s: device argument %s too long",
			dev->name, PCI_WC_DEVARG_KEY);
	return ret < 0 ? -EINVAL : ret;
}

static int
devargs_policy(struct rte_pci_device *dev, struct rte_devargs *da,
		struct pci_wc_policy *policy)
{
	char value[PCI_WC_DEVARG_MAX_LEN], drv_value[PCI_WC_DEVARG_MAX_LEN];
	char err[PCI_WC_DEVARG_MAX_LEN + 256];
	int in_bus, in_drv;

	memset(policy, 0, sizeof(*policy));
	if (da == NULL)
		return 0;
	in_bus = bus_layer_value(dev, da->bus_str, value, sizeof(value));
	if (in_bus < 0)
		return in_bus;
	in_drv = driver_args_value(dev, da, drv_value, sizeof(drv_value));
	if (in_drv < 0)
		return in_drv;
	if (in_bus && in_drv) {
		PCI_WC_LOG(ERR, "%s: device argument %s given more than once",
			dev->name, PCI_WC_DEVARG_KEY);
		return -EINVAL;
	}
	if (!in_bus && !in_drv)
		return 0;
	if (pci_wc_devargs_parse(dev->name, in_bus ? value : drv_value,
			rte_mem_page_size(), policy, err, sizeof(err)) < 0) {
		PCI_WC_LOG(ERR, "%s", err);
		return -EINVAL;
	}
	return 0;
}

int
pci_wc_devargs_apply(struct rte_pci_device *dev)
{
	struct pci_wc_policy policy;
	struct pci_wc_dev_state *st;
	int ret;

	/*
	 * The policy holds for this probe pass only: the device is mapped
	 * during it, and a later pass comes with devargs of its own.
	 */
	ret = devargs_policy(dev, dev->device.devargs, &policy);
	if (ret < 0)
		return ret;
	if (policy.mode != PCI_WC_MODE_AUTO &&
			(dev->kdrv == RTE_PCI_KDRV_IGB_UIO ||
			 dev->kdrv == RTE_PCI_KDRV_UIO_GENERIC)) {
		/* UIO keeps its own rule: RTE_PCI_DRV_WC_ACTIVATE only. */
		PCI_WC_LOG(ERR, "%s: device argument %s needs a VFIO driver, the device is bound to UIO",
			dev->name, PCI_WC_DEVARG_KEY);
		return -ENOTSUP;
	}
	rte_spinlock_lock(&pci_wc_lock);
	if (policy.mode == PCI_WC_MODE_AUTO)
		st = state_find(dev); /* nothing to remember otherwise */
	else
		st = state_get(dev);
	if (st != NULL)
		st->policy = policy;
	else if (policy.mode != PCI_WC_MODE_AUTO)
		ret = -ENOMEM;
	rte_spinlock_unlock(&pci_wc_lock);
	return ret;
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
		struct rte_pci_wc_range *ranges, bool *explicit_on)
{
	struct pci_wc_dev_state *st;
	struct pci_wc_policy policy = { .mode = PCI_WC_MODE_AUTO };
	struct rte_pci_wc_range req[RTE_PCI_WC_MAX_RANGES];
	unsigned int nb_req = 0;
	int ret;

	rte_spinlock_lock(&pci_wc_lock);
	st = state_find(dev);
	if (st != NULL) {
		policy = st->policy;
		nb_req = st->nb_requests;
		memcpy(req, st->requests, nb_req * sizeof(req[0]));
	}
	rte_spinlock_unlock(&pci_wc_lock);

	in->ranges = ranges;
	in->nb_ranges = 0;
	in->wc_prefetchable = false;
	in->wc_prefetchable_required = false;
	*explicit_on = false;
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
	struct pci_wc_dev_state *st;

	rte_spinlock_lock(&pci_wc_lock);
	st = plan != NULL ? state_get(dev) : state_find(dev);
	if (st != NULL)
		st->plan = plan;
	rte_spinlock_unlock(&pci_wc_lock);
}

int
pci_wc_plan_bar_get(const struct rte_pci_device *dev, unsigned int bar,
		struct pci_wc_bar_plan *bp)
{
	const struct pci_wc_dev_state *st;
	int ret = -ENODEV;

	rte_spinlock_lock(&pci_wc_lock);
	st = state_find(dev);
	if (st != NULL && st->plan != NULL && bar < PCI_MAX_RESOURCE) {
		*bp = st->plan->bars[bar];
		ret = 0;
	}
	rte_spinlock_unlock(&pci_wc_lock);
	return ret;
}

int
pci_wc_plan_bar_replace(const struct rte_pci_device *dev, unsigned int bar,
		const struct pci_wc_bar_plan *bp)
{
	const struct pci_wc_dev_state *st;
	int ret = -ENODEV;

	rte_spinlock_lock(&pci_wc_lock);
	st = state_find(dev);
	if (st != NULL && st->plan != NULL && bar < PCI_MAX_RESOURCE) {
		/* the plan is the device's shared record, owned by the bus */
		((struct pci_wc_plan *)(uintptr_t)st->plan)->bars[bar] = *bp;
		ret = 0;
	}
	rte_spinlock_unlock(&pci_wc_lock);
	return ret;
}

void
pci_wc_requests_drop(const struct rte_pci_device *dev)
{
	struct pci_wc_dev_state *st;

	rte_spinlock_lock(&pci_wc_lock);
	st = state_find(dev);
	if (st != NULL)
		st->nb_requests = 0;
	rte_spinlock_unlock(&pci_wc_lock);
}

static bool
range_is_valid(const struct rte_pci_wc_range *r, size_t page_size)
{
	if (r->bar >= PCI_MAX_RESOURCE || r->reserved[0] ||
			r->reserved[1] || r->reserved[2] ||
			(r->flags & ~RTE_PCI_WC_RANGE_F_REQUIRED))
		return false;
	return r->offset % page_size == 0 && r->len % page_size == 0;
}

static bool
device_is_mapped(const struct rte_pci_device *dev)
{
	unsigned int i;

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
	if (device_is_mapped(dev))
		return -EBUSY;

	rte_spinlock_lock(&pci_wc_lock);
	st = state_get(dev);
	if (st == NULL) {
		ret = -ENOMEM;
	} else {
		if (nb_ranges != 0)
			memcpy(st->requests, ranges,
				nb_ranges * sizeof(ranges[0]));
		st->nb_requests = nb_ranges;
	}
	rte_spinlock_unlock(&pci_wc_lock);
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
	const struct pci_wc_dev_state *st;
	int ret;

	if (dev == NULL || bar >= PCI_MAX_RESOURCE)
		return -EINVAL;
	rte_spinlock_lock(&pci_wc_lock);
	st = state_find(dev);
	if (st != NULL && st->plan != NULL) {
		seg = pci_wc_plan_find(&st->plan->bars[bar], offset);
		ret = seg == NULL ? RTE_PCI_MEM_ATTR_UNMAPPED : seg->effective;
	} else if (offset < dev->mem_resource[bar].len) {
		ret = unplanned_bar_attr(dev, bar);
	} else {
		ret = RTE_PCI_MEM_ATTR_UNMAPPED;
	}
	rte_spinlock_unlock(&pci_wc_lock);
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
		attr = unplanned_bar_attr(dev, bar);
		if (n < nb_segs) {
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
	const struct pci_wc_dev_state *st;
	int ret;

	if (dev == NULL || (segs == NULL && nb_segs != 0))
		return -EINVAL;
	rte_spinlock_lock(&pci_wc_lock);
	st = state_find(dev);
	if (st != NULL && st->plan != NULL)
		ret = plan_segments(dev, st->plan, segs, nb_segs);
	else
		ret = unplanned_segments(dev, segs, nb_segs);
	rte_spinlock_unlock(&pci_wc_lock);
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
