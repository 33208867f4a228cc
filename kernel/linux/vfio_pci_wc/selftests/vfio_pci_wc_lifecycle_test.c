// SPDX-License-Identifier: GPL-2.0-only
/*
 * Life cycle of dma-buf mappings across processes and device power and
 * reset transitions, bounded in time (VFIO_WC_SECONDS per scenario,
 * default 3) with seeded random values (VFIO_WC_SEED, printed):
 *
 * - a WC dma-buf passed with SCM_RIGHTS to another process and kept by
 *   that process' fork child, after the exporting process closed its
 *   device fd and exited: the child's stores keep reaching the device
 *   until the device's remaining owner revokes the dma-buf, then fault
 *   SIGBUS; nothing stays reserved;
 * - D3hot and function level reset written to config space while a
 *   thread writes and reads a dma-buf mapping in a loop: an access during
 *   a transition waits or faults SIGBUS, never reads wrong data, and the
 *   device is right afterwards;
 * - command register writes from a buffer another thread keeps rewriting:
 *   decode is never left off under a present mapping;
 * - function level resets written to config space while a thread writes
 *   and reads a WC dma-buf mapping of the function's prefetchable BAR,
 *   and hot resets issued through another function of the same reset set
 *   while a thread writes and reads a WC dma-buf mapping of the first:
 *   the mapping is zapped by each reset, accesses wait or fault SIGBUS
 *   only during it, and stores after it fault back WC and reach the
 *   device.
 *
 * Environment: VFIO_WC_SLOT (BAR2 offset this test may write, one page),
 * VFIO_WC_PATTERN (bytes the fork child stores at its offset 0x800
 * through WC, checked on the host), VFIO_WC_NONPREF_BDF (a device with a
 * PM capability), VFIO_WC_FLR_BDF (a modern virtio function with FLR)
 * and VFIO_WC_SIBLING_BDF (an ivshmem in the FLR function's IOMMU group
 * and reset set).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;
static unsigned int seed;
static unsigned int seconds;

#define BAR2	2
#define PG	VFIO_WC_PAGE
#define WC	VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Per-thread SIGBUS recovery, as in the race test */
static __thread sigjmp_buf * volatile fault_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	if (fault_jmp)
		siglongjmp(*fault_jmp, 1);
	_exit(3);
}

static void catch_sigbus(void)
{
	struct sigaction sa = { .sa_handler = on_sigbus };

	sigaction(SIGBUS, &sa, NULL);
}

/* Store @val at @p and load it back; false when either faulted SIGBUS */
static bool store_load32(volatile uint32_t *p, uint32_t val, uint32_t *back)
{
	sigjmp_buf jmp;
	bool ok = true;

	if (sigsetjmp(jmp, 1) == 0) {
		fault_jmp = &jmp;
		*p = val;
		*back = *p;
	} else {
		ok = false;
	}
	fault_jmp = NULL;
	return ok;
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg;
	int fd;

	if (recvmsg(sock, &msg, 0) != 1)
		return -errno;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	return fd;
}

/* One byte on a pipe: a go signal or a child's verdict */
static void put_byte(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		_exit(4);
}

static char get_byte(int fd)
{
	char c = 0;

	return read(fd, &c, 1) == 1 ? c : 0;
}

#define FAIL_CHILD(fmt, ...) do {					\
	fprintf(stderr, "# %s: " fmt "\n", __func__, ##__VA_ARGS__);	\
	_exit(1);							\
} while (0)

/*
 * Written by the fork child at PATTERN_OFF of the slot page, then checked
 * by the keeper and by the host
 */
static char pattern[128];
#define PATTERN_OFF	0x800

/*
 * The exporter's fork child: it inherited the device fd and the dma-buf
 * fd, so the device stays open after the exporter exited. On "r" it
 * checks through the device file that the writer's bytes reached the
 * device, revokes the dma-buf and reports.
 */
static void keeper(struct vfio_wc_dev *dev, int dmabuf, int cmd, int verdict)
{
	char back[sizeof(pattern)];
	size_t len = strlen(pattern);
	int ret;

	if (get_byte(cmd) != 'r')
		FAIL_CHILD("no revoke command");
	if (pread(dev->fd, back, len, dev->bar_offset[BAR2] + vfio_wc_slot() +
		  PATTERN_OFF) != (ssize_t)len || memcmp(back, pattern, len))
		FAIL_CHILD("the device does not hold the writer's bytes");
	ret = vfio_wc_revoke(dev, dmabuf);
	if (ret)
		FAIL_CHILD("revoke: %s", strerror(-ret));
	put_byte(verdict, 'k');
	close(dmabuf);
	vfio_wc_close(dev);
	_exit(0);
}

/* The exporting process: export, pass on, fork the keeper, close, exit */
static void exporter(int sock, int keeper_cmd, int verdict)
{
	struct vfio_wc_dev dev;
	int dmabuf, ret;

	ret = vfio_wc_open(&dev, device_bdf);
	if (ret)
		FAIL_CHILD("open %s: %s", device_bdf, strerror(-ret));
	dmabuf = vfio_wc_export_one(&dev, BAR2, vfio_wc_slot(), PG);
	if (dmabuf < 0)
		FAIL_CHILD("export: %s", strerror(-dmabuf));
	ret = vfio_wc_set_memattr(&dev, dmabuf, WC);
	if (ret)
		FAIL_CHILD("SET WC: %s", strerror(-ret));
	ret = send_fd(sock, dmabuf);
	if (ret)
		FAIL_CHILD("SCM_RIGHTS: %s", strerror(-ret));
	if (!fork())
		keeper(&dev, dmabuf, keeper_cmd, verdict);
	close(dmabuf);
	vfio_wc_close(&dev);
	_exit(0);
}

/*
 * The receiver's fork child: once its parent and the exporter are gone,
 * stores through the WC mapping and loads them back for the given time,
 * then, after the keeper's revoke, faults SIGBUS.
 */
static void writer(uint8_t *map, int go, int verdict)
{
	volatile uint32_t *word = (volatile uint32_t *)(map + 256);
	unsigned int rnd = seed, i;
	uint32_t val, back;
	long ops = 0;
	double end, give_up;

	catch_sigbus();
	if (get_byte(go) != 'g')
		FAIL_CHILD("no go");
	end = now() + seconds;
	while (now() < end) {
		val = rand_r(&rnd);
		if (!store_load32(word, val, &back))
			FAIL_CHILD("SIGBUS before the revoke, after %ld stores", ops);
		if (back != val)
			FAIL_CHILD("read 0x%08x after storing 0x%08x", back, val);
		ops++;
	}
	for (i = 0; pattern[i]; i++)
		map[PATTERN_OFF + i] = pattern[i];
	__sync_synchronize();
	fprintf(stderr, "# %s: %ld stores and loads through the kept mapping\n",
		__func__, ops);
	put_byte(verdict, 'w');
	/* Now revoked by the keeper: the next access faults */
	give_up = now() + 60;
	while (now() < give_up)
		if (!store_load32(word, 0, &back)) {
			put_byte(verdict, 's');
			_exit(0);
		}
	FAIL_CHILD("no SIGBUS within 60 s of the revoke");
}

/* The receiving process: map the dma-buf, fork the writer, exit */
static void receiver(int sock, int go, int verdict)
{
	uint8_t *map;
	int fd;

	fd = recv_fd(sock);
	if (fd < 0)
		FAIL_CHILD("receive: %s", strerror(-fd));
	map = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		FAIL_CHILD("mmap: %s", strerror(errno));
	if (!fork())
		writer(map, go, verdict);
	munmap(map, PG);
	close(fd);
	_exit(0);
}

static void wait_exit0(struct __test_metadata *_metadata, pid_t pid,
		       const char *who)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("%s: status 0x%x", who, status);
}

/* No state: a fixture for TEST_F_TIMEOUT() only (TEST() allows 30 s) */
FIXTURE(lifecycle) {
	int unused;
};

FIXTURE_SETUP(lifecycle)
{
}

FIXTURE_TEARDOWN(lifecycle)
{
}

TEST_F_TIMEOUT(lifecycle, scm_rights_fork_child, 600)
{
	int sv[2], go[2], cmd[2], verdict[2];
	pid_t exp_pid, recv_pid;
	struct vfio_wc_dev dev;
	uint64_t phys;
	char c[3];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(cmd));
	ASSERT_EQ(0, pipe(verdict));

	exp_pid = fork();
	ASSERT_LE(0, exp_pid);
	if (!exp_pid)
		exporter(sv[0], cmd[0], verdict[1]);
	recv_pid = fork();
	ASSERT_LE(0, recv_pid);
	if (!recv_pid)
		receiver(sv[1], go[0], verdict[1]);
	/* The exporter and the receiver are gone before the writer starts */
	wait_exit0(_metadata, exp_pid, "exporter");
	wait_exit0(_metadata, recv_pid, "receiver");
	close(verdict[1]);
	put_byte(go[1], 'g');
	c[0] = get_byte(verdict[0]);
	ASSERT_EQ('w', c[0]) TH_LOG("the writer failed (see above)");
	put_byte(cmd[1], 'r');
	c[1] = get_byte(verdict[0]);
	c[2] = get_byte(verdict[0]);
	/* Keeper and writer answer in either order */
	EXPECT_TRUE((c[1] == 'k' && c[2] == 's') || (c[1] == 's' && c[2] == 'k'))
		TH_LOG("after the revoke: '%c' '%c' (k: revoked, s: writer got SIGBUS)",
		       c[1] ? c[1] : '-', c[2] ? c[2] : '-');
	/* Every process that held the device or the dma-buf has exited */
	EXPECT_EQ(0, get_byte(verdict[0]));

	/* Nothing reserved is left, and the device opens again */
	ASSERT_EQ(0, vfio_wc_open(&dev, device_bdf));
	phys = dev.bar_phys[BAR2] + vfio_wc_slot();
	EXPECT_PAT_COUNT(0, phys, phys + PG, NULL);
	vfio_wc_close(&dev);
}

struct transitions {
	struct vfio_wc_dev dev;
	volatile uint32_t *reg;
	double end;
	/* Odd while a D3hot or reset transition is in progress */
	atomic_uint gen;
	atomic_long stores, sigbus;
	atomic_int errors;
	char error[160];
};

/*
 * Stores a random value to the register and loads it back, in a loop. A
 * SIGBUS or another value is only allowed while a transition was in
 * progress at some point of the access.
 */
static void *reg_writer(void *arg)
{
	struct transitions *t = arg;
	unsigned int rnd = seed ^ 0xa5a5;
	uint32_t val, back;
	unsigned int gen;
	bool ok;

	while (now() < t->end) {
		val = rand_r(&rnd);
		gen = atomic_load(&t->gen);
		ok = store_load32(t->reg, val, &back);
		if (gen & 1 || gen != atomic_load(&t->gen)) {
			if (!ok)
				atomic_fetch_add(&t->sigbus, 1);
			continue;
		}
		if ((!ok || back != val) && !atomic_fetch_add(&t->errors, 1))
			snprintf(t->error, sizeof(t->error),
				 ok ? "read 0x%08x after storing 0x%08x with no transition" :
				 "SIGBUS with no transition (0x%08x 0x%08x)",
				 back, val);
		atomic_fetch_add(&t->stores, 1);
	}
	return NULL;
}

/*
 * Between transitions, until the writer has checked a store with the
 * device in D0 (or the time is up): every round proves the device works
 */
static void wait_for_store(struct transitions *t)
{
	long before = atomic_load(&t->stores);

	while (atomic_load(&t->stores) == before && now() < t->end)
		usleep(100);
}

static int write16(struct transitions *t, unsigned int off, uint16_t val)
{
	return vfio_wc_config_write(&t->dev, off, &val, 2);
}

/* e1000e's receive address low 0, a plain read/write register */
#define E1000_RAL0	0x5400

/*
 * D3hot and back, and function level resets where the device has them,
 * through config space, while a thread stores to and loads from a BAR0
 * dma-buf mapping of the device (uncached: its BAR is not prefetchable).
 */
TEST_F_TIMEOUT(lifecycle, d3_and_flr_while_mapped, 600)
{
	const char *bdf = vfio_wc_env_bdf("VFIO_WC_NONPREF_BDF");
	long d3 = 0, flr = 0;
	unsigned int pm, exp;
	struct transitions *t;
	uint32_t devcap = 0, back;
	uint16_t pmctrl, devctl;
	pthread_t thread;
	uint8_t *map;
	int fd;

	if (!bdf)
		SKIP(return, "no second device (VFIO_WC_NONPREF_BDF)");
	t = calloc(1, sizeof(*t));
	ASSERT_TRUE(!!t);
	ASSERT_EQ(0, vfio_wc_open(&t->dev, bdf));
	pm = vfio_wc_find_cap(&t->dev, PCI_CAP_ID_PM);
	exp = vfio_wc_find_cap(&t->dev, PCI_CAP_ID_EXP);
	if (!pm) {
		vfio_wc_close(&t->dev);
		SKIP(return, "%s has no PM capability", bdf);
	}
	if (exp)
		ASSERT_EQ(0, vfio_wc_config_read(&t->dev, exp + PCI_EXP_DEVCAP,
						 &devcap, 4));
	if (!(devcap & PCI_EXP_DEVCAP_FLR))
		TH_LOG("%s has no function level reset: D3hot only", bdf);
	ASSERT_EQ(0, vfio_wc_config_read(&t->dev, pm + PCI_PM_CTRL, &pmctrl, 2));
	fd = vfio_wc_export_one(&t->dev, 0, E1000_RAL0 & ~(PG - 1), PG);
	ASSERT_LE(0, fd);
	map = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	t->reg = (volatile uint32_t *)(map + (E1000_RAL0 & (PG - 1)));

	t->end = now() + seconds;
	ASSERT_EQ(0, pthread_create(&thread, NULL, reg_writer, t));
	while (now() < t->end) {
		atomic_fetch_add(&t->gen, 1);
		ASSERT_EQ(0, write16(t, pm + PCI_PM_CTRL,
				     pmctrl | PCI_PM_CTRL_STATE_MASK));
		usleep(1000);
		ASSERT_EQ(0, write16(t, pm + PCI_PM_CTRL,
				     pmctrl & ~PCI_PM_CTRL_STATE_MASK));
		atomic_fetch_add(&t->gen, 1);
		d3++;
		if (devcap & PCI_EXP_DEVCAP_FLR) {
			ASSERT_EQ(0, vfio_wc_config_read(&t->dev,
							 exp + PCI_EXP_DEVCTL,
							 &devctl, 2));
			atomic_fetch_add(&t->gen, 1);
			ASSERT_EQ(0, write16(t, exp + PCI_EXP_DEVCTL,
					     devctl | PCI_EXP_DEVCTL_BCR_FLR));
			atomic_fetch_add(&t->gen, 1);
			flr++;
		}
		wait_for_store(t);
	}
	pthread_join(thread, NULL);
	TH_LOG("seed %u, %u s: %ld D3hot round trips, %ld FLRs", seed, seconds,
	       d3, flr);
	TH_LOG("%ld checked store/load pairs, %ld SIGBUS during transitions",
	       atomic_load(&t->stores), atomic_load(&t->sigbus));
	EXPECT_EQ(0, atomic_load(&t->errors)) TH_LOG("%s", t->error);
	EXPECT_LT(0, atomic_load(&t->stores));
	/* The device is back: the register holds what is stored now */
	EXPECT_TRUE(store_load32(t->reg, 0x12345678, &back));
	EXPECT_EQ(0x12345678U, back);
	munmap(map, PG);
	close(fd);
	vfio_wc_close(&t->dev);
	free(t);
}

/*
 * Modern virtio as QEMU lays it out: the common configuration at offset 0
 * of BAR4 (64-bit prefetchable), whose first register,
 * device_feature_select, reads back what was stored.
 */
#define VIRTIO_COMMON_BAR	4

/* Touch @map: the page faults back, write-combined */
static void expect_wc_again(struct __test_metadata *_metadata, uint8_t *map)
{
	char attr[16];

	ASSERT_EQ(0, vfio_wc_pte_attr(map, attr, sizeof(attr)));
	EXPECT_STREQ(VFIO_WC_ATTR_WC, attr);
}

/* Stores and loads through @reg while @reset runs until the time is up */
static long resets_while_mapped(struct __test_metadata *_metadata,
				struct transitions *t,
				int (*reset)(struct transitions *t))
{
	pthread_t thread;
	long n = 0;

	t->end = now() + seconds;
	if (pthread_create(&thread, NULL, reg_writer, t))
		return -1;
	while (now() < t->end) {
		atomic_fetch_add(&t->gen, 1);
		EXPECT_EQ(0, reset(t));
		atomic_fetch_add(&t->gen, 1);
		n++;
		wait_for_store(t);
	}
	pthread_join(thread, NULL);
	TH_LOG("seed %u, %u s: %ld resets, %ld checked store/load pairs, %ld SIGBUS during resets",
	       seed, seconds, n, atomic_load(&t->stores),
	       atomic_load(&t->sigbus));
	EXPECT_EQ(0, atomic_load(&t->errors)) TH_LOG("%s", t->error);
	EXPECT_LT(0, atomic_load(&t->stores));
	return n;
}

static unsigned int flr_exp;

static int flr_once(struct transitions *t)
{
	uint16_t devctl;
	int ret;

	ret = vfio_wc_config_read(&t->dev, flr_exp + PCI_EXP_DEVCTL, &devctl, 2);
	return ret ? ret : write16(t, flr_exp + PCI_EXP_DEVCTL,
				   devctl | PCI_EXP_DEVCTL_BCR_FLR);
}

/*
 * FLR through PCIe device control (the VFIO config region) while a thread
 * stores to and loads from a WC dma-buf mapping of the function's
 * prefetchable BAR: the reset zaps the mapping, which faults back WC.
 */
TEST_F_TIMEOUT(lifecycle, flr_while_wc_mapped, 600)
{
	const char *bdf = vfio_wc_env_bdf("VFIO_WC_FLR_BDF");
	struct transitions *t;
	uint32_t devcap = 0, back;
	uint8_t *map;
	int fd;

	if (!bdf)
		SKIP(return, "no function with FLR (VFIO_WC_FLR_BDF): x86_64 machine only");
	t = calloc(1, sizeof(*t));
	ASSERT_TRUE(!!t);
	ASSERT_EQ(0, vfio_wc_open(&t->dev, bdf));
	flr_exp = vfio_wc_find_cap(&t->dev, PCI_CAP_ID_EXP);
	if (flr_exp)
		ASSERT_EQ(0, vfio_wc_config_read(&t->dev, flr_exp + PCI_EXP_DEVCAP,
						 &devcap, 4));
	ASSERT_TRUE(!!(devcap & PCI_EXP_DEVCAP_FLR))
		TH_LOG("%s has no function level reset (devcap 0x%x)", bdf, devcap);
	ASSERT_LE(PG, t->dev.bar_size[VIRTIO_COMMON_BAR]);
	fd = vfio_wc_export_one(&t->dev, VIRTIO_COMMON_BAR, 0, PG);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vfio_wc_set_memattr(&t->dev, fd, WC));
	map = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	t->reg = (volatile uint32_t *)map;

	EXPECT_LT(0, resets_while_mapped(_metadata, t, flr_once));
	/* One more, with the page present before: the FLR zaps it */
	ASSERT_TRUE(store_load32(t->reg, 1, &back));
	ASSERT_EQ(0, ptecheck_probe(map));
	ASSERT_EQ(0, flr_once(t));
	EXPECT_EQ(-ENOENT, ptecheck_probe(map))
		TH_LOG("the WC mapping survived the FLR");
	EXPECT_TRUE(store_load32(t->reg, 0x12345678, &back));
	EXPECT_EQ(0x12345678U, back);
	expect_wc_again(_metadata, map);
	munmap(map, PG);
	close(fd);
	vfio_wc_close(&t->dev);
	free(t);
}

static int other_fn_fd;

/* VFIO_DEVICE_PCI_HOT_RESET through the other function's device fd */
static int hot_reset_other(struct transitions *t)
{
	union {
		struct vfio_pci_hot_reset hdr;
		uint8_t buf[sizeof(struct vfio_pci_hot_reset) + sizeof(int32_t)];
	} reset = { .hdr = { .argsz = sizeof(reset), .count = 1 } };

	reset.hdr.group_fds[0] = t->dev.group;
	return ioctl(other_fn_fd, VFIO_DEVICE_PCI_HOT_RESET, &reset) ? -errno : 0;
}

/* Whether @bdf is one of the devices a hot reset through @fd resets */
static bool in_reset_set(int fd, const char *bdf)
{
	union {
		struct vfio_pci_hot_reset_info hdr;
		uint8_t buf[sizeof(struct vfio_pci_hot_reset_info) +
			    8 * sizeof(struct vfio_pci_dependent_device)];
	} info = { .hdr = { .argsz = sizeof(info) } };
	unsigned int seg, bus, dev, fn, i;
	struct vfio_pci_dependent_device *d;

	if (sscanf(bdf, "%x:%x:%x.%x", &seg, &bus, &dev, &fn) != 4 ||
	    ioctl(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info))
		return false;
	for (i = 0; i < info.hdr.count && i < 8; i++) {
		d = &info.hdr.devices[i];
		if (d->segment == seg && d->bus == bus &&
		    d->devfn == ((dev << 3) | fn))
			return true;
	}
	return false;
}

/*
 * A hot reset through another function of the reset set (same IOMMU
 * group, opened through the same group fd) while a thread stores to and
 * loads from a WC dma-buf mapping of this function's BAR2: each reset
 * zaps the mapping, and stores after it reach the device.
 */
TEST_F_TIMEOUT(lifecycle, hot_reset_through_other_function, 600)
{
	const char *other = vfio_wc_env_bdf("VFIO_WC_FLR_BDF");
	const char *bdf = vfio_wc_env_bdf("VFIO_WC_SIBLING_BDF");
	size_t len = strlen(pattern);
	char back_pat[sizeof(pattern)];
	struct transitions *t;
	uint64_t off;
	uint32_t back;
	uint8_t *map;
	unsigned int i;
	int fd;

	if (!other || !bdf)
		SKIP(return, "no two functions in one reset set (%s, %s): x86_64 machine only",
		     "VFIO_WC_FLR_BDF", "VFIO_WC_SIBLING_BDF");
	t = calloc(1, sizeof(*t));
	ASSERT_TRUE(!!t);
	ASSERT_EQ(0, vfio_wc_open(&t->dev, bdf));
	other_fn_fd = ioctl(t->dev.group, VFIO_GROUP_GET_DEVICE_FD, other);
	ASSERT_LE(0, other_fn_fd)
		TH_LOG("%s is not in the IOMMU group of %s: %s", other, bdf,
		       strerror(errno));
	ASSERT_TRUE(in_reset_set(other_fn_fd, bdf))
		TH_LOG("a hot reset through %s does not reset %s", other, bdf);
	/* Away from the offsets the large BAR test checks on the host */
	off = vfio_wc_slot() + (t->dev.bar_size[BAR2] >= (2ULL << 30) ? 1ULL << 30 : 0);
	ASSERT_LE(off + PG, t->dev.bar_size[BAR2]);
	fd = vfio_wc_export_one(&t->dev, BAR2, off, PG);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vfio_wc_set_memattr(&t->dev, fd, WC));
	map = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	t->reg = (volatile uint32_t *)(map + 256);

	EXPECT_LT(0, resets_while_mapped(_metadata, t, hot_reset_other));
	/* One more, with the page present before: the reset zaps it */
	ASSERT_TRUE(store_load32(t->reg, 1, &back));
	ASSERT_EQ(0, ptecheck_probe(map));
	ASSERT_EQ(0, hot_reset_other(t));
	EXPECT_EQ(-ENOENT, ptecheck_probe(map))
		TH_LOG("the WC mapping survived a hot reset through %s", other);
	/* Stored through WC after the reset: read back through the device */
	for (i = 0; i < len; i++)
		map[PATTERN_OFF + i] = pattern[i];
	__sync_synchronize();
	expect_wc_again(_metadata, map);
	ASSERT_EQ((ssize_t)len, pread(t->dev.fd, back_pat, len,
				      t->dev.bar_offset[BAR2] + off + PATTERN_OFF));
	EXPECT_EQ(0, memcmp(back_pat, pattern, len));
	munmap(map, PG);
	close(fd);
	close(other_fn_fd);
	vfio_wc_close(&t->dev);
	free(t);
}

struct rewritten_value {
	volatile uint16_t cmd;
	atomic_int stop;
};

/* Flips the memory enable bit of the buffer another thread writes from */
static void *flip_decode(void *arg)
{
	struct rewritten_value *v = arg;

	while (!atomic_load(&v->stop))
		v->cmd ^= PCI_COMMAND_MEMORY;
	return NULL;
}

/*
 * A command register write whose buffer another thread keeps rewriting
 * (the memory enable bit flips): the driver decides whether to zap from
 * one copy of the value, the core applies another, so they must be the
 * same bytes. Whenever the write left decode off, the mapping populated
 * just before must be gone; writes that left decode on must have kept it
 * (at least once: the no-op path is used).
 */
TEST_F_TIMEOUT(lifecycle, command_value_rewritten, 600)
{
	long writes = 0, off_kept = 0, on_kept = 0, on_zapped = 0, errors = 0;
	struct rewritten_value v = { 0 };
	volatile uint32_t *word;
	struct vfio_wc_dev dev;
	uint16_t cmd, now_cmd;
	pthread_t flipper;
	uint32_t back;
	uint8_t *map;
	double end;
	int fd, probe;

	ASSERT_EQ(0, vfio_wc_open(&dev, device_bdf));
	fd = vfio_wc_export_one(&dev, BAR2, vfio_wc_slot(), PG);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vfio_wc_set_memattr(&dev, fd, WC));
	map = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_TRUE(map != MAP_FAILED);
	word = (volatile uint32_t *)(map + 512);
	ASSERT_EQ(0, vfio_wc_config_read(&dev, PCI_COMMAND, &cmd, 2));
	ASSERT_TRUE(cmd & PCI_COMMAND_MEMORY);
	v.cmd = cmd;

	end = now() + seconds;
	ASSERT_EQ(0, pthread_create(&flipper, NULL, flip_decode, &v));
	while (now() < end) {
		/* Decode is on: this faults the page in */
		if (!store_load32(word, writes, &back))
			errors++;
		if (vfio_wc_config_write(&dev, PCI_COMMAND, (const void *)&v.cmd, 2))
			errors++;
		probe = ptecheck_probe(map);
		if (vfio_wc_config_read(&dev, PCI_COMMAND, &now_cmd, 2))
			errors++;
		if (!(now_cmd & PCI_COMMAND_MEMORY)) {
			if (probe != -ENOENT)
				off_kept++;
			if (vfio_wc_config_write(&dev, PCI_COMMAND, &cmd, 2))
				errors++;
		} else if (probe) {
			on_zapped++;
		} else {
			on_kept++;
		}
		writes++;
	}
	atomic_store(&v.stop, 1);
	pthread_join(flipper, NULL);
	TH_LOG("%ld writes: decode left on %ld times with the mapping kept, %ld zapped",
	       writes, on_kept, on_zapped);
	TH_LOG("decode turned off %ld times, %ld of them with the mapping present",
	       writes - on_kept - on_zapped, off_kept);
	EXPECT_EQ(0, errors) TH_LOG("SIGBUS with decode on, or a config access failed");
	EXPECT_EQ(0, off_kept);
	EXPECT_LT(0, on_kept);
	EXPECT_LT(0, writes - on_kept - on_zapped);
	munmap(map, PG);
	close(fd);
	vfio_wc_close(&dev);
}

int main(int argc, char *argv[])
{
	const char *s;

	device_bdf = vfio_wc_get_bdf(&argc, argv);
	seed = vfio_wc_env_seed();
	seconds = vfio_wc_env_num("VFIO_WC_SECONDS", 3);
	s = getenv("VFIO_WC_PATTERN");
	snprintf(pattern, sizeof(pattern), "%s", s ? s : "vfio-pci-wc-lifecycle");
	catch_sigbus();
	fprintf(stderr, "# seed %u (VFIO_WC_SEED=%u replays it), %u s per scenario\n",
		seed, seed, seconds);
	return test_harness_run(argc, argv);
}
