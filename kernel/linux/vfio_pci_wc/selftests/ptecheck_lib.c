// SPDX-License-Identifier: BSD-3-Clause
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ptecheck_lib.h"

int
ptecheck_query(const volatile void *addr, char *line, size_t len)
{
	return ptecheck_query_pid(0, (uintptr_t)addr, line, len);
}

int
ptecheck_query_pid(int pid, uintptr_t addr, char *line, size_t len)
{
	char req[48];
	ssize_t n;
	int fd, ret = 0;

	fd = open(PTECHECK_PATH, O_RDWR);
	if (fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	if (pid > 0)
		snprintf(req, sizeof(req), "%d 0x%lx", pid, (unsigned long)addr);
	else
		snprintf(req, sizeof(req), "0x%lx", (unsigned long)addr);
	if (write(fd, req, strlen(req)) < 0) {
		ret = -errno;
		goto out;
	}
	n = read(fd, line, len - 1);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	line[n] = '\0';
	line[strcspn(line, "\n")] = '\0';
out:
	close(fd);
	return ret;
}

int
ptecheck_field(const char *line, const char *key, char *val, size_t len)
{
	size_t klen = strlen(key);
	const char *p = line;

	while (*p != '\0') {
		size_t wlen = strcspn(p, " ");

		if (wlen > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t vlen = wlen - klen - 1;

			if (vlen >= len)
				vlen = len - 1;
			memcpy(val, p + klen + 1, vlen);
			val[vlen] = '\0';
			return 0;
		}
		p += wlen;
		p += strspn(p, " ");
	}
	return -ENOENT;
}
