// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-pci-wc: a vfio-pci variant driver that lets user space map chosen
 * ranges of a memory BAR write-combined, through the dma-buf export,
 * memory attribute and revoke device features proposed for vfio-pci.
 *
 * Everything else is vfio-pci-core's. This file holds the driver, the
 * vfio_device_ops and the wrappers around the core paths that disable or
 * reset the BARs: the core zaps only the mappings of the device file, the
 * dma-buf mappings live in the dma-buf files and are zapped here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>

#include "vfio_pci_wc.h"

static bool allow_nonprefetchable;
module_param(allow_nonprefetchable, bool, 0444);
MODULE_PARM_DESC(allow_nonprefetchable,
		 "Allow write-combining on non-prefetchable memory BARs (default: false)");

bool vfio_pci_wc_allow_nonprefetchable(void)
{
	return allow_nonprefetchable;
}

/* Same test as the core's fault handler (not exported on 6.12). */
bool vfio_pci_wc_memory_enabled(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	u16 cmd = le16_to_cpu(*(__le16 *)&vdev->vconfig[PCI_COMMAND]);

	return pdev->current_state < PCI_D3hot &&
	       (pdev->no_command_memory || (cmd & PCI_COMMAND_MEMORY));
}

/*
 * Zap every dma-buf mapping of the device, and every device-file mapping
 * of the BARs we own, and keep new faults of them out until
 * vfio_pci_wc_unblock(), around an operation that may disable, reset or
 * power down the BARs. Faults check wdev->blocked under wdev->lock, so no
 * PTE inserted before survives the zap and none is inserted until then.
 * Takes no core lock: the PCI core calls it from reset_prepare() with the
 * device lock held, and the core's reset paths with memory_lock held for
 * write.
 *
 * @blocker is given by the operations that copy user memory while
 * blocking (the core's config write copies the user's value): a fault of
 * theirs on a mapping of this device fails instead of waiting for
 * itself. Every other fault, kernel-mode ones included, waits.
 */
static void vfio_pci_wc_block(struct vfio_pci_wc_device *wdev,
			      struct vfio_pci_wc_blocker *blocker)
{
	mutex_lock(&wdev->lock);
	wdev->blocked++;
	if (blocker) {
		blocker->task = current;
		list_add(&blocker->node, &wdev->blockers);
	}
	vfio_pci_wc_zap_dmabufs_locked(wdev);
	vfio_pci_wc_zap_owned_bars_locked(wdev);
	mutex_unlock(&wdev->lock);
}

static void vfio_pci_wc_unblock(struct vfio_pci_wc_device *wdev,
				struct vfio_pci_wc_blocker *blocker)
{
	mutex_lock(&wdev->lock);
	wdev->blocked--;
	if (blocker)
		list_del(&blocker->node);
	mutex_unlock(&wdev->lock);
	wake_up_all(&wdev->unblocked);
}

/* The current task is blocking faults of @wdev and may copy user memory */
bool vfio_pci_wc_blocked_by_current_locked(struct vfio_pci_wc_device *wdev)
{
	struct vfio_pci_wc_blocker *blocker;

	lockdep_assert_held(&wdev->lock);
	list_for_each_entry(blocker, &wdev->blockers, node)
		if (blocker->task == current)
			return true;
	return false;
}

static void vfio_pci_wc_add_guarded(struct vfio_pci_wc_device *wdev,
				    unsigned int *nr, u16 offset, u16 len)
{
	wdev->guarded[(*nr)++] = (struct vfio_pci_wc_guarded_reg) {
		.offset = offset,
		.len = len,
	};
}

/*
 * The core zaps BAR mappings on writes to these registers: memory decode
 * (PCI_COMMAND) and power state (PM control). A function level reset
 * through PCIe device control or AF control goes through
 * pci_try_reset_function(), hence through vfio_pci_wc_reset_prepare().
 */
static void vfio_pci_wc_init_guarded(struct vfio_pci_wc_device *wdev)
{
	struct pci_dev *pdev = wdev->core.pdev;
	unsigned int nr = 0;

	vfio_pci_wc_add_guarded(wdev, &nr, PCI_COMMAND, 2);
	if (pdev->pm_cap)
		vfio_pci_wc_add_guarded(wdev, &nr, pdev->pm_cap + PCI_PM_CTRL, 2);
}

static bool vfio_pci_wc_config_write_guarded(struct vfio_pci_wc_device *wdev,
					     loff_t pos, size_t count)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(wdev->guarded); i++) {
		const struct vfio_pci_wc_guarded_reg *reg = &wdev->guarded[i];

		if (reg->len && pos < reg->offset + reg->len &&
		    pos + count > reg->offset)
			return true;
	}
	return false;
}

/* PM control's power state field: D3hot */
#define VFIO_PCI_WC_PM_STATE_D3HOT	3

/*
 * Whether the config write of @count bytes @val at @pos may disable the
 * BARs: exactly the writes before which the core zaps its own BAR
 * mappings, a register chunk starting at PCI_COMMAND with the memory
 * enable bit clear, or at PM control with the power state D3hot (the
 * core splits writes into naturally aligned chunks of at most 4 bytes,
 * so any write covering these 4-byte aligned registers has a chunk that
 * starts there). Enabling decode or leaving D3 needs no zap: no PTE of
 * the device exists then, and faults read the new state under the
 * memory_lock the core changes it under.
 */
static bool vfio_pci_wc_config_write_disables(struct vfio_pci_wc_device *wdev,
					      loff_t pos, const u8 *val,
					      size_t count)
{
	loff_t ctrl = wdev->core.pdev->pm_cap + PCI_PM_CTRL;

	if (pos <= PCI_COMMAND && pos + count > PCI_COMMAND &&
	    !(val[PCI_COMMAND - pos] & PCI_COMMAND_MEMORY))
		return true;
	return wdev->core.pdev->pm_cap && pos <= ctrl && pos + count > ctrl &&
	       (val[ctrl - pos] & PCI_PM_CTRL_STATE_MASK) ==
	       VFIO_PCI_WC_PM_STATE_D3HOT;
}

/*
 * A read-only page of the caller's address space holding the bytes of a
 * config write, for the core to copy them from (below). VM_IO and
 * VM_PFNMAP: get_user_pages() (process_vm_writev(), /proc/<pid>/mem,
 * io_uring) and madvise() refuse it; no VM_MAYWRITE (the file is
 * read-only): mprotect() cannot make it writable; a fault is SIGBUS.
 */
static vm_fault_t vfio_pci_wc_bounce_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct vfio_pci_wc_bounce_vm_ops = {
	.fault = vfio_pci_wc_bounce_fault,
};

static int vfio_pci_wc_bounce_mmap(struct file *file,
				   struct vm_area_struct *vma)
{
	struct page *page = file->private_data;

	if (vma->vm_end - vma->vm_start != PAGE_SIZE || vma->vm_pgoff ||
	    (vma->vm_flags & (VM_WRITE | VM_MAYWRITE)))
		return -EINVAL;
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
			  VM_DONTCOPY);
	vma->vm_ops = &vfio_pci_wc_bounce_vm_ops;
	return remap_pfn_range(vma, vma->vm_start, page_to_pfn(page),
			       PAGE_SIZE, vma->vm_page_prot);
}

static int vfio_pci_wc_bounce_release(struct inode *inode, struct file *file)
{
	__free_page(file->private_data);
	return 0;
}

static const struct file_operations vfio_pci_wc_bounce_fops = {
	.owner		= THIS_MODULE,
	.mmap		= vfio_pci_wc_bounce_mmap,
	.release	= vfio_pci_wc_bounce_release,
};

/*
 * Apply the config write of @count bytes @val through the core without
 * blocking faults. The core copies the value from user memory itself,
 * after this driver looked at it: were it the caller's buffer, another
 * thread could rewrite it in between and turn decode off under live
 * mappings. So the core is given a page of ours, mapped read-only in the
 * caller's address space, and the bytes it copies are the ones decided
 * on: mmap_lock is held for read from the check that the page is still
 * mapped at @addr to the end of the write, so nothing can unmap, remap or
 * make it writable (each needs mmap_lock for write), and nothing can
 * write it (see the mmap handler); with page faults disabled the core's
 * copy reads that PTE or fails with EFAULT, never another page.
 * -EAGAIN when the page could not be set up (e.g. no address space left):
 * the caller then blocks and zaps instead.
 */
static ssize_t vfio_pci_wc_config_write_bounced(struct vfio_device *core_vdev,
						const u8 *val, size_t count,
						loff_t *ppos)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	unsigned long addr;
	struct page *page;
	struct file *file;
	ssize_t ret;

	if (!mm || count > PAGE_SIZE)
		return -EAGAIN;
	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -EAGAIN;
	memcpy(page_address(page), val, count);
	file = anon_inode_getfile("[vfio-pci-wc-config]",
				  &vfio_pci_wc_bounce_fops, page, O_RDONLY);
	if (IS_ERR(file)) {
		__free_page(page);
		return -EAGAIN;
	}
	addr = vm_mmap(file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, 0);
	if (IS_ERR_VALUE(addr)) {
		fput(file);
		return -EAGAIN;
	}

	ret = -EAGAIN;
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	/* Our file reference keeps the pointer unique */
	if (vma && vma->vm_file == file && vma->vm_start == addr) {
		pagefault_disable();
		ret = vfio_pci_core_write(core_vdev,
					  (const char __user *)addr, count,
					  ppos);
		pagefault_enable();
	}
	mmap_read_unlock(mm);
	vm_munmap(addr, PAGE_SIZE);
	fput(file);
	return ret;
}

/*
 * A config write to the command register or PM control. Only one that
 * may disable the BARs zaps and blocks the mappings around the core's
 * write; any other (bus master, INTx disable, the same decode bit or a
 * power state other than D3hot) leaves them mapped, and is applied from
 * the very bytes it was decided on (vfio_pci_wc_config_write_bounced()).
 * A write that looks disabling goes to the core from the caller's
 * buffer: if it was rewritten in between, the zap was merely not needed.
 */
static ssize_t vfio_pci_wc_config_write(struct vfio_pci_wc_device *wdev,
					const char __user *buf, size_t count,
					loff_t *ppos)
{
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;
	struct vfio_pci_wc_blocker blocker;
	ssize_t ret = -EAGAIN;
	u8 *val;

	if (count <= PAGE_SIZE) {
		val = memdup_user(buf, count);
		if (IS_ERR(val))
			return PTR_ERR(val);
		if (!vfio_pci_wc_config_write_disables(wdev, pos, val, count))
			ret = vfio_pci_wc_config_write_bounced(&wdev->core.vdev,
							       val, count,
							       ppos);
		kfree(val);
		if (ret != -EAGAIN)
			return ret;
	}

	vfio_pci_wc_block(wdev, &blocker);
	ret = vfio_pci_core_write(&wdev->core.vdev, buf, count, ppos);
	vfio_pci_wc_unblock(wdev, &blocker);
	return ret;
}

static int vfio_pci_wc_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);
	struct vfio_pci_core_device *vdev = &wdev->core;
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;

	/* Before the core can map any BAR with a whole-BAR UC- ioremap */
	ret = vfio_pci_wc_own_bars(wdev);
	if (ret) {
		vfio_pci_core_disable(vdev);
		return ret;
	}
	ret = vfio_pci_wc_compat_open(vdev, &wdev->map_file);
	if (ret) {
		vfio_pci_wc_release_bars(wdev);
		vfio_pci_core_disable(vdev);
		return ret;
	}
	vfio_pci_wc_init_guarded(wdev);
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static void vfio_pci_wc_close_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);

	/* A dma-buf never outlives the open device */
	vfio_pci_wc_revoke_all(wdev);
	scoped_guard(mutex, &wdev->lock)
		vfio_pci_wc_compat_close(&wdev->core, &wdev->map_file);
	/* Our barmap[] entries must not reach the core's pci_iounmap() */
	vfio_pci_wc_release_bars(wdev);
	vfio_pci_core_close_device(core_vdev);
}

static bool vfio_pci_wc_owns_a_bar(struct vfio_pci_wc_device *wdev)
{
	unsigned int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++)
		if (vfio_pci_wc_bar_owned(wdev, bar))
			return true;
	return false;
}

/*
 * An ioeventfd makes the core write through barmap[], for a BAR we own a
 * UC- mapping that may alias a write-combined range. The core copies the
 * request from user space itself and vfio_pci_ioeventfd() is not
 * exported, so the BAR cannot be checked on the copy the core will use:
 * the user could change it in between. Refuse ioeventfds on every device
 * that has a BAR we own, without reading the request.
 */
static int vfio_pci_wc_check_ioeventfd(struct vfio_pci_wc_device *wdev)
{
	if (!vfio_pci_wc_owns_a_bar(wdev))
		return 0;
	pci_info_ratelimited(wdev->core.pdev,
			     "ioeventfd refused: a BAR of the device is managed for write-combining\n");
	return -EOPNOTSUPP;
}

static long vfio_pci_wc_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
			      unsigned long arg)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);
	long ret;

	/*
	 * VFIO_DEVICE_RESET and VFIO_DEVICE_PCI_HOT_RESET need no wrapper:
	 * like every other reset, they reach vfio_pci_wc_reset_prepare().
	 */
	if (cmd == VFIO_DEVICE_IOEVENTFD) {
		ret = vfio_pci_wc_check_ioeventfd(wdev);
		if (ret)
			return ret;
	}
	return vfio_pci_core_ioctl(core_vdev, cmd, arg);
}

static int vfio_pci_wc_device_feature(struct vfio_device *core_vdev, u32 flags,
				      void __user *arg, size_t argsz)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);
	struct vfio_pci_wc_blocker blocker;
	int ret;

	switch (flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_DMA_BUF:
		return vfio_pci_wc_feature_dma_buf(wdev, flags, arg, argsz);
	case VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR:
		return vfio_pci_wc_feature_memattr(wdev, flags, arg, argsz);
	case VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE:
		return vfio_pci_wc_feature_revoke(wdev, flags, arg, argsz);
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY:
	case VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY_WITH_WAKEUP:
		if (!(flags & VFIO_DEVICE_FEATURE_SET) ||
		    (flags & VFIO_DEVICE_FEATURE_PROBE))
			break;
		vfio_pci_wc_block(wdev, &blocker);
		ret = vfio_pci_core_ioctl_feature(core_vdev, flags, arg, argsz);
		vfio_pci_wc_unblock(wdev, &blocker);
		return ret;
	}
	return vfio_pci_core_ioctl_feature(core_vdev, flags, arg, argsz);
}

static ssize_t vfio_pci_wc_rw(struct vfio_device *core_vdev, char __user *buf,
			      size_t count, loff_t *ppos, bool iswrite)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);
	struct pci_dev *pdev = wdev->core.pdev;
	ssize_t ret;

	ret = pm_runtime_resume_and_get(&pdev->dev);
	if (ret) {
		pci_info_ratelimited(pdev, "runtime resume failed %zd\n", ret);
		return -EIO;
	}
	ret = vfio_pci_wc_bar_rw(wdev, buf, count, ppos, iswrite);
	pm_runtime_put(&pdev->dev);
	return ret;
}

static ssize_t vfio_pci_wc_read(struct vfio_device *core_vdev, char __user *buf,
				size_t count, loff_t *ppos)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);

	if (vfio_pci_wc_bar_owned(wdev, VFIO_PCI_OFFSET_TO_INDEX(*ppos)))
		return vfio_pci_wc_rw(core_vdev, buf, count, ppos, false);
	return vfio_pci_core_read(core_vdev, buf, count, ppos);
}

static ssize_t vfio_pci_wc_write(struct vfio_device *core_vdev,
				 const char __user *buf, size_t count,
				 loff_t *ppos)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);
	unsigned int index = VFIO_PCI_OFFSET_TO_INDEX(*ppos);
	loff_t pos = *ppos & VFIO_PCI_OFFSET_MASK;

	if (vfio_pci_wc_bar_owned(wdev, index))
		return vfio_pci_wc_rw(core_vdev, (char __user *)buf, count,
				      ppos, true);

	if (index != VFIO_PCI_CONFIG_REGION_INDEX ||
	    !vfio_pci_wc_config_write_guarded(wdev, pos, count))
		return vfio_pci_core_write(core_vdev, buf, count, ppos);
	return vfio_pci_wc_config_write(wdev, buf, count, ppos);
}

static int vfio_pci_wc_mmap(struct vfio_device *core_vdev,
			    struct vm_area_struct *vma)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);
	unsigned int index = vma->vm_pgoff >>
			     (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);

	if (vfio_pci_wc_bar_owned(wdev, index))
		return vfio_pci_wc_mmap_bar(wdev, vma);
	return vfio_pci_core_mmap(core_vdev, vma);
}

static int vfio_pci_wc_init_dev(struct vfio_device *core_vdev)
{
	static atomic64_t last_id;
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);

	mutex_init(&wdev->lock);
	INIT_LIST_HEAD(&wdev->dmabufs);
	init_waitqueue_head(&wdev->unblocked);
	INIT_LIST_HEAD(&wdev->blockers);
	INIT_LIST_HEAD(&wdev->resvs);
	wdev->id = atomic64_inc_return(&last_id);
	return vfio_pci_core_init_dev(core_vdev);
}

static void vfio_pci_wc_release_dev(struct vfio_device *core_vdev)
{
	struct vfio_pci_wc_device *wdev = to_wc_device(core_vdev);

	mutex_destroy(&wdev->lock);
	vfio_pci_core_release_dev(core_vdev);
}

static const struct vfio_device_ops vfio_pci_wc_ops = {
	.name		= "vfio-pci-wc",
	.init		= vfio_pci_wc_init_dev,
	.release	= vfio_pci_wc_release_dev,
	.open_device	= vfio_pci_wc_open_device,
	.close_device	= vfio_pci_wc_close_device,
	.ioctl		= vfio_pci_wc_ioctl,
	.device_feature	= vfio_pci_wc_device_feature,
	.read		= vfio_pci_wc_read,
	.write		= vfio_pci_wc_write,
	.mmap		= vfio_pci_wc_mmap,
	.request	= vfio_pci_core_request,
	VFIO_PCI_WC_MATCH_OPS
	VFIO_PCI_WC_IOMMUFD_OPS
	VFIO_PCI_WC_REGION_INFO_OPS
};

static int vfio_pci_wc_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct vfio_pci_wc_device *wdev;
	int ret;

	wdev = vfio_alloc_device(vfio_pci_wc_device, core.vdev, &pdev->dev,
				 &vfio_pci_wc_ops);
	if (IS_ERR(wdev))
		return PTR_ERR(wdev);

	dev_set_drvdata(&pdev->dev, &wdev->core);
	ret = vfio_pci_core_register_device(&wdev->core);
	if (ret)
		goto out_put_vdev;
	return 0;

out_put_vdev:
	vfio_put_device(&wdev->core.vdev);
	return ret;
}

static void vfio_pci_wc_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

/*
 * Called by the PCI core, with the device lock held, around every reset
 * that saves and restores the device: FLR and the other function resets
 * (pci_reset_function(), pci_try_reset_function(): the sysfs "reset"
 * file, VFIO_DEVICE_RESET, an FLR written to config space) and bus or
 * slot resets (pci_reset_bus(): VFIO_DEVICE_PCI_HOT_RESET through any
 * device of the reset set). The core only zaps the device file's mappings,
 * and not on every one of these paths; the dma-buf mappings are ours.
 * memory_lock may be held for write by the caller: it is not taken here.
 */
static void vfio_pci_wc_reset_prepare(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_wc_block(container_of(vdev, struct vfio_pci_wc_device, core),
			  NULL);
}

static void vfio_pci_wc_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_wc_unblock(container_of(vdev, struct vfio_pci_wc_device,
					 core), NULL);
}

/* The core's AER handling, plus the reset hooks */
static const struct pci_error_handlers vfio_pci_wc_err_handlers = {
	.error_detected	= vfio_pci_core_aer_err_detected,
	.reset_prepare	= vfio_pci_wc_reset_prepare,
	.reset_done	= vfio_pci_wc_reset_done,
};

static int vfio_pci_wc_sriov_configure(struct pci_dev *pdev, int nr_virtfn)
{
	return vfio_pci_core_sriov_configure(dev_get_drvdata(&pdev->dev),
					     nr_virtfn);
}

/* Binds only through driver_override, like vfio-pci */
static const struct pci_device_id vfio_pci_wc_table[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(PCI_ANY_ID, PCI_ANY_ID) },
	{}
};
MODULE_DEVICE_TABLE(pci, vfio_pci_wc_table);

static struct pci_driver vfio_pci_wc_driver = {
	.name			= "vfio-pci-wc",
	.id_table		= vfio_pci_wc_table,
	.probe			= vfio_pci_wc_probe,
	.remove			= vfio_pci_wc_remove,
	.sriov_configure	= vfio_pci_wc_sriov_configure,
	.err_handler		= &vfio_pci_wc_err_handlers,
	.driver_managed_dma	= true,
};

static int __init vfio_pci_wc_init(void)
{
	int ret;

	if (allow_nonprefetchable)
		pr_info("write-combining allowed on non-prefetchable memory BARs\n");
	ret = vfio_pci_wc_dmabuf_init();
	if (ret)
		return ret;
	ret = pci_register_driver(&vfio_pci_wc_driver);
	if (ret)
		vfio_pci_wc_dmabuf_exit();
	return ret;
}
module_init(vfio_pci_wc_init);

static void __exit vfio_pci_wc_exit(void)
{
	pci_unregister_driver(&vfio_pci_wc_driver);
	vfio_pci_wc_dmabuf_exit();
}
module_exit(vfio_pci_wc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO PCI variant driver with write-combined BAR ranges through dma-buf");
