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
 *   --request-fault BAR:OFF:LEN  rte_pci_unmap_device(), then
 *                          rte_pci_wc_request() of that range (required),
 *                          rte_pci_map_device() with the device set-up
 *                          after the mapping failing (VFIO_DEVICE_RESET),
 *                          and rte_pci_map_device() again;
 *                          "REQUEST-FAULT" line
 *   --bus-probe            rte_bus_probe(): probe again what is not probed,
 *                          with the devargs of the command line
 *   --telemetry-unplug N   N rounds of rte_dev_remove + rte_dev_probe
 *                          (same devargs) while another thread sends
 *                          /pci/wc_list and /pci/wc,<BDF> to this
 *                          process's telemetry in a loop; "TELUNPLUG"
 *   --fault-loop DEVARGS   for each kind of fault (the Nth segment mmap,
 *                          the Nth VFIO device feature ioctl), N = 1, 2,
 *                          ...: rte_dev_probe(DEVARGS) with that call
 *                          failing; "FAULT" lines saying whether the
 *                          process's mappings and files are as before;
 *                          stops at the first N that probes (removed)
 *
 * Environment: WC_PROBE_FAIL=N makes the driver's first N probes return
 * -EAGAIN; WC_SLOW_TELEMETRY=1 (builds with WC_PROBE_SLOW_TELEMETRY, see
 * below) makes telemetry dwell on each device it lists; WC_FAULT=mmap:N or export:N fails the Nth segment mmap or
 * VFIO device feature ioctl of the whole run (for secondary processes,
 * which map at EAL init), and "FAULT-END" lines tell what is left.
 * The faults come from wrapping mmap() and ioctl() at link time
 * (-Wl,--wrap), so the DPDK code under test is the real one.
 */

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vfio.h>

#include <bus_pci_driver.h>
#include <rte_bus.h>
#include <rte_bus_pci_wc.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_io.h>
#include <rte_telemetry.h>

#include "ptecheck_lib.h"

#define MAX_SEGS 512
#define PAT_LIST "/sys/kernel/debug/x86/pat_memtype_list"

static struct rte_pci_device *probed;
static int nb_probes;
static int fail_probes; /* WC_PROBE_FAIL */

static int
ivshmem_probe(struct rte_pci_driver *drv __rte_unused,
		struct rte_pci_device *dev)
{
	if (fail_probes > 0) {
		fail_probes--;
		printf("PROBE-EAGAIN %s\n", dev->name);
		return -EAGAIN;
	}
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

/*
 * Fault injection: mmap() and ioctl() are wrapped at link time. Only the
 * calls that map a BAR segment (an mmap of a VFIO device or dma-buf
 * file) or set a VFIO device feature (dma-buf export and attribute) are
 * counted; the fault_at-th of the armed kind fails.
 */
enum fault_kind { FAULT_NONE, FAULT_MMAP, FAULT_EXPORT, FAULT_RESET };
static enum fault_kind fault_kind;
static unsigned int fault_at, fault_count;
static bool fault_hit;

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		off_t off);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		off_t off);
/* what DPDK, built with _FILE_OFFSET_BITS=64, calls */
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		off_t off);
int __real_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...);

/* Whether fd is a VFIO device or dma-buf file. */
static bool
fd_is_bar_file(int fd)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strstr(target, "vfio-device") != NULL ||
		strstr(target, "dmabuf") != NULL;
}

static bool
fault_now(enum fault_kind kind)
{
	if (fault_kind != kind)
		return false;
	if (++fault_count != fault_at)
		return false;
	fault_hit = true;
	return true;
}

void *
__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd >= 0 && fault_kind == FAULT_MMAP && fd_is_bar_file(fd) &&
			fault_now(FAULT_MMAP)) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return __real_mmap(addr, len, prot, flags, fd, off);
}

void *
__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		off_t off)
{
	if (fd >= 0 && fault_kind == FAULT_MMAP && fd_is_bar_file(fd) &&
			fault_now(FAULT_MMAP)) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return __real_mmap64(addr, len, prot, flags, fd, off);
}

int
__wrap_ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((req == VFIO_DEVICE_FEATURE && fault_now(FAULT_EXPORT)) ||
			(req == VFIO_DEVICE_RESET && fault_now(FAULT_RESET))) {
		errno = EIO;
		return -1;
	}
	return __real_ioctl(fd, req, arg);
}

#ifdef WC_PROBE_SLOW_TELEMETRY
/*
 * Linked with -Wl,--wrap=rte_tel_data_add_array_string: the bus calls it
 * for each device while it walks the device list for /pci/wc_list, so
 * sleeping here keeps the telemetry thread on that device for 20 ms. A
 * hot-unplug on the main thread meanwhile frees the device under it
 * unless the walk holds the list lock (ASan reports the use after free).
 */
static bool slow_telemetry;

int __real_rte_tel_data_add_array_string(struct rte_tel_data *d,
		const char *str);
int __wrap_rte_tel_data_add_array_string(struct rte_tel_data *d,
		const char *str);

int
__wrap_rte_tel_data_add_array_string(struct rte_tel_data *d, const char *str)
{
	if (slow_telemetry)
		usleep(20 * 1000);
	return __real_rte_tel_data_add_array_string(d, str);
}
#endif

static bool
fault_parse(const char *s)
{
	if (strncmp(s, "mmap:", 5) == 0)
		fault_kind = FAULT_MMAP;
	else if (strncmp(s, "export:", 7) == 0)
		fault_kind = FAULT_EXPORT;
	else if (strncmp(s, "reset:", 6) == 0)
		fault_kind = FAULT_RESET;
	else
		return false;
	fault_at = atoi(strchr(s, ':') + 1);
	fault_count = 0;
	fault_hit = false;
	return fault_at > 0;
}

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

static volatile bool tel_stop;
static unsigned int tel_replies;

static void *
telemetry_loop(void *arg)
{
	const char *dev_name = arg;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char cmd[64], buf[16384];
	unsigned int i;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
			read(fd, buf, sizeof(buf)) <= 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	for (i = 0; !tel_stop; i++) {
		if (i % 2)
			snprintf(cmd, sizeof(cmd), "/pci/wc,%s", dev_name);
		else
			snprintf(cmd, sizeof(cmd), "/pci/wc_list");
		if (write(fd, cmd, strlen(cmd)) < 0 ||
				read(fd, buf, sizeof(buf)) <= 0)
			break;
		tel_replies++;
	}
	close(fd);
	return NULL;
}

static void
action_telemetry_unplug(const char *dev_name, const char *arg)
{
	struct rte_devargs *da = probed->device.devargs;
	char devargs[256];
	int i, n = atoi(arg);
	pthread_t tid;

	snprintf(devargs, sizeof(devargs), "%s%s%s", dev_name,
		da != NULL && da->args[0] != '\0' ? "," : "",
		da != NULL ? da->args : "");
	tel_stop = false;
	if (pthread_create(&tid, NULL, telemetry_loop, (void *)(uintptr_t)dev_name) != 0) {
		ERROR("pthread_create");
		return;
	}
	for (i = 0; i < n; i++) {
		if (probed == NULL || rte_dev_remove(&probed->device) != 0 ||
				probe(devargs) != 0 || probed == NULL) {
			ERROR("hot-plug round %d failed", i);
			break;
		}
	}
	tel_stop = true;
	pthread_join(tid, NULL);
	printf("TELUNPLUG rounds=%d telemetry_replies=%u devargs=%s\n", i,
		tel_replies, devargs);
	if (tel_replies == 0)
		ERROR("telemetry never answered");
}

/* A failed mapping keeps the requests for the next attempt. */
static void
action_request_fault(const char *arg)
{
	struct rte_pci_wc_range r = { .flags = RTE_PCI_WC_RANGE_F_REQUIRED };
	unsigned int bar;
	int first, second, ret;

	if (sscanf(arg, "%u:%" SCNi64 ":%" SCNi64, &bar, &r.offset,
			&r.len) != 3) {
		ERROR("bad --request-fault argument '%s'", arg);
		return;
	}
	r.bar = bar;
	rte_pci_unmap_device(probed);
	ret = rte_pci_wc_request(probed, &r, 1);
	if (ret != 0) {
		ERROR("rte_pci_wc_request: %s", strerror(-ret));
		return;
	}
	fault_parse("reset:1");
	first = rte_pci_map_device(probed);
	fault_kind = FAULT_NONE;
	second = rte_pci_map_device(probed);
	printf("REQUEST-FAULT first=%d second=%d\n", first, second);
	if (second != 0)
		ERROR("rte_pci_map_device after the failed one: %d", second);
}

#define SNAP_MAX (256 * 1024)

/*
 * What the process has mapped and open, one line each: the mappings
 * (but the brk heap, which malloc grows) and the open files.
 */
static size_t
snapshot(char *buf, size_t len)
{
	char line[512], link[300], target[PATH_MAX];
	struct dirent *de;
	size_t n = 0;
	ssize_t t;
	FILE *f;
	DIR *d;

	buf[0] = '\0';
	f = fopen("/proc/self/maps", "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "[heap]") == NULL && n + strlen(line) < len)
			n += snprintf(buf + n, len - n, "map %s", line);
	fclose(f);
	d = opendir("/proc/self/fd");
	if (d == NULL)
		return n;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		snprintf(link, sizeof(link), "/proc/self/fd/%s", de->d_name);
		t = readlink(link, target, sizeof(target) - 1);
		target[t < 0 ? 0 : t] = '\0';
		if (n + 300 < len)
			n += snprintf(buf + n, len - n, "fd %s %s\n",
				de->d_name, target);
	}
	closedir(d);
	return n;
}

/* Print the lines of one snapshot missing from the other. */
static int
snapshot_diff(const char *what, const char *a, const char *b)
{
	const char *l = a, *e;
	char line[600];
	int nb = 0;

	for (; *l != '\0'; l = e + 1) {
		e = strchr(l, '\n');
		if (e == NULL)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)(e - l + 1), l);
		if (strstr(b, line) == NULL) {
			printf("FAULT-DIFF %s %s", what, line);
			nb++;
		}
	}
	return nb;
}

/* Lines of the VFIO device files and dma-bufs mapped or open. */
static int
report_bar_files(const char *tag)
{
	static char snap[SNAP_MAX];
	const char *l, *e;
	int nb = 0;

	snapshot(snap, sizeof(snap));
	for (l = snap; *l != '\0' && (e = strchr(l, '\n')) != NULL;
			l = e + 1) {
		if (memmem(l, e - l, "vfio-device", 11) == NULL &&
				memmem(l, e - l, "dmabuf", 6) == NULL)
			continue;
		printf("%s %.*s\n", tag, (int)(e - l), l);
		nb++;
	}
	return nb;
}

/*
 * Probe with the Nth segment mmap, then the Nth device feature ioctl,
 * failing, for N = 1, 2, ... until a probe gets through: after each
 * failure the mappings and open files must be those of before.
 */
static void
action_fault_loop(const char *devargs)
{
	static const char *const kinds[] = { "mmap", "export" };
	static char before[SNAP_MAX], after[SNAP_MAX];
	char spec[32];
	unsigned int k, n;
	int ret, diff;

	for (k = 0; k < RTE_DIM(kinds); k++) {
		for (n = 1; n < 64; n++) {
			snprintf(spec, sizeof(spec), "%s:%u", kinds[k], n);
			snapshot(before, sizeof(before));
			fault_parse(spec);
			ret = rte_dev_probe(devargs);
			fault_kind = FAULT_NONE;
			if (ret == 0) {
				printf("FAULT kind=%s n=%u probed (%s)\n",
					kinds[k], n, fault_hit ?
					"fault absorbed" : "no such call");
				if (probed != NULL &&
						rte_dev_remove(&probed->device) != 0)
					ERROR("rte_dev_remove after %s", spec);
				if (!fault_hit)
					break;
				continue;
			}
			snapshot(after, sizeof(after));
			diff = snapshot_diff("gone", before, after) +
				snapshot_diff("new", after, before);
			printf("FAULT kind=%s n=%u failed: %s, %s\n", kinds[k],
				n, strerror(-ret), diff == 0 ?
				"maps and fds unchanged" : "maps or fds changed");
			if (diff != 0)
				ERROR("%s: the failed probe left changes", spec);
		}
	}
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
	const char *dev_name = NULL, *env;
	int i, ret;

	env = getenv("WC_PROBE_FAIL");
	if (env != NULL)
		fail_probes = atoi(env);
#ifdef WC_PROBE_SLOW_TELEMETRY
	slow_telemetry = getenv("WC_SLOW_TELEMETRY") != NULL;
#endif
	env = getenv("WC_FAULT");
	if (env != NULL && !fault_parse(env)) {
		printf("ERROR: bad WC_FAULT '%s'\n", env);
		return 2;
	}
	ret = rte_eal_init(argc, argv);
	if (env != NULL) {
		/* a secondary maps at init: what is left of the failure */
		printf("FAULT-END %s hit=%d init=%d left=%d\n", env, fault_hit,
			ret >= 0, report_bar_files("FAULT-LEFT"));
		fault_kind = FAULT_NONE;
	}
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
			strcmp(a, "--bus-probe") != 0 &&
			strcmp(a, "--fault-loop") != 0 &&
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
		} else if (strcmp(a, "--telemetry-unplug") == 0 && v != NULL &&
				dev_name != NULL) {
			action_telemetry_unplug(dev_name, v);
			i++;
		} else if (strcmp(a, "--request-fault") == 0 && v != NULL) {
			action_request_fault(v);
			i++;
		} else if (strcmp(a, "--bus-probe") == 0) {
			ret = rte_bus_probe();
			printf("BUS-PROBE %d %s\n", ret,
				probed != NULL ? "probed" : "not probed");
		} else if (strcmp(a, "--fault-loop") == 0 && v != NULL) {
			action_fault_loop(v);
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
