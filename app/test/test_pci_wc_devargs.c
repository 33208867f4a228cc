/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <bus_driver.h>
#include <bus_pci_driver.h>
#include <rte_bus_pci_wc.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_kvargs.h>
#include <rte_log.h>
#include <rte_string_fns.h>

#include "test.h"

#include "../../drivers/bus/pci/pci_wc_devargs.h"

/*
 * The "wc" device argument: the parser (every accepted and refused form,
 * with the exact message a user sees), the in-place removal of the key
 * from driver arguments, and the whole path through the PCI bus with a
 * fake sysfs device and a driver that rejects unknown keys.
 */

#define DEV "0000:03:00.0"
#define PFX DEV ": invalid device argument wc="

struct parse_case {
	const char *value;
	const char *err; /* NULL: accepted */
};

static const struct parse_case refused[] = {
	{ "", PFX ": empty value" },
	{ "yes", PFX "yes: expected off, auto, on or a list like [2,4:0x3000-0x3fff]" },
	{ "ON", PFX "ON: expected off, auto, on or a list like [2,4:0x3000-0x3fff]" },
	{ "[2", PFX "[2: missing ']'" },
	{ "[]", PFX "[]: empty list" },
	{ "[2,]", PFX "[2,]: empty list item" },
	{ "[,2]", PFX "[,2]: empty list item" },
	{ "[[2]]", PFX "[[2]]: unbalanced brackets" },
	{ "2,3", PFX "2,3: a list of several items needs brackets" },
	{ "[6]", PFX "[6]: bad BAR \"6\" in \"6\" (expected 0 to 5)" },
	{ "[12]", PFX "[12]: bad BAR \"12\" in \"12\" (expected 0 to 5)" },
	{ "[x:0-0xfff]",
		PFX "[x:0-0xfff]: bad BAR \"x\" in \"x:0-0xfff\" (expected 0 to 5)" },
	{ "[:0-0xfff]",
		PFX "[:0-0xfff]: bad BAR \"\" in \":0-0xfff\" (expected 0 to 5)" },
	{ "[2:0x1000]",
		PFX "[2:0x1000]: bad range \"2:0x1000\" (expected BAR:start-end)" },
	{ "[2:0x1000-]",
		PFX "[2:0x1000-]: bad range \"2:0x1000-\" (expected BAR:start-end)" },
	{ "[2:-0x1fff]",
		PFX "[2:-0x1fff]: bad range \"2:-0x1fff\" (expected BAR:start-end)" },
	{ "[2:0x1000-0x1fffx]",
		PFX "[2:0x1000-0x1fffx]: bad range \"2:0x1000-0x1fffx\" (expected BAR:start-end)" },
	{ "[2: 0x1000-0x1fff]",
		PFX "[2: 0x1000-0x1fff]: bad range \"2: 0x1000-0x1fff\" (expected BAR:start-end)" },
	{ "[2:99999999999999999999-0xfff]",
		PFX "[2:99999999999999999999-0xfff]: "
		"bad range \"2:99999999999999999999-0xfff\" (expected BAR:start-end)" },
	{ "[2:0-0xffffffffffffffff]",
		PFX "[2:0-0xffffffffffffffff]: "
		"bad range \"2:0-0xffffffffffffffff\" (expected BAR:start-end)" },
	{ "[2:0x2000-0xfff]",
		PFX "[2:0x2000-0xfff]: range \"2:0x2000-0xfff\" ends before it starts" },
	{ "[2:0x100-0x10ff]",
		PFX "[2:0x100-0x10ff]: range \"2:0x100-0x10ff\" "
		"is not page aligned (page size 0x1000, end is inclusive)" },
	{ "[4:0x3000-0x4000]",
		PFX "[4:0x3000-0x4000]: range \"4:0x3000-0x4000\" "
		"is not page aligned (page size 0x1000, end is inclusive)" },
	{ "[0,1,2,3,4,5,0,1,2,3,4,5,0,1,2,3,4]",
		PFX "[0,1,2,3,4,5,0,1,2,3,4,5,0,1,2,3,4]: more than 16 items" },
};

static int
test_parse_refused(void)
{
	struct pci_wc_policy policy;
	char err[1024];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(refused); i++) {
		err[0] = '\0';
		ret = pci_wc_devargs_parse(DEV, refused[i].value, 0x1000,
				&policy, err, sizeof(err));
		TEST_ASSERT_EQUAL(ret, -EINVAL, "\"%s\" accepted",
			refused[i].value);
		TEST_ASSERT(strcmp(err, refused[i].err) == 0,
			"\"%s\": message\n  \"%s\", expected\n  \"%s\"",
			refused[i].value, err, refused[i].err);
	}
	return TEST_SUCCESS;
}

static int
parse(const char *value, struct pci_wc_policy *policy)
{
	char err[1024] = "";
	int ret = pci_wc_devargs_parse(DEV, value, 0x1000, policy, err,
			sizeof(err));

	TEST_ASSERT_SUCCESS(ret, "\"%s\" refused: %s", value, err);
	return TEST_SUCCESS;
}

static int
check_range(const struct rte_pci_wc_range *r, uint8_t bar, uint64_t offset,
		uint64_t len)
{
	/* a whole BAR says so with a flag, never with a length of 0 */
	uint32_t flags = RTE_PCI_WC_RANGE_F_REQUIRED |
		(len == 0 ? RTE_PCI_WC_RANGE_F_TO_END : 0);

	TEST_ASSERT(r->bar == bar && r->offset == offset && r->len == len &&
		r->flags == flags,
		"range BAR %u 0x%" PRIx64 "+0x%" PRIx64 " flags 0x%x, expected BAR %u 0x%"
		PRIx64 "+0x%" PRIx64 " flags 0x%x", r->bar, r->offset, r->len,
		r->flags, bar, offset, len, flags);
	return TEST_SUCCESS;
}

static int
test_parse_accepted(void)
{
	struct pci_wc_policy p;

	TEST_ASSERT_SUCCESS(parse("auto", &p), "auto");
	TEST_ASSERT_EQUAL(p.mode, PCI_WC_MODE_AUTO, "auto mode");
	TEST_ASSERT_SUCCESS(parse("off", &p), "off");
	TEST_ASSERT_EQUAL(p.mode, PCI_WC_MODE_OFF, "off mode");
	TEST_ASSERT_SUCCESS(parse("on", &p), "on");
	TEST_ASSERT_EQUAL(p.mode, PCI_WC_MODE_ON, "on mode");

	TEST_ASSERT_SUCCESS(parse("2", &p), "single BAR");
	TEST_ASSERT(p.mode == PCI_WC_MODE_LIST && p.nb_ranges == 1, "list");
	TEST_ASSERT_SUCCESS(check_range(&p.ranges[0], 2, 0,
		0), "whole BAR 2");

	TEST_ASSERT_SUCCESS(parse("[2,4:0x3000-0x3fff]", &p), "list");
	TEST_ASSERT(p.mode == PCI_WC_MODE_LIST && p.nb_ranges == 2, "2 items");
	TEST_ASSERT_SUCCESS(check_range(&p.ranges[0], 2, 0,
		0), "BAR 2");
	TEST_ASSERT_SUCCESS(check_range(&p.ranges[1], 4, 0x3000, 0x1000),
		"BAR 4 range");

	TEST_ASSERT_SUCCESS(parse("4:0x3000-0x3fff", &p), "single range");
	TEST_ASSERT_SUCCESS(check_range(&p.ranges[0], 4, 0x3000, 0x1000),
		"single range value");

	TEST_ASSERT_SUCCESS(parse("[0:0-8191,0:4096-8191]", &p), "decimal");
	TEST_ASSERT_EQUAL(p.nb_ranges, 2, "overlapping items are kept");
	TEST_ASSERT_SUCCESS(check_range(&p.ranges[0], 0, 0, 0x2000), "dec");

	TEST_ASSERT_SUCCESS(parse("[0,1,2,3,4,5,0,1,2,3,4,5,0,1,2,3]", &p),
		"16 items");
	TEST_ASSERT_EQUAL(p.nb_ranges, 16, "16 items");
	return TEST_SUCCESS;
}

struct strip_case {
	const char *args;
	int ret;
	const char *args_after;
	const char *value;
};

static const struct strip_case strips[] = {
	{ "foo=1,wc=off,bar=[1,2]", 1, "foo=1,bar=[1,2]", "off" },
	{ "wc=[2,4:0x3000-0x3fff]", 1, "", "[2,4:0x3000-0x3fff]" },
	{ "wc=on,foo=1", 1, "foo=1", "on" },
	{ "foo=1,wc=[2,3],bar=x", 1, "foo=1,bar=x", "[2,3]" },
	{ "llq_policy=1,miss_txc_to=5,wc=2", 1, "llq_policy=1,miss_txc_to=5", "2" },
	{ "a=1,,b=2,wc=on", 1, "a=1,,b=2", "on" },
	{ "wc", 1, "", "" },
	{ "wc=", 1, "", "" },
	{ "foo=[wc=1,2],x", 0, "foo=[wc=1,2],x", NULL },
	{ "wcx=1,awc=2,WC=on", 0, "wcx=1,awc=2,WC=on", NULL },
	{ "", 0, "", NULL },
	{ "a=1,wc=on,wc=off", -EEXIST, "a=1,wc=on,wc=off", NULL },
	{ "a,wc=[0123456789abcdef0123456789abcdef]", -E2BIG,
		"a,wc=[0123456789abcdef0123456789abcdef]", NULL },
};

static int
test_strip(void)
{
	char args[128], value[32];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(strips); i++) {
		const struct strip_case *c = &strips[i];

		strlcpy(args, c->args, sizeof(args));
		strlcpy(value, "unchanged", sizeof(value));
		ret = pci_wc_devargs_strip(args, value, sizeof(value));
		TEST_ASSERT_EQUAL(ret, c->ret, "\"%s\": returned %d, expected %d",
			c->args, ret, c->ret);
		TEST_ASSERT(strcmp(args, c->args_after) == 0,
			"\"%s\": left \"%s\", expected \"%s\"", c->args, args,
			c->args_after);
		if (c->value != NULL)
			TEST_ASSERT(strcmp(value, c->value) == 0,
				"\"%s\": value \"%s\", expected \"%s\"", c->args,
				value, c->value);
	}
	TEST_ASSERT_EQUAL(pci_wc_devargs_strip(NULL, value, sizeof(value)), 0,
		"NULL args");
	return TEST_SUCCESS;
}

/*
 * Through the bus: a fake sysfs device, a driver whose argument parser
 * rejects unknown keys (as virtio, e1000 or ena do), and hotplug.
 */
#define FAKE_BDF "0000:7f:1e.3"
#define FAKE_VENDOR 0x1d0f
#define FAKE_DEVICE 0x7e57

static char sysfs_dir[64];
static char seen_args[256];
static int nb_probed;
static int nb_probe_calls;
static int fail_probes; /* that many probes fail with -EAGAIN */
static struct rte_pci_device *probed_dev;

static const char * const fake_keys[] = { "foo", "bar", NULL };

static int
fake_probe(struct rte_pci_driver *drv __rte_unused,
		struct rte_pci_device *dev)
{
	const char *args = dev->device.devargs != NULL ?
		dev->device.devargs->args : NULL;
	struct rte_kvargs *kvlist;

	strlcpy(seen_args, args != NULL ? args : "(none)", sizeof(seen_args));
	nb_probe_calls++;
	if (fail_probes > 0) {
		fail_probes--;
		return -EAGAIN;
	}
	if (args != NULL && args[0] != '\0') {
		kvlist = rte_kvargs_parse(args, fake_keys);
		if (kvlist == NULL)
			return -EINVAL; /* an unknown key reached the driver */
		rte_kvargs_free(kvlist);
	}
	nb_probed++;
	probed_dev = dev;
	return 0;
}

static int
fake_remove(struct rte_pci_device *dev __rte_unused)
{
	return 0;
}

static const struct rte_pci_id fake_ids[] = {
	{ RTE_PCI_DEVICE(FAKE_VENDOR, FAKE_DEVICE) },
	{ .vendor_id = 0 },
};

static struct rte_pci_driver fake_drv = {
	.driver = { .name = "pci_wc_devargs_test" },
	.id_table = fake_ids,
	.probe = fake_probe,
	.remove = fake_remove,
};

static int
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static int
fake_sysfs_create(void)
{
	char dev_dir[128], text[64], path[256];
	int i, ret = 0;
	FILE *f;

	strlcpy(sysfs_dir, "/tmp/pci_wc_devargs_XXXXXX", sizeof(sysfs_dir));
	if (mkdtemp(sysfs_dir) == NULL)
		return -1;
	snprintf(dev_dir, sizeof(dev_dir), "%s/" FAKE_BDF, sysfs_dir);
	if (mkdir(dev_dir, 0755) < 0)
		return -1;
	snprintf(text, sizeof(text), "0x%04x\n", FAKE_VENDOR);
	ret |= write_file(dev_dir, "vendor", text);
	ret |= write_file(dev_dir, "subsystem_vendor", text);
	snprintf(text, sizeof(text), "0x%04x\n", FAKE_DEVICE);
	ret |= write_file(dev_dir, "device", text);
	ret |= write_file(dev_dir, "subsystem_device", text);
	ret |= write_file(dev_dir, "class", "0x020000\n");
	ret |= write_file(dev_dir, "numa_node", "-1\n");
	snprintf(path, sizeof(path), "%s/resource", dev_dir);
	f = fopen(path, "w");
	if (f == NULL)
		return -1;
	for (i = 0; i < 13; i++)
		fputs("0x0000000000000000 0x0000000000000000 0x0000000000000000\n",
			f);
	ret |= fclose(f);
	snprintf(path, sizeof(path), "%s/driver", dev_dir);
	ret |= symlink("../../../bus/pci/drivers/vfio-pci", path);
	return ret;
}

static void
fake_sysfs_remove(void)
{
	static const char * const files[] = { "vendor", "subsystem_vendor",
		"device", "subsystem_device", "class", "numa_node", "resource",
		"driver" };
	char path[256];
	unsigned int i;

	for (i = 0; i < RTE_DIM(files); i++) {
		snprintf(path, sizeof(path), "%s/" FAKE_BDF "/%s", sysfs_dir,
			files[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/" FAKE_BDF, sysfs_dir);
	rmdir(path);
	rmdir(sysfs_dir);
}

/* Probe with a device string; capture the log; remove the device. */
static int
probe_capture_keep(const char *devstr, char *log, size_t log_len,
		bool keep)
{
	FILE *saved = rte_log_get_stream();
	FILE *mem;
	int ret;

	mem = fmemopen(log, log_len, "w");
	if (mem == NULL)
		return -ENOMEM;
	rte_openlog_stream(mem);
	ret = rte_dev_probe(devstr);
	rte_openlog_stream(saved);
	fclose(mem);
	if (ret == 0 && probed_dev != NULL && !keep) {
		rte_dev_remove(&probed_dev->device);
		probed_dev = NULL;
	}
	return ret;
}

static int
probe_capture(const char *devstr, char *log, size_t log_len)
{
	return probe_capture_keep(devstr, log, log_len, false);
}

static int
cmp_dev_name(const struct rte_device *dev, const void *name)
{
	return strcmp(dev->name, name);
}

static int
bus_setup(void)
{
	if (!rte_eal_has_pci()) {
		printf("PCI bus disabled (--no-pci): skipping bus cases\n");
		return TEST_SKIPPED;
	}
	if (fake_sysfs_create() != 0) {
		printf("cannot create a fake sysfs tree: skipping bus cases\n");
		fake_sysfs_remove();
		return TEST_SKIPPED;
	}
	setenv("SYSFS_PCI_DEVICES", sysfs_dir, 1);
	rte_pci_register(&fake_drv);
	return TEST_SUCCESS;
}

static void
bus_teardown(void)
{
	rte_pci_unregister(&fake_drv);
	unsetenv("SYSFS_PCI_DEVICES");
	fake_sysfs_remove();
}

static int
test_bus_strips_key(void)
{
	static const char * const ok[][2] = {
		{ FAKE_BDF ",foo=1,wc=off,bar=[1,2]", "foo=1,bar=[1,2]" },
		{ FAKE_BDF ",wc=[2,4:0x3000-0x3fff],foo=2", "foo=2" },
		{ FAKE_BDF ",wc=auto", "" },
		{ FAKE_BDF ",foo=3", "foo=3" },
		{ "bus=pci,addr=" FAKE_BDF ",wc=off", "(none)" },
	};
	char log[4096];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(ok); i++) {
		nb_probed = 0;
		seen_args[0] = '\0';
		ret = probe_capture(ok[i][0], log, sizeof(log));
		TEST_ASSERT_SUCCESS(ret, "probe \"%s\" failed: %d\nlog:\n%s",
			ok[i][0], ret, log);
		TEST_ASSERT_EQUAL(nb_probed, 1, "\"%s\": driver not probed",
			ok[i][0]);
		TEST_ASSERT(strcmp(seen_args, ok[i][1]) == 0,
			"\"%s\": driver saw \"%s\", expected \"%s\"", ok[i][0],
			seen_args, ok[i][1]);
	}
	return TEST_SUCCESS;
}

static int
test_bus_refuses_malformed(void)
{
	static const char * const bad[][2] = {
		{ FAKE_BDF ",foo=1,wc=[9]",
		  FAKE_BDF ": invalid device argument wc=[9]: "
		  "bad BAR \"9\" in \"9\" (expected 0 to 5)" },
		{ FAKE_BDF ",wc=yes",
		  FAKE_BDF ": invalid device argument wc=yes: "
		  "expected off, auto, on or a list like [2,4:0x3000-0x3fff]" },
		{ FAKE_BDF ",wc=on,wc=off",
		  FAKE_BDF ": device argument wc given more than once" },
		{ "bus=pci,addr=" FAKE_BDF ",wc=[2:0x10-0x1f]",
		  FAKE_BDF ": invalid device argument wc=[2:0x10-0x1f]: "
		  "range \"2:0x10-0x1f\" is not page aligned "
		  "(page size 0x1000, end is inclusive)" },
	};
	char log[4096];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(bad); i++) {
		nb_probed = 0;
		log[0] = '\0';
		ret = probe_capture(bad[i][0], log, sizeof(log));
		TEST_ASSERT(ret != 0, "\"%s\" probed", bad[i][0]);
		TEST_ASSERT_EQUAL(nb_probed, 0, "\"%s\": driver was called",
			bad[i][0]);
		TEST_ASSERT(strstr(log, bad[i][1]) != NULL,
			"\"%s\": log lacks\n  \"%s\"\nlog:\n%s", bad[i][0],
			bad[i][1], log);
	}
	return TEST_SUCCESS;
}

/* UIO keeps its own rule (RTE_PCI_DRV_WC_ACTIVATE): wc= is refused. */
static int
test_bus_uio_refuses(void)
{
	char path[256], log[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/" FAKE_BDF "/driver", sysfs_dir);
	TEST_ASSERT(unlink(path) == 0 &&
		symlink("../../../bus/pci/drivers/uio_pci_generic", path) == 0,
		"cannot relink the fake driver");
	nb_probed = 0;
	log[0] = '\0';
	ret = probe_capture(FAKE_BDF ",wc=on", log, sizeof(log));
	TEST_ASSERT(ret != 0 && nb_probed == 0, "wc=on probed on UIO");
	TEST_ASSERT(strstr(log, "PCI_WC: " FAKE_BDF ": invalid device argument "
		"wc=on: the device is bound to uio_pci_generic, write-combining "
		"needs a VFIO driver") != NULL,
		"log lacks the UIO refusal:\n%s", log);
	return TEST_SUCCESS;
}

static int
relink_driver(const char *kdrv)
{
	char path[256], target[256];

	snprintf(path, sizeof(path), "%s/" FAKE_BDF "/driver", sysfs_dir);
	unlink(path);
	if (kdrv == NULL)
		return 0;
	snprintf(target, sizeof(target), "../../../bus/pci/drivers/%s", kdrv);
	return symlink(target, path);
}

/*
 * A required request is refused on every device the bus cannot map
 * write-combined (no VFIO driver), not only on UIO; wc=off and wc=auto
 * are fine everywhere. (Linux does not list a device without a kernel
 * driver; FreeBSD's nic_uio and Windows' netuio take the same path.)
 */
static int
test_bus_non_vfio_refuses(void)
{
	static const char * const cases[][3] = {
		{ "pci_wc_test_kdrv", "wc=on",
		  "a kernel driver DPDK cannot map" },
		{ "igb_uio", "wc=[2:0x1000-0x1fff]", "igb_uio" },
		{ "pci_wc_test_kdrv", "wc=[2]",
		  "a kernel driver DPDK cannot map" },
	};
	char devstr[128], exp[256], log[4096];
	unsigned int i;
	int ret;

	for (i = 0; i < RTE_DIM(cases); i++) {
		TEST_ASSERT_SUCCESS(relink_driver(cases[i][0]), "relink");
		snprintf(devstr, sizeof(devstr), FAKE_BDF ",%s", cases[i][1]);
		snprintf(exp, sizeof(exp), "PCI_WC: " FAKE_BDF ": invalid device "
			"argument %s: the device is bound to %s, write-combining "
			"needs a VFIO driver", cases[i][1], cases[i][2]);
		nb_probed = 0;
		log[0] = '\0';
		ret = probe_capture(devstr, log, sizeof(log));
		TEST_ASSERT(ret != 0 && nb_probed == 0, "\"%s\" probed", devstr);
		TEST_ASSERT(strstr(log, exp) != NULL,
			"\"%s\": log lacks\n  \"%s\"\nlog:\n%s", devstr, exp, log);
	}
	nb_probed = 0;
	ret = probe_capture(FAKE_BDF ",wc=off,foo=1", log, sizeof(log));
	TEST_ASSERT(ret == 0 && nb_probed == 1, "wc=off refused: %s", log);
	return TEST_SUCCESS;
}

static struct rte_pci_device *
fake_device(void)
{
	struct rte_bus *bus = rte_bus_find_by_name("pci");
	struct rte_device *dev;

	dev = bus->find_device(NULL, cmp_dev_name, FAKE_BDF);
	return dev == NULL ? NULL : RTE_DEV_TO_PCI(dev);
}

/*
 * The devargs survive a probe: a driver that asks to be probed again
 * (-EAGAIN) and a bus that refuses a required request see the same
 * "wc" on the next attempt, and the full arguments stay on display.
 */
static int
test_bus_probe_again(void)
{
	struct rte_bus *bus = rte_bus_find_by_name("pci");
	struct rte_pci_device *dev;
	struct rte_devargs *da;
	char log[4096];
	FILE *mem, *saved;
	int ret, ret2;

	TEST_ASSERT_SUCCESS(rte_devargs_add(RTE_DEVTYPE_ALLOWED,
		FAKE_BDF ",foo=1,wc=[2]"), "devargs");
	TEST_ASSERT_SUCCESS(bus->scan(), "scan");
	dev = fake_device();
	TEST_ASSERT(dev != NULL && dev->device.devargs != NULL,
		"fake device or its devargs not found");
	da = dev->device.devargs;

	/* bound to vfio-pci: the driver fails once, then probes */
	nb_probed = 0;
	nb_probe_calls = 0;
	fail_probes = 1;
	ret = bus->plug(&dev->device);
	TEST_ASSERT_EQUAL(ret, -EAGAIN, "first probe returned %d", ret);
	TEST_ASSERT(strcmp(seen_args, "foo=1") == 0,
		"first probe: driver saw \"%s\"", seen_args);
	TEST_ASSERT(strcmp(da->args, "foo=1,wc=[2]") == 0,
		"devargs after the failed probe: \"%s\"", da->args);
	ret = bus->plug(&dev->device);
	TEST_ASSERT(ret == 0 && nb_probed == 1, "second probe: %d", ret);
	TEST_ASSERT(strcmp(seen_args, "foo=1") == 0,
		"second probe: driver saw \"%s\"", seen_args);
	TEST_ASSERT(strcmp(da->args, "foo=1,wc=[2]") == 0,
		"devargs after the probe (testpmd's Devargs line): \"%s\"",
		da->args);
	TEST_ASSERT_SUCCESS(rte_dev_remove(&dev->device), "remove");

	/* bound to UIO: refused every time, never probed without it */
	TEST_ASSERT_SUCCESS(rte_devargs_add(RTE_DEVTYPE_ALLOWED,
		FAKE_BDF ",foo=1,wc=[2]"), "devargs");
	TEST_ASSERT_SUCCESS(relink_driver("uio_pci_generic"), "relink");
	TEST_ASSERT_SUCCESS(bus->scan(), "scan");
	dev = fake_device();
	TEST_ASSERT(dev != NULL, "fake device not found");
	nb_probed = 0;
	saved = rte_log_get_stream();
	mem = fmemopen(log, sizeof(log), "w");
	TEST_ASSERT(mem != NULL, "fmemopen");
	rte_openlog_stream(mem);
	ret = bus->plug(&dev->device);
	ret2 = bus->plug(&dev->device);
	rte_openlog_stream(saved);
	fclose(mem);
	TEST_ASSERT(nb_probed == 0, "UIO: probed on attempt %d without wc=[2]",
		nb_probed);
	TEST_ASSERT(ret != 0 && ret2 != 0, "UIO: a probe succeeded");
	rte_devargs_remove(dev->device.devargs);
	dev->device.devargs = NULL;
	return TEST_SUCCESS;
}

/* "wc" is a key of the bus layer: iterating with it finds the device. */
static int
test_bus_layered_iterate(void)
{
	struct rte_dev_iterator it;
	struct rte_device *dev;
	char log[4096];
	int found = 0;

	probed_dev = NULL;
	TEST_ASSERT_SUCCESS(probe_capture_keep("bus=pci,addr=" FAKE_BDF
		",wc=off", log, sizeof(log), true), "layered probe:\n%s", log);
	RTE_DEV_FOREACH(dev, "bus=pci,addr=" FAKE_BDF ",wc=off", &it)
		found += strcmp(dev->name, FAKE_BDF) == 0;
	TEST_ASSERT_EQUAL(found, 1, "rte_dev_iterate did not find the device");
	TEST_ASSERT(probed_dev != NULL, "not probed");
	TEST_ASSERT_SUCCESS(rte_dev_remove(&probed_dev->device), "remove");
	probed_dev = NULL;
	return TEST_SUCCESS;
}

/*
 * Telemetry walks the PCI devices on its own thread while the device is
 * hot-unplugged and freed on this one (ASan reports a use after free).
 */
static volatile bool tel_stop;
static unsigned int tel_replies;

static void *
telemetry_loop(void *arg)
{
	static const char * const cmds[] = { "/pci/wc_list",
		"/pci/wc," FAKE_BDF };
	int fd = *(int *)arg;
	char buf[16384];
	unsigned int i;

	for (i = 0; !tel_stop; i++) {
		const char *cmd = cmds[i % RTE_DIM(cmds)];

		if (write(fd, cmd, strlen(cmd)) < 0 ||
				read(fd, buf, sizeof(buf)) <= 0)
			break;
		tel_replies++;
	}
	return NULL;
}

static int
test_telemetry_during_unplug(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[1024], log[4096];
	unsigned int i;
	pthread_t tid;
	int fd, ret;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
			read(fd, buf, sizeof(buf)) <= 0) {
		printf("no telemetry socket %s: skipped\n", sun.sun_path);
		if (fd >= 0)
			close(fd);
		return TEST_SKIPPED;
	}
	tel_stop = false;
	tel_replies = 0;
	ret = pthread_create(&tid, NULL, telemetry_loop, &fd);
	TEST_ASSERT_SUCCESS(ret, "pthread_create");
	for (i = 0; i < 300 && ret == 0; i++) {
		probed_dev = NULL;
		ret = probe_capture_keep(FAKE_BDF ",foo=1", log, sizeof(log),
			true);
		if (ret == 0 && probed_dev != NULL)
			ret = rte_dev_remove(&probed_dev->device);
	}
	tel_stop = true;
	pthread_join(tid, NULL);
	close(fd);
	probed_dev = NULL;
	printf("%u hot-plug cycles, %u telemetry replies meanwhile\n", i,
		tel_replies);
	TEST_ASSERT_SUCCESS(ret, "cycle %u failed: %d\n%s", i, ret, log);
	TEST_ASSERT(tel_replies > 0, "telemetry never answered");
	return TEST_SUCCESS;
}

static int
test_api_args(void)
{
	struct rte_pci_wc_range r = { .bar = 2, .offset = 0, .len = 0x1000 };
	struct rte_pci_mem_segment seg;

	TEST_ASSERT_EQUAL(rte_pci_wc_request(NULL, &r, 1), -EINVAL, "NULL dev");
	TEST_ASSERT_EQUAL(rte_pci_mem_attr_get(NULL, 0, 0), -EINVAL,
		"NULL dev");
	TEST_ASSERT_EQUAL(rte_pci_mem_segments_get(NULL, &seg, 1), -EINVAL,
		"NULL dev");
	TEST_ASSERT(strcmp(rte_pci_mem_attr_name(RTE_PCI_MEM_ATTR_WC_UNVERIFIED),
		"wc-unverified") == 0, "attribute name");
	TEST_ASSERT(strcmp(rte_pci_mem_attr_name(RTE_PCI_MEM_ATTR_UC), "uc") == 0,
		"attribute name");
	TEST_ASSERT(strcmp(rte_pci_mem_attr_name(99), "unknown") == 0,
		"unknown attribute name");
	return TEST_SUCCESS;
}

static int
test_api_on_fake_device(void)
{
	struct rte_pci_wc_range r = { .bar = 2, .offset = 0, .len = 0x1000 };
	struct rte_pci_device *dev;
	char log[4096];
	int ret;

	probed_dev = NULL;
	ret = probe_capture_keep(FAKE_BDF ",foo=1", log, sizeof(log), true);
	TEST_ASSERT_SUCCESS(ret, "probe: %d", ret);
	dev = probed_dev;
	TEST_ASSERT(dev != NULL, "fake device not probed");
	probed_dev = NULL;
	/* the driver maps nothing: an unmapped device */

	TEST_ASSERT_SUCCESS(rte_pci_wc_request(dev, &r, 1), "request");
	r.offset = 0x800;
	TEST_ASSERT_EQUAL(rte_pci_wc_request(dev, &r, 1), -EINVAL,
		"unaligned offset");
	r.offset = 0;
	r.bar = 6;
	TEST_ASSERT_EQUAL(rte_pci_wc_request(dev, &r, 1), -EINVAL, "BAR 6");
	r.bar = 2;
	r.flags = 0x10;
	TEST_ASSERT_EQUAL(rte_pci_wc_request(dev, &r, 1), -EINVAL, "flags");
	/* a computed length of 0 is not "to the end of the BAR" */
	r.flags = 0;
	r.len = 0;
	TEST_ASSERT_EQUAL(rte_pci_wc_request(dev, &r, 1), -EINVAL,
		"length 0");
	r.flags = RTE_PCI_WC_RANGE_F_TO_END;
	TEST_ASSERT_SUCCESS(rte_pci_wc_request(dev, &r, 1), "TO_END");
	r.len = 0x1000;
	TEST_ASSERT_EQUAL(rte_pci_wc_request(dev, &r, 1), -EINVAL,
		"TO_END with a length");
	TEST_ASSERT_EQUAL(rte_pci_wc_request(dev, &r,
		RTE_PCI_WC_MAX_RANGES + 1), -E2BIG, "too many");
	TEST_ASSERT_SUCCESS(rte_pci_wc_request(dev, NULL, 0), "clear");

	TEST_ASSERT_EQUAL(rte_pci_mem_attr_get(dev, 6, 0), -EINVAL, "BAR 6");
	TEST_ASSERT_EQUAL(rte_pci_mem_attr_get(dev, 2, 0),
		RTE_PCI_MEM_ATTR_UNMAPPED, "not mapped");
	TEST_ASSERT_EQUAL(rte_pci_mem_segments_get(dev, NULL, 0), 0,
		"no segments");
	TEST_ASSERT_EQUAL(rte_pci_mem_segments_get(dev, NULL, 1), -EINVAL,
		"NULL array");
	TEST_ASSERT_SUCCESS(rte_dev_remove(&dev->device), "remove");
	return TEST_SUCCESS;
}

static struct unit_test_suite pci_wc_devargs_suite = {
	.suite_name = "PCI write-combine device argument",
	.unit_test_cases = {
		TEST_CASE(test_parse_refused),
		TEST_CASE(test_parse_accepted),
		TEST_CASE(test_strip),
		TEST_CASE(test_api_args),
		TEST_CASE_ST(bus_setup, bus_teardown, test_bus_strips_key),
		TEST_CASE_ST(bus_setup, bus_teardown, test_bus_refuses_malformed),
		TEST_CASE_ST(bus_setup, bus_teardown, test_api_on_fake_device),
		TEST_CASE_ST(bus_setup, bus_teardown, test_bus_uio_refuses),
		TEST_CASE_ST(bus_setup, bus_teardown, test_bus_non_vfio_refuses),
		TEST_CASE_ST(bus_setup, bus_teardown, test_bus_probe_again),
		TEST_CASE_ST(bus_setup, bus_teardown, test_bus_layered_iterate),
		TEST_CASE_ST(bus_setup, bus_teardown,
			test_telemetry_during_unplug),
		TEST_CASES_END()
	}
};

static int
test_pci_wc_devargs(void)
{
	return unit_test_suite_runner(&pci_wc_devargs_suite);
}

REGISTER_TEST_COMMAND(pci_wc_devargs_autotest, test_pci_wc_devargs);
