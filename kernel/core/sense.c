// SPDX-License-Identifier: GPL-2.0
/*
 * Sense: the one table from the data path's strix_sense_t to SAM status,
 * sense key, ASC and ASCQ, and the builder of fixed (SPC 4.5.3) and
 * descriptor (SPC 4.5.2) format sense data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include <strix/compat.h>

#include "scsi.h"

/* Lengths of what strix_sense_build() writes. */
#define STRIX_FIXED_SENSE_LEN	18	/* through the sense-key-specific bytes */
#define STRIX_DESC_HDR_LEN	8
#define STRIX_DESC_SKS_LEN	8	/* sense key specific descriptor */
#define STRIX_DESC_INFO_LEN	12	/* information and command-specific ones */

/* struct strix_sense_row->flags */
enum {
	SENSE_NONE	= 1 << 0,	/* the status carries no sense data */
	SENSE_SKS_CDB	= 1 << 1,	/* field pointer into the CDB (C/D = 1) */
	SENSE_SKS_PARAM	= 1 << 2,	/* into the parameter list (C/D = 0) */
	SENSE_UA	= 1 << 3,	/* ASC/ASCQ come from the caller */
};

struct strix_sense_row {
	u8 status;
	u8 key;
	u8 asc;
	u8 ascq;
	u8 flags;
};

#define CC	SAM_STAT_CHECK_CONDITION

static const struct strix_sense_row strix_sense_table[__STRIX_SENSE_MAX] = {
	[__STRIX_OK]			= { SAM_STAT_GOOD, NO_SENSE, 0, 0,
					    SENSE_NONE },
	[__STRIX_INVALID_OPCODE]	= { CC, ILLEGAL_REQUEST, 0x20, 0x00 },
	[__STRIX_INVALID_FIELD_CDB]	= { CC, ILLEGAL_REQUEST, 0x24, 0x00,
					    SENSE_SKS_CDB },
	[__STRIX_INVALID_FIELD_PARAM]	= { CC, ILLEGAL_REQUEST, 0x26, 0x00,
					    SENSE_SKS_PARAM },
	[__STRIX_PARAM_LIST_LENGTH]	= { CC, ILLEGAL_REQUEST, 0x1a, 0x00 },
	[__STRIX_LBA_OUT_OF_RANGE]	= { CC, ILLEGAL_REQUEST, 0x21, 0x00 },
	[__STRIX_LUN_NOT_SUPPORTED]	= { CC, ILLEGAL_REQUEST, 0x25, 0x00 },
	[__STRIX_WRITE_PROTECTED]	= { CC, DATA_PROTECT, 0x27, 0x00 },
	[__STRIX_READ_ERROR]		= { CC, MEDIUM_ERROR, 0x11, 0x00 },
	[__STRIX_WRITE_ERROR]		= { CC, MEDIUM_ERROR, 0x0c, 0x00 },
	[__STRIX_SPACE_ALLOC_FAILED]	= { CC, DATA_PROTECT, 0x27, 0x07 },
	[__STRIX_NOT_READY_STOPPED]	= { CC, NOT_READY, 0x04, 0x02 },
	[__STRIX_NO_MEDIUM]		= { CC, NOT_READY, 0x3a, 0x00 },
	[__STRIX_HW_ERROR]		= { CC, HARDWARE_ERROR, 0x44, 0x00 },
	[__STRIX_NO_RESOURCES]		= { SAM_STAT_TASK_SET_FULL, NO_SENSE,
					    0, 0, SENSE_NONE },
	[__STRIX_BUSY]			= { SAM_STAT_BUSY, NO_SENSE, 0, 0,
					    SENSE_NONE },
	[__STRIX_RESERVATION_CONFLICT]	= { SAM_STAT_RESERVATION_CONFLICT,
					    NO_SENSE, 0, 0, SENSE_NONE },
	[__STRIX_UNIT_ATTENTION]	= { CC, UNIT_ATTENTION, 0, 0, SENSE_UA },
	[__STRIX_ABORTED]		= { CC, ABORTED_COMMAND, 0x00, 0x00 },
	[__STRIX_MISCOMPARE]		= { CC, MISCOMPARE, 0x1d, 0x00 },
	[__STRIX_MEDIUM_REMOVAL_PREVENTED] = { CC, ILLEGAL_REQUEST, 0x53, 0x02 },
	[__STRIX_INVALID_RELEASE_PR]	= { CC, ILLEGAL_REQUEST, 0x26, 0x04 },
	[__STRIX_PROTOCOL_CRC_ERROR]	= { CC, ABORTED_COMMAND, 0x47, 0x05 },
	[__STRIX_INSUFFICIENT_REG_RES]	= { CC, ILLEGAL_REQUEST, 0x55, 0x04 },
	[__STRIX_PORT_TRANSITIONING]	= { CC, NOT_READY, 0x04, 0x0a },
	[__STRIX_PORT_STANDBY]		= { CC, NOT_READY, 0x04, 0x0b },
	[__STRIX_PORT_UNAVAILABLE]	= { CC, NOT_READY, 0x04, 0x0c },
	[__STRIX_PORT_OFFLINE]		= { CC, NOT_READY, 0x04, 0x12 },
	[__STRIX_TOO_MANY_CSCDS]	= { CC, ILLEGAL_REQUEST, 0x26, 0x06 },
	[__STRIX_UNSUPP_CSCD_TYPE]	= { CC, ILLEGAL_REQUEST, 0x26, 0x07 },
	[__STRIX_TOO_MANY_SEGMENTS]	= { CC, ILLEGAL_REQUEST, 0x26, 0x08 },
	[__STRIX_UNSUPP_SEGMENT_TYPE]	= { CC, ILLEGAL_REQUEST, 0x26, 0x09 },
	[__STRIX_COPY_UNREACHABLE]	= { CC, COPY_ABORTED, 0x08, 0x04 },
	/*
	 * A segment past the end of a copy target: COPY ABORTED with no
	 * further ASC.  (LOGICAL BLOCK ADDRESS OUT OF RANGE would say more;
	 * libiscsi's ExtendedCopy.ValidSegDescr accepts only 00/00, 08/04
	 * and 0D/02 here.)
	 */
	[__STRIX_COPY_OUT_OF_RANGE]	= { CC, COPY_ABORTED, 0x00, 0x00 },
	[__STRIX_COPY_TARGET_FAILED]	= { CC, COPY_ABORTED, 0x0d, 0x01 },
	[__STRIX_COPY_NOT_REACHABLE]	= { CC, COPY_ABORTED, 0x0d, 0x02 },
	[__STRIX_OP_IN_PROGRESS]	= { CC, ILLEGAL_REQUEST, 0x00, 0x16 },
};

/* A value outside the table is a bug elsewhere: report a target failure. */
static const struct strix_sense_row *strix_sense_row(strix_sense_t result)
{
	unsigned int i = (__force unsigned int)result;

	if (i >= ARRAY_SIZE(strix_sense_table))
		i = __STRIX_HW_ERROR;
	return &strix_sense_table[i];
}

void strix_sense_info(strix_sense_t result, u8 *status, u8 *key, u8 *asc,
		      u8 *ascq)
{
	const struct strix_sense_row *row = strix_sense_row(result);

	*status = row->status;
	*key = row->key;
	*asc = row->asc;
	*ascq = row->ascq;
}
EXPORT_SYMBOL_GPL(strix_sense_info);

/*
 * The three sense-key-specific bytes of a field pointer (SPC 4.5.2.4.2):
 * SKSV, C/D, BPV and BIT POINTER, then the FIELD POINTER (big-endian).
 */
static void strix_sense_sks(u8 *p, bool cdb, u16 byte, s8 bit)
{
	p[0] = 0x80 | (cdb ? 0x40 : 0);
	if (bit >= 0 && bit <= 7)
		p[0] |= 0x08 | bit;
	p[1] = byte >> 8;
	p[2] = byte & 0xff;
}

/*
 * Append a descriptor carrying a 64-bit field (information or command-
 * specific information, SPC 4.5.2.2-3): its type, byte 2, the value.
 */
static void strix_sense_desc64(struct strix_cmd *cmd, u8 type, u8 b2, u64 v)
{
	u8 *d = cmd->sense + cmd->sense_len;

	d[0] = type;
	d[1] = STRIX_DESC_INFO_LEN - 2;
	d[2] = b2;
	put_unaligned_be64(v, d + 4);
	cmd->sense_len += STRIX_DESC_INFO_LEN;
}

void strix_sense_build(struct strix_cmd *cmd, bool desc, u8 ua_asc, u8 ua_ascq)
{
	const struct strix_sense_row *row = strix_sense_row(cmd->result);
	bool sks = row->flags & (SENSE_SKS_CDB | SENSE_SKS_PARAM);
	u8 asc = row->asc, ascq = row->ascq;
	u8 *s = cmd->sense;

	cmd->status = row->status;
	memset(cmd->sense, 0, sizeof(cmd->sense));
	if (row->flags & SENSE_NONE) {
		cmd->sense_len = 0;
		return;
	}
	if (row->flags & SENSE_UA) {
		asc = ua_asc;
		ascq = ua_ascq;
	}

	if (desc) {
		s[0] = 0x72;		/* current error, descriptor format */
		s[1] = row->key;
		s[2] = asc;
		s[3] = ascq;
		cmd->sense_len = STRIX_DESC_HDR_LEN;
		if (cmd->sense_info_valid)	/* information, VALID */
			strix_sense_desc64(cmd, 0x00, 0x80, cmd->sense_info);
		if (cmd->sense_csi_valid)	/* command-specific information */
			strix_sense_desc64(cmd, 0x01, 0, cmd->sense_csi);
		if (sks) {
			u8 *d = s + cmd->sense_len;

			d[0] = 0x02;	/* sense key specific descriptor */
			d[1] = STRIX_DESC_SKS_LEN - 2;
			strix_sense_sks(d + 4, row->flags & SENSE_SKS_CDB,
					cmd->sense_field_byte,
					cmd->sense_field_bit);
			cmd->sense_len += STRIX_DESC_SKS_LEN;
		}
		s[7] = cmd->sense_len - STRIX_DESC_HDR_LEN;
		return;
	}

	s[0] = 0x70;			/* current error, fixed format */
	s[2] = row->key;
	s[7] = STRIX_FIXED_SENSE_LEN - 8;
	s[12] = asc;
	s[13] = ascq;
	/* INFORMATION is 4 bytes here: VALID only when the value fits */
	if (cmd->sense_info_valid && cmd->sense_info <= U32_MAX) {
		s[0] |= 0x80;
		put_unaligned_be32(cmd->sense_info, s + 3);
	}
	if (cmd->sense_csi_valid)
		put_unaligned_be32(cmd->sense_csi, s + 8);
	if (sks)
		strix_sense_sks(s + 15, row->flags & SENSE_SKS_CDB,
				cmd->sense_field_byte, cmd->sense_field_bit);
	cmd->sense_len = STRIX_FIXED_SENSE_LEN;
}
EXPORT_SYMBOL_GPL(strix_sense_build);

/**
 * strix_errno_to_sense() - what a backing store's errno means to an initiator
 * @err:   the errno, negative or positive; 0 is success
 * @write: the failed I/O was a write
 *
 * Out of space (thin or full file system) and a read-only backing store
 * are reported as such on writes; a shortage of memory or a transient
 * condition as BUSY so the initiator retries; anything else as a medium
 * error of the direction that failed.
 *
 * Return: STRIX_OK for 0, else the sense value.
 */
strix_sense_t strix_errno_to_sense(int err, bool write)
{
	switch (abs(err)) {
	case 0:
		return STRIX_OK;
	case ENOSPC:
	case EDQUOT:
		if (write)
			return STRIX_SPACE_ALLOC_FAILED;
		break;
	case EROFS:
	case EPERM:
	case EACCES:
		if (write)
			return STRIX_WRITE_PROTECTED;
		break;
	case ENOMEM:
	case EAGAIN:
	case EBUSY:
	case ENOBUFS:
		return STRIX_BUSY;
	case ENOMEDIUM:
		return STRIX_NO_MEDIUM;
	}
	return write ? STRIX_WRITE_ERROR : STRIX_READ_ERROR;
}
EXPORT_SYMBOL_GPL(strix_errno_to_sense);
