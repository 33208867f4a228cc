// SPDX-License-Identifier: GPL-2.0
/*
 * ptecheck: a test-only debugfs interface that reports the page-table entry
 * mapping a user virtual address of the calling process, with the memory
 * attribute the hardware applies to it.
 *
 * Distribution kernels do not enable PTDUMP, and the attribute a driver
 * requests (vm_page_prot) is not always the one installed: on x86 the PAT
 * memtype tracking may silently change it. Tests therefore check the entry
 * itself.
 *
 * Usage: open /sys/kernel/debug/ptecheck, write a virtual address (any base
 * accepted by kstrtoull, e.g. "0x7f0000001000"), or a process id and an
 * address of that process ("1234 0x7f0000001000"), read back one line:
 *   addr=0x... level=pte entry=0x... pfn=0x... attr=UC- pat_index=2
 *   vma_attr=UC- vma_pat_index=2 pat=0x... vma_flags=0x...
 * "attr" decodes the entry, "vma_attr" the VMA's vm_page_prot (what the
 * driver asked for), with the CPU's attribute table (x86: "pat", the PAT
 * MSR). The result belongs to the open file.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/task.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ptecheck.h"

#define PTECHECK_LINE_MAX 256

struct ptecheck_leaf {
	u64 entry;
	unsigned long pfn;
	enum ptecheck_level level;
};

struct ptecheck_file {
	struct mutex lock;	/* serialises queries on one open file */
	size_t len;
	char line[PTECHECK_LINE_MAX];
};

static struct dentry *ptecheck_dentry;

static const char * const ptecheck_level_names[] = {
	[PTECHECK_LEVEL_PTE] = "pte",
	[PTECHECK_LEVEL_PMD] = "pmd",
	[PTECHECK_LEVEL_PUD] = "pud",
};

/*
 * Find the present leaf entry mapping @addr. The caller holds mmap_lock,
 * which keeps the upper page-table levels of the VMA in place; each entry
 * is read once, so a concurrent zap yields "not present", never garbage.
 */
static int ptecheck_walk(struct mm_struct *mm, unsigned long addr,
			 struct ptecheck_leaf *leaf)
{
	pgd_t *pgdp = pgd_offset(mm, addr);
	p4d_t *p4dp;
	pud_t *pudp, pud;
	pmd_t *pmdp, pmd;
	pte_t pte;

	if (pgd_none(READ_ONCE(*pgdp)))
		return -ENOENT;
	p4dp = p4d_offset(pgdp, addr);
	if (p4d_none(READ_ONCE(*p4dp)))
		return -ENOENT;
	pudp = pud_offset(p4dp, addr);
	pud = READ_ONCE(*pudp);
	if (pud_none(pud) || !pud_present(pud))
		return -ENOENT;
	if (pud_leaf(pud)) {
		leaf->entry = pud_val(pud);
		leaf->pfn = pud_pfn(pud) + ((addr & ~PUD_MASK) >> PAGE_SHIFT);
		leaf->level = PTECHECK_LEVEL_PUD;
		return 0;
	}
	pmdp = pmd_offset(pudp, addr);
	/* One access on 64-bit (pmdp_get_lockless(), which 6.1 lacks) */
	pmd = READ_ONCE(*pmdp);
	if (pmd_none(pmd) || !pmd_present(pmd))
		return -ENOENT;
	if (pmd_leaf(pmd)) {
		leaf->entry = pmd_val(pmd);
		leaf->pfn = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		leaf->level = PTECHECK_LEVEL_PMD;
		return 0;
	}
	/* PTE tables may be freed under RCU without mmap_lock (THP collapse) */
	rcu_read_lock();
	pte = ptep_get(pte_offset_kernel(&pmd, addr));
	rcu_read_unlock();
	if (!pte_present(pte))
		return -ENOENT;
	leaf->entry = pte_val(pte);
	leaf->pfn = pte_pfn(pte);
	leaf->level = PTECHECK_LEVEL_PTE;
	return 0;
}

static int ptecheck_query(struct ptecheck_file *pf, struct mm_struct *mm,
			  unsigned long addr)
{
	struct vm_area_struct *vma;
	struct ptecheck_leaf leaf;
	char *p = pf->line;
	size_t room = sizeof(pf->line);
	int n, ret;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	if (!vma) {
		ret = -EFAULT;
		goto out_unlock;
	}
	ret = ptecheck_walk(mm, addr, &leaf);
	if (ret)
		goto out_unlock;

	n = scnprintf(p, room, "addr=0x%lx level=%s entry=0x%016llx pfn=0x%lx ",
		      addr, ptecheck_level_names[leaf.level], leaf.entry,
		      leaf.pfn);
	n += ptecheck_arch_attr(leaf.entry, leaf.level, "", p + n, room - n);
	n += scnprintf(p + n, room - n, " ");
	n += ptecheck_arch_attr(pgprot_val(vma->vm_page_prot),
				PTECHECK_LEVEL_PTE, "vma_", p + n, room - n);
	n += scnprintf(p + n, room - n, " ");
	n += ptecheck_arch_table(p + n, room - n);
	n += scnprintf(p + n, room - n, " vma_flags=0x%lx\n", vma->vm_flags);
	pf->len = n;
out_unlock:
	mmap_read_unlock(mm);
	return ret;
}

static int ptecheck_open(struct inode *inode, struct file *file)
{
	struct ptecheck_file *pf;

	pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	mutex_init(&pf->lock);
	file->private_data = pf;
	return nonseekable_open(inode, file);
}

static int ptecheck_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

/* The address space of process @nr, or of the caller when 0 */
static struct mm_struct *ptecheck_get_mm(int nr)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;

	if (!nr) {
		mm = current->mm;
		if (mm)
			mmget(mm);
		return mm;
	}
	pid = find_get_pid(nr);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return NULL;
	mm = get_task_mm(task);
	put_task_struct(task);
	return mm;
}

/* "<addr>" or "<pid> <addr>" */
static int ptecheck_parse(const char __user *ubuf, size_t count, int *pid,
			  unsigned long long *addr)
{
	char buf[48], *sep;
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	*pid = 0;
	sep = strchr(buf, ' ');
	if (sep) {
		*sep++ = '\0';
		ret = kstrtoint(buf, 10, pid);
		if (ret || *pid <= 0)
			return -EINVAL;
	}
	return kstrtoull(sep ? sep : buf, 0, addr);
}

static ssize_t ptecheck_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct ptecheck_file *pf = file->private_data;
	unsigned long long addr;
	struct mm_struct *mm;
	int pid, ret;

	ret = ptecheck_parse(ubuf, count, &pid, &addr);
	if (ret)
		return ret;
	mm = ptecheck_get_mm(pid);
	if (!mm)
		return pid ? -ESRCH : -EINVAL;
	mutex_lock(&pf->lock);
	pf->len = 0;
	ret = ptecheck_query(pf, mm, addr);
	mutex_unlock(&pf->lock);
	mmput(mm);
	return ret ? ret : count;
}

static ssize_t ptecheck_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct ptecheck_file *pf = file->private_data;
	ssize_t ret;

	mutex_lock(&pf->lock);
	if (!pf->len) {
		ret = -ENODATA;
		goto out_unlock;
	}
	/* Each read returns the whole line of the last query. */
	if (count < pf->len) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = copy_to_user(ubuf, pf->line, pf->len) ? -EFAULT : pf->len;
out_unlock:
	mutex_unlock(&pf->lock);
	return ret;
}

static const struct file_operations ptecheck_fops = {
	.owner = THIS_MODULE,
	.open = ptecheck_open,
	.release = ptecheck_release,
	.write = ptecheck_write,
	.read = ptecheck_read,
};

static int __init ptecheck_init(void)
{
	ptecheck_dentry = debugfs_create_file("ptecheck", 0600, NULL, NULL,
					      &ptecheck_fops);
	if (IS_ERR(ptecheck_dentry))
		return PTR_ERR(ptecheck_dentry);
	return 0;
}

static void __exit ptecheck_exit(void)
{
	debugfs_remove(ptecheck_dentry);
}

module_init(ptecheck_init);
module_exit(ptecheck_exit);

MODULE_DESCRIPTION("Test-only report of the page-table entry of a user address");
MODULE_LICENSE("GPL");
