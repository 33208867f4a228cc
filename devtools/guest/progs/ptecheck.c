/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptecheck: map a PCI BAR through its sysfs resource file (or anonymous
 * memory) and report the page-table entry and effective memory attribute
 * of the mapping.
 *
 * usage: ptecheck <bdf> <resource file> [--offset N] [--write STRING]
 *                 [--expect ATTR] [--expect-level LEVEL]
 *        ptecheck --anon [--huge] [--expect ATTR] [--expect-level LEVEL]
 * e.g.   ptecheck 0000:01:00.0 resource2_wc --offset 0x1000 --write abc
 *                 --expect WC
 *        ptecheck --anon --huge --expect WB --expect-level pmd
 * Prints the ptecheck report; exits 1 when an expectation does not match.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ptecheck_lib.h"

#define HUGE_SIZE (2u << 20)

struct expect {
	const char *attr;
	const char *level;
};

static void
usage(void)
{
	fprintf(stderr, "usage: ptecheck <bdf> <resource file> [--offset N] "
		"[--write STRING] [--expect ATTR] [--expect-level LEVEL]\n"
		"       ptecheck --anon [--huge] [--expect ATTR] "
		"[--expect-level LEVEL]\n");
	exit(2);
}

/* Query the entry of @addr, print the report, check the expectations. */
static int
report(const char *what, const volatile char *addr, const struct expect *exp)
{
	char line[PTECHECK_LINE_MAX], val[32];
	const char *key[2] = { "attr", "level" };
	const char *want[2] = { exp->attr, exp->level };
	int i, ret;

	ret = ptecheck_query(addr, line, sizeof(line));
	if (ret < 0) {
		fprintf(stderr, "ptecheck: query: %s\n", strerror(-ret));
		return 1;
	}
	printf("%s %s\n", what, line);
	for (i = 0; i < 2; i++) {
		if (want[i] == NULL)
			continue;
		if (ptecheck_field(line, key[i], val, sizeof(val)) < 0)
			strcpy(val, "none");
		if (strcmp(val, want[i]) != 0) {
			fprintf(stderr, "ptecheck: %s: %s %s, expected %s\n",
				what, key[i], val, want[i]);
			return 1;
		}
	}
	return 0;
}

/* Anonymous memory, 4K pages or one 2 MiB hugetlb page: normally WB. */
static int
check_anon(int huge, const struct expect *exp)
{
	size_t size = huge ? HUGE_SIZE : 4096;
	volatile char *mem;
	int ret;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | (huge ? MAP_HUGETLB : 0), -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "ptecheck: mmap %s memory: %s\n",
			huge ? "hugetlb" : "anonymous", strerror(errno));
		return 1;
	}
	mem[0] = 1;
	ret = report(huge ? "anon-huge" : "anon", mem, exp);
	munmap((void *)mem, size);
	return ret;
}

int
main(int argc, char **argv)
{
	const char *bdf = NULL, *res = NULL, *data = NULL;
	struct expect exp = { NULL, NULL };
	char path[256];
	unsigned long off = 0;
	volatile char *bar;
	int fd, i, ret, anon = 0, huge = 0;
	struct stat st;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--offset") == 0 && i + 1 < argc)
			off = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
			exp.attr = argv[++i];
		else if (strcmp(argv[i], "--expect-level") == 0 && i + 1 < argc)
			exp.level = argv[++i];
		else if (strcmp(argv[i], "--anon") == 0)
			anon = 1;
		else if (strcmp(argv[i], "--huge") == 0)
			huge = 1;
		else if (argv[i][0] != '-' && bdf == NULL)
			bdf = argv[i];
		else if (argv[i][0] != '-' && res == NULL)
			res = argv[i];
		else
			usage();
	}
	if (anon)
		return check_anon(huge, &exp);
	if (bdf == NULL || res == NULL)
		usage();

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, res);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "ptecheck: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (off >= (unsigned long)st.st_size ||
	    (data != NULL && off + strlen(data) > (unsigned long)st.st_size)) {
		fprintf(stderr, "ptecheck: offset 0x%lx outside %s (size 0x%lx)\n",
			off, path, (unsigned long)st.st_size);
		return 1;
	}
	bar = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		fprintf(stderr, "ptecheck: mmap %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (data != NULL) {
		for (i = 0; data[i] != '\0'; i++)
			bar[off + i] = data[i];
	} else {
		/* Fault the page in so that its entry exists. */
		(void)bar[off];
	}
	ret = report(res, bar + off, &exp);
	munmap((void *)bar, st.st_size);
	close(fd);
	return ret;
}
