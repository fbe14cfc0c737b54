// SPDX-License-Identifier: GPL-2.0
/*
 * CDB decoding: one table of the commands the core knows, one parser.
 *
 * Each row of strix_cdb_table says how long the opcode's CDB is, what it
 * does (cmd->op / cmd->emul), which way its data flows, where its LBA and
 * its length field sit, which bits of each byte may be set, and which of
 * the shared checks apply (FUA, protection information, write protect,
 * range).  The few checks that do not fit a table (INQUIRY's page code
 * without EVPD, REPORT LUNS' SELECT REPORT, BYTCHK...) are small callbacks.
 *
 * strix_cdb_parse() is a pure function of the command and the parse
 * context.  A refused command is left with cmd->op STRIX_OP_NONE and no
 * data phase; for INVALID FIELD IN CDB cmd->sense_field_* say where.
 *
 * Order of the checks, so the sense an initiator gets is predictable:
 * the LUN exists (only INQUIRY, REPORT LUNS and REQUEST SENSE go to a
 * LUN that does not); the opcode (and service action) is known; the CDB is
 * long enough; the target port's ALUA access state; a medium is loaded;
 * the CONTROL byte; reserved bits; protection fields; the
 * command's own fields; the LBA range; write protection.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/kernel.h>
#include <scsi/scsi_proto.h>

#include "scsi.h"

/* Not in every kernel's scsi_proto.h. */
#define STRIX_PRE_FETCH_16	0x90
#define STRIX_ORWRITE_16	0x8b
#define STRIX_WRITE_ATOMIC_16	0x9c

/* struct strix_cdb_info->flags */
enum {
	/* Parses when the LUN does not exist (ctx->dp == NULL). */
	CDB_NO_LUN	= 1 << 0,
	/* The length field counts blocks: range checked, data = blocks * bs. */
	CDB_BLOCKS	= 1 << 1,
	/* The length field is an allocation length: data_len = its value. */
	CDB_ALLOC	= 1 << 2,
	/* READ(6)/WRITE(6): a transfer length of 0 means 256 blocks. */
	CDB_ZERO_256	= 1 << 3,
	/* Byte 1 bit 3 is FUA. */
	CDB_FUA		= 1 << 4,
	/* Always write through (WRITE AND VERIFY). */
	CDB_FORCE_FUA	= 1 << 5,
	/* Byte 1 bits 7-5 are RD/WR/VRPROTECT: no protection info here. */
	CDB_PROTECT	= 1 << 6,
	/* Writes the medium: refused on a read-only LUN. */
	CDB_WRITES	= 1 << 7,
	/* The opcode has service actions (byte 1 bits 4-0), @sa selects. */
	CDB_SA		= 1 << 8,
	/* Works with no medium loaded (ctx->no_medium). */
	CDB_NO_MEDIUM	= 1 << 9,
	/* Exists only for a device in a device group (ctx->alua). */
	CDB_ALUA	= 1 << 10,
	/* Exists only when the device allows explicit ALUA. */
	CDB_EXPL_ALUA	= 1 << 11,
	/*
	 * Modifies its blocks atomically: holds them exclusively (range.c)
	 * where other medium-modifying commands (CDB_WRITES) share them.
	 */
	CDB_EXCL	= 1 << 12,
	/* Two buffers of the blocks (COMPARE AND WRITE: verify, then write). */
	CDB_TWICE	= 1 << 13,
	/*
	 * @check runs after the LBA range check: a length limit of the
	 * command's own (the atomic ones) comes after LBA OUT OF RANGE.
	 */
	CDB_CHECK_LATE	= 1 << 14,
	/* Exists only on a thin-provisioned device (dp->thin_provisioned). */
	CDB_THIN	= 1 << 15,
	/* CDB_BLOCKS, but the Data-Out buffer is one block (WRITE SAME). */
	CDB_ONE_BLOCK	= 1 << 16,
	/* A length of 0 means to the end of the medium (WRITE SAME). */
	CDB_TO_END	= 1 << 17,
	/* The LBA must name a block of the device (GET LBA STATUS). */
	CDB_LBA		= 1 << 18,
};

/* The ALUA classes of the rows (struct strix_cdb_info->alua). */
#define ALUA_ANY	STRIX_ALUA_OK_ALL	/* INQUIRY, REPORT LUNS, REQUEST SENSE */
#define ALUA_REPORTS	(STRIX_ALUA_OK_STANDBY | STRIX_ALUA_OK_UNAVAILABLE | \
			 STRIX_ALUA_OK_TRANSITIONING)
#define ALUA_STANDBY	STRIX_ALUA_OK_STANDBY

#define CDB_RW		(CDB_BLOCKS | CDB_FUA | CDB_PROTECT)

struct strix_cdb_info;

/* A command's own checks, after the table's; may change cmd->data_dir. */
typedef strix_sense_t (*strix_cdb_check_fn)(struct strix_cmd *cmd,
					    const struct strix_cdb_info *ci);

/*
 * struct strix_cdb_info - how to decode one opcode (or service action).
 * @allowed: the bits that may be set in bytes 1 .. @len - 2 (byte 0 is the
 *	opcode, the CONTROL byte is checked on its own); a bit set in the
 *	CDB but not here is INVALID FIELD IN CDB.
 * @lba_off/@lba_bytes: the LBA field (0 bytes: none).
 * @len_off/@len_bytes: the transfer, verification or allocation length.
 * @fixed_len: the data length of a command without a length field.
 * @alua: the access states besides the active ones in which the command
 *	runs (SPC-4 5.15.2.4: in standby the reports, mode and reservation
 *	commands; in unavailable and transitioning the reports; in offline
 *	INQUIRY, REPORT LUNS and REQUEST SENSE only).
 */
struct strix_cdb_info {
	u8			opcode;
	u8			sa;
	u8			len;
	u8			op;		/* enum strix_op */
	u8			emul;		/* enum strix_emul */
	u8			dir;		/* enum strix_data_dir */
	u32			flags;
	u8			lba_off;
	u8			lba_bytes;
	u8			len_off;
	u8			len_bytes;
	u8			fixed_len;
	u8			res;		/* STRIX_RES_* */
	u8			alua;		/* STRIX_ALUA_OK_* */
	u8			allowed[16];
	strix_cdb_check_fn	check;
};

/* The big-endian field of @n bytes at @p (n <= 8). */
static u64 strix_be(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

strix_sense_t strix_invalid_field(struct strix_cmd *cmd, u16 byte, s8 bit)
{
	cmd->sense_field_byte = byte;
	cmd->sense_field_bit = bit >= 0 && bit <= 7 ? bit : -1;
	return STRIX_INVALID_FIELD_CDB;
}
EXPORT_SYMBOL_GPL(strix_invalid_field);

/* INQUIRY: a page code asks for a VPD page, which needs EVPD. */
static strix_sense_t strix_check_inquiry(struct strix_cmd *cmd,
					 const struct strix_cdb_info *ci)
{
	if (!(cmd->cdb[1] & 0x01) && cmd->cdb[2])
		return strix_invalid_field(cmd, 2, -1);
	return STRIX_OK;
}

/* REPORT LUNS: SELECT REPORT 0, 1 or 2; room for at least the header. */
static strix_sense_t strix_check_report_luns(struct strix_cmd *cmd,
					     const struct strix_cdb_info *ci)
{
	if (cmd->cdb[2] > 2)
		return strix_invalid_field(cmd, 2, -1);
	if (cmd->data_len < 16)
		return strix_invalid_field(cmd, 6, -1);
	return STRIX_OK;
}

/* REPORT SUPPORTED OPERATION CODES: reporting options 000b..011b. */
static strix_sense_t strix_check_report_opcodes(struct strix_cmd *cmd,
						const struct strix_cdb_info *ci)
{
	if ((cmd->cdb[2] & 0x07) > 3)
		return strix_invalid_field(cmd, 2, 2);
	return STRIX_OK;
}

/* REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS: room for the 4-byte answer. */
static strix_sense_t strix_check_report_tmf(struct strix_cmd *cmd,
					    const struct strix_cdb_info *ci)
{
	if (cmd->data_len < 4)
		return strix_invalid_field(cmd, 6, -1);
	return STRIX_OK;
}

/* REPORT TARGET PORT GROUPS: format 000b (length only) or 001b (extended). */
static strix_sense_t strix_check_report_tpg(struct strix_cmd *cmd,
					    const struct strix_cdb_info *ci)
{
	if ((cmd->cdb[1] >> 5) > 1)
		return strix_invalid_field(cmd, 1, 7);
	return STRIX_OK;
}

/* READ CAPACITY 10/16: without PMI the LBA field must be 0. */
static strix_sense_t strix_check_read_capacity(struct strix_cmd *cmd,
					       const struct strix_cdb_info *ci)
{
	u8 pmi = cmd->cdb[ci->len == 10 ? 8 : 14] & 0x01;

	if (!pmi && cmd->lba)
		return strix_invalid_field(cmd, ci->lba_off, -1);
	return STRIX_OK;
}

/*
 * VERIFY: BYTCHK 0 checks the range only, 1 compares the Data-Out buffer
 * with the medium (the core does the compare), 2 and 3 are not supported.
 */
static strix_sense_t strix_check_verify(struct strix_cmd *cmd,
					const struct strix_cdb_info *ci)
{
	switch ((cmd->cdb[1] >> 1) & 0x03) {
	case 0:
		cmd->data_dir = STRIX_DATA_NONE;
		return STRIX_OK;
	case 1:
		cmd->data_dir = STRIX_DATA_WRITE;
		return STRIX_OK;
	default:
		return strix_invalid_field(cmd, 1, 2);
	}
}

/* WRITE AND VERIFY: the data is written either way; BYTCHK 2/3 refused. */
static strix_sense_t strix_check_write_verify(struct strix_cmd *cmd,
					      const struct strix_cdb_info *ci)
{
	if (((cmd->cdb[1] >> 1) & 0x03) > 1)
		return strix_invalid_field(cmd, 1, 2);
	return STRIX_OK;
}

/* MODE SELECT(6)/(10): only the page format (PF=1) is understood. */
static strix_sense_t strix_check_mode_select(struct strix_cmd *cmd,
					     const struct strix_cdb_info *ci)
{
	if (!(cmd->cdb[1] & 0x10))
		return strix_invalid_field(cmd, 1, 4);
	return STRIX_OK;
}

/* COMPARE AND WRITE: at most STRIX_MAX_CAW_BLOCKS (VPD B0h). */
static strix_sense_t strix_check_caw(struct strix_cmd *cmd,
				     const struct strix_cdb_info *ci)
{
	if (cmd->nr_blocks > STRIX_MAX_CAW_BLOCKS)
		return strix_invalid_field(cmd, 13, -1);
	return STRIX_OK;
}

/*
 * WRITE ATOMIC(16): at most STRIX_MAX_ATOMIC_BLOCKS; no atomic boundary
 * (the Block Limits page reports a maximum boundary size of 0).  Any
 * alignment and granularity (reported as 0).
 */
static strix_sense_t strix_check_write_atomic(struct strix_cmd *cmd,
					      const struct strix_cdb_info *ci)
{
	if (cmd->cdb[10] || cmd->cdb[11])
		return strix_invalid_field(cmd, 10, -1);
	if (cmd->nr_blocks > STRIX_MAX_ATOMIC_BLOCKS)
		return strix_invalid_field(cmd, 12, -1);
	return STRIX_OK;
}

/*
 * WRITE SAME(10)/(16): byte 1 bit 3 UNMAP, bit 0 (16 only) NDOB, the
 * anchor bit refused by the row (ANC_SUP=0).  NDOB: no Data-Out buffer,
 * the block is zeroes.  At most STRIX_MAX_WRITE_SAME_BYTES of blocks (the
 * Block Limits page's MAXIMUM WRITE SAME LENGTH); a length of 0 means to
 * the end of the medium (WSNZ=0), and is refused the same way when that
 * is more (CDB_TO_END).
 */
static strix_sense_t strix_check_write_same(struct strix_cmd *cmd,
					    const struct strix_cdb_info *ci)
{
	if (ci->len == 16 && (cmd->cdb[1] & STRIX_WS_NDOB))
		cmd->data_dir = STRIX_DATA_NONE;
	return STRIX_OK;
}

/*
 * The rows, by CDB length: 6, 10, 12, 16.  The service actions of one
 * opcode are next to each other.
 */
static const struct strix_cdb_info strix_cdb_table[] = {
	{ .opcode = TEST_UNIT_READY, .res = STRIX_RES_ALLOWED, .len = 6, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_TEST_UNIT_READY },
	{ .opcode = REQUEST_SENSE, .res = STRIX_RES_ALLOWED | STRIX_RES_SPC2_OK,
	  .alua = ALUA_ANY, .len = 6, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_REQUEST_SENSE, .dir = STRIX_DATA_READ,
	  .flags = CDB_NO_LUN | CDB_ALLOC | CDB_NO_MEDIUM, .len_off = 4, .len_bytes = 1,
	  .allowed = { [1] = 0x01 /* DESC */, [4] = 0xff } },
	{ .opcode = READ_6, .res = STRIX_RES_READ, .len = 6, .op = STRIX_OP_READ,
	  .dir = STRIX_DATA_READ, .flags = CDB_BLOCKS | CDB_ZERO_256,
	  .lba_off = 1, .lba_bytes = 3, .len_off = 4, .len_bytes = 1,
	  .allowed = { [1] = 0x1f, [2 ... 4] = 0xff } },
	{ .opcode = WRITE_6, .len = 6, .op = STRIX_OP_WRITE,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_BLOCKS | CDB_ZERO_256 | CDB_WRITES,
	  .lba_off = 1, .lba_bytes = 3, .len_off = 4, .len_bytes = 1,
	  .allowed = { [1] = 0x1f, [2 ... 4] = 0xff } },
	{ .opcode = INQUIRY, .res = STRIX_RES_ALLOWED | STRIX_RES_SPC2_OK,
	  .alua = ALUA_ANY, .len = 6, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_INQUIRY, .dir = STRIX_DATA_READ,
	  .flags = CDB_NO_LUN | CDB_ALLOC | CDB_NO_MEDIUM, .len_off = 3, .len_bytes = 2,
	  .allowed = { [1] = 0x01 /* EVPD; CMDDT refused */, [2 ... 4] = 0xff },
	  .check = strix_check_inquiry },
	{ .opcode = MODE_SENSE, .res = STRIX_RES_READ,
	  .alua = ALUA_STANDBY, .len = 6, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_MODE_SENSE_6, .dir = STRIX_DATA_READ,
	  .flags = CDB_ALLOC | CDB_NO_MEDIUM, .len_off = 4, .len_bytes = 1,
	  .allowed = { [1] = 0x08 /* DBD */, [2 ... 4] = 0xff } },
	{ .opcode = MODE_SELECT, .alua = ALUA_STANDBY, .len = 6,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_MODE_SELECT_6,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_ALLOC | CDB_NO_MEDIUM,
	  .len_off = 4, .len_bytes = 1,
	  .allowed = { [1] = 0x11 /* PF, SP */, [4] = 0xff },
	  .check = strix_check_mode_select },
	{ .opcode = START_STOP, .len = 6, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_START_STOP_UNIT, .flags = CDB_NO_MEDIUM,
	  .allowed = { [1] = 0x01 /* IMMED */,
		       [3] = 0x0f /* POWER CONDITION MODIFIER */,
		       [4] = 0xf7 /* POWER CONDITION, NO_FLUSH, LOEJ, START */ } },
	{ .opcode = ALLOW_MEDIUM_REMOVAL, .len = 6, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_PREVENT_ALLOW, .flags = CDB_NO_MEDIUM,
	  .allowed = { [4] = 0x03 /* PREVENT */ } },

	/* SPC-2 reservations: no third-party or long-ID forms */
	{ .opcode = RESERVE, .res = STRIX_RES_ALLOWED, .len = 6,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_RESERVE },
	{ .opcode = RELEASE, .res = STRIX_RES_ALLOWED | STRIX_RES_SPC2_OK,
	  .len = 6, .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_RELEASE },
	{ .opcode = RESERVE_10, .res = STRIX_RES_ALLOWED, .len = 10,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_RESERVE },
	{ .opcode = RELEASE_10, .res = STRIX_RES_ALLOWED | STRIX_RES_SPC2_OK,
	  .len = 10, .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_RELEASE },
	/* the service action (byte 1) is checked by pr.c */
	{ .opcode = PERSISTENT_RESERVE_IN, .res = STRIX_RES_ALLOWED,
	  .alua = ALUA_STANDBY, .len = 10,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_PR_IN,
	  .dir = STRIX_DATA_READ, .flags = CDB_ALLOC, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0x1f, [7 ... 8] = 0xff } },
	{ .opcode = PERSISTENT_RESERVE_OUT, .res = STRIX_RES_ALLOWED,
	  .alua = ALUA_STANDBY, .len = 10,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_PR_OUT,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_ALLOC, .len_off = 5, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [2] = 0xff, [5 ... 8] = 0xff } },

	{ .opcode = READ_CAPACITY, .res = STRIX_RES_ALLOWED, .len = 10, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_READ_CAPACITY_10, .dir = STRIX_DATA_READ,
	  .lba_off = 2, .lba_bytes = 4, .fixed_len = 8,
	  .allowed = { [2 ... 5] = 0xff, [8] = 0x01 /* PMI */ },
	  .check = strix_check_read_capacity },
	/*
	 * READ/WRITE 10/12/16 byte 1: RD/WRPROTECT 7-5, DPO 4, FUA 3, RARC 2
	 * (reads), obsolete FUA_NV 1 (ignored); bit 0 (obsolete RELADR, or
	 * DLD2 in the 16-byte forms) refused.  The group number is ignored.
	 */
	{ .opcode = READ_10, .res = STRIX_RES_READ, .len = 10, .op = STRIX_OP_READ,
	  .dir = STRIX_DATA_READ, .flags = CDB_RW,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0xfe, [2 ... 5] = 0xff, [6] = 0x3f,
		       [7 ... 8] = 0xff } },
	{ .opcode = WRITE_10, .len = 10, .op = STRIX_OP_WRITE,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_RW | CDB_WRITES,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0xfa, [2 ... 5] = 0xff, [6] = 0x3f,
		       [7 ... 8] = 0xff } },
	/* WRITE AND VERIFY, VERIFY byte 1: PROTECT 7-5, DPO 4, BYTCHK 2-1. */
	{ .opcode = WRITE_VERIFY, .len = 10, .op = STRIX_OP_WRITE,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_BLOCKS | CDB_PROTECT | CDB_FORCE_FUA | CDB_WRITES,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0xf6, [2 ... 5] = 0xff, [6] = 0x3f,
		       [7 ... 8] = 0xff },
	  .check = strix_check_write_verify },
	{ .opcode = VERIFY, .res = STRIX_RES_READ, .len = 10, .op = STRIX_OP_VERIFY,
	  .flags = CDB_BLOCKS | CDB_PROTECT,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0xf6, [2 ... 5] = 0xff, [6] = 0x3f,
		       [7 ... 8] = 0xff },
	  .check = strix_check_verify },
	{ .opcode = PRE_FETCH, .res = STRIX_RES_READ, .len = 10, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_PREFETCH, .flags = CDB_BLOCKS,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0x02 /* IMMED */, [2 ... 5] = 0xff,
		       [6] = 0x3f, [7 ... 8] = 0xff } },
	/* SYNCHRONIZE CACHE byte 1: obsolete SYNC_NV 2 (ignored), IMMED 1. */
	{ .opcode = SYNCHRONIZE_CACHE, .len = 10, .op = STRIX_OP_FLUSH,
	  .flags = CDB_BLOCKS,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0x06, [2 ... 5] = 0xff, [6] = 0x3f,
		       [7 ... 8] = 0xff } },
	{ .opcode = MODE_SELECT_10, .alua = ALUA_STANDBY, .len = 10,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_MODE_SELECT_10,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_ALLOC | CDB_NO_MEDIUM,
	  .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0x11 /* PF, SP */, [7 ... 8] = 0xff },
	  .check = strix_check_mode_select },
	/* LOG SENSE: PPC and SP refused (nothing to reset or save) */
	{ .opcode = LOG_SENSE, .res = STRIX_RES_ALLOWED, .alua = ALUA_STANDBY,
	  .len = 10, .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_LOG_SENSE,
	  .dir = STRIX_DATA_READ, .flags = CDB_ALLOC | CDB_NO_MEDIUM,
	  .len_off = 7, .len_bytes = 2,
	  .allowed = { [2 ... 3] = 0xff, [5 ... 8] = 0xff } },
	/*
	 * Thin provisioning (core/thin.c).  WRITE SAME byte 1: WRPROTECT 7-5
	 * (refused), ANCHOR 4 (refused: no anchored state), UNMAP 3; the
	 * obsolete PBDATA/LBDATA 2-1 refused.  UNMAP byte 1 bit 0 is ANCHOR,
	 * refused too; its parameter list is checked when it has arrived.
	 */
	{ .opcode = WRITE_SAME, .len = 10, .op = STRIX_OP_WRITE_SAME,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_BLOCKS | CDB_PROTECT | CDB_WRITES | CDB_ONE_BLOCK |
		   CDB_TO_END,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0xe8, [2 ... 5] = 0xff, [6] = 0x3f,
		       [7 ... 8] = 0xff },
	  .check = strix_check_write_same },
	{ .opcode = UNMAP, .len = 10, .op = STRIX_OP_UNMAP,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_ALLOC | CDB_WRITES | CDB_THIN,
	  .len_off = 7, .len_bytes = 2,
	  .allowed = { [6] = 0x3f, [7 ... 8] = 0xff } },
	{ .opcode = MODE_SENSE_10, .res = STRIX_RES_READ,
	  .alua = ALUA_STANDBY, .len = 10, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_MODE_SENSE_10, .dir = STRIX_DATA_READ,
	  .flags = CDB_ALLOC | CDB_NO_MEDIUM, .len_off = 7, .len_bytes = 2,
	  .allowed = { [1] = 0x18 /* LLBAA, DBD */, [2 ... 3] = 0xff,
		       [7 ... 8] = 0xff } },

	{ .opcode = REPORT_LUNS, .res = STRIX_RES_ALLOWED | STRIX_RES_SPC2_OK,
	  .alua = ALUA_ANY, .len = 12, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_REPORT_LUNS, .dir = STRIX_DATA_READ,
	  .flags = CDB_NO_LUN | CDB_ALLOC | CDB_NO_MEDIUM, .len_off = 6, .len_bytes = 4,
	  .allowed = { [2] = 0xff, [6 ... 9] = 0xff },
	  .check = strix_check_report_luns },
	{ .opcode = MAINTENANCE_IN, .res = STRIX_RES_ALLOWED, .len = 12,
	  .sa = MI_REPORT_SUPPORTED_OPERATION_CODES, .alua = ALUA_REPORTS,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_REPORT_OPCODES,
	  .dir = STRIX_DATA_READ, .flags = CDB_SA | CDB_ALLOC | CDB_NO_MEDIUM,
	  .len_off = 6, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [2] = 0x87 /* RCTD, REPORTING OPTIONS */,
		       [3 ... 9] = 0xff },
	  .check = strix_check_report_opcodes },
	{ .opcode = MAINTENANCE_IN, .res = STRIX_RES_ALLOWED, .len = 12,
	  .sa = MI_REPORT_SUPPORTED_TASK_MANAGEMENT_FUNCTIONS, .alua = ALUA_REPORTS,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_REPORT_TMF,
	  .dir = STRIX_DATA_READ, .flags = CDB_SA | CDB_ALLOC | CDB_NO_MEDIUM,
	  .len_off = 6, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [2] = 0x80 /* REPD */, [6 ... 9] = 0xff },
	  .check = strix_check_report_tmf },
	{ .opcode = MAINTENANCE_IN, .res = STRIX_RES_ALLOWED, .len = 12,
	  .sa = MI_REPORT_TARGET_PGS, .alua = ALUA_REPORTS,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_REPORT_TPG,
	  .dir = STRIX_DATA_READ,
	  .flags = CDB_SA | CDB_ALLOC | CDB_NO_MEDIUM | CDB_ALUA,
	  .len_off = 6, .len_bytes = 4,
	  .allowed = { [1] = 0xff /* PARAMETER DATA FORMAT */,
		       [6 ... 9] = 0xff },
	  .check = strix_check_report_tpg },
	/* SET TARGET PORT GROUPS is write class under reservations */
	{ .opcode = MAINTENANCE_OUT, .len = 12, .sa = MO_SET_TARGET_PGS,
	  .alua = STRIX_ALUA_OK_STANDBY | STRIX_ALUA_OK_UNAVAILABLE,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_SET_TPG,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_SA | CDB_ALLOC | CDB_NO_MEDIUM | CDB_ALUA |
		   CDB_EXPL_ALUA,
	  .len_off = 6, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [6 ... 9] = 0xff } },
	{ .opcode = READ_12, .res = STRIX_RES_READ, .len = 12, .op = STRIX_OP_READ,
	  .dir = STRIX_DATA_READ, .flags = CDB_RW,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 6, .len_bytes = 4,
	  .allowed = { [1] = 0xfe, [2 ... 9] = 0xff, [10] = 0x3f } },
	{ .opcode = WRITE_12, .len = 12, .op = STRIX_OP_WRITE,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_RW | CDB_WRITES,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 6, .len_bytes = 4,
	  .allowed = { [1] = 0xfa, [2 ... 9] = 0xff, [10] = 0x3f } },
	{ .opcode = WRITE_VERIFY_12, .len = 12, .op = STRIX_OP_WRITE,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_BLOCKS | CDB_PROTECT | CDB_FORCE_FUA | CDB_WRITES,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 6, .len_bytes = 4,
	  .allowed = { [1] = 0xf6, [2 ... 9] = 0xff, [10] = 0x3f },
	  .check = strix_check_write_verify },
	{ .opcode = VERIFY_12, .res = STRIX_RES_READ, .len = 12, .op = STRIX_OP_VERIFY,
	  .flags = CDB_BLOCKS | CDB_PROTECT,
	  .lba_off = 2, .lba_bytes = 4, .len_off = 6, .len_bytes = 4,
	  .allowed = { [1] = 0xf6, [2 ... 9] = 0xff, [10] = 0x3f },
	  .check = strix_check_verify },

	{ .opcode = READ_16, .res = STRIX_RES_READ, .len = 16, .op = STRIX_OP_READ,
	  .dir = STRIX_DATA_READ, .flags = CDB_RW,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0xfe, [2 ... 13] = 0xff, [14] = 0x3f } },
	{ .opcode = WRITE_16, .len = 16, .op = STRIX_OP_WRITE,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_RW | CDB_WRITES,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0xfa, [2 ... 13] = 0xff, [14] = 0x3f } },
	{ .opcode = WRITE_VERIFY_16, .len = 16, .op = STRIX_OP_WRITE,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_BLOCKS | CDB_PROTECT | CDB_FORCE_FUA | CDB_WRITES,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0xf6, [2 ... 13] = 0xff, [14] = 0x3f },
	  .check = strix_check_write_verify },
	/*
	 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (core/xcopy.c): the
	 * LID4 service actions are not supported (INVALID FIELD IN CDB).
	 * EXTENDED COPY names its own source and destination LUNs, so write
	 * protection is checked per destination there, not here.
	 */
	{ .opcode = EXTENDED_COPY, .sa = 0x00, .len = 16, .op = STRIX_OP_XCOPY,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_SA | CDB_ALLOC,
	  .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [10 ... 13] = 0xff } },
	{ .opcode = RECEIVE_COPY_RESULTS, .sa = 0x00, .res = STRIX_RES_ALLOWED,
	  .len = 16, .op = STRIX_OP_COPY_RESULTS, .dir = STRIX_DATA_READ,
	  .flags = CDB_SA | CDB_ALLOC, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [2] = 0xff, [10 ... 13] = 0xff } },
	{ .opcode = RECEIVE_COPY_RESULTS, .sa = 0x03, .res = STRIX_RES_ALLOWED,
	  .len = 16, .op = STRIX_OP_COPY_RESULTS, .dir = STRIX_DATA_READ,
	  .flags = CDB_SA | CDB_ALLOC, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [10 ... 13] = 0xff } },
	{ .opcode = RECEIVE_COPY_RESULTS, .sa = 0x04, .res = STRIX_RES_ALLOWED,
	  .len = 16, .op = STRIX_OP_COPY_RESULTS, .dir = STRIX_DATA_READ,
	  .flags = CDB_SA | CDB_ALLOC, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [2] = 0xff, [10 ... 13] = 0xff } },
	/*
	 * COMPARE AND WRITE byte 1 as WRITE(16)'s; NUMBER OF LOGICAL BLOCKS
	 * in byte 13; the Data-Out buffer holds twice that.
	 */
	{ .opcode = COMPARE_AND_WRITE, .len = 16, .op = STRIX_OP_CAW,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_RW | CDB_WRITES | CDB_EXCL | CDB_TWICE | CDB_CHECK_LATE,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 13, .len_bytes = 1,
	  .allowed = { [1] = 0xfa, [2 ... 9] = 0xff, [13] = 0xff,
		       [14] = 0x1f },
	  .check = strix_check_caw },
	/* ORWRITE(16): byte 1 ORPROTECT 7-5 (refused), DPO, FUA, FUA_NV. */
	{ .opcode = STRIX_ORWRITE_16, .len = 16, .op = STRIX_OP_ORWRITE,
	  .dir = STRIX_DATA_WRITE, .flags = CDB_RW | CDB_WRITES | CDB_EXCL,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0xfa, [2 ... 13] = 0xff, [14] = 0x1f } },
	{ .opcode = VERIFY_16, .res = STRIX_RES_READ, .len = 16, .op = STRIX_OP_VERIFY,
	  .flags = CDB_BLOCKS | CDB_PROTECT,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0xf6, [2 ... 13] = 0xff, [14] = 0x3f },
	  .check = strix_check_verify },
	{ .opcode = STRIX_PRE_FETCH_16, .res = STRIX_RES_READ, .len = 16, .op = STRIX_OP_EMULATE,
	  .emul = STRIX_EMUL_PREFETCH, .flags = CDB_BLOCKS,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0x02 /* IMMED */, [2 ... 13] = 0xff,
		       [14] = 0x3f } },
	{ .opcode = SYNCHRONIZE_CACHE_16, .len = 16, .op = STRIX_OP_FLUSH,
	  .flags = CDB_BLOCKS,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0x06, [2 ... 13] = 0xff, [14] = 0x3f } },
	/*
	 * WRITE ATOMIC(16) byte 1: WRPROTECT 7-5, DPO, FUA; ATOMIC BOUNDARY
	 * bytes 10-11; TRANSFER LENGTH bytes 12-13.  A write holding its
	 * blocks exclusively.
	 */
	{ .opcode = STRIX_WRITE_ATOMIC_16, .len = 16, .op = STRIX_OP_WRITE,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_RW | CDB_WRITES | CDB_EXCL | CDB_CHECK_LATE,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 12, .len_bytes = 2,
	  .allowed = { [1] = 0xf8, [2 ... 13] = 0xff, [14] = 0x1f },
	  .check = strix_check_write_atomic },
	{ .opcode = WRITE_SAME_16, .len = 16, .op = STRIX_OP_WRITE_SAME,
	  .dir = STRIX_DATA_WRITE,
	  .flags = CDB_BLOCKS | CDB_PROTECT | CDB_WRITES | CDB_ONE_BLOCK |
		   CDB_TO_END,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0xe9, [2 ... 13] = 0xff, [14] = 0x3f },
	  .check = strix_check_write_same },
	{ .opcode = SERVICE_ACTION_IN_16, .res = STRIX_RES_ALLOWED, .sa = SAI_READ_CAPACITY_16, .len = 16,
	  .op = STRIX_OP_EMULATE, .emul = STRIX_EMUL_READ_CAPACITY_16,
	  .dir = STRIX_DATA_READ, .flags = CDB_SA | CDB_ALLOC,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [2 ... 13] = 0xff, [14] = 0x01 /* PMI */ },
	  .check = strix_check_read_capacity },
	/* GET LBA STATUS: the SBC-4 REPORT TYPE (byte 14) must be 0 (all) */
	{ .opcode = SERVICE_ACTION_IN_16, .res = STRIX_RES_READ,
	  .sa = SAI_GET_LBA_STATUS, .len = 16, .op = STRIX_OP_LBA_STATUS,
	  .dir = STRIX_DATA_READ, .flags = CDB_SA | CDB_ALLOC | CDB_LBA,
	  .lba_off = 2, .lba_bytes = 8, .len_off = 10, .len_bytes = 4,
	  .allowed = { [1] = 0x1f, [2 ... 13] = 0xff } },
};

/*
 * The row of each opcode's first entry in strix_cdb_table, plus one (0: the
 * opcode has none), so a lookup is one load (strix_cdb_init()).  An
 * opcode's rows are contiguous (service actions follow one another).
 */
static u8 strix_cdb_index[256];

void strix_cdb_init(void)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(strix_cdb_table) >= U8_MAX);
	for (i = ARRAY_SIZE(strix_cdb_table); i-- > 0;) {
		u8 op = strix_cdb_table[i].opcode;

		/* a later row of op, not right after this one: a split run */
		WARN_ON(strix_cdb_index[op] && strix_cdb_index[op] != i + 2);
		strix_cdb_index[op] = i + 1;
	}
}

/* The (first) row of @opcode, or NULL. */
static const struct strix_cdb_info *strix_cdb_lookup(u8 opcode)
{
	u8 row = strix_cdb_index[opcode];

	return row ? &strix_cdb_table[row - 1] : NULL;
}

/* The row of service action @sa among the rows of @ci's opcode, or NULL. */
static const struct strix_cdb_info *
strix_cdb_lookup_sa(const struct strix_cdb_info *ci, u8 sa)
{
	const struct strix_cdb_info *end = strix_cdb_table +
					   ARRAY_SIZE(strix_cdb_table);
	u8 opcode = ci->opcode;

	for (; ci < end && ci->opcode == opcode; ci++)
		if (ci->sa == sa)
			return ci;
	return NULL;
}

/*
 * Whether the device in @ctx has the command of row @ci at all: the ALUA
 * commands only in a device group (SET TARGET PORT GROUPS only with
 * explicit ALUA), the thin provisioning ones only on a thin device.  The
 * parser answers INVALID OPERATION CODE for the others, and REPORT
 * SUPPORTED OPERATION CODES leaves them out: the same test for both.
 */
static bool strix_cdb_offered(const struct strix_cdb_info *ci,
			      const struct strix_parse_ctx *ctx)
{
	if ((ci->flags & CDB_ALUA) && !ctx->alua)
		return false;
	if ((ci->flags & CDB_EXPL_ALUA) && !ctx->alua_explicit)
		return false;
	if ((ci->flags & CDB_THIN) && !(ctx->dp && ctx->dp->thin_provisioned))
		return false;
	return true;
}

/* ---- REPORT SUPPORTED OPERATION CODES --------------------------------- */

/* A response being built: bytes past @len are counted, not written. */
struct strix_rsoc_out {
	u8	*buf;
	u32	len;
	u32	pos;
};

static void strix_rsoc_put(struct strix_rsoc_out *o, u64 v, unsigned int n)
{
	while (n--) {
		if (o->pos < o->len)
			o->buf[o->pos] = v >> (8 * n);
		o->pos++;
	}
}

/* The command timeouts descriptor (RCTD): length 0Ah, no timeouts given. */
static void strix_rsoc_timeouts(struct strix_rsoc_out *o)
{
	strix_rsoc_put(o, 0x0a, 2);
	strix_rsoc_put(o, 0, 10);
}

/*
 * The CDB usage data of a row: the opcode, the bits the parser accepts,
 * the service action in its field, and a CONTROL byte without NACA and
 * LINK (both refused).  Protection bits are refused too (CDB_PROTECT).
 */
static void strix_rsoc_usage(struct strix_rsoc_out *o,
			     const struct strix_cdb_info *ci)
{
	unsigned int i;

	strix_rsoc_put(o, ci->opcode, 1);
	for (i = 1; i < ci->len - 1; i++) {
		u8 b = ci->allowed[i];

		if (i == 1 && (ci->flags & CDB_SA))
			b = (b & ~0x1f) | ci->sa;
		if (i == 1 && (ci->flags & CDB_PROTECT))
			b &= ~0xe0;
		strix_rsoc_put(o, b, 1);
	}
	strix_rsoc_put(o, 0, 1);
}

/**
 * strix_cdb_report_opcodes() - the REPORT SUPPORTED OPERATION CODES data
 * @cmd:      the parsed command (reporting options, RCTD, requested
 *            operation code and service action in its CDB)
 * @ctx:      the device as the parser sees it: rows it refuses as
 *            unknown (strix_cdb_offered()) are not reported
 * @buf:      where the response goes
 * @len:      room in @buf; at most this much is written
 * @produced: set to the full length of the response
 *
 * The commands are the rows of the CDB table: what the parser accepts
 * is what is reported, bit for bit.
 *
 * Return: STRIX_OK, or INVALID FIELD IN CDB for a one-command request
 * that names an opcode with service actions without one (option 001b) or
 * one without them with one (010b).
 */
strix_sense_t strix_cdb_report_opcodes(struct strix_cmd *cmd,
				       const struct strix_parse_ctx *ctx,
				       u8 *buf, u32 len, u32 *produced)
{
	const u8 *cdb = cmd->cdb;
	bool rctd = cdb[2] & 0x80;
	u8 opt = cdb[2] & 0x07;
	u16 sa = cdb[4] << 8 | cdb[5];
	struct strix_rsoc_out o = { .buf = buf, .len = len };
	const struct strix_cdb_info *ci;
	unsigned int i;
	u32 total;

	*produced = 0;
	if (opt == 0) {			/* all commands */
		strix_rsoc_put(&o, 0, 4);	/* command data length: below */
		for (i = 0; i < ARRAY_SIZE(strix_cdb_table); i++) {
			bool servactv;

			ci = &strix_cdb_table[i];
			if (!strix_cdb_offered(ci, ctx))
				continue;
			servactv = ci->flags & CDB_SA;
			strix_rsoc_put(&o, ci->opcode, 1);
			strix_rsoc_put(&o, 0, 1);
			strix_rsoc_put(&o, servactv ? ci->sa : 0, 2);
			strix_rsoc_put(&o, 0, 1);
			/* CTDP, SERVACTV */
			strix_rsoc_put(&o, (rctd ? 0x02 : 0) | servactv, 1);
			strix_rsoc_put(&o, ci->len, 2);
			if (rctd)
				strix_rsoc_timeouts(&o);
		}
		total = o.pos;
		o.pos = 0;
		strix_rsoc_put(&o, total - 4, 4);
		*produced = total;
		return STRIX_OK;
	}

	ci = strix_cdb_lookup(cdb[3]);
	switch (opt) {
	case 1:				/* an opcode without service actions */
		if (ci && (ci->flags & CDB_SA))
			return strix_invalid_field(cmd, 3, -1);
		break;
	case 2:				/* an opcode and service action */
		if (ci && !(ci->flags & CDB_SA))
			return strix_invalid_field(cmd, 3, -1);
		fallthrough;
	default:			/* 3: either, as the opcode has */
		if (ci && (ci->flags & CDB_SA))
			ci = sa <= 0x1f ? strix_cdb_lookup_sa(ci, sa) : NULL;
		else if (ci && sa)
			ci = NULL;
		break;
	}
	if (ci && !strix_cdb_offered(ci, ctx))
		ci = NULL;

	strix_rsoc_put(&o, 0, 1);
	/* CTDP; SUPPORT 011b (as the standard says) or 001b (not supported) */
	strix_rsoc_put(&o, ci ? (rctd ? 0x80 : 0) | 0x03 : 0x01, 1);
	strix_rsoc_put(&o, ci ? ci->len : 0, 2);
	if (ci) {
		strix_rsoc_usage(&o, ci);
		if (rctd)
			strix_rsoc_timeouts(&o);
	}
	*produced = o.pos;
	return STRIX_OK;
}
EXPORT_SYMBOL_GPL(strix_cdb_report_opcodes);

/**
 * strix_alua_check() - the access state of a target port against a command
 * @state: the port's asymmetric access state (enum strix_alua_state)
 * @ok:    the command's class: the other states it runs in (STRIX_ALUA_OK_*)
 *
 * Return: STRIX_OK in the active states and in those @ok names; else NOT
 * READY with LOGICAL UNIT NOT ACCESSIBLE and the state's ASCQ.
 */
strix_sense_t strix_alua_check(u8 state, u8 ok)
{
	switch (state) {
	case STRIX_ALUA_OPTIMIZED:
	case STRIX_ALUA_NONOPTIMIZED:
		return STRIX_OK;
	case STRIX_ALUA_STANDBY:
		return ok & STRIX_ALUA_OK_STANDBY ? STRIX_OK : STRIX_PORT_STANDBY;
	case STRIX_ALUA_TRANSITIONING:
		return ok & STRIX_ALUA_OK_TRANSITIONING ? STRIX_OK :
							  STRIX_PORT_TRANSITIONING;
	case STRIX_ALUA_OFFLINE:
		return ok & STRIX_ALUA_OK_OFFLINE ? STRIX_OK : STRIX_PORT_OFFLINE;
	default:
		return ok & STRIX_ALUA_OK_UNAVAILABLE ? STRIX_OK :
							STRIX_PORT_UNAVAILABLE;
	}
}
EXPORT_SYMBOL_GPL(strix_alua_check);

static void strix_cdb_reset(struct strix_cmd *cmd)
{
	cmd->op = STRIX_OP_NONE;
	cmd->emul = STRIX_EMUL_NONE;
	cmd->res = 0;
	cmd->data_dir = STRIX_DATA_NONE;
	cmd->data_len = 0;
	cmd->lba = 0;
	cmd->nr_blocks = 0;
	cmd->fua = false;
	cmd->range.mode = STRIX_RANGE_NONE;
}

/*
 * The CONTROL byte, then the bits the row does not allow: the field pointer
 * names the first byte with such a bit, and the highest such bit in it.
 */
static strix_sense_t strix_cdb_check_reserved(struct strix_cmd *cmd,
					      const struct strix_cdb_info *ci)
{
	u8 control = cmd->cdb[ci->len - 1];
	unsigned int i;

	/* CONTROL: no ACA (NACA, bit 2), no linked commands (LINK, bit 0). */
	if (control & 0x04)
		return strix_invalid_field(cmd, ci->len - 1, 2);
	if (control & 0x01)
		return strix_invalid_field(cmd, ci->len - 1, 0);

	for (i = 1; i < ci->len - 1; i++) {
		u8 bad = cmd->cdb[i] & ~ci->allowed[i];

		if (bad)
			return strix_invalid_field(cmd, i, fls(bad) - 1);
	}
	if ((ci->flags & CDB_PROTECT) && (cmd->cdb[1] & 0xe0))
		return strix_invalid_field(cmd, 1, 7);
	return STRIX_OK;
}

/*
 * Blocks [lba, lba + n) must lie on the device.  n == 0 is allowed from any
 * LBA up to and including nr_blocks: no block is touched (SYNCHRONIZE CACHE
 * and PRE-FETCH read it as "to the end").  Written so it cannot overflow.
 */
static bool strix_range_ok(u64 lba, u64 n, u64 nr_blocks)
{
	return lba <= nr_blocks && n <= nr_blocks - lba;
}

/**
 * strix_cdb_parse() - decode and check cmd->cdb against a device
 * @cmd: the command; cdb and cdb_len are read, the parsed fields written
 * @ctx: the device (NULL dp: the LUN does not exist) and its access
 *
 * A CDB longer than its opcode's length is fine (transports pad to 16).
 * Media commands set lba and nr_blocks; data_len is nr_blocks * block
 * size, or the allocation length for emulated commands.  No data phase
 * (length 0, VERIFY with BYTCHK 0, PRE-FETCH, SYNCHRONIZE CACHE) means
 * data_dir STRIX_DATA_NONE and data_len 0; the op stays what it is, so a
 * READ of 0 blocks is op READ with nr_blocks 0.  A transfer larger than
 * U32_MAX bytes is refused as an invalid length field.
 *
 * Return: STRIX_OK or why the command fails.
 */
strix_sense_t strix_cdb_parse(struct strix_cmd *cmd,
			      const struct strix_parse_ctx *ctx)
{
	const struct strix_cdb_info *ci;
	strix_sense_t ret;
	u64 len = 0;

	strix_cdb_reset(cmd);

	if (!cmd->cdb_len || cmd->cdb_len > STRIX_MAX_CDB_LEN)
		return strix_invalid_field(cmd, 0, -1);

	ci = strix_cdb_lookup(cmd->cdb[0]);
	if (!ctx->dp && (!ci || !(ci->flags & CDB_NO_LUN)))
		return STRIX_LUN_NOT_SUPPORTED;
	if (!ci)
		return STRIX_INVALID_OPCODE;
	if (cmd->cdb_len < ci->len)
		return strix_invalid_field(cmd, 0, -1);
	if (ci->flags & CDB_SA) {
		ci = strix_cdb_lookup_sa(ci, cmd->cdb[1] & 0x1f);
		if (!ci)
			return strix_invalid_field(cmd, 1, 4);
	}
	if (!strix_cdb_offered(ci, ctx))
		return STRIX_INVALID_OPCODE;
	ret = strix_alua_check(ctx->alua_state, ci->alua);
	if (ret)
		return ret;
	if (ctx->no_medium && !(ci->flags & CDB_NO_MEDIUM))
		return STRIX_NO_MEDIUM;

	ret = strix_cdb_check_reserved(cmd, ci);
	if (ret)
		goto refuse;

	cmd->op = ci->op;
	cmd->emul = ci->emul;
	cmd->res = ci->res;
	cmd->data_dir = ci->dir;
	if (ci->flags & CDB_EXCL)
		cmd->range.mode = STRIX_RANGE_EXCL;
	else if (ci->flags & CDB_WRITES)
		cmd->range.mode = STRIX_RANGE_SHARED;
	cmd->fua = (ci->flags & CDB_FORCE_FUA) ||
		   ((ci->flags & CDB_FUA) && (cmd->cdb[1] & 0x08));
	if (ci->lba_bytes) {
		cmd->lba = strix_be(&cmd->cdb[ci->lba_off], ci->lba_bytes);
		if (ci->flags & CDB_ZERO_256)	/* the 6-byte CDBs: 21 bits */
			cmd->lba &= 0x1fffff;
	}
	if (ci->len_bytes)
		len = strix_be(&cmd->cdb[ci->len_off], ci->len_bytes);
	if (ci->flags & CDB_ALLOC)
		cmd->data_len = len;
	else
		cmd->data_len = ci->fixed_len;
	if (ci->flags & CDB_BLOCKS) {
		if (!len && (ci->flags & CDB_ZERO_256))
			len = 256;
		cmd->nr_blocks = len;
	}

	if (ci->check && !(ci->flags & CDB_CHECK_LATE)) {
		ret = ci->check(cmd, ci);
		if (ret)
			goto refuse;
	}

	if (ci->flags & CDB_BLOCKS) {
		u64 bytes = 0;

		if (!strix_range_ok(cmd->lba, cmd->nr_blocks,
				    READ_ONCE(ctx->dp->nr_blocks))) {
			ret = STRIX_LBA_OUT_OF_RANGE;
			goto refuse;
		}
		if (ci->flags & CDB_ONE_BLOCK) {
			/* the range check keeps lba <= nr_blocks */
			u64 n = cmd->nr_blocks;

			if (!n && (ci->flags & CDB_TO_END))
				n = READ_ONCE(ctx->dp->nr_blocks) - cmd->lba;
			if (n > STRIX_MAX_WRITE_SAME_BYTES / ctx->dp->block_size) {
				ret = strix_invalid_field(cmd, ci->len_off, -1);
				goto refuse;
			}
			cmd->nr_blocks = n;
		}
		if (cmd->data_dir != STRIX_DATA_NONE)
			bytes = (u64)(ci->flags & CDB_ONE_BLOCK ? 1 :
				      cmd->nr_blocks) * ctx->dp->block_size;
		if (ci->flags & CDB_TWICE)
			bytes *= 2;
		/* More than one command can carry: the length is refused. */
		if (bytes > U32_MAX) {
			ret = strix_invalid_field(cmd, ci->len_off, -1);
			goto refuse;
		}
		cmd->data_len = bytes;
	}
	if (ci->check && (ci->flags & CDB_CHECK_LATE)) {
		ret = ci->check(cmd, ci);
		if (ret)
			goto refuse;
	}
	if ((ci->flags & CDB_LBA) && cmd->lba >= READ_ONCE(ctx->dp->nr_blocks)) {
		ret = STRIX_LBA_OUT_OF_RANGE;
		goto refuse;
	}
	if (!cmd->data_len)
		cmd->data_dir = STRIX_DATA_NONE;

	if ((ci->flags & CDB_WRITES) && (ctx->read_only || ctx->dp->read_only)) {
		ret = STRIX_WRITE_PROTECTED;
		goto refuse;
	}
	return STRIX_OK;

refuse:
	strix_cdb_reset(cmd);
	return ret;
}
EXPORT_SYMBOL_GPL(strix_cdb_parse);
