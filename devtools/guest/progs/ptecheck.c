/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptecheck: map a PCI BAR through its sysfs resource file (or anonymous
 * memory) and report the page-table entry and effective memory attribute
 * of the mapping.
 *
 * usage: ptecheck <bdf> <resource file> [--offset N] [--write STRING]
 *                 [--expect ATTR] [--expect-level LEVEL]
 *        ptecheck --anon [--huge] [--expect ATTR] [--expect-level LEVEL]
 *        ptecheck --pid PID <bdf>
 * e.g.   ptecheck 0000:01:00.0 resource2_wc --offset 0x1000 --write abc
 *                 --expect WC
 *        ptecheck --anon --huge --expect WB --expect-level pmd
 * Prints the ptecheck report; exits 1 when an expectation does not match.
 * --pid: the memory types of the pages of the device's BARs that process
 * PID has mapped (VFIO device file and dma-buf mappings), from the page
 * tables, one line per range of one type:
 *   RANGE bar=4 0x3000-0x3fff NORMAL_NC
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
#define NB_BARS 6
#define MAX_PAGES 8192

/* A page of a BAR mapped by another process, and its memory type */
struct bar_page {
	unsigned int bar;
	unsigned long off;
	char attr[32];
};

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
		"[--expect-level LEVEL]\n"
		"       ptecheck --pid PID <bdf>\n");
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

/* Memory BARs of @bdf from sysfs: start and end address, 0 when none */
static int
read_bars(const char *bdf, unsigned long start[], unsigned long end[])
{
	unsigned long long s, e, flags;
	char path[256];
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "ptecheck: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (i = 0; i < NB_BARS; i++) {
		start[i] = end[i] = 0;
		if (fscanf(f, "%llx %llx %llx", &s, &e, &flags) != 3)
			break;
		if (flags & 0x200) {	/* IORESOURCE_MEM */
			start[i] = s;
			end[i] = e;
		}
	}
	fclose(f);
	return 0;
}

static int
cmp_page(const void *a, const void *b)
{
	const struct bar_page *x = a, *y = b;

	if (x->bar != y->bar)
		return x->bar < y->bar ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* Record the BAR page mapped at @addr in process @pid, if any */
static void
probe_page(int pid, unsigned long addr, const unsigned long start[],
	const unsigned long end[], struct bar_page *pages, unsigned int *nb)
{
	char line[PTECHECK_LINE_MAX], val[32];
	unsigned long phys;
	unsigned int i;

	if (*nb >= MAX_PAGES ||
	    ptecheck_query_pid(pid, addr, line, sizeof(line)) < 0 ||
	    ptecheck_field(line, "pfn", val, sizeof(val)) < 0)
		return;	/* not faulted in */
	phys = strtoul(val, NULL, 0) * (unsigned long)sysconf(_SC_PAGESIZE);
	for (i = 0; i < NB_BARS; i++) {
		if (end[i] == 0 || phys < start[i] || phys > end[i])
			continue;
		pages[*nb].bar = i;
		pages[*nb].off = phys - start[i];
		if (ptecheck_field(line, "attr", pages[*nb].attr,
				   sizeof(pages[*nb].attr)) < 0)
			strcpy(pages[*nb].attr, "unknown");
		(*nb)++;
		return;
	}
}

/* The memory types of the pages of @bdf's BARs mapped by process @pid */
static int
show_process(int pid, const char *bdf)
{
	static struct bar_page pages[MAX_PAGES];
	unsigned long start[NB_BARS], end[NB_BARS], s, e, a;
	unsigned long pg = sysconf(_SC_PAGESIZE);
	unsigned int nb = 0, i, j;
	char path[64], line[512];
	FILE *f;

	if (read_bars(bdf, start, end) < 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "ptecheck: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		/* BARs are mapped through the VFIO device file or a dma-buf */
		if (sscanf(line, "%lx-%lx", &s, &e) != 2 ||
		    (strstr(line, "vfio-device") == NULL &&
		     strstr(line, "dmabuf") == NULL))
			continue;
		for (a = s; a < e; a += pg)
			probe_page(pid, a, start, end, pages, &nb);
	}
	fclose(f);
	qsort(pages, nb, sizeof(pages[0]), cmp_page);
	for (i = 0; i < nb; i = j) {
		for (j = i + 1; j < nb && pages[j].bar == pages[i].bar &&
		     pages[j].off == pages[j - 1].off + pg &&
		     strcmp(pages[j].attr, pages[i].attr) == 0; j++)
			;
		printf("RANGE bar=%u 0x%lx-0x%lx %s\n", pages[i].bar,
		       pages[i].off, pages[j - 1].off + pg - 1, pages[i].attr);
	}
	if (nb == 0)
		printf("RANGE none\n");
	return 0;
}

int
main(int argc, char **argv)
{
	const char *bdf = NULL, *res = NULL, *data = NULL;
	struct expect exp = { NULL, NULL };
	char path[256];
	unsigned long off = 0;
	volatile char *bar;
	int fd, i, ret, anon = 0, huge = 0, pid = 0;
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
		else if (strcmp(argv[i], "--pid") == 0 && i + 1 < argc)
			pid = atoi(argv[++i]);
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
	if (pid > 0 && bdf != NULL)
		return show_process(pid, bdf);
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
