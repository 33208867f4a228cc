/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_string_fns.h>

#include "pci_wc_pat.h"

#define PAT_WC_NAME "write-combining"
#define PAT_MAX_ENTRIES 64

struct pat_entry {
	uint64_t start;
	uint64_t end;
};

static bool
parse_line(const char *line, uint64_t *start, uint64_t *end, char type[32])
{
	return sscanf(line, "PAT: [mem 0x%" SCNx64 "-0x%" SCNx64 "] %31s",
			start, end, type) == 3;
}

/* Whether the WC entries cover [start, end) completely. */
static bool
covered(struct pat_entry *wc, unsigned int nb, uint64_t start, uint64_t end)
{
	uint64_t pos = start;
	bool progress = true;
	unsigned int i;

	/* Few entries: grow the covered prefix until it stops growing. */
	while (pos < end && progress) {
		progress = false;
		for (i = 0; i < nb; i++) {
			if (wc[i].start <= pos && wc[i].end > pos) {
				pos = wc[i].end;
				progress = true;
			}
		}
	}
	return pos >= end;
}

int
pci_wc_pat_check(const char *list, uint64_t start, uint64_t end,
		char other[32])
{
	struct pat_entry wc[PAT_MAX_ENTRIES];
	unsigned int nb_wc = 0;
	const char *line = list;

	while (line != NULL && *line != '\0') {
		uint64_t s, e;
		char type[32];

		if (parse_line(line, &s, &e, type) && s < end && e > start) {
			if (strcmp(type, PAT_WC_NAME) != 0) {
				strlcpy(other, type, 32);
				return PCI_WC_PAT_NOT_WC;
			}
			if (nb_wc < RTE_DIM(wc)) {
				wc[nb_wc].start = s;
				wc[nb_wc].end = e;
				nb_wc++;
			}
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	if (!covered(wc, nb_wc, start, end)) {
		strlcpy(other, "none", 32);
		return PCI_WC_PAT_NOT_WC;
	}
	return PCI_WC_PAT_WC;
}
