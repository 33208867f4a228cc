/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio-pci-wc: vfio-pci variant driver that maps chosen BAR ranges
 * write-combined through exported dma-bufs.
 *
 * Lock order (outermost first):
 *   mmap_lock/VMA lock -> core.memory_lock (read) -> wdev->lock    faults
 *   core.memory_lock (write) -> device_lock -> wdev->lock     core resets
 *   device_lock -> wdev->lock               other resets (reset_prepare)
 *   wdev->lock -> i_mmap_rwsem                                   zapping
 * Every PTE of a BAR we own (dma-buf or device file) is inserted under
 * wdev->lock after checking the state that allows it; every change of
 * that state zaps under wdev->lock. So nothing needs core.memory_lock to
 * fence faults, which reset_prepare() could not take: the core may hold
 * it for write around the very reset. Nothing takes core.memory_lock or
 * a device_lock while holding wdev->lock, and no user memory is copied
 * while holding wdev->lock.
 */
#ifndef VFIO_PCI_WC_H
#define VFIO_PCI_WC_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/wait.h>
#include <linux/vfio_pci_core.h>
#include <linux/vfio_dmabuf_compat.h>

#include "vfio_pci_wc_compat.h"

/*
 * Bounds of the kernel state a device fd holder can create: ranges over
 * all live dma-bufs of a device (one dma-buf may hold them all), and
 * distinct write-combined reservations (each a PAT memtype entry, with
 * no kernel mapping) of a device. Beyond them export or SET WC fails
 * with ENOSPC.
 */
#define VFIO_PCI_WC_MAX_DEVICE_RANGES	4096
#define VFIO_PCI_WC_MAX_RESERVATIONS	64

/* Config space registers whose writes can disable the BARs. */
#define VFIO_PCI_WC_NR_GUARDED_REGS	2

struct vfio_pci_wc_guarded_reg {
	u16 offset;
	u16 len;
};

struct vfio_pci_wc_bar {
	/*
	 * One page UC- installed as core.barmap[], so that the core does not
	 * map the BAR; never accessed. NULL if not owned.
	 */
	void __iomem *map;
};

struct vfio_pci_wc_device {
	struct vfio_pci_core_device core;	/* must stay first */
	/* Protects dmabufs, the state of every dma-buf on it and blocked */
	struct mutex lock;
	struct list_head dmabufs;
	struct vfio_pci_wc_bar bars[PCI_STD_NUM_BARS];
	/* Operations in progress that disable, reset or power down the BARs */
	unsigned int blocked;
	wait_queue_head_t unblocked;
	/* Tasks among them that copy user memory while blocking faults */
	struct list_head blockers;
	struct vfio_pci_wc_guarded_reg guarded[VFIO_PCI_WC_NR_GUARDED_REGS];
	/* Linux < 6.10: file of the device-file BAR mappings (compat header) */
	struct file *map_file;
	/* Ranges of the dma-bufs on dmabufs, under lock */
	unsigned int nr_ranges;
	/* Write-combined reservations (struct vfio_pci_wc_resv), under lock */
	struct list_head resvs;
	unsigned int nr_resvs;
	/* Unique for the module's lifetime, unlike the device's address */
	u64 id;
};

/*
 * A write-combined reservation of one BAR range, shared by every range of
 * a WC dma-buf with exactly these bounds; ranges that overlap it without
 * matching it are refused. It holds a PAT memtype entry of the range
 * (arch_io_reserve_memtype_wc()), and no kernel mapping.
 */
struct vfio_pci_wc_resv {
	struct list_head node;
	unsigned int bar;
	u64 offset;
	u64 length;
	unsigned int refs;
};

/* A task blocking faults of the device, on wdev->blockers */
struct vfio_pci_wc_blocker {
	struct list_head node;
	struct task_struct *task;
};

struct vfio_pci_wc_range {
	u64 offset;		/* in the BAR */
	u64 length;
	struct vfio_pci_wc_resv *resv;	/* NULL when not reserved */
};

struct vfio_pci_wc_dmabuf {
	/*
	 * Holds a device reference until revoked, then NULL: a revoked
	 * dma-buf keeps nothing of the device, which may be unbound, removed
	 * and freed while the dma-buf lives on. Read under
	 * vfio_pci_wc_srcu by faults and mmap().
	 */
	struct vfio_pci_wc_device *wdev;
	u64 owner;	/* id of the exporting device; 0 once its close revoked */
	struct dma_buf *dmabuf;
	struct list_head node;			/* on wdev->dmabufs until revoked */
	unsigned int bar;
	phys_addr_t bar_phys;			/* BAR start */
	u32 memattr;
	bool revoked;
	bool wc_reserved;
	/*
	 * Live mappings (VMAs) as WC and as NC: counted by mmap() under
	 * lock, and by the VMA open and close ops (split, fork, munmap, and
	 * a mapping that fails after mmap() returned)
	 */
	atomic_t wc_maps;
	atomic_t nc_maps;
	u32 nr_ranges;
	struct vfio_pci_wc_range ranges[] __counted_by(nr_ranges);
};

static inline struct vfio_pci_wc_device *
to_wc_device(struct vfio_device *core_vdev)
{
	return container_of(core_vdev, struct vfio_pci_wc_device, core.vdev);
}

static inline bool vfio_pci_wc_bar_owned(struct vfio_pci_wc_device *wdev,
					 unsigned int bar)
{
	return bar < PCI_STD_NUM_BARS && wdev->bars[bar].map;
}

/* main.c */
bool vfio_pci_wc_allow_nonprefetchable(void);
bool vfio_pci_wc_blocked_by_current_locked(struct vfio_pci_wc_device *wdev);
bool vfio_pci_wc_memory_enabled(struct vfio_pci_core_device *vdev);

/* memtype.c */
int vfio_pci_wc_own_bars(struct vfio_pci_wc_device *wdev);
void vfio_pci_wc_release_bars(struct vfio_pci_wc_device *wdev);
int vfio_pci_wc_check_policy(struct vfio_pci_wc_device *wdev,
			     struct vfio_pci_wc_dmabuf *priv);
int vfio_pci_wc_reserve_locked(struct vfio_pci_wc_device *wdev,
			       struct vfio_pci_wc_dmabuf *priv);
void vfio_pci_wc_unreserve_locked(struct vfio_pci_wc_device *wdev,
				  struct vfio_pci_wc_dmabuf *priv);
void vfio_pci_wc_zap_bar_ranges_locked(struct vfio_pci_wc_device *wdev,
				       struct vfio_pci_wc_dmabuf *priv);
void vfio_pci_wc_zap_owned_bars_locked(struct vfio_pci_wc_device *wdev);
bool vfio_pci_wc_range_reserved_locked(struct vfio_pci_wc_device *wdev,
				       unsigned int bar, u64 offset, u64 len);
bool vfio_pci_wc_range_reserved(struct vfio_pci_wc_device *wdev,
				unsigned int bar, u64 offset, u64 len);
ssize_t vfio_pci_wc_bar_rw(struct vfio_pci_wc_device *wdev,
			   char __user *buf, size_t count, loff_t *ppos,
			   bool iswrite);
int vfio_pci_wc_mmap_bar(struct vfio_pci_wc_device *wdev,
			 struct vm_area_struct *vma);

/* dmabuf.c */
int vfio_pci_wc_dmabuf_init(void);
void vfio_pci_wc_dmabuf_exit(void);
int vfio_pci_wc_feature_dma_buf(struct vfio_pci_wc_device *wdev, u32 flags,
				void __user *arg, size_t argsz);
int vfio_pci_wc_feature_memattr(struct vfio_pci_wc_device *wdev, u32 flags,
				void __user *arg, size_t argsz);
int vfio_pci_wc_feature_revoke(struct vfio_pci_wc_device *wdev, u32 flags,
			       void __user *arg, size_t argsz);
bool vfio_pci_wc_dmabuf_overlaps_wc_locked(struct vfio_pci_wc_device *wdev,
					   struct vfio_pci_wc_dmabuf *priv);
void vfio_pci_wc_zap_dmabufs_locked(struct vfio_pci_wc_device *wdev);
vm_fault_t vfio_pci_wc_fault_check_device(struct vfio_pci_wc_device *wdev,
					  struct vm_fault *vmf);
void vfio_pci_wc_revoke_all(struct vfio_pci_wc_device *wdev);

#endif /* VFIO_PCI_WC_H */
