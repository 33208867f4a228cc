/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_pci.h>
#include <rte_string_fns.h>

#include "pci_wc_devargs.h"

#define PCI_WC_ITEM_MAX 128

static int
fail(char *err, size_t err_len, const char *devname, const char *value,
		const char *reason)
{
	snprintf(err, err_len, "%s: invalid device argument %s=%s: %s",
		devname, PCI_WC_DEVARG_KEY, value, reason);
	return -EINVAL;
}

/* A BAR number: one decimal digit, 0 to 5. */
static bool
parse_bar(const char *s, size_t len, uint8_t *bar)
{
	if (len != 1 || s[0] < '0' || s[0] >= '0' + PCI_MAX_RESOURCE)
		return false;
	*bar = s[0] - '0';
	return true;
}

/* A number in C notation (0x.., decimal); the whole text must be used. */
static bool
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s == '\0' || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno == 0 && *end == '\0';
}

/* One list item: "BAR" or "BAR:start-end"; reason set on failure. */
static bool
parse_item(const char *item, size_t page_size, struct rte_pci_wc_range *r,
		char *reason, size_t reason_len)
{
	char buf[PCI_WC_ITEM_MAX];
	const char *colon = strchr(item, ':');
	char *dash;
	uint64_t start, end;
	size_t bar_len = colon ? (size_t)(colon - item) : strlen(item);

	memset(r, 0, sizeof(*r));
	r->flags = RTE_PCI_WC_RANGE_F_REQUIRED;
	if (!parse_bar(item, bar_len, &r->bar)) {
		snprintf(reason, reason_len,
			"bad BAR \"%.*s\" in \"%s\" (expected 0 to %d)",
			(int)bar_len, item, item, PCI_MAX_RESOURCE - 1);
		return false;
	}
	if (colon == NULL) {
		r->flags |= RTE_PCI_WC_RANGE_F_TO_END; /* the whole BAR */
		return true;
	}

	if (strlcpy(buf, colon + 1, sizeof(buf)) >= sizeof(buf))
		goto bad_range;
	dash = strchr(buf, '-');
	if (dash == NULL)
		goto bad_range;
	*dash = '\0';
	if (!parse_u64(buf, &start) || !parse_u64(dash + 1, &end))
		goto bad_range;
	if (end < start) {
		snprintf(reason, reason_len,
			"range \"%s\" ends before it starts", item);
		return false;
	}
	if (end == UINT64_MAX)
		goto bad_range; /* its length does not fit in 64 bits */
	if (start % page_size || (end + 1) % page_size) {
		snprintf(reason, reason_len,
			"range \"%s\" is not page aligned (page size 0x%zx, end is inclusive)",
			item, page_size);
		return false;
	}
	r->offset = start;
	r->len = end - start + 1;
	return true;

bad_range:
	snprintf(reason, reason_len,
		"bad range \"%s\" (expected BAR:start-end)", item);
	return false;
}

/* Split "a,b,c" (brackets already removed) into policy ranges. */
static int
parse_list(const char *devname, const char *value, const char *list,
		size_t page_size, struct pci_wc_policy *policy,
		char *err, size_t err_len)
{
	char item[PCI_WC_ITEM_MAX];
	char reason[256];
	const char *p = list;

	if (*list == '\0')
		return fail(err, err_len, devname, value, "empty list");
	policy->mode = PCI_WC_MODE_LIST;
	policy->nb_ranges = 0;
	while (1) {
		size_t len = strcspn(p, ",");

		if (len == 0)
			return fail(err, err_len, devname, value,
				"empty list item");
		if (len >= sizeof(item)) {
			snprintf(reason, sizeof(reason),
				"list item \"%.20s...\" too long", p);
			return fail(err, err_len, devname, value, reason);
		}
		if (policy->nb_ranges == RTE_PCI_WC_MAX_RANGES) {
			snprintf(reason, sizeof(reason),
				"more than %d items", RTE_PCI_WC_MAX_RANGES);
			return fail(err, err_len, devname, value, reason);
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (!parse_item(item, page_size,
				&policy->ranges[policy->nb_ranges],
				reason, sizeof(reason)))
			return fail(err, err_len, devname, value, reason);
		policy->nb_ranges++;
		p += len;
		if (*p == '\0')
			return 0;
		p++; /* skip the comma */
	}
}

int
pci_wc_devargs_parse(const char *devname, const char *value,
		size_t page_size, struct pci_wc_policy *policy,
		char *err, size_t err_len)
{
	char list[PCI_WC_DEVARG_MAX_LEN];
	size_t len;

	memset(policy, 0, sizeof(*policy));
	if (value == NULL || *value == '\0')
		return fail(err, err_len, devname, "", "empty value");
	strlcpy(policy->text, value, sizeof(policy->text));
	if (strcmp(value, "auto") == 0) {
		policy->mode = PCI_WC_MODE_AUTO;
		return 0;
	}
	if (strcmp(value, "off") == 0) {
		policy->mode = PCI_WC_MODE_OFF;
		return 0;
	}
	if (strcmp(value, "on") == 0) {
		policy->mode = PCI_WC_MODE_ON;
		return 0;
	}
	len = strlen(value);
	if (len >= sizeof(list))
		return fail(err, err_len, devname, "...", "value too long");
	if (value[0] == '[') {
		if (value[len - 1] != ']')
			return fail(err, err_len, devname, value,
				"missing ']'");
		memcpy(list, value + 1, len - 2);
		list[len - 2] = '\0';
	} else if (isdigit((unsigned char)value[0])) {
		/* A single item needs no brackets. */
		if (strchr(value, ',') != NULL)
			return fail(err, err_len, devname, value,
				"a list of several items needs brackets");
		strlcpy(list, value, sizeof(list));
	} else {
		return fail(err, err_len, devname, value,
			"expected off, auto, on or a list like [2,4:0x3000-0x3fff]");
	}
	if (strpbrk(list, "[]") != NULL)
		return fail(err, err_len, devname, value,
			"unbalanced brackets");
	return parse_list(devname, value, list, page_size, policy,
		err, err_len);
}

/* Length of the pair at p: up to a comma outside brackets, or the end. */
static size_t
pair_len(const char *p)
{
	bool in_list = false;
	size_t i;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] == '[')
			in_list = true;
		else if (p[i] == ']')
			in_list = false;
		else if (p[i] == ',' && !in_list)
			break;
	}
	return i;
}

/* Whether the pair [p, p + len) has the key "wc"; sets its value. */
static bool
pair_is_wc(const char *p, size_t len, const char **val, size_t *val_len)
{
	const size_t klen = strlen(PCI_WC_DEVARG_KEY);

	if (len < klen || strncmp(p, PCI_WC_DEVARG_KEY, klen) != 0)
		return false;
	if (len == klen) {
		*val = p + len;
		*val_len = 0;
		return true;
	}
	if (p[klen] != '=')
		return false;
	*val = p + klen + 1;
	*val_len = len - klen - 1;
	return true;
}

int
pci_wc_devargs_strip(char *args, char *value, size_t value_len)
{
	const char *p, *val = NULL;
	size_t len, vlen = 0, out = 0;
	int found = 0;

	if (args == NULL)
		return 0;
	/* First pass: find the key, refuse duplicates, copy the value. */
	for (p = args; ; p += len + 1) {
		const char *v;
		size_t vl;

		len = pair_len(p);
		if (pair_is_wc(p, len, &v, &vl)) {
			if (found)
				return -EEXIST;
			found = 1;
			val = v;
			vlen = vl;
		}
		if (p[len] == '\0')
			break;
	}
	if (!found)
		return 0;
	if (vlen >= value_len)
		return -E2BIG;
	memcpy(value, val, vlen);
	value[vlen] = '\0';

	/* Second pass: compact the other pairs in place, in order. */
	for (p = args; ; p += len + 1) {
		const char *v;
		size_t vl;
		bool last;

		len = pair_len(p);
		last = p[len] == '\0';
		if (!pair_is_wc(p, len, &v, &vl)) {
			if (out != 0)
				args[out++] = ',';
			memmove(args + out, p, len);
			out += len;
		}
		if (last)
			break;
	}
	args[out] = '\0';
	return 1;
}
