/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bus_pci_driver.h>
#include <rte_bus_pci_wc.h>
#include <rte_common.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_eal_paging.h>
#include <rte_io.h>
#include <rte_string_fns.h>

#include "eal_filesystem.h"
#include "test.h"

/*
 * Real mapping of a VFIO device with write-combined segments. Needs a
 * device bound to vfio-pci or a variant driver, named by environment
 * variables (the guest tests set them); skipped otherwise:
 *
 *   PCI_WC_TEST_BDF      device, e.g. 0000:00:02.0 (ivshmem)
 *   PCI_WC_TEST_ARGS     device arguments (default "wc=[2]")
 *   PCI_WC_TEST_BAR      BAR to write through (default 2)
 *   PCI_WC_TEST_OFFSET   offset in that BAR to write at (page aligned
 *                        in API mode; default 0)
 *   PCI_WC_TEST_PATTERN  string to write there (default generated)
 *   PCI_WC_TEST_EXPECT   effective attribute expected at that offset
 *                        ("wc", "uc", "wc-unverified"), or "refused"
 *                        when probing must fail (default "wc")
 *   PCI_WC_TEST_WC_ACTIVATE  if set, the test driver sets
 *                        RTE_PCI_DRV_WC_ACTIVATE
 *   PCI_WC_TEST_API      if set, the test driver maps the device itself
 *                        (no RTE_PCI_DRV_NEED_MAPPING) after asking with
 *                        rte_pci_wc_request() for one required WC page at
 *                        the offset: the BAR then mixes uncached and
 *                        write-combined segments
 *   PCI_WC_TEST_HOLD_FILE    primary: keep the device mapped until this
 *                        file exists (for a secondary process to attach)
 *   PCI_WC_TEST_EXPECT_ADDR  secondary: address the BAR must be mapped at
 *                        (the primary prints it)
 *
 * In a secondary process the device is attached through the primary
 * (hotplug) and mapped from the primary's record; the checks are the
 * same, and the device stays attached when the test ends.
 *
 * The test probes the device through the bus with a driver that needs
 * mapping, lists every segment, checks the effective attribute, that
 * write-combined segments are dma-buf mappings in /proc/self/maps, writes
 * the pattern through the mapping (the caller checks that it reached the
 * device), compares the page-table entry's memory type with the effective
 * attribute when /sys/kernel/debug/ptecheck exists (a test-only module of
 * the guest tests), and checks that removing the device unmaps every BAR.
 */

#define PATTERN_MAX 128
#define PTECHECK_PATH "/sys/kernel/debug/ptecheck"
#define WORD_END "\n "

/*
 * The memory types ptecheck names for a write-combined and an uncached
 * mapping: x86 PAT types; arm64 MAIR types (Normal non-cacheable, Device).
 */
#if defined(RTE_ARCH_ARM64)
#define PTE_WC "NORMAL_NC"
#define PTE_UC_1 "DEVICE_nGnRnE"
#define PTE_UC_2 "DEVICE_nGnRE"
#else
#define PTE_WC "WC"
#define PTE_UC_1 "UC-"
#define PTE_UC_2 "UC"
#endif

static struct rte_pci_device *map_dev;
static bool api_mode;
static struct rte_pci_wc_range api_range;

/* API mode: what a driver that maps the device itself does. */
static int
map_probe(struct rte_pci_driver *drv __rte_unused, struct rte_pci_device *dev)
{
	int ret;

	if (api_mode) {
		ret = rte_pci_wc_request(dev, &api_range, 1);
		if (ret < 0) {
			printf("rte_pci_wc_request: %s\n", strerror(-ret));
			return ret;
		}
		ret = rte_pci_map_device(dev);
		if (ret != 0)
			return ret;
		/* too late now: the device is mapped */
		if (rte_pci_wc_request(dev, &api_range, 1) != -EBUSY) {
			printf("rte_pci_wc_request on a mapped device did not fail with EBUSY\n");
			rte_pci_unmap_device(dev);
			return -EINVAL;
		}
	}
	map_dev = dev;
	return 0;
}

static int
map_remove(struct rte_pci_device *dev)
{
	if (api_mode)
		rte_pci_unmap_device(dev);
	return 0;
}

static struct rte_pci_id map_ids[] = {
	{ RTE_PCI_DEVICE(0, 0) }, /* filled from sysfs */
	{ .vendor_id = 0 },
};

static struct rte_pci_driver map_drv = {
	.driver = { .name = "pci_wc_map_test" },
	.id_table = map_ids,
	.probe = map_probe,
	.remove = map_remove,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING,
};

static const char *
env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : def;
}

static int
read_id(const char *bdf, const char *file, uint16_t *id)
{
	char path[PATH_MAX];
	unsigned long v;

	snprintf(path, sizeof(path), "%s/%s/%s", rte_pci_get_sysfs_path(),
		bdf, file);
	if (eal_parse_sysfs_value(path, &v) < 0 || v > UINT16_MAX)
		return -1;
	*id = v;
	return 0;
}

/* The /proc/self/maps line of the mapping holding addr, or "". */
static void
vma_of(const void *addr, char *line, size_t len)
{
	char buf[512];
	uintptr_t a = (uintptr_t)addr, start, end;
	FILE *f = fopen("/proc/self/maps", "r");

	line[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (sscanf(buf, "%" SCNxPTR "-%" SCNxPTR, &start, &end) == 2 &&
				a >= start && a < end) {
			strlcpy(line, buf, len);
			break;
		}
	}
	fclose(f);
}

/* Whether a line of /proc/self/maps contains text. */
static bool
maps_contain(const char *text)
{
	char buf[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL)
		return false;
	while (!found && fgets(buf, sizeof(buf), f) != NULL)
		if (strstr(buf, text) != NULL) {
			printf("still mapped: %s", buf);
			found = true;
		}
	fclose(f);
	return found;
}

static int
check_segments(unsigned int *nb_wc)
{
	struct rte_pci_mem_segment segs[64];
	char vma[512];
	int i, n;

	n = rte_pci_mem_segments_get(map_dev, segs, RTE_DIM(segs));
	TEST_ASSERT(n > 0 && n <= (int)RTE_DIM(segs), "%d segments", n);
	*nb_wc = 0;
	for (i = 0; i < n; i++) {
		const struct rte_pci_mem_segment *s = &segs[i];

		vma_of(s->addr, vma, sizeof(vma));
		printf("BAR%u 0x%" PRIx64 "-0x%" PRIx64 " at %p requested %s effective %s | %s",
			s->bar, s->offset, s->offset + s->len - 1, s->addr,
			rte_pci_mem_attr_name(s->requested),
			rte_pci_mem_attr_name(s->effective),
			vma[0] != '\0' ? vma : "(no mapping)\n");
		TEST_ASSERT_EQUAL(rte_pci_mem_attr_get(map_dev, s->bar,
			s->offset), (int)s->effective, "query disagrees with list");
		if (s->effective == RTE_PCI_MEM_ATTR_UNMAPPED) {
			TEST_ASSERT(s->addr == NULL, "hole has an address");
			continue;
		}
		TEST_ASSERT(vma[0] != '\0', "segment not in /proc/self/maps");
		if (s->effective == RTE_PCI_MEM_ATTR_UC) {
			TEST_ASSERT(strstr(vma, "dmabuf") == NULL,
				"uncached segment maps a dma-buf");
			continue;
		}
		(*nb_wc)++;
		TEST_ASSERT(strstr(vma, "dmabuf") != NULL,
			"write-combined segment is not a dma-buf mapping");
	}
	return TEST_SUCCESS;
}

static int
write_pattern(unsigned int bar, uint64_t offset, const char *pattern)
{
	char back[PATTERN_MAX];
	volatile char *p;
	size_t i, len = strlen(pattern);

	TEST_ASSERT(map_dev->mem_resource[bar].addr != NULL,
		"BAR%u not mapped", bar);
	TEST_ASSERT(len < PATTERN_MAX && offset + len <=
		map_dev->mem_resource[bar].len, "pattern does not fit");
	p = RTE_PTR_ADD(map_dev->mem_resource[bar].addr, offset);
	for (i = 0; i < len; i++)
		p[i] = pattern[i];
	rte_wmb(); /* drain the write-combining buffers */
	for (i = 0; i < len; i++)
		back[i] = p[i];
	TEST_ASSERT(memcmp(pattern, back, len) == 0,
		"pattern did not read back from BAR%u", bar);
	printf("wrote \"%s\" at BAR%u offset 0x%" PRIx64 "\n", pattern, bar,
		offset);
	return TEST_SUCCESS;
}

/* Memory type of the page-table entry of addr, "" when unavailable. */
static void
pte_attr(const void *addr, char *attr, size_t len)
{
	char req[32], line[512], *v;
	ssize_t n;
	int fd;

	attr[0] = '\0';
	fd = open(PTECHECK_PATH, O_RDWR);
	if (fd < 0)
		return;
	snprintf(req, sizeof(req), "0x%" PRIxPTR, (uintptr_t)addr);
	if (write(fd, req, strlen(req)) > 0) {
		n = read(fd, line, sizeof(line) - 1);
		if (n > 0) {
			line[n] = '\0';
			printf("ptecheck: %s", line);
			v = strstr(line, " attr=");
			if (v != NULL)
				strlcpy(attr, v + 6, RTE_MIN(len,
					strcspn(v + 6, WORD_END) + 1));
		}
	}
	close(fd);
}

/* The PTE must say what the effective attribute says. */
static int
check_pte(unsigned int bar, uint64_t offset, int attr)
{
	const void *addr = RTE_PTR_ADD(map_dev->mem_resource[bar].addr, offset);
	char pte[16];

	pte_attr(addr, pte, sizeof(pte));
	if (pte[0] == '\0') {
		printf("no page-table check (%s absent)\n", PTECHECK_PATH);
		return TEST_SUCCESS;
	}
	if (attr == RTE_PCI_MEM_ATTR_WC)
		TEST_ASSERT(strcmp(pte, PTE_WC) == 0,
			"effective wc but the PTE is %s", pte);
	else if (attr == RTE_PCI_MEM_ATTR_UC)
		TEST_ASSERT(strcmp(pte, PTE_UC_1) == 0 ||
			strcmp(pte, PTE_UC_2) == 0,
			"effective uc but the PTE is %s", pte);
	return TEST_SUCCESS;
}

/* API mode: the page after the requested one stays uncached. */
static int
check_api_neighbour(unsigned int bar, uint64_t offset)
{
	uint64_t next = offset + rte_mem_page_size();
	volatile uint8_t *p;
	int attr;

	if (next >= map_dev->mem_resource[bar].len)
		return TEST_SUCCESS;
	attr = rte_pci_mem_attr_get(map_dev, bar, next);
	TEST_ASSERT_EQUAL(attr, RTE_PCI_MEM_ATTR_UC,
		"BAR%u offset 0x%" PRIx64 " next to the WC page is %s", bar, next,
		rte_pci_mem_attr_name(attr));
	p = RTE_PTR_ADD(map_dev->mem_resource[bar].addr, next);
	(void)*p; /* fault the page in for the PTE check */
	return check_pte(bar, next, attr);
}

/* Primary: let a secondary attach to the mapped device first. */
static int
hold_mapping(const char *file)
{
	unsigned int i;

	printf("holding the mapping until %s exists\n", file);
	fflush(stdout);
	for (i = 0; i < 1200; i++) {
		if (access(file, F_OK) == 0)
			return TEST_SUCCESS;
		usleep(100 * 1000);
	}
	printf("%s never appeared\n", file);
	return TEST_FAILED;
}

/* Secondary: same checks as the primary, on the primary's mapping. */
static int
check_secondary(unsigned int bar, uint64_t offset, const char *pattern,
		const char *expect)
{
	const char *exp_addr = getenv("PCI_WC_TEST_EXPECT_ADDR");
	unsigned int nb_wc;
	int attr;

	attr = rte_pci_mem_attr_get(map_dev, bar, offset);
	TEST_ASSERT(strcmp(rte_pci_mem_attr_name(attr), expect) == 0,
		"secondary: BAR%u effective %s, expected %s", bar,
		rte_pci_mem_attr_name(attr), expect);
	if (exp_addr != NULL)
		TEST_ASSERT((uintptr_t)map_dev->mem_resource[bar].addr ==
			(uintptr_t)strtoull(exp_addr, NULL, 0),
			"secondary maps BAR%u at %p, the primary at %s", bar,
			map_dev->mem_resource[bar].addr, exp_addr);
	TEST_ASSERT_SUCCESS(check_segments(&nb_wc), "secondary segments");
	TEST_ASSERT_SUCCESS(write_pattern(bar, offset, pattern),
		"secondary write");
	return check_pte(bar, offset, attr);
}

static int
test_pci_wc_map(void)
{
	const char *bdf = getenv("PCI_WC_TEST_BDF");
	const char *args = env_or("PCI_WC_TEST_ARGS", "wc=[2]");
	const char *expect = env_or("PCI_WC_TEST_EXPECT", "wc");
	const char *pattern = env_or("PCI_WC_TEST_PATTERN",
		"pci_wc_map_autotest-pattern-0123456789abcdef");
	unsigned int bar = atoi(env_or("PCI_WC_TEST_BAR", "2")), nb_wc;
	uint64_t offset = strtoull(env_or("PCI_WC_TEST_OFFSET", "0"), NULL, 0);
	char devstr[256], vma[512];
	void *bar_addrs[PCI_MAX_RESOURCE];
	int ret, attr, i;

	if (bdf == NULL || !rte_eal_has_pci()) {
		printf("no device to map (set PCI_WC_TEST_BDF to a device bound to vfio-pci)\n");
		return TEST_SKIPPED;
	}
	if (read_id(bdf, "vendor", &map_ids[0].vendor_id) < 0 ||
			read_id(bdf, "device", &map_ids[0].device_id) < 0) {
		printf("%s not found in %s\n", bdf, rte_pci_get_sysfs_path());
		return TEST_SKIPPED;
	}
	if (getenv("PCI_WC_TEST_WC_ACTIVATE") != NULL)
		map_drv.drv_flags |= RTE_PCI_DRV_WC_ACTIVATE;
	api_mode = getenv("PCI_WC_TEST_API") != NULL;
	if (api_mode) {
		map_drv.drv_flags &= ~RTE_PCI_DRV_NEED_MAPPING;
		api_range = (struct rte_pci_wc_range){ .bar = bar,
			.offset = offset, .len = rte_mem_page_size(),
			.flags = RTE_PCI_WC_RANGE_F_REQUIRED };
	}
	rte_pci_register(&map_drv);
	snprintf(devstr, sizeof(devstr), "%s,%s", bdf, args);
	printf("probing %s\n", devstr);
	map_dev = NULL;
	ret = rte_dev_probe(devstr);
	if (strcmp(expect, "refused") == 0) {
		rte_pci_unregister(&map_drv);
		TEST_ASSERT(ret != 0 && map_dev == NULL,
			"%s probed, expected a refusal", devstr);
		/* nothing half-mapped: no BAR of any device stays mapped */
		TEST_ASSERT(!maps_contain("vfio-device") &&
			!maps_contain("dmabuf"),
			"a BAR is still mapped after the refusal");
		return TEST_SUCCESS;
	}
	if (ret != 0 || map_dev == NULL) {
		rte_pci_unregister(&map_drv);
		TEST_ASSERT(0, "probe of %s failed: %d", devstr, ret);
	}

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return check_secondary(bar, offset, pattern, expect);

	attr = rte_pci_mem_attr_get(map_dev, bar, offset);
	ret = check_segments(&nb_wc);
	if (ret == TEST_SUCCESS)
		ret = write_pattern(bar, offset, pattern);
	if (ret == TEST_SUCCESS)
		ret = check_pte(bar, offset, attr);
	if (ret == TEST_SUCCESS && api_mode)
		ret = check_api_neighbour(bar, offset);
	for (i = 0; i < PCI_MAX_RESOURCE; i++)
		bar_addrs[i] = map_dev->mem_resource[i].addr;
	if (ret == TEST_SUCCESS && getenv("PCI_WC_TEST_HOLD_FILE") != NULL)
		ret = hold_mapping(getenv("PCI_WC_TEST_HOLD_FILE"));

	TEST_ASSERT_SUCCESS(rte_dev_remove(&map_dev->device), "remove");
	rte_pci_unregister(&map_drv);
	TEST_ASSERT_SUCCESS(ret, "mapped device checks");
	TEST_ASSERT(strcmp(rte_pci_mem_attr_name(attr), expect) == 0,
		"BAR%u offset 0x%" PRIx64 ": effective %s, expected %s", bar,
		offset, rte_pci_mem_attr_name(attr), expect);
	TEST_ASSERT(strcmp(expect, "uc") == 0 || nb_wc > 0,
		"no write-combined segment");
	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		if (bar_addrs[i] == NULL)
			continue;
		vma_of(bar_addrs[i], vma, sizeof(vma));
		TEST_ASSERT(strstr(vma, "dmabuf") == NULL &&
			strstr(vma, "vfio") == NULL,
			"BAR%d still mapped after removal: %s", i, vma);
	}
	return TEST_SUCCESS;
}

REGISTER_TEST_COMMAND(pci_wc_map_autotest, test_pci_wc_map);
