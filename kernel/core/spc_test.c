// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the commands the core answers itself (spc.c): byte-level
 * checks of each response against SPC-4 / SBC-3 layouts.
 * Loaded as strix_core_test.ko on a kernel with CONFIG_KUNIT.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include <strix/target.h>

#include "scsi.h"

#define T_BUF		4096
#define T_POISON	0xa5
#define T_MAX_LUNS	300
#define T_WLUN_REPORT_LUNS	0xc101000000000000ULL

/* An emulated command's CDB, zero-filled to 16 bytes. */
#define CDB(...)	((const u8[16]) { __VA_ARGS__ })

/* strix_sense_t is __bitwise: compare as numbers without upsetting sparse. */
#define EXPECT_SENSE(test, got, want) \
	KUNIT_EXPECT_EQ(test, (__force u32)(got), (__force u32)(want))

/* What one test works on: a disk, its identity, a command, a buffer. */
struct spc_fix {
	struct strix_cmd cmd;
	struct strix_dev_params dp;
	struct strix_dev_ident id;
	struct strix_emul_ctx ctx;
	char serial[17];
	u64 luns[T_MAX_LUNS];
	u32 produced;
	u8 buf[T_BUF];
	u8 full[T_BUF];		/* a response with room for all of it */
};

static int spc_test_init(struct kunit *test)
{
	struct spc_fix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->dp = (struct strix_dev_params){
		.scsi_type = TYPE_DISK,
		.block_size = 512,
		.nr_blocks = 0x200000,		/* 1 GiB */
		.write_cache = true,
		.opt_xfer_blocks = 128,
	};
	strix_dev_ident_derive(0, "disk1", f->serial, f->id.naa, f->id.eui64);
	f->id.naa_len = 8;
	f->id.vendor = "STRIX";
	f->id.product = "VDISK";
	f->id.revision = "0100";
	f->id.serial = f->serial;
	f->id.t10_dev_id = "disk1";
	f->id.rel_tgt_id = 1;
	f->ctx.dp = &f->dp;
	f->ctx.ident = &f->id;
	/* a disk with a volatile cache, WCE on, nothing saved */
	f->ctx.mode.cur.wce = true;
	f->ctx.mode.def.wce = true;
	f->ctx.mode.saved.wce = true;
	f->ctx.mode.wce_changeable = true;
	f->ctx.luns = f->luns;
	test->priv = f;
	return 0;
}

/* Run @emul with @cdb into f->buf (poisoned first), at most @len bytes. */
static strix_sense_t spc_run(struct spc_fix *f, u8 emul, const u8 *cdb,
			     u32 len)
{
	memset(&f->cmd, 0, sizeof(f->cmd));
	f->cmd.emul = emul;
	memcpy(f->cmd.cdb, cdb, 16);
	f->cmd.cdb_len = 16;
	f->cmd.sense_field_bit = -1;
	memset(f->buf, T_POISON, sizeof(f->buf));
	f->produced = 0xdeadbeef;
	return strix_emulate(&f->cmd, &f->ctx, f->buf, len, &f->produced);
}

static void expect_invalid_field(struct kunit *test, struct spc_fix *f,
				 strix_sense_t ret, u16 byte, s8 bit)
{
	EXPECT_SENSE(test, ret, STRIX_INVALID_FIELD_CDB);
	KUNIT_EXPECT_EQ(test, f->cmd.sense_field_byte, byte);
	KUNIT_EXPECT_EQ(test, f->cmd.sense_field_bit, bit);
	KUNIT_EXPECT_EQ(test, f->produced, 0U);
}

/* Big-endian fields of a response (see spc.c on the unaligned helpers). */
static u64 be(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static u16 be16(const u8 *p)
{
	return be(p, 2);
}

static u32 be32(const u8 *p)
{
	return be(p, 4);
}

static u64 be64(const u8 *p)
{
	return be(p, 8);
}

static void expect_bytes(struct kunit *test, const u8 *got, const void *want,
			 size_t n, const char *what)
{
	const u8 *w = want;
	size_t i;

	for (i = 0; i < n; i++) {
		if (got[i] != w[i]) {
			KUNIT_FAIL(test, "%s: byte %zu is %02x, expected %02x",
				   what, i, got[i], w[i]);
			return;
		}
	}
}

static void expect_zero(struct kunit *test, const u8 *got, size_t n,
			const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (got[i]) {
			KUNIT_FAIL(test, "%s: byte %zu is %02x, expected 0",
				   what, i, got[i]);
			return;
		}
	}
}

/* ---- Identifiers --------------------------------------------------------- */

static void spc_ident_derive_test(struct kunit *test)
{
	/* Pinned: initiators remember these; they must never change. */
	static const u8 naa0[8] = { 0x3d, 0x2e, 0xf8, 0xaa, 0x2a, 0xfc, 0x71, 0x2b };
	static const u8 eui0[8] = { 0x66, 0xb2, 0x2b, 0x10, 0xc0, 0x23, 0x40, 0xa0 };
	static const u8 naa1[8] = { 0x30, 0x82, 0x60, 0x13, 0xbb, 0xb6, 0x04, 0x75 };
	static const u8 eui1[8] = { 0xb6, 0xf9, 0x7e, 0x68, 0x39, 0xa0, 0x08, 0x35 };
	char s1[17], s2[17];
	u8 n1[8], n2[8], e1[8], e2[8];
	int i;

	memset(s1, 'x', sizeof(s1));
	strix_dev_ident_derive(0, "disk1", s1, n1, e1);
	KUNIT_EXPECT_STREQ(test, s1, "0d2ef8aa2afc712b");
	expect_bytes(test, n1, naa0, 8, "naa setup_id 0");
	expect_bytes(test, e1, eui0, 8, "eui64 setup_id 0");

	/* Same inputs, same outputs. */
	strix_dev_ident_derive(0, "disk1", s2, n2, e2);
	KUNIT_EXPECT_STREQ(test, s1, s2);
	expect_bytes(test, n2, n1, 8, "naa again");
	expect_bytes(test, e2, e1, 8, "eui64 again");

	/* Another setup_id: everything differs. */
	strix_dev_ident_derive(1, "disk1", s2, n2, e2);
	KUNIT_EXPECT_STREQ(test, s2, "d0826013bbb60475");
	expect_bytes(test, n2, naa1, 8, "naa setup_id 1");
	expect_bytes(test, e2, eui1, 8, "eui64 setup_id 1");
	KUNIT_EXPECT_STRNEQ(test, s1, s2);
	KUNIT_EXPECT_NE(test, memcmp(n1, n2, 8), 0);
	KUNIT_EXPECT_NE(test, memcmp(e1, e2, 8), 0);

	/* Another name: everything differs. */
	strix_dev_ident_derive(0, "disk2", s2, n2, e2);
	KUNIT_EXPECT_STRNEQ(test, s1, s2);
	KUNIT_EXPECT_NE(test, memcmp(n1, n2, 8), 0);
	KUNIT_EXPECT_NE(test, memcmp(e1, e2, 8), 0);

	/* Formats: lowercase hex, NAA 3h, EUI-64 apart from the NAA. */
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_TRUE(test, (s2[i] >= '0' && s2[i] <= '9') ||
					(s2[i] >= 'a' && s2[i] <= 'f'));
	KUNIT_EXPECT_EQ(test, s2[16], '\0');
	KUNIT_EXPECT_EQ(test, n2[0] >> 4, 3);
	KUNIT_EXPECT_EQ(test, e2[0] & 0x03, 0x02);	/* local, not group */
	KUNIT_EXPECT_NE(test, memcmp(n2, e2, 8), 0);

	/* NULL name is the empty name. */
	strix_dev_ident_derive(7, NULL, s1, n1, e1);
	strix_dev_ident_derive(7, "", s2, n2, e2);
	KUNIT_EXPECT_STREQ(test, s1, s2);
	expect_bytes(test, n1, n2, 8, "naa NULL name");
	expect_bytes(test, e1, e2, 8, "eui64 NULL name");
}

/* ---- Dispatch, commands without data ------------------------------------- */

static void spc_no_data_test(struct kunit *test)
{
	static const u8 emuls[] = {
		STRIX_EMUL_TEST_UNIT_READY, STRIX_EMUL_START_STOP_UNIT,
		STRIX_EMUL_PREVENT_ALLOW, STRIX_EMUL_PREFETCH,
	};
	struct spc_fix *f = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(emuls); i++) {
		EXPECT_SENSE(test, spc_run(f, emuls[i], CDB(0), T_BUF), STRIX_OK);
		KUNIT_EXPECT_EQ(test, f->produced, 0U);
		KUNIT_EXPECT_EQ(test, f->buf[0], T_POISON);
	}

	/* A LUN that does not exist answers only INQUIRY, REQUEST SENSE, REPORT LUNS. */
	f->ctx.dp = NULL;
	for (i = 0; i < ARRAY_SIZE(emuls); i++) {
		EXPECT_SENSE(test, spc_run(f, emuls[i], CDB(0), T_BUF),
			     STRIX_LUN_NOT_SUPPORTED);
		KUNIT_EXPECT_EQ(test, f->produced, 0U);
	}
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_READ_CAPACITY_10,
				   CDB(READ_CAPACITY), T_BUF),
		     STRIX_LUN_NOT_SUPPORTED);
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_MODE_SENSE_6,
				   CDB(MODE_SENSE, 0, 0x3f, 0, 255), T_BUF),
		     STRIX_LUN_NOT_SUPPORTED);

	/* Not an emulated command: a core bug, refused without data. */
	f->ctx.dp = &f->dp;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_NONE, CDB(0), T_BUF),
		     STRIX_INVALID_OPCODE);
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_MAX, CDB(0), T_BUF),
		     STRIX_INVALID_OPCODE);
	EXPECT_SENSE(test, spc_run(f, 0xff, CDB(0), T_BUF), STRIX_INVALID_OPCODE);
	KUNIT_EXPECT_EQ(test, f->produced, 0U);
}

/* ---- Standard INQUIRY ---------------------------------------------------- */

static const u8 *const inq_std = CDB(INQUIRY, 0, 0, 0, 0xff, 0);

static void spc_inquiry_std_test(struct kunit *test)
{
	static const u8 vd_disk[8] = { 0x00, 0xa0, 0x04, 0x60, 0x04, 0xc0, 0, 0 };
	static const u8 vd_rom[8] = { 0x00, 0xa0, 0x04, 0x60, 0, 0, 0, 0 };
	struct spc_fix *f = test->priv;
	u8 *b = f->buf;

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_INQUIRY, inq_std, 255), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 96U);
	KUNIT_EXPECT_EQ(test, b[0], 0x00);	/* PQ 0, direct access */
	KUNIT_EXPECT_EQ(test, b[1], 0x00);	/* not removable */
	KUNIT_EXPECT_EQ(test, b[2], 0x06);	/* SPC-4 */
	KUNIT_EXPECT_EQ(test, b[3], 0x12);	/* HISUP, response format 2 */
	KUNIT_EXPECT_EQ(test, b[4], 96 - 5);
	KUNIT_EXPECT_EQ(test, b[5], 0x08);	/* 3PC: EXTENDED COPY */
	KUNIT_EXPECT_EQ(test, b[6], 0x00);
	KUNIT_EXPECT_EQ(test, b[7], 0x02);	/* CMDQUE */
	expect_bytes(test, b + 8, "STRIX   ", 8, "vendor");
	expect_bytes(test, b + 16, "VDISK           ", 16, "product");
	expect_bytes(test, b + 32, "0100", 4, "revision");
	expect_zero(test, b + 36, 22, "vendor specific, 56, 57");
	expect_bytes(test, b + 58, vd_disk, 8, "version descriptors");
	expect_zero(test, b + 66, 30, "reserved");
	KUNIT_EXPECT_EQ(test, b[96], T_POISON);

	/* Removable CD-ROM: RMB, type 5, no SBC version descriptor. */
	f->dp.scsi_type = TYPE_ROM;
	f->dp.removable = true;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_INQUIRY, inq_std, 255), STRIX_OK);
	KUNIT_EXPECT_EQ(test, b[0], 0x05);
	KUNIT_EXPECT_EQ(test, b[1], 0x80);
	expect_bytes(test, b + 58, vd_rom, 8, "version descriptors, rom");

	/* Long strings are cut to their fields. */
	f->id.vendor = "ABCDEFGHIJ";
	f->id.product = "0123456789abcdefXYZ";
	f->id.revision = "123456";
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_INQUIRY, inq_std, 255), STRIX_OK);
	expect_bytes(test, b + 8, "ABCDEFGH0123456789abcdef1234", 28, "cut strings");
	KUNIT_EXPECT_EQ(test, b[36], 0);

	/* No LUN: qualifier 3, type 1Fh; no identity: blanks. */
	f->ctx.dp = NULL;
	f->ctx.ident = NULL;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_INQUIRY, inq_std, 255), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 96U);
	KUNIT_EXPECT_EQ(test, b[0], 0x7f);
	KUNIT_EXPECT_EQ(test, b[1], 0x00);
	KUNIT_EXPECT_EQ(test, b[4], 96 - 5);
	expect_bytes(test, b + 8, "                            ", 28, "blank ident");
}

static void spc_inquiry_no_evpd_test(struct kunit *test)
{
	struct spc_fix *f = test->priv;
	strix_sense_t ret;

	/* A page code without EVPD (the parser refuses it first). */
	ret = spc_run(f, STRIX_EMUL_INQUIRY, CDB(INQUIRY, 0, 0x80, 0, 0xff), 255);
	expect_invalid_field(test, f, ret, 2, -1);
}

/* ---- VPD pages ----------------------------------------------------------- */

enum { T_DISK, T_ROM, T_NO_LUN };

struct vpd_case {
	const char *desc;
	int dev;
	u8 page;
	bool ok;
	u16 page_len;
};

static const struct vpd_case vpd_cases[] = {
	{ "disk 00h", T_DISK, 0x00, true, 7 },
	{ "disk 80h", T_DISK, 0x80, true, 16 },
	/* NAA 12 + T10 "STRIX   disk1" 17 + EUI-64 12 + rel port 8 */
	{ "disk 83h", T_DISK, 0x83, true, 49 },
	/* supported commands 16 + parameter data 32 + descriptors 8 + IDs 8 */
	{ "disk 8fh", T_DISK, 0x8f, true, 0x40 },
	{ "disk b0h", T_DISK, 0xb0, true, 0x3c },
	{ "disk b1h", T_DISK, 0xb1, true, 0x3c },
	{ "disk b2h", T_DISK, 0xb2, true, 4 },
	{ "disk 81h", T_DISK, 0x81, false, 0 },
	{ "disk 86h", T_DISK, 0x86, false, 0 },
	{ "disk 89h", T_DISK, 0x89, false, 0 },
	{ "disk b3h", T_DISK, 0xb3, false, 0 },
	{ "disk ffh", T_DISK, 0xff, false, 0 },
	{ "rom 00h", T_ROM, 0x00, true, 3 },
	{ "rom 80h", T_ROM, 0x80, true, 16 },
	{ "rom 83h", T_ROM, 0x83, true, 49 },
	{ "rom 8fh", T_ROM, 0x8f, false, 0 },
	{ "rom b0h", T_ROM, 0xb0, false, 0 },
	{ "rom b1h", T_ROM, 0xb1, false, 0 },
	{ "rom b2h", T_ROM, 0xb2, false, 0 },
	{ "no LUN 00h", T_NO_LUN, 0x00, true, 1 },
	{ "no LUN 80h", T_NO_LUN, 0x80, false, 0 },
	{ "no LUN 83h", T_NO_LUN, 0x83, false, 0 },
	{ "no LUN b0h", T_NO_LUN, 0xb0, false, 0 },
};

static void vpd_case_desc(const struct vpd_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vpd, vpd_cases, vpd_case_desc);

static void spc_vpd_page_test(struct kunit *test)
{
	const struct vpd_case *c = test->param_value;
	struct spc_fix *f = test->priv;
	u8 peripheral = 0x00;
	strix_sense_t ret;

	if (c->dev == T_ROM) {
		f->dp.scsi_type = TYPE_ROM;
		peripheral = 0x05;
	} else if (c->dev == T_NO_LUN) {
		f->ctx.dp = NULL;
		peripheral = 0x7f;
	}
	ret = spc_run(f, STRIX_EMUL_INQUIRY, CDB(INQUIRY, 1, c->page, 0x01, 0), 256);
	if (!c->ok) {
		expect_invalid_field(test, f, ret, 2, -1);
		KUNIT_EXPECT_EQ(test, f->buf[0], T_POISON);
		return;
	}
	EXPECT_SENSE(test, ret, STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U + c->page_len);
	KUNIT_EXPECT_EQ(test, f->buf[0], peripheral);
	KUNIT_EXPECT_EQ(test, f->buf[1], c->page);
	KUNIT_EXPECT_EQ(test, be16(f->buf + 2), c->page_len);
	KUNIT_EXPECT_EQ(test, f->buf[4 + c->page_len], T_POISON);
}

static strix_sense_t spc_vpd(struct spc_fix *f, u8 page)
{
	return spc_run(f, STRIX_EMUL_INQUIRY, CDB(INQUIRY, 1, page, 0x01, 0), 256);
}

/* The third-party copy page (8Fh), byte by byte. */
static void spc_vpd_3pc_test(struct kunit *test)
{
	static const u8 want[] = {
		0x00, 0x8f, 0x00, 0x40,
		/* supported commands: 83h/00h, 84h/00h 03h 04h, padded */
		0x00, 0x01, 0x00, 0x0c, 0x08,
		0x83, 0x01, 0x00, 0x84, 0x03, 0x00, 0x03, 0x04, 0, 0, 0,
		/* parameter data: 8 CSCDs, 16 segments, 704 bytes, no inline */
		0x00, 0x04, 0x00, 0x1c, 0, 0, 0, 0, 0x00, 0x08, 0x00, 0x10,
		0x00, 0x00, 0x02, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0,
		/* supported descriptors: 02h, E4h */
		0x00, 0x08, 0x00, 0x04, 0x02, 0x02, 0xe4, 0x00,
		/* supported CSCD descriptor IDs: none */
		0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	};
	struct spc_fix *f = test->priv;

	EXPECT_SENSE(test, spc_vpd(f, 0x8f), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, (u32)sizeof(want));
	expect_bytes(test, f->buf, want, sizeof(want), "8fh");
}

static void spc_vpd_supported_test(struct kunit *test)
{
	static const u8 disk[] = { 0x00, 0x80, 0x83, 0x8f, 0xb0, 0xb1, 0xb2 };
	static const u8 rom[] = { 0x00, 0x80, 0x83 };
	struct spc_fix *f = test->priv;

	EXPECT_SENSE(test, spc_vpd(f, 0x00), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U + sizeof(disk));
	expect_bytes(test, f->buf + 4, disk, sizeof(disk), "disk pages");

	f->dp.scsi_type = TYPE_ROM;
	EXPECT_SENSE(test, spc_vpd(f, 0x00), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U + sizeof(rom));
	expect_bytes(test, f->buf + 4, rom, sizeof(rom), "rom pages");

	f->ctx.dp = NULL;
	EXPECT_SENSE(test, spc_vpd(f, 0x00), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 5U);
	KUNIT_EXPECT_EQ(test, f->buf[0], 0x7f);
	KUNIT_EXPECT_EQ(test, f->buf[4], 0x00);
}

static void spc_vpd_serial_test(struct kunit *test)
{
	struct spc_fix *f = test->priv;

	EXPECT_SENSE(test, spc_vpd(f, 0x80), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U + 16);
	expect_bytes(test, f->buf + 4, "0d2ef8aa2afc712b", 16, "serial");

	f->id.serial = NULL;
	EXPECT_SENSE(test, spc_vpd(f, 0x80), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U);
	KUNIT_EXPECT_EQ(test, be16(f->buf + 2), 0);
}

/* One designation descriptor as VPD page 83h carries it. */
struct desig {
	u8 b0;		/* protocol identifier, code set */
	u8 b1;		/* PIV, association, designator type */
	u8 len;
	const u8 *data;
};

static void expect_desigs(struct kunit *test, struct spc_fix *f,
			  const struct desig *d, unsigned int n)
{
	u16 page_len = be16(f->buf + 2);
	unsigned int off = 4, i;

	KUNIT_EXPECT_EQ(test, f->buf[1], 0x83);
	KUNIT_EXPECT_EQ(test, f->produced, 4U + page_len);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_LE(test, off + 4 + d[i].len, 4U + page_len);
		KUNIT_EXPECT_EQ(test, f->buf[off], d[i].b0);
		KUNIT_EXPECT_EQ(test, f->buf[off + 1], d[i].b1);
		KUNIT_EXPECT_EQ(test, f->buf[off + 2], 0);
		KUNIT_EXPECT_EQ(test, f->buf[off + 3], d[i].len);
		expect_bytes(test, f->buf + off + 4, d[i].data, d[i].len,
			     "designator");
		off += 4 + d[i].len;
	}
	KUNIT_EXPECT_EQ(test, off, 4U + page_len);	/* nothing else */
}

static void spc_vpd_devid_test(struct kunit *test)
{
	static const u8 port1[4] = { 0, 0, 0, 1 };
	static const u8 port2[4] = { 0, 0, 0x12, 0x34 };
	static const u8 tpg[4] = { 0, 0, 0, 7 };
	static const u8 naa16[16] = { 0x61, 2, 3, 4, 5, 6, 7, 8,
				      9, 10, 11, 12, 13, 14, 15, 16 };
	struct spc_fix *f = test->priv;
	struct desig d[5] = {
		{ 0x01, 0x03, 8, f->id.naa },
		{ 0x02, 0x01, 13, (const u8 *)"STRIX   disk1" },
		{ 0x01, 0x02, 8, f->id.eui64 },
		{ 0x01, 0x14, 4, port1 },	/* PIV 0: no protocol claimed */
		{ 0x01, 0x15, 4, tpg },
	};

	EXPECT_SENSE(test, spc_vpd(f, 0x83), STRIX_OK);
	expect_desigs(test, f, d, 4);

	/* A target port group, another port, a 16-byte NAA. */
	f->id.tpg_id = 7;
	f->id.rel_tgt_id = 0x1234;
	memcpy(f->id.naa, naa16, sizeof(naa16));
	f->id.naa_len = 16;
	d[0].len = 16;
	d[0].data = naa16;
	d[3].data = port2;
	EXPECT_SENSE(test, spc_vpd(f, 0x83), STRIX_OK);
	KUNIT_EXPECT_EQ(test, be16(f->buf + 2), 49 + 8 + 8);
	expect_desigs(test, f, d, 5);

	/* No NAA, no port id, no t10_dev_id: T10 is the vendor alone. */
	f->id.naa_len = 0;
	f->id.rel_tgt_id = 0;
	f->id.tpg_id = 0;
	f->id.t10_dev_id = NULL;
	d[1].len = 8;
	EXPECT_SENSE(test, spc_vpd(f, 0x83), STRIX_OK);
	expect_desigs(test, f, d + 1, 2);
}

static void spc_vpd_block_limits_test(struct kunit *test)
{
	struct spc_fix *f = test->priv;
	u8 *b = f->buf;

	EXPECT_SENSE(test, spc_vpd(f, 0xb0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 64U);
	KUNIT_EXPECT_EQ(test, b[4], 0);		/* WSNZ */
	KUNIT_EXPECT_EQ(test, b[5], STRIX_MAX_CAW_BLOCKS);
	expect_zero(test, b + 6, 2, "granularity");
	KUNIT_EXPECT_EQ(test, be32(b + 8), (8U << 20) / 512);
	KUNIT_EXPECT_EQ(test, be32(b + 12), 128U);
	/* fully provisioned: no UNMAP limits; WRITE SAME up to 1 GiB */
	expect_zero(test, b + 16, 20, "prefetch, unmap");
	KUNIT_EXPECT_EQ(test, be32(b + 36), 0U);
	KUNIT_EXPECT_EQ(test, be32(b + 40), (1U << 30) / 512);
	KUNIT_EXPECT_EQ(test, be32(b + 44), STRIX_MAX_ATOMIC_BLOCKS);
	expect_zero(test, b + 48, 16, "atomic alignment, granularity, boundary");

	/* thin: the UNMAP limits, granularity and alignment (UGAVALID) */
	f->dp.thin_provisioned = true;
	f->dp.unmap_granularity = 8;
	f->dp.unmap_alignment = 3;
	EXPECT_SENSE(test, spc_vpd(f, 0xb0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, be32(b + 20), (1U << 30) / 512);
	KUNIT_EXPECT_EQ(test, be32(b + 24), 256U);
	KUNIT_EXPECT_EQ(test, be32(b + 28), 8U);
	KUNIT_EXPECT_EQ(test, be32(b + 32), 0x80000003U);
	/* no granularity reported: no alignment either */
	f->dp.unmap_granularity = 0;
	EXPECT_SENSE(test, spc_vpd(f, 0xb0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, be32(b + 28), 0U);
	KUNIT_EXPECT_EQ(test, be32(b + 32), 0U);
	f->dp.thin_provisioned = false;

	/* 4 KiB blocks; the optimum never exceeds the maximum. */
	f->dp.block_size = 4096;
	f->dp.opt_xfer_blocks = 100000;
	EXPECT_SENSE(test, spc_vpd(f, 0xb0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, be32(b + 8), 2048U);
	KUNIT_EXPECT_EQ(test, be32(b + 12), 2048U);

	f->dp.opt_xfer_blocks = 0;
	EXPECT_SENSE(test, spc_vpd(f, 0xb0), STRIX_OK);
	KUNIT_EXPECT_EQ(test, be32(b + 12), 0U);
}

static void spc_vpd_bdc_lbp_test(struct kunit *test)
{
	struct spc_fix *f = test->priv;
	u8 *b = f->buf;

	EXPECT_SENSE(test, spc_vpd(f, 0xb1), STRIX_OK);
	KUNIT_EXPECT_EQ(test, be16(b + 4), 1);	/* non-rotating */
	expect_zero(test, b + 6, 58, "bdc rest");
	f->dp.rotational = true;
	EXPECT_SENSE(test, spc_vpd(f, 0xb1), STRIX_OK);
	KUNIT_EXPECT_EQ(test, be16(b + 4), 0);	/* not reported */

	EXPECT_SENSE(test, spc_vpd(f, 0xb2), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 8U);
	expect_zero(test, b + 4, 4, "lbp, full");
	/* LBPRZ only for a fully provisioned device means nothing: 0 */
	f->dp.unmap_zeroes = true;
	EXPECT_SENSE(test, spc_vpd(f, 0xb2), STRIX_OK);
	expect_zero(test, b + 4, 4, "lbp, full, unmap_zeroes");
	f->dp.unmap_zeroes = false;
	f->dp.thin_provisioned = true;
	EXPECT_SENSE(test, spc_vpd(f, 0xb2), STRIX_OK);
	KUNIT_EXPECT_EQ(test, b[4], 0);
	KUNIT_EXPECT_EQ(test, b[5], 0xe0);	/* LBPU LBPWS LBPWS10, no LBPRZ */
	KUNIT_EXPECT_EQ(test, b[6], 2);		/* thin */
	KUNIT_EXPECT_EQ(test, b[7], 0);
	f->dp.unmap_zeroes = true;
	EXPECT_SENSE(test, spc_vpd(f, 0xb2), STRIX_OK);
	KUNIT_EXPECT_EQ(test, b[5], 0xe4);	/* and LBPRZ; ANC_SUP, DP 0 */
}

/* ---- READ CAPACITY ------------------------------------------------------- */

struct rcap_case {
	const char *desc;
	u64 nr_blocks;
	u32 block_size;
	u32 rc10_lba;
	u64 rc16_lba;
};

static const struct rcap_case rcap_cases[] = {
	{ "1 GiB", 0x200000, 512, 0x1fffff, 0x1fffff },
	{ "one block", 1, 4096, 0, 0 },
	{ "empty", 0, 512, 0, 0 },
	{ "last LBA fffffffe", 0xffffffffULL, 512, 0xfffffffe, 0xfffffffe },
	{ "last LBA ffffffff", 0x100000000ULL, 512, 0xffffffff, 0xffffffff },
	{ "2 TiB + 1 block", 0x100000001ULL, 512, 0xffffffff, 0x100000000ULL },
	{ "4 PiB 4K", 0x10000000000ULL, 4096, 0xffffffff, 0xffffffffffULL },
};

static void rcap_case_desc(const struct rcap_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rcap, rcap_cases, rcap_case_desc);

static void spc_read_capacity_test(struct kunit *test)
{
	const struct rcap_case *c = test->param_value;
	struct spc_fix *f = test->priv;
	u8 *b = f->buf;

	f->dp.nr_blocks = c->nr_blocks;
	f->dp.block_size = c->block_size;

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_READ_CAPACITY_10,
				   CDB(READ_CAPACITY), 8), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 8U);
	KUNIT_EXPECT_EQ(test, be32(b), c->rc10_lba);
	KUNIT_EXPECT_EQ(test, be32(b + 4), c->block_size);

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_READ_CAPACITY_16,
				   CDB(SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16,
				       0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32), 32),
		     STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 32U);
	KUNIT_EXPECT_EQ(test, be64(b), c->rc16_lba);
	KUNIT_EXPECT_EQ(test, be32(b + 8), c->block_size);
	expect_zero(test, b + 12, 20, "rc16 flags, reserved");
}

static void spc_read_capacity_fields_test(struct kunit *test)
{
	struct spc_fix *f = test->priv;

	/* LBPME with thin provisioning; LBPRZ only if unmapped reads zero */
	f->dp.unmap_zeroes = true;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_READ_CAPACITY_16,
				   CDB(SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16),
				   32), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->buf[14], 0);	/* not thin: neither */
	f->dp.unmap_zeroes = false;
	f->dp.thin_provisioned = true;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_READ_CAPACITY_16,
				   CDB(SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16),
				   32), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->buf[12], 0);
	KUNIT_EXPECT_EQ(test, f->buf[13], 0);
	KUNIT_EXPECT_EQ(test, f->buf[14], 0x80);
	KUNIT_EXPECT_EQ(test, f->buf[15], 0);
	f->dp.unmap_zeroes = true;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_READ_CAPACITY_16,
				   CDB(SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16),
				   32), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->buf[14], 0xc0);	/* LBPME LBPRZ */

	/* PMI with an LBA (the parser checks the LBA): the last LBA still. */
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_READ_CAPACITY_10,
				   CDB(READ_CAPACITY, 0, 0, 0, 0, 1, 0, 0, 1),
				   8), STRIX_OK);
	KUNIT_EXPECT_EQ(test, be32(f->buf), 0x1fffffU);
}

/* ---- MODE SENSE ---------------------------------------------------------- */

struct ms_case {
	const char *desc;
	bool ten;
	u8 byte1;		/* DBD, LLBAA */
	u8 byte2;		/* PC, page code */
	u8 subpage;
	u16 bad_byte;		/* 0: succeeds */
	s8 bad_bit;
	u32 len;		/* full response */
	u8 bd_len;
	u8 pages[2];		/* page codes in order; 0 ends */
};

static const struct ms_case ms_cases[] = {
	{ "6 caching", false, 0, 0x08, 0, 0, 0, 4 + 8 + 20, 8, { 0x08 } },
	{ "6 control dbd", false, 0x08, 0x0a, 0, 0, 0, 4 + 12, 0, { 0x0a } },
	{ "6 all", false, 0, 0x3f, 0, 0, 0, 4 + 8 + 32, 8, { 0x08, 0x0a } },
	{ "6 all dbd", false, 0x08, 0x3f, 0, 0, 0, 4 + 32, 0, { 0x08, 0x0a } },
	{ "6 all subpages", false, 0, 0x3f, 0xff, 0, 0, 44, 8, { 0x08, 0x0a } },
	{ "6 llbaa ignored", false, 0x10, 0x3f, 0, 0, 0, 44, 8, { 0x08, 0x0a } },
	{ "6 changeable", false, 0, 0x7f, 0, 0, 0, 44, 8, { 0x08, 0x0a } },
	{ "6 default", false, 0, 0xbf, 0, 0, 0, 44, 8, { 0x08, 0x0a } },
	{ "6 saved", false, 0, 0xff, 0, 0, 0, 44, 8, { 0x08, 0x0a } },
	{ "6 page 01h", false, 0, 0x01, 0, 2, 5, 0, 0, {} },
	{ "6 page 00h", false, 0, 0x00, 0, 2, 5, 0, 0, {} },
	{ "6 page 1ch", false, 0, 0x1c, 0, 2, 5, 0, 0, {} },
	{ "6 caching sub 01h", false, 0, 0x08, 0x01, 3, -1, 0, 0, {} },
	{ "6 caching sub ffh", false, 0, 0x08, 0xff, 3, -1, 0, 0, {} },
	{ "6 all sub 01h", false, 0, 0x3f, 0x01, 3, -1, 0, 0, {} },
	{ "10 caching", true, 0, 0x08, 0, 0, 0, 8 + 8 + 20, 8, { 0x08 } },
	{ "10 control", true, 0, 0x0a, 0, 0, 0, 8 + 8 + 12, 8, { 0x0a } },
	{ "10 all", true, 0, 0x3f, 0, 0, 0, 8 + 8 + 32, 8, { 0x08, 0x0a } },
	{ "10 all llbaa", true, 0x10, 0x3f, 0, 0, 0, 8 + 16 + 32, 16, { 0x08, 0x0a } },
	{ "10 all llbaa dbd", true, 0x18, 0x3f, 0, 0, 0, 8 + 32, 0, { 0x08, 0x0a } },
	{ "10 control changeable", true, 0, 0x4a, 0, 0, 0, 28, 8, { 0x0a } },
	{ "10 caching default", true, 0x08, 0x88, 0, 0, 0, 28, 0, { 0x08 } },
	{ "10 saved", true, 0, 0xc8, 0, 0, 0, 36, 8, { 0x08 } },
	{ "10 page 02h", true, 0, 0x02, 0, 2, 5, 0, 0, {} },
	{ "10 control sub 01h", true, 0, 0x0a, 0x01, 3, -1, 0, 0, {} },
	{ "10 all sub 10h", true, 0, 0x3f, 0x10, 3, -1, 0, 0, {} },
};

static void ms_case_desc(const struct ms_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ms, ms_cases, ms_case_desc);

static strix_sense_t spc_mode_sense(struct spc_fix *f, bool ten, u8 byte1,
				    u8 byte2, u8 subpage, u32 len)
{
	if (ten)
		return spc_run(f, STRIX_EMUL_MODE_SENSE_10,
			       CDB(MODE_SENSE_10, byte1, byte2, subpage, 0, 0,
				   0, len >> 8, len & 0xff), len);
	return spc_run(f, STRIX_EMUL_MODE_SENSE_6,
		       CDB(MODE_SENSE, byte1, byte2, subpage, len), len);
}

static void spc_mode_sense_test(struct kunit *test)
{
	const struct ms_case *c = test->param_value;
	struct spc_fix *f = test->priv;
	u32 hdr = c->ten ? 8 : 4;
	u32 off;
	strix_sense_t ret;
	unsigned int i;

	ret = spc_mode_sense(f, c->ten, c->byte1, c->byte2, c->subpage, 255);
	if (c->bad_byte) {
		expect_invalid_field(test, f, ret, c->bad_byte, c->bad_bit);
		return;
	}
	EXPECT_SENSE(test, ret, STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, c->len);
	KUNIT_EXPECT_EQ(test, f->buf[c->len], T_POISON);
	if (c->ten) {
		KUNIT_EXPECT_EQ(test, be16(f->buf), c->len - 2);
		KUNIT_EXPECT_EQ(test, f->buf[4], c->bd_len == 16 ? 1 : 0);
		KUNIT_EXPECT_EQ(test, be16(f->buf + 6), c->bd_len);
	} else {
		KUNIT_EXPECT_EQ(test, f->buf[0], c->len - 1);
		KUNIT_EXPECT_EQ(test, f->buf[3], c->bd_len);
	}
	KUNIT_EXPECT_EQ(test, f->buf[c->ten ? 2 : 1], 0);	/* medium type */

	/* The pages, in order, each with its own length. */
	off = hdr + c->bd_len;
	for (i = 0; i < ARRAY_SIZE(c->pages) && c->pages[i]; i++) {
		KUNIT_ASSERT_LT(test, off + 1, c->len);
		/* PS 1 (the pages can be saved), SPF 0 */
		KUNIT_EXPECT_EQ(test, f->buf[off], 0x80 | c->pages[i]);
		KUNIT_EXPECT_EQ(test, f->buf[off + 1],
				c->pages[i] == 0x08 ? 0x12 : 0x0a);
		off += 2 + f->buf[off + 1];
	}
	KUNIT_EXPECT_EQ(test, off, c->len);
}

/* Offset of page @code in the response of MODE SENSE(6) with DBD. */
static u8 *spc_ms6_page(struct kunit *test, struct spc_fix *f, u8 pc, u8 code)
{
	EXPECT_SENSE(test, spc_mode_sense(f, false, 0x08, pc << 6 | code, 0, 255),
		     STRIX_OK);
	return f->buf + 4;
}

static void spc_mode_sense_values_test(struct kunit *test)
{
	static const u8 bd512[8] = { 0, 0x20, 0, 0, 0, 0, 0x02, 0 };
	static const u8 bd_sat[8] = { 0xff, 0xff, 0xff, 0xff, 0, 0, 0x10, 0 };
	static const u8 bd_long[16] = { 0, 0, 0, 0x01, 0x23, 0x45, 0x67, 0x89,
					0, 0, 0, 0, 0, 0, 0x10, 0 };
	struct spc_fix *f = test->priv;
	u8 *p;

	/* Caching: WCE per page control; changeable when there is a cache. */
	p = spc_ms6_page(test, f, 0, 0x08);
	KUNIT_EXPECT_EQ(test, p[0], 0x88);	/* PS, page 08h */
	KUNIT_EXPECT_EQ(test, p[2], 0x04);
	expect_zero(test, p + 3, 17, "caching rest");
	p = spc_ms6_page(test, f, 1, 0x08);
	KUNIT_EXPECT_EQ(test, p[2], 0x04);
	expect_zero(test, p + 3, 17, "caching changeable rest");
	f->ctx.mode.cur.wce = false;		/* MODE SELECT turned it off */
	p = spc_ms6_page(test, f, 0, 0x08);
	KUNIT_EXPECT_EQ(test, p[2], 0x00);
	p = spc_ms6_page(test, f, 2, 0x08);
	KUNIT_EXPECT_EQ(test, p[2], 0x04);
	p = spc_ms6_page(test, f, 3, 0x08);
	KUNIT_EXPECT_EQ(test, p[2], 0x04);
	f->ctx.mode.saved.wce = false;		/* ... and saved it */
	p = spc_ms6_page(test, f, 3, 0x08);
	KUNIT_EXPECT_EQ(test, p[2], 0x00);
	f->ctx.mode.wce_changeable = false;	/* no cache: nothing to change */
	p = spc_ms6_page(test, f, 1, 0x08);
	expect_zero(test, p + 2, 18, "caching changeable, no cache");
	f->ctx.mode.wce_changeable = true;
	f->ctx.mode.cur.wce = true;

	/* Control: D_SENSE, QErr, TAS changeable; QAM 1, the rest 0. */
	p = spc_ms6_page(test, f, 0, 0x0a);
	KUNIT_EXPECT_EQ(test, p[0], 0x8a);
	KUNIT_EXPECT_EQ(test, p[2], 0x00);
	KUNIT_EXPECT_EQ(test, p[3], 0x10);
	expect_zero(test, p + 4, 8, "control rest");
	p = spc_ms6_page(test, f, 1, 0x0a);
	KUNIT_EXPECT_EQ(test, p[2], 0x04);	/* D_SENSE */
	KUNIT_EXPECT_EQ(test, p[3], 0x06);	/* QErr, not QAM */
	KUNIT_EXPECT_EQ(test, p[4], 0x00);	/* not SWP */
	KUNIT_EXPECT_EQ(test, p[5], 0x40);	/* TAS */
	expect_zero(test, p + 6, 6, "control changeable rest");
	f->ctx.mode.cur.d_sense = true;
	p = spc_ms6_page(test, f, 0, 0x0a);
	KUNIT_EXPECT_EQ(test, p[2], 0x04);
	p = spc_ms6_page(test, f, 2, 0x0a);
	KUNIT_EXPECT_EQ(test, p[2], 0x00);	/* the default is fixed sense */
	f->ctx.mode.cur.d_sense = false;

	/* TAS and QErr: the current values, the defaults apart. */
	f->ctx.mode.cur.tas = true;
	f->ctx.mode.cur.qerr = 3;
	p = spc_ms6_page(test, f, 0, 0x0a);
	KUNIT_EXPECT_EQ(test, p[3], 0x16);	/* QAM 1, QErr 11b */
	KUNIT_EXPECT_EQ(test, p[5], 0x40);	/* TAS */
	p = spc_ms6_page(test, f, 2, 0x0a);
	KUNIT_EXPECT_EQ(test, p[3], 0x10);
	KUNIT_EXPECT_EQ(test, p[5], 0x00);
	f->ctx.mode.cur.qerr = 1;
	p = spc_ms6_page(test, f, 0, 0x0a);
	KUNIT_EXPECT_EQ(test, p[3], 0x12);
	f->ctx.mode.saved.qerr = 1;
	p = spc_ms6_page(test, f, 3, 0x0a);
	KUNIT_EXPECT_EQ(test, p[3], 0x12);
	f->ctx.mode.cur.tas = false;
	f->ctx.mode.cur.qerr = 0;

	/* Device-specific parameter: DPOFUA; WP from the LUN or the device. */
	EXPECT_SENSE(test, spc_mode_sense(f, false, 0, 0x08, 0, 255), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->buf[2], 0x10);
	expect_bytes(test, f->buf + 4, bd512, 8, "short block descriptor");
	f->ctx.read_only = true;
	EXPECT_SENSE(test, spc_mode_sense(f, true, 0, 0x08, 0, 255), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->buf[3], 0x90);
	f->ctx.read_only = false;
	f->dp.read_only = true;
	EXPECT_SENSE(test, spc_mode_sense(f, false, 0, 0x08, 0, 255), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->buf[2], 0x90);

	/* Block descriptors: the short one saturates, the long one does not. */
	f->dp.nr_blocks = 0x123456789ULL;
	f->dp.block_size = 4096;
	EXPECT_SENSE(test, spc_mode_sense(f, false, 0, 0x0a, 0, 255), STRIX_OK);
	expect_bytes(test, f->buf + 4, bd_sat, 8, "saturated descriptor");
	EXPECT_SENSE(test, spc_mode_sense(f, true, 0, 0x0a, 0, 255), STRIX_OK);
	expect_bytes(test, f->buf + 8, bd_sat, 8, "saturated descriptor (10)");
	EXPECT_SENSE(test, spc_mode_sense(f, true, 0x10, 0x0a, 0, 255), STRIX_OK);
	expect_bytes(test, f->buf + 8, bd_long, 16, "long descriptor");

	/* Not a disk: no WP/DPOFUA in the device-specific parameter. */
	f->dp.scsi_type = TYPE_ROM;
	EXPECT_SENSE(test, spc_mode_sense(f, false, 0, 0x3f, 0, 255), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->buf[2], 0x00);
}

/* ---- REQUEST SENSE ------------------------------------------------------- */

static void spc_request_sense_test(struct kunit *test)
{
	static const u8 fixed_ok[18] = { 0x70, 0, 0, 0, 0, 0, 0, 10 };
	static const u8 fixed_nolun[18] = { 0x70, 0, 0x05, 0, 0, 0, 0, 10,
					    0, 0, 0, 0, 0x25, 0 };
	static const u8 desc_ok[8] = { 0x72, 0, 0, 0, 0, 0, 0, 0 };
	static const u8 desc_nolun[8] = { 0x72, 0x05, 0x25, 0, 0, 0, 0, 0 };
	struct spc_fix *f = test->priv;

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REQUEST_SENSE,
				   CDB(REQUEST_SENSE, 0, 0, 0, 252), 252), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 18U);
	expect_bytes(test, f->buf, fixed_ok, 18, "fixed, no sense");

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REQUEST_SENSE,
				   CDB(REQUEST_SENSE, 1, 0, 0, 252), 252), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 8U);
	expect_bytes(test, f->buf, desc_ok, 8, "descriptor, no sense");

	/* A LUN that does not exist: the sense data say so, status GOOD. */
	f->ctx.dp = NULL;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REQUEST_SENSE,
				   CDB(REQUEST_SENSE, 0, 0, 0, 252), 252), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 18U);
	expect_bytes(test, f->buf, fixed_nolun, 18, "fixed, no LUN");

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REQUEST_SENSE,
				   CDB(REQUEST_SENSE, 1, 0, 0, 252), 252), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 8U);
	expect_bytes(test, f->buf, desc_nolun, 8, "descriptor, no LUN");
}

/* ---- REPORT LUNS --------------------------------------------------------- */

static strix_sense_t spc_report_luns(struct spc_fix *f, u8 select, u32 len)
{
	return spc_run(f, STRIX_EMUL_REPORT_LUNS,
		       CDB(REPORT_LUNS, 0, select, 0, 0, 0, len >> 24,
			   len >> 16, len >> 8, len), len);
}

static void expect_lun_list(struct kunit *test, struct spc_fix *f,
			    unsigned int nr, bool wlun)
{
	unsigned int i;
	u8 want[8];

	KUNIT_EXPECT_EQ(test, f->produced, 8 + 8 * (nr + wlun));
	KUNIT_EXPECT_EQ(test, be32(f->buf), 8 * (nr + wlun));
	KUNIT_EXPECT_EQ(test, be32(f->buf + 4), 0U);
	for (i = 0; i < nr; i++) {
		strix_lun_to_wire(f->luns[i], want);
		expect_bytes(test, f->buf + 8 + 8 * i, want, 8, "LUN");
	}
	if (wlun)
		KUNIT_EXPECT_EQ(test, be64(f->buf + 8 + 8 * nr),
				T_WLUN_REPORT_LUNS);
	KUNIT_EXPECT_EQ(test, f->buf[f->produced], T_POISON);
}

/* ---- REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS -------------------------- */

static void spc_report_tmf_test(struct kunit *test)
{
	/* ATS ATSS CTSS LURS QTS TRS; QAES QTSS ITNRS; no CLEAR ACA, WAKEUP */
	static const u8 basic[4] = { 0xde, 0x07, 0, 0 };
	static const u8 ext[16] = { 0xde, 0x07, 0, 0x0c };
	struct spc_fix *f = test->priv;

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REPORT_TMF,
				   CDB(MAINTENANCE_IN, 0x0d, 0, 0, 0, 0, 0, 0,
				       0, 4), 4), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U);
	expect_bytes(test, f->buf, basic, 4, "REPORT SUPPORTED TMF");

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REPORT_TMF,
				   CDB(MAINTENANCE_IN, 0x0d, 0x80, 0, 0, 0, 0,
				       0, 0, 16), 16), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 16U);
	expect_bytes(test, f->buf, ext, 16, "REPORT SUPPORTED TMF, REPD");

	/* A LUN that does not exist has no device server to ask. */
	f->ctx.dp = NULL;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REPORT_TMF,
				   CDB(MAINTENANCE_IN, 0x0d, 0, 0, 0, 0, 0, 0,
				       0, 4), 4), STRIX_LUN_NOT_SUPPORTED);
}

static void spc_report_luns_test(struct kunit *test)
{
	struct spc_fix *f = test->priv;
	unsigned int i;
	strix_sense_t ret;

	/* No LUN at all. */
	EXPECT_SENSE(test, spc_report_luns(f, 0, T_BUF), STRIX_OK);
	expect_lun_list(test, f, 0, false);
	EXPECT_SENSE(test, spc_report_luns(f, 1, T_BUF), STRIX_OK);
	expect_lun_list(test, f, 0, true);
	EXPECT_SENSE(test, spc_report_luns(f, 2, T_BUF), STRIX_OK);
	expect_lun_list(test, f, 0, true);

	/* LUN 0: eight zero bytes in every addressing method. */
	f->ctx.nr_luns = 1;
	EXPECT_SENSE(test, spc_report_luns(f, 0, T_BUF), STRIX_OK);
	expect_lun_list(test, f, 1, false);
	expect_zero(test, f->buf + 8, 8, "LUN 0");
	EXPECT_SENSE(test, spc_report_luns(f, 1, T_BUF), STRIX_OK);
	expect_lun_list(test, f, 0, true);
	EXPECT_SENSE(test, spc_report_luns(f, 2, T_BUF), STRIX_OK);
	expect_lun_list(test, f, 1, true);

	/* Many, past the peripheral addressing range. */
	for (i = 0; i < T_MAX_LUNS; i++)
		f->luns[i] = i * 7;
	f->ctx.nr_luns = T_MAX_LUNS;
	EXPECT_SENSE(test, spc_report_luns(f, 0, T_BUF), STRIX_OK);
	expect_lun_list(test, f, T_MAX_LUNS, false);
	KUNIT_EXPECT_EQ(test, f->buf[8 + 8 * 1 + 1], 7);	/* LUN 7 */
	EXPECT_SENSE(test, spc_report_luns(f, 1, T_BUF), STRIX_OK);
	expect_lun_list(test, f, 0, true);
	EXPECT_SENSE(test, spc_report_luns(f, 2, T_BUF), STRIX_OK);
	expect_lun_list(test, f, T_MAX_LUNS, true);

	/* Room for the header and one entry: the full length is reported. */
	EXPECT_SENSE(test, spc_report_luns(f, 0, 16), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 8U + 8 * T_MAX_LUNS);
	KUNIT_EXPECT_EQ(test, be32(f->buf), 8U * T_MAX_LUNS);
	expect_zero(test, f->buf + 8, 8, "first LUN");
	KUNIT_EXPECT_EQ(test, f->buf[16], T_POISON);

	/* Any LUN may be addressed, existing or not. */
	f->ctx.dp = NULL;
	EXPECT_SENSE(test, spc_report_luns(f, 0, T_BUF), STRIX_OK);
	expect_lun_list(test, f, T_MAX_LUNS, false);

	/* Other SELECT REPORT values (administrative LUs...) are refused. */
	ret = spc_report_luns(f, 3, T_BUF);
	expect_invalid_field(test, f, ret, 2, -1);
	ret = spc_report_luns(f, 0x10, T_BUF);
	expect_invalid_field(test, f, ret, 2, -1);
	ret = spc_report_luns(f, 0xff, T_BUF);
	expect_invalid_field(test, f, ret, 2, -1);
}

/* ---- Truncation to the allocation length --------------------------------- */

struct trunc_case {
	const char *desc;
	u8 emul;
	u8 cdb[16];
	u32 full;
};

static const struct trunc_case trunc_cases[] = {
	{ "inquiry", STRIX_EMUL_INQUIRY, { INQUIRY, 0, 0, 0, 0xff }, 96 },
	{ "vpd 00h", STRIX_EMUL_INQUIRY, { INQUIRY, 1, 0x00, 0, 0xff }, 11 },
	{ "vpd 80h", STRIX_EMUL_INQUIRY, { INQUIRY, 1, 0x80, 0, 0xff }, 20 },
	{ "vpd 83h", STRIX_EMUL_INQUIRY, { INQUIRY, 1, 0x83, 0, 0xff }, 53 },
	{ "vpd b0h", STRIX_EMUL_INQUIRY, { INQUIRY, 1, 0xb0, 0, 0xff }, 64 },
	{ "vpd b1h", STRIX_EMUL_INQUIRY, { INQUIRY, 1, 0xb1, 0, 0xff }, 64 },
	{ "vpd b2h", STRIX_EMUL_INQUIRY, { INQUIRY, 1, 0xb2, 0, 0xff }, 8 },
	{ "read capacity 10", STRIX_EMUL_READ_CAPACITY_10, { READ_CAPACITY }, 8 },
	{ "read capacity 16", STRIX_EMUL_READ_CAPACITY_16,
	  { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 }, 32 },
	{ "mode sense 6 all", STRIX_EMUL_MODE_SENSE_6,
	  { MODE_SENSE, 0, 0x3f, 0, 0xff }, 44 },
	{ "mode sense 10 all llbaa", STRIX_EMUL_MODE_SENSE_10,
	  { MODE_SENSE_10, 0x10, 0x3f, 0, 0, 0, 0, 0, 0xff }, 56 },
	{ "request sense fixed", STRIX_EMUL_REQUEST_SENSE,
	  { REQUEST_SENSE, 0, 0, 0, 0xff }, 18 },
	{ "request sense desc", STRIX_EMUL_REQUEST_SENSE,
	  { REQUEST_SENSE, 1, 0, 0, 0xff }, 8 },
	{ "report luns", STRIX_EMUL_REPORT_LUNS,
	  { REPORT_LUNS, 0, 0x02, 0, 0, 0, 0, 0, 1, 0 }, 8 + 4 * 8 },
};

static void trunc_case_desc(const struct trunc_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(trunc, trunc_cases, trunc_case_desc);

static void spc_truncation_test(struct kunit *test)
{
	const struct trunc_case *c = test->param_value;
	struct spc_fix *f = test->priv;
	u32 lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 17, c->full - 1, c->full };
	unsigned int i;

	f->luns[0] = 0;
	f->luns[1] = 1;
	f->luns[2] = 300;
	f->ctx.nr_luns = 3;

	EXPECT_SENSE(test, spc_run(f, c->emul, c->cdb, T_BUF), STRIX_OK);
	KUNIT_ASSERT_EQ(test, f->produced, c->full);
	memcpy(f->full, f->buf, c->full);

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		u32 len = min(lens[i], c->full);

		EXPECT_SENSE(test, spc_run(f, c->emul, c->cdb, len), STRIX_OK);
		KUNIT_EXPECT_EQ(test, f->produced, c->full);
		expect_bytes(test, f->buf, f->full, len, "truncated prefix");
		KUNIT_EXPECT_EQ_MSG(test, f->buf[len], T_POISON,
				    "written past %u bytes", len);
	}
}

/*
 * REPORT TARGET PORT GROUPS: the header of either format before the
 * descriptors alua.c hands over, copied as they are; truncated answers
 * still count the whole length.
 */
static void spc_report_tpg_test(struct kunit *test)
{
	struct spc_fix *f = test->priv;
	/* group 1 active/optimized PREF, ports 1 and 2; group 2 standby, port 3 */
	static const u8 descs[] = {
		0x80, 0xcf, 0x00, 0x01, 0x00, 0x02, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
		0x02, 0xcf, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x03,
	};
	const u8 rtpg[16] = { MAINTENANCE_IN, MI_REPORT_TARGET_PGS,
			      [9] = 0xff };
	const u8 rtpg_ext[16] = { MAINTENANCE_IN, 0x20 | MI_REPORT_TARGET_PGS,
				  [9] = 0xff };

	f->ctx.rtpg = descs;
	f->ctx.rtpg_len = sizeof(descs);

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REPORT_TPG, rtpg, T_BUF),
		     STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U + sizeof(descs));
	KUNIT_EXPECT_EQ(test, be32(f->buf), (u32)sizeof(descs));
	expect_bytes(test, f->buf + 4, descs, sizeof(descs), "descriptors");

	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REPORT_TPG, rtpg_ext, T_BUF),
		     STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 8U + sizeof(descs));
	KUNIT_EXPECT_EQ(test, be32(f->buf), 4U + sizeof(descs));
	KUNIT_EXPECT_EQ(test, f->buf[4], 0x10);	/* FORMAT TYPE 001b */
	KUNIT_EXPECT_EQ(test, f->buf[5], 0);	/* IMPLICIT TRANSITION TIME */
	expect_bytes(test, f->buf + 8, descs, sizeof(descs), "descriptors");

	/* room for the header only: the length still says it all */
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REPORT_TPG, rtpg, 4), STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U + sizeof(descs));
	KUNIT_EXPECT_EQ(test, be32(f->buf), (u32)sizeof(descs));
	KUNIT_EXPECT_EQ(test, f->buf[4], T_POISON);

	/* a group without ports: a header and nothing else */
	f->ctx.rtpg = NULL;
	f->ctx.rtpg_len = 0;
	EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_REPORT_TPG, rtpg, T_BUF),
		     STRIX_OK);
	KUNIT_EXPECT_EQ(test, f->produced, 4U);
	KUNIT_EXPECT_EQ(test, be32(f->buf), 0U);
}

/*
 * INQUIRY byte 5, TPGS: 00b without ALUA, 01b implicit, 11b both; beside
 * it 3PC (a disk supports EXTENDED COPY).
 */
static void spc_inquiry_tpgs_test(struct kunit *test)
{
	struct spc_fix *f = test->priv;
	static const u8 tpgs[] = { 0, 1, 3 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tpgs); i++) {
		f->id.tpgs = tpgs[i];
		EXPECT_SENSE(test, spc_run(f, STRIX_EMUL_INQUIRY,
					   CDB(INQUIRY, 0, 0, 0, 96), T_BUF),
			     STRIX_OK);
		KUNIT_EXPECT_EQ_MSG(test, f->buf[5], tpgs[i] << 4 | 0x08,
				    "TPGS %u", tpgs[i]);
	}
}

static struct kunit_case strix_spc_test_cases[] = {
	KUNIT_CASE(spc_ident_derive_test),
	KUNIT_CASE(spc_no_data_test),
	KUNIT_CASE(spc_inquiry_std_test),
	KUNIT_CASE(spc_inquiry_no_evpd_test),
	KUNIT_CASE_PARAM(spc_vpd_page_test, vpd_gen_params),
	KUNIT_CASE(spc_vpd_supported_test),
	KUNIT_CASE(spc_vpd_3pc_test),
	KUNIT_CASE(spc_vpd_serial_test),
	KUNIT_CASE(spc_vpd_devid_test),
	KUNIT_CASE(spc_vpd_block_limits_test),
	KUNIT_CASE(spc_vpd_bdc_lbp_test),
	KUNIT_CASE_PARAM(spc_read_capacity_test, rcap_gen_params),
	KUNIT_CASE(spc_read_capacity_fields_test),
	KUNIT_CASE_PARAM(spc_mode_sense_test, ms_gen_params),
	KUNIT_CASE(spc_mode_sense_values_test),
	KUNIT_CASE(spc_request_sense_test),
	KUNIT_CASE(spc_report_tmf_test),
	KUNIT_CASE(spc_report_tpg_test),
	KUNIT_CASE(spc_inquiry_tpgs_test),
	KUNIT_CASE(spc_report_luns_test),
	KUNIT_CASE_PARAM(spc_truncation_test, trunc_gen_params),
	{}
};

static struct kunit_suite strix_spc_test_suite = {
	.name = "strix-spc",
	.init = spc_test_init,
	.test_cases = strix_spc_test_cases,
};

kunit_test_suite(strix_spc_test_suite);
