// SPDX-License-Identifier: GPL-2.0-only
/*
 * BAR ownership and memory types.
 *
 * On x86 the cache mode of a user PFN mapping is not the one asked for:
 * vmf_insert_pfn*() take it from the PAT memtype tree (an overlapping
 * entry's type, else UC-). vfio-pci-core reserves UC- for a whole BAR the
 * first time it maps, reads or writes it (pci_iomap() of barmap[]); with
 * that entry in place a WC reservation comes out UC-, and a UC- ioremap
 * made after a WC reservation silently becomes WC.
 *
 * So for every BAR that may hold write-combined ranges this driver
 * installs barmap[] itself, before the core can: a vmap_pfn() mapping,
 * which creates no memtype entry. The tree then holds, for that BAR, only
 * the WC entries of reserved dma-buf ranges: WC pages fault in WC, every
 * other page UC-, whatever the order of mmap(), pread() and pwrite().
 * Device-file mappings and NC dma-buf mappings of a WC-reserved page
 * fault SIGBUS instead of coming out WC, and BAR reads and writes use a
 * mapping of the page's own type.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/pgtable.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "vfio_pci_wc.h"

static bool vfio_pci_wc_bar_wants_wc(struct vfio_pci_wc_device *wdev,
				     unsigned int bar)
{
	unsigned long flags = pci_resource_flags(wdev->core.pdev, bar);

	if (!(flags & IORESOURCE_MEM))
		return false;
	return (flags & IORESOURCE_PREFETCH) ||
	       vfio_pci_wc_allow_nonprefetchable();
}

/* True when this platform maps pgprot_writecombine() differently from UC */
static bool vfio_pci_wc_platform_has_wc(void)
{
	return arch_can_pci_mmap_wc() &&
	       pgprot_val(pgprot_writecombine(PAGE_KERNEL)) !=
	       pgprot_val(pgprot_noncached(PAGE_KERNEL));
}

/* vmap_pfn() is for memory without struct pages only */
static bool vfio_pci_wc_bar_has_pages(struct pci_dev *pdev, unsigned int bar)
{
	unsigned long pfn = PHYS_PFN(pci_resource_start(pdev, bar));
	unsigned long end = pfn + (PAGE_ALIGN(pci_resource_len(pdev, bar)) >>
				   PAGE_SHIFT);

	for (; pfn < end; pfn++) {
		if (pfn_valid(pfn))
			return true;
		if (!(pfn % SZ_4K))
			cond_resched();
	}
	return false;
}

/*
 * A kernel mapping of one page of the BAR with @prot, without memtype
 * entry: what pread()/pwrite() use for the time of one access, and, for
 * the first page, the barmap[] placeholder. So the kernel address space
 * a device uses does not grow with the size of its BARs.
 */
static void __iomem *vfio_pci_wc_map_page(struct pci_dev *pdev,
					  unsigned int bar, u64 offset,
					  pgprot_t prot)
{
	unsigned long pfn = PHYS_PFN(pci_resource_start(pdev, bar) + offset);

	return (void __iomem *)vmap_pfn(&pfn, 1, prot);
}

static void vfio_pci_wc_unmap_page(void __iomem *map)
{
	vunmap((void __force *)map);
}

static int vfio_pci_wc_own_bar(struct vfio_pci_wc_device *wdev,
			       unsigned int bar)
{
	struct vfio_pci_core_device *vdev = &wdev->core;
	struct pci_dev *pdev = vdev->pdev;
	resource_size_t len = pci_resource_len(pdev, bar);
	void __iomem *map;
	int ret;

	/*
	 * Called from open_device before vfio_pci_core_finish_enable(),
	 * which is what fills bar_mmap_supported[]: on the first open it is
	 * still all false, so check the size the core needs for an mmap here.
	 */
	if (!vfio_pci_wc_bar_wants_wc(wdev, bar) || len < PAGE_SIZE ||
	    IS_ERR(vdev->barmap[bar]))
		return 0;
	if (!PAGE_ALIGNED(pci_resource_start(pdev, bar)) ||
	    vfio_pci_wc_bar_has_pages(pdev, bar)) {
		pci_info(pdev, "BAR %u: not managed for write-combining (size %pa)\n",
			 bar, &len);
		return 0;
	}

	/*
	 * barmap[] must be set, or the core maps the whole BAR UC- (a
	 * memtype entry that would turn WC requests UC-), but nothing reads
	 * through it: every access to a BAR we own is ours, through a
	 * mapping of one page at a time.
	 */
	map = vfio_pci_wc_map_page(pdev, bar, 0, pgprot_noncached(PAGE_KERNEL));
	if (!map) {
		pci_info(pdev, "BAR %u: cannot map without a memtype entry, not managed for write-combining\n",
			 bar);
		return 0;
	}
	/*
	 * Like vfio-pci-core, which fails only the mmap of a BAR it cannot
	 * request, not the open: the BAR is left to the core.
	 */
	ret = vfio_pci_wc_compat_claim_bar(vdev, bar);
	if (ret <= 0) {
		vfio_pci_wc_unmap_page(map);
		if (ret < 0)
			pci_info(pdev, "BAR %u: cannot be requested (%d), not managed for write-combining\n",
				 bar, ret);
		return 0;
	}
	/* Reset paths read it under the lock, from other tasks */
	mutex_lock(&wdev->lock);
	wdev->bars[bar].map = map;
	vdev->barmap[bar] = map;
	mutex_unlock(&wdev->lock);
	return 0;
}

int vfio_pci_wc_own_bars(struct vfio_pci_wc_device *wdev)
{
	unsigned int bar;
	int ret;

	if (!vfio_pci_wc_platform_has_wc())
		return 0;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		ret = vfio_pci_wc_own_bar(wdev, bar);
		if (ret) {
			vfio_pci_wc_release_bars(wdev);
			return ret;
		}
	}
	return 0;
}

void vfio_pci_wc_release_bars(struct vfio_pci_wc_device *wdev)
{
	struct vfio_pci_core_device *vdev = &wdev->core;
	void __iomem *maps[PCI_STD_NUM_BARS];
	unsigned int bar;

	/* A reset of the device (sysfs, another device's) may be zapping */
	mutex_lock(&wdev->lock);
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		maps[bar] = wdev->bars[bar].map;
		if (!maps[bar])
			continue;
		vdev->barmap[bar] = NULL;
		wdev->bars[bar].map = NULL;
	}
	mutex_unlock(&wdev->lock);

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!maps[bar])
			continue;
		vfio_pci_wc_unmap_page(maps[bar]);
		pci_release_selected_regions(vdev->pdev, 1 << bar);
	}
}

static bool vfio_pci_wc_ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static bool vfio_pci_wc_overlaps_msix(struct vfio_pci_wc_device *wdev,
				      struct vfio_pci_wc_dmabuf *priv)
{
	struct vfio_pci_core_device *vdev = &wdev->core;
	u64 start, len;
	u32 i;

	if (vdev->msix_bar != priv->bar || !vdev->msix_size)
		return false;
	start = round_down(vdev->msix_offset, PAGE_SIZE);
	len = PAGE_ALIGN(vdev->msix_offset + vdev->msix_size) - start;
	for (i = 0; i < priv->nr_ranges; i++)
		if (vfio_pci_wc_ranges_overlap(priv->ranges[i].offset,
					       priv->ranges[i].length,
					       start, len))
			return true;
	return false;
}

/* Policy: when in doubt, stay uncached. */
int vfio_pci_wc_check_policy(struct vfio_pci_wc_device *wdev,
			     struct vfio_pci_wc_dmabuf *priv)
{
	struct pci_dev *pdev = wdev->core.pdev;
	unsigned int bar = priv->bar;

	if (!vfio_pci_wc_platform_has_wc()) {
		dev_warn_ratelimited(&pdev->dev, "BAR %u: write-combining refused: not supported by this platform\n",
				     bar);
		return -EOPNOTSUPP;
	}
	if (!vfio_pci_wc_bar_wants_wc(wdev, bar)) {
		dev_warn_ratelimited(&pdev->dev, "BAR %u: write-combining refused: BAR is not prefetchable (see parameter allow_nonprefetchable)\n",
				     bar);
		return -EPERM;
	}
	if (!vfio_pci_wc_bar_owned(wdev, bar)) {
		dev_warn_ratelimited(&pdev->dev, "BAR %u: write-combining refused: BAR is not managed for write-combining\n",
				     bar);
		return -EOPNOTSUPP;
	}
	if (vfio_pci_wc_overlaps_msix(wdev, priv)) {
		dev_warn_ratelimited(&pdev->dev, "BAR %u: write-combining refused: range overlaps the MSI-X table\n",
				     bar);
		return -EPERM;
	}
	return 0;
}

/*
 * The memory type a reservation made by arch_io_reserve_memtype_wc() got:
 * it takes the type of the entries it overlaps (UC- over a UC- entry),
 * and so does an ioremap. Every page of the range has that one type, so
 * the kernel PTE of a one-page ioremap_wc() of its first page shows it.
 */
static bool vfio_pci_wc_reserved_as_wc(resource_size_t phys)
{
#ifdef CONFIG_X86
	unsigned long val, wc = pgprot_val(pgprot_writecombine(__pgprot(0)));
	void __iomem *probe = ioremap_wc(phys, PAGE_SIZE);
	unsigned int level;
	bool ret = false;
	pte_t *pte;

	if (!probe)
		return false;
	pte = lookup_address((unsigned long)probe, &level);
	if (pte) {
		val = pte_val(*pte);
		if (level != PG_LEVEL_4K)
			val = protval_large_2_4k(val);
		ret = (val & _PAGE_CACHE_MASK) == (wc & _PAGE_CACHE_MASK);
	}
	iounmap(probe);
	return ret;
#else
	return true;
#endif
}

static void vfio_pci_wc_resv_put(struct vfio_pci_wc_device *wdev,
				 struct vfio_pci_wc_resv *resv)
{
	if (--resv->refs)
		return;
	arch_io_free_memtype_wc(pci_resource_start(wdev->core.pdev, resv->bar) +
				resv->offset, resv->length);
	list_del(&resv->node);
	wdev->nr_resvs--;
	kfree(resv);
}

/*
 * The reservation of [@offset, +@len) of @bar: an existing one with
 * exactly these bounds, referenced once more, or a new one. A new one is
 * an ioremap_wc() of the range: it adds the WC memtype entry and, because
 * ioremap takes the type of an existing overlapping entry, its kernel PTE
 * shows the type user faults will get. Anything but WC is refused, and so
 * is a range overlapping another reservation: one entry per distinct
 * range keeps the memtype tree, and the kernel address space used, no
 * larger than the BAR whatever the number of dma-bufs.
 */
static struct vfio_pci_wc_resv *
vfio_pci_wc_resv_get(struct vfio_pci_wc_device *wdev, unsigned int bar,
		     u64 offset, u64 len)
{
	struct pci_dev *pdev = wdev->core.pdev;
	resource_size_t phys = pci_resource_start(pdev, bar) + offset;
	resource_size_t end = phys + len - 1;
	struct vfio_pci_wc_resv *resv;

	list_for_each_entry(resv, &wdev->resvs, node) {
		if (resv->bar != bar ||
		    !vfio_pci_wc_ranges_overlap(offset, len, resv->offset,
						resv->length))
			continue;
		if (resv->offset == offset && resv->length == len) {
			resv->refs++;
			return resv;
		}
		dev_warn_ratelimited(&pdev->dev, "BAR %u: [mem %pa-%pa] cannot be reserved write-combining: overlaps the reservation of [0x%llx, +0x%llx)\n",
				     bar, &phys, &end, resv->offset,
				     resv->length);
		return ERR_PTR(-EBUSY);
	}
	if (wdev->nr_resvs >= VFIO_PCI_WC_MAX_RESERVATIONS) {
		dev_warn_ratelimited(&pdev->dev, "BAR %u: [mem %pa-%pa] cannot be reserved write-combining: the device has %u reservations (limit)\n",
				     bar, &phys, &end, wdev->nr_resvs);
		return ERR_PTR(-ENOSPC);
	}

	resv = kzalloc(sizeof(*resv), GFP_KERNEL_ACCOUNT);
	if (!resv)
		return ERR_PTR(-ENOMEM);
	/* A memtype entry without kernel mapping: no address space used */
	if (arch_io_reserve_memtype_wc(phys, len)) {
		kfree(resv);
		resv = ERR_PTR(-EBUSY);
	} else if (!vfio_pci_wc_reserved_as_wc(phys)) {
		arch_io_free_memtype_wc(phys, len);
		kfree(resv);
		resv = ERR_PTR(-EBUSY);
	}
	if (IS_ERR(resv)) {
		dev_warn_ratelimited(&pdev->dev, "BAR %u: [mem %pa-%pa] cannot be reserved write-combining: conflicting memory type\n",
				     bar, &phys, &end);
		return resv;
	}
	resv->bar = bar;
	resv->offset = offset;
	resv->length = len;
	resv->refs = 1;
	list_add_tail(&resv->node, &wdev->resvs);
	wdev->nr_resvs++;
	return resv;
}

/* Reserve WC for every range of @priv (see vfio_pci_wc_resv_get()) */
int vfio_pci_wc_reserve_locked(struct vfio_pci_wc_device *wdev,
			       struct vfio_pci_wc_dmabuf *priv)
{
	struct vfio_pci_wc_resv *resv;
	u32 i;

	lockdep_assert_held(&wdev->lock);
	if (priv->wc_reserved)
		return 0;

	for (i = 0; i < priv->nr_ranges; i++) {
		resv = vfio_pci_wc_resv_get(wdev, priv->bar,
					    priv->ranges[i].offset,
					    priv->ranges[i].length);
		if (IS_ERR(resv)) {
			while (i--) {
				vfio_pci_wc_resv_put(wdev, priv->ranges[i].resv);
				priv->ranges[i].resv = NULL;
			}
			return PTR_ERR(resv);
		}
		priv->ranges[i].resv = resv;
	}
	priv->wc_reserved = true;
	return 0;
}

void vfio_pci_wc_unreserve_locked(struct vfio_pci_wc_device *wdev,
				  struct vfio_pci_wc_dmabuf *priv)
{
	u32 i;

	lockdep_assert_held(&wdev->lock);
	if (!priv->wc_reserved)
		return;
	for (i = 0; i < priv->nr_ranges; i++) {
		vfio_pci_wc_resv_put(wdev, priv->ranges[i].resv);
		priv->ranges[i].resv = NULL;
	}
	priv->wc_reserved = false;
}

/* Remove the device-file PTEs of the ranges of @priv */
void vfio_pci_wc_zap_bar_ranges_locked(struct vfio_pci_wc_device *wdev,
				       struct vfio_pci_wc_dmabuf *priv)
{
	loff_t base = VFIO_PCI_INDEX_TO_OFFSET(priv->bar);
	u32 i;

	lockdep_assert_held(&wdev->lock);

	for (i = 0; i < priv->nr_ranges; i++)
		vfio_pci_wc_compat_zap(&wdev->core, wdev->map_file,
				       base + priv->ranges[i].offset,
				       priv->ranges[i].length);
}

/*
 * Remove the device-file PTEs of every BAR we own. The core zaps them on
 * its own reset, decode off and D3 paths, not on the others (sysfs reset,
 * reset of another device of the set); our fault handler then holds new
 * faults while wdev->blocked.
 */
void vfio_pci_wc_zap_owned_bars_locked(struct vfio_pci_wc_device *wdev)
{
	unsigned int bar;
	u64 len;

	lockdep_assert_held(&wdev->lock);
	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++) {
		if (!vfio_pci_wc_bar_owned(wdev, bar))
			continue;
		len = PAGE_ALIGN(pci_resource_len(wdev->core.pdev, bar));
		vfio_pci_wc_compat_zap(&wdev->core, wdev->map_file,
				       VFIO_PCI_INDEX_TO_OFFSET(bar), len);
	}
}

/* The WC reservation of @bar overlapping [@offset, +@len), or NULL */
static const struct vfio_pci_wc_resv *
vfio_pci_wc_reserved_range_locked(struct vfio_pci_wc_device *wdev,
				  unsigned int bar, u64 offset, u64 len)
{
	struct vfio_pci_wc_resv *resv;

	lockdep_assert_held(&wdev->lock);
	list_for_each_entry(resv, &wdev->resvs, node)
		if (resv->bar == bar &&
		    vfio_pci_wc_ranges_overlap(offset, len, resv->offset,
					       resv->length))
			return resv;
	return NULL;
}

bool vfio_pci_wc_range_reserved_locked(struct vfio_pci_wc_device *wdev,
				       unsigned int bar, u64 offset, u64 len)
{
	return vfio_pci_wc_reserved_range_locked(wdev, bar, offset, len);
}

bool vfio_pci_wc_range_reserved(struct vfio_pci_wc_device *wdev,
				unsigned int bar, u64 offset, u64 len)
{
	bool ret;

	mutex_lock(&wdev->lock);
	ret = vfio_pci_wc_range_reserved_locked(wdev, bar, offset, len);
	mutex_unlock(&wdev->lock);
	return ret;
}

/*
 * Copy @count bytes between @bounce and BAR offset @pos through @io (the
 * page's mapping), in naturally aligned accesses of up to 8 bytes like
 * the core's BAR access; the MSI-X table [@x_start, @x_end) reads as
 * 0xff and ignores writes, as in the core.
 */
static void vfio_pci_wc_copy_io(void __iomem *io, u8 *bounce, u64 pos,
				size_t count, u64 x_start, u64 x_end,
				bool iswrite)
{
	size_t done = 0, width;

	while (done < count) {
		u64 off = pos + done;

		if (off >= x_start && off < x_end) {
			if (!iswrite)
				bounce[done] = 0xff;
			done++;
			continue;
		}
		width = 8;
		while (width > 1 && (!IS_ALIGNED(off, width) ||
				     done + width > count ||
				     (off < x_start && off + width > x_start)))
			width >>= 1;
		switch (width) {
		case 8:
			if (iswrite)
				writeq(get_unaligned((u64 *)(bounce + done)), io + done);
			else
				put_unaligned(readq(io + done), (u64 *)(bounce + done));
			break;
		case 4:
			if (iswrite)
				writel(get_unaligned((u32 *)(bounce + done)), io + done);
			else
				put_unaligned(readl(io + done), (u32 *)(bounce + done));
			break;
		case 2:
			if (iswrite)
				writew(get_unaligned((u16 *)(bounce + done)), io + done);
			else
				put_unaligned(readw(io + done), (u16 *)(bounce + done));
			break;
		default:
			if (iswrite)
				writeb(bounce[done], io + done);
			else
				bounce[done] = readb(io + done);
		}
		done += width;
	}
}

/*
 * Copy @count bytes (within one page) between @bounce and BAR offset
 * @pos through a mapping of the page's current type: the WC mapping of
 * its reservation, else the UC- barmap[]. The type is looked up and used
 * under wdev->lock, like a reservation is made and released, so a
 * concurrent SET WC cannot turn the page WC between the two (an UC-
 * access of a WC page); no user memory is copied under it.
 */
static ssize_t vfio_pci_wc_rw_page(struct vfio_pci_wc_device *wdev,
				   unsigned int bar, void *bounce,
				   loff_t pos, size_t count, bool iswrite)
{
	struct vfio_pci_core_device *vdev = &wdev->core;
	u64 page = round_down(pos, PAGE_SIZE);
	u64 x_start = 0, x_end = 0;
	ssize_t ret = count;
	void __iomem *io;
	pgprot_t prot;

	down_read(&vdev->memory_lock);
	if (!vfio_pci_wc_memory_enabled(vdev)) {
		up_read(&vdev->memory_lock);
		return -EIO;
	}
	mutex_lock(&wdev->lock);
	if (vfio_pci_wc_reserved_range_locked(wdev, bar, pos, 1)) {
		prot = pgprot_writecombine(PAGE_KERNEL);
	} else {
		prot = pgprot_noncached(PAGE_KERNEL);
		if (bar == vdev->msix_bar) {
			x_start = vdev->msix_offset;
			x_end = vdev->msix_offset + vdev->msix_size;
		}
	}
	/* Mapped for this access only, see vfio_pci_wc_map_page() */
	io = vfio_pci_wc_map_page(vdev->pdev, bar, page, prot);
	if (io) {
		vfio_pci_wc_copy_io(io + (pos - page), bounce, pos, count,
				    x_start, x_end, iswrite);
		vfio_pci_wc_unmap_page(io);
	} else {
		ret = -ENOMEM;
	}
	mutex_unlock(&wdev->lock);
	up_read(&vdev->memory_lock);
	return ret;
}

/* One chunk (within a page) of vfio_pci_wc_bar_rw() */
static ssize_t vfio_pci_wc_rw_chunk(struct vfio_pci_wc_device *wdev,
				    unsigned int bar, char __user *buf,
				    void *bounce, loff_t pos, size_t count,
				    bool iswrite)
{
	ssize_t ret;

	/* No user memory is copied under the locks */
	if (iswrite && copy_from_user(bounce, buf, count))
		return -EFAULT;
	ret = vfio_pci_wc_rw_page(wdev, bar, bounce, pos, count, iswrite);
	if (ret > 0 && !iswrite && copy_to_user(buf, bounce, count))
		return -EFAULT;
	return ret;
}

/*
 * pread()/pwrite() of a BAR we own: each page goes through a mapping of
 * its own type, so no access aliases a WC page with UC- or the reverse.
 */
ssize_t vfio_pci_wc_bar_rw(struct vfio_pci_wc_device *wdev,
			   char __user *buf, size_t count, loff_t *ppos,
			   bool iswrite)
{
	struct vfio_pci_core_device *vdev = &wdev->core;
	unsigned int bar = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	resource_size_t end = pci_resource_len(vdev->pdev, bar);
	size_t done = 0;
	ssize_t ret = 0;
	void *bounce;

	if (pos >= end)
		return -EINVAL;
	count = min_t(size_t, count, end - pos);
	bounce = kmalloc(min_t(size_t, count, PAGE_SIZE), GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;

	while (done < count) {
		loff_t off = pos + done;
		size_t chunk = min_t(size_t, count - done,
				     PAGE_SIZE - offset_in_page(off));

		ret = vfio_pci_wc_rw_chunk(wdev, bar, buf + done, bounce, off,
					   chunk, iswrite);
		if (ret <= 0)
			break;
		done += ret;
		if (ret < chunk)
			break;
	}
	kfree(bounce);
	if (!done && ret < 0)
		return ret;
	*ppos += done;
	return done;
}

/* BAR offset of the page at @addr of a device-file VMA */
static u64 vfio_pci_wc_vma_offset(struct vm_area_struct *vma,
				  unsigned long addr)
{
	u64 pgoff = vma->vm_pgoff &
		    ((1ULL << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)) - 1);

	return (pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT)) << PAGE_SHIFT;
}

/*
 * Fault of a device-file mapping of a BAR we own. The core's handler
 * cannot be used: a WC reservation made between its check here and its
 * PTE insertion would escape the zap of the reservation, and the page
 * would come out UC- over a WC entry (or WC through the device file). So
 * the PTE is inserted here, under wdev->lock like the reservation and
 * its zap, with the core's checks. Only 4 KiB pages: a huge one could
 * cover a WC-reserved page.
 */
static vm_fault_t vfio_pci_wc_bar_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vfio_pci_wc_device *wdev =
		container_of(vma->vm_private_data, struct vfio_pci_wc_device,
			     core);
	struct vfio_pci_core_device *vdev = &wdev->core;
	unsigned int bar = vma->vm_pgoff >>
			   (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	u64 offset = vfio_pci_wc_vma_offset(vma, vmf->address);
	unsigned long pfn = PHYS_PFN(pci_resource_start(vdev->pdev, bar) +
				     offset);
	vm_fault_t ret;

	down_read(&vdev->memory_lock);
	mutex_lock(&wdev->lock);
	ret = vfio_pci_wc_fault_check_device(wdev, vmf);
	if (ret)
		return ret;
	if (!vfio_pci_wc_compat_vma_live(wdev->map_file, vma)) {
		ret = VM_FAULT_SIGBUS;
	} else if (vfio_pci_wc_range_reserved_locked(wdev, bar, offset,
						     PAGE_SIZE)) {
		dev_warn_ratelimited(&vdev->pdev->dev,
				     "BAR %u: offset 0x%llx is reserved write-combining by a dma-buf, device file access refused\n",
				     bar, offset);
		ret = VM_FAULT_SIGBUS;
	} else {
		ret = vmf_insert_pfn(vma, vmf->address, pfn);
	}
	mutex_unlock(&wdev->lock);
	up_read(&vdev->memory_lock);
	return ret;
}

static const struct vm_operations_struct vfio_pci_wc_bar_vm_ops = {
	.fault = vfio_pci_wc_bar_fault,
};

/* mmap() of a BAR we own through the device file */
int vfio_pci_wc_mmap_bar(struct vfio_pci_wc_device *wdev,
			 struct vm_area_struct *vma)
{
	unsigned int bar = vma->vm_pgoff >>
			   (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	u64 offset = vfio_pci_wc_vma_offset(vma, vma->vm_start);
	u64 len = vma->vm_end - vma->vm_start;
	pgoff_t pgoff = vma->vm_pgoff;
	int ret;

	if (vfio_pci_wc_range_reserved(wdev, bar, offset, len)) {
		dev_warn_ratelimited(&wdev->core.pdev->dev,
				     "BAR %u: mmap of [0x%llx, 0x%llx) refused: overlaps a write-combining reservation\n",
				     bar, offset, offset + len);
		return -EBUSY;
	}

	/* The core checks the range and sets the VMA up, we fault it */
	ret = vfio_pci_core_mmap(&wdev->core.vdev, vma);
	if (ret)
		return ret;
	vma->vm_ops = &vfio_pci_wc_bar_vm_ops;
	vfio_pci_wc_compat_mmap(wdev->map_file, vma, pgoff);
	return 0;
}
