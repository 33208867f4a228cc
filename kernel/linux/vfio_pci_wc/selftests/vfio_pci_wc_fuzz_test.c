// SPDX-License-Identifier: GPL-2.0-only
/*
 * uAPI fuzzer: random sequences of dma-buf export, memory attribute,
 * revoke, mmap, munmap, page access, close, config writes (memory decode
 * off and on, writes that change nothing), BAR reads and writes and
 * resets, with valid and invalid arguments. Seeded and replayable: the
 * seed is printed, and with every failure. Each operation must succeed
 * or fail with one of the errnos the uAPI documents for it; accesses may
 * fault SIGBUS only when the mapping may be zapped (decode off, revoked);
 * once everything is closed no write-combined reservation is left. On a
 * debug kernel the checkers (KASAN, lockdep, ...) watch the kernel side.
 *
 * Environment: VFIO_WC_SLOT (BAR2 offset of the page this test's BAR
 * reads and writes use), VFIO_WC_SEED (default from the clock), VFIO_WC_FUZZ_OPS
 * (operations, default 100000).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;

#define BAR2		2
#define PG		VFIO_WC_PAGE
#define NR_FDS		32
#define NR_MAPS		32

static unsigned int seed;
static unsigned long nr_ops;

static uint64_t rnd_state;

/* xorshift64*: the same seed gives the same sequence of operations */
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dULL;
}

static unsigned int pick(unsigned int n)
{
	return rnd() % n;
}

struct map {
	uint8_t *addr;
	size_t len;
};

struct fuzz {
	struct vfio_wc_dev dev;
	uint64_t slot;
	uint16_t command;
	int fds[NR_FDS];
	struct map maps[NR_MAPS];
};

static sigjmp_buf fault_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

/* Reads only: the ranges may be anywhere in BAR2, shared with others */
static bool read_byte(const volatile uint8_t *p)
{
	if (sigsetjmp(fault_jmp, 1))
		return false;
	(void)*p;
	return true;
}

/* A BAR offset: mostly pages of BAR2, sometimes odd or out of range */
static uint64_t rnd_offset(struct fuzz *f, uint64_t bar_size)
{
	switch (pick(8)) {
	case 0:
		return rnd();
	case 1:
		return bar_size;
	case 2:
		return pick(PG);
	case 3:
		return f->slot;
	default:
		return (uint64_t)pick(bar_size / PG + 1) * PG;
	}
}

static uint64_t rnd_length(uint64_t bar_size)
{
	switch (pick(8)) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return PG + 1;
	case 3:
		return bar_size;
	default:
		return (uint64_t)(pick(3) + 1) * PG;
	}
}

/* @ret is a success or one of the @n errnos of @allowed; logged if not */
static bool errno_ok(struct __test_metadata *_metadata, unsigned long op,
		     const char *what, int ret, const int *allowed,
		     unsigned int n)
{
	unsigned int i;

	if (ret >= 0)
		return true;
	for (i = 0; i < n; i++)
		if (-ret == allowed[i])
			return true;
	TH_LOG("seed %u op %lu: %s: unexpected %s", seed, op, what,
	       strerror(-ret));
	return false;
}

static const int export_errnos[] = {
	EINVAL, EOVERFLOW, ENODEV, ENOSPC, E2BIG,
};

static const int memattr_errnos[] = {
	EBADF, EINVAL, ENODEV, ENOENT, EBUSY, ENOSPC, EPERM,
};

static const int revoke_errnos[] = { EBADF, EINVAL, ENODEV, EBADFD };

static const int mmap_errnos[] = { EINVAL, ENODEV, EBUSY, EACCES };

static int *free_fd_slot(struct fuzz *f)
{
	unsigned int i;

	for (i = 0; i < NR_FDS; i++)
		if (f->fds[i] < 0)
			return &f->fds[i];
	return NULL;
}

static int rnd_fd(struct fuzz *f)
{
	switch (pick(16)) {
	case 0:
		return -1;
	case 1:
		return f->dev.fd;
	case 2:
		return 100000;
	default:
		return f->fds[pick(NR_FDS)];
	}
}

static bool op_export(struct __test_metadata *_metadata, struct fuzz *f,
		      unsigned long op)
{
	struct vfio_region_dma_range r[4];
	uint32_t bar = pick(4) ? BAR2 : pick(VFIO_PCI_NUM_REGIONS + 2);
	uint64_t size = f->dev.bar_size[BAR2];
	unsigned int i, nr = pick(5);
	int *slot = free_fd_slot(f);
	int ret;

	if (!slot)
		return true;
	for (i = 0; i < nr; i++) {
		r[i].offset = rnd_offset(f, size);
		r[i].length = rnd_length(size);
	}
	ret = vfio_wc_export(&f->dev, bar, r, nr);
	if (ret >= 0)
		*slot = ret;
	return errno_ok(_metadata, op, "export", ret, export_errnos,
			ARRAY_SIZE(export_errnos));
}

static bool op_memattr(struct __test_metadata *_metadata, struct fuzz *f,
		       unsigned long op)
{
	int ret = vfio_wc_set_memattr(&f->dev, rnd_fd(f), pick(3));

	return errno_ok(_metadata, op, "memattr", ret, memattr_errnos,
			ARRAY_SIZE(memattr_errnos));
}

static bool op_revoke(struct __test_metadata *_metadata, struct fuzz *f,
		      unsigned long op)
{
	int ret = vfio_wc_revoke(&f->dev, rnd_fd(f));

	return errno_ok(_metadata, op, "revoke", ret, revoke_errnos,
			ARRAY_SIZE(revoke_errnos));
}

static bool op_mmap(struct __test_metadata *_metadata, struct fuzz *f,
		    unsigned long op)
{
	struct map *m = &f->maps[pick(NR_MAPS)];
	size_t len = (pick(3) + 1) * PG;
	int fd = f->fds[pick(NR_FDS)];
	int flags = pick(8) ? MAP_SHARED : MAP_PRIVATE;
	void *p;

	if (m->addr || fd < 0)
		return true;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, flags, fd,
		 pick(4) ? 0 : PG);
	if (p == MAP_FAILED)
		return errno_ok(_metadata, op, "mmap", -errno, mmap_errnos,
				ARRAY_SIZE(mmap_errnos));
	m->addr = p;
	m->len = len;
	return true;
}

static bool op_munmap(struct fuzz *f)
{
	struct map *m = &f->maps[pick(NR_MAPS)];

	if (m->addr) {
		munmap(m->addr, m->len);
		m->addr = NULL;
	}
	return true;
}

static bool op_access(struct fuzz *f)
{
	struct map *m = &f->maps[pick(NR_MAPS)];

	/* SIGBUS is allowed: revoked, decode off, beyond the ranges */
	if (m->addr)
		read_byte(m->addr + pick(m->len));
	return true;
}

static bool op_close(struct fuzz *f)
{
	int *fd = &f->fds[pick(NR_FDS)];

	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	return true;
}

static bool op_command(struct __test_metadata *_metadata, struct fuzz *f,
		       unsigned long op)
{
	off_t off = f->dev.bar_offset[VFIO_PCI_CONFIG_REGION_INDEX] +
		    PCI_COMMAND;
	uint16_t off_val = f->command & ~PCI_COMMAND_MEMORY;

	if (pick(2) && pwrite(f->dev.fd, &off_val, 2, off) != 2) {
		TH_LOG("seed %u op %lu: COMMAND write: %s", seed, op,
		       strerror(errno));
		return false;
	}
	if (pwrite(f->dev.fd, &f->command, 2, off) != 2) {
		TH_LOG("seed %u op %lu: COMMAND write: %s", seed, op,
		       strerror(errno));
		return false;
	}
	return true;
}

static bool op_bar_rw(struct __test_metadata *_metadata, struct fuzz *f,
		      unsigned long op)
{
	uint8_t buf[64];
	uint64_t off = f->slot + pick(PG - sizeof(buf));
	size_t len = pick(sizeof(buf)) + 1;
	bool write = pick(2);
	ssize_t n;

	off += f->dev.bar_offset[BAR2];
	n = write ? pwrite(f->dev.fd, buf, len, off) :
		    pread(f->dev.fd, buf, len, off);
	if (n != (ssize_t)len) {
		TH_LOG("seed %u op %lu: BAR2 %s of %zu bytes: %zd (%s)", seed,
		       op, write ? "write" : "read", len, n, strerror(errno));
		return false;
	}
	return true;
}

static bool op_reset(struct __test_metadata *_metadata, struct fuzz *f,
		     unsigned long op)
{
	if (ioctl(f->dev.fd, VFIO_DEVICE_RESET) && errno != EAGAIN) {
		TH_LOG("seed %u op %lu: VFIO_DEVICE_RESET: %s", seed, op,
		       strerror(errno));
		return false;
	}
	return true;
}

/* One random operation; false (logged with the seed) on a failure */
static bool fuzz_one(struct __test_metadata *_metadata, struct fuzz *f,
		     unsigned long op)
{
	unsigned int which = pick(1000);

	if (which < 180)
		return op_export(_metadata, f, op);
	if (which < 300)
		return op_memattr(_metadata, f, op);
	if (which < 360)
		return op_revoke(_metadata, f, op);
	if (which < 520)
		return op_mmap(_metadata, f, op);
	if (which < 620)
		return op_munmap(f);
	if (which < 820)
		return op_access(f);
	if (which < 960)
		return op_close(f);
	if (which < 980)
		return op_command(_metadata, f, op);
	if (which < 999)
		return op_bar_rw(_metadata, f, op);
	/* Resets are slow (a bus reset): one in a thousand */
	return op_reset(_metadata, f, op);
}

FIXTURE(fuzz) {
	struct fuzz f;
};

FIXTURE_SETUP(fuzz)
{
	struct sigaction sa = { .sa_handler = on_sigbus };
	unsigned int i;

	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	memset(&self->f, 0, sizeof(self->f));
	for (i = 0; i < NR_FDS; i++)
		self->f.fds[i] = -1;
	ASSERT_EQ(0, vfio_wc_open(&self->f.dev, device_bdf));
	self->f.slot = vfio_wc_slot();
	ASSERT_EQ(2, pread(self->f.dev.fd, &self->f.command, 2,
			   self->f.dev.bar_offset[VFIO_PCI_CONFIG_REGION_INDEX] +
			   PCI_COMMAND));
}

FIXTURE_TEARDOWN(fuzz)
{
	unsigned int i;

	for (i = 0; i < NR_MAPS; i++)
		if (self->f.maps[i].addr)
			munmap(self->f.maps[i].addr, self->f.maps[i].len);
	for (i = 0; i < NR_FDS; i++)
		if (self->f.fds[i] >= 0)
			close(self->f.fds[i]);
	vfio_wc_close(&self->f.dev);
}

TEST_F_TIMEOUT(fuzz, random_ops, 1800)
{
	uint64_t phys = self->f.dev.bar_phys[BAR2];
	uint64_t size = self->f.dev.bar_size[BAR2];
	struct timespec t0, t1;
	unsigned long op;
	unsigned int i;

	rnd_state = seed ? seed : 1;
	TH_LOG("seed %u, %lu operations (VFIO_WC_SEED=%u replays it)", seed,
	       nr_ops, seed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (op = 0; op < nr_ops; op++)
		if (!fuzz_one(_metadata, &self->f, op))
			ASSERT_TRUE(false) TH_LOG("failed with seed %u", seed);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TH_LOG("%lu operations in %.1f s", nr_ops,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);

	/* Everything closed: no write-combined reservation is left */
	for (i = 0; i < NR_MAPS; i++)
		if (self->f.maps[i].addr) {
			munmap(self->f.maps[i].addr, self->f.maps[i].len);
			self->f.maps[i].addr = NULL;
		}
	for (i = 0; i < NR_FDS; i++)
		if (self->f.fds[i] >= 0) {
			close(self->f.fds[i]);
			self->f.fds[i] = -1;
		}
	if (VFIO_WC_HAVE_PAT) {
		EXPECT_EQ(0, vfio_wc_pat_count(phys, phys + size, "write-combining"))
			TH_LOG("seed %u: reservations left after close", seed);
	}
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	seed = vfio_wc_env_seed();
	nr_ops = vfio_wc_env_num("VFIO_WC_FUZZ_OPS", 100000);
	return test_harness_run(argc, argv);
}
