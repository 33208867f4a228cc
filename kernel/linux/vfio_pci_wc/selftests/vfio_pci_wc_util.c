// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ptecheck_lib.h"
#include "vfio_pci_wc_util.h"

#define KSFT_SKIP 4

static bool is_bdf(const char *s)
{
	unsigned int d, b, dev, f;

	return sscanf(s, "%4x:%2x:%2x.%1x", &d, &b, &dev, &f) == 4;
}

const char *vfio_wc_get_bdf(int *argc, char *argv[])
{
	const char *bdf;

	if (*argc > 1 && is_bdf(argv[*argc - 1])) {
		(*argc)--;
		return argv[*argc];
	}
	bdf = getenv("VFIO_SELFTESTS_BDF");
	if (bdf && is_bdf(bdf))
		return bdf;
	fprintf(stderr, "usage: %s [harness options] <segment:bus:device.function>\n"
		"   or: VFIO_SELFTESTS_BDF=<bdf> %s\n"
		"The device must be bound to vfio-pci-wc.\n", argv[0], argv[0]);
	exit(KSFT_SKIP);
}

const char *vfio_wc_env_bdf(const char *var)
{
	const char *bdf = getenv(var);

	return bdf && is_bdf(bdf) ? bdf : NULL;
}

unsigned long long vfio_wc_env_num(const char *var, unsigned long long def)
{
	const char *s = getenv(var);

	return s ? strtoull(s, NULL, 0) : def;
}

unsigned int vfio_wc_env_seed(void)
{
	return vfio_wc_env_num("VFIO_WC_SEED", (unsigned int)time(NULL));
}

uint64_t vfio_wc_slot(void)
{
	return vfio_wc_env_num("VFIO_WC_SLOT", 0x40000);
}

static int read_sysfs_resource(struct vfio_wc_dev *dev)
{
	char path[128];
	unsigned long long start, end, flags;
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", dev->bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) != 3)
			break;
		dev->bar_phys[i] = start;
	}
	fclose(f);
	return 0;
}

int vfio_wc_open(struct vfio_wc_dev *dev, const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[128], link[PATH_MAX];
	const char *group;
	unsigned int i;
	ssize_t n;
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->container = -1;
	dev->group = -1;
	dev->fd = -1;
	snprintf(dev->bdf, sizeof(dev->bdf), "%s", bdf);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	group = strrchr(link, '/');
	if (!group)
		return -EINVAL;
	group++;

	dev->container = open("/dev/vfio/vfio", O_RDWR);
	if (dev->container < 0)
		goto err;
	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	dev->group = open(path, O_RDWR);
	if (dev->group < 0)
		goto err;
	if (ioctl(dev->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto err;
	}
	if (ioctl(dev->group, VFIO_GROUP_SET_CONTAINER, &dev->container) ||
	    ioctl(dev->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err;
	dev->fd = ioctl(dev->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev->fd < 0)
		goto err;

	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		struct vfio_region_info info = {
			.argsz = sizeof(info), .index = i,
		};

		if (ioctl(dev->fd, VFIO_DEVICE_GET_REGION_INFO, &info))
			continue;
		dev->bar_offset[i] = info.offset;
		dev->bar_size[i] = info.size;
	}
	ret = read_sysfs_resource(dev);
	if (ret) {
		vfio_wc_close(dev);
		return ret;
	}
	return 0;
err:
	ret = -errno;
	vfio_wc_close(dev);
	return ret;
}

void vfio_wc_close(struct vfio_wc_dev *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	if (dev->group >= 0)
		close(dev->group);
	if (dev->container >= 0)
		close(dev->container);
	dev->fd = -1;
	dev->group = -1;
	dev->container = -1;
}

int vfio_wc_feature(int fd, uint32_t flags, const void *data, size_t len)
{
	struct vfio_device_feature *f;
	int ret;

	f = calloc(1, sizeof(*f) + len);
	if (!f)
		return -ENOMEM;
	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	if (len)
		memcpy(f->data, data, len);
	ret = ioctl(fd, VFIO_DEVICE_FEATURE, f);
	if (ret < 0)
		ret = -errno;
	free(f);
	return ret;
}

int vfio_wc_export(struct vfio_wc_dev *dev, uint32_t bar,
		   const struct vfio_region_dma_range *ranges, uint32_t nr)
{
	struct vfio_device_feature_dma_buf *hdr;
	size_t len = sizeof(*hdr) + nr * sizeof(*ranges);
	int ret;

	hdr = calloc(1, len);
	if (!hdr)
		return -ENOMEM;
	hdr->region_index = bar;
	hdr->open_flags = O_RDWR | O_CLOEXEC;
	hdr->nr_ranges = nr;
	memcpy(hdr->dma_ranges, ranges, nr * sizeof(*ranges));
	ret = vfio_wc_feature(dev->fd, VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_DMA_BUF, hdr, len);
	free(hdr);
	return ret;
}

int vfio_wc_export_one(struct vfio_wc_dev *dev, uint32_t bar,
		       uint64_t offset, uint64_t length)
{
	struct vfio_region_dma_range range = {
		.offset = offset, .length = length,
	};

	return vfio_wc_export(dev, bar, &range, 1);
}

int vfio_wc_set_memattr(struct vfio_wc_dev *dev, int dmabuf_fd,
			uint32_t memattr)
{
	struct vfio_device_feature_dma_buf_memattr attr = {
		.dmabuf_fd = dmabuf_fd, .memattr = memattr,
	};

	return vfio_wc_feature(dev->fd, VFIO_DEVICE_FEATURE_SET |
			       VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
			       &attr, sizeof(attr));
}

int vfio_wc_revoke(struct vfio_wc_dev *dev, int dmabuf_fd)
{
	struct vfio_device_feature_dma_buf_revoke revoke = {
		.dmabuf_fd = dmabuf_fd,
	};

	return vfio_wc_feature(dev->fd, VFIO_DEVICE_FEATURE_SET |
			       VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
			       &revoke, sizeof(revoke));
}

int vfio_wc_hot_reset(struct vfio_wc_dev *dev)
{
	struct vfio_pci_hot_reset *reset;
	size_t len = sizeof(*reset) + sizeof(reset->group_fds[0]);
	int ret;

	reset = calloc(1, len);
	if (!reset)
		return -ENOMEM;
	/* The device is alone in its reset set: its own group is enough */
	reset->argsz = len;
	reset->count = 1;
	reset->group_fds[0] = dev->group;
	ret = ioctl(dev->fd, VFIO_DEVICE_PCI_HOT_RESET, reset);
	if (ret < 0)
		ret = -errno;
	free(reset);
	return ret;
}

int vfio_wc_sysfs_reset(const char *bdf)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", bdf);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

static int config_rw(struct vfio_wc_dev *dev, uint64_t offset, void *buf,
		     size_t len, bool write)
{
	off_t pos = dev->bar_offset[VFIO_PCI_CONFIG_REGION_INDEX] + offset;
	ssize_t n;

	n = write ? pwrite(dev->fd, buf, len, pos) : pread(dev->fd, buf, len, pos);
	if (n == (ssize_t)len)
		return 0;
	return n < 0 ? -errno : -EIO;
}

int vfio_wc_config_read(struct vfio_wc_dev *dev, uint64_t offset, void *buf,
			size_t len)
{
	return config_rw(dev, offset, buf, len, false);
}

int vfio_wc_config_write(struct vfio_wc_dev *dev, uint64_t offset,
			 const void *buf, size_t len)
{
	return config_rw(dev, offset, (void *)buf, len, true);
}

unsigned int vfio_wc_find_cap(struct vfio_wc_dev *dev, uint8_t id)
{
	uint8_t pos, hdr[2];
	unsigned int hops;

	if (vfio_wc_config_read(dev, 0x34, &pos, 1))
		return 0;
	/* At most 48 capabilities fit in the 192 bytes after the header */
	for (hops = 0; pos >= 0x40 && hops < 48; hops++) {
		pos &= ~3;
		if (vfio_wc_config_read(dev, pos, hdr, 2))
			return 0;
		if (hdr[0] == id)
			return pos;
		pos = hdr[1];
	}
	return 0;
}

void *vfio_wc_mmap_bar(struct vfio_wc_dev *dev, uint32_t bar,
		       uint64_t offset, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd,
		    dev->bar_offset[bar] + offset);
}

int vfio_wc_pte_attr(const void *addr, char *attr, size_t len)
{
	char line[PTECHECK_LINE_MAX];
	uint8_t v;
	int ret;

	if (!vfio_wc_try_read(addr, &v))
		return -EFAULT;
	ret = ptecheck_query(addr, line, sizeof(line));
	if (ret)
		return ret;
	return ptecheck_field(line, "attr", attr, len);
}

int ptecheck_probe(const void *addr)
{
	char line[PTECHECK_LINE_MAX];

	return ptecheck_query(addr, line, sizeof(line));
}

int vfio_wc_pat_lines(uint64_t start, uint64_t end, char *out, size_t len)
{
	FILE *f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	unsigned long long s, e;
	char line[256];
	size_t used = 0;
	int n = 0;

	if (!f)
		return -errno;
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "[mem ");

		if (!p || sscanf(p, "[mem %llx-%llx]", &s, &e) != 2)
			continue;
		if (s >= end || e <= start)
			continue;
		n++;
		if (used + strlen(line) < len) {
			strcpy(out + used, line);
			used += strlen(line);
		}
	}
	fclose(f);
	return n;
}

int vfio_wc_pat_count(uint64_t start, uint64_t end, const char *type)
{
	char buf[4096], *line, *save = NULL;
	int n = 0;

	if (vfio_wc_pat_lines(start, end, buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (!type || strstr(line, type))
			n++;
	return n;
}

long long vfio_wc_module_kva(void)
{
	FILE *f = fopen("/proc/vmallocinfo", "r");
	long long total = 0, size;
	char line[512];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "[vfio_pci_wc]") && strstr(line, "ioremap") &&
		    sscanf(line, "%*s %lld", &size) == 1)
			total += size;
	fclose(f);
	return total;
}

long long vfio_wc_vmalloc_used(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	long long kb = -1;
	char line[256];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmallocUsed: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb << 10;
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(sigbus_jmp, 1);
}

static bool guarded_access(volatile uint8_t *addr, uint8_t *val, bool write)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool ok = true;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1) == 0) {
		if (write)
			*addr = *val;
		else
			*val = *addr;
	} else {
		ok = false;
	}
	sigaction(SIGBUS, &old, NULL);
	return ok;
}

bool vfio_wc_try_read(const volatile uint8_t *addr, uint8_t *val)
{
	return guarded_access((volatile uint8_t *)addr, val, false);
}

bool vfio_wc_try_write(volatile uint8_t *addr, uint8_t val)
{
	return guarded_access(addr, &val, true);
}
