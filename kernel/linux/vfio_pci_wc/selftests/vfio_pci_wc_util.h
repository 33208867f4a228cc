/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the vfio-pci-wc selftests: open a device bound to
 * vfio-pci-wc through a type1 container, export BAR ranges as dma-bufs,
 * set their attribute, and read back the effective cache attribute of a
 * mapped page (page-table entry through the ptecheck debug module, PAT
 * memtype list through debugfs).
 */
#ifndef VFIO_PCI_WC_UTIL_H
#define VFIO_PCI_WC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/vfio.h>
#include <linux/vfio_dmabuf_compat.h>

#define VFIO_WC_PAGE 4096UL

struct vfio_wc_dev {
	char bdf[32];
	int container;
	int group;
	int fd;
	uint64_t bar_offset[VFIO_PCI_NUM_REGIONS];
	uint64_t bar_size[VFIO_PCI_NUM_REGIONS];
	uint64_t bar_phys[VFIO_PCI_NUM_REGIONS];
};

/* BDF from the last argument or $VFIO_SELFTESTS_BDF; exits KSFT_SKIP. */
const char *vfio_wc_get_bdf(int *argc, char *argv[]);
/* Optional second device from an environment variable, or NULL */
const char *vfio_wc_env_bdf(const char *var);

/* The number in environment variable @var (any base strtoull() takes), or @def */
unsigned long long vfio_wc_env_num(const char *var, unsigned long long def);
/* $VFIO_WC_SEED, or the current time: the seed of a replayable test */
unsigned int vfio_wc_env_seed(void);

/* BAR2 offset the tests may write: $VFIO_WC_SLOT, default 0x40000 */
uint64_t vfio_wc_slot(void);

/* 0 or -errno; the device must be bound to vfio-pci-wc */
int vfio_wc_open(struct vfio_wc_dev *dev, const char *bdf);
void vfio_wc_close(struct vfio_wc_dev *dev);

/* VFIO_DEVICE_FEATURE ioctl; returns the ioctl result or -errno */
int vfio_wc_feature(int fd, uint32_t flags, const void *data, size_t len);
/* Export @nr ranges of @bar: the dma-buf fd or -errno */
int vfio_wc_export(struct vfio_wc_dev *dev, uint32_t bar,
		   const struct vfio_region_dma_range *ranges, uint32_t nr);
int vfio_wc_export_one(struct vfio_wc_dev *dev, uint32_t bar,
		       uint64_t offset, uint64_t length);
int vfio_wc_set_memattr(struct vfio_wc_dev *dev, int dmabuf_fd,
			uint32_t memattr);
int vfio_wc_revoke(struct vfio_wc_dev *dev, int dmabuf_fd);
/* VFIO_DEVICE_PCI_HOT_RESET through this device's fd: 0 or -errno */
int vfio_wc_hot_reset(struct vfio_wc_dev *dev);
/* Write "1" to the device's sysfs "reset" file: 0 or -errno */
int vfio_wc_sysfs_reset(const char *bdf);

/* pread()/pwrite() of @len bytes at @offset of config space: 0 or -errno */
int vfio_wc_config_read(struct vfio_wc_dev *dev, uint64_t offset, void *buf,
			size_t len);
int vfio_wc_config_write(struct vfio_wc_dev *dev, uint64_t offset,
			 const void *buf, size_t len);
/* Offset of standard capability @id in config space, 0 when absent */
unsigned int vfio_wc_find_cap(struct vfio_wc_dev *dev, uint8_t id);

/* mmap() of the device file at @offset of @bar, MAP_FAILED on error */
void *vfio_wc_mmap_bar(struct vfio_wc_dev *dev, uint32_t bar,
		       uint64_t offset, size_t len);

/*
 * Cache attribute of the page at @addr from its page-table entry ("WC",
 * "UC-", ...), after touching it with a read; -errno when unavailable.
 */
int vfio_wc_pte_attr(const void *addr, char *attr, size_t len);

/* 0 when a PTE maps @addr now (no access), -ENOENT when none, -errno */
int ptecheck_probe(const void *addr);

/*
 * The names the page-table check gives (its "attr=") to a write-combined
 * (pgprot_writecombine) and to an uncached (pgprot_noncached, how VFIO
 * maps a BAR) page: x86 PAT types, arm64 MAIR memory types.
 */
#if defined(__aarch64__)
#define VFIO_WC_ATTR_WC "NORMAL_NC"
#define VFIO_WC_ATTR_UC "DEVICE_nGnRnE"
#else
#define VFIO_WC_ATTR_WC "WC"
#define VFIO_WC_ATTR_UC "UC-"
#endif

/*
 * The PAT memtype list exists on x86 only: elsewhere the page-table
 * entries are the whole truth and the list checks are left out.
 */
#if defined(__x86_64__)
#define VFIO_WC_HAVE_PAT 1
#define EXPECT_PAT_COUNT(n, start, end, type) \
	EXPECT_EQ(n, vfio_wc_pat_count(start, end, type))
#else
#define VFIO_WC_HAVE_PAT 0
#define EXPECT_PAT_COUNT(n, start, end, type) \
	do { (void)(n); (void)(start); (void)(end); (void)(type); } while (0)
#endif

/* Lines of pat_memtype_list overlapping [start, end), joined by '\n' */
int vfio_wc_pat_lines(uint64_t start, uint64_t end, char *out, size_t len);
/* Number of those lines with @type (e.g. "write-combining") */
int vfio_wc_pat_count(uint64_t start, uint64_t end, const char *type);

/*
 * Kernel address space of the module's mappings (ioremap(), vmap_pfn())
 * from /proc/vmallocinfo, and the kernel's VmallocUsed from
 * /proc/meminfo: bytes, or -1.
 */
long long vfio_wc_module_kva(void);
long long vfio_wc_vmalloc_used(void);

/*
 * Read a byte at @addr; false when the access raised SIGBUS. The only
 * accesses to device memory of the tests that must not be optimized
 * away, hence volatile.
 */
bool vfio_wc_try_read(const volatile uint8_t *addr, uint8_t *val);
bool vfio_wc_try_write(volatile uint8_t *addr, uint8_t val);

#endif /* VFIO_PCI_WC_UTIL_H */
