// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel state a device fd holder can create stays bounded: one
 * write-combined reservation (PAT memtype entry, no kernel mapping) per
 * distinct range however many dma-bufs and ranges name it, overlapping
 * reservations refused, and per-device caps on exported ranges and on
 * reservations that fail with ENOSPC. Every reservation is gone once the
 * dma-bufs are closed.
 * Environment: VFIO_WC_SLOT (BAR2 offset of this test's two pages).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;

#define BAR2		2
#define PG		VFIO_WC_PAGE
#define WC		VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC
#define WC_TYPE		"write-combining"
/* Ranges of the large dma-bufs here; the module's limits (vfio_pci_wc.h) */
#define MAX_RANGES		1024
#define MAX_DEVICE_RANGES	4096
#define MAX_RESERVATIONS	64
#define MAX_FDS			128

FIXTURE(limits) {
	struct vfio_wc_dev dev;
	uint64_t bar_phys;
	uint64_t bar_size;
	int fds[MAX_FDS];
	unsigned int nr_fds;
};

/* WC lines of the PAT memtype list in BAR2 (more than fit in 4 KiB) */
static int wc_entries(struct _test_data_limits *self)
{
	static char buf[1 << 16];
	char *line, *save = NULL;
	int n = 0;

	if (vfio_wc_pat_lines(self->bar_phys, self->bar_phys + self->bar_size,
			      buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, WC_TYPE))
			n++;
	return n;
}

/* The PAT list is x86's: elsewhere the entry counts are left out */
#define EXPECT_WC_ENTRIES(n) \
	do { \
		if (VFIO_WC_HAVE_PAT) \
			EXPECT_EQ(n, wc_entries(self)); \
	} while (0)

FIXTURE_SETUP(limits)
{
	ASSERT_EQ(0, vfio_wc_open(&self->dev, device_bdf));
	self->bar_phys = self->dev.bar_phys[BAR2];
	self->bar_size = self->dev.bar_size[BAR2];
	self->nr_fds = 0;
	if (VFIO_WC_HAVE_PAT)
		ASSERT_EQ(0, wc_entries(self));
}

FIXTURE_TEARDOWN(limits)
{
	while (self->nr_fds)
		close(self->fds[--self->nr_fds]);
	/* Nothing is left reserved once the dma-bufs are gone */
	EXPECT_WC_ENTRIES(0);
	vfio_wc_close(&self->dev);
}

static int keep(struct _test_data_limits *self, int fd)
{
	if (fd >= 0 && self->nr_fds < MAX_FDS)
		self->fds[self->nr_fds++] = fd;
	return fd;
}

/* 32 dma-bufs of one page, all WC: one memtype entry */
TEST_F_TIMEOUT(limits, same_range_one_reservation, 300)
{
	uint64_t slot = vfio_wc_slot();
	unsigned int i;
	int fd;

	for (i = 0; i < 32; i++) {
		fd = keep(self, vfio_wc_export_one(&self->dev, BAR2, slot, PG));
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, WC));
	}
	EXPECT_WC_ENTRIES(1);
}

/* One dma-buf of 1024 whole-BAR ranges, WC: one memtype entry */
TEST_F_TIMEOUT(limits, whole_bar_ranges_one_reservation, 300)
{
	struct vfio_region_dma_range *r = calloc(MAX_RANGES, sizeof(*r));
	unsigned int i;
	int fd;

	ASSERT_NE(NULL, r);
	for (i = 0; i < MAX_RANGES; i++) {
		r[i].offset = 0;
		r[i].length = self->bar_size;
	}
	fd = keep(self, vfio_wc_export(&self->dev, BAR2, r, MAX_RANGES));
	free(r);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, WC));
	EXPECT_WC_ENTRIES(1);
}

/* A WC range overlapping another one without matching it is refused */
TEST_F_TIMEOUT(limits, overlapping_reservation_refused, 300)
{
	uint64_t slot = vfio_wc_slot();
	int a, b;

	a = keep(self, vfio_wc_export_one(&self->dev, BAR2, slot, 2 * PG));
	b = keep(self, vfio_wc_export_one(&self->dev, BAR2, slot + PG, PG));
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, a, WC));
	EXPECT_EQ(-EBUSY, vfio_wc_set_memattr(&self->dev, b, WC));
	EXPECT_WC_ENTRIES(1);
}

/* At most MAX_DEVICE_RANGES ranges over the device's live dma-bufs */
TEST_F_TIMEOUT(limits, device_range_cap, 300)
{
	struct vfio_region_dma_range *r = calloc(MAX_RANGES, sizeof(*r));
	unsigned int i;
	int fd;

	ASSERT_NE(NULL, r);
	for (i = 0; i < MAX_RANGES; i++) {
		r[i].offset = vfio_wc_slot();
		r[i].length = PG;
	}
	for (i = 0; i < MAX_DEVICE_RANGES / MAX_RANGES; i++) {
		fd = vfio_wc_export(&self->dev, BAR2, r, MAX_RANGES);
		ASSERT_LE(0, keep(self, fd));
	}
	fd = keep(self, vfio_wc_export(&self->dev, BAR2, r, MAX_RANGES));
	EXPECT_EQ(-ENOSPC, fd);
	EXPECT_EQ(-ENOSPC, keep(self, vfio_wc_export(&self->dev, BAR2, r, 1)));
	/* Closing one gives its ranges back */
	close(self->fds[--self->nr_fds]);
	EXPECT_LE(0, keep(self, vfio_wc_export(&self->dev, BAR2, r, 1)));
	free(r);
}

/* At most MAX_RESERVATIONS distinct WC ranges per device */
TEST_F_TIMEOUT(limits, reservation_cap, 300)
{
	uint64_t base = self->bar_size / 2;
	unsigned int i;
	int fd;

	ASSERT_LE(base + (MAX_RESERVATIONS + 1) * PG, self->bar_size);
	for (i = 0; i <= MAX_RESERVATIONS; i++) {
		fd = vfio_wc_export_one(&self->dev, BAR2, base + i * PG, PG);
		keep(self, fd);
		ASSERT_LE(0, fd);
		if (i < MAX_RESERVATIONS) {
			ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, WC));
		} else {
			EXPECT_EQ(-ENOSPC,
				  vfio_wc_set_memattr(&self->dev, fd, WC));
		}
	}
	EXPECT_WC_ENTRIES(MAX_RESERVATIONS);
}

/* 32 WC dma-bufs of the whole BAR: reservations map nothing in the kernel */
TEST_F_TIMEOUT(limits, kva_does_not_grow_with_dmabufs, 300)
{
	long long before, after;
	unsigned int i;
	int fd;

	before = vfio_wc_module_kva();
	ASSERT_LE(0, before);
	for (i = 0; i < 32; i++) {
		fd = vfio_wc_export_one(&self->dev, BAR2, 0, self->bar_size);
		keep(self, fd);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, WC));
	}
	after = vfio_wc_module_kva();
	TH_LOG("32 WC dma-bufs of the %llu KiB BAR: %lld KiB of kernel VA, %d PAT entries",
	       (unsigned long long)self->bar_size >> 10, (after - before) >> 10,
	       wc_entries(self));
	EXPECT_EQ(0, after - before);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
