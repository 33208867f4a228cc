// SPDX-License-Identifier: GPL-2.0-only
/*
 * dma-buf export of BAR ranges, their memory attribute, mmap and revoke:
 * VFIO_DEVICE_FEATURE_DMA_BUF (GET), VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR
 * (SET) and VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE (SET).
 *
 * The dma-buf is for the owner's mmap() only: importers cannot attach.
 * A WC attribute reserves WC for the ranges when it is set, so that a
 * request that cannot be honoured fails there, and the reservation lasts
 * until the dma-buf is released or revoked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "vfio_pci_wc.h"

/*
 * MODULE_IMPORT_NS(DMA_BUF) spelt so that it builds on 6.12 (identifier
 * argument) and on 6.13+ (string argument) alike.
 */
MODULE_INFO(import_ns, "DMA_BUF");

static const struct dma_buf_ops vfio_pci_wc_dmabuf_ops;
static const struct vm_operations_struct vfio_pci_wc_dmabuf_wc_vm_ops;

/* Keeps priv->wdev alive while faults and mmap() take a reference */
DEFINE_STATIC_SRCU(vfio_pci_wc_srcu);

static int vfio_pci_wc_dmabuf_attach(struct dma_buf *dmabuf,
				     struct dma_buf_attachment *attachment)
{
	/* Exported for mmap() by the device owner, not for DMA importers */
	return -EOPNOTSUPP;
}

static struct sg_table *
vfio_pci_wc_dmabuf_map(struct dma_buf_attachment *attachment,
		       enum dma_data_direction dir)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void vfio_pci_wc_dmabuf_unmap(struct dma_buf_attachment *attachment,
				     struct sg_table *sgt,
				     enum dma_data_direction dir)
{
}

/* PFN and BAR offset of dma-buf page @pgoff, false beyond the ranges */
static bool vfio_pci_wc_dmabuf_pfn(struct vfio_pci_wc_dmabuf *priv,
				   pgoff_t pgoff, unsigned long *pfn,
				   u64 *bar_offset)
{
	u64 pos = (u64)pgoff << PAGE_SHIFT;
	u32 i;

	for (i = 0; i < priv->nr_ranges; i++) {
		const struct vfio_pci_wc_range *range = &priv->ranges[i];

		if (pos < range->length) {
			*bar_offset = range->offset + pos;
			*pfn = PHYS_PFN(priv->bar_phys + *bar_offset);
			return true;
		}
		pos -= range->length;
	}
	return false;
}

/*
 * A reset or power transition of the device is in progress. The access
 * sleeps until it is over, without the mmap or VMA lock (the operation may
 * need it, e.g. to copy its own arguments), and retries, whether it comes
 * from user space or from the kernel (write(2) or io_uring reading from
 * the mapping, KVM's fault path), as with vfio-pci's own mappings. Only a
 * kernel access by the blocking operation itself (@self: its
 * copy_*_user()) fails instead of waiting for itself.
 */
static vm_fault_t vfio_pci_wc_wait_unblocked(struct vfio_pci_wc_device *wdev,
					     struct vm_fault *vmf, bool self)
{
	struct file *file;

	if (self && !(vmf->flags & FAULT_FLAG_USER))
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY) ||
	    (vmf->flags & FAULT_FLAG_RETRY_NOWAIT))
		return VM_FAULT_NOPAGE;

	/*
	 * Once unlocked the VMA may go: the caller keeps @wdev alive (the
	 * device file keeps the device open; a dma-buf's fault holds a
	 * device reference), the file reference keeps the VMA's file.
	 */
	file = get_file(vmf->vma->vm_file);
	release_fault_lock(vmf);
	wait_event_killable(wdev->unblocked, !READ_ONCE(wdev->blocked));
	fput(file);
	return VM_FAULT_RETRY;
}

/*
 * The device-state checks of every fault of a BAR page we own, through a
 * dma-buf or the device file, called with core.memory_lock read-held and
 * wdev->lock held. 0 when a PTE may be inserted now, both locks still
 * held. Otherwise both locks are released and the return value is the
 * fault's result: that of waiting for the reset or power transition in
 * progress, or SIGBUS while the device is powered down or its memory
 * decode is off.
 */
vm_fault_t vfio_pci_wc_fault_check_device(struct vfio_pci_wc_device *wdev,
					  struct vm_fault *vmf)
{
	struct vfio_pci_core_device *vdev = &wdev->core;
	bool blocked, self;

	lockdep_assert_held(&wdev->lock);
	blocked = wdev->blocked;
	if (!blocked && !vdev->pm_runtime_engaged &&
	    vfio_pci_wc_memory_enabled(vdev))
		return 0;
	self = blocked && vfio_pci_wc_blocked_by_current_locked(wdev);
	mutex_unlock(&wdev->lock);
	up_read(&vdev->memory_lock);
	return blocked ? vfio_pci_wc_wait_unblocked(wdev, vmf, self) :
			 VM_FAULT_SIGBUS;
}

static vm_fault_t vfio_pci_wc_dmabuf_insert(struct vfio_pci_wc_device *wdev,
					    struct vfio_pci_wc_dmabuf *priv,
					    struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vfio_pci_core_device *vdev = &wdev->core;
	bool wc = vma->vm_ops == &vfio_pci_wc_dmabuf_wc_vm_ops;
	unsigned long pfn;
	vm_fault_t ret;
	u64 bar_offset;

	if (!vfio_pci_wc_dmabuf_pfn(priv, vmf->pgoff, &pfn, &bar_offset))
		return VM_FAULT_SIGBUS;

	/* memory_lock: the core changes decode and power state under it */
	down_read(&vdev->memory_lock);
	mutex_lock(&wdev->lock);
	if (priv->revoked) {
		ret = VM_FAULT_SIGBUS;
		goto out_unlock;
	}
	ret = vfio_pci_wc_fault_check_device(wdev, vmf);
	if (ret)
		return ret;
	/* An NC page must never come out WC from another dma-buf's entry */
	if (!wc && vfio_pci_wc_range_reserved_locked(wdev, priv->bar,
						     bar_offset, PAGE_SIZE))
		ret = VM_FAULT_SIGBUS;
	else
		ret = vmf_insert_pfn_prot(vma, vmf->address, pfn,
					  vma->vm_page_prot);
out_unlock:
	mutex_unlock(&wdev->lock);
	up_read(&vdev->memory_lock);
	return ret;
}

/*
 * The device of a dma-buf that is not revoked yet, with a reference the
 * caller drops with put_device(); NULL once revoked. The SRCU read side
 * only covers taking the reference: a fault that sleeps (waiting for a
 * reset) must not hold up the revoke and close of other devices, which
 * wait for vfio_pci_wc_srcu.
 */
static struct vfio_pci_wc_device *
vfio_pci_wc_dmabuf_get_device(struct vfio_pci_wc_dmabuf *priv)
{
	struct vfio_pci_wc_device *wdev;
	int idx;

	idx = srcu_read_lock(&vfio_pci_wc_srcu);
	wdev = READ_ONCE(priv->wdev);
	if (wdev)
		get_device(&wdev->core.vdev.device);
	srcu_read_unlock(&vfio_pci_wc_srcu, idx);
	return wdev;
}

/* Device references dropped from a workqueue (see below) */
static struct workqueue_struct *vfio_pci_wc_put_wq;

struct vfio_pci_wc_deferred_put {
	struct work_struct work;
	struct vfio_pci_wc_device *wdev;
};

static void vfio_pci_wc_deferred_put_fn(struct work_struct *work)
{
	struct vfio_pci_wc_deferred_put *put =
		container_of(work, struct vfio_pci_wc_deferred_put, work);

	put_device(&put->wdev->core.vdev.device);
	kfree(put);
}

/*
 * Drop the device reference of vfio_pci_wc_dmabuf_get_device(), from a
 * fault or mmap(), with the mmap or VMA lock held. While the dma-buf is
 * not revoked it holds a reference of its own, which its revoke drops
 * only after a grace period of vfio_pci_wc_srcu: within a read section
 * that still finds the device, this put is not the last. Otherwise (the
 * dma-buf was revoked meanwhile, the device may be closed and removed)
 * it may be, and the release of a vfio device (its device set, the
 * core's state, the device itself) must not run under the mmap lock:
 * the put goes to a workqueue, which the module's exit flushes.
 */
static void vfio_pci_wc_dmabuf_put_device(struct vfio_pci_wc_dmabuf *priv,
					  struct vfio_pci_wc_device *wdev)
{
	struct vfio_pci_wc_deferred_put *put;
	int idx;

	idx = srcu_read_lock(&vfio_pci_wc_srcu);
	if (READ_ONCE(priv->wdev) == wdev) {
		put_device(&wdev->core.vdev.device);
		srcu_read_unlock(&vfio_pci_wc_srcu, idx);
		return;
	}
	srcu_read_unlock(&vfio_pci_wc_srcu, idx);

	put = kmalloc(sizeof(*put), GFP_KERNEL | __GFP_NOFAIL);
	put->wdev = wdev;
	INIT_WORK(&put->work, vfio_pci_wc_deferred_put_fn);
	queue_work(vfio_pci_wc_put_wq, &put->work);
}

int vfio_pci_wc_dmabuf_init(void)
{
	/* Unbound: nothing per-CPU about it (7.3 warns unless told either way) */
	vfio_pci_wc_put_wq = alloc_workqueue("vfio_pci_wc_put", WQ_UNBOUND, 0);
	return vfio_pci_wc_put_wq ? 0 : -ENOMEM;
}

/* After the driver is unregistered: the last deferred puts */
void vfio_pci_wc_dmabuf_exit(void)
{
	destroy_workqueue(vfio_pci_wc_put_wq);
}

static vm_fault_t vfio_pci_wc_dmabuf_fault(struct vm_fault *vmf)
{
	struct vfio_pci_wc_dmabuf *priv = vmf->vma->vm_private_data;
	struct vfio_pci_wc_device *wdev;
	vm_fault_t ret;

	wdev = vfio_pci_wc_dmabuf_get_device(priv);
	if (!wdev)
		return VM_FAULT_SIGBUS;
	ret = vfio_pci_wc_dmabuf_insert(wdev, priv, vmf);
	vfio_pci_wc_dmabuf_put_device(priv, wdev);
	return ret;
}

/* The live mappings of the dma-buf with the attribute of @vma */
static atomic_t *vfio_pci_wc_dmabuf_maps(struct vm_area_struct *vma)
{
	struct vfio_pci_wc_dmabuf *priv = vma->vm_private_data;

	return vma->vm_ops == &vfio_pci_wc_dmabuf_wc_vm_ops ? &priv->wc_maps :
							    &priv->nc_maps;
}

/* A VMA split or copied (fork) from one of ours */
static void vfio_pci_wc_dmabuf_vm_open(struct vm_area_struct *vma)
{
	atomic_inc(vfio_pci_wc_dmabuf_maps(vma));
}

/*
 * munmap() and exit, after the VMA's PTEs are gone; also a mapping that
 * failed after our mmap() returned (Linux 6.1: ENOMEM in mmap_region()).
 * No lock: the count only drops once nothing of the VMA is left, and
 * mmap() raises it under wdev->lock, which the attribute checks hold.
 */
static void vfio_pci_wc_dmabuf_vm_close(struct vm_area_struct *vma)
{
	atomic_dec(vfio_pci_wc_dmabuf_maps(vma));
}

static const struct vm_operations_struct vfio_pci_wc_dmabuf_wc_vm_ops = {
	.open = vfio_pci_wc_dmabuf_vm_open,
	.close = vfio_pci_wc_dmabuf_vm_close,
	.fault = vfio_pci_wc_dmabuf_fault,
};

static const struct vm_operations_struct vfio_pci_wc_dmabuf_nc_vm_ops = {
	.open = vfio_pci_wc_dmabuf_vm_open,
	.close = vfio_pci_wc_dmabuf_vm_close,
	.fault = vfio_pci_wc_dmabuf_fault,
};

/* Called by the dma-buf core, which already checked the size */
static int vfio_pci_wc_dmabuf_mmap(struct dma_buf *dmabuf,
				   struct vm_area_struct *vma)
{
	struct vfio_pci_wc_dmabuf *priv = dmabuf->priv;
	struct vfio_pci_wc_device *wdev;
	bool wc = false;
	int ret = 0;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	wdev = vfio_pci_wc_dmabuf_get_device(priv);
	if (!wdev)
		return -ENODEV;
	mutex_lock(&wdev->lock);
	if (priv->revoked) {
		ret = -ENODEV;
	} else if (priv->memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC) {
		atomic_inc(&priv->wc_maps);
		wc = true;
	} else if (priv->wc_reserved ||
		   vfio_pci_wc_dmabuf_overlaps_wc_locked(wdev, priv)) {
		dev_warn_ratelimited(&wdev->core.pdev->dev,
				     "BAR %u: uncached mmap refused: range is reserved write-combining\n",
				     priv->bar);
		ret = -EBUSY;
	} else {
		atomic_inc(&priv->nc_maps);
	}
	mutex_unlock(&wdev->lock);
	vfio_pci_wc_dmabuf_put_device(priv, wdev);
	if (ret)
		return ret;

	vma->vm_private_data = priv;
	if (wc)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	else
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_page_prot = pgprot_decrypted(vma->vm_page_prot);
	/* Same flags as vfio-pci-core's BAR mappings */
	vm_flags_set(vma, VM_ALLOW_ANY_UNCACHED | VM_IO | VM_PFNMAP |
			  VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = wc ? &vfio_pci_wc_dmabuf_wc_vm_ops :
			   &vfio_pci_wc_dmabuf_nc_vm_ops;
	return 0;
}

/* No fault or mmap() is in progress: they hold a reference to the file */
static void vfio_pci_wc_dmabuf_release(struct dma_buf *dmabuf)
{
	struct vfio_pci_wc_dmabuf *priv = dmabuf->priv;
	struct vfio_pci_wc_device *wdev = priv->wdev;

	/* A revoked dma-buf already gave everything back */
	if (wdev) {
		mutex_lock(&wdev->lock);
		list_del(&priv->node);
		wdev->nr_ranges -= priv->nr_ranges;
		vfio_pci_wc_unreserve_locked(wdev, priv);
		mutex_unlock(&wdev->lock);
		put_device(&wdev->core.vdev.device);
	}
	kfree(priv);
}

static const struct dma_buf_ops vfio_pci_wc_dmabuf_ops = {
	.attach		= vfio_pci_wc_dmabuf_attach,
	.map_dma_buf	= vfio_pci_wc_dmabuf_map,
	.unmap_dma_buf	= vfio_pci_wc_dmabuf_unmap,
	.release	= vfio_pci_wc_dmabuf_release,
	.mmap		= vfio_pci_wc_dmabuf_mmap,
};

static void vfio_pci_wc_zap_dmabuf(struct vfio_pci_wc_dmabuf *priv)
{
	unmap_mapping_range(priv->dmabuf->file->f_mapping, 0,
			    priv->dmabuf->size, true);
}

/*
 * Zap the mappings of every dma-buf of the device. A dma-buf whose last
 * file reference is gone is skipped: its release(), which takes it off
 * the list, runs after the file's inode, hence the address_space a zap
 * would walk, has been freed; and it has no mapping left to zap (every
 * VMA holds a file reference). The reference taken here is dropped
 * under wdev->lock: fput() defers the release, which takes the lock, to
 * task work or a workqueue.
 */
void vfio_pci_wc_zap_dmabufs_locked(struct vfio_pci_wc_device *wdev)
{
	struct vfio_pci_wc_dmabuf *priv;
	struct file *file;

	lockdep_assert_held(&wdev->lock);
	list_for_each_entry(priv, &wdev->dmabufs, node) {
		file = get_file_active(&priv->dmabuf->file);
		if (!file)
			continue;
		vfio_pci_wc_zap_dmabuf(priv);
		fput(file);
	}
}

/* Another live dma-buf of the device holds WC over a range of @priv */
bool vfio_pci_wc_dmabuf_overlaps_wc_locked(struct vfio_pci_wc_device *wdev,
					   struct vfio_pci_wc_dmabuf *priv)
{
	u32 i;

	for (i = 0; i < priv->nr_ranges; i++)
		if (vfio_pci_wc_range_reserved_locked(wdev, priv->bar,
						      priv->ranges[i].offset,
						      priv->ranges[i].length))
			return true;
	return false;
}

/* A live dma-buf of the device mapped NC overlaps a range of @priv */
static bool vfio_pci_wc_dmabuf_overlaps_nc_locked(struct vfio_pci_wc_device *wdev,
						  struct vfio_pci_wc_dmabuf *priv)
{
	struct vfio_pci_wc_dmabuf *other;
	u32 i, j;

	list_for_each_entry(other, &wdev->dmabufs, node) {
		if (other->bar != priv->bar || !atomic_read(&other->nc_maps))
			continue;
		for (i = 0; i < priv->nr_ranges; i++)
			for (j = 0; j < other->nr_ranges; j++)
				if (priv->ranges[i].offset <
				    other->ranges[j].offset +
				    other->ranges[j].length &&
				    other->ranges[j].offset <
				    priv->ranges[i].offset +
				    priv->ranges[i].length)
					return true;
	}
	return false;
}

static int vfio_pci_wc_check_region(struct vfio_pci_wc_device *wdev, u32 index)
{
	struct vfio_pci_core_device *vdev = &wdev->core;

	/*
	 * Only BARs (ENODEV otherwise, as upstream), and of those only
	 * implemented, mmap-able memory BARs (EINVAL, as upstream where no
	 * peer-to-peer provider exists for them).
	 */
	if (index >= VFIO_PCI_ROM_REGION_INDEX)
		return -ENODEV;
	if (!(pci_resource_flags(vdev->pdev, index) & IORESOURCE_MEM) ||
	    !pci_resource_len(vdev->pdev, index) ||
	    !vdev->bar_mmap_supported[index])
		return -EINVAL;
	return 0;
}

static int vfio_pci_wc_check_ranges(struct vfio_pci_wc_device *wdev,
				    struct vfio_pci_wc_dmabuf *priv,
				    size_t *size)
{
	/* Not page aligned: nothing of a BAR smaller than a page, as upstream */
	u64 bar_len = pci_resource_len(wdev->core.pdev, priv->bar);
	u64 total = 0, end;
	const char *why;
	u32 i;
	int ret;

	/* The errnos of upstream's validation of the same request */
	for (i = 0; i < priv->nr_ranges; i++) {
		const struct vfio_pci_wc_range *range = &priv->ranges[i];

		ret = -EINVAL;
		if (!range->length || !PAGE_ALIGNED(range->offset) ||
		    !PAGE_ALIGNED(range->length)) {
			why = "empty or not page aligned";
		} else if (check_add_overflow(range->offset, range->length,
					      &end)) {
			why = "offset + length overflows";
			ret = -EOVERFLOW;
		} else if (end > bar_len) {
			why = "beyond the BAR";
		} else if (check_add_overflow(total, range->length, &total)) {
			why = "total length overflows";
		} else {
			continue;
		}
		dev_warn_ratelimited(&wdev->core.pdev->dev,
				     "BAR %u: dma-buf range %u [0x%llx, +0x%llx) refused: %s\n",
				     priv->bar, i, range->offset, range->length,
				     why);
		return ret;
	}
	if (total > SIZE_MAX)
		return -EINVAL;
	*size = total;
	return 0;
}

/*
 * Account @nr ranges of a new dma-buf to the device, within
 * VFIO_PCI_WC_MAX_DEVICE_RANGES: every walk of the device's dma-bufs
 * (zap, attribute checks) stays bounded whatever user space exports.
 */
static int vfio_pci_wc_charge_ranges(struct vfio_pci_wc_device *wdev,
				     unsigned int bar, u32 nr)
{
	unsigned int held;
	int ret = 0;

	mutex_lock(&wdev->lock);
	held = wdev->nr_ranges;
	if (held + nr > VFIO_PCI_WC_MAX_DEVICE_RANGES)
		ret = -ENOSPC;
	else
		wdev->nr_ranges += nr;
	mutex_unlock(&wdev->lock);
	if (ret)
		dev_warn_ratelimited(&wdev->core.pdev->dev,
				     "BAR %u: dma-buf export of %u ranges refused: the device's dma-bufs already hold %u (limit %u)\n",
				     bar, nr, held, VFIO_PCI_WC_MAX_DEVICE_RANGES);
	return ret;
}

static void vfio_pci_wc_uncharge_ranges(struct vfio_pci_wc_device *wdev,
					u32 nr)
{
	mutex_lock(&wdev->lock);
	wdev->nr_ranges -= nr;
	mutex_unlock(&wdev->lock);
}

static struct vfio_pci_wc_dmabuf *
vfio_pci_wc_dmabuf_alloc(struct vfio_pci_wc_device *wdev,
			 struct vfio_device_feature_dma_buf *hdr,
			 struct vfio_region_dma_range __user *uranges)
{
	struct vfio_pci_wc_dmabuf *priv;
	struct vfio_region_dma_range *ranges;
	u32 i;

	ranges = memdup_array_user(uranges, hdr->nr_ranges, sizeof(*ranges));
	if (IS_ERR(ranges))
		return ERR_CAST(ranges);
	/* Lives as long as the user keeps the dma-buf: charged to it */
	priv = kzalloc(struct_size(priv, ranges, hdr->nr_ranges),
		       GFP_KERNEL_ACCOUNT);
	if (!priv) {
		kfree(ranges);
		return ERR_PTR(-ENOMEM);
	}
	priv->nr_ranges = hdr->nr_ranges;
	priv->wdev = wdev;
	priv->owner = wdev->id;
	priv->bar = hdr->region_index;
	priv->bar_phys = pci_resource_start(wdev->core.pdev, priv->bar);
	priv->memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC;
	INIT_LIST_HEAD(&priv->node);

	for (i = 0; i < hdr->nr_ranges; i++) {
		priv->ranges[i].offset = ranges[i].offset;
		priv->ranges[i].length = ranges[i].length;
	}
	kfree(ranges);
	return priv;
}

int vfio_pci_wc_feature_dma_buf(struct vfio_pci_wc_device *wdev, u32 flags,
				void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_buf __user *uhdr = arg;
	struct vfio_pci_core_device *vdev = &wdev->core;
	struct vfio_device_feature_dma_buf hdr;
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct vfio_pci_wc_dmabuf *priv;
	struct dma_buf *dmabuf;
	size_t size;
	int ret, fd;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET,
				 sizeof(hdr));
	if (ret != 1)
		return ret;
	if (copy_from_user(&hdr, uhdr, sizeof(hdr)))
		return -EFAULT;

	/*
	 * As upstream: open_flags go to the new file unchecked, and there
	 * is no cap of ranges per dma-buf but the device's (ENOSPC below).
	 * Stricter: the ranges must lie within argsz, the size of the
	 * caller's buffer, rather than be read from whatever follows it.
	 */
	if (hdr.flags || !hdr.nr_ranges)
		return -EINVAL;
	if ((argsz - sizeof(hdr)) / sizeof(hdr.dma_ranges[0]) < hdr.nr_ranges)
		return -EINVAL;
	ret = vfio_pci_wc_check_region(wdev, hdr.region_index);
	if (ret)
		return ret;
	ret = vfio_pci_wc_charge_ranges(wdev, hdr.region_index,
					hdr.nr_ranges);
	if (ret)
		return ret;

	priv = vfio_pci_wc_dmabuf_alloc(wdev, &hdr, uhdr->dma_ranges);
	if (IS_ERR(priv)) {
		ret = PTR_ERR(priv);
		goto err_uncharge;
	}
	ret = vfio_pci_wc_check_ranges(wdev, priv, &size);
	if (ret)
		goto err_free_priv;

	/* Claim the BAR like vfio-pci-core does before mapping it */
	if (!vfio_pci_wc_bar_owned(wdev, priv->bar)) {
		ret = vfio_pci_wc_compat_setup_barmap(vdev, priv->bar);
		if (ret)
			goto err_free_priv;
	}

	get_device(&vdev->vdev.device);
	exp_info.ops = &vfio_pci_wc_dmabuf_ops;
	exp_info.size = size;
	exp_info.flags = hdr.open_flags;
	exp_info.priv = priv;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_put_device;
	}
	priv->dmabuf = dmabuf;

	mutex_lock(&wdev->lock);
	list_add_tail(&priv->node, &wdev->dmabufs);
	mutex_unlock(&wdev->lock);

	fd = dma_buf_fd(dmabuf, hdr.open_flags);
	if (fd < 0)
		dma_buf_put(dmabuf);	/* release() undoes the rest */
	return fd;

err_put_device:
	put_device(&vdev->vdev.device);
err_free_priv:
	kfree(priv);
err_uncharge:
	vfio_pci_wc_uncharge_ranges(wdev, hdr.nr_ranges);
	return ret;
}

/* The dma-buf behind @fd, if it was exported from this device */
static struct dma_buf *vfio_pci_wc_get_dmabuf(struct vfio_pci_wc_device *wdev,
					      int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);
	struct vfio_pci_wc_dmabuf *priv;

	if (IS_ERR(dmabuf))
		return dmabuf;
	priv = dmabuf->priv;
	/*
	 * By id: the exporting device may be gone and another one allocated
	 * at its address.
	 */
	if (dmabuf->ops != &vfio_pci_wc_dmabuf_ops ||
	    READ_ONCE(priv->owner) != wdev->id) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-ENODEV);
	}
	return dmabuf;
}

static int vfio_pci_wc_set_wc_locked(struct vfio_pci_wc_device *wdev,
				     struct vfio_pci_wc_dmabuf *priv)
{
	int ret;

	if (priv->memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC)
		return 0;
	if (atomic_read(&priv->nc_maps) ||
	    vfio_pci_wc_dmabuf_overlaps_nc_locked(wdev, priv)) {
		dev_warn_ratelimited(&wdev->core.pdev->dev,
				     "BAR %u: write-combining refused: range is mapped uncached by a dma-buf\n",
				     priv->bar);
		return -EBUSY;
	}
	ret = vfio_pci_wc_check_policy(wdev, priv);
	if (ret)
		return ret;
	ret = vfio_pci_wc_reserve_locked(wdev, priv);
	if (ret)
		return ret;
	priv->memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC;
	/*
	 * Device-file PTEs of the ranges, faulted in before the reservation,
	 * would now alias it UC-: remove them (refaults are refused).
	 */
	vfio_pci_wc_zap_bar_ranges_locked(wdev, priv);
	return 0;
}

static int vfio_pci_wc_set_nc_locked(struct vfio_pci_wc_device *wdev,
				     struct vfio_pci_wc_dmabuf *priv)
{
	if (priv->memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC)
		return 0;
	/* Its WC mappings may still exist: one type per page at a time */
	if (atomic_read(&priv->wc_maps)) {
		dev_warn_ratelimited(&wdev->core.pdev->dev,
				     "BAR %u: uncached attribute refused: dma-buf is mapped write-combining\n",
				     priv->bar);
		return -EBUSY;
	}
	vfio_pci_wc_unreserve_locked(wdev, priv);
	priv->memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC;
	return 0;
}

int vfio_pci_wc_feature_memattr(struct vfio_pci_wc_device *wdev, u32 flags,
				void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_buf_memattr attr;
	struct vfio_pci_wc_dmabuf *priv;
	struct dma_buf *dmabuf;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				 sizeof(attr));
	if (ret != 1)
		return ret;
	if (copy_from_user(&attr, arg, sizeof(attr)))
		return -EFAULT;

	dmabuf = vfio_pci_wc_get_dmabuf(wdev, attr.dmabuf_fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	priv = dmabuf->priv;

	mutex_lock(&wdev->lock);
	if (attr.memattr != VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC &&
	    attr.memattr != VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC)
		ret = -ENOENT;
	else if (priv->revoked)
		/* As proposed: accepted, and moot, it is never mapped again */
		ret = 0;
	else if (attr.memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC)
		ret = vfio_pci_wc_set_wc_locked(wdev, priv);
	else
		ret = vfio_pci_wc_set_nc_locked(wdev, priv);
	mutex_unlock(&wdev->lock);

	dma_buf_put(dmabuf);
	return ret;
}

/*
 * Mark @priv revoked, take it off the device, zap its mappings, free its
 * WC reservation and detach it from the device. Faults check the flag
 * under the same lock; the caller drops the device reference with
 * vfio_pci_wc_put_revoked() once the lock is released.
 */
static void vfio_pci_wc_revoke_locked(struct vfio_pci_wc_dmabuf *priv)
{
	lockdep_assert_held(&priv->wdev->lock);
	priv->revoked = true;
	list_del_init(&priv->node);
	priv->wdev->nr_ranges -= priv->nr_ranges;
	vfio_pci_wc_zap_dmabuf(priv);
	vfio_pci_wc_unreserve_locked(priv->wdev, priv);
	WRITE_ONCE(priv->wdev, NULL);
}

/* Drop the device reference of dma-bufs revoked since the last call */
static void vfio_pci_wc_put_revoked(struct vfio_pci_wc_device *wdev,
				    unsigned int nr)
{
	if (!nr)
		return;
	/* Faults and mmap() that found priv->wdev set are done with it */
	synchronize_srcu(&vfio_pci_wc_srcu);
	while (nr--)
		put_device(&wdev->core.vdev.device);
}

int vfio_pci_wc_feature_revoke(struct vfio_pci_wc_device *wdev, u32 flags,
			       void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_buf_revoke revoke;
	struct vfio_pci_wc_dmabuf *priv;
	struct dma_buf *dmabuf;
	unsigned int nr = 0;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				 sizeof(revoke));
	if (ret != 1)
		return ret;
	if (copy_from_user(&revoke, arg, sizeof(revoke)))
		return -EFAULT;

	dmabuf = vfio_pci_wc_get_dmabuf(wdev, revoke.dmabuf_fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	priv = dmabuf->priv;

	/* A dma-buf is revoked once: again is EBADFD, as proposed */
	mutex_lock(&wdev->lock);
	if (priv->revoked) {
		ret = -EBADFD;
	} else {
		vfio_pci_wc_revoke_locked(priv);
		nr++;
		ret = 0;
	}
	mutex_unlock(&wdev->lock);

	vfio_pci_wc_put_revoked(wdev, nr);
	dma_buf_put(dmabuf);
	return ret;
}

/*
 * Last close of the device: no dma-buf outlives it, and none keeps a
 * reference to it (the device may then be removed).
 */
void vfio_pci_wc_revoke_all(struct vfio_pci_wc_device *wdev)
{
	struct vfio_pci_wc_dmabuf *priv, *tmp;
	LIST_HEAD(revoked);
	unsigned int nr = 0;

	mutex_lock(&wdev->lock);
	list_for_each_entry_safe(priv, tmp, &wdev->dmabufs, node) {
		/* A dma-buf being released is past its last mapping */
		if (!get_file_active(&priv->dmabuf->file))
			continue;
		vfio_pci_wc_revoke_locked(priv);
		/*
		 * Nothing of the device any more, as in the proposal where
		 * the close clears the dma-buf's device: MEMATTR and REVOKE
		 * through a later open of the device fail with ENODEV.
		 */
		WRITE_ONCE(priv->owner, 0);
		list_add_tail(&priv->node, &revoked);
		nr++;
	}
	mutex_unlock(&wdev->lock);

	vfio_pci_wc_put_revoked(wdev, nr);

	/* The last fput() releases the dma-buf, which takes wdev->lock */
	list_for_each_entry_safe(priv, tmp, &revoked, node) {
		list_del_init(&priv->node);
		fput(priv->dmabuf->file);
	}
}
