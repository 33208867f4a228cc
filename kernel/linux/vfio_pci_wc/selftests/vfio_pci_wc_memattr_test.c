// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR and mmap() of the dma-buf: errors,
 * the policy (prefetchable BARs only), and that a WC mapping really is WC
 * (page-table entry, PAT memtype list) while an NC one is UC-.
 * Environment: VFIO_WC_SLOT (BAR2 offset this test may write, default
 * 0x40000), VFIO_WC_PATTERN (bytes stored there through WC),
 * VFIO_WC_OTHER_BDF (a second vfio-pci-wc device), VFIO_WC_NONPREF_BDF
 * (a vfio-pci-wc device whose BAR0 is non-prefetchable memory).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;

#define BAR2	2
#define PG	VFIO_WC_PAGE
#define NC	VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC
#define WC	VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC

FIXTURE(memattr) {
	struct vfio_wc_dev dev;
	int dmabuf;
};

FIXTURE_SETUP(memattr)
{
	ASSERT_EQ(0, vfio_wc_open(&self->dev, device_bdf));
	self->dmabuf = vfio_wc_export_one(&self->dev, BAR2, vfio_wc_slot(), PG);
	ASSERT_LE(0, self->dmabuf);
}

FIXTURE_TEARDOWN(memattr)
{
	close(self->dmabuf);
	vfio_wc_close(&self->dev);
}

static void *map_dmabuf(int fd, size_t len)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
}

TEST_F(memattr, unknown_attribute)
{
	ASSERT_EQ(-ENOENT, vfio_wc_set_memattr(&self->dev, self->dmabuf, 2));
	ASSERT_EQ(-ENOENT, vfio_wc_set_memattr(&self->dev, self->dmabuf,
					       UINT32_MAX));
}

TEST_F(memattr, not_a_dmabuf)
{
	int efd = eventfd(0, 0);

	ASSERT_EQ(-EBADF, vfio_wc_set_memattr(&self->dev, -1, WC));
	ASSERT_EQ(-EBADF, vfio_wc_set_memattr(&self->dev, 100000, WC));
	ASSERT_LE(0, efd);
	ASSERT_EQ(-EINVAL, vfio_wc_set_memattr(&self->dev, efd, WC));
	ASSERT_EQ(-EINVAL, vfio_wc_revoke(&self->dev, efd));
	/* The device fd itself is no dma-buf either */
	ASSERT_EQ(-EINVAL, vfio_wc_set_memattr(&self->dev, self->dev.fd, WC));
	close(efd);
}

TEST_F(memattr, argsz_too_small)
{
	int32_t fd = self->dmabuf;

	ASSERT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_SET |
					   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
					   &fd, sizeof(fd)));
	ASSERT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_SET |
					   VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
					   NULL, 0));
}

TEST_F(memattr, other_device)
{
	const char *other = vfio_wc_env_bdf("VFIO_WC_OTHER_BDF");
	struct vfio_wc_dev dev2;

	if (!other)
		SKIP(return, "VFIO_WC_OTHER_BDF not set");
	ASSERT_EQ(0, vfio_wc_open(&dev2, other));
	/* A dma-buf of this device, presented to the other one */
	EXPECT_EQ(-ENODEV, vfio_wc_set_memattr(&dev2, self->dmabuf, WC));
	EXPECT_EQ(-ENODEV, vfio_wc_revoke(&dev2, self->dmabuf));
	vfio_wc_close(&dev2);
}

TEST_F(memattr, non_prefetchable_bar)
{
	const char *bdf = vfio_wc_env_bdf("VFIO_WC_NONPREF_BDF");
	struct vfio_wc_dev dev2;
	uint8_t *p;
	char attr[16];
	int fd;

	if (!bdf)
		SKIP(return, "VFIO_WC_NONPREF_BDF not set");
	ASSERT_EQ(0, vfio_wc_open(&dev2, bdf));
	fd = vfio_wc_export_one(&dev2, 0, 0, PG);
	ASSERT_LE(0, fd);
	/* Policy: WC only on prefetchable BARs unless the module allows */
	EXPECT_EQ(-EPERM, vfio_wc_set_memattr(&dev2, fd, WC));
	/* ...and the dma-buf still maps uncached */
	p = map_dmabuf(fd, PG);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, vfio_wc_pte_attr(p, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_UC, attr);
	munmap(p, PG);
	close(fd);
	vfio_wc_close(&dev2);
}

TEST_F(memattr, default_is_uncached)
{
	uint8_t *p = map_dmabuf(self->dmabuf, PG);
	char attr[16];

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, vfio_wc_pte_attr(p, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_UC, attr);
	/* WC after an NC mapping would turn that mapping WC */
	EXPECT_EQ(-EBUSY, vfio_wc_set_memattr(&self->dev, self->dmabuf, WC));
	munmap(p, PG);
}

TEST_F(memattr, write_combined_store)
{
	uint64_t phys = self->dev.bar_phys[BAR2] + vfio_wc_slot();
	const char *pattern = getenv("VFIO_WC_PATTERN");
	char attr[16], back[128];
	uint8_t *p;

	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, self->dmabuf, WC));
	/* SET reserves WC for the range at once */
	EXPECT_PAT_COUNT(1, phys, phys + PG, "write-combining");
	EXPECT_PAT_COUNT(0, phys, phys + PG, "uncached");
	p = map_dmabuf(self->dmabuf, PG);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, vfio_wc_pte_attr(p, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_WC, attr);
	if (pattern) {
		size_t len = strlen(pattern);

		ASSERT_LT(len, sizeof(back));
		memcpy(p, pattern, len);
		__sync_synchronize();
		/* Read back through the device file (pread, WC page path) */
		ASSERT_EQ((ssize_t)len,
			  pread(self->dev.fd, back, len,
				self->dev.bar_offset[BAR2] + vfio_wc_slot()));
		back[len] = '\0';
		EXPECT_STREQ(pattern, back);
	}
	/* One type per page: no NC back once mapped WC */
	EXPECT_EQ(-EBUSY, vfio_wc_set_memattr(&self->dev, self->dmabuf, NC));
	munmap(p, PG);
	close(self->dmabuf);
	self->dmabuf = -1;
	/* Releasing the dma-buf frees the reservation */
	EXPECT_PAT_COUNT(0, phys, phys + PG, NULL);
}

TEST_F(memattr, nc_again_before_mapping)
{
	uint64_t phys = self->dev.bar_phys[BAR2] + vfio_wc_slot();
	char attr[16];
	uint8_t *p;

	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, self->dmabuf, WC));
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, self->dmabuf, WC));
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, self->dmabuf, NC));
	EXPECT_PAT_COUNT(0, phys, phys + PG, NULL);
	p = map_dmabuf(self->dmabuf, PG);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, vfio_wc_pte_attr(p, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_UC, attr);
	munmap(p, PG);
}

/*
 * The attribute may change while no mapping of the other type exists: a
 * refused mmap() counts for nothing, a mapping counts until its last
 * piece is gone (a split VMA, a fork child's copy), and then the dma-buf
 * is as if never mapped.
 */
TEST_F(memattr, attr_follows_live_mappings)
{
	int fd = vfio_wc_export_one(&self->dev, BAR2, vfio_wc_slot(), 2 * PG);
	int go[2], status;
	pid_t child;
	uint8_t *p;
	char c;

	ASSERT_LE(0, fd);
	EXPECT_TRUE(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, fd, 0) ==
		    MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, WC));

	/* Mapped WC, then unmapped in two pieces */
	p = map_dmabuf(fd, 2 * PG);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, munmap(p, PG));
	EXPECT_EQ(-EBUSY, vfio_wc_set_memattr(&self->dev, fd, NC));
	ASSERT_EQ(0, munmap(p + PG, PG));
	EXPECT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, NC))
		TH_LOG("NC refused after the last WC mapping was unmapped");

	/* Mapped NC, kept by a fork child after the parent unmapped it */
	p = map_dmabuf(fd, 2 * PG);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 0 ? 0 : 1);
	}
	close(go[0]);
	ASSERT_EQ(0, munmap(p, 2 * PG));
	EXPECT_EQ(-EBUSY, vfio_wc_set_memattr(&self->dev, fd, WC));
	close(go[1]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(0, vfio_wc_set_memattr(&self->dev, fd, WC))
		TH_LOG("WC refused after the last NC mapping was gone");
	close(fd);
}

TEST_F(memattr, overlapping_dmabufs)
{
	int other = vfio_wc_export_one(&self->dev, BAR2, vfio_wc_slot(),
				       2 * PG);
	char attr[16];
	uint64_t phys;
	uint8_t *p;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, self->dmabuf, WC));
	/* An NC mapping of a WC-reserved page would come out WC */
	p = map_dmabuf(other, 2 * PG);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EBUSY, errno);
	/* A WC range overlapping a reservation without matching it: refused */
	EXPECT_EQ(-EBUSY, vfio_wc_set_memattr(&self->dev, other, WC));
	close(other);
	/* Two WC dma-bufs of the same range share its reservation */
	other = vfio_wc_export_one(&self->dev, BAR2, vfio_wc_slot(), PG);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, other, WC));
	p = map_dmabuf(other, PG);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, vfio_wc_pte_attr(p, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_WC, attr);
	phys = self->dev.bar_phys[BAR2] + vfio_wc_slot();
	EXPECT_PAT_COUNT(1, phys, phys + PG, NULL);
	munmap(p, PG);
	close(other);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
