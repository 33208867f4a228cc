/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

/*
 * Write-combining benchmark: the store pattern of a PMD that pushes
 * 64-byte descriptors into a BAR and rings a doorbell, measured side by
 * side on a write-combined range and on an uncached range of the same
 * device, plus the rate of doorbell writes alone. The device is probed by
 * a test driver that asks for its write-combined range the way a PMD
 * does: a wc_ranges callback and RTE_PCI_DRV_NEED_MAPPING.
 *
 * It writes to the device: run it only on a device, and ranges, whose
 * content may be overwritten (a scratch area, an unused LLQ or a memory
 * BAR such as ivshmem's). Everything is given in the environment:
 *
 *   DPDK_TEST_PCI_WC_DEV       PCI address; the device must be bound to
 *                              a vfio-pci driver (and not be probed by
 *                              another driver: give it with -a alone)
 *   DPDK_TEST_PCI_WC_RING      BAR:offset:length of the range mapped
 *                              write-combining (page aligned)
 *   DPDK_TEST_PCI_WC_UC_RING   BAR:offset:length of the uncached range
 *                              (page aligned, not overlapping the first)
 *   DPDK_TEST_PCI_WC_DOORBELL  BAR:offset of a 32-bit register that takes
 *                              any value (uncached)
 *   DPDK_TEST_PCI_WC_TIME_MS   time per measurement and side, split
 *                              into interleaved rounds (default 500)
 *   DPDK_TEST_PCI_WC_TAG       optional text stored in the first
 *                              descriptor of both ranges at the end, to
 *                              check from outside that the bytes arrived
 *   DPDK_TEST_PCI_WC_LABEL     optional line printed above the results
 */

#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <rte_bus_pci_wc.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_eal_paging.h>
#include <rte_io.h>
#include <rte_memcpy.h>

#include "eal_filesystem.h"
#include "test.h"

#define ENV_PREFIX "DPDK_TEST_PCI_WC_"
#define DESC_SIZE 64
#define BURST 32
#define CHUNK 256 /* pushes between two clock reads */
#define DEFAULT_TIME_MS 500
#define ROUNDS 8 /* interleaved rounds per measurement */

/* A transmit descriptor as a PMD writes it into device memory. */
struct wc_perf_desc {
	uint64_t seq;
	uint64_t buf_addr;
	uint32_t len;
	uint32_t flags;
	uint8_t data[40];
} __rte_aligned(DESC_SIZE);

/* Where the benchmark writes: a range of descriptor slots, a doorbell. */
struct wc_perf_ring {
	const char *name;
	struct rte_pci_wc_range range;
	uint8_t *base;
	uint32_t nb_slots;
};

struct wc_perf_conf {
	const char *name;
	struct rte_pci_device *dev;
	struct wc_perf_ring wc;
	struct wc_perf_ring uc;
	uint8_t db_bar;
	uint64_t db_offset;
	volatile uint32_t *doorbell;
	uint64_t budget; /* TSC cycles per measurement */
};

/* One measurement: operations done, TSC cycles spent. */
struct wc_perf_result {
	uint64_t ops;
	uint64_t cycles;
};

/*
 * The datapath store sequence: copy one descriptor to its slot with
 * full-width stores. Not inlined, so that its code can be inspected
 * (objdump --disassemble=wc_perf_push_desc dpdk-test).
 */
static __rte_noinline void
wc_perf_push_desc(void *slot, const struct wc_perf_desc *desc)
{
	rte_memcpy(slot, desc, DESC_SIZE);
}

static int
parse_u64(const char *s, uint64_t *v, char **end)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, end, 0);
	return errno == 0 ? 0 : -1;
}

/* "BAR:offset" or, with len != NULL, "BAR:offset:length". */
static int
parse_location(const char *var, uint8_t *bar, uint64_t *offset,
		uint64_t *len)
{
	const char *s = getenv(var);
	char *end;
	uint64_t v;

	if (s == NULL) {
		printf("%s is not set\n", var);
		return -1;
	}
	if (parse_u64(s, &v, &end) < 0 || v >= PCI_MAX_RESOURCE || *end != ':')
		goto bad;
	*bar = v;
	if (parse_u64(end + 1, offset, &end) < 0)
		goto bad;
	if (len == NULL)
		return *end == '\0' ? 0 : -1;
	if (*end != ':' || parse_u64(end + 1, len, &end) < 0 ||
			*end != '\0' || *len == 0)
		goto bad;
	return 0;
bad:
	printf("%s=%s: expected %s\n", var, s,
		len == NULL ? "BAR:offset" : "BAR:offset:length");
	return -1;
}

static int
parse_ring(const char *var, const char *name, struct wc_perf_ring *ring)
{
	uint64_t page = rte_mem_page_size();

	memset(ring, 0, sizeof(*ring));
	ring->name = name;
	if (parse_location(var, &ring->range.bar, &ring->range.offset,
			&ring->range.len) < 0)
		return -1;
	if (ring->range.offset % page != 0 || ring->range.len % page != 0) {
		printf("%s: offset and length must be multiples of the page size 0x%" PRIx64 "\n",
			var, page);
		return -1;
	}
	ring->nb_slots = RTE_MIN(ring->range.len / DESC_SIZE,
			(uint64_t)UINT32_MAX);
	return 0;
}

static bool
rings_overlap(const struct rte_pci_wc_range *a,
		const struct rte_pci_wc_range *b)
{
	return a->bar == b->bar && a->offset < b->offset + b->len &&
		b->offset < a->offset + a->len;
}

/* TEST_SKIPPED when no device is configured, -1 on bad configuration. */
static int
read_conf(struct wc_perf_conf *conf)
{
	const char *ms = getenv(ENV_PREFIX "TIME_MS");
	uint64_t time_ms = DEFAULT_TIME_MS;
	char *end;

	memset(conf, 0, sizeof(*conf));
	conf->name = getenv(ENV_PREFIX "DEV");
	if (conf->name == NULL || !rte_eal_has_pci()) {
		printf("No device: set " ENV_PREFIX "DEV to a PCI device bound to vfio-pci-wc (see the PCI write-combining guide); this test writes to it\n");
		return TEST_SKIPPED;
	}
	if (parse_ring(ENV_PREFIX "RING", "wc", &conf->wc) < 0 ||
			parse_ring(ENV_PREFIX "UC_RING", "uc", &conf->uc) < 0 ||
			parse_location(ENV_PREFIX "DOORBELL", &conf->db_bar,
				&conf->db_offset, NULL) < 0)
		return -1;
	if (rings_overlap(&conf->wc.range, &conf->uc.range)) {
		printf("The write-combining and uncached ranges overlap\n");
		return -1;
	}
	if (ms != NULL && (parse_u64(ms, &time_ms, &end) < 0 ||
			*end != '\0' || time_ms == 0 || time_ms > 60000)) {
		printf(ENV_PREFIX "TIME_MS=%s: expected 1 to 60000\n", ms);
		return -1;
	}
	conf->budget = rte_get_tsc_hz() / 1000 * time_ms;
	return 0;
}

/* The test driver: asks for the WC range, keeps the probed device. */
static struct wc_perf_conf *bench_conf;

static int
bench_wc_ranges(const struct rte_pci_device *dev __rte_unused,
		struct rte_pci_wc_range *ranges, unsigned int max_ranges)
{
	if (max_ranges < 1)
		return -E2BIG;
	ranges[0] = bench_conf->wc.range;
	return 1;
}

static int
bench_probe(struct rte_pci_driver *drv __rte_unused,
		struct rte_pci_device *dev)
{
	bench_conf->dev = dev;
	return 0;
}

static int
bench_remove(struct rte_pci_device *dev __rte_unused)
{
	return 0;
}

static struct rte_pci_id bench_ids[] = {
	{ RTE_PCI_DEVICE(0, 0) }, /* the device's, from sysfs */
	{ .vendor_id = 0 },
};

static struct rte_pci_driver bench_drv = {
	.driver = { .name = "pci_wc_perf" },
	.id_table = bench_ids,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING,
	.wc_ranges = bench_wc_ranges,
	.probe = bench_probe,
	.remove = bench_remove,
};

static int
read_id(const char *name, const char *file, uint16_t *id)
{
	char path[PATH_MAX];
	unsigned long v;

	snprintf(path, sizeof(path), "%s/%s/%s", rte_pci_get_sysfs_path(),
		name, file);
	if (eal_parse_sysfs_value(path, &v) < 0 || v > UINT16_MAX)
		return -1;
	*id = v;
	return 0;
}

/* Address of [offset, offset + len) of a mapped BAR, or NULL. */
static void *
bar_addr(const struct rte_pci_device *dev, uint8_t bar, uint64_t offset,
		uint64_t len)
{
	const struct rte_mem_resource *r = &dev->mem_resource[bar];

	if (r->addr == NULL || offset > r->len || len > r->len - offset)
		return NULL;
	return RTE_PTR_ADD(r->addr, offset);
}

static int
check_attr(const struct rte_pci_device *dev, const struct wc_perf_ring *ring,
		enum rte_pci_mem_attr want)
{
	int attr = rte_pci_mem_attr_get(dev, ring->range.bar,
			ring->range.offset);

	printf("%s range: BAR%u 0x%" PRIx64 "+0x%" PRIx64 ", %u slots, effective %s\n",
		ring->name, ring->range.bar, ring->range.offset,
		ring->range.len, ring->nb_slots,
		attr < 0 ? "error" : rte_pci_mem_attr_name(attr));
	if (attr == (int)want || (want == RTE_PCI_MEM_ATTR_WC &&
			attr == RTE_PCI_MEM_ATTR_WC_UNVERIFIED))
		return 0;
	return attr < 0 ? -1 : attr;
}

/* Probe the device with the test driver, check what it got. */
static int
map_device(struct wc_perf_conf *conf)
{
	struct rte_pci_device *dev = NULL;
	int ret;

	if (read_id(conf->name, "vendor", &bench_ids[0].vendor_id) < 0 ||
			read_id(conf->name, "device", &bench_ids[0].device_id) < 0) {
		printf("Device %s not found in %s\n", conf->name,
			rte_pci_get_sysfs_path());
		return TEST_SKIPPED;
	}
	bench_conf = conf;
	rte_pci_register(&bench_drv);
	ret = rte_dev_probe(conf->name);
	if (ret != 0 || conf->dev == NULL) {
		printf("Cannot probe %s with the test driver (bound to a vfio-pci driver?): %s\n",
			conf->name, ret != 0 ? strerror(-ret) : "not probed");
		goto err_unregister;
	}
	dev = conf->dev;
	if (dev->kdrv != RTE_PCI_KDRV_VFIO) {
		printf("Device %s is not bound to a vfio-pci driver\n",
			conf->name);
		ret = TEST_SKIPPED;
		goto err_remove;
	}
	conf->wc.base = bar_addr(dev, conf->wc.range.bar, conf->wc.range.offset,
			conf->wc.range.len);
	conf->uc.base = bar_addr(dev, conf->uc.range.bar, conf->uc.range.offset,
			conf->uc.range.len);
	conf->doorbell = bar_addr(dev, conf->db_bar, conf->db_offset,
			sizeof(uint32_t));
	ret = -1;
	if (conf->wc.base == NULL || conf->uc.base == NULL ||
			conf->doorbell == NULL) {
		printf("A range or the doorbell is outside the mapped BARs\n");
		goto err_remove;
	}
	if (rte_pci_mem_attr_get(dev, conf->db_bar, conf->db_offset) !=
			RTE_PCI_MEM_ATTR_UC) {
		printf("The doorbell BAR%u 0x%" PRIx64 " is not mapped uncached\n",
			conf->db_bar, conf->db_offset);
		goto err_remove;
	}
	if (check_attr(dev, &conf->uc, RTE_PCI_MEM_ATTR_UC) != 0)
		goto err_remove;
	ret = check_attr(dev, &conf->wc, RTE_PCI_MEM_ATTR_WC);
	if (ret > 0) {
		printf("Write-combining is not available for this range (the kernel driver lacks the dma-buf memory attribute, or the BAR is not prefetchable): nothing to compare\n");
		ret = TEST_SKIPPED;
	}
	if (ret != 0)
		goto err_remove;
	return 0;
err_remove:
	rte_dev_remove(&dev->device);
err_unregister:
	rte_pci_unregister(&bench_drv);
	conf->dev = NULL;
	return ret;
}

static int
unmap_device(struct wc_perf_conf *conf)
{
	int ret = rte_dev_remove(&conf->dev->device);

	rte_pci_unregister(&bench_drv);
	if (ret != 0)
		printf("Cannot remove %s: %s\n", conf->name, strerror(-ret));
	return ret;
}

static void
desc_init(struct wc_perf_desc *d, uint64_t seq)
{
	memset(d, 0, sizeof(*d));
	d->seq = seq;
	d->buf_addr = 0x100000 + seq * 2048;
	d->len = 64;
	d->flags = 1;
}

static void
ring_doorbell(const struct wc_perf_conf *conf, uint32_t tail)
{
	rte_write32_relaxed(tail, conf->doorbell);
}

/*
 * Push descriptors in bursts: the descriptors, the write barrier that
 * makes them visible to the device before the doorbell, the doorbell.
 */
static struct wc_perf_result
bench_push(const struct wc_perf_conf *conf, const struct wc_perf_ring *ring,
		unsigned int burst, uint64_t budget)
{
	struct wc_perf_result res = { 0, 0 };
	struct wc_perf_desc desc;
	uint64_t start = rte_rdtsc(), now = start;
	uint32_t slot = 0;
	unsigned int i, j;

	desc_init(&desc, 0);
	while (now - start < budget) {
		for (i = 0; i < CHUNK; i += burst) {
			for (j = 0; j < burst; j++) {
				wc_perf_push_desc(ring->base +
					(size_t)slot * DESC_SIZE, &desc);
				desc.seq++;
				if (++slot == ring->nb_slots)
					slot = 0;
			}
			/* WC stores may still sit in the CPU's buffers */
			rte_wmb();
			ring_doorbell(conf, slot);
		}
		res.ops += i;
		now = rte_rdtsc();
	}
	res.cycles = now - start;
	return res;
}

static struct wc_perf_result
bench_doorbell(const struct wc_perf_conf *conf, uint64_t budget)
{
	struct wc_perf_result res = { 0, 0 };
	uint64_t start = rte_rdtsc(), now = start;
	unsigned int i;

	while (now - start < budget) {
		for (i = 0; i < CHUNK; i++)
			ring_doorbell(conf, i);
		res.ops += CHUNK;
		now = rte_rdtsc();
	}
	res.cycles = now - start;
	return res;
}

static double
rate(struct wc_perf_result r)
{
	return r.cycles == 0 ? 0 :
		(double)r.ops * rte_get_tsc_hz() / r.cycles;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Rates of one kind of operation over the rounds of a measurement. */
struct wc_perf_rates {
	double wc[ROUNDS];
	double uc[ROUNDS];
	double ratio[ROUNDS];
};

/*
 * Push into both rings in turn, round after round, the first one of a
 * round alternating: a change of load on the machine affects both sides
 * alike, and the medians ignore the rounds it disturbed most.
 */
static void
compare_push(const struct wc_perf_conf *conf, unsigned int burst,
		struct wc_perf_rates *r)
{
	uint64_t budget = conf->budget / ROUNDS;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		if (i % 2 == 0) {
			r->wc[i] = rate(bench_push(conf, &conf->wc, burst, budget));
			r->uc[i] = rate(bench_push(conf, &conf->uc, burst, budget));
		} else {
			r->uc[i] = rate(bench_push(conf, &conf->uc, burst, budget));
			r->wc[i] = rate(bench_push(conf, &conf->wc, burst, budget));
		}
		r->ratio[i] = r->uc[i] > 0 ? r->wc[i] / r->uc[i] : 0;
	}
}

static double
cycles_per_op(double ops_per_s)
{
	return ops_per_s > 0 ? rte_get_tsc_hz() / ops_per_s : 0;
}

static void
print_row(const char *what, struct wc_perf_rates *r)
{
	double wc = median(r->wc, ROUNDS), uc = median(r->uc, ROUNDS);
	double ratio = median(r->ratio, ROUNDS);

	/* ratio sorted by median(): first and last are min and max */
	printf("| %-34s | %12.0f | %12.0f | %6.2f | %5.2f-%-5.2f | %9.1f | %9.1f |\n",
		what, wc, uc, ratio, r->ratio[0], r->ratio[ROUNDS - 1],
		cycles_per_op(wc), cycles_per_op(uc));
}

/* Store the tag in the first slot of a ring, for an outside check. */
static void
write_tag(const struct wc_perf_ring *ring, const char *tag)
{
	struct wc_perf_desc desc;

	memset(&desc, 0, sizeof(desc));
	memcpy(&desc, tag, RTE_MIN(strlen(tag), sizeof(desc)));
	wc_perf_push_desc(ring->base, &desc);
	rte_wmb();
}

static int
run_bench(const struct wc_perf_conf *conf)
{
	const char *label = getenv(ENV_PREFIX "LABEL");
	const char *tag = getenv(ENV_PREFIX "TAG");
	static const unsigned int bursts[] = { 1, BURST };
	struct wc_perf_rates r;
	double db[ROUNDS], db_rate;
	char what[64];
	unsigned int i;

	printf("\nWrite-combining benchmark, %s, %" PRIu64 " ms per measurement and side, median of %d interleaved rounds\n",
		conf->dev->name, conf->budget * 1000 / rte_get_tsc_hz(), ROUNDS);
	if (label != NULL)
		printf("*** %s ***\n", label);
	printf("| %-34s | %12s | %12s | %6s | %11s | %9s | %9s |\n",
		"operation", "wc ops/s", "uc ops/s", "wc/uc", "wc/uc range",
		"wc cyc/op", "uc cyc/op");
	for (i = 0; i < RTE_DIM(bursts); i++) {
		compare_push(conf, bursts[i], &r);
		snprintf(what, sizeof(what), "64B desc, burst %u, wmb+doorbell",
			bursts[i]);
		print_row(what, &r);
	}
	for (i = 0; i < ROUNDS; i++)
		db[i] = rate(bench_doorbell(conf, conf->budget / ROUNDS));
	db_rate = median(db, ROUNDS);
	printf("| %-34s | %12s | %12.0f | %6s | %11s | %9s | %9.1f |\n",
		"doorbell write (32-bit, uc)", "-", db_rate, "-", "-", "-",
		cycles_per_op(db_rate));
	if (tag != NULL) {
		write_tag(&conf->wc, tag);
		write_tag(&conf->uc, tag);
		printf("Tag \"%s\" stored at BAR%u 0x%" PRIx64 " and BAR%u 0x%" PRIx64 "\n",
			tag, conf->wc.range.bar, conf->wc.range.offset,
			conf->uc.range.bar, conf->uc.range.offset);
	}
	return TEST_SUCCESS;
}

static int
test_pci_wc_perf(void)
{
	struct wc_perf_conf conf;
	int ret;

	ret = read_conf(&conf);
	if (ret != 0)
		return ret;
	ret = map_device(&conf);
	if (ret != 0)
		return ret;
	ret = run_bench(&conf);
	if (unmap_device(&conf) != 0)
		ret = -1;
	return ret;
}

REGISTER_TEST_COMMAND(pci_wc_perf_autotest, test_pci_wc_perf);
