/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "pci_wc_plan.h"

/*
 * The plan of a BAR is built from elementary intervals: every boundary
 * (BAR end, sparse area, MSI-X hole, requested range) is collected, the
 * points are sorted, and each interval between two neighbours is
 * classified on its own. Neighbours of the same kind are then merged.
 * Nothing walks a BAR page by page: the cost depends on the number of
 * boundaries only, whatever the size of the BAR.
 */
struct bar_points {
	unsigned int nb;
	uint64_t *pt; /* room for every boundary of the BAR */
};

/* Boundaries kept on the stack; a BAR with more sparse areas allocates. */
#define PCI_WC_LOCAL_POINTS (4 + 2 * RTE_PCI_WC_MAX_RANGES + 2 * 16)

static void
points_add(struct bar_points *p, uint64_t v, uint64_t limit)
{
	if (v > limit)
		v = limit;
	p->pt[p->nb++] = v;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
points_sort_unique(struct bar_points *p)
{
	unsigned int i, n = 0;

	qsort(p->pt, p->nb, sizeof(p->pt[0]), cmp_u64);
	for (i = 0; i < p->nb; i++)
		if (n == 0 || p->pt[i] != p->pt[n - 1])
			p->pt[n++] = p->pt[i];
	p->nb = n;
}

static bool
in_area(const struct pci_wc_area *a, uint64_t off)
{
	return off >= a->offset && off - a->offset < a->len;
}

/* A sparse area shrunk to the whole pages it holds. */
static struct pci_wc_area
area_pages(const struct pci_wc_area *a, size_t page_size)
{
	struct pci_wc_area r;
	uint64_t start = RTE_ALIGN_CEIL(a->offset, (uint64_t)page_size);
	uint64_t end = RTE_ALIGN_FLOOR(a->offset + a->len,
			(uint64_t)page_size);

	r.offset = start;
	r.len = end > start ? end - start : 0;
	return r;
}

/* MSI-X table of this BAR, widened to whole pages; len 0 when none. */
static struct pci_wc_area
msix_hole(const struct pci_wc_plan_input *in, unsigned int bar)
{
	struct pci_wc_area hole = { 0, 0 };
	uint64_t end;

	if (in->msix_bar != (int)bar || in->msix_size == 0)
		return hole;
	hole.offset = RTE_ALIGN_FLOOR(in->msix_offset,
			(uint64_t)in->page_size);
	end = RTE_ALIGN_CEIL(in->msix_offset + in->msix_size,
			(uint64_t)in->page_size);
	hole.len = end - hole.offset;
	return hole;
}

/* Whether the kernel lets us mmap the page at off (sparse areas). */
static bool
in_mmap_area(const struct pci_wc_bar_desc *bd, size_t page_size,
		uint64_t off)
{
	struct pci_wc_area a;
	uint32_t i;

	if (bd->nb_areas == 0)
		return true;
	for (i = 0; i < bd->nb_areas; i++) {
		a = area_pages(&bd->areas[i], page_size);
		if (in_area(&a, off))
			return true;
	}
	return false;
}

static bool
is_mappable(const struct pci_wc_plan_input *in, unsigned int bar,
		uint64_t off)
{
	struct pci_wc_area hole = msix_hole(in, bar);

	return in_mmap_area(&in->bars[bar], in->page_size, off) &&
		!in_area(&hole, off);
}

static bool
range_is_whole_bar(const struct rte_pci_wc_range *r)
{
	return r->offset == 0 && (r->flags & RTE_PCI_WC_RANGE_F_TO_END);
}

/* End (exclusive) of a requested range in a BAR of map_len bytes. */
static uint64_t
range_end(const struct rte_pci_wc_range *r, uint64_t map_len)
{
	if (r->flags & RTE_PCI_WC_RANGE_F_TO_END)
		return map_len;
	return r->offset + r->len;
}

/*
 * Format a range as the user writes it in the "wc" device argument:
 * "BAR" for a whole BAR, "BAR:start-end" (end inclusive) otherwise.
 */
static void
range_str(char *buf, size_t len, const struct rte_pci_wc_range *r)
{
	if (range_is_whole_bar(r))
		snprintf(buf, len, "%u", r->bar);
	else if (r->flags & RTE_PCI_WC_RANGE_F_TO_END)
		snprintf(buf, len, "%u:0x%" PRIx64 "-end", r->bar, r->offset);
	else if (r->offset + r->len - 1 < r->offset)
		snprintf(buf, len, "%u:0x%" PRIx64 "+0x%" PRIx64, r->bar,
			r->offset, r->len);
	else
		snprintf(buf, len, "%u:0x%" PRIx64 "-0x%" PRIx64, r->bar,
			r->offset, r->offset + r->len - 1);
}

/* Start of the first page of [start, end) outside the sparse areas. */
static uint64_t
first_page_outside_areas(const struct pci_wc_bar_desc *bd, size_t page_size,
		uint64_t start, uint64_t end)
{
	uint64_t pos = start;
	bool progress = true;
	uint32_t i;

	if (bd->nb_areas == 0)
		return end;
	/* Grow the covered prefix until it stops growing (few areas). */
	while (pos < end && progress) {
		progress = false;
		for (i = 0; i < bd->nb_areas; i++) {
			struct pci_wc_area a = area_pages(&bd->areas[i],
					page_size);

			if (in_area(&a, pos)) {
				pos = a.offset + a.len;
				progress = true;
			}
		}
	}
	return RTE_MIN(pos, end);
}

/* Start of the first page of [start, end) in the MSI-X hole, or end. */
static uint64_t
first_page_in_msix(const struct pci_wc_plan_input *in, unsigned int bar,
		uint64_t start, uint64_t end)
{
	struct pci_wc_area hole = msix_hole(in, bar);

	if (hole.len == 0 || hole.offset >= end ||
			hole.offset + hole.len <= start)
		return end;
	return RTE_MAX(start, hole.offset);
}

static bool
bar_is_mappable_memory(const struct pci_wc_bar_desc *bd)
{
	return bd->size != 0 && (bd->flags & PCI_WC_BAR_MEM) &&
		(bd->flags & PCI_WC_BAR_MMAP);
}

/* Why a requested BAR cannot take WC at all; NULL when it can. */
static const char *
bar_unusable_reason(const struct pci_wc_plan_input *in, unsigned int bar,
		char *buf, size_t len)
{
	const struct pci_wc_bar_desc *bd = &in->bars[bar];

	if (bd->size == 0) {
		if (bar > 0 && (in->bars[bar - 1].flags & PCI_WC_BAR_64BIT) &&
				in->bars[bar - 1].size != 0)
			snprintf(buf, len,
				"is the upper half of 64-bit BAR %u", bar - 1);
		else
			snprintf(buf, len, "is not present");
		return buf;
	}
	if (!(bd->flags & PCI_WC_BAR_MEM))
		return "is an I/O BAR";
	if (!(bd->flags & PCI_WC_BAR_MMAP))
		return "cannot be mmapped";
	return NULL;
}

static int
check_range(const struct pci_wc_plan_input *in,
		const struct rte_pci_wc_range *r, char *err, size_t err_len)
{
	const uint64_t pg = in->page_size;
	char rs[64], why[64];
	const char *reason;
	uint64_t map_len, end, gap, msix;

	if (r->bar >= PCI_MAX_RESOURCE) {
		snprintf(err, err_len, "BAR %u does not exist (0 to %d)",
			r->bar, PCI_MAX_RESOURCE - 1);
		return -EINVAL;
	}
	if (r->reserved[0] || r->reserved[1] || r->reserved[2] ||
			(r->flags & ~(RTE_PCI_WC_RANGE_F_REQUIRED |
				RTE_PCI_WC_RANGE_F_TO_END))) {
		snprintf(err, err_len, "BAR %u: invalid flags 0x%x", r->bar,
			r->flags);
		return -EINVAL;
	}
	/* A computed length of 0 must not become "the rest of the BAR". */
	if (!(r->flags & RTE_PCI_WC_RANGE_F_TO_END) && r->len == 0) {
		snprintf(err, err_len,
			"range %u:0x%" PRIx64 ": length 0 (flag TO_END asks for the rest of the BAR)",
			r->bar, r->offset);
		return -EINVAL;
	}
	if ((r->flags & RTE_PCI_WC_RANGE_F_TO_END) && r->len != 0) {
		range_str(rs, sizeof(rs), r);
		snprintf(err, err_len,
			"range %s: length 0x%" PRIx64 " with flag TO_END",
			rs, r->len);
		return -EINVAL;
	}
	reason = bar_unusable_reason(in, r->bar, why, sizeof(why));
	if (reason != NULL) {
		snprintf(err, err_len, "BAR %u %s", r->bar, reason);
		return -EINVAL;
	}
	map_len = RTE_ALIGN_CEIL(in->bars[r->bar].size, pg);
	if (range_is_whole_bar(r))
		return 0;
	if (r->offset % pg || r->len % pg) {
		range_str(rs, sizeof(rs), r);
		snprintf(err, err_len,
			"range %s: not page aligned (page size 0x%zx)",
			rs, in->page_size);
		return -EINVAL;
	}
	if (r->offset >= map_len || r->len > map_len - r->offset) {
		range_str(rs, sizeof(rs), r);
		snprintf(err, err_len,
			"range %s: outside BAR %u (size 0x%" PRIx64 ")",
			rs, r->bar, in->bars[r->bar].size);
		return -EINVAL;
	}
	end = range_end(r, map_len);
	gap = first_page_outside_areas(&in->bars[r->bar], in->page_size,
			r->offset, end);
	msix = first_page_in_msix(in, r->bar, r->offset, end);
	if (gap < end || msix < end)
		range_str(rs, sizeof(rs), r);
	if (gap < end && gap <= msix) {
		snprintf(err, err_len,
			"range %s: page 0x%" PRIx64
			" is outside the mmap-able areas", rs, gap);
		return -EINVAL;
	}
	if (msix < end) {
		snprintf(err, err_len,
			"range %s: page 0x%" PRIx64 " holds the MSI-X table",
			rs, msix);
		return -EINVAL;
	}
	return 0;
}

/* WC request state of the elementary interval starting at off. */
static void
wc_request_at(const struct pci_wc_plan_input *in, unsigned int bar,
		uint64_t map_len, uint64_t off, bool *wc, bool *required)
{
	const struct pci_wc_bar_desc *bd = &in->bars[bar];
	unsigned int i;

	*wc = false;
	*required = false;
	if (in->wc_prefetchable && (bd->flags & PCI_WC_BAR_PREFETCH)) {
		*wc = true;
		*required = in->wc_prefetchable_required;
	}
	for (i = 0; i < in->nb_ranges; i++) {
		const struct rte_pci_wc_range *r = &in->ranges[i];

		if (r->bar != bar || off < r->offset ||
				off >= range_end(r, map_len))
			continue;
		*wc = true;
		if (r->flags & RTE_PCI_WC_RANGE_F_REQUIRED)
			*required = true;
	}
}

static void
collect_points(const struct pci_wc_plan_input *in, unsigned int bar,
		uint64_t map_len, struct bar_points *p)
{
	const struct pci_wc_bar_desc *bd = &in->bars[bar];
	struct pci_wc_area hole = msix_hole(in, bar);
	unsigned int i;

	p->nb = 0;
	points_add(p, 0, map_len);
	points_add(p, map_len, map_len);
	for (i = 0; i < bd->nb_areas; i++) {
		struct pci_wc_area a = area_pages(&bd->areas[i],
				in->page_size);

		points_add(p, a.offset, map_len);
		points_add(p, a.offset + a.len, map_len);
	}
	if (hole.len != 0) {
		points_add(p, hole.offset, map_len);
		points_add(p, hole.offset + hole.len, map_len);
	}
	for (i = 0; i < in->nb_ranges; i++) {
		const struct rte_pci_wc_range *r = &in->ranges[i];

		if (r->bar != bar)
			continue;
		points_add(p, r->offset, map_len);
		points_add(p, range_end(r, map_len), map_len);
	}
	points_sort_unique(p);
}

static bool
seg_same(const struct pci_wc_segment *a, const struct pci_wc_segment *b)
{
	return a->kind == b->kind && a->requested == b->requested &&
		a->required == b->required;
}

/* Append s, merged into the last segment when "same" and adjacent. */
static int
seg_append_merged(struct pci_wc_bar_plan *bp, const struct pci_wc_segment *s,
		bool (*same)(const struct pci_wc_segment *,
			const struct pci_wc_segment *))
{
	struct pci_wc_segment *last;

	if (bp->nb_segs > 0) {
		last = &bp->segs[bp->nb_segs - 1];
		if (same(last, s) && last->offset + last->len == s->offset) {
			last->len += s->len;
			return 0;
		}
	}
	if (bp->nb_segs == PCI_WC_MAX_SEGS)
		return -E2BIG;
	bp->segs[bp->nb_segs++] = *s;
	return 0;
}

static int
seg_append(struct pci_wc_bar_plan *bp, const struct pci_wc_segment *s)
{
	return seg_append_merged(bp, s, seg_same);
}

static void
classify(const struct pci_wc_plan_input *in, unsigned int bar,
		uint64_t map_len, uint64_t off, struct pci_wc_segment *s)
{
	bool wc, required;

	if (!is_mappable(in, bar, off)) {
		s->kind = PCI_WC_SEG_HOLE;
		s->requested = RTE_PCI_MEM_ATTR_UNMAPPED;
		return;
	}
	wc_request_at(in, bar, map_len, off, &wc, &required);
	s->kind = wc ? PCI_WC_SEG_WC : PCI_WC_SEG_UC;
	s->requested = wc ? RTE_PCI_MEM_ATTR_WC : RTE_PCI_MEM_ATTR_UC;
	s->required = wc && required;
}

static int
plan_bar(const struct pci_wc_plan_input *in, unsigned int bar,
		struct pci_wc_bar_plan *bp, char *err, size_t err_len)
{
	const struct pci_wc_bar_desc *bd = &in->bars[bar];
	size_t nb_points = 4 + 2 * (size_t)bd->nb_areas +
		2 * (size_t)in->nb_ranges;
	uint64_t local[PCI_WC_LOCAL_POINTS];
	struct bar_points p = { .pt = local };
	uint64_t map_len;
	unsigned int i;
	bool any_mapped = false;

	/* segments past nb_segs are never read: no need to clear them */
	bp->map_len = 0;
	bp->nb_segs = 0;
	bp->reserved = 0;
	if (!bar_is_mappable_memory(bd))
		return 0;
	map_len = RTE_ALIGN_CEIL(bd->size, (uint64_t)in->page_size);
	if (nb_points > RTE_DIM(local)) {
		p.pt = malloc(sizeof(p.pt[0]) * nb_points);
		if (p.pt == NULL) {
			snprintf(err, err_len, "BAR %u: out of memory", bar);
			return -ENOMEM;
		}
	}
	collect_points(in, bar, map_len, &p);

	for (i = 0; i + 1 < p.nb; i++) {
		struct pci_wc_segment s = {
			.offset = p.pt[i],
			.len = p.pt[i + 1] - p.pt[i],
		};

		classify(in, bar, map_len, s.offset, &s);
		any_mapped |= s.kind != PCI_WC_SEG_HOLE;
		if (seg_append(bp, &s) < 0) {
			if (p.pt != local)
				free(p.pt);
			snprintf(err, err_len,
				"BAR %u needs more than %d segments (%u mmap-able areas)",
				bar, PCI_WC_MAX_SEGS, bd->nb_areas);
			return -E2BIG;
		}
	}
	if (p.pt != local)
		free(p.pt);
	if (!any_mapped) {
		/* Nothing left to map (e.g. the MSI-X table fills it). */
		bp->nb_segs = 0;
		return 0;
	}
	bp->map_len = map_len;
	return 0;
}

/* A required WC range must not vanish because its BAR has nothing left. */
static int
check_required_mapped(const struct pci_wc_plan_input *in,
		const struct pci_wc_plan *plan, char *err, size_t err_len)
{
	unsigned int i;

	for (i = 0; i < in->nb_ranges; i++) {
		const struct rte_pci_wc_range *r = &in->ranges[i];

		if ((r->flags & RTE_PCI_WC_RANGE_F_REQUIRED) &&
				plan->bars[r->bar].map_len == 0) {
			snprintf(err, err_len,
				"range %u: BAR %u has no mmap-able page outside the MSI-X table",
				r->bar, r->bar);
			return -EINVAL;
		}
	}
	return 0;
}

int
pci_wc_plan_build(const struct pci_wc_plan_input *in,
		struct pci_wc_plan *plan, char *err, size_t err_len)
{
	unsigned int i;
	int ret;

	if (in == NULL || plan == NULL || in->page_size == 0 ||
			!rte_is_power_of_2(in->page_size) ||
			in->nb_ranges > RTE_PCI_WC_MAX_RANGES ||
			(in->nb_ranges != 0 && in->ranges == NULL)) {
		snprintf(err, err_len, "invalid mapping plan input");
		return -EINVAL;
	}
	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		if (in->bars[i].nb_areas != 0 && in->bars[i].areas == NULL) {
			snprintf(err, err_len, "invalid mapping plan input");
			return -EINVAL;
		}
	}
	for (i = 0; i < in->nb_ranges; i++) {
		ret = check_range(in, &in->ranges[i], err, err_len);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		ret = plan_bar(in, i, &plan->bars[i], err, err_len);
		if (ret < 0)
			return ret;
	}
	return check_required_mapped(in, plan, err, err_len);
}

unsigned int
pci_wc_plan_fallback_bar(struct pci_wc_bar_plan *bp)
{
	struct pci_wc_bar_plan old = *bp;
	unsigned int i, nb_wc = 0;

	bp->nb_segs = 0;
	for (i = 0; i < old.nb_segs; i++) {
		struct pci_wc_segment s = old.segs[i];

		if (s.kind == PCI_WC_SEG_WC) {
			s.kind = PCI_WC_SEG_UC;
			nb_wc++;
		}
		/* Merging never adds segments: this cannot fail. */
		seg_append(bp, &s);
	}
	return nb_wc;
}

const struct pci_wc_segment *
pci_wc_plan_find(const struct pci_wc_bar_plan *bp, uint64_t offset)
{
	uint32_t i;

	for (i = 0; i < bp->nb_segs; i++)
		if (offset >= bp->segs[i].offset &&
				offset - bp->segs[i].offset < bp->segs[i].len)
			return &bp->segs[i];
	return NULL;
}

static bool
seg_identical(const struct pci_wc_segment *a, const struct pci_wc_segment *b)
{
	return seg_same(a, b) && a->effective == b->effective;
}

/* Append s, merged into the last segment when identical and adjacent. */
static int
seg_append_exact(struct pci_wc_bar_plan *bp, const struct pci_wc_segment *s)
{
	if (s->len == 0)
		return 0;
	return seg_append_merged(bp, s, seg_identical);
}

static bool
seg_overlaps(const struct pci_wc_segment *s, uint64_t start, uint64_t end)
{
	return s->offset < end && s->offset + s->len > start;
}

/* Check the range against the mapped BAR; fills the window. */
static int
remap_check(const struct pci_wc_bar_plan *old, unsigned int bar,
		size_t page_size, uint64_t offset, uint64_t len,
		enum pci_wc_seg_kind kind, uint64_t *win_start,
		uint64_t *win_end, char *err, size_t err_len)
{
	const uint64_t pg = page_size;
	bool change = false;
	uint32_t i;

	if (kind != PCI_WC_SEG_UC && kind != PCI_WC_SEG_WC) {
		snprintf(err, err_len, "BAR %u: invalid attribute", bar);
		return -EINVAL;
	}
	if (old->map_len == 0) {
		snprintf(err, err_len, "BAR %u is not mapped", bar);
		return -ENODEV;
	}
	if (len == 0 || offset % pg != 0 || len % pg != 0) {
		snprintf(err, err_len,
			"BAR %u range offset 0x%" PRIx64 " length 0x%" PRIx64
			": %s (page size 0x%zx)", bar, offset, len,
			len == 0 ? "empty" : "not page aligned", page_size);
		return -EINVAL;
	}
	if (offset >= old->map_len || len > old->map_len - offset) {
		snprintf(err, err_len,
			"BAR %u range offset 0x%" PRIx64 " length 0x%" PRIx64
			": outside the mapped BAR (0x%" PRIx64 " bytes)",
			bar, offset, len, old->map_len);
		return -EINVAL;
	}
	*win_start = offset;
	*win_end = offset + len;
	for (i = 0; i < old->nb_segs; i++) {
		const struct pci_wc_segment *s = &old->segs[i];

		if (!seg_overlaps(s, offset, offset + len))
			continue;
		if (s->kind == PCI_WC_SEG_HOLE) {
			snprintf(err, err_len,
				"BAR %u range 0x%" PRIx64 "-0x%" PRIx64
				": 0x%" PRIx64 "-0x%" PRIx64
				" is not mapped (MSI-X table or not mmap-able)",
				bar, offset, offset + len - 1,
				RTE_MAX(s->offset, offset),
				RTE_MIN(s->offset + s->len, offset + len) - 1);
			return -EINVAL;
		}
		change |= s->kind != kind;
		if (s->kind == PCI_WC_SEG_WC) {
			*win_start = RTE_MIN(*win_start, s->offset);
			*win_end = RTE_MAX(*win_end, s->offset + s->len);
		}
	}
	if (!change)
		*win_start = *win_end = offset;
	return 0;
}

int
pci_wc_plan_remap(const struct pci_wc_bar_plan *old, unsigned int bar,
		size_t page_size, uint64_t offset, uint64_t len,
		enum pci_wc_seg_kind kind, struct pci_wc_bar_plan *new_plan,
		uint64_t *win_offset, uint64_t *win_len,
		char *err, size_t err_len)
{
	uint64_t start, end, end_range;
	uint32_t i;
	int ret;

	if (old == NULL || new_plan == NULL || page_size == 0 ||
			!rte_is_power_of_2(page_size)) {
		snprintf(err, err_len, "invalid remap input");
		return -EINVAL;
	}
	ret = remap_check(old, bar, page_size, offset, len, kind, &start,
			&end, err, err_len);
	if (ret < 0)
		return ret;
	if (start == end) { /* the range already has that kind */
		*new_plan = *old;
		*win_offset = offset;
		*win_len = 0;
		return 0;
	}
	memset(new_plan, 0, sizeof(*new_plan));
	new_plan->map_len = old->map_len;
	end_range = offset + len;
	for (i = 0; i < old->nb_segs; i++) {
		const struct pci_wc_segment *s = &old->segs[i];
		struct pci_wc_segment before = *s, in = *s, after = *s;
		uint64_t s_end = s->offset + s->len;

		if (!seg_overlaps(s, offset, end_range)) {
			before.len = s->len;
			in.len = after.len = 0;
		} else {
			before.len = s->offset < offset ? offset - s->offset : 0;
			in.offset = RTE_MAX(s->offset, offset);
			in.len = RTE_MIN(s_end, end_range) - in.offset;
			in.kind = kind;
			in.requested = kind == PCI_WC_SEG_WC ?
				RTE_PCI_MEM_ATTR_WC : RTE_PCI_MEM_ATTR_UC;
			in.effective = in.requested;
			in.required = 0;
			after.offset = in.offset + in.len;
			after.len = s_end > end_range ? s_end - end_range : 0;
		}
		if (seg_append_exact(new_plan, &before) < 0 ||
				seg_append_exact(new_plan, &in) < 0 ||
				seg_append_exact(new_plan, &after) < 0) {
			snprintf(err, err_len,
				"BAR %u needs more than %d segments",
				bar, PCI_WC_MAX_SEGS);
			return -E2BIG;
		}
	}
	*win_offset = start;
	*win_len = end - start;
	return 0;
}
