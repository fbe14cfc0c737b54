// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit cases for the mode pages and MODE SELECT parameter data (mode.c),
 * the saved pages' text, and LOG SENSE (log.c).  Loaded as part of
 * strix_core_test.ko on a kernel with CONFIG_KUNIT.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include "scsi.h"

#define EXPECT_SENSE(test, got, want) \
	KUNIT_EXPECT_EQ(test, (__force u32)(got), (__force u32)(want))

struct mode_fix {
	struct strix_dev_params dp;
	struct strix_mode_pages mp;
	struct strix_mode_vals out;
	u16 fbyte;
	s8 fbit;
	u8 data[128];
	u32 len;
};

static int mode_test_init(struct kunit *test)
{
	struct mode_fix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	f->dp.scsi_type = TYPE_DISK;
	f->dp.block_size = 512;
	f->dp.nr_blocks = 0x8000;
	f->dp.write_cache = true;
	f->mp.cur = (struct strix_mode_vals){ .wce = true, .tas = true };
	f->mp.def = f->mp.cur;
	f->mp.saved = f->mp.cur;
	f->mp.wce_changeable = true;
	test->priv = f;
	return 0;
}

/* Append @n bytes to the parameter list. */
static void put_bytes(struct mode_fix *f, const u8 *b, u32 n)
{
	memcpy(f->data + f->len, b, n);
	f->len += n;
}

/* The current page @code as MODE SENSE gives it, PS cleared, appended. */
static u8 *put_mpage(struct mode_fix *f, u8 code)
{
	u8 *p = f->data + f->len;

	f->len += strix_mode_page(code, 0, &f->mp, p);
	p[0] &= 0x7f;
	return p;
}

static strix_sense_t parse(struct mode_fix *f, bool ten)
{
	f->fbyte = 0xffff;
	f->fbit = 0x55;
	return strix_mode_select_parse(f->data, f->len, ten, &f->dp, &f->mp,
				       &f->out, &f->fbyte, &f->fbit);
}

static void expect_bad(struct kunit *test, struct mode_fix *f, bool ten,
		       u16 byte, s8 bit)
{
	EXPECT_SENSE(test, parse(f, ten), STRIX_INVALID_FIELD_PARAM);
	KUNIT_EXPECT_EQ(test, f->fbyte, byte);
	KUNIT_EXPECT_EQ(test, f->fbit, bit);
}

static const u8 hdr6[4];
static const u8 hdr6_bd[4] = { 0, 0, 0, 8 };
static const u8 bd[8] = { 0, 0, 0x80, 0, 0, 0, 0x02, 0 };	/* 32768 x 512 */

static void mode_page_test(struct kunit *test)
{
	struct mode_fix *f = test->priv;
	u8 p[STRIX_MODE_PAGE_MAX];

	KUNIT_EXPECT_EQ(test, strix_mode_page(0x08, 0, &f->mp, p), 20U);
	KUNIT_EXPECT_EQ(test, p[0], 0x88);
	KUNIT_EXPECT_EQ(test, p[1], 0x12);
	KUNIT_EXPECT_EQ(test, p[2], 0x04);
	KUNIT_EXPECT_EQ(test, strix_mode_page(0x0a, 0, &f->mp, p), 12U);
	KUNIT_EXPECT_EQ(test, p[0], 0x8a);
	KUNIT_EXPECT_EQ(test, p[2], 0x00);
	KUNIT_EXPECT_EQ(test, p[3], 0x10);
	KUNIT_EXPECT_EQ(test, p[5], 0x40);
	/* the changeable mask */
	strix_mode_page(0x0a, 1, &f->mp, p);
	KUNIT_EXPECT_EQ(test, p[2], 0x04);
	KUNIT_EXPECT_EQ(test, p[3], 0x06);
	KUNIT_EXPECT_EQ(test, p[4], 0x00);
	KUNIT_EXPECT_EQ(test, p[5], 0x40);
	/* saved and default apart from current */
	f->mp.saved.d_sense = true;
	f->mp.def.qerr = 1;
	strix_mode_page(0x0a, 3, &f->mp, p);
	KUNIT_EXPECT_EQ(test, p[2], 0x04);
	strix_mode_page(0x0a, 2, &f->mp, p);
	KUNIT_EXPECT_EQ(test, p[2], 0x00);
	KUNIT_EXPECT_EQ(test, p[3], 0x12);
	/* other pages: none */
	KUNIT_EXPECT_EQ(test, strix_mode_page(0x01, 0, &f->mp, p), 0U);
	KUNIT_EXPECT_EQ(test, strix_mode_page(0x1c, 0, &f->mp, p), 0U);
}

static void mode_select_ok_test(struct kunit *test)
{
	struct mode_fix *f = test->priv;
	u8 *p;

	/* no data: nothing changes */
	EXPECT_SENSE(test, parse(f, false), STRIX_OK);
	KUNIT_EXPECT_TRUE(test, f->out.wce);

	/* WCE off, D_SENSE on, QErr 3, TAS off; block descriptor as reported */
	put_bytes(f, hdr6_bd, 4);
	put_bytes(f, bd, 8);
	p = put_mpage(f, 0x08);
	p[2] = 0;
	p = put_mpage(f, 0x0a);
	p[2] |= 0x04;
	p[3] |= 0x06;
	p[5] = 0;
	EXPECT_SENSE(test, parse(f, false), STRIX_OK);
	KUNIT_EXPECT_FALSE(test, f->out.wce);
	KUNIT_EXPECT_TRUE(test, f->out.d_sense);
	KUNIT_EXPECT_EQ(test, f->out.qerr, 3);
	KUNIT_EXPECT_FALSE(test, f->out.tas);

	/* PS set is ignored (reserved); a descriptor with 0 blocks is fine */
	f->data[12] |= 0x80;
	f->data[4] = f->data[5] = f->data[6] = f->data[7] = 0;
	EXPECT_SENSE(test, parse(f, false), STRIX_OK);

	/* MODE SELECT(10), a long LBA descriptor */
	f->len = 0;
	put_bytes(f, (const u8[8]){ 0, 0, 0, 0, 0x01, 0, 0, 16 }, 8);
	put_bytes(f, (const u8[16]){ 0, 0, 0, 0, 0, 0, 0x80, 0,
			       0, 0, 0, 0, 0, 0, 0x02, 0 }, 16);
	p = put_mpage(f, 0x0a);
	p[2] |= 0x04;
	EXPECT_SENSE(test, parse(f, true), STRIX_OK);
	KUNIT_EXPECT_TRUE(test, f->out.d_sense);
	KUNIT_EXPECT_TRUE(test, f->out.wce);	/* untouched */
}

static void mode_select_bad_test(struct kunit *test)
{
	struct mode_fix *f = test->priv;
	u8 *p;

	/* too short for the header; medium type; descriptor length */
	put_bytes(f, hdr6, 3);
	EXPECT_SENSE(test, parse(f, false), STRIX_PARAM_LIST_LENGTH);
	f->len = 0;
	put_bytes(f, (const u8[4]){ 0, 1, 0, 0 }, 4);
	expect_bad(test, f, false, 1, -1);
	f->len = 0;
	put_bytes(f, (const u8[4]){ 0, 0, 0, 4 }, 4);
	expect_bad(test, f, false, 3, -1);
	f->len = 0;
	put_bytes(f, hdr6_bd, 4);
	put_bytes(f, bd, 4);
	EXPECT_SENSE(test, parse(f, false), STRIX_PARAM_LIST_LENGTH);

	/* block descriptor: block length, block count, density */
	f->len = 0;
	put_bytes(f, hdr6_bd, 4);
	put_bytes(f, (const u8[8]){ 0, 0, 0x80, 0, 0, 0, 0x10, 0 }, 8);
	expect_bad(test, f, false, 9, -1);
	f->len = 0;
	put_bytes(f, hdr6_bd, 4);
	put_bytes(f, (const u8[8]){ 0, 0, 0x40, 0, 0, 0, 0x02, 0 }, 8);
	expect_bad(test, f, false, 4, -1);
	f->len = 0;
	put_bytes(f, hdr6_bd, 4);
	put_bytes(f, (const u8[8]){ 0, 0, 0x80, 0, 1, 0, 0x02, 0 }, 8);
	expect_bad(test, f, false, 8, -1);

	/* a field that cannot change: QAM, at its highest differing bit */
	f->len = 0;
	put_bytes(f, hdr6, 4);
	p = put_mpage(f, 0x0a);
	p[3] = 0;
	expect_bad(test, f, false, 7, 4);
	p[3] = 0x14;			/* QErr 10b: reserved */
	expect_bad(test, f, false, 7, 2);
	p[3] = 0x10;
	p[4] = 0x08;			/* SWP */
	expect_bad(test, f, false, 8, 3);
	p[4] = 0;
	p[1] = 0x0b;			/* page length */
	expect_bad(test, f, false, 5, -1);
	p[1] = 0x0a;
	p[0] |= 0x40;			/* SPF */
	expect_bad(test, f, false, 4, 6);
	p[0] = 0x01;			/* a page the device does not have */
	expect_bad(test, f, false, 4, 5);
	p[0] = 0x0a;
	f->len -= 2;			/* the page runs past the list */
	EXPECT_SENSE(test, parse(f, false), STRIX_PARAM_LIST_LENGTH);
	f->len -= 9;			/* one byte of a page header */
	EXPECT_SENSE(test, parse(f, false), STRIX_PARAM_LIST_LENGTH);

	/* WCE cannot change where there is no cache */
	f->len = 0;
	put_bytes(f, hdr6, 4);
	f->mp.wce_changeable = false;
	f->mp.cur.wce = false;
	p = put_mpage(f, 0x08);
	p[2] = 0x04;
	expect_bad(test, f, false, 6, 2);
	p[2] = 0;
	EXPECT_SENSE(test, parse(f, false), STRIX_OK);

	/* a good page then a bad one: the whole list is refused */
	f->len = 0;
	put_bytes(f, hdr6, 4);
	p = put_mpage(f, 0x0a);
	p[2] |= 0x04;
	p = put_mpage(f, 0x08);
	p[3] = 1;
	expect_bad(test, f, false, 4 + 12 + 3, 0);

	/* MODE SELECT(10) header: long LBA with an 8-byte descriptor */
	f->len = 0;
	put_bytes(f, (const u8[8]){ 0, 0, 0, 0, 0x01, 0, 0, 8 }, 8);
	put_bytes(f, bd, 8);
	expect_bad(test, f, true, 6, -1);
	f->data[4] = 0x02;
	expect_bad(test, f, true, 4, -1);
}

static void mode_text_test(struct kunit *test)
{
	static const struct strix_mode_vals v = {
		.wce = false, .d_sense = true, .tas = true, .qerr = 3,
	};
	static const char *const bad[] = {
		"", "wce 0\n", "wce 0\nd_sense 1\ntas 1\n",
		"wce 0\nd_sense 1\ntas 1\nqerr 2\n",
		"wce 0\nd_sense 2\ntas 1\nqerr 0\n",
		"wce 0\nwce 0\nd_sense 1\ntas 1\nqerr 0\n",
		"wce 0\nd_sense 1\ntas 1\nqerr 0\nswp 1\n",
		"wce 0 1\nd_sense 1\ntas 1\nqerr 0\n",
		"wce -1\nd_sense 1\ntas 1\nqerr 0\n",
		"wce 0\n\nd_sense 1\ntas 1\nqerr 0\n",
	};
	struct strix_mode_vals got = { .wce = true };
	char buf[64];
	unsigned int i;
	ssize_t n;

	n = strix_mode_dump(&v, buf, sizeof(buf));
	KUNIT_EXPECT_EQ(test, n, (ssize_t)strlen("wce 0\nd_sense 1\ntas 1\nqerr 3\n"));
	KUNIT_EXPECT_STREQ(test, buf, "wce 0\nd_sense 1\ntas 1\nqerr 3\n");
	KUNIT_EXPECT_EQ(test, strix_mode_dump(&v, buf, 8), (ssize_t)-EFBIG);
	KUNIT_EXPECT_EQ(test, strix_mode_load(&got, "qerr 3\ntas 1\nd_sense 1\nwce 0"), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&got, &v, sizeof(v)), 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		got.wce = true;
		KUNIT_EXPECT_EQ_MSG(test, strix_mode_load(&got, bad[i]), -EINVAL,
				    "%s", bad[i]);
		KUNIT_EXPECT_TRUE_MSG(test, got.wce, "changed by %s", bad[i]);
	}
}

/* ---- LOG SENSE ----------------------------------------------------------- */

static strix_sense_t log_run(struct strix_cmd *cmd, const struct strix_log_ctx *lc,
			     const u8 *cdb, u8 *buf, u32 len, u32 *produced)
{
	memset(cmd, 0, sizeof(*cmd));
	memcpy(cmd->cdb, cdb, 10);
	cmd->cdb_len = 10;
	memset(buf, 0xa5, 128);
	return strix_log_sense(cmd, lc, buf, len, produced);
}

static void log_sense_test(struct kunit *test)
{
	static const u8 temp[] = { 0x8d, 0, 0, 12, 0, 0, 3, 2, 0, 0xff,
				   0, 1, 3, 2, 0, 0xff };
	static const u8 bgscan[] = { 0x95, 0, 0, 16, 0, 0, 3, 12,
				     1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0 };
	static const u8 lbp[] = { 0x8c, 0, 0, 24,
				  0, 1, 3, 8, 0, 0x01, 0x00, 0x02, 2, 0, 0, 0,
				  0, 2, 3, 8, 0, 0, 0x10, 0, 1, 0, 0, 0 };
	struct strix_log_ctx lc = {};
	struct strix_cmd *cmd = kunit_kzalloc(test, sizeof(*cmd), GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, 128, GFP_KERNEL);
	u32 n;

	KUNIT_ASSERT_NOT_NULL(test, cmd);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	/* supported pages: 00h, 0Dh, 15h; 0Ch only with the handler's numbers */
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x40,
		     0, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, 7U);
	KUNIT_EXPECT_EQ(test, memcmp(buf, ((const u8[]){ 0, 0, 0, 3, 0, 0x0d, 0x15 }), 7), 0);
	KUNIT_EXPECT_EQ(test, buf[7], 0xa5);
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x4c,
		     0, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_INVALID_FIELD_CDB);
	KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, 2);
	lc = (struct strix_log_ctx){ .space = true, .avail_blocks = 0x10002,
				     .used_blocks = 0x1000 };
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x40,
		     0xff, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, 14U);
	KUNIT_EXPECT_EQ(test, memcmp(buf, ((const u8[]){ 0x40, 0xff, 0, 10, 0, 0,
			0, 0xff, 0x0c, 0, 0x0d, 0, 0x15, 0 }), 14), 0);

	/*
	 * background scan results: the status parameter only, with the
	 * minutes since the device was added; a pointer past 0000h refused
	 */
	lc.power_on_minutes = 0x01020304;
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x55,
		     0, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, (u32)sizeof(bgscan));
	KUNIT_EXPECT_EQ(test, memcmp(buf, bgscan, sizeof(bgscan)), 0);
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x55,
		     0, 0, 0, 1, 0, 64 }, buf, 64, &n), STRIX_INVALID_FIELD_CDB);
	KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, 5);

	/* temperature: not available; the parameter pointer skips 0000h */
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x4d,
		     0, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, (u32)sizeof(temp));
	KUNIT_EXPECT_EQ(test, memcmp(buf, temp, sizeof(temp)), 0);
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x0d,
		     0, 0, 0, 1, 0, 64 }, buf, 64, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, 10U);
	KUNIT_EXPECT_EQ(test, buf[3], 6);
	KUNIT_EXPECT_EQ(test, buf[5], 1);
	/* allocation length: cut, the full length still known */
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x4d,
		     0, 0, 0, 0, 0, 5 }, buf, 5, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, (u32)sizeof(temp));
	KUNIT_EXPECT_EQ(test, buf[5], 0xa5);

	/* logical block provisioning */
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x4c,
		     0, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, (u32)sizeof(lbp));
	KUNIT_EXPECT_EQ(test, memcmp(buf, lbp, sizeof(lbp)), 0);
	lc.avail_blocks = 1ULL << 32;	/* does not fit: left out */
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x4c,
		     0, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_OK);
	KUNIT_EXPECT_EQ(test, n, 16U);
	KUNIT_EXPECT_EQ(test, buf[5], 2);

	/* refused: subpage, pointer past the last parameter, unknown page */
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x4d,
		     1, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_INVALID_FIELD_CDB);
	KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, 3);
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x4d,
		     0, 0, 0, 2, 0, 64 }, buf, 64, &n), STRIX_INVALID_FIELD_CDB);
	KUNIT_EXPECT_EQ(test, cmd->sense_field_byte, 5);
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x40,
		     0, 0, 0, 1, 0, 64 }, buf, 64, &n), STRIX_INVALID_FIELD_CDB);
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x4e,
		     0, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_INVALID_FIELD_CDB);
	KUNIT_EXPECT_EQ(test, n, 0U);
	EXPECT_SENSE(test, log_run(cmd, &lc, (const u8[10]){ LOG_SENSE, 0, 0x40,
		     0x01, 0, 0, 0, 0, 64 }, buf, 64, &n), STRIX_INVALID_FIELD_CDB);
}

static struct kunit_case mode_test_cases[] = {
	KUNIT_CASE(mode_page_test),
	KUNIT_CASE(mode_select_ok_test),
	KUNIT_CASE(mode_select_bad_test),
	KUNIT_CASE(mode_text_test),
	KUNIT_CASE(log_sense_test),
	{}
};

static struct kunit_suite mode_test_suite = {
	.name = "strix-mode",
	.init = mode_test_init,
	.test_cases = mode_test_cases,
};
kunit_test_suite(mode_test_suite);
