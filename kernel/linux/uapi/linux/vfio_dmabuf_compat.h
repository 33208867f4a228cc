/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note OR BSD-3-Clause */
/*
 * VFIO dma-buf export, revoke and memory attribute uAPI, for kernels and
 * user space built against <linux/vfio.h> headers that predate it.
 *
 * VFIO_DEVICE_FEATURE_DMA_BUF is upstream since Linux 6.19. The revoke and
 * memory attribute features are proposed upstream ("vfio/pci: Add mmap() for
 * DMABUFs") and implemented for older kernels by the vfio-pci-wc variant
 * driver (kernel/linux/vfio_pci_wc). Every definition below is guarded by
 * its feature number, so the definitions of a newer <linux/vfio.h> win and
 * code written against this header builds unchanged once they exist there.
 *
 * Usable from the kernel and from user space; C89 except for the flexible
 * array member, which is C99 as in <linux/vfio.h> itself.
 */
#ifndef _UAPI_LINUX_VFIO_DMABUF_COMPAT_H
#define _UAPI_LINUX_VFIO_DMABUF_COMPAT_H

#include <linux/types.h>
#include <linux/vfio.h>

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
/*
 * VFIO_DEVICE_FEATURE_GET: export ranges of one memory BAR as a dma-buf.
 * region_index is the BAR number, open_flags the flags of the new file
 * (O_RDWR, O_CLOEXEC), flags must be 0, nr_ranges the number of entries of
 * dma_ranges[]; each range is page aligned, within the BAR, and the ranges
 * are concatenated in order to form the dma-buf. Returns the new fd.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF 11

struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif /* VFIO_DEVICE_FEATURE_DMA_BUF */

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE
/*
 * VFIO_DEVICE_FEATURE_SET: permanently revoke a dma-buf exported from this
 * device. Existing mappings fault (SIGBUS) and it cannot be mapped again.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE 13

struct vfio_device_feature_dma_buf_revoke {
	__s32 dmabuf_fd;
};
#endif /* VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE */

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR
/*
 * VFIO_DEVICE_FEATURE_SET: choose the CPU memory attribute used by later
 * mmap() calls of a dma-buf exported from this device (existing mappings
 * keep theirs). The default is NC (uncached). Errors: EBADF/EINVAL when
 * dmabuf_fd is not a dma-buf, ENODEV when it is not from this device,
 * ENOENT for an unknown attribute.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR 14

#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC 0	/* uncached */
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC 1	/* write-combining */

struct vfio_device_feature_dma_buf_memattr {
	__s32 dmabuf_fd;
	__u32 memattr;
};
#endif /* VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR */

#endif /* _UAPI_LINUX_VFIO_DMABUF_COMPAT_H */
