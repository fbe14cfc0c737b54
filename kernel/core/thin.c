// SPDX-License-Identifier: GPL-2.0
/*
 * Thin provisioning (SBC-3 4.7): UNMAP, WRITE SAME(10)/(16) with and
 * without UNMAP, and GET LBA STATUS, on top of the handler's synchronous
 * unmap, write_same and lba_status ops (handler.h).
 *
 * The parser (cdb.c) has checked the CDB, the range and write protection;
 * what is checked here is what only the data says: the UNMAP parameter
 * list, whole, before a single block is deallocated, so a bad list changes
 * nothing.  These commands are ordinary I/O ops (cmd->op) and reach
 * strix_thin_execute() through strix_cmd_queue_io() like READ and WRITE:
 * on the device's workqueue, inline only for a handler whose ops never
 * sleep.
 *
 * WRITE SAME with UNMAP on a thin-provisioned device deallocates the
 * blocks whatever the Data-Out block holds, as LIO and SCST do and as
 * libiscsi's WriteSame tests expect (they unmap with a block of FFh and
 * read zeroes back when LBPRZ is set): the initiator asked for the blocks
 * to be released, and LBPRZ tells it what they read back.  On a fully
 * provisioned device the UNMAP bit is ignored (LBPWS 0) and the block is
 * written.  Anchored blocks are not supported (ANC_SUP=0): the ANCHOR bits
 * are refused by the parser.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include "core.h"
#include "scsi.h"

#define STRIX_UNMAP_HDR_LEN	8
#define STRIX_UNMAP_DESC_LEN	16
#define STRIX_LBA_STATUS_HDR	8
#define STRIX_LBA_STATUS_DESC	16
/* Descriptors one GET LBA STATUS returns at most (each may cost a seek). */
#define STRIX_LBA_STATUS_MAX	64

static u64 strix_thin_be(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/**
 * strix_unmap_parse() - check an UNMAP parameter list
 * @buf:        the parameter list
 * @len:        its length (the CDB's PARAMETER LIST LENGTH)
 * @nr_blocks:  the device's size in blocks
 * @max_blocks: the most blocks the descriptors may name together
 * @descs:      set to the descriptors
 * @max_descs:  room in @descs: more descriptors are refused
 * @n:          set to the number of descriptors
 * @field:      set to the offending byte for INVALID FIELD IN PARAMETER LIST
 *
 * SBC-3 5.28: a PARAMETER LIST LENGTH of 0 is no list (nothing to do); 1 to
 * 7 bytes is a PARAMETER LIST LENGTH ERROR.  The UNMAP DATA LENGTH (bytes
 * 0-1) counts the bytes after it, the UNMAP BLOCK DESCRIPTOR DATA LENGTH
 * (bytes 2-3) those of the descriptors; neither may claim bytes that were
 * not sent, and the data length must cover the descriptors (so the
 * descriptors are inside the list).  An
 * incomplete last descriptor (a length not a multiple of 16) is ignored,
 * as SBC says.  Pure: no allocation, no state.
 *
 * Return: STRIX_OK or why the list is refused.
 */
strix_sense_t strix_unmap_parse(const u8 *buf, u32 len, u64 nr_blocks,
				u64 max_blocks, struct strix_unmap_desc *descs,
				unsigned int max_descs, unsigned int *n,
				u16 *field)
{
	u32 data_len, bd_len, i, count;
	u64 total = 0;

	*n = 0;
	*field = 0;
	if (!len)
		return STRIX_OK;
	if (len < STRIX_UNMAP_HDR_LEN)
		return STRIX_PARAM_LIST_LENGTH;
	data_len = strix_thin_be(buf, 2);
	bd_len = strix_thin_be(buf + 2, 2);
	/* (which also keeps the descriptors inside the list) */
	if (data_len + 2 > len || data_len < bd_len + STRIX_UNMAP_HDR_LEN - 2)
		return STRIX_INVALID_FIELD_PARAM;		/* field 0 */
	count = bd_len / STRIX_UNMAP_DESC_LEN;
	if (count > max_descs) {
		*field = 2;
		return STRIX_INVALID_FIELD_PARAM;
	}
	for (i = 0; i < count; i++) {
		const u8 *d = buf + STRIX_UNMAP_HDR_LEN + i * STRIX_UNMAP_DESC_LEN;
		u64 lba = strix_thin_be(d, 8);
		u32 blocks = strix_thin_be(d + 8, 4);

		if (lba > nr_blocks || blocks > nr_blocks - lba)
			return STRIX_LBA_OUT_OF_RANGE;
		total += blocks;
		if (total > max_blocks) {
			*field = STRIX_UNMAP_HDR_LEN + i * STRIX_UNMAP_DESC_LEN + 8;
			return STRIX_INVALID_FIELD_PARAM;
		}
		descs[i].lba = lba;
		descs[i].nr_blocks = blocks;
	}
	*n = count;
	return STRIX_OK;
}
EXPORT_SYMBOL_GPL(strix_unmap_parse);

/**
 * strix_lba_status_put() - one LBA status descriptor (SBC-3 5.6.3)
 * @buf:       16 bytes
 * @lba:       the first block of the extent
 * @nr_blocks: its length
 * @mapped:    provisioning status 0h (mapped) or 1h (deallocated)
 */
void strix_lba_status_put(u8 *buf, u64 lba, u32 nr_blocks, bool mapped)
{
	unsigned int i;

	memset(buf, 0, STRIX_LBA_STATUS_DESC);
	for (i = 0; i < 8; i++)
		buf[i] = lba >> (56 - 8 * i);
	for (i = 0; i < 4; i++)
		buf[8 + i] = nr_blocks >> (24 - 8 * i);
	buf[12] = mapped ? 0 : 1;
}
EXPORT_SYMBOL_GPL(strix_lba_status_put);

static strix_sense_t strix_thin_unmap(struct strix_cmd *cmd)
{
	const struct strix_handler *h = cmd->dev->hreg->h;
	const struct strix_dev_params *dp = &cmd->dev->params;
	gfp_t gfp = strix_cmd_gfp(cmd);
	struct strix_unmap_desc *descs;
	strix_sense_t ret;
	unsigned int i, n;
	u16 field;
	u8 *buf;

	if (!cmd->data_len)
		return STRIX_OK;
	if (!h->unmap || !dp->thin_provisioned)
		return STRIX_INVALID_OPCODE;
	buf = kmalloc(cmd->data_len, gfp);
	descs = kmalloc_array(STRIX_MAX_UNMAP_DESCS, sizeof(*descs), gfp);
	if (!buf || !descs) {
		ret = STRIX_BUSY;
		goto out;
	}
	if (sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, buf, cmd->data_len) !=
	    cmd->data_len) {
		ret = STRIX_HW_ERROR;
		goto out;
	}
	ret = strix_unmap_parse(buf, cmd->data_len, READ_ONCE(dp->nr_blocks),
				STRIX_MAX_UNMAP_BYTES >> ilog2(dp->block_size),
				descs, STRIX_MAX_UNMAP_DESCS, &n, &field);
	if (ret == STRIX_INVALID_FIELD_PARAM) {
		cmd->sense_field_byte = field;
		cmd->sense_field_bit = -1;
	}
	/* one call per run of adjacent descriptors (each may wait for I/O) */
	for (i = 0; ret == STRIX_OK && i < n; i++) {
		u64 lba = descs[i].lba, nr = descs[i].nr_blocks;

		while (i + 1 < n && descs[i + 1].lba == lba + nr)
			nr += descs[++i].nr_blocks;
		if (nr)
			ret = h->unmap(cmd, lba, nr);
	}
out:
	kfree(descs);
	kfree(buf);
	return ret;
}

static strix_sense_t strix_thin_write_same(struct strix_cmd *cmd)
{
	const struct strix_handler *h = cmd->dev->hreg->h;
	const struct strix_dev_params *dp = &cmd->dev->params;
	bool unmap = cmd->cdb[1] & STRIX_WS_UNMAP;
	bool zero = true;
	strix_sense_t ret;
	u8 *block = NULL;

	if (!cmd->nr_blocks)		/* 0 blocks from the last LBA on */
		return STRIX_OK;
	if (unmap && dp->thin_provisioned && h->unmap)
		return h->unmap(cmd, cmd->lba, cmd->nr_blocks);
	/* NDOB: no buffer, the block is zeroes (the parser saw to it) */
	if (cmd->data_dir == STRIX_DATA_WRITE) {
		block = kmalloc(dp->block_size, strix_cmd_gfp(cmd));
		if (!block)
			return STRIX_BUSY;
		if (sg_copy_to_buffer(cmd->sg, cmd->sg_cnt, block,
				      dp->block_size) != dp->block_size) {
			ret = STRIX_HW_ERROR;
			goto out;
		}
		zero = !memchr_inv(block, 0, dp->block_size);
	}
	if (h->write_same)
		ret = h->write_same(cmd, cmd->lba, cmd->nr_blocks,
				    zero ? NULL : block);
	else
		ret = STRIX_INVALID_OPCODE;
out:
	kfree(block);
	return ret;
}

/*
 * GET LBA STATUS: the extents from the starting LBA on, as long as the
 * allocation length has room (at least one is always computed, so the
 * PARAMETER DATA LENGTH is right even for a short allocation length), at
 * most STRIX_LBA_STATUS_MAX.  A device that is not thin provisioned, or a
 * handler that cannot tell, reports everything mapped.
 */
static strix_sense_t strix_thin_lba_status(struct strix_cmd *cmd)
{
	const struct strix_handler *h = cmd->dev->hreg->h;
	const struct strix_dev_params *dp = &cmd->dev->params;
	u64 end = READ_ONCE(dp->nr_blocks), lba = cmd->lba;
	u32 room = cmd->data_len > STRIX_LBA_STATUS_HDR ?
		   (cmd->data_len - STRIX_LBA_STATUS_HDR) / STRIX_LBA_STATUS_DESC : 0;
	unsigned int max = clamp_t(u32, room, 1, STRIX_LBA_STATUS_MAX), n = 0;
	u64 prev_nr = 0;
	bool prev_mapped = false;
	strix_sense_t ret = STRIX_OK;
	u32 total, copy;
	u8 *buf;

	buf = kzalloc(STRIX_LBA_STATUS_HDR + max * STRIX_LBA_STATUS_DESC,
		      strix_cmd_gfp(cmd));
	if (!buf)
		return STRIX_BUSY;
	while (lba < end) {
		u64 want = min_t(u64, end - lba, U32_MAX), nr = want;
		bool mapped = true;

		if (dp->thin_provisioned && h->lba_status) {
			ret = h->lba_status(cmd, lba, &nr, &mapped);
			if (ret)
				goto out;
			if (!nr || nr > want)	/* never loop forever */
				nr = want;
		}
		/* one extent of one state, as long as the field holds */
		if (n && mapped == prev_mapped && prev_nr + nr <= U32_MAX) {
			prev_nr += nr;
		} else {
			if (n == max)
				break;
			n++;
			prev_nr = nr;
			prev_mapped = mapped;
		}
		strix_lba_status_put(buf + STRIX_LBA_STATUS_HDR +
				     (n - 1) * STRIX_LBA_STATUS_DESC,
				     lba + nr - prev_nr, prev_nr, prev_mapped);
		lba += nr;
	}
	total = STRIX_LBA_STATUS_HDR + n * STRIX_LBA_STATUS_DESC;
	buf[0] = (total - 4) >> 24;
	buf[1] = (total - 4) >> 16;
	buf[2] = (total - 4) >> 8;
	buf[3] = total - 4;
	copy = min3(total, cmd->data_len, cmd->expected_len);
	if (copy && cmd->sg)
		copy = sg_copy_from_buffer(cmd->sg, cmd->sg_cnt, buf, copy);
	cmd->xfer_len = copy;
out:
	kfree(buf);
	return ret;
}

/**
 * strix_thin_execute() - run an UNMAP, WRITE SAME or GET LBA STATUS
 * @cmd: the command, its op one of those three
 *
 * Called by strix_cmd_do_io() where the handler's ops may run; completes
 * the command.
 */
void strix_thin_execute(struct strix_cmd *cmd)
{
	strix_sense_t ret;

	switch (cmd->op) {
	case STRIX_OP_UNMAP:
		ret = strix_thin_unmap(cmd);
		break;
	case STRIX_OP_WRITE_SAME:
		ret = strix_thin_write_same(cmd);
		break;
	case STRIX_OP_LBA_STATUS:
		ret = strix_thin_lba_status(cmd);
		break;
	default:
		ret = STRIX_HW_ERROR;
	}
	strix_cmd_io_done(cmd, ret);
}
