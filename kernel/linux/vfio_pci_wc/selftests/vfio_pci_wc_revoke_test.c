// SPDX-License-Identifier: GPL-2.0-only
/*
 * Life cycle of a write-combined dma-buf mapping: zapped by every kind of
 * reset (VFIO_DEVICE_RESET, VFIO_DEVICE_PCI_HOT_RESET, the sysfs "reset"
 * file), user accesses during a reset wait for it instead of reaching the
 * device, zapped by memory decode off (faults SIGBUS while decode is off,
 * refaults WC after), revoked by VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE and by the last
 * close of the device (faults SIGBUS, cannot be mapped again), and every
 * WC reservation is gone from the PAT memtype list afterwards.
 * Environment: VFIO_WC_SLOT (BAR2 offset this test may write).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;

#define BAR2	2
#define PG	VFIO_WC_PAGE
#define WC	VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC

FIXTURE(revoke) {
	struct vfio_wc_dev dev;
	uint64_t phys;
	uint8_t *wc;
	int dmabuf;
};

FIXTURE_SETUP(revoke)
{
	char attr[16];

	ASSERT_EQ(0, vfio_wc_open(&self->dev, device_bdf));
	self->phys = self->dev.bar_phys[BAR2] + vfio_wc_slot();
	self->dmabuf = vfio_wc_export_one(&self->dev, BAR2, vfio_wc_slot(), PG);
	ASSERT_LE(0, self->dmabuf);
	ASSERT_EQ(0, vfio_wc_set_memattr(&self->dev, self->dmabuf, WC));
	self->wc = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED,
			self->dmabuf, 0);
	ASSERT_TRUE(self->wc != MAP_FAILED);
	ASSERT_EQ(0, vfio_wc_pte_attr(self->wc, attr, sizeof(attr)));
	ASSERT_STREQ(VFIO_WC_ATTR_WC, attr);
}

FIXTURE_TEARDOWN(revoke)
{
	munmap(self->wc, PG);
	if (self->dmabuf >= 0)
		close(self->dmabuf);
	vfio_wc_close(&self->dev);
}

static uint16_t read_command(struct __test_metadata *_metadata,
			     struct vfio_wc_dev *dev)
{
	uint16_t cmd;

	ASSERT_EQ(2, pread(dev->fd, &cmd, 2,
			   dev->bar_offset[VFIO_PCI_CONFIG_REGION_INDEX] + 4));
	return cmd;
}

static void write_command(struct __test_metadata *_metadata,
			  struct vfio_wc_dev *dev, uint16_t cmd)
{
	ASSERT_EQ(2, pwrite(dev->fd, &cmd, 2,
			    dev->bar_offset[VFIO_PCI_CONFIG_REGION_INDEX] + 4));
}

#define MARK	0x5a

/* After a reset: zapped, faults back in WC with the device's bytes */
static void expect_zapped_then_wc(struct __test_metadata *_metadata,
				  const uint8_t *wc, uint64_t phys)
{
	char attr[16];
	uint8_t v;

	EXPECT_EQ(-ENOENT, ptecheck_probe(wc));
	ASSERT_TRUE(vfio_wc_try_read(wc + 100, &v));
	EXPECT_EQ(MARK, v);
	ASSERT_EQ(0, vfio_wc_pte_attr(wc, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_WC, attr);
	EXPECT_PAT_COUNT(1, phys, phys + PG, "write-combining");
}

TEST_F(revoke, device_reset)
{
	self->wc[100] = MARK;
	if (ioctl(self->dev.fd, VFIO_DEVICE_RESET))
		SKIP(return, "VFIO_DEVICE_RESET not supported: %s", strerror(errno));
	expect_zapped_then_wc(_metadata, self->wc, self->phys);
}

TEST_F(revoke, hot_reset)
{
	int ret;

	self->wc[100] = MARK;
	ret = vfio_wc_hot_reset(&self->dev);
	if (ret)
		SKIP(return, "VFIO_DEVICE_PCI_HOT_RESET not supported: %s",
		     strerror(-ret));
	expect_zapped_then_wc(_metadata, self->wc, self->phys);
}

/*
 * A reset that does not go through the VFIO device fd at all. The core
 * does not zap its device-file mappings there: the driver does, for the
 * BARs it manages (here the page next to the WC one).
 */
TEST_F(revoke, sysfs_reset)
{
	uint8_t *uc = vfio_wc_mmap_bar(&self->dev, BAR2, vfio_wc_slot() + PG,
				       PG);
	char attr[16];
	uint8_t v;

	ASSERT_TRUE(uc != MAP_FAILED);
	ASSERT_TRUE(vfio_wc_try_read(uc, &v));
	self->wc[100] = MARK;
	ASSERT_EQ(0, vfio_wc_sysfs_reset(device_bdf));
	expect_zapped_then_wc(_metadata, self->wc, self->phys);
	EXPECT_EQ(-ENOENT, ptecheck_probe(uc));
	ASSERT_EQ(0, vfio_wc_pte_attr(uc, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_UC, attr);
	munmap(uc, PG);
}

struct reader {
	const uint8_t *addr;
	bool stop;		/* atomic */
	unsigned long reads;	/* atomic */
	unsigned long wrong;
	unsigned long sigbus;
};

static void *read_loop(void *arg)
{
	struct reader *r = arg;
	uint8_t v;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (!vfio_wc_try_read(r->addr, &v))
			r->sigbus++;
		else if (v != MARK)
			r->wrong++;
		__atomic_add_fetch(&r->reads, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/*
 * While the device is in reset its memory decode is off, and a read
 * reaching it would not return the device's bytes: a user access made
 * during the reset must wait for it to end, not fault SIGBUS either.
 */
TEST_F(revoke, access_during_reset)
{
	struct reader r = { .addr = self->wc + 100 };
	pthread_t thread;

	self->wc[100] = MARK;
	ASSERT_EQ(0, pthread_create(&thread, NULL, read_loop, &r));
	while (__atomic_load_n(&r.reads, __ATOMIC_RELAXED) < 1000)
		usleep(1000);
	EXPECT_EQ(0, vfio_wc_sysfs_reset(device_bdf));
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	TH_LOG("%lu reads, %lu not from the device, %lu SIGBUS", r.reads,
	       r.wrong, r.sigbus);
	EXPECT_EQ(0UL, r.wrong);
	EXPECT_EQ(0UL, r.sigbus);
}

TEST_F(revoke, memory_decode_off)
{
	uint16_t cmd = read_command(_metadata, &self->dev);
	char attr[16];
	uint8_t v;

	ASSERT_TRUE(cmd & 0x2);
	write_command(_metadata, &self->dev, cmd & ~0x2);
	EXPECT_EQ(-ENOENT, ptecheck_probe(self->wc));
	EXPECT_FALSE(vfio_wc_try_read(self->wc, &v));
	EXPECT_FALSE(vfio_wc_try_write(self->wc, 1));
	/* BAR reads through the device file fail the same way */
	EXPECT_EQ(-1, pread(self->dev.fd, &v, 1,
			    self->dev.bar_offset[BAR2] + vfio_wc_slot()));
	EXPECT_EQ(EIO, errno);
	write_command(_metadata, &self->dev, cmd);
	ASSERT_TRUE(vfio_wc_try_read(self->wc, &v));
	ASSERT_EQ(0, vfio_wc_pte_attr(self->wc, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_WC, attr);
}

/*
 * Command register writes that leave memory decode on keep the mappings
 * as they are: the PTE stays (no zap, no refault), whether the value is
 * the same, another bit changes or only the low byte is written. Turning
 * decode off still zaps, and accesses fault SIGBUS until it is back on.
 */
TEST_F(revoke, noop_command_write_keeps_mapping)
{
	uint16_t cmd = read_command(_metadata, &self->dev);
	uint8_t low = cmd & 0xff, v;
	char attr[16];

	ASSERT_TRUE(cmd & PCI_COMMAND_MEMORY);
	ASSERT_EQ(0, ptecheck_probe(self->wc));
	write_command(_metadata, &self->dev, cmd);
	EXPECT_EQ(0, ptecheck_probe(self->wc))
		TH_LOG("writing COMMAND 0x%04x again zapped the WC mapping", cmd);
	write_command(_metadata, &self->dev, cmd ^ PCI_COMMAND_INTX_DISABLE);
	EXPECT_EQ(0, ptecheck_probe(self->wc))
		TH_LOG("toggling INTx disable zapped the WC mapping");
	write_command(_metadata, &self->dev, cmd);
	ASSERT_EQ(0, vfio_wc_config_write(&self->dev, PCI_COMMAND, &low, 1));
	EXPECT_EQ(0, ptecheck_probe(self->wc))
		TH_LOG("a one-byte COMMAND write with decode on zapped the WC mapping");

	write_command(_metadata, &self->dev, cmd & ~PCI_COMMAND_MEMORY);
	EXPECT_EQ(-ENOENT, ptecheck_probe(self->wc));
	EXPECT_FALSE(vfio_wc_try_read(self->wc, &v));
	write_command(_metadata, &self->dev, cmd);
	ASSERT_TRUE(vfio_wc_try_read(self->wc, &v));
	ASSERT_EQ(0, vfio_wc_pte_attr(self->wc, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_WC, attr);
}

/*
 * PM control writes (on the device with a PM capability: ivshmem has
 * none): the same power state keeps a dma-buf mapping, D3hot zaps it and
 * accesses fault SIGBUS until the device is back in D0.
 */
TEST(pm_ctrl_write)
{
	const char *bdf = vfio_wc_env_bdf("VFIO_WC_NONPREF_BDF");
	uint16_t ctrl, d3;
	struct vfio_wc_dev dev;
	unsigned int pm;
	uint8_t *map, v;
	int fd;

	if (!bdf)
		SKIP(return, "no second device (VFIO_WC_NONPREF_BDF)");
	ASSERT_EQ(0, vfio_wc_open(&dev, bdf));
	pm = vfio_wc_find_cap(&dev, PCI_CAP_ID_PM);
	if (!pm) {
		vfio_wc_close(&dev);
		SKIP(return, "%s has no PM capability", bdf);
	}
	fd = vfio_wc_export_one(&dev, 0, 0, PG);
	ASSERT_LE(0, fd);
	map = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	ASSERT_TRUE(vfio_wc_try_read(map, &v));
	ASSERT_EQ(0, ptecheck_probe(map));
	ASSERT_EQ(0, vfio_wc_config_read(&dev, pm + PCI_PM_CTRL, &ctrl, 2));
	ASSERT_EQ(0, ctrl & PCI_PM_CTRL_STATE_MASK);

	ASSERT_EQ(0, vfio_wc_config_write(&dev, pm + PCI_PM_CTRL, &ctrl, 2));
	EXPECT_EQ(0, ptecheck_probe(map))
		TH_LOG("writing PM control 0x%04x (D0) again zapped the mapping",
		       ctrl);

	d3 = ctrl | PCI_PM_CTRL_STATE_MASK;
	ASSERT_EQ(0, vfio_wc_config_write(&dev, pm + PCI_PM_CTRL, &d3, 2));
	EXPECT_EQ(-ENOENT, ptecheck_probe(map));
	EXPECT_FALSE(vfio_wc_try_read(map, &v));
	ASSERT_EQ(0, vfio_wc_config_write(&dev, pm + PCI_PM_CTRL, &ctrl, 2));
	EXPECT_TRUE(vfio_wc_try_read(map, &v));
	munmap(map, PG);
	close(fd);
	vfio_wc_close(&dev);
}

TEST_F(revoke, low_power)
{
	char attr[16];
	uint8_t v;
	int ret;

	ret = vfio_wc_feature(self->dev.fd, VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY, NULL, 0);
	if (ret)
		SKIP(return, "low power entry refused: %s", strerror(-ret));
	EXPECT_EQ(-ENOENT, ptecheck_probe(self->wc));
	EXPECT_FALSE(vfio_wc_try_read(self->wc, &v));
	ASSERT_EQ(0, vfio_wc_feature(self->dev.fd, VFIO_DEVICE_FEATURE_SET |
				     VFIO_DEVICE_FEATURE_LOW_POWER_EXIT,
				     NULL, 0));
	ASSERT_TRUE(vfio_wc_try_read(self->wc, &v));
	ASSERT_EQ(0, vfio_wc_pte_attr(self->wc, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_WC, attr);
}

TEST_F(revoke, revoke_feature)
{
	uint8_t v;

	ASSERT_EQ(0, vfio_wc_revoke(&self->dev, self->dmabuf));
	EXPECT_EQ(-ENOENT, ptecheck_probe(self->wc));
	EXPECT_FALSE(vfio_wc_try_read(self->wc, &v));
	EXPECT_PAT_COUNT(0, self->phys, self->phys + PG, NULL);
	EXPECT_TRUE(mmap(NULL, PG, PROT_READ, MAP_SHARED, self->dmabuf, 0) ==
		    MAP_FAILED);
	EXPECT_EQ(ENODEV, errno);
	/* As in the proposal: the attribute is accepted, and moot */
	EXPECT_EQ(0, vfio_wc_set_memattr(&self->dev, self->dmabuf, WC));
	EXPECT_EQ(0, vfio_wc_set_memattr(&self->dev, self->dmabuf, 0));
	EXPECT_EQ(-ENOENT, vfio_wc_set_memattr(&self->dev, self->dmabuf, 2));
	EXPECT_PAT_COUNT(0, self->phys, self->phys + PG, NULL);
	EXPECT_TRUE(mmap(NULL, PG, PROT_READ, MAP_SHARED, self->dmabuf, 0) ==
		    MAP_FAILED);
	EXPECT_EQ(ENODEV, errno);
	/* Revoking twice fails, as in the proposal */
	EXPECT_EQ(-EBADFD, vfio_wc_revoke(&self->dev, self->dmabuf));
}

TEST_F(revoke, device_close)
{
	uint8_t v;

	vfio_wc_close(&self->dev);
	EXPECT_FALSE(vfio_wc_try_read(self->wc, &v));
	EXPECT_PAT_COUNT(0, self->phys, self->phys + PG, NULL);
	EXPECT_TRUE(mmap(NULL, PG, PROT_READ, MAP_SHARED, self->dmabuf, 0) ==
		    MAP_FAILED);
	EXPECT_EQ(ENODEV, errno);
	/*
	 * The close detached it from the device, as in the proposal: a new
	 * open of the device does not know it (not EBADFD, not 0).
	 */
	ASSERT_EQ(0, vfio_wc_open(&self->dev, device_bdf));
	EXPECT_EQ(-ENODEV, vfio_wc_set_memattr(&self->dev, self->dmabuf, WC));
	EXPECT_EQ(-ENODEV, vfio_wc_revoke(&self->dev, self->dmabuf));
}

TEST_F(revoke, dmabuf_close)
{
	munmap(self->wc, PG);
	self->wc = mmap(NULL, PG, PROT_READ, MAP_SHARED, self->dmabuf, 0);
	ASSERT_TRUE(self->wc != MAP_FAILED);
	close(self->dmabuf);
	self->dmabuf = -1;
	/* The mapping keeps the dma-buf alive... */
	EXPECT_PAT_COUNT(1, self->phys, self->phys + PG, "write-combining");
	munmap(self->wc, PG);
	/* ...and its release frees the reservation */
	EXPECT_PAT_COUNT(0, self->phys, self->phys + PG, NULL);
	self->wc = mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
