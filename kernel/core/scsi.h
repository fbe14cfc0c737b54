/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SCSI semantics inside the core: the CDB parser (cdb.c), sense (sense.c),
 * LUN and name helpers (lun.c, pattern.c), the commands the core answers
 * itself (spc.c), mode pages (mode.c) and log pages (log.c).  Everything
 * declared here is a pure function of its arguments, tested by KUnit
 * (*_test.c), and exported only for those tests.
 */
#ifndef _STRIX_CORE_SCSI_H
#define _STRIX_CORE_SCSI_H

#include <linux/types.h>

#include <strix/cmd.h>
#include <strix/handler.h>

/*
 * LUN numbers as strix_lun_from_wire() returns them: 0..16383 for the
 * LUNs of a table, the REPORT LUNS well-known LUN (C1 01 00...), and
 * STRIX_LUN_INVALID for any form no table can hold.
 */
#define STRIX_WLUN_REPORT_LUNS	0xc101ULL
#define STRIX_LUN_INVALID	U64_MAX

/* What the core answers itself (cmd->emul when cmd->op == STRIX_OP_EMULATE). */
enum strix_emul {
	STRIX_EMUL_NONE,
	STRIX_EMUL_TEST_UNIT_READY,
	STRIX_EMUL_INQUIRY,
	STRIX_EMUL_REQUEST_SENSE,
	STRIX_EMUL_REPORT_LUNS,
	STRIX_EMUL_READ_CAPACITY_10,
	STRIX_EMUL_READ_CAPACITY_16,
	STRIX_EMUL_MODE_SENSE_6,
	STRIX_EMUL_MODE_SENSE_10,
	STRIX_EMUL_START_STOP_UNIT,
	STRIX_EMUL_PREVENT_ALLOW,	/* PREVENT ALLOW MEDIUM REMOVAL */
	STRIX_EMUL_PREFETCH,		/* PRE-FETCH 10/16: range checked, GOOD */
	STRIX_EMUL_REPORT_TMF,		/* REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS */
	STRIX_EMUL_REPORT_OPCODES,	/* REPORT SUPPORTED OPERATION CODES */
	STRIX_EMUL_REPORT_TPG,		/* REPORT TARGET PORT GROUPS */
	/* from here on: on the device's workqueue (res.c), they may sleep */
	STRIX_EMUL_PR_IN,
	STRIX_EMUL_PR_OUT,
	STRIX_EMUL_RESERVE,		/* SPC-2 RESERVE(6)/(10) */
	STRIX_EMUL_RELEASE,		/* SPC-2 RELEASE(6)/(10) */
	STRIX_EMUL_SET_TPG,		/* SET TARGET PORT GROUPS (alua.c) */
	STRIX_EMUL_MODE_SELECT_6,	/* mode_dev.c */
	STRIX_EMUL_MODE_SELECT_10,
	STRIX_EMUL_LOG_SENSE,		/* mode_dev.c, answered by log.c */
	STRIX_EMUL_MAX,
};

/*
 * How a command fares under reservations (cmd->res, from its CDB row):
 * by default it is write class (conflicts under every persistent
 * reservation type it is not a holder or registrant for).
 */
enum {
	STRIX_RES_READ		= 1 << 0,	/* read class: conflicts under exclusive access */
	STRIX_RES_ALLOWED	= 1 << 1,	/* never conflicts with a PR */
	STRIX_RES_SPC2_OK	= 1 << 2,	/* allowed under another's SPC-2 RESERVE */
};

/*
 * ALUA asymmetric access states, as REPORT TARGET PORT GROUPS codes them
 * (the values of <uapi/strix_nl.h> too).
 */
enum strix_alua_state {
	STRIX_ALUA_OPTIMIZED		= 0x0,
	STRIX_ALUA_NONOPTIMIZED		= 0x1,
	STRIX_ALUA_STANDBY		= 0x2,
	STRIX_ALUA_UNAVAILABLE		= 0x3,
	STRIX_ALUA_OFFLINE		= 0xe,
	STRIX_ALUA_TRANSITIONING	= 0xf,
};

/*
 * The states other than the active ones in which a command is processed
 * (a CDB row's `alua`); in any other it fails with NOT READY, LOGICAL
 * UNIT NOT ACCESSIBLE and the state's ASCQ (SPC-4 5.15.2.4).
 */
enum {
	STRIX_ALUA_OK_STANDBY		= 1 << 0,
	STRIX_ALUA_OK_UNAVAILABLE	= 1 << 1,
	STRIX_ALUA_OK_TRANSITIONING	= 1 << 2,
	STRIX_ALUA_OK_OFFLINE		= 1 << 3,
};
#define STRIX_ALUA_OK_ALL	(STRIX_ALUA_OK_STANDBY | STRIX_ALUA_OK_UNAVAILABLE | \
				 STRIX_ALUA_OK_TRANSITIONING | STRIX_ALUA_OK_OFFLINE)

/*
 * strix_alua_check() - may a command of class @ok run through a target
 * port in access state @state?  STRIX_OK, or the NOT READY sense of the
 * state (an unknown state counts as unavailable).
 */
strix_sense_t strix_alua_check(u8 state, u8 ok);

/*
 * The parse context: what the parser needs to know of the device.
 * @dp is NULL when the command addresses a LUN that does not exist; then
 * only INQUIRY, REPORT LUNS and REQUEST SENSE parse, the rest fail with
 * LUN NOT SUPPORTED.
 */
struct strix_parse_ctx {
	const struct strix_dev_params *dp;
	bool read_only;			/* device or LUN is read-only */
	/*
	 * A removable medium was ejected: everything but the commands that
	 * work without one (INQUIRY, REPORT LUNS, REQUEST SENSE, MODE SENSE,
	 * START STOP UNIT, PREVENT ALLOW) fails with MEDIUM NOT PRESENT.
	 */
	bool no_medium;
	/*
	 * ALUA: @alua when the device is in a device group (REPORT TARGET
	 * PORT GROUPS exists; without it both ALUA commands are unknown
	 * opcodes), @alua_explicit when it takes SET TARGET PORT GROUPS
	 * (device attribute expl_alua), @alua_state the access state of the
	 * target port the command came through (0: active/optimized).
	 */
	bool alua;
	bool alua_explicit;
	u8 alua_state;
};

/*
 * Limits of the atomic commands, checked by the parser and reported in the
 * Block Limits VPD page: MAXIMUM COMPARE AND WRITE LENGTH and MAXIMUM
 * ATOMIC TRANSFER LENGTH, in logical blocks (Documentation/offloads.md).
 */
#define STRIX_MAX_CAW_BLOCKS		64
#define STRIX_MAX_ATOMIC_BLOCKS		256

/*
 * Thin provisioning limits (core/thin.c), as the Block Limits VPD page
 * reports them: bytes, turned into blocks of the device's size.
 * @STRIX_MAX_UNMAP_BYTES: the blocks one UNMAP may name in total (MAXIMUM
 * UNMAP LBA COUNT) and one WRITE SAME with UNMAP; @STRIX_MAX_UNMAP_DESCS
 * the block descriptors it may carry; @STRIX_MAX_WRITE_SAME_BYTES what one
 * WRITE SAME may cover (MAXIMUM WRITE SAME LENGTH).  Bounded so that one
 * command does not hold a device worker for long.
 */
#define STRIX_MAX_UNMAP_BYTES		(1ULL << 30)
#define STRIX_MAX_UNMAP_DESCS		256
#define STRIX_MAX_WRITE_SAME_BYTES	(1ULL << 30)
/* WRITE SAME CDB byte 1 */
#define STRIX_WS_UNMAP			0x08
#define STRIX_WS_NDOB			0x01	/* WRITE SAME(16) only */

/* One UNMAP block descriptor. */
struct strix_unmap_desc {
	u64 lba;
	u32 nr_blocks;
};

/*
 * strix_unmap_parse() - check an UNMAP parameter list, whole, before
 * anything is unmapped
 * @buf/@len:     the parameter list as received (@len: PARAMETER LIST LENGTH)
 * @nr_blocks:    the device's size
 * @max_blocks:   MAXIMUM UNMAP LBA COUNT (the sum over the descriptors)
 * @descs/@max_descs: room for the descriptors (MAXIMUM UNMAP BLOCK
 *                DESCRIPTOR COUNT)
 * @n:            set to the number of descriptors
 * @field:        for INVALID FIELD IN PARAMETER LIST, set to the byte
 *
 * Return: STRIX_OK, PARAMETER LIST LENGTH ERROR (a list of 1 to 7 bytes),
 * INVALID FIELD IN PARAMETER LIST (lengths that contradict each other or
 * the list, too many descriptors or blocks), or LBA OUT OF RANGE (a
 * descriptor past the end of the device).
 */
strix_sense_t strix_unmap_parse(const u8 *buf, u32 len, u64 nr_blocks,
				u64 max_blocks, struct strix_unmap_desc *descs,
				unsigned int max_descs, unsigned int *n,
				u16 *field);

/*
 * strix_lba_status_put() - append one LBA status descriptor (16 bytes)
 * at @buf: @lba, @nr_blocks, provisioning status 0 (mapped) or 1
 * (deallocated).
 */
void strix_lba_status_put(u8 *buf, u64 lba, u32 nr_blocks, bool mapped);

/*
 * Third-party copy limits (core/xcopy.c), as RECEIVE COPY RESULTS
 * (OPERATING PARAMETERS) and the third-party copy VPD page (8Fh) report
 * them.  The descriptor list may hold the maximum of both kinds, no more
 * (MAXIMUM DESCRIPTOR LIST LENGTH).  One segment copies at most
 * @STRIX_XCOPY_MAX_SEGMENT_BYTES, in chunks of @STRIX_XCOPY_CHUNK_BYTES.
 */
#define STRIX_XCOPY_MAX_CSCDS		8
#define STRIX_XCOPY_MAX_SEGMENTS	16
#define STRIX_XCOPY_HDR_LEN		16
#define STRIX_XCOPY_CSCD_LEN		32	/* identification descriptor E4h */
#define STRIX_XCOPY_SEG_LEN		28	/* block to block segment 02h */
#define STRIX_XCOPY_MAX_LIST_LEN	(STRIX_XCOPY_MAX_CSCDS * STRIX_XCOPY_CSCD_LEN + \
					 STRIX_XCOPY_MAX_SEGMENTS * STRIX_XCOPY_SEG_LEN)
#define STRIX_XCOPY_MAX_SEGMENT_BYTES	(64U << 20)
#define STRIX_XCOPY_CHUNK_BYTES		(1U << 20)
#define STRIX_XCOPY_DESC_CSCD_ID	0xe4	/* identification descriptor CSCD */
#define STRIX_XCOPY_DESC_B2B		0x02	/* block device to block device */
/* LIST ID USAGE (parameter list byte 1 bits 4-3) */
#define STRIX_XCOPY_LIST_ID_HOLD	0	/* status held for RECEIVE COPY RESULTS */
#define STRIX_XCOPY_LIST_ID_DISCARD	2	/* held too (SPC-4 allows it) */
#define STRIX_XCOPY_NO_LIST_ID		3	/* list identifier 0, nothing held */

/* One identification descriptor CSCD (E4h) as the list names it. */
struct strix_xcopy_cscd {
	u8 code_set;
	u8 association;
	u8 desig_type;
	u8 desig_len;
	u8 desig[20];
	u32 block_size;		/* DISK BLOCK LENGTH, 0: not given */
};

/* One block to block segment (02h). */
struct strix_xcopy_seg {
	u16 src;		/* CSCD indexes, < nr_cscds */
	u16 dst;
	u16 nr_blocks;		/* 0: nothing to copy */
	u64 src_lba;
	u64 dst_lba;
};

struct strix_xcopy_list {
	u8 list_id;
	u8 list_id_usage;	/* STRIX_XCOPY_LIST_ID_* */
	unsigned int nr_cscds;
	unsigned int nr_segs;
	struct strix_xcopy_cscd cscds[STRIX_XCOPY_MAX_CSCDS];
	struct strix_xcopy_seg segs[STRIX_XCOPY_MAX_SEGMENTS];
};

/*
 * strix_xcopy_parse() - check an EXTENDED COPY (LID1) parameter list, whole,
 * before anything is resolved or copied
 * @buf:   the list as received; at most STRIX_XCOPY_HDR_LEN +
 *         STRIX_XCOPY_MAX_LIST_LEN bytes of it are read
 * @len:   PARAMETER LIST LENGTH (0: no list, nothing to do)
 * @l:     filled in
 * @field: for INVALID FIELD IN PARAMETER LIST, set to the byte
 *
 * Pure: no allocation, no state, no device looked up.
 */
strix_sense_t strix_xcopy_parse(const u8 *buf, u32 len,
				struct strix_xcopy_list *l, u16 *field);

/* Builds the opcode index of the CDB table; once, at module init. */
void strix_cdb_init(void);

/*
 * strix_cdb_parse() - decode and check cmd->cdb
 *
 * Sets cmd->op, cmd->emul, cmd->data_dir, cmd->data_len, cmd->lba,
 * cmd->nr_blocks, cmd->fua.  Returns STRIX_OK or the reason the command
 * fails (with cmd->sense_field_* set for INVALID FIELD IN CDB).
 */
strix_sense_t strix_cdb_parse(struct strix_cmd *cmd,
			      const struct strix_parse_ctx *ctx);

/*
 * strix_cdb_report_opcodes() - REPORT SUPPORTED OPERATION CODES data for
 * the parsed @cmd, from the CDB table, as the parser sees the device in
 * @ctx (at most @len bytes into @buf; @produced: the full length).
 */
strix_sense_t strix_cdb_report_opcodes(struct strix_cmd *cmd,
				       const struct strix_parse_ctx *ctx,
				       u8 *buf, u32 len, u32 *produced);

/*
 * strix_invalid_field() - fail with INVALID FIELD IN CDB pointing at
 * byte @byte, bit @bit (-1: the whole byte or field).
 */
strix_sense_t strix_invalid_field(struct strix_cmd *cmd, u16 byte, s8 bit);

/*
 * strix_sense_build() - turn cmd->result into cmd->status, cmd->sense and
 * cmd->sense_len, in descriptor format when @desc (D_SENSE) else fixed.
 * For STRIX_UNIT_ATTENTION, @ua_asc/@ua_ascq give the condition.
 */
void strix_sense_build(struct strix_cmd *cmd, bool desc, u8 ua_asc, u8 ua_ascq);

/* Sense key, ASC and ASCQ of a result (for tests, REQUEST SENSE). */
void strix_sense_info(strix_sense_t result, u8 *status, u8 *key, u8 *asc,
		      u8 *ascq);

/*
 * strix_name_match() - does initiator name @name match @pattern?
 * `*` matches any run of characters, `?` one character; case-insensitive
 * (iSCSI names are).  A leading `!` is not handled here: see
 * strix_names_match().
 */
bool strix_name_match(const char *pattern, const char *name);
/*
 * strix_names_match() - does @name match a group's list of patterns?
 * True when some pattern without `!` matches and no `!pattern` does.
 */
bool strix_names_match(const char *const *patterns, unsigned int n,
		       const char *name);

/*
 * Identity of a device as the emulated commands report it.  Filled by the
 * core from the device's attributes and setup_id.
 */
struct strix_dev_ident {
	const char *vendor;		/* T10 vendor id, <= 8 chars */
	const char *product;		/* <= 16 chars */
	const char *revision;		/* <= 4 chars */
	const char *serial;		/* unit serial number (VPD 0x80) */
	const char *t10_dev_id;		/* vendor-specific part of the T10 designator */
	u8 naa[16];			/* NAA designator */
	u8 naa_len;			/* 8 or 16 */
	u8 eui64[8];
	u16 rel_tgt_id;			/* relative target port identifier */
	u16 tpg_id;			/* target port group (0: none) */
	u8 tpgs;			/* INQUIRY TPGS: 0, 1 implicit, 3 both */
};

/*
 * strix_dev_ident_derive() - the generated identifiers of a device: unit
 * serial (16 hex digits), NAA (locally assigned) and EUI-64, all derived
 * deterministically from @setup_id and @name so two boxes cloned from one
 * config differ when their setup_id differs.  @serial must hold 17 bytes.
 */
void strix_dev_ident_derive(u32 setup_id, const char *name, char *serial,
			    u8 naa[8], u8 eui64[8]);

/*
 * The mode page fields MODE SELECT may change (mode.c): WCE of the
 * caching page (08h); D_SENSE, QErr (0, 1 or 3) and TAS of the control
 * page (0Ah).
 */
struct strix_mode_vals {
	bool wce;
	bool d_sense;
	bool tas;
	u8 qerr;
};

/*
 * A device's mode pages as one I_T nexus sees them: the current, default
 * and saved values (the saved ones are the defaults until MODE SELECT
 * with SP=1 saved some), and whether WCE can change (the device has a
 * volatile write cache and the LUN is not read-only).  D_SENSE, QErr and
 * TAS always can.
 */
struct strix_mode_pages {
	struct strix_mode_vals cur;
	struct strix_mode_vals def;
	struct strix_mode_vals saved;
	bool wce_changeable;
};

#define STRIX_MODE_PAGE_MAX	20	/* the longest page, caching: 2 + 18 */

/*
 * strix_mode_page() - page @code (08h or 0Ah) for page control @pc (0
 * current, 1 changeable mask, 2 default, 3 saved) into @out.  Returns its
 * length (page header included), or 0 for a page the core does not have.
 */
unsigned int strix_mode_page(u8 code, u8 pc, const struct strix_mode_pages *mp,
			     u8 *out);

/*
 * strix_mode_select_parse() - check MODE SELECT parameter data
 * @data/@len: the parameter list (header, block descriptors, pages)
 * @ten:       MODE SELECT(10) (else (6))
 * @dp:        the device (a block descriptor must match it)
 * @mp:        its mode pages as the nexus sees them
 * @out:       set to the values once the command is done (mp->cur
 *             with what the pages change)
 * @fbyte/@fbit: the offending field when the result is
 *             STRIX_INVALID_FIELD_PARAM (@fbit -1: the whole byte)
 *
 * Every field of a page other than the changeable ones must equal its
 * current value.  Return: STRIX_OK, STRIX_INVALID_FIELD_PARAM or
 * STRIX_PARAM_LIST_LENGTH (a page or descriptor runs past @len).
 */
strix_sense_t strix_mode_select_parse(const u8 *data, u32 len, bool ten,
				      const struct strix_dev_params *dp,
				      const struct strix_mode_pages *mp,
				      struct strix_mode_vals *out,
				      u16 *fbyte, s8 *fbit);

/*
 * The saved mode pages as text, one `name value` line per field (wce,
 * d_sense, tas, qerr): strix_mode_dump() writes at most @len bytes and
 * returns the length (or -EFBIG); strix_mode_load() takes text in that
 * form (every field once, nothing else) or returns -EINVAL.
 */
ssize_t strix_mode_dump(const struct strix_mode_vals *v, char *buf, size_t len);
int strix_mode_load(struct strix_mode_vals *v, const char *text);

/*
 * LOG SENSE (log.c).  @space: the backing store reported its space
 * (handler op space()): @avail_blocks and @used_blocks, in logical blocks.
 */
struct strix_log_ctx {
	bool space;
	u64 avail_blocks;
	u64 used_blocks;
	u32 power_on_minutes;	/* since the device was added */
};

/*
 * strix_log_sense() - the LOG SENSE data asked for by cmd->cdb into @buf
 * (at most @len bytes; @produced: the full length).  STRIX_OK or INVALID
 * FIELD IN CDB (page, subpage, parameter pointer).
 */
strix_sense_t strix_log_sense(struct strix_cmd *cmd,
			      const struct strix_log_ctx *lc, u8 *buf, u32 len,
			      u32 *produced);

/*
 * The context of one emulated command.
 * @luns/@nr_luns: the LUNs the session sees, for REPORT LUNS.
 * @ua_pending: for REQUEST SENSE.
 */
struct strix_emul_ctx {
	const struct strix_dev_params *dp;	/* NULL: LUN does not exist */
	const struct strix_dev_ident *ident;
	bool read_only;
	struct strix_mode_pages mode;		/* MODE SENSE */
	const u64 *luns;
	unsigned int nr_luns;
	/*
	 * REPORT TARGET PORT GROUPS: the target port group descriptors of
	 * the device's group, as alua.c keeps them.
	 */
	const u8 *rtpg;
	u32 rtpg_len;
};

/*
 * strix_emulate() - answer the emulated command cmd->emul.
 * @buf/@len: where the response data goes (@len >= cmd->data_len; the
 * caller copies at most cmd->data_len of it to the initiator).
 * @produced: set to the full length of the response the command would
 * return with an unlimited allocation length (the caller computes the
 * residual from it).
 * Return: STRIX_OK, or why the command fails.
 */
strix_sense_t strix_emulate(struct strix_cmd *cmd,
			    const struct strix_emul_ctx *ctx,
			    u8 *buf, u32 len, u32 *produced);

#endif
