// SPDX-License-Identifier: GPL-2.0
/*
 * The iSCSI PDU codec: parsing of initiator PDUs, building of target PDUs,
 * digests.  Pure functions; the rules they check are listed in pdu.h.
 * Field offsets are those of RFC 7143, section 11.
 */
#include <linux/string.h>

#include <strix/compat.h>
#include "pdu.h"

/* Offsets shared by every BHS */
#define BHS_AHS_LEN	4	/* TotalAHSLength, 4-byte words */
#define BHS_DSL		5	/* DataSegmentLength, 24 bits */
#define BHS_LUN		8
#define BHS_ITT		16
/* ...and by most target PDUs */
#define BHS_STAT_SN	24
#define BHS_EXP_CMD_SN	28
#define BHS_MAX_CMD_SN	32

/* Fields are big-endian and need not be aligned (an AHS follows the BHS). */
static u16 get_be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static u32 get_be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void put_be16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put_be32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static u32 be32_at(const u8 *bhs, unsigned int off)
{
	return get_be32(bhs + off);
}

static void put_be32_at(u8 *bhs, unsigned int off, u32 v)
{
	put_be32(bhs + off, v);
}

u32 strix_iscsi_bhs_ahs_len(const u8 bhs[STRIX_ISCSI_BHS_LEN])
{
	return bhs[BHS_AHS_LEN] * 4U;
}

u32 strix_iscsi_bhs_dsl(const u8 bhs[STRIX_ISCSI_BHS_LEN])
{
	return (u32)bhs[BHS_DSL] << 16 | (u32)bhs[BHS_DSL + 1] << 8 |
	       bhs[BHS_DSL + 2];
}

static strix_iscsi_verdict_t reject(struct strix_iscsi_pdu *out, u8 reason,
				    const char *why)
{
	out->why = why;
	return STRIX_ISCSI_REJECT(reason);
}

static strix_iscsi_verdict_t drop(struct strix_iscsi_pdu *out,
				  const char *why)
{
	out->why = why;
	return STRIX_ISCSI_DROP;
}

/* ---- one parser per initiator opcode of Full Feature Phase ---- */

static strix_iscsi_verdict_t parse_nop_out(const u8 *bhs,
					   struct strix_iscsi_pdu *out)
{
	struct strix_iscsi_nop_out *p = &out->nop_out;

	memcpy(p->lun, bhs + BHS_LUN, sizeof(p->lun));
	p->ttt = be32_at(bhs, 20);
	p->cmd_sn = be32_at(bhs, 24);
	p->exp_stat_sn = be32_at(bhs, 28);
	/* no answer wanted: then it must not take a CmdSN */
	if (out->itt == STRIX_ISCSI_RSVD_TAG && !out->immediate)
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "NOP-Out with ITT 0xffffffff but no I bit");
	return STRIX_ISCSI_ACCEPT;
}

static strix_iscsi_verdict_t parse_scsi_cmd(const u8 *bhs,
					    struct strix_iscsi_pdu *out)
{
	struct strix_iscsi_scsi_cmd *p = &out->cmd;

	p->read = bhs[1] & STRIX_ISCSI_CMD_R;
	p->write = bhs[1] & STRIX_ISCSI_CMD_W;
	p->attr = bhs[1] & STRIX_ISCSI_CMD_ATTR_MASK;
	memcpy(p->lun, bhs + BHS_LUN, sizeof(p->lun));
	p->exp_xfer_len = be32_at(bhs, 20);
	p->cmd_sn = be32_at(bhs, 24);
	p->exp_stat_sn = be32_at(bhs, 28);
	memcpy(p->cdb, bhs + 32, sizeof(p->cdb));

	if (out->itt == STRIX_ISCSI_RSVD_TAG)
		return reject(out, STRIX_ISCSI_REJECT_INVALID_FIELD,
			      "SCSI Command with the reserved ITT");
	if (p->attr > STRIX_ISCSI_ATTR_ACA)
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "SCSI Command with a reserved task attribute");
	if (!p->write && !out->final)
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "SCSI Command with neither W nor F");
	if (!p->write && out->dsl)
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "SCSI Command with immediate data but no W");
	return STRIX_ISCSI_ACCEPT;
}

static strix_iscsi_verdict_t parse_data_out(const u8 *bhs,
					    struct strix_iscsi_pdu *out)
{
	struct strix_iscsi_data_out *p = &out->data_out;

	memcpy(p->lun, bhs + BHS_LUN, sizeof(p->lun));
	p->ttt = be32_at(bhs, 20);
	p->exp_stat_sn = be32_at(bhs, 28);
	p->data_sn = be32_at(bhs, 36);
	p->buffer_offset = be32_at(bhs, 40);
	if (out->itt == STRIX_ISCSI_RSVD_TAG)
		return reject(out, STRIX_ISCSI_REJECT_INVALID_FIELD,
			      "Data-Out with the reserved ITT");
	return STRIX_ISCSI_ACCEPT;
}

static strix_iscsi_verdict_t parse_tmf(const u8 *bhs,
				       struct strix_iscsi_pdu *out)
{
	struct strix_iscsi_tmf_req *p = &out->tmf;

	p->function = bhs[1] & STRIX_ISCSI_TMF_FUNC_MASK;
	memcpy(p->lun, bhs + BHS_LUN, sizeof(p->lun));
	p->ref_task_tag = be32_at(bhs, 20);
	p->cmd_sn = be32_at(bhs, 24);
	p->exp_stat_sn = be32_at(bhs, 28);
	p->ref_cmd_sn = be32_at(bhs, 32);
	p->exp_data_sn = be32_at(bhs, 36);
	/* the F bit of byte 1 is always 1: not a flag here */
	out->final = true;
	if (out->ahs_len || out->dsl)
		return drop(out, "Task Management request with AHS or data");
	if (out->itt == STRIX_ISCSI_RSVD_TAG)
		return reject(out, STRIX_ISCSI_REJECT_INVALID_FIELD,
			      "Task Management request with the reserved ITT");
	return STRIX_ISCSI_ACCEPT;
}

static strix_iscsi_verdict_t parse_logout(const u8 *bhs,
					  struct strix_iscsi_pdu *out)
{
	struct strix_iscsi_logout_req *p = &out->logout;

	p->reason = bhs[1] & STRIX_ISCSI_LOGOUT_REASON_MASK;
	p->cid = get_be16(bhs + 20);
	p->cmd_sn = be32_at(bhs, 24);
	p->exp_stat_sn = be32_at(bhs, 28);
	out->final = true;
	if (out->ahs_len || out->dsl)
		return drop(out, "Logout request with AHS or data");
	if (out->itt == STRIX_ISCSI_RSVD_TAG)
		return reject(out, STRIX_ISCSI_REJECT_INVALID_FIELD,
			      "Logout request with the reserved ITT");
	if (p->reason > STRIX_ISCSI_LOGOUT_RECOVERY)
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "Logout request with a reserved reason code");
	return STRIX_ISCSI_ACCEPT;
}

static strix_iscsi_verdict_t parse_text(const u8 *bhs,
					struct strix_iscsi_pdu *out)
{
	struct strix_iscsi_text_req *p = &out->text;

	p->cont = bhs[1] & STRIX_ISCSI_TEXT_C;
	memcpy(p->lun, bhs + BHS_LUN, sizeof(p->lun));
	p->ttt = be32_at(bhs, 20);
	p->cmd_sn = be32_at(bhs, 24);
	p->exp_stat_sn = be32_at(bhs, 28);
	if (out->itt == STRIX_ISCSI_RSVD_TAG)
		return reject(out, STRIX_ISCSI_REJECT_INVALID_FIELD,
			      "Text request with the reserved ITT");
	if (out->final && p->cont)
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "Text request with both F and C");
	return STRIX_ISCSI_ACCEPT;
}

static strix_iscsi_verdict_t parse_snack(const u8 *bhs,
					 struct strix_iscsi_pdu *out)
{
	struct strix_iscsi_snack_req *p = &out->snack;

	p->type = bhs[1] & STRIX_ISCSI_SNACK_TYPE_MASK;
	memcpy(p->lun, bhs + BHS_LUN, sizeof(p->lun));
	p->ttt = be32_at(bhs, 20);
	p->exp_stat_sn = be32_at(bhs, 28);
	p->beg_run = be32_at(bhs, 40);
	p->run_length = be32_at(bhs, 44);
	out->final = true;
	if (p->type > STRIX_ISCSI_SNACK_RDATA)
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "SNACK with a reserved type");
	return STRIX_ISCSI_ACCEPT;
}

static bool is_target_opcode(u8 op)
{
	switch (op) {
	case STRIX_ISCSI_OP_NOP_IN:
	case STRIX_ISCSI_OP_SCSI_RSP:
	case STRIX_ISCSI_OP_TMF_RSP:
	case STRIX_ISCSI_OP_LOGIN_RSP:
	case STRIX_ISCSI_OP_TEXT_RSP:
	case STRIX_ISCSI_OP_DATA_IN:
	case STRIX_ISCSI_OP_LOGOUT_RSP:
	case STRIX_ISCSI_OP_R2T:
	case STRIX_ISCSI_OP_ASYNC_MSG:
	case STRIX_ISCSI_OP_REJECT:
		return true;
	}
	return false;
}

/**
 * strix_iscsi_parse_bhs() - decode and check a BHS received in Full
 *	Feature Phase
 * @bhs: the 48 bytes
 * @max_recv_dsl: the MaxRecvDataSegmentLength the target declared
 * @out: the decoded PDU; filled as far as the opcode allows even when the
 *	verdict is not ACCEPT
 *
 * Return: STRIX_ISCSI_ACCEPT, STRIX_ISCSI_REJECT(reason) or
 * STRIX_ISCSI_DROP; @out->why says why when not ACCEPT.
 */
strix_iscsi_verdict_t strix_iscsi_parse_bhs(const u8 bhs[STRIX_ISCSI_BHS_LEN],
					    u32 max_recv_dsl,
					    struct strix_iscsi_pdu *out)
{
	u8 op = bhs[0] & STRIX_ISCSI_OPCODE_MASK;

	memset(out, 0, sizeof(*out));
	out->opcode = op;
	out->immediate = bhs[0] & STRIX_ISCSI_I_BIT;
	out->final = bhs[1] & STRIX_ISCSI_F_BIT;
	out->ahs_len = strix_iscsi_bhs_ahs_len(bhs);
	out->dsl = strix_iscsi_bhs_dsl(bhs);
	out->itt = be32_at(bhs, BHS_ITT);

	switch (op) {
	case STRIX_ISCSI_OP_NOP_OUT:
	case STRIX_ISCSI_OP_SCSI_CMD:
	case STRIX_ISCSI_OP_TMF_REQ:
	case STRIX_ISCSI_OP_TEXT_REQ:
	case STRIX_ISCSI_OP_DATA_OUT:
	case STRIX_ISCSI_OP_LOGOUT_REQ:
	case STRIX_ISCSI_OP_SNACK_REQ:
		break;
	case STRIX_ISCSI_OP_LOGIN_REQ:
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "Login request in Full Feature Phase");
	default:
		if (is_target_opcode(op))
			return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
				      "target opcode sent by the initiator");
		return reject(out, STRIX_ISCSI_REJECT_CMD_NOT_SUPPORTED,
			      "opcode not supported");
	}

	if (out->dsl > max_recv_dsl)
		return reject(out, STRIX_ISCSI_REJECT_PROTOCOL_ERROR,
			      "DataSegmentLength over MaxRecvDataSegmentLength");

	switch (op) {
	case STRIX_ISCSI_OP_NOP_OUT:
		return parse_nop_out(bhs, out);
	case STRIX_ISCSI_OP_SCSI_CMD:
		return parse_scsi_cmd(bhs, out);
	case STRIX_ISCSI_OP_TMF_REQ:
		return parse_tmf(bhs, out);
	case STRIX_ISCSI_OP_TEXT_REQ:
		return parse_text(bhs, out);
	case STRIX_ISCSI_OP_DATA_OUT:
		return parse_data_out(bhs, out);
	case STRIX_ISCSI_OP_LOGOUT_REQ:
		return parse_logout(bhs, out);
	default:
		return parse_snack(bhs, out);
	}
}

/**
 * strix_iscsi_parse_ahs() - walk the AHS of a PDU parsed by
 *	strix_iscsi_parse_bhs()
 * @ahs: the @pdu->ahs_len bytes after the BHS
 * @pdu: the PDU; for a SCSI Command, its Extended CDB (pointing into
 *	@ahs) and bidirectional read length are set
 *
 * Each AHS is AHSLength (2 bytes), AHSType, then AHSLength bytes from the
 * AHS-specific byte on, padded to 4.  Types 1 and 2 mean something only on
 * a SCSI Command and are ignored elsewhere.
 *
 * Return: as strix_iscsi_parse_bhs().
 */
strix_iscsi_verdict_t strix_iscsi_parse_ahs(const u8 *ahs,
					    struct strix_iscsi_pdu *pdu)
{
	bool cmd = pdu->opcode == STRIX_ISCSI_OP_SCSI_CMD;
	struct strix_iscsi_scsi_cmd *p = &pdu->cmd;
	u32 len = pdu->ahs_len, off = 0;

	while (off < len) {
		u16 alen = get_be16(ahs + off);
		u8 type = ahs[off + 2] & STRIX_ISCSI_AHS_TYPE_MASK;
		u32 total = strix_iscsi_padded(3U + alen);

		if (total > len - off)
			return drop(pdu, "an AHS runs past TotalAHSLength");
		switch (type) {
		case STRIX_ISCSI_AHS_EXT_CDB:
			if (!cmd)
				break;
			/* the reserved byte and at least one CDB byte */
			if (alen < 2)
				return drop(pdu, "Extended CDB AHS too short");
			if (p->ext_cdb)
				return drop(pdu, "two Extended CDB AHS");
			p->ext_cdb = ahs + off + 4;
			p->ext_cdb_len = alen - 1;
			break;
		case STRIX_ISCSI_AHS_BIDI_READ_LEN:
			if (!cmd)
				break;
			if (alen != 5)
				return drop(pdu, "Bidirectional Read AHS length not 5");
			if (p->has_bidi_read_len)
				return drop(pdu, "two Bidirectional Read AHS");
			p->has_bidi_read_len = true;
			p->bidi_read_len = get_be32(ahs + off + 4);
			break;
		default:
			pdu->why = "reserved AHS type";
			return STRIX_ISCSI_REJECT(STRIX_ISCSI_REJECT_PROTOCOL_ERROR);
		}
		off += total;
	}
	return STRIX_ISCSI_ACCEPT;
}

/* ---- building target PDUs ---- */

static void bhs_start(u8 *bhs, u8 opcode, u8 flags, u32 dsl)
{
	memset(bhs, 0, STRIX_ISCSI_BHS_LEN);
	bhs[0] = opcode;
	bhs[1] = flags;
	bhs[BHS_DSL] = dsl >> 16;
	bhs[BHS_DSL + 1] = dsl >> 8;
	bhs[BHS_DSL + 2] = dsl;
}

static void put_sn(u8 *bhs, const struct strix_iscsi_sn *sn)
{
	put_be32_at(bhs, BHS_STAT_SN, sn->stat_sn);
	put_be32_at(bhs, BHS_EXP_CMD_SN, sn->exp_cmd_sn);
	put_be32_at(bhs, BHS_MAX_CMD_SN, sn->max_cmd_sn);
}

static u8 resid_flags(enum strix_iscsi_residual r, u8 over, u8 under)
{
	switch (r) {
	case STRIX_ISCSI_RESID_OVERFLOW:
		return over;
	case STRIX_ISCSI_RESID_UNDERFLOW:
		return under;
	default:
		return 0;
	}
}

void strix_iscsi_build_nop_in(u8 bhs[STRIX_ISCSI_BHS_LEN],
			      const struct strix_iscsi_nop_in *p)
{
	bhs_start(bhs, STRIX_ISCSI_OP_NOP_IN, STRIX_ISCSI_F_BIT, p->dsl);
	memcpy(bhs + BHS_LUN, p->lun, sizeof(p->lun));
	put_be32_at(bhs, BHS_ITT, p->itt);
	put_be32_at(bhs, 20, p->ttt);
	put_sn(bhs, &p->sn);
}

void strix_iscsi_build_scsi_rsp(u8 bhs[STRIX_ISCSI_BHS_LEN],
				const struct strix_iscsi_scsi_rsp *p)
{
	u8 flags = STRIX_ISCSI_F_BIT |
		   resid_flags(p->resid, STRIX_ISCSI_RSP_O, STRIX_ISCSI_RSP_U) |
		   resid_flags(p->bidi_resid, STRIX_ISCSI_RSP_BIDI_O,
			       STRIX_ISCSI_RSP_BIDI_U);

	bhs_start(bhs, STRIX_ISCSI_OP_SCSI_RSP, flags, p->dsl);
	bhs[2] = p->response;
	bhs[3] = p->status;
	put_be32_at(bhs, BHS_ITT, p->itt);
	put_be32_at(bhs, 20, p->snack_tag);
	put_sn(bhs, &p->sn);
	put_be32_at(bhs, 36, p->exp_data_sn);
	if (p->bidi_resid != STRIX_ISCSI_RESID_NONE)
		put_be32_at(bhs, 40, p->bidi_resid_count);
	if (p->resid != STRIX_ISCSI_RESID_NONE)
		put_be32_at(bhs, 44, p->resid_count);
}

void strix_iscsi_build_data_in(u8 bhs[STRIX_ISCSI_BHS_LEN],
			       const struct strix_iscsi_data_in *p)
{
	u8 flags = 0;

	if (p->final || p->has_status)
		flags |= STRIX_ISCSI_F_BIT;
	if (p->ack)
		flags |= STRIX_ISCSI_DATA_A;
	if (p->has_status)
		flags |= STRIX_ISCSI_DATA_S |
			 resid_flags(p->resid, STRIX_ISCSI_DATA_O,
				     STRIX_ISCSI_DATA_U);

	bhs_start(bhs, STRIX_ISCSI_OP_DATA_IN, flags, p->dsl);
	put_be32_at(bhs, BHS_ITT, p->itt);
	if (p->ack) {
		memcpy(bhs + BHS_LUN, p->lun, sizeof(p->lun));
		put_be32_at(bhs, 20, p->ttt);
	} else {
		put_be32_at(bhs, 20, STRIX_ISCSI_RSVD_TAG);
	}
	put_sn(bhs, &p->sn);
	put_be32_at(bhs, 36, p->data_sn);
	put_be32_at(bhs, 40, p->buffer_offset);
	if (p->has_status) {
		bhs[3] = p->status;
		if (p->resid != STRIX_ISCSI_RESID_NONE)
			put_be32_at(bhs, 44, p->resid_count);
	} else {
		/* StatSN is reserved without status */
		put_be32_at(bhs, BHS_STAT_SN, 0);
	}
}

void strix_iscsi_build_r2t(u8 bhs[STRIX_ISCSI_BHS_LEN],
			   const struct strix_iscsi_r2t *p)
{
	bhs_start(bhs, STRIX_ISCSI_OP_R2T, STRIX_ISCSI_F_BIT, 0);
	memcpy(bhs + BHS_LUN, p->lun, sizeof(p->lun));
	put_be32_at(bhs, BHS_ITT, p->itt);
	put_be32_at(bhs, 20, p->ttt);
	put_sn(bhs, &p->sn);
	put_be32_at(bhs, 36, p->r2t_sn);
	put_be32_at(bhs, 40, p->buffer_offset);
	put_be32_at(bhs, 44, p->desired_len);
}

void strix_iscsi_build_tmf_rsp(u8 bhs[STRIX_ISCSI_BHS_LEN],
			       const struct strix_iscsi_tmf_rsp *p)
{
	bhs_start(bhs, STRIX_ISCSI_OP_TMF_RSP, STRIX_ISCSI_F_BIT, 0);
	bhs[2] = p->response;
	put_be32_at(bhs, BHS_ITT, p->itt);
	put_sn(bhs, &p->sn);
}

void strix_iscsi_build_logout_rsp(u8 bhs[STRIX_ISCSI_BHS_LEN],
				  const struct strix_iscsi_logout_rsp *p)
{
	bhs_start(bhs, STRIX_ISCSI_OP_LOGOUT_RSP, STRIX_ISCSI_F_BIT, 0);
	bhs[2] = p->response;
	put_be32_at(bhs, BHS_ITT, p->itt);
	put_sn(bhs, &p->sn);
	put_be16(bhs + 40, p->time2wait);
	put_be16(bhs + 42, p->time2retain);
}

void strix_iscsi_build_text_rsp(u8 bhs[STRIX_ISCSI_BHS_LEN],
				const struct strix_iscsi_text_rsp *p)
{
	u8 flags = (p->final ? STRIX_ISCSI_F_BIT : 0) |
		   (p->cont ? STRIX_ISCSI_TEXT_C : 0);

	bhs_start(bhs, STRIX_ISCSI_OP_TEXT_RSP, flags, p->dsl);
	memcpy(bhs + BHS_LUN, p->lun, sizeof(p->lun));
	put_be32_at(bhs, BHS_ITT, p->itt);
	put_be32_at(bhs, 20, p->ttt);
	put_sn(bhs, &p->sn);
}

void strix_iscsi_build_reject(u8 bhs[STRIX_ISCSI_BHS_LEN],
			      const struct strix_iscsi_reject *p)
{
	bhs_start(bhs, STRIX_ISCSI_OP_REJECT, STRIX_ISCSI_F_BIT, p->dsl);
	bhs[2] = p->reason;
	put_be32_at(bhs, BHS_ITT, STRIX_ISCSI_RSVD_TAG);
	put_sn(bhs, &p->sn);
	put_be32_at(bhs, 36, p->data_sn);
}

void strix_iscsi_build_async_msg(u8 bhs[STRIX_ISCSI_BHS_LEN],
				 const struct strix_iscsi_async_msg *p)
{
	bhs_start(bhs, STRIX_ISCSI_OP_ASYNC_MSG, STRIX_ISCSI_F_BIT, p->dsl);
	memcpy(bhs + BHS_LUN, p->lun, sizeof(p->lun));
	put_be32_at(bhs, BHS_ITT, STRIX_ISCSI_RSVD_TAG);
	put_sn(bhs, &p->sn);
	bhs[36] = p->event;
	bhs[37] = p->vcode;
	put_be16(bhs + 38, p->param[0]);
	put_be16(bhs + 40, p->param[1]);
	put_be16(bhs + 42, p->param[2]);
}

/* ---- digests ---- */

u32 strix_iscsi_crc_update(u32 crc, const void *p, size_t len)
{
	return strix_iscsi_crc32c_update(crc, p, len);
}

u32 strix_iscsi_crc_pad(u32 crc, u32 len)
{
	static const u8 zeros[STRIX_ISCSI_PAD - 1];
	u32 pad = strix_iscsi_pad_len(len);

	return pad ? strix_iscsi_crc32c_update(crc, zeros, pad) : crc;
}

u32 strix_iscsi_header_digest(const void *hdr, size_t len)
{
	return strix_iscsi_crc_end(strix_iscsi_crc_update(strix_iscsi_crc_begin(),
							  hdr, len));
}

u32 strix_iscsi_data_digest(const void *data, u32 len)
{
	u32 crc = strix_iscsi_crc_update(strix_iscsi_crc_begin(), data, len);

	return strix_iscsi_crc_end(strix_iscsi_crc_pad(crc, len));
}

/* least significant byte first */
void strix_iscsi_put_digest(u8 *p, u32 digest)
{
	p[0] = digest;
	p[1] = digest >> 8;
	p[2] = digest >> 16;
	p[3] = digest >> 24;
}

u32 strix_iscsi_get_digest(const u8 *p)
{
	return (u32)p[3] << 24 | (u32)p[2] << 16 | (u32)p[1] << 8 | p[0];
}
