/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <bus_pci_driver.h>
#include <rte_common.h>
#include <rte_eal_paging.h>
#include <rte_log.h>
#include <rte_vfio.h>

#include "pci_init.h"
#include "pci_vfio_wc.h"
#include "pci_wc.h"
#include "pci_wc_pat.h"

/* Modules built on vfio-pci-core: vfio-pci and its variant drivers. */
#define VFIO_PCI_CORE_HOLDERS "/sys/module/vfio_pci_core/holders"

#ifdef VFIO_PRESENT

/* The dma-buf definitions of rte_vfio.h need the device feature ioctl. */
#ifdef VFIO_DEVICE_FEATURE
#define PCI_VFIO_WC_UAPI 1
#endif

/* The variant driver that implements the uAPI and never downgrades WC. */
#define PCI_VFIO_WC_DRIVER "vfio-pci-wc"
#define PAT_MEMTYPE_LIST "/sys/kernel/debug/x86/pat_memtype_list"
#define PAT_LIST_MAX (8u << 20)

/* Why write-combining cannot be had from the kernel; NULL if it can. */
static const char *
wc_unsupported_reason(int vfio_dev_fd)
{
#ifdef PCI_VFIO_WC_UAPI
	struct vfio_device_feature probe = { .argsz = sizeof(probe) };

	probe.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
		VFIO_DEVICE_FEATURE_DMA_BUF;
	if (ioctl(vfio_dev_fd, VFIO_DEVICE_FEATURE, &probe) != 0)
		return "the kernel cannot export BAR ranges as dma-buf";
	probe.flags = VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
		VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR;
	if (ioctl(vfio_dev_fd, VFIO_DEVICE_FEATURE, &probe) != 0)
		return "the kernel cannot set a dma-buf memory attribute";
	return NULL;
#else
	RTE_SET_USED(vfio_dev_fd);
	return "built without VFIO device feature support";
#endif
}

#ifdef PCI_VFIO_WC_UAPI
/* Export [offset, offset + len) of a BAR as a dma-buf; returns its fd. */
static int
dmabuf_export(int vfio_dev_fd, int bar, uint64_t offset, uint64_t len)
{
	uint64_t buf[(sizeof(struct vfio_device_feature) +
		sizeof(struct vfio_device_feature_dma_buf) +
		sizeof(struct vfio_region_dma_range) + 7) / 8];
	struct vfio_device_feature *feat = (void *)buf;
	struct vfio_device_feature_dma_buf *db = (void *)feat->data;

	memset(buf, 0, sizeof(buf));
	feat->argsz = sizeof(buf);
	feat->flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
	db->region_index = bar;
	db->open_flags = O_RDWR | O_CLOEXEC;
	db->nr_ranges = 1;
	db->dma_ranges[0].offset = offset;
	db->dma_ranges[0].length = len;
	return ioctl(vfio_dev_fd, VFIO_DEVICE_FEATURE, feat);
}

static int
dmabuf_set_wc(int vfio_dev_fd, int dmabuf_fd)
{
	uint64_t buf[(sizeof(struct vfio_device_feature) +
		sizeof(struct vfio_device_feature_dma_buf_memattr) + 7) / 8];
	struct vfio_device_feature *feat = (void *)buf;
	struct vfio_device_feature_dma_buf_memattr *ma = (void *)feat->data;

	memset(buf, 0, sizeof(buf));
	feat->argsz = sizeof(buf);
	feat->flags = VFIO_DEVICE_FEATURE_SET |
		VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR;
	ma->dmabuf_fd = dmabuf_fd;
	ma->memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC;
	return ioctl(vfio_dev_fd, VFIO_DEVICE_FEATURE, feat);
}
#endif

/*
 * Map one segment write-combining at addr: a dma-buf of exactly that
 * range, WC attribute, mmap, close. Returns 0 or -errno, with what
 * failed in *step.
 */
static int
map_wc_segment(int vfio_dev_fd, int bar, const struct pci_wc_segment *seg,
		void *addr, const char **step)
{
#ifdef PCI_VFIO_WC_UAPI
	void *va;
	int fd, ret;

	*step = "dma-buf export";
	fd = dmabuf_export(vfio_dev_fd, bar, seg->offset, seg->len);
	if (fd < 0)
		return -errno;
	*step = "setting the WC memory attribute";
	if (dmabuf_set_wc(vfio_dev_fd, fd) != 0)
		goto err_close;
	*step = "dma-buf mmap";
	va = mmap(addr, seg->len, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_FIXED, fd, 0);
	if (va == MAP_FAILED)
		goto err_close;
	close(fd); /* the mapping keeps the dma-buf */
	return 0;
err_close:
	ret = -errno;
	close(fd);
	return ret;
#else
	RTE_SET_USED(vfio_dev_fd);
	RTE_SET_USED(bar);
	RTE_SET_USED(seg);
	RTE_SET_USED(addr);
	*step = "dma-buf export";
	return -ENOTSUP;
#endif
}

static int
map_uc_segment(int vfio_dev_fd, const struct pci_map *map,
		const struct pci_wc_segment *seg, void *addr)
{
	if (pci_map_resource(addr, vfio_dev_fd, map->offset + seg->offset,
			seg->len, RTE_MAP_FORCE_ADDRESS) == NULL)
		return -1;
	return 0;
}

static void
format_range(char *buf, size_t len, const struct pci_wc_segment *seg)
{
	snprintf(buf, len, "0x%" PRIx64 "-0x%" PRIx64, seg->offset,
		seg->offset + seg->len - 1);
}

/*
 * Map the segments of one kind. Uncached ones go first: if the kernel
 * reserves the whole BAR uncached on the first device fd mmap (as 6.x
 * vfio-pci does), a WC mapping made before it would turn that
 * reservation, and so every register of the BAR, write-combining. In
 * this order the worst case is a WC mapping silently uncached, which the
 * verification step reports.
 */
static int
map_segments(const char *pci_addr, int vfio_dev_fd, int bar,
		const struct pci_map *map, struct pci_wc_bar_plan *bp,
		void *base, enum pci_wc_seg_kind kind, bool primary)
{
	char range[64];
	const char *step = "";
	uint32_t i;
	int ret;

	for (i = 0; i < bp->nb_segs; i++) {
		struct pci_wc_segment *seg = &bp->segs[i];
		void *addr = RTE_PTR_ADD(base, seg->offset);

		if (seg->kind != kind)
			continue;
		format_range(range, sizeof(range), seg);
		if (kind == PCI_WC_SEG_UC) {
			if (map_uc_segment(vfio_dev_fd, map, seg, addr) < 0) {
				RTE_LOG(ERR, EAL, "%s: failed to map BAR%d range %s: %s\n",
					pci_addr, bar, range, strerror(errno));
				return -1;
			}
			continue;
		}
		ret = map_wc_segment(vfio_dev_fd, bar, seg, addr, &step);
		if (ret == 0)
			continue;
		if (!primary || seg->required) {
			PCI_WC_LOG(ERR, "%s: cannot map BAR%d range %s write-combining: %s failed: %s",
				pci_addr, bar, range, step, strerror(-ret));
			return -1;
		}
		PCI_WC_LOG(NOTICE, "%s: BAR%d range %s: %s failed (%s), mapped uncached",
			pci_addr, bar, range, step, strerror(-ret));
		seg->kind = PCI_WC_SEG_UC;
		if (map_uc_segment(vfio_dev_fd, map, seg, addr) < 0) {
			RTE_LOG(ERR, EAL, "%s: failed to map BAR%d range %s: %s\n",
				pci_addr, bar, range, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Reserve the address range of a BAR, inaccessible. A secondary process
 * must get exactly the primary's addresses, but never by replacing what
 * it has mapped there: that would punch a hole into its address space
 * when a later step fails.
 */
static void *
reserve_bar(void *addr, size_t len, bool exact)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	void *base;

#ifdef MAP_FIXED_NOREPLACE
	if (exact)
		flags |= MAP_FIXED_NOREPLACE;
#endif
	base = mmap(addr, len, PROT_NONE, flags, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (exact && base != addr) {
		/* a kernel without MAP_FIXED_NOREPLACE took it as a hint */
		munmap(base, len);
		errno = EEXIST;
		return NULL;
	}
	return base;
}

/*
 * One reservation per BAR, each segment mapped once into it with
 * MAP_FIXED; holes stay inaccessible. On failure the reservation, and
 * every segment in it, is released.
 */
static int
map_bar(const char *pci_addr, int vfio_dev_fd, int bar,
		struct mapped_pci_resource *res, void *hint, bool primary)
{
	struct pci_wc_bar_plan *bp = &res->wc_plan.bars[bar];
	struct pci_map *map = &res->maps[bar];
	void *base;

	base = reserve_bar(hint, bp->map_len, !primary);
	if (base == NULL) {
		RTE_LOG(ERR, EAL, "%s: failed to create inaccessible mapping for BAR%d at %p: %s\n",
			pci_addr, bar, hint, strerror(errno));
		return -1;
	}
	if (map_segments(pci_addr, vfio_dev_fd, bar, map, bp, base,
			PCI_WC_SEG_UC, primary) < 0 ||
			map_segments(pci_addr, vfio_dev_fd, bar, map, bp, base,
			PCI_WC_SEG_WC, primary) < 0) {
		munmap(base, bp->map_len);
		return -1;
	}
	map->addr = base;
	return 0;
}

static void
unmap_bars(struct rte_pci_device *dev, struct mapped_pci_resource *res,
		int nb_bars)
{
	int i;

	for (i = 0; i < nb_bars; i++) {
		if (res->wc_plan.bars[i].map_len == 0 ||
				dev->mem_resource[i].addr == NULL)
			continue;
		pci_unmap_resource(dev->mem_resource[i].addr,
				res->wc_plan.bars[i].map_len);
		dev->mem_resource[i].addr = NULL;
	}
}

void
pci_vfio_wc_unmap(struct rte_pci_device *dev,
		struct mapped_pci_resource *res)
{
	pci_wc_plan_publish(dev, NULL);
	unmap_bars(dev, res, PCI_MAX_RESOURCE);
}

static int
read_bar_register(int vfio_dev_fd, int bar, uint32_t *val)
{
	if (pread(vfio_dev_fd, val, sizeof(*val),
			VFIO_GET_REGION_ADDR(VFIO_PCI_CONFIG_REGION_INDEX) +
			PCI_BASE_ADDRESS_0 + bar * 4) != sizeof(*val))
		return -1;
	return 0;
}

/* Every sparse mmap area of a BAR; *areas is freed by the caller. */
static int
describe_sparse(const char *pci_addr, int bar, struct vfio_region_info *reg,
		struct pci_wc_bar_desc *bd, struct pci_wc_area **areas)
{
	struct vfio_region_info_cap_sparse_mmap *sparse;
	uint32_t i;

	sparse = (void *)pci_vfio_info_cap(reg, VFIO_REGION_INFO_CAP_SPARSE_MMAP);
	if (sparse == NULL)
		return 0;
	if (sparse->nr_areas == 0) {
		bd->flags &= ~PCI_WC_BAR_MMAP;
		return 0;
	}
	*areas = calloc(sparse->nr_areas, sizeof(**areas));
	if (*areas == NULL) {
		RTE_LOG(ERR, EAL, "%s: no memory for the %u mmap-able areas of BAR%d\n",
			pci_addr, sparse->nr_areas, bar);
		return -1;
	}
	for (i = 0; i < sparse->nr_areas; i++) {
		(*areas)[i].offset = sparse->areas[i].offset;
		(*areas)[i].len = sparse->areas[i].size;
	}
	bd->nb_areas = sparse->nr_areas;
	bd->areas = *areas;
	return 0;
}

/* What VFIO and the BAR register say about a BAR. */
static int
describe_bar(const char *pci_addr, int vfio_dev_fd, int bar,
		struct pci_map *map, struct pci_wc_bar_desc *bd,
		struct pci_wc_area **areas)
{
	struct vfio_region_info *reg = NULL;
	uint32_t val;
	int ret = 0;

	memset(bd, 0, sizeof(*bd));
	if (pci_vfio_get_region_info(vfio_dev_fd, &reg, bar) < 0) {
		RTE_LOG(ERR, EAL, "%s cannot get device region info error %i (%s)\n",
			pci_addr, errno, strerror(errno));
		return -1;
	}
	map->offset = reg->offset;
	map->size = reg->size;
	map->path = NULL; /* vfio doesn't have per-resource paths */
	bd->size = reg->size;
	if (reg->size == 0)
		goto out; /* absent, or upper half of a 64-bit BAR */
	if (read_bar_register(vfio_dev_fd, bar, &val) < 0) {
		RTE_LOG(ERR, EAL, "Cannot read command (%x) from config space!\n",
			PCI_BASE_ADDRESS_0 + bar * 4);
		free(reg);
		return -1;
	}
	if (val & PCI_BASE_ADDRESS_SPACE_IO) {
		RTE_LOG(INFO, EAL, "Ignore mapping IO port bar(%d)\n", bar);
		goto out;
	}
	bd->flags |= PCI_WC_BAR_MEM;
	if (val & PCI_BASE_ADDRESS_MEM_PREFETCH)
		bd->flags |= PCI_WC_BAR_PREFETCH;
	if ((val & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
			PCI_BASE_ADDRESS_MEM_TYPE_64)
		bd->flags |= PCI_WC_BAR_64BIT;
	if (reg->flags & VFIO_REGION_INFO_FLAG_MMAP)
		bd->flags |= PCI_WC_BAR_MMAP;
	ret = describe_sparse(pci_addr, bar, reg, bd, areas);
out:
	free(reg);
	return ret;
}

static bool
bar_has_wc(const struct pci_wc_bar_plan *bp, bool required_only)
{
	uint32_t i;

	for (i = 0; i < bp->nb_segs; i++)
		if (bp->segs[i].kind == PCI_WC_SEG_WC &&
				(!required_only || bp->segs[i].required))
			return true;
	return false;
}

/* Without kernel support: fail for required WC, else fall back to UC. */
static int
apply_kernel_support(const char *pci_addr, int vfio_dev_fd,
		struct pci_wc_plan *plan)
{
	const char *reason = NULL;
	char range[64];
	bool probed = false;
	uint32_t bar, i;

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
		struct pci_wc_bar_plan *bp = &plan->bars[bar];

		if (!bar_has_wc(bp, false))
			continue;
		if (!probed) {
			reason = wc_unsupported_reason(vfio_dev_fd);
			probed = true;
		}
		if (reason == NULL)
			return 0;
		for (i = 0; i < bp->nb_segs; i++) {
			if (bp->segs[i].kind != PCI_WC_SEG_WC ||
					!bp->segs[i].required)
				continue;
			format_range(range, sizeof(range), &bp->segs[i]);
			PCI_WC_LOG(ERR, "%s: cannot map BAR%u range %s write-combining: %s",
				pci_addr, bar, range, reason);
			return -1;
		}
		pci_wc_plan_fallback_bar(bp);
		PCI_WC_LOG(NOTICE, "%s: BAR%u mapped uncached, write-combining unavailable: %s",
			pci_addr, bar, reason);
	}
	return 0;
}

static int
build_plan(struct rte_pci_device *dev, const char *pci_addr,
		int vfio_dev_fd, struct mapped_pci_resource *res)
{
	struct pci_wc_area *areas[PCI_MAX_RESOURCE] = { NULL };
	struct rte_pci_wc_range ranges[RTE_PCI_WC_MAX_RANGES];
	char user_value[PCI_WC_DEVARG_MAX_LEN];
	struct pci_wc_plan_input in;
	char err[256];
	bool explicit_on;
	int i, ret = -1;

	memset(&in, 0, sizeof(in));
	in.page_size = rte_mem_page_size();
	for (i = 0; i < res->nb_maps; i++)
		if (describe_bar(pci_addr, vfio_dev_fd, i, &res->maps[i],
				&in.bars[i], &areas[i]) < 0)
			goto out;
	in.msix_bar = res->msix_table.bar_index;
	in.msix_offset = res->msix_table.offset;
	in.msix_size = res->msix_table.size;
	if (pci_wc_requests_get(dev, &in, ranges, &explicit_on, user_value,
			sizeof(user_value)) < 0)
		goto out;
	if (pci_wc_plan_build(&in, &res->wc_plan, err, sizeof(err)) < 0) {
		/* quote the user's own text when the ranges are theirs */
		if (user_value[0] != '\0')
			PCI_WC_LOG(ERR, "%s: invalid device argument %s=%s: %s",
				pci_addr, PCI_WC_DEVARG_KEY, user_value, err);
		else
			PCI_WC_LOG(ERR, "%s: cannot map write-combining: %s",
				pci_addr, err);
		goto out;
	}
	if (explicit_on) {
		for (i = 0; i < PCI_MAX_RESOURCE; i++)
			if (bar_has_wc(&res->wc_plan.bars[i], false))
				break;
		if (i == PCI_MAX_RESOURCE) {
			PCI_WC_LOG(ERR, "%s: invalid device argument %s=on: no prefetchable memory BAR to map write-combining",
				pci_addr, PCI_WC_DEVARG_KEY);
			goto out;
		}
	}
	ret = apply_kernel_support(pci_addr, vfio_dev_fd, &res->wc_plan);
out:
	for (i = 0; i < PCI_MAX_RESOURCE; i++)
		free(areas[i]);
	return ret;
}

static bool
driver_is_wc_variant(const char *pci_addr)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *name;
	ssize_t n;

	snprintf(link, sizeof(link), "%s/%s/driver",
		rte_pci_get_sysfs_path(), pci_addr);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	name = strrchr(target, '/');
	return strcmp(name != NULL ? name + 1 : target,
		PCI_VFIO_WC_DRIVER) == 0;
}

/* The PAT memory type list, or NULL where there is none to read. */
static char *
read_pat_list(void)
{
#ifdef RTE_ARCH_X86
	size_t len = 0, cap = 64 * 1024;
	char *buf = malloc(cap), *tmp;
	ssize_t n;
	int fd;

	if (buf == NULL)
		return NULL;
	fd = open(PAT_MEMTYPE_LIST, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto err_free;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len - 1 > 0)
			continue;
		if (cap >= PAT_LIST_MAX)
			goto err_close;
		tmp = realloc(buf, cap * 2);
		if (tmp == NULL)
			goto err_close;
		buf = tmp;
		cap *= 2;
	}
	if (n < 0)
		goto err_close;
	close(fd);
	buf[len] = '\0';
	return buf;
err_close:
	close(fd);
err_free:
	free(buf);
#endif
	return NULL;
}

/* Fill the effective attribute of every segment; one line per WC one. */
static void
verify_plan(struct rte_pci_device *dev, const char *pci_addr,
		struct pci_wc_plan *plan)
{
	bool trusted = driver_is_wc_variant(pci_addr);
	char *pat = NULL;
	bool pat_read = false;
	char range[64], other[32];
	uint32_t bar, i;

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
		struct pci_wc_bar_plan *bp = &plan->bars[bar];

		for (i = 0; i < bp->nb_segs; i++) {
			struct pci_wc_segment *seg = &bp->segs[i];
			uint64_t phys;

			if (seg->kind == PCI_WC_SEG_HOLE) {
				seg->effective = RTE_PCI_MEM_ATTR_UNMAPPED;
				continue;
			}
			if (!pat_read) {
				pat = read_pat_list();
				pat_read = true;
			}
			format_range(range, sizeof(range), seg);
			phys = dev->mem_resource[bar].phys_addr + seg->offset;
			seg->effective = pci_wc_pat_effective(pat,
				seg->kind == PCI_WC_SEG_WC, trusted,
				phys, phys + seg->len, other);
			if (seg->kind == PCI_WC_SEG_UC) {
				/* the kernel driver mapped the device file WC */
				if (seg->effective == RTE_PCI_MEM_ATTR_WC)
					PCI_WC_LOG(INFO, "%s: BAR%u range %s: mapped through the device file, PAT memory type write-combining: effective wc",
						pci_addr, bar, range);
				continue;
			}
			if (seg->effective == RTE_PCI_MEM_ATTR_UC) {
				PCI_WC_LOG(WARNING, "%s: BAR%u range %s: mapped write-combining but the PAT memory type is %s: effective uc",
					pci_addr, bar, range, other);
				continue;
			}
			PCI_WC_LOG(INFO, "%s: BAR%u range %s: write-combining, effective %s",
				pci_addr, bar, range,
				rte_pci_mem_attr_name(seg->effective));
		}
	}
	free(pat);
}

static void *
next_map_addr(uint64_t len)
{
	void *addr;

	/* try mapping somewhere close to the end of hugepages */
	if (pci_map_addr == NULL)
		pci_map_addr = pci_find_max_end_va();
	addr = pci_map_addr;
	pci_map_addr = RTE_PTR_ALIGN(RTE_PTR_ADD(addr, (size_t)len),
			rte_mem_page_size());
	return addr;
}

int
pci_vfio_wc_map_primary(struct rte_pci_device *dev, int vfio_dev_fd,
		struct mapped_pci_resource *res)
{
	const char *pci_addr = dev->name;
	int i;

	if (build_plan(dev, pci_addr, vfio_dev_fd, res) < 0)
		return -1;
	for (i = 0; i < res->nb_maps; i++) {
		uint64_t len = res->wc_plan.bars[i].map_len;

		if (len == 0)
			continue;
		if (map_bar(pci_addr, vfio_dev_fd, i, res, next_map_addr(len),
				true) < 0) {
			unmap_bars(dev, res, i);
			return -1;
		}
		dev->mem_resource[i].addr = res->maps[i].addr;
		pci_map_addr = RTE_PTR_ALIGN(RTE_PTR_ADD(res->maps[i].addr,
				(size_t)len), rte_mem_page_size());
	}
	verify_plan(dev, pci_addr, &res->wc_plan);
	pci_wc_plan_publish(dev, &res->wc_plan);
	return 0;
}

int
pci_vfio_wc_map_secondary(struct rte_pci_device *dev, int vfio_dev_fd,
		struct mapped_pci_resource *res)
{
	const char *pci_addr = dev->name;
	int i;

	for (i = 0; i < res->nb_maps; i++) {
		if (res->wc_plan.bars[i].map_len == 0)
			continue;
		if (map_bar(pci_addr, vfio_dev_fd, i, res, res->maps[i].addr,
				false) < 0) {
			unmap_bars(dev, res, i);
			return -1;
		}
		dev->mem_resource[i].addr = res->maps[i].addr;
	}
	pci_wc_plan_publish(dev, &res->wc_plan);
	return 0;
}

const char *
pci_vfio_wc_kernel_reason(int vfio_dev_fd)
{
	return wc_unsupported_reason(vfio_dev_fd);
}

int
pci_vfio_wc_map_wc(int vfio_dev_fd, int bar, const struct pci_wc_segment *seg,
		void *addr, const char **step)
{
	return map_wc_segment(vfio_dev_fd, bar, seg, addr, step);
}

enum rte_pci_mem_attr
pci_vfio_wc_effective(const struct rte_pci_device *dev, unsigned int bar,
		uint64_t offset, uint64_t len, bool mapped_wc, char other[32])
{
	uint64_t phys = dev->mem_resource[bar].phys_addr + offset;
	char *pat = read_pat_list();
	enum rte_pci_mem_attr attr;

	attr = pci_wc_pat_effective(pat, mapped_wc,
		driver_is_wc_variant(dev->name), phys, phys + len, other);
	free(pat);
	return attr;
}

#endif /* VFIO_PRESENT */

bool
pci_vfio_is_variant_driver(const char *dev_dir)
{
	char link[PATH_MAX], target[PATH_MAX], holder[PATH_MAX];
	const char *module;
	ssize_t n;

	snprintf(link, sizeof(link), "%s/driver/module", dev_dir);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	module = strrchr(target, '/');
	module = module != NULL ? module + 1 : target;
	snprintf(holder, sizeof(holder), "%s/%s", VFIO_PCI_CORE_HOLDERS, module);
	return access(holder, F_OK) == 0;
}
