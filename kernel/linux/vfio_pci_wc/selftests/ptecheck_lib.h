/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Query the ptecheck debug module (devtools/guest/ptecheck) for the
 * page-table entry that maps an address of this process.
 */
#ifndef PTECHECK_LIB_H
#define PTECHECK_LIB_H

#include <stddef.h>
#include <stdint.h>

#define PTECHECK_PATH "/sys/kernel/debug/ptecheck"
#define PTECHECK_LINE_MAX 256

/*
 * Fill @line with the module's report for @addr ("addr=... attr=WC ...",
 * without the newline). Returns 0 or -errno (-ENOENT: no mapping present,
 * e.g. not faulted in yet; -ENODEV: module not loaded).
 */
int ptecheck_query(const volatile void *addr, char *line, size_t len);

/*
 * The same for address @addr of process @pid (-ESRCH: no such process).
 */
int ptecheck_query_pid(int pid, uintptr_t addr, char *line, size_t len);

/*
 * Copy the value of @key (e.g. "attr", "vma_attr", "pfn") of a report
 * line into @val. Returns 0, or -ENOENT when the key is absent.
 */
int ptecheck_field(const char *line, const char *key, char *val, size_t len);

#endif /* PTECHECK_LIB_H */
