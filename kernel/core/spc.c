// SPDX-License-Identifier: GPL-2.0
/*
 * The commands the core answers itself (SPC-4, SBC-3): INQUIRY and its VPD
 * pages, MODE SENSE (its pages from mode.c), READ CAPACITY, REQUEST SENSE, REPORT LUNS and the
 * commands without data; and the generated identifiers of a device.
 *
 * The CDB has been checked by the parser (cdb.c) before strix_emulate()
 * runs; what is checked here are the fields that select what to answer
 * (page codes, page control, SELECT REPORT).
 *
 * Every response is written front to back through a struct spc_out, which
 * stores the bytes that fit in the caller's buffer and counts all of them:
 * an allocation length shorter than the response truncates it, and the
 * full length is still known for the residual.  Length fields are patched
 * in once a response is complete.  Nothing here allocates or keeps state.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include <strix/target.h>

#include "scsi.h"

/* INQUIRY */
#define SPC_INQ_EVPD		0x01	/* CDB byte 1 */
#define SPC_PQ_NOT_CONNECTED	0x7f	/* qualifier 3, type 1fh */
#define SPC_INQ_RMB		0x80	/* byte 1 */
#define SPC_INQ_VERSION_SPC4	0x06	/* byte 2 */
#define SPC_INQ_HISUP		0x10	/* byte 3 */
#define SPC_INQ_RESP_FORMAT	0x02	/* byte 3 */
#define SPC_INQ_3PC		0x08	/* byte 5 */
#define SPC_INQ_CMDQUE		0x02	/* byte 7 */
#define SPC_INQ_STD_LEN		96
#define SPC_INQ_VERSION_DESCS	8	/* bytes 58..73 */

/* Version descriptors (SPC-4 table of standards, "no version claimed"). */
#define SPC_VD_SAM5		0x00a0
#define SPC_VD_SPC4		0x0460
#define SPC_VD_SBC3		0x04c0

/* VPD page codes */
#define SPC_VPD_SUPPORTED	0x00
#define SPC_VPD_SERIAL		0x80
#define SPC_VPD_DEVID		0x83
#define SPC_VPD_3PC		0x8f	/* third-party copy */
#define SPC_VPD_BLOCK_LIMITS	0xb0
#define SPC_VPD_BDC		0xb1	/* block device characteristics */
#define SPC_VPD_LBP		0xb2	/* logical block provisioning */

/* Designation descriptor fields (VPD page 83h) */
#define SPC_CODESET_BINARY	0x1
#define SPC_CODESET_ASCII	0x2
#define SPC_ASSOC_LU		0x00
#define SPC_ASSOC_TGT_PORT	0x10
#define SPC_DESIG_T10		0x1
#define SPC_DESIG_EUI64		0x2
#define SPC_DESIG_NAA		0x3
#define SPC_DESIG_REL_PORT	0x4
#define SPC_DESIG_TPG		0x5

/* Upper bounds on identity strings from sysfs, to keep fields in range. */
#define SPC_SERIAL_MAX		255
#define SPC_T10_DEV_ID_MAX	(255 - 8)	/* 8 bytes of vendor before it */

/*
 * Largest transfer reported in the Block Limits page.
 * TODO: one constant shared with the parser (cdb.c) once it enforces one.
 */
#define SPC_MAX_XFER_BYTES	(8U << 20)

/* MODE SENSE */
#define SPC_MS_DBD		0x08	/* CDB byte 1 */
#define SPC_MS_LLBAA		0x10	/* CDB byte 1, MODE SENSE(10) only */
#define SPC_MODE_ALL_PAGES	0x3f
#define SPC_MODE_ALL_SUBPAGES	0xff
#define SPC_MODE_CACHING	0x08
#define SPC_MODE_CONTROL	0x0a
#define SPC_DSP_WP		0x80	/* device-specific parameter */
#define SPC_DSP_DPOFUA		0x10
#define SPC_MS10_LONGLBA	0x01	/* MODE SENSE(10) header byte 4 */

/* REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS */
#define SPC_RSTMF_REPD		0x80	/* CDB byte 2 */
#define SPC_RSTMF_ATS		0x80	/* byte 0: ABORT TASK */
#define SPC_RSTMF_ATSS		0x40	/* ABORT TASK SET */
#define SPC_RSTMF_CTSS		0x10	/* CLEAR TASK SET */
#define SPC_RSTMF_LURS		0x08	/* LOGICAL UNIT RESET */
#define SPC_RSTMF_QTS		0x04	/* QUERY TASK */
#define SPC_RSTMF_TRS		0x02	/* TARGET RESET */
#define SPC_RSTMF_QAES		0x04	/* byte 1: QUERY ASYNCHRONOUS EVENT */
#define SPC_RSTMF_QTSS		0x02	/* QUERY TASK SET */
#define SPC_RSTMF_ITNRS		0x01	/* I_T NEXUS RESET */

/* READ CAPACITY */
#define SPC_RC16_LBPME		0x80	/* byte 14 */
#define SPC_RC16_LBPRZ		0x40

/* Block Limits and Logical Block Provisioning VPD pages */
#define SPC_BL_UGAVALID		0x80000000U
#define SPC_LBP_LBPU		0x80	/* byte 5 */
#define SPC_LBP_LBPWS		0x40
#define SPC_LBP_LBPWS10		0x20
#define SPC_LBP_LBPRZ		0x04
#define SPC_LBP_THIN		0x02	/* byte 6: provisioning type */

/* REQUEST SENSE */
#define SPC_RS_DESC		0x01	/* CDB byte 1 */
#define SPC_SENSE_FIXED		0x70
#define SPC_SENSE_DESC		0x72
#define SPC_SENSE_FIXED_LEN	18
#define SPC_ASC_LUN_NOT_SUPPORTED	0x25

/* REPORT LUNS */
#define SPC_SELECT_LUS		0x00
#define SPC_SELECT_WLUS		0x01
#define SPC_SELECT_ALL		0x02
#define SPC_WLUN_REPORT_LUNS	0xc101000000000000ULL	/* as on the wire */

/*
 * Where a response goes: @len bytes of room at @buf; @pos counts every
 * byte produced, also those past @len.
 */
struct spc_out {
	u8	*buf;
	u32	len;
	u32	pos;
};

/* Append @n bytes from @src, or @n copies of @fill when @src is NULL. */
static void spc_emit(struct spc_out *o, const void *src, u8 fill, u32 n)
{
	if (o->pos < o->len) {
		u32 room = min(n, o->len - o->pos);

		if (src)
			memcpy(o->buf + o->pos, src, room);
		else
			memset(o->buf + o->pos, fill, room);
	}
	o->pos += n;
}

static void spc_bytes(struct spc_out *o, const void *src, u32 n)
{
	spc_emit(o, src, 0, n);
}

static void spc_zero(struct spc_out *o, u32 n)
{
	spc_emit(o, NULL, 0, n);
}

static void spc_u8(struct spc_out *o, u8 v)
{
	spc_emit(o, &v, 0, 1);
}

/*
 * Big-endian fields.  Written byte by byte rather than with the unaligned
 * helpers, whose header moved in 6.12 (<asm/unaligned.h> is gone there).
 */
static void spc_put_be(u8 *p, u64 v, unsigned int n)
{
	while (n--) {
		p[n] = v;
		v >>= 8;
	}
}

static void spc_be(struct spc_out *o, u64 v, unsigned int n)
{
	u8 b[8];

	spc_put_be(b, v, n);
	spc_bytes(o, b, n);
}

static void spc_be16(struct spc_out *o, u16 v)
{
	spc_be(o, v, 2);
}

static void spc_be32(struct spc_out *o, u32 v)
{
	spc_be(o, v, 4);
}

static void spc_be64(struct spc_out *o, u64 v)
{
	spc_be(o, v, 8);
}

/* An ASCII field of @width bytes: @s (may be NULL), padded with spaces. */
static void spc_ascii(struct spc_out *o, const char *s, u32 width)
{
	u32 n = s ? strnlen(s, width) : 0;

	spc_bytes(o, s, n);
	spc_emit(o, NULL, ' ', width - n);
}

/* Overwrite the part of [@off, @off + @n) that is in the buffer. */
static void spc_patch(struct spc_out *o, u32 off, const void *src, u32 n)
{
	if (off < o->len)
		memcpy(o->buf + off, src, min(n, o->len - off));
}

/* Overwrite the big-endian field of @n bytes at @off. */
static void spc_patch_be(struct spc_out *o, u32 off, u64 v, unsigned int n)
{
	u8 b[8];

	spc_put_be(b, v, n);
	spc_patch(o, off, b, n);
}

/* ---- Generated identifiers ---------------------------------------------- */

#define SPC_FNV64_OFFSET	0xcbf29ce484222325ULL
#define SPC_FNV64_PRIME		0x00000100000001b3ULL

static u64 spc_fnv1a64(u64 h, const void *data, size_t n)
{
	const u8 *p = data;

	while (n--) {
		h ^= *p++;
		h *= SPC_FNV64_PRIME;
	}
	return h;
}

/* The MurmurHash3 finaliser: spreads every input bit over the whole word. */
static u64 spc_mix64(u64 k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/**
 * strix_dev_ident_derive() - generated identifiers of a device
 * @setup_id: the box's setup_id
 * @name:     the device's name (NULL is taken as "")
 * @serial:   17 bytes: set to 16 lowercase hex digits and a NUL
 * @naa:      set to a locally assigned NAA designator (NAA 3h)
 * @eui64:    set to an EUI-64 designator
 *
 * The hash is 64-bit FNV-1a over the four bytes of @setup_id in
 * little-endian order, then the bytes of @name, spread by a 64-bit
 * finaliser.  Only byte operations and 64-bit arithmetic are involved, so
 * the result is the same on every architecture and kernel: these are the
 * identities initiators have stored, and must never change for a given
 * (setup_id, name).
 */
void strix_dev_ident_derive(u32 setup_id, const char *name, char *serial,
			    u8 naa[8], u8 eui64[8])
{
	u8 seed[4] = { setup_id, setup_id >> 8, setup_id >> 16, setup_id >> 24 };
	u64 h, e;

	h = spc_fnv1a64(SPC_FNV64_OFFSET, seed, sizeof(seed));
	if (name)
		h = spc_fnv1a64(h, name, strlen(name));
	h = spc_mix64(h);

	snprintf(serial, 17, "%016llx", h);

	/* NAA 3h: the NAA nibble, then 60 bits of locally administered value. */
	spc_put_be(naa, (3ULL << 60) | (h & GENMASK_ULL(59, 0)), 8);

	/*
	 * EUI-64 from a second, independent word.  The company ID part has the
	 * "locally administered" bit set and the group bit clear, as an IEEE
	 * CID has: it is not a registered OUI.
	 */
	e = spc_mix64(h ^ 0x9e3779b97f4a7c15ULL);
	spc_put_be(eui64, e, 8);
	eui64[0] = (eui64[0] & ~0x01) | 0x02;
}
EXPORT_SYMBOL_GPL(strix_dev_ident_derive);

/* ---- INQUIRY ------------------------------------------------------------- */

/* Used when the caller has no identity to give (a LUN that does not exist). */
static const struct strix_dev_ident spc_no_ident;

static const struct strix_dev_ident *spc_ident(const struct strix_emul_ctx *ctx)
{
	return ctx->ident ?: &spc_no_ident;
}

/* Byte 0 of INQUIRY data and of every VPD page. */
static u8 spc_peripheral(const struct strix_emul_ctx *ctx)
{
	if (!ctx->dp)
		return SPC_PQ_NOT_CONNECTED;
	return ctx->dp->scsi_type & 0x1f;	/* qualifier 0: connected */
}

static bool spc_is_disk(const struct strix_emul_ctx *ctx)
{
	return ctx->dp && ctx->dp->scsi_type == TYPE_DISK;
}

static void spc_inquiry_std(const struct strix_emul_ctx *ctx,
			    struct spc_out *o)
{
	const struct strix_dev_ident *id = spc_ident(ctx);
	u16 vd[SPC_INQ_VERSION_DESCS] = { SPC_VD_SAM5, SPC_VD_SPC4 };
	unsigned int i;

	if (spc_is_disk(ctx))
		vd[2] = SPC_VD_SBC3;

	spc_u8(o, spc_peripheral(ctx));
	spc_u8(o, ctx->dp && ctx->dp->removable ? SPC_INQ_RMB : 0);
	spc_u8(o, SPC_INQ_VERSION_SPC4);
	spc_u8(o, SPC_INQ_HISUP | SPC_INQ_RESP_FORMAT);
	spc_u8(o, SPC_INQ_STD_LEN - 5);		/* additional length */
	/* TPGS (ALUA); 3PC on disks (EXTENDED COPY, xcopy.c); no SCCS, PROTECT */
	spc_u8(o, (id->tpgs & 0x03) << 4 | (spc_is_disk(ctx) ? SPC_INQ_3PC : 0));
	spc_u8(o, 0);		/* ENCSERV MULTIP */
	spc_u8(o, SPC_INQ_CMDQUE);
	spc_ascii(o, id->vendor, 8);
	spc_ascii(o, id->product, 16);
	spc_ascii(o, id->revision, 4);
	spc_zero(o, 20);	/* 36..55: vendor specific */
	spc_zero(o, 2);		/* 56: CLOCKING QAS IUS, 57: reserved */
	for (i = 0; i < ARRAY_SIZE(vd); i++)
		spc_be16(o, vd[i]);
	spc_zero(o, SPC_INQ_STD_LEN - o->pos);	/* 74..95: reserved */
}

static void spc_vpd_supported(const struct strix_emul_ctx *ctx,
			      struct spc_out *o);

static void spc_vpd_serial(const struct strix_emul_ctx *ctx, struct spc_out *o)
{
	const char *serial = spc_ident(ctx)->serial;

	if (serial)
		spc_bytes(o, serial, strnlen(serial, SPC_SERIAL_MAX));
}

static void spc_desig_hdr(struct spc_out *o, u8 codeset, u8 piv_assoc_type,
			  u8 len)
{
	/*
	 * PIV stays clear, so the protocol identifier (0) means nothing:
	 * with PIV set it would claim Fibre Channel.  The transport's own
	 * identifier comes when strix_dev_ident carries it.
	 */
	spc_u8(o, codeset);
	spc_u8(o, piv_assoc_type);
	spc_u8(o, 0);
	spc_u8(o, len);
}

static void spc_vpd_devid(const struct strix_emul_ctx *ctx, struct spc_out *o)
{
	const struct strix_dev_ident *id = spc_ident(ctx);
	u32 n;

	if (id->naa_len == 8 || id->naa_len == 16) {
		spc_desig_hdr(o, SPC_CODESET_BINARY,
			      SPC_ASSOC_LU | SPC_DESIG_NAA, id->naa_len);
		spc_bytes(o, id->naa, id->naa_len);
	}

	/* T10 vendor ID: the vendor padded to 8, then the device's own id. */
	n = id->t10_dev_id ? strnlen(id->t10_dev_id, SPC_T10_DEV_ID_MAX) : 0;
	spc_desig_hdr(o, SPC_CODESET_ASCII, SPC_ASSOC_LU | SPC_DESIG_T10, 8 + n);
	spc_ascii(o, id->vendor, 8);
	spc_bytes(o, id->t10_dev_id, n);

	spc_desig_hdr(o, SPC_CODESET_BINARY, SPC_ASSOC_LU | SPC_DESIG_EUI64,
		      sizeof(id->eui64));
	spc_bytes(o, id->eui64, sizeof(id->eui64));

	/* Relative target port identifier 0 is reserved: 0 means "unknown". */
	if (id->rel_tgt_id) {
		spc_desig_hdr(o, SPC_CODESET_BINARY,
			      SPC_ASSOC_TGT_PORT | SPC_DESIG_REL_PORT, 4);
		spc_be16(o, 0);
		spc_be16(o, id->rel_tgt_id);
	}
	if (id->tpg_id) {
		spc_desig_hdr(o, SPC_CODESET_BINARY,
			      SPC_ASSOC_TGT_PORT | SPC_DESIG_TPG, 4);
		spc_be16(o, 0);
		spc_be16(o, id->tpg_id);
	}
}

/* Third-party copy descriptor types (SPC-4 7.8.17). */
#define SPC_3PC_SUPPORTED_CMDS		0x0001
#define SPC_3PC_PARAMETER_DATA		0x0004
#define SPC_3PC_SUPPORTED_DESCS		0x0008
#define SPC_3PC_SUPPORTED_CSCD_IDS	0x000c

/* A third-party copy descriptor's header; its length is patched. */
static u32 spc_3pc_desc_start(struct spc_out *o, u16 type)
{
	u32 start = o->pos;

	spc_be16(o, type);
	spc_be16(o, 0);
	return start;
}

/* Pad the descriptor to a multiple of 4 bytes and set its length. */
static void spc_3pc_desc_end(struct spc_out *o, u32 start)
{
	spc_zero(o, (4 - (o->pos - start) % 4) % 4);
	spc_patch_be(o, start + 2, o->pos - start - 4, 2);
}

/*
 * The third-party copy page: what EXTENDED COPY (LID1) and RECEIVE COPY
 * RESULTS support (core/xcopy.c) and their limits.  No ROD (LID4)
 * descriptors, no CSCD descriptor IDs beyond the list's own indexes.
 */
static void spc_vpd_3pc(const struct strix_emul_ctx *ctx, struct spc_out *o)
{
	static const u8 cmds[] = {
		EXTENDED_COPY, 1, 0x00,				/* LID1 */
		RECEIVE_COPY_RESULTS, 3, 0x00, 0x03, 0x04,	/* status, params, failed */
	};
	static const u8 descs[] = { STRIX_XCOPY_DESC_B2B, STRIX_XCOPY_DESC_CSCD_ID };
	u32 d;

	d = spc_3pc_desc_start(o, SPC_3PC_SUPPORTED_CMDS);
	spc_u8(o, sizeof(cmds));
	spc_bytes(o, cmds, sizeof(cmds));
	spc_3pc_desc_end(o, d);

	d = spc_3pc_desc_start(o, SPC_3PC_PARAMETER_DATA);
	spc_zero(o, 4);
	spc_be16(o, STRIX_XCOPY_MAX_CSCDS);
	spc_be16(o, STRIX_XCOPY_MAX_SEGMENTS);
	spc_be32(o, STRIX_XCOPY_MAX_LIST_LEN);
	spc_be32(o, 0);		/* maximum inline data length */
	spc_zero(o, 12);
	spc_3pc_desc_end(o, d);

	d = spc_3pc_desc_start(o, SPC_3PC_SUPPORTED_DESCS);
	spc_u8(o, sizeof(descs));
	spc_bytes(o, descs, sizeof(descs));
	spc_3pc_desc_end(o, d);

	d = spc_3pc_desc_start(o, SPC_3PC_SUPPORTED_CSCD_IDS);
	spc_be16(o, 0);		/* no CSCD descriptor IDs */
	spc_3pc_desc_end(o, d);
}

static void spc_vpd_block_limits(const struct strix_emul_ctx *ctx,
				 struct spc_out *o)
{
	const struct strix_dev_params *dp = ctx->dp;
	u32 max = dp->block_size ? SPC_MAX_XFER_BYTES / dp->block_size : 0;
	u32 gran = dp->thin_provisioned ? dp->unmap_granularity : 0;
	u64 bs = dp->block_size ?: 1;

	spc_u8(o, 0);		/* WSNZ 0: WRITE SAME of 0 blocks is to the end */
	spc_u8(o, STRIX_MAX_CAW_BLOCKS);	/* maximum COMPARE AND WRITE length */
	spc_be16(o, 0);		/* optimal transfer length granularity */
	spc_be32(o, max);	/* maximum transfer length */
	spc_be32(o, max ? min(dp->opt_xfer_blocks, max) : dp->opt_xfer_blocks);
	spc_be32(o, 0);		/* maximum prefetch length */
	/* UNMAP limits (core/thin.c): only where UNMAP exists */
	spc_be32(o, dp->thin_provisioned ? STRIX_MAX_UNMAP_BYTES / bs : 0);
	spc_be32(o, dp->thin_provisioned ? STRIX_MAX_UNMAP_DESCS : 0);
	spc_be32(o, gran);	/* optimal UNMAP granularity */
	/* UGAVALID, UNMAP granularity alignment */
	spc_be32(o, gran ? SPC_BL_UGAVALID | (dp->unmap_alignment % gran) : 0);
	spc_be64(o, STRIX_MAX_WRITE_SAME_BYTES / bs);
	/* WRITE ATOMIC(16): within the maximum transfer length */
	spc_be32(o, max ? min_t(u32, STRIX_MAX_ATOMIC_BLOCKS, max) :
			  STRIX_MAX_ATOMIC_BLOCKS);
	spc_be32(o, 0);		/* atomic alignment: any */
	spc_be32(o, 0);		/* atomic transfer length granularity: any */
	spc_be32(o, 0);		/* maximum atomic transfer length with boundary */
	spc_be32(o, 0);		/* maximum atomic boundary size */
}

static void spc_vpd_bdc(const struct strix_emul_ctx *ctx, struct spc_out *o)
{
	/* Medium rotation rate: 1 is "non-rotating", 0 "not reported". */
	spc_be16(o, ctx->dp->rotational ? 0 : 1);
	spc_u8(o, 0);		/* product type */
	spc_u8(o, 0);		/* WABEREQ WACEREQ, nominal form factor */
	spc_zero(o, 56);	/* 8..63 */
}

/*
 * Logical block provisioning: UNMAP (LBPU) and WRITE SAME(16)/(10) with
 * UNMAP (LBPWS, LBPWS10) exist exactly when the device is thin
 * provisioned; LBPRZ says deallocated blocks read back as zeroes, which
 * only the handler knows.  No anchored state (ANC_SUP 0), no provisioning
 * group descriptor (DP 0).
 */
static void spc_vpd_lbp(const struct strix_emul_ctx *ctx, struct spc_out *o)
{
	const struct strix_dev_params *dp = ctx->dp;
	u8 b = 0;

	if (dp->thin_provisioned)
		b = SPC_LBP_LBPU | SPC_LBP_LBPWS | SPC_LBP_LBPWS10 |
		    (dp->unmap_zeroes ? SPC_LBP_LBPRZ : 0);
	spc_u8(o, 0);		/* threshold exponent */
	spc_u8(o, b);
	spc_u8(o, dp->thin_provisioned ? SPC_LBP_THIN : 0);	/* provisioning type */
	spc_u8(o, 0);		/* threshold percentage */
}

struct spc_vpd_page {
	u8	code;
	bool	disk_only;	/* SBC pages */
	void	(*body)(const struct strix_emul_ctx *ctx, struct spc_out *o);
};

/* In ascending page code order: page 00h lists them in this order. */
static const struct spc_vpd_page spc_vpd_pages[] = {
	{ SPC_VPD_SUPPORTED,	false,	spc_vpd_supported },
	{ SPC_VPD_SERIAL,	false,	spc_vpd_serial },
	{ SPC_VPD_DEVID,	false,	spc_vpd_devid },
	{ SPC_VPD_3PC,		true,	spc_vpd_3pc },
	{ SPC_VPD_BLOCK_LIMITS,	true,	spc_vpd_block_limits },
	{ SPC_VPD_BDC,		true,	spc_vpd_bdc },
	{ SPC_VPD_LBP,		true,	spc_vpd_lbp },
};

/* A LUN that does not exist answers only page 00h (listing itself). */
static bool spc_vpd_available(const struct strix_emul_ctx *ctx,
			      const struct spc_vpd_page *v)
{
	if (!ctx->dp)
		return v->code == SPC_VPD_SUPPORTED;
	return !v->disk_only || spc_is_disk(ctx);
}

static void spc_vpd_supported(const struct strix_emul_ctx *ctx,
			      struct spc_out *o)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(spc_vpd_pages); i++)
		if (spc_vpd_available(ctx, &spc_vpd_pages[i]))
			spc_u8(o, spc_vpd_pages[i].code);
}

static strix_sense_t spc_inquiry(struct strix_cmd *cmd,
				 const struct strix_emul_ctx *ctx,
				 struct spc_out *o)
{
	u8 page = cmd->cdb[2];
	unsigned int i;

	if (!(cmd->cdb[1] & SPC_INQ_EVPD)) {
		if (page)
			return strix_invalid_field(cmd, 2, -1);
		spc_inquiry_std(ctx, o);
		return STRIX_OK;
	}

	for (i = 0; i < ARRAY_SIZE(spc_vpd_pages); i++) {
		const struct spc_vpd_page *v = &spc_vpd_pages[i];

		if (v->code != page || !spc_vpd_available(ctx, v))
			continue;
		spc_u8(o, spc_peripheral(ctx));
		spc_u8(o, page);
		spc_be16(o, 0);			/* page length: patched */
		v->body(ctx, o);
		spc_patch_be(o, 2, o->pos - 4, 2);
		return STRIX_OK;
	}
	return strix_invalid_field(cmd, 2, -1);
}

/* ---- READ CAPACITY ------------------------------------------------------- */

static u64 spc_last_lba(const struct strix_dev_params *dp)
{
	u64 n = READ_ONCE(dp->nr_blocks);

	return n ? n - 1 : 0;
}

static strix_sense_t spc_read_capacity_10(struct strix_cmd *cmd,
					  const struct strix_emul_ctx *ctx,
					  struct spc_out *o)
{
	/* FFFFFFFFh: "too large, use READ CAPACITY(16)". */
	spc_be32(o, min_t(u64, spc_last_lba(ctx->dp), U32_MAX));
	spc_be32(o, ctx->dp->block_size);
	return STRIX_OK;
}

static strix_sense_t spc_read_capacity_16(struct strix_cmd *cmd,
					  const struct strix_emul_ctx *ctx,
					  struct spc_out *o)
{
	const struct strix_dev_params *dp = ctx->dp;

	spc_be64(o, spc_last_lba(dp));
	spc_be32(o, dp->block_size);
	spc_u8(o, 0);		/* P_TYPE PROT_EN */
	spc_u8(o, 0);		/* P_I_EXPONENT, LB per PB exponent */
	/* LBPME LBPRZ, lowest aligned LBA */
	spc_u8(o, dp->thin_provisioned ? SPC_RC16_LBPME |
		  (dp->unmap_zeroes ? SPC_RC16_LBPRZ : 0) : 0);
	spc_u8(o, 0);
	spc_zero(o, 16);	/* 16..31: reserved */
	return STRIX_OK;
}

/* ---- MODE SENSE ---------------------------------------------------------- */

/*
 * The pages come from mode.c (strix_mode_page()), which MODE SELECT
 * checks against too: caching (08h) and control (0Ah), in ascending page
 * code order as page 3Fh returns them.
 */
static const u8 spc_mode_pages[] = { SPC_MODE_CACHING, SPC_MODE_CONTROL };

static strix_sense_t spc_mode_sense(struct strix_cmd *cmd,
				    const struct strix_emul_ctx *ctx,
				    struct spc_out *o, bool ten)
{
	const struct strix_dev_params *dp = ctx->dp;
	const u8 *cdb = cmd->cdb;
	bool dbd = cdb[1] & SPC_MS_DBD;
	bool llbaa = ten && (cdb[1] & SPC_MS_LLBAA);
	u8 pc = cdb[2] >> 6;
	u8 page = cdb[2] & 0x3f;
	u8 subpage = cdb[3];
	u64 nr_blocks = READ_ONCE(dp->nr_blocks);
	u8 dsp = 0, bd_len = 0;
	bool found = false;
	unsigned int i;

	/* PC 3 (saved): the defaults until MODE SELECT saved pages */
	if (page == SPC_MODE_ALL_PAGES) {
		if (subpage && subpage != SPC_MODE_ALL_SUBPAGES)
			return strix_invalid_field(cmd, 3, -1);
	} else {
		for (i = 0; i < ARRAY_SIZE(spc_mode_pages); i++)
			found |= spc_mode_pages[i] == page;
		if (!found)
			return strix_invalid_field(cmd, 2, 5);
		if (subpage)
			return strix_invalid_field(cmd, 3, -1);
	}

	if (spc_is_disk(ctx))
		dsp = (ctx->read_only || dp->read_only ? SPC_DSP_WP : 0) |
		      SPC_DSP_DPOFUA;
	if (!dbd)
		bd_len = llbaa ? 16 : 8;

	/* Header: the mode data length is patched at the end. */
	if (ten) {
		spc_be16(o, 0);
		spc_u8(o, 0);		/* medium type */
		spc_u8(o, dsp);
		spc_u8(o, llbaa && !dbd ? SPC_MS10_LONGLBA : 0);
		spc_u8(o, 0);
		spc_be16(o, bd_len);
	} else {
		spc_u8(o, 0);
		spc_u8(o, 0);
		spc_u8(o, dsp);
		spc_u8(o, bd_len);
	}

	/* Block descriptor: current values whatever PC says. */
	if (bd_len == 16) {
		spc_be64(o, nr_blocks);
		spc_be32(o, 0);
		spc_be32(o, dp->block_size);
	} else if (bd_len == 8) {
		spc_be32(o, min_t(u64, nr_blocks, U32_MAX));
		spc_u8(o, 0);		/* density code */
		spc_u8(o, dp->block_size >> 16);
		spc_be16(o, dp->block_size & 0xffff);
	}

	for (i = 0; i < ARRAY_SIZE(spc_mode_pages); i++) {
		u8 pg[STRIX_MODE_PAGE_MAX];

		if (page == SPC_MODE_ALL_PAGES || page == spc_mode_pages[i])
			spc_bytes(o, pg, strix_mode_page(spc_mode_pages[i], pc,
							 &ctx->mode, pg));
	}

	if (ten)
		spc_patch_be(o, 0, o->pos - 2, 2);
	else
		spc_patch_be(o, 0, o->pos - 1, 1);
	return STRIX_OK;
}

static strix_sense_t spc_mode_sense_6(struct strix_cmd *cmd,
				      const struct strix_emul_ctx *ctx,
				      struct spc_out *o)
{
	return spc_mode_sense(cmd, ctx, o, false);
}

static strix_sense_t spc_mode_sense_10(struct strix_cmd *cmd,
				       const struct strix_emul_ctx *ctx,
				       struct spc_out *o)
{
	return spc_mode_sense(cmd, ctx, o, true);
}

/* ---- REQUEST SENSE, REPORT LUNS, the rest -------------------------------- */

/*
 * No pending condition to report (the caller answers a pending unit
 * attention itself): NO SENSE, or LOGICAL UNIT NOT SUPPORTED for a LUN
 * that does not exist, both with GOOD status.
 */
static strix_sense_t spc_request_sense(struct strix_cmd *cmd,
				       const struct strix_emul_ctx *ctx,
				       struct spc_out *o)
{
	u8 key = ctx->dp ? NO_SENSE : ILLEGAL_REQUEST;
	u8 asc = ctx->dp ? 0 : SPC_ASC_LUN_NOT_SUPPORTED;

	if (cmd->cdb[1] & SPC_RS_DESC) {
		spc_u8(o, SPC_SENSE_DESC);
		spc_u8(o, key);
		spc_u8(o, asc);
		spc_u8(o, 0);		/* ASCQ */
		spc_zero(o, 3);
		spc_u8(o, 0);		/* additional length: no descriptors */
	} else {
		spc_u8(o, SPC_SENSE_FIXED);
		spc_u8(o, 0);
		spc_u8(o, key);
		spc_be32(o, 0);		/* information */
		spc_u8(o, SPC_SENSE_FIXED_LEN - 8);
		spc_be32(o, 0);		/* command-specific information */
		spc_u8(o, asc);
		spc_u8(o, 0);		/* ASCQ */
		spc_u8(o, 0);		/* FRU code */
		spc_zero(o, 3);		/* sense-key specific */
	}
	return STRIX_OK;
}

static strix_sense_t spc_report_luns(struct strix_cmd *cmd,
				     const struct strix_emul_ctx *ctx,
				     struct spc_out *o)
{
	bool lus, wlus;
	unsigned int i;

	switch (cmd->cdb[2]) {
	case SPC_SELECT_LUS:
		lus = true;
		wlus = false;
		break;
	case SPC_SELECT_WLUS:
		lus = false;
		wlus = true;
		break;
	case SPC_SELECT_ALL:
		lus = true;
		wlus = true;
		break;
	default:
		return strix_invalid_field(cmd, 2, -1);
	}

	spc_be32(o, 0);			/* LUN list length: patched */
	spc_be32(o, 0);
	if (lus) {
		for (i = 0; i < ctx->nr_luns && o->pos < o->len; i++) {
			u8 lun[8];

			strix_lun_to_wire(ctx->luns[i], lun);
			spc_bytes(o, lun, sizeof(lun));
		}
		/* Past the buffer: only count the rest. */
		o->pos += (ctx->nr_luns - i) * 8;
	}
	if (wlus)
		spc_be64(o, SPC_WLUN_REPORT_LUNS);
	spc_patch_be(o, 0, o->pos - 8, 4);
	return STRIX_OK;
}

/*
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS: what tmf.c carries out, for
 * every transport (a transport that cannot send a function never asks).
 * CLEAR ACA is refused (NACA is), WAKEUP is obsolete.  With REPD the
 * extended parameter data follows, its TMFTMOV 0: no timeouts given.
 */
static strix_sense_t spc_report_tmf(struct strix_cmd *cmd,
				    const struct strix_emul_ctx *ctx,
				    struct spc_out *o)
{
	bool repd = cmd->cdb[2] & SPC_RSTMF_REPD;

	spc_u8(o, SPC_RSTMF_ATS | SPC_RSTMF_ATSS | SPC_RSTMF_CTSS |
		  SPC_RSTMF_LURS | SPC_RSTMF_QTS | SPC_RSTMF_TRS);
	spc_u8(o, SPC_RSTMF_QAES | SPC_RSTMF_QTSS | SPC_RSTMF_ITNRS);
	spc_u8(o, 0);
	spc_u8(o, repd ? 0x0c : 0);	/* additional data length */
	if (repd)
		spc_zero(o, 12);
	return STRIX_OK;
}

/*
 * REPORT SUPPORTED OPERATION CODES: the parser's table says (cdb.c), for
 * this device: its ALUA mode (TPGS in INQUIRY) and provisioning.
 */
static strix_sense_t spc_report_opcodes(struct strix_cmd *cmd,
					const struct strix_emul_ctx *ctx,
					struct spc_out *o)
{
	struct strix_parse_ctx pctx = {
		.dp = ctx->dp,
		.alua = spc_ident(ctx)->tpgs != 0,
		.alua_explicit = spc_ident(ctx)->tpgs == 3,
	};
	u32 produced;
	strix_sense_t ret;

	ret = strix_cdb_report_opcodes(cmd, &pctx, o->buf, o->len, &produced);
	o->pos = produced;
	return ret;
}

/*
 * REPORT TARGET PORT GROUPS: the descriptors alua.c keeps for the device's
 * group (state, PREF, supported states, group id, status, ports), after
 * a 4-byte length header, or with the extended format (PARAMETER DATA
 * FORMAT 001b) an 8-byte one that adds the format and an implicit
 * transition time of 0 (not specified).
 */
static strix_sense_t spc_report_tpg(struct strix_cmd *cmd,
				    const struct strix_emul_ctx *ctx,
				    struct spc_out *o)
{
	bool ext = (cmd->cdb[1] >> 5) == 1;

	spc_be32(o, 0);			/* return data length: below */
	if (ext) {
		spc_u8(o, 0x10);	/* FORMAT TYPE 001b */
		spc_u8(o, 0);		/* IMPLICIT TRANSITION TIME */
		spc_zero(o, 2);
	}
	spc_bytes(o, ctx->rtpg, ctx->rtpg_len);
	spc_patch_be(o, 0, o->pos - 4, 4);
	return STRIX_OK;
}

/* TEST UNIT READY, START STOP UNIT, PREVENT ALLOW, PRE-FETCH: GOOD. */
static strix_sense_t spc_good(struct strix_cmd *cmd,
			      const struct strix_emul_ctx *ctx,
			      struct spc_out *o)
{
	return STRIX_OK;
}

struct spc_emul {
	strix_sense_t	(*fn)(struct strix_cmd *cmd,
			      const struct strix_emul_ctx *ctx,
			      struct spc_out *o);
	bool		any_lun;	/* also for a LUN that does not exist */
};

static const struct spc_emul spc_emuls[STRIX_EMUL_MAX] = {
	[STRIX_EMUL_TEST_UNIT_READY]	= { spc_good,		  false },
	[STRIX_EMUL_INQUIRY]		= { spc_inquiry,	  true },
	[STRIX_EMUL_REQUEST_SENSE]	= { spc_request_sense,	  true },
	[STRIX_EMUL_REPORT_LUNS]	= { spc_report_luns,	  true },
	[STRIX_EMUL_READ_CAPACITY_10]	= { spc_read_capacity_10, false },
	[STRIX_EMUL_READ_CAPACITY_16]	= { spc_read_capacity_16, false },
	[STRIX_EMUL_MODE_SENSE_6]	= { spc_mode_sense_6,	  false },
	[STRIX_EMUL_MODE_SENSE_10]	= { spc_mode_sense_10,	  false },
	[STRIX_EMUL_START_STOP_UNIT]	= { spc_good,		  false },
	[STRIX_EMUL_PREVENT_ALLOW]	= { spc_good,		  false },
	[STRIX_EMUL_PREFETCH]		= { spc_good,		  false },
	[STRIX_EMUL_REPORT_TMF]		= { spc_report_tmf,	  false },
	[STRIX_EMUL_REPORT_OPCODES]	= { spc_report_opcodes,	  false },
	[STRIX_EMUL_REPORT_TPG]		= { spc_report_tpg,	  false },
};

/**
 * strix_emulate() - answer the emulated command cmd->emul
 * @cmd:      the command; its CDB has been parsed
 * @ctx:      the device (NULL for a LUN that does not exist), identity and
 *            LUN list
 * @buf:      where the response data goes
 * @len:      room in @buf; at most this much is written
 * @produced: set to the full length of the response (0 on failure)
 *
 * Return: STRIX_OK, or why the command fails.  A command other than
 * INQUIRY, REQUEST SENSE and REPORT LUNS for a LUN that does not exist
 * fails with LUN NOT SUPPORTED (the parser normally refuses it first); an
 * unknown cmd->emul with INVALID OPCODE.
 */
strix_sense_t strix_emulate(struct strix_cmd *cmd,
			    const struct strix_emul_ctx *ctx,
			    u8 *buf, u32 len, u32 *produced)
{
	struct spc_out o = { .buf = buf, .len = len };
	const struct spc_emul *e;
	strix_sense_t ret;

	*produced = 0;
	if (cmd->emul >= ARRAY_SIZE(spc_emuls) || !spc_emuls[cmd->emul].fn)
		return STRIX_INVALID_OPCODE;
	e = &spc_emuls[cmd->emul];
	if (!ctx->dp && !e->any_lun)
		return STRIX_LUN_NOT_SUPPORTED;

	ret = e->fn(cmd, ctx, &o);
	if (ret == STRIX_OK)
		*produced = o.pos;
	return ret;
}
EXPORT_SYMBOL_GPL(strix_emulate);
