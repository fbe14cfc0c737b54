// SPDX-License-Identifier: GPL-2.0
/*
 * Third-party copy: EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (SPC-4
 * 6.4, 6.18), the copy manager of each LUN.  VMware's "Clone" primitive.
 *
 * What is supported: identification descriptor CSCDs (E4h) that name a
 * logical unit by its NAA designator (as VPD page 83h reports it), and
 * block device to block device segments (02h) between LUNs of the same
 * block size, within one device or across devices.
 *
 *   parse (strix_xcopy_parse(), pure) -> worker: resolve each CSCD among
 *   the LUNs the issuing session sees -> check every segment (capacity,
 *   block size, write protection) -> copy, chunk by chunk -> complete
 *
 * Scope: a CSCD is looked up ONLY in the issuing session's LUN table
 * (sess->tgt_devs), never in the global device list: an initiator can copy
 * from and to exactly the LUNs it could read and write itself (the hole
 * of CVE-2020-28374 in another target).  A designator that names no LUN of
 * the session is UNREACHABLE COPY TARGET.
 *
 * The copy runs on strix_xcopy_wq (it sleeps): each chunk (at most
 * STRIX_XCOPY_CHUNK_BYTES) is a core-internal READ on the source device
 * into a buffer of the core's pool, then a core-internal WRITE from it on
 * the destination (strix_cmd_internal_io(): the same range lock, shared,
 * and handler path as an initiator's WRITE), each waited for.  Every
 * device stays pinned by a reference on its nexus (tgt_dev) from lookup
 * to the end of the copy, so a LUN removed meanwhile waits for the copy.
 * Task management is checked between chunks: an aborted copy stops there.
 * A LUN the session sees but could not read or write right now (no medium,
 * or its target port group in an ALUA state that refuses READ and WRITE)
 * is COPY TARGET DEVICE NOT REACHABLE, before anything moves.
 *
 * RECEIVE COPY RESULTS: each nexus keeps the status of its last copy that
 * asked for one (LIST ID USAGE 00b or 10b), until it is read once it is
 * complete or the nexus goes.  A copy that names the LIST IDENTIFIER of
 * one still running on its nexus is refused with OPERATION IN PROGRESS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <scsi/scsi_proto.h>

#include "buf.h"
#include "core.h"
#include "range.h"
#include "scsi.h"

/* RECEIVE COPY RESULTS service actions (LID1) */
#define XCOPY_RCR_COPY_STATUS		0x00
#define XCOPY_RCR_OP_PARAMS		0x03
#define XCOPY_RCR_FAILED_SEGMENT	0x04

/* COPY STATUS: COPY MANAGER STATUS */
#define XCOPY_STATUS_RUNNING		0x00
#define XCOPY_STATUS_DONE		0x01
#define XCOPY_STATUS_FAILED		0x02
#define XCOPY_UNITS_KIB			0x01	/* TRANSFER COUNT UNITS */

/* The NAA designator of a logical unit, as VPD page 83h gives it. */
#define XCOPY_CODESET_BINARY		0x1
#define XCOPY_ASSOC_LU			0x0
#define XCOPY_DESIG_NAA			0x3

/*
 * struct strix_xcopy_status - the status of a nexus's last EXTENDED COPY
 * that holds one.  Locking: the nexus's xcopy_lock (struct strix_tgt_dev).
 */
struct strix_xcopy_status {
	bool valid;
	u8 list_id;
	u8 state;		/* XCOPY_STATUS_* */
	u16 segments;		/* segments processed */
	u64 bytes;		/* copied */
	u8 status;		/* SAM status of the command, once done */
	u8 sense_len;
	u8 sense[STRIX_SENSE_LEN];
};

/*
 * struct strix_xcopy - one EXTENDED COPY being executed.  Belongs to the
 * worker; @io is the core-internal command of the current chunk, @done
 * completed by its step (any context), @io_result written before.
 */
struct strix_xcopy {
	struct work_struct work;
	struct strix_cmd *cmd;
	struct strix_xcopy_list list;
	struct strix_tgt_dev *tds[STRIX_XCOPY_MAX_CSCDS];
	u16 field;
	struct strix_cmd io;
	struct completion done;
	strix_sense_t io_result;
	bool holds_status;	/* this copy's status is the nexus's */
	u16 segments;		/* done */
	u16 at;			/* the segment being checked or copied */
	u64 bytes;
};

static struct workqueue_struct *strix_xcopy_wq;

/* ---- the parameter list -------------------------------------------------- */

static u64 xcopy_be(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* One identification descriptor CSCD (E4h) at @d. */
static strix_sense_t xcopy_parse_cscd(const u8 *d, u32 off,
				      struct strix_xcopy_cscd *c, u16 *field)
{
	if (d[0] != STRIX_XCOPY_DESC_CSCD_ID) {
		*field = off;
		return STRIX_UNSUPP_CSCD_TYPE;
	}
	/*
	 * Byte 1 bits 7-6 (SPC-3's LU ID TYPE) are ignored as SPC-4 says (and
	 * libiscsi checks); the designator names the LU.  NUL (SPC-3: a null
	 * device, obsolete in SPC-4): no LUN is one.
	 */
	if (d[1] & 0x20)
		return STRIX_COPY_UNREACHABLE;
	/* PERIPHERAL DEVICE TYPE: block devices only */
	if (d[1] & 0x1f) {
		*field = off + 1;
		return STRIX_UNSUPP_CSCD_TYPE;
	}
	c->code_set = d[4] & 0x0f;
	c->association = (d[5] >> 4) & 0x03;
	c->desig_type = d[5] & 0x0f;
	c->desig_len = d[7];
	if (c->desig_len > sizeof(c->desig)) {
		*field = off + 7;
		return STRIX_INVALID_FIELD_PARAM;
	}
	memcpy(c->desig, d + 8, c->desig_len);
	c->block_size = xcopy_be(d + 29, 3);
	return STRIX_OK;
}

/**
 * strix_xcopy_parse() - check an EXTENDED COPY (LID1) parameter list
 * @buf:   the list as received (see scsi.h for how much is read)
 * @len:   PARAMETER LIST LENGTH
 * @l:     the list, decoded
 * @field: the offending byte, for INVALID FIELD IN PARAMETER LIST
 *
 * SPC-4 6.4: the header (16 bytes), then the CSCD descriptors, the segment
 * descriptors and inline data, each list's length in the header.  The
 * order of the checks: a list shorter than its header or than the lengths
 * it claims (PARAMETER LIST LENGTH ERROR), the LIST ID USAGE and inline
 * data (none is taken), the descriptor lists' total length against the
 * maximum (PARAMETER LIST LENGTH ERROR), the CSCD count, then each CSCD,
 * then each segment (its type, length and CSCD indexes) and their count.
 *
 * Return: STRIX_OK (0 segments for an empty list) or why it is refused.
 */
strix_sense_t strix_xcopy_parse(const u8 *buf, u32 len,
				struct strix_xcopy_list *l, u16 *field)
{
	u32 cscd_len, seg_len, inline_len, off, end, i;
	strix_sense_t ret;

	memset(l, 0, sizeof(*l));
	*field = 0;
	if (!len)
		return STRIX_OK;
	if (len < STRIX_XCOPY_HDR_LEN)
		return STRIX_PARAM_LIST_LENGTH;
	cscd_len = xcopy_be(buf + 2, 2);
	seg_len = xcopy_be(buf + 8, 4);
	inline_len = xcopy_be(buf + 12, 4);
	if ((u64)STRIX_XCOPY_HDR_LEN + cscd_len + seg_len + inline_len > len)
		return STRIX_PARAM_LIST_LENGTH;

	l->list_id = buf[0];
	l->list_id_usage = (buf[1] >> 3) & 0x03;
	if (l->list_id_usage == 1) {			/* reserved */
		*field = 1;
		return STRIX_INVALID_FIELD_PARAM;
	}
	if (l->list_id_usage == STRIX_XCOPY_NO_LIST_ID && l->list_id)
		return STRIX_INVALID_FIELD_PARAM;	/* field 0 */
	if (inline_len) {		/* MAXIMUM INLINE DATA LENGTH is 0 */
		*field = 12;
		return STRIX_INVALID_FIELD_PARAM;
	}
	if ((u64)cscd_len + seg_len > STRIX_XCOPY_MAX_LIST_LEN)
		return STRIX_PARAM_LIST_LENGTH;

	/* the CSCD descriptors: 32 bytes each, E4h only */
	if (cscd_len / STRIX_XCOPY_CSCD_LEN > STRIX_XCOPY_MAX_CSCDS)
		return STRIX_TOO_MANY_CSCDS;
	if (cscd_len % STRIX_XCOPY_CSCD_LEN) {
		*field = 2;
		return STRIX_INVALID_FIELD_PARAM;
	}
	l->nr_cscds = cscd_len / STRIX_XCOPY_CSCD_LEN;
	for (i = 0; i < l->nr_cscds; i++) {
		off = STRIX_XCOPY_HDR_LEN + i * STRIX_XCOPY_CSCD_LEN;
		ret = xcopy_parse_cscd(buf + off, off, &l->cscds[i], field);
		if (ret != STRIX_OK)
			return ret;
	}

	/* the segment descriptors: 02h only, 4 bytes + DESCRIPTOR LENGTH */
	off = STRIX_XCOPY_HDR_LEN + cscd_len;
	end = off + seg_len;
	while (off < end) {
		const u8 *d = buf + off;
		struct strix_xcopy_seg *s;

		if (end - off < 4)
			return STRIX_PARAM_LIST_LENGTH;
		if (d[0] != STRIX_XCOPY_DESC_B2B) {
			*field = off;
			return STRIX_UNSUPP_SEGMENT_TYPE;
		}
		if (xcopy_be(d + 2, 2) != STRIX_XCOPY_SEG_LEN - 4) {
			*field = off + 2;
			return STRIX_INVALID_FIELD_PARAM;
		}
		if (end - off < STRIX_XCOPY_SEG_LEN)
			return STRIX_PARAM_LIST_LENGTH;
		if (l->nr_segs == STRIX_XCOPY_MAX_SEGMENTS)
			return STRIX_TOO_MANY_SEGMENTS;
		s = &l->segs[l->nr_segs++];
		s->src = xcopy_be(d + 4, 2);
		s->dst = xcopy_be(d + 6, 2);
		/* an index past the list names no copy target */
		if (s->src >= l->nr_cscds || s->dst >= l->nr_cscds)
			return STRIX_COPY_UNREACHABLE;
		s->nr_blocks = xcopy_be(d + 10, 2);
		s->src_lba = xcopy_be(d + 12, 8);
		s->dst_lba = xcopy_be(d + 20, 8);
		off += STRIX_XCOPY_SEG_LEN;
	}
	return STRIX_OK;
}
EXPORT_SYMBOL_GPL(strix_xcopy_parse);

/* ---- the status for RECEIVE COPY RESULTS --------------------------------- */

static bool xcopy_holds_status(const struct strix_xcopy_list *l)
{
	return l->list_id_usage != STRIX_XCOPY_NO_LIST_ID;
}

/*
 * A copy starts: its status replaces the nexus's last one, unless that is
 * of a copy with the same list identifier still running.
 */
static strix_sense_t xcopy_status_start(struct strix_xcopy *x)
{
	struct strix_tgt_dev *td = x->cmd->tgt_dev;
	const struct strix_xcopy_list *l = &x->list;
	struct strix_xcopy_status *st = NULL;
	bool busy = false;

	if (!xcopy_holds_status(l))
		return STRIX_OK;
	if (!READ_ONCE(td->xcopy))
		st = kzalloc(sizeof(*st), GFP_KERNEL);
	spin_lock(&td->xcopy_lock);
	if (!td->xcopy) {
		td->xcopy = st;
		st = NULL;
	}
	if (td->xcopy && td->xcopy->valid && td->xcopy->list_id == l->list_id &&
	    td->xcopy->state == XCOPY_STATUS_RUNNING) {
		busy = true;
	} else if (td->xcopy) {
		memset(td->xcopy, 0, sizeof(*td->xcopy));
		td->xcopy->valid = true;
		td->xcopy->list_id = l->list_id;
		td->xcopy->state = XCOPY_STATUS_RUNNING;
		x->holds_status = true;
	}
	spin_unlock(&td->xcopy_lock);
	kfree(st);
	return busy ? STRIX_OP_IN_PROGRESS : STRIX_OK;
}

/* The copy ended: what it did and, failed, the sense it ends with. */
static void xcopy_status_end(struct strix_xcopy *x, strix_sense_t result)
{
	struct strix_cmd *cmd = x->cmd;
	struct strix_tgt_dev *td = cmd->tgt_dev;
	struct strix_xcopy_status *st;
	struct strix_cmd *tmp;

	if (!x->holds_status)
		return;
	/* the sense as the command ends with it (fixed format) */
	tmp = &x->io;
	strix_cmd_init(tmp, cmd->sess);
	tmp->result = result;
	tmp->sense_field_byte = cmd->sense_field_byte;
	tmp->sense_field_bit = cmd->sense_field_bit;
	tmp->sense_csi = cmd->sense_csi;
	tmp->sense_csi_valid = cmd->sense_csi_valid;
	strix_sense_build(tmp, false, 0, 0);

	spin_lock(&td->xcopy_lock);
	st = td->xcopy;
	if (st && st->valid && st->list_id == x->list.list_id &&
	    st->state == XCOPY_STATUS_RUNNING) {
		st->segments = x->segments;
		st->bytes = x->bytes;
		st->state = result == STRIX_OK ? XCOPY_STATUS_DONE :
						 XCOPY_STATUS_FAILED;
		st->status = tmp->status;
		st->sense_len = tmp->sense_len;
		memcpy(st->sense, tmp->sense, tmp->sense_len);
	}
	spin_unlock(&td->xcopy_lock);
}

void strix_xcopy_nexus_free(struct strix_tgt_dev *td)
{
	kfree(td->xcopy);
	td->xcopy = NULL;
}

/* ---- resolving the CSCDs ------------------------------------------------- */

/*
 * The LUN of the issuing session whose device has this NAA designator,
 * referenced; NULL when the session sees none.  Only the session's own
 * table is searched.
 */
static struct strix_tgt_dev *xcopy_find(struct strix_session *sess,
					const struct strix_xcopy_cscd *c)
{
	struct strix_tgt_dev *td, *found = NULL;
	unsigned long idx;

	if (c->code_set != XCOPY_CODESET_BINARY ||
	    c->association != XCOPY_ASSOC_LU ||
	    c->desig_type != XCOPY_DESIG_NAA ||
	    c->desig_len != sizeof(td->dev->naa))
		return NULL;
	rcu_read_lock();
	xa_for_each(&sess->tgt_devs, idx, td) {
		if (memcmp(td->dev->naa, c->desig, c->desig_len))
			continue;
		if (percpu_ref_tryget_live(&td->ref))
			found = td;
		break;
	}
	rcu_read_unlock();
	return found;
}

static void xcopy_put_all(struct strix_xcopy *x)
{
	unsigned int i;

	for (i = 0; i < x->list.nr_cscds; i++) {
		if (x->tds[i])
			percpu_ref_put(&x->tds[i]->ref);
		x->tds[i] = NULL;
	}
}

/* Field offsets in the list, for INVALID FIELD IN PARAMETER LIST. */
static u16 xcopy_seg_off(const struct strix_xcopy_list *l, unsigned int i)
{
	return STRIX_XCOPY_HDR_LEN + l->nr_cscds * STRIX_XCOPY_CSCD_LEN +
	       i * STRIX_XCOPY_SEG_LEN;
}

/*
 * Whether this nexus could READ and WRITE the LUN now: its medium is in,
 * and its target port group (if it is in a device group) is active.
 */
static bool xcopy_reachable(struct strix_xcopy *x, struct strix_tgt_dev *td)
{
	struct strix_device *dev = td->dev;
	struct strix_alua_view av;

	if (strix_dev_no_medium(dev))
		return false;
	strix_alua_view(dev, READ_ONCE(x->cmd->sess->tgt->rel_tgt_id), &av);
	/* the rule of READ and WRITE (no ALUA_OK class in their CDB rows) */
	return !av.alua || strix_alua_check(av.state, 0) == STRIX_OK;
}

/* Every CSCD to a LUN of the session, then every segment checked. */
static strix_sense_t xcopy_prepare(struct strix_xcopy *x)
{
	struct strix_xcopy_list *l = &x->list;
	unsigned int i;

	for (i = 0; i < l->nr_cscds; i++) {
		const struct strix_xcopy_cscd *c = &l->cscds[i];

		x->tds[i] = xcopy_find(x->cmd->sess, c);
		if (!x->tds[i])
			return STRIX_COPY_UNREACHABLE;
		if (!xcopy_reachable(x, x->tds[i]))
			return STRIX_COPY_NOT_REACHABLE;
		if (c->block_size &&
		    c->block_size != x->tds[i]->dev->params.block_size) {
			x->field = STRIX_XCOPY_HDR_LEN +
				   i * STRIX_XCOPY_CSCD_LEN + 29;
			return STRIX_INVALID_FIELD_PARAM;
		}
	}
	for (i = 0; i < l->nr_segs; i++) {
		const struct strix_xcopy_seg *s = &l->segs[i];
		const struct strix_device *src = x->tds[s->src]->dev;
		const struct strix_device *dst = x->tds[s->dst]->dev;
		u32 bs = src->params.block_size;

		x->at = i;

		/* no block size conversion: both sides the same size */
		if (dst->params.block_size != bs) {
			x->field = xcopy_seg_off(l, i) + 6;
			return STRIX_INVALID_FIELD_PARAM;
		}
		if ((u64)s->nr_blocks * bs > STRIX_XCOPY_MAX_SEGMENT_BYTES) {
			x->field = xcopy_seg_off(l, i) + 10;
			return STRIX_INVALID_FIELD_PARAM;
		}
		if (s->src_lba > READ_ONCE(src->params.nr_blocks) ||
		    s->nr_blocks > READ_ONCE(src->params.nr_blocks) - s->src_lba ||
		    s->dst_lba > READ_ONCE(dst->params.nr_blocks) ||
		    s->nr_blocks > READ_ONCE(dst->params.nr_blocks) - s->dst_lba)
			return STRIX_COPY_OUT_OF_RANGE;
		if (s->nr_blocks && x->tds[s->dst]->read_only)
			return STRIX_WRITE_PROTECTED;
		/*
		 * The session's reservations hold for the LUNs a copy names
		 * as for the one it is sent to: reading a source or writing
		 * a destination this nexus could not READ or WRITE directly
		 * is a RESERVATION CONFLICT, and nothing is copied.
		 */
		if (s->nr_blocks &&
		    (strix_res_conflict_io(x->tds[s->src], false) ||
		     strix_res_conflict_io(x->tds[s->dst], true)))
			return STRIX_RESERVATION_CONFLICT;
	}
	return STRIX_OK;
}

/* ---- copying ------------------------------------------------------------- */

/* A chunk's READ or WRITE ended (any context). */
static void xcopy_io_end(struct strix_cmd *io, strix_sense_t result)
{
	struct strix_xcopy *x = container_of(io, struct strix_xcopy, io);

	if (io->range.state != STRIX_RANGE_FREE)
		strix_range_release(&io->dev->range_lock, &io->range);
	x->io_result = result;
	complete(&x->done);
}

/* One READ or WRITE of @nr blocks at @lba on @td's device, waited for. */
static strix_sense_t xcopy_io(struct strix_xcopy *x, struct strix_tgt_dev *td,
			      bool write, u64 lba, u32 nr,
			      struct scatterlist *sg, unsigned int sg_cnt)
{
	struct strix_device *dev = td->dev;
	struct strix_cmd *io = &x->io;

	strix_cmd_init(io, x->cmd->sess);
	io->dev = dev;
	io->op = write ? STRIX_OP_WRITE : STRIX_OP_READ;
	io->data_dir = write ? STRIX_DATA_WRITE : STRIX_DATA_READ;
	io->lba = lba;
	io->nr_blocks = nr;
	io->data_len = nr * dev->params.block_size;
	io->xfer_len = io->data_len;
	io->sg = sg;
	io->sg_cnt = sg_cnt;
	/* the write cache turned off (WCE 0): write through, as for WRITE */
	io->fua = write && dev->params.write_cache && !READ_ONCE(dev->wce);
	io->range.mode = write ? STRIX_RANGE_SHARED : STRIX_RANGE_NONE;
	io->next = xcopy_io_end;
	reinit_completion(&x->done);
	strix_cmd_internal_io(io);
	wait_for_completion(&x->done);
	return x->io_result;
}

/*
 * One segment, chunk by chunk.  Within one device a destination that
 * overlaps the source above it is copied from the end down, so no block
 * is overwritten before it is read.
 */
static strix_sense_t xcopy_segment(struct strix_xcopy *x,
				   const struct strix_xcopy_seg *s,
				   struct scatterlist *sg, unsigned int sg_cnt)
{
	struct strix_tgt_dev *src = x->tds[s->src], *dst = x->tds[s->dst];
	u32 bs = src->dev->params.block_size;
	u32 chunk = STRIX_XCOPY_CHUNK_BYTES / bs;
	bool down = src->dev == dst->dev && s->dst_lba > s->src_lba &&
		    s->dst_lba < s->src_lba + s->nr_blocks;
	u32 done = 0;
	strix_sense_t ret;

	while (done < s->nr_blocks) {
		u32 n = min_t(u32, chunk, s->nr_blocks - done);
		u32 at = down ? s->nr_blocks - done - n : done;

		if (test_bit(STRIX_CMD_ABORTED, &x->cmd->state))
			return STRIX_ABORTED;
		ret = xcopy_io(x, src, false, s->src_lba + at, n, sg, sg_cnt);
		if (ret == STRIX_OK)
			ret = xcopy_io(x, dst, true, s->dst_lba + at, n, sg,
				       sg_cnt);
		if (ret != STRIX_OK)
			return ret == STRIX_ABORTED ? ret :
						      STRIX_COPY_TARGET_FAILED;
		done += n;
		x->bytes += (u64)n * bs;
	}
	return STRIX_OK;
}

static strix_sense_t xcopy_run(struct strix_xcopy *x)
{
	struct strix_xcopy_list *l = &x->list;
	struct scatterlist *sg = NULL;
	unsigned int sg_cnt = 0, i;
	strix_sense_t ret;

	ret = xcopy_prepare(x);
	if (ret != STRIX_OK)
		return ret;
	for (i = 0; i < l->nr_segs && ret == STRIX_OK; i++) {
		const struct strix_xcopy_seg *s = &l->segs[i];

		x->at = i;

		if (s->nr_blocks && !sg) {
			sg = strix_buf_alloc(&strix_buf_pool,
					     STRIX_XCOPY_CHUNK_BYTES,
					     GFP_KERNEL, &sg_cnt);
			if (!sg)
				return STRIX_BUSY;
		}
		if (s->nr_blocks)
			ret = xcopy_segment(x, s, sg, sg_cnt);
		if (ret == STRIX_OK)
			x->segments++;
	}
	if (sg)
		strix_buf_free(&strix_buf_pool, sg, sg_cnt);
	return ret;
}

/*
 * COPY ABORTED names the segment the copy was at in COMMAND-SPECIFIC
 * INFORMATION (SPC-4 6.4.4; the first segment descriptor is 0): the one
 * whose check or copy failed, 0 when a CSCD failed before any segment.
 */
static void xcopy_set_segment(struct strix_cmd *cmd, strix_sense_t ret, u16 at)
{
	u8 status, key, asc, ascq;

	strix_sense_info(ret, &status, &key, &asc, &ascq);
	if (key != COPY_ABORTED)
		return;
	cmd->sense_csi = at;
	cmd->sense_csi_valid = true;
}

static void xcopy_work(struct work_struct *work)
{
	struct strix_xcopy *x = container_of(work, struct strix_xcopy, work);
	struct strix_cmd *cmd = x->cmd;
	strix_sense_t ret;

	ret = xcopy_status_start(x);
	if (ret == STRIX_OK)
		ret = xcopy_run(x);
	xcopy_put_all(x);
	if (ret == STRIX_INVALID_FIELD_PARAM) {
		cmd->sense_field_byte = x->field;
		cmd->sense_field_bit = -1;
	}
	xcopy_set_segment(cmd, ret, x->at);
	xcopy_status_end(x, ret);
	kfree(x);
	strix_cmd_io_done(cmd, ret);
}

/**
 * strix_xcopy_execute() - EXTENDED COPY (LID1), its parameter list in
 * cmd->sg: checked here, copied on the copy workqueue
 * @cmd: the command, parsed and its data fetched
 */
void strix_xcopy_execute(struct strix_cmd *cmd)
{
	u32 len = min_t(u32, cmd->data_len,
			STRIX_XCOPY_HDR_LEN + STRIX_XCOPY_MAX_LIST_LEN);
	struct strix_xcopy *x;
	strix_sense_t ret;
	u8 *buf = NULL;
	u16 field;

	x = kzalloc(sizeof(*x), strix_cmd_gfp(cmd));
	if (len)
		buf = kmalloc(len, strix_cmd_gfp(cmd));
	if (!x || (len && !buf)) {
		ret = STRIX_BUSY;
		goto fail;
	}
	if (len && sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, buf, len) != len) {
		ret = STRIX_HW_ERROR;
		goto fail;
	}
	ret = strix_xcopy_parse(buf, cmd->data_len, &x->list, &field);
	kfree(buf);
	buf = NULL;
	if (ret == STRIX_INVALID_FIELD_PARAM) {
		cmd->sense_field_byte = field;
		cmd->sense_field_bit = -1;
	}
	if (ret != STRIX_OK || !cmd->data_len)
		goto fail;
	x->cmd = cmd;
	init_completion(&x->done);
	INIT_WORK(&x->work, xcopy_work);
	queue_work(strix_xcopy_wq, &x->work);
	return;

fail:
	kfree(buf);
	kfree(x);
	strix_cmd_io_done(cmd, ret);
}

/* ---- RECEIVE COPY RESULTS ------------------------------------------------ */

static void xcopy_put_be(u8 *p, u64 v, unsigned int n)
{
	while (n--) {
		p[n] = v & 0xff;
		v >>= 8;
	}
}

/* OPERATING PARAMETERS (SPC-4 6.18.4): the limits above. */
static u32 xcopy_op_params(u8 *b)
{
	static const u8 descs[] = { STRIX_XCOPY_DESC_B2B, STRIX_XCOPY_DESC_CSCD_ID };
	u32 n = 44 + sizeof(descs);

	xcopy_put_be(b, n - 4, 4);		/* AVAILABLE DATA */
	b[4] = 0x01;				/* SNLID: LIST ID USAGE 11b */
	xcopy_put_be(b + 8, STRIX_XCOPY_MAX_CSCDS, 2);
	xcopy_put_be(b + 10, STRIX_XCOPY_MAX_SEGMENTS, 2);
	xcopy_put_be(b + 12, STRIX_XCOPY_MAX_LIST_LEN, 4);
	xcopy_put_be(b + 16, STRIX_XCOPY_MAX_SEGMENT_BYTES, 4);
	/*
	 * 20: MAXIMUM INLINE DATA LENGTH 0, 24: HELD DATA LIMIT 0, 28:
	 * MAXIMUM STREAM DEVICE TRANSFER SIZE 0, 34: TOTAL CONCURRENT COPIES
	 * and 36: MAXIMUM CONCURRENT COPIES 0 (not limited here), 37-39:
	 * DATA SEGMENT, INLINE DATA and HELD DATA GRANULARITY 2^0.
	 */
	b[43] = sizeof(descs);		/* IMPLEMENTED DESCRIPTOR LIST LENGTH */
	memcpy(b + 44, descs, sizeof(descs));
	return n;
}

/*
 * COPY STATUS (SPC-4 6.18.3) or FAILED SEGMENT DETAILS (6.18.5) of the
 * nexus's last copy with @list_id; a completed copy's status goes once it
 * is read.  No such copy: INVALID FIELD IN CDB (the LIST IDENTIFIER).
 */
static strix_sense_t xcopy_results(struct strix_cmd *cmd, u8 sa, u8 *b,
				   u32 *n)
{
	struct strix_tgt_dev *td = cmd->tgt_dev;
	struct strix_xcopy_status *st;
	strix_sense_t ret = STRIX_OK;

	spin_lock(&td->xcopy_lock);
	st = td->xcopy;
	if (!st || !st->valid || st->list_id != cmd->cdb[2]) {
		ret = strix_invalid_field(cmd, 2, -1);
	} else if (sa == XCOPY_RCR_COPY_STATUS) {
		xcopy_put_be(b, 8, 4);
		b[4] = st->state;
		xcopy_put_be(b + 5, st->segments, 2);
		b[7] = XCOPY_UNITS_KIB;
		xcopy_put_be(b + 8, min_t(u64, st->bytes >> 10, U32_MAX), 4);
		*n = 12;
		if (st->state != XCOPY_STATUS_RUNNING)
			st->valid = false;
	} else if (st->state == XCOPY_STATUS_FAILED) {
		xcopy_put_be(b, 56 + st->sense_len, 4);
		b[56] = st->status;
		xcopy_put_be(b + 58, st->sense_len, 2);
		memcpy(b + 60, st->sense, st->sense_len);
		*n = 60 + st->sense_len;
		st->valid = false;
	} else {
		/* running, or done without error: no details (4 zero bytes) */
		*n = 4;
		if (st->state != XCOPY_STATUS_RUNNING)
			st->valid = false;
	}
	spin_unlock(&td->xcopy_lock);
	return ret;
}

/**
 * strix_copy_results_execute() - RECEIVE COPY RESULTS (LID1 service
 * actions 00h, 03h, 04h; the parser refuses the others)
 * @cmd: the command
 */
void strix_copy_results_execute(struct strix_cmd *cmd)
{
	u8 sa = cmd->cdb[1] & 0x1f;
	strix_sense_t ret = STRIX_OK;
	u32 n = 0;
	u8 *b;

	b = kzalloc(60 + STRIX_SENSE_LEN, strix_cmd_gfp(cmd));
	if (!b) {
		strix_cmd_io_done(cmd, STRIX_BUSY);
		return;
	}
	if (sa == XCOPY_RCR_OP_PARAMS)
		n = xcopy_op_params(b);
	else
		ret = xcopy_results(cmd, sa, b, &n);
	if (ret == STRIX_OK) {
		n = min3(n, cmd->data_len, cmd->expected_len);
		if (n && cmd->sg)
			n = sg_copy_from_buffer(cmd->sg, cmd->sg_cnt, b, n);
		cmd->xfer_len = n;
	}
	kfree(b);
	strix_cmd_io_done(cmd, ret);
}

int strix_xcopy_init(void)
{
	strix_xcopy_wq = alloc_workqueue("strix_xcopy", WQ_UNBOUND, 0);
	return strix_xcopy_wq ? 0 : -ENOMEM;
}

void strix_xcopy_exit(void)
{
	destroy_workqueue(strix_xcopy_wq);
}
