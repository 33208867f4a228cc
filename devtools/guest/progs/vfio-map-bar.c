/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vfio-map-bar: the VFIO type1 sequence DPDK uses, on one device, then a
 * store through an mmap of one BAR of the device fd.
 *
 * usage: vfio-map-bar <bdf> <bar> <offset> <string> [--expect ATTR]
 *                     [--reset]
 * Steps: container (API version, TYPE1v2), group (viable), SET_CONTAINER,
 * SET_IOMMU, MAP_DMA + UNMAP_DMA of 1 MiB, GET_DEVICE_FD, device and
 * region info, mmap of the BAR, store of <string> at <offset>, read back,
 * PTE attribute (ptecheck) and, with --reset, VFIO_DEVICE_RESET.
 * Prints key=value lines; exits non-zero with a message on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "ptecheck_lib.h"

#define DMA_SIZE (1u << 20)

static const char *bdf;

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "vfio-map-bar: %s: ", bdf);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int
open_group(void)
{
	char link[PATH_MAX], target[PATH_MAX], path[PATH_MAX];
	struct vfio_group_status status = { .argsz = sizeof(status) };
	ssize_t n;
	int fd;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		die("no IOMMU group (%s: %s)", link, strerror(errno));
	target[n] = '\0';
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(target));
	fd = open(path, O_RDWR);
	if (fd < 0)
		die("open %s: %s (bound to vfio-pci?)", path, strerror(errno));
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) < 0)
		die("VFIO_GROUP_GET_STATUS: %s", strerror(errno));
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group %s is not viable", basename(target));
	printf("group=%s\n", basename(target));
	return fd;
}

static int
open_container(void)
{
	int fd = open("/dev/vfio/vfio", O_RDWR);

	if (fd < 0)
		die("open /dev/vfio/vfio: %s", strerror(errno));
	if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		die("unexpected VFIO API version");
	if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1)
		die("no VFIO_TYPE1v2_IOMMU support");
	return fd;
}

static void
dma_map_unmap(int container)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap) };
	void *buf;

	buf = mmap(NULL, DMA_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		die("mmap DMA buffer: %s", strerror(errno));
	map.vaddr = (uintptr_t)buf;
	map.size = DMA_SIZE;
	map.iova = 0;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) < 0)
		die("VFIO_IOMMU_MAP_DMA: %s", strerror(errno));
	unmap.iova = 0;
	unmap.size = DMA_SIZE;
	if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap) < 0)
		die("VFIO_IOMMU_UNMAP_DMA: %s", strerror(errno));
	if (unmap.size != DMA_SIZE)
		die("VFIO_IOMMU_UNMAP_DMA unmapped 0x%llx bytes, expected 0x%x",
		    (unsigned long long)unmap.size, DMA_SIZE);
	munmap(buf, DMA_SIZE);
	printf("dma_map=ok size=0x%x\n", DMA_SIZE);
}

static void
check_attr(volatile char *addr, const char *expect)
{
	char line[PTECHECK_LINE_MAX], attr[32] = "none";
	int ret;

	ret = ptecheck_query(addr, line, sizeof(line));
	if (ret == -ENODEV && expect == NULL) {
		printf("pte: unknown (ptecheck module not loaded)\n");
		return;
	}
	if (ret < 0)
		die("ptecheck query: %s", strerror(-ret));
	printf("pte: %s\n", line);
	if (expect == NULL)
		return;
	ptecheck_field(line, "attr", attr, sizeof(attr));
	if (strcmp(attr, expect) != 0)
		die("BAR mapping attribute is %s, expected %s", attr, expect);
}

int
main(int argc, char **argv)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	struct vfio_region_info rinfo = { .argsz = sizeof(rinfo) };
	const char *data, *expect = NULL;
	int container, group, dev, i, reset = 0;
	unsigned long bar, off;
	volatile char *map;
	size_t len;

	if (argc < 5) {
		fprintf(stderr, "usage: vfio-map-bar <bdf> <bar> <offset> <string> "
			"[--expect ATTR] [--reset]\n");
		return 2;
	}
	bdf = argv[1];
	bar = strtoul(argv[2], NULL, 0);
	off = strtoul(argv[3], NULL, 0);
	data = argv[4];
	len = strlen(data);
	for (i = 5; i < argc; i++) {
		if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
			expect = argv[++i];
		else if (strcmp(argv[i], "--reset") == 0)
			reset = 1;
		else
			die("unknown argument %s", argv[i]);
	}
	if (bar > VFIO_PCI_BAR5_REGION_INDEX)
		die("BAR %lu out of range", bar);

	container = open_container();
	group = open_group();
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0)
		die("VFIO_GROUP_SET_CONTAINER: %s", strerror(errno));
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		die("VFIO_SET_IOMMU(TYPE1v2): %s", strerror(errno));
	dma_map_unmap(container);

	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (dev < 0)
		die("VFIO_GROUP_GET_DEVICE_FD: %s", strerror(errno));
	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &dinfo) < 0)
		die("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
	printf("regions=%u irqs=%u flags=0x%x\n", dinfo.num_regions,
	       dinfo.num_irqs, dinfo.flags);
	rinfo.index = bar;
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &rinfo) < 0)
		die("VFIO_DEVICE_GET_REGION_INFO(BAR %lu): %s", bar, strerror(errno));
	printf("bar%lu_size=0x%llx bar%lu_offset=0x%llx bar%lu_flags=0x%x\n",
	       bar, (unsigned long long)rinfo.size, bar,
	       (unsigned long long)rinfo.offset, bar, rinfo.flags);
	if (!(rinfo.flags & VFIO_REGION_INFO_FLAG_MMAP))
		die("BAR %lu cannot be mmapped", bar);
	if (off + len > rinfo.size)
		die("offset 0x%lx + %zu outside BAR %lu (size 0x%llx)", off, len,
		    bar, (unsigned long long)rinfo.size);

	map = mmap(NULL, rinfo.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		   rinfo.offset);
	if (map == MAP_FAILED)
		die("mmap BAR %lu: %s", bar, strerror(errno));
	for (i = 0; (size_t)i < len; i++)
		map[off + i] = data[i];
	for (i = 0; (size_t)i < len; i++)
		if (map[off + i] != data[i])
			die("read back BAR %lu + 0x%lx differs at byte %d", bar,
			    off, i);
	printf("write=ok bar=%lu offset=0x%lx len=%zu\n", bar, off, len);
	check_attr(map + off, expect);
	munmap((void *)map, rinfo.size);

	if (reset) {
		if (!(dinfo.flags & VFIO_DEVICE_FLAGS_RESET))
			die("device does not advertise VFIO_DEVICE_FLAGS_RESET");
		if (ioctl(dev, VFIO_DEVICE_RESET) < 0)
			die("VFIO_DEVICE_RESET: %s", strerror(errno));
		printf("reset=ok\n");
	}
	close(dev);
	close(group);
	close(container);
	return 0;
}
