/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <inttypes.h>
#include <stdbool.h>
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

/* A hexadecimal number at *p, which moves past it. */
static bool
parse_hex(const char **p, uint64_t *val)
{
	const char *c = *p;
	uint64_t v = 0;
	unsigned int n;
	int d;

	for (n = 0; ; c++, n++) {
		if (*c >= '0' && *c <= '9')
			d = *c - '0';
		else if (*c >= 'a' && *c <= 'f')
			d = *c - 'a' + 10;
		else if (*c >= 'A' && *c <= 'F')
			d = *c - 'A' + 10;
		else
			break;
		if (n == 16)
			return false; /* more than 64 bits */
		v = v << 4 | d;
	}
	if (n == 0)
		return false;
	*p = c;
	*val = v;
	return true;
}

/*
 * "PAT: [mem 0x<start>-0x<end>] <type>": the range, and *type pointing
 * at the type. Parsed by hand: the list has an entry per mapping of the
 * whole system, and a sscanf() per line made this check the largest
 * cost of mapping a device write-combining.
 */
static bool
parse_range(const char *line, uint64_t *start, uint64_t *end,
		const char **type)
{
	static const char head[] = "PAT: [mem 0x";
	const char *p = line;

	if (strncmp(p, head, sizeof(head) - 1) != 0)
		return false;
	p += sizeof(head) - 1;
	if (!parse_hex(&p, start) || strncmp(p, "-0x", 3) != 0)
		return false;
	p += 3;
	if (!parse_hex(&p, end) || strncmp(p, "] ", 2) != 0)
		return false;
	*type = p + 2;
	return true;
}

/* The type word of a line into type[32] (truncated like "%31s"). */
static void
copy_type(const char *p, char type[32])
{
	size_t n = strcspn(p, " \t\n");

	n = RTE_MIN(n, (size_t)31);
	memcpy(type, p, n);
	type[n] = '\0';
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
		const char *p;
		uint64_t s, e;
		char type[32];

		if (parse_range(line, &s, &e, &p) && s < end && e > start) {
			copy_type(p, type);
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

enum rte_pci_mem_attr
pci_wc_pat_effective(const char *list, bool mapped_wc, bool trusted_driver,
		uint64_t start, uint64_t end, char other[32])
{
	if (list != NULL)
		return pci_wc_pat_check(list, start, end, other) ==
			PCI_WC_PAT_WC ? RTE_PCI_MEM_ATTR_WC : RTE_PCI_MEM_ATTR_UC;
	if (!mapped_wc)
		return RTE_PCI_MEM_ATTR_UC;
	return trusted_driver ? RTE_PCI_MEM_ATTR_WC :
		RTE_PCI_MEM_ATTR_WC_UNVERIFIED;
}
