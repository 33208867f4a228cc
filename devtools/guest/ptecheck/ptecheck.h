/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ptecheck: report the page-table entry that maps a user virtual address.
 * Architecture hooks decode the entry's memory attribute.
 */
#ifndef PTECHECK_H
#define PTECHECK_H

#include <linux/types.h>

enum ptecheck_level {
	PTECHECK_LEVEL_PTE,
	PTECHECK_LEVEL_PMD,
	PTECHECK_LEVEL_PUD,
};

/**
 * ptecheck_arch_attr() - print the memory attribute an entry selects
 * @entry: raw value of a present leaf entry (or a pgprot value)
 * @level: page-table level the entry was found at (huge leaves encode
 *	   some attribute bits elsewhere)
 * @prefix: prefix of the printed keys, e.g. "" or "vma_"
 * @buf: output, e.g. "attr=WC pat_index=1"
 * @len: size of @buf
 *
 * The first key is "<prefix>attr=" followed by the architecture's name of
 * the memory type the hardware uses for the entry, decoded with the
 * attribute table the CPU actually holds (x86: the PAT MSR).
 *
 * Return: number of characters written, as scnprintf().
 */
int ptecheck_arch_attr(u64 entry, enum ptecheck_level level,
		       const char *prefix, char *buf, size_t len);

/**
 * ptecheck_arch_table() - print the CPU's memory attribute table
 * @buf: output, e.g. "pat=0x0407050600070106"
 * @len: size of @buf
 *
 * Return: number of characters written, as scnprintf().
 */
int ptecheck_arch_table(char *buf, size_t len);

#endif /* PTECHECK_H */
