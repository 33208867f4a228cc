/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

/*
 * Cost of the write-combining mapping plan as a function of BAR size:
 * plans one device whose BAR 2 has SIZE bytes, an MSI-X table at 0x2000
 * and three write-combining ranges (one of them half the BAR), the
 * layout of a NIC with a large prefetchable BAR. Run it under callgrind
 * with --toggle-collect=pci_wc_plan_build to count the instructions of
 * the plan alone (devtools/tests.d/45-plan-cost.sh).
 *
 * usage: pci_wc_plan_cost <BAR size in bytes>
 */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci_wc_plan.h"

#define PG 0x1000

int
main(int argc, char **argv)
{
	static struct pci_wc_plan plan;
	struct pci_wc_plan_input in;
	struct rte_pci_wc_range ranges[3];
	const struct pci_wc_bar_plan *bp = &plan.bars[2];
	uint64_t size;
	char err[256];
	uint32_t i;

	if (argc != 2 || (size = strtoull(argv[1], NULL, 0)) < 0x100000) {
		fprintf(stderr, "usage: %s <BAR size, at least 1 MiB>\n", argv[0]);
		return 2;
	}
	memset(&in, 0, sizeof(in));
	memset(ranges, 0, sizeof(ranges));
	in.page_size = PG;
	in.bars[0].size = 0x4000;
	in.bars[0].flags = PCI_WC_BAR_MEM | PCI_WC_BAR_MMAP;
	in.bars[2].size = size;
	in.bars[2].flags = PCI_WC_BAR_MEM | PCI_WC_BAR_MMAP |
		PCI_WC_BAR_PREFETCH | PCI_WC_BAR_64BIT;
	in.msix_bar = 2;
	in.msix_offset = 0x2000;
	in.msix_size = 0x800;
	ranges[0].bar = 2;
	ranges[0].offset = 0x4000;
	ranges[0].len = size / 2 - 0x4000;
	ranges[0].flags = RTE_PCI_WC_RANGE_F_REQUIRED;
	ranges[1].bar = 2;
	ranges[1].offset = size / 2 + 0x10000;
	ranges[1].len = 0x10000;
	ranges[2].bar = 2;
	ranges[2].offset = size - PG;
	ranges[2].len = PG;
	in.ranges = ranges;
	in.nb_ranges = 3;

	if (pci_wc_plan_build(&in, &plan, err, sizeof(err)) != 0) {
		fprintf(stderr, "plan failed: %s\n", err);
		return 1;
	}
	/* the plan must be the expected one, whatever the size */
	if (bp->map_len != size || bp->nb_segs != 8) {
		fprintf(stderr, "unexpected plan: map_len 0x%" PRIx64 ", %u segments\n",
			bp->map_len, bp->nb_segs);
		return 1;
	}
	for (i = 0; i < bp->nb_segs; i++)
		printf("SEG bar=2 0x%" PRIx64 "+0x%" PRIx64 " kind=%u\n",
			bp->segs[i].offset, bp->segs[i].len, bp->segs[i].kind);
	return 0;
}
