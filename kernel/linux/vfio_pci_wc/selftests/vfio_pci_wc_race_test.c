// SPDX-License-Identifier: GPL-2.0-only
/*
 * Races of the dma-buf life cycle against the paths that zap its
 * mappings, run for a bounded time with seeded random choices. They are
 * meant for a kernel with KASAN and lockdep: a use-after-free or a lock
 * order problem shows there as a report, which fails the guest test. The
 * assertions check what user space sees: every operation succeeds, and
 * accesses fault SIGBUS only while memory decode is off.
 *
 * Environment: VFIO_WC_SLOT (BAR2 offset this test may use, two pages),
 * VFIO_WC_SEED (seed, default from the clock; printed), VFIO_WC_SECONDS
 * (duration of each race, default 5), VFIO_WC_HELD (dma-bufs kept mapped
 * during the races, default 64).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "vfio_pci_wc_util.h"

static const char *device_bdf;

#define BAR2		2
#define PG		VFIO_WC_PAGE
#define WC		VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC
#define NR_CHURN	2

static unsigned int seed;
static unsigned int seconds;
/*
 * Live, mapped dma-bufs during the races: the longer a zap's walk, the
 * likelier a release lands in it
 */
static unsigned int nr_held;

/*
 * SIGBUS recovery of the thread that faulted. volatile: the compiler must
 * neither drop nor move the stores around the (volatile) access.
 */
static __thread sigjmp_buf * volatile fault_jmp;

static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
	char msg[96];
	int n;

	(void)ctx;
	if (fault_jmp)
		siglongjmp(*fault_jmp, 1);
	/* A fault outside read_byte(): say where, then die */
	n = snprintf(msg, sizeof(msg), "# unexpected signal %d at %p (code %d)\n",
		     sig, info->si_addr, info->si_code);
	if (write(2, msg, n) < 0)
		_exit(3);
	_exit(3);
}

/* Read one byte; false when it faulted SIGBUS */
static bool read_byte(const volatile uint8_t *p)
{
	sigjmp_buf jmp;
	bool ok = true;

	if (sigsetjmp(jmp, 1) == 0) {
		fault_jmp = &jmp;
		(void)*p;
	} else {
		ok = false;
	}
	fault_jmp = NULL;
	return ok;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct race {
	struct vfio_wc_dev dev;
	uint64_t slot;
	double end;
	/* Odd while the zapper has memory decode off (or is turning it) */
	atomic_uint decode_gen;
	/* Failures seen by the threads, reported by the test */
	atomic_int errors;
	char error[256];
	atomic_long ops;
};

static void race_error(struct race *r, const char *what, int err)
{
	if (atomic_fetch_add(&r->errors, 1) == 0)
		snprintf(r->error, sizeof(r->error), "%s: %s", what,
			 strerror(err));
}

static uint16_t config_command(struct race *r, bool write, uint16_t val)
{
	off_t off = r->dev.bar_offset[VFIO_PCI_CONFIG_REGION_INDEX] +
		    PCI_COMMAND;
	ssize_t n;

	if (write)
		n = pwrite(r->dev.fd, &val, 2, off);
	else
		n = pread(r->dev.fd, &val, 2, off);
	if (n != 2)
		race_error(r, write ? "COMMAND write" : "COMMAND read", errno);
	return val;
}

/*
 * Zaps every dma-buf mapping of the device as fast as it can: memory
 * decode off and on again through the command register, and writes that
 * change nothing.
 */
static void *zapper(void *arg)
{
	struct race *r = arg;
	unsigned int rnd = seed ^ 0x5a5a;
	uint16_t cmd = config_command(r, false, 0);

	while (now() < r->end) {
		if (rand_r(&rnd) % 4 == 0) {
			config_command(r, true, cmd);
		} else {
			atomic_fetch_add(&r->decode_gen, 1);
			config_command(r, true, cmd & ~PCI_COMMAND_MEMORY);
			config_command(r, true, cmd);
			atomic_fetch_add(&r->decode_gen, 1);
		}
		atomic_fetch_add(&r->ops, 1);
	}
	return NULL;
}

/*
 * Export, map, touch, unmap and close dma-bufs of the slot, in a random
 * order: the last reference goes with close() or with munmap(), while
 * the zapper walks the device's dma-bufs.
 */
static void *churn(void *arg)
{
	struct race *r = arg;
	unsigned int rnd = seed + (unsigned int)(uintptr_t)pthread_self();

	while (now() < r->end) {
		uint64_t off = r->slot + (rand_r(&rnd) % 2) * PG;
		bool close_first = rand_r(&rnd) % 2;
		unsigned int gen;
		uint8_t *map;
		int fd;

		fd = vfio_wc_export_one(&r->dev, BAR2, off, PG);
		if (fd < 0) {
			race_error(r, "export", -fd);
			break;
		}
		map = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			race_error(r, "mmap", errno);
			close(fd);
			break;
		}
		gen = atomic_load(&r->decode_gen);
		if (!read_byte(map) && !(gen & 1) &&
		    gen == atomic_load(&r->decode_gen))
			race_error(r, "SIGBUS with memory decode on", EFAULT);
		if (close_first) {
			close(fd);
			munmap(map, PG);
		} else {
			munmap(map, PG);
			close(fd);
		}
		atomic_fetch_add(&r->ops, 1);
	}
	return NULL;
}

FIXTURE(race) {
	struct race r;
	int *held;
	uint8_t **held_map;
};

FIXTURE_SETUP(race)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO };
	unsigned int i;

	struct rlimit lim;

	ASSERT_EQ(0, sigaction(SIGBUS, &sa, NULL));
	ASSERT_EQ(0, sigaction(SIGSEGV, &sa, NULL));
	/* One fd per held dma-buf */
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &lim));
	lim.rlim_cur = lim.rlim_max;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	ASSERT_LT(nr_held + 64, lim.rlim_cur);
	self->held = calloc(nr_held, sizeof(*self->held));
	self->held_map = calloc(nr_held, sizeof(*self->held_map));
	ASSERT_TRUE(self->held && self->held_map);
	memset(&self->r, 0, sizeof(self->r));
	ASSERT_EQ(0, vfio_wc_open(&self->r.dev, device_bdf));
	self->r.slot = vfio_wc_slot();
	/* Many live, mapped dma-bufs: every zap walks and unmaps them all */
	for (i = 0; i < nr_held; i++) {
		self->held[i] = vfio_wc_export_one(&self->r.dev, BAR2,
						   self->r.slot + (i % 2) * PG,
						   PG);
		ASSERT_LE(0, self->held[i]);
		self->held_map[i] = mmap(NULL, PG, PROT_READ, MAP_SHARED,
					 self->held[i], 0);
		ASSERT_TRUE(self->held_map[i] != MAP_FAILED);
	}
	TH_LOG("seed %u, %u s per race, %u dma-bufs held (VFIO_WC_SEED=%u replays it)",
	       seed, seconds, nr_held, seed);
}

FIXTURE_TEARDOWN(race)
{
	unsigned int i;

	for (i = 0; i < nr_held && self->held_map; i++) {
		if (self->held_map[i] && self->held_map[i] != MAP_FAILED)
			munmap(self->held_map[i], PG);
		if (self->held[i] > 0)
			close(self->held[i]);
	}
	free(self->held);
	free(self->held_map);
	vfio_wc_close(&self->r.dev);
}

/* Keeps the held mappings populated, so that every zap has work to do */
static void *toucher(void *arg)
{
	struct _test_data_race *self = arg;
	struct race *r = &self->r;
	unsigned int i;

	while (now() < r->end) {
		for (i = 0; i < nr_held; i++)
			read_byte(self->held_map[i]);
		atomic_fetch_add(&r->ops, 1);
	}
	return NULL;
}

static void report(struct __test_metadata *_metadata, struct race *r)
{
	TH_LOG("%ld operations", atomic_load(&r->ops));
	if (atomic_load(&r->errors))
		TH_LOG("seed %u: %d errors, first: %s", seed,
		       atomic_load(&r->errors), r->error);
	ASSERT_EQ(0, atomic_load(&r->errors));
}

/*
 * The last close (or munmap) of a dma-buf against the zap of every
 * dma-buf of the device: a dma-buf being released must not be zapped
 * (its file's mapping is already gone).
 */
TEST_F_TIMEOUT(race, zap_vs_release, 600)
{
	pthread_t z, t, c[NR_CHURN];
	unsigned int i;

	self->r.end = now() + seconds;
	ASSERT_EQ(0, pthread_create(&z, NULL, zapper, &self->r));
	ASSERT_EQ(0, pthread_create(&t, NULL, toucher, self));
	for (i = 0; i < NR_CHURN; i++)
		ASSERT_EQ(0, pthread_create(&c[i], NULL, churn, &self->r));
	for (i = 0; i < NR_CHURN; i++)
		pthread_join(c[i], NULL);
	pthread_join(t, NULL);
	pthread_join(z, NULL);
	report(_metadata, &self->r);
}

/*
 * Resets through the sysfs file and config writes that keep memory
 * decode on: the paths on which the core holds no memory_lock, so that
 * faults meet the module's own blocking.
 */
static void *resetter(void *arg)
{
	struct race *r = arg;
	uint16_t cmd = config_command(r, false, 0);
	int ret;

	while (now() < r->end) {
		if (atomic_load(&r->ops) % 2) {
			config_command(r, true, cmd);
		} else {
			ret = vfio_wc_sysfs_reset(r->dev.bdf);
			if (ret && ret != -EAGAIN)
				race_error(r, "sysfs reset", -ret);
		}
		atomic_fetch_add(&r->ops, 1);
	}
	return NULL;
}

struct kernel_reader {
	struct race *r;
	const uint8_t *map;
	int file;
};

/* write(2) from the mapping: the kernel reads it with copy_from_user() */
static void *kernel_read(void *arg)
{
	struct kernel_reader *k = arg;
	ssize_t n;

	while (now() < k->r->end) {
		n = pwrite(k->file, k->map, PG, 0);
		if (n != (ssize_t)PG) {
			race_error(k->r, "write(2) from a dma-buf mapping during resets",
				   n < 0 ? errno : EIO);
			break;
		}
		atomic_fetch_add(&k->r->ops, 1);
	}
	return NULL;
}

/*
 * Resets against a kernel-mode access of a dma-buf mapping (write(2)
 * from it): the access waits for the reset to end, as it would on a
 * vfio-pci mapping, instead of failing with EFAULT.
 */
TEST_F_TIMEOUT(race, reset_vs_kernel_read, 600)
{
	char path[] = "/tmp/vfio_wc_race.XXXXXX";
	struct kernel_reader k = { .r = &self->r, .map = self->held_map[0] };
	pthread_t reset, reader;

	k.file = mkstemp(path);
	ASSERT_LE(0, k.file);
	unlink(path);
	self->r.end = now() + seconds;
	ASSERT_EQ(0, pthread_create(&reset, NULL, resetter, &self->r));
	ASSERT_EQ(0, pthread_create(&reader, NULL, kernel_read, &k));
	pthread_join(reader, NULL);
	pthread_join(reset, NULL);
	close(k.file);
	report(_metadata, &self->r);
}

struct reset_window {
	struct race *r;
	atomic_int in_reset;
	double duration;
};

static void *one_reset(void *arg)
{
	struct reset_window *w = arg;
	double t0 = now();

	atomic_store(&w->in_reset, 1);
	if (ioctl(w->r->dev.fd, VFIO_DEVICE_RESET))
		race_error(w->r, "VFIO_DEVICE_RESET", errno);
	atomic_store(&w->in_reset, 0);
	w->duration = now() - t0;
	return NULL;
}

struct waiting_fault {
	struct _test_data_race *self;
	atomic_int done;
};

/* A fault on the device in reset: it waits until the reset is over */
static void *fault_in_reset(void *arg)
{
	struct waiting_fault *wf = arg;

	read_byte(wf->self->held_map[0]);
	atomic_store(&wf->done, 1);
	return NULL;
}

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = s, .tv_nsec = (s - (long)s) * 1e9 };

	nanosleep(&ts, NULL);
}

/*
 * One device in reset, with a fault of its dma-buf mapping waiting for
 * the reset to end, must not hold up the revoke of another device's
 * dma-buf (a fault used to sleep inside the module-wide SRCU read side,
 * which revoke waits for: the revoke then always returned after the
 * fault). Rounds where the fault was over before the revoke started
 * prove nothing and are not counted.
 */
TEST_F_TIMEOUT(race, reset_does_not_stall_other_device, 600)
{
	const char *other_bdf = vfio_wc_env_bdf("VFIO_WC_OTHER_BDF");
	struct reset_window w = { .r = &self->r };
	struct waiting_fault wf = { .self = self };
	unsigned int i, valid = 0, no_stall = 0, rounds = 16;
	struct vfio_wc_dev other;
	pthread_t reset, fault;
	double t0, revoke_s, tail_s;
	int fd;

	if (!other_bdf)
		SKIP(return, "no second device (VFIO_WC_OTHER_BDF)");
	ASSERT_EQ(0, vfio_wc_open(&other, other_bdf));
	/* How long a reset of this device takes alone */
	one_reset(&w);
	tail_s = w.duration / 4 > 0.001 ? w.duration / 4 : 0.001;
	TH_LOG("a reset takes %.3f s", w.duration);
	for (i = 0; i < rounds; i++) {
		fd = vfio_wc_export_one(&other, 4, 0, PG);
		ASSERT_LE(0, fd);
		atomic_store(&wf.done, 0);
		ASSERT_EQ(0, pthread_create(&reset, NULL, one_reset, &w));
		while (!atomic_load(&w.in_reset))
			sched_yield();
		ASSERT_EQ(0, pthread_create(&fault, NULL, fault_in_reset, &wf));
		sleep_s(w.duration / 4);
		if (!atomic_load(&wf.done)) {
			valid++;
			t0 = now();
			EXPECT_EQ(0, vfio_wc_revoke(&other, fd));
			revoke_s = now() - t0;
			/*
			 * Past the tail of a fault that ended with the
			 * revoke, but well before the reset ends: a quarter
			 * of the reset, not a fixed time, since a reset of
			 * 10 ms leaves no room for a fixed 5 ms.
			 */
			sleep_s(tail_s);
			if (!atomic_load(&wf.done))
				no_stall++;
			TH_LOG("round %u: revoke on the other device took %.3f s, the fault %s",
			       i, revoke_s, atomic_load(&wf.done) ?
			       "was over" : "was still waiting");
		}
		pthread_join(reset, NULL);
		pthread_join(fault, NULL);
		close(fd);
	}
	vfio_wc_close(&other);
	ASSERT_LT(0U, valid) TH_LOG("no fault was waiting when the revoke started");
	EXPECT_LT(0U, no_stall)
		TH_LOG("the revoke waited for the other device's fault in all %u rounds",
		       valid);
	report(_metadata, &self->r);
}

int main(int argc, char *argv[])
{
	device_bdf = vfio_wc_get_bdf(&argc, argv);
	seed = vfio_wc_env_seed();
	seconds = vfio_wc_env_num("VFIO_WC_SECONDS", 5);
	nr_held = vfio_wc_env_num("VFIO_WC_HELD", 64);
	return test_harness_run(argc, argv);
}
