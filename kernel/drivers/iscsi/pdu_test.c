// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the iSCSI PDU codec (pdu.c): every opcode, every length
 * field, the AHS, the builders byte by byte at their RFC 7143 offsets,
 * padding, serial number arithmetic and the CRC32C examples of RFC 3720
 * appendix B.4 (kept by RFC 7143).  Loaded as strix_iscsi_test.ko on a
 * kernel with CONFIG_KUNIT.
 *
 * Expected bytes are written out here, not computed with the codec's own
 * helpers.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "pdu.h"

#define ITT	0x11223344U
#define MAXDSL	8192U

/*
 * Verdicts as the tables here write them, independent of the encoding of
 * strix_iscsi_verdict_t: vv() maps one to these.
 */
#define ACCEPT		0U
#define DROP		1U
#define REJ(r)		(0x100U | (r))
#define BAD_VERDICT	0xdeadU

static u32 vv(strix_iscsi_verdict_t v)
{
	if (v == STRIX_ISCSI_ACCEPT)
		return ACCEPT;
	if (v == STRIX_ISCSI_DROP)
		return DROP;
	if (strix_iscsi_is_reject(v))
		return REJ(strix_iscsi_reject_reason(v));
	return BAD_VERDICT;
}
#define PROTO		REJ(0x04)
#define NOTSUP		REJ(0x05)
#define FIELD		REJ(0x09)

static void put32(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static u32 get32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

/* A BHS with opcode byte @b0, flags @b1 and ITT 0x11223344. */
static void base_bhs(u8 *bhs, u8 b0, u8 b1)
{
	memset(bhs, 0, STRIX_ISCSI_BHS_LEN);
	bhs[0] = b0;
	bhs[1] = b1;
	put32(bhs + 16, ITT);
}

/* ---- the verdict type ---- */

static void verdict_test(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, strix_iscsi_is_reject(STRIX_ISCSI_ACCEPT));
	KUNIT_EXPECT_FALSE(test, strix_iscsi_is_reject(STRIX_ISCSI_DROP));
	KUNIT_EXPECT_TRUE(test, strix_iscsi_is_reject(STRIX_ISCSI_REJECT(0x09)));
	KUNIT_EXPECT_EQ(test, strix_iscsi_reject_reason(STRIX_ISCSI_REJECT(0x09)), 0x09);
	KUNIT_EXPECT_EQ(test, strix_iscsi_reject_reason(STRIX_ISCSI_REJECT(0x02)), 0x02);
	KUNIT_EXPECT_EQ(test, strix_iscsi_reject_reason(STRIX_ISCSI_DROP), 0);
	KUNIT_EXPECT_EQ(test, strix_iscsi_reject_reason(STRIX_ISCSI_ACCEPT), 0);
	KUNIT_EXPECT_TRUE(test, STRIX_ISCSI_DROP != STRIX_ISCSI_ACCEPT);
	KUNIT_EXPECT_EQ(test, vv(STRIX_ISCSI_REJECT(0x05)), REJ(0x05));
}

/* ---- every opcode: parsed, or refused with the right reason ---- */

static u32 opcode_verdict(u8 op)
{
	switch (op) {
	case 0x00: case 0x01: case 0x02: case 0x04: case 0x05: case 0x06:
	case 0x10:
		return ACCEPT;
	case 0x03:	/* Login in Full Feature Phase */
	case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25:
	case 0x26: case 0x31: case 0x32: case 0x3f:
		return PROTO;
	default:
		return NOTSUP;
	}
}

static void every_opcode_test(struct kunit *test)
{
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];
	unsigned int op;

	for (op = 0; op < 64; op++) {
		/*
		 * I and F set, and W for a command: valid for every request
		 * (0x20 would be a reserved Logout reason)
		 */
		base_bhs(bhs, op | 0x40, op == 0x06 ? 0x80 : 0x80 | 0x20);
		KUNIT_EXPECT_EQ_MSG(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)),
				    opcode_verdict(op), "opcode 0x%02x", op);
		KUNIT_EXPECT_EQ_MSG(test, pdu.opcode, op, "opcode 0x%02x", op);
		KUNIT_EXPECT_TRUE(test, pdu.immediate);
		KUNIT_EXPECT_EQ(test, pdu.itt, ITT);
		if (opcode_verdict(op) != ACCEPT)
			KUNIT_EXPECT_NOT_NULL(test, pdu.why);
	}
}

static void opcode_bits_test(struct kunit *test)
{
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	/* the reserved bit 7 of byte 0 is ignored, the I bit is not the opcode */
	base_bhs(bhs, 0x80 | 0x40 | 0x00, 0x80);
	KUNIT_EXPECT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_EQ(test, pdu.opcode, 0x00);
	KUNIT_EXPECT_TRUE(test, pdu.immediate);

	base_bhs(bhs, 0x01, 0x80);
	KUNIT_EXPECT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_FALSE(test, pdu.immediate);
	KUNIT_EXPECT_TRUE(test, pdu.final);
}

/* ---- decoding of each PDU, field by field ---- */

/* The SCSI Read (10) Command PDU of RFC 3720 appendix B.4. */
static const u8 rfc_read10[STRIX_ISCSI_BHS_LEN] = {
	0x01, 0xc0, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
	0x14, 0x00, 0x00, 0x00,  0x00, 0x00, 0x04, 0x00,
	0x00, 0x00, 0x00, 0x14,  0x00, 0x00, 0x00, 0x18,
	0x28, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00,  0x00, 0x00, 0x00, 0x00,
};

static void scsi_cmd_fields_test(struct kunit *test)
{
	static const u8 cdb[16] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 0x02, 0 };
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(rfc_read10, MAXDSL, &pdu)),
			ACCEPT);
	KUNIT_EXPECT_EQ(test, pdu.opcode, STRIX_ISCSI_OP_SCSI_CMD);
	KUNIT_EXPECT_FALSE(test, pdu.immediate);
	KUNIT_EXPECT_TRUE(test, pdu.final);
	KUNIT_EXPECT_TRUE(test, pdu.cmd.read);
	KUNIT_EXPECT_FALSE(test, pdu.cmd.write);
	KUNIT_EXPECT_EQ(test, pdu.cmd.attr, 0);
	KUNIT_EXPECT_EQ(test, pdu.ahs_len, 0);
	KUNIT_EXPECT_EQ(test, pdu.dsl, 0U);
	KUNIT_EXPECT_EQ(test, pdu.itt, 0x14000000U);
	KUNIT_EXPECT_EQ(test, pdu.cmd.exp_xfer_len, 1024U);
	KUNIT_EXPECT_EQ(test, pdu.cmd.cmd_sn, 0x14U);
	KUNIT_EXPECT_EQ(test, pdu.cmd.exp_stat_sn, 0x18U);
	KUNIT_EXPECT_EQ(test, memcmp(pdu.cmd.cdb, cdb, 16), 0);
	KUNIT_EXPECT_NULL(test, pdu.cmd.ext_cdb);
	KUNIT_EXPECT_FALSE(test, pdu.cmd.has_bidi_read_len);

	/* a simple-queued write with immediate data, LUN 1, 2 AHS words */
	base_bhs(bhs, 0x01, 0x80 | 0x20 | 0x01);
	bhs[4] = 2;
	bhs[5] = 0x00;
	bhs[6] = 0x02;
	bhs[7] = 0x00;
	bhs[9] = 0x01;
	put32(bhs + 20, 0x10000);
	put32(bhs + 24, 0xfffffffe);
	put32(bhs + 28, 7);
	bhs[32] = 0x2a;
	bhs[47] = 0x5a;
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_TRUE(test, pdu.cmd.write);
	KUNIT_EXPECT_FALSE(test, pdu.cmd.read);
	KUNIT_EXPECT_EQ(test, pdu.cmd.attr, STRIX_ISCSI_ATTR_SIMPLE);
	KUNIT_EXPECT_EQ(test, pdu.ahs_len, 8);
	KUNIT_EXPECT_EQ(test, pdu.dsl, 512U);
	KUNIT_EXPECT_EQ(test, pdu.cmd.lun[1], 0x01);
	KUNIT_EXPECT_EQ(test, pdu.cmd.exp_xfer_len, 0x10000U);
	KUNIT_EXPECT_EQ(test, pdu.cmd.cmd_sn, 0xfffffffeU);
	KUNIT_EXPECT_EQ(test, pdu.cmd.exp_stat_sn, 7U);
	KUNIT_EXPECT_EQ(test, pdu.cmd.cdb[0], 0x2a);
	KUNIT_EXPECT_EQ(test, pdu.cmd.cdb[15], 0x5a);
}

static void nop_out_fields_test(struct kunit *test)
{
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	base_bhs(bhs, 0x40, 0x80);
	bhs[7] = 5;		/* 5 bytes of ping data */
	bhs[15] = 0x03;
	put32(bhs + 20, 0xffffffff);
	put32(bhs + 24, 100);
	put32(bhs + 28, 200);
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_EQ(test, pdu.dsl, 5U);
	KUNIT_EXPECT_EQ(test, pdu.nop_out.lun[7], 0x03);
	KUNIT_EXPECT_EQ(test, pdu.nop_out.ttt, 0xffffffffU);
	KUNIT_EXPECT_EQ(test, pdu.nop_out.cmd_sn, 100U);
	KUNIT_EXPECT_EQ(test, pdu.nop_out.exp_stat_sn, 200U);
}

static void data_out_fields_test(struct kunit *test)
{
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	base_bhs(bhs, 0x05, 0x80);
	bhs[5] = 0x00;
	bhs[6] = 0x10;
	bhs[7] = 0x00;
	bhs[8] = 0x40;
	put32(bhs + 20, 0xcafe0001);
	put32(bhs + 24, 0xdeadbeef);	/* reserved: ignored */
	put32(bhs + 28, 9);
	put32(bhs + 36, 3);
	put32(bhs + 40, 0x3000);
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_TRUE(test, pdu.final);
	KUNIT_EXPECT_EQ(test, pdu.dsl, 4096U);
	KUNIT_EXPECT_EQ(test, pdu.itt, ITT);
	KUNIT_EXPECT_EQ(test, pdu.data_out.lun[0], 0x40);
	KUNIT_EXPECT_EQ(test, pdu.data_out.ttt, 0xcafe0001U);
	KUNIT_EXPECT_EQ(test, pdu.data_out.exp_stat_sn, 9U);
	KUNIT_EXPECT_EQ(test, pdu.data_out.data_sn, 3U);
	KUNIT_EXPECT_EQ(test, pdu.data_out.buffer_offset, 0x3000U);

	bhs[1] = 0x00;
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_FALSE(test, pdu.final);
}

static void tmf_fields_test(struct kunit *test)
{
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	base_bhs(bhs, 0x42, 0x80 | STRIX_ISCSI_TMF_ABORT_TASK);
	bhs[9] = 0x02;
	put32(bhs + 20, 0xabcdef01);
	put32(bhs + 24, 10);
	put32(bhs + 28, 11);
	put32(bhs + 32, 9);
	put32(bhs + 36, 4);
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_TRUE(test, pdu.immediate);
	KUNIT_EXPECT_EQ(test, pdu.tmf.function, STRIX_ISCSI_TMF_ABORT_TASK);
	KUNIT_EXPECT_EQ(test, pdu.tmf.lun[1], 0x02);
	KUNIT_EXPECT_EQ(test, pdu.tmf.ref_task_tag, 0xabcdef01U);
	KUNIT_EXPECT_EQ(test, pdu.tmf.cmd_sn, 10U);
	KUNIT_EXPECT_EQ(test, pdu.tmf.exp_stat_sn, 11U);
	KUNIT_EXPECT_EQ(test, pdu.tmf.ref_cmd_sn, 9U);
	KUNIT_EXPECT_EQ(test, pdu.tmf.exp_data_sn, 4U);

	/* the function is the driver's to judge */
	bhs[1] = 0x80 | 0x7f;
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_EQ(test, pdu.tmf.function, 0x7f);
}

static void logout_fields_test(struct kunit *test)
{
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	base_bhs(bhs, 0x46, 0x80 | STRIX_ISCSI_LOGOUT_CONNECTION);
	bhs[20] = 0x12;
	bhs[21] = 0x34;
	put32(bhs + 24, 77);
	put32(bhs + 28, 78);
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_EQ(test, pdu.logout.reason, STRIX_ISCSI_LOGOUT_CONNECTION);
	KUNIT_EXPECT_EQ(test, pdu.logout.cid, 0x1234);
	KUNIT_EXPECT_EQ(test, pdu.logout.cmd_sn, 77U);
	KUNIT_EXPECT_EQ(test, pdu.logout.exp_stat_sn, 78U);
}

static void text_fields_test(struct kunit *test)
{
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	base_bhs(bhs, 0x04, 0x40);	/* C, not F */
	bhs[7] = 17;
	put32(bhs + 20, 0x0000beef);
	put32(bhs + 24, 5);
	put32(bhs + 28, 6);
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_FALSE(test, pdu.final);
	KUNIT_EXPECT_TRUE(test, pdu.text.cont);
	KUNIT_EXPECT_EQ(test, pdu.dsl, 17U);
	KUNIT_EXPECT_EQ(test, pdu.text.ttt, 0xbeefU);
	KUNIT_EXPECT_EQ(test, pdu.text.cmd_sn, 5U);
	KUNIT_EXPECT_EQ(test, pdu.text.exp_stat_sn, 6U);
}

static void snack_fields_test(struct kunit *test)
{
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];

	base_bhs(bhs, 0x10, 0x80 | STRIX_ISCSI_SNACK_STATUS);
	put32(bhs + 16, 0xffffffff);
	put32(bhs + 20, 0x99);
	put32(bhs + 28, 31);
	put32(bhs + 40, 1000);
	put32(bhs + 44, 3);
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_EXPECT_EQ(test, pdu.snack.type, STRIX_ISCSI_SNACK_STATUS);
	KUNIT_EXPECT_EQ(test, pdu.itt, 0xffffffffU);
	KUNIT_EXPECT_EQ(test, pdu.snack.ttt, 0x99U);
	KUNIT_EXPECT_EQ(test, pdu.snack.exp_stat_sn, 31U);
	KUNIT_EXPECT_EQ(test, pdu.snack.beg_run, 1000U);
	KUNIT_EXPECT_EQ(test, pdu.snack.run_length, 3U);
}

/* ---- the rules, one row each ---- */

struct rule_case {
	const char *desc;
	u8 b0, b1;		/* opcode byte and flags */
	u32 itt;		/* 0 means the default ITT */
	u32 dsl;
	u8 ahs_words;
	u32 max_dsl;		/* 0 means MAXDSL */
	u8 patch_off, patch_val;	/* patch_off 0: none */
	u32 verdict;
};

static const struct rule_case rule_cases[] = {
	/* lengths */
	{ "DSL at the limit", 0x01, 0xa0, 0, MAXDSL, 0, 0, 0, 0, ACCEPT },
	{ "DSL one over the limit", 0x01, 0xa0, 0, MAXDSL + 1, 0, 0, 0, 0, PROTO },
	{ "DSL 24 bits, limit 2^24-1", 0x05, 0x80, 0, 0xffffff, 0, 0xffffff, 0, 0,
	  ACCEPT },
	{ "DSL 2^24-1 over a 512 limit", 0x05, 0x80, 0, 0xffffff, 0, 512, 0, 0,
	  PROTO },
	{ "NOP-Out data over the limit", 0x40, 0x80, 0, 513, 0, 512, 0, 0, PROTO },
	{ "unknown opcode is refused before its length", 0x07, 0x80, 0,
	  MAXDSL + 1, 0, 0, 0, 0, NOTSUP },
	{ "TMF with data", 0x02, 0x81, 0, 4, 0, 0, 0, 0, DROP },
	{ "TMF with AHS", 0x02, 0x81, 0, 0, 1, 0, 0, 0, DROP },
	{ "Logout with data", 0x46, 0x80, 0, 4, 0, 0, 0, 0, DROP },
	{ "Logout with AHS", 0x46, 0x80, 0, 0, 2, 0, 0, 0, DROP },
	{ "NOP-Out with AHS words", 0x40, 0x80, 0, 0, 3, 0, 0, 0, ACCEPT },
	/* SCSI Command */
	{ "read", 0x01, 0xc0, 0, 0, 0, 0, 0, 0, ACCEPT },
	{ "write with immediate data", 0x01, 0xa0, 0, 512, 0, 0, 0, 0, ACCEPT },
	{ "write, unsolicited Data-Out follows", 0x01, 0x20, 0, 512, 0, 0, 0, 0,
	  ACCEPT },
	{ "no W and no F", 0x01, 0x40, 0, 0, 0, 0, 0, 0, PROTO },
	{ "immediate data without W", 0x01, 0xc0, 0, 8, 0, 0, 0, 0, PROTO },
	{ "reserved ITT", 0x01, 0xc0, 0xffffffff, 0, 0, 0, 0, 0, FIELD },
	{ "attribute ACA", 0x01, 0xc4, 0, 0, 0, 0, 0, 0, ACCEPT },
	{ "reserved attribute 5", 0x01, 0xc5, 0, 0, 0, 0, 0, 0, PROTO },
	{ "reserved attribute 7", 0x01, 0xc7, 0, 0, 0, 0, 0, 0, PROTO },
	{ "reserved bits of byte 1 ignored", 0x01, 0xd8, 0, 0, 0, 0, 0, 0, ACCEPT },
	{ "reserved byte 2 ignored", 0x01, 0xc0, 0, 0, 0, 0, 2, 0xff, ACCEPT },
	/* NOP-Out */
	{ "NOP-Out ping", 0x00, 0x80, 0, 0, 0, 0, 0, 0, ACCEPT },
	{ "NOP-Out, no answer wanted, I", 0x40, 0x80, 0xffffffff, 0, 0, 0, 0, 0,
	  ACCEPT },
	{ "NOP-Out, no answer wanted, no I", 0x00, 0x80, 0xffffffff, 0, 0, 0, 0, 0,
	  PROTO },
	/* Data-Out */
	{ "Data-Out with the reserved ITT", 0x05, 0x80, 0xffffffff, 512, 0, 0, 0,
	  0, FIELD },
	{ "Data-Out I bit ignored", 0x45, 0x80, 0, 512, 0, 0, 0, 0, ACCEPT },
	/* Task Management */
	{ "TMF LUN RESET", 0x42, 0x85, 0, 0, 0, 0, 0, 0, ACCEPT },
	{ "TMF with the reserved ITT", 0x42, 0x81, 0xffffffff, 0, 0, 0, 0, 0,
	  FIELD },
	/* Logout */
	{ "Logout close session", 0x46, 0x80, 0, 0, 0, 0, 0, 0, ACCEPT },
	{ "Logout recovery", 0x46, 0x82, 0, 0, 0, 0, 0, 0, ACCEPT },
	{ "Logout reserved reason 3", 0x46, 0x83, 0, 0, 0, 0, 0, 0, PROTO },
	{ "Logout reserved reason 0x7f", 0x46, 0xff, 0, 0, 0, 0, 0, 0, PROTO },
	{ "Logout with the reserved ITT", 0x46, 0x80, 0xffffffff, 0, 0, 0, 0, 0,
	  FIELD },
	/* Text */
	{ "Text final", 0x04, 0x80, 0, 20, 0, 0, 0, 0, ACCEPT },
	{ "Text F and C", 0x04, 0xc0, 0, 20, 0, 0, 0, 0, PROTO },
	{ "Text with the reserved ITT", 0x04, 0x80, 0xffffffff, 0, 0, 0, 0, 0,
	  FIELD },
	/* SNACK */
	{ "SNACK R-Data", 0x10, 0x83, 0, 0, 0, 0, 0, 0, ACCEPT },
	{ "SNACK reserved type 4", 0x10, 0x84, 0, 0, 0, 0, 0, 0, PROTO },
	{ "SNACK reserved type 15", 0x10, 0x8f, 0, 0, 0, 0, 0, 0, PROTO },
	/* phase and direction */
	{ "Login in Full Feature Phase", 0x43, 0x87, 0, 0, 0, 0, 0, 0, PROTO },
	{ "SCSI Response from the initiator", 0x21, 0x80, 0, 0, 0, 0, 0, 0, PROTO },
	{ "vendor-specific 0x1c", 0x1c, 0x80, 0, 0, 0, 0, 0, 0, NOTSUP },
	{ "vendor-specific 0x3e", 0x3e, 0x80, 0, 0, 0, 0, 0, 0, NOTSUP },
};

static void rule_desc(const struct rule_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rule, rule_cases, rule_desc);

static void rule_test(struct kunit *test)
{
	const struct rule_case *c = test->param_value;
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];
	u32 v;

	base_bhs(bhs, c->b0, c->b1);
	if (c->itt)
		put32(bhs + 16, c->itt);
	bhs[4] = c->ahs_words;
	bhs[5] = c->dsl >> 16;
	bhs[6] = c->dsl >> 8;
	bhs[7] = c->dsl;
	if (c->patch_off)
		bhs[c->patch_off] = c->patch_val;
	v = vv(strix_iscsi_parse_bhs(bhs, c->max_dsl ?: MAXDSL, &pdu));
	KUNIT_EXPECT_EQ(test, v, c->verdict);
	if (v != ACCEPT)
		KUNIT_EXPECT_NOT_NULL(test, pdu.why);
	/* what a driver needs to skip the PDU and Reject it */
	KUNIT_EXPECT_EQ(test, pdu.dsl, c->dsl);
	KUNIT_EXPECT_EQ(test, pdu.ahs_len, c->ahs_words * 4);
	KUNIT_EXPECT_EQ(test, pdu.opcode, c->b0 & 0x3f);
	KUNIT_EXPECT_EQ(test, strix_iscsi_bhs_dsl(bhs), c->dsl);
	KUNIT_EXPECT_EQ(test, strix_iscsi_bhs_ahs_len(bhs), c->ahs_words * 4U);
}

/* ---- AHS ---- */

struct ahs_case {
	const char *desc;
	u8 b0;			/* opcode byte (flags: F, W) */
	u8 words;		/* TotalAHSLength */
	u8 ahs[40];
	u32 verdict;
	u16 ext_cdb_len;
	u8 ext_first, ext_last;	/* the first and last extended CDB bytes */
	bool bidi;
	u32 bidi_len;
};

static const struct ahs_case ahs_cases[] = {
	{ "no AHS", 0x01, 0, {}, ACCEPT },
	{ "32-byte CDB", 0x01, 5,
	  { 0x00, 17, 0x01, 0x00, 0xa0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
	    14, 0xaf },
	  ACCEPT, 16, 0xa0, 0xaf },
	{ "18-byte CDB, padded", 0x01, 2,
	  { 0x00, 3, 0x01, 0x00, 0xb0, 0xb1, 0x00, 0x00 }, ACCEPT, 2, 0xb0, 0xb1 },
	{ "reserved bits of AHSType ignored", 0x01, 2,
	  { 0x00, 3, 0xc1, 0x00, 0xb0, 0xb1, 0x00, 0x00 }, ACCEPT, 2, 0xb0, 0xb1 },
	{ "bidirectional read length", 0x01, 2,
	  { 0x00, 5, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00 }, ACCEPT, 0, 0, 0, true,
	  0x10000 },
	{ "Extended CDB and bidirectional", 0x01, 4,
	  { 0x00, 3, 0x01, 0x00, 0xc0, 0xc1, 0x00, 0x00,
	    0x00, 5, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00 },
	  ACCEPT, 2, 0xc0, 0xc1, true, 0x200 },
	{ "AHS runs past TotalAHSLength", 0x01, 4,
	  { 0x00, 17, 0x01, 0x00 }, DROP },
	{ "AHSLength 0xffff", 0x01, 1, { 0xff, 0xff, 0x01, 0x00 }, DROP },
	{ "second AHS runs past", 0x01, 3,
	  { 0x00, 3, 0x01, 0x00, 0xc0, 0xc1, 0x00, 0x00,
	    0x00, 5, 0x02, 0x00 }, DROP },
	{ "Extended CDB without CDB bytes", 0x01, 1,
	  { 0x00, 1, 0x01, 0x00 }, DROP },
	{ "Extended CDB of length 0", 0x01, 1, { 0x00, 0, 0x01, 0x00 }, DROP },
	{ "two Extended CDB AHS", 0x01, 4,
	  { 0x00, 3, 0x01, 0x00, 0xc0, 0xc1, 0x00, 0x00,
	    0x00, 3, 0x01, 0x00, 0xc0, 0xc1, 0x00, 0x00 }, DROP },
	{ "bidirectional AHS length 4", 0x01, 2,
	  { 0x00, 4, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00 }, DROP },
	{ "two bidirectional AHS", 0x01, 4,
	  { 0x00, 5, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00,
	    0x00, 5, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00 }, DROP },
	{ "reserved AHS type 0", 0x01, 1, { 0x00, 1, 0x00, 0x00 }, PROTO },
	{ "reserved AHS type 3", 0x01, 2,
	  { 0x00, 5, 0x03, 0x00, 0, 0, 0, 0 }, PROTO },
	{ "Extended CDB AHS on a NOP-Out is ignored", 0x00, 2,
	  { 0x00, 3, 0x01, 0x00, 0xc0, 0xc1, 0x00, 0x00 }, ACCEPT },
	{ "lying AHS on a Data-Out", 0x05, 1, { 0x00, 9, 0x01, 0x00 }, DROP },
};

static void ahs_desc(const struct ahs_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ahs, ahs_cases, ahs_desc);

static void ahs_test(struct kunit *test)
{
	const struct ahs_case *c = test->param_value;
	struct strix_iscsi_pdu pdu;
	u8 bhs[STRIX_ISCSI_BHS_LEN];
	u32 v;

	base_bhs(bhs, c->b0, 0xa0);	/* F and W */
	bhs[4] = c->words;
	KUNIT_ASSERT_EQ(test, vv(strix_iscsi_parse_bhs(bhs, MAXDSL, &pdu)), ACCEPT);
	KUNIT_ASSERT_EQ(test, pdu.ahs_len, c->words * 4);
	v = vv(strix_iscsi_parse_ahs(c->ahs, &pdu));
	KUNIT_EXPECT_EQ(test, v, c->verdict);
	if (v != ACCEPT) {
		KUNIT_EXPECT_NOT_NULL(test, pdu.why);
		return;
	}
	if (c->b0 != STRIX_ISCSI_OP_SCSI_CMD)
		return;
	KUNIT_EXPECT_EQ(test, pdu.cmd.ext_cdb_len, c->ext_cdb_len);
	if (c->ext_cdb_len) {
		KUNIT_ASSERT_NOT_NULL(test, pdu.cmd.ext_cdb);
		/* points into the AHS, past the reserved byte */
		KUNIT_EXPECT_EQ(test, pdu.cmd.ext_cdb[0], c->ext_first);
		KUNIT_EXPECT_EQ(test, pdu.cmd.ext_cdb[c->ext_cdb_len - 1], c->ext_last);
	} else {
		KUNIT_EXPECT_NULL(test, pdu.cmd.ext_cdb);
	}
	KUNIT_EXPECT_EQ(test, pdu.cmd.has_bidi_read_len, c->bidi);
	KUNIT_EXPECT_EQ(test, pdu.cmd.bidi_read_len, c->bidi_len);
}

/* ---- builders: every field at its offset, everything else zero ---- */

struct bhs_check {
	struct kunit *test;
	const u8 *bhs;
	u64 seen;	/* bytes checked, one bit each */
};

static void check_u8(struct bhs_check *k, unsigned int off, u8 val)
{
	KUNIT_EXPECT_EQ_MSG(k->test, k->bhs[off], val, "byte %u", off);
	k->seen |= 1ULL << off;
}

static void check_be16(struct bhs_check *k, unsigned int off, u16 val)
{
	check_u8(k, off, val >> 8);
	check_u8(k, off + 1, val & 0xff);
}

static void check_be24(struct bhs_check *k, unsigned int off, u32 val)
{
	check_u8(k, off, (val >> 16) & 0xff);
	check_be16(k, off + 1, val & 0xffff);
}

static void check_be32(struct bhs_check *k, unsigned int off, u32 val)
{
	KUNIT_EXPECT_EQ_MSG(k->test, get32(k->bhs + off), val, "bytes %u..%u",
			    off, off + 3);
	k->seen |= 0xfULL << off;
}

static void check_lun(struct bhs_check *k, const u8 *lun)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		check_u8(k, 8 + i, lun[i]);
}

/* StatSN, ExpCmdSN, MaxCmdSN at 24, 28, 32 */
static void check_sn(struct bhs_check *k, const struct strix_iscsi_sn *sn)
{
	check_be32(k, 24, sn->stat_sn);
	check_be32(k, 28, sn->exp_cmd_sn);
	check_be32(k, 32, sn->max_cmd_sn);
}

/* Every byte not checked must be 0 (reserved). */
static void check_rest_zero(struct bhs_check *k)
{
	unsigned int i;

	for (i = 0; i < STRIX_ISCSI_BHS_LEN; i++)
		if (!(k->seen & (1ULL << i)))
			KUNIT_EXPECT_EQ_MSG(k->test, k->bhs[i], 0,
					    "reserved byte %u", i);
}

static const struct strix_iscsi_sn test_sn = {
	.stat_sn = 0x01020304, .exp_cmd_sn = 0x05060708, .max_cmd_sn = 0x090a0b0c,
};

static const u8 test_lun[8] = { 0x01, 0x23, 0, 0, 0, 0, 0, 0 };

/* the builders must write all 48 bytes */
static u8 *dirty_bhs(struct kunit *test)
{
	u8 *bhs = kunit_kzalloc(test, STRIX_ISCSI_BHS_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bhs);
	memset(bhs, 0xaa, STRIX_ISCSI_BHS_LEN);
	return bhs;
}

static void build_nop_in_test(struct kunit *test)
{
	struct strix_iscsi_nop_in p = {
		.itt = 0xffffffff, .ttt = 0x77, .dsl = 0x123456, .sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };

	memcpy(p.lun, test_lun, 8);
	strix_iscsi_build_nop_in(bhs, &p);
	check_u8(&k, 0, 0x20);
	check_u8(&k, 1, 0x80);
	check_be24(&k, 5, 0x123456);
	check_lun(&k, test_lun);
	check_be32(&k, 16, 0xffffffff);
	check_be32(&k, 20, 0x77);
	check_sn(&k, &test_sn);
	check_rest_zero(&k);
}

struct scsi_rsp_case {
	const char *desc;
	enum strix_iscsi_residual resid, bidi_resid;
	u8 flags;
	u32 resid_at_44, resid_at_40;
};

static const struct scsi_rsp_case scsi_rsp_cases[] = {
	{ "no residual", STRIX_ISCSI_RESID_NONE, STRIX_ISCSI_RESID_NONE, 0x80, 0, 0 },
	{ "underflow", STRIX_ISCSI_RESID_UNDERFLOW, STRIX_ISCSI_RESID_NONE, 0x82,
	  512, 0 },
	{ "overflow", STRIX_ISCSI_RESID_OVERFLOW, STRIX_ISCSI_RESID_NONE, 0x84, 512,
	  0 },
	{ "bidi underflow", STRIX_ISCSI_RESID_NONE, STRIX_ISCSI_RESID_UNDERFLOW,
	  0x88, 0, 1024 },
	{ "bidi overflow and underflow", STRIX_ISCSI_RESID_UNDERFLOW,
	  STRIX_ISCSI_RESID_OVERFLOW, 0x92, 512, 1024 },
};

static void scsi_rsp_desc(const struct scsi_rsp_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(scsi_rsp, scsi_rsp_cases, scsi_rsp_desc);

static void build_scsi_rsp_test(struct kunit *test)
{
	const struct scsi_rsp_case *c = test->param_value;
	struct strix_iscsi_scsi_rsp p = {
		.itt = ITT, .response = 0x00, .status = 0x02,
		.resid = c->resid, .resid_count = 512,
		.bidi_resid = c->bidi_resid, .bidi_resid_count = 1024,
		.snack_tag = 0x5a5a0001, .exp_data_sn = 6, .dsl = 20,
		.sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };

	strix_iscsi_build_scsi_rsp(bhs, &p);
	check_u8(&k, 0, 0x21);
	check_u8(&k, 1, c->flags);
	check_u8(&k, 2, 0x00);
	check_u8(&k, 3, 0x02);
	check_be24(&k, 5, 20);
	check_be32(&k, 16, ITT);
	check_be32(&k, 20, 0x5a5a0001);
	check_sn(&k, &test_sn);
	check_be32(&k, 36, 6);
	check_be32(&k, 40, c->resid_at_40);
	check_be32(&k, 44, c->resid_at_44);
	check_rest_zero(&k);
}

static void build_scsi_rsp_failure_test(struct kunit *test)
{
	struct strix_iscsi_scsi_rsp p = {
		.itt = 1, .response = STRIX_ISCSI_RSP_TARGET_FAILURE,
		.sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);

	strix_iscsi_build_scsi_rsp(bhs, &p);
	KUNIT_EXPECT_EQ(test, bhs[2], 0x01);
	KUNIT_EXPECT_EQ(test, bhs[3], 0x00);
	KUNIT_EXPECT_EQ(test, bhs[5] | bhs[6] | bhs[7], 0);
}

static void build_data_in_test(struct kunit *test)
{
	struct strix_iscsi_data_in p = {
		.itt = ITT, .ttt = 0x4321, .status = 0x02,
		.resid = STRIX_ISCSI_RESID_UNDERFLOW, .resid_count = 100,
		.data_sn = 7, .buffer_offset = 0x70000, .dsl = 0x10000,
		.sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };

	memcpy(p.lun, test_lun, 8);

	/* a middle PDU: no status, so no StatSN, status or residual */
	strix_iscsi_build_data_in(bhs, &p);
	check_u8(&k, 0, 0x25);
	check_u8(&k, 1, 0x00);
	check_be24(&k, 5, 0x10000);
	check_be32(&k, 16, ITT);
	check_be32(&k, 20, 0xffffffff);	/* no A: TTT reserved value */
	check_be32(&k, 28, test_sn.exp_cmd_sn);
	check_be32(&k, 32, test_sn.max_cmd_sn);
	check_be32(&k, 36, 7);
	check_be32(&k, 40, 0x70000);
	check_rest_zero(&k);		/* LUN, StatSN, status, residual */

	/* the last one, without status */
	p.final = true;
	memset(bhs, 0xaa, STRIX_ISCSI_BHS_LEN);
	strix_iscsi_build_data_in(bhs, &p);
	KUNIT_EXPECT_EQ(test, bhs[1], 0x80);
	KUNIT_EXPECT_EQ(test, get32(bhs + 24), 0U);
	KUNIT_EXPECT_EQ(test, get32(bhs + 44), 0U);

	/* the last one with status and underflow: S implies F */
	p.final = false;
	p.has_status = true;
	memset(bhs, 0xaa, STRIX_ISCSI_BHS_LEN);
	k.seen = 0;
	strix_iscsi_build_data_in(bhs, &p);
	check_u8(&k, 0, 0x25);
	check_u8(&k, 1, 0x80 | 0x02 | 0x01);
	check_u8(&k, 3, 0x02);
	check_be24(&k, 5, 0x10000);
	check_be32(&k, 16, ITT);
	check_be32(&k, 20, 0xffffffff);
	check_sn(&k, &test_sn);
	check_be32(&k, 36, 7);
	check_be32(&k, 40, 0x70000);
	check_be32(&k, 44, 100);
	check_rest_zero(&k);

	/* overflow */
	p.resid = STRIX_ISCSI_RESID_OVERFLOW;
	strix_iscsi_build_data_in(bhs, &p);
	KUNIT_EXPECT_EQ(test, bhs[1], 0x80 | 0x04 | 0x01);

	/* A: LUN and TTT are sent */
	p.has_status = false;
	p.ack = true;
	p.final = true;
	memset(bhs, 0xaa, STRIX_ISCSI_BHS_LEN);
	k.seen = 0;
	strix_iscsi_build_data_in(bhs, &p);
	check_u8(&k, 0, 0x25);
	check_u8(&k, 1, 0x80 | 0x40);
	check_be24(&k, 5, 0x10000);
	check_lun(&k, test_lun);
	check_be32(&k, 16, ITT);
	check_be32(&k, 20, 0x4321);
	check_be32(&k, 28, test_sn.exp_cmd_sn);
	check_be32(&k, 32, test_sn.max_cmd_sn);
	check_be32(&k, 36, 7);
	check_be32(&k, 40, 0x70000);
	check_rest_zero(&k);
}

static void build_r2t_test(struct kunit *test)
{
	struct strix_iscsi_r2t p = {
		.itt = ITT, .ttt = 0x0badf00d, .r2t_sn = 2,
		.buffer_offset = 0x40000, .desired_len = 0x40000, .sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };

	memcpy(p.lun, test_lun, 8);
	strix_iscsi_build_r2t(bhs, &p);
	check_u8(&k, 0, 0x31);
	check_u8(&k, 1, 0x80);
	check_lun(&k, test_lun);
	check_be32(&k, 16, ITT);
	check_be32(&k, 20, 0x0badf00d);
	check_sn(&k, &test_sn);
	check_be32(&k, 36, 2);
	check_be32(&k, 40, 0x40000);
	check_be32(&k, 44, 0x40000);
	check_rest_zero(&k);
}

static void build_tmf_rsp_test(struct kunit *test)
{
	struct strix_iscsi_tmf_rsp p = {
		.itt = ITT, .response = STRIX_ISCSI_TMF_RSP_NO_TASK, .sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };

	strix_iscsi_build_tmf_rsp(bhs, &p);
	check_u8(&k, 0, 0x22);
	check_u8(&k, 1, 0x80);
	check_u8(&k, 2, 0x01);
	check_be32(&k, 16, ITT);
	check_sn(&k, &test_sn);
	check_rest_zero(&k);
}

static void build_logout_rsp_test(struct kunit *test)
{
	struct strix_iscsi_logout_rsp p = {
		.itt = ITT, .response = STRIX_ISCSI_LOGOUT_RSP_NO_RECOVERY,
		.time2wait = 2, .time2retain = 0x1234, .sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };

	strix_iscsi_build_logout_rsp(bhs, &p);
	check_u8(&k, 0, 0x26);
	check_u8(&k, 1, 0x80);
	check_u8(&k, 2, 0x02);
	check_be32(&k, 16, ITT);
	check_sn(&k, &test_sn);
	check_be16(&k, 40, 2);
	check_be16(&k, 42, 0x1234);
	check_rest_zero(&k);
}

static void build_text_rsp_test(struct kunit *test)
{
	struct strix_iscsi_text_rsp p = {
		.itt = ITT, .ttt = 0x10, .cont = true, .dsl = 8192, .sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };

	memcpy(p.lun, test_lun, 8);
	strix_iscsi_build_text_rsp(bhs, &p);
	check_u8(&k, 0, 0x24);
	check_u8(&k, 1, 0x40);
	check_be24(&k, 5, 8192);
	check_lun(&k, test_lun);
	check_be32(&k, 16, ITT);
	check_be32(&k, 20, 0x10);
	check_sn(&k, &test_sn);
	check_rest_zero(&k);

	p.cont = false;
	p.final = true;
	p.ttt = 0xffffffff;
	strix_iscsi_build_text_rsp(bhs, &p);
	KUNIT_EXPECT_EQ(test, bhs[1], 0x80);
	KUNIT_EXPECT_EQ(test, get32(bhs + 20), 0xffffffffU);
}

static void build_reject_test(struct kunit *test)
{
	struct strix_iscsi_reject p = {
		.reason = STRIX_ISCSI_REJECT_INVALID_FIELD, .data_sn = 0,
		.dsl = STRIX_ISCSI_BHS_LEN, .sn = test_sn,
	};
	struct strix_iscsi_pdu pdu;
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };
	u8 bad[STRIX_ISCSI_BHS_LEN];

	/* what a driver does: Reject a PDU, then check that it parses */
	base_bhs(bad, 0x01, 0xc0);
	put32(bad + 16, 0xffffffff);
	p.reason = strix_iscsi_reject_reason(strix_iscsi_parse_bhs(bad, MAXDSL,
								    &pdu));
	strix_iscsi_build_reject(bhs, &p);
	check_u8(&k, 0, 0x3f);
	check_u8(&k, 1, 0x80);
	check_u8(&k, 2, 0x09);
	check_be24(&k, 5, 48);
	check_be32(&k, 16, 0xffffffff);
	check_sn(&k, &test_sn);
	check_rest_zero(&k);

	p.reason = STRIX_ISCSI_REJECT_SNACK;
	p.data_sn = 0x42;
	strix_iscsi_build_reject(bhs, &p);
	KUNIT_EXPECT_EQ(test, bhs[2], 0x03);
	KUNIT_EXPECT_EQ(test, get32(bhs + 36), 0x42U);
}

static void build_async_test(struct kunit *test)
{
	struct strix_iscsi_async_msg p = {
		.event = STRIX_ISCSI_ASYNC_LOGOUT, .vcode = 0,
		.param = { 0, 0, 10 }, .sn = test_sn,
	};
	u8 *bhs = dirty_bhs(test);
	struct bhs_check k = { test, bhs };

	memcpy(p.lun, test_lun, 8);
	strix_iscsi_build_async_msg(bhs, &p);
	check_u8(&k, 0, 0x32);
	check_u8(&k, 1, 0x80);
	check_lun(&k, test_lun);
	check_be32(&k, 16, 0xffffffff);
	check_sn(&k, &test_sn);
	check_u8(&k, 36, 1);
	check_u8(&k, 37, 0);
	check_be16(&k, 38, 0);
	check_be16(&k, 40, 0);
	check_be16(&k, 42, 10);
	check_rest_zero(&k);

	p.event = STRIX_ISCSI_ASYNC_VENDOR;
	p.vcode = 0x5c;
	p.param[0] = 0x0102;
	p.param[1] = 0x0304;
	p.dsl = 18;
	strix_iscsi_build_async_msg(bhs, &p);
	KUNIT_EXPECT_EQ(test, bhs[36], 0xff);
	KUNIT_EXPECT_EQ(test, bhs[37], 0x5c);
	KUNIT_EXPECT_EQ(test, bhs[38], 0x01);
	KUNIT_EXPECT_EQ(test, bhs[39], 0x02);
	KUNIT_EXPECT_EQ(test, bhs[40], 0x03);
	KUNIT_EXPECT_EQ(test, bhs[41], 0x04);
	KUNIT_EXPECT_EQ(test, bhs[7], 18);
}

/* ---- padding ---- */

static void padding_test(struct kunit *test)
{
	static const u32 len[] = { 0, 1, 2, 3, 4, 5, 47, 48, 8191, 0xfffffe,
				   0xffffff };
	static const u32 pad[] = { 0, 3, 2, 1, 0, 3, 1, 0, 1, 2, 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(len); i++) {
		KUNIT_EXPECT_EQ_MSG(test, strix_iscsi_pad_len(len[i]), pad[i],
				    "length %u", len[i]);
		KUNIT_EXPECT_EQ_MSG(test, strix_iscsi_padded(len[i]),
				    len[i] + pad[i], "length %u", len[i]);
		KUNIT_EXPECT_EQ(test, strix_iscsi_padded(len[i]) % 4, 0U);
	}
	KUNIT_EXPECT_EQ(test, strix_iscsi_padded(0xffffff), 0x1000000U);
}

/* ---- serial number arithmetic ---- */

struct sn_case {
	const char *desc;
	u32 a, b;
	bool lt, gt;
};

static const struct sn_case sn_cases[] = {
	{ "equal", 5, 5, false, false },
	{ "0 < 1", 0, 1, true, false },
	{ "1 > 0", 1, 0, false, true },
	{ "wrap: 2^32-1 < 0", 0xffffffff, 0, true, false },
	{ "wrap: 0 > 2^32-1", 0, 0xffffffff, false, true },
	{ "wrap: 2^32-16 < 16", 0xfffffff0, 0x10, true, false },
	{ "largest step ahead", 0, 0x7fffffff, true, false },
	{ "largest step behind", 0x7fffffff, 0, false, true },
	{ "half-way: undefined", 0, 0x80000000, false, false },
	{ "half-way the other way", 0x80000000, 0, false, false },
	{ "half-way across the wrap", 0x7fffffff, 0xffffffff, false, false },
	{ "past half-way is behind", 0, 0x80000001, false, true },
	{ "past half-way, reversed", 0x80000001, 0, true, false },
};

static void sn_desc(const struct sn_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sn, sn_cases, sn_desc);

static void sn_test(struct kunit *test)
{
	const struct sn_case *c = test->param_value;
	bool eq = c->a == c->b;

	KUNIT_EXPECT_EQ(test, strix_iscsi_sn_lt(c->a, c->b), c->lt);
	KUNIT_EXPECT_EQ(test, strix_iscsi_sn_gt(c->a, c->b), c->gt);
	KUNIT_EXPECT_EQ(test, strix_iscsi_sn_lte(c->a, c->b), c->lt || eq);
	KUNIT_EXPECT_EQ(test, strix_iscsi_sn_gte(c->a, c->b), c->gt || eq);
	/* the relation seen from the other side */
	KUNIT_EXPECT_EQ(test, strix_iscsi_sn_gt(c->b, c->a), c->lt);
	KUNIT_EXPECT_EQ(test, strix_iscsi_sn_lt(c->b, c->a), c->gt);
}

/* ---- CRC32C: RFC 3720 appendix B.4 ---- */

struct crc_case {
	const char *desc;
	u8 data[32];
	u8 wire[4];	/* the CRC as the RFC prints it: bytes on the wire */
	u32 value;
};

static const struct crc_case crc_cases[] = {
	{ "32 bytes of zeroes", {}, { 0xaa, 0x36, 0x91, 0x8a }, 0x8a9136aa },
	{ "32 bytes of ones",
	  { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	  { 0x43, 0xab, 0xa8, 0x62 }, 0x62a8ab43 },
	{ "32 bytes of incrementing 00..1f",
	  { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	    0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	    0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f },
	  { 0x4e, 0x79, 0xdd, 0x46 }, 0x46dd794e },
	{ "32 bytes of decrementing 1f..00",
	  { 0x1f, 0x1e, 0x1d, 0x1c, 0x1b, 0x1a, 0x19, 0x18,
	    0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11, 0x10,
	    0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08,
	    0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x00 },
	  { 0x5c, 0xdb, 0x3f, 0x11 }, 0x113fdb5c },
};

static void crc_desc(const struct crc_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(crc, crc_cases, crc_desc);

static void crc_vector_test(struct kunit *test)
{
	const struct crc_case *c = test->param_value;
	u8 wire[4];
	u32 crc;

	KUNIT_EXPECT_EQ(test, strix_iscsi_header_digest(c->data, 32), c->value);
	/* 32 bytes need no padding: the data digest is the same */
	KUNIT_EXPECT_EQ(test, strix_iscsi_data_digest(c->data, 32), c->value);
	strix_iscsi_put_digest(wire, c->value);
	KUNIT_EXPECT_EQ(test, memcmp(wire, c->wire, 4), 0);
	KUNIT_EXPECT_EQ(test, strix_iscsi_get_digest(c->wire), c->value);

	/* in pieces, as over a scatterlist */
	crc = strix_iscsi_crc_begin();
	crc = strix_iscsi_crc_update(crc, c->data, 5);
	crc = strix_iscsi_crc_update(crc, c->data + 5, 27);
	crc = strix_iscsi_crc_pad(crc, 32);
	KUNIT_EXPECT_EQ(test, strix_iscsi_crc_end(crc), c->value);
}

static void crc_read_pdu_test(struct kunit *test)
{
	static const u8 wire[4] = { 0x56, 0x3a, 0x96, 0xd9 };
	u8 got[4];

	KUNIT_EXPECT_EQ(test, strix_iscsi_header_digest(rfc_read10, 48),
			0xd9963a56U);
	strix_iscsi_put_digest(got, strix_iscsi_header_digest(rfc_read10, 48));
	KUNIT_EXPECT_EQ(test, memcmp(got, wire, 4), 0);
}

static void data_digest_padding_test(struct kunit *test)
{
	static const u8 data[8] = { 'p', 'i', 'n', 'g', '!', '!', '!', '!' };
	unsigned int len;
	u8 buf[8];

	/* the digest of n bytes covers them and their zero padding */
	for (len = 0; len <= 8; len++) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, data, len);
		KUNIT_EXPECT_EQ_MSG(test, strix_iscsi_data_digest(data, len),
				    strix_iscsi_header_digest(buf, (len + 3) & ~3U),
				    "length %u", len);
	}
	/* and differs from the digest of the bytes alone */
	KUNIT_EXPECT_NE(test, strix_iscsi_data_digest(data, 5),
			strix_iscsi_crc_end(strix_iscsi_crc_update(strix_iscsi_crc_begin(),
								   data, 5)));
	KUNIT_EXPECT_EQ(test, strix_iscsi_crc_pad(0x12345678, 8), 0x12345678U);
}

static struct kunit_case strix_iscsi_pdu_cases[] = {
	KUNIT_CASE(verdict_test),
	KUNIT_CASE(every_opcode_test),
	KUNIT_CASE(opcode_bits_test),
	KUNIT_CASE(scsi_cmd_fields_test),
	KUNIT_CASE(nop_out_fields_test),
	KUNIT_CASE(data_out_fields_test),
	KUNIT_CASE(tmf_fields_test),
	KUNIT_CASE(logout_fields_test),
	KUNIT_CASE(text_fields_test),
	KUNIT_CASE(snack_fields_test),
	KUNIT_CASE_PARAM(rule_test, rule_gen_params),
	KUNIT_CASE_PARAM(ahs_test, ahs_gen_params),
	KUNIT_CASE(build_nop_in_test),
	KUNIT_CASE_PARAM(build_scsi_rsp_test, scsi_rsp_gen_params),
	KUNIT_CASE(build_scsi_rsp_failure_test),
	KUNIT_CASE(build_data_in_test),
	KUNIT_CASE(build_r2t_test),
	KUNIT_CASE(build_tmf_rsp_test),
	KUNIT_CASE(build_logout_rsp_test),
	KUNIT_CASE(build_text_rsp_test),
	KUNIT_CASE(build_reject_test),
	KUNIT_CASE(build_async_test),
	KUNIT_CASE(padding_test),
	KUNIT_CASE_PARAM(sn_test, sn_gen_params),
	KUNIT_CASE_PARAM(crc_vector_test, crc_gen_params),
	KUNIT_CASE(crc_read_pdu_test),
	KUNIT_CASE(data_digest_padding_test),
	{}
};

static struct kunit_suite strix_iscsi_pdu_suite = {
	.name = "strix-iscsi-pdu",
	.test_cases = strix_iscsi_pdu_cases,
};

kunit_test_suite(strix_iscsi_pdu_suite);

MODULE_DESCRIPTION("KUnit cases for the Strix iSCSI PDU codec");
MODULE_LICENSE("GPL");
