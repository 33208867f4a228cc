// SPDX-License-Identifier: GPL-2.0
/*
 * ptecheck: x86 decode of the cache mode of a page-table entry.
 *
 * The entry's PWT, PCD and PAT bits form an index into the PAT MSR; the
 * MSR (not the kernel's idea of it) says which memory type that index
 * selects. On 4K entries PAT is bit 7, on huge leaves bit 12.
 */
#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/pgtable_types.h>

#include "ptecheck.h"

/* rdmsrl() became rdmsrq() in Linux 6.16 */
#ifndef rdmsrq
#define rdmsrq(msr, val)	rdmsrl(msr, val)
#endif

static const char * const ptecheck_x86_types[8] = {
	[0] = "UC",
	[1] = "WC",
	[4] = "WT",
	[5] = "WP",
	[6] = "WB",
	[7] = "UC-",
};

static unsigned int ptecheck_x86_pat_index(u64 entry,
					   enum ptecheck_level level)
{
	u64 pat_bit = level == PTECHECK_LEVEL_PTE ? _PAGE_PAT : _PAGE_PAT_LARGE;
	unsigned int index = 0;

	if (entry & _PAGE_PWT)
		index |= 1;
	if (entry & _PAGE_PCD)
		index |= 2;
	if (entry & pat_bit)
		index |= 4;
	return index;
}

int ptecheck_arch_attr(u64 entry, enum ptecheck_level level,
		       const char *prefix, char *buf, size_t len)
{
	unsigned int index = ptecheck_x86_pat_index(entry, level);
	unsigned int type;
	const char *name;
	u64 pat;

	rdmsrq(MSR_IA32_CR_PAT, pat);
	type = (pat >> (index * 8)) & 7;
	name = ptecheck_x86_types[type];
	return scnprintf(buf, len, "%sattr=%s %spat_index=%u", prefix,
			 name ? name : "reserved", prefix, index);
}

int ptecheck_arch_table(char *buf, size_t len)
{
	u64 pat;

	rdmsrq(MSR_IA32_CR_PAT, pat);
	return scnprintf(buf, len, "pat=0x%016llx", pat);
}
