// SPDX-License-Identifier: GPL-2.0-only
/*
 * A BAR larger than the guest's RAM managed for write-combining: many
 * dma-bufs of the whole BAR, or of scattered ranges, share one WC
 * reservation per distinct range, and no reservation maps anything in the
 * kernel, so the kernel address space used does not grow with the BAR
 * size or the number of dma-bufs. Stores through WC mappings near the
 * start, the middle and the end of the BAR reach the device: each is
 * printed as "LARGECHECK <BAR offset> <string>" for the host, which reads
 * the device's backing file. Prints the figures: VmallocUsed, the
 * module's kernel mappings, PAT entries of the BAR.
 * Device: ivshmem whose BAR2 is 2 GiB or more.
 * Environment: VFIO_WC_PATTERN (string stored, no spaces).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;

#define BAR2		2
#define PG		VFIO_WC_PAGE
#define WC		VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC
#define WC_TYPE		"write-combining"
#define GIB		0x40000000ULL
#define NR_WHOLE	16
/* Scattered: dma-bufs of RANGES ranges each, twice over the same ranges */
#define NR_SCATTERED	8
#define RANGES		4
#define RANGE_LEN	(64 * 1024)

FIXTURE(large) {
	struct vfio_wc_dev dev;
	uint64_t size;
	uint64_t phys;
	int fds[2 * NR_SCATTERED + NR_WHOLE];
	unsigned int nr_fds;
};

FIXTURE_SETUP(large)
{
	ASSERT_EQ(0, vfio_wc_open(&self->dev, device_bdf));
	self->size = self->dev.bar_size[BAR2];
	self->phys = self->dev.bar_phys[BAR2];
	ASSERT_LE(2 * GIB + PG, self->size);
	self->nr_fds = 0;
}

FIXTURE_TEARDOWN(large)
{
	while (self->nr_fds)
		close(self->fds[--self->nr_fds]);
	vfio_wc_close(&self->dev);
}

struct figures {
	long long vmalloc_used;
	long long module_kva;
	int pat_wc;
};

static void figures(struct _test_data_large *self, struct figures *f)
{
	f->vmalloc_used = vfio_wc_vmalloc_used();
	f->module_kva = vfio_wc_module_kva();
	f->pat_wc = VFIO_WC_HAVE_PAT ?
		    vfio_wc_pat_count(self->phys, self->phys + self->size,
				      WC_TYPE) : 0;
}

static void print_figures(struct __test_metadata *_metadata,
			  const char *what, const struct figures *before,
			  const struct figures *after)
{
	TH_LOG("%s: VmallocUsed %+lld KiB, module kernel mappings %lld -> %lld KiB, %s %d -> %d",
	       what, (after->vmalloc_used - before->vmalloc_used) >> 10,
	       before->module_kva >> 10, after->module_kva >> 10,
	       "PAT WC entries in the BAR", before->pat_wc, after->pat_wc);
}

static int keep(struct _test_data_large *self, int fd)
{
	if (fd >= 0)
		self->fds[self->nr_fds++] = fd;
	return fd;
}

/*
 * Store the pattern (with @tag) at @off of the mapping @map of BAR offset
 * @bar_off: the PTE is WC, the device file reads the bytes back, and the
 * host is told to find them in the device's file.
 */
static void store(struct __test_metadata *_metadata, struct vfio_wc_dev *dev,
		  uint8_t *map, uint64_t off, uint64_t bar_off,
		  const char *tag)
{
	const char *pat = getenv("VFIO_WC_PATTERN");
	char want[128], got[128] = "", attr[16];
	size_t len;

	snprintf(want, sizeof(want), "%s-%s", pat ? pat : "large", tag);
	len = strlen(want);
	memcpy(map + off, want, len);
	ASSERT_EQ(0, vfio_wc_pte_attr(map + off, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_WC, attr);
	/* pread of a WC-reserved page: the module's transient WC mapping */
	ASSERT_EQ((ssize_t)len, pread(dev->fd, got, len,
				      dev->bar_offset[BAR2] + bar_off));
	EXPECT_EQ(0, memcmp(want, got, len));
	printf("LARGECHECK 0x%llx %s\n", (unsigned long long)bar_off, want);
	fflush(stdout);
}

/* NR_WHOLE WC dma-bufs of the whole BAR: one reservation, no mapping */
TEST_F_TIMEOUT(large, whole_bar, 300)
{
	const uint64_t offs[] = { PG, 2 * GIB + PG, self->size - PG };
	static const char * const tags[] = { "start", "2g", "end" };
	struct figures before, after;
	unsigned int i;
	uint8_t *map;
	int fd;

	figures(self, &before);
	for (i = 0; i < NR_WHOLE; i++) {
		fd = keep(self, vfio_wc_export_one(&self->dev, BAR2, 0,
						   self->size));
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, WC));
	}
	/* Each store through a mapping of another dma-buf */
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		map = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   self->fds[i], 0);
		ASSERT_NE(MAP_FAILED, map);
		store(_metadata, &self->dev, map, offs[i], offs[i], tags[i]);
		munmap(map, self->size);
	}
	figures(self, &after);
	print_figures(_metadata, "16 WC dma-bufs of the whole BAR", &before,
		      &after);
	EXPECT_EQ(0, after.module_kva - before.module_kva);
	if (VFIO_WC_HAVE_PAT)
		EXPECT_EQ(1, after.pat_wc - before.pat_wc);

	while (self->nr_fds)
		close(self->fds[--self->nr_fds]);
	figures(self, &after);
	if (VFIO_WC_HAVE_PAT)
		EXPECT_EQ(before.pat_wc, after.pat_wc);
}

/* Range @j of scattered dma-buf @i: RANGES * NR_SCATTERED distinct ranges */
static uint64_t scattered(uint64_t size, unsigned int i, unsigned int j)
{
	return (size / (RANGES * NR_SCATTERED)) * (i * RANGES + j);
}

/*
 * NR_SCATTERED dma-bufs of RANGES ranges over the whole BAR, and as many
 * again of the same ranges in another order: one reservation per distinct
 * range. Between the ranges the device file still reads and writes UC.
 */
TEST_F_TIMEOUT(large, scattered_ranges, 300)
{
	struct vfio_region_dma_range r[RANGES];
	const char *pat = getenv("VFIO_WC_PATTERN");
	uint64_t gap = scattered(self->size, NR_SCATTERED / 2, 1) + RANGE_LEN;
	struct figures before, after;
	char want[128], got[128] = "";
	unsigned int i, j;
	uint8_t *map;
	size_t len;
	int fd;

	figures(self, &before);
	for (i = 0; i < 2 * NR_SCATTERED; i++) {
		for (j = 0; j < RANGES; j++) {
			unsigned int k = i < NR_SCATTERED ? j : RANGES - 1 - j;

			r[j].offset = scattered(self->size, i % NR_SCATTERED, k);
			r[j].length = RANGE_LEN;
		}
		fd = keep(self, vfio_wc_export(&self->dev, BAR2, r, RANGES));
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, WC));
	}
	/* The ranges in the middle of the BAR, through the second dma-buf */
	map = mmap(NULL, RANGES * RANGE_LEN, PROT_READ | PROT_WRITE,
		   MAP_SHARED, self->fds[NR_SCATTERED + NR_SCATTERED / 2], 0);
	ASSERT_NE(MAP_FAILED, map);
	/* Its first range is the last one of the first dma-buf's */
	store(_metadata, &self->dev, map, 0,
	      scattered(self->size, NR_SCATTERED / 2, RANGES - 1), "mid");
	munmap(map, RANGES * RANGE_LEN);

	/* pwrite between the ranges: the UC path, a page mapped at a time */
	snprintf(want, sizeof(want), "%s-uc", pat ? pat : "large");
	len = strlen(want);
	ASSERT_EQ((ssize_t)len, pwrite(self->dev.fd, want, len,
				       self->dev.bar_offset[BAR2] + gap));
	ASSERT_EQ((ssize_t)len, pread(self->dev.fd, got, len,
				      self->dev.bar_offset[BAR2] + gap));
	EXPECT_EQ(0, memcmp(want, got, len));
	printf("LARGECHECK 0x%llx %s\n", (unsigned long long)gap, want);
	fflush(stdout);

	figures(self, &after);
	print_figures(_metadata, "16 WC dma-bufs of 4 scattered ranges", &before,
		      &after);
	EXPECT_EQ(0, after.module_kva - before.module_kva);
	if (VFIO_WC_HAVE_PAT)
		EXPECT_EQ(RANGES * NR_SCATTERED, after.pat_wc - before.pat_wc);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
