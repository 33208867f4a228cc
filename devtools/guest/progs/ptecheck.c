/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptecheck: map a PCI BAR through its sysfs resource file and report the
 * page-table entry (and effective memory attribute) of the mapping.
 *
 * usage: ptecheck <bdf> <resource file> [--offset N] [--write STRING]
 *                 [--expect ATTR]
 * e.g.   ptecheck 0000:01:00.0 resource2_wc --offset 0x1000 --write abc
 *                 --expect WC
 * Prints the ptecheck report; exits 1 when --expect does not match.
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

static void
usage(void)
{
	fprintf(stderr, "usage: ptecheck <bdf> <resource file> [--offset N] "
		"[--write STRING] [--expect ATTR]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *bdf, *res, *data = NULL, *expect = NULL;
	char path[256], line[PTECHECK_LINE_MAX], attr[32] = "none";
	unsigned long off = 0;
	volatile char *bar;
	struct stat st;
	int fd, i, ret;

	if (argc < 3)
		usage();
	bdf = argv[1];
	res = argv[2];
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--offset") == 0 && i + 1 < argc)
			off = strtoul(argv[++i], NULL, 0);
		else if (strcmp(argv[i], "--write") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--expect") == 0 && i + 1 < argc)
			expect = argv[++i];
		else
			usage();
	}

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
	ret = ptecheck_query(bar + off, line, sizeof(line));
	if (ret < 0) {
		fprintf(stderr, "ptecheck: query: %s\n", strerror(-ret));
		return 1;
	}
	printf("%s %s\n", res, line);
	munmap((void *)bar, st.st_size);
	close(fd);
	if (expect == NULL)
		return 0;
	if (ptecheck_field(line, "attr", attr, sizeof(attr)) < 0 ||
	    strcmp(attr, expect) != 0) {
		fprintf(stderr, "ptecheck: %s at 0x%lx: attribute %s, expected %s\n",
			path, off, attr, expect);
		return 1;
	}
	return 0;
}
