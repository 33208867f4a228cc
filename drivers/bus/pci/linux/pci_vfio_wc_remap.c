/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 WC Team
 */

/*
 * rte_pci_mem_remap(): remap a range of a mapped VFIO BAR write-combining
 * or uncached, in the primary process and then, through the EAL
 * multi-process channel, in the secondary processes.
 *
 * The range becomes a "window" of the BAR (pci_wc_plan_remap()): the
 * range, widened to the whole write-combining segments it touches. Each
 * process maps the window's new segments over the old ones with
 * MAP_FIXED, so the addresses are never free for another mapping.
 *
 * A write-combining segment is a dma-buf whose WC reservation lasts
 * until its last mapping is gone, in any process; the kernel refuses
 * (vfio-pci-wc) or would silently turn WC (x86 PAT) an uncached mapping
 * of a reserved page. So when the window holds write-combining
 * segments, every process first replaces its window by an inaccessible
 * anonymous mapping ("release"), and only then maps the new segments.
 * Uncached segments need no release: their pages are mapped again one
 * by one.
 *
 * On any failure the old segments are mapped back the same way, in
 * every process.
 */

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <bus_pci_driver.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_eal_paging.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_rwlock.h>
#include <rte_string_fns.h>
#include <rte_vfio.h>

#include "private.h"
#include "pci_init.h"
#include "pci_vfio_wc.h"
#include "pci_wc.h"

#ifdef VFIO_PRESENT

#define PCI_WC_REMAP_MP "bus_pci_wc_remap"
/* How long the primary waits for the secondary processes. */
#define PCI_WC_REMAP_MP_TIMEOUT_S 5
/* Most segments of a window (the message has room for that many). */
#define PCI_WC_REMAP_MAX_PIECES 8

enum remap_op {
	REMAP_OP_RELEASE = 1, /* window -> inaccessible anonymous memory */
	REMAP_OP_MAP = 2,     /* pieces -> mapped with their kind */
};

/* A segment of a plan, cut to the window. */
struct remap_piece {
	uint64_t offset;
	uint64_t len;
	uint8_t kind;
};

/* Request of the primary; in rte_mp_msg.param. */
struct remap_msg {
	char pci_addr[16];
	uint8_t bar;
	uint8_t op;
	uint8_t nb_pieces;
	uint64_t win_offset;
	uint64_t win_len;
	struct remap_piece pieces[PCI_WC_REMAP_MAX_PIECES];
};

/* Answer of a secondary process. */
struct remap_reply {
	int32_t result;
	int32_t pid;
	char reason[128];
};

static_assert(sizeof(struct remap_msg) <= RTE_MP_MAX_PARAM_LEN,
	"remap request too large for a multi-process message");
static_assert(sizeof(struct remap_reply) <= RTE_MP_MAX_PARAM_LEN,
	"remap reply too large for a multi-process message");

/* One remap at a time in the primary: each changes the shared plan. */
static pthread_mutex_t remap_lock = PTHREAD_MUTEX_INITIALIZER;

/* What a process needs to map a BAR again. */
struct remap_ctx {
	const char *pci_addr;
	unsigned int bar;
	int vfio_dev_fd;
	uint64_t region_offset;
	void *base;
};

static int
ctx_get(const struct rte_pci_device *dev, unsigned int bar,
		struct remap_ctx *ctx)
{
	struct vfio_region_info *reg = NULL;

	ctx->pci_addr = dev->name;
	ctx->bar = bar;
	ctx->base = dev->mem_resource[bar].addr;
	/* the device fd: kept with the interrupts, or with the request
	 * notifier for a device without interrupts
	 */
	ctx->vfio_dev_fd = rte_intr_dev_fd_get(dev->intr_handle);
	if (ctx->vfio_dev_fd < 0)
		ctx->vfio_dev_fd = rte_intr_dev_fd_get(dev->vfio_req_intr_handle);
	if (dev->kdrv != RTE_PCI_KDRV_VFIO || ctx->base == NULL ||
			ctx->vfio_dev_fd < 0)
		return -ENODEV;
	if (pci_vfio_get_region_info(ctx->vfio_dev_fd, &reg, bar) < 0)
		return -errno;
	ctx->region_offset = reg->offset;
	free(reg);
	return 0;
}

static void
piece_range(char *buf, size_t len, const struct remap_piece *p)
{
	snprintf(buf, len, "0x%" PRIx64 "-0x%" PRIx64, p->offset,
		p->offset + p->len - 1);
}

/* Map one piece over whatever is at its place. */
static int
map_piece(const struct remap_ctx *ctx, const struct remap_piece *p,
		char *why, size_t why_len)
{
	struct pci_wc_segment seg = {
		.offset = p->offset, .len = p->len, .kind = p->kind,
	};
	void *addr = RTE_PTR_ADD(ctx->base, p->offset);
	const char *step = "mmap";
	char range[64];
	int ret = 0;

	if (p->kind == PCI_WC_SEG_WC) {
		ret = pci_vfio_wc_map_wc(ctx->vfio_dev_fd, ctx->bar, &seg, addr,
			&step);
	} else if (mmap(addr, p->len, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_FIXED, ctx->vfio_dev_fd,
			ctx->region_offset + p->offset) == MAP_FAILED) {
		step = "device file mmap";
		ret = -errno;
	}
	if (ret < 0) {
		piece_range(range, sizeof(range), p);
		snprintf(why, why_len, "range %s: %s failed: %s", range, step,
			strerror(-ret));
	}
	return ret;
}

/* Apply one operation to this process's mapping of the window. */
static int
apply_local(const struct remap_ctx *ctx, const struct remap_msg *m,
		char *why, size_t why_len)
{
	static const uint8_t order[] = { PCI_WC_SEG_UC, PCI_WC_SEG_WC };
	unsigned int i, pass;
	int ret;

	if (m->op == REMAP_OP_RELEASE) {
		if (mmap(RTE_PTR_ADD(ctx->base, m->win_offset), m->win_len,
				PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				-1, 0) == MAP_FAILED) {
			ret = -errno;
			snprintf(why, why_len, "releasing the old mapping failed: %s",
				strerror(-ret));
			return ret;
		}
		return 0;
	}
	/* uncached pieces first, as when mapping the device */
	for (pass = 0; pass < RTE_DIM(order); pass++) {
		for (i = 0; i < m->nb_pieces; i++) {
			if (m->pieces[i].kind != order[pass])
				continue;
			ret = map_piece(ctx, &m->pieces[i], why, why_len);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* Send one operation to the secondary processes; first error wins. */
static int
apply_secondaries(const struct remap_msg *m, char *why, size_t why_len)
{
	struct timespec ts = { .tv_sec = PCI_WC_REMAP_MP_TIMEOUT_S };
	struct rte_mp_reply reply;
	struct rte_mp_msg msg;
	int i, ret = 0;

	memset(&msg, 0, sizeof(msg));
	strlcpy(msg.name, PCI_WC_REMAP_MP, sizeof(msg.name));
	msg.len_param = sizeof(*m);
	memcpy(msg.param, m, sizeof(*m));
	memset(&reply, 0, sizeof(reply));
	if (rte_mp_request_sync(&msg, &reply, &ts) < 0) {
		ret = -rte_errno;
		snprintf(why, why_len,
			"multi-process request failed: %s", rte_strerror(rte_errno));
		return ret;
	}
	for (i = 0; i < reply.nb_received; i++) {
		const struct remap_reply *r = (const void *)reply.msgs[i].param;

		if (reply.msgs[i].len_param != sizeof(*r) || r->result >= 0 ||
				ret < 0)
			continue;
		ret = r->result;
		snprintf(why, why_len, "secondary process %d: %s", r->pid,
			r->reason);
	}
	if (reply.nb_received < reply.nb_sent)
		PCI_WC_LOG(WARNING, "%s: BAR%u remap: %d of %d secondary processes did not answer (no VFIO device mapped there, or stuck)",
			m->pci_addr, m->bar, reply.nb_sent - reply.nb_received,
			reply.nb_sent);
	free(reply.msgs);
	return ret;
}

/*
 * Map the pieces of the window in every process, after releasing it in
 * every process when asked to.
 */
static int
apply_all(const struct remap_ctx *ctx, struct remap_msg *m, bool release,
		char *why, size_t why_len)
{
	int ret;

	if (release) {
		m->op = REMAP_OP_RELEASE;
		ret = apply_local(ctx, m, why, why_len);
		if (ret == 0)
			ret = apply_secondaries(m, why, why_len);
		if (ret < 0)
			return ret;
	}
	m->op = REMAP_OP_MAP;
	ret = apply_local(ctx, m, why, why_len);
	if (ret == 0)
		ret = apply_secondaries(m, why, why_len);
	return ret;
}

/* The segments of a BAR plan inside the window; false when too many. */
static bool
window_pieces(const struct pci_wc_bar_plan *bp, uint64_t win_offset,
		uint64_t win_len, struct remap_msg *m, bool *has_wc)
{
	uint64_t win_end = win_offset + win_len;
	uint32_t i;

	m->nb_pieces = 0;
	*has_wc = false;
	for (i = 0; i < bp->nb_segs; i++) {
		const struct pci_wc_segment *s = &bp->segs[i];
		uint64_t start = RTE_MAX(s->offset, win_offset);
		uint64_t end = RTE_MIN(s->offset + s->len, win_end);

		if (start >= end || s->kind == PCI_WC_SEG_HOLE)
			continue;
		if (m->nb_pieces == PCI_WC_REMAP_MAX_PIECES)
			return false;
		m->pieces[m->nb_pieces].offset = start;
		m->pieces[m->nb_pieces].len = end - start;
		m->pieces[m->nb_pieces].kind = s->kind;
		m->nb_pieces++;
		*has_wc |= s->kind == PCI_WC_SEG_WC;
	}
	return true;
}

/* The effective attribute of the segments mapped again. */
static void
verify_window(const struct rte_pci_device *dev, unsigned int bar,
		struct pci_wc_bar_plan *bp, uint64_t win_offset,
		uint64_t win_len)
{
	char other[32], range[64];
	uint32_t i;

	for (i = 0; i < bp->nb_segs; i++) {
		struct pci_wc_segment *s = &bp->segs[i];
		bool wc = s->kind == PCI_WC_SEG_WC;

		if (s->kind == PCI_WC_SEG_HOLE ||
				s->offset >= win_offset + win_len ||
				s->offset + s->len <= win_offset)
			continue;
		s->effective = pci_vfio_wc_effective(dev, bar, s->offset, s->len,
			wc, other);
		snprintf(range, sizeof(range), "0x%" PRIx64 "-0x%" PRIx64,
			s->offset, s->offset + s->len - 1);
		if (wc && s->effective == RTE_PCI_MEM_ATTR_UC)
			PCI_WC_LOG(WARNING, "%s: BAR%u range %s: remapped write-combining but the PAT memory type is %s: effective uc",
				dev->name, bar, range, other);
	}
}

static const char *
attr_word(enum pci_wc_seg_kind kind)
{
	return kind == PCI_WC_SEG_WC ? "write-combining" : "uncached";
}

static int
remap_primary(struct rte_pci_device *dev, unsigned int bar, uint64_t offset,
		uint64_t len, enum pci_wc_seg_kind kind)
{
	struct pci_wc_bar_plan old, new_plan;
	struct remap_ctx ctx;
	struct remap_msg m, undo;
	const char *reason;
	char err[256], why[256], range[64];
	bool old_wc, new_wc;
	int ret;

	memset(&m, 0, sizeof(m));
	snprintf(range, sizeof(range), "0x%" PRIx64 "-0x%" PRIx64, offset,
		offset + len - 1);
	if (dev->kdrv != RTE_PCI_KDRV_VFIO ||
			pci_wc_plan_bar_get(dev, bar, &old) < 0) {
		PCI_WC_LOG(ERR, "%s: cannot remap BAR%u range %s %s: the device is not mapped through VFIO",
			dev->name, bar, range, attr_word(kind));
		return -ENODEV;
	}
	ret = pci_wc_plan_remap(&old, bar, rte_mem_page_size(), offset, len,
		kind, &new_plan, &m.win_offset, &m.win_len, err, sizeof(err));
	if (ret < 0) {
		PCI_WC_LOG(ERR, "%s: cannot remap %s: %s", dev->name,
			attr_word(kind), err);
		return ret;
	}
	if (m.win_len == 0)
		return 0;
	ret = ctx_get(dev, bar, &ctx);
	if (ret < 0) {
		PCI_WC_LOG(ERR, "%s: cannot remap BAR%u range %s %s: %s",
			dev->name, bar, range, attr_word(kind),
			ret == -ENODEV ? "the BAR is not mapped through VFIO" :
			strerror(-ret));
		return ret;
	}
	if (kind == PCI_WC_SEG_WC) {
		reason = pci_vfio_wc_kernel_reason(ctx.vfio_dev_fd);
		if (reason != NULL) {
			PCI_WC_LOG(ERR, "%s: cannot remap BAR%u range %s write-combining: %s",
				dev->name, bar, range, reason);
			return -ENOTSUP;
		}
	}
	strlcpy(m.pci_addr, dev->name, sizeof(m.pci_addr));
	m.bar = bar;
	undo = m;
	if (!window_pieces(&old, m.win_offset, m.win_len, &undo, &old_wc) ||
			!window_pieces(&new_plan, m.win_offset, m.win_len, &m,
				&new_wc)) {
		PCI_WC_LOG(ERR, "%s: cannot remap BAR%u range %s %s: more than %d segments to map again",
			dev->name, bar, range, attr_word(kind),
			PCI_WC_REMAP_MAX_PIECES);
		return -E2BIG;
	}

	ret = apply_all(&ctx, &m, old_wc, why, sizeof(why));
	if (ret < 0) {
		PCI_WC_LOG(ERR, "%s: cannot remap BAR%u range %s %s: %s",
			dev->name, bar, range, attr_word(kind), why);
		if (apply_all(&ctx, &undo, new_wc, err, sizeof(err)) < 0)
			PCI_WC_LOG(ERR, "%s: BAR%u window 0x%" PRIx64 "-0x%" PRIx64 " could not be mapped back (%s): it is inaccessible",
				dev->name, bar, m.win_offset,
				m.win_offset + m.win_len - 1, err);
		return ret;
	}
	verify_window(dev, bar, &new_plan, m.win_offset, m.win_len);
	pci_wc_plan_bar_replace(dev, bar, &new_plan);
	PCI_WC_LOG(INFO, "%s: BAR%u range %s remapped %s, effective %s",
		dev->name, bar, range, attr_word(kind),
		rte_pci_mem_attr_name(rte_pci_mem_attr_get(dev, bar, offset)));
	return 0;
}

int
rte_pci_mem_remap(struct rte_pci_device *dev, unsigned int bar,
		uint64_t offset, uint64_t len, enum rte_pci_mem_attr attr)
{
	enum pci_wc_seg_kind kind;
	int ret;

	if (dev == NULL || bar >= PCI_MAX_RESOURCE ||
			(attr != RTE_PCI_MEM_ATTR_WC && attr != RTE_PCI_MEM_ATTR_UC))
		return -EINVAL;
	kind = attr == RTE_PCI_MEM_ATTR_WC ? PCI_WC_SEG_WC : PCI_WC_SEG_UC;
	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		PCI_WC_LOG(ERR, "%s: cannot remap BAR%u range 0x%" PRIx64 "-0x%" PRIx64 " %s: only the primary process can",
			dev->name, bar, offset, offset + len - 1,
			attr_word(kind));
		return -EPERM;
	}
	pthread_mutex_lock(&remap_lock);
	ret = remap_primary(dev, bar, offset, len, kind);
	pthread_mutex_unlock(&remap_lock);
	return ret;
}

/* Called with the device list locked. */
static struct rte_pci_device *
find_device(const char *name)
{
	struct rte_pci_device *dev;

	FOREACH_DEVICE_ON_PCIBUS(dev)
		if (strcmp(dev->name, name) == 0)
			return dev;
	return NULL;
}

/* Secondary process: one operation of the primary's remap. */
static int
remap_mp_handle(const struct rte_mp_msg *msg, const void *peer)
{
	const struct remap_msg *m = (const void *)msg->param;
	struct remap_reply *r;
	struct rte_pci_device *dev;
	struct rte_mp_msg reply;
	struct remap_ctx ctx;
	char name[sizeof(m->pci_addr) + 1];

	memset(&reply, 0, sizeof(reply));
	strlcpy(reply.name, msg->name, sizeof(reply.name));
	reply.len_param = sizeof(*r);
	r = (void *)reply.param;
	r->pid = getpid();
	if (msg->len_param != sizeof(*m) || m->bar >= PCI_MAX_RESOURCE ||
			m->nb_pieces > PCI_WC_REMAP_MAX_PIECES) {
		r->result = -EINVAL;
		snprintf(r->reason, sizeof(r->reason), "malformed request");
		return rte_mp_reply(&reply, peer);
	}
	strlcpy(name, m->pci_addr, sizeof(name));
	/*
	 * The device must not be unplugged (and freed) by the EAL thread
	 * while this thread maps it: the list lock is held for the few
	 * mmap() calls of the request.
	 */
	rte_rwlock_read_lock(&rte_pci_bus.device_list_lock);
	dev = find_device(name);
	/* Nothing to do where the device or BAR is not mapped. */
	if (dev != NULL && ctx_get(dev, m->bar, &ctx) == 0)
		r->result = apply_local(&ctx, m, r->reason, sizeof(r->reason));
	rte_rwlock_read_unlock(&rte_pci_bus.device_list_lock);
	if (r->result < 0)
		PCI_WC_LOG(ERR, "%s: BAR%u remap asked by the primary: %s",
			name, m->bar, r->reason);
	return rte_mp_reply(&reply, peer);
}

void
pci_vfio_wc_remap_mp_register(void)
{
	static bool registered;

	if (registered || rte_eal_process_type() != RTE_PROC_SECONDARY)
		return;
	if (rte_mp_action_register(PCI_WC_REMAP_MP, remap_mp_handle) < 0 &&
			rte_errno != EEXIST && rte_errno != ENOTSUP) {
		PCI_WC_LOG(WARNING, "cannot answer write-combining remaps of the primary process: %s",
			rte_strerror(rte_errno));
		return;
	}
	registered = true;
}

#else /* !VFIO_PRESENT */

int
rte_pci_mem_remap(struct rte_pci_device *dev, unsigned int bar,
		uint64_t offset, uint64_t len, enum rte_pci_mem_attr attr)
{
	RTE_SET_USED(offset);
	RTE_SET_USED(len);
	if (dev == NULL || bar >= PCI_MAX_RESOURCE ||
			(attr != RTE_PCI_MEM_ATTR_WC && attr != RTE_PCI_MEM_ATTR_UC))
		return -EINVAL;
	return -ENODEV;
}

void
pci_vfio_wc_remap_mp_register(void)
{
}

#endif /* VFIO_PRESENT */
