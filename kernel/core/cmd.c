// SPDX-License-Identifier: GPL-2.0
/*
 * The command life cycle:
 *
 *   submit -> LUN lookup (RCU) -> unit attention -> parse -> buffers
 *          -> [fetch_data for writes] -> execute -> complete -> done
 *
 * One lock is taken on this path, the nexus's own cmd_lock, to list the
 * command for task management (tmf.c) at submit and unlist it at done: the
 * nexus is found with one xarray lookup under RCU and pinned with a percpu
 * reference, commands live in the driver's memory, and buffers come from the driver (zero-copy) or from
 * the core's per-CPU page cache (buf.c).  Handler I/O runs in the submitter's context when the
 * handler allows it there, otherwise on the device's workqueue.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <scsi/scsi_proto.h>

#include "buf.h"
#include "core.h"
#include "range.h"
#include "scsi.h"

/* ASC/ASCQ of each unit-attention condition, in reporting order. */
static const u8 strix_ua_codes[STRIX_UA_MAX][2] = {
	[STRIX_UA_POWER_ON]		= { 0x29, 0x00 },
	[STRIX_UA_RESET]		= { 0x29, 0x03 },
	[STRIX_UA_NEXUS_LOSS]		= { 0x29, 0x07 },
	[STRIX_UA_CMDS_CLEARED]		= { 0x2f, 0x00 },
	[STRIX_UA_MODE_CHANGED]		= { 0x2a, 0x01 },
	[STRIX_UA_RES_PREEMPTED]	= { 0x2a, 0x03 },
	[STRIX_UA_RES_RELEASED]		= { 0x2a, 0x04 },
	[STRIX_UA_REG_PREEMPTED]	= { 0x2a, 0x05 },
	[STRIX_UA_ALUA_CHANGED]		= { 0x2a, 0x06 },
	[STRIX_UA_ALUA_FAILED]		= { 0x2a, 0x07 },
	[STRIX_UA_CAPACITY_CHANGED]	= { 0x2a, 0x09 },
	[STRIX_UA_INQUIRY_CHANGED]	= { 0x3f, 0x03 },
	[STRIX_UA_LUNS_CHANGED]		= { 0x3f, 0x0e },
};

/* Take the highest-priority pending unit attention of a nexus. */
static bool strix_ua_take(struct strix_tgt_dev *td, u8 *asc, u8 *ascq)
{
	unsigned int i;

	for (i = 0; i < STRIX_UA_MAX; i++) {
		if (test_and_clear_bit(i, &td->ua_pending)) {
			*asc = strix_ua_codes[i][0];
			*ascq = strix_ua_codes[i][1];
			return true;
		}
	}
	return false;
}

/* The unit attention a nexus would report next, left pending. */
bool strix_ua_peek(struct strix_tgt_dev *td, u8 *asc, u8 *ascq)
{
	unsigned long pending = READ_ONCE(td->ua_pending);
	unsigned int i = find_first_bit(&pending, STRIX_UA_MAX);

	if (i >= STRIX_UA_MAX)
		return false;
	*asc = strix_ua_codes[i][0];
	*ascq = strix_ua_codes[i][1];
	return true;
}

static bool strix_drv_atomic(const struct strix_cmd *cmd)
{
	return cmd->sess->tgt->dreg->drv->flags & STRIX_DRV_ATOMIC_SUBMIT;
}

gfp_t strix_cmd_gfp(const struct strix_cmd *cmd)
{
	return strix_drv_atomic(cmd) ? GFP_ATOMIC : GFP_KERNEL;
}

/*
 * What the initiator expects to move in the direction the CDB moves data:
 * nothing when the transport says the other direction (an iSCSI READ
 * flagged as a write, say) or no data at all.
 */
static u32 strix_cmd_expected(const struct strix_cmd *cmd)
{
	return cmd->expected_dir == cmd->data_dir ? cmd->expected_len : 0;
}

static void strix_cmd_complete(struct strix_cmd *cmd)
{
	struct strix_target *tgt = cmd->sess->tgt;

	/* the blocks are free for the commands that wait for them */
	if (cmd->range.state != STRIX_RANGE_FREE)
		strix_range_release(&cmd->dev->range_lock, &cmd->range);
	/* from here task management leaves the command be (tmf.c) */
	set_bit(STRIX_CMD_ANSWERED, &cmd->state);
	if (unlikely(test_bit(STRIX_CMD_ABORTED, &cmd->state))) {
		cmd->sense_len = 0;
		cmd->xfer_len = 0;
		cmd->resid = 0;
		cmd->overflow = false;
		if (test_bit(STRIX_CMD_TAS, &cmd->state))
			cmd->status = SAM_STAT_TASK_ABORTED;
		else
			cmd->aborted = true;
		tgt->dreg->drv->queue_response(cmd);
		return;
	}
	if (cmd->result == STRIX_OK) {
		cmd->status = SAM_STAT_GOOD;
		cmd->sense_len = 0;
	} else {
		/* D_SENSE of the device's control page: descriptor format */
		strix_sense_build(cmd, cmd->dev && READ_ONCE(cmd->dev->d_sense),
				  cmd->ua_asc, cmd->ua_ascq);
		cmd->xfer_len = 0;
	}
	cmd->resid = 0;
	cmd->overflow = false;
	if (cmd->cut) {		/* strix_cmd_cut(): what did not fit */
		cmd->resid = cmd->data_len - strix_cmd_expected(cmd);
		cmd->overflow = true;
	} else if (cmd->expected_len > cmd->xfer_len) {
		cmd->resid = cmd->expected_len - cmd->xfer_len;
	} else if (cmd->data_len > cmd->expected_len) {
		cmd->resid = cmd->data_len - cmd->expected_len;
		cmd->overflow = true;
	}
	if (cmd->result == STRIX_OK) {
		if (cmd->op == STRIX_OP_READ) {
			atomic64_inc(&tgt->read_cmds);
			atomic64_add(cmd->xfer_len >> 10, &tgt->read_kb);
		} else if (cmd->op == STRIX_OP_WRITE) {
			atomic64_inc(&tgt->write_cmds);
			atomic64_add(cmd->xfer_len >> 10, &tgt->write_kb);
		}
	} else if (cmd->status == SAM_STAT_CHECK_CONDITION && cmd->tgt_dev &&
		   READ_ONCE(cmd->dev->qerr)) {
		strix_tmf_qerr(cmd);
	}
	tgt->dreg->drv->queue_response(cmd);
}

/* Answer without executing: an error found before execution. */
static void strix_cmd_fail(struct strix_cmd *cmd, strix_sense_t result)
{
	cmd->result = result;
	strix_cmd_complete(cmd);
}

/*
 * VERIFY with BYTCHK=1: compare what was read with the initiator's data.
 * A difference is MISCOMPARE with the offset of its first byte in the
 * sense INFORMATION field (SBC-3 5.28: from the start of the data).
 */
static strix_sense_t strix_verify_compare(struct strix_cmd *cmd)
{
	struct sg_mapping_iter it;
	const u8 *want = cmd->bounce;
	strix_sense_t ret = STRIX_OK;
	u32 off = 0;

	sg_miter_start(&it, cmd->sg, cmd->sg_cnt, SG_MITER_FROM_SG | SG_MITER_ATOMIC);
	while (off < cmd->data_len && sg_miter_next(&it)) {
		size_t n = min_t(size_t, it.length, cmd->data_len - off);
		const u8 *got = it.addr;
		size_t i;

		if (memcmp(got, want + off, n)) {
			for (i = 0; got[i] == want[off + i]; i++)
				;
			cmd->sense_info = off + i;
			cmd->sense_info_valid = true;
			ret = STRIX_MISCOMPARE;
			break;
		}
		off += n;
	}
	sg_miter_stop(&it);
	return ret;
}

/**
 * strix_cmd_io_done() - a handler finished the I/O of a command
 * @cmd:    the command
 * @result: STRIX_OK or why the I/O failed
 *
 * May be called in any context (bio completion, a worker).
 */
void strix_cmd_io_done(struct strix_cmd *cmd, strix_sense_t result)
{
	strix_cmd_step_fn next = cmd->next;

	if (next) {			/* the core's own I/O: its next step */
		cmd->next = NULL;
		next(cmd, result);
		return;
	}
	if (cmd->op == STRIX_OP_VERIFY && result == STRIX_OK)
		result = strix_verify_compare(cmd);
	cmd->result = result;
	strix_cmd_complete(cmd);
}
EXPORT_SYMBOL_GPL(strix_cmd_io_done);

/* ---- core-internal I/O ---------------------------------------------------
 *
 * A command the core executes in steps (COMPARE AND WRITE, ORWRITE; later
 * EXTENDED COPY) runs the handler's read and write on buffers of its own
 * with strix_cmd_sub_io(): the handler sees an ordinary command (lba,
 * nr_blocks, sg, fua) and ends with strix_cmd_io_done(), which calls the
 * step the core named instead of completing.  A step may run in any
 * context (a bio completion): the next I/O goes to the device's
 * workqueue unless the handler's I/O never sleeps.  The last step ends
 * with strix_cmd_sub_end(), which puts the command's own buffer and
 * blocks back and completes it.
 */

static void strix_cmd_sub_start(struct strix_cmd *cmd)
{
	const struct strix_handler *h = cmd->dev->hreg->h;

	if (unlikely(test_bit(STRIX_CMD_ABORTED, &cmd->state)))
		strix_cmd_io_done(cmd, STRIX_ABORTED);
	else if (cmd->sub_write)
		h->write(cmd);
	else
		h->read(cmd);
}

static void strix_cmd_sub_work(struct work_struct *work)
{
	strix_cmd_sub_start(container_of(work, struct strix_cmd, work));
}

/*
 * Run the handler's read (or write) of @nr blocks at @lba into (from)
 * @sg, then @next.  @may_sleep: the caller's context may sleep and the
 * handler may run in it (the first step, from strix_cmd_do_io()).
 */
static void strix_cmd_sub_io(struct strix_cmd *cmd, bool write, u64 lba,
			     u32 nr, struct scatterlist *sg, unsigned int sg_cnt,
			     strix_cmd_step_fn next, bool may_sleep)
{
	const struct strix_handler *h = cmd->dev->hreg->h;

	if (!cmd->data_sg) {
		cmd->data_sg = cmd->sg;
		cmd->data_sg_cnt = cmd->sg_cnt;
		cmd->data_lba = cmd->lba;
		cmd->data_nr_blocks = cmd->nr_blocks;
	}
	cmd->sub_write = write;
	cmd->lba = lba;
	cmd->nr_blocks = nr;
	cmd->sg = sg;
	cmd->sg_cnt = sg_cnt;
	cmd->next = next;
	if (may_sleep || (h->flags & STRIX_HANDLER_ATOMIC_IO)) {
		strix_cmd_sub_start(cmd);
		return;
	}
	INIT_WORK(&cmd->work, strix_cmd_sub_work);
	queue_work(cmd->dev->wq, &cmd->work);
}

/* The last step: the command's own buffer and blocks back, then complete. */
static void strix_cmd_sub_end(struct strix_cmd *cmd, strix_sense_t result)
{
	if (cmd->data_sg) {
		cmd->sg = cmd->data_sg;
		cmd->sg_cnt = cmd->data_sg_cnt;
		cmd->lba = cmd->data_lba;
		cmd->nr_blocks = cmd->data_nr_blocks;
		cmd->data_sg = NULL;
	}
	cmd->result = result;
	strix_cmd_complete(cmd);
}

/* Bytes of the blocks a COMPARE AND WRITE or ORWRITE reads back. */
static u32 strix_cmd_rmw_len(const struct strix_cmd *cmd)
{
	return cmd->op == STRIX_OP_CAW ? cmd->data_len / 2 : cmd->data_len;
}

/* What strix_cmd_rmw_walk() does with each pair of pieces. */
enum strix_rmw_fn { STRIX_RMW_COMPARE, STRIX_RMW_COPY, STRIX_RMW_OR };

/*
 * Walk @len bytes of the Data-Out buffer (from byte @skip on) and of the
 * core's buffer side by side, a mapped piece of each at a time (no flat
 * copy: any context, no allocation), and compare them, copy the first
 * into the second or OR it in.  A compare that finds a difference
 * returns MISCOMPARE with the offset of the first differing byte in the
 * sense INFORMATION field.
 */
static strix_sense_t strix_cmd_rmw_walk(struct strix_cmd *cmd, u32 skip,
					u32 len, enum strix_rmw_fn fn)
{
	struct sg_mapping_iter a, b;
	strix_sense_t ret = STRIX_OK;
	size_t ao = 0, bo = 0;
	u32 off = 0;

	sg_miter_start(&a, cmd->data_sg, cmd->data_sg_cnt,
		       SG_MITER_FROM_SG | SG_MITER_ATOMIC);
	sg_miter_start(&b, cmd->core_sg, cmd->core_sg_cnt,
		       SG_MITER_FROM_SG | SG_MITER_TO_SG | SG_MITER_ATOMIC);
	if (skip && !sg_miter_skip(&a, skip))
		ret = STRIX_HW_ERROR;
	while (ret == STRIX_OK && off < len) {
		const u8 *src;
		u8 *dst;
		size_t n, i;

		if (ao == a.length) {
			if (!sg_miter_next(&a))
				break;
			ao = 0;
		}
		if (bo == b.length) {
			if (!sg_miter_next(&b))
				break;
			bo = 0;
		}
		n = min3(a.length - ao, b.length - bo, (size_t)(len - off));
		src = (const u8 *)a.addr + ao;
		dst = (u8 *)b.addr + bo;
		switch (fn) {
		case STRIX_RMW_COMPARE:
			if (!memcmp(src, dst, n))
				break;
			for (i = 0; src[i] == dst[i]; i++)
				;
			cmd->sense_info = off + i;
			cmd->sense_info_valid = true;
			ret = STRIX_MISCOMPARE;
			break;
		case STRIX_RMW_COPY:
			memcpy(dst, src, n);
			break;
		case STRIX_RMW_OR:
			for (i = 0; i < n; i++)
				dst[i] |= src[i];
			break;
		}
		ao += n;
		bo += n;
		off += n;
	}
	sg_miter_stop(&b);
	sg_miter_stop(&a);
	if (ret == STRIX_OK && off < len)	/* a buffer shorter than promised */
		ret = STRIX_HW_ERROR;
	return ret;
}

/*
 * COMPARE AND WRITE, read done: compare it with the verify half of the
 * Data-Out buffer; equal, write the write half (copied over what was
 * read) with the command's FUA; else MISCOMPARE, nothing written.
 * ORWRITE, read done: OR the Data-Out buffer into it and write it back.
 */
static void strix_cmd_rmw_write(struct strix_cmd *cmd, strix_sense_t result)
{
	u32 len = strix_cmd_rmw_len(cmd);

	if (result == STRIX_OK && cmd->op == STRIX_OP_CAW) {
		result = strix_cmd_rmw_walk(cmd, 0, len, STRIX_RMW_COMPARE);
		if (result == STRIX_OK)
			result = strix_cmd_rmw_walk(cmd, len, len,
						    STRIX_RMW_COPY);
	} else if (result == STRIX_OK) {
		result = strix_cmd_rmw_walk(cmd, 0, len, STRIX_RMW_OR);
	}
	if (result != STRIX_OK) {
		strix_cmd_sub_end(cmd, result);
		return;
	}
	strix_cmd_sub_io(cmd, true, cmd->data_lba, cmd->data_nr_blocks,
			 cmd->core_sg, cmd->core_sg_cnt, strix_cmd_sub_end, false);
}

/* COMPARE AND WRITE, ORWRITE: read the blocks under the exclusive range. */
static void strix_cmd_rmw_read(struct strix_cmd *cmd)
{
	strix_cmd_sub_io(cmd, false, cmd->lba, cmd->nr_blocks, cmd->core_sg,
			 cmd->core_sg_cnt, strix_cmd_rmw_write, true);
}

/* The core's pages the handler reads the blocks into and writes from. */
static strix_sense_t strix_cmd_rmw_prepare(struct strix_cmd *cmd)
{
	cmd->core_sg = strix_buf_alloc(&strix_buf_pool, strix_cmd_rmw_len(cmd),
				       strix_cmd_gfp(cmd), &cmd->core_sg_cnt);
	return cmd->core_sg ? STRIX_OK : STRIX_BUSY;
}

static void strix_cmd_do_io(struct strix_cmd *cmd)
{
	const struct strix_handler *h = cmd->dev->hreg->h;

	switch (cmd->op) {
	case STRIX_OP_CAW:
	case STRIX_OP_ORWRITE:
		strix_cmd_rmw_read(cmd);
		break;
	case STRIX_OP_READ:
	case STRIX_OP_VERIFY:
		h->read(cmd);
		break;
	case STRIX_OP_WRITE:
		h->write(cmd);
		break;
	case STRIX_OP_FLUSH:
		h->flush(cmd);
		break;
	case STRIX_OP_PASSTHROUGH:
		h->execute_cdb(cmd);
		break;
	case STRIX_OP_UNMAP:
	case STRIX_OP_WRITE_SAME:
	case STRIX_OP_LBA_STATUS:
		strix_thin_execute(cmd);	/* thin.c */
		break;
	default:
		strix_cmd_io_done(cmd, STRIX_HW_ERROR);
	}
}

static void strix_cmd_work(struct work_struct *work)
{
	struct strix_cmd *cmd = container_of(work, struct strix_cmd, work);

	if (test_bit(STRIX_CMD_ABORTED, &cmd->state))	/* while it queued */
		strix_cmd_fail(cmd, STRIX_ABORTED);
	else
		strix_cmd_do_io(cmd);
}

/*
 * The range lock granted a command's blocks (range.c, under its spinlock,
 * in the releaser's context): run it on the device's workqueue.  A
 * command aborted meanwhile ends there without I/O.
 */
void strix_cmd_range_granted(struct strix_range *r)
{
	struct strix_cmd *cmd = container_of(r, struct strix_cmd, range);

	INIT_WORK(&cmd->work, strix_cmd_work);
	queue_work(cmd->dev->wq, &cmd->work);
}

/* The thin provisioning ops, synchronous, may take long: never inline. */
static bool strix_cmd_is_thin(const struct strix_cmd *cmd)
{
	return cmd->op == STRIX_OP_UNMAP || cmd->op == STRIX_OP_WRITE_SAME ||
	       cmd->op == STRIX_OP_LBA_STATUS;
}

/*
 * Run the handler inline when it allows it in this context: an
 * ATOMIC_IO handler always, an INLINE_IO one where the submitter may
 * sleep, except for the synchronous thin provisioning ops.  A command
 * that modifies the medium first holds its blocks (shared for writes,
 * exclusive for the atomic commands); one whose blocks are taken waits
 * and goes on from strix_cmd_range_granted().  A command with no block
 * range in its CDB (nr_blocks 0: UNMAP) holds the whole device.
 */
static void strix_cmd_queue_io(struct strix_cmd *cmd)
{
	const struct strix_handler *h = cmd->dev->hreg->h;

	if (cmd->range.mode != STRIX_RANGE_NONE) {
		cmd->range.start = cmd->lba;
		cmd->range.end = cmd->nr_blocks ? cmd->lba + cmd->nr_blocks :
						  U64_MAX;
		if (!strix_range_acquire(&cmd->dev->range_lock, &cmd->range))
			return;
	}
	if ((h->flags & STRIX_HANDLER_ATOMIC_IO) ||
	    ((h->flags & STRIX_HANDLER_INLINE_IO) && !strix_drv_atomic(cmd) &&
	     !strix_cmd_is_thin(cmd))) {
		strix_cmd_do_io(cmd);
		return;
	}
	INIT_WORK(&cmd->work, strix_cmd_work);
	queue_work(cmd->dev->wq, &cmd->work);
}

/**
 * strix_cmd_internal_io() - run a core-internal READ or WRITE on any device
 * @cmd: a command the core made itself (xcopy.c): @sess, @dev, @op
 *       (STRIX_OP_READ or STRIX_OP_WRITE), @lba, @nr_blocks, @sg/@sg_cnt,
 *       @fua and @range.mode (shared for a write) set, @next the step
 *       that receives the result, no @tgt_dev (not listed for task
 *       management: its owner checks for aborts)
 *
 * It goes the way a submitted command's I/O goes: the range lock for a
 * write, then the handler inline or on the device's workqueue.  @next
 * runs in any context and must release a held range
 * (strix_range_release()).
 */
void strix_cmd_internal_io(struct strix_cmd *cmd)
{
	strix_cmd_queue_io(cmd);
}

/* The LUN numbers a session sees, for REPORT LUNS. */
static u64 *strix_session_luns(struct strix_session *sess, unsigned int *n,
			       gfp_t gfp)
{
	struct strix_tgt_dev *td;
	unsigned int count = 0, cap = 0;
	unsigned long idx;
	u64 *luns;

	rcu_read_lock();
	xa_for_each(&sess->tgt_devs, idx, td)
		cap++;
	rcu_read_unlock();
	luns = kmalloc_array(cap ? cap : 1, sizeof(*luns), gfp);
	if (!luns)
		return NULL;
	rcu_read_lock();
	xa_for_each(&sess->tgt_devs, idx, td) {
		if (count == cap)
			break;
		luns[count++] = idx;
	}
	rcu_read_unlock();
	*n = count;
	return luns;
}

/*
 * START STOP UNIT and PREVENT ALLOW MEDIUM REMOVAL change the medium state
 * of a removable device; on a fixed disk both are accepted and do nothing.
 * A STOP (START=0, LOEJ=0) never stops the unit: a LUN is shared by every
 * initiator it is exported to, and one host's shutdown sequence must not
 * leave it NOT READY for the others (SCST's vdisk and LIO do the same).
 * Prevention is kept per I_T nexus (SPC-4 6.13) and counted per device; a
 * nexus that goes away (strix_tgt_dev_destroy) drops its prevention.
 */
static strix_sense_t strix_cmd_medium(struct strix_cmd *cmd)
{
	struct strix_tgt_dev *td = cmd->tgt_dev;
	struct strix_device *dev = cmd->dev;
	u8 b4 = cmd->cdb[4];

	if (!dev || !dev->params.removable)
		return STRIX_OK;
	if (cmd->emul == STRIX_EMUL_PREVENT_ALLOW) {
		/* PREVENT 01b prevents, 00b allows (1xb: changers, obsolete) */
		if (b4 & 0x01) {
			if (!test_and_set_bit(STRIX_TD_PREVENT, &td->flags))
				atomic_inc(&dev->prevent_count);
		} else if (test_and_clear_bit(STRIX_TD_PREVENT, &td->flags)) {
			atomic_dec(&dev->prevent_count);
		}
		return STRIX_OK;
	}
	/* START STOP UNIT: a POWER CONDITION other than 0 ignores LOEJ/START */
	if ((b4 >> 4) || !(b4 & 0x02))
		return STRIX_OK;
	/* LOEJ: load (START) or eject; prevention refuses both (SBC-3 5.25) */
	if (atomic_read(&dev->prevent_count))
		return STRIX_MEDIUM_REMOVAL_PREVENTED;
	if (b4 & 0x01)
		clear_bit(STRIX_MEDIUM_EJECTED, &dev->medium);
	else
		set_bit(STRIX_MEDIUM_EJECTED, &dev->medium);
	return STRIX_OK;
}

static void strix_cmd_emulate(struct strix_cmd *cmd)
{
	struct strix_device *dev = cmd->dev;
	struct strix_dev_ident ident = {
		.vendor = "STRIX",
		.product = dev ? dev->name : "",
		.revision = "0100",
	};
	struct strix_emul_ctx ctx = {
		.dp = dev ? &dev->params : NULL,
		.ident = &ident,
		.read_only = cmd->tgt_dev && cmd->tgt_dev->read_only,
	};
	gfp_t gfp = strix_cmd_gfp(cmd);
	u32 len = max_t(u32, cmd->data_len, 512), produced = 0;
	strix_sense_t ret;
	u64 *luns = NULL;
	u8 *buf;

	if (dev) {
		ident.serial = dev->serial;
		ident.t10_dev_id = dev->name;
		memcpy(ident.naa, dev->naa, sizeof(dev->naa));
		ident.naa_len = sizeof(dev->naa);
		memcpy(ident.eui64, dev->eui64, sizeof(dev->eui64));
		strix_mode_view(dev, ctx.read_only, &ctx.mode);
	}
	ident.rel_tgt_id = READ_ONCE(cmd->sess->tgt->rel_tgt_id);
	if (dev) {
		struct strix_alua_view av;

		strix_alua_view(dev, ident.rel_tgt_id, &av);
		ident.tpg_id = av.group_id;
		ident.tpgs = av.alua ? (av.explicit ? 3 : 1) : 0;
	}

	if (cmd->emul == STRIX_EMUL_START_STOP_UNIT ||
	    cmd->emul == STRIX_EMUL_PREVENT_ALLOW) {
		cmd->result = strix_cmd_medium(cmd);
		strix_cmd_complete(cmd);
		return;
	}

	buf = kzalloc(len, gfp);
	if (!buf) {
		strix_cmd_fail(cmd, STRIX_BUSY);
		return;
	}
	if (cmd->emul == STRIX_EMUL_REPORT_LUNS) {
		luns = strix_session_luns(cmd->sess, &ctx.nr_luns, gfp);
		if (!luns) {
			kfree(buf);
			strix_cmd_fail(cmd, STRIX_BUSY);
			return;
		}
		ctx.luns = luns;
	}
	if (cmd->emul == STRIX_EMUL_REQUEST_SENSE && cmd->tgt_dev &&
	    strix_ua_take(cmd->tgt_dev, &cmd->ua_asc, &cmd->ua_ascq)) {
		/* a pending unit attention is reported as the sense data */
		struct strix_cmd tmp = { .result = STRIX_UNIT_ATTENTION };

		strix_sense_build(&tmp, cmd->cdb[1] & 1, cmd->ua_asc, cmd->ua_ascq);
		memcpy(buf, tmp.sense, tmp.sense_len);
		produced = tmp.sense_len;
		ret = STRIX_OK;
	} else if (cmd->emul == STRIX_EMUL_REPORT_TPG) {
		/* the descriptors are read in place, under RCU */
		rcu_read_lock();
		ctx.rtpg = strix_alua_rtpg(dev, &ctx.rtpg_len);
		ret = ctx.rtpg ? strix_emulate(cmd, &ctx, buf, len, &produced) :
				 STRIX_INVALID_OPCODE;
		rcu_read_unlock();
	} else {
		ret = strix_emulate(cmd, &ctx, buf, len, &produced);
	}
	if (ret == STRIX_OK) {
		u32 n = min3(produced, cmd->data_len, cmd->expected_len);

		if (n && cmd->sg)
			n = sg_copy_from_buffer(cmd->sg, cmd->sg_cnt, buf, n);
		cmd->xfer_len = n;
	}
	kfree(luns);
	kfree(buf);
	cmd->result = ret;
	strix_cmd_complete(cmd);
}

static void strix_cmd_execute(struct strix_cmd *cmd)
{
	if (unlikely(test_bit(STRIX_CMD_ABORTED, &cmd->state))) {
		strix_cmd_fail(cmd, STRIX_ABORTED);
		return;
	}
	switch (cmd->op) {
	case STRIX_OP_EMULATE:
		/* reservations, MODE SELECT, LOG SENSE: the device's wq */
		if (cmd->emul >= STRIX_EMUL_PR_IN)
			strix_res_execute(cmd);
		else
			strix_cmd_emulate(cmd);
		return;
	case STRIX_OP_FLUSH:
		if (!cmd->dev->hreg->h->flush) {
			strix_cmd_fail(cmd, STRIX_OK);
			return;
		}
		break;
	case STRIX_OP_VERIFY:
		if (cmd->data_dir == STRIX_DATA_NONE) {
			strix_cmd_fail(cmd, STRIX_OK);	/* range checked */
			return;
		}
		/*
		 * Keep the initiator's data aside and read the medium into a
		 * buffer of the core's own: the driver's buffer may be the
		 * initiator's memory and must not be written.
		 */
		cmd->bounce = kmalloc(cmd->data_len, strix_cmd_gfp(cmd));
		if (!cmd->bounce) {
			strix_cmd_fail(cmd, STRIX_BUSY);
			return;
		}
		sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, cmd->bounce, cmd->data_len);
		if (!cmd->sg_owned) {
			cmd->sg = strix_buf_alloc(&strix_buf_pool, cmd->data_len,
						  strix_cmd_gfp(cmd),
						  &cmd->sg_cnt);
			if (!cmd->sg) {
				strix_cmd_fail(cmd, STRIX_BUSY);
				return;
			}
			cmd->sg_owned = true;
		}
		break;
	case STRIX_OP_READ:
	case STRIX_OP_WRITE:
		if (!cmd->nr_blocks) {
			strix_cmd_fail(cmd, STRIX_OK);
			return;
		}
		break;
	case STRIX_OP_XCOPY:
		strix_xcopy_execute(cmd);	/* xcopy.c */
		return;
	case STRIX_OP_COPY_RESULTS:
		strix_copy_results_execute(cmd);
		return;
	case STRIX_OP_CAW:
	case STRIX_OP_ORWRITE:
		/* 0 blocks: nothing compared, nothing written (SBC-3 5.3) */
		if (!cmd->nr_blocks) {
			strix_cmd_fail(cmd, STRIX_OK);
			return;
		}
		if (strix_cmd_rmw_prepare(cmd) != STRIX_OK) {
			strix_cmd_fail(cmd, STRIX_BUSY);
			return;
		}
		break;
	default:
		break;
	}
	strix_cmd_queue_io(cmd);
}

/**
 * strix_cmd_data_ready() - the driver has fetched a command's write data
 * @cmd:    the command
 * @result: STRIX_OK, or why the data could not be had (the command then
 *          completes with that result)
 */
void strix_cmd_data_ready(struct strix_cmd *cmd, strix_sense_t result)
{
	if (result != STRIX_OK)
		strix_cmd_fail(cmd, result);
	else
		strix_cmd_execute(cmd);
}
EXPORT_SYMBOL_GPL(strix_cmd_data_ready);

/**
 * strix_cmd_init() - prepare a command the driver is about to fill
 * @cmd:  the command, embedded in the driver's structure
 * @sess: the session it arrived on
 */
void strix_cmd_init(struct strix_cmd *cmd, struct strix_session *sess)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->sess = sess;
	cmd->sense_field_bit = -1;
}
EXPORT_SYMBOL_GPL(strix_cmd_init);

static bool strix_cmd_ignores_ua(const struct strix_cmd *cmd)
{
	return cmd->cdb[0] == INQUIRY || cmd->cdb[0] == REPORT_LUNS ||
	       cmd->cdb[0] == REQUEST_SENSE;
}

/*
 * A READ or WRITE whose CDB moves more than the initiator's buffer holds
 * (SAM-5 5.4.3, RFC 7143 11.4.5.1: an overflow): when the buffer is the
 * core's (allocated here, or by the driver with strix_cmd_alloc_buf()),
 * the command runs on what fits and the response reports the overflow.  A
 * driver's own buffer of the expected size cannot take a whole block, so
 * there it is refused as before.  Data expected the other way counts as
 * none in the CDB's direction: nothing is read or written, and whatever
 * the initiator sent is received and dropped by the driver.
 */
static bool strix_cmd_may_cut(const struct strix_cmd *cmd)
{
	/* an atomic write is done whole or not at all */
	return (cmd->op == STRIX_OP_READ ||
		(cmd->op == STRIX_OP_WRITE &&
		 cmd->range.mode != STRIX_RANGE_EXCL)) &&
	       (!cmd->sg || cmd->sg_owned);
}

/*
 * Reads: the blocks that hold the expected bytes are read, and only those
 * bytes sent (the driver sends min(xfer_len, expected_len)).  Writes: the
 * whole blocks the expected bytes cover are written, no partial one.
 */
static void strix_cmd_cut(struct strix_cmd *cmd, u32 block_size)
{
	u32 exp = strix_cmd_expected(cmd);
	u32 n = cmd->op == STRIX_OP_READ ? DIV_ROUND_UP(exp, block_size) :
					   exp / block_size;

	cmd->nr_blocks = min(cmd->nr_blocks, n);
	cmd->xfer_len = cmd->nr_blocks * block_size;
	cmd->cut = true;
}

/**
 * strix_cmd_submit() - hand a command to the core
 * @cmd: initialised with strix_cmd_init() and filled in
 *
 * The core answers through the driver's queue_response() (possibly before
 * this returns).  Must not be called after strix_session_unregister().
 */
void strix_cmd_submit(struct strix_cmd *cmd)
{
	struct strix_session *sess = cmd->sess;
	struct strix_parse_ctx ctx = {};
	struct strix_tgt_dev *td;
	strix_sense_t ret;
	bool emul_in;

	percpu_ref_get(&sess->cmd_ref);
	atomic64_inc(&sess->commands);
	atomic_inc(&sess->active);

	rcu_read_lock();
	td = xa_load(&sess->tgt_devs, cmd->lun);
	if (td && !percpu_ref_tryget_live(&td->ref))
		td = NULL;
	rcu_read_unlock();
	cmd->tgt_dev = td;
	cmd->dev = td ? td->dev : NULL;
	if (td)
		strix_tmf_cmd_start(cmd);

	if (td && READ_ONCE(td->ua_pending) && !strix_cmd_ignores_ua(cmd) &&
	    strix_ua_take(td, &cmd->ua_asc, &cmd->ua_ascq)) {
		strix_cmd_fail(cmd, STRIX_UNIT_ATTENTION);
		return;
	}

	if (td) {
		struct strix_alua_view av;

		ctx.dp = &td->dev->params;
		ctx.read_only = td->read_only;
		ctx.no_medium = strix_dev_no_medium(td->dev);
		strix_alua_view(td->dev, READ_ONCE(sess->tgt->rel_tgt_id), &av);
		ctx.alua = av.alua;
		ctx.alua_explicit = av.explicit;
		ctx.alua_state = av.state;
	}
	ret = strix_cdb_parse(cmd, &ctx);
	if (ret != STRIX_OK) {
		strix_cmd_fail(cmd, ret);
		return;
	}

	if (td && strix_res_conflict(cmd)) {
		strix_cmd_fail(cmd, STRIX_RESERVATION_CONFLICT);
		return;
	}
	/* the write cache turned off (WCE 0, MODE SELECT): write through */
	if (cmd->op == STRIX_OP_WRITE && td && td->dev->params.write_cache &&
	    !READ_ONCE(td->dev->wce))
		cmd->fua = true;

	/*
	 * COMPARE AND WRITE: the Data-Out buffer is the verify data and the
	 * write data, 2n blocks exactly; any other size is refused (neither
	 * half can be told from the other).
	 */
	if (cmd->op == STRIX_OP_CAW && cmd->data_len &&
	    (cmd->expected_dir != STRIX_DATA_WRITE ||
	     cmd->expected_len != cmd->data_len)) {
		strix_cmd_fail(cmd, strix_invalid_field(cmd, 13, -1));
		return;
	}

	/*
	 * The transport says how much data the initiator expects and which
	 * way.  Emulated answers are cut to fit (overflow residual); commands
	 * that would move more than the initiator's buffer holds, or data the
	 * other way, are refused rather than partly executed, and so are
	 * emulated commands that take data (PERSISTENT RESERVE OUT).
	 */
	emul_in = cmd->op == STRIX_OP_EMULATE && cmd->data_dir != STRIX_DATA_WRITE;
	cmd->xfer_len = cmd->data_len;
	if (cmd->data_len > strix_cmd_expected(cmd) && td &&
	    strix_cmd_may_cut(cmd)) {
		strix_cmd_cut(cmd, td->dev->params.block_size);
	} else if (cmd->data_len > cmd->expected_len ||
	    (cmd->data_len && cmd->data_dir != cmd->expected_dir && !emul_in)) {
		if (!emul_in) {
			strix_cmd_fail(cmd, strix_invalid_field(cmd, 0, -1));
			return;
		}
		cmd->xfer_len = cmd->expected_len;
	}

	/* A buffer of the core's when the driver brings none. */
	if (cmd->xfer_len && !cmd->sg) {
		cmd->sg = strix_buf_alloc(&strix_buf_pool, cmd->xfer_len,
					  strix_cmd_gfp(cmd), &cmd->sg_cnt);
		if (!cmd->sg) {
			strix_cmd_fail(cmd, STRIX_BUSY);
			return;
		}
		cmd->sg_owned = true;
		if (cmd->data_dir == STRIX_DATA_WRITE) {
			sess->tgt->dreg->drv->fetch_data(cmd);
			return;
		}
	} else if (cmd->xfer_len && cmd->data_pending &&
		   cmd->data_dir == STRIX_DATA_WRITE) {
		sess->tgt->dreg->drv->fetch_data(cmd);
		return;
	}
	strix_cmd_execute(cmd);
}
EXPORT_SYMBOL_GPL(strix_cmd_submit);

/**
 * strix_cmd_alloc_buf() - a core buffer for a command before submit
 * @cmd: initialised, not submitted, with no @sg yet
 * @len: bytes
 * @gfp: allocation flags
 *
 * For drivers that receive write data before the core parses the command
 * (iSCSI immediate data).  The buffer is the core's: strix_cmd_done()
 * frees it.
 *
 * Return: 0, -EINVAL (a buffer already, or @len 0), -ENOMEM.
 */
int strix_cmd_alloc_buf(struct strix_cmd *cmd, u32 len, gfp_t gfp)
{
	if (cmd->sg || !len)
		return -EINVAL;
	cmd->sg = strix_buf_alloc(&strix_buf_pool, len, gfp, &cmd->sg_cnt);
	if (!cmd->sg)
		return -ENOMEM;
	cmd->sg_owned = true;
	return 0;
}
EXPORT_SYMBOL_GPL(strix_cmd_alloc_buf);

/**
 * strix_cmd_free_buf() - free the buffer of a command never submitted
 * @cmd: a command given a buffer by strix_cmd_alloc_buf() (or none)
 *
 * A submitted command's buffer goes with strix_cmd_done() instead.
 */
void strix_cmd_free_buf(struct strix_cmd *cmd)
{
	if (cmd->sg_owned)
		strix_buf_free(&strix_buf_pool, cmd->sg, cmd->sg_cnt);
	cmd->sg = NULL;
	cmd->sg_owned = false;
}
EXPORT_SYMBOL_GPL(strix_cmd_free_buf);

/**
 * strix_cmd_done() - the driver is finished with a command
 * @cmd: a command whose response the driver has sent
 */
void strix_cmd_done(struct strix_cmd *cmd)
{
	struct strix_session *sess = cmd->sess;

	kfree(cmd->bounce);
	cmd->bounce = NULL;
	if (cmd->core_sg) {
		strix_buf_free(&strix_buf_pool, cmd->core_sg, cmd->core_sg_cnt);
		cmd->core_sg = NULL;
	}
	if (cmd->sg_owned) {
		strix_buf_free(&strix_buf_pool, cmd->sg, cmd->sg_cnt);
		cmd->sg = NULL;
		cmd->sg_owned = false;
	}
	if (cmd->tgt_dev) {
		strix_tmf_cmd_done(cmd);
		percpu_ref_put(&cmd->tgt_dev->ref);
		cmd->tgt_dev = NULL;
	}
	atomic_dec(&sess->active);
	percpu_ref_put(&sess->cmd_ref);
}
EXPORT_SYMBOL_GPL(strix_cmd_done);
