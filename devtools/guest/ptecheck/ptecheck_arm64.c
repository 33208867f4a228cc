// SPDX-License-Identifier: GPL-2.0
/*
 * ptecheck: arm64 decode of the memory type of a page-table entry.
 *
 * The entry's AttrIndx field (bits 4:2, the same in page and block
 * entries) selects one of the eight attribute bytes of MAIR_EL1; that
 * byte, read from the CPU (not the kernel's MT_* numbering), says which
 * memory type the access uses. pgprot_writecombine() is Normal
 * non-cacheable, pgprot_noncached() Device-nGnRnE and pgprot_device()
 * Device-nGnRE.
 */
#include <linux/kernel.h>
#include <asm/pgtable-hwdef.h>
#include <asm/sysreg.h>

#include "ptecheck.h"

#define PTECHECK_ARM64_ATTRINDX_SHIFT	2
#define PTECHECK_ARM64_ATTRINDX_MASK	0x7

static const char * const ptecheck_arm64_device_types[4] = {
	"DEVICE_nGnRnE", "DEVICE_nGnRE", "DEVICE_nGRE", "DEVICE_GRE",
};

/* Name of the memory type of a MAIR attribute byte */
static const char *ptecheck_arm64_type(u8 attr)
{
	/* Device memory: upper nibble 0, bits 3:2 the gathering flavour */
	if (!(attr & 0xf0))
		return attr & 0x3 ? "reserved" :
		       ptecheck_arm64_device_types[attr >> 2];
	switch (attr) {
	case 0x44:	/* inner and outer non-cacheable */
		return "NORMAL_NC";
	case 0xff:	/* inner and outer write-back, allocating */
		return "NORMAL";
	case 0xf0:	/* write-back, MTE tagged */
		return "NORMAL_TAGGED";
	case 0xbb:	/* inner and outer write-through */
		return "NORMAL_WT";
	default:
		return "NORMAL_OTHER";
	}
}

int ptecheck_arch_attr(u64 entry, enum ptecheck_level level,
		       const char *prefix, char *buf, size_t len)
{
	unsigned int index = (entry >> PTECHECK_ARM64_ATTRINDX_SHIFT) &
			     PTECHECK_ARM64_ATTRINDX_MASK;
	u8 attr = (read_sysreg(mair_el1) >> (index * 8)) & 0xff;

	return scnprintf(buf, len, "%sattr=%s %sattrindx=%u %smair_attr=0x%02x",
			 prefix, ptecheck_arm64_type(attr), prefix, index,
			 prefix, attr);
}

int ptecheck_arch_table(char *buf, size_t len)
{
	return scnprintf(buf, len, "mair=0x%016llx",
			 (u64)read_sysreg(mair_el1));
}
