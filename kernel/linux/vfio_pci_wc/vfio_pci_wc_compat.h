/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio-pci-wc: the differences between the kernels the module builds for.
 *
 * Tested: Debian's 6.1 (bookworm), 6.12 (trixie) and 7.3 (trixie-backports).
 * The logic files use the interfaces of the newest of them; this header
 * maps them to the older kernels. Kbuild looks each interface up in the
 * kernel's headers (VFIO_PCI_WC_HAVE_*) rather than trusting version
 * numbers: stable kernels gain helpers after their release (6.1.y has
 * guard() and memdup_array_user(), but not get_file_active()). Where the
 * kernel has a helper it is used, and a fallback is given here only for
 * the kernels without it.
 */
#ifndef VFIO_PCI_WC_COMPAT_H
#define VFIO_PCI_WC_COMPAT_H

#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/cleanup.h>
#include <linux/uaccess.h>
#include <linux/vfio_pci_core.h>

/* 6.12: the unaligned access helpers moved from asm/ to linux/ */
#ifdef VFIO_PCI_WC_HAVE_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* 6.6: bounds annotation of flexible arrays */
#ifndef __counted_by
#define __counted_by(member)
#endif

/* 6.9: lets KVM map the BAR Normal-NC on arm64; nothing on older kernels */
#ifndef VM_ALLOW_ANY_UNCACHED
#define VM_ALLOW_ANY_UNCACHED	VM_NONE
#endif

#ifndef VFIO_PCI_WC_HAVE_VM_FLAGS_SET
/* 6.3: vm_flags became read-only outside these helpers */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

#ifndef VFIO_PCI_WC_HAVE_RELEASE_FAULT_LOCK
/* 6.5: a fault may hold the VMA lock instead of mmap_lock; 6.1 only the latter */
static inline void release_fault_lock(struct vm_fault *vmf)
{
	mmap_read_unlock(vmf->vma->vm_mm);
}
#endif

#ifndef VFIO_PCI_WC_HAVE_GET_FILE_ACTIVE
/* 6.7: get_file_active(); the caller holds the file's memory */
static inline struct file *get_file_active(struct file **f)
{
	struct file *file = READ_ONCE(*f);

	return file && atomic_long_inc_not_zero(&file->f_count) ? file : NULL;
}
#endif

/*
 * The ops the vfio core asks of a PCI variant driver beyond 6.1's:
 * iommufd binding (6.2, PASIDs later) and VFIO_DEVICE_GET_REGION_INFO, an
 * op of its own and mandatory from 6.19 on.
 */
#ifdef VFIO_PCI_WC_HAVE_PASID_OPS
#define VFIO_PCI_WC_PASID_OPS						\
	.pasid_attach_ioas	= vfio_iommufd_physical_pasid_attach_ioas, \
	.pasid_detach_ioas	= vfio_iommufd_physical_pasid_detach_ioas,
#else
#define VFIO_PCI_WC_PASID_OPS
#endif

#ifdef VFIO_PCI_WC_HAVE_IOMMUFD_OPS
#define VFIO_PCI_WC_IOMMUFD_OPS					\
	.bind_iommufd	= vfio_iommufd_physical_bind,		\
	.unbind_iommufd	= vfio_iommufd_physical_unbind,		\
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,	\
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,	\
	VFIO_PCI_WC_PASID_OPS
#else
#define VFIO_PCI_WC_IOMMUFD_OPS
#endif

/*
 * The VF token check, an op of its own that the core's match op calls
 * unconditionally where it exists (7.3).
 */
#ifdef VFIO_PCI_WC_HAVE_MATCH_TOKEN_UUID
#define VFIO_PCI_WC_MATCH_OPS						\
	.match		= vfio_pci_core_match,				\
	.match_token_uuid = vfio_pci_core_match_token_uuid,
#else
#define VFIO_PCI_WC_MATCH_OPS						\
	.match		= vfio_pci_core_match,
#endif

#ifdef VFIO_PCI_WC_HAVE_REGION_INFO_OP
#define VFIO_PCI_WC_REGION_INFO_OPS					\
	.get_region_info_caps	= vfio_pci_ioctl_get_region_info,
#else
#define VFIO_PCI_WC_REGION_INFO_OPS
#endif

/*
 * Claim @bar for our own kernel mapping at open, before anything can map
 * it with a memtype entry. 1: the region is requested for us and
 * barmap[@bar] is free; 0: leave the BAR to the core; <0: error.
 *
 * Up to 6.18 the core maps a BAR on first use, so barmap[] is still empty
 * at open and the region is requested here. Later cores request and
 * pci_iomap() every BAR in vfio_pci_core_enable(): that UC- mapping (and
 * its memtype entry) is dropped, the request is kept and ours from now.
 */
static inline int vfio_pci_wc_compat_claim_bar(struct vfio_pci_core_device *vdev,
					       unsigned int bar)
{
	void __iomem *io = vdev->barmap[bar];

	if (!io)
		return pci_request_selected_regions(vdev->pdev, 1 << bar,
						    "vfio") ?: 1;
	if (IS_ERR(io))
		return 0;
	pci_iounmap(vdev->pdev, io);
	vdev->barmap[bar] = NULL;
	return 1;
}

/*
 * Request and map a BAR this driver does not manage, as the core does
 * before its first access: through the core's own helper where exported
 * (6.12); done by the core at open on 7.3 (barmap[] then holds the
 * mapping or an error); on 6.1 the same steps as the core's static
 * helper, which the core's close undoes.
 */
static inline int vfio_pci_wc_compat_setup_barmap(struct vfio_pci_core_device *vdev,
						  unsigned int bar)
{
#ifdef VFIO_PCI_WC_HAVE_SETUP_BARMAP
	return vfio_pci_core_setup_barmap(vdev, bar);
#else
	void __iomem *io = vdev->barmap[bar];
	int ret;

	if (io)
		return PTR_ERR_OR_ZERO(io);
	ret = pci_request_selected_regions(vdev->pdev, 1 << bar, "vfio");
	if (ret)
		return ret;
	io = pci_iomap(vdev->pdev, bar, 0);
	if (!io) {
		pci_release_selected_regions(vdev->pdev, 1 << bar);
		return -ENOMEM;
	}
	vdev->barmap[bar] = io;
	return 0;
#endif
}

bool vfio_pci_wc_memory_enabled(struct vfio_pci_core_device *vdev);

/*
 * pread()/pwrite() of a BAR through the kernel mapping @io, skipping
 * [@x_start, @x_end) (reads 0xff, writes dropped): the core's exported
 * helper (6.12, 7.3); on 6.1, where it is static, the same accesses (up
 * to 4 bytes, naturally aligned, each under memory_lock with memory
 * decode checked when @test_mem).
 */
#ifdef VFIO_PCI_WC_HAVE_DO_IO_RW
static inline ssize_t
vfio_pci_wc_compat_do_io_rw(struct vfio_pci_core_device *vdev, bool test_mem,
			    void __iomem *io, char __user *buf, loff_t off,
			    size_t count, size_t x_start, size_t x_end,
			    bool iswrite)
{
	return vfio_pci_core_do_io_rw(vdev, test_mem, io, buf, off, count,
				      x_start, x_end, iswrite,
				      VFIO_PCI_IO_WIDTH_8);
}
#else
static inline size_t vfio_pci_wc_compat_io_width(loff_t off, size_t count,
						 size_t x_start, size_t x_end)
{
	size_t width;

	for (width = 4; width > 1; width >>= 1)
		if (count >= width && !(off & (width - 1)) &&
		    (off + width <= x_start || off >= x_end))
			break;
	return width;
}

static inline int vfio_pci_wc_compat_io_one(struct vfio_pci_core_device *vdev,
					    bool test_mem, void __iomem *addr,
					    u32 *val, size_t width, bool iswrite)
{
	if (test_mem) {
		down_read(&vdev->memory_lock);
		if (!vfio_pci_wc_memory_enabled(vdev)) {
			up_read(&vdev->memory_lock);
			return -EIO;
		}
	}
	if (iswrite && width == 4)
		iowrite32(*val, addr);
	else if (iswrite && width == 2)
		iowrite16(*val, addr);
	else if (iswrite)
		iowrite8(*val, addr);
	else if (width == 4)
		*val = ioread32(addr);
	else if (width == 2)
		*val = ioread16(addr);
	else
		*val = ioread8(addr);
	if (test_mem)
		up_read(&vdev->memory_lock);
	return 0;
}

static inline ssize_t
vfio_pci_wc_compat_do_io_rw(struct vfio_pci_core_device *vdev, bool test_mem,
			    void __iomem *io, char __user *buf, loff_t off,
			    size_t count, size_t x_start, size_t x_end,
			    bool iswrite)
{
	ssize_t done = 0;

	while (count) {
		size_t width = vfio_pci_wc_compat_io_width(off, count,
							   x_start, x_end);
		bool excluded = off >= x_start && off < x_end;
		u32 val = 0xff;
		int ret = 0;

		if (iswrite && copy_from_user(&val, buf, width))
			return -EFAULT;
		if (!excluded)
			ret = vfio_pci_wc_compat_io_one(vdev, test_mem, io + off,
							&val, width, iswrite);
		if (ret)
			return done ?: ret;
		if (!iswrite && copy_to_user(buf, &val, width))
			return -EFAULT;
		count -= width;
		done += width;
		off += width;
		buf += width;
	}
	return done;
}
#endif

/*
 * The address_space of the device-file mappings, which zapping a BAR
 * range goes through. From 6.10 every vfio device has an inode of its own
 * (vdev.inode) and the device files map through it. On 6.1 the device
 * files share the anonymous inode of every anon_inode file, so mmap() of
 * a BAR this driver manages moves the VMA to a file of its own, made per
 * open of the device (*@map_file, with its own inode). That file keeps a
 * reference to the device; the last close of the device zaps its
 * mappings, which fault SIGBUS from then on (vfio_pci_wc_compat_vma_live()).
 */
#ifdef VFIO_PCI_WC_HAVE_DEVICE_INODE
static inline int vfio_pci_wc_compat_open(struct vfio_pci_core_device *vdev,
					  struct file **map_file)
{
	return 0;
}

static inline void vfio_pci_wc_compat_close(struct vfio_pci_core_device *vdev,
					    struct file **map_file)
{
}

static inline void vfio_pci_wc_compat_mmap(struct file *map_file,
					   struct vm_area_struct *vma,
					   pgoff_t pgoff)
{
}

static inline bool vfio_pci_wc_compat_vma_live(struct file *map_file,
					       struct vm_area_struct *vma)
{
	return true;
}

static inline void vfio_pci_wc_compat_zap(struct vfio_pci_core_device *vdev,
					  struct file *map_file,
					  loff_t start, loff_t len)
{
	unmap_mapping_range(vdev->vdev.inode->i_mapping, start, len, true);
}
#else
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#define VFIO_PCI_WC_COMPAT_FS_MAGIC	0x76706377	/* "vpcw" */

static int __maybe_unused
vfio_pci_wc_compat_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, VFIO_PCI_WC_COMPAT_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type vfio_pci_wc_compat_fs_type __maybe_unused = {
	.name			= "vfio-pci-wc",
	.owner			= THIS_MODULE,
	.init_fs_context	= vfio_pci_wc_compat_init_fs_context,
	.kill_sb		= kill_anon_super,
};

static struct vfsmount *vfio_pci_wc_compat_mnt __maybe_unused;
static int vfio_pci_wc_compat_mnt_count __maybe_unused;

static int __maybe_unused vfio_pci_wc_compat_map_release(struct inode *inode,
							 struct file *file)
{
	struct vfio_device *device = file->private_data;

	put_device(&device->device);
	simple_release_fs(&vfio_pci_wc_compat_mnt,
			  &vfio_pci_wc_compat_mnt_count);
	return 0;
}

static const struct file_operations vfio_pci_wc_compat_map_fops __maybe_unused = {
	.owner		= THIS_MODULE,
	.release	= vfio_pci_wc_compat_map_release,
};

static inline int vfio_pci_wc_compat_open(struct vfio_pci_core_device *vdev,
					  struct file **map_file)
{
	struct inode *inode;
	struct file *file;
	int ret;

	ret = simple_pin_fs(&vfio_pci_wc_compat_fs_type,
			    &vfio_pci_wc_compat_mnt,
			    &vfio_pci_wc_compat_mnt_count);
	if (ret)
		return ret;
	inode = alloc_anon_inode(vfio_pci_wc_compat_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		ret = PTR_ERR(inode);
		goto err_release_fs;
	}
	/* The file's release puts the module of its fops: hold it */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, vfio_pci_wc_compat_mnt,
				 "[vfio-pci-wc]", O_RDWR,
				 &vfio_pci_wc_compat_map_fops);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		module_put(THIS_MODULE);
		iput(inode);
		goto err_release_fs;
	}
	get_device(&vdev->vdev.device);
	file->private_data = &vdev->vdev;
	*map_file = file;
	return 0;

err_release_fs:
	simple_release_fs(&vfio_pci_wc_compat_mnt,
			  &vfio_pci_wc_compat_mnt_count);
	return ret;
}

/* Called with the driver's lock held */
static inline void vfio_pci_wc_compat_close(struct vfio_pci_core_device *vdev,
					    struct file **map_file)
{
	struct file *file = *map_file;

	if (!file)
		return;
	WRITE_ONCE(*map_file, NULL);
	unmap_mapping_range(file->f_mapping, 0, 0, true);
	fput(file);
}

/*
 * The 6.1 core's mmap() also sets vm_pgoff to the BAR's PFN (for its
 * remap_pfn_range()): give the VMA back its device-file offset, which
 * the fault handler and the zaps (by file offset) use.
 */
static inline void vfio_pci_wc_compat_mmap(struct file *map_file,
					   struct vm_area_struct *vma,
					   pgoff_t pgoff)
{
	vma->vm_pgoff = pgoff;
	vma_set_file(vma, map_file);
}

static inline bool vfio_pci_wc_compat_vma_live(struct file *map_file,
					       struct vm_area_struct *vma)
{
	return map_file && vma->vm_file == map_file;
}

static inline void vfio_pci_wc_compat_zap(struct vfio_pci_core_device *vdev,
					  struct file *map_file,
					  loff_t start, loff_t len)
{
	if (map_file)
		unmap_mapping_range(map_file->f_mapping, start, len, true);
}
#endif

#endif /* VFIO_PCI_WC_COMPAT_H */
