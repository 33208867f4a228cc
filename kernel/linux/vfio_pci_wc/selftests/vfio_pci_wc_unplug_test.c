// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hot unplug of a device whose write-combined dma-buf is still open and
 * mapped: the removal waits only for the device file (the user is asked
 * through the request eventfd), the dma-buf then faults SIGBUS, cannot be
 * mapped again, holds no WC reservation, and keeps nothing of the removed
 * device: once the device is back (rescan) and bound again, its reset set
 * works, and closing the old dma-buf afterwards releases the module.
 * Removes and rescans the device: run it alone, last but one.
 * Environment: VFIO_WC_SLOT (BAR2 offset this test may write).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
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
#define WC	VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC

static int write_sysfs(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static bool device_present(const char *bdf)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return access(path, F_OK) == 0;
}

static int module_refcnt(void)
{
	FILE *f = fopen("/sys/module/vfio_pci_wc/refcnt", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

/* Signal @efd when the core asks the user to release the device */
static int set_request_eventfd(struct vfio_wc_dev *dev, int efd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_REQ_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &efd, sizeof(efd));
	return ioctl(dev->fd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
}

struct remover {
	char path[128];
	int ret;
};

/* Blocks in the driver's remove() until the device file is closed */
static void *remove_device(void *arg)
{
	struct remover *r = arg;

	r->ret = write_sysfs(r->path, "1");
	return NULL;
}

/* Bring the device back and bind it to vfio-pci-wc */
static void rescan_and_bind(struct __test_metadata *_metadata)
{
	char path[128];
	unsigned int i;

	ASSERT_EQ(0, write_sysfs("/sys/bus/pci/rescan", "1"));
	for (i = 0; i < 50 && !device_present(device_bdf); i++)
		usleep(100000);
	ASSERT_TRUE(device_present(device_bdf));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 device_bdf);
	ASSERT_EQ(0, write_sysfs(path, "vfio-pci-wc"));
	ASSERT_EQ(0, write_sysfs("/sys/bus/pci/drivers_probe", device_bdf));
}

TEST(unplug_with_mapped_dmabuf)
{
	struct remover r = { .ret = 1 };
	struct vfio_wc_dev dev, again;
	struct pollfd pfd;
	pthread_t thread;
	int dmabuf, efd, refcnt;
	uint64_t phys;
	char attr[16];
	uint8_t *wc, v;

	ASSERT_EQ(0, vfio_wc_open(&dev, device_bdf));
	phys = dev.bar_phys[BAR2] + vfio_wc_slot();
	dmabuf = vfio_wc_export_one(&dev, BAR2, vfio_wc_slot(), PG);
	ASSERT_LE(0, dmabuf);
	ASSERT_EQ(0, vfio_wc_set_memattr(&dev, dmabuf, WC));
	wc = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	ASSERT_TRUE(wc != MAP_FAILED);
	ASSERT_EQ(0, vfio_wc_pte_attr(wc, attr, sizeof(attr)));
	ASSERT_STREQ(VFIO_WC_ATTR_WC, attr);

	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, set_request_eventfd(&dev, efd));
	snprintf(r.path, sizeof(r.path), "/sys/bus/pci/devices/%s/remove",
		 device_bdf);
	ASSERT_EQ(0, pthread_create(&thread, NULL, remove_device, &r));

	/* The removal asks for the device file back, and only for it */
	pfd = (struct pollfd){ .fd = efd, .events = POLLIN };
	ASSERT_EQ(1, poll(&pfd, 1, 20000));
	vfio_wc_close(&dev);
	pthread_join(thread, NULL);
	ASSERT_EQ(0, r.ret);
	ASSERT_FALSE(device_present(device_bdf));
	close(efd);

	/* The dma-buf outlives the device, revoked */
	EXPECT_EQ(-ENOENT, ptecheck_probe(wc));
	EXPECT_FALSE(vfio_wc_try_read(wc, &v));
	EXPECT_TRUE(mmap(NULL, PG, PROT_READ, MAP_SHARED, dmabuf, 0) ==
		    MAP_FAILED);
	EXPECT_EQ(ENODEV, errno);
	EXPECT_PAT_COUNT(0, phys, phys + PG, NULL);

	/*
	 * A device bound again in the same slot joins the same reset set:
	 * the old dma-buf must not have left the removed device in it.
	 */
	rescan_and_bind(_metadata);
	ASSERT_EQ(0, vfio_wc_open(&again, device_bdf));
	EXPECT_EQ(0, vfio_wc_hot_reset(&again));
	vfio_wc_close(&again);

	/* The dma-buf held the module until its release, and only that */
	refcnt = module_refcnt();
	ASSERT_LT(0, refcnt);
	munmap(wc, PG);
	close(dmabuf);
	EXPECT_EQ(refcnt - 1, module_refcnt());
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	return test_harness_run(argc, argv);
}
