// SPDX-License-Identifier: GPL-2.0-only
/*
 * One BAR, two attributes: pages 0-1 of a window of ivshmem BAR2 mapped
 * uncached through the device file, pages 2-3 write-combined through a
 * dma-buf, in every order (device file first, dma-buf first, pread()
 * first). The effective type of each page is read from its page-table
 * entry and, on x86, from the PAT memtype list: WC pages are WC (arm64:
 * Normal non-cacheable), the others UC- (arm64: Device-nGnRnE), and no
 * whole-BAR UC- entry appears.
 * Environment: VFIO_WC_WINDOW (BAR2 offset of the window, default
 * 0x80000); the test only reads there.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ptecheck_lib.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;

#define BAR2	2
#define PG	VFIO_WC_PAGE
#define WC	VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC

enum order { UC_FIRST, WC_FIRST, PREAD_FIRST };

static uint64_t window(void)
{
	return vfio_wc_env_num("VFIO_WC_WINDOW", 0x80000);
}

/* The window's device, its two mappings and the dma-buf of the WC one */
struct window {
	struct vfio_wc_dev dev;
	uint8_t *uc;
	uint8_t *wc;
	int dmabuf;
};

FIXTURE(mixed) {
	struct window w;
};

FIXTURE_VARIANT(mixed) {
	enum order order;
};

FIXTURE_VARIANT_ADD(mixed, device_file_first) {
	.order = UC_FIRST,
};

FIXTURE_VARIANT_ADD(mixed, dmabuf_first) {
	.order = WC_FIRST,
};

FIXTURE_VARIANT_ADD(mixed, pread_first) {
	.order = PREAD_FIRST,
};

FIXTURE_SETUP(mixed)
{
	ASSERT_EQ(0, vfio_wc_open(&self->w.dev, device_bdf));
	self->w.uc = MAP_FAILED;
	self->w.wc = MAP_FAILED;
	self->w.dmabuf = -1;
}

FIXTURE_TEARDOWN(mixed)
{
	if (self->w.uc != MAP_FAILED)
		munmap(self->w.uc, 2 * PG);
	if (self->w.wc != MAP_FAILED)
		munmap(self->w.wc, 2 * PG);
	if (self->w.dmabuf >= 0)
		close(self->w.dmabuf);
	vfio_wc_close(&self->w.dev);
}

static void map_uc(struct __test_metadata *_metadata, struct window *win)
{
	uint8_t v;

	win->uc = vfio_wc_mmap_bar(&win->dev, BAR2, window(), 2 * PG);
	ASSERT_TRUE(win->uc != MAP_FAILED);
	ASSERT_TRUE(vfio_wc_try_read(win->uc, &v));
	ASSERT_TRUE(vfio_wc_try_read(win->uc + PG, &v));
}

static void map_wc(struct __test_metadata *_metadata, struct window *win)
{
	uint8_t v;

	win->dmabuf = vfio_wc_export_one(&win->dev, BAR2, window() + 2 * PG,
					 2 * PG);
	ASSERT_LE(0, win->dmabuf);
	ASSERT_EQ(0, vfio_wc_set_memattr(&win->dev, win->dmabuf, WC));
	win->wc = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		       win->dmabuf, 0);
	ASSERT_TRUE(win->wc != MAP_FAILED);
	ASSERT_TRUE(vfio_wc_try_read(win->wc, &v));
	ASSERT_TRUE(vfio_wc_try_read(win->wc + PG, &v));
}

static void pread_all(struct __test_metadata *_metadata, struct window *win)
{
	uint8_t buf[4 * PG];

	ASSERT_EQ((ssize_t)sizeof(buf),
		  pread(win->dev.fd, buf, sizeof(buf),
			win->dev.bar_offset[BAR2] + window()));
}

TEST_F(mixed, attributes)
{
	uint64_t bar = self->w.dev.bar_phys[BAR2];
	uint64_t start = bar + window();
	const char *want[4] = {
		VFIO_WC_ATTR_UC, VFIO_WC_ATTR_UC, VFIO_WC_ATTR_WC, VFIO_WC_ATTR_WC
	};
	char attr[4][16], pat[4096];
	unsigned int i;

	switch (variant->order) {
	case UC_FIRST:
		map_uc(_metadata, &self->w);
		map_wc(_metadata, &self->w);
		break;
	case WC_FIRST:
		map_wc(_metadata, &self->w);
		map_uc(_metadata, &self->w);
		break;
	case PREAD_FIRST:
		pread_all(_metadata, &self->w);
		map_wc(_metadata, &self->w);
		map_uc(_metadata, &self->w);
		break;
	}
	/* BAR reads and writes keep working on both kinds of pages */
	pread_all(_metadata, &self->w);

	for (i = 0; i < 4; i++) {
		uint8_t *p = i < 2 ? self->w.uc + i * PG : self->w.wc + (i - 2) * PG;
		char line[PTECHECK_LINE_MAX];

		ASSERT_EQ(0, vfio_wc_pte_attr(p, attr[i], sizeof(attr[i])));
		ASSERT_EQ(0, ptecheck_query(p, line, sizeof(line)));
		TH_LOG("page %u (BAR2 +0x%llx, %s): PTE %s: %s", i,
		       (unsigned long long)(window() + i * PG),
		       i < 2 ? "device file" : "dma-buf WC", attr[i], line);
	}
	if (VFIO_WC_HAVE_PAT) {
		ASSERT_LE(0, vfio_wc_pat_lines(bar, bar + self->w.dev.bar_size[BAR2],
					       pat, sizeof(pat)));
		TH_LOG("pat_memtype_list over BAR2:\n%s", pat);
	}
	for (i = 0; i < 4; i++)
		EXPECT_STREQ(want[i], attr[i]);
	EXPECT_PAT_COUNT(1, start + 2 * PG, start + 4 * PG, "write-combining");
	/* No UC- entry anywhere in the BAR, in particular not whole-BAR */
	EXPECT_PAT_COUNT(0, bar, bar + self->w.dev.bar_size[BAR2], "uncached");
}

TEST_F(mixed, device_file_over_wc_range)
{
	uint8_t *p, v;
	char attr[16];

	/* A device-file mapping of the whole window, faulted in first */
	p = vfio_wc_mmap_bar(&self->w.dev, BAR2, window(), 4 * PG);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_TRUE(vfio_wc_try_read(p + 2 * PG, &v));
	ASSERT_EQ(0, vfio_wc_pte_attr(p + 2 * PG, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_UC, attr);

	map_wc(_metadata, &self->w);
	/* Its PTE over the WC range is gone and cannot come back as WC */
	EXPECT_EQ(-ENOENT, ptecheck_probe(p + 2 * PG));
	EXPECT_FALSE(vfio_wc_try_read(p + 2 * PG, &v));
	/* The rest of it stays UC- */
	ASSERT_EQ(0, vfio_wc_pte_attr(p, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_UC, attr);
	/* A new device-file mapping of the WC range is refused */
	EXPECT_TRUE(vfio_wc_mmap_bar(&self->w.dev, BAR2, window() + 2 * PG, PG) ==
		    MAP_FAILED);
	EXPECT_EQ(EBUSY, errno);
	munmap(p, 4 * PG);
}

TEST_F(mixed, pwrite_through_wc_page)
{
	static const char msg[] = "pwrite-to-wc-page";
	char back[sizeof(msg)];
	const char *slot = getenv("VFIO_WC_SLOT");
	uint64_t off;
	int fd;

	if (!slot)
		SKIP(return, "VFIO_WC_SLOT not set: no BAR2 page this test may write");
	off = strtoull(slot, NULL, 0);
	fd = vfio_wc_export_one(&self->w.dev, BAR2, off, PG);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->w.dev, fd, WC));
	self->w.wc = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(self->w.wc != MAP_FAILED);
	ASSERT_EQ((ssize_t)sizeof(msg),
		  pwrite(self->w.dev.fd, msg, sizeof(msg),
			 self->w.dev.bar_offset[BAR2] + off + 64));
	memcpy(back, self->w.wc + 64, sizeof(msg));
	EXPECT_STREQ(msg, back);
	munmap(self->w.wc, PG);
	self->w.wc = MAP_FAILED;
	close(fd);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
