/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "test.h"

#include "../../drivers/bus/pci/pci_wc_plan.h"
#include "../../drivers/bus/pci/linux/pci_wc_pat.h"

/*
 * Mapping plan of the BARs of a VFIO device: every case feeds BAR
 * descriptions and requests to pci_wc_plan_build() and checks the exact
 * segments (or the exact error message) it produces.
 */

#define PG 0x1000
#define HOLE PCI_WC_SEG_HOLE
#define UC PCI_WC_SEG_UC
#define WC PCI_WC_SEG_WC
#define MEM_BAR (PCI_WC_BAR_MEM | PCI_WC_BAR_MMAP)
#define PF_BAR (MEM_BAR | PCI_WC_BAR_PREFETCH | PCI_WC_BAR_64BIT)
#define TO_END RTE_PCI_WC_RANGE_F_TO_END

struct exp_seg {
	uint64_t offset;
	uint64_t len;
	uint8_t kind;
};

static struct pci_wc_plan_input in;
static struct pci_wc_plan plan;
static char err[256];

static void
input_reset(void)
{
	memset(&in, 0, sizeof(in));
	memset(&plan, 0xa5, sizeof(plan)); /* catch fields left unwritten */
	err[0] = '\0';
	in.page_size = PG;
	in.msix_bar = -1;
}

static void
set_bar(unsigned int bar, uint64_t size, uint32_t flags)
{
	in.bars[bar].size = size;
	in.bars[bar].flags = flags;
}

static void
set_msix(int bar, uint64_t offset, uint64_t size)
{
	in.msix_bar = bar;
	in.msix_offset = offset;
	in.msix_size = size;
}

static int
check_segs(unsigned int bar, uint64_t map_len, const struct exp_seg *exp,
		unsigned int nb)
{
	const struct pci_wc_bar_plan *bp = &plan.bars[bar];
	unsigned int i;

	TEST_ASSERT_EQUAL(bp->map_len, map_len,
		"BAR %u: map_len 0x%" PRIx64 ", expected 0x%" PRIx64,
		bar, bp->map_len, map_len);
	TEST_ASSERT_EQUAL(bp->nb_segs, nb, "BAR %u: %u segments, expected %u",
		bar, bp->nb_segs, nb);
	for (i = 0; i < nb; i++) {
		const struct pci_wc_segment *s = &bp->segs[i];

		TEST_ASSERT(s->offset == exp[i].offset &&
			s->len == exp[i].len && s->kind == exp[i].kind,
			"BAR %u seg %u: 0x%" PRIx64 "+0x%" PRIx64 " kind %u, expected 0x%"
			PRIx64 "+0x%" PRIx64 " kind %u", bar, i, s->offset,
			s->len, s->kind, exp[i].offset, exp[i].len, exp[i].kind);
	}
	return TEST_SUCCESS;
}

static int
build_ok(void)
{
	int ret = pci_wc_plan_build(&in, &plan, err, sizeof(err));

	TEST_ASSERT_SUCCESS(ret, "plan failed: %d (%s)", ret, err);
	return TEST_SUCCESS;
}

static int
build_fails(int exp_ret, const char *exp_err)
{
	int ret = pci_wc_plan_build(&in, &plan, err, sizeof(err));

	TEST_ASSERT_EQUAL(ret, exp_ret, "plan returned %d, expected %d (%s)",
		ret, exp_ret, err);
	TEST_ASSERT(strcmp(err, exp_err) == 0,
		"error \"%s\", expected \"%s\"", err, exp_err);
	return TEST_SUCCESS;
}

static struct rte_pci_wc_range req[RTE_PCI_WC_MAX_RANGES + 1];

static void
add_req(uint8_t bar, uint64_t offset, uint64_t len, uint32_t flags)
{
	req[in.nb_ranges] = (struct rte_pci_wc_range){
		.bar = bar, .offset = offset, .len = len, .flags = flags,
	};
	in.ranges = req;
	in.nb_ranges++;
}

static int
test_no_request(void)
{
	static const struct exp_seg e[] = { { 0, 0x4000, UC } };

	input_reset();
	set_bar(0, 0x4000, MEM_BAR);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(0, 0x4000, e, 1), "BAR0");
	TEST_ASSERT_EQUAL(plan.bars[0].segs[0].requested, RTE_PCI_MEM_ATTR_UC,
		"requested attribute");
	return check_segs(1, 0, NULL, 0);
}

static int
test_small_bar_rounded(void)
{
	static const struct exp_seg e[] = { { 0, PG, UC } };

	input_reset();
	set_bar(0, 0x100, MEM_BAR);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(0, PG, e, 1);
}

static int
test_msix_start(void)
{
	static const struct exp_seg e[] = {
		{ 0, PG, HOLE }, { PG, 0x3000, UC } };

	input_reset();
	set_bar(1, 0x4000, MEM_BAR);
	set_msix(1, 0, 0x100);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(1, 0x4000, e, 2);
}

static int
test_msix_middle(void)
{
	static const struct exp_seg e[] = {
		{ 0, 0x2000, UC }, { 0x2000, PG, HOLE }, { 0x3000, PG, UC } };

	input_reset();
	set_bar(0, 0x4000, MEM_BAR);
	set_msix(0, 0x2000, 0x800);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(0, 0x4000, e, 3);
}

static int
test_msix_end(void)
{
	static const struct exp_seg e[] = {
		{ 0, 0x3000, UC }, { 0x3000, PG, HOLE } };

	input_reset();
	set_bar(0, 0x4000, MEM_BAR);
	set_msix(0, 0x3800, 0x800);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(0, 0x4000, e, 2);
}

static int
test_msix_unaligned_two_pages(void)
{
	static const struct exp_seg e[] = {
		{ 0, PG, UC }, { PG, 0x2000, HOLE }, { 0x3000, PG, UC } };

	input_reset();
	set_bar(0, 0x4000, MEM_BAR);
	set_msix(0, 0x1f00, 0x200); /* straddles pages 1 and 2 */
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(0, 0x4000, e, 3);
}

static int
test_msix_past_bar_end(void)
{
	static const struct exp_seg e[] = {
		{ 0, PG, UC }, { PG, PG, HOLE } };

	input_reset();
	set_bar(0, 0x2000, MEM_BAR);
	set_msix(0, 0x1800, 0x1000); /* the table runs past the BAR */
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(0, 0x2000, e, 2);
}

static int
test_msix_whole_bar(void)
{
	input_reset();
	set_bar(0, 0x2000, MEM_BAR);
	set_msix(0, 0, 0x2000);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(0, 0, NULL, 0), "BAR0 not mapped");

	/* a required whole-BAR request there cannot be met */
	add_req(0, 0, 0, RTE_PCI_WC_RANGE_F_REQUIRED | TO_END);
	return build_fails(-EINVAL,
		"range 0: BAR 0 has no mmap-able page outside the MSI-X table");
}

static int
test_msix_mappable(void)
{
	static const struct exp_seg e[] = { { 0, 0x4000, UC } };

	input_reset();
	set_bar(0, 0x4000, MEM_BAR);
	/* the kernel allows mapping the table: msix_bar stays -1 */
	in.msix_offset = 0x2000;
	in.msix_size = 0x800;
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(0, 0x4000, e, 1);
}

static int
test_sparse_areas(void)
{
	static const struct exp_seg e[] = {
		{ 0, PG, UC }, { PG, 0x7000, HOLE },
		{ 0x8000, 0x3000, UC }, { 0xb000, 0x5000, HOLE } };

	static const struct pci_wc_area areas[] = {
		{ 0, PG },
		/* not page aligned: only the whole pages inside are usable */
		{ 0x7f00, 0x3200 },
	};

	input_reset();
	set_bar(0, 0x10000, MEM_BAR);
	in.bars[0].nb_areas = RTE_DIM(areas);
	in.bars[0].areas = areas;
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(0, 0x10000, e, 4), "segments");

	add_req(0, 0x4000, PG, 0);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0x4000-0x4fff: page 0x4000 is outside the mmap-able areas"),
		"range in the gap");
	/* the first page past the areas is named, not the range start */
	in.nb_ranges = 0;
	add_req(0, 0x8000, 0x4000, 0);
	return build_fails(-EINVAL,
		"range 0:0x8000-0xbfff: page 0xb000 is outside the mmap-able areas");
}

/* More sparse areas than the 8 once kept: every one is mapped. */
static int
test_many_sparse_areas(void)
{
	struct pci_wc_area areas[12];
	struct exp_seg e[2 * RTE_DIM(areas) + 1];
	unsigned int i, n = 0;

	input_reset();
	set_bar(2, 0x100000, PF_BAR);
	/* areas at 0x10000 * (i + 1), one page each, listed backwards */
	for (i = 0; i < RTE_DIM(areas); i++)
		areas[RTE_DIM(areas) - 1 - i] = (struct pci_wc_area){
			0x10000 * (i + 1), PG };
	in.bars[2].nb_areas = RTE_DIM(areas);
	in.bars[2].areas = areas;
	/* WC in the last area */
	add_req(2, 0x10000 * RTE_DIM(areas), PG, RTE_PCI_WC_RANGE_F_REQUIRED);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	for (i = 0; i < RTE_DIM(areas); i++) {
		uint64_t start = 0x10000 * (i + 1);
		uint64_t prev_end = i == 0 ? 0 : 0x10000 * i + PG;

		e[n++] = (struct exp_seg){ prev_end, start - prev_end, HOLE };
		e[n++] = (struct exp_seg){ start, PG,
			i + 1 == RTE_DIM(areas) ? WC : UC };
	}
	e[n] = (struct exp_seg){ 0x10000 * RTE_DIM(areas) + PG,
		0x100000 - 0x10000 * RTE_DIM(areas) - PG, HOLE };
	n++;
	return check_segs(2, 0x100000, e, n);
}

/* A computed length of 0 never means "the rest of the BAR". */
static int
test_zero_length(void)
{
	static const struct exp_seg e[] = {
		{ 0, 0x3000, UC }, { 0x3000, PG, WC } };

	input_reset();
	set_bar(0, 0x4000, PF_BAR);
	add_req(0, PG, 0, 0);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0x1000: length 0 (flag TO_END asks for the rest of the BAR)"),
		"zero length");
	in.nb_ranges = 0;
	add_req(0, PG, PG, TO_END);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0x1000-end: length 0x1000 with flag TO_END"),
		"length with TO_END");
	in.nb_ranges = 0;
	add_req(0, 0x3000, 0, TO_END);
	TEST_ASSERT_SUCCESS(build_ok(), "TO_END");
	return check_segs(0, 0x4000, e, 2);
}

/* A 64 GiB BAR plans like a small one (no page walk). */
static int
test_large_bar(void)
{
	const uint64_t sz = (uint64_t)64 << 30;
	const struct exp_seg e[] = {
		{ 0, 0x2000, UC }, { 0x2000, PG, HOLE }, { 0x3000, PG, UC },
		{ 0x4000, sz / 2 - 0x4000, WC }, { sz / 2, sz / 2 - PG, UC },
		{ sz - PG, PG, WC } };

	input_reset();
	set_bar(2, sz, PF_BAR);
	set_msix(2, 0x2000, 0x800);
	add_req(2, 0x4000, sz / 2 - 0x4000, RTE_PCI_WC_RANGE_F_REQUIRED);
	add_req(2, sz - PG, PG, 0);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(2, sz, e, RTE_DIM(e)), "segments");
	in.nb_ranges = 0;
	add_req(2, 0, sz, 0);
	return build_fails(-EINVAL,
		"range 2:0x0-0xfffffffff: page 0x2000 holds the MSI-X table");
}

static int
test_wc_whole_bar_around_msix(void)
{
	static const struct exp_seg e[] = {
		{ 0, 0x2000, WC }, { 0x2000, PG, HOLE }, { 0x3000, PG, WC } };

	input_reset();
	set_bar(2, 0x4000, PF_BAR);
	set_msix(2, 0x2000, 0x10);
	add_req(2, 0, 0, RTE_PCI_WC_RANGE_F_REQUIRED | TO_END);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(2, 0x4000, e, 3), "segments");
	TEST_ASSERT(plan.bars[2].segs[0].required &&
		plan.bars[2].segs[2].required, "required flag kept");
	TEST_ASSERT_EQUAL(plan.bars[2].segs[1].requested,
		RTE_PCI_MEM_ATTR_UNMAPPED, "hole requested attribute");
	return TEST_SUCCESS;
}

static int
test_wc_range_middle(void)
{
	static const struct exp_seg e[] = {
		{ 0, PG, UC }, { PG, PG, WC }, { 0x2000, 0x2000, UC } };

	input_reset();
	set_bar(4, 0x4000, PF_BAR);
	add_req(4, PG, PG, 0);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(4, 0x4000, e, 3), "segments");
	TEST_ASSERT_EQUAL(plan.bars[4].segs[1].requested, RTE_PCI_MEM_ATTR_WC,
		"requested WC");
	TEST_ASSERT_EQUAL(plan.bars[4].segs[1].required, 0, "not required");
	return TEST_SUCCESS;
}

static int
test_wc_range_to_end(void)
{
	static const struct exp_seg e[] = {
		{ 0, 0x2000, UC }, { 0x2000, 0x2000, WC } };

	input_reset();
	set_bar(0, 0x4000, MEM_BAR);
	add_req(0, 0x2000, 0, TO_END);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(0, 0x4000, e, 2);
}

static int
test_wc_overlapping_merge(void)
{
	static const struct exp_seg e[] = {
		{ 0, PG, UC }, { PG, 0x3000, WC } };

	input_reset();
	set_bar(0, 0x4000, MEM_BAR);
	add_req(0, PG, 0x2000, 0);
	add_req(0, 0x2000, 0x2000, 0);
	add_req(0, 0x2000, PG, 0); /* inside both */
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	return check_segs(0, 0x4000, e, 2);
}

static int
test_wc_required_split(void)
{
	static const struct exp_seg e[] = {
		{ 0, PG, WC }, { PG, PG, WC } };

	input_reset();
	set_bar(0, 0x2000, MEM_BAR);
	add_req(0, 0, PG, RTE_PCI_WC_RANGE_F_REQUIRED);
	add_req(0, PG, PG, 0);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(0, 0x2000, e, 2), "segments");
	TEST_ASSERT(plan.bars[0].segs[0].required &&
		!plan.bars[0].segs[1].required, "required flags");
	return TEST_SUCCESS;
}

static int
test_bad_ranges(void)
{
	input_reset();
	set_bar(0, 0x4000, MEM_BAR);
	set_msix(0, 0x2000, 0x10);
	add_req(0, 0x100, PG, 0);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0x100-0x10ff: not page aligned (page size 0x1000)"),
		"unaligned offset");

	in.nb_ranges = 0;
	add_req(0, PG, 0x800, 0);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0x1000-0x17ff: not page aligned (page size 0x1000)"),
		"unaligned length");

	/* as the user wrote it in wc=[0:0x3000-0x4fff] */
	in.nb_ranges = 0;
	add_req(0, 0x3000, 0x2000, 0);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0x3000-0x4fff: outside BAR 0 (size 0x4000)"),
		"past the end");

	in.nb_ranges = 0;
	add_req(0, 0x4000, 0, TO_END);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0x4000-end: outside BAR 0 (size 0x4000)"),
		"offset at the end");

	in.nb_ranges = 0;
	add_req(0, UINT64_MAX - PG + 1, 0x2000, 0);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0xfffffffffffff000+0x2000: outside BAR 0 (size 0x4000)"),
		"wrapping range");

	in.nb_ranges = 0;
	add_req(0, PG, 0x2000, 0);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"range 0:0x1000-0x2fff: page 0x2000 holds the MSI-X table"),
		"MSI-X overlap");

	in.nb_ranges = 0;
	add_req(6, 0, 0, TO_END);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL, "BAR 6 does not exist (0 to 5)"),
		"BAR index");

	in.nb_ranges = 0;
	add_req(0, 0, PG, 0x80);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL, "BAR 0: invalid flags 0x80"),
		"flags");

	in.nb_ranges = 0;
	add_req(0, 0, PG, 0);
	req[0].reserved[1] = 1;
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL, "BAR 0: invalid flags 0x0"),
		"reserved");
	return TEST_SUCCESS;
}

static int
test_bar_types(void)
{
	static const struct exp_seg e2[] = { { 0, 0x10000, WC } };
	static const struct exp_seg e0[] = { { 0, 0x2000, UC } };

	input_reset();
	set_bar(0, 0x2000, MEM_BAR);                    /* 32-bit, non-pf */
	set_bar(1, 0x20, 0);                            /* I/O BAR */
	set_bar(2, 0x10000, PF_BAR);                    /* 64-bit pf */
	set_bar(3, 0, 0);                               /* its upper half */
	set_bar(4, 0x1000, PCI_WC_BAR_MEM);             /* no mmap */
	in.wc_prefetchable = true;
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(0, 0x2000, e0, 1), "BAR0 stays UC");
	TEST_ASSERT_SUCCESS(check_segs(1, 0, NULL, 0), "I/O BAR unmapped");
	TEST_ASSERT_SUCCESS(check_segs(2, 0x10000, e2, 1), "BAR2 WC");
	TEST_ASSERT(!plan.bars[2].segs[0].required, "WC_ACTIVATE: not required");
	TEST_ASSERT_SUCCESS(check_segs(3, 0, NULL, 0), "upper half");
	TEST_ASSERT_SUCCESS(check_segs(4, 0, NULL, 0), "no mmap");
	TEST_ASSERT_SUCCESS(check_segs(5, 0, NULL, 0), "absent");

	in.wc_prefetchable_required = true;
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT(plan.bars[2].segs[0].required, "wc=on: required");

	add_req(1, 0, 0, TO_END);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL, "BAR 1 is an I/O BAR"), "I/O");
	in.nb_ranges = 0;
	add_req(3, 0, 0, TO_END);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL,
		"BAR 3 is the upper half of 64-bit BAR 2"), "upper half");
	in.nb_ranges = 0;
	add_req(4, 0, 0, TO_END);
	TEST_ASSERT_SUCCESS(build_fails(-EINVAL, "BAR 4 cannot be mmapped"),
		"no mmap");
	in.nb_ranges = 0;
	add_req(5, 0, 0, TO_END);
	return build_fails(-EINVAL, "BAR 5 is not present");
}

static int
test_many_ranges(void)
{
	struct exp_seg e[2 * RTE_PCI_WC_MAX_RANGES + 1];
	unsigned int i;

	input_reset();
	set_bar(2, 0x100000, PF_BAR);
	for (i = 0; i < RTE_PCI_WC_MAX_RANGES; i++) {
		add_req(2, (2 * i + 1) * PG, PG, 0);
		e[2 * i] = (struct exp_seg){ 2 * i * PG, PG, UC };
		e[2 * i + 1] = (struct exp_seg){ (2 * i + 1) * PG, PG, WC };
	}
	e[2 * i] = (struct exp_seg){ 2 * i * PG, 0x100000 - 2 * i * PG, UC };
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_SUCCESS(check_segs(2, 0x100000, e, 2 * i + 1), "segments");

	add_req(2, 0, PG, 0);
	return build_fails(-EINVAL, "invalid mapping plan input");
}

static int
test_large_page(void)
{
	static const struct exp_seg e[] = { { 0, 0x10000, HOLE } };
	static const struct exp_seg e2[] = { { 0, 0x20000, UC } };

	input_reset();
	in.page_size = 0x10000; /* 64K pages, as on some arm64 systems */
	set_bar(0, 0x4000, MEM_BAR);
	set_msix(0, 0x2000, 0x100);
	set_bar(2, 0x20000, PF_BAR);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	/* the MSI-X page is the whole BAR: nothing to map */
	TEST_ASSERT_SUCCESS(check_segs(0, 0, e, 0), "BAR0");
	TEST_ASSERT_SUCCESS(check_segs(2, 0x20000, e2, 1), "BAR2");

	add_req(2, PG, PG, 0);
	return build_fails(-EINVAL,
		"range 2:0x1000-0x1fff: not page aligned (page size 0x10000)");
}

static int
test_fallback_and_find(void)
{
	const struct pci_wc_segment *s;
	unsigned int nb;

	input_reset();
	set_bar(2, 0x4000, PF_BAR);
	set_msix(2, 0x3000, 0x10);
	add_req(2, 0, 0x2000, 0);
	TEST_ASSERT_SUCCESS(build_ok(), "build");
	TEST_ASSERT_EQUAL(plan.bars[2].nb_segs, 3, "WC, UC, hole");

	s = pci_wc_plan_find(&plan.bars[2], 0x1fff);
	TEST_ASSERT(s != NULL && s->kind == WC, "0x1fff is WC");
	s = pci_wc_plan_find(&plan.bars[2], 0x2000);
	TEST_ASSERT(s != NULL && s->kind == UC, "0x2000 is UC");
	s = pci_wc_plan_find(&plan.bars[2], 0x3000);
	TEST_ASSERT(s != NULL && s->kind == HOLE, "0x3000 is a hole");
	TEST_ASSERT(pci_wc_plan_find(&plan.bars[2], 0x4000) == NULL,
		"past the end");

	nb = pci_wc_plan_fallback_bar(&plan.bars[2]);
	TEST_ASSERT_EQUAL(nb, 1, "one WC segment fell back");
	TEST_ASSERT_EQUAL(plan.bars[2].nb_segs, 3, "requested WC kept apart");
	TEST_ASSERT(plan.bars[2].segs[0].kind == UC &&
		plan.bars[2].segs[0].requested == RTE_PCI_MEM_ATTR_WC,
		"fell back to UC, still requested WC");
	TEST_ASSERT_EQUAL(pci_wc_plan_fallback_bar(&plan.bars[2]), 0,
		"nothing left");
	return TEST_SUCCESS;
}

/* Tiny deterministic generator: failures reproduce from the seed. */
static uint64_t fuzz_state;

static uint64_t
fuzz_rand(uint64_t n)
{
	fuzz_state = fuzz_state * 6364136223846793005ULL +
		1442695040888963407ULL;
	return (fuzz_state >> 33) % n;
}

/* Independent per-page oracle of the plan. */
static uint8_t
oracle_kind(unsigned int bar, uint64_t off, bool *mappable)
{
	const struct pci_wc_bar_desc *bd = &in.bars[bar];
	uint64_t hs = 0, he = 0;
	unsigned int i;
	bool ok = bd->nb_areas == 0, wc;

	for (i = 0; i < bd->nb_areas; i++) {
		uint64_t s = RTE_ALIGN_CEIL(bd->areas[i].offset, (uint64_t)PG);
		uint64_t e = RTE_ALIGN_FLOOR(bd->areas[i].offset +
				bd->areas[i].len, (uint64_t)PG);

		if (off >= s && off < e)
			ok = true;
	}
	if (in.msix_bar == (int)bar) {
		hs = RTE_ALIGN_FLOOR(in.msix_offset, (uint64_t)PG);
		he = RTE_ALIGN_CEIL(in.msix_offset + in.msix_size,
				(uint64_t)PG);
		if (off >= hs && off < he)
			ok = false;
	}
	*mappable = ok;
	if (!ok)
		return HOLE;
	wc = in.wc_prefetchable && (bd->flags & PCI_WC_BAR_PREFETCH);
	for (i = 0; i < in.nb_ranges; i++) {
		const struct rte_pci_wc_range *r = &in.ranges[i];
		uint64_t end = (r->flags & TO_END) ?
			RTE_ALIGN_CEIL(bd->size, (uint64_t)PG) :
			r->offset + r->len;

		if (r->bar == bar && off >= r->offset && off < end)
			wc = true;
	}
	return wc ? WC : UC;
}

static int
fuzz_check_bar(unsigned int bar)
{
	const struct pci_wc_bar_plan *bp = &plan.bars[bar];
	const struct pci_wc_bar_desc *bd = &in.bars[bar];
	uint64_t pos = 0, off, len = RTE_ALIGN_CEIL(bd->size, (uint64_t)PG);
	bool any = false, mappable;
	unsigned int i;

	for (off = 0; off < len && (bd->flags & PCI_WC_BAR_MMAP); off += PG) {
		oracle_kind(bar, off, &mappable);
		any |= mappable;
	}
	if (!any) {
		TEST_ASSERT(bp->map_len == 0 && bp->nb_segs == 0,
			"BAR %u: nothing mappable but %u segments", bar,
			bp->nb_segs);
		return TEST_SUCCESS;
	}
	TEST_ASSERT_EQUAL(bp->map_len, len, "BAR %u map_len", bar);
	for (i = 0; i < bp->nb_segs; i++) {
		const struct pci_wc_segment *s = &bp->segs[i];

		TEST_ASSERT(s->offset == pos, "BAR %u seg %u not contiguous",
			bar, i);
		TEST_ASSERT(s->len != 0 && s->offset % PG == 0 &&
			s->len % PG == 0, "BAR %u seg %u not page aligned", bar, i);
		if (i > 0)
			TEST_ASSERT(s->kind != bp->segs[i - 1].kind ||
				s->required != bp->segs[i - 1].required ||
				s->requested != bp->segs[i - 1].requested,
				"BAR %u seg %u not merged", bar, i);
		for (off = s->offset; off < s->offset + s->len; off += PG)
			TEST_ASSERT_EQUAL(s->kind,
				oracle_kind(bar, off, &mappable),
				"BAR %u page 0x%" PRIx64 ": kind %u", bar, off,
				s->kind);
		pos += s->len;
	}
	TEST_ASSERT_EQUAL(pos, len, "BAR %u: segments cover 0x%" PRIx64, bar,
		pos);
	return TEST_SUCCESS;
}

/* Mostly plausible ranges (in a mappable BAR), some arbitrary ones. */
static void
fuzz_range(void)
{
	unsigned int bar = fuzz_rand(PCI_MAX_RESOURCE), tries;
	uint64_t pages, start;

	for (tries = 0; tries < 16; tries++) {
		if (in.bars[bar].size != 0 &&
				(in.bars[bar].flags & PCI_WC_BAR_MEM) &&
				(in.bars[bar].flags & PCI_WC_BAR_MMAP))
			break;
		bar = fuzz_rand(PCI_MAX_RESOURCE);
	}
	pages = RTE_ALIGN_CEIL(in.bars[bar].size, (uint64_t)PG) / PG;
	if (fuzz_rand(16) == 0) { /* arbitrary, often refused */
		add_req(bar, fuzz_rand(pages + 2) * PG,
			fuzz_rand(pages + 2) * PG, fuzz_rand(4));
		return;
	}
	if (pages == 0)
		return;
	start = fuzz_rand(pages);
	if (fuzz_rand(8) == 0) {
		add_req(bar, start * PG, 0, TO_END | fuzz_rand(2));
		return;
	}
	add_req(bar, start * PG, (1 + fuzz_rand(pages - start)) * PG,
		fuzz_rand(2));
}

#define FUZZ_MAX_AREAS 20

static void
fuzz_input(void)
{
	static const uint32_t types[] = { MEM_BAR, PF_BAR, 0,
		PCI_WC_BAR_MEM };
	static struct pci_wc_area areas[PCI_MAX_RESOURCE][FUZZ_MAX_AREAS];
	unsigned int bar, i;

	input_reset();
	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
		if (fuzz_rand(4) == 0)
			continue; /* absent */
		set_bar(bar, fuzz_rand(3) == 0 ? 1 + fuzz_rand(PG) :
			(uint64_t)PG << fuzz_rand(7), types[fuzz_rand(4)]);
		if (fuzz_rand(5) == 0) {
			in.bars[bar].nb_areas = 1 + fuzz_rand(FUZZ_MAX_AREAS);
			in.bars[bar].areas = areas[bar];
			for (i = 0; i < in.bars[bar].nb_areas; i++) {
				areas[bar][i].offset =
					fuzz_rand(in.bars[bar].size);
				areas[bar][i].len =
					fuzz_rand(in.bars[bar].size);
			}
		}
	}
	if (fuzz_rand(2)) {
		bar = fuzz_rand(PCI_MAX_RESOURCE);
		set_msix(bar, fuzz_rand(in.bars[bar].size + 1),
			1 + fuzz_rand(0x800));
	}
	in.wc_prefetchable = fuzz_rand(3) == 0;
	for (i = fuzz_rand(RTE_PCI_WC_MAX_RANGES + 1); i > 0; i--)
		fuzz_range();
}

static int
test_fuzz(void)
{
	unsigned int iter, ok = 0, bar;
	int ret;

	fuzz_state = 0x5eed;
	for (iter = 0; iter < 20000; iter++) {
		fuzz_input();
		ret = pci_wc_plan_build(&in, &plan, err, sizeof(err));
		if (ret != 0) {
			/* every refusal says why, with a known error code */
			TEST_ASSERT(ret == -EINVAL && err[0] != '\0',
				"iteration %u: %d \"%s\"", iter, ret, err);
			if (getenv("PCI_WC_FUZZ_VERBOSE") != NULL)
				printf("refused: %s\n", err);
			continue;
		}
		ok++;
		for (bar = 0; bar < PCI_MAX_RESOURCE; bar++)
			if (fuzz_check_bar(bar) != TEST_SUCCESS) {
				printf("fuzz iteration %u failed\n", iter);
				return TEST_FAILED;
			}
	}
	printf("fuzz: %u of %u random inputs planned and checked\n", ok, iter);
	TEST_ASSERT(ok > iter / 4, "too few valid inputs (%u)", ok);
	TEST_ASSERT(ok < iter, "no refused input");
	return TEST_SUCCESS;
}

static const char pat_list[] =
	"PAT memtype list:\n"
	"PAT: [mem 0x00000000fe000000-0x00000000fe002000] write-combining\n"
	"PAT: [mem 0x00000000fe002000-0x00000000fe004000] write-combining\n"
	"PAT: [mem 0x00000000febf5000-0x00000000febf6000] uncached-minus\n"
	"PAT: [mem 0x00000000fd000000-0x00000000fd100000] uncached-minus\n"
	"PAT: [mem 0x00000000fd000000-0x00000000fd001000] write-combining\n";

static int
test_pat_check(void)
{
	char other[32];

	TEST_ASSERT_EQUAL(pci_wc_pat_check(pat_list, 0xfe000000, 0xfe004000,
		other), PCI_WC_PAT_WC, "two WC entries cover the range");
	TEST_ASSERT_EQUAL(pci_wc_pat_check(pat_list, 0xfe001000, 0xfe002000,
		other), PCI_WC_PAT_WC, "inside one entry");
	TEST_ASSERT_EQUAL(pci_wc_pat_check(pat_list, 0xfe003000, 0xfe005000,
		other), PCI_WC_PAT_NOT_WC, "runs past the WC entries");
	TEST_ASSERT(strcmp(other, "none") == 0, "reason %s", other);
	TEST_ASSERT_EQUAL(pci_wc_pat_check(pat_list, 0xfd000000, 0xfd001000,
		other), PCI_WC_PAT_NOT_WC, "whole-BAR UC- entry overlaps");
	TEST_ASSERT(strcmp(other, "uncached-minus") == 0, "reason %s", other);
	TEST_ASSERT_EQUAL(pci_wc_pat_check(pat_list, 0xfc000000, 0xfc001000,
		other), PCI_WC_PAT_NOT_WC, "no entry at all");
	TEST_ASSERT_EQUAL(pci_wc_pat_check("", 0xfe000000, 0xfe001000,
		other), PCI_WC_PAT_NOT_WC, "empty list");
	return TEST_SUCCESS;
}

static int
test_pat_effective(void)
{
	char other[32];

	TEST_ASSERT_EQUAL(pci_wc_pat_effective(pat_list, true, false, 0xfe000000,
		0xfe004000, other), RTE_PCI_MEM_ATTR_WC,
		"PAT list shows the range write-combining");
	TEST_ASSERT_EQUAL(pci_wc_pat_effective(pat_list, true, false, 0xfe003000,
		0xfe005000, other), RTE_PCI_MEM_ATTR_UC,
		"range only partly covered by WC entries");
	TEST_ASSERT(strcmp(other, "none") == 0, "reason %s", other);
	TEST_ASSERT_EQUAL(pci_wc_pat_effective(pat_list, true, false, 0xfebf4000,
		0xfebf6000, other), RTE_PCI_MEM_ATTR_UC,
		"UC- entry overlaps the end of the range");
	TEST_ASSERT(strcmp(other, "uncached-minus") == 0, "reason %s", other);
	TEST_ASSERT_EQUAL(pci_wc_pat_effective(pat_list, true, true, 0xfd000000,
		0xfd001000, other), RTE_PCI_MEM_ATTR_UC,
		"the trusted driver does not override the PAT list");
	TEST_ASSERT(strcmp(other, "uncached-minus") == 0, "reason %s", other);
	TEST_ASSERT_EQUAL(pci_wc_pat_effective("", true, true, 0xfe000000,
		0xfe001000, other), RTE_PCI_MEM_ATTR_UC,
		"readable empty list: no WC entry");
	TEST_ASSERT(strcmp(other, "none") == 0, "reason %s", other);
	TEST_ASSERT_EQUAL(pci_wc_pat_effective(NULL, true, true, 0xfe000000,
		0xfe001000, other), RTE_PCI_MEM_ATTR_WC,
		"no PAT list, trusted variant driver");
	TEST_ASSERT_EQUAL(pci_wc_pat_effective(NULL, true, false, 0xfe000000,
		0xfe001000, other), RTE_PCI_MEM_ATTR_WC_UNVERIFIED,
		"no PAT list, other driver");
	return TEST_SUCCESS;
}

/*
 * A segment mapped through the device file (uncached as far as the bus
 * asked) is what the kernel made of it: the vfio-pci patched for ENA
 * maps prefetchable BARs write-combining, and the PAT list shows it.
 */
static const char pat_list_patched_vfio[] =
	"PAT memtype list:\n"
	"PAT: [mem 0x00000000febf0000-0x00000000febf4000] uncached-minus\n"
	"PAT: [mem 0x00000000fc000000-0x00000000fc100000] write-combining\n";

static int
test_pat_effective_uncached_segment(void)
{
	char other[32];

	TEST_ASSERT_EQUAL(pci_wc_pat_effective(pat_list_patched_vfio, false,
		false, 0xfc000000, 0xfc100000, other), RTE_PCI_MEM_ATTR_WC,
		"device file mapping the kernel made write-combining");
	TEST_ASSERT_EQUAL(pci_wc_pat_effective(pat_list_patched_vfio, false,
		false, 0xfc0ff000, 0xfc100000, other), RTE_PCI_MEM_ATTR_WC,
		"last page of it");
	TEST_ASSERT_EQUAL(pci_wc_pat_effective(pat_list_patched_vfio, false,
		false, 0xfebf0000, 0xfebf4000, other), RTE_PCI_MEM_ATTR_UC,
		"registers BAR stays uncached");
	TEST_ASSERT(strcmp(other, "uncached-minus") == 0, "reason %s", other);
	TEST_ASSERT_EQUAL(pci_wc_pat_effective(NULL, false, true, 0xfc000000,
		0xfc100000, other), RTE_PCI_MEM_ATTR_UC,
		"no PAT list: uncached as mapped");
	return TEST_SUCCESS;
}

static struct unit_test_suite pci_wc_plan_suite = {
	.suite_name = "PCI write-combine mapping plan",
	.unit_test_cases = {
		TEST_CASE(test_no_request),
		TEST_CASE(test_small_bar_rounded),
		TEST_CASE(test_msix_start),
		TEST_CASE(test_msix_middle),
		TEST_CASE(test_msix_end),
		TEST_CASE(test_msix_unaligned_two_pages),
		TEST_CASE(test_msix_past_bar_end),
		TEST_CASE(test_msix_whole_bar),
		TEST_CASE(test_msix_mappable),
		TEST_CASE(test_sparse_areas),
		TEST_CASE(test_many_sparse_areas),
		TEST_CASE(test_zero_length),
		TEST_CASE(test_large_bar),
		TEST_CASE(test_wc_whole_bar_around_msix),
		TEST_CASE(test_wc_range_middle),
		TEST_CASE(test_wc_range_to_end),
		TEST_CASE(test_wc_overlapping_merge),
		TEST_CASE(test_wc_required_split),
		TEST_CASE(test_bad_ranges),
		TEST_CASE(test_bar_types),
		TEST_CASE(test_many_ranges),
		TEST_CASE(test_large_page),
		TEST_CASE(test_fallback_and_find),
		TEST_CASE(test_fuzz),
		TEST_CASE(test_pat_check),
		TEST_CASE(test_pat_effective),
		TEST_CASE(test_pat_effective_uncached_segment),
		TEST_CASES_END()
	}
};

static int
test_pci_wc_plan(void)
{
	return unit_test_suite_runner(&pci_wc_plan_suite);
}

REGISTER_TEST_COMMAND(pci_wc_plan_autotest, test_pci_wc_plan);
