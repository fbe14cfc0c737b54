/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iSCSI PDU codec (RFC 7143, section 11): the 48-byte Basic Header
 * Segment (BHS), parsing of the PDUs an initiator sends in Full Feature
 * Phase, building of every PDU the target sends, padding, serial number
 * arithmetic and CRC32C digests.
 *
 * Everything here is a pure function of its arguments: no allocation, no
 * global state, no locks (so no Locking: notes; the structs below are plain
 * values owned by their caller).  KUnit cases in pdu_test.c.
 *
 * Receiving a PDU (the driver's receive path, not here yet):
 *
 *   1. read the 48-byte BHS; strix_iscsi_bhs_ahs_len() says how many AHS
 *      bytes follow, then the header digest if negotiated;
 *   2. check the header digest over BHS + AHS: on a mismatch drop the
 *      connection (the lengths that frame the stream cannot be trusted);
 *   3. strix_iscsi_parse_bhs(), then strix_iscsi_parse_ahs() when
 *      pdu->ahs_len is not 0;
 *   4. act on the verdict (strix_iscsi_verdict_t, below).
 *
 * Verdicts: STRIX_ISCSI_ACCEPT; STRIX_ISCSI_REJECT(reason) to answer with
 * a Reject PDU of that reason carrying the offending BHS, after reading
 * past the padded data segment (and its digest) of the rejected PDU, whose
 * length fields were found consistent; STRIX_ISCSI_DROP to close the
 * connection at once (a format error in RFC 7143's sense, which it says
 * ends the connection: lengths that lie; or a header digest error).  pdu->why names the problem for the
 * log line.  On REJECT, opcode, immediate, itt, ahs_len and dsl are valid.
 *
 * What is checked, and what not:
 *   - the opcode: initiator opcodes of Full Feature Phase are parsed; Login
 *     there is a protocol error (0x04), a target opcode from an initiator
 *     too; undefined and vendor-specific opcodes are 0x05 (command not
 *     supported);
 *   - DataSegmentLength against the MaxRecvDataSegmentLength we declared:
 *     over it is a protocol error (0x04); where RFC 7143 says a length
 *     MUST be 0 (Task Management, Logout) anything else is a format error;
 *   - the AHS: each one must fit in TotalAHSLength, an Extended CDB AHS
 *     and a Bidirectional Read Length AHS must have their lengths, at most
 *     one of each (else DROP); reserved AHS types are a protocol error;
 *   - reserved code values in defined fields (task attribute, Logout
 *     reason, SNACK type) are a protocol error (RFC 7143 says so);
 *     contradicting flags (a Text Request with F and C, a SCSI Command with
 *     W clear but F clear or immediate data) too;
 *   - the reserved ITT 0xffffffff where a PDU names a task: invalid PDU
 *     field (0x09);
 *   - reserved fields and fixed bits are ignored, as RFC 7143 tells a
 *     receiver to; so is the Task Management function code, which the
 *     driver answers with a TMF Response (5, not supported) if unknown.
 *
 * Sequence numbers, tags and task state (CmdSN window, ITT and TTT
 * lookups, DataSN, offsets) are the driver's: they are not in the header.
 */
#ifndef _STRIX_ISCSI_PDU_H
#define _STRIX_ISCSI_PDU_H

#include <linux/types.h>

#define STRIX_ISCSI_BHS_LEN		48
#define STRIX_ISCSI_DIGEST_LEN		4
#define STRIX_ISCSI_PAD			4
#define STRIX_ISCSI_CDB_LEN		16	/* the CDB field of the BHS */
#define STRIX_ISCSI_MAX_DSL		0xffffffU /* 24 bits */
#define STRIX_ISCSI_MAX_AHS_LEN		(255 * 4)
#define STRIX_ISCSI_RSVD_TAG		0xffffffffU

/* BHS byte 0 */
#define STRIX_ISCSI_I_BIT		0x40	/* immediate delivery */
#define STRIX_ISCSI_OPCODE_MASK		0x3f
/* BHS byte 1 */
#define STRIX_ISCSI_F_BIT		0x80	/* final */

/* Opcodes (RFC 7143, section 11.2.1.2) */
enum strix_iscsi_opcode {
	/* initiator */
	STRIX_ISCSI_OP_NOP_OUT		= 0x00,
	STRIX_ISCSI_OP_SCSI_CMD		= 0x01,
	STRIX_ISCSI_OP_TMF_REQ		= 0x02,
	STRIX_ISCSI_OP_LOGIN_REQ	= 0x03,
	STRIX_ISCSI_OP_TEXT_REQ		= 0x04,
	STRIX_ISCSI_OP_DATA_OUT		= 0x05,
	STRIX_ISCSI_OP_LOGOUT_REQ	= 0x06,
	STRIX_ISCSI_OP_SNACK_REQ	= 0x10,
	/* target */
	STRIX_ISCSI_OP_NOP_IN		= 0x20,
	STRIX_ISCSI_OP_SCSI_RSP		= 0x21,
	STRIX_ISCSI_OP_TMF_RSP		= 0x22,
	STRIX_ISCSI_OP_LOGIN_RSP	= 0x23,
	STRIX_ISCSI_OP_TEXT_RSP		= 0x24,
	STRIX_ISCSI_OP_DATA_IN		= 0x25,
	STRIX_ISCSI_OP_LOGOUT_RSP	= 0x26,
	STRIX_ISCSI_OP_R2T		= 0x31,
	STRIX_ISCSI_OP_ASYNC_MSG	= 0x32,
	STRIX_ISCSI_OP_REJECT		= 0x3f,
};

/* SCSI Command, byte 1 */
#define STRIX_ISCSI_CMD_R		0x40
#define STRIX_ISCSI_CMD_W		0x20
#define STRIX_ISCSI_CMD_ATTR_MASK	0x07
/* task attributes; 5..7 are reserved */
enum strix_iscsi_task_attr {
	STRIX_ISCSI_ATTR_UNTAGGED	= 0,
	STRIX_ISCSI_ATTR_SIMPLE		= 1,
	STRIX_ISCSI_ATTR_ORDERED	= 2,
	STRIX_ISCSI_ATTR_HEAD_OF_QUEUE	= 3,
	STRIX_ISCSI_ATTR_ACA		= 4,
};

/* Text Request and Response, byte 1 */
#define STRIX_ISCSI_TEXT_C		0x40	/* continue */

/* SCSI Response, byte 1 */
#define STRIX_ISCSI_RSP_BIDI_O		0x10
#define STRIX_ISCSI_RSP_BIDI_U		0x08
#define STRIX_ISCSI_RSP_O		0x04
#define STRIX_ISCSI_RSP_U		0x02
/* SCSI Response, byte 2 (Response) */
#define STRIX_ISCSI_RSP_COMPLETED	0x00
#define STRIX_ISCSI_RSP_TARGET_FAILURE	0x01

/* Data-In, byte 1 */
#define STRIX_ISCSI_DATA_A		0x40	/* acknowledge */
#define STRIX_ISCSI_DATA_O		0x04
#define STRIX_ISCSI_DATA_U		0x02
#define STRIX_ISCSI_DATA_S		0x01	/* status in this PDU */

/* AHS types (RFC 7143, section 11.2.2); the low 6 bits of AHSType */
#define STRIX_ISCSI_AHS_TYPE_MASK	0x3f
#define STRIX_ISCSI_AHS_EXT_CDB		1
#define STRIX_ISCSI_AHS_BIDI_READ_LEN	2

/* Task Management functions (byte 1, low 7 bits) */
enum strix_iscsi_tmf {
	STRIX_ISCSI_TMF_ABORT_TASK		= 1,
	STRIX_ISCSI_TMF_ABORT_TASK_SET		= 2,
	STRIX_ISCSI_TMF_CLEAR_ACA		= 3,
	STRIX_ISCSI_TMF_CLEAR_TASK_SET		= 4,
	STRIX_ISCSI_TMF_LOGICAL_UNIT_RESET	= 5,
	STRIX_ISCSI_TMF_TARGET_WARM_RESET	= 6,
	STRIX_ISCSI_TMF_TARGET_COLD_RESET	= 7,
	STRIX_ISCSI_TMF_TASK_REASSIGN		= 8,
	/* RFC 7144 (SAM-4 and later functions) */
	STRIX_ISCSI_TMF_QUERY_TASK		= 9,
	STRIX_ISCSI_TMF_QUERY_TASK_SET		= 10,
	STRIX_ISCSI_TMF_I_T_NEXUS_RESET		= 11,
	STRIX_ISCSI_TMF_QUERY_ASYNC_EVENT	= 12,
};
#define STRIX_ISCSI_TMF_FUNC_MASK	0x7f

/* Task Management Function Response, byte 2 */
enum strix_iscsi_tmf_response {
	STRIX_ISCSI_TMF_RSP_COMPLETE		= 0,
	STRIX_ISCSI_TMF_RSP_NO_TASK		= 1,
	STRIX_ISCSI_TMF_RSP_NO_LUN		= 2,
	STRIX_ISCSI_TMF_RSP_TASK_ALLEGIANT	= 3,
	STRIX_ISCSI_TMF_RSP_NO_REASSIGN		= 4,
	STRIX_ISCSI_TMF_RSP_NOT_SUPPORTED	= 5,
	STRIX_ISCSI_TMF_RSP_AUTH_FAILED		= 6,
	STRIX_ISCSI_TMF_RSP_SUCCEEDED		= 7,	/* RFC 7144 */
	STRIX_ISCSI_TMF_RSP_REJECTED		= 255,
};

/* Logout Request reason (byte 1, low 7 bits); 3..127 are reserved */
enum strix_iscsi_logout_reason {
	STRIX_ISCSI_LOGOUT_SESSION	= 0,
	STRIX_ISCSI_LOGOUT_CONNECTION	= 1,
	STRIX_ISCSI_LOGOUT_RECOVERY	= 2,
};
#define STRIX_ISCSI_LOGOUT_REASON_MASK	0x7f

/* Logout Response, byte 2 */
enum strix_iscsi_logout_response {
	STRIX_ISCSI_LOGOUT_RSP_OK		= 0,
	STRIX_ISCSI_LOGOUT_RSP_NO_CID		= 1,
	STRIX_ISCSI_LOGOUT_RSP_NO_RECOVERY	= 2,
	STRIX_ISCSI_LOGOUT_RSP_CLEANUP_FAILED	= 3,
};

/* SNACK types (byte 1, low 4 bits); 4..15 are reserved */
enum strix_iscsi_snack_type {
	STRIX_ISCSI_SNACK_DATA_R2T	= 0,
	STRIX_ISCSI_SNACK_STATUS	= 1,
	STRIX_ISCSI_SNACK_DATA_ACK	= 2,
	STRIX_ISCSI_SNACK_RDATA		= 3,
};
#define STRIX_ISCSI_SNACK_TYPE_MASK	0x0f

/* Asynchronous Message events (byte 36) */
enum strix_iscsi_async_event {
	STRIX_ISCSI_ASYNC_SCSI		= 0,	/* sense data in the segment */
	STRIX_ISCSI_ASYNC_LOGOUT	= 1,	/* target requests logout */
	STRIX_ISCSI_ASYNC_DROP_CONN	= 2,
	STRIX_ISCSI_ASYNC_DROP_ALL	= 3,
	STRIX_ISCSI_ASYNC_NEGOTIATE	= 4,
	STRIX_ISCSI_ASYNC_VENDOR	= 255,
};

/* Reject reasons (RFC 7143, section 11.17.1) */
enum strix_iscsi_reject_reason {
	STRIX_ISCSI_REJECT_DATA_DIGEST		= 0x02,
	STRIX_ISCSI_REJECT_SNACK		= 0x03,
	STRIX_ISCSI_REJECT_PROTOCOL_ERROR	= 0x04,
	STRIX_ISCSI_REJECT_CMD_NOT_SUPPORTED	= 0x05,
	STRIX_ISCSI_REJECT_IMMEDIATE		= 0x06,
	STRIX_ISCSI_REJECT_TASK_IN_PROGRESS	= 0x07,
	STRIX_ISCSI_REJECT_INVALID_DATA_ACK	= 0x08,
	STRIX_ISCSI_REJECT_INVALID_FIELD	= 0x09,
	STRIX_ISCSI_REJECT_LONG_OP		= 0x0a,
	STRIX_ISCSI_REJECT_WAITING_LOGOUT	= 0x0c,
};

/*
 * What to do with a received PDU (see the top of this file).  A distinct
 * type so that sparse keeps it apart from errno values and reason bytes.
 */
typedef u32 __bitwise strix_iscsi_verdict_t;

#define __STRIX_ISCSI_V_REJECT		0x100U
#define __STRIX_ISCSI_V_DROP		0x200U
#define STRIX_ISCSI_ACCEPT		((__force strix_iscsi_verdict_t)0)
#define STRIX_ISCSI_REJECT(reason) \
	((__force strix_iscsi_verdict_t)(__STRIX_ISCSI_V_REJECT | (u8)(reason)))
#define STRIX_ISCSI_DROP \
	((__force strix_iscsi_verdict_t)__STRIX_ISCSI_V_DROP)

static inline bool strix_iscsi_is_reject(strix_iscsi_verdict_t v)
{
	return (__force u32)v & __STRIX_ISCSI_V_REJECT;
}

/* The Reject reason of a REJECT verdict, 0 for any other. */
static inline u8 strix_iscsi_reject_reason(strix_iscsi_verdict_t v)
{
	return strix_iscsi_is_reject(v) ? (__force u32)v & 0xff : 0;
}

/* ---- decoded initiator PDUs (Full Feature Phase) ---- */

struct strix_iscsi_nop_out {
	u8	lun[8];
	u32	ttt;		/* 0xffffffff, or answers the NOP-In of that TTT */
	u32	cmd_sn;
	u32	exp_stat_sn;
};

struct strix_iscsi_scsi_cmd {
	bool		read;		/* R */
	bool		write;		/* W */
	u8		attr;		/* enum strix_iscsi_task_attr */
	u8		lun[8];
	u32		exp_xfer_len;	/* Expected Data Transfer Length */
	u32		cmd_sn;
	u32		exp_stat_sn;
	u8		cdb[STRIX_ISCSI_CDB_LEN];
	/*
	 * Set by strix_iscsi_parse_ahs(): the CDB bytes past the first 16
	 * from an Extended CDB AHS (pointing into the caller's AHS buffer),
	 * and the read length of a bidirectional command.
	 */
	const u8	*ext_cdb;
	u16		ext_cdb_len;
	bool		has_bidi_read_len;
	u32		bidi_read_len;
};

struct strix_iscsi_data_out {
	u8	lun[8];
	u32	ttt;
	u32	exp_stat_sn;
	u32	data_sn;
	u32	buffer_offset;
};

struct strix_iscsi_tmf_req {
	u8	function;	/* enum strix_iscsi_tmf, not checked */
	u8	lun[8];
	u32	ref_task_tag;	/* Referenced Task Tag */
	u32	cmd_sn;
	u32	exp_stat_sn;
	u32	ref_cmd_sn;
	u32	exp_data_sn;
};

struct strix_iscsi_logout_req {
	u8	reason;		/* enum strix_iscsi_logout_reason */
	u16	cid;		/* not for STRIX_ISCSI_LOGOUT_SESSION */
	u32	cmd_sn;
	u32	exp_stat_sn;
};

struct strix_iscsi_text_req {
	bool	cont;		/* C */
	u8	lun[8];
	u32	ttt;
	u32	cmd_sn;
	u32	exp_stat_sn;
};

struct strix_iscsi_snack_req {
	u8	type;		/* enum strix_iscsi_snack_type */
	u8	lun[8];
	u32	ttt;		/* TTT or SNACK Tag */
	u32	exp_stat_sn;
	u32	beg_run;
	u32	run_length;
};

/*
 * A received PDU.  Filled by strix_iscsi_parse_bhs() (and for a SCSI
 * Command's AHS by strix_iscsi_parse_ahs()); the union member is the
 * one of @opcode.
 */
struct strix_iscsi_pdu {
	u8		opcode;		/* enum strix_iscsi_opcode, no I bit */
	bool		immediate;	/* I */
	bool		final;		/* F (a flag of most PDUs) */
	u16		ahs_len;	/* TotalAHSLength, in bytes */
	u32		dsl;		/* DataSegmentLength, without padding */
	u32		itt;		/* Initiator Task Tag */
	const char	*why;		/* what was wrong, when not accepted */
	union {
		struct strix_iscsi_nop_out	nop_out;
		struct strix_iscsi_scsi_cmd	cmd;
		struct strix_iscsi_data_out	data_out;
		struct strix_iscsi_tmf_req	tmf;
		struct strix_iscsi_logout_req	logout;
		struct strix_iscsi_text_req	text;
		struct strix_iscsi_snack_req	snack;
	};
};

/* Raw length fields of a BHS, for reading the rest of the PDU. */
u32 strix_iscsi_bhs_ahs_len(const u8 bhs[STRIX_ISCSI_BHS_LEN]);
u32 strix_iscsi_bhs_dsl(const u8 bhs[STRIX_ISCSI_BHS_LEN]);

strix_iscsi_verdict_t strix_iscsi_parse_bhs(const u8 bhs[STRIX_ISCSI_BHS_LEN],
					    u32 max_recv_dsl,
					    struct strix_iscsi_pdu *out);
/* @ahs holds the pdu->ahs_len bytes that follow the BHS. */
strix_iscsi_verdict_t strix_iscsi_parse_ahs(const u8 *ahs,
					    struct strix_iscsi_pdu *pdu);

/* ---- target PDUs ---- */

/* The numbers most target PDUs carry. */
struct strix_iscsi_sn {
	u32	stat_sn;
	u32	exp_cmd_sn;
	u32	max_cmd_sn;
};

/* Residual of a SCSI Response or of a Data-In with status. */
enum strix_iscsi_residual {
	STRIX_ISCSI_RESID_NONE,
	STRIX_ISCSI_RESID_UNDERFLOW,	/* U: less data than expected */
	STRIX_ISCSI_RESID_OVERFLOW,	/* O: more data than expected */
};

struct strix_iscsi_nop_in {
	u8			lun[8];
	u32			itt;	/* 0xffffffff for a target ping */
	u32			ttt;	/* 0xffffffff unless a ping */
	u32			dsl;
	struct strix_iscsi_sn	sn;
};

struct strix_iscsi_scsi_rsp {
	u32				itt;
	u8				response;	/* STRIX_ISCSI_RSP_* */
	u8				status;		/* SCSI status */
	enum strix_iscsi_residual	resid;
	u32				resid_count;
	enum strix_iscsi_residual	bidi_resid;
	u32				bidi_resid_count;
	u32				snack_tag;
	u32				exp_data_sn;
	u32				dsl;	/* SenseLength + sense */
	struct strix_iscsi_sn		sn;
};

struct strix_iscsi_data_in {
	u8				lun[8];	/* only with @ack */
	u32				itt;
	u32				ttt;	/* only with @ack */
	bool				final;
	bool				ack;	/* A (ERL > 0) */
	/* status in this PDU (S, implies F); then @status, @resid, StatSN */
	bool				has_status;
	u8				status;
	enum strix_iscsi_residual	resid;
	u32				resid_count;
	u32				data_sn;
	u32				buffer_offset;
	u32				dsl;
	struct strix_iscsi_sn		sn;	/* stat_sn only with status */
};

struct strix_iscsi_r2t {
	u8			lun[8];
	u32			itt;
	u32			ttt;
	u32			r2t_sn;
	u32			buffer_offset;
	u32			desired_len;	/* Desired Data Transfer Length */
	struct strix_iscsi_sn	sn;
};

struct strix_iscsi_tmf_rsp {
	u32			itt;
	u8			response;	/* enum strix_iscsi_tmf_response */
	struct strix_iscsi_sn	sn;
};

struct strix_iscsi_logout_rsp {
	u32			itt;
	u8			response;	/* enum strix_iscsi_logout_response */
	u16			time2wait;
	u16			time2retain;
	struct strix_iscsi_sn	sn;
};

struct strix_iscsi_text_rsp {
	u8			lun[8];
	u32			itt;
	u32			ttt;
	bool			final;
	bool			cont;
	u32			dsl;
	struct strix_iscsi_sn	sn;
};

/* The data segment is the rejected PDU's header: dsl is usually 48. */
struct strix_iscsi_reject {
	u8			reason;	/* enum strix_iscsi_reject_reason */
	u32			data_sn;	/* DataSN/R2TSN of a SNACK reject */
	u32			dsl;
	struct strix_iscsi_sn	sn;
};

struct strix_iscsi_async_msg {
	u8			lun[8];
	u8			event;	/* enum strix_iscsi_async_event */
	u8			vcode;
	u16			param[3];
	u32			dsl;
	struct strix_iscsi_sn	sn;
};

/* Each fills all 48 bytes of @bhs; reserved fields are 0. */
void strix_iscsi_build_nop_in(u8 bhs[STRIX_ISCSI_BHS_LEN],
			      const struct strix_iscsi_nop_in *p);
void strix_iscsi_build_scsi_rsp(u8 bhs[STRIX_ISCSI_BHS_LEN],
				const struct strix_iscsi_scsi_rsp *p);
void strix_iscsi_build_data_in(u8 bhs[STRIX_ISCSI_BHS_LEN],
			       const struct strix_iscsi_data_in *p);
void strix_iscsi_build_r2t(u8 bhs[STRIX_ISCSI_BHS_LEN],
			   const struct strix_iscsi_r2t *p);
void strix_iscsi_build_tmf_rsp(u8 bhs[STRIX_ISCSI_BHS_LEN],
			       const struct strix_iscsi_tmf_rsp *p);
void strix_iscsi_build_logout_rsp(u8 bhs[STRIX_ISCSI_BHS_LEN],
				  const struct strix_iscsi_logout_rsp *p);
void strix_iscsi_build_text_rsp(u8 bhs[STRIX_ISCSI_BHS_LEN],
				const struct strix_iscsi_text_rsp *p);
void strix_iscsi_build_reject(u8 bhs[STRIX_ISCSI_BHS_LEN],
			      const struct strix_iscsi_reject *p);
void strix_iscsi_build_async_msg(u8 bhs[STRIX_ISCSI_BHS_LEN],
				 const struct strix_iscsi_async_msg *p);

/* ---- padding: segments are padded with zeros to 4 bytes ---- */

static inline u32 strix_iscsi_pad_len(u32 len)
{
	return -len & (STRIX_ISCSI_PAD - 1);
}

static inline u32 strix_iscsi_padded(u32 len)
{
	return len + strix_iscsi_pad_len(len);
}

/*
 * ---- serial number arithmetic (RFC 1982, SERIAL_BITS 32) ----
 *
 * a < b when b is ahead of a by 1 .. 2^31 - 1.  Two numbers exactly 2^31
 * apart are not comparable: neither is less nor greater than the other.
 */
static inline bool strix_iscsi_sn_lt(u32 a, u32 b)
{
	u32 ahead = b - a;

	return ahead != 0 && ahead < 0x80000000U;
}

static inline bool strix_iscsi_sn_gt(u32 a, u32 b)
{
	return strix_iscsi_sn_lt(b, a);
}

static inline bool strix_iscsi_sn_lte(u32 a, u32 b)
{
	return a == b || strix_iscsi_sn_lt(a, b);
}

static inline bool strix_iscsi_sn_gte(u32 a, u32 b)
{
	return a == b || strix_iscsi_sn_gt(a, b);
}

/*
 * ---- CRC32C digests (RFC 7143, section 13.1) ----
 *
 * A digest is the CRC32C of its bytes, sent least significant byte first
 * (the CRC examples of RFC 7143, as of RFC 3720 appendix B.4: 32 zero
 * bytes give aa 36 91 8a on the wire).
 * The header digest covers BHS and AHS; the data digest covers the data
 * segment and its zero padding.  For data in pieces (a scatterlist):
 *
 *	crc = strix_iscsi_crc_begin();
 *	crc = strix_iscsi_crc_update(crc, piece, len);	 (each piece)
 *	crc = strix_iscsi_crc_pad(crc, total_len);
 *	digest = strix_iscsi_crc_end(crc);
 */
static inline u32 strix_iscsi_crc_begin(void)
{
	return ~0U;
}

static inline u32 strix_iscsi_crc_end(u32 crc)
{
	return ~crc;
}

u32 strix_iscsi_crc_update(u32 crc, const void *p, size_t len);
/* The zero padding of a segment of @len bytes. */
u32 strix_iscsi_crc_pad(u32 crc, u32 len);

/* BHS + AHS, @len a multiple of 4. */
u32 strix_iscsi_header_digest(const void *hdr, size_t len);
/* A data segment of @len bytes in one piece, and its padding. */
u32 strix_iscsi_data_digest(const void *data, u32 len);

void strix_iscsi_put_digest(u8 *p, u32 digest);
u32 strix_iscsi_get_digest(const u8 *p);

#endif
