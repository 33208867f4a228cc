// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO_DEVICE_FEATURE_DMA_BUF through vfio-pci-wc: every malformed
 * request is refused with the errno the upstream feature uses (apart from
 * the stricter rules the README lists: argsz, the device's range cap), a
 * valid one returns a dma-buf of the requested size whose pages are the
 * BAR's. PROBE of the three features as upstream and the proposal.
 * VFIO_DEVICE_IOEVENTFD is refused on a device with a BAR managed for
 * write-combining.
 * Device: ivshmem (BAR0 256 B registers, BAR1 MSI-X or empty, BAR2 RAM).
 * Environment: VFIO_WC_NONPREF_BDF (a vfio-pci-wc device without
 * prefetchable memory BAR, hence none managed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;

#define BAR2	2
#define PG	VFIO_WC_PAGE

FIXTURE(export) {
	struct vfio_wc_dev dev;
};

FIXTURE_SETUP(export)
{
	ASSERT_EQ(0, vfio_wc_open(&self->dev, device_bdf));
}

FIXTURE_TEARDOWN(export)
{
	vfio_wc_close(&self->dev);
}

/* Raw feature call with an explicit header and argsz payload length */
static int export_raw(struct vfio_wc_dev *dev, uint32_t index,
		      uint32_t open_flags, uint32_t flags, uint32_t nr,
		      const struct vfio_region_dma_range *ranges,
		      uint32_t nr_in_buf)
{
	struct vfio_device_feature_dma_buf *hdr;
	size_t len = sizeof(*hdr) + nr_in_buf * sizeof(*ranges);
	int ret;

	hdr = calloc(1, len);
	hdr->region_index = index;
	hdr->open_flags = open_flags;
	hdr->flags = flags;
	hdr->nr_ranges = nr;
	if (nr_in_buf)
		memcpy(hdr->dma_ranges, ranges, nr_in_buf * sizeof(*ranges));
	ret = vfio_wc_feature(dev->fd, VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_DMA_BUF, hdr, len);
	free(hdr);
	return ret;
}

/* PROBE: 0 for the operations a feature has, EINVAL for the others */
TEST_F(export, probe)
{
	struct vfio_region_dma_range r = { 0, PG };
	struct {
		struct vfio_device_feature_dma_buf hdr;
		struct vfio_region_dma_range range;
	} req = { .hdr = { .region_index = BAR2, .open_flags = O_RDWR,
			   .nr_ranges = 1 }, .range = r };
	const uint32_t features[] = { VFIO_DEVICE_FEATURE_DMA_BUF,
				      VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
				      VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE };
	unsigned int i;

	/* PROBE alone: the feature exists */
	for (i = 0; i < ARRAY_SIZE(features); i++)
		EXPECT_EQ(0, vfio_wc_feature(self->dev.fd,
					     VFIO_DEVICE_FEATURE_PROBE |
					     features[i], NULL, 0));
	/* PROBE of a valid export request exports nothing: 0, not an fd */
	EXPECT_EQ(0, vfio_wc_feature(self->dev.fd, VFIO_DEVICE_FEATURE_PROBE |
				     VFIO_DEVICE_FEATURE_GET |
				     VFIO_DEVICE_FEATURE_DMA_BUF,
				     &req, sizeof(req)));
	/* GET and SET together: the export has no SET */
	EXPECT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_PROBE |
					   VFIO_DEVICE_FEATURE_GET |
					   VFIO_DEVICE_FEATURE_SET |
					   VFIO_DEVICE_FEATURE_DMA_BUF,
					   NULL, 0));
	/* REVOKE has no GET either; nor GET/SET without PROBE and argsz */
	EXPECT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_PROBE |
					   VFIO_DEVICE_FEATURE_GET |
					   VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
					   NULL, 0));
	EXPECT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_GET |
					   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
					   NULL, 0));
	EXPECT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_SET |
					   VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
					   NULL, 0));
	ASSERT_EQ(0, vfio_wc_feature(self->dev.fd, VFIO_DEVICE_FEATURE_PROBE |
				     VFIO_DEVICE_FEATURE_GET |
				     VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0));
	ASSERT_EQ(0, vfio_wc_feature(self->dev.fd, VFIO_DEVICE_FEATURE_PROBE |
				     VFIO_DEVICE_FEATURE_SET |
				     VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
				     NULL, 0));
	ASSERT_EQ(0, vfio_wc_feature(self->dev.fd, VFIO_DEVICE_FEATURE_PROBE |
				     VFIO_DEVICE_FEATURE_SET |
				     VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
				     NULL, 0));
	/* SET of the export and GET of the attribute do not exist */
	ASSERT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_PROBE |
					   VFIO_DEVICE_FEATURE_SET |
					   VFIO_DEVICE_FEATURE_DMA_BUF,
					   NULL, 0));
	ASSERT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_PROBE |
					   VFIO_DEVICE_FEATURE_GET |
					   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
					   NULL, 0));
}

TEST_F(export, argsz_below_header)
{
	uint32_t half[2] = { BAR2, O_RDWR };

	ASSERT_EQ(-EINVAL, vfio_wc_feature(self->dev.fd,
					   VFIO_DEVICE_FEATURE_GET |
					   VFIO_DEVICE_FEATURE_DMA_BUF,
					   half, sizeof(half)));
}

/* Stricter than upstream, which reads the ranges past argsz */
TEST_F(export, argsz_below_ranges)
{
	struct vfio_region_dma_range r[2] = { { 0, PG }, { PG, PG } };

	ASSERT_EQ(-EINVAL, export_raw(&self->dev, BAR2, O_RDWR, 0, 2, r, 1));
}

TEST_F(export, flags_nonzero)
{
	struct vfio_region_dma_range r = { 0, PG };

	ASSERT_EQ(-EINVAL, export_raw(&self->dev, BAR2, O_RDWR, 1, 1, &r, 1));
	ASSERT_EQ(-EINVAL, export_raw(&self->dev, BAR2, O_RDWR, 1u << 31,
				      1, &r, 1));
}

/* As upstream: open_flags are the new file's, unchecked */
TEST_F(export, open_flags)
{
	struct vfio_region_dma_range r = { 0, PG };
	int fd;

	fd = export_raw(&self->dev, BAR2, O_RDWR | O_NONBLOCK, 0, 1, &r, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(O_RDWR | O_NONBLOCK,
		  fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	EXPECT_EQ(0, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
	/* Read-only: no writable mapping */
	fd = export_raw(&self->dev, BAR2, O_RDONLY | O_CLOEXEC, 0, 1, &r, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	close(fd);
	/* O_ACCMODE: neither read nor write, no mapping at all */
	fd = export_raw(&self->dev, BAR2, O_ACCMODE, 0, 1, &r, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	close(fd);
}

TEST_F(export, nr_ranges_zero)
{
	ASSERT_EQ(-EINVAL, export_raw(&self->dev, BAR2, O_RDWR, 0, 0, NULL, 0));
}

/*
 * No cap per dma-buf, as upstream; the device's cap of live ranges
 * (ENOSPC, stricter) bounds one dma-buf too.
 */
TEST_F(export, nr_ranges_large)
{
	const uint32_t nr = 4097;
	struct vfio_region_dma_range *r = calloc(nr, sizeof(*r));
	uint32_t i;
	int fd;

	ASSERT_NE(NULL, r);
	for (i = 0; i < nr; i++)
		r[i] = (struct vfio_region_dma_range){ 0, PG };
	EXPECT_EQ(-EINVAL, export_raw(&self->dev, BAR2, O_RDWR, 0, UINT32_MAX,
				      r, 1));
	fd = export_raw(&self->dev, BAR2, O_RDWR, 0, 1025, r, 1025);
	EXPECT_LE(0, fd);
	EXPECT_EQ(1025 * PG, (uint64_t)lseek(fd, 0, SEEK_END));
	close(fd);
	EXPECT_EQ(-ENOSPC, export_raw(&self->dev, BAR2, O_RDWR, 0, nr, r, nr));
	free(r);
}

TEST_F(export, not_a_memory_bar)
{
	struct vfio_region_dma_range r = { 0, PG };

	/* Not a BAR: ROM, config, VGA, beyond the regions (as upstream) */
	ASSERT_EQ(-ENODEV, export_raw(&self->dev, VFIO_PCI_ROM_REGION_INDEX,
				      O_RDWR, 0, 1, &r, 1));
	ASSERT_EQ(-ENODEV, export_raw(&self->dev, VFIO_PCI_CONFIG_REGION_INDEX,
				      O_RDWR, 0, 1, &r, 1));
	ASSERT_EQ(-ENODEV, export_raw(&self->dev, VFIO_PCI_VGA_REGION_INDEX,
				      O_RDWR, 0, 1, &r, 1));
	ASSERT_EQ(-ENODEV, export_raw(&self->dev, 1000, O_RDWR, 0, 1, &r, 1));
	/* A BAR, not implemented (ivshmem BAR3..5): EINVAL as upstream */
	ASSERT_EQ(-EINVAL, export_raw(&self->dev, 4, O_RDWR, 0, 1, &r, 1));
}

TEST_F(export, io_bar)
{
	const char *bdf = vfio_wc_env_bdf("VFIO_WC_NONPREF_BDF");
	struct vfio_region_dma_range r = { 0, PG };
	struct vfio_wc_dev dev2;

	if (!bdf)
		SKIP(return, "VFIO_WC_NONPREF_BDF not set");
	/* e1000e BAR2 is an I/O BAR */
	ASSERT_EQ(0, vfio_wc_open(&dev2, bdf));
	EXPECT_EQ(-EINVAL, export_raw(&dev2, 2, O_RDWR, 0, 1, &r, 1));
	vfio_wc_close(&dev2);
}

TEST_F(export, sub_page_bar)
{
	int fd;

	/*
	 * BAR0 is 256 B of registers: a page range ends past the BAR, so
	 * nothing of it can be exported (EINVAL), as upstream, although the
	 * device file maps its page.
	 */
	EXPECT_EQ(-EINVAL, vfio_wc_export_one(&self->dev, 0, 0, PG));
	EXPECT_EQ(-EINVAL, vfio_wc_export_one(&self->dev, 0, PG, PG));
	fd = vfio_wc_export_one(&self->dev, BAR2, 0, PG);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(export, bad_ranges)
{
	uint64_t size = self->dev.bar_size[BAR2];
	struct {
		struct vfio_region_dma_range range;
		int err;
	} bad[] = {
		{ { 1, PG }, EINVAL },			/* unaligned offset */
		{ { 0, PG + 1 }, EINVAL },		/* unaligned length */
		{ { 0, 0 }, EINVAL },			/* empty */
		{ { size, PG }, EINVAL },		/* starts at the end */
		{ { size - PG, 2 * PG }, EINVAL },	/* crosses the end */
		/* offset + length wraps: EOVERFLOW as upstream */
		{ { UINT64_MAX & ~(PG - 1), PG }, EOVERFLOW },
		{ { PG, UINT64_MAX & ~(PG - 1) }, EOVERFLOW },
	};
	unsigned int i;

	ASSERT_GT(size, 2 * PG);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		TH_LOG("range {0x%llx, 0x%llx}",
		       (unsigned long long)bad[i].range.offset,
		       (unsigned long long)bad[i].range.length);
		EXPECT_EQ(-bad[i].err, export_raw(&self->dev, BAR2, O_RDWR, 0,
						  1, &bad[i].range, 1));
	}
}

TEST_F(export, one_bad_range_of_two)
{
	struct vfio_region_dma_range r[2] = { { 0, PG }, { 3, PG } };

	ASSERT_EQ(-EINVAL, export_raw(&self->dev, BAR2, O_RDWR, 0, 2, r, 2));
}

TEST_F(export, ranges_concatenate)
{
	/* dma-buf page 0 = BAR page 5, dma-buf page 1 = BAR page 2 */
	struct vfio_region_dma_range r[2] = { { 5 * PG, PG }, { 2 * PG, PG } };
	uint8_t *buf, bar[2];
	int fd;

	fd = vfio_wc_export(&self->dev, BAR2, r, 2);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2 * PG, (uint64_t)lseek(fd, 0, SEEK_END));
	buf = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(1, pread(self->dev.fd, &bar[0], 1,
			   self->dev.bar_offset[BAR2] + 5 * PG + 7));
	ASSERT_EQ(1, pread(self->dev.fd, &bar[1], 1,
			   self->dev.bar_offset[BAR2] + 2 * PG + 7));
	EXPECT_EQ(bar[0], buf[7]);
	EXPECT_EQ(bar[1], buf[PG + 7]);
	/* Beyond the dma-buf size */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 3 * PG, PROT_READ, MAP_SHARED, fd, 0));
	munmap(buf, 2 * PG);
	close(fd);
}

TEST_F(export, private_mapping)
{
	void *p;
	int fd;

	fd = vfio_wc_export_one(&self->dev, BAR2, 0, PG);
	ASSERT_LE(0, fd);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

TEST_F(export, fd_flags)
{
	int fd;

	/* The new file has the requested open flags */
	fd = vfio_wc_export_one(&self->dev, BAR2, 0, PG);
	ASSERT_LE(0, fd);
	ASSERT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	close(fd);
}

/* Register (fd >= 0) or remove (fd = -1) a 4-byte ioeventfd: 0 or -errno */
static int ioeventfd(struct vfio_wc_dev *dev, uint32_t bar, uint64_t offset,
		     int fd)
{
	struct vfio_device_ioeventfd req = {
		.argsz = sizeof(req),
		.flags = VFIO_DEVICE_IOEVENTFD_32,
		.offset = dev->bar_offset[bar] + offset,
		.data = 0,
		.fd = fd,
	};

	return ioctl(dev->fd, VFIO_DEVICE_IOEVENTFD, &req) ? -errno : 0;
}

/*
 * The core reads the request itself, after this driver: refusing only
 * requests for a managed BAR could be raced by rewriting the offset in
 * between. Any BAR of a device with a managed BAR is refused.
 */
TEST_F(export, ioeventfd_refused)
{
	int efd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, efd);
	/* BAR2 is managed, BAR0 (registers) is not */
	EXPECT_EQ(-EOPNOTSUPP, ioeventfd(&self->dev, BAR2, 0, efd));
	EXPECT_EQ(-EOPNOTSUPP, ioeventfd(&self->dev, 0, 0, efd));
	close(efd);
}

TEST_F(export, ioeventfd_without_managed_bar)
{
	const char *bdf = vfio_wc_env_bdf("VFIO_WC_NONPREF_BDF");
	struct vfio_wc_dev dev2;
	int efd;

	if (!bdf)
		SKIP(return, "VFIO_WC_NONPREF_BDF not set");
	ASSERT_EQ(0, vfio_wc_open(&dev2, bdf));
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	/* Left to the core: registered, then removed */
	EXPECT_EQ(0, ioeventfd(&dev2, 0, 0, efd));
	EXPECT_EQ(0, ioeventfd(&dev2, 0, 0, -1));
	close(efd);
	vfio_wc_close(&dev2);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
