/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpdk-wc-probe: a DPDK process that probes ivshmem (1af4:1110) through
 * the PCI bus with a minimal driver, the way a PMD does (NEED_MAPPING and
 * WC_ACTIVATE, like net/ena), so that the whole bus path runs: "wc"
 * device argument, mapping plan, VFIO mapping, query API, telemetry,
 * multi-process, hot-unplug. It reports facts; the guest tests assert.
 *
 * usage: dpdk-wc-probe <EAL args> -- --dev <BDF> [action...]
 * Actions, run in order:
 *   --show                 one "SEG" line per BAR segment (attributes,
 *                          address, page-table verdict) and the "PAT"
 *                          lines of pat_memtype_list over each BAR
 *   --write BAR:OFF:TEXT   store TEXT at BAR offset OFF, read it back
 *   --poke BAR:OFF:HEX32   32-bit store to a register, read it back
 *   --attr BAR:OFF         "ATTR" line: rte_pci_mem_attr_get()
 *   --remap BAR:START-END:wc|uc
 *                          rte_pci_mem_remap() of that range (END
 *                          inclusive): "REMAP" line with the result
 *   --remap-refused BAR:START-END:wc|uc
 *                          the same, expected to fail: "REFUSED" line
 *                          with the error (an ERROR when it succeeds)
 *   --telemetry CMD        "TELEMETRY" line: this process's reply to CMD
 *   --hold FILE            print "READY FILE", wait until FILE exists
 *   --remove               rte_dev_remove(), then "LEAK" lines for any
 *                          mapping left over the BARs' old addresses
 *   --no-leftover          "LEAK" lines (and failure) for any VFIO device
 *                          or dma-buf mapping in this process
 *   --probe DEVARGS        rte_dev_probe(DEVARGS)
 *   --bench N              N rounds of remove + timed rte_dev_probe with
 *                          wc=auto and wc=off; "BENCH" lines
 * Exit status 0 when every action succeeded; "ERROR:" lines otherwise.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <bus_pci_driver.h>
#include <rte_bus_pci_wc.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_io.h>

#include "ptecheck_lib.h"

#define MAX_SEGS 512
#define PAT_LIST "/sys/kernel/debug/x86/pat_memtype_list"

static struct rte_pci_device *probed;
static int nb_probes;

static int
ivshmem_probe(struct rte_pci_driver *drv __rte_unused,
		struct rte_pci_device *dev)
{
	probed = dev;
	nb_probes++;
	printf("PROBED %s\n", dev->name);
	return 0;
}

static int
ivshmem_remove(struct rte_pci_device *dev __rte_unused)
{
	probed = NULL;
	return 0;
}

static const struct rte_pci_id ivshmem_ids[] = {
	{ RTE_PCI_DEVICE(0x1af4, 0x1110) },
	{ .vendor_id = 0 },
};

static struct rte_pci_driver ivshmem_drv = {
	.id_table = ivshmem_ids,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING | RTE_PCI_DRV_WC_ACTIVATE,
	.probe = ivshmem_probe,
	.remove = ivshmem_remove,
};

RTE_PMD_REGISTER_PCI(wc_test_ivshmem, ivshmem_drv);

static int nb_errors;

#define ERROR(...) do { printf("ERROR: " __VA_ARGS__); printf("\n"); \
	nb_errors++; } while (0)

/* Print the PAT list lines overlapping [start, end). */
static void
print_pat_lines(const char *tag, unsigned int bar, uint64_t start,
		uint64_t end)
{
	char line[256];
	uint64_t s, e;
	FILE *f;

	f = fopen(PAT_LIST, "r");
	if (f == NULL) {
		printf("%s bar=%u none (%s: %s)\n", tag, bar, PAT_LIST,
			strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "PAT: [mem 0x%" SCNx64 "-0x%" SCNx64 "]",
				&s, &e) != 2)
			continue;
		if (s < end && e > start)
			printf("%s bar=%u %s", tag, bar, line);
	}
	fclose(f);
}

static const char *
pte_attr(const volatile void *addr, char *buf, size_t len)
{
	char line[PTECHECK_LINE_MAX];
	int ret;

	ret = ptecheck_query(addr, line, sizeof(line));
	if (ret < 0 || ptecheck_field(line, "attr", buf, len) < 0)
		snprintf(buf, len, "unknown(%s)", strerror(-ret));
	return buf;
}

static int
get_segments(struct rte_pci_mem_segment *segs)
{
	int nb = rte_pci_mem_segments_get(probed, segs, MAX_SEGS);

	if (nb < 0 || nb > MAX_SEGS) {
		ERROR("rte_pci_mem_segments_get: %d", nb);
		return 0;
	}
	return nb;
}

static void
action_show(void)
{
	static struct rte_pci_mem_segment segs[MAX_SEGS];
	char pte[64];
	unsigned int bar;
	int i, nb;

	nb = get_segments(segs);
	printf("SEGMENTS %s %d\n", probed->name, nb);
	for (i = 0; i < nb; i++) {
		volatile uint32_t *p = segs[i].addr;

		/* fault the page in, so that its page-table entry exists */
		if (p != NULL)
			(void)*p;
		printf("SEG %s bar=%u range=0x%" PRIx64 "-0x%" PRIx64
			" requested=%s effective=%s addr=%p pte=%s\n",
			probed->name, segs[i].bar, segs[i].offset,
			segs[i].offset + segs[i].len - 1,
			rte_pci_mem_attr_name(segs[i].requested),
			rte_pci_mem_attr_name(segs[i].effective),
			segs[i].addr,
			p == NULL ? "none" : pte_attr(p, pte, sizeof(pte)));
	}
	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
		const struct rte_mem_resource *r = &probed->mem_resource[bar];

		if (r->len != 0 && r->addr != NULL)
			print_pat_lines("PAT", bar, r->phys_addr,
				r->phys_addr + r->len);
	}
}

static void *
bar_ptr(unsigned int bar, uint64_t off, size_t len)
{
	const struct rte_mem_resource *r;

	if (probed == NULL || bar >= PCI_MAX_RESOURCE)
		return NULL;
	r = &probed->mem_resource[bar];
	if (r->addr == NULL || off + len > r->len)
		return NULL;
	return RTE_PTR_ADD(r->addr, off);
}

static void
action_write(const char *arg)
{
	unsigned int bar;
	uint64_t off;
	int pos = 0;
	const char *text;
	volatile char *p;
	char pte[64];
	size_t i, len;

	if (sscanf(arg, "%u:%" SCNi64 ":%n", &bar, &off, &pos) != 2 ||
			pos == 0) {
		ERROR("bad --write argument '%s'", arg);
		return;
	}
	text = arg + pos;
	len = strlen(text);
	p = bar_ptr(bar, off, len);
	if (p == NULL) {
		ERROR("BAR%u offset 0x%" PRIx64 " not mapped", bar, off);
		return;
	}
	for (i = 0; i < len; i++)
		p[i] = text[i];
	rte_wmb();
	for (i = 0; i < len; i++)
		if (p[i] != text[i]) {
			ERROR("BAR%u+0x%" PRIx64 ": read back differs at %zu",
				bar, off, i);
			return;
		}
	printf("WROTE bar=%u off=0x%" PRIx64 " len=%zu pte=%s\n", bar, off,
		len, pte_attr(p, pte, sizeof(pte)));
}

static void
action_poke(const char *arg)
{
	unsigned int bar;
	uint64_t off;
	uint32_t val, got;
	volatile uint32_t *p;
	char pte[64];

	if (sscanf(arg, "%u:%" SCNi64 ":%" SCNx32, &bar, &off, &val) != 3) {
		ERROR("bad --poke argument '%s'", arg);
		return;
	}
	p = bar_ptr(bar, off, sizeof(val));
	if (p == NULL) {
		ERROR("BAR%u offset 0x%" PRIx64 " not mapped", bar, off);
		return;
	}
	rte_write32(val, p);
	got = rte_read32(p);
	printf("POKE bar=%u off=0x%" PRIx64 " wrote=0x%08" PRIx32
		" read=0x%08" PRIx32 " pte=%s\n", bar, off, val, got,
		pte_attr(p, pte, sizeof(pte)));
	if (got != val)
		ERROR("BAR%u+0x%" PRIx64 " reads 0x%08" PRIx32 " after writing 0x%08" PRIx32,
			bar, off, got, val);
}

static void
action_attr(const char *arg)
{
	unsigned int bar;
	uint64_t off;
	int attr;

	if (sscanf(arg, "%u:%" SCNi64, &bar, &off) != 2) {
		ERROR("bad --attr argument '%s'", arg);
		return;
	}
	attr = rte_pci_mem_attr_get(probed, bar, off);
	printf("ATTR bar=%u off=0x%" PRIx64 " %s\n", bar, off,
		attr < 0 ? strerror(-attr) : rte_pci_mem_attr_name(attr));
}

/* --remap and --remap-refused */
static void
action_remap(const char *arg, bool expect_ok)
{
	uint64_t start, end;
	unsigned int bar;
	char attr[4];
	int ret;

	if (sscanf(arg, "%u:%" SCNi64 "-%" SCNi64 ":%3s", &bar, &start, &end,
			attr) != 4 || end < start ||
			(strcmp(attr, "wc") != 0 && strcmp(attr, "uc") != 0)) {
		ERROR("bad --remap argument '%s'", arg);
		return;
	}
	ret = rte_pci_mem_remap(probed, bar, start, end - start + 1,
		strcmp(attr, "wc") == 0 ? RTE_PCI_MEM_ATTR_WC :
		RTE_PCI_MEM_ATTR_UC);
	if (expect_ok) {
		printf("REMAP bar=%u range=0x%" PRIx64 "-0x%" PRIx64 " %s: %s\n",
			bar, start, end, attr, ret == 0 ? "ok" : strerror(-ret));
		if (ret != 0)
			ERROR("rte_pci_mem_remap(%s): %s", arg, strerror(-ret));
	} else {
		printf("REFUSED bar=%u range=0x%" PRIx64 "-0x%" PRIx64 " %s: %s\n",
			bar, start, end, attr, ret == 0 ? "ok" : strerror(-ret));
		if (ret == 0)
			ERROR("rte_pci_mem_remap(%s) succeeded", arg);
	}
}

/* Ask this process's own telemetry socket. */
static void
action_telemetry(const char *cmd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	static char buf[16384];
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ERROR("telemetry socket %s: %s", sun.sun_path, strerror(errno));
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1); /* the greeting */
	if (n <= 0 || write(fd, cmd, strlen(cmd)) < 0) {
		ERROR("telemetry: %s", strerror(errno));
		goto out;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		ERROR("telemetry: no reply to %s", cmd);
		goto out;
	}
	buf[n] = '\0';
	printf("TELEMETRY %s\n", buf);
out:
	if (fd >= 0)
		close(fd);
}

static void
action_hold(const char *file)
{
	printf("READY %s\n", file);
	fflush(stdout);
	while (access(file, F_OK) != 0)
		usleep(20 * 1000);
}

struct va_range {
	uintptr_t start, end;
};

/* Print the mappings of this process that overlap one of the ranges. */
static int
report_leaks(const struct va_range *r, int nb)
{
	char line[512];
	uintptr_t s, e;
	int i, leaks = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL) {
		ERROR("/proc/self/maps: %s", strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &s, &e) != 2)
			continue;
		for (i = 0; i < nb; i++)
			if (s < r[i].end && e > r[i].start) {
				printf("LEAK %s", line);
				leaks++;
				break;
			}
	}
	fclose(f);
	return leaks;
}

static void
action_remove(void)
{
	struct va_range ranges[PCI_MAX_RESOURCE];
	struct rte_pci_device *dev = probed;
	int bar, nb = 0, ret;

	if (dev == NULL) {
		ERROR("--remove: no device probed");
		return;
	}
	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
		const struct rte_mem_resource *r = &dev->mem_resource[bar];

		if (r->addr == NULL)
			continue;
		ranges[nb].start = (uintptr_t)r->addr;
		ranges[nb].end = (uintptr_t)r->addr + RTE_ALIGN_CEIL(r->len,
			(uint64_t)sysconf(_SC_PAGESIZE));
		nb++;
	}
	ret = rte_dev_remove(&dev->device);
	if (ret != 0) {
		ERROR("rte_dev_remove: %s", strerror(-ret));
		return;
	}
	ret = report_leaks(ranges, nb);
	if (ret > 0)
		ERROR("%d mappings left over the BARs after rte_dev_remove",
			ret);
	printf("REMOVED %s (%d BAR ranges checked, %d left mapped)\n",
		dev->name, nb, ret);
}

/* No mapping of a VFIO device fd or of a dma-buf is left. */
static void
action_no_leftover(void)
{
	char line[512];
	int leaks = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL) {
		ERROR("/proc/self/maps: %s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "vfio") != NULL ||
				strstr(line, "dmabuf") != NULL) {
			printf("LEAK %s", line);
			leaks++;
		}
	fclose(f);
	if (leaks != 0)
		ERROR("%d VFIO or dma-buf mappings left", leaks);
	printf("NO-LEFTOVER %s\n", leaks == 0 ? "ok" : "failed");
}

static int
probe(const char *devargs)
{
	int ret = rte_dev_probe(devargs);

	if (ret != 0)
		printf("PROBE-FAILED %s: %s\n", devargs, strerror(-ret));
	return ret;
}

static int
count_wc(void)
{
	static struct rte_pci_mem_segment segs[MAX_SEGS];
	int i, nb, wc = 0;

	nb = get_segments(segs);
	for (i = 0; i < nb; i++)
		if (segs[i].effective == RTE_PCI_MEM_ATTR_WC ||
				segs[i].effective == RTE_PCI_MEM_ATTR_WC_UNVERIFIED)
			wc++;
	return wc;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Probe + map time with wc=auto and wc=off, interleaved so that both
 * see the same machine noise; medians and their ratio.
 */
static void
action_bench(const char *dev_name, const char *arg)
{
	static const char *const modes[2] = { "auto", "off" };
	uint64_t *t[2], med[2], hz = rte_get_tsc_hz();
	char devargs[128];
	int i, m, n = atoi(arg);

	if (n <= 0 || n > 10000) {
		ERROR("bad --bench count '%s'", arg);
		return;
	}
	t[0] = calloc(n, sizeof(uint64_t));
	t[1] = calloc(n, sizeof(uint64_t));
	if (t[0] == NULL || t[1] == NULL) {
		ERROR("out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (m = 0; m < 2; m++) {
			uint64_t start;
			int wc;

			if (probed != NULL &&
					rte_dev_remove(&probed->device) != 0) {
				ERROR("rte_dev_remove failed in round %d", i);
				goto out;
			}
			snprintf(devargs, sizeof(devargs), "%s,wc=%s",
				dev_name, modes[m]);
			start = rte_rdtsc_precise();
			if (probe(devargs) != 0 || probed == NULL) {
				ERROR("probe %s failed in round %d", devargs, i);
				goto out;
			}
			t[m][i] = rte_rdtsc_precise() - start;
			wc = count_wc();
			if ((m == 0) != (wc > 0)) {
				ERROR("wc=%s gave %d write-combining segments",
					modes[m], wc);
				goto out;
			}
		}
	}
	for (m = 0; m < 2; m++) {
		qsort(t[m], n, sizeof(uint64_t), cmp_u64);
		med[m] = t[m][n / 2];
		printf("BENCH wc=%s rounds=%d median_us=%.1f min_us=%.1f max_us=%.1f\n",
			modes[m], n, med[m] * 1e6 / hz, t[m][0] * 1e6 / hz,
			t[m][n - 1] * 1e6 / hz);
	}
	printf("BENCH ratio auto/off=%.3f\n", (double)med[0] / med[1]);
out:
	free(t[0]);
	free(t[1]);
}

int
main(int argc, char **argv)
{
	const char *dev_name = NULL;
	int i, ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		printf("ERROR: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 2;
	}
	argc -= ret;
	argv += ret;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool needs_dev = strcmp(a, "--dev") != 0 &&
			strcmp(a, "--probe") != 0 &&
			strcmp(a, "--hold") != 0 && strcmp(a, "--bench") != 0 &&
			strcmp(a, "--telemetry") != 0 &&
			strcmp(a, "--no-leftover") != 0;

		if (needs_dev && probed == NULL) {
			ERROR("%s: %s is not probed", a,
				dev_name != NULL ? dev_name : "the device");
			break;
		}
		if (strcmp(a, "--dev") == 0 && v != NULL) {
			dev_name = v;
			i++;
		} else if (strcmp(a, "--show") == 0) {
			action_show();
		} else if (strcmp(a, "--write") == 0 && v != NULL) {
			action_write(v);
			i++;
		} else if (strcmp(a, "--poke") == 0 && v != NULL) {
			action_poke(v);
			i++;
		} else if (strcmp(a, "--attr") == 0 && v != NULL) {
			action_attr(v);
			i++;
		} else if (strcmp(a, "--remap") == 0 && v != NULL) {
			action_remap(v, true);
			i++;
		} else if (strcmp(a, "--remap-refused") == 0 && v != NULL) {
			action_remap(v, false);
			i++;
		} else if (strcmp(a, "--telemetry") == 0 && v != NULL) {
			action_telemetry(v);
			i++;
		} else if (strcmp(a, "--hold") == 0 && v != NULL) {
			action_hold(v);
			i++;
		} else if (strcmp(a, "--no-leftover") == 0) {
			action_no_leftover();
		} else if (strcmp(a, "--remove") == 0) {
			action_remove();
		} else if (strcmp(a, "--probe") == 0 && v != NULL) {
			if (probe(v) != 0 || probed == NULL)
				ERROR("rte_dev_probe(%s) did not probe the device", v);
			i++;
		} else if (strcmp(a, "--bench") == 0 && v != NULL &&
				dev_name != NULL) {
			action_bench(dev_name, v);
			i++;
		} else {
			ERROR("unknown or incomplete option '%s'", a);
			break;
		}
		fflush(stdout);
	}
	printf("PROBES %d\n", nb_probes);
	rte_eal_cleanup();
	return nb_errors == 0 ? 0 : 1;
}
