/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <rte_bus_pci_wc.h>
#include <rte_common.h>

#include "test.h"

#include "../../drivers/bus/pci/pci_wc_plan.h"
#include "../../drivers/bus/pci/private.h"

/*
 * Remap of a range of a mapped BAR: every case feeds a BAR plan and a
 * range to pci_wc_plan_remap() and checks the exact new segments and
 * window (what every process maps again), or the exact error. The
 * mapping itself (primary and secondary, page-table entries) is tested
 * in the QEMU guest. rte_pci_mem_remap()'s own refusals of bad
 * arguments and of a device not mapped through VFIO are checked here.
 */

#define PG 0x1000
#define HOLE PCI_WC_SEG_HOLE
#define UC PCI_WC_SEG_UC
#define WC PCI_WC_SEG_WC

struct exp_seg {
	uint64_t offset;
	uint64_t len;
	uint8_t kind;
	uint8_t effective;
};

static struct pci_wc_bar_plan old, res;
static uint64_t win_off, win_len;
static char err[256];

static uint8_t
attr_of(uint8_t kind)
{
	return kind == WC ? RTE_PCI_MEM_ATTR_WC :
		kind == UC ? RTE_PCI_MEM_ATTR_UC : RTE_PCI_MEM_ATTR_UNMAPPED;
}

/* A mapped BAR plan from its segments (effective as requested). */
static void
plan_set(const struct exp_seg *segs, unsigned int nb)
{
	unsigned int i;

	memset(&old, 0, sizeof(old));
	memset(&res, 0xa5, sizeof(res)); /* catch fields left unwritten */
	err[0] = '\0';
	for (i = 0; i < nb; i++) {
		old.segs[i].offset = segs[i].offset;
		old.segs[i].len = segs[i].len;
		old.segs[i].kind = segs[i].kind;
		old.segs[i].requested = attr_of(segs[i].kind);
		old.segs[i].effective = segs[i].effective != 0 ?
			segs[i].effective : attr_of(segs[i].kind);
		old.map_len = segs[i].offset + segs[i].len;
	}
	old.nb_segs = nb;
}

static int
remap(uint64_t offset, uint64_t len, uint8_t kind)
{
	return pci_wc_plan_remap(&old, 2, PG, offset, len, kind, &res,
		&win_off, &win_len, err, sizeof(err));
}

static int
check(const struct exp_seg *exp, unsigned int nb, uint64_t exp_win_off,
		uint64_t exp_win_len)
{
	unsigned int i;

	TEST_ASSERT_EQUAL(res.map_len, old.map_len, "map_len changed");
	TEST_ASSERT_EQUAL(res.nb_segs, nb, "%u segments, expected %u",
		res.nb_segs, nb);
	for (i = 0; i < nb; i++) {
		const struct pci_wc_segment *s = &res.segs[i];
		uint8_t eff = exp[i].effective != 0 ? exp[i].effective :
			attr_of(exp[i].kind);

		TEST_ASSERT(s->offset == exp[i].offset && s->len == exp[i].len &&
			s->kind == exp[i].kind &&
			s->requested == attr_of(exp[i].kind) &&
			s->effective == eff,
			"seg %u: 0x%" PRIx64 "+0x%" PRIx64 " kind %u req %u eff %u, expected 0x%"
			PRIx64 "+0x%" PRIx64 " kind %u eff %u", i, s->offset,
			s->len, s->kind, s->requested, s->effective,
			exp[i].offset, exp[i].len, exp[i].kind, eff);
	}
	TEST_ASSERT(win_off == exp_win_off && win_len == exp_win_len,
		"window 0x%" PRIx64 "+0x%" PRIx64 ", expected 0x%" PRIx64
		"+0x%" PRIx64, win_off, win_len, exp_win_off, exp_win_len);
	return TEST_SUCCESS;
}

static int
fails(int ret, int exp_ret, const char *exp_err)
{
	TEST_ASSERT_EQUAL(ret, exp_ret, "returned %d, expected %d (%s)", ret,
		exp_ret, err);
	TEST_ASSERT(strcmp(err, exp_err) == 0, "error \"%s\", expected \"%s\"",
		err, exp_err);
	return TEST_SUCCESS;
}

/* A page of an uncached BAR becomes WC: only that page is mapped again. */
static int
test_uc_page_to_wc(void)
{
	static const struct exp_seg o[] = { { 0, 16 * PG, UC, 0 } };
	static const struct exp_seg e[] = {
		{ 0, 4 * PG, UC, 0 }, { 4 * PG, PG, WC, 0 },
		{ 5 * PG, 11 * PG, UC, 0 },
	};

	plan_set(o, RTE_DIM(o));
	TEST_ASSERT_SUCCESS(remap(4 * PG, PG, WC), "remap: %s", err);
	return check(e, RTE_DIM(e), 4 * PG, PG);
}

/* ... and back: the WC segment is released whole, the BAR is one UC. */
static int
test_wc_page_back_to_uc(void)
{
	static const struct exp_seg o[] = {
		{ 0, 4 * PG, UC, 0 }, { 4 * PG, PG, WC, 0 },
		{ 5 * PG, 11 * PG, UC, 0 },
	};
	static const struct exp_seg e[] = { { 0, 16 * PG, UC, 0 } };

	plan_set(o, RTE_DIM(o));
	TEST_ASSERT_SUCCESS(remap(4 * PG, PG, UC), "remap: %s", err);
	return check(e, RTE_DIM(e), 4 * PG, PG);
}

/*
 * A page in the middle of a WC BAR becomes UC: the window is the whole
 * WC segment (one reservation), its other parts stay WC.
 */
static int
test_uc_page_in_wc_bar(void)
{
	static const struct exp_seg o[] = { { 0, 16 * PG, WC, 0 } };
	static const struct exp_seg e[] = {
		{ 0, 4 * PG, WC, 0 }, { 4 * PG, PG, UC, 0 },
		{ 5 * PG, 11 * PG, WC, 0 },
	};

	plan_set(o, RTE_DIM(o));
	TEST_ASSERT_SUCCESS(remap(4 * PG, PG, UC), "remap: %s", err);
	return check(e, RTE_DIM(e), 0, 16 * PG);
}

/* A range over UC and WC: the window also covers the whole WC segment. */
static int
test_range_over_uc_and_wc(void)
{
	static const struct exp_seg o[] = {
		{ 0, 4 * PG, UC, 0 }, { 4 * PG, 4 * PG, WC, 0 },
		{ 8 * PG, 8 * PG, UC, 0 },
	};
	static const struct exp_seg e[] = {
		{ 0, 6 * PG, UC, 0 }, { 6 * PG, 2 * PG, WC, 0 },
		{ 8 * PG, 8 * PG, UC, 0 },
	};

	plan_set(o, RTE_DIM(o));
	TEST_ASSERT_SUCCESS(remap(2 * PG, 4 * PG, UC), "remap: %s", err);
	return check(e, RTE_DIM(e), 2 * PG, 6 * PG);
}

/* Next to a WC segment of the same effective attribute: merged. */
static int
test_merge_with_neighbour(void)
{
	static const struct exp_seg o[] = {
		{ 0, 2 * PG, WC, 0 }, { 2 * PG, 2 * PG, UC, 0 },
	};
	static const struct exp_seg e[] = {
		{ 0, 3 * PG, WC, 0 }, { 3 * PG, PG, UC, 0 },
	};

	plan_set(o, RTE_DIM(o));
	TEST_ASSERT_SUCCESS(remap(2 * PG, PG, WC), "remap: %s", err);
	/* the old WC segment is not touched: only the new page is mapped */
	return check(e, RTE_DIM(e), 2 * PG, PG);
}

/* A neighbour WC segment the PAT list found uncached stays apart. */
static int
test_no_merge_with_downgraded(void)
{
	static const struct exp_seg o[] = {
		{ 0, 2 * PG, WC, RTE_PCI_MEM_ATTR_UC }, { 2 * PG, 2 * PG, UC, 0 },
	};
	static const struct exp_seg e[] = {
		{ 0, 2 * PG, WC, RTE_PCI_MEM_ATTR_UC }, { 2 * PG, PG, WC, 0 },
		{ 3 * PG, PG, UC, 0 },
	};

	plan_set(o, RTE_DIM(o));
	TEST_ASSERT_SUCCESS(remap(2 * PG, PG, WC), "remap: %s", err);
	return check(e, RTE_DIM(e), 2 * PG, PG);
}

/* Already that attribute: nothing to map, the plan is unchanged. */
static int
test_same_attribute(void)
{
	static const struct exp_seg o[] = {
		{ 0, 2 * PG, WC, RTE_PCI_MEM_ATTR_WC_UNVERIFIED },
		{ 2 * PG, 2 * PG, UC, 0 },
	};

	plan_set(o, RTE_DIM(o));
	TEST_ASSERT_SUCCESS(remap(PG, PG, WC), "remap: %s", err);
	TEST_ASSERT_SUCCESS(check(o, RTE_DIM(o), PG, 0), "WC on WC");
	TEST_ASSERT_SUCCESS(remap(2 * PG, 2 * PG, UC), "remap: %s", err);
	return check(o, RTE_DIM(o), 2 * PG, 0);
}

static int
test_refusals(void)
{
	static const struct exp_seg o[] = {
		{ 0, 3 * PG, UC, 0 }, { 3 * PG, PG, HOLE, 0 },
		{ 4 * PG, 4 * PG, UC, 0 },
	};

	plan_set(o, RTE_DIM(o));
	TEST_ASSERT_SUCCESS(fails(remap(PG, 0, WC), -EINVAL,
		"BAR 2 range offset 0x1000 length 0x0: empty (page size 0x1000)"),
		"empty");
	TEST_ASSERT_SUCCESS(fails(remap(0x800, PG, WC), -EINVAL,
		"BAR 2 range offset 0x800 length 0x1000: not page aligned (page size 0x1000)"),
		"unaligned offset");
	TEST_ASSERT_SUCCESS(fails(remap(0, 0x1800, WC), -EINVAL,
		"BAR 2 range offset 0x0 length 0x1800: not page aligned (page size 0x1000)"),
		"unaligned length");
	TEST_ASSERT_SUCCESS(fails(remap(7 * PG, 2 * PG, WC), -EINVAL,
		"BAR 2 range offset 0x7000 length 0x2000: outside the mapped BAR (0x8000 bytes)"),
		"past the end");
	TEST_ASSERT_SUCCESS(fails(remap(PG, UINT64_MAX - PG + 1, WC), -EINVAL,
		"BAR 2 range offset 0x1000 length 0xfffffffffffff000: "
		"outside the mapped BAR (0x8000 bytes)"),
		"wrapping length");
	TEST_ASSERT_SUCCESS(fails(remap(2 * PG, 3 * PG, WC), -EINVAL,
		"BAR 2 range 0x2000-0x4fff: 0x3000-0x3fff is not mapped "
		"(MSI-X table or not mmap-able)"),
		"over the MSI-X hole");
	TEST_ASSERT_SUCCESS(fails(remap(0, PG, HOLE), -EINVAL,
		"BAR 2: invalid attribute"), "a hole is no attribute");
	memset(&old, 0, sizeof(old));
	TEST_ASSERT_SUCCESS(fails(remap(0, PG, WC), -ENODEV,
		"BAR 2 is not mapped"), "unmapped BAR");
	return TEST_SUCCESS;
}

/* A split that needs more segments than a plan holds is refused. */
static int
test_too_many_segments(void)
{
	unsigned int i;

	memset(&old, 0, sizeof(old));
	for (i = 0; i < PCI_WC_MAX_SEGS; i++) {
		old.segs[i].offset = 2 * i * PG;
		old.segs[i].len = 2 * PG;
		old.segs[i].kind = i % 2 ? WC : UC;
		old.segs[i].requested = attr_of(old.segs[i].kind);
		old.segs[i].effective = old.segs[i].requested;
	}
	old.nb_segs = PCI_WC_MAX_SEGS;
	old.map_len = 2 * PCI_WC_MAX_SEGS * PG;
	/* the first page of the first (UC) segment: one more segment */
	TEST_ASSERT_EQUAL(remap(0, PG, WC), -E2BIG, "returned, %s", err);
	TEST_ASSERT(strstr(err, "BAR 2 needs more than") != NULL, "%s", err);
	/* the whole of it: merged into the next WC one, one fewer */
	TEST_ASSERT_SUCCESS(remap(0, 2 * PG, WC), "%s", err);
	TEST_ASSERT_EQUAL(res.nb_segs, PCI_WC_MAX_SEGS - 1, "merged");
	return TEST_SUCCESS;
}

/* The API's own refusals, before anything is mapped. */
static int
test_api_refusals(void)
{
	/* a device as the bus allocates it, with its (empty) state */
	static struct rte_pci_device_internal pdev;
	struct rte_pci_device *dev = &pdev.device;

	memset(&pdev, 0, sizeof(pdev));
	rte_spinlock_init(&pdev.wc.lock);
	snprintf(dev->name, sizeof(dev->name), "0000:00:1f.7");
	TEST_ASSERT_EQUAL(rte_pci_mem_remap(NULL, 2, 0, PG,
		RTE_PCI_MEM_ATTR_WC), -EINVAL, "NULL device");
	TEST_ASSERT_EQUAL(rte_pci_mem_remap(dev, PCI_MAX_RESOURCE, 0, PG,
		RTE_PCI_MEM_ATTR_WC), -EINVAL, "BAR 6");
	TEST_ASSERT_EQUAL(rte_pci_mem_remap(dev, 2, 0, PG,
		RTE_PCI_MEM_ATTR_WC_UNVERIFIED), -EINVAL, "not an attribute to set");
	TEST_ASSERT_EQUAL(rte_pci_mem_remap(dev, 2, 0, PG,
		RTE_PCI_MEM_ATTR_UNMAPPED), -EINVAL, "unmapped is no attribute");
	TEST_ASSERT_EQUAL(rte_pci_mem_remap(dev, 2, 0, PG,
		RTE_PCI_MEM_ATTR_WC), -ENODEV, "device not mapped");
	dev->kdrv = RTE_PCI_KDRV_VFIO;
	TEST_ASSERT_EQUAL(rte_pci_mem_remap(dev, 2, 0, PG,
		RTE_PCI_MEM_ATTR_UC), -ENODEV, "VFIO device not mapped");
	return TEST_SUCCESS;
}

static struct unit_test_suite pci_wc_remap_suite = {
	.suite_name = "PCI write-combine remap of a mapped BAR",
	.unit_test_cases = {
		TEST_CASE(test_uc_page_to_wc),
		TEST_CASE(test_wc_page_back_to_uc),
		TEST_CASE(test_uc_page_in_wc_bar),
		TEST_CASE(test_range_over_uc_and_wc),
		TEST_CASE(test_merge_with_neighbour),
		TEST_CASE(test_no_merge_with_downgraded),
		TEST_CASE(test_same_attribute),
		TEST_CASE(test_refusals),
		TEST_CASE(test_too_many_segments),
		TEST_CASE(test_api_refusals),
		TEST_CASES_END()
	}
};

static int
test_pci_wc_remap(void)
{
	return unit_test_suite_runner(&pci_wc_remap_suite);
}

REGISTER_TEST_COMMAND(pci_wc_remap_autotest, test_pci_wc_remap);
